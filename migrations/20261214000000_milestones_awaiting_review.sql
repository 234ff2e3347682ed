-- The hosts' and mentors' "evidence waiting" card: milestones a mentee marked done that nobody
-- but the mentee has commented on since. Found by walking every plan, goal and milestone of the
-- studio, it cost 2,000 index scans (14,000 buffers) for a studio of 1,000 mentees even when
-- nothing waited; this summary holds only the waiting milestones, by studio and age, kept by
-- triggers in the transaction that marks a milestone done or comments on it.
create table milestones_awaiting_review (
    milestone_id  uuid primary key references growth_milestones (id) on delete cascade,
    studio_id     uuid not null references studios (id),
    mentee_id     uuid not null references users (id),
    done_at       timestamptz not null
);
create index milestones_awaiting_review_studio_id_done_at_idx
    on milestones_awaiting_review (studio_id, done_at);

-- Whether milestone `p_milestone` (done at `p_done_at`, in the plan of `p_mentee`) has had a
-- comment by someone other than its mentee since it was done.
create function milestone_reviewed(p_milestone uuid, p_mentee uuid, p_done_at timestamptz)
returns boolean language sql stable as $$
    select exists (
        select 1 from growth_comments c
        where c.milestone_id = p_milestone and c.author_id <> p_mentee and c.created_at >= p_done_at
    )
$$;

create index growth_comments_milestone_id_idx on growth_comments (milestone_id) where milestone_id is not null;

insert into milestones_awaiting_review (milestone_id, studio_id, mentee_id, done_at)
select x.id, p.studio_id, p.mentee_id, x.done_at
  from growth_milestones x
  join growth_goals g on g.id = x.goal_id
  join growth_plans p on p.id = g.plan_id
 where x.done_at is not null
   and not milestone_reviewed(x.id, p.mentee_id, x.done_at);

-- A milestone marked done waits (unless already answered); marked not done, it does not.
create function growth_milestones_await_review() returns trigger language plpgsql as $$
declare
    v_studio uuid;
    v_mentee uuid;
begin
    if new.done_at is null then
        delete from milestones_awaiting_review where milestone_id = new.id;
        return null;
    end if;
    if tg_op = 'UPDATE' and old.done_at is not distinct from new.done_at then
        return null;
    end if;
    select p.studio_id, p.mentee_id into v_studio, v_mentee
      from growth_goals g join growth_plans p on p.id = g.plan_id
     where g.id = new.goal_id;
    if milestone_reviewed(new.id, v_mentee, new.done_at) then
        delete from milestones_awaiting_review where milestone_id = new.id;
    else
        insert into milestones_awaiting_review (milestone_id, studio_id, mentee_id, done_at)
        values (new.id, v_studio, v_mentee, new.done_at)
        on conflict (milestone_id) do update set done_at = excluded.done_at;
    end if;
    return null;
end;
$$;

create trigger growth_milestones_await_review
    after insert or update of done_at on growth_milestones
    for each row execute function growth_milestones_await_review();

-- Anyone's comment on a waiting milestone but its mentee's answers it.
create function growth_comments_review_milestone() returns trigger language plpgsql as $$
begin
    if new.milestone_id is not null then
        delete from milestones_awaiting_review w
         where w.milestone_id = new.milestone_id and w.mentee_id <> new.author_id
           and w.done_at <= new.created_at;
    end if;
    return null;
end;
$$;

create trigger growth_comments_review_milestone
    after insert on growth_comments
    for each row execute function growth_comments_review_milestone();
