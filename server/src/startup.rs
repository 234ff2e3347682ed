//! Wiring: the pool, migrations, sessions and the router.

use crate::config::Config;
use app::accounts::auth::{self, Backend};
use app::app::{shell, App};
use axum::{extract::State, http::StatusCode, middleware, routing::get, Router};
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(&config.database_url)
        .await
}

#[derive(Clone)]
struct AppState {
    leptos_options: LeptosOptions,
    pool: PgPool,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The whole application as one router: pages, server functions, static files, health.
/// Gives districts without rules of their own the configured defaults (see
/// `config::district_rules`); run after migrations and after anything that creates districts.
pub async fn adopt_district_rules(pool: &PgPool) -> Result<(), Box<dyn std::error::Error>> {
    let rules = crate::config::district_rules()?;
    app::districts::dashboard::store::adopt_default_rules(pool, rules).await?;
    Ok(())
}

/// The whole application as one router: pages, server functions, static files, health.
pub fn router(pool: PgPool, leptos_options: LeptosOptions, config: &Config) -> Router {
    app::init();
    auth::warm_up();
    let session_layer = SessionManagerLayer::new(PostgresStore::new(pool.clone()))
        .with_name("atelier_session")
        .with_secure(config.secure_cookies)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(config.session_days)));
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(pool.clone()), session_layer).build();

    let routes = generate_route_list(App);
    let state = AppState { leptos_options: leptos_options.clone(), pool: pool.clone() };
    let context_pool = pool.clone();
    let secure_cookies = app::kit::context::SecureCookies(config.secure_cookies);
    let min_cell = config.min_cell;
    let public_url = app::records::certificates::api::PublicUrl(config.public_url.clone());
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
    let csv_pool = pool.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .merge(app::lessons::http::router(pool.clone()))
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
            },
            move || shell(leptos_options.clone()),
        )
        // Live notes: server-sent events fed by PostgreSQL LISTEN/NOTIFY.
        .merge(app::study::live::routes(pool.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(app::kit::error::set_error_status))
        .layer(auth_layer)
        // Before the session is read: a forged request changes nothing, signing in included.
        .layer(middleware::from_fn(app::kit::origin::refuse_cross_site))
        // The client's address, for the sign-in throttle (needs the connection's info).
        .layer(middleware::from_fn_with_state(config.trusted_proxies.clone(), app::kit::client::identify_client))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// 200 only when the database answers.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ping = tokio::time::timeout(Duration::from_secs(2), sqlx::query("select 1").execute(&state.pool)).await;
    match ping {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Deletes expired sessions, old failed sign-ins and long-unused trusted browsers, and opens the
/// current quota year's hour rows, every few minutes, for as long as the server runs: a failure (the database away) is logged and the next
/// round tries again.
pub fn spawn_cleanup(pool: PgPool) {
    use tower_sessions::ExpiredDeletion;
    let store = PostgresStore::new(pool.clone());
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
