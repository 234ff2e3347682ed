//! The pages of account mail: asking for a reset link, setting a new password with it,
//! confirming a new sign-in email, unsubscribing; and the profile's email sections. Each form
//! is an `ActionForm`: a plain HTML form without JavaScript, an in-place submission with it.

use super::api::{
    reset_link_works, ConfirmEmailChange, RequestEmailChange, RequestPasswordReset, ResetPassword, SetMailPreference,
    Unsubscribe,
};
use super::MailPreference;
use crate::accounts::AccountMsg;
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, Choice, Field, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::view::{reload_on_success, LoadError, Loading, Submit};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn t(msg: AccountMsg) -> Msg {
    msg.into()
}

/// Whether the page's form succeeded: in place (with JavaScript), or as a plain form that the
/// server sent back here with `?{key}=1`.
fn succeeded(
    value: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
    key: &'static str,
) -> Signal<bool> {
    let query = use_query_map();
    let by_plain_form = Memo::new(move |_| query.read().get(key).is_some_and(|v| v == "1"));
    Signal::derive(move || by_plain_form.get() || matches!(value.get(), Some(Ok(()))))
}

fn route_token() -> String {
    use_params_map().read_untracked().get("token").unwrap_or_default()
}

/// `/password/forgot`: anyone asks for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(action.value());
    let sent = succeeded(action.value(), "sent");
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(t(AccountMsg::ForgotTitle))}</h1>
            <p>{move || i18n.t(t(AccountMsg::ForgotIntro))}</p>
            <ActionForm action>
                <FormStatus error success=sent success_msg=t(AccountMsg::ResetLinkSent)/>
                <Field name="email" label=Msg::Email kind="email" autocomplete="username" required=true error/>
                <Submit label=t(AccountMsg::SendResetLink) pending=action.pending() class="primary"/>
            </ActionForm>
            <p><a href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</a></p>
        </section>
    }
}

/// `/password/reset/:token`: the holder of a working link sets a new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = route_token();
    let works = Resource::new(move || (), {
        let token = token.clone();
        move |_| reset_link_works(token.clone())
    });
    let action = ServerAction::<ResetPassword>::new();
    let error = action_error(action.value());
    reload_on_success(action.value(), "/");
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(t(AccountMsg::ResetTitle))}</h1>
            <Suspense fallback=Loading>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match works.await {
                            Ok(true) => view! {
                                <ActionForm action>
                                    <FormStatus error/>
                                    <input type="hidden" name="token" value=token/>
                                    <Field name="new_password" label=Msg::NewPassword kind="password" autocomplete="new-password" required=true hint=Msg::PasswordHint error/>
                                    <Submit label=t(AccountMsg::ResetPassword) pending=action.pending() class="primary"/>
                                </ActionForm>
                            }
                            .into_any(),
                            Ok(false) => view! {
                                <p class="error" role="alert">{move || i18n.t(t(AccountMsg::ResetLinkInvalid))}</p>
                                <p><a href="/password/forgot">{move || i18n.t(t(AccountMsg::AskAgain))}</a></p>
                            }
                            .into_any(),
                            Err(err) => view! { <LoadError err/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `/email/confirm/:token`: the new address confirms the change (a button, so a link scanner
/// opening the page changes nothing).
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = route_token();
    let action = ServerAction::<ConfirmEmailChange>::new();
    let error = action_error(action.value());
    let done = succeeded(action.value(), "done");
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(t(AccountMsg::ConfirmEmailTitle))}</h1>
            <ActionForm action>
                <FormStatus error success=done success_msg=t(AccountMsg::EmailChanged)/>
                <input type="hidden" name="token" value=token/>
                <Show when=move || !done.get()>
                    <Submit label=t(AccountMsg::ConfirmEmail) pending=action.pending() class="primary"/>
                </Show>
            </ActionForm>
            <p><a href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</a></p>
        </section>
    }
}

/// `/mail/unsubscribe/:token`: the link under every notification email.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    let token = route_token();
    let action = ServerAction::<Unsubscribe>::new();
    let error = action_error(action.value());
    let done = succeeded(action.value(), "done");
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(t(AccountMsg::UnsubscribeTitle))}</h1>
            <p>{move || i18n.t(t(AccountMsg::UnsubscribeIntro))}</p>
            <ActionForm action>
                <FormStatus error success=done success_msg=t(AccountMsg::Unsubscribed)/>
                <input type="hidden" name="token" value=token/>
                <Show when=move || !done.get()>
                    <Submit label=t(AccountMsg::Unsubscribe) pending=action.pending() class="primary"/>
                </Show>
            </ActionForm>
        </section>
    }
}

/// The profile's section on notification mail.
#[component]
pub fn MailPreferenceSection(preference: MailPreference) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetMailPreference>::new();
    let error = action_error(action.value());
    let saved = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    let options = MailPreference::ALL.iter().map(|p| (p.code(), p.label())).collect();
    view! {
        <section class="card" id="mail">
            <h2>{move || i18n.t(t(AccountMsg::MailHeading))}</h2>
            <ActionForm action>
                <FormStatus error success=saved success_msg=Msg::Saved/>
                <Choice name="preference" label=t(AccountMsg::MailPreference) options selected=preference.code() error/>
                <p class="hint">{move || i18n.t(t(AccountMsg::MailAccountNote))}</p>
                <Submit label=t(AccountMsg::SavePreference) pending=action.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}

/// The profile's section for changing the sign-in email.
#[component]
pub fn ChangeEmailSection() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestEmailChange>::new();
    let error = action_error(action.value());
    let sent = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    view! {
        <section class="card">
            <h2>{move || i18n.t(t(AccountMsg::ChangeEmailTitle))}</h2>
            <ActionForm action>
                <FormStatus error success=sent success_msg=t(AccountMsg::ConfirmationSent)/>
                <Field name="new_email" label=t(AccountMsg::NewEmail) kind="email" autocomplete="email" required=true hint=t(AccountMsg::ChangeEmailHint) error/>
                <Field name="current_password" label=Msg::CurrentPassword kind="password" autocomplete="current-password" required=true error id="change-email-password"/>
                <Submit label=t(AccountMsg::SendConfirmation) pending=action.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}
