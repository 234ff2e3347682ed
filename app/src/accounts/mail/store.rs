//! Account mail queries (server only): each user action is one transaction that also queues its
//! email, so a link is never stored without its message or sent without its row.

use super::rules::{self, Letter};
use super::MailPreference;
use crate::accounts::auth::SessionUser;
use crate::accounts::AccountMsg;
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::i18n::{Locale, Msg};
use crate::kit::token::{new_token, token_hash};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Queues account mail (always sent at once, whatever the recipient's notification preference).
async fn queue_account_mail(conn: &mut PgConnection, user_id: Uuid, to: &str, letter: &Letter) -> sqlx::Result<()> {
    sqlx::query(
        "insert into email_outbox (id, purpose, user_id, to_email, subject, body)
         values (gen_random_uuid(), 'account', $1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(to)
    .bind(&letter.subject)
    .bind(&letter.body)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Recipient {
    id: Uuid,
    email: String,
    display_name: String,
    locale: Locale,
}

/// Sends a reset link to the account with `email`, if there is one and it has not had
/// [`rules::RESETS_PER_HOUR`] links this hour. Says nothing about which happened: the caller
/// answers the same either way. The user's row is locked so concurrent requests count right.
#[tracing::instrument(skip_all)]
pub async fn send_reset_link(pool: &PgPool, email: &str, site: &str) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let recipient: Option<Recipient> =
        sqlx::query_as("select id, email, display_name, locale from users where email = $1 for update")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(recipient) = recipient else { return Ok(()) };
    let recent: i64 = sqlx::query_scalar(
        "select count(*) from password_resets where user_id = $1 and created_at > now() - interval '1 hour'",
    )
    .bind(recipient.id)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= rules::RESETS_PER_HOUR {
        return Ok(());
    }
    let token = new_token();
    sqlx::query(
        "insert into password_resets (id, user_id, token_hash, expires_at)
         values ($1, $2, $3, now() + make_interval(mins => $4))",
    )
    .bind(Uuid::new_v4())
    .bind(recipient.id)
    .bind(token_hash(&token))
    .bind(rules::RESET_LINK_MINUTES)
    .execute(&mut *tx)
    .await?;
    let letter =
        rules::reset_letter(recipient.locale, &recipient.display_name, &rules::link(site, &rules::reset_path(&token)));
    queue_account_mail(&mut tx, recipient.id, &recipient.email, &letter).await?;
    tx.commit().await
}

/// Whether `token` is a reset link that still works (unused, unexpired).
pub async fn reset_link_works(pool: &PgPool, token: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from password_resets where token_hash = $1 and used_at is null and expires_at > now())",
    )
    .bind(token_hash(token))
    .fetch_one(pool)
    .await
}

/// Uses the reset link `token` to set the password: every link of the account stops working, the
/// account's remembered sign-in failures are forgotten (the owner proved their inbox), and every
/// session ends (they carry the old hash). `None` when the link does not work (any more): under
/// concurrent uses of one link, exactly one succeeds.
#[tracing::instrument(skip_all)]
pub async fn reset_password(pool: &PgPool, token: &str, password_hash: &str) -> sqlx::Result<Option<SessionUser>> {
    let mut tx = pool.begin().await?;
    let user_id: Option<Uuid> = sqlx::query_scalar(
        "update password_resets set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id",
    )
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else { return Ok(None) };
    let email: String =
        sqlx::query_scalar("update users set password_hash = $2, updated_at = now() where id = $1 returning email")
            .bind(user_id)
            .bind(password_hash)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("update password_resets set used_at = now() where user_id = $1 and used_at is null")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from sign_in_failures where email = $1").bind(&email).execute(&mut *tx).await?;
    tx.commit().await?;
    crate::accounts::store::session_user_by_id(pool, user_id).await
}

/// Queues a confirmation link to `new_email` for the signed-in user, and a notice to their
/// current address. Refused when the address is theirs already or taken, or after
/// [`rules::EMAIL_CHANGES_PER_HOUR`] requests this hour.
#[tracing::instrument(skip_all)]
pub async fn request_email_change(pool: &PgPool, user_id: Uuid, new_email: &str, site: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let user: Recipient = sqlx::query_as("select id, email, display_name, locale from users where id = $1 for update")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if user.email == new_email {
        return Err(StoreError::conflict("new_email", AccountMsg::ErrSameEmail));
    }
    let (recent, taken): (i64, bool) = sqlx::query_as(
        "select (select count(*) from email_changes where user_id = $1 and created_at > now() - interval '1 hour'),
                exists (select 1 from users where email = $2)",
    )
    .bind(user_id)
    .bind(new_email)
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        return Err(StoreError::conflict("new_email", Msg::ErrEmailTaken));
    }
    if recent >= rules::EMAIL_CHANGES_PER_HOUR {
        return Err(StoreError::refused(AccountMsg::ErrTooManyMailRequests));
    }
    let token = new_token();
    sqlx::query(
        "insert into email_changes (id, user_id, new_email, token_hash, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(hours => $5))",
    )
    .bind(Uuid::new_v4())
    .bind(user_id)
    .bind(new_email)
    .bind(token_hash(&token))
    .bind(rules::EMAIL_CHANGE_LINK_HOURS)
    .execute(&mut *tx)
    .await?;
    let confirm =
        rules::confirm_letter(user.locale, &user.display_name, &rules::link(site, &rules::confirm_path(&token)));
    queue_account_mail(&mut tx, user_id, new_email, &confirm).await?;
    let notice = rules::change_notice_letter(user.locale, &user.display_name, new_email);
    queue_account_mail(&mut tx, user_id, &user.email, &notice).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes a confirmed address the account's sign-in email; the account's other pending changes
/// stop working. `false` when the link does not work (any more). An address taken since the
/// request is refused and the link stays usable.
#[tracing::instrument(skip_all)]
pub async fn confirm_email_change(pool: &PgPool, token: &str) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let change: Option<(Uuid, String)> = sqlx::query_as(
        "update email_changes set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id, new_email",
    )
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, new_email)) = change else { return Ok(false) };
    sqlx::query("update users set email = $2, updated_at = now() where id = $1")
        .bind(user_id)
        .bind(&new_email)
        .execute(&mut *tx)
        .await
        .on_constraint("users_email_key", || StoreError::refused(Msg::ErrEmailTaken))?;
    sqlx::query("update email_changes set used_at = now() where user_id = $1 and used_at is null")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets how the user's notifications reach their inbox, and re-sorts those still waiting: none
/// are withheld, a digest holds them until its hour, at once sends the held ones now.
async fn apply_preference(conn: &mut PgConnection, user_id: Uuid, preference: MailPreference) -> sqlx::Result<()> {
    sqlx::query("update users set mail_preference = $2, updated_at = now() where id = $1")
        .bind(user_id)
        .bind(preference)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "update email_outbox o
         set withheld_at = case when $2 = 'none' then clock_timestamp() end,
             digest_at = case when $2 = 'digest' then mail_digest_at(u.time_zone, o.created_at) end,
             next_attempt_at = case when $2 = 'digest' then mail_digest_at(u.time_zone, o.created_at)
                                    when o.digest_at is not null then clock_timestamp()
                                    else o.next_attempt_at end
         from users u
         where u.id = $1 and o.user_id = $1 and o.purpose = 'notification'
           and o.sent_at is null and o.failed_at is null and o.withheld_at is null",
    )
    .bind(user_id)
    .bind(preference)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn set_mail_preference(pool: &PgPool, user_id: Uuid, preference: MailPreference) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    apply_preference(&mut tx, user_id, preference).await?;
    tx.commit().await
}

/// Turns notification mail off for the holder of the unsubscribe link `token`; `false` when no
/// account has it.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(pool: &PgPool, token: Uuid) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let user_id: Option<Uuid> = sqlx::query_scalar("select id from users where unsubscribe_token = $1 for update")
        .bind(token)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(user_id) = user_id else { return Ok(false) };
    apply_preference(&mut tx, user_id, MailPreference::None).await?;
    tx.commit().await?;
    Ok(true)
}
