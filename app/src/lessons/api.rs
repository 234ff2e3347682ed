//! Open-lesson server functions. Each is thin: who is asking, may they (`rules::can`), is the
//! input valid, call the store (one transaction per action), map the error.

use super::rules::LessonForm;
use super::{Attendee, CalendarPeriod, LessonDetail, LessonFilter, LessonPage, LessonSummary, MyBooking, Notification};
use crate::kit::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, Action, LessonFacts, ValidLesson},
    super::{store, BookingStatus, LessonMsg},
    crate::accounts::auth::SessionUser,
    crate::kit::context::{auth_session, pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::{self, Checks},
    crate::studios::rules::Standing,
    sqlx::PgPool,
};

/// Where the asking user (if any) stands with the lesson's studio, and what the lesson's
/// permissions depend on.
#[cfg(feature = "ssr")]
pub(crate) async fn actor_for(
    pool: &PgPool,
    user: Option<&SessionUser>,
    lesson_id: Uuid,
) -> Result<(Standing, LessonFacts), AppError> {
    store::lesson_standing(pool, lesson_id, user.map(|u| u.id)).await?.ok_or(AppError::NotFound)
}

/// Checks `action` on the lesson; returns the signed-in user when there is one.
#[cfg(feature = "ssr")]
async fn authorize(pool: &PgPool, lesson_id: Uuid, action: Action) -> Result<Option<SessionUser>, AppError> {
    let user = auth_session().await?.user;
    let (actor, facts) = actor_for(pool, user.as_ref(), lesson_id).await?;
    rules::can(actor, action, facts)?;
    Ok(user)
}

#[cfg(feature = "ssr")]
async fn authorize_user(pool: &PgPool, lesson_id: Uuid, action: Action) -> Result<SessionUser, AppError> {
    authorize(pool, lesson_id, action).await?.ok_or(AppError::SignInRequired)
}

/// Anyone, signed in or not, may list the upcoming published lessons of public studios.
#[server(prefix = "/api", endpoint = "lessons/upcoming")]
pub async fn upcoming_lessons() -> Result<Vec<LessonSummary>, AppError> {
    Ok(store::upcoming(&pool()?, None, 10).await?)
}

/// The finder's filters, checked: dates as `YYYY-MM-DD` within the supported years, a known
/// mode, short text.
#[cfg(feature = "ssr")]
fn check_filter(filter: &LessonFilter) -> Result<(), AppError> {
    let mut checks = Checks::default();
    for (field, value) in [("from", &filter.from), ("to", &filter.to)] {
        if !value.is_empty() {
            checks.check(field, validate::date(value));
        }
    }
    if !filter.mode.is_empty() {
        checks.check("mode", super::Mode::from_code(&filter.mode).ok_or(Msg::ErrChoiceUnknown));
    }
    for (field, value) in [("subject", &filter.subject), ("grade", &filter.grade), ("district", &filter.district)] {
        checks.check(field, validate::line(value, false, 60));
    }
    checks.finish()
}

/// The viewer's time zone (the default for visitors): the finder's dates are days in it.
#[cfg(feature = "ssr")]
async fn viewer_time_zone() -> Result<String, AppError> {
    Ok(auth_session()
        .await?
        .user
        .map(|u| u.time_zone)
        .unwrap_or_else(|| crate::kit::time::DEFAULT_TIME_ZONE.to_owned()))
}

/// Anyone may search the upcoming published lessons of public studios, a page at a time
/// (`filter.page`). Dates are `YYYY-MM-DD` in the viewer's time zone.
#[server(prefix = "/api", endpoint = "lessons/list")]
pub async fn list_lessons(#[server(default)] filter: LessonFilter) -> Result<LessonPage, AppError> {
    check_filter(&filter)?;
    let tz = viewer_time_zone().await?;
    Ok(store::list(&pool()?, &filter, &tz).await?)
}

/// Anyone may see the published lessons of public studios as a calendar: the month (or, with
/// `week`, the week) that holds `filter.from` (today when empty), in the viewer's time zone,
/// with the other filters applied. A month shows each day's count and first lessons, a week
/// every lesson.
#[server(prefix = "/api", endpoint = "lessons/calendar")]
pub async fn lesson_calendar(
    #[server(default)] filter: LessonFilter,
    #[server(default)] week: bool,
) -> Result<CalendarPeriod, AppError> {
    check_filter(&filter)?;
    let tz = viewer_time_zone().await?;
    let anchor = match validate::date(&filter.from) {
        Ok(day) => day,
        Err(_) => chrono::Utc::now().with_timezone(&crate::kit::time::zone(&tz)).date_naive(),
    };
    let (start, days) = rules::calendar_period(anchor, week);
    let per_day = if week { rules::WEEK_DAY_LESSONS } else { rules::MONTH_DAY_LESSONS };
    let busy = store::calendar(&pool()?, &filter, &tz, start, days, per_day).await?;
    Ok(CalendarPeriod { start, days, anchor, busy })
}

/// Anyone may see a published, cancelled or finished lesson; a draft only the studio's host and
/// mentors. The check-in code is shown only to them.
#[server(prefix = "/api", endpoint = "lessons/detail")]
pub async fn get_lesson(lesson_id: Uuid) -> Result<LessonDetail, AppError> {
    let pool = pool()?;
    let user = auth_session().await?.user;
    let (actor, facts) = actor_for(&pool, user.as_ref(), lesson_id).await?;
    rules::can(actor, Action::View, facts)?;
    let mut detail = store::detail(&pool, lesson_id, user.map(|u| u.id)).await?.ok_or(AppError::NotFound)?;
    detail.can_manage = rules::can(actor, Action::RunAttendance, facts).is_ok();
    if !detail.can_manage {
        detail.checkin_code = None;
    }
    Ok(detail)
}

/// The studios the signed-in user may schedule lessons for (host or mentor): (slug, name).
#[server(prefix = "/api", endpoint = "lessons/my-studios")]
pub async fn my_led_studios() -> Result<Vec<(String, String)>, AppError> {
    let user = require_user().await?;
    Ok(store::led_studios(&pool()?, user.id).await?)
}

/// A studio's host or mentor schedules a lesson (as a draft) taught by an active member of the
/// studio (themselves unless `teacher_email` names another member).
#[server(prefix = "/api", endpoint = "lessons/schedule")]
pub async fn schedule_lesson(
    studio: String,
    teacher_email: Option<String>,
    #[server(flatten)] lesson: LessonForm,
) -> Result<Uuid, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    // Lessons are scheduled for active studios only.
    let (row, standing) = crate::studios::store::studio_and_standing(&pool, &studio, Some(user.id))
        .await?
        .filter(|(row, _)| !row.archived)
        .ok_or_else(|| AppError::field("studio", Msg::ErrChoiceUnknown))?;
    rules::can_schedule(standing)?;
    let studio_id = row.id;
    let valid = ValidLesson::parse(&lesson, chrono::Utc::now())?;
    let teacher_id = match teacher_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => user.id,
        Some(email) => store::active_member_by_email(&pool, studio_id, &email.to_lowercase())
            .await?
            .ok_or_else(|| AppError::field("teacher_email", Msg::from(LessonMsg::ErrNotAMember)))?,
    };
    let code = rules::checkin_code(rand::random());
    let id = store::create(&pool, studio_id, teacher_id, user.id, &valid, &code).await?;
    redirect_plain_form(&format!("/lessons/{id}"));
    Ok(id)
}

/// The studio's host or mentor edits a lesson; booked observers are notified of a change of
/// time or place.
#[server(prefix = "/api", endpoint = "lessons/update")]
pub async fn update_lesson(lesson_id: Uuid, #[server(flatten)] lesson: LessonForm) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::Manage).await?;
    let valid = ValidLesson::parse(&lesson, chrono::Utc::now())?;
    store::update(&pool, lesson_id, &valid).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor changes the number of seats; more seats promote the waitlist.
#[server(prefix = "/api", endpoint = "lessons/capacity")]
pub async fn set_capacity(lesson_id: Uuid, capacity: String) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::Manage).await?;
    let capacity = rules::parse_capacity(&capacity).map_err(|m| AppError::field("capacity", m))?;
    store::set_capacity(&pool, lesson_id, capacity).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor publishes a draft.
#[server(prefix = "/api", endpoint = "lessons/publish")]
pub async fn publish_lesson(lesson_id: Uuid) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::Manage).await?;
    store::publish(&pool, lesson_id).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor cancels a lesson with a reason; everyone booked is notified.
#[server(prefix = "/api", endpoint = "lessons/cancel")]
pub async fn cancel_lesson(lesson_id: Uuid, reason: String) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::Manage).await?;
    let reason = rules::check_reason(&reason).map_err(|m| AppError::field("reason", m))?;
    if reason.is_empty() {
        return Err(AppError::field("reason", Msg::ErrRequired));
    }
    store::cancel_lesson(&pool, lesson_id, &reason).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor marks a published lesson done; unchecked bookings become no-shows.
#[server(prefix = "/api", endpoint = "lessons/done")]
pub async fn mark_lesson_done(lesson_id: Uuid) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::Manage).await?;
    store::mark_done(&pool, lesson_id).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// Any signed-in user (studio members included) books a seat: confirmed while seats last,
/// otherwise waitlisted with a position; pending when the lesson needs approval.
#[server(prefix = "/api", endpoint = "lessons/book")]
pub async fn book_lesson(lesson_id: Uuid) -> Result<MyBooking, AppError> {
    let user = require_user().await?;
    // Who may book is checked by the booking itself, in the same round trip (`store::book_many`,
    // through the instance's queue of bookings per lesson).
    let queue =
        use_context::<super::queue::BookingQueue>().ok_or_else(|| AppError::internal("no booking queue in context"))?;
    let booking = queue.book(&pool()?, lesson_id, user.id).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(booking)
}

/// A signed-in user cancels their own booking (only theirs: the id is the session's) until
/// booking closes; the earliest waitlisted person is promoted at once.
#[server(prefix = "/api", endpoint = "lessons/cancel-booking")]
pub async fn cancel_booking(lesson_id: Uuid, reason: Option<String>) -> Result<(), AppError> {
    let pool = pool()?;
    let user = authorize_user(&pool, lesson_id, Action::Book).await?;
    let reason = rules::check_reason(reason.as_deref().unwrap_or("")).map_err(|m| AppError::field("reason", m))?;
    store::cancel_booking(&pool, lesson_id, user.id, &reason).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor approves (`decision=approve`) or declines a pending booking.
#[server(prefix = "/api", endpoint = "lessons/decide")]
pub async fn decide_booking(lesson_id: Uuid, booking_id: Uuid, decision: String) -> Result<(), AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::RunAttendance).await?;
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::field("decision", Msg::ErrChoiceUnknown)),
    };
    store::decide(&pool, lesson_id, booking_id, approve).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The studio's host or mentor sees who booked (observers never see each other).
#[server(prefix = "/api", endpoint = "lessons/attendees")]
pub async fn lesson_attendees(lesson_id: Uuid) -> Result<Vec<Attendee>, AppError> {
    let pool = pool()?;
    authorize_user(&pool, lesson_id, Action::RunAttendance).await?;
    Ok(store::attendees(&pool, lesson_id).await?)
}

/// The studio's host or mentor checks a booking in (`status=attended`, crediting training
/// hours), undoes it (`confirmed`, removing the credit) or marks a no-show (`no_show`).
#[server(prefix = "/api", endpoint = "lessons/check-in")]
pub async fn check_in(lesson_id: Uuid, booking_id: Uuid, status: String) -> Result<(), AppError> {
    let pool = pool()?;
    let lead = authorize_user(&pool, lesson_id, Action::RunAttendance).await?;
    let to = match BookingStatus::from_code(&status) {
        Some(s @ (BookingStatus::Attended | BookingStatus::Confirmed | BookingStatus::NoShow)) => s,
        _ => return Err(AppError::field("status", Msg::ErrChoiceUnknown)),
    };
    store::set_attendance(&pool, lesson_id, booking_id, to, lead.id).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// A signed-in observer with a confirmed booking checks in with the code shown in the room.
#[server(prefix = "/api", endpoint = "lessons/check-in-code")]
pub async fn check_in_with_code(lesson_id: Uuid, code: String) -> Result<(), AppError> {
    let pool = pool()?;
    let user = authorize_user(&pool, lesson_id, Action::Book).await?;
    if code.chars().count() > 20 {
        return Err(AppError::field("code", Msg::from(LessonMsg::ErrWrongCode)));
    }
    store::check_in_with_code(&pool, lesson_id, user.id, &code).await?;
    redirect_plain_form(&format!("/lessons/{lesson_id}"));
    Ok(())
}

/// The signed-in user's notifications, newest first.
#[server(prefix = "/api", endpoint = "notifications/list")]
pub async fn my_notifications() -> Result<Vec<Notification>, AppError> {
    let user = require_user().await?;
    Ok(store::notifications(&pool()?, user.id, 100).await?)
}

/// The signed-in user's unread count (0 for anonymous visitors: the header asks on every page),
/// as loaded with the user at the start of this request: no query of its own.
#[server(prefix = "/api", endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    Ok(auth_session().await?.user.map_or(0, |user| user.unread))
}

/// The signed-in user marks all their notifications read.
#[server(prefix = "/api", endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let user = require_user().await?;
    store::mark_all_read(&pool()?, user.id).await?;
    redirect_plain_form("/notifications");
    Ok(())
}

/// The signed-in user's booked lessons and the lessons of the studios they lead.
#[server(prefix = "/api", endpoint = "lessons/mine")]
pub async fn my_lessons() -> Result<super::MyLessons, AppError> {
    let user = require_user().await?;
    Ok(store::my_lessons(&pool()?, user.id).await?)
}

/// The signed-in user's open-lesson training hours in total.
#[server(prefix = "/api", endpoint = "lessons/my-hours")]
pub async fn my_training_hours() -> Result<String, AppError> {
    let user = require_user().await?;
    Ok(store::open_lesson_hours(&pool()?, user.id).await?)
}

/// The signed-in user gets a new personal calendar-feed link (the old one stops working).
/// Returns the path of the feed.
#[server(prefix = "/api", endpoint = "lessons/reset-feed")]
pub async fn reset_calendar_feed() -> Result<String, AppError> {
    let user = require_user().await?;
    let token = crate::kit::token::new_token();
    store::reset_feed_token(&pool()?, user.id, &token).await?;
    Ok(format!("/calendar/{token}.ics"))
}
