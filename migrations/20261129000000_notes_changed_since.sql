-- Live note streams catch up after a lost connection by asking for a study's notes changed
-- since the last one they sent (edits move updated_at too).
create index observation_notes_study_id_updated_at_idx on observation_notes (study_id, updated_at);
