//! Districts and schools as rows: the move from free text, the command-line grant, scoped admins.

use crate::support::builders;
use crate::support::{assert_status, registration, TestApp};
use reqwest::StatusCode;
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use std::borrow::Cow;

/// The migration that turned names into rows.
const DISTRICTS_MIGRATION: i64 = 20261130000000;

#[sqlx::test(migrations = false)]
async fn free_text_districts_and_schools_become_one_row_per_trimmed_name(pool: PgPool) {
    let before = Migrator {
        migrations: Cow::Owned(
            server::startup::MIGRATOR.iter().filter(|m| m.version < DISTRICTS_MIGRATION).cloned().collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.expect("earlier migrations");
    sqlx::query(
        "insert into users (id, email, password_hash, display_name, school, district, is_district_admin) values
           (gen_random_uuid(), 'a@x.cn', 'h', 'A', '实验中学', '西湖区', false),
           (gen_random_uuid(), 'b@x.cn', 'h', 'B', ' 实验中学 ', ' 西湖区', false),
           (gen_random_uuid(), 'c@x.cn', 'h', 'C', '实验中学', '滨江区', false),
           (gen_random_uuid(), 'd@x.cn', 'h', 'D', '', '萧山区', true),
           (gen_random_uuid(), 'e@x.cn', 'h', 'E', '', '', false)",
    )
    .execute(&pool)
    .await
    .expect("users as text");
    sqlx::query(
        "insert into studios (id, slug, name, district, school, host_id)
         select gen_random_uuid(), 'studio', '工作室', '西湖区 ', '文澜中学', id from users where email = 'a@x.cn'",
    )
    .execute(&pool)
    .await
    .expect("a studio as text");
    server::startup::MIGRATOR.run(&pool).await.expect("the rest");

    let districts: Vec<String> =
        sqlx::query_scalar("select name from districts order by name").fetch_all(&pool).await.expect("districts");
    assert_eq!(districts, ["滨江区", "萧山区", "西湖区"]);
    let schools: Vec<(String, String)> =
        sqlx::query_as("select d.name, s.name from schools s join districts d on d.id = s.district_id order by 1, 2")
            .fetch_all(&pool)
            .await
            .expect("schools");
    assert_eq!(
        schools,
        [
            ("滨江区".into(), "实验中学".into()),
            ("西湖区".into(), "实验中学".into()),
            ("西湖区".into(), "文澜中学".into())
        ],
        "the same name in two districts is two schools"
    );
    let linked: Vec<(String, Option<String>)> = sqlx::query_as(
        "select u.email, s.name from users u left join schools s on s.id = u.school_id order by u.email",
    )
    .fetch_all(&pool)
    .await
    .expect("links");
    assert_eq!(linked[0], ("a@x.cn".into(), Some("实验中学".into())));
    assert_eq!(linked[1], ("b@x.cn".into(), Some("实验中学".into())));
    let same: bool =
        sqlx::query_scalar("select count(distinct school_id) = 1 from users where email in ('a@x.cn', 'b@x.cn')")
            .fetch_one(&pool)
            .await
            .expect("same school");
    assert!(same, "trimmed text is the same school");
    assert_eq!(linked[3].1, None, "no school named");
    let admins: Vec<(String, String)> = sqlx::query_as(
        "select u.email, d.name from district_admins a join users u on u.id = a.user_id join districts d on d.id = a.district_id",
    )
    .fetch_all(&pool)
    .await
    .expect("admins");
    assert_eq!(admins, [("d@x.cn".into(), "萧山区".into())], "the admin flag became a scoped role");
    let studio_school: Option<String> =
        sqlx::query_scalar("select s.name from studios st join schools s on s.id = st.school_id")
            .fetch_optional(&pool)
            .await
            .expect("studio school");
    assert_eq!(studio_school.as_deref(), Some("文澜中学"));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_command_line_grants_a_district_admin_and_creates_a_new_district(pool: PgPool) {
    builders::user(&pool, "chen@district.cn", "陈老师", false).await;
    let database = pool.connect_options().get_database().expect("database name").to_owned();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let url = format!("{}/{database}", base.rsplit_once('/').expect("a database url").0);
    let grant = |email: &'static str, district: &'static str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["grant", "district-admin", email, district])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the server binary")
    };
    let first = grant("Chen@District.cn", " 临平区 ");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("created the district"));
    let again = grant("chen@district.cn", "临平区");
    assert!(again.status.success());
    let admins: Vec<String> = sqlx::query_scalar(
        "select d.name from district_admins a join districts d on d.id = a.district_id join users u on u.id = a.user_id
         where u.email = 'chen@district.cn'",
    )
    .fetch_all(&pool)
    .await
    .expect("admins");
    assert_eq!(admins, ["临平区"], "granted once, the name trimmed");
    let nobody = grant("nobody@district.cn", "临平区");
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user has the email"));
    let unnamed = grant("chen@district.cn", "  ");
    assert!(!unnamed.status.success(), "a district needs a name");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_district_admin_stands_as_admin_only_for_studios_of_their_own_district(pool: PgPool) {
    let host = builders::user(&pool, "host@school.cn", "王芳", false).await;
    let studio = builders::studio(&pool, "math", "数学工作室", host).await;
    let own = builders::user(&pool, "own@district.cn", "西湖区管理员", true).await;
    let other = builders::user(&pool, "other@district.cn", "滨江区管理员", false).await;
    builders::district_admin_of(&pool, "other@district.cn", "滨江区").await;
    // The studio names 西湖区实验中学 of 西湖区; that school is listed once someone adopts it.
    sqlx::query("update studios set school = '西湖区实验中学' where id = $1")
        .bind(studio)
        .execute(&pool)
        .await
        .expect("school");
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    let standing = |user| app::studios::store::standing(&pool, studio, Some(user));
    assert!(standing(own).await.expect("standing").district_admin);
    assert!(!standing(other).await.expect("standing").district_admin);
    assert!(!standing(host).await.expect("standing").district_admin);
    // Studio pages read the studio and the same standing in one statement.
    let by_slug = |user| app::studios::store::studio_and_standing(&pool, "math", user);
    for user in [own, other, host] {
        let (row, together) = by_slug(Some(user)).await.expect("studio").expect("found");
        assert_eq!(row.id, studio);
        assert_eq!(together, standing(user).await.expect("standing"));
    }
    let (_, visitor) = by_slug(None).await.expect("studio").expect("found");
    assert_eq!(visitor, app::studios::rules::Standing::ANONYMOUS);
    let missing = app::studios::store::studio_and_standing(&pool, "no-such-studio", Some(host)).await.expect("query");
    assert!(missing.is_none());
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_new_profile_is_linked_to_the_school_it_names_listed_or_requested(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    builders::user(&pool, "first@school.cn", "李明", false).await;
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    // registration() names 西湖区实验中学 of 西湖区, now a listed school.
    assert_status(
        &app.call(&app.client(), "auth/register", &registration("new@school.cn", "lesson-study-2026")).await,
        StatusCode::OK,
    );
    let mut form = registration("elsewhere@school.cn", "lesson-study-2026");
    form[3] = ("school", "没有列出的学校");
    assert_status(&app.call(&app.client(), "auth/register", &form).await, StatusCode::OK);
    let linked: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select u.email, s.name, s.status from users u left join schools s on s.id = u.school_id
         where u.email in ('new@school.cn', 'elsewhere@school.cn') order by u.email",
    )
    .fetch_all(&pool)
    .await
    .expect("links");
    assert_eq!(
        linked,
        [
            ("elsewhere@school.cn".into(), Some("没有列出的学校".into()), Some("requested".into())),
            ("new@school.cn".into(), Some("西湖区实验中学".into()), Some("listed".into()))
        ],
        "an unlisted school is asked for"
    );
}

/// A teacher of 西湖区实验中学, a leader of that school, a leader of 文澜中学 (also 西湖区), the admin
/// of 西湖区 and the admin of 滨江区.
struct Leaders {
    teacher: uuid::Uuid,
    own_leader: uuid::Uuid,
    other_leader: uuid::Uuid,
    own_admin: uuid::Uuid,
    other_admin: uuid::Uuid,
}

async fn leaders(pool: &PgPool) -> Leaders {
    let teacher = builders::user(pool, "teacher@school.cn", "李明", false).await;
    let own_leader = builders::user(pool, "leader@school.cn", "校长", false).await;
    let other_leader = builders::user(pool, "leader@wenlan.cn", "文澜校长", false).await;
    sqlx::query("update users set school = '文澜中学' where id = $1")
        .bind(other_leader)
        .execute(pool)
        .await
        .expect("school");
    let own_admin = builders::user(pool, "admin@xihu.cn", "西湖区管理员", true).await;
    let other_admin = builders::user(pool, "admin@binjiang.cn", "滨江区管理员", false).await;
    builders::district_admin_of(pool, "admin@binjiang.cn", "滨江区").await;
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    sqlx::query("insert into school_leaders (school_id, user_id) select school_id, id from users where id = any($1)")
        .bind(vec![own_leader, other_leader])
        .execute(pool)
        .await
        .expect("leaders");
    Leaders { teacher, own_leader, other_leader, own_admin, other_admin }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_record_is_shared_only_with_whom_the_teacher_allows_and_switching_off_is_at_once(pool: PgPool) {
    use app::districts::ViewerCapacity::{DistrictAdmin, SchoolLeader};
    let app = TestApp::spawn(pool.clone()).await;
    let l = leaders(&pool).await;
    let teacher = app.client();
    assert_status(&app.sign_in(&teacher, "teacher@school.cn", builders::PASSWORD).await, StatusCode::OK);
    let access = |viewer| app::districts::store::record_access(&pool, viewer, l.teacher);
    let everyone = [l.own_leader, l.other_leader, l.own_admin, l.other_admin];
    let who_may = || async {
        let mut may = Vec::new();
        for viewer in everyone {
            may.push(access(viewer).await.expect("access"));
        }
        may
    };

    let sharing: serde_json::Value = app.call(&teacher, "district/sharing", &[]).await.json().await.expect("sharing");
    assert_eq!(sharing["with_school"], false, "off by default");
    assert_eq!(sharing["with_district"], false, "off by default");
    assert_eq!(sharing["school"], serde_json::json!(["西湖区实验中学", "西湖区"]));
    assert_eq!(who_may().await, [None, None, None, None]);

    let share = |form: &'static [(&'static str, &'static str)]| app.call(&teacher, "district/set-sharing", form);
    assert_status(&share(&[("with_school", "on")]).await, StatusCode::OK);
    assert_eq!(who_may().await, [Some(SchoolLeader), None, None, None], "only the leader of the teacher's own school");
    assert_status(&share(&[("with_district", "on")]).await, StatusCode::OK);
    assert_eq!(who_may().await, [None, None, Some(DistrictAdmin), None], "only the teacher's own district");
    assert_status(&share(&[]).await, StatusCode::OK);
    assert_eq!(who_may().await, [None, None, None, None], "switched off, at once");

    // Each teacher's switches are their own; nobody signed out may touch them.
    let other = app.client();
    assert_status(&app.sign_in(&other, "leader@school.cn", builders::PASSWORD).await, StatusCode::OK);
    assert_status(&app.call(&other, "district/set-sharing", &[("with_school", "on")]).await, StatusCode::OK);
    assert_eq!(
        access(l.own_leader).await.expect("access"),
        None,
        "the leader shared their own record, not the teacher's"
    );
    for endpoint in ["district/sharing", "district/set-sharing", "district/record-views"] {
        assert_status(&app.call(&app.client(), endpoint, &[]).await, StatusCode::UNAUTHORIZED);
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_teacher_sees_who_opened_their_record_a_page_at_a_time_and_nobody_else_sees_it(pool: PgPool) {
    use app::districts::ViewerCapacity::{DistrictAdmin, SchoolLeader};
    let app = TestApp::spawn(pool.clone()).await;
    let l = leaders(&pool).await;
    let mut conn = pool.acquire().await.expect("connection");
    for i in 0..25 {
        let (viewer, capacity) = if i % 2 == 0 { (l.own_leader, SchoolLeader) } else { (l.own_admin, DistrictAdmin) };
        app::districts::store::log_record_view(&mut conn, viewer, l.teacher, capacity).await.expect("log");
    }
    let teacher = app.client();
    assert_status(&app.sign_in(&teacher, "teacher@school.cn", builders::PASSWORD).await, StatusCode::OK);
    let first: serde_json::Value = app.call(&teacher, "district/record-views", &[]).await.json().await.expect("views");
    assert_eq!(first["views"].as_array().map(Vec::len), Some(20));
    assert_eq!(first["has_more"], true);
    assert!(first["views"]
        .as_array()
        .expect("views")
        .iter()
        .any(|v| v["viewer_name"] == "校长" && v["capacity"] == "school_leader"));
    let second: serde_json::Value =
        app.call(&teacher, "district/record-views", &[("page", "1")]).await.json().await.expect("views");
    assert_eq!(second["views"].as_array().map(Vec::len), Some(5));
    assert_eq!(second["has_more"], false);
    let bad = app.call(&teacher, "district/record-views", &[("page", "-1")]).await;
    assert_status(&bad, StatusCode::BAD_REQUEST);
    let profile = app.get(&teacher, "/profile").await.text().await.expect("html");
    assert!(profile.contains("谁查看过我的档案") && profile.contains("校长"), "the profile page lists the views");
    assert!(profile.contains("/profile?views=1"), "older views are a link away, without JavaScript");

    let leader = app.client();
    assert_status(&app.sign_in(&leader, "leader@school.cn", builders::PASSWORD).await, StatusCode::OK);
    let theirs: serde_json::Value = app.call(&leader, "district/record-views", &[]).await.json().await.expect("views");
    assert_eq!(theirs["views"], serde_json::json!([]), "a viewer does not see the teacher's log");
}

/// Signs a builders-made user in.
async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, builders::PASSWORD).await, StatusCode::OK);
    client
}

async fn school_id(pool: &PgPool, name: &str) -> String {
    sqlx::query_scalar("select id::text from schools where name = $1").bind(name).fetch_one(pool).await.expect("school")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_school_not_in_the_list_is_requested_and_its_districts_admin_confirms_or_merges_it(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let l = leaders(&pool).await;
    // A teacher names a school the district does not list yet; a district nobody runs makes nothing.
    let mut form = registration("new@school.cn", "lesson-study-2026");
    form[3] = ("school", " 西湖区新学校 ");
    assert_status(&app.call(&app.client(), "auth/register", &form).await, StatusCode::OK);
    let mut elsewhere = registration("far@school.cn", "lesson-study-2026");
    elsewhere[4] = ("district", "没有的区");
    assert_status(&app.call(&app.client(), "auth/register", &elsewhere).await, StatusCode::OK);
    let requested: (String, Option<String>) = sqlx::query_as(
        "select s.status, r.email from schools s left join users r on r.id = s.requested_by where s.name = '西湖区新学校'",
    )
    .fetch_one(&pool)
    .await
    .expect("requested school");
    assert_eq!(requested, ("requested".into(), Some("new@school.cn".into())));
    let unlinked: Option<uuid::Uuid> = sqlx::query_scalar("select school_id from users where email = 'far@school.cn'")
        .fetch_one(&pool)
        .await
        .expect("far");
    assert_eq!(unlinked, None);

    let new_school = school_id(&pool, "西湖区新学校").await;
    let own_school = school_id(&pool, "西湖区实验中学").await;
    let merge = [("school", new_school.as_str()), ("into", own_school.as_str())];
    let confirm = [("school", new_school.as_str())];
    // Not theirs: the other district's admin, a school leader, a teacher, nobody signed in.
    for email in ["admin@binjiang.cn", "leader@school.cn", "teacher@school.cn"] {
        let client = signed_in(&app, email).await;
        assert_status(&app.call(&client, "district/merge-school", &merge).await, StatusCode::NOT_FOUND);
        assert_status(&app.call(&client, "district/confirm-school", &confirm).await, StatusCode::NOT_FOUND);
        let list: serde_json::Value = app.call(&client, "district/schools", &[]).await.json().await.expect("list");
        assert!(!list.to_string().contains("西湖区新学校"), "{email} sees nothing of 西湖区");
    }
    assert_status(&app.call(&app.client(), "district/schools", &[]).await, StatusCode::UNAUTHORIZED);

    let admin = signed_in(&app, "admin@xihu.cn").await;
    let list: serde_json::Value = app.call(&admin, "district/schools", &[]).await.json().await.expect("list");
    assert_eq!(list[0]["name"], "西湖区");
    assert_eq!(list[0]["schools"][0]["name"], "西湖区新学校", "requests first");
    assert_eq!(list[0]["schools"][0]["status"], "requested");
    let into_itself = [("school", new_school.as_str()), ("into", new_school.as_str())];
    let refused = app.call(&admin, "district/merge-school", &into_itself).await;
    assert_eq!(
        crate::support::field_error(&crate::support::error_json(refused).await, "into").as_deref(),
        Some("District:ErrMergeTarget")
    );
    assert_status(&app.call(&admin, "district/merge-school", &merge).await, StatusCode::OK);
    let moved: (String, String) = sqlx::query_as(
        "select u.school, s.name from users u join schools s on s.id = u.school_id where u.email = 'new@school.cn'",
    )
    .fetch_one(&pool)
    .await
    .expect("moved");
    assert_eq!(moved, ("西湖区实验中学".into(), "西湖区实验中学".into()), "the teacher and their profile text moved");
    let gone: i64 = sqlx::query_scalar("select count(*) from schools where name = '西湖区新学校'")
        .fetch_one(&pool)
        .await
        .expect("gone");
    assert_eq!(gone, 0);
    assert_status(&app.call(&admin, "district/confirm-school", &confirm).await, StatusCode::NOT_FOUND);

    // Another request is confirmed: it joins the list, once.
    sqlx::query("update users set school = '求是中学' where id = $1")
        .bind(l.teacher)
        .execute(&pool)
        .await
        .expect("school");
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::place_user(&mut conn, l.teacher).await.expect("request");
    let asked = school_id(&pool, "求是中学").await;
    assert_status(&app.call(&admin, "district/confirm-school", &[("school", &asked)]).await, StatusCode::OK);
    let status: String = sqlx::query_scalar("select status from schools where name = '求是中学'")
        .fetch_one(&pool)
        .await
        .expect("status");
    assert_eq!(status, "listed");
    let again = app.call(&admin, "district/confirm-school", &[("school", &asked)]).await;
    assert_eq!(
        crate::support::error_json(again).await,
        serde_json::json!({"Refused": {"District": "ErrNotRequested"}})
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_districts_admin_names_leaders_only_from_a_schools_own_teachers(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let l = leaders(&pool).await;
    let own_school = school_id(&pool, "西湖区实验中学").await;
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let grant = |email: &'static str| [("school", own_school.clone()), ("email", email.to_owned())];
    let call = |client: &reqwest::Client, endpoint: &'static str, form: [(&'static str, String); 2]| {
        let pairs: Vec<(&str, String)> = form.to_vec();
        let client = client.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, endpoint, &pairs).await
        }
    };
    // What kind of school it is: the admin says; another district's admin cannot; nonsense is refused.
    let kind = |stage: &'static str, location: &'static str| {
        [("school", own_school.clone()), ("stage", stage.to_owned()), ("location", location.to_owned())]
    };
    let update = |client: &reqwest::Client, form: [(&'static str, String); 3]| {
        let client = client.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "district/update-school", &pairs).await
        }
    };
    assert_status(&update(&admin, kind("junior", "rural")).await, StatusCode::OK);
    let kept: (Option<String>, Option<bool>) = sqlx::query_as("select stage, rural from schools where id = $1::uuid")
        .bind(&own_school)
        .fetch_one(&pool)
        .await
        .expect("kind");
    assert_eq!(kept, (Some("junior".into()), Some(true)));
    let bad = update(&admin, kind("university", "suburb")).await;
    let bad = crate::support::error_json(bad).await;
    assert_eq!(crate::support::field_error(&bad, "stage").as_deref(), Some("ErrChoiceUnknown"));
    assert_eq!(crate::support::field_error(&bad, "location").as_deref(), Some("ErrChoiceUnknown"));
    let outsider_admin = signed_in(&app, "admin@binjiang.cn").await;
    assert_status(&update(&outsider_admin, kind("", "")).await, StatusCode::NOT_FOUND);

    let refused = call(&admin, "district/grant-leader", grant("leader@wenlan.cn")).await;
    assert_eq!(
        crate::support::field_error(&crate::support::error_json(refused).await, "email").as_deref(),
        Some("District:ErrNotOfThisSchool"),
        "a teacher of another school"
    );
    let other_admin = signed_in(&app, "admin@binjiang.cn").await;
    assert_status(
        &call(&other_admin, "district/grant-leader", grant("teacher@school.cn")).await,
        StatusCode::NOT_FOUND,
    );
    assert_status(&call(&admin, "district/grant-leader", grant("Teacher@School.cn")).await, StatusCode::OK);
    let leaders: i64 = sqlx::query_scalar("select count(*) from school_leaders where user_id = $1")
        .bind(l.teacher)
        .fetch_one(&pool)
        .await
        .expect("leaders");
    assert_eq!(leaders, 1);
    let revoke = [("school", own_school.clone()), ("user", l.teacher.to_string())];
    assert_status(&call(&other_admin, "district/revoke-leader", revoke.clone()).await, StatusCode::NOT_FOUND);
    assert_status(&call(&admin, "district/revoke-leader", revoke.clone()).await, StatusCode::OK);
    assert_status(&call(&admin, "district/revoke-leader", revoke).await, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_school_list_hides_teacher_counts_under_k_and_one_more_so_the_total_cannot_tell(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    leaders(&pool).await;
    // 西湖区实验中学 and 文澜中学 have a few teachers each (their leaders named on the page); ten
    // more teachers make a third school large enough to show.
    for i in 0..10 {
        let id = builders::user(&pool, &format!("t{i}@big.cn"), "教师", false).await;
        sqlx::query("update users set school = '大学校' where id = $1").bind(id).execute(&pool).await.expect("school");
    }
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    let admin = signed_in(&app, "admin@xihu.cn").await;
    let list: serde_json::Value = app.call(&admin, "district/schools", &[]).await.json().await.expect("list");
    let schools = list[0]["schools"].as_array().expect("schools");
    let teachers = |name: &str| schools.iter().find(|s| s["name"] == name).map(|s| s["teachers"].clone());
    assert_eq!(teachers("西湖区实验中学"), Some(serde_json::Value::Null));
    assert_eq!(teachers("文澜中学"), Some(serde_json::Value::Null));
    assert_eq!(teachers("大学校"), Some(serde_json::json!(10)));
    let total: i64 = sqlx::query_scalar(
        "select count(*) from users u join schools s on s.id = u.school_id join districts d on d.id = s.district_id
         where d.name = '西湖区'",
    )
    .fetch_one(&pool)
    .await
    .expect("total");
    assert_eq!(list[0]["teachers"], total, "the total is shown: two hidden cells cannot be told apart");
    assert_eq!(list[0]["min_cell"], 5);
}

/// Every (district, year, teacher) row whose totals disagree with the ledger, whose categories do
/// not add up to the total, whose cycle total is not the sum of the teacher's years of the cycle so
/// far, or whose tier and consent are not the teacher's.
async fn year_totals_off(pool: &PgPool) -> Vec<(uuid::Uuid, String, uuid::Uuid, i64, i64)> {
    sqlx::query_as(
        "with ledger as (
             select s.district_id, quota_year_start(r.occurred_on, coalesce(d.year_start_month, 1)) as year_start,
                    r.user_id, sum((r.hours * 10)::bigint)::bigint as tenths
             from training_records r join schools s on s.id = r.school_id join districts d on d.id = s.district_id
             group by 1, 2, 3
         ),
         cycles as (
             select k.district_id, k.year_start, k.user_id,
                    sum(k.total_tenths) over (
                        partition by k.district_id, k.user_id,
                                     floor((extract(year from k.year_start) - coalesce(d.cycle_start_year, 2026)) / 5)
                        order by k.year_start) as cycle_tenths
             from teacher_year_hours k join districts d on d.id = k.district_id
         )
         select coalesce(k.district_id, r.district_id), coalesce(k.year_start, r.year_start)::text,
                coalesce(k.user_id, r.user_id), coalesce(k.total_tenths, 0), coalesce(r.tenths, 0)
         from teacher_year_hours k
         full join ledger r on r.district_id = k.district_id and r.year_start = k.year_start and r.user_id = k.user_id
         left join cycles c on c.district_id = k.district_id and c.year_start = k.year_start and c.user_id = k.user_id
         left join users u on u.id = k.user_id
         where coalesce(k.total_tenths, 0) <> coalesce(r.tenths, 0)
            or k.online_tenths + k.offline_tenths + k.shadowing_tenths + k.open_lesson_tenths
               + k.lesson_study_tenths + k.course_tenths <> k.total_tenths
            or k.cycle_tenths <> c.cycle_tenths
            or (k.tier, k.shared_with_school, k.shared_with_district)
               <> (u.tier, u.record_shared_with_school, u.record_shared_with_district)",
    )
    .fetch_all(pool)
    .await
    .expect("compare")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn yearly_hour_totals_follow_every_change_to_the_ledger_and_past_years_stay_with_their_school(pool: PgPool) {
    let teacher = builders::user(&pool, "t@school.cn", "李明", false).await;
    let mut conn = pool.acquire().await.expect("connection");
    app::districts::store::adopt_named_schools(&mut conn).await.expect("adopt");
    let insert = |day: &'static str, hours: f64, category: &'static str| {
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category)
             values (gen_random_uuid(), $1, $2::date, $3::numeric(4, 1), $4) returning id",
        )
        .bind(teacher)
        .bind(day)
        .bind(hours)
        .bind(category)
        .fetch_one(&pool)
    };
    let a: uuid::Uuid = sqlx::Row::get(&insert("2025-09-03", 2.5, "offline").await.expect("a"), 0);
    insert("2025-05-01", 1.5, "online").await.expect("last year");
    insert("2026-09-20", 1.0, "offline").await.expect("b");
    insert("2026-10-01", 3.0, "online").await.expect("c");
    assert_eq!(year_totals_off(&pool).await, []);
    // Moved to another year and category, changed, then deleted.
    sqlx::query(
        "update training_records set occurred_on = '2026-10-15', category = 'course', hours = 4.0 where id = $1",
    )
    .bind(a)
    .execute(&pool)
    .await
    .expect("move");
    assert_eq!(year_totals_off(&pool).await, []);
    sqlx::query("delete from training_records where id = $1").bind(a).execute(&pool).await.expect("delete");
    assert_eq!(year_totals_off(&pool).await, []);
    // Twenty credits at once to the same teacher and year lose nothing.
    let at_once = (0..20).map(|_| insert("2026-11-05", 0.5, "open_lesson"));
    for result in futures_util::future::join_all(at_once).await {
        result.expect("insert");
    }
    assert_eq!(year_totals_off(&pool).await, []);
    // Tier and consent reach the year rows at once.
    sqlx::query("update users set tier = 'backbone', record_shared_with_district = true where id = $1")
        .bind(teacher)
        .execute(&pool)
        .await
        .expect("consent");
    assert_eq!(year_totals_off(&pool).await, []);
    let year_row = |year_start: &'static str| {
        sqlx::query_as::<_, (String, i64)>(
            "select s.name, y.total_tenths from teacher_year_hours y join schools s on s.id = y.school_id
             where y.user_id = $1 and y.year_start = $2::date",
        )
        .bind(teacher)
        .bind(year_start)
        .fetch_one(&pool)
    };
    assert_eq!(year_row("2026-01-01").await.expect("2026"), ("西湖区实验中学".to_owned(), 140));

    // The teacher moves school: the current year goes with them, past years stay where they were.
    sqlx::query("update users set school = '文澜中学' where id = $1").bind(teacher).execute(&pool).await.expect("move");
    sqlx::query("update users set school_id = school_for(district, school, id) where id = $1")
        .bind(teacher)
        .execute(&pool)
        .await
        .expect("place");
    insert("2026-11-20", 2.0, "course").await.expect("after the move");
    assert_eq!(year_totals_off(&pool).await, []);
    assert_eq!(year_row("2025-01-01").await.expect("2025"), ("西湖区实验中学".to_owned(), 15));
    assert_eq!(year_row("2026-01-01").await.expect("2026"), ("文澜中学".to_owned(), 160));

    // A new start month regroups the years; each year is the school of its latest credit's.
    sqlx::query("update districts set year_start_month = 9 where name = '西湖区'").execute(&pool).await.expect("month");
    sqlx::query("select rebuild_teacher_year_hours(id) from districts where name = '西湖区'")
        .execute(&pool)
        .await
        .expect("rebuild");
    assert_eq!(year_totals_off(&pool).await, []);
    assert_eq!(year_row("2024-09-01").await.expect("2024/25"), ("西湖区实验中学".to_owned(), 15));
    assert_eq!(year_row("2026-09-01").await.expect("2026/27"), ("文澜中学".to_owned(), 160));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_demo_district_has_small_and_large_schools_and_a_mix_of_consent(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    server::seed::demo(&pool).await.expect("demo data");
    let admin = app.client();
    assert_status(&app.sign_in(&admin, "district.admin@demo.atelier", "atelier-demo").await, StatusCode::OK);
    let list: serde_json::Value = app.call(&admin, "district/schools", &[]).await.json().await.expect("list");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "the admin runs 西湖区 only");
    let schools = list[0]["schools"].as_array().expect("schools");
    let school = |name: &str| schools.iter().find(|s| s["name"] == name).cloned().expect(name);
    assert!(school("西湖区实验中学")["teachers"].as_i64().is_some_and(|n| n >= 5));
    assert!(school("求是中学")["teachers"].as_i64().is_some_and(|n| n >= 5));
    assert_eq!(school("文澜中学")["teachers"], serde_json::Value::Null, "fewer than 5");
    assert_eq!(school("西湖区第二小学")["teachers"], serde_json::Value::Null, "fewer than 5");
    assert_eq!(school("西湖区实验中学")["leaders"][0][1], "周校长");
    let (shared, private): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where record_shared_with_district), count(*) filter (where not record_shared_with_district)
         from users u join schools s on s.id = u.school_id join districts d on d.id = s.district_id where d.name = '西湖区'",
    )
    .fetch_one(&pool)
    .await
    .expect("consent");
    assert!(shared >= 3 && private >= 3, "some shared with the district, some did not: {shared} / {private}");
}
