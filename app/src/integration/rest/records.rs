//! Studios' yearly records (scope `records.read`): the versions their hosts finalised, as the
//! district reads them in Atelier. Mentees' hours are by name (administrative); their growth by
//! name only when they share their record with the district, the others' as one row, hidden
//! below the small-cell minimum.

use super::access::ApiCaller;
use super::lists::{changed_rows, ListRequest, Page, PagingParams};
use super::problem::{ApiError, ListRefusals, Refusals};
use super::ApiState;
use crate::integration::rules::{Cursor, Scope};
use crate::kit::token::sha256_hex;
use crate::records::studio_year::rules::redact_for;
use crate::records::studio_year::store::consenting;
use crate::records::studio_year::{RecordReader, StudioYearRecord};
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// A finalised version of a studio's yearly record.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiStudioRecord {
    pub id: Uuid,
    pub studio_id: Uuid,
    pub studio_slug: String,
    pub studio_name: String,
    /// The quota year, named by the calendar year it starts in.
    #[schema(example = 2026)]
    pub year: i32,
    /// 1 for the first; a later version says why it was issued.
    pub version: i32,
    pub reason: String,
    pub finalised_at: DateTime<Utc>,
    /// The SHA-256 of the record's content as frozen, in hex.
    pub sha256: String,
    /// A later version of the same year exists.
    pub superseded: bool,
}

/// A finalised version with its content, as the district sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiStudioRecordContent {
    #[serde(flatten)]
    pub version: ApiStudioRecord,
    /// The stored content still hashes to `sha256`.
    pub intact: bool,
    pub record: StudioYearRecord,
}

const VERSION_COLUMNS: &str = "r.id, st.id as studio_id, st.slug as studio_slug, st.name as studio_name, r.year,
    r.version, r.reason, r.finalised_at, r.content_sha256 as sha256,
    exists (select 1 from studio_year_records l
            where l.studio_id = r.studio_id and l.year = r.year and l.version > r.version) as superseded";

/// The finalised versions of the district's studios' yearly records, in the order they were
/// finalised.
#[utoipa::path(
    get,
    path = "/studio-records",
    tag = "records",
    params(PagingParams<Cursor>),
    responses(
        (status = 200, description = "A page of finalised versions", body = Page<ApiStudioRecord>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["records.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn list_studio_records(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<Cursor>,
) -> Result<Json<Page<ApiStudioRecord>>, ApiError> {
    caller.require(Scope::RecordsRead)?;
    let sql = format!(
        "select {VERSION_COLUMNS}
         from studio_year_records r join studios st on st.id = r.studio_id join schools s on s.id = st.school_id
         where s.district_id = $1 and (r.finalised_at, r.id) > ($2, $3) and r.finalised_at >= $5
         order by r.finalised_at, r.id
         limit $4"
    );
    let rows: Vec<ApiStudioRecord> = changed_rows(&state.pool, &sql, caller.district_id, &paging).await?;
    Ok(Json(paging.page(rows, |r| Cursor { at: r.finalised_at, id: r.id }, |r| r)))
}

/// One finalised version with its content, as the district sees it.
#[utoipa::path(
    get,
    path = "/studio-records/{id}",
    tag = "records",
    params(("id" = Uuid, Path, description = "The version's id")),
    responses(
        (status = 200, description = "The version and its content", body = ApiStudioRecordContent),
        (status = 404, description = "No such version of the district's studios", body = super::problem::Problem, content_type = "application/problem+json"),
        Refusals,
    ),
    security(("bearer" = ["records.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn get_studio_record(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ApiStudioRecordContent>, ApiError> {
    caller.require(Scope::RecordsRead)?;
    let id = Uuid::try_parse(id.trim()).map_err(|_| ApiError::NotFound)?;
    let row = sqlx::query(&format!(
        "select {VERSION_COLUMNS}, r.content
         from studio_year_records r join studios st on st.id = r.studio_id join schools s on s.id = st.school_id
         where r.id = $1 and s.district_id = $2"
    ))
    .bind(id)
    .bind(caller.district_id)
    .fetch_optional(&state.pool)
    .await?
    .ok_or(ApiError::NotFound)?;
    use sqlx::{FromRow, Row};
    let version = ApiStudioRecord::from_row(&row)?;
    let content: String = row.try_get("content")?;
    let intact = sha256_hex(content.as_bytes()) == version.sha256;
    let mut record: StudioYearRecord = serde_json::from_str(&content).map_err(ApiError::internal)?;
    let mentees: Vec<Uuid> = record.mentees.iter().map(|m| m.id).collect();
    let sharing: HashSet<Uuid> = consenting(&state.pool, &mentees, RecordReader::District).await?.into_iter().collect();
    redact_for(&mut record, RecordReader::District, &sharing, state.min_cell);
    Ok(Json(ApiStudioRecordContent { version, intact, record }))
}
