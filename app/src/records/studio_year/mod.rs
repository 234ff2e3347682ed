//! The studio's yearly record (工作室年度档案, `/studios/{slug}/record/{year}`): members and their
//! changes, the activity ledger (open lessons, lesson studies), reach to other schools, mentees'
//! growth, and totals beside the previous year's — all read from what the studio did; the host's
//! narrative is the only typed part. The host finalises it into an immutable, hashed snapshot;
//! the district admins are told, and a later version needs a reason.
//!
//! Who reads what: the host and mentors everything; the district (admins of the studio's
//! district) and the leaders of the studio's school see mentees' hours by name, but their growth
//! by name only with the mentee's consent, the rest as one aggregate row under the small-cell
//! rule. Observers from other schools are only ever counted, by school.

pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::StudioYearMsg;

use crate::studios::{MembershipEvent, StudioRole};
use crate::study::Phase;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Rows listed per section at most; totals always count everything.
pub const LIST_MAX: i64 = 200;
/// Characters of a study's conclusions kept in the record (the study page has the rest).
pub const CONCLUSIONS_MAX: i32 = 2000;
/// Characters of each narrative field.
pub const NARRATIVE_MAX: usize = 4000;
/// Characters of the reason for a new version.
pub const REASON_MAX: usize = 500;

/// The studio a record is of, as printed on its head.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudioHeading {
    pub slug: String,
    pub name: String,
    pub school: Option<String>,
    pub district: Option<String>,
    pub host: String,
}

/// Someone who was a member at some time in the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub role: StudioRole,
    pub since: NaiveDate,
    /// The day they left or were removed, when within the year.
    pub until: Option<NaiveDate>,
}

/// A change of membership in the year (requests and declined requests are not changes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberChange {
    pub at: DateTime<Utc>,
    pub name: String,
    pub kind: MembershipEvent,
    pub role: Option<StudioRole>,
}

/// An open lesson held in the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LedgerLesson {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub title: String,
    pub teacher: String,
    pub seats: i64,
    /// Confirmed bookings, checked in or not.
    pub booked: i64,
    pub checked_in: i64,
    /// Schools and districts the teachers who checked in came from.
    pub schools: i64,
    pub districts: i64,
}

/// A lesson study open at some time in the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LedgerStudy {
    pub id: Uuid,
    /// The day it started (in China).
    pub started_on: NaiveDate,
    pub title: String,
    pub lead: String,
    pub phase: Phase,
    pub rounds: i64,
    pub plan_versions: i64,
    /// The debrief's conclusions (the latest plan version's when the study has none yet),
    /// cut to [`CONCLUSIONS_MAX`] characters.
    pub conclusions: String,
    /// Observers with a focus or invited as observers, and how many of them came from other
    /// schools.
    pub observers: i64,
    pub observers_from_other_schools: i64,
}

/// Teachers from one other school who observed the studio's lessons or studies in the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SchoolReach {
    /// `None`: teachers whose school is not matched to a district's list.
    pub school: Option<String>,
    pub district: Option<String>,
    pub observers: i64,
}

/// Growth figures of the year: goals signed off as achieved, milestones done, and the mentors'
/// and host's decisions on goals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Growth {
    pub goals_achieved: i64,
    pub milestones_done: i64,
    pub sign_offs: i64,
}

/// A growth figure: its label and how to read it from [`Growth`].
pub type GrowthFigure = (StudioYearMsg, fn(Growth) -> i64);

impl Growth {
    /// The growth figures in the order the record shows them.
    pub const FIGURES: [GrowthFigure; 3] = [
        (StudioYearMsg::GoalsAchieved, |g| g.goals_achieved),
        (StudioYearMsg::MilestonesDone, |g| g.milestones_done),
        (StudioYearMsg::SignOffs, |g| g.sign_offs),
    ];
}

/// A mentee of the year: credited hours (any source) and, when the reader may see it, growth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MenteeGrowth {
    pub id: Uuid,
    pub name: String,
    pub hours_tenths: i64,
    /// Goals still open at the time of the record.
    pub open_goals: Option<i64>,
    pub growth: Option<Growth>,
}

/// Mentees whose growth a school or district reader may not see by name, as one row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OtherMentees {
    pub mentees: i64,
    /// `None`: fewer than the small-cell minimum.
    pub growth: Option<Growth>,
}

/// A year's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Members at the end of the year (or now, for the current year).
    pub members: i64,
    pub mentees: i64,
    pub lessons: i64,
    pub seats: i64,
    pub booked: i64,
    pub checked_in: i64,
    pub schools_reached: i64,
    pub districts_reached: i64,
    pub studies: i64,
    pub rounds: i64,
    pub plan_versions: i64,
    pub study_observers: i64,
    pub mentee_hours_tenths: i64,
    /// `None` when the reader may not see it (a few mentees' growth could be told from it).
    pub growth: Option<Growth>,
}

impl Totals {
    /// The counted figures of this year and `previous`, labelled, in the order the record shows
    /// them (hours and growth follow them).
    pub fn counts_beside(&self, previous: &Totals) -> [(StudioYearMsg, i64, i64); 12] {
        use StudioYearMsg as M;
        let (a, b) = (self, previous);
        [
            (M::TotalMembers, a.members, b.members),
            (M::TotalMentees, a.mentees, b.mentees),
            (M::TotalLessons, a.lessons, b.lessons),
            (M::TotalSeats, a.seats, b.seats),
            (M::TotalBooked, a.booked, b.booked),
            (M::TotalCheckedIn, a.checked_in, b.checked_in),
            (M::TotalSchools, a.schools_reached, b.schools_reached),
            (M::TotalDistricts, a.districts_reached, b.districts_reached),
            (M::TotalStudies, a.studies, b.studies),
            (M::TotalRounds, a.rounds, b.rounds),
            (M::TotalPlanVersions, a.plan_versions, b.plan_versions),
            (M::TotalObservers, a.study_observers, b.study_observers),
        ]
    }
}

/// The host's words: the only typed part.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Narrative {
    pub summary: String,
    pub next_plan: String,
}

/// One quota year of a studio's record: what is hashed and frozen when it is finalised. Finalised
/// versions are read back from their JSON for ever, so a field added here later needs
/// `#[serde(default)]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudioYearRecord {
    pub studio: StudioHeading,
    pub year: i32,
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    pub quota_tenths: i64,
    pub members: Vec<Member>,
    pub changes: Vec<MemberChange>,
    pub lessons: Vec<LedgerLesson>,
    pub studies: Vec<LedgerStudy>,
    pub reach: Vec<SchoolReach>,
    pub mentees: Vec<MenteeGrowth>,
    /// Set only when read by a school or district: mentees not named with their growth.
    pub others: Option<OtherMentees>,
    pub totals: Totals,
    pub previous: Totals,
    pub narrative: Narrative,
}

/// Who reads a studio's record, which decides what it shows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordReader {
    Host,
    Mentor,
    /// A leader of the studio's school.
    School,
    /// An admin of the studio's district.
    District,
}

impl RecordReader {
    /// The host and mentors coach the mentees: they see everything by name.
    pub fn coaches(self) -> bool {
        matches!(self, RecordReader::Host | RecordReader::Mentor)
    }
}

/// A finalised version, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct VersionSummary {
    pub version: i32,
    pub finalised_at: DateTime<Utc>,
    pub finalised_by: String,
    pub reason: String,
}

/// What the page shows: the live figures, or one finalised version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shown {
    Live,
    Finalised {
        version: VersionSummary,
        sha256: String,
        /// The stored content still hashes to `sha256`.
        intact: bool,
        /// A later version exists.
        superseded: bool,
    },
}

/// `/studios/{slug}/record/{year}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudioYearPage {
    pub record: StudioYearRecord,
    pub shown: Shown,
    /// Finalised versions, newest first.
    pub versions: Vec<VersionSummary>,
    pub reader: RecordReader,
    /// The year shown and those the chooser offers.
    pub year: crate::districts::dashboard::YearChoice,
    /// The narrative being written (the host's draft), for the host's form.
    pub draft: Narrative,
}
