//! Accounts: registration, sign-in, profile, password, language and time zone.

pub mod api;
pub mod mail;
mod messages;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::AccountMsg;

use crate::kit::codes::coded_enum;
use crate::kit::i18n::{Locale, Msg};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The teacher tiers, from new teacher to leading master (教育教学名师), as in `users.tier`.
    #[derive(Default)]
    pub enum Tier {
        #[default]
        NewTeacher = "new_teacher" => Msg::TierNewTeacher,
        RisingStar = "rising_star" => Msg::TierRisingStar,
        Backbone = "backbone" => Msg::TierBackbone,
        Master = "master" => Msg::TierMaster,
        LeadingMaster = "leading_master" => Msg::TierLeadingMaster,
    }
}

/// Who is looking at the page: resolved on the server for every request and shared with the
/// browser at hydration, so both render the same language, time zone and header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: Option<SignedInUser>,
    pub locale: Locale,
    pub time_zone: String,
}

impl Viewer {
    /// The unread notifications the header and the home show (none for a visitor).
    pub fn unread(&self) -> i64 {
        self.user.as_ref().map_or(0, |user| user.unread)
    }
}

impl Default for Viewer {
    fn default() -> Self {
        Viewer { user: None, locale: Locale::default(), time_zone: crate::kit::time::DEFAULT_TIME_ZONE.to_owned() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: uuid::Uuid,
    pub display_name: String,
    /// Administers a district or leads a school: the header links the district dashboard.
    pub leads: bool,
    /// Unread notifications when the page was served (the header's count), read with the user.
    pub unread: i64,
}

/// A user's own profile, as the profile form shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Profile {
    pub email: String,
    pub display_name: String,
    pub school: String,
    pub district: String,
    pub subject: String,
    pub grade_band: String,
    pub tier: Tier,
    pub locale: Locale,
    pub time_zone: String,
    pub mail_preference: mail::MailPreference,
}

/// Profile fields as they arrive from a form, before validation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub display_name: String,
    pub school: String,
    pub district: String,
    pub subject: String,
    pub grade_band: String,
    pub tier: String,
    pub locale: String,
    pub time_zone: String,
}
