//! The home's rules, without a database: how much each card lists, how a due date and a wait
//! read, and the hours ring's geometry. Unit-tested below.

use super::HomeMsg;
use crate::kit::i18n::Msg;
use chrono::{DateTime, NaiveDate, Utc};

/// Items a card lists at most (the rest are counted or one tap away).
pub const CARD_ITEMS: i64 = 5;
/// Milestones this many days ahead count as due soon.
pub const DUE_SOON_DAYS: i64 = 14;
/// Feedback this many days old still shows.
pub const FEEDBACK_DAYS: i64 = 30;
/// Lessons this many days ahead show on a lead's card.
pub const LED_LESSON_DAYS: i64 = 7;
/// Characters of a comment shown on the card.
pub const EXCERPT_CHARS: usize = 80;

/// How a milestone's due date reads against today: the message and its number of days.
pub fn due_label(due_on: NaiveDate, today: NaiveDate) -> (Msg, i64) {
    let days = (due_on - today).num_days();
    match days {
        d if d < 0 => (HomeMsg::Overdue.into(), -d),
        0 => (HomeMsg::DueToday.into(), 0),
        d => (HomeMsg::DueIn.into(), d),
    }
}

/// How long evidence has waited for a response: whole days since it was submitted.
pub fn waiting_label(done_at: DateTime<Utc>, now: DateTime<Utc>) -> (Msg, i64) {
    match (now - done_at).num_days().max(0) {
        0 => (HomeMsg::SubmittedToday.into(), 0),
        days => (HomeMsg::WaitingDays.into(), days),
    }
}

/// The hours ring: its circle's radius, the length of the arc drawn for the hours done (never
/// more than the whole circle) and the percentage written in its middle (which may pass 100).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ring {
    pub circumference: f64,
    pub arc: f64,
    pub percent: i64,
}

pub const RING_RADIUS: f64 = 40.0;

pub fn hours_ring(done_tenths: i64, quota_tenths: i64) -> Ring {
    let circumference = 2.0 * std::f64::consts::PI * RING_RADIUS;
    if quota_tenths <= 0 {
        return Ring { circumference, arc: circumference, percent: 100 };
    }
    let done = done_tenths.max(0);
    let share = (done as f64 / quota_tenths as f64).min(1.0);
    Ring { circumference, arc: circumference * share, percent: done * 100 / quota_tenths }
}

/// The first `max` characters of a comment on one line, with an ellipsis when cut.
pub fn excerpt(body: &str, max: usize) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_due_date_reads_as_overdue_today_or_days_ahead() {
        let today = d(2026, 12, 5);
        assert_eq!(due_label(d(2026, 12, 2), today), (HomeMsg::Overdue.into(), 3));
        assert_eq!(due_label(today, today), (HomeMsg::DueToday.into(), 0));
        assert_eq!(due_label(d(2026, 12, 19), today), (HomeMsg::DueIn.into(), 14));
    }

    #[test]
    fn evidence_waits_in_whole_days_and_never_negative() {
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
        assert_eq!(waiting_label(now - chrono::Duration::hours(23), now), (HomeMsg::SubmittedToday.into(), 0));
        assert_eq!(waiting_label(now - chrono::Duration::hours(49), now), (HomeMsg::WaitingDays.into(), 2));
        assert_eq!(waiting_label(now + chrono::Duration::hours(1), now), (HomeMsg::SubmittedToday.into(), 0));
    }

    #[test]
    fn the_hours_ring_fills_with_the_quota_and_stops_at_a_full_circle() {
        let half = hours_ring(480, 960);
        assert!((half.arc * 2.0 - half.circumference).abs() < 1e-9);
        assert_eq!(half.percent, 50);
        let over = hours_ring(1200, 960);
        assert_eq!(over.arc, over.circumference);
        assert_eq!(over.percent, 125);
        assert_eq!(hours_ring(0, 960).arc, 0.0);
        assert_eq!(hours_ring(10, 0).percent, 100, "no quota: nothing to reach");
    }

    #[test]
    fn an_excerpt_is_one_line_cut_at_a_character_not_a_byte() {
        assert_eq!(excerpt("很好\n  继续", 10), "很好 继续");
        assert_eq!(excerpt("一二三四五六", 3), "一二三…");
        assert_eq!(excerpt("", 3), "");
    }
}
