//! The integration API over real HTTP: a district admin creates a client in the UI, and the
//! client's token reads its own district's data through `/api/v1` and nothing else. Refusals
//! are problem details in the caller's language, and change nothing.

use crate::support::builders::{self, PASSWORD};
use crate::support::{assert_status, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// Two districts, each with a school, an admin and a studio; 西湖区's studio has two published
/// lessons and a draft, 萧山区's one lesson.
pub struct World {
    pub app: TestApp,
    pub xihu: Uuid,
    pub xiaoshan: Uuid,
    pub teacher: Uuid,
    pub lessons: Vec<Uuid>,
}

pub async fn exec(pool: &PgPool, sql: &str, ids: &[Uuid]) {
    ids.iter().fold(sqlx::query(sql), |q, id| q.bind(*id)).execute(pool).await.expect(sql);
}

pub async fn world(pool: PgPool) -> World {
    let app = TestApp::spawn(pool).await;
    let pool = &app.pool;
    let host = builders::user(pool, "host@xihu.cn", "王老师", false).await;
    let teacher = builders::user(pool, "teacher@xihu.cn", "林老师", false).await;
    builders::user(pool, "admin@xihu.cn", "西湖区管理员", true).await;
    let other_host = builders::user(pool, "host@xiaoshan.cn", "赵老师", false).await;
    builders::user(pool, "admin@xiaoshan.cn", "萧山区管理员", false).await;
    builders::district_admin_of(pool, "admin@xiaoshan.cn", "萧山区").await;
    let xihu: Uuid =
        sqlx::query_scalar("select id from districts where name = '西湖区'").fetch_one(pool).await.expect("xihu");
    let xiaoshan: Uuid =
        sqlx::query_scalar("select id from districts where name = '萧山区'").fetch_one(pool).await.expect("xiaoshan");
    let (school, other_school) = (Uuid::new_v4(), Uuid::new_v4());
    exec(pool, "insert into schools (id, district_id, name) values ($1, $2, '西湖区实验中学')", &[school, xihu]).await;
    exec(
        pool,
        "insert into schools (id, district_id, name) values ($1, $2, '萧山区第三中学')",
        &[other_school, xiaoshan],
    )
    .await;
    exec(pool, "update users set school_id = $1 where id in ($2, $3)", &[school, host, teacher]).await;
    exec(pool, "update users set school_id = $1 where id = $2", &[other_school, other_host]).await;
    let studio = builders::studio(pool, "xihu-math", "西湖数学名师工作室", host).await;
    let other_studio = builders::studio(pool, "xiaoshan-math", "萧山数学名师工作室", other_host).await;
    exec(pool, "update studios set school_id = $1 where id = $2", &[school, studio]).await;
    exec(pool, "update studios set school_id = $1 where id = $2", &[other_school, other_studio]).await;
    let mut lessons = Vec::new();
    for title in ["第一节研究课", "第二节研究课"] {
        let mut lesson = builders::Lesson::new(studio, host);
        lesson.title = title;
        lessons.push(lesson.insert(pool).await);
    }
    let mut draft = builders::Lesson::new(studio, host);
    draft.status = app::lessons::LessonStatus::Draft;
    draft.insert(pool).await;
    builders::Lesson::new(other_studio, other_host).insert(pool).await;
    World { app, xihu, xiaoshan, teacher, lessons }
}

pub async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, PASSWORD).await, StatusCode::OK);
    client
}

/// Creates a client of `district` as the signed-in admin and reads its token off the page's data.
pub async fn create_client(app: &TestApp, admin: &Client, district: Uuid, name: &str, scopes: &[&str]) -> String {
    let district = district.to_string();
    let mut form: Vec<(String, &str)> =
        vec![("district".into(), &district), ("name".into(), name), ("days".into(), "30")];
    form.extend(scopes.iter().enumerate().map(|(i, s)| (format!("scopes[{i}]"), *s)));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_status(&app.call(admin, "integration/create-client", &form).await, StatusCode::OK);
    let (_, created): (Value, Value) =
        app.call(admin, "integration/clients", &[]).await.json().await.expect("clients json");
    created["token"].as_str().expect("the new token, once").to_owned()
}

pub async fn api(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    language: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = app.client().get(format!("{}/api/v1{path}", app.base)).header("accept-language", language);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

fn titles(page: &Value) -> Vec<&str> {
    page["items"].as_array().expect("items").iter().map(|l| l["title"].as_str().expect("title")).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_district_admin_creates_a_client_whose_token_is_shown_once_and_kept_hashed(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "区继续教育平台", &["lessons.read", "hours.read"]).await;
    assert!(token.starts_with("atl_") && token.len() == 52, "{token}");

    let (districts, again): (Value, Value) =
        w.app.call(&admin, "integration/clients", &[]).await.json().await.expect("clients json");
    assert!(again.is_null(), "shown once");
    let client = &districts[0]["clients"][0];
    assert_eq!(client["name"], "区继续教育平台");
    assert_eq!(client["scopes"], serde_json::json!(["hours.read", "lessons.read"]));
    assert_eq!(client["token_hint"].as_str(), Some(&token[token.len() - 4..]));
    assert!(client["last_used_at"].is_null());
    let stored: i64 =
        sqlx::query_scalar("select count(*) from api_clients where token_hash = $1 and position($2 in token_hash) = 0")
            .bind(app::kit::token::token_hash(&token))
            .bind(&token[4..])
            .fetch_one(&w.app.pool)
            .await
            .expect("stored");
    assert_eq!(stored, 1, "kept as its hash only");

    let (status, _, _) = api(&w.app, Some(&token), "/lessons", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    let (districts, _): (Value, Value) =
        w.app.call(&admin, "integration/clients", &[]).await.json().await.expect("clients json");
    assert!(districts[0]["clients"][0]["last_used_at"].is_string(), "the last use shows");

    let taken = w
        .app
        .call(
            &admin,
            "integration/create-client",
            &[
                ("district", &w.xihu.to_string()),
                ("name", "区继续教育平台"),
                ("scopes[0]", "lessons.read"),
                ("days", "30"),
            ],
        )
        .await;
    assert_status(&taken, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = w
        .app
        .call(
            &admin,
            "integration/create-client",
            &[("district", &w.xihu.to_string()), ("name", "x"), ("scopes[0]", "root"), ("days", "9999")],
        )
        .await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 =
        sqlx::query_scalar("select count(*) from api_clients").fetch_one(&w.app.pool).await.expect("count");
    assert_eq!(count, 1, "refused forms store nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_districts_own_admins_create_and_revoke_its_clients(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "名册系统", &["lessons.read"]).await;
    let client_id: Uuid = sqlx::query_scalar("select id from api_clients").fetch_one(&w.app.pool).await.expect("id");
    let form = |district: Uuid| {
        vec![
            ("district", district.to_string()),
            ("name", "越权".to_owned()),
            ("scopes[0]", "lessons.read".into()),
            ("days", "30".into()),
        ]
    };
    for (who, client) in [
        ("a teacher", signed_in(&w.app, "teacher@xihu.cn").await),
        ("another district's admin", signed_in(&w.app, "admin@xiaoshan.cn").await),
    ] {
        let form: Vec<(&str, String)> = form(w.xihu);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_status(&w.app.call(&client, "integration/create-client", &form).await, StatusCode::NOT_FOUND);
        let revoke = w.app.call(&client, "integration/revoke-client", &[("client", &client_id.to_string())]).await;
        assert_status(&revoke, StatusCode::NOT_FOUND);
        let (districts, _): (Value, Value) =
            w.app.call(&client, "integration/clients", &[]).await.json().await.expect("clients json");
        assert!(
            districts.as_array().expect("list").iter().all(|d| d["district_id"] != w.xihu.to_string()),
            "{who} sees none of 西湖区's clients"
        );
    }
    let anonymous = w.app.client();
    assert_status(&w.app.call(&anonymous, "integration/clients", &[]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&w.app, Some(&token), "/lessons", "zh-CN").await.0, StatusCode::OK, "still live");
    let count: i64 =
        sqlx::query_scalar("select count(*) from api_clients").fetch_one(&w.app.pool).await.expect("count");
    assert_eq!(count, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_token_reads_its_own_districts_published_lessons_a_page_at_a_time(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "课程平台", &["lessons.read"]).await;

    let (status, _, all) = api(&w.app, Some(&token), "/lessons", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&all), ["第一节研究课", "第二节研究课"], "no draft, nothing of 萧山区");
    assert_eq!(all["items"][0]["studio"]["slug"], "xihu-math");
    assert_eq!(all["items"][0]["credited_hours"], 1.5);

    let (_, _, first) = api(&w.app, Some(&token), "/lessons?limit=1", "zh-CN").await;
    assert_eq!((titles(&first), first["has_more"].as_bool()), (vec!["第一节研究课"], Some(true)));
    let cursor = first["next_cursor"].as_str().expect("cursor").to_owned();
    // A lesson booked meanwhile changes: it comes again, after the cursor, with its new count.
    let observer = signed_in(&w.app, "teacher@xihu.cn").await;
    assert_status(
        &w.app.call(&observer, "lessons/book", &[("lesson_id", &w.lessons[0].to_string())]).await,
        StatusCode::OK,
    );
    let (_, _, rest) = api(&w.app, Some(&token), &format!("/lessons?limit=10&cursor={cursor}"), "zh-CN").await;
    assert_eq!(titles(&rest), ["第二节研究课", "第一节研究课"]);
    assert_eq!(rest["items"][1]["seats_taken"], 1);
    assert_eq!(rest["has_more"], false);

    let later = rest["next_cursor"].as_str().expect("cursor").to_owned();
    let (_, _, nothing_new) = api(&w.app, Some(&token), &format!("/lessons?cursor={later}"), "zh-CN").await;
    assert_eq!(titles(&nothing_new), Vec::<&str>::new());
    let since = rest["items"][1]["updated_at"].as_str().expect("time").to_owned();
    let (_, _, changed) =
        api(&w.app, Some(&token), &format!("/lessons?updated_since={}", since.replace('+', "%2B")), "zh-CN").await;
    assert_eq!(titles(&changed), ["第一节研究课"], "only what changed since");

    let (_, _, studios) = api(&w.app, Some(&token), "/studios", "zh-CN").await;
    let slugs: Vec<&str> =
        studios["items"].as_array().expect("items").iter().map(|s| s["slug"].as_str().expect("slug")).collect();
    assert_eq!(slugs, ["xihu-math"]);

    let other_admin = signed_in(&w.app, "admin@xiaoshan.cn").await;
    let other = create_client(&w.app, &other_admin, w.xiaoshan, "课程平台", &["lessons.read"]).await;
    let (_, _, theirs) = api(&w.app, Some(&other), "/lessons", "zh-CN").await;
    assert_eq!(titles(&theirs), ["《勾股定理》研究课"], "each district its own");
}

#[sqlx::test(migrations = "../migrations")]
async fn missing_unknown_expired_and_revoked_tokens_get_a_problem_in_the_callers_language(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "名册系统", &["certificates.read"]).await;

    let (status, headers, problem) = api(&w.app, None, "/lessons", "en").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("token-missing")));
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert!(problem["detail"].as_str().expect("detail").contains("Authorization"), "{problem}");
    let unknown = format!("atl_{}", "0".repeat(48));
    for bad in [unknown.as_str(), "atl_short", "' or 1=1 --"] {
        let (status, _, problem) = api(&w.app, Some(bad), "/lessons", "zh-CN").await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("token-invalid")), "{bad}");
    }

    let (status, headers, problem) = api(&w.app, Some(&token), "/lessons", "zh-CN,zh;q=0.9").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient-scope")));
    assert!(problem["detail"].as_str().expect("detail").contains("lessons.read"));
    assert_eq!(headers["content-language"], "zh-CN");
    assert!(problem.get("items").is_none(), "nothing of the list leaks");

    exec(
        &w.app.pool,
        "update api_clients set created_at = now() - interval '2 days', expires_at = now() - interval '1 day'",
        &[],
    )
    .await;
    let (status, _, problem) = api(&w.app, Some(&token), "/certificates/ABCDE-FGHJK-LMNPQ-RSTUV", "en").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("token-expired")));

    let fresh = create_client(&w.app, &admin, w.xihu, "新名册系统", &["certificates.read"]).await;
    let id: Uuid = sqlx::query_scalar("select id from api_clients where name = '新名册系统'")
        .fetch_one(&w.app.pool)
        .await
        .expect("id");
    assert_eq!(api(&w.app, Some(&fresh), "/certificates/ABCDE-FGHJK-LMNPQ-RSTUV", "en").await.0, StatusCode::NOT_FOUND);
    assert_status(
        &w.app.call(&admin, "integration/revoke-client", &[("client", &id.to_string())]).await,
        StatusCode::OK,
    );
    let (status, _, problem) = api(&w.app, Some(&fresh), "/certificates/ABCDE-FGHJK-LMNPQ-RSTUV", "en").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("token-revoked")), "at once");
}

/// Gives `teacher` a certificate of 2026, serial ABCDE-FGHJK-LMNPQ-RSTUV, 72.5 hours.
pub async fn issue_certificate(pool: &PgPool, teacher: Uuid) {
    exec(
        pool,
        "insert into certificates (id, serial, user_id, year, year_start, year_end, teacher_name, school_name,
                                   total_tenths, content, content_sha256)
         values (gen_random_uuid(), 'ABCDEFGHJKLMNPQRSTUV', $1, 2026, '2026-01-01', '2027-01-01', '林老师',
                 '西湖区实验中学', 725, '{}', repeat('a', 64))",
        &[teacher],
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_certificate_is_verified_by_serial_within_its_teachers_district_only(pool: PgPool) {
    let w = world(pool).await;
    issue_certificate(&w.app.pool, w.teacher).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "人事系统", &["certificates.read"]).await;
    let (status, _, certificate) = api(&w.app, Some(&token), "/certificates/abcde-fghjk-lmnpq-rstuv", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(certificate["teacher_name"], "林老师");
    assert_eq!(certificate["total_hours"], 72.5);
    assert_eq!(certificate["last_day"], "2026-12-31");
    assert_eq!(certificate["valid"], true);
    for missing in
        ["/certificates/BCDEFGHJKLMNPQRSTUVW", "/certificates/%00", &format!("/certificates/{}", "A".repeat(200))]
    {
        let (status, _, problem) = api(&w.app, Some(&token), missing, "zh-CN").await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not-found")), "{missing}");
    }
    let other_admin = signed_in(&w.app, "admin@xiaoshan.cn").await;
    let other = create_client(&w.app, &other_admin, w.xiaoshan, "人事系统", &["certificates.read"]).await;
    let (status, _, _) = api(&w.app, Some(&other), "/certificates/ABCDEFGHJKLMNPQRSTUV", "zh-CN").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another district's teacher is not found");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_client_past_its_rate_limit_is_told_when_to_retry(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "批量同步", &["records.read"]).await;
    let client = w.app.client();
    let url = format!("{}/api/v1/lessons", w.app.base);
    let mut statuses = Vec::new();
    for _ in 0..app::integration::rules::CALLS_PER_MINUTE + 1 {
        statuses.push(client.get(&url).bearer_auth(&token).send().await.expect("call"));
    }
    let last = statuses.pop().expect("last");
    assert!(statuses.iter().all(|r| r.status() == StatusCode::FORBIDDEN), "within the limit: the scope decides");
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last.headers()["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    let problem: Value = last.json().await.expect("problem");
    assert_eq!(problem["code"], "rate-limited");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_openapi_document_names_every_endpoint_and_the_reference_page_shows_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let document: Value = app.get(&client, "/api/v1/openapi.json").await.json().await.expect("document");
    assert!(document["openapi"].as_str().expect("version").starts_with("3.1"));
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // Coded enums are documented by their codes, as they are sent.
    assert_eq!(
        document["components"]["schemas"]["StudioRole"]["enum"],
        serde_json::json!(["host", "mentor", "mentee"])
    );
    assert_eq!(document["webhooks"]["event"]["post"]["parameters"][3]["name"], "Atelier-Signature");
    let paths: Vec<&String> = document["paths"].as_object().expect("paths").keys().collect();
    assert_eq!(
        paths,
        [
            "/certificates/{serial}",
            "/hours/imports",
            "/hours/records",
            "/hours/totals",
            "/lessons",
            "/schools",
            "/schools/{id}",
            "/studio-records",
            "/studio-records/{id}",
            "/studios",
            "/teachers",
            "/webhook"
        ]
    );
    assert_eq!(
        document,
        serde_json::to_value(app::integration::rest::document()).expect("json"),
        "served as generated"
    );
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("operations") {
            // A client's own webhook takes any of its tokens; everything else one scope.
            let scopes = operation["security"][0]["bearer"].as_array().map(Vec::len);
            assert_eq!(scopes, Some(usize::from(path != "/webhook")), "{method} {path} names its scope");
            for status in ["401", "403", "429"] {
                assert!(operation["responses"][status].is_object(), "{method} {path} documents {status}");
            }
        }
    }

    let page = app.get(&client, "/api/v1/docs").await;
    assert_status(&page, StatusCode::OK);
    let html = page.text().await.expect("html");
    for expected in [
        "<h1>",
        "GET /api/v1/lessons",
        "GET /api/v1/certificates/{serial}",
        "id=\"problem-token-expired\"",
        "id=\"schema-Page_ApiLesson\"",
        "lessons.read",
    ] {
        assert!(html.contains(expected), "the reference shows {expected}");
    }
    let english =
        client.get(format!("{}/api/v1/docs", app.base)).header("accept-language", "en").send().await.expect("page");
    assert!(english.text().await.expect("html").contains("<html lang=\"en\">"));
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_api_paths_and_methods_are_problems_not_pages(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let missing = app.get(&client, "/api/v1/teachers/42").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let post = client.post(format!("{}/api/v1/lessons", app.base)).send().await.expect("post");
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    let problem: Value = post.json().await.expect("problem");
    assert_eq!(problem["code"], "method-not-allowed");
}

/// The feed once the change is served: a change shows only after every older transaction (of any
/// database on the server) has finished, so the test asks again for a moment.
pub async fn feed_until(app: &TestApp, token: &str, path: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..50 {
        let (status, _, page) = api(app, Some(token), path, "zh-CN").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if ready(&page) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the feed at {path} never showed the change");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_hours_feed_follows_credits_and_withdrawals_of_the_districts_teachers(pool: PgPool) {
    let w = world(pool).await;
    let record = Uuid::new_v4();
    exec(
        &w.app.pool,
        "insert into training_records (id, user_id, occurred_on, hours, category, description)
         values ($1, $2, current_date, 2.0, 'offline', '校本研修')",
        &[record, w.teacher],
    )
    .await;
    exec(
        &w.app.pool,
        "insert into training_records (id, user_id, occurred_on, hours, category)
         select gen_random_uuid(), id, current_date, 3.0, 'online' from users where email = 'host@xiaoshan.cn'",
        &[],
    )
    .await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "继续教育平台", &["hours.read"]).await;

    let first =
        feed_until(&w.app, &token, "/hours/records", |p| p["items"].as_array().is_some_and(|i| !i.is_empty())).await;
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "nothing of 萧山区: {first}");
    assert_eq!(items[0]["change"], "upsert");
    assert_eq!(items[0]["record"]["teacher_name"], "林老师");
    assert_eq!(items[0]["record"]["hours"], 2.0);
    assert_eq!(items[0]["record"]["source"], "manual");
    let cursor = first["next_cursor"].as_str().expect("cursor").to_owned();

    exec(&w.app.pool, "delete from training_records where id = $1", &[record]).await;
    let next = feed_until(&w.app, &token, &format!("/hours/records?cursor={cursor}"), |p| {
        p["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    let change = &next["items"][0];
    assert_eq!(
        (change["change"].as_str(), change["record_id"].as_str()),
        (Some("delete"), Some(record.to_string().as_str()))
    );
    assert!(change["record"].is_null(), "a tombstone carries no data");
    let (_, _, again) = api(&w.app, Some(&token), "/hours/records", "zh-CN").await;
    let changes: Vec<&str> =
        again["items"].as_array().expect("items").iter().map(|c| c["change"].as_str().expect("change")).collect();
    assert_eq!(changes, ["delete", "delete"], "from the start: both changes, each as the record is now");

    let lessons_only = create_client(&w.app, &admin, w.xihu, "课程平台", &["lessons.read"]).await;
    let (status, _, problem) = api(&w.app, Some(&lessons_only), "/hours/records", "zh-CN").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient-scope")));
    let (status, _, problem) = api(&w.app, Some(&token), "/hours/records?cursor=zzz", "en").await;
    assert_eq!((status, problem["errors"][0]["name"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_roster_lists_the_districts_schools_and_teachers_and_nothing_of_their_development(pool: PgPool) {
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "人事系统", &["roster.read"]).await;
    let names = |page: &Value| -> Vec<String> {
        let mut names: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["name"].as_str().expect("name").to_owned())
            .collect();
        names.sort();
        names
    };

    let (status, _, schools) = api(&w.app, Some(&token), "/schools", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&schools), ["西湖区实验中学"]);
    let (_, _, teachers) = api(&w.app, Some(&token), "/teachers", "zh-CN").await;
    assert_eq!(names(&teachers), ["林老师", "王老师"], "the district's teachers only");
    let mut fields: Vec<&String> = teachers["items"][0].as_object().expect("teacher").keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "email",
            "grade_band",
            "id",
            "name",
            "school_id",
            "shares_record_with_district",
            "subject",
            "tier",
            "updated_at"
        ],
        "administrative fields only"
    );

    let cursor = teachers["next_cursor"].as_str().expect("cursor").to_owned();
    exec(&w.app.pool, "update users set display_name = '林晓老师' where id = $1", &[w.teacher]).await;
    exec(
        &w.app.pool,
        "update users set locale = 'en', password_hash = password_hash || '' where id = $1",
        &[w.teacher],
    )
    .await;
    let (_, _, changed) = api(&w.app, Some(&token), &format!("/teachers?cursor={cursor}"), "zh-CN").await;
    assert_eq!(names(&changed), ["林晓老师"], "a renamed teacher comes again; a language change moves nothing");

    let other_admin = signed_in(&w.app, "admin@xiaoshan.cn").await;
    let other = create_client(&w.app, &other_admin, w.xiaoshan, "人事系统", &["roster.read"]).await;
    let (_, _, theirs) = api(&w.app, Some(&other), "/teachers", "zh-CN").await;
    assert_eq!(names(&theirs), ["赵老师"]);
    let lessons_only = create_client(&w.app, &admin, w.xihu, "课程平台", &["lessons.read"]).await;
    for path in ["/schools", "/teachers"] {
        assert_eq!(api(&w.app, Some(&lessons_only), path, "zh-CN").await.0, StatusCode::FORBIDDEN, "{path}");
    }
}

/// `method path` with a JSON body, as `token`.
pub async fn send_json(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let response = app
        .client()
        .request(method, format!("{}/api/v1{path}", app.base))
        .bearer_auth(token)
        .header("accept-language", "zh-CN")
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn school_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from schools").fetch_one(pool).await.expect("schools")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_districts_system_lists_and_changes_its_own_schools_only(pool: PgPool) {
    use reqwest::Method;
    let w = world(pool).await;
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "人事系统", &["roster.write", "roster.read"]).await;
    let school = serde_json::json!({ "name": " 西湖区第二实验小学 ", "stage": "primary", "rural": false });

    let (status, created) = send_json(&w.app, &token, Method::POST, "/schools", &school).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!((created["name"].as_str(), created["stage"].as_str()), (Some("西湖区第二实验小学"), Some("primary")));
    assert_eq!(created["status"], "listed");
    let (_, _, listed) = api(&w.app, Some(&token), "/schools", "zh-CN").await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 2);
    let before = school_count(&w.app.pool).await;

    let (status, problem) = send_json(&w.app, &token, Method::POST, "/schools", &school).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    assert_eq!(problem["errors"][0]["name"], "name");
    let bad = serde_json::json!({ "name": "<script>", "stage": "college" });
    let (status, problem) = send_json(&w.app, &token, Method::POST, "/schools", &bad).await;
    let named: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().map(|e| e["name"].as_str().expect("name")).collect();
    assert_eq!((status, named), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name", "stage"]));

    let id = created["id"].as_str().expect("id");
    let renamed = serde_json::json!({ "name": "西湖区文三路小学", "stage": "primary", "rural": null });
    let (status, changed) = send_json(&w.app, &token, Method::PUT, &format!("/schools/{id}"), &renamed).await;
    assert_eq!((status, changed["name"].as_str()), (StatusCode::OK, Some("西湖区文三路小学")));
    assert!(changed["rural"].is_null());
    let taken = serde_json::json!({ "name": "西湖区实验中学" });
    let (status, _) = send_json(&w.app, &token, Method::PUT, &format!("/schools/{id}"), &taken).await;
    assert_eq!(status, StatusCode::CONFLICT, "another school's name");

    let theirs: Uuid = sqlx::query_scalar("select id from schools where district_id = $1")
        .bind(w.xiaoshan)
        .fetch_one(&w.app.pool)
        .await
        .expect("their school");
    for path in [format!("/schools/{theirs}"), "/schools/not-an-id".to_owned(), format!("/schools/{}", Uuid::nil())] {
        let (status, problem) = send_json(&w.app, &token, Method::PUT, &path, &renamed).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not-found")), "{path}");
    }
    let reader = create_client(&w.app, &admin, w.xihu, "只读名册", &["roster.read"]).await;
    let (status, _) = send_json(&w.app, &reader, Method::POST, "/schools", &renamed).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let name: String = sqlx::query_scalar("select name from schools where id = $1")
        .bind(theirs)
        .fetch_one(&w.app.pool)
        .await
        .expect("name");
    assert_eq!((school_count(&w.app.pool).await, name.as_str()), (before, "萧山区第三中学"), "refusals change nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_district_reads_its_studios_finalised_records_as_it_sees_them_in_atelier(pool: PgPool) {
    let w = world(pool).await;
    let studio: Uuid = sqlx::query_scalar("select id from studios where slug = 'xihu-math'")
        .fetch_one(&w.app.pool)
        .await
        .expect("studio");
    builders::member(&w.app.pool, studio, w.teacher, app::studios::StudioRole::Mentee).await;
    exec(
        &w.app.pool,
        "insert into training_records (id, user_id, occurred_on, hours, category) values (gen_random_uuid(), $1, current_date, 3.5, 'offline')",
        &[w.teacher],
    )
    .await;
    let host = signed_in(&w.app, "host@xihu.cn").await;
    assert_status(
        &w.app.call(&host, "studio-records/finalise", &[("studio", "xihu-math"), ("year", "")]).await,
        StatusCode::OK,
    );
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let token = create_client(&w.app, &admin, w.xihu, "档案系统", &["records.read"]).await;

    let (status, _, list) = api(&w.app, Some(&token), "/studio-records", "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let version = &list["items"][0];
    assert_eq!((version["studio_slug"].as_str(), version["version"].as_i64()), (Some("xihu-math"), Some(1)));
    assert_eq!(version["superseded"], false);
    let id = version["id"].as_str().expect("id");

    let (status, _, content) = api(&w.app, Some(&token), &format!("/studio-records/{id}"), "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{content}");
    assert_eq!((content["intact"].as_bool(), content["sha256"].as_str()), (Some(true), version["sha256"].as_str()));
    let mentee = &content["record"]["mentees"][0];
    assert_eq!((mentee["name"].as_str(), mentee["hours_tenths"].as_i64()), (Some("林老师"), Some(35)));
    assert!(mentee["growth"].is_null(), "no growth by name without the mentee's consent: {mentee}");
    assert_eq!(content["record"]["others"]["mentees"], 1);
    assert!(content["record"]["others"]["growth"].is_null(), "one mentee is below the small-cell minimum");

    let other_admin = signed_in(&w.app, "admin@xiaoshan.cn").await;
    let other = create_client(&w.app, &other_admin, w.xiaoshan, "档案系统", &["records.read"]).await;
    let (_, _, theirs) = api(&w.app, Some(&other), "/studio-records", "zh-CN").await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0), "another district's studio: {theirs}");
    assert_eq!(api(&w.app, Some(&other), &format!("/studio-records/{id}"), "zh-CN").await.0, StatusCode::NOT_FOUND);
    let hours_only = create_client(&w.app, &admin, w.xihu, "学时系统", &["hours.read"]).await;
    for path in ["/studio-records".to_owned(), format!("/studio-records/{id}")] {
        assert_eq!(api(&w.app, Some(&hours_only), &path, "zh-CN").await.0, StatusCode::FORBIDDEN, "{path}");
    }
}

/// The request `operation` (from the API document) is tested with: its path with the own
/// district's ids in place, and a body where it takes one.
fn matrix_request(app: &TestApp, method: &str, path: &str, school: Uuid, teacher: Uuid) -> reqwest::RequestBuilder {
    let url = format!(
        "{}/api/v1{}",
        app.base,
        path.replace("{serial}", "ABCDEFGHJKLMNPQRSTUV").replace("{id}", &school.to_string())
    );
    let client = app.client();
    match method {
        "get" => client.get(url),
        "post" if path == "/hours/imports" => client
            .post(url)
            .header("idempotency-key", Uuid::new_v4().to_string())
            .json(&serde_json::json!({ "source_system": "省平台", "records": [{
                "teacher_id": teacher, "starts_on": "2026-09-01", "ends_on": "2026-09-02", "hours": 8,
                "category": "online", "title": "网络研修" }] })),
        "post" => client.post(url).json(&serde_json::json!({ "name": format!("新学校{}", Uuid::new_v4().simple()) })),
        "put" if path == "/webhook" => client
            .put(url)
            .json(&serde_json::json!({ "url": "https://hooks.example.cn/atelier", "events": ["hours.credited"] })),
        "put" => client.put(url).json(&serde_json::json!({ "name": "西湖区实验中学更名" })),
        "delete" => client.delete(url),
        other => panic!("no request for {other} {path}"),
    }
    .header("accept-language", "zh-CN")
}

/// What the refused calls could have touched, as one text.
async fn district_state(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "select concat_ws('|',
             (select string_agg(id::text || name || coalesce(stage, '') || status, ',' order by id) from schools),
             (select count(*) from training_records), (select count(*) from hour_imports),
             (select count(*) from webhook_subscriptions))",
    )
    .fetch_one(pool)
    .await
    .expect("state")
}

#[sqlx::test(migrations = "../migrations")]
async fn every_endpoint_refuses_every_wrong_scope_district_and_token_state_and_changes_nothing(pool: PgPool) {
    let w = world(pool).await;
    let pool = w.app.pool.clone();
    let school: Uuid = sqlx::query_scalar("select id from schools where district_id = $1")
        .bind(w.xihu)
        .fetch_one(&pool)
        .await
        .expect("school");
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    let all: Vec<&str> = app::integration::rules::Scope::ALL.iter().map(|s| s.as_str()).collect();
    let mut single = Vec::new();
    for scope in &all {
        single.push((*scope, create_client(&w.app, &admin, w.xihu, &format!("只有 {scope}"), &[scope]).await));
    }
    let expired = create_client(&w.app, &admin, w.xihu, "过期", &all).await;
    exec(
        &pool,
        "update api_clients set created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
         where name = '过期'",
        &[],
    )
    .await;
    let revoked = create_client(&w.app, &admin, w.xihu, "吊销", &all).await;
    exec(&pool, "update api_clients set revoked_at = now() where name = '吊销'", &[]).await;
    let other_admin = signed_in(&w.app, "admin@xiaoshan.cn").await;
    let other = create_client(&w.app, &other_admin, w.xiaoshan, "全部权限", &all).await;

    let document: Value = w.app.get(&w.app.client(), "/api/v1/openapi.json").await.json().await.expect("document");
    let mut operations = Vec::new();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("operations") {
            // None: any token of the client (its own webhook).
            let scope = operation["security"][0]["bearer"][0].as_str().map(str::to_owned);
            operations.push((method.clone(), path.clone(), scope));
        }
    }
    assert!(operations.len() >= 12, "{operations:?}");

    let before = district_state(&pool).await;
    let mut refused = 0;
    for (method, path, scope) in &operations {
        let mut callers: Vec<(String, Option<&str>, &str)> = vec![
            ("no token".into(), None, "token-missing"),
            ("an expired token".into(), Some(&expired), "token-expired"),
            ("a revoked token".into(), Some(&revoked), "token-revoked"),
        ];
        for (other_scope, token) in single.iter().filter(|(s, _)| scope.as_deref().is_some_and(|scope| scope != *s)) {
            callers.push((format!("a {other_scope} token"), Some(token.as_str()), "insufficient-scope"));
        }
        for (who, token, code) in callers {
            let mut request = matrix_request(&w.app, method, path, school, w.teacher);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("call");
            let status = response.status();
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{method} {path}, {who}");
            let body = response.text().await.expect("body");
            let problem: Value = serde_json::from_str(&body).expect("problem");
            assert_eq!(problem["code"], code, "{method} {path}, {who}: {status} {body}");
            assert!(!body.contains("林老师") && !body.contains(&school.to_string()), "{method} {path}, {who} leaked");
            refused += 1;
        }
    }
    assert_eq!(district_state(&pool).await, before, "{refused} refused calls changed nothing");

    for (method, path, scope) in &operations {
        let token = match scope {
            Some(scope) => &single.iter().find(|(s, _)| s == scope).expect("the scope's token").1,
            None => &single[0].1,
        };
        let status = matrix_request(&w.app, method, path, school, w.teacher)
            .bearer_auth(token)
            .send()
            .await
            .expect("call")
            .status();
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status),
            "{method} {path} as {scope:?}: {status}"
        );

        let response =
            matrix_request(&w.app, method, path, school, w.teacher).bearer_auth(&other).send().await.expect("call");
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(
            !body.contains("林老师") && !body.contains("王老师") && !body.contains(&school.to_string()),
            "{method} {path}: 萧山区 sees nothing of 西湖区: {body}"
        );
        if path.contains('{') || path == "/hours/imports" {
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                "{method} {path}: 西湖区's is not 萧山区's to read or write: {status} {body}"
            );
        }
    }
    let name: String =
        sqlx::query_scalar("select name from schools where id = $1").bind(school).fetch_one(&pool).await.expect("name");
    assert_eq!(name, "西湖区实验中学更名", "renamed once, by its own district's roster.write token only");
}
