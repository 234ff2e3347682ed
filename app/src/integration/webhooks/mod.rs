//! Webhooks: a client's https address told of the district's events as they happen. The rules
//! here need no database: which events there are and the scope each needs, which addresses may be
//! called, how a delivery is signed and how long a failed one waits. The outbox is written by
//! triggers in the events' own transactions (see the migration); `worker` sends it.

#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod worker;

use super::rules::Scope;
use super::IntegrationMsg;
use crate::kit::i18n::Msg;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;
use uuid::Uuid;

/// What a client may be told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Event {
    /// A training record was credited (logged, attended, imported).
    #[serde(rename = "hours.credited")]
    HoursCredited,
    /// A record was withdrawn (an undone check-in, a cancelled lesson's credit).
    #[serde(rename = "hours.withdrawn")]
    HoursWithdrawn,
    #[serde(rename = "certificate.issued")]
    CertificateIssued,
    /// A certificate no longer holds: the year's hours changed after it was issued.
    #[serde(rename = "certificate.superseded")]
    CertificateSuperseded,
    #[serde(rename = "studio_record.finalised")]
    StudioRecordFinalised,
    #[serde(rename = "lesson.cancelled")]
    LessonCancelled,
}

impl Event {
    pub const ALL: [Event; 6] = [
        Event::HoursCredited,
        Event::HoursWithdrawn,
        Event::CertificateIssued,
        Event::CertificateSuperseded,
        Event::StudioRecordFinalised,
        Event::LessonCancelled,
    ];

    /// The event's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::HoursCredited => "hours.credited",
            Event::HoursWithdrawn => "hours.withdrawn",
            Event::CertificateIssued => "certificate.issued",
            Event::CertificateSuperseded => "certificate.superseded",
            Event::StudioRecordFinalised => "studio_record.finalised",
            Event::LessonCancelled => "lesson.cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The scope that reads what the event tells: a client is told only what it may read.
    pub fn scope(self) -> Scope {
        match self {
            Event::HoursCredited | Event::HoursWithdrawn => Scope::HoursRead,
            Event::CertificateIssued | Event::CertificateSuperseded => Scope::CertificatesRead,
            Event::StudioRecordFinalised => Scope::RecordsRead,
            Event::LessonCancelled => Scope::LessonsRead,
        }
    }
}

/// How webhooks are sent on this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Plain http to loopback addresses, for tests and local development only.
    pub allow_loopback_http: bool,
    /// The wait after the first failed attempt; each later one waits twice as long.
    pub first_retry: Duration,
}

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings { allow_loopback_http: false, first_retry: Duration::from_secs(10) }
    }
}

/// Characters of an address.
pub const URL_MAX: usize = 2000;
/// Attempts before a delivery is given up: ten over about three hours at the default waits.
pub const MAX_ATTEMPTS: i32 = 10;
/// The longest wait between attempts.
pub const RETRY_MAX: Duration = Duration::from_secs(3600);
/// How long a receiver has to answer.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries per page of the log.
pub const LOG_PAGE: i64 = 50;

/// The wait after `attempts` failed attempts: `first` doubled each time, at most an hour.
pub fn retry_delay(first: Duration, attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    first.saturating_mul(1 << doublings).min(RETRY_MAX)
}

/// Whether a delivery may connect to `ip`: never to a loopback, private, link-local, shared,
/// multicast or otherwise unroutable address (the server's own network), except loopback when
/// `allow_loopback` (tests).
pub fn address_allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    if ip.is_loopback() {
        return allow_loopback;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0xdb8)
        }
    }
}

/// A subscription's address, checked: https (plain http only to loopback when
/// `allow_loopback_http`), no credentials in it, and a host that is a name or a public address.
/// A name is checked again when a delivery resolves it (`worker`), so that it cannot lead to a
/// private address later.
#[cfg(feature = "ssr")]
pub fn check_url(text: &str, allow_loopback_http: bool) -> Result<String, Msg> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > URL_MAX {
        return Err(IntegrationMsg::ErrWebhookUrl.into());
    }
    let url = url::Url::parse(text).map_err(|_| IntegrationMsg::ErrWebhookUrl)?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(IntegrationMsg::ErrWebhookUrl.into());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(v4)) => {
            if !address_allowed(IpAddr::V4(v4), allow_loopback_http) {
                return Err(IntegrationMsg::ErrWebhookPrivate.into());
            }
            v4.is_loopback()
        }
        Some(url::Host::Ipv6(v6)) => {
            if !address_allowed(IpAddr::V6(v6), allow_loopback_http) {
                return Err(IntegrationMsg::ErrWebhookPrivate.into());
            }
            v6.is_loopback()
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") || !name.contains('.') {
                if !(allow_loopback_http && name == "localhost") {
                    return Err(IntegrationMsg::ErrWebhookPrivate.into());
                }
                true
            } else {
                false
            }
        }
        None => return Err(IntegrationMsg::ErrWebhookUrl.into()),
    };
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if allow_loopback_http && loopback => Ok(url.to_string()),
        _ => Err(IntegrationMsg::ErrWebhookHttps.into()),
    }
}

/// The events asked for, each once and in order: one to six, each readable with the client's
/// scopes.
pub fn check_events(asked: &[Event], scopes: &[Scope]) -> Result<Vec<Event>, Msg> {
    if asked.is_empty() || asked.len() > Event::ALL.len() {
        return Err(IntegrationMsg::ErrWebhookEvent.into());
    }
    if asked.iter().any(|e| !scopes.contains(&e.scope())) {
        return Err(IntegrationMsg::ErrWebhookEventScope.into());
    }
    let mut events = asked.to_vec();
    events.sort();
    events.dedup();
    Ok(events)
}

/// The signature of a delivery: HMAC-SHA256 keyed with the subscription's secret over
/// `"{timestamp}.{body}"`, in lower-case hex, sent as `Atelier-Signature: v1=<hex>` beside
/// `Atelier-Timestamp: <timestamp>` (Unix seconds). A receiver recomputes it and compares, and
/// refuses a timestamp far from its own clock, so a captured delivery cannot be replayed later.
#[cfg(feature = "ssr")]
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A client's subscription as its district's admins see it (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub url: String,
    pub events: Vec<Event>,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    Delivered,
    /// Not yet accepted; tried again at its next attempt.
    Retrying,
    /// Given up after [`MAX_ATTEMPTS`].
    Failed,
}

impl DeliveryState {
    pub fn label(self) -> Msg {
        match self {
            DeliveryState::Delivered => IntegrationMsg::DeliveryDelivered,
            DeliveryState::Retrying => IntegrationMsg::DeliveryRetrying,
            DeliveryState::Failed => IntegrationMsg::DeliveryFailed,
        }
        .into()
    }
}

/// One delivery in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub event: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// When it was accepted, given up, or is tried next.
    pub at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: String,
}

/// A client's delivery log, a page of it, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub client_id: Uuid,
    pub client_name: String,
    pub subscription: Option<Subscription>,
    pub deliveries: Vec<Delivery>,
    pub page: i64,
    pub total: i64,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_called_and_loopback_only_in_tests() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!address_allowed(private.parse().expect("ip"), false), "{private}");
        }
        for public in ["1.1.1.1", "114.114.114.114", "2400:3200::1"] {
            assert!(address_allowed(public.parse().expect("ip"), false), "{public}");
        }
        assert!(address_allowed("127.0.0.1".parse().expect("ip"), true));
        assert!(!address_allowed("10.0.0.1".parse().expect("ip"), true), "only loopback opens in tests");
    }

    #[test]
    fn an_address_is_https_to_a_public_host() {
        assert_eq!(
            check_url(" https://hooks.example.cn/atelier ", false),
            Ok("https://hooks.example.cn/atelier".into())
        );
        let refused = |url: &str, allow: bool| check_url(url, allow).unwrap_err();
        assert_eq!(refused("http://hooks.example.cn/", false), IntegrationMsg::ErrWebhookHttps.into());
        for private in [
            "https://10.0.0.1/",
            "https://[::1]/",
            "https://localhost/",
            "https://intranet/",
            "https://127.0.0.1:8443/",
        ] {
            assert_eq!(refused(private, false), IntegrationMsg::ErrWebhookPrivate.into(), "{private}");
        }
        for bad in ["", "hooks.example.cn", "https://user:pw@hooks.example.cn/", "ftp://hooks.example.cn/", "https://"]
        {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert_eq!(check_url("http://127.0.0.1:4000/hook", true), Ok("http://127.0.0.1:4000/hook".into()));
        assert_eq!(refused("http://hooks.example.cn/", true), IntegrationMsg::ErrWebhookHttps.into());
    }

    #[test]
    fn events_are_those_the_clients_scopes_read() {
        let asked = [Event::LessonCancelled, Event::HoursCredited, Event::HoursCredited];
        assert_eq!(
            check_events(&asked, &[Scope::HoursRead, Scope::LessonsRead]),
            Ok(vec![Event::HoursCredited, Event::LessonCancelled])
        );
        assert_eq!(
            check_events(&[Event::CertificateIssued], &[Scope::HoursRead]),
            Err(IntegrationMsg::ErrWebhookEventScope.into())
        );
        assert_eq!(check_events(&[], &Scope::ALL), Err(IntegrationMsg::ErrWebhookEvent.into()));
        assert!(check_events(&[Event::HoursCredited; 7], &Scope::ALL).is_err(), "at most six, as documented");
        for event in Event::ALL {
            assert_eq!(Event::parse(event.as_str()), Some(event));
            assert_eq!(serde_json::to_string(&event).expect("json"), format!("\"{}\"", event.as_str()));
        }
    }

    #[test]
    fn a_signature_covers_the_timestamp_and_the_body() {
        let a = signature("whsec", 1_780_000_000, r#"{"id":1}"#);
        assert_eq!(a.len(), 64);
        assert_ne!(a, signature("whsec", 1_780_000_001, r#"{"id":1}"#));
        assert_ne!(a, signature("whsec", 1_780_000_000, r#"{"id":2}"#));
        assert_ne!(a, signature("other", 1_780_000_000, r#"{"id":1}"#));
        // RFC 4231 test case 2, as the HMAC this signature is.
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn a_failed_delivery_waits_twice_as_long_each_time_up_to_an_hour() {
        let first = Duration::from_secs(10);
        let waits: Vec<u64> = (1..=11).map(|a| retry_delay(first, a).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
        assert_eq!(retry_delay(first, i32::MAX), RETRY_MAX);
    }
}
