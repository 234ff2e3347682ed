-- The studio's yearly record (工作室年度档案). Its figures are read live from what the studio did;
-- the host's narrative is the only typed part. Finalising freezes the whole record as one JSON
-- document with its SHA-256: versions are never changed or deleted, a later version (with the
-- reason for it) supersedes the one before.

create table studio_year_narratives (
    studio_id   uuid not null references studios (id),
    year        integer not null,
    summary     text not null default '',
    next_plan   text not null default '',
    updated_by  uuid not null references users (id),
    updated_at  timestamptz not null default now(),
    constraint studio_year_narratives_pkey primary key (studio_id, year),
    constraint studio_year_narratives_summary_length_check check (char_length(summary) <= 4000),
    constraint studio_year_narratives_next_plan_length_check check (char_length(next_plan) <= 4000)
);

create table studio_year_records (
    id              uuid primary key,
    studio_id       uuid not null references studios (id),
    year            integer not null,
    version         integer not null,
    -- The exact JSON text that was hashed.
    content         text not null,
    content_sha256  text not null,
    reason          text not null default '',
    finalised_by    uuid not null references users (id),
    finalised_at    timestamptz not null default now(),
    constraint studio_year_records_version_key unique (studio_id, year, version),
    constraint studio_year_records_version_check check (version >= 1),
    -- Every version after the first says why it was issued.
    constraint studio_year_records_reason_check check ((version = 1) = (reason = '') and char_length(reason) <= 500),
    constraint studio_year_records_sha256_check check (content_sha256 ~ '^[0-9a-f]{64}$')
);

create function studio_year_records_immutable() returns trigger
language plpgsql as $$
begin
    raise exception 'a finalised studio year record is never changed' using errcode = 'restrict_violation';
end
$$;

create trigger studio_year_records_immutable
    before update or delete on studio_year_records
    for each row execute function studio_year_records_immutable();

-- District admins are told of a finalised record in their notifications.
alter table notifications add column studio_record_id uuid references studio_year_records (id);
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
    check (kind in ('booking_confirmed', 'booking_waitlisted', 'booking_pending', 'promoted', 'approved', 'declined',
                    'lesson_changed', 'lesson_cancelled', 'reminder', 'studio_record_finalised'));
