//! A studio's yearly record as an `.xlsx` workbook (server only), at
//! `/studios/{slug}/record/{year}/record.xlsx?version=`, for whoever may read the record and with
//! what they may see of it: a summary sheet (totals beside the previous year's, the narrative),
//! members, changes, the activity ledger as one sheet of rows Excel can filter, reach by school,
//! and mentees' growth.

use super::{Growth, StudioYearMsg, StudioYearPage};
use crate::accounts::auth::AuthSession;
use crate::districts::dashboard::YearRules;
use crate::kit::error::AppError;
use crate::kit::i18n::{Locale, Msg};
use crate::kit::xlsx::{self, hours, text, Cell, Sheet};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

#[derive(Clone)]
struct Records {
    pool: PgPool,
    rules: YearRules,
    min_cell: i64,
}

pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool, rules: YearRules, min_cell: i64) -> Router<S> {
    Router::new().route("/studios/{slug}/record/{year}/record.xlsx", get(studio_year_xlsx)).with_state(Records {
        pool,
        rules,
        min_cell,
    })
}

#[derive(serde::Deserialize)]
struct VersionQuery {
    #[serde(default)]
    version: String,
}

/// `GET /studios/{slug}/record/{year}/record.xlsx?version=`.
async fn studio_year_xlsx(
    State(r): State<Records>,
    auth: AuthSession,
    Path((slug, year)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let locale = auth.user.as_ref().map(|u| u.locale).unwrap_or_default();
    let built = async {
        let me = auth.user.as_ref().ok_or(AppError::SignInRequired)?;
        let (studio, reader) = super::api::reader(&r.pool, me.id, &slug).await?;
        let year = super::api::studio_year(&r.pool, &studio, &year, r.rules).await?;
        let page = super::api::load_page(&r.pool, &studio, reader, year, &q.version, r.min_cell).await?;
        workbook(page, me.locale, &me.time_zone).await
    }
    .await;
    xlsx::download(built, locale)
}

fn t(m: StudioYearMsg, l: Locale) -> String {
    Msg::from(m).text(l).to_owned()
}

fn n(v: i64) -> Cell {
    Cell::Number(v as f64)
}

fn maybe(v: Option<i64>) -> Cell {
    v.map(n).unwrap_or(Cell::Empty)
}

fn local(at: DateTime<Utc>, tz: &str) -> Cell {
    Cell::DateTime(at.with_timezone(&crate::kit::time::zone(tz)).naive_local())
}

async fn workbook(page: StudioYearPage, l: Locale, tz: &str) -> Result<(String, Vec<u8>), AppError> {
    use StudioYearMsg as M;
    let record = page.record;
    let (this, prev) = (record.totals, record.previous);
    let growth = |g: Option<Growth>, f: fn(Growth) -> i64| maybe(g.map(f));
    let mut summary: Vec<Vec<Cell>> =
        this.counts_beside(&prev).into_iter().map(|(label, a, b)| vec![text(t(label, l)), n(a), n(b)]).collect();
    summary.push(vec![text(t(M::TotalHours, l)), hours(this.mentee_hours_tenths), hours(prev.mentee_hours_tenths)]);
    for (label, f) in Growth::FIGURES {
        summary.push(vec![text(t(label, l)), growth(this.growth, f), growth(prev.growth, f)]);
    }
    summary.push(vec![text(t(M::Summary, l)), text(record.narrative.summary.clone())]);
    summary.push(vec![text(t(M::NextPlan, l)), text(record.narrative.next_plan.clone())]);

    let year_head = |y: i32| Msg::from(M::YearColumn).fill(l, &[("year", &y)]);
    let heads = |columns: &[M]| columns.iter().map(|m| t(*m, l)).collect::<Vec<_>>();
    let mut ledger: Vec<Vec<Cell>> = record
        .lessons
        .iter()
        .map(|x| {
            vec![
                text(t(M::KindLesson, l)),
                local(x.starts_at, tz),
                text(x.title.clone()),
                text(x.teacher.clone()),
                n(x.seats),
                n(x.booked),
                n(x.checked_in),
                n(x.schools),
                n(x.districts),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]
        })
        .collect();
    ledger.extend(record.studies.iter().map(|x| {
        vec![
            text(t(M::KindStudy, l)),
            Cell::Date(x.started_on),
            text(x.title.clone()),
            text(x.lead.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            text(x.phase.label().text(l)),
            n(x.rounds),
            n(x.plan_versions),
            n(x.observers),
            n(x.observers_from_other_schools),
            text(x.conclusions.clone()),
        ]
    }));
    let mut mentees: Vec<Vec<Cell>> = record
        .mentees
        .iter()
        .map(|m| {
            vec![
                text(m.name.clone()),
                hours(m.hours_tenths),
                maybe(m.open_goals),
                growth(m.growth, |g| g.goals_achieved),
                growth(m.growth, |g| g.milestones_done),
                growth(m.growth, |g| g.sign_offs),
            ]
        })
        .collect();
    if let Some(others) = record.others {
        mentees.push(vec![
            text(Msg::from(M::OtherMentees).fill(l, &[("n", &others.mentees)])),
            Cell::Empty,
            Cell::Empty,
            growth(others.growth, |g| g.goals_achieved),
            growth(others.growth, |g| g.milestones_done),
            growth(others.growth, |g| g.sign_offs),
        ]);
    }
    let sheets = vec![
        Sheet {
            name: t(M::SummarySheet, l),
            header: vec![t(M::Figure, l), year_head(record.year), year_head(record.year - 1)],
            rows: summary,
            filter: false,
        },
        Sheet {
            name: t(M::Members, l),
            header: heads(&[M::Name, M::Role, M::Since, M::Until]),
            rows: record
                .members
                .iter()
                .map(|m| {
                    vec![
                        text(m.name.clone()),
                        text(m.role.label().text(l)),
                        Cell::Date(m.since),
                        m.until.map(Cell::Date).unwrap_or(Cell::Empty),
                    ]
                })
                .collect(),
            filter: false,
        },
        Sheet {
            name: t(M::Changes, l),
            header: heads(&[M::Date, M::Name, M::Change]),
            rows: record
                .changes
                .iter()
                .map(|c| vec![local(c.at, tz), text(c.name.clone()), text(c.kind.reads_as(c.role).text(l))])
                .collect(),
            filter: false,
        },
        Sheet {
            name: t(M::Ledger, l),
            header: heads(&[
                M::Kind,
                M::Date,
                M::ItemTitle,
                M::Teacher,
                M::Seats,
                M::Booked,
                M::CheckedIn,
                M::Schools,
                M::Districts,
                M::Phase,
                M::Rounds,
                M::PlanVersions,
                M::Observers,
                M::FromOtherSchools,
                M::Conclusions,
            ]),
            rows: ledger,
            filter: true,
        },
        Sheet {
            name: t(M::Reach, l),
            header: heads(&[M::School, M::District, M::Observers]),
            rows: record
                .reach
                .iter()
                .map(|r| {
                    vec![
                        text(r.school.clone().unwrap_or_else(|| t(M::UnlistedSchool, l))),
                        text(r.district.clone().unwrap_or_default()),
                        n(r.observers),
                    ]
                })
                .collect(),
            filter: false,
        },
        Sheet {
            name: t(M::Mentees, l),
            header: heads(&[M::Name, M::Hours, M::OpenGoals, M::GoalsAchieved, M::MilestonesDone, M::SignOffs]),
            rows: mentees,
            filter: false,
        },
    ];
    let bytes = xlsx::workbook(sheets).await?;
    Ok((format!("studio-record-{}-{}.xlsx", record.studio.slug, record.year), bytes))
}
