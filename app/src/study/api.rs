//! Lesson-study server functions. Each: who is asking, may they (`rules::can`, the one place
//! that decides), is the input valid, call the store.

use super::{Comparison, MyStudies, Note, NoteFilter, NotesPage, PlanPage, SaveOutcome, StudyPage};
use crate::kit::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, Direction, Standing, StudyAction},
    super::store::{self, StudyRow},
    super::{Abilities, Dimension, GroupRole, SectionKind, StudyMsg, Tag},
    crate::accounts::auth::SessionUser,
    crate::kit::context::{pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::{self, Checks},
    sqlx::PgPool,
};

/// The study and the signed-in user's place in its group, once `action` is allowed for them.
#[cfg(feature = "ssr")]
async fn authorize(study: Uuid, action: StudyAction) -> Result<(PgPool, SessionUser, StudyRow, GroupRole), AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let (row, role) = store::study_and_role(&pool, study, user.id).await?.ok_or(AppError::NotFound)?;
    let standing = Standing { signed_in: true, group_role: role };
    rules::can(standing, StudyAction::View, row.facts())?;
    rules::can(standing, action, row.facts())?;
    let role = role.ok_or(AppError::NotFound)?;
    Ok((pool, user, row, role))
}

#[cfg(feature = "ssr")]
fn study_path(id: Uuid) -> String {
    format!("/studies/{id}")
}

#[cfg(feature = "ssr")]
fn parse_minutes(value: &str) -> Result<i32, Msg> {
    value.trim().parse::<i32>().ok().filter(|m| (1..=240).contains(m)).ok_or(Msg::from(StudyMsg::ErrLessonMinutes))
}

/// Optional uuid from a select (empty = none).
#[cfg(feature = "ssr")]
fn parse_optional_id(value: &str) -> Result<Option<Uuid>, Msg> {
    let value = value.trim();
    if value.is_empty() {
        Ok(None)
    } else {
        value.parse().map(Some).map_err(|_| Msg::ErrChoiceUnknown)
    }
}

/// A round's form: the open lesson it is linked to (if any) and its length in minutes.
#[cfg(feature = "ssr")]
fn round_input(lesson: &str, minutes: &str) -> Result<(Option<Uuid>, i32), AppError> {
    let mut checks = Checks::default();
    let lesson = checks.value("lesson", parse_optional_id(lesson));
    let minutes = checks.value("minutes", parse_minutes(minutes));
    match (lesson, minutes) {
        (Some(lesson), Some(minutes)) => Ok((lesson, minutes)),
        _ => Err(checks.into_error()),
    }
}

/// Any signed-in teacher: their studies, and the studios where they may open one.
#[server(prefix = "/api", endpoint = "study/mine")]
pub async fn load_my_studies() -> Result<MyStudies, AppError> {
    let user = require_user().await?;
    Ok(store::my_studies(&pool()?, user.id).await?)
}

/// The host or a mentor of the studio opens a study there. The lead is the member named by
/// `lead` (an email; any active member of the studio), or the opener when it is empty; an
/// opener who does not lead joins the group as a member.
#[server(prefix = "/api", endpoint = "study/create")]
pub async fn create_study(
    studio: String,
    title: String,
    theme: String,
    subject: String,
    grade: String,
    lead: Option<String>,
) -> Result<Uuid, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let studio = crate::studios::store::studio_by_slug(&pool, studio.trim())
        .await?
        .ok_or_else(|| AppError::field("studio", Msg::ErrChoiceUnknown))?;
    let role = crate::studios::store::active_role(&pool, studio.id, user.id).await?;
    rules::can_create(role, true)?;
    if studio.archived {
        return Err(AppError::Refused(Msg::from(crate::studios::StudioMsg::ErrArchived)));
    }
    let mut checks = Checks::default();
    checks
        .check("title", validate::line(&title, true, rules::TITLE_MAX))
        .check("theme", validate::text(&theme, false, rules::THEME_MAX))
        .check("subject", validate::line(&subject, false, rules::SHORT_MAX))
        .check("grade", validate::line(&grade, false, rules::SHORT_MAX));
    let lead_email = lead.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase);
    checks.check("lead", validate::line(lead_email.as_deref().unwrap_or(""), false, 254));
    checks.finish()?;
    let lead_id = match lead_email {
        None => user.id,
        Some(email) => store::studio_member_by_email(&pool, studio.id, &email)
            .await?
            .ok_or_else(|| AppError::field("lead", Msg::from(StudyMsg::ErrLeadNotMember)))?,
    };
    let study =
        store::NewStudy { title: title.trim(), theme: theme.trim(), subject: subject.trim(), grade: grade.trim() };
    let id = store::create_study(&pool, studio.id, user.id, lead_id, &study).await?;
    redirect_plain_form(&study_path(id));
    Ok(id)
}

/// Members of the study group (lead, members, invited observers) read the study page.
#[server(prefix = "/api", endpoint = "study/page")]
pub async fn load_study(study: Uuid, #[server(default)] filter: NoteFilter) -> Result<StudyPage, AppError> {
    let (pool, user, row, role) = authorize(study, StudyAction::View).await?;
    let standing = Standing { signed_in: true, group_role: Some(role) };
    let allowed = |a| rules::can(standing, a, row.facts()).is_ok();
    let can = Abilities {
        move_phase: allowed(StudyAction::MovePhase),
        lead: allowed(StudyAction::ManageGroup),
        edit_plan: allowed(StudyAction::EditPlan),
        write_note: allowed(StudyAction::WriteNote),
        comment: allowed(StudyAction::Comment),
    };
    Ok(store::study_page(&pool, &row, user.id, role, can, &filter).await?)
}

/// Group members: one page of the study's timeline (read again when a live stream fell too far
/// behind).
#[server(prefix = "/api", endpoint = "study/notes")]
pub async fn load_notes(study: Uuid, #[server(default)] filter: NoteFilter) -> Result<NotesPage, AppError> {
    let (pool, user, row, _) = authorize(study, StudyAction::View).await?;
    let mut conn = pool.acquire().await?;
    Ok(store::notes_page(&mut conn, row.id, &filter, user.id).await?)
}

/// The lead moves the study one phase forward or back.
#[server(prefix = "/api", endpoint = "study/move-phase")]
pub async fn move_phase(study: Uuid, direction: String) -> Result<(), AppError> {
    let direction = match direction.as_str() {
        "forward" => Direction::Forward,
        "back" => Direction::Back,
        _ => return Err(AppError::field("direction", Msg::ErrChoiceUnknown)),
    };
    let (pool, user, row, _) = authorize(study, StudyAction::MovePhase).await?;
    let to = rules::move_phase(row.phase, direction)?;
    store::move_phase(&pool, row.id, row.phase, to, user.id).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// The lead invites a teacher by email; they join the group when they accept (studio members as
/// members, others as invited observers). The answer never tells whether the email has an
/// account.
#[server(prefix = "/api", endpoint = "study/add-member")]
pub async fn add_member(study: Uuid, email: String) -> Result<(), AppError> {
    let email = crate::accounts::rules::normalize_email(&email);
    crate::accounts::rules::check_email(&email).map_err(|m| AppError::field("email", m))?;
    let (pool, user, row, _) = authorize(study, StudyAction::ManageGroup).await?;
    store::invite(&pool, row.id, &email, user.id).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// The invited teacher (the invitation's email is theirs) joins the group.
#[server(prefix = "/api", endpoint = "study/accept-invitation")]
pub async fn accept_invitation(invitation: Uuid) -> Result<Uuid, AppError> {
    let user = require_user().await?;
    let study = store::accept_invitation(&pool()?, invitation, user.id).await?;
    redirect_plain_form(&study_path(study));
    Ok(study)
}

/// The invited teacher declines the invitation.
#[server(prefix = "/api", endpoint = "study/decline-invitation")]
pub async fn decline_invitation(invitation: Uuid) -> Result<(), AppError> {
    let user = require_user().await?;
    store::decline_invitation(&pool()?, invitation, user.id).await?;
    redirect_plain_form("/studies");
    Ok(())
}

/// The lead links the current round to an open lesson of the studio and sets its length.
#[server(prefix = "/api", endpoint = "study/update-round")]
pub async fn update_round(study: Uuid, lesson: String, minutes: String) -> Result<(), AppError> {
    let (lesson, minutes) = round_input(&lesson, &minutes)?;
    let (pool, _, row, _) = authorize(study, StudyAction::ManageRounds).await?;
    store::update_round(&pool, &row, lesson, minutes).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// The lead starts a further round (a re-teach of the revised plan); the study goes back to "teach".
#[server(prefix = "/api", endpoint = "study/add-round")]
pub async fn add_round(study: Uuid, lesson: String, minutes: String) -> Result<i32, AppError> {
    let (lesson, minutes) = round_input(&lesson, &minutes)?;
    let (pool, _, row, _) = authorize(study, StudyAction::ManageRounds).await?;
    let number = store::add_round(&pool, &row, lesson, minutes).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(number)
}

/// The lead starts the lesson clock of the current round.
#[server(prefix = "/api", endpoint = "study/start-clock")]
pub async fn start_clock(study: Uuid) -> Result<(), AppError> {
    let (pool, _, row, _) = authorize(study, StudyAction::ManageRounds).await?;
    store::start_clock(&pool, row.id).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// The lead gives an observer of the group a focus: a LICC dimension with an observation
/// point, or focus students by seat label (never names).
#[server(prefix = "/api", endpoint = "study/assign")]
pub async fn assign(
    study: Uuid,
    observer: Uuid,
    dimension: String,
    point: String,
    seats: String,
) -> Result<(), AppError> {
    let dim = if dimension.is_empty() {
        Ok(None)
    } else {
        Dimension::from_code(&dimension).map(Some).ok_or(Msg::ErrChoiceUnknown)
    };
    let mut checks = Checks::default();
    checks
        .check("dimension", dim.map(|_| ()))
        .check("point", validate::text(&point, false, rules::POINT_MAX))
        .check("seats", validate::line(&seats, false, rules::SHORT_MAX));
    if matches!(dim, Ok(None)) && seats.trim().is_empty() {
        checks.push("seats", Msg::from(StudyMsg::ErrFocusNeeded));
    }
    checks.finish()?;
    let dim = dim.unwrap_or(None);
    let (pool, lead, row, _) = authorize(study, StudyAction::Assign).await?;
    store::assign(&pool, row.id, observer, dim, point.trim(), seats.trim(), lead.id).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// Any group member writes an observation note (during or after the lesson) until the lead
/// locks notes. `id` is made by the browser: a note sent twice is stored once.
#[server(prefix = "/api", endpoint = "study/add-note")]
pub async fn add_note(
    study: Uuid,
    id: Uuid,
    minute: String,
    dimension: String,
    tag: String,
    body: String,
) -> Result<Note, AppError> {
    let dim = Dimension::from_code(&dimension);
    let tg = Tag::from_code(&tag);
    let min = minute.trim().parse::<i32>();
    let mut checks = Checks::default();
    checks
        .check("dimension", dim.map(|_| ()).ok_or(Msg::ErrChoiceUnknown))
        .check("tag", tg.map(|_| ()).ok_or(Msg::ErrChoiceUnknown))
        .check("body", validate::text(&body, true, rules::NOTE_MAX));
    let (pool, user, row, _) = authorize(study, StudyAction::WriteNote).await?;
    let round = store::current_round(&pool, row.id).await?.ok_or(AppError::NotFound)?;
    checks.check(
        "minute",
        min.clone()
            .map_err(|_| Msg::from(StudyMsg::ErrMinuteOutside))
            .and_then(|m| rules::check_minute(m, round.lesson_minutes)),
    );
    checks.finish()?;
    let (Some(dimension), Some(tag), Ok(minute)) = (dim, tg, min) else {
        return Err(AppError::field("body", Msg::ErrChoiceUnknown));
    };
    let note = store::NewNote { id, round_id: round.id, minute, dimension, tag, body: body.trim() };
    let stored = store::add_note(&pool, row.id, user.id, &note).await?;
    redirect_plain_form(&format!("{}#timeline", study_path(row.id)));
    Ok(stored)
}

/// Only a note's author edits it, until the lead locks notes for the debrief.
#[server(prefix = "/api", endpoint = "study/edit-note")]
pub async fn edit_note(study: Uuid, note: Uuid, body: String) -> Result<(), AppError> {
    let mut checks = Checks::default();
    checks.check("body", validate::text(&body, true, rules::NOTE_MAX));
    checks.finish()?;
    let (pool, user, row, role) = authorize(study, StudyAction::View).await?;
    let author = store::note_author(&pool, row.id, note).await?.ok_or(AppError::NotFound)?;
    rules::can(
        Standing { signed_in: true, group_role: Some(role) },
        StudyAction::EditNote { own: author == user.id },
        row.facts(),
    )?;
    store::edit_note(&pool, row.id, note, body.trim()).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// The lead locks the notes for the debrief (or unlocks them).
#[server(prefix = "/api", endpoint = "study/lock-notes")]
pub async fn lock_notes(study: Uuid, locked: bool) -> Result<(), AppError> {
    let (pool, _, row, _) = authorize(study, StudyAction::LockNotes).await?;
    store::set_notes_locked(&pool, row.id, locked).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// Any group member comments in the debrief, citing notes of this study as evidence
/// (`cites`: note ids separated by commas; none makes the comment an opinion).
#[server(prefix = "/api", endpoint = "study/comment")]
pub async fn add_comment(study: Uuid, body: String, cites: String) -> Result<Uuid, AppError> {
    let ids: Result<Vec<Uuid>, _> =
        cites.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::parse::<Uuid>).collect();
    let mut checks = Checks::default();
    checks.check("body", validate::text(&body, true, rules::COMMENT_MAX));
    match &ids {
        Err(_) => {
            checks.push("cites", Msg::from(StudyMsg::ErrCiteOtherStudy));
        }
        Ok(ids) if ids.len() > rules::CITES_MAX => {
            checks.push("cites", Msg::ErrTooLong);
        }
        Ok(_) => {}
    }
    checks.finish()?;
    let mut ids = ids.unwrap_or_default();
    ids.sort();
    ids.dedup();
    let (pool, user, row, _) = authorize(study, StudyAction::Comment).await?;
    let id = store::add_comment(&pool, row.id, user.id, body.trim(), &ids).await?;
    redirect_plain_form(&format!("{}#debrief", study_path(row.id)));
    Ok(id)
}

/// The lead writes the study's conclusions (carried into the next plan version).
#[server(prefix = "/api", endpoint = "study/conclusions")]
pub async fn save_conclusions(study: Uuid, conclusions: String) -> Result<(), AppError> {
    let mut checks = Checks::default();
    checks.check("conclusions", validate::text(&conclusions, true, rules::SECTION_MAX));
    checks.finish()?;
    let (pool, _, row, _) = authorize(study, StudyAction::WriteConclusions).await?;
    store::save_conclusions(&pool, row.id, conclusions.trim()).await?;
    redirect_plain_form(&study_path(row.id));
    Ok(())
}

/// Group members read the plan: the latest version, all versions, section comments.
#[server(prefix = "/api", endpoint = "study/plan")]
pub async fn load_plan(study: Uuid) -> Result<PlanPage, AppError> {
    let (pool, _, row, role) = authorize(study, StudyAction::View).await?;
    let can_edit =
        rules::can(Standing { signed_in: true, group_role: Some(role) }, StudyAction::EditPlan, row.facts()).is_ok();
    Ok(store::plan_page(&pool, &row, can_edit).await?)
}

/// The lead and studio members of the group save the plan as a new version. `based_on` is the
/// version the editor started from: sections changed since by someone else are merged, or, if
/// this save changed them too, returned as a conflict with both texts (nothing saved).
#[server(prefix = "/api", endpoint = "study/save-plan")]
pub async fn save_plan(
    study: Uuid,
    based_on: i32,
    goals: String,
    students: String,
    flow: String,
    assessment: String,
) -> Result<SaveOutcome, AppError> {
    let mut checks = Checks::default();
    for (field, text) in [("goals", &goals), ("students", &students), ("flow", &flow), ("assessment", &assessment)] {
        match validate::text(text, false, rules::SECTION_MAX) {
            Ok(text) if text.lines().count() > rules::SECTION_LINES_MAX => {
                checks.push(field, StudyMsg::ErrTooManyLines.into())
            }
            result => {
                checks.check(field, result);
            }
        }
    }
    if [&goals, &students, &flow, &assessment].iter().all(|t| t.trim().is_empty()) {
        checks.push("goals", Msg::ErrRequired);
    }
    checks.finish()?;
    let (pool, user, row, _) = authorize(study, StudyAction::EditPlan).await?;
    // Line endings from browsers differ; compare and store with \n only.
    let norm = |t: &str| t.replace("\r\n", "\n").trim_end().to_owned();
    let mine = vec![
        (SectionKind::Goals, norm(&goals)),
        (SectionKind::Students, norm(&students)),
        (SectionKind::Flow, norm(&flow)),
        (SectionKind::Assessment, norm(&assessment)),
    ];
    let outcome = store::save_plan(&pool, row.id, user.id, based_on, &mine).await?;
    if matches!(outcome, SaveOutcome::Saved(_)) {
        redirect_plain_form(&format!("{}/plan", study_path(row.id)));
    }
    Ok(outcome)
}

/// Group members compare any two plan versions side by side.
#[server(prefix = "/api", endpoint = "study/compare")]
pub async fn compare_versions(study: Uuid, a: i32, b: i32) -> Result<Comparison, AppError> {
    let (pool, _, row, _) = authorize(study, StudyAction::View).await?;
    Ok(store::comparison(&pool, &row, a, b).await?)
}

/// Any group member comments on a section of the plan.
#[server(prefix = "/api", endpoint = "study/plan-comment")]
pub async fn add_plan_comment(study: Uuid, section: String, body: String) -> Result<(), AppError> {
    let kind = SectionKind::from_code(&section);
    let mut checks = Checks::default();
    checks
        .check("section", kind.map(|_| ()).ok_or(Msg::ErrChoiceUnknown))
        .check("body", validate::text(&body, true, rules::NOTE_MAX));
    checks.finish()?;
    let Some(kind) = kind else { return Err(AppError::field("section", Msg::ErrChoiceUnknown)) };
    let (pool, user, row, _) = authorize(study, StudyAction::CommentPlan).await?;
    store::add_plan_comment(&pool, row.id, kind, user.id, body.trim()).await?;
    redirect_plain_form(&format!("{}/plan", study_path(row.id)));
    Ok(())
}
