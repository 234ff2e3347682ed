//! The shared kit: what every domain area uses the same way. Nothing in here knows a domain
//! area, but `context`, which reads the signed-in user that `accounts` keeps in the session.
//!
//! - `codes`: enums stored as text (database, forms), with labels and the sqlx encoding
//! - `error`: `AppError`, the one error type of every server function, and its HTTP statuses
//! - `i18n`: the viewer's language and the messages shown in it
//! - `validate`: field-error collection and the checks every form shares (text, hours, dates…)
//! - `forms`: labelled form controls that show their own translated errors
//! - `view`: loading and error views, and the one way a page refreshes after an action
//! - `time`: dates and times in the viewer's time zone
//! - `client` (server): the client's address, behind trusted proxies too
//! - `context` (server): the pool, session and viewer of the current request
//! - `lock` (server): transaction-scoped advisory locks on things without a row
//! - `origin` (server): refuses state-changing requests sent from other sites
//! - `rate` (server): in-memory per-client rate limits for public lookups
//! - `sql` (server): statements PostgreSQL plans once (literal limits, generic-plan reads)
//! - `token` (server): secret tokens handed out once and stored as hashes
//! - `xlsx` (server): workbooks with real numbers and dates, as downloads

#[cfg(feature = "ssr")]
pub mod client;
pub mod codes;
#[cfg(feature = "ssr")]
pub mod context;
pub mod error;
pub mod forms;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod lock;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod origin;
#[cfg(feature = "ssr")]
pub mod rate;
#[cfg(feature = "ssr")]
pub mod sql;
pub mod time;
#[cfg(feature = "ssr")]
pub mod token;
pub mod validate;
pub mod view;
#[cfg(feature = "ssr")]
pub mod xlsx;
