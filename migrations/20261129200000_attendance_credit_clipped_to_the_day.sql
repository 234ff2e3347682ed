-- Attendance (an open lesson, a lesson-study round) is credited only up to what the day's 24
-- hours still allow. The record keeps what the attendance was worth when more than was credited,
-- so the ledger can say so; a record credited nothing at all (the day already full) stays, at
-- zero hours, as the trace of the attendance.
alter table training_records
    add column attended_hours numeric(4, 1),
    drop constraint training_records_hours_check,
    add constraint training_records_hours_check check (hours >= 0 and hours <= 24 and (hours > 0 or source_kind <> 'manual')),
    add constraint training_records_attended_hours_check check (attended_hours is null or (attended_hours > hours and attended_hours <= 24));
