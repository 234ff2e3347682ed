-- Lesson study (课例研究): a study group plans a research lesson, observes it with divided
-- focuses, debriefs on evidence and revises the plan, round after round.

create table studies (
    id            uuid primary key,
    studio_id     uuid not null references studios (id),
    title         text not null,
    theme         text not null default '',
    subject       text not null default '',
    grade         text not null default '',
    lead_id       uuid not null references users (id),
    phase         text not null default 'plan',
    notes_locked  boolean not null default false,
    conclusions   text not null default '',
    created_by    uuid not null references users (id),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint studies_phase_check check (phase in ('plan', 'teach', 'observe', 'debrief', 'revise', 'closed')),
    constraint studies_title_length_check check (char_length(title) between 1 and 120),
    constraint studies_conclusions_length_check check (char_length(conclusions) <= 20000)
);
create index studies_studio_id_created_at_idx on studies (studio_id, created_at desc);
create index studies_lead_id_idx on studies (lead_id);

-- The study group: studio members and invited observers from outside the studio.
create table study_members (
    study_id    uuid not null references studies (id),
    user_id     uuid not null references users (id),
    role        text not null,
    added_at    timestamptz not null default now(),
    constraint study_members_pkey primary key (study_id, user_id),
    constraint study_members_role_check check (role in ('lead', 'member', 'observer'))
);
create index study_members_user_id_idx on study_members (user_id);

-- Each teaching of the research lesson: the first lesson, then each re-teach.
create table study_rounds (
    id              uuid primary key,
    study_id        uuid not null references studies (id),
    number          integer not null,
    open_lesson_id  uuid references open_lessons (id),
    teacher_id      uuid references users (id),
    lesson_minutes  integer not null default 45,
    clock_started_at timestamptz,
    created_at      timestamptz not null default now(),
    constraint study_rounds_study_number_key unique (study_id, number),
    constraint study_rounds_minutes_check check (lesson_minutes between 1 and 240),
    constraint study_rounds_number_check check (number >= 1)
);
create index study_rounds_open_lesson_id_idx on study_rounds (open_lesson_id);

-- The lesson plan, saved as numbered versions; every version holds all its sections.
create table plan_versions (
    id          uuid primary key,
    study_id    uuid not null references studies (id),
    number      integer not null,
    author_id   uuid not null references users (id),
    created_at  timestamptz not null default now(),
    constraint plan_versions_study_number_key unique (study_id, number),
    constraint plan_versions_number_check check (number >= 1)
);

create table plan_sections (
    version_id  uuid not null references plan_versions (id),
    kind        text not null,
    position    integer not null,
    body        text not null default '',
    constraint plan_sections_pkey primary key (version_id, kind),
    constraint plan_sections_kind_check check (kind in ('goals', 'students', 'flow', 'assessment')),
    constraint plan_sections_body_length_check check (char_length(body) <= 20000)
);

create table plan_comments (
    id          uuid primary key,
    study_id    uuid not null references studies (id),
    version_number integer not null,
    section     text not null,
    author_id   uuid not null references users (id),
    body        text not null,
    created_at  timestamptz not null default now(),
    constraint plan_comments_section_check check (section in ('goals', 'students', 'flow', 'assessment')),
    constraint plan_comments_body_length_check check (char_length(body) between 1 and 4000)
);
create index plan_comments_study_id_created_at_idx on plan_comments (study_id, created_at);

-- Who observes what: a LICC dimension with an observation point, or focus students by seat.
create table observation_assignments (
    study_id     uuid not null references studies (id),
    observer_id  uuid not null references users (id),
    dimension    text,
    point        text not null default '',
    focus_seats  text not null default '',
    assigned_by  uuid not null references users (id),
    updated_at   timestamptz not null default now(),
    constraint observation_assignments_pkey primary key (study_id, observer_id),
    constraint observation_assignments_dimension_check check (dimension is null or dimension in ('student_learning', 'teacher_instruction', 'curriculum', 'classroom_culture')),
    constraint observation_assignments_focus_check check (dimension is not null or focus_seats <> '')
);

-- Observation notes. The id is made by the browser, so a note sent twice is stored once.
create table observation_notes (
    id          uuid primary key,
    study_id    uuid not null references studies (id),
    round_id    uuid not null references study_rounds (id),
    author_id   uuid not null references users (id),
    minute      integer not null,
    dimension   text not null,
    tag         text not null,
    body        text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint observation_notes_id_study_key unique (id, study_id),
    constraint observation_notes_minute_check check (minute between 0 and 240),
    constraint observation_notes_dimension_check check (dimension in ('student_learning', 'teacher_instruction', 'curriculum', 'classroom_culture')),
    constraint observation_notes_tag_check check (tag in ('question', 'response', 'strength', 'suggestion', 'evidence', 'other')),
    constraint observation_notes_body_length_check check (char_length(body) between 1 and 4000)
);
create index observation_notes_study_id_minute_idx on observation_notes (study_id, minute, created_at);
create index observation_notes_round_id_idx on observation_notes (round_id);
create index observation_notes_author_id_idx on observation_notes (author_id);

create table debrief_comments (
    id          uuid primary key,
    study_id    uuid not null references studies (id),
    author_id   uuid not null references users (id),
    body        text not null,
    created_at  timestamptz not null default now(),
    constraint debrief_comments_id_study_key unique (id, study_id),
    constraint debrief_comments_body_length_check check (char_length(body) between 1 and 8000)
);
create index debrief_comments_study_id_created_at_idx on debrief_comments (study_id, created_at);

-- A comment's evidence. Both foreign keys carry the study, so a comment can only cite notes of
-- its own study.
create table debrief_citations (
    comment_id  uuid not null,
    note_id     uuid not null,
    study_id    uuid not null,
    constraint debrief_citations_pkey primary key (comment_id, note_id),
    constraint debrief_citations_comment_fkey foreign key (comment_id, study_id) references debrief_comments (id, study_id),
    constraint debrief_citations_note_same_study_fkey foreign key (note_id, study_id) references observation_notes (id, study_id)
);
create index debrief_citations_note_id_idx on debrief_citations (note_id);
