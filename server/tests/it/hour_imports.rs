//! Hours through the integration API: a district's system imports hours its teachers earned
//! elsewhere (all of an import or none, once however often it is retried) and reads each
//! teacher's yearly totals against the district's quotas.

use crate::integration_api::{api, create_client, feed_until, signed_in, world, World};
use crate::support::TestApp;
use chrono::{Days, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Instant;
use uuid::Uuid;

async fn post_import(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = app
        .client()
        .post(format!("{}/api/v1/hours/imports", app.base))
        .bearer_auth(token)
        .header("accept-language", "zh-CN")
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("import");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn today() -> NaiveDate {
    app::districts::dashboard::store::today()
}

fn days_ago(n: u64) -> String {
    today().checked_sub_days(Days::new(n)).expect("date").to_string()
}

/// A one-day course of `hours` for `teacher`, ending `ago` days before today.
fn course(teacher: Uuid, ago: u64, hours: f64, n: usize) -> Value {
    json!({
        "teacher_id": teacher,
        "starts_on": days_ago(ago),
        "ends_on": days_ago(ago),
        "hours": hours,
        "category": "online",
        "title": format!("新课标网络研修第{n}讲"),
        "external_id": format!("ZJ-{n}"),
    })
}

async fn host_of(w: &World) -> Uuid {
    sqlx::query_scalar("select id from users where email = 'host@xihu.cn'").fetch_one(&w.app.pool).await.expect("host")
}

async fn imported(pool: &PgPool) -> (i64, f64) {
    sqlx::query_as(
        "select count(*), coalesce(sum(hours), 0)::float8 from training_records where source_kind = 'import'",
    )
    .fetch_one(pool)
    .await
    .expect("imported")
}

async fn hours_token(w: &World, scopes: &[&str]) -> String {
    let admin = signed_in(&w.app, "admin@xihu.cn").await;
    create_client(&w.app, &admin, w.xihu, &format!("省培训平台 {}", scopes.join(" ")), scopes).await
}

#[sqlx::test(migrations = "../migrations")]
async fn an_import_of_ten_thousand_records_is_stored_in_one_call_and_counts_toward_the_year(pool: PgPool) {
    let w = world(pool).await;
    let host = host_of(&w).await;
    let token = hours_token(&w, &["hours.write", "hours.read"]).await;
    let teachers = [w.teacher, host];
    // Every course ends today, so all of them fall in the current quota year.
    let records: Vec<Value> = (0..10_000)
        .map(|i| {
            let mut record = course(teachers[i % 2], 0, 1.5, i);
            record["starts_on"] = json!(days_ago((i % 10) as u64));
            record
        })
        .collect();
    let body = json!({ "source_system": "浙江省教师培训管理平台", "records": records });
    let started = Instant::now();
    let (status, receipt) = post_import(&w.app, &token, Some("2026-12-import-1"), &body).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    eprintln!("import: 10,000 records in {} ms, {:.0} records/s", took.as_millis(), 10_000.0 / took.as_secs_f64());
    assert_eq!((receipt["record_count"].as_i64(), receipt["hours"].as_f64()), (Some(10_000), Some(15_000.0)));
    assert_eq!(imported(&w.app.pool).await, (10_000, 15_000.0));

    let (status, _, totals) = api(&w.app, Some(&token), "/hours/totals?limit=1", "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{totals}");
    assert_eq!(totals["has_more"], true);
    let first = &totals["items"][0];
    assert_eq!((first["hours"].as_f64(), first["by_category"]["online"].as_f64()), (Some(7_500.0), Some(7_500.0)));
    assert_eq!((first["quota_met"].as_bool(), first["cycle_hours"].as_f64()), (Some(true), Some(7_500.0)));
    let cursor = totals["next_cursor"].as_str().expect("cursor");
    let (_, _, rest) = api(&w.app, Some(&token), &format!("/hours/totals?cursor={cursor}"), "zh-CN").await;
    let mut ids = vec![first["teacher_id"].clone(), rest["items"][0]["teacher_id"].clone()];
    ids.sort_by_key(|id| id.to_string());
    let mut expected = vec![json!(w.teacher), json!(host)];
    expected.sort_by_key(|id| id.to_string());
    assert_eq!((ids, rest["has_more"].as_bool()), (expected, Some(false)), "each teacher once, in id order");

    let feed =
        feed_until(&w.app, &token, "/hours/records?limit=1", |p| p["items"].as_array().is_some_and(|i| !i.is_empty()))
            .await;
    let record = &feed["items"][0]["record"];
    assert_eq!(record["source"], "import");
    assert_eq!(record["source_system"], "浙江省教师培训管理平台");
    assert!(record["external_id"].as_str().is_some_and(|id| id.starts_with("ZJ-")), "{record}");
    assert!(record["starts_on"].is_string());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_retried_import_gets_its_first_receipt_and_credits_nothing_twice(pool: PgPool) {
    let w = world(pool).await;
    let token = hours_token(&w, &["hours.write"]).await;
    let body =
        json!({ "source_system": "省平台", "records": [course(w.teacher, 3, 6.0, 1), course(w.teacher, 2, 4.5, 2)] });

    let (status, first) = post_import(&w.app, &token, Some("retry-me"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = post_import(&w.app, &token, Some("retry-me"), &body).await;
    assert_eq!((status, &again), (StatusCode::OK, &first), "the first receipt, again");
    assert_eq!(imported(&w.app.pool).await, (2, 10.5));

    let other = json!({ "source_system": "省平台", "records": [course(w.teacher, 3, 8.0, 1)] });
    let (status, problem) = post_import(&w.app, &token, Some("retry-me"), &other).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("idempotency-key-reused")));
    assert_eq!(imported(&w.app.pool).await, (2, 10.5), "a reused key stores nothing");

    // Two calls with one key at once: one stores, the other waits for it and replays it.
    let third = json!({ "source_system": "省平台", "records": [course(w.teacher, 1, 2.0, 3)] });
    let (a, b) = tokio::join!(
        post_import(&w.app, &token, Some("twice-at-once"), &third),
        post_import(&w.app, &token, Some("twice-at-once"), &third)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);
    assert_eq!(a.1["id"], b.1["id"]);
    assert_eq!(imported(&w.app.pool).await, (3, 12.5));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_import_with_one_bad_record_stores_nothing_and_names_it(pool: PgPool) {
    let w = world(pool).await;
    let stranger: Uuid = sqlx::query_scalar("select id from users where email = 'host@xiaoshan.cn'")
        .fetch_one(&w.app.pool)
        .await
        .expect("stranger");
    let token = hours_token(&w, &["hours.write"]).await;
    let mut records: Vec<Value> = (0..6).map(|i| course(w.teacher, 5, 2.0, i)).collect();
    records[2]["ends_on"] = json!(today().checked_add_days(Days::new(1)).expect("tomorrow").to_string());
    records[4]["hours"] = json!(30);
    let (status, problem) =
        post_import(&w.app, &token, Some("bad-1"), &json!({ "source_system": "省平台", "records": records })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unprocessable")));
    let named: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().map(|e| e["name"].as_str().expect("name")).collect();
    assert_eq!(named, ["records[2].ends_on", "records[4].hours"]);
    assert!(problem["errors"][0]["detail"].as_str().expect("detail").contains("今天"), "{problem}");

    records[2] = course(w.teacher, 5, 2.0, 2);
    records[4] = course(stranger, 5, 2.0, 4);
    let (status, problem) =
        post_import(&w.app, &token, Some("bad-1"), &json!({ "source_system": "省平台", "records": records })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["name"], "records[4].teacher_id", "another district's teacher: {problem}");
    assert_eq!(imported(&w.app.pool).await, (0, 0.0), "nothing of either import");

    let mut malformed =
        json!({ "source_system": "省平台", "records": [course(w.teacher, 5, 2.0, 0), course(w.teacher, 5, 2.0, 1)] });
    malformed["records"][1]["hours"] = json!("两小时");
    let (status, problem) = post_import(&w.app, &token, Some("bad-2"), &malformed).await;
    assert_eq!((status, problem["errors"][0]["name"].as_str()), (StatusCode::BAD_REQUEST, Some("records[1].hours")));

    let (status, problem) =
        post_import(&w.app, &token, None, &json!({ "source_system": "省平台", "records": [] })).await;
    assert_eq!((status, problem["errors"][0]["name"].as_str()), (StatusCode::BAD_REQUEST, Some("Idempotency-Key")));

    let plain = w
        .app
        .client()
        .post(format!("{}/api/v1/hours/imports", w.app.base))
        .bearer_auth(&token)
        .header("idempotency-key", "plain")
        .body("source_system=x")
        .send()
        .await
        .expect("plain");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(plain.headers()["content-type"], "application/problem+json");

    let reader = hours_token(&w, &["hours.read"]).await;
    let (status, problem) =
        post_import(&w.app, &reader, Some("no-scope"), &json!({ "source_system": "省平台", "records": records })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient-scope")));
    assert_eq!(imported(&w.app.pool).await, (0, 0.0), "refused calls store nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn imported_hours_show_in_the_ledger_unedited_and_leave_the_days_cap_alone(pool: PgPool) {
    let w = world(pool).await;
    let token = hours_token(&w, &["hours.write"]).await;
    let mut week = course(w.teacher, 0, 40.0, 1);
    week["starts_on"] = json!(days_ago(4));
    let (status, receipt) =
        post_import(&w.app, &token, Some("week"), &json!({ "source_system": "省平台", "records": [week] })).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");

    let teacher = signed_in(&w.app, "teacher@xihu.cn").await;
    let logged = w
        .app
        .call(&teacher, "hours/log", &[("occurred_on", &days_ago(0)), ("hours", "20"), ("category", "offline")])
        .await;
    assert_eq!(logged.status(), StatusCode::OK, "the course's 40 hours are not today's");

    let ledger: Value = w.app.call(&teacher, "hours/ledger", &[]).await.json().await.expect("ledger");
    let records = ledger["records"].as_array().expect("records");
    let course = records.iter().find(|r| r["source_kind"] == "import").expect("the imported course");
    assert_eq!((course["tenths"].as_i64(), course["source_system"].as_str()), (Some(400), Some("省平台")));
    assert_eq!(course["starts_on"], days_ago(4));
    assert_eq!(ledger["total_tenths"], 600);

    let id = course["id"].as_str().expect("id");
    let edit = w
        .app
        .call(
            &teacher,
            "hours/update",
            &[("record", id), ("occurred_on", &days_ago(0)), ("hours", "80"), ("category", "online")],
        )
        .await;
    assert!(edit.status().is_client_error(), "{}", edit.status());
    assert_eq!(imported(&w.app.pool).await, (1, 40.0), "unchanged");
}

#[sqlx::test(migrations = "../migrations")]
async fn yearly_totals_are_of_the_districts_teachers_and_a_year_it_keeps(pool: PgPool) {
    let w = world(pool).await;
    let token = hours_token(&w, &["hours.read"]).await;
    let (status, _, totals) = api(&w.app, Some(&token), "/hours/totals", "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{totals}");
    let names: Vec<&str> =
        totals["items"].as_array().expect("items").iter().map(|t| t["teacher_name"].as_str().expect("name")).collect();
    assert_eq!(names.len(), 2, "林老师 and 王老师, none of 萧山区: {totals}");
    assert!(names.contains(&"林老师") && names.contains(&"王老师"));
    assert_eq!(
        (totals["items"][0]["hours"].as_f64(), totals["items"][0]["quota_met"].as_bool()),
        (Some(0.0), Some(false))
    );

    let (status, _, past) = api(&w.app, Some(&token), "/hours/totals?year=2001", "zh-CN").await;
    assert_eq!((status, past["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "a year without rows");
    for bad in ["year=1999", "year=next", "year=2101", "year=", "cursor=x"] {
        let (status, _, problem) = api(&w.app, Some(&token), &format!("/hours/totals?{bad}"), "en").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
    }
    let writer = hours_token(&w, &["hours.write"]).await;
    assert_eq!(api(&w.app, Some(&writer), "/hours/totals", "zh-CN").await.0, StatusCode::FORBIDDEN);
}
