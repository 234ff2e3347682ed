//! Lesson-study queries (server only). Every user action is one transaction; lists are read
//! with one query each (no query per row).

use super::markdown::render;
use super::rules::{self, Sections, StudyFacts};
use super::*;
use crate::kit::error::StoreError;
use crate::kit::sql::push_window;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

/// The channel new notes are announced on (payload `study_id:note_id`).
pub const NOTES_CHANNEL: &str = "study_notes";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StudyRow {
    pub id: Uuid,
    pub studio_id: Uuid,
    pub title: String,
    pub theme: String,
    pub subject: String,
    pub grade: String,
    pub lead_id: Uuid,
    pub phase: Phase,
    pub notes_locked: bool,
    pub conclusions: String,
}

impl StudyRow {
    pub fn facts(&self) -> StudyFacts {
        StudyFacts { phase: self.phase, notes_locked: self.notes_locked }
    }
}

#[derive(sqlx::FromRow)]
struct StudyWithRole {
    #[sqlx(flatten)]
    study: StudyRow,
    group_role: Option<GroupRole>,
}

/// The study and `user`'s role in its group (none outside it), in one round trip: what every
/// study action checks first.
pub async fn study_and_role(
    db: impl PgExecutor<'_>,
    id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<Option<(StudyRow, Option<GroupRole>)>> {
    let row: Option<StudyWithRole> = sqlx::query_as(
        "select s.id, s.studio_id, s.title, s.theme, s.subject, s.grade, s.lead_id, s.phase, s.notes_locked, s.conclusions,
                m.role as group_role
         from studies s left join study_members m on m.study_id = s.id and m.user_id = $2
         where s.id = $1",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.study, r.group_role)))
}

/// What leaving a studio (or being removed from it) means for its lesson studies: the person
/// leaves the study groups they were in as a studio member, and the studies they led pass to the
/// studio's host. Invited observers from outside are not studio members and stay. Runs inside
/// the caller's transaction (the membership change).
pub async fn leave_studio_groups(conn: &mut PgConnection, studio_id: Uuid, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "with led as (
             update studies set lead_id = s.host_id, updated_at = now() from studios s
             where s.id = $1 and studies.studio_id = s.id and studies.lead_id = $2
             returning studies.id, s.host_id)
         insert into study_members (study_id, user_id, role) select id, host_id, 'lead' from led
         on conflict (study_id, user_id) do update set role = 'lead'",
    )
    .bind(studio_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "delete from study_members m using studies s
         where s.id = m.study_id and s.studio_id = $1 and m.user_id = $2 and m.role in ('lead', 'member')",
    )
    .bind(studio_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn group_role(db: impl PgExecutor<'_>, study_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<GroupRole>> {
    sqlx::query_scalar("select role from study_members where study_id = $1 and user_id = $2")
        .bind(study_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The validated fields of a new study.
pub struct NewStudy<'a> {
    pub title: &'a str,
    pub theme: &'a str,
    pub subject: &'a str,
    pub grade: &'a str,
}

/// An active member of the studio, by email.
pub async fn studio_member_by_email(
    db: impl PgExecutor<'_>,
    studio_id: Uuid,
    email: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("select u.id from users u join memberships m on m.user_id = u.id where u.email = $1 and m.studio_id = $2 and m.status = 'active'")
        .bind(email)
        .bind(studio_id)
        .fetch_optional(db)
        .await
}

/// Opens a study with its lead (and its opener as a member, when someone else leads) and a
/// first round of 45 minutes.
#[tracing::instrument(skip_all)]
pub async fn create_study(
    pool: &PgPool,
    studio_id: Uuid,
    opener: Uuid,
    lead_id: Uuid,
    study: &NewStudy<'_>,
) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into studies (id, studio_id, title, theme, subject, grade, lead_id, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(studio_id)
    .bind(study.title)
    .bind(study.theme)
    .bind(study.subject)
    .bind(study.grade)
    .bind(lead_id)
    .bind(opener)
    .execute(&mut *tx)
    .await?;
    sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, 'lead')")
        .bind(id)
        .bind(lead_id)
        .execute(&mut *tx)
        .await?;
    if opener != lead_id {
        sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, 'member')")
            .bind(id)
            .bind(opener)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("insert into study_rounds (id, study_id, number) values ($1, $2, 1)")
        .bind(Uuid::new_v4())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn my_studies(pool: &PgPool, user_id: Uuid) -> sqlx::Result<MyStudies> {
    let rows: Vec<(Uuid, String, String, String, Phase, String)> = sqlx::query_as(
        "select s.id, s.title, s.theme, st.name, s.phase, u.display_name
         from study_members m join studies s on s.id = m.study_id join studios st on st.id = s.studio_id join users u on u.id = s.lead_id
         where m.user_id = $1 order by s.created_at desc",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let invitations: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "select i.id, s.title, st.name, u.display_name
         from study_invitations i join studies s on s.id = i.study_id join studios st on st.id = s.studio_id
              join users u on u.id = i.invited_by
         where i.email = (select email from users where id = $1) and s.phase <> 'closed'
         order by i.created_at desc limit 50",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let can_create_in: Vec<(String, String)> = sqlx::query_as(
        "select st.slug, st.name from memberships m join studios st on st.id = m.studio_id
         where m.user_id = $1 and m.status = 'active' and m.role in ('host', 'mentor') and not st.archived order by st.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(MyStudies {
        studies: rows
            .into_iter()
            .map(|(id, title, theme, studio_name, phase, lead_name)| StudySummary {
                id,
                title,
                theme,
                studio_name,
                phase,
                lead_name,
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|(id, study_title, studio_name, invited_by)| StudyInvitation {
                id,
                study_title,
                studio_name,
                invited_by,
            })
            .collect(),
        can_create_in,
    })
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: Uuid,
    round_number: i32,
    author_id: Uuid,
    author_name: String,
    minute: i32,
    dimension: Dimension,
    tag: Tag,
    body: String,
    /// Rendered when the note was written; `None` for notes that predate that (see the
    /// migration `observation_note_html`).
    body_html: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl NoteRow {
    fn into_note(self) -> Note {
        Note {
            id: self.id,
            round_number: self.round_number,
            author_id: self.author_id,
            author_name: self.author_name,
            minute: self.minute,
            dimension: self.dimension,
            tag: self.tag,
            body_html: self.body_html.unwrap_or_else(|| render(&self.body)),
            excerpt: super::rules::excerpt(&self.body),
            body: self.body,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

const NOTE_SELECT: &str = "select n.id, r.number as round_number, n.author_id, u.display_name as author_name, n.minute, n.dimension, n.tag, n.body, n.body_html,
        n.created_at, n.updated_at
     from observation_notes n join study_rounds r on r.id = n.round_id join users u on u.id = n.author_id";

/// One page of the study's timeline as `viewer` receives it: the notes `filter` asks for,
/// newest first, [`rules::NOTES_PAGE`] at most (served by
/// `observation_notes_study_id_created_at_idx`); the counts per dimension and the newest change
/// of the whole study (kept by a trigger in `study_note_counts`). Only the filters in use reach
/// the SQL. Markdown is rendered for this page's notes only.
pub async fn notes_page(
    conn: &mut PgConnection,
    study_id: Uuid,
    filter: &NoteFilter,
    viewer: Uuid,
) -> sqlx::Result<NotesPage> {
    let query = rules::NoteQuery::new(filter);
    let mut select = sqlx::QueryBuilder::new(NOTE_SELECT);
    select.push(" where n.study_id = ").push_bind(study_id);
    if let Some(dimension) = query.dimension {
        select.push(" and n.dimension = ").push_bind(dimension);
    }
    if let Some(observer) = query.observer {
        select.push(" and n.author_id = ").push_bind(observer);
    }
    if let Some(tag) = query.tag {
        select.push(" and n.tag = ").push_bind(tag);
    }
    if let Some((at, id)) = query.before {
        select.push(" and (n.created_at, n.id) < (").push_bind(at).push(", ").push_bind(id).push(")");
    }
    select.push(" order by n.created_at desc, n.id desc");
    push_window(&mut select, rules::NOTES_PAGE as i64 + 1, 0);
    let mut rows: Vec<NoteRow> = select.build_query_as().fetch_all(&mut *conn).await?;
    // One row past the page says whether earlier notes exist; the page's last note is the cursor.
    let earlier = if rows.len() > rules::NOTES_PAGE {
        rows.truncate(rules::NOTES_PAGE);
        rows.last().map(|n| rules::note_cursor(n.created_at, n.id))
    } else {
        None
    };
    let counts: Vec<(Dimension, i64, DateTime<Utc>)> =
        sqlx::query_as("select dimension, notes::int8, newest_change from study_note_counts where study_id = $1")
            .bind(study_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(NotesPage {
        filter: filter.clone(),
        notes: rows.into_iter().map(|row| row.into_note().seen_by(viewer)).collect(),
        newest_change: counts.iter().map(|(_, _, at)| at.timestamp_micros()).max(),
        counts: counts.into_iter().map(|(dimension, n, _)| (dimension, n)).collect(),
        earlier,
    })
}

pub async fn note(db: impl PgExecutor<'_>, study_id: Uuid, note_id: Uuid) -> sqlx::Result<Option<Note>> {
    let row: Option<NoteRow> = sqlx::query_as(&format!("{NOTE_SELECT} where n.id = $1 and n.study_id = $2"))
        .bind(note_id)
        .bind(study_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(NoteRow::into_note))
}

/// The study's notes written or edited after `since`, oldest change first, at most `limit`
/// (served by `observation_notes_study_id_updated_at_idx`).
pub async fn notes_changed_since(
    db: impl PgExecutor<'_>,
    study_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Note>> {
    let rows: Vec<NoteRow> = sqlx::query_as(&format!(
        "{NOTE_SELECT} where n.study_id = $1 and n.updated_at > $2 order by n.updated_at limit $3"
    ))
    .bind(study_id)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(NoteRow::into_note).collect())
}

pub async fn note_author(db: impl PgExecutor<'_>, study_id: Uuid, note_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("select author_id from observation_notes where id = $1 and study_id = $2")
        .bind(note_id)
        .bind(study_id)
        .fetch_optional(db)
        .await
}

#[derive(sqlx::FromRow)]
pub struct RoundRow {
    pub id: Uuid,
    pub number: i32,
    pub lesson_minutes: i32,
}

/// The round being taught now: the latest one.
pub async fn current_round(db: impl PgExecutor<'_>, study_id: Uuid) -> sqlx::Result<Option<RoundRow>> {
    sqlx::query_as(
        "select id, number, lesson_minutes from study_rounds where study_id = $1 order by number desc limit 1",
    )
    .bind(study_id)
    .fetch_optional(db)
    .await
}

/// A plan version's sections in order (none when the version does not exist).
async fn section_rows(
    db: impl PgExecutor<'_>,
    study_id: Uuid,
    number: i32,
) -> sqlx::Result<Vec<(SectionKind, String)>> {
    sqlx::query_as(
        "select s.kind, s.body from plan_sections s join plan_versions v on v.id = s.version_id where v.study_id = $1 and v.number = $2 order by s.position",
    )
    .bind(study_id)
    .bind(number)
    .fetch_all(db)
    .await
}

/// A plan version's sections, or `None` when the study has no such version.
async fn sections_of(conn: &mut PgConnection, study_id: Uuid, number: i32) -> sqlx::Result<Option<Sections>> {
    let rows = section_rows(&mut *conn, study_id, number).await?;
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from plan_versions where study_id = $1 and number = $2)")
            .bind(study_id)
            .bind(number)
            .fetch_one(conn)
            .await?;
    Ok(exists.then(|| rows.into_iter().collect()))
}

/// The study's plan versions, newest first, and the newest one whole (none before the first
/// is saved): two statements, the list giving the newest version's number, author and time.
async fn plan_history(
    conn: &mut PgConnection,
    study_id: Uuid,
) -> sqlx::Result<(Option<PlanVersion>, Vec<VersionSummary>)> {
    let versions = versions(&mut *conn, study_id).await?;
    let Some(newest) = versions.first() else { return Ok((None, versions)) };
    let sections = section_rows(&mut *conn, study_id, newest.number).await?;
    Ok((newest_plan(&versions, &sections), versions))
}

/// The newest version of the plan (the first of `versions`, newest first) with its `sections`,
/// each section of the template shown, empty where the version has none.
fn newest_plan(versions: &[VersionSummary], sections: &[(SectionKind, String)]) -> Option<PlanVersion> {
    let newest = versions.first()?;
    Some(PlanVersion {
        number: newest.number,
        author_name: newest.author_name.clone(),
        created_at: newest.created_at,
        sections: SectionKind::ALL
            .into_iter()
            .map(|kind| {
                let body = sections.iter().find(|(k, _)| *k == kind).map(|(_, b)| b.clone()).unwrap_or_default();
                Section { kind, html: render(&body), body }
            })
            .collect(),
    })
}

async fn latest_number(db: impl PgExecutor<'_>, study_id: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar("select coalesce(max(number), 0) from plan_versions where study_id = $1")
        .bind(study_id)
        .fetch_one(db)
        .await
}

async fn versions(db: impl PgExecutor<'_>, study_id: Uuid) -> sqlx::Result<Vec<VersionSummary>> {
    let rows: Vec<(i32, String, DateTime<Utc>)> = sqlx::query_as(
        "select v.number, u.display_name, v.created_at from plan_versions v join users u on u.id = v.author_id where v.study_id = $1 order by v.number desc",
    )
    .bind(study_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(number, author_name, created_at)| VersionSummary { number, author_name, created_at })
        .collect())
}

type RoundTuple = (Uuid, i32, Option<String>, i32, Option<DateTime<Utc>>);
type AssignmentTuple = (Uuid, String, Option<Dimension>, String, String);
type CommentTuple = (Uuid, String, String, DateTime<Utc>);
type VersionTuple = (i32, String, DateTime<Utc>);
/// (comment, note, minute, dimension, author, body where no HTML is stored, stored HTML)
type CitationTuple = (Uuid, Uuid, i32, Dimension, String, Option<String>, Option<String>);

/// The study page's small lists, as one statement reads them.
#[derive(sqlx::FromRow)]
struct StudyFrame {
    studio_slug: String,
    studio_name: String,
    lead_name: String,
    members: Json<Vec<(Uuid, String, String, GroupRole)>>,
    invited: Json<Vec<String>>,
    rounds: Json<Vec<RoundTuple>>,
    assignments: Json<Vec<AssignmentTuple>>,
    comments: Json<Vec<CommentTuple>>,
    lessons: Json<Vec<(Uuid, String)>>,
    versions: Json<Vec<VersionTuple>>,
    newest_sections: Json<Vec<(SectionKind, String)>>,
    citations: Json<Vec<CitationTuple>>,
}

/// The study page, for a member of the group (`can` already said so).
#[tracing::instrument(skip_all)]
pub async fn study_page(
    pool: &PgPool,
    row: &StudyRow,
    me: Uuid,
    my_role: GroupRole,
    can: Abilities,
    filter: &NoteFilter,
) -> Result<StudyPage, StoreError> {
    let mut conn = crate::kit::sql::begin_read_with_generic_plans(pool).await?;
    // The page's small lists in one statement (one round trip instead of ten), each a JSON
    // array of rows; what only the lead sees is left out of the statement for everyone else.
    let (invited, lessons) = match can.lead {
        true => (
            "(select coalesce(json_agg(i.email order by i.created_at), '[]') from (
                 select email, created_at from study_invitations where study_id = $3 order by created_at limit 100) i)",
            "(select coalesce(json_agg(json_build_array(o.id, o.title) order by o.starts_at desc), '[]') from (
                 select id, title, starts_at from open_lessons where studio_id = $1 and status <> 'cancelled'
                 order by starts_at desc limit 50) o)",
        ),
        false => ("'[]'::json", "'[]'::json"),
    };
    let StudyFrame {
        studio_slug,
        studio_name,
        lead_name,
        members: Json(members),
        invited: Json(invited),
        rounds: Json(rounds),
        assignments: Json(assignments),
        comments: Json(comments),
        lessons: Json(lessons),
        versions: Json(versions),
        newest_sections: Json(newest_sections),
        citations: Json(citations),
    } = sqlx::query_as(&format!(
        "select st.slug as studio_slug, st.name as studio_name, u.display_name as lead_name,
                (select coalesce(json_agg(json_build_array(mu.id, mu.display_name, mu.school, m.role)
                                          order by case m.role when 'lead' then 0 when 'member' then 1 else 2 end, m.added_at), '[]')
                 from study_members m join users mu on mu.id = m.user_id where m.study_id = $3) as members,
                {invited} as invited,
                (select coalesce(json_agg(json_build_array(r.id, r.number, l.title, r.lesson_minutes, r.clock_started_at)
                                          order by r.number), '[]')
                 from study_rounds r left join open_lessons l on l.id = r.open_lesson_id where r.study_id = $3) as rounds,
                (select coalesce(json_agg(json_build_array(a.observer_id, au.display_name, a.dimension, a.point, a.focus_seats)
                                          order by au.display_name), '[]')
                 from observation_assignments a join users au on au.id = a.observer_id where a.study_id = $3) as assignments,
                (select coalesce(json_agg(json_build_array(c.id, cu.display_name, c.body, c.created_at) order by c.created_at), '[]')
                 from debrief_comments c join users cu on cu.id = c.author_id where c.study_id = $3) as comments,
                {lessons} as lessons,
                (select coalesce(json_agg(json_build_array(v.number, vu.display_name, v.created_at) order by v.number desc), '[]')
                 from plan_versions v join users vu on vu.id = v.author_id where v.study_id = $3) as versions,
                (select coalesce(json_agg(json_build_array(ps.kind, ps.body) order by ps.position), '[]')
                 from plan_sections ps join plan_versions pv on pv.id = ps.version_id
                 where pv.study_id = $3 and pv.number = (select max(number) from plan_versions where study_id = $3)) as newest_sections,
                (select coalesce(json_agg(json_build_array(d.comment_id, n.id, n.minute, n.dimension, nu.display_name,
                                                           case when n.body_html is null then n.body end, n.body_html)
                                          order by n.created_at), '[]')
                 from debrief_comments c
                 join debrief_citations d on d.comment_id = c.id
                 join observation_notes n on n.id = d.note_id
                 join users nu on nu.id = n.author_id
                 where c.study_id = $3) as citations
         from studios st, users u where st.id = $1 and u.id = $2"
    ))
    .bind(row.studio_id)
    .bind(row.lead_id)
    .bind(row.id)
    .fetch_one(&mut *conn)
    .await?;
    let plan_versions: Vec<VersionSummary> = versions
        .into_iter()
        .map(|(number, author_name, created_at)| VersionSummary { number, author_name, created_at })
        .collect();
    let plan = newest_plan(&plan_versions, &newest_sections);
    let timeline = notes_page(&mut conn, row.id, filter, me).await?;
    let mut cited: std::collections::HashMap<Uuid, Vec<CitedNote>> = std::collections::HashMap::new();
    for (comment, id, minute, dimension, author_name, body, html) in citations {
        let body_html = html.unwrap_or_else(|| render(body.as_deref().unwrap_or_default()));
        cited.entry(comment).or_default().push(CitedNote { id, minute, dimension, author_name, body_html });
    }
    let sources: Vec<Uuid> = rounds.iter().map(|r| Uuid::new_v5(&r.0, me.as_bytes())).collect();
    let my_hours: f64 = sqlx::query_scalar(
        "select coalesce(sum(hours), 0)::float8 from training_records where source_kind = 'study_session' and source_id = any($1) and user_id = $2",
    )
    .bind(&sources)
    .bind(me)
    .fetch_one(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(StudyPage {
        id: row.id,
        studio_slug,
        studio_name,
        title: row.title.clone(),
        theme: row.theme.clone(),
        subject: row.subject.clone(),
        grade: row.grade.clone(),
        phase: row.phase,
        notes_locked: row.notes_locked,
        conclusions: row.conclusions.clone(),
        conclusions_html: render(&row.conclusions),
        lead_name,
        me,
        my_role,
        can,
        members: members.into_iter().map(|(id, name, school, role)| GroupMember { id, name, school, role }).collect(),
        invited,
        rounds: rounds
            .into_iter()
            .map(|(id, number, lesson_title, lesson_minutes, clock_started_at)| Round {
                id,
                number,
                lesson_title,
                lesson_minutes,
                clock_started_at,
            })
            .collect(),
        assignments: assignments
            .into_iter()
            .map(|(observer_id, observer_name, dimension, point, focus_seats)| Assignment {
                observer_id,
                observer_name,
                dimension,
                point,
                focus_seats,
            })
            .collect(),
        plan,
        plan_versions,
        timeline,
        comments: comments
            .into_iter()
            .map(|(id, author_name, body, created_at)| DebriefComment {
                id,
                author_name,
                body_html: render(&body),
                created_at,
                cites: cited.remove(&id).unwrap_or_default(),
            })
            .collect(),
        lessons,
        new_note_id: Uuid::new_v4(),
        my_hours,
    })
}

/// The lead (`actor`) moves the study to `to`. Entering the debrief credits those who observed
/// the current round; leaving it, those who debriefed (see [`credit_round`]).
#[tracing::instrument(skip_all)]
pub async fn move_phase(pool: &PgPool, study_id: Uuid, from: Phase, to: Phase, actor: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("update studies set phase = $3, updated_at = now() where id = $1 and phase = $2")
        .bind(study_id)
        .bind(from.code())
        .bind(to.code())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(Msg::from(StudyMsg::ErrPhaseChanged)));
    }
    if to == Phase::Debrief || (from == Phase::Debrief && to == Phase::Revise) {
        credit_round(&mut tx, study_id, actor).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The current round of a study, as [`credit_round`] needs it.
#[derive(sqlx::FromRow)]
struct RoundToCredit {
    id: Uuid,
    number: i32,
    lesson_minutes: i32,
    teacher_id: Option<Uuid>,
    /// The lesson clock's start, else the linked open lesson's.
    start: Option<DateTime<Utc>>,
    title: String,
    time_zone: String,
    now: DateTime<Utc>,
}

/// Credits attendance of the current round, confirmed by the lead who moved the study on: who
/// wrote a note inside the round's attendance window (observing), or a debrief comment since the
/// window opened (debriefing) — never the round's teaching teacher. The hours are the part of
/// the lesson that has happened (`rules::round_credit`), on the lesson's day in the lead's time
/// zone, clipped to what each person's day still allows; once per round and person (the source
/// id is derived from both), so crediting again changes nothing.
async fn credit_round(conn: &mut PgConnection, study_id: Uuid, actor: Uuid) -> sqlx::Result<()> {
    let round: Option<RoundToCredit> = sqlx::query_as(
        "select r.id, r.number, r.lesson_minutes, r.teacher_id, coalesce(r.clock_started_at, l.starts_at) as start,
                s.title, coalesce(l.time_zone, u.time_zone) as time_zone, now() as now
         from study_rounds r join studies s on s.id = r.study_id join users u on u.id = $2
         left join open_lessons l on l.id = r.open_lesson_id
         where r.study_id = $1 order by r.number desc limit 1",
    )
    .bind(study_id)
    .bind(actor)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(round) = round else { return Ok(()) };
    let (Some(start), Some(credit)) = (round.start, rules::round_credit(round.start, round.lesson_minutes, round.now))
    else {
        return Ok(());
    };
    let mut attendees: Vec<Uuid> = sqlx::query_scalar(
        "select author_id from observation_notes where round_id = $1 and created_at between $2 and $3
         union
         select author_id from debrief_comments where study_id = $4 and created_at >= $2",
    )
    .bind(round.id)
    .bind(credit.notes_from)
    .bind(credit.notes_until)
    .bind(study_id)
    .fetch_all(&mut *conn)
    .await?;
    attendees.retain(|a| Some(*a) != round.teacher_id);
    // Per-user-day locks are taken in one order, so two rounds credited at once cannot deadlock.
    attendees.sort_unstable();
    let tz: chrono_tz::Tz = round.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let day = start.with_timezone(&tz).date_naive();
    let description = format!("{} #{}", round.title, round.number);
    for user_id in attendees {
        let attendance = crate::growth::store::Attendance {
            user_id,
            day,
            tenths: credit.tenths,
            category: crate::growth::HourCategory::LessonStudy,
            description: &description,
            source: crate::growth::RecordSource::StudySession,
            source_id: Uuid::new_v5(&round.id, user_id.as_bytes()),
            verified_by: Some(actor),
        };
        crate::growth::store::credit_attendance(conn, &attendance).await?;
    }
    Ok(())
}

/// Invitations one lead may send in an hour: enough for any real group, too few to probe
/// addresses with.
pub const INVITATIONS_PER_HOUR: i64 = 30;

/// The lead invites the teacher with this (normalised) email. The answer is the same whether
/// or not the email has an account, or is in the group already (then nothing changes), so the
/// form tells nobody who is registered; an invitation already waiting is kept.
#[tracing::instrument(skip_all)]
pub async fn invite(pool: &PgPool, study_id: Uuid, email: &str, lead: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // One lead's invitations are counted one at a time, so a burst cannot slip past the limit.
    crate::kit::lock::lock_until_commit(&mut tx, &format!("study_invitations:{lead}")).await?;
    let sent: i64 = sqlx::query_scalar(
        "select count(*) from study_invitations where invited_by = $1 and created_at > now() - interval '1 hour'",
    )
    .bind(lead)
    .fetch_one(&mut *tx)
    .await?;
    if sent >= INVITATIONS_PER_HOUR {
        return Err(StoreError::conflict("email", Msg::from(StudyMsg::ErrInvitationLimit)));
    }
    sqlx::query(
        "insert into study_invitations (id, study_id, email, invited_by)
         select $1, $2, $3, $4
         where not exists (select 1 from study_members m join users u on u.id = m.user_id where m.study_id = $2 and u.email = $3)
         on conflict on constraint study_invitations_study_email_key do nothing",
    )
    .bind(Uuid::new_v4())
    .bind(study_id)
    .bind(email)
    .bind(lead)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The invited teacher accepts: a member of the studio joins as a member, anyone else as an
/// invited observer; the invitation is used up. Returns the study. Someone else's invitation is
/// not found; a closed study takes nobody in.
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(pool: &PgPool, invitation: Uuid, user_id: Uuid) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    let found: Option<(Uuid, Uuid, Phase)> = sqlx::query_as(
        "select s.id, s.studio_id, s.phase from study_invitations i join studies s on s.id = i.study_id
         where i.id = $1 and i.email = (select email from users where id = $2)
         for update of i, s",
    )
    .bind(invitation)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((study_id, studio_id, phase)) = found else { return Err(StoreError::NotFound) };
    if phase == Phase::Closed {
        return Err(StoreError::Refused(Msg::from(StudyMsg::ErrClosed)));
    }
    let in_studio = crate::studios::store::active_role(&mut *tx, studio_id, user_id).await?.is_some();
    let role = if in_studio { GroupRole::Member } else { GroupRole::Observer };
    sqlx::query("insert into study_members (study_id, user_id, role) values ($1, $2, $3) on conflict do nothing")
        .bind(study_id)
        .bind(user_id)
        .bind(role.code())
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from study_invitations where id = $1").bind(invitation).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(study_id)
}

/// The invited teacher declines: the invitation is gone. Someone else's is not found.
#[tracing::instrument(skip_all)]
pub async fn decline_invitation(pool: &PgPool, invitation: Uuid, user_id: Uuid) -> Result<(), StoreError> {
    let done =
        sqlx::query("delete from study_invitations where id = $1 and email = (select email from users where id = $2)")
            .bind(invitation)
            .bind(user_id)
            .execute(pool)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Starts the next round (a re-teach of the revised plan) and takes the study back to "teach":
/// only from "revise", decided under the study's row lock, in one transaction, so that two
/// clicks at once start one round.
pub async fn add_round(pool: &PgPool, study: &StudyRow, lesson: Option<Uuid>, minutes: i32) -> Result<i32, StoreError> {
    let mut tx = pool.begin().await?;
    let phase: Phase = sqlx::query_scalar("select phase from studies where id = $1 for update")
        .bind(study.id)
        .fetch_one(&mut *tx)
        .await?;
    if phase != Phase::Revise {
        return Err(StoreError::refused(StudyMsg::ErrRoundOnlyInRevise));
    }
    let teacher: Option<Option<Uuid>> = match lesson {
        Some(lesson) => Some(
            sqlx::query_scalar("select teacher_id from open_lessons where id = $1 and studio_id = $2")
                .bind(lesson)
                .bind(study.studio_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::conflict("lesson", Msg::ErrChoiceUnknown))?,
        ),
        None => None,
    };
    let number: i32 = sqlx::query_scalar(
        "insert into study_rounds (id, study_id, number, open_lesson_id, teacher_id, lesson_minutes)
         select $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5 from study_rounds where study_id = $2 returning number",
    )
    .bind(Uuid::new_v4())
    .bind(study.id)
    .bind(lesson)
    .bind(teacher.flatten())
    .bind(minutes)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update studies set phase = $2, updated_at = now() where id = $1")
        .bind(study.id)
        .bind(Phase::Teach)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(number)
}

/// Links the current round to an open lesson and sets its length.
pub async fn update_round(
    pool: &PgPool,
    study: &StudyRow,
    lesson: Option<Uuid>,
    minutes: i32,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if let Some(lesson) = lesson {
        let ok: bool =
            sqlx::query_scalar("select exists (select 1 from open_lessons where id = $1 and studio_id = $2)")
                .bind(lesson)
                .bind(study.studio_id)
                .fetch_one(&mut *tx)
                .await?;
        if !ok {
            return Err(StoreError::conflict("lesson", Msg::ErrChoiceUnknown));
        }
    }
    sqlx::query(
        "update study_rounds set open_lesson_id = $2, lesson_minutes = $3,
            teacher_id = (select teacher_id from open_lessons where id = $2)
         where id = (select id from study_rounds where study_id = $1 order by number desc limit 1)",
    )
    .bind(study.id)
    .bind(lesson)
    .bind(minutes)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts (or restarts) the lesson clock of the current round now.
pub async fn start_clock(pool: &PgPool, study_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("update study_rounds set clock_started_at = now() where id = (select id from study_rounds where study_id = $1 order by number desc limit 1)")
        .bind(study_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn assign(
    pool: &PgPool,
    study_id: Uuid,
    observer: Uuid,
    dimension: Option<Dimension>,
    point: &str,
    seats: &str,
    by: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if group_role(&mut *tx, study_id, observer).await?.is_none() {
        return Err(StoreError::conflict("observer", Msg::from(StudyMsg::ErrNotInGroup)));
    }
    sqlx::query(
        "insert into observation_assignments (study_id, observer_id, dimension, point, focus_seats, assigned_by) values ($1, $2, $3, $4, $5, $6)
         on conflict (study_id, observer_id) do update set dimension = excluded.dimension, point = excluded.point,
            focus_seats = excluded.focus_seats, assigned_by = excluded.assigned_by, updated_at = now()",
    )
    .bind(study_id)
    .bind(observer)
    .bind(dimension.map(Dimension::code))
    .bind(point)
    .bind(seats)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct NewNote<'a> {
    pub id: Uuid,
    pub round_id: Uuid,
    pub minute: i32,
    pub dimension: Dimension,
    pub tag: Tag,
    pub body: &'a str,
}

/// Stores a note once, whatever how often it is sent (the browser's id is the key), and
/// announces it to everyone watching the study, on any server instance, when it commits.
#[tracing::instrument(skip_all)]
pub async fn add_note(pool: &PgPool, study_id: Uuid, author: Uuid, note: &NewNote<'_>) -> Result<Note, StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "insert into observation_notes (id, study_id, round_id, author_id, minute, dimension, tag, body, body_html)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing",
    )
    .bind(note.id)
    .bind(study_id)
    .bind(note.round_id)
    .bind(author)
    .bind(note.minute)
    .bind(note.dimension.code())
    .bind(note.tag.code())
    .bind(note.body)
    .bind(render(note.body))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        sqlx::query("select pg_notify($1, $2)")
            .bind(NOTES_CHANNEL)
            .bind(format!("{study_id}:{}", note.id))
            .execute(&mut *tx)
            .await?;
    } else {
        // Sent before: fine if it is the same author's note in this study, refused otherwise.
        let owner = note_author(&mut *tx, study_id, note.id).await?;
        if owner != Some(author) {
            return Err(StoreError::Refused(Msg::from(StudyMsg::ErrNoteIdTaken)));
        }
    }
    let stored = self::note(&mut *tx, study_id, note.id)
        .await?
        .ok_or_else(|| StoreError::Inconsistent("note vanished".into()))?;
    tx.commit().await?;
    Ok(stored)
}

/// Rewrites a note's text; pages watching the study get the new text live, like a new note.
pub async fn edit_note(pool: &PgPool, study_id: Uuid, note_id: Uuid, body: &str) -> sqlx::Result<()> {
    sqlx::query(
        "with edited as (
             update observation_notes set body = $3, body_html = $5, updated_at = now()
             where id = $1 and study_id = $2 returning id
         )
         select pg_notify($4, $2::text || ':' || id::text) from edited",
    )
    .bind(note_id)
    .bind(study_id)
    .bind(body)
    .bind(NOTES_CHANNEL)
    .bind(render(body))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set_notes_locked(pool: &PgPool, study_id: Uuid, locked: bool) -> sqlx::Result<()> {
    sqlx::query("update studies set notes_locked = $2, updated_at = now() where id = $1")
        .bind(study_id)
        .bind(locked)
        .execute(pool)
        .await?;
    Ok(())
}

/// A debrief comment and the notes it cites, all of this study (or nothing is stored).
#[tracing::instrument(skip_all)]
pub async fn add_comment(
    pool: &PgPool,
    study_id: Uuid,
    author: Uuid,
    body: &str,
    cites: &[Uuid],
) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    let found: i64 = sqlx::query_scalar("select count(*) from observation_notes where study_id = $1 and id = any($2)")
        .bind(study_id)
        .bind(cites)
        .fetch_one(&mut *tx)
        .await?;
    if found as usize != cites.len() {
        return Err(StoreError::conflict("cites", Msg::from(StudyMsg::ErrCiteOtherStudy)));
    }
    let id = Uuid::new_v4();
    sqlx::query("insert into debrief_comments (id, study_id, author_id, body) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(study_id)
        .bind(author)
        .bind(body)
        .execute(&mut *tx)
        .await?;
    sqlx::query("insert into debrief_citations (comment_id, note_id, study_id) select $1, unnest($2::uuid[]), $3")
        .bind(id)
        .bind(cites)
        .bind(study_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn save_conclusions(pool: &PgPool, study_id: Uuid, text: &str) -> sqlx::Result<()> {
    sqlx::query("update studies set conclusions = $2, updated_at = now() where id = $1")
        .bind(study_id)
        .bind(text)
        .execute(pool)
        .await?;
    Ok(())
}

/// Saves the plan as a new version, merged with whatever was saved since `based_on`; sections
/// both changed are a conflict and nothing is saved. The study row is locked so that two saves
/// never get the same number.
#[tracing::instrument(skip_all)]
pub async fn save_plan(
    pool: &PgPool,
    study_id: Uuid,
    author: Uuid,
    based_on: i32,
    mine: &Sections,
) -> Result<SaveOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("select id from studies where id = $1 for update").bind(study_id).execute(&mut *tx).await?;
    let latest = latest_number(&mut *tx, study_id).await?;
    if based_on > latest || based_on < 0 {
        return Err(StoreError::conflict("based_on", Msg::ErrChoiceUnknown));
    }
    let base =
        if based_on == 0 { Vec::new() } else { sections_of(&mut tx, study_id, based_on).await?.unwrap_or_default() };
    let current =
        if latest == 0 { Vec::new() } else { sections_of(&mut tx, study_id, latest).await?.unwrap_or_default() };
    let merged = match rules::merge_sections(&base, &current, mine) {
        Ok(merged) => merged,
        Err((form, sections)) => return Ok(SaveOutcome::Conflict { latest, sections, form }),
    };
    if latest > 0 && merged == current {
        return Ok(SaveOutcome::Saved(latest));
    }
    let version_id = Uuid::new_v4();
    let number = latest + 1;
    // The version carries the conclusions of the debrief it answers (the study's, as they stand).
    sqlx::query(
        "insert into plan_versions (id, study_id, number, author_id, conclusions)
         select $1, $2, $3, $4, conclusions from studies where id = $2",
    )
    .bind(version_id)
    .bind(study_id)
    .bind(number)
    .bind(author)
    .execute(&mut *tx)
    .await?;
    let kinds: Vec<&str> = merged.iter().map(|(k, _)| k.code()).collect();
    let positions: Vec<i32> = merged.iter().map(|(k, _)| k.position()).collect();
    let bodies: Vec<&str> = merged.iter().map(|(_, b)| b.as_str()).collect();
    sqlx::query("insert into plan_sections (version_id, kind, position, body) select $1, * from unnest($2::text[], $3::int[], $4::text[])")
        .bind(version_id)
        .bind(&kinds)
        .bind(&positions)
        .bind(&bodies)
        .execute(&mut *tx)
        .await?;
    sqlx::query("update studies set updated_at = now() where id = $1").bind(study_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(SaveOutcome::Saved(number))
}

pub async fn plan_page(pool: &PgPool, row: &StudyRow, can_edit: bool) -> Result<PlanPage, StoreError> {
    let mut conn = pool.acquire().await?;
    let (latest, versions) = plan_history(&mut conn, row.id).await?;
    let comments: Vec<(SectionKind, i32, String, String, DateTime<Utc>)> = sqlx::query_as(
        "select c.section, c.version_number, u.display_name, c.body, c.created_at from plan_comments c join users u on u.id = c.author_id
         where c.study_id = $1 order by c.created_at",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(PlanPage {
        study_id: row.id,
        title: row.title.clone(),
        phase: row.phase,
        can_edit,
        conclusions_html: render(&row.conclusions),
        latest,
        versions,
        comments: comments
            .into_iter()
            .map(|(section, version_number, author_name, body, created_at)| PlanComment {
                section,
                version_number,
                author_name,
                body_html: render(&body),
                created_at,
            })
            .collect(),
    })
}

pub async fn comparison(pool: &PgPool, row: &StudyRow, a: i32, b: i32) -> Result<Comparison, StoreError> {
    let mut conn = pool.acquire().await?;
    let old = sections_of(&mut conn, row.id, a).await?.ok_or(StoreError::NotFound)?;
    let new = sections_of(&mut conn, row.id, b).await?.ok_or(StoreError::NotFound)?;
    let versions = versions(&mut *conn, row.id).await?;
    let revised_from: String =
        sqlx::query_scalar("select conclusions from plan_versions where study_id = $1 and number = $2")
            .bind(row.id)
            .bind(b)
            .fetch_one(&mut *conn)
            .await?;
    drop(conn);
    let text = |s: &Sections, kind: SectionKind| {
        s.iter().find(|(k, _)| *k == kind).map(|(_, t)| t.clone()).unwrap_or_default()
    };
    // Diffing is CPU work (bounded per section by `rules::DIFF_DEADLINE`): off the async threads.
    let sections = tokio::task::spawn_blocking(move || {
        SectionKind::ALL.into_iter().map(|k| (k, rules::diff_lines(&text(&old, k), &text(&new, k)))).collect()
    })
    .await
    .map_err(|err| StoreError::Inconsistent(format!("the diff task failed: {err}")))?;
    Ok(Comparison {
        study_id: row.id,
        title: row.title.clone(),
        a,
        b,
        versions,
        sections,
        b_revised_from_html: render(&revised_from),
    })
}

pub async fn add_plan_comment(
    pool: &PgPool,
    study_id: Uuid,
    section: SectionKind,
    author: Uuid,
    body: &str,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let version = latest_number(&mut *tx, study_id).await?;
    sqlx::query("insert into plan_comments (id, study_id, version_number, section, author_id, body) values ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::new_v4())
        .bind(study_id)
        .bind(version)
        .bind(section.code())
        .bind(author)
        .bind(body)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
