//! Server functions of growth plans (`/api/growth/*`). Thin: who is asking, may they
//! (`rules::can`, the one place for this area's permissions), is the input valid, call the store.

use super::{MyStudioPlan, Overview, PlanView};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::hours_api::{settings, today_in},
    super::rules::{self, Action, Actor},
    super::{store, GoalCategory, GoalStatus, GrowthMsg, TargetStage},
    crate::kit::context::{pool, redirect_plain_form, require_user},
    crate::kit::i18n::{Locale, Msg},
    crate::kit::validate::{self, Checks},
    uuid::Uuid,
};

#[cfg(feature = "ssr")]
fn plan_path(slug: &str, mentee: Uuid) -> String {
    format!("/studios/{slug}/plans/{mentee}")
}

/// Where the mentee may change their plan: `me` must be allowed to edit it, and a goal signed
/// off as achieved stays as the mentor signed it until a mentor or the host reopens it.
#[cfg(feature = "ssr")]
async fn check_editable(
    pool: &sqlx::PgPool,
    me: Uuid,
    studio_id: Uuid,
    mentee: Uuid,
    goal_status: GoalStatus,
) -> Result<(), AppError> {
    let actor = plan_access(pool, me, studio_id, mentee).await?;
    rules::can(actor, Action::EditPlan)?;
    if goal_status == GoalStatus::Achieved {
        return Err(AppError::Refused(Msg::from(GrowthMsg::ErrGoalSignedOff)));
    }
    Ok(())
}

/// A goal `me` may change: its studio's slug and its mentee.
#[cfg(feature = "ssr")]
async fn goal_to_edit(pool: &sqlx::PgPool, me: Uuid, goal: Uuid) -> Result<(String, Uuid), AppError> {
    let place = store::goal_owner(pool, goal).await?.ok_or(AppError::NotFound)?;
    check_editable(pool, me, place.studio_id, place.mentee_id, place.status).await?;
    Ok((place.studio_slug, place.mentee_id))
}

/// A milestone `me` may change: its studio's slug and its mentee.
#[cfg(feature = "ssr")]
async fn milestone_to_edit(pool: &sqlx::PgPool, me: Uuid, milestone: Uuid) -> Result<(String, Uuid), AppError> {
    let place = store::milestone_owner(pool, milestone).await?.ok_or(AppError::NotFound)?;
    check_editable(pool, me, place.studio_id, place.mentee_id, place.status).await?;
    Ok((place.studio_slug, place.mentee_id))
}

/// The studio by slug and how the signed-in user stands to the mentee's plan in it. A studio or
/// a plan that does not exist is 404 for members and outsiders alike.
#[cfg(feature = "ssr")]
pub(crate) async fn plan_access(
    pool: &sqlx::PgPool,
    me: Uuid,
    studio_id: Uuid,
    mentee: Uuid,
) -> Result<Actor, AppError> {
    match store::plan_actor(pool, studio_id, me, mentee).await? {
        Some(actor) => rules::can(actor, Action::ViewPlan).map(|()| actor),
        None => {
            // Leaders learn that there is no such mentee; others learn nothing.
            let role = crate::studios::store::active_role(pool, studio_id, me).await?;
            if role.is_some_and(crate::studios::StudioRole::leads) {
                Err(AppError::NotFound)
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub(crate) async fn studio(pool: &sqlx::PgPool, slug: &str) -> Result<(Uuid, String), AppError> {
    let studio = crate::studios::store::studio_by_slug(pool, slug.trim()).await?.ok_or(AppError::NotFound)?;
    Ok((studio.id, studio.name))
}

/// The studio of an overview (id, name) and how `me` stands in it, if `me` may see its
/// overview. A private studio is "not found" for those outside it, as a missing one is, so that
/// nobody learns it exists.
#[cfg(feature = "ssr")]
pub(crate) async fn overview_access(
    db: impl sqlx::PgExecutor<'_>,
    me: Uuid,
    slug: &str,
) -> Result<(Uuid, String, Actor), AppError> {
    use crate::studios::rules::StudioAction;
    let (studio, standing) =
        crate::studios::store::studio_and_standing(db, slug.trim(), Some(me)).await?.ok_or(AppError::NotFound)?;
    crate::studios::rules::can(standing, StudioAction::View, studio.facts())?;
    let actor = Actor { is_subject: false, role: standing.role };
    rules::can(actor, Action::ViewOverview)?;
    Ok((studio.id, studio.name, actor))
}

/// Checks a goal form.
#[cfg(feature = "ssr")]
fn goal_input(
    title: &str,
    description: &str,
    category: &str,
    target_stage: &str,
    due_on: &str,
    today: chrono::NaiveDate,
    current_due: Option<chrono::NaiveDate>,
) -> Result<store::GoalInput, AppError> {
    let mut checks = Checks::default();
    let title = checks.value("title", rules::check_title(title));
    let description = checks.value("description", validate::text(description, false, rules::TEXT_MAX));
    let category = checks.value("category", GoalCategory::from_code(category).ok_or(Msg::ErrChoiceUnknown));
    let stage = checks.value("target_stage", TargetStage::from_code(target_stage).ok_or(Msg::ErrChoiceUnknown));
    let due = checks.value(
        "due_on",
        match current_due {
            Some(current) => rules::check_due_keeping(due_on, today, current),
            None => rules::check_due(due_on, today),
        },
    );
    match (title, description, category, stage, due) {
        (Some(title), Some(description), Some(category), Some(target_stage), Some(due_on)) => {
            Ok(store::GoalInput { title, description, category, target_stage, due_on })
        }
        _ => Err(checks.into_error()),
    }
}

/// Any signed-in user: the studios they are an active member of, with their own plan's counts.
#[server(prefix = "/api", endpoint = "growth/mine")]
#[tracing::instrument(skip_all)]
pub async fn my_plans() -> Result<Vec<MyStudioPlan>, AppError> {
    let me = require_user().await?;
    Ok(store::my_studios(&pool()?, me.id).await?)
}

/// A mentee's plan: the mentee, the studio's mentors and its host. Everyone else: 403.
#[server(prefix = "/api", endpoint = "growth/plan")]
#[tracing::instrument(skip_all)]
pub async fn get_plan(studio: String, mentee: String) -> Result<PlanView, AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio_id, studio_name) = self::studio(&pool, &studio).await?;
    let mentee = validate::id(&mentee)?;
    let actor = plan_access(&pool, me.id, studio_id, mentee).await?;
    let mentee_name = store::user_name(&pool, mentee).await?.ok_or(AppError::NotFound)?;
    let goals = store::plan_goals(&pool, studio_id, mentee).await?;
    Ok(PlanView {
        studio_slug: studio.trim().to_owned(),
        studio_name,
        mentee_id: mentee,
        mentee_name,
        can_edit: rules::can(actor, Action::EditPlan).is_ok(),
        can_comment: rules::can(actor, Action::Comment).is_ok(),
        can_sign_off: rules::can(actor, Action::SignOff).is_ok(),
        goals,
        today: today_in(&me.time_zone),
    })
}

/// The mentee adds a goal to their own plan (created on first use).
#[server(prefix = "/api", endpoint = "growth/add-goal")]
#[tracing::instrument(skip_all)]
pub async fn add_goal(
    studio: String,
    mentee: String,
    title: String,
    #[server(default)] description: String,
    category: String,
    target_stage: String,
    due_on: String,
) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio_id, _) = self::studio(&pool, &studio).await?;
    let mentee = validate::id(&mentee)?;
    let actor = plan_access(&pool, me.id, studio_id, mentee).await?;
    rules::can(actor, Action::EditPlan)?;
    let input = goal_input(&title, &description, &category, &target_stage, &due_on, today_in(&me.time_zone), None)?;
    store::add_goal(&pool, studio_id, mentee, &input).await?;
    redirect_plain_form(&plan_path(studio.trim(), mentee));
    Ok(())
}

/// The mentee edits a goal of their own plan (their copy of a template goal included).
#[server(prefix = "/api", endpoint = "growth/update-goal")]
#[tracing::instrument(skip_all)]
pub async fn update_goal(
    goal: String,
    title: String,
    #[server(default)] description: String,
    category: String,
    target_stage: String,
    due_on: String,
) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let goal = validate::id(&goal)?;
    let (slug, mentee) = goal_to_edit(&pool, me.id, goal).await?;
    // An overdue goal keeps its date when only its wording changes.
    let current_due = store::goal_due_on(&pool, goal).await?.ok_or(AppError::NotFound)?;
    let input = goal_input(
        &title,
        &description,
        &category,
        &target_stage,
        &due_on,
        today_in(&me.time_zone),
        Some(current_due),
    )?;
    store::update_goal(&pool, goal, &input).await?;
    redirect_plain_form(&plan_path(&slug, mentee));
    Ok(())
}

/// The mentee adds a milestone to a goal of their own plan.
#[server(prefix = "/api", endpoint = "growth/add-milestone")]
#[tracing::instrument(skip_all)]
pub async fn add_milestone(goal: String, title: String, due_on: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let goal = validate::id(&goal)?;
    let (slug, mentee) = goal_to_edit(&pool, me.id, goal).await?;
    let mut checks = Checks::default();
    let title = checks.value("title", rules::check_title(&title));
    let due = checks.value("due_on", rules::check_due(&due_on, today_in(&me.time_zone)));
    let (Some(title), Some(due)) = (title, due) else { return Err(checks.into_error()) };
    store::add_milestone(&pool, goal, &title, due).await?;
    redirect_plain_form(&plan_path(&slug, mentee));
    Ok(())
}

/// The mentee rewords or re-dates a milestone of their own plan (a template's copy included);
/// an overdue milestone keeps its date when only its title changes.
#[server(prefix = "/api", endpoint = "growth/update-milestone")]
#[tracing::instrument(skip_all)]
pub async fn update_milestone(milestone: String, title: String, due_on: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let milestone = validate::id(&milestone)?;
    let (slug, mentee) = milestone_to_edit(&pool, me.id, milestone).await?;
    let current_due = store::milestone_due_on(&pool, milestone).await?.ok_or(AppError::NotFound)?;
    let mut checks = Checks::default();
    let title = checks.value("title", rules::check_title(&title));
    let due = checks.value("due_on", rules::check_due_keeping(&due_on, today_in(&me.time_zone), current_due));
    let (Some(title), Some(due)) = (title, due) else { return Err(checks.into_error()) };
    store::update_milestone(&pool, milestone, &title, due).await?;
    redirect_plain_form(&plan_path(&slug, mentee));
    Ok(())
}

/// The mentee marks a milestone of their own plan done with its evidence (text and links), or
/// not done again (`done` = `false`).
#[server(prefix = "/api", endpoint = "growth/complete-milestone")]
#[tracing::instrument(skip_all)]
pub async fn complete_milestone(
    milestone: String,
    done: String,
    #[server(default)] evidence: String,
    #[server(default)] links: String,
) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let milestone = validate::id(&milestone)?;
    let (slug, mentee) = milestone_to_edit(&pool, me.id, milestone).await?;
    let done = done != "false";
    let mut checks = Checks::default();
    let evidence = checks.value("evidence", validate::text(&evidence, false, rules::TEXT_MAX));
    let links = checks.value("links", rules::check_links(&links));
    let (Some(evidence), Some(links)) = (evidence, links) else { return Err(checks.into_error()) };
    if done && evidence.is_empty() && links.is_empty() {
        return Err(AppError::field("evidence", GrowthMsg::ErrEvidenceRequired.into()));
    }
    store::set_milestone_done(&pool, milestone, done, &evidence, &links).await?;
    redirect_plain_form(&plan_path(&slug, mentee));
    Ok(())
}

/// The mentee, the studio's mentors and host comment on a goal (or one of its milestones).
#[server(prefix = "/api", endpoint = "growth/comment")]
#[tracing::instrument(skip_all)]
pub async fn comment(goal: String, #[server(default)] milestone: String, body: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let goal = validate::id(&goal)?;
    let place = store::goal_owner(&pool, goal).await?.ok_or(AppError::NotFound)?;
    let actor = plan_access(&pool, me.id, place.studio_id, place.mentee_id).await?;
    rules::can(actor, Action::Comment)?;
    let milestone = if milestone.trim().is_empty() {
        None
    } else {
        let id = validate::id(&milestone)?;
        // a milestone of another goal is no milestone of this one
        match store::milestone_owner(&pool, id).await? {
            Some(owner) if owner.goal_id == goal => Some(id),
            _ => return Err(AppError::field("milestone", Msg::from(GrowthMsg::ErrMilestoneElsewhere))),
        }
    };
    let body = validate::text(&body, true, rules::TEXT_MAX).map_err(|m| AppError::field("body", m))?;
    store::add_comment(&pool, goal, milestone, me.id, &body).await?;
    redirect_plain_form(&plan_path(&place.studio_slug, place.mentee_id));
    Ok(())
}

/// A mentor or the host of the studio signs a mentee's goal off (`decision` = `achieve`),
/// reopens it (`reopen`) or drops it (`drop`); each decision is kept in the goal's history.
/// Never the mentee.
#[server(prefix = "/api", endpoint = "growth/sign-off")]
#[tracing::instrument(skip_all)]
pub async fn sign_off(goal: String, decision: String, #[server(default)] note: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let goal = validate::id(&goal)?;
    let place = store::goal_owner(&pool, goal).await?.ok_or(AppError::NotFound)?;
    let actor = plan_access(&pool, me.id, place.studio_id, place.mentee_id).await?;
    rules::can(actor, Action::SignOff)?;
    let target = match decision.as_str() {
        "achieve" => GoalStatus::Achieved,
        "reopen" => GoalStatus::Active,
        "drop" => GoalStatus::Dropped,
        _ => return Err(AppError::field("decision", Msg::ErrChoiceUnknown)),
    };
    let note = validate::text(&note, false, rules::TEXT_MAX).map_err(|m| AppError::field("note", m))?;
    store::set_goal_status(&pool, goal, me.id, target, &note).await?;
    redirect_plain_form(&plan_path(&place.studio_slug, place.mentee_id));
    Ok(())
}

/// A studio's mentors and host: one row per active mentee (goals done / total, overdue
/// milestones, hours this quota year), sorted by `sort` (`name`, `goals`, `overdue`, `hours`),
/// a page of 50 at a time (`page`, from 1). A constant number of queries whatever the studio's
/// size.
#[server(prefix = "/api", endpoint = "growth/overview")]
#[tracing::instrument(skip_all)]
pub async fn get_overview(
    studio: String,
    #[server(default)] sort: String,
    #[server(default)] desc: bool,
    #[server(default)] page: u32,
) -> Result<Overview, AppError> {
    let me = require_user().await?;
    // One connection for the page's five statements: each return to the pool costs sqlx a round
    // trip.
    let mut conn = pool()?.acquire().await?;
    let (studio_id, studio_name, actor) = overview_access(&mut *conn, me.id, &studio).await?;
    let (settings, mentees) = store::overview_frame(&mut *conn, studio_id, settings()).await?;
    let today = today_in(&me.time_zone);
    let (year_start, year_end) = rules::quota_year(today, settings.year_start_month);
    let key = rules::SortKey::from_code(&sort);
    let (rows, page, pages) = if key == rules::SortKey::Name {
        let (page, pages) = rules::overview_window(mentees as usize, page);
        let offset = i64::from(page - 1) * rules::OVERVIEW_PER_PAGE as i64;
        let which = store::OverviewRows::ByName { descending: desc, offset };
        (store::overview(&mut *conn, studio_id, year_start, year_end, today, which).await?, page, pages)
    } else {
        let mut rows =
            store::overview(&mut *conn, studio_id, year_start, year_end, today, store::OverviewRows::All).await?;
        rules::sort_rows(&mut rows, key, desc);
        rules::overview_page(rows, page)
    };
    let is_host = rules::can(actor, Action::ApplyTemplate).is_ok();
    let templates =
        if is_host { store::templates_for(&mut *conn, studio_id, me.locale == Locale::En).await? } else { Vec::new() };
    Ok(Overview {
        studio_slug: studio.trim().to_owned(),
        studio_name,
        is_host,
        quota_tenths: settings.quota_tenths,
        year_start,
        year_end,
        rows,
        page,
        pages,
        templates,
    })
}

/// The studio's host defines a plan template for the studio: a name and lines of goals, each
/// followed by its milestones (lines starting with `-`).
#[server(prefix = "/api", endpoint = "growth/create-template")]
#[tracing::instrument(skip_all)]
pub async fn create_template(studio: String, name: String, goals: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio_id, _) = self::studio(&pool, &studio).await?;
    let role = crate::studios::store::active_role(&pool, studio_id, me.id).await?;
    rules::can(Actor { is_subject: false, role }, Action::ApplyTemplate)?;
    let mut checks = Checks::default();
    let name = checks.value("name", rules::check_title(&name));
    let drafts = checks.value("goals", rules::parse_template_lines(&goals));
    let (Some(name), Some(drafts)) = (name, drafts) else { return Err(checks.into_error()) };
    store::create_template(&pool, studio_id, me.id, &name, &drafts).await?;
    redirect_plain_form(&format!("/studios/{}/growth", studio.trim()));
    Ok(())
}

/// The studio's host applies a template (its own or a built-in one) to all active mentees
/// (`mentees` empty) or to the chosen ones. Applying twice adds nothing. Returns the number of
/// goals added.
#[server(prefix = "/api", endpoint = "growth/apply-template")]
#[tracing::instrument(skip_all)]
pub async fn apply_template(
    studio: String,
    template: String,
    #[server(default)] mentees: Vec<String>,
) -> Result<u64, AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio_id, _) = self::studio(&pool, &studio).await?;
    let role = crate::studios::store::active_role(&pool, studio_id, me.id).await?;
    rules::can(Actor { is_subject: false, role }, Action::ApplyTemplate)?;
    let template = Uuid::parse_str(template.trim()).map_err(|_| AppError::field("template", Msg::ErrChoiceUnknown))?;
    if !store::template_usable(&pool, studio_id, template).await? {
        return Err(AppError::field("template", Msg::ErrChoiceUnknown));
    }
    let chosen: Vec<Uuid> = mentees
        .iter()
        .filter(|m| !m.trim().is_empty())
        .map(|m| validate::id(m))
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::field("mentees", Msg::ErrChoiceUnknown))?;
    let only = (!chosen.is_empty()).then_some(chosen.as_slice());
    let added = store::apply_template(&pool, studio_id, template, only, me.id, today_in(&me.time_zone)).await?;
    redirect_plain_form(&format!("/studios/{}/growth", studio.trim()));
    Ok(added)
}
