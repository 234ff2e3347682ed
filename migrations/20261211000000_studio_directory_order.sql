-- The directory lists public, active studios by latest activity, ties by id: this index hands
-- them over in that order, so a page of 12 reads 12 rows instead of sorting every studio.
-- It covers what studios_directory_idx (latest activity alone) served.
create index studios_directory_order_idx on studios (last_activity_at desc, id)
    where visibility = 'public' and not archived;
drop index studios_directory_idx;
