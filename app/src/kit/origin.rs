//! Refuses state-changing requests that another site makes a visitor's browser send (cross-site
//! request forgery, login CSRF included: a hostile page signing the visitor into the attacker's
//! account). Browsers say where a request comes from: `Sec-Fetch-Site` (every current browser)
//! or else `Origin`. A request that says neither is not a browser's cross-site request (an older
//! browser sends `Origin` on every cross-site POST). Requests carrying a bearer token are not
//! sent by a browser on its own and are left to their own authentication.

use crate::kit::i18n::Msg;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// Middleware for every route: a cross-site state-changing request is answered 403, in the
/// visitor's language, before anything runs.
pub async fn refuse_cross_site(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !is_cross_site(req.method(), req.headers()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    let locale = crate::kit::context::accept_language(req.headers());
    (StatusCode::FORBIDDEN, Msg::ErrCrossSite.text(locale)).into_response()
}

/// Whether this request was sent from another site and would change something.
pub fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value(header::AUTHORIZATION.as_str()).is_some_and(|a| a.starts_with("Bearer ")) {
        return false;
    }
    match value("sec-fetch-site") {
        // Typed or bookmarked (`none`) or from one of our own pages.
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => match value(header::ORIGIN.as_str()) {
            // An opaque origin (a sandboxed frame, a `data:` page) is never ours.
            Some("null") => true,
            Some(origin) => {
                let host = origin.split_once("://").map(|(_, host)| host).unwrap_or(origin);
                value(header::HOST.as_str()).is_none_or(|own| !host.eq_ignore_ascii_case(own))
            }
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header"));
        }
        map
    }

    #[test]
    fn a_post_from_another_site_is_cross_site_and_our_own_is_not() {
        let post = Method::POST;
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&post, &headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&post, &headers(&[("sec-fetch-site", "none")])));
        let host = ("host", "atelier.example:3000");
        assert!(is_cross_site(&post, &headers(&[host, ("origin", "https://evil.example")])));
        assert!(is_cross_site(&post, &headers(&[host, ("origin", "null")])));
        assert!(!is_cross_site(&post, &headers(&[host, ("origin", "http://atelier.example:3000")])));
        assert!(!is_cross_site(&post, &headers(&[host])), "no browser hint: not a browser's cross-site request");
    }

    #[test]
    fn reading_and_bearer_token_requests_pass() {
        let hostile = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(!is_cross_site(&Method::GET, &hostile));
        let token = headers(&[("sec-fetch-site", "cross-site"), ("authorization", "Bearer abc")]);
        assert!(!is_cross_site(&Method::POST, &token));
    }
}
