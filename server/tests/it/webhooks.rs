//! Webhooks against a real HTTP receiver started by the test: events are queued in their own
//! transactions, only for the subscribed clients of their district, signed, retried until
//! accepted, and accepted once, however many server instances send.

use crate::integration_api::{exec, issue_certificate, signed_in, world, World};
use crate::support::{assert_status, TestApp};
use app::integration::webhooks::{worker, WebhookSettings};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as Status};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// What the receiver saw: every attempt, and the bodies it accepted.
#[derive(Default)]
struct Received {
    attempts: usize,
    accepted: Vec<Value>,
    bad_signatures: usize,
}

#[derive(Clone)]
struct Receiver {
    secret: Arc<Mutex<String>>,
    /// Attempts answered 500 before the receiver starts accepting.
    fail_first: usize,
    seen: Arc<Mutex<Received>>,
}

fn signed(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("v1={hex}")
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> Status {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut seen = receiver.seen.lock().expect("lock");
    seen.attempts += 1;
    let expected = signed(&receiver.secret.lock().expect("lock"), &header("atelier-timestamp"), &body);
    let fresh =
        header("atelier-timestamp").parse::<i64>().is_ok_and(|at| (chrono::Utc::now().timestamp() - at).abs() < 300);
    if header("atelier-signature") != expected || !fresh {
        seen.bad_signatures += 1;
        return Status::UNAUTHORIZED;
    }
    if seen.attempts <= receiver.fail_first {
        return Status::INTERNAL_SERVER_ERROR;
    }
    let body: Value = serde_json::from_str(&body).expect("json body");
    assert_eq!(body["id"].as_str(), Some(header("atelier-delivery").as_str()));
    seen.accepted.push(body);
    Status::NO_CONTENT
}

/// Starts a receiver on a free loopback port; its address.
async fn start_receiver(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = Router::new().route("/hook", post(receive)).with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver") });
    format!("http://{addr}/hook")
}

async fn put_webhook(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client()
        .put(format!("{}/api/v1/webhook", app.base))
        .bearer_auth(token)
        .header("accept-language", "en")
        .json(body)
        .send()
        .await
        .expect("put");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn client_token(w: &World, admin: &str, district: Uuid, name: &str, scopes: &[&str]) -> String {
    let admin = signed_in(&w.app, admin).await;
    crate::integration_api::create_client(&w.app, &admin, district, name, scopes).await
}

const FAST: WebhookSettings = WebhookSettings { allow_loopback_http: true, first_retry: Duration::from_millis(200) };

async fn credit(pool: &PgPool, teacher: Uuid, records: i64) {
    sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, category, description)
         select gen_random_uuid(), $1, current_date - (i % 30)::int, 1.0, 'offline', '校本研修' from generate_series(1, $2) i",
    )
    .bind(teacher)
    .bind(records)
    .execute(pool)
    .await
    .expect("credit");
}

/// Waits until `done` holds of what the receiver saw.
async fn until(seen: &Arc<Mutex<Received>>, done: impl Fn(&Received) -> bool) {
    for _ in 0..300 {
        if done(&seen.lock().expect("lock")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver never saw what was expected");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failed_delivery_is_retried_until_accepted_and_then_never_sent_again(pool: PgPool) {
    let w = world(pool).await;
    let token = client_token(&w, "admin@xihu.cn", w.xihu, "培训平台", &["hours.read"]).await;
    let receiver = Receiver { secret: Arc::default(), fail_first: 2, seen: Arc::default() };
    let url = start_receiver(receiver.clone()).await;
    let (status, set) = put_webhook(&w.app, &token, &json!({ "url": url, "events": ["hours.credited"] })).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let secret = set["secret"].as_str().expect("the secret, once").to_owned();
    assert!(secret.starts_with("whsec_"));
    *receiver.secret.lock().expect("lock") = secret;

    credit(&w.app.pool, w.teacher, 1).await;
    worker::spawn_delivery(w.app.pool.clone(), FAST, Duration::from_millis(50));
    until(&receiver.seen, |r| r.accepted.len() == 1).await;
    // Long enough for two more retries, were any still due.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    {
        let seen = receiver.seen.lock().expect("lock");
        assert_eq!((seen.attempts, seen.accepted.len(), seen.bad_signatures), (3, 1, 0), "failed twice, accepted once");
        let body = &seen.accepted[0];
        assert_eq!(body["type"], "hours.credited");
        assert_eq!(body["data"]["teacher_id"], json!(w.teacher));
        assert_eq!(body["data"]["hours"], json!(1.0));
    }
    let (attempts, status, delivered): (i32, Option<i32>, bool) =
        sqlx::query_as("select attempts, last_status, delivered_at is not null from webhook_deliveries")
            .fetch_one(&w.app.pool)
            .await
            .expect("delivery");
    assert_eq!((attempts, status, delivered), (3, Some(204), true));
}

#[sqlx::test(migrations = "../migrations")]
async fn two_instances_sending_at_once_deliver_each_event_once(pool: PgPool) {
    let w = world(pool).await;
    let token = client_token(&w, "admin@xihu.cn", w.xihu, "培训平台", &["hours.read"]).await;
    let receiver = Receiver { secret: Arc::default(), fail_first: 0, seen: Arc::default() };
    let url = start_receiver(receiver.clone()).await;
    let (_, set) = put_webhook(&w.app, &token, &json!({ "url": url, "events": ["hours.credited"] })).await;
    *receiver.secret.lock().expect("lock") = set["secret"].as_str().expect("secret").to_owned();

    credit(&w.app.pool, w.teacher, 60).await;
    worker::spawn_delivery(w.app.pool.clone(), FAST, Duration::from_millis(10));
    worker::spawn_delivery(w.app.pool.clone(), FAST, Duration::from_millis(10));
    until(&receiver.seen, |r| r.accepted.len() >= 60).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let seen = receiver.seen.lock().expect("lock");
    let mut ids: Vec<&str> = seen.accepted.iter().map(|b| b["id"].as_str().expect("id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((seen.attempts, seen.accepted.len(), ids.len()), (60, 60, 60), "each of the 60 once");
}

#[sqlx::test(migrations = "../migrations")]
async fn events_reach_only_the_subscribed_clients_of_their_district(pool: PgPool) {
    let w = world(pool).await;
    let all = ["hours.read", "certificates.read", "lessons.read", "records.read"];
    let ours = client_token(&w, "admin@xihu.cn", w.xihu, "区平台", &all).await;
    let theirs = client_token(&w, "admin@xiaoshan.cn", w.xiaoshan, "区平台", &all).await;
    let events = json!(["hours.credited", "hours.withdrawn", "certificate.issued", "lesson.cancelled"]);
    for token in [&ours, &theirs] {
        let (status, set) =
            put_webhook(&w.app, token, &json!({ "url": "https://hooks.example.cn/atelier", "events": events })).await;
        assert_eq!(status, StatusCode::OK, "{set}");
    }

    credit(&w.app.pool, w.teacher, 1).await;
    exec(&w.app.pool, "delete from training_records where user_id = $1", &[w.teacher]).await;
    issue_certificate(&w.app.pool, w.teacher).await;
    exec(&w.app.pool, "update open_lessons set status = 'cancelled' where id = $1", &[w.lessons[0]]).await;

    let queued: Vec<(String, String)> = sqlx::query_as(
        "select c.name || '@' || d.name, w.event from webhook_deliveries w
         join api_clients c on c.id = w.client_id join districts d on d.id = c.district_id
         order by w.created_at, w.event",
    )
    .fetch_all(&w.app.pool)
    .await
    .expect("queued");
    let events: Vec<&str> = queued.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(events, ["hours.credited", "hours.withdrawn", "certificate.issued", "lesson.cancelled"]);
    assert!(queued.iter().all(|(client, _)| client == "区平台@西湖区"), "nothing for 萧山区: {queued:?}");

    // A revoked client is told nothing more.
    exec(&w.app.pool, "update api_clients set revoked_at = now() where district_id = $1", &[w.xihu]).await;
    credit(&w.app.pool, w.teacher, 1).await;
    let count: i64 =
        sqlx::query_scalar("select count(*) from webhook_deliveries").fetch_one(&w.app.pool).await.expect("count");
    assert_eq!(count, 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_webhook_goes_to_a_public_https_address_for_events_the_client_may_read(pool: PgPool) {
    let w = world(pool.clone()).await;
    let token = client_token(&w, "admin@xihu.cn", w.xihu, "培训平台", &["hours.read"]).await;
    let get = |token: String| {
        let app = w.app.client();
        let url = format!("{}/api/v1/webhook", w.app.base);
        async move { app.get(url).bearer_auth(token).send().await.expect("get").status() }
    };
    assert_eq!(get(token.clone()).await, StatusCode::NOT_FOUND);
    for (url, events, field) in [
        ("https://10.0.0.8/hook", json!(["hours.credited"]), "url"),
        ("https://169.254.169.254/latest", json!(["hours.credited"]), "url"),
        ("http://hooks.example.cn/hook", json!(["hours.credited"]), "url"),
        ("https://hooks.example.cn/hook", json!(["certificate.issued"]), "events"),
        ("https://hooks.example.cn/hook", json!([]), "events"),
    ] {
        let (status, problem) = put_webhook(&w.app, &token, &json!({ "url": url, "events": events })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url} {events}");
        assert_eq!(problem["errors"][0]["name"], field, "{url} {events}: {problem}");
    }
    let (status, _) =
        put_webhook(&w.app, &token, &json!({ "url": "https://hooks.example.cn/hook", "events": ["hours.eaten"] }))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(get(token.clone()).await, StatusCode::NOT_FOUND, "nothing was set");

    // Plain http to loopback only where the setting allows it (the tests' servers do).
    let strict = TestApp::spawn_adjusted(pool, |config, _| config.webhooks.allow_loopback_http = false).await;
    let response = strict
        .client()
        .put(format!("{}/api/v1/webhook", strict.base))
        .bearer_auth(&token)
        .json(&json!({ "url": "http://127.0.0.1:9/hook", "events": ["hours.credited"] }))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) =
        put_webhook(&w.app, &token, &json!({ "url": "http://127.0.0.1:9/hook", "events": ["hours.credited"] })).await;
    assert_eq!(status, StatusCode::OK);

    let delete = |token: String| {
        let app = w.app.client();
        let url = format!("{}/api/v1/webhook", w.app.base);
        async move { app.delete(url).bearer_auth(token).send().await.expect("delete").status() }
    };
    assert_eq!(get(token.clone()).await, StatusCode::OK);
    assert_eq!(delete(token.clone()).await, StatusCode::NO_CONTENT);
    assert_eq!(delete(token.clone()).await, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_districts_admins_read_a_clients_delivery_log(pool: PgPool) {
    let w = world(pool).await;
    let token = client_token(&w, "admin@xihu.cn", w.xihu, "培训平台", &["hours.read"]).await;
    put_webhook(&w.app, &token, &json!({ "url": "https://hooks.example.cn/hook", "events": ["hours.credited"] })).await;
    credit(&w.app.pool, w.teacher, 3).await;
    let client: Uuid = sqlx::query_scalar("select id from api_clients").fetch_one(&w.app.pool).await.expect("client");
    let form = [("client", client.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let log: Value = w.app.call(&admin, "integration/deliveries", &form).await.json().await.expect("log");
    assert_eq!((log["total"].as_i64(), log["deliveries"].as_array().map(Vec::len)), (Some(3), Some(3)));
    assert_eq!(log["subscription"]["url"], "https://hooks.example.cn/hook");
    assert_eq!(log["deliveries"][0]["state"], "Retrying");
    let page = w.app.get(&admin, &format!("/district/api/{client}/deliveries")).await;
    assert_status(&page, StatusCode::OK);
    assert!(page.text().await.expect("html").contains("hours.credited"));

    for who in ["admin@xiaoshan.cn", "teacher@xihu.cn"] {
        let other = signed_in(&w.app, who).await;
        assert_status(&w.app.call(&other, "integration/deliveries", &form).await, StatusCode::NOT_FOUND);
    }
}
