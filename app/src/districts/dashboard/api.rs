//! Dashboard server functions: who is asking, may they, is the input valid, call the data layer.
//! A district or school the reader does not lead answers 404, like one that does not exist.

use super::{Dashboard, SchoolPage};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::rules,
    super::store::{self, Named, Scope, YearQuery},
    super::{Figures, SchoolSort, StudioSort, YearChoice, YearRules},
    crate::kit::context::{pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::Checks,
    sqlx::PgPool,
};

/// The server's default rules for a district without its own.
#[cfg(feature = "ssr")]
pub(crate) fn default_rules() -> YearRules {
    use_context::<YearRules>().unwrap_or_default()
}

/// The small-cell minimum: groups of fewer people are never shown on their own.
#[cfg(feature = "ssr")]
pub(crate) fn min_cell() -> i64 {
    use_context::<super::super::MinCell>().unwrap_or_default().0
}

/// The year asked for under the district's rules, with what the queries need to know of it.
#[cfg(feature = "ssr")]
pub(crate) fn year_choice(input: &str, year_rules: YearRules) -> Result<(YearChoice, YearQuery), AppError> {
    let today = store::today();
    let current = rules::year_of(today, year_rules.year_start_month);
    let year = rules::check_year(input, current).map_err(|m| AppError::field("year", m))?;
    let (start, end) = rules::year_bounds(year, year_rules.year_start_month);
    let cycle = rules::cycle_of(year, year_rules.cycle_start_year);
    let query = YearQuery {
        start,
        end,
        quota_tenths: year_rules.quota_tenths,
        quota_to_date: rules::quota_to_date(year_rules.quota_tenths, start, end, today),
        cycle,
        cycle_quota_tenths: year_rules.cycle_quota_tenths,
    };
    let choice = YearChoice { year, start, end, choices: rules::year_choices(current), rules: year_rules };
    Ok((choice, query))
}

/// Every figure above the tables, for the district or one school, its queries run side by side.
#[cfg(feature = "ssr")]
async fn figures(
    pool: &PgPool,
    scope: Scope,
    year: &YearChoice,
    query: &YearQuery,
    named: Named,
) -> Result<Figures, AppError> {
    let k = min_cell();
    let first = rules::year_bounds(year.year - 4, year.rules.year_start_month).0;
    let (hours, trend, lessons, studies, growth, studios) = tokio::try_join!(
        store::hour_counts(pool, scope, query, named),
        store::trend_counts(pool, scope, first, query.start, query.quota_tenths),
        store::lesson_counts(pool, scope, query),
        store::study_counts(pool, scope, query),
        store::growth_counts(pool, scope, query),
        store::studio_figures(pool, scope),
    )?;
    let (hours, tiers) = hours;
    let unnamed_enough = hours.teachers - hours.named >= k;
    Ok(Figures {
        teachers: unnamed_enough.then_some(hours.teachers),
        by_tier: rules::tier_figures(&tiers, k),
        shared: rules::shared_figure(&hours, matches!(scope, Scope::School(_)), k),
        hours: rules::hour_figures(&hours, k),
        trend: trend
            .into_iter()
            .map(|(start, teachers, median, complete)| {
                rules::year_point(rules::year_of(start, year.rules.year_start_month), teachers, median, complete, k)
            })
            .collect(),
        lessons: rules::lesson_figures(&lessons, k),
        studies: rules::study_figures(&studies, k),
        growth: rules::growth_figures(&growth, k),
        studios,
    })
}

/// The dashboard a leader's home links to, with three of its figures for the current year: the
/// first district `user` administers, else the first school they lead; `None` for anyone else.
/// The figures are the dashboard's own, under the same small-cell rule.
#[cfg(feature = "ssr")]
pub(crate) async fn headline(
    pool: &PgPool,
    user: uuid::Uuid,
) -> Result<Option<crate::home::DashboardHeadline>, AppError> {
    let (scope, href, name, named, year_rules) =
        match store::first_administered_district(pool, user, default_rules()).await? {
            Some((id, name, rules)) => (Scope::District(id), "/district".to_owned(), name, Named::default(), rules),
            None => {
                let Some((school, name)) = store::led_schools(pool, user).await?.into_iter().next() else {
                    return Ok(None);
                };
                let access = store::school_access(pool, school, user).await?.ok_or(AppError::NotFound)?;
                let named = Named { by_school: access.as_leader, by_district: access.as_admin };
                let (_, rules) =
                    store::district_rules(pool, access.district.0, default_rules()).await?.ok_or(AppError::NotFound)?;
                (Scope::School(school), format!("/district/schools/{school}"), name, named, rules)
            }
        };
    let (year, query) = year_choice("", year_rules)?;
    let counts = store::headline_counts(pool, scope, &query, named).await?;
    let (teachers, median_tenths, on_track_percent) = rules::headline_figures(&counts, min_cell());
    Ok(Some(crate::home::DashboardHeadline { href, name, year: year.year, teachers, median_tenths, on_track_percent }))
}

/// A code from a `?sort=` style parameter: empty means `default`; anything else unknown is a
/// field error.
#[cfg(feature = "ssr")]
fn choice<T>(checks: &mut Checks, field: &str, input: &str, default: T, parse: fn(&str) -> Option<T>) -> Option<T> {
    let input = input.trim();
    checks.value(field, if input.is_empty() { Ok(default) } else { parse(input).ok_or(Msg::ErrChoiceUnknown) })
}

/// District admins: the dashboard of one district they administer (`district` empty: the first)
/// for one quota year (`year` empty: the current one). `Ok(None)` for anyone who administers no
/// district; a district they do not administer is 404.
#[server(prefix = "/api", endpoint = "district/dashboard")]
pub async fn get_dashboard(
    #[server(default)] district: String,
    #[server(default)] year: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] studio_sort: String,
    #[server(default)] studio_page: u32,
) -> Result<Option<Dashboard>, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let districts = super::super::store::administered_districts(&pool, user.id).await?;
    let chosen = match district.trim() {
        "" => match districts.first() {
            Some((id, _)) => *id,
            None => return Ok(None),
        },
        id => crate::kit::validate::id(id)?,
    };
    let Some((id, name)) = districts.iter().find(|(id, _)| *id == chosen).cloned() else {
        return Err(AppError::NotFound);
    };
    let mut checks = Checks::default();
    let sort = choice(&mut checks, "sort", &sort, SchoolSort::Name, SchoolSort::from_code);
    let descending = choice(&mut checks, "dir", &dir, false, |d| match d {
        "asc" => Some(false),
        "desc" => Some(true),
        _ => None,
    });
    let studio_sort = choice(&mut checks, "studio_sort", &studio_sort, StudioSort::Name, StudioSort::from_code);
    let (Some(sort), Some(descending), Some(studio_sort)) = (sort, descending, studio_sort) else {
        return Err(checks.into_error());
    };
    let (_, year_rules) = store::district_rules(&pool, id, default_rules()).await?.ok_or(AppError::NotFound)?;
    let (year, query) = year_choice(&year, year_rules)?;
    let k = min_cell();
    let studio_page = studio_page.min(10_000);
    let (figures, schools, studio_rows) = tokio::try_join!(
        figures(&pool, Scope::District(id), &year, &query, Named::default()),
        async { Ok(store::school_counts(&pool, id, &query).await?) },
        async { Ok::<_, AppError>(store::studio_rows(&pool, id, &query, studio_sort, Some(studio_page)).await?) },
    )?;
    let (mut studios, private_studios) = studio_rows;
    let more_studios = studios.len() as i64 > store::STUDIOS_PER_PAGE;
    studios.truncate(store::STUDIOS_PER_PAGE as usize);
    for studio in &mut studios {
        studio.members = studio.members.and_then(|n| rules::at_least_k(n, k));
    }
    Ok(Some(Dashboard {
        district: (id, name),
        districts,
        year,
        min_cell: k,
        figures,
        schools: rules::school_rows(schools, k, sort, descending),
        sort,
        descending,
        studio_sort,
        studios,
        studio_page,
        more_studios,
        private_studios,
    }))
}

/// The signed-in user: the schools they lead (id, name), each a link to its page.
#[server(prefix = "/api", endpoint = "district/led-schools")]
pub async fn led_schools() -> Result<Vec<(uuid::Uuid, String)>, AppError> {
    let user = require_user().await?;
    Ok(store::led_schools(&pool()?, user.id).await?)
}

/// A leader of the school, or an admin of its district: the school's figures for one quota year,
/// and (a page at a time) its teachers who let the reader open their record. Anyone else: 404.
#[server(prefix = "/api", endpoint = "district/school")]
pub async fn get_school_page(
    school: String,
    #[server(default)] year: String,
    #[server(default)] page: u32,
) -> Result<SchoolPage, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let school = crate::kit::validate::id(&school)?;
    let access = store::school_access(&pool, school, user.id).await?.ok_or(AppError::NotFound)?;
    let (_, year_rules) =
        store::district_rules(&pool, access.district.0, default_rules()).await?.ok_or(AppError::NotFound)?;
    let (year, query) = year_choice(&year, year_rules)?;
    let named = Named { by_school: access.as_leader, by_district: access.as_admin };
    let page = page.min(10_000);
    let (figures, (mut listed, named_total)) =
        tokio::try_join!(figures(&pool, Scope::School(school), &year, &query, named), async {
            Ok::<_, AppError>(store::named_teachers(&pool, school, named, page).await?)
        },)?;
    let has_more = listed.len() as i64 > store::NAMED_PER_PAGE;
    listed.truncate(store::NAMED_PER_PAGE as usize);
    Ok(SchoolPage {
        id: school,
        name: access.name,
        district: access.district,
        year,
        min_cell: min_cell(),
        figures,
        named: listed,
        named_total,
        page,
        has_more,
    })
}

/// A leader of the teacher's school when the teacher shares with their school, or an admin of
/// its district when the teacher shares with their district: the teacher's development record for
/// one quota year (`year` empty: the current one), read-only, the same view the teacher has of
/// it; the opening is logged for the teacher to see. Without consent the answer is the same 404
/// as for a teacher who does not exist.
#[server(prefix = "/api", endpoint = "district/teacher")]
pub async fn get_teacher_record(
    teacher: String,
    #[server(default)] year: String,
) -> Result<crate::records::DevelopmentRecord, AppError> {
    let user = require_user().await?;
    open_shared_record(&pool()?, user.id, &teacher, &year, default_rules()).await
}

/// The record of `teacher` (an id as sent) for `reader`, if the teacher lets them see it (else
/// 404), logged. Consent is checked and the opening logged in one transaction that commits only
/// once the record is read: a record is never shown unlogged, nothing is logged for a refused
/// year, and a switch turned off before this commits is obeyed (the check holds a share lock on
/// the teacher's row).
#[cfg(feature = "ssr")]
pub(crate) async fn open_shared_record(
    pool: &PgPool,
    reader: uuid::Uuid,
    teacher: &str,
    year: &str,
    defaults: YearRules,
) -> Result<crate::records::DevelopmentRecord, AppError> {
    let teacher = crate::kit::validate::id(teacher)?;
    let mut tx = pool.begin().await?;
    let capacity = super::super::store::record_access(&mut *tx, reader, teacher).await?.ok_or(AppError::NotFound)?;
    let record = crate::records::api::load_record(pool, teacher, year, defaults, None).await?;
    super::super::store::log_record_view(&mut tx, reader, teacher, capacity).await?;
    tx.commit().await?;
    Ok(record)
}

/// An admin of the district sets its training-hour rules. A new start month regroups every
/// teacher's hours into the new quota years (in the same transaction).
#[server(prefix = "/api", endpoint = "district/set-rules")]
pub async fn set_district_rules(
    district: String,
    quota: String,
    start_month: String,
    cycle_start: String,
    cycle_quota: String,
) -> Result<(), AppError> {
    let user = require_user().await?;
    let district = crate::kit::validate::id(&district)?;
    let mut checks = Checks::default();
    let quota = checks.value("quota", rules::check_quota(&quota, rules::YEAR_QUOTA_MAX_TENTHS));
    let month = checks.value("start_month", rules::check_month(&start_month));
    let cycle_start = checks.value("cycle_start", rules::check_cycle_start(&cycle_start));
    let cycle_quota = checks.value("cycle_quota", rules::check_quota(&cycle_quota, rules::CYCLE_QUOTA_MAX_TENTHS));
    let (Some(quota_tenths), Some(year_start_month), Some(cycle_start_year), Some(cycle_quota_tenths)) =
        (quota, month, cycle_start, cycle_quota)
    else {
        return Err(checks.into_error());
    };
    let year_rules = YearRules { quota_tenths, year_start_month, cycle_start_year, cycle_quota_tenths };
    store::set_rules(&pool()?, district, &year_rules, user.id).await?;
    redirect_plain_form(super::super::pages::SCHOOLS_PATH);
    Ok(())
}
