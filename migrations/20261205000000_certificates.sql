-- Training-hour certificates (学时证明). A teacher issues one for a quota year: a frozen snapshot
-- of that year's credited records and totals (`content`, with the SHA-256 of its canonical JSON),
-- found by a random serial that a school types in or scans to check it. A certificate is never
-- changed: when any record of its year is added, changed or removed, the trigger below marks it
-- superseded, and the verification page says so (and points to a newer one once the teacher
-- issues it). At most one certificate of a teacher's year is valid at a time.
create table certificates (
    id             uuid primary key,
    serial         text not null,
    user_id        uuid not null references users (id),
    year           integer not null,
    year_start     date not null,
    -- exclusive
    year_end       date not null,
    teacher_name   text not null,
    school_name    text not null,
    total_tenths   bigint not null,
    content        jsonb not null,
    content_sha256 text not null,
    issued_at      timestamptz not null default now(),
    superseded_at  timestamptz,
    constraint certificates_serial_key unique (serial),
    constraint certificates_year_check check (year_end > year_start)
);
-- A teacher's certificates of a year, newest first.
create index certificates_user_id_year_start_idx on certificates (user_id, year_start, issued_at desc);
create unique index certificates_valid_key on certificates (user_id, year_start) where superseded_at is null;

-- Both this trigger and issuing a certificate take the teacher's certificate lock, so a record
-- that commits while a certificate is being issued is either in its snapshot or supersedes it.
create function training_records_supersede_certificates() returns trigger
language plpgsql as $$
declare
    teacher uuid := case when tg_op = 'DELETE' then old.user_id else new.user_id end;
begin
    perform pg_advisory_xact_lock(hashtextextended('certificates:' || teacher::text, 0));
    if tg_op in ('UPDATE', 'DELETE') then
        update certificates set superseded_at = now()
        where user_id = old.user_id and superseded_at is null
          and old.occurred_on >= year_start and old.occurred_on < year_end;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        update certificates set superseded_at = now()
        where user_id = new.user_id and superseded_at is null
          and new.occurred_on >= year_start and new.occurred_on < year_end;
    end if;
    return null;
end
$$;

create trigger training_records_certificates
after insert or update or delete on training_records
for each row execute function training_records_supersede_certificates();
