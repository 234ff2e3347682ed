//! Studios and membership over real HTTP, every server function for every role.

use crate::support::{assert_status, error_json, field_error, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

const PASSWORD: &str = "lesson-study-2026";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Anonymous,
    Outsider,
    Pending,
    Mentee,
    Mentor,
    Host,
}

const ROLES: [Role; 6] = [Role::Anonymous, Role::Outsider, Role::Pending, Role::Mentee, Role::Mentor, Role::Host];

/// A studio with one person in each role, each with their own signed-in client.
struct Studio {
    slug: String,
    clients: Vec<(Role, Client)>,
    mentee_id: String,
    pending_id: String,
}

impl Studio {
    fn client(&self, role: Role) -> &Client {
        &self.clients.iter().find(|(r, _)| *r == role).expect("role").1
    }
}

async fn registered(app: &TestApp, email: &str) -> Client {
    registered_as(app, email, "李明").await
}

async fn registered_as(app: &TestApp, email: &str, name: &str) -> Client {
    app.registered_as(email, PASSWORD, name).await
}

async fn user_id(app: &TestApp, email: &str) -> String {
    crate::support::user_id(&app.pool, email).await.to_string()
}

fn studio_form<'a>(name: &'a str, slug: &'a str, policy: &'a str, visibility: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("slug", slug),
        ("description", "聚焦初中数学深度学习 Deep learning in maths"),
        ("subject", "数学"),
        ("district", "西湖区"),
        ("school", "西湖区实验中学"),
        ("visibility", visibility),
        ("join_policy", policy),
    ]
}

/// Builds a studio named `tag` (policy "request") with a host, a mentor, a mentee, a pending
/// requester and an outsider.
async fn studio_with_everyone(app: &TestApp, tag: &str) -> Studio {
    let email = |role: &str| format!("{role}.{tag}@school.cn");
    let host = registered_as(app, &email("host"), "王芳").await;
    let created =
        app.call(&host, "studios/create", &studio_form(&format!("{tag} 数学工作室"), "", "request", "public")).await;
    assert_status(&created, StatusCode::OK);
    let slug: String = created.json().await.expect("slug");

    let mut clients = vec![(Role::Anonymous, app.client()), (Role::Host, host.clone())];
    for (role, name, display) in
        [(Role::Mentor, "mentor", "李娜"), (Role::Mentee, "mentee", "张伟"), (Role::Pending, "pending", "赵磊")]
    {
        let client = registered_as(app, &email(name), display).await;
        assert_status(
            &app.call(&client, "studios/request-to-join", &[("studio", &slug), ("message", "想加入")]).await,
            StatusCode::OK,
        );
        if role != Role::Pending {
            let id = user_id(app, &email(name)).await;
            let approved = app
                .call(
                    &host,
                    "studios/decide-request",
                    &[("studio", &slug), ("user", &id), ("decision", "approve"), ("message", "")],
                )
                .await;
            assert_status(&approved, StatusCode::OK);
        }
        clients.push((role, client));
    }
    let mentor_id = user_id(app, &email("mentor")).await;
    assert_status(
        &app.call(&host, "studios/set-role", &[("studio", &slug), ("user", &mentor_id), ("role", "mentor")]).await,
        StatusCode::OK,
    );
    clients.push((Role::Outsider, registered_as(app, &email("outsider"), "陈静").await));
    Studio {
        slug,
        clients,
        mentee_id: user_id(app, &email("mentee")).await,
        pending_id: user_id(app, &email("pending")).await,
    }
}

/// A fingerprint of every studio, membership, invitation and event: equal means nothing changed.
async fn state(app: &TestApp) -> String {
    sqlx::query_scalar(
        "select md5(coalesce((select string_agg(m::text, ',' order by m.id) from memberships m), '')
                 || coalesce((select string_agg(s::text, ',' order by s.id) from studios s), '')
                 || coalesce((select string_agg(i::text, ',' order by i.id) from invitations i), '')
                 || (select count(*) from membership_events)::text)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("state")
}

async fn active_role(app: &TestApp, slug: &str, user: &str) -> Option<String> {
    sqlx::query_scalar(
        "select m.role from memberships m join studios s on s.id = m.studio_id where s.slug = $1 and m.user_id = $2::uuid and m.status = 'active'",
    )
    .bind(slug)
    .bind(user)
    .fetch_optional(&app.pool)
    .await
    .expect("role")
}

/// Calls `endpoint` as every role not in `allowed`: each must get `refused(role)` and change
/// nothing. Then the first allowed role succeeds (one success is enough: it changes the state).
async fn check_matrix(
    app: &TestApp,
    studio: &Studio,
    endpoint: &str,
    form: &[(&str, &str)],
    allowed: &[Role],
    refused: impl Fn(Role) -> StatusCode,
) {
    for role in ROLES.iter().filter(|r| !allowed.contains(r)) {
        let before = state(app).await;
        let response = app.call(studio.client(*role), endpoint, form).await;
        assert_eq!(response.status(), refused(*role), "{endpoint} as {role:?}");
        assert_eq!(state(app).await, before, "{endpoint} as {role:?} changed nothing");
    }
    let response = app.call(studio.client(allowed[0]), endpoint, form).await;
    assert_status(&response, StatusCode::OK);
}

/// Anonymous visitors must sign in; members without the right role are forbidden.
fn sign_in_or_forbidden(role: Role) -> StatusCode {
    if role == Role::Anonymous {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::FORBIDDEN
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_the_host_edits_archives_and_manages_roles_and_invitations(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (i, endpoint) in [
        "studios/update",
        "studios/set-role",
        "studios/hand-over",
        "studios/remove-member",
        "studios/create-invitation",
        "studios/archive",
    ]
    .into_iter()
    .enumerate()
    {
        let studio = studio_with_everyone(&app, &format!("s{i}")).await;
        let mut form = match endpoint {
            "studios/update" => studio_form("新名字工作室", "", "open", "public"),
            "studios/create-invitation" => vec![("role", "mentee"), ("days", "7"), ("max_uses", "3")],
            "studios/set-role" => vec![("user", studio.mentee_id.as_str()), ("role", "mentor")],
            "studios/hand-over" | "studios/remove-member" => vec![("user", studio.mentee_id.as_str())],
            _ => vec![],
        };
        form.retain(|(k, _)| *k != "slug");
        form.push(("studio", &studio.slug));
        check_matrix(&app, &studio, endpoint, &form, &[Role::Host], sign_in_or_forbidden).await;
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_host_and_mentors_decide_join_requests(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (i, leads) in [[Role::Mentor, Role::Host], [Role::Host, Role::Mentor]].into_iter().enumerate() {
        let studio = studio_with_everyone(&app, &format!("d{i}")).await;
        let form = [
            ("studio", studio.slug.as_str()),
            ("user", studio.pending_id.as_str()),
            ("decision", "approve"),
            ("message", "欢迎"),
        ];
        check_matrix(&app, &studio, "studios/decide-request", &form, &leads, sign_in_or_forbidden).await;
        assert_eq!(active_role(&app, &studio.slug, &studio.pending_id).await.as_deref(), Some("mentee"));
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn members_may_leave_but_the_host_must_hand_over_first(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "leave").await;
    let form = [("studio", studio.slug.as_str())];
    check_matrix(&app, &studio, "studios/leave", &form, &[Role::Mentee, Role::Mentor], |role| match role {
        Role::Anonymous => StatusCode::UNAUTHORIZED,
        _ => StatusCode::CONFLICT,
    })
    .await;
    assert_status(&app.call(studio.client(Role::Mentor), "studios/leave", &form).await, StatusCode::OK);
    let host_leaves = app.call(studio.client(Role::Host), "studios/leave", &form).await;
    assert_eq!(error_json(host_leaves).await, serde_json::json!({"Refused": {"Studio": "ErrHostMustHandOver"}}));
    let left: i64 = sqlx::query_scalar("select count(*) from membership_events where kind = 'left'")
        .fetch_one(&app.pool)
        .await
        .expect("events");
    assert_eq!(left, 2, "the history keeps who left");
    let kept: i64 = sqlx::query_scalar("select count(*) from memberships where status = 'left'")
        .fetch_one(&app.pool)
        .await
        .expect("rows");
    assert_eq!(kept, 2, "memberships are never deleted");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_outsiders_may_request_to_join_and_only_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "req").await;
    let form = [("studio", studio.slug.as_str()), ("message", "请允许我加入")];
    check_matrix(&app, &studio, "studios/request-to-join", &form, &[Role::Outsider], |role| match role {
        Role::Anonymous => StatusCode::UNAUTHORIZED,
        _ => StatusCode::CONFLICT,
    })
    .await;
    let again = app.call(studio.client(Role::Outsider), "studios/request-to-join", &form).await;
    assert_status(&again, StatusCode::CONFLICT);
    assert_eq!(error_json(again).await, serde_json::json!({"Refused": {"Studio": "ErrAlreadyRequested"}}));
    let too_long = "长".repeat(501);
    let bad = app
        .call(
            studio.client(Role::Outsider),
            "studios/request-to-join",
            &[("studio", studio.slug.as_str()), ("message", too_long.as_str())],
        )
        .await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_way_in_follows_the_join_policy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host@school.cn").await;
    let teacher = registered(&app, "teacher@school.cn").await;
    for (name, policy) in [("开放工作室", "open"), ("邀请工作室", "invite_only")] {
        assert_status(
            &app.call(&host, "studios/create", &studio_form(name, "", policy, "public")).await,
            StatusCode::OK,
        );
    }
    let open: String = sqlx::query_scalar("select slug from studios where join_policy = 'open'")
        .fetch_one(&app.pool)
        .await
        .expect("slug");
    let closed: String = sqlx::query_scalar("select slug from studios where join_policy = 'invite_only'")
        .fetch_one(&app.pool)
        .await
        .expect("slug");

    let refused = app.call(&teacher, "studios/request-to-join", &[("studio", closed.as_str()), ("message", "")]).await;
    assert_eq!(error_json(refused).await, serde_json::json!({"Refused": {"Studio": "ErrInviteOnly"}}));
    let refused = app.call(&teacher, "studios/join", &[("studio", closed.as_str())]).await;
    assert_status(&refused, StatusCode::CONFLICT);

    assert_status(&app.call(&teacher, "studios/join", &[("studio", open.as_str())]).await, StatusCode::OK);
    let twice = app.call(&teacher, "studios/join", &[("studio", open.as_str())]).await;
    assert_eq!(error_json(twice).await, serde_json::json!({"Refused": {"Studio": "ErrAlreadyMember"}}));
    let id = user_id(&app, "teacher@school.cn").await;
    assert_eq!(active_role(&app, &open, &id).await.as_deref(), Some("mentee"));
}

/// A fresh mentee invitation's token.
async fn invitation_token(app: &TestApp, host: &Client, slug: &str, days: &str) -> String {
    let link: String = app
        .call(
            host,
            "studios/create-invitation",
            &[("studio", slug), ("role", "mentee"), ("days", days), ("max_uses", "5")],
        )
        .await
        .json()
        .await
        .expect("link");
    link.trim_start_matches("/invitations/").to_owned()
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn invitation_links_admit_until_revoked_expired_or_used_up(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "inv").await;
    let host = studio.client(Role::Host);
    let link: String = app
        .call(
            host,
            "studios/create-invitation",
            &[("studio", studio.slug.as_str()), ("role", "mentor"), ("days", "7"), ("max_uses", "1")],
        )
        .await
        .json()
        .await
        .expect("link");
    let token = link.trim_start_matches("/invitations/").to_owned();
    let stored: String =
        sqlx::query_scalar("select token_hash from invitations").fetch_one(&app.pool).await.expect("hash");
    assert_ne!(stored, token, "only a hash of the token is stored");
    assert_eq!(stored.len(), 64);

    let preview: Value = app
        .call(&app.client(), "studios/invitation", &[("token", token.as_str())])
        .await
        .json()
        .await
        .expect("preview");
    assert_eq!(preview["role"], "mentor");
    assert_eq!(preview["problem"], Value::Null);

    // Anonymous visitors must sign in; members are members already.
    assert_status(
        &app.call(&app.client(), "studios/accept-invitation", &[("token", token.as_str())]).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_status(
        &app.call(studio.client(Role::Mentee), "studios/accept-invitation", &[("token", token.as_str())]).await,
        StatusCode::CONFLICT,
    );

    let newcomer = registered(&app, "newcomer@school.cn").await;
    assert_status(
        &app.call(&newcomer, "studios/accept-invitation", &[("token", token.as_str())]).await,
        StatusCode::OK,
    );
    let id = user_id(&app, "newcomer@school.cn").await;
    assert_eq!(active_role(&app, &studio.slug, &id).await.as_deref(), Some("mentor"));

    let late = app.call(studio.client(Role::Outsider), "studios/accept-invitation", &[("token", token.as_str())]).await;
    assert_eq!(error_json(late).await, serde_json::json!({"Refused": {"Studio": "ErrInvitationUsedUp"}}));

    // Expired and revoked links.
    let expired = invitation_token(&app, host, &studio.slug, "1").await;
    sqlx::query("update invitations set expires_at = now() - interval '1 minute' where token_hash = encode(sha256($1::bytea), 'hex')")
        .bind(expired.as_bytes())
        .execute(&app.pool)
        .await
        .expect("expire");
    let response =
        app.call(studio.client(Role::Outsider), "studios/accept-invitation", &[("token", expired.as_str())]).await;
    assert_eq!(error_json(response).await, serde_json::json!({"Refused": {"Studio": "ErrInvitationExpired"}}));

    let revoked = invitation_token(&app, host, &studio.slug, "3").await;
    let invitation_id: uuid::Uuid =
        sqlx::query_scalar("select id from invitations where token_hash = encode(sha256($1::bytea), 'hex')")
            .bind(revoked.as_bytes())
            .fetch_one(&app.pool)
            .await
            .expect("id");
    let invitation_id = invitation_id.to_string();
    let form = [("studio", studio.slug.as_str()), ("invitation", invitation_id.as_str())];
    check_matrix(&app, &studio, "studios/revoke-invitation", &form, &[Role::Host], sign_in_or_forbidden).await;
    let response =
        app.call(studio.client(Role::Outsider), "studios/accept-invitation", &[("token", revoked.as_str())]).await;
    assert_eq!(error_json(response).await, serde_json::json!({"Refused": {"Studio": "ErrInvitationRevoked"}}));

    let unknown = app.call(studio.client(Role::Outsider), "studios/accept-invitation", &[("token", "nope")]).await;
    assert_eq!(error_json(unknown).await, serde_json::json!({"Refused": {"Studio": "ErrInvitationUnknown"}}));

    for (days, uses, field) in
        [("0", "1", "days"), ("91", "1", "days"), ("7", "0", "max_uses"), ("7", "501", "max_uses"), ("x", "1", "days")]
    {
        let bad = app
            .call(
                host,
                "studios/create-invitation",
                &[("studio", studio.slug.as_str()), ("role", "mentee"), ("days", days), ("max_uses", uses)],
            )
            .await;
        assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&error_json(bad).await, field).is_some(), "{days} {uses}");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_studio_page_shows_mentees_to_members_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "page").await;
    for role in ROLES {
        let response = app.call(studio.client(role), "studios/page", &[("slug", studio.slug.as_str())]).await;
        assert_status(&response, StatusCode::OK);
        let page: Value = response.json().await.expect("page");
        let member = matches!(role, Role::Mentee | Role::Mentor | Role::Host);
        assert_eq!(page["members"].is_array(), member, "{role:?}");
        assert_eq!(page["mentee_count"], 1);
        assert_eq!(page["requests"].is_array(), matches!(role, Role::Mentor | Role::Host), "{role:?}");
        assert_eq!(page["invitations"].is_array(), role == Role::Host, "{role:?}");
        let names: Vec<String> = page["activity"]
            .as_array()
            .expect("activity")
            .iter()
            .map(|a| a["who"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(
            names.iter().any(|n| n == "张伟"),
            member,
            "{role:?} sees mentees' names in the activity: {names:?}"
        );
        assert!(names.iter().any(|n| n == "王芳"), "the host's name is public");
    }
    // The page renders, with a Chinese slug in the URL too.
    let html = app.get(&app.client(), &format!("/studios/{}", studio.slug)).await.text().await.expect("html");
    assert!(html.contains("page 数学工作室"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_private_studio_is_invisible_to_outsiders(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host@school.cn").await;
    let slug: String = app
        .call(&host, "studios/create", &studio_form("秘密工作室", "secret-studio", "invite_only", "private"))
        .await
        .json()
        .await
        .expect("slug");
    assert_eq!(slug, "secret-studio");
    let outsider = registered(&app, "outsider@school.cn").await;
    for (client, refused) in [(app.client(), StatusCode::UNAUTHORIZED), (outsider.clone(), StatusCode::NOT_FOUND)] {
        assert_status(&app.call(&client, "studios/page", &[("slug", "secret-studio")]).await, StatusCode::NOT_FOUND);
        assert_status(
            &app.call(&client, "studios/request-to-join", &[("studio", "secret-studio"), ("message", "")]).await,
            refused,
        );
    }
    let found: Value = app
        .call(&outsider, "studios/directory", &[("q", "秘密"), ("subject", ""), ("district", ""), ("page", "1")])
        .await
        .json()
        .await
        .expect("dir");
    assert_eq!(found["total"], 0);
    assert_status(&app.call(&host, "studios/page", &[("slug", "secret-studio")]).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn handing_over_keeps_exactly_one_host(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "hand").await;
    let host = studio.client(Role::Host);
    let remove_host = app
        .call(
            host,
            "studios/remove-member",
            &[("studio", studio.slug.as_str()), ("user", &user_id(&app, "host.hand@school.cn").await)],
        )
        .await;
    assert_eq!(error_json(remove_host).await, serde_json::json!({"Refused": {"Studio": "ErrCannotRemoveHost"}}));
    let to_outsider = app
        .call(
            host,
            "studios/hand-over",
            &[("studio", studio.slug.as_str()), ("user", &user_id(&app, "outsider.hand@school.cn").await)],
        )
        .await;
    assert_eq!(error_json(to_outsider).await, serde_json::json!({"Refused": {"Studio": "ErrNoSuchMember"}}));

    assert_status(
        &app.call(host, "studios/hand-over", &[("studio", studio.slug.as_str()), ("user", studio.mentee_id.as_str())])
            .await,
        StatusCode::OK,
    );
    let hosts: i64 = sqlx::query_scalar("select count(*) from memberships where role = 'host' and status = 'active'")
        .fetch_one(&app.pool)
        .await
        .expect("hosts");
    assert_eq!(hosts, 1);
    let host_id: uuid::Uuid =
        sqlx::query_scalar("select host_id from studios").fetch_one(&app.pool).await.expect("host");
    assert_eq!(host_id.to_string(), studio.mentee_id);
    // The old host stays as a mentor and may now leave.
    assert_status(&app.call(host, "studios/leave", &[("studio", studio.slug.as_str())]).await, StatusCode::OK);
    assert_status(
        &app.call(studio.client(Role::Mentee), "studios/leave", &[("studio", studio.slug.as_str())]).await,
        StatusCode::CONFLICT,
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn studio_input_is_checked_and_slugs_are_unique(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host@school.cn").await;
    let anonymous = app.call(&app.client(), "studios/create", &studio_form("工作室", "", "open", "public")).await;
    assert_status(&anonymous, StatusCode::UNAUTHORIZED);

    let long_name = "名".repeat(81);
    let cases = [
        ("name", "", "ErrRequired"),
        ("name", long_name.as_str(), "ErrTooLong"),
        ("name", "<script>alert(1)</script>", "ErrCharsNotAllowed"),
        ("slug", "Bad Slug", "ErrSlugFormat"),
        ("visibility", "everyone", "ErrChoiceUnknown"),
        ("join_policy", "maybe", "ErrChoiceUnknown"),
        ("subject", "", "ErrRequired"),
    ];
    for (field, value, expected) in cases {
        let mut form = studio_form("好名字工作室", "", "open", "public");
        for pair in form.iter_mut() {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let response = app.call(&host, "studios/create", &form).await;
        assert_status(&response, StatusCode::UNPROCESSABLE_ENTITY);
        let error = error_json(response).await;
        let got = field_error(&error, field).unwrap_or_default();
        assert!(got.ends_with(expected), "{field}={value}: {error}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from studios").fetch_one(&app.pool).await.expect("count");
    assert_eq!(count, 0, "nothing stored");

    // The same name twice: the derived slug gets a suffix; a typed slug that is taken is refused.
    let first: String = app
        .call(&host, "studios/create", &studio_form("王芳 初中数学", "", "open", "public"))
        .await
        .json()
        .await
        .expect("slug");
    let second: String = app
        .call(&host, "studios/create", &studio_form("王芳 初中数学", "", "open", "public"))
        .await
        .json()
        .await
        .expect("slug");
    assert_eq!(first, "王芳-初中数学");
    assert_eq!(second, "王芳-初中数学-2");
    let taken = app.call(&host, "studios/create", &studio_form("另一个", "王芳-初中数学", "open", "public")).await;
    assert_status(&taken, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(taken).await, "slug").as_deref(), Some("Studio:ErrSlugTaken"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_directory_finds_studios_by_part_of_a_chinese_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host@school.cn").await;
    for (name, subject, district) in [
        ("王芳初中数学名师工作室", "数学", "西湖区"),
        ("Carter English Reading Studio", "English", "滨江区"),
        ("李华语文工作室", "语文", "西湖区"),
    ] {
        let mut form = studio_form(name, "", "open", "public");
        form[3] = ("subject", subject);
        form[4] = ("district", district);
        assert_status(&app.call(&host, "studios/create", &form).await, StatusCode::OK);
    }
    let search = |q: &'static str, subject: &'static str, district: &'static str| {
        let host = host.clone();
        let app = &app;
        async move {
            let page: Value = app
                .call(
                    &host,
                    "studios/directory",
                    &[("q", q), ("subject", subject), ("district", district), ("page", "1")],
                )
                .await
                .json()
                .await
                .expect("page");
            page["studios"]
                .as_array()
                .expect("list")
                .iter()
                .map(|s| s["name"].as_str().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        }
    };
    // A private studio's subject and district are no choice in the directory.
    let mut private = studio_form("物理私享工作室", "", "open", "private");
    private[3] = ("subject", "物理");
    private[4] = ("district", "上城区");
    assert_status(&app.call(&host, "studios/create", &private).await, StatusCode::OK);
    let page: Value = app
        .call(&host, "studios/directory", &[("q", ""), ("subject", ""), ("district", ""), ("page", "1")])
        .await
        .json()
        .await
        .expect("page");
    let (subjects, districts): (Vec<String>, Vec<String>) = sqlx::query_as(
        "select array_agg(distinct subject order by subject), array_agg(distinct district order by district)
         from studios where visibility = 'public'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("choices");
    assert_eq!(subjects.len(), 3);
    assert_eq!(page["subjects"], serde_json::json!(subjects), "each listed subject once, in order");
    assert_eq!(page["districts"], serde_json::json!(districts), "each listed district once, in order");

    assert_eq!(search("数学名师", "", "").await, vec!["王芳初中数学名师工作室"]);
    assert_eq!(search("reading", "", "").await, vec!["Carter English Reading Studio"]);
    assert_eq!(search("", "", "西湖区").await.len(), 2);
    assert_eq!(search("", "语文", "").await, vec!["李华语文工作室"]);
    assert_eq!(search("100%", "", "").await.len(), 0, "LIKE wildcards are matched literally");
    // Most recently active first, and scheduling a lesson is activity too.
    assert_eq!(search("", "", "").await[0], "李华语文工作室");
    sqlx::query(
        "insert into open_lessons (id, studio_id, teacher_id, title, subject, grade, starts_at, ends_at, time_zone, mode, place, capacity)
         select gen_random_uuid(), id, host_id, '研究课', '数学', '八年级', now() + interval '3 days', now() + interval '3 days 45 minutes',
                'Asia/Shanghai', 'in_person', '301', 30
         from studios where name = '王芳初中数学名师工作室'",
    )
    .execute(&app.pool)
    .await
    .expect("lesson");
    assert_eq!(search("", "", "").await[0], "王芳初中数学名师工作室");

    let slug: String = sqlx::query_scalar("select slug from studios where name = '李华语文工作室'")
        .fetch_one(&app.pool)
        .await
        .expect("slug");
    assert_status(&app.call(&host, "studios/archive", &[("studio", slug.as_str())]).await, StatusCode::OK);
    assert_eq!(search("", "", "西湖区").await.len(), 1, "archived studios leave the directory");
    let edit = app
        .call(
            &host,
            "studios/update",
            &[
                ("studio", slug.as_str()),
                ("name", "x"),
                ("description", ""),
                ("subject", "语文"),
                ("district", "西湖区"),
                ("school", ""),
                ("visibility", "public"),
                ("join_policy", "open"),
            ],
        )
        .await;
    assert_eq!(error_json(edit).await, serde_json::json!({"Refused": {"Studio": "ErrArchived"}}));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn my_studios_lists_every_standing_and_the_requests_to_decide(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "mine").await;
    let mine = |role: Role| {
        let client = studio.client(role).clone();
        let app = &app;
        async move { app.call(&client, "studios/mine", &[]).await }
    };
    assert_status(&mine(Role::Anonymous).await, StatusCode::UNAUTHORIZED);
    let count = |v: &Value, key: &str| v[key].as_array().map(Vec::len).unwrap_or(99);
    let host: Value = mine(Role::Host).await.json().await.expect("json");
    assert_eq!((count(&host, "hosting"), count(&host, "to_decide")), (1, 1));
    let mentor: Value = mine(Role::Mentor).await.json().await.expect("json");
    assert_eq!((count(&mentor, "mentoring"), count(&mentor, "to_decide")), (1, 1));
    let mentee: Value = mine(Role::Mentee).await.json().await.expect("json");
    assert_eq!((count(&mentee, "member_of"), count(&mentee, "to_decide")), (1, 0));
    let pending: Value = mine(Role::Pending).await.json().await.expect("json");
    assert_eq!(count(&pending, "pending_requests"), 1);

    // A declined requester reads the reply.
    let decline = [
        ("studio", studio.slug.as_str()),
        ("user", studio.pending_id.as_str()),
        ("decision", "decline"),
        ("message", "本学期名额已满，欢迎下学期再来"),
    ];
    assert_status(&app.call(studio.client(Role::Host), "studios/decide-request", &decline).await, StatusCode::OK);
    let declined: Value = mine(Role::Pending).await.json().await.expect("json");
    assert_eq!(count(&declined, "pending_requests"), 0);
    assert_eq!(declined["declined_requests"][0][1], "本学期名额已满，欢迎下学期再来");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_non_members_join_an_open_studio(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "open").await;
    let open = [
        ("studio", studio.slug.as_str()),
        ("name", "open 数学工作室"),
        ("description", ""),
        ("subject", "数学"),
        ("district", "西湖区"),
        ("school", ""),
        ("visibility", "public"),
        ("join_policy", "open"),
    ];
    assert_status(&app.call(studio.client(Role::Host), "studios/update", &open).await, StatusCode::OK);
    check_matrix(&app, &studio, "studios/join", &[("studio", studio.slug.as_str())], &[Role::Outsider], |role| {
        match role {
            Role::Anonymous => StatusCode::UNAUTHORIZED,
            _ => StatusCode::CONFLICT,
        }
    })
    .await;
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn an_invitation_admits_outsiders_and_requesters_but_not_members(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "accept").await;
    let token = invitation_token(&app, studio.client(Role::Host), &studio.slug, "7").await;
    let form = [("token", token.as_str())];
    // A pending requester is let in by the invitation, just like an outsider.
    check_matrix(
        &app,
        &studio,
        "studios/accept-invitation",
        &form,
        &[Role::Pending, Role::Outsider],
        |role| match role {
            Role::Anonymous => StatusCode::UNAUTHORIZED,
            _ => StatusCode::CONFLICT,
        },
    )
    .await;
    assert_eq!(active_role(&app, &studio.slug, &studio.pending_id).await.as_deref(), Some("mentee"));
    assert_status(&app.call(studio.client(Role::Outsider), "studios/accept-invitation", &form).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn everyone_sees_the_same_directory(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = studio_with_everyone(&app, "dir").await;
    let form = [("q", "数学"), ("subject", ""), ("district", ""), ("page", "1")];
    let mut pages = Vec::new();
    for role in ROLES {
        let response = app.call(studio.client(role), "studios/directory", &form).await;
        assert_status(&response, StatusCode::OK);
        let page: Value = response.json().await.expect("page");
        pages.push(page["studios"].clone());
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]), "the directory does not depend on who asks");
    assert_eq!(pages[0].as_array().map(Vec::len), Some(1));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn markup_in_a_description_is_shown_as_text_everywhere(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host@school.cn").await;
    let xss = "</textarea><script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut form = studio_form("安全工作室", "safe-studio", "open", "public");
    form[2] = ("description", xss);
    assert_status(&app.call(&host, "studios/create", &form).await, StatusCode::OK);
    for path in ["/studios/safe-studio", "/studios/safe-studio/edit", "/studios"] {
        let html = app.get(&host, path).await.text().await.expect("html");
        assert!(!html.contains("<script>alert(1)") && !html.contains("<img src=x"), "{path} renders the markup");
        assert!(html.contains("&lt;script&gt;alert(1)") || path == "/studios", "{path} shows the text");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_long_name_taken_twice_still_gets_a_slug_within_the_limit(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let host = registered(&app, "host.long@school.cn").await;
    let name = "a".repeat(70);
    let mut slugs = Vec::new();
    for _ in 0..3 {
        let created = app.call(&host, "studios/create", &studio_form(&name, "", "request", "public")).await;
        assert_status(&created, StatusCode::OK);
        slugs.push(created.json::<String>().await.expect("slug"));
    }
    assert!(slugs.iter().all(|s| s.chars().count() <= 60), "{slugs:?}");
    assert_eq!(slugs[1], format!("{}-2", "a".repeat(58)));
    slugs.dedup();
    assert_eq!(slugs.len(), 3, "three different slugs");
}
