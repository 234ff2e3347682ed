//! Open lessons (名师课堂开放): scheduling, booking with a waitlist, attendance, calendars and
//! notifications. api.rs (server functions) → store.rs (queries, one transaction per action) →
//! rules.rs (pure rules: permissions, validation, seats).

pub mod api;
#[cfg(feature = "ssr")]
pub mod ics;
mod messages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::LessonMsg;

use crate::kit::codes::coded_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

coded_enum! {
    pub enum LessonStatus {
        Draft = "draft" => LessonMsg::StatusDraft,
        Published = "published" => LessonMsg::StatusPublished,
        Cancelled = "cancelled" => LessonMsg::StatusCancelled,
        Done = "done" => LessonMsg::StatusDone,
    }
}

coded_enum! {
    pub enum BookingStatus {
        Pending = "pending" => LessonMsg::BookingPending,
        Confirmed = "confirmed" => LessonMsg::BookingConfirmed,
        Waitlisted = "waitlisted" => LessonMsg::BookingWaitlisted,
        Cancelled = "cancelled" => LessonMsg::BookingCancelled,
        Declined = "declined" => LessonMsg::BookingDeclined,
        Attended = "attended" => LessonMsg::BookingAttended,
        NoShow = "no_show" => LessonMsg::BookingNoShow,
    }
}

coded_enum! {
    pub enum Mode {
        InPerson = "in_person" => LessonMsg::ModeInPerson,
        Online = "online" => LessonMsg::ModeOnline,
        Hybrid = "hybrid" => LessonMsg::ModeHybrid,
    }
}

/// One line of a lesson list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
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
    pub seats_taken: i64,
    pub mode: Mode,
    pub district: String,
    pub status: LessonStatus,
    /// The viewer's own booking status, in lists of their bookings.
    #[cfg_attr(feature = "ssr", sqlx(default))]
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
    /// The list's page, from 1 (0 is read as 1).
    pub page: u32,
}

/// One page of the lesson finder's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonPage {
    pub lessons: Vec<LessonSummary>,
    pub page: u32,
    /// Whether a next page has lessons.
    pub more: bool,
}

/// A day of the calendar that has lessons: how many, and the first of them (all of them in the
/// week view).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: chrono::NaiveDate,
    pub count: i64,
    pub lessons: Vec<CalendarEntry>,
}

/// A lesson as a calendar's day shows it: its time and title, linking to its page. Only these
/// travel: the page embeds what it shows for hydration, and whole summaries made a month's
/// calendar three times larger (55 of its 84 KB were the embedded data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CalendarEntry {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
}

/// The month or week the calendar shows: its first day and length in days (whole weeks from a
/// Monday), the date it was asked about, and the days that have lessons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarPeriod {
    pub start: chrono::NaiveDate,
    pub days: u32,
    pub anchor: chrono::NaiveDate,
    pub busy: Vec<CalendarDay>,
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

coded_enum! {
    /// What an in-app notification (and its email) is about.
    pub enum NotificationKind {
        BookingConfirmed = "booking_confirmed" => LessonMsg::KindBookingConfirmed,
        BookingWaitlisted = "booking_waitlisted" => LessonMsg::KindBookingWaitlisted,
        BookingPending = "booking_pending" => LessonMsg::KindBookingPending,
        Promoted = "promoted" => LessonMsg::KindPromoted,
        Approved = "approved" => LessonMsg::KindApproved,
        Declined = "declined" => LessonMsg::KindDeclined,
        LessonChanged = "lesson_changed" => LessonMsg::KindLessonChanged,
        LessonCancelled = "lesson_cancelled" => LessonMsg::KindLessonCancelled,
        Reminder = "reminder" => LessonMsg::KindReminder,
        StudioRecordFinalised = "studio_record_finalised" => LessonMsg::KindStudioRecordFinalised,
    }
}

/// One in-app notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    /// The page it is about (a lesson, a studio's yearly record), and its name.
    pub href: Option<String>,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[cfg(feature = "ssr")]
pub mod http;
