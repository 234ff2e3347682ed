-- Open lessons: scheduling details, bookings with a waitlist, attendance, notifications with an
-- email outbox, and personal calendar feeds.

alter table open_lessons
    add column booking_opens_at  timestamptz,
    add column booking_closes_at timestamptz,
    add column needs_approval    boolean not null default false,
    add column sequence          integer not null default 0,
    add column cancel_reason     text not null default '',
    add column checkin_code      text not null default '',
    add column created_by        uuid references users (id),
    add column updated_at        timestamptz not null default now(),
    add constraint open_lessons_booking_window_check
        check (booking_closes_at is null or booking_closes_at <= starts_at),
    add constraint open_lessons_booking_window_order_check
        check (booking_opens_at is null or booking_closes_at is null or booking_opens_at < booking_closes_at),
    add constraint open_lessons_sequence_check check (sequence >= 0);

-- The lesson list filters by subject / grade and the calendar by date range, all on published lessons.
create index open_lessons_published_subject_idx on open_lessons (subject, starts_at) where status = 'published';
create index open_lessons_teacher_id_idx on open_lessons (teacher_id);

-- A seat request. `seq` (from a sequence, taken while the lesson row is locked) is the order in
-- which the database accepted the booking: the waitlist is served in that order.
create table bookings (
    id            uuid primary key,
    lesson_id     uuid not null references open_lessons (id),
    user_id       uuid not null references users (id),
    seq           bigint generated always as identity,
    status        text not null,
    cancel_reason text not null default '',
    created_at    timestamptz not null default clock_timestamp(),
    updated_at    timestamptz not null default clock_timestamp(),
    checked_in_at timestamptz,
    constraint bookings_status_check
        check (status in ('pending', 'confirmed', 'waitlisted', 'cancelled', 'declined', 'attended', 'no_show')),
    constraint bookings_cancel_reason_length_check check (char_length(cancel_reason) <= 500)
);
-- One active booking per person per lesson.
create unique index bookings_active_key on bookings (lesson_id, user_id)
    where status in ('pending', 'confirmed', 'waitlisted', 'attended', 'no_show');
-- Seat counts, the waitlist head and the attendee list of a lesson.
create index bookings_lesson_id_status_seq_idx on bookings (lesson_id, status, seq);
-- A user's own bookings (the calendar feed, "my lessons").
create index bookings_user_id_idx on bookings (user_id, created_at);

create table notifications (
    id         uuid primary key,
    user_id    uuid not null references users (id),
    kind       text not null,
    lesson_id  uuid references open_lessons (id),
    booking_id uuid references bookings (id),
    payload    jsonb not null default '{}',
    created_at timestamptz not null default clock_timestamp(),
    read_at    timestamptz,
    constraint notifications_kind_check
        check (kind in ('booking_confirmed', 'booking_waitlisted', 'booking_pending', 'promoted', 'approved', 'declined',
                        'lesson_changed', 'lesson_cancelled', 'reminder'))
);
create index notifications_user_id_created_at_idx on notifications (user_id, created_at desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;
-- A reminder is sent once per booking, whichever server instance gets there first.
create unique index notifications_reminder_key on notifications (booking_id) where kind = 'reminder';

-- Every notification is also an email a worker would send.
create table email_outbox (
    id              uuid primary key,
    notification_id uuid references notifications (id),
    to_email        text not null,
    subject         text not null,
    body            text not null,
    created_at      timestamptz not null default clock_timestamp(),
    sent_at         timestamptz
);
create index email_outbox_unsent_idx on email_outbox (created_at) where sent_at is null;
create index email_outbox_notification_id_idx on email_outbox (notification_id);

-- The secret of a user's personal calendar feed, stored as its SHA-256 (hex).
create table calendar_feeds (
    user_id    uuid primary key references users (id),
    token_hash text not null,
    created_at timestamptz not null default now(),
    constraint calendar_feeds_token_hash_key unique (token_hash)
);
