use super::LessonSummary;
use sqlx::PgPool;

/// The next published lessons, soonest first: of one studio, or (`None`) of all public, active
/// studios (served by `open_lessons_published_starts_at_idx` / `open_lessons_studio_id_starts_at_idx`).
pub async fn upcoming(pool: &PgPool, studio_id: Option<uuid::Uuid>, limit: i64) -> sqlx::Result<Vec<LessonSummary>> {
    sqlx::query_as::<_, (uuid::Uuid, String, String, String, String, String, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, String, i32)>(
        "select l.id, l.title, s.name, u.display_name, l.subject, l.grade, l.starts_at, l.ends_at, l.time_zone, l.capacity
         from open_lessons l
         join studios s on s.id = l.studio_id
         join users u on u.id = l.teacher_id
         where l.status = 'published' and l.starts_at > now()
           and (case when $2::uuid is null then s.visibility = 'public' and not s.archived else l.studio_id = $2 end)
         order by l.starts_at
         limit $1",
    )
    .bind(limit)
    .bind(studio_id)
    .fetch_all(pool)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|(id, title, studio_name, teacher_name, subject, grade, starts_at, ends_at, time_zone, capacity)| LessonSummary {
                id, title, studio_name, teacher_name, subject, grade, starts_at, ends_at, time_zone, capacity,
            })
            .collect()
    })
}
