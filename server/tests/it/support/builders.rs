//! Rows made directly in the database for a test's starting point: users, studios,
//! memberships, lessons. Each builder writes what the application itself would write, with
//! sensible defaults, so a test names only what it is about.

use app::lessons::LessonStatus;
use app::studios::StudioRole;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// The password of every user made here.
pub const PASSWORD: &str = "lesson-study-2026";

async fn password_hash() -> String {
    app::accounts::auth::hash_password(PASSWORD.to_owned()).await.expect("hash")
}

/// A teacher of 西湖区实验中学 (a district admin when `district_admin`).
pub async fn user(pool: &PgPool, email: &str, name: &str, district_admin: bool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, email, password_hash, display_name, school, district, subject)
         values ($1, $2, $3, $4, '西湖区实验中学', '西湖区', '数学')",
    )
    .bind(id)
    .bind(email)
    .bind(password_hash().await)
    .bind(name)
    .execute(pool)
    .await
    .expect("user");
    if district_admin {
        district_admin_of(pool, email, "西湖区").await;
    }
    id
}

/// Makes the user with `email` an admin of `district` (created when new), as the command line does.
pub async fn district_admin_of(pool: &PgPool, email: &str, district: &str) {
    app::districts::store::grant_district_admin(pool, email, district).await.expect("grant");
}

/// `n` observers `observer{i}@load.test` in one statement (one shared password hash).
pub async fn observers(pool: &PgPool, n: usize) -> Vec<String> {
    sqlx::query(
        "insert into users (id, email, password_hash, display_name, school, district)
         select gen_random_uuid(), 'observer' || i || '@load.test', $1, '听课教师' || i, '萧山区第三中学', '萧山区'
         from generate_series(1, $2) i",
    )
    .bind(password_hash().await)
    .bind(n as i32)
    .execute(pool)
    .await
    .expect("observers");
    (1..=n).map(|i| format!("observer{i}@load.test")).collect()
}

/// A public studio of 西湖区 with `host` as its active host.
pub async fn studio(pool: &PgPool, slug: &str, name: &str, host: Uuid) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into studios (id, slug, name, subject, district, host_id) values ($1, $2, $3, '数学', '西湖区', $4)",
    )
    .bind(id)
    .bind(slug)
    .bind(name)
    .bind(host)
    .execute(pool)
    .await
    .expect("studio");
    member(pool, id, host, StudioRole::Host).await;
    id
}

/// An active membership.
pub async fn member(pool: &PgPool, studio: Uuid, user: Uuid, role: StudioRole) {
    sqlx::query("insert into memberships (id, studio_id, user_id, role, status) values ($1, $2, $3, $4, 'active')")
        .bind(Uuid::new_v4())
        .bind(studio)
        .bind(user)
        .bind(role)
        .execute(pool)
        .await
        .expect("membership");
}

/// An open lesson of the studio taught by `teacher`: 45 minutes in person from `starts_at`,
/// 1.5 hours credited, check-in code `ABC234`.
pub struct Lesson {
    pub studio: Uuid,
    pub teacher: Uuid,
    pub title: &'static str,
    pub starts_at: DateTime<Utc>,
    pub capacity: i32,
    pub status: LessonStatus,
    pub needs_approval: bool,
}

impl Lesson {
    /// A published lesson of 30 seats in three days.
    pub fn new(studio: Uuid, teacher: Uuid) -> Lesson {
        Lesson {
            studio,
            teacher,
            title: "《勾股定理》研究课",
            starts_at: Utc::now() + Duration::days(3),
            capacity: 30,
            status: LessonStatus::Published,
            needs_approval: false,
        }
    }

    pub async fn insert(self, pool: &PgPool) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into open_lessons (id, studio_id, teacher_id, title, subject, grade, starts_at, ends_at, time_zone, mode,
                 place, capacity, status, credited_hours, needs_approval, checkin_code)
             values ($1, $2, $3, $4, '数学', '八年级', $5, $6, 'Asia/Shanghai', 'in_person', '301 教室', $7, $8, 1.5, $9, 'ABC234')",
        )
        .bind(id)
        .bind(self.studio)
        .bind(self.teacher)
        .bind(self.title)
        .bind(self.starts_at)
        .bind(self.starts_at + Duration::minutes(45))
        .bind(self.capacity)
        .bind(self.status)
        .bind(self.needs_approval)
        .execute(pool)
        .await
        .expect("lesson");
        id
    }
}
