//! Password hashing and the axum-login backend (server only).

use super::store;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum_login::{AuthUser, AuthnBackend, UserId};
use sqlx::PgPool;
use std::sync::OnceLock;
use uuid::Uuid;

/// The signed-in user as the session layer knows it.
#[derive(Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub id: Uuid,
    pub display_name: String,
    pub password_hash: String,
    pub locale: crate::kit::i18n::Locale,
    pub time_zone: String,
    /// Administers a district or leads a school.
    pub leads: bool,
    /// Unread notifications when this request began.
    pub unread: i64,
    /// The training-hour quota and quota-year start of the district of the user's school, where
    /// it sets its own: read with the session, so the pages about the user's own hours need no
    /// statement of their own for them (see [`SessionUser::hours_settings`]).
    pub district_quota_tenths: Option<i32>,
    pub district_year_start_month: Option<i32>,
}

impl SessionUser {
    /// The user's own quota settings: their district's, the deployment's `defaults` where it has
    /// none (as `growth::store::district_settings` gives them for any user).
    pub fn hours_settings(&self, defaults: crate::growth::HoursSettings) -> crate::growth::HoursSettings {
        defaults.with_district(self.district_quota_tenths, self.district_year_start_month)
    }
}

// Hand-written so that a hash never reaches a log line.
impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser").field("id", &self.id).finish_non_exhaustive()
    }
}

impl AuthUser for SessionUser {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.id
    }

    /// Sessions remember the password hash they were created with: changing the password makes
    /// every other session of the user invalid on its next request.
    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

pub struct Credentials {
    /// Already normalised (trimmed, lower-case).
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug)]
pub struct Backend {
    pool: PgPool,
}

impl Backend {
    pub fn new(pool: PgPool) -> Backend {
        Backend { pool }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("password hashing task failed: {0}")]
    Hashing(String),
}

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = BackendError;

    /// Verifies the password of the user with that email. For an unknown email a dummy hash is
    /// verified instead, so both answers take the same time and say the same thing.
    async fn authenticate(&self, creds: Credentials) -> Result<Option<SessionUser>, BackendError> {
        let user = store::session_user_by_email(&self.pool, &creds.email).await?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let valid = verify_password(creds.password, hash).await?;
        Ok(user.filter(|_| valid))
    }

    /// The user the session load already read with the session, or else from the database.
    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionUser>, BackendError> {
        if let Some(user) = super::session::take_loaded_user(*id) {
            return Ok(Some(user));
        }
        Ok(store::session_user_by_id(&self.pool, *id).await?)
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// A hash of a random password, verified against when the email is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&Uuid::new_v4().to_string()).unwrap_or_default())
}

/// Argon2id with the crate's default (OWASP) parameters, as a PHC string.
pub fn hash_blocking(password: &str) -> Result<String, BackendError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| BackendError::Hashing(e.to_string()))
}

/// Hashes off the async threads: argon2 takes tens of milliseconds of CPU on purpose.
pub async fn hash_password(password: String) -> Result<String, BackendError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| BackendError::Hashing(e.to_string()))?
}

/// Verifies off the async threads; `None` verifies against the dummy hash and answers false.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, BackendError> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let phc = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(|e| BackendError::Hashing(e.to_string()))
}

/// Computes the dummy hash ahead of the first unknown-email sign-in, so that one is not slower.
pub fn warm_up() {
    let _ = dummy_hash();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), Some(hash.clone())).await.expect("verify"));
        assert!(!verify_password("wrong horse".into(), Some(hash)).await.expect("verify"));
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify_password("anything".into(), None).await.expect("verify"));
    }
}
