//! A JSON request body, read so that every way it can be wrong is a problem that names the
//! place at fault (`records[3].hours`), never a plain-text rejection.

use super::problem::ApiError;
use crate::integration::IntegrationMsg;
use crate::kit::token::sha256_hex;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// The most a body may hold: a 10,000-record import with long titles fits.
pub const BODY_MAX_BYTES: usize = 8 * 1024 * 1024;

/// A body of `T` and the SHA-256 of its bytes (what an idempotent retry is compared by).
pub struct JsonBody<T> {
    pub value: T,
    pub sha256: String,
}

fn is_json(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads `T` from `bytes`; a fault names its path in the body (`body` for the whole).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let name = if path == "." { "body".to_owned() } else { path };
        let reason = err.into_inner().to_string();
        ApiError::BadBody { name, reason }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, ApiError> {
        if !is_json(&request) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(BODY_MAX_BYTES)
            } else {
                ApiError::invalid("body", IntegrationMsg::ProblemInvalid)
            }
        })?;
        let value = parse_json(&bytes)?;
        Ok(JsonBody { value, sha256: sha256_hex(&bytes) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Batch {
        records: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        hours: f64,
    }

    fn fault(json: &str) -> String {
        match parse_json::<Batch>(json.as_bytes()) {
            Err(ApiError::BadBody { name, .. }) => name,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_body_names_the_place_at_fault() {
        assert_eq!(fault(r#"{"records": [{"hours": 1}, {"hours": "two"}]}"#), "records[1].hours");
        assert_eq!(fault(r#"{"records": [{}]}"#), "records[0]");
        assert_eq!(fault("not json"), "body");
        assert_eq!(fault(r#"{"records": "#), "records");
        assert!(parse_json::<Batch>(br#"{"records": [{"hours": 1.5, "extra": true}]}"#).is_ok());
    }
}
