//! Faults, on purpose: a PostgreSQL cluster of this test's own is restarted, then one of two
//! server instances is killed (SIGKILL), while many teachers sign in, book and check in to an open
//! lesson and a study group writes observation notes through both instances. Afterwards nothing
//! answered as saved is missing, nothing is half-written, the surviving instance was healthy
//! again within seconds of the database, and a live-notes stream opened before the restart
//! carried the notes written after it.
//!
//! Not `#[sqlx::test]`: the shared PostgreSQL on 127.0.0.1:5432 is never touched. The servers are
//! the real binary (`CARGO_BIN_EXE_server`), run as child processes.

use crate::support::builders::{self, Lesson, PASSWORD};
use app::studios::StudioRole;
use reqwest::Client;
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const DATABASE: &str = "atelier_faults";
/// Plenty of seats: nobody is waitlisted, so every booking answer is a confirmed seat.
const SEATS: i32 = 5000;
/// Distinct teachers available to book (each books once at most).
const BOOKERS: usize = 1500;
/// The load runs this long before the database restart, and this long after each fault.
const BEFORE_FAULT: Duration = Duration::from_secs(3);
const AFTER_FAULT: Duration = Duration::from_secs(3);
/// The surviving instance must answer /healthz 200 this soon after PostgreSQL is back.
const RECOVERY_LIMIT: Duration = Duration::from_secs(10);
/// After this long with the database back, no request to a running instance may fail.
const SETTLE: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------------------------
// A PostgreSQL cluster of our own.

/// Where the server binaries are: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `PATH`.
fn postgres_bindir() -> PathBuf {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&dir) {
            return dir;
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return dir;
    }
    if let Some(dir) = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).find(|d| has_tools(d))) {
        return dir;
    }
    panic!(
        "the fault-injection test runs a PostgreSQL server of its own, but no PostgreSQL server binaries \
         (initdb, pg_ctl) were found: looked at `pg_config --bindir`, /usr/lib/postgresql/*/bin and PATH. \
         Install PostgreSQL (Debian: `apt-get install postgresql`)."
    )
}

fn effective_uid() -> Option<u32> {
    let from_proc = std::fs::read_to_string("/proc/self/status").ok().and_then(|status| {
        let line = status.lines().find(|l| l.starts_with("Uid:"))?.to_owned();
        line.split_whitespace().nth(2)?.parse().ok()
    });
    from_proc.or_else(|| {
        let out = Command::new("id").arg("-u").output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    })
}

/// A TCP port nobody listens on right now (bound, then released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

/// How to run PostgreSQL's tools on this cluster: directly, or as the `postgres` user when the
/// test runs as root (PostgreSQL refuses to run as root).
#[derive(Clone, Debug)]
struct PgCtl {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PgCtl {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    fn command(&self, tool: &str) -> Command {
        let tool = self.bin.join(tool);
        let mut command = if !self.as_postgres {
            Command::new(tool)
        } else if ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].iter().any(|p| Path::new(p).is_file()) {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(tool);
            c
        } else {
            // `su` passes the arguments after the command on to the shell as $0, $1, ...
            let mut c = Command::new("su");
            c.args(["postgres", "-s", "/bin/sh", "-c", "exec \"$0\" \"$@\""]).arg(tool);
            c
        };
        command.current_dir(&self.dir).env("LC_ALL", "C").stdin(Stdio::null());
        command
    }

    /// Runs a tool to completion; panics with its output (and the server log) if it fails.
    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        if !out.status.success() {
            panic!(
                "{tool} {args:?} failed ({}):\n{}{}\n--- postgres.log ---\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                tail(&self.log(), 30)
            );
        }
    }

    /// The server's options: TCP on 127.0.0.1 only, the socket in our own directory.
    fn options(&self) -> String {
        format!(
            "-c listen_addresses=127.0.0.1 -p {} -k '{}' -c fsync=off -c max_connections=100",
            self.port,
            self.dir.join("sock").display()
        )
    }

    fn start(&self) {
        let (data, log, options) = (self.data(), self.log(), self.options());
        let (data, log) = (data.to_string_lossy(), log.to_string_lossy());
        self.run("pg_ctl", &["-D", &data, "-l", &log, "-w", "-t", "30", "-o", &options, "start"]);
    }

    /// `pg_ctl restart -m fast`: every connection is ended, then the server starts again; returns
    /// once it accepts connections.
    fn restart(&self) {
        let (data, log, options) = (self.data(), self.log(), self.options());
        let (data, log) = (data.to_string_lossy(), log.to_string_lossy());
        self.run("pg_ctl", &["-D", &data, "-l", &log, "-w", "-t", "30", "-m", "fast", "-o", &options, "restart"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// The cluster, stopped and deleted when dropped, even when the test fails.
struct Cluster {
    ctl: PgCtl,
}

impl Cluster {
    fn create() -> Cluster {
        let bin = postgres_bindir();
        let as_postgres = effective_uid() == Some(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("atelier-faults-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir.join("sock")).expect("temporary directory");
        // From here on the directory is removed whatever happens.
        let cluster = Cluster { ctl: PgCtl { bin, dir, port: free_port(), as_postgres } };
        if as_postgres {
            let chown = Command::new("chown").arg("-R").arg("postgres:").arg(&cluster.ctl.dir).status();
            assert!(chown.is_ok_and(|s| s.success()), "chown of {} to the postgres user", cluster.ctl.dir.display());
        }
        let data = cluster.ctl.data();
        cluster.ctl.run(
            "initdb",
            &["-D", &data.to_string_lossy(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
        );
        cluster.ctl.start();
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for name in ["server-a.log", "server-b.log", "postgres.log"] {
                eprintln!("--- last lines of {name} ---\n{}", tail(&self.ctl.dir.join(name), 40));
            }
        }
        let data = self.ctl.data();
        let data = data.to_string_lossy();
        for mode in ["fast", "immediate"] {
            if !self.ctl.data().join("postmaster.pid").exists() {
                break;
            }
            let _ = self
                .ctl
                .command("pg_ctl")
                .args(["-D", &data, "-w", "-t", "20", "-m", mode, "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.ctl.dir);
    }
}

/// The last `n` lines of a log file, without terminal colours.
fn tail(path: &Path, n: usize) -> String {
    let text = plain(&String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Text without ANSI colour sequences.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Server instances: the real binary as child processes.

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub(crate) struct Instance {
    name: &'static str,
    pub(crate) base: String,
    log: PathBuf,
    child: Child,
}

impl Instance {
    pub(crate) fn spawn(name: &'static str, database_url: &str, dir: &Path) -> Instance {
        let port = free_port();
        let log = dir.join(format!("server-{name}.log"));
        let file = std::fs::File::create(&log).expect("server log");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info,sqlx=warn,tower_sessions=warn,tower_http=warn")
            .env("NO_COLOR", "1")
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .spawn()
            .expect("start the server binary");
        Instance { name, base: format!("http://127.0.0.1:{port}"), log, child }
    }

    /// Waits for /healthz to answer 200 (the binary applies migrations first).
    pub(crate) async fn wait_ready(&mut self, client: &Client) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server {} exited at start ({status}):\n{}", self.name, tail(&self.log, 40));
            }
            if healthz(client, &self.base).await == Some(200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server {} never answered /healthz 200:\n{}", self.name, tail(&self.log, 40));
    }

    /// SIGTERM (what systemd sends to stop a service): a graceful shutdown.
    pub(crate) fn terminate(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().expect("kill -TERM");
        assert!(status.success(), "kill -TERM {}", self.child.id());
    }

    /// The exit status, once the instance has exited within `limit`.
    pub(crate) async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// What the instance logged.
    pub(crate) fn log_text(&self) -> String {
        plain(&String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()))
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown of any kind.
    fn kill(&mut self) -> std::process::ExitStatus {
        self.child.kill().expect("kill the instance");
        self.child.wait().expect("reap the instance")
    }

    /// Distinct warnings and errors the instance logged, with how often each came.
    fn complaints(&self) -> BTreeMap<String, usize> {
        let mut seen = BTreeMap::new();
        for line in plain(&String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default())).lines() {
            // "2026-11-29T15:00:00.123Z  WARN target: message": the timestamp differs, the rest not.
            let Some((_, rest)) = line.split_once(' ') else { continue };
            let rest = rest.trim_start();
            if rest.starts_with("WARN") || rest.starts_with("ERROR") {
                let key: String = rest.chars().take(240).collect();
                *seen.entry(key).or_insert(0) += 1;
            }
        }
        seen
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Clients and what they were told.

/// A browser-like client (cookies, no redirects, no Origin header) that gives up on an answer
/// after a while, as a browser's fetch would.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(8))
        .build()
        .expect("client")
}

async fn healthz(client: &Client, base: &str) -> Option<u16> {
    client.get(format!("{base}/healthz")).send().await.ok().map(|r| r.status().as_u16())
}

/// Polls /healthz until it answers 200; how long that took.
async fn wait_healthy(client: &Client, base: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if healthz(client, base).await == Some(200) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[derive(Clone, Debug)]
enum Outcome {
    /// 2xx, with the JSON answer (`Null` when the body could not be read).
    Saved(Value),
    /// Any other status, with the start of the body.
    Failed(u16, String),
    /// No answer: refused connection, reset, timeout.
    Unanswered(String),
}

impl Outcome {
    fn saved(&self) -> bool {
        matches!(self, Outcome::Saved(_))
    }

    /// What a failed request is allowed to be during a fault: a server error or no answer.
    fn acceptable_failure(&self) -> bool {
        match self {
            Outcome::Saved(_) | Outcome::Unanswered(_) => true,
            Outcome::Failed(status, _) => *status >= 500,
        }
    }
}

/// Calls a server function the way the hydrated page does (form-encoded, JSON answer).
async fn post(client: &Client, base: &str, endpoint: &str, form: &[(&str, &str)]) -> Outcome {
    match client.post(format!("{base}/api/{endpoint}")).form(form).send().await {
        Err(err) => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            Outcome::Unanswered(text)
        }
        Ok(response) if response.status().is_success() => Outcome::Saved(response.json().await.unwrap_or(Value::Null)),
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            Outcome::Failed(status, body.chars().take(200).collect())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum What {
    SignIn,
    Booking,
    CheckIn,
    Note,
}

#[derive(Clone, Debug)]
struct Sent {
    what: What,
    /// 0 = instance A, 1 = instance B.
    instance: usize,
    started: Instant,
    /// The booker's email, or the note's id.
    key: String,
    /// The note's body.
    detail: String,
    outcome: Outcome,
}

/// Shared by the load's tasks.
struct Load {
    stop: AtomicBool,
    bases: [String; 2],
    lesson: String,
    study: String,
    emails: Vec<String>,
    next_booker: AtomicUsize,
    writers: Vec<Client>,
    sent: Mutex<Vec<Sent>>,
}

impl Load {
    fn record(&self, what: What, instance: usize, started: Instant, key: &str, detail: &str, outcome: Outcome) {
        let sent = Sent { what, instance, started, key: key.to_owned(), detail: detail.to_owned(), outcome };
        self.sent.lock().expect("lock").push(sent);
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Teacher after teacher signs in on `instance`, books a seat and (every other one) checks in with
/// the room's code; each teacher gets one try.
async fn book_continuously(load: Arc<Load>, instance: usize) {
    let base = load.bases[instance].clone();
    while !load.stopped() {
        let i = load.next_booker.fetch_add(1, Ordering::SeqCst);
        let Some(email) = load.emails.get(i) else { break };
        let client = browser();
        let started = Instant::now();
        let signed_in = post(&client, &base, "auth/sign-in", &[("email", email), ("password", PASSWORD)]).await;
        let ok = signed_in.saved();
        load.record(What::SignIn, instance, started, email, "", signed_in);
        if !ok {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let started = Instant::now();
        let booked = post(&client, &base, "lessons/book", &[("lesson_id", &load.lesson)]).await;
        let ok = booked.saved();
        load.record(What::Booking, instance, started, email, "", booked);
        if ok && i.is_multiple_of(2) {
            let started = Instant::now();
            let checked_in =
                post(&client, &base, "lessons/check-in-code", &[("lesson_id", &load.lesson), ("code", "abc 234")])
                    .await;
            load.record(What::CheckIn, instance, started, email, "", checked_in);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One member of the study group writes a note every ~80 ms through `instance`.
async fn write_notes_continuously(load: Arc<Load>, writer: usize, instance: usize) {
    let base = load.bases[instance].clone();
    let client = load.writers[writer].clone();
    let mut n = 0usize;
    while !load.stopped() {
        let id = Uuid::new_v4().to_string();
        let minute = (n % 40 + 1).to_string();
        let body = format!("故障演练 {writer}-{n}：第 {minute} 分钟，学生提出了新的猜想");
        let form = [
            ("study", load.study.as_str()),
            ("id", id.as_str()),
            ("minute", minute.as_str()),
            ("dimension", "student_learning"),
            ("tag", "response"),
            ("body", body.as_str()),
        ];
        let started = Instant::now();
        let outcome = post(&client, &base, "study/add-note", &form).await;
        let failed = !outcome.saved();
        load.record(What::Note, instance, started, &id, &body, outcome);
        n += 1;
        tokio::time::sleep(Duration::from_millis(if failed { 150 } else { 80 })).await;
    }
}

/// What the live stream delivered.
#[derive(Default)]
struct Watched {
    /// Note ids with when they arrived.
    notes: Vec<(String, Instant)>,
    ready: usize,
    resyncs: usize,
    /// When and why the stream ended, if it did.
    ended: Option<(Instant, String)>,
}

/// Reads a server-sent event stream (`event:`/`id:`/`data:` lines, a blank line after each
/// event) chunk by chunk until it ends.
async fn watch(mut events: reqwest::Response, watched: Arc<Mutex<Watched>>) {
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        match events.chunk().await {
            Ok(Some(chunk)) => {
                buffer.extend_from_slice(&chunk);
                while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
                    let block: Vec<u8> = buffer.drain(..end + 2).collect();
                    let block = String::from_utf8_lossy(&block);
                    let mut event = "";
                    let mut data = String::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            event = v.trim();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        }
                    }
                    let mut w = watched.lock().expect("lock");
                    match event {
                        "note" => {
                            let note: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                            if let Some(id) = note["id"].as_str() {
                                w.notes.push((id.to_owned(), Instant::now()));
                            }
                        }
                        "ready" => w.ready += 1,
                        "resync" => w.resyncs += 1,
                        _ => {}
                    }
                }
            }
            Ok(None) => {
                watched.lock().expect("lock").ended = Some((Instant::now(), "closed by the server".to_owned()));
                return;
            }
            Err(err) => {
                watched.lock().expect("lock").ended = Some((Instant::now(), format!("error: {err}")));
                return;
            }
        }
    }
}

async fn signed_in(base: &str, email: &str, client: Client) -> Client {
    let outcome = post(&client, base, "auth/sign-in", &[("email", email), ("password", PASSWORD)]).await;
    assert!(outcome.saved(), "sign-in of {email}: {outcome:?}");
    client
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bookings_and_notes_survive_a_database_restart_and_a_killed_instance() {
    let test_started = Instant::now();
    let cluster = tokio::task::spawn_blocking(Cluster::create).await.expect("PostgreSQL cluster");
    let ctl = cluster.ctl.clone();
    let mut admin = sqlx::PgConnection::connect(&ctl.url("postgres")).await.expect("connect to our own PostgreSQL");
    sqlx::query(&format!("create database {DATABASE}")).execute(&mut admin).await.expect("create database");
    admin.close().await.expect("close");
    let url = ctl.url(DATABASE);

    // Migrations through the binary's own subcommand.
    let migrate =
        Command::new(env!("CARGO_BIN_EXE_server")).arg("migrate").env("DATABASE_URL", &url).output().expect("migrate");
    assert!(
        migrate.status.success(),
        "server migrate: {}{}",
        String::from_utf8_lossy(&migrate.stdout),
        String::from_utf8_lossy(&migrate.stderr)
    );

    // The starting point: a studio whose host teaches an open lesson starting in 20 minutes
    // (booking still open, check-in already open), four members who write notes, one who
    // watches the live timeline, and many teachers from elsewhere who book.
    let pool: PgPool = PgPoolOptions::new().max_connections(4).connect(&url).await.expect("pool");
    let host = builders::user(&pool, "host@faults.test", "王芳", false).await;
    let studio = builders::studio(&pool, "faults-studio", "故障演练工作室", host).await;
    let mut members = Vec::new();
    for i in 0..5 {
        let email = format!("member{i}@faults.test");
        let id = builders::user(&pool, &email, &format!("组员{i}"), false).await;
        builders::member(&pool, studio, id, StudioRole::Mentee).await;
        members.push((email, id));
    }
    let watcher = members.pop().expect("watcher");
    let lesson = Lesson {
        capacity: SEATS,
        starts_at: chrono::Utc::now() + chrono::Duration::minutes(20),
        ..Lesson::new(studio, host)
    }
    .insert(&pool)
    .await;
    let emails = builders::observers(&pool, BOOKERS).await;

    let mut a = Instance::spawn("a", &url, &ctl.dir);
    let mut b = Instance::spawn("b", &url, &ctl.dir);
    let health = Client::builder().timeout(Duration::from_secs(3)).build().expect("client");
    a.wait_ready(&health).await;
    b.wait_ready(&health).await;
    let setup_done = test_started.elapsed();

    // The host opens a study (through A); the members are in its group, as if they had accepted
    // the lead's invitations.
    let host_client = signed_in(&a.base, "host@faults.test", browser()).await;
    let created = post(
        &host_client,
        &a.base,
        "study/create",
        &[
            ("studio", "faults-studio"),
            ("title", "一次函数的图像"),
            ("theme", ""),
            ("subject", "数学"),
            ("grade", "八年级"),
        ],
    )
    .await;
    let Outcome::Saved(Value::String(study)) = created else { panic!("study/create: {created:?}") };
    for (_, id) in members.iter().chain([&watcher]) {
        sqlx::query("insert into study_members (study_id, user_id, role) values ($1::uuid, $2, 'member')")
            .bind(&study)
            .bind(id)
            .execute(&pool)
            .await
            .expect("study member");
    }
    pool.close().await;
    let mut writers = Vec::new();
    for (i, (email, _)) in members.iter().enumerate() {
        writers.push(signed_in(if i % 2 == 0 { &a.base } else { &b.base }, email, browser()).await);
    }

    // The watcher's live timeline on B, the instance that survives, opened before any fault. No
    // overall timeout: the stream is meant to stay open.
    let stream_client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let stream_client = signed_in(&b.base, &watcher.0, stream_client).await;
    let events = stream_client.get(format!("{}/api/study/{study}/events", b.base)).send().await.expect("stream");
    assert_eq!(events.status().as_u16(), 200, "the live stream opens");
    let watched = Arc::new(Mutex::new(Watched::default()));
    let reader = tokio::spawn(watch(events, Arc::clone(&watched)));
    let subscribed = Instant::now();
    while watched.lock().expect("lock").ready == 0 {
        assert!(subscribed.elapsed() < Duration::from_secs(5), "the stream said `ready`");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The load: two booking tasks and two note writers per instance.
    let load = Arc::new(Load {
        stop: AtomicBool::new(false),
        bases: [a.base.clone(), b.base.clone()],
        lesson: lesson.to_string(),
        study: study.clone(),
        emails,
        next_booker: AtomicUsize::new(0),
        writers,
        sent: Mutex::new(Vec::new()),
    });
    let load_started = Instant::now();
    let mut tasks = Vec::new();
    for instance in [0, 1, 0, 1] {
        tasks.push(tokio::spawn(book_continuously(Arc::clone(&load), instance)));
    }
    for writer in 0..load.writers.len() {
        tasks.push(tokio::spawn(write_notes_continuously(Arc::clone(&load), writer, writer % 2)));
    }
    // What a load balancer would see of B meanwhile.
    let probes = Arc::new(Mutex::new(Vec::new()));
    let prober = {
        let (load, probes, health, base) = (Arc::clone(&load), Arc::clone(&probes), health.clone(), b.base.clone());
        tokio::spawn(async move {
            while !load.stopped() {
                let started = Instant::now();
                let status = healthz(&health, &base).await;
                probes.lock().expect("lock").push((started, status));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(BEFORE_FAULT).await;

    // Fault 1: PostgreSQL restarts (fast shutdown ends every connection, then it starts again).
    let restart_started = Instant::now();
    let restart = ctl.clone();
    tokio::task::spawn_blocking(move || restart.restart()).await.expect("restart PostgreSQL");
    let pg_back = Instant::now();
    let (recovered_a, recovered_b) = tokio::join!(
        wait_healthy(&health, &a.base, Duration::from_secs(20)),
        wait_healthy(&health, &b.base, Duration::from_secs(20))
    );
    println!(
        "faults: PostgreSQL restart took {:.2} s; /healthz 200 again {} s (A) and {} s (B) after it accepted connections",
        secs(pg_back - restart_started),
        recovered_a.map_or("never".to_owned(), |d| format!("{:.2}", secs(d))),
        recovered_b.map_or("never".to_owned(), |d| format!("{:.2}", secs(d))),
    );
    tokio::time::sleep((pg_back + AFTER_FAULT).saturating_duration_since(Instant::now())).await;

    // Fault 2: instance A is killed outright, mid-request.
    let killed_at = Instant::now();
    let exit = a.kill();
    tokio::time::sleep(AFTER_FAULT).await;
    load.stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.expect("load task");
    }
    prober.await.expect("prober");
    let load_time = load_started.elapsed();
    let b_health_after_kill = healthz(&health, &b.base).await;

    // Every note written after the restart should reach the stream opened before it.
    let sent: Vec<Sent> = load.sent.lock().expect("lock").clone();
    let expected_live: HashSet<String> = sent
        .iter()
        .filter(|s| s.what == What::Note && s.outcome.saved() && s.started >= pg_back)
        .map(|s| s.key.clone())
        .collect();
    let waited = Instant::now();
    loop {
        let missing = {
            let w = watched.lock().expect("lock");
            let seen: HashSet<&str> = w.notes.iter().map(|(id, _)| id.as_str()).collect();
            expected_live.iter().filter(|id| !seen.contains(id.as_str())).count()
        };
        if missing == 0 || waited.elapsed() > Duration::from_secs(8) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    reader.abort();
    let (live_after_restart, live_events_after_restart, live_missing, stream_ended, ready_events, resyncs) = {
        let w = watched.lock().expect("lock");
        let seen: HashSet<&str> = w.notes.iter().map(|(id, _)| id.as_str()).collect();
        // A stream that catches up sends some notes again (the page merges them by id).
        let after: Vec<&str> = w.notes.iter().filter(|(_, at)| *at > pg_back).map(|(id, _)| id.as_str()).collect();
        let distinct = after.iter().collect::<HashSet<_>>().len();
        let missing: Vec<String> = expected_live.iter().filter(|id| !seen.contains(id.as_str())).cloned().collect();
        (distinct, after.len(), missing, w.ended.clone(), w.ready, w.resyncs)
    };

    // What the database holds.
    let pool: PgPool = PgPoolOptions::new().max_connections(2).connect(&url).await.expect("pool after the faults");
    let bookings: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select b.id, u.email, b.status from bookings b join users u on u.id = b.user_id where b.lesson_id = $1",
    )
    .bind(lesson)
    .fetch_all(&pool)
    .await
    .expect("bookings");
    let booking_of: HashMap<&str, (Uuid, &str)> =
        bookings.iter().map(|(id, email, status)| (email.as_str(), (*id, status.as_str()))).collect();
    let credited: HashSet<Uuid> =
        sqlx::query_scalar("select source_id from training_records where source_kind = 'booking'")
            .fetch_all(&pool)
            .await
            .expect("training records")
            .into_iter()
            .collect();
    let notes: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("select id::text, body from observation_notes where study_id = $1::uuid")
            .bind(&study)
            .fetch_all(&pool)
            .await
            .expect("notes")
            .into_iter()
            .collect();

    let mut problems: Vec<String> = Vec::new();
    let mut found = 0usize;
    let mut stored_unanswered: Vec<String> = Vec::new();
    for s in &sent {
        let stored = match s.what {
            What::SignIn => continue,
            What::Booking => match (booking_of.get(s.key.as_str()), &s.outcome) {
                (Some((id, status)), Outcome::Saved(answer)) => {
                    let same = answer["id"].as_str().is_none_or(|answered| answered == id.to_string());
                    if !same || !matches!(*status, "confirmed" | "attended") {
                        problems.push(format!("booking of {} answered {answer} but stored as {id} {status}", s.key));
                    }
                    true
                }
                (stored, _) => stored.is_some(),
            },
            What::CheckIn => booking_of
                .get(s.key.as_str())
                .is_some_and(|(id, status)| *status == "attended" && credited.contains(id)),
            What::Note => match notes.get(&s.key) {
                Some(body) if *body != s.detail => {
                    problems.push(format!("note {} stored with another body: {body:?}", s.key));
                    true
                }
                stored => stored.is_some(),
            },
        };
        match (&s.outcome, stored) {
            (Outcome::Saved(_), true) => found += 1,
            (Outcome::Saved(answer), false) => problems.push(format!(
                "{:?} {} answered 2xx by instance {} ({answer}) but not in the database",
                s.what,
                s.key,
                ["A", "B"][s.instance]
            )),
            (outcome, true) => stored_unanswered.push(format!(
                "{:?} {} via {} at +{:.2} s: {outcome:?}",
                s.what,
                s.key,
                ["A", "B"][s.instance],
                secs(s.started - load_started)
            )),
            (_, false) => {}
        }
    }
    for s in sent.iter().filter(|s| !s.outcome.acceptable_failure()) {
        problems.push(format!(
            "{:?} {} through instance {} at +{:.2} s (restart at +{:.2} s) failed with a client error instead of a server error: {:?}",
            s.what,
            s.key,
            ["A", "B"][s.instance],
            secs(s.started - load_started),
            secs(restart_started - load_started),
            s.outcome
        ));
    }
    // Failures belong to the faults: once the database has been back for a moment, a running
    // instance answers every request again (A until the moment it is killed).
    let settled = pg_back + SETTLE;
    let late: Vec<&Sent> = sent
        .iter()
        .filter(|s| !s.outcome.saved() && s.started >= settled)
        .filter(|s| s.instance == 1 || s.started + Duration::from_secs(1) < killed_at)
        .collect();
    if let Some(first) = late.first() {
        problems.push(format!(
            "{} requests started more than {SETTLE:?} after PostgreSQL was back still failed, e.g. {:?} {} via {} at +{:.2} s: {:?}",
            late.len(),
            first.what,
            first.key,
            ["A", "B"][first.instance],
            secs(first.started - load_started),
            first.outcome
        ));
    }
    // Nothing appeared that nobody asked for.
    let tried: HashSet<&str> = sent.iter().filter(|s| s.what == What::Booking).map(|s| s.key.as_str()).collect();
    let phantom = bookings.iter().filter(|(_, email, _)| !tried.contains(email.as_str())).count();
    if phantom > 0 {
        problems.push(format!("{phantom} bookings of teachers who never got to book"));
    }
    let sent_notes: HashSet<&str> = sent.iter().filter(|s| s.what == What::Note).map(|s| s.key.as_str()).collect();
    let unknown_notes = notes.keys().filter(|id| !sent_notes.contains(id.as_str())).count();
    if unknown_notes > 0 {
        problems.push(format!("{unknown_notes} notes nobody wrote"));
    }

    // Nothing half-written.
    let invariants: [(&str, &str); 7] = [
        (
            "more seats taken than the lesson has",
            "select l.id::text from open_lessons l where l.capacity < (select count(*) from bookings b
                 where b.lesson_id = l.id and b.status in ('confirmed', 'attended', 'no_show'))",
        ),
        (
            "someone waitlisted while seats are free",
            "select l.id::text from open_lessons l
             where exists (select 1 from bookings b where b.lesson_id = l.id and b.status = 'waitlisted')
               and l.capacity > (select count(*) from bookings b
                   where b.lesson_id = l.id and b.status in ('confirmed', 'attended', 'no_show'))",
        ),
        (
            "more than one active booking of a person for a lesson",
            "select user_id::text from bookings
             where status in ('pending', 'confirmed', 'waitlisted', 'attended', 'no_show')
             group by lesson_id, user_id having count(*) > 1",
        ),
        (
            "a booking without exactly one booking notification",
            "select b.id::text from bookings b left join notifications n on n.booking_id = b.id
                 and n.kind in ('booking_confirmed', 'booking_waitlisted', 'booking_pending')
             group by b.id having count(n.id) <> 1",
        ),
        (
            "a notification without exactly one email in the outbox",
            "select n.id::text from notifications n left join email_outbox e on e.notification_id = n.id
             group by n.id having count(e.id) <> 1",
        ),
        (
            "an attended booking without its training record, or a record of a booking not attended",
            "select b.id::text from bookings b full join training_records t
                 on t.source_kind = 'booking' and t.source_id = b.id
             where (b.status = 'attended') is distinct from (t.id is not null)
               and (b.id is not null or t.source_kind = 'booking')",
        ),
        (
            "a note in a round of another study, or by someone outside the group",
            "select n.id::text from observation_notes n join study_rounds r on r.id = n.round_id
             where r.study_id <> n.study_id
                or not exists (select 1 from study_members m where m.study_id = n.study_id and m.user_id = n.author_id)",
        ),
    ];
    for (what, query) in invariants {
        let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(&pool).await.expect("invariant");
        if !rows.is_empty() {
            problems.push(format!("{what}: {} rows, e.g. {:?}", rows.len(), &rows[..rows.len().min(3)]));
        }
    }
    pool.close().await;

    // Health, the killed instance, the live stream.
    match recovered_b {
        Some(d) if d <= RECOVERY_LIMIT => {}
        other => problems.push(format!(
            "instance B answered /healthz 200 only after {other:?} (limit {RECOVERY_LIMIT:?}) once PostgreSQL was back"
        )),
    }
    if b_health_after_kill != Some(200) {
        problems.push(format!("instance B answered /healthz {b_health_after_kill:?} after A was killed"));
    }
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit.signal(), Some(9), "instance A died of SIGKILL");
    }
    if let Some((at, why)) = &stream_ended {
        problems.push(format!("the live stream on B ended at +{:.2} s ({why})", secs(*at - load_started)));
    }
    if live_after_restart == 0 {
        problems.push("the live stream opened before the restart received no note after it".to_owned());
    }
    if !live_missing.is_empty() {
        problems.push(format!(
            "{} of {} notes saved after the restart never reached the live stream opened before it, e.g. {:?}",
            live_missing.len(),
            expected_live.len(),
            &live_missing[..live_missing.len().min(3)]
        ));
    }

    // The figures.
    let mut by_kind: BTreeMap<What, [usize; 5]> = BTreeMap::new();
    for s in &sent {
        let row = by_kind.entry(s.what).or_default();
        row[0] += 1;
        match &s.outcome {
            Outcome::Saved(_) => row[1] += 1,
            Outcome::Failed(status, _) if *status >= 500 => row[2] += 1,
            Outcome::Failed(..) => row[3] += 1,
            Outcome::Unanswered(_) => row[4] += 1,
        }
    }
    for (what, [total, ok, server_errors, client_errors, unanswered]) in &by_kind {
        println!(
            "faults: {what:?}: {total} sent, {ok} 2xx, {server_errors} 5xx, {client_errors} other statuses, {unanswered} unanswered"
        );
    }
    let statuses: BTreeMap<String, usize> =
        sent.iter().filter(|s| !s.outcome.saved()).fold(BTreeMap::new(), |mut m, s| {
            let key = match &s.outcome {
                Outcome::Failed(status, body) => format!("{status} {}", body.chars().take(80).collect::<String>()),
                Outcome::Unanswered(why) => format!("unanswered: {}", why.chars().take(100).collect::<String>()),
                Outcome::Saved(_) => unreachable!(),
            };
            *m.entry(format!("{:?} via {}: {key}", s.what, ["A", "B"][s.instance])).or_insert(0) += 1;
            m
        });
    for (failure, n) in &statuses {
        println!("faults: failed {n}×  {failure}");
    }
    for instance in [&a, &b] {
        for (line, n) in instance.complaints().iter().take(12) {
            println!("faults: server {} logged {n}×  {line}", instance.name);
        }
    }
    for line in &stored_unanswered {
        println!("faults: stored although not answered 2xx (allowed): {line}");
    }
    let down: Vec<(f64, Option<u16>)> = probes
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, status)| *status != Some(200))
        .map(|(at, status)| (secs(*at - load_started), *status))
        .collect();
    println!(
        "faults: B's /healthz probed every 50 ms: {} answers other than 200 (time, status): {down:?}; restart from +{:.2} s to +{:.2} s",
        down.len(),
        secs(restart_started - load_started),
        secs(pg_back - load_started)
    );
    let requests: usize = sent.iter().filter(|s| s.what != What::SignIn).count();
    let answered: usize = sent.iter().filter(|s| s.what != What::SignIn && s.outcome.saved()).count();
    println!(
        "faults: live stream: {ready_events} ready, {resyncs} resync events; killed A at +{:.2} s, exit {exit}",
        secs(killed_at - load_started)
    );
    println!(
        "FAULTS requests={requests} (bookings, check-ins, notes; plus {} sign-ins) answered_2xx={answered} found_in_db={found} \
         stored_without_2xx={} healthz_recovered_s={} notes_on_stream_after_restart={live_after_restart} \
         (distinct; {live_events_after_restart} events; {} saved after it) load_s={:.1} setup_s={:.1} total_s={:.1}",
        sent.len() - requests,
        stored_unanswered.len(),
        recovered_b.map_or("never".to_owned(), |d| format!("{:.2}", secs(d))),
        expected_live.len(),
        secs(load_time),
        secs(setup_done),
        secs(test_started.elapsed()),
    );
    if !problems.is_empty() {
        for instance in [&a, &b] {
            eprintln!("--- last lines of server {} ---\n{}", instance.name, tail(&instance.log, 30));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    drop(b);
    drop(a);
    drop(cluster);
}
