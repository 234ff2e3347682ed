//! Lesson study (课例研究 / 磨课): a study group plans a research lesson together, observes it
//! with divided focuses (LICC dimensions or focus students), writes live notes on one merged
//! timeline, debriefs on evidence and revises the plan, round after round.

pub mod api;
pub mod live;
#[cfg(feature = "ssr")]
pub mod markdown;
mod messages;
pub mod note_queue;
mod notes;
pub mod pages;
pub mod plan_pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::StudyMsg;

use crate::kit::codes::coded_enum;
use crate::kit::i18n::Msg;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn m(msg: StudyMsg) -> Msg {
    Msg::from(msg)
}

coded_enum! {
    /// Where a study stands in its cycle.
    pub enum Phase {
        Plan = "plan" => StudyMsg::PhasePlan,
        Teach = "teach" => StudyMsg::PhaseTeach,
        Observe = "observe" => StudyMsg::PhaseObserve,
        Debrief = "debrief" => StudyMsg::PhaseDebrief,
        Revise = "revise" => StudyMsg::PhaseRevise,
        Closed = "closed" => StudyMsg::PhaseClosed,
    }
}

impl Phase {
    /// What the group does in this phase, shown under the phase on the study page.
    pub fn next_step(self) -> Msg {
        m(match self {
            Phase::Plan => StudyMsg::NextPlan,
            Phase::Teach => StudyMsg::NextTeach,
            Phase::Observe => StudyMsg::NextObserve,
            Phase::Debrief => StudyMsg::NextDebrief,
            Phase::Revise => StudyMsg::NextRevise,
            Phase::Closed => StudyMsg::NextClosed,
        })
    }
}

coded_enum! {
    /// The four dimensions of the LICC observation model.
    pub enum Dimension {
        StudentLearning = "student_learning" => StudyMsg::DimStudentLearning,
        TeacherInstruction = "teacher_instruction" => StudyMsg::DimTeacherInstruction,
        Curriculum = "curriculum" => StudyMsg::DimCurriculum,
        ClassroomCulture = "classroom_culture" => StudyMsg::DimClassroomCulture,
    }
}

coded_enum! {
    /// The one-tap kind of an observation note.
    pub enum Tag {
        Question = "question" => StudyMsg::TagQuestion,
        Response = "response" => StudyMsg::TagResponse,
        Strength = "strength" => StudyMsg::TagStrength,
        Suggestion = "suggestion" => StudyMsg::TagSuggestion,
        Evidence = "evidence" => StudyMsg::TagEvidence,
        Other = "other" => StudyMsg::TagOther,
    }
}

coded_enum! {
    /// The sections of a lesson plan, in their order.
    pub enum SectionKind {
        Goals = "goals" => StudyMsg::SecGoals,
        Students = "students" => StudyMsg::SecStudents,
        Flow = "flow" => StudyMsg::SecFlow,
        Assessment = "assessment" => StudyMsg::SecAssessment,
    }
}

impl SectionKind {
    pub fn position(self) -> i32 {
        SectionKind::ALL.iter().position(|s| *s == self).map(|p| p as i32 + 1).unwrap_or(0)
    }
}

coded_enum! {
    /// A person's place in a study group.
    pub enum GroupRole {
        Lead = "lead" => StudyMsg::RoleLead,
        /// A member of the studio.
        Member = "member" => StudyMsg::RoleMember,
        /// An invited observer from outside the studio.
        Observer = "observer" => StudyMsg::RoleObserver,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudySummary {
    pub id: Uuid,
    pub title: String,
    pub theme: String,
    pub studio_name: String,
    pub phase: Phase,
    pub lead_name: String,
}

/// The studies page: the viewer's studies and the studios where they may open one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyStudies {
    pub studies: Vec<StudySummary>,
    /// Invitations to study groups waiting for the viewer's answer, newest first.
    pub invitations: Vec<StudyInvitation>,
    /// (slug, name) of studios the viewer hosts or mentors.
    pub can_create_in: Vec<(String, String)>,
}

/// An invitation to join a study group, as the invited teacher sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyInvitation {
    pub id: Uuid,
    pub study_title: String,
    pub studio_name: String,
    pub invited_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: Uuid,
    pub name: String,
    pub school: String,
    pub role: GroupRole,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub id: Uuid,
    pub number: i32,
    pub lesson_title: Option<String>,
    pub lesson_minutes: i32,
    pub clock_started_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub observer_id: Uuid,
    pub observer_name: String,
    pub dimension: Option<Dimension>,
    pub point: String,
    pub focus_seats: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: Uuid,
    pub round_number: i32,
    pub author_id: Uuid,
    pub author_name: String,
    pub minute: i32,
    pub dimension: Dimension,
    pub tag: Tag,
    /// The Markdown source, sent only to the note's author (who may edit it): everyone else
    /// reads `body_html`, so a body travels once.
    pub body: String,
    /// The body's Markdown, rendered and sanitised on the server.
    pub body_html: String,
    /// The start of the text, to cite the note as evidence in the debrief.
    pub excerpt: String,
    pub created_at: DateTime<Utc>,
    /// When it was written or last edited: where a live stream that lost its connection goes
    /// on from.
    pub updated_at: DateTime<Utc>,
}

impl Note {
    /// The note as `viewer` receives it: its source only if they wrote it.
    pub fn seen_by(mut self, viewer: Uuid) -> Note {
        if self.author_id != viewer {
            self.body = String::new();
        }
        self
    }
}

/// Which notes the timeline shows, as the page's address asks (`?dimension=…&observer=…&tag=…
/// &before=…`), so a plain link or form and the hydrated page ask the same way. A value that
/// names nothing is ignored (see `rules::NoteQuery`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NoteFilter {
    #[serde(default)]
    pub dimension: String,
    #[serde(default)]
    pub observer: String,
    #[serde(default)]
    pub tag: String,
    /// The page: notes written before the one this cursor names (`rules::note_cursor`); empty
    /// for the newest.
    #[serde(default)]
    pub before: String,
}

impl NoteFilter {
    /// The study page's address showing this filter's notes.
    pub fn href(&self, study: Uuid) -> String {
        let pairs = [
            ("dimension", &self.dimension),
            ("observer", &self.observer),
            ("tag", &self.tag),
            ("before", &self.before),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", crate::kit::forms::query_value(value)))
            .collect();
        let path = format!("/studies/{study}");
        if query.is_empty() {
            format!("{path}#timeline")
        } else {
            format!("{path}?{}#timeline", query.join("&"))
        }
    }
}

/// One page of the merged timeline, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotesPage {
    /// The filter this page answers.
    pub filter: NoteFilter,
    pub notes: Vec<Note>,
    /// Notes per dimension in the whole study, whatever the filter.
    pub counts: Vec<(Dimension, i64)>,
    /// The cursor of the next page of earlier notes, when there are any.
    pub earlier: Option<String>,
    /// The newest change among the study's notes (microseconds since the epoch): where the live
    /// stream goes on from.
    pub newest_change: Option<i64>,
}

/// A note cited as evidence, as the debrief shows it under the comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CitedNote {
    pub id: Uuid,
    pub minute: i32,
    pub dimension: Dimension,
    pub author_name: String,
    pub body_html: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DebriefComment {
    pub id: Uuid,
    pub author_name: String,
    pub body_html: String,
    pub created_at: DateTime<Utc>,
    /// The notes cited as evidence; none makes the comment an opinion.
    pub cites: Vec<CitedNote>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    pub body: String,
    pub html: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub number: i32,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub number: i32,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanComment {
    pub section: SectionKind,
    pub version_number: i32,
    pub author_name: String,
    pub body_html: String,
    pub created_at: DateTime<Utc>,
}

/// What the viewer may do on the study page (decided by `rules::can`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abilities {
    /// Move the phase (the lead, also in a closed study, to reopen it).
    pub move_phase: bool,
    /// The lead's other tools (group, rounds, focuses, lock, conclusions): not in a closed study.
    pub lead: bool,
    pub edit_plan: bool,
    pub write_note: bool,
    pub comment: bool,
}

/// Everything the study page shows; only group members get one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyPage {
    pub id: Uuid,
    pub studio_slug: String,
    pub studio_name: String,
    pub title: String,
    pub theme: String,
    pub subject: String,
    pub grade: String,
    pub phase: Phase,
    pub notes_locked: bool,
    pub conclusions: String,
    pub conclusions_html: String,
    pub lead_name: String,
    pub me: Uuid,
    pub my_role: GroupRole,
    pub can: Abilities,
    pub members: Vec<GroupMember>,
    /// Emails invited and not yet answered (shown to the lead only; empty for everyone else).
    pub invited: Vec<String>,
    pub rounds: Vec<Round>,
    pub assignments: Vec<Assignment>,
    pub plan: Option<PlanVersion>,
    /// Every version, newest first (the record lists them).
    pub plan_versions: Vec<VersionSummary>,
    /// The page of the timeline the address asks for.
    pub timeline: NotesPage,
    pub comments: Vec<DebriefComment>,
    /// Open lessons of the studio a round can be linked to: (id, title).
    pub lessons: Vec<(Uuid, String)>,
    /// A fresh id for the note form, so that a plain form posted twice stores one note.
    pub new_note_id: Uuid,
    /// Training hours credited to the viewer by this study.
    pub my_hours: f64,
}

/// The plan page: the latest version, all versions, comments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanPage {
    pub study_id: Uuid,
    pub title: String,
    pub phase: Phase,
    pub can_edit: bool,
    pub conclusions_html: String,
    pub latest: Option<PlanVersion>,
    pub versions: Vec<VersionSummary>,
    pub comments: Vec<PlanComment>,
}

/// A section saved by two people at once: both texts, so nobody's work is lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionConflict {
    pub kind: SectionKind,
    /// What is saved now (the other person's text).
    pub theirs: String,
    /// What this save tried to write.
    pub mine: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveOutcome {
    /// Saved as this version number.
    Saved(i32),
    /// Nothing saved; the latest version number, the conflicting sections, and the text to go
    /// on editing (this save's changes that merge cleanly, the latest text where they conflict).
    Conflict { latest: i32, sections: Vec<SectionConflict>, form: Vec<(SectionKind, String)> },
}

/// Two versions side by side, section by section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub study_id: Uuid,
    pub title: String,
    pub a: i32,
    pub b: i32,
    pub versions: Vec<VersionSummary>,
    pub sections: Vec<(SectionKind, Vec<rules::DiffRow>)>,
    /// The debrief conclusions version `b` was revised from, rendered (empty when there were none).
    pub b_revised_from_html: String,
}
