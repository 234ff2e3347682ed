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
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_new_profile_is_linked_to_the_listed_school_it_names(pool: PgPool) {
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
    let linked: Vec<(String, Option<String>)> = sqlx::query_as(
        "select u.email, s.name from users u left join schools s on s.id = u.school_id
         where u.email in ('new@school.cn', 'elsewhere@school.cn') order by u.email",
    )
    .fetch_all(&pool)
    .await
    .expect("links");
    assert_eq!(linked, [("elsewhere@school.cn".into(), None), ("new@school.cn".into(), Some("西湖区实验中学".into()))]);
}
