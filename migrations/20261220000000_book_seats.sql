-- Several bookings of one lesson in one statement, so in one transaction and one commit: the
-- server gathers the bookings of a lesson that arrive while its previous batch is being written
-- (lessons::queue). Booking a popular lesson is bound by its row lock, held until the commit's
-- WAL flush; a batch holds it once for many. Each booking is decided as book_seat decides it
-- alone, in the order given, and a refusal of one leaves the others as they are.
create function book_seats(p_lesson uuid, p_users uuid[], p_labels_zh text[], p_labels_en text[])
returns table (booker uuid, outcome text, booking_id uuid, booking_status text, waitlist_position bigint)
language plpgsql as $$
declare
    v_user uuid;
begin
    foreach v_user in array p_users loop
        return query select v_user, b.outcome, b.booking_id, b.booking_status, b.waitlist_position
                       from book_seat(p_lesson, v_user, p_labels_zh, p_labels_en) b;
    end loop;
end;
$$;
