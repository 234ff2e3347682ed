//! Studio pages: directory, create, studio page (with membership management), edit,
//! invitation and "my studios". Forms are `ActionForm`s and work without JavaScript.

use super::api::*;
use super::rules::{can, StudioAction};
use super::{JoinPolicy, MyStudios, StudioMsg, StudioPage, StudioRole, StudioSummary, Visibility};
use crate::accounts::Viewer;
use crate::kit::forms::{action_error, Choice, Field, FormStatus, TextArea};
use crate::kit::i18n::{use_i18n, Locale, Msg};
use crate::kit::time::{format_date_time, format_range};
use crate::kit::view::{LoadError, Loading, Pager, Refresh, Submit};
use crate::lessons::LessonSummary;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn s(m: StudioMsg) -> Msg {
    Msg::from(m)
}

fn visibility_options() -> Vec<(&'static str, Msg)> {
    Visibility::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

fn policy_options() -> Vec<(&'static str, Msg)> {
    JoinPolicy::ALL.iter().map(|p| (p.code(), p.label())).collect()
}

#[component]
fn StudioCard(studio: StudioSummary) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let at = studio.last_activity_at;
    view! {
        <li class="studio-card">
            <h3><a href=format!("/studios/{}", studio.slug)>{studio.name}</a></h3>
            <p class="muted">
                {studio.subject} " · " {studio.district} " · " {move || i18n.t(s(StudioMsg::HostHeading))} ": " {studio.host_name}
                " · " {move || i18n.fill(s(StudioMsg::Members), &[("n", &studio.member_count)])}
            </p>
            <p>{studio.description}</p>
            <p class="muted small">{move || i18n.t(s(StudioMsg::LastActive))} ": " {move || format_date_time(at, &tz, i18n.locale.get())}</p>
        </li>
    }
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).unwrap_or_default());
    let page_no = move || param("page").parse::<u32>().unwrap_or(1).max(1);
    let results = Resource::new(
        move || (param("q"), param("subject"), param("district"), page_no()),
        |(q, subject, district, page)| studio_directory(q, subject, district, page),
    );
    let signed_in = expect_context::<Viewer>().user.is_some();
    view! {
        <h1>{move || i18n.t(s(StudioMsg::DirectoryTitle))}</h1>
        {signed_in.then(|| view! { <p><a href="/studios/new" class="button">{move || i18n.t(s(StudioMsg::CreateStudio))}</a></p> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match results.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok(found) => {
                        let (q, subject, district) = (param("q"), param("subject"), param("district"));
                        let pages = (found.total as u32).div_ceil(found.per_page).max(1);
                        let link = {
                            let (q, subject, district) = (q.clone(), subject.clone(), district.clone());
                            move |page: u32| {
                                let enc = |v: &str| js_escape(v);
                                format!("/studios?q={}&subject={}&district={}&page={page}", enc(&q), enc(&subject), enc(&district))
                            }
                        };
                        let page = found.page;
                        view! {
                            <Form method="GET" action="/studios" attr:class="search">
                                <div class="field">
                                    <label for="studio-q">{move || i18n.t(s(StudioMsg::SearchLabel))}</label>
                                    <input id="studio-q" type="search" name="q" value=q maxlength="100"/>
                                </div>
                                <div class="field">
                                    <label for="studio-subject">{move || i18n.t(s(StudioMsg::SubjectFilter))}</label>
                                    <select id="studio-subject" name="subject">
                                        <option value="">{move || i18n.t(s(StudioMsg::AllSubjects))}</option>
                                        {found.subjects.iter().map(|v| view! { <option value=v.clone() selected=*v == subject>{v.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="studio-district">{move || i18n.t(s(StudioMsg::DistrictFilter))}</label>
                                    <select id="studio-district" name="district">
                                        <option value="">{move || i18n.t(s(StudioMsg::AllDistricts))}</option>
                                        {found.districts.iter().map(|v| view! { <option value=v.clone() selected=*v == district>{v.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="primary">{move || i18n.t(s(StudioMsg::Search))}</button>
                            </Form>
                            <h2 class="results-count" aria-live="polite">{move || i18n.fill(s(StudioMsg::ResultsTotal), &[("n", &found.total)])}</h2>
                            {if found.studios.is_empty() {
                                view! { <p>{move || i18n.t(s(StudioMsg::NoStudiosFound))}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="studio-list">
                                        {found.studios.into_iter().map(|studio| view! { <StudioCard studio/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <Pager page pages href=link/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Percent-encodes a query value.
fn js_escape(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
pub fn NewStudioPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateStudio>::new();
    let error = action_error(action.value());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(slug)) = action.value().get() {
            navigate(&format!("/studios/{slug}"), Default::default());
        }
    });
    view! {
        <section class="card">
            <h1>{move || i18n.t(s(StudioMsg::CreateStudioTitle))}</h1>
            <ActionForm action>
                <FormStatus error/>
                <Field name="name" label=s(StudioMsg::Name) required=true error/>
                <Field name="slug" label=s(StudioMsg::Slug) hint=s(StudioMsg::SlugHint) error/>
                <TextArea name="description" label=s(StudioMsg::Description) error/>
                <Field name="subject" label=Msg::Subject required=true error/>
                <Field name="district" label=Msg::District required=true error/>
                <Field name="school" label=s(StudioMsg::School) error/>
                <Choice name="visibility" label=s(StudioMsg::Visibility) options=visibility_options() selected="public" error/>
                <Choice name="join_policy" label=s(StudioMsg::JoinPolicy) options=policy_options() selected="request" error/>
                <Submit label=s(StudioMsg::Create) pending=action.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}

/// All the actions of the studio page; the page reloads its data after any of them succeeds.
#[derive(Clone, Copy)]
struct StudioActions {
    request: ServerAction<RequestToJoin>,
    join: ServerAction<JoinStudio>,
    leave: ServerAction<LeaveStudio>,
    decide: ServerAction<DecideRequest>,
    set_role: ServerAction<SetMemberRole>,
    hand_over: ServerAction<HandOverStudio>,
    remove: ServerAction<RemoveMember>,
    invite: ServerAction<CreateInvitation>,
    revoke: ServerAction<RevokeInvitation>,
}

impl StudioActions {
    fn new() -> StudioActions {
        StudioActions {
            request: ServerAction::new(),
            join: ServerAction::new(),
            leave: ServerAction::new(),
            decide: ServerAction::new(),
            set_role: ServerAction::new(),
            hand_over: ServerAction::new(),
            remove: ServerAction::new(),
            invite: ServerAction::new(),
            revoke: ServerAction::new(),
        }
    }

    /// Reads the page's data again after each success of any of them.
    fn refresh_page(self, refresh: Refresh) {
        refresh.on_success(self.request.value());
        refresh.on_success(self.join.value());
        refresh.on_success(self.leave.value());
        refresh.on_success(self.decide.value());
        refresh.on_success(self.set_role.value());
        refresh.on_success(self.hand_over.value());
        refresh.on_success(self.remove.value());
        refresh.on_success(self.invite.value());
        refresh.on_success(self.revoke.value());
    }
}

#[component]
pub fn StudioPageView() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let actions = StudioActions::new();
    provide_context(actions);
    let refresh = Refresh::provide();
    actions.refresh_page(refresh);
    let page = Resource::new(move || (slug(), refresh.version()), |(slug, _)| load_studio_page(slug));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <StudioView page/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::PageNotFound/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StudioView(page: StudioPage) -> impl IntoView {
    let i18n = use_i18n();
    let standing = page.standing;
    let allowed = move |action| can(standing, action, page.facts).is_ok();
    let slug = page.slug.clone();
    view! {
        <article class="studio">
            <header class="studio-head">
                <h1>{page.name.clone()}</h1>
                <p class="muted">{page.subject.clone()} " · " {page.district.clone()} {(!page.school.is_empty()).then(|| format!(" · {}", page.school))}</p>
                {page.facts.archived.then(|| view! { <p class="notice">{move || i18n.t(s(StudioMsg::ArchivedNotice))}</p> })}
                {standing.role.map(|role| view! { <p>{move || i18n.t(s(StudioMsg::YourRole))} <strong>{move || i18n.t(role.label())}</strong></p> })}
                {allowed(StudioAction::Edit).then(|| view! { <p><a href=format!("/studios/{slug}/edit")>{move || i18n.t(s(StudioMsg::EditStudio))}</a></p> })}
            </header>
            <p class="description">{page.description.clone()}</p>
            <JoinSection page=page.clone()/>
            <section aria-labelledby="people-heading">
                <h2 id="people-heading">{move || i18n.t(s(StudioMsg::MembersHeading))}</h2>
                <p>
                    <strong>{move || i18n.t(s(StudioMsg::HostHeading))} ": "</strong> {page.host.display_name.clone()}
                    {(!page.host.school.is_empty()).then(|| format!(" · {}", page.host.school))}
                </p>
                <p>
                    <strong>{move || i18n.t(s(StudioMsg::MentorsHeading))} ": "</strong>
                    {
                        let mentors: Vec<String> = page.mentors.iter().map(|m| m.display_name.clone()).collect();
                        move || if mentors.is_empty() { "—".to_owned() } else { mentors.join(if i18n.locale.get() == Locale::En { ", " } else { "、" }) }
                    }
                </p>
                <p>{move || i18n.fill(s(StudioMsg::MenteeCount), &[("n", &page.mentee_count)])}</p>
                {page.members.clone().map(|members| view! { <MemberList page=page.clone() members/> })}
            </section>
            {page.requests.clone().map(|requests| view! { <RequestList slug=page.slug.clone() requests/> })}
            {page.invitations.clone().map(|invitations| view! { <InvitationList slug=page.slug.clone() invitations/> })}
            <section aria-labelledby="lessons-heading">
                <h2 id="lessons-heading">{move || i18n.t(s(StudioMsg::LessonsHeading))}</h2>
                <LessonList lessons=page.upcoming_lessons.clone()/>
            </section>
            <GrowthSection slug=page.slug.clone() role=standing.role/>
            <section aria-labelledby="studies-heading">
                <h2 id="studies-heading">{move || i18n.t(s(StudioMsg::StudiesHeading))}</h2>
                <p>
                    {move || i18n.t(s(StudioMsg::StudiesRunning))} ": " {page.studies_running}
                    " · " {move || i18n.t(s(StudioMsg::StudiesClosed))} ": " {page.studies_closed}
                </p>
                {standing.role.is_some().then(|| view! { <p><a href="/studies">{move || i18n.t(s(StudioMsg::MyStudiesLink))}</a></p> })}
            </section>
            <ActivityList activity=page.activity.clone()/>
        </article>
    }
}

/// Links into the growth area: the overview for the host and mentors, one's own plan for a mentee.
#[component]
fn GrowthSection(slug: String, role: Option<StudioRole>) -> impl IntoView {
    let i18n = use_i18n();
    let me = expect_context::<Viewer>().user.map(|u| u.id);
    let link = match (role, me) {
        (Some(r), _) if r.leads() => Some((format!("/studios/{slug}/growth"), StudioMsg::GrowthOverviewLink)),
        (Some(StudioRole::Mentee), Some(me)) => Some((format!("/studios/{slug}/plans/{me}"), StudioMsg::MyPlanLink)),
        _ => None,
    };
    // The host and mentors also keep the studio's yearly record (this quota year's).
    let record = role.filter(|r| r.leads()).map(|_| crate::records::studio_year::api::record_path(&slug, "current"));
    let record_label = crate::kit::i18n::Msg::from(crate::records::studio_year::StudioYearMsg::RecordLink);
    view! {
        <section aria-labelledby="growth-heading">
            <h2 id="growth-heading">{move || i18n.t(s(StudioMsg::GrowthHeading))}</h2>
            <p class="muted">{move || i18n.t(s(StudioMsg::GrowthIntro))}</p>
            {link.map(|(href, label)| view! { <p><a href=href>{move || i18n.t(s(label))}</a></p> })}
            {record.map(|href| view! { <p><a href=href>{move || i18n.t(record_label)}</a></p> })}
        </section>
    }
}

#[component]
fn LessonList(lessons: Vec<LessonSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    if lessons.is_empty() {
        return view! { <p class="muted">{move || i18n.t(s(StudioMsg::NoLessons))}</p> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {lessons
                .into_iter()
                .map(|l| {
                    let tz = tz.clone();
                    view! {
                        <li>
                            <time datetime=l.starts_at.to_rfc3339()>{move || format_range(l.starts_at, l.ends_at, &tz, i18n.locale.get())}</time>
                            " · " {l.title} " · " {l.teacher_name}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ActivityList(activity: Vec<super::Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    view! {
        <section aria-labelledby="activity-heading">
            <h2 id="activity-heading">{move || i18n.t(s(StudioMsg::ActivityHeading))}</h2>
            {if activity.is_empty() {
                view! { <p class="muted">{move || i18n.t(s(StudioMsg::NoActivity))}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {activity
                            .into_iter()
                            .map(|a| {
                                let tz = tz.clone();
                                let what = a.kind.reads_as(a.role);
                                // Outsiders see a role instead of a mentee's name.
                                let who = if a.who.is_empty() { a.role.unwrap_or(StudioRole::Mentee).label() } else { Msg::AppName };
                                let name = a.who.clone();
                                view! {
                                    <li>
                                        <time datetime=a.at.to_rfc3339()>{move || format_date_time(a.at, &tz, i18n.locale.get())}</time>
                                        " " {move || if name.is_empty() { i18n.t(who).to_owned() } else { name.clone() }}
                                        " " {move || i18n.t(what)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn JoinSection(page: StudioPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudioActions>();
    let standing = page.standing;
    if page.facts.archived {
        return ().into_any();
    }
    let slug = page.slug.clone();
    let body = if standing.role.is_some() {
        if standing.role == Some(StudioRole::Host) {
            return ().into_any();
        }
        let error = action_error(actions.leave.value());
        view! {
            <ActionForm action=actions.leave>
                <FormStatus error/>
                <input type="hidden" name="studio" value=slug/>
                <Submit label=s(StudioMsg::Leave) pending=actions.leave.pending() class="secondary"/>
            </ActionForm>
        }
        .into_any()
    } else if standing.pending {
        view! { <p class="notice">{move || i18n.t(s(StudioMsg::PendingNotice))}</p> }.into_any()
    } else if !standing.signed_in {
        view! { <p><a href="/sign-in">{move || i18n.t(s(StudioMsg::SignInToJoin))}</a></p> }.into_any()
    } else {
        match page.facts.join_policy {
            JoinPolicy::Open => {
                let error = action_error(actions.join.value());
                view! {
                    <ActionForm action=actions.join>
                        <FormStatus error/>
                        <input type="hidden" name="studio" value=slug/>
                        <Submit label=s(StudioMsg::JoinNow) pending=actions.join.pending() class="primary"/>
                    </ActionForm>
                }
                .into_any()
            }
            JoinPolicy::Request => {
                let error = action_error(actions.request.value());
                view! {
                    <ActionForm action=actions.request>
                        <FormStatus error/>
                        <input type="hidden" name="studio" value=slug/>
                        <TextArea name="message" label=s(StudioMsg::RequestMessage) error/>
                        <Submit label=s(StudioMsg::RequestToJoin) pending=actions.request.pending() class="primary"/>
                    </ActionForm>
                }
                .into_any()
            }
            JoinPolicy::InviteOnly => {
                view! { <p class="muted">{move || i18n.t(s(StudioMsg::InviteOnlyNotice))}</p> }.into_any()
            }
        }
    };
    view! {
        <section class="card" aria-labelledby="join-heading">
            <h2 id="join-heading">{move || i18n.t(s(StudioMsg::JoinHeading))}</h2>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn MemberList(page: StudioPage, members: Vec<super::Member>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudioActions>();
    let is_host = page.standing.role == Some(StudioRole::Host) && !page.facts.archived;
    let tz = expect_context::<Viewer>().time_zone;
    let errors = Signal::derive(move || {
        action_error(actions.set_role.value())
            .get()
            .or_else(|| action_error(actions.hand_over.value()).get())
            .or_else(|| action_error(actions.remove.value()).get())
    });
    view! {
        <FormStatus error=errors/>
        <ul class="member-list">
            {members
                .into_iter()
                .map(|m| {
                    let slug = page.slug.clone();
                    let tz = tz.clone();
                    let user = m.person.id.to_string();
                    let since = m.since;
                    let manage = (is_host && m.role != StudioRole::Host).then(|| {
                        let (to_role, to_label) = match m.role {
                            StudioRole::Mentee => ("mentor", s(StudioMsg::MakeMentor)),
                            _ => ("mentee", s(StudioMsg::MakeMentee)),
                        };
                        let name = m.person.display_name.clone();
                        let (slug2, slug3, user2, user3) = (slug.clone(), slug.clone(), user.clone(), user.clone());
                        view! {
                            <div class="member-actions">
                                <ActionForm action=actions.set_role attr:class="inline">
                                    <input type="hidden" name="studio" value=slug/>
                                    <input type="hidden" name="user" value=user/>
                                    <input type="hidden" name="role" value=to_role/>
                                    <Submit label=to_label pending=actions.set_role.pending() class="small" aria_label=move || format!("{} {name}", i18n.t(to_label))/>
                                </ActionForm>
                                <ActionForm action=actions.hand_over attr:class="inline">
                                    <input type="hidden" name="studio" value=slug2/>
                                    <input type="hidden" name="user" value=user2/>
                                    <Submit label=s(StudioMsg::HandOver) pending=actions.hand_over.pending() class="small"/>
                                </ActionForm>
                                <ActionForm action=actions.remove attr:class="inline">
                                    <input type="hidden" name="studio" value=slug3/>
                                    <input type="hidden" name="user" value=user3/>
                                    <Submit label=s(StudioMsg::Remove) pending=actions.remove.pending() class="small danger"/>
                                </ActionForm>
                            </div>
                        }
                    });
                    view! {
                        <li class="member">
                            <span class="member-name">{m.person.display_name.clone()}</span>
                            " " <span class="chip chip-accent">{move || i18n.t(m.role.label())}</span>
                            " " <span class="muted small">{move || i18n.t(s(StudioMsg::MemberSince))} " " {move || format_date_time(since, &tz, i18n.locale.get())}</span>
                            {manage}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn RequestList(slug: String, requests: Vec<super::JoinRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudioActions>();
    let error = action_error(actions.decide.value());
    view! {
        <section class="card" aria-labelledby="requests-heading">
            <h2 id="requests-heading">{move || i18n.t(s(StudioMsg::RequestsHeading))}</h2>
            <FormStatus error/>
            {if requests.is_empty() {
                view! { <p class="muted">{move || i18n.t(s(StudioMsg::NoRequests))}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {requests
                            .into_iter()
                            .map(|r| {
                                let field_id = format!("reply-{}", r.user.id);
                                let slug = slug.clone();
                                let (approve_name, decline_name) = (r.user.display_name.clone(), r.user.display_name.clone());
                                view! {
                                    <li class="request">
                                        <p><strong>{r.user.display_name.clone()}</strong> " " <span class="muted">{r.user.school.clone()}</span></p>
                                        {(!r.message.is_empty()).then(|| view! { <blockquote>{r.message.clone()}</blockquote> })}
                                        <ActionForm action=actions.decide>
                                            <input type="hidden" name="studio" value=slug/>
                                            <input type="hidden" name="user" value=r.user.id.to_string()/>
                                            <div class="field">
                                                <label for=field_id.clone()>{move || i18n.t(s(StudioMsg::DecisionMessage))}</label>
                                                <input id=field_id name="message" maxlength="500"/>
                                            </div>
                                            <Submit label=move || format!("{} {approve_name}", i18n.t(s(StudioMsg::Approve))) pending=actions.decide.pending() class="primary" name="decision" value="approve"/>
                                            " "
                                            <Submit label=move || format!("{} {decline_name}", i18n.t(s(StudioMsg::Decline))) pending=actions.decide.pending() class="secondary" name="decision" value="decline"/>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The origin links are shown with (the page's own, in the browser; the request's Host, on the server).
fn site_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|p| crate::kit::context::request_origin(&p.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        window().location().origin().unwrap_or_default()
    }
}

#[component]
fn InvitationList(slug: String, invitations: Vec<super::InvitationView>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudioActions>();
    let error = action_error(actions.invite.value());
    let revoke_error = action_error(actions.revoke.value());
    let tz = expect_context::<Viewer>().time_zone;
    let created = move || actions.invite.value().get().and_then(|r| r.ok());
    let role_options = vec![("mentee", StudioRole::Mentee.label()), ("mentor", StudioRole::Mentor.label())];
    let form_slug = slug.clone();
    view! {
        <section class="card" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">{move || i18n.t(s(StudioMsg::InvitationsHeading))}</h2>
            <ActionForm action=actions.invite>
                <FormStatus error/>
                <input type="hidden" name="studio" value=form_slug/>
                <Choice name="role" label=s(StudioMsg::InvitationRole) options=role_options selected="mentee" error/>
                <Field name="days" label=s(StudioMsg::ExpiresInDays) kind="number" value="14" required=true error/>
                <Field name="max_uses" label=s(StudioMsg::MaxUses) kind="number" value="10" required=true error/>
                <Submit label=s(StudioMsg::NewInvitation) pending=actions.invite.pending() class="primary"/>
            </ActionForm>
            {move || created().map(|path| {
                let url = format!("{}{path}", site_origin());
                view! {
                    <div class="notice" role="status">
                        <label for="new-invitation-link">{move || i18n.t(s(StudioMsg::InvitationCreated))}</label>
                        <input id="new-invitation-link" readonly value=url/>
                    </div>
                }
            })}
            <FormStatus error=revoke_error/>
            {if invitations.is_empty() {
                view! { <p class="muted">{move || i18n.t(s(StudioMsg::NoInvitations))}</p> }.into_any()
            } else {
                view! {
                    <table class="invitations">
                        <thead><tr>
                            <th scope="col">{move || i18n.t(s(StudioMsg::InvitationRole))}</th>
                            <th scope="col">{move || i18n.t(s(StudioMsg::Uses))}</th>
                            <th scope="col">{move || i18n.t(s(StudioMsg::Expires))}</th>
                            <th scope="col"><span class="visually-hidden">{move || i18n.t(s(StudioMsg::Revoke))}</span></th>
                        </tr></thead>
                        <tbody>
                            {invitations
                                .into_iter()
                                .map(|inv| {
                                    let tz = tz.clone();
                                    let slug = slug.clone();
                                    view! {
                                        <tr>
                                            <td>{move || i18n.t(inv.role.label())}</td>
                                            <td>{inv.uses} " / " {inv.max_uses}</td>
                                            <td>{move || format_date_time(inv.expires_at, &tz, i18n.locale.get())}</td>
                                            <td>
                                                {if inv.revoked {
                                                    view! { <span class="muted">{move || i18n.t(s(StudioMsg::Revoked))}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=actions.revoke attr:class="inline">
                                                            <input type="hidden" name="studio" value=slug/>
                                                            <input type="hidden" name="invitation" value=inv.id.to_string()/>
                                                            <Submit label=s(StudioMsg::Revoke) pending=actions.revoke.pending() class="small"/>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn EditStudioPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let page = Resource::new(slug, load_studio_page);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <EditStudioForms page/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditStudioForms(page: StudioPage) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateStudio>::new();
    let error = action_error(update.value());
    let archive = ServerAction::<ArchiveStudio>::new();
    let archive_error = action_error(archive.value());
    let navigate = use_navigate();
    let target = format!("/studios/{}", page.slug);
    let archive_slug = page.slug.clone();
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(()))) || matches!(archive.value().get(), Some(Ok(()))) {
            navigate(&target, Default::default());
        }
    });
    view! {
        <section class="card">
            <h1>{move || i18n.t(s(StudioMsg::EditStudio))} " · " {page.name.clone()}</h1>
            <ActionForm action=update>
                <FormStatus error/>
                <input type="hidden" name="studio" value=page.slug.clone()/>
                <Field name="name" label=s(StudioMsg::Name) value=page.name.clone() required=true error/>
                <TextArea name="description" label=s(StudioMsg::Description) value=page.description.clone() error/>
                <Field name="subject" label=Msg::Subject value=page.subject.clone() required=true error/>
                <Field name="district" label=Msg::District value=page.district.clone() required=true error/>
                <Field name="school" label=s(StudioMsg::School) value=page.school.clone() error/>
                <Choice name="visibility" label=s(StudioMsg::Visibility) options=visibility_options() selected=page.facts.visibility.code() error/>
                <Choice name="join_policy" label=s(StudioMsg::JoinPolicy) options=policy_options() selected=page.facts.join_policy.code() error/>
                <Submit label=Msg::Save pending=update.pending() class="primary"/>
            </ActionForm>
        </section>
        <section class="card">
            <h2>{move || i18n.t(s(StudioMsg::Archive))}</h2>
            <p>{move || i18n.t(s(StudioMsg::ArchiveHint))}</p>
            <ActionForm action=archive>
                <FormStatus error=archive_error/>
                <input type="hidden" name="studio" value=archive_slug/>
                <Submit label=s(StudioMsg::Archive) pending=archive.pending() class="danger"/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let preview = Resource::new(token, load_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = action_error(accept.value());
    let signed_in = expect_context::<Viewer>().user.is_some();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(slug)) = accept.value().get() {
            navigate(&format!("/studios/{slug}"), Default::default());
        }
    });
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(s(StudioMsg::InvitationTitle))}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(err) => view! { <LoadError err/> }.into_any(),
                        Ok(p) => view! {
                            <h2>{p.studio_name.clone()}</h2>
                            <p>{move || i18n.t(s(StudioMsg::InvitedAs))} <strong>{move || i18n.t(p.role.label())}</strong></p>
                            {match (p.problem, signed_in) {
                                (Some(problem), _) => view! { <p class="error">{move || i18n.t(s(problem))}</p> }.into_any(),
                                (None, false) => view! {
                                    <p>{move || i18n.t(s(StudioMsg::SignInToAccept))}</p>
                                    <p><a href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</a> " · " <a href="/register">{move || i18n.t(Msg::NavRegister)}</a></p>
                                }.into_any(),
                                (None, true) => view! {
                                    <ActionForm action=accept>
                                        <FormStatus error/>
                                        <input type="hidden" name="token" value=token()/>
                                        <Submit label=s(StudioMsg::Accept) pending=accept.pending() class="primary"/>
                                    </ActionForm>
                                }.into_any(),
                            }}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn MyStudiosPage() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideRequest>::new();
    let mine = Resource::new(move || decide.version().get(), |_| load_my_studios());
    view! {
        <h1>{move || i18n.t(s(StudioMsg::MyStudiosTitle))}</h1>
        <p><a href="/studios/new" class="button">{move || i18n.t(s(StudioMsg::CreateStudio))}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match mine.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok(mine) => view! { <MyStudiosLists mine decide/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MyStudiosLists(mine: MyStudios, decide: ServerAction<DecideRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(decide.value());
    let group = move |heading: StudioMsg, studios: Vec<StudioSummary>| {
        view! {
            <section>
                <h2>{move || i18n.t(s(heading))}</h2>
                {if studios.is_empty() {
                    view! { <p class="muted">{move || i18n.t(s(StudioMsg::NothingHere))}</p> }.into_any()
                } else {
                    view! { <ul class="studio-list">{studios.into_iter().map(|studio| view! { <StudioCard studio/> }).collect_view()}</ul> }.into_any()
                }}
            </section>
        }
    };
    view! {
        {group(StudioMsg::Hosting, mine.hosting)}
        {group(StudioMsg::Mentoring, mine.mentoring)}
        {group(StudioMsg::MemberOf, mine.member_of)}
        {group(StudioMsg::PendingRequests, mine.pending_requests)}
        {(!mine.declined_requests.is_empty()).then(|| view! {
            <section>
                <h2>{move || i18n.t(s(StudioMsg::DeclinedRequests))}</h2>
                <ul class="plain-list">
                    {mine.declined_requests.into_iter().map(|(studio, message)| view! {
                        <li>
                            <a href=format!("/studios/{}", studio.slug)>{studio.name.clone()}</a>
                            {(!message.is_empty()).then(|| view! { <blockquote>{message.clone()}</blockquote> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section>
            <h2>{move || i18n.t(s(StudioMsg::ToDecide))}</h2>
            <FormStatus error/>
            {if mine.to_decide.is_empty() {
                view! { <p class="muted">{move || i18n.t(s(StudioMsg::NothingHere))}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {mine.to_decide.into_iter().map(|(studio, r)| {
                            let (approve_name, decline_name) = (r.user.display_name.clone(), r.user.display_name.clone());
                            view! {
                            <li class="request">
                                <p>
                                    <strong>{r.user.display_name.clone()}</strong> " → "
                                    <a href=format!("/studios/{}", studio.slug)>{studio.name.clone()}</a>
                                </p>
                                {(!r.message.is_empty()).then(|| view! { <blockquote>{r.message.clone()}</blockquote> })}
                                <ActionForm action=decide attr:class="inline">
                                    <input type="hidden" name="studio" value=studio.slug.clone()/>
                                    <input type="hidden" name="user" value=r.user.id.to_string()/>
                                    <input type="hidden" name="message" value=""/>
                                    <Submit label=move || format!("{} {approve_name}", i18n.t(s(StudioMsg::Approve))) pending=decide.pending() class="small" name="decision" value="approve"/>
                                    " "
                                    <Submit label=move || format!("{} {decline_name}", i18n.t(s(StudioMsg::Decline))) pending=decide.pending() class="small secondary" name="decision" value="decline"/>
                                </ActionForm>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
