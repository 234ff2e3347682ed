use super::api::upcoming_lessons;
use super::LessonSummary;
use crate::accounts::Viewer;
use crate::i18n::{use_i18n, Msg};
use crate::time::{format_range, zone_label};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let lessons = Resource::new(|| (), |_| upcoming_lessons());
    let tz = viewer.time_zone.clone();
    view! {
        <section class="hero">
            <h1>{move || i18n.t(Msg::AppName)}</h1>
            <p class="tagline">{move || i18n.t(Msg::Tagline)}</p>
            <p>{move || i18n.t(Msg::HomeIntro)}</p>
            <ul class="roles">
                <li>{move || i18n.t(Msg::HomeForHosts)}</li>
                <li>{move || i18n.t(Msg::HomeForMentees)}</li>
                <li>{move || i18n.t(Msg::HomeForObservers)}</li>
            </ul>
        </section>
        <section>
            <h2>{move || i18n.t(Msg::UpcomingLessons)}</h2>
            <p class="muted">{move || i18n.t(Msg::YourTimeZone)} {tz.clone()}</p>
            <Suspense fallback=move || view! { <p>{move || i18n.t(Msg::Working)}</p> }>
                {move || Suspend::new(async move {
                    match lessons.await {
                        Ok(list) if list.is_empty() => view! { <p>{move || i18n.t(Msg::NoUpcomingLessons)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="lesson-list">
                                {list.into_iter().map(|lesson| view! { <LessonItem lesson/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <p class="error">{move || err.message(i18n.locale.get())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn LessonItem(lesson: LessonSummary) -> impl IntoView {
    let i18n = use_i18n();
    let viewer_tz = expect_context::<Viewer>().time_zone;
    let (starts, ends) = (lesson.starts_at, lesson.ends_at);
    let own_zone = (lesson.time_zone != viewer_tz).then(|| {
        let tz = lesson.time_zone.clone();
        move || format!("({} {})", format_range(starts, ends, &tz, i18n.locale.get()), zone_label(starts, &tz))
    });
    view! {
        <li class="lesson">
            <h3>{lesson.title}</h3>
            <p class="muted">{lesson.studio_name} " · " {lesson.teacher_name} " · " {lesson.subject} " " {lesson.grade}</p>
            <p>
                <span class="label">{move || i18n.t(Msg::LessonAt)} ": "</span>
                <time datetime=starts.to_rfc3339()>{move || format_range(starts, ends, &viewer_tz, i18n.locale.get())}</time>
                " " {own_zone.map(|f| view! { <span class="other-zone">{f}</span> })}
            </p>
            <p><span class="label">{move || i18n.t(Msg::SeatsCapacity)} ": "</span> {lesson.capacity}</p>
        </li>
    }
}
