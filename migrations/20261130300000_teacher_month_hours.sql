-- Credited hours per teacher, month and category, kept by a trigger in the same transaction as
-- every change to training_records. District and school figures then read at most 12 months × 6
-- categories of small rows per teacher and quota year (whatever month a district's year starts
-- in), not every record, so their cost does not grow with the number of records. The rows are
-- per teacher, never per school or district, so credits to different teachers never wait for
-- each other; a teacher who changes school keeps past months where the records say they are.
create table teacher_month_hours (
    user_id  uuid not null references users (id),
    month    date not null,
    category text not null,
    tenths   bigint not null,
    constraint teacher_month_hours_pkey primary key (user_id, month, category)
);
create index teacher_month_hours_month_idx on teacher_month_hours (month, user_id);

create function training_records_keep_month_hours() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update teacher_month_hours
        set tenths = tenths - (old.hours * 10)::bigint
        where user_id = old.user_id and month = date_trunc('month', old.occurred_on)::date and category = old.category;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into teacher_month_hours (user_id, month, category, tenths)
        values (new.user_id, date_trunc('month', new.occurred_on)::date, new.category, (new.hours * 10)::bigint)
        on conflict on constraint teacher_month_hours_pkey
        do update set tenths = teacher_month_hours.tenths + excluded.tenths;
    end if;
    return null;
end
$$;

create trigger training_records_month_hours
after insert or update of user_id, occurred_on, hours, category or delete on training_records
for each row execute function training_records_keep_month_hours();

insert into teacher_month_hours (user_id, month, category, tenths)
select user_id, date_trunc('month', occurred_on)::date, category, sum((hours * 10)::bigint)
from training_records
group by 1, 2, 3;
