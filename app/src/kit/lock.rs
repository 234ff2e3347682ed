//! Transaction-scoped advisory locks (server only): they serialise work on something that has no
//! row of its own to lock (one email's password tries, one teacher's day, one lead's invitations)
//! across every server instance, until the transaction ends.

use sqlx::PgConnection;

/// Waits for, then holds until the transaction ends, the lock named `key`.
pub async fn lock_until_commit(conn: &mut PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(conn).await?;
    Ok(())
}
