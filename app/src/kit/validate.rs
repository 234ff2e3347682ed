//! The checks every form shares, and [`Checks`], which collects their errors field by field so
//! that a form reports every problem at once. Each check returns the cleaned value (trimmed,
//! parsed) or the message to show beside the field.
//!
//! One rule for text everywhere: control characters are refused in every field; multi-line
//! fields keep line breaks and tabs.

use crate::kit::error::{AppError, FieldError};
use crate::kit::i18n::Msg;
use chrono::NaiveDate;
use uuid::Uuid;

/// Collects field errors so a form reports every problem at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records the error of `result`, if any, against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Msg>) -> &mut Self {
        self.value(field, result);
        self
    }

    /// The value of `result`; its error, if any, is recorded against `field`.
    pub fn value<T>(&mut self, field: &str, result: Result<T, Msg>) -> Option<T> {
        result.map_err(|msg| self.push(field, msg)).ok()
    }

    pub fn push(&mut self, field: &str, msg: Msg) {
        self.0.push(FieldError { field: field.to_owned(), msg });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors as one `AppError`, for when a checked value is missing (so an error was
    /// recorded for it).
    pub fn into_error(self) -> AppError {
        AppError::Invalid(self.0)
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

fn length(value: &str, required: bool, max: usize) -> Result<(), Msg> {
    if value.is_empty() {
        if required {
            Err(Msg::ErrRequired)
        } else {
            Ok(())
        }
    } else if value.chars().count() > max {
        Err(Msg::ErrTooLong)
    } else {
        Ok(())
    }
}

/// One line of text (a title, a subject): trimmed, at most `max` characters, no control
/// characters at all.
pub fn line(value: &str, required: bool, max: usize) -> Result<String, Msg> {
    let value = value.trim();
    length(value, required, max)?;
    if value.chars().any(char::is_control) {
        return Err(Msg::ErrControlChars);
    }
    Ok(value.to_owned())
}

/// Free text over several lines (a description, a note; Markdown is cleaned when it is shown):
/// trimmed, at most `max` characters, line breaks and tabs but no other control characters.
pub fn text(value: &str, required: bool, max: usize) -> Result<String, Msg> {
    let value = value.trim();
    length(value, required, max)?;
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Msg::ErrControlChars);
    }
    Ok(value.to_owned())
}

/// Characters refused in names and other identifying fields (a person's, a school's, a
/// district's name). None belongs in a name, and refusing them keeps markup and SQL fragments out
/// of data that is shown and exported everywhere (everything is also escaped on output and bound
/// as SQL parameters).
const NAME_FORBIDDEN_CHARS: &[char] = &['<', '>', '"', ';', '=', '`', '{', '}', '\\'];
const NAME_FORBIDDEN_SEQUENCES: &[&str] = &["--", "/*", "*/"];

/// A name or similar identifying field: one line without control characters, markup or SQL
/// punctuation (the message lists what is refused).
pub fn name(value: &str, required: bool, max: usize) -> Result<String, Msg> {
    let value = value.trim();
    length(value, required, max)?;
    if value.chars().any(char::is_control)
        || value.contains(NAME_FORBIDDEN_CHARS)
        || NAME_FORBIDDEN_SEQUENCES.iter().any(|s| value.contains(s))
    {
        return Err(Msg::ErrCharsNotAllowed);
    }
    Ok(value.to_owned())
}

/// The most hours one record (or one lesson's credit) can hold, in tenths.
pub const DAY_MAX_TENTHS: i64 = 240;

/// Hours as typed (`1.5`, `2`, `1,5`, `.5`) into tenths of an hour: more than 0, at most 24, at
/// most one decimal.
pub fn hours(value: &str) -> Result<i64, Msg> {
    let value = value.trim().replace(',', ".");
    if value.is_empty() {
        return Err(Msg::ErrRequired);
    }
    if value.starts_with('-') {
        return Err(Msg::ErrHoursPositive);
    }
    let (whole, frac) = value.split_once('.').unwrap_or((value.as_str(), ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || whole.len() > 6 {
        return Err(Msg::ErrHoursInvalid);
    }
    // `1.50` is one decimal; `1.25` is two.
    if frac.len() > 1 && frac[1..].chars().any(|c| c != '0') {
        return Err(Msg::ErrHoursInvalid);
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| Msg::ErrHoursInvalid)? };
    let tenth = frac.bytes().next().map(|b| i64::from(b - b'0')).unwrap_or(0);
    match whole * 10 + tenth {
        0 => Err(Msg::ErrHoursPositive),
        tenths if tenths > DAY_MAX_TENTHS => Err(Msg::ErrHoursTooMany),
        tenths => Ok(tenths),
    }
}

/// The years any date typed into Atelier may fall in: wide for every real use, and well inside
/// what PostgreSQL and chrono can represent and compute with.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A `YYYY-MM-DD` date, as a date input sends it, within [`YEARS`].
pub fn date(value: &str) -> Result<NaiveDate, Msg> {
    use chrono::Datelike;
    let value = value.trim();
    if value.is_empty() {
        return Err(Msg::ErrRequired);
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| Msg::ErrDateInvalid)?;
    if YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(Msg::ErrDateOutOfRange)
    }
}

/// An IANA time-zone name such as `Asia/Shanghai`.
pub fn time_zone(value: &str) -> Result<String, Msg> {
    let value = value.trim();
    if value.is_empty() {
        Err(Msg::ErrRequired)
    } else if value.len() > 64 || !crate::kit::time::is_known_zone(value) {
        Err(Msg::ErrTimeZoneUnknown)
    } else {
        Ok(value.to_owned())
    }
}

/// A web link: `http(s)://`, no spaces or markup, at most 500 characters.
pub fn link(value: &str) -> Result<String, Msg> {
    let value = value.trim();
    let well_formed = (value.starts_with("https://") || value.starts_with("http://"))
        && value.chars().count() <= 500
        && !value.contains(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err(Msg::ErrLinkInvalid)
    }
}

/// The id of a record named in a request: one that does not parse names nothing, so it is
/// "not found" like an id that parses but names nothing.
pub fn id(value: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(value.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_a_form_is_reported_at_once() {
        let mut checks = Checks::default();
        let title = checks.value("title", line("  研究课  ", true, 10));
        checks.check("subject", line("", true, 10)).check("hours", hours("25"));
        assert_eq!(title.as_deref(), Some("研究课"));
        match checks.finish() {
            Err(AppError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.msg)).collect();
                assert_eq!(fields, [("subject", Msg::ErrRequired), ("hours", Msg::ErrHoursTooMany)]);
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn lines_refuse_every_control_character_and_texts_keep_line_breaks_and_tabs() {
        assert_eq!(line("a\nb", true, 10), Err(Msg::ErrControlChars));
        assert_eq!(line("a\u{0}b", true, 10), Err(Msg::ErrControlChars));
        assert_eq!(text("第一行\n\t- 第二行\r\n", true, 100), Ok("第一行\n\t- 第二行".to_owned()));
        assert_eq!(text("a\u{7}b", true, 10), Err(Msg::ErrControlChars));
        assert_eq!(text("  ", true, 10), Err(Msg::ErrRequired));
        assert_eq!(text("", false, 10), Ok(String::new()));
        assert_eq!(text(&"字".repeat(11), true, 10), Err(Msg::ErrTooLong));
        assert_eq!(line(&"字".repeat(10), true, 10), Ok("字".repeat(10)));
    }

    #[test]
    fn names_accept_chinese_and_apostrophes() {
        assert_eq!(name("王老师", true, 60).as_deref(), Ok("王老师"));
        assert_eq!(name("St. Mary's School (North)", true, 100).as_deref(), Ok("St. Mary's School (North)"));
        assert_eq!(name("", false, 100).as_deref(), Ok(""));
    }

    #[test]
    fn names_refuse_blank_long_markup_and_sql() {
        assert_eq!(name("   ", true, 60), Err(Msg::ErrRequired));
        assert_eq!(name(&"名".repeat(61), true, 60), Err(Msg::ErrTooLong));
        assert_eq!(name(&"名".repeat(60), true, 60), Ok("名".repeat(60)));
        let sql = ["' OR '1'='1", "x'); DROP TABLE users; --", "a -- b", "/* c */"];
        for bad in ["<script>alert(1)</script>", "a\"b", "{x}", "a\\b", "a\u{0}b", "tab\there"].iter().chain(&sql) {
            assert_eq!(name(bad, true, 60), Err(Msg::ErrCharsNotAllowed), "{bad:?}");
        }
    }

    #[test]
    fn hours_take_one_decimal_with_a_point_or_a_comma() {
        assert_eq!(hours("1.5"), Ok(15));
        assert_eq!(hours(" 2 "), Ok(20));
        assert_eq!(hours("1,5"), Ok(15));
        assert_eq!(hours("1.50"), Ok(15));
        assert_eq!(hours("24"), Ok(240));
        assert_eq!(hours(".5"), Ok(5));
        assert_eq!(hours("0"), Err(Msg::ErrHoursPositive));
        assert_eq!(hours("-3"), Err(Msg::ErrHoursPositive));
        assert_eq!(hours("24.1"), Err(Msg::ErrHoursTooMany));
        assert_eq!(hours("99999999999"), Err(Msg::ErrHoursInvalid));
        assert_eq!(hours("1.25"), Err(Msg::ErrHoursInvalid));
        assert_eq!(hours("abc"), Err(Msg::ErrHoursInvalid));
        assert_eq!(hours("NaN"), Err(Msg::ErrHoursInvalid));
        assert_eq!(hours("."), Err(Msg::ErrHoursInvalid));
        assert_eq!(hours(""), Err(Msg::ErrRequired));
    }

    #[test]
    fn dates_zones_links_and_ids() {
        assert_eq!(date("2026-11-29"), Ok(NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid")));
        assert_eq!(date("29/11/2026"), Err(Msg::ErrDateInvalid));
        for far in ["0000-01-01", "-5000-01-01", "1899-12-31", "2201-01-01", "+200000-01-01"] {
            assert_eq!(date(far), Err(Msg::ErrDateOutOfRange), "{far}");
        }
        assert_eq!(date(""), Err(Msg::ErrRequired));
        assert_eq!(time_zone(" Asia/Shanghai ").as_deref(), Ok("Asia/Shanghai"));
        assert_eq!(time_zone("Mars/Olympus"), Err(Msg::ErrTimeZoneUnknown));
        assert_eq!(time_zone(""), Err(Msg::ErrRequired));
        assert!(link("https://example.org/a?b=1").is_ok());
        for bad in ["javascript:alert(1)", "https://a b", "https://x\"onload", "ftp://x"] {
            assert_eq!(link(bad), Err(Msg::ErrLinkInvalid), "{bad:?}");
        }
        assert_eq!(id("not-a-uuid"), Err(AppError::NotFound));
        assert_eq!(id(&Uuid::nil().to_string()), Ok(Uuid::nil()));
    }
}
