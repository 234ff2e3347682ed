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
pub mod records;
pub mod roster;
pub mod webhooks;

use crate::districts::dashboard::YearRules;
use crate::integration::rules::Scope;
use crate::integration::webhooks::WebhookSettings;
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

/// How the API is set up on this server.
#[derive(Clone, Copy, Debug)]
pub struct ApiSettings {
    /// Calls each client may make a minute on this instance.
    pub calls_per_minute: u32,
    /// The default training-hour rules, for a district without its own.
    pub year_rules: YearRules,
    /// The small-cell minimum: fewer people than this are never shown as a group.
    pub min_cell: i64,
    pub webhooks: WebhookSettings,
}

/// What every handler reads.
#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub limit: RateLimit,
    pub year_rules: YearRules,
    pub min_cell: i64,
    pub webhooks: WebhookSettings,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier integration API",
        description = "Read a district's data from its own systems: its roster, its teachers' training hours \
                       and yearly totals, certificates, open lessons and studios; import hours earned on \
                       other platforms, keep the district's list of schools, and read its studios' finalised \
                       yearly records (webhooks are to come in this version). Every call carries \
                       `Authorization: Bearer <token>` of an API client that a district admin created \
                       (Atelier → District → Integration API); the client sees only its district, and \
                       only what its scopes allow. Errors are RFC 9457 problem details, with `detail` in \
                       the language of `Accept-Language` (Chinese or English). Lists are paged by cursor, \
                       ordered by change time: keep a page's `next_cursor` and ask again later to get \
                       only what changed.",
        version = "1.0.0"
    ),
    modifiers(&BearerScheme, &WebhookDoc),
    components(schemas(WebhookDelivery)),
    tags(
        (name = "roster", description = "Schools and teachers of the district (administrative data)"),
        (name = "lessons", description = "Open lessons and studios of the district (public data)"),
        (name = "hours", description = "Training hours of the district's teachers (administrative data)"),
        (name = "certificates", description = "Training-hour certificates of the district's teachers"),
        (name = "records", description = "Studios' yearly records, as finalised by their hosts"),
        (name = "webhooks", description = "The client's webhook: the district's events sent as they happen"),
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

/// What a webhook delivery's body holds. Documentation only: the bodies are written in SQL by the
/// triggers that queue them.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
struct WebhookDelivery {
    /// The delivery's id: the same on every retry of it, so a receiver can drop a repeat.
    id: uuid::Uuid,
    #[serde(rename = "type")]
    kind: crate::integration::webhooks::Event,
    created_at: chrono::DateTime<chrono::Utc>,
    /// What happened: for `hours.*` the record (`id`, `teacher_id`, `school_id`, `occurred_on`,
    /// `hours`, `category`, `source`); for `certificate.*` its `serial`, `teacher_id`, `year`,
    /// `total_hours`, `superseded_at`; for `studio_record.finalised` its `id`, `studio_id`,
    /// `studio_slug`, `year`, `version`, `sha256`; for `lesson.cancelled` its `id`, `title`,
    /// `studio_id`, `studio_slug`, `starts_at`.
    data: serde_json::Value,
}

/// The webhook a client's address receives (OpenAPI 3.1 `webhooks`), with its signature headers.
struct WebhookDoc;

impl Modify for WebhookDoc {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
        use utoipa::openapi::request_body::RequestBodyBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{ContentBuilder, PathsBuilder, Ref, Required, ResponseBuilder};
        let header = |name: &str, description: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build()
        };
        let operation = OperationBuilder::new()
            .summary(Some("An event of the client's district, sent to its webhook address"))
            .description(Some(
                "A POST to the address set with PUT /webhook, for each event it asked for. Answer 2xx within \
                 10 seconds; anything else is tried again, waiting twice as long each time (10 s, 20 s, 40 s…, \
                 at most an hour), up to ten attempts. Each delivery is sent by one server at a time and, \
                 once accepted, never again.",
            ))
            .parameters(Some([
                header("Atelier-Event", "The event's type, as in the body."),
                header("Atelier-Delivery", "The delivery's id, as in the body; the same on every retry."),
                header("Atelier-Timestamp", "When this attempt was signed, in Unix seconds."),
                header(
                    "Atelier-Signature",
                    "`v1=` and the lower-case hex HMAC-SHA256, keyed with the webhook's secret, of \
                     `{Atelier-Timestamp}.{body}` (the body's bytes as received). Recompute and compare in \
                     constant time; refuse a timestamp more than five minutes from your clock.",
                ),
            ]))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("WebhookDelivery"))).build(),
                    )
                    .build(),
            ))
            .response("2XX", ResponseBuilder::new().description("Accepted: not sent again").build())
            .build();
        openapi.webhooks = Some(PathsBuilder::new().path("event", PathItem::new(HttpMethod::Post, operation)).build());
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
        .routes(routes!(records::list_studio_records))
        .routes(routes!(records::get_studio_record))
        .routes(routes!(webhooks::get_webhook, webhooks::put_webhook, webhooks::delete_webhook))
        .routes(routes!(roster::list_teachers))
}

/// The OpenAPI document.
pub fn document() -> Document {
    endpoints().into_openapi()
}

/// The API's routes, document and reference page, to merge into the application's router.
pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool, settings: ApiSettings) -> Router<S> {
    let state = ApiState {
        pool,
        limit: RateLimit::new(settings.calls_per_minute, Duration::from_secs(60)),
        year_rules: settings.year_rules,
        min_cell: settings.min_cell,
        webhooks: settings.webhooks,
    };
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
