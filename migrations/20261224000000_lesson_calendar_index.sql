-- The month view counted the ~900 published lessons of its six weeks by reading each one's heap
-- row, joining its studio and converting its start to the viewer's day: 1.9 ms a page. With the
-- columns it reads in the index (and the day found from boundaries computed by the server), it
-- is one index range: 0.5 ms. The finder's list pages the same index in (starts_at, id) order,
-- so the index it replaces is dropped.
create index open_lessons_published_calendar_idx on open_lessons (starts_at, id) include (studio_id, title)
    where status = 'published';
drop index open_lessons_published_starts_at_idx;

-- The few studios whose lessons no finder lists (private or archived), read once per calendar.
create index studios_unlisted_idx on studios (id) where visibility <> 'public' or archived;
