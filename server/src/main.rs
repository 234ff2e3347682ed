use leptos::prelude::get_configuration;
use server::{config::Config, seed, startup};
use std::future::IntoFuture;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: server [serve | migrate | seed demo | seed scale [--users N] [--studios N] [--lessons N] \
                     | grant district-admin EMAIL DISTRICT]";

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    // `ATELIER_LOG_FORMAT=json`: one JSON object a line, with the request's span (route, id).
    if std::env::var("ATELIER_LOG_FORMAT").is_ok_and(|format| format.trim() == "json") {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Err(err) = run(std::env::args().skip(1).collect()).await {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

async fn run(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let config = Config::from_env()?;
    match args.as_slice() {
        [] | ["serve"] => serve(&config).await,
        ["migrate"] => {
            let pool = startup::connect(&config).await?;
            startup::MIGRATOR.run(&pool).await?;
            println!("migrations applied");
            Ok(())
        }
        ["grant", "district-admin", email, district] => {
            use app::districts::store::{grant_district_admin, Granted};
            if district.trim().is_empty() {
                return Err("the district needs a name".into());
            }
            let pool = startup::connect(&config).await?;
            startup::MIGRATOR.run(&pool).await?;
            let granted = grant_district_admin(&pool, email, district).await?;
            startup::adopt_district_rules(&pool).await?;
            match granted {
                Granted::Admin => println!("{email} administers {district}"),
                Granted::AdminOfNewDistrict => println!("created the district {district}; {email} is its first admin"),
                Granted::NoSuchUser => return Err(format!("no user has the email {email}").into()),
            }
            Ok(())
        }
        ["seed", "demo"] => {
            let pool = startup::connect(&config).await?;
            startup::MIGRATOR.run(&pool).await?;
            seed::demo(&pool).await?;
            startup::adopt_district_rules(&pool).await?;
            Ok(())
        }
        ["seed", "scale", rest @ ..] => {
            let size = seed::ScaleSize::from_args(rest).map_err(|e| format!("{e}\n{USAGE}"))?;
            let pool = startup::connect(&config).await?;
            startup::MIGRATOR.run(&pool).await?;
            seed::scale(&pool, size).await?;
            startup::adopt_district_rules(&pool).await?;
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

async fn serve(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    let pool = startup::connect(config).await?;
    startup::MIGRATOR.run(&pool).await?;
    startup::adopt_district_rules(&pool).await?;
    startup::spawn_cleanup(pool.clone());
    startup::spawn_lesson_reminders(pool.clone());
    app::integration::webhooks::worker::spawn_delivery(
        pool.clone(),
        config.webhooks,
        std::time::Duration::from_secs(2),
    );
    match &config.smtp {
        Some(smtp) => {
            tracing::info!(?smtp, "delivering the email outbox");
            let site = config.public_url.clone();
            app::kit::mail::spawn_delivery(pool.clone(), smtp.clone(), site, std::time::Duration::from_secs(5));
        }
        None => tracing::info!("ATELIER_SMTP_HOST is not set: emails stay in the outbox"),
    }
    let (router, live) = startup::router(pool, leptos_options, config);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{addr}");
    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    // The peer address reaches `kit::client`, which the sign-in throttle relies on.
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: no new connections, live streams ended, {grace:?} for requests in flight");
            live.close_all();
            let _ = stopping_tx.send(true);
        })
        .into_future();
    let deadline = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server => served?,
        () = deadline => {
            tracing::warn!("requests still in flight after {grace:?}; exiting anyway");
            // Returning would drop the runtime, which waits for every worker thread: one stuck in
            // a task that never ends would keep the process alive past its deadline.
            std::process::exit(0);
        }
    }
    Ok(())
}

/// SIGTERM (what systemd and container runtimes send) or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
