//! Storing an import (server only): one transaction, all of its records or none.

use super::{ImportReceipt, ValidImport};
use sqlx::PgPool;
use uuid::Uuid;

/// What became of an import.
#[derive(Debug)]
pub enum ImportOutcome {
    /// Stored now.
    Created(ImportReceipt),
    /// The client sent this key with this body before: nothing new is stored.
    Replayed(ImportReceipt),
}

#[derive(Debug)]
pub enum ImportError {
    /// The client used the key before, for a different body.
    KeyReused,
    /// These records (by place) name someone who is not a teacher of the district.
    NotTeachers(Vec<usize>),
    Store(sqlx::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(err: sqlx::Error) -> ImportError {
        ImportError::Store(err)
    }
}

/// Who is importing and what: the client, its district, the call's key and body hash.
pub struct ImportCall<'a> {
    pub client_id: Uuid,
    pub district_id: Uuid,
    pub key: &'a str,
    pub body_sha256: &'a str,
}

const RECEIPT: &str = "id, source_system, record_count, total_tenths::float8 / 10 as hours, created_at";

/// Stores the import's records, each credited to its teacher on the course's last day, unless
/// the client sent the same key before (then the first call's receipt is the answer) or a record
/// names someone not teaching in the district (then nothing is stored). A concurrent retry waits
/// on the key until the first call ends, then replays it.
#[tracing::instrument(skip_all, fields(records = import.records.len()))]
pub async fn import_hours(
    pool: &PgPool,
    call: &ImportCall<'_>,
    import: &ValidImport,
) -> Result<ImportOutcome, ImportError> {
    let mut tx = pool.begin().await?;
    let created: Option<ImportReceipt> = sqlx::query_as(&format!(
        "insert into hour_imports (id, client_id, district_id, idempotency_key, body_sha256, source_system,
                                   record_count, total_tenths)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict on constraint hour_imports_client_key_key do nothing
         returning {RECEIPT}"
    ))
    .bind(Uuid::new_v4())
    .bind(call.client_id)
    .bind(call.district_id)
    .bind(call.key)
    .bind(call.body_sha256)
    .bind(&import.source_system)
    .bind(i32::try_from(import.records.len()).unwrap_or(i32::MAX))
    .bind(import.total_tenths())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(receipt) = created else {
        let (first, hash): (ImportReceipt, String) = {
            let row = sqlx::query(&format!(
                "select {RECEIPT}, body_sha256 from hour_imports where client_id = $1 and idempotency_key = $2"
            ))
            .bind(call.client_id)
            .bind(call.key)
            .fetch_one(&mut *tx)
            .await?;
            use sqlx::{FromRow, Row};
            (ImportReceipt::from_row(&row)?, row.try_get("body_sha256")?)
        };
        return if hash == call.body_sha256 { Ok(ImportOutcome::Replayed(first)) } else { Err(ImportError::KeyReused) };
    };

    let teachers: Vec<Uuid> = import.records.iter().map(|r| r.teacher_id).collect();
    let strangers: Vec<i32> = sqlx::query_scalar(
        "select (t.place - 1)::int4 from unnest($2::uuid[]) with ordinality as t (id, place)
         where not exists (select 1 from users u join schools s on s.id = u.school_id
                           where u.id = t.id and s.district_id = $1)
         order by t.place limit $3",
    )
    .bind(call.district_id)
    .bind(&teachers)
    .bind(super::ERRORS_NAMED_MAX as i64)
    .fetch_all(&mut *tx)
    .await?;
    if !strangers.is_empty() {
        return Err(ImportError::NotTeachers(strangers.into_iter().map(|p| p as usize).collect()));
    }

    let column = |f: fn(&super::ValidRecord) -> String| import.records.iter().map(f).collect::<Vec<String>>();
    sqlx::query(
        "insert into training_records (id, user_id, starts_on, occurred_on, hours, category, description,
                                       source_kind, import_id, external_id)
         select gen_random_uuid(), t.teacher, t.starts_on, t.ends_on, t.tenths::numeric / 10, t.category, t.title,
                'import', $1, t.external_id
         from unnest($2::uuid[], $3::date[], $4::date[], $5::int8[], $6::text[], $7::text[], $8::text[])
              as t (teacher, starts_on, ends_on, tenths, category, title, external_id)",
    )
    .bind(receipt.id)
    .bind(&teachers)
    .bind(import.records.iter().map(|r| r.starts_on).collect::<Vec<_>>())
    .bind(import.records.iter().map(|r| r.ends_on).collect::<Vec<_>>())
    .bind(import.records.iter().map(|r| r.tenths).collect::<Vec<_>>())
    .bind(column(|r| r.category.code().to_owned()))
    .bind(column(|r| r.title.clone()))
    .bind(import.records.iter().map(|r| r.external_id.clone()).collect::<Vec<Option<String>>>())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome::Created(receipt))
}
