//! What every list of the API shares: an opaque cursor (each list orders its items its own way),
//! `updated_since` or `If-Modified-Since` to fetch only changes, and a page size within bounds.

use super::problem::ApiError;
use crate::integration::rules::{page_size, Cursor, PageCursor, PAGE_DEFAULT, PAGE_MAX};
use crate::integration::IntegrationMsg;
use axum::extract::{FromRequestParts, Query};
use axum::http::{header, request::Parts};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::PgPool;
use std::marker::PhantomData;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::Required;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A list's paging parameters, as sent (text, checked by [`Paging::from_params`], so that a bad
/// one is a problem naming it).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    cursor: Option<String>,
    limit: Option<String>,
    updated_since: Option<String>,
}

/// The paging parameters as the API document states them, for a list whose cursors are `C`s.
pub struct PagingParams<C>(PhantomData<C>);

impl<C: PageCursor> IntoParams for PagingParams<C> {
    fn into_params(parameter_in_provider: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let param = |name: &str, description: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(parameter_in_provider().unwrap_or(ParameterIn::Query))
                .required(Required::False)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        let mut params = vec![
            param(
                "cursor",
                "Where the previous page stopped: its `next_cursor`. Omitted: from the start.",
                ObjectBuilder::new().schema_type(Type::String).pattern(Some(C::PATTERN)),
            ),
            param(
                "limit",
                "Items per page.",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(PAGE_MAX))
                    .default(Some(PAGE_DEFAULT.into())),
            ),
        ];
        if C::CHANGE_ORDERED {
            params.push(param(
                "updated_since",
                "Only items changed at or after this time (RFC 3339). `If-Modified-Since` (an HTTP date) does \
                 the same when this is absent.",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            ));
        }
        params
    }
}

/// A page of a list, in the list's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page, or later to get what changed since (absent when the
    /// page is empty: keep the previous one).
    pub next_cursor: Option<String>,
    /// Whether another page follows now.
    pub has_more: bool,
}

/// Where a page starts and how long it is, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paging<C> {
    /// Items after this one come next (none: from the first).
    pub cursor: Option<C>,
    /// Items changed before this are left out.
    pub since: DateTime<Utc>,
    pub limit: i64,
}

impl<C: PageCursor> Paging<C> {
    /// Items after this come next.
    pub fn after(&self) -> C {
        self.cursor.unwrap_or(C::START)
    }

    /// Reads the parameters (and `If-Modified-Since`, when `updated_since` is absent).
    pub fn from_params(params: ListParams, if_modified_since: Option<&str>) -> Result<Paging<C>, ApiError> {
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
            _ if !C::CHANGE_ORDERED => None,
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
            Some(text) => {
                let cursor = C::decode(text.trim());
                if cursor.is_none() {
                    errors.push(("cursor".to_owned(), IntegrationMsg::ProblemBadCursor.into()));
                }
                cursor
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
        let epoch = DateTime::UNIX_EPOCH;
        Ok(Paging { cursor, since: since.unwrap_or(epoch).max(epoch), limit: limit.unwrap_or(PAGE_DEFAULT) })
    }

    /// The page of `rows` (the query asked for one more than the page holds, to tell whether
    /// more follow), each row's cursor and item given by `cursor_of` and `item`.
    pub fn page<R, T>(&self, mut rows: Vec<R>, cursor_of: impl Fn(&R) -> C, item: impl FnMut(R) -> T) -> Page<T> {
        let has_more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = rows.last().map(|row| cursor_of(row).encode());
        Page { items: rows.into_iter().map(item).collect(), next_cursor, has_more }
    }
}

/// Runs the query of a list ordered by change time: `$1` is the caller's district, `$2` and `$3`
/// the change time and id the page starts after, `$4` how many rows to read (one more than the
/// page holds), `$5` the earliest change time asked for.
pub async fn changed_rows<R>(pool: &PgPool, sql: &str, district: Uuid, paging: &Paging<Cursor>) -> sqlx::Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let after = paging.after();
    sqlx::query_as(sql)
        .bind(district)
        .bind(after.at)
        .bind(after.id)
        .bind(paging.limit + 1)
        .bind(paging.since)
        .fetch_all(pool)
        .await
}

/// Query parameters of `T`; a query that does not read as one is a problem (400), never a
/// plain-text rejection.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ApiQuery<T>, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| ApiQuery(query))
            .map_err(|_| ApiError::invalid("query", IntegrationMsg::ProblemInvalid))
    }
}

/// The paging of a list request: its query parameters and `If-Modified-Since`. Malformed
/// parameters are a problem (400).
pub struct ListRequest<C>(pub Paging<C>);

impl<S: Send + Sync, C: PageCursor> FromRequestParts<S> for ListRequest<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ListRequest<C>, ApiError> {
        let ApiQuery(params) = ApiQuery::<ListParams>::from_request_parts(parts, state).await?;
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
        let start = Paging::<Cursor>::from_params(ListParams::default(), None).expect("paging");
        assert_eq!(start, Paging { cursor: None, since: DateTime::UNIX_EPOCH, limit: 50 });
        let since = Paging::<Cursor>::from_params(params(None, Some("10"), Some("2026-09-01T08:00:00+08:00")), None)
            .expect("paging");
        assert_eq!(since.since.to_rfc3339(), "2026-09-01T00:00:00+00:00");
        assert_eq!(since.limit, 10);
        let header = Paging::<Cursor>::from_params(ListParams::default(), Some("Tue, 01 Sep 2026 00:00:00 GMT"))
            .expect("paging");
        assert_eq!(header.since, since.since);
        let cursor = Cursor { at: since.since, id: Uuid::new_v4() };
        let next = Paging::<Cursor>::from_params(params(Some(&cursor.encode()), None, None), None).expect("paging");
        assert_eq!(next.cursor, Some(cursor));
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let Err(ApiError::Invalid(errors)) =
            Paging::<Cursor>::from_params(params(Some("x"), Some("500"), Some("yesterday")), None)
        else {
            panic!("refused")
        };
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["limit", "updated_since", "cursor"]);
    }

    #[test]
    fn a_page_ends_with_the_cursor_of_its_last_item() {
        let paging = Paging::<Cursor> { cursor: None, since: DateTime::UNIX_EPOCH, limit: 2 };
        let at = DateTime::UNIX_EPOCH;
        let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
        let page = paging.page(ids.to_vec(), |id| Cursor { at, id: *id }, |id| id);
        assert!(page.has_more);
        assert_eq!(page.items, ids[..2]);
        assert_eq!(page.next_cursor.as_deref().and_then(Cursor::decode).map(|c| c.id), Some(ids[1]));
        assert!(!paging.page(vec![ids[2]], |id| Cursor { at, id: *id }, |id| id).has_more);
        assert_eq!(paging.page(Vec::<Uuid>::new(), |id| Cursor { at, id: *id }, |id| id).next_cursor, None);
    }
}
