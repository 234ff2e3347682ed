//! Lesson-study pages: the list, the study page (phase, group, rounds, assignments, live notes,
//! merged timeline, debrief, conclusions), the plan with its versions, and a comparison of two
//! versions. Writing a note works as a plain HTML form; with JavaScript a note is queued in the
//! browser first and sent when the connection allows.

use super::api::*;
use super::live::PendingNote;
use super::rules::DiffRow;
use super::{
    Comparison, Dimension, MyStudies, Note, Phase, PlanPage, SaveOutcome, SectionKind, StudyMsg, StudyPage, Tag,
};
use crate::accounts::Viewer;
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, ActionError, Field, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

fn t(m: StudyMsg) -> Msg {
    Msg::Study(m)
}

/// "第 3 版" / "Version 3": a number inside its words, in the viewer's language.
/// Milliseconds since the epoch, on either side.
fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        window().performance().map(|p| (p.time_origin() + p.now()) as i64).unwrap_or(0)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now().timestamp_millis()
    }
}

fn study_id_param() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()))
}

#[component]
fn ErrorView(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::PageNotFound)}</h1>
        <p class="error">{err.message(i18n.locale.get_untracked())}</p>
    }
}

// ---------------------------------------------------------------------------------------------
// The list of studies and the creation form

#[component]
pub fn StudiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStudy>::new();
    let data = Resource::new(|| (), |_| load_my_studies());
    view! {
        <h1>{move || i18n.t(t(StudyMsg::StudiesTitle))}</h1>
        <p class="muted">{move || i18n.t(t(StudyMsg::StudiesIntro))}</p>
        <Transition fallback=move || view! { <p>{move || i18n.t(Msg::Working)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error">{err.message(i18n.locale.get_untracked())}</p> }.into_any(),
                    Ok(mine) => view! { <StudyList mine=mine.clone()/> <CreateStudyForm mine create/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StudyList(mine: MyStudies) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="my-studies-heading">
            <h2 id="my-studies-heading">{move || i18n.t(t(StudyMsg::MyStudies))}</h2>
            {if mine.studies.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoStudies))}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list study-list">
                        {mine.studies.into_iter().map(|s| {
                            let phase = s.phase;
                            view! {
                                <li>
                                    <A href=format!("/studies/{}", s.id)>{s.title}</A>
                                    <span class="muted">" · " {s.studio_name} " · " {s.lead_name} " · "</span>
                                    <span class="phase-badge">{move || i18n.t(phase.label())}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CreateStudyForm(mine: MyStudies, create: ServerAction<CreateStudy>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(create.value());
    if mine.can_create_in.is_empty() {
        return view! { <p class="muted">{move || i18n.t(t(StudyMsg::OnlyLeadsCreate))}</p> }.into_any();
    }
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/studies/{id}"), Default::default());
        }
    });
    view! {
        <section aria-labelledby="new-study-heading">
            <h2 id="new-study-heading">{move || i18n.t(t(StudyMsg::NewStudy))}</h2>
            <ActionForm action=create>
                <div class="field">
                    <label for="field-studio">{move || i18n.t(t(StudyMsg::Studio))}</label>
                    <select id="field-studio" name="studio">
                        {mine.can_create_in.into_iter().map(|(slug, name)| view! { <option value=slug>{name}</option> }).collect_view()}
                    </select>
                </div>
                <Field name="title" label=t(StudyMsg::Title) error required=true/>
                <TextArea name="theme" label=t(StudyMsg::Theme) error rows=3/>
                <Field name="subject" label=Msg::Subject error/>
                <Field name="grade" label=t(StudyMsg::Grade) error/>
                <Field name="lead" label=t(StudyMsg::LeadEmail) error kind="email" hint=t(StudyMsg::LeadEmailHint)/>
                <FormStatus error/>
                <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::CreateStudy))}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// The study page

#[derive(Clone, Copy)]
struct StudyActions {
    move_phase: ServerAction<MovePhase>,
    add_member: ServerAction<AddMember>,
    update_round: ServerAction<UpdateRound>,
    add_round: ServerAction<AddRound>,
    start_clock: ServerAction<StartClock>,
    assign: ServerAction<Assign>,
    lock: ServerAction<LockNotes>,
    comment: ServerAction<AddComment>,
    conclusions: ServerAction<SaveConclusions>,
    edit_note: ServerAction<EditNote>,
    successes: RwSignal<usize>,
}

impl StudyActions {
    fn new() -> StudyActions {
        let actions = StudyActions {
            move_phase: ServerAction::new(),
            add_member: ServerAction::new(),
            update_round: ServerAction::new(),
            add_round: ServerAction::new(),
            start_clock: ServerAction::new(),
            assign: ServerAction::new(),
            lock: ServerAction::new(),
            comment: ServerAction::new(),
            conclusions: ServerAction::new(),
            edit_note: ServerAction::new(),
            successes: RwSignal::new(0),
        };
        // Count every success (not failures: a refused form keeps what was typed in it).
        macro_rules! count_successes {
            ($($action:ident),*) => {$(
                Effect::new(move |_| {
                    if actions.$action.value().with(|v| matches!(v, Some(Ok(_)))) {
                        actions.successes.update(|n| *n += 1);
                    }
                });
            )*};
        }
        count_successes!(
            move_phase,
            add_member,
            update_round,
            add_round,
            start_clock,
            assign,
            lock,
            comment,
            conclusions,
            edit_note
        );
        actions
    }

    /// Changes whenever one of the actions succeeded, so that the page reloads its data.
    fn version(self) -> usize {
        self.successes.get()
    }
}

#[component]
pub fn StudyPageView() -> impl IntoView {
    let i18n = use_i18n();
    let id = study_id_param();
    let actions = StudyActions::new();
    provide_context(actions);
    let page = Resource::new(
        move || (id(), actions.version()),
        |(id, _)| async move {
            match id {
                Some(id) => load_study(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p>{move || i18n.t(Msg::Working)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <StudyView page/> }.into_any(),
                    Err(err) => view! { <ErrorView err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StudyView(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let phase = page.phase;
    let notes = RwSignal::new(page.notes.clone());
    let id = page.id;
    let studio_href = format!("/studios/{}", page.studio_slug);
    let studio_name = page.studio_name.clone();
    let my_role = page.my_role;
    view! {
        <article class="study">
            <header class="study-head">
                <p class="muted"><A href=studio_href>{studio_name}</A></p>
                <h1>{page.title.clone()}</h1>
                {(!page.theme.is_empty()).then(|| view! { <p class="theme"><strong>{move || i18n.t(t(StudyMsg::Theme))} ": "</strong>{page.theme.clone()}</p> })}
                <p class="muted">
                    {page.subject.clone()} " · " {page.grade.clone()} " · " {move || i18n.t(t(StudyMsg::Lead))} ": " {page.lead_name.clone()}
                    " · " {move || i18n.t(t(StudyMsg::YourRole))} " " {move || i18n.t(my_role.label())}
                </p>
                <PhaseStepper phase/>
                <p class="phase-now" data-testid="phase">
                    <strong>{move || i18n.t(t(StudyMsg::CurrentPhase))} " " {move || i18n.t(phase.label())}</strong>
                    " — " {move || i18n.t(phase.next_step())}
                </p>
                {page.can.move_phase.then(|| view! { <PhaseButtons id phase action=actions.move_phase/> })}
                <p class="no-print"><button type="button" class="link-button" on:click=move |_| { let _ = window().print(); }>{move || i18n.t(t(StudyMsg::Print))}</button></p>
            </header>
            <PlanSummary page=page.clone()/>
            <GroupSection page=page.clone()/>
            <RoundsSection page=page.clone()/>
            <AssignmentsSection page=page.clone()/>
            <NotesSection page=page.clone() notes/>
            <DebriefSection page=page.clone() notes/>
            <ConclusionsSection page=page.clone()/>
            {(page.my_hours > 0.0).then(|| {
                let hours = format!("{:.1}", page.my_hours);
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::HoursCredited))} " " {hours}</p> }
            })}
        </article>
    }
}

#[component]
fn PhaseStepper(phase: Phase) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="phases" aria-label=move || i18n.t(t(StudyMsg::PhasesLabel))>
            {Phase::ALL.into_iter().map(|p| view! {
                <li class:current=p == phase aria-current=(p == phase).then_some("step")>{move || i18n.t(p.label())}</li>
            }).collect_view()}
        </ol>
    }
}

#[component]
fn PhaseButtons(id: Uuid, phase: Phase, action: ServerAction<MovePhase>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(action.value());
    let next = super::rules::move_phase(phase, super::rules::Direction::Forward).ok();
    let prev = super::rules::move_phase(phase, super::rules::Direction::Back).ok();
    view! {
        <div class="phase-buttons no-print">
            {next.map(|n| view! {
                <ActionForm action attr:class="inline">
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="direction" value="forward"/>
                    <button type="submit" class="primary">{move || format!("{}{}", i18n.t(t(StudyMsg::MoveTo)), i18n.t(n.label()))}</button>
                </ActionForm>
            })}
            {prev.map(|p| view! {
                <ActionForm action attr:class="inline">
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="direction" value="back"/>
                    <button type="submit">{move || format!("{}{}", i18n.t(t(StudyMsg::BackTo)), i18n.t(p.label()))}</button>
                </ActionForm>
            })}
            <FormStatus error/>
        </div>
    }
}

#[component]
fn PlanSummary(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    view! {
        <section aria-labelledby="plan-heading" class="plan-summary">
            <h2 id="plan-heading">{move || i18n.t(t(StudyMsg::PlanHeading))}</h2>
            {match page.plan {
                None => view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoPlanYet))}</p> }.into_any(),
                Some(plan) => {
                    let at = plan.created_at;
                    let tz = tz.clone();
                    view! {
                        <p class="muted">
                            {move || i18n.fill(t(StudyMsg::VersionN), &[("n", &plan.number)])} " · " {plan.author_name.clone()} " · "
                            {move || format_date_time(at, &tz, i18n.locale.get())}
                        </p>
                        {plan.sections.into_iter().filter(|s| !s.body.is_empty()).map(|s| view! {
                            <h3>{move || i18n.t(s.kind.label())}</h3>
                            <div class="md" inner_html=s.html></div>
                        }).collect_view()}
                    }.into_any()
                }
            }}
            {(page.plan_versions.len() > 1).then(|| {
                let tz = tz.clone();
                view! {
                    <h3>{move || i18n.t(t(StudyMsg::VersionsHeading))}</h3>
                    <ul class="plain-list">
                        {page.plan_versions.iter().cloned().map(|v| {
                            let tz = tz.clone();
                            let at = v.created_at;
                            view! { <li>{move || i18n.fill(t(StudyMsg::VersionN), &[("n", &v.number)])} " · " {v.author_name} " · " {move || format_date_time(at, &tz, i18n.locale.get())}</li> }
                        }).collect_view()}
                    </ul>
                }
            })}
            <p class="no-print"><A href=format!("/studies/{}/plan", page.id)>{move || i18n.t(t(StudyMsg::OpenPlan))}</A></p>
        </section>
    }
}

#[component]
fn GroupSection(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.add_member.value());
    view! {
        <section aria-labelledby="group-heading">
            <h2 id="group-heading">{move || i18n.t(t(StudyMsg::GroupHeading))}</h2>
            <ul class="plain-list">
                {page.members.iter().cloned().map(|m| view! {
                    <li>{m.name} {(!m.school.is_empty()).then(|| format!("（{}）", m.school))} " · " {move || i18n.t(m.role.label())}</li>
                }).collect_view()}
            </ul>
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.add_member attr:class="no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <Field name="email" label=t(StudyMsg::AddMemberEmail) error kind="email" hint=t(StudyMsg::AddMemberHint)/>
                    <FormStatus error/>
                    <button type="submit">{move || i18n.t(t(StudyMsg::AddMember))}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn RoundsSection(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let update_error = action_error(actions.update_round.value());
    let add_error = action_error(actions.add_round.value());
    let id = page.id.to_string();
    let current_minutes = page.rounds.last().map(|r| r.lesson_minutes).unwrap_or(45);
    let lesson_select = move |name_suffix: &'static str, lessons: Vec<(Uuid, String)>| {
        let field = format!("field-lesson{name_suffix}");
        view! {
            <div class="field">
                <label for=field.clone()>{move || i18n.t(t(StudyMsg::LinkedLesson))}</label>
                <select id=field name="lesson">
                    <option value="">{move || i18n.t(t(StudyMsg::NoLinkedLesson))}</option>
                    {lessons.into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <section aria-labelledby="rounds-heading">
            <h2 id="rounds-heading">{move || i18n.t(t(StudyMsg::RoundsHeading))}</h2>
            <ol class="plain-list">
                {page.rounds.iter().cloned().map(|r| view! {
                    <li>
                        {move || i18n.fill(t(StudyMsg::RoundN), &[("n", &r.number)])} " · " {r.lesson_minutes} " " {move || i18n.t(t(StudyMsg::Minutes))}
                        {r.lesson_title.map(|title| format!(" · {title}"))}
                        {r.clock_started_at.is_some().then(|| view! { " · " {move || i18n.t(t(StudyMsg::ClockStarted))} })}
                    </li>
                }).collect_view()}
            </ol>
            {page.can.lead.then(move || {
                let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
                let lessons_new = page.lessons.clone();
                let revise = (page.phase == Phase::Revise).then(move || view! {
                    <ActionForm action=actions.add_round>
                        <input type="hidden" name="study" value=id3/>
                        {lesson_select("-new", lessons_new)}
                        <Field name="minutes" label=t(StudyMsg::LessonMinutes) error=add_error kind="number" value="45"/>
                        <FormStatus error=add_error/>
                        <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::AddRound))}</button>
                    </ActionForm>
                });
                view! {
                    <div class="no-print lead-tools">
                        <ActionForm action=actions.start_clock attr:class="inline">
                            <input type="hidden" name="study" value=id1/>
                            <button type="submit">{move || i18n.t(t(StudyMsg::StartClock))}</button>
                        </ActionForm>
                        <details>
                            <summary>{move || i18n.t(t(StudyMsg::EditRound))}</summary>
                            <ActionForm action=actions.update_round>
                                <input type="hidden" name="study" value=id2/>
                                {lesson_select("", page.lessons.clone())}
                                <Field name="minutes" label=t(StudyMsg::LessonMinutes) error=update_error kind="number" value=current_minutes.to_string()/>
                                <FormStatus error=update_error/>
                                <button type="submit">{move || i18n.t(Msg::Save)}</button>
                            </ActionForm>
                        </details>
                        {revise}
                    </div>
                }
            })}
        </section>
    }
}

#[component]
fn AssignmentsSection(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.assign.value());
    view! {
        <section aria-labelledby="assign-heading">
            <h2 id="assign-heading">{move || i18n.t(t(StudyMsg::AssignHeading))}</h2>
            {if page.assignments.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoAssignments))}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {page.assignments.iter().cloned().map(|a| view! {
                            <li>
                                <strong>{a.observer_name}</strong> ": "
                                {a.dimension.map(|d| view! { {move || i18n.t(d.label())} })}
                                {(!a.point.is_empty()).then(|| format!(" — {}", a.point))}
                                {(!a.focus_seats.is_empty()).then(|| view! {
                                    {a.dimension.is_some().then_some(" · ")}
                                    {move || i18n.t(t(StudyMsg::FocusSeats))} " " {a.focus_seats.clone()}
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.assign attr:class="no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <div class="field">
                        <label for="field-observer">{move || i18n.t(t(StudyMsg::Observer))}</label>
                        <select id="field-observer" name="observer">
                            {page.members.iter().cloned().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="field-dimension-assign">{move || i18n.t(t(StudyMsg::Dimension))}</label>
                        <select id="field-dimension-assign" name="dimension">
                            {Dimension::ALL.into_iter().map(|d| view! { <option value=d.code()>{move || i18n.t(d.label())}</option> }).collect_view()}
                            <option value="">{move || i18n.t(t(StudyMsg::FocusStudentsOnly))}</option>
                        </select>
                    </div>
                    <Field name="point" label=t(StudyMsg::ObservationPoint) error/>
                    <Field name="seats" label=t(StudyMsg::FocusSeats) error hint=t(StudyMsg::FocusSeatsHint)/>
                    <FormStatus error/>
                    <button type="submit">{move || i18n.t(t(StudyMsg::Assign))}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Adds or replaces notes on the timeline, kept in timeline order.
fn merge_notes(notes: RwSignal<Vec<Note>>, incoming: Vec<Note>) {
    notes.update(|list| {
        for note in incoming {
            match list.iter_mut().find(|n| n.id == note.id) {
                Some(existing) => *existing = note,
                None => list.push(note),
            }
        }
        list.sort_by_key(|n| (n.round_number, n.minute, n.created_at));
    });
}

#[component]
fn NotesSection(page: StudyPage, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let i18n = use_i18n();
    let study = page.id;
    let me = page.me;
    let round = page.rounds.last().cloned();
    let lesson_minutes = round.as_ref().map(|r| r.lesson_minutes).unwrap_or(45);
    let started_ms = round.as_ref().and_then(|r| r.clock_started_at).map(|at| at.timestamp_millis());
    let my_dimension = page
        .assignments
        .iter()
        .find(|a| a.observer_id == me)
        .and_then(|a| a.dimension)
        .unwrap_or(Dimension::StudentLearning);
    let clock_minute = move || started_ms.map(|s| super::rules::clock_minute((now_ms() - s) / 1000, lesson_minutes));
    let tick = RwSignal::new(0u64);
    let elapsed_text = move || {
        tick.track();
        started_ms.map(|s| {
            let secs = ((now_ms() - s) / 1000).max(0);
            format!("{:02}:{:02}", secs / 60, secs % 60)
        })
    };
    let initial_minute = clock_minute().unwrap_or(0).to_string();
    let minute = RwSignal::new(initial_minute.clone());
    let minute_edited = RwSignal::new(false);
    let dimension = RwSignal::new(my_dimension.code().to_owned());
    let tag = RwSignal::new(Tag::Evidence.code().to_owned());
    let body = RwSignal::new(String::new());
    let pending = RwSignal::new(Vec::<PendingNote>::new());
    let online = RwSignal::new(true);
    let send_error = RwSignal::new(None::<AppError>);
    let live = RwSignal::new(false);
    let flushing = StoredValue::new(false);

    // Sends every queued note, oldest first; stops at the first failure worth retrying (the
    // network, a server fault, an expired session) and keeps the rest for later. The server
    // stores each id once, so a note sent twice is stored once.
    let flush = move || {
        if flushing.get_value() {
            return;
        }
        flushing.set_value(true);
        leptos::task::spawn_local(async move {
            while let Some(next) = pending.with_untracked(|p| p.first().cloned()) {
                let result = add_note(
                    study,
                    next.id,
                    next.minute.clone(),
                    next.dimension.clone(),
                    next.tag.clone(),
                    next.body.clone(),
                )
                .await;
                match result {
                    Err(AppError::Request(_)) => {
                        online.set(false);
                        break;
                    }
                    Err(err @ (AppError::Internal(_) | AppError::SignInRequired)) => {
                        online.set(true);
                        send_error.set(Some(err));
                        break;
                    }
                    other => {
                        online.set(true);
                        pending.update(|p| p.retain(|n| n.id != next.id));
                        #[cfg(feature = "hydrate")]
                        super::live::client::save(study, me, &pending.get_untracked());
                        match other {
                            Ok(note) => {
                                send_error.set(None);
                                merge_notes(notes, vec![note]);
                            }
                            Err(err) => {
                                // Refused by the server: give the text back to fix it, after
                                // whatever is being typed (several may come back at once).
                                body.update(|b| {
                                    if !b.trim().is_empty() {
                                        b.push_str("\n\n");
                                    }
                                    b.push_str(&next.body);
                                });
                                send_error.set(Some(err));
                            }
                        }
                    }
                }
            }
            flushing.set_value(false);
        });
    };

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use leptos::__reexports::send_wrapper::SendWrapper;
        pending.set(super::live::client::load(study, me));
        flush();
        super::live::client::on_online(flush);
        let source = super::live::client::subscribe(
            study,
            move |note| merge_notes(notes, vec![note]),
            move || {
                live.set(true);
                flush();
                leptos::task::spawn_local(async move {
                    if let Ok(all) = load_notes(study).await {
                        merge_notes(notes, all);
                    }
                });
            },
        );
        let interval = set_interval_with_handle(
            move || {
                tick.update(|t| *t += 1);
                if !minute_edited.get_untracked() {
                    if let Some(m) = clock_minute() {
                        minute.set(m.to_string());
                    }
                }
                if !pending.with_untracked(|p| p.is_empty()) {
                    flush();
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        let guard = SendWrapper::new((source, interval));
        on_cleanup(move || {
            let (source, interval) = guard.take();
            if let Some(source) = source {
                source.close();
            }
            if let Some(interval) = interval {
                interval.clear();
            }
        });
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        if text.trim().is_empty() {
            send_error.set(Some(AppError::field("body", Msg::ErrRequired)));
            return;
        }
        let note = PendingNote {
            id: Uuid::new_v4(),
            minute: minute.get_untracked(),
            dimension: dimension.get_untracked(),
            tag: tag.get_untracked(),
            body: text,
        };
        pending.update(|p| p.push(note));
        #[cfg(feature = "hydrate")]
        super::live::client::save(study, me, &pending.get_untracked());
        body.set(String::new());
        minute_edited.set(false);
        send_error.set(None);
        flush();
    };
    let error: ActionError = Signal::derive(move || send_error.get());

    view! {
        <section aria-labelledby="notes-heading" class="notes">
            <h2 id="notes-heading">{move || i18n.t(t(StudyMsg::NotesHeading))}</h2>
            {page.notes_locked.then(|| view! { <p class="notice">{move || i18n.t(t(StudyMsg::NotesLockedNotice))}</p> })}
            <p class="clock" role="timer" aria-live="off">
                {move || i18n.t(t(StudyMsg::LessonClock))} " "
                {move || elapsed_text().unwrap_or_else(|| i18n.t(t(StudyMsg::ClockNotStarted)).to_owned())}
            </p>
            <p class="live-status muted" data-live=move || live.get().then_some("true")>
                {move || if live.get() { i18n.t(t(StudyMsg::LiveOn)) } else { "" }}
            </p>
            {page.can.write_note.then(|| view! {
                <form method="post" action="/api/study/add-note" class="note-form no-print" on:submit=on_submit>
                    <input type="hidden" name="study" value=study.to_string()/>
                    <input type="hidden" name="id" value=page.new_note_id.to_string()/>
                    <div class="field">
                        <label for="field-minute">{move || i18n.t(t(StudyMsg::Minute))}</label>
                        <input id="field-minute" name="minute" type="number" min="0" max=lesson_minutes inputmode="numeric"
                            value=initial_minute.clone()
                            prop:value=move || minute.get()
                            on:input=move |ev| { minute_edited.set(true); minute.set(event_target_value(&ev)); }/>
                        <p class="field-error">{move || error.get().and_then(|e| e.field_msg("minute")).map(|m| i18n.t(m))}</p>
                    </div>
                    <fieldset class="tags">
                        <legend>{move || i18n.t(t(StudyMsg::TagLabel))}</legend>
                        {Tag::ALL.into_iter().map(|tg| view! {
                            <label class="tag-choice">
                                <input type="radio" name="tag" value=tg.code()
                                    checked=tg == Tag::Evidence
                                    prop:checked=move || tag.get() == tg.code()
                                    on:change=move |_| tag.set(tg.code().to_owned())/>
                                {move || i18n.t(tg.label())}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="tags">
                        <legend>{move || i18n.t(t(StudyMsg::Dimension))}</legend>
                        {Dimension::ALL.into_iter().map(|d| view! {
                            <label class="tag-choice">
                                <input type="radio" name="dimension" value=d.code()
                                    checked=d == my_dimension
                                    prop:checked=move || dimension.get() == d.code()
                                    on:change=move |_| dimension.set(d.code().to_owned())/>
                                {move || i18n.t(d.label())}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="field-body">{move || i18n.t(t(StudyMsg::NoteBody))}</label>
                        <textarea id="field-body" name="body" rows="3" maxlength="4000"
                            prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        <p class="field-error">{move || error.get().and_then(|e| e.field_msg("body")).map(|m| i18n.t(m))}</p>
                    </div>
                    <FormStatus error/>
                    <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::SaveNote))}</button>
                    <p class="muted" role="status">
                        {move || {
                            let n = pending.with(|p| p.len());
                            (n > 0).then(|| format!("{} {n}{}", i18n.t(t(StudyMsg::PendingNotes)), if online.get() { "" } else { i18n.t(t(StudyMsg::Offline)) }))
                        }}
                    </p>
                    <ul class="pending plain-list">
                        {move || pending.get().into_iter().map(|p| view! { <li class="pending-note">{p.minute} "′ " {p.body}</li> }).collect_view()}
                    </ul>
                </form>
            })}
            <Timeline page=page.clone() notes/>
        </section>
    }
}

#[component]
fn Timeline(page: StudyPage, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let dim_filter = RwSignal::new(String::new());
    let observer_filter = RwSignal::new(String::new());
    let tag_filter = RwSignal::new(String::new());
    let me = page.me;
    let locked = page.notes_locked;
    let study = page.id;
    let multi_round = page.rounds.len() > 1;
    let visible = move || {
        notes
            .get()
            .into_iter()
            .filter(|n| {
                let d = dim_filter.get();
                let o = observer_filter.get();
                let tg = tag_filter.get();
                (d.is_empty() || n.dimension.code() == d)
                    && (o.is_empty() || n.author_id.to_string() == o)
                    && (tg.is_empty() || n.tag.code() == tg)
            })
            .collect::<Vec<_>>()
    };
    let edit_error = action_error(actions.edit_note.value());
    view! {
        <div id="timeline" class="timeline-wrap">
            <h3>{move || i18n.t(t(StudyMsg::TimelineHeading))}</h3>
            <ul class="counts plain-list" aria-label=move || i18n.t(t(StudyMsg::CountsLabel))>
                {Dimension::ALL.into_iter().map(|d| view! {
                    <li data-dimension=d.code()>{move || i18n.t(d.label())} ": " <strong>{move || notes.with(|ns| ns.iter().filter(|n| n.dimension == d).count())}</strong></li>
                }).collect_view()}
            </ul>
            <div class="filters no-print">
                <div class="field">
                    <label for="filter-dimension">{move || i18n.t(t(StudyMsg::FilterDimension))}</label>
                    <select id="filter-dimension" on:change=move |ev| dim_filter.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {Dimension::ALL.into_iter().map(|d| view! { <option value=d.code()>{move || i18n.t(d.label())}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-observer">{move || i18n.t(t(StudyMsg::FilterObserver))}</label>
                    <select id="filter-observer" on:change=move |ev| observer_filter.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {page.members.iter().cloned().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-tag">{move || i18n.t(t(StudyMsg::FilterTag))}</label>
                    <select id="filter-tag" on:change=move |ev| tag_filter.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {Tag::ALL.into_iter().map(|tg| view! { <option value=tg.code()>{move || i18n.t(tg.label())}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <ol class="timeline" aria-label=move || i18n.t(t(StudyMsg::TimelineHeading))>
                {move || {
                    let list = visible();
                    if list.is_empty() {
                        return view! { <li class="muted">{move || i18n.t(t(StudyMsg::NoNotes))}</li> }.into_any();
                    }
                    list.into_iter().map(|n| {
                        let dim = n.dimension;
                        let tg = n.tag;
                        let own = n.author_id == me && !locked;
                        let body = n.body.clone();
                        view! {
                            <li id=format!("note-{}", n.id) class="note" data-dimension=dim.code()>
                                <p class="note-meta">
                                    {multi_round.then(|| view! { {move || i18n.fill(t(StudyMsg::RoundN), &[("n", &n.round_number)])} " · " })}
                                    <span class="minute">{move || i18n.fill(t(StudyMsg::MinuteN), &[("n", &n.minute)])}</span>
                                    " · " <span class="dim">{move || i18n.t(dim.label())}</span>
                                    " · " <span class="tag">{move || i18n.t(tg.label())}</span>
                                    " · " <span class="author">{n.author_name.clone()}</span>
                                </p>
                                <div class="md" inner_html=n.body_html.clone()></div>
                                {own.then(|| view! {
                                    <details class="no-print">
                                        <summary>{move || i18n.t(t(StudyMsg::EditNote))}</summary>
                                        <ActionForm action=actions.edit_note>
                                            <input type="hidden" name="study" value=study.to_string()/>
                                            <input type="hidden" name="note" value=n.id.to_string()/>
                                            <label>
                                                {move || i18n.t(t(StudyMsg::EditNoteLabel))}
                                                <textarea name="body" rows="3">{crate::kit::forms::textarea_text(body)}</textarea>
                                            </label>
                                            <FormStatus error=edit_error/>
                                            <button type="submit">{move || i18n.t(Msg::Save)}</button>
                                        </ActionForm>
                                    </details>
                                })}
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ol>
        </div>
    }
}

#[component]
fn DebriefSection(page: StudyPage, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.comment.value());
    let lock_error = action_error(actions.lock.value());
    let cites = RwSignal::new(Vec::<Uuid>::new());
    let cites_text = move || cites.with(|c| c.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","));
    let excerpt = |n: &Note| {
        let s: String = n.body.chars().take(60).collect();
        if n.body.chars().count() > 60 {
            format!("{s}…")
        } else {
            s
        }
    };
    let all_notes = page.notes.clone();
    view! {
        <section aria-labelledby="debrief-heading" id="debrief">
            <h2 id="debrief-heading">{move || i18n.t(t(StudyMsg::DebriefHeading))}</h2>
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.lock attr:class="inline no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <input type="hidden" name="locked" value=(!page.notes_locked).to_string()/>
                    <button type="submit">{move || i18n.t(t(if page.notes_locked { StudyMsg::UnlockNotes } else { StudyMsg::LockNotes }))}</button>
                    <FormStatus error=lock_error/>
                </ActionForm>
            })}
            {if page.comments.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoComments))}</p> }.into_any()
            } else {
                view! {
                    <ul class="comments plain-list">
                        {page.comments.iter().cloned().map(|c| {
                            let cited: Vec<Note> = c.cites.iter().filter_map(|id| all_notes.iter().find(|n| n.id == *id).cloned()).collect();
                            view! {
                                <li class="comment" class:opinion=c.cites.is_empty()>
                                    <p class="note-meta"><strong>{c.author_name}</strong></p>
                                    {c.cites.is_empty().then(|| view! { <p class="opinion-badge">{move || i18n.t(t(StudyMsg::OpinionBadge))}</p> })}
                                    <div class="md" inner_html=c.body_html></div>
                                    {(!cited.is_empty()).then(|| view! {
                                        <div class="evidence">
                                            <p class="muted">{move || i18n.t(t(StudyMsg::Evidence))}</p>
                                            {cited.into_iter().map(|n| {
                                                let dim = n.dimension;
                                                view! {
                                                    <blockquote class="cited-note">
                                                        <a href=format!("#note-{}", n.id)>{move || i18n.fill(t(StudyMsg::MinuteN), &[("n", &n.minute)])} " · " {move || i18n.t(dim.label())} " · " {n.author_name.clone()}</a>
                                                        <div class="md" inner_html=n.body_html.clone()></div>
                                                    </blockquote>
                                                }
                                            }).collect_view()}
                                        </div>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {page.can.comment.then(|| view! {
                <ActionForm action=actions.comment attr:class="no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <input type="hidden" name="cites" value="" prop:value=cites_text/>
                    <TextArea name="body" label=t(StudyMsg::CommentBody) error id_suffix="-comment"/>
                    <fieldset class="cite-list">
                        <legend>{move || i18n.t(t(StudyMsg::CiteNotes))}</legend>
                        {move || notes.get().into_iter().map(|n| {
                            let id = n.id;
                            let label = format!("{}′ · {} · {}", n.minute, n.author_name, excerpt(&n));
                            view! {
                                <label class="cite-choice">
                                    <input type="checkbox"
                                        prop:checked=move || cites.with(|c| c.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            cites.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } });
                                        }/>
                                    {move || i18n.t(t(StudyMsg::Cite))} " " {label.clone()}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <p class="field-error">{move || error.get().and_then(|e| e.field_msg("cites")).map(|m| i18n.t(m))}</p>
                    <FormStatus error/>
                    <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::PostComment))}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ConclusionsSection(page: StudyPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.conclusions.value());
    view! {
        <section aria-labelledby="conclusions-heading">
            <h2 id="conclusions-heading">{move || i18n.t(t(StudyMsg::ConclusionsHeading))}</h2>
            {if page.conclusions.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoConclusions))}</p> }.into_any()
            } else {
                view! { <div class="md conclusions" inner_html=page.conclusions_html.clone()></div> }.into_any()
            }}
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.conclusions attr:class="no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <TextArea name="conclusions" label=t(StudyMsg::ConclusionsLabel) error value=page.conclusions.clone()/>
                    <FormStatus error/>
                    <button type="submit">{move || i18n.t(t(StudyMsg::SaveConclusions))}</button>
                </ActionForm>
            })}
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The plan: editing, versions, comments

#[component]
pub fn PlanPageView() -> impl IntoView {
    let i18n = use_i18n();
    let id = study_id_param();
    let save = ServerAction::<SavePlan>::new();
    let comment = ServerAction::<AddPlanComment>::new();
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(SaveOutcome::Saved(_)))));
    let refresh = Memo::new(move |prev: Option<&usize>| {
        let n = usize::from(saved()) + comment.version().get();
        prev.map(|p| p + n).unwrap_or(n)
    });
    let page = Resource::new(
        move || (id(), save.version().get(), refresh.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => load_plan(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p>{move || i18n.t(Msg::Working)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <PlanView page save comment/> }.into_any(),
                    Err(err) => view! { <ErrorView err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanView(page: PlanPage, save: ServerAction<SavePlan>, comment: ServerAction<AddPlanComment>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let error = action_error(save.value());
    let comment_error = action_error(comment.value());
    let latest_no = page.latest.as_ref().map(|v| v.number).unwrap_or(0);
    let bodies: Vec<(SectionKind, String)> = SectionKind::ALL
        .into_iter()
        .map(|kind| {
            (
                kind,
                page.latest
                    .as_ref()
                    .and_then(|v| v.sections.iter().find(|s| s.kind == kind))
                    .map(|s| s.body.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    // After a conflict the form goes on from the merge: the writer's own text where the two
    // clash (the other text is shown beside it), the other person's where only they changed a
    // section. Left as typed, an untouched section would still hold the old text and, saved on
    // top of the latest version, silently undo the other person's change.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::JsCast;
        if let Some(Ok(SaveOutcome::Conflict { form, .. })) = save.value().get() {
            for (kind, text) in form {
                let area = document()
                    .get_element_by_id(&format!("field-{}", kind.code()))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
                if let Some(area) = area {
                    area.set_value(&text);
                }
            }
        }
    });
    let outcome = move || save.value().get().and_then(|r| r.ok());
    // What the next save builds on: the version just saved (it holds the text in the form), or
    // after a conflict the latest one (the writer has now seen both texts).
    let based_on = move || match outcome() {
        Some(SaveOutcome::Saved(n)) => n,
        Some(SaveOutcome::Conflict { latest, .. }) => latest,
        None => latest_no,
    };
    let id = page.study_id;
    let versions = page.versions.clone();
    let newest = versions.first().map(|v| v.number).unwrap_or(0);
    let older = versions.get(1).map(|v| v.number).unwrap_or(newest);
    view! {
        <p class="muted"><A href=format!("/studies/{id}")>{move || i18n.t(t(StudyMsg::BackToStudy))}</A></p>
        <h1>{move || i18n.t(t(StudyMsg::PlanHeading))} ": " {page.title.clone()}</h1>
        {(!page.conclusions_html.is_empty()).then(|| view! {
            <aside class="notice">
                <h2>{move || i18n.t(t(StudyMsg::ConclusionsCarry))}</h2>
                <div class="md" inner_html=page.conclusions_html.clone()></div>
            </aside>
        })}
        {page.can_edit.then(|| view! {
            <section aria-labelledby="edit-plan-heading">
                <h2 id="edit-plan-heading">
                    {move || i18n.t(t(StudyMsg::EditPlan))}
                    {(latest_no > 0).then(|| view! { " (" {move || i18n.fill(t(StudyMsg::BasedOnVersion), &[("n", &latest_no)])} ")" })}
                </h2>
                <ActionForm action=save>
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="based_on" prop:value=move || based_on().to_string()/>
                    {bodies.into_iter().map(|(kind, body)| view! {
                        <TextArea name=kind.code() label=kind.label() error value=body rows=6/>
                    }).collect_view()}
                    <p class="hint">{move || i18n.t(t(StudyMsg::MarkdownHint))}</p>
                    <FormStatus error/>
                    <div role="status">
                        {move || match outcome() {
                            Some(SaveOutcome::Saved(n)) => Some(view! { <span class="success">{move || i18n.fill(t(StudyMsg::SavedAsVersion), &[("n", &n)])}</span> }.into_any()),
                            Some(SaveOutcome::Conflict { sections, .. }) => Some(view! {
                                <div class="conflict" role="alert">
                                    <p class="error">{move || i18n.t(t(StudyMsg::ConflictNotice))}</p>
                                    {sections.into_iter().map(|c| view! {
                                        <h3>{move || i18n.t(c.kind.label())}</h3>
                                        <div class="side-by-side">
                                            <div><h4>{move || i18n.t(t(StudyMsg::TheirText))}</h4><pre>{c.theirs}</pre></div>
                                            <div><h4>{move || i18n.t(t(StudyMsg::YourText))}</h4><pre>{c.mine}</pre></div>
                                        </div>
                                    }).collect_view()}
                                </div>
                            }.into_any()),
                            None => None,
                        }}
                    </div>
                    <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::SaveVersion))}</button>
                </ActionForm>
            </section>
        })}
        <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">{move || i18n.t(t(StudyMsg::VersionsHeading))}</h2>
            <ul class="plain-list">
                {versions.iter().cloned().map(|v| {
                    let tz = tz.clone();
                    let at = v.created_at;
                    view! { <li>{move || i18n.fill(t(StudyMsg::VersionN), &[("n", &v.number)])} " · " {v.author_name} " · " {move || format_date_time(at, &tz, i18n.locale.get())}</li> }
                }).collect_view()}
            </ul>
            {(versions.len() > 1).then(|| view! {
                <Form method="GET" action=format!("/studies/{id}/compare") attr:class="compare-form">
                    <div class="field">
                        <label for="compare-a">{move || i18n.t(t(StudyMsg::OlderVersion))}</label>
                        <select id="compare-a" name="a">
                            {versions.iter().map(|v| view! { <option value=v.number.to_string() selected=v.number == older>{v.number}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="compare-b">{move || i18n.t(t(StudyMsg::NewerVersion))}</label>
                        <select id="compare-b" name="b">
                            {versions.iter().map(|v| view! { <option value=v.number.to_string() selected=v.number == newest>{v.number}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit">{move || i18n.t(t(StudyMsg::Compare))}</button>
                </Form>
            })}
        </section>
        <section aria-labelledby="plan-comments-heading">
            <h2 id="plan-comments-heading">{move || i18n.t(t(StudyMsg::SectionComments))}</h2>
            <ul class="plain-list">
                {page.comments.iter().cloned().map(|c| view! {
                    <li>
                        <strong>{move || i18n.t(c.section.label())}</strong> " · " {move || i18n.fill(t(StudyMsg::VersionN), &[("n", &c.version_number)])} " · " {c.author_name}
                        <div class="md" inner_html=c.body_html></div>
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=comment>
                <input type="hidden" name="study" value=id.to_string()/>
                <div class="field">
                    <label for="field-section">{move || i18n.t(t(StudyMsg::Section))}</label>
                    <select id="field-section" name="section">
                        {SectionKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{move || i18n.t(k.label())}</option> }).collect_view()}
                    </select>
                </div>
                <TextArea name="body" label=t(StudyMsg::CommentBody) error=comment_error id_suffix="-plan"/>
                <FormStatus error=comment_error/>
                <button type="submit">{move || i18n.t(t(StudyMsg::PostComment))}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = study_id_param();
    let query = use_query_map();
    let num = move |k: &str| query.with(|q| q.get(k).and_then(|v| v.parse::<i32>().ok()).unwrap_or(0));
    let data = Resource::new(
        move || (id(), num("a"), num("b")),
        |(id, a, b)| async move {
            match id {
                Some(id) => compare_versions(id, a, b).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p>{move || i18n.t(Msg::Working)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <CompareView c/> }.into_any(),
                    Err(err) => view! { <ErrorView err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CompareView(c: Comparison) -> impl IntoView {
    let i18n = use_i18n();
    let (a, b) = (c.a, c.b);
    view! {
        <p class="muted"><A href=format!("/studies/{}/plan", c.study_id)>{move || i18n.t(t(StudyMsg::BackToPlan))}</A></p>
        <h1>{move || i18n.t(t(StudyMsg::CompareTitle))} ": " {c.title.clone()}</h1>
        <p>{move || i18n.fill(t(StudyMsg::VersionN), &[("n", &a)])} " → " {move || i18n.fill(t(StudyMsg::VersionN), &[("n", &b)])}</p>
        {(!c.b_revised_from_html.is_empty()).then(|| view! {
            <section class="revised-from">
                <h2>{move || i18n.t(t(StudyMsg::RevisedFrom))}</h2>
                <div class="md" inner_html=c.b_revised_from_html.clone()></div>
            </section>
        })}
        {c.sections.into_iter().map(|(kind, rows)| {
            let changed = rows.iter().any(|r| !matches!(r, DiffRow::Same(_)));
            view! {
                <section class="diff-section">
                    <h2>{move || i18n.t(kind.label())} {(!changed).then(|| view! { <span class="muted">" · " {move || i18n.t(t(StudyMsg::Unchanged))}</span> })}</h2>
                    <table class="diff">
                        <thead><tr>
                            <th scope="col">{move || i18n.fill(t(StudyMsg::VersionN), &[("n", &a)])}</th>
                            <th scope="col">{move || i18n.fill(t(StudyMsg::VersionN), &[("n", &b)])}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| match row {
                                DiffRow::Same(l) => view! { <tr><td>{l.clone()}</td><td>{l}</td></tr> }.into_any(),
                                DiffRow::Removed(l) => view! {
                                    <tr class="removed"><td><del><span class="visually-hidden">{move || i18n.t(t(StudyMsg::Removed))}</span>{l}</del></td><td></td></tr>
                                }.into_any(),
                                DiffRow::Added(l) => view! {
                                    <tr class="added"><td></td><td><ins><span class="visually-hidden">{move || i18n.t(t(StudyMsg::Added))}</span>{l}</ins></td></tr>
                                }.into_any(),
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        }).collect_view()}
    }
}
