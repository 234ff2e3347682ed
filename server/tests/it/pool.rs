//! The connection pool as patched in `vendor/sqlx-core`: a connection goes back to the pool
//! without a round trip to the database, and still in a consistent state when a query or a
//! transaction was dropped halfway.

use futures_util::StreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A one-connection pool (so every acquire gets the same connection back) that fails fast.
async fn single_connection_pool(connect: PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(connect)
        .await
        .expect("pool")
}

/// A TCP proxy in front of PostgreSQL that forwards until it is frozen, then forwards nothing:
/// a database that stopped answering. Dropping it closes its connections.
struct FreezableProxy {
    port: u16,
    frozen: Arc<AtomicBool>,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl FreezableProxy {
    async fn start(to: (String, u16)) -> FreezableProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let frozen = Arc::new(AtomicBool::new(false));
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let (accept_frozen, accept_tasks) = (frozen.clone(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect((to.0.as_str(), to.1)).await.expect("connect to postgres");
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let upstream = tokio::spawn(forward(client_read, server_write, accept_frozen.clone()));
                let downstream = tokio::spawn(forward(server_read, client_write, accept_frozen.clone()));
                accept_tasks.lock().unwrap().extend([upstream.abort_handle(), downstream.abort_handle()]);
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        FreezableProxy { port, frozen, tasks }
    }

    fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

impl Drop for FreezableProxy {
    fn drop(&mut self) {
        self.tasks.lock().unwrap().iter().for_each(AbortHandle::abort);
    }
}

async fn forward(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, frozen: Arc<AtomicBool>) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let Ok(read) = from.read(&mut buffer).await else { return };
        if read == 0 {
            return;
        }
        if frozen.load(Ordering::SeqCst) {
            // Swallow it and everything after, as a dead network would.
            std::future::pending::<()>().await;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_released_connection_is_back_in_the_pool_without_a_round_trip(
    _opts: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let proxy = FreezableProxy::start((connect.get_host().to_string(), connect.get_port())).await;
    let pool = single_connection_pool(connect.host("127.0.0.1").port(proxy.port)).await;

    let mut connection = pool.acquire().await.expect("acquire");
    let one: i32 = sqlx::query_scalar("select 1").fetch_one(&mut *connection).await.expect("select");
    assert_eq!(one, 1);
    // From here on the database answers nothing: returning the connection must not wait for it.
    proxy.freeze();
    drop(connection);
    let again = pool.acquire().await;
    assert!(again.is_ok(), "the connection did not come back to the pool: {:?}", again.err());
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_dropped_transaction_is_rolled_back_before_its_connection_is_reused(
    _opts: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = single_connection_pool(connect.clone()).await;
    let mut transaction = pool.begin().await.expect("begin");
    transaction.execute("select pg_advisory_xact_lock(7401)").await.expect("lock");
    drop(transaction);

    // The pool's one connection is back and idle, and the transaction's lock is gone.
    let mut connection = pool.acquire().await.expect("acquire");
    let in_transaction: bool = sqlx::query_scalar("select pg_current_xact_id_if_assigned() is not null")
        .fetch_one(&mut *connection)
        .await
        .expect("transaction state");
    assert!(!in_transaction);
    let mut other = sqlx::PgConnection::connect_with(&connect).await.expect("second connection");
    let free: bool =
        sqlx::query_scalar("select pg_try_advisory_lock(7401)").fetch_one(&mut other).await.expect("try lock");
    assert!(free, "the dropped transaction still holds its lock");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_result_set_dropped_midway_leaves_its_connection_usable(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = single_connection_pool(connect).await;
    {
        let mut connection = pool.acquire().await.expect("acquire");
        let mut rows = sqlx::query_scalar::<_, i32>("select generate_series(1, 100000)").fetch(&mut *connection);
        let first = rows.next().await.expect("a row").expect("row");
        assert_eq!(first, 1);
    }
    let mut connection = pool.acquire().await.expect("acquire again");
    let two: i32 = sqlx::query_scalar("select 2").fetch_one(&mut *connection).await.expect("select");
    assert_eq!(two, 2);
}
