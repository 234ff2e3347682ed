//! `/me/record` (the teacher's own development record), the read-only view of it that a
//! consenting teacher's school leader or district opens, and the studio's part of it that the
//! studio's host and mentors read (`/studios/{slug}/records/{mentee}`). Rendered on the server;
//! the year chooser is a GET form, so it works without JavaScript.

use super::api::{get_my_record, get_studio_record};
use super::{DevelopmentRecord, PlanRecord, RecordMsg};
use crate::districts::dashboard::pages::YearSelect;
use crate::growth::rules::format_tenths;
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, ScrollTable};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub const MY_RECORD_PATH: &str = "/me/record";

fn t(m: RecordMsg) -> Msg {
    Msg::from(m)
}

#[component]
pub fn MyRecordPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.with(|q| q.get("year").unwrap_or_default());
    let data = Resource::new(year, get_my_record);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(record) => view! { <DevelopmentRecordView record reader=Reader::Own/> }.into_any(),
                    Err(err) => view! { <LoadError err title=t(RecordMsg::MyRecordTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/studios/{slug}/records/{mentee}`: the studio's part of a mentee's record.
#[component]
pub fn StudioRecordPage() -> impl IntoView {
    let (params, query) = (use_params_map(), use_query_map());
    let key = move || {
        let slug = params.with(|p| p.get("slug").unwrap_or_default());
        let mentee = params.with(|p| p.get("mentee").unwrap_or_default());
        (slug, mentee, query.with(|q| q.get("year").unwrap_or_default()))
    };
    let data = Resource::new(key, |(slug, mentee, year)| get_studio_record(slug, mentee, year));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
                match data.await {
                    Ok(record) => view! { <DevelopmentRecordView record reader=Reader::Studio(slug)/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::ErrNotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Who reads a record, which decides its links and notes.
#[derive(Clone, Debug, PartialEq)]
pub enum Reader {
    /// The teacher: their certificates, the ledger and the workbook.
    Own,
    /// A school leader or the district, with the teacher's consent; the opening is logged.
    Shared,
    /// The host or a mentor of this studio (its slug): the studio's part only.
    Studio(String),
}

impl Reader {
    /// The record's page (of another year with `?year=`).
    fn path(&self, teacher: uuid::Uuid) -> String {
        match self {
            Reader::Own => MY_RECORD_PATH.to_owned(),
            Reader::Shared => format!("/district/teachers/{teacher}"),
            Reader::Studio(slug) => format!("/studios/{slug}/records/{teacher}"),
        }
    }

    /// The record as a workbook, for those who may download it.
    fn workbook(&self, teacher: uuid::Uuid, year: i32) -> Option<String> {
        match self {
            Reader::Own => Some(format!("{MY_RECORD_PATH}.xlsx?year={year}")),
            Reader::Shared => Some(format!("/district/teachers/{teacher}/record.xlsx?year={year}")),
            Reader::Studio(_) => None,
        }
    }
}

/// The record, read by the teacher or, read-only, by someone they let read it.
#[component]
pub fn DevelopmentRecordView(record: DevelopmentRecord, reader: Reader) -> impl IntoView {
    let i18n = use_i18n();
    let DevelopmentRecord {
        id,
        name,
        school,
        tier,
        year,
        total_tenths,
        by_category,
        cycle,
        cycle_tenths,
        years,
        taught,
        observed,
        studies,
        plans,
    } = record;
    let own = reader == Reader::Own;
    let title = {
        let name = name.clone();
        move || {
            if own {
                i18n.t(t(RecordMsg::MyRecordTitle)).to_owned()
            } else {
                i18n.fill(t(RecordMsg::RecordTitle), &[("name", &name)])
            }
        }
    };
    let note_msg = match reader {
        Reader::Own => RecordMsg::MyRecordNote,
        Reader::Shared => RecordMsg::RecordNote,
        Reader::Studio(_) => RecordMsg::StudioRecordNote,
    };
    let note = {
        let name = name.clone();
        move || i18n.fill(t(note_msg), &[("name", &name)])
    };
    let last_day = year.end.pred_opt().unwrap_or(year.end);
    let first_day = year.start;
    let action = reader.path(id);
    let workbook = reader.workbook(id, year.year);
    let running_head = {
        let name = name.clone();
        move || {
            i18n.fill(
                t(RecordMsg::RunningHead),
                &[("name", &name), ("year", &year.year), ("from", &first_day), ("to", &last_day)],
            )
        }
    };
    let tier_label = tier.label();
    let rules = year.rules;
    view! {
        <Title text=title.clone()/>
        <div class="record">
        <p class="print-only running-head" aria-hidden="true">{running_head}</p>
        <section class="card">
            <h1>{title}</h1>
            <p>
                {name.clone()} " · "
                {match school {
                    Some(school) => school.into_any(),
                    None => view! { {move || i18n.t(t(RecordMsg::NoSchool))} }.into_any(),
                }}
                " · " {move || i18n.t(tier_label)}
            </p>
            <p class="muted">{note}</p>
            <form method="get" action=action class="inline-form">
                <YearSelect year=year.clone()/>
                <p><button type="submit">{move || i18n.t(t(RecordMsg::ShowYear))}</button></p>
            </form>
            <p class="muted">{move || i18n.fill(t(RecordMsg::YearRange), &[("from", &first_day), ("to", &last_day)])}</p>
            {workbook.map(|href| view! {
                <p class="no-print"><a href=href rel="external" download>{move || i18n.t(t(RecordMsg::Download))}</a></p>
            })}
        </section>
        <section class="card" aria-labelledby="record-hours-heading">
            <h2 id="record-hours-heading">{move || i18n.fill(t(RecordMsg::HoursThisYear), &[
                ("total", &format_tenths(total_tenths)),
                ("quota", &format_tenths(rules.quota_tenths)),
            ])}</h2>
            <table>
                <ColumnHeads columns=&[RecordMsg::Category, RecordMsg::Hours]/>
                <tbody>
                    {by_category.into_iter().map(|(category, tenths)| {
                        let label = category.label();
                        view! { <tr><th scope="row">{move || i18n.t(label)}</th><td>{format_tenths(tenths)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <p>{move || i18n.fill(t(RecordMsg::CycleLine), &[
                ("first", &cycle.0),
                ("last", &cycle.1),
                ("total", &format_tenths(cycle_tenths)),
                ("quota", &format_tenths(rules.cycle_quota_tenths)),
            ])}</p>
            {own.then(|| view! { <p><a href=format!("/hours?year={}", year.year)>{move || i18n.t(t(RecordMsg::SeeLedger))}</a></p> })}
            <h3>{move || i18n.t(t(RecordMsg::FiveYears))}</h3>
            <table>
                <ColumnHeads columns=&[RecordMsg::Year, RecordMsg::Hours]/>
                <tbody>
                    {years.into_iter().map(|y| {
                        let link = format!("{}?year={}", reader.path(id), y.year);
                        view! { <tr><th scope="row"><a href=link>{y.year}</a></th><td>{format_tenths(y.total_tenths)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {own.then(|| view! { <crate::records::certificates::pages::CertificatesSection year=year.year/> })}
        <TaughtSection taught/>
        <ObservedSection observed/>
        <StudiesSection studies/>
        <RecordSection id="plans" heading=RecordMsg::Plans empty_msg=RecordMsg::NoPlans is_empty=plans.is_empty()>
            {plans.into_iter().map(|plan| view! { <PlanRecordView plan/> }).collect_view()}
        </RecordSection>
        </div>
    }
}

/// A section of a record (a teacher's or a studio's) under its heading: `children`, or
/// `empty_msg` when there is nothing.
#[component]
pub(crate) fn RecordSection<M>(
    id: &'static str,
    heading: M,
    empty_msg: M,
    is_empty: bool,
    children: Children,
) -> impl IntoView
where
    M: Into<Msg> + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let heading_id = format!("record-{id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{move || i18n.t(heading.into())}</h2>
            {if is_empty {
                view! { <p>{move || i18n.t(empty_msg.into())}</p> }.into_any()
            } else {
                view! { <ScrollTable label=heading.into()>{children()}</ScrollTable> }.into_any()
            }}
        </section>
    }
}

/// A table's header row.
#[component]
pub(crate) fn ColumnHeads<M>(columns: &'static [M]) -> impl IntoView
where
    M: Into<Msg> + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <thead><tr>
            {columns.iter().map(|column| {
                let column = *column;
                view! { <th scope="col">{move || i18n.t(column.into())}</th> }
            }).collect_view()}
        </tr></thead>
    }
}

#[component]
fn TaughtSection(taught: Vec<super::TaughtLesson>) -> impl IntoView {
    let locale = use_i18n().locale.get_untracked();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let is_empty = taught.is_empty();
    view! {
        <RecordSection id="taught" heading=RecordMsg::Taught empty_msg=RecordMsg::NoTaught is_empty>
            <table>
                <ColumnHeads columns=&[RecordMsg::Lesson, RecordMsg::Date, RecordMsg::Studio, RecordMsg::Observers, RecordMsg::Schools]/>
                <tbody>
                    {taught.into_iter().map(|l| view! {
                        <tr>
                            <th scope="row"><a href=format!("/lessons/{}", l.id)>{l.title}</a></th>
                            <td>{format_date_time(l.starts_at, &tz, locale)}</td>
                            <td>{l.studio}</td>
                            <td>{l.observers}</td>
                            <td>{l.schools}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </RecordSection>
    }
}

#[component]
fn ObservedSection(observed: Vec<super::ObservedLesson>) -> impl IntoView {
    let locale = use_i18n().locale.get_untracked();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let is_empty = observed.is_empty();
    view! {
        <RecordSection id="observed" heading=RecordMsg::Observed empty_msg=RecordMsg::NoObserved is_empty>
            <ul>
                {observed.into_iter().map(|l| {
                    let when = format_date_time(l.starts_at, &tz, locale);
                    view! { <li><a href=format!("/lessons/{}", l.id)>{l.title}</a> " · " {l.studio} " · " {when}</li> }
                }).collect_view()}
            </ul>
        </RecordSection>
    }
}

#[component]
fn StudiesSection(studies: Vec<super::StudyPart>) -> impl IntoView {
    let i18n = use_i18n();
    let is_empty = studies.is_empty();
    view! {
        <RecordSection id="studies" heading=RecordMsg::Studies empty_msg=RecordMsg::NoStudies is_empty>
            <table>
                <ColumnHeads columns=&[RecordMsg::Study, RecordMsg::Studio, RecordMsg::Role, RecordMsg::Phase]/>
                <tbody>
                    {studies.into_iter().map(|s| {
                        let (role, phase) = (s.role.label(), s.phase.label());
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/studies/{}", s.id)>{s.title}</a></th>
                                <td>{s.studio}</td>
                                <td>{move || i18n.t(role)}</td>
                                <td>{move || i18n.t(phase)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </RecordSection>
    }
}

/// One growth plan, read-only: goals, milestones with their evidence, and the feedback.
#[component]
fn PlanRecordView(plan: PlanRecord) -> impl IntoView {
    let i18n = use_i18n();
    let studio = plan.studio.clone();
    view! {
        <h3>{move || i18n.fill(t(RecordMsg::PlanIn), &[("studio", &studio)])}</h3>
        {plan.goals.into_iter().map(|goal| {
            let status = goal.status.label();
            let due = goal.due_on;
            view! {
                <article class="goal">
                    <h4>{goal.title} " · " {move || i18n.t(status)} " · " {move || i18n.fill(t(RecordMsg::Due), &[("date", &due)])}</h4>
                    {(!goal.description.is_empty()).then(|| view! { <p>{goal.description.clone()}</p> })}
                    <ul>
                        {goal.milestones.into_iter().map(|m| {
                            let state = if m.done { RecordMsg::Done } else { RecordMsg::NotDone };
                            view! {
                                <li>
                                    {m.title} " · " {move || i18n.t(t(state))}
                                    {(!m.evidence.is_empty()).then(|| view! { <p class="evidence">{m.evidence.clone()}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(!goal.comments.is_empty()).then(|| view! {
                        <h5>{move || i18n.t(t(RecordMsg::Feedback))}</h5>
                        <ul>
                            {goal.comments.into_iter().map(|c| view! { <li><strong>{c.author_name}</strong> ": " {c.body}</li> }).collect_view()}
                        </ul>
                    })}
                </article>
            }
        }).collect_view()}
    }
}
