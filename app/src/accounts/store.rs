//! Account queries (server only).

use super::auth::SessionUser;
use super::rules::{ValidProfile, THROTTLE_WINDOW_MINUTES};
use super::{Profile, Tier};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    id: Uuid,
    display_name: String,
    password_hash: String,
    locale: String,
    time_zone: String,
}

impl From<SessionUserRow> for SessionUser {
    fn from(row: SessionUserRow) -> SessionUser {
        SessionUser {
            id: row.id,
            display_name: row.display_name,
            password_hash: row.password_hash,
            locale: Locale::from_tag(&row.locale).unwrap_or_default(),
            time_zone: row.time_zone,
        }
    }
}

const SESSION_USER_COLUMNS: &str = "select id, display_name, password_hash, locale, time_zone from users";

pub async fn session_user_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<SessionUser>> {
    let row: Option<SessionUserRow> =
        sqlx::query_as(&format!("{SESSION_USER_COLUMNS} where email = $1")).bind(email).fetch_optional(db).await?;
    Ok(row.map(SessionUser::from))
}

pub async fn session_user_by_id(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<SessionUser>> {
    let row: Option<SessionUserRow> =
        sqlx::query_as(&format!("{SESSION_USER_COLUMNS} where id = $1")).bind(id).fetch_optional(pool).await?;
    Ok(row.map(SessionUser::from))
}

/// Inserts a new user; a taken email fails on the `users_email_key` constraint.
#[tracing::instrument(skip_all)]
pub async fn insert_user(
    pool: &PgPool,
    email: &str,
    password_hash: &str,
    profile: &ValidProfile,
) -> sqlx::Result<Uuid> {
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
    .bind(profile.tier.code())
    .bind(profile.locale.tag())
    .bind(&profile.time_zone)
    .execute(pool)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    email: String,
    display_name: String,
    school: String,
    district: String,
    subject: String,
    grade_band: String,
    tier: String,
    locale: String,
    time_zone: String,
}

pub async fn profile(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Profile>> {
    let row: Option<ProfileRow> = sqlx::query_as(
        "select email, display_name, school, district, subject, grade_band, tier, locale, time_zone from users where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Profile {
        email: r.email,
        display_name: r.display_name,
        school: r.school,
        district: r.district,
        subject: r.subject,
        grade_band: r.grade_band,
        tier: Tier::from_code(&r.tier).unwrap_or_default(),
        locale: Locale::from_tag(&r.locale).unwrap_or_default(),
        time_zone: r.time_zone,
    }))
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
