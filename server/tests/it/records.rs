//! A teacher's development record: written from what Atelier already holds, one quota year at a
//! time, for the teacher and (read-only, with consent) their district.

use crate::support::{assert_status, builders, download_workbook, error_json, field_error, TestApp};
use app::studios::StudioRole;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// 王老师 of 西湖区实验中学 and what they did:
/// * taught 《勾股定理》 on 2026-03-10 (2 checked in, from 2 schools; a third booked and did not
///   come) and 《函数》 on 2025-05-01; observed the host's lesson on 2026-04-01;
/// * is a member of a lesson study opened 2026-02-01;
/// * was credited 1.5 h (open lesson) and 10 h (course) in 2026, 20 h (offline) in 2025 and
///   5 h (online) in 2021.
struct World {
    teacher: Uuid,
    taught: Uuid,
}

async fn world(pool: &PgPool) -> World {
    let teacher = builders::user(pool, "wang@rec.cn", "王老师", false).await;
    let host = builders::user(pool, "host@rec.cn", "主持人", false).await;
    builders::user(pool, "colleague@rec.cn", "同校老师", false).await;
    let visitors = builders::observers(pool, 2).await;
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    let studio = builders::studio(pool, "rec-studio", "数学名师工作室", host).await;
    builders::member(pool, studio, teacher, StudioRole::Mentee).await;
    let lesson = |teacher: Uuid, title: &'static str, at: &str| {
        let mut lesson = builders::Lesson::new(studio, teacher);
        lesson.title = title;
        lesson.starts_at = at.parse().expect("time");
        lesson.status = app::lessons::LessonStatus::Done;
        lesson.insert(pool)
    };
    let taught = lesson(teacher, "《勾股定理》研究课", "2026-03-10T02:00:00Z").await;
    lesson(teacher, "《函数》研究课", "2025-05-01T02:00:00Z").await;
    let observed = lesson(host, "主持人示范课", "2026-04-01T02:00:00Z").await;
    let book = |lesson: Uuid, email: String, came: bool| async move {
        sqlx::query(
            "insert into bookings (id, lesson_id, user_id, status, checked_in_at)
             select gen_random_uuid(), $1, id, 'confirmed', case when $3 then now() end from users where email = $2",
        )
        .bind(lesson)
        .bind(email)
        .bind(came)
        .execute(pool)
        .await
        .expect("booking");
    };
    book(taught, "colleague@rec.cn".into(), true).await;
    book(taught, visitors[0].clone(), true).await;
    book(taught, visitors[1].clone(), false).await;
    book(observed, "wang@rec.cn".into(), true).await;
    let study = Uuid::new_v4();
    sqlx::query(
        "insert into studies (id, studio_id, title, lead_id, created_by, created_at)
         values ($1, $2, '勾股定理课例研究', $3, $3, '2026-02-01T02:00:00Z')",
    )
    .bind(study)
    .bind(studio)
    .bind(host)
    .execute(pool)
    .await
    .expect("study");
    sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, 'lead'), ($1, $3, 'member')")
        .bind(study)
        .bind(host)
        .bind(teacher)
        .execute(pool)
        .await
        .expect("study members");
    for (day, hours, category) in [
        ("2026-03-10", 1.5, "open_lesson"),
        ("2026-06-01", 10.0, "course"),
        ("2025-06-01", 20.0, "offline"),
        ("2021-06-01", 5.0, "online"),
    ] {
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category)
             values (gen_random_uuid(), $1, $2::date, $3::numeric(4, 1), $4)",
        )
        .bind(teacher)
        .bind(day)
        .bind(hours)
        .bind(category)
        .execute(pool)
        .await
        .expect("record");
    }
    World { teacher, taught }
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, builders::PASSWORD).await, StatusCode::OK);
    client
}

async fn json(response: reqwest::Response) -> Value {
    assert_status(&response, StatusCode::OK);
    response.json().await.expect("json")
}

fn category(record: &Value, code: &str) -> Value {
    record["by_category"].as_array().expect("categories").iter().find(|c| c[0] == code).expect(code)[1].clone()
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_teachers_record_gathers_the_years_hours_lessons_and_studies_without_typing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let teacher = signed_in(&app, "wang@rec.cn").await;

    let record = json(app.call(&teacher, "records/mine", &[("year", "2026")]).await).await;
    assert_eq!(record["id"], world.teacher.to_string());
    assert_eq!(record["school"], "西湖区实验中学");
    assert_eq!(record["total_tenths"], 115);
    assert_eq!(category(&record, "open_lesson"), 15);
    assert_eq!(category(&record, "course"), 100);
    assert_eq!(category(&record, "offline"), 0);
    assert_eq!(record["cycle"], json!([2026, 2030]));
    assert_eq!(record["cycle_tenths"], 115, "the 2026 cycle has only this year so far");
    let years: Vec<(Value, Value)> = record["years"]
        .as_array()
        .expect("years")
        .iter()
        .map(|y| (y["year"].clone(), y["total_tenths"].clone()))
        .collect();
    assert_eq!(
        years,
        vec![
            (json!(2022), json!(0)),
            (json!(2023), json!(0)),
            (json!(2024), json!(0)),
            (json!(2025), json!(200)),
            (json!(2026), json!(115))
        ]
    );
    let taught = record["taught"].as_array().expect("taught");
    assert_eq!(taught.len(), 1, "only this year's lesson");
    assert_eq!(taught[0]["id"], world.taught.to_string());
    assert_eq!(taught[0]["observers"], 2, "the one who booked and did not come is not counted");
    assert_eq!(taught[0]["schools"], 2);
    let observed = record["observed"].as_array().expect("observed");
    assert_eq!(observed.iter().map(|l| l["title"].clone()).collect::<Vec<_>>(), vec![json!("主持人示范课")]);
    let studies = record["studies"].as_array().expect("studies");
    assert_eq!(studies.len(), 1);
    assert_eq!((studies[0]["title"].clone(), studies[0]["role"].clone()), (json!("勾股定理课例研究"), json!("member")));

    // Last year: its own hours and lessons, and the 2021 cycle's hours up to it.
    let last_year = json(app.call(&teacher, "records/mine", &[("year", "2025")]).await).await;
    assert_eq!(last_year["total_tenths"], 200);
    assert_eq!(last_year["cycle"], json!([2021, 2025]));
    assert_eq!(last_year["cycle_tenths"], 250, "5 hours in 2021 and 20 in 2025");
    assert_eq!(last_year["taught"][0]["title"], "《函数》研究课");
    assert_eq!(last_year["studies"], json!([]), "the study opened in 2026");

    // The page itself, rendered on the server (no JavaScript needed).
    let page = app.get(&teacher, "/me/record?year=2026").await;
    assert_status(&page, StatusCode::OK);
    let html = page.text().await.expect("html");
    for text in ["我的发展档案", "《勾股定理》研究课", "勾股定理课例研究", "主持人示范课"]
    {
        assert!(html.contains(text), "the page shows {text}");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_record_is_only_ever_the_readers_own_and_bad_years_are_field_errors(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    assert_status(&app.call(&app.client(), "records/mine", &[]).await, StatusCode::UNAUTHORIZED);
    let colleague = signed_in(&app, "colleague@rec.cn").await;
    let theirs = json(app.call(&colleague, "records/mine", &[]).await).await;
    assert_eq!(theirs["name"], "同校老师");
    assert_eq!(theirs["taught"], json!([]));
    assert_eq!(theirs["total_tenths"], 0);
    for year in ["abc", "1990", "99999999999", "2100"] {
        let answer = app.call(&colleague, "records/mine", &[("year", year)]).await;
        assert_status(&answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&error_json(answer).await, "year").as_deref(), Some("District:ErrYear"), "year={year}");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_district_reads_a_consenting_teachers_record_of_any_year_and_a_refused_year_logs_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    builders::user(&pool, "admin@rec.cn", "区管理员", true).await;
    let admin = signed_in(&app, "admin@rec.cn").await;
    let teacher = world.teacher.to_string();
    let open = |year: &'static str| {
        let (admin, teacher, app) = (admin.clone(), teacher.clone(), &app);
        async move { app.call(&admin, "district/teacher", &[("teacher", teacher.as_str()), ("year", year)]).await }
    };
    assert_status(&open("2025").await, StatusCode::NOT_FOUND);
    sqlx::query("update users set record_shared_with_district = true where id = $1")
        .bind(world.teacher)
        .execute(&pool)
        .await
        .expect("consent");
    let record = json(open("2025").await).await;
    assert_eq!(record["total_tenths"], 200);
    assert_eq!(record["taught"][0]["title"], "《函数》研究课");
    assert_status(&open("abc").await, StatusCode::UNPROCESSABLE_ENTITY);
    let logged: i64 = sqlx::query_scalar("select count(*) from record_views where owner_id = $1")
        .bind(world.teacher)
        .fetch_one(&pool)
        .await
        .expect("views");
    assert_eq!(logged, 1, "the record shown is logged; the refused year is not");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_record_downloads_as_a_workbook_of_one_sheet_per_section_with_real_dates_and_hours(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    assert_status(&app.get(&app.client(), "/me/record.xlsx").await, StatusCode::UNAUTHORIZED);
    let teacher = signed_in(&app, "wang@rec.cn").await;
    assert_status(&app.get(&teacher, "/me/record.xlsx?year=abc").await, StatusCode::UNPROCESSABLE_ENTITY);
    let book = download_workbook(&app, &teacher, "/me/record.xlsx?year=2026").await;
    let names: Vec<&str> =
        book.as_array().expect("sheets").iter().map(|s| s["name"].as_str().unwrap_or_default()).collect();
    assert_eq!(names, ["学时", "近五年学时", "执教的公开课", "听过的课", "参与的课例研究", "成长规划"]);
    let rows = |sheet: usize| book[sheet]["rows"].as_array().expect("rows").clone();
    let hours = rows(0);
    assert_eq!(hours[0], json!(["类别", "学时"]));
    assert!(hours.contains(&json!(["合计", 11.5])), "the year's total is a number: {hours:?}");
    assert!(hours.contains(&json!(["五年周期 2026–2030（截至本年度）", 11.5])));
    assert_eq!(rows(1).last(), Some(&json!([2026, 11.5])));
    assert_eq!(
        rows(2)[1],
        json!(["《勾股定理》研究课", "2026-03-10T10:00:00", "数学名师工作室", 2, 2]),
        "a real date and time, in the teacher's time zone"
    );
    assert_eq!(rows(3)[1][0], "主持人示范课");
    assert_eq!(rows(4)[1], json!(["勾股定理课例研究", "数学名师工作室", "研究组成员", "备课"]));

    // The district's copy: only with consent, and logged like opening the page.
    builders::user(&pool, "admin@rec.cn", "区管理员", true).await;
    let admin = signed_in(&app, "admin@rec.cn").await;
    let path = format!("/district/teachers/{}/record.xlsx?year=2025", world.teacher);
    assert_status(&app.get(&admin, &path).await, StatusCode::NOT_FOUND);
    sqlx::query("update users set record_shared_with_district = true where id = $1")
        .bind(world.teacher)
        .execute(&pool)
        .await
        .expect("consent");
    let shared = download_workbook(&app, &admin, &path).await;
    assert_eq!(shared[2]["rows"][1][0], "《函数》研究课");
    let logged: i64 = sqlx::query_scalar("select count(*) from record_views where owner_id = $1")
        .bind(world.teacher)
        .fetch_one(&pool)
        .await
        .expect("views");
    assert_eq!(logged, 1);
}

/// The answer's body as JSON, after checking its status.
async fn body(response: reqwest::Response, status: StatusCode) -> Value {
    assert_status(&response, status);
    response.json().await.expect("json")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_certificate_freezes_the_years_records_and_is_superseded_not_changed_when_they_change(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let teacher = signed_in(&app, "wang@rec.cn").await;
    let issue = || app.call(&teacher, "records/issue-certificate", &[("year", "2026")]);
    let serial = body(issue().await, StatusCode::OK).await;
    let serial = serial.as_str().expect("serial").to_owned();
    assert_eq!(body(issue().await, StatusCode::OK).await, json!(serial), "nothing changed: the same certificate");

    let certificate = json(app.call(&teacher, "records/certificate", &[("serial", &serial)]).await).await;
    let content = &certificate["content"];
    assert_eq!(content["teacher"], "王老师");
    assert_eq!(content["total_tenths"], 115);
    assert_eq!(content["quota_tenths"], 960);
    let lines: Vec<(Value, Value, Value)> = content["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| (l["occurred_on"].clone(), l["tenths"].clone(), l["source"].clone()))
        .collect();
    assert_eq!(
        lines,
        vec![(json!("2026-03-10"), json!(15), json!("manual")), (json!("2026-06-01"), json!(100), json!("manual"))]
    );
    let frozen: app::records::certificates::CertificateContent =
        serde_json::from_value(content.clone()).expect("content");
    assert_eq!(
        certificate["sha256"],
        app::records::certificates::content_sha256(&frozen),
        "the hash is of the content"
    );
    assert_eq!(certificate["verify_url"], format!("{}/verify/{serial}", app.base));
    assert!(certificate["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")));

    let anyone = app.client();
    let check = |serial: String| {
        let (app, anyone) = (&app, anyone.clone());
        async move { app.call(&anyone, "records/verify", &[("serial", serial.as_str())]).await }
    };
    let verified = body(check(serial.clone()).await, StatusCode::OK).await;
    let mut keys: Vec<&str> = verified.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["issued_at", "newer", "school", "serial", "teacher", "total_tenths", "valid", "year"],
        "no record details"
    );
    assert_eq!((verified["teacher"].clone(), verified["total_tenths"].clone()), (json!("王老师"), json!(115)));
    assert_eq!((verified["valid"].clone(), verified["newer"].clone()), (json!(true), Value::Null));

    let record = |day: &'static str| {
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category)
             values (gen_random_uuid(), $1, $2::date, 2, 'course')",
        )
        .bind(world.teacher)
        .bind(day)
        .execute(&pool)
    };
    record("2025-11-30").await.expect("another year");
    assert_eq!(body(check(serial.clone()).await, StatusCode::OK).await["valid"], true, "another year's record");
    record("2026-11-30").await.expect("this year");
    let superseded = body(check(serial.clone()).await, StatusCode::OK).await;
    assert_eq!((superseded["valid"].clone(), superseded["total_tenths"].clone()), (json!(false), json!(115)));

    let newer = body(issue().await, StatusCode::OK).await;
    assert_ne!(newer, json!(serial));
    assert_eq!(
        body(check(serial.clone()).await, StatusCode::OK).await["newer"],
        newer,
        "the old one points to the new"
    );
    let current = body(check(newer.as_str().unwrap_or_default().to_owned()).await, StatusCode::OK).await;
    assert_eq!((current["valid"].clone(), current["total_tenths"].clone()), (json!(true), json!(135)));
    let old = json(app.call(&teacher, "records/certificate", &[("serial", &serial)]).await).await;
    assert_eq!((old["content"]["total_tenths"].clone(), old["superseded"].clone()), (json!(115), json!(true)));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_certificate_is_its_teachers_own_and_a_forged_serial_is_the_same_not_found(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let anyone = app.client();
    assert_status(&app.call(&anyone, "records/issue-certificate", &[]).await, StatusCode::UNAUTHORIZED);
    let teacher = signed_in(&app, "wang@rec.cn").await;
    let serial = body(app.call(&teacher, "records/issue-certificate", &[]).await, StatusCode::OK).await;
    let serial = serial.as_str().expect("serial").to_owned();
    let colleague = signed_in(&app, "colleague@rec.cn").await;
    assert_status(&app.call(&colleague, "records/certificate", &[("serial", &serial)]).await, StatusCode::NOT_FOUND);
    assert_status(&app.call(&anyone, "records/certificate", &[("serial", &serial)]).await, StatusCode::UNAUTHORIZED);
    assert_status(
        &app.call(&teacher, "records/issue-certificate", &[("year", "1990")]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );

    // Unknown, forged and malformed serials: one answer.
    let unknown = app.call(&anyone, "records/verify", &[("serial", "ABCDE-FGHJK-LMNPQ-RSTUV")]).await;
    let unknown = (unknown.status(), unknown.text().await.expect("body"));
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    for forged in ["xyz", "", "0000000000000000000000", &"A".repeat(500), &serial.to_lowercase().replace('A', "B")] {
        let answer = app.call(&anyone, "records/verify", &[("serial", forged)]).await;
        let answer = (answer.status(), answer.text().await.expect("body"));
        if forged.eq_ignore_ascii_case(&serial) {
            continue;
        }
        assert_eq!(answer, unknown, "{forged}");
    }
    // A serial typed from paper, in groups and lower case, finds it.
    let typed = app::records::certificates::display_serial(&serial).to_lowercase();
    assert_eq!(
        body(app.call(&anyone, "records/verify", &[("serial", &typed)]).await, StatusCode::OK).await["valid"],
        true
    );

    // The public page, without signing in: the facts and the state, no record details.
    let page = app.get(&anyone, &format!("/verify/{serial}")).await;
    assert_status(&page, StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("学时证明核验") && html.contains("王老师") && html.contains("有效"));
    assert!(!html.contains("已认定的学时记录") && !html.contains("《勾股定理》"), "no record details");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn verification_lookups_are_limited_per_client(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let anyone = app.client();
    for _ in 0..30 {
        assert_status(
            &app.call(&anyone, "records/verify", &[("serial", "ABCDEFGHJKLMNPQRSTUV")]).await,
            StatusCode::NOT_FOUND,
        );
    }
    let refused = app.call(&anyone, "records/verify", &[("serial", "ABCDEFGHJKLMNPQRSTUV")]).await;
    assert_status(&refused, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_json(refused).await, json!({"RateLimited": {"Record": "ErrTooManyLookups"}}));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_studios_host_reads_only_the_studios_part_of_a_mentees_record(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    // 王老师 also taught in a second studio, which the first one's host does not see.
    let other_host = builders::user(&pool, "other.host@rec.cn", "另一主持人", false).await;
    let other = builders::studio(&pool, "other-studio", "语文名师工作室", other_host).await;
    let mut lesson = builders::Lesson::new(other, world.teacher);
    lesson.title = "《背影》研究课";
    lesson.starts_at = "2026-05-10T02:00:00Z".parse().expect("time");
    lesson.status = app::lessons::LessonStatus::Done;
    lesson.insert(&pool).await;
    let teacher = world.teacher.to_string();
    let read = |client: reqwest::Client, studio: &'static str| {
        let (app, teacher) = (&app, teacher.clone());
        async move {
            app.call(
                &client,
                "records/in-studio",
                &[("studio", studio), ("mentee", teacher.as_str()), ("year", "2026")],
            )
            .await
        }
    };

    let host = signed_in(&app, "host@rec.cn").await;
    let record = json(read(host.clone(), "rec-studio").await).await;
    let titles: Vec<Value> = record["taught"].as_array().expect("taught").iter().map(|l| l["title"].clone()).collect();
    assert_eq!(titles, vec![json!("《勾股定理》研究课")], "not the lesson in the other studio");
    assert_eq!(record["studies"].as_array().map(Vec::len), Some(1));
    assert_eq!(record["total_tenths"], 115, "the year's hours, as on the ledger the host sees");
    let mine = json(app.call(&signed_in(&app, "wang@rec.cn").await, "records/mine", &[("year", "2026")]).await).await;
    assert_eq!(mine["taught"].as_array().map(Vec::len), Some(2), "the teacher's own record has both");
    let page = app.get(&host, &format!("/studios/rec-studio/records/{teacher}?year=2026")).await;
    assert_status(&page, StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("《勾股定理》研究课") && !html.contains("《背影》研究课"));

    // Not a leader of the studio, or not signed in: refused as for the plan, nothing read.
    assert_status(&read(app.client(), "rec-studio").await, StatusCode::UNAUTHORIZED);
    for email in ["colleague@rec.cn", "other.host@rec.cn"] {
        let outsider = signed_in(&app, email).await;
        assert_status(&read(outsider, "rec-studio").await, StatusCode::FORBIDDEN);
    }
    // The other studio's host: 王老师 is no mentee there.
    assert_status(&read(signed_in(&app, "other.host@rec.cn").await, "other-studio").await, StatusCode::NOT_FOUND);
    assert_status(&read(host, "no-such-studio").await, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn every_role_reads_a_teachers_record_certificates_and_studio_part_only_as_allowed(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let studio: Uuid =
        sqlx::query_scalar("select id from studios where slug = 'rec-studio'").fetch_one(&pool).await.expect("studio");
    for (email, name) in [("mentor@rec.cn", "导师"), ("mentee@rec.cn", "同门学员"), ("leader@rec.cn", "校长")] {
        builders::user(&pool, email, name, false).await;
    }
    builders::user(&pool, "admin@rec.cn", "区管理员", true).await;
    builders::user(&pool, "far-admin@rec.cn", "萧山区管理员", false).await;
    builders::district_admin_of(&pool, "far-admin@rec.cn", "萧山区").await;
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    for (email, role) in [("mentor@rec.cn", StudioRole::Mentor), ("mentee@rec.cn", StudioRole::Mentee)] {
        builders::member(&pool, studio, crate::support::user_id(&pool, email).await, role).await;
    }
    // 校长 leads 王老师's school; 听课教师1 leads 萧山区第三中学. 王老师 shares with both.
    sqlx::query(
        "insert into school_leaders (school_id, user_id)
         select school_id, id from users where email in ('leader@rec.cn', 'observer1@load.test')",
    )
    .execute(&pool)
    .await
    .expect("leaders");
    sqlx::query("update users set record_shared_with_school = true, record_shared_with_district = true where id = $1")
        .bind(world.teacher)
        .execute(&pool)
        .await
        .expect("consent");
    let teacher = signed_in(&app, "wang@rec.cn").await;
    let serial = body(app.call(&teacher, "records/issue-certificate", &[]).await, StatusCode::OK).await;
    let serial = serial.as_str().expect("serial").to_owned();
    let id = world.teacher.to_string();

    let (ok, none, no) = (StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::FORBIDDEN);
    // (who, the studio's part of the record, the shared record, its workbook, the certificate)
    let cases = [
        (None, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED),
        (Some("wang@rec.cn"), ok, none, none, ok),
        (Some("colleague@rec.cn"), no, none, none, none),
        (Some("mentee@rec.cn"), no, none, none, none),
        (Some("mentor@rec.cn"), ok, none, none, none),
        (Some("host@rec.cn"), ok, none, none, none),
        (Some("leader@rec.cn"), no, ok, ok, none),
        (Some("observer1@load.test"), no, none, none, none),
        (Some("admin@rec.cn"), no, ok, ok, none),
        (Some("far-admin@rec.cn"), no, none, none, none),
    ];
    for (who, in_studio, shared, workbook, certificate) in cases {
        let client = match who {
            Some("wang@rec.cn") => teacher.clone(),
            Some(email) => signed_in(&app, email).await,
            None => app.client(),
        };
        let who = who.unwrap_or("anonymous");
        let answer = app.call(&client, "records/in-studio", &[("studio", "rec-studio"), ("mentee", &id)]).await;
        assert_eq!(answer.status(), in_studio, "{who} reads the studio's part");
        let answer = app.call(&client, "district/teacher", &[("teacher", &id)]).await;
        assert_eq!(answer.status(), shared, "{who} opens the shared record");
        let answer = app.get(&client, &format!("/district/teachers/{id}/record.xlsx")).await;
        assert_eq!(answer.status(), workbook, "{who} downloads the shared record");
        let answer = app.call(&client, "records/certificate", &[("serial", &serial)]).await;
        assert_eq!(answer.status(), certificate, "{who} opens the certificate");
    }
    let views: i64 = sqlx::query_scalar("select count(*) from record_views").fetch_one(&pool).await.expect("views");
    assert_eq!(views, 4, "the leader's and the admin's openings, page and workbook, are logged; nobody else's");
}
