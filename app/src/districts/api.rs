//! District server functions. Each is thin: who is asking, may they, is the input valid, call
//! the data layer, map the error.

use super::{RecordViews, Sharing};
use crate::kit::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::kit::context::{pool, redirect_plain_form, require_user},
};

/// The signed-in teacher reads their own consent switches (nobody else's).
#[server(prefix = "/api", endpoint = "district/sharing")]
pub async fn get_sharing() -> Result<Sharing, AppError> {
    let user = require_user().await?;
    Ok(store::sharing(&pool()?, user.id).await?)
}

/// The signed-in teacher switches who may see their development record. A ticked box arrives as
/// any value; an unticked one does not arrive at all (plain HTML forms).
#[server(prefix = "/api", endpoint = "district/set-sharing")]
pub async fn set_sharing(
    #[server(default)] with_school: Option<String>,
    #[server(default)] with_district: Option<String>,
) -> Result<(), AppError> {
    let user = require_user().await?;
    let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| v != "false");
    store::set_sharing(&pool()?, user.id, ticked(&with_school), ticked(&with_district)).await?;
    redirect_plain_form("/profile");
    Ok(())
}

/// The signed-in teacher reads who opened their record, newest first, a page at a time.
#[server(prefix = "/api", endpoint = "district/record-views")]
pub async fn my_record_views(#[server(default)] page: u32) -> Result<RecordViews, AppError> {
    let user = require_user().await?;
    Ok(store::record_views(&pool()?, user.id, page).await?)
}
