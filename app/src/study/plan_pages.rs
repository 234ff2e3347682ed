//! The plan of a study: editing in sections with numbered versions, comments on sections, and a
//! side-by-side comparison of two versions.

use super::api::*;
use super::pages::study_id_param;
use super::rules::DiffRow;
use super::{Comparison, PlanPage, SaveOutcome, SectionKind, StudyMsg};
use crate::accounts::Viewer;
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Submit};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn t(m: StudyMsg) -> Msg {
    Msg::from(m)
}

// ---------------------------------------------------------------------------------------------
// The plan: editing, versions, comments

#[component]
pub fn PlanPageView() -> impl IntoView {
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
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <PlanView page save comment/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::PageNotFound/> }.into_any(),
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
        <p class="muted"><a href=format!("/studies/{id}")>{move || i18n.t(t(StudyMsg::BackToStudy))}</a></p>
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
                    <Submit label=t(StudyMsg::SaveVersion) pending=save.pending() class="primary"/>
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
                <TextArea name="body" label=t(StudyMsg::CommentBody) error=comment_error id="field-body-plan"/>
                <FormStatus error=comment_error/>
                <Submit label=t(StudyMsg::PostComment) pending=comment.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
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
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <CompareView c/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::PageNotFound/> }.into_any(),
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
        <p class="muted"><a href=format!("/studies/{}/plan", c.study_id)>{move || i18n.t(t(StudyMsg::BackToPlan))}</a></p>
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
