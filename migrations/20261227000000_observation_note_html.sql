-- A note's Markdown is rendered and sanitised once, when it is written, instead of on every read
-- of every page that shows it (the study page renders 50 at a time). Null means "render from
-- the source when read": notes written before this column existed, and every note again after
-- `markdown::render` changes what it lets through (a later migration then sets the column back
-- to null, and the notes are rendered by the new rules).
alter table observation_notes add column body_html text;
