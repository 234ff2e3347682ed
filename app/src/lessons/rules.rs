//! Pure rules of the open-lesson area: who may do what, lesson validation, and the booking
//! decisions (seats, waitlist, window). No database here; every rule has unit tests.

use super::{BookingStatus, LessonMsg, LessonStatus, Mode};
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::kit::validate::{self, Checks};
use crate::studios::rules::Standing;
use crate::studios::StudioRole;
use chrono::{DateTime, NaiveDateTime, Utc};

pub const CAPACITY_MAX: i32 = 1000;
pub const CANCEL_REASON_MAX: usize = 500;

fn lm(m: LessonMsg) -> Msg {
    Msg::from(m)
}

/// Everything one may do to or about a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See a lesson: published/cancelled/done ones are public, drafts only to the studio's leads.
    View,
    /// Schedule, edit, publish, cancel, mark done, change capacity.
    Manage,
    /// See the attendee list, export it, check people in, decide approvals.
    RunAttendance,
    /// Book a seat or cancel one's own booking.
    Book,
}

/// What lesson permissions need to know about the lesson and its studio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LessonFacts {
    pub status: LessonStatus,
    /// A private studio's lessons are for its members only, like the studio itself.
    pub studio_private: bool,
    /// An archived studio is read-only: its lessons can be read, not booked or changed.
    pub studio_archived: bool,
}

impl LessonFacts {
    /// A lesson of a public, active studio.
    pub fn public(status: LessonStatus) -> LessonFacts {
        LessonFacts { status, studio_private: false, studio_archived: false }
    }
}

/// The one place where lesson permissions are decided.
pub fn can(actor: Standing, action: Action, lesson: LessonFacts) -> Result<(), AppError> {
    let leads = actor.role.is_some_and(StudioRole::leads);
    // A draft is invisible to everyone but the studio's leads, and a private studio's lessons
    // to everyone but its members: not even their existence is confirmed, whatever they try.
    let visible = (lesson.status != LessonStatus::Draft || leads) && (!lesson.studio_private || actor.role.is_some());
    if !visible {
        return Err(if actor.signed_in { AppError::NotFound } else { AppError::SignInRequired });
    }
    let allowed = match action {
        Action::View => true,
        Action::Manage | Action::RunAttendance => leads,
        Action::Book => actor.signed_in,
    };
    if !allowed {
        return Err(if actor.signed_in { AppError::Forbidden } else { AppError::SignInRequired });
    }
    if lesson.studio_archived && matches!(action, Action::Manage | Action::Book) {
        return Err(AppError::Refused(Msg::from(crate::studios::StudioMsg::ErrArchived)));
    }
    Ok(())
}

/// Scheduling a new lesson for a studio: its host or mentors only.
pub fn can_schedule(actor: Standing) -> Result<(), AppError> {
    if !actor.signed_in {
        Err(AppError::SignInRequired)
    } else if actor.role.is_some_and(StudioRole::leads) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The lesson form as it arrives (scheduling and editing share it), before validation. Optional
/// fields may be left out of the request.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LessonForm {
    pub title: String,
    pub subject: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub description: String,
    /// Local date and time in `time_zone`, as `<input type="datetime-local">` sends it.
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub mode: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub link: String,
    pub capacity: String,
    #[serde(default)]
    pub booking_opens_at: String,
    #[serde(default)]
    pub booking_closes_at: String,
    /// A checkbox: present (any value but `false`) when ticked.
    #[serde(default)]
    pub needs_approval: Option<String>,
    pub credited_hours: String,
}

/// A lesson after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidLesson {
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
    pub booking_opens_at: Option<DateTime<Utc>>,
    pub booking_closes_at: Option<DateTime<Utc>>,
    pub needs_approval: bool,
    /// Tenths of an hour (1.5 h = 15), so that no float reaches the database.
    pub credited_tenths: i64,
}

/// Parses a `datetime-local` value (`2026-12-01T09:00`, seconds optional) in the zone `tz`.
pub fn parse_local(value: &str, tz: &str) -> Result<DateTime<Utc>, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Msg::ErrRequired);
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| lm(LessonMsg::ErrDateTimeInvalid))?;
    if !crate::kit::time::is_known_zone(tz) {
        return Err(Msg::ErrTimeZoneUnknown);
    }
    // A local time skipped by a daylight-saving jump does not exist; an ambiguous one takes the
    // earlier instant.
    crate::kit::time::from_local(naive, tz).ok_or(lm(LessonMsg::ErrDateTimeInvalid))
}

/// A seat count: 1 to [`CAPACITY_MAX`].
pub fn parse_capacity(value: &str) -> Result<i32, Msg> {
    let value = value.trim();
    match value.parse::<i64>() {
        Ok(n) if (1..=i64::from(CAPACITY_MAX)).contains(&n) => Ok(n as i32),
        Err(_) if value.is_empty() => Err(Msg::ErrRequired),
        _ => Err(lm(LessonMsg::ErrCapacityRange)),
    }
}

/// How far back and ahead a lesson's times may lie from now: a lesson is recorded at most a
/// year late and planned at most five years ahead. Bounded times keep every computation on them
/// (calendar files, the database's date arithmetic) small.
pub const LESSON_PAST_DAYS: i64 = 366;
pub const LESSON_AHEAD_DAYS: i64 = 5 * 366;
/// A lesson is hours, not days.
pub const LESSON_MAX_HOURS: i64 = 24;

/// A moment of the lesson (start, end, booking window) within the bounds around `now`.
fn within_bounds(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Msg> {
    let earliest = now - chrono::Duration::days(LESSON_PAST_DAYS);
    let latest = now + chrono::Duration::days(LESSON_AHEAD_DAYS);
    if (earliest..=latest).contains(&at) {
        Ok(at)
    } else {
        Err(lm(LessonMsg::ErrLessonTimeOutOfRange))
    }
}

impl ValidLesson {
    /// Validates the lesson form as of `now`, reporting every problem at once.
    pub fn parse(form: &LessonForm, now: DateTime<Utc>) -> Result<ValidLesson, AppError> {
        let mut checks = Checks::default();
        let title = checks.value("title", validate::name(&form.title, true, 120));
        let subject = checks.value("subject", validate::name(&form.subject, true, 40));
        let grade = checks.value("grade", validate::name(&form.grade, false, 40));
        let topic = checks.value("topic", validate::name(&form.topic, false, 200));
        let place = checks.value("place", validate::name(&form.place, false, 200));
        let description = checks.value("description", validate::text(&form.description, false, 4000));
        let link = if form.link.trim().is_empty() {
            Some(String::new())
        } else {
            checks.value("link", validate::link(&form.link))
        };
        let time_zone = checks.value("time_zone", validate::time_zone(&form.time_zone));
        // The times are read in the default zone when the zone itself is wrong, so that their
        // own problems are reported too.
        let tz = time_zone.clone().unwrap_or_else(|| crate::kit::time::DEFAULT_TIME_ZONE.to_owned());
        let mode = checks.value("mode", Mode::from_code(&form.mode).ok_or(Msg::ErrChoiceUnknown));
        let moment = |v: &str| parse_local(v, &tz).and_then(|at| within_bounds(at, now));
        let starts_at = checks.value("starts_at", moment(&form.starts_at));
        let ends_at = checks.value("ends_at", moment(&form.ends_at));
        if let (Some(s), Some(e)) = (starts_at, ends_at) {
            if e <= s {
                checks.push("ends_at", lm(LessonMsg::ErrEndBeforeStart));
            } else if e - s > chrono::Duration::hours(LESSON_MAX_HOURS) {
                checks.push("ends_at", lm(LessonMsg::ErrLessonTooLong));
            }
        }
        let capacity = checks.value("capacity", parse_capacity(&form.capacity));
        let optional = |v: &str| if v.trim().is_empty() { Ok(None) } else { moment(v).map(Some) };
        let opens = checks.value("booking_opens_at", optional(&form.booking_opens_at));
        let closes = checks.value("booking_closes_at", optional(&form.booking_closes_at));
        if let (Some(Some(c)), Some(s)) = (closes, starts_at) {
            if c > s {
                checks.push("booking_closes_at", lm(LessonMsg::ErrWindowAfterStart));
            }
        }
        if let (Some(Some(o)), Some(s)) = (opens, starts_at) {
            if o >= s {
                checks.push("booking_opens_at", lm(LessonMsg::ErrWindowOrder));
            }
        }
        if let (Some(Some(o)), Some(Some(c))) = (opens, closes) {
            if o >= c {
                checks.push("booking_opens_at", lm(LessonMsg::ErrWindowOrder));
            }
        }
        let credited_tenths = checks.value("credited_hours", validate::hours(&form.credited_hours));
        if let Some(m) = mode {
            if matches!(m, Mode::InPerson | Mode::Hybrid) && form.place.trim().is_empty() {
                checks.push("place", lm(LessonMsg::ErrPlaceOrLinkNeeded));
            }
            if matches!(m, Mode::Online | Mode::Hybrid) && form.link.trim().is_empty() {
                checks.push("link", lm(LessonMsg::ErrPlaceOrLinkNeeded));
            }
        }
        // Every part is there exactly when no check failed.
        let complete = move || {
            Some(ValidLesson {
                title: title?,
                subject: subject?,
                grade: grade?,
                topic: topic?,
                description: description?,
                starts_at: starts_at?,
                ends_at: ends_at?,
                time_zone: time_zone?,
                mode: mode?,
                place: place?,
                link: link?,
                capacity: capacity?,
                booking_opens_at: opens?,
                booking_closes_at: closes?,
                needs_approval: form.needs_approval.as_deref().is_some_and(|v| !v.is_empty() && v != "false"),
                credited_tenths: credited_tenths?,
            })
        };
        match complete() {
            Some(lesson) if checks.is_empty() => Ok(lesson),
            _ => Err(checks.into_error()),
        }
    }
}

/// A booking may be cancelled by its owner until booking closes (or the lesson starts).
pub fn check_cancellable(
    starts_at: DateTime<Utc>,
    closes: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Msg> {
    let deadline = closes.unwrap_or(starts_at).min(starts_at);
    if now >= deadline {
        Err(lm(LessonMsg::ErrBookingClosed))
    } else {
        Ok(())
    }
}

/// The status a new booking gets: a request awaiting approval, a seat, or a waitlist place.
pub fn new_booking_status(capacity: i32, seats_taken: i64, needs_approval: bool) -> BookingStatus {
    if needs_approval {
        BookingStatus::Pending
    } else if seats_taken < capacity as i64 {
        BookingStatus::Confirmed
    } else {
        BookingStatus::Waitlisted
    }
}

/// How many waitlisted bookings move up now that the lesson has `capacity` seats and `taken`
/// are taken.
pub fn promotions(capacity: i32, seats_taken: i64, waitlisted: i64) -> i64 {
    (capacity as i64 - seats_taken).clamp(0, waitlisted.max(0))
}

/// The lesson finder's list: lessons per page, and the last page anyone may ask for (the
/// offset's work stays bounded; later pages are reached by narrowing the dates).
pub const LESSONS_PER_PAGE: u32 = 30;
pub const MAX_LESSON_PAGE: u32 = 200;
/// Lessons a month view shows in a day's cell (the rest behind the link to that day's list);
/// a week view shows every lesson, up to this many a day.
pub const MONTH_DAY_LESSONS: i64 = 3;
pub const WEEK_DAY_LESSONS: i64 = 100;

/// The page actually served for `asked` (0 reads as 1; past the last page, the last page).
pub fn lesson_page(asked: u32) -> u32 {
    asked.clamp(1, MAX_LESSON_PAGE)
}

/// The days a calendar shows for `anchor`: the week (Monday to Sunday) that holds it, or the
/// six whole weeks that hold its month, from the Monday on or before the 1st. (first day, days)
pub fn calendar_period(anchor: chrono::NaiveDate, week: bool) -> (chrono::NaiveDate, u32) {
    use chrono::Datelike;
    let monday_of =
        |day: chrono::NaiveDate| day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
    if week {
        (monday_of(anchor), 7)
    } else {
        (monday_of(anchor.with_day(1).unwrap_or(anchor)), 42)
    }
}

pub fn seats_left(capacity: i32, seats_taken: i64) -> i64 {
    (capacity as i64 - seats_taken).max(0)
}

/// A cancel reason: optional, at most 500 characters, no control characters except line breaks.
pub fn check_reason(reason: &str) -> Result<String, Msg> {
    let reason = reason.trim();
    if reason.chars().count() > CANCEL_REASON_MAX {
        Err(Msg::ErrTooLong)
    } else if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        Err(Msg::ErrCharsNotAllowed)
    } else {
        Ok(reason.to_owned())
    }
}

/// When attendance of a lesson from `starts_at` to `ends_at` can be recorded: from 30 minutes
/// before it until two hours after it ends — attendance that can have happened, and no more.
/// Lesson studies count their observation notes in the same window.
pub fn attendance_window(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (starts_at - chrono::Duration::minutes(30), ends_at + chrono::Duration::hours(2))
}

/// Check-in, by the observer's code or by the host's tap, is open in the attendance window.
pub fn check_in_open(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Msg> {
    let (opens, closes) = attendance_window(starts_at, ends_at);
    if now < opens || now > closes {
        Err(lm(LessonMsg::ErrCheckInClosed))
    } else {
        Ok(())
    }
}

/// A short check-in code (6 characters without the look-alikes 0/O, 1/I/L) from random bytes.
pub fn checkin_code(random: [u8; 6]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    random.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Normalises a typed check-in code: case and spaces do not matter.
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// Whether the booking counts as holding a seat.
pub fn holds_seat(status: BookingStatus) -> bool {
    matches!(status, BookingStatus::Confirmed | BookingStatus::Attended | BookingStatus::NoShow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn date(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_month_calendar_is_six_whole_weeks_from_the_monday_before_the_first() {
        // 1 December 2026 is a Tuesday.
        assert_eq!(calendar_period(date("2026-12-17"), false), (date("2026-11-30"), 42));
        // 1 February 2027 is a Monday.
        assert_eq!(calendar_period(date("2027-02-28"), false), (date("2027-02-01"), 42));
    }

    #[test]
    fn a_week_calendar_runs_monday_to_sunday() {
        assert_eq!(calendar_period(date("2026-12-06"), true), (date("2026-11-30"), 7), "a Sunday");
        assert_eq!(calendar_period(date("2026-11-30"), true), (date("2026-11-30"), 7), "a Monday");
    }

    #[test]
    fn lesson_pages_start_at_one_and_stop_at_the_last_servable_page() {
        assert_eq!(lesson_page(0), 1);
        assert_eq!(lesson_page(7), 7);
        assert_eq!(lesson_page(u32::MAX), MAX_LESSON_PAGE);
    }

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("valid") + Duration::hours(h)
    }

    /// A little before the lessons of `input()`.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid")
    }

    fn input() -> LessonForm {
        LessonForm {
            title: "《勾股定理》研究课".into(),
            subject: "数学".into(),
            grade: "八年级".into(),
            starts_at: "2026-12-01T09:00".into(),
            ends_at: "2026-12-01T09:45".into(),
            time_zone: "Asia/Shanghai".into(),
            mode: "in_person".into(),
            place: "301 教室".into(),
            capacity: "30".into(),
            credited_hours: "1.5".into(),
            ..LessonForm::default()
        }
    }

    fn field_msgs(err: AppError) -> Vec<(String, Msg)> {
        match err {
            AppError::Invalid(v) => v.into_iter().map(|e| (e.field, e.msg)).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_lesson_is_stored_in_utc_from_its_own_zone() {
        let v = ValidLesson::parse(&input(), now()).expect("valid");
        assert_eq!(v.starts_at, t(1), "09:00 in Shanghai is 01:00 UTC");
        assert_eq!(v.credited_tenths, 15);
        assert_eq!(v.capacity, 30);
    }

    #[test]
    fn end_before_start_is_refused() {
        let mut i = input();
        i.ends_at = "2026-12-01T08:00".into();
        assert!(field_msgs(ValidLesson::parse(&i, now()).unwrap_err())
            .contains(&("ends_at".into(), lm(LessonMsg::ErrEndBeforeStart))));
    }

    #[test]
    fn capacity_zero_negative_or_absurd_is_refused() {
        for bad in ["0", "-3", "1001", "99999999999999", "abc"] {
            let mut i = input();
            i.capacity = bad.into();
            assert!(
                field_msgs(ValidLesson::parse(&i, now()).unwrap_err())
                    .contains(&("capacity".into(), lm(LessonMsg::ErrCapacityRange))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_booking_window_closing_after_the_start_is_refused() {
        let mut i = input();
        i.booking_closes_at = "2026-12-01T10:00".into();
        assert!(field_msgs(ValidLesson::parse(&i, now()).unwrap_err())
            .contains(&("booking_closes_at".into(), lm(LessonMsg::ErrWindowAfterStart))));
        i.booking_closes_at = "2026-11-30T10:00".into();
        i.booking_opens_at = "2026-11-30T11:00".into();
        assert!(field_msgs(ValidLesson::parse(&i, now()).unwrap_err())
            .contains(&("booking_opens_at".into(), lm(LessonMsg::ErrWindowOrder))));
    }

    #[test]
    fn in_person_needs_a_place_and_online_a_link() {
        let mut i = input();
        i.place.clear();
        assert!(field_msgs(ValidLesson::parse(&i, now()).unwrap_err()).iter().any(|(f, _)| f == "place"));
        i.mode = "online".into();
        assert!(field_msgs(ValidLesson::parse(&i, now()).unwrap_err()).iter().any(|(f, _)| f == "link"));
        i.link = "https://meeting.example.cn/123".into();
        assert!(ValidLesson::parse(&i, now()).is_ok());
    }

    #[test]
    fn drafts_are_visible_only_to_the_studios_leads() {
        let host = Standing::member(Some(StudioRole::Host));
        let mentor = Standing::member(Some(StudioRole::Mentor));
        let mentee = Standing::member(Some(StudioRole::Mentee));
        let outsider = Standing::member(None);
        let admin = Standing { district_admin: true, ..Standing::member(None) };
        assert!(can(host, Action::View, LessonFacts::public(LessonStatus::Draft)).is_ok());
        assert!(can(mentor, Action::View, LessonFacts::public(LessonStatus::Draft)).is_ok());
        assert_eq!(can(mentee, Action::View, LessonFacts::public(LessonStatus::Draft)), Err(AppError::NotFound));
        assert_eq!(can(admin, Action::View, LessonFacts::public(LessonStatus::Draft)), Err(AppError::NotFound));
        assert_eq!(
            can(Standing::ANONYMOUS, Action::View, LessonFacts::public(LessonStatus::Draft)),
            Err(AppError::SignInRequired)
        );
        assert!(can(Standing::ANONYMOUS, Action::View, LessonFacts::public(LessonStatus::Published)).is_ok());
        assert!(can(outsider, Action::View, LessonFacts::public(LessonStatus::Published)).is_ok());
    }

    #[test]
    fn a_private_studios_lessons_are_for_its_members_and_an_archived_studios_are_read_only() {
        let private = LessonFacts { studio_private: true, ..LessonFacts::public(LessonStatus::Published) };
        let mentee = Standing::member(Some(StudioRole::Mentee));
        assert!(can(mentee, Action::View, private).is_ok());
        assert!(can(mentee, Action::Book, private).is_ok());
        assert_eq!(can(Standing::member(None), Action::View, private), Err(AppError::NotFound));
        assert_eq!(
            can(Standing { district_admin: true, ..Standing::member(None) }, Action::Book, private),
            Err(AppError::NotFound),
            "a district admin is no member"
        );
        assert_eq!(can(Standing::ANONYMOUS, Action::View, private), Err(AppError::SignInRequired));

        let archived = LessonFacts { studio_archived: true, ..LessonFacts::public(LessonStatus::Published) };
        let refused = Err(AppError::Refused(Msg::from(crate::studios::StudioMsg::ErrArchived)));
        assert!(can(Standing::ANONYMOUS, Action::View, archived).is_ok());
        assert_eq!(can(Standing::member(None), Action::Book, archived), refused);
        assert_eq!(can(Standing::member(Some(StudioRole::Host)), Action::Manage, archived), refused);
        assert!(can(Standing::member(Some(StudioRole::Host)), Action::RunAttendance, archived).is_ok());
    }

    #[test]
    fn only_hosts_and_mentors_manage_and_run_attendance() {
        for (actor, ok) in [
            (Standing::member(Some(StudioRole::Host)), true),
            (Standing::member(Some(StudioRole::Mentor)), true),
            (Standing::member(Some(StudioRole::Mentee)), false),
            (Standing::member(None), false),
            (Standing { district_admin: true, ..Standing::member(None) }, false),
        ] {
            assert_eq!(
                can(actor, Action::Manage, LessonFacts::public(LessonStatus::Published)).is_ok(),
                ok,
                "{actor:?}"
            );
            assert_eq!(
                can(actor, Action::RunAttendance, LessonFacts::public(LessonStatus::Published)).is_ok(),
                ok,
                "{actor:?}"
            );
        }
        assert_eq!(
            can(Standing::ANONYMOUS, Action::Manage, LessonFacts::public(LessonStatus::Published)),
            Err(AppError::SignInRequired)
        );
        assert_eq!(
            can(Standing::member(None), Action::Manage, LessonFacts::public(LessonStatus::Published)),
            Err(AppError::Forbidden)
        );
    }

    #[test]
    fn only_a_studios_host_or_mentor_schedules_for_it() {
        assert!(can_schedule(Standing::member(Some(StudioRole::Host))).is_ok());
        assert!(can_schedule(Standing::member(Some(StudioRole::Mentor))).is_ok());
        assert_eq!(can_schedule(Standing::member(Some(StudioRole::Mentee))), Err(AppError::Forbidden));
        assert_eq!(
            can_schedule(Standing { district_admin: true, ..Standing::member(None) }),
            Err(AppError::Forbidden),
            "a district admin is not a member"
        );
        assert_eq!(can_schedule(Standing::ANONYMOUS), Err(AppError::SignInRequired));
    }

    #[test]
    fn anyone_signed_in_may_book_including_members() {
        assert!(can(
            Standing::member(Some(StudioRole::Mentee)),
            Action::Book,
            LessonFacts::public(LessonStatus::Published)
        )
        .is_ok());
        assert!(can(Standing::member(None), Action::Book, LessonFacts::public(LessonStatus::Published)).is_ok());
        assert_eq!(
            can(Standing::ANONYMOUS, Action::Book, LessonFacts::public(LessonStatus::Published)),
            Err(AppError::SignInRequired)
        );
        assert_eq!(
            can(Standing::member(None), Action::Book, LessonFacts::public(LessonStatus::Draft)),
            Err(AppError::NotFound),
            "a draft is hidden"
        );
    }

    #[test]
    fn a_full_lesson_waitlists_and_approval_makes_requests_pending() {
        assert_eq!(new_booking_status(2, 1, false), BookingStatus::Confirmed);
        assert_eq!(new_booking_status(2, 2, false), BookingStatus::Waitlisted);
        assert_eq!(new_booking_status(2, 0, true), BookingStatus::Pending);
    }

    #[test]
    fn freed_seats_promote_at_most_the_waitlist() {
        assert_eq!(promotions(30, 25, 100), 5);
        assert_eq!(promotions(30, 25, 2), 2);
        assert_eq!(promotions(30, 30, 10), 0);
        assert_eq!(promotions(10, 12, 10), 0, "a capacity cut below the taken seats promotes nobody");
        assert_eq!(seats_left(10, 12), 0);
    }

    #[test]
    fn cancelling_is_possible_until_booking_closes() {
        assert!(check_cancellable(t(5), Some(t(2)), t(1)).is_ok());
        assert!(check_cancellable(t(5), Some(t(2)), t(2)).is_err());
        assert!(check_cancellable(t(5), None, t(5)).is_err());
    }

    #[test]
    fn check_in_codes_are_short_unambiguous_and_case_insensitive() {
        let code = checkin_code([0, 1, 2, 3, 200, 255]);
        assert_eq!(code.len(), 6);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(normalize_code(" ab c2 "), "ABC2");
    }

    #[test]
    fn code_check_in_is_open_around_the_lesson_only() {
        let minutes = |m: i64| Duration::minutes(m);
        assert!(check_in_open(t(5), t(6), t(5) - minutes(30)).is_ok());
        assert!(check_in_open(t(5), t(6), t(8)).is_ok());
        assert!(check_in_open(t(5), t(6), t(5) - minutes(31)).is_err());
        assert!(check_in_open(t(5), t(6), t(8) + minutes(1)).is_err());
    }

    #[test]
    fn reasons_are_short_plain_text() {
        assert_eq!(check_reason("  生病  "), Ok("生病".to_owned()));
        assert!(check_reason(&"字".repeat(501)).is_err());
        assert!(check_reason("a\u{0}b").is_err());
    }
}
