-- The sign-in throttle counts failures per (email, client address), per client address, and per
-- browser that signed in to the account before, so that nobody can lock an account's owner out.
alter table sign_in_failures
    add column client_addr text not null default '',
    add column browser_id uuid;
drop index sign_in_failures_email_attempted_at_idx;
create index sign_in_failures_email_client_idx on sign_in_failures (email, client_addr, attempted_at);
create index sign_in_failures_client_idx on sign_in_failures (client_addr, attempted_at);
create index sign_in_failures_browser_idx on sign_in_failures (browser_id, attempted_at) where browser_id is not null;
create index sign_in_failures_attempted_at_idx on sign_in_failures (attempted_at);

-- Browsers where an account signed in successfully: the browser keeps a random token in a
-- cookie, the database only its hex SHA-256.
create table trusted_browsers (
    id           uuid primary key,
    token_hash   text not null constraint trusted_browsers_token_hash_key unique,
    user_id      uuid not null references users (id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now()
);
create index trusted_browsers_user_id_idx on trusted_browsers (user_id, last_used_at);
create index trusted_browsers_last_used_at_idx on trusted_browsers (last_used_at);
