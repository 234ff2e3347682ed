//! Training-hour certificates of the district's teachers, looked up and verified by serial
//! (scope `certificates.read`).

use super::access::ApiCaller;
use super::problem::{ApiError, Problem, Refusals};
use super::ApiState;
use crate::integration::rules::Scope;
use crate::records::certificates::normalize_serial;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A certificate and whether it still stands.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiCertificate {
    /// 20 characters, printed in groups of five.
    #[schema(example = "ABCDE23456FGHJK789MN")]
    pub serial: String,
    pub teacher_name: String,
    pub school_name: String,
    /// The quota year, named by the calendar year it starts in.
    pub year: i32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Credited training hours in the year, as stated.
    #[schema(example = 72.5)]
    pub total_hours: f64,
    pub issued_at: DateTime<Utc>,
    /// False once a record of its year changed: the certificate no longer states the year.
    pub valid: bool,
    pub superseded_at: Option<DateTime<Utc>>,
    /// The serial of a newer certificate of the same year, if the teacher issued one.
    pub newer_serial: Option<String>,
    /// SHA-256 of the certificate's canonical content, as printed on it.
    pub content_sha256: String,
}

/// Looks a certificate up by its serial (any case, dashes and spaces allowed). A certificate of
/// another district's teacher is not found.
#[utoipa::path(
    get,
    path = "/certificates/{serial}",
    tag = "certificates",
    params((
        "serial" = String,
        Path,
        description = "The certificate's serial, as printed (any case; dashes and spaces allowed)",
        pattern = "^[A-Za-z0-9 -]{1,64}$"
    )),
    responses(
        (status = 200, description = "The certificate", body = ApiCertificate),
        (status = 404, description = "No such certificate in the district", body = Problem, content_type = "application/problem+json"),
        Refusals,
    ),
    security(("bearer" = ["certificates.read"]))
)]
#[tracing::instrument(skip_all)]
pub async fn get_certificate(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(serial): Path<String>,
) -> Result<Json<ApiCertificate>, ApiError> {
    caller.require(Scope::CertificatesRead)?;
    let serial = normalize_serial(&serial).ok_or(ApiError::NotFound)?;
    let certificate: Option<ApiCertificate> = sqlx::query_as(
        "select c.serial, c.teacher_name, c.school_name, c.year, c.year_start as first_day,
                c.year_end - 1 as last_day, c.total_tenths::float8 / 10 as total_hours, c.issued_at,
                c.superseded_at is null as valid, c.superseded_at,
                (select n.serial from certificates n
                 where n.user_id = c.user_id and n.year_start = c.year_start and n.issued_at > c.issued_at
                 order by n.issued_at desc limit 1) as newer_serial,
                c.content_sha256
         from certificates c
         join users u on u.id = c.user_id
         join schools sc on sc.id = u.school_id
         where c.serial = $1 and sc.district_id = $2",
    )
    .bind(&serial)
    .bind(caller.district_id)
    .fetch_optional(&state.pool)
    .await?;
    certificate.map(Json).ok_or(ApiError::NotFound)
}
