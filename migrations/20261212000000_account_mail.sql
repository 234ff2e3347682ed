-- Mail a teacher controls, and mail about the account itself.
--
-- Each user chooses how notifications reach their inbox: each at once, gathered into a daily
-- digest (sent at 07:00 in their time zone), or not at all. Every notification email carries a
-- one-click unsubscribe link keyed by `unsubscribe_token`. Mail about the account (a password
-- reset link, a changed address) is always sent at once.
alter table users
    add column mail_preference   text not null default 'immediate',
    add column unsubscribe_token uuid not null default gen_random_uuid(),
    add constraint users_mail_preference_check check (mail_preference in ('immediate', 'digest', 'none'));
create unique index users_unsubscribe_token_key on users (unsubscribe_token);

-- What a message is: a notification's own email, a daily digest of several, or account mail.
-- `user_id` is the recipient (filled from the notification when it has one); `digest_at` holds a
-- notification for its recipient's digest; `withheld_at` marks one not sent because its recipient
-- turned notification mail off; `included_in` is the digest that carried it.
alter table email_outbox
    add column purpose     text not null default 'notification',
    add column user_id     uuid references users (id),
    add column digest_at   timestamptz,
    add column withheld_at timestamptz,
    add column included_in uuid references email_outbox (id),
    add constraint email_outbox_purpose_check check (purpose in ('notification', 'digest', 'account'));

update email_outbox o set user_id = n.user_id from notifications n where n.id = o.notification_id;

-- Waiting messages only: sent, given up and withheld ones are done.
drop index email_outbox_due_idx;
create index email_outbox_due_idx on email_outbox (next_attempt_at)
    where sent_at is null and failed_at is null and withheld_at is null;
-- A recipient's waiting notifications, re-sorted when they change their preference.
create index email_outbox_waiting_user_idx on email_outbox (user_id)
    where sent_at is null and failed_at is null and withheld_at is null;
create index email_outbox_included_in_idx on email_outbox (included_in) where included_in is not null;

-- When a digest holding a message queued `at` goes out: the first 07:00 after it, in `zone`. A
-- zone this PostgreSQL does not know (its list and the profile form's may differ) counts as
-- Beijing time, so a profile can never make queuing a notification fail.
create function mail_digest_at(zone text, at timestamptz) returns timestamptz
language plpgsql stable as $$
begin
    return (date_trunc('day', (at at time zone zone) - interval '7 hours') + interval '1 day 7 hours') at time zone zone;
exception when invalid_parameter_value then
    return (date_trunc('day', (at at time zone 'Asia/Shanghai') - interval '7 hours') + interval '1 day 7 hours')
        at time zone 'Asia/Shanghai';
end
$$;

-- Every notification's email follows its recipient's preference when it is queued, wherever it
-- is queued (the server's statements and `book_seat` alike).
create function email_outbox_follow_preference() returns trigger
language plpgsql as $$
declare
    recipient  uuid;
    preference text;
    zone       text;
begin
    if new.purpose <> 'notification' or new.notification_id is null then
        return new;
    end if;
    select u.id, u.mail_preference, u.time_zone into recipient, preference, zone
    from notifications n join users u on u.id = n.user_id
    where n.id = new.notification_id;
    new.user_id := coalesce(new.user_id, recipient);
    if preference = 'none' then
        new.withheld_at := clock_timestamp();
    elsif preference = 'digest' then
        new.digest_at := mail_digest_at(zone, new.created_at);
        new.next_attempt_at := new.digest_at;
    end if;
    return new;
end
$$;

create trigger email_outbox_follow_preference before insert on email_outbox
    for each row execute function email_outbox_follow_preference();

-- A password reset link, kept as the SHA-256 of its token; single use, and short-lived.
create table password_resets (
    id           uuid primary key,
    user_id      uuid not null references users (id),
    token_hash   text not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    used_at      timestamptz,
    constraint password_resets_token_hash_key unique (token_hash)
);
create index password_resets_user_id_idx on password_resets (user_id, created_at);

-- A requested change of sign-in email, confirmed from the new address's inbox.
create table email_changes (
    id           uuid primary key,
    user_id      uuid not null references users (id),
    new_email    text not null,
    token_hash   text not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    used_at      timestamptz,
    constraint email_changes_token_hash_key unique (token_hash),
    constraint email_changes_new_email_check check (new_email = lower(new_email) and char_length(new_email) <= 254)
);
create index email_changes_user_id_idx on email_changes (user_id, created_at);
