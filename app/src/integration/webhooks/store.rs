//! Subscriptions and the delivery outbox in the database (server only).

use super::{Delivery, DeliveryLog, DeliveryState, Event, Subscription, LOG_PAGE, MAX_ATTEMPTS};
use crate::kit::sql::window;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use std::time::Duration;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    url: String,
    events: Vec<String>,
    created_at: DateTime<Utc>,
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Subscription {
        Subscription {
            url: row.url,
            events: row.events.iter().filter_map(|e| Event::parse(e)).collect(),
            created_at: row.created_at,
        }
    }
}

/// The client's subscription, if it has one.
pub async fn subscription(db: impl PgExecutor<'_>, client: Uuid) -> sqlx::Result<Option<Subscription>> {
    let row: Option<SubscriptionRow> =
        sqlx::query_as("select url, events, created_at from webhook_subscriptions where client_id = $1")
            .bind(client)
            .fetch_optional(db)
            .await?;
    Ok(row.map(Subscription::from))
}

/// Sets the client's subscription (replacing any) with a new signing `secret`.
#[tracing::instrument(skip_all)]
pub async fn subscribe(
    db: impl PgExecutor<'_>,
    client: Uuid,
    url: &str,
    events: &[Event],
    secret: &str,
) -> sqlx::Result<Subscription> {
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    let row: SubscriptionRow = sqlx::query_as(
        "insert into webhook_subscriptions (client_id, url, events, secret) values ($1, $2, $3, $4)
         on conflict (client_id) do update
         set url = excluded.url, events = excluded.events, secret = excluded.secret, created_at = now()
         returning url, events, created_at",
    )
    .bind(client)
    .bind(url)
    .bind(&names)
    .bind(secret)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// Ends the client's subscription; deliveries already queued are still sent. `false`: it had
/// none.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(db: impl PgExecutor<'_>, client: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from webhook_subscriptions where client_id = $1").bind(client).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// A delivery leased to this instance for sending.
#[derive(Debug, sqlx::FromRow)]
pub struct Leased {
    pub id: Uuid,
    pub event: String,
    pub body: String,
    pub attempts: i32,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// Leases up to `batch` due deliveries for `lease`: another instance skips them meanwhile (and
/// takes them up again only if this one never reports back). Each lease counts an attempt.
pub async fn lease_due(pool: &PgPool, batch: i64, lease: Duration) -> sqlx::Result<Vec<Leased>> {
    sqlx::query_as(
        "with due as (
             select id from webhook_deliveries
             where delivered_at is null and failed_at is null and next_attempt_at <= clock_timestamp()
             order by next_attempt_at limit $1
             for update skip locked
         )
         update webhook_deliveries d
         set attempts = d.attempts + 1, next_attempt_at = clock_timestamp() + make_interval(secs => $2)
         from due where d.id = due.id
         returning d.id, d.event, d.body, d.attempts,
                   (select w.url from webhook_subscriptions w where w.client_id = d.client_id) as url,
                   (select w.secret from webhook_subscriptions w where w.client_id = d.client_id) as secret",
    )
    .bind(batch)
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await
}

/// Records that the receiver accepted the delivery.
pub async fn delivered(pool: &PgPool, id: Uuid, status: u16) -> sqlx::Result<()> {
    sqlx::query(
        "update webhook_deliveries set delivered_at = clock_timestamp(), last_status = $2, last_error = ''
         where id = $1",
    )
    .bind(id)
    .bind(i32::from(status))
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again after `wait`, or given up after the last attempt.
pub async fn failed(
    pool: &PgPool,
    delivery: &Leased,
    status: Option<u16>,
    error: &str,
    wait: Duration,
) -> sqlx::Result<bool> {
    let give_up = delivery.attempts >= MAX_ATTEMPTS || delivery.url.is_none();
    sqlx::query(
        "update webhook_deliveries
         set last_status = $2, last_error = left($3, 500),
             next_attempt_at = clock_timestamp() + make_interval(secs => $4),
             failed_at = case when $5 then clock_timestamp() end
         where id = $1",
    )
    .bind(delivery.id)
    .bind(status.map(i32::from))
    .bind(error)
    .bind(wait.as_secs_f64())
    .bind(give_up)
    .execute(pool)
    .await?;
    Ok(give_up)
}

/// Deliveries due and not yet accepted (the `/metrics` backlog).
pub async fn backlog(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from webhook_deliveries
         where delivered_at is null and failed_at is null and next_attempt_at <= clock_timestamp()",
    )
    .fetch_one(db)
    .await
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    event: String,
    attempts: i32,
    created_at: DateTime<Utc>,
    next_attempt_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    last_status: Option<i32>,
    last_error: String,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Delivery {
        let (state, at) = match (row.delivered_at, row.failed_at) {
            (Some(at), _) => (DeliveryState::Delivered, at),
            (None, Some(at)) => (DeliveryState::Failed, at),
            (None, None) => (DeliveryState::Retrying, row.next_attempt_at),
        };
        Delivery {
            id: row.id,
            event: row.event,
            state,
            attempts: row.attempts,
            created_at: row.created_at,
            at,
            last_status: row.last_status,
            last_error: row.last_error,
        }
    }
}

/// A page of the log of a client of a district `admin` administers, newest first; `None` when
/// there is no such client (or it is another district's).
pub async fn delivery_log(pool: &PgPool, admin: Uuid, client: Uuid, page: i64) -> sqlx::Result<Option<DeliveryLog>> {
    let found: Option<(String, i64)> = sqlx::query_as(
        "select c.name, (select count(*) from webhook_deliveries d where d.client_id = c.id)
         from api_clients c
         where c.id = $1 and exists (select 1 from district_admins a where a.district_id = c.district_id and a.user_id = $2)",
    )
    .bind(client)
    .bind(admin)
    .fetch_optional(pool)
    .await?;
    let Some((client_name, total)) = found else { return Ok(None) };
    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
        "select id, event, attempts, created_at, next_attempt_at, delivered_at, failed_at, last_status, last_error
         from webhook_deliveries where client_id = $1
         order by created_at desc, id desc{}",
        window(LOG_PAGE, page.saturating_mul(LOG_PAGE))
    ))
    .bind(client)
    .fetch_all(pool)
    .await?;
    Ok(Some(DeliveryLog {
        client_id: client,
        client_name,
        subscription: subscription(pool, client).await?,
        deliveries: rows.into_iter().map(Delivery::from).collect(),
        page,
        total,
    }))
}
