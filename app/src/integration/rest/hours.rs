//! Training hours of the district's teachers: the change feed of their credited records,
//! deletions included, and their totals per quota year (scope `hours.read`); hours earned on
//! other platforms, imported (scope `hours.write`). Hours are administrative data, read by name
//! without the teacher's consent (the development record is not).

use super::access::ApiCaller;
use super::body::JsonBody;
use super::lists::{ApiQuery, ListRequest, Page, PagingParams};
use super::problem::{ApiError, BodyRefusals, ListRefusals, Refusals};
use super::ApiState;
use crate::districts::dashboard::rules::{cycle_of, year_bounds, year_of};
use crate::districts::dashboard::store::{district_rules, today};
use crate::integration::imports::store::{import_hours, ImportCall, ImportError, ImportOutcome};
use crate::integration::imports::{idempotency_key, validate_import, HourImport, ImportReceipt};
use crate::integration::rules::{FeedCursor, IdCursor, Scope};
use crate::integration::IntegrationMsg;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
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
    /// `study_session` (a lesson study's round), `import` (imported through this API).
    #[schema(example = "booking")]
    pub source: String,
    /// For an imported course: its first day (`occurred_on` is its last), the system it was
    /// earned on, and its id there.
    pub starts_on: Option<NaiveDate>,
    pub source_system: Option<String>,
    pub external_id: Option<String>,
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
    starts_on: Option<NaiveDate>,
    source_system: Option<String>,
    external_id: Option<String>,
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
            starts_on: self.starts_on,
            source_system: self.source_system.clone(),
            external_id: self.external_id.clone(),
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
                r.created_at, r.starts_on, i.source_system, r.external_id
         from training_record_changes c
         left join (training_records r join schools s on s.id = r.school_id and s.district_id = $1)
                on r.id = c.record_id and not c.deleted
         left join users u on u.id = r.user_id
         left join hour_imports i on i.id = r.import_id
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

/// Hours of each category, in hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryHours {
    pub online: f64,
    pub offline: f64,
    pub shadowing: f64,
    pub open_lesson: f64,
    pub lesson_study: f64,
    pub course: f64,
}

/// A teacher's credited hours in one quota year, against the district's quotas.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearTotal {
    pub teacher_id: Uuid,
    pub teacher_name: String,
    /// The school that certifies the year: where its latest hours were credited.
    pub school_id: Uuid,
    /// The quota year, named by the calendar year it starts in.
    #[schema(example = 2026)]
    pub year: i32,
    /// The year's first and last day (the district chooses the month it starts in).
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(example = 72.5)]
    pub hours: f64,
    pub by_category: CategoryHours,
    /// The district's yearly quota, and whether the teacher has met it.
    #[schema(example = 96)]
    pub quota_hours: f64,
    pub quota_met: bool,
    /// The five-year cycle the year is in: its first and last year, the teacher's hours in it up
    /// to and including this year, and the cycle's quota.
    pub cycle_first_year: i32,
    pub cycle_last_year: i32,
    pub cycle_hours: f64,
    pub cycle_quota_hours: f64,
}

/// The years a caller may ask for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Which quota year.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The quota year, named by the calendar year it starts in (the district may start its years
    /// in another month than January). The current one when absent.
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100, example = 2026)]
    year: Option<String>,
}

#[derive(sqlx::FromRow)]
struct YearRow {
    user_id: Uuid,
    teacher_name: String,
    school_id: Uuid,
    online_tenths: i64,
    offline_tenths: i64,
    shadowing_tenths: i64,
    open_lesson_tenths: i64,
    lesson_study_tenths: i64,
    course_tenths: i64,
    total_tenths: i64,
    cycle_tenths: i64,
}

fn hours(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// The district's teachers' credited hours in one quota year, by teacher, each against the
/// district's yearly and cycle quotas. Every teacher of a school of the district has a row for
/// the current year, hours or none.
#[utoipa::path(
    get,
    path = "/hours/totals",
    tag = "hours",
    params(YearParams, PagingParams<IdCursor>),
    responses(
        (status = 200, description = "A page of yearly totals, by teacher id", body = Page<YearTotal>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["hours.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn year_totals(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<YearParams>,
    ListRequest(paging): ListRequest<IdCursor>,
) -> Result<Json<Page<YearTotal>>, ApiError> {
    caller.require(Scope::HoursRead)?;
    let (_, rules) =
        district_rules(&state.pool, caller.district_id, state.year_rules).await?.ok_or(ApiError::NotFound)?;
    let year = match params.year.as_deref().map(str::trim) {
        None => year_of(today(), rules.year_start_month),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|year| YEARS.contains(year))
            .ok_or_else(|| ApiError::invalid("year", IntegrationMsg::ProblemBadYear))?,
    };
    let (starts_on, next_start) = year_bounds(year, rules.year_start_month);
    let (cycle_first_year, cycle_last_year) = cycle_of(year, rules.cycle_start_year);
    let rows: Vec<YearRow> = sqlx::query_as(
        "select y.user_id, u.display_name as teacher_name, y.school_id, y.online_tenths, y.offline_tenths,
                y.shadowing_tenths, y.open_lesson_tenths, y.lesson_study_tenths, y.course_tenths, y.total_tenths,
                y.cycle_tenths
         from teacher_year_hours y join users u on u.id = y.user_id
         where y.district_id = $1 and y.year_start = $2 and y.user_id > $3
         order by y.user_id
         limit $4",
    )
    .bind(caller.district_id)
    .bind(starts_on)
    .bind(paging.after().0)
    .bind(paging.limit + 1)
    .fetch_all(&state.pool)
    .await?;
    let ends_on = next_start.checked_sub_days(Days::new(1)).unwrap_or(next_start);
    Ok(Json(paging.page(
        rows,
        |r| IdCursor(r.user_id),
        |r| YearTotal {
            teacher_id: r.user_id,
            teacher_name: r.teacher_name,
            school_id: r.school_id,
            year,
            starts_on,
            ends_on,
            hours: hours(r.total_tenths),
            by_category: CategoryHours {
                online: hours(r.online_tenths),
                offline: hours(r.offline_tenths),
                shadowing: hours(r.shadowing_tenths),
                open_lesson: hours(r.open_lesson_tenths),
                lesson_study: hours(r.lesson_study_tenths),
                course: hours(r.course_tenths),
            },
            quota_hours: hours(rules.quota_tenths),
            quota_met: r.total_tenths >= rules.quota_tenths,
            cycle_first_year,
            cycle_last_year,
            cycle_hours: hours(r.cycle_tenths),
            cycle_quota_hours: hours(rules.cycle_quota_tenths),
        },
    )))
}

/// Imports hours the district's teachers earned on another platform (courses with a first and
/// a last day): all the records or, when one breaks a rule or names someone who does not teach
/// in the district, none, with each record at fault named (`records[i].field`). Send a new
/// `Idempotency-Key` with each new import and the same one when you retry: a retry is answered
/// with the first call's receipt and stores nothing again. The hours count toward totals and
/// quotas from the course's last day, appear in the hours feed with `source` `import`, and cannot
/// be edited in Atelier.
#[utoipa::path(
    post,
    path = "/hours/imports",
    tag = "hours",
    request_body(content = HourImport, description = "Up to 10,000 records"),
    params(
        ("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,100}$",
         description = "1 to 100 visible ASCII characters, new for each new import, the same on a retry"),
    ),
    responses(
        (status = 201, description = "Imported", body = ImportReceipt),
        (status = 200, description = "Imported before with this key and body: the first call's receipt; nothing new stored", body = ImportReceipt),
        (status = 409, description = "The key was used for a different body", body = super::problem::Problem, content_type = "application/problem+json"),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = ["hours.write"]))
)]
#[tracing::instrument(skip_all)]
pub async fn import(
    State(state): State<ApiState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: JsonBody<HourImport>,
) -> Result<(StatusCode, Json<ImportReceipt>), ApiError> {
    caller.require(Scope::HoursWrite)?;
    let key = idempotency_key(headers.get("idempotency-key").and_then(|v| v.to_str().ok()))
        .map_err(|msg| ApiError::invalid("Idempotency-Key", msg))?;
    let valid = validate_import(&body.value, today()).map_err(ApiError::Unprocessable)?;
    let call = ImportCall {
        client_id: caller.client_id,
        district_id: caller.district_id,
        key: &key,
        body_sha256: &body.sha256,
    };
    match import_hours(&state.pool, &call, &valid).await {
        Ok(ImportOutcome::Created(receipt)) => Ok((StatusCode::CREATED, Json(receipt))),
        Ok(ImportOutcome::Replayed(receipt)) => Ok((StatusCode::OK, Json(receipt))),
        Err(ImportError::KeyReused) => Err(ApiError::KeyReused),
        Err(ImportError::NotTeachers(places)) => Err(ApiError::Unprocessable(
            places
                .into_iter()
                .map(|i| (format!("records[{i}].teacher_id"), IntegrationMsg::ErrNotDistrictTeacher.into()))
                .collect(),
        )),
        Err(ImportError::Store(err)) => Err(err.into()),
    }
}
