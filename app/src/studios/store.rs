//! Studio and membership queries (server only). Every change is one transaction and leaves a
//! membership event behind; memberships are never deleted.

use super::rules::{Standing, StudioFacts, ValidStudio};
use super::*;
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::sql::push_window;
use crate::kit::token::{new_token, token_hash};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder};

/// The user's role in the studio if they are an active member.
pub async fn active_role(db: impl PgExecutor<'_>, studio_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<StudioRole>> {
    sqlx::query_scalar("select role from memberships where studio_id = $1 and user_id = $2 and status = 'active'")
        .bind(studio_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StudioRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub subject: String,
    pub district: String,
    pub school: String,
    pub host_id: Uuid,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub archived: bool,
}

impl StudioRow {
    pub fn facts(&self) -> StudioFacts {
        StudioFacts { visibility: self.visibility, join_policy: self.join_policy, archived: self.archived }
    }
}

/// The columns of a [`StudioRow`], from `studios st`.
const STUDIO_COLUMNS: &str = "st.id, st.slug, st.name, st.description, st.subject, st.district, st.school, st.host_id,
    st.visibility, st.join_policy, st.archived";

pub async fn studio_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<StudioRow>> {
    sqlx::query_as(&format!("select {STUDIO_COLUMNS} from studios st where st.slug = $1"))
        .bind(slug)
        .fetch_optional(db)
        .await
}

/// A viewer's standing with the studio `st` of a statement, read with it: these columns (named
/// so as not to collide with the statement's own), over the joins of [`STANDING_JOINS`] with the
/// viewer's id (null for a visitor) as `$2`.
pub(crate) const STANDING_COLUMNS: &str = "u.id is not null as signed_in,
    exists (select 1 from schools s join district_admins da on da.district_id = s.district_id
            where s.id = st.school_id and da.user_id = u.id) as district_admin,
    m.role as membership_role, m.status as membership_status";
pub(crate) const STANDING_JOINS: &str = "left join users u on u.id = $2
    left join memberships m on m.studio_id = st.id and m.user_id = u.id";

/// The columns of [`STANDING_COLUMNS`].
#[derive(sqlx::FromRow)]
pub(crate) struct StandingColumns {
    signed_in: bool,
    district_admin: bool,
    membership_role: Option<StudioRole>,
    membership_status: Option<String>,
}

impl From<StandingColumns> for Standing {
    fn from(c: StandingColumns) -> Standing {
        if !c.signed_in {
            return Standing::ANONYMOUS;
        }
        let status = c.membership_status.as_deref();
        Standing {
            signed_in: true,
            role: c.membership_role.filter(|_| status == Some("active")),
            pending: status == Some("pending"),
            district_admin: c.district_admin,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StudioWithStanding {
    #[sqlx(flatten)]
    studio: StudioRow,
    #[sqlx(flatten)]
    standing: StandingColumns,
}

/// The studio of `slug` and where a user (or an anonymous visitor) stands with it, in one round
/// trip: what nearly every studio page asks first.
pub async fn studio_and_standing(
    db: impl PgExecutor<'_>,
    slug: &str,
    user_id: Option<Uuid>,
) -> sqlx::Result<Option<(StudioRow, Standing)>> {
    let row: Option<StudioWithStanding> = sqlx::query_as(&format!(
        "select {STUDIO_COLUMNS}, {STANDING_COLUMNS}
         from studios st {STANDING_JOINS}
         where st.slug = $1"
    ))
    .bind(slug)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.studio, r.standing.into())))
}

/// Where a user (or an anonymous visitor) stands with a studio, in one query: the membership
/// and whether they administer the studio's district.
pub async fn standing(db: impl PgExecutor<'_>, studio_id: Uuid, user_id: Option<Uuid>) -> sqlx::Result<Standing> {
    if user_id.is_none() {
        return Ok(Standing::ANONYMOUS);
    }
    let row: Option<StandingColumns> =
        sqlx::query_as(&format!("select {STANDING_COLUMNS} from studios st {STANDING_JOINS} where st.id = $1"))
            .bind(studio_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map_or(Standing::ANONYMOUS, Standing::from))
}

/// Records what happened and marks the studio as active now.
async fn record_event(
    conn: &mut PgConnection,
    studio_id: Uuid,
    user_id: Uuid,
    actor_id: Uuid,
    kind: MembershipEvent,
    role: Option<StudioRole>,
    message: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into membership_events (id, studio_id, user_id, actor_id, kind, role, message) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::new_v4())
    .bind(studio_id)
    .bind(user_id)
    .bind(actor_id)
    .bind(kind)
    .bind(role.map(StudioRole::code))
    .bind(message)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update studios set last_activity_at = now() where id = $1").bind(studio_id).execute(conn).await?;
    Ok(())
}

/// Picks `base`, or `base-2`, `base-3`… whichever is free.
async fn free_slug(conn: &mut PgConnection, base: &str) -> sqlx::Result<String> {
    // Every numbered slug of `base` starts with this much of it (see `rules::numbered_slug`).
    let prefix: String = base.chars().take(rules::SLUG_MAX - 9).collect();
    let taken: Vec<String> = sqlx::query_scalar("select slug from studios where slug = $1 or slug like $2")
        .bind(base)
        .bind(format!("{}%", escape_like(&prefix)))
        .fetch_all(conn)
        .await?;
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    Ok((2..)
        .map(|n| rules::numbered_slug(base, n))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| rules::numbered_slug(base, &Uuid::new_v4().simple().to_string()[..8])))
}

/// Creates the studio with its creator as host. A typed slug that is taken fails on
/// `studios_slug_key`; a derived one gets a numeric suffix instead.
#[tracing::instrument(skip_all)]
pub async fn create_studio(
    pool: &PgPool,
    host_id: Uuid,
    studio: &ValidStudio,
    typed_slug: Option<&str>,
) -> Result<String, StoreError> {
    let mut tx = pool.begin().await?;
    let slug = match typed_slug {
        Some(slug) => slug.to_owned(),
        None => {
            let base = rules::slug_from_name(&studio.name);
            let base = if base.chars().count() < rules::SLUG_MIN {
                format!("studio-{}", &Uuid::new_v4().simple().to_string()[..6])
            } else {
                base
            };
            free_slug(&mut tx, &base).await?
        }
    };
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into studios (id, slug, name, description, subject, district, school, host_id, visibility, join_policy)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&slug)
    .bind(&studio.name)
    .bind(&studio.description)
    .bind(&studio.subject)
    .bind(&studio.district)
    .bind(&studio.school)
    .bind(host_id)
    .bind(studio.visibility)
    .bind(studio.join_policy)
    .execute(&mut *tx)
    .await
    .on_constraint("studios_slug_key", || StoreError::conflict("slug", StudioMsg::ErrSlugTaken))?;
    crate::districts::store::place_studio(&mut tx, id).await?;
    sqlx::query("insert into memberships (id, studio_id, user_id, role, status) values ($1, $2, $3, 'host', 'active')")
        .bind(Uuid::new_v4())
        .bind(id)
        .bind(host_id)
        .execute(&mut *tx)
        .await?;
    record_event(&mut tx, id, host_id, host_id, MembershipEvent::Created, Some(StudioRole::Host), "").await?;
    tx.commit().await?;
    Ok(slug)
}

#[tracing::instrument(skip_all)]
pub async fn update_studio(pool: &PgPool, studio_id: Uuid, studio: &ValidStudio) -> sqlx::Result<()> {
    sqlx::query(
        "update studios set name = $2, description = $3, subject = $4, district = $5, school = $6, visibility = $7,
                join_policy = $8, school_id = school_for($5, $6, host_id), last_activity_at = now()
         where id = $1 and not archived",
    )
    .bind(studio_id)
    .bind(&studio.name)
    .bind(&studio.description)
    .bind(&studio.subject)
    .bind(&studio.district)
    .bind(&studio.school)
    .bind(studio.visibility.code())
    .bind(studio.join_policy.code())
    .execute(pool)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn archive_studio(pool: &PgPool, studio_id: Uuid) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("update studios set archived = true where id = $1").bind(studio_id).execute(&mut *tx).await?;
    // Open invitations die with the studio's activity.
    sqlx::query("update invitations set revoked_at = now() where studio_id = $1 and revoked_at is null")
        .bind(studio_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Makes `user_id` a member with `status` (and `role`), from nothing or from a past membership
/// (declined, left, removed). Refuses (false) when they are already active or pending, which
/// also holds when two requests race.
async fn enter(
    conn: &mut PgConnection,
    studio_id: Uuid,
    user_id: Uuid,
    role: StudioRole,
    status: &str,
    message: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into memberships (id, studio_id, user_id, role, status, request_message) values ($1, $2, $3, $4, $5, $6)
         on conflict (studio_id, user_id) do update
            set role = excluded.role, status = excluded.status, request_message = excluded.request_message, updated_at = now()
            where memberships.status in ('declined', 'left', 'removed')",
    )
    .bind(Uuid::new_v4())
    .bind(studio_id)
    .bind(user_id)
    .bind(role.code())
    .bind(status)
    .bind(message)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all)]
pub async fn request_to_join(pool: &PgPool, studio_id: Uuid, user_id: Uuid, message: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if !enter(&mut tx, studio_id, user_id, StudioRole::Mentee, "pending", message).await? {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrAlreadyRequested)));
    }
    record_event(&mut tx, studio_id, user_id, user_id, MembershipEvent::Requested, None, message).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn join_open(pool: &PgPool, studio_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if !enter(&mut tx, studio_id, user_id, StudioRole::Mentee, "active", "").await? {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrAlreadyMember)));
    }
    record_event(&mut tx, studio_id, user_id, user_id, MembershipEvent::Joined, Some(StudioRole::Mentee), "").await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn decide_request(
    pool: &PgPool,
    studio_id: Uuid,
    user_id: Uuid,
    approve: bool,
    actor: Uuid,
    message: &str,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let status = if approve { "active" } else { "declined" };
    let done = sqlx::query("update memberships set status = $3, updated_at = now() where studio_id = $1 and user_id = $2 and status = 'pending'")
        .bind(studio_id)
        .bind(user_id)
        .bind(status)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrNoSuchRequest)));
    }
    let (kind, role) =
        if approve { (MembershipEvent::Approved, Some(StudioRole::Mentee)) } else { (MembershipEvent::Declined, None) };
    record_event(&mut tx, studio_id, user_id, actor, kind, role, message).await?;
    tx.commit().await?;
    Ok(())
}

/// Promotes a mentee to mentor or back. The host's own role changes only by handing over.
#[tracing::instrument(skip_all)]
pub async fn set_role(
    pool: &PgPool,
    studio_id: Uuid,
    user_id: Uuid,
    role: StudioRole,
    actor: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "update memberships set role = $3, updated_at = now()
         where studio_id = $1 and user_id = $2 and status = 'active' and role in ('mentor', 'mentee') and role <> $3",
    )
    .bind(studio_id)
    .bind(user_id)
    .bind(role.code())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrNoSuchMember)));
    }
    let kind = if role == StudioRole::Mentor { MembershipEvent::Promoted } else { MembershipEvent::Demoted };
    record_event(&mut tx, studio_id, user_id, actor, kind, Some(role), "").await?;
    tx.commit().await?;
    Ok(())
}

/// Hands the host role to another active member; the old host stays on as a mentor.
#[tracing::instrument(skip_all)]
pub async fn hand_over(pool: &PgPool, studio_id: Uuid, old_host: Uuid, new_host: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Serialises changes of host for this studio; the asker must still be its host once the
    // row is locked (a second, concurrent hand-over finds someone else there).
    let host: Uuid = sqlx::query_scalar("select host_id from studios where id = $1 for update")
        .bind(studio_id)
        .fetch_one(&mut *tx)
        .await?;
    if host != old_host {
        return Err(StoreError::Forbidden);
    }
    let target = active_role(&mut *tx, studio_id, new_host).await?;
    if !matches!(target, Some(StudioRole::Mentor | StudioRole::Mentee)) {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrNoSuchMember)));
    }
    sqlx::query("update memberships set role = 'mentor', updated_at = now() where studio_id = $1 and user_id = $2 and role = 'host'")
        .bind(studio_id)
        .bind(old_host)
        .execute(&mut *tx)
        .await?;
    sqlx::query("update memberships set role = 'host', updated_at = now() where studio_id = $1 and user_id = $2")
        .bind(studio_id)
        .bind(new_host)
        .execute(&mut *tx)
        .await?;
    sqlx::query("update studios set host_id = $2 where id = $1")
        .bind(studio_id)
        .bind(new_host)
        .execute(&mut *tx)
        .await?;
    record_event(&mut tx, studio_id, new_host, old_host, MembershipEvent::HostHandedOver, Some(StudioRole::Host), "")
        .await?;
    record_event(&mut tx, studio_id, old_host, old_host, MembershipEvent::Demoted, Some(StudioRole::Mentor), "")
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends an active membership that is not the host's: `removed` by the host or `left` by the
/// member; in the same transaction, the person's coming bookings of a private studio's lessons
/// end (`lessons::store::withdraw_from_private_studio`) and they leave its study groups
/// (`study::store::leave_studio_groups`).
#[tracing::instrument(skip_all)]
pub async fn end_membership(
    pool: &PgPool,
    studio_id: Uuid,
    user_id: Uuid,
    actor: Uuid,
    ending: MembershipEvent,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let role = active_role(&mut *tx, studio_id, user_id).await?;
    match role {
        None => return Err(StoreError::Refused(Msg::from(StudioMsg::ErrNoSuchMember))),
        Some(StudioRole::Host) => return Err(StoreError::Refused(Msg::from(StudioMsg::ErrCannotRemoveHost))),
        Some(_) => {}
    }
    let ended = sqlx::query("update memberships set status = $3, updated_at = now() where studio_id = $1 and user_id = $2 and status = 'active' and role <> 'host'")
        .bind(studio_id)
        .bind(user_id)
        .bind(ending.code())
        .execute(&mut *tx)
        .await?;
    // A second, concurrent leave or removal finds nothing left to end.
    if ended.rows_affected() == 0 {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrNoSuchMember)));
    }
    record_event(&mut tx, studio_id, user_id, actor, ending, role, "").await?;
    crate::lessons::store::withdraw_from_private_studio(&mut tx, studio_id, user_id).await?;
    crate::study::store::leave_studio_groups(&mut tx, studio_id, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an invitation link and returns its token (shown once, stored only as a hash).
#[tracing::instrument(skip_all)]
pub async fn create_invitation(
    pool: &PgPool,
    studio_id: Uuid,
    role: StudioRole,
    days: i64,
    max_uses: i32,
    actor: Uuid,
) -> sqlx::Result<String> {
    let token = new_token();
    sqlx::query(
        "insert into invitations (id, studio_id, role, token_hash, expires_at, max_uses, created_by)
         values ($1, $2, $3, $4, now() + make_interval(days => $5), $6, $7)",
    )
    .bind(Uuid::new_v4())
    .bind(studio_id)
    .bind(role.code())
    .bind(token_hash(&token))
    .bind(days as i32)
    .bind(max_uses)
    .bind(actor)
    .execute(pool)
    .await?;
    Ok(token)
}

#[tracing::instrument(skip_all)]
pub async fn revoke_invitation(pool: &PgPool, studio_id: Uuid, invitation_id: Uuid) -> Result<(), StoreError> {
    let done =
        sqlx::query("update invitations set revoked_at = coalesce(revoked_at, now()) where id = $1 and studio_id = $2")
            .bind(invitation_id)
            .bind(studio_id)
            .execute(pool)
            .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: Uuid,
    studio_id: Uuid,
    role: StudioRole,
    expires_at: DateTime<Utc>,
    max_uses: i32,
    uses: i32,
    revoked_at: Option<DateTime<Utc>>,
}

impl InvitationRow {
    fn problem(&self) -> Option<StudioMsg> {
        rules::invitation_problem(Utc::now(), self.expires_at, self.revoked_at.is_some(), self.uses, self.max_uses)
    }
}

const INVITATION_COLUMNS: &str = "select id, studio_id, role, expires_at, max_uses, uses, revoked_at from invitations";

pub async fn invitation_preview(pool: &PgPool, token: &str) -> Result<InvitationPreview, StoreError> {
    let row: InvitationRow = sqlx::query_as(&format!("{INVITATION_COLUMNS} where token_hash = $1"))
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::Refused(Msg::from(StudioMsg::ErrInvitationUnknown)))?;
    let (slug, name, archived): (String, String, bool) =
        sqlx::query_as("select slug, name, archived from studios where id = $1")
            .bind(row.studio_id)
            .fetch_one(pool)
            .await?;
    Ok(InvitationPreview {
        studio_slug: slug,
        studio_name: name,
        role: row.role,
        problem: if archived { Some(StudioMsg::ErrArchived) } else { row.problem() },
    })
}

/// Uses an invitation: the user joins with its role, its use count goes up. The invitation row is
/// locked so that its last use cannot be taken twice.
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(pool: &PgPool, token: &str, user_id: Uuid) -> Result<String, StoreError> {
    let mut tx = pool.begin().await?;
    let row: InvitationRow = sqlx::query_as(&format!("{INVITATION_COLUMNS} where token_hash = $1 for update"))
        .bind(token_hash(token))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Refused(Msg::from(StudioMsg::ErrInvitationUnknown)))?;
    if let Some(problem) = row.problem() {
        return Err(StoreError::Refused(Msg::from(problem)));
    }
    let studio: StudioRow = sqlx::query_as(
        "select id, slug, name, description, subject, district, school, host_id, visibility, join_policy, archived from studios where id = $1",
    )
    .bind(row.studio_id)
    .fetch_one(&mut *tx)
    .await?;
    let standing = standing(&mut *tx, studio.id, Some(user_id)).await?;
    rules::can(standing, rules::StudioAction::AcceptInvitation, studio.facts()).map_err(StoreError::Denied)?;
    let role = row.role;
    // A pending request is simply granted by the invitation.
    sqlx::query(
        "update memberships set status = 'declined' where studio_id = $1 and user_id = $2 and status = 'pending'",
    )
    .bind(studio.id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if !enter(&mut tx, studio.id, user_id, role, "active", "").await? {
        return Err(StoreError::Refused(Msg::from(StudioMsg::ErrAlreadyMember)));
    }
    sqlx::query("update invitations set uses = uses + 1 where id = $1").bind(row.id).execute(&mut *tx).await?;
    record_event(&mut tx, studio.id, user_id, user_id, MembershipEvent::InvitedIn, Some(role), "").await?;
    tx.commit().await?;
    Ok(studio.slug)
}

fn escape_like(q: &str) -> String {
    q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    slug: String,
    name: String,
    description: String,
    subject: String,
    district: String,
    host_name: String,
    member_count: i64,
    last_activity_at: DateTime<Utc>,
}

impl From<SummaryRow> for StudioSummary {
    fn from(r: SummaryRow) -> StudioSummary {
        StudioSummary {
            slug: r.slug,
            name: r.name,
            description: r.description,
            subject: r.subject,
            district: r.district,
            host_name: r.host_name,
            member_count: r.member_count,
            last_activity_at: r.last_activity_at,
        }
    }
}

/// Summary columns of `studios s join users h on h.id = s.host_id`.
const SUMMARY_COLUMNS: &str = "s.slug, s.name, left(s.description, 160) as description, s.subject, s.district,
    h.display_name as host_name,
    (select count(*) from memberships c where c.studio_id = s.id and c.status = 'active') as member_count,
    s.last_activity_at";

/// The directory's conditions: public, active studios, and each search that is set. Only the
/// searches in use reach the SQL, so each combination is planned for what it asks (a catch-all
/// `($1 = '' or col = $1)` settles into one generic plan after five runs).
fn push_directory_conditions<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    pattern: Option<&'a str>,
    subject: &'a str,
    district: &'a str,
) {
    q.push(" where s.visibility = 'public' and not s.archived");
    if let Some(pattern) = pattern {
        q.push(" and (s.name || ' ' || s.description) ilike ").push_bind(pattern);
    }
    if !subject.is_empty() {
        q.push(" and s.subject = ").push_bind(subject);
    }
    if !district.is_empty() {
        q.push(" and s.district = ").push_bind(district);
    }
}

/// The directory's filter choices, as the first queries of a `with recursive`: each subject and
/// district of the listed studios once, in order (`subjects (subject)`, `districts (district)`).
static FILTER_CHOICES: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{}, {}", listed_values("subject"), listed_values("district")));

/// A query `{column}s ({column})` of the distinct non-empty values of `column` among the listed
/// studios, in order: each is found from the one before it, one probe of
/// `studios_listed_{column}_idx` per value, rather than by sorting every listed studio.
fn listed_values(column: &str) -> String {
    format!(
        "{column}s ({column}) as (
             (select {column} from studios where visibility = 'public' and not archived and {column} <> ''
              order by {column} limit 1)
             union all
             select (select s.{column} from studios s
                     where s.visibility = 'public' and not s.archived and s.{column} > {column}s.{column}
                     order by s.{column} limit 1)
             from {column}s where {column}s.{column} is not null
         )"
    )
}

/// One page of public, active studios matching the search, most recently active first.
#[tracing::instrument(skip_all)]
pub async fn directory(
    pool: &PgPool,
    q: &str,
    subject: &str,
    district: &str,
    page: u32,
    per_page: u32,
) -> sqlx::Result<DirectoryPage> {
    let pattern = (!q.is_empty()).then(|| format!("%{}%", escape_like(q)));
    // One round trip: the page of studios, how many match, and the filter choices.
    let mut query = QueryBuilder::new(format!(
        "with recursive {choices}, found as (select {SUMMARY_COLUMNS} from studios s join users h on h.id = s.host_id",
        choices = *FILTER_CHOICES
    ));
    push_directory_conditions(&mut query, pattern.as_deref(), subject, district);
    query.push(" order by s.last_activity_at desc, s.id");
    push_window(&mut query, i64::from(per_page), i64::from(page.max(1) - 1) * i64::from(per_page));
    query.push(
        ") select (select coalesce(json_agg(found), '[]') from found) as found,
                  (select count(*) from studios s",
    );
    push_directory_conditions(&mut query, pattern.as_deref(), subject, district);
    query.push(
        ") as total,
         coalesce((select array_agg(subject) from subjects where subject is not null), '{}') as subjects,
         coalesce((select array_agg(district) from districts where district is not null), '{}') as districts",
    );
    let (studios, total, subjects, districts): (Json<Vec<StudioSummary>>, i64, Vec<String>, Vec<String>) =
        query.build_query_as().fetch_one(pool).await?;
    Ok(DirectoryPage { studios: studios.0, total, page: page.max(1), per_page, subjects, districts })
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: Uuid,
    display_name: String,
    school: String,
    role: StudioRole,
    since: DateTime<Utc>,
}

/// The studio page's data, in a fixed number of queries whatever the studio's size.
#[tracing::instrument(skip_all)]
pub async fn studio_page(
    conn: &mut PgConnection,
    studio: &StudioRow,
    standing: Standing,
) -> Result<StudioPage, StoreError> {
    let members: Vec<MemberRow> = sqlx::query_as(
        "select u.id, u.display_name, u.school, m.role, m.updated_at as since
         from memberships m join users u on u.id = m.user_id
         where m.studio_id = $1 and m.status = 'active'
         order by case m.role when 'host' then 0 when 'mentor' then 1 else 2 end, m.updated_at",
    )
    .bind(studio.id)
    .fetch_all(&mut *conn)
    .await?;
    let members: Vec<Member> = members
        .into_iter()
        .map(|m| Member {
            person: Person { id: m.id, display_name: m.display_name, school: m.school },
            role: m.role,
            since: m.since,
        })
        .collect();
    let host = members
        .iter()
        .find(|m| m.role == StudioRole::Host)
        .map(|m| m.person.clone())
        .ok_or_else(|| StoreError::Inconsistent(format!("studio {} has no active host", studio.id)))?;
    let mentors = members.iter().filter(|m| m.role == StudioRole::Mentor).map(|m| m.person.clone()).collect();
    let mentee_count = members.iter().filter(|m| m.role == StudioRole::Mentee).count() as i64;
    let is_member = standing.role.is_some();
    let is_lead = standing.role.is_some_and(StudioRole::leads);
    let is_host = standing.role == Some(StudioRole::Host);

    let upcoming_lessons = crate::lessons::store::upcoming(&mut *conn, Some(studio.id), 5).await?;
    let (studies_running, studies_closed): (i64, i64) =
        sqlx::query_as("select count(*) filter (where phase <> 'closed'), count(*) filter (where phase = 'closed') from studies where studio_id = $1")
            .bind(studio.id)
            .fetch_one(&mut *conn)
            .await?;

    let events: Vec<(MembershipEvent, String, Option<StudioRole>, DateTime<Utc>)> = sqlx::query_as(
        "select e.kind, u.display_name, e.role, e.created_at
         from membership_events e join users u on u.id = e.user_id
         where e.studio_id = $1 and e.kind not in ('requested', 'declined')
         order by e.created_at desc limit 10",
    )
    .bind(studio.id)
    .fetch_all(&mut *conn)
    .await?;
    // Outsiders see what happened, not who it happened to (mentees' names are for members).
    let activity = events
        .into_iter()
        .map(|(kind, who, role, at)| {
            let who = if is_member || role.is_some_and(StudioRole::leads) { who } else { String::new() };
            Activity { kind, who, role, at }
        })
        .collect();

    let requests = if is_lead {
        let rows: Vec<(Uuid, String, String, String, DateTime<Utc>)> = sqlx::query_as(
            "select u.id, u.display_name, u.school, m.request_message, m.updated_at
             from memberships m join users u on u.id = m.user_id
             where m.studio_id = $1 and m.status = 'pending' order by m.updated_at",
        )
        .bind(studio.id)
        .fetch_all(&mut *conn)
        .await?;
        Some(
            rows.into_iter()
                .map(|(id, display_name, school, message, requested_at)| JoinRequest {
                    user: Person { id, display_name, school },
                    message,
                    requested_at,
                })
                .collect(),
        )
    } else {
        None
    };
    let invitations = if is_host {
        let rows: Vec<InvitationRow> =
            sqlx::query_as(&format!("{INVITATION_COLUMNS} where studio_id = $1 order by created_at desc limit 50"))
                .bind(studio.id)
                .fetch_all(&mut *conn)
                .await?;
        Some(
            rows.into_iter()
                .map(|r| InvitationView {
                    id: r.id,
                    role: r.role,
                    expires_at: r.expires_at,
                    max_uses: r.max_uses,
                    uses: r.uses,
                    revoked: r.revoked_at.is_some(),
                })
                .collect(),
        )
    } else {
        None
    };

    Ok(StudioPage {
        id: studio.id,
        slug: studio.slug.clone(),
        name: studio.name.clone(),
        description: studio.description.clone(),
        subject: studio.subject.clone(),
        district: studio.district.clone(),
        school: studio.school.clone(),
        facts: studio.facts(),
        standing,
        host,
        mentors,
        mentee_count,
        members: is_member.then_some(members),
        upcoming_lessons,
        studies_running,
        studies_closed,
        activity,
        requests,
        invitations,
    })
}

/// The studios a user hosts, mentors in, belongs to or asked to join, and the requests they decide.
#[tracing::instrument(skip_all)]
pub async fn my_studios(pool: &PgPool, user_id: Uuid) -> sqlx::Result<MyStudios> {
    #[derive(sqlx::FromRow)]
    struct Row {
        role: StudioRole,
        status: String,
        decision_message: String,
        #[sqlx(flatten)]
        summary: SummaryRow,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select m.role, m.status, coalesce(d.message, '') as decision_message, {SUMMARY_COLUMNS}
         from memberships m
         join studios s on s.id = m.studio_id
         join users h on h.id = s.host_id
         left join lateral (
             select e.message from membership_events e
             where e.studio_id = m.studio_id and e.user_id = m.user_id and e.kind = 'declined'
             order by e.created_at desc limit 1
         ) d on m.status = 'declined'
         where m.user_id = $1
           and (m.status in ('active', 'pending') or (m.status = 'declined' and m.updated_at > now() - interval '90 days'))
         order by s.last_activity_at desc"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let mut mine = MyStudios {
        hosting: vec![],
        mentoring: vec![],
        member_of: vec![],
        pending_requests: vec![],
        declined_requests: vec![],
        to_decide: vec![],
    };
    for row in rows {
        let summary = StudioSummary::from(row.summary);
        match (row.status.as_str(), row.role) {
            ("pending", _) => mine.pending_requests.push(summary),
            ("declined", _) => mine.declined_requests.push((summary, row.decision_message)),
            (_, StudioRole::Host) => mine.hosting.push(summary),
            (_, StudioRole::Mentor) => mine.mentoring.push(summary),
            (_, StudioRole::Mentee) => mine.member_of.push(summary),
        }
    }
    #[derive(sqlx::FromRow)]
    struct RequestRow {
        user_id: Uuid,
        user_name: String,
        user_school: String,
        request_message: String,
        requested_at: DateTime<Utc>,
        #[sqlx(flatten)]
        summary: SummaryRow,
    }
    let requests: Vec<RequestRow> = sqlx::query_as(&format!(
        "select r.user_id, u.display_name as user_name, u.school as user_school, r.request_message, r.updated_at as requested_at,
                {SUMMARY_COLUMNS}
         from memberships lead
         join studios s on s.id = lead.studio_id and not s.archived
         join users h on h.id = s.host_id
         join memberships r on r.studio_id = s.id and r.status = 'pending'
         join users u on u.id = r.user_id
         where lead.user_id = $1 and lead.status = 'active' and lead.role in ('host', 'mentor')
         order by r.updated_at"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    mine.to_decide = requests
        .into_iter()
        .map(|r| {
            let request = JoinRequest {
                user: Person { id: r.user_id, display_name: r.user_name, school: r.user_school },
                message: r.request_message,
                requested_at: r.requested_at,
            };
            (StudioSummary::from(r.summary), request)
        })
        .collect();
    Ok(mine)
}
