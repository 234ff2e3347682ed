-- Each lesson counts its seats taken and its waitlist on its own row, kept by a trigger on
-- bookings. Booking then reads the counts from the lesson row it has just locked instead of
-- counting the lesson's bookings under that lock (a cost that grew with every booking: 5,000
-- bookings of one lesson counted 12 million index entries), and lists show seats left without
-- counting either.
alter table open_lessons
    add column seats_taken integer not null default 0,
    add column waitlisted integer not null default 0;

update open_lessons l
   set seats_taken = c.taken, waitlisted = c.waiting
  from (select lesson_id,
               count(*) filter (where status in ('confirmed', 'attended', 'no_show')) as taken,
               count(*) filter (where status = 'waitlisted') as waiting
          from bookings group by lesson_id) c
 where c.lesson_id = l.id;

-- Every writer of a lesson's bookings holds the lesson's row lock already (booking, cancelling,
-- deciding, promoting, attendance), so this update waits for nobody.
create function bookings_count_seats() returns trigger language plpgsql as $$
declare
    seat constant text[] := array['confirmed', 'attended', 'no_show'];
begin
    if tg_op in ('UPDATE', 'DELETE') then
        if old.status = any(seat) or old.status = 'waitlisted' then
            update open_lessons
               set seats_taken = seats_taken - (old.status = any(seat))::int,
                   waitlisted = waitlisted - (old.status = 'waitlisted')::int
             where id = old.lesson_id;
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        if new.status = any(seat) or new.status = 'waitlisted' then
            update open_lessons
               set seats_taken = seats_taken + (new.status = any(seat))::int,
                   waitlisted = waitlisted + (new.status = 'waitlisted')::int
             where id = new.lesson_id;
        end if;
    end if;
    return null;
end;
$$;

create trigger bookings_count_seats
    after insert or delete or update of status, lesson_id on bookings
    for each row execute function bookings_count_seats();

-- book_seat reads the counts from the locked lesson row; whether the booker already holds a
-- booking is one probe of bookings_active_key.
create or replace function book_seat(p_lesson uuid, p_user uuid, p_labels_zh text[], p_labels_en text[])
returns table (outcome text, booking_id uuid, booking_status text, waitlist_position bigint)
language plpgsql as $$
declare
    v_lesson record;
    v_role text;
    v_status text;
    v_label int;
    v_booking uuid := gen_random_uuid();
    v_notification uuid := gen_random_uuid();
begin
    select l.status, l.teacher_id, l.starts_at, l.booking_opens_at, l.booking_closes_at, l.capacity,
           l.needs_approval, l.studio_id, l.seats_taken, l.waitlisted,
           s.visibility = 'private' as studio_private, s.archived as studio_archived
      into v_lesson
      from open_lessons l join studios s on s.id = l.studio_id
     where l.id = p_lesson
       for update of l;
    if not found then
        return query select 'not_found', null::uuid, null::text, null::bigint;
        return;
    end if;
    select m.role into v_role from memberships m
     where m.studio_id = v_lesson.studio_id and m.user_id = p_user and m.status = 'active';
    -- A draft is seen only by the studio's leads, a private studio's lessons only by members.
    if (v_lesson.status = 'draft' and coalesce(v_role not in ('host', 'mentor'), true))
       or (v_lesson.studio_private and v_role is null) then
        return query select 'not_found', null::uuid, null::text, null::bigint;
        return;
    end if;
    if v_lesson.studio_archived then
        return query select 'archived', null::uuid, null::text, null::bigint;
        return;
    end if;
    if v_lesson.status <> 'published' then
        return query select 'not_bookable', null::uuid, null::text, null::bigint;
        return;
    elsif now() >= v_lesson.starts_at then
        return query select 'past', null::uuid, null::text, null::bigint;
        return;
    elsif v_lesson.booking_opens_at is not null and now() < v_lesson.booking_opens_at then
        return query select 'not_open', null::uuid, null::text, null::bigint;
        return;
    elsif v_lesson.booking_closes_at is not null and now() >= v_lesson.booking_closes_at then
        return query select 'closed', null::uuid, null::text, null::bigint;
        return;
    end if;
    -- Teaching a lesson is not observing it: no seat, so no hours for it as an observer.
    if v_lesson.teacher_id = p_user then
        return query select 'own_lesson', null::uuid, null::text, null::bigint;
        return;
    end if;
    if exists (select 1 from bookings b
                where b.lesson_id = p_lesson and b.user_id = p_user
                  and b.status in ('pending', 'confirmed', 'waitlisted', 'attended', 'no_show')) then
        return query select 'already_booked', null::uuid, null::text, null::bigint;
        return;
    end if;
    v_status := case when v_lesson.needs_approval then 'pending'
                     when v_lesson.seats_taken < v_lesson.capacity then 'confirmed'
                     else 'waitlisted' end;
    insert into bookings (id, lesson_id, user_id, status) values (v_booking, p_lesson, p_user, v_status);
    -- The booker's notification and its email, in their language (labels: confirmed,
    -- waitlisted, pending).
    v_label := case v_status when 'confirmed' then 1 when 'waitlisted' then 2 else 3 end;
    insert into notifications (id, user_id, kind, lesson_id, booking_id)
    values (v_notification, p_user, 'booking_' || v_status, p_lesson, v_booking);
    insert into email_outbox (id, notification_id, to_email, subject, body)
    select gen_random_uuid(), v_notification, u.email,
           case when u.locale = 'en' then p_labels_en[v_label] else p_labels_zh[v_label] end || ': ' || l.title,
           l.title || E'\n' || to_char(l.starts_at at time zone l.time_zone, 'YYYY-MM-DD HH24:MI') || ' (' || l.time_zone || ')'
               || E'\n' || l.place || case when l.link <> '' then E'\n' || l.link else '' end
      from users u, open_lessons l
     where u.id = p_user and l.id = p_lesson;
    -- The lesson is locked, so a new waitlisted booking is the last of the waitlist.
    return query select 'booked', v_booking, v_status,
                        case when v_status = 'waitlisted' then v_lesson.waitlisted::bigint + 1 end;
end;
$$;
