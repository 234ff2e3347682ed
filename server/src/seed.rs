//! Demo data (small, realistic, both languages) and scale data (synthetic, deterministic,
//! loaded with COPY for benchmarks).

use app::accounts::auth::hash_password;
use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgPool;
use std::fmt::Write;
use uuid::Uuid;

/// The password of every demo and scale account.
pub const DEMO_PASSWORD: &str = "atelier-demo";

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

/// How much synthetic data `seed scale` loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleSize {
    pub users: u32,
    pub studios: u32,
    pub lessons: u32,
    /// Teachers are spread over this many districts, and over `schools` schools in all.
    pub districts: u32,
    pub schools: u32,
    /// Training records per teacher on average (some have half, some one and a half times as
    /// many), spread over the last `years` years.
    pub records: u32,
    pub years: u32,
}

impl Default for ScaleSize {
    fn default() -> ScaleSize {
        ScaleSize { users: 20_000, studios: 1_000, lessons: 10_000, districts: 8, schools: 320, records: 0, years: 1 }
    }
}

impl ScaleSize {
    pub fn from_args(args: &[&str]) -> Result<ScaleSize, String> {
        let mut size = ScaleSize::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a number"))?;
            let n: u32 = value.parse().map_err(|_| format!("{flag}: {value:?} is not a number"))?;
            match *flag {
                "--users" | "--teachers" => size.users = n,
                "--districts" => size.districts = n,
                "--schools" => size.schools = n,
                "--records" => size.records = n,
                "--years" => size.years = n,
                "--studios" => size.studios = n,
                "--lessons" => size.lessons = n,
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        if size.users < 21 || size.studios == 0 || size.studios > size.users {
            return Err("need at least 21 users, at least one studio and no more studios than users".into());
        }
        if size.districts == 0 || size.schools < size.districts || size.schools > size.users {
            return Err("need at least one district, a school per district and no more schools than users".into());
        }
        if size.years == 0 || size.years > 20 || size.records > 5_000 {
            return Err("years must be 1 to 20 and records per teacher at most 5,000".into());
        }
        Ok(size)
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高",
    "罗",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华",
    "慧",
];
const DISTRICTS: [&str; 8] = ["西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区"];
const SUBJECTS: [&str; 8] = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理"];
const TIERS: [&str; 5] = ["new_teacher", "rising_star", "backbone", "master", "leading_master"];

fn scale_user_id(i: u32) -> Uuid {
    Uuid::from_u128(0x5ca1e000_0000_4000_8000_000000000000 | i as u128)
}
fn scale_studio_id(i: u32) -> Uuid {
    Uuid::from_u128(0x5ca1e001_0000_4000_8000_000000000000 | i as u128)
}
fn scale_lesson_id(i: u32) -> Uuid {
    Uuid::from_u128(0x5ca1e002_0000_4000_8000_000000000000 | i as u128)
}
/// Increasing, so that loading millions of records appends to the primary key's index.
fn scale_record_id(n: u64) -> Uuid {
    Uuid::from_u128(0x5ca1e003_0000_4000_8000_000000000000 | n as u128)
}

impl ScaleSize {
    /// The district (name) and school (name) of scale teacher or studio `i`.
    fn place(&self, i: u32) -> (String, String) {
        let d = i % self.districts;
        let district = match DISTRICTS.get(d as usize) {
            Some(name) if self.districts <= DISTRICTS.len() as u32 => (*name).to_owned(),
            _ => format!("第{}区", d + 1),
        };
        // This district's share of the schools (the first districts take any remainder).
        let schools = self.schools / self.districts + u32::from(d < self.schools % self.districts);
        let school = format!("{district}第{}中学", (i / self.districts) % schools.max(1) + 1);
        (district, school)
    }
}

/// Members per scale studio besides the host: one mentor, the rest mentees.
const SCALE_MEMBERS: u32 = 19;

/// Loads deterministic synthetic data with COPY (one transaction); skipped if already loaded.
pub async fn scale(pool: &PgPool, size: ScaleSize) -> Result<(), SeedError> {
    let present: bool = sqlx::query_scalar("select exists (select 1 from users where id = $1)")
        .bind(scale_user_id(0))
        .fetch_one(pool)
        .await?;
    if present {
        println!("scale data already present");
        return Ok(());
    }
    let started = std::time::Instant::now();
    // One hash for every account: hashing 20,000 passwords would take minutes.
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await.map_err(|e| SeedError::Hashing(e.to_string()))?;
    let now = Utc::now().duration_trunc(Duration::hours(1)).unwrap_or_else(|_| Utc::now());
    let mut tx = pool.begin().await?;

    let mut rows = String::with_capacity(size.users as usize * 220);
    for i in 0..size.users {
        let name = format!("{}{}{}", SURNAMES[(i % 20) as usize], GIVEN[((i / 20) % 20) as usize], i);
        let (district, school) = size.place(i);
        let _ = writeln!(
            rows,
            "{}\tteacher{i}@scale.atelier\t{name}\t{hash}\t{school}\t{district}\t{}\t{}\t{}\tAsia/Shanghai",
            scale_user_id(i),
            SUBJECTS[(i % 8) as usize],
            TIERS[(i % 5) as usize],
            if i % 4 == 0 { "en" } else { "zh-CN" },
        );
    }
    copy(&mut tx, "copy users (id, email, display_name, password_hash, school, district, subject, tier, locale, time_zone) from stdin", rows).await?;

    let host_of = |s: u32| (s * (size.users / size.studios)) % size.users;
    let mut studios = String::new();
    let mut members = String::new();
    for s in 0..size.studios {
        let subject = SUBJECTS[(s % 8) as usize];
        let host = host_of(s);
        // A studio is at its host's school.
        let (district, school) = size.place(host);
        let host_name = format!("{}{}{}", SURNAMES[(host % 20) as usize], GIVEN[((host / 20) % 20) as usize], host);
        let activity = now - Duration::hours((s * 7 % 2000) as i64);
        let _ = writeln!(
            studios,
            "{}\tstudio-{s}\t{host_name}{subject}名师工作室\t{district}{subject}学科工作室，开展课例研究与青年教师培养。Studio {s} for {subject}.\t{subject}\t{district}\t{school}\t{}\t{}\t{}\t{}\t{activity}",
            scale_studio_id(s),
            scale_user_id(host),
            if s % 10 == 9 { "private" } else { "public" },
            ["invite_only", "request", "open"][(s % 3) as usize],
            now - Duration::days(400),
        );
        let _ = writeln!(members, "{}\t{}\t{}\thost\tactive", Uuid::new_v4(), scale_studio_id(s), scale_user_id(host));
        for j in 0..SCALE_MEMBERS {
            let user = (host + 1 + j) % size.users;
            let role = if j == 0 { "mentor" } else { "mentee" };
            let _ = writeln!(
                members,
                "{}\t{}\t{}\t{role}\tactive",
                Uuid::new_v4(),
                scale_studio_id(s),
                scale_user_id(user)
            );
        }
    }
    copy(&mut tx, "copy studios (id, slug, name, description, subject, district, school, host_id, visibility, join_policy, created_at, last_activity_at) from stdin", studios).await?;
    copy(&mut tx, "copy memberships (id, studio_id, user_id, role, status) from stdin", members).await?;

    let mut lessons = String::new();
    for l in 0..size.lessons {
        let s = l % size.studios;
        // Spread over a year: half past, half future, on the hour.
        let offset_hours = (l as i64 * 8761 / size.lessons.max(1) as i64) - 4380;
        let starts = now + Duration::hours(offset_hours);
        let status = if offset_hours < 0 {
            "done"
        } else if l % 20 == 0 {
            "draft"
        } else {
            "published"
        };
        let _ = writeln!(
            lessons,
            "{}\t{}\t{}\t公开课 {l}：{}课堂教学展示 Open lesson {l}\t{}\t{}年级\t{starts}\t{}\tAsia/Shanghai\tin_person\t{}\t{status}",
            scale_lesson_id(l),
            scale_studio_id(s),
            scale_user_id(host_of(s)),
            SUBJECTS[(s % 8) as usize],
            SUBJECTS[(s % 8) as usize],
            l % 9 + 1,
            starts + Duration::minutes(45),
            20 + l % 40,
        );
    }
    // The studios' activity dates above are the synthetic history: loading the lessons must not
    // move them all to today (the trigger that does so for real lessons is off for the load).
    sqlx::query("alter table open_lessons disable trigger open_lessons_touch_studio").execute(&mut *tx).await?;
    copy(&mut tx, "copy open_lessons (id, studio_id, teacher_id, title, subject, grade, starts_at, ends_at, time_zone, mode, capacity, status) from stdin", lessons).await?;
    sqlx::query("alter table open_lessons enable trigger open_lessons_touch_studio").execute(&mut *tx).await?;
    app::districts::store::adopt_named_schools(&mut tx).await?;
    let records = load_scale_records(&mut tx, &size).await?;
    tx.commit().await?;
    // The visibility map too, so the year totals are read from their index alone at once.
    sqlx::query("vacuum (analyze)").execute(pool).await?;
    println!(
        "scale data loaded: {} users in {} districts and {} schools, {} studios, {} memberships, {} open lessons, \
         {records} training records over {} years in {:.1} s",
        size.users,
        size.districts,
        size.schools,
        size.studios,
        size.studios * (SCALE_MEMBERS + 1),
        size.lessons,
        size.years,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Training records for every scale teacher, loaded with COPY in chunks with the ledger's
/// triggers and its secondary index off, then the year totals rebuilt and the index built once
/// (far faster than row by row). Returns how many were loaded.
async fn load_scale_records(tx: &mut sqlx::PgConnection, size: &ScaleSize) -> Result<u64, SeedError> {
    if size.records == 0 {
        return Ok(0);
    }
    const CATEGORIES: [&str; 6] = ["online", "offline", "shadowing", "open_lesson", "lesson_study", "course"];
    let schools: Vec<(Uuid, Option<Uuid>)> =
        sqlx::query_as("select id, school_id from users where email like '%@scale.atelier'")
            .fetch_all(&mut *tx)
            .await?;
    let school_of: std::collections::HashMap<Uuid, Uuid> =
        schools.into_iter().filter_map(|(user, school)| Some((user, school?))).collect();
    for statement in [
        "alter table training_records disable trigger training_records_year_hours",
        "alter table training_records disable trigger training_records_school",
        "alter table training_records disable trigger training_records_certificates",
        "drop index training_records_user_id_occurred_on_idx",
    ] {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    let today = Utc::now().with_timezone(&chrono_tz_shanghai()).date_naive();
    let span_days = i64::from(size.years) * 365;
    let mut n: u64 = 0;
    let mut rows = String::with_capacity(8 << 20);
    for i in 0..size.users {
        let user = scale_user_id(i);
        let school = school_of.get(&user).map(Uuid::to_string).unwrap_or_else(|| "\\N".to_owned());
        // Half to one and a half times the average, so the teachers spread over the quota bands.
        let count = u64::from(size.records) * u64::from(50 + i % 101) / 100;
        for k in 0..count {
            let day = today - Duration::days((k as i64 * span_days) / count.max(1) as i64 + i64::from(i % 7));
            // 1 to 4 hours, plus up to 4 more for the more active teachers.
            let hours = 1 + (k + u64::from(i)) % 4 + u64::from(i % 5);
            let category = CATEGORIES[((k + u64::from(i / 3)) % 6) as usize];
            let _ = writeln!(rows, "{}\t{user}\t{day}\t{hours}\t{category}\t研修\t{school}", scale_record_id(n));
            n += 1;
        }
        if rows.len() > 16 << 20 || i + 1 == size.users {
            let chunk = std::mem::replace(&mut rows, String::with_capacity(16 << 20));
            copy(
                tx,
                "copy training_records (id, user_id, occurred_on, hours, category, description, school_id) from stdin",
                chunk,
            )
            .await?;
        }
    }
    for statement in [
        "create index training_records_user_id_occurred_on_idx on training_records (user_id, occurred_on)",
        "alter table training_records enable trigger training_records_year_hours",
        "alter table training_records enable trigger training_records_school",
        "alter table training_records enable trigger training_records_certificates",
        "select rebuild_teacher_year_hours(id) from districts",
    ] {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    Ok(n)
}

async fn copy(tx: &mut sqlx::PgConnection, statement: &str, rows: String) -> Result<(), sqlx::Error> {
    let mut sink = tx.copy_in_raw(statement).await?;
    sink.send(rows.into_bytes()).await?;
    sink.finish().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_flags_override_the_defaults() {
        let defaults = ScaleSize::default();
        assert_eq!((defaults.users, defaults.studios, defaults.lessons), (20_000, 1_000, 10_000));
        assert_eq!(ScaleSize::from_args(&[]), Ok(defaults));
        assert_eq!(
            ScaleSize::from_args(&["--users", "500", "--lessons", "50", "--studios", "10"]),
            Ok(ScaleSize { users: 500, studios: 10, lessons: 50, ..defaults })
        );
        let district = ScaleSize::from_args(&[
            "--teachers",
            "50000",
            "--districts",
            "2",
            "--schools",
            "200",
            "--records",
            "100",
            "--years",
            "5",
        ]);
        assert_eq!(
            district,
            Ok(ScaleSize { users: 50_000, districts: 2, schools: 200, records: 100, years: 5, ..defaults })
        );
    }

    #[test]
    fn bad_scale_flags_are_refused() {
        assert!(ScaleSize::from_args(&["--users"]).is_err());
        assert!(ScaleSize::from_args(&["--users", "many"]).is_err());
        assert!(ScaleSize::from_args(&["--rooms", "3"]).is_err());
        assert!(ScaleSize::from_args(&["--users", "10"]).is_err());
        assert!(ScaleSize::from_args(&["--districts", "0"]).is_err());
        assert!(ScaleSize::from_args(&["--districts", "9", "--schools", "8"]).is_err());
        assert!(ScaleSize::from_args(&["--years", "0"]).is_err());
        assert!(ScaleSize::from_args(&["--records", "100000"]).is_err());
    }

    #[test]
    fn scale_teachers_spread_over_every_school_of_every_district() {
        let size = ScaleSize::from_args(&["--users", "1000", "--districts", "2", "--schools", "5"]).expect("size");
        let places: std::collections::HashSet<(String, String)> = (0..1000).map(|i| size.place(i)).collect();
        assert_eq!(places.len(), 5, "3 schools in the first district, 2 in the second");
        assert!(places.contains(&("西湖区".to_owned(), "西湖区第3中学".to_owned())));
    }
}
