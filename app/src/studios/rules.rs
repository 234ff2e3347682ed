//! Studio rules that need no database: slugs, field checks and who may do what.

use super::{JoinPolicy, StudioMsg, StudioRole, Visibility};
use crate::accounts::rules::TEXT_MAX;
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::kit::validate::{self, Checks};

pub const NAME_MAX: usize = 80;
pub const DESCRIPTION_MAX: usize = 2000;
pub const SLUG_MIN: usize = 2;
pub const SLUG_MAX: usize = 60;
pub const MESSAGE_MAX: usize = 500;
pub const INVITATION_MAX_USES: i32 = 500;
pub const INVITATION_MAX_DAYS: i64 = 90;

/// Segments under `/studios/` that are pages of their own, so no studio may have them as a slug.
pub const RESERVED_SLUGS: &[&str] = &["new"];

/// A readable URL segment from a name: letters (Chinese included) and digits, lower-cased,
/// other runs of characters turned into single hyphens. `王芳 Math Studio!` → `王芳-math-studio`.
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(SLUG_MAX).collect();
    let slug = slug.trim_end_matches('-');
    if RESERVED_SLUGS.contains(&slug) {
        format!("{slug}-studio")
    } else {
        slug.to_owned()
    }
}

/// The `n`th slug made from `base` when it is taken (`base-2`, `base-3`…), the base shortened
/// so that the whole stays within [`SLUG_MAX`] characters.
pub fn numbered_slug(base: &str, n: impl std::fmt::Display) -> String {
    let suffix = format!("-{n}");
    let keep = SLUG_MAX.saturating_sub(suffix.chars().count());
    let base: String = base.chars().take(keep).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// A slug someone typed: lower-case letters or digits (any script) and single inner hyphens.
pub fn check_slug(slug: &str) -> Result<(), Msg> {
    let n = slug.chars().count();
    if n < SLUG_MIN {
        return Err(Msg::from(StudioMsg::ErrSlugTooShort));
    }
    if n > SLUG_MAX {
        return Err(Msg::ErrTooLong);
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(Msg::from(StudioMsg::ErrSlugTaken));
    }
    let ok = slug.chars().all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase()))
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Msg::from(StudioMsg::ErrSlugFormat))
    }
}

/// The studio fields of the create and edit forms, after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidStudio {
    pub name: String,
    pub description: String,
    pub subject: String,
    pub district: String,
    pub school: String,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
}

/// Checks every studio field, recording problems in `checks`; the result is only meaningful
/// when `checks` finishes without errors.
pub fn check_studio(input: &super::StudioInput, checks: &mut Checks) -> ValidStudio {
    checks
        .check("name", validate::name(&input.name, true, NAME_MAX))
        .check("description", validate::text(&input.description, false, DESCRIPTION_MAX))
        .check("subject", validate::name(&input.subject, true, TEXT_MAX))
        .check("district", validate::name(&input.district, true, TEXT_MAX))
        .check("school", validate::name(&input.school, false, TEXT_MAX));
    let visibility = Visibility::from_code(&input.visibility);
    checks.check("visibility", visibility.map(|_| ()).ok_or(Msg::ErrChoiceUnknown));
    let join_policy = JoinPolicy::from_code(&input.join_policy);
    checks.check("join_policy", join_policy.map(|_| ()).ok_or(Msg::ErrChoiceUnknown));
    ValidStudio {
        name: input.name.trim().to_owned(),
        description: input.description.trim().to_owned(),
        subject: input.subject.trim().to_owned(),
        district: input.district.trim().to_owned(),
        school: input.school.trim().to_owned(),
        visibility: visibility.unwrap_or(Visibility::Public),
        join_policy: join_policy.unwrap_or(JoinPolicy::Request),
    }
}

/// Where the viewer stands with a studio.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Standing {
    pub signed_in: bool,
    /// The role of an active member.
    pub role: Option<StudioRole>,
    /// A join request awaits a decision.
    pub pending: bool,
    /// A district admin (sees what the district's reports need; no say inside a studio).
    pub district_admin: bool,
}

impl Standing {
    pub const ANONYMOUS: Standing = Standing { signed_in: false, role: None, pending: false, district_admin: false };

    /// A signed-in user with this active role (or none) in the studio.
    pub fn member(role: Option<StudioRole>) -> Standing {
        Standing { signed_in: true, role, ..Standing::ANONYMOUS }
    }
}

/// What the permission check needs to know about the studio itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StudioFacts {
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub archived: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StudioAction {
    /// See the studio page (name, host, mentors, counts, lessons).
    View,
    /// See the list of mentees.
    SeeMentees,
    Edit,
    Archive,
    /// Create, list and revoke invitation links.
    ManageInvitations,
    /// Approve or decline join requests.
    DecideRequests,
    /// Promote a mentee to mentor and back.
    ChangeRoles,
    HandOverHost,
    RemoveMember,
    Leave,
    RequestToJoin,
    JoinOpen,
    AcceptInvitation,
}

/// Who may do what with a studio: the one place this is decided. `Err` carries the message for
/// a refusal that needs more than "not allowed" (a host leaving, an invite-only studio…).
pub fn can(standing: Standing, action: StudioAction, studio: StudioFacts) -> Result<(), AppError> {
    use StudioAction::*;
    let role = standing.role;
    let is_host = role == Some(StudioRole::Host);
    let is_lead = role.is_some_and(StudioRole::leads);
    let refuse = |m: StudioMsg| Err(AppError::Refused(Msg::from(m)));

    // Reading follows visibility; an archived studio can still be read.
    match action {
        View => {
            return if studio.visibility == Visibility::Public || role.is_some() || standing.pending {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        SeeMentees => return if role.is_some() { Ok(()) } else { Err(AppError::Forbidden) },
        _ => {}
    }
    if !standing.signed_in {
        return Err(AppError::SignInRequired);
    }
    if studio.archived {
        return refuse(StudioMsg::ErrArchived);
    }
    match action {
        View | SeeMentees => Ok(()),
        Edit | Archive | ManageInvitations | ChangeRoles | HandOverHost | RemoveMember => {
            if is_host {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
        DecideRequests => {
            if is_lead {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
        Leave => match role {
            Some(StudioRole::Host) => refuse(StudioMsg::ErrHostMustHandOver),
            Some(_) => Ok(()),
            None => refuse(StudioMsg::ErrNotAMember),
        },
        RequestToJoin | JoinOpen | AcceptInvitation => {
            if role.is_some() {
                return refuse(StudioMsg::ErrAlreadyMember);
            }
            if standing.pending && action != AcceptInvitation {
                return refuse(StudioMsg::ErrAlreadyRequested);
            }
            match (action, studio.join_policy) {
                (AcceptInvitation, _) => Ok(()),
                (RequestToJoin, JoinPolicy::Request) | (JoinOpen, JoinPolicy::Open) => Ok(()),
                (_, JoinPolicy::InviteOnly) => refuse(StudioMsg::ErrInviteOnly),
                (RequestToJoin, JoinPolicy::Open) => refuse(StudioMsg::ErrJustJoin),
                _ => refuse(StudioMsg::ErrRequestNeeded),
            }
        }
    }
}

/// Why an invitation cannot be used, if it cannot.
pub fn invitation_problem(
    now: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    revoked: bool,
    uses: i32,
    max_uses: i32,
) -> Option<StudioMsg> {
    if revoked {
        Some(StudioMsg::ErrInvitationRevoked)
    } else if expires_at <= now {
        Some(StudioMsg::ErrInvitationExpired)
    } else if uses >= max_uses {
        Some(StudioMsg::ErrInvitationUsedUp)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StudioAction::*;

    fn facts(policy: JoinPolicy) -> StudioFacts {
        StudioFacts { visibility: Visibility::Public, join_policy: policy, archived: false }
    }
    fn member(role: StudioRole) -> Standing {
        Standing::member(Some(role))
    }
    const OUTSIDER: Standing = Standing { signed_in: true, ..Standing::ANONYMOUS };
    const ANONYMOUS: Standing = Standing::ANONYMOUS;
    const REQUESTER: Standing = Standing { signed_in: true, pending: true, ..Standing::ANONYMOUS };

    #[test]
    fn slugs_keep_chinese_and_ascii_words() {
        assert_eq!(slug_from_name("王芳 Math Studio!"), "王芳-math-studio");
        assert_eq!(slug_from_name("  初中数学——名师工作室 "), "初中数学-名师工作室");
        assert_eq!(slug_from_name("!!!"), "");
        assert_eq!(slug_from_name("New!"), "new-studio", "/studios/new is the create page");
        assert!(slug_from_name(&"长".repeat(100)).chars().count() <= SLUG_MAX);
    }

    #[test]
    fn a_numbered_slug_stays_within_the_limit() {
        assert_eq!(numbered_slug("math", 2), "math-2");
        let long = "a".repeat(SLUG_MAX);
        assert_eq!(numbered_slug(&long, 2), format!("{}-2", "a".repeat(SLUG_MAX - 2)));
        let hyphen_at_the_cut = format!("{}-bcd", "a".repeat(SLUG_MAX - 3));
        assert_eq!(numbered_slug(&hyphen_at_the_cut, 10), format!("{}-10", "a".repeat(SLUG_MAX - 3)));
        assert!(check_slug(&numbered_slug(&"字".repeat(SLUG_MAX), 123)).is_ok());
    }

    #[test]
    fn typed_slugs_must_be_lowercase_words_and_hyphens() {
        assert_eq!(check_slug("wang-fang-math"), Ok(()));
        assert_eq!(check_slug("王芳-数学"), Ok(()));
        for bad in ["Wang", "a b", "-ab", "ab-", "a--b", "a/b", "<b>"] {
            assert_eq!(check_slug(bad), Err(Msg::from(StudioMsg::ErrSlugFormat)), "{bad}");
        }
        assert_eq!(check_slug("a"), Err(Msg::from(StudioMsg::ErrSlugTooShort)));
        assert_eq!(check_slug("new"), Err(Msg::from(StudioMsg::ErrSlugTaken)), "a page of its own");
    }

    #[test]
    fn only_the_host_manages_the_studio() {
        for action in [Edit, Archive, ManageInvitations, ChangeRoles, HandOverHost, RemoveMember] {
            assert_eq!(can(member(StudioRole::Host), action, facts(JoinPolicy::Request)), Ok(()), "{action:?}");
            for standing in [member(StudioRole::Mentor), member(StudioRole::Mentee), OUTSIDER, REQUESTER] {
                assert_eq!(
                    can(standing, action, facts(JoinPolicy::Request)),
                    Err(AppError::Forbidden),
                    "{action:?} {standing:?}"
                );
            }
            assert_eq!(can(ANONYMOUS, action, facts(JoinPolicy::Request)), Err(AppError::SignInRequired));
        }
    }

    #[test]
    fn mentors_and_the_host_decide_requests() {
        assert!(can(member(StudioRole::Mentor), DecideRequests, facts(JoinPolicy::Request)).is_ok());
        assert!(can(member(StudioRole::Host), DecideRequests, facts(JoinPolicy::Request)).is_ok());
        assert_eq!(
            can(member(StudioRole::Mentee), DecideRequests, facts(JoinPolicy::Request)),
            Err(AppError::Forbidden)
        );
    }

    #[test]
    fn the_host_cannot_leave_without_handing_over() {
        assert_eq!(
            can(member(StudioRole::Host), Leave, facts(JoinPolicy::Open)),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrHostMustHandOver)))
        );
        assert!(can(member(StudioRole::Mentee), Leave, facts(JoinPolicy::Open)).is_ok());
    }

    #[test]
    fn ways_in_follow_the_join_policy() {
        assert!(can(OUTSIDER, RequestToJoin, facts(JoinPolicy::Request)).is_ok());
        assert!(can(OUTSIDER, JoinOpen, facts(JoinPolicy::Open)).is_ok());
        assert_eq!(
            can(OUTSIDER, RequestToJoin, facts(JoinPolicy::InviteOnly)),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrInviteOnly)))
        );
        assert_eq!(
            can(OUTSIDER, JoinOpen, facts(JoinPolicy::Request)),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrRequestNeeded)))
        );
        assert!(can(OUTSIDER, AcceptInvitation, facts(JoinPolicy::InviteOnly)).is_ok());
        assert_eq!(
            can(REQUESTER, RequestToJoin, facts(JoinPolicy::Request)),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrAlreadyRequested)))
        );
        assert_eq!(
            can(member(StudioRole::Mentee), AcceptInvitation, facts(JoinPolicy::Request)),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrAlreadyMember)))
        );
    }

    #[test]
    fn private_studios_are_hidden_from_outsiders_and_archived_ones_are_read_only() {
        let private =
            StudioFacts { visibility: Visibility::Private, join_policy: JoinPolicy::InviteOnly, archived: false };
        assert_eq!(can(OUTSIDER, View, private), Err(AppError::NotFound));
        assert_eq!(can(ANONYMOUS, View, private), Err(AppError::NotFound));
        assert!(can(member(StudioRole::Mentee), View, private).is_ok());
        let archived = StudioFacts { archived: true, ..facts(JoinPolicy::Open) };
        assert!(can(ANONYMOUS, View, archived).is_ok());
        assert_eq!(
            can(member(StudioRole::Host), Edit, archived),
            Err(AppError::Refused(Msg::from(StudioMsg::ErrArchived)))
        );
    }

    #[test]
    fn mentees_are_listed_to_members_only() {
        assert!(can(member(StudioRole::Mentee), SeeMentees, facts(JoinPolicy::Open)).is_ok());
        assert_eq!(can(OUTSIDER, SeeMentees, facts(JoinPolicy::Open)), Err(AppError::Forbidden));
    }

    #[test]
    fn invitations_stop_working_when_revoked_expired_or_used_up() {
        let now = chrono::Utc::now();
        let later = now + chrono::Duration::days(1);
        assert_eq!(invitation_problem(now, later, false, 0, 1), None);
        assert_eq!(invitation_problem(now, later, true, 0, 1), Some(StudioMsg::ErrInvitationRevoked));
        assert_eq!(invitation_problem(now, now, false, 0, 1), Some(StudioMsg::ErrInvitationExpired));
        assert_eq!(invitation_problem(now, later, false, 3, 3), Some(StudioMsg::ErrInvitationUsedUp));
    }
}
