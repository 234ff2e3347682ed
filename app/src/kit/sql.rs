//! How statements are planned: the limits of paged statements, written into them, and pages
//! read on generic plans.

use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};

/// Appends ` limit {limit} offset {offset}` with both numbers written into the statement. Bound
/// as parameters they keep the statement from ever getting PostgreSQL's cached generic plan:
/// it prices an unknown limit at a tenth of the rows, so it plans the statement anew on every
/// run (0.4 to 0.6 ms on the lesson list, longer than running it). Only numbers computed here,
/// never text, go in; each distinct page is its own cached statement.
pub fn push_window(q: &mut QueryBuilder<'_, Postgres>, limit: i64, offset: i64) {
    q.push(window(limit, offset));
}

/// ` limit {limit} offset {offset}`, for a statement written with `format!` (see [`push_window`]).
pub fn window(limit: i64, offset: i64) -> String {
    format!(" limit {} offset {}", limit.max(0), offset.max(0))
}

/// A read-only transaction whose statements run on PostgreSQL's cached generic plans, begun in
/// one round trip. For a page that reads a large group's rows: knowing that the group is large,
/// PostgreSQL prices each of its statements below the generic plan and plans it anew on every
/// load (0.43 ms a time for the timeline of a 5,000-note study, twice its running time), though
/// the plan it arrives at is the generic one.
pub async fn begin_read_with_generic_plans(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    pool.begin_with("begin read only; set local plan_cache_mode = force_generic_plan").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_written_into_the_statement_and_never_negative() {
        let mut q = QueryBuilder::<Postgres>::new("select 1");
        push_window(&mut q, 21, -20);
        assert_eq!(q.sql(), "select 1 limit 21 offset 0");
    }
}
