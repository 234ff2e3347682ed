//! The one error type every server function returns. It crosses the wire as JSON and carries
//! message keys, not text, so the browser shows it in the viewer's language. A database or other
//! unexpected error becomes `Internal(id)`: the detail is logged on the server under that id and
//! never sent to the browser.

use crate::kit::i18n::{Locale, Msg};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A message attached to one form field (by the field's `name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many failed sign-ins; retry after {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many calls from one client in a short time (public lookups).
    #[error("rate limited: {0:?}")]
    RateLimited(Msg),
    #[error("sign-in required")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A rule of the domain refuses the request (a host leaving without handing over…).
    #[error("refused: {0:?}")]
    Refused(Msg),
    #[error("internal error {0}")]
    Internal(String),
    /// The request never got a proper answer (network down, malformed response…).
    #[error("request failed: {0}")]
    Request(String),
}

impl AppError {
    pub fn field(field: &str, msg: Msg) -> AppError {
        AppError::Invalid(vec![FieldError { field: field.to_owned(), msg }])
    }

    /// The message for one form field, if this error has one.
    pub fn field_msg(&self, field: &str) -> Option<Msg> {
        match self {
            AppError::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.msg),
            _ => None,
        }
    }

    /// The summary shown above a form.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Invalid(_) => Msg::ErrFixFields.text(locale).to_owned(),
            AppError::BadCredentials => Msg::ErrBadCredentials.text(locale).to_owned(),
            AppError::TooManyAttempts { retry_after_secs } => {
                Msg::ErrTooManyAttempts.fill(locale, &[("minutes", &retry_after_secs.div_ceil(60).max(1))])
            }
            AppError::SignInRequired => Msg::ErrSignInRequired.text(locale).to_owned(),
            AppError::Forbidden => Msg::ErrForbidden.text(locale).to_owned(),
            AppError::NotFound => Msg::ErrNotFound.text(locale).to_owned(),
            AppError::Refused(msg) | AppError::RateLimited(msg) => msg.text(locale).to_owned(),
            AppError::Internal(id) => Msg::ErrInternal.fill(locale, &[("id", id)]),
            AppError::Request(_) => Msg::ErrRequest.text(locale).to_owned(),
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::BadCredentials => 401,
            AppError::TooManyAttempts { .. } | AppError::RateLimited(_) => 429,
            AppError::SignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Refused(_) => 409,
            AppError::Internal(_) => 500,
            AppError::Request(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not even deserialize are bad input, not a server fault.
            ServerFnErrorErr::Args(detail) => AppError::Request(detail),
            other => AppError::Request(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;

    /// Logs an unexpected error under a fresh id and returns the id, the only part the caller
    /// is shown (server functions and the integration API alike).
    pub fn log_internal(detail: impl std::fmt::Display) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        tracing::error!(error_id = %id, "{detail}");
        id
    }

    impl AppError {
        /// Logs an unexpected error under a fresh id and returns the opaque error for the user.
        pub fn internal(detail: impl std::fmt::Display) -> AppError {
            AppError::Internal(log_internal(detail))
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> AppError {
            if let Some(db) = err.as_database_error() {
                // PostgreSQL text cannot hold NUL: bad input, whichever field carried it.
                if matches!(db.code().as_deref(), Some("22021" | "22P05")) {
                    return AppError::Refused(Msg::ErrUnstorableText);
                }
                // A date or time beyond what the database can hold or compute with: bad input
                // that got past the checks, never a fault of the server.
                if matches!(db.code().as_deref(), Some("22007" | "22008")) {
                    return AppError::Refused(Msg::ErrDateOutOfRange);
                }
            }
            AppError::internal(format!("database: {err}"))
        }
    }

    /// Why the data layer did not do what it was asked, in its own terms; the server function
    /// turns it into what the user sees (`From<StoreError> for AppError`). The stores decide
    /// these inside their transactions, where the rows they depend on are locked.
    #[derive(Debug, thiserror::Error)]
    pub enum StoreError {
        #[error("not found")]
        NotFound,
        /// The row says this person may not (checked under its lock: a host who has just handed
        /// over, a record of someone else).
        #[error("forbidden")]
        Forbidden,
        /// A permission rule, asked inside the transaction, said no; its answer passes through.
        #[error("denied: {0}")]
        Denied(AppError),
        /// A rule of the domain refuses the change as a whole (a lesson already cancelled…).
        #[error("refused: {0:?}")]
        Refused(Msg),
        /// One input conflicts with what is stored (a slug taken, fewer seats than are booked);
        /// `input` names it, so the form can show the message beside it.
        #[error("conflict over {input}: {msg:?}")]
        Conflict { input: &'static str, msg: Msg },
        /// The stored data contradicts itself; a fault, logged when it reaches the user.
        #[error("inconsistent data: {0}")]
        Inconsistent(String),
        #[error(transparent)]
        Database(#[from] sqlx::Error),
    }

    impl StoreError {
        pub fn conflict(input: &'static str, msg: impl Into<Msg>) -> StoreError {
            StoreError::Conflict { input, msg: msg.into() }
        }

        pub fn refused(msg: impl Into<Msg>) -> StoreError {
            StoreError::Refused(msg.into())
        }
    }

    impl From<StoreError> for AppError {
        fn from(err: StoreError) -> AppError {
            match err {
                StoreError::NotFound => AppError::NotFound,
                StoreError::Forbidden => AppError::Forbidden,
                StoreError::Denied(err) => err,
                StoreError::Refused(msg) => AppError::Refused(msg),
                StoreError::Conflict { input, msg } => AppError::field(input, msg),
                StoreError::Inconsistent(detail) => AppError::internal(detail),
                StoreError::Database(err) => AppError::from(err),
            }
        }
    }

    /// Turns the violation of a named constraint into the data layer's answer, where the query
    /// runs (the stores know their constraints; this module knows none). Any other database
    /// error stays a database error: logged under an id, opaque to the user.
    pub trait OnConstraint<T> {
        fn on_constraint(self, name: &str, error: impl FnOnce() -> StoreError) -> Result<T, StoreError>;
    }

    impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
        fn on_constraint(self, name: &str, error: impl FnOnce() -> StoreError) -> Result<T, StoreError> {
            self.map_err(|err| match err.as_database_error().and_then(|db| db.constraint()) {
                Some(constraint) if constraint == name => error(),
                _ => StoreError::Database(err),
            })
        }
    }

    /// Middleware for the server-function routes: an error answer gets the status its
    /// `AppError` calls for (422 for bad input, 429 for throttling…) instead of the blanket 500,
    /// so that only a real fault answers 500. Form posts without JavaScript are redirects and
    /// pass through untouched.
    pub async fn set_error_status(
        req: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let response = next.run(req).await;
        if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
            || !response.headers().contains_key("serverfnerror")
        {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
        if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
            if let Ok(status) = axum::http::StatusCode::from_u16(err.status()) {
                parts.status = status;
            }
            if let AppError::TooManyAttempts { retry_after_secs } = err {
                parts.headers.insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
        }
        axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
    }
}

#[cfg(feature = "ssr")]
pub use server::{log_internal, set_error_status, OnConstraint, StoreError};
