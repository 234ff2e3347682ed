//! Sliding session expiry: a session ends after `ATELIER_SESSION_DAYS` without activity, yet a
//! signed-in browser's requests do not each write to the database. tower-sessions saves a session
//! only when it changed, so left alone the expiry set at sign-in never moves; this layer changes
//! it (a timestamp in the session) at most once per interval, and that save also moves the
//! stored expiry and the cookie's `Max-Age` forward.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;
use tower_sessions::Session;

const TOUCHED_AT: &str = "touched_at";

/// How often a signed-in session's expiry moves forward (a layer's state).
#[derive(Clone, Copy, Debug)]
pub struct TouchInterval(pub Duration);

/// Whether a session last touched at `touched_at` (unix milliseconds; `None`: never) is due
/// again at `now`. A clock that went backwards counts as due, so the expiry cannot get stuck.
pub fn touch_due(touched_at: Option<i64>, now: i64, interval: Duration) -> bool {
    let interval = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    match touched_at {
        Some(at) if at <= now => now - at >= interval,
        _ => true,
    }
}

/// Runs inside the session layer, after the request: only a session holding data is touched
/// (one just signed in included, so it starts with its timestamp; never an anonymous visitor's
/// empty one), and a read failure is left to the session layer, which reports it.
pub async fn slide_expiry(State(interval): State<TouchInterval>, request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    if let Some(session) = session {
        if !session.is_empty().await {
            let now = chrono::Utc::now().timestamp_millis();
            let touched_at = session.get::<i64>(TOUCHED_AT).await.ok().flatten();
            if touch_due(touched_at, now, interval.0) {
                if let Err(err) = session.insert(TOUCHED_AT, now).await {
                    tracing::warn!("could not mark the session as active: {err}");
                }
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn a_session_never_touched_is_due() {
        assert!(touch_due(None, 1_000_000, FIVE_MINUTES));
    }

    #[test]
    fn a_session_touched_within_the_interval_is_not_written_again() {
        assert!(!touch_due(Some(1_000_000), 1_299_999, FIVE_MINUTES));
        assert!(touch_due(Some(1_000_000), 1_300_000, FIVE_MINUTES));
    }

    #[test]
    fn a_touch_from_the_future_counts_as_due() {
        assert!(touch_due(Some(2_000_000), 1_000_000, FIVE_MINUTES));
    }
}
