//! Growth plans (成长规划) and the training-hour ledger (培训学时): mentee goals, milestones,
//! evidence, mentor sign-off, templates (the three-year track), yearly hours against a quota.

pub mod api;
pub mod charts;
pub mod hours_api;
mod messages;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod csv_export;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::GrowthMsg;

use crate::kit::codes::coded_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Deployment settings of the ledger: the yearly quota and where the year starts. Provided to
/// server functions through the Leptos context (see `server/src/startup.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursSettings {
    /// Hours owed per year, in tenths of an hour (96 hours = 960).
    pub quota_tenths: i64,
    /// 1 = calendar year; 9 = a school year from September to August.
    pub year_start_month: u32,
}

impl Default for HoursSettings {
    fn default() -> Self {
        HoursSettings { quota_tenths: 960, year_start_month: 1 }
    }
}

impl HoursSettings {
    /// A district's own settings (its columns, null where it keeps the default) over these
    /// deployment defaults.
    pub fn with_district(self, quota_tenths: Option<i32>, year_start_month: Option<i32>) -> HoursSettings {
        HoursSettings {
            quota_tenths: quota_tenths.map(i64::from).unwrap_or(self.quota_tenths),
            year_start_month: year_start_month.and_then(|m| u32::try_from(m).ok()).unwrap_or(self.year_start_month),
        }
    }
}

coded_enum! {
    pub enum GoalCategory {
        Teaching = "teaching" => GrowthMsg::CatTeaching,
        Research = "research" => GrowthMsg::CatResearch,
        Classroom = "classroom" => GrowthMsg::CatClassroom,
        Reading = "reading" => GrowthMsg::CatReading,
        Other = "other" => GrowthMsg::CatOther,
    }
}

coded_enum! {
    pub enum TargetStage {
        Year1 = "year1" => GrowthMsg::StageYear1,
        Year2 = "year2" => GrowthMsg::StageYear2,
        Year3 = "year3" => GrowthMsg::StageYear3,
        NewTeacher = "new_teacher" => GrowthMsg::StageNewTeacher,
        RisingStar = "rising_star" => GrowthMsg::StageRisingStar,
        Backbone = "backbone" => GrowthMsg::StageBackbone,
        Master = "master" => GrowthMsg::StageMaster,
        LeadingMaster = "leading_master" => GrowthMsg::StageLeadingMaster,
    }
}

coded_enum! {
    pub enum GoalStatus {
        Active = "active" => GrowthMsg::StatusActive,
        Achieved = "achieved" => GrowthMsg::StatusAchieved,
        Dropped = "dropped" => GrowthMsg::StatusDropped,
    }
}

coded_enum! {
    pub enum HourCategory {
        Online = "online" => GrowthMsg::HourOnline,
        Offline = "offline" => GrowthMsg::HourOffline,
        Shadowing = "shadowing" => GrowthMsg::HourShadowing,
        OpenLesson = "open_lesson" => GrowthMsg::HourOpenLesson,
        LessonStudy = "lesson_study" => GrowthMsg::HourLessonStudy,
        Course = "course" => GrowthMsg::HourCourse,
    }
}

coded_enum! {
    /// What created a training record (`training_records.source_kind`).
    pub enum RecordSource {
        Manual = "manual" => GrowthMsg::SourceManual,
        Booking = "booking" => GrowthMsg::SourceBooking,
        StudySession = "study_session" => GrowthMsg::SourceStudySession,
        /// Hours earned elsewhere, imported by the district's system (`hour_imports`).
        Import = "import" => GrowthMsg::SourceImport,
    }
}

coded_enum! {
    /// What happened to a goal (`growth_goal_events.kind`).
    pub enum GoalEventKind {
        Created = "created" => GrowthMsg::EventCreated,
        Achieved = "achieved" => GrowthMsg::EventAchieved,
        Reopened = "reopened" => GrowthMsg::EventReopened,
        Dropped = "dropped" => GrowthMsg::EventDropped,
    }
}

/// One training record as the ledger shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HourRecord {
    pub id: Uuid,
    pub occurred_on: NaiveDate,
    pub tenths: i64,
    /// What the attendance was worth when the day's 24 hours allowed less (then `tenths` is
    /// what was credited).
    pub attended_tenths: Option<i64>,
    pub category: HourCategory,
    pub description: String,
    pub evidence: String,
    /// `Manual`, or what created the record (then it cannot be edited by hand).
    pub source_kind: RecordSource,
    /// For an imported course: its first day (`occurred_on` is its last) and where it was earned.
    pub starts_on: Option<NaiveDate>,
    pub source_system: Option<String>,
    pub verified_by_name: Option<String>,
}

/// A user's ledger for one quota year, with everything the charts need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub user_id: Uuid,
    pub user_name: String,
    pub is_own: bool,
    pub can_verify: bool,
    /// The quota year shown (named by the calendar year it starts in), and whether it is the
    /// current one.
    pub year: i32,
    pub is_current: bool,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    pub quota_tenths: i64,
    pub total_tenths: i64,
    /// (category, tenths) in `HourCategory::ALL` order.
    pub by_category: Vec<(HourCategory, i64)>,
    /// 12 months from the start of the quota year: (first day of month, tenths).
    pub by_month: Vec<(NaiveDate, i64)>,
    pub records: Vec<HourRecord>,
    pub today: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    pub done: bool,
    pub evidence: String,
    pub evidence_links: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: Uuid,
    pub milestone_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalEventView {
    pub kind: GoalEventKind,
    pub actor_name: String,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub category: GoalCategory,
    pub target_stage: TargetStage,
    pub due_on: NaiveDate,
    pub status: GoalStatus,
    pub from_template: bool,
    pub milestones: Vec<MilestoneView>,
    pub comments: Vec<CommentView>,
    pub events: Vec<GoalEventView>,
}

/// A mentee's plan with what the viewer may do to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub studio_slug: String,
    pub studio_name: String,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub can_edit: bool,
    pub can_comment: bool,
    pub can_sign_off: bool,
    pub goals: Vec<GoalView>,
    pub today: NaiveDate,
}

/// A studio the viewer belongs to, with their role and (for a mentee) their plan's progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyStudioPlan {
    pub studio_slug: String,
    pub studio_name: String,
    pub role: crate::studios::StudioRole,
    pub goals_done: i64,
    pub goals_total: i64,
}

/// One mentee's line in a studio's overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub goals_done: i64,
    pub goals_total: i64,
    pub overdue_milestones: i64,
    pub hours_tenths: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: Uuid,
    pub name: String,
    pub goal_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub studio_slug: String,
    pub studio_name: String,
    pub is_host: bool,
    pub quota_tenths: i64,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    /// One page of the mentees, in the order asked for.
    pub rows: Vec<OverviewRow>,
    pub page: u32,
    pub pages: u32,
    pub templates: Vec<TemplateSummary>,
}
