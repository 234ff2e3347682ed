//! A development record as an `.xlsx` workbook, one sheet per section (server only): the
//! teacher's own at `/me/record.xlsx?year=`, and a consenting teacher's at
//! `/district/teachers/{id}/record.xlsx?year=` for whoever may open it there (logged the same way).
//! Texts are in the reader's language, dates and times real Excel dates in their time zone, hours
//! numbers.

use super::{DevelopmentRecord, RecordMsg};
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
}

pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool, rules: YearRules) -> Router<S> {
    Router::new()
        .route("/me/record.xlsx", get(my_record_xlsx))
        .route("/district/teachers/{id}/record.xlsx", get(shared_record_xlsx))
        .with_state(Records { pool, rules })
}

#[derive(serde::Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: String,
}

/// `GET /me/record.xlsx?year=`: the signed-in teacher's own record.
async fn my_record_xlsx(State(r): State<Records>, auth: AuthSession, Query(q): Query<YearQuery>) -> Response {
    let locale = auth.user.as_ref().map(|u| u.locale).unwrap_or_default();
    let built = async {
        let me = auth.user.as_ref().ok_or(AppError::SignInRequired)?;
        let record = super::api::load_record(&r.pool, me.id, &q.year, r.rules, None).await?;
        record_workbook(record, me.locale, &me.time_zone).await
    }
    .await;
    xlsx::download(built, locale)
}

/// `GET /district/teachers/{id}/record.xlsx?year=`: a record the teacher lets the reader open.
async fn shared_record_xlsx(
    State(r): State<Records>,
    auth: AuthSession,
    Path(teacher): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let locale = auth.user.as_ref().map(|u| u.locale).unwrap_or_default();
    let built = async {
        let me = auth.user.as_ref().ok_or(AppError::SignInRequired)?;
        let record =
            crate::districts::dashboard::api::open_shared_record(&r.pool, me.id, &teacher, &q.year, r.rules).await?;
        record_workbook(record, me.locale, &me.time_zone).await
    }
    .await;
    xlsx::download(built, locale)
}

fn t(m: RecordMsg, l: Locale) -> String {
    Msg::from(m).text(l).to_owned()
}

fn local(at: DateTime<Utc>, tz: &str) -> Cell {
    Cell::DateTime(at.with_timezone(&crate::kit::time::zone(tz)).naive_local())
}

/// The record's sections as sheets, and the file name.
async fn record_workbook(record: DevelopmentRecord, l: Locale, tz: &str) -> Result<(String, Vec<u8>), AppError> {
    let quota = record.year.rules;
    let mut hour_rows: Vec<Vec<Cell>> =
        record.by_category.iter().map(|(c, tenths)| vec![text(c.label().text(l)), hours(*tenths)]).collect();
    hour_rows.extend([
        vec![text(t(RecordMsg::Total, l)), hours(record.total_tenths)],
        vec![text(t(RecordMsg::YearQuota, l)), hours(quota.quota_tenths)],
        vec![
            text(Msg::from(RecordMsg::Cycle).fill(l, &[("first", &record.cycle.0), ("last", &record.cycle.1)])),
            hours(record.cycle_tenths),
        ],
        vec![text(t(RecordMsg::CycleQuota, l)), hours(quota.cycle_quota_tenths)],
    ]);
    let sheet = |name: RecordMsg, header: &[RecordMsg], rows: Vec<Vec<Cell>>| Sheet {
        name: t(name, l),
        header: header.iter().map(|m| t(*m, l)).collect(),
        rows,
        filter: false,
    };
    let sheets = vec![
        sheet(RecordMsg::HoursSheet, &[RecordMsg::Category, RecordMsg::Hours], hour_rows),
        sheet(
            RecordMsg::FiveYears,
            &[RecordMsg::Year, RecordMsg::Hours],
            record.years.iter().map(|y| vec![Cell::Number(f64::from(y.year)), hours(y.total_tenths)]).collect(),
        ),
        sheet(
            RecordMsg::Taught,
            &[RecordMsg::Lesson, RecordMsg::Date, RecordMsg::Studio, RecordMsg::Observers, RecordMsg::Schools],
            record
                .taught
                .into_iter()
                .map(|x| {
                    vec![
                        text(x.title),
                        local(x.starts_at, tz),
                        text(x.studio),
                        Cell::Number(x.observers as f64),
                        Cell::Number(x.schools as f64),
                    ]
                })
                .collect(),
        ),
        sheet(
            RecordMsg::Observed,
            &[RecordMsg::Lesson, RecordMsg::Date, RecordMsg::Studio],
            record.observed.into_iter().map(|x| vec![text(x.title), local(x.starts_at, tz), text(x.studio)]).collect(),
        ),
        sheet(
            RecordMsg::Studies,
            &[RecordMsg::Study, RecordMsg::Studio, RecordMsg::Role, RecordMsg::Phase],
            record
                .studies
                .into_iter()
                .map(|x| {
                    vec![text(x.title), text(x.studio), text(x.role.label().text(l)), text(x.phase.label().text(l))]
                })
                .collect(),
        ),
        sheet(
            RecordMsg::Plans,
            &[
                RecordMsg::Studio,
                RecordMsg::Goal,
                RecordMsg::Status,
                RecordMsg::DueDate,
                RecordMsg::MilestonesDone,
                RecordMsg::Milestones,
            ],
            record
                .plans
                .into_iter()
                .flat_map(|plan| {
                    let studio = plan.studio;
                    plan.goals.into_iter().map(move |g| {
                        let done = g.milestones.iter().filter(|m| m.done).count();
                        vec![
                            text(studio.clone()),
                            text(g.title),
                            text(g.status.label().text(l)),
                            Cell::Date(g.due_on),
                            Cell::Number(done as f64),
                            Cell::Number(g.milestones.len() as f64),
                        ]
                    })
                })
                .collect(),
        ),
    ];
    let bytes = xlsx::workbook(sheets).await?;
    Ok((format!("record-{}.xlsx", record.year.year), bytes))
}
