//! Mail an account controls: how notifications reach the inbox (each at once, a daily digest,
//! none) with a one-click unsubscribe link in every notification email; a password reset by an
//! emailed single-use link; and a change of sign-in email confirmed from the new inbox.

pub mod api;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod store;

use crate::accounts::AccountMsg;
use crate::kit::codes::coded_enum;

coded_enum! {
    /// How a user's notifications reach their inbox (`users.mail_preference`).
    #[derive(Default)]
    pub enum MailPreference {
        #[default]
        Immediate = "immediate" => AccountMsg::MailImmediate,
        Digest = "digest" => AccountMsg::MailDigest,
        None = "none" => AccountMsg::MailNone,
    }
}
