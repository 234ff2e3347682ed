//! The district's tables as `.xlsx` workbooks for its own paperwork (server only): the school
//! table and the studio table of a quota year (district admins), and a school's yearly list of
//! teachers' credited hours by name, the administrative 学时认定 list (its leaders and its
//! district's admins). Figures keep the suppression they have on the page; the hours list is
//! administrative and shows every teacher by name, as the paper list does. Workbooks are written
//! on a blocking thread.

use super::api::year_choice;
use super::rules;
use super::store::{self, Scope};
use super::{SchoolSort, StudioSort, YearRules};
use crate::accounts::auth::AuthSession;
use crate::districts::DistrictMsg;
use crate::growth::HourCategory;
use crate::kit::error::AppError;
use crate::kit::i18n::{Locale, Msg};
use crate::kit::xlsx::{self, text, Cell};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use uuid::Uuid;

/// What the exports need from the server's configuration.
#[derive(Clone)]
struct Exports {
    pool: PgPool,
    rules: YearRules,
    min_cell: i64,
}

pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool, rules: YearRules, min_cell: i64) -> Router<S> {
    Router::new()
        .route("/district/export/schools.xlsx", get(schools_xlsx))
        .route("/district/export/studios.xlsx", get(studios_xlsx))
        .route("/district/schools/{id}/hours.xlsx", get(school_hours_xlsx))
        .with_state(Exports { pool, rules, min_cell })
}

#[derive(serde::Deserialize)]
struct TableQuery {
    #[serde(default)]
    d: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
}

/// A figure, or "fewer than k".
fn figure(value: Option<i64>, k: i64, locale: Locale) -> Cell {
    match value {
        Some(n) => Cell::Number(n as f64),
        None => Cell::Text(Msg::from(DistrictMsg::FewerThan).fill(locale, &[("k", &k)])),
    }
}

fn hours(tenths: Option<i64>, k: i64, locale: Locale) -> Cell {
    match tenths {
        Some(t) => xlsx::hours(t),
        None => figure(None, k, locale),
    }
}

/// A workbook of one sheet.
async fn workbook(name: String, header: Vec<String>, rows: Vec<Vec<Cell>>) -> Result<Vec<u8>, AppError> {
    xlsx::workbook(vec![xlsx::Sheet { name, header, rows, filter: false }]).await
}

/// The workbook as a download, or the error in the default language.
fn download(built: Result<(String, Vec<u8>), AppError>) -> Response {
    xlsx::download(built, Locale::default())
}

/// The district the signed-in admin asks for (`d` empty: their first) and its rules.
async fn admin_district(
    e: &Exports,
    auth: &AuthSession,
    district: &str,
) -> Result<(Uuid, String, YearRules, Locale), AppError> {
    let me = auth.user.as_ref().ok_or(AppError::SignInRequired)?;
    let districts = crate::districts::store::administered_districts(&e.pool, me.id).await?;
    let (id, name) = match district.trim() {
        "" => districts.first().cloned(),
        id => {
            let id = crate::kit::validate::id(id)?;
            districts.into_iter().find(|(d, _)| *d == id)
        }
    }
    .ok_or(AppError::NotFound)?;
    let (_, rules) = store::district_rules(&e.pool, id, e.rules).await?.ok_or(AppError::NotFound)?;
    Ok((id, name, rules, me.locale))
}

fn t(m: DistrictMsg, locale: Locale) -> String {
    Msg::from(m).text(locale).to_owned()
}

/// `GET /district/export/schools.xlsx?d=&year=&sort=&dir=`: the school table, as on the page.
async fn schools_xlsx(State(e): State<Exports>, auth: AuthSession, Query(q): Query<TableQuery>) -> Response {
    let built = async {
        let (district, name, year_rules, l) = admin_district(&e, &auth, &q.d).await?;
        let (year, query) = year_choice(&q.year, year_rules)?;
        let sort = SchoolSort::from_code(q.sort.trim()).unwrap_or(SchoolSort::Name);
        let rows = rules::school_rows(
            store::school_counts(&e.pool, district, &query).await?,
            e.min_cell,
            sort,
            q.dir == "desc",
        );
        let k = e.min_cell;
        let header = [
            DistrictMsg::School,
            DistrictMsg::Teachers,
            DistrictMsg::MedianHours,
            DistrictMsg::ShareComplete,
            DistrictMsg::Studios,
        ]
        .map(|m| t(m, l))
        .to_vec();
        let cells = rows
            .into_iter()
            .map(|r| {
                vec![
                    text(r.name),
                    figure(r.teachers, k, l),
                    hours(r.median_tenths, k, l),
                    figure(r.complete_percent.map(i64::from), k, l),
                    Cell::Number(r.studios as f64),
                ]
            })
            .collect();
        let sheet = format!("{name} {}", year.year);
        Ok::<_, AppError>((format!("schools-{}.xlsx", year.year), workbook(sheet, header, cells).await?))
    }
    .await;
    download(built)
}

/// `GET /district/export/studios.xlsx?d=&year=&sort=`: every public studio of the district.
async fn studios_xlsx(State(e): State<Exports>, auth: AuthSession, Query(q): Query<TableQuery>) -> Response {
    let built = async {
        let (district, name, year_rules, l) = admin_district(&e, &auth, &q.d).await?;
        let (year, query) = year_choice(&q.year, year_rules)?;
        let sort = StudioSort::from_code(q.sort.trim()).unwrap_or(StudioSort::Name);
        let (rows, _) = store::studio_rows(&e.pool, district, &query, sort, None).await?;
        let k = e.min_cell;
        let header = [
            DistrictMsg::Studio,
            DistrictMsg::School,
            DistrictMsg::Members,
            DistrictMsg::LessonsHeld,
            DistrictMsg::StudiesRun,
            DistrictMsg::YearlyRecord,
        ]
        .map(|m| t(m, l))
        .to_vec();
        let cells = rows
            .into_iter()
            .map(|r| {
                let members = r.members.and_then(|n| rules::at_least_k(n, k));
                vec![
                    text(r.name),
                    text(r.school),
                    figure(members, k, l),
                    Cell::Number(r.lessons as f64),
                    Cell::Number(r.studies as f64),
                    r.record_version.map(|v| Cell::Number(f64::from(v))).unwrap_or(Cell::Empty),
                ]
            })
            .collect();
        let sheet = format!("{name} {}", year.year);
        Ok::<_, AppError>((format!("studios-{}.xlsx", year.year), workbook(sheet, header, cells).await?))
    }
    .await;
    download(built)
}

#[derive(serde::Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: String,
}

/// `GET /district/schools/{id}/hours.xlsx?year=`: the school's 学时认定 list for a quota year.
async fn school_hours_xlsx(
    State(e): State<Exports>,
    auth: AuthSession,
    Path(school): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let built = async {
        let me = auth.user.as_ref().ok_or(AppError::SignInRequired)?;
        let school = crate::kit::validate::id(&school)?;
        let access = store::school_access(&e.pool, school, me.id).await?.ok_or(AppError::NotFound)?;
        let (_, year_rules) =
            store::district_rules(&e.pool, access.district.0, e.rules).await?.ok_or(AppError::NotFound)?;
        let (year, _) = year_choice(&q.year, year_rules)?;
        let l = me.locale;
        let teachers = store::school_year_hours(&e.pool, Scope::School(school), year.start).await?;
        let mut header = vec![t(DistrictMsg::TeacherName, l), Msg::Tier.text(l).to_owned()];
        header.extend(HourCategory::ALL.iter().map(|c| c.label().text(l).to_owned()));
        header.extend([t(DistrictMsg::Total, l), t(DistrictMsg::QuotaHours, l), t(DistrictMsg::BandComplete, l)]);
        let quota = year.rules.quota_tenths;
        let yes_no = |done: bool| text(Msg::from(if done { DistrictMsg::Yes } else { DistrictMsg::No }).text(l));
        let cells = teachers
            .into_iter()
            .map(|row| {
                let mut cells = vec![text(row.name), text(row.tier.label().text(l))];
                cells.extend(row.tenths.iter().map(|t| xlsx::hours(*t)));
                let total: i64 = row.tenths.iter().sum();
                cells.extend([xlsx::hours(total), xlsx::hours(quota), yes_no(total >= quota)]);
                cells
            })
            .collect();
        let sheet = format!("{} {}", access.name, year.year);
        Ok::<_, AppError>((format!("hours-{}.xlsx", year.year), workbook(sheet, header, cells).await?))
    }
    .await;
    download(built)
}
