//! The district dashboard and the school page: every figure computed from what Atelier already
//! holds (credited hours, bookings, studies, growth plans), for one quota year of the district,
//! with small cells suppressed; and a consenting teacher's development record, opened by a leader
//! and logged.

pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

use super::DistrictMsg;
use crate::accounts::Tier;
use crate::growth::HourCategory;
use crate::kit::codes::coded_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A district's training-hour rules; a new district takes the server's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRules {
    /// Hours owed per quota year, in tenths.
    pub quota_tenths: i64,
    /// 1 = calendar year; 9 = a school year from September.
    pub year_start_month: u32,
    /// The first year of a five-year cycle (any cycle: they follow each other).
    pub cycle_start_year: i32,
    /// Hours owed per five-year cycle, in tenths.
    pub cycle_quota_tenths: i64,
}

impl Default for YearRules {
    fn default() -> YearRules {
        YearRules { quota_tenths: 960, year_start_month: 1, cycle_start_year: 2026, cycle_quota_tenths: 3600 }
    }
}

coded_enum! {
    /// Where a teacher's credited hours stand against the yearly quota (the histogram's bars).
    pub enum QuotaBand {
        Nothing = "0" => DistrictMsg::BandNothing,
        Under25 = "lt25" => DistrictMsg::BandUnder25,
        Under50 = "lt50" => DistrictMsg::BandUnder50,
        Under75 = "lt75" => DistrictMsg::BandUnder75,
        Under100 = "lt100" => DistrictMsg::BandUnder100,
        Complete = "done" => DistrictMsg::BandComplete,
    }
}

coded_enum! {
    /// How the school table is ordered (`?sort=`); an unknown key is a field error.
    pub enum SchoolSort {
        Name = "name" => DistrictMsg::School,
        Teachers = "teachers" => DistrictMsg::Teachers,
        Median = "median" => DistrictMsg::MedianHours,
        Complete = "complete" => DistrictMsg::ShareComplete,
        Studios = "studios" => DistrictMsg::Studios,
    }
}

coded_enum! {
    /// How the studio table is ordered (`?studio_sort=`): by name, else largest first.
    pub enum StudioSort {
        Name = "name" => DistrictMsg::Studio,
        Members = "members" => DistrictMsg::Members,
        Lessons = "lessons" => DistrictMsg::LessonsHeld,
        Studies = "studies" => DistrictMsg::StudiesRun,
    }
}

/// Credited training hours of the year's teachers. `None`: fewer than k teachers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HourFigures {
    pub median_tenths: Option<i64>,
    /// Share with at least the quota pro-rated to today (the whole quota for a past year).
    pub on_track_percent: Option<u32>,
    pub complete_percent: Option<u32>,
    /// Teachers per band, suppressed as a breakdown of the teacher total.
    pub histogram: Vec<(QuotaBand, Option<i64>)>,
    /// Tenths of an hour per category; hidden where fewer than k teachers have any.
    pub by_category: Vec<(HourCategory, Option<i64>)>,
    /// The five-year cycle the year falls in: (first year, last year).
    pub cycle: (i32, i32),
    /// Median of each teacher's cycle total so far, and the share who reached the cycle quota.
    pub cycle_median_tenths: Option<i64>,
    pub cycle_complete_percent: Option<u32>,
}

/// One year of the five-year trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearPoint {
    pub year: i32,
    pub teachers: Option<i64>,
    pub median_tenths: Option<i64>,
    pub complete_percent: Option<u32>,
}

/// Open lessons of the scope's studios that took place in the year.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonFigures {
    pub held: Option<i64>,
    pub seats_offered: Option<i64>,
    pub seats_booked: Option<i64>,
    pub checkin_percent: Option<u32>,
    pub other_school_percent: Option<u32>,
    pub other_district_percent: Option<u32>,
}

/// Lesson studies of the scope's studios active in the year.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyFigures {
    pub run: Option<i64>,
    pub closed: Option<i64>,
    pub rounds: Option<i64>,
    /// Observers (note authors) per round, in tenths.
    pub observers_per_round_tenths: Option<i64>,
    pub citing_percent: Option<u32>,
}

/// Growth plans of the scope's teachers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GrowthFigures {
    pub goals_active: Option<i64>,
    pub goals_achieved: Option<i64>,
    pub milestones_on_time_percent: Option<u32>,
    /// Median days from a mentee's evidence to the first response of someone else.
    pub median_response_days: Option<i64>,
}

/// A studio that has done nothing in the last 90 days; named only when public.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DormantStudio {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudioFigures {
    pub total: i64,
    pub active: i64,
    pub dormant_public: Vec<DormantStudio>,
    pub dormant_private: i64,
}

/// Everything the dashboard or the school page shows above its tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub teachers: Option<i64>,
    pub by_tier: Vec<(Tier, Option<i64>)>,
    /// Teachers who let this page's readers open their record.
    pub shared: Option<i64>,
    pub hours: HourFigures,
    pub trend: Vec<YearPoint>,
    pub lessons: LessonFigures,
    pub studies: StudyFigures,
    pub growth: GrowthFigures,
    pub studios: StudioFigures,
}

/// A row of the district's school table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchoolRow {
    pub id: Uuid,
    pub name: String,
    pub teachers: Option<i64>,
    pub median_tenths: Option<i64>,
    pub complete_percent: Option<u32>,
    pub studios: i64,
}

/// A row of the studio table: public studios by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudioRow {
    pub slug: String,
    pub name: String,
    pub school: String,
    pub members: Option<i64>,
    pub lessons: i64,
    pub studies: i64,
    /// The latest finalised version of the studio's yearly record of the year.
    pub record_version: Option<i32>,
}

/// The quota year a page shows, and the years it may show instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearChoice {
    pub year: i32,
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    pub choices: Vec<i32>,
    pub rules: YearRules,
}

/// `/district`: one district, one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub district: (Uuid, String),
    /// Every district the viewer administers, for the chooser.
    pub districts: Vec<(Uuid, String)>,
    pub year: YearChoice,
    pub min_cell: i64,
    pub figures: Figures,
    pub schools: Vec<SchoolRow>,
    pub sort: SchoolSort,
    pub descending: bool,
    pub studio_sort: StudioSort,
    pub studios: Vec<StudioRow>,
    pub studio_page: u32,
    pub more_studios: bool,
    pub private_studios: i64,
}

/// A teacher named on the school page (they let the reader open their record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedTeacher {
    pub id: Uuid,
    pub name: String,
    pub tier: Tier,
}

/// `/district/schools/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchoolPage {
    pub id: Uuid,
    pub name: String,
    pub district: (Uuid, String),
    pub year: YearChoice,
    pub min_cell: i64,
    pub figures: Figures,
    pub named: Vec<NamedTeacher>,
    pub named_total: i64,
    pub page: u32,
    pub has_more: bool,
}
