//! Accounts over real HTTP against a fresh PostgreSQL database per test.

use crate::support::{assert_status, error_json, field_error, registration, session_cookie, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::{Duration, Instant};

const PASSWORD: &str = "lesson-study-2026";

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn registering_signs_the_new_teacher_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let response = app.register(&client, "Li.Ming@School.edu.cn", PASSWORD).await;
    assert_status(&response, StatusCode::OK);
    let cookie = session_cookie(&response).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    let profile = app.call(&client, "account/profile", &[]).await;
    assert_status(&profile, StatusCode::OK);
    let profile: serde_json::Value = profile.json().await.expect("json");
    assert_eq!(profile["email"], "li.ming@school.edu.cn");
    assert_eq!(profile["display_name"], "李明");
    assert_eq!(profile["tier"], "backbone");

    let home = app.get(&client, "/").await.text().await.expect("html");
    assert!(home.contains("李明"), "the header names the signed-in teacher");
    let hash: String = sqlx::query_scalar("select password_hash from users").fetch_one(&app.pool).await.expect("hash");
    assert!(hash.starts_with("$argon2id$"), "stored as an argon2id PHC string");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn an_email_registers_once_whatever_its_case(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_status(&app.register(&app.client(), "wang@school.cn", PASSWORD).await, StatusCode::OK);
    let again = app.register(&app.client(), "WANG@School.CN", PASSWORD).await;
    assert_status(&again, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(again).await, "email").as_deref(), Some("ErrEmailTaken"));
    assert_eq!(app.user_count().await, 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn bad_registrations_get_a_field_error_and_store_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ten_kb = "字".repeat(10 * 1024);
    let long_email = format!("{}@school.cn", "a".repeat(300));
    let html = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>"];
    let sql = ["' OR '1'='1", "'; DROP TABLE users; --", "1; select pg_sleep(5)"];
    let text_fields = ["display_name", "school", "district", "subject", "grade_band"];

    let mut cases: Vec<(&str, String, &str)> = vec![
        ("email", String::new(), "ErrRequired"),
        ("email", "not-an-email".into(), "ErrEmailInvalid"),
        ("email", "li@school".into(), "ErrEmailInvalid"),
        ("email", long_email, "ErrTooLong"),
        ("email", ten_kb.clone(), "ErrTooLong"),
        ("password", String::new(), "ErrRequired"),
        ("password", "short".into(), "ErrPasswordTooShort"),
        ("password", ten_kb.clone(), "ErrPasswordTooLong"),
        ("time_zone", "Mars/Olympus".into(), "ErrTimeZoneUnknown"),
        ("time_zone", String::new(), "ErrRequired"),
        ("time_zone", ten_kb.clone(), "ErrTimeZoneUnknown"),
        ("tier", "wizard".into(), "ErrChoiceUnknown"),
        ("locale", "fr".into(), "ErrChoiceUnknown"),
        ("display_name", String::new(), "ErrRequired"),
        ("display_name", "   ".into(), "ErrRequired"),
        ("display_name", "名".repeat(61), "ErrTooLong"),
        ("school", String::new(), "ErrRequired"),
    ];
    for field in text_fields {
        cases.push((field, ten_kb.clone(), "ErrTooLong"));
        for payload in html.iter().chain(sql.iter()) {
            cases.push((field, (*payload).to_owned(), "ErrCharsNotAllowed"));
        }
    }
    for payload in html.iter().chain(sql.iter()) {
        cases.push(("email", format!("{payload}@school.cn"), "ErrEmailInvalid"));
        cases.push(("time_zone", (*payload).to_owned(), "ErrTimeZoneUnknown"));
        cases.push(("tier", (*payload).to_owned(), "ErrChoiceUnknown"));
        cases.push(("locale", (*payload).to_owned(), "ErrChoiceUnknown"));
    }

    for (field, value, expected) in &cases {
        let mut form = registration("valid@school.cn", PASSWORD);
        for pair in form.iter_mut() {
            if pair.0 == *field {
                pair.1 = value.as_str();
            }
        }
        let response = app.call(&app.client(), "auth/register", &form).await;
        assert_status(&response, StatusCode::UNPROCESSABLE_ENTITY);
        let error = error_json(response).await;
        assert_eq!(field_error(&error, field).as_deref(), Some(*expected), "{field} = {:.40}", value);
    }
    assert_eq!(app.user_count().await, 0, "nothing stored");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_nul_character_is_bad_input_not_a_500(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // PostgreSQL text cannot hold NUL: text that reaches the database unchecked is refused with
    // a message, text checked first gets its field error, and a search simply ignores it.
    let signed_in = app.sign_in(&app.client(), "a\0@school.cn", PASSWORD).await;
    assert_status(&signed_in, StatusCode::CONFLICT);
    assert_eq!(error_json(signed_in).await["Refused"], "ErrUnstorableText");
    let page = app.call(&app.client(), "studios/page", &[("slug", "a\0b")]).await;
    assert_status(&page, StatusCode::CONFLICT);

    let mut form = registration("nul@school.cn", PASSWORD);
    form[3] = ("school", "实验\0中学");
    let registered = app.call(&app.client(), "auth/register", &form).await;
    assert_status(&registered, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(registered).await, "school").as_deref(), Some("ErrCharsNotAllowed"));
    assert_eq!(app.user_count().await, 0, "nothing stored");

    let search = [("q", "数\0学"), ("subject", ""), ("district", "\0"), ("page", "1")];
    assert_status(&app.call(&app.client(), "studios/directory", &search).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_request_with_missing_arguments_is_a_client_error(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.call(&app.client(), "auth/register", &[("email", "a@b.cn")]).await;
    assert_status(&response, StatusCode::BAD_REQUEST);
    assert!(error_json(response).await.get("Request").is_some());
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn wrong_password_and_unknown_email_get_the_same_answer_in_similar_time(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "known@school.cn", PASSWORD).await;

    let mut timings = [Vec::new(), Vec::new()];
    let mut bodies = [String::new(), String::new()];
    for round in 0..5 {
        for (i, email) in ["known@school.cn", "unknown@school.cn"].iter().enumerate() {
            // A fresh email each round keeps the throttle out of the measurement.
            sqlx::query("delete from sign_in_failures").execute(&app.pool).await.expect("reset");
            let started = Instant::now();
            let response = app.sign_in(&app.client(), email, "wrong-password-1").await;
            timings[i].push(started.elapsed());
            assert_status(&response, StatusCode::UNAUTHORIZED);
            bodies[i] = response.text().await.expect("body");
            let _ = round;
        }
    }
    assert_eq!(bodies[0], bodies[1], "no difference in what is said");
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (known, unknown) = (median(&mut timings[0]), median(&mut timings[1]));
    // Both verify one argon2 hash; an unknown email that skipped it would answer more than ten
    // times faster. A factor of three leaves room for a busy machine.
    assert!(unknown * 3 > known && known * 3 > unknown, "known {known:?} vs unknown {unknown:?}");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn signing_in_issues_a_new_session_id_and_retires_the_old_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    app.register(&app.client(), "b@school.cn", PASSWORD).await;

    let client = app.client();
    let first = session_cookie(&app.sign_in(&client, "a@school.cn", PASSWORD).await).expect("cookie");
    let second = session_cookie(&app.sign_in(&client, "b@school.cn", PASSWORD).await).expect("cookie");
    let id = |c: &str| c.split(';').next().unwrap_or_default().to_owned();
    assert_ne!(id(&first), id(&second), "a sign-in rotates the session id");

    // A client still holding the first id is not signed in as anyone.
    let stale = reqwest::Client::new();
    let response = stale
        .post(format!("{}/api/account/profile", app.base))
        .header(reqwest::header::COOKIE, id(&first))
        .send()
        .await
        .expect("request");
    assert_status(&response, StatusCode::UNAUTHORIZED);
    let profile: serde_json::Value = app.call(&client, "account/profile", &[]).await.json().await.expect("json");
    assert_eq!(profile["email"], "b@school.cn");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn signing_out_ends_the_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    app.register(&client, "a@school.cn", PASSWORD).await;
    assert_status(&app.call(&client, "account/profile", &[]).await, StatusCode::OK);
    assert_status(&app.call(&client, "auth/sign-out", &[]).await, StatusCode::OK);
    let after = app.call(&client, "account/profile", &[]).await;
    assert_status(&after, StatusCode::UNAUTHORIZED);
    assert_eq!(error_json(after).await, serde_json::json!("SignInRequired"));
    let sessions: i64 =
        sqlx::query_scalar("select count(*) from tower_sessions.session").fetch_one(&app.pool).await.expect("count");
    assert_eq!(sessions, 0, "the session is deleted from the store");
}

/// The signed-in user of the only session in the database, as its row names them.
async fn session_user_column(pool: &PgPool) -> Option<uuid::Uuid> {
    sqlx::query_scalar("select user_id from tower_sessions.session").fetch_one(pool).await.expect("one session")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_signed_in_session_row_names_its_user(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.registered_as("named@school.cn", PASSWORD, "李明").await;
    let user: uuid::Uuid = sqlx::query_scalar("select id from users where email = 'named@school.cn'")
        .fetch_one(&pool)
        .await
        .expect("user");
    assert_eq!(session_user_column(&pool).await, Some(user));
    assert_status(&app.get(&client, "/profile").await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_session_stored_without_its_user_column_stays_signed_in(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.registered_as("older@school.cn", PASSWORD, "李明").await;
    // As a session saved before the column existed.
    sqlx::query("update tower_sessions.session set user_id = null").execute(&pool).await.expect("update");
    let profile: serde_json::Value = app.call(&client, "account/profile", &[]).await.json().await.expect("json");
    assert_eq!(profile["email"], "older@school.cn");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_session_row_naming_another_user_signs_in_only_the_sessions_own_user(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.register(&app.client(), "other@school.cn", PASSWORD).await;
    let client = app.registered_as("owner@school.cn", PASSWORD, "李明").await;
    sqlx::query(
        "update tower_sessions.session set user_id = (select id from users where email = 'other@school.cn')
         where user_id = (select id from users where email = 'owner@school.cn')",
    )
    .execute(&pool)
    .await
    .expect("update");
    let profile: serde_json::Value = app.call(&client, "account/profile", &[]).await.json().await.expect("json");
    assert_eq!(profile["email"], "owner@school.cn", "the session's own data decides who is signed in");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn changing_the_password_ends_the_other_sessions_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (laptop, phone) = (app.client(), app.client());
    app.register(&laptop, "a@school.cn", PASSWORD).await;
    assert_status(&app.sign_in(&phone, "a@school.cn", PASSWORD).await, StatusCode::OK);

    let wrong = app
        .call(
            &laptop,
            "account/change-password",
            &[("current_password", "not-it-at-all"), ("new_password", "a-new-password")],
        )
        .await;
    assert_status(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(wrong).await, "current_password").as_deref(), Some("ErrWrongCurrentPassword"));
    assert_status(&app.call(&phone, "account/profile", &[]).await, StatusCode::OK);

    let changed = app
        .call(&laptop, "account/change-password", &[("current_password", PASSWORD), ("new_password", "a-new-password")])
        .await;
    assert_status(&changed, StatusCode::OK);
    assert_status(&app.call(&laptop, "account/profile", &[]).await, StatusCode::OK);
    assert_status(&app.call(&phone, "account/profile", &[]).await, StatusCode::UNAUTHORIZED);
    assert_status(&app.sign_in(&app.client(), "a@school.cn", PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_status(&app.sign_in(&app.client(), "a@school.cn", "a-new-password").await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn guessing_the_current_password_is_slowed_down_like_signing_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    app.register(&client, "a@school.cn", PASSWORD).await;
    for _ in 0..5 {
        let wrong = app
            .call(
                &client,
                "account/change-password",
                &[("current_password", "guess-guess"), ("new_password", "a-new-password")],
            )
            .await;
        assert_status(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let throttled = app
        .call(&client, "account/change-password", &[("current_password", PASSWORD), ("new_password", "a-new-password")])
        .await;
    assert_status(&throttled, StatusCode::TOO_MANY_REQUESTS);
    assert_status(&app.sign_in(&app.client(), "a@school.cn", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    let hash: String = sqlx::query_scalar("select password_hash from users").fetch_one(&app.pool).await.expect("hash");
    assert!(
        app::accounts::auth::verify_password(PASSWORD.to_owned(), Some(hash)).await.expect("verify"),
        "the password is unchanged"
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn repeated_failed_sign_ins_are_slowed_down(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    for _ in 0..5 {
        assert_status(&app.sign_in(&app.client(), "a@school.cn", "wrong-password").await, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits, with a clear answer and a Retry-After header.
    let throttled = app.sign_in(&app.client(), "A@school.cn", PASSWORD).await;
    assert_status(&throttled, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = throttled.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    assert!(error_json(throttled).await.get("TooManyAttempts").is_some());

    // Unknown emails are throttled the same way; other emails are not affected.
    for _ in 0..5 {
        app.sign_in(&app.client(), "ghost@school.cn", "wrong-password").await;
    }
    assert_status(
        &app.sign_in(&app.client(), "ghost@school.cn", "wrong-password").await,
        StatusCode::TOO_MANY_REQUESTS,
    );
    app.register(&app.client(), "b@school.cn", PASSWORD).await;
    assert_status(&app.sign_in(&app.client(), "b@school.cn", PASSWORD).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn concurrent_wrong_guesses_cannot_slip_past_the_throttle(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    let guesses = (0..12).map(|_| {
        let (client, url) = (app.client(), format!("{}/api/auth/sign-in", app.base));
        async move {
            client
                .post(url)
                .form(&[("email", "a@school.cn"), ("password", "guess-guess")])
                .send()
                .await
                .expect("request")
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let unauthorized = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((unauthorized, throttled), (5, 7), "{statuses:?}");
}

/// A sign-in from a client at `addr`, as a reverse proxy in front would pass it on.
async fn sign_in_from(
    app: &TestApp,
    client: &reqwest::Client,
    addr: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{}/api/auth/sign-in", app.base))
        .header("x-forwarded-for", addr)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("request")
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_guesser_at_one_address_cannot_lock_the_owner_out_at_another(pool: PgPool) {
    let app = TestApp::spawn_behind_proxy(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    let guesser = "203.0.113.9";
    for _ in 0..5 {
        let wrong = sign_in_from(&app, &app.client(), guesser, "a@school.cn", "wrong-password").await;
        assert_status(&wrong, StatusCode::UNAUTHORIZED);
    }
    let throttled = sign_in_from(&app, &app.client(), guesser, "a@school.cn", PASSWORD).await;
    assert_status(&throttled, StatusCode::TOO_MANY_REQUESTS);
    let owner = sign_in_from(&app, &app.client(), "198.51.100.7", "a@school.cn", PASSWORD).await;
    assert_status(&owner, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_browser_that_signed_in_before_is_not_slowed_by_a_guesser_at_the_same_school(pool: PgPool) {
    let app = TestApp::spawn_behind_proxy(pool).await;
    let school = "198.51.100.7";
    let owner = app.client();
    app.register(&owner, "a@school.cn", PASSWORD).await;
    app.call(&owner, "auth/sign-out", &[]).await;
    // A colleague's browser, trusted by another account, is no better than any other for this one.
    let colleague = app.registered_as("b@school.cn", PASSWORD, "王芳").await;
    for _ in 0..5 {
        let wrong = sign_in_from(&app, &app.client(), school, "a@school.cn", "wrong-password").await;
        assert_status(&wrong, StatusCode::UNAUTHORIZED);
    }
    let stranger = sign_in_from(&app, &app.client(), school, "a@school.cn", PASSWORD).await;
    assert_status(&stranger, StatusCode::TOO_MANY_REQUESTS);
    let other_account = sign_in_from(&app, &colleague, school, "a@school.cn", PASSWORD).await;
    assert_status(&other_account, StatusCode::TOO_MANY_REQUESTS);
    assert_status(&sign_in_from(&app, &owner, school, "a@school.cn", PASSWORD).await, StatusCode::OK);

    // The trusted browser's own failures still slow it down.
    app.call(&owner, "auth/sign-out", &[]).await;
    for _ in 0..5 {
        let wrong = sign_in_from(&app, &owner, school, "a@school.cn", "wrong-password").await;
        assert_status(&wrong, StatusCode::UNAUTHORIZED);
    }
    assert_status(&sign_in_from(&app, &owner, school, "a@school.cn", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_wait_grows_with_each_failure_after_the_first_five(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    for _ in 0..5 {
        assert_status(&app.sign_in(&app.client(), "a@school.cn", "wrong-password").await, StatusCode::UNAUTHORIZED);
    }
    let first = app.sign_in(&app.client(), "a@school.cn", PASSWORD).await;
    assert_status(&first, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&first)), "{}", retry_after(&first));

    // Ninety seconds later one more try goes through; failing, it makes the next wait longer.
    sqlx::query("update sign_in_failures set attempted_at = attempted_at - interval '90 seconds'")
        .execute(&app.pool)
        .await
        .expect("age the failures");
    assert_status(&app.sign_in(&app.client(), "a@school.cn", "wrong-password").await, StatusCode::UNAUTHORIZED);
    let second = app.sign_in(&app.client(), "a@school.cn", PASSWORD).await;
    assert_status(&second, StatusCode::TOO_MANY_REQUESTS);
    assert!((61..=120).contains(&retry_after(&second)), "{}", retry_after(&second));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn one_address_failing_for_many_emails_is_slowed_down_as_a_whole(pool: PgPool) {
    let app = TestApp::spawn_behind_proxy(pool).await;
    sqlx::query(
        "insert into sign_in_failures (email, client_addr) select 'user' || n || '@school.cn', '203.0.113.9'
         from generate_series(1, 100) n",
    )
    .execute(&app.pool)
    .await
    .expect("earlier failures");
    let same_address = sign_in_from(&app, &app.client(), "203.0.113.9", "new@school.cn", "wrong-password").await;
    assert_status(&same_address, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=15 * 60).contains(&retry_after(&same_address)));
    let elsewhere = sign_in_from(&app, &app.client(), "198.51.100.7", "new@school.cn", "wrong-password").await;
    assert_status(&elsewhere, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn x_forwarded_for_is_not_believed_without_a_trusted_proxy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    for _ in 0..5 {
        let wrong = sign_in_from(&app, &app.client(), "203.0.113.9", "a@school.cn", "wrong-password").await;
        assert_status(&wrong, StatusCode::UNAUTHORIZED);
    }
    let claimed_elsewhere = sign_in_from(&app, &app.client(), "198.51.100.7", "a@school.cn", PASSWORD).await;
    assert_status(&claimed_elsewhere, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn day_old_failed_sign_ins_and_long_unused_browsers_are_purged(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    app.register(&app.client(), "b@school.cn", PASSWORD).await;
    sqlx::query(
        "insert into sign_in_failures (email, client_addr, attempted_at)
         values ('a@school.cn', '203.0.113.9', now() - interval '25 hours'), ('a@school.cn', '203.0.113.9', now())",
    )
    .execute(&app.pool)
    .await
    .expect("failures");
    sqlx::query(
        "update trusted_browsers set last_used_at = now() - interval '400 days'
         where user_id = (select id from users where email = 'a@school.cn')",
    )
    .execute(&app.pool)
    .await
    .expect("age a browser");
    let purged = app::accounts::store::purge_stale_sign_in_records(&app.pool).await.expect("purge");
    assert_eq!(purged, 2);
    let left: (i64, i64) =
        sqlx::query_as("select (select count(*) from sign_in_failures), (select count(*) from trusted_browsers)")
            .fetch_one(&app.pool)
            .await
            .expect("counts");
    assert_eq!(left, (1, 1));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn profile_edits_need_a_signed_in_teacher_and_valid_fields(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let edit = |tz: &'static str| {
        vec![
            ("display_name", "李明老师"),
            ("school", "文澜中学"),
            ("district", "西湖区"),
            ("subject", "物理"),
            ("grade_band", ""),
            ("tier", "master"),
            ("locale", "en"),
            ("time_zone", tz),
        ]
    };
    let anonymous = app.call(&app.client(), "account/update-profile", &edit("Europe/London")).await;
    assert_status(&anonymous, StatusCode::UNAUTHORIZED);

    let client = app.client();
    app.register(&client, "a@school.cn", PASSWORD).await;
    let bad = app.call(&client, "account/update-profile", &edit("Europe/Atlantis")).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged: String =
        sqlx::query_scalar("select display_name from users").fetch_one(&app.pool).await.expect("name");
    assert_eq!(unchanged, "李明");

    assert_status(&app.call(&client, "account/update-profile", &edit("Europe/London")).await, StatusCode::OK);
    let profile: serde_json::Value = app.call(&client, "account/profile", &[]).await.json().await.expect("json");
    assert_eq!(profile["display_name"], "李明老师");
    assert_eq!(profile["time_zone"], "Europe/London");
    assert_eq!(profile["locale"], "En");
    let home = app.get(&client, "/").await.text().await.expect("html");
    assert!(home.contains(r#"<html lang="en""#), "the saved language renders the page");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_first_visit_follows_accept_language_and_the_switch_is_remembered(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let page = |accept: &'static str| {
        let client = client.clone();
        let url = format!("{}/", app.base);
        async move {
            client.get(url).header("accept-language", accept).send().await.expect("get").text().await.expect("html")
        }
    };
    assert!(page("zh-CN,zh;q=0.9").await.contains(r#"<html lang="zh-CN""#));
    assert!(page("en-GB,en;q=0.9").await.contains(r#"<html lang="en""#));
    assert!(page("fr-FR").await.contains(r#"<html lang="zh-CN""#), "Chinese by default");

    let switched = app.call(&client, "prefs/locale", &[("locale", "en")]).await;
    assert_status(&switched, StatusCode::OK);
    assert!(page("zh-CN").await.contains(r#"<html lang="en""#), "the cookie beats the header");

    let bad = app.call(&client, "prefs/locale", &[("locale", "<b>")]).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);

    // A signed-in teacher's choice is saved with their account.
    app.register(&client, "a@school.cn", PASSWORD).await;
    app.call(&client, "prefs/locale", &[("locale", "en")]).await;
    let saved: String = sqlx::query_scalar("select locale from users").fetch_one(&app.pool).await.expect("locale");
    assert_eq!(saved, "en");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_plain_html_sign_in_redirects_home_and_an_error_comes_back_in_the_url(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "a@school.cn", PASSWORD).await;
    let client = app.client();
    let post = |password: &'static str| {
        client
            .post(format!("{}/api/auth/sign-in", app.base))
            .header("accept", "text/html")
            .header("referer", format!("{}/sign-in", app.base))
            .form(&[("email", "a@school.cn"), ("password", password)])
            .send()
    };
    let failed = post("wrong-password").await.expect("post");
    assert_status(&failed, StatusCode::FOUND);
    let location = failed.headers()["location"].to_str().expect("ascii").to_owned();
    assert!(location.contains("/sign-in?") && location.contains("__err="), "{location}");
    let page = app.get(&client, &location.replace(&app.base, "")).await.text().await.expect("html");
    assert!(page.contains("邮箱或密码不正确"), "the error is shown without JavaScript");

    let ok = post(PASSWORD).await.expect("post");
    assert_status(&ok, StatusCode::FOUND);
    assert_eq!(ok.headers()["location"], "/");
    assert!(session_cookie(&ok).is_some());
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn health_answers_ok_while_the_database_answers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get(&app.client(), "/healthz").await;
    assert_status(&response, StatusCode::OK);
    app.pool.close().await;
    let response = app.get(&app.client(), "/healthz").await;
    assert_status(&response, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn an_unknown_page_is_a_translated_404(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get(&app.client(), "/no-such-page").await;
    assert_status(&response, StatusCode::NOT_FOUND);
    assert!(response.text().await.expect("html").contains("页面不存在"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_sign_in_sent_from_another_site_is_refused_and_signs_nobody_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register(&app.client(), "victim@school.cn", PASSWORD).await;
    let url = format!("{}/api/auth/sign-in", app.base);
    let form = [("email", "victim@school.cn"), ("password", PASSWORD)];
    let host = app.base.trim_start_matches("http://").to_owned();
    // A hostile page's form or fetch: the browser says where it comes from.
    for (name, value) in [("origin", "https://evil.example".to_owned()), ("sec-fetch-site", "cross-site".to_owned())] {
        for accept in ["text/html", "application/json"] {
            let r = app
                .client()
                .post(&url)
                .header(name, &value)
                .header("accept", accept)
                .form(&form)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value} ({accept})");
            assert!(session_cookie(&r).is_none(), "nobody signed in");
        }
    }
    let english =
        app.client().post(&url).header("origin", "null").header("accept-language", "en").form(&form).send().await;
    assert!(english.expect("post").text().await.expect("text").contains("another site"));
    // Our own pages (same origin), and clients that are not browsers, go through.
    let own =
        app.client().post(&url).header("origin", format!("http://{host}")).form(&form).send().await.expect("post");
    assert_status(&own, StatusCode::OK);
    let own = app.client().post(&url).header("sec-fetch-site", "same-origin").form(&form).send().await.expect("post");
    assert_status(&own, StatusCode::OK);
}

/// The stored expiry of the only session in the database.
async fn session_expiry(pool: &PgPool) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("select expiry_date from tower_sessions.session").fetch_one(pool).await.expect("one session")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_signed_in_browser_does_not_write_its_session_on_every_request(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.registered_as("steady@school.cn", PASSWORD, "李明").await;
    let signed_in_until = session_expiry(&pool).await;
    for path in ["/hours", "/studios", "/profile"] {
        let page = app.get(&client, path).await;
        assert_status(&page, StatusCode::OK);
        assert!(session_cookie(&page).is_none(), "{path} set the session cookie again");
    }
    assert_eq!(session_expiry(&pool).await, signed_in_until, "within the interval the session is not written");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn an_active_session_slides_its_expiry_forward_once_the_interval_has_passed(pool: PgPool) {
    // An interval of zero: every request is past it.
    let app = TestApp::spawn_adjusted(pool.clone(), |config, _| config.session_touch_secs = 0).await;
    let client = app.registered_as("active@school.cn", PASSWORD, "李明").await;
    let signed_in_until = session_expiry(&pool).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let page = app.get(&client, "/hours").await;
    assert_status(&page, StatusCode::OK);
    assert!(session_expiry(&pool).await > signed_in_until, "the stored expiry moved forward");
    let cookie = session_cookie(&page).expect("the cookie is renewed");
    assert!(cookie.contains("Max-Age=1209600"), "14 days from now: {cookie}");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn anonymous_visits_store_no_session(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.client();
    for path in ["/", "/sign-in", "/studios", "/lessons"] {
        assert_status(&app.get(&client, path).await, StatusCode::OK);
    }
    let sessions: i64 =
        sqlx::query_scalar("select count(*) from tower_sessions.session").fetch_one(&pool).await.expect("count");
    assert_eq!(sessions, 0);
}
