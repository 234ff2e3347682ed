//! Record server functions: who is asking, may they, is the input valid, call the data layer.

use super::DevelopmentRecord;
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::PlanRecord,
    super::{store, YearHours},
    crate::districts::dashboard::{api as dashboard, rules, store as dashboard_store, YearChoice, YearRules},
    crate::growth::HourCategory,
    sqlx::PgPool,
    uuid::Uuid,
};

/// The development record of `teacher` for the quota year `year` of their district (`""`: the
/// current one), under their district's rules (`defaults`, the server's, when their school is
/// not matched to a list); with `studio`, only that studio's lessons, studies and plan. For
/// callers that have already decided the reader may see it. A year that is not a number or not
/// one of the last ten is a field error on `year`.
#[cfg(feature = "ssr")]
pub(crate) async fn load_record(
    pool: &PgPool,
    teacher: Uuid,
    year: &str,
    defaults: YearRules,
    studio: Option<Uuid>,
) -> Result<DevelopmentRecord, AppError> {
    let (header, year) = header_and_year(pool, teacher, year, defaults).await?;
    let month = year.rules.year_start_month;
    let first = rules::year_bounds(year.year - 4, month).0;
    let span = store::Year { start: year.start, end: year.end, studio };
    let (by_year, taught, observed, studies, plans) = tokio::try_join!(
        store::year_tenths(pool, teacher, first, year.start),
        store::taught_lessons(pool, teacher, span),
        store::observed_lessons(pool, teacher, span),
        store::studies(pool, teacher, span),
        store::plans(pool, teacher, studio),
    )?;
    let mut plan_records = Vec::with_capacity(plans.len());
    for (studio_id, studio) in plans {
        let goals = crate::growth::store::plan_goals(pool, studio_id, teacher).await?;
        plan_records.push(PlanRecord { studio, goals });
    }
    let tenths_of = |y: i32| {
        by_year
            .iter()
            .find(|(start, _)| rules::year_of(*start, month) == y)
            .map(|(_, tenths)| *tenths)
            .unwrap_or_default()
    };
    let this_year = tenths_of(year.year);
    let years: Vec<YearHours> =
        (year.year - 4..=year.year).map(|y| YearHours { year: y, total_tenths: tenths_of(y).iter().sum() }).collect();
    let cycle = rules::cycle_of(year.year, year.rules.cycle_start_year);
    let cycle_tenths = years.iter().filter(|y| y.year >= cycle.0).map(|y| y.total_tenths).sum();
    Ok(DevelopmentRecord {
        id: teacher,
        name: header.name,
        school: header.school,
        tier: header.tier,
        year,
        total_tenths: this_year.iter().sum(),
        by_category: HourCategory::ALL.iter().copied().zip(this_year).collect(),
        cycle,
        cycle_tenths,
        years,
        taught,
        observed,
        studies,
        plans: plan_records,
    })
}

/// The teacher's name, school and tier, and the quota year `year` (`""`: the current one) under
/// their district's rules (`defaults` when their school is not matched to a list); a year that
/// is not one of the last ten is a field error on `year`.
#[cfg(feature = "ssr")]
pub(crate) async fn header_and_year(
    pool: &PgPool,
    teacher: Uuid,
    year: &str,
    defaults: YearRules,
) -> Result<(store::Header, YearChoice), AppError> {
    let header = store::header(pool, teacher).await?.ok_or(AppError::NotFound)?;
    let rules = match header.district {
        Some(district) => {
            dashboard_store::district_rules(pool, district, defaults).await?.map(|(_, rules)| rules).unwrap_or(defaults)
        }
        None => defaults,
    };
    let (year, _) = dashboard::year_choice(year, rules)?;
    Ok((header, year))
}

/// Any signed-in user: their own development record for one quota year of their district
/// (`year` empty: the current one).
#[server(prefix = "/api", endpoint = "records/mine")]
pub async fn get_my_record(#[server(default)] year: String) -> Result<DevelopmentRecord, AppError> {
    let user = crate::kit::context::require_user().await?;
    load_record(&crate::kit::context::pool()?, user.id, &year, dashboard::default_rules(), None).await
}

/// The mentee, and the host and mentors of a studio the teacher is a mentee of: the studio's part
/// of the mentee's record for one quota year (its lessons, lesson studies and the plan there, with
/// the year's hours, which the studio's leaders see on the ledger too), read-only. Anyone else
/// is refused as for the mentee's plan.
#[server(prefix = "/api", endpoint = "records/in-studio")]
pub async fn get_studio_record(
    studio: String,
    mentee: String,
    #[server(default)] year: String,
) -> Result<DevelopmentRecord, AppError> {
    let user = crate::kit::context::require_user().await?;
    let pool = crate::kit::context::pool()?;
    let (studio_id, _) = crate::growth::api::studio(&pool, &studio).await?;
    let mentee = crate::kit::validate::id(&mentee)?;
    crate::growth::api::plan_access(&pool, user.id, studio_id, mentee).await?;
    load_record(&pool, mentee, &year, dashboard::default_rules(), Some(studio_id)).await
}
