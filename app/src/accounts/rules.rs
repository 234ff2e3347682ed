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

/// Failed password tries of one account from one client that cost no wait.
pub const FREE_FAILURES: i64 = 5;
/// The wait after the first failure beyond the free ones; it doubles with each further failure.
pub const FIRST_WAIT_SECS: i64 = 60;
pub const LONGEST_WAIT_MINUTES: i64 = 60;
/// Failures are remembered this long, then purged.
pub const FAILURE_MEMORY_HOURS: i64 = 24;
/// Failed tries from one client address, whatever the emails, allowed per window.
pub const ADDRESS_MAX_FAILURES: i64 = 100;
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// Browsers an account is remembered on at once, and for how long one unused is remembered.
pub const TRUSTED_BROWSERS_MAX: i64 = 20;
pub const TRUSTED_BROWSER_DAYS: i64 = 365;

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
/// An email typed to find an account (signing in, asking for a reset link): present and not too
/// long. Its form is not checked: a malformed one simply finds no account.
pub fn check_entered_email(email: &str) -> Result<(), Msg> {
    if email.is_empty() {
        Err(Msg::ErrRequired)
    } else if email.chars().count() > EMAIL_MAX {
        Err(Msg::ErrTooLong)
    } else {
        Ok(())
    }
}

/// A password typed to prove who one is (signing in, or the current one): present, and not so
/// long that hashing it is a cost to the server. Its strength is not checked here.
pub fn check_entered_password(password: &str) -> Result<(), Msg> {
    if password.is_empty() {
        Err(Msg::ErrRequired)
    } else if password.chars().count() > PASSWORD_MAX {
        Err(Msg::ErrPasswordTooLong)
    } else {
        Ok(())
    }
}

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

/// How long the next password try must wait after `failures` remembered failures of one account
/// from one client (one address, or one trusted browser), the latest at `latest`; `None`: it may
/// go ahead. The first [`FREE_FAILURES`] cost nothing; then the wait starts at a minute and
/// doubles with each further failure, up to an hour. Refused tries are not failures, so waiting
/// is never made longer by asking again.
pub fn wait_after_failures(failures: i64, latest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(16) as u32;
    let wait =
        Duration::seconds(FIRST_WAIT_SECS.saturating_mul(1 << doublings)).min(Duration::minutes(LONGEST_WAIT_MINUTES));
    let until = latest? + wait;
    (until > now).then(|| (until - now).max(Duration::seconds(1)))
}

/// The looser limit for one client address whatever the email (a whole school may share one
/// address): given the time of the [`ADDRESS_MAX_FAILURES`]-th most recent failure from it, the
/// wait until that failure leaves the [`ADDRESS_WINDOW_MINUTES`] window.
pub fn address_wait(limit_failure: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    let until = limit_failure? + Duration::minutes(ADDRESS_WINDOW_MINUTES);
    (until > now).then(|| (until - now).max(Duration::seconds(1)))
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
    fn five_failures_are_free_then_each_further_one_doubles_the_wait_up_to_an_hour() {
        let now = Utc::now();
        assert_eq!(wait_after_failures(4, Some(now), now), None);
        assert_eq!(wait_after_failures(5, Some(now), now), Some(Duration::minutes(1)));
        assert_eq!(wait_after_failures(6, Some(now), now), Some(Duration::minutes(2)));
        assert_eq!(wait_after_failures(8, Some(now), now), Some(Duration::minutes(8)));
        assert_eq!(wait_after_failures(12, Some(now), now), Some(Duration::minutes(60)));
        assert_eq!(wait_after_failures(i64::MAX, Some(now), now), Some(Duration::minutes(60)));
    }

    #[test]
    fn the_wait_counts_from_the_latest_failure() {
        let now = Utc::now();
        let ago = |secs: i64| Some(now - Duration::seconds(secs));
        assert_eq!(wait_after_failures(6, ago(90), now), Some(Duration::seconds(30)));
        assert_eq!(wait_after_failures(6, ago(120), now), None);
    }

    #[test]
    fn an_address_waits_until_its_limit_failure_leaves_the_window() {
        let now = Utc::now();
        assert_eq!(address_wait(None, now), None);
        assert_eq!(address_wait(Some(now - Duration::minutes(10)), now), Some(Duration::minutes(5)));
        assert_eq!(address_wait(Some(now - Duration::minutes(15)), now), None);
    }
}
