//! The integration API's rules, without a database: scopes, the shape of a token, how long a
//! client may live, and the cursors of its lists.

use super::IntegrationMsg;
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::kit::validate::{self, Checks};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a client may do; each endpoint names the one it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "roster.read")]
    RosterRead,
    #[serde(rename = "roster.write")]
    RosterWrite,
    #[serde(rename = "hours.read")]
    HoursRead,
    #[serde(rename = "hours.write")]
    HoursWrite,
    #[serde(rename = "certificates.read")]
    CertificatesRead,
    #[serde(rename = "lessons.read")]
    LessonsRead,
    #[serde(rename = "records.read")]
    RecordsRead,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::RosterRead,
        Scope::RosterWrite,
        Scope::HoursRead,
        Scope::HoursWrite,
        Scope::CertificatesRead,
        Scope::LessonsRead,
        Scope::RecordsRead,
    ];

    /// The scope's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::RosterRead => "roster.read",
            Scope::RosterWrite => "roster.write",
            Scope::HoursRead => "hours.read",
            Scope::HoursWrite => "hours.write",
            Scope::CertificatesRead => "certificates.read",
            Scope::LessonsRead => "lessons.read",
            Scope::RecordsRead => "records.read",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What the scope allows, for the admin choosing it.
    pub fn description(self) -> Msg {
        match self {
            Scope::RosterRead => IntegrationMsg::ScopeRosterRead,
            Scope::RosterWrite => IntegrationMsg::ScopeRosterWrite,
            Scope::HoursRead => IntegrationMsg::ScopeHoursRead,
            Scope::HoursWrite => IntegrationMsg::ScopeHoursWrite,
            Scope::CertificatesRead => IntegrationMsg::ScopeCertificatesRead,
            Scope::LessonsRead => IntegrationMsg::ScopeLessonsRead,
            Scope::RecordsRead => IntegrationMsg::ScopeRecordsRead,
        }
        .into()
    }
}

/// A client's name: 1 to 100 characters once trimmed.
pub const NAME_MAX: usize = 100;
/// A client lives at most two years, then its district creates a new one.
pub const LIFETIME_DAYS_MAX: i64 = 730;
/// Clients per page of the admin's list.
pub const CLIENTS_PAGE: i64 = 20;
/// Items per page of an API list: the default and the most a caller may ask for.
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;
/// Calls a client may make per minute on one server instance, unless configured otherwise.
pub const CALLS_PER_MINUTE: u32 = 600;

/// The prefix of every token, so that a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "atl_";

/// Whether `text` has the shape of a token (prefix and 48 hex digits): anything else is refused
/// before the database is asked.
pub fn token_shaped(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| rest.len() == 48 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The last four characters of a token, shown beside its client.
pub fn token_hint(token: &str) -> String {
    token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect()
}

/// A new client as the admin's form sends it, checked: the trimmed name, the scopes (each once,
/// at least one), and the lifetime in days.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidClient {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub days: i64,
}

fn scopes_of(names: &[String]) -> Result<Vec<Scope>, Msg> {
    let mut chosen: Vec<Scope> = Vec::new();
    for name in names.iter().take(Scope::ALL.len() * 2) {
        let scope = Scope::parse(name.trim()).ok_or(IntegrationMsg::ErrUnknownScope)?;
        if !chosen.contains(&scope) {
            chosen.push(scope);
        }
    }
    if chosen.is_empty() {
        return Err(IntegrationMsg::ErrNoScope.into());
    }
    chosen.sort();
    Ok(chosen)
}

fn lifetime(days: &str) -> Result<i64, Msg> {
    days.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=LIFETIME_DAYS_MAX).contains(d))
        .ok_or(IntegrationMsg::ErrLifetime.into())
}

/// Checks the admin's form; every field at fault is named.
pub fn validate_client(name: &str, scopes: &[String], days: &str) -> Result<ValidClient, AppError> {
    let mut checks = Checks::default();
    let name = checks.value("name", validate::line(name, true, NAME_MAX));
    let scopes = checks.value("scopes", scopes_of(scopes));
    let days = checks.value("days", lifetime(days));
    match (name, scopes, days) {
        (Some(name), Some(scopes), Some(days)) => Ok(ValidClient { name, scopes, days }),
        _ => Err(checks.into_error()),
    }
}

/// A list's position, opaque to callers: each list orders its items its own way.
pub trait PageCursor: Sized + Copy {
    /// The shape of the list's cursors, as the API document states it: text of that shape
    /// decodes, anything else does not.
    const PATTERN: &'static str;
    /// Before the list's first item.
    const START: Self;
    /// Whether the list is in change order, so that `updated_since` can narrow it.
    const CHANGE_ORDERED: bool = true;
    fn encode(self) -> String;
    /// `None` for anything not of the list's shape.
    fn decode(text: &str) -> Option<Self>;
}

/// Lower-case hex of `min..=max` digits.
fn hex_digits(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where a list ordered by change time stopped: the last item's change time and id. A cursor
/// stays right when rows are inserted or changed while a caller pages (a changed row moves to
/// the end and comes again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl PageCursor for Cursor {
    const PATTERN: &'static str = "^[0-9a-f]{1,15}\\.[0-9a-f]{32}$";
    const START: Cursor = Cursor { at: DateTime::UNIX_EPOCH, id: Uuid::nil() };

    /// Microseconds since the epoch and the id, in hex.
    fn encode(self) -> String {
        format!("{:x}.{}", self.at.timestamp_micros(), self.id.simple())
    }

    fn decode(text: &str) -> Option<Cursor> {
        let (micros, id) = text.split_once('.')?;
        if !hex_digits(micros, 1, 15) || !hex_digits(id, 32, 32) {
            return None;
        }
        let at = DateTime::from_timestamp_micros(i64::from_str_radix(micros, 16).ok()?)?;
        Some(Cursor { at, id: Uuid::try_parse(id).ok()? })
    }
}

/// Where a change feed stopped: the writing transaction and the change's number (see the
/// migration of `training_record_changes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedCursor {
    pub xid: i64,
    pub seq: i64,
}

impl PageCursor for FeedCursor {
    const PATTERN: &'static str = "^t[0-9a-f]{1,15}\\.[0-9a-f]{1,15}$";
    const START: FeedCursor = FeedCursor { xid: 0, seq: 0 };

    fn encode(self) -> String {
        format!("t{:x}.{:x}", self.xid, self.seq)
    }

    fn decode(text: &str) -> Option<FeedCursor> {
        let (xid, seq) = text.strip_prefix('t')?.split_once('.')?;
        if !hex_digits(xid, 1, 15) || !hex_digits(seq, 1, 15) {
            return None;
        }
        Some(FeedCursor { xid: i64::from_str_radix(xid, 16).ok()?, seq: i64::from_str_radix(seq, 16).ok()? })
    }
}

/// Where a list ordered by id stopped (a list of figures, not of changes): the last item's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdCursor(pub Uuid);

impl PageCursor for IdCursor {
    const PATTERN: &'static str = "^i[0-9a-f]{32}$";
    const START: IdCursor = IdCursor(Uuid::nil());
    const CHANGE_ORDERED: bool = false;

    fn encode(self) -> String {
        format!("i{}", self.0.simple())
    }

    fn decode(text: &str) -> Option<IdCursor> {
        let id = text.strip_prefix('i')?;
        if !hex_digits(id, 32, 32) {
            return None;
        }
        Uuid::try_parse(id).ok().map(IdCursor)
    }
}

/// A page size as asked (`None`: the default), or `None` when it is out of range.
pub fn page_size(asked: Option<i64>) -> Option<i64> {
    match asked {
        None => Some(PAGE_DEFAULT),
        Some(n) if (1..=PAGE_MAX).contains(&n) => Some(n),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_from_their_names_and_nothing_else_does() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).expect("json");
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        assert_eq!(Scope::parse("hours.admin"), None);
        assert_eq!(Scope::parse("HOURS.READ"), None);
    }

    #[test]
    fn a_client_needs_a_name_a_known_scope_and_a_lifetime_of_at_most_two_years() {
        let ok = validate_client(
            "  区教师培训平台 ",
            &["hours.read".into(), "roster.read".into(), "hours.read".into()],
            "365",
        );
        assert_eq!(
            ok,
            Ok(ValidClient {
                name: "区教师培训平台".into(),
                scopes: vec![Scope::RosterRead, Scope::HoursRead],
                days: 365
            })
        );
        let fields = |r: Result<ValidClient, AppError>| -> Vec<String> {
            match r {
                Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
                _ => Vec::new(),
            }
        };
        assert_eq!(fields(validate_client(" ", &[], "0")), ["name", "scopes", "days"]);
        assert_eq!(fields(validate_client(&"名".repeat(101), &["root".into()], "731")), ["name", "scopes", "days"]);
        assert!(validate_client("平台", &["lessons.read".into()], "730").is_ok());
        assert_eq!(fields(validate_client("平台", &["lessons.read".into()], "1e3")), ["days"]);
        assert_eq!(fields(validate_client("平\u{7}台", &["lessons.read".into()], "30")), ["name"]);
    }

    #[test]
    fn only_token_shaped_text_is_looked_up() {
        let token = format!("{TOKEN_PREFIX}{}", "a1".repeat(24));
        assert!(token_shaped(&token));
        assert!(!token_shaped(&token[..token.len() - 1]));
        assert!(!token_shaped(&token.replace("atl_", "xyz_")));
        assert!(!token_shaped(&format!("{TOKEN_PREFIX}{}", "g1".repeat(24))));
        assert_eq!(token_hint(&token), "a1a1");
    }

    #[test]
    fn cursors_read_back_and_anything_else_is_refused() {
        let cursor =
            Cursor { at: DateTime::from_timestamp_micros(1_780_000_000_123_456).expect("time"), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for bad in
            ["", ".", "zz.00000000000000000000000000000000", "1.not-a-uuid", &"f".repeat(65), "ffffffffffffffff.0"]
        {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn feed_cursors_read_back_and_list_cursors_are_not_feed_cursors() {
        let cursor = FeedCursor { xid: 1_234_567, seq: 89 };
        assert_eq!(FeedCursor::decode(&cursor.encode()), Some(cursor));
        let list = Cursor { at: DateTime::from_timestamp_micros(1).expect("time"), id: Uuid::nil() }.encode();
        for bad in [list.as_str(), "t", "t1", "t-1.2", "tz.1", &format!("t{}.1", "f".repeat(17)), "tffffffffffffffff.1"]
        {
            assert_eq!(FeedCursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn id_cursors_read_back_and_no_other_list_cursor_is_one() {
        let cursor = IdCursor(Uuid::new_v4());
        assert_eq!(IdCursor::decode(&cursor.encode()), Some(cursor));
        let list = Cursor { at: DateTime::from_timestamp_micros(1).expect("time"), id: Uuid::nil() }.encode();
        let feed = FeedCursor { xid: 1, seq: 1 }.encode();
        for bad in [list.as_str(), feed.as_str(), "i", &format!("i{}", "F".repeat(32)), &format!("i{}", "0".repeat(33))]
        {
            assert_eq!(IdCursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_largest_cursors_of_the_documented_shape_decode() {
        assert!(Cursor::decode(&format!("{}.{}", "f".repeat(15), "0".repeat(32))).is_some());
        assert!(Cursor::decode(&format!("0.{}", "f".repeat(32))).is_some());
        assert!(Cursor::decode(&format!("{}.{}", "F".repeat(15), "0".repeat(32))).is_none(), "lower case only");
        assert_eq!(
            FeedCursor::decode(&format!("t{0}.{0}", "f".repeat(15))),
            Some(FeedCursor { xid: (1 << 60) - 1, seq: (1 << 60) - 1 })
        );
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None), Some(PAGE_DEFAULT));
        assert_eq!(page_size(Some(PAGE_MAX)), Some(PAGE_MAX));
        assert_eq!(page_size(Some(0)), None);
        assert_eq!(page_size(Some(PAGE_MAX + 1)), None);
    }
}
