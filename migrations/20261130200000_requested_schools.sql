-- A teacher whose school is not in their district's list asks for it by naming it: the school is
-- created as 'requested', linked to them, and the district's admin confirms it or merges it into
-- a listed school. A district that does not exist yet is not created by a profile (only by the
-- command line), so the teacher then stays unlinked.
create function school_for(district_name text, school_name text, requester uuid) returns uuid
language plpgsql as $$
declare
    the_district uuid;
    found uuid;
begin
    select d.id into the_district from districts d where d.name = btrim(district_name);
    if the_district is null or btrim(school_name) = '' then
        return null;
    end if;
    insert into schools (id, district_id, name, status, requested_by)
    values (gen_random_uuid(), the_district, btrim(school_name), 'requested', requester)
    on conflict on constraint schools_district_name_key do nothing;
    select s.id into found from schools s where s.district_id = the_district and s.name = btrim(school_name);
    return found;
end
$$;

-- Every profile and studio now goes through school_for (a listed school, else a request).
drop function listed_school(text, text);
