//! Wiring: the pool, migrations, sessions and the router.

use crate::config::Config;
use app::accounts::auth::{self, Backend};
use app::accounts::session::{SessionTable, TouchInterval, SIGNED_IN_KEY};
use app::app::{shell, App};
use app::kit::metrics::{Gauges, Metrics};
use app::study::live::LiveNotes;
use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{middleware, routing::get, Router};
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// A connection idle for longer than this is checked (one round trip) before it is used again.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings every connection it hands out by default: a round trip before each query
        // (7% of the server's time on the study page). A busy pool's connections were in use a
        // moment ago; one that sat idle, through a database restart perhaps, is still checked.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect(&config.database_url)
        .await
}

/// Gives districts without rules of their own the configured defaults (see
/// `config::district_rules`); run after migrations and after anything that creates districts.
pub async fn adopt_district_rules(pool: &PgPool) -> Result<(), Box<dyn std::error::Error>> {
    let rules = crate::config::district_rules()?;
    app::districts::dashboard::store::adopt_default_rules(pool, rules).await?;
    Ok(())
}

/// The application's routes, generated once per process. Generating them renders the app with
/// resource loading suppressed by a process-wide flag (leptos_server 0.8's `SuppressResourceLoad`),
/// and a resource first polled while that flag is up never resolves: a second router built in a
/// process that already serves pages (the tests start one server per test, several at a time) could
/// leave a page hanging forever (leptos-rs/leptos#4773). Once per process, before anything is
/// served, no page can overlap it.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as one router (pages, server functions, static files, live notes, and
/// the operators' `/healthz` and `/metrics`), and the handle of its live note streams, which a
/// shutdown ends.
pub fn router(pool: PgPool, leptos_options: LeptosOptions, config: &Config) -> (Router, LiveNotes) {
    app::init();
    auth::warm_up();
    let session_layer = SessionManagerLayer::new(SessionTable::new(pool.clone()))
        .with_name("atelier_session")
        .with_secure(config.secure_cookies)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(config.session_days)));
    let auth_layer =
        AuthManagerLayerBuilder::new(Backend::new(pool.clone()), session_layer).with_data_key(SIGNED_IN_KEY).build();

    let routes = route_list();
    let state = leptos_options.clone();
    let assets = site_assets(&leptos_options);
    let context_pool = pool.clone();
    let secure_cookies = app::kit::context::SecureCookies(config.secure_cookies);
    let min_cell = config.min_cell;
    let public_url = app::kit::context::PublicUrl(config.public_url.clone());
    // Verification lookups: 30 a minute per client, per server instance.
    let verify_limit =
        app::records::certificates::api::VerifyLimit(app::kit::rate::RateLimit::new(30, Duration::from_secs(60)));
    // The ledger's quota settings; a bad value is reported and the defaults are used.
    let hours = crate::config::hours_settings().unwrap_or_else(|err| {
        tracing::error!("{err}; using the default training-hour settings");
        app::growth::HoursSettings::default()
    });
    let district_rules = crate::config::district_rules().unwrap_or_else(|err| {
        tracing::error!("{err}; using the default district rules");
        app::districts::dashboard::YearRules::default()
    });
    // Reset links and email changes: 10 per 10 minutes per client, per server instance.
    let account_mail_limit =
        app::accounts::mail::api::AccountMailLimit(app::kit::rate::RateLimit::new(10, Duration::from_secs(600)));
    let booking_queue = app::lessons::queue::BookingQueue::default();
    let csv_pool = pool.clone();
    let (live_routes, live) = app::study::live::routes(pool.clone());
    let metrics = Metrics::default();
    let operators = Operators {
        pool: pool.clone(),
        metrics: metrics.clone(),
        token_hash: config.metrics_token.as_deref().map(app::kit::token::token_hash),
        live: live.clone(),
        max_connections: config.max_connections,
    };
    let application = Router::new()
        .merge(app::lessons::http::router(pool.clone()))
        .merge(app::accounts::mail::http::router(pool.clone()))
        .merge(app::districts::dashboard::export::router(pool.clone(), district_rules, min_cell.0))
        .merge(app::records::export::router(pool.clone(), district_rules))
        .merge(app::records::studio_year::export::router(pool.clone(), district_rules, min_cell.0))
        .route(
            "/studios/{slug}/growth/export.csv",
            get(
                move |auth: app::accounts::auth::AuthSession,
                      axum::extract::Path(slug): axum::extract::Path<String>| {
                    app::growth::csv_export::overview_csv(csv_pool.clone(), hours, auth, slug)
                },
            ),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_pool.clone());
                provide_context(hours);
                provide_context(secure_cookies);
                provide_context(min_cell);
                provide_context(district_rules);
                provide_context(public_url.clone());
                provide_context(verify_limit.clone());
                provide_context(booking_queue.clone());
                provide_context(account_mail_limit.clone());
            },
            move || shell(leptos_options.clone()),
        )
        // Live notes: server-sent events fed by PostgreSQL LISTEN/NOTIFY.
        .merge(live_routes)
        .fallback(leptos_axum::file_and_error_handler::<LeptosOptions, _>(shell))
        .layer(middleware::from_fn(app::kit::error::set_error_status))
        .layer(middleware::from_fn_with_state(
            TouchInterval(Duration::from_secs(config.session_touch_secs)),
            app::accounts::session::slide_expiry,
        ))
        .layer(auth_layer)
        .layer(middleware::from_fn(app::accounts::session::hold_loaded_user))
        // Before the session is read: a forged request changes nothing, signing in included.
        .layer(middleware::from_fn(app::kit::origin::refuse_cross_site))
        // The client's address, for the sign-in throttle (needs the connection's info).
        .layer(middleware::from_fn_with_state(config.trusted_proxies.clone(), app::kit::client::identify_client))
        .with_state(state);
    // The operators' routes read no session: a health check or a scrape costs no session lookup.
    let operator_routes =
        Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics_text)).with_state(operators);
    // The integration API reads no session either: a call carries a bearer token.
    let router = application
        .merge(operator_routes)
        .merge(app::integration::rest::router(
            pool.clone(),
            app::integration::rest::ApiSettings {
                calls_per_minute: config.api_calls_per_minute,
                year_rules: district_rules,
                min_cell: min_cell.0,
                webhooks: config.webhooks,
            },
        ))
        .merge(assets)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(metrics, app::kit::metrics::record))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    (router, live)
}

/// The built front end (`/pkg/…`: wasm, js, css) and the icon, outside the session and auth layers: a page's
/// assets cost no database work. With hashed names (a release build with `LEPTOS_HASH_FILES=true`)
/// a file's name changes with its content, so browsers keep it for a year; otherwise they
/// revalidate it each time. The brotli and gzip copies made at build time (`cargo leptos build
/// --release --precompress`) go to browsers that accept them.
fn site_assets(options: &LeptosOptions) -> Router {
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache_control =
        HeaderValue::from_static(if options.hash_files { "public, max-age=31536000, immutable" } else { "no-cache" });
    let files = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
    let route = format!("/{}", options.site_pkg_dir.trim_matches('/'));
    let pkg_files =
        Router::new().nest_service(&route, files).layer(middleware::map_response(move |mut response: Response| {
            let cache_control = cache_control.clone();
            async move {
                // A missing file's 404 is not cached: the next release may have it.
                if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
                    response.headers_mut().insert(header::CACHE_CONTROL, cache_control);
                }
                response
            }
        }));
    // The icon keeps its name from release to release: browsers keep it a day, not a year.
    let icon = std::path::Path::new(options.site_root.as_ref()).join("favicon.svg");
    let icon = Router::new().route_service("/favicon.svg", ServeFile::new(icon)).layer(middleware::map_response(
        |mut response: Response| async move {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
            response
        },
    ));
    pkg_files.merge(icon)
}

/// Each request's log lines carry its route pattern (never its path, which may hold a token or
/// a serial) and its id, which the response returns in `x-request-id`.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("other");
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    tracing::info_span!("request", method = %request.method(), route, request_id = id)
}

#[derive(Clone)]
struct Operators {
    pool: PgPool,
    metrics: Metrics,
    /// The hash of `ATELIER_METRICS_TOKEN`, compared hash to hash so the time taken tells
    /// nothing of the token; `None`: `/metrics` is off.
    token_hash: Option<String>,
    live: LiveNotes,
    max_connections: u32,
}

/// 200 only when the database answers.
async fn healthz(State(operators): State<Operators>) -> (StatusCode, &'static str) {
    let ping = tokio::time::timeout(Duration::from_secs(2), sqlx::query("select 1").execute(&operators.pool)).await;
    match ping {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// `GET /metrics` with `Authorization: Bearer ATELIER_METRICS_TOKEN`: the figures in Prometheus's
/// text format. Off (404) without a configured token; 401 without the right one.
async fn metrics_text(State(operators): State<Operators>, headers: HeaderMap) -> Response {
    let Some(expected) = &operators.token_hash else { return StatusCode::NOT_FOUND.into_response() };
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if given.map(app::kit::token::token_hash).as_ref() != Some(expected) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    // Due and not yet sent: mail held for a digest, given up or withheld is not a backlog.
    let unsent = count_within(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from email_outbox
             where sent_at is null and failed_at is null and withheld_at is null and next_attempt_at <= clock_timestamp()",
        )
        .fetch_one(&operators.pool),
    )
    .await;
    let webhooks_due = count_within(app::integration::webhooks::store::backlog(&operators.pool)).await;
    let gauges = Gauges {
        pool_size: operators.pool.size(),
        pool_idle: operators.pool.num_idle() as u32,
        pool_max: operators.max_connections,
        outbox_unsent: unsent,
        webhooks_due,
        live_streams: operators.live.open_streams(),
    };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], operators.metrics.render(&gauges))
        .into_response()
}

/// A count, or -1 when the database does not answer within two seconds: a scrape is never held.
async fn count_within(query: impl std::future::Future<Output = sqlx::Result<i64>>) -> i64 {
    match tokio::time::timeout(Duration::from_secs(2), query).await {
        Ok(Ok(n)) => n,
        _ => -1,
    }
}

/// Deletes expired sessions, old failed sign-ins and long-unused trusted browsers, and opens the
/// current quota year's hour rows, every few minutes, for as long as the server runs: a failure (the database away) is logged and the next
/// round tries again.
pub fn spawn_cleanup(pool: PgPool) {
    use tower_sessions::ExpiredDeletion;
    let store = SessionTable::new(pool.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!("session cleanup failed, trying again in 5 minutes: {err}");
            }
            if let Err(err) = app::accounts::store::purge_stale_sign_in_records(&pool).await {
                tracing::warn!("sign-in records cleanup failed, trying again in 5 minutes: {err}");
            }
            // A new quota year: every teacher of a school counts among its teachers from day one.
            if let Err(err) = app::districts::dashboard::store::open_current_years(&pool).await {
                tracing::warn!("opening the year's hour rows failed, trying again in 5 minutes: {err}");
            }
        }
    });
}

/// Writes the due 24-hour lesson reminders every minute, for as long as the server runs. Safe on
/// any number of instances at once: a reminder is unique per booking in the database.
pub fn spawn_lesson_reminders(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match app::lessons::store::send_due_reminders(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("wrote {n} lesson reminders"),
                Err(err) => tracing::warn!("lesson reminders failed: {err}"),
            }
        }
    });
}
