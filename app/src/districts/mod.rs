//! Districts and their schools: the rows every teacher and studio belongs to, the district
//! admins and school leaders scoped to them, and each teacher's consent to be seen by them as a
//! person (with the log of who looked).

pub mod api;
pub mod dashboard;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::DistrictMsg;

use crate::kit::codes::coded_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

coded_enum! {
    /// In which capacity a leader opened a teacher's development record (`record_views.capacity`).
    pub enum ViewerCapacity {
        SchoolLeader = "school_leader" => DistrictMsg::AsSchoolLeader,
        DistrictAdmin = "district_admin" => DistrictMsg::AsDistrictAdmin,
    }
}

/// A teacher's consent switches, with the school they apply to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sharing {
    pub with_school: bool,
    pub with_district: bool,
    /// (school, district) the profile is matched to; `None`: not matched to a listed school.
    pub school: Option<(String, String)>,
}

/// One opening of a teacher's record by a leader, as the teacher sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordView {
    pub viewer_name: String,
    pub capacity: ViewerCapacity,
    pub viewed_at: DateTime<Utc>,
}

/// A page of the log, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordViews {
    pub views: Vec<RecordView>,
    pub page: u32,
    pub has_more: bool,
}

coded_enum! {
    /// Whether a school is on its district's list, or asked for by a teacher (`schools.status`).
    pub enum SchoolStatus {
        Listed = "listed" => DistrictMsg::StatusListed,
        Requested = "requested" => DistrictMsg::StatusRequested,
    }
}

coded_enum! {
    /// A school's stage (`schools.stage`), set by its district's admin.
    pub enum SchoolStage {
        Kindergarten = "kindergarten" => DistrictMsg::StageKindergarten,
        Primary = "primary" => DistrictMsg::StagePrimary,
        Junior = "junior" => DistrictMsg::StageJunior,
        Senior = "senior" => DistrictMsg::StageSenior,
        NineYear = "nine_year" => DistrictMsg::StageNineYear,
        Complete = "complete" => DistrictMsg::StageComplete,
    }
}

/// The smallest number of teachers a figure may be shown for (`ATELIER_MIN_CELL`, default 5);
/// provided by the server, never taken from a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinCell(pub i64);

impl Default for MinCell {
    fn default() -> MinCell {
        MinCell(5)
    }
}

/// Suggestions for the district and school fields: district names, and (school, district) of the
/// listed schools.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchoolChoiceList {
    pub districts: Vec<String>,
    pub schools: Vec<(String, String)>,
}

/// A school as its district's admin manages it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SchoolSummary {
    pub id: Uuid,
    #[serde(skip)]
    pub district_id: Uuid,
    pub name: String,
    pub status: SchoolStatus,
    pub stage: Option<SchoolStage>,
    /// Rural (`true`) or urban (`false`); `None` until the admin says.
    pub rural: Option<bool>,
    /// Teachers of the school; `None` when fewer than k could be told apart.
    pub teachers: Option<i64>,
    /// (id, name) of its leaders.
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub leaders: Vec<(Uuid, String)>,
}

/// A district its admin manages: the schools, requested ones first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminDistrict {
    pub id: Uuid,
    pub name: String,
    pub schools: Vec<SchoolSummary>,
    /// All its schools' teachers; `None` when fewer than k.
    pub teachers: Option<i64>,
    pub min_cell: i64,
    pub rules: dashboard::YearRules,
}
