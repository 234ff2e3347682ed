//! Server functions of the training-hour ledger (`/api/hours/*`). Thin: who is asking, may they
//! (`rules::can`), is the input valid, call the store.

use super::Ledger;
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, Action, Actor},
    super::{store, HourCategory, HoursSettings},
    crate::districts::dashboard::rules as year_rules,
    crate::kit::context::{pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::{self, Checks},
    chrono::{Datelike, NaiveDate},
};

/// Today in the user's time zone.
#[cfg(feature = "ssr")]
pub(crate) fn today_in(tz: &str) -> NaiveDate {
    chrono::Utc::now().with_timezone(&crate::kit::time::zone(tz)).date_naive()
}

/// The deployment's quota settings (from the server's configuration, via the Leptos context).
#[cfg(feature = "ssr")]
pub(crate) fn settings() -> HoursSettings {
    use_context::<HoursSettings>().unwrap_or_default()
}

/// A training record as typed (logging and editing share it).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordForm {
    pub occurred_on: String,
    pub hours: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub evidence: String,
}

#[cfg(feature = "ssr")]
fn record_input(form: &RecordForm, today: NaiveDate) -> Result<store::RecordInput, AppError> {
    let mut checks = Checks::default();
    let day = checks.value("occurred_on", rules::check_record_date(&form.occurred_on, today));
    let tenths = checks.value("hours", validate::hours(&form.hours));
    let category = checks.value("category", HourCategory::from_code(&form.category).ok_or(Msg::ErrChoiceUnknown));
    let description = checks.value("description", validate::text(&form.description, false, rules::TEXT_MAX));
    let evidence = checks.value("evidence", validate::text(&form.evidence, false, rules::TEXT_MAX));
    match (day, tenths, category, description, evidence) {
        (Some(day), Some(tenths), Some(category), Some(description), Some(evidence)) => {
            Ok(store::RecordInput { day, tenths, category, description, evidence })
        }
        _ => Err(checks.into_error()),
    }
}

/// The ledger of one quota year (`year` empty: the current one; else one of the last ten). The
/// signed-in user reads their own (`user` empty); the host or a mentor of a studio the user
/// belongs to reads theirs. Anyone else: 403.
#[server(prefix = "/api", endpoint = "hours/ledger")]
#[tracing::instrument(skip_all)]
pub async fn get_ledger(#[server(default)] user: String, #[server(default)] year: String) -> Result<Ledger, AppError> {
    let me = require_user().await?;
    let owner = if user.trim().is_empty() { me.id } else { validate::id(&user)? };
    // One connection for the page's statements: each return to the pool costs sqlx a round trip.
    let mut conn = pool()?.acquire().await?;
    let own = owner == me.id;
    // Roles in studios decide nothing about one's own ledger (its owner reads it and never
    // verifies it): they are looked up only for someone else's.
    let standing = match own {
        true => store::LedgerStanding {
            read: Actor { is_subject: true, role: None },
            verify: Actor { is_subject: true, role: None },
        },
        false => store::ledger_standing(&mut *conn, me.id, owner).await?,
    };
    let actor = standing.read;
    rules::can(actor, Action::ViewLedger)?;
    let can_verify = !own && rules::can(standing.verify, Action::VerifyHours).is_ok();
    let user_name = match own {
        true => me.display_name.clone(),
        false => store::user_name(&mut *conn, owner).await?.ok_or(AppError::NotFound)?,
    };
    let settings = match own {
        true => me.hours_settings(settings()),
        false => store::district_settings(&mut *conn, Some(owner), None, settings()).await?,
    };
    let today = today_in(&me.time_zone);
    let current = rules::quota_year(today, settings.year_start_month).0.year();
    let year = year_rules::check_year(&year, current).map_err(|m| AppError::field("year", m))?;
    let (year_start, year_end) = year_rules::year_bounds(year, settings.year_start_month);
    let records = store::records_between(&mut *conn, owner, year_start, year_end).await?;
    let by_category = rules::totals_by_category(records.iter().map(|r| (r.category, r.tenths)));
    let by_month = rules::totals_by_month(year_start, records.iter().map(|r| (r.occurred_on, r.tenths)));
    Ok(Ledger {
        user_id: owner,
        user_name,
        is_own: actor.is_subject,
        can_verify,
        year,
        is_current: year == current,
        year_start,
        year_end,
        quota_tenths: settings.quota_tenths,
        total_tenths: records.iter().map(|r| r.tenths).sum(),
        by_category,
        by_month,
        records,
        today,
    })
}

/// The signed-in user logs training hours for themselves: hours > 0, at most 24 in a day across
/// records, no future dates.
#[server(prefix = "/api", endpoint = "hours/log")]
#[tracing::instrument(skip_all)]
pub async fn log_hours(#[server(flatten)] record: RecordForm) -> Result<(), AppError> {
    let me = require_user().await?;
    let input = record_input(&record, today_in(&me.time_zone))?;
    store::insert_record(&pool()?, me.id, &input).await?;
    redirect_plain_form("/hours");
    Ok(())
}

/// The owner changes one of their own manual records; records the system made (attended open
/// lessons, lesson studies) and other people's records are refused.
#[server(prefix = "/api", endpoint = "hours/update")]
#[tracing::instrument(skip_all)]
pub async fn update_hours(record: String, #[server(flatten)] form: RecordForm) -> Result<(), AppError> {
    let me = require_user().await?;
    let record = validate::id(&record)?;
    let input = record_input(&form, today_in(&me.time_zone))?;
    store::update_record(&pool()?, me.id, record, &input).await?;
    redirect_plain_form("/hours");
    Ok(())
}

/// The host or a mentor of a studio where the record's owner is a mentee marks it verified
/// (never their own).
#[server(prefix = "/api", endpoint = "hours/verify")]
#[tracing::instrument(skip_all)]
pub async fn verify_hours(record: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let record = validate::id(&record)?;
    let pool = pool()?;
    let owner = store::record_owner(&pool, record).await?.ok_or(AppError::NotFound)?;
    rules::can(store::ledger_standing(&pool, me.id, owner).await?.verify, Action::VerifyHours)?;
    store::verify_record(&pool, record, me.id).await?;
    redirect_plain_form(&format!("/hours/{owner}"));
    Ok(())
}
