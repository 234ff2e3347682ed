//! Demo data (small, realistic, both languages) and scale data (`scale`: synthetic,
//! deterministic, loaded with COPY for benchmarks).

mod scale;
pub use scale::{scale, ScaleSize};

use app::accounts::auth::hash_password;
use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// The password of every demo and scale account.
pub const DEMO_PASSWORD: &str = "atelier-demo";
/// The demo API client's token: known to everyone, so only ever in demo data.
pub const DEMO_API_TOKEN: &str = "atl_76cdde46e2051b6da9155bfb194aeceb46d05d219f2f0a89";

/// The demo sign-ins printed by `scripts/serve`: (email, who they are).
pub const DEMO_ACCOUNTS: &[(&str, &str)] = &[
    ("wang.fang@demo.atelier", "host 领衔人 · 王芳初中数学名师工作室"),
    ("emily.carter@demo.atelier", "host · Carter English Reading Studio"),
    ("li.na@demo.atelier", "mentor 导师"),
    ("zhang.wei@demo.atelier", "mentee 培养对象"),
    ("tom.baker@demo.atelier", "mentee"),
    ("zhao.lei@demo.atelier", "observer 听课教师"),
    ("district.admin@demo.atelier", "district admin 区教育局"),
    ("principal@demo.atelier", "school leader 校长 · 西湖区实验中学"),
];

/// More teachers of 西湖区, so that the district's figures have schools of every size:
/// 西湖区实验中学 and 求是中学 large enough to show, 文澜中学 and 西湖区第二小学 under 5 teachers
/// (their counts read "fewer than 5"). (email, name, school, shares with school, with district.)
const DEMO_DISTRICT_TEACHERS: &[(&str, &str, &str, bool, bool)] = &[
    ("principal@demo.atelier", "周校长", "西湖区实验中学", false, false),
    ("sun.li@demo.atelier", "孙丽", "西湖区实验中学", true, true),
    ("zhou.qiang@demo.atelier", "周强", "西湖区实验中学", true, false),
    ("wu.min@demo.atelier", "吴敏", "西湖区实验中学", false, false),
    ("zheng.hui@demo.atelier", "郑慧", "文澜中学", false, true),
    ("feng.tao@demo.atelier", "冯涛", "求是中学", true, true),
    ("chu.yan@demo.atelier", "褚燕", "求是中学", false, false),
    ("wei.jun@demo.atelier", "卫军", "求是中学", false, true),
    ("jiang.ning@demo.atelier", "蒋宁", "求是中学", true, false),
    ("shen.jie@demo.atelier", "沈洁", "求是中学", false, false),
    ("han.xue@demo.atelier", "韩雪", "求是中学", true, true),
    ("yang.fan@demo.atelier", "杨帆", "西湖区第二小学", false, false),
    ("qin.yu@demo.atelier", "秦雨", "西湖区第二小学", true, true),
    ("you.lan@demo.atelier", "尤兰", "西湖区第二小学", false, false),
];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("hashing the demo password failed: {0}")]
    Hashing(String),
}

struct DemoUser {
    email: &'static str,
    name: &'static str,
    school: &'static str,
    district: &'static str,
    subject: &'static str,
    tier: &'static str,
    locale: &'static str,
    time_zone: &'static str,
}

const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "wang.fang@demo.atelier",
        name: "王芳",
        school: "西湖区实验中学",
        district: "西湖区",
        subject: "数学",
        tier: "master",
        locale: "zh-CN",
        time_zone: "Asia/Shanghai",
    },
    DemoUser {
        email: "emily.carter@demo.atelier",
        name: "Emily Carter",
        school: "Hangzhou International School",
        district: "滨江区",
        subject: "English",
        tier: "leading_master",
        locale: "en",
        time_zone: "Asia/Shanghai",
    },
    DemoUser {
        email: "li.na@demo.atelier",
        name: "李娜",
        school: "西湖区实验中学",
        district: "西湖区",
        subject: "数学",
        tier: "backbone",
        locale: "zh-CN",
        time_zone: "Asia/Shanghai",
    },
    DemoUser {
        email: "zhang.wei@demo.atelier",
        name: "张伟",
        school: "文澜中学",
        district: "西湖区",
        subject: "数学",
        tier: "new_teacher",
        locale: "zh-CN",
        time_zone: "Asia/Shanghai",
    },
    DemoUser {
        email: "tom.baker@demo.atelier",
        name: "Tom Baker",
        school: "Hangzhou International School",
        district: "滨江区",
        subject: "English",
        tier: "rising_star",
        locale: "en",
        time_zone: "Europe/London",
    },
    DemoUser {
        email: "zhao.lei@demo.atelier",
        name: "赵磊",
        school: "萧山区第三中学",
        district: "萧山区",
        subject: "数学",
        tier: "backbone",
        locale: "zh-CN",
        time_zone: "Asia/Shanghai",
    },
    DemoUser {
        email: "district.admin@demo.atelier",
        name: "区教育局 陈老师",
        school: "西湖区教育局",
        district: "西湖区",
        subject: "教研",
        tier: "master",
        locale: "zh-CN",
        time_zone: "Asia/Shanghai",
    },
];

fn user_id(email: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("atelier:user:{email}").as_bytes())
}

/// Loads the demo data set into an empty database, and prints the demo sign-ins.
pub async fn demo(pool: &PgPool) -> Result<(), SeedError> {
    let empty: bool = sqlx::query_scalar("select not exists (select 1 from users)").fetch_one(pool).await?;
    if empty {
        load_demo(pool).await?;
    } else {
        println!("the database already has users: no demo data loaded");
    }
    println!("demo sign-ins (password: {DEMO_PASSWORD}):");
    for (email, who) in DEMO_ACCOUNTS {
        println!("  {email:<30} {who}");
    }
    println!("demo API client of 西湖区 (every scope): Authorization: Bearer {DEMO_API_TOKEN}");
    Ok(())
}

async fn load_demo(pool: &PgPool) -> Result<(), SeedError> {
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await.map_err(|e| SeedError::Hashing(e.to_string()))?;
    let mut tx = pool.begin().await?;
    for u in DEMO_USERS {
        sqlx::query(
            "insert into users (id, email, password_hash, display_name, school, district, subject, tier, locale, time_zone)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(user_id(u.email))
        .bind(u.email)
        .bind(&hash)
        .bind(u.name)
        .bind(u.school)
        .bind(u.district)
        .bind(u.subject)
        .bind(u.tier)
        .bind(u.locale)
        .bind(u.time_zone)
        .execute(&mut *tx)
        .await?;
    }

    let math = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"atelier:studio:wang-fang-math");
    let english = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"atelier:studio:carter-english-reading");
    let studios = [
        (
            math,
            "wang-fang-math",
            "王芳初中数学名师工作室",
            "聚焦初中数学课堂中的深度学习与单元整体教学，开展“一课三磨”课例研究。",
            "数学",
            "西湖区",
            "西湖区实验中学",
            "wang.fang@demo.atelier",
            "request",
        ),
        (
            english,
            "carter-english-reading",
            "Carter English Reading Studio",
            "Reading workshops and lesson studies on whole-book reading for middle-school English.",
            "English",
            "滨江区",
            "Hangzhou International School",
            "emily.carter@demo.atelier",
            "open",
        ),
    ];
    for (id, slug, name, description, subject, district, school, host, policy) in studios {
        sqlx::query(
            "insert into studios (id, slug, name, description, subject, district, school, host_id, join_policy)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(slug)
        .bind(name)
        .bind(description)
        .bind(subject)
        .bind(district)
        .bind(school)
        .bind(user_id(host))
        .bind(policy)
        .execute(&mut *tx)
        .await?;
    }
    // (studio, member, role, status, how they came in)
    let members = [
        (math, "wang.fang@demo.atelier", "host", "active", "created"),
        (math, "li.na@demo.atelier", "mentor", "active", "invited_in"),
        (math, "zhang.wei@demo.atelier", "mentee", "active", "approved"),
        (math, "zhao.lei@demo.atelier", "mentee", "pending", "requested"),
        (english, "emily.carter@demo.atelier", "host", "active", "created"),
        (english, "tom.baker@demo.atelier", "mentee", "active", "joined"),
        (english, "li.na@demo.atelier", "mentee", "active", "joined"),
    ];
    for (studio, email, role, status, how) in members {
        let message = if status == "pending" {
            "我在萧山区任教八年级数学，希望加入工作室参加课例研究。"
        } else {
            ""
        };
        sqlx::query("insert into memberships (id, studio_id, user_id, role, status, request_message) values ($1, $2, $3, $4, $5, $6)")
            .bind(Uuid::new_v4())
            .bind(studio)
            .bind(user_id(email))
            .bind(role)
            .bind(status)
            .bind(message)
            .execute(&mut *tx)
            .await?;
        sqlx::query("insert into membership_events (id, studio_id, user_id, actor_id, kind, role, message) values ($1, $2, $3, $3, $4, $5, $6)")
            .bind(Uuid::new_v4())
            .bind(studio)
            .bind(user_id(email))
            .bind(how)
            .bind((status == "active").then_some(role))
            .bind(message)
            .execute(&mut *tx)
            .await?;
    }

    // Lessons at fixed local times, relative to today, so the demo always has a past and a future.
    let today = Utc::now().duration_trunc(Duration::days(1)).unwrap_or_else(|_| Utc::now());
    let lessons = [
        (math, "wang.fang@demo.atelier", "《一次函数的图像》单元起始课", "数学", "八年级", 3, 1, 40),
        (math, "li.na@demo.atelier", "《勾股定理》研究课（第二轮）", "数学", "八年级", 10, 6, 30),
        (math, "zhang.wei@demo.atelier", "《有理数的乘方》新教师汇报课", "数学", "七年级", -7, 2, 25),
        (english, "emily.carter@demo.atelier", "Whole-book reading: Charlotte's Web", "English", "Grade 7", 5, 2, 35),
        (
            english,
            "tom.baker@demo.atelier",
            "Reading circles: predicting and questioning",
            "English",
            "Grade 8",
            14,
            3,
            20,
        ),
        (english, "emily.carter@demo.atelier", "Vocabulary in context (open lesson)", "English", "Grade 7", -14, 1, 30),
    ];
    let mut lesson_ids = Vec::new();
    for (i, (studio, teacher, title, subject, grade, day, slot, capacity)) in lessons.into_iter().enumerate() {
        let lesson_id = Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("atelier:demo-lesson:{i}").as_bytes());
        lesson_ids.push(lesson_id);
        // Morning slots at 09:00, 10:00… Beijing time (01:00 UTC onwards).
        let starts: DateTime<Utc> = today + Duration::days(day) + Duration::hours(slot);
        let status = if day < 0 { "done" } else { "published" };
        sqlx::query(
            "insert into open_lessons (id, studio_id, teacher_id, title, subject, grade, starts_at, ends_at, time_zone, mode, place, capacity, status, credited_hours, checkin_code)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'Asia/Shanghai', 'in_person', $9, $10, $11, 1.0, 'DEMO' || $12)",
        )
        .bind(lesson_id)
        .bind(studio)
        .bind(user_id(teacher))
        .bind(title)
        .bind(subject)
        .bind(grade)
        .bind(starts)
        .bind(starts + Duration::minutes(45))
        .bind(if studio == math { "西湖区实验中学 301 教室" } else { "Library, Hangzhou International School" })
        .bind(capacity)
        .bind(status)
        .bind(format!("{:02}", 23 + i))
        .execute(&mut *tx)
        .await?;
    }
    // Demo bookings: the observer holds a seat at the next maths lesson and attended the past
    // one (credited in the training-hour ledger); the English mentee is booked too.
    let bookings = [
        (lesson_ids[0], "zhao.lei@demo.atelier", "confirmed"),
        (lesson_ids[2], "zhao.lei@demo.atelier", "attended"),
        (lesson_ids[4], "district.admin@demo.atelier", "confirmed"),
    ];
    for (i, (lesson, email, status)) in bookings.into_iter().enumerate() {
        let booking = Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("atelier:demo-booking:{i}").as_bytes());
        sqlx::query("insert into bookings (id, lesson_id, user_id, status) values ($1, $2, $3, $4)")
            .bind(booking)
            .bind(lesson)
            .bind(user_id(email))
            .bind(status)
            .execute(&mut *tx)
            .await?;
        if status == "attended" {
            sqlx::query(
                "insert into training_records (id, user_id, occurred_on, hours, category, description, source_kind, source_id)
                 select gen_random_uuid(), b.user_id, (l.starts_at at time zone l.time_zone)::date, l.credited_hours, 'open_lesson', l.title, 'booking', b.id
                 from bookings b join open_lessons l on l.id = b.lesson_id where b.id = $1",
            )
            .bind(booking)
            .execute(&mut *tx)
            .await?;
        }
    }
    seed_study(&mut tx, math).await?;
    for (email, name, school, with_school, with_district) in DEMO_DISTRICT_TEACHERS {
        sqlx::query(
            "insert into users (id, email, password_hash, display_name, school, district, subject, tier, locale, time_zone,
                 record_shared_with_school, record_shared_with_district)
             values ($1, $2, $3, $4, $5, '西湖区', '数学', 'backbone', 'zh-CN', 'Asia/Shanghai', $6, $7)",
        )
        .bind(user_id(email))
        .bind(email)
        .bind(&hash)
        .bind(name)
        .bind(school)
        .bind(with_school)
        .bind(with_district)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category, description)
             values (gen_random_uuid(), $1, current_date - 10, 2.0, 'offline', '校本教研')",
        )
        .bind(user_id(email))
        .execute(&mut *tx)
        .await?;
    }
    // The demo's districts and schools, from the names above; 西湖区 has its admin, and
    // 西湖区实验中学 its principal as school leader.
    app::districts::store::adopt_named_schools(&mut tx).await?;
    sqlx::query(
        "insert into district_admins (district_id, user_id) select id, $1 from districts where name = '西湖区'",
    )
    .bind(user_id("district.admin@demo.atelier"))
    .execute(&mut *tx)
    .await?;
    sqlx::query("insert into school_leaders (school_id, user_id) select school_id, id from users where id = $1")
        .bind(user_id("principal@demo.atelier"))
        .execute(&mut *tx)
        .await?;
    // 西湖区's API client, whose token the README's example uses: every scope, two years.
    let scopes: Vec<&str> = app::integration::rules::Scope::ALL.iter().map(|s| s.as_str()).collect();
    sqlx::query(
        "insert into api_clients (id, district_id, name, scopes, token_hash, token_hint, expires_at, created_by)
         select $1, id, '演示客户端 demo client', $2, $3, $4, now() + interval '730 days', $5
         from districts where name = '西湖区'",
    )
    .bind(Uuid::new_v5(&Uuid::NAMESPACE_URL, b"atelier:api-client:demo"))
    .bind(&scopes)
    .bind(app::kit::token::token_hash(DEMO_API_TOKEN))
    .bind(app::integration::rules::token_hint(DEMO_API_TOKEN))
    .bind(user_id("district.admin@demo.atelier"))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    load_demo_growth(pool, math, english).await?;
    println!(
        "demo data loaded: {} users, 2 studios, 6 open lessons, 3 bookings, 1 lesson study, growth plans and training hours",
        DEMO_USERS.len() + DEMO_DISTRICT_TEACHERS.len()
    );
    Ok(())
}

/// A finished lesson study with two rounds: plan versions, divided observation, notes on the
/// timeline, a debrief citing notes, conclusions and the hours it credited.
async fn seed_study(tx: &mut sqlx::PgConnection, studio: Uuid) -> Result<(), sqlx::Error> {
    let study = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"atelier:study:linear-functions");
    let lead = user_id("li.na@demo.atelier");
    sqlx::query(
        "insert into studies (id, studio_id, title, theme, subject, grade, lead_id, phase, notes_locked, conclusions, created_by)
         values ($1, $2, '一次函数的图像（一课三磨）', '如何让学生在画图中自己发现 k 和 b 的意义？', '数学', '八年级', $3, 'closed', true, $4, $3)",
    )
    .bind(study)
    .bind(studio)
    .bind(lead)
    .bind("1. 探究活动需要 **至少 8 分钟** 的独立画图时间。\n2. 追问要指向“为什么”，而不是“是什么”。\n3. 第二轮学生自主发现 k 的意义的比例明显提高（见第 18、21 分钟的记录）。")
    .execute(&mut *tx)
    .await?;
    for (email, role) in [
        ("li.na@demo.atelier", "lead"),
        ("wang.fang@demo.atelier", "member"),
        ("zhang.wei@demo.atelier", "member"),
        ("zhao.lei@demo.atelier", "observer"),
    ] {
        sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, $3)")
            .bind(study)
            .bind(user_id(email))
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    let lesson: Option<Uuid> =
        sqlx::query_scalar("select id from open_lessons where studio_id = $1 and status = 'done' limit 1")
            .bind(studio)
            .fetch_optional(&mut *tx)
            .await?;
    let rounds = [Uuid::new_v5(&study, b"round-1"), Uuid::new_v5(&study, b"round-2")];
    for (i, round) in rounds.iter().enumerate() {
        sqlx::query("insert into study_rounds (id, study_id, number, open_lesson_id, lesson_minutes) values ($1, $2, $3, $4, 45)")
            .bind(round)
            .bind(study)
            .bind(i as i32 + 1)
            .bind(if i == 1 { lesson } else { None })
            .execute(&mut *tx)
            .await?;
    }
    let versions = [
        ["理解一次函数 y=kx+b 的图像是一条直线。", "学生已学过正比例函数，会描点画图。", "1. 复习导入（5 分钟）\n2. 教师示范画图（15 分钟）\n3. 练习（20 分钟）\n4. 小结（5 分钟）", "课堂练习 3 题。"],
        ["学生通过画图**自己发现** k、b 对图像的影响。", "学生已学过正比例函数，会描点画图；部分学生描点不准确。", "1. 情境导入（3 分钟）\n2. 小组画图探究 k、b 的作用（12 分钟）\n   - 预设：学生先注意到 b 是与 y 轴的交点\n3. 全班交流与追问（15 分钟）\n4. 练习（10 分钟）\n5. 小结（5 分钟）", "出口卡：不画图说出 y=-2x+3 的大致位置。"],
    ];
    for (i, sections) in versions.iter().enumerate() {
        let version = Uuid::new_v5(&study, format!("version-{i}").as_bytes());
        sqlx::query("insert into plan_versions (id, study_id, number, author_id) values ($1, $2, $3, $4)")
            .bind(version)
            .bind(study)
            .bind(i as i32 + 1)
            .bind(lead)
            .execute(&mut *tx)
            .await?;
        for (position, (kind, body)) in ["goals", "students", "flow", "assessment"].iter().zip(sections).enumerate() {
            sqlx::query("insert into plan_sections (version_id, kind, position, body) values ($1, $2, $3, $4)")
                .bind(version)
                .bind(kind)
                .bind(position as i32 + 1)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (email, dimension, point, seats) in [
        ("wang.fang@demo.atelier", Some("teacher_instruction"), "追问的层次与等待时间", ""),
        ("zhang.wei@demo.atelier", Some("student_learning"), "学生是否自己发现 k 的意义", ""),
        ("zhao.lei@demo.atelier", None, "", "3-2, 5-4"),
    ] {
        sqlx::query("insert into observation_assignments (study_id, observer_id, dimension, point, focus_seats, assigned_by) values ($1, $2, $3, $4, $5, $6)")
            .bind(study)
            .bind(user_id(email))
            .bind(dimension)
            .bind(point)
            .bind(seats)
            .bind(lead)
            .execute(&mut *tx)
            .await?;
    }
    let notes = [
        (0, "wang.fang@demo.atelier", 6, "teacher_instruction", "question", "教师直接给出 k 的定义，没有让学生猜想。"),
        (
            0,
            "zhang.wei@demo.atelier",
            12,
            "student_learning",
            "response",
            "示范画图期间，约一半学生在抄写，没有自己画。",
        ),
        (0, "zhao.lei@demo.atelier", 20, "classroom_culture", "evidence", "3-2 座位学生全程未发言，练习时向同桌求助。"),
        (0, "zhang.wei@demo.atelier", 31, "curriculum", "suggestion", "练习题都是代入计算，没有图像判断题。"),
        (
            1,
            "zhang.wei@demo.atelier",
            18,
            "student_learning",
            "response",
            "第 3 组学生说：“k 越大，线越陡！” 自己发现了规律。",
        ),
        (
            1,
            "wang.fang@demo.atelier",
            21,
            "teacher_instruction",
            "strength",
            "教师追问“为什么 k 是负数时线往下走？”，等待了约 20 秒。",
        ),
        (1, "zhao.lei@demo.atelier", 24, "classroom_culture", "evidence", "3-2 座位学生在小组内汇报了本组的图像。"),
    ];
    let mut note_ids = Vec::new();
    for (i, (round, email, minute, dimension, tag, body)) in notes.iter().enumerate() {
        let id = Uuid::new_v5(&study, format!("note-{i}").as_bytes());
        sqlx::query(
            "insert into observation_notes (id, study_id, round_id, author_id, minute, dimension, tag, body) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(study)
        .bind(rounds[*round])
        .bind(user_id(email))
        .bind(minute)
        .bind(dimension)
        .bind(tag)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        note_ids.push(id);
    }
    let comments: [(&str, &str, &[usize]); 3] = [
        ("wang.fang@demo.atelier", "第一轮学生缺少独立探究的时间，**示范代替了发现**。", &[0, 1]),
        ("zhang.wei@demo.atelier", "第二轮的小组画图让学生自己说出了规律，效果明显。", &[4, 5]),
        ("zhao.lei@demo.atelier", "我觉得可以再多一些生活情境。", &[]),
    ];
    for (i, (email, body, cites)) in comments.iter().enumerate() {
        let id = Uuid::new_v5(&study, format!("comment-{i}").as_bytes());
        sqlx::query("insert into debrief_comments (id, study_id, author_id, body, created_at) values ($1, $2, $3, $4, now() + make_interval(secs => $5))")
            .bind(id)
            .bind(study)
            .bind(user_id(email))
            .bind(body)
            .bind(i as f64)
            .execute(&mut *tx)
            .await?;
        for n in cites.iter() {
            sqlx::query("insert into debrief_citations (comment_id, note_id, study_id) values ($1, $2, $3)")
                .bind(id)
                .bind(note_ids[*n])
                .bind(study)
                .execute(&mut *tx)
                .await?;
        }
    }
    // The hours the two debriefs credited (one line per observer and round).
    for (round, email) in [
        (0, "wang.fang@demo.atelier"),
        (0, "zhang.wei@demo.atelier"),
        (0, "zhao.lei@demo.atelier"),
        (1, "wang.fang@demo.atelier"),
        (1, "zhang.wei@demo.atelier"),
        (1, "zhao.lei@demo.atelier"),
    ] {
        sqlx::query(
            "insert into training_records (id, user_id, occurred_on, hours, category, description, source_kind, source_id)
             values ($1, $2, current_date - $3, 0.8, 'lesson_study', $4, 'study_session', $5)",
        )
        .bind(Uuid::new_v4())
        .bind(user_id(email))
        .bind(if round == 0 { 14 } else { 7 })
        .bind(format!("一次函数的图像（一课三磨） #{}", round + 1))
        .bind(Uuid::new_v5(&rounds[round], user_id(email).as_bytes()))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Growth plans and training hours, so that a first visit shows living dashboards. The
/// three-year track is applied in the English studio; in the maths studio Zhang Wei keeps goals
/// of his own (the host can still apply the track there).
async fn load_demo_growth(pool: &PgPool, math: Uuid, english: Uuid) -> Result<(), SeedError> {
    let today = Utc::now().with_timezone(&chrono_tz_shanghai()).date_naive();
    let track =
        Uuid::parse_str("6f1c1e2a-0000-4000-8000-000000000001").map_err(|e| SeedError::Hashing(e.to_string()))?;
    app::growth::store::apply_template(pool, english, track, None, user_id("emily.carter@demo.atelier"), today).await?;

    let mut tx = pool.begin().await?;
    let zhang = user_id("zhang.wei@demo.atelier");
    let li_na = user_id("li.na@demo.atelier");
    let plan = Uuid::new_v4();
    sqlx::query("insert into growth_plans (id, studio_id, mentee_id) values ($1, $2, $3)")
        .bind(plan)
        .bind(math)
        .bind(zhang)
        .execute(&mut *tx)
        .await?;
    // (title, description, category, stage, due in days, status, milestones: (title, due in days, done evidence))
    type Ms = (&'static str, i64, Option<&'static str>);
    type DemoGoal = (&'static str, &'static str, &'static str, &'static str, i64, &'static str, &'static [Ms]);
    let goals: [DemoGoal; 3] = [
        (
            "读完《给教师的建议》并写读书笔记",
            "每月精读两章，写一篇读书笔记。",
            "reading",
            "year1",
            40,
            "achieved",
            &[
                ("读完前 50 条并写笔记", -60, Some("读书笔记 3 篇，已在教研组分享。")),
                ("读完全书", -10, Some("读书笔记 6 篇。")),
            ],
        ),
        (
            "上好一节区级公开课",
            "在导师指导下完成“一课三磨”，面向全区开课。",
            "teaching",
            "year1",
            120,
            "active",
            &[
                ("完成第一轮教学设计", -5, Some("教学设计初稿与导师批注。")),
                ("试讲并根据观课意见修改", 20, None),
                ("区级公开课展示", 100, None),
            ],
        ),
        (
            "建立班级常规，减少课堂管理用时",
            "",
            "classroom",
            "year1",
            200,
            "active",
            &[("制定课堂常规并与学生共同讨论", -3, None), ("期中反思：课堂管理用时统计", 60, None)],
        ),
    ];
    for (title, description, category, stage, due, status, milestones) in goals {
        let goal = Uuid::new_v4();
        sqlx::query("insert into growth_goals (id, plan_id, title, description, category, target_stage, due_on, status) values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(goal).bind(plan).bind(title).bind(description).bind(category).bind(stage).bind(today + Duration::days(due)).bind(status)
            .execute(&mut *tx).await?;
        sqlx::query("insert into growth_goal_events (id, goal_id, actor_id, kind) values ($1, $2, $3, 'created')")
            .bind(Uuid::new_v4())
            .bind(goal)
            .bind(zhang)
            .execute(&mut *tx)
            .await?;
        if status == "achieved" {
            sqlx::query("insert into growth_goal_events (id, goal_id, actor_id, kind, note) values ($1, $2, $3, 'achieved', '笔记扎实，继续保持。')").bind(Uuid::new_v4()).bind(goal).bind(li_na).execute(&mut *tx).await?;
        }
        for (ms_title, ms_due, evidence) in milestones {
            sqlx::query("insert into growth_milestones (id, goal_id, title, due_on, done_at, evidence) values ($1, $2, $3, $4, case when $5 then now() end, $6)")
                .bind(Uuid::new_v4()).bind(goal).bind(ms_title).bind(today + Duration::days(*ms_due)).bind(evidence.is_some()).bind(evidence.unwrap_or(""))
                .execute(&mut *tx).await?;
        }
        if category == "teaching" {
            sqlx::query("insert into growth_comments (id, goal_id, author_id, body) values ($1, $2, $3, '教学设计的情境引入很好，练习层次还可以再拉开。')").bind(Uuid::new_v4()).bind(goal).bind(li_na).execute(&mut *tx).await?;
        }
    }

    // Training hours spread over the past months (a few verified), the newest today so that the
    // quota year is never empty (on 1 January too), and one the system credited for an attended
    // open lesson.
    let categories = ["offline", "online", "shadowing", "course", "lesson_study"];
    for (email, every, hours) in [("zhang.wei@demo.atelier", 9, "2.5"), ("tom.baker@demo.atelier", 13, "2")] {
        let user = user_id(email);
        for k in 0..30i64 {
            let day = today - Duration::days(k * every);
            sqlx::query(
                "insert into training_records (id, user_id, occurred_on, hours, category, description, verified_by, verified_at)
                 values ($1, $2, $3, $4::numeric, $5, $6, $7, case when $7 is not null then now() end)",
            )
            .bind(Uuid::new_v4()).bind(user).bind(day).bind(hours).bind(categories[(k as usize) % categories.len()])
            .bind(if email.starts_with("zhang") { "工作室研修活动" } else { "Studio training session" })
            .bind(if k % 3 == 0 && email.starts_with("zhang") { Some(li_na) } else { None })
            .execute(&mut *tx).await?;
        }
    }
    sqlx::query(
        "insert into training_records (id, user_id, occurred_on, hours, category, description, source_kind, source_id)
         values ($1, $2, $3, 1.0, 'open_lesson', '听课：王芳老师单元整体教学研讨课', 'booking', $4)",
    )
    .bind(Uuid::new_v4())
    .bind(zhang)
    .bind(today - Duration::days(7))
    .bind(Uuid::new_v4())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Beijing time, for the demo's "today".
fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Offset::fix(&Utc))
}
