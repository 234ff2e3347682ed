//! Hours earned elsewhere (a course on a provincial platform), imported by a district's system
//! through `POST /api/v1/hours/imports`: the body's shape and the rules each record must meet,
//! without a database. An imported record spans its course's days, so the one-day cap of 24 hours
//! does not apply to it (24 for each of its days does); it counts toward totals and quotas like
//! any credit, and is never editable in Atelier's pages.

#[cfg(feature = "ssr")]
pub mod store;

use super::IntegrationMsg;
use crate::growth::HourCategory;
use crate::kit::i18n::Msg;
use crate::kit::validate;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Records one import may carry.
pub const IMPORT_MAX: usize = 10_000;
/// Characters of the source system's name, a record's title and its id in the source system.
pub const SOURCE_SYSTEM_MAX: usize = 100;
pub const TITLE_MAX: usize = 200;
pub const EXTERNAL_ID_MAX: usize = 100;
/// Characters of an `Idempotency-Key`.
pub const KEY_MAX: usize = 100;
/// Days one record may span, and how far back its last day may be.
pub const SPAN_DAYS_MAX: i64 = 366;
pub const AGE_DAYS_MAX: i64 = 3_660;
/// The most hours one record holds, in tenths (and 24 hours for each day it spans).
pub const RECORD_TENTHS_MAX: i64 = 9_999;
/// Bad records named in one refusal: enough to fix a file, never a reply as large as the call.
pub const ERRORS_NAMED_MAX: usize = 20;

/// An import as the caller sends it.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HourImport {
    /// The system the hours were earned on, shown beside each record.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100, example = "浙江省教师培训管理平台"))]
    pub source_system: String,
    /// The records, all stored or none.
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 10000))]
    pub records: Vec<ImportedRecord>,
}

/// Hours one teacher earned on one course.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedRecord {
    /// A teacher of the district (`GET /teachers`).
    pub teacher_id: Uuid,
    /// The course's first day.
    pub starts_on: NaiveDate,
    /// The course's last day: the hours count in the quota year of this day. Not in the future,
    /// at most ten years ago, at most 366 days after `starts_on`.
    pub ends_on: NaiveDate,
    /// More than 0, one decimal at most, at most 24 for each day of the course and 999.9 in all.
    #[cfg_attr(feature = "ssr", schema(example = 12.5))]
    pub hours: f64,
    /// `online`, `offline`, `shadowing`, `open_lesson`, `lesson_study` or `course`.
    #[cfg_attr(feature = "ssr", schema(example = "course"))]
    pub category: String,
    /// The course's name.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, example = "2026 年新课标专题培训"))]
    pub title: String,
    /// The record's id in the source system, echoed back in the hours feed.
    #[cfg_attr(feature = "ssr", schema(max_length = 100))]
    pub external_id: Option<String>,
}

/// A record that meets the rules, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidRecord {
    pub teacher_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub tenths: i64,
    pub category: HourCategory,
    pub title: String,
    pub external_id: Option<String>,
}

/// An import that meets the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidImport {
    pub source_system: String,
    pub records: Vec<ValidRecord>,
}

impl ValidImport {
    pub fn total_tenths(&self) -> i64 {
        self.records.iter().map(|r| r.tenths).sum()
    }
}

/// What the caller is told of an import: the first call's receipt, also on every retry.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct ImportReceipt {
    pub id: Uuid,
    pub source_system: String,
    pub record_count: i32,
    /// The hours of all its records.
    #[cfg_attr(feature = "ssr", schema(example = 36.5))]
    pub hours: f64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A record's hours as sent, in tenths: more than 0, one decimal at most, at most 24 a day over
/// `days` days and [`RECORD_TENTHS_MAX`] in all.
pub fn record_tenths(hours: f64, days: i64) -> Result<i64, Msg> {
    let scaled = hours * 10.0;
    if !scaled.is_finite() || scaled <= 0.0 {
        return Err(Msg::ErrHoursPositive);
    }
    let tenths = scaled.round();
    if (scaled - tenths).abs() > 1e-6 {
        return Err(Msg::ErrHoursInvalid);
    }
    if tenths > (validate::DAY_MAX_TENTHS * days).min(RECORD_TENTHS_MAX) as f64 {
        return Err(IntegrationMsg::ErrImportHours.into());
    }
    Ok(tenths as i64)
}

/// The days from `starts_on` to `ends_on`, both counted, when that span is allowed: it ends by
/// `today`, not more than ten years ago, and is at most a year long.
pub fn record_days(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Result<i64, (&'static str, Msg)> {
    if ends_on > today {
        return Err(("ends_on", IntegrationMsg::ErrImportFuture.into()));
    }
    if (today - ends_on).num_days() > AGE_DAYS_MAX {
        return Err(("ends_on", IntegrationMsg::ErrImportTooOld.into()));
    }
    let days = (ends_on - starts_on).num_days() + 1;
    if !(1..=SPAN_DAYS_MAX).contains(&days) {
        return Err(("starts_on", IntegrationMsg::ErrImportSpan.into()));
    }
    Ok(days)
}

fn check_record(record: &ImportedRecord, today: NaiveDate) -> Result<ValidRecord, Vec<(&'static str, Msg)>> {
    let mut errors = Vec::new();
    let days = record_days(record.starts_on, record.ends_on, today).map_err(|e| errors.push(e)).ok();
    let tenths = days.and_then(|days| record_tenths(record.hours, days).map_err(|m| errors.push(("hours", m))).ok());
    let category = HourCategory::from_code(record.category.trim());
    if category.is_none() {
        errors.push(("category", IntegrationMsg::ErrImportCategory.into()));
    }
    let title = validate::line(&record.title, true, TITLE_MAX).map_err(|m| errors.push(("title", m))).ok();
    let external_id = match record.external_id.as_deref().map(|id| validate::line(id, false, EXTERNAL_ID_MAX)) {
        None => Some(None),
        Some(Ok(id)) => Some((!id.is_empty()).then_some(id)),
        Some(Err(m)) => {
            errors.push(("external_id", m));
            None
        }
    };
    match (tenths, category, title, external_id) {
        (Some(tenths), Some(category), Some(title), Some(external_id)) if errors.is_empty() => Ok(ValidRecord {
            teacher_id: record.teacher_id,
            starts_on: record.starts_on,
            ends_on: record.ends_on,
            tenths,
            category,
            title,
            external_id,
        }),
        _ => Err(errors),
    }
}

/// Checks an import against the rules (which teachers are the district's is the store's to
/// say). Each fault is named as `records[i].field`; past [`ERRORS_NAMED_MAX`] faults the rest are
/// left unnamed.
pub fn validate_import(import: &HourImport, today: NaiveDate) -> Result<ValidImport, Vec<(String, Msg)>> {
    let mut errors: Vec<(String, Msg)> = Vec::new();
    let source_system = validate::line(&import.source_system, true, SOURCE_SYSTEM_MAX)
        .map_err(|m| errors.push(("source_system".to_owned(), m)))
        .ok();
    if import.records.is_empty() || import.records.len() > IMPORT_MAX {
        errors.push(("records".to_owned(), IntegrationMsg::ErrImportCount.into()));
        return Err(errors);
    }
    let mut records = Vec::with_capacity(import.records.len());
    for (i, record) in import.records.iter().enumerate() {
        match check_record(record, today) {
            Ok(valid) => records.push(valid),
            Err(faults) => {
                for (field, msg) in faults {
                    if errors.len() < ERRORS_NAMED_MAX {
                        errors.push((format!("records[{i}].{field}"), msg));
                    }
                }
            }
        }
    }
    match source_system {
        Some(source_system) if errors.is_empty() => Ok(ValidImport { source_system, records }),
        _ => Err(errors),
    }
}

/// An `Idempotency-Key` as sent: 1 to 100 visible ASCII characters.
pub fn idempotency_key(value: Option<&str>) -> Result<String, Msg> {
    let key = value.map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > KEY_MAX || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IntegrationMsg::ErrIdempotencyKey.into());
    }
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn record(starts: NaiveDate, ends: NaiveDate, hours: f64) -> ImportedRecord {
        ImportedRecord {
            teacher_id: Uuid::nil(),
            starts_on: starts,
            ends_on: ends,
            hours,
            category: "course".into(),
            title: "新课标专题培训".into(),
            external_id: Some(" C-1 ".into()),
        }
    }

    #[test]
    fn a_course_holds_up_to_24_hours_for_each_of_its_days() {
        assert_eq!(record_tenths(24.0, 1), Ok(240));
        assert_eq!(record_tenths(24.1, 1), Err(IntegrationMsg::ErrImportHours.into()));
        assert_eq!(record_tenths(120.0, 5), Ok(1200));
        assert_eq!(record_tenths(999.9, 366), Ok(9999));
        assert_eq!(record_tenths(1000.0, 366), Err(IntegrationMsg::ErrImportHours.into()));
        assert_eq!(record_tenths(0.1 + 0.2, 1), Ok(3), "float noise is not a second decimal");
        assert_eq!(record_tenths(1.25, 1), Err(Msg::ErrHoursInvalid));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(record_tenths(bad, 1), Err(Msg::ErrHoursPositive), "{bad}");
        }
    }

    #[test]
    fn a_course_ends_by_today_within_ten_years_and_spans_at_most_a_year() {
        let today = d(2026, 12, 6);
        assert_eq!(record_days(d(2026, 9, 1), d(2026, 9, 5), today), Ok(5));
        assert_eq!(record_days(today, today, today), Ok(1));
        assert_eq!(record_days(today, d(2026, 12, 7), today).map_err(|e| e.0), Err("ends_on"));
        assert_eq!(record_days(d(2016, 1, 1), d(2016, 1, 2), today).map_err(|e| e.0), Err("ends_on"));
        assert_eq!(record_days(d(2026, 9, 5), d(2026, 9, 1), today).map_err(|e| e.0), Err("starts_on"));
        assert_eq!(record_days(d(2025, 1, 1), d(2026, 1, 2), today).map_err(|e| e.0), Err("starts_on"));
    }

    #[test]
    fn every_bad_record_is_named_by_its_place_up_to_a_limit() {
        let today = d(2026, 12, 6);
        let good = record(d(2026, 9, 1), d(2026, 9, 5), 40.0);
        let mut bad = record(d(2026, 9, 1), d(2026, 9, 1), 25.0);
        bad.category = "nap".into();
        let import = HourImport { source_system: "省平台".into(), records: vec![good.clone(), bad, good.clone()] };
        let names: Vec<String> = validate_import(&import, today).unwrap_err().into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["records[1].hours", "records[1].category"]);

        let many = HourImport { source_system: " ".into(), records: vec![record(today, today, 30.0); 50] };
        let errors = validate_import(&many, today).unwrap_err();
        assert_eq!(errors.len(), ERRORS_NAMED_MAX);
        assert_eq!(errors[0].0, "source_system");

        let ok = validate_import(&HourImport { source_system: " 省平台 ".into(), records: vec![good] }, today)
            .expect("valid");
        assert_eq!(ok.source_system, "省平台");
        assert_eq!(ok.records[0].external_id.as_deref(), Some("C-1"));
        assert_eq!(ok.total_tenths(), 400);
    }

    #[test]
    fn an_import_has_one_to_ten_thousand_records() {
        let today = d(2026, 12, 6);
        let empty = HourImport { source_system: "省平台".into(), records: Vec::new() };
        assert_eq!(validate_import(&empty, today).unwrap_err()[0].0, "records");
        let full =
            HourImport { source_system: "省平台".into(), records: vec![record(today, today, 1.0); IMPORT_MAX] };
        assert_eq!(validate_import(&full, today).map(|i| i.records.len()), Ok(IMPORT_MAX));
        let over =
            HourImport { source_system: "省平台".into(), records: vec![record(today, today, 1.0); IMPORT_MAX + 1] };
        assert_eq!(validate_import(&over, today).unwrap_err()[0].0, "records");
    }

    #[test]
    fn an_idempotency_key_is_short_visible_ascii() {
        assert_eq!(idempotency_key(Some(" import-2026-09 ")), Ok("import-2026-09".to_owned()));
        let long = "k".repeat(KEY_MAX + 1);
        for bad in [None, Some(""), Some("导入"), Some("a b"), Some(long.as_str())] {
            assert!(idempotency_key(bad).is_err(), "{bad:?}");
        }
    }
}
