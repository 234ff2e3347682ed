//! Studio server functions. Each: who is asking, may they (`rules::can`, the one place that
//! decides), is the input valid, call the store.

use super::{DirectoryPage, InvitationPreview, MyStudios, StudioInput, StudioPage};
use crate::kit::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, Standing, StudioAction},
    super::store::{self, StudioRow},
    super::{StudioMsg, StudioRole},
    crate::accounts::auth::SessionUser,
    crate::kit::context::{auth_session, pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::{self, Checks},
    sqlx::PgPool,
};

/// Directory pages hold this many studios.
pub const PER_PAGE: u32 = 20;

/// The studio and the signed-in user's standing, once `action` is allowed for them.
#[cfg(feature = "ssr")]
async fn authorize(slug: &str, action: StudioAction) -> Result<(PgPool, SessionUser, StudioRow, Standing), AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let (studio, standing) = store::studio_and_standing(&pool, slug, Some(user.id)).await?.ok_or(AppError::NotFound)?;
    // Outsiders learn nothing about a private studio, not even that it exists.
    rules::can(standing, StudioAction::View, studio.facts())?;
    rules::can(standing, action, studio.facts())?;
    Ok((pool, user, studio, standing))
}

#[cfg(feature = "ssr")]
fn check_message(field: &str, message: &str) -> Result<(), AppError> {
    let mut checks = Checks::default();
    checks.check(field, validate::text(message, false, rules::MESSAGE_MAX));
    checks.finish()
}

/// Anyone may search the directory of public, active studios.
#[server(prefix = "/api", endpoint = "studios/directory")]
pub async fn studio_directory(
    q: String,
    subject: String,
    district: String,
    page: u32,
) -> Result<DirectoryPage, AppError> {
    // Over-long search text is cut and control characters dropped rather than refused: a search
    // never fails on its input.
    let clean = |text: String| -> String { text.trim().chars().filter(|c| !c.is_control()).take(100).collect() };
    let (q, subject, district) = (clean(q), clean(subject), clean(district));
    Ok(store::directory(&pool()?, &q, &subject, &district, page.clamp(1, 10_000), PER_PAGE).await?)
}

/// Anyone may read a public studio's page; a private one only its members (and requesters).
/// Mentees are listed to members only; requests to the host and mentors; invitations to the host.
#[server(prefix = "/api", endpoint = "studios/page")]
pub async fn load_studio_page(slug: String) -> Result<StudioPage, AppError> {
    let user = auth_session().await?.user;
    // One connection for the page's statements: each return to the pool costs sqlx a round trip.
    let mut conn = pool()?.acquire().await?;
    let (studio, standing) =
        store::studio_and_standing(&mut *conn, &slug, user.map(|u| u.id)).await?.ok_or(AppError::NotFound)?;
    rules::can(standing, StudioAction::View, studio.facts())?;
    Ok(store::studio_page(&mut conn, &studio, standing).await?)
}

/// Any signed-in teacher may create a studio; they become its host.
#[server(prefix = "/api", endpoint = "studios/create")]
pub async fn create_studio(slug: String, #[server(flatten)] form: StudioInput) -> Result<String, AppError> {
    let user = require_user().await?;
    let mut checks = Checks::default();
    let studio = rules::check_studio(&form, &mut checks);
    let slug = slug.trim();
    if !slug.is_empty() {
        checks.check("slug", rules::check_slug(slug));
    }
    checks.finish()?;
    let slug = store::create_studio(&pool()?, user.id, &studio, (!slug.is_empty()).then_some(slug)).await?;
    redirect_plain_form(&format!("/studios/{slug}"));
    Ok(slug)
}

/// The host edits the studio's details.
#[server(prefix = "/api", endpoint = "studios/update")]
pub async fn update_studio(studio: String, #[server(flatten)] form: StudioInput) -> Result<(), AppError> {
    let (pool, _, row, _) = authorize(&studio, StudioAction::Edit).await?;
    let mut checks = Checks::default();
    let valid = rules::check_studio(&form, &mut checks);
    checks.finish()?;
    store::update_studio(&pool, row.id, &valid).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host archives the studio: read-only and out of the directory, history kept.
#[server(prefix = "/api", endpoint = "studios/archive")]
pub async fn archive_studio(studio: String) -> Result<(), AppError> {
    let (pool, _, row, _) = authorize(&studio, StudioAction::Archive).await?;
    store::archive_studio(&pool, row.id).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// A signed-in non-member asks to join a studio whose policy is "request".
#[server(prefix = "/api", endpoint = "studios/request-to-join")]
pub async fn request_to_join(studio: String, message: String) -> Result<(), AppError> {
    check_message("message", &message)?;
    let (pool, user, row, _) = authorize(&studio, StudioAction::RequestToJoin).await?;
    store::request_to_join(&pool, row.id, user.id, message.trim()).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// A signed-in non-member joins an open studio as a mentee.
#[server(prefix = "/api", endpoint = "studios/join")]
pub async fn join_studio(studio: String) -> Result<(), AppError> {
    let (pool, user, row, _) = authorize(&studio, StudioAction::JoinOpen).await?;
    store::join_open(&pool, row.id, user.id).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host or a mentor approves or declines a pending request, with an optional reply.
#[server(prefix = "/api", endpoint = "studios/decide-request")]
pub async fn decide_request(studio: String, user: Uuid, decision: String, message: String) -> Result<(), AppError> {
    check_message("message", &message)?;
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::field("decision", Msg::ErrChoiceUnknown)),
    };
    let (pool, lead, row, _) = authorize(&studio, StudioAction::DecideRequests).await?;
    store::decide_request(&pool, row.id, user, approve, lead.id, message.trim()).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host makes a mentee a mentor, or a mentor a mentee.
#[server(prefix = "/api", endpoint = "studios/set-role")]
pub async fn set_member_role(studio: String, user: Uuid, role: String) -> Result<(), AppError> {
    let role = match StudioRole::from_code(&role) {
        Some(role @ (StudioRole::Mentor | StudioRole::Mentee)) => role,
        _ => return Err(AppError::field("role", Msg::ErrChoiceUnknown)),
    };
    let (pool, host, row, _) = authorize(&studio, StudioAction::ChangeRoles).await?;
    store::set_role(&pool, row.id, user, role, host.id).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host hands the host role to another active member and stays on as a mentor.
#[server(prefix = "/api", endpoint = "studios/hand-over")]
pub async fn hand_over_studio(studio: String, user: Uuid) -> Result<(), AppError> {
    let (pool, host, row, _) = authorize(&studio, StudioAction::HandOverHost).await?;
    store::hand_over(&pool, row.id, host.id, user).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host removes a member (never the host).
#[server(prefix = "/api", endpoint = "studios/remove-member")]
pub async fn remove_member(studio: String, user: Uuid) -> Result<(), AppError> {
    let (pool, host, row, _) = authorize(&studio, StudioAction::RemoveMember).await?;
    store::end_membership(&pool, row.id, user, host.id, super::MembershipEvent::Removed).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// A mentor or mentee leaves; the host must hand over first.
#[server(prefix = "/api", endpoint = "studios/leave")]
pub async fn leave_studio(studio: String) -> Result<(), AppError> {
    let (pool, user, row, _) = authorize(&studio, StudioAction::Leave).await?;
    store::end_membership(&pool, row.id, user.id, user.id, super::MembershipEvent::Left).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// The host creates an invitation link; the answer is the link's path, shown only this once.
#[server(prefix = "/api", endpoint = "studios/create-invitation")]
pub async fn create_invitation(
    studio: String,
    role: String,
    days: String,
    max_uses: String,
) -> Result<String, AppError> {
    let role = StudioRole::from_code(&role).filter(|r| *r != StudioRole::Host);
    let days = days.trim().parse::<i64>().ok().filter(|d| (1..=rules::INVITATION_MAX_DAYS).contains(d));
    let max_uses = max_uses.trim().parse::<i32>().ok().filter(|n| (1..=rules::INVITATION_MAX_USES).contains(n));
    let mut checks = Checks::default();
    checks
        .check("role", role.map(|_| ()).ok_or(Msg::ErrChoiceUnknown))
        .check("days", days.map(|_| ()).ok_or(Msg::from(StudioMsg::ErrExpiryRange)))
        .check("max_uses", max_uses.map(|_| ()).ok_or(Msg::from(StudioMsg::ErrMaxUsesRange)));
    checks.finish()?;
    let (Some(role), Some(days), Some(max_uses)) = (role, days, max_uses) else {
        return Err(AppError::field("role", Msg::ErrChoiceUnknown));
    };
    let (pool, host, row, _) = authorize(&studio, StudioAction::ManageInvitations).await?;
    let token = store::create_invitation(&pool, row.id, role, days, max_uses, host.id).await?;
    Ok(format!("/invitations/{token}"))
}

/// The host revokes an invitation link.
#[server(prefix = "/api", endpoint = "studios/revoke-invitation")]
pub async fn revoke_invitation(studio: String, invitation: Uuid) -> Result<(), AppError> {
    let (pool, _, row, _) = authorize(&studio, StudioAction::ManageInvitations).await?;
    store::revoke_invitation(&pool, row.id, invitation).await?;
    redirect_plain_form(&format!("/studios/{}", row.slug));
    Ok(())
}

/// Anyone holding the link may see which studio and role it offers, and whether it still works.
#[server(prefix = "/api", endpoint = "studios/invitation")]
pub async fn load_invitation(token: String) -> Result<InvitationPreview, AppError> {
    if token.len() > 200 {
        return Err(AppError::Refused(Msg::from(StudioMsg::ErrInvitationUnknown)));
    }
    Ok(store::invitation_preview(&pool()?, &token).await?)
}

/// A signed-in teacher holding a valid link joins with its role.
#[server(prefix = "/api", endpoint = "studios/accept-invitation")]
pub async fn accept_invitation(token: String) -> Result<String, AppError> {
    let user = require_user().await?;
    if token.len() > 200 {
        return Err(AppError::Refused(Msg::from(StudioMsg::ErrInvitationUnknown)));
    }
    let slug = store::accept_invitation(&pool()?, &token, user.id).await?;
    redirect_plain_form(&format!("/studios/{slug}"));
    Ok(slug)
}

/// The signed-in user's studios and the requests awaiting their decision.
#[server(prefix = "/api", endpoint = "studios/mine")]
pub async fn load_my_studios() -> Result<MyStudios, AppError> {
    let user = require_user().await?;
    Ok(store::my_studios(&pool()?, user.id).await?)
}
