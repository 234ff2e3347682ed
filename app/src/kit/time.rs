//! Dates and times in the viewer's time zone and language.
//!
//! Zone arithmetic comes from the IANA database compiled into the server (chrono-tz) and, in the
//! browser, from the browser's own (`Intl.DateTimeFormat`): chrono-tz's tables are about 900 KB
//! of WebAssembly (200 KB gzipped) that every page would otherwise download. Both sides compute
//! the wall-clock time and format it with the same code below, so a page hydrates with the text
//! the server wrote.

use crate::kit::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

#[cfg(feature = "ssr")]
pub use zones::zone;
pub use zones::{from_local, is_known_zone, local, zone_names};

#[cfg(feature = "ssr")]
mod zones {
    use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
    use chrono_tz::Tz;

    /// Parses an IANA zone name, falling back to the default zone for anything unknown.
    pub fn zone(name: &str) -> Tz {
        name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    pub fn is_known_zone(name: &str) -> bool {
        name.parse::<Tz>().is_ok()
    }

    /// Every zone name the IANA database holds.
    pub fn zone_names() -> Vec<String> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_owned()).collect()
    }

    /// The wall-clock time at `at` in the zone `tz` (the default zone for a name it does not know).
    pub fn local(at: DateTime<Utc>, tz: &str) -> NaiveDateTime {
        at.with_timezone(&zone(tz)).naive_local()
    }

    /// The instant a wall-clock time in `tz` names: the earlier one where clocks go back, none
    /// where they skip it.
    pub fn from_local(wall: NaiveDateTime, tz: &str) -> Option<DateTime<Utc>> {
        zone(tz).from_local_datetime(&wall).earliest().map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(not(feature = "ssr"))]
mod zones {
    use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
    use js_sys::{Array, Date, Function, Intl::DateTimeFormat, Object, Reflect};
    use std::{cell::RefCell, collections::HashMap};
    use wasm_bindgen::{JsCast, JsValue};

    thread_local! {
        /// One formatter per zone (making one is the slow part); `None` for a name the browser
        /// does not know.
        static FORMATTERS: RefCell<HashMap<String, Option<DateTimeFormat>>> = RefCell::new(HashMap::new());
    }

    fn formatter(tz: &str) -> Option<DateTimeFormat> {
        FORMATTERS.with(|all| all.borrow_mut().entry(tz.to_owned()).or_insert_with(|| new_formatter(tz)).clone())
    }

    /// `new Intl.DateTimeFormat("en-US", {timeZone, hourCycle: "h23", all numeric})`, which
    /// throws for a zone the browser does not know.
    fn new_formatter(tz: &str) -> Option<DateTimeFormat> {
        let options = Object::new();
        let fields = [
            ("timeZone", tz),
            ("hourCycle", "h23"),
            ("year", "numeric"),
            ("month", "numeric"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "numeric"),
            ("second", "numeric"),
        ];
        for (key, value) in fields {
            Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value)).ok()?;
        }
        let (_, class) = intl_function("DateTimeFormat")?;
        let made = Reflect::construct(&class, &Array::of2(&JsValue::from_str("en-US"), &options)).ok()?;
        Some(made.unchecked_into())
    }

    /// The browser's `Intl` object and its function `name`, where the browser has both.
    fn intl_function(name: &str) -> Option<(JsValue, Function)> {
        let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
        let function = Reflect::get(&intl, &JsValue::from_str(name)).ok()?.dyn_into().ok()?;
        Some((intl, function))
    }

    pub fn is_known_zone(name: &str) -> bool {
        formatter(name).is_some()
    }

    /// `Intl.supportedValuesOf("timeZone")`: none in an older browser without it.
    pub fn zone_names() -> Vec<String> {
        let names = intl_function("supportedValuesOf")
            .and_then(|(intl, list)| list.call1(&intl, &JsValue::from_str("timeZone")).ok()?.dyn_into::<Array>().ok());
        names.map(|names| names.iter().filter_map(|name| name.as_string()).collect()).unwrap_or_default()
    }

    pub fn local(at: DateTime<Utc>, tz: &str) -> NaiveDateTime {
        let wall = formatter(tz).or_else(|| formatter(super::DEFAULT_TIME_ZONE)).and_then(|f| {
            let parts = f.format_to_parts(&Date::new(&JsValue::from_f64(at.timestamp_millis() as f64)));
            let value = |kind: &str| -> Option<u32> {
                parts.iter().find_map(|part| {
                    let is_kind = Reflect::get(&part, &JsValue::from_str("type")).ok()?.as_string()? == kind;
                    is_kind.then(|| Reflect::get(&part, &JsValue::from_str("value")).ok()?.as_string()?.parse().ok())?
                })
            };
            let day = NaiveDate::from_ymd_opt(value("year")? as i32, value("month")?, value("day")?)?;
            // Some engines write midnight as 24 even with hourCycle h23.
            day.and_hms_opt(value("hour")? % 24, value("minute")?, value("second")?)
        });
        // China has kept UTC+8 all year since 1991: the default zone's time if all else fails.
        wall.unwrap_or_else(|| at.naive_utc() + Duration::hours(8))
    }

    pub fn from_local(wall: NaiveDateTime, tz: &str) -> Option<DateTime<Utc>> {
        // The zone's offset near that time, applied, then checked: an offset that changes
        // between the guess and the answer (a clock change) is tried once more.
        let offset = |at: DateTime<Utc>| local(at, tz) - at.naive_utc();
        let guess = wall.and_utc();
        let first = guess - offset(guess);
        let second = guess - offset(first);
        [first, second].into_iter().filter(|t| local(*t, tz) == wall).min()
    }
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// A moment as a reader in `tz` expects it, e.g. `2026年11月24日 周二 14:30` or
/// `Tue 24 Nov 2026, 14:30`.
pub fn format_date_time(at: DateTime<Utc>, tz: &str, locale: Locale) -> String {
    let local = local(at, tz);
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
    let (s, e) = (local(starts, tz), local(ends, tz));
    if s.date() == e.date() {
        format!("{}–{}", format_date_time(starts, tz, locale), e.format("%H:%M"))
    } else {
        format!("{} – {}", format_date_time(starts, tz, locale), format_date_time(ends, tz, locale))
    }
}

/// The zone's offset from UTC at that moment, e.g. `UTC+8` or `UTC-3:30` (the same on the
/// server and in the browser, unlike abbreviations such as `CST`, which also name other zones).
pub fn zone_label(at: DateTime<Utc>, tz: &str) -> String {
    let minutes = (local(at, tz) - at.naive_utc()).num_minutes();
    let sign = if minutes < 0 { '-' } else { '+' };
    let (hours, minutes) = (minutes.abs() / 60, minutes.abs() % 60);
    match minutes {
        0 => format!("UTC{sign}{hours}"),
        _ => format!("UTC{sign}{hours}:{minutes:02}"),
    }
}

/// The first instant of the day `day` in `tz`. Where a clock change skips midnight, the day
/// starts at the first local time that exists.
pub fn day_start(day: NaiveDate, tz: &str) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=2)
        .find_map(|hour| from_local(midnight + chrono::Duration::hours(hour), tz))
        .unwrap_or_else(|| midnight.and_utc())
}

/// The day `day` in `tz` as the instants [first, first of the next day) (see [`day_start`]).
pub fn day_bounds(day: NaiveDate, tz: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (day_start(day, tz), day_start(day.succ_opt().unwrap_or(day), tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
    fn a_zone_is_labelled_by_its_offset_at_that_moment() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).single().expect("valid");
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).single().expect("valid");
        assert_eq!(zone_label(winter, "Asia/Shanghai"), "UTC+8");
        assert_eq!(zone_label(winter, "Europe/London"), "UTC+0");
        assert_eq!(zone_label(summer, "Europe/London"), "UTC+1");
        assert_eq!(zone_label(winter, "America/St_Johns"), "UTC-3:30");
        assert_eq!(zone_label(winter, "Asia/Kolkata"), "UTC+5:30");
    }

    #[test]
    fn an_unknown_zone_falls_back_to_shanghai() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid");
        assert_eq!(format_date_time(at, "Nowhere/Land", Locale::En), "Thu 1 Jan 2026, 08:00");
    }
}
