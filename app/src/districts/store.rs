//! District and school queries (server only).

use super::{RecordView, RecordViews, Sharing, ViewerCapacity};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// Moves free-text district and school names (users', studios') into rows: the same trimmed
/// text is the same row, and each user and studio is linked to its school. For data loaded as
/// text (the demo data, bulk seeds); the first move of existing data was a migration
/// (`20261130000000_districts_and_schools.sql`) that does the same.
pub async fn adopt_named_schools(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query(
        "insert into districts (id, name)
         select gen_random_uuid(), name
         from (select btrim(district) as name from users union select btrim(district) from studios) named
         where name <> ''
         on conflict on constraint districts_name_key do nothing",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into schools (id, district_id, name)
         select gen_random_uuid(), d.id, named.school
         from (select btrim(district) as district, btrim(school) as school from users
               union select btrim(district), btrim(school) from studios) named
         join districts d on d.name = named.district
         where named.school <> ''
         on conflict on constraint schools_district_name_key do nothing",
    )
    .execute(&mut *conn)
    .await?;
    for table in ["users", "studios"] {
        sqlx::query(&format!(
            "update {table} t set school_id = s.id
             from schools s join districts d on d.id = s.district_id
             where t.school_id is null and d.name = btrim(t.district) and s.name = btrim(t.school)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What granting a district admin did.
#[derive(Debug, PartialEq, Eq)]
pub enum Granted {
    /// The district existed; the user now administers it (or already did).
    Admin,
    /// The district was new: it was created, with the user as its first admin.
    AdminOfNewDistrict,
    /// No user has this email.
    NoSuchUser,
}

/// Makes the user with `email` an admin of the district named `district` (trimmed), creating
/// the district when it is new. For the command line (`server grant district-admin`), where a
/// district's first admin comes from.
#[tracing::instrument(skip_all)]
pub async fn grant_district_admin(pool: &PgPool, email: &str, district: &str) -> sqlx::Result<Granted> {
    let mut tx = pool.begin().await?;
    let user: Option<Uuid> = sqlx::query_scalar("select id from users where email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(user) = user else { return Ok(Granted::NoSuchUser) };
    let created: Option<Uuid> = sqlx::query_scalar(
        "insert into districts (id, name) values (gen_random_uuid(), btrim($1))
         on conflict on constraint districts_name_key do nothing returning id",
    )
    .bind(district)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "insert into district_admins (district_id, user_id)
         select id, $2 from districts where name = btrim($1)
         on conflict on constraint district_admins_pkey do nothing",
    )
    .bind(district)
    .bind(user)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if created.is_some() { Granted::AdminOfNewDistrict } else { Granted::Admin })
}

/// A teacher's consent switches and the school they apply to.
pub async fn sharing(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Sharing> {
    let (with_school, with_district, school, district): (bool, bool, Option<String>, Option<String>) = sqlx::query_as(
        "select u.record_shared_with_school, u.record_shared_with_district, s.name, d.name
         from users u left join schools s on s.id = u.school_id left join districts d on d.id = s.district_id
         where u.id = $1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok(Sharing { with_school, with_district, school: school.zip(district) })
}

/// Sets the teacher's consent switches; in effect for the next request anyone makes.
#[tracing::instrument(skip_all)]
pub async fn set_sharing(pool: &PgPool, user_id: Uuid, with_school: bool, with_district: bool) -> sqlx::Result<()> {
    sqlx::query(
        "update users set record_shared_with_school = $2, record_shared_with_district = $3, updated_at = now() where id = $1",
    )
    .bind(user_id)
    .bind(with_school)
    .bind(with_district)
    .execute(pool)
    .await?;
    Ok(())
}

/// In which capacity `viewer` may open `owner`'s development record, if at all: as a leader of
/// the owner's school when the owner shares with their school, or as an admin of its district
/// when the owner shares with their district. Nobody else, and never without consent.
pub async fn record_access(db: impl PgExecutor<'_>, viewer: Uuid, owner: Uuid) -> sqlx::Result<Option<ViewerCapacity>> {
    sqlx::query_scalar(
        "select case
                    when u.record_shared_with_school
                         and exists (select 1 from school_leaders l where l.school_id = u.school_id and l.user_id = $1)
                        then 'school_leader'
                    when u.record_shared_with_district
                         and exists (select 1 from schools s join district_admins a on a.district_id = s.district_id
                                     where s.id = u.school_id and a.user_id = $1)
                        then 'district_admin'
                end
         from users u where u.id = $2",
    )
    .bind(viewer)
    .bind(owner)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// Logs that `viewer` opened `owner`'s record, in the same transaction as the reading.
pub async fn log_record_view(
    conn: &mut PgConnection,
    viewer: Uuid,
    owner: Uuid,
    capacity: ViewerCapacity,
) -> sqlx::Result<()> {
    sqlx::query("insert into record_views (id, owner_id, viewer_id, capacity) values ($1, $2, $3, $4)")
        .bind(Uuid::new_v4())
        .bind(owner)
        .bind(viewer)
        .bind(capacity)
        .execute(conn)
        .await?;
    Ok(())
}

/// Views of the page shown at once.
pub const VIEWS_PER_PAGE: i64 = 20;

/// One page of who opened the owner's record, newest first.
pub async fn record_views(db: impl PgExecutor<'_>, owner: Uuid, page: u32) -> sqlx::Result<RecordViews> {
    let mut views: Vec<RecordView> = sqlx::query_as::<_, (String, ViewerCapacity, DateTime<Utc>)>(
        "select u.display_name, v.capacity, v.viewed_at from record_views v join users u on u.id = v.viewer_id
         where v.owner_id = $1 order by v.viewed_at desc, v.id limit $2 offset $3",
    )
    .bind(owner)
    .bind(VIEWS_PER_PAGE + 1)
    .bind(i64::from(page) * VIEWS_PER_PAGE)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(viewer_name, capacity, viewed_at)| RecordView { viewer_name, capacity, viewed_at })
    .collect();
    let has_more = views.len() as i64 > VIEWS_PER_PAGE;
    views.truncate(VIEWS_PER_PAGE as usize);
    Ok(RecordViews { views, page, has_more })
}
