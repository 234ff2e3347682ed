//! `seed scale`: deterministic synthetic data at a district's size, loaded with COPY in one
//! transaction, for the benchmark scripts. Besides teachers, studios and lessons: bookings filling
//! most lessons (some with a waitlist), lesson studies with observation notes (one of 5,000
//! notes), training records, and one studio of 1,000 mentees with growth plans.

use super::{chrono_tz_shanghai, hash_password, SeedError, DEMO_PASSWORD};
use chrono::{Duration, DurationRound, Utc};
use sqlx::PgPool;
use std::fmt::Write;
use uuid::Uuid;

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
        ScaleSize { users: 20_000, studios: 1_000, lessons: 10_000, districts: 8, schools: 320, records: 50, years: 1 }
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
        if size.users < BIG_STUDIO_MENTEES + 2 || size.studios == 0 || size.studios > size.users {
            return Err(format!(
                "need at least {} users, at least one studio and no more studios than users",
                BIG_STUDIO_MENTEES + 2
            ));
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
/// Study 0 is studio-0's study of 5,000 notes.
pub fn scale_study_id(i: u32) -> Uuid {
    Uuid::from_u128(0x5ca1e004_0000_4000_8000_000000000000 | u128::from(i))
}

impl ScaleSize {
    /// The teacher who hosts scale studio `s` (the studios' hosts are spread over the teachers).
    fn host_of(&self, s: u32) -> u32 {
        (s * (self.users / self.studios)) % self.users
    }

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

/// Members per scale studio besides the host: one mentor, the rest mentees…
const SCALE_MEMBERS: u32 = 19;
/// …except studio-0, whose host (teacher0) has this many mentees, each with a growth plan.
const BIG_STUDIO_MENTEES: u32 = 1_000;
/// Lesson studies: two per studio while there are studios, each with one round of about this
/// many notes, except the first (studio-0's, led by teacher0), which has `BIG_STUDY_NOTES`.
const STUDIES: u32 = 2_000;
const STUDY_NOTES: u32 = 100;
const BIG_STUDY_NOTES: u32 = 5_000;

fn members_of(studio: u32) -> u32 {
    if studio == 0 {
        BIG_STUDIO_MENTEES + 1
    } else {
        SCALE_MEMBERS
    }
}

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

    let mut studios = String::new();
    let mut members = String::new();
    for s in 0..size.studios {
        let subject = SUBJECTS[(s % 8) as usize];
        let host = size.host_of(s);
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
        for j in 0..members_of(s) {
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
            scale_user_id(size.host_of(s)),
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
    let bookings = load_scale_bookings(&mut tx, &size).await?;
    let notes = load_scale_studies(&mut tx, &size).await?;
    load_big_studio_plans(&mut tx).await?;
    let records = load_scale_records(&mut tx, &size).await?;
    tx.commit().await?;
    // The load wrote each teacher's year rows several times over (opened, then rebuilt per
    // district) in one transaction, which leaves their indexes about ten times the size that
    // day-to-day credits keep them at (PostgreSQL's bottom-up deletion clears versions as they
    // die); rebuilt here so the district figures are measured on indexes of a real size.
    sqlx::query("reindex table teacher_year_hours").execute(pool).await?;
    // The visibility map too, so the year totals are read from their index alone at once.
    sqlx::query("vacuum (analyze)").execute(pool).await?;
    println!(
        "scale data loaded: {} users in {} districts and {} schools, {} studios, {} memberships, {} open lessons \
         with {bookings} bookings, {} lesson studies with {notes} notes, {records} training records over {} years \
         in {:.1} s",
        size.users,
        size.districts,
        size.schools,
        size.studios,
        (0..size.studios).map(|s| members_of(s) + 1).sum::<u32>(),
        size.lessons,
        STUDIES.min(size.studios * 2),
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
        "create index training_records_user_id_occurred_on_idx on training_records (user_id, occurred_on) include (hours)",
        "alter table training_records enable trigger training_records_year_hours",
        "alter table training_records enable trigger training_records_school",
        "alter table training_records enable trigger training_records_certificates",
        "select rebuild_teacher_year_hours(id) from districts",
    ] {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    Ok(n)
}

/// Bookings for every lesson that is not a draft: 15 to 45 people (fewer when the lesson is
/// smaller), and on every tenth lesson five more than it seats, waitlisted. About 300,000 for the
/// default 10,000 lessons. The lesson's own teacher never books it.
async fn load_scale_bookings(tx: &mut sqlx::PgConnection, size: &ScaleSize) -> Result<u64, SeedError> {
    let lessons: Vec<(Uuid, Uuid, i32, String)> =
        sqlx::query_as("select id, teacher_id, capacity, status from open_lessons where id >= $1 and id <= $2")
            .bind(scale_lesson_id(0))
            .bind(scale_lesson_id(size.lessons.saturating_sub(1)))
            .fetch_all(&mut *tx)
            .await?;
    let mut rows = String::with_capacity(16 << 20);
    let mut n = 0u64;
    for (l, (lesson, teacher, capacity, status)) in lessons.iter().enumerate() {
        if status == "draft" {
            continue;
        }
        let capacity = u32::try_from(*capacity).unwrap_or(0);
        let l = l as u32;
        let full = l.is_multiple_of(10);
        let confirmed = if full { capacity } else { (15 + l % 31).min(capacity) };
        let waitlisted = if full { 5 } else { 0 };
        // 7 is prime to the user count unless it divides it: then step by 1 (still distinct).
        let step = if size.users.is_multiple_of(7) { 1 } else { 7 };
        let mut k = 0u32;
        let mut booked = 0u32;
        while booked < confirmed + waitlisted && k < size.users {
            let user = scale_user_id((l.wrapping_mul(7919) + k * step) % size.users);
            k += 1;
            if user == *teacher {
                continue;
            }
            let state = if booked < confirmed { "confirmed" } else { "waitlisted" };
            let _ = writeln!(rows, "{}\t{lesson}\t{user}\t{state}", Uuid::new_v4());
            booked += 1;
            n += 1;
        }
    }
    // Counted once afterwards rather than by the trigger, row by row.
    sqlx::query("alter table bookings disable trigger bookings_count_seats").execute(&mut *tx).await?;
    copy(tx, "copy bookings (id, lesson_id, user_id, status) from stdin", rows).await?;
    sqlx::query("alter table bookings enable trigger bookings_count_seats").execute(&mut *tx).await?;
    sqlx::query(
        "update open_lessons l set seats_taken = c.taken, waitlisted = c.waiting
         from (select lesson_id, count(*) filter (where status in ('confirmed', 'attended', 'no_show')) as taken,
                      count(*) filter (where status = 'waitlisted') as waiting
               from bookings group by lesson_id) c
         where c.lesson_id = l.id",
    )
    .execute(&mut *tx)
    .await?;
    Ok(n)
}

/// Lesson studies of the first studios (two each), led by the host with the studio's members
/// in the group, in the observing phase with one round and its notes. Returns the notes loaded.
async fn load_scale_studies(tx: &mut sqlx::PgConnection, size: &ScaleSize) -> Result<u64, SeedError> {
    const DIMENSIONS: [&str; 4] = ["student_learning", "teacher_instruction", "curriculum", "classroom_culture"];
    const TAGS: [&str; 6] = ["question", "response", "strength", "suggestion", "evidence", "other"];
    const BODIES: [&str; 4] = [
        "第{}分钟：教师追问“为什么这样想”，三名学生先后给出不同的解题思路，小组讨论热烈。",
        "Minute {}: the group at the back table compared two strategies and one student explained why the first fails.",
        "第{}分钟：板书呈现知识结构图，学生跟随整理笔记，约四分之一学生仍在完成上一题。",
        "第{}分钟：当堂检测第3题正确率较低，错误集中在单位换算，建议课后针对性练习。",
    ];
    // The 4 texts with their minute: rendered once each, not once per note.
    let mut bodies = std::collections::HashMap::<(u32, u32), (String, String)>::new();
    let studies = STUDIES.min(size.studios * 2);
    let mut study_rows = String::new();
    let mut member_rows = String::new();
    let mut round_rows = String::new();
    let mut note_rows = String::with_capacity(16 << 20);
    let mut notes = 0u64;
    for t in 0..studies {
        let s = t / 2;
        let host = size.host_of(s);
        let study = scale_study_id(t);
        let round = Uuid::from_u128(0x5ca1e005_0000_4000_8000_000000000000 | u128::from(t));
        let _ = writeln!(
            study_rows,
            "{study}\t{}\t课例研究 {t}：{}大单元教学 Lesson study {t}\t单元整体教学\t{}\t{}年级\t{}\tobserve\t{}",
            scale_studio_id(s),
            SUBJECTS[(s % 8) as usize],
            SUBJECTS[(s % 8) as usize],
            t % 9 + 1,
            scale_user_id(host),
            scale_user_id(host),
        );
        // The group: the host leads, the studio's first 19 members take part (studio-0's too).
        let group: Vec<Uuid> = (0..=SCALE_MEMBERS).map(|j| scale_user_id((host + j) % size.users)).collect();
        for (j, user) in group.iter().enumerate() {
            let role = if j == 0 { "lead" } else { "member" };
            let _ = writeln!(member_rows, "{study}\t{user}\t{role}");
        }
        let _ = writeln!(round_rows, "{round}\t{study}\t1\t{}", scale_user_id(host));
        let count = if t == 0 { BIG_STUDY_NOTES } else { STUDY_NOTES / 2 + t % (STUDY_NOTES + 1) };
        for k in 0..count {
            let minute = k * 45 / count.max(1);
            let (body, html) = bodies.entry((k % 4, minute)).or_insert_with(|| {
                let body = BODIES[(k % 4) as usize].replace("{}", &minute.to_string());
                // Stored as the app stores a note it is sent: rendered once.
                let html = copy_field(&app::study::markdown::render(&body));
                (body, html)
            });
            let _ = writeln!(
                note_rows,
                "{}\t{study}\t{round}\t{}\t{minute}\t{}\t{}\t{body}\t{html}",
                Uuid::new_v4(),
                group[(k as usize) % group.len()],
                DIMENSIONS[(k % 4) as usize],
                TAGS[(k % 6) as usize],
            );
            notes += 1;
        }
        if note_rows.len() > 16 << 20 {
            let chunk = std::mem::replace(&mut note_rows, String::with_capacity(16 << 20));
            copy_notes(tx, &mut study_rows, &mut member_rows, &mut round_rows, chunk).await?;
        }
    }
    copy_notes(tx, &mut study_rows, &mut member_rows, &mut round_rows, note_rows).await?;
    Ok(notes)
}

/// Loads the studies, groups and rounds gathered so far, then the notes that refer to them.
async fn copy_notes(
    tx: &mut sqlx::PgConnection,
    studies: &mut String,
    members: &mut String,
    rounds: &mut String,
    notes: String,
) -> Result<(), sqlx::Error> {
    copy(
        tx,
        "copy studies (id, studio_id, title, theme, subject, grade, lead_id, phase, created_by) from stdin",
        std::mem::take(studies),
    )
    .await?;
    copy(tx, "copy study_members (study_id, user_id, role) from stdin", std::mem::take(members)).await?;
    copy(tx, "copy study_rounds (id, study_id, number, teacher_id) from stdin", std::mem::take(rounds)).await?;
    copy(
        tx,
        "copy observation_notes (id, study_id, round_id, author_id, minute, dimension, tag, body, body_html) from stdin",
        notes,
    )
    .await
}

/// Growth plans for studio-0's 1,000 mentees: three goals each (one achieved), with two
/// milestones a goal, some overdue, some done with evidence waiting. In SQL: it is all derived
/// from the memberships.
async fn load_big_studio_plans(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    let studio = scale_studio_id(0);
    for statement in [
        "insert into growth_plans (id, studio_id, mentee_id)
         select gen_random_uuid(), m.studio_id, m.user_id from memberships m
         where m.studio_id = $1 and m.role = 'mentee'",
        "insert into growth_goals (id, plan_id, title, category, target_stage, due_on, status)
         select gen_random_uuid(), p.id, g.title, g.category, 'year2', current_date + g.due, g.status
         from growth_plans p
         cross join (values ('提升课堂提问质量', 'teaching', 90, 'active'),
                            ('完成一项校级课题', 'research', 200, 'active'),
                            ('阅读三本教育专著', 'reading', -30, 'achieved')) as g (title, category, due, status)
         where p.studio_id = $1",
        "insert into growth_milestones (id, goal_id, title, due_on)
         select gen_random_uuid(), g.id, '阶段检查 ' || k, g.due_on - (60 * k)
         from growth_goals g join growth_plans p on p.id = g.plan_id
         cross join generate_series(1, 2) as k
         where p.studio_id = $1",
        // A fifth of the mentees marked their first milestones done in the last month; the host
        // answered about half of those: the rest wait on the hosts' and mentors' homes.
        "update growth_milestones x
         set done_at = now() - make_interval(days => abs(hashtext(x.id::text)) % 30), evidence = '课堂实录已上传'
         from growth_goals g join growth_plans p on p.id = g.plan_id
         where g.id = x.goal_id and p.studio_id = $1 and g.status = 'active'
           and x.title = '阶段检查 1' and abs(hashtext(p.mentee_id::text)) % 5 = 0",
        "insert into growth_comments (id, goal_id, milestone_id, author_id, body, created_at)
         select gen_random_uuid(), x.goal_id, x.id, st.host_id, '看过了，证据充分。', x.done_at + interval '1 hour'
         from growth_milestones x
         join growth_goals g on g.id = x.goal_id
         join growth_plans p on p.id = g.plan_id
         join studios st on st.id = p.studio_id
         where p.studio_id = $1 and x.done_at is not null and abs(hashtext(x.id::text)) % 2 = 0",
    ] {
        sqlx::query(statement).bind(studio).execute(&mut *tx).await?;
    }
    Ok(())
}

/// A value as a field of COPY's text format: backslashes, tabs and line breaks escaped.
fn copy_field(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
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
    fn a_copy_field_keeps_its_line_breaks_tabs_and_backslashes_inside_the_field() {
        assert_eq!(copy_field("<p>a\\b\tc</p>\n\r"), "<p>a\\\\b\\tc</p>\\n\\r");
    }

    #[test]
    fn scale_flags_override_the_defaults() {
        let defaults = ScaleSize::default();
        assert_eq!((defaults.users, defaults.studios, defaults.lessons), (20_000, 1_000, 10_000));
        assert_eq!(ScaleSize::from_args(&[]), Ok(defaults));
        assert_eq!(defaults.records, 50, "a million training records for 20,000 teachers");
        assert_eq!(
            ScaleSize::from_args(&["--users", "5000", "--lessons", "50", "--studios", "10"]),
            Ok(ScaleSize { users: 5_000, studios: 10, lessons: 50, ..defaults })
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
        assert!(ScaleSize::from_args(&["--users", "1000"]).is_err(), "studio-0 alone has 1,001 members");
        assert!(ScaleSize::from_args(&["--districts", "0"]).is_err());
        assert!(ScaleSize::from_args(&["--districts", "9", "--schools", "8"]).is_err());
        assert!(ScaleSize::from_args(&["--years", "0"]).is_err());
        assert!(ScaleSize::from_args(&["--records", "100000"]).is_err());
    }

    #[test]
    fn scale_teachers_spread_over_every_school_of_every_district() {
        let size = ScaleSize::from_args(&["--users", "2000", "--districts", "2", "--schools", "5"]).expect("size");
        let places: std::collections::HashSet<(String, String)> = (0..2000).map(|i| size.place(i)).collect();
        assert_eq!(places.len(), 5, "3 schools in the first district, 2 in the second");
        assert!(places.contains(&("西湖区".to_owned(), "西湖区第3中学".to_owned())));
    }
}
