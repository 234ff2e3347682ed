//! Record queries (server only): each reads one teacher's rows of one quota year through an index
//! on the teacher, and lists at most [`LIST_MAX`](super::LIST_MAX) rows.

use super::{ObservedLesson, StudyPart, TaughtLesson, LIST_MAX};
use crate::accounts::Tier;
use crate::districts::dashboard::store::YEAR_INSTANTS;
use chrono::NaiveDate;
use sqlx::PgExecutor;
use uuid::Uuid;

/// The teacher's name, school (when matched to a list), its district, and tier.
pub struct Header {
    pub name: String,
    pub school: Option<String>,
    pub district: Option<Uuid>,
    pub tier: Tier,
}

pub async fn header(db: impl PgExecutor<'_>, teacher: Uuid) -> sqlx::Result<Option<Header>> {
    let row: Option<(String, Option<String>, Option<Uuid>, Tier)> = sqlx::query_as(
        "select u.display_name, s.name, s.district_id, u.tier
         from users u left join schools s on s.id = u.school_id where u.id = $1",
    )
    .bind(teacher)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(name, school, district, tier)| Header { name, school, district, tier }))
}

/// Plans shown on a record at most (a teacher is a mentee in few studios).
pub const PLANS_MAX: i64 = 10;

/// The studios (id, name) where the teacher has a growth plan (`studio`: that one only).
pub async fn plans(db: impl PgExecutor<'_>, teacher: Uuid, studio: Option<Uuid>) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select st.id, st.name from growth_plans p join studios st on st.id = p.studio_id
         where p.mentee_id = $1 and ($3::uuid is null or st.id = $3) order by st.name limit $2",
    )
    .bind(teacher)
    .bind(PLANS_MAX)
    .bind(studio)
    .fetch_all(db)
    .await
}

/// The teacher's credited tenths per category in each quota year starting from `first` to `last`
/// (year starts), in any district: (year start, tenths by category), oldest first.
pub async fn year_tenths(
    db: impl PgExecutor<'_>,
    teacher: Uuid,
    first: NaiveDate,
    last: NaiveDate,
) -> sqlx::Result<Vec<(NaiveDate, [i64; 6])>> {
    let rows: Vec<(NaiveDate, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "select year_start, sum(online_tenths)::bigint, sum(offline_tenths)::bigint, sum(shadowing_tenths)::bigint,
                sum(open_lesson_tenths)::bigint, sum(lesson_study_tenths)::bigint, sum(course_tenths)::bigint
         from teacher_year_hours where user_id = $1 and year_start >= $2 and year_start <= $3
         group by year_start order by year_start",
    )
    .bind(teacher)
    .bind(first)
    .bind(last)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(start, a, b, c, d, e, f)| (start, [a, b, c, d, e, f])).collect())
}

/// The quota year `[start, end)` a record is of, and the studio it is read in (`None`: all).
#[derive(Clone, Copy, Debug)]
pub struct Year {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub studio: Option<Uuid>,
}

/// Rows of `select` (after a `bounds (from_at, to_at)` of the year's instants in China; the
/// teacher is `$1`, the year `$2`–`$3`, the studio `$5`, null for all), at most [`LIST_MAX`].
async fn year_rows<T>(db: impl PgExecutor<'_>, select: &str, teacher: Uuid, year: Year) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(&format!("with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})) {select} limit $4"))
        .bind(teacher)
        .bind(year.start)
        .bind(year.end)
        .bind(LIST_MAX)
        .bind(year.studio)
        .fetch_all(db)
        .await
}

/// Open lessons the teacher taught in the year (days in China) and before now, with how many
/// checked in and from how many schools: one query.
pub async fn taught_lessons(db: impl PgExecutor<'_>, teacher: Uuid, year: Year) -> sqlx::Result<Vec<TaughtLesson>> {
    let select = "select l.id, l.title, st.name as studio, l.starts_at, count(b.user_id) as observers,
                         count(distinct u.school_id) as schools
                  from open_lessons l
                  join studios st on st.id = l.studio_id
                  cross join bounds
                  left join bookings b on b.lesson_id = l.id and b.checked_in_at is not null
                  left join users u on u.id = b.user_id
                  where l.teacher_id = $1 and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
                    and l.starts_at < now() and l.status in ('published', 'done')
                    and ($5::uuid is null or st.id = $5)
                  group by l.id, st.name
                  order by l.starts_at, l.id";
    year_rows(db, select, teacher, year).await
}

/// The lessons in the year the teacher checked in to.
pub async fn observed_lessons(db: impl PgExecutor<'_>, teacher: Uuid, year: Year) -> sqlx::Result<Vec<ObservedLesson>> {
    let select = "select l.id, l.title, st.name as studio, l.starts_at
                  from bookings b
                  join open_lessons l on l.id = b.lesson_id
                  join studios st on st.id = l.studio_id
                  cross join bounds
                  where b.user_id = $1 and b.checked_in_at is not null
                    and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
                    and ($5::uuid is null or st.id = $5)
                  order by l.starts_at, l.id";
    year_rows(db, select, teacher, year).await
}

/// The lesson studies the teacher belonged to that were open at some time in the year.
pub async fn studies(db: impl PgExecutor<'_>, teacher: Uuid, year: Year) -> sqlx::Result<Vec<StudyPart>> {
    let select = "select d.id, d.title, st.name as studio, m.role, d.phase
                  from study_members m
                  join studies d on d.id = m.study_id
                  join studios st on st.id = d.studio_id
                  cross join bounds
                  where m.user_id = $1 and d.created_at < bounds.to_at
                    and (d.phase <> 'closed' or d.updated_at >= bounds.from_at)
                    and ($5::uuid is null or st.id = $5)
                  order by d.created_at, d.id";
    year_rows(db, select, teacher, year).await
}
