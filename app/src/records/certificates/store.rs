//! Certificate queries and the issuing transaction (server only).

use super::{content_sha256, new_serial, CertificateContent, CertificateLine, Verification, LINES_MAX};
use crate::growth::HourCategory;
use crate::kit::error::StoreError;
use crate::records::RecordMsg;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

/// The year a certificate is issued for, and what it names.
pub struct Request<'a> {
    pub teacher: Uuid,
    pub teacher_name: &'a str,
    pub school_name: &'a str,
    pub year: i32,
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    pub quota_tenths: i64,
}

/// Issues the certificate of the year, or, when the teacher's valid one already states the year's
/// records as they are, returns that one: its serial either way. One transaction under the
/// teacher's certificate lock, which the ledger's trigger takes too, so a record committed meanwhile
/// is either in the snapshot or supersedes it.
#[tracing::instrument(skip_all)]
pub async fn issue(pool: &PgPool, request: &Request<'_>) -> Result<String, StoreError> {
    let mut tx = pool.begin().await?;
    crate::kit::lock::lock_until_commit(&mut tx, &format!("certificates:{}", request.teacher)).await?;
    let valid: Option<String> = sqlx::query_scalar(
        "select serial from certificates where user_id = $1 and year_start = $2 and superseded_at is null",
    )
    .bind(request.teacher)
    .bind(request.start)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(serial) = valid {
        return Ok(serial);
    }
    let mut records =
        crate::growth::store::records_between(&mut *tx, request.teacher, request.start, request.end).await?;
    if records.len() > LINES_MAX {
        return Err(StoreError::refused(RecordMsg::ErrTooManyRecords));
    }
    records.reverse();
    let by_category: Vec<(HourCategory, i64)> = HourCategory::ALL
        .iter()
        .map(|c| (*c, records.iter().filter(|r| r.category == *c).map(|r| r.tenths).sum()))
        .collect();
    let content = CertificateContent {
        teacher: request.teacher_name.to_owned(),
        school: request.school_name.to_owned(),
        year: request.year,
        first_day: request.start,
        last_day: request.end.pred_opt().unwrap_or(request.end),
        quota_tenths: request.quota_tenths,
        total_tenths: by_category.iter().map(|(_, t)| t).sum(),
        by_category,
        lines: records
            .into_iter()
            .map(|r| CertificateLine {
                occurred_on: r.occurred_on,
                category: r.category,
                tenths: r.tenths,
                source: r.source_kind,
                verified_by: r.verified_by_name,
            })
            .collect(),
    };
    let serial = new_serial();
    sqlx::query(
        "insert into certificates (id, serial, user_id, year, year_start, year_end, teacher_name, school_name,
                                   total_tenths, content, content_sha256)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(Uuid::new_v4())
    .bind(&serial)
    .bind(request.teacher)
    .bind(request.year)
    .bind(request.start)
    .bind(request.end)
    .bind(&content.teacher)
    .bind(&content.school)
    .bind(content.total_tenths)
    .bind(Json(&content))
    .bind(content_sha256(&content))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(serial)
}

/// A certificate as stored, for its teacher.
pub struct Stored {
    pub content: CertificateContent,
    pub sha256: String,
    pub issued_at: DateTime<Utc>,
    pub superseded: bool,
}

/// The certificate `serial` of `teacher`, `None` when there is none or it is someone else's.
pub async fn owned(db: impl PgExecutor<'_>, serial: &str, teacher: Uuid) -> sqlx::Result<Option<Stored>> {
    let row: Option<(Json<CertificateContent>, String, DateTime<Utc>, bool)> = sqlx::query_as(
        "select content, content_sha256, issued_at, superseded_at is not null
         from certificates where serial = $1 and user_id = $2",
    )
    .bind(serial)
    .bind(teacher)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(content, sha256, issued_at, superseded)| Stored { content: content.0, sha256, issued_at, superseded }))
}

/// The teacher's certificates of the year starting `start`, newest first: (serial, issued, valid).
pub async fn of_year(
    db: impl PgExecutor<'_>,
    teacher: Uuid,
    start: NaiveDate,
) -> sqlx::Result<Vec<(String, DateTime<Utc>, bool)>> {
    sqlx::query_as(
        "select serial, issued_at, superseded_at is null from certificates
         where user_id = $1 and year_start = $2 order by issued_at desc limit 20",
    )
    .bind(teacher)
    .bind(start)
    .fetch_all(db)
    .await
}

/// What the public page shows of the certificate `serial`: one lookup by the unique index, the
/// same work for a serial that exists and one that does not.
pub async fn verification(db: impl PgExecutor<'_>, serial: &str) -> sqlx::Result<Option<Verification>> {
    sqlx::query_as(
        "select c.serial, c.teacher_name as teacher, c.school_name as school, c.year, c.total_tenths, c.issued_at,
                c.superseded_at is null as valid,
                (select n.serial from certificates n
                 where n.user_id = c.user_id and n.year_start = c.year_start and n.issued_at > c.issued_at
                 order by n.issued_at desc limit 1) as newer
         from certificates c where c.serial = $1",
    )
    .bind(serial)
    .fetch_optional(db)
    .await
}
