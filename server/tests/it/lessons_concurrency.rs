//! Never overbooked: hundreds of distinct users book a 30-seat lesson at once through the real
//! HTTP endpoints of two server instances sharing one database. (`scripts/bench-booking` does
//! the same with thousands, through two release instances, for the throughput.)

use crate::support::{lessons::*, TestApp};
use futures_util::{stream, StreamExt};
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

const SEATS: i32 = 30;

async fn instance_pool(connect: &PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(120))
        .connect_with(connect.clone())
        .await
        .expect("pool")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn five_hundred_concurrent_bookings_on_two_instances_fill_exactly_thirty_seats(
    _opts: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let requests: usize = std::env::var("BOOKING_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(500).max(40);
    let pool_a = instance_pool(&connect).await;
    let pool_b = instance_pool(&connect).await;
    let a = TestApp::spawn(pool_a.clone()).await;
    let b = TestApp::spawn(pool_b.clone()).await;
    let world = World::create(&pool_a).await;
    let lesson = world.published_lesson(&pool_a, SEATS, false).await;

    // Distinct observers, each signed in on one of the two instances (alternating).
    let emails = create_observers(&pool_a, requests).await;
    let started = Instant::now();
    let clients: Vec<(usize, reqwest::Client)> = stream::iter(emails.iter().enumerate())
        .map(|(i, email)| {
            let app = if i.is_multiple_of(2) { &a } else { &b };
            async move {
                let client = app.client();
                let r = app.sign_in(&client, email, PASSWORD).await;
                assert_eq!(r.status(), StatusCode::OK, "sign-in of {email}");
                (i, client)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    println!("signed in {requests} observers in {:.1} s", started.elapsed().as_secs_f64());

    // All booking requests at once.
    let started = Instant::now();
    let lesson_s = lesson.to_string();
    let answers: Vec<(StatusCode, serde_json::Value)> =
        futures_util::future::join_all(clients.iter().map(|(i, client)| {
            let app = if i.is_multiple_of(2) { &a } else { &b };
            let lesson_s = lesson_s.clone();
            async move {
                let r = app.call(client, "lessons/book", &[("lesson_id", lesson_s.as_str())]).await;
                let status = r.status();
                (status, r.json().await.unwrap_or(serde_json::Value::Null))
            }
        }))
        .await;
    let elapsed = started.elapsed();
    let per_second = requests as f64 / elapsed.as_secs_f64();

    let errors: Vec<_> = answers.iter().filter(|(s, _)| *s != StatusCode::OK).collect();
    assert!(errors.is_empty(), "{} errors, e.g. {:?}", errors.len(), errors.first());
    let confirmed_answers = answers.iter().filter(|(_, v)| v["status"] == "confirmed").count();
    let waitlisted_answers = answers.iter().filter(|(_, v)| v["status"] == "waitlisted").count();
    assert_eq!(confirmed_answers, SEATS as usize);
    assert_eq!(waitlisted_answers, requests - SEATS as usize);

    // The database agrees: 30 seats held by the 30 earliest bookings, the rest waitlisted in
    // the order the database accepted them, one booking per person.
    let rows: Vec<(Uuid, Uuid, i64, String)> =
        sqlx::query_as("select id, user_id, seq, status from bookings where lesson_id = $1 order by seq")
            .bind(lesson)
            .fetch_all(&pool_a)
            .await
            .expect("bookings");
    assert_eq!(rows.len(), requests);
    let distinct: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.1).collect();
    assert_eq!(distinct.len(), requests, "no duplicates");
    assert!(rows[..SEATS as usize].iter().all(|r| r.3 == "confirmed"), "the earliest accepted hold the seats");
    assert!(rows[SEATS as usize..].iter().all(|r| r.3 == "waitlisted"));
    // Each waitlisted answer's position is its rank in acceptance order.
    let position_of: std::collections::HashMap<Uuid, i64> =
        rows[SEATS as usize..].iter().enumerate().map(|(i, r)| (r.0, i as i64 + 1)).collect();
    for (_, v) in &answers {
        if v["status"] == "waitlisted" {
            let id: Uuid = v["id"].as_str().and_then(|s| s.parse().ok()).expect("id");
            assert_eq!(v["waitlist_position"].as_i64(), position_of.get(&id).copied());
        }
    }

    // Five confirmed observers cancel at once, through both instances: exactly the first five
    // waitlisted move up.
    let first_waitlisted: Vec<Uuid> = rows[SEATS as usize..SEATS as usize + 5].iter().map(|r| r.0).collect();
    let cancelling: Vec<Uuid> = rows[..5].iter().map(|r| r.1).collect();
    let by_user: std::collections::HashMap<Uuid, usize> =
        sqlx::query_as::<_, (Uuid, String)>("select id, email from users")
            .fetch_all(&pool_a)
            .await
            .expect("users")
            .into_iter()
            .filter_map(|(id, email)| emails.iter().position(|e| *e == email).map(|i| (id, i)))
            .collect();
    let cancels = futures_util::future::join_all(cancelling.iter().map(|user| {
        let i = by_user[user];
        let client = &clients.iter().find(|(j, _)| *j == i).expect("client").1;
        let app = if i.is_multiple_of(2) { &a } else { &b };
        let lesson_s = lesson_s.clone();
        async move {
            app.call(client, "lessons/cancel-booking", &[("lesson_id", lesson_s.as_str()), ("reason", "临时有课")])
                .await
                .status()
        }
    }))
    .await;
    assert!(cancels.iter().all(|s| *s == StatusCode::OK), "{cancels:?}");
    let now_confirmed: Vec<Uuid> =
        sqlx::query_scalar("select id from bookings where lesson_id = $1 and status = 'confirmed' order by seq")
            .bind(lesson)
            .fetch_all(&pool_a)
            .await
            .expect("confirmed");
    assert_eq!(now_confirmed.len(), SEATS as usize);
    for id in &first_waitlisted {
        assert!(now_confirmed.contains(id), "the first five waitlisted were promoted");
    }
    let promoted: i64 = sqlx::query_scalar("select count(*) from notifications where kind = 'promoted'")
        .fetch_one(&pool_a)
        .await
        .expect("count");
    assert_eq!(promoted, 5);
    let outbox: i64 = sqlx::query_scalar("select count(*) from email_outbox").fetch_one(&pool_a).await.expect("count");
    assert_eq!(outbox as usize, requests + 5, "one email per booking answer and per promotion");

    println!(
        "concurrency: {requests} booking requests over 2 instances in {:.2} s = {per_second:.0} bookings/s; {SEATS} confirmed, {} waitlisted, 0 errors, 0 duplicates; 5 concurrent cancellations promoted the first 5 waitlisted",
        elapsed.as_secs_f64(),
        requests - SEATS as usize
    );
    println!("BENCH bookings_per_second={per_second:.0} requests={requests} seconds={:.3}", elapsed.as_secs_f64());
    // Both instances' connections go, so the test database can be dropped.
    pool_a.close().await;
    pool_b.close().await;
    // Server backends exit a moment after their clients hang up; dropping the database before
    // that fails and leaves it behind.
    tokio::time::sleep(Duration::from_millis(1500)).await;
}
