//! District server functions. Each is thin: who is asking, may they, is the input valid, call
//! the data layer, map the error.

use super::{AdminDistrict, RecordViews, Sharing};
use crate::kit::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use {
    super::pages::SCHOOLS_PATH,
    super::{store, SchoolSummary},
    crate::kit::context::{pool, redirect_plain_form, require_user},
};

/// Anyone (the registration form too): the districts and their listed schools, as suggestions.
#[server(prefix = "/api", endpoint = "district/choices")]
pub async fn school_choices() -> Result<super::SchoolChoiceList, AppError> {
    Ok(store::school_choices(&pool()?).await?)
}

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

/// The smallest group of teachers a figure may describe, from the server's configuration.
#[cfg(feature = "ssr")]
fn min_cell() -> i64 {
    use_context::<super::MinCell>().unwrap_or_default().0
}

/// District admins: the schools of each district they administer, teacher counts suppressed
/// below k. Anyone else gets an empty list (nothing to manage, nothing learned).
#[server(prefix = "/api", endpoint = "district/schools")]
pub async fn admin_schools() -> Result<Vec<AdminDistrict>, AppError> {
    let user = require_user().await?;
    let pool = pool()?;
    let k = min_cell();
    let schools = store::schools_for_admin(&pool, user.id).await?;
    let districts = store::administered_districts(&pool, user.id).await?;
    let ids: Vec<Uuid> = districts.iter().map(|(id, _)| *id).collect();
    let rules = super::dashboard::store::rules_of(&pool, &ids, super::dashboard::api::default_rules()).await?;
    Ok(districts
        .into_iter()
        .map(|(id, name)| {
            let mut own: Vec<SchoolSummary> = schools.iter().filter(|s| s.district_id == id).cloned().collect();
            let teachers = super::rules::suppress_school_counts(&mut own, k);
            let rules = rules.iter().find(|(d, _, _)| *d == id).map(|(_, _, r)| *r).unwrap_or_default();
            AdminDistrict { id, name, schools: own, teachers, min_cell: k, rules }
        })
        .collect())
}

/// An admin of the school's district sets its stage and whether it is rural (others: 404).
/// An empty choice means "not set".
#[server(prefix = "/api", endpoint = "district/update-school")]
pub async fn update_school(school: Uuid, stage: String, location: String) -> Result<(), AppError> {
    use crate::kit::i18n::Msg;
    let user = require_user().await?;
    let mut checks = crate::kit::validate::Checks::default();
    let stage = checks.value(
        "stage",
        match stage.as_str() {
            "" => Ok(None),
            code => super::SchoolStage::from_code(code).map(Some).ok_or(Msg::ErrChoiceUnknown),
        },
    );
    let rural = checks.value(
        "location",
        match location.as_str() {
            "" => Ok(None),
            "rural" => Ok(Some(true)),
            "urban" => Ok(Some(false)),
            _ => Err(Msg::ErrChoiceUnknown),
        },
    );
    let (Some(stage), Some(rural)) = (stage, rural) else { return Err(checks.into_error()) };
    store::update_school(&pool()?, school, stage, rural, user.id).await?;
    redirect_plain_form(SCHOOLS_PATH);
    Ok(())
}

/// An admin of the school's district confirms a requested school (others: 404).
#[server(prefix = "/api", endpoint = "district/confirm-school")]
pub async fn confirm_school(school: Uuid) -> Result<(), AppError> {
    let user = require_user().await?;
    store::confirm_school(&pool()?, school, user.id).await?;
    redirect_plain_form(SCHOOLS_PATH);
    Ok(())
}

/// An admin of the school's district merges a requested school into a listed one (others: 404).
#[server(prefix = "/api", endpoint = "district/merge-school")]
pub async fn merge_school(school: Uuid, into: String) -> Result<(), AppError> {
    let user = require_user().await?;
    if into.trim().is_empty() {
        return Err(AppError::field("into", crate::kit::i18n::Msg::ErrRequired));
    }
    let into = crate::kit::validate::id(&into)?;
    store::merge_school(&pool()?, school, into, user.id).await?;
    redirect_plain_form(SCHOOLS_PATH);
    Ok(())
}

/// An admin of the school's district makes one of the school's teachers a leader of it.
#[server(prefix = "/api", endpoint = "district/grant-leader")]
pub async fn grant_leader(school: Uuid, email: String) -> Result<(), AppError> {
    let user = require_user().await?;
    let email = crate::accounts::rules::normalize_email(&email);
    crate::accounts::rules::check_email(&email).map_err(|m| AppError::field("email", m))?;
    store::grant_leader(&pool()?, school, &email, user.id).await?;
    redirect_plain_form(SCHOOLS_PATH);
    Ok(())
}

/// An admin of the school's district ends a leader's role there.
#[server(prefix = "/api", endpoint = "district/revoke-leader")]
pub async fn revoke_leader(school: Uuid, user: Uuid) -> Result<(), AppError> {
    let admin = require_user().await?;
    store::revoke_leader(&pool()?, school, user, admin.id).await?;
    redirect_plain_form(SCHOOLS_PATH);
    Ok(())
}
