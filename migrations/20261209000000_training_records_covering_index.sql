-- A teacher's hours over a date range (the growth overview sums them for every mentee of a
-- studio; the hours page, the records) read from the index alone: the hours ride along in it.
-- Replaces the plain (user_id, occurred_on) index, which this one covers.
drop index training_records_user_id_occurred_on_idx;
create index training_records_user_id_occurred_on_idx on training_records (user_id, occurred_on) include (hours);
