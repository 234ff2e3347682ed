//! Account server functions. Each is thin: who is asking, may they, is the input valid, call the
//! data layer, map the error.

use super::{Profile, ProfileInput};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{auth, rules, store},
    crate::kit::context::{auth_session, pool, redirect_plain_form, require_user, set_locale_cookie},
    crate::kit::i18n::{Locale, Msg},
};

/// Signs `user` in on this browser with a fresh session id (ending whoever was signed in here
/// before) and remembers their language.
#[cfg(feature = "ssr")]
async fn start_session(user: &auth::SessionUser) -> Result<(), AppError> {
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
    start_session(&user).await?;
    redirect_plain_form("/");
    Ok(())
}

/// Counts a try at an account's password (signing in, or proving the current one): refused with
/// 429 while its recent failures are too many, else counted as a failure until the password
/// proves right (`store::clear_sign_in_failures`), so concurrent guesses see it at once. The
/// per-email lock and its connection are released before the slow hash check, so a burst of
/// tries for one email cannot hold the whole pool.
#[cfg(feature = "ssr")]
async fn count_password_attempt(pool: &sqlx::PgPool, email: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    store::lock_sign_in(&mut tx, email).await?;
    let failures = store::recent_sign_in_failures(&mut tx, email).await?;
    if let Some(wait) = rules::sign_in_wait(&failures, chrono::Utc::now()) {
        tx.commit().await?;
        return Err(AppError::TooManyAttempts { retry_after_secs: wait.num_seconds().max(1) as u64 });
    }
    store::record_sign_in_failure(&mut tx, email).await?;
    tx.commit().await?;
    Ok(())
}

/// Anyone may try to sign in. Repeated failures for one email are refused for a while (HTTP 429),
/// whether or not the email belongs to an account.
#[server(prefix = "/api", endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let email = rules::normalize_email(&email);
    let mut checks = crate::kit::validate::Checks::default();
    checks
        .check(
            "email",
            if email.is_empty() {
                Err(Msg::ErrRequired)
            } else if email.len() > rules::EMAIL_MAX {
                Err(Msg::ErrTooLong)
            } else {
                Ok(())
            },
        )
        .check(
            "password",
            if password.is_empty() {
                Err(Msg::ErrRequired)
            } else if password.chars().count() > rules::PASSWORD_MAX {
                Err(Msg::ErrPasswordTooLong)
            } else {
                Ok(())
            },
        );
    checks.finish()?;

    let pool = pool()?;
    count_password_attempt(&pool, &email).await?;
    let user = store::session_user_by_email(&pool, &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let valid = auth::verify_password(password, hash).await.map_err(AppError::internal)?;
    let Some(user) = user.filter(|_| valid) else {
        return Err(AppError::BadCredentials);
    };
    store::clear_sign_in_failures(&pool, &email).await?;
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
        .check(
            "current_password",
            if current_password.is_empty() {
                Err(Msg::ErrRequired)
            } else if current_password.chars().count() > rules::PASSWORD_MAX {
                Err(Msg::ErrPasswordTooLong)
            } else {
                Ok(())
            },
        )
        .check("new_password", rules::check_password(&new_password));
    checks.finish()?;

    let pool = pool()?;
    // Guesses at the current password (from a session left open, say) share the sign-in throttle.
    let email = store::profile(&pool, user.id).await?.ok_or(AppError::SignInRequired)?.email;
    count_password_attempt(&pool, &email).await?;
    let ok =
        auth::verify_password(current_password, Some(user.password_hash.clone())).await.map_err(AppError::internal)?;
    if !ok {
        return Err(AppError::field("current_password", Msg::ErrWrongCurrentPassword));
    }
    store::clear_sign_in_failures(&pool, &email).await?;
    let hash = auth::hash_password(new_password).await.map_err(AppError::internal)?;
    store::set_password_hash(&pool, user.id, &hash).await?;
    let updated = auth::SessionUser { password_hash: hash, ..user };
    auth_session().await?.login(&updated).await.map_err(AppError::internal)?;
    Ok(())
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
