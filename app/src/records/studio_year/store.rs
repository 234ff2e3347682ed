//! Studio yearly record queries and the finalising transaction (server only). Every list reads
//! one studio's rows of one year through an index on the studio and lists at most
//! [`LIST_MAX`](super::LIST_MAX) rows; the totals are one query per year whatever the studio's size.

use super::{
    Growth, LedgerLesson, LedgerStudy, Member, MemberChange, Narrative, RecordReader, SchoolReach, StudioYearMsg,
    Totals, VersionSummary, CONCLUSIONS_MAX, LIST_MAX,
};
use crate::districts::dashboard::store::YEAR_INSTANTS;
use crate::kit::error::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool, Row};
use uuid::Uuid;

/// A studio as its record needs it.
pub struct StudioFacts {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub school_id: Option<Uuid>,
    pub school: Option<String>,
    pub district_id: Option<Uuid>,
    pub district: Option<String>,
    pub host: String,
    pub created_at: DateTime<Utc>,
}

pub async fn studio_facts(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<StudioFacts>> {
    let row = sqlx::query(
        "select st.id, st.slug, st.name, st.school_id, s.name as school, s.district_id, d.name as district,
                h.display_name as host, st.created_at
         from studios st join users h on h.id = st.host_id
         left join schools s on s.id = st.school_id left join districts d on d.id = s.district_id
         where st.slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(StudioFacts {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            school_id: row.try_get("school_id")?,
            school: row.try_get("school")?,
            district_id: row.try_get("district_id")?,
            district: row.try_get("district")?,
            host: row.try_get("host")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

/// How `user` stands toward the studio: their active role in it, and whether they lead its
/// school or administer its district. One query.
pub async fn standing(
    db: impl PgExecutor<'_>,
    studio: &StudioFacts,
    user: Uuid,
) -> sqlx::Result<(Option<crate::studios::StudioRole>, bool, bool)> {
    sqlx::query_as(
        "select (select role from memberships where studio_id = $1 and user_id = $2 and status = 'active'),
                exists (select 1 from school_leaders where school_id = $3 and user_id = $2),
                exists (select 1 from district_admins where district_id = $4 and user_id = $2)",
    )
    .bind(studio.id)
    .bind(user)
    .bind(studio.school_id)
    .bind(studio.district_id)
    .fetch_one(db)
    .await
}

/// The studio's year `[start, end)` (days in China).
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub studio: Uuid,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Rows of `select` (after a `bounds (from_at, to_at)` of the year's instants; the studio is
/// `$1`, the year `$2`–`$3`), at most [`LIST_MAX`].
async fn span_rows<T>(db: impl PgExecutor<'_>, select: &str, span: Span) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(&format!("with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})) {select} limit $4"))
        .bind(span.studio)
        .bind(span.start)
        .bind(span.end)
        .bind(LIST_MAX)
        .fetch_all(db)
        .await
}

/// Memberships that were active at some time in the year (`m`, with `bounds`).
const MEMBERS_OF_YEAR: &str = "m.studio_id = $1 and m.created_at < bounds.to_at
    and (m.status = 'active' or (m.status in ('left', 'removed') and m.updated_at >= bounds.from_at))";

/// Lessons of the studio held in the year, before now (`l`, with `bounds`).
const LESSONS_HELD: &str = "l.studio_id = $1 and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
    and l.starts_at < now() and l.status in ('published', 'done')";

/// Lesson studies of the studio open at some time in the year (`d`, with `bounds`).
const STUDIES_OF_YEAR: &str =
    "d.studio_id = $1 and d.created_at < bounds.to_at and (d.phase <> 'closed' or d.updated_at >= bounds.from_at)";

/// The observers of study `d`: those given a focus and those invited as observers (`user_id`).
const OBSERVERS_OF_STUDY: &str =
    "select a.observer_id as user_id from observation_assignments a where a.study_id = d.id
    union select m.user_id from study_members m where m.study_id = d.id and m.role = 'observer'";

/// Members of the year: host first, then mentors, then mentees, by name.
pub async fn members(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<Member>> {
    let select = format!(
        "select u.id, u.display_name as name, m.role, (m.created_at at time zone 'Asia/Shanghai')::date as since,
                case when m.status <> 'active' and m.updated_at < bounds.to_at
                     then (m.updated_at at time zone 'Asia/Shanghai')::date end as until
         from memberships m join users u on u.id = m.user_id cross join bounds
         where {MEMBERS_OF_YEAR}
         order by case m.role when 'host' then 0 when 'mentor' then 1 else 2 end, u.display_name, u.id"
    );
    span_rows(db, &select, span).await
}

/// Joins, departures and changes of role in the year.
pub async fn changes(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<MemberChange>> {
    let select = "select e.created_at as at, u.display_name as name, e.kind, e.role
                  from membership_events e join users u on u.id = e.user_id cross join bounds
                  where e.studio_id = $1 and e.created_at >= bounds.from_at and e.created_at < bounds.to_at
                    and e.kind not in ('requested', 'declined')
                  order by e.created_at, e.id";
    span_rows(db, select, span).await
}

/// Open lessons held in the year (before now), with their seats, bookings, check-ins and reach.
pub async fn lessons(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<LedgerLesson>> {
    let select = format!(
        "select l.id, l.starts_at, l.title, t.display_name as teacher, l.capacity::int8 as seats,
                         count(b.id) filter (where b.status in ('confirmed', 'attended', 'no_show')) as booked,
                         count(b.id) filter (where b.checked_in_at is not null) as checked_in,
                         count(distinct u.school_id) filter (where b.checked_in_at is not null) as schools,
                         count(distinct s.district_id) filter (where b.checked_in_at is not null) as districts
                  from open_lessons l join users t on t.id = l.teacher_id cross join bounds
                  left join bookings b on b.lesson_id = l.id
                  left join users u on u.id = b.user_id
                  left join schools s on s.id = u.school_id
                  where {LESSONS_HELD}
                  group by l.id, t.display_name
                  order by l.starts_at, l.id"
    );
    span_rows(db, &select, span).await
}

/// Lesson studies open at some time in the year.
pub async fn studies(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<LedgerStudy>> {
    let select = format!(
        "select d.id, (d.created_at at time zone 'Asia/Shanghai')::date as started_on, d.title,
                u.display_name as lead, d.phase,
                (select count(*) from study_rounds r where r.study_id = d.id) as rounds,
                (select count(*) from plan_versions v where v.study_id = d.id) as plan_versions,
                left(coalesce(nullif(d.conclusions, ''),
                              (select v.conclusions from plan_versions v where v.study_id = d.id
                               order by v.number desc limit 1), ''), {CONCLUSIONS_MAX}) as conclusions,
                o.observers, o.observers_from_other_schools
         from studies d join users u on u.id = d.lead_id cross join bounds
         cross join lateral (
             select count(*) as observers,
                    count(*) filter (where p.school_id is distinct from st.school_id) as observers_from_other_schools
             from ({OBSERVERS_OF_STUDY}) o
             join users p on p.id = o.user_id
             cross join (select school_id from studios where id = $1) st
         ) o
         where {STUDIES_OF_YEAR}
         order by d.created_at, d.id"
    );
    span_rows(db, &select, span).await
}

/// Teachers of the year's lessons (checked in) and studies (observing) who came from another
/// school than the studio's, counted by school.
pub async fn reach(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<SchoolReach>> {
    let select = format!(
        "select s.name as school, dd.name as district, count(*) as observers
                  from (
                      select b.user_id from bookings b join open_lessons l on l.id = b.lesson_id cross join bounds
                      where l.studio_id = $1 and b.checked_in_at is not null
                        and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
                      union
                      select o.user_id
                      from studies d cross join bounds
                      cross join lateral ({OBSERVERS_OF_STUDY}) o
                      where {STUDIES_OF_YEAR}
                  ) people
                  join users u on u.id = people.user_id
                  left join schools s on s.id = u.school_id
                  left join districts dd on dd.id = s.district_id
                  where u.school_id is distinct from (select school_id from studios where id = $1)
                  group by s.id, s.name, dd.name
                  order by count(*) desc, s.name nulls last"
    );
    span_rows(db, &select, span).await
}

/// Each mentee of the year: (id, name, credited tenths in the year, open goals, growth).
pub async fn mentees(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Vec<(Uuid, String, i64, i64, Growth)>> {
    let select = format!(
        "select u.id, u.display_name, coalesce(h.tenths, 0) as tenths, coalesce(g.open_goals, 0) as open_goals,
                coalesce(g.goals_achieved, 0) as goals_achieved, coalesce(g.milestones_done, 0) as milestones_done,
                coalesce(g.sign_offs, 0) as sign_offs
         from memberships m join users u on u.id = m.user_id cross join bounds
         left join growth_plans p on p.studio_id = m.studio_id and p.mentee_id = m.user_id
         left join lateral (
             select (sum(r.hours) * 10)::int8 as tenths from training_records r
             where r.user_id = m.user_id and r.occurred_on >= $2 and r.occurred_on < $3
         ) h on true
         left join lateral ({GROWTH_OF_PLAN}) g on true
         where {MEMBERS_OF_YEAR} and m.role = 'mentee'
         order by u.display_name, u.id"
    );
    let rows: Vec<(Uuid, String, i64, i64, i64, i64, i64)> = span_rows(db, &select, span).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, tenths, open, goals_achieved, milestones_done, sign_offs)| {
            (id, name, tenths, open, Growth { goals_achieved, milestones_done, sign_offs })
        })
        .collect())
}

/// The growth of plan `p` (of mentee `m.user_id`) in the year: goals open now, goals signed off
/// as achieved in the year (and still achieved), milestones done in the year, and decisions on
/// goals taken by someone other than the mentee.
const GROWTH_OF_PLAN: &str = "
    select count(*) filter (where gg.status = 'active') as open_goals,
           count(*) filter (where gg.status = 'achieved' and exists (
               select 1 from growth_goal_events e where e.goal_id = gg.id and e.kind = 'achieved'
                 and e.created_at >= bounds.from_at and e.created_at < bounds.to_at)) as goals_achieved,
           coalesce(sum((select count(*) from growth_milestones x where x.goal_id = gg.id
                         and x.done_at >= bounds.from_at and x.done_at < bounds.to_at)), 0)::int8 as milestones_done,
           coalesce(sum((select count(*) from growth_goal_events e where e.goal_id = gg.id
                         and e.kind in ('achieved', 'reopened', 'dropped') and e.actor_id <> m.user_id
                         and e.created_at >= bounds.from_at and e.created_at < bounds.to_at)), 0)::int8 as sign_offs
    from growth_goals gg where gg.plan_id = p.id";

/// The year's totals: one query.
pub async fn totals(db: impl PgExecutor<'_>, span: Span) -> sqlx::Result<Totals> {
    let sql = format!(
        "with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})),
         m as (
             select m.user_id, m.role, m.status <> 'active' and m.updated_at < bounds.to_at as gone, p.id as plan_id
             from memberships m cross join bounds
             left join growth_plans p on p.studio_id = m.studio_id and p.mentee_id = m.user_id
             where {MEMBERS_OF_YEAR}
         ),
         l as (
             select l.id, l.capacity from open_lessons l cross join bounds where {LESSONS_HELD}
         ),
         b as (
             select b.status, b.checked_in_at is not null as checked_in, u.school_id, s.district_id
             from l join bookings b on b.lesson_id = l.id
             join users u on u.id = b.user_id left join schools s on s.id = u.school_id
         ),
         d as (
             select d.id from studies d cross join bounds where {STUDIES_OF_YEAR}
         ),
         g as (
             select coalesce(sum(g.goals_achieved), 0)::int8 as goals_achieved,
                    coalesce(sum(g.milestones_done), 0)::int8 as milestones_done,
                    coalesce(sum(g.sign_offs), 0)::int8 as sign_offs
             from m cross join bounds
             left join growth_plans p on p.id = m.plan_id
             cross join lateral ({GROWTH_OF_PLAN}) g
             where m.role = 'mentee'
         )
         select (select count(*) from m where not gone) as members,
                (select count(*) from m where role = 'mentee') as mentees,
                (select count(*) from l) as lessons,
                (select coalesce(sum(capacity), 0)::int8 from l) as seats,
                (select count(*) from b where status in ('confirmed', 'attended', 'no_show')) as booked,
                (select count(*) from b where checked_in) as checked_in,
                (select count(distinct school_id) from b where checked_in) as schools_reached,
                (select count(distinct district_id) from b where checked_in) as districts_reached,
                (select count(*) from d) as studies,
                (select count(*) from study_rounds r join d on d.id = r.study_id) as rounds,
                (select count(*) from plan_versions v join d on d.id = v.study_id) as plan_versions,
                (select count(*) from d cross join lateral ({OBSERVERS_OF_STUDY}) o) as study_observers,
                (select coalesce((sum(r.hours) * 10)::int8, 0) from m join training_records r on r.user_id = m.user_id
                 where m.role = 'mentee' and r.occurred_on >= $2 and r.occurred_on < $3) as mentee_hours,
                g.goals_achieved, g.milestones_done, g.sign_offs
         from g"
    );
    let row = sqlx::query(&sql).bind(span.studio).bind(span.start).bind(span.end).fetch_one(db).await?;
    Ok(Totals {
        members: row.try_get("members")?,
        mentees: row.try_get("mentees")?,
        lessons: row.try_get("lessons")?,
        seats: row.try_get("seats")?,
        booked: row.try_get("booked")?,
        checked_in: row.try_get("checked_in")?,
        schools_reached: row.try_get("schools_reached")?,
        districts_reached: row.try_get("districts_reached")?,
        studies: row.try_get("studies")?,
        rounds: row.try_get("rounds")?,
        plan_versions: row.try_get("plan_versions")?,
        study_observers: row.try_get("study_observers")?,
        mentee_hours_tenths: row.try_get("mentee_hours")?,
        growth: Some(Growth {
            goals_achieved: row.try_get("goals_achieved")?,
            milestones_done: row.try_get("milestones_done")?,
            sign_offs: row.try_get("sign_offs")?,
        }),
    })
}

/// Of `mentees`, those who let `reader` (a school leader or the district) see their record.
pub async fn consenting(db: impl PgExecutor<'_>, mentees: &[Uuid], reader: RecordReader) -> sqlx::Result<Vec<Uuid>> {
    let column = match reader {
        RecordReader::District => "record_shared_with_district",
        _ => "record_shared_with_school",
    };
    sqlx::query_scalar(&format!("select id from users where id = any($1) and {column}"))
        .bind(mentees)
        .fetch_all(db)
        .await
}

/// The host's draft narrative of the year.
pub async fn narrative(db: impl PgExecutor<'_>, studio: Uuid, year: i32) -> sqlx::Result<Narrative> {
    let row: Option<(String, String)> =
        sqlx::query_as("select summary, next_plan from studio_year_narratives where studio_id = $1 and year = $2")
            .bind(studio)
            .bind(year)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(summary, next_plan)| Narrative { summary, next_plan }).unwrap_or_default())
}

/// Finalised versions of the year, newest first.
pub async fn versions(db: impl PgExecutor<'_>, studio: Uuid, year: i32) -> sqlx::Result<Vec<VersionSummary>> {
    sqlx::query_as(
        "select r.version, r.finalised_at, u.display_name as finalised_by, r.reason
         from studio_year_records r join users u on u.id = r.finalised_by
         where r.studio_id = $1 and r.year = $2 order by r.version desc",
    )
    .bind(studio)
    .bind(year)
    .fetch_all(db)
    .await
}

/// A finalised version's JSON text and hash.
pub async fn version_content(
    db: impl PgExecutor<'_>,
    studio: Uuid,
    year: i32,
    version: i32,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "select content, content_sha256 from studio_year_records where studio_id = $1 and year = $2 and version = $3",
    )
    .bind(studio)
    .bind(year)
    .bind(version)
    .fetch_optional(db)
    .await
}

/// Lock, then read the year's latest version: the one place that decides whether a year is
/// finalised, so that a save and a finalise cannot cross.
async fn lock_year(tx: &mut sqlx::PgConnection, studio: Uuid, year: i32) -> sqlx::Result<Option<i32>> {
    crate::kit::lock::lock_until_commit(tx, &format!("studio-year-record:{studio}:{year}")).await?;
    sqlx::query_scalar("select max(version) from studio_year_records where studio_id = $1 and year = $2")
        .bind(studio)
        .bind(year)
        .fetch_one(tx)
        .await
}

async fn write_narrative(
    tx: &mut sqlx::PgConnection,
    studio: Uuid,
    year: i32,
    author: Uuid,
    narrative: &Narrative,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into studio_year_narratives (studio_id, year, summary, next_plan, updated_by)
         values ($1, $2, $3, $4, $5)
         on conflict (studio_id, year) do update
         set summary = excluded.summary, next_plan = excluded.next_plan,
             updated_by = excluded.updated_by, updated_at = now()",
    )
    .bind(studio)
    .bind(year)
    .bind(&narrative.summary)
    .bind(&narrative.next_plan)
    .bind(author)
    .execute(tx)
    .await?;
    Ok(())
}

/// Saves the host's draft narrative; refused once the year is finalised.
#[tracing::instrument(skip_all)]
pub async fn save_narrative(
    pool: &PgPool,
    studio: Uuid,
    year: i32,
    author: Uuid,
    narrative: &Narrative,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if lock_year(&mut tx, studio, year).await?.is_some() {
        return Err(StoreError::refused(StudioYearMsg::ErrFinalised));
    }
    write_narrative(&mut tx, studio, year, author, narrative).await?;
    tx.commit().await?;
    Ok(())
}

/// A version to finalise: the record's JSON text (narrative included) and, from the second
/// version on, why it is issued.
pub struct Finalising<'a> {
    pub studio: Uuid,
    pub district: Option<Uuid>,
    pub year: i32,
    pub host: Uuid,
    pub narrative: &'a Narrative,
    pub content: &'a str,
    pub reason: Option<&'a str>,
    /// Subject and body of the email to each district admin, in Chinese and English.
    pub mail: [(String, String); 2],
}

/// Finalises the year as version 1 (`reason` = `None`, refused when one exists) or as the next
/// version (`reason` given, refused when none exists) with the narrative given, stored as the
/// year's narrative (version 1 freezes the saved draft, which must be `narrative`); tells
/// the district's admins in-app and by email. One transaction; returns the version.
#[tracing::instrument(skip_all)]
pub async fn finalise(pool: &PgPool, f: Finalising<'_>) -> Result<i32, StoreError> {
    let mut tx = pool.begin().await?;
    let latest = lock_year(&mut tx, f.studio, f.year).await?;
    let version = match (latest, f.reason) {
        (None, None) => 1,
        (Some(_), None) => return Err(StoreError::refused(StudioYearMsg::ErrFinalised)),
        (None, Some(_)) => return Err(StoreError::refused(StudioYearMsg::ErrNotFinalised)),
        (Some(latest), Some(_)) => latest + 1,
    };
    if version == 1 {
        // The first version freezes the saved draft, read before this lock: a draft saved since
        // then is neither lost nor left out silently.
        if narrative(&mut *tx, f.studio, f.year).await? != *f.narrative {
            return Err(StoreError::refused(StudioYearMsg::ErrDraftChanged));
        }
    } else {
        write_narrative(&mut tx, f.studio, f.year, f.host, f.narrative).await?;
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into studio_year_records (id, studio_id, year, version, content, content_sha256, reason, finalised_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(f.studio)
    .bind(f.year)
    .bind(version)
    .bind(f.content)
    .bind(crate::kit::token::sha256_hex(f.content.as_bytes()))
    .bind(f.reason.unwrap_or_default())
    .bind(f.host)
    .execute(&mut *tx)
    .await?;
    let [(zh_subject, zh_body), (en_subject, en_body)] = &f.mail;
    sqlx::query(
        "with told as (
             insert into notifications (id, user_id, kind, studio_record_id)
             select gen_random_uuid(), a.user_id, 'studio_record_finalised', $2
             from district_admins a where a.district_id = $1
             returning id, user_id
         )
         insert into email_outbox (id, notification_id, to_email, subject, body)
         select gen_random_uuid(), told.id, u.email,
                case when u.locale = 'en' then $5 else $3 end, case when u.locale = 'en' then $6 else $4 end
         from told join users u on u.id = told.user_id",
    )
    .bind(f.district)
    .bind(id)
    .bind(zh_subject)
    .bind(zh_body)
    .bind(en_subject)
    .bind(en_body)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(version)
}
