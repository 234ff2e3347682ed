//! Set-up shared by the open-lesson tests: users, a studio with its roles, lessons.

use chrono::{Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub const PASSWORD: &str = "lesson-study-2026";

async fn password_hash() -> String {
    app::accounts::auth::hash_password(PASSWORD.to_owned()).await.expect("hash")
}

pub async fn create_user(pool: &PgPool, email: &str, name: &str, district_admin: bool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, email, password_hash, display_name, school, district, subject, is_district_admin)
         values ($1, $2, $3, $4, '西湖区实验中学', '西湖区', '数学', $5)",
    )
    .bind(id)
    .bind(email)
    .bind(password_hash().await)
    .bind(name)
    .bind(district_admin)
    .execute(pool)
    .await
    .expect("user");
    id
}

/// `n` observers `observer{i}@load.test` in one statement (one shared password hash).
pub async fn create_observers(pool: &PgPool, n: usize) -> Vec<String> {
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

/// A studio with a host, a mentor and a mentee, plus an outsider, an observer and a district
/// admin who are not members.
pub struct World {
    pub studio: Uuid,
    pub host: Uuid,
}

pub const ROLES: [(&str, &str); 6] = [
    ("host", "host@studio.test"),
    ("mentor", "mentor@studio.test"),
    ("mentee", "mentee@studio.test"),
    ("outsider", "outsider@other.test"),
    ("observer", "observer@other.test"),
    ("admin", "admin@district.test"),
];

impl World {
    pub async fn create(pool: &PgPool) -> World {
        let mut ids = Vec::new();
        for (role, email) in ROLES {
            ids.push(create_user(pool, email, role, role == "admin").await);
        }
        let studio = Uuid::new_v4();
        sqlx::query("insert into studios (id, slug, name, subject, district, host_id) values ($1, 'test-studio', '测试工作室', '数学', '西湖区', $2)")
            .bind(studio)
            .bind(ids[0])
            .execute(pool)
            .await
            .expect("studio");
        for (i, role) in ["host", "mentor", "mentee"].iter().enumerate() {
            sqlx::query(
                "insert into memberships (id, studio_id, user_id, role, status) values ($1, $2, $3, $4, 'active')",
            )
            .bind(Uuid::new_v4())
            .bind(studio)
            .bind(ids[i])
            .bind(role)
            .execute(pool)
            .await
            .expect("membership");
        }
        World { studio, host: ids[0] }
    }

    /// A published lesson starting in three days.
    pub async fn published_lesson(&self, pool: &PgPool, capacity: i32, needs_approval: bool) -> Uuid {
        self.lesson(pool, capacity, needs_approval, "published", Duration::days(3)).await
    }

    pub async fn lesson(
        &self,
        pool: &PgPool,
        capacity: i32,
        needs_approval: bool,
        status: &str,
        starts_in: Duration,
    ) -> Uuid {
        let id = Uuid::new_v4();
        let starts = Utc::now() + starts_in;
        sqlx::query(
            "insert into open_lessons (id, studio_id, teacher_id, title, subject, grade, starts_at, ends_at, time_zone, mode, place,
                 capacity, status, credited_hours, needs_approval, checkin_code)
             values ($1, $2, $3, '《勾股定理》研究课', '数学', '八年级', $4, $5, 'Asia/Shanghai', 'in_person', '301 教室', $6, $7, 1.5, $8, 'ABC234')",
        )
        .bind(id)
        .bind(self.studio)
        .bind(self.host)
        .bind(starts)
        .bind(starts + Duration::minutes(45))
        .bind(capacity)
        .bind(status)
        .bind(needs_approval)
        .execute(pool)
        .await
        .expect("lesson");
        id
    }
}
