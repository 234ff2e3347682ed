//! The home's server function: who is asking, then the data layer.

use super::Home;
use crate::kit::error::AppError;
use leptos::prelude::*;

/// Remembers when the viewer last opened the home (Unix seconds), so feedback written since
/// reads as new without a database write on every visit.
#[cfg(feature = "ssr")]
const HOME_SEEN_COOKIE: &str = "home_seen";

/// The signed-in user's own home: their bookings, studies and hours, and
/// what waits for them as a mentee, as a studio's host or mentor, and as a school leader or
/// district admin. `None` for a visitor (the page then shows the public landing page). Reads
/// only the user's own rows and those of studios they lead; a leader's figures are the ones
/// their dashboard shows.
#[server(prefix = "/api", endpoint = "home")]
#[tracing::instrument(skip_all)]
pub async fn my_home() -> Result<Option<Home>, AppError> {
    use super::{rules::FEEDBACK_DAYS, store, HoursProgress};
    use crate::growth::{hours_api, rules::quota_year};
    use crate::kit::context::{auth_session, pool, request_cookie, set_cookie};
    use chrono::{Duration, Utc};

    let Some(user) = auth_session().await?.user else { return Ok(None) };
    let pool = pool()?;
    let now = Utc::now();
    let today = hours_api::today_in(&user.time_zone);
    let settings = user.hours_settings(hours_api::settings());
    let year = quota_year(today, settings.year_start_month);
    let oldest = now - Duration::days(FEEDBACK_DAYS);
    let seen = request_cookie(HOME_SEEN_COOKIE)
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map_or(oldest, |at| at.clamp(oldest, now));
    set_cookie(HOME_SEEN_COOKIE, &now.timestamp().to_string(), true);
    let query = store::HomeQuery {
        user: user.id,
        now,
        today,
        day: crate::kit::time::day_bounds(today, &user.time_zone),
        year,
        seen,
    };
    let (cards, dashboard) =
        tokio::try_join!(async { Ok::<_, AppError>(store::load_home(&pool, &query).await?) }, async {
            match user.leads {
                true => crate::districts::dashboard::api::headline(&pool, user.id).await,
                false => Ok(None),
            }
        },)?;
    Ok(Some(Home {
        now,
        today,
        hours: HoursProgress {
            year_start: year.0,
            year_last: year.1.pred_opt().unwrap_or(year.1),
            done_tenths: cards.hours_tenths,
            quota_tenths: settings.quota_tenths,
        },
        booked: cards.booked,
        studies: cards.studies,
        lessons: cards.lessons,
        mentee: cards.mentee,
        lead: cards.lead,
        dashboard,
    }))
}
