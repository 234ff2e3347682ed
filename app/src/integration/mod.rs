//! The integration API for a district's own systems: API clients that the district's admins
//! create and revoke (`api`, `pages`), and the versioned REST surface they call (`rest`,
//! `/api/v1`, server only).

pub mod api;
pub mod imports;
mod messages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod webhooks;

pub use messages::IntegrationMsg;

use chrono::{DateTime, Utc};
use rules::Scope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An API client as its district's admins see it (never its token: only the last characters).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiClient {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub token_hint: String,
    pub expires_at: DateTime<Utc>,
    /// Past its expiry when the list was read.
    pub expired: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One district's clients, newest first, a page of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictClients {
    pub district_id: Uuid,
    pub district_name: String,
    pub clients: Vec<ApiClient>,
    pub total: i64,
    pub more: bool,
}

/// A client just created: its token, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedClient {
    pub id: Uuid,
    pub name: String,
    pub token: String,
}
