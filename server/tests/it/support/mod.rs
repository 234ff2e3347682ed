//! A real server on a random port over a fresh database (one per test, from `#[sqlx::test]`).
pub mod builders;
pub mod lessons;

use app::kit::client::TrustedProxies;
use leptos::prelude::{get_configuration, LeptosOptions};
use reqwest::{Client, Response, StatusCode};
use server::config::Config;
use sqlx::PgPool;

/// The `/metrics` token of every test server.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        TestApp::spawn_with(pool, TrustedProxies::default()).await
    }

    /// A server that believes `X-Forwarded-For` from 127.0.0.1, as if behind a reverse proxy on
    /// the same machine: a test then speaks for clients at any address.
    pub async fn spawn_behind_proxy(pool: PgPool) -> TestApp {
        TestApp::spawn_with(pool, TrustedProxies::parse("127.0.0.1").expect("address")).await
    }

    async fn spawn_with(pool: PgPool, trusted_proxies: TrustedProxies) -> TestApp {
        TestApp::spawn_adjusted(pool, |config, _| config.trusted_proxies = trusted_proxies).await
    }

    /// A server whose settings `adjust` changes from the tests' defaults.
    pub async fn spawn_adjusted(pool: PgPool, adjust: impl FnOnce(&mut Config, &mut LeptosOptions)) -> TestApp {
        // `RUST_LOG=error cargo test … -- --nocapture` shows what the server logged (a 500's cause).
        if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
        let mut options = get_configuration(None).expect("leptos configuration").leptos_options;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let mut config = Config {
            database_url: String::new(),
            max_connections: 5,
            secure_cookies: false,
            session_days: 14,
            session_touch_secs: 300,
            trusted_proxies: TrustedProxies::default(),
            min_cell: app::districts::MinCell::default(),
            public_url: format!("http://{addr}"),
            metrics_token: Some(METRICS_TOKEN.to_owned()),
            shutdown_grace_secs: 20,
            smtp: None,
            api_calls_per_minute: app::integration::rules::CALLS_PER_MINUTE,
            webhooks: app::integration::webhooks::WebhookSettings {
                allow_loopback_http: true,
                first_retry: std::time::Duration::from_millis(200),
            },
        };
        adjust(&mut config, &mut options);
        let (router, _live) = server::startup::router(pool.clone(), options, &config);
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.expect("serve") });
        TestApp { base: format!("http://{addr}"), pool }
    }

    /// A browser-like client: keeps cookies, does not follow redirects. A request that gets no
    /// answer within a minute fails the test instead of hanging the whole run.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// Calls a server function the way the hydrated page does (form-encoded, JSON answer).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await.expect("request")
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    pub async fn register(&self, client: &Client, email: &str, password: &str) -> Response {
        self.register_as(client, email, password, "李明").await
    }

    pub async fn register_as(&self, client: &Client, email: &str, password: &str, name: &str) -> Response {
        let mut form = registration(email, password);
        form[2] = ("display_name", name);
        self.call(client, "auth/register", &form).await
    }

    /// A browser-like client signed in as a newly registered teacher called `name`.
    pub async fn registered_as(&self, email: &str, password: &str, name: &str) -> Client {
        let client = self.client();
        assert_status(&self.register_as(&client, email, password, name).await, StatusCode::OK);
        client
    }

    pub async fn sign_in(&self, client: &Client, email: &str, password: &str) -> Response {
        self.call(client, "auth/sign-in", &[("email", email), ("password", password)]).await
    }

    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar("select count(*) from users").fetch_one(&self.pool).await.expect("count")
    }
}

/// A valid registration form.
pub fn registration<'a>(email: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("password", password),
        ("display_name", "李明"),
        ("school", "西湖区实验中学"),
        ("district", "西湖区"),
        ("subject", "数学"),
        ("grade_band", "初中"),
        ("tier", "backbone"),
        ("locale", "zh-CN"),
        ("time_zone", "Asia/Shanghai"),
    ]
}

/// The `AppError` JSON of an error answer.
pub async fn error_json(response: Response) -> serde_json::Value {
    response.json().await.expect("error body is JSON")
}

/// The message key an error answer gives for one field: `ErrRequired`, or `Area:ErrKey` for a
/// feature area's message.
pub fn field_error(error: &serde_json::Value, field: &str) -> Option<String> {
    let msg = &error["Invalid"].as_array()?.iter().find(|e| e["field"] == field)?["msg"];
    match msg {
        serde_json::Value::String(key) => Some(key.clone()),
        serde_json::Value::Object(area) => {
            area.iter().next().map(|(name, key)| format!("{name}:{}", key.as_str().unwrap_or_default()))
        }
        _ => None,
    }
}

/// The id of the user registered with `email`.
pub async fn user_id(pool: &PgPool, email: &str) -> uuid::Uuid {
    sqlx::query_scalar("select id from users where email = $1").bind(email).fetch_one(pool).await.expect("user")
}

pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("atelier_session="))
        .map(str::to_owned)
}

pub fn assert_status(response: &Response, expected: StatusCode) {
    assert_eq!(response.status(), expected, "unexpected status for {}", response.url());
}

/// Runs a Python `script` (an independent reader: `icalendar`, `openpyxl`) on `input` and parses
/// the JSON it prints; a refused input fails the test with the reader's complaint.
pub fn python_json(reader: &str, script: &str, input: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(input).expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "{reader} refused the file: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&input[..input.len().min(2000)])
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Reads an `.xlsx` with Python's `openpyxl` (an independent reader): each sheet's name and rows,
/// dates and times as ISO 8601 text (so a real Excel date reads `2026-03-10T10:00:00`, while a
/// date written as text would come back as it was written).
pub fn read_workbook(bytes: &[u8]) -> serde_json::Value {
    let script = r#"
import sys, io, json, datetime, openpyxl
wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))
def cell(v):
    return v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v
print(json.dumps([{'name': ws.title, 'rows': [[cell(v) for v in r] for r in ws.iter_rows(values_only=True)]}
                  for ws in wb.worksheets]))
"#;
    python_json("openpyxl", script, bytes)
}

/// GETs `path` as `client`, expects a workbook, and reads it with [`read_workbook`].
pub async fn download_workbook(app: &TestApp, client: &Client, path: &str) -> serde_json::Value {
    let response = app.get(client, path).await;
    assert_status(&response, StatusCode::OK);
    assert_eq!(
        response.headers()[reqwest::header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    read_workbook(&response.bytes().await.expect("bytes"))
}
