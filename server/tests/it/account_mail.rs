//! Mail an account controls, end to end through a real SMTP server (`aiosmtpd`): password reset
//! links, email change confirmations, and notification mail following each preference, with
//! the one-click unsubscribe a mail program uses.

use crate::mail::{decoded, SmtpServer};
use crate::support::{assert_status, builders, error_json, field_error, TestApp};
use app::kit::mail::deliver_due;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// The token that follows `prefix` in a message body (a link's last segment).
fn token_after(body: &str, prefix: &str) -> String {
    let start = body.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {body}")) + prefix.len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// Delivers the outbox to `smtp` (links under the test server's address) and returns what
/// arrived this round, decoded.
async fn deliver(app: &TestApp, smtp: &SmtpServer) -> Vec<Value> {
    let before = smtp.received().len();
    deliver_due(&app.pool, &smtp.settings(), &app.base).await.expect("round");
    smtp.received()[before..].iter().map(|m| decoded(m)).collect()
}

fn to<'a>(messages: &'a [Value], address: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["to"].as_str().is_some_and(|t| t.contains(address))).collect()
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, password).await, StatusCode::OK);
    client
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_reset_link_sets_a_new_password_once_and_signs_the_account_out_everywhere(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    builders::user(&pool, "wang@mail.cn", "王老师", false).await;
    let old_session = signed_in(&app, "wang@mail.cn", builders::PASSWORD).await;

    let anonymous = app.client();
    let known = app.call(&anonymous, "auth/forgot-password", &[("email", " Wang@Mail.cn ")]).await;
    assert_status(&known, StatusCode::OK);
    let unknown = app.call(&anonymous, "auth/forgot-password", &[("email", "nobody@mail.cn")]).await;
    assert_status(&unknown, StatusCode::OK);
    assert_eq!(known.text().await.expect("body"), unknown.text().await.expect("body"), "no account enumeration");

    let smtp = SmtpServer::start(0);
    let received = deliver(&app, &smtp).await;
    assert_eq!(received.len(), 1, "a link for the account only: {received:?}");
    let letter = &received[0];
    assert_eq!(letter["subject"], "重设您的 Atelier 密码");
    assert!(letter["to"].as_str().expect("to").contains("wang@mail.cn"));
    assert_eq!(letter["list_unsubscribe"], "", "account mail cannot be unsubscribed from");
    let body = letter["body"].as_str().expect("body");
    assert!(body.contains(&format!("{}/password/reset/", app.base)), "{body}");
    let token = token_after(body, "/password/reset/");
    let stored: i64 = sqlx::query_scalar("select count(*) from password_resets where token_hash = $1")
        .bind(&token)
        .fetch_one(&pool)
        .await
        .expect("stored");
    assert_eq!(stored, 0, "the token is kept only as its hash");

    let page = app.get(&anonymous, &format!("/password/reset/{token}")).await;
    assert_status(&page, StatusCode::OK);
    assert!(page.text().await.expect("page").contains("name=\"new_password\""));
    let weak = app.call(&anonymous, "auth/reset-password", &[("token", &token), ("new_password", "short")]).await;
    assert_status(&weak, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&error_json(weak).await, "new_password").is_some());
    let reset = [("token", token.as_str()), ("new_password", "a-brand-new-pass")];
    assert_status(&app.call(&anonymous, "auth/reset-password", &reset).await, StatusCode::OK);

    assert_status(&app.call(&anonymous, "account/profile", &[]).await, StatusCode::OK);
    assert_status(&app.call(&old_session, "account/profile", &[]).await, StatusCode::UNAUTHORIZED);
    assert_status(&app.sign_in(&app.client(), "wang@mail.cn", builders::PASSWORD).await, StatusCode::UNAUTHORIZED);
    signed_in(&app, "wang@mail.cn", "a-brand-new-pass").await;

    let again = [("token", token.as_str()), ("new_password", "yet-another-pass")];
    assert_status(&app.call(&app.client(), "auth/reset-password", &again).await, StatusCode::CONFLICT);
    let works = app.call(&app.client(), "auth/reset-link", &[("token", &token)]).await;
    assert!(!works.json::<bool>().await.expect("bool"), "used once");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn reset_links_expire_and_a_fourth_request_in_an_hour_sends_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    builders::user(&pool, "li@mail.cn", "李老师", false).await;
    let anonymous = app.client();
    for _ in 0..4 {
        assert_status(&app.call(&anonymous, "auth/forgot-password", &[("email", "li@mail.cn")]).await, StatusCode::OK);
    }
    let queued: i64 = sqlx::query_scalar("select count(*) from email_outbox where purpose = 'account'")
        .fetch_one(&pool)
        .await
        .expect("outbox");
    assert_eq!(queued, 3);

    let smtp = SmtpServer::start(0);
    let received = deliver(&app, &smtp).await;
    let token = token_after(received[0]["body"].as_str().expect("body"), "/password/reset/");
    sqlx::query("update password_resets set expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .expect("expire");
    let works = app.call(&anonymous, "auth/reset-link", &[("token", &token)]).await;
    assert!(!works.json::<bool>().await.expect("bool"));
    let reset = [("token", token.as_str()), ("new_password", "a-brand-new-pass")];
    assert_status(&app.call(&anonymous, "auth/reset-password", &reset).await, StatusCode::CONFLICT);
    signed_in(&app, "li@mail.cn", builders::PASSWORD).await;

    let blank = app.call(&anonymous, "auth/forgot-password", &[("email", "")]).await;
    assert_eq!(field_error(&error_json(blank).await, "email").as_deref(), Some("ErrRequired"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_changed_email_waits_for_the_new_inbox_and_the_old_one_hears_of_it(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    builders::user(&pool, "zhao@mail.cn", "赵老师", false).await;
    builders::user(&pool, "taken@mail.cn", "钱老师", false).await;
    let anonymous = app.client();
    let change = |email: &'static str, password: &'static str| [("new_email", email), ("current_password", password)];
    assert_status(
        &app.call(&anonymous, "account/change-email", &change("new@mail.cn", builders::PASSWORD)).await,
        StatusCode::UNAUTHORIZED,
    );
    let zhao = signed_in(&app, "zhao@mail.cn", builders::PASSWORD).await;
    let wrong = app.call(&zhao, "account/change-email", &change("new@mail.cn", "not-my-password")).await;
    assert_eq!(field_error(&error_json(wrong).await, "current_password").as_deref(), Some("ErrWrongCurrentPassword"));
    let taken = app.call(&zhao, "account/change-email", &change("taken@mail.cn", builders::PASSWORD)).await;
    assert_eq!(field_error(&error_json(taken).await, "new_email").as_deref(), Some("ErrEmailTaken"));
    let same = app.call(&zhao, "account/change-email", &change("zhao@mail.cn", builders::PASSWORD)).await;
    assert_eq!(field_error(&error_json(same).await, "new_email").as_deref(), Some("Account:ErrSameEmail"));
    assert_status(
        &app.call(&zhao, "account/change-email", &change("New@Mail.cn", builders::PASSWORD)).await,
        StatusCode::OK,
    );

    let smtp = SmtpServer::start(0);
    let received = deliver(&app, &smtp).await;
    assert_eq!(received.len(), 2, "{received:?}");
    let confirm = to(&received, "new@mail.cn");
    assert_eq!(confirm[0]["subject"], "确认您的新 Atelier 登录邮箱");
    let notice = to(&received, "zhao@mail.cn");
    assert!(notice[0]["body"].as_str().expect("body").contains("new@mail.cn"), "the old inbox hears of it");
    assert_status(&app.sign_in(&app.client(), "new@mail.cn", builders::PASSWORD).await, StatusCode::UNAUTHORIZED);

    let token = token_after(confirm[0]["body"].as_str().expect("body"), "/email/confirm/");
    assert_status(&app.get(&anonymous, &format!("/email/confirm/{token}")).await, StatusCode::OK);
    assert_status(&app.call(&anonymous, "account/confirm-email", &[("token", &token)]).await, StatusCode::OK);
    signed_in(&app, "new@mail.cn", builders::PASSWORD).await;
    assert_status(&app.sign_in(&app.client(), "zhao@mail.cn", builders::PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_status(&app.call(&anonymous, "account/confirm-email", &[("token", &token)]).await, StatusCode::CONFLICT);
}

/// The state of each outbox row of the user with `email`: (purpose, sent, withheld, held for a
/// digest, gathered into a digest).
async fn outbox_of(pool: &PgPool, email: &str) -> Vec<(String, bool, bool, bool, bool)> {
    sqlx::query_as(
        "select o.purpose, o.sent_at is not null, o.withheld_at is not null, o.digest_at is not null,
                o.included_in is not null
         from email_outbox o join users u on u.id = o.user_id where u.email = $1 order by o.created_at, o.purpose desc",
    )
    .bind(email)
    .fetch_all(pool)
    .await
    .expect("outbox")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn notification_mail_follows_each_preference_and_one_click_unsubscribes(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@mail.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "pref-studio", "数学名师工作室", host).await;
    let lesson = builders::Lesson::new(studio, host).insert(&pool).await;
    assert_status(
        &app.call(&app.client(), "account/mail-preference", &[("preference", "digest")]).await,
        StatusCode::UNAUTHORIZED,
    );
    for (email, preference) in [("now@mail.cn", "immediate"), ("digest@mail.cn", "digest"), ("off@mail.cn", "none")] {
        builders::user(&pool, email, "老师", false).await;
        let client = signed_in(&app, email, builders::PASSWORD).await;
        let set = app.call(&client, "account/mail-preference", &[("preference", preference)]).await;
        assert_status(&set, StatusCode::OK);
        assert_status(&app.call(&client, "lessons/book", &[("lesson_id", &lesson.to_string())]).await, StatusCode::OK);
    }
    let bad = app
        .call(
            &signed_in(&app, "now@mail.cn", builders::PASSWORD).await,
            "account/mail-preference",
            &[("preference", "hourly")],
        )
        .await;
    assert_eq!(field_error(&error_json(bad).await, "preference").as_deref(), Some("ErrChoiceUnknown"));

    let smtp = SmtpServer::start(0);
    let received = deliver(&app, &smtp).await;
    assert_eq!(received.len(), 1, "only the teacher who wants each email at once: {received:?}");
    let letter = &received[0];
    assert!(letter["to"].as_str().expect("to").contains("now@mail.cn"));
    let one_click = letter["list_unsubscribe"].as_str().expect("header").trim_matches(['<', '>']).to_owned();
    assert!(one_click.starts_with(&format!("{}/mail/unsubscribe/", app.base)), "{one_click}");
    assert_eq!(letter["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let page = one_click.trim_end_matches("/one-click");
    assert!(letter["body"].as_str().expect("body").contains(page), "the footer links the unsubscribe page");
    assert_eq!(outbox_of(&pool, "off@mail.cn").await, [("notification".into(), false, true, false, false)]);
    assert_eq!(outbox_of(&pool, "digest@mail.cn").await, [("notification".into(), false, false, true, false)]);
    let at_seven: bool = sqlx::query_scalar(
        "select bool_and(extract(hour from digest_at at time zone 'Asia/Shanghai') = 7 and digest_at > now())
         from email_outbox where digest_at is not null",
    )
    .fetch_one(&pool)
    .await
    .expect("digest hour");
    assert!(at_seven, "held for the next 07:00 in the teacher's time zone");

    // The host cancels: a second notification for each, and the digest hour comes.
    let host_client = signed_in(&app, "host@mail.cn", builders::PASSWORD).await;
    let cancel = [("lesson_id", lesson.to_string()), ("reason", "教研活动调整".to_owned())];
    let cancel: Vec<(&str, &str)> = cancel.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_status(&app.call(&host_client, "lessons/cancel", &cancel).await, StatusCode::OK);
    sqlx::query("update email_outbox set next_attempt_at = now(), digest_at = now() where digest_at is not null")
        .execute(&pool)
        .await
        .expect("digest hour");
    let received = deliver(&app, &smtp).await;
    assert_eq!(received.len(), 2, "{received:?}");
    let digest = to(&received, "digest@mail.cn");
    assert_eq!(digest[0]["subject"], "Atelier 每日摘要：2 条通知");
    let body = digest[0]["body"].as_str().expect("body");
    assert!(body.contains("■ 预约成功") && body.contains("■ 公开课已取消"), "{body}");
    assert!(digest[0]["list_unsubscribe"].as_str().is_some_and(|h| h.contains("/one-click")));
    assert_eq!(
        outbox_of(&pool, "digest@mail.cn").await,
        [
            ("notification".into(), true, false, true, true),
            ("notification".into(), true, false, true, true),
            ("digest".into(), true, false, false, false)
        ]
    );
    assert!(deliver(&app, &smtp).await.is_empty(), "nothing twice");

    // A mail program's one-click unsubscribe: no session, no page.
    let posted = reqwest::Client::new()
        .post(&one_click)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_status(&posted, StatusCode::OK);
    let preference: String = sqlx::query_scalar("select mail_preference from users where email = 'now@mail.cn'")
        .fetch_one(&pool)
        .await
        .expect("preference");
    assert_eq!(preference, "none");
    let unknown = format!("{}/mail/unsubscribe/{}/one-click", app.base, uuid::Uuid::new_v4());
    assert_status(&reqwest::Client::new().post(&unknown).send().await.expect("post"), StatusCode::NOT_FOUND);
    let bad_link = app.call(&app.client(), "mail/unsubscribe", &[("token", "not-a-token")]).await;
    assert_status(&bad_link, StatusCode::CONFLICT);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn switching_from_the_digest_to_each_at_once_sends_what_was_held(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@mail.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "switch-studio", "语文名师工作室", host).await;
    let lesson = builders::Lesson::new(studio, host).insert(&pool).await;
    builders::user(&pool, "sun@mail.cn", "孙老师", false).await;
    let sun = signed_in(&app, "sun@mail.cn", builders::PASSWORD).await;
    assert_status(&app.call(&sun, "account/mail-preference", &[("preference", "digest")]).await, StatusCode::OK);
    assert_status(&app.call(&sun, "lessons/book", &[("lesson_id", &lesson.to_string())]).await, StatusCode::OK);
    let smtp = SmtpServer::start(0);
    assert!(deliver(&app, &smtp).await.is_empty(), "held for the digest");
    assert_status(&app.call(&sun, "account/mail-preference", &[("preference", "immediate")]).await, StatusCode::OK);
    let received = deliver(&app, &smtp).await;
    assert_eq!(received.len(), 1);
    assert!(received[0]["subject"].as_str().is_some_and(|s| s.starts_with("预约成功")));
    // Profile shows the choice; the unsubscribe page asks before it changes anything.
    let profile: Value = app.call(&sun, "account/profile", &[]).await.json().await.expect("profile");
    assert_eq!(profile["mail_preference"], "immediate");
    let token: uuid::Uuid = sqlx::query_scalar("select unsubscribe_token from users where email = 'sun@mail.cn'")
        .fetch_one(&pool)
        .await
        .expect("token");
    assert_status(&app.get(&app.client(), &format!("/mail/unsubscribe/{token}")).await, StatusCode::OK);
    let profile: Value = app.call(&sun, "account/profile", &[]).await.json().await.expect("profile");
    assert_eq!(profile["mail_preference"], "immediate", "opening the page changes nothing");
    assert_status(&app.call(&app.client(), "mail/unsubscribe", &[("token", &token.to_string())]).await, StatusCode::OK);
    let profile: Value = app.call(&sun, "account/profile", &[]).await.json().await.expect("profile");
    assert_eq!(profile["mail_preference"], "none");
}
