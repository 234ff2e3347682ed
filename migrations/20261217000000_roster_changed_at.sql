-- The integration API's roster: schools and teachers say when what the API shows of them last
-- changed, so a district system fetches only what changed since it last asked. A teacher's
-- password, language or mail settings are not roster data and move nothing.
alter table users add column changed_at timestamptz not null default now();
update users set changed_at = greatest(created_at, updated_at);
alter table schools add column changed_at timestamptz not null default now();
update schools set changed_at = created_at;

create trigger users_touch
    before update on users
    for each row when (
        (old.email, old.display_name, old.school_id, old.subject, old.grade_band, old.tier,
         old.record_shared_with_district)
        is distinct from
        (new.email, new.display_name, new.school_id, new.subject, new.grade_band, new.tier,
         new.record_shared_with_district)
    ) execute function touch_changed_at();
create trigger schools_touch
    before update on schools
    for each row when (old.* is distinct from new.*) execute function touch_changed_at();

create index users_changed_at_id_idx on users (changed_at, id);
create index schools_district_id_changed_at_id_idx on schools (district_id, changed_at, id);
