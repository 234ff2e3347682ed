//! Lesson-study rules that need no database: phase moves, who may do what, text checks, the
//! line diff of two plan versions and conflict detection for concurrent plan saves.

use super::{GroupRole, Phase, SectionConflict, SectionKind, StudyMsg};
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::studios::StudioRole;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 120;
pub const THEME_MAX: usize = 2000;
pub const SHORT_MAX: usize = 100;
pub const NOTE_MAX: usize = 4000;
pub const COMMENT_MAX: usize = 8000;
pub const SECTION_MAX: usize = 20000;
/// Lines in one plan section: what a lesson plan needs, and what keeps comparing versions cheap.
pub const SECTION_LINES_MAX: usize = 1000;
pub const POINT_MAX: usize = 500;
pub const CITES_MAX: usize = 20;

fn refused(m: StudyMsg) -> AppError {
    AppError::Refused(Msg::from(m))
}

/// A note's minute must fall inside the lesson (minute 0 is its first minute).
pub fn check_minute(minute: i32, lesson_minutes: i32) -> Result<(), Msg> {
    if (0..=lesson_minutes).contains(&minute) {
        Ok(())
    } else {
        Err(Msg::from(StudyMsg::ErrMinuteOutside))
    }
}

/// The lesson minute a running clock shows `elapsed_secs` after it started, kept inside the lesson.
pub fn clock_minute(elapsed_secs: i64, lesson_minutes: i32) -> i32 {
    (elapsed_secs.max(0) / 60).min(lesson_minutes as i64) as i32
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Forward,
    Back,
}

/// The phase after a move, or why there is none.
pub fn move_phase(phase: Phase, direction: Direction) -> Result<Phase, AppError> {
    let i = Phase::ALL.iter().position(|p| *p == phase).unwrap_or(0);
    match direction {
        Direction::Forward => Phase::ALL.get(i + 1).copied().ok_or_else(|| refused(StudyMsg::ErrNoNextPhase)),
        Direction::Back => i
            .checked_sub(1)
            .and_then(|j| Phase::ALL.get(j).copied())
            .ok_or_else(|| refused(StudyMsg::ErrNoPreviousPhase)),
    }
}

/// Where the viewer stands with a study.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub signed_in: bool,
    pub group_role: Option<GroupRole>,
}

/// What the rules need to know about the study itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StudyFacts {
    pub phase: Phase,
    pub notes_locked: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StudyAction {
    View,
    MovePhase,
    ManageGroup,
    ManageRounds,
    Assign,
    EditPlan,
    CommentPlan,
    WriteNote,
    /// Edit a note; `own` says whether the viewer wrote it.
    EditNote {
        own: bool,
    },
    LockNotes,
    Comment,
    WriteConclusions,
}

/// Who may open a study in a studio: its host and mentors.
pub fn can_create(studio_role: Option<StudioRole>, signed_in: bool) -> Result<(), AppError> {
    match studio_role {
        _ if !signed_in => Err(AppError::SignInRequired),
        Some(role) if role.leads() => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Who may do what with a study: the one place this is decided. Outsiders learn nothing about
/// a study, not even that it exists.
pub fn can(standing: Standing, action: StudyAction, study: StudyFacts) -> Result<(), AppError> {
    use StudyAction::*;
    if !standing.signed_in {
        return Err(AppError::SignInRequired);
    }
    let Some(role) = standing.group_role else {
        return Err(AppError::NotFound);
    };
    if action == View {
        return Ok(());
    }
    let lead = role == GroupRole::Lead;
    if study.phase == Phase::Closed && action != MovePhase {
        return Err(refused(StudyMsg::ErrClosed));
    }
    match action {
        View => Ok(()),
        MovePhase | ManageGroup | ManageRounds | Assign | LockNotes | WriteConclusions => {
            if lead {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
        EditPlan => {
            if role == GroupRole::Observer {
                Err(AppError::Forbidden)
            } else {
                Ok(())
            }
        }
        CommentPlan | Comment => Ok(()),
        WriteNote => {
            if study.notes_locked {
                Err(refused(StudyMsg::ErrNotesLocked))
            } else {
                Ok(())
            }
        }
        EditNote { own } => {
            if !own {
                Err(AppError::Forbidden)
            } else if study.notes_locked {
                Err(refused(StudyMsg::ErrNotesLocked))
            } else {
                Ok(())
            }
        }
    }
}

/// One row of a side-by-side comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffRow {
    Same(String),
    /// Only in the older version.
    Removed(String),
    /// Only in the newer version.
    Added(String),
}

/// How long one section's diff may search for the smallest set of changes; past it the rest is
/// shown as removed and added, which is still a correct (if longer) comparison.
#[cfg(feature = "ssr")]
pub const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(200);

/// A line-level diff of `old` and `new`: Myers' algorithm in linear memory (`similar`), bounded
/// in time by [`DIFF_DEADLINE`]. CPU work: call it off the async threads.
#[cfg(feature = "ssr")]
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffRow> {
    use similar::{Algorithm, ChangeTag, TextDiff};
    // Compared as lines without their endings: a last line with or without `\n` is the same line.
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(std::time::Instant::now() + DIFF_DEADLINE)
        .diff_slices(&old, &new);
    diff.iter_all_changes()
        .map(|change| {
            let line = change.value().to_owned();
            match change.tag() {
                ChangeTag::Equal => DiffRow::Same(line),
                ChangeTag::Delete => DiffRow::Removed(line),
                ChangeTag::Insert => DiffRow::Added(line),
            }
        })
        .collect()
}

/// A plan's sections as text, keyed by kind (a missing section is empty).
pub type Sections = Vec<(SectionKind, String)>;

fn text_of(sections: &Sections, kind: SectionKind) -> &str {
    sections.iter().find(|(k, _)| *k == kind).map(|(_, t)| t.as_str()).unwrap_or("")
}

/// Merges a save based on version `base` into the `latest` version, section by section. A
/// section only this save changed takes its text; one only someone else changed keeps theirs;
/// one both changed differently is a conflict, and then nothing is saved: the error carries the
/// conflicts and the text to go on editing (the clean merge, with mine where they conflict).
pub fn merge_sections(
    base: &Sections,
    latest: &Sections,
    mine: &Sections,
) -> Result<Sections, (Sections, Vec<SectionConflict>)> {
    let mut merged = Vec::new();
    let mut conflicts = Vec::new();
    for kind in SectionKind::ALL {
        let (b, l, m) = (text_of(base, kind), text_of(latest, kind), text_of(mine, kind));
        let text = if m == b || m == l {
            l
        } else if l == b {
            m
        } else {
            conflicts.push(SectionConflict { kind, theirs: l.to_owned(), mine: m.to_owned() });
            m
        };
        merged.push((kind, text.to_owned()));
    }
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        Err((merged, conflicts))
    }
}

/// What observing a round is worth, as credited on entering its debrief.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundCredit {
    /// Notes written in this window are attendance (the lessons' check-in window).
    pub notes_from: DateTime<Utc>,
    pub notes_until: DateTime<Utc>,
    /// The part of the lesson that has happened by now, in tenths of an hour.
    pub tenths: i64,
}

/// The credit of a round whose lesson started at `start` (the lesson clock, else the linked open
/// lesson's start) and lasts `lesson_minutes`, as of `now`: only the minutes that have passed
/// count, so a round moved to its debrief early, or never started, mints nothing. `None` when
/// no start is known or nothing has happened yet.
pub fn round_credit(start: Option<DateTime<Utc>>, lesson_minutes: i32, now: DateTime<Utc>) -> Option<RoundCredit> {
    let start = start?;
    let minutes = (now - start).num_minutes().min(i64::from(lesson_minutes));
    // Minutes to tenths of an hour, rounded to the nearest.
    let tenths = (minutes * 10 + 30) / 60;
    if tenths <= 0 {
        return None;
    }
    let end = start + chrono::Duration::minutes(i64::from(lesson_minutes));
    let (notes_from, notes_until) = crate::lessons::rules::attendance_window(start, end);
    Some(RoundCredit { notes_from, notes_until, tenths })
}

/// Notes on one page of the timeline: a screenful or two of observation notes on a phone. Fifty
/// made the 5,000-note study the slowest page to render (and the largest, 99 KB of HTML).
pub const NOTES_PAGE: usize = 25;

/// The cursor naming a note's place on the timeline (newest first): when it was written, then
/// its id, so notes written in the same microsecond keep one order.
pub fn note_cursor(created_at: DateTime<Utc>, id: uuid::Uuid) -> String {
    format!("{}_{id}", created_at.timestamp_micros())
}

/// The timeline's filter, checked: a value that names nothing is dropped, so a mistyped or
/// stale address shows the whole timeline rather than an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteQuery {
    pub dimension: Option<super::Dimension>,
    pub observer: Option<uuid::Uuid>,
    pub tag: Option<super::Tag>,
    /// Notes written before this place (see [`note_cursor`]).
    pub before: Option<(DateTime<Utc>, uuid::Uuid)>,
}

impl NoteQuery {
    pub fn new(filter: &super::NoteFilter) -> NoteQuery {
        let before = filter
            .before
            .split_once('_')
            .and_then(|(micros, id)| Some((DateTime::from_timestamp_micros(micros.parse().ok()?)?, id.parse().ok()?)));
        NoteQuery {
            dimension: super::Dimension::from_code(&filter.dimension),
            observer: filter.observer.parse().ok(),
            tag: super::Tag::from_code(&filter.tag),
            before,
        }
    }

    /// Whether a note written live belongs on the newest page of this filter.
    pub fn shows_live(&self, note: &super::Note) -> bool {
        self.before.is_none()
            && self.dimension.is_none_or(|d| d == note.dimension)
            && self.observer.is_none_or(|o| o == note.author_id)
            && self.tag.is_none_or(|t| t == note.tag)
    }
}

/// Characters of a note that cite it in the debrief's evidence list.
pub const EXCERPT_CHARS: usize = 60;

/// The start of a note's text, up to [`EXCERPT_CHARS`], with an ellipsis when cut.
pub fn excerpt(body: &str) -> String {
    let mut chars = body.chars();
    let start: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{start}…")
    } else {
        start
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_timeline_address_that_names_nothing_shows_every_note() {
        use crate::study::{Dimension, NoteFilter};
        let id = uuid::Uuid::from_u128(7);
        let at = DateTime::from_timestamp_micros(1_765_000_000_123_456).expect("time");
        let filter = NoteFilter {
            dimension: "student_learning".into(),
            observer: id.to_string(),
            tag: "nonsense".into(),
            before: note_cursor(at, id),
        };
        let query = NoteQuery::new(&filter);
        assert_eq!(query.dimension, Some(Dimension::StudentLearning));
        assert_eq!((query.observer, query.tag, query.before), (Some(id), None, Some((at, id))));
        let garbage = NoteFilter { dimension: "x".into(), observer: "y".into(), tag: "".into(), before: "1_z".into() };
        assert_eq!(NoteQuery::new(&garbage), NoteQuery::default());
    }

    #[test]
    fn a_long_note_is_cited_by_its_first_sixty_characters() {
        assert_eq!(excerpt("第12分钟 学生A独立完成"), "第12分钟 学生A独立完成");
        let long = "学".repeat(61);
        assert_eq!(excerpt(&long), format!("{}…", "学".repeat(60)));
        assert_eq!(excerpt(&"学".repeat(60)), "学".repeat(60));
    }

    use super::*;

    fn standing(role: Option<GroupRole>) -> Standing {
        Standing { signed_in: true, group_role: role }
    }

    fn facts(phase: Phase, locked: bool) -> StudyFacts {
        StudyFacts { phase, notes_locked: locked }
    }

    #[test]
    fn phases_move_forward_and_back_one_step_within_the_cycle() {
        assert_eq!(move_phase(Phase::Plan, Direction::Forward), Ok(Phase::Teach));
        assert_eq!(move_phase(Phase::Revise, Direction::Forward), Ok(Phase::Closed));
        assert_eq!(move_phase(Phase::Debrief, Direction::Back), Ok(Phase::Observe));
        assert_eq!(move_phase(Phase::Closed, Direction::Forward), Err(refused(StudyMsg::ErrNoNextPhase)));
        assert_eq!(move_phase(Phase::Plan, Direction::Back), Err(refused(StudyMsg::ErrNoPreviousPhase)));
    }

    #[test]
    fn only_the_group_sees_a_study_and_outsiders_learn_nothing() {
        let f = facts(Phase::Observe, false);
        assert_eq!(can(Standing::default(), StudyAction::View, f), Err(AppError::SignInRequired));
        assert_eq!(can(standing(None), StudyAction::View, f), Err(AppError::NotFound));
        assert_eq!(can(standing(None), StudyAction::WriteNote, f), Err(AppError::NotFound));
        for role in [GroupRole::Lead, GroupRole::Member, GroupRole::Observer] {
            assert_eq!(can(standing(Some(role)), StudyAction::View, f), Ok(()));
            assert_eq!(can(standing(Some(role)), StudyAction::WriteNote, f), Ok(()));
        }
    }

    #[test]
    fn only_the_lead_moves_phases_assigns_locks_and_concludes() {
        let f = facts(Phase::Observe, false);
        for action in [
            StudyAction::MovePhase,
            StudyAction::Assign,
            StudyAction::LockNotes,
            StudyAction::WriteConclusions,
            StudyAction::ManageGroup,
        ] {
            assert_eq!(can(standing(Some(GroupRole::Lead)), action, f), Ok(()));
            assert_eq!(can(standing(Some(GroupRole::Member)), action, f), Err(AppError::Forbidden));
            assert_eq!(can(standing(Some(GroupRole::Observer)), action, f), Err(AppError::Forbidden));
        }
    }

    #[test]
    fn outside_observers_do_not_edit_the_plan() {
        let f = facts(Phase::Plan, false);
        assert_eq!(can(standing(Some(GroupRole::Member)), StudyAction::EditPlan, f), Ok(()));
        assert_eq!(can(standing(Some(GroupRole::Observer)), StudyAction::EditPlan, f), Err(AppError::Forbidden));
        assert_eq!(can(standing(Some(GroupRole::Observer)), StudyAction::CommentPlan, f), Ok(()));
    }

    #[test]
    fn only_the_author_edits_a_note_until_the_lead_locks_notes() {
        let open = facts(Phase::Observe, false);
        let locked = facts(Phase::Debrief, true);
        assert_eq!(can(standing(Some(GroupRole::Member)), StudyAction::EditNote { own: true }, open), Ok(()));
        assert_eq!(
            can(standing(Some(GroupRole::Lead)), StudyAction::EditNote { own: false }, open),
            Err(AppError::Forbidden)
        );
        assert_eq!(
            can(standing(Some(GroupRole::Member)), StudyAction::EditNote { own: true }, locked),
            Err(refused(StudyMsg::ErrNotesLocked))
        );
        assert_eq!(
            can(standing(Some(GroupRole::Member)), StudyAction::WriteNote, locked),
            Err(refused(StudyMsg::ErrNotesLocked))
        );
    }

    #[test]
    fn a_closed_study_is_read_only_but_the_lead_may_reopen_it() {
        let f = facts(Phase::Closed, false);
        assert_eq!(can(standing(Some(GroupRole::Member)), StudyAction::View, f), Ok(()));
        assert_eq!(can(standing(Some(GroupRole::Member)), StudyAction::Comment, f), Err(refused(StudyMsg::ErrClosed)));
        assert_eq!(can(standing(Some(GroupRole::Lead)), StudyAction::MovePhase, f), Ok(()));
    }

    #[test]
    fn hosts_and_mentors_open_studies_mentees_do_not() {
        assert_eq!(can_create(Some(StudioRole::Host), true), Ok(()));
        assert_eq!(can_create(Some(StudioRole::Mentor), true), Ok(()));
        assert_eq!(can_create(Some(StudioRole::Mentee), true), Err(AppError::Forbidden));
        assert_eq!(can_create(None, true), Err(AppError::Forbidden));
        assert_eq!(can_create(None, false), Err(AppError::SignInRequired));
    }

    #[test]
    fn the_diff_marks_removed_and_added_lines_and_keeps_common_ones() {
        let rows = diff_lines("导入\n新授\n练习\n小结", "导入\n探究活动\n练习\n小结\n作业");
        assert_eq!(
            rows,
            vec![
                DiffRow::Same("导入".into()),
                DiffRow::Removed("新授".into()),
                DiffRow::Added("探究活动".into()),
                DiffRow::Same("练习".into()),
                DiffRow::Same("小结".into()),
                DiffRow::Added("作业".into()),
            ]
        );
        assert_eq!(diff_lines("", "a"), vec![DiffRow::Added("a".into())]);
        assert_eq!(diff_lines("a\nb", "a\nb"), vec![DiffRow::Same("a".into()), DiffRow::Same("b".into())]);
    }

    #[test]
    fn comparing_two_long_sections_is_bounded_in_time_and_covers_every_line() {
        // 20,000 against 10,000 lines took 51 s and 800 MB with a full LCS table.
        let old: String = (0..20_000).map(|i| format!("旧的第 {i} 行\n")).collect();
        let new: String = (0..10_000).map(|i| format!("新的第 {} 行\n", i * 7)).collect();
        let started = std::time::Instant::now();
        let rows = diff_lines(&old, &new);
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "took {:?}", started.elapsed());
        let removed = rows.iter().filter(|r| matches!(r, DiffRow::Removed(_) | DiffRow::Same(_))).count();
        let added = rows.iter().filter(|r| matches!(r, DiffRow::Added(_) | DiffRow::Same(_))).count();
        assert_eq!((removed, added), (20_000, 10_000), "every line of both versions is shown");
    }

    fn secs(goals: &str, flow: &str) -> Sections {
        vec![(SectionKind::Goals, goals.into()), (SectionKind::Flow, flow.into())]
    }

    #[test]
    fn saves_of_different_sections_merge() {
        let base = secs("g", "f");
        let latest = secs("g2", "f");
        let mine = secs("g", "f-mine");
        let merged = merge_sections(&base, &latest, &mine).expect("merges");
        assert_eq!(text_of(&merged, SectionKind::Goals), "g2");
        assert_eq!(text_of(&merged, SectionKind::Flow), "f-mine");
    }

    #[test]
    fn two_saves_of_the_same_section_conflict_and_keep_both_texts() {
        let base = vec![
            (SectionKind::Goals, "g".into()),
            (SectionKind::Flow, "f".into()),
            (SectionKind::Assessment, "a".into()),
        ];
        let latest = vec![
            (SectionKind::Goals, "g".into()),
            (SectionKind::Flow, "f-theirs".into()),
            (SectionKind::Assessment, "a-theirs".into()),
        ];
        let mine = vec![
            (SectionKind::Goals, "g-mine".into()),
            (SectionKind::Flow, "f-mine".into()),
            (SectionKind::Assessment, "a".into()),
        ];
        let (form, conflicts) = merge_sections(&base, &latest, &mine).expect_err("conflict");
        assert_eq!(
            conflicts,
            vec![SectionConflict { kind: SectionKind::Flow, theirs: "f-theirs".into(), mine: "f-mine".into() }]
        );
        // The form to go on editing loses nobody's text.
        assert_eq!(text_of(&form, SectionKind::Goals), "g-mine", "my clean change");
        assert_eq!(text_of(&form, SectionKind::Flow), "f-mine", "my side of the clash, theirs is shown beside it");
        assert_eq!(text_of(&form, SectionKind::Assessment), "a-theirs", "their clean change");
        // The same text saved twice is no conflict.
        assert!(merge_sections(&base, &latest, &latest).is_ok());
    }

    #[test]
    fn a_note_minute_must_fall_inside_the_lesson() {
        assert!(check_minute(0, 45).is_ok());
        assert!(check_minute(45, 45).is_ok());
        assert_eq!(check_minute(46, 45), Err(Msg::from(StudyMsg::ErrMinuteOutside)));
        assert_eq!(check_minute(-1, 45), Err(Msg::from(StudyMsg::ErrMinuteOutside)));
        assert_eq!(clock_minute(125, 45), 2);
        assert_eq!(clock_minute(99_999, 45), 45);
        assert_eq!(clock_minute(-5, 45), 0);
    }

    #[test]
    fn a_round_credits_only_the_part_of_its_lesson_that_has_happened() {
        let start = Utc::now() - chrono::Duration::hours(3);
        let at = |minutes: i64| start + chrono::Duration::minutes(minutes);
        let credit = round_credit(Some(start), 45, at(50)).expect("credited");
        assert_eq!(credit.tenths, 8);
        assert_eq!((credit.notes_from, credit.notes_until), (at(-30), at(45 + 120)));
        assert_eq!(round_credit(Some(start), 90, at(200)).map(|c| c.tenths), Some(15));
        // Moved on early: only what has passed; before 3 minutes, nothing.
        assert_eq!(round_credit(Some(start), 45, at(20)).map(|c| c.tenths), Some(3));
        assert_eq!(round_credit(Some(start), 45, at(2)), None);
        assert_eq!(round_credit(Some(start), 45, at(-10)), None);
        assert_eq!(round_credit(None, 45, at(50)), None);
    }
}
