//! District parts of pages: the consent switches and the access log on the profile page.

use super::api::*;
use super::{AdminDistrict, DistrictMsg, RecordViews, SchoolStage, SchoolStatus, Sharing};
use crate::accounts::Viewer;
use crate::kit::forms::{action_error, Choice, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Refresh, ScrollTable, Submit};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

fn t(m: DistrictMsg) -> Msg {
    Msg::from(m)
}

/// "Who may see my development record": what is administrative and what is personal, the two
/// switches, and who opened the record (`?views=N` pages back through the log without
/// JavaScript).
#[component]
pub fn SharingSection() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("views").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let refresh = Refresh::provide();
    // Owned here, outside the reloading part, so "saved" stays on screen after the reload.
    let save = ServerAction::<SetSharing>::new();
    refresh.on_success(save.value());
    let data = Resource::new(
        move || (refresh.version(), page()),
        |(_, page)| async move {
            Ok::<_, crate::kit::error::AppError>((get_sharing().await?, my_record_views(page).await?))
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((sharing, views)) => view! { <SharingForm sharing save/> <ViewLog views/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SharingForm(sharing: Sharing, save: ServerAction<SetSharing>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(save.value());
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    view! {
        <section class="card" aria-labelledby="sharing-heading">
            <h2 id="sharing-heading">{move || i18n.t(t(DistrictMsg::SharingHeading))}</h2>
            <p>{move || i18n.t(t(DistrictMsg::SharingAdministrative))}</p>
            <p>{move || i18n.t(t(DistrictMsg::SharingPersonal))}</p>
            {match sharing.school.clone() {
                Some((school, district)) => view! {
                    <p class="muted">{move || i18n.fill(t(DistrictMsg::YourSchool), &[("school", &school), ("district", &district)])}</p>
                }.into_any(),
                None => view! { <p class="muted">{move || i18n.t(t(DistrictMsg::NoSchoolYet))}</p> }.into_any(),
            }}
            <ActionForm action=save>
                <FormStatus error success=saved success_msg=t(DistrictMsg::SharingSaved)/>
                <p><label>
                    <input type="checkbox" name="with_school" value="on" checked=sharing.with_school/>
                    " " {move || i18n.t(t(DistrictMsg::ShareWithSchool))}
                </label></p>
                <p><label>
                    <input type="checkbox" name="with_district" value="on" checked=sharing.with_district/>
                    " " {move || i18n.t(t(DistrictMsg::ShareWithDistrict))}
                </label></p>
                <Submit label=t(DistrictMsg::SaveSharing) pending=save.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}

#[component]
fn ViewLog(views: RecordViews) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let older = views.has_more.then(|| format!("/profile?views={}", views.page + 1));
    view! {
        <section class="card" aria-labelledby="views-heading">
            <h2 id="views-heading">{move || i18n.t(t(DistrictMsg::ViewsHeading))}</h2>
            {if views.views.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(DistrictMsg::NoViews))}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">{move || i18n.t(t(DistrictMsg::Viewer))}</th>
                            <th scope="col">{move || i18n.t(t(DistrictMsg::Capacity))}</th>
                            <th scope="col">{move || i18n.t(t(DistrictMsg::ViewedAt))}</th>
                        </tr></thead>
                        <tbody>
                            {views.views.into_iter().map(|v| {
                                let tz = tz.clone();
                                let capacity = v.capacity.label();
                                view! {
                                    <tr>
                                        <td>{v.viewer_name}</td>
                                        <td>{move || i18n.t(capacity)}</td>
                                        <td>{move || format_date_time(v.viewed_at, &tz, i18n.locale.get())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {older.map(|href| view! { <p><a href=href>{move || i18n.t(t(DistrictMsg::OlderViews))}</a></p> })}
        </section>
    }
}

/// The districts and their listed schools as suggestions for the district and school fields
/// (`<datalist>`: the browser filters them as one types, with or without JavaScript). A school not
/// in the list may still be typed: it becomes a request to its district's admin.
#[component]
pub fn SchoolChoices() -> impl IntoView {
    let choices = Resource::new(|| (), |_| school_choices());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let choices = choices.await.unwrap_or_default();
                view! {
                    <datalist id="district-choices">
                        {choices.districts.into_iter().map(|d| view! { <option value=d></option> }).collect_view()}
                    </datalist>
                    <datalist id="school-choices">
                        {choices.schools.into_iter().map(|(school, district)| view! { <option value=school label=district></option> }).collect_view()}
                    </datalist>
                }
            })}
        </Suspense>
    }
}

/// Where a district admin manages their schools.
pub const SCHOOLS_PATH: &str = "/district/schools";

/// The schools of the districts the viewer administers: requests to confirm or merge, leaders to
/// name or remove; teacher counts under k shown as "fewer than k". Every action is a plain form.
#[component]
pub fn SchoolsPage() -> impl IntoView {
    let i18n = use_i18n();
    let refresh = Refresh::provide();
    let actions = SchoolActions {
        confirm: ServerAction::new(),
        merge: ServerAction::new(),
        grant: ServerAction::new(),
        revoke: ServerAction::new(),
        update: ServerAction::new(),
        rules: ServerAction::new(),
    };
    refresh.on_success(actions.confirm.value());
    refresh.on_success(actions.merge.value());
    refresh.on_success(actions.grant.value());
    refresh.on_success(actions.revoke.value());
    refresh.on_success(actions.update.value());
    refresh.on_success(actions.rules.value());
    let data = Resource::new(move || refresh.version(), |_| admin_schools());
    // The forms of every row answer here, once, whichever row was sent.
    let errors = [
        action_error(actions.confirm.value()),
        action_error(actions.merge.value()),
        action_error(actions.grant.value()),
        action_error(actions.revoke.value()),
        action_error(actions.update.value()),
    ];
    view! {
        <h1>{move || i18n.t(t(DistrictMsg::SchoolsTitle))}</h1>
        <p><a href=crate::integration::api::CLIENTS_PATH>{move || i18n.t(Msg::from(crate::integration::IntegrationMsg::PageTitle))}</a></p>
        {errors.into_iter().map(|error| view! { <FormStatus error field_messages=true/> }).collect_view()}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok(districts) if districts.is_empty() => view! {
                        <p class="muted">{move || i18n.t(t(DistrictMsg::NotAdmin))}</p>
                    }.into_any(),
                    Ok(districts) => districts.into_iter().map(|d| view! { <DistrictSchools district=d actions/> }).collect_view().into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct SchoolActions {
    confirm: ServerAction<ConfirmSchool>,
    merge: ServerAction<MergeSchool>,
    grant: ServerAction<GrantLeader>,
    revoke: ServerAction<RevokeLeader>,
    update: ServerAction<UpdateSchool>,
    rules: ServerAction<crate::districts::dashboard::api::SetDistrictRules>,
}

#[component]
fn DistrictSchools(district: AdminDistrict, actions: SchoolActions) -> impl IntoView {
    let i18n = use_i18n();
    let k = district.min_cell;
    let count = move |n: Option<i64>| match n {
        Some(n) => n.to_string(),
        None => i18n.fill(t(DistrictMsg::FewerThan), &[("k", &k)]),
    };
    let listed: Vec<(Uuid, String)> =
        district.schools.iter().filter(|s| s.status == SchoolStatus::Listed).map(|s| (s.id, s.name.clone())).collect();
    let heading = format!("district-{}", district.id);
    let labelled_by = heading.clone();
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=heading>{district.name.clone()}</h2>
            <ScrollTable label=t(DistrictMsg::SchoolsTitle)>
            <table>
                <thead><tr>
                    <th scope="col">{move || i18n.t(t(DistrictMsg::School))}</th>
                    <th scope="col">{move || i18n.t(t(DistrictMsg::Status))}</th>
                    <th scope="col">{move || i18n.t(t(DistrictMsg::Stage))}</th>
                    <th scope="col">{move || i18n.t(t(DistrictMsg::Teachers))}</th>
                    <th scope="col">{move || i18n.t(t(DistrictMsg::Leaders))}</th>
                </tr></thead>
                <tbody>
                    {district.schools.into_iter().map(|s| {
                        let status = s.status.label();
                        let id = s.id.to_string();
                        let name = s.name.clone();
                        let others: Vec<(Uuid, String)> = listed.iter().filter(|(o, _)| *o != s.id).cloned().collect();
                        view! {
                            <tr>
                                <th scope="row">{s.name.clone()}</th>
                                <td>{move || i18n.t(status)}
                                    {(s.status == SchoolStatus::Requested).then(|| {
                                        let (confirm_id, merge_id) = (id.clone(), id.clone());
                                        let name = name.clone();
                                        view! {
                                            <ActionForm action=actions.confirm attr:class="inline">
                                                <input type="hidden" name="school" value=confirm_id/>
                                                <Submit label=move || i18n.fill(t(DistrictMsg::ConfirmSchool), &[("school", &name)]) pending=actions.confirm.pending()/>
                                            </ActionForm>
                                            <ActionForm action=actions.merge attr:class="inline">
                                                <input type="hidden" name="school" value=merge_id/>
                                                <label>{move || i18n.t(t(DistrictMsg::MergeInto))} " "
                                                    <select name="into">
                                                        <option value="">"—"</option>
                                                        {others.into_iter().map(|(o, n)| view! { <option value=o.to_string()>{n}</option> }).collect_view()}
                                                    </select>
                                                </label>
                                                <Submit label=t(DistrictMsg::Merge) pending=actions.merge.pending()/>
                                            </ActionForm>
                                        }
                                    })}
                                </td>
                                <td>{(s.status == SchoolStatus::Listed).then(|| {
                                    let mut stages = vec![("", t(DistrictMsg::NotSet))];
                                    stages.extend(SchoolStage::options());
                                    let locations = vec![("", t(DistrictMsg::NotSet)), ("urban", t(DistrictMsg::Urban)), ("rural", t(DistrictMsg::Rural))];
                                    let location = match s.rural { Some(true) => "rural", Some(false) => "urban", None => "" };
                                    let name = s.name.clone();
                                    // Its errors show once, at the top of the page (not on every row).
                                    view! {
                                        <ActionForm action=actions.update>
                                            <input type="hidden" name="school" value=s.id.to_string()/>
                                            <Choice name="stage" id=format!("stage-{}", s.id) label=t(DistrictMsg::Stage) options=stages selected=s.stage.map(|st| st.code()).unwrap_or_default() error=Signal::stored(None)/>
                                            <Choice name="location" id=format!("location-{}", s.id) label=t(DistrictMsg::Location) options=locations selected=location error=Signal::stored(None)/>
                                            <Submit label=move || i18n.fill(t(DistrictMsg::SaveSchool), &[("school", &name)]) pending=actions.update.pending()/>
                                        </ActionForm>
                                    }
                                })}</td>
                                <td>{count(s.teachers)}</td>
                                <td>
                                    <ul class="plain-list">
                                        {s.leaders.into_iter().map(|(leader, leader_name)| {
                                            let school = s.id.to_string();
                                            view! {
                                                <li>{leader_name.clone()}
                                                    <ActionForm action=actions.revoke attr:class="inline">
                                                        <input type="hidden" name="school" value=school/>
                                                        <input type="hidden" name="user" value=leader.to_string()/>
                                                        <Submit label=move || i18n.fill(t(DistrictMsg::RemoveLeader), &[("name", &leader_name)]) pending=actions.revoke.pending() class="secondary"/>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {(s.status == SchoolStatus::Listed).then(|| {
                                        let field = format!("leader-{}", s.id);
                                        let school = s.id.to_string();
                                        let name = s.name.clone();
                                        view! {
                                            <ActionForm action=actions.grant>
                                                <input type="hidden" name="school" value=school/>
                                                <label for=field.clone()>{move || i18n.fill(t(DistrictMsg::LeaderEmail), &[("school", &name)])}</label>
                                                <input id=field type="email" name="email" required=true/>
                                                <Submit label=t(DistrictMsg::AddLeader) pending=actions.grant.pending()/>
                                            </ActionForm>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row">{move || i18n.t(t(DistrictMsg::Total))}</th>
                    <td></td>
                    <td></td>
                    <td>{count(district.teachers)}</td>
                    <td></td>
                </tr></tfoot>
            </table>
            </ScrollTable>
            <DistrictRulesForm id=district.id name=district.name.clone() rules=district.rules action=actions.rules/>
        </section>
    }
}

/// The district's training-hour rules, as its admin sets them.
#[component]
fn DistrictRulesForm(
    id: Uuid,
    name: String,
    rules: crate::districts::dashboard::YearRules,
    action: ServerAction<crate::districts::dashboard::api::SetDistrictRules>,
) -> impl IntoView {
    use crate::growth::rules::format_tenths;
    use crate::kit::forms::Field;
    let i18n = use_i18n();
    let error = action_error(action.value());
    let saved = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    let months: Vec<(&'static str, Msg)> = MONTHS.iter().map(|(code, m)| (*code, t(*m))).collect();
    let field = move |name: &str| format!("{name}-{id}");
    view! {
        <h3>{move || i18n.t(t(DistrictMsg::RulesHeading))}</h3>
        <ActionForm action>
            <FormStatus error success=saved success_msg=t(DistrictMsg::RulesSaved)/>
            <input type="hidden" name="district" value=id.to_string()/>
            <Field name="quota" id=field("quota") label=t(DistrictMsg::QuotaHours) error value=format_tenths(rules.quota_tenths) kind="number" step="0.1" required=true/>
            <Choice name="start_month" id=field("start-month") label=t(DistrictMsg::StartMonth) options=months selected=rules.year_start_month.to_string() error/>
            <Field name="cycle_start" id=field("cycle-start") label=t(DistrictMsg::CycleStart) error value=rules.cycle_start_year.to_string() kind="number" required=true/>
            <Field name="cycle_quota" id=field("cycle-quota") label=t(DistrictMsg::CycleQuota) error value=format_tenths(rules.cycle_quota_tenths) kind="number" step="0.1" required=true/>
            <Submit label=move || i18n.fill(t(DistrictMsg::SaveRules), &[("district", &name)]) pending=action.pending()/>
        </ActionForm>
    }
}

const MONTHS: [(&str, DistrictMsg); 12] = [
    ("1", DistrictMsg::Month1),
    ("2", DistrictMsg::Month2),
    ("3", DistrictMsg::Month3),
    ("4", DistrictMsg::Month4),
    ("5", DistrictMsg::Month5),
    ("6", DistrictMsg::Month6),
    ("7", DistrictMsg::Month7),
    ("8", DistrictMsg::Month8),
    ("9", DistrictMsg::Month9),
    ("10", DistrictMsg::Month10),
    ("11", DistrictMsg::Month11),
    ("12", DistrictMsg::Month12),
];
