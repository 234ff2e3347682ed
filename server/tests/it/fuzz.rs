//! Every registered server function, fuzzed. The functions are read from the registry the router
//! serves `/api/*` from, so a new one cannot be forgotten: one without an argument description
//! here fails the test. Each function is called as each role with hostile values for its
//! arguments; the server must never answer 5xx or take too long, and a refused call must change
//! nothing in the domain tables. Sampling is seeded (`FUZZ_SEED`), so a failure can be replayed.

use crate::support::TestApp;
use reqwest::{Client, Method, StatusCode};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The lesson finder's filter fields (the list and the calendar share them).
const FINDER_FILTER: [&str; 7] = [
    "filter[subject]",
    "filter[grade]",
    "filter[district]",
    "filter[mode]",
    "filter[from]",
    "filter[to]",
    "filter[free_seats]",
];

/// The study timeline's filter fields.
const NOTE_FILTER: [&str; 4] = ["filter[dimension]", "filter[observer]", "filter[tag]", "filter[before]"];

/// Every server function and the names of its arguments, as a form sends them.
fn functions() -> Vec<(&'static str, Vec<&'static str>)> {
    let with = |head: &[&'static str], form: &[&'static str]| [head, form].concat();
    vec![
        ("account/change-email", vec!["new_email", "current_password"]),
        ("account/change-password", vec!["current_password", "new_password"]),
        ("account/confirm-email", vec!["token"]),
        ("account/mail-preference", vec!["preference"]),
        ("account/profile", vec![]),
        ("account/update-profile", PROFILE_FORM.to_vec()),
        ("auth/forgot-password", vec!["email"]),
        ("auth/register", with(&["email", "password"], &PROFILE_FORM)),
        ("auth/reset-link", vec!["token"]),
        ("auth/reset-password", vec!["token", "new_password"]),
        ("auth/sign-in", vec!["email", "password"]),
        ("auth/sign-out", vec![]),
        ("district/choices", vec![]),
        ("district/confirm-school", vec!["school"]),
        ("district/dashboard", vec!["district", "year", "sort", "dir", "studio_sort", "studio_page"]),
        ("district/grant-leader", vec!["school", "email"]),
        ("district/led-schools", vec![]),
        ("district/merge-school", vec!["school", "into"]),
        ("district/record-views", vec!["page"]),
        ("district/revoke-leader", vec!["school", "user"]),
        ("district/school", vec!["school", "year", "page"]),
        ("district/schools", vec![]),
        ("district/set-rules", vec!["district", "quota", "start_month", "cycle_start", "cycle_quota"]),
        ("district/update-school", vec!["school", "stage", "location"]),
        ("district/set-sharing", vec!["with_school", "with_district"]),
        ("district/sharing", vec![]),
        ("district/teacher", vec!["teacher", "year"]),
        ("growth/add-goal", vec!["studio", "mentee", "title", "description", "category", "target_stage", "due_on"]),
        ("growth/add-milestone", vec!["goal", "title", "due_on"]),
        ("growth/apply-template", vec!["studio", "template", "mentees"]),
        ("growth/comment", vec!["goal", "milestone", "body"]),
        ("growth/complete-milestone", vec!["milestone", "done", "evidence", "links"]),
        ("growth/create-template", vec!["studio", "name", "goals"]),
        ("growth/mine", vec![]),
        ("growth/overview", vec!["studio", "sort", "desc", "page"]),
        ("growth/plan", vec!["studio", "mentee"]),
        ("growth/sign-off", vec!["goal", "decision", "note"]),
        ("growth/update-goal", vec!["goal", "title", "description", "category", "target_stage", "due_on"]),
        ("growth/update-milestone", vec!["milestone", "title", "due_on"]),
        ("home", vec![]),
        ("hours/ledger", vec!["user", "year"]),
        ("hours/log", RECORD_FORM.to_vec()),
        ("hours/update", with(&["record"], &RECORD_FORM)),
        ("hours/verify", vec!["record"]),
        ("integration/clients", vec!["page"]),
        ("integration/create-client", vec!["district", "name", "scopes", "days"]),
        ("integration/deliveries", vec!["client", "page"]),
        ("integration/revoke-client", vec!["client"]),
        ("lessons/attendees", vec!["lesson_id"]),
        ("lessons/book", vec!["lesson_id"]),
        ("lessons/cancel", vec!["lesson_id", "reason"]),
        ("lessons/cancel-booking", vec!["lesson_id", "reason"]),
        ("lessons/capacity", vec!["lesson_id", "capacity"]),
        ("lessons/check-in", vec!["lesson_id", "booking_id", "status"]),
        ("lessons/check-in-code", vec!["lesson_id", "code"]),
        ("lessons/decide", vec!["lesson_id", "booking_id", "decision"]),
        ("lessons/detail", vec!["lesson_id"]),
        ("lessons/done", vec!["lesson_id"]),
        ("lessons/list", [FINDER_FILTER.as_slice(), &["filter[page]"]].concat()),
        ("lessons/calendar", [FINDER_FILTER.as_slice(), &["week"]].concat()),
        ("lessons/mine", vec![]),
        ("lessons/my-hours", vec![]),
        ("lessons/my-studios", vec![]),
        ("lessons/publish", vec!["lesson_id"]),
        ("lessons/reset-feed", vec![]),
        ("lessons/schedule", with(&["studio", "teacher_email"], &LESSON_FORM)),
        ("lessons/upcoming", vec![]),
        ("lessons/update", with(&["lesson_id"], &LESSON_FORM)),
        ("records/certificate", vec!["serial"]),
        ("records/certificates", vec!["year"]),
        ("records/issue-certificate", vec!["year"]),
        ("records/in-studio", vec!["studio", "mentee", "year"]),
        ("records/mine", vec!["year"]),
        ("records/verify", vec!["serial"]),
        ("studio-records/finalise", vec!["studio", "year"]),
        ("studio-records/get", vec!["studio", "year", "version"]),
        ("studio-records/new-version", vec!["studio", "year", "reason", "summary", "next_plan"]),
        ("studio-records/save-narrative", vec!["studio", "year", "summary", "next_plan"]),
        ("notifications/list", vec![]),
        ("notifications/read", vec![]),
        ("notifications/unread", vec![]),
        ("mail/unsubscribe", vec!["token"]),
        ("prefs/locale", vec!["locale"]),
        ("studios/accept-invitation", vec!["token"]),
        ("studios/archive", vec!["studio"]),
        ("studios/create", with(&["slug"], &STUDIO_FORM)),
        ("studios/create-invitation", vec!["studio", "role", "days", "max_uses"]),
        ("studios/decide-request", vec!["studio", "user", "decision", "message"]),
        ("studios/directory", vec!["q", "subject", "district", "page"]),
        ("studios/hand-over", vec!["studio", "user"]),
        ("studios/invitation", vec!["token"]),
        ("studios/join", vec!["studio"]),
        ("studios/leave", vec!["studio"]),
        ("studios/mine", vec![]),
        ("studios/page", vec!["slug"]),
        ("studios/remove-member", vec!["studio", "user"]),
        ("studios/request-to-join", vec!["studio", "message"]),
        ("studios/revoke-invitation", vec!["studio", "invitation"]),
        ("studios/set-role", vec!["studio", "user", "role"]),
        ("studios/update", with(&["studio"], &STUDIO_FORM)),
        ("study/accept-invitation", vec!["invitation"]),
        ("study/add-member", vec!["study", "email"]),
        ("study/add-note", vec!["study", "id", "minute", "dimension", "tag", "body"]),
        ("study/add-round", vec!["study", "lesson", "minutes"]),
        ("study/assign", vec!["study", "observer", "dimension", "point", "seats"]),
        ("study/comment", vec!["study", "body", "cites"]),
        ("study/compare", vec!["study", "a", "b"]),
        ("study/conclusions", vec!["study", "conclusions"]),
        ("study/create", vec!["studio", "title", "theme", "subject", "grade", "lead"]),
        ("study/decline-invitation", vec!["invitation"]),
        ("study/edit-note", vec!["study", "note", "body"]),
        ("study/lock-notes", vec!["study", "locked"]),
        ("study/mine", vec![]),
        ("study/move-phase", vec!["study", "direction"]),
        ("study/notes", with(&["study"], &NOTE_FILTER)),
        ("study/page", with(&["study"], &NOTE_FILTER)),
        ("study/plan", vec!["study"]),
        ("study/plan-comment", vec!["study", "section", "body"]),
        ("study/save-plan", vec!["study", "based_on", "goals", "students", "flow", "assessment"]),
        ("study/start-clock", vec!["study"]),
        ("study/update-round", vec!["study", "lesson", "minutes"]),
    ]
}

const LESSON_FORM: [&str; 16] = [
    "title",
    "subject",
    "grade",
    "topic",
    "description",
    "starts_at",
    "ends_at",
    "time_zone",
    "mode",
    "place",
    "link",
    "capacity",
    "booking_opens_at",
    "booking_closes_at",
    "needs_approval",
    "credited_hours",
];
const STUDIO_FORM: [&str; 7] = ["name", "description", "subject", "district", "school", "visibility", "join_policy"];
const PROFILE_FORM: [&str; 8] =
    ["display_name", "school", "district", "subject", "grade_band", "tier", "locale", "time_zone"];
const RECORD_FORM: [&str; 5] = ["occurred_on", "hours", "category", "description", "evidence"];

/// The kinds of hostile value every argument gets.
const KINDS: [&str; 17] = [
    "empty",
    "100 kB",
    "control characters",
    "right-to-left marks",
    "emoji",
    "SQL",
    "HTML",
    "negative",
    "zero",
    "huge number",
    "NaN",
    "year 0",
    "year 9999",
    "year +200000",
    "malformed UUID",
    "unknown UUID",
    "nested form",
];

/// (name, value) pairs that send hostile value `kind` as argument `name`.
fn hostile(kind: &str, name: &str) -> Vec<(String, String)> {
    let value = match kind {
        "empty" => String::new(),
        "100 kB" => "研".repeat(100_000 / 3),
        "control characters" => "a\u{0}b\u{1}\u{7f}\r\n\u{1b}[31m".to_owned(),
        "right-to-left marks" => "\u{202e}txt.exe\u{200f}\u{2066}".to_owned(),
        "emoji" => "👩‍🏫🧪🇨🇳".to_owned(),
        "SQL" => "' or 1=1; drop table users; --".to_owned(),
        "HTML" => "<script>alert(1)</script><img src=x onerror=alert(1)>".to_owned(),
        "negative" => "-1".to_owned(),
        "zero" => "0".to_owned(),
        "huge number" => "99999999999999999999999".to_owned(),
        "NaN" => "NaN".to_owned(),
        "year 0" => "0000-01-01T00:00".to_owned(),
        "year 9999" => "9999-12-31T23:59".to_owned(),
        "year +200000" => "+200000-01-01".to_owned(),
        "malformed UUID" => "123e4567-e89b-12d3-a456-42661417400G".to_owned(),
        "unknown UUID" => uuid::Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001).to_string(),
        "nested form" => {
            // serde_qs reads brackets as nesting: a value where a struct or list is not expected,
            // and the same key twice.
            return vec![
                (format!("{name}[from]"), "2026-01-01".to_owned()),
                (format!("{name}[0]"), "x".to_owned()),
                (name.to_owned(), "a".to_owned()),
                (name.to_owned(), "b".to_owned()),
            ];
        }
        other => panic!("unknown kind {other}"),
    };
    vec![(name.to_owned(), value)]
}

/// A value the function could accept for `name` (ids of the demo data, ordinary text), so that
/// mixed calls reach past the first check.
fn valid(name: &str, known: &BTreeMap<&'static str, String>) -> String {
    if let Some(v) = known.get(name) {
        return v.clone();
    }
    let v = match name {
        "current_password" | "password" => "wrong-password",
        "new_password" => "a-new-password-1",
        "email" => "fuzz.teacher@school.cn",
        "teacher_email" | "lead" | "lesson" | "booking_opens_at" | "booking_closes_at" | "link" | "cites" => "",
        "tier" => "backbone",
        "locale" => "zh-CN",
        "time_zone" => "Asia/Shanghai",
        "mode" => "in_person",
        "decision" => "approve",
        "status" => "attended",
        "role" => "mentee",
        "direction" => "forward",
        "visibility" => "public",
        "join_policy" => "open",
        "category" => "offline",
        "target_stage" => "backbone",
        "dimension" => "student_learning",
        "tag" => "question",
        "section" => "goals",
        "sort" => "name",
        "done" | "locked" | "needs_approval" => "true",
        "desc" | "filter[free_seats]" => "false",
        "capacity" | "max_uses" => "10",
        "credited_hours" | "hours" => "1.5",
        "minutes" => "45",
        "minute" | "days" => "7",
        "page" | "a" | "based_on" => "1",
        "b" => "2",
        "starts_at" => "2027-03-10T09:00",
        "ends_at" => "2027-03-10T10:00",
        "due_on" | "occurred_on" | "filter[from]" | "filter[to]" => "2026-12-01",
        "slug" => "fuzz-studio",
        _ => "课堂观察 · lesson study",
    };
    v.to_owned()
}

/// Ids and slugs of the demo data by argument name.
async fn known_values(pool: &PgPool) -> BTreeMap<&'static str, String> {
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, String>(sql).fetch_optional(pool).await.expect("known value").unwrap_or_default()
    };
    let mut known = BTreeMap::new();
    known.insert("studio", one("select slug from studios order by created_at limit 1").await);
    known.insert("lesson_id", one("select id::text from open_lessons order by starts_at desc limit 1").await);
    known.insert("booking_id", one("select id::text from bookings order by created_at limit 1").await);
    known.insert("study", one("select id::text from studies order by created_at limit 1").await);
    known.insert("note", one("select id::text from observation_notes order by created_at limit 1").await);
    known.insert("id", uuid::Uuid::new_v4().to_string());
    known.insert("goal", one("select id::text from growth_goals order by created_at limit 1").await);
    known.insert("milestone", one("select id::text from growth_milestones order by created_at limit 1").await);
    known.insert("record", one("select id::text from training_records order by created_at limit 1").await);
    known.insert("template", one("select id::text from growth_templates order by created_at limit 1").await);
    let mentee = one("select id::text from users where email = 'zhang.wei@demo.atelier'").await;
    for name in ["user", "mentee", "observer", "mentees"] {
        known.insert(name, mentee.clone());
    }
    known
}

/// The demo accounts the calls are made as (`None`: not signed in).
const ROLES: [(&str, Option<&str>); 6] = [
    ("anonymous", None),
    ("host", Some("wang.fang@demo.atelier")),
    ("mentor", Some("li.na@demo.atelier")),
    ("mentee", Some("zhang.wei@demo.atelier")),
    ("observer", Some("zhao.lei@demo.atelier")),
    ("district admin", Some("district.admin@demo.atelier")),
];

/// Counts every row a committed transaction changed in a domain table (sessions, sign-in
/// attempts and migrations excluded) in `fuzz_changes`: a refused call must leave the count as it
/// was. The counter is a row updated by row triggers, so a change rolled back is no change, and
/// reading it costs one row, not a digest of every table (4 ms a call on the demo data).
async fn count_changes(pool: &PgPool) {
    let tables: Vec<String> = sqlx::query_scalar(
        "select tablename::text from pg_tables where schemaname = 'public'
           and tablename not in ('_sqlx_migrations', 'sign_in_failures', 'trusted_browsers')
         order by tablename",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut statements = vec![
        "create table fuzz_changes (n bigint not null)".to_owned(),
        "insert into fuzz_changes values (0)".to_owned(),
        "create function fuzz_count_change() returns trigger language plpgsql as $$
         begin update fuzz_changes set n = n + 1; return null; end $$"
            .to_owned(),
    ];
    for t in &tables {
        statements.push(format!(
            "create trigger fuzz_count_change after insert or delete on {t}
             for each row execute function fuzz_count_change()"
        ));
        statements.push(format!(
            "create trigger fuzz_count_update after update on {t}
             for each row when (old.* is distinct from new.*) execute function fuzz_count_change()"
        ));
    }
    for statement in statements {
        sqlx::query(&statement).execute(pool).await.expect("change counter");
    }
}

/// A small deterministic generator (xorshift64*), so a run can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Caller {
    role: &'static str,
    email: Option<&'static str>,
    client: Client,
}

/// Signs the role in again. Wrong current passwords sent to `account/change-password` count
/// against the role's browser like failed sign-ins do; they are forgotten first, as time would.
async fn sign_in(app: &TestApp, caller: &Caller) {
    if let Some(email) = caller.email {
        sqlx::query("delete from sign_in_failures where email = $1")
            .bind(email)
            .execute(&app.pool)
            .await
            .expect("forget");
        let response = app.sign_in(&caller.client, email, "atelier-demo").await;
        let status = response.status();
        assert_eq!(status, StatusCode::OK, "demo sign-in of {email}: {}", response.text().await.unwrap_or_default());
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn every_server_function_survives_hostile_arguments_as_every_role(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    server::seed::demo(&pool).await.expect("demo data");
    let known = known_values(&pool).await;
    count_changes(&pool).await;
    let snapshot = || async {
        sqlx::query_scalar::<_, i64>("select n from fuzz_changes").fetch_one(&pool).await.expect("changes")
    };
    let at_start = snapshot().await;
    sqlx::query("update studios set name = name || '·' where slug = (select min(slug) from studios)")
        .execute(&pool)
        .await
        .expect("a change");
    assert_eq!(snapshot().await, at_start + 1, "the counter sees a changed row");

    // The registry the router serves: each function needs a description here.
    let registered: BTreeMap<String, Method> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            (
                path.trim_start_matches("/api/").to_owned(),
                Method::from_bytes(method.as_str().as_bytes()).expect("method"),
            )
        })
        .collect();
    let functions = functions();
    let described: BTreeSet<&str> = functions.iter().map(|(name, _)| *name).collect();
    let undescribed: Vec<&String> = registered.keys().filter(|p| !described.contains(p.as_str())).collect();
    assert!(undescribed.is_empty(), "server functions without a fuzz description: {undescribed:?}");
    let stale: Vec<&&str> = described.iter().filter(|d| !registered.contains_key(**d)).collect();
    assert!(stale.is_empty(), "described but not registered: {stale:?}");

    let mut callers = Vec::new();
    for (role, email) in ROLES {
        let caller = Caller { role, email, client: app.client() };
        sign_in(&app, &caller).await;
        callers.push(caller);
    }

    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x00a7_e11e_2026);
    let mut rng = Rng(seed | 1);
    // Every function × role × kind once with every argument hostile (coverage), then as many
    // again with a seeded mix of hostile and valid arguments (depth).
    let mut plan: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for f in 0..functions.len() {
        for r in 0..ROLES.len() {
            for k in 0..KINDS.len() {
                plan.push((f, r, Some(k)));
            }
            for _ in 0..3 {
                plan.push((f, r, None));
            }
        }
    }

    let limit = Duration::from_secs(5);
    let started = Instant::now();
    let mut covered: BTreeSet<(usize, usize, usize, usize)> = BTreeSet::new();
    let mut failures: Vec<String> = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut before = snapshot().await;
    for (f, r, all_kind) in &plan {
        let (function, args) = &functions[*f];
        let caller = &callers[*r];
        let mut form: Vec<(String, String)> = Vec::new();
        let mut hostile_args = Vec::new();
        for (a, name) in args.iter().enumerate() {
            let kind = match all_kind {
                Some(k) => Some(*k),
                None => (rng.below(2) == 0).then(|| rng.below(KINDS.len())),
            };
            match kind {
                Some(k) => {
                    covered.insert((*f, *r, a, k));
                    hostile_args.push(format!("{name}={}", KINDS[k]));
                    form.extend(hostile(KINDS[k], name));
                }
                None => form.push(((*name).to_owned(), valid(name, &known))),
            }
        }
        let url = format!("{}/api/{function}", app.base);
        let request = match registered[*function] {
            Method::GET => caller.client.get(&url).query(&form),
            _ => caller.client.post(&url).form(&form),
        };
        let sent = Instant::now();
        let response = tokio::time::timeout(limit * 2, request.send()).await;
        let took = sent.elapsed();
        let what = format!("{function} as {} with [{}]", caller.role, hostile_args.join(", "));
        if took > slowest.0 {
            slowest = (took, what.clone());
        }
        let status = match response {
            Ok(Ok(response)) => response.status(),
            Ok(Err(err)) => {
                failures.push(format!("{what}: no answer ({err})"));
                continue;
            }
            Err(_) => {
                failures.push(format!("{what}: no answer within {:?}", limit * 2));
                continue;
            }
        };
        if status.is_server_error() {
            failures.push(format!("{what}: {status}"));
        }
        if took > limit {
            failures.push(format!("{what}: took {took:?}"));
        }
        let after = snapshot().await;
        if !status.is_success() && !status.is_redirection() && after != before {
            failures.push(format!("{what}: refused with {status} yet the database changed"));
        }
        before = after;
        // A successful sign-out (or a sign-in as someone else) ends the role's session.
        if status.is_success() && function.starts_with("auth/") {
            sign_in(&app, caller).await;
            before = snapshot().await;
        }
    }
    let elapsed = started.elapsed();
    let expected: usize = functions.iter().map(|(_, args)| args.len()).sum::<usize>() * ROLES.len() * KINDS.len();
    println!(
        "fuzz: {} functions × {} roles × {} kinds of hostile value, {} requests in {:.1} s (seed {seed}); \
         {} of {expected} function × role × argument × kind combinations covered; slowest {:?}: {}",
        functions.len(),
        ROLES.len(),
        KINDS.len(),
        plan.len(),
        elapsed.as_secs_f64(),
        covered.len(),
        slowest.0,
        slowest.1,
    );
    assert_eq!(covered.len(), expected, "every function × role × argument × kind is tried");
    assert!(failures.is_empty(), "{} failures, the first: {:#?}", failures.len(), &failures[..failures.len().min(25)]);
}
