//! Studios (名师工作室) and their membership: creating and running a studio, ways in
//! (invitation links, join requests, open join), roles, the directory and "my studios".

pub mod api;
mod messages;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use messages::StudioMsg;

use crate::kit::codes::coded_enum;
use crate::kit::i18n::Msg;
use crate::lessons::LessonSummary;
use chrono::{DateTime, Utc};
use rules::{Standing, StudioFacts};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

coded_enum! {
    /// A member's role in a studio (`memberships.role`).
    pub enum StudioRole {
        Host = "host" => StudioMsg::RoleHost,
        Mentor = "mentor" => StudioMsg::RoleMentor,
        Mentee = "mentee" => StudioMsg::RoleMentee,
    }
}

impl StudioRole {
    /// Hosts and mentors lead a studio: they schedule lessons, coach mentees, decide requests.
    pub fn leads(self) -> bool {
        matches!(self, StudioRole::Host | StudioRole::Mentor)
    }
}

coded_enum! {
    pub enum Visibility {
        Public = "public" => StudioMsg::VisibilityPublic,
        Private = "private" => StudioMsg::VisibilityPrivate,
    }
}

coded_enum! {
    /// How people get in; declared in the order the studio form offers them.
    pub enum JoinPolicy {
        Request = "request" => StudioMsg::PolicyRequest,
        Open = "open" => StudioMsg::PolicyOpen,
        InviteOnly = "invite_only" => StudioMsg::PolicyInviteOnly,
    }
}

coded_enum! {
    /// What happened to a membership (`membership_events.kind`).
    pub enum MembershipEvent {
        Created = "created" => StudioMsg::ActCreated,
        Requested = "requested" => StudioMsg::ActRequested,
        Approved = "approved" => StudioMsg::ActApproved,
        Declined = "declined" => StudioMsg::ActDeclined,
        Joined = "joined" => StudioMsg::ActJoined,
        InvitedIn = "invited_in" => StudioMsg::ActInvitedIn,
        Left = "left" => StudioMsg::ActLeft,
        Removed = "removed" => StudioMsg::ActRemoved,
        Promoted = "promoted" => StudioMsg::ActPromoted,
        Demoted = "demoted" => StudioMsg::ActDemoted,
        HostHandedOver = "host_handed_over" => StudioMsg::ActHandedOver,
    }
}

impl MembershipEvent {
    /// How the event reads in the studio's history: a change of role reads as the role it led
    /// to, so a host who handed over "became a mentor".
    pub fn reads_as(self, role: Option<StudioRole>) -> Msg {
        match self {
            MembershipEvent::Promoted | MembershipEvent::Demoted if role == Some(StudioRole::Mentor) => {
                StudioMsg::ActPromoted.into()
            }
            other => other.label(),
        }
    }
}

/// The studio form's fields as they arrive, before validation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudioInput {
    pub name: String,
    pub description: String,
    pub subject: String,
    pub district: String,
    pub school: String,
    pub visibility: String,
    pub join_policy: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    pub school: String,
}

/// One line of the directory or of "my studios".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudioSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub subject: String,
    pub district: String,
    pub host_name: String,
    pub member_count: i64,
    pub last_activity_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub studios: Vec<StudioSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// The choices of the subject and district filters.
    pub subjects: Vec<String>,
    pub districts: Vec<String>,
}

/// Something that happened in a studio, for its "recent activity" list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: MembershipEvent,
    pub who: String,
    pub role: Option<StudioRole>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub user: Person,
    pub message: String,
    pub requested_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: Uuid,
    pub role: StudioRole,
    pub expires_at: DateTime<Utc>,
    pub max_uses: i32,
    pub uses: i32,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub person: Person,
    pub role: StudioRole,
    pub since: DateTime<Utc>,
}

/// Everything the studio page shows, already cut to what the viewer may see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudioPage {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub subject: String,
    pub district: String,
    pub school: String,
    pub facts: StudioFacts,
    pub standing: Standing,
    pub host: Person,
    pub mentors: Vec<Person>,
    pub mentee_count: i64,
    /// Members with roles (mentees included): for members only.
    pub members: Option<Vec<Member>>,
    pub upcoming_lessons: Vec<LessonSummary>,
    /// Lesson studies under way and finished: counts for everyone, the studies themselves are
    /// for their groups only.
    pub studies_running: i64,
    pub studies_closed: i64,
    pub activity: Vec<Activity>,
    /// For the host and mentors.
    pub requests: Option<Vec<JoinRequest>>,
    /// For the host.
    pub invitations: Option<Vec<InvitationView>>,
}

/// What an invitation link leads to, shown before accepting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub studio_slug: String,
    pub studio_name: String,
    pub role: StudioRole,
    pub problem: Option<StudioMsg>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyStudios {
    pub hosting: Vec<StudioSummary>,
    pub mentoring: Vec<StudioSummary>,
    pub member_of: Vec<StudioSummary>,
    pub pending_requests: Vec<StudioSummary>,
    /// The user's requests declined in the last 90 days, with the host's or mentor's message.
    pub declined_requests: Vec<(StudioSummary, String)>,
    /// Requests awaiting the user's decision, in studios they host or mentor: (studio, request).
    pub to_decide: Vec<(StudioSummary, JoinRequest)>,
}
