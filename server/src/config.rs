//! Configuration from environment variables (documented in the README).

use std::env;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/atelier`.
    pub database_url: String,
    /// `ATELIER_DB_MAX_CONNECTIONS`, default [`default_pool_size`].
    pub max_connections: u32,
    /// `ATELIER_SECURE_COOKIES=true` when served over https (cookies then carry `Secure`).
    pub secure_cookies: bool,
    /// `ATELIER_SESSION_DAYS`: a session ends after this many days without activity, default 14.
    pub session_days: i64,
    /// `ATELIER_SESSION_TOUCH_SECS`: a signed-in session's expiry moves forward at most this
    /// often (default 300): one write per interval, not one per request.
    pub session_touch_secs: u64,
    /// `ATELIER_TRUSTED_PROXIES`: comma-separated addresses or networks of the reverse proxies in
    /// front; only their `X-Forwarded-For` names the client. Default: none.
    pub trusted_proxies: app::kit::client::TrustedProxies,
    /// `ATELIER_MIN_CELL`: no figure is shown for fewer teachers than this (default 5, at least 2).
    pub min_cell: app::districts::MinCell,
    /// `ATELIER_PUBLIC_URL`: the address people reach the site at, for links printed on paper
    /// (a certificate's QR code), never taken from a request. Default `http://127.0.0.1:3000`.
    pub public_url: String,
    /// `ATELIER_METRICS_TOKEN`: the bearer token `/metrics` asks for (at least 16 characters);
    /// unset, `/metrics` is off (404).
    pub metrics_token: Option<String>,
    /// `ATELIER_SHUTDOWN_GRACE_SECS`: on SIGTERM or Ctrl-C, how long requests in flight may take
    /// to finish before the server exits anyway (default 20).
    pub shutdown_grace_secs: u64,
    /// Where the outbox is delivered (`smtp_settings`); `None`: mail stays in the outbox.
    pub smtp: Option<app::kit::mail::SmtpSettings>,
    /// `ATELIER_API_CALLS_PER_MINUTE`: calls an integration API client may make per minute on one
    /// instance (default 600, 1 to 1,000,000).
    pub api_calls_per_minute: u32,
    /// `ATELIER_WEBHOOK_ALLOW_LOOPBACK_HTTP=true` lets webhooks go to plain http on loopback
    /// (tests, local development; never in production). `ATELIER_WEBHOOK_FIRST_RETRY_MS`: the
    /// wait after a delivery's first failure, doubled after each later one (default 10,000).
    pub webhooks: app::integration::webhooks::WebhookSettings,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    name: &'static str,
    problem: String,
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse().map_err(|_| ConfigError { name, problem: format!("cannot parse {v:?}") })
        }
        _ => Ok(default),
    }
}

/// The pool size when none is configured: twice the host's cores, at least 4 and at most
/// [`MAX_POOL_SIZE`] (PostgreSQL is assumed on the same host). PostgreSQL's work is CPU: more
/// connections than that only queue inside it, where each extra backend makes every other one
/// slower. On 2 cores a teacher's home under 64 connections measured 1,154–1,224 req/s with 10
/// connections and 1,395–1,658 with 4, the database's CPU a request 0.84–0.88 ms against
/// 0.55–0.68 ms. One connection is held by the live notes' listener once a study streams.
pub fn default_pool_size(cores: usize) -> u32 {
    u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX).clamp(4, MAX_POOL_SIZE)
}

/// The largest pool `ATELIER_DB_MAX_CONNECTIONS` may ask for (and the default may reach).
const MAX_POOL_SIZE: u32 = 1000;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Ok(Config {
            database_url: env::var("DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/atelier".to_owned()),
            // sqlx's pool panics when given no connections; a clear message is better.
            max_connections: match parsed("ATELIER_DB_MAX_CONNECTIONS", default_pool_size(cores()))? {
                n if (1..=MAX_POOL_SIZE).contains(&n) => n,
                n => {
                    return Err(ConfigError {
                        name: "ATELIER_DB_MAX_CONNECTIONS",
                        problem: format!("{n} is not between 1 and {MAX_POOL_SIZE}"),
                    })
                }
            },
            secure_cookies: parsed("ATELIER_SECURE_COOKIES", false)?,
            session_days: parsed("ATELIER_SESSION_DAYS", 14)?,
            session_touch_secs: match parsed("ATELIER_SESSION_TOUCH_SECS", 300)? {
                secs if secs <= 86_400 => secs,
                secs => {
                    return Err(ConfigError {
                        name: "ATELIER_SESSION_TOUCH_SECS",
                        problem: format!("{secs} is more than a day"),
                    })
                }
            },
            trusted_proxies: app::kit::client::TrustedProxies::parse(
                &env::var("ATELIER_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|problem| ConfigError { name: "ATELIER_TRUSTED_PROXIES", problem })?,
            min_cell: match parsed("ATELIER_MIN_CELL", 5)? {
                k if (2..=1000).contains(&k) => app::districts::MinCell(k),
                k => {
                    return Err(ConfigError {
                        name: "ATELIER_MIN_CELL",
                        problem: format!("{k} is not between 2 and 1000"),
                    })
                }
            },
            public_url: match env::var("ATELIER_PUBLIC_URL") {
                Ok(url) if !url.trim().is_empty() => {
                    let url = url.trim().trim_end_matches('/').to_owned();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(ConfigError {
                            name: "ATELIER_PUBLIC_URL",
                            problem: format!("{url:?} does not start with https:// or http://"),
                        });
                    }
                    url
                }
                _ => "http://127.0.0.1:3000".to_owned(),
            },
            metrics_token: match env::var("ATELIER_METRICS_TOKEN") {
                Ok(token) if token.trim().chars().count() >= 16 => Some(token.trim().to_owned()),
                Ok(token) if !token.trim().is_empty() => {
                    return Err(ConfigError {
                        name: "ATELIER_METRICS_TOKEN",
                        problem: "shorter than 16 characters".to_owned(),
                    })
                }
                _ => None,
            },
            smtp: smtp_settings()?,
            api_calls_per_minute: match parsed(
                "ATELIER_API_CALLS_PER_MINUTE",
                app::integration::rules::CALLS_PER_MINUTE,
            )? {
                n if (1..=1_000_000).contains(&n) => n,
                n => {
                    return Err(ConfigError {
                        name: "ATELIER_API_CALLS_PER_MINUTE",
                        problem: format!("{n} is not between 1 and 1,000,000"),
                    })
                }
            },
            webhooks: app::integration::webhooks::WebhookSettings {
                allow_loopback_http: parsed("ATELIER_WEBHOOK_ALLOW_LOOPBACK_HTTP", false)?,
                first_retry: match parsed("ATELIER_WEBHOOK_FIRST_RETRY_MS", 10_000u64)? {
                    ms if (1..=3_600_000).contains(&ms) => std::time::Duration::from_millis(ms),
                    ms => {
                        return Err(ConfigError {
                            name: "ATELIER_WEBHOOK_FIRST_RETRY_MS",
                            problem: format!("{ms} is not between 1 and 3,600,000"),
                        })
                    }
                },
            },
            shutdown_grace_secs: match parsed("ATELIER_SHUTDOWN_GRACE_SECS", 20)? {
                secs if (1..=600).contains(&secs) => secs,
                secs => {
                    return Err(ConfigError {
                        name: "ATELIER_SHUTDOWN_GRACE_SECS",
                        problem: format!("{secs} is not between 1 and 600"),
                    })
                }
            },
        })
    }
}

/// The training-hour ledger's settings: `ATELIER_YEARLY_HOURS_QUOTA` (hours a year, default 96,
/// one decimal at most) and `ATELIER_YEAR_START_MONTH` (1 = calendar year, the default; 9 = a
/// school year from September).
pub fn hours_settings() -> Result<app::growth::HoursSettings, ConfigError> {
    let quota: f64 = parsed("ATELIER_YEARLY_HOURS_QUOTA", 96.0)?;
    if !(quota > 0.0 && quota <= 10_000.0) {
        return Err(ConfigError {
            name: "ATELIER_YEARLY_HOURS_QUOTA",
            problem: format!("{quota} is not between 0 and 10000"),
        });
    }
    let month: u32 = parsed("ATELIER_YEAR_START_MONTH", 1)?;
    if !(1..=12).contains(&month) {
        return Err(ConfigError {
            name: "ATELIER_YEAR_START_MONTH",
            problem: format!("{month} is not a month (1-12)"),
        });
    }
    Ok(app::growth::HoursSettings { quota_tenths: (quota * 10.0).round() as i64, year_start_month: month })
}

/// The mail server, when `ATELIER_SMTP_HOST` is set: `ATELIER_SMTP_SECURITY` (`starttls`, the
/// default; `tls`; `none` for a relay on the same network), `ATELIER_SMTP_PORT` (default 587, 465
/// or 25 to match), `ATELIER_SMTP_USERNAME` and `ATELIER_SMTP_PASSWORD` (both or neither), and
/// `ATELIER_MAIL_FROM` (`Atelier <noreply@example.cn>`, required).
pub fn smtp_settings() -> Result<Option<app::kit::mail::SmtpSettings>, ConfigError> {
    use app::kit::mail::{Security, SmtpSettings};
    let var = |name| env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let Some(host) = var("ATELIER_SMTP_HOST") else { return Ok(None) };
    let security = match var("ATELIER_SMTP_SECURITY").as_deref() {
        None | Some("starttls") => Security::StartTls,
        Some("tls") => Security::Tls,
        Some("none") => Security::None,
        Some(other) => {
            return Err(ConfigError {
                name: "ATELIER_SMTP_SECURITY",
                problem: format!("{other:?} is not starttls, tls or none"),
            })
        }
    };
    let default_port = match security {
        Security::StartTls => 587,
        Security::Tls => 465,
        Security::None => 25,
    };
    let credentials = match (var("ATELIER_SMTP_USERNAME"), env::var("ATELIER_SMTP_PASSWORD").ok()) {
        (Some(user), Some(password)) if !password.is_empty() => Some((user, password)),
        (None, None) => None,
        _ => {
            return Err(ConfigError {
                name: "ATELIER_SMTP_USERNAME",
                problem: "set both ATELIER_SMTP_USERNAME and ATELIER_SMTP_PASSWORD, or neither".to_owned(),
            })
        }
    };
    let from = var("ATELIER_MAIL_FROM").ok_or_else(|| ConfigError {
        name: "ATELIER_MAIL_FROM",
        problem: "required with ATELIER_SMTP_HOST".to_owned(),
    })?;
    let from = from.parse().map_err(|err| ConfigError {
        name: "ATELIER_MAIL_FROM",
        problem: format!("{from:?} is not an address: {err}"),
    })?;
    Ok(Some(SmtpSettings { host, port: parsed("ATELIER_SMTP_PORT", default_port)?, security, credentials, from }))
}

/// A new district's training-hour rules: the ledger's settings above, with
/// `ATELIER_CYCLE_HOURS_QUOTA` (hours per five-year cycle, default 360) and
/// `ATELIER_CYCLE_START_YEAR` (the first year of a cycle, default 2026). Each district's admin may
/// change its own.
pub fn district_rules() -> Result<app::districts::dashboard::YearRules, ConfigError> {
    let hours = hours_settings()?;
    let cycle_quota: f64 = parsed("ATELIER_CYCLE_HOURS_QUOTA", 360.0)?;
    if !(cycle_quota > 0.0 && cycle_quota <= 5_000.0) {
        return Err(ConfigError {
            name: "ATELIER_CYCLE_HOURS_QUOTA",
            problem: format!("{cycle_quota} is not between 0 and 5000"),
        });
    }
    let cycle_start: i32 = parsed("ATELIER_CYCLE_START_YEAR", 2026)?;
    if !(2000..=2100).contains(&cycle_start) {
        return Err(ConfigError {
            name: "ATELIER_CYCLE_START_YEAR",
            problem: format!("{cycle_start} is not between 2000 and 2100"),
        });
    }
    Ok(app::districts::dashboard::YearRules {
        quota_tenths: hours.quota_tenths,
        year_start_month: hours.year_start_month,
        cycle_start_year: cycle_start,
        cycle_quota_tenths: (cycle_quota * 10.0).round() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pool_is_twice_the_cores_never_below_four_nor_above_the_configurable_maximum() {
        assert_eq!(default_pool_size(1), 4);
        assert_eq!(default_pool_size(2), 4);
        assert_eq!(default_pool_size(8), 16);
        // Never more than a configured pool may be: a default the check refused would stop a
        // very large host at start with nothing configured.
        assert_eq!(default_pool_size(501), MAX_POOL_SIZE);
        assert_eq!(default_pool_size(usize::MAX), MAX_POOL_SIZE);
    }

    #[test]
    fn hours_settings_default_to_96_hours_a_calendar_year_and_refuse_nonsense() {
        // The only test touching these variables (tests run in threads of one process).
        env::remove_var("ATELIER_YEARLY_HOURS_QUOTA");
        env::remove_var("ATELIER_YEAR_START_MONTH");
        assert_eq!(hours_settings().ok(), Some(app::growth::HoursSettings { quota_tenths: 960, year_start_month: 1 }));
        env::set_var("ATELIER_YEARLY_HOURS_QUOTA", "72.5");
        env::set_var("ATELIER_YEAR_START_MONTH", "9");
        assert_eq!(hours_settings().ok(), Some(app::growth::HoursSettings { quota_tenths: 725, year_start_month: 9 }));
        env::set_var("ATELIER_YEAR_START_MONTH", "13");
        assert!(hours_settings().is_err());
        env::set_var("ATELIER_YEAR_START_MONTH", "1");
        env::set_var("ATELIER_YEARLY_HOURS_QUOTA", "-5");
        assert!(hours_settings().is_err());
        env::remove_var("ATELIER_YEARLY_HOURS_QUOTA");
        env::remove_var("ATELIER_YEAR_START_MONTH");
    }
}
