//! A teacher's development record: one quota year of what Atelier already holds about their
//! growth (hours against the quotas, lessons taught and observed, lesson studies, growth plans),
//! written by nobody. The teacher reads it at `/me/record`; a school leader or the district reads
//! the same view only with the teacher's consent (`districts`).

pub mod api;
pub mod certificates;
#[cfg(feature = "ssr")]
pub mod export;
mod messages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;
pub mod studio_year;

pub use messages::RecordMsg;

use crate::accounts::Tier;
use crate::districts::dashboard::YearChoice;
use crate::growth::{GoalView, HourCategory};
use crate::study::{GroupRole, Phase};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Lessons, observed lessons and studies listed per year at most (a teacher takes part in far
/// fewer; the cap bounds the page whatever the data).
pub const LIST_MAX: i64 = 200;

/// A lesson the teacher taught in the year, with who came.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TaughtLesson {
    pub id: Uuid,
    pub title: String,
    pub studio: String,
    pub starts_at: DateTime<Utc>,
    /// Teachers who checked in.
    pub observers: i64,
    /// The schools they came from.
    pub schools: i64,
}

/// A lesson the teacher observed (checked in to).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ObservedLesson {
    pub id: Uuid,
    pub title: String,
    pub studio: String,
    pub starts_at: DateTime<Utc>,
}

/// A lesson study the teacher took part in during the year, and as what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StudyPart {
    pub id: Uuid,
    pub title: String,
    pub studio: String,
    pub role: GroupRole,
    pub phase: Phase,
}

/// One of the teacher's growth plans, read-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    pub studio: String,
    pub goals: Vec<GoalView>,
}

/// Credited hours of one quota year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearHours {
    pub year: i32,
    pub total_tenths: i64,
}

/// One quota year of a teacher's record, as the teacher sees it (and, read-only, whoever they
/// let see it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DevelopmentRecord {
    pub id: Uuid,
    pub name: String,
    /// `None`: the profile's school is not matched to a district's list yet.
    pub school: Option<String>,
    pub tier: Tier,
    pub year: YearChoice,
    pub total_tenths: i64,
    pub by_category: Vec<(HourCategory, i64)>,
    /// The five-year cycle the year is in (first, last year) and its hours up to this year.
    pub cycle: (i32, i32),
    pub cycle_tenths: i64,
    /// This year and the four before it, oldest first.
    pub years: Vec<YearHours>,
    pub taught: Vec<TaughtLesson>,
    pub observed: Vec<ObservedLesson>,
    pub studies: Vec<StudyPart>,
    pub plans: Vec<PlanRecord>,
}
