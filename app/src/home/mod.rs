//! The home page. A visitor sees what Atelier is and the lessons coming up; a signed-in teacher
//! sees what needs them now, one card per concern, each with its next step one tap away — the
//! whole home loaded in a few queries (`store::load_home`).

pub mod api;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::HomeMsg;

use crate::lessons::{BookingStatus, LessonStatus};
use crate::study::Phase;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything a signed-in teacher's home shows. `mentee` and `lead` are there only for someone
/// who is an active mentee, or host or mentor, of some studio; `dashboard` only for school
/// leaders and district admins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Home {
    /// The server's clock and the viewer's day, so the page reads the same in the browser.
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub hours: HoursProgress,
    pub booked: Vec<BookedLesson>,
    pub studies: Vec<ActiveStudy>,
    /// Lessons of the next 7 days the viewer teaches or whose studio they lead.
    pub lessons: Vec<LedLesson>,
    pub mentee: Option<MenteeCards>,
    pub lead: Option<LeadCards>,
    pub dashboard: Option<DashboardHeadline>,
}

/// Credited hours in the current quota year against the district's quota.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoursProgress {
    pub year_start: NaiveDate,
    /// The last day of the year (inclusive).
    pub year_last: NaiveDate,
    pub done_tenths: i64,
    pub quota_tenths: i64,
}

/// A lesson the viewer booked that has not ended yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookedLesson {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
    /// 1 for the first in line; only for a waitlisted booking.
    pub waitlist_position: Option<i64>,
}

/// A lesson study the viewer belongs to that is not closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActiveStudy {
    pub id: Uuid,
    pub title: String,
    pub phase: Phase,
    pub studio_name: String,
    /// One of its rounds' lessons starts today (in the viewer's time zone).
    pub lesson_today: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenteeCards {
    /// Open milestones of active goals, overdue or due in the next 14 days, soonest first.
    pub due: Vec<DueMilestone>,
    pub due_total: i64,
    /// Comments of others on the viewer's goals in the last 30 days, newest first.
    pub feedback: Vec<Feedback>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DueMilestone {
    pub title: String,
    pub goal_title: String,
    pub due_on: NaiveDate,
    pub plan_href: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub author: String,
    pub goal_title: String,
    pub excerpt: String,
    pub at: DateTime<Utc>,
    pub plan_href: String,
    /// Written since the viewer last opened the home.
    pub new: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadCards {
    /// Milestones marked done with evidence that no one but the mentee has answered since,
    /// oldest first.
    pub evidence: Vec<WaitingEvidence>,
    pub evidence_total: i64,
    pub join_requests: Vec<JoinRequests>,
    pub approvals: Vec<BookingApprovals>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitingEvidence {
    pub mentee: String,
    pub milestone: String,
    pub done_at: DateTime<Utc>,
    pub plan_href: String,
}

/// Pending join requests of one studio the viewer leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinRequests {
    pub studio_slug: String,
    pub studio_name: String,
    pub waiting: i64,
}

/// Bookings waiting for approval on one upcoming lesson of a studio the viewer leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingApprovals {
    pub lesson_id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub waiting: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedLesson {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: LessonStatus,
    pub teaching: bool,
    pub seats_taken: i32,
    pub capacity: i32,
    /// Only on the lesson's day, and only for the studio's host and mentors (who run attendance).
    pub checkin_code: Option<String>,
}

/// A school leader's or district admin's way into their dashboard, with three of its figures
/// for the current quota year (each `None` below the small-cell minimum).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardHeadline {
    pub href: String,
    pub name: String,
    pub year: i32,
    pub teachers: Option<i64>,
    pub median_tenths: Option<i64>,
    pub on_track_percent: Option<u32>,
}
