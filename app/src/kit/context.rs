//! What a server function or a server-side render knows about its request (server only):
//! the pool, the session, the viewer's language and time zone.

use crate::accounts::auth::{AuthSession, SessionUser};
use crate::accounts::{SignedInUser, Viewer};
use crate::kit::client::ClientAddr;
use crate::kit::error::AppError;
use crate::kit::i18n::Locale;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::*;
use sqlx::PgPool;

pub const LOCALE_COOKIE: &str = "lang";

pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| AppError::internal("no database pool in context"))
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>().await.map_err(|e| AppError::internal(format!("no auth session: {e}")))
}

/// The signed-in user, or `SignInRequired`.
pub async fn require_user() -> Result<SessionUser, AppError> {
    auth_session().await?.user.ok_or(AppError::SignInRequired)
}

/// The origin the visitor reached (`https://host` behind a proxy that says so with
/// `X-Forwarded-Proto`), for absolute links in calendar files and invitation links.
pub fn request_origin(headers: &axum::http::HeaderMap) -> String {
    let scheme = match headers.get("x-forwarded-proto").and_then(|p| p.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(|host| format!("{scheme}://{host}")).unwrap_or_default()
}

/// The public address that links in emails, calendar files and certificates point to
/// (`ATELIER_PUBLIC_URL`), never the request's host; provided by the server.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

/// The configured public address (empty when none is provided: links are then relative).
pub fn public_url() -> String {
    use_context::<PublicUrl>().map(|u| u.0).unwrap_or_default()
}

/// Whether cookies carry `Secure` (the site is served over https); provided by the server.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecureCookies(pub bool);

/// Sets a site-wide cookie on the response that lasts a year. `http_only` hides it from scripts.
pub fn set_cookie(name: &str, value: &str, http_only: bool) {
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let secure = use_context::<SecureCookies>().unwrap_or_default().0;
    let cookie = format!(
        "{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" },
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        options.append_header(header::SET_COOKIE, value);
    }
}

/// The value of the cookie `name` among `headers`.
pub fn cookie_in<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The value of this request's cookie `name`.
pub fn request_cookie(name: &str) -> Option<String> {
    use_context::<Parts>().and_then(|parts| cookie_in(&parts.headers, name).map(str::to_owned))
}

/// This request's client address (see `kit::client`), as text.
pub fn client_addr() -> String {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddr>().copied())
        .map(|ClientAddr(addr)| addr.to_string())
        .unwrap_or_default()
}

/// Remembers the language for visitors who are not signed in (and for the next sign-in page).
pub fn set_locale_cookie(locale: Locale) {
    set_cookie(LOCALE_COOKIE, locale.tag(), false);
}

/// The viewer of this request: a signed-in user's saved language and time zone; otherwise the
/// language cookie, then `Accept-Language`, then Chinese, in the default time zone.
pub fn resolve_viewer(parts: &Parts) -> Viewer {
    if let Some(user) = parts.extensions.get::<AuthSession>().and_then(|s| s.user.as_ref()) {
        return Viewer {
            user: Some(SignedInUser {
                id: user.id,
                display_name: user.display_name.clone(),
                leads: user.leads,
                unread: user.unread,
            }),
            locale: user.locale,
            time_zone: user.time_zone.clone(),
        };
    }
    Viewer { user: None, locale: visitor_locale(&parts.headers), ..Viewer::default() }
}

/// The language `Accept-Language` asks for (Chinese when it names neither, or is absent).
pub fn accept_language(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default()
}

/// A visitor's language: the language cookie, then `Accept-Language`.
pub fn visitor_locale(headers: &HeaderMap) -> Locale {
    cookie_in(headers, LOCALE_COOKIE).and_then(Locale::from_tag).unwrap_or_else(|| accept_language(headers))
}

/// Sends a plain HTML form post (no JavaScript) on to `path` once it succeeded. A call from the
/// hydrated page gets no redirect: the page itself decides what to show next.
pub fn redirect_plain_form(path: &str) {
    let plain_form = use_context::<Parts>()
        .and_then(|parts| {
            parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|a| a.contains("text/html"))
        })
        .unwrap_or(false);
    if plain_form {
        leptos_axum::redirect(path);
    }
}
