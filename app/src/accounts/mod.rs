//! Accounts: registration, sign-in, profile, password, language and time zone.

pub mod api;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod store;

use crate::i18n::{Locale, Msg};
use serde::{Deserialize, Serialize};

/// The teacher tiers, from new teacher to leading master (教育教学名师).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tier {
    #[default]
    NewTeacher,
    RisingStar,
    Backbone,
    Master,
    LeadingMaster,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::NewTeacher, Tier::RisingStar, Tier::Backbone, Tier::Master, Tier::LeadingMaster];

    /// The value stored in `users.tier` and sent by forms.
    pub fn code(self) -> &'static str {
        match self {
            Tier::NewTeacher => "new_teacher",
            Tier::RisingStar => "rising_star",
            Tier::Backbone => "backbone",
            Tier::Master => "master",
            Tier::LeadingMaster => "leading_master",
        }
    }

    pub fn from_code(code: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self) -> Msg {
        match self {
            Tier::NewTeacher => Msg::TierNewTeacher,
            Tier::RisingStar => Msg::TierRisingStar,
            Tier::Backbone => Msg::TierBackbone,
            Tier::Master => Msg::TierMaster,
            Tier::LeadingMaster => Msg::TierLeadingMaster,
        }
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

impl Default for Viewer {
    fn default() -> Self {
        Viewer { user: None, locale: Locale::default(), time_zone: crate::time::DEFAULT_TIME_ZONE.to_owned() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: uuid::Uuid,
    pub display_name: String,
}

/// A user's own profile, as the profile form shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
