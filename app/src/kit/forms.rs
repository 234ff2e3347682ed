//! Form widgets shared by every page: labelled fields that show their own translated error.

use crate::kit::error::AppError;
use crate::kit::i18n::{use_i18n, Msg};
use leptos::prelude::*;

/// The latest error of an action, if its last run failed.
pub type ActionError = Signal<Option<AppError>>;

pub fn action_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> ActionError {
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The element id of a field: `field-{name}` unless the page names it (several forms of one
/// kind on a page need ids of their own).
fn field_id(name: &str, id: Option<String>) -> String {
    id.unwrap_or_else(|| format!("field-{name}"))
}

/// What every control shows around itself: its label above, then `below` (a hint), then its
/// error from the last submission (`msg`) on the line with id `error_id`.
fn framed(
    label: Msg,
    id: String,
    error_id: String,
    msg: Signal<Option<Msg>>,
    control: impl IntoView + 'static,
    below: impl IntoView + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            {control}
            {below}
            <p class="field-error" id=error_id>{move || msg.get().map(|m| i18n.t(m))}</p>
        </div>
    }
}

/// The message of the last submission for the field `name`.
fn field_msg(error: ActionError, name: &'static str) -> Signal<Option<Msg>> {
    Signal::derive(move || error.get().and_then(|e| e.field_msg(name)))
}

/// A labelled input; its error (from the last submission) is tied to it with `aria-describedby`.
#[component]
pub fn Field(
    name: &'static str,
    label: Msg,
    error: ActionError,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<Msg>,
    #[prop(optional)] list: &'static str,
    #[prop(optional, into)] id: Option<String>,
    /// The latest date or largest number allowed.
    #[prop(optional, into)]
    max: Option<String>,
    /// The granularity of a number (`0.1` for hours).
    #[prop(optional)]
    step: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = field_id(name, id);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let msg = field_msg(error, name);
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if msg.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = view! {
        <input
            id=id.clone()
            name=name
            type=kind
            value=value
            autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
            list=(!list.is_empty()).then_some(list)
            required=required
            max=max
            step=step
            aria-invalid=move || msg.get().is_some().then_some("true")
            aria-describedby=described_by
        />
    };
    let hint = hint.map(|h| view! { <p class="hint" id=hint_id>{move || i18n.t(h)}</p> });
    framed(label, id, error_id, msg, input, hint)
}

/// `value` percent-encoded for a link's query string (all but ASCII letters, digits, `-`, `_`).
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The text of a `<textarea>`. Leptos writes a textarea's children into the server's HTML
/// without escaping them, so a text holding `</textarea>` could end the element and inject
/// markup: escape it for the server's HTML. In the browser the text becomes a text node, which
/// needs no escaping.
pub fn textarea_text(value: String) -> String {
    #[cfg(feature = "ssr")]
    {
        value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }
    #[cfg(not(feature = "ssr"))]
    {
        value
    }
}

/// A labelled multi-line text field.
#[component]
pub fn TextArea(
    name: &'static str,
    label: Msg,
    error: ActionError,
    #[prop(optional, into)] value: String,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] id: Option<String>,
) -> impl IntoView {
    let id = field_id(name, id);
    let error_id = format!("{id}-error");
    let msg = field_msg(error, name);
    let textarea = view! {
        <textarea id=id.clone() name=name rows=rows required=required aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=error_id.clone()>
            {textarea_text(value)}
        </textarea>
    };
    framed(label, id, error_id, msg, textarea, ())
}

/// A labelled `<select>` of fixed choices, each a `(value, label)` pair.
#[component]
pub fn Choice(
    name: &'static str,
    label: Msg,
    error: ActionError,
    options: Vec<(&'static str, Msg)>,
    #[prop(into)] selected: String,
    #[prop(optional, into)] id: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = field_id(name, id);
    let error_id = format!("{id}-error");
    let msg = field_msg(error, name);
    let select = view! {
        <select id=id.clone() name=name aria-invalid=move || msg.get().is_some().then_some("true") aria-describedby=error_id.clone()>
            {options
                .into_iter()
                .map(|(value, text)| {
                    view! { <option value=value selected=value == selected>{move || i18n.t(text)}</option> }
                })
                .collect_view()}
        </select>
    };
    framed(label, id, error_id, msg, select, ())
}

/// The summary above a form: what went wrong as a whole (field messages sit by their fields, or,
/// with `field_messages`, for a page of many small forms, in a list here).
#[component]
pub fn FormStatus(
    error: ActionError,
    #[prop(optional)] success: Option<Signal<bool>>,
    #[prop(optional)] success_msg: Option<Msg>,
    #[prop(optional)] field_messages: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="form-status" role="status" aria-live="polite">
            {move || error.get().map(|e| {
                let fields = match &e {
                    AppError::Invalid(errors) if field_messages => errors.iter().map(|f| i18n.t(f.msg)).collect(),
                    _ => Vec::new(),
                };
                view! {
                    <p class="error" role="alert">{e.message(i18n.locale.get())}</p>
                    {(!fields.is_empty()).then(|| view! {
                        <ul class="error">{fields.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                    })}
                }
            })}
            {move || {
                let ok = success.map(|s| s.get()).unwrap_or(false);
                (ok && error.get().is_none()).then(|| success_msg.map(|m| view! { <p class="success">{i18n.t(m)}</p> }))
            }}
        </div>
    }
}

/// Every IANA time zone as suggestions for a time-zone field: the server's list in the page
/// it sends (a hydrating page keeps it as it is), the browser's own list on a page drawn in the
/// browser, so the WebAssembly carries no zone database (see `kit::time`).
#[component]
pub fn TimeZoneList() -> impl IntoView {
    view! { <datalist id="time-zones" inner_html=zone_options()></datalist> }
}

/// The `<option>`s of every zone this side knows. Only names of ASCII letters, digits and `/_+-`
/// (every IANA name is one) are taken, so nothing needs escaping.
fn zone_options() -> String {
    crate::kit::time::zone_names()
        .into_iter()
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)))
        .map(|name| format!("<option value=\"{name}\"></option>"))
        .collect()
}
