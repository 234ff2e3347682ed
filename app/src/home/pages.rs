//! `/`: the public landing page for a visitor; for a signed-in teacher, the cards of what needs
//! them now. Every card has a heading, its items as links, an empty state that says what to do
//! next, and its one main action. Rendered on the server, so all of it reads without JavaScript.

use super::api::my_home;
use super::rules::{due_label, hours_ring, waiting_label, RING_RADIUS};
use super::{
    ActiveStudy, BookedLesson, DashboardHeadline, Home, HomeMsg, HoursProgress, LeadCards, LedLesson, MenteeCards,
};
use crate::accounts::Viewer;
use crate::growth::rules::format_tenths;
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::{format_date_time, format_day, format_range};
use crate::kit::view::{LoadError, Loading};
use crate::lessons::{BookingStatus, LessonStatus};
use leptos::prelude::*;

fn hm(m: HomeMsg) -> Msg {
    Msg::from(m)
}

#[component]
pub fn HomePage() -> impl IntoView {
    match expect_context::<Viewer>().user {
        Some(user) => view! { <PersonalHome name=user.display_name/> }.into_any(),
        None => view! { <crate::lessons::pages::Landing/> }.into_any(),
    }
}

#[component]
fn PersonalHome(name: String) -> impl IntoView {
    let i18n = use_i18n();
    let home = Resource::new(|| (), |_| my_home());
    view! {
        <h1>{move || i18n.fill(hm(HomeMsg::Greeting), &[("name", &name)])}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(Some(home)) => view! { <Cards home/> }.into_any(),
                    // The session ended between the header and the cards.
                    Ok(None) => view! { <LoadError err=crate::kit::error::AppError::SignInRequired/> }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The cards, most pressing first: a leader's dashboard, what waits for a studio's host or
/// mentors, what is due for a mentee, then everyone's lessons, studies, hours and notifications.
#[component]
fn Cards(home: Home) -> impl IntoView {
    let i18n = use_i18n();
    let today = home.today;
    let show_lessons = home.lead.is_some() || !home.lessons.is_empty();
    view! {
        <p class="muted">{move || i18n.fill(hm(HomeMsg::TodayLine), &[("date", &format_day(today, i18n.locale.get()))])}</p>
        <div class="home-grid">
            {home.dashboard.map(|d| view! { <DashboardCard headline=d/> })}
            {show_lessons.then(|| view! { <LedLessonsCard lessons=home.lessons/> })}
            {home.lead.map(|lead| view! { <LeadCardsView lead now=home.now/> })}
            {home.mentee.map(|mentee| view! { <MenteeCardsView mentee today/> })}
            <BookedCard booked=home.booked/>
            <StudiesCard studies=home.studies/>
            <HoursCard hours=home.hours/>
            <NotificationsCard/>
        </div>
    }
}

/// A card: a `section` named by its heading.
#[component]
fn Card(id: &'static str, #[prop(into)] title: TextProp, children: Children) -> impl IntoView {
    view! {
        <section class="card home-card" aria-labelledby=id>
            <h2 id=id>{move || title.get()}</h2>
            {children()}
        </section>
    }
}

#[component]
fn Empty(msg: Msg) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="empty">{move || i18n.t(msg)}</p> }
}

#[component]
fn Action(href: String, label: Msg) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="card-action"><a href=href>{move || i18n.t(label)}</a></p> }
}

#[component]
fn More(total: i64, shown: usize) -> impl IntoView {
    let i18n = use_i18n();
    let rest = total - shown as i64;
    (rest > 0).then(|| view! { <p class="muted">{move || i18n.fill(hm(HomeMsg::MoreItems), &[("n", &rest)])}</p> })
}

#[component]
fn DashboardCard(headline: DashboardHeadline) -> impl IntoView {
    let i18n = use_i18n();
    let DashboardHeadline { href, name, year, teachers, median_tenths, on_track_percent } = headline;
    let figure = move |value: Option<String>| match value {
        Some(v) => view! { <strong>{v}</strong> }.into_any(),
        None => view! { <span class="muted">{move || i18n.t(hm(HomeMsg::TooFew))}</span> }.into_any(),
    };
    view! {
        <Card id="home-dashboard" title=move || i18n.fill(hm(HomeMsg::DashboardTitle), &[("name", &name), ("year", &year)])>
            <dl class="figures">
                <div><dt>{move || i18n.t(hm(HomeMsg::Teachers))}</dt><dd>{figure(teachers.map(|n| n.to_string()))}</dd></div>
                <div><dt>{move || i18n.t(hm(HomeMsg::MedianHours))}</dt><dd>{figure(median_tenths.map(format_tenths))}</dd></div>
                <div><dt>{move || i18n.t(hm(HomeMsg::OnTrack))}</dt><dd>{figure(on_track_percent.map(|p| format!("{p}%")))}</dd></div>
            </dl>
            <Action href label=hm(HomeMsg::OpenDashboard)/>
        </Card>
    }
}

#[component]
fn LedLessonsCard(lessons: Vec<LedLesson>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let empty = lessons.is_empty();
    view! {
        <Card id="home-led-lessons" title=move || i18n.t(hm(HomeMsg::TeachingTitle))>
            {empty.then(|| view! { <Empty msg=hm(HomeMsg::NoTeaching)/> })}
            <ul class="home-list">
                {lessons.into_iter().map(|l| {
                    let tz = tz.clone();
                    let (taken, capacity) = (l.seats_taken, l.capacity);
                    let role = hm(if l.teaching { HomeMsg::YouTeach } else { HomeMsg::YourStudio });
                    let draft = (l.status == LessonStatus::Draft).then_some(l.status.label());
                    view! {
                        <li>
                            <a href=format!("/lessons/{}", l.id)>{l.title}</a>
                            " " <span class="chip">{move || i18n.t(role)}</span>
                            {draft.map(|s| view! { " " <span class="chip chip-warn">{move || i18n.t(s)}</span> })}
                            <br/>
                            <time datetime=l.starts_at.to_rfc3339()>{move || format_range(l.starts_at, l.ends_at, &tz, i18n.locale.get())}</time>
                            " · " {move || i18n.fill(hm(HomeMsg::SeatsBooked), &[("taken", &taken), ("capacity", &capacity)])}
                            {l.checkin_code.map(|code| view! {
                                <br/><span>{move || i18n.t(hm(HomeMsg::CheckinCode))} ": "</span>
                                <strong class="checkin-code" data-testid="home-checkin-code">{code}</strong>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Action href="/lessons/new".to_owned() label=hm(HomeMsg::ScheduleLesson)/>
        </Card>
    }
}

#[component]
fn LeadCardsView(lead: LeadCards, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let LeadCards { evidence, evidence_total, join_requests, approvals } = lead;
    let shown = evidence.len();
    let no_requests = join_requests.is_empty() && approvals.is_empty();
    view! {
        <Card id="home-evidence" title=move || i18n.t(hm(HomeMsg::EvidenceTitle))>
            {evidence.is_empty().then(|| view! { <Empty msg=hm(HomeMsg::NoEvidence)/> })}
            <ul class="home-list">
                {evidence.into_iter().map(|e| {
                    let (wait, days) = waiting_label(e.done_at, now);
                    let line = (e.mentee, e.milestone);
                    view! {
                        <li>
                            <a href=e.plan_href>{move || i18n.fill(hm(HomeMsg::EvidenceLine), &[("mentee", &line.0), ("milestone", &line.1)])}</a>
                            " " <span class="chip">{move || i18n.fill(wait, &[("n", &days)])}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <More total=evidence_total shown/>
        </Card>
        <Card id="home-requests" title=move || i18n.t(hm(HomeMsg::RequestsTitle))>
            {no_requests.then(|| view! { <Empty msg=hm(HomeMsg::NoRequests)/> })}
            <ul class="home-list">
                {join_requests.into_iter().map(|r| view! {
                    <li><a href=format!("/studios/{}", r.studio_slug)>
                        {move || i18n.fill(hm(HomeMsg::JoinRequests), &[("studio", &r.studio_name), ("n", &r.waiting)])}
                    </a></li>
                }).collect_view()}
                {approvals.into_iter().map(|a| view! {
                    <li><a href=format!("/lessons/{}", a.lesson_id)>
                        {move || i18n.fill(hm(HomeMsg::BookingApprovals), &[("lesson", &a.title), ("n", &a.waiting)])}
                    </a></li>
                }).collect_view()}
            </ul>
        </Card>
    }
}

#[component]
fn MenteeCardsView(mentee: MenteeCards, today: chrono::NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let MenteeCards { due, due_total, feedback } = mentee;
    let shown = due.len();
    let no_feedback = feedback.is_empty();
    view! {
        <Card id="home-due" title=move || i18n.t(hm(HomeMsg::DueTitle))>
            {due.is_empty().then(|| view! { <Empty msg=hm(HomeMsg::NoDue)/> })}
            <ul class="home-list">
                {due.into_iter().map(|m| {
                    let (label, days) = due_label(m.due_on, today);
                    let late = m.due_on < today;
                    view! {
                        <li>
                            <a href=m.plan_href>{m.title}</a>
                            " " <span class=if late { "chip chip-danger" } else { "chip" }>
                                <time datetime=m.due_on.to_string()>{move || i18n.fill(label, &[("n", &days)])}</time>
                            </span>
                            <br/><span class="muted">{m.goal_title}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <More total=due_total shown/>
            <Action href="/growth".to_owned() label=hm(HomeMsg::OpenGrowth)/>
        </Card>
        <Card id="home-feedback" title=move || i18n.t(hm(HomeMsg::FeedbackTitle))>
            {no_feedback.then(|| view! { <Empty msg=hm(HomeMsg::NoFeedback)/> })}
            <ul class="home-list">
                {feedback.into_iter().map(|f| {
                    let tz = tz.clone();
                    let who = (f.author, f.goal_title);
                    view! {
                        <li>
                            <a href=f.plan_href>{move || i18n.fill(hm(HomeMsg::FeedbackOn), &[("author", &who.0), ("goal", &who.1)])}</a>
                            {f.new.then(|| view! { " " <span class="chip chip-new">{move || i18n.t(hm(HomeMsg::NewSinceVisit))}</span> })}
                            <br/><span>{f.excerpt}</span>
                            <br/><time class="muted" datetime=f.at.to_rfc3339()>{move || format_date_time(f.at, &tz, i18n.locale.get())}</time>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Card>
    }
}

#[component]
fn BookedCard(booked: Vec<BookedLesson>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let empty = booked.is_empty();
    view! {
        <Card id="home-booked" title=move || i18n.t(hm(HomeMsg::BookedTitle))>
            {empty.then(|| view! { <Empty msg=hm(HomeMsg::NoBookings)/> })}
            <ul class="home-list">
                {booked.into_iter().map(|b| {
                    let tz = tz.clone();
                    let status = b.status;
                    let position = b.waitlist_position;
                    view! {
                        <li>
                            <a href=format!("/lessons/{}", b.id)>{b.title}</a>
                            " " <span class=if status == BookingStatus::Confirmed { "chip chip-ok" } else { "chip" }>
                                {move || match position {
                                    Some(n) => i18n.fill(hm(HomeMsg::WaitlistPosition), &[("n", &n)]),
                                    None => i18n.t(status.label()).to_owned(),
                                }}
                            </span>
                            <br/><time datetime=b.starts_at.to_rfc3339()>{move || format_range(b.starts_at, b.ends_at, &tz, i18n.locale.get())}</time>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Action href="/lessons".to_owned() label=hm(HomeMsg::FindLessons)/>
        </Card>
    }
}

#[component]
fn StudiesCard(studies: Vec<ActiveStudy>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = studies.is_empty();
    view! {
        <Card id="home-studies" title=move || i18n.t(hm(HomeMsg::StudiesTitle))>
            {empty.then(|| view! { <Empty msg=hm(HomeMsg::NoStudies)/> })}
            <ul class="home-list">
                {studies.into_iter().map(|s| {
                    let phase = s.phase.label();
                    view! {
                        <li>
                            <a href=format!("/studies/{}", s.id)>{s.title}</a>
                            " " <span class="chip">{move || i18n.t(phase)}</span>
                            {s.lesson_today.then(|| view! { " " <span class="chip chip-new">{move || i18n.t(hm(HomeMsg::LessonToday))}</span> })}
                            <br/><span class="muted">{s.studio_name}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Action href="/studies".to_owned() label=hm(HomeMsg::SeeStudies)/>
        </Card>
    }
}

/// Hours against the quota as a ring drawn on the server (SVG), its figures also in words.
#[component]
fn HoursCard(hours: HoursProgress) -> impl IntoView {
    let i18n = use_i18n();
    let HoursProgress { year_start, year_last, done_tenths, quota_tenths } = hours;
    let ring = hours_ring(done_tenths, quota_tenths);
    let (done, quota) = (format_tenths(done_tenths), format_tenths(quota_tenths));
    let left = format_tenths((quota_tenths - done_tenths).max(0));
    let met = done_tenths >= quota_tenths;
    let label = {
        let (done, quota) = (done.clone(), quota.clone());
        move || i18n.fill(hm(HomeMsg::HoursRing), &[("done", &done), ("quota", &quota), ("percent", &ring.percent)])
    };
    view! {
        <Card id="home-hours" title=move || i18n.t(hm(HomeMsg::HoursTitle))>
            <div class="hours-ring">
                <svg viewBox="0 0 100 100" width="112" height="112" role="img" aria-label=label.clone()>
                    <circle class="ring-track" cx="50" cy="50" r=RING_RADIUS.to_string()/>
                    // No hours, no arc: a round line cap would draw a dot that reads as progress.
                    {(ring.arc > 0.0).then(|| view! {
                        <circle class="ring-done" cx="50" cy="50" r=RING_RADIUS.to_string() transform="rotate(-90 50 50)"
                            stroke-dasharray=format!("{:.2} {:.2}", ring.arc, ring.circumference)/>
                    })}
                    <text x="50" y="56" text-anchor="middle">{ring.percent} "%"</text>
                </svg>
                <div>
                    <p class="hours-figure"><strong>{done}</strong> " / " {quota}</p>
                    <p>{move || if met { i18n.t(hm(HomeMsg::HoursMet)).to_owned() } else { i18n.fill(hm(HomeMsg::HoursLeft), &[("left", &left)]) }}</p>
                    <p class="muted">{move || i18n.fill(hm(HomeMsg::HoursYear), &[("from", &year_start), ("to", &year_last)])}</p>
                </div>
            </div>
            <Action href="/hours".to_owned() label=hm(HomeMsg::OpenHours)/>
        </Card>
    }
}

/// The unread count is the header's, loaded with the viewer.
#[component]
fn NotificationsCard() -> impl IntoView {
    let i18n = use_i18n();
    let unread = expect_context::<Viewer>().unread();
    view! {
        <Card id="home-notifications" title=move || i18n.t(hm(HomeMsg::NotificationsTitle))>
            {match unread {
                0 => view! { <Empty msg=hm(HomeMsg::NoUnread)/> }.into_any(),
                n => view! { <p><strong>{move || i18n.fill(hm(HomeMsg::Unread), &[("n", &n)])}</strong></p> }.into_any(),
            }}
            <Action href="/notifications".to_owned() label=hm(HomeMsg::OpenNotifications)/>
        </Card>
    }
}
