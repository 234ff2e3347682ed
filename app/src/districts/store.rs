//! District and school queries (server only).

use sqlx::{PgConnection, PgPool};
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
