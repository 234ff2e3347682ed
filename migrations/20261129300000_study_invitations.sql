-- The lead of a study invites a teacher by email; they join the group only when they accept.
-- An invitation is kept whether or not the email has an account yet (the lead is told the same
-- either way), and is gone once accepted or declined.
create table study_invitations (
    id          uuid primary key,
    study_id    uuid not null references studies (id),
    email       text not null,
    invited_by  uuid not null references users (id),
    created_at  timestamptz not null default now(),
    constraint study_invitations_study_email_key unique (study_id, email)
);
create index study_invitations_email_idx on study_invitations (email, created_at);
create index study_invitations_invited_by_idx on study_invitations (invited_by, created_at);
