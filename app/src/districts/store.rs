//! District and school queries (server only).

use super::{DistrictMsg, RecordView, RecordViews, SchoolStage, SchoolSummary, Sharing, ViewerCapacity};
use crate::kit::error::{OnConstraint, StoreError};
use crate::kit::i18n::Msg;
use crate::kit::sql::window;
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
    // Records credited before their teacher had a school row count for that school now.
    sqlx::query(
        "update training_records r set school_id = u.school_id from users u
         where u.id = r.user_id and r.school_id is null and u.school_id is not null",
    )
    .execute(&mut *conn)
    .await?;
    super::dashboard::store::open_current_years(&mut *conn).await
}

/// Links a user to the school their profile names: the listed one, else a request for it in
/// their district (when that district exists; otherwise they stay unlinked).
pub async fn place_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    // A trigger gives the teacher their row for the current quota year.
    sqlx::query("update users set school_id = school_for(district, school, id) where id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Links a studio to the school it names, the same way (the host asks for an unlisted one).
pub async fn place_studio(conn: &mut PgConnection, studio_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("update studios set school_id = school_for(district, school, host_id) where id = $1")
        .bind(studio_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Schools suggested at most (a deployment's districts list far fewer).
pub const CHOICES_MAX: i64 = 5000;

/// The districts and their listed schools, by name.
pub async fn school_choices(db: impl PgExecutor<'_> + Copy) -> sqlx::Result<super::SchoolChoiceList> {
    let districts =
        sqlx::query_scalar("select name from districts order by name limit $1").bind(CHOICES_MAX).fetch_all(db).await?;
    let schools = sqlx::query_as(
        "select s.name, d.name from schools s join districts d on d.id = s.district_id
         where s.status = 'listed' order by d.name, s.name limit $1",
    )
    .bind(CHOICES_MAX)
    .fetch_all(db)
    .await?;
    Ok(super::SchoolChoiceList { districts, schools })
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
         from users u where u.id = $2
         for share of u",
    )
    .bind(viewer)
    .bind(owner)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// Logs that `viewer` opened `owner`'s record, in the same transaction as the consent check (see
/// `dashboard::api::get_teacher_record`): a record is never shown unlogged.
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
    let mut views: Vec<RecordView> = sqlx::query_as::<_, (String, ViewerCapacity, DateTime<Utc>)>(&format!(
        "select u.display_name, v.capacity, v.viewed_at from record_views v join users u on u.id = v.viewer_id
         where v.owner_id = $1 order by v.viewed_at desc, v.id{}",
        window(VIEWS_PER_PAGE + 1, i64::from(page) * VIEWS_PER_PAGE)
    ))
    .bind(owner)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(viewer_name, capacity, viewed_at)| RecordView { viewer_name, capacity, viewed_at })
    .collect();
    let has_more = views.len() as i64 > VIEWS_PER_PAGE;
    views.truncate(VIEWS_PER_PAGE as usize);
    Ok(RecordViews { views, page, has_more })
}

/// The districts `user` administers: (id, name), by name.
pub async fn administered_districts(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select d.id, d.name from district_admins a join districts d on d.id = a.district_id
         where a.user_id = $1 order by d.name",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

/// The schools of the districts `user` administers, requested ones first, with their teacher
/// counts (to be suppressed by the caller) and leaders, in one query.
pub async fn schools_for_admin(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<SchoolSummary>> {
    sqlx::query_as(
        "select s.id, s.district_id, s.name, s.status, s.stage, s.rural,
                (select count(*) from users u where u.school_id = s.id) as teachers,
                coalesce((select json_agg(json_build_array(u.id, u.display_name) order by u.display_name)
                          from school_leaders l join users u on u.id = l.user_id where l.school_id = s.id), '[]') as leaders
         from schools s join district_admins a on a.district_id = s.district_id and a.user_id = $1
         order by s.district_id, s.status = 'listed', s.name
         limit 2000",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

/// The district of `school` if `admin` administers it; `None` otherwise (then the school is not
/// theirs to see, and answers as if it did not exist).
async fn admin_district_of(conn: &mut PgConnection, school: Uuid, admin: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "select s.district_id from schools s join district_admins a on a.district_id = s.district_id
         where s.id = $1 and a.user_id = $2
         for update of s",
    )
    .bind(school)
    .bind(admin)
    .fetch_optional(conn)
    .await
}

/// The district's admin says what kind of school it is.
#[tracing::instrument(skip_all)]
pub async fn update_school(
    pool: &PgPool,
    school: Uuid,
    stage: Option<SchoolStage>,
    rural: Option<bool>,
    admin: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    admin_district_of(&mut tx, school, admin).await?.ok_or(StoreError::NotFound)?;
    sqlx::query("update schools set stage = $2, rural = $3 where id = $1")
        .bind(school)
        .bind(stage)
        .bind(rural)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The district's admin confirms a requested school: it joins the list.
#[tracing::instrument(skip_all)]
pub async fn confirm_school(pool: &PgPool, school: Uuid, admin: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    admin_district_of(&mut tx, school, admin).await?.ok_or(StoreError::NotFound)?;
    let done = sqlx::query("update schools set status = 'listed' where id = $1 and status = 'requested'")
        .bind(school)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(Msg::from(DistrictMsg::ErrNotRequested)));
    }
    tx.commit().await?;
    Ok(())
}

/// The district's admin merges a requested school into a listed school of the same district:
/// its teachers and studios move there (their profile text too), and the request is gone.
#[tracing::instrument(skip_all)]
pub async fn merge_school(pool: &PgPool, school: Uuid, into: Uuid, admin: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Both rows locked, in id order so two merges cannot deadlock.
    let (first, second) = if school < into { (school, into) } else { (into, school) };
    let a = admin_district_of(&mut tx, first, admin).await?;
    let b = admin_district_of(&mut tx, second, admin).await?;
    let (Some(a), Some(b)) = (a, b) else { return Err(StoreError::NotFound) };
    if a != b || school == into {
        return Err(StoreError::conflict("into", DistrictMsg::ErrMergeTarget));
    }
    let statuses: Vec<(Uuid, String)> = sqlx::query_as("select id, status from schools where id = any($1)")
        .bind(vec![school, into])
        .fetch_all(&mut *tx)
        .await?;
    let status = |id| statuses.iter().find(|(s, _)| *s == id).map(|(_, st)| st.as_str());
    if status(school) != Some("requested") {
        return Err(StoreError::Refused(Msg::from(DistrictMsg::ErrNotRequested)));
    }
    if status(into) != Some("listed") {
        return Err(StoreError::conflict("into", DistrictMsg::ErrMergeTarget));
    }
    for table in ["users", "studios"] {
        sqlx::query(&format!(
            "update {table} set school_id = $2, school = (select name from schools where id = $2) where school_id = $1"
        ))
        .bind(school)
        .bind(into)
        .execute(&mut *tx)
        .await?;
    }
    // The request's credited hours and years become the listed school's (same district).
    for table in ["training_records", "teacher_year_hours"] {
        sqlx::query(&format!("update {table} set school_id = $2 where school_id = $1"))
            .bind(school)
            .bind(into)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("delete from school_leaders where school_id = $1").bind(school).execute(&mut *tx).await?;
    sqlx::query("delete from schools where id = $1").bind(school).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The district's admin makes a teacher of a listed school one of its leaders. Only the school's
/// own teachers can be named, so the form tells nothing about anyone else's email.
#[tracing::instrument(skip_all)]
pub async fn grant_leader(pool: &PgPool, school: Uuid, email: &str, admin: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    admin_district_of(&mut tx, school, admin).await?.ok_or(StoreError::NotFound)?;
    let teacher: Option<Uuid> = sqlx::query_scalar("select id from users where email = $1 and school_id = $2")
        .bind(email)
        .bind(school)
        .fetch_optional(&mut *tx)
        .await?;
    let teacher = teacher.ok_or_else(|| StoreError::conflict("email", DistrictMsg::ErrNotOfThisSchool))?;
    sqlx::query(
        "insert into school_leaders (school_id, user_id, granted_by) values ($1, $2, $3)
         on conflict on constraint school_leaders_pkey do nothing",
    )
    .bind(school)
    .bind(teacher)
    .bind(admin)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The district's admin ends a leader's role at one of its schools.
#[tracing::instrument(skip_all)]
pub async fn revoke_leader(pool: &PgPool, school: Uuid, leader: Uuid, admin: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    admin_district_of(&mut tx, school, admin).await?.ok_or(StoreError::NotFound)?;
    let done = sqlx::query("delete from school_leaders where school_id = $1 and user_id = $2")
        .bind(school)
        .bind(leader)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// A school's own fields as a district's system writes them (integration API).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolFields {
    pub name: String,
    pub stage: Option<SchoolStage>,
    pub rural: Option<bool>,
}

fn school_name_taken() -> StoreError {
    StoreError::conflict("name", DistrictMsg::ErrSchoolNameTaken)
}

/// Lists a new school in `district`, as its own system says; its id.
#[tracing::instrument(skip_all)]
pub async fn list_school(pool: &PgPool, district: Uuid, school: &SchoolFields) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into schools (id, district_id, name, stage, rural, status) values ($1, $2, $3, $4, $5, 'listed')",
    )
    .bind(id)
    .bind(district)
    .bind(&school.name)
    .bind(school.stage)
    .bind(school.rural)
    .execute(pool)
    .await
    .on_constraint("schools_district_name_key", school_name_taken)?;
    Ok(id)
}

/// Rewrites a school of `district` (name, stage, rural) as its own system says.
#[tracing::instrument(skip_all)]
pub async fn rewrite_school(pool: &PgPool, district: Uuid, id: Uuid, school: &SchoolFields) -> Result<(), StoreError> {
    let changed =
        sqlx::query("update schools set name = $3, stage = $4, rural = $5 where id = $1 and district_id = $2")
            .bind(id)
            .bind(district)
            .bind(&school.name)
            .bind(school.stage)
            .bind(school.rural)
            .execute(pool)
            .await
            .on_constraint("schools_district_name_key", school_name_taken)?;
    if changed.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
