//! Open lessons (名师课堂开放): scheduling, booking with a waitlist, attendance, calendars and
//! notifications. api.rs (server functions) → store.rs (queries, one transaction per action) →
//! rules.rs (pure rules: permissions, validation, seats).

pub mod api;
#[cfg(feature = "ssr")]
pub mod ics;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::LessonMsg;

use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! coded_enum {
    ($name:ident { $($variant:ident = $code:literal => $msg:ident),* $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The value stored in the database and sent by forms.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
            pub fn label(self) -> Msg {
                match self { $($name::$variant => Msg::Lesson(LessonMsg::$msg)),* }
            }
        }
    };
}

coded_enum!(LessonStatus {
    Draft = "draft" => StatusDraft,
    Published = "published" => StatusPublished,
    Cancelled = "cancelled" => StatusCancelled,
    Done = "done" => StatusDone,
});

coded_enum!(BookingStatus {
    Pending = "pending" => BookingPending,
    Confirmed = "confirmed" => BookingConfirmed,
    Waitlisted = "waitlisted" => BookingWaitlisted,
    Cancelled = "cancelled" => BookingCancelled,
    Declined = "declined" => BookingDeclined,
    Attended = "attended" => BookingAttended,
    NoShow = "no_show" => BookingNoShow,
});

coded_enum!(Mode {
    InPerson = "in_person" => ModeInPerson,
    Online = "online" => ModeOnline,
    Hybrid = "hybrid" => ModeHybrid,
});

/// One line of a lesson list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonSummary {
    pub id: Uuid,
    pub title: String,
    pub studio_name: String,
    pub teacher_name: String,
    pub subject: String,
    pub grade: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The lesson's own zone, shown beside the viewer's when they differ.
    pub time_zone: String,
    pub capacity: i32,
    #[serde(default)]
    pub seats_taken: i64,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub district: String,
    /// `draft`, `published`, `cancelled` or `done`.
    #[serde(default)]
    pub status: String,
    /// The viewer's own booking status, in lists of their bookings.
    #[serde(default)]
    pub my_status: Option<BookingStatus>,
}

/// The signed-in user's lessons: what they booked, and what their studios run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyLessons {
    pub booked: Vec<LessonSummary>,
    pub managed: Vec<LessonSummary>,
}

/// The filters of the lesson list (all optional; dates as `YYYY-MM-DD` in the viewer's zone).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LessonFilter {
    pub subject: String,
    pub grade: String,
    pub district: String,
    pub mode: String,
    pub from: String,
    pub to: String,
    pub free_seats: bool,
}

/// The viewer's own booking of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyBooking {
    pub id: Uuid,
    pub status: BookingStatus,
    /// 1-based place on the waitlist, when waitlisted.
    pub waitlist_position: Option<i64>,
}

/// A lesson's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonDetail {
    pub id: Uuid,
    pub studio_id: Uuid,
    pub studio_name: String,
    pub studio_slug: String,
    pub teacher_name: String,
    pub title: String,
    pub subject: String,
    pub grade: String,
    pub topic: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub mode: Mode,
    pub place: String,
    pub link: String,
    pub capacity: i32,
    pub seats_taken: i64,
    pub waitlisted: i64,
    pub booking_opens_at: Option<DateTime<Utc>>,
    pub booking_closes_at: Option<DateTime<Utc>>,
    pub needs_approval: bool,
    pub credited_hours: String,
    pub status: LessonStatus,
    pub cancel_reason: String,
    pub my_booking: Option<MyBooking>,
    /// Whether the viewer leads the studio (host or mentor): may manage and run attendance.
    pub can_manage: bool,
    /// The check-in code, for those who run attendance only.
    pub checkin_code: Option<String>,
}

/// One line of the host's attendee list (never shown to observers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attendee {
    pub booking_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub school: String,
    pub status: BookingStatus,
    pub booked_at: DateTime<Utc>,
}

/// One in-app notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub lesson_id: Option<Uuid>,
    pub lesson_title: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

impl Notification {
    pub fn label(&self) -> Msg {
        Msg::Lesson(notification_kind_label(&self.kind))
    }
}

pub fn notification_kind_label(kind: &str) -> LessonMsg {
    match kind {
        "booking_confirmed" => LessonMsg::KindBookingConfirmed,
        "booking_waitlisted" => LessonMsg::KindBookingWaitlisted,
        "booking_pending" => LessonMsg::KindBookingPending,
        "promoted" => LessonMsg::KindPromoted,
        "approved" => LessonMsg::KindApproved,
        "declined" => LessonMsg::KindDeclined,
        "lesson_changed" => LessonMsg::KindLessonChanged,
        "lesson_cancelled" => LessonMsg::KindLessonCancelled,
        _ => LessonMsg::KindReminder,
    }
}

#[cfg(feature = "ssr")]
pub mod http;
