//! Who is calling the API: the client a bearer token stands for, checked on every request
//! (revoked or expired tokens stop at once, on every instance), rate-limited per client, and
//! asked for the scope each endpoint needs.

use super::problem::ApiError;
use super::ApiState;
use crate::integration::rules::{token_shaped, Scope};
use crate::integration::store;
use crate::kit::token::token_hash;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use uuid::Uuid;

/// The client behind a request's token: its district bounds everything it reads or writes.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub client_id: Uuid,
    pub district_id: Uuid,
    scopes: Vec<Scope>,
}

impl ApiCaller {
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Refuses the call unless the token carries `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::Scope(scope.as_str()))
        }
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<ApiState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<ApiCaller, ApiError> {
        let token = bearer(parts).ok_or(ApiError::TokenMissing)?;
        if !token_shaped(token) {
            return Err(ApiError::TokenInvalid);
        }
        let client = store::client_by_token(&state.pool, &token_hash(token)).await?.ok_or(ApiError::TokenInvalid)?;
        if client.revoked {
            return Err(ApiError::TokenRevoked);
        }
        if client.expired {
            return Err(ApiError::TokenExpired);
        }
        state.limit.check(&client.id.to_string()).map_err(ApiError::RateLimited)?;
        Ok(ApiCaller {
            client_id: client.id,
            district_id: client.district_id,
            scopes: client.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut request = Request::builder().uri("/api/v1/lessons");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request.body(()).expect("request").into_parts().0
    }

    #[test]
    fn only_a_bearer_token_is_read() {
        assert_eq!(bearer(&parts(Some("Bearer atl_abc"))), Some("atl_abc"));
        assert_eq!(bearer(&parts(Some("bearer  atl_abc "))), Some("atl_abc"));
        assert_eq!(bearer(&parts(Some("Basic dXNlcjpwYXNz"))), None);
        assert_eq!(bearer(&parts(Some("Bearer"))), None);
        assert_eq!(bearer(&parts(None)), None);
    }

    #[test]
    fn a_caller_has_only_its_scopes() {
        let caller = ApiCaller { client_id: Uuid::nil(), district_id: Uuid::nil(), scopes: vec![Scope::LessonsRead] };
        assert_eq!(caller.require(Scope::LessonsRead), Ok(()));
        assert_eq!(caller.require(Scope::HoursRead), Err(ApiError::Scope("hours.read")));
    }
}
