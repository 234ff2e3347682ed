//! The district's roster (scope `roster.read`): its schools and its teachers; its schools are
//! also written (scope `roster.write`). A teacher's administrative data only (name, school,
//! subject, tier); their development record stays behind their consent, and the roster says only
//! whether they gave it.

use super::access::ApiCaller;
use super::body::JsonBody;
use super::lists::{changed_rows, ListRequest, Page, PagingParams};
use super::problem::{ApiError, BodyRefusals, ListRefusals, Refusals};
use super::ApiState;
use crate::districts::store::{self as districts_store, SchoolFields};
use crate::districts::SchoolStage;
use crate::integration::rules::{Cursor, Scope};
use crate::integration::IntegrationMsg;
use crate::kit::error::StoreError;
use crate::kit::i18n::Msg;
use crate::kit::validate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// A school as the district's system writes it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SchoolInput {
    /// 1 to 100 characters, unique in the district.
    #[schema(min_length = 1, max_length = 100, example = "西湖区实验中学")]
    pub name: String,
    /// `kindergarten`, `primary`, `junior`, `senior`, `nine_year` or `complete`; null: not said.
    #[schema(example = "junior")]
    pub stage: Option<String>,
    /// Whether it is a rural school; null: not said.
    pub rural: Option<bool>,
}

/// The input checked, each field at fault named.
fn check_school(input: &SchoolInput) -> Result<SchoolFields, ApiError> {
    let mut errors: Vec<(String, Msg)> = Vec::new();
    let name = validate::name(&input.name, true, 100).map_err(|m| errors.push(("name".to_owned(), m))).ok();
    let stage = match input.stage.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(code) => match SchoolStage::from_code(code) {
            Some(stage) => Some(Some(stage)),
            None => {
                errors.push(("stage".to_owned(), IntegrationMsg::ErrSchoolStage.into()));
                None
            }
        },
    };
    match (name, stage) {
        (Some(name), Some(stage)) => Ok(SchoolFields { name, stage, rural: input.rural }),
        _ => Err(ApiError::Unprocessable(errors)),
    }
}

fn write_error(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::NotFound,
        StoreError::Conflict { input, msg } => ApiError::Conflict { name: input.to_owned(), msg },
        other => ApiError::internal(other),
    }
}

const SCHOOL_COLUMNS: &str = "id, name, stage, rural, status, changed_at as updated_at";

/// Adds a school to the district's list (listed at once: the district's own system says so).
#[utoipa::path(
    post,
    path = "/schools",
    tag = "roster",
    request_body = SchoolInput,
    responses(
        (status = 201, description = "Listed", body = ApiSchool),
        (status = 409, description = "The district already lists a school of that name", body = super::problem::Problem, content_type = "application/problem+json"),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = ["roster.write"]))
)]
#[tracing::instrument(skip_all)]
pub async fn create_school(
    State(state): State<ApiState>,
    caller: ApiCaller,
    body: JsonBody<SchoolInput>,
) -> Result<(StatusCode, Json<ApiSchool>), ApiError> {
    caller.require(Scope::RosterWrite)?;
    let school = check_school(&body.value)?;
    let created = districts_store::list_school(&state.pool, caller.district_id, &school).await.map_err(write_error)?;
    let row = school_row(&state.pool, caller.district_id, created).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Changes one of the district's schools: its name, stage and whether it is rural, all three
/// as sent (a teacher's requested school stays requested until an admin confirms it in Atelier).
#[utoipa::path(
    put,
    path = "/schools/{id}",
    tag = "roster",
    params(("id" = Uuid, Path, description = "The school's id")),
    request_body = SchoolInput,
    responses(
        (status = 200, description = "Changed", body = ApiSchool),
        (status = 404, description = "No such school in the district", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The district already lists another school of that name", body = super::problem::Problem, content_type = "application/problem+json"),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = ["roster.write"]))
)]
#[tracing::instrument(skip_all)]
pub async fn update_school(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: JsonBody<SchoolInput>,
) -> Result<Json<ApiSchool>, ApiError> {
    caller.require(Scope::RosterWrite)?;
    let id = Uuid::try_parse(id.trim()).map_err(|_| ApiError::NotFound)?;
    let school = check_school(&body.value)?;
    districts_store::rewrite_school(&state.pool, caller.district_id, id, &school).await.map_err(write_error)?;
    Ok(Json(school_row(&state.pool, caller.district_id, id).await?.ok_or(ApiError::NotFound)?))
}

async fn school_row(pool: &sqlx::PgPool, district: Uuid, id: Uuid) -> sqlx::Result<Option<ApiSchool>> {
    sqlx::query_as(&format!("select {SCHOOL_COLUMNS} from schools where id = $1 and district_id = $2"))
        .bind(id)
        .bind(district)
        .fetch_optional(pool)
        .await
}
