-- Webhooks of the integration API: a client names an https address and the events it wants;
-- each event is written to the outbox below in the transaction that makes it happen (the triggers
-- at the end), and a worker on every server instance sends what is due, each delivery leased to
-- one instance at a time (`for update skip locked`), retrying with growing waits.
create table webhook_subscriptions (
    client_id   uuid primary key references api_clients (id),
    url         text not null,
    events      text[] not null,
    -- The HMAC-SHA256 key of every delivery's signature, shown to the client once when it is set.
    -- Kept as it is: signing needs the key itself, not a hash of it.
    secret      text not null,
    created_at  timestamptz not null default now(),
    constraint webhook_subscriptions_url_check check (char_length(url) between 1 and 2000),
    constraint webhook_subscriptions_events_check check (
        cardinality(events) between 1 and 6
        and events <@ array['hours.credited', 'hours.withdrawn', 'certificate.issued', 'certificate.superseded',
                            'studio_record.finalised', 'lesson.cancelled']::text[]
    )
);

create table webhook_deliveries (
    id               uuid primary key,
    client_id        uuid not null references api_clients (id),
    event            text not null,
    -- The JSON body as sent, fixed when the event happened.
    body             text not null,
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null default now(),
    delivered_at     timestamptz,
    failed_at        timestamptz,
    -- The receiver's last HTTP status, or why no answer came.
    last_status      integer,
    last_error       text not null default '',
    created_at       timestamptz not null default now()
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at)
    where delivered_at is null and failed_at is null;
create index webhook_deliveries_client_id_created_at_idx on webhook_deliveries (client_id, created_at desc, id);

-- Queues `p_event` for every live client of the districts in `p_events` that subscribed to it:
-- one delivery per client and item, its body `{"id", "type", "created_at", "data"}`.
create function queue_webhooks(p_event text, p_events jsonb) returns void
language sql as $$
    insert into webhook_deliveries (id, client_id, event, body)
    select d.id, d.client_id, p_event,
           jsonb_build_object('id', d.id, 'type', p_event, 'created_at', now(), 'data', d.data)::text
    from (
        select gen_random_uuid() as id, w.client_id, e.value -> 'data' as data
        from jsonb_array_elements(p_events) e
        join api_clients c on c.district_id = (e.value ->> 'district_id')::uuid
                          and c.revoked_at is null and c.expires_at > now()
        join webhook_subscriptions w on w.client_id = c.id and p_event = any (w.events)
    ) d
$$;

-- A record's data as the hours feed shows it.
create function webhook_hour_record(r training_records) returns jsonb
language sql stable as $$
    select jsonb_build_object('id', r.id, 'teacher_id', r.user_id, 'school_id', r.school_id,
                              'occurred_on', r.occurred_on, 'hours', r.hours, 'category', r.category,
                              'source', r.source_kind)
$$;

-- Credits and withdrawals of one statement are queued in one insert; the transition table of
-- each trigger is named `changed`.
create function training_records_webhook() returns trigger
language plpgsql as $$
begin
    if exists (select 1 from webhook_subscriptions) then
        perform queue_webhooks(case when tg_op = 'INSERT' then 'hours.credited' else 'hours.withdrawn' end,
            (select coalesce(jsonb_agg(jsonb_build_object('district_id', s.district_id, 'data', webhook_hour_record(r))), '[]')
             from changed r join schools s on s.id = r.school_id));
    end if;
    return null;
end
$$;

create trigger training_records_webhook_credited
after insert on training_records referencing new table as changed
for each statement execute function training_records_webhook();

create trigger training_records_webhook_withdrawn
after delete on training_records referencing old table as changed
for each statement execute function training_records_webhook();

-- A certificate belongs to the district of its teacher's school.
create function certificates_webhook() returns trigger
language plpgsql as $$
declare
    v_event text := case when tg_op = 'INSERT' then 'certificate.issued' else 'certificate.superseded' end;
begin
    if tg_op = 'UPDATE' and (old.superseded_at is not null or new.superseded_at is null) then
        return null;
    end if;
    if exists (select 1 from webhook_subscriptions) then
        perform queue_webhooks(v_event, (
            select coalesce(jsonb_agg(jsonb_build_object('district_id', s.district_id, 'data', jsonb_build_object(
                       'serial', new.serial, 'teacher_id', new.user_id, 'year', new.year,
                       'total_hours', new.total_tenths / 10.0, 'superseded_at', new.superseded_at))), '[]')
            from users u join schools s on s.id = u.school_id where u.id = new.user_id));
    end if;
    return null;
end
$$;

create trigger certificates_webhook
after insert or update of superseded_at on certificates
for each row execute function certificates_webhook();

create function studio_year_records_webhook() returns trigger
language plpgsql as $$
begin
    if exists (select 1 from webhook_subscriptions) then
        perform queue_webhooks('studio_record.finalised', (
            select coalesce(jsonb_agg(jsonb_build_object('district_id', s.district_id, 'data', jsonb_build_object(
                       'id', new.id, 'studio_id', st.id, 'studio_slug', st.slug, 'year', new.year,
                       'version', new.version, 'sha256', new.content_sha256))), '[]')
            from studios st join schools s on s.id = st.school_id where st.id = new.studio_id));
    end if;
    return null;
end
$$;

create trigger studio_year_records_webhook
after insert on studio_year_records
for each row execute function studio_year_records_webhook();

create function open_lessons_webhook_cancelled() returns trigger
language plpgsql as $$
begin
    if new.status = 'cancelled' and old.status <> 'cancelled' and exists (select 1 from webhook_subscriptions) then
        perform queue_webhooks('lesson.cancelled', (
            select coalesce(jsonb_agg(jsonb_build_object('district_id', s.district_id, 'data', jsonb_build_object(
                       'id', new.id, 'title', new.title, 'studio_id', st.id, 'studio_slug', st.slug,
                       'starts_at', new.starts_at))), '[]')
            from studios st join schools s on s.id = st.school_id where st.id = new.studio_id));
    end if;
    return null;
end
$$;

create trigger open_lessons_webhook_cancelled
after update of status on open_lessons
for each row execute function open_lessons_webhook_cancelled();
