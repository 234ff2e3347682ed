//! The district dashboard, the school page and a teacher's record: who may see what, small cells
//! suppressed, consent obeyed and logged, bad input answered with field errors.

use crate::support::{assert_status, builders, error_json, field_error, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// `n` teachers of `school` in `district` (by profile text), each credited `hours(i)` hours of
/// offline training on 2026-03-01 (none when 0).
async fn teachers(
    pool: &PgPool,
    prefix: &str,
    school: &str,
    district: &str,
    n: usize,
    hours: impl Fn(usize) -> i64,
) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = builders::user(pool, &format!("{prefix}{i}@dash.cn"), &format!("{prefix}{i}"), false).await;
        sqlx::query("update users set school = $2, district = $3 where id = $1")
            .bind(id)
            .bind(school)
            .bind(district)
            .execute(pool)
            .await
            .expect("school");
        ids.push(id);
    }
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    for (i, id) in ids.iter().enumerate() {
        let mut left = hours(i);
        // At most 24 hours a record, so a large total is several days.
        let mut day = 0;
        while left > 0 {
            let h = left.min(20);
            sqlx::query(
                "insert into training_records (id, user_id, occurred_on, hours, category)
                 values (gen_random_uuid(), $1, date '2026-03-01' + $2, $3, 'offline')",
            )
            .bind(id)
            .bind(day)
            .bind(h as i32)
            .execute(pool)
            .await
            .expect("record");
            left -= h;
            day += 1;
        }
    }
    ids
}

/// 西湖区: its admin (a teacher of 西湖区实验中学 with no hours) and 11 more teachers there with
/// 10, 20 … 110 hours; 8 teachers of 文澜中学 with none; 3 of 西湖区第二小学 with 50 each.
/// 滨江区 has an admin of its own and 6 teachers.
struct World {
    experimental: Vec<Uuid>,
    wenlan: Vec<Uuid>,
}

async fn world(pool: &PgPool) -> World {
    builders::user(pool, "admin@xihu.cn", "西湖区管理员", true).await;
    let experimental = teachers(pool, "exp", "西湖区实验中学", "西湖区", 11, |i| (i as i64 + 1) * 10).await;
    let wenlan = teachers(pool, "wl", "文澜中学", "西湖区", 8, |_| 0).await;
    teachers(pool, "small", "西湖区第二小学", "西湖区", 3, |_| 50).await;
    teachers(pool, "bj", "滨江一中", "滨江区", 6, |_| 30).await;
    builders::user(pool, "admin@binjiang.cn", "滨江区管理员", false).await;
    builders::district_admin_of(pool, "admin@binjiang.cn", "滨江区").await;
    sqlx::query("update users set school = '滨江一中', district = '滨江区' where email = 'admin@binjiang.cn'")
        .execute(pool)
        .await
        .expect("admin school");
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    sqlx::query(
        "insert into school_leaders (school_id, user_id)
         select school_id, id from users where email in ('exp0@dash.cn', 'wl0@dash.cn')",
    )
    .execute(pool)
    .await
    .expect("leaders");
    World { experimental, wenlan }
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, builders::PASSWORD).await, StatusCode::OK);
    client
}

async fn id_of(pool: &PgPool, table: &str, name: &str) -> String {
    sqlx::query_scalar(&format!("select id::text from {table} where name = $1"))
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("id")
}

async fn json(response: reqwest::Response) -> Value {
    assert_status(&response, StatusCode::OK);
    response.json().await.expect("json")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_dashboard_hides_a_small_school_and_the_next_smallest_and_shows_the_years_figures(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let d =
        json(app.call(&admin, "district/dashboard", &[("year", "2026"), ("sort", "median"), ("dir", "desc")]).await)
            .await;
    assert_eq!(d["district"][1], "西湖区");
    assert_eq!(d["min_cell"], 5);
    let f = &d["figures"];
    assert_eq!(f["teachers"], 23);
    // 9 with nothing, then 10, 20, 30 … hours: the 12th of 23 is 30 hours.
    assert_eq!(f["hours"]["median_tenths"], 300);
    assert_eq!(f["hours"]["complete_percent"], 9, "2 of 23 reached 96 hours");
    // The admin's home shows the same figures of the current year, read by a query of its own.
    let home = json(app.call(&admin, "home", &[]).await).await;
    let headline = &home["dashboard"];
    assert_eq!(headline["year"], d["year"]["year"]);
    assert_eq!(
        (&headline["teachers"], &headline["median_tenths"], &headline["on_track_percent"]),
        (&f["teachers"], &f["hours"]["median_tenths"], &f["hours"]["on_track_percent"])
    );
    let bands: Vec<Value> = f["hours"]["histogram"].as_array().expect("bands").iter().map(|b| b[1].clone()).collect();
    assert_eq!(bands, vec![json!(9), Value::Null, Value::Null, json!(6), Value::Null, Value::Null]);
    let schools = d["schools"].as_array().expect("schools");
    let names: Vec<&str> = schools.iter().map(|s| s["name"].as_str().unwrap_or_default()).collect();
    assert_eq!(names, vec!["西湖区实验中学", "文澜中学", "西湖区第二小学"], "shown first, hidden after by name");
    assert_eq!(schools[0]["teachers"], 12);
    assert_eq!(schools[0]["median_tenths"], 500);
    assert_eq!(schools[1]["teachers"], Value::Null, "8 teachers, hidden so that the 3 cannot be worked out");
    assert_eq!(schools[2]["teachers"], Value::Null);
    assert_eq!(schools[2]["median_tenths"], Value::Null);
    let trend = f["trend"].as_array().expect("trend");
    assert_eq!(trend.last().map(|p| p["year"].clone()), Some(json!(2026)));

    let page = app.get(&admin, "/district?year=2026").await.text().await.expect("html");
    assert!(page.contains("少于 5 人"), "suppressed cells read 'fewer than 5'");
    assert!(page.contains("<svg") && page.contains("role=\"img\""), "charts are labelled SVG");
    assert!(page.contains("/district/schools/"), "each school row drills down");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_a_districts_admins_see_its_dashboard_and_only_its_leaders_and_admins_a_school(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let xihu = id_of(&pool, "districts", "西湖区").await;
    let experimental = id_of(&pool, "schools", "西湖区实验中学").await;
    let wenlan = id_of(&pool, "schools", "文澜中学").await;
    let dashboard = [("district", xihu.as_str())];
    let school = |id: &str| vec![("school", id.to_owned())];

    let anonymous = app.client();
    assert_status(&app.call(&anonymous, "district/dashboard", &[]).await, StatusCode::UNAUTHORIZED);
    assert_status(
        &app.call(&anonymous, "district/school", &[("school", experimental.as_str())]).await,
        StatusCode::UNAUTHORIZED,
    );

    // A teacher, and a school leader, administer no district: nothing to show.
    for email in ["wl3@dash.cn", "exp0@dash.cn"] {
        let client = signed_in(&app, email).await;
        assert_eq!(json(app.call(&client, "district/dashboard", &[]).await).await, Value::Null);
        assert_status(&app.call(&client, "district/dashboard", &dashboard).await, StatusCode::NOT_FOUND);
    }
    let teacher = signed_in(&app, "wl3@dash.cn").await;
    let not_found = error_json(app.call(&teacher, "district/school", &[("school", experimental.as_str())]).await).await;

    // A leader sees their own school only.
    let leader = signed_in(&app, "exp0@dash.cn").await;
    let own = json(app.call(&leader, "district/school", &[("school", experimental.as_str())]).await).await;
    assert_eq!(own["name"], "西湖区实验中学");
    assert_eq!(own["figures"]["teachers"], 12);
    let other = app.call(&leader, "district/school", &[("school", wenlan.as_str())]).await;
    assert_status(&other, StatusCode::NOT_FOUND);
    assert_eq!(error_json(other).await, not_found, "the same answer as for anyone");

    // Another district's admin gets their own dashboard, and 404 for this district and its schools.
    let binjiang = signed_in(&app, "admin@binjiang.cn").await;
    assert_eq!(json(app.call(&binjiang, "district/dashboard", &[]).await).await["district"][1], "滨江区");
    assert_status(&app.call(&binjiang, "district/dashboard", &dashboard).await, StatusCode::NOT_FOUND);
    assert_status(
        &app.call(&binjiang, "district/school", &[("school", experimental.as_str())]).await,
        StatusCode::NOT_FOUND,
    );

    // The district's own admin sees every school of it.
    let admin = signed_in(&app, "admin@xihu.cn").await;
    for id in [&experimental, &wenlan] {
        let form = school(id);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_status(&app.call(&admin, "district/school", &form).await, StatusCode::OK);
    }
    let html = app.get(&admin, &format!("/district/schools/{wenlan}")).await.text().await.expect("html");
    assert!(html.contains("文澜中学") && html.contains("少于 5 人"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_teachers_record_opens_only_with_consent_answers_like_a_stranger_without_and_is_logged(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let w = world(&pool).await;
    let teacher_id = w.experimental[5].to_string();
    let form = [("teacher", teacher_id.as_str())];
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let leader = signed_in(&app, "exp0@dash.cn").await;
    let other_leader = signed_in(&app, "wl0@dash.cn").await;
    let binjiang = signed_in(&app, "admin@binjiang.cn").await;
    let stranger = Uuid::new_v4().to_string();
    let nobody = error_json(app.call(&admin, "district/teacher", &[("teacher", stranger.as_str())]).await).await;

    for client in [&admin, &leader, &other_leader, &binjiang] {
        let answer = app.call(client, "district/teacher", &form).await;
        assert_status(&answer, StatusCode::NOT_FOUND);
        assert_eq!(error_json(answer).await, nobody, "no consent reads as no such teacher");
    }
    let teacher = signed_in(&app, "exp5@dash.cn").await;
    assert_status(&app.call(&teacher, "district/set-sharing", &[("with_district", "on")]).await, StatusCode::OK);
    let record = json(app.call(&admin, "district/teacher", &form).await).await;
    assert_eq!(record["name"], "exp5");
    assert_eq!(record["total_tenths"], 600, "60 hours credited this quota year");
    for client in [&leader, &other_leader, &binjiang] {
        assert_status(&app.call(client, "district/teacher", &form).await, StatusCode::NOT_FOUND);
    }
    assert_status(&app.call(&teacher, "district/set-sharing", &[("with_school", "on")]).await, StatusCode::OK);
    assert_status(&app.call(&leader, "district/teacher", &form).await, StatusCode::OK);
    assert_status(&app.call(&admin, "district/teacher", &form).await, StatusCode::NOT_FOUND);
    assert_status(&app.call(&other_leader, "district/teacher", &form).await, StatusCode::NOT_FOUND);

    let views = json(app.call(&teacher, "district/record-views", &[]).await).await;
    let seen: Vec<(Value, Value)> = views["views"]
        .as_array()
        .expect("views")
        .iter()
        .map(|v| (v["viewer_name"].clone(), v["capacity"].clone()))
        .collect();
    assert_eq!(seen, vec![(json!("exp0"), json!("school_leader")), (json!("西湖区管理员"), json!("district_admin"))]);

    // On the school page the leader finds the teacher by name; other teachers are only counted.
    let school = id_of(&pool, "schools", "西湖区实验中学").await;
    let page = json(app.call(&leader, "district/school", &[("school", school.as_str())]).await).await;
    let named: Vec<Value> = page["named"].as_array().expect("named").iter().map(|t| t["name"].clone()).collect();
    assert_eq!(named, vec![json!("exp5")]);
    assert_eq!(page["figures"]["shared"], 1);
    let _ = w.wenlan;
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn malformed_years_sort_keys_and_ids_get_translated_answers_never_a_500(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let xihu = id_of(&pool, "districts", "西湖区").await;
    for (field, value, expected) in [
        ("year", "abc", "District:ErrYear"),
        ("year", "2000", "District:ErrYear"),
        ("year", "2027", "District:ErrYear"),
        ("year", "99999999999999", "District:ErrYear"),
        ("sort", "password", "ErrChoiceUnknown"),
        ("dir", "sideways", "ErrChoiceUnknown"),
        ("studio_sort", "1; drop table users", "ErrChoiceUnknown"),
    ] {
        let answer = app.call(&admin, "district/dashboard", &[(field, value)]).await;
        assert_status(&answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&error_json(answer).await, field).as_deref(), Some(expected), "{field}={value}");
    }
    for bad in ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        assert_status(&app.call(&admin, "district/school", &[("school", bad)]).await, StatusCode::NOT_FOUND);
        assert_status(&app.call(&admin, "district/teacher", &[("teacher", bad)]).await, StatusCode::NOT_FOUND);
    }
    assert_status(&app.call(&admin, "district/dashboard", &[("district", "x")]).await, StatusCode::NOT_FOUND);
    assert_status(&app.call(&admin, "district/dashboard", &[("studio_page", "-1")]).await, StatusCode::BAD_REQUEST);
    let rules = |quota: &'static str, month: &'static str| {
        vec![
            ("district", xihu.clone()),
            ("quota", quota.into()),
            ("start_month", month.into()),
            ("cycle_start", "2026".into()),
            ("cycle_quota", "360".into()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&admin, "district/set-rules", &form).await
        }
    };
    let bad = send(rules("0", "13")).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = error_json(bad).await;
    assert_eq!(field_error(&bad, "quota").as_deref(), Some("District:ErrQuota"));
    assert_eq!(field_error(&bad, "start_month").as_deref(), Some("ErrChoiceUnknown"));
    let month: Option<i32> = sqlx::query_scalar("select year_start_month from districts where name = '西湖区'")
        .fetch_one(&pool)
        .await
        .expect("month");
    assert_ne!(month, Some(13), "nothing changed");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_new_quota_year_start_regroups_the_hours_and_only_the_districts_admin_may_set_it(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    // exp10 (110 hours in March 2026) also did 260 hours in March 2024: 370 in the 2021 cycle.
    sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, category)
         select gen_random_uuid(), id, date '2024-03-01' + day, 20, 'course'
         from users cross join generate_series(0, 12) day where email = 'exp10@dash.cn'",
    )
    .execute(&pool)
    .await
    .expect("earlier hours");
    let xihu = id_of(&pool, "districts", "西湖区").await;
    let form = [
        ("district", xihu.as_str()),
        ("quota", "72"),
        ("start_month", "9"),
        ("cycle_start", "2021"),
        ("cycle_quota", "360"),
    ];
    let binjiang = signed_in(&app, "admin@binjiang.cn").await;
    assert_status(&app.call(&binjiang, "district/set-rules", &form).await, StatusCode::NOT_FOUND);
    let teacher = signed_in(&app, "wl3@dash.cn").await;
    assert_status(&app.call(&teacher, "district/set-rules", &form).await, StatusCode::NOT_FOUND);
    let admin = signed_in(&app, "admin@xihu.cn").await;
    assert_status(&app.call(&admin, "district/set-rules", &form).await, StatusCode::OK);

    // March 2026 now belongs to the year from September 2025.
    let d = json(app.call(&admin, "district/dashboard", &[("year", "2025")]).await).await;
    assert_eq!(d["year"]["start"], "2025-09-01");
    assert_eq!(d["year"]["rules"]["quota_tenths"], 720);
    assert_eq!(d["figures"]["teachers"], 14, "the 14 teachers credited that year");
    assert_eq!(d["figures"]["hours"]["cycle"], json!([2021, 2025]));
    assert_eq!(d["figures"]["hours"]["cycle_complete_percent"], 7, "exp10 alone did 360 hours in the cycle: 1 of 14");
    assert_eq!(d["figures"]["hours"]["complete_percent"], 29, "72 hours that year: exp7 to exp10, 4 of 14");
    let now = json(app.call(&admin, "district/dashboard", &[]).await).await;
    assert_eq!(now["year"]["year"], 2026);
    assert_eq!(now["figures"]["teachers"], 23, "every teacher counts in the current year");
    assert_eq!(now["figures"]["hours"]["median_tenths"], 0);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_tables_and_a_schools_hours_list_download_as_workbooks_that_excel_readers_open(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let schools =
        crate::support::download_workbook(&app, &admin, "/district/export/schools.xlsx?year=2026&sort=median&dir=desc")
            .await;
    assert_eq!(schools[0]["name"], "西湖区 2026");
    let rows = schools[0]["rows"].as_array().expect("rows");
    assert_eq!(rows[0], json!(["学校", "教师", "学时中位数", "完成率", "工作室"]));
    assert_eq!(rows[1], json!(["西湖区实验中学", 12, 50, 17, 0]));
    assert_eq!(rows[2][1], "少于 5 人", "suppressed as on the page");
    assert_eq!(rows.len(), 4);

    let school = id_of(&pool, "schools", "西湖区实验中学").await;
    let path = format!("/district/schools/{school}/hours.xlsx?year=2026");
    let leader = signed_in(&app, "exp0@dash.cn").await;
    for client in [&admin, &leader] {
        let hours = crate::support::download_workbook(&app, client, &path).await;
        let rows = hours[0]["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 13, "a header and all 12 teachers by name: an administrative list");
        assert_eq!(rows[0][0], "姓名");
        let exp10 = rows.iter().find(|r| r[0] == "exp10").expect("exp10");
        assert_eq!(exp10[3], 110, "offline hours");
        assert_eq!(exp10[8], 110, "the total");
        assert_eq!(exp10[10], "是", "110 of 96 hours: complete");
    }
    let studios = crate::support::download_workbook(&app, &admin, "/district/export/studios.xlsx?year=2026").await;
    assert_eq!(studios[0]["rows"][0][0], "工作室");

    assert_status(&app.get(&app.client(), &path).await, StatusCode::UNAUTHORIZED);
    for email in ["admin@binjiang.cn", "wl0@dash.cn", "wl3@dash.cn"] {
        let other = signed_in(&app, email).await;
        assert_status(&app.get(&other, &path).await, StatusCode::NOT_FOUND);
    }
    let teacher = signed_in(&app, "wl3@dash.cn").await;
    assert_status(&app.get(&teacher, "/district/export/schools.xlsx").await, StatusCode::NOT_FOUND);
    assert_status(&app.get(&admin, "/district/export/schools.xlsx?year=1999").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_status(&app.get(&admin, "/district/schools/nonsense/hours.xlsx").await, StatusCode::NOT_FOUND);
}
