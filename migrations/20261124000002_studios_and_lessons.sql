-- Studios, their members and their open lessons: the ground the demo and scale data stand on.
-- (The studio, booking and lesson-study features build on these tables.)

create table studios (
    id           uuid primary key,
    slug         text not null,
    name         text not null,
    description  text not null default '',
    subject      text not null default '',
    district     text not null default '',
    school       text not null default '',
    host_id      uuid not null references users (id),
    visibility   text not null default 'public',
    join_policy  text not null default 'request',
    archived     boolean not null default false,
    created_at   timestamptz not null default now(),
    last_activity_at timestamptz not null default now(),
    constraint studios_slug_key unique (slug),
    constraint studios_visibility_check check (visibility in ('public', 'private')),
    constraint studios_join_policy_check check (join_policy in ('invite_only', 'request', 'open'))
);
create index studios_host_id_idx on studios (host_id);
create index studios_directory_idx on studios (last_activity_at desc) where visibility = 'public' and not archived;

create table memberships (
    id          uuid primary key,
    studio_id   uuid not null references studios (id),
    user_id     uuid not null references users (id),
    role        text not null,
    status      text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint memberships_studio_user_key unique (studio_id, user_id),
    constraint memberships_role_check check (role in ('host', 'mentor', 'mentee')),
    constraint memberships_status_check check (status in ('pending', 'active', 'left', 'removed'))
);
create index memberships_user_id_idx on memberships (user_id);

create table open_lessons (
    id              uuid primary key,
    studio_id       uuid not null references studios (id),
    teacher_id      uuid not null references users (id),
    title           text not null,
    subject         text not null default '',
    grade           text not null default '',
    topic           text not null default '',
    description     text not null default '',
    starts_at       timestamptz not null,
    ends_at         timestamptz not null,
    time_zone       text not null default 'Asia/Shanghai',
    mode            text not null default 'in_person',
    place           text not null default '',
    link            text not null default '',
    capacity        integer not null,
    status          text not null default 'draft',
    credited_hours  numeric(4, 1) not null default 1.0,
    created_at      timestamptz not null default now(),
    constraint open_lessons_time_order_check check (ends_at > starts_at),
    constraint open_lessons_capacity_check check (capacity between 1 and 10000),
    constraint open_lessons_mode_check check (mode in ('in_person', 'online', 'hybrid')),
    constraint open_lessons_status_check check (status in ('draft', 'published', 'cancelled', 'done')),
    constraint open_lessons_credited_hours_check check (credited_hours > 0 and credited_hours <= 24)
);
create index open_lessons_published_starts_at_idx on open_lessons (starts_at) where status = 'published';
create index open_lessons_studio_id_starts_at_idx on open_lessons (studio_id, starts_at);
