-- A studio's "recent activity" (the directory's sort order) counts its open lessons and lesson
-- studies, not only changes of membership: scheduling, publishing, cancelling or finishing a
-- lesson and opening or moving a study touch the studio, whichever code path writes the row.
create function touch_studio_activity() returns trigger
language plpgsql as $$
begin
    update studios set last_activity_at = now() where id = new.studio_id and last_activity_at < now();
    return null;
end
$$;

create trigger open_lessons_touch_studio
    after insert or update of status on open_lessons
    for each row execute function touch_studio_activity();

create trigger studies_touch_studio
    after insert or update of phase on studies
    for each row execute function touch_studio_activity();
