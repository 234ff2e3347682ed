-- The integration API's clients: a district's own systems (rosters, continuing-education
-- platforms) reading and writing through /api/v1. A district admin creates a client with scopes
-- and an expiry; its bearer token is shown once and kept only as a SHA-256 hash. Revoking is a
-- timestamp every request reads, so it takes effect at once on every server instance.
create table api_clients (
    id            uuid primary key,
    district_id   uuid not null references districts (id),
    name          text not null,
    scopes        text[] not null,
    token_hash    text not null,
    -- The token's last four characters, so that an admin can tell tokens apart.
    token_hint    text not null,
    expires_at    timestamptz not null,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    created_by    uuid not null references users (id),
    created_at    timestamptz not null default now(),
    constraint api_clients_token_hash_key unique (token_hash),
    constraint api_clients_name_check check (char_length(btrim(name)) between 1 and 100),
    constraint api_clients_scopes_check check (
        cardinality(scopes) between 1 and 7
        and scopes <@ array['roster.read', 'roster.write', 'hours.read', 'hours.write',
                            'certificates.read', 'lessons.read', 'records.read']::text[]
    ),
    constraint api_clients_expiry_check check (expires_at > created_at)
);
-- A name tells a district's live clients apart; a revoked one frees its name.
create unique index api_clients_district_name_key on api_clients (district_id, lower(btrim(name)))
    where revoked_at is null;
create index api_clients_district_id_created_at_idx on api_clients (district_id, created_at desc, id);

-- Open lessons and studios say when anything the API shows of them last changed (a lesson's
-- bookings counts included: the seat counter's update of the lesson row moves it), so a district
-- system fetches only what changed since it last asked. A lesson's `updated_at` stays what it
-- was: the time of its last edit, which calendar files carry.
alter table open_lessons add column changed_at timestamptz not null default now();
update open_lessons set changed_at = greatest(created_at, updated_at);
alter table studios add column changed_at timestamptz not null default now();
update studios set changed_at = created_at;

create function touch_changed_at() returns trigger language plpgsql as $$
begin
    new.changed_at := greatest(now(), old.changed_at);
    return new;
end;
$$;

create trigger open_lessons_touch
    before update on open_lessons
    for each row when (old.* is distinct from new.*) execute function touch_changed_at();
-- A studio's activity clock moves with every note and booking; only what the API shows counts.
create trigger studios_touch
    before update on studios
    for each row when (
        (old.slug, old.name, old.description, old.subject, old.school_id, old.host_id, old.visibility,
         old.join_policy, old.archived)
        is distinct from
        (new.slug, new.name, new.description, new.subject, new.school_id, new.host_id, new.visibility,
         new.join_policy, new.archived)
    ) execute function touch_changed_at();

create index open_lessons_changed_at_id_idx on open_lessons (changed_at, id);
create index studios_changed_at_id_idx on studios (changed_at, id);
