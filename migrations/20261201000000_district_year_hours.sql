-- District figures read per-teacher-per-year totals instead of raw training records, so the
-- dashboard's cost grows with the number of teachers, not with the number of records.
--
-- * Each record remembers the school its teacher was at when it was credited (stamped on
--   insert), so a teacher who changes school keeps past years under the school they were at.
-- * teacher_year_hours holds one row per teacher, school and quota year of the school's
--   district, kept by a trigger in the same transaction as every change to training_records.
--   Rows are per teacher, never per school or district, so credits to different teachers never
--   wait for each other. A teacher of a school has a row for the current quota year even before
--   any credit (see `districts::store::open_year_rows`), so "teachers that year" includes those
--   who logged nothing.
-- * A district's quota year may start in any month; when its admin changes that month, the
--   district's rows are rebuilt from the records (`rebuild_teacher_year_hours`), a rare,
--   district-sized job.
-- This replaces the per-month table, which could not tell the school of a past month.

alter table districts
    add column cycle_quota_tenths integer,
    add constraint districts_cycle_quota_check check (cycle_quota_tenths between 1 and 500000);

alter table training_records add column school_id uuid references schools (id);
update training_records r set school_id = u.school_id from users u where u.id = r.user_id;

create function training_records_stamp_school() returns trigger
language plpgsql as $$
begin
    if new.school_id is null then
        new.school_id := (select school_id from users where id = new.user_id);
    end if;
    return new;
end
$$;

create trigger training_records_school
before insert on training_records
for each row execute function training_records_stamp_school();

-- The first day of the quota year (starting in `start_month`) that `day` falls in.
create function quota_year_start(day date, start_month integer) returns date
language sql immutable as $$
    select make_date(extract(year from day)::integer - (extract(month from day) < start_month)::integer, start_month, 1)
$$;

create table teacher_year_hours (
    school_id           uuid not null references schools (id),
    year_start          date not null,
    user_id             uuid not null references users (id),
    district_id         uuid not null references districts (id),
    online_tenths       bigint not null default 0,
    offline_tenths      bigint not null default 0,
    shadowing_tenths    bigint not null default 0,
    open_lesson_tenths  bigint not null default 0,
    lesson_study_tenths bigint not null default 0,
    course_tenths       bigint not null default 0,
    total_tenths        bigint not null default 0,
    constraint teacher_year_hours_pkey primary key (school_id, year_start, user_id)
);
-- District figures group a district's rows of a few years by teacher: in index order, from the
-- index alone (no sort, no hash, no heap), so a dashboard reads only what it sums.
create index teacher_year_hours_district_idx on teacher_year_hours (district_id, year_start, user_id)
    include (online_tenths, offline_tenths, shadowing_tenths, open_lesson_tenths, lesson_study_tenths, course_tenths,
             total_tenths);
create index teacher_year_hours_user_idx on teacher_year_hours (user_id, year_start);

-- Adds `tenths` (negative to take away) of `category` to the teacher's row for the quota year
-- of `day` at `school`.
create function add_year_hours(p_user uuid, p_school uuid, p_day date, p_category text, p_tenths bigint) returns void
language sql as $$
    insert into teacher_year_hours as y (school_id, year_start, user_id, district_id,
        online_tenths, offline_tenths, shadowing_tenths, open_lesson_tenths, lesson_study_tenths, course_tenths,
        total_tenths)
    select s.id, quota_year_start(p_day, coalesce(d.year_start_month, 1)), p_user, d.id,
        case when p_category = 'online' then p_tenths else 0 end,
        case when p_category = 'offline' then p_tenths else 0 end,
        case when p_category = 'shadowing' then p_tenths else 0 end,
        case when p_category = 'open_lesson' then p_tenths else 0 end,
        case when p_category = 'lesson_study' then p_tenths else 0 end,
        case when p_category = 'course' then p_tenths else 0 end,
        p_tenths
    from schools s join districts d on d.id = s.district_id
    where s.id = p_school
    on conflict on constraint teacher_year_hours_pkey do update set
        online_tenths = y.online_tenths + excluded.online_tenths,
        offline_tenths = y.offline_tenths + excluded.offline_tenths,
        shadowing_tenths = y.shadowing_tenths + excluded.shadowing_tenths,
        open_lesson_tenths = y.open_lesson_tenths + excluded.open_lesson_tenths,
        lesson_study_tenths = y.lesson_study_tenths + excluded.lesson_study_tenths,
        course_tenths = y.course_tenths + excluded.course_tenths,
        total_tenths = y.total_tenths + excluded.total_tenths
$$;

create function training_records_keep_year_hours() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.school_id is not null then
        perform add_year_hours(old.user_id, old.school_id, old.occurred_on, old.category, -(old.hours * 10)::bigint);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.school_id is not null then
        perform add_year_hours(new.user_id, new.school_id, new.occurred_on, new.category, (new.hours * 10)::bigint);
    end if;
    return null;
end
$$;

drop trigger training_records_month_hours on training_records;
drop function training_records_keep_month_hours();
drop table teacher_month_hours;

create trigger training_records_year_hours
after insert or update of user_id, school_id, occurred_on, hours, category or delete on training_records
for each row execute function training_records_keep_year_hours();

-- Rebuilds one district's rows from its records (after its quota year's start month changed, or
-- after a bulk load with the trigger off); its teachers keep a row for the current year.
create function rebuild_teacher_year_hours(p_district uuid) returns void
language plpgsql as $$
declare
    start_month integer := coalesce((select year_start_month from districts where id = p_district), 1);
begin
    delete from teacher_year_hours where district_id = p_district;
    insert into teacher_year_hours (school_id, year_start, user_id, district_id,
        online_tenths, offline_tenths, shadowing_tenths, open_lesson_tenths, lesson_study_tenths, course_tenths,
        total_tenths)
    select r.school_id, quota_year_start(r.occurred_on, start_month), r.user_id, p_district,
        sum(case when r.category = 'online' then r.hours * 10 else 0 end)::bigint,
        sum(case when r.category = 'offline' then r.hours * 10 else 0 end)::bigint,
        sum(case when r.category = 'shadowing' then r.hours * 10 else 0 end)::bigint,
        sum(case when r.category = 'open_lesson' then r.hours * 10 else 0 end)::bigint,
        sum(case when r.category = 'lesson_study' then r.hours * 10 else 0 end)::bigint,
        sum(case when r.category = 'course' then r.hours * 10 else 0 end)::bigint,
        sum(r.hours * 10)::bigint
    from training_records r join schools s on s.id = r.school_id
    where s.district_id = p_district
    group by 1, 2, 3;
    insert into teacher_year_hours (school_id, year_start, user_id, district_id)
    select u.school_id, quota_year_start(current_date, start_month), u.id, p_district
    from users u join schools s on s.id = u.school_id
    where s.district_id = p_district
    on conflict on constraint teacher_year_hours_pkey do nothing;
end
$$;

select rebuild_teacher_year_hours(id) from districts;
