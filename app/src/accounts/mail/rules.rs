//! Account mail without a database: how long links live, how often they may be asked for, and
//! the messages themselves, in the recipient's language.

use crate::accounts::AccountMsg;
use crate::kit::i18n::{Locale, Msg};

/// How long a password reset link works.
pub const RESET_LINK_MINUTES: i32 = 60;
/// How long a new address has to confirm an email change.
pub const EMAIL_CHANGE_LINK_HOURS: i32 = 24;
/// The longest token a link may carry: ours are 48 characters, and a longer one is refused
/// before it is hashed or looked up.
pub const LINK_TOKEN_MAX: usize = 128;
/// Reset links sent to one account per hour; more requests are answered the same way but send
/// nothing, so nobody can fill an inbox with them.
pub const RESETS_PER_HOUR: i64 = 3;
/// Email changes one account may ask for per hour.
pub const EMAIL_CHANGES_PER_HOUR: i64 = 3;

/// `site` (the configured public address) joined with `path`.
pub fn link(site: &str, path: &str) -> String {
    format!("{}{path}", site.trim_end_matches('/'))
}

pub fn reset_path(token: &str) -> String {
    format!("/password/reset/{token}")
}

pub fn confirm_path(token: &str) -> String {
    format!("/email/confirm/{token}")
}

/// The unsubscribe page of the account holding `token` (in every notification email).
pub fn unsubscribe_path(token: uuid::Uuid) -> String {
    format!("/mail/unsubscribe/{token}")
}

/// The lines under every notification email: where to change the settings, and the link that
/// turns notification mail off.
pub fn footer(locale: Locale, site: &str, token: uuid::Uuid) -> String {
    Msg::from(AccountMsg::MailFooter)
        .fill(locale, &[("profile", &link(site, "/profile")), ("unsubscribe", &link(site, &unsubscribe_path(token)))])
}

/// Messages gathered into one digest at most; more wait for the next.
pub const DIGEST_MAX: usize = 100;

/// One email in place of several notifications' emails (`items`: each one's subject and body,
/// oldest first).
pub fn digest_letter(locale: Locale, items: &[(String, String)]) -> Letter {
    let subject = Msg::from(AccountMsg::DigestSubject).fill(locale, &[("count", &items.len())]);
    let mut body = Msg::from(AccountMsg::DigestIntro).text(locale).to_owned();
    for (subject, text) in items {
        body.push_str("\n\n■ ");
        body.push_str(subject);
        for line in text.lines() {
            body.push_str("\n  ");
            body.push_str(line);
        }
    }
    Letter { subject, body }
}

/// A subject and a plain-text body.
#[derive(Debug, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

fn letter(locale: Locale, subject: AccountMsg, body: AccountMsg, args: &[(&str, &dyn std::fmt::Display)]) -> Letter {
    Letter { subject: Msg::from(subject).text(locale).to_owned(), body: Msg::from(body).fill(locale, args) }
}

/// The reset link for `name`, in their language.
pub fn reset_letter(locale: Locale, name: &str, link: &str) -> Letter {
    letter(locale, AccountMsg::ResetSubject, AccountMsg::ResetBody, &[("name", &name), ("link", &link)])
}

/// The confirmation link sent to the new address.
pub fn confirm_letter(locale: Locale, name: &str, link: &str) -> Letter {
    letter(locale, AccountMsg::ConfirmSubject, AccountMsg::ConfirmBody, &[("name", &name), ("link", &link)])
}

/// The notice sent to the old address: a change was asked for, and what to do if it was not them.
pub fn change_notice_letter(locale: Locale, name: &str, new_email: &str) -> Letter {
    letter(
        locale,
        AccountMsg::ChangeNoticeSubject,
        AccountMsg::ChangeNoticeBody,
        &[("name", &name), ("email", &new_email)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_letter_carries_its_link_in_the_recipients_language() {
        let link = link("https://atelier.example.cn/", &reset_path("abc123"));
        assert_eq!(link, "https://atelier.example.cn/password/reset/abc123");
        let zh = reset_letter(Locale::ZhCn, "王老师", &link);
        assert_eq!(zh.subject, "重设您的 Atelier 密码");
        assert!(zh.body.starts_with("王老师，您好") && zh.body.contains(&link), "{}", zh.body);
        let en = reset_letter(Locale::En, "Emily", &link);
        assert!(en.body.starts_with("Hello Emily,") && en.body.contains(&link), "{}", en.body);
    }

    #[test]
    fn a_digest_lists_each_notification_under_its_subject() {
        let items = [
            ("Booking confirmed: 勾股定理".to_owned(), "勾股定理\n2026-12-08 09:00 (Asia/Shanghai)".to_owned()),
            ("Reminder: 圆".to_owned(), "圆".to_owned()),
        ];
        let digest = digest_letter(Locale::En, &items);
        assert_eq!(digest.subject, "Atelier daily digest: 2 notifications");
        assert_eq!(
            digest.body,
            "Your notifications since the last digest:\n\n■ Booking confirmed: 勾股定理\n  勾股定理\n  2026-12-08 09:00 (Asia/Shanghai)\n\n■ Reminder: 圆\n  圆"
        );
        let token = uuid::Uuid::nil();
        let footer = footer(Locale::ZhCn, "https://a.cn", token);
        assert!(
            footer.contains("https://a.cn/profile")
                && footer.contains(&format!("https://a.cn/mail/unsubscribe/{token}"))
        );
    }

    #[test]
    fn the_old_address_hears_which_address_was_asked_for() {
        let notice = change_notice_letter(Locale::En, "Emily", "new@mail.cn");
        assert!(notice.body.contains("new@mail.cn") && notice.body.contains("change your password"));
        let confirm = confirm_letter(Locale::ZhCn, "李老师", "https://a.cn/email/confirm/t");
        assert!(confirm.body.contains("https://a.cn/email/confirm/t"));
    }
}
