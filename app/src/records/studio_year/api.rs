//! Studio yearly record server functions: who is asking, may they, is the input valid, call the
//! data layer.

use super::StudioYearPage;
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, VersionAsked},
    super::store::{self, Span, StudioFacts},
    super::{MenteeGrowth, Narrative, RecordReader, Shown, StudioHeading, StudioYearMsg, StudioYearRecord},
    crate::districts::dashboard::{
        api as dashboard, rules as year_rules, store as dashboard_store, YearChoice, YearRules,
    },
    crate::kit::context::{pool, redirect_plain_form, require_user},
    crate::kit::i18n::Msg,
    crate::kit::validate::Checks,
    crate::studios::StudioRole,
    sqlx::PgPool,
    std::collections::HashSet,
    uuid::Uuid,
};

/// The record's page (`year`: a quota year, or `current`).
pub fn record_path(slug: &str, year: impl std::fmt::Display) -> String {
    format!("/studios/{slug}/record/{year}")
}

/// The studio of `slug` and how `user` may read its record: the host and mentors, a leader of
/// its school, an admin of its district. A mentee is refused; anyone else gets "not found", as
/// for a studio that does not exist, so nothing tells them it does.
#[cfg(feature = "ssr")]
pub(crate) async fn reader(pool: &PgPool, user: Uuid, slug: &str) -> Result<(StudioFacts, RecordReader), AppError> {
    let studio = store::studio_facts(pool, slug.trim()).await?.ok_or(AppError::NotFound)?;
    let (role, school_leader, district_admin) = store::standing(pool, &studio, user).await?;
    let reader = match role {
        Some(StudioRole::Host) => RecordReader::Host,
        Some(StudioRole::Mentor) => RecordReader::Mentor,
        _ if district_admin => RecordReader::District,
        _ if school_leader => RecordReader::School,
        Some(StudioRole::Mentee) => return Err(AppError::Forbidden),
        None => return Err(AppError::NotFound),
    };
    Ok((studio, reader))
}

/// The quota year `year` of the studio's district (the server's rules when its school is not on
/// a list; `current` or empty: the current one): one of the last ten, and not before the studio
/// existed.
#[cfg(feature = "ssr")]
pub(crate) async fn studio_year(
    pool: &PgPool,
    studio: &StudioFacts,
    year: &str,
    defaults: YearRules,
) -> Result<YearChoice, AppError> {
    let rules = match studio.district_id {
        Some(district) => dashboard_store::district_rules(pool, district, defaults).await?.map(|(_, r)| r),
        None => None,
    }
    .unwrap_or(defaults);
    let year = if year.trim() == "current" { "" } else { year };
    let (mut year, _) = dashboard::year_choice(year, rules)?;
    let founded = studio.created_at.with_timezone(&crate::kit::time::zone("Asia/Shanghai")).date_naive();
    let first = year_rules::year_of(founded, rules.year_start_month);
    if year.year < first {
        return Err(AppError::field("year", Msg::from(StudioYearMsg::ErrBeforeStudio)));
    }
    year.choices.retain(|y| *y >= first);
    Ok(year)
}

/// The record of the year as the live figures make it now, with `narrative`.
#[cfg(feature = "ssr")]
async fn live_record(
    pool: &PgPool,
    studio: &StudioFacts,
    year: &YearChoice,
    narrative: Narrative,
) -> Result<StudioYearRecord, AppError> {
    let span = Span { studio: studio.id, start: year.start, end: year.end };
    let (previous_start, previous_end) = year_rules::year_bounds(year.year - 1, year.rules.year_start_month);
    let previous = Span { studio: studio.id, start: previous_start, end: previous_end };
    let (members, changes, lessons, studies, reach, mentees, totals, previous) = tokio::try_join!(
        store::members(pool, span),
        store::changes(pool, span),
        store::lessons(pool, span),
        store::studies(pool, span),
        store::reach(pool, span),
        store::mentees(pool, span),
        store::totals(pool, span),
        store::totals(pool, previous),
    )?;
    Ok(StudioYearRecord {
        studio: StudioHeading {
            slug: studio.slug.clone(),
            name: studio.name.clone(),
            school: studio.school.clone(),
            district: studio.district.clone(),
            host: studio.host.clone(),
        },
        year: year.year,
        start: year.start,
        end: year.end,
        quota_tenths: year.rules.quota_tenths,
        members,
        changes,
        lessons,
        studies,
        reach,
        mentees: mentees
            .into_iter()
            .map(|(id, name, hours_tenths, open, growth)| MenteeGrowth {
                id,
                name,
                hours_tenths,
                open_goals: Some(open),
                growth: Some(growth),
            })
            .collect(),
        others: None,
        totals,
        previous,
        narrative,
    })
}

/// The page of the year for a reader allowed to read it: the version asked for (`""`: the
/// latest finalised one, else the live figures; `live`; a number), with what the reader may see
/// (`k`: the small-cell minimum).
#[cfg(feature = "ssr")]
pub(crate) async fn load_page(
    pool: &PgPool,
    studio: &StudioFacts,
    reader: RecordReader,
    year: YearChoice,
    version: &str,
    k: i64,
) -> Result<StudioYearPage, AppError> {
    let asked = rules::check_version(version)?;
    let (versions, draft) =
        tokio::try_join!(store::versions(pool, studio.id, year.year), store::narrative(pool, studio.id, year.year))?;
    let finalised = match asked {
        VersionAsked::Live => None,
        VersionAsked::Latest => versions.first().cloned(),
        VersionAsked::Number(n) => Some(
            versions
                .iter()
                .find(|v| v.version == n)
                .cloned()
                .ok_or_else(|| AppError::field("version", Msg::from(StudioYearMsg::ErrVersion)))?,
        ),
    };
    let (mut record, shown) = match finalised {
        None => (live_record(pool, studio, &year, draft.clone()).await?, Shown::Live),
        Some(version) => {
            let (content, sha256) =
                store::version_content(pool, studio.id, year.year, version.version).await?.ok_or(AppError::NotFound)?;
            let record: StudioYearRecord = serde_json::from_str(&content).map_err(AppError::internal)?;
            let intact = crate::kit::token::sha256_hex(content.as_bytes()) == sha256;
            let superseded = versions.first().is_some_and(|latest| latest.version > version.version);
            (record, Shown::Finalised { version, sha256, intact, superseded })
        }
    };
    let consenting: HashSet<Uuid> = if reader.coaches() {
        HashSet::new()
    } else {
        let ids: Vec<Uuid> = record.mentees.iter().map(|m| m.id).collect();
        store::consenting(pool, &ids, reader).await?.into_iter().collect()
    };
    rules::redact_for(&mut record, reader, &consenting, k);
    let draft = if reader == RecordReader::Host { draft } else { Narrative::default() };
    Ok(StudioYearPage { record, shown, versions, reader, year, draft })
}

/// The host, mentors, leaders of the studio's school and admins of its district: the studio's
/// record of one quota year (`year` empty: the current one), live or one finalised `version`.
#[server(prefix = "/api", endpoint = "studio-records/get")]
#[tracing::instrument(skip_all)]
pub async fn get_studio_year(
    studio: String,
    #[server(default)] year: String,
    #[server(default)] version: String,
) -> Result<StudioYearPage, AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio, reader) = reader(&pool, me.id, &studio).await?;
    let year = studio_year(&pool, &studio, &year, dashboard::default_rules()).await?;
    load_page(&pool, &studio, reader, year, &version, dashboard::min_cell()).await
}

/// The studio and year a host writes in; any other reader is refused with a message (and those
/// who may not read the record at all, as for reading it).
#[cfg(feature = "ssr")]
async fn host_of(pool: &PgPool, me: Uuid, slug: &str, year: &str) -> Result<(StudioFacts, YearChoice), AppError> {
    let (studio, reader) = reader(pool, me, slug).await?;
    if reader != RecordReader::Host {
        return Err(AppError::Refused(StudioYearMsg::ErrOnlyHost.into()));
    }
    let year = studio_year(pool, &studio, year, dashboard::default_rules()).await?;
    Ok((studio, year))
}

/// The host: saves the year's narrative (summary and next year's plan) as a draft; refused once
/// the year is finalised.
#[server(prefix = "/api", endpoint = "studio-records/save-narrative")]
#[tracing::instrument(skip_all)]
pub async fn save_studio_narrative(
    studio: String,
    year: String,
    #[server(default)] summary: String,
    #[server(default)] next_plan: String,
) -> Result<(), AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio, year) = host_of(&pool, me.id, &studio, &year).await?;
    let mut checks = Checks::default();
    let narrative = rules::check_narrative(&mut checks, &summary, &next_plan).ok_or_else(|| checks.into_error())?;
    store::save_narrative(&pool, studio.id, year.year, me.id, &narrative).await?;
    redirect_plain_form(&record_path(&studio.slug, year.year));
    Ok(())
}

/// Freezes the year's live record with `narrative` as the next version and tells the district.
#[cfg(feature = "ssr")]
async fn finalise(
    pool: &PgPool,
    me: Uuid,
    studio: StudioFacts,
    year: YearChoice,
    narrative: Narrative,
    reason: Option<&str>,
) -> Result<i32, AppError> {
    let record = live_record(pool, &studio, &year, narrative.clone()).await?;
    let content = serde_json::to_string(&record).map_err(AppError::internal)?;
    let base = crate::kit::context::public_url();
    let link = format!("{}{}", base.trim_end_matches('/'), record_path(&studio.slug, year.year));
    let (zh, en) = crate::lessons::LessonMsg::KindStudioRecordFinalised.zh_en();
    let mail = [
        (format!("{zh}：{} {}", studio.name, year.year), link.clone()),
        (format!("{en}: {} {}", studio.name, year.year), link),
    ];
    let version = store::finalise(
        pool,
        store::Finalising {
            studio: studio.id,
            district: studio.district_id,
            year: year.year,
            host: me,
            narrative: &narrative,
            content: &content,
            reason,
            mail,
        },
    )
    .await?;
    redirect_plain_form(&record_path(&studio.slug, year.year));
    Ok(version)
}

/// The host: finalises the year's record as it stands, with the saved narrative (version 1).
/// Refused when the year is already finalised. Returns the version.
#[server(prefix = "/api", endpoint = "studio-records/finalise")]
#[tracing::instrument(skip_all)]
pub async fn finalise_studio_year(studio: String, year: String) -> Result<i32, AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio, year) = host_of(&pool, me.id, &studio, &year).await?;
    let narrative = store::narrative(&pool, studio.id, year.year).await?;
    finalise(&pool, me.id, studio, year, narrative, None).await
}

/// The host: issues a new version of a finalised year, from the live figures and the narrative
/// given, for the reason given. Refused when the year is not finalised yet.
#[server(prefix = "/api", endpoint = "studio-records/new-version")]
#[tracing::instrument(skip_all)]
pub async fn issue_studio_year_version(
    studio: String,
    year: String,
    #[server(default)] reason: String,
    #[server(default)] summary: String,
    #[server(default)] next_plan: String,
) -> Result<i32, AppError> {
    let me = require_user().await?;
    let pool = pool()?;
    let (studio, year) = host_of(&pool, me.id, &studio, &year).await?;
    let mut checks = Checks::default();
    let reason = checks.value("reason", rules::check_reason(&reason));
    let narrative = rules::check_narrative(&mut checks, &summary, &next_plan);
    let (Some(reason), Some(narrative)) = (reason, narrative) else {
        return Err(checks.into_error());
    };
    finalise(&pool, me.id, studio, year, narrative, Some(&reason)).await
}
