//! The page shell, the router and the header every page shares.

use crate::accounts::api::{SetLocale, SignOut};
use crate::accounts::pages::{ProfilePage, RegisterPage, SignInPage};
use crate::accounts::Viewer;
use crate::growth::pages::{GrowthHomePage, HoursPage, MenteeHoursPage, OverviewPage, PlanPage};
use crate::kit::i18n::{use_i18n, I18n, Locale, Msg};
use crate::kit::view::Submit;
use crate::lessons::pages::{
    EditLessonPage, LessonPage, LessonsPage, MyLessonsPage, NotificationsPage, ScheduleLessonPage,
};
use crate::studios::pages::{
    DirectoryPage, EditStudioPage, InvitationPage, MyStudiosPage, NewStudioPage, StudioPageView,
};
use crate::studios::StudioMsg;
use crate::study::pages::{StudiesPage, StudyPageView};
use crate::study::plan_pages::{ComparePage, PlanPageView};
use crate::study::StudyMsg;
use leptos::prelude::*;
use leptos::server::SharedValue;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is viewing: computed from the request on the server, read back during hydration.
fn viewer_of_request() -> Viewer {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|parts| crate::kit::context::resolve_viewer(&parts))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Viewer::default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = SharedValue::new(viewer_of_request).into_inner();
    let i18n = I18n { locale: RwSignal::new(viewer.locale) };
    provide_context(i18n);
    if viewer.user.is_some() {
        crate::lessons::pages::UnreadCount::provide();
    }
    provide_context(viewer);

    // End-to-end tests wait for this marker before they click.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Html attr:lang=move || i18n.locale.get().tag()/>
        <Title text=move || i18n.t(Msg::AppName)/>
        <Meta name="description" content=move || i18n.t(Msg::Tagline)/>
        // Pages wait for their data on the server (SsrMode::Async) so that they are complete
        // without JavaScript.
        <Router>
            <Header/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") ssr=SsrMode::Async view=crate::home::pages::HomePage/>
                    <Route path=path!("/sign-in") ssr=SsrMode::Async view=SignInPage/>
                    <Route path=path!("/register") ssr=SsrMode::Async view=RegisterPage/>
                    <Route path=path!("/profile") ssr=SsrMode::Async view=ProfilePage/>
                    <Route path=path!("/password/forgot") ssr=SsrMode::Async view=crate::accounts::mail::pages::ForgotPasswordPage/>
                    <Route path=path!("/password/reset/:token") ssr=SsrMode::Async view=crate::accounts::mail::pages::ResetPasswordPage/>
                    <Route path=path!("/email/confirm/:token") ssr=SsrMode::Async view=crate::accounts::mail::pages::ConfirmEmailPage/>
                    <Route path=path!("/mail/unsubscribe/:token") ssr=SsrMode::Async view=crate::accounts::mail::pages::UnsubscribePage/>
                    <Route path=path!("/district") ssr=SsrMode::Async view=crate::districts::dashboard::pages::DashboardPage/>
                    <Route path=path!("/district/schools") ssr=SsrMode::Async view=crate::districts::pages::SchoolsPage/>
                    <Route path=path!("/district/schools/:id") ssr=SsrMode::Async view=crate::districts::dashboard::pages::SchoolDetailPage/>
                    <Route path=path!("/district/teachers/:id") ssr=SsrMode::Async view=crate::districts::dashboard::pages::TeacherRecordPage/>
                    <Route path=path!("/studios") ssr=SsrMode::Async view=DirectoryPage/>
                    <Route path=path!("/studios/new") ssr=SsrMode::Async view=NewStudioPage/>
                    <Route path=path!("/studios/:slug") ssr=SsrMode::Async view=StudioPageView/>
                    <Route path=path!("/studios/:slug/edit") ssr=SsrMode::Async view=EditStudioPage/>
                    <Route path=path!("/invitations/:token") ssr=SsrMode::Async view=InvitationPage/>
                    <Route path=path!("/me/studios") ssr=SsrMode::Async view=MyStudiosPage/>
                    <Route path=path!("/me/record") ssr=SsrMode::Async view=crate::records::pages::MyRecordPage/>
                    <Route path=path!("/me/certificates/:serial") ssr=SsrMode::Async view=crate::records::certificates::pages::CertificatePage/>
                    <Route path=path!("/verify/:serial") ssr=SsrMode::Async view=crate::records::certificates::pages::VerifyPage/>
                    <Route path=path!("/lessons") ssr=SsrMode::Async view=LessonsPage/>
                    <Route path=path!("/lessons/new") ssr=SsrMode::Async view=ScheduleLessonPage/>
                    <Route path=path!("/lessons/:id") ssr=SsrMode::Async view=LessonPage/>
                    <Route path=path!("/lessons/:id/edit") ssr=SsrMode::Async view=EditLessonPage/>
                    <Route path=path!("/notifications") ssr=SsrMode::Async view=NotificationsPage/>
                    <Route path=path!("/my-lessons") ssr=SsrMode::Async view=MyLessonsPage/>
                    <Route path=path!("/growth") ssr=SsrMode::Async view=GrowthHomePage/>
                    <Route path=path!("/hours") ssr=SsrMode::Async view=HoursPage/>
                    <Route path=path!("/hours/:user") ssr=SsrMode::Async view=MenteeHoursPage/>
                    <Route path=path!("/studios/:slug/plans/:mentee") ssr=SsrMode::Async view=PlanPage/>
                    <Route path=path!("/studios/:slug/records/:mentee") ssr=SsrMode::Async view=crate::records::pages::StudioRecordPage/>
                    <Route path=path!("/studios/:slug/record/:year") ssr=SsrMode::Async view=crate::records::studio_year::pages::StudioYearRecordPage/>
                    <Route path=path!("/studios/:slug/growth") ssr=SsrMode::Async view=OverviewPage/>
                    <Route path=path!("/studies") ssr=SsrMode::Async view=StudiesPage/>
                    <Route path=path!("/studies/:id") ssr=SsrMode::Async view=StudyPageView/>
                    <Route path=path!("/studies/:id/plan") ssr=SsrMode::Async view=PlanPageView/>
                    <Route path=path!("/studies/:id/compare") ssr=SsrMode::Async view=ComparePage/>
                </Routes>
            </main>
            <TabBar/>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let user = viewer.user.clone();
    let signed_in = user.is_some();
    // On a phone the header is one row (the name, the unread count, a menu button that needs no
    // JavaScript); from 48rem the menu's content shows as a row of links and its button hides.
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">{move || i18n.t(Msg::AppName)}</A>
            {signed_in.then(|| view! { <span class="header-notifications"><crate::lessons::pages::NotificationsLink/></span> })}
            <details class="menu">
            <summary>{move || i18n.t(Msg::NavMenu)}</summary>
            <nav aria-label=move || i18n.t(Msg::NavMain)>
                <ul>
                    <li><A href="/">{move || i18n.t(Msg::NavHome)}</A></li>
                    <li><A href="/studios">{move || i18n.t(Msg::from(StudioMsg::NavStudios))}</A></li>
                    <li><A href="/lessons">{move || i18n.t(Msg::from(crate::lessons::LessonMsg::NavLessons))}</A></li>
                    {match user {
                        Some(user) => view! {
                            <li><A href="/me/studios">{move || i18n.t(Msg::from(StudioMsg::NavMyStudios))}</A></li>
                            <li><A href="/my-lessons">{move || i18n.t(Msg::from(crate::lessons::LessonMsg::MyLessons))}</A></li>
                            <li><A href="/growth">{move || i18n.t(Msg::from(crate::growth::GrowthMsg::GrowthTitle))}</A></li>
                            <li><A href="/studies">{move || i18n.t(Msg::from(StudyMsg::StudiesTitle))}</A></li>
                            <li><A href="/me/record">{move || i18n.t(Msg::from(crate::records::RecordMsg::NavRecord))}</A></li>
                            {user.leads.then(|| view! {
                                <li><A href="/district">{move || i18n.t(Msg::from(crate::districts::DistrictMsg::DashboardLink))}</A></li>
                            })}
                            <li><A href="/profile">{move || i18n.t(Msg::NavProfile)}</A></li>
                            <li class="who">
                                <span class="visually-hidden">{move || i18n.t(Msg::SignedInAs)}</span>
                                <span data-testid="signed-in-user">{user.display_name}</span>
                            </li>
                            <li><SignOutButton/></li>
                        }.into_any(),
                        None => view! {
                            <li><A href="/sign-in">{move || i18n.t(Msg::NavSignIn)}</A></li>
                            <li><A href="/register">{move || i18n.t(Msg::NavRegister)}</A></li>
                        }.into_any(),
                    }}
                    <li><LanguageSwitch/></li>
                </ul>
            </nav>
            </details>
        </header>
    }
}

/// The places people go most, one tap away at the bottom of a phone's screen (hidden on wider
/// screens, where the header shows every link).
#[component]
fn TabBar() -> impl IntoView {
    let i18n = use_i18n();
    let signed_in = expect_context::<Viewer>().user.is_some();
    let lessons = Msg::from(crate::lessons::LessonMsg::NavLessons);
    let tabs: Vec<(&'static str, Msg)> = if signed_in {
        vec![
            ("/", Msg::NavHome),
            ("/lessons", lessons),
            ("/me/studios", Msg::from(StudioMsg::NavMyStudios)),
            ("/growth", Msg::from(crate::growth::GrowthMsg::GrowthTitle)),
            ("/studies", Msg::from(StudyMsg::StudiesTitle)),
        ]
    } else {
        vec![
            ("/", Msg::NavHome),
            ("/lessons", lessons),
            ("/studios", Msg::from(StudioMsg::NavStudios)),
            ("/sign-in", Msg::NavSignIn),
        ]
    };
    view! {
        <nav class="tabbar" aria-label=move || i18n.t(Msg::NavTabs)>
            {tabs.into_iter().map(|(href, label)| view! { <A href=href exact=true>{move || i18n.t(label)}</A> }).collect_view()}
        </nav>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    crate::kit::view::reload_on_success(action.value(), "/");
    view! {
        <ActionForm action attr:class="inline">
            <Submit label=Msg::NavSignOut pending=action.pending() class="link-button"/>
        </ActionForm>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLocale>::new();
    // With JavaScript the page switches in place; without it the server redirects back.
    Effect::new(move |_| {
        if let Some(Ok(locale)) = action.value().get() {
            i18n.locale.set(locale);
        }
    });
    let other = move || match i18n.locale.get() {
        Locale::ZhCn => Locale::En,
        Locale::En => Locale::ZhCn,
    };
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="locale" value=move || other().tag()/>
            <button type="submit" class="link-button" title=move || i18n.t(Msg::SwitchLanguage) lang=move || other().tag()>
                {move || other().native_name()}
            </button>
        </ActionForm>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>{move || i18n.t(Msg::PageNotFound)}</h1>
        <p><A href="/">{move || i18n.t(Msg::BackHome)}</A></p>
    }
}
