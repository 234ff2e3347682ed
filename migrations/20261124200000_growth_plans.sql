-- Growth plans (成长规划): one plan per mentee per studio, goals with milestones, comments,
-- the sign-off history, and plan templates (the three-year track is built in).

create table growth_plans (
    id          uuid primary key,
    studio_id   uuid not null references studios (id),
    mentee_id   uuid not null references users (id),
    created_at  timestamptz not null default now(),
    constraint growth_plans_studio_mentee_key unique (studio_id, mentee_id)
);
create index growth_plans_mentee_id_idx on growth_plans (mentee_id);

-- A template belongs to a studio; the built-in ones (studio_id null) are offered to every studio.
create table growth_templates (
    id          uuid primary key,
    studio_id   uuid references studios (id),
    name_zh     text not null,
    name_en     text not null,
    created_by  uuid references users (id),
    created_at  timestamptz not null default now(),
    constraint growth_templates_name_check check (length(trim(name_zh)) > 0 and length(trim(name_en)) > 0)
);
create index growth_templates_studio_id_idx on growth_templates (studio_id);

create table growth_template_goals (
    id               uuid primary key,
    template_id      uuid not null references growth_templates (id),
    position         integer not null,
    title_zh         text not null,
    title_en         text not null,
    description_zh   text not null default '',
    description_en   text not null default '',
    category         text not null,
    target_stage     text not null,
    -- due this many days after the template is applied
    due_after_days   integer not null,
    constraint growth_template_goals_position_key unique (template_id, position),
    constraint growth_template_goals_category_check check (category in ('teaching', 'research', 'classroom', 'reading', 'other')),
    constraint growth_template_goals_due_check check (due_after_days between 0 and 3660)
);

create table growth_template_milestones (
    id                uuid primary key,
    template_goal_id  uuid not null references growth_template_goals (id),
    position          integer not null,
    title_zh          text not null,
    title_en          text not null,
    due_after_days    integer not null,
    constraint growth_template_milestones_position_key unique (template_goal_id, position),
    constraint growth_template_milestones_due_check check (due_after_days between 0 and 3660)
);

create table growth_goals (
    id                uuid primary key,
    plan_id           uuid not null references growth_plans (id),
    -- set when the goal was copied from a template: applying it twice never duplicates it
    template_goal_id  uuid references growth_template_goals (id),
    title             text not null,
    description       text not null default '',
    category          text not null,
    target_stage      text not null,
    due_on            date not null,
    status            text not null default 'active',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint growth_goals_plan_template_goal_key unique (plan_id, template_goal_id),
    constraint growth_goals_title_check check (length(trim(title)) > 0),
    constraint growth_goals_category_check check (category in ('teaching', 'research', 'classroom', 'reading', 'other')),
    constraint growth_goals_target_stage_check check (target_stage in ('year1', 'year2', 'year3', 'new_teacher', 'rising_star', 'backbone', 'master', 'leading_master')),
    constraint growth_goals_status_check check (status in ('active', 'achieved', 'dropped'))
);
create index growth_goals_plan_id_due_on_idx on growth_goals (plan_id, due_on);

create table growth_milestones (
    id                     uuid primary key,
    goal_id                uuid not null references growth_goals (id),
    template_milestone_id  uuid references growth_template_milestones (id),
    title                  text not null,
    due_on                 date not null,
    done_at                timestamptz,
    evidence               text not null default '',
    -- one link per line
    evidence_links         text not null default '',
    created_at             timestamptz not null default now(),
    constraint growth_milestones_goal_template_key unique (goal_id, template_milestone_id),
    constraint growth_milestones_title_check check (length(trim(title)) > 0)
);
create index growth_milestones_goal_id_due_on_idx on growth_milestones (goal_id, due_on);
-- the overview counts overdue milestones
create index growth_milestones_open_due_on_idx on growth_milestones (due_on) where done_at is null;

create table growth_comments (
    id            uuid primary key,
    goal_id       uuid not null references growth_goals (id),
    milestone_id  uuid references growth_milestones (id),
    author_id     uuid not null references users (id),
    body          text not null,
    created_at    timestamptz not null default now(),
    constraint growth_comments_body_check check (length(trim(body)) > 0)
);
create index growth_comments_goal_id_created_at_idx on growth_comments (goal_id, created_at);

-- Every change of a goal's status, never deleted: the sign-off history.
create table growth_goal_events (
    id          uuid primary key,
    goal_id     uuid not null references growth_goals (id),
    actor_id    uuid not null references users (id),
    kind        text not null,
    note        text not null default '',
    created_at  timestamptz not null default now(),
    constraint growth_goal_events_kind_check check (kind in ('created', 'achieved', 'reopened', 'dropped'))
);
create index growth_goal_events_goal_id_created_at_idx on growth_goal_events (goal_id, created_at);

create index training_records_verified_by_idx on training_records (verified_by) where verified_by is not null;

-- The built-in three-year track: 一年适应、二年胜任、三年创优.
insert into growth_templates (id, studio_id, name_zh, name_en) values
    ('6f1c1e2a-0000-4000-8000-000000000001', null, '新教师三年成长路径：一年适应、二年胜任、三年创优', 'Three-year track: year 1 adapt, year 2 competent, year 3 excel');

insert into growth_template_goals (id, template_id, position, title_zh, title_en, description_zh, description_en, category, target_stage, due_after_days) values
    ('6f1c1e2a-0000-4000-8000-000000000011', '6f1c1e2a-0000-4000-8000-000000000001', 1,
     '一年适应：站稳讲台', 'Year 1 — adapt: find your feet in the classroom',
     '熟悉课程标准与教材，规范上好每一节课，建立良好的课堂常规。', 'Know the curriculum standards and textbooks, teach every lesson soundly, establish classroom routines.',
     'teaching', 'year1', 365),
    ('6f1c1e2a-0000-4000-8000-000000000012', '6f1c1e2a-0000-4000-8000-000000000001', 2,
     '二年胜任：独立胜任教学', 'Year 2 — competent: teach independently',
     '能独立设计单元教学，参与课例研究，上好一节校级公开课。', 'Design units on your own, take part in a lesson study, teach a school-level open lesson.',
     'research', 'year2', 730),
    ('6f1c1e2a-0000-4000-8000-000000000013', '6f1c1e2a-0000-4000-8000-000000000001', 3,
     '三年创优：形成教学特色', 'Year 3 — excel: develop your own teaching style',
     '形成个人教学风格，在区级以上展示或获奖，完成一项小课题。', 'Develop a teaching style of your own, present or win an award at district level or above, finish a small research project.',
     'research', 'year3', 1095);

insert into growth_template_milestones (id, template_goal_id, position, title_zh, title_en, due_after_days) values
    ('6f1c1e2a-0000-4000-8000-000000000101', '6f1c1e2a-0000-4000-8000-000000000011', 1, '听导师的课不少于 20 节并写听课记录', 'Observe at least 20 of your mentor''s lessons, with notes', 120),
    ('6f1c1e2a-0000-4000-8000-000000000102', '6f1c1e2a-0000-4000-8000-000000000011', 2, '完成一份完整的学期教学设计', 'Write a complete term of lesson plans', 240),
    ('6f1c1e2a-0000-4000-8000-000000000103', '6f1c1e2a-0000-4000-8000-000000000011', 3, '上一节汇报课', 'Teach a report lesson', 330),
    ('6f1c1e2a-0000-4000-8000-000000000201', '6f1c1e2a-0000-4000-8000-000000000012', 1, '参与一轮课例研究', 'Take part in one round of lesson study', 545),
    ('6f1c1e2a-0000-4000-8000-000000000202', '6f1c1e2a-0000-4000-8000-000000000012', 2, '上一节校级公开课', 'Teach a school-level open lesson', 700),
    ('6f1c1e2a-0000-4000-8000-000000000301', '6f1c1e2a-0000-4000-8000-000000000013', 1, '完成一项校级小课题', 'Finish a school-level research project', 1000),
    ('6f1c1e2a-0000-4000-8000-000000000302', '6f1c1e2a-0000-4000-8000-000000000013', 2, '参加区级以上教学展示或评比', 'Present or compete at district level or above', 1090);
