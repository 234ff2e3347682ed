//! What operators rely on: `/metrics` behind its token, counting requests by route pattern only;
//! a request id on every answer; and a graceful stop on SIGTERM that ends live streams instead of
//! waiting for them.

use crate::faults::Instance;
use crate::support::{assert_status, builders, TestApp, METRICS_TOKEN};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client().get(format!("{}/metrics", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("metrics")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn metrics_need_the_token_and_count_requests_by_route_pattern_only(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    assert_status(&scrape(&app, None).await, StatusCode::UNAUTHORIZED);
    assert_status(&scrape(&app, Some("test-metrics-token-012345678X")).await, StatusCode::UNAUTHORIZED);

    let host = builders::user(&pool, "host@ops.cn", "主持人", false).await;
    builders::studio(&pool, "ops-studio", "运维工作室", host).await;
    let client = app.client();
    assert_status(&app.get(&client, "/studios/ops-studio").await, StatusCode::OK);
    assert_status(&app.get(&client, "/no/such/page-with-a-secret-token").await, StatusCode::NOT_FOUND);
    let search = [("q", ""), ("subject", ""), ("district", ""), ("page", "0")];
    assert_status(&app.call(&client, "studios/directory", &search).await, StatusCode::OK);

    let answer = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_status(&answer, StatusCode::OK);
    assert!(answer.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("text/plain; version=0.0.4"));
    let text = answer.text().await.expect("text");
    for line in [
        "atelier_http_requests_total{route=\"/studios/{slug}\",method=\"GET\",status=\"2xx\"} 1",
        "atelier_http_requests_total{route=\"other\",method=\"GET\",status=\"4xx\"} 1",
        "atelier_http_requests_total{route=\"/api/studios/directory\",method=\"POST\",status=\"2xx\"} 1",
        "atelier_http_request_duration_seconds_count{route=\"/studios/{slug}\",method=\"GET\"} 1",
        "atelier_outbox_unsent 0",
        "atelier_live_streams_open 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(text.contains("atelier_db_pool_connections{state=\"max\"} 5"));
    assert!(!text.contains("ops-studio") && !text.contains("secret-token"), "no path reaches a label");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn every_answer_carries_a_request_id_and_keeps_the_one_a_proxy_sent(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let first = app.get(&client, "/healthz").await;
    let second = app.get(&client, "/sign-in").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().expect("id").to_owned();
    let (a, b) = (id(&first), id(&second));
    assert!(Uuid::parse_str(&a).is_ok() && Uuid::parse_str(&b).is_ok(), "{a} {b}");
    assert_ne!(a, b);
    let forwarded =
        client.get(format!("{}/healthz", app.base)).header("x-request-id", "nginx-7f3a9c").send().await.expect("get");
    assert_eq!(id(&forwarded), "nginx-7f3a9c");
}

/// The URL of the test's database, for a server started as a separate process.
fn database_url(pool: &PgPool) -> String {
    let options = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().expect("database name")
    )
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn sigterm_ends_live_streams_and_the_server_exits_cleanly(pool: PgPool) {
    let lead = builders::user(&pool, "lead@ops.cn", "组长", false).await;
    let studio = builders::studio(&pool, "ops-studio", "运维工作室", lead).await;
    let study = Uuid::new_v4();
    sqlx::query("insert into studies (id, studio_id, title, lead_id, created_by) values ($1, $2, '停机演练', $3, $3)")
        .bind(study)
        .bind(studio)
        .bind(lead)
        .execute(&pool)
        .await
        .expect("study");
    sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, 'lead')")
        .bind(study)
        .bind(lead)
        .execute(&pool)
        .await
        .expect("member");
    let dir = std::env::temp_dir().join(format!("atelier-sigterm-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("log dir");
    let mut instance = Instance::spawn("sigterm", &database_url(&pool), &dir);
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    instance.wait_ready(&client).await;
    let signed_in = client
        .post(format!("{}/api/auth/sign-in", instance.base))
        .form(&[("email", "lead@ops.cn"), ("password", builders::PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_status(&signed_in, StatusCode::OK);
    let mut stream = client.get(format!("{}/api/study/{study}/events", instance.base)).send().await.expect("stream");
    assert_status(&stream, StatusCode::OK);
    let first = stream.chunk().await.expect("chunk").expect("the ready event");
    assert!(String::from_utf8_lossy(&first).contains("event: ready"));

    instance.terminate();
    // The open stream ends at once; it is not what holds the shutdown up.
    let ended =
        tokio::time::timeout(Duration::from_secs(10), async { while let Ok(Some(_)) = stream.chunk().await {} }).await;
    assert!(ended.is_ok(), "the live stream was still open 10 s after SIGTERM");
    let status = instance.exited_within(Duration::from_secs(10)).await;
    assert!(status.is_some_and(|s| s.success()), "exit {status:?}:\n{}", instance.log_text());
    assert!(instance.log_text().contains("shutting down"));
    let _ = std::fs::remove_dir_all(dir);
}
