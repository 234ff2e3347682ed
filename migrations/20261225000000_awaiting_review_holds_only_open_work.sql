-- The evidence card counts a waiting milestone only while its goal is active and its mentee is an
-- active mentee of the studio. It checked both on every home page load by joining each waiting
-- row to its milestone, its goal and the studio's mentees: 1.1 of the host home's 1.5 ms for a
-- studio of 1,000 mentees. The summary now holds only the milestones that count. A goal that
-- closes, or a mentee who leaves, takes theirs out; one that reopens, or who returns, puts back
-- those still unanswered.

-- Rebuilds the rows of one mentee's plan in one studio: their milestones that are done, in an
-- active goal, and unanswered since, while they are an active mentee there. A plan holds a few
-- dozen milestones.
create function refill_milestones_awaiting_review(p_studio uuid, p_mentee uuid) returns void
language sql as $$
    delete from milestones_awaiting_review where studio_id = p_studio and mentee_id = p_mentee;
    insert into milestones_awaiting_review (milestone_id, studio_id, mentee_id, done_at)
    select x.id, p.studio_id, p.mentee_id, x.done_at
      from growth_plans p
      join growth_goals g on g.plan_id = p.id and g.status = 'active'
      join growth_milestones x on x.goal_id = g.id and x.done_at is not null
     where p.studio_id = p_studio and p.mentee_id = p_mentee
       and exists (
           select 1 from memberships m
           where m.studio_id = p_studio and m.user_id = p_mentee and m.status = 'active' and m.role = 'mentee'
       )
       and not milestone_reviewed(x.id, p.mentee_id, x.done_at);
$$;

-- A milestone marked done waits only in an active goal of an active mentee.
create or replace function growth_milestones_await_review() returns trigger language plpgsql as $$
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
     where g.id = new.goal_id and g.status = 'active'
       and exists (
           select 1 from memberships m
           where m.studio_id = p.studio_id and m.user_id = p.mentee_id and m.status = 'active' and m.role = 'mentee'
       );
    if not found or milestone_reviewed(new.id, v_mentee, new.done_at) then
        delete from milestones_awaiting_review where milestone_id = new.id;
    else
        insert into milestones_awaiting_review (milestone_id, studio_id, mentee_id, done_at)
        values (new.id, v_studio, v_mentee, new.done_at)
        on conflict (milestone_id) do update set done_at = excluded.done_at;
    end if;
    return null;
end;
$$;

-- A goal that closes or reopens.
create function growth_goals_refill_awaiting_review() returns trigger language plpgsql as $$
begin
    if (old.status = 'active') is distinct from (new.status = 'active') then
        perform refill_milestones_awaiting_review(p.studio_id, p.mentee_id)
           from growth_plans p where p.id = new.plan_id;
    end if;
    return null;
end;
$$;

create trigger growth_goals_refill_awaiting_review
    after update of status on growth_goals
    for each row execute function growth_goals_refill_awaiting_review();

-- A mentee who joins, returns, leaves, is removed or changes role.
create function memberships_refill_awaiting_review() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        delete from milestones_awaiting_review where studio_id = old.studio_id and mentee_id = old.user_id;
    elsif tg_op = 'INSERT' then
        if new.status = 'active' and new.role = 'mentee' then
            perform refill_milestones_awaiting_review(new.studio_id, new.user_id);
        end if;
    elsif (old.status = 'active' and old.role = 'mentee') is distinct from (new.status = 'active' and new.role = 'mentee') then
        perform refill_milestones_awaiting_review(new.studio_id, new.user_id);
    end if;
    return null;
end;
$$;

create trigger memberships_refill_awaiting_review
    after insert or update of status, role or delete on memberships
    for each row execute function memberships_refill_awaiting_review();

-- What no longer counts today leaves.
delete from milestones_awaiting_review w
 where not exists (
           select 1 from growth_milestones x join growth_goals g on g.id = x.goal_id
           where x.id = w.milestone_id and g.status = 'active'
       )
    or not exists (
           select 1 from memberships m
           where m.studio_id = w.studio_id and m.user_id = w.mentee_id and m.status = 'active' and m.role = 'mentee'
       );

-- The card counts a studio's rows from the index alone.
create index milestones_awaiting_review_studio_idx
    on milestones_awaiting_review (studio_id, done_at, mentee_id, milestone_id);
drop index milestones_awaiting_review_studio_id_done_at_idx;
