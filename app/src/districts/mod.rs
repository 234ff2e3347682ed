//! Districts and their schools: the rows every teacher and studio belongs to, the district
//! admins and school leaders scoped to them, and each teacher's consent to be seen by them as a
//! person (with the log of who looked).

pub mod api;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::DistrictMsg;

use crate::kit::codes::coded_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
