//! Dashboard queries (server only). Hour figures read `teacher_year_hours`: one row per teacher
//! and quota year of a district, kept by triggers on `training_records` and `users`, carrying
//! the certifying school, tier, consent and cycle total (see its migration), so a district's year
//! is one index range with no grouping by teacher and no join, and costs what the number of
//! teachers costs whatever the number of records. The other sections read the scope's studios'
//! rows of the year through their indexes.

use super::rules::{GrowthCounts, HeadlineCounts, HourCounts, LessonCounts, SchoolCounts, StudyCounts};
use super::{DormantStudio, NamedTeacher, StudioFigures, StudioRow, YearRules};
use crate::accounts::Tier;
use crate::kit::sql::window;
use chrono::{Datelike, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool, Row};
use uuid::Uuid;

/// The district (all its schools) or one school.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    District(Uuid),
    School(Uuid),
}

impl Scope {
    fn id(self) -> Uuid {
        match self {
            Scope::District(id) | Scope::School(id) => id,
        }
    }

    /// The condition on `teacher_year_hours` (bound as `$1`).
    fn year_rows(self) -> &'static str {
        match self {
            Scope::District(_) => "district_id = $1",
            Scope::School(_) => "school_id = $1",
        }
    }

    /// The condition on a school aliased `s` (bound as `$1`).
    fn schools(self) -> &'static str {
        match self {
            Scope::District(_) => "s.district_id = $1",
            Scope::School(_) => "s.id = $1",
        }
    }
}

/// Lessons and other timestamps are counted by the day in China, where every district is.
const DISTRICT_TIME_ZONE: &str = "Asia/Shanghai";

/// Who the page names, and so who is not counted towards k: teachers who share their record with
/// their school (`by_school`) or their district (`by_district`), as the reader may open them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Named {
    pub by_school: bool,
    pub by_district: bool,
}

/// A district's id, name and rule columns (null: the server's default).
type RulesRow = (Uuid, String, Option<i32>, Option<i32>, Option<i32>, Option<i32>);

/// The name and rules of each of `districts`, in one query.
pub async fn rules_of(
    db: impl PgExecutor<'_>,
    districts: &[Uuid],
    defaults: YearRules,
) -> sqlx::Result<Vec<(Uuid, String, YearRules)>> {
    let rows: Vec<RulesRow> = sqlx::query_as(
        "select id, name, yearly_quota_tenths, year_start_month, cycle_start_year, cycle_quota_tenths
         from districts where id = any($1)",
    )
    .bind(districts)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| with_rules(row, defaults)).collect())
}

/// A district row's id, name and rules (its own where set, `defaults` elsewhere).
fn with_rules(
    (id, name, quota, month, cycle_start, cycle_quota): RulesRow,
    defaults: YearRules,
) -> (Uuid, String, YearRules) {
    (id, name, super::rules::rules_or_default(quota, month, cycle_start, cycle_quota, defaults))
}

/// The first district (by name) that `user` administers, with its name and rules, in one
/// statement: what the home's headline of a district admin starts from.
pub async fn first_administered_district(
    db: impl PgExecutor<'_>,
    user: Uuid,
    defaults: YearRules,
) -> sqlx::Result<Option<(Uuid, String, YearRules)>> {
    let row: Option<RulesRow> = sqlx::query_as(
        "select d.id, d.name, d.yearly_quota_tenths, d.year_start_month, d.cycle_start_year, d.cycle_quota_tenths
         from district_admins a join districts d on d.id = a.district_id
         where a.user_id = $1 order by d.name limit 1",
    )
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| with_rules(row, defaults)))
}

/// A district's name and its rules, `None` when there is no such district.
pub async fn district_rules(
    db: impl PgExecutor<'_>,
    district: Uuid,
    defaults: YearRules,
) -> sqlx::Result<Option<(String, YearRules)>> {
    Ok(rules_of(db, &[district], defaults).await?.pop().map(|(_, name, rules)| (name, rules)))
}

/// The schools `user` leads: (id, name), by name.
pub async fn led_schools(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select s.id, s.name from school_leaders l join schools s on s.id = l.school_id
         where l.user_id = $1 order by s.name",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

/// Gives every district without rules of its own the server's defaults (at start-up, and after
/// districts are created in bulk), rebuilding the year totals of any whose years or cycles now
/// fall otherwise than the January years and 2026 cycles assumed until then.
#[tracing::instrument(skip_all)]
pub async fn adopt_default_rules(pool: &PgPool, defaults: YearRules) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let moved: Vec<Uuid> = sqlx::query_scalar(
        "with adopted as (
             update districts set
                 yearly_quota_tenths = coalesce(yearly_quota_tenths, $1),
                 year_start_month = coalesce(year_start_month, $2),
                 cycle_start_year = coalesce(cycle_start_year, $3),
                 cycle_quota_tenths = coalesce(cycle_quota_tenths, $4)
             where yearly_quota_tenths is null or year_start_month is null
                or cycle_start_year is null or cycle_quota_tenths is null
             returning id, year_start_month, cycle_start_year
         )
         select id from adopted where year_start_month <> 1 or (cycle_start_year - 2026) % 5 <> 0",
    )
    .bind(i32::try_from(defaults.quota_tenths).unwrap_or(960))
    .bind(defaults.year_start_month as i32)
    .bind(defaults.cycle_start_year)
    .bind(i32::try_from(defaults.cycle_quota_tenths).unwrap_or(3600))
    .fetch_all(&mut *tx)
    .await?;
    for district in moved {
        sqlx::query("select rebuild_teacher_year_hours($1)").bind(district).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Gives every teacher of a school a row for their district's current quota year (when a year
/// may have begun), so a teacher who logs nothing still counts among the year's teachers. A
/// teacher who joins or moves school gets theirs at once (a trigger on `users`).
pub async fn open_current_years(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("select open_current_years()").execute(db).await?;
    Ok(())
}

/// Today in the districts' time zone.
pub fn today() -> NaiveDate {
    let zone: chrono_tz::Tz = DISTRICT_TIME_ZONE.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    Utc::now().with_timezone(&zone).date_naive()
}

/// The year's bounds and quotas a count needs.
#[derive(Clone, Copy, Debug)]
pub struct YearQuery {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub quota_tenths: i64,
    pub quota_to_date: i64,
    pub cycle: (i32, i32),
    pub cycle_quota_tenths: i64,
}

/// Hour and tier counts of the scope's teachers in one quota year, in one pass over their year
/// rows. Returns the counts and (tier, teachers, named) per tier.
pub async fn hour_counts(
    db: impl PgExecutor<'_>,
    scope: Scope,
    year: &YearQuery,
    named: Named,
) -> sqlx::Result<(HourCounts, Vec<(Tier, i64, i64)>)> {
    let sql = format!(
        "with t as (
             select total_tenths as total, cycle_tenths as cycle_total, tier,
                    online_tenths as c0, offline_tenths as c1, shadowing_tenths as c2,
                    open_lesson_tenths as c3, lesson_study_tenths as c4, course_tenths as c5,
                    shared_with_district, ($5 and shared_with_school) or ($6 and shared_with_district) as named
             from teacher_year_hours where {scope} and year_start = $2
         )
         select count(*) as teachers,
                count(*) filter (where named) as named,
                count(*) filter (where shared_with_district) as shared_with_district,
                percentile_disc(0.5) within group (order by total) as median,
                count(*) filter (where total >= $3) as on_track,
                count(*) filter (where total >= $4) as complete,
                count(*) filter (where total <= 0) as b0,
                count(*) filter (where total > 0 and total * 4 < $4) as b1,
                count(*) filter (where total * 4 >= $4 and total * 2 < $4) as b2,
                count(*) filter (where total * 2 >= $4 and total * 4 < $4 * 3) as b3,
                count(*) filter (where total * 4 >= $4 * 3 and total < $4) as b4,
                count(*) filter (where total >= $4 and $4 > 0) as b5,
                coalesce(sum(c0), 0)::bigint as s0, coalesce(sum(c1), 0)::bigint as s1, coalesce(sum(c2), 0)::bigint as s2,
                coalesce(sum(c3), 0)::bigint as s3, coalesce(sum(c4), 0)::bigint as s4, coalesce(sum(c5), 0)::bigint as s5,
                count(*) filter (where c0 > 0) as n0, count(*) filter (where c1 > 0) as n1, count(*) filter (where c2 > 0) as n2,
                count(*) filter (where c3 > 0) as n3, count(*) filter (where c4 > 0) as n4, count(*) filter (where c5 > 0) as n5,
                count(*) filter (where tier = 'new_teacher') as tier0, count(*) filter (where tier = 'new_teacher' and named) as named0,
                count(*) filter (where tier = 'rising_star') as tier1, count(*) filter (where tier = 'rising_star' and named) as named1,
                count(*) filter (where tier = 'backbone') as tier2, count(*) filter (where tier = 'backbone' and named) as named2,
                count(*) filter (where tier = 'master') as tier3, count(*) filter (where tier = 'master' and named) as named3,
                count(*) filter (where tier = 'leading_master') as tier4, count(*) filter (where tier = 'leading_master' and named) as named4,
                percentile_disc(0.5) within group (order by cycle_total) as cycle_median,
                count(*) filter (where cycle_total >= $7) as cycle_complete
         from t",
        scope = scope.year_rows()
    );
    let row = sqlx::query(&sql)
        .bind(scope.id())
        .bind(year.start)
        .bind(year.quota_to_date)
        .bind(year.quota_tenths)
        .bind(named.by_school)
        .bind(named.by_district)
        .bind(year.cycle_quota_tenths)
        .fetch_one(db)
        .await?;
    let get = |name: &str| row.try_get::<i64, _>(name);
    let mut counts = HourCounts {
        teachers: get("teachers")?,
        named: get("named")?,
        shared_with_district: get("shared_with_district")?,
        median_tenths: row.try_get("median")?,
        on_track: get("on_track")?,
        complete: get("complete")?,
        cycle: year.cycle,
        cycle_median_tenths: row.try_get("cycle_median")?,
        cycle_complete: get("cycle_complete")?,
        ..HourCounts::default()
    };
    for i in 0..6 {
        counts.bands[i] = get(&format!("b{i}"))?;
        counts.category_tenths[i] = get(&format!("s{i}"))?;
        counts.category_teachers[i] = get(&format!("n{i}"))?;
    }
    let tiers = Tier::ALL
        .iter()
        .enumerate()
        .map(|(i, tier)| Ok((*tier, get(&format!("tier{i}"))?, get(&format!("named{i}"))?)))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((counts, tiers))
}

/// What the home page's headline shows of one scope's quota year, in one pass without the
/// dashboard's fifty other aggregates (which made `hour_counts` cost 1.8 ms a request over a
/// 2,500-teacher district).
pub async fn headline_counts(
    db: impl PgExecutor<'_>,
    scope: Scope,
    year: &YearQuery,
    named: Named,
) -> sqlx::Result<HeadlineCounts> {
    let sql = format!(
        "select count(*) as teachers,
                count(*) filter (where ($4 and shared_with_school) or ($5 and shared_with_district)) as named,
                percentile_disc(0.5) within group (order by total_tenths) as median_tenths,
                count(*) filter (where total_tenths >= $3) as on_track
         from teacher_year_hours where {scope} and year_start = $2",
        scope = scope.year_rows()
    );
    sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(year.start)
        .bind(year.quota_to_date)
        .bind(named.by_school)
        .bind(named.by_district)
        .fetch_one(db)
        .await
}

/// Per year from `first` to `last` (year starts): (year start, teachers, median tenths, complete).
pub async fn trend_counts(
    db: impl PgExecutor<'_>,
    scope: Scope,
    first: NaiveDate,
    last: NaiveDate,
    quota_tenths: i64,
) -> sqlx::Result<Vec<(NaiveDate, i64, Option<i64>, i64)>> {
    let sql = format!(
        "select year_start, count(*), percentile_disc(0.5) within group (order by total_tenths),
                count(*) filter (where total_tenths >= $4)
         from teacher_year_hours where {scope} and year_start >= $2 and year_start <= $3
         group by year_start order by year_start",
        scope = scope.year_rows()
    );
    sqlx::query_as(&sql).bind(scope.id()).bind(first).bind(last).bind(quota_tenths).fetch_all(db).await
}

/// `[start, end)` of the year as instants in the districts' time zone (`$2`, `$3` in callers).
pub(crate) const YEAR_INSTANTS: &str =
    "($2::date)::timestamp at time zone 'Asia/Shanghai', ($3::date)::timestamp at time zone 'Asia/Shanghai'";

/// Open lessons of the scope's studios that took place in the year, and their seats.
pub async fn lesson_counts(db: impl PgExecutor<'_>, scope: Scope, year: &YearQuery) -> sqlx::Result<LessonCounts> {
    let sql = format!(
        "with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})),
         l as (
             select l.id, l.teacher_id, l.capacity, st.school_id as studio_school, s.district_id as studio_district
             from schools s
             join studios st on st.school_id = s.id
             join open_lessons l on l.studio_id = st.id
             cross join bounds
             where {scope} and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
               and l.starts_at < now() and l.status in ('published', 'done')
         ),
         b as (
             select b.user_id, b.checked_in_at is not null as came,
                    u.school_id is distinct from l.studio_school as other_school,
                    us.district_id is distinct from l.studio_district as other_district
             from l
             join bookings b on b.lesson_id = l.id and b.status in ('confirmed', 'attended', 'no_show')
             join users u on u.id = b.user_id
             left join schools us on us.id = u.school_id
         )
         select (select count(distinct teacher_id) from l) as teachers,
                (select count(*) from l) as held,
                (select coalesce(sum(capacity), 0)::bigint from l) as seats,
                (select count(distinct user_id) from b) as observers,
                (select count(*) from b) as booked,
                (select count(*) from b where came) as came,
                (select count(*) from b where other_school) as other_school,
                (select count(*) from b where other_district) as other_district",
        scope = scope.schools()
    );
    let row = sqlx::query(&sql).bind(scope.id()).bind(year.start).bind(year.end).fetch_one(db).await?;
    Ok(LessonCounts {
        teachers: row.try_get("teachers")?,
        held: row.try_get("held")?,
        seats_offered: row.try_get("seats")?,
        observers: row.try_get("observers")?,
        booked: row.try_get("booked")?,
        checked_in: row.try_get("came")?,
        from_other_school: row.try_get("other_school")?,
        from_other_district: row.try_get("other_district")?,
    })
}

/// Lesson studies of the scope's studios that were open at some time in the year.
pub async fn study_counts(db: impl PgExecutor<'_>, scope: Scope, year: &YearQuery) -> sqlx::Result<StudyCounts> {
    let sql = format!(
        "with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})),
         d as (
             select d.id, d.phase = 'closed' and d.updated_at >= bounds.from_at as closed
             from schools s
             join studios st on st.school_id = s.id
             join studies d on d.studio_id = st.id
             cross join bounds
             where {scope} and d.created_at < bounds.to_at and (d.phase <> 'closed' or d.updated_at >= bounds.from_at)
         ),
         r as (
             select r.id from d join study_rounds r on r.study_id = d.id cross join bounds
             where r.created_at >= bounds.from_at and r.created_at < bounds.to_at
         ),
         c as (
             select exists (select 1 from debrief_citations x where x.comment_id = c.id) as cites
             from d join debrief_comments c on c.study_id = d.id cross join bounds
             where c.created_at >= bounds.from_at and c.created_at < bounds.to_at
         )
         select (select count(distinct m.user_id) from d join study_members m on m.study_id = d.id) as teachers,
                (select count(*) from d) as run,
                (select count(*) from d where closed) as closed,
                (select count(*) from r) as rounds,
                (select count(*) from (select distinct n.round_id, n.author_id
                                       from r join observation_notes n on n.round_id = r.id) o) as round_observers,
                (select count(*) from c) as comments,
                (select count(*) from c where cites) as citing",
        scope = scope.schools()
    );
    let row = sqlx::query(&sql).bind(scope.id()).bind(year.start).bind(year.end).fetch_one(db).await?;
    Ok(StudyCounts {
        teachers: row.try_get("teachers")?,
        run: row.try_get("run")?,
        closed: row.try_get("closed")?,
        rounds: row.try_get("rounds")?,
        round_observers: row.try_get("round_observers")?,
        comments: row.try_get("comments")?,
        citing: row.try_get("citing")?,
    })
}

/// Growth plans of the scope's teachers: goals, milestones due in the year, and how soon someone
/// answered a mentee's evidence.
pub async fn growth_counts(db: impl PgExecutor<'_>, scope: Scope, year: &YearQuery) -> sqlx::Result<GrowthCounts> {
    let sql = format!(
        "with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})),
         p as (
             select gp.id, gp.mentee_id
             from schools s join users u on u.school_id = s.id join growth_plans gp on gp.mentee_id = u.id
             where {scope}
         ),
         g as (
             select g.id, g.status, p.mentee_id
             from p join growth_goals g on g.plan_id = p.id cross join bounds
             where g.created_at < bounds.to_at
         ),
         m as (
             select m.id, m.goal_id, m.due_on, m.done_at, g.mentee_id
             from g join growth_milestones m on m.goal_id = g.id
         ),
         answered as (
             select floor(extract(epoch from first.at - m.done_at) / 86400)::bigint as days
             from m cross join bounds
             cross join lateral (
                 select min(c.created_at) as at from growth_comments c
                 where c.goal_id = m.goal_id and c.milestone_id = m.id and c.author_id <> m.mentee_id
                   and c.created_at >= m.done_at
             ) first
             where m.done_at >= bounds.from_at and m.done_at < bounds.to_at and first.at is not null
         )
         select (select count(distinct mentee_id) from p) as teachers,
                (select count(*) from g where status = 'active') as active,
                (select count(*) from g join growth_goal_events e on e.goal_id = g.id cross join bounds
                 where e.kind = 'achieved' and e.created_at >= bounds.from_at and e.created_at < bounds.to_at) as achieved,
                (select count(*) from m where due_on >= $2 and due_on < $3) as due,
                (select count(*) from m where due_on >= $2 and due_on < $3 and done_at is not null
                        and (done_at at time zone 'Asia/Shanghai')::date <= due_on) as on_time,
                (select percentile_disc(0.5) within group (order by days) from answered) as response_days",
        scope = scope.schools()
    );
    let row = sqlx::query(&sql).bind(scope.id()).bind(year.start).bind(year.end).fetch_one(db).await?;
    Ok(GrowthCounts {
        teachers: row.try_get("teachers")?,
        goals_active: row.try_get("active")?,
        goals_achieved: row.try_get("achieved")?,
        milestones_due: row.try_get("due")?,
        milestones_on_time: row.try_get("on_time")?,
        median_response_days: row.try_get("response_days")?,
    })
}

/// Dormant studios named at most (the rest are counted).
pub const DORMANT_NAMED_MAX: i64 = 50;

/// The scope's studios: how many, how many were active in the last 90 days, and the dormant ones
/// (named only when public).
pub async fn studio_figures(db: impl PgExecutor<'_>, scope: Scope) -> sqlx::Result<StudioFigures> {
    let sql = format!(
        "with st as (
             select st.slug, st.name, st.visibility = 'public' as public,
                    st.last_activity_at < now() - interval '90 days' as dormant
             from schools s join studios st on st.school_id = s.id
             where {scope} and not st.archived
         )
         select (select count(*) from st) as total,
                (select count(*) from st where not dormant) as active,
                (select coalesce(json_agg(json_build_array(slug, name)), '[]')
                 from (select slug, name from st where dormant and public order by name limit $2) named) as dormant_public,
                (select count(*) from st where dormant and not public) as dormant_private",
        scope = scope.schools()
    );
    let row = sqlx::query(&sql).bind(scope.id()).bind(DORMANT_NAMED_MAX).fetch_one(db).await?;
    let dormant: sqlx::types::Json<Vec<(String, String)>> = row.try_get("dormant_public")?;
    Ok(StudioFigures {
        total: row.try_get("total")?,
        active: row.try_get("active")?,
        dormant_public: dormant.0.into_iter().map(|(slug, name)| DormantStudio { slug, name }).collect(),
        dormant_private: row.try_get("dormant_private")?,
    })
}

/// Each listed school of the district with its year's teachers, median hours, teachers who
/// reached the quota, and studios: one query.
pub async fn school_counts(
    db: impl PgExecutor<'_>,
    district: Uuid,
    year: &YearQuery,
) -> sqlx::Result<Vec<SchoolCounts>> {
    let rows: Vec<(Uuid, String, i64, Option<i64>, i64, i64)> = sqlx::query_as(
        "with per_school as (
             select school_id, count(*) as teachers,
                    percentile_disc(0.5) within group (order by total_tenths) as median,
                    count(*) filter (where total_tenths >= $3) as complete
             from teacher_year_hours where district_id = $1 and year_start = $2
             group by school_id
         )
         select s.id, s.name, coalesce(p.teachers, 0), p.median, coalesce(p.complete, 0),
                (select count(*) from studios st where st.school_id = s.id and not st.archived)
         from schools s left join per_school p on p.school_id = s.id
         where s.district_id = $1 and s.status = 'listed'
         limit 5000",
    )
    .bind(district)
    .bind(year.start)
    .bind(year.quota_tenths)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, teachers, median_tenths, complete, studios)| SchoolCounts {
            id,
            name,
            teachers,
            median_tenths,
            complete,
            studios,
        })
        .collect())
}

/// Studio rows shown per page.
pub const STUDIOS_PER_PAGE: i64 = 50;

/// Studios in a whole-table export at most.
pub const STUDIOS_EXPORT_MAX: i64 = 5000;

/// One page of the district's public studios (`None`: all, up to [`STUDIOS_EXPORT_MAX`]) with
/// their members, and lessons and studies of the year, ordered by `sort`. Returns the rows (one
/// more than a page when there are more) and the number of private studios.
pub async fn studio_rows(
    db: impl PgExecutor<'_> + Copy,
    district: Uuid,
    year: &YearQuery,
    sort: super::StudioSort,
    page: Option<u32>,
) -> sqlx::Result<(Vec<StudioRow>, i64)> {
    let (limit, offset) = match page {
        Some(page) => (STUDIOS_PER_PAGE + 1, i64::from(page) * STUDIOS_PER_PAGE),
        None => (STUDIOS_EXPORT_MAX, 0),
    };
    let order = match sort {
        super::StudioSort::Name => "st.name",
        super::StudioSort::Members => "members desc",
        super::StudioSort::Lessons => "lessons desc",
        super::StudioSort::Studies => "studies desc",
    };
    let sql = format!(
        "with bounds (from_at, to_at) as (values ({YEAR_INSTANTS})),
         st as (
             select st.id, st.slug, st.name, s.name as school
             from schools s join studios st on st.school_id = s.id
             where s.district_id = $1 and st.visibility = 'public' and not st.archived
         )
         select st.slug, st.name, st.school,
                (select count(*) from memberships m where m.studio_id = st.id and m.status = 'active') as members,
                (select count(*) from open_lessons l cross join bounds
                 where l.studio_id = st.id and l.starts_at >= bounds.from_at and l.starts_at < bounds.to_at
                   and l.starts_at < now() and l.status in ('published', 'done')) as lessons,
                (select count(*) from studies d cross join bounds
                 where d.studio_id = st.id and d.created_at < bounds.to_at
                   and (d.phase <> 'closed' or d.updated_at >= bounds.from_at)) as studies,
                (select max(r.version) from studio_year_records r where r.studio_id = st.id and r.year = $4)
                    as record_version
         from st
         order by {order}, st.name, st.slug{window}",
        window = window(limit, offset)
    );
    let rows =
        sqlx::query(&sql).bind(district).bind(year.start).bind(year.end).bind(year.start.year()).fetch_all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(StudioRow {
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            school: row.try_get("school")?,
            members: row.try_get("members")?,
            lessons: row.try_get("lessons")?,
            studies: row.try_get("studies")?,
            record_version: row.try_get("record_version")?,
        });
    }
    let private: i64 = sqlx::query_scalar(
        "select count(*) from schools s join studios st on st.school_id = s.id
         where s.district_id = $1 and st.visibility = 'private' and not st.archived",
    )
    .bind(district)
    .fetch_one(db)
    .await?;
    Ok((out, private))
}

/// A teacher's credited hours in one quota year at one school, by category (the 学时认定 list).
pub struct TeacherHours {
    pub name: String,
    pub tier: Tier,
    pub tenths: [i64; 6],
}

/// Teachers listed in a school's hours workbook at most.
pub const HOURS_LIST_MAX: i64 = 10_000;

/// Every teacher of the scope in the year, by name, with their credited hours per category.
pub async fn school_year_hours(
    db: impl PgExecutor<'_>,
    scope: Scope,
    year_start: NaiveDate,
) -> sqlx::Result<Vec<TeacherHours>> {
    let sql = format!(
        "select u.display_name, u.tier, y.online_tenths, y.offline_tenths, y.shadowing_tenths,
                y.open_lesson_tenths, y.lesson_study_tenths, y.course_tenths
         from teacher_year_hours y join users u on u.id = y.user_id
         where y.{scope} and y.year_start = $2
         order by u.display_name, u.id limit $3",
        scope = scope.year_rows()
    );
    let rows = sqlx::query(&sql).bind(scope.id()).bind(year_start).bind(HOURS_LIST_MAX).fetch_all(db).await?;
    rows.iter()
        .map(|row| {
            let mut tenths = [0; 6];
            for (i, t) in tenths.iter_mut().enumerate() {
                *t = row.try_get(i + 2)?;
            }
            Ok(TeacherHours { name: row.try_get(0)?, tier: row.try_get(1)?, tenths })
        })
        .collect()
}

/// How the reader may see a school: as a leader of it, as an admin of its district, or not at
/// all (`None`: answered as if it did not exist).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolAccess {
    pub name: String,
    pub district: (Uuid, String),
    pub as_leader: bool,
    pub as_admin: bool,
}

pub async fn school_access(db: impl PgExecutor<'_>, school: Uuid, reader: Uuid) -> sqlx::Result<Option<SchoolAccess>> {
    let row: Option<(String, Uuid, String, bool, bool)> = sqlx::query_as(
        "select s.name, d.id, d.name,
                exists (select 1 from school_leaders l where l.school_id = s.id and l.user_id = $2),
                exists (select 1 from district_admins a where a.district_id = d.id and a.user_id = $2)
         from schools s join districts d on d.id = s.district_id
         where s.id = $1 and s.status = 'listed'",
    )
    .bind(school)
    .bind(reader)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(name, district, district_name, as_leader, as_admin)| {
        (as_leader || as_admin).then_some(SchoolAccess {
            name,
            district: (district, district_name),
            as_leader,
            as_admin,
        })
    }))
}

/// Teachers named on a school page per page.
pub const NAMED_PER_PAGE: i64 = 50;

/// One page of the school's teachers the reader may open (by name), and how many there are.
pub async fn named_teachers(
    db: impl PgExecutor<'_> + Copy,
    school: Uuid,
    named: Named,
    page: u32,
) -> sqlx::Result<(Vec<NamedTeacher>, i64)> {
    const SHARED: &str =
        "u.school_id = $1 and (($2 and u.record_shared_with_school) or ($3 and u.record_shared_with_district))";
    let rows: Vec<(Uuid, String, Tier)> = sqlx::query_as(&format!(
        "select u.id, u.display_name, u.tier from users u where {SHARED}
         order by u.display_name, u.id{}",
        window(NAMED_PER_PAGE + 1, i64::from(page) * NAMED_PER_PAGE)
    ))
    .bind(school)
    .bind(named.by_school)
    .bind(named.by_district)
    .fetch_all(db)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("select count(*) from users u where {SHARED}"))
        .bind(school)
        .bind(named.by_school)
        .bind(named.by_district)
        .fetch_one(db)
        .await?;
    Ok((rows.into_iter().map(|(id, name, tier)| NamedTeacher { id, name, tier }).collect(), total))
}

/// Sets a district's rules; a new year start or cycle start rebuilds its year totals in the same
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn set_rules(
    pool: &PgPool,
    district: Uuid,
    rules: &YearRules,
    admin: Uuid,
) -> Result<(), crate::kit::error::StoreError> {
    let mut tx = pool.begin().await?;
    let before: Option<(Option<i32>, Option<i32>)> = sqlx::query_as(
        "select d.year_start_month, d.cycle_start_year from districts d join district_admins a on a.district_id = d.id
         where d.id = $1 and a.user_id = $2 for update of d",
    )
    .bind(district)
    .bind(admin)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((month, cycle_start)) = before else { return Err(crate::kit::error::StoreError::NotFound) };
    sqlx::query(
        "update districts set yearly_quota_tenths = $2, year_start_month = $3, cycle_start_year = $4,
                              cycle_quota_tenths = $5
         where id = $1",
    )
    .bind(district)
    .bind(rules.quota_tenths as i32)
    .bind(rules.year_start_month as i32)
    .bind(rules.cycle_start_year)
    .bind(rules.cycle_quota_tenths as i32)
    .execute(&mut *tx)
    .await?;
    if month != Some(rules.year_start_month as i32) || cycle_start != Some(rules.cycle_start_year) {
        sqlx::query("select rebuild_teacher_year_hours($1)").bind(district).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
