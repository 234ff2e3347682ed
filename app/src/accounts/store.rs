//! Account queries (server only).

use super::auth::SessionUser;
use super::rules::{ValidProfile, THROTTLE_WINDOW_MINUTES};
use super::Profile;
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::i18n::{Locale, Msg};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

const SESSION_USER_COLUMNS: &str = "select id, display_name, password_hash, locale, time_zone from users";

pub async fn session_user_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as(&format!("{SESSION_USER_COLUMNS} where email = $1")).bind(email).fetch_optional(db).await
}

pub async fn session_user_by_id(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as(&format!("{SESSION_USER_COLUMNS} where id = $1")).bind(id).fetch_optional(pool).await
}

/// Inserts a new user; a taken email (the `users_email_key` constraint) is the email field's error.
#[tracing::instrument(skip_all)]
pub async fn insert_user(
    pool: &PgPool,
    email: &str,
    password_hash: &str,
    profile: &ValidProfile,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, email, password_hash, display_name, school, district, subject, grade_band, tier, locale, time_zone)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(email)
    .bind(password_hash)
    .bind(&profile.display_name)
    .bind(&profile.school)
    .bind(&profile.district)
    .bind(&profile.subject)
    .bind(&profile.grade_band)
    .bind(profile.tier)
    .bind(profile.locale)
    .bind(&profile.time_zone)
    .execute(pool)
    .await
    .on_constraint("users_email_key", || StoreError::conflict("email", Msg::ErrEmailTaken))?;
    Ok(id)
}

pub async fn profile(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as(
        "select email, display_name, school, district, subject, grade_band, tier, locale, time_zone from users where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn update_profile(pool: &PgPool, id: Uuid, profile: &ValidProfile) -> sqlx::Result<()> {
    sqlx::query(
        "update users set display_name = $2, school = $3, district = $4, subject = $5, grade_band = $6,
                tier = $7, locale = $8, time_zone = $9, updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(&profile.display_name)
    .bind(&profile.school)
    .bind(&profile.district)
    .bind(&profile.subject)
    .bind(&profile.grade_band)
    .bind(profile.tier.code())
    .bind(profile.locale.tag())
    .bind(&profile.time_zone)
    .execute(pool)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn set_password_hash(pool: &PgPool, id: Uuid, password_hash: &str) -> sqlx::Result<()> {
    sqlx::query("update users set password_hash = $2, updated_at = now() where id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(pool)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn set_locale(pool: &PgPool, id: Uuid, locale: Locale) -> sqlx::Result<()> {
    sqlx::query("update users set locale = $2, updated_at = now() where id = $1")
        .bind(id)
        .bind(locale.tag())
        .execute(pool)
        .await?;
    Ok(())
}

/// Serialises sign-ins for one email across all server instances until the transaction ends,
/// so that concurrent guesses cannot all slip under the throttle.
pub async fn lock_sign_in(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))").bind(email).execute(conn).await?;
    Ok(())
}

/// The failed sign-ins for an email inside the throttle window; older ones are deleted.
pub async fn recent_sign_in_failures(conn: &mut PgConnection, email: &str) -> sqlx::Result<Vec<DateTime<Utc>>> {
    sqlx::query("delete from sign_in_failures where email = $1 and attempted_at < now() - make_interval(mins => $2)")
        .bind(email)
        .bind(THROTTLE_WINDOW_MINUTES as i32)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("select attempted_at from sign_in_failures where email = $1").bind(email).fetch_all(conn).await
}

pub async fn record_sign_in_failure(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query("insert into sign_in_failures (email) values ($1)").bind(email).execute(conn).await?;
    Ok(())
}

pub async fn clear_sign_in_failures(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<()> {
    sqlx::query("delete from sign_in_failures where email = $1").bind(email).execute(db).await?;
    Ok(())
}
