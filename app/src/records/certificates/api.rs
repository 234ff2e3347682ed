//! Certificate server functions.

use super::{Certificate, Verification};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::kit::context::{client_addr, pool, redirect_plain_form, require_user},
};

/// The limit on verification lookups per client (see `kit::rate`).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct VerifyLimit(pub crate::kit::rate::RateLimit);

/// The verification page of `serial` under the public address.
#[cfg(feature = "ssr")]
fn verify_url(serial: &str) -> String {
    format!("{}/verify/{serial}", crate::kit::context::public_url().trim_end_matches('/'))
}

/// A QR code of `url`, as SVG that scales with its box.
#[cfg(feature = "ssr")]
fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
}

/// Any signed-in teacher: issues the certificate of their hours in one quota year of their
/// district (`year` empty: the current one), or returns their valid one when nothing changed
/// since; answers its serial (a plain form goes on to its page).
#[server(prefix = "/api", endpoint = "records/issue-certificate")]
pub async fn issue_certificate(#[server(default)] year: String) -> Result<String, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let defaults = crate::districts::dashboard::api::default_rules();
    let (header, year) = crate::records::api::header_and_year(&pool, user.id, &year, defaults).await?;
    let serial = store::issue(
        &pool,
        &store::Request {
            teacher: user.id,
            teacher_name: &header.name,
            school_name: header.school.as_deref().unwrap_or_default(),
            year: year.year,
            start: year.start,
            end: year.end,
            quota_tenths: year.rules.quota_tenths,
        },
    )
    .await?;
    redirect_plain_form(&format!("/me/certificates/{serial}"));
    Ok(serial)
}

/// The certificate's own teacher: the whole certificate, to read and print. Anyone else: 404.
#[server(prefix = "/api", endpoint = "records/certificate")]
pub async fn get_certificate(serial: String) -> Result<Certificate, AppError> {
    let user = require_user().await?;
    let serial = super::normalize_serial(&serial).ok_or(AppError::NotFound)?;
    let stored = store::owned(&pool()?, &serial, user.id).await?.ok_or(AppError::NotFound)?;
    let verify_url = verify_url(&serial);
    Ok(Certificate {
        qr_svg: qr_svg(&verify_url)?,
        verify_url,
        serial,
        content: stored.content,
        sha256: stored.sha256,
        issued_at: stored.issued_at,
        superseded: stored.superseded,
    })
}

/// The signed-in teacher's certificates of one quota year, newest first: (serial, issued, valid).
#[server(prefix = "/api", endpoint = "records/certificates")]
pub async fn my_certificates(
    #[server(default)] year: String,
) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>, bool)>, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let defaults = crate::districts::dashboard::api::default_rules();
    let (_, year) = crate::records::api::header_and_year(&pool, user.id, &year, defaults).await?;
    Ok(store::of_year(&pool, user.id, year.start).await?)
}

/// Anyone, signed in or not, a limited number of times a minute: what a school needs to check a
/// certificate, and whether it is still valid. A serial that is malformed, unknown or forged is
/// the same 404, after the same lookup.
#[server(prefix = "/api", endpoint = "records/verify")]
pub async fn verify_certificate(serial: String) -> Result<Verification, AppError> {
    let limit = use_context::<VerifyLimit>().ok_or_else(|| AppError::internal("no verification limit in context"))?;
    if !limit.0.allow(&client_addr()) {
        return Err(AppError::RateLimited(crate::records::RecordMsg::ErrTooManyLookups.into()));
    }
    let serial = super::normalize_serial(&serial).unwrap_or_default();
    store::verification(&pool()?, &serial).await?.ok_or(AppError::NotFound)
}
