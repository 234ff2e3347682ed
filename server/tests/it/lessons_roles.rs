//! Every open-lesson server function (and download) called by every role: anonymous, outsider,
//! observer, mentee, mentor, host and district admin. Each call runs against a lesson of its
//! own, so one role's success cannot change what the next role meets.

use crate::support::lessons::*;
use crate::support::{user_id, TestApp};
use app::lessons::LessonStatus;
use chrono::Duration;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

const WHO: [&str; 7] = ["anonymous", "outsider", "observer", "mentee", "mentor", "host", "admin"];

fn email(who: &str) -> Option<&'static str> {
    ROLES.iter().find(|(r, _)| *r == who).map(|(_, e)| *e)
}

const OK: u16 = 200;
const UNAUTH: u16 = 401;
const FORBID: u16 = 403;
const MISSING: u16 = 404;
const INVALID: u16 = 422;

/// What a call needs prepared on its fresh lesson.
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    Published,
    Draft,
    /// Published, and the caller (when signed in) holds a confirmed booking.
    CallerBooked,
    /// Published with approval, and the observer has a pending booking.
    PendingBooking,
    /// Published, and the observer has a confirmed booking.
    ObserverBooked,
}

struct Case {
    endpoint: &'static str,
    setup: Setup,
    /// Expected status per role, in the order of `WHO`.
    expect: [u16; 7],
}

const EVERYONE: [u16; 7] = [OK; 7];
const SIGNED_IN: [u16; 7] = [UNAUTH, OK, OK, OK, OK, OK, OK];
const LEADS: [u16; 7] = [UNAUTH, FORBID, FORBID, FORBID, OK, OK, FORBID];
const LEADS_DRAFT: [u16; 7] = [UNAUTH, MISSING, MISSING, MISSING, OK, OK, MISSING];
/// Every signed-in teacher but the host, who teaches these lessons: teaching is not observing.
const OBSERVERS: [u16; 7] = [UNAUTH, OK, OK, OK, OK, INVALID, OK];

const CASES: &[Case] = &[
    Case { endpoint: "lessons/upcoming", setup: Setup::Published, expect: EVERYONE },
    Case { endpoint: "lessons/list", setup: Setup::Published, expect: EVERYONE },
    Case { endpoint: "lessons/detail", setup: Setup::Published, expect: EVERYONE },
    Case { endpoint: "lessons/detail", setup: Setup::Draft, expect: LEADS_DRAFT },
    Case { endpoint: "lessons/my-studios", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "lessons/schedule", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/update", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/capacity", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/publish", setup: Setup::Draft, expect: LEADS_DRAFT },
    Case { endpoint: "lessons/cancel", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/done", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/book", setup: Setup::Published, expect: OBSERVERS },
    // Leads see the draft but it takes no bookings (a field error); everyone else does not see it.
    Case {
        endpoint: "lessons/book",
        setup: Setup::Draft,
        expect: [UNAUTH, MISSING, MISSING, MISSING, INVALID, INVALID, MISSING],
    },
    Case { endpoint: "lessons/cancel-booking", setup: Setup::CallerBooked, expect: SIGNED_IN },
    Case { endpoint: "lessons/check-in-code", setup: Setup::CallerBooked, expect: OBSERVERS },
    Case { endpoint: "lessons/decide", setup: Setup::PendingBooking, expect: LEADS },
    Case { endpoint: "lessons/attendees", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "lessons/check-in", setup: Setup::ObserverBooked, expect: LEADS },
    Case { endpoint: "notifications/list", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "notifications/unread", setup: Setup::Published, expect: EVERYONE },
    Case { endpoint: "notifications/read", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "lessons/my-hours", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "lessons/mine", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "lessons/reset-feed", setup: Setup::Published, expect: SIGNED_IN },
    Case { endpoint: "GET attendees.csv", setup: Setup::Published, expect: LEADS },
    Case { endpoint: "GET calendar.ics", setup: Setup::Published, expect: EVERYONE },
];

async fn add_booking(pool: &PgPool, lesson: Uuid, email: &str, status: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("insert into bookings (id, lesson_id, user_id, status) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(lesson)
        .bind(user_id(pool, email).await)
        .bind(status)
        .execute(pool)
        .await
        .expect("booking");
    id
}

fn lesson_form(lesson: Uuid) -> Vec<(&'static str, String)> {
    vec![
        ("lesson_id", lesson.to_string()),
        ("studio", "test-studio".into()),
        ("title", "《勾股定理》研究课".into()),
        ("subject", "数学".into()),
        ("grade", "八年级".into()),
        ("starts_at", "2030-03-05T09:00".into()),
        ("ends_at", "2030-03-05T09:45".into()),
        ("time_zone", "Asia/Shanghai".into()),
        ("mode", "in_person".into()),
        ("place", "301 教室".into()),
        ("capacity", "30".into()),
        ("credited_hours", "1".into()),
    ]
}

async fn run(app: &TestApp, client: &Client, case: &Case, lesson: Uuid, booking: Option<Uuid>) -> StatusCode {
    let l = lesson.to_string();
    let form: Vec<(&str, String)> = match case.endpoint {
        "lessons/schedule" => lesson_form(lesson).into_iter().filter(|(k, _)| *k != "lesson_id").collect(),
        "lessons/update" => lesson_form(lesson).into_iter().filter(|(k, _)| *k != "studio").collect(),
        "lessons/capacity" => vec![("lesson_id", l), ("capacity", "40".into())],
        "lessons/cancel" => vec![("lesson_id", l), ("reason", "教研活动调整".into())],
        "lessons/cancel-booking" => vec![("lesson_id", l), ("reason", "临时有课".into())],
        "lessons/check-in-code" => vec![("lesson_id", l), ("code", "ABC234".into())],
        "lessons/decide" => vec![
            ("lesson_id", l),
            ("booking_id", booking.expect("booking").to_string()),
            ("decision", "approve".into()),
        ],
        "lessons/check-in" => {
            vec![("lesson_id", l), ("booking_id", booking.expect("booking").to_string()), ("status", "attended".into())]
        }
        "lessons/detail" | "lessons/publish" | "lessons/done" | "lessons/book" | "lessons/attendees" => {
            vec![("lesson_id", l)]
        }
        "lessons/list" => vec![("filter[subject]", "数学".into())],
        _ => vec![],
    };
    match case.endpoint {
        "GET attendees.csv" => app.get(client, &format!("/lessons/{lesson}/attendees.csv")).await.status(),
        "GET calendar.ics" => app.get(client, &format!("/lessons/{lesson}/calendar.ics")).await.status(),
        endpoint => {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(client, endpoint, &pairs).await.status()
        }
    }
}

/// A client per role of `WHO`, signed in but for the anonymous one.
async fn clients_of_every_role(app: &TestApp) -> Vec<Client> {
    let mut clients = Vec::new();
    for who in WHO {
        let client = app.client();
        if let Some(email) = email(who) {
            assert_eq!(app.sign_in(&client, email, PASSWORD).await.status(), StatusCode::OK, "{who}");
        }
        clients.push(client);
    }
    clients
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn every_lesson_server_function_answers_every_role_as_the_rules_say(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let clients = clients_of_every_role(&app).await;
    let mut failures = Vec::new();
    for case in CASES {
        for (i, who) in WHO.iter().enumerate() {
            let lesson = match case.setup {
                Setup::Draft => world.lesson(&pool, 30, false, LessonStatus::Draft, Duration::days(3)).await,
                Setup::PendingBooking => world.published_lesson(&pool, 30, true).await,
                // Soon enough for check-in (by code or by the host) to be open.
                Setup::CallerBooked | Setup::ObserverBooked => {
                    world.lesson(&pool, 30, false, LessonStatus::Published, Duration::minutes(20)).await
                }
                _ => world.published_lesson(&pool, 30, false).await,
            };
            let booking = match case.setup {
                Setup::CallerBooked => match email(who) {
                    Some(e) => Some(add_booking(&pool, lesson, e, "confirmed").await),
                    None => None,
                },
                Setup::PendingBooking => Some(add_booking(&pool, lesson, "observer@other.test", "pending").await),
                Setup::ObserverBooked => Some(add_booking(&pool, lesson, "observer@other.test", "confirmed").await),
                _ => None,
            };
            let status = run(&app, &clients[i], case, lesson, booking).await;
            if status.as_u16() != case.expect[i] {
                failures.push(format!(
                    "{} ({:?}) as {who}: {} (expected {})",
                    case.endpoint,
                    case.setup as u8,
                    status.as_u16(),
                    case.expect[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));
}

/// The standing `rules::can` is asked about for each role of `WHO`.
fn standing_of(who: &str) -> app::studios::rules::Standing {
    use app::studios::{rules::Standing, StudioRole};
    match who {
        "anonymous" => Standing::ANONYMOUS,
        "mentee" => Standing::member(Some(StudioRole::Mentee)),
        "mentor" => Standing::member(Some(StudioRole::Mentor)),
        "host" => Standing::member(Some(StudioRole::Host)),
        "admin" => Standing { district_admin: true, ..Standing::member(None) },
        _ => Standing::member(None),
    }
}

/// Booking decides who may book inside the database, in the same round trip as the booking
/// (`book_seat`); this holds it to `rules::can`, which the pages use, for every role, in public,
/// private and archived studios, on published lessons and drafts.
#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn booking_agrees_with_the_lesson_rules_in_every_kind_of_studio_for_every_role(pool: PgPool) {
    use app::lessons::rules::{can, Action, LessonFacts};
    let app = TestApp::spawn(pool.clone()).await;
    let world = World::create(&pool).await;
    let clients = clients_of_every_role(&app).await;
    let mut failures = Vec::new();
    for (studio_private, studio_archived) in [(false, false), (true, false), (false, true), (true, true)] {
        sqlx::query("update studios set visibility = $2, archived = $3 where id = $1")
            .bind(world.studio)
            .bind(if studio_private { "private" } else { "public" })
            .bind(studio_archived)
            .execute(&pool)
            .await
            .expect("studio");
        for status in [LessonStatus::Published, LessonStatus::Draft] {
            let facts = LessonFacts { status, studio_private, studio_archived };
            for (i, who) in WHO.iter().enumerate() {
                let lesson = world.lesson(&pool, 30, false, status, Duration::days(3)).await;
                let expected = match can(standing_of(who), Action::Book, facts) {
                    Err(refused) => refused.status(),
                    // Allowed, yet a draft takes no bookings and the host teaches these lessons.
                    Ok(()) if status == LessonStatus::Draft || *who == "host" => INVALID,
                    Ok(()) => OK,
                };
                let answer = app.call(&clients[i], "lessons/book", &[("lesson_id", &lesson.to_string())]).await;
                if answer.status().as_u16() != expected {
                    failures.push(format!(
                        "{who}, {status:?} lesson, private {studio_private}, archived {studio_archived}: {} (the rules say {expected})",
                        answer.status().as_u16()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "booking and rules::can disagree:\n{}", failures.join("\n"));
}
