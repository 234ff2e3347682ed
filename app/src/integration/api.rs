//! The admin's server functions for API clients. Each is thin: who is asking, may they, is the
//! input valid, call the data layer, map the error.

use super::webhooks::DeliveryLog;
use super::{CreatedClient, DistrictClients};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, TOKEN_PREFIX},
    super::store,
    crate::kit::context::{auth_session, pool, redirect_plain_form, require_user},
    crate::kit::token::{new_token, token_hash},
    uuid::Uuid,
};

/// Where the admin manages the clients.
pub const CLIENTS_PATH: &str = "/district/api";

/// The session key of a token just created, until the admin's next look at the page shows it.
#[cfg(feature = "ssr")]
const NEW_TOKEN: &str = "new_api_token";

/// The clients of each district the signed-in user administers (`page` from 0), and a token
/// created a moment ago if this is the first look since (shown once, then gone). Anyone else
/// gets an empty list: nothing to manage, nothing learned.
#[server(prefix = "/api", endpoint = "integration/clients")]
pub async fn api_clients(
    #[server(default)] page: u32,
) -> Result<(Vec<DistrictClients>, Option<CreatedClient>), AppError> {
    let user = require_user().await?;
    let clients = store::clients_of(&pool()?, user.id, page.min(10_000)).await?;
    let session = auth_session().await?.session;
    let created = session.remove::<CreatedClient>(NEW_TOKEN).await.map_err(AppError::internal)?;
    Ok((clients, created))
}

/// An admin of `district` creates an API client with a name, scopes and a lifetime in days. Its
/// token is kept only as a hash; the page shows it once. Anyone else: 404.
#[server(prefix = "/api", endpoint = "integration/create-client")]
#[tracing::instrument(skip_all)]
pub async fn create_api_client(
    district: String,
    name: String,
    #[server(default)] scopes: Vec<String>,
    days: String,
) -> Result<(), AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let district = Uuid::parse_str(district.trim()).map_err(|_| AppError::NotFound)?;
    if !store::administers(&pool, user.id, district).await? {
        return Err(AppError::NotFound);
    }
    let client = rules::validate_client(&name, &scopes, &days)?;
    let token = format!("{TOKEN_PREFIX}{}", new_token());
    let id = store::create_client(&pool, district, user.id, &client, &token_hash(&token), &rules::token_hint(&token))
        .await?;
    let session = auth_session().await?.session;
    session.insert(NEW_TOKEN, CreatedClient { id, name: client.name, token }).await.map_err(AppError::internal)?;
    redirect_plain_form(CLIENTS_PATH);
    Ok(())
}

/// An admin of the client's district revokes it, at once for every server instance. Anyone
/// else, or a client already revoked: 404.
#[server(prefix = "/api", endpoint = "integration/revoke-client")]
#[tracing::instrument(skip_all)]
pub async fn revoke_api_client(client: String) -> Result<(), AppError> {
    let user = require_user().await?;
    let client = Uuid::parse_str(client.trim()).map_err(|_| AppError::NotFound)?;
    if !store::revoke_client(&pool()?, user.id, client).await? {
        return Err(AppError::NotFound);
    }
    redirect_plain_form(CLIENTS_PATH);
    Ok(())
}

/// The path of a client's delivery log.
pub fn deliveries_path(client: impl std::fmt::Display) -> String {
    format!("{CLIENTS_PATH}/{client}/deliveries")
}

/// An admin of the client's district: its webhook and a page of its deliveries (`page` from 0),
/// newest first. Anyone else: 404.
#[server(prefix = "/api", endpoint = "integration/deliveries")]
pub async fn webhook_deliveries(client: String, #[server(default)] page: u32) -> Result<DeliveryLog, AppError> {
    let user = require_user().await?;
    let client = Uuid::parse_str(client.trim()).map_err(|_| AppError::NotFound)?;
    // Deep pages of a long log cost an offset scan: 2,000 pages (100,000 deliveries) at most.
    let page = i64::from(page.min(2_000));
    super::webhooks::store::delivery_log(&pool()?, user.id, client, page).await?.ok_or(AppError::NotFound)
}
