//! Account server functions. Each is thin: who is asking, may they, is the input valid, call the
//! data layer, map the error.

use super::{Profile, ProfileInput};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{auth, rules, store},
    crate::kit::context::{auth_session, client_addr, pool, redirect_plain_form, require_user, set_locale_cookie},
    crate::kit::i18n::{Locale, Msg},
};

/// Signs `user` in on this browser with a fresh session id (ending whoever was signed in here
/// before) and remembers their language.
#[cfg(feature = "ssr")]
pub(crate) async fn start_session(user: &auth::SessionUser) -> Result<(), AppError> {
    let mut session = auth_session().await?;
    let someone_was_signed_in = session.user.is_some();
    session.login(user).await.map_err(AppError::internal)?;
    // axum-login cycles the id only for a session that had nobody signed in.
    if someone_was_signed_in {
        session.session.cycle_id().await.map_err(AppError::internal)?;
    }
    set_locale_cookie(user.locale);
    Ok(())
}

/// Anyone not signed in may register; a signed-in user is simply registered anew (no effect on
/// the current account). Signs the new user in.
#[server(prefix = "/api", endpoint = "auth/register")]
pub async fn register(
    email: String,
    password: String,
    #[server(flatten)] profile: ProfileInput,
) -> Result<(), AppError> {
    let email = rules::normalize_email(&email);
    let mut checks = crate::kit::validate::Checks::default();
    checks.check("email", rules::check_email(&email)).check("password", rules::check_password(&password));
    let profile = rules::check_profile(&profile, &mut checks);
    checks.finish()?;

    let pool = pool()?;
    let hash = auth::hash_password(password).await.map_err(AppError::internal)?;
    store::insert_user(&pool, &email, &hash, &profile).await?;
    let user = store::session_user_by_email(&pool, &email).await?.ok_or(AppError::NotFound)?;
    remember_browser(&pool, user.id, None).await?;
    start_session(&user).await?;
    redirect_plain_form("/");
    Ok(())
}

/// The cookie that marks a browser where an account signed in before.
#[cfg(feature = "ssr")]
const TRUSTED_BROWSER_COOKIE: &str = "atelier_browser";

/// Counts a try at an account's password (signing in, or proving the current one) against the
/// client it comes from: a browser this account signed in on before counts only its own
/// failures, so a guesser elsewhere — even at the same school address — cannot lock the owner
/// out; any other client counts the account's failures from its address, and that address's
/// failures for all accounts. Refused with 429 and a growing wait while they are too many, else
/// counted as a failure until the password proves right, so concurrent guesses see it at once.
/// The per-email lock and its connection are released before the slow hash check, so a burst
/// of tries for one email cannot hold the whole pool. Returns the trusted browser, if any.
#[cfg(feature = "ssr")]
async fn count_password_attempt(
    pool: &sqlx::PgPool,
    email: &str,
    client_addr: &str,
) -> Result<Option<uuid::Uuid>, AppError> {
    let mut tx = pool.begin().await?;
    store::lock_sign_in(&mut tx, email).await?;
    let now = chrono::Utc::now();
    let browser = match crate::kit::context::request_cookie(TRUSTED_BROWSER_COOKIE) {
        Some(token) => store::trusted_browser(&mut tx, email, &token).await?,
        None => None,
    };
    let from = store::TrySource { client_addr, browser };
    let (failures, latest) = store::account_failures(&mut tx, email, &from).await?;
    let mut wait = rules::wait_after_failures(failures, latest, now);
    if wait.is_none() && browser.is_none() {
        wait = rules::address_wait(store::address_limit_failure(&mut tx, client_addr).await?, now);
    }
    if let Some(wait) = wait {
        tx.commit().await?;
        return Err(AppError::TooManyAttempts { retry_after_secs: wait.num_seconds().max(1) as u64 });
    }
    store::record_sign_in_failure(&mut tx, email, &from).await?;
    tx.commit().await?;
    Ok(browser)
}

/// After a right password: forgets this client's failures, and trusts this browser for the
/// account from now on (a new cookie, unless it already had one of theirs).
#[cfg(feature = "ssr")]
async fn password_proved(
    pool: &sqlx::PgPool,
    user_id: uuid::Uuid,
    email: &str,
    client_addr: &str,
    browser: Option<uuid::Uuid>,
) -> Result<(), AppError> {
    store::clear_sign_in_failures(pool, email, &store::TrySource { client_addr, browser }).await?;
    remember_browser(pool, user_id, browser).await
}

#[cfg(feature = "ssr")]
async fn remember_browser(
    pool: &sqlx::PgPool,
    user_id: uuid::Uuid,
    browser: Option<uuid::Uuid>,
) -> Result<(), AppError> {
    if let Some(token) = store::trust_browser(pool, user_id, browser).await? {
        crate::kit::context::set_cookie(TRUSTED_BROWSER_COOKIE, &token, true);
    }
    Ok(())
}

/// Anyone may try to sign in. Repeated failures are refused for a growing while (HTTP 429 with
/// `Retry-After`), whether or not the email belongs to an account.
#[server(prefix = "/api", endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let email = rules::normalize_email(&email);
    let mut checks = crate::kit::validate::Checks::default();
    checks
        .check("email", rules::check_entered_email(&email))
        .check("password", rules::check_entered_password(&password));
    checks.finish()?;

    let pool = pool()?;
    let client_addr = client_addr();
    let browser = count_password_attempt(&pool, &email, &client_addr).await?;
    let user = store::session_user_by_email(&pool, &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let valid = auth::verify_password(password, hash).await.map_err(AppError::internal)?;
    let Some(user) = user.filter(|_| valid) else {
        return Err(AppError::BadCredentials);
    };
    password_proved(&pool, user.id, &email, &client_addr, browser).await?;
    start_session(&user).await?;
    redirect_plain_form("/");
    Ok(())
}

/// Anyone may sign out; for an anonymous visitor it does nothing.
#[server(prefix = "/api", endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let mut session = auth_session().await?;
    session.logout().await.map_err(AppError::internal)?;
    redirect_plain_form("/");
    Ok(())
}

/// The signed-in user reads their own profile.
#[server(prefix = "/api", endpoint = "account/profile")]
pub async fn get_profile() -> Result<Profile, AppError> {
    let user = require_user().await?;
    store::profile(&pool()?, user.id).await?.ok_or(AppError::NotFound)
}

/// The signed-in user edits their own profile (never anyone else's: the id is the session's).
#[server(prefix = "/api", endpoint = "account/update-profile")]
pub async fn update_profile(#[server(flatten)] profile: ProfileInput) -> Result<(), AppError> {
    let user = require_user().await?;
    let mut checks = crate::kit::validate::Checks::default();
    let profile = rules::check_profile(&profile, &mut checks);
    checks.finish()?;
    store::update_profile(&pool()?, user.id, &profile).await?;
    set_locale_cookie(profile.locale);
    Ok(())
}

/// The signed-in user changes their password, proving the current one. Every other session of
/// the user ends (their stored hash no longer matches); this one stays signed in.
#[server(prefix = "/api", endpoint = "account/change-password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let user = require_user().await?;
    let mut checks = crate::kit::validate::Checks::default();
    checks
        .check("current_password", rules::check_entered_password(&current_password))
        .check("new_password", rules::check_password(&new_password));
    checks.finish()?;

    let pool = pool()?;
    prove_current_password(&pool, &user, current_password).await?;
    let hash = auth::hash_password(new_password).await.map_err(AppError::internal)?;
    store::set_password_hash(&pool, user.id, &hash).await?;
    let updated = auth::SessionUser { password_hash: hash, ..user };
    auth_session().await?.login(&updated).await.map_err(AppError::internal)?;
    Ok(())
}

/// Checks the signed-in `user`'s current password (the `current_password` field's error when
/// wrong). Guesses (from a session left open, say) share the sign-in throttle.
#[cfg(feature = "ssr")]
pub(crate) async fn prove_current_password(
    pool: &sqlx::PgPool,
    user: &auth::SessionUser,
    current_password: String,
) -> Result<(), AppError> {
    let email = store::profile(pool, user.id).await?.ok_or(AppError::SignInRequired)?.email;
    let client_addr = client_addr();
    let browser = count_password_attempt(pool, &email, &client_addr).await?;
    let ok =
        auth::verify_password(current_password, Some(user.password_hash.clone())).await.map_err(AppError::internal)?;
    if !ok {
        return Err(AppError::field("current_password", Msg::ErrWrongCurrentPassword));
    }
    password_proved(pool, user.id, &email, &client_addr, browser).await
}

/// Anyone may switch the language: remembered in a cookie, and in the profile when signed in.
#[server(prefix = "/api", endpoint = "prefs/locale")]
pub async fn set_locale(locale: String) -> Result<crate::kit::i18n::Locale, AppError> {
    let locale = Locale::from_tag(&locale).ok_or_else(|| AppError::field("locale", Msg::ErrChoiceUnknown))?;
    if let Some(user) = auth_session().await?.user {
        store::set_locale(&pool()?, user.id, locale).await?;
    }
    set_locale_cookie(locale);
    Ok(locale)
}
