//! The district's roster (scope `roster.read`): its schools and its teachers. A teacher's
//! administrative data only (name, school, subject, tier); their development record stays behind
//! their consent, and the roster says only whether they gave it.

use super::access::ApiCaller;
use super::lists::{changed_rows, ListRequest, Page, PagingParams};
use super::problem::{ApiError, ListRefusals, Refusals};
use super::ApiState;
use crate::integration::rules::{Cursor, Scope};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A school of the district.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiSchool {
    pub id: Uuid,
    pub name: String,
    /// `kindergarten`, `primary`, `junior`, `senior`, `nine_year` or `complete`; absent until the
    /// district's admin sets it.
    #[schema(example = "junior")]
    pub stage: Option<String>,
    /// Whether it is a rural school; absent until set.
    pub rural: Option<bool>,
    /// `listed` by the district, or `requested` by a teacher who did not find it in the list.
    #[schema(example = "listed")]
    pub status: String,
    /// When any of these fields last changed.
    pub updated_at: DateTime<Utc>,
}

/// The district's schools.
#[utoipa::path(
    get,
    path = "/schools",
    tag = "roster",
    params(PagingParams<Cursor>),
    responses(
        (status = 200, description = "A page of the district's schools", body = Page<ApiSchool>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["roster.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn list_schools(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<Cursor>,
) -> Result<Json<Page<ApiSchool>>, ApiError> {
    caller.require(Scope::RosterRead)?;
    let rows: Vec<ApiSchool> = changed_rows(
        &state.pool,
        "select id, name, stage, rural, status, changed_at as updated_at
         from schools
         where district_id = $1 and (changed_at, id) > ($2, $3) and changed_at >= $5
         order by changed_at, id
         limit $4",
        caller.district_id,
        &paging,
    )
    .await?;
    Ok(Json(paging.page(rows, |r| Cursor { at: r.updated_at, id: r.id }, |r| r)))
}

/// A teacher of one of the district's schools.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiTeacher {
    pub id: Uuid,
    pub name: String,
    /// The address they sign in with, for matching with the district's own records.
    pub email: String,
    pub school_id: Uuid,
    pub subject: String,
    pub grade_band: String,
    /// `new_teacher`, `rising_star`, `backbone`, `master` or `leading_master`.
    #[schema(example = "backbone")]
    pub tier: String,
    /// Whether the teacher lets the district open their development record (in Atelier; the
    /// record itself is not part of this API).
    pub shares_record_with_district: bool,
    /// When any of these fields last changed (a teacher who moves to another district's school
    /// leaves this list).
    pub updated_at: DateTime<Utc>,
}

/// The teachers of the district's schools.
#[utoipa::path(
    get,
    path = "/teachers",
    tag = "roster",
    params(PagingParams<Cursor>),
    responses(
        (status = 200, description = "A page of the district's teachers", body = Page<ApiTeacher>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["roster.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn list_teachers(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<Cursor>,
) -> Result<Json<Page<ApiTeacher>>, ApiError> {
    caller.require(Scope::RosterRead)?;
    let rows: Vec<ApiTeacher> = changed_rows(
        &state.pool,
        "select u.id, u.display_name as name, u.email, u.school_id, u.subject, u.grade_band, u.tier,
                u.record_shared_with_district as shares_record_with_district, u.changed_at as updated_at
         from users u join schools s on s.id = u.school_id
         where s.district_id = $1 and (u.changed_at, u.id) > ($2, $3) and u.changed_at >= $5
         order by u.changed_at, u.id
         limit $4",
        caller.district_id,
        &paging,
    )
    .await?;
    Ok(Json(paging.page(rows, |r| Cursor { at: r.updated_at, id: r.id }, |r| r)))
}
