//! The studio's yearly record: gathered from what the studio did, read by its host and mentors
//! and (with mentees' growth by name only under consent) its school and district, finalised by
//! the host into an immutable hashed version, reissued only with a reason.

use crate::support::{assert_status, builders, download_workbook, error_json, field_error, python_json, TestApp};
use app::studios::StudioRole;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// 数学名师工作室 of 西湖区实验中学 (西湖区), founded 2024, and its 2025 and 2026:
/// * host 主持人, mentor 导师, mentees 学员甲 (shares her record with the district) and 学员乙
///   (shares nothing; joined 2026-05-01);
/// * 2026-03-10 the mentor taught 《勾股定理》 (30 seats): two teachers of 萧山区第三中学 and 学员甲
///   checked in, a fourth booked and did not come; 2025-05-01 the host taught one lesson, one check-in;
/// * a lesson study from 2026-02-01: two rounds, two plan versions, its conclusions, one observer of
///   萧山区第三中学 with a focus;
/// * 学员甲: 12 h credited in 2026, a goal signed off by the mentor and a milestone done in 2026;
///   学员乙: 3 h in 2026.
struct World {
    studio: Uuid,
    mentee_a: Uuid,
    mentee_b: Uuid,
    mentor: Uuid,
}

async fn world(pool: &PgPool) -> World {
    let host = builders::user(pool, "host@sy.cn", "主持人", false).await;
    let mentor = builders::user(pool, "mentor@sy.cn", "导师", false).await;
    let mentee_a = builders::user(pool, "a@sy.cn", "学员甲", false).await;
    let mentee_b = builders::user(pool, "b@sy.cn", "学员乙", false).await;
    builders::user(pool, "outsider@sy.cn", "同校老师", false).await;
    builders::user(pool, "leader@sy.cn", "校长", false).await;
    builders::user(pool, "admin@sy.cn", "区管理员", true).await;
    builders::user(pool, "far-admin@sy.cn", "萧山区管理员", false).await;
    builders::district_admin_of(pool, "far-admin@sy.cn", "萧山区").await;
    let visitors = builders::observers(pool, 3).await;
    sqlx::query("update users set school = '萧山区第三中学', district = '萧山区' where email = 'far-admin@sy.cn'")
        .execute(pool)
        .await
        .expect("far admin");
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    let studio = builders::studio(pool, "sy-studio", "数学名师工作室", host).await;
    sqlx::query(
        "update studios set created_at = '2024-01-05T02:00:00Z', school_id = (select school_id from users where id = $2)
         where id = $1",
    )
    .bind(studio)
    .bind(host)
    .execute(pool)
    .await
    .expect("studio school");
    sqlx::query(
        "insert into school_leaders (school_id, user_id)
         select school_id, id from users where email in ('leader@sy.cn', 'observer1@load.test')",
    )
    .execute(pool)
    .await
    .expect("leaders");
    builders::member(pool, studio, mentor, StudioRole::Mentor).await;
    builders::member(pool, studio, mentee_a, StudioRole::Mentee).await;
    builders::member(pool, studio, mentee_b, StudioRole::Mentee).await;
    // Everyone has been a member since the studio began, but 学员乙.
    sqlx::query(
        "update memberships set created_at = case when user_id = $2 then '2026-05-01T02:00:00Z'::timestamptz
                                                  else '2024-01-05T02:00:00Z'::timestamptz end
         where studio_id = $1",
    )
    .bind(studio)
    .bind(mentee_b)
    .execute(pool)
    .await
    .expect("since");
    sqlx::query(
        "insert into membership_events (id, studio_id, user_id, actor_id, kind, role, created_at)
         values (gen_random_uuid(), $1, $2, $2, 'joined', 'mentee', '2026-05-01T02:00:00Z')",
    )
    .bind(studio)
    .bind(mentee_b)
    .execute(pool)
    .await
    .expect("joined");
    sqlx::query("update users set record_shared_with_district = true where id = $1")
        .bind(mentee_a)
        .execute(pool)
        .await
        .expect("consent");

    let lesson = |teacher: Uuid, title: &'static str, at: &str| {
        let mut lesson = builders::Lesson::new(studio, teacher);
        lesson.title = title;
        lesson.starts_at = at.parse().expect("time");
        lesson.status = app::lessons::LessonStatus::Done;
        lesson.insert(pool)
    };
    let taught = lesson(mentor, "《勾股定理》研究课", "2026-03-10T02:00:00Z").await;
    let last_year = lesson(host, "去年的示范课", "2025-05-01T02:00:00Z").await;
    for (lesson, email, came) in [
        (taught, visitors[0].as_str(), true),
        (taught, visitors[1].as_str(), true),
        (taught, "a@sy.cn", true),
        (taught, visitors[2].as_str(), false),
        (last_year, "a@sy.cn", true),
    ] {
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
    }

    let study = Uuid::new_v4();
    sqlx::query(
        "insert into studies (id, studio_id, title, lead_id, created_by, created_at, conclusions)
         values ($1, $2, '勾股定理课例研究', $3, $3, '2026-02-01T02:00:00Z', '学生在探究环节的参与明显提高。')",
    )
    .bind(study)
    .bind(studio)
    .bind(host)
    .execute(pool)
    .await
    .expect("study");
    sqlx::query(
        "insert into study_rounds (id, study_id, number) values (gen_random_uuid(), $1, 1), (gen_random_uuid(), $1, 2)",
    )
    .bind(study)
    .execute(pool)
    .await
    .expect("rounds");
    sqlx::query(
        "insert into plan_versions (id, study_id, number, author_id)
         values (gen_random_uuid(), $1, 1, $2), (gen_random_uuid(), $1, 2, $2)",
    )
    .bind(study)
    .bind(host)
    .execute(pool)
    .await
    .expect("versions");
    sqlx::query(
        "insert into observation_assignments (study_id, observer_id, dimension, assigned_by)
         select $1, id, 'student_learning', $2 from users where email = 'observer3@load.test'",
    )
    .bind(study)
    .bind(host)
    .execute(pool)
    .await
    .expect("observer");

    let plan = Uuid::new_v4();
    let goal = Uuid::new_v4();
    sqlx::query("insert into growth_plans (id, studio_id, mentee_id) values ($1, $2, $3)")
        .bind(plan)
        .bind(studio)
        .bind(mentee_a)
        .execute(pool)
        .await
        .expect("plan");
    sqlx::query(
        "insert into growth_goals (id, plan_id, title, category, target_stage, due_on, status)
         values ($1, $2, '上好一节研究课', 'teaching', 'year2', '2026-12-31', 'achieved'),
                (gen_random_uuid(), $2, '读完两本书', 'reading', 'year2', '2027-06-30', 'active')",
    )
    .bind(goal)
    .bind(plan)
    .execute(pool)
    .await
    .expect("goals");
    sqlx::query(
        "insert into growth_milestones (id, goal_id, title, due_on, done_at)
         values (gen_random_uuid(), $1, '说课稿', '2026-03-01', '2026-02-20T02:00:00Z')",
    )
    .bind(goal)
    .execute(pool)
    .await
    .expect("milestone");
    sqlx::query(
        "insert into growth_goal_events (id, goal_id, actor_id, kind, created_at)
         values (gen_random_uuid(), $1, $2, 'achieved', '2026-03-20T02:00:00Z')",
    )
    .bind(goal)
    .bind(mentor)
    .execute(pool)
    .await
    .expect("sign-off");
    for (who, day, hours) in
        [(mentee_a, "2026-03-10", 12.0), (mentee_b, "2026-06-01", 3.0), (mentee_a, "2025-06-01", 5.0)]
    {
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category)
             values (gen_random_uuid(), $1, $2::date, $3::numeric(4, 1), 'course')",
        )
        .bind(who)
        .bind(day)
        .bind(hours)
        .execute(pool)
        .await
        .expect("record");
    }
    World { studio, mentee_a, mentee_b, mentor }
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

async fn record(app: &TestApp, client: &reqwest::Client, version: &str) -> Value {
    json(
        app.call(client, "studio-records/get", &[("studio", "sy-studio"), ("year", "2026"), ("version", version)])
            .await,
    )
    .await
}

fn mentee(page: &Value, id: Uuid) -> &Value {
    page["record"]["mentees"].as_array().expect("mentees").iter().find(|m| m["id"] == id.to_string()).expect("mentee")
}

/// Whether `text` names one of the observers from 萧山区第三中学 (听课教师1…3).
fn names_an_observer(text: &str) -> bool {
    (1..=3).any(|i| text.contains(&format!("听课教师{i}")))
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect("count")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_studios_year_gathers_members_ledger_reach_and_growth_beside_the_previous_year(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let host = signed_in(&app, "host@sy.cn").await;
    let page = record(&app, &host, "").await;
    assert_eq!(page["shown"], "Live");
    assert_eq!(page["reader"], "Host");
    assert_eq!(page["year"]["choices"], serde_json::json!([2026, 2025, 2024]), "no year before the studio began");
    let r = &page["record"];
    assert_eq!(r["studio"]["school"], "西湖区实验中学");
    let totals = &r["totals"];
    for (figure, expected) in [
        ("members", 4),
        ("mentees", 2),
        ("lessons", 1),
        ("seats", 30),
        ("booked", 4),
        ("checked_in", 3),
        ("schools_reached", 2),
        ("districts_reached", 2),
        ("studies", 1),
        ("rounds", 2),
        ("plan_versions", 2),
        ("study_observers", 1),
        ("mentee_hours_tenths", 150),
    ] {
        assert_eq!(totals[figure], expected, "{figure}");
    }
    assert_eq!(totals["growth"]["goals_achieved"], 1);
    assert_eq!(totals["growth"]["milestones_done"], 1);
    assert_eq!(totals["growth"]["sign_offs"], 1);
    let previous = &r["previous"];
    assert_eq!(previous["lessons"], 1);
    assert_eq!(previous["checked_in"], 1);
    assert_eq!(previous["mentee_hours_tenths"], 50);
    assert_eq!(previous["studies"], 0);
    assert_eq!(previous["members"], 3, "学员乙 joined in 2026");

    let lessons = r["lessons"].as_array().expect("lessons");
    assert_eq!(lessons.len(), 1);
    assert_eq!(lessons[0]["teacher"], "导师");
    assert_eq!((lessons[0]["booked"].clone(), lessons[0]["checked_in"].clone()), (4.into(), 3.into()));
    let study = &r["studies"][0];
    assert_eq!(study["conclusions"], "学生在探究环节的参与明显提高。");
    assert_eq!((study["observers"].clone(), study["observers_from_other_schools"].clone()), (1.into(), 1.into()));
    // Three teachers of 萧山区第三中学 observed (two lessons, one study): counted, never named.
    assert_eq!(r["reach"].as_array().expect("reach").len(), 1);
    assert_eq!(r["reach"][0]["school"], "萧山区第三中学");
    assert_eq!(r["reach"][0]["observers"], 3);
    assert!(!names_an_observer(&r.to_string()), "no observer from another school is named");

    assert_eq!(r["members"][0]["name"], "主持人");
    assert_eq!(r["changes"][0]["kind"], "joined");
    assert_eq!(r["changes"][0]["name"], "学员乙");
    assert_eq!(mentee(&page, world.mentee_a)["hours_tenths"], 120);
    assert_eq!(mentee(&page, world.mentee_a)["open_goals"], 1);
    assert_eq!(mentee(&page, world.mentee_a)["growth"]["goals_achieved"], 1);
    assert_eq!(mentee(&page, world.mentee_b)["hours_tenths"], 30);

    // The mentor reads the same; the current year is the default.
    let mentor = signed_in(&app, "mentor@sy.cn").await;
    let current = json(app.call(&mentor, "studio-records/get", &[("studio", "sy-studio")]).await).await;
    assert_eq!(current["reader"], "Mentor");
    assert_eq!(current["record"]["year"], 2026);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn school_and_district_see_mentees_hours_by_name_but_growth_only_with_consent(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let admin = signed_in(&app, "admin@sy.cn").await;
    let page = record(&app, &admin, "").await;
    assert_eq!(page["reader"], "District");
    assert_eq!(mentee(&page, world.mentee_a)["growth"]["goals_achieved"], 1, "学员甲 shares with the district");
    assert_eq!(mentee(&page, world.mentee_b)["hours_tenths"], 30, "hours are administrative");
    assert_eq!(mentee(&page, world.mentee_b)["growth"], Value::Null);
    assert_eq!(mentee(&page, world.mentee_b)["open_goals"], Value::Null);
    assert_eq!(page["record"]["others"]["mentees"], 1);
    assert_eq!(page["record"]["others"]["growth"], Value::Null, "one mentee is fewer than five");
    assert_eq!(page["record"]["totals"]["growth"], Value::Null, "the total would give 学员乙 away");
    assert_eq!(page["draft"]["summary"], "", "only the host sees the draft");

    // The school's leader: 学员甲 shares with the district, not the school.
    let leader = signed_in(&app, "leader@sy.cn").await;
    let page = record(&app, &leader, "").await;
    assert_eq!(page["reader"], "School");
    assert_eq!(mentee(&page, world.mentee_a)["growth"], Value::Null);
    assert_eq!(page["record"]["others"]["mentees"], 2);

    // Switching consent off takes effect at once.
    sqlx::query("update users set record_shared_with_district = false where id = $1")
        .bind(world.mentee_a)
        .execute(&pool)
        .await
        .expect("withdraw");
    let page = record(&app, &admin, "").await;
    assert_eq!(mentee(&page, world.mentee_a)["growth"], Value::Null);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_the_host_writes_and_only_leaders_of_the_studio_read(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let anonymous = app.client();
    let writes: [(&str, Vec<(&str, &str)>); 3] = [
        ("studio-records/save-narrative", vec![("summary", "写入")]),
        ("studio-records/finalise", vec![]),
        ("studio-records/new-version", vec![("reason", "理由"), ("summary", "写入")]),
    ];
    let studio_year = [("studio", "sy-studio"), ("year", "2026")];
    // (who, reading, writing)
    let cases = [
        (None, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED),
        (Some("outsider@sy.cn"), StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
        (Some("far-admin@sy.cn"), StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
        (Some("observer1@load.test"), StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
        (Some("a@sy.cn"), StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        (Some("mentor@sy.cn"), StatusCode::OK, StatusCode::CONFLICT),
        (Some("leader@sy.cn"), StatusCode::OK, StatusCode::CONFLICT),
        (Some("admin@sy.cn"), StatusCode::OK, StatusCode::CONFLICT),
    ];
    for (who, reading, writing) in cases {
        let client = match who {
            Some(email) => signed_in(&app, email).await,
            None => anonymous.clone(),
        };
        let label = who.unwrap_or("anonymous");
        let read = app.call(&client, "studio-records/get", &studio_year).await;
        assert_eq!(read.status(), reading, "{label} reads");
        let workbook = app.get(&client, "/studios/sy-studio/record/2026/record.xlsx").await;
        assert_eq!(workbook.status(), reading, "{label} downloads");
        for (endpoint, args) in &writes {
            let mut form = studio_year.to_vec();
            form.extend(args.iter().copied());
            let answer = app.call(&client, endpoint, &form).await;
            assert_eq!(answer.status(), writing, "{label} {endpoint}");
            if writing == StatusCode::CONFLICT {
                assert!(error_json(answer).await.to_string().contains("ErrOnlyHost"), "{label} is told why");
            }
        }
    }
    assert_eq!(count(&pool, "select count(*) from studio_year_narratives").await, 0, "nothing was written");
    assert_eq!(count(&pool, "select count(*) from studio_year_records").await, 0);
    assert_eq!(count(&pool, "select count(*) from notifications").await, 0);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn finalising_freezes_the_year_tells_the_district_and_a_change_needs_a_new_version_with_a_reason(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = world(&pool).await;
    let host = signed_in(&app, "host@sy.cn").await;
    let save = |summary: &'static str| {
        let (app, host) = (&app, host.clone());
        async move {
            app.call(
                &host,
                "studio-records/save-narrative",
                &[
                    ("studio", "sy-studio"),
                    ("year", "2026"),
                    ("summary", summary),
                    ("next_plan", "明年再上三节研究课。"),
                ],
            )
            .await
        }
    };
    assert_status(&save("  今年开了一节公开课，一个课例研究。 ").await, StatusCode::OK);
    let draft = record(&app, &host, "").await;
    assert_eq!(draft["draft"]["summary"], "今年开了一节公开课，一个课例研究。");
    assert_eq!(draft["record"]["narrative"]["next_plan"], "明年再上三节研究课。");

    let finalise = || app.call(&host, "studio-records/finalise", &[("studio", "sy-studio"), ("year", "2026")]);
    assert_eq!(json(finalise().await).await, 1);
    let page = record(&app, &host, "").await;
    assert_eq!(page["shown"]["Finalised"]["version"]["version"], 1);
    assert_eq!(page["shown"]["Finalised"]["intact"], true);
    assert_eq!(page["shown"]["Finalised"]["superseded"], false);
    assert_eq!(page["record"]["narrative"]["summary"], "今年开了一节公开课，一个课例研究。");

    // The stored hash is SHA-256 of the stored text, as an independent reader computes it.
    let (content, sha): (String, String) =
        sqlx::query_as("select content, content_sha256 from studio_year_records where version = 1")
            .fetch_one(&pool)
            .await
            .expect("stored");
    let python = python_json(
        "hashlib",
        "import sys, json, hashlib; print(json.dumps(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()))",
        content.as_bytes(),
    );
    assert_eq!(python, Value::String(sha));
    assert!(
        sqlx::query("update studio_year_records set content = '{}'").execute(&pool).await.is_err(),
        "a finalised version is never changed"
    );
    assert!(sqlx::query("delete from studio_year_records").execute(&pool).await.is_err());

    // Finalising twice and editing after finalising are refused, and change nothing.
    let twice = finalise().await;
    assert_status(&twice, StatusCode::CONFLICT);
    assert!(error_json(twice).await.to_string().contains("ErrFinalised"));
    let edit = save("改一改").await;
    assert_status(&edit, StatusCode::CONFLICT);
    assert!(error_json(edit).await.to_string().contains("ErrFinalised"));
    assert_eq!(count(&pool, "select count(*) from studio_year_records").await, 1);
    let summary: String =
        sqlx::query_scalar("select summary from studio_year_narratives").fetch_one(&pool).await.expect("n");
    assert_eq!(summary, "今年开了一节公开课，一个课例研究。");

    // The district's admin is told, in the app and by email, and sees the version in the studio table.
    let admin = signed_in(&app, "admin@sy.cn").await;
    let notes = json(app.call(&admin, "notifications/list", &[]).await).await;
    assert_eq!(notes[0]["kind"], "studio_record_finalised");
    assert_eq!(notes[0]["href"], "/studios/sy-studio/record/2026?version=1");
    assert_eq!(notes[0]["subject"], "数学名师工作室 · 2026");
    assert_eq!(count(&pool, "select count(*) from email_outbox where to_email = 'admin@sy.cn'").await, 1);
    assert_eq!(
        count(
            &pool,
            "select count(*) from notifications where user_id <> (select id from users where email = 'admin@sy.cn')"
        )
        .await,
        0,
        "the other district's admin is not told"
    );
    let dashboard = json(app.call(&admin, "district/dashboard", &[("year", "2026")]).await).await;
    let row = dashboard["studios"].as_array().expect("studios").iter().find(|s| s["slug"] == "sy-studio").expect("row");
    assert_eq!(row["record_version"], 1);

    // A lesson added later does not change the finalised version; the live figures show it.
    let mut late = builders::Lesson::new(world.studio, world.mentor);
    late.starts_at = "2026-09-01T02:00:00Z".parse().expect("time");
    late.status = app::lessons::LessonStatus::Done;
    late.insert(&pool).await;
    assert_eq!(record(&app, &host, "").await["record"]["totals"]["lessons"], 1);
    assert_eq!(record(&app, &host, "live").await["record"]["totals"]["lessons"], 2);

    // A new version needs a reason; with one it supersedes version 1, which stays readable.
    let reissue = |reason: &'static str| {
        let (app, host) = (&app, host.clone());
        async move {
            let form =
                [("studio", "sy-studio"), ("year", "2026"), ("reason", reason), ("summary", "补录九月的公开课。")];
            app.call(&host, "studio-records/new-version", &form).await
        }
    };
    let no_reason = reissue("   ").await;
    assert_status(&no_reason, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(no_reason).await, "reason").as_deref(), Some("ErrRequired"));
    assert_eq!(json(reissue("九月的公开课漏记了").await).await, 2);
    let latest = record(&app, &host, "").await;
    assert_eq!(latest["shown"]["Finalised"]["version"]["reason"], "九月的公开课漏记了");
    assert_eq!(latest["record"]["totals"]["lessons"], 2);
    assert_eq!(latest["record"]["narrative"]["summary"], "补录九月的公开课。");
    let first = record(&app, &host, "1").await;
    assert_eq!(first["shown"]["Finalised"]["superseded"], true);
    assert_eq!(first["record"]["totals"]["lessons"], 1);
    assert_eq!(count(&pool, "select count(*) from notifications").await, 2);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn years_outside_the_data_and_unknown_versions_are_field_errors(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let host = signed_in(&app, "host@sy.cn").await;
    for (year, version, field, key) in [
        ("abc", "", "year", None),
        ("2015", "", "year", None),
        ("2099", "", "year", None),
        ("2023", "", "year", Some("StudioYear:ErrBeforeStudio")),
        ("2026", "x", "version", Some("StudioYear:ErrVersion")),
        ("2026", "9", "version", Some("StudioYear:ErrVersion")),
    ] {
        let answer = app
            .call(&host, "studio-records/get", &[("studio", "sy-studio"), ("year", year), ("version", version)])
            .await;
        assert_status(&answer, StatusCode::UNPROCESSABLE_ENTITY);
        let error = field_error(&error_json(answer).await, field);
        assert!(error.is_some(), "{year} {version}");
        if key.is_some() {
            assert_eq!(error.as_deref(), key, "{year} {version}");
        }
    }
    let long = "字".repeat(4001);
    let answer = app
        .call(&host, "studio-records/save-narrative", &[("studio", "sy-studio"), ("year", "2026"), ("summary", &long)])
        .await;
    assert_status(&answer, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(answer).await, "summary").as_deref(), Some("ErrTooLong"));
    let unknown = app.call(&host, "studio-records/get", &[("studio", "no-such-studio"), ("year", "2026")]).await;
    assert_status(&unknown, StatusCode::NOT_FOUND);
    assert_eq!(count(&pool, "select count(*) from studio_year_narratives").await, 0);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_yearly_record_downloads_with_the_ledger_as_one_filterable_sheet(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    world(&pool).await;
    let host = signed_in(&app, "host@sy.cn").await;
    let path = "/studios/sy-studio/record/2026/record.xlsx";
    let book = download_workbook(&app, &host, path).await;
    let names: Vec<&str> = book.as_array().expect("sheets").iter().map(|s| s["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["概况", "成员", "成员变动", "活动台账", "辐射：外校听课教师（按学校计数）", "学员成长"]);
    let summary = &book[0]["rows"];
    assert_eq!(summary[0][1], "2026 年度");
    assert_eq!(summary[3][0], "举办公开课");
    assert_eq!((summary[3][1].clone(), summary[3][2].clone()), (1.into(), 1.into()));
    assert_eq!(summary[13][1], 15.0, "mentees' hours are a number of hours");
    let ledger = &book[3]["rows"];
    assert_eq!(ledger[0][0], "类型");
    assert_eq!(ledger[1][0], "公开课");
    assert_eq!(ledger[1][1], "2026-03-10T10:00:00", "a real Excel date, in China time");
    assert_eq!(ledger[1][2], "《勾股定理》研究课");
    assert_eq!(ledger[1][6], 3);
    assert_eq!(ledger[2][0], "课例研究");
    assert_eq!(ledger[2][1], "2026-02-01T00:00:00");
    assert_eq!(ledger[2][14], "学生在探究环节的参与明显提高。");
    let filter = python_json(
        "openpyxl",
        "import sys, io, json, openpyxl\nwb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))\nprint(json.dumps(wb['活动台账'].auto_filter.ref))",
        &app.get(&host, path).await.bytes().await.expect("bytes"),
    );
    assert_eq!(filter, "A1:O3", "the ledger's header row filters all its rows");
    assert!(!names_an_observer(&book.to_string()));

    // The district's copy leaves 学员乙's growth out.
    let admin = signed_in(&app, "admin@sy.cn").await;
    let book = download_workbook(&app, &admin, path).await;
    let mentees = book[5]["rows"].as_array().expect("rows");
    let b = mentees.iter().find(|r| r[0] == "学员乙").expect("学员乙");
    assert_eq!(b[1], 3);
    assert_eq!(b[3], Value::Null);
}
