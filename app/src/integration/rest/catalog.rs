//! The district's public catalogue: its studios and their open lessons, with bookings counts
//! (scope `lessons.read`).

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

/// A school, as lists name it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolRef {
    pub id: Uuid,
    pub name: String,
}

/// A studio of the district.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiStudio {
    pub id: Uuid,
    /// Its address on Atelier: `/studios/{slug}`.
    pub slug: String,
    pub name: String,
    pub description: String,
    pub subject: String,
    pub school: SchoolRef,
    /// The master teacher who hosts it.
    pub host_name: String,
    /// `public` studios are listed on Atelier; `private` ones only to their members.
    #[schema(example = "public")]
    pub visibility: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    /// When any of these fields last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StudioRow {
    id: Uuid,
    slug: String,
    name: String,
    description: String,
    subject: String,
    school_id: Uuid,
    school_name: String,
    host_name: String,
    visibility: String,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The district's studios.
#[utoipa::path(
    get,
    path = "/studios",
    tag = "lessons",
    params(PagingParams<Cursor>),
    responses(
        (status = 200, description = "A page of the district's studios", body = Page<ApiStudio>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["lessons.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn list_studios(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<Cursor>,
) -> Result<Json<Page<ApiStudio>>, ApiError> {
    caller.require(Scope::LessonsRead)?;
    let rows: Vec<StudioRow> = changed_rows(
        &state.pool,
        "select s.id, s.slug, s.name, s.description, s.subject, sc.id as school_id, sc.name as school_name,
                u.display_name as host_name, s.visibility, s.archived, s.created_at, s.changed_at as updated_at
         from studios s
         join schools sc on sc.id = s.school_id
         join users u on u.id = s.host_id
         where sc.district_id = $1 and (s.changed_at, s.id) > ($2, $3) and s.changed_at >= $5
         order by s.changed_at, s.id
         limit $4",
        caller.district_id,
        &paging,
    )
    .await?;
    Ok(Json(paging.page(
        rows,
        |r| Cursor { at: r.updated_at, id: r.id },
        |r| ApiStudio {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            subject: r.subject,
            school: SchoolRef { id: r.school_id, name: r.school_name },
            host_name: r.host_name,
            visibility: r.visibility,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        },
    )))
}

/// An open lesson of one of the district's studios (drafts are not shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiLesson {
    pub id: Uuid,
    pub title: String,
    pub subject: String,
    pub grade: String,
    pub studio: StudioRef,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `in_person`, `online` or `hybrid`.
    #[schema(example = "in_person")]
    pub mode: String,
    /// `published`, `cancelled` or `done`.
    #[schema(example = "published")]
    pub status: String,
    pub capacity: i32,
    /// Seats booked (confirmed, attended or marked absent).
    pub seats_taken: i32,
    /// Bookings waiting for a seat.
    pub waitlisted: i32,
    /// Training hours an attendee is credited.
    #[schema(example = 1.5)]
    pub credited_hours: f64,
    /// When any of these fields last changed (bookings counts included).
    pub updated_at: DateTime<Utc>,
}

/// A studio, as a lesson names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudioRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct LessonRow {
    id: Uuid,
    title: String,
    subject: String,
    grade: String,
    studio_id: Uuid,
    studio_slug: String,
    studio_name: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    mode: String,
    status: String,
    capacity: i32,
    seats_taken: i32,
    waitlisted: i32,
    credited_hours: f64,
    updated_at: DateTime<Utc>,
}

/// The open lessons of the district's studios, with their bookings counts.
#[utoipa::path(
    get,
    path = "/lessons",
    tag = "lessons",
    params(PagingParams<Cursor>),
    responses(
        (status = 200, description = "A page of the district's open lessons", body = Page<ApiLesson>),
        ListRefusals,
        Refusals,
    ),
    security(("bearer" = ["lessons.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn list_lessons(
    State(state): State<ApiState>,
    caller: ApiCaller,
    ListRequest(paging): ListRequest<Cursor>,
) -> Result<Json<Page<ApiLesson>>, ApiError> {
    caller.require(Scope::LessonsRead)?;
    let rows: Vec<LessonRow> = changed_rows(
        &state.pool,
        "select l.id, l.title, l.subject, l.grade, s.id as studio_id, s.slug as studio_slug, s.name as studio_name,
                l.starts_at, l.ends_at, l.mode, l.status, l.capacity, l.seats_taken, l.waitlisted,
                l.credited_hours::float8 as credited_hours, l.changed_at as updated_at
         from open_lessons l
         join studios s on s.id = l.studio_id
         join schools sc on sc.id = s.school_id
         where sc.district_id = $1 and l.status <> 'draft' and (l.changed_at, l.id) > ($2, $3) and l.changed_at >= $5
         order by l.changed_at, l.id
         limit $4",
        caller.district_id,
        &paging,
    )
    .await?;
    Ok(Json(paging.page(
        rows,
        |r| Cursor { at: r.updated_at, id: r.id },
        |r| ApiLesson {
            id: r.id,
            title: r.title,
            subject: r.subject,
            grade: r.grade,
            studio: StudioRef { id: r.studio_id, slug: r.studio_slug, name: r.studio_name },
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            mode: r.mode,
            status: r.status,
            capacity: r.capacity,
            seats_taken: r.seats_taken,
            waitlisted: r.waitlisted,
            credited_hours: r.credited_hours,
            updated_at: r.updated_at,
        },
    )))
}
