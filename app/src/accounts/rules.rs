//! Account rules that need no database: what a valid email, name, password, time zone and
//! profile are, and when repeated failed sign-ins are slowed down.

use super::{ProfileInput, Tier};
use crate::kit::i18n::{Locale, Msg};
use crate::kit::validate::{self, Checks};
use chrono::{DateTime, Duration, Utc};

pub const EMAIL_MAX: usize = 254;
pub const NAME_MAX: usize = 60;
pub const TEXT_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Failed sign-ins for one email allowed inside [`THROTTLE_WINDOW_MINUTES`] before the next is refused.
pub const THROTTLE_MAX_FAILURES: usize = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// Trims and lower-cases an email: addresses are unique whatever their case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A pragmatic address check (one `@`, a dotted domain, no spaces or markup); the real test of
/// an address is mail reaching it.
pub fn check_email(email: &str) -> Result<(), Msg> {
    if email.is_empty() {
        return Err(Msg::ErrRequired);
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(Msg::ErrTooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(Msg::ErrEmailInvalid);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(Msg::ErrEmailInvalid)
    }
}

/// Any character is allowed in a password; only its length is checked.
pub fn check_password(password: &str) -> Result<(), Msg> {
    let n = password.chars().count();
    if n == 0 {
        Err(Msg::ErrRequired)
    } else if n < PASSWORD_MIN {
        Err(Msg::ErrPasswordTooShort)
    } else if n > PASSWORD_MAX {
        Err(Msg::ErrPasswordTooLong)
    } else {
        Ok(())
    }
}

/// Profile fields after validation: trimmed, with the choices parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidProfile {
    pub display_name: String,
    pub school: String,
    pub district: String,
    pub subject: String,
    pub grade_band: String,
    pub tier: Tier,
    pub locale: Locale,
    pub time_zone: String,
}

/// Checks every profile field, recording problems in `checks`; the result is only meaningful
/// when `checks` finishes without errors.
pub fn check_profile(input: &ProfileInput, checks: &mut Checks) -> ValidProfile {
    checks
        .check("display_name", validate::name(&input.display_name, true, NAME_MAX))
        .check("school", validate::name(&input.school, true, TEXT_MAX))
        .check("district", validate::name(&input.district, true, TEXT_MAX))
        .check("subject", validate::name(&input.subject, true, TEXT_MAX))
        .check("grade_band", validate::name(&input.grade_band, false, TEXT_MAX))
        .check("time_zone", validate::time_zone(&input.time_zone));
    let tier = Tier::from_code(&input.tier);
    checks.check("tier", tier.map(|_| ()).ok_or(Msg::ErrChoiceUnknown));
    let locale = Locale::from_tag(&input.locale);
    checks.check("locale", locale.map(|_| ()).ok_or(Msg::ErrChoiceUnknown));
    ValidProfile {
        display_name: input.display_name.trim().to_owned(),
        school: input.school.trim().to_owned(),
        district: input.district.trim().to_owned(),
        subject: input.subject.trim().to_owned(),
        grade_band: input.grade_band.trim().to_owned(),
        tier: tier.unwrap_or_default(),
        locale: locale.unwrap_or_default(),
        time_zone: input.time_zone.trim().to_owned(),
    }
}

/// How long the next sign-in for an email must wait, given the times of its recent failures
/// (`None`: it may go ahead). The wait ends when the oldest failure in the window leaves it.
pub fn sign_in_wait(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| now - *t < window).collect();
    if recent.len() < THROTTLE_MAX_FAILURES {
        return None;
    }
    recent.sort_unstable();
    // The request may go ahead once fewer than the maximum remain inside the window.
    let pivot = recent[recent.len() - THROTTLE_MAX_FAILURES];
    Some((pivot + window - now).max(Duration::seconds(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_emails_are_accepted_and_normalized() {
        for ok in ["li.ming@school.edu.cn", "a+b@x.io", "teacher_1@sub-domain.example.com"] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        assert_eq!(normalize_email("  Li.Ming@School.EDU.cn "), "li.ming@school.edu.cn");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in
            ["plain", "a@b", "@x.com", "a@.com", "a b@x.com", "a@x..com", "<a>@x.com", "' or 1=1 --@x.com", "a@x.c0m"]
        {
            assert_eq!(check_email(bad), Err(Msg::ErrEmailInvalid), "{bad}");
        }
        assert_eq!(check_email(""), Err(Msg::ErrRequired));
        assert_eq!(check_email(&format!("{}@x.com", "a".repeat(300))), Err(Msg::ErrTooLong));
    }

    #[test]
    fn passwords_are_checked_by_length_only() {
        assert_eq!(check_password("short"), Err(Msg::ErrPasswordTooShort));
        assert_eq!(check_password("' OR '1'='1"), Ok(()));
        assert_eq!(check_password("密码密码密码密码"), Ok(()));
        assert_eq!(check_password(&"x".repeat(PASSWORD_MAX + 1)), Err(Msg::ErrPasswordTooLong));
        assert_eq!(check_password(""), Err(Msg::ErrRequired));
    }

    fn good_profile() -> ProfileInput {
        ProfileInput {
            display_name: "李老师".into(),
            school: "实验中学".into(),
            district: "西湖区".into(),
            subject: "数学".into(),
            grade_band: String::new(),
            tier: "backbone".into(),
            locale: "en".into(),
            time_zone: " Asia/Shanghai ".into(),
        }
    }

    #[test]
    fn a_complete_profile_is_trimmed_and_parsed() {
        let mut checks = Checks::default();
        let valid = check_profile(&good_profile(), &mut checks);
        assert!(checks.finish().is_ok());
        assert_eq!(valid.tier, Tier::Backbone);
        assert_eq!(valid.locale, Locale::En);
        assert_eq!(valid.time_zone, "Asia/Shanghai");
    }

    #[test]
    fn every_bad_profile_field_is_reported_at_once() {
        let input = ProfileInput {
            display_name: String::new(),
            tier: "wizard".into(),
            time_zone: "Nowhere/Land".into(),
            ..good_profile()
        };
        let mut checks = Checks::default();
        check_profile(&input, &mut checks);
        let err = checks.finish().expect_err("invalid");
        assert_eq!(err.field_msg("display_name"), Some(Msg::ErrRequired));
        assert_eq!(err.field_msg("tier"), Some(Msg::ErrChoiceUnknown));
        assert_eq!(err.field_msg("time_zone"), Some(Msg::ErrTimeZoneUnknown));
        assert_eq!(err.field_msg("school"), None);
    }

    #[test]
    fn sign_in_is_throttled_after_five_recent_failures() {
        let now = Utc::now();
        let at = |mins: i64| now - Duration::minutes(mins);
        assert_eq!(sign_in_wait(&[at(1), at(2), at(3), at(4)], now), None);
        let wait = sign_in_wait(&[at(1), at(2), at(3), at(4), at(10)], now).expect("throttled");
        assert_eq!(wait, Duration::minutes(5));
    }

    #[test]
    fn old_failures_do_not_count() {
        let now = Utc::now();
        let at = |mins: i64| now - Duration::minutes(mins);
        assert_eq!(sign_in_wait(&[at(1), at(2), at(3), at(4), at(16), at(30)], now), None);
    }
}
