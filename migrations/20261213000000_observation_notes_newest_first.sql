-- The study timeline is read a page at a time, newest first, from a cursor (written at, id):
-- this index serves the page and the cursor's row comparison. The timeline is no longer read in
-- lesson-minute order, so the minute index goes.
create index observation_notes_study_id_created_at_idx on observation_notes (study_id, created_at desc, id desc);
drop index observation_notes_study_id_minute_idx;
