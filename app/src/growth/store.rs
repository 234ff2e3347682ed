//! Growth plan and ledger queries (server only). One transaction per user action.

use super::rules::{self, Actor};
use super::*;
use crate::kit::error::StoreError;
use crate::kit::i18n::Msg;
use crate::studios::StudioRole;
use sqlx::{PgExecutor, PgPool, Row};

fn gm(m: GrowthMsg) -> Msg {
    Msg::from(m)
}

// ---------------------------------------------------------------- people and studios

pub async fn user_name(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select display_name from users where id = $1").bind(user_id).fetch_optional(db).await
}

/// How `actor` stands to the ledger of `owner`, in one statement: `read`, the leading role (host
/// before mentor) they hold in a studio where the owner is an active member; `verify`, the same
/// where the owner is an active mentee (verifying is for mentees' records). Both say whether the
/// actor is the owner.
pub async fn ledger_standing(db: impl PgExecutor<'_>, actor_id: Uuid, owner_id: Uuid) -> sqlx::Result<LedgerStanding> {
    let (read, verify): (Option<StudioRole>, Option<StudioRole>) = sqlx::query_as(
        "select
             (select a.role from memberships a
              join memberships o on o.studio_id = a.studio_id and o.user_id = $2 and o.status = 'active'
              where a.user_id = $1 and a.status = 'active' and a.role in ('host', 'mentor')
              order by (a.role = 'host') desc limit 1),
             (select a.role from memberships a
              join memberships o on o.studio_id = a.studio_id and o.user_id = $2 and o.status = 'active'
                                and o.role = 'mentee'
              where a.user_id = $1 and a.status = 'active' and a.role in ('host', 'mentor')
              order by (a.role = 'host') desc limit 1)",
    )
    .bind(actor_id)
    .bind(owner_id)
    .fetch_one(db)
    .await?;
    let is_subject = actor_id == owner_id;
    Ok(LedgerStanding { read: Actor { is_subject, role: read }, verify: Actor { is_subject, role: verify } })
}

/// See [`ledger_standing`].
pub struct LedgerStanding {
    pub read: Actor,
    pub verify: Actor,
}

/// How `actor` stands to the plan of `mentee` in the studio; `None` when the mentee is not an
/// active mentee there (so there is no such plan).
pub async fn plan_actor(
    pool: &PgPool,
    studio_id: Uuid,
    actor_id: Uuid,
    mentee_id: Uuid,
) -> sqlx::Result<Option<Actor>> {
    let rows: Vec<(Uuid, StudioRole)> = sqlx::query_as(
        "select user_id, role from memberships where studio_id = $1 and user_id in ($2, $3) and status = 'active'",
    )
    .bind(studio_id)
    .bind(actor_id)
    .bind(mentee_id)
    .fetch_all(pool)
    .await?;
    let role_of = |id: Uuid| rows.iter().find(|(u, _)| *u == id).map(|(_, r)| *r);
    if role_of(mentee_id) != Some(StudioRole::Mentee) {
        return Ok(None);
    }
    Ok(Some(Actor { is_subject: actor_id == mentee_id, role: role_of(actor_id) }))
}

// ---------------------------------------------------------------- ledger

fn record_from_row(row: &sqlx::postgres::PgRow) -> sqlx::Result<HourRecord> {
    Ok(HourRecord {
        id: row.try_get("id")?,
        occurred_on: row.try_get("occurred_on")?,
        tenths: row.try_get("tenths")?,
        attended_tenths: row.try_get("attended_tenths")?,
        category: row.try_get("category")?,
        description: row.try_get("description")?,
        evidence: row.try_get("evidence")?,
        source_kind: row.try_get("source_kind")?,
        starts_on: row.try_get("starts_on")?,
        source_system: row.try_get("source_system")?,
        verified_by_name: row.try_get("verified_by_name")?,
    })
}

/// The user's records in [start, end), newest first.
pub async fn records_between(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> sqlx::Result<Vec<HourRecord>> {
    let rows = sqlx::query(
        "select r.id, r.occurred_on, (r.hours * 10)::int8 as tenths, (r.attended_hours * 10)::int8 as attended_tenths,
                r.category, r.description, r.evidence, r.source_kind, r.starts_on, i.source_system,
                v.display_name as verified_by_name
         from training_records r left join users v on v.id = r.verified_by
         left join hour_imports i on i.id = r.import_id
         where r.user_id = $1 and r.occurred_on >= $2 and r.occurred_on < $3
         order by r.occurred_on desc, r.created_at desc",
    )
    .bind(user_id)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await?;
    rows.iter().map(record_from_row).collect()
}

/// Serialises every change to one user's day, across server instances, until the transaction ends.
async fn lock_user_day(tx: &mut sqlx::PgConnection, user_id: Uuid, day: NaiveDate) -> sqlx::Result<()> {
    crate::kit::lock::lock_until_commit(tx, &format!("training_day:{user_id}:{day}")).await
}

async fn day_total(
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    day: NaiveDate,
    except: Option<Uuid>,
) -> sqlx::Result<i64> {
    // An imported course spans its own days: it holds none of this one's 24 hours.
    sqlx::query_scalar(
        "select coalesce((sum(hours) * 10)::int8, 0) from training_records
         where user_id = $1 and occurred_on = $2 and id is distinct from $3 and source_kind <> 'import'",
    )
    .bind(user_id)
    .bind(day)
    .bind(except)
    .fetch_one(&mut *tx)
    .await
}

/// Attendance that earns training hours (an open lesson, a lesson-study round), as the ledger
/// credits it.
pub struct Attendance<'a> {
    pub user_id: Uuid,
    pub day: NaiveDate,
    pub tenths: i64,
    pub category: HourCategory,
    pub description: &'a str,
    pub source: RecordSource,
    pub source_id: Uuid,
    /// Who confirmed the attendance (a host checking an observer in, the lead of a study).
    pub verified_by: Option<Uuid>,
}

/// Credits attendance inside the caller's transaction, once per source, clipped to what the
/// day's 24 hours still allow (under the same per-user-day lock as manual records); the record
/// keeps the full worth when it was clipped. Returns the tenths credited (`None`: credited before).
pub async fn credit_attendance(
    conn: &mut sqlx::PgConnection,
    attendance: &Attendance<'_>,
) -> sqlx::Result<Option<i64>> {
    lock_user_day(conn, attendance.user_id, attendance.day).await?;
    let already = day_total(conn, attendance.user_id, attendance.day, None).await?;
    let credited = rules::credit_within_day(already, attendance.tenths);
    let inserted = sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, attended_hours, category, description,
             source_kind, source_id, verified_by, verified_at)
         values ($1, $2, $3, $4::numeric / 10, case when $5 > $4 then $5::numeric / 10 end, $6, $7, $8, $9, $10,
                 case when $10 is not null then now() end)
         on conflict (source_kind, source_id) where source_id is not null do nothing",
    )
    .bind(Uuid::new_v4())
    .bind(attendance.user_id)
    .bind(attendance.day)
    .bind(credited)
    .bind(attendance.tenths)
    .bind(attendance.category.code())
    .bind(attendance.description)
    .bind(attendance.source.code())
    .bind(attendance.source_id)
    .bind(attendance.verified_by)
    .execute(&mut *conn)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(credited))
}

pub struct RecordInput {
    pub day: NaiveDate,
    pub tenths: i64,
    pub category: HourCategory,
    pub description: String,
    pub evidence: String,
}

/// Logs a manual record unless the day would exceed 24 hours (checked under a per-user-day lock).
pub async fn insert_record(pool: &PgPool, user_id: Uuid, input: &RecordInput) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    lock_user_day(&mut tx, user_id, input.day).await?;
    if !rules::fits_in_day(day_total(&mut tx, user_id, input.day, None).await?, input.tenths) {
        return Err(StoreError::conflict("hours", gm(GrowthMsg::ErrDayOver24)));
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, category, description, evidence)
         values ($1, $2, $3, $4::numeric / 10, $5, $6, $7)",
    )
    .bind(id)
    .bind(user_id)
    .bind(input.day)
    .bind(input.tenths)
    .bind(input.category.code())
    .bind(&input.description)
    .bind(&input.evidence)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes one of the user's own manual records (its verification then lapses). System-made
/// records and other people's records are refused.
pub async fn update_record(
    pool: &PgPool,
    user_id: Uuid,
    record_id: Uuid,
    input: &RecordInput,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let found: Option<(Uuid, RecordSource, NaiveDate)> =
        sqlx::query_as("select user_id, source_kind, occurred_on from training_records where id = $1")
            .bind(record_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((owner, source_kind, old_day)) = found else { return Err(StoreError::NotFound) };
    if owner != user_id {
        return Err(StoreError::Forbidden);
    }
    if source_kind != RecordSource::Manual {
        return Err(StoreError::conflict("record", gm(GrowthMsg::ErrSystemRecord)));
    }
    // Both days in a fixed order, so that two edits never wait on each other in a circle.
    let (a, b) = if old_day <= input.day { (old_day, input.day) } else { (input.day, old_day) };
    lock_user_day(&mut tx, user_id, a).await?;
    if b != a {
        lock_user_day(&mut tx, user_id, b).await?;
    }
    if !rules::fits_in_day(day_total(&mut tx, user_id, input.day, Some(record_id)).await?, input.tenths) {
        return Err(StoreError::conflict("hours", gm(GrowthMsg::ErrDayOver24)));
    }
    sqlx::query(
        "update training_records set occurred_on = $2, hours = $3::numeric / 10, category = $4, description = $5, evidence = $6,
                verified_by = null, verified_at = null
         where id = $1",
    )
    .bind(record_id)
    .bind(input.day)
    .bind(input.tenths)
    .bind(input.category.code())
    .bind(&input.description)
    .bind(&input.evidence)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn record_owner(db: impl PgExecutor<'_>, record_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("select user_id from training_records where id = $1").bind(record_id).fetch_optional(db).await
}

pub async fn verify_record(db: impl PgExecutor<'_>, record_id: Uuid, verifier: Uuid) -> sqlx::Result<()> {
    sqlx::query("update training_records set verified_by = $2, verified_at = now() where id = $1")
        .bind(record_id)
        .bind(verifier)
        .execute(db)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- plans

/// The mentee's plan in the studio, created on first use.
async fn ensure_plan(tx: &mut sqlx::PgConnection, studio_id: Uuid, mentee_id: Uuid) -> sqlx::Result<Uuid> {
    sqlx::query("insert into growth_plans (id, studio_id, mentee_id) values ($1, $2, $3) on conflict (studio_id, mentee_id) do nothing")
        .bind(Uuid::new_v4())
        .bind(studio_id)
        .bind(mentee_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query_scalar("select id from growth_plans where studio_id = $1 and mentee_id = $2")
        .bind(studio_id)
        .bind(mentee_id)
        .fetch_one(&mut *tx)
        .await
}

/// Where a goal (or a milestone's goal) sits, and the goal's status.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GoalPlace {
    pub goal_id: Uuid,
    pub studio_id: Uuid,
    pub studio_slug: String,
    pub mentee_id: Uuid,
    pub status: GoalStatus,
}

const GOAL_PLACE: &str = "select g.id as goal_id, p.studio_id, s.slug as studio_slug, p.mentee_id, g.status
     from growth_goals g join growth_plans p on p.id = g.plan_id join studios s on s.id = p.studio_id";

pub async fn goal_owner(db: impl PgExecutor<'_>, goal_id: Uuid) -> sqlx::Result<Option<GoalPlace>> {
    sqlx::query_as(&format!("{GOAL_PLACE} where g.id = $1")).bind(goal_id).fetch_optional(db).await
}

pub async fn milestone_owner(db: impl PgExecutor<'_>, milestone_id: Uuid) -> sqlx::Result<Option<GoalPlace>> {
    sqlx::query_as(&format!("{GOAL_PLACE} where g.id = (select goal_id from growth_milestones where id = $1)"))
        .bind(milestone_id)
        .fetch_optional(db)
        .await
}

pub struct GoalInput {
    pub title: String,
    pub description: String,
    pub category: GoalCategory,
    pub target_stage: TargetStage,
    pub due_on: NaiveDate,
}

pub async fn add_goal(pool: &PgPool, studio_id: Uuid, mentee_id: Uuid, input: &GoalInput) -> sqlx::Result<Uuid> {
    let mut tx = pool.begin().await?;
    let plan_id = ensure_plan(&mut tx, studio_id, mentee_id).await?;
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into growth_goals (id, plan_id, title, description, category, target_stage, due_on) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(plan_id)
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.category.code())
    .bind(input.target_stage.code())
    .bind(input.due_on)
    .execute(&mut *tx)
    .await?;
    insert_event(&mut tx, id, mentee_id, GoalEventKind::Created, "").await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn goal_due_on(db: impl PgExecutor<'_>, goal_id: Uuid) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar("select due_on from growth_goals where id = $1").bind(goal_id).fetch_optional(db).await
}

/// Locks the goal's row for a change by its mentee and checks that it is not signed off: the
/// sign-off takes the same lock, so a change decided before it cannot land after it.
async fn lock_goal_for_change(tx: &mut sqlx::PgConnection, goal_id: Uuid) -> Result<(), StoreError> {
    let status: Option<GoalStatus> = sqlx::query_scalar("select status from growth_goals where id = $1 for update")
        .bind(goal_id)
        .fetch_optional(&mut *tx)
        .await?;
    match status {
        None => Err(StoreError::NotFound),
        Some(GoalStatus::Achieved) => Err(StoreError::refused(GrowthMsg::ErrGoalSignedOff)),
        Some(_) => Ok(()),
    }
}

/// The same for a change to one of the goal's milestones.
async fn lock_goal_of_milestone(tx: &mut sqlx::PgConnection, milestone_id: Uuid) -> Result<(), StoreError> {
    let goal: Option<Uuid> = sqlx::query_scalar("select goal_id from growth_milestones where id = $1")
        .bind(milestone_id)
        .fetch_optional(&mut *tx)
        .await?;
    lock_goal_for_change(tx, goal.ok_or(StoreError::NotFound)?).await
}

pub async fn update_goal(pool: &PgPool, goal_id: Uuid, input: &GoalInput) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_goal_for_change(&mut tx, goal_id).await?;
    sqlx::query(
        "update growth_goals set title = $2, description = $3, category = $4, target_stage = $5, due_on = $6, updated_at = now() where id = $1",
    )
    .bind(goal_id)
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.category)
    .bind(input.target_stage)
    .bind(input.due_on)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_event(
    tx: &mut sqlx::PgConnection,
    goal_id: Uuid,
    actor: Uuid,
    kind: GoalEventKind,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query("insert into growth_goal_events (id, goal_id, actor_id, kind, note) values ($1, $2, $3, $4, $5)")
        .bind(Uuid::new_v4())
        .bind(goal_id)
        .bind(actor)
        .bind(kind)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Signs a goal off (`achieved`), reopens it (`active`) or drops it, keeping the history. The
/// status is checked under the row lock, so two leaders deciding at once write one event.
pub async fn set_goal_status(
    pool: &PgPool,
    goal_id: Uuid,
    actor: Uuid,
    status: GoalStatus,
    note: &str,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let current: Option<GoalStatus> = sqlx::query_scalar("select status from growth_goals where id = $1 for update")
        .bind(goal_id)
        .fetch_optional(&mut *tx)
        .await?;
    match current {
        None => return Err(StoreError::NotFound),
        Some(current) if current == status => {
            return Err(StoreError::conflict("decision", gm(GrowthMsg::ErrAlreadyInStatus)))
        }
        Some(_) => {}
    }
    sqlx::query("update growth_goals set status = $2, updated_at = now() where id = $1")
        .bind(goal_id)
        .bind(status.code())
        .execute(&mut *tx)
        .await?;
    let kind = match status {
        GoalStatus::Achieved => GoalEventKind::Achieved,
        GoalStatus::Active => GoalEventKind::Reopened,
        GoalStatus::Dropped => GoalEventKind::Dropped,
    };
    insert_event(&mut tx, goal_id, actor, kind, note).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_milestone(pool: &PgPool, goal_id: Uuid, title: &str, due_on: NaiveDate) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    lock_goal_for_change(&mut tx, goal_id).await?;
    let id = Uuid::new_v4();
    sqlx::query("insert into growth_milestones (id, goal_id, title, due_on) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(goal_id)
        .bind(title)
        .bind(due_on)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn milestone_due_on(db: impl PgExecutor<'_>, milestone_id: Uuid) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar("select due_on from growth_milestones where id = $1").bind(milestone_id).fetch_optional(db).await
}

pub async fn update_milestone(
    pool: &PgPool,
    milestone_id: Uuid,
    title: &str,
    due_on: NaiveDate,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_goal_of_milestone(&mut tx, milestone_id).await?;
    sqlx::query("update growth_milestones set title = $2, due_on = $3 where id = $1")
        .bind(milestone_id)
        .bind(title)
        .bind(due_on)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a milestone done with its evidence, or not done again (keeping the evidence it had, to
/// build on when it is done once more).
pub async fn set_milestone_done(
    pool: &PgPool,
    milestone_id: Uuid,
    done: bool,
    evidence: &str,
    links: &[String],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_goal_of_milestone(&mut tx, milestone_id).await?;
    sqlx::query(
        "update growth_milestones set done_at = case when $2 then coalesce(done_at, now()) else null end,
             evidence = case when $2 then $3 else evidence end, evidence_links = case when $2 then $4 else evidence_links end
         where id = $1",
    )
    .bind(milestone_id)
    .bind(done)
    .bind(evidence)
    .bind(links.join("\n"))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_comment(
    db: impl PgExecutor<'_>,
    goal_id: Uuid,
    milestone_id: Option<Uuid>,
    author: Uuid,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query("insert into growth_comments (id, goal_id, milestone_id, author_id, body) values ($1, $2, $3, $4, $5)")
        .bind(Uuid::new_v4())
        .bind(goal_id)
        .bind(milestone_id)
        .bind(author)
        .bind(body)
        .execute(db)
        .await?;
    Ok(())
}

/// The quota settings of the district of a user's school (`user`) or of a studio's school
/// (`studio`), the deployment's `defaults` where there is none or it has none of its own: "year"
/// is always that district's quota year.
pub async fn district_settings(
    db: impl PgExecutor<'_>,
    user: Option<Uuid>,
    studio: Option<Uuid>,
    defaults: HoursSettings,
) -> sqlx::Result<HoursSettings> {
    let row: Option<(Option<i32>, Option<i32>)> = sqlx::query_as(
        "select d.yearly_quota_tenths, d.year_start_month
         from schools s join districts d on d.id = s.district_id
         where s.id = coalesce((select school_id from users where id = $1), (select school_id from studios where id = $2))",
    )
    .bind(user)
    .bind(studio)
    .fetch_optional(db)
    .await?;
    let (quota, month) = row.unwrap_or_default();
    Ok(defaults.with_district(quota, month))
}

/// What the growth overview needs of a studio besides its rows, in one statement: the quota
/// settings of its school's district (as `district_settings` gives them) and how many active
/// mentees it has.
pub async fn overview_frame(
    db: impl PgExecutor<'_>,
    studio_id: Uuid,
    defaults: HoursSettings,
) -> sqlx::Result<(HoursSettings, i64)> {
    let (quota, month, mentees): (Option<i32>, Option<i32>, i64) = sqlx::query_as(
        "select d.yearly_quota_tenths, d.year_start_month,
                (select count(*) from memberships m
                 where m.studio_id = st.id and m.role = 'mentee' and m.status = 'active')
         from studios st
         left join schools s on s.id = st.school_id
         left join districts d on d.id = s.district_id
         where st.id = $1",
    )
    .bind(studio_id)
    .fetch_one(db)
    .await?;
    Ok((defaults.with_district(quota, month), mentees))
}

/// The goals of a mentee's plan with their milestones, comments and history: four queries.
pub async fn plan_goals(pool: &PgPool, studio_id: Uuid, mentee_id: Uuid) -> sqlx::Result<Vec<GoalView>> {
    let goals = sqlx::query(
        "select g.id, g.title, g.description, g.category, g.target_stage, g.due_on, g.status, g.template_goal_id is not null as from_template
         from growth_goals g join growth_plans p on p.id = g.plan_id
         where p.studio_id = $1 and p.mentee_id = $2 order by g.due_on, g.created_at",
    )
    .bind(studio_id)
    .bind(mentee_id)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(goals.len());
    for row in &goals {
        out.push(GoalView {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            category: row.try_get("category")?,
            target_stage: row.try_get("target_stage")?,
            due_on: row.try_get("due_on")?,
            status: row.try_get("status")?,
            from_template: row.try_get("from_template")?,
            milestones: Vec::new(),
            comments: Vec::new(),
            events: Vec::new(),
        });
    }
    let ids: Vec<Uuid> = out.iter().map(|g| g.id).collect();
    let milestones = sqlx::query(
        "select id, goal_id, title, due_on, done_at is not null as done, evidence, evidence_links
         from growth_milestones where goal_id = any($1) order by due_on, created_at",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    for row in &milestones {
        let goal_id: Uuid = row.try_get("goal_id")?;
        let links: String = row.try_get("evidence_links")?;
        if let Some(goal) = out.iter_mut().find(|g| g.id == goal_id) {
            goal.milestones.push(MilestoneView {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                due_on: row.try_get("due_on")?,
                done: row.try_get("done")?,
                evidence: row.try_get("evidence")?,
                evidence_links: links.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            });
        }
    }
    let comments = sqlx::query(
        "select c.id, c.goal_id, c.milestone_id, u.display_name, c.body, c.created_at
         from growth_comments c join users u on u.id = c.author_id where c.goal_id = any($1) order by c.created_at",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    for row in &comments {
        let goal_id: Uuid = row.try_get("goal_id")?;
        if let Some(goal) = out.iter_mut().find(|g| g.id == goal_id) {
            goal.comments.push(CommentView {
                id: row.try_get("id")?,
                milestone_id: row.try_get("milestone_id")?,
                author_name: row.try_get("display_name")?,
                body: row.try_get("body")?,
                created_at: row.try_get("created_at")?,
            });
        }
    }
    let events = sqlx::query(
        "select e.goal_id, e.kind, u.display_name, e.note, e.created_at
         from growth_goal_events e join users u on u.id = e.actor_id where e.goal_id = any($1) order by e.created_at",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    for row in &events {
        let goal_id: Uuid = row.try_get("goal_id")?;
        if let Some(goal) = out.iter_mut().find(|g| g.id == goal_id) {
            goal.events.push(GoalEventView {
                kind: row.try_get("kind")?,
                actor_name: row.try_get("display_name")?,
                note: row.try_get("note")?,
                created_at: row.try_get("created_at")?,
            });
        }
    }
    Ok(out)
}

/// The studios the user is an active member of, with their plan's goal counts (one query).
pub async fn my_studios(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Vec<MyStudioPlan>> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "select s.slug, s.name, m.role,
                count(g.id) filter (where g.status = 'achieved'), count(g.id) filter (where g.status <> 'dropped')
         from memberships m join studios s on s.id = m.studio_id
         left join growth_plans p on p.studio_id = m.studio_id and p.mentee_id = m.user_id
         left join growth_goals g on g.plan_id = p.id
         where m.user_id = $1 and m.status = 'active'
         group by s.slug, s.name, m.role order by s.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(slug, name, role, done, total)| {
            Some(MyStudioPlan {
                studio_slug: slug,
                studio_name: name,
                role: StudioRole::from_code(&role)?,
                goals_done: done,
                goals_total: total,
            })
        })
        .collect())
}

// ---------------------------------------------------------------- templates

/// The templates a studio may apply: its own and the built-in ones, named in `locale`.
pub async fn templates_for(
    db: impl PgExecutor<'_>,
    studio_id: Uuid,
    english: bool,
) -> sqlx::Result<Vec<TemplateSummary>> {
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "select t.id, case when $2 then t.name_en else t.name_zh end, (select count(*) from growth_template_goals tg where tg.template_id = t.id)
         from growth_templates t where t.studio_id = $1 or t.studio_id is null order by t.studio_id nulls first, t.created_at",
    )
    .bind(studio_id)
    .bind(english)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id, name, goal_count)| TemplateSummary { id, name, goal_count }).collect())
}

/// Stores a template the host typed: goals due a year after applying (the mentee adapts them),
/// milestones spread evenly before. Both language columns get the host's text.
pub async fn create_template(
    pool: &PgPool,
    studio_id: Uuid,
    author: Uuid,
    name: &str,
    goals: &[rules::TemplateGoalDraft],
) -> sqlx::Result<Uuid> {
    let mut tx = pool.begin().await?;
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into growth_templates (id, studio_id, name_zh, name_en, created_by) values ($1, $2, $3, $3, $4)",
    )
    .bind(id)
    .bind(studio_id)
    .bind(name)
    .bind(author)
    .execute(&mut *tx)
    .await?;
    for (i, (title, milestones)) in goals.iter().enumerate() {
        let goal_id = Uuid::new_v4();
        sqlx::query(
            "insert into growth_template_goals (id, template_id, position, title_zh, title_en, category, target_stage, due_after_days)
             values ($1, $2, $3, $4, $4, 'other', 'year1', 365)",
        )
        .bind(goal_id)
        .bind(id)
        .bind(i as i32 + 1)
        .bind(title)
        .execute(&mut *tx)
        .await?;
        let n = milestones.len() as i32;
        for (j, ms) in milestones.iter().enumerate() {
            sqlx::query(
                "insert into growth_template_milestones (id, template_goal_id, position, title_zh, title_en, due_after_days) values ($1, $2, $3, $4, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(goal_id)
            .bind(j as i32 + 1)
            .bind(ms)
            .bind((j as i32 + 1) * 365 / (n + 1))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn template_usable(db: impl PgExecutor<'_>, studio_id: Uuid, template_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from growth_templates where id = $1 and (studio_id = $2 or studio_id is null))",
    )
    .bind(template_id)
    .bind(studio_id)
    .fetch_one(db)
    .await
}

/// Copies a template into the plans of the studio's active mentees (all, or those listed),
/// each in the mentee's language. Goals and milestones already copied are skipped, so applying
/// twice changes nothing. Returns how many goals were added.
pub async fn apply_template(
    pool: &PgPool,
    studio_id: Uuid,
    template_id: Uuid,
    only: Option<&[Uuid]>,
    actor: Uuid,
    today: NaiveDate,
) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let mentees: Vec<Uuid> = sqlx::query_scalar(
        "select user_id from memberships where studio_id = $1 and role = 'mentee' and status = 'active' and ($2::uuid[] is null or user_id = any($2))",
    )
    .bind(studio_id)
    .bind(only)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "insert into growth_plans (id, studio_id, mentee_id) select gen_random_uuid(), $1, m from unnest($2::uuid[]) m
         on conflict (studio_id, mentee_id) do nothing",
    )
    .bind(studio_id)
    .bind(&mentees)
    .execute(&mut *tx)
    .await?;
    let added = sqlx::query(
        "with new_goals as (
             insert into growth_goals (id, plan_id, template_goal_id, title, description, category, target_stage, due_on)
             select gen_random_uuid(), p.id, tg.id,
                    case when u.locale = 'en' then tg.title_en else tg.title_zh end,
                    case when u.locale = 'en' then tg.description_en else tg.description_zh end,
                    tg.category, tg.target_stage, $3::date + tg.due_after_days
             from growth_plans p join users u on u.id = p.mentee_id
             cross join growth_template_goals tg
             where p.studio_id = $1 and p.mentee_id = any($2) and tg.template_id = $4
             order by p.id, tg.position
             on conflict (plan_id, template_goal_id) do nothing
             returning id
         )
         insert into growth_goal_events (id, goal_id, actor_id, kind, note)
         select gen_random_uuid(), id, $5, 'created', 'template' from new_goals",
    )
    .bind(studio_id)
    .bind(&mentees)
    .bind(today)
    .bind(template_id)
    .bind(actor)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "insert into growth_milestones (id, goal_id, template_milestone_id, title, due_on)
         select gen_random_uuid(), g.id, tm.id,
                case when u.locale = 'en' then tm.title_en else tm.title_zh end,
                $4::date + tm.due_after_days
         from growth_goals g join growth_plans p on p.id = g.plan_id join users u on u.id = p.mentee_id
         join growth_template_goals tg on tg.id = g.template_goal_id
         join growth_template_milestones tm on tm.template_goal_id = tg.id
         where p.studio_id = $1 and p.mentee_id = any($2) and tg.template_id = $3
         on conflict (goal_id, template_milestone_id) do nothing",
    )
    .bind(studio_id)
    .bind(&mentees)
    .bind(template_id)
    .bind(today)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(added)
}

// ---------------------------------------------------------------- overview

/// Which of the studio's mentees the overview reads.
#[derive(Clone, Copy, Debug)]
pub enum OverviewRows {
    /// Every one (a sort by goals, overdue milestones or hours needs them all; the CSV).
    All,
    /// One page in name order: the page's mentees are picked first, so only their figures are
    /// computed (50 of a 1,000-mentee studio).
    ByName { descending: bool, offset: i64 },
}

/// One row per mentee `which` asks for, in one query: goals done / total (dropped ones left
/// out), overdue milestones of active goals, hours in [year_start, year_end). Names in code-point
/// order, as `rules::sort_rows` orders them (`memberships.member_name` is collated "C"; a page
/// by name is a range of `memberships_active_mentees_by_name_idx`).
pub async fn overview(
    db: impl PgExecutor<'_>,
    studio_id: Uuid,
    year_start: NaiveDate,
    year_end: NaiveDate,
    today: NaiveDate,
    which: OverviewRows,
) -> sqlx::Result<Vec<OverviewRow>> {
    let (direction, window) = match which {
        OverviewRows::All => ("asc", String::new()),
        OverviewRows::ByName { descending, offset } => {
            let direction = if descending { "desc" } else { "asc" };
            let page = super::rules::OVERVIEW_PER_PAGE;
            (
                direction,
                format!(
                    " order by m.member_name {direction}, m.user_id {direction} limit {page} offset {}",
                    offset.max(0)
                ),
            )
        }
    };
    let rows: Vec<(Uuid, String, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "with mentees as (
             select m.studio_id, m.user_id, m.member_name as display_name from memberships m
             where m.studio_id = $1 and m.role = 'mentee' and m.status = 'active'{window}
         )
         select m.user_id, m.display_name, coalesce(gs.done, 0), coalesce(gs.total, 0), coalesce(gs.overdue, 0), coalesce(hs.tenths, 0)
         from mentees m
         left join growth_plans p on p.studio_id = m.studio_id and p.mentee_id = m.user_id
         -- The plan's goals are read once for all three counts; the overdue milestones only
         -- of active goals (a filtered aggregate does not evaluate its argument for other rows).
         left join lateral (
             select count(*) filter (where g.status = 'achieved') as done,
                    count(*) filter (where g.status <> 'dropped') as total,
                    sum((
                        select count(*) from growth_milestones x
                        where x.goal_id = g.id and x.done_at is null and x.due_on < $4
                    )) filter (where g.status = 'active')::int8 as overdue
             from growth_goals g where g.plan_id = p.id
         ) gs on true
         left join lateral (
             select (sum(r.hours) * 10)::int8 as tenths from training_records r
             where r.user_id = m.user_id and r.occurred_on >= $2 and r.occurred_on < $3
         ) hs on true
         order by m.display_name {direction}, m.user_id {direction}"
    ))
    .bind(studio_id)
    .bind(year_start)
    .bind(year_end)
    .bind(today)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(mentee_id, mentee_name, goals_done, goals_total, overdue_milestones, hours_tenths)| OverviewRow {
            mentee_id,
            mentee_name,
            goals_done,
            goals_total,
            overdue_milestones,
            hours_tenths,
        })
        .collect())
}
