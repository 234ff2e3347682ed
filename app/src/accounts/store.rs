//! Account queries (server only).

use super::auth::SessionUser;
use super::rules::{
    ValidProfile, ADDRESS_MAX_FAILURES, ADDRESS_WINDOW_MINUTES, FAILURE_MEMORY_HOURS, TRUSTED_BROWSERS_MAX,
    TRUSTED_BROWSER_DAYS,
};
use super::Profile;
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::i18n::{Locale, Msg};
use crate::kit::token::{new_token, token_hash};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// A session's user, with whether they lead a school or a district (the header links the
/// district pages for them) and their unread notifications (the header's count): what every
/// signed-in page needs, in the one statement that loads the user (`u` is the user's row, `ud`
/// the district of their school, joined by [`SESSION_USER_JOINS`]).
const SESSION_USER_COLUMNS: &str = "u.id, u.display_name, u.password_hash, u.locale, u.time_zone,
        exists (select 1 from district_admins a where a.user_id = u.id)
            or exists (select 1 from school_leaders l where l.user_id = u.id) as leads,
        (select count(*) from notifications n where n.user_id = u.id and n.read_at is null) as unread,
        ud.yearly_quota_tenths as district_quota_tenths, ud.year_start_month as district_year_start_month";

/// The district of the user's school, for [`SESSION_USER_COLUMNS`]'s quota settings.
const SESSION_USER_JOINS: &str =
    "left join schools us on us.id = u.school_id left join districts ud on ud.id = us.district_id";

pub async fn session_user_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as(&format!("select {SESSION_USER_COLUMNS} from users u {SESSION_USER_JOINS} where u.email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await
}

pub async fn session_user_by_id(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as(&format!("select {SESSION_USER_COLUMNS} from users u {SESSION_USER_JOINS} where u.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

// ---------------------------------------------------------------- sessions

/// A live (unexpired) session's stored record and its signed-in user, in one statement: the
/// user is joined through the session's `user_id` column, which `save_session` keeps.
pub async fn live_session(pool: &PgPool, id: &str) -> sqlx::Result<Option<(Vec<u8>, Option<SessionUser>)>> {
    use sqlx::{FromRow, Row};
    let row = sqlx::query(&format!(
        "select s.data, {SESSION_USER_COLUMNS}
         from tower_sessions.session s left join users u on u.id = s.user_id {SESSION_USER_JOINS}
         where s.id = $1 and s.expiry_date > now()"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = match row.try_get::<Option<Uuid>, _>("id")? {
        Some(_) => Some(SessionUser::from_row(&row)?),
        None => None,
    };
    Ok(Some((row.try_get("data")?, user)))
}

/// Writes a session's record; `replace` says whether an existing session of that id is
/// overwritten (a save) or kept (a new session's id that is taken: then false comes back).
pub async fn save_session(
    pool: &PgPool,
    id: &str,
    data: &[u8],
    expires_at: DateTime<Utc>,
    user_id: Option<Uuid>,
    replace: bool,
) -> sqlx::Result<bool> {
    let on_conflict = if replace {
        "do update set data = excluded.data, expiry_date = excluded.expiry_date, user_id = excluded.user_id"
    } else {
        "do nothing"
    };
    let written = sqlx::query(&format!(
        "insert into tower_sessions.session (id, data, expiry_date, user_id) values ($1, $2, $3, $4)
         on conflict (id) {on_conflict}"
    ))
    .bind(id)
    .bind(data)
    .bind(expires_at)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(written.rows_affected() == 1)
}

pub async fn delete_session(pool: &PgPool, id: &str) -> sqlx::Result<()> {
    sqlx::query("delete from tower_sessions.session where id = $1").bind(id).execute(pool).await?;
    Ok(())
}

pub async fn delete_expired_sessions(pool: &PgPool) -> sqlx::Result<u64> {
    let deleted = sqlx::query("delete from tower_sessions.session where expiry_date < now()").execute(pool).await?;
    Ok(deleted.rows_affected())
}

/// Inserts a new user, placed in the school their profile names (see `districts::store::place_user`);
/// a taken email (the `users_email_key` constraint) is the email field's error.
#[tracing::instrument(skip_all)]
pub async fn insert_user(
    pool: &PgPool,
    email: &str,
    password_hash: &str,
    profile: &ValidProfile,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let mut tx = pool.begin().await?;
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
    .execute(&mut *tx)
    .await
    .on_constraint("users_email_key", || StoreError::conflict("email", Msg::ErrEmailTaken))?;
    crate::districts::store::place_user(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn profile(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as(
        "select email, display_name, school, district, subject, grade_band, tier, locale, time_zone, mail_preference
         from users where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn update_profile(pool: &PgPool, id: Uuid, profile: &ValidProfile) -> sqlx::Result<()> {
    sqlx::query(
        "update users set display_name = $2, school = $3, district = $4, subject = $5, grade_band = $6,
                tier = $7, locale = $8, time_zone = $9, school_id = school_for($4, $3, $1), updated_at = now()
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

/// Serialises password tries for one email across all server instances until the transaction
/// ends, so that concurrent guesses cannot all slip under the throttle.
pub async fn lock_sign_in(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    crate::kit::lock::lock_until_commit(conn, email).await
}

/// Where a password try comes from, as the throttle counts it.
pub struct TrySource<'a> {
    pub client_addr: &'a str,
    /// A browser that signed in to this very account before (see [`trusted_browser`]).
    pub browser: Option<Uuid>,
}

/// The trusted browser holding `token`, if it was trusted by the account with this email (a
/// token of another account, or of none, trusts nothing).
pub async fn trusted_browser(conn: &mut PgConnection, email: &str, token: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "select b.id from trusted_browsers b join users u on u.id = b.user_id where b.token_hash = $1 and u.email = $2",
    )
    .bind(token_hash(token))
    .bind(email)
    .fetch_optional(conn)
    .await
}

/// The remembered failures of one account from this browser if it is trusted, else from this
/// address: how many, and the latest.
pub async fn account_failures(
    conn: &mut PgConnection,
    email: &str,
    from: &TrySource<'_>,
) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    let client = if from.browser.is_some() { "browser_id = $3" } else { "client_addr = $2" };
    sqlx::query_as(&format!(
        "select count(*), max(attempted_at) from sign_in_failures
         where email = $1 and {client} and attempted_at > now() - make_interval(hours => $4)"
    ))
    .bind(email)
    .bind(from.client_addr)
    .bind(from.browser)
    .bind(FAILURE_MEMORY_HOURS as i32)
    .fetch_one(conn)
    .await
}

/// The time of the [`ADDRESS_MAX_FAILURES`]-th most recent failure from this address inside the
/// address window, if there are that many.
pub async fn address_limit_failure(conn: &mut PgConnection, client_addr: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "select attempted_at from sign_in_failures
         where client_addr = $1 and attempted_at > now() - make_interval(mins => $2)
         order by attempted_at desc offset $3 limit 1",
    )
    .bind(client_addr)
    .bind(ADDRESS_WINDOW_MINUTES as i32)
    .bind(ADDRESS_MAX_FAILURES - 1)
    .fetch_optional(conn)
    .await
}

pub async fn record_sign_in_failure(conn: &mut PgConnection, email: &str, from: &TrySource<'_>) -> sqlx::Result<()> {
    sqlx::query("insert into sign_in_failures (email, client_addr, browser_id) values ($1, $2, $3)")
        .bind(email)
        .bind(from.client_addr)
        .bind(from.browser)
        .execute(conn)
        .await?;
    Ok(())
}

/// A right password forgets this client's failures for the account (not other clients': a
/// guesser elsewhere gets no fresh tries from the owner's success).
pub async fn clear_sign_in_failures(db: impl PgExecutor<'_>, email: &str, from: &TrySource<'_>) -> sqlx::Result<()> {
    sqlx::query("delete from sign_in_failures where email = $1 and (client_addr = $2 or browser_id = $3)")
        .bind(email)
        .bind(from.client_addr)
        .bind(from.browser)
        .execute(db)
        .await?;
    Ok(())
}

/// Trusts the browser the user just signed in on: refreshes its trust if it already holds a
/// token of theirs, else returns a new token for its cookie. A user keeps at most
/// [`TRUSTED_BROWSERS_MAX`] browsers; the least recently used are forgotten.
#[tracing::instrument(skip_all)]
pub async fn trust_browser(pool: &PgPool, user_id: Uuid, known: Option<Uuid>) -> sqlx::Result<Option<String>> {
    if let Some(id) = known {
        sqlx::query("update trusted_browsers set last_used_at = now() where id = $1").bind(id).execute(pool).await?;
        return Ok(None);
    }
    let token = new_token();
    let mut tx = pool.begin().await?;
    sqlx::query("insert into trusted_browsers (id, token_hash, user_id) values ($1, $2, $3)")
        .bind(Uuid::new_v4())
        .bind(token_hash(&token))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "delete from trusted_browsers where user_id = $1 and id not in
           (select id from trusted_browsers where user_id = $1 order by last_used_at desc limit $2)",
    )
    .bind(user_id)
    .bind(TRUSTED_BROWSERS_MAX)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// Forgets failures older than [`FAILURE_MEMORY_HOURS`] and browsers unused for
/// [`TRUSTED_BROWSER_DAYS`], so neither table grows without bound. Returns the rows deleted.
#[tracing::instrument(skip_all)]
pub async fn purge_stale_sign_in_records(pool: &PgPool) -> sqlx::Result<u64> {
    let failures = sqlx::query("delete from sign_in_failures where attempted_at < now() - make_interval(hours => $1)")
        .bind(FAILURE_MEMORY_HOURS as i32)
        .execute(pool)
        .await?;
    let browsers = sqlx::query("delete from trusted_browsers where last_used_at < now() - make_interval(days => $1)")
        .bind(TRUSTED_BROWSER_DAYS as i32)
        .execute(pool)
        .await?;
    Ok(failures.rows_affected() + browsers.rows_affected())
}
