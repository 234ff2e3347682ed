//! Plain HTTP downloads of the open-lesson area (server only): a lesson's `.ics`, the personal
//! calendar feed, and the host's attendee list as CSV.

use super::rules::{self, Action};
use super::{store, LessonMsg};
use crate::accounts::auth::AuthSession;
use crate::kit::error::AppError;
use crate::kit::i18n::{Locale, Msg};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use uuid::Uuid;

/// The routes, with their own state, to merge into the application's router.
pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool) -> Router<S> {
    Router::new()
        .route("/lessons/{id}/calendar.ics", get(lesson_ics))
        .route("/lessons/{id}/attendees.csv", get(attendees_csv))
        .route("/calendar/{token}", get(feed))
        .with_state(pool)
}

fn error_response(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.message(Locale::default())).into_response()
}

fn ics_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Whoever may see a published, cancelled or finished lesson may download it as an `.ics` file.
async fn lesson_ics(
    State(pool): State<PgPool>,
    session: AuthSession,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response, AppError> = async {
        let (actor, facts) = super::api::actor_for(&pool, session.user.as_ref(), id).await?;
        rules::can(actor, Action::View, facts)?;
        let lesson = store::calendar_lesson(&pool, id).await?.ok_or(AppError::NotFound)?;
        Ok(ics_response(
            super::ics::calendar(&lesson.title.clone(), &[lesson], &crate::kit::context::request_origin(&headers)),
            "lesson.ics",
        ))
    }
    .await;
    result.unwrap_or_else(error_response)
}

/// Whoever holds the secret feed link gets the owner's booked lessons (`/calendar/<token>.ics`).
async fn feed(State(pool): State<PgPool>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    if token.len() != 48 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return error_response(AppError::NotFound);
    }
    let user = match store::user_by_feed_token(&pool, token).await {
        Ok(Some(user)) => user,
        Ok(None) => return error_response(AppError::NotFound),
        Err(e) => return error_response(e.into()),
    };
    match store::calendar_lessons_of(&pool, user).await {
        Ok(lessons) => ics_response(
            super::ics::calendar("Atelier 名师课堂开放", &lessons, &crate::kit::context::request_origin(&headers)),
            "atelier.ics",
        ),
        Err(e) => error_response(e.into()),
    }
}

/// The studio's host or mentor downloads the attendee list as CSV: UTF-8 with a byte-order mark
/// so that Excel opens Chinese names correctly.
async fn attendees_csv(State(pool): State<PgPool>, session: AuthSession, Path(id): Path<Uuid>) -> Response {
    let result: Result<Response, AppError> = async {
        let (actor, facts) = super::api::actor_for(&pool, session.user.as_ref(), id).await?;
        rules::can(actor, Action::RunAttendance, facts)?;
        let user = session.user.ok_or(AppError::SignInRequired)?;
        let list = store::attendees(&pool, id).await?;
        Ok(csv_response(&attendees_to_csv(&list, user.locale, &user.time_zone)))
    }
    .await;
    result.unwrap_or_else(error_response)
}

fn csv_response(body: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"attendees.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_owned(),
    )
        .into_response()
}

/// The CSV text (BOM first, CRLF line ends, fields quoted when needed; a leading `=`, `+`, `-`
/// or `@` is defused so a spreadsheet never runs a name as a formula).
pub fn attendees_to_csv(list: &[super::Attendee], locale: Locale, time_zone: &str) -> String {
    let t = |m: Msg| m.text(locale);
    let mut out = String::from("\u{feff}");
    let header = [
        t(Msg::DisplayName),
        t(Msg::Email),
        t(Msg::School),
        t(Msg::from(LessonMsg::BookingStatusColumn)),
        t(Msg::from(LessonMsg::BookedAtColumn)),
    ];
    out.push_str(&header.map(cell).join(","));
    out.push_str("\r\n");
    for a in list {
        let status: &str = a.status.label().text(locale);
        let booked_at =
            a.booked_at.with_timezone(&crate::kit::time::zone(time_zone)).format("%Y-%m-%d %H:%M").to_string();
        let row = [a.display_name.as_str(), a.email.as_str(), a.school.as_str(), status, booked_at.as_str()];
        out.push_str(&row.map(cell).join(","));
        out.push_str("\r\n");
    }
    out
}

fn cell(value: &str) -> String {
    let mut v = value.to_owned();
    if v.starts_with(['=', '+', '-', '@']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::BookingStatus;

    #[test]
    fn the_csv_starts_with_a_bom_and_quotes_what_needs_quoting() {
        let list = vec![super::super::Attendee {
            booking_id: Uuid::nil(),
            display_name: "赵磊, \"老师\"".into(),
            email: "zhao@x.cn".into(),
            school: "=cmd()".into(),
            status: BookingStatus::Confirmed,
            booked_at: chrono::DateTime::UNIX_EPOCH,
        }];
        let csv = attendees_to_csv(&list, Locale::ZhCn, "Asia/Shanghai");
        assert!(csv.starts_with("\u{feff}姓名,"));
        assert!(csv.contains("\"赵磊, \"\"老师\"\"\""));
        assert!(csv.contains(",'=cmd(),"));
        assert!(csv.contains("已确认,1970-01-01 08:00"));
    }
}
