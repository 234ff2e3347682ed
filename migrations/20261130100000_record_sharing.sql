-- Consent, per teacher and purpose: whether their school's leaders, and their district, may see
-- their development record (goals, milestones, evidence, feedback, notes, lessons observed).
-- Both off until the teacher switches them on. Every opening of a record by a leader is logged,
-- and the teacher sees the log.
alter table users
    add column record_shared_with_school boolean not null default false,
    add column record_shared_with_district boolean not null default false;

create table record_views (
    id        uuid primary key,
    owner_id  uuid not null references users (id),
    viewer_id uuid not null references users (id),
    -- in which capacity the viewer was allowed in
    capacity  text not null,
    viewed_at timestamptz not null default now(),
    constraint record_views_capacity_check check (capacity in ('school_leader', 'district_admin'))
);
create index record_views_owner_id_viewed_at_idx on record_views (owner_id, viewed_at desc);
