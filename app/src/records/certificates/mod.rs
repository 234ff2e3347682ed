//! Training-hour certificates (学时证明): a teacher's frozen, verifiable statement of one quota
//! year's credited hours. The teacher issues it from their record; a school checks it at
//! `/verify/{serial}` (no sign-in), which shows only what the check needs.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::growth::{HourCategory, RecordSource};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Records on one certificate at most (a year of real training is a few hundred).
pub const LINES_MAX: usize = 2000;

/// The characters of a serial: no I, O, 0 or 1, which are misread when typed from paper.
const SERIAL_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 20 characters of 5 bits: 100 random bits, so a serial cannot be guessed.
pub const SERIAL_LEN: usize = 20;

/// A new random serial.
#[cfg(feature = "ssr")]
pub fn new_serial() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..SERIAL_LEN).map(|_| SERIAL_ALPHABET[rng.gen_range(0..32)] as char).collect()
}

/// A serial as typed or scanned (any case, with or without dashes and spaces), or `None` when it
/// cannot be one.
pub fn normalize_serial(input: &str) -> Option<String> {
    if input.len() > 64 {
        return None;
    }
    let serial: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
    (serial.len() == SERIAL_LEN && serial.bytes().all(|b| SERIAL_ALPHABET.contains(&b))).then_some(serial)
}

/// A serial in groups of five, as printed.
pub fn display_serial(serial: &str) -> String {
    serial.as_bytes().chunks(5).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// One credited record, as frozen on the certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateLine {
    pub occurred_on: NaiveDate,
    pub category: HourCategory,
    pub tenths: i64,
    pub source: RecordSource,
    pub verified_by: Option<String>,
}

/// What a certificate states. Its canonical JSON (this field order) is what the SHA-256 is of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateContent {
    pub teacher: String,
    pub school: String,
    pub year: i32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub quota_tenths: i64,
    pub total_tenths: i64,
    pub by_category: Vec<(HourCategory, i64)>,
    pub lines: Vec<CertificateLine>,
}

/// The hex SHA-256 of the content's canonical JSON.
#[cfg(feature = "ssr")]
pub fn content_sha256(content: &CertificateContent) -> String {
    crate::kit::token::sha256_hex(&serde_json::to_vec(content).unwrap_or_default())
}

/// A certificate as its teacher sees and prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub serial: String,
    pub content: CertificateContent,
    pub sha256: String,
    pub issued_at: DateTime<Utc>,
    pub superseded: bool,
    /// The public verification page, under the configured public address.
    pub verify_url: String,
    /// A QR code of `verify_url`, as SVG.
    pub qr_svg: String,
}

/// What the public verification page shows: only what a school needs to check the paper.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Verification {
    pub serial: String,
    pub teacher: String,
    pub school: String,
    pub year: i32,
    pub total_tenths: i64,
    pub issued_at: DateTime<Utc>,
    pub valid: bool,
    /// The teacher's newer certificate of the same year, when this one is superseded.
    pub newer: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_random_twenty_characters_that_read_back_however_they_are_typed() {
        let (a, b) = (new_serial(), new_serial());
        assert_ne!(a, b);
        assert_eq!(normalize_serial(&a).as_deref(), Some(a.as_str()));
        let printed = display_serial(&a);
        assert_eq!(printed.len(), 23, "four dashes");
        assert_eq!(normalize_serial(&printed.to_lowercase()).as_deref(), Some(a.as_str()));
        assert_eq!(normalize_serial(&format!(" {} ", printed.replace('-', " "))).as_deref(), Some(a.as_str()));
    }

    #[test]
    fn what_cannot_be_a_serial_is_refused_before_any_lookup() {
        for bad in
            ["", "ABC", "ABCDEFGHJKLMNPQRSTU0", "ABCDEFGHJKLMNPQRSTUVW", "ABCDEFGHJKLMNPQRSTU1", &"A".repeat(100)]
        {
            assert_eq!(normalize_serial(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_hash_is_of_the_content_so_any_change_gives_another() {
        let content = CertificateContent {
            teacher: "王老师".into(),
            school: "西湖区实验中学".into(),
            year: 2026,
            first_day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            last_day: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            quota_tenths: 960,
            total_tenths: 15,
            by_category: vec![(HourCategory::OpenLesson, 15)],
            lines: vec![CertificateLine {
                occurred_on: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default(),
                category: HourCategory::OpenLesson,
                tenths: 15,
                source: RecordSource::Booking,
                verified_by: Some("主持人".into()),
            }],
        };
        let hash = content_sha256(&content);
        assert_eq!(hash.len(), 64);
        assert_eq!(content_sha256(&content.clone()), hash, "stable");
        let mut changed = content;
        changed.lines[0].tenths = 16;
        assert_ne!(content_sha256(&changed), hash);
    }
}
