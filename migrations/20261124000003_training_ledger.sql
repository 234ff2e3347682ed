-- The training-hour ledger (培训学时). Shared by growth plans (manual records, verification) and
-- open lessons / lesson studies (records the system creates from attendance).

create table training_records (
    id            uuid primary key,
    user_id       uuid not null references users (id),
    occurred_on   date not null,
    hours         numeric(4, 1) not null,
    category      text not null,
    description   text not null default '',
    evidence      text not null default '',
    -- 'manual' for what a teacher logs; otherwise the kind of thing that created the record,
    -- with its id in source_id (a booking, a study session…).
    source_kind   text not null default 'manual',
    source_id     uuid,
    verified_by   uuid references users (id),
    verified_at   timestamptz,
    created_at    timestamptz not null default now(),
    constraint training_records_hours_check check (hours > 0 and hours <= 24),
    constraint training_records_category_check check (category in ('online', 'offline', 'shadowing', 'open_lesson', 'lesson_study', 'course')),
    constraint training_records_source_check check ((source_kind = 'manual') = (source_id is null))
);
-- One record per source: attending a lesson twice never credits it twice.
create unique index training_records_source_key on training_records (source_kind, source_id) where source_id is not null;
create index training_records_user_id_occurred_on_idx on training_records (user_id, occurred_on);
