//! Sends the webhook outbox (server only): every instance runs a worker; each delivery is leased
//! to one of them at a time, so none is sent twice at once, and a failed one waits longer each
//! time. Requests never reach the server's own network: a name is resolved by a resolver that
//! drops private addresses, and redirects are not followed.

use super::store::{self, Leased};
use super::{address_allowed, retry_delay, signature, WebhookSettings, SEND_TIMEOUT};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Deliveries leased per round.
const BATCH: i64 = 20;
/// How long a lease holds: longer than a round's sends take.
const LEASE: Duration = Duration::from_secs(300);

/// Resolves names to public addresses only (loopback too when the settings allow it).
struct PublicAddresses {
    allow_loopback: bool,
}

impl Resolve for PublicAddresses {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| address_allowed(a.ip(), allow_loopback)).collect();
            if allowed.is_empty() {
                return Err("the host has no public address".into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client deliveries are sent with.
pub fn http_client(settings: WebhookSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(PublicAddresses { allow_loopback: settings.allow_loopback_http }))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .user_agent("Atelier-Webhooks/1")
        .build()
}

/// What a round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// Sends one delivery: `Ok(status)` when the receiver accepted it (2xx).
async fn send(
    client: &reqwest::Client,
    settings: WebhookSettings,
    delivery: &Leased,
) -> Result<u16, (Option<u16>, String)> {
    let (Some(url), Some(secret)) = (&delivery.url, &delivery.secret) else {
        return Err((None, "the client has no webhook any more".to_owned()));
    };
    // An address stored as allowed is checked again as it is now (a literal skips the resolver).
    super::check_url(url, settings.allow_loopback_http).map_err(|_| (None, "the address is not allowed".to_owned()))?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("atelier-event", &delivery.event)
        .header("atelier-delivery", delivery.id.to_string())
        .header("atelier-timestamp", timestamp.to_string())
        .header("atelier-signature", format!("v1={}", signature(secret, timestamp, &delivery.body)))
        .body(delivery.body.clone())
        .send()
        .await
        // Without the address in the message: its path may be a secret of the receiver's.
        .map_err(|err| (None, err.without_url().to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else {
        Err((Some(status.as_u16()), format!("HTTP {status}")))
    }
}

/// Leases the due deliveries, sends them, and records each outcome. Safe on any number of
/// instances at once.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(pool: &PgPool, client: &reqwest::Client, settings: WebhookSettings) -> sqlx::Result<Round> {
    let mut round = Round::default();
    for delivery in store::lease_due(pool, BATCH, LEASE).await? {
        match send(client, settings, &delivery).await {
            Ok(status) => {
                store::delivered(pool, delivery.id, status).await?;
                round.delivered += 1;
            }
            Err((status, error)) => {
                let wait = retry_delay(settings.first_retry, delivery.attempts);
                let given_up = store::failed(pool, &delivery, status, &error, wait).await?;
                tracing::warn!(delivery = %delivery.id, attempts = delivery.attempts, given_up, "webhook not delivered: {error}");
                if given_up {
                    round.given_up += 1;
                } else {
                    round.retried += 1;
                }
            }
        }
    }
    Ok(round)
}

/// Sends the outbox every `every` for as long as the server runs; a failed round (the database
/// away) is logged and the next one tries again.
pub fn spawn_delivery(pool: PgPool, settings: WebhookSettings, every: Duration) {
    let client = match http_client(settings) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!("webhooks are not sent: no HTTP client: {err}");
            return;
        }
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match deliver_due(&pool, &client, settings).await {
                Ok(Round { delivered: 0, retried: 0, given_up: 0 }) => {}
                Ok(round) => tracing::info!(?round, "webhook round"),
                Err(err) => tracing::warn!("webhook round failed: {err}"),
            }
        }
    });
}
