//! `/api/v1`: the versioned REST API for a district's own systems (server only). Outside the
//! session layer: a call carries a bearer token, never a cookie. Its OpenAPI 3.1 document is
//! generated from the handlers below (`utoipa`), so it cannot drift from them.

pub mod access;
pub mod body;
pub mod catalog;
pub mod certificates;
mod docs;
pub mod hours;
pub mod lists;
pub mod problem;
pub mod roster;

use crate::districts::dashboard::YearRules;
use crate::integration::rules::Scope;
use crate::kit::rate::RateLimit;
use axum::routing::get;
use axum::Router;
use problem::{problem_language, ApiError};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Server};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What every handler reads: the pool, the per-client call limit, and the server's default
/// training-hour rules (for a district without its own).
#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub limit: RateLimit,
    pub year_rules: YearRules,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier integration API",
        description = "Read a district's data from its own systems: its roster, its teachers' training hours \
                       and yearly totals, certificates, open lessons and studios; import hours earned on \
                       other platforms and keep the district's list of schools (studio yearly records and \
                       webhooks are to come in this version). Every call carries \
                       `Authorization: Bearer <token>` of an API client that a district admin created \
                       (Atelier → District → Integration API); the client sees only its district, and \
                       only what its scopes allow. Errors are RFC 9457 problem details, with `detail` in \
                       the language of `Accept-Language` (Chinese or English). Lists are paged by cursor, \
                       ordered by change time: keep a page's `next_cursor` and ask again later to get \
                       only what changed.",
        version = "1.0.0"
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "roster", description = "Schools and teachers of the district (administrative data)"),
        (name = "lessons", description = "Open lessons and studios of the district (public data)"),
        (name = "hours", description = "Training hours of the district's teachers (administrative data)"),
        (name = "certificates", description = "Training-hour certificates of the district's teachers"),
    )
)]
struct ApiDoc;

/// The bearer-token scheme every operation names with its scope.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(format!(
            "An API client's token (`atl_` and 48 hex digits). Scopes: {}.",
            Scope::ALL.iter().map(|s| format!("`{}`", s.as_str())).collect::<Vec<_>>().join(", ")
        ));
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        openapi.servers = Some(vec![Server::new("/api/v1")]);
    }
}

/// Every endpoint, with its part of the document.
fn endpoints() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalog::list_studios))
        .routes(routes!(catalog::list_lessons))
        .routes(routes!(certificates::get_certificate))
        .routes(routes!(hours::hour_changes))
        .routes(routes!(hours::year_totals))
        .routes(routes!(hours::import))
        .routes(routes!(roster::list_schools, roster::create_school))
        .routes(routes!(roster::update_school))
        .routes(routes!(roster::list_teachers))
}

/// The OpenAPI document.
pub fn document() -> Document {
    endpoints().into_openapi()
}

/// The API's routes, document and reference page, to merge into the application's router; each
/// client may make `calls_per_minute` calls a minute on this instance.
pub fn router<S: Clone + Send + Sync + 'static>(
    pool: PgPool,
    calls_per_minute: u32,
    year_rules: YearRules,
) -> Router<S> {
    let state = ApiState { pool, limit: RateLimit::new(calls_per_minute, Duration::from_secs(60)), year_rules };
    let (routes, document) = endpoints().split_for_parts();
    let json = serde_json::to_string_pretty(&document).unwrap_or_default();
    let page = Arc::new(docs::reference_page(&document));
    let v1 = routes
        .route("/openapi.json", get(move || async move { ([("content-type", "application/json")], json) }))
        .route(
            "/docs",
            get(move |headers: axum::http::HeaderMap| {
                let page = page.clone();
                async move { page.render(&headers) }
            }),
        )
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::extract::DefaultBodyLimit::max(body::BODY_MAX_BYTES))
        .layer(axum::middleware::from_fn(problem_language))
        .with_state(state);
    Router::new().nest("/api/v1", v1)
}
