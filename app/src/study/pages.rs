//! Lesson-study pages: the list of studies and the study page (phase, group, rounds,
//! assignments, debrief, conclusions). The live notes and timeline are in `notes`, the plan and
//! its comparisons in `plan_pages`.

use super::api::*;
use super::notes::NotesSection;
use super::{Dimension, MyStudies, Note, NoteFilter, Phase, StudyInvitation, StudyMsg, StudyPage};
use crate::accounts::Viewer;
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, Field, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Refresh, Submit};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::sync::Arc;
use uuid::Uuid;

fn t(m: StudyMsg) -> Msg {
    Msg::from(m)
}

pub(super) fn study_id_param() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()))
}

// ---------------------------------------------------------------------------------------------
// The list of studies and the creation form

#[component]
pub fn StudiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStudy>::new();
    let refresh = Refresh::provide();
    let data = Resource::new(move || refresh.version(), |_| load_my_studies());
    view! {
        <h1>{move || i18n.t(t(StudyMsg::StudiesTitle))}</h1>
        <p class="muted">{move || i18n.t(t(StudyMsg::StudiesIntro))}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok(mine) => view! {
                        <InvitationList invitations=mine.invitations.clone()/>
                        <StudyList mine=mine.clone()/>
                        <CreateStudyForm mine create/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Invitations to study groups, each answered with one button (a plain form without JavaScript).
#[component]
fn InvitationList(invitations: Vec<StudyInvitation>) -> impl IntoView {
    let i18n = use_i18n();
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let refresh = Refresh::expect();
    refresh.on_success(decline.value());
    Effect::new(move |_| {
        if let Some(Ok(study)) = accept.value().get() {
            use_navigate()(&format!("/studies/{study}"), Default::default());
        }
    });
    let accept_error = action_error(accept.value());
    let decline_error = action_error(decline.value());
    (!invitations.is_empty()).then(|| view! {
        <section aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">{move || i18n.t(t(StudyMsg::InvitationsHeading))}</h2>
            <ul class="plain-list">
                {invitations.into_iter().map(|inv| {
                    let by = inv.invited_by.clone();
                    view! {
                        <li>
                            <strong>{inv.study_title}</strong>
                            <span class="muted">" · " {inv.studio_name} " · " {move || i18n.fill(t(StudyMsg::InvitedBy), &[("name", &by)])}</span>
                            <ActionForm action=accept attr:class="inline">
                                <input type="hidden" name="invitation" value=inv.id.to_string()/>
                                <Submit label=t(StudyMsg::AcceptInvitation) pending=accept.pending()/>
                            </ActionForm>
                            <ActionForm action=decline attr:class="inline">
                                <input type="hidden" name="invitation" value=inv.id.to_string()/>
                                <Submit label=t(StudyMsg::DeclineInvitation) pending=decline.pending() class="secondary"/>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FormStatus error=accept_error/>
            <FormStatus error=decline_error/>
        </section>
    })
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
                                    <a href=format!("/studies/{}", s.id)>{s.title}</a>
                                    <span class="muted">" · " {s.studio_name} " · " {s.lead_name} " · "</span>
                                    <span class="chip">{move || i18n.t(phase.label())}</span>
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
                <Submit label=t(StudyMsg::CreateStudy) pending=create.pending() class="primary"/>
            </ActionForm>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// The study page

#[derive(Clone, Copy)]
pub(super) struct StudyActions {
    move_phase: ServerAction<MovePhase>,
    add_member: ServerAction<AddMember>,
    update_round: ServerAction<UpdateRound>,
    add_round: ServerAction<AddRound>,
    start_clock: ServerAction<StartClock>,
    assign: ServerAction<Assign>,
    lock: ServerAction<LockNotes>,
    comment: ServerAction<AddComment>,
    conclusions: ServerAction<SaveConclusions>,
    pub(super) edit_note: ServerAction<EditNote>,
}

impl StudyActions {
    fn new() -> StudyActions {
        StudyActions {
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
        }
    }

    /// Reads the page's data again after each success of any of them.
    fn refresh_page(self, refresh: Refresh) {
        refresh.on_success(self.move_phase.value());
        refresh.on_success(self.add_member.value());
        refresh.on_success(self.update_round.value());
        refresh.on_success(self.add_round.value());
        refresh.on_success(self.start_clock.value());
        refresh.on_success(self.assign.value());
        refresh.on_success(self.lock.value());
        refresh.on_success(self.comment.value());
        refresh.on_success(self.conclusions.value());
        refresh.on_success(self.edit_note.value());
    }
}

#[component]
pub fn StudyPageView() -> impl IntoView {
    let id = study_id_param();
    let actions = StudyActions::new();
    provide_context(actions);
    let refresh = Refresh::provide();
    actions.refresh_page(refresh);
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            let value = |key: &str| q.get(key).unwrap_or_default();
            NoteFilter {
                dimension: value("dimension"),
                observer: value("observer"),
                tag: value("tag"),
                before: value("before"),
            }
        })
    };
    let page = Resource::new(
        move || (id(), filter(), refresh.version()),
        |(id, filter, _)| async move {
            match id {
                Some(id) => load_study(id, filter).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <StudyView page/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::PageNotFound/> }.into_any(),
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
    // The sections share the page (one copy, not one each); the notes move to their signal.
    let mut page = page;
    let notes = RwSignal::new(std::mem::take(&mut page.timeline.notes));
    let page = Arc::new(page);
    let id = page.id;
    let studio_href = format!("/studios/{}", page.studio_slug);
    let studio_name = page.studio_name.clone();
    let my_role = page.my_role;
    view! {
        <article class="study">
            <header class="study-head">
                <p class="muted"><a href=studio_href>{studio_name}</a></p>
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
                    <Submit label=move || format!("{}{}", i18n.t(t(StudyMsg::MoveTo)), i18n.t(n.label())) pending=action.pending() class="primary"/>
                </ActionForm>
            })}
            {prev.map(|p| view! {
                <ActionForm action attr:class="inline">
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="direction" value="back"/>
                    <Submit label=move || format!("{}{}", i18n.t(t(StudyMsg::BackTo)), i18n.t(p.label())) pending=action.pending()/>
                </ActionForm>
            })}
            <FormStatus error/>
        </div>
    }
}

#[component]
fn PlanSummary(page: Arc<StudyPage>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    view! {
        <section aria-labelledby="plan-heading" class="plan-summary">
            <h2 id="plan-heading">{move || i18n.t(t(StudyMsg::PlanHeading))}</h2>
            {match page.plan.clone() {
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
            <p class="no-print"><a href=format!("/studies/{}/plan", page.id)>{move || i18n.t(t(StudyMsg::OpenPlan))}</a></p>
        </section>
    }
}

#[component]
fn GroupSection(page: Arc<StudyPage>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.add_member.value());
    let invited = Signal::derive(move || matches!(actions.add_member.value().get(), Some(Ok(()))));
    view! {
        <section aria-labelledby="group-heading">
            <h2 id="group-heading">{move || i18n.t(t(StudyMsg::GroupHeading))}</h2>
            <ul class="plain-list">
                {page.members.iter().cloned().map(|m| view! {
                    <li>{m.name} {(!m.school.is_empty()).then(|| format!("（{}）", m.school))} " · " {move || i18n.t(m.role.label())}</li>
                }).collect_view()}
            </ul>
            {(!page.invited.is_empty()).then(|| view! {
                <h3>{move || i18n.t(t(StudyMsg::PendingInvitations))}</h3>
                <ul class="plain-list muted">
                    {page.invited.iter().cloned().map(|email| view! { <li>{email}</li> }).collect_view()}
                </ul>
            })}
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.add_member attr:class="no-print">
                    <input type="hidden" name="study" value=page.id.to_string()/>
                    <Field name="email" label=t(StudyMsg::AddMemberEmail) error kind="email" hint=t(StudyMsg::AddMemberHint)/>
                    <FormStatus error success=invited success_msg=t(StudyMsg::InvitationSent)/>
                    <Submit label=t(StudyMsg::AddMember) pending=actions.add_member.pending()/>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn RoundsSection(page: Arc<StudyPage>) -> impl IntoView {
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
                        <Submit label=t(StudyMsg::AddRound) pending=actions.add_round.pending() class="primary"/>
                    </ActionForm>
                });
                view! {
                    <div class="no-print lead-tools">
                        <ActionForm action=actions.start_clock attr:class="inline">
                            <input type="hidden" name="study" value=id1/>
                            <Submit label=t(StudyMsg::StartClock) pending=actions.start_clock.pending()/>
                        </ActionForm>
                        <details>
                            <summary>{move || i18n.t(t(StudyMsg::EditRound))}</summary>
                            <ActionForm action=actions.update_round>
                                <input type="hidden" name="study" value=id2/>
                                {lesson_select("", page.lessons.clone())}
                                <Field name="minutes" label=t(StudyMsg::LessonMinutes) error=update_error kind="number" value=current_minutes.to_string()/>
                                <FormStatus error=update_error/>
                                <Submit label=Msg::Save pending=actions.update_round.pending()/>
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
fn AssignmentsSection(page: Arc<StudyPage>) -> impl IntoView {
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
                    <Submit label=t(StudyMsg::Assign) pending=actions.assign.pending()/>
                </ActionForm>
            })}
        </section>
    }
}
#[component]
fn DebriefSection(page: Arc<StudyPage>, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let error = action_error(actions.comment.value());
    let lock_error = action_error(actions.lock.value());
    let (id, locked) = (page.id, page.notes_locked);
    let cites = RwSignal::new(Vec::<Uuid>::new());
    let cites_text = move || cites.with(|c| c.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","));
    view! {
        <section aria-labelledby="debrief-heading" id="debrief">
            <h2 id="debrief-heading">{move || i18n.t(t(StudyMsg::DebriefHeading))}</h2>
            {page.can.lead.then(|| view! {
                <ActionForm action=actions.lock attr:class="inline no-print">
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="locked" value=(!locked).to_string()/>
                    <Submit label=t(if locked { StudyMsg::UnlockNotes } else { StudyMsg::LockNotes }) pending=actions.lock.pending()/>
                    <FormStatus error=lock_error/>
                </ActionForm>
            })}
            {if page.comments.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(StudyMsg::NoComments))}</p> }.into_any()
            } else {
                view! {
                    <ul class="comments plain-list">
                        {page.comments.iter().cloned().map(|c| {
                            let cited = c.cites.clone();
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
                    <input type="hidden" name="study" value=id.to_string()/>
                    <input type="hidden" name="cites" value="" prop:value=cites_text/>
                    <TextArea name="body" label=t(StudyMsg::CommentBody) error id="field-body-comment"/>
                    <fieldset class="cite-list">
                        <legend>{move || i18n.t(t(StudyMsg::CiteNotes))}</legend>
                        {move || notes.get().into_iter().map(|n| {
                            let id = n.id;
                            let label = format!("{}′ · {} · {}", n.minute, n.author_name, n.excerpt);
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
                    <Submit label=t(StudyMsg::PostComment) pending=actions.comment.pending() class="primary"/>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ConclusionsSection(page: Arc<StudyPage>) -> impl IntoView {
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
                    <Submit label=t(StudyMsg::SaveConclusions) pending=actions.conclusions.pending()/>
                </ActionForm>
            })}
        </section>
    }
}
