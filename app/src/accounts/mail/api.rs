//! Account mail server functions. Each is thin: who is asking, may they, is the input valid, call
//! the data layer, map the error.

use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{store, MailPreference},
    crate::accounts::api::{prove_current_password, start_session},
    crate::accounts::{auth, rules, AccountMsg},
    crate::kit::context::{client_addr, pool, public_url, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
};

/// The limit on mail-sending requests per client (see `kit::rate`): a reset link is asked for
/// without signing in, so this is what keeps one client from mailing many inboxes.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct AccountMailLimit(pub crate::kit::rate::RateLimit);

#[cfg(feature = "ssr")]
fn check_mail_limit() -> Result<(), AppError> {
    let limit =
        use_context::<AccountMailLimit>().ok_or_else(|| AppError::internal("no account mail limit in context"))?;
    if limit.0.allow(&client_addr()) {
        Ok(())
    } else {
        Err(AppError::RateLimited(AccountMsg::ErrTooManyMailRequests.into()))
    }
}

/// Anyone may ask for a reset link. The answer is the same whether or not an account has the
/// email (and whether or not a link was sent), so it tells nobody who has an account.
#[server(prefix = "/api", endpoint = "auth/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let email = rules::normalize_email(&email);
    rules::check_entered_email(&email).map_err(|msg| AppError::field("email", msg))?;
    check_mail_limit()?;
    store::send_reset_link(&pool()?, &email, &public_url()).await?;
    redirect_plain_form("/password/forgot?sent=1");
    Ok(())
}

/// Anyone holding a reset link may ask whether it still works (the page shows the form or says
/// to ask again).
#[server(prefix = "/api", endpoint = "auth/reset-link")]
pub async fn reset_link_works(token: String) -> Result<bool, AppError> {
    if token.len() > super::rules::LINK_TOKEN_MAX {
        return Ok(false);
    }
    Ok(store::reset_link_works(&pool()?, &token).await?)
}

/// Anyone holding a working reset link sets a new password with it, once. Every session of the
/// account ends; this browser is signed in anew.
#[server(prefix = "/api", endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    rules::check_password(&new_password).map_err(|msg| AppError::field("new_password", msg))?;
    let pool = pool()?;
    // Checked before the slow hash, so a made-up link costs no hashing.
    if token.len() > super::rules::LINK_TOKEN_MAX || !store::reset_link_works(&pool, &token).await? {
        return Err(AppError::Refused(AccountMsg::ResetLinkInvalid.into()));
    }
    let hash = auth::hash_password(new_password).await.map_err(AppError::internal)?;
    let user = store::reset_password(&pool, &token, &hash)
        .await?
        .ok_or(AppError::Refused(AccountMsg::ResetLinkInvalid.into()))?;
    start_session(&user).await?;
    redirect_plain_form("/");
    Ok(())
}

/// The signed-in user asks to sign in with another email, proving their password; the change
/// waits for the new address to confirm it.
#[server(prefix = "/api", endpoint = "account/change-email")]
pub async fn request_email_change(new_email: String, current_password: String) -> Result<(), AppError> {
    let user = require_user().await?;
    let new_email = rules::normalize_email(&new_email);
    let mut checks = crate::kit::validate::Checks::default();
    checks
        .check("new_email", rules::check_email(&new_email))
        .check("current_password", rules::check_entered_password(&current_password));
    checks.finish()?;

    let pool = pool()?;
    prove_current_password(&pool, &user, current_password).await?;
    store::request_email_change(&pool, user.id, &new_email, &public_url()).await?;
    Ok(())
}

/// Anyone holding a working confirmation link confirms the change it was sent for (the request
/// proved the password; the link proves the new inbox).
#[server(prefix = "/api", endpoint = "account/confirm-email")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    if token.len() > super::rules::LINK_TOKEN_MAX || !store::confirm_email_change(&pool()?, &token).await? {
        return Err(AppError::Refused(AccountMsg::ConfirmLinkInvalid.into()));
    }
    redirect_plain_form(&format!("{}?done=1", super::rules::confirm_path(&token)));
    Ok(())
}

/// The signed-in user chooses how their notifications reach their inbox.
#[server(prefix = "/api", endpoint = "account/mail-preference")]
pub async fn set_mail_preference(preference: String) -> Result<(), AppError> {
    let user = require_user().await?;
    let preference =
        MailPreference::from_code(&preference).ok_or_else(|| AppError::field("preference", Msg::ErrChoiceUnknown))?;
    store::set_mail_preference(&pool()?, user.id, preference).await?;
    Ok(())
}

/// Anyone holding an unsubscribe link (every notification email carries its recipient's) turns
/// that account's notification mail off.
#[server(prefix = "/api", endpoint = "mail/unsubscribe")]
pub async fn unsubscribe(token: String) -> Result<(), AppError> {
    let Ok(parsed) = uuid::Uuid::parse_str(&token) else {
        return Err(AppError::Refused(AccountMsg::UnsubscribeLinkInvalid.into()));
    };
    if !store::unsubscribe(&pool()?, parsed).await? {
        return Err(AppError::Refused(AccountMsg::UnsubscribeLinkInvalid.into()));
    }
    redirect_plain_form(&format!("/mail/unsubscribe/{parsed}?done=1"));
    Ok(())
}
