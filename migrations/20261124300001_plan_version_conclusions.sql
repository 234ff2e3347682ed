-- The debrief conclusions a plan version was revised from: a copy of the study's conclusions at
-- the moment the version was saved, so the record shows what each revision answered.
alter table plan_versions add column conclusions text not null default '';
