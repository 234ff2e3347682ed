//! Open lessons over real HTTP against a fresh PostgreSQL database per test: scheduling,
//! booking with a waitlist, approval, attendance and its training-hour credit, notifications,
//! calendars, CSV, and every server function for every role.

use crate::support::lessons::*;
use crate::support::{error_json, field_error, TestApp};
use app::lessons::LessonStatus;
use chrono::Duration;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let r = app.sign_in(&client, email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "sign-in of {email}");
    client
}

async fn book(app: &TestApp, client: &Client, lesson: Uuid) -> reqwest::Response {
    app.call(client, "lessons/book", &[("lesson_id", &lesson.to_string())]).await
}

async fn status_of(pool: &PgPool, lesson: Uuid, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "select b.status from bookings b join users u on u.id = b.user_id where b.lesson_id = $1 and u.email = $2 order by b.seq desc limit 1",
    )
    .bind(lesson)
    .bind(email)
    .fetch_optional(pool)
    .await
    .expect("status")
}

/// The message key of a field error: `ErrRequired` for app-wide messages, the bare key
/// (`ErrEndBeforeStart`) for lesson messages.
async fn msg(response: reqwest::Response, field: &str) -> Option<String> {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "expected a field error for {field}");
    field_error(&error_json(response).await, field).map(|m| m.trim_start_matches("Lesson:").to_owned())
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect("count")
}

fn schedule_form(studio: &str) -> Vec<(&'static str, String)> {
    vec![
        ("studio", studio.to_owned()),
        ("title", "《一次函数的图像》单元起始课".into()),
        ("subject", "数学".into()),
        ("grade", "八年级".into()),
        ("starts_at", "2030-03-05T09:00".into()),
        ("ends_at", "2030-03-05T09:45".into()),
        ("time_zone", "Asia/Shanghai".into()),
        ("mode", "in_person".into()),
        ("place", "西湖区实验中学 301 教室".into()),
        ("capacity", "2".into()),
        ("credited_hours", "1.5".into()),
    ]
}

async fn call_owned(app: &TestApp, client: &Client, endpoint: &str, form: &[(&str, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.call(client, endpoint, &pairs).await
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_full_lesson_waitlists_the_next_booking_and_a_cancellation_promotes_it(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 2, false).await;
    let emails = ["observer@other.test", "outsider@other.test", "mentee@studio.test"];
    let mut clients = Vec::new();
    for email in emails {
        clients.push(signed_in(&app, email).await);
    }
    let mut answers = Vec::new();
    for c in &clients {
        let r = book(&app, c, lesson).await;
        assert_eq!(r.status(), StatusCode::OK);
        answers.push(r.json::<serde_json::Value>().await.expect("json"));
    }
    assert_eq!(answers[0]["status"], "confirmed");
    assert_eq!(answers[1]["status"], "confirmed");
    assert_eq!(answers[2]["status"], "waitlisted");
    assert_eq!(answers[2]["waitlist_position"], 1);

    // The third sees their place on the lesson's page data; seats left 0.
    let detail: serde_json::Value = app
        .call(&clients[2], "lessons/detail", &[("lesson_id", &lesson.to_string())])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(detail["my_booking"]["status"], "waitlisted");
    assert_eq!(detail["seats_taken"], 2);
    assert!(detail["checkin_code"].is_null(), "observers never see the check-in code");

    let r = app
        .call(&clients[0], "lessons/cancel-booking", &[("lesson_id", &lesson.to_string()), ("reason", "临时有课")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(status_of(&pool, lesson, emails[0]).await.as_deref(), Some("cancelled"));
    assert_eq!(status_of(&pool, lesson, emails[2]).await.as_deref(), Some("confirmed"), "promoted at once");
    let reason: String = sqlx::query_scalar("select cancel_reason from bookings where status = 'cancelled'")
        .fetch_one(&pool)
        .await
        .expect("reason");
    assert_eq!(reason, "临时有课");

    let notes: serde_json::Value = app.call(&clients[2], "notifications/list", &[]).await.json().await.expect("json");
    let kinds: Vec<&str> = notes.as_array().expect("list").iter().filter_map(|n| n["kind"].as_str()).collect();
    assert_eq!(kinds, ["promoted", "booking_waitlisted"]);
    let unread: i64 = app.call(&clients[2], "notifications/unread", &[]).await.json().await.expect("json");
    assert_eq!(unread, 2);
    assert_eq!(app.call(&clients[2], "notifications/read", &[]).await.status(), StatusCode::OK);
    let unread: i64 = app.call(&clients[2], "notifications/unread", &[]).await.json().await.expect("json");
    assert_eq!(unread, 0);
    let promoted_mail = count(&pool, "select count(*) from email_outbox o join users u on u.email = o.to_email where u.email = 'mentee@studio.test' and o.subject like '候补转正%'").await;
    assert_eq!(promoted_mail, 1, "the promotion is also in the email outbox");

    // Booking again after cancelling works (one *active* booking per person).
    let again = book(&app, &clients[0], lesson).await.json::<serde_json::Value>().await.expect("json");
    assert_eq!(again["status"], "waitlisted");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn one_person_holds_one_active_booking_per_lesson(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    let c = signed_in(&app, "observer@other.test").await;
    assert_eq!(book(&app, &c, lesson).await.status(), StatusCode::OK);
    let (r1, r2) = tokio::join!(book(&app, &c, lesson), book(&app, &c, lesson));
    for r in [r1, r2] {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(msg(r, "lesson").await.as_deref(), Some("ErrAlreadyBooked"));
    }
    assert_eq!(count(&pool, "select count(*) from bookings").await, 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn drafts_cancelled_past_and_out_of_window_lessons_refuse_bookings(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let c = signed_in(&app, "observer@other.test").await;
    // A draft is invisible to an observer: not found.
    let draft = world.lesson(&pool, 5, false, LessonStatus::Draft, Duration::days(2)).await;
    assert_eq!(book(&app, &c, draft).await.status(), StatusCode::NOT_FOUND);
    let cancelled = world.lesson(&pool, 5, false, LessonStatus::Cancelled, Duration::days(2)).await;
    assert_eq!(msg(book(&app, &c, cancelled).await, "lesson").await.as_deref(), Some("ErrNotBookable"));
    let past = world.lesson(&pool, 5, false, LessonStatus::Published, -Duration::hours(2)).await;
    assert_eq!(msg(book(&app, &c, past).await, "lesson").await.as_deref(), Some("ErrLessonPast"));
    let later = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update open_lessons set booking_opens_at = now() + interval '1 day' where id = $1")
        .bind(later)
        .execute(&pool)
        .await
        .expect("window");
    assert_eq!(msg(book(&app, &c, later).await, "lesson").await.as_deref(), Some("ErrBookingNotOpen"));
    let closed = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update open_lessons set booking_closes_at = now() - interval '1 minute' where id = $1")
        .bind(closed)
        .execute(&pool)
        .await
        .expect("window");
    assert_eq!(msg(book(&app, &c, closed).await, "lesson").await.as_deref(), Some("ErrBookingClosed"));
    assert_eq!(count(&pool, "select count(*) from bookings").await, 0, "nothing stored");
    assert_eq!(count(&pool, "select count(*) from notifications").await, 0);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn nobody_can_cancel_someone_elses_booking(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    let owner = signed_in(&app, "observer@other.test").await;
    let other = signed_in(&app, "outsider@other.test").await;
    assert_eq!(book(&app, &owner, lesson).await.status(), StatusCode::OK);
    let booking_id: Uuid = sqlx::query_scalar("select id from bookings").fetch_one(&pool).await.expect("id");
    // The endpoint takes no booking id: it cancels the caller's own booking, and they have none.
    let r = app
        .call(
            &other,
            "lessons/cancel-booking",
            &[("lesson_id", &lesson.to_string()), ("booking_id", &booking_id.to_string())],
        )
        .await;
    assert_eq!(msg(r, "lesson").await.as_deref(), Some("ErrNoActiveBooking"));
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("confirmed"));
    let anon = app.client();
    let r = app.call(&anon, "lessons/cancel-booking", &[("lesson_id", &lesson.to_string())]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("confirmed"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn bad_lesson_input_gets_translated_field_errors_and_stores_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    World::create(&pool).await;
    let host = signed_in(&app, "host@studio.test").await;
    let cases: Vec<(&str, &str, &str)> = vec![
        ("ends_at", "2030-03-05T08:00", "ErrEndBeforeStart"),
        ("capacity", "0", "ErrCapacityRange"),
        ("capacity", "-5", "ErrCapacityRange"),
        ("capacity", "1000000", "ErrCapacityRange"),
        ("capacity", "", "ErrRequired"),
        ("booking_closes_at", "2030-03-05T10:00", "ErrWindowAfterStart"),
        ("starts_at", "not a date", "ErrDateTimeInvalid"),
        ("starts_at", "-5000-01-01T09:00", "ErrLessonTimeOutOfRange"),
        ("starts_at", "2020-01-01T09:00", "ErrLessonTimeOutOfRange"),
        ("ends_at", "+200000-01-01T09:45", "ErrLessonTimeOutOfRange"),
        ("ends_at", "2030-03-07T09:00", "ErrLessonTooLong"),
        ("booking_opens_at", "0001-01-01T00:00", "ErrLessonTimeOutOfRange"),
        ("time_zone", "Mars/Olympus", "ErrTimeZoneUnknown"),
        ("mode", "teleport", "ErrChoiceUnknown"),
        ("credited_hours", "30", "ErrHoursTooMany"),
        ("title", "", "ErrRequired"),
        ("title", "<script>alert(1)</script>", "ErrCharsNotAllowed"),
        ("place", "", "ErrPlaceOrLinkNeeded"),
    ];
    for (field, value, expected) in cases {
        let mut form = schedule_form("test-studio");
        match form.iter_mut().find(|(k, _)| *k == field) {
            Some(pair) => pair.1 = value.to_owned(),
            None => form.push((field, value.to_owned())),
        }
        let r = call_owned(&app, &host, "lessons/schedule", &form).await;
        assert_eq!(msg(r, field).await.as_deref(), Some(expected), "{field} = {value}");
    }
    let mut form = schedule_form("test-studio");
    form.push(("teacher_email", "observer@other.test".into()));
    assert_eq!(
        msg(call_owned(&app, &host, "lessons/schedule", &form).await, "teacher_email").await.as_deref(),
        Some("ErrNotAMember")
    );
    assert_eq!(count(&pool, "select count(*) from open_lessons").await, 0, "nothing stored");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_mentor_schedules_publishes_edits_and_cancels_and_booked_observers_hear_of_it(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    World::create(&pool).await;
    let mentor = signed_in(&app, "mentor@studio.test").await;
    let mut form = schedule_form("test-studio");
    form.push(("teacher_email", "mentee@studio.test".into()));
    let r = call_owned(&app, &mentor, "lessons/schedule", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let lesson: Uuid = r.json().await.expect("id");
    let starts: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select starts_at from open_lessons").fetch_one(&pool).await.expect("row");
    assert_eq!(starts.to_rfc3339(), "2030-03-05T01:00:00+00:00", "09:00 in Shanghai");

    let observer = signed_in(&app, "observer@other.test").await;
    assert_eq!(book(&app, &observer, lesson).await.status(), StatusCode::NOT_FOUND, "a draft takes no bookings");
    assert_eq!(
        app.call(&mentor, "lessons/publish", &[("lesson_id", &lesson.to_string())]).await.status(),
        StatusCode::OK
    );
    assert_eq!(book(&app, &observer, lesson).await.status(), StatusCode::OK);

    // Moving it notifies the observer and bumps the calendar sequence.
    let seq_before: i32 = sqlx::query_scalar("select sequence from open_lessons").fetch_one(&pool).await.expect("seq");
    let mut edit = schedule_form("test-studio");
    edit.retain(|(k, _)| *k != "studio");
    edit.push(("lesson_id", lesson.to_string()));
    for pair in edit.iter_mut() {
        if pair.0 == "starts_at" {
            pair.1 = "2030-03-06T14:00".into();
        }
        if pair.0 == "ends_at" {
            pair.1 = "2030-03-06T14:45".into();
        }
    }
    assert_eq!(call_owned(&app, &mentor, "lessons/update", &edit).await.status(), StatusCode::OK);
    let seq_after: i32 = sqlx::query_scalar("select sequence from open_lessons").fetch_one(&pool).await.expect("seq");
    assert!(seq_after > seq_before);
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'lesson_changed'").await, 1);

    // Capacity below the seats taken is refused.
    let r = app.call(&mentor, "lessons/capacity", &[("lesson_id", &lesson.to_string()), ("capacity", "0")]).await;
    assert_eq!(msg(r, "capacity").await.as_deref(), Some("ErrCapacityRange"));

    // Cancelling needs a reason and notifies everyone booked.
    let r = app.call(&mentor, "lessons/cancel", &[("lesson_id", &lesson.to_string()), ("reason", "")]).await;
    assert_eq!(msg(r, "reason").await.as_deref(), Some("ErrRequired"));
    let r =
        app.call(&mentor, "lessons/cancel", &[("lesson_id", &lesson.to_string()), ("reason", "教研活动调整")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'lesson_cancelled'").await, 1);
    assert_eq!(count(&pool, "select count(*) from email_outbox where subject like '公开课已取消%'").await, 1);
    let ics = app.get(&app.client(), &format!("/lessons/{lesson}/calendar.ics")).await.text().await.expect("ics");
    assert!(ics.contains("STATUS:CANCELLED"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn more_seats_promote_the_waitlist_in_order(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 1, false).await;
    for email in ["observer@other.test", "outsider@other.test", "mentee@studio.test"] {
        assert_eq!(book(&app, &signed_in(&app, email).await, lesson).await.status(), StatusCode::OK);
    }
    let host = signed_in(&app, "host@studio.test").await;
    assert_eq!(
        app.call(&host, "lessons/capacity", &[("lesson_id", &lesson.to_string()), ("capacity", "2")]).await.status(),
        StatusCode::OK
    );
    assert_eq!(status_of(&pool, lesson, "outsider@other.test").await.as_deref(), Some("confirmed"));
    assert_eq!(status_of(&pool, lesson, "mentee@studio.test").await.as_deref(), Some("waitlisted"));
    let r = app.call(&host, "lessons/capacity", &[("lesson_id", &lesson.to_string()), ("capacity", "1")]).await;
    assert_eq!(msg(r, "capacity").await.as_deref(), Some("ErrCapacityBelowTaken"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn with_approval_a_booking_waits_for_the_hosts_decision(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 1, true).await;
    let a = signed_in(&app, "observer@other.test").await;
    let b = signed_in(&app, "outsider@other.test").await;
    assert_eq!(book(&app, &a, lesson).await.json::<serde_json::Value>().await.expect("json")["status"], "pending");
    assert_eq!(book(&app, &b, lesson).await.json::<serde_json::Value>().await.expect("json")["status"], "pending");
    let host = signed_in(&app, "host@studio.test").await;
    let ids: Vec<Uuid> =
        sqlx::query_scalar("select id from bookings order by seq").fetch_all(&pool).await.expect("ids");
    let decide = |id: Uuid, d: &'static str| {
        let host = host.clone();
        let app = &app;
        async move {
            app.call(
                &host,
                "lessons/decide",
                &[("lesson_id", &lesson.to_string()), ("booking_id", &id.to_string()), ("decision", d)],
            )
            .await
        }
    };
    assert_eq!(decide(ids[0], "approve").await.status(), StatusCode::OK);
    assert_eq!(decide(ids[1], "approve").await.status(), StatusCode::OK);
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("confirmed"));
    assert_eq!(
        status_of(&pool, lesson, "outsider@other.test").await.as_deref(),
        Some("waitlisted"),
        "approved but no seat left"
    );
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'approved'").await, 2);
    assert_eq!(decide(ids[1], "approve").await.status(), StatusCode::NOT_FOUND, "only pending bookings are decided");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn attendance_credit_is_clipped_to_the_days_24_hours_and_the_ledger_says_so(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::minutes(10)).await;
    let observer = signed_in(&app, "observer@other.test").await;
    book(&app, &observer, lesson).await;
    // 23 hours already on the lesson's day (from before the cap covered every source).
    let manual: Uuid = sqlx::query_scalar(
        "insert into training_records (id, user_id, occurred_on, hours, category)
         select gen_random_uuid(), u.id, (l.starts_at at time zone l.time_zone)::date, 23.0, 'offline'
         from users u, open_lessons l where u.email = 'observer@other.test' and l.id = $1 returning id",
    )
    .bind(lesson)
    .fetch_one(&pool)
    .await
    .expect("a full day");
    let code = [("lesson_id", lesson.to_string()), ("code", "ABC234".to_owned())];
    let credited = || async {
        sqlx::query_as::<_, (f64, Option<f64>)>(
            "select hours::float8, attended_hours::float8 from training_records where source_kind = 'booking'",
        )
        .fetch_optional(&pool)
        .await
        .expect("credit")
    };
    assert_eq!(call_owned(&app, &observer, "lessons/check-in-code", &code).await.status(), StatusCode::OK);
    assert_eq!(credited().await, Some((1.0, Some(1.5))), "1.5 hours attended, 1 left in the day");
    let ledger = app.get(&observer, "/hours").await.text().await.expect("html");
    assert!(ledger.contains("实际参加 1.5 学时"), "the ledger says why less was credited");

    // A full day credits nothing, yet the attendance stays on record.
    let host = signed_in(&app, "host@studio.test").await;
    let booking: Uuid = sqlx::query_scalar("select id from bookings where lesson_id = $1")
        .bind(lesson)
        .fetch_one(&pool)
        .await
        .expect("booking");
    let undo =
        [("lesson_id", lesson.to_string()), ("booking_id", booking.to_string()), ("status", "confirmed".to_owned())];
    assert_eq!(call_owned(&app, &host, "lessons/check-in", &undo).await.status(), StatusCode::OK);
    sqlx::query("update training_records set hours = 24.0 where id = $1")
        .bind(manual)
        .execute(&pool)
        .await
        .expect("full");
    assert_eq!(call_owned(&app, &observer, "lessons/check-in-code", &code).await.status(), StatusCode::OK);
    assert_eq!(credited().await, Some((0.0, Some(1.5))));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn checking_in_credits_training_hours_once_and_undoing_removes_them(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::minutes(30)).await;
    let observer = signed_in(&app, "observer@other.test").await;
    let outsider = signed_in(&app, "outsider@other.test").await;
    book(&app, &observer, lesson).await;
    book(&app, &outsider, lesson).await;
    let host = signed_in(&app, "host@studio.test").await;
    let list: serde_json::Value =
        app.call(&host, "lessons/attendees", &[("lesson_id", &lesson.to_string())]).await.json().await.expect("json");
    let booking =
        list.as_array().expect("list").iter().find(|a| a["email"] == "observer@other.test").expect("observer")
            ["booking_id"]
            .as_str()
            .expect("id")
            .to_owned();
    let check = |status: &'static str| {
        let (host, booking) = (host.clone(), booking.clone());
        let app = &app;
        async move {
            app.call(
                &host,
                "lessons/check-in",
                &[("lesson_id", &lesson.to_string()), ("booking_id", &booking), ("status", status)],
            )
            .await
            .status()
        }
    };
    assert_eq!(check("attended").await, StatusCode::OK);
    assert_eq!(check("attended").await, StatusCode::OK);
    assert_eq!(
        count(
            &pool,
            "select count(*) from training_records where source_kind = 'booking' and category = 'open_lesson'"
        )
        .await,
        1,
        "never duplicated"
    );
    let verifier: Option<uuid::Uuid> =
        sqlx::query_scalar("select verified_by from training_records where source_kind = 'booking'")
            .fetch_one(&pool)
            .await
            .expect("verifier");
    assert_eq!(verifier, Some(world.host), "the host who checked the observer in is recorded as verifier");
    let hours: String = app.call(&observer, "lessons/my-hours", &[]).await.json().await.expect("json");
    assert_eq!(hours, "1.5");
    assert_eq!(check("confirmed").await, StatusCode::OK);
    assert_eq!(count(&pool, "select count(*) from training_records").await, 0, "removed with the check-in");

    // The observer checks in with the code from the room; a wrong code is refused, and so is
    // the right one long before the lesson.
    sqlx::query("update open_lessons set starts_at = starts_at + interval '2 days', ends_at = ends_at + interval '2 days' where id = $1").bind(lesson).execute(&pool).await.expect("move");
    let r =
        app.call(&observer, "lessons/check-in-code", &[("lesson_id", &lesson.to_string()), ("code", "ABC234")]).await;
    assert_eq!(msg(r, "code").await.as_deref(), Some("ErrCheckInClosed"));
    sqlx::query("update open_lessons set starts_at = starts_at - interval '2 days', ends_at = ends_at - interval '2 days' where id = $1").bind(lesson).execute(&pool).await.expect("move back");
    let r =
        app.call(&observer, "lessons/check-in-code", &[("lesson_id", &lesson.to_string()), ("code", "ZZZZZZ")]).await;
    assert_eq!(msg(r, "code").await.as_deref(), Some("ErrWrongCode"));
    let r =
        app.call(&observer, "lessons/check-in-code", &[("lesson_id", &lesson.to_string()), ("code", "abc 234")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("attended"));
    assert_eq!(count(&pool, "select count(*) from training_records").await, 1);

    // Marking the lesson done turns the rest into no-shows.
    assert_eq!(app.call(&host, "lessons/done", &[("lesson_id", &lesson.to_string())]).await.status(), StatusCode::OK);
    assert_eq!(status_of(&pool, lesson, "outsider@other.test").await.as_deref(), Some("no_show"));
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("attended"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn observers_never_see_each_other_and_the_host_exports_the_list_as_csv(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update users set display_name = '赵磊' where email = 'observer@other.test'")
        .execute(&pool)
        .await
        .expect("name");
    let observer = signed_in(&app, "observer@other.test").await;
    let outsider = signed_in(&app, "outsider@other.test").await;
    book(&app, &observer, lesson).await;
    book(&app, &outsider, lesson).await;
    let detail =
        app.call(&outsider, "lessons/detail", &[("lesson_id", &lesson.to_string())]).await.text().await.expect("text");
    assert!(!detail.contains("赵磊") && !detail.contains("observer@other.test"));
    let page = app.get(&outsider, &format!("/lessons/{lesson}")).await.text().await.expect("html");
    assert!(!page.contains("赵磊") && !page.contains("observer@other.test"));
    assert_eq!(
        app.call(&outsider, "lessons/attendees", &[("lesson_id", &lesson.to_string())]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&outsider, &format!("/lessons/{lesson}/attendees.csv")).await.status(), StatusCode::FORBIDDEN);

    let host = signed_in(&app, "host@studio.test").await;
    let r = app.get(&host, &format!("/lessons/{lesson}/attendees.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let bytes = r.bytes().await.expect("body");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("姓名,"));
    assert!(text.contains("赵磊,observer@other.test,"));
    assert_eq!(text.lines().count(), 3);
}

/// Parses iCalendar text with Python's `icalendar` package (a real, independent parser) and
/// prints what the assertions need.
fn parse_with_python(ics: &str) -> serde_json::Value {
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = []
for e in cal.walk('VEVENT'):
    start = e.decoded('DTSTART')
    events.append({'uid': str(e['UID']), 'summary': str(e['SUMMARY']), 'tzid': e['DTSTART'].params.get('TZID'),
                   'start_utc': start.astimezone(__import__('datetime').timezone.utc).isoformat(),
                   'sequence': int(e['SEQUENCE']), 'status': str(e['STATUS'])})
zones = [str(z['TZID']) for z in cal.walk('VTIMEZONE')]
print(json.dumps({'events': events, 'zones': zones}))
"#;
    crate::support::python_json("icalendar", script, ics.as_bytes())
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn calendar_files_parse_with_a_real_icalendar_parser_and_the_feed_token_resets(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update open_lessons set time_zone = 'Europe/London', sequence = 4 where id = $1")
        .bind(lesson)
        .execute(&pool)
        .await
        .expect("tz");
    let starts: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select starts_at from open_lessons").fetch_one(&pool).await.expect("start");

    let ics = app.get(&app.client(), &format!("/lessons/{lesson}/calendar.ics")).await.text().await.expect("ics");
    let parsed = parse_with_python(&ics);
    let e = &parsed["events"][0];
    assert_eq!(e["uid"], format!("open-lesson-{lesson}@atelier"));
    assert_eq!(e["tzid"], "Europe/London");
    assert_eq!(e["sequence"], 4);
    assert_eq!(e["status"], "CONFIRMED");
    assert_eq!(parsed["zones"][0], "Europe/London");
    let start_utc = chrono::DateTime::parse_from_rfc3339(e["start_utc"].as_str().expect("start")).expect("rfc3339");
    assert_eq!(start_utc.timestamp(), starts.timestamp(), "the same instant after the zone round trip");
    assert!(ics.contains("URL:http://127.0.0.1:"), "{ics}");
    // Behind an https proxy the event links back over https.
    let proxied = app
        .client()
        .get(format!("{}/lessons/{lesson}/calendar.ics", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("ics");
    assert!(proxied.text().await.expect("ics").contains("URL:https://127.0.0.1:"));

    // The personal feed: only with the secret; a reset makes the old link useless.
    let observer = signed_in(&app, "observer@other.test").await;
    book(&app, &observer, lesson).await;
    let path: String = app.call(&observer, "lessons/reset-feed", &[]).await.json().await.expect("path");
    let feed = app.get(&app.client(), &path).await;
    assert_eq!(feed.status(), StatusCode::OK);
    let feed = feed.text().await.expect("ics");
    assert_eq!(parse_with_python(&feed)["events"].as_array().expect("events").len(), 1);
    // Cancelling one's booking shows the lesson as cancelled, with a SEQUENCE that moved on;
    // booking again brings it back.
    assert_eq!(
        app.call(&observer, "lessons/cancel-booking", &[("lesson_id", &lesson.to_string())]).await.status(),
        StatusCode::OK
    );
    let parsed = parse_with_python(&app.get(&app.client(), &path).await.text().await.expect("ics"));
    assert_eq!(
        (parsed["events"][0]["status"].clone(), parsed["events"][0]["sequence"].clone()),
        (serde_json::json!("CANCELLED"), serde_json::json!(5))
    );
    book(&app, &observer, lesson).await;
    let parsed = parse_with_python(&app.get(&app.client(), &path).await.text().await.expect("ics"));
    assert_eq!(parsed["events"].as_array().expect("events").len(), 1, "one event per lesson");
    assert_eq!(parsed["events"][0]["status"], "CONFIRMED");
    assert_eq!(parsed["events"][0]["sequence"], 6, "SEQUENCE never goes back");
    sqlx::query("update open_lessons set status = 'cancelled', sequence = sequence + 1 where id = $1")
        .bind(lesson)
        .execute(&pool)
        .await
        .expect("cancel");
    let feed = app.get(&app.client(), &path).await.text().await.expect("ics");
    let parsed = parse_with_python(&feed);
    assert_eq!(parsed["events"][0]["status"], "CANCELLED");
    assert_eq!(parsed["events"][0]["sequence"], 7);
    let new_path: String = app.call(&observer, "lessons/reset-feed", &[]).await.json().await.expect("path");
    assert_ne!(new_path, path);
    assert_eq!(app.get(&app.client(), &path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&app.client(), &new_path).await.status(), StatusCode::OK);
    let stored: String =
        sqlx::query_scalar("select token_hash from calendar_feeds").fetch_one(&pool).await.expect("hash");
    assert!(!new_path.contains(&stored), "only a hash of the secret is stored");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn reminders_are_written_once_per_booking_whatever_runs_them(pool: PgPool) {
    let world = World::create(&pool).await;
    let soon = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::hours(10)).await;
    let later = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::days(3)).await;
    for (lesson, email) in
        [(soon, "observer@other.test"), (soon, "outsider@other.test"), (later, "observer@other.test")]
    {
        sqlx::query("insert into bookings (id, lesson_id, user_id, status) select gen_random_uuid(), $1, id, 'confirmed' from users where email = $2")
            .bind(lesson)
            .bind(email)
            .execute(&pool)
            .await
            .expect("booking");
    }
    let (a, b) =
        tokio::join!(app::lessons::store::send_due_reminders(&pool), app::lessons::store::send_due_reminders(&pool));
    assert_eq!(a.expect("a") + b.expect("b"), 2);
    assert_eq!(app::lessons::store::send_due_reminders(&pool).await.expect("again"), 0);
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'reminder'").await, 2);
    assert_eq!(count(&pool, "select count(*) from email_outbox").await, 2);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_lesson_finder_filters_by_subject_grade_mode_dates_and_free_seats(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let math = world.lesson(&pool, 1, false, LessonStatus::Published, Duration::days(3)).await;
    let english = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::days(10)).await;
    let _draft = world.lesson(&pool, 5, false, LessonStatus::Draft, Duration::days(4)).await;
    sqlx::query("update open_lessons set subject = 'English', grade = '七年级', mode = 'online', link = 'https://m.example.cn/1' where id = $1")
        .bind(english)
        .execute(&pool)
        .await
        .expect("english");
    sqlx::query("insert into bookings (id, lesson_id, user_id, status) select gen_random_uuid(), $1, id, 'confirmed' from users where email = 'observer@other.test'")
        .bind(math)
        .execute(&pool)
        .await
        .expect("full");
    let client = app.client();
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["lessons"].as_array().expect("list").iter().map(|l| l["id"].as_str().expect("id").to_owned()).collect()
    };
    let list = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let app = &app;
        async move {
            let r = call_owned(app, &client, "lessons/list", &form).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<serde_json::Value>().await.expect("json")
        }
    };
    assert_eq!(ids(list(vec![]).await), [math.to_string(), english.to_string()], "drafts never listed; soonest first");
    assert_eq!(ids(list(vec![("filter[subject]", "English".into())]).await), [english.to_string()]);
    assert_eq!(ids(list(vec![("filter[grade]", "八年级".into())]).await), [math.to_string()]);
    assert_eq!(ids(list(vec![("filter[mode]", "online".into())]).await), [english.to_string()]);
    assert_eq!(ids(list(vec![("filter[district]", "滨江区".into())]).await), Vec::<String>::new());
    assert_eq!(
        ids(list(vec![("filter[free_seats]", "true".into())]).await),
        [english.to_string()],
        "the full lesson is left out"
    );
    let day = (chrono::Utc::now() + Duration::days(10))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(ids(list(vec![("filter[from]", day.clone()), ("filter[to]", day)]).await), [english.to_string()]);
    let r = app.call(&client, "lessons/list", &[("filter[from]", "2026-13-45")]).await;
    assert_eq!(msg(r, "from").await.as_deref(), Some("ErrDateInvalid"));

    // The calendar, read by a query of its own, shows what the list shows for every filter: of
    // the listed lessons, those within its period (days in the viewer's zone, Beijing time here).
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let anchor = (chrono::Utc::now() + Duration::days(3)).with_timezone(&beijing).format("%Y-%m-%d").to_string();
    for form in [
        vec![],
        vec![("filter[subject]", "English".to_owned())],
        vec![("filter[grade]", "八年级".to_owned())],
        vec![("filter[mode]", "online".to_owned())],
        vec![("filter[district]", "西湖区".to_owned())],
        vec![("filter[district]", "滨江区".to_owned())],
        vec![("filter[free_seats]", "true".to_owned())],
    ] {
        let listed = list(form.clone()).await;
        let mut asked = form.clone();
        asked.push(("filter[from]", anchor.clone()));
        let r = call_owned(&app, &client, "lessons/calendar", &asked).await;
        assert_eq!(r.status(), StatusCode::OK);
        let month: serde_json::Value = r.json().await.expect("calendar");
        let start: chrono::NaiveDate = month["start"].as_str().and_then(|d| d.parse().ok()).expect("start");
        let end = start + Duration::days(month["days"].as_i64().expect("days"));
        let shown: Vec<String> = month["busy"]
            .as_array()
            .expect("days")
            .iter()
            .flat_map(|day| day["lessons"].as_array().expect("lessons").iter())
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect();
        let expected: Vec<String> = listed["lessons"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|l| {
                let at: chrono::DateTime<chrono::Utc> =
                    l["starts_at"].as_str().and_then(|t| t.parse().ok()).expect("time");
                (start..end).contains(&at.with_timezone(&beijing).date_naive())
            })
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(shown, expected, "the calendar and the list agree for {form:?}");
    }

    // The page: calendar views render the lessons too.
    let month = app.get(&client, "/lessons?view=month").await.text().await.expect("html");
    assert!(month.contains("class=\"calendar"));
    assert!(month.contains(&format!("/lessons/{math}")));
    assert!(month.contains("下个月") && month.contains("view=month&amp;from="), "links to the next month");
    // A month far ahead has no lessons but still shows its grid.
    let empty = app.get(&client, "/lessons?view=month&from=2031-02-01&to=2031-02-28").await.text().await.expect("html");
    assert!(empty.contains("2031-02") && !empty.contains(&format!("/lessons/{math}")));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_viewer_in_another_zone_sees_their_time_and_the_lessons_own(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update users set time_zone = 'Europe/London' where email = 'observer@other.test'")
        .execute(&pool)
        .await
        .expect("tz");
    let london = signed_in(&app, "observer@other.test").await;
    let page = app.get(&london, &format!("/lessons/{lesson}")).await.text().await.expect("html");
    assert!(page.contains("课堂当地时间"), "the lesson's own zone is shown when it differs");
    let shanghai = signed_in(&app, "outsider@other.test").await;
    let page = app.get(&shanghai, &format!("/lessons/{lesson}")).await.text().await.expect("html");
    assert!(!page.contains("课堂当地时间"));
    assert!(page.contains("《勾股定理》研究课"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn my_lessons_lists_my_bookings_and_my_studios_lessons_drafts_included(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let published = world.published_lesson(&pool, 1, false).await;
    let draft = world.lesson(&pool, 5, false, LessonStatus::Draft, Duration::days(5)).await;
    let observer = signed_in(&app, "observer@other.test").await;
    let outsider = signed_in(&app, "outsider@other.test").await;
    book(&app, &observer, published).await;
    book(&app, &outsider, published).await;
    let mine: serde_json::Value = app.call(&outsider, "lessons/mine", &[]).await.json().await.expect("json");
    assert_eq!(mine["booked"][0]["id"], published.to_string());
    assert_eq!(mine["booked"][0]["my_status"], "waitlisted");
    assert_eq!(mine["managed"].as_array().expect("list").len(), 0);
    let host = signed_in(&app, "host@studio.test").await;
    let mine: serde_json::Value = app.call(&host, "lessons/mine", &[]).await.json().await.expect("json");
    let managed: Vec<&str> =
        mine["managed"].as_array().expect("list").iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(managed, [published.to_string(), draft.to_string()]);
    let page = app.get(&outsider, "/my-lessons").await.text().await.expect("html");
    assert!(page.contains("候补中"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn without_javascript_a_refused_booking_comes_back_to_the_page_with_its_message(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.lesson(&pool, 5, false, LessonStatus::Cancelled, Duration::days(2)).await;
    let observer = signed_in(&app, "observer@other.test").await;
    let page = format!("{}/lessons/{lesson}", app.base);
    let r = observer
        .post(format!("{}/api/lessons/book", app.base))
        .header("accept", "text/html")
        .header("referer", &page)
        .form(&[("lesson_id", lesson.to_string())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().expect("location").to_owned();
    assert!(location.starts_with(&page), "{location}");
    let html = observer.get(&location).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("这节课目前不接受预约。"), "the translated reason is on the page");
    assert_eq!(count(&pool, "select count(*) from bookings").await, 0);

    // A successful plain-form booking redirects to the lesson page, which shows the seat.
    let open = world.published_lesson(&pool, 5, false).await;
    let r = observer
        .post(format!("{}/api/lessons/book", app.base))
        .header("accept", "text/html")
        .form(&[("lesson_id", open.to_string())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], format!("/lessons/{open}").as_str());
    let html = app.get(&observer, &format!("/lessons/{open}")).await.text().await.expect("html");
    assert!(html.contains("已确认"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn markup_in_a_lesson_description_stays_text_on_the_edit_page(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    sqlx::query("update open_lessons set description = '</textarea><script>alert(1)</script>' where id = $1")
        .bind(lesson)
        .execute(&pool)
        .await
        .expect("description");
    let host = signed_in(&app, "host@studio.test").await;
    let html = app.get(&host, &format!("/lessons/{lesson}/edit")).await.text().await.expect("html");
    assert!(html.contains("&lt;/textarea&gt;&lt;script&gt;"), "the description is in the form as text");
    assert!(!html.contains("<script>alert(1)"), "and never as markup");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_private_studios_lessons_are_hidden_from_outsiders_and_an_archived_studios_take_no_bookings(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    let day: String = sqlx::query_scalar(
        "select to_char(starts_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') from open_lessons where id = $1",
    )
    .bind(lesson)
    .fetch_one(&pool)
    .await
    .expect("day");
    let week_of = |client: &Client| {
        let (app, client, day) = (&app, client.clone(), day.clone());
        async move {
            let r = app.call(&client, "lessons/calendar", &[("filter[from]", &day), ("week", "true")]).await;
            r.json::<serde_json::Value>().await.expect("calendar")
        }
    };
    let outsider = signed_in(&app, "outsider@other.test").await;
    assert_eq!(week_of(&outsider).await["busy"].as_array().map(Vec::len), Some(1), "a public studio's lesson");
    sqlx::query("update studios set visibility = 'private' where id = $1")
        .bind(world.studio)
        .execute(&pool)
        .await
        .expect("private");
    let id = lesson.to_string();

    let admin = signed_in(&app, "admin@district.test").await;
    for client in [&outsider, &admin] {
        assert_eq!(app.call(client, "lessons/detail", &[("lesson_id", &id)]).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(book(&app, client, lesson).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(client, &format!("/lessons/{id}/calendar.ics")).await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(app.get(&app.client(), &format!("/lessons/{id}/calendar.ics")).await.status(), StatusCode::UNAUTHORIZED);
    let listed: serde_json::Value = app.call(&outsider, "lessons/list", &[]).await.json().await.expect("list");
    assert_eq!(listed["lessons"].as_array().map(Vec::len), Some(0), "not in the finder either");
    let week: serde_json::Value = week_of(&outsider).await;
    assert_eq!(week["busy"].as_array().map(Vec::len), Some(0), "nor in its calendar");
    assert_eq!(count(&pool, "select count(*) from bookings").await, 0, "nothing booked");

    let mentee = signed_in(&app, "mentee@studio.test").await;
    assert_eq!(app.call(&mentee, "lessons/detail", &[("lesson_id", &id)]).await.status(), StatusCode::OK);
    assert_eq!(app.get(&mentee, &format!("/lessons/{id}/calendar.ics")).await.status(), StatusCode::OK);
    assert_eq!(
        book(&app, &mentee, lesson).await.status(),
        StatusCode::OK,
        "members book their private studio's lessons"
    );

    sqlx::query("update studios set visibility = 'public', archived = true where id = $1")
        .bind(world.studio)
        .execute(&pool)
        .await
        .expect("archive");
    assert_eq!(
        app.call(&outsider, "lessons/detail", &[("lesson_id", &id)]).await.status(),
        StatusCode::OK,
        "an archived studio is read-only, not hidden"
    );
    assert_eq!(week_of(&outsider).await["busy"].as_array().map(Vec::len), Some(0), "but no longer in the calendar");
    let refused = book(&app, &outsider, lesson).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(error_json(refused).await["Refused"]["Studio"], "ErrArchived");
    assert_eq!(count(&pool, "select count(*) from bookings").await, 1, "only the mentee's booking");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_cancelled_lesson_credits_nobody_and_takes_no_check_ins(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::minutes(30)).await;
    let id = lesson.to_string();
    let (observer, outsider) =
        (signed_in(&app, "observer@other.test").await, signed_in(&app, "outsider@other.test").await);
    book(&app, &observer, lesson).await;
    book(&app, &outsider, lesson).await;
    let code = app.call(&observer, "lessons/check-in-code", &[("lesson_id", &id), ("code", "ABC234")]).await;
    assert_eq!(code.status(), StatusCode::OK, "checked in early with the code");
    assert_eq!(count(&pool, "select count(*) from training_records").await, 1);

    let host = signed_in(&app, "host@studio.test").await;
    let cancelled = app.call(&host, "lessons/cancel", &[("lesson_id", &id), ("reason", "台风停课 Typhoon")]).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(count(&pool, "select count(*) from training_records").await, 0, "the credit goes with the lesson");

    let r = app.call(&outsider, "lessons/check-in-code", &[("lesson_id", &id), ("code", "ABC234")]).await;
    assert_eq!(msg(r, "code").await.as_deref(), Some("ErrCheckInCancelled"));
    let booking: Uuid = sqlx::query_scalar(
        "select b.id from bookings b join users u on u.id = b.user_id where u.email = 'outsider@other.test'",
    )
    .fetch_one(&pool)
    .await
    .expect("booking");
    let r = app
        .call(
            &host,
            "lessons/check-in",
            &[("lesson_id", &id), ("booking_id", &booking.to_string()), ("status", "attended")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(count(&pool, "select count(*) from training_records").await, 0, "nothing credited");
    assert_eq!(status_of(&pool, lesson, "outsider@other.test").await.as_deref(), Some("confirmed"));
    let seats = app.call(&host, "lessons/capacity", &[("lesson_id", &id), ("capacity", "10")]).await;
    assert_eq!(msg(seats, "capacity").await.as_deref(), Some("ErrLessonNotEditable"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn dates_outside_any_sane_range_are_field_errors_not_internal_errors(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.client();
    for day in ["0000-01-01", "-5000-01-01", "+99999-12-31", "1800-01-01"] {
        let r = app.call(&client, "lessons/list", &[("filter[from]", day)]).await;
        assert_eq!(msg(r, "from").await.as_deref(), Some("ErrDateOutOfRange"), "{day}");
        let page = app.get(&client, &format!("/lessons?from={day}")).await;
        assert_eq!(page.status(), StatusCode::OK, "{day}: the page shows the message");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_stored_lesson_at_the_edge_of_time_still_gets_its_calendar_file_at_once(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    // Written before lesson times were bounded: a lesson "ending" in the year 200000.
    let lesson = world.published_lesson(&pool, 5, false).await;
    let far =
        chrono::NaiveDate::from_ymd_opt(200_000, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
    sqlx::query("update open_lessons set ends_at = $2 where id = $1")
        .bind(lesson)
        .bind(far)
        .execute(&pool)
        .await
        .expect("far");
    let started = std::time::Instant::now();
    let ics = app.get(&app.client(), &format!("/lessons/{lesson}/calendar.ics")).await;
    assert_eq!(ics.status(), StatusCode::OK);
    let text = ics.text().await.expect("ics");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("END:VCALENDAR"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_teaching_teacher_cannot_book_a_seat_at_their_own_lesson(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    // The host teaches the world's lessons.
    let lesson = world.lesson(&pool, 5, false, LessonStatus::Published, Duration::minutes(20)).await;
    let host = signed_in(&app, "host@studio.test").await;
    let r = book(&app, &host, lesson).await;
    assert_eq!(msg(r, "lesson").await.as_deref(), Some("ErrOwnLesson"));
    assert_eq!(count(&pool, "select count(*) from bookings").await, 0, "nothing stored");
    // Not even a booking made some other way earns them credit.
    sqlx::query(
        "insert into bookings (id, lesson_id, user_id, status) values (gen_random_uuid(), $1, $2, 'confirmed')",
    )
    .bind(lesson)
    .bind(world.host)
    .execute(&pool)
    .await
    .expect("booking");
    let check =
        app.call(&host, "lessons/check-in-code", &[("lesson_id", &lesson.to_string()), ("code", "ABC234")]).await;
    assert_eq!(check.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&pool, "select count(*) from training_records").await, 0, "no hours for teaching");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn removal_from_a_private_studio_ends_its_bookings_and_takes_place_and_link_out_of_the_feed(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    sqlx::query("update studios set visibility = 'private' where id = $1")
        .bind(world.studio)
        .execute(&pool)
        .await
        .expect("private");
    let lesson = world.published_lesson(&pool, 1, false).await;
    sqlx::query("update open_lessons set mode = 'hybrid', link = 'https://meet.example/secret-room' where id = $1")
        .bind(lesson)
        .execute(&pool)
        .await
        .expect("link");
    let mentee = signed_in(&app, "mentee@studio.test").await;
    let mentor = signed_in(&app, "mentor@studio.test").await;
    assert_eq!(book(&app, &mentee, lesson).await.status(), StatusCode::OK);
    assert_eq!(book(&app, &mentor, lesson).await.status(), StatusCode::OK);
    assert_eq!(status_of(&pool, lesson, "mentor@studio.test").await.as_deref(), Some("waitlisted"));
    let feed_path: String = app.call(&mentee, "lessons/reset-feed", &[]).await.json().await.expect("path");
    let feed = app.get(&app.client(), &feed_path).await.text().await.expect("ics");
    assert!(feed.contains("301 教室") && feed.contains("secret-room"), "a member's feed has the place and the link");

    let host = signed_in(&app, "host@studio.test").await;
    let mentee_id = crate::support::user_id(&pool, "mentee@studio.test").await.to_string();
    let removed = app.call(&host, "studios/remove-member", &[("studio", "test-studio"), ("user", &mentee_id)]).await;
    assert_eq!(removed.status(), StatusCode::OK);
    // In the same transaction: the booking ends and the waitlist moves up.
    assert_eq!(status_of(&pool, lesson, "mentee@studio.test").await.as_deref(), Some("cancelled"));
    assert_eq!(status_of(&pool, lesson, "mentor@studio.test").await.as_deref(), Some("confirmed"));
    let feed = app.get(&app.client(), &feed_path).await.text().await.expect("ics");
    assert!(feed.contains("STATUS:CANCELLED"), "{feed}");
    assert!(!feed.contains("301 教室") && !feed.contains("secret-room"), "no place or link any more: {feed}");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_host_cannot_check_anyone_in_days_before_the_lesson(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 5, false).await;
    let observer = signed_in(&app, "observer@other.test").await;
    assert_eq!(book(&app, &observer, lesson).await.status(), StatusCode::OK);
    let booking: Uuid = sqlx::query_scalar("select id from bookings where lesson_id = $1")
        .bind(lesson)
        .fetch_one(&pool)
        .await
        .expect("booking");
    let host = signed_in(&app, "host@studio.test").await;
    let form = [("lesson_id", lesson.to_string()), ("booking_id", booking.to_string()), ("status", "attended".into())];
    let early = call_owned(&app, &host, "lessons/check-in", &form).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert_eq!(error_json(early).await, serde_json::json!({"Refused": {"Lesson": "ErrCheckInClosed"}}));
    assert_eq!(count(&pool, "select count(*) from training_records").await, 0, "no hours for a lesson days away");
    assert_eq!(status_of(&pool, lesson, "observer@other.test").await.as_deref(), Some("confirmed"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_finder_pages_its_list_and_the_calendar_shows_every_day_of_a_busy_month(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    // 35 lessons over the coming weeks, then 5 on one day far ahead (09:00 to 13:00 Beijing time).
    for day in 1..=35 {
        world.lesson(&pool, 30, false, LessonStatus::Published, Duration::days(day)).await;
    }
    let busy_day = chrono::NaiveDate::from_ymd_opt(2031, 3, 12).expect("day");
    for hour in 1..=5 {
        let lesson = world.lesson(&pool, 30, false, LessonStatus::Published, Duration::days(1)).await;
        let starts = busy_day.and_hms_opt(hour, 0, 0).expect("time").and_utc();
        sqlx::query("update open_lessons set starts_at = $2, ends_at = $2 + interval '45 minutes' where id = $1")
            .bind(lesson)
            .bind(starts)
            .execute(&pool)
            .await
            .expect("busy day");
    }
    let client = app.client();
    let page = |n: &'static str| {
        let (app, client) = (&app, &client);
        async move { app.call(client, "lessons/list", &[("filter[page]", n)]).await }
    };
    let first: serde_json::Value = page("1").await.json().await.expect("page 1");
    assert_eq!((first["lessons"].as_array().map(Vec::len), &first["more"]), (Some(30), &serde_json::json!(true)));
    let second: serde_json::Value = page("2").await.json().await.expect("page 2");
    assert_eq!((second["lessons"].as_array().map(Vec::len), &second["more"]), (Some(10), &serde_json::json!(false)));
    let beyond: serde_json::Value = page("4294967295").await.json().await.expect("a page far beyond");
    assert_eq!(beyond["page"], 200, "the last servable page, not an error");
    let html = app.get(&client, "/lessons").await.text().await.expect("html");
    assert_eq!(html.matches("<li class=\"lesson\">").count(), 30, "a page of thirty, not every lesson");
    assert!(html.contains("rel=\"next\"") && html.contains("page=2"), "a link to the next page");

    let calendar = |week: &'static str| {
        let (app, client) = (&app, &client);
        async move { app.call(client, "lessons/calendar", &[("filter[from]", "2031-03-12"), ("week", week)]).await }
    };
    let month: serde_json::Value = calendar("false").await.json().await.expect("month");
    assert_eq!((month["start"].as_str(), month["days"].as_u64()), (Some("2031-02-24"), Some(42)));
    let day = &month["busy"][0];
    assert_eq!((day["date"].as_str(), day["count"].as_i64()), (Some("2031-03-12"), Some(5)));
    assert_eq!(day["lessons"].as_array().map(Vec::len), Some(3), "a month's day shows its first three");
    let week: serde_json::Value = calendar("true").await.json().await.expect("week");
    assert_eq!(week["start"].as_str(), Some("2031-03-10"));
    assert_eq!(week["busy"][0]["lessons"].as_array().map(Vec::len), Some(5), "a week shows every lesson");

    let month_page = app.get(&client, "/lessons?view=month&from=2031-03-01").await.text().await.expect("html");
    assert!(month_page.contains("当天全部 5 节"), "the day links to its full list");
    assert!(month_page.contains("view=list&amp;from=2031-03-12&amp;to=2031-03-12"));
    let week_page = app.get(&client, "/lessons?view=week&from=2031-03-12").await.text().await.expect("html");
    for time in ["09:00", "10:00", "11:00", "12:00", "13:00"] {
        assert!(week_page.contains(time), "the week shows the lesson at {time}");
    }
    assert!(!week_page.contains("当天全部"), "nothing hidden in a week");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_lessons_seat_counts_follow_every_change_of_its_bookings(pool: PgPool) {
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 30, false).await;
    let counts = || async {
        let row: (i32, i32, i64, i64) = sqlx::query_as(
            "select l.seats_taken, l.waitlisted,
                    (select count(*) from bookings b where b.lesson_id = l.id and b.status in ('confirmed', 'attended', 'no_show')),
                    (select count(*) from bookings b where b.lesson_id = l.id and b.status = 'waitlisted')
             from open_lessons l where l.id = $1",
        )
        .bind(lesson)
        .fetch_one(&pool)
        .await
        .expect("counts");
        assert_eq!((i64::from(row.0), i64::from(row.1)), (row.2, row.3), "the lesson row agrees with its bookings");
        (row.0, row.1)
    };
    let users: Vec<Uuid> =
        sqlx::query_scalar("select id from users order by email limit 4").fetch_all(&pool).await.expect("users");
    let mut ids = Vec::new();
    for (user, status) in users.iter().zip(["confirmed", "confirmed", "waitlisted", "pending"]) {
        let id = Uuid::new_v4();
        sqlx::query("insert into bookings (id, lesson_id, user_id, status) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(lesson)
            .bind(user)
            .bind(status)
            .execute(&pool)
            .await
            .expect("booking");
        ids.push(id);
    }
    assert_eq!(counts().await, (2, 1));
    let set = |id: Uuid, status: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query("update bookings set status = $2 where id = $1")
                .bind(id)
                .bind(status)
                .execute(&pool)
                .await
                .expect("update");
        }
    };
    set(ids[0], "cancelled").await;
    assert_eq!(counts().await, (1, 1));
    set(ids[2], "confirmed").await;
    assert_eq!(counts().await, (2, 0), "promoted from the waitlist");
    set(ids[3], "confirmed").await;
    set(ids[1], "attended").await;
    set(ids[2], "no_show").await;
    assert_eq!(counts().await, (3, 0), "attended and no-show keep their seats");
    set(ids[1], "attended").await;
    assert_eq!(counts().await, (3, 0), "an update that changes nothing counts nothing");
    sqlx::query("delete from bookings where id = $1").bind(ids[3]).execute(&pool).await.expect("delete");
    assert_eq!(counts().await, (2, 0));
}

/// Bookings that arrive together are written as one batch; each is still decided as if alone, in
/// arrival order, and a refusal of one leaves the others booked.
#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn one_batch_of_bookings_decides_each_as_if_alone(pool: PgPool) {
    use app::lessons::BookingStatus;
    let world = World::create(&pool).await;
    let lesson = world.published_lesson(&pool, 1, false).await;
    let mentee = crate::support::user_id(&pool, "mentee@studio.test").await;
    let observer = crate::support::user_id(&pool, "observer@other.test").await;
    let batch = [mentee, world.host, mentee, observer];
    let outcomes = app::lessons::store::book_many(&pool, lesson, &batch).await.expect("batch");
    assert_eq!(outcomes.iter().map(|(user, _)| *user).collect::<Vec<_>>(), batch, "one answer each, in order");
    let first = outcomes[0].1.as_ref().expect("the first takes the seat");
    assert_eq!((first.status, first.waitlist_position), (BookingStatus::Confirmed, None));
    let own = outcomes[1].1.as_ref().expect_err("the host teaches it");
    assert!(format!("{own:?}").contains("ErrOwnLesson"), "{own:?}");
    let twice = outcomes[2].1.as_ref().expect_err("booked already, in this very batch");
    assert!(format!("{twice:?}").contains("ErrAlreadyBooked"), "{twice:?}");
    let last = outcomes[3].1.as_ref().expect("the observer is waitlisted");
    assert_eq!((last.status, last.waitlist_position), (BookingStatus::Waitlisted, Some(1)));
    let stored: Vec<(Uuid, String)> =
        sqlx::query_as("select user_id, status from bookings where lesson_id = $1 order by seq")
            .bind(lesson)
            .fetch_all(&pool)
            .await
            .expect("bookings");
    assert_eq!(stored, vec![(mentee, "confirmed".to_owned()), (observer, "waitlisted".to_owned())]);
}
