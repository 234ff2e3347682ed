//! Rules of the studio yearly record that need no database: what a school or district reader
//! sees of mentees' growth, the narrative and reason a host types, and which version a page asks
//! for.

use super::{
    Growth, Narrative, OtherMentees, RecordReader, StudioYearMsg, StudioYearRecord, NARRATIVE_MAX, REASON_MAX,
};
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::kit::validate::{self, Checks};
use std::collections::HashSet;
use uuid::Uuid;

fn add(a: Growth, b: Growth) -> Growth {
    Growth {
        goals_achieved: a.goals_achieved + b.goals_achieved,
        milestones_done: a.milestones_done + b.milestones_done,
        sign_offs: a.sign_offs + b.sign_offs,
    }
}

/// What `reader` may see of the record. The host and mentors see it all. A school or district
/// reader sees each mentee's hours by name (administrative), but goals and growth by name only
/// for the mentees in `consenting`; the others' growth becomes one row, shown when they are at
/// least `k`. The year's growth totals are hidden too when fewer than `k` are not named, since
/// the named rows could be subtracted from them; the previous year's when it had fewer than `k`
/// mentees.
pub fn redact_for(record: &mut StudioYearRecord, reader: RecordReader, consenting: &HashSet<Uuid>, k: i64) {
    if reader.coaches() {
        record.others = None;
        return;
    }
    let mut others = 0;
    let mut others_growth = Growth::default();
    for mentee in record.mentees.iter_mut().filter(|m| !consenting.contains(&m.id)) {
        others += 1;
        others_growth = add(others_growth, mentee.growth.take().unwrap_or_default());
        mentee.open_goals = None;
    }
    let enough = |n: i64| n == 0 || n >= k;
    record.others =
        (others > 0).then(|| OtherMentees { mentees: others, growth: enough(others).then_some(others_growth) });
    if !enough(others) {
        record.totals.growth = None;
    }
    if !enough(record.previous.mentees) {
        record.previous.growth = None;
    }
}

/// The host's narrative, trimmed, each part at most [`NARRATIVE_MAX`] characters; errors are
/// recorded in `checks` against `summary` and `next_plan`.
pub fn check_narrative(checks: &mut Checks, summary: &str, next_plan: &str) -> Option<Narrative> {
    let summary = checks.value("summary", validate::text(summary, false, NARRATIVE_MAX));
    let next_plan = checks.value("next_plan", validate::text(next_plan, false, NARRATIVE_MAX));
    Some(Narrative { summary: summary?, next_plan: next_plan? })
}

/// Why a new version is issued: required, at most [`REASON_MAX`] characters.
pub fn check_reason(reason: &str) -> Result<String, Msg> {
    validate::text(reason, true, REASON_MAX)
}

/// Which version a page asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionAsked {
    /// The latest finalised version, or the live figures when there is none.
    Latest,
    Live,
    Number(i32),
}

/// `""`, `live` or a version number.
pub fn check_version(input: &str) -> Result<VersionAsked, AppError> {
    match input.trim() {
        "" => Ok(VersionAsked::Latest),
        "live" => Ok(VersionAsked::Live),
        n => match n.parse::<i32>() {
            Ok(n) if (1..=10_000).contains(&n) => Ok(VersionAsked::Number(n)),
            _ => Err(AppError::field("version", Msg::from(StudioYearMsg::ErrVersion))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::studio_year::{MenteeGrowth, StudioHeading, Totals};
    use chrono::NaiveDate;

    fn growth(n: i64) -> Growth {
        Growth { goals_achieved: n, milestones_done: 2 * n, sign_offs: 3 * n }
    }

    fn record(mentees: &[Uuid]) -> StudioYearRecord {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let totals = Totals { mentees: mentees.len() as i64, growth: Some(growth(9)), ..Totals::default() };
        StudioYearRecord {
            studio: StudioHeading {
                slug: "s".into(),
                name: "S".into(),
                school: None,
                district: None,
                host: "H".into(),
            },
            year: 2026,
            start: day,
            end: day,
            quota_tenths: 720,
            members: vec![],
            changes: vec![],
            lessons: vec![],
            studies: vec![],
            reach: vec![],
            mentees: mentees
                .iter()
                .enumerate()
                .map(|(i, id)| MenteeGrowth {
                    id: *id,
                    name: format!("M{i}"),
                    hours_tenths: 10,
                    open_goals: Some(1),
                    growth: Some(growth(1)),
                })
                .collect(),
            others: None,
            totals,
            previous: totals,
            narrative: Narrative::default(),
        }
    }

    #[test]
    fn coaches_see_every_mentees_growth_by_name() {
        let ids: Vec<Uuid> = (0..2).map(|_| Uuid::new_v4()).collect();
        let mut r = record(&ids);
        redact_for(&mut r, RecordReader::Mentor, &HashSet::new(), 5);
        assert!(r.mentees.iter().all(|m| m.growth.is_some() && m.open_goals.is_some()));
        assert_eq!(r.others, None);
        assert!(r.totals.growth.is_some());
    }

    #[test]
    fn district_sees_hours_of_all_but_growth_only_of_consenting_mentees() {
        let ids: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
        let mut r = record(&ids);
        let consenting: HashSet<Uuid> = [ids[0]].into();
        redact_for(&mut r, RecordReader::District, &consenting, 5);
        assert!(r.mentees.iter().all(|m| m.hours_tenths == 10));
        assert_eq!(r.mentees[0].growth, Some(growth(1)));
        assert!(r.mentees[1..].iter().all(|m| m.growth.is_none() && m.open_goals.is_none()));
        assert_eq!(r.others, Some(OtherMentees { mentees: 5, growth: Some(growth(5)) }));
        assert!(r.totals.growth.is_some());
    }

    #[test]
    fn a_few_unnamed_mentees_hide_their_row_and_the_years_growth_total() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let mut r = record(&ids);
        let consenting: HashSet<Uuid> = [ids[0]].into();
        redact_for(&mut r, RecordReader::School, &consenting, 5);
        assert_eq!(r.others, Some(OtherMentees { mentees: 2, growth: None }));
        assert_eq!(r.totals.growth, None, "the total minus the named row would give the two others away");
        assert_eq!(r.previous.growth, None, "three mentees last year are fewer than five");
    }

    #[test]
    fn when_every_mentee_consents_nothing_is_hidden() {
        let ids: Vec<Uuid> = (0..2).map(|_| Uuid::new_v4()).collect();
        let mut r = record(&ids);
        r.previous.mentees = 0;
        redact_for(&mut r, RecordReader::District, &ids.iter().copied().collect(), 5);
        assert_eq!(r.others, None);
        assert!(r.totals.growth.is_some() && r.previous.growth.is_some());
    }

    #[test]
    fn narrative_is_trimmed_and_bounded() {
        let mut checks = Checks::default();
        let n = check_narrative(&mut checks, "  我们做了很多。 ", "").unwrap();
        assert_eq!(n.summary, "我们做了很多。");
        let long = "字".repeat(NARRATIVE_MAX + 1);
        assert_eq!(check_narrative(&mut checks, "ok", &long), None);
        let err = checks.into_error();
        assert_eq!(err.field_msg("next_plan"), Some(Msg::ErrTooLong));
        assert_eq!(err.field_msg("summary"), None);
    }

    #[test]
    fn a_new_version_needs_a_reason() {
        assert_eq!(check_reason("  "), Err(Msg::ErrRequired));
        assert_eq!(check_reason(" 补录一次公开课 ").unwrap(), "补录一次公开课");
    }

    #[test]
    fn versions_asked_are_latest_live_or_a_small_number() {
        assert_eq!(check_version("").unwrap(), VersionAsked::Latest);
        assert_eq!(check_version("live").unwrap(), VersionAsked::Live);
        assert_eq!(check_version("3").unwrap(), VersionAsked::Number(3));
        for bad in ["0", "-1", "99999999999", "x", "1.5"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
