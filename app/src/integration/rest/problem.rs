//! Every API error in one JSON shape: RFC 9457 problem details, with a `detail` in the language
//! the caller's `Accept-Language` asks for. Handlers return an [`ApiError`]; it leaves the body
//! to [`problem_language`], the one place that knows the request's language.

use crate::integration::IntegrationMsg;
use crate::kit::context::accept_language;
use crate::kit::i18n::{Locale, Msg};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// An RFC 9457 problem: what went wrong, for a program (`type`, `code`, `status`) and for a
/// person (`title` in English, `detail` in the language of `Accept-Language`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference to the problem's description in the API reference.
    #[serde(rename = "type")]
    #[schema(example = "/api/v1/docs#problem-not-found")]
    pub kind: String,
    /// A short, stable English summary of the kind of problem.
    #[schema(example = "Not found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// This occurrence, explained in the caller's language (Chinese or English).
    pub detail: String,
    /// The kind of problem as a stable code.
    #[schema(example = "not-found")]
    pub code: String,
    /// For invalid input: each parameter or field at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// The refusals every endpoint may answer, documented once.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// No valid token: missing, unknown, expired or revoked.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The token lacks the scope the endpoint needs.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Too many calls from this client; `Retry-After` says when to try again.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
}

/// What a list may answer besides the common refusals.
#[derive(utoipa::IntoResponses)]
pub enum ListRefusals {
    /// Invalid paging parameters (`cursor`, `limit`, `updated_since`), each named.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
}

/// What an endpoint that takes a JSON body may answer besides the common refusals.
#[derive(utoipa::IntoResponses)]
pub enum BodyRefusals {
    /// A missing or malformed header, or a body that is not the JSON the endpoint takes (the
    /// place at fault named).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The body is larger than 8 MB.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Well-formed, but against the rules: each field at fault named.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
}

/// One parameter or field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The parameter's or field's name (`limit`, `records[3].hours`).
    pub name: String,
    pub detail: String,
}

/// Why an API call was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    TokenMissing,
    TokenInvalid,
    TokenExpired,
    TokenRevoked,
    /// The token lacks this scope.
    Scope(&'static str),
    RateLimited(Duration),
    NotFound,
    MethodNotAllowed,
    /// Parameters at fault, each with its message.
    Invalid(Vec<(String, Msg)>),
    /// A body that is not the JSON the endpoint takes: the place at fault and the parser's
    /// reason (in English, as the parser gives it).
    BadBody {
        name: String,
        reason: String,
    },
    UnsupportedMediaType,
    /// A body over this many bytes.
    TooLarge(usize),
    /// Well-formed, but against the rules: each field at fault.
    Unprocessable(Vec<(String, Msg)>),
    /// An `Idempotency-Key` used before for a different body.
    KeyReused,
    /// A field conflicts with what is stored (a name taken).
    Conflict {
        name: String,
        msg: Msg,
    },
    /// Logged with this id; the caller gets only the id.
    Internal(String),
}

impl ApiError {
    pub fn invalid(name: &str, msg: impl Into<Msg>) -> ApiError {
        ApiError::Invalid(vec![(name.to_owned(), msg.into())])
    }

    /// One of each kind, for the reference page.
    pub fn samples() -> Vec<ApiError> {
        vec![
            ApiError::TokenMissing,
            ApiError::TokenInvalid,
            ApiError::TokenExpired,
            ApiError::TokenRevoked,
            ApiError::Scope("hours.read"),
            ApiError::RateLimited(Duration::from_secs(30)),
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::invalid("limit", IntegrationMsg::ProblemBadLimit),
            ApiError::BadBody {
                name: "records[3].hours".to_owned(),
                reason: "invalid type: string \"2\", expected f64".to_owned(),
            },
            ApiError::UnsupportedMediaType,
            ApiError::TooLarge(super::body::BODY_MAX_BYTES),
            ApiError::Unprocessable(vec![("records[3].ends_on".to_owned(), IntegrationMsg::ErrImportFuture.into())]),
            ApiError::KeyReused,
            ApiError::Conflict {
                name: "name".to_owned(),
                msg: crate::districts::DistrictMsg::ErrSchoolNameTaken.into(),
            },
            ApiError::Internal("0123456789ab".to_owned()),
        ]
    }

    /// Logs `detail` under a new id and answers 500 with the id only.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(crate::kit::error::log_internal(detail))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::TokenMissing | ApiError::TokenInvalid | ApiError::TokenExpired | ApiError::TokenRevoked => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Scope(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Invalid(_) | ApiError::BadBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::KeyReused | ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code and English title.
    fn code_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::TokenMissing => ("token-missing", "Access token missing"),
            ApiError::TokenInvalid => ("token-invalid", "Access token invalid"),
            ApiError::TokenExpired => ("token-expired", "Access token expired"),
            ApiError::TokenRevoked => ("token-revoked", "Access token revoked"),
            ApiError::Scope(_) => ("insufficient-scope", "Insufficient scope"),
            ApiError::RateLimited(_) => ("rate-limited", "Too many requests"),
            ApiError::NotFound => ("not-found", "Not found"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Invalid(_) => ("invalid-request", "Invalid request"),
            ApiError::BadBody { .. } => ("invalid-body", "Invalid body"),
            ApiError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            ApiError::TooLarge(_) => ("body-too-large", "Body too large"),
            ApiError::Unprocessable(_) => ("unprocessable", "Unprocessable content"),
            ApiError::KeyReused => ("idempotency-key-reused", "Idempotency key reused"),
            ApiError::Conflict { .. } => ("conflict", "Conflict"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem as the caller reads it, in `locale`.
    pub fn problem(&self, locale: Locale) -> Problem {
        let (code, title) = self.code_title();
        let detail = match self {
            ApiError::TokenMissing => Msg::from(IntegrationMsg::ProblemTokenMissing).text(locale).to_owned(),
            ApiError::TokenInvalid => Msg::from(IntegrationMsg::ProblemTokenInvalid).text(locale).to_owned(),
            ApiError::TokenExpired => Msg::from(IntegrationMsg::ProblemTokenExpired).text(locale).to_owned(),
            ApiError::TokenRevoked => Msg::from(IntegrationMsg::ProblemTokenRevoked).text(locale).to_owned(),
            ApiError::Scope(scope) => Msg::from(IntegrationMsg::ProblemScope).fill(locale, &[("scope", scope)]),
            ApiError::RateLimited(wait) => {
                Msg::from(IntegrationMsg::ProblemRateLimited).fill(locale, &[("seconds", &retry_after_secs(*wait))])
            }
            ApiError::NotFound => Msg::from(IntegrationMsg::ProblemNotFound).text(locale).to_owned(),
            ApiError::MethodNotAllowed => Msg::from(IntegrationMsg::ProblemMethod).text(locale).to_owned(),
            ApiError::Invalid(_) => Msg::from(IntegrationMsg::ProblemInvalid).text(locale).to_owned(),
            ApiError::BadBody { reason, .. } => {
                Msg::from(IntegrationMsg::ProblemBadBody).fill(locale, &[("reason", reason)])
            }
            ApiError::UnsupportedMediaType => Msg::from(IntegrationMsg::ProblemMediaType).text(locale).to_owned(),
            ApiError::TooLarge(bytes) => {
                Msg::from(IntegrationMsg::ProblemTooLarge).fill(locale, &[("mb", &(bytes / (1024 * 1024)).to_string())])
            }
            ApiError::Unprocessable(_) => Msg::from(IntegrationMsg::ProblemUnprocessable).text(locale).to_owned(),
            ApiError::KeyReused => Msg::from(IntegrationMsg::ProblemKeyReused).text(locale).to_owned(),
            ApiError::Conflict { msg, .. } => msg.text(locale).to_owned(),
            ApiError::Internal(id) => Msg::from(IntegrationMsg::ProblemInternal).fill(locale, &[("id", id)]),
        };
        let errors = match self {
            ApiError::BadBody { name, .. } | ApiError::Conflict { name, .. } => {
                vec![ProblemField { name: name.clone(), detail: detail.clone() }]
            }
            ApiError::Invalid(fields) | ApiError::Unprocessable(fields) => fields
                .iter()
                .map(|(name, msg)| ProblemField { name: name.clone(), detail: msg.text(locale).to_owned() })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("/api/v1/docs#problem-{code}"),
            title: title.to_owned(),
            status: self.status().as_u16(),
            detail,
            code: code.to_owned(),
            errors,
        }
    }
}

/// Whole seconds to wait, at least one.
fn retry_after_secs(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis().div_ceil(1000)).unwrap_or(u64::MAX).max(1)
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        ApiError::internal(err)
    }
}

impl IntoResponse for ApiError {
    /// The status and headers; the body is written by [`problem_language`].
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        match &self {
            ApiError::RateLimited(wait) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs(*wait)));
            }
            ApiError::TokenMissing | ApiError::TokenInvalid | ApiError::TokenExpired | ApiError::TokenRevoked => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Scope(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"insufficient_scope\""));
            }
            _ => {}
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Writes the body of every problem answered under `/api/v1`, in the request's language.
pub async fn problem_language(request: Request, next: Next) -> Response {
    let locale = accept_language(request.headers());
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<ApiError>() else { return response };
    let body = serde_json::to_vec(&error.problem(locale)).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    parts.headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale.tag()));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_speaks_the_callers_language_and_keeps_its_code() {
        crate::init();
        let zh = ApiError::Scope("hours.read").problem(Locale::ZhCn);
        let en = ApiError::Scope("hours.read").problem(Locale::En);
        assert_eq!((zh.status, zh.code.as_str(), en.code.as_str()), (403, "insufficient-scope", "insufficient-scope"));
        assert!(zh.detail.contains("hours.read") && zh.detail.contains("权限"), "{}", zh.detail);
        assert!(en.detail.contains("lacks the “hours.read” scope"), "{}", en.detail);
        assert_eq!(zh.kind, "/api/v1/docs#problem-insufficient-scope");
    }

    #[test]
    fn a_wait_is_rounded_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(59)), 59);
        assert_eq!(retry_after_secs(Duration::from_millis(59_001)), 60);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
