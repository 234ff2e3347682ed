-- The outbox is delivered: each message is leased by one instance at a time (skip locked), tried
-- again with a growing delay when the mail server refuses it, and given up after a number of
-- attempts. Status: sent (sent_at), given up (failed_at), else waiting for next_attempt_at.
alter table email_outbox
    add column attempts        integer not null default 0,
    add column next_attempt_at timestamptz not null default clock_timestamp(),
    add column last_error      text not null default '',
    add column failed_at       timestamptz,
    add constraint email_outbox_attempts_check check (attempts >= 0),
    add constraint email_outbox_last_error_length_check check (char_length(last_error) <= 1000);

create index email_outbox_due_idx on email_outbox (next_attempt_at) where sent_at is null and failed_at is null;
