//! Studio and membership queries (server only).

use super::StudioRole;
use sqlx::PgExecutor;
use uuid::Uuid;

/// The user's role in the studio if they are an active member.
pub async fn active_role(db: impl PgExecutor<'_>, studio_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<StudioRole>> {
    let role: Option<String> = sqlx::query_scalar("select role from memberships where studio_id = $1 and user_id = $2 and status = 'active'")
        .bind(studio_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(role.as_deref().and_then(StudioRole::from_code))
}
