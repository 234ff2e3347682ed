//! District parts of pages: the consent switches and the access log on the profile page.

use super::api::*;
use super::{DistrictMsg, RecordViews, Sharing};
use crate::accounts::Viewer;
use crate::kit::forms::{action_error, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Refresh};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
                <button type="submit" class="primary">{move || i18n.t(t(DistrictMsg::SaveSharing))}</button>
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
