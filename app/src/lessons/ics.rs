//! iCalendar (RFC 5545) files: one lesson, or a user's feed. Times carry their zone (TZID) with
//! a VTIMEZONE describing it; UIDs are stable; SEQUENCE follows every change; cancelled lessons
//! are `STATUS:CANCELLED`.

use super::store::CalendarLesson;
use super::LessonStatus;
use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};

/// The calendar file a booking's email carries (server only): the lesson as it stands when the
/// mail is sent, so an invitation never holds a time that has changed since. `None` for a lesson
/// that is gone or still a draft.
#[cfg(feature = "ssr")]
pub async fn invitation(pool: &sqlx::PgPool, lesson_id: uuid::Uuid, site: &str) -> sqlx::Result<Option<String>> {
    let lesson = super::store::calendar_lesson(pool, lesson_id).await?;
    Ok(lesson.map(|lesson| calendar(&lesson.title.clone(), &[lesson], site)))
}

/// The whole calendar for these lessons.
pub fn calendar(name: &str, lessons: &[CalendarLesson], site: &str) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Atelier//Open lessons//ZH");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let mut zones: Vec<&str> = lessons.iter().map(|l| l.time_zone.as_str()).collect();
    zones.sort_unstable();
    zones.dedup();
    for zone in zones {
        let tz: Tz = zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let mine: Vec<&CalendarLesson> = lessons.iter().filter(|l| l.time_zone == zone).collect();
        let from = mine.iter().map(|l| l.starts_at).min().unwrap_or_else(Utc::now);
        let to = mine.iter().map(|l| l.ends_at).max().unwrap_or_else(Utc::now);
        vtimezone(&mut out, tz, from, to);
    }
    for l in lessons {
        vevent(&mut out, l, site);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn vevent(out: &mut String, l: &CalendarLesson, site: &str) {
    let tz: Tz = l.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string();
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:open-lesson-{}@atelier", l.id));
    line(out, &format!("DTSTAMP:{}", l.updated_at.format("%Y%m%dT%H%M%SZ")));
    line(out, &format!("DTSTART;TZID={}:{}", tz.name(), local(l.starts_at)));
    line(out, &format!("DTEND;TZID={}:{}", tz.name(), local(l.ends_at)));
    line(out, &format!("SEQUENCE:{}", l.sequence));
    line(out, &format!("SUMMARY:{}", escape(&l.title)));
    // A cancelled event (the lesson, or this person's booking) carries no place or link: there
    // is nowhere to go, and someone who left a private studio keeps none of its details.
    let cancelled = l.status == LessonStatus::Cancelled;
    let mut description = l.studio_name.clone();
    if !cancelled {
        description = format!("{description}\n{}", l.description);
        if !l.link.is_empty() {
            description.push('\n');
            description.push_str(&l.link);
        }
    }
    line(out, &format!("DESCRIPTION:{}", escape(description.trim())));
    if !l.place.is_empty() && !cancelled {
        line(out, &format!("LOCATION:{}", escape(&l.place)));
    }
    line(out, &format!("URL:{site}/lessons/{}", l.id));
    line(out, if l.status == LessonStatus::Cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
    line(out, "END:VEVENT");
}

/// The most days a VTIMEZONE describes: the offset changes are found by scanning day by day, so
/// the work is bounded whatever the events' dates (lesson times are bounded on input, but a
/// stored one may predate that). Events past the span still resolve through the last rule.
const VTIMEZONE_MAX_DAYS: i64 = 12 * 366;

/// A VTIMEZONE with the zone's observances over the span of the events, a year either side
/// (one component per offset change, found by scanning; a zone without changes gets one
/// STANDARD component).
fn vtimezone(out: &mut String, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
    let year = Duration::days(366);
    let start = from.checked_sub_signed(year).unwrap_or(from);
    let limit = start.checked_add_signed(Duration::days(VTIMEZONE_MAX_DAYS)).unwrap_or(start);
    let end = to.checked_add_signed(year).unwrap_or(to).min(limit);
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{}", tz.name()));
    let mut observances = Vec::new();
    let mut t = start;
    let mut current = offset_at(t);
    while t < end {
        let next = t + Duration::days(1);
        let o = offset_at(next);
        if o.fix() != current.fix() {
            // Narrow the change down to the minute.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid).fix() == current.fix() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            observances.push((
                hi,
                current.fix().local_minus_utc(),
                o.fix().local_minus_utc(),
                o.dst_offset() != Duration::zero(),
            ));
            current = o;
        }
        t = next;
    }
    if observances.is_empty() {
        let o = offset_at(from);
        let secs = o.fix().local_minus_utc();
        observances.push((
            DateTime::<Utc>::from_naive_utc_and_offset(
                NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default(),
                Utc,
            ),
            secs,
            secs,
            false,
        ));
    }
    for (at, before, after, dst) in observances {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the local time of the change, in the offset in force before it.
        let local = at.naive_utc() + Duration::seconds(before as i64);
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(after)));
        line(out, &format!("END:{kind}"));
    }
    line(out, "END:VTIMEZONE");
}

fn offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let s = secs.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// RFC 5545 text escaping.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            ';' => s.push_str("\\;"),
            ',' => s.push_str("\\,"),
            '\n' => s.push_str("\\n"),
            '\r' => {}
            c => s.push(c),
        }
    }
    s
}

/// Appends a content line, folded at 75 octets (never inside a UTF-8 character), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn lesson(tz: &str, status: LessonStatus) -> CalendarLesson {
        CalendarLesson {
            id: Uuid::nil(),
            title: "《勾股定理》研究课; 第二轮, 八年级".into(),
            description: "聚焦深度学习".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).single().expect("valid"),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 1, 45, 0).single().expect("valid"),
            time_zone: tz.into(),
            place: "西湖区实验中学 301 教室".into(),
            link: String::new(),
            status,
            sequence: 3,
            updated_at: Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).single().expect("valid"),
            studio_name: "王芳初中数学名师工作室".into(),
        }
    }

    #[test]
    fn an_event_carries_its_zone_uid_and_sequence() {
        let ics = calendar("Atelier", &[lesson("Asia/Shanghai", LessonStatus::Published)], "https://atelier.example");
        assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20261201T090000\r\n"), "{ics}");
        assert!(ics.contains("TZID:Asia/Shanghai\r\n"));
        assert!(ics.contains("TZOFFSETTO:+0800\r\n"));
        assert!(ics.contains("UID:open-lesson-00000000-0000-0000-0000-000000000000@atelier\r\n"));
        assert!(ics.contains("SEQUENCE:3\r\n"));
        assert!(ics.contains("STATUS:CONFIRMED\r\n"));
        assert!(ics.contains("\\;") && ics.contains("\\,"), "text is escaped");
    }

    #[test]
    fn a_cancelled_lesson_is_a_cancelled_event() {
        let ics = calendar("Atelier", &[lesson("Asia/Shanghai", LessonStatus::Cancelled)], "");
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn zones_with_daylight_saving_list_their_changes() {
        let ics = calendar("Atelier", &[lesson("Europe/London", LessonStatus::Published)], "");
        assert!(ics.contains("BEGIN:DAYLIGHT\r\n"));
        assert!(ics.contains("TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"));
        assert!(ics.contains("DTSTART;TZID=Europe/London:20261201T010000\r\n"));
    }

    #[test]
    fn long_lines_are_folded_at_75_octets_without_splitting_characters() {
        let mut l = lesson("Asia/Shanghai", LessonStatus::Published);
        l.title = "课".repeat(100);
        let ics = calendar("Atelier", &[l], "");
        for raw in ics.split("\r\n") {
            assert!(raw.len() <= 75, "{raw}");
        }
    }
}
