//! The personal home over real HTTP: each role sees its own cards and nothing of a studio it
//! does not lead; a visitor gets the landing page.

use crate::support::builders::{self, PASSWORD};
use crate::support::{assert_status, TestApp};
use app::home::Home;
use app::studios::StudioRole;
use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    assert_status(&app.sign_in(&client, email, PASSWORD).await, StatusCode::OK);
    client
}

async fn home(app: &TestApp, client: &Client) -> Option<Home> {
    let response = app.call(client, "home", &[]).await;
    assert_status(&response, StatusCode::OK);
    response.json().await.expect("home json")
}

async fn exec(pool: &PgPool, sql: &str, ids: &[Uuid]) {
    ids.iter().fold(sqlx::query(sql), |q, id| q.bind(*id)).execute(pool).await.expect(sql);
}

/// Studio `xihu-math` (host 王老师, mentor 陈老师, mentee 林老师) with the mentee's plan: a goal
/// with a milestone overdue by two days, one due in five, one due in twenty, and one marked done
/// with evidence three days ago; another studio `elsewhere` hosted by 赵老师.
struct World {
    app: TestApp,
    studio: Uuid,
    host: Uuid,
    mentor: Uuid,
    mentee: Uuid,
    goal: Uuid,
    done_milestone: Uuid,
}

async fn world(pool: PgPool) -> World {
    let app = TestApp::spawn(pool).await;
    let pool = &app.pool;
    let host = builders::user(pool, "host@school.cn", "王老师", false).await;
    let mentor = builders::user(pool, "mentor@school.cn", "陈老师", false).await;
    let mentee = builders::user(pool, "mentee@school.cn", "林老师", false).await;
    let outsider = builders::user(pool, "outsider@school.cn", "赵老师", false).await;
    builders::user(pool, "observer@school.cn", "周老师", false).await;
    let studio = builders::studio(pool, "xihu-math", "西湖数学名师工作室", host).await;
    builders::member(pool, studio, mentor, StudioRole::Mentor).await;
    builders::member(pool, studio, mentee, StudioRole::Mentee).await;
    builders::studio(pool, "elsewhere", "别的工作室", outsider).await;
    let (plan, goal, done_milestone) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    exec(pool, "insert into growth_plans (id, studio_id, mentee_id) values ($1, $2, $3)", &[plan, studio, mentee])
        .await;
    exec(
        pool,
        "insert into growth_goals (id, plan_id, title, category, target_stage, due_on)
         values ($1, $2, '上好一节研究课', 'teaching', 'year1', current_date + 60)",
        &[goal, plan],
    )
    .await;
    exec(
        pool,
        "insert into growth_milestones (id, goal_id, title, due_on) values
             (gen_random_uuid(), $1, '写出教学设计', current_date - 2),
             (gen_random_uuid(), $1, '组内试讲', current_date + 5),
             (gen_random_uuid(), $1, '公开展示', current_date + 20)",
        &[goal],
    )
    .await;
    exec(
        pool,
        "insert into growth_milestones (id, goal_id, title, due_on, done_at, evidence)
         values ($1, $2, '听课十节', current_date - 4, now() - interval '3 days', '听课记录十份')",
        &[done_milestone, goal],
    )
    .await;
    World { app, studio, host, mentor, mentee, goal, done_milestone }
}

/// `author` comments on the milestone marked done.
async fn comment_on_done_milestone(w: &World, author: Uuid) {
    exec(
        &w.app.pool,
        "insert into growth_comments (id, goal_id, milestone_id, author_id, body)
         values (gen_random_uuid(), $1, $2, $3, '看过了，记录很完整')",
        &[w.goal, w.done_milestone, author],
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_visitor_gets_no_home_but_the_landing_page(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let anonymous = app.client();
    assert_eq!(home(&app, &anonymous).await, None);
    let page = app.get(&anonymous, "/").await.text().await.expect("page");
    assert!(page.contains("class=\"hero\""), "the landing page");
    assert!(!page.contains("home-hours"), "no personal card for a visitor");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_mentee_sees_what_is_due_and_feedback_new_since_the_last_visit(pool: PgPool) {
    let w = world(pool).await;
    let mentee = signed_in(&w.app, "mentee@school.cn").await;
    exec(
        &w.app.pool,
        "insert into growth_comments (id, goal_id, author_id, body, created_at)
         values (gen_random_uuid(), $1, $2, '设计思路清楚，
         注意留出学生讨论的时间。', now() - interval '1 day')",
        &[w.goal, w.mentor],
    )
    .await;
    let first = home(&w.app, &mentee).await.expect("home");
    let cards = first.mentee.expect("mentee cards");
    let due: Vec<&str> = cards.due.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(due, ["写出教学设计", "组内试讲"], "overdue first, nothing beyond 14 days, nothing done");
    assert_eq!(cards.due_total, 2);
    assert_eq!(cards.due[0].plan_href, format!("/studios/xihu-math/plans/{}", w.mentee));
    assert_eq!(cards.feedback.len(), 1);
    assert_eq!(cards.feedback[0].author, "陈老师");
    assert_eq!(cards.feedback[0].excerpt, "设计思路清楚， 注意留出学生讨论的时间。", "one line");
    assert!(cards.feedback[0].new, "first visit: new");
    assert!(first.lead.is_none(), "a mentee leads nothing");
    assert!(first.dashboard.is_none());
    let again = home(&w.app, &mentee).await.expect("home");
    assert!(!again.mentee.expect("mentee cards").feedback[0].new, "seen on the last visit");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_host_sees_evidence_requests_approvals_and_the_check_in_code_on_the_day(pool: PgPool) {
    let w = world(pool).await;
    let pool = &w.app.pool;
    let mut today = builders::Lesson::new(w.studio, w.mentor);
    today.starts_at = Utc::now();
    today.title = "今天的研究课";
    let today = today.insert(pool).await;
    let mut approval = builders::Lesson::new(w.studio, w.host);
    approval.needs_approval = true;
    approval.title = "需审核的公开课";
    let approval = approval.insert(pool).await;
    let mut later = builders::Lesson::new(w.studio, w.host);
    later.starts_at = Utc::now() + Duration::days(10);
    later.insert(pool).await;
    let observer = signed_in(&w.app, "observer@school.cn").await;
    assert_status(
        &w.app.call(&observer, "lessons/book", &[("lesson_id", &approval.to_string())]).await,
        StatusCode::OK,
    );
    let asker = builders::user(pool, "asker@school.cn", "孙老师", false).await;
    exec(
        pool,
        "insert into memberships (id, studio_id, user_id, role, status) values (gen_random_uuid(), $1, $2, 'mentee', 'pending')",
        &[w.studio, asker],
    )
    .await;

    let host = signed_in(&w.app, "host@school.cn").await;
    let home_of_host = home(&w.app, &host).await.expect("home");
    let lead = home_of_host.lead.expect("lead cards");
    assert_eq!(lead.evidence.len(), 1);
    assert_eq!((lead.evidence[0].mentee.as_str(), lead.evidence[0].milestone.as_str()), ("林老师", "听课十节"));
    assert_eq!(lead.evidence_total, 1);
    assert_eq!(lead.join_requests.len(), 1);
    assert_eq!((lead.join_requests[0].studio_slug.as_str(), lead.join_requests[0].waiting), ("xihu-math", 1));
    assert_eq!(lead.approvals.len(), 1);
    assert_eq!((lead.approvals[0].lesson_id, lead.approvals[0].waiting), (approval, 1));
    let lessons: Vec<(Uuid, Option<&str>)> =
        home_of_host.lessons.iter().map(|l| (l.id, l.checkin_code.as_deref())).collect();
    assert_eq!(lessons, [(today, Some("ABC234")), (approval, None)], "the code only on the day; nothing past 7 days");
    assert!(home_of_host.mentee.is_none());

    // The mentor answers the evidence: it no longer waits, for the host either.
    comment_on_done_milestone(&w, w.mentor).await;
    let mentor = signed_in(&w.app, "mentor@school.cn").await;
    let home_of_mentor = home(&w.app, &mentor).await.expect("home");
    assert!(home_of_mentor.lead.expect("lead cards").evidence.is_empty());
    assert!(home_of_mentor.lessons.iter().any(|l| l.id == today && l.teaching), "the mentor teaches it");
    assert!(home(&w.app, &host).await.expect("home").lead.expect("lead").evidence.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn evidence_answered_only_by_the_mentee_waits_and_waits_again_when_done_anew(pool: PgPool) {
    let w = world(pool).await;
    let pool = &w.app.pool;
    let host = signed_in(&w.app, "host@school.cn").await;
    let waiting = || async { home(&w.app, &host).await.expect("home").lead.expect("lead cards").evidence_total };

    comment_on_done_milestone(&w, w.mentee).await;
    assert_eq!(waiting().await, 1, "the mentee's own comment is no answer");
    exec(pool, "update growth_milestones set done_at = null where id = $1", &[w.done_milestone]).await;
    assert_eq!(waiting().await, 0, "not done, nothing to review");
    comment_on_done_milestone(&w, w.host).await;
    exec(pool, "update growth_milestones set done_at = now() where id = $1", &[w.done_milestone]).await;
    assert_eq!(waiting().await, 1, "done anew: the answer before it does not count");
    comment_on_done_milestone(&w, w.host).await;
    assert_eq!(waiting().await, 0, "answered");
    exec(pool, "update growth_goals set status = 'achieved' where id = $1", &[w.goal]).await;
    exec(pool, "update growth_milestones set done_at = now() where id = $1", &[w.done_milestone]).await;
    assert_eq!(waiting().await, 0, "a goal no longer active asks for nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn evidence_leaves_with_its_mentee_or_goal_and_comes_back_when_they_do(pool: PgPool) {
    let w = world(pool).await;
    let pool = &w.app.pool;
    let host = signed_in(&w.app, "host@school.cn").await;
    let waiting = || async { home(&w.app, &host).await.expect("home").lead.expect("lead cards").evidence_total };
    let membership = "update memberships set status = $3, role = $4 where studio_id = $1 and user_id = $2";
    let set_membership = |status: &'static str, role: &'static str| async move {
        sqlx::query(membership)
            .bind(w.studio)
            .bind(w.mentee)
            .bind(status)
            .bind(role)
            .execute(pool)
            .await
            .expect("update");
    };

    assert_eq!(waiting().await, 1);
    exec(pool, "update growth_goals set status = 'dropped' where id = $1", &[w.goal]).await;
    assert_eq!(waiting().await, 0, "a dropped goal asks for nothing");
    exec(pool, "update growth_goals set status = 'active' where id = $1", &[w.goal]).await;
    assert_eq!(waiting().await, 1, "reopened, its unanswered evidence waits again");

    set_membership("left", "mentee").await;
    assert_eq!(waiting().await, 0, "a mentee who left is no one's to review");
    set_membership("active", "mentee").await;
    assert_eq!(waiting().await, 1, "back in the studio, still unanswered");
    set_membership("active", "mentor").await;
    assert_eq!(waiting().await, 0, "a mentor has no plan to review");
    set_membership("active", "mentee").await;
    assert_eq!(waiting().await, 1);

    // Answered while the mentee was away: it does not come back.
    set_membership("removed", "mentee").await;
    comment_on_done_milestone(&w, w.mentor).await;
    set_membership("active", "mentee").await;
    assert_eq!(waiting().await, 0, "answered meanwhile");
    exec(pool, "delete from memberships where studio_id = $1 and user_id = $2", &[w.studio, w.mentee]).await;
    exec(pool, "update growth_milestones set done_at = now() where id = $1", &[w.done_milestone]).await;
    assert_eq!(waiting().await, 0, "done anew by someone no longer a member: nothing waits");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_host_of_another_studio_sees_nothing_of_this_one(pool: PgPool) {
    let w = world(pool).await;
    let mut today = builders::Lesson::new(w.studio, w.host);
    today.starts_at = Utc::now();
    today.insert(&w.app.pool).await;
    let outsider = signed_in(&w.app, "outsider@school.cn").await;
    let their_home = home(&w.app, &outsider).await.expect("home");
    let lead = their_home.lead.expect("they host a studio");
    assert!(lead.evidence.is_empty() && lead.join_requests.is_empty() && lead.approvals.is_empty());
    assert!(their_home.lessons.is_empty(), "no lesson, and no check-in code, of a studio they do not lead");
    assert!(their_home.mentee.is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_observer_sees_their_bookings_with_the_waitlist_position_and_their_hours(pool: PgPool) {
    let w = world(pool).await;
    let pool = &w.app.pool;
    let mut full = builders::Lesson::new(w.studio, w.host);
    full.capacity = 1;
    let full = full.insert(pool).await;
    let first = signed_in(&w.app, "mentee@school.cn").await;
    assert_status(&w.app.call(&first, "lessons/book", &[("lesson_id", &full.to_string())]).await, StatusCode::OK);
    let observer = signed_in(&w.app, "observer@school.cn").await;
    assert_status(&w.app.call(&observer, "lessons/book", &[("lesson_id", &full.to_string())]).await, StatusCode::OK);
    let observer_id = crate::support::user_id(pool, "observer@school.cn").await;
    exec(
        pool,
        "insert into training_records (id, user_id, occurred_on, hours, category) values (gen_random_uuid(), $1, current_date, 2.5, 'online')",
        &[observer_id],
    )
    .await;
    let their_home = home(&w.app, &observer).await.expect("home");
    assert_eq!(their_home.booked.len(), 1);
    assert_eq!(their_home.booked[0].status, app::lessons::BookingStatus::Waitlisted);
    assert_eq!(their_home.booked[0].waitlist_position, Some(1));
    assert_eq!(their_home.hours.done_tenths, 25);
    assert!(their_home.hours.quota_tenths > 0);
    assert!(their_home.lead.is_none() && their_home.mentee.is_none() && their_home.dashboard.is_none());
    let page = w.app.get(&observer, "/").await.text().await.expect("page");
    for heading in ["我预约的公开课", "进行中的课例研究", "本年度学时", "通知"] {
        assert!(page.contains(heading), "{heading} is on the page without JavaScript");
    }
    assert!(page.contains("候补第 1 位"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_district_admins_home_links_the_dashboard(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    builders::user(&app.pool, "admin@district.cn", "区教研员", true).await;
    let admin = signed_in(&app, "admin@district.cn").await;
    let headline = home(&app, &admin).await.expect("home").dashboard.expect("dashboard headline");
    assert_eq!(headline.href, "/district");
    assert_eq!(headline.name, "西湖区");
    assert_eq!(headline.teachers, None, "fewer teachers than the small-cell minimum");
}
