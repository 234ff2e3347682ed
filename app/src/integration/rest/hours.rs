//! Training hours of the district's teachers (scope `hours.read`): the change feed of their
//! credited records, deletions included. Hours are administrative data, read by name without
//! the teacher's consent (the development record is not).

use super::access::ApiCaller;
use super::lists::{ListRequest, Page, PagingParams};
use super::problem::{ApiError, ListRefusals, Refusals};
use super::ApiState;
use crate::integration::rules::{FeedCursor, Scope};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A credited training record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiHourRecord {
    pub id: Uuid,
    pub teacher_id: Uuid,
    pub teacher_name: String,
    /// The school the hours were credited at.
    pub school_id: Uuid,
    pub occurred_on: NaiveDate,
    #[schema(example = 1.5)]
    pub hours: f64,
    /// `online`, `offline`, `shadowing`, `open_lesson`, `lesson_study` or `course`.
    #[schema(example = "open_lesson")]
    pub category: String,
    /// What created it: `manual` (logged by the teacher), `booking` (attending an open lesson),
    /// `study_session` (a lesson study's round).
    #[schema(example = "booking")]
    pub source: String,
    /// Checked by a studio's host or mentor.
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

/// One change of a record: its state now, or that it is gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourChange {
    /// `upsert`: store `record` (new or changed); `delete`: the record was withdrawn (an undone
    /// check-in, a cancelled lesson) or moved to another district; remove your copy.
    #[schema(example = "upsert")]
    pub change: String,
    pub record_id: Uuid,
    pub changed_at: DateTime<Utc>,
    /// Present for `upsert`.
    pub record: Option<ApiHourRecord>,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    xid: i64,
    seq: i64,
    record_id: Uuid,
    changed_at: DateTime<Utc>,
    teacher_id: Option<Uuid>,
    teacher_name: Option<String>,
    school_id: Option<Uuid>,
    occurred_on: Option<NaiveDate>,
    hours: Option<f64>,
    category: Option<String>,
    source: Option<String>,
    verified: Option<bool>,
    created_at: Option<DateTime<Utc>>,
}

impl ChangeRow {
    /// The record as it is now, unless it is gone (or no longer the district's).
    fn record(&self) -> Option<ApiHourRecord> {
        Some(ApiHourRecord {
            id: self.record_id,
            teacher_id: self.teacher_id?,
            teacher_name: self.teacher_name.clone()?,
            school_id: self.school_id?,
            occurred_on: self.occurred_on?,
            hours: self.hours?,
            category: self.category.clone()?,
            source: self.source.clone()?,
            verified: self.verified?,
            created_at: self.created_at?,
        })
    }
}

/// Every change of the district's training records: new and changed records with their state
/// now, withdrawn ones as deletions. A change appears once its transaction and every older one
/// have finished, so a cursor never skips a change that commits late. A record changed twice may
/// appear twice, each time as it is now.
#[utoipa::path(
    get,
    path = "/hours/records",
    tag = "hours",
    params(PagingParams<FeedCursor>),
    responses(
        (status = 200, description = "A page of changes", body = Page<HourChange>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["hours.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn hour_changes(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<FeedCursor>,
) -> Result<Json<Page<HourChange>>, ApiError> {
    caller.require(Scope::HoursRead)?;
    let after = paging.after();
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "select c.xid::text::int8 as xid, c.seq, c.record_id, c.changed_at,
                r.user_id as teacher_id, u.display_name as teacher_name, r.school_id, r.occurred_on,
                r.hours::float8 as hours, r.category, r.source_kind as source, r.verified_at is not null as verified,
                r.created_at
         from training_record_changes c
         left join (training_records r join schools s on s.id = r.school_id and s.district_id = $1)
                on r.id = c.record_id and not c.deleted
         left join users u on u.id = r.user_id
         where c.district_id = $1
           and (c.xid, c.seq) > ($2::text::xid8, $3)
           and c.xid < pg_snapshot_xmin(pg_current_snapshot())
           and c.changed_at >= $5
         order by c.xid, c.seq
         limit $4",
    )
    .bind(caller.district_id)
    .bind(after.xid.to_string())
    .bind(after.seq)
    .bind(paging.limit + 1)
    .bind(paging.since)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(paging.page(
        rows,
        |r| FeedCursor { xid: r.xid, seq: r.seq },
        |row| {
            let record = row.record();
            HourChange {
                change: if record.is_some() { "upsert" } else { "delete" }.to_owned(),
                record_id: row.record_id,
                changed_at: row.changed_at,
                record,
            }
        },
    )))
}
