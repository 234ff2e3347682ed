//! `/studios/{slug}/record/{year}`: the studio's yearly record, live or one finalised version,
//! with the host's narrative form, the finalise button and the new-version form. Rendered on the
//! server; every form is a plain form that works without JavaScript, and the print stylesheet
//! drops the forms and navigation.

use super::api::{get_studio_year, record_path, FinaliseStudioYear, IssueStudioYearVersion, SaveStudioNarrative};
use super::{
    Growth, LedgerLesson, LedgerStudy, Member, MemberChange, MenteeGrowth, Narrative, OtherMentees, RecordReader,
    SchoolReach, Shown, StudioYearMsg, StudioYearPage, Totals, VersionSummary,
};
use crate::growth::rules::format_tenths;
use crate::kit::forms::{action_error, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Submit};
use crate::records::pages::{ColumnHeads, RecordSection};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn t(m: StudioYearMsg) -> Msg {
    Msg::from(m)
}

#[component]
pub fn StudioYearRecordPage() -> impl IntoView {
    let (params, query) = (use_params_map(), use_query_map());
    let save = ServerAction::<SaveStudioNarrative>::new();
    let finalise = ServerAction::<FinaliseStudioYear>::new();
    let reissue = ServerAction::<IssueStudioYearVersion>::new();
    let key = move || {
        let slug = params.with(|p| p.get("slug").unwrap_or_default());
        let year = params.with(|p| p.get("year").unwrap_or_default());
        let version = query.with(|q| q.get("version").unwrap_or_default());
        (slug, year, version, save.version().get() + finalise.version().get() + reissue.version().get())
    };
    let data = Resource::new(key, |(slug, year, version, _)| get_studio_year(slug, year, version));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <RecordView page save finalise reissue/> }.into_any(),
                    Err(err) => view! { <LoadError err title=t(StudioYearMsg::RecordLink)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RecordView(
    page: StudioYearPage,
    save: ServerAction<SaveStudioNarrative>,
    finalise: ServerAction<FinaliseStudioYear>,
    reissue: ServerAction<IssueStudioYearVersion>,
) -> impl IntoView {
    let i18n = use_i18n();
    let StudioYearPage { record, shown, versions, reader, year, draft } = page;
    let slug = record.studio.slug.clone();
    let path = record_path(&slug, record.year);
    let name = record.studio.name.clone();
    let y = record.year;
    let (first, last) = (record.start, record.end.pred_opt().unwrap_or(record.end));
    let title = {
        let name = name.clone();
        move || i18n.fill(t(StudioYearMsg::Title), &[("studio", &name), ("year", &y)])
    };
    let running_head = {
        let name = name.clone();
        move || {
            i18n.fill(
                t(StudioYearMsg::RunningHead),
                &[("studio", &name), ("year", &y), ("from", &first), ("to", &last)],
            )
        }
    };
    let note = if reader.coaches() { StudioYearMsg::CoachNote } else { StudioYearMsg::LeaderNote };
    let shown_version = match &shown {
        Shown::Live => "live".to_owned(),
        Shown::Finalised { version, .. } => version.version.to_string(),
    };
    let workbook = format!("{path}/record.xlsx?version={shown_version}");
    let heading = record.studio.clone();
    let is_live = shown == Shown::Live;
    let finalised = !versions.is_empty();
    let host = reader == RecordReader::Host;
    let latest_narrative = if is_live { draft.clone() } else { record.narrative.clone() };
    view! {
        <Title text=title.clone()/>
        <div class="record">
        <p class="print-only running-head" aria-hidden="true">{running_head}</p>
        <section class="card">
            <h1>{title}</h1>
            <p>
                {heading.school.clone().unwrap_or_default()}
                {heading.district.clone().map(|d| format!(" · {d}"))}
                " · " {move || i18n.t(crate::studios::StudioRole::Host.label())} ": " {heading.host.clone()}
            </p>
            <p class="muted">{move || i18n.fill(Msg::from(crate::records::RecordMsg::YearRange), &[("from", &first), ("to", &last)])}</p>
            <p class="muted">{move || i18n.t(t(note))}</p>
            <nav class="no-print" aria-label=move || i18n.t(Msg::from(crate::records::RecordMsg::Year))>
                {year.choices.iter().map(|c| {
                    let c = *c;
                    let href = record_path(&slug, c);
                    view! { <a href=href aria-current=(c == y).then_some("page")>{c}</a> " " }
                }).collect_view()}
            </nav>
            <StateLine shown=shown.clone()/>
            <VersionList versions path=path.clone() is_live/>
            <p class="no-print"><a href=workbook rel="external" download>{move || i18n.t(t(StudioYearMsg::Download))}</a></p>
        </section>
        <TotalsTable year=y this=record.totals previous=record.previous/>
        <MembersSection members=record.members/>
        <ChangesSection changes=record.changes/>
        <LessonsSection lessons=record.lessons/>
        <StudiesSection studies=record.studies/>
        <ReachSection reach=record.reach/>
        <MenteesSection mentees=record.mentees others=record.others reader slug=slug.clone() year=y/>
        <NarrativeSection narrative=record.narrative/>
        {(host && is_live && !finalised).then(|| view! { <DraftForms slug=slug.clone() year=y draft save finalise/> })}
        {(host && finalised).then(|| view! { <NewVersionForm slug=slug.clone() year=y narrative=latest_narrative reissue/> })}
        </div>
    }
}

/// Live, or which version this is, who finalised it, its hash and whether it still matches.
#[component]
fn StateLine(shown: Shown) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    match shown {
        Shown::Live => {
            view! { <p class="state"><strong>{move || i18n.t(t(StudioYearMsg::Live))}</strong></p> }.into_any()
        }
        Shown::Finalised { version, sha256, intact, superseded } => {
            let at = format_date_time(version.finalised_at, &tz, i18n.locale.get_untracked());
            let VersionSummary { version: number, finalised_by, reason, .. } = version;
            view! {
                <p class="state"><strong>{move || i18n.fill(t(StudioYearMsg::FinalisedLine), &[("version", &number), ("by", &finalised_by), ("at", &at)])}</strong></p>
                {superseded.then(|| view! { <p class="error">{move || i18n.t(t(StudioYearMsg::Superseded))}</p> })}
                {(!reason.is_empty()).then(|| view! { <p>{move || i18n.fill(t(StudioYearMsg::ReasonLine), &[("reason", &reason)])}</p> })}
                <p class="muted hash">{move || i18n.fill(t(StudioYearMsg::Sha), &[("hash", &sha256)])}</p>
                <p class=if intact { "muted" } else { "error" }>
                    {move || i18n.t(t(if intact { StudioYearMsg::Intact } else { StudioYearMsg::Tampered }))}
                </p>
            }
            .into_any()
        }
    }
}

#[component]
fn VersionList(versions: Vec<VersionSummary>, path: String, is_live: bool) -> impl IntoView {
    let i18n = use_i18n();
    (!versions.is_empty()).then(|| {
        let live = format!("{path}?version=live");
        view! {
            <nav class="no-print" aria-label=move || i18n.t(t(StudioYearMsg::Versions))>
                <h2 class="small">{move || i18n.t(t(StudioYearMsg::Versions))}</h2>
                <ul class="inline-list">
                    {versions.into_iter().map(|v| {
                        let href = format!("{path}?version={}", v.version);
                        let n = v.version;
                        view! { <li><a href=href>{move || i18n.fill(t(StudioYearMsg::VersionLink), &[("version", &n)])}</a></li> }
                    }).collect_view()}
                    <li><a href=live aria-current=is_live.then_some("page")>{move || i18n.t(t(StudioYearMsg::LiveLink))}</a></li>
                </ul>
            </nav>
        }
    })
}

fn growth_cell(g: Option<Growth>, f: fn(Growth) -> i64) -> impl IntoView {
    let i18n = use_i18n();
    match g {
        Some(g) => f(g).to_string().into_any(),
        None => view! { <span class="muted">{move || i18n.t(t(StudioYearMsg::Hidden))}</span> }.into_any(),
    }
}

#[component]
fn TotalsTable(year: i32, this: Totals, previous: Totals) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let counts = this.counts_beside(&previous);
    view! {
        <section class="card" aria-labelledby="studio-record-totals-heading">
            <h2 id="studio-record-totals-heading">{move || i18n.t(t(M::Totals))}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{move || i18n.t(t(M::Figure))}</th>
                    <th scope="col">{move || i18n.fill(t(M::YearColumn), &[("year", &year)])}</th>
                    <th scope="col">{move || i18n.fill(t(M::YearColumn), &[("year", &(year - 1))])}</th>
                </tr></thead>
                <tbody>
                    {counts.into_iter().map(|(label, a, b)| view! {
                        <tr><th scope="row">{move || i18n.t(t(label))}</th><td>{a}</td><td>{b}</td></tr>
                    }).collect_view()}
                    <tr>
                        <th scope="row">{move || i18n.t(t(M::TotalHours))}</th>
                        <td>{format_tenths(this.mentee_hours_tenths)}</td>
                        <td>{format_tenths(previous.mentee_hours_tenths)}</td>
                    </tr>
                    {Growth::FIGURES.into_iter().map(|(label, f)| view! {
                        <tr>
                            <th scope="row">{move || i18n.t(t(label))}</th>
                            <td>{growth_cell(this.growth, f)}</td>
                            <td>{growth_cell(previous.growth, f)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn MembersSection(members: Vec<Member>) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let is_empty = members.is_empty();
    view! {
        <RecordSection id="members" heading=M::Members empty_msg=M::NoMembers is_empty>
            <table>
                <ColumnHeads columns=&[M::Name, M::Role, M::Since, M::Until]/>
                <tbody>
                    {members.into_iter().map(|m| {
                        let role = m.role.label();
                        view! {
                            <tr>
                                <th scope="row">{m.name}</th>
                                <td>{move || i18n.t(role)}</td>
                                <td>{m.since.to_string()}</td>
                                <td>{m.until.map(|d| d.to_string())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </RecordSection>
    }
}

#[component]
fn ChangesSection(changes: Vec<MemberChange>) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let is_empty = changes.is_empty();
    view! {
        <RecordSection id="changes" heading=M::Changes empty_msg=M::NoChanges is_empty>
            <ul>
                {changes.into_iter().map(|c| {
                    let when = format_date_time(c.at, &tz, i18n.locale.get_untracked());
                    let what = c.kind.reads_as(c.role);
                    view! { <li>{when} " · " {c.name} " · " {move || i18n.t(what)}</li> }
                }).collect_view()}
            </ul>
        </RecordSection>
    }
}

#[component]
fn LessonsSection(lessons: Vec<LedgerLesson>) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let is_empty = lessons.is_empty();
    view! {
        <RecordSection id="lessons" heading=M::Lessons empty_msg=M::NoLessons is_empty>

            <table>
                <ColumnHeads columns=&[M::ItemTitle, M::Date, M::Teacher, M::Seats, M::Booked, M::CheckedIn, M::Schools, M::Districts]/>
                <tbody>
                    {lessons.into_iter().map(|l| view! {
                        <tr>
                            <th scope="row"><a href=format!("/lessons/{}", l.id)>{l.title}</a></th>
                            <td>{format_date_time(l.starts_at, &tz, i18n.locale.get_untracked())}</td>
                            <td>{l.teacher}</td>
                            <td>{l.seats}</td>
                            <td>{l.booked}</td>
                            <td>{l.checked_in}</td>
                            <td>{l.schools}</td>
                            <td>{l.districts}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>

        </RecordSection>
    }
}

#[component]
fn StudiesSection(studies: Vec<LedgerStudy>) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let is_empty = studies.is_empty();
    view! {
        <RecordSection id="studies" heading=M::Studies empty_msg=M::NoStudies is_empty>
            {studies.into_iter().map(|s| {
                let phase = s.phase.label();
                view! {
                    <article class="ledger-study">
                        <h3><a href=format!("/studies/{}", s.id)>{s.title}</a></h3>
                        <p>
                            {s.started_on.to_string()} " · " {move || i18n.t(t(M::Lead))} ": " {s.lead} " · " {move || i18n.t(phase)}
                        </p>
                        <p>
                            {move || i18n.t(t(M::Rounds))} ": " {s.rounds} " · "
                            {move || i18n.t(t(M::PlanVersions))} ": " {s.plan_versions} " · "
                            {move || i18n.t(t(M::Observers))} ": " {s.observers} " · "
                            {move || i18n.t(t(M::FromOtherSchools))} ": " {s.observers_from_other_schools}
                        </p>
                        {(!s.conclusions.is_empty()).then(|| view! {
                            <h4>{move || i18n.t(t(M::Conclusions))}</h4>
                            <p class="pre-wrap">{s.conclusions.clone()}</p>
                        })}
                    </article>
                }
            }).collect_view()}
        </RecordSection>
    }
}

#[component]
fn ReachSection(reach: Vec<SchoolReach>) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let is_empty = reach.is_empty();
    view! {
        <RecordSection id="reach" heading=M::Reach empty_msg=M::NoReach is_empty>
            <table>
                <ColumnHeads columns=&[M::School, M::District, M::Observers]/>
                <tbody>
                    {reach.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row">{match r.school {
                                Some(school) => school.into_any(),
                                None => view! { {move || i18n.t(t(M::UnlistedSchool))} }.into_any(),
                            }}</th>
                            <td>{r.district}</td>
                            <td>{r.observers}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </RecordSection>
    }
}

#[component]
fn MenteesSection(
    mentees: Vec<MenteeGrowth>,
    others: Option<OtherMentees>,
    reader: RecordReader,
    slug: String,
    year: i32,
) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let is_empty = mentees.is_empty();
    let not_shared = move || view! { <span class="muted">{move || i18n.t(t(M::NotShared))}</span> };
    view! {
        <RecordSection id="mentees" heading=M::Mentees empty_msg=M::NoMentees is_empty>

            <table>
                <ColumnHeads columns=&[M::Name, M::Hours, M::OpenGoals, M::GoalsAchieved, M::MilestonesDone, M::SignOffs]/>
                <tbody>
                    {mentees.into_iter().map(|m| {
                        // Coaches open the studio's part of the mentee's record; a school or
                        // district reader the shared record, for mentees who share it.
                        let link = if reader.coaches() {
                            Some(format!("/studios/{slug}/records/{}?year={year}", m.id))
                        } else {
                            m.growth.is_some().then(|| format!("/district/teachers/{}?year={year}", m.id))
                        };
                        let cells = match m.growth {
                            Some(g) => view! {
                                <td>{m.open_goals.unwrap_or_default()}</td>
                                <td>{g.goals_achieved}</td>
                                <td>{g.milestones_done}</td>
                                <td>{g.sign_offs}</td>
                            }.into_any(),
                            None => view! { <td colspan="4">{not_shared()}</td> }.into_any(),
                        };
                        view! {
                            <tr>
                                <th scope="row">{match link {
                                    Some(href) => view! { <a href=href>{m.name.clone()}</a> }.into_any(),
                                    None => m.name.clone().into_any(),
                                }}</th>
                                <td>{format_tenths(m.hours_tenths)}</td>
                                {cells}
                            </tr>
                        }
                    }).collect_view()}
                    {others.map(|o| view! {
                        <tr>
                            <th scope="row">{move || i18n.fill(t(M::OtherMentees), &[("n", &o.mentees)])}</th>
                            <td></td>
                            <td></td>
                            <td>{growth_cell(o.growth, |g| g.goals_achieved)}</td>
                            <td>{growth_cell(o.growth, |g| g.milestones_done)}</td>
                            <td>{growth_cell(o.growth, |g| g.sign_offs)}</td>
                        </tr>
                    })}
                </tbody>
            </table>

        </RecordSection>
    }
}

#[component]
fn NarrativeSection(narrative: Narrative) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let part = move |heading: M, text: String| {
        view! {
            <h3>{move || i18n.t(t(heading))}</h3>
            {if text.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(M::NoNarrative))}</p> }.into_any()
            } else {
                view! { <p class="pre-wrap">{text}</p> }.into_any()
            }}
        }
    };
    view! {
        <section class="card" aria-labelledby="studio-record-narrative-heading">
            <h2 id="studio-record-narrative-heading">{move || i18n.t(t(M::Narrative))}</h2>
            {part(M::Summary, narrative.summary)}
            {part(M::NextPlan, narrative.next_plan)}
        </section>
    }
}

/// The host's draft narrative and the finalise button, before the year is finalised.
#[component]
fn DraftForms(
    slug: String,
    year: i32,
    draft: Narrative,
    save: ServerAction<SaveStudioNarrative>,
    finalise: ServerAction<FinaliseStudioYear>,
) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let save_error = action_error(save.value());
    let finalise_error = action_error(finalise.value());
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    let finalise_slug = slug.clone();
    view! {
        <section class="card no-print" aria-labelledby="studio-record-draft-heading">
            <h2 id="studio-record-draft-heading">{move || i18n.t(t(M::EditNarrative))}</h2>
            <ActionForm action=save>
                <FormStatus error=save_error success=saved success_msg=Msg::Saved/>
                <input type="hidden" name="studio" value=slug.clone()/>
                <input type="hidden" name="year" value=year.to_string()/>
                <TextArea name="summary" label=t(M::Summary) error=save_error value=draft.summary rows=6/>
                <TextArea name="next_plan" label=t(M::NextPlan) error=save_error value=draft.next_plan rows=6/>
                <Submit label=t(M::SaveNarrative) pending=save.pending()/>
            </ActionForm>
            <ActionForm action=finalise>
                <FormStatus error=finalise_error/>
                <input type="hidden" name="studio" value=finalise_slug/>
                <input type="hidden" name="year" value=year.to_string()/>
                <p class="muted">{move || i18n.t(t(M::FinaliseHint))}</p>
                <Submit label=t(M::Finalise) pending=finalise.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}

/// After the year is finalised: a new version, with a reason, from the live figures.
#[component]
fn NewVersionForm(
    slug: String,
    year: i32,
    narrative: Narrative,
    reissue: ServerAction<IssueStudioYearVersion>,
) -> impl IntoView {
    use StudioYearMsg as M;
    let i18n = use_i18n();
    let error = action_error(reissue.value());
    view! {
        <section class="card no-print" aria-labelledby="studio-record-new-version-heading">
            <h2 id="studio-record-new-version-heading">{move || i18n.t(t(M::NewVersion))}</h2>
            <p class="muted">{move || i18n.t(t(M::NewVersionHint))}</p>
            <ActionForm action=reissue>
                <FormStatus error/>
                <input type="hidden" name="studio" value=slug/>
                <input type="hidden" name="year" value=year.to_string()/>
                <TextArea name="reason" label=t(M::Reason) error value="" rows=2 required=true/>
                <TextArea name="summary" label=t(M::Summary) error value=narrative.summary rows=6 id="new-version-summary"/>
                <TextArea name="next_plan" label=t(M::NextPlan) error value=narrative.next_plan rows=6 id="new-version-next-plan"/>
                <Submit label=t(M::NewVersion) pending=reissue.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}
