//! Sessions, kept in PostgreSQL.
//!
//! Sliding expiry: a session ends after `ATELIER_SESSION_DAYS` without activity, yet a
//! signed-in browser's requests do not each write to the database. tower-sessions saves a session
//! only when it changed, so left alone the expiry set at sign-in never moves; `slide_expiry`
//! changes it (a timestamp in the session) at most once per interval, and that save also moves
//! the stored expiry and the cookie's `Max-Age` forward.
//!
//! One statement per signed-in request: `SessionTable` stores sessions as tower-sessions'
//! PostgreSQL store does (same table, same encoding), plus the signed-in user's id in a column,
//! so the statement that loads a session also reads its user. `Backend::get_user` takes that
//! user from the request (`take_loaded_user`) instead of querying again.

use super::auth::SessionUser;
use super::store;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;
use std::cell::RefCell;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::Session;
use uuid::Uuid;

/// Where axum-login keeps the signed-in user in a session's data (set on the auth layer, so
/// that `SessionTable` finds the user's id under the same key).
pub const SIGNED_IN_KEY: &str = "axum-login.data";

const TOUCHED_AT: &str = "touched_at";

/// How often a signed-in session's expiry moves forward (a layer's state).
#[derive(Clone, Copy, Debug)]
pub struct TouchInterval(pub Duration);

/// Whether a session last touched at `touched_at` (unix milliseconds; `None`: never) is due
/// again at `now`. A clock that went backwards counts as due, so the expiry cannot get stuck.
pub fn touch_due(touched_at: Option<i64>, now: i64, interval: Duration) -> bool {
    let interval = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    match touched_at {
        Some(at) if at <= now => now - at >= interval,
        _ => true,
    }
}

/// Runs inside the session layer, after the request: only a session holding data is touched
/// (one just signed in included, so it starts with its timestamp; never an anonymous visitor's
/// empty one), and a read failure is left to the session layer, which reports it.
pub async fn slide_expiry(State(interval): State<TouchInterval>, request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    if let Some(session) = session {
        if !session.is_empty().await {
            let now = chrono::Utc::now().timestamp_millis();
            let touched_at = session.get::<i64>(TOUCHED_AT).await.ok().flatten();
            if touch_due(touched_at, now, interval.0) {
                if let Err(err) = session.insert(TOUCHED_AT, now).await {
                    tracing::warn!("could not mark the session as active: {err}");
                }
            }
        }
    }
    response
}

tokio::task_local! {
    /// The user the request's session load read, until `Backend::get_user` takes it.
    static LOADED_USER: RefCell<Option<SessionUser>>;
}

/// Outside the session and auth layers: gives each request its own place for the user its
/// session load reads, so that a user never outlives the request that read them.
pub async fn hold_loaded_user(request: Request, next: Next) -> Response {
    LOADED_USER.scope(RefCell::new(None), next.run(request)).await
}

/// The user `id`, when this request's session load already read them.
pub fn take_loaded_user(id: Uuid) -> Option<SessionUser> {
    LOADED_USER.try_with(|slot| slot.borrow_mut().take()).ok().flatten().filter(|user| user.id == id)
}

/// The id of the user a session's data says is signed in (axum-login's `{"user_id": …}`).
pub fn signed_in_user_id(data: &std::collections::HashMap<String, serde_json::Value>) -> Option<Uuid> {
    data.get(SIGNED_IN_KEY)?.get("user_id")?.as_str()?.parse().ok()
}

/// The session store (see the module's documentation).
#[derive(Clone, Debug)]
pub struct SessionTable {
    pool: PgPool,
}

impl SessionTable {
    pub fn new(pool: PgPool) -> SessionTable {
        SessionTable { pool }
    }

    async fn write(&self, record: &Record, replace: bool) -> session_store::Result<bool> {
        let data = rmp_serde::to_vec(record).map_err(|err| session_store::Error::Encode(err.to_string()))?;
        let expires_at =
            chrono::DateTime::from_timestamp(record.expiry_date.unix_timestamp(), record.expiry_date.nanosecond())
                .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
        let user_id = signed_in_user_id(&record.data);
        store::save_session(&self.pool, &record.id.to_string(), &data, expires_at, user_id, replace)
            .await
            .map_err(backend_error)
    }
}

fn backend_error(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionTable {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A taken id (128 random bits) gets another; a few tries are more than enough.
        for _ in 0..3 {
            if self.write(record, false).await? {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(session_store::Error::Backend("no free session id".into()))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, true).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, user)) = store::live_session(&self.pool, &id.to_string()).await.map_err(backend_error)? else {
            return Ok(None);
        };
        if let Some(user) = user {
            // Outside `hold_loaded_user` (no place for it) the user is simply read again.
            _ = LOADED_USER.try_with(|slot| *slot.borrow_mut() = Some(user));
        }
        let record = rmp_serde::from_slice(&data).map_err(|err| session_store::Error::Decode(err.to_string()))?;
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        store::delete_session(&self.pool, &id.to_string()).await.map_err(backend_error)
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionTable {
    async fn delete_expired(&self) -> session_store::Result<()> {
        store::delete_expired_sessions(&self.pool).await.map(drop).map_err(backend_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn a_session_never_touched_is_due() {
        assert!(touch_due(None, 1_000_000, FIVE_MINUTES));
    }

    #[test]
    fn a_session_touched_within_the_interval_is_not_written_again() {
        assert!(!touch_due(Some(1_000_000), 1_299_999, FIVE_MINUTES));
        assert!(touch_due(Some(1_000_000), 1_300_000, FIVE_MINUTES));
    }

    #[test]
    fn a_touch_from_the_future_counts_as_due() {
        assert!(touch_due(Some(2_000_000), 1_000_000, FIVE_MINUTES));
    }

    #[test]
    fn the_signed_in_user_is_read_from_axum_logins_data() {
        let id = Uuid::new_v4();
        let data = std::collections::HashMap::from([(
            SIGNED_IN_KEY.to_string(),
            serde_json::json!({ "user_id": id.to_string(), "auth_hash": [1, 2, 3] }),
        )]);
        assert_eq!(signed_in_user_id(&data), Some(id));
    }

    #[test]
    fn a_session_without_a_signed_in_user_has_no_user_id() {
        let anonymous = std::collections::HashMap::from([("touched_at".to_string(), serde_json::json!(1))]);
        assert_eq!(signed_in_user_id(&anonymous), None);
        let signed_out = std::collections::HashMap::from([(
            SIGNED_IN_KEY.to_string(),
            serde_json::json!({ "user_id": null, "auth_hash": null }),
        )]);
        assert_eq!(signed_in_user_id(&signed_out), None);
    }
}
