-- Running a studio: join requests, invitations, membership history, directory search.

alter table memberships drop constraint memberships_status_check;
alter table memberships add constraint memberships_status_check
    check (status in ('pending', 'active', 'declined', 'left', 'removed'));
alter table memberships add column request_message text not null default '';
-- A studio always has exactly one host: at most one here, and every change of host happens in
-- one transaction that also updates studios.host_id.
create unique index memberships_one_host_per_studio on memberships (studio_id) where role = 'host' and status = 'active';
create index memberships_studio_id_status_idx on memberships (studio_id, status);

alter table studios add constraint studios_name_length_check check (char_length(name) between 1 and 80);
alter table studios add constraint studios_slug_format_check check (char_length(slug) between 2 and 60);

-- Who joined, left, was removed or changed role, when and by whom. Never deleted.
create table membership_events (
    id          uuid primary key,
    studio_id   uuid not null references studios (id),
    user_id     uuid not null references users (id),
    actor_id    uuid references users (id),
    kind        text not null,
    role        text,
    message     text not null default '',
    created_at  timestamptz not null default now(),
    constraint membership_events_kind_check check (kind in (
        'created', 'requested', 'approved', 'declined', 'joined', 'invited_in',
        'left', 'removed', 'promoted', 'demoted', 'host_handed_over'))
);
create index membership_events_studio_id_created_at_idx on membership_events (studio_id, created_at desc);

create table invitations (
    id          uuid primary key,
    studio_id   uuid not null references studios (id),
    role        text not null,
    -- sha-256 of the token, hex; the token itself is shown once and never stored.
    token_hash  text not null,
    expires_at  timestamptz not null,
    max_uses    integer not null,
    uses        integer not null default 0,
    revoked_at  timestamptz,
    created_by  uuid not null references users (id),
    created_at  timestamptz not null default now(),
    constraint invitations_token_hash_key unique (token_hash),
    constraint invitations_role_check check (role in ('mentor', 'mentee')),
    constraint invitations_max_uses_check check (max_uses between 1 and 500),
    constraint invitations_uses_check check (uses between 0 and max_uses)
);
create index invitations_studio_id_created_at_idx on invitations (studio_id, created_at desc);

-- Substring search over names and descriptions, Chinese included.
create extension if not exists pg_trgm;
create index studios_search_trgm_idx on studios using gin ((name || ' ' || description) gin_trgm_ops)
    where visibility = 'public' and not archived;
