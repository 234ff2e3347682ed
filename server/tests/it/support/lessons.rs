//! Set-up shared by the open-lesson tests: users, a studio with its roles, lessons.

use super::builders::{self, Lesson};
use app::lessons::LessonStatus;
use app::studios::StudioRole;
use chrono::{Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub use super::builders::{observers as create_observers, PASSWORD};

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
            ids.push(builders::user(pool, email, role, role == "admin").await);
        }
        let studio = builders::studio(pool, "test-studio", "测试工作室", ids[0]).await;
        builders::member(pool, studio, ids[1], StudioRole::Mentor).await;
        builders::member(pool, studio, ids[2], StudioRole::Mentee).await;
        World { studio, host: ids[0] }
    }

    /// A published lesson starting in three days.
    pub async fn published_lesson(&self, pool: &PgPool, capacity: i32, needs_approval: bool) -> Uuid {
        Lesson { capacity, needs_approval, ..Lesson::new(self.studio, self.host) }.insert(pool).await
    }

    pub async fn lesson(
        &self,
        pool: &PgPool,
        capacity: i32,
        needs_approval: bool,
        status: LessonStatus,
        starts_in: Duration,
    ) -> Uuid {
        Lesson {
            capacity,
            needs_approval,
            status,
            starts_at: Utc::now() + starts_in,
            ..Lesson::new(self.studio, self.host)
        }
        .insert(pool)
        .await
    }
}
