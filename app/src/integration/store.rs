//! API clients in the database (server only): created and revoked by a district's admins, found
//! by their token's hash on every API call.

use super::rules::{Scope, ValidClient, CLIENTS_PAGE};
use super::{ApiClient, DistrictClients, IntegrationMsg};
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::sql::window;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgExecutor;
use uuid::Uuid;

/// Whether `user` administers `district`.
pub async fn administers(db: impl PgExecutor<'_>, user: Uuid, district: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from district_admins where district_id = $1 and user_id = $2)")
        .bind(district)
        .bind(user)
        .fetch_one(db)
        .await
}

/// Creates a client of `district` whose token hashes to `token_hash`; a live client of the same
/// name is the name field's error.
#[tracing::instrument(skip_all)]
pub async fn create_client(
    db: impl PgExecutor<'_>,
    district: Uuid,
    by: Uuid,
    client: &ValidClient,
    token_hash: &str,
    token_hint: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let scopes: Vec<&str> = client.scopes.iter().map(|s| s.as_str()).collect();
    sqlx::query(
        "insert into api_clients (id, district_id, name, scopes, token_hash, token_hint, expires_at, created_by)
         values ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7), $8)",
    )
    .bind(id)
    .bind(district)
    .bind(&client.name)
    .bind(&scopes)
    .bind(token_hash)
    .bind(token_hint)
    .bind(client.days as i32)
    .bind(by)
    .execute(db)
    .await
    .on_constraint("api_clients_district_name_key", || StoreError::conflict("name", IntegrationMsg::ErrNameTaken))?;
    Ok(id)
}

/// Revokes a client of a district `admin` administers; `false` when there is no such live
/// client (unknown, already revoked, or another district's: the same answer).
#[tracing::instrument(skip_all)]
pub async fn revoke_client(db: impl PgExecutor<'_>, admin: Uuid, client: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update api_clients c set revoked_at = now()
         where c.id = $1 and c.revoked_at is null
           and exists (select 1 from district_admins a where a.district_id = c.district_id and a.user_id = $2)",
    )
    .bind(client)
    .bind(admin)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct DistrictRow {
    district_id: Uuid,
    district_name: String,
    clients: Json<Vec<ClientRow>>,
    total: i64,
}

#[derive(serde::Deserialize)]
struct ClientRow {
    id: Uuid,
    name: String,
    scopes: Vec<String>,
    token_hint: String,
    expires_at: DateTime<Utc>,
    expired: bool,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// The clients of every district `admin` administers, newest first, `page` (from 0) of each.
pub async fn clients_of(db: impl PgExecutor<'_>, admin: Uuid, page: u32) -> sqlx::Result<Vec<DistrictClients>> {
    let rows: Vec<DistrictRow> = sqlx::query_as(&format!(
        "select d.id as district_id, d.name as district_name,
                (select coalesce(json_agg(c), '[]') from (
                     select id, name, scopes, token_hint, expires_at, expires_at <= now() as expired, revoked_at,
                            last_used_at, created_at
                     from api_clients where district_id = d.id
                     order by created_at desc, id{}
                 ) c) as clients,
                (select count(*) from api_clients where district_id = d.id) as total
         from district_admins a join districts d on d.id = a.district_id
         where a.user_id = $1
         order by d.name, d.id",
        window(CLIENTS_PAGE, i64::from(page) * CLIENTS_PAGE)
    ))
    .bind(admin)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DistrictClients {
            district_id: r.district_id,
            district_name: r.district_name,
            more: r.total > (i64::from(page) + 1) * CLIENTS_PAGE,
            total: r.total,
            clients: r
                .clients
                .0
                .into_iter()
                .map(|c| ApiClient {
                    id: c.id,
                    name: c.name,
                    scopes: c.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
                    token_hint: c.token_hint,
                    expires_at: c.expires_at,
                    expired: c.expired,
                    revoked_at: c.revoked_at,
                    last_used_at: c.last_used_at,
                    created_at: c.created_at,
                })
                .collect(),
        })
        .collect())
}

/// A client as a request's token finds it.
#[derive(sqlx::FromRow)]
pub struct TokenClient {
    pub id: Uuid,
    pub district_id: Uuid,
    pub scopes: Vec<String>,
    pub expired: bool,
    pub revoked: bool,
}

/// The client whose token hashes to `token_hash`, if any. A live client's last-used time moves
/// in the same statement, at most once a minute (no write on every call).
pub async fn client_by_token(db: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<Option<TokenClient>> {
    sqlx::query_as(
        "with client as (
             select id, district_id, scopes, expires_at <= now() as expired, revoked_at is not null as revoked,
                    last_used_at
             from api_clients where token_hash = $1
         ),
         touched as (
             update api_clients set last_used_at = now()
             where id = (select id from client
                         where not expired and not revoked
                           and (last_used_at is null or last_used_at < now() - interval '1 minute'))
         )
         select id, district_id, scopes, expired, revoked from client",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}
