-- teacher_year_hours changes grain: one row per teacher and quota year of a district (it was one
-- per school too), so a district's figures read one index range per year with no grouping and
-- no join (at 50,000 teachers the grouping and the join with users were most of the dashboard's
-- time). The row carries what the figures filter and count by:
--
-- * school_id: the school that certifies the year, i.e. the school of the year's latest credit;
--   when a teacher moves, the current year follows them and past years stay where they were;
-- * the teacher's tier and consent, kept by a trigger on users;
-- * cycle_tenths: the teacher's running total in the district's five-year cycle up to and
--   including this year, so the cycle figure needs no scan of earlier years.
--
-- Everything is still kept per teacher in the same transaction as the change: a credit touches
-- its teacher's rows of one cycle (at most five), never a per-school or per-district row that
-- other teachers' credits would wait for.

-- The trigger on training_records stays: it calls add_year_hours, redefined below (function
-- bodies are not bound to the table, so the table can be replaced under them).
drop table teacher_year_hours;

create table teacher_year_hours (
    district_id          uuid not null references districts (id),
    year_start           date not null,
    user_id              uuid not null references users (id),
    school_id            uuid not null references schools (id),
    tier                 text not null,
    shared_with_school   boolean not null,
    shared_with_district boolean not null,
    online_tenths        bigint not null default 0,
    offline_tenths       bigint not null default 0,
    shadowing_tenths     bigint not null default 0,
    open_lesson_tenths   bigint not null default 0,
    lesson_study_tenths  bigint not null default 0,
    course_tenths        bigint not null default 0,
    total_tenths         bigint not null default 0,
    cycle_tenths         bigint not null default 0,
    -- A district's year is read from the index alone (the visibility map kept by autovacuum).
    constraint teacher_year_hours_pkey primary key (district_id, year_start, user_id)
        include (school_id, tier, shared_with_school, shared_with_district, online_tenths, offline_tenths,
                 shadowing_tenths, open_lesson_tenths, lesson_study_tenths, course_tenths, total_tenths, cycle_tenths)
);
create index teacher_year_hours_school_idx on teacher_year_hours (school_id, year_start);
create index teacher_year_hours_user_idx on teacher_year_hours (user_id, year_start);

-- The first day of the five-year cycle that the quota year starting on `year_start` is in.
-- Until a district adopts the server's rules (at start-up) its cycles are counted from 2026.
create function cycle_first_start(year_start date, cycle_start_year integer) returns date
language sql immutable as $$
    select make_date(
        coalesce(cycle_start_year, 2026)
            + 5 * floor((extract(year from year_start)::integer - coalesce(cycle_start_year, 2026)) / 5.0)::integer,
        extract(month from year_start)::integer, 1)
$$;

-- The quota year that has started today in the districts' time zone (China).
create function current_quota_year_start(start_month integer) returns date
language sql stable as $$
    select quota_year_start((now() at time zone 'Asia/Shanghai')::date, coalesce(start_month, 1))
$$;

-- Gives the teacher a row for the year (at `p_school`) when they have none, carrying their
-- cycle's total so far.
create function open_teacher_year(p_user uuid, p_school uuid, p_year_start date) returns void
language sql as $$
    insert into teacher_year_hours as y (district_id, year_start, user_id, school_id, tier, shared_with_school,
                                         shared_with_district, cycle_tenths)
    select d.id, p_year_start, u.id, p_school, u.tier, u.record_shared_with_school, u.record_shared_with_district,
           coalesce((select sum(e.total_tenths) from teacher_year_hours e
                     where e.user_id = u.id and e.district_id = d.id and e.year_start < p_year_start
                       and e.year_start >= cycle_first_start(p_year_start, d.cycle_start_year)), 0)
    from users u, schools s join districts d on d.id = s.district_id
    where u.id = p_user and s.id = p_school
    on conflict on constraint teacher_year_hours_pkey do nothing
$$;

-- Adds `p_tenths` (negative to take away) of `p_category` to the teacher's year of `p_day` in the
-- district of `p_school`, and to the cycle totals of their later years in the same cycle.
create or replace function add_year_hours(p_user uuid, p_school uuid, p_day date, p_category text, p_tenths bigint) returns void
language plpgsql as $$
declare
    v_district uuid;
    v_year date;
    v_cycle_end date;
begin
    select d.id, quota_year_start(p_day, coalesce(d.year_start_month, 1)),
           (cycle_first_start(quota_year_start(p_day, coalesce(d.year_start_month, 1)), d.cycle_start_year)
                + interval '5 years')::date
    into v_district, v_year, v_cycle_end
    from schools s join districts d on d.id = s.district_id where s.id = p_school;
    if v_district is null then
        return;
    end if;
    perform open_teacher_year(p_user, p_school, v_year);
    update teacher_year_hours set
        online_tenths = online_tenths + case when p_category = 'online' then p_tenths else 0 end,
        offline_tenths = offline_tenths + case when p_category = 'offline' then p_tenths else 0 end,
        shadowing_tenths = shadowing_tenths + case when p_category = 'shadowing' then p_tenths else 0 end,
        open_lesson_tenths = open_lesson_tenths + case when p_category = 'open_lesson' then p_tenths else 0 end,
        lesson_study_tenths = lesson_study_tenths + case when p_category = 'lesson_study' then p_tenths else 0 end,
        course_tenths = course_tenths + case when p_category = 'course' then p_tenths else 0 end,
        total_tenths = total_tenths + p_tenths,
        cycle_tenths = cycle_tenths + p_tenths,
        school_id = case when p_tenths > 0 then p_school else school_id end
    where district_id = v_district and year_start = v_year and user_id = p_user;
    update teacher_year_hours set cycle_tenths = cycle_tenths + p_tenths
    where user_id = p_user and district_id = v_district and year_start > v_year and year_start < v_cycle_end;
end
$$;

-- A teacher's tier and consent are copied to their rows at once (switching consent off takes
-- effect at once); a teacher who joins or moves school gets, or moves, their current year's row.
create function users_keep_year_rows() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE' and (new.tier, new.record_shared_with_school, new.record_shared_with_district)
            is distinct from (old.tier, old.record_shared_with_school, old.record_shared_with_district) then
        update teacher_year_hours set tier = new.tier, shared_with_school = new.record_shared_with_school,
                                      shared_with_district = new.record_shared_with_district
        where user_id = new.id;
    end if;
    if new.school_id is not null and (tg_op = 'INSERT' or new.school_id is distinct from old.school_id) then
        perform open_teacher_year(new.id, new.school_id, current_quota_year_start(d.year_start_month))
        from schools s join districts d on d.id = s.district_id where s.id = new.school_id;
        update teacher_year_hours y set school_id = new.school_id
        from schools s join districts d on d.id = s.district_id
        where s.id = new.school_id and y.district_id = d.id and y.user_id = new.id
          and y.year_start = current_quota_year_start(d.year_start_month) and y.school_id <> new.school_id;
    end if;
    return null;
end
$$;

create trigger users_year_rows
after insert or update of tier, record_shared_with_school, record_shared_with_district, school_id on users
for each row execute function users_keep_year_rows();

-- Every teacher of a school gets a row for their district's current quota year (run when a year
-- may have begun), so "teachers that year" includes those who logged nothing yet.
create function open_current_years() returns void
language sql as $$
    insert into teacher_year_hours (district_id, year_start, user_id, school_id, tier, shared_with_school,
                                    shared_with_district, cycle_tenths)
    select d.id, current_quota_year_start(d.year_start_month), u.id, u.school_id, u.tier,
           u.record_shared_with_school, u.record_shared_with_district,
           coalesce((select sum(e.total_tenths) from teacher_year_hours e
                     where e.user_id = u.id and e.district_id = d.id
                       and e.year_start < current_quota_year_start(d.year_start_month)
                       and e.year_start >= cycle_first_start(current_quota_year_start(d.year_start_month),
                                                             d.cycle_start_year)), 0)
    from users u join schools s on s.id = u.school_id join districts d on d.id = s.district_id
    where not exists (select 1 from teacher_year_hours y
                      where y.district_id = d.id and y.year_start = current_quota_year_start(d.year_start_month)
                        and y.user_id = u.id)
    on conflict on constraint teacher_year_hours_pkey do nothing
$$;

-- Rebuilds one district's rows from its records (after its year start or cycle changed, or after
-- a bulk load with the trigger off); its teachers keep a row for the current year.
create or replace function rebuild_teacher_year_hours(p_district uuid) returns void
language plpgsql as $$
declare
    start_month integer := coalesce((select year_start_month from districts where id = p_district), 1);
    cycle_start integer := (select cycle_start_year from districts where id = p_district);
begin
    delete from teacher_year_hours where district_id = p_district;
    insert into teacher_year_hours (district_id, year_start, user_id, school_id, tier, shared_with_school,
        shared_with_district, online_tenths, offline_tenths, shadowing_tenths, open_lesson_tenths,
        lesson_study_tenths, course_tenths, total_tenths, cycle_tenths)
    with credited as (
        select quota_year_start(r.occurred_on, start_month) as year_start, r.user_id,
            (array_agg(r.school_id order by r.created_at desc, r.id desc))[1] as school_id,
            sum(case when r.category = 'online' then r.hours * 10 else 0 end)::bigint as online,
            sum(case when r.category = 'offline' then r.hours * 10 else 0 end)::bigint as offline,
            sum(case when r.category = 'shadowing' then r.hours * 10 else 0 end)::bigint as shadowing,
            sum(case when r.category = 'open_lesson' then r.hours * 10 else 0 end)::bigint as open_lesson,
            sum(case when r.category = 'lesson_study' then r.hours * 10 else 0 end)::bigint as lesson_study,
            sum(case when r.category = 'course' then r.hours * 10 else 0 end)::bigint as course,
            sum(r.hours * 10)::bigint as total
        from training_records r join schools s on s.id = r.school_id
        where s.district_id = p_district
        group by 1, 2
    ),
    current_year as (
        select quota_year_start((now() at time zone 'Asia/Shanghai')::date, start_month) as year_start
    ),
    year_rows as (
        select * from credited
        union all
        select c.year_start, u.id, u.school_id, 0, 0, 0, 0, 0, 0, 0
        from users u join schools s on s.id = u.school_id cross join current_year c
        where s.district_id = p_district
          and not exists (select 1 from credited e where e.user_id = u.id and e.year_start = c.year_start)
    )
    select p_district, y.year_start, y.user_id, y.school_id, u.tier, u.record_shared_with_school,
        u.record_shared_with_district, y.online, y.offline, y.shadowing, y.open_lesson, y.lesson_study, y.course,
        y.total,
        sum(y.total) over (partition by y.user_id, cycle_first_start(y.year_start, cycle_start) order by y.year_start)
    from year_rows y join users u on u.id = y.user_id;
end
$$;

select rebuild_teacher_year_hours(id) from districts;
