-- A session remembers its signed-in user (the server keeps this column from the session's data),
-- so loading a session reads its user in the same statement. Sessions saved before this column
-- existed have no user here: their user is read separately until their next save.
alter table tower_sessions.session
    add column user_id uuid constraint session_user_id_fkey references users (id) on delete cascade;
create index session_user_id_idx on tower_sessions.session (user_id);
