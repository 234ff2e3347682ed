//! Studios (名师工作室) and their membership.

mod messages;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::StudioMsg;

use serde::{Deserialize, Serialize};

/// A member's role in a studio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StudioRole {
    Host,
    Mentor,
    Mentee,
}

impl StudioRole {
    /// The value stored in `memberships.role`.
    pub fn code(self) -> &'static str {
        match self {
            StudioRole::Host => "host",
            StudioRole::Mentor => "mentor",
            StudioRole::Mentee => "mentee",
        }
    }

    pub fn from_code(code: &str) -> Option<StudioRole> {
        match code {
            "host" => Some(StudioRole::Host),
            "mentor" => Some(StudioRole::Mentor),
            "mentee" => Some(StudioRole::Mentee),
            _ => None,
        }
    }

    pub fn label(self) -> crate::i18n::Msg {
        crate::i18n::Msg::Studio(match self {
            StudioRole::Host => StudioMsg::RoleHost,
            StudioRole::Mentor => StudioMsg::RoleMentor,
            StudioRole::Mentee => StudioMsg::RoleMentee,
        })
    }

    /// Hosts and mentors lead a studio: they schedule lessons, coach mentees, decide requests.
    pub fn leads(self) -> bool {
        matches!(self, StudioRole::Host | StudioRole::Mentor)
    }
}
