//! The one-click unsubscribe of RFC 8058 (server only): a mail program POSTs
//! `List-Unsubscribe=One-Click` to the address in a notification's `List-Unsubscribe` header, with
//! no page, no session and no confirmation. The link opened in a browser is the unsubscribe page,
//! which asks first (a GET changes nothing, so link scanners unsubscribe nobody).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use sqlx::PgPool;

/// Where a notification's `List-Unsubscribe` header points: the unsubscribe page's address plus
/// `/one-click`.
pub fn one_click_path(token: uuid::Uuid) -> String {
    format!("/mail/unsubscribe/{token}/one-click")
}

pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool) -> Router<S> {
    Router::new().route("/mail/unsubscribe/{token}/one-click", post(one_click)).with_state(pool)
}

#[tracing::instrument(skip_all)]
async fn one_click(State(pool): State<PgPool>, Path(token): Path<String>) -> StatusCode {
    let Ok(token) = uuid::Uuid::parse_str(&token) else { return StatusCode::NOT_FOUND };
    match super::store::unsubscribe(&pool, token).await {
        Ok(true) => StatusCode::OK,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(err) => {
            tracing::error!("one-click unsubscribe failed: {err}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
