//! Dates and times in the viewer's time zone and language.

use crate::kit::i18n::Locale;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// Parses an IANA zone name, falling back to the default zone for anything unknown.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// A moment as a reader in `tz` expects it, e.g. `2026年11月24日 周二 14:30` or
/// `Tue 24 Nov 2026, 14:30`.
pub fn format_date_time(at: DateTime<Utc>, tz: &str, locale: Locale) -> String {
    let local = at.with_timezone(&zone(tz));
    match locale {
        Locale::ZhCn => {
            use chrono::Datelike;
            let weekday = WEEKDAYS_ZH[local.weekday().num_days_from_monday() as usize];
            format!("{} {weekday} {}", local.format("%Y年%-m月%-d日"), local.format("%H:%M"))
        }
        Locale::En => local.format("%a %-d %b %Y, %H:%M").to_string(),
    }
}

/// A day as a reader expects it, e.g. `2026年11月24日 周二` or `Tue 24 Nov 2026`.
pub fn format_day(day: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => {
            use chrono::Datelike;
            format!("{} {}", day.format("%Y年%-m月%-d日"), WEEKDAYS_ZH[day.weekday().num_days_from_monday() as usize])
        }
        Locale::En => day.format("%a %-d %b %Y").to_string(),
    }
}

/// A time range on one line; the end shows only its time when it falls on the same local day.
pub fn format_range(starts: DateTime<Utc>, ends: DateTime<Utc>, tz: &str, locale: Locale) -> String {
    let z = zone(tz);
    let (s, e) = (starts.with_timezone(&z), ends.with_timezone(&z));
    if s.date_naive() == e.date_naive() {
        format!("{}–{}", format_date_time(starts, tz, locale), e.format("%H:%M"))
    } else {
        format!("{} – {}", format_date_time(starts, tz, locale), format_date_time(ends, tz, locale))
    }
}

/// The zone's abbreviation or offset at that moment, e.g. `CST` or `+08`.
pub fn zone_label(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&zone(tz)).format("%Z").to_string()
}

/// The first instant of the day `day` in `tz`. Where a clock change skips midnight, the day
/// starts at the first local time that exists.
pub fn day_start(day: NaiveDate, tz: &str) -> DateTime<Utc> {
    let zone = zone(tz);
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=2)
        .find_map(|hour| zone.from_local_datetime(&(midnight + chrono::Duration::hours(hour))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The day `day` in `tz` as the instants [first, first of the next day) (see [`day_start`]).
pub fn day_bounds(day: NaiveDate, tz: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (day_start(day, tz), day_start(day.succ_opt().unwrap_or(day), tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_reads_in_the_viewers_language() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        assert_eq!(format_day(day, Locale::ZhCn), "2026年11月24日 周二");
        assert_eq!(format_day(day, Locale::En), "Tue 24 Nov 2026");
    }

    #[test]
    fn a_day_is_bounded_by_its_local_midnights() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        let (start, end) = day_bounds(day, "Asia/Shanghai");
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 5, 16, 0, 0).unwrap());
        // Santiago skips from midnight to 01:00 on 2026-09-06: that day starts at 01:00 local.
        let skipped = NaiveDate::from_ymd_opt(2026, 9, 6).expect("date");
        let (start, end) = day_bounds(skipped, "America/Santiago");
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
        assert_eq!(end - start, chrono::Duration::hours(23));
    }

    #[test]
    fn a_utc_moment_is_shown_in_the_viewers_zone() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 6, 30, 0).single().expect("valid");
        assert_eq!(format_date_time(at, "Asia/Shanghai", Locale::ZhCn), "2026年11月24日 周二 14:30");
        assert_eq!(format_date_time(at, "Europe/London", Locale::En), "Tue 24 Nov 2026, 06:30");
        assert_eq!(format_date_time(at, "America/New_York", Locale::En), "Tue 24 Nov 2026, 01:30");
    }

    #[test]
    fn a_range_on_one_local_day_shows_the_end_time_only() {
        let s = Utc.with_ymd_and_hms(2026, 11, 24, 6, 30, 0).single().expect("valid");
        let e = Utc.with_ymd_and_hms(2026, 11, 24, 7, 15, 0).single().expect("valid");
        assert_eq!(format_range(s, e, "Asia/Shanghai", Locale::En), "Tue 24 Nov 2026, 14:30–15:15");
    }

    #[test]
    fn an_unknown_zone_falls_back_to_shanghai() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid");
        assert_eq!(format_date_time(at, "Nowhere/Land", Locale::En), "Thu 1 Jan 2026, 08:00");
    }
}
