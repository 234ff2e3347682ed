//! Growth pages: `/hours` (own ledger), `/hours/{user}` (a mentee's ledger for their leaders),
//! `/growth` (my studios and plans), `/studios/{slug}/plans/{mentee}` (a plan),
//! `/studios/{slug}/growth` (the studio overview). Every form is an `ActionForm`.

use super::api::{
    get_overview, get_plan, my_plans, AddGoal, AddMilestone, ApplyTemplate, Comment, CompleteMilestone, CreateTemplate,
    SignOff, UpdateGoal, UpdateMilestone,
};
use super::charts::{GoalsChart, HoursChart};
use super::hours_api::{get_ledger, LogHours, UpdateHours, VerifyHours};
use super::rules::{format_tenths, progress_percent};
use super::{
    GoalCategory, GoalStatus, GoalView, GrowthMsg, HourCategory, Ledger, MilestoneView, Overview, PlanView,
    RecordSource, TargetStage,
};
use crate::accounts::Viewer;
use crate::kit::forms::{action_error, Choice, Field, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::view::{LoadError, Loading, Pager, Refresh, ScrollTable, Submit};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn g(m: GrowthMsg) -> Msg {
    Msg::from(m)
}

fn goal_status_chip(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Active => "chip",
        GoalStatus::Achieved => "chip chip-ok",
        GoalStatus::Dropped => "chip chip-muted",
    }
}

// ------------------------------------------------------------------ ledger

#[component]
pub fn HoursPage() -> impl IntoView {
    view! { <LedgerPage user=String::new()/> }
}

#[component]
pub fn MenteeHoursPage() -> impl IntoView {
    let params = use_params_map();
    let user = params.read_untracked().get("user").unwrap_or_default();
    view! { <LedgerPage user/> }
}

#[component]
fn LedgerPage(user: String) -> impl IntoView {
    let changed = Refresh::provide();
    // Created once for the page, so that their messages outlive the reload of the data.
    let log = ServerAction::<LogHours>::new();
    let verify = ServerAction::<VerifyHours>::new();
    let update = ServerAction::<UpdateHours>::new();
    changed.on_success(log.value());
    changed.on_success(verify.value());
    changed.on_success(update.value());
    let query = leptos_router::hooks::use_query_map();
    let year = move || query.with(|q| q.get("year").unwrap_or_default());
    let ledger = Resource::new(move || (changed.version(), year()), move |(_, year)| get_ledger(user.clone(), year));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match ledger.await {
                    Ok(l) => view! { <LedgerView ledger=l log verify update/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LedgerView(
    ledger: Ledger,
    log: ServerAction<LogHours>,
    verify: ServerAction<VerifyHours>,
    update: ServerAction<UpdateHours>,
) -> impl IntoView {
    let i18n = use_i18n();
    let update_error = action_error(update.value());
    let is_own = ledger.is_own;
    let log_error = action_error(log.value());
    let logged = Signal::derive(move || matches!(log.value().get(), Some(Ok(()))));
    let verify_error = action_error(verify.value());
    let heading = if ledger.is_own {
        i18n.t(g(GrowthMsg::HoursTitle)).to_owned()
    } else {
        format!("{} · {}", i18n.t(g(GrowthMsg::HoursTitle)), ledger.user_name)
    };
    let year = format!("{} – {}", ledger.year_start, ledger.year_end.pred_opt().unwrap_or(ledger.year_end));
    let today = ledger.today.to_string();
    let can_verify = ledger.can_verify;
    let records = ledger.records.clone();
    // One record's edit form at a time (`?edit=<id>`, a plain link without JavaScript): a form
    // under every record made the page's rendering most of its cost.
    let query = use_query_map();
    let editing = Memo::new(move |_| query.with(|q| q.get("edit")).and_then(|id| id.parse::<uuid::Uuid>().ok()));
    let close_href = format!("?year={}", ledger.year);
    let navigate = leptos_router::hooks::use_navigate();
    let closed_to = close_href.clone();
    // A save closes the form; a success from before this view was built does not count.
    Effect::new(move |registered: Option<()>| {
        let saved = matches!(update.value().get(), Some(Ok(())));
        if registered.is_some() && saved {
            navigate(&closed_to, Default::default());
        }
    });
    view! {
        <section class="card">
            <h1>{heading}</h1>
            <p class="muted">{move || i18n.t(g(GrowthMsg::QuotaYear))} " " {year}</p>
            <nav class="no-print" aria-label=move || i18n.t(g(GrowthMsg::OtherYears))>
                <a href=format!("?year={}", ledger.year - 1)>{move || i18n.fill(g(GrowthMsg::YearLink), &[("year", &(ledger.year - 1))])}</a>
                {(!ledger.is_current).then(|| view! {
                    " " <a href=format!("?year={}", ledger.year + 1)>{move || i18n.fill(g(GrowthMsg::YearLink), &[("year", &(ledger.year + 1))])}</a>
                })}
            </nav>
            <HoursChart total=ledger.total_tenths quota=ledger.quota_tenths by_category=ledger.by_category.clone() by_month=ledger.by_month.clone()/>
        </section>
        {ledger.is_own.then(|| view! {
            <section class="card" aria-labelledby="log-hours-heading">
                <h2 id="log-hours-heading">{move || i18n.t(g(GrowthMsg::LogHoursTitle))}</h2>
                <ActionForm action=log>
                    <FormStatus error=log_error success=logged success_msg=g(GrowthMsg::HoursLogged)/>
                    <Field name="occurred_on" id="log-date" label=g(GrowthMsg::Date) kind="date" value=today.clone() max=today.clone() required=true error=log_error/>
                    <Field name="hours" id="log-hours" label=g(GrowthMsg::Hours) kind="number" step="0.1" required=true error=log_error/>
                    <Choice name="category" id="log-category" label=g(GrowthMsg::Category) options=HourCategory::options() selected="offline" error=log_error/>
                    <Field name="description" id="log-description" label=g(GrowthMsg::Description) error=log_error/>
                    <Field name="evidence" id="log-evidence" label=g(GrowthMsg::Evidence) error=log_error/>
                    <Submit label=g(GrowthMsg::LogHoursButton) pending=log.pending() class="primary"/>
                </ActionForm>
            </section>
        })}
        <section class="card">
            <h2>{move || i18n.t(g(GrowthMsg::Records))}</h2>
            <FormStatus error=verify_error/>
            <FormStatus error=update_error/>
            {if records.is_empty() {
                view! { <p class="muted">{move || i18n.t(g(GrowthMsg::NoRecords))}</p> }.into_any()
            } else {
                view! {
                    <ScrollTable label=g(GrowthMsg::Records)>
                    <table class="records">
                        <thead><tr>
                            <th scope="col">{move || i18n.t(g(GrowthMsg::Date))}</th>
                            <th scope="col">{move || i18n.t(g(GrowthMsg::Hours))}</th>
                            <th scope="col">{move || i18n.t(g(GrowthMsg::Category))}</th>
                            <th scope="col">{move || i18n.t(g(GrowthMsg::Description))}</th>
                            <th scope="col">{move || i18n.t(g(GrowthMsg::Verified))}</th>
                        </tr></thead>
                        <tbody>
                            {records.into_iter().map(|r| {
                                let cat = r.category.label();
                                let system = r.source_kind != RecordSource::Manual;
                                let id = r.id.to_string();
                                view! {
                                    <tr id=format!("record-{}", r.id)>
                                        <td>{match r.starts_on.filter(|s| *s != r.occurred_on) {
                                            Some(first) => format!("{first} – {}", r.occurred_on),
                                            None => r.occurred_on.to_string(),
                                        }}</td>
                                        <td>{format_tenths(r.tenths)}
                                            {r.attended_tenths.map(|full| view! {
                                                <br/><span class="muted">{move || i18n.fill(g(GrowthMsg::ClippedToDay), &[("hours", &format_tenths(full))])}</span>
                                            })}
                                        </td>
                                        <td>{move || i18n.t(cat)}
                                            {match r.source_system.clone() {
                                                Some(source) => Some(view! { " " <span class="chip">{move || i18n.fill(g(GrowthMsg::ImportedFrom), &[("system", &source)])}</span> }.into_any()),
                                                None => system.then(|| view! { " " <span class="chip">{move || i18n.t(g(GrowthMsg::SystemMade))}</span> }.into_any()),
                                            }}
                                        </td>
                                        <td>{r.description.clone()} {(!r.evidence.is_empty()).then(|| view! { <br/><span class="muted">{r.evidence.clone()}</span> })}
                                            {(is_own && !system).then(|| {
                                                let rid = r.id;
                                                let edit_href = format!("?year={}&edit={rid}#record-{rid}", ledger.year);
                                                let close_href = close_href.clone();
                                                let date = r.occurred_on;
                                                let (tenths, category) = (r.tenths, r.category);
                                                let (description, evidence) = (r.description.clone(), r.evidence.clone());
                                                move || if editing.get() == Some(rid) {
                                                    let (description, evidence, close_href) = (description.clone(), evidence.clone(), close_href.clone());
                                                    view! {
                                                        <ActionForm action=update>
                                                            <input type="hidden" name="record" value=rid.to_string()/>
                                                            <Field name="occurred_on" id=format!("ed-date-{rid}") label=g(GrowthMsg::Date) kind="date" value=date.to_string() required=true error=update_error/>
                                                            <Field name="hours" id=format!("ed-hours-{rid}") label=g(GrowthMsg::Hours) kind="number" step="0.1" value=format_tenths(tenths) required=true error=update_error/>
                                                            <Choice name="category" id=format!("ed-cat-{rid}") label=g(GrowthMsg::Category) options=HourCategory::options() selected=category.code() error=update_error/>
                                                            <Field name="description" id=format!("ed-desc-{rid}") label=g(GrowthMsg::Description) value=description error=update_error/>
                                                            <Field name="evidence" id=format!("ed-ev-{rid}") label=g(GrowthMsg::Evidence) value=evidence error=update_error/>
                                                            <Submit label=Msg::Save pending=update.pending()/>
                                                            " " <a href=close_href>{move || i18n.t(g(GrowthMsg::CloseEdit))}</a>
                                                        </ActionForm>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <br/><a href=edit_href.clone() aria-label=move || i18n.fill(g(GrowthMsg::EditRecordOf), &[("date", &date)])>
                                                            {move || i18n.t(g(GrowthMsg::EditRecord))}
                                                        </a>
                                                    }.into_any()
                                                }
                                            })}
                                        </td>
                                        <td>{match r.verified_by_name.clone() {
                                            Some(name) => view! { <span class="chip chip-ok">{move || i18n.t(g(GrowthMsg::VerifiedBy))} " " {name.clone()}</span> }.into_any(),
                                            None if can_verify => view! {
                                                <ActionForm action=verify attr:class="inline">
                                                    <input type="hidden" name="record" value=id.clone()/>
                                                    <Submit label=g(GrowthMsg::Verify) pending=verify.pending()/>
                                                </ActionForm>
                                            }.into_any(),
                                            None => view! { <span class="muted">{move || i18n.t(g(GrowthMsg::NotVerified))}</span> }.into_any(),
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </ScrollTable>
                }.into_any()
            }}
        </section>
    }
}

// ------------------------------------------------------------------ my studios

#[component]
pub fn GrowthHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let me = viewer.user.map(|u| u.id.to_string()).unwrap_or_default();
    let mine = Resource::new(|| (), |_| my_plans());
    let ledger = Resource::new(|| (), |_| get_ledger(String::new(), String::new()));
    view! {
        <Suspense fallback=Loading>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                    match mine.await {
                        Ok(list) => view! {
                            <section class="card">
                                <h1>{move || i18n.t(g(GrowthMsg::GrowthTitle))}</h1>
                                {ledger.await.ok().map(|l| view! {
                                    <h2>{move || i18n.t(g(GrowthMsg::MyDashboard))}</h2>
                                    <HoursChart total=l.total_tenths quota=l.quota_tenths by_category=l.by_category by_month=l.by_month/>
                                })}
                                <p><a href="/hours">{move || i18n.t(g(GrowthMsg::HoursTitle))}</a></p>
                                {list.is_empty().then(|| view! { <p class="muted">{move || i18n.t(g(GrowthMsg::NoStudios))}</p> })}
                                <ul class="plain-list">
                                    {list.into_iter().map(|s| {
                                        let leads = s.role.leads();
                                        let href = if leads { format!("/studios/{}/growth", s.studio_slug) } else { format!("/studios/{}/plans/{}", s.studio_slug, me) };
                                        let link_msg = if leads { g(GrowthMsg::StudioOverview) } else { g(GrowthMsg::MyPlan) };
                                        let role = s.role.label();
                                        view! {
                                            <li>
                                                <strong>{s.studio_name.clone()}</strong> " · " {move || i18n.t(role)} " · "
                                                <a href=href>{move || i18n.t(link_msg)}</a>
                                                {(!leads).then(|| view! { " " <span class="muted">{format!("{}/{}", s.goals_done, s.goals_total)}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        }.into_any(),
                        Err(err) => view! { <LoadError err/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

// ------------------------------------------------------------------ a plan

#[component]
pub fn PlanPage() -> impl IntoView {
    let params = use_params_map();
    let changed = Refresh::provide();
    let plan = Resource::new(
        move || {
            (
                params.with(|p| (p.get("slug").unwrap_or_default(), p.get("mentee").unwrap_or_default())),
                changed.version(),
            )
        },
        |((slug, mentee), _)| get_plan(slug, mentee),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match plan.await {
                    Ok(p) => view! { <PlanViewPage plan=p changed/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanViewPage(plan: PlanView, changed: Refresh) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddGoal>::new();
    let add_error = action_error(add.value());
    changed.on_success(add.value());
    let due_default = (plan.today + chrono::Days::new(90)).to_string();
    let goals = plan.goals.clone();
    let can_edit = plan.can_edit;
    view! {
        <section class="card">
            <h1>{move || i18n.t(g(GrowthMsg::PlanTitle))} " · " {plan.mentee_name.clone()}</h1>
            <p class="muted">{plan.studio_name.clone()}</p>
            // The mentee has their whole record under "my record"; the studio's leaders its part here.
            {(!can_edit).then(|| {
                let href = format!("/studios/{}/records/{}", plan.studio_slug, plan.mentee_id);
                let label = Msg::from(crate::records::RecordMsg::StudioRecordLink);
                view! { <p><a href=href>{move || i18n.t(label)}</a></p> }
            })}
            <GoalsChart goals=goals.clone()/>
            <ul class="plain-list goal-dates">
                {goals.iter().map(|gl| {
                    let status = gl.status.label();
                    view! { <li>{gl.title.clone()} " · " {gl.due_on.to_string()} " · " {move || i18n.t(status)}</li> }
                }).collect_view()}
            </ul>
        </section>
        {goals.into_iter().map(|goal| view! { <GoalCard goal plan=plan.clone() changed/> }).collect_view()}
        {can_edit.then(|| view! {
            <section class="card">
                <h2>{move || i18n.t(g(GrowthMsg::AddGoal))}</h2>
                <ActionForm action=add>
                    <FormStatus error=add_error/>
                    <input type="hidden" name="studio" value=plan.studio_slug.clone()/>
                    <input type="hidden" name="mentee" value=plan.mentee_id.to_string()/>
                    <Field name="title" id="goal-title" label=g(GrowthMsg::GoalTitle) required=true error=add_error/>
                    <TextArea name="description" id="goal-description" label=g(GrowthMsg::Description) error=add_error/>
                    <Choice name="category" id="goal-category" label=g(GrowthMsg::Category) options=GoalCategory::options() selected="teaching" error=add_error/>
                    <Choice name="target_stage" id="goal-stage" label=g(GrowthMsg::TargetStage) options=TargetStage::options() selected="year1" error=add_error/>
                    <Field name="due_on" id="goal-due" label=g(GrowthMsg::DueOn) kind="date" value=due_default.clone() required=true error=add_error/>
                    <Submit label=g(GrowthMsg::AddGoal) pending=add.pending() class="primary"/>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn GoalCard(goal: GoalView, plan: PlanView, changed: Refresh) -> impl IntoView {
    let i18n = use_i18n();
    let gid = goal.id;
    let done = goal.milestones.iter().filter(|m| m.done).count();
    let percent = progress_percent(done, goal.milestones.len(), goal.status == GoalStatus::Achieved);
    let status = goal.status.label();
    let category = goal.category.label();
    let stage = goal.target_stage.label();
    let heading_id = format!("goal-{gid}");
    let heading_ref = heading_id.clone();
    let progress_title = goal.title.clone();

    let sign = ServerAction::<SignOff>::new();
    let sign_error = action_error(sign.value());
    changed.on_success(sign.value());
    let comment = ServerAction::<Comment>::new();
    let comment_error = action_error(comment.value());
    changed.on_success(comment.value());
    let milestone = ServerAction::<AddMilestone>::new();
    let milestone_error = action_error(milestone.value());
    changed.on_success(milestone.value());
    let update = ServerAction::<UpdateGoal>::new();
    let update_error = action_error(update.value());
    changed.on_success(update.value());

    let achieved = goal.status == GoalStatus::Achieved;
    let active = goal.status == GoalStatus::Active;
    let drop = ServerAction::<SignOff>::new();
    let drop_error = action_error(drop.value());
    changed.on_success(drop.value());
    let milestones = goal.milestones.clone();
    let milestone_choices: Vec<(uuid::Uuid, String)> =
        goal.milestones.iter().map(|m| (m.id, m.title.clone())).collect();
    let comments: Vec<(super::CommentView, Option<String>)> = goal
        .comments
        .iter()
        .map(|c| {
            (
                c.clone(),
                c.milestone_id.and_then(|id| goal.milestones.iter().find(|m| m.id == id)).map(|m| m.title.clone()),
            )
        })
        .collect();
    let events = goal.events.clone();
    let due_default = (plan.today + chrono::Days::new(30)).to_string();
    // A signed-off goal is the mentor's word: no edits until it is reopened (checked on the server too).
    let editable = plan.can_edit && goal.status != GoalStatus::Achieved;
    view! {
        <section class="card goal" aria-labelledby=heading_ref>
            <h2 id=heading_id>{goal.title.clone()}</h2>
            <p class="muted">
                {move || i18n.t(category)} " · " {move || i18n.t(stage)} " · "
                {move || i18n.t(g(GrowthMsg::DueOn))} " " {goal.due_on.to_string()} " · "
                <span class=goal_status_chip(goal.status) data-testid="goal-status">{move || i18n.t(status)}</span>
            </p>
            {(!goal.description.is_empty()).then(|| view! { <p>{goal.description.clone()}</p> })}
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()
                aria-label=move || format!("{} {}", i18n.t(g(GrowthMsg::Progress)), progress_title)>
                <span style=format!("width:{percent}%")></span>
            </div>
            <p class="muted">{move || i18n.t(g(GrowthMsg::Progress))} " " {percent} "%"</p>

            <h3>{move || i18n.t(g(GrowthMsg::Milestones))}</h3>
            <ul class="plain-list milestones">
                {milestones.into_iter().map(|m| view! { <MilestoneItem m can_edit=editable changed/> }).collect_view()}
            </ul>
            {(plan.can_edit && !editable).then(|| view! { <p class="muted">{move || i18n.t(g(GrowthMsg::ErrGoalSignedOff))}</p> })}
            {if editable { Some(view! {
                <details>
                    <summary>{move || i18n.t(g(GrowthMsg::AddMilestone))}</summary>
                    <ActionForm action=milestone>
                        <FormStatus error=milestone_error/>
                        <input type="hidden" name="goal" value=gid.to_string()/>
                        <Field name="title" id=format!("ms-title-{gid}") label=g(GrowthMsg::MilestoneTitle) required=true error=milestone_error/>
                        <Field name="due_on" id=format!("ms-due-{gid}") label=g(GrowthMsg::DueOn) kind="date" value=due_default.clone() required=true error=milestone_error/>
                        <Submit label=g(GrowthMsg::AddMilestone) pending=milestone.pending()/>
                    </ActionForm>
                </details>
                <details>
                    <summary>{move || i18n.t(g(GrowthMsg::EditGoal))}</summary>
                    <ActionForm action=update>
                        <FormStatus error=update_error/>
                        <input type="hidden" name="goal" value=gid.to_string()/>
                        <Field name="title" id=format!("eg-title-{gid}") label=g(GrowthMsg::GoalTitle) value=goal.title.clone() required=true error=update_error/>
                        <TextArea name="description" id=format!("eg-desc-{gid}") label=g(GrowthMsg::Description) value=goal.description.clone() error=update_error/>
                        <Choice name="category" id=format!("eg-cat-{gid}") label=g(GrowthMsg::Category) options=GoalCategory::options() selected=goal.category.code() error=update_error/>
                        <Choice name="target_stage" id=format!("eg-stage-{gid}") label=g(GrowthMsg::TargetStage) options=TargetStage::options() selected=goal.target_stage.code() error=update_error/>
                        <Field name="due_on" id=format!("eg-due-{gid}") label=g(GrowthMsg::DueOn) kind="date" value=goal.due_on.to_string() required=true error=update_error/>
                        <Submit label=Msg::Save pending=update.pending()/>
                    </ActionForm>
                </details>
            }) } else { None }}

            {if plan.can_sign_off { Some(view! {
                <ActionForm action=sign attr:class="sign-off">
                    <FormStatus error=sign_error/>
                    <input type="hidden" name="goal" value=gid.to_string()/>
                    <input type="hidden" name="decision" value={if achieved { "reopen" } else { "achieve" }}/>
                    <Field name="note" id=format!("note-{gid}") label=g(GrowthMsg::SignOffNote) error=sign_error/>
                    <Submit label=g(if achieved { GrowthMsg::Reopen } else { GrowthMsg::SignOff }) pending=sign.pending() class="primary"/>
                </ActionForm>
                {active.then(|| view! {
                    <ActionForm action=drop attr:class="inline">
                        <FormStatus error=drop_error/>
                        <input type="hidden" name="goal" value=gid.to_string()/>
                        <input type="hidden" name="decision" value="drop"/>
                        <Submit label=g(GrowthMsg::DropGoal) pending=drop.pending()/>
                    </ActionForm>
                })}
            }) } else { None }}

            <h3>{move || i18n.t(g(GrowthMsg::Comments))}</h3>
            <ul class="plain-list comments">
                {comments.into_iter().map(|(c, about)| view! {
                    <li>
                        <strong>{c.author_name}</strong>
                        {about.map(|t| view! { " " <span class="muted">{format!("（{t}）")}</span> })}
                        ": " {c.body}
                    </li>
                }).collect_view()}
            </ul>
            {if plan.can_comment { Some(view! {
                <ActionForm action=comment>
                    <FormStatus error=comment_error/>
                    <input type="hidden" name="goal" value=gid.to_string()/>
                    <div class="field">
                        <label for=format!("about-{gid}")>{move || i18n.t(g(GrowthMsg::CommentAbout))}</label>
                        <select id=format!("about-{gid}") name="milestone">
                            <option value="">{move || i18n.t(g(GrowthMsg::WholeGoal))}</option>
                            {milestone_choices.clone().into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view()}
                        </select>
                    </div>
                    <TextArea name="body" id=format!("comment-{gid}") label=g(GrowthMsg::CommentLabel) required=true error=comment_error/>
                    <Submit label=g(GrowthMsg::PostComment) pending=comment.pending()/>
                </ActionForm>
            }) } else { None }}
            <details>
                <summary>{move || i18n.t(g(GrowthMsg::History))}</summary>
                <ol class="history">
                    {events.into_iter().map(|e| {
                        let kind = e.kind.label();
                        let when = crate::kit::time::format_date_time(e.created_at, &expect_context::<Viewer>().time_zone, i18n.locale.get_untracked());
                        view! { <li>{when} " · " {e.actor_name} " · " {move || i18n.t(kind)} {(!e.note.is_empty()).then(|| format!(" · {}", e.note))}</li> }
                    }).collect_view()}
                </ol>
            </details>
        </section>
    }
}

#[component]
fn MilestoneItem(m: MilestoneView, can_edit: bool, changed: Refresh) -> impl IntoView {
    let i18n = use_i18n();
    let complete = ServerAction::<CompleteMilestone>::new();
    let error = action_error(complete.value());
    changed.on_success(complete.value());
    let edit = ServerAction::<UpdateMilestone>::new();
    let edit_error = action_error(edit.value());
    changed.on_success(edit.value());
    let mid = m.id;
    let done = m.done;
    let (title, due_on) = (m.title.clone(), m.due_on.to_string());
    let mark_label =
        format!("{} {}", if done { i18n.t(g(GrowthMsg::MarkNotDone)) } else { i18n.t(g(GrowthMsg::MarkDone)) }, title);
    view! {
        <li class={if done { "milestone done" } else { "milestone" }}>
            <span class=if done { "chip chip-ok" } else { "chip" }>{move || if done { i18n.t(g(GrowthMsg::Done)) } else { i18n.t(g(GrowthMsg::NotDone)) }}</span>
            " " <strong>{m.title.clone()}</strong> " · " {m.due_on.to_string()}
            {(!m.evidence.is_empty()).then(|| view! { <p class="evidence">{m.evidence.clone()}</p> })}
            {(!m.evidence_links.is_empty()).then(|| view! {
                <ul class="links">{m.evidence_links.iter().map(|l| view! { <li><a href=l.clone() rel="noopener noreferrer nofollow">{l.clone()}</a></li> }).collect_view()}</ul>
            })}
            {can_edit.then(|| view! {
                <ActionForm action=complete attr:class="milestone-form">
                    <FormStatus error/>
                    <input type="hidden" name="milestone" value=mid.to_string()/>
                    <input type="hidden" name="done" value={if done { "false" } else { "true" }}/>
                    {(!done).then(|| view! {
                        <TextArea name="evidence" id=format!("ev-{mid}") label=g(GrowthMsg::EvidenceFor) error value=m.evidence.clone()/>
                        <TextArea name="links" id=format!("links-{mid}") label=g(GrowthMsg::EvidenceLinks) error value=m.evidence_links.join("\n")/>
                    })}
                    <Submit label=g(if done { GrowthMsg::MarkNotDone } else { GrowthMsg::MarkDone }) pending=complete.pending() aria_label=mark_label.clone()/>
                </ActionForm>
                <details>
                    <summary>{move || i18n.t(g(GrowthMsg::EditMilestone))}</summary>
                    <ActionForm action=edit>
                        <FormStatus error=edit_error/>
                        <input type="hidden" name="milestone" value=mid.to_string()/>
                        <Field name="title" id=format!("em-title-{mid}") label=g(GrowthMsg::MilestoneTitle) value=title.clone() required=true error=edit_error/>
                        <Field name="due_on" id=format!("em-due-{mid}") label=g(GrowthMsg::DueOn) kind="date" value=due_on.clone() required=true error=edit_error/>
                        <Submit label=Msg::Save pending=edit.pending()/>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

// ------------------------------------------------------------------ overview

#[component]
pub fn OverviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let changed = Refresh::provide();
    let apply = ServerAction::<ApplyTemplate>::new();
    changed.on_success(apply.value());
    let create = ServerAction::<CreateTemplate>::new();
    changed.on_success(create.value());
    let overview = Resource::new(
        move || {
            let slug = params.with(|p| p.get("slug").unwrap_or_default());
            let (sort, desc, page) = query.with(|q| {
                let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                (q.get("sort").unwrap_or_default(), q.get("desc").as_deref() == Some("true"), page)
            });
            (slug, sort, desc, page, changed.version())
        },
        |(slug, sort, desc, page, _)| get_overview(slug, sort, desc, page),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (sort, desc) = query.with_untracked(|q| (q.get("sort").unwrap_or_default(), q.get("desc").as_deref() == Some("true")));
                match overview.await {
                    Ok(o) => view! { <OverviewView o apply create sort desc/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OverviewView(
    o: Overview,
    apply: ServerAction<ApplyTemplate>,
    create: ServerAction<CreateTemplate>,
    sort: String,
    desc: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let apply_error = action_error(apply.value());
    let create_error = action_error(create.value());
    let created = Signal::derive(move || matches!(create.value().get(), Some(Ok(()))));
    let slug_for_create = o.studio_slug.clone();
    let slug = o.studio_slug.clone();
    let sort_key = if sort.is_empty() { "name".to_owned() } else { sort };
    let sort_link = {
        let slug = slug.clone();
        let current = sort_key.clone();
        move |key: &'static str, label: Msg| {
            let href = format!("/studios/{slug}/growth?sort={key}&desc={}", key != "name");
            let aria_sort = (current == key).then_some(if desc { "descending" } else { "ascending" });
            view! { <th scope="col" aria-sort=aria_sort><a href=href>{move || i18n.t(label)}</a></th> }
        }
    };
    let quota = o.quota_tenths;
    let plan_slug = slug.clone();
    let rows = o.rows.clone();
    let mentees = o.rows.clone();
    let templates = o.templates.clone();
    let year = format!("{} – {}", o.year_start, o.year_end.pred_opt().unwrap_or(o.year_end));
    view! {
        <section class="card wide">
            <h1>{move || i18n.t(g(GrowthMsg::StudioOverview))} " · " {o.studio_name.clone()}</h1>
            <p class="muted">{move || i18n.t(g(GrowthMsg::QuotaYear))} " " {year}</p>
            <p><a href=format!("/studios/{slug}/growth/export.csv") download="">{move || i18n.t(g(GrowthMsg::ExportCsv))}</a></p>
            <ScrollTable label=g(GrowthMsg::StudioOverview)>
                <table class="overview">
                    <thead><tr>
                        {sort_link("name", g(GrowthMsg::ColMentee))}
                        {sort_link("goals", g(GrowthMsg::ColGoals))}
                        {sort_link("overdue", g(GrowthMsg::ColOverdue))}
                        {sort_link("hours", g(GrowthMsg::ColHoursVsQuota))}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let plan = format!("/studios/{plan_slug}/plans/{}", r.mentee_id);
                            let hours = format!("/hours/{}", r.mentee_id);
                            view! {
                                <tr>
                                    <th scope="row"><a href=plan>{r.mentee_name.clone()}</a></th>
                                    <td>{format!("{}/{}", r.goals_done, r.goals_total)}</td>
                                    <td class={if r.overdue_milestones > 0 { "warn" } else { "" }}>{r.overdue_milestones}</td>
                                    <td><a href=hours>{format!("{} / {}", format_tenths(r.hours_tenths), format_tenths(quota))}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
            {o.rows.is_empty().then(|| view! { <p class="muted">{move || i18n.t(g(GrowthMsg::NoMentees))}</p> })}
            {(o.pages > 1).then(|| {
                let (slug, sort) = (slug.clone(), sort_key.clone());
                view! {
                    <Pager page=o.page pages=o.pages
                        href=move |n| format!("/studios/{slug}/growth?sort={sort}&desc={desc}&page={n}")/>
                }
            })}
        </section>
        {o.is_host.then(|| view! {
            <section class="card">
                <h2>{move || i18n.t(g(GrowthMsg::ApplyTemplateTitle))}</h2>
                <ActionForm action=apply>
                    <FormStatus error=apply_error/>
                    {move || apply.value().get().and_then(|r| r.ok()).map(|n| view! {
                        <p class="success" role="status">{i18n.fill(g(GrowthMsg::GoalsAdded), &[("n", &n)])}</p>
                    })}
                    <input type="hidden" name="studio" value=o.studio_slug.clone()/>
                    <div class="field">
                        <label for="apply-template">{move || i18n.t(g(GrowthMsg::Template))}</label>
                        <select id="apply-template" name="template">
                            {templates.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <fieldset>
                        <legend>{move || i18n.t(g(GrowthMsg::ChooseMentees))}</legend>
                        {mentees.into_iter().enumerate().map(|(i, r)| {
                            let id = format!("apply-mentee-{i}");
                            view! {
                                <div class="check">
                                    <input type="checkbox" id=id.clone() name=format!("mentees[{i}]") value=r.mentee_id.to_string()/>
                                    <label for=id>{r.mentee_name.clone()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                    <Submit label=g(GrowthMsg::ApplyTemplate) pending=apply.pending() class="primary"/>
                </ActionForm>
            </section>
            <section class="card">
                <h2>{move || i18n.t(g(GrowthMsg::NewTemplateTitle))}</h2>
                <ActionForm action=create>
                    <FormStatus error=create_error success=created success_msg=g(GrowthMsg::TemplateCreated)/>
                    <input type="hidden" name="studio" value=slug_for_create.clone()/>
                    <Field name="name" id="template-name" label=g(GrowthMsg::TemplateName) required=true error=create_error/>
                    <TextArea name="goals" id="template-goals" label=g(GrowthMsg::TemplateLines) required=true error=create_error/>
                    <Submit label=g(GrowthMsg::CreateTemplate) pending=create.pending()/>
                </ActionForm>
            </section>
        })}
    }
}
