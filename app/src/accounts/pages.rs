//! Sign-in, registration and profile pages. Each form is an `ActionForm`: a plain HTML form
//! without JavaScript, an in-place submission with it.

use super::api::{get_profile, ChangePassword, Register, SignIn, UpdateProfile};
use super::{Profile, Tier, Viewer};
use crate::districts::pages::SchoolChoices;
use crate::districts::DistrictMsg;
use crate::kit::forms::{action_error, Choice, Field, FormStatus, TimeZoneList};
use crate::kit::i18n::{use_i18n, Locale, Msg};
use crate::kit::time::DEFAULT_TIME_ZONE;
use crate::kit::view::{reload_on_success, LoadError, Loading, Submit};
use leptos::prelude::*;

fn tier_options() -> Vec<(&'static str, Msg)> {
    Tier::ALL.iter().map(|t| (t.code(), t.label())).collect()
}

/// Language choices are shown in their own language, whatever the page's language is.
#[component]
fn LocaleChoice(selected: Locale, error: crate::kit::forms::ActionError) -> impl IntoView {
    let i18n = use_i18n();
    let msg = move || error.get().and_then(|e| e.field_msg("locale"));
    view! {
        <div class="field">
            <label for="field-locale">{move || i18n.t(Msg::Language)}</label>
            <select id="field-locale" name="locale" aria-describedby="field-locale-error">
                {Locale::ALL
                    .iter()
                    // Follows the language switch, so a visitor who switched registers in the
                    // language they are reading.
                    .map(|&l| view! { <option value=l.tag() selected=l == selected prop:selected=move || i18n.locale.get() == l lang=l.tag()>{l.native_name()}</option> })
                    .collect_view()}
            </select>
            <p class="field-error" id="field-locale-error">{move || msg().map(|m| i18n.t(m))}</p>
        </div>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action.value());
    reload_on_success(action.value(), "/");
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t(Msg::SignInTitle)}</h1>
            <ActionForm action>
                <FormStatus error/>
                <Field name="email" label=Msg::Email kind="email" autocomplete="username" required=true error/>
                <Field name="password" label=Msg::Password kind="password" autocomplete="current-password" required=true error/>
                <Submit label=Msg::SignIn pending=action.pending() class="primary"/>
            </ActionForm>
            <p><a href="/password/forgot">{move || i18n.t(super::AccountMsg::ForgotPassword.into())}</a></p>
            <p>{move || i18n.t(Msg::NoAccountYet)} " " <a href="/register">{move || i18n.t(Msg::NavRegister)}</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let action = ServerAction::<Register>::new();
    let error = action_error(action.value());
    reload_on_success(action.value(), "/");
    view! {
        <section class="card">
            <h1>{move || i18n.t(Msg::RegisterTitle)}</h1>
            <ActionForm action>
                <FormStatus error/>
                <Field name="email" label=Msg::Email kind="email" autocomplete="email" required=true error/>
                <Field name="display_name" label=Msg::DisplayName autocomplete="name" required=true error/>
                <Field name="password" label=Msg::Password kind="password" autocomplete="new-password" required=true hint=Msg::PasswordHint error/>
                <Field name="district" label=Msg::District list="district-choices" required=true error/>
                <Field name="school" label=Msg::School autocomplete="organization" list="school-choices" hint=Msg::from(DistrictMsg::SchoolHint) required=true error/>
                <SchoolChoices/>
                <Field name="subject" label=Msg::Subject required=true error/>
                <Field name="grade_band" label=Msg::GradeBand error/>
                <Choice name="tier" label=Msg::Tier options=tier_options() selected=Tier::default().code() error/>
                <LocaleChoice selected=viewer.locale error/>
                <Field name="time_zone" label=Msg::TimeZone value=DEFAULT_TIME_ZONE list="time-zones" required=true error/>
                <TimeZoneList/>
                <Submit label=Msg::Register pending=action.pending() class="primary"/>
            </ActionForm>
            <p>{move || i18n.t(Msg::HaveAccount)} " " <a href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</a></p>
        </section>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let profile = Resource::new(|| (), |_| get_profile());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileForms profile/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::ProfileTitle/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileForms(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateProfile>::new();
    let update_error = action_error(update.value());
    let updated = Signal::derive(move || matches!(update.value().get(), Some(Ok(()))));
    // A saved language takes effect at once.
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(input)) = (update.value().get(), update.input().get_untracked()) {
            if let Some(locale) = Locale::from_tag(&input.locale) {
                i18n.locale.set(locale);
            }
        }
    });
    let change = ServerAction::<ChangePassword>::new();
    let change_error = action_error(change.value());
    let changed = Signal::derive(move || matches!(change.value().get(), Some(Ok(()))));
    view! {
        <section class="card">
            <h1>{move || i18n.t(Msg::ProfileTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::Email)} ": " {profile.email.clone()}</p>
            <ActionForm action=update>
                <FormStatus error=update_error success=updated success_msg=Msg::Saved/>
                <Field name="display_name" label=Msg::DisplayName value=profile.display_name.clone() autocomplete="name" required=true error=update_error/>
                <Field name="district" label=Msg::District value=profile.district.clone() list="district-choices" required=true error=update_error/>
                <Field name="school" label=Msg::School value=profile.school.clone() list="school-choices" hint=Msg::from(DistrictMsg::SchoolHint) required=true error=update_error/>
                <SchoolChoices/>
                <Field name="subject" label=Msg::Subject value=profile.subject.clone() required=true error=update_error/>
                <Field name="grade_band" label=Msg::GradeBand value=profile.grade_band.clone() error=update_error/>
                <Choice name="tier" label=Msg::Tier options=tier_options() selected=profile.tier.code() error=update_error/>
                <LocaleChoice selected=profile.locale error=update_error/>
                <Field name="time_zone" label=Msg::TimeZone value=profile.time_zone.clone() list="time-zones" required=true error=update_error/>
                <TimeZoneList/>
                <Submit label=Msg::Save pending=update.pending() class="primary"/>
            </ActionForm>
        </section>
        <section class="card">
            <h2>{move || i18n.t(Msg::ChangePasswordTitle)}</h2>
            <ActionForm action=change>
                <FormStatus error=change_error success=changed success_msg=Msg::PasswordChanged/>
                <Field name="current_password" label=Msg::CurrentPassword kind="password" autocomplete="current-password" required=true error=change_error/>
                <Field name="new_password" label=Msg::NewPassword kind="password" autocomplete="new-password" required=true hint=Msg::PasswordHint error=change_error/>
                <Submit label=Msg::ChangePassword pending=change.pending() class="primary"/>
            </ActionForm>
        </section>
        <super::mail::pages::ChangeEmailSection/>
        <super::mail::pages::MailPreferenceSection preference=profile.mail_preference/>
        <crate::districts::pages::SharingSection/>
    }
}
