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
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, Lazy, LazyRoute, SsrMode};

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
    provide_context(viewer);

    // Fixed on the server, as head texts are (see `I18n::head_text`).
    #[cfg(feature = "ssr")]
    let lang = i18n.locale.get_untracked().tag();
    #[cfg(not(feature = "ssr"))]
    let lang = move || i18n.locale.get().tag();

    view! {
        <Html attr:lang=lang/>
        <Title text=i18n.head_text(Msg::AppName)/>
        <Meta name="description" content=i18n.head_text(Msg::Tagline)/>
        // Pages wait for their data on the server (SsrMode::Async) so that they are complete
        // without JavaScript.
        <Router>
            <Header/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") ssr=SsrMode::Async view={Lazy::<HomeRoute>::new()}/>
                    <Route path=path!("/sign-in") ssr=SsrMode::Async view={Lazy::<SignInRoute>::new()}/>
                    <Route path=path!("/register") ssr=SsrMode::Async view={Lazy::<RegisterRoute>::new()}/>
                    <Route path=path!("/profile") ssr=SsrMode::Async view={Lazy::<ProfileRoute>::new()}/>
                    <Route path=path!("/password/forgot") ssr=SsrMode::Async view={Lazy::<ForgotPasswordRoute>::new()}/>
                    <Route path=path!("/password/reset/:token") ssr=SsrMode::Async view={Lazy::<ResetPasswordRoute>::new()}/>
                    <Route path=path!("/email/confirm/:token") ssr=SsrMode::Async view={Lazy::<ConfirmEmailRoute>::new()}/>
                    <Route path=path!("/mail/unsubscribe/:token") ssr=SsrMode::Async view={Lazy::<UnsubscribeRoute>::new()}/>
                    <Route path=path!("/district") ssr=SsrMode::Async view={Lazy::<DashboardRoute>::new()}/>
                    <Route path=path!("/district/schools") ssr=SsrMode::Async view={Lazy::<SchoolsRoute>::new()}/>
                    <Route path=path!("/district/api") ssr=SsrMode::Async view={Lazy::<ApiClientsRoute>::new()}/>
                    <Route path=path!("/district/api/:client/deliveries") ssr=SsrMode::Async view={Lazy::<DeliveryLogRoute>::new()}/>
                    <Route path=path!("/district/schools/:id") ssr=SsrMode::Async view={Lazy::<SchoolDetailRoute>::new()}/>
                    <Route path=path!("/district/teachers/:id") ssr=SsrMode::Async view={Lazy::<TeacherRecordRoute>::new()}/>
                    <Route path=path!("/studios") ssr=SsrMode::Async view={Lazy::<DirectoryRoute>::new()}/>
                    <Route path=path!("/studios/new") ssr=SsrMode::Async view={Lazy::<NewStudioRoute>::new()}/>
                    <Route path=path!("/studios/:slug") ssr=SsrMode::Async view={Lazy::<StudioRoute>::new()}/>
                    <Route path=path!("/studios/:slug/edit") ssr=SsrMode::Async view={Lazy::<EditStudioRoute>::new()}/>
                    <Route path=path!("/invitations/:token") ssr=SsrMode::Async view={Lazy::<InvitationRoute>::new()}/>
                    <Route path=path!("/me/studios") ssr=SsrMode::Async view={Lazy::<MyStudiosRoute>::new()}/>
                    <Route path=path!("/me/record") ssr=SsrMode::Async view={Lazy::<MyRecordRoute>::new()}/>
                    <Route path=path!("/me/certificates/:serial") ssr=SsrMode::Async view={Lazy::<CertificateRoute>::new()}/>
                    <Route path=path!("/verify/:serial") ssr=SsrMode::Async view={Lazy::<VerifyRoute>::new()}/>
                    <Route path=path!("/lessons") ssr=SsrMode::Async view={Lazy::<LessonsRoute>::new()}/>
                    <Route path=path!("/lessons/new") ssr=SsrMode::Async view={Lazy::<ScheduleLessonRoute>::new()}/>
                    <Route path=path!("/lessons/:id") ssr=SsrMode::Async view={Lazy::<LessonRoute>::new()}/>
                    <Route path=path!("/lessons/:id/edit") ssr=SsrMode::Async view={Lazy::<EditLessonRoute>::new()}/>
                    <Route path=path!("/notifications") ssr=SsrMode::Async view={Lazy::<NotificationsRoute>::new()}/>
                    <Route path=path!("/my-lessons") ssr=SsrMode::Async view={Lazy::<MyLessonsRoute>::new()}/>
                    <Route path=path!("/growth") ssr=SsrMode::Async view={Lazy::<GrowthHomeRoute>::new()}/>
                    <Route path=path!("/hours") ssr=SsrMode::Async view={Lazy::<HoursRoute>::new()}/>
                    <Route path=path!("/hours/:user") ssr=SsrMode::Async view={Lazy::<MenteeHoursRoute>::new()}/>
                    <Route path=path!("/studios/:slug/plans/:mentee") ssr=SsrMode::Async view={Lazy::<PlanRoute>::new()}/>
                    <Route path=path!("/studios/:slug/records/:mentee") ssr=SsrMode::Async view={Lazy::<StudioRecordRoute>::new()}/>
                    <Route path=path!("/studios/:slug/record/:year") ssr=SsrMode::Async view={Lazy::<StudioYearRecordRoute>::new()}/>
                    <Route path=path!("/studios/:slug/growth") ssr=SsrMode::Async view={Lazy::<OverviewRoute>::new()}/>
                    <Route path=path!("/studies") ssr=SsrMode::Async view={Lazy::<StudiesRoute>::new()}/>
                    <Route path=path!("/studies/:id") ssr=SsrMode::Async view={Lazy::<StudyRoute>::new()}/>
                    <Route path=path!("/studies/:id/plan") ssr=SsrMode::Async view={Lazy::<StudyPlanRoute>::new()}/>
                    <Route path=path!("/studies/:id/compare") ssr=SsrMode::Async view={Lazy::<CompareRoute>::new()}/>
                </Routes>
            </main>
            <TabBar/>
        </Router>
    }
}

/// Each area's pages are one piece of the WebAssembly (a lazy function, split out by `cargo
/// leptos build --split`): a phone downloads the shell and the area it opens, the others only
/// when it goes there. A piece per area rather than per page: an area's pages share most of
/// their code, and fewer, larger pieces load faster than hundreds of small ones.
macro_rules! lazy_area {
    ($load:ident, $preload:ident, $area:ident { $($route:ident => $($page:ident)::+),+ $(,)? }) => {
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $area {
            $($route),+
        }

        #[lazy]
        fn $load(page: $area) -> AnyView {
            match page {
                $($area::$route => view! { <$($page)::+/> <Hydrated/> }.into_any()),+
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $load($area::$route).await
                }

                // Hydration needs the piece loaded before it starts (`#[lazy]` names the
                // function that loads it `__preload_{name}`).
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )+
    };
}

lazy_area!(home_area, __preload_home_area, HomeArea { HomeRoute => crate::home::pages::HomePage });
lazy_area!(accounts_area, __preload_accounts_area, AccountsArea {
    SignInRoute => SignInPage,
    RegisterRoute => RegisterPage,
    ProfileRoute => ProfilePage,
    ForgotPasswordRoute => crate::accounts::mail::pages::ForgotPasswordPage,
    ResetPasswordRoute => crate::accounts::mail::pages::ResetPasswordPage,
    ConfirmEmailRoute => crate::accounts::mail::pages::ConfirmEmailPage,
    UnsubscribeRoute => crate::accounts::mail::pages::UnsubscribePage,
});
lazy_area!(districts_area, __preload_districts_area, DistrictsArea {
    DashboardRoute => crate::districts::dashboard::pages::DashboardPage,
    SchoolsRoute => crate::districts::pages::SchoolsPage,
    ApiClientsRoute => crate::integration::pages::ApiClientsPage,
    DeliveryLogRoute => crate::integration::pages::DeliveryLogPage,
    SchoolDetailRoute => crate::districts::dashboard::pages::SchoolDetailPage,
    TeacherRecordRoute => crate::districts::dashboard::pages::TeacherRecordPage,
});
lazy_area!(studios_area, __preload_studios_area, StudiosArea {
    DirectoryRoute => DirectoryPage,
    NewStudioRoute => NewStudioPage,
    StudioRoute => StudioPageView,
    EditStudioRoute => EditStudioPage,
    InvitationRoute => InvitationPage,
    MyStudiosRoute => MyStudiosPage,
});
lazy_area!(records_area, __preload_records_area, RecordsArea {
    MyRecordRoute => crate::records::pages::MyRecordPage,
    CertificateRoute => crate::records::certificates::pages::CertificatePage,
    VerifyRoute => crate::records::certificates::pages::VerifyPage,
    StudioRecordRoute => crate::records::pages::StudioRecordPage,
    StudioYearRecordRoute => crate::records::studio_year::pages::StudioYearRecordPage,
});
lazy_area!(lessons_area, __preload_lessons_area, LessonsArea {
    LessonsRoute => LessonsPage,
    ScheduleLessonRoute => ScheduleLessonPage,
    LessonRoute => LessonPage,
    EditLessonRoute => EditLessonPage,
    NotificationsRoute => NotificationsPage,
    MyLessonsRoute => MyLessonsPage,
});
lazy_area!(growth_area, __preload_growth_area, GrowthArea {
    GrowthHomeRoute => GrowthHomePage,
    HoursRoute => HoursPage,
    MenteeHoursRoute => MenteeHoursPage,
    PlanRoute => PlanPage,
    OverviewRoute => OverviewPage,
});
lazy_area!(study_area, __preload_study_area, StudyArea {
    StudiesRoute => StudiesPage,
    StudyRoute => StudyPageView,
    StudyPlanRoute => PlanPageView,
    CompareRoute => ComparePage,
});

/// Marks the body once the page's own piece has loaded and hydrated (the shell hydrates first):
/// end-to-end tests wait for it before they click.
#[component]
fn Hydrated() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let user = viewer.user.clone();
    let signed_in = user.is_some();
    let path = use_location().pathname;
    let link = move |href: &'static str, label: Msg| nav_link(href, label, false, path, i18n);
    // On a phone the header is one row (the name, the unread count, a menu button that needs no
    // JavaScript); from 48rem the menu's content shows as a row of links and its button hides.
    view! {
        <header class="site-header">
            <a href="/" class="brand">{move || i18n.t(Msg::AppName)}</a>
            {signed_in.then(|| view! { <span class="header-notifications"><crate::lessons::pages::NotificationsLink/></span> })}
            <details class="menu">
            <summary>{move || i18n.t(Msg::NavMenu)}</summary>
            <nav aria-label=move || i18n.t(Msg::NavMain)>
                <ul>
                    <li>{link("/", Msg::NavHome)}</li>
                    <li>{link("/studios", Msg::from(StudioMsg::NavStudios))}</li>
                    <li>{link("/lessons", Msg::from(crate::lessons::LessonMsg::NavLessons))}</li>
                    {match user {
                        Some(user) => view! {
                            <li>{link("/me/studios", Msg::from(StudioMsg::NavMyStudios))}</li>
                            <li>{link("/my-lessons", Msg::from(crate::lessons::LessonMsg::MyLessons))}</li>
                            <li>{link("/growth", Msg::from(crate::growth::GrowthMsg::GrowthTitle))}</li>
                            <li>{link("/studies", Msg::from(StudyMsg::StudiesTitle))}</li>
                            <li>{link("/me/record", Msg::from(crate::records::RecordMsg::NavRecord))}</li>
                            {user.leads.then(|| view! {
                                <li>{link("/district", Msg::from(crate::districts::DistrictMsg::DashboardLink))}</li>
                            })}
                            <li>{link("/profile", Msg::NavProfile)}</li>
                            <li class="who">
                                <span class="visually-hidden">{move || i18n.t(Msg::SignedInAs)}</span>
                                <span data-testid="signed-in-user">{user.display_name}</span>
                            </li>
                            <li><SignOutButton/></li>
                        }.into_any(),
                        None => view! {
                            <li>{link("/sign-in", Msg::NavSignIn)}</li>
                            <li>{link("/register", Msg::NavRegister)}</li>
                        }.into_any(),
                    }}
                    <li><LanguageSwitch/></li>
                </ul>
            </nav>
            </details>
        </header>
    }
}

/// A link of the header or the tab bar, marked `aria-current="page"` where the viewer is (on
/// `href` itself, or below it unless `exact`). Router's `<A>` does the same with a memo and two
/// context lookups per link, on every page: these links share the one location signal.
fn nav_link(href: &'static str, label: Msg, exact: bool, path: Memo<String>, i18n: I18n) -> impl IntoView {
    view! {
        <a href=href aria-current=move || is_current(&path.read(), href, exact).then_some("page")>
            {move || i18n.t(label)}
        </a>
    }
}

/// Whether the page at `path` is `href`, or (unless `exact`) a page below it; the home is
/// current only on itself.
fn is_current(path: &str, href: &str, exact: bool) -> bool {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    path == href || (!exact && href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
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
    let path = use_location().pathname;
    view! {
        <nav class="tabbar" aria-label=move || i18n.t(Msg::NavTabs)>
            {tabs.into_iter().map(|(href, label)| nav_link(href, label, true, path, i18n)).collect_view()}
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
        <p><a href="/">{move || i18n.t(Msg::BackHome)}</a></p>
        <Hydrated/>
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_header_link_is_current_on_its_page_and_below_it() {
        assert!(is_current("/lessons", "/lessons", false));
        assert!(is_current("/lessons/", "/lessons", false));
        assert!(is_current("/lessons/3f2a", "/lessons", false));
        assert!(!is_current("/lessons/3f2a", "/lessons", true), "a tab is current on its own page only");
        assert!(!is_current("/lessons-old", "/lessons", false), "a longer name is another page");
        assert!(!is_current("/my-lessons", "/lessons", false));
    }

    #[test]
    fn the_home_link_is_current_on_the_home_only() {
        assert!(is_current("/", "/", false));
        assert!(!is_current("/studios", "/", false));
        assert!(!is_current("/studios", "/", true));
    }
}
