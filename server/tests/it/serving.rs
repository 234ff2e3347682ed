//! How the built front end is served: hashed files cached for a year, the build's brotli and
//! gzip copies chosen by `Accept-Encoding`, the icon, and no session or database work for any of it.

use crate::support::{assert_status, TestApp};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::path::PathBuf;

const WASM: &str = "atelier.Zk3q0hYd.wasm";

/// A site folder as `cargo leptos build --release --precompress` leaves it: a hashed wasm file
/// and its two compressed copies (distinct bytes, so the test sees which one was sent).
fn built_site() -> PathBuf {
    let site = std::env::temp_dir().join(format!("atelier-site-{}", uuid::Uuid::new_v4()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site folder");
    std::fs::write(pkg.join(WASM), b"\0asm raw module").expect("wasm");
    std::fs::write(pkg.join(format!("{WASM}.br")), b"brotli copy").expect("br");
    std::fs::write(pkg.join(format!("{WASM}.gz")), b"gzip copy").expect("gz");
    std::fs::write(site.join("favicon.svg"), b"<svg/>").expect("icon");
    site
}

async fn fetch(app: &TestApp, client: &Client, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = client.get(format!("{}{path}", app.base));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.expect("asset")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn hashed_assets_are_precompressed_cached_for_a_year_and_need_no_database(pool: PgPool) {
    let site = built_site();
    let root = site.to_string_lossy().into_owned();
    let app = TestApp::spawn_adjusted(pool.clone(), |_, options| {
        options.site_root = root.into();
        options.hash_files = true;
    })
    .await;
    // A signed-in browser sends its session cookie with every asset request…
    let client = app.registered_as("assets@school.cn", "lesson-study-2026", "李明").await;
    // …and the assets are served even with the database gone.
    pool.close().await;

    let path = format!("/pkg/{WASM}");
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "brotli copy"),
        (Some("gzip"), Some("gzip"), "gzip copy"),
        (None, None, "\0asm raw module"),
    ] {
        let answer = fetch(&app, &client, &path, accept).await;
        assert_status(&answer, StatusCode::OK);
        assert_eq!(answer.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(answer.headers().get(CONTENT_ENCODING).map(|v| v.to_str().expect("ascii")), encoding);
        assert!(answer.headers().get(reqwest::header::SET_COOKIE).is_none());
        assert_eq!(answer.text().await.expect("body"), body, "for Accept-Encoding {accept:?}");
    }

    // The icon keeps its name between releases: kept a day, not a year.
    let icon = fetch(&app, &client, "/favicon.svg", None).await;
    assert_status(&icon, StatusCode::OK);
    assert_eq!(icon.headers()[CACHE_CONTROL], "public, max-age=86400");
    assert!(icon.headers().get(reqwest::header::SET_COOKIE).is_none());
    assert_eq!(icon.text().await.expect("body"), "<svg/>");

    let missing = fetch(&app, &client, "/pkg/atelier.0ld0ld0ld.wasm", Some("br")).await;
    assert_status(&missing, StatusCode::NOT_FOUND);
    assert!(missing.headers().get(CACHE_CONTROL).is_none(), "a missing file is not cached");
    let _ = std::fs::remove_dir_all(site);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn unhashed_assets_of_a_development_build_are_revalidated(pool: PgPool) {
    let site = built_site();
    let root = site.to_string_lossy().into_owned();
    let app = TestApp::spawn_adjusted(pool, |_, options| {
        options.site_root = root.into();
        options.hash_files = false;
    })
    .await;
    let answer = fetch(&app, &app.client(), &format!("/pkg/{WASM}"), Some("br")).await;
    assert_status(&answer, StatusCode::OK);
    assert_eq!(answer.headers()[CACHE_CONTROL], "no-cache");
    let _ = std::fs::remove_dir_all(site);
}

/// Starting a server renders the application once with resource loading switched off for the
/// whole process; a page another server renders meanwhile must still finish
/// (leptos-rs/leptos#4773: it hung forever, as some test pages did under `cargo test`).
#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn pages_finish_while_another_server_starts_in_the_same_process(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.client();
    let starting = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                for _ in 0..30 {
                    TestApp::spawn(pool.clone()).await;
                }
            });
        })
    };
    let pages = (0..30).map(|_| {
        let request = client.get(format!("{}/lessons", app.base));
        async move { tokio::time::timeout(std::time::Duration::from_secs(20), request.send()).await }
    });
    let answers = futures_util::future::join_all(pages).await;
    starting.join().expect("servers started");
    for answer in answers {
        assert_status(&answer.expect("the page answered within 20 s").expect("request"), StatusCode::OK);
    }
}

/// Pages rendered at the same moment share the server's threads; each reads only its own reactive
/// values (a head text read another request's and panicked, dropping about 1 connection in 140
/// under load).
#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn pages_rendered_at_the_same_time_all_finish(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.client();
    let pages = (0..30).map(|_| {
        let request = client.get(format!("{}/lessons", app.base));
        async move { tokio::time::timeout(std::time::Duration::from_secs(20), request.send()).await }
    });
    let answers = futures_util::future::join_all(pages).await;
    for answer in answers {
        assert_status(&answer.expect("the page answered within 20 s").expect("request"), StatusCode::OK);
    }
}
