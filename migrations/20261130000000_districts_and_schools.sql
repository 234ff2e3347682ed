-- Districts and schools become rows. Users and studios belong to a school (so to a district);
-- district admins are scoped to districts and school leaders to schools, replacing the global
-- `users.is_district_admin` flag.
create table districts (
    id                  uuid primary key,
    name                text not null,
    official_code       text,
    -- The district's own training-hour rules; null means the server's defaults
    -- (ATELIER_YEARLY_HOURS_QUOTA, ATELIER_YEAR_START_MONTH).
    yearly_quota_tenths integer,
    year_start_month    integer,
    cycle_start_year    integer,
    created_at          timestamptz not null default now(),
    constraint districts_name_key unique (name),
    constraint districts_official_code_key unique (official_code),
    constraint districts_name_check check (length(btrim(name)) between 1 and 100),
    constraint districts_quota_check check (yearly_quota_tenths between 1 and 100000),
    constraint districts_year_start_month_check check (year_start_month between 1 and 12),
    constraint districts_cycle_start_year_check check (cycle_start_year between 1900 and 2200)
);

create table schools (
    id           uuid primary key,
    district_id  uuid not null references districts (id),
    name         text not null,
    -- null until the district's admin says
    stage        text,
    rural        boolean,
    -- 'listed', or 'requested' by a teacher who did not find their school in the list (the
    -- district's admin confirms it, or merges it into a listed school)
    status       text not null default 'listed',
    requested_by uuid references users (id),
    created_at   timestamptz not null default now(),
    constraint schools_district_name_key unique (district_id, name),
    constraint schools_name_check check (length(btrim(name)) between 1 and 100),
    constraint schools_stage_check check (stage in ('kindergarten', 'primary', 'junior', 'senior', 'nine_year', 'complete')),
    constraint schools_status_check check (status in ('listed', 'requested'))
);
create index schools_district_id_name_idx on schools (district_id, name);

alter table users add column school_id uuid references schools (id);
alter table studios add column school_id uuid references schools (id);
create index users_school_id_idx on users (school_id);
create index studios_school_id_idx on studios (school_id);

create table district_admins (
    district_id uuid not null references districts (id),
    user_id     uuid not null references users (id),
    granted_by  uuid references users (id),
    granted_at  timestamptz not null default now(),
    constraint district_admins_pkey primary key (district_id, user_id)
);
create index district_admins_user_id_idx on district_admins (user_id);

create table school_leaders (
    school_id  uuid not null references schools (id),
    user_id    uuid not null references users (id),
    granted_by uuid references users (id),
    granted_at timestamptz not null default now(),
    constraint school_leaders_pkey primary key (school_id, user_id)
);
create index school_leaders_user_id_idx on school_leaders (user_id);

-- The listed school a profile's or studio's names (district, school) stand for, if any.
create function listed_school(district text, school text) returns uuid
language sql stable as $$
    select s.id from schools s join districts d on d.id = s.district_id
    where d.name = btrim(district) and s.name = btrim(school) and s.status = 'listed'
$$;

-- Today's free text moves into rows: the same trimmed text is the same row. The text columns
-- stay as they were (nothing is lost) until every reader uses the rows.
insert into districts (id, name)
select gen_random_uuid(), name
from (select btrim(district) as name from users union select btrim(district) from studios) named
where name <> '';

insert into schools (id, district_id, name)
select gen_random_uuid(), d.id, named.school
from (
    select btrim(district) as district, btrim(school) as school from users
    union
    select btrim(district), btrim(school) from studios
) named
join districts d on d.name = named.district
where named.school <> '';

update users u set school_id = s.id
from schools s join districts d on d.id = s.district_id
where d.name = btrim(u.district) and s.name = btrim(u.school);

update studios st set school_id = s.id
from schools s join districts d on d.id = s.district_id
where d.name = btrim(st.district) and s.name = btrim(st.school);

-- A district admin administers the district their profile names.
insert into district_admins (district_id, user_id)
select d.id, u.id from users u join districts d on d.name = btrim(u.district) where u.is_district_admin;

alter table users drop column is_district_admin;
