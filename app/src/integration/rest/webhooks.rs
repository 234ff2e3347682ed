//! A client's webhook (any scope; each event needs the scope that reads it): the address the
//! district's events are sent to as they happen, signed with a secret the client is given once.

use super::access::ApiCaller;
use super::body::JsonBody;
use super::problem::{ApiError, BodyRefusals, Refusals};
use super::ApiState;
use crate::integration::webhooks::store::{subscribe, subscription, unsubscribe};
use crate::integration::webhooks::{check_events, check_url, Event, Subscription};
use crate::kit::token::new_token;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The prefix of a signing secret, so that a leaked one is recognisable.
const SECRET_PREFIX: &str = "whsec_";

/// A webhook as the client sets it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookInput {
    /// An https address on the public internet (no loopback or private address, no credentials
    /// in it). Redirects are not followed.
    #[schema(example = "https://training.example.cn/atelier/events", max_length = 2000)]
    pub url: String,
    /// The events to send, each readable with one of the client's scopes.
    #[schema(min_items = 1, max_items = 6)]
    pub events: Vec<Event>,
}

/// The client's webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub url: String,
    pub events: Vec<Event>,
    pub created_at: DateTime<Utc>,
}

impl From<Subscription> for Webhook {
    fn from(s: Subscription) -> Webhook {
        Webhook { url: s.url, events: s.events, created_at: s.created_at }
    }
}

/// The webhook just set, with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key of every delivery's signature. Each delivery is a `POST` of a JSON body
    /// `{"id", "type", "created_at", "data"}` with the headers `Atelier-Event` (the type),
    /// `Atelier-Delivery` (the id, the same on every retry of the delivery),
    /// `Atelier-Timestamp` (Unix seconds) and `Atelier-Signature: v1=<hex>`: HMAC-SHA256 with
    /// this secret over `"{Atelier-Timestamp}.{body}"`. Check the signature, refuse a timestamp
    /// more than five minutes from your clock, and answer 2xx within 10 seconds; anything else is
    /// retried, waiting twice as long each time, up to ten attempts.
    #[schema(example = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef")]
    pub secret: String,
}

/// The client's webhook.
#[utoipa::path(
    get,
    path = "/webhook",
    tag = "webhooks",
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        (status = 404, description = "The client has no webhook", body = super::problem::Problem, content_type = "application/problem+json"),
        Refusals,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_webhook(State(state): State<ApiState>, caller: ApiCaller) -> Result<Json<Webhook>, ApiError> {
    let found = subscription(&state.pool, caller.client_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(found.into()))
}

/// Sets the client's webhook, replacing any, with a new signing secret (returned this once).
#[utoipa::path(
    put,
    path = "/webhook",
    tag = "webhooks",
    request_body = WebhookInput,
    responses(
        (status = 200, description = "Set; the secret is shown this once", body = WebhookCreated),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn put_webhook(
    State(state): State<ApiState>,
    caller: ApiCaller,
    body: JsonBody<WebhookInput>,
) -> Result<Json<WebhookCreated>, ApiError> {
    let mut errors = Vec::new();
    let url = check_url(&body.value.url, state.webhooks.allow_loopback_http)
        .map_err(|msg| errors.push(("url".to_owned(), msg)))
        .ok();
    let events =
        check_events(&body.value.events, caller.scopes()).map_err(|msg| errors.push(("events".to_owned(), msg))).ok();
    let (Some(url), Some(events)) = (url, events) else { return Err(ApiError::Unprocessable(errors)) };
    let secret = format!("{SECRET_PREFIX}{}", new_token());
    let set = subscribe(&state.pool, caller.client_id, &url, &events, &secret).await?;
    Ok(Json(WebhookCreated { webhook: set.into(), secret }))
}

/// Removes the client's webhook; deliveries already queued are still sent.
#[utoipa::path(
    delete,
    path = "/webhook",
    tag = "webhooks",
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The client has no webhook", body = super::problem::Problem, content_type = "application/problem+json"),
        Refusals,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_webhook(State(state): State<ApiState>, caller: ApiCaller) -> Result<StatusCode, ApiError> {
    if unsubscribe(&state.pool, caller.client_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
