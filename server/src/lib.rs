//! The Atelier server: configuration, start-up wiring and the command line. The application
//! itself (pages, server functions, data, rules) lives in the `app` crate.

pub mod config;
pub mod seed;
pub mod startup;
