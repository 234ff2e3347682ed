-- Accounts, sessions and sign-in throttling.

create table users (
    id            uuid primary key,
    email         text not null,
    display_name  text not null,
    password_hash text not null,
    school        text not null default '',
    district      text not null default '',
    subject       text not null default '',
    grade_band    text not null default '',
    tier          text not null default 'new_teacher',
    locale        text not null default 'zh-CN',
    time_zone     text not null default 'Asia/Shanghai',
    is_district_admin boolean not null default false,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    -- Emails are stored lower-cased by the application; the index makes that the rule too.
    constraint users_email_lowercase check (email = lower(email)),
    constraint users_tier_check check (tier in ('new_teacher', 'rising_star', 'backbone', 'master', 'leading_master')),
    constraint users_locale_check check (locale in ('zh-CN', 'en'))
);
create unique index users_email_key on users (email);

-- One row per failed sign-in, keyed by the email as typed (lower-cased), known or not,
-- so that an unknown address is throttled exactly like a known one.
create table sign_in_failures (
    email        text not null,
    attempted_at timestamptz not null default now()
);
create index sign_in_failures_email_attempted_at_idx on sign_in_failures (email, attempted_at);

-- The table tower-sessions-sqlx-store's PostgresStore uses; created here so that all schema
-- lives in forward-only migrations.
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id          text primary key not null,
    data        bytea not null,
    expiry_date timestamptz not null
);
create index session_expiry_date_idx on tower_sessions.session (expiry_date);
