//! Districts and their schools: the rows every teacher and studio belongs to, the district
//! admins and school leaders scoped to them. (The dashboard, the school lists and the consent
//! switches build on these.)

pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
