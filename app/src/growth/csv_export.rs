//! The studio overview as a CSV download (server only): UTF-8 with a byte-order mark and CRLF, so
//! that Excel opens Chinese names intact. Same permission as the overview page.

use super::rules;
use super::{store, GrowthMsg, HoursSettings};
use crate::accounts::auth::AuthSession;
use crate::kit::error::AppError;
use crate::kit::i18n::{Locale, Msg};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

/// `GET /studios/{slug}/growth/export.csv` for the studio's mentors and host.
pub async fn overview_csv(pool: PgPool, settings: HoursSettings, auth: AuthSession, slug: String) -> Response {
    match build(&pool, settings, auth, &slug).await {
        Ok((file_name, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.message(Locale::ZhCn)).into_response()
        }
    }
}

async fn build(
    pool: &PgPool,
    settings: HoursSettings,
    auth: AuthSession,
    slug: &str,
) -> Result<(String, String), AppError> {
    let me = auth.user.ok_or(AppError::SignInRequired)?;
    let (studio_id, _, _) = super::api::overview_access(pool, me.id, slug).await?;
    let settings = store::district_settings(pool, None, Some(studio_id), settings).await?;
    let today = super::hours_api::today_in(&me.time_zone);
    let (start, end) = rules::quota_year(today, settings.year_start_month);
    let rows = store::overview(pool, studio_id, start, end, today, store::OverviewRows::All).await?;
    let l = me.locale;
    let t = |m: GrowthMsg| Msg::from(m).text(l);
    let header = [
        t(GrowthMsg::ColMentee),
        t(GrowthMsg::ColGoalsDone),
        t(GrowthMsg::ColGoalsTotal),
        t(GrowthMsg::ColOverdue),
        t(GrowthMsg::ColHours),
        t(GrowthMsg::ColQuota),
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.mentee_name.clone(),
                r.goals_done.to_string(),
                r.goals_total.to_string(),
                r.overdue_milestones.to_string(),
                rules::format_tenths(r.hours_tenths),
                rules::format_tenths(settings.quota_tenths),
            ]
        })
        .collect();
    Ok((format!("{slug}-growth-{}.csv", start.format("%Y-%m")), rules::to_csv(&header, &lines)))
}
