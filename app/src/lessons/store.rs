//! Open-lesson queries (server only). Every action that touches seats runs in one transaction
//! that first locks the lesson row (`select … for update`), so capacity holds whatever the
//! concurrency and however many server instances share the database.

use super::rules::{self, LessonFacts, ValidLesson};
use super::{
    Attendee, BookingStatus, CalendarDay, CalendarEntry, LessonDetail, LessonFilter, LessonMsg, LessonPage,
    LessonStatus, LessonSummary, Mode, MyBooking, Notification, NotificationKind,
};
use crate::kit::error::StoreError;
use crate::kit::i18n::{Locale, Msg};
use crate::kit::sql::push_window;
use crate::kit::token::token_hash;
use crate::studios::rules::Standing;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

const ACTIVE_STATUSES: &str = "('pending', 'confirmed', 'waitlisted', 'attended', 'no_show')";

fn err(input: &'static str, m: LessonMsg) -> StoreError {
    StoreError::conflict(input, m)
}

/// A lesson's summary: its columns (the seats taken as the lesson row counts them), and the
/// joins they come from.
const SUMMARY_SELECT: &str = "select l.id, l.title, s.name as studio_name, u.display_name as teacher_name, l.subject,
         l.grade, l.starts_at, l.ends_at, l.time_zone, l.capacity, l.mode, s.district, l.status,
         l.seats_taken::int8 as seats_taken
     from open_lessons l
     join studios s on s.id = l.studio_id
     join users u on u.id = l.teacher_id";

/// The next published lessons, soonest first: of one studio, or (`None`) of all public, active
/// studios (served by `open_lessons_published_calendar_idx` / `open_lessons_studio_id_starts_at_idx`).
pub async fn upcoming(
    db: impl PgExecutor<'_>,
    studio_id: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<LessonSummary>> {
    // Two statements rather than one with `case when $1 is null`: each gets a plan for its own
    // index, and the limit is written in for the same reason (see `push_window`).
    let which = match studio_id {
        Some(_) => "l.studio_id = $1",
        None => "s.visibility = 'public' and not s.archived",
    };
    let sql = format!(
        "{SUMMARY_SELECT}
         where l.status = 'published' and l.starts_at > now() and {which}
         order by l.starts_at
         limit {}",
        limit.max(0)
    );
    let query = sqlx::query_as(&sql);
    let query = match studio_id {
        Some(id) => query.bind(id),
        None => query,
    };
    query.fetch_all(db).await
}

/// The finder's filters on the lesson's own columns, each one that is set. Only the filters in
/// use reach the SQL, so each combination is planned for what it asks; a catch-all
/// `($1 = '' or col = $1)` would settle into a generic plan that scans for every combination
/// after five runs.
fn push_lesson_filters<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a LessonFilter) {
    for (column, value) in [("l.subject", &f.subject), ("l.grade", &f.grade), ("l.mode", &f.mode)] {
        if !value.is_empty() {
            q.push(format!(" and {column} = ")).push_bind(value.as_str());
        }
    }
    if f.free_seats {
        q.push(" and l.seats_taken < l.capacity");
    }
}

/// The finder's conditions: published lessons of public, active studios (joined as `s`), each
/// filter that is set, dates included (whole days in `tz`).
fn push_finder_conditions<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a LessonFilter, tz: &'a str) {
    q.push(" where l.status = 'published' and s.visibility = 'public' and not s.archived");
    push_lesson_filters(q, f);
    if !f.district.is_empty() {
        q.push(" and s.district = ").push_bind(f.district.as_str());
    }
    if !f.from.is_empty() {
        q.push(" and l.starts_at >= (")
            .push_bind(f.from.as_str())
            .push("::date)::timestamp at time zone ")
            .push_bind(tz);
    }
    if !f.to.is_empty() {
        q.push(" and l.starts_at < (")
            .push_bind(f.to.as_str())
            .push("::date + 1)::timestamp at time zone ")
            .push_bind(tz);
    }
}

/// One page of the upcoming published lessons of public studios, filtered, soonest first.
/// Dates are whole days in `tz`.
pub async fn list(pool: &PgPool, f: &LessonFilter, tz: &str) -> sqlx::Result<LessonPage> {
    let page = rules::lesson_page(f.page);
    let per_page = i64::from(rules::LESSONS_PER_PAGE);
    let mut q = QueryBuilder::new(SUMMARY_SELECT);
    push_finder_conditions(&mut q, f, tz);
    // One more than a page: whether there is a next page, without counting them all.
    q.push(" and l.starts_at > now() order by l.starts_at, l.id");
    push_window(&mut q, per_page + 1, i64::from(page - 1) * per_page);
    let mut lessons: Vec<LessonSummary> = q.build_query_as().fetch_all(pool).await?;
    let more = lessons.len() as i64 > per_page;
    lessons.truncate(per_page as usize);
    Ok(LessonPage { lessons, page, more })
}

/// The calendar's conditions besides the range of `l.starts_at`: the finder's filters, and a
/// studio that lists its lessons (checked against the few unlisted studios, not joined).
fn push_calendar_conditions<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a LessonFilter) {
    if f.district.is_empty() {
        q.push(" and l.studio_id not in (select s.id from studios s where s.visibility <> 'public' or s.archived)");
    } else {
        q.push(" and l.studio_id in (select s.id from studios s where s.visibility = 'public' and not s.archived and s.district = ")
            .push_bind(f.district.as_str())
            .push(")");
    }
    push_lesson_filters(q, f);
}

/// The calendar's days from `start` (`days` of them) that have published lessons of public
/// studios matching the filters (its dates aside): each day's count and its first `per_day`
/// lessons. Days are whole days in `tz`. One query, whatever the period holds: the days are
/// counted over a range of `open_lessons_published_calendar_idx`, each lesson's day found among
/// the period's day boundaries (computed here, so the database converts no time zone per
/// lesson), its studio checked against the few unlisted ones rather than joined; then each busy
/// day's first lessons are a short range of the same index.
pub async fn calendar(
    pool: &PgPool,
    f: &LessonFilter,
    tz: &str,
    start: NaiveDate,
    days: u32,
    per_day: i64,
) -> sqlx::Result<Vec<CalendarDay>> {
    let bounds: Vec<DateTime<Utc>> =
        (0..=days).map(|i| crate::kit::time::day_start(start + chrono::Duration::days(i64::from(i)), tz)).collect();
    let mut q = QueryBuilder::new("with busy as (select width_bucket(l.starts_at, ");
    q.push_bind(&bounds)
        .push(") as day, count(*) as day_count from open_lessons l where l.status = 'published' and l.starts_at >= ");
    q.push_bind(bounds[0]).push(" and l.starts_at < ").push_bind(bounds[bounds.len() - 1]);
    push_calendar_conditions(&mut q, f);
    q.push(
        " group by 1)
         select busy.day, busy.day_count, first.id, first.title, first.starts_at
         from busy cross join lateral (
             select l.id, l.title, l.starts_at from open_lessons l
             where l.status = 'published' and l.starts_at >= (",
    );
    q.push_bind(&bounds).push(")[busy.day] and l.starts_at < (").push_bind(&bounds).push(")[busy.day + 1]");
    push_calendar_conditions(&mut q, f);
    q.push(" order by l.starts_at, l.id");
    push_window(&mut q, per_day, 0);
    q.push(") first order by first.starts_at, first.id");
    let rows = q.build().fetch_all(pool).await?;
    let mut busy: Vec<CalendarDay> = Vec::new();
    for row in rows {
        // width_bucket counts the period's first day as 1.
        let day: i32 = row.try_get("day")?;
        let date = start + chrono::Duration::days(i64::from(day - 1));
        let lesson = CalendarEntry::from_row(&row)?;
        match busy.last_mut() {
            Some(day) if day.date == date => day.lessons.push(lesson),
            _ => busy.push(CalendarDay { date, count: row.try_get("day_count")?, lessons: vec![lesson] }),
        }
    }
    Ok(busy)
}

/// The user's bookings (newest lessons first) and the lessons of the studios they lead (from a
/// month ago on, drafts included), in three queries whatever the numbers.
pub async fn my_lessons(pool: &PgPool, user_id: Uuid) -> sqlx::Result<super::MyLessons> {
    let mine: Vec<(Uuid, BookingStatus)> = sqlx::query_as(&format!(
        "select lesson_id, status from bookings where user_id = $1 and status in {ACTIVE_STATUSES} order by seq desc limit 200"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = mine.iter().map(|(id, _)| *id).collect();
    let mut booked: Vec<LessonSummary> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} where l.id = any($1) and l.status <> 'draft' order by l.starts_at desc"
    ))
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    for summary in &mut booked {
        summary.my_status = mine.iter().find(|(id, _)| *id == summary.id).map(|(_, status)| *status);
    }
    let managed: Vec<LessonSummary> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT}
         where l.starts_at > now() - interval '30 days'
           and exists (select 1 from memberships m where m.studio_id = l.studio_id and m.user_id = $1
                       and m.status = 'active' and m.role in ('host', 'mentor'))
         order by l.starts_at
         limit 200"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(super::MyLessons { booked, managed })
}

/// Where a user (or an anonymous visitor) stands with the lesson's studio, and what the lesson's
/// permissions depend on, in one round trip.
pub async fn lesson_standing(
    db: impl PgExecutor<'_>,
    lesson_id: Uuid,
    user_id: Option<Uuid>,
) -> sqlx::Result<Option<(Standing, LessonFacts)>> {
    use crate::studios::store::{StandingColumns, STANDING_COLUMNS, STANDING_JOINS};
    #[derive(FromRow)]
    struct LessonStanding {
        status: LessonStatus,
        studio_private: bool,
        studio_archived: bool,
        #[sqlx(flatten)]
        standing: StandingColumns,
    }
    let row: Option<LessonStanding> = sqlx::query_as(&format!(
        "select l.status, st.visibility = 'private' as studio_private, st.archived as studio_archived, {STANDING_COLUMNS}
         from open_lessons l join studios st on st.id = l.studio_id {STANDING_JOINS}
         where l.id = $1"
    ))
    .bind(lesson_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        (
            r.standing.into(),
            LessonFacts { status: r.status, studio_private: r.studio_private, studio_archived: r.studio_archived },
        )
    }))
}

/// The id of the studio's active member with this (lower-cased) email.
pub async fn active_member_by_email(
    db: impl PgExecutor<'_>,
    studio_id: Uuid,
    email: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "select u.id from users u join memberships m on m.user_id = u.id
         where u.email = $2 and m.studio_id = $1 and m.status = 'active'",
    )
    .bind(studio_id)
    .bind(email)
    .fetch_optional(db)
    .await
}

/// The studios the user leads (host or mentor): where they may schedule lessons.
pub async fn led_studios(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "select s.slug, s.name from memberships m join studios s on s.id = m.studio_id
         where m.user_id = $1 and m.status = 'active' and m.role in ('host', 'mentor') and not s.archived
         order by s.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: Uuid,
    studio_id: Uuid,
    studio_name: String,
    studio_slug: String,
    teacher_name: String,
    title: String,
    subject: String,
    grade: String,
    topic: String,
    description: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: String,
    mode: Mode,
    place: String,
    link: String,
    capacity: i32,
    seats_taken: i64,
    waitlisted: i64,
    booking_opens_at: Option<DateTime<Utc>>,
    booking_closes_at: Option<DateTime<Utc>>,
    needs_approval: bool,
    credited_hours: String,
    status: LessonStatus,
    cancel_reason: String,
    checkin_code: String,
    my_id: Option<Uuid>,
    my_status: Option<BookingStatus>,
    my_position: Option<i64>,
}

/// A lesson's page as `viewer` sees it (their own booking included), in one query.
pub async fn detail(pool: &PgPool, lesson_id: Uuid, viewer: Option<Uuid>) -> sqlx::Result<Option<LessonDetail>> {
    let row: Option<DetailRow> = sqlx::query_as(
        "select l.id, l.studio_id, s.name as studio_name, s.slug as studio_slug, u.display_name as teacher_name,
                l.title, l.subject, l.grade, l.topic, l.description, l.starts_at, l.ends_at, l.time_zone, l.mode,
                l.place, l.link, l.capacity, l.seats_taken::int8 as seats_taken, l.waitlisted::int8 as waitlisted,
                l.booking_opens_at, l.booking_closes_at, l.needs_approval, l.credited_hours::text as credited_hours,
                l.status, l.cancel_reason, l.checkin_code,
                my.id as my_id, my.status as my_status,
                case when my.status = 'waitlisted' then
                    (select count(*) from bookings w where w.lesson_id = l.id and w.status = 'waitlisted' and w.seq <= my.seq)
                end as my_position
         from open_lessons l
         join studios s on s.id = l.studio_id
         join users u on u.id = l.teacher_id
         left join lateral (
             select b.id, b.status, b.seq from bookings b
             where b.lesson_id = l.id and b.user_id = $2
             order by (b.status in ('pending', 'confirmed', 'waitlisted', 'attended', 'no_show')) desc, b.seq desc
             limit 1
         ) my on true
         where l.id = $1",
    )
    .bind(lesson_id)
    .bind(viewer)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| LessonDetail {
        id: r.id,
        studio_id: r.studio_id,
        studio_name: r.studio_name,
        studio_slug: r.studio_slug,
        teacher_name: r.teacher_name,
        title: r.title,
        subject: r.subject,
        grade: r.grade,
        topic: r.topic,
        description: r.description,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        time_zone: r.time_zone,
        mode: r.mode,
        place: r.place,
        link: r.link,
        capacity: r.capacity,
        seats_taken: r.seats_taken,
        waitlisted: r.waitlisted,
        booking_opens_at: r.booking_opens_at,
        booking_closes_at: r.booking_closes_at,
        needs_approval: r.needs_approval,
        credited_hours: r.credited_hours,
        status: r.status,
        cancel_reason: r.cancel_reason,
        my_booking: match (r.my_id, r.my_status) {
            (Some(id), Some(status)) => Some(MyBooking { id, status, waitlist_position: r.my_position }),
            _ => None,
        },
        can_manage: false,
        checkin_code: Some(r.checkin_code),
    }))
}

/// The columns a lesson form sets, in the order [`bind_fields`] binds them.
const FORM_COLUMNS: [&str; 16] = [
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
    "credited_hours",
    "booking_opens_at",
    "booking_closes_at",
    "needs_approval",
];

/// The placeholders of [`FORM_COLUMNS`], numbered from `$first`.
fn form_values(first: usize) -> String {
    let placeholder = |(i, column): (usize, &&str)| match *column {
        // Tenths of an hour: no float on the way to the numeric column.
        "credited_hours" => format!("${}::numeric / 10", first + i),
        _ => format!("${}", first + i),
    };
    FORM_COLUMNS.iter().enumerate().map(placeholder).collect::<Vec<_>>().join(", ")
}

fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    v: &'q ValidLesson,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(&v.title)
        .bind(&v.subject)
        .bind(&v.grade)
        .bind(&v.topic)
        .bind(&v.description)
        .bind(v.starts_at)
        .bind(v.ends_at)
        .bind(&v.time_zone)
        .bind(v.mode)
        .bind(&v.place)
        .bind(&v.link)
        .bind(v.capacity)
        .bind(v.credited_tenths)
        .bind(v.booking_opens_at)
        .bind(v.booking_closes_at)
        .bind(v.needs_approval)
}

/// Creates a draft lesson and returns its id.
pub async fn create(
    pool: &PgPool,
    studio_id: Uuid,
    teacher_id: Uuid,
    created_by: Uuid,
    v: &ValidLesson,
    code: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let sql = format!(
        "insert into open_lessons (id, studio_id, teacher_id, checkin_code, created_by, status, {})
         values ($1, $2, $3, $4, $5, 'draft', {})",
        FORM_COLUMNS.join(", "),
        form_values(6)
    );
    let query = sqlx::query(&sql).bind(id).bind(studio_id).bind(teacher_id).bind(code).bind(created_by);
    bind_fields(query, v).execute(pool).await?;
    Ok(id)
}

/// The locked lesson row: what booking decisions need.
#[derive(sqlx::FromRow)]
struct Locked {
    status: LessonStatus,
    teacher_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    place: String,
    link: String,
    capacity: i32,
    booking_closes_at: Option<DateTime<Utc>>,
    checkin_code: String,
    /// The transaction's clock, for window checks.
    now: DateTime<Utc>,
}

async fn lock_lesson(conn: &mut PgConnection, lesson_id: Uuid) -> Result<Locked, StoreError> {
    sqlx::query_as(
        "select status, teacher_id, starts_at, ends_at, place, link, capacity, booking_closes_at, checkin_code,
                now() as now
         from open_lessons where id = $1 for update",
    )
    .bind(lesson_id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The lesson's seats taken and waitlist, as its row counts them (trigger `bookings_count_seats`
/// keeps them, in the same transaction as any change of its bookings).
async fn seat_counts(conn: &mut PgConnection, lesson_id: Uuid) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("select seats_taken::int8, waitlisted::int8 from open_lessons where id = $1")
        .bind(lesson_id)
        .fetch_one(conn)
        .await
}

/// Writes one notification per listed booking (to the booking's owner), each with its email in
/// the outbox, in two statements whatever the number of bookings.
async fn notify(conn: &mut PgConnection, kind: NotificationKind, booking_ids: &[Uuid]) -> sqlx::Result<()> {
    if booking_ids.is_empty() {
        return Ok(());
    }
    let (zh, en) = (kind.label().text(Locale::ZhCn), kind.label().text(Locale::En));
    sqlx::query(
        "with n as (
             insert into notifications (id, user_id, kind, lesson_id, booking_id)
             select gen_random_uuid(), b.user_id, $1, b.lesson_id, b.id from bookings b where b.id = any($2)
             returning id, user_id, lesson_id
         )
         insert into email_outbox (id, notification_id, to_email, subject, body)
         select gen_random_uuid(), n.id, u.email,
                case when u.locale = 'en' then $4 else $3 end || ': ' || l.title,
                l.title || E'\\n' || to_char(l.starts_at at time zone l.time_zone, 'YYYY-MM-DD HH24:MI') || ' (' || l.time_zone || ')'
                    || E'\\n' || l.place || case when l.link <> '' then E'\\n' || l.link else '' end
         from n join users u on u.id = n.user_id join open_lessons l on l.id = n.lesson_id",
    )
    .bind(kind)
    .bind(booking_ids)
    .bind(zh)
    .bind(en)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the earliest waitlisted bookings into free seats; notifies them. The lesson row must be
/// locked by the caller.
async fn promote(conn: &mut PgConnection, lesson_id: Uuid, capacity: i32) -> sqlx::Result<Vec<Uuid>> {
    let (taken, waiting) = seat_counts(conn, lesson_id).await?;
    let n = rules::promotions(capacity, taken, waiting);
    if n == 0 {
        return Ok(Vec::new());
    }
    let promoted: Vec<Uuid> = sqlx::query_scalar(
        "update bookings set status = 'confirmed', updated_at = clock_timestamp()
         where id in (select id from bookings where lesson_id = $1 and status = 'waitlisted' order by seq limit $2)
         returning id",
    )
    .bind(lesson_id)
    .bind(n)
    .fetch_all(&mut *conn)
    .await?;
    notify(conn, NotificationKind::Promoted, &promoted).await?;
    Ok(promoted)
}

/// Books a seat for each of `users`, in that order: confirmed while seats last, then waitlisted;
/// pending when the lesson needs approval. One round trip and one transaction for all of them: the
/// database function `book_seats` runs `book_seat` for each, which reads the permission facts,
/// locks the lesson, reads its seat counts, inserts and queues the notification and its email, so
/// the lesson's lock is held only while PostgreSQL works (migrations `20261208000000_book_seat.sql`
/// and `20261220000000_book_seats.sql`). Who may book is decided there, as `rules::can` decides it
/// for `Action::Book`. Each answer is what booking alone would have answered; an error of the
/// statement itself (the database gone) is every booking's.
#[tracing::instrument(skip_all)]
pub async fn book_many(pool: &PgPool, lesson_id: Uuid, users: &[Uuid]) -> Result<Vec<BookingAnswer>, StoreError> {
    let kinds =
        [NotificationKind::BookingConfirmed, NotificationKind::BookingWaitlisted, NotificationKind::BookingPending];
    let labels = |locale| kinds.iter().map(|kind| kind.label().text(locale)).collect::<Vec<_>>();
    let rows: Vec<SeatOutcome> = sqlx::query_as(
        "select booker, outcome, booking_id, booking_status, waitlist_position from book_seats($1, $2, $3, $4)",
    )
    .bind(lesson_id)
    .bind(users)
    .bind(labels(Locale::ZhCn))
    .bind(labels(Locale::En))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.booker, row.answer())).collect())
}

/// Who booked, and what they are told.
pub type BookingAnswer = (Uuid, Result<MyBooking, StoreError>);

/// A row of `book_seats`.
#[derive(FromRow)]
struct SeatOutcome {
    booker: Uuid,
    outcome: String,
    booking_id: Option<Uuid>,
    booking_status: Option<BookingStatus>,
    waitlist_position: Option<i64>,
}

impl SeatOutcome {
    /// What `book_seat` answered for one booking, as the booker is told.
    fn answer(self) -> Result<MyBooking, StoreError> {
        let refusal = match self.outcome.as_str() {
            "booked" => {
                let (Some(id), Some(status)) = (self.booking_id, self.booking_status) else {
                    return Err(StoreError::Inconsistent("book_seat booked without a booking".into()));
                };
                return Ok(MyBooking { id, status, waitlist_position: self.waitlist_position });
            }
            "not_found" => return Err(StoreError::NotFound),
            "archived" => return Err(StoreError::Refused(crate::studios::StudioMsg::ErrArchived.into())),
            "not_bookable" => LessonMsg::ErrNotBookable,
            "past" => LessonMsg::ErrLessonPast,
            "not_open" => LessonMsg::ErrBookingNotOpen,
            "closed" => LessonMsg::ErrBookingClosed,
            "own_lesson" => LessonMsg::ErrOwnLesson,
            "already_booked" => LessonMsg::ErrAlreadyBooked,
            other => return Err(StoreError::Inconsistent(format!("book_seat answered {other:?}"))),
        };
        Err(err("lesson", refusal))
    }
}

/// Cancels the user's active booking of the lesson and promotes the earliest waitlisted person
/// into a freed seat, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn cancel_booking(pool: &PgPool, lesson_id: Uuid, user_id: Uuid, reason: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    let booking: Option<Uuid> = sqlx::query_scalar(
        "select id from bookings where lesson_id = $1 and user_id = $2 and status in ('pending', 'confirmed', 'waitlisted')",
    )
    .bind(lesson_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(booking) = booking else {
        return Err(err("lesson", LessonMsg::ErrNoActiveBooking));
    };
    rules::check_cancellable(lesson.starts_at, lesson.booking_closes_at, lesson.now)
        .map_err(|m| StoreError::conflict("lesson", m))?;
    sqlx::query(
        "update bookings set status = 'cancelled', cancel_reason = $2, updated_at = clock_timestamp() where id = $1",
    )
    .bind(booking)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    if lesson.status == LessonStatus::Published {
        promote(&mut tx, lesson_id, lesson.capacity).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What leaving a private studio (or being removed from it) means for the person's bookings of
/// its lessons still to come: they end, and each lesson's waitlist moves up. Runs inside the
/// caller's transaction (the membership change); locks each lesson row, in id order, as every
/// seat change does. Past attendance stays: it happened. A public studio's lessons are open to
/// anyone, so their bookings stay too.
pub async fn withdraw_from_private_studio(
    conn: &mut PgConnection,
    studio_id: Uuid,
    user_id: Uuid,
) -> Result<(), StoreError> {
    let lessons: Vec<Uuid> = sqlx::query_scalar(
        "select distinct b.lesson_id from bookings b
         join open_lessons l on l.id = b.lesson_id join studios s on s.id = l.studio_id
         where l.studio_id = $1 and s.visibility = 'private' and b.user_id = $2
           and b.status in ('pending', 'confirmed', 'waitlisted') and l.starts_at > now()
         order by b.lesson_id",
    )
    .bind(studio_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for lesson_id in lessons {
        let lesson = lock_lesson(&mut *conn, lesson_id).await?;
        sqlx::query(
            "update bookings set status = 'cancelled', updated_at = clock_timestamp()
             where lesson_id = $1 and user_id = $2 and status in ('pending', 'confirmed', 'waitlisted')",
        )
        .bind(lesson_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        if lesson.status == LessonStatus::Published {
            promote(&mut *conn, lesson_id, lesson.capacity).await?;
        }
    }
    Ok(())
}

/// Approves (seat if free, else waitlist) or declines a pending booking.
pub async fn decide(
    pool: &PgPool,
    lesson_id: Uuid,
    booking_id: Uuid,
    approve: bool,
) -> Result<BookingStatus, StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if lesson.status != LessonStatus::Published {
        return Err(err("lesson", LessonMsg::ErrLessonNotEditable));
    }
    let pending: bool = sqlx::query_scalar(
        "select exists (select 1 from bookings where id = $1 and lesson_id = $2 and status = 'pending')",
    )
    .bind(booking_id)
    .bind(lesson_id)
    .fetch_one(&mut *tx)
    .await?;
    if !pending {
        return Err(StoreError::NotFound);
    }
    let (taken, _) = seat_counts(&mut tx, lesson_id).await?;
    let status =
        if !approve { BookingStatus::Declined } else { rules::new_booking_status(lesson.capacity, taken, false) };
    sqlx::query("update bookings set status = $2, updated_at = clock_timestamp() where id = $1")
        .bind(booking_id)
        .bind(status.code())
        .execute(&mut *tx)
        .await?;
    notify(&mut tx, if approve { NotificationKind::Approved } else { NotificationKind::Declined }, &[booking_id])
        .await?;
    tx.commit().await?;
    Ok(status)
}

/// Replaces a lesson's details. Capacity may not drop below the seats taken; more seats promote
/// the waitlist; a change of time or place notifies everyone booked and bumps the calendar
/// SEQUENCE.
pub async fn update(pool: &PgPool, lesson_id: Uuid, v: &ValidLesson) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if matches!(lesson.status, LessonStatus::Cancelled | LessonStatus::Done) {
        return Err(err("lesson", LessonMsg::ErrLessonNotEditable));
    }
    let (taken, _) = seat_counts(&mut tx, lesson_id).await?;
    if (v.capacity as i64) < taken {
        return Err(err("capacity", LessonMsg::ErrCapacityBelowTaken));
    }
    let moved = lesson.starts_at != v.starts_at
        || lesson.ends_at != v.ends_at
        || lesson.place != v.place
        || lesson.link != v.link;
    let sql = format!(
        "update open_lessons set ({}) = ({}), sequence = sequence + 1, updated_at = now() where id = $1",
        FORM_COLUMNS.join(", "),
        form_values(2)
    );
    bind_fields(sqlx::query(&sql).bind(lesson_id), v).execute(&mut *tx).await?;
    if moved {
        let booked = active_booking_ids(&mut tx, lesson_id).await?;
        notify(&mut tx, NotificationKind::LessonChanged, &booked).await?;
    }
    if lesson.status == LessonStatus::Published {
        promote(&mut tx, lesson_id, v.capacity).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn active_booking_ids(conn: &mut PgConnection, lesson_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select id from bookings where lesson_id = $1 and status in ('pending', 'confirmed', 'waitlisted')",
    )
    .bind(lesson_id)
    .fetch_all(conn)
    .await
}

/// Changes only the capacity (more seats promote the waitlist at once).
pub async fn set_capacity(pool: &PgPool, lesson_id: Uuid, capacity: i32) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if matches!(lesson.status, LessonStatus::Cancelled | LessonStatus::Done) {
        return Err(err("capacity", LessonMsg::ErrLessonNotEditable));
    }
    let (taken, _) = seat_counts(&mut tx, lesson_id).await?;
    if (capacity as i64) < taken {
        return Err(err("capacity", LessonMsg::ErrCapacityBelowTaken));
    }
    sqlx::query("update open_lessons set capacity = $2, sequence = sequence + 1, updated_at = now() where id = $1")
        .bind(lesson_id)
        .bind(capacity)
        .execute(&mut *tx)
        .await?;
    if lesson.status == LessonStatus::Published {
        promote(&mut tx, lesson_id, capacity).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Draft → published (and then the waitlist, if any, is served).
pub async fn publish(pool: &PgPool, lesson_id: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if lesson.status != LessonStatus::Draft {
        return Err(err("lesson", LessonMsg::ErrLessonNotEditable));
    }
    sqlx::query(
        "update open_lessons set status = 'published', sequence = sequence + 1, updated_at = now() where id = $1",
    )
    .bind(lesson_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a lesson with a reason; everyone booked is notified (their bookings stay, so their
/// calendars show the lesson as cancelled).
pub async fn cancel_lesson(pool: &PgPool, lesson_id: Uuid, reason: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if matches!(lesson.status, LessonStatus::Cancelled | LessonStatus::Done) {
        return Err(err("lesson", LessonMsg::ErrLessonNotEditable));
    }
    sqlx::query("update open_lessons set status = 'cancelled', cancel_reason = $2, sequence = sequence + 1, updated_at = now() where id = $1")
        .bind(lesson_id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    // A lesson that did not take place credits nobody, even those checked in early.
    sqlx::query("delete from training_records where source_kind = 'booking' and source_id in (select id from bookings where lesson_id = $1)")
        .bind(lesson_id)
        .execute(&mut *tx)
        .await?;
    let booked = active_booking_ids(&mut tx, lesson_id).await?;
    notify(&mut tx, NotificationKind::LessonCancelled, &booked).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a lesson done: confirmed bookings nobody checked in become no-shows.
pub async fn mark_done(pool: &PgPool, lesson_id: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if lesson.status != LessonStatus::Published {
        return Err(err("lesson", LessonMsg::ErrLessonNotEditable));
    }
    sqlx::query("update open_lessons set status = 'done', sequence = sequence + 1, updated_at = now() where id = $1")
        .bind(lesson_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("update bookings set status = 'no_show', updated_at = clock_timestamp() where lesson_id = $1 and status = 'confirmed'")
        .bind(lesson_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The attendee list for the host: everyone with a booking, in booking order.
pub async fn attendees(pool: &PgPool, lesson_id: Uuid) -> sqlx::Result<Vec<Attendee>> {
    let rows: Vec<(Uuid, String, String, String, BookingStatus, DateTime<Utc>)> = sqlx::query_as(
        "select b.id, u.display_name, u.email, u.school, b.status, b.created_at
         from bookings b join users u on u.id = b.user_id
         where b.lesson_id = $1 and b.status not in ('cancelled', 'declined')
         order by b.seq",
    )
    .bind(lesson_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(booking_id, display_name, email, school, status, booked_at)| Attendee {
            booking_id,
            display_name,
            email,
            school,
            status,
            booked_at,
        })
        .collect())
}

/// Checks a booking in (attended + one training record linked to it) or undoes that (back to
/// confirmed, record removed), or marks a no-show. One transaction holding the lesson row.
pub async fn set_attendance(
    pool: &PgPool,
    lesson_id: Uuid,
    booking_id: Uuid,
    to: BookingStatus,
    verifier: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if lesson.status == LessonStatus::Cancelled {
        return Err(StoreError::Refused(Msg::from(LessonMsg::ErrCheckInCancelled)));
    }
    if to == BookingStatus::Attended {
        rules::check_in_open(lesson.starts_at, lesson.ends_at, lesson.now).map_err(StoreError::Refused)?;
    }
    let current: Option<BookingStatus> =
        sqlx::query_scalar("select status from bookings where id = $1 and lesson_id = $2")
            .bind(booking_id)
            .bind(lesson_id)
            .fetch_optional(&mut *tx)
            .await?;
    let current = current.ok_or(StoreError::NotFound)?;
    if !rules::holds_seat(current) || !rules::holds_seat(to) {
        return Err(StoreError::NotFound);
    }
    sqlx::query("update bookings set status = $2, checked_in_at = case when $2 = 'attended' then clock_timestamp() end, updated_at = clock_timestamp() where id = $1")
        .bind(booking_id)
        .bind(to.code())
        .execute(&mut *tx)
        .await?;
    let credit_change =
        if to == BookingStatus::Attended { Credit::Grant { verified_by: Some(verifier) } } else { Credit::TakeBack };
    credit(&mut tx, booking_id, credit_change).await?;
    tx.commit().await?;
    Ok(())
}

/// What a change of attendance does to the ledger.
enum Credit {
    /// Attended: the hours are credited, confirmed by the host or mentor who checked the
    /// observer in (`None`: by the code the observer typed in the room).
    Grant { verified_by: Option<Uuid> },
    /// An undone check-in: the credit is taken back.
    TakeBack,
}

/// One training record per attended booking (never two: the ledger's unique source key), with
/// whoever confirmed the attendance, clipped to what the observer's day still allows; never for
/// the lesson's teaching teacher.
async fn credit(conn: &mut PgConnection, booking_id: Uuid, change: Credit) -> sqlx::Result<()> {
    let Credit::Grant { verified_by } = change else {
        sqlx::query("delete from training_records where source_kind = 'booking' and source_id = $1")
            .bind(booking_id)
            .execute(conn)
            .await?;
        return Ok(());
    };
    let attendance: Option<(Uuid, NaiveDate, i64, String)> = sqlx::query_as(
        "select b.user_id, (l.starts_at at time zone l.time_zone)::date, (l.credited_hours * 10)::int8, l.title
         from bookings b join open_lessons l on l.id = b.lesson_id
         where b.id = $1 and b.user_id <> l.teacher_id",
    )
    .bind(booking_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((user_id, day, tenths, title)) = attendance {
        let attendance = crate::growth::store::Attendance {
            user_id,
            day,
            tenths,
            category: crate::growth::HourCategory::OpenLesson,
            description: &title,
            source: crate::growth::RecordSource::Booking,
            source_id: booking_id,
            verified_by,
        };
        crate::growth::store::credit_attendance(conn, &attendance).await?;
    }
    Ok(())
}

/// An observer checks themself in with the lesson's code (on the day, before it ends).
pub async fn check_in_with_code(pool: &PgPool, lesson_id: Uuid, user_id: Uuid, code: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let lesson = lock_lesson(&mut tx, lesson_id).await?;
    if lesson.status == LessonStatus::Cancelled {
        return Err(err("code", LessonMsg::ErrCheckInCancelled));
    }
    rules::check_in_open(lesson.starts_at, lesson.ends_at, lesson.now).map_err(|m| StoreError::conflict("code", m))?;
    if lesson.teacher_id == user_id {
        return Err(err("code", LessonMsg::ErrOwnLesson));
    }
    if lesson.checkin_code.is_empty() || rules::normalize_code(code) != lesson.checkin_code {
        return Err(err("code", LessonMsg::ErrWrongCode));
    }
    let booking: Option<Uuid> = sqlx::query_scalar(
        "select id from bookings where lesson_id = $1 and user_id = $2 and status in ('confirmed', 'no_show', 'attended')",
    )
    .bind(lesson_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(booking) = booking else {
        return Err(err("code", LessonMsg::ErrNoActiveBooking));
    };
    sqlx::query("update bookings set status = 'attended', checked_in_at = coalesce(checked_in_at, clock_timestamp()), updated_at = clock_timestamp() where id = $1")
        .bind(booking)
        .execute(&mut *tx)
        .await?;
    credit(&mut tx, booking, Credit::Grant { verified_by: None }).await?;
    tx.commit().await?;
    Ok(())
}

/// The user's open-lesson training hours in total (as text, e.g. "1.5").
pub async fn open_lesson_hours(pool: &PgPool, user_id: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "select coalesce(sum(hours), 0)::text from training_records where user_id = $1 and category = 'open_lesson'",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
}

pub async fn notifications(pool: &PgPool, user_id: Uuid, limit: i64) -> sqlx::Result<Vec<Notification>> {
    let rows = sqlx::query(
        "select n.id, n.kind, n.lesson_id, l.title, st.slug, st.name as studio, r.year, r.version, n.created_at,
                n.read_at is not null as read
         from notifications n left join open_lessons l on l.id = n.lesson_id
         left join studio_year_records r on r.id = n.studio_record_id left join studios st on st.id = r.studio_id
         where n.user_id = $1 order by n.created_at desc limit $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let lesson: Option<Uuid> = row.try_get("lesson_id")?;
            let slug: Option<String> = row.try_get("slug")?;
            let (href, subject) = match (lesson, slug) {
                (Some(id), _) => {
                    (Some(format!("/lessons/{id}")), row.try_get::<Option<String>, _>("title")?.unwrap_or_default())
                }
                (None, Some(slug)) => {
                    let (year, version): (i32, i32) = (row.try_get("year")?, row.try_get("version")?);
                    let path = crate::records::studio_year::api::record_path(&slug, year);
                    let studio: String = row.try_get("studio")?;
                    (Some(format!("{path}?version={version}")), format!("{studio} · {year}"))
                }
                (None, None) => (None, String::new()),
            };
            Ok(Notification {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                href,
                subject,
                created_at: row.try_get("created_at")?,
                read: row.try_get("read")?,
            })
        })
        .collect()
}

pub async fn mark_all_read(pool: &PgPool, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("update notifications set read_at = now() where user_id = $1 and read_at is null")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Writes the 24-hour reminders that are due. Safe to run on every instance at once: the unique
/// index on reminders makes each booking's reminder exist once. Returns how many were written.
pub async fn send_due_reminders(pool: &PgPool) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let due: Vec<Uuid> = sqlx::query_scalar(
        "insert into notifications (id, user_id, kind, lesson_id, booking_id)
         select gen_random_uuid(), b.user_id, 'reminder', b.lesson_id, b.id
         from bookings b join open_lessons l on l.id = b.lesson_id
         where l.status = 'published' and b.status = 'confirmed'
           and l.starts_at > now() and l.starts_at <= now() + interval '24 hours'
         on conflict (booking_id) where kind = 'reminder' do nothing
         returning id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let (zh, en) = LessonMsg::KindReminder.zh_en();
    sqlx::query(
        "insert into email_outbox (id, notification_id, to_email, subject, body)
         select gen_random_uuid(), n.id, u.email, case when u.locale = 'en' then $3 else $2 end || ': ' || l.title,
                l.title || E'\\n' || to_char(l.starts_at at time zone l.time_zone, 'YYYY-MM-DD HH24:MI') || ' (' || l.time_zone || ')'
         from notifications n join users u on u.id = n.user_id join open_lessons l on l.id = n.lesson_id
         where n.id = any($1)",
    )
    .bind(&due)
    .bind(zh)
    .bind(en)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(due.len() as u64)
}

/// Sets a new calendar-feed secret for the user (the old link stops working).
pub async fn reset_feed_token(pool: &PgPool, user_id: Uuid, token: &str) -> sqlx::Result<()> {
    sqlx::query(
        "insert into calendar_feeds (user_id, token_hash) values ($1, $2)
         on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now()",
    )
    .bind(user_id)
    .bind(token_hash(token))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn user_by_feed_token(pool: &PgPool, token: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("select user_id from calendar_feeds where token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await
}

/// A lesson as a calendar event.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CalendarLesson {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub place: String,
    pub link: String,
    pub status: LessonStatus,
    pub sequence: i32,
    pub updated_at: DateTime<Utc>,
    pub studio_name: String,
}

const CALENDAR_SELECT: &str =
    "select l.id, l.title, l.description, l.starts_at, l.ends_at, l.time_zone, l.place, l.link, l.status,
        l.sequence, l.updated_at, s.name as studio_name
 from open_lessons l join studios s on s.id = l.studio_id";

pub async fn calendar_lesson(pool: &PgPool, lesson_id: Uuid) -> sqlx::Result<Option<CalendarLesson>> {
    sqlx::query_as(&format!("{CALENDAR_SELECT} where l.id = $1 and l.status <> 'draft'"))
        .bind(lesson_id)
        .fetch_optional(pool)
        .await
}

/// The user's booked lessons for the feed, each by the user's latest booking of it. A lesson
/// that was cancelled, or whose booking the user cancelled (or the host declined), stays in the
/// feed as cancelled. Every drop and every booking again moves SEQUENCE on (each earlier booking
/// of a lesson was dropped, then booked again: two changes), so that calendar apps apply each.
pub async fn calendar_lessons_of(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<CalendarLesson>> {
    sqlx::query_as(
        "with mine as (
             select lesson_id, (array_agg(status in ('cancelled', 'declined') order by seq desc))[1] as dropped,
                    count(*)::int as bookings, max(updated_at) as updated_at
             from bookings where user_id = $1 group by lesson_id)
         select l.id, l.title, l.description, l.starts_at, l.ends_at, l.time_zone, l.place, l.link,
                case when b.dropped then 'cancelled' else l.status end as status,
                l.sequence + 2 * (b.bookings - 1) + b.dropped::int as sequence,
                greatest(l.updated_at, b.updated_at) as updated_at, s.name as studio_name
         from mine b join open_lessons l on l.id = b.lesson_id join studios s on s.id = l.studio_id
         where l.status <> 'draft'
         order by l.starts_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}
