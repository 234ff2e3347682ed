//! What every list of the API shares: cursor paging ordered by change time, `updated_since` or
//! `If-Modified-Since` to fetch only changes, and a page size within bounds.

use super::problem::ApiError;
use crate::integration::rules::{page_size, Cursor};
use crate::integration::IntegrationMsg;
use axum::extract::{FromRequestParts, Query};
use axum::http::{header, request::Parts};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// A list's paging parameters, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Where the previous page stopped: its `next_cursor`. Omitted: from the start.
    cursor: Option<String>,
    /// Items per page, 1 to 200.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
    /// Only items changed at or after this time (RFC 3339). `If-Modified-Since` (an HTTP date)
    /// does the same when this is absent.
    #[param(value_type = Option<String>, format = DateTime)]
    updated_since: Option<String>,
}

/// Where a page starts and how long it is, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paging {
    /// Items strictly after this (change time, id) come next.
    pub after: (DateTime<Utc>, Uuid),
    pub limit: i64,
}

/// The earliest change time any row can have (before the first release).
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(0, 0).unwrap_or_default()
}

impl Paging {
    /// Reads the parameters (and `If-Modified-Since`, when `updated_since` is absent).
    pub fn from_params(params: ListParams, if_modified_since: Option<&str>) -> Result<Paging, ApiError> {
        let mut errors = Vec::new();
        let limit = match params.limit.as_deref().map(|l| l.trim().parse::<i64>().ok()) {
            None => page_size(None),
            Some(Some(n)) => page_size(Some(n)),
            Some(None) => None,
        };
        if limit.is_none() {
            errors.push(("limit".to_owned(), IntegrationMsg::ProblemBadLimit.into()));
        }
        let since = match (&params.updated_since, if_modified_since) {
            (Some(text), _) => match DateTime::parse_from_rfc3339(text.trim()) {
                Ok(at) => Some(at.with_timezone(&Utc)),
                Err(_) => {
                    errors.push(("updated_since".to_owned(), IntegrationMsg::ProblemBadTime.into()));
                    None
                }
            },
            // An HTTP date the server cannot read is ignored, as RFC 9110 says.
            (None, Some(text)) => DateTime::parse_from_rfc2822(text.trim()).ok().map(|at| at.with_timezone(&Utc)),
            (None, None) => None,
        };
        let cursor = match &params.cursor {
            Some(text) => match Cursor::decode(text.trim()) {
                Some(cursor) => Some(cursor),
                None => {
                    errors.push(("cursor".to_owned(), IntegrationMsg::ProblemBadCursor.into()));
                    None
                }
            },
            None => None,
        };
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
        // A cursor comes from a page of the same query, so it is past `since` already.
        let after = match (cursor, since) {
            (Some(c), _) => (c.at, c.id),
            (None, Some(at)) => (at.max(epoch()), Uuid::nil()),
            (None, None) => (epoch(), Uuid::nil()),
        };
        Ok(Paging { after, limit: limit.unwrap_or(crate::integration::rules::PAGE_DEFAULT) })
    }

    /// The cursor after the last of `items` (each giving its change time and id), and whether
    /// more follow: the query asked for one item more than the page holds.
    pub fn finish<T>(&self, items: &mut Vec<T>, key: impl Fn(&T) -> (DateTime<Utc>, Uuid)) -> (Option<String>, bool) {
        let more = items.len() as i64 > self.limit;
        items.truncate(self.limit as usize);
        let next = items.last().map(|item| {
            let (at, id) = key(item);
            Cursor { at, id }.encode()
        });
        (next, more)
    }
}

/// The paging of a list request: its query parameters and `If-Modified-Since`. Malformed
/// parameters are a problem (400), never a plain-text rejection.
pub struct ListRequest(pub Paging);

impl<S: Send + Sync> FromRequestParts<S> for ListRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ListRequest, ApiError> {
        let Query(params) = Query::<ListParams>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid("query", IntegrationMsg::ProblemInvalid))?;
        let if_modified_since = parts.headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok());
        Paging::from_params(params, if_modified_since).map(ListRequest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cursor: Option<&str>, limit: Option<&str>, since: Option<&str>) -> ListParams {
        ListParams {
            cursor: cursor.map(str::to_owned),
            limit: limit.map(str::to_owned),
            updated_since: since.map(str::to_owned),
        }
    }

    #[test]
    fn a_list_starts_at_the_beginning_or_where_it_is_told() {
        let start = Paging::from_params(ListParams::default(), None).expect("paging");
        assert_eq!(start, Paging { after: (epoch(), Uuid::nil()), limit: 50 });
        let since =
            Paging::from_params(params(None, Some("10"), Some("2026-09-01T08:00:00+08:00")), None).expect("paging");
        assert_eq!(since.after.0.to_rfc3339(), "2026-09-01T00:00:00+00:00");
        assert_eq!(since.limit, 10);
        let header = Paging::from_params(ListParams::default(), Some("Tue, 01 Sep 2026 00:00:00 GMT")).expect("paging");
        assert_eq!(header.after.0, since.after.0);
        let cursor = Cursor { at: since.after.0, id: Uuid::new_v4() };
        let next = Paging::from_params(params(Some(&cursor.encode()), None, None), None).expect("paging");
        assert_eq!(next.after, (cursor.at, cursor.id));
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let Err(ApiError::Invalid(errors)) =
            Paging::from_params(params(Some("x"), Some("500"), Some("yesterday")), None)
        else {
            panic!("refused")
        };
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["limit", "updated_since", "cursor"]);
    }

    #[test]
    fn a_page_ends_with_the_cursor_of_its_last_item() {
        let paging = Paging { after: (epoch(), Uuid::nil()), limit: 2 };
        let at = epoch();
        let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
        let mut items = ids.to_vec();
        let (next, more) = paging.finish(&mut items, |id| (at, *id));
        assert!(more);
        assert_eq!(items, ids[..2]);
        assert_eq!(next.as_deref().and_then(Cursor::decode).map(|c| c.id), Some(ids[1]));
        let mut last = vec![ids[2]];
        assert!(!paging.finish(&mut last, |id| (at, *id)).1);
    }
}
