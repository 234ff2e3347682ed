//! `/district/api`: a district admin's API clients. Create one (name, scopes, lifetime), see its
//! token once, see when each was last used, revoke; and each client's webhook delivery log.
//! Plain forms and links: it all works without JavaScript.

use super::api::*;
use super::rules::Scope;
use super::webhooks::{Delivery, DeliveryLog, DeliveryState};
use super::{ApiClient, CreatedClient, DistrictClients, IntegrationMsg};
use crate::accounts::Viewer;
use crate::kit::forms::{action_error, Field, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::{format_date_time, format_day};
use crate::kit::view::{LoadError, Loading, Pager, Refresh, ScrollTable, Submit};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn t(m: IntegrationMsg) -> Msg {
    Msg::from(m)
}

#[derive(Clone, Copy)]
struct ClientActions {
    create: ServerAction<CreateApiClient>,
    revoke: ServerAction<RevokeApiClient>,
}

#[component]
pub fn ApiClientsPage() -> impl IntoView {
    let i18n = use_i18n();
    let refresh = Refresh::provide();
    let actions = ClientActions { create: ServerAction::new(), revoke: ServerAction::new() };
    refresh.on_success(actions.create.value());
    refresh.on_success(actions.revoke.value());
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let data = Resource::new(move || (refresh.version(), page()), |(_, page)| api_clients(page));
    let revoke_error = action_error(actions.revoke.value());
    view! {
        <h1>{move || i18n.t(t(IntegrationMsg::PageTitle))}</h1>
        <p>{move || i18n.t(t(IntegrationMsg::Intro))} " "
            <a href="/api/v1/docs" rel="external">{move || i18n.t(t(IntegrationMsg::DocsLink))}</a>
        </p>
        <FormStatus error=revoke_error/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok((districts, _)) if districts.is_empty() => view! {
                        <p class="muted">{move || i18n.t(Msg::from(crate::districts::DistrictMsg::NotAdmin))}</p>
                    }.into_any(),
                    Ok((districts, created)) => view! {
                        {created.map(|created| view! { <NewToken created/> })}
                        {districts.into_iter().map(|d| view! { <DistrictClientList district=d actions page=page()/> }).collect_view()}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The token of a client just created, shown this once.
#[component]
fn NewToken(created: CreatedClient) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card notice" role="status" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">{created.name}</h2>
            <p>{move || i18n.t(t(IntegrationMsg::Created))}</p>
            <label for="new-token">{move || i18n.t(t(IntegrationMsg::TokenLabel))}</label>
            <input id="new-token" type="text" readonly=true value=created.token class="token" autocomplete="off" spellcheck="false"/>
        </section>
    }
}

#[component]
fn DistrictClientList(district: DistrictClients, actions: ClientActions, page: u32) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("district-api-{}", district.district_id);
    let labelled_by = heading.clone();
    let more = district.more;
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=heading>{district.district_name.clone()}</h2>
            <h3>{move || i18n.t(t(IntegrationMsg::ClientsTitle))}</h3>
            {if district.clients.is_empty() {
                view! { <p class="muted">{move || i18n.t(t(IntegrationMsg::NoClients))}</p> }.into_any()
            } else {
                view! {
                    <ScrollTable label=t(IntegrationMsg::ClientsTitle)>
                    <table>
                        <thead><tr>
                            <th scope="col">{move || i18n.t(t(IntegrationMsg::Name))}</th>
                            <th scope="col">{move || i18n.t(t(IntegrationMsg::Scopes))}</th>
                            <th scope="col">{move || i18n.t(Msg::from(crate::districts::DistrictMsg::Status))}</th>
                            <th scope="col"><span class="visually-hidden">{move || i18n.t(t(IntegrationMsg::Revoke))}</span></th>
                        </tr></thead>
                        <tbody>
                            {district.clients.into_iter().map(|c| view! { <ClientRow client=c actions/> }).collect_view()}
                        </tbody>
                    </table>
                    </ScrollTable>
                }.into_any()
            }}
            {(page > 0 || more).then(|| view! {
                <Pager page=page + 1 more href=move |n| format!("{CLIENTS_PATH}?page={}", n - 1)/>
            })}
            <NewClientForm district=district.district_id action=actions.create/>
        </section>
    }
}

#[component]
fn ClientRow(client: ApiClient, actions: ClientActions) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let live = client.revoked_at.is_none() && !client.expired;
    let status = if client.revoked_at.is_some() {
        IntegrationMsg::Revoked
    } else if client.expired {
        IntegrationMsg::Expired
    } else {
        IntegrationMsg::Active
    };
    let expires = crate::kit::time::local(client.expires_at, &tz).date();
    let last_used = client.last_used_at;
    let hint = client.token_hint.clone();
    let name = client.name.clone();
    view! {
        <tr>
            <th scope="row">{client.name.clone()}
                <div class="muted small">{move || i18n.fill(t(IntegrationMsg::TokenEnds), &[("hint", &hint)])}</div>
            </th>
            <td><ul class="plain-list">
                {client.scopes.iter().map(|s| view! { <li><code>{s.as_str()}</code></li> }).collect_view()}
            </ul></td>
            <td>
                {move || i18n.t(t(status))}
                <div class="muted small">{move || i18n.fill(t(IntegrationMsg::ExpiresOn), &[("date", &format_day(expires, i18n.locale.get()))])}</div>
                <div class="muted small">{move || match last_used {
                    Some(at) => i18n.fill(t(IntegrationMsg::LastUsed), &[("at", &format_date_time(at, &tz, i18n.locale.get()))]),
                    None => i18n.t(t(IntegrationMsg::NeverUsed)).to_owned(),
                }}</div>
            </td>
            <td>
                <a href=deliveries_path(client.id)>{move || i18n.t(t(IntegrationMsg::DeliveryLog))}</a>
                {live.then(|| view! {
                <ActionForm action=actions.revoke attr:class="inline">
                    <input type="hidden" name="client" value=client.id.to_string()/>
                    <Submit label=t(IntegrationMsg::Revoke) pending=actions.revoke.pending() class="danger"
                        aria_label=move || i18n.fill(t(IntegrationMsg::RevokeClient), &[("name", &name)])/>
                </ActionForm>
            })}</td>
        </tr>
    }
}

#[component]
fn NewClientForm(district: uuid::Uuid, action: ServerAction<CreateApiClient>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(action.value());
    let id = move |field: &str| format!("client-{field}-{district}");
    let (legend_id, labelled_by) = (id("scopes-legend"), id("scopes-legend"));
    view! {
        <ActionForm action>
            <h3>{move || i18n.t(t(IntegrationMsg::NewClientTitle))}</h3>
            <FormStatus error field_messages=true/>
            <input type="hidden" name="district" value=district.to_string()/>
            <Field name="name" id=id("name") label=t(IntegrationMsg::Name) hint=t(IntegrationMsg::NameHint) error required=true/>
            <fieldset aria-labelledby=labelled_by>
                <legend id=legend_id>{move || i18n.t(t(IntegrationMsg::Scopes))}</legend>
                {Scope::ALL.into_iter().enumerate().map(|(i, scope)| {
                    let box_id = format!("{}-{i}", id("scope"));
                    view! {
                        <div class="check">
                            <input type="checkbox" id=box_id.clone() name=format!("scopes[{i}]") value=scope.as_str()/>
                            <label for=box_id><code>{scope.as_str()}</code> " " {move || i18n.t(scope.description())}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <Field name="days" id=id("days") kind="number" value="365" label=t(IntegrationMsg::Lifetime) hint=t(IntegrationMsg::LifetimeHint) error required=true max="730"/>
            <Submit label=t(IntegrationMsg::Create) pending=action.pending() class="primary"/>
        </ActionForm>
    }
}

/// `/district/api/{client}/deliveries`: the client's webhook and its deliveries, newest first, a
/// page at a time.
#[component]
pub fn DeliveryLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let client = move || params.with(|p| p.get("client").unwrap_or_default());
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let data = Resource::new(move || (client(), page()), |(client, page)| webhook_deliveries(client, page));
    view! {
        <p><a href=CLIENTS_PATH>{move || i18n.t(t(IntegrationMsg::BackToClients))}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <LoadError err/> }.into_any(),
                    Ok(log) => view! { <DeliveryLogView log/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeliveryLogView(log: DeliveryLog) -> impl IntoView {
    let i18n = use_i18n();
    let name = log.client_name.clone();
    let base = deliveries_path(log.client_id);
    let pages =
        u32::try_from((log.total + super::webhooks::LOG_PAGE - 1) / super::webhooks::LOG_PAGE).unwrap_or(u32::MAX);
    let page = u32::try_from(log.page + 1).unwrap_or(1);
    let total = log.total.to_string();
    view! {
        <h1>{move || i18n.fill(t(IntegrationMsg::DeliveryLogOf), &[("name", &name)])}</h1>
        <h2>{move || i18n.t(t(IntegrationMsg::WebhookTitle))}</h2>
        {match log.subscription {
            None => view! { <p class="muted">{move || i18n.t(t(IntegrationMsg::WebhookNone))}</p> }.into_any(),
            Some(s) => {
                let events = s.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                view! { <p>{move || i18n.fill(t(IntegrationMsg::WebhookTo), &[("url", &s.url), ("events", &events)])}</p> }.into_any()
            }
        }}
        <h2>{move || i18n.t(t(IntegrationMsg::DeliveryLog))}</h2>
        <p class="muted">{move || i18n.fill(t(IntegrationMsg::DeliveryCount), &[("n", &total)])}</p>
        {if log.deliveries.is_empty() {
            view! { <p class="muted">{move || i18n.t(t(IntegrationMsg::NoDeliveries))}</p> }.into_any()
        } else {
            view! {
                <ScrollTable label=t(IntegrationMsg::DeliveryLog)>
                <table>
                    <thead><tr>
                        <th scope="col">{move || i18n.t(t(IntegrationMsg::DeliveryEvent))}</th>
                        <th scope="col">{move || i18n.t(t(IntegrationMsg::DeliveryCreated))}</th>
                        <th scope="col">{move || i18n.t(t(IntegrationMsg::DeliveryState))}</th>
                        <th scope="col">{move || i18n.t(t(IntegrationMsg::DeliveryAttempts))}</th>
                        <th scope="col">{move || i18n.t(t(IntegrationMsg::DeliveryLast))}</th>
                    </tr></thead>
                    <tbody>{log.deliveries.into_iter().map(|d| view! { <DeliveryRow delivery=d/> }).collect_view()}</tbody>
                </table>
                </ScrollTable>
            }.into_any()
        }}
        {(pages > 1).then(|| view! { <Pager page pages href=move |n| format!("{base}?page={}", n - 1)/> })}
    }
}

#[component]
fn DeliveryRow(delivery: Delivery) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let tz2 = tz.clone();
    let (created, at, state) = (delivery.created_at, delivery.at, delivery.state);
    let last = match (delivery.last_status, delivery.last_error.is_empty()) {
        (Some(status), true) => format!("HTTP {status}"),
        (_, false) => delivery.last_error.clone(),
        (None, true) => String::new(),
    };
    view! {
        <tr class=move || if state == DeliveryState::Failed { "failed" } else { "" }>
            <th scope="row"><code>{delivery.event.clone()}</code></th>
            <td>{move || format_date_time(created, &tz, i18n.locale.get())}</td>
            <td>{move || i18n.fill(state.label(), &[("at", &format_date_time(at, &tz2, i18n.locale.get()))])}</td>
            <td>{delivery.attempts}</td>
            <td>{last}</td>
        </tr>
    }
}
