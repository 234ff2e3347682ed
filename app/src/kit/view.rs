//! Pieces every page shares: what shows while data loads, what shows when it failed, and the one
//! way a page reads its data again after an action succeeded.

use crate::kit::error::AppError;
use crate::kit::i18n::{use_i18n, Msg};
use leptos::prelude::*;

/// A table that may be wider than a phone: it scrolls sideways inside its own frame, a named
/// group that takes focus, so the keyboard can scroll it as well as a finger (a group, not a
/// region: a region landmark named like the section around it would be a second landmark of that name).
#[component]
pub fn ScrollTable(label: Msg, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" role="group" tabindex="0" aria-label=move || i18n.t(label)>
            {children()}
        </div>
    }
}

/// A form's submit button that shows while its action runs: disabled (so a second tap does not
/// send it twice) and `aria-busy`, which the stylesheet turns into a spinner. Its label stays, so
/// it keeps its accessible name. Without JavaScript `pending` never turns true: the browser's own
/// page load is the feedback.
#[component]
pub fn Submit(
    #[prop(into)] label: ButtonLabel,
    #[prop(into)] pending: Signal<bool>,
    /// `primary`, `secondary`, `danger`, `small` or `link-button`; empty for the plain button.
    #[prop(optional)]
    class: &'static str,
    /// A fuller name for screen readers when the label alone is ambiguous (one button per row).
    #[prop(optional, into)]
    aria_label: Option<TextProp>,
    /// Sent with the form when this button submits it (a form with two decisions).
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] value: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || match &label {
        ButtonLabel::Msg(msg) => i18n.t(*msg).to_owned(),
        ButtonLabel::Text(text) => text.get().to_string(),
    };
    view! {
        <button type="submit" name=name value=value class=(!class.is_empty()).then_some(class)
            aria-label=move || aria_label.as_ref().map(|a| a.get().to_string())
            disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {text}
        </button>
    }
}

/// What a button says: a message, or text made when shown (a message with parameters).
pub enum ButtonLabel {
    Msg(Msg),
    Text(TextProp),
}

impl From<Msg> for ButtonLabel {
    fn from(msg: Msg) -> Self {
        ButtonLabel::Msg(msg)
    }
}

impl<F: Fn() -> String + Send + Sync + 'static> From<F> for ButtonLabel {
    fn from(text: F) -> Self {
        ButtonLabel::Text(TextProp::from(text))
    }
}

/// Links to a list's previous and next pages (plain links: paging works without JavaScript).
/// `page` counts from 1; `pages`, when the list was counted, shows "page 2 of 7" and says
/// whether a next page exists; an uncounted list says so with `more`.
#[component]
pub fn Pager(
    page: u32,
    #[prop(optional)] pages: Option<u32>,
    #[prop(optional)] more: bool,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let previous = (page > 1).then(|| href(page - 1));
    let next = (more || pages.is_some_and(|pages| page < pages)).then(|| href(page + 1));
    let position = move || match pages {
        Some(pages) => i18n.fill(Msg::PageOf, &[("page", &page), ("pages", &pages)]),
        None => i18n.fill(Msg::PageNumber, &[("n", &page)]),
    };
    view! {
        <nav class="pager" aria-label=move || i18n.t(Msg::Pagination)>
            {previous.map(|href| view! { <a href=href rel="prev">{move || i18n.t(Msg::PreviousPage)}</a> })}
            <span aria-current="page">{position}</span>
            {next.map(|href| view! { <a href=href rel="next">{move || i18n.t(Msg::NextPage)}</a> })}
        </nav>
    }
}

/// Shown in place of a page's data while it loads.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{move || i18n.t(Msg::Working)}</p> }
}

/// Why a page (`title` given: it heads the page) or a part of one could not be shown, in the
/// viewer's language; a way to sign in when that is what is missing.
#[component]
pub fn LoadError(err: AppError, #[prop(optional)] title: Option<Msg>) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = matches!(err, AppError::SignInRequired)
        .then(|| view! { <p><a href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</a></p> });
    let message = view! { <p class="error" role="alert">{move || err.message(i18n.locale.get())}</p> };
    match title {
        Some(title) => view! {
            <section class="card narrow">
                <h1>{move || i18n.t(title)}</h1>
                {message}
                {sign_in}
            </section>
        }
        .into_any(),
        None => view! { {message} {sign_in} }.into_any(),
    }
}

/// The version of a page's data: the page's resource reads [`Refresh::version`], and each
/// action registered with [`Refresh::on_success`] moves it on when it succeeds, so the page reads
/// its data again. A refused action does not: its form keeps what was typed in it. Provided as
/// context, so the parts of a page register their own actions.
#[derive(Clone, Copy)]
pub struct Refresh(RwSignal<u32>);

impl Refresh {
    /// A new version counter for this page, provided to its parts.
    pub fn provide() -> Refresh {
        let refresh = Refresh(RwSignal::new(0));
        provide_context(refresh);
        refresh
    }

    /// The page's counter (one is made if the page has none).
    pub fn expect() -> Refresh {
        use_context::<Refresh>().unwrap_or_else(Refresh::provide)
    }

    pub fn version(self) -> u32 {
        self.0.get()
    }

    /// Reads the page's data again each time the action succeeds from now on. (A success from
    /// before this call does not count: a part of the page registering again after the reload
    /// must not start another.)
    pub fn on_success<T: 'static>(self, value: impl Get<Value = Option<Result<T, AppError>>> + 'static) {
        Effect::new(move |registered: Option<()>| {
            let succeeded = matches!(value.get(), Some(Ok(_)));
            if registered.is_some() && succeeded {
                self.0.update(|n| *n += 1);
            }
        });
    }
}

/// Loads the whole page anew at `to` once the action succeeds: after a change of who is signed
/// in or of the language, every part of the page (what the server rendered included) must agree.
pub fn reload_on_success<T: 'static>(value: impl Get<Value = Option<Result<T, AppError>>> + 'static, to: &'static str) {
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            let _ = window().location().set_href(to);
        }
    });
}
