-- The integration API's hours change feed: every insert, change and deletion of a training
-- record (an undone check-in, a cancelled lesson's credit), in the transaction that made it, so
-- a district system that copied records can follow them, deletions (tombstones) included.
--
-- A reader pages by (xid, seq) and serves only changes of transactions older than every
-- transaction still running (`pg_snapshot_xmin`): a transaction that commits late has an xid at
-- least that old bound, so it can never land behind a cursor already handed out.
create table training_record_changes (
    seq          bigint generated always as identity,
    xid          xid8 not null default pg_current_xact_id(),
    district_id  uuid not null references districts (id),
    record_id    uuid not null,
    deleted      boolean not null,
    changed_at   timestamptz not null default now(),
    constraint training_record_changes_pkey primary key (seq)
);
create index training_record_changes_district_xid_seq_idx on training_record_changes (district_id, xid, seq);

-- The record's district is that of the school it was credited at (`school_id`, stamped when
-- the record is written); a record of a teacher without a school belongs to no district.
create function training_records_log_change() returns trigger language plpgsql as $$
declare
    v_record uuid := case when tg_op = 'DELETE' then old.id else new.id end;
    v_school uuid := case when tg_op = 'DELETE' then old.school_id else new.school_id end;
begin
    -- Moved to another district's school: gone from the district it was in.
    if tg_op = 'UPDATE' and old.school_id is distinct from new.school_id then
        insert into training_record_changes (district_id, record_id, deleted)
        select s.district_id, old.id, true from schools s
         where s.id = old.school_id
           and s.district_id is distinct from (select district_id from schools where id = new.school_id);
    end if;
    insert into training_record_changes (district_id, record_id, deleted)
    select s.district_id, v_record, tg_op = 'DELETE' from schools s where s.id = v_school;
    return null;
end;
$$;

create trigger training_records_log_change
    after insert or delete or update on training_records
    for each row execute function training_records_log_change();

-- What is there now is the feed's starting point: one change per record.
insert into training_record_changes (district_id, record_id, deleted, changed_at)
select s.district_id, r.id, false, r.created_at
  from training_records r join schools s on s.id = r.school_id
 order by r.created_at, r.id;
