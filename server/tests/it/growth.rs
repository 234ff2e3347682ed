//! Growth plans and the training-hour ledger over real HTTP, each test on a fresh database: every
//! server function for every role (anonymous, outsider, observer, district admin, mentee — own and
//! another's —, mentor, host), with nothing changed when refused; bad input; the 24-hour day under concurrency.

use crate::support::{assert_status, builders, error_json, field_error, TestApp};
use app::studios::StudioRole;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "lesson-study-2026";
const THREE_YEAR_TRACK: &str = "6f1c1e2a-0000-4000-8000-000000000001";

struct Studio {
    app: TestApp,
    anonymous: Client,
    outsider: Client,
    /// A signed-in teacher in no studio, and a district admin: neither sees a plan or ledger.
    observer: Client,
    district_admin: Client,
    mentee: Client,
    other_mentee: Client,
    mentor: Client,
    host: Client,
    mentee_id: Uuid,
    other_mentee_id: Uuid,
    host_id: Uuid,
}

async fn user(app: &TestApp, email: &str) -> (Client, Uuid) {
    let client = app.client();
    assert_status(&app.register(&client, email, PASSWORD).await, StatusCode::OK);
    let id = sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("user");
    (client, id)
}

/// Studio `xihu-math`: a host, a mentor and two mentees; an outsider who leads another studio.
async fn studio(pool: PgPool) -> Studio {
    let app = TestApp::spawn(pool).await;
    let (host, host_id) = user(&app, "host@school.cn").await;
    let (mentor, mentor_id) = user(&app, "mentor@school.cn").await;
    let (mentee, mentee_id) = user(&app, "mentee@school.cn").await;
    let (other_mentee, other_mentee_id) = user(&app, "other@school.cn").await;
    let (outsider, outsider_id) = user(&app, "outsider@school.cn").await;
    let (observer, _) = user(&app, "observer@school.cn").await;
    let (district_admin, _) = user(&app, "admin@district.cn").await;
    crate::support::builders::district_admin_of(&app.pool, "admin@district.cn", "西湖区").await;
    let studio_id = builders::studio(&app.pool, "xihu-math", "西湖数学名师工作室", host_id).await;
    builders::member(&app.pool, studio_id, mentor_id, StudioRole::Mentor).await;
    builders::member(&app.pool, studio_id, mentee_id, StudioRole::Mentee).await;
    builders::member(&app.pool, studio_id, other_mentee_id, StudioRole::Mentee).await;
    builders::studio(&app.pool, "elsewhere", "别的工作室", outsider_id).await;
    let anonymous = app.client();
    Studio {
        app,
        anonymous,
        outsider,
        observer,
        district_admin,
        mentee,
        other_mentee,
        mentor,
        host,
        mentee_id,
        other_mentee_id,
        host_id,
    }
}

impl Studio {
    async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.app.call(client, endpoint, form).await
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.app.pool).await.expect("count")
    }

    /// A goal with one milestone in the mentee's plan, made by the mentee.
    async fn goal(&self) -> (String, String) {
        let id = self.mentee_id.to_string();
        let r = self.call(&self.mentee, "growth/add-goal", &goal_form(&id, "上好一节公开课").pairs()).await;
        assert_status(&r, StatusCode::OK);
        let goal: Uuid = sqlx::query_scalar("select id from growth_goals order by created_at desc limit 1")
            .fetch_one(&self.app.pool)
            .await
            .expect("goal");
        let goal = goal.to_string();
        let r = self
            .call(
                &self.mentee,
                "growth/add-milestone",
                &[("goal", &goal), ("title", "写好教学设计"), ("due_on", &in_days(20))],
            )
            .await;
        assert_status(&r, StatusCode::OK);
        let ms: Uuid = sqlx::query_scalar("select id from growth_milestones order by created_at desc limit 1")
            .fetch_one(&self.app.pool)
            .await
            .expect("milestone");
        (goal, ms.to_string())
    }
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset")).date_naive()
        + chrono::Duration::days(days))
    .to_string()
}

fn goal_form<'a>(mentee: &'a str, title: &'a str) -> Vec<(&'a str, String)> {
    vec![
        ("studio", "xihu-math".into()),
        ("mentee", mentee.into()),
        ("title", title.into()),
        ("description", "区级公开课".into()),
        ("category", "teaching".into()),
        ("target_stage", "year1".into()),
        ("due_on", in_days(60)),
    ]
}

trait AsForm {
    fn pairs(&self) -> Vec<(&str, &str)>;
}
impl AsForm for Vec<(&str, String)> {
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

async fn status_of(s: &Studio, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> StatusCode {
    s.call(client, endpoint, form).await.status()
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_plan_is_read_by_its_mentee_and_the_studios_leaders_only(pool: PgPool) {
    let s = studio(pool).await;
    let id = s.mentee_id.to_string();
    let form = [("studio", "xihu-math"), ("mentee", id.as_str())];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentee", &s.mentee, StatusCode::OK),
        ("mentor", &s.mentor, StatusCode::OK),
        ("host", &s.host, StatusCode::OK),
    ] {
        assert_eq!(status_of(&s, client, "growth/plan", &form).await, expected, "{who}");
    }
    // The host is no mentee: there is no plan of theirs to read.
    let host = s.host_id.to_string();
    assert_eq!(
        status_of(&s, &s.mentor, "growth/plan", &[("studio", "xihu-math"), ("mentee", &host)]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&s, &s.outsider, "growth/plan", &[("studio", "xihu-math"), ("mentee", &host)]).await,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_the_mentee_edits_their_plan_and_refusals_change_nothing(pool: PgPool) {
    let s = studio(pool).await;
    let id = s.mentee_id.to_string();
    let form = goal_form(&id, "读完《给教师的建议》");
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::FORBIDDEN),
        ("host", &s.host, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "growth/add-goal", &form.pairs()).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from growth_goals").await, 0, "nothing stored");
    let (goal, milestone) = s.goal().await;
    let edit = [
        ("goal", goal.as_str()),
        ("title", "改过的目标"),
        ("category", "research"),
        ("target_stage", "year2"),
        ("due_on", &in_days(90)),
    ];
    let add_ms = [("goal", goal.as_str()), ("title", "别人的里程碑"), ("due_on", &in_days(10))];
    let done = [("milestone", milestone.as_str()), ("done", "true"), ("evidence", "教学设计已完成")];
    let edit_ms = [("milestone", milestone.as_str()), ("title", "改过的里程碑"), ("due_on", &in_days(20))];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::FORBIDDEN),
        ("host", &s.host, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "growth/update-goal", &edit).await, expected, "update-goal {who}");
        assert_eq!(status_of(&s, client, "growth/add-milestone", &add_ms).await, expected, "add-milestone {who}");
        assert_eq!(
            status_of(&s, client, "growth/complete-milestone", &done).await,
            expected,
            "complete-milestone {who}"
        );
        assert_eq!(
            status_of(&s, client, "growth/update-milestone", &edit_ms).await,
            expected,
            "update-milestone {who}"
        );
    }
    assert_eq!(s.count("select count(*) from growth_milestones").await, 1);
    assert_eq!(s.count("select count(*) from growth_milestones where done_at is not null").await, 0);
    assert_eq!(s.count("select count(*) from growth_goals where title = '改过的目标'").await, 0);
    assert_eq!(s.count("select count(*) from growth_milestones where title = '改过的里程碑'").await, 0);

    // The mentee adapts a milestone; an empty title or a date years away is refused.
    let blank = s
        .call(
            &s.mentee,
            "growth/update-milestone",
            &[("milestone", milestone.as_str()), ("title", " "), ("due_on", &in_days(4000))],
        )
        .await;
    assert_status(&blank, StatusCode::UNPROCESSABLE_ENTITY);
    let blank = error_json(blank).await;
    assert!(field_error(&blank, "title").is_some() && field_error(&blank, "due_on").is_some(), "{blank}");
    assert_status(&s.call(&s.mentee, "growth/update-milestone", &edit_ms).await, StatusCode::OK);
    assert_eq!(s.count("select count(*) from growth_milestones where title = '改过的里程碑'").await, 1);

    assert_status(&s.call(&s.mentee, "growth/update-goal", &edit).await, StatusCode::OK);
    assert_status(&s.call(&s.mentee, "growth/complete-milestone", &done).await, StatusCode::OK);
    assert_eq!(
        s.count("select count(*) from growth_goals where title = '改过的目标' and category = 'research'").await,
        1
    );
    assert_eq!(
        s.count("select count(*) from growth_milestones where done_at is not null and evidence = '教学设计已完成'")
            .await,
        1
    );

    // Undoing keeps the evidence to build on; nothing typed is lost.
    assert_status(
        &s.call(&s.mentee, "growth/complete-milestone", &[("milestone", milestone.as_str()), ("done", "false")]).await,
        StatusCode::OK,
    );
    assert_eq!(
        s.count("select count(*) from growth_milestones where done_at is null and evidence = '教学设计已完成'").await,
        1
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn mentors_and_the_host_sign_goals_off_and_the_history_is_kept(pool: PgPool) {
    let s = studio(pool).await;
    let (goal, milestone) = s.goal().await;
    let achieve = [("goal", goal.as_str()), ("decision", "achieve"), ("note", "很好")];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentee", &s.mentee, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "growth/sign-off", &achieve).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from growth_goals where status = 'active'").await, 1);
    assert_status(&s.call(&s.mentor, "growth/sign-off", &achieve).await, StatusCode::OK);
    // Signed off, the goal stays as the mentor signed it until it is reopened.
    let reword = [
        ("goal", goal.as_str()),
        ("title", "改过的目标"),
        ("category", "research"),
        ("target_stage", "year2"),
        ("due_on", &in_days(90)),
    ];
    let undo = [("milestone", milestone.as_str()), ("done", "false")];
    for (endpoint, form) in [
        ("growth/update-goal", &reword[..]),
        ("growth/complete-milestone", &undo[..]),
        ("growth/add-milestone", &[("goal", goal.as_str()), ("title", "再加一个"), ("due_on", &in_days(9))][..]),
    ] {
        let refused = s.call(&s.mentee, endpoint, form).await;
        assert_status(&refused, StatusCode::CONFLICT);
        assert_eq!(error_json(refused).await["Refused"]["Growth"], "ErrGoalSignedOff", "{endpoint}");
    }
    assert_eq!(s.count("select count(*) from growth_goals where title = '改过的目标'").await, 0);
    assert_eq!(s.count("select count(*) from growth_milestones").await, 1);
    // Two leaders signing off at once write one decision.
    assert_status(
        &s.call(&s.mentor, "growth/sign-off", &[("goal", &goal), ("decision", "reopen")]).await,
        StatusCode::OK,
    );
    let both =
        futures_util::future::join_all([&s.mentor, &s.host].map(|c| s.call(c, "growth/sign-off", &achieve))).await;
    assert_eq!(both.iter().filter(|r| r.status() == StatusCode::OK).count(), 1, "one wins");
    assert_eq!(
        both.iter().filter(|r| r.status() == StatusCode::UNPROCESSABLE_ENTITY).count(),
        1,
        "the other is told it is done"
    );
    let again = s.call(&s.host, "growth/sign-off", &achieve).await;
    assert_status(&again, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(again).await, "decision").as_deref(), Some("Growth:ErrAlreadyInStatus"));
    assert_status(
        &s.call(&s.host, "growth/sign-off", &[("goal", &goal), ("decision", "reopen")]).await,
        StatusCode::OK,
    );
    assert_eq!(
        status_of(&s, &s.mentee, "growth/sign-off", &[("goal", &goal), ("decision", "drop")]).await,
        StatusCode::FORBIDDEN
    );
    assert_status(
        &s.call(&s.mentor, "growth/sign-off", &[("goal", &goal), ("decision", "drop"), ("note", "调整方向")]).await,
        StatusCode::OK,
    );
    assert_status(
        &s.call(&s.mentor, "growth/sign-off", &[("goal", &goal), ("decision", "reopen")]).await,
        StatusCode::OK,
    );
    let bogus = s.call(&s.mentor, "growth/sign-off", &[("goal", &goal), ("decision", "delete")]).await;
    assert_status(&bogus, StatusCode::UNPROCESSABLE_ENTITY);
    let kinds: Vec<String> = sqlx::query_scalar("select kind from growth_goal_events order by created_at")
        .fetch_all(&s.app.pool)
        .await
        .expect("events");
    assert_eq!(kinds, ["created", "achieved", "reopened", "achieved", "reopened", "dropped", "reopened"]);

    // Comments: the leaders and the mentee; a milestone of another goal is refused.
    let comment = [("goal", goal.as_str()), ("milestone", milestone.as_str()), ("body", "证据很充分")];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::OK),
        ("host", &s.host, StatusCode::OK),
        ("mentee", &s.mentee, StatusCode::OK),
    ] {
        assert_eq!(status_of(&s, client, "growth/comment", &comment).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from growth_comments").await, 3);
    let (other_goal, _) = s.goal().await;
    let wrong =
        s.call(&s.mentor, "growth/comment", &[("goal", &other_goal), ("milestone", &milestone), ("body", "x")]).await;
    assert_status(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(wrong).await, "milestone").as_deref(), Some("Growth:ErrMilestoneElsewhere"));
    let empty = s.call(&s.mentor, "growth/comment", &[("goal", &goal), ("body", "   ")]).await;
    assert_status(&empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count("select count(*) from growth_comments").await, 3);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn bad_plan_input_gets_translated_field_messages_and_stores_nothing(pool: PgPool) {
    let s = studio(pool).await;
    let id = s.mentee_id.to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        ("title", "".into(), "ErrRequired"),
        ("title", "   ".into(), "ErrRequired"),
        ("title", "字".repeat(201), "ErrTooLong"),
        ("due_on", "2001-01-01".into(), "ErrDueFarInPast"),
        ("due_on", "2100-01-01".into(), "ErrDueTooFar"),
        ("due_on", "2999-01-01".into(), "ErrDateOutOfRange"),
        ("due_on", "not a date".into(), "ErrDateInvalid"),
        ("category", "magic".into(), "ErrChoiceUnknown"),
        ("target_stage", "year9".into(), "ErrChoiceUnknown"),
    ];
    for (field, value, expected) in &cases {
        let mut form = goal_form(&id, "目标");
        for pair in form.iter_mut() {
            if pair.0 == *field {
                pair.1 = value.clone();
            }
        }
        let r = s.call(&s.mentee, "growth/add-goal", &form.pairs()).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let msg = field_error(&error_json(r).await, field).unwrap_or_default();
        assert!(msg == *expected || msg == format!("Growth:{expected}"), "{field} = {value:.20}: {msg}");
    }
    assert_eq!(s.count("select count(*) from growth_goals").await, 0);

    let (goal, milestone) = s.goal().await;
    let r = s.call(&s.mentee, "growth/complete-milestone", &[("milestone", &milestone), ("done", "true")]).await;
    assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(r).await, "evidence").as_deref(), Some("Growth:ErrEvidenceRequired"));
    let r = s
        .call(
            &s.mentee,
            "growth/complete-milestone",
            &[("milestone", &milestone), ("done", "true"), ("links", "javascript:alert(1)")],
        )
        .await;
    assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
    // Another mentee cannot hang a milestone on this goal, nor can anyone on a made-up goal.
    let r = s
        .call(&s.other_mentee, "growth/add-milestone", &[("goal", &goal), ("title", "x"), ("due_on", &in_days(3))])
        .await;
    assert_status(&r, StatusCode::FORBIDDEN);
    let r = s
        .call(
            &s.mentee,
            "growth/add-milestone",
            &[("goal", &Uuid::new_v4().to_string()), ("title", "x"), ("due_on", &in_days(3))],
        )
        .await;
    assert_status(&r, StatusCode::NOT_FOUND);
    assert_eq!(s.count("select count(*) from growth_milestones where done_at is not null").await, 0);
    assert_eq!(s.count("select count(*) from growth_milestones").await, 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_host_applies_the_three_year_track_once_in_each_mentees_language(pool: PgPool) {
    let s = studio(pool).await;
    sqlx::query("update users set locale = 'en' where id = $1")
        .bind(s.other_mentee_id)
        .execute(&s.app.pool)
        .await
        .expect("locale");
    let all = [("studio", "xihu-math"), ("template", THREE_YEAR_TRACK)];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("mentee", &s.mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "growth/apply-template", &all).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from growth_goals").await, 0);

    // First to the chosen mentee only, then to all: the chosen one gets nothing twice.
    let chosen = s.mentee_id.to_string();
    let r = s
        .call(
            &s.host,
            "growth/apply-template",
            &[("studio", "xihu-math"), ("template", THREE_YEAR_TRACK), ("mentees[0]", &chosen)],
        )
        .await;
    assert_status(&r, StatusCode::OK);
    assert_eq!(r.json::<u64>().await.expect("count"), 3);
    let r = s.call(&s.host, "growth/apply-template", &all).await;
    assert_eq!(r.json::<u64>().await.expect("count"), 3, "only the other mentee's goals are new");
    let r = s.call(&s.host, "growth/apply-template", &all).await;
    assert_eq!(r.json::<u64>().await.expect("count"), 0, "applying again adds nothing");
    assert_eq!(s.count("select count(*) from growth_goals").await, 6);
    assert_eq!(s.count("select count(*) from growth_milestones").await, 14);
    assert_eq!(
        s.count("select count(*) from growth_goals where title like 'Year 1%'").await,
        1,
        "in English for the English-speaking mentee"
    );
    assert_eq!(s.count("select count(*) from growth_goals where title like '一年适应%'").await, 1);

    // The mentee adapts their copy; applying again does not undo it.
    let goal: Uuid = sqlx::query_scalar("select g.id from growth_goals g join growth_plans p on p.id = g.plan_id where p.mentee_id = $1 and g.target_stage = 'year1'")
        .bind(s.mentee_id)
        .fetch_one(&s.app.pool)
        .await
        .expect("goal");
    let goal = goal.to_string();
    let edit = [
        ("goal", goal.as_str()),
        ("title", "一年适应：站稳讲台（我的版本）"),
        ("category", "teaching"),
        ("target_stage", "year1"),
        ("due_on", &in_days(300)),
    ];
    assert_status(&s.call(&s.mentee, "growth/update-goal", &edit).await, StatusCode::OK);
    s.call(&s.host, "growth/apply-template", &all).await;
    assert_eq!(s.count("select count(*) from growth_goals where title like '%我的版本%'").await, 1);
    assert_eq!(s.count("select count(*) from growth_goals").await, 6);

    let bad = s.call(&s.host, "growth/apply-template", &[("studio", "xihu-math"), ("template", "nope")]).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_overview_and_its_csv_are_for_the_studios_leaders(pool: PgPool) {
    let s = studio(pool).await;
    s.call(&s.host, "growth/apply-template", &[("studio", "xihu-math"), ("template", THREE_YEAR_TRACK)]).await;
    assert_status(
        &s.call(&s.mentee, "hours/log", &[("occurred_on", &in_days(0)), ("hours", "2.5"), ("category", "online")])
            .await,
        StatusCode::OK,
    );
    sqlx::query("update users set display_name = '张伟, \"小张\"' where id = $1")
        .bind(s.mentee_id)
        .execute(&s.app.pool)
        .await
        .expect("name");
    let form = [("studio", "xihu-math"), ("sort", "hours"), ("desc", "true")];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("mentee", &s.mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::OK),
        ("host", &s.host, StatusCode::OK),
    ] {
        assert_eq!(status_of(&s, client, "growth/overview", &form).await, expected, "{who}");
        let csv = s.app.get(client, "/studios/xihu-math/growth/export.csv").await;
        assert_eq!(csv.status(), expected, "csv {who}");
    }
    let overview: serde_json::Value = s.call(&s.mentor, "growth/overview", &form).await.json().await.expect("json");
    let rows = overview["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["hours_tenths"], 25, "sorted by hours, most first");
    assert_eq!(rows[0]["goals_total"], 3);

    let csv = s.app.get(&s.mentor, "/studios/xihu-math/growth/export.csv").await;
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv; charset=utf-8"));
    assert!(csv.headers()["content-disposition"].to_str().expect("disposition").contains("attachment"));
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 byte-order mark for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("培养对象,"), "{text}");
    assert!(text.contains("\"张伟, \"\"小张\"\"\",0,3,0,2.5,96\r\n"), "{text}");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_past_years_ledger_shows_that_years_records_and_a_year_out_of_range_is_a_field_error(pool: PgPool) {
    use chrono::Datelike;
    let s = studio(pool).await;
    let this_year = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset")).year();
    sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, category)
         values (gen_random_uuid(), $1, make_date($2, 6, 1), 4.5, 'course')",
    )
    .bind(s.mentee_id)
    .bind(this_year - 2)
    .execute(&s.app.pool)
    .await
    .expect("record");
    let past_year = (this_year - 2).to_string();
    let past: serde_json::Value =
        s.call(&s.mentee, "hours/ledger", &[("year", &past_year)]).await.json().await.expect("json");
    assert_eq!(past["year"], this_year - 2);
    assert_eq!(past["is_current"], false);
    assert_eq!(past["total_tenths"], 45);
    assert_eq!(past["records"].as_array().expect("records").len(), 1);
    let now: serde_json::Value = s.call(&s.mentee, "hours/ledger", &[]).await.json().await.expect("json");
    assert_eq!((now["year"].clone(), now["is_current"].clone()), (this_year.into(), true.into()));
    assert_eq!(now["total_tenths"], 0);
    for bad in ["abc".to_owned(), "1999".to_owned(), (this_year + 1).to_string()] {
        let answer = s.call(&s.mentee, "hours/ledger", &[("year", &bad)]).await;
        assert_status(&answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&error_json(answer).await, "year").is_some(), "{bad}");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_ledger_is_seen_by_its_owner_and_the_leaders_of_their_studios(pool: PgPool) {
    let s = studio(pool).await;
    assert_status(
        &s.call(
            &s.mentee,
            "hours/log",
            &[("occurred_on", &in_days(-1)), ("hours", "3"), ("category", "shadowing"), ("description", "跟岗")],
        )
        .await,
        StatusCode::OK,
    );
    let id = s.mentee_id.to_string();
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::OK),
        ("host", &s.host, StatusCode::OK),
        ("mentee", &s.mentee, StatusCode::OK),
    ] {
        assert_eq!(status_of(&s, client, "hours/ledger", &[("user", &id)]).await, expected, "{who}");
    }
    let own: serde_json::Value = s.call(&s.mentee, "hours/ledger", &[]).await.json().await.expect("json");
    assert_eq!(own["total_tenths"], 30);
    assert_eq!(own["quota_tenths"], 960);
    assert_eq!(own["is_own"], true);
    assert_eq!(own["can_verify"], false);

    let record: Uuid =
        sqlx::query_scalar("select id from training_records").fetch_one(&s.app.pool).await.expect("record");
    let record = record.to_string();
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentee herself", &s.mentee, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "hours/verify", &[("record", &record)]).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from training_records where verified_by is not null").await, 0);
    assert_status(&s.call(&s.mentor, "hours/verify", &[("record", &record)]).await, StatusCode::OK);
    assert_eq!(s.count("select count(*) from training_records where verified_by is not null").await, 1);

    // Nobody logs or edits hours for someone else.
    let edit = [("record", record.as_str()), ("occurred_on", &in_days(-1)), ("hours", "1"), ("category", "online")];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("other mentee", &s.other_mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "hours/update", &edit).await, expected, "{who}");
    }
    assert_eq!(status_of(&s, &s.anonymous, "hours/log", &edit[1..]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(s.count("select count(*) from training_records where hours = 3").await, 1);
    assert_status(&s.call(&s.mentee, "hours/update", &edit).await, StatusCode::OK);
    assert_eq!(
        s.count("select count(*) from training_records where hours = 1 and verified_by is null").await,
        1,
        "an edit needs verifying again"
    );
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn bad_hours_get_translated_messages_and_store_nothing(pool: PgPool) {
    let s = studio(pool).await;
    let today = in_days(0);
    let cases: Vec<(&str, String, &str)> = vec![
        ("hours", "-2".into(), "ErrHoursPositive"),
        ("hours", "0".into(), "ErrHoursPositive"),
        ("hours", "25".into(), "ErrHoursTooMany"),
        ("hours", "100000000".into(), "ErrHoursInvalid"),
        ("hours", "1e3".into(), "ErrHoursInvalid"),
        ("hours", "".into(), "ErrRequired"),
        ("occurred_on", in_days(1), "ErrFutureDate"),
        ("occurred_on", "yesterday".into(), "ErrDateInvalid"),
        ("category", "holiday".into(), "ErrChoiceUnknown"),
    ];
    for (field, value, expected) in &cases {
        let mut form: Vec<(&str, String)> =
            vec![("occurred_on", today.clone()), ("hours", "2".into()), ("category", "offline".into())];
        for pair in form.iter_mut() {
            if pair.0 == *field {
                pair.1 = value.clone();
            }
        }
        let r = s.call(&s.mentee, "hours/log", &form.pairs()).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let msg = field_error(&error_json(r).await, field).unwrap_or_default();
        assert!(msg == *expected || msg == format!("Growth:{expected}"), "{field} = {value}: {msg}");
    }
    assert_eq!(s.count("select count(*) from training_records").await, 0);

    // A 25-hour day across records.
    assert_status(
        &s.call(&s.mentee, "hours/log", &[("occurred_on", &today), ("hours", "20"), ("category", "offline")]).await,
        StatusCode::OK,
    );
    let r = s.call(&s.mentee, "hours/log", &[("occurred_on", &today), ("hours", "5"), ("category", "online")]).await;
    assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(r).await, "hours").as_deref(), Some("Growth:ErrDayOver24"));
    assert_status(
        &s.call(&s.mentee, "hours/log", &[("occurred_on", &today), ("hours", "4"), ("category", "online")]).await,
        StatusCode::OK,
    );
    assert_eq!(s.count("select count(*) from training_records").await, 2);

    // A record the system made (an attended open lesson) is not for editing by hand.
    let system = Uuid::new_v4();
    sqlx::query("insert into training_records (id, user_id, occurred_on, hours, category, source_kind, source_id) values ($1, $2, current_date - 2, 2, 'open_lesson', 'booking', $3)")
        .bind(system)
        .bind(s.mentee_id)
        .bind(Uuid::new_v4())
        .execute(&s.app.pool)
        .await
        .expect("system record");
    let system = system.to_string();
    let r = s
        .call(
            &s.mentee,
            "hours/update",
            &[("record", system.as_str()), ("occurred_on", &in_days(-2)), ("hours", "8"), ("category", "open_lesson")],
        )
        .await;
    assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(r).await, "record").as_deref(), Some("Growth:ErrSystemRecord"));
    assert_eq!(s.count("select count(*) from training_records where hours = 8").await, 0);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn concurrent_logs_never_put_more_than_24_hours_in_a_day(pool: PgPool) {
    let s = studio(pool).await;
    let today = in_days(0);
    let calls = (0..12).map(|_| async {
        s.call(&s.mentee, "hours/log", &[("occurred_on", today.as_str()), ("hours", "3"), ("category", "online")])
            .await
            .status()
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(calls).await;
    assert_eq!(statuses.iter().filter(|st| **st == StatusCode::OK).count(), 8, "{statuses:?}");
    assert!(statuses.iter().all(|st| *st == StatusCode::OK || *st == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(s.count("select (sum(hours) * 10)::int8 from training_records").await, 240);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_pages_are_complete_without_javascript(pool: PgPool) {
    let s = studio(pool).await;
    s.call(&s.host, "growth/apply-template", &[("studio", "xihu-math"), ("template", THREE_YEAR_TRACK)]).await;
    s.call(&s.mentee, "hours/log", &[("occurred_on", &in_days(0)), ("hours", "6"), ("category", "course")]).await;
    let hours = s.app.get(&s.mentee, "/hours").await.text().await.expect("html");
    assert!(hours.contains("<svg") && hours.contains("本年度学时 6 / 96 学时"), "chart with its text alternative");
    let plan =
        s.app.get(&s.mentee, &format!("/studios/xihu-math/plans/{}", s.mentee_id)).await.text().await.expect("html");
    assert!(plan.contains("一年适应：站稳讲台") && plan.contains("data-testid=\"goals-chart\""));
    let overview = s.app.get(&s.host, "/studios/xihu-math/growth").await.text().await.expect("html");
    assert!(overview.contains("6 / 96") && overview.contains("export.csv"));
    let refused = s
        .app
        .get(&s.other_mentee, &format!("/studios/xihu-math/plans/{}", s.mentee_id))
        .await
        .text()
        .await
        .expect("html");
    assert!(!refused.contains("一年适应：站稳讲台"), "another mentee sees nothing of the plan");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn the_ledger_links_each_own_record_to_its_edit_form_and_opens_one_at_a_time(pool: PgPool) {
    let s = studio(pool).await;
    for day in [0, 1] {
        s.call(&s.mentee, "hours/log", &[("occurred_on", &in_days(-day)), ("hours", "2"), ("category", "online")])
            .await;
    }
    let ids: Vec<Uuid> = sqlx::query_scalar("select id from training_records order by occurred_on desc")
        .fetch_all(&s.app.pool)
        .await
        .unwrap();
    let page = s.app.get(&s.mentee, "/hours").await.text().await.expect("html");
    assert_eq!(page.matches("name=\"record\"").count(), 0, "no edit form until one is asked for");
    for id in &ids {
        assert!(page.contains(&format!("edit={id}#record-{id}")), "a plain link to edit {id}");
    }

    let editing = s.app.get(&s.mentee, &format!("/hours?edit={}", ids[1])).await.text().await.expect("html");
    assert_eq!(editing.matches("name=\"record\"").count(), 1, "one form");
    assert!(editing.contains(&format!("id=\"ed-date-{}\"", ids[1])) && editing.contains(&in_days(-1)));
    assert!(editing.contains(&format!("edit={}#record-{}", ids[0], ids[0])), "the others keep their links");

    // The host reads the ledger but edits nothing of it.
    let hosts =
        s.app.get(&s.host, &format!("/hours/{}?edit={}", s.mentee_id, ids[1])).await.text().await.expect("html");
    assert!(hosts.contains(" / 96"), "the host sees the ledger");
    assert!(!hosts.contains("id=\"ed-date-") && !hosts.contains("edit="), "no edit form or link for the host");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn only_the_host_defines_templates_and_a_typed_template_applies_once(pool: PgPool) {
    let s = studio(pool).await;
    let lines = "读完一本教育专著\n- 读完前半本\n- 写读书报告\n上一节组内研究课";
    let form = [("studio", "xihu-math"), ("name", "读书与研究"), ("goals", lines)];
    for (who, client, expected) in [
        ("anonymous", &s.anonymous, StatusCode::UNAUTHORIZED),
        ("outsider", &s.outsider, StatusCode::FORBIDDEN),
        ("observer", &s.observer, StatusCode::FORBIDDEN),
        ("district admin", &s.district_admin, StatusCode::FORBIDDEN),
        ("mentee", &s.mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(status_of(&s, client, "growth/create-template", &form).await, expected, "{who}");
    }
    assert_eq!(s.count("select count(*) from growth_templates where studio_id is not null").await, 0);
    for (field, name, goals, expected) in [
        ("name", "", lines, "ErrRequired"),
        ("goals", "x", "- 里程碑在前", "Growth:ErrMilestoneBeforeGoal"),
        ("goals", "x", "  ", "ErrRequired"),
    ] {
        let r = s
            .call(&s.host, "growth/create-template", &[("studio", "xihu-math"), ("name", name), ("goals", goals)])
            .await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&error_json(r).await, field).as_deref(), Some(expected));
    }
    assert_eq!(s.count("select count(*) from growth_templates where studio_id is not null").await, 0);
    assert_status(&s.call(&s.host, "growth/create-template", &form).await, StatusCode::OK);
    let template: Uuid = sqlx::query_scalar("select id from growth_templates where studio_id is not null")
        .fetch_one(&s.app.pool)
        .await
        .expect("template");
    let template = template.to_string();
    let apply = [("studio", "xihu-math"), ("template", template.as_str())];
    assert_eq!(
        s.call(&s.host, "growth/apply-template", &apply).await.json::<u64>().await.expect("n"),
        4,
        "2 goals x 2 mentees"
    );
    assert_eq!(s.call(&s.host, "growth/apply-template", &apply).await.json::<u64>().await.expect("n"), 0);
    assert_eq!(s.count("select count(*) from growth_milestones").await, 4);
    // Another studio cannot use this studio's template.
    let elsewhere =
        s.call(&s.outsider, "growth/apply-template", &[("studio", "elsewhere"), ("template", template.as_str())]).await;
    assert_status(&elsewhere, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn my_plans_lists_the_callers_own_studios_only(pool: PgPool) {
    let s = studio(pool).await;
    assert_eq!(status_of(&s, &s.anonymous, "growth/mine", &[]).await, StatusCode::UNAUTHORIZED);
    s.goal().await;
    let mine: serde_json::Value = s.call(&s.mentee, "growth/mine", &[]).await.json().await.expect("json");
    assert_eq!(mine.as_array().expect("list").len(), 1);
    assert_eq!(mine[0]["role"], "mentee");
    assert_eq!(mine[0]["goals_total"], 1);
    let other: serde_json::Value = s.call(&s.other_mentee, "growth/mine", &[]).await.json().await.expect("json");
    assert_eq!(other[0]["goals_total"], 0, "another mentee's counts are their own");
    let outsider: serde_json::Value = s.call(&s.outsider, "growth/mine", &[]).await.json().await.expect("json");
    assert_eq!(outsider[0]["studio_slug"], "elsewhere");
    assert_eq!(outsider.as_array().expect("list").len(), 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn leaders_verify_mentees_records_only_and_nobody_edits_anothers(pool: PgPool) {
    let s = studio(pool).await;
    assert_status(
        &s.call(&s.host, "hours/log", &[("occurred_on", &in_days(-3)), ("hours", "2"), ("category", "course")]).await,
        StatusCode::OK,
    );
    let record: Uuid =
        sqlx::query_scalar("select id from training_records").fetch_one(&s.app.pool).await.expect("record");
    let record = record.to_string();
    // The mentor may read the host's ledger (they share a studio) but verifies mentees' records only.
    let host = s.host_id.to_string();
    assert_eq!(status_of(&s, &s.mentor, "hours/ledger", &[("user", &host)]).await, StatusCode::OK);
    assert_eq!(status_of(&s, &s.mentor, "hours/verify", &[("record", &record)]).await, StatusCode::FORBIDDEN);
    let edit = [("record", record.as_str()), ("occurred_on", &in_days(-3)), ("hours", "9"), ("category", "course")];
    for (who, client) in [
        ("outsider", &s.outsider),
        ("observer", &s.observer),
        ("district admin", &s.district_admin),
        ("mentee", &s.mentee),
        ("mentor", &s.mentor),
    ] {
        assert_eq!(status_of(&s, client, "hours/update", &edit).await, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        status_of(&s, &s.host, "hours/verify", &[("record", &Uuid::new_v4().to_string())]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.count("select count(*) from training_records where hours = 2 and verified_by is null").await, 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_plain_html_form_post_is_sent_back_to_the_plan(pool: PgPool) {
    let s = studio(pool).await;
    let id = s.mentee_id.to_string();
    let form = goal_form(&id, "不用 JavaScript 的目标");
    let response = s
        .mentee
        .post(format!("{}/api/growth/add-goal", s.app.base))
        .header("accept", "text/html")
        .form(&form.pairs())
        .send()
        .await
        .expect("request");
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().expect("location").to_owned();
    assert_eq!(location, format!("/studios/xihu-math/plans/{id}"));
    assert_eq!(s.count("select count(*) from growth_goals").await, 1);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn an_overdue_goal_can_be_reworded_without_moving_its_date(pool: PgPool) {
    let s = studio(pool).await;
    let (goal, _) = s.goal().await;
    sqlx::query("update growth_goals set due_on = current_date - 100")
        .execute(&s.app.pool)
        .await
        .expect("age the goal");
    let old: chrono::NaiveDate =
        sqlx::query_scalar("select due_on from growth_goals").fetch_one(&s.app.pool).await.expect("due");
    let old = old.to_string();
    let edit = [
        ("goal", goal.as_str()),
        ("title", "改写后的目标"),
        ("category", "teaching"),
        ("target_stage", "year1"),
        ("due_on", old.as_str()),
    ];
    assert_status(&s.call(&s.mentee, "growth/update-goal", &edit).await, StatusCode::OK);
    let moved = [
        ("goal", goal.as_str()),
        ("title", "改写后的目标"),
        ("category", "teaching"),
        ("target_stage", "year1"),
        ("due_on", "2001-01-01"),
    ];
    let r = s.call(&s.mentee, "growth/update-goal", &moved).await;
    assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&error_json(r).await, "due_on").as_deref(), Some("Growth:ErrDueFarInPast"));
    assert_eq!(
        s.count("select count(*) from growth_goals where title = '改写后的目标' and due_on = current_date - 100").await,
        1
    );
}

/// Runs the mentee's change while a sign-off of its goal is in progress (the test holds the
/// goal's row lock, as the sign-off does), then completes the sign-off: the change must see it.
async fn during_a_sign_off(s: &Studio, goal: &str, endpoint: &str, form: &[(&str, &str)]) -> StatusCode {
    let mut signing = s.app.pool.begin().await.expect("tx");
    sqlx::query("select status from growth_goals where id = $1::uuid for update")
        .bind(goal)
        .execute(&mut *signing)
        .await
        .expect("lock");
    let form: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (client, app_base) = (s.mentee.clone(), s.app.base.clone());
    let endpoint = endpoint.to_owned();
    let change = tokio::spawn(async move {
        client.post(format!("{app_base}/api/{endpoint}")).form(&form).send().await.expect("request").status()
    });
    // Wait until the change waits on the goal's row.
    for _ in 0..200 {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        )
        .fetch_one(&s.app.pool)
        .await
        .expect("activity");
        if waiting > 0 || change.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sqlx::query("update growth_goals set status = 'achieved' where id = $1::uuid")
        .bind(goal)
        .execute(&mut *signing)
        .await
        .expect("sign off");
    signing.commit().await.expect("commit");
    change.await.expect("change")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_mentees_change_cannot_land_after_the_goal_is_signed_off(pool: PgPool) {
    let s = studio(pool).await;
    let (goal, milestone) = s.goal().await;
    let mentee = s.mentee_id.to_string();
    let mut edit = goal_form(&mentee, "签字后才到的修改");
    edit.push(("goal", goal.clone()));
    let tries: [(&str, Vec<(&str, String)>); 4] = [
        ("growth/update-goal", edit),
        (
            "growth/add-milestone",
            vec![("goal", goal.clone()), ("title", "签字后才到的里程碑".into()), ("due_on", in_days(9))],
        ),
        (
            "growth/update-milestone",
            vec![("milestone", milestone.clone()), ("title", "签字后改的".into()), ("due_on", in_days(9))],
        ),
        (
            "growth/complete-milestone",
            vec![("milestone", milestone.clone()), ("done", "true".into()), ("evidence", "签字后".into())],
        ),
    ];
    for (endpoint, form) in tries {
        sqlx::query("update growth_goals set status = 'active' where id = $1::uuid")
            .bind(&goal)
            .execute(&s.app.pool)
            .await
            .expect("reopen");
        let before =
            s.count("select count(*) from growth_milestones where done_at is not null or title like '%签字后%'").await
                + s.count("select count(*) from growth_goals where title like '%签字后%'").await;
        let status = during_a_sign_off(&s, &goal, endpoint, &form.pairs()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{endpoint} after the sign-off is refused");
        let after =
            s.count("select count(*) from growth_milestones where done_at is not null or title like '%签字后%'").await
                + s.count("select count(*) from growth_goals where title like '%签字后%'").await;
        assert_eq!(after, before, "{endpoint} changed nothing");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_private_studios_overview_is_not_found_for_outsiders_like_a_missing_studio(pool: PgPool) {
    let s = studio(pool).await;
    sqlx::query("update studios set visibility = 'private' where slug = 'xihu-math'")
        .execute(&s.app.pool)
        .await
        .expect("private");
    for (who, client, expected) in [
        ("outsider", &s.outsider, StatusCode::NOT_FOUND),
        ("observer", &s.observer, StatusCode::NOT_FOUND),
        ("district admin", &s.district_admin, StatusCode::NOT_FOUND),
        // A member knows the studio: being refused the overview is no news to them.
        ("mentee", &s.mentee, StatusCode::FORBIDDEN),
        ("mentor", &s.mentor, StatusCode::OK),
    ] {
        let overview = status_of(&s, client, "growth/overview", &[("studio", "xihu-math")]).await;
        let missing = status_of(&s, client, "growth/overview", &[("studio", "no-such-studio")]).await;
        assert_eq!(overview, expected, "overview {who}");
        assert_eq!(missing, StatusCode::NOT_FOUND, "missing {who}");
        let csv = s.app.get(client, "/studios/xihu-math/growth/export.csv").await.status();
        let missing_csv = s.app.get(client, "/studios/no-such-studio/growth/export.csv").await.status();
        assert_eq!(csv, expected, "csv {who}");
        assert_eq!(missing_csv, StatusCode::NOT_FOUND, "missing csv {who}");
    }
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_mentee_who_changes_their_name_is_listed_under_the_new_name(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@rename.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "rename-studio", "改名工作室", host).await;
    for (email, name) in [("li@rename.cn", "李四"), ("wang@rename.cn", "王五")] {
        let mentee = builders::user(&pool, email, name, false).await;
        builders::member(&pool, studio, mentee, StudioRole::Mentee).await;
    }
    let client = app.client();
    assert_status(&app.sign_in(&client, "host@rename.cn", builders::PASSWORD).await, StatusCode::OK);
    let names = || async {
        let form = [("studio", "rename-studio"), ("sort", "name")];
        let overview: serde_json::Value = app.call(&client, "growth/overview", &form).await.json().await.expect("json");
        overview["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["mentee_name"].as_str().expect("name").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names().await, ["李四", "王五"]);
    sqlx::query("update users set display_name = '赵六' where email = 'li@rename.cn'")
        .execute(&pool)
        .await
        .expect("rename");
    assert_eq!(names().await, ["王五", "赵六"], "listed and sorted under the new name");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_large_studios_overview_pages_by_name_either_way_and_by_hours_over_everyone(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@growth.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "big-studio", "大工作室", host).await;
    // 120 mentees 老师001..老师120; mentee n logged n tenths of an hour this year.
    sqlx::query(
        "with u as (
             insert into users (id, email, password_hash, display_name)
             select gen_random_uuid(), 'm' || i || '@growth.cn', 'x', '老师' || lpad(i::text, 3, '0') from generate_series(1, 120) i
             returning id, display_name
         ), m as (
             insert into memberships (id, studio_id, user_id, role, status)
             select gen_random_uuid(), $1, id, 'mentee', 'active' from u
         )
         insert into training_records (id, user_id, occurred_on, hours, category, description)
         select gen_random_uuid(), id, current_date, substr(display_name, 3)::int / 10.0, 'offline', '自学' from u",
    )
    .bind(studio)
    .execute(&pool)
    .await
    .expect("mentees");
    let client = app.client();
    assert_status(&app.sign_in(&client, "host@growth.cn", builders::PASSWORD).await, StatusCode::OK);
    let names = |sort: &'static str, desc: &'static str, page: &'static str| {
        let (app, client) = (&app, client.clone());
        async move {
            let form = [("studio", "big-studio"), ("sort", sort), ("desc", desc), ("page", page)];
            let overview: serde_json::Value =
                app.call(&client, "growth/overview", &form).await.json().await.expect("json");
            let rows: Vec<String> = overview["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| r["mentee_name"].as_str().expect("name").to_owned())
                .collect();
            (rows, overview["page"].as_u64(), overview["pages"].as_u64())
        }
    };
    let (first, page, pages) = names("name", "false", "1").await;
    assert_eq!(
        (first.len(), first[0].as_str(), first[49].as_str(), page, pages),
        (50, "老师001", "老师050", Some(1), Some(3))
    );
    let (last, page, _) = names("name", "false", "99").await;
    assert_eq!((last.len(), last[0].as_str(), page), (20, "老师101", Some(3)), "a page past the end shows the last");
    let (backwards, _, _) = names("name", "true", "1").await;
    assert_eq!((backwards[0].as_str(), backwards[49].as_str()), ("老师120", "老师071"));
    let (most_hours, _, _) = names("hours", "true", "1").await;
    assert_eq!(most_hours[0], "老师120", "a sort by hours looks at every mentee");
    let (second, _, _) = names("name", "false", "2").await;
    assert_eq!(second[0], "老师051");
}
