//! Open-lesson pages: the home page's upcoming list, the lesson finder with its calendar, a
//! lesson's page (booking, and for the studio's leads: publishing, attendance), scheduling,
//! notifications and the observer's own hours and calendar feed. Every form is an `ActionForm`:
//! a plain HTML form without JavaScript (the server redirects back), in place with it.

use super::api::{
    get_lesson, lesson_attendees, lesson_calendar, list_lessons, my_led_studios, my_notifications, my_training_hours,
    upcoming_lessons, BookLesson, CancelBooking, CancelLesson, CheckIn, CheckInWithCode, DecideBooking, MarkLessonDone,
    MarkNotificationsRead, PublishLesson, ResetCalendarFeed, ScheduleLesson, SetCapacity,
};
use super::rules::seats_left;
use super::{
    Attendee, BookingStatus, CalendarPeriod, LessonDetail, LessonFilter, LessonMsg, LessonPage, LessonStatus,
    LessonSummary, Mode,
};
use crate::accounts::Viewer;
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, Choice, Field, FormStatus, TimeZoneList};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::{format_date_time, format_range, zone_label, DEFAULT_TIME_ZONE};
use crate::kit::view::{LoadError, Loading, Pager, Refresh, Submit};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

fn lm(m: LessonMsg) -> Msg {
    Msg::from(m)
}

/// The public landing page: what Atelier is, and the open lessons coming up.
#[component]
pub fn Landing() -> impl IntoView {
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
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match lessons.await {
                        Ok(list) if list.is_empty() => view! { <p>{move || i18n.t(Msg::NoUpcomingLessons)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="lesson-list">
                                {list.into_iter().map(|lesson| view! { <LessonItem lesson/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <LoadError err/> }.into_any(),
                    }
                })}
            </Suspense>
            <p><a href="/lessons">{move || i18n.t(lm(LessonMsg::LessonsTitle))}</a></p>
        </section>
    }
}

/// The lesson's time in the viewer's zone, followed by its own local time when the zones differ.
#[component]
fn When(starts: chrono::DateTime<Utc>, ends: chrono::DateTime<Utc>, time_zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let viewer_tz = expect_context::<Viewer>().time_zone;
    let own_zone = (time_zone != viewer_tz).then(|| {
        let tz = time_zone.clone();
        move || {
            format!(
                "({} {} {})",
                i18n.t(lm(LessonMsg::LessonOwnZone)),
                format_range(starts, ends, &tz, i18n.locale.get()),
                zone_label(starts, &tz)
            )
        }
    });
    view! {
        <time datetime=starts.to_rfc3339()>{move || format_range(starts, ends, &viewer_tz, i18n.locale.get())}</time>
        " " {own_zone.map(|f| view! { <span class="other-zone">{f}</span> })}
    }
}

#[component]
fn WhenAt(at: chrono::DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    view! { <time datetime=at.to_rfc3339()>{move || format_date_time(at, &tz, i18n.locale.get())}</time> }
}

#[component]
fn LessonItem(lesson: LessonSummary) -> impl IntoView {
    let i18n = use_i18n();
    let left = seats_left(lesson.capacity, lesson.seats_taken);
    let href = format!("/lessons/{}", lesson.id);
    let status = Some(lesson.status).filter(|s| *s != LessonStatus::Published);
    let mine = lesson.my_status;
    view! {
        <li class="lesson">
            <h3><a href=href>{lesson.title}</a></h3>
            {status.map(|s| view! { <p class="status">{move || i18n.t(s.label())}</p> })}
            {mine.map(|s| view! { <p class="status mine">{move || i18n.t(lm(LessonMsg::YourBooking))} ": " {move || i18n.t(s.label())}</p> })}
            <p class="muted">{lesson.studio_name} " · " {lesson.teacher_name} " · " {lesson.subject} " " {lesson.grade}</p>
            <p>
                <span class="label">{move || i18n.t(Msg::LessonAt)} ": "</span>
                <When starts=lesson.starts_at ends=lesson.ends_at time_zone=lesson.time_zone/>
            </p>
            <p>
                <span class="label">{move || i18n.t(lm(LessonMsg::SeatsLeft))} ": "</span>
                {left} " / " {lesson.capacity}
            </p>
        </li>
    }
}

fn mode_options(with_any: bool) -> Vec<(&'static str, Msg)> {
    let mut v: Vec<(&'static str, Msg)> = if with_any { vec![("", lm(LessonMsg::AnyMode))] } else { Vec::new() };
    v.extend(Mode::ALL.iter().map(|m| (m.code(), m.label())));
    v
}

/// `/lessons`: filters (a GET form, so it works without JavaScript), then a list, a month or a
/// week calendar.
#[component]
pub fn LessonsPage() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        LessonFilter {
            subject: get("subject"),
            grade: get("grade"),
            district: get("district"),
            mode: get("mode"),
            from: get("from"),
            to: get("to"),
            free_seats: !get("free").is_empty(),
            page: get("page").parse().unwrap_or(1),
        }
    };
    let view_kind = move || match query.read().get("view").as_deref() {
        Some("month") => "month",
        Some("week") => "week",
        _ => "list",
    };
    // Each view asks for what it shows: a page of the list, or the calendar's own period.
    let list = Resource::new(
        move || (view_kind() == "list").then(filter),
        |f| async move {
            match f {
                Some(f) => list_lessons(f).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let calendar = Resource::new(
        move || (view_kind() != "list").then(|| (filter(), view_kind() == "week")),
        |asked| async move {
            match asked {
                Some((f, week)) => lesson_calendar(f, week).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let no_error = Signal::derive(|| None::<AppError>);
    let f = filter();
    let tz = viewer.time_zone.clone();
    view! {
        <section>
            <h1>{move || i18n.t(lm(LessonMsg::LessonsTitle))}</h1>
            <p class="muted">{move || i18n.t(Msg::YourTimeZone)} {tz.clone()}</p>
            {viewer.user.is_some().then(|| view! { <p><a href="/lessons/new">{move || i18n.t(lm(LessonMsg::ScheduleTitle))}</a></p> })}
            <form method="get" action="/lessons" class="filters card" role="search" aria-label=move || i18n.t(lm(LessonMsg::Filter))>
                <Field name="subject" label=Msg::Subject value=f.subject.clone() error=no_error/>
                <Field name="grade" label=lm(LessonMsg::Grade) value=f.grade.clone() error=no_error/>
                <Field name="district" label=Msg::District value=f.district.clone() error=no_error/>
                <Choice name="mode" label=lm(LessonMsg::Mode) options=mode_options(true) selected=f.mode.clone() error=no_error/>
                <Field name="from" label=lm(LessonMsg::DateFrom) kind="date" value=f.from.clone() error=no_error/>
                <Field name="to" label=lm(LessonMsg::DateTo) kind="date" value=f.to.clone() error=no_error/>
                <div class="field checkbox">
                    <label><input type="checkbox" name="free" value="1" checked=f.free_seats/> {move || i18n.t(lm(LessonMsg::HasFreeSeats))}</label>
                </div>
                <Choice name="view" label=lm(LessonMsg::CalendarView) options=vec![("list", lm(LessonMsg::ViewList)), ("month", lm(LessonMsg::ViewMonth)), ("week", lm(LessonMsg::ViewWeek))] selected=view_kind().to_owned() error=no_error/>
                <button type="submit" class="primary">{move || i18n.t(lm(LessonMsg::Filter))}</button>
            </form>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let f = filter();
                    if view_kind() == "list" {
                        match list.await {
                            Ok(Some(page)) => view! { <LessonListPage page filter=f/> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(err) => view! { <LoadError err/> }.into_any(),
                        }
                    } else {
                        match calendar.await {
                            Ok(Some(period)) => view! { <CalendarGrid period filter=f/> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(err) => view! { <LoadError err/> }.into_any(),
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A page of the finder's list with links to the previous and next pages.
#[component]
fn LessonListPage(page: LessonPage, filter: LessonFilter) -> impl IntoView {
    let i18n = use_i18n();
    if page.lessons.is_empty() && page.page == 1 {
        return view! { <p>{move || i18n.t(Msg::NoUpcomingLessons)}</p> }.into_any();
    }
    let base = finder_query(&filter, "list", true);
    view! {
        <h2 class="visually-hidden">{move || i18n.t(lm(LessonMsg::NavLessons))}</h2>
        <ul class="lesson-list">
            {page.lessons.into_iter().map(|lesson| view! { <LessonItem lesson/> }).collect_view()}
        </ul>
        <Pager page=page.page more=page.more href=move |n| format!("/lessons?{base}&page={n}")/>
    }
    .into_any()
}

/// The finder's query string for `view`, with its filters (and its dates when `dates`), for
/// the pager's and the calendar's links.
fn finder_query(f: &LessonFilter, view: &str, dates: bool) -> String {
    let mut parts = vec![format!("view={view}")];
    let mut fields = vec![("subject", &f.subject), ("grade", &f.grade), ("district", &f.district), ("mode", &f.mode)];
    if dates {
        fields.extend([("from", &f.from), ("to", &f.to)]);
    }
    for (k, v) in fields {
        if !v.is_empty() {
            parts.push(format!("{k}={}", crate::kit::forms::query_value(v)));
        }
    }
    if f.free_seats {
        parts.push("free=1".into());
    }
    parts.join("&")
}

/// A month (six whole weeks) or week grid of the period the server chose; days in the viewer's
/// zone. A month's day shows its first lessons and links to that day's full list; a week's day
/// shows all of them. Links to the previous and next period.
#[component]
fn CalendarGrid(period: CalendarPeriod, filter: LessonFilter) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<Viewer>().time_zone;
    let week = period.days == 7;
    let anchor = period.anchor;
    let month_start = anchor.with_day(1).unwrap_or(anchor);
    let (prev, next) = if week {
        (period.start - Duration::days(7), period.start + Duration::days(7))
    } else {
        let prev = (month_start - Duration::days(1)).with_day(1).unwrap_or(month_start);
        let next = (month_start + Duration::days(31)).with_day(1).unwrap_or(month_start);
        (prev, next)
    };
    let view = if week { "week" } else { "month" };
    let base = finder_query(&filter, view, false);
    let link = |from: NaiveDate| format!("/lessons?{base}&from={}", from.format("%Y-%m-%d"));
    let (prev_href, next_href) = (link(prev), link(next));
    let (prev_label, next_label) = if week {
        (LessonMsg::PreviousWeek, LessonMsg::NextWeek)
    } else {
        (LessonMsg::PreviousMonth, LessonMsg::NextMonth)
    };
    let day_list = finder_query(&filter, "list", false);
    let mut busy = period.busy.into_iter().peekable();
    let weekdays = ["一", "二", "三", "四", "五", "六", "日"];
    let weekdays_en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let cells: Vec<_> = (0..period.days)
        .map(|i| {
            let day = period.start + Duration::days(i64::from(i));
            let todays = busy.next_if(|d| d.date == day);
            let muted = !week && day.month() != anchor.month();
            let (count, lessons) = todays.map(|d| (d.count, d.lessons)).unwrap_or_default();
            let hidden = count - lessons.len() as i64;
            let all_href = format!("/lessons?{day_list}&from={day}&to={day}", day = day.format("%Y-%m-%d"));
            view! {
                <li class="day" class:other-month=muted>
                    <span class="date">{day.format("%-m/%-d").to_string()}</span>
                    <ul>
                        {lessons
                            .into_iter()
                            .map(|l| {
                                let time = crate::kit::time::local(l.starts_at, &tz).format("%H:%M").to_string();
                                view! { <li><a href=format!("/lessons/{}", l.id)>{time} " " {l.title}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                    {(hidden > 0).then(|| view! {
                        <a class="day-all" href=all_href>{move || lm(LessonMsg::DayAll).fill(i18n.locale.get(), &[("n", &count)])}</a>
                    })}
                </li>
            }
        })
        .collect();
    let heading = if week {
        format!("{} – {}", period.start.format("%Y-%m-%d"), (period.start + Duration::days(6)).format("%Y-%m-%d"))
    } else {
        month_start.format("%Y-%m").to_string()
    };
    view! {
        <h2>{heading}</h2>
        <p class="calendar-nav">
            <a href=prev_href>{move || i18n.t(lm(prev_label))}</a>
            " · "
            <a href=next_href>{move || i18n.t(lm(next_label))}</a>
        </p>
        <ol class="calendar" class:week=week>
            {(0..7).map(|i| view! { <li class="weekday" aria-hidden="true">{move || if i18n.locale.get() == crate::kit::i18n::Locale::ZhCn { weekdays[i] } else { weekdays_en[i] }}</li> }).collect_view()}
            {cells}
        </ol>
    }
}

/// `/lessons/:id`.
#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params_map();
    let refresh = Refresh::provide();
    let id = move || params.read().get("id").and_then(|s| s.parse::<Uuid>().ok());
    let lesson = Resource::new(
        move || (id(), refresh.version()),
        |(id, _)| async move {
            match id {
                Some(id) => get_lesson(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match lesson.await {
                    Ok(lesson) => view! { <LessonView lesson/> }.into_any(),
                    Err(err) => view! { <LoadError err title=lm(LessonMsg::LessonsTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LessonView(lesson: LessonDetail) -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let left = seats_left(lesson.capacity, lesson.seats_taken);
    let status = lesson.status;
    let place = (!lesson.place.is_empty()).then(|| lesson.place.clone());
    let link = (!lesson.link.is_empty()).then(|| lesson.link.clone());
    let description = lesson.description.clone();
    let cancel_reason = (!lesson.cancel_reason.is_empty()).then(|| lesson.cancel_reason.clone());
    let mode = lesson.mode;
    let manage = lesson.can_manage.then(|| view! { <ManagePanel lesson=lesson.clone()/> });
    let booking = view! { <BookingPanel lesson=lesson.clone() signed_in=viewer.user.is_some()/> };
    view! {
        <article class="lesson-page">
            <h1>{lesson.title.clone()}</h1>
            <p class="muted">{lesson.studio_name.clone()} " · " {lesson.teacher_name.clone()} " · " {lesson.subject.clone()} " " {lesson.grade.clone()}</p>
            <p class="status" data-testid="lesson-status">{move || i18n.t(status.label())}</p>
            {cancel_reason.map(|r| view! { <p class="notice">{move || i18n.t(lm(LessonMsg::CancelReason))} ": " {r.clone()}</p> })}
            <dl class="facts">
                <dt>{move || i18n.t(Msg::LessonAt)}</dt>
                <dd><When starts=lesson.starts_at ends=lesson.ends_at time_zone=lesson.time_zone.clone()/></dd>
                <dt>{move || i18n.t(lm(LessonMsg::Mode))}</dt>
                <dd>{move || i18n.t(mode.label())}</dd>
                {place.map(|p| view! { <dt>{move || i18n.t(lm(LessonMsg::Place))}</dt><dd>{p}</dd> })}
                {link.map(|l| view! { <dt>{move || i18n.t(lm(LessonMsg::Link))}</dt><dd><a href=l.clone() rel="noopener noreferrer">{l.clone()}</a></dd> })}
                <dt>{move || i18n.t(lm(LessonMsg::SeatsLeft))}</dt>
                <dd data-testid="seats-left">{left} " / " {lesson.capacity}</dd>
                <dt>{move || i18n.t(lm(LessonMsg::CreditedHours))}</dt>
                <dd>{lesson.credited_hours.clone()}</dd>
                {lesson.booking_opens_at.map(|at| view! { <dt>{move || i18n.t(lm(LessonMsg::BookingOpensAt))}</dt><dd><WhenAt at/></dd> })}
                {lesson.booking_closes_at.map(|at| view! { <dt>{move || i18n.t(lm(LessonMsg::BookingClosesAt))}</dt><dd><WhenAt at/></dd> })}
                {lesson.needs_approval.then(|| view! { <dt>{move || i18n.t(lm(LessonMsg::NeedsApproval))}</dt><dd>"✓"</dd> })}
            </dl>
            {(!description.is_empty()).then(|| view! { <p class="description">{description.clone()}</p> })}
            {(status != LessonStatus::Draft).then(|| view! {
                <p><a href=format!("/lessons/{}/calendar.ics", lesson.id) download="lesson.ics">{move || i18n.t(lm(LessonMsg::DownloadIcs))}</a></p>
            })}
            {booking}
            {manage}
        </article>
    }
}

#[component]
fn BookingPanel(lesson: LessonDetail, signed_in: bool) -> impl IntoView {
    let i18n = use_i18n();
    let book = ServerAction::<BookLesson>::new();
    let cancel = ServerAction::<CancelBooking>::new();
    let code = ServerAction::<CheckInWithCode>::new();
    let refresh = Refresh::expect();
    refresh.on_success(book.value());
    refresh.on_success(cancel.value());
    refresh.on_success(code.value());
    let book_error = action_error(book.value());
    let cancel_error = action_error(cancel.value());
    let code_error = action_error(code.value());
    let id = lesson.id;
    if !signed_in {
        return view! {
            <section class="card booking">
                <h2>{move || i18n.t(lm(LessonMsg::YourBooking))}</h2>
                <p><a href="/sign-in">{move || i18n.t(lm(LessonMsg::SignInToBook))}</a></p>
            </section>
        }
        .into_any();
    }
    let active =
        lesson.my_booking.clone().filter(|b| !matches!(b.status, BookingStatus::Cancelled | BookingStatus::Declined));
    let state = match &lesson.my_booking {
        Some(b) => {
            let status = b.status;
            let position = b.waitlist_position;
            view! {
                <p data-testid="my-booking">
                    <strong>{move || i18n.t(status.label())}</strong>
                    {position.map(|p| view! { " · " {move || i18n.fill(lm(LessonMsg::WaitlistPosition), &[("n", &p)])} })}
                </p>
            }
            .into_any()
        }
        None => view! { <p data-testid="my-booking">{move || i18n.t(lm(LessonMsg::NotBooked))}</p> }.into_any(),
    };
    let can_cancel = active.as_ref().is_some_and(|b| {
        matches!(b.status, BookingStatus::Pending | BookingStatus::Confirmed | BookingStatus::Waitlisted)
    });
    let can_check_in = active.as_ref().is_some_and(|b| b.status == BookingStatus::Confirmed);
    let can_book = active.is_none() && lesson.status == LessonStatus::Published;
    view! {
        <section class="card booking">
            <h2>{move || i18n.t(lm(LessonMsg::YourBooking))}</h2>
            {state}
            // Shown whether or not the form is still there: after a plain-form post the page is
            // rendered anew, perhaps without the form that failed.
            <p class="field-error" role="alert" data-testid="booking-error">
                {move || {
                    let failed = book_error.get().or_else(|| cancel_error.get());
                    failed.map(|e| e.field_msg("lesson").map(|m| i18n.t(m).to_owned()).unwrap_or_else(|| e.message(i18n.locale.get())))
                }}
            </p>
            {can_book.then(|| view! {
                <ActionForm action=book>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Submit label=lm(LessonMsg::Book) pending=book.pending() class="primary"/>
                </ActionForm>
            })}
            {can_cancel.then(|| view! {
                <ActionForm action=cancel>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Field name="reason" label=lm(LessonMsg::CancelReason) error=cancel_error/>
                    <Submit label=lm(LessonMsg::CancelBooking) pending=cancel.pending()/>
                </ActionForm>
            })}
            {can_check_in.then(|| view! {
                <ActionForm action=code>
                    <FormStatus error=code_error/>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Field name="code" label=lm(LessonMsg::CheckInCode) autocomplete="one-time-code" error=code_error/>
                    <Submit label=lm(LessonMsg::CheckInWithCode) pending=code.pending()/>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn ManagePanel(lesson: LessonDetail) -> impl IntoView {
    let i18n = use_i18n();
    let publish = ServerAction::<PublishLesson>::new();
    let cancel = ServerAction::<CancelLesson>::new();
    let done = ServerAction::<MarkLessonDone>::new();
    let capacity = ServerAction::<SetCapacity>::new();
    let refresh = Refresh::expect();
    refresh.on_success(publish.value());
    refresh.on_success(cancel.value());
    refresh.on_success(done.value());
    refresh.on_success(capacity.value());
    let publish_error = action_error(publish.value());
    let cancel_error = action_error(cancel.value());
    let done_error = action_error(done.value());
    let capacity_error = action_error(capacity.value());
    let id = lesson.id;
    let status = lesson.status;
    let open = matches!(status, LessonStatus::Draft | LessonStatus::Published);
    view! {
        <section class="card manage">
            <h2>{move || i18n.t(lm(LessonMsg::ManageTitle))}</h2>
            {open.then(|| view! { <p><a href=format!("/lessons/{id}/edit")>{move || i18n.t(lm(LessonMsg::EditLink))}</a></p> })}
            {lesson.checkin_code.clone().filter(|_| status == LessonStatus::Published).map(|c| view! {
                <p>{move || i18n.t(lm(LessonMsg::CheckInCode))} ": " <strong class="code" data-testid="checkin-code">{c}</strong></p>
            })}
            {(status == LessonStatus::Draft).then(|| view! {
                <ActionForm action=publish>
                    <FormStatus error=publish_error/>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Submit label=lm(LessonMsg::Publish) pending=publish.pending() class="primary"/>
                </ActionForm>
            })}
            {open.then(|| view! {
                <ActionForm action=capacity attr:class="inline-form">
                    <FormStatus error=capacity_error/>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Field name="capacity" label=lm(LessonMsg::Capacity) kind="number" value=lesson.capacity.to_string() error=capacity_error/>
                    <Submit label=Msg::Save pending=capacity.pending()/>
                </ActionForm>
            })}
            {(status == LessonStatus::Published).then(|| view! {
                <ActionForm action=done>
                    <FormStatus error=done_error/>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Submit label=lm(LessonMsg::MarkDone) pending=done.pending()/>
                </ActionForm>
            })}
            {open.then(|| view! {
                <ActionForm action=cancel>
                    <FormStatus error=cancel_error/>
                    <input type="hidden" name="lesson_id" value=id.to_string()/>
                    <Field name="reason" label=lm(LessonMsg::CancelReason) error=cancel_error/>
                    <Submit label=lm(LessonMsg::CancelLesson) pending=cancel.pending() class="danger"/>
                </ActionForm>
            })}
            {(status != LessonStatus::Draft).then(|| view! { <AttendeeList lesson_id=lesson.id/> })}
        </section>
    }
}

#[component]
fn AttendeeList(lesson_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let refresh = Refresh::expect();
    let list = Resource::new(move || refresh.version(), move |_| lesson_attendees(lesson_id));
    view! {
        <h3>{move || i18n.t(lm(LessonMsg::Attendees))}</h3>
        <p><a href=format!("/lessons/{lesson_id}/attendees.csv") download="attendees.csv">{move || i18n.t(lm(LessonMsg::ExportCsv))}</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! {
                        <ul class="attendees">
                            {list.into_iter().map(|a| view! { <AttendeeRow lesson_id attendee=a/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AttendeeRow(lesson_id: Uuid, attendee: Attendee) -> impl IntoView {
    let i18n = use_i18n();
    let check = ServerAction::<CheckIn>::new();
    let decide = ServerAction::<DecideBooking>::new();
    let refresh = Refresh::expect();
    refresh.on_success(check.value());
    refresh.on_success(decide.value());
    let status = attendee.status;
    let name = attendee.display_name.clone();
    let booking = attendee.booking_id.to_string();
    let lesson = lesson_id.to_string();
    // One tap per person: the button names the person, so it is found by its accessible name.
    let button = |action: ServerAction<CheckIn>,
                  to: &'static str,
                  label: LessonMsg,
                  name: String,
                  lesson: String,
                  booking: String| {
        view! {
            <ActionForm action attr:class="inline">
                <input type="hidden" name="lesson_id" value=lesson/>
                <input type="hidden" name="booking_id" value=booking/>
                <input type="hidden" name="status" value=to/>
                <Submit label=lm(label) pending=action.pending() aria_label=move || format!("{} {}", i18n.t(lm(label)), name)/>
            </ActionForm>
        }
    };
    let decision = |action: ServerAction<DecideBooking>,
                    d: &'static str,
                    label: LessonMsg,
                    name: String,
                    lesson: String,
                    booking: String| {
        view! {
            <ActionForm action attr:class="inline">
                <input type="hidden" name="lesson_id" value=lesson/>
                <input type="hidden" name="booking_id" value=booking/>
                <input type="hidden" name="decision" value=d/>
                <Submit label=lm(label) pending=action.pending() aria_label=move || format!("{} {}", i18n.t(lm(label)), name)/>
            </ActionForm>
        }
    };
    view! {
        <li class="attendee">
            <span class="name">{attendee.display_name.clone()}</span>
            " " <span class="muted">{attendee.school.clone()}</span>
            " · " <span class="status">{move || i18n.t(status.label())}</span>
            " "
            {match status {
                BookingStatus::Confirmed | BookingStatus::NoShow => view! {
                    {button(check, "attended", LessonMsg::CheckIn, name.clone(), lesson.clone(), booking.clone())}
                    {(status == BookingStatus::Confirmed).then(|| button(check, "no_show", LessonMsg::MarkNoShow, name.clone(), lesson.clone(), booking.clone()))}
                }.into_any(),
                BookingStatus::Attended => button(check, "confirmed", LessonMsg::UndoCheckIn, name.clone(), lesson.clone(), booking.clone()).into_any(),
                BookingStatus::Pending => view! {
                    {decision(decide, "approve", LessonMsg::Approve, name.clone(), lesson.clone(), booking.clone())}
                    {decision(decide, "decline", LessonMsg::Decline, name.clone(), lesson.clone(), booking.clone())}
                }.into_any(),
                _ => ().into_any(),
            }}
        </li>
    }
}

/// `/lessons/new`: a host or mentor schedules a lesson for a studio they lead.
#[component]
pub fn ScheduleLessonPage() -> impl IntoView {
    let i18n = use_i18n();
    let studios = Resource::new(|| (), |_| my_led_studios());
    view! {
        <section class="card">
            <h1>{move || i18n.t(lm(LessonMsg::ScheduleTitle))}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match studios.await {
                        Ok(list) if list.is_empty() => view! { <LoadError err=AppError::Forbidden/> }.into_any(),
                        Ok(list) => view! { <ScheduleForm studios=list/> }.into_any(),
                        Err(err) => view! { <LoadError err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ScheduleForm(studios: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let action = ServerAction::<ScheduleLesson>::new();
    let error = action_error(action.value());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            navigate(&format!("/lessons/{id}"), Default::default());
        }
    });
    let first = studios.first().map(|s| s.0.clone()).unwrap_or_default();
    let tz = if viewer.time_zone.is_empty() { DEFAULT_TIME_ZONE.to_owned() } else { viewer.time_zone.clone() };
    let msg = move |field: &'static str| move || error.get().and_then(|e| e.field_msg(field)).map(|m| i18n.t(m));
    view! {
        <ActionForm action>
            <FormStatus error/>
            <div class="field">
                <label for="field-studio">{move || i18n.t(lm(LessonMsg::Studio))}</label>
                <select id="field-studio" name="studio">
                    {studios.into_iter().map(|(slug, name)| view! { <option value=slug.clone() selected=slug == first>{name}</option> }).collect_view()}
                </select>
                <p class="field-error">{msg("studio")}</p>
            </div>
            <Field name="title" label=lm(LessonMsg::Title) required=true error/>
            <Field name="subject" label=Msg::Subject required=true error/>
            <Field name="grade" label=lm(LessonMsg::Grade) error/>
            <Field name="topic" label=lm(LessonMsg::Topic) error/>
            <div class="field">
                <label for="field-description">{move || i18n.t(lm(LessonMsg::Description))}</label>
                <textarea id="field-description" name="description" rows="3"></textarea>
                <p class="field-error">{msg("description")}</p>
            </div>
            <Field name="teacher_email" label=lm(LessonMsg::TeacherEmail) kind="email" hint=lm(LessonMsg::TeacherEmailHint) error/>
            <Field name="starts_at" label=lm(LessonMsg::StartsAt) kind="datetime-local" required=true error/>
            <Field name="ends_at" label=lm(LessonMsg::EndsAt) kind="datetime-local" required=true error/>
            <Field name="time_zone" label=lm(LessonMsg::LessonTimeZone) value=tz list="time-zones" required=true error/>
            <TimeZoneList/>
            <Choice name="mode" label=lm(LessonMsg::Mode) options=mode_options(false) selected="in_person" error/>
            <Field name="place" label=lm(LessonMsg::Place) error/>
            <Field name="link" label=lm(LessonMsg::Link) kind="url" error/>
            <Field name="capacity" label=lm(LessonMsg::Capacity) kind="number" value="30" required=true error/>
            <Field name="booking_opens_at" label=lm(LessonMsg::BookingOpensAt) kind="datetime-local" error/>
            <Field name="booking_closes_at" label=lm(LessonMsg::BookingClosesAt) kind="datetime-local" error/>
            <div class="field checkbox">
                <label><input type="checkbox" name="needs_approval" value="on"/> {move || i18n.t(lm(LessonMsg::NeedsApproval))}</label>
            </div>
            <Field name="credited_hours" label=lm(LessonMsg::CreditedHours) value="1" required=true error/>
            <Submit label=lm(LessonMsg::Schedule) pending=action.pending() class="primary"/>
        </ActionForm>
    }
}

/// `/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = expect_context::<Viewer>();
    let read = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || read.version().get(), |_| my_notifications());
    let tz = viewer.time_zone.clone();
    view! {
        <section>
            <h1>{move || i18n.t(lm(LessonMsg::Notifications))}</h1>
            <ActionForm action=read>
                <Submit label=lm(LessonMsg::MarkAllRead) pending=read.pending()/>
            </ActionForm>
            <Suspense fallback=Loading>
                {move || {
                    let tz = tz.clone();
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) if list.is_empty() => view! { <p>{move || i18n.t(lm(LessonMsg::NoNotifications))}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="notifications">
                                    {list.into_iter().map(|n| {
                                        let label = n.kind.label();
                                        let at = n.created_at;
                                        let tz = tz.clone();
                                        view! {
                                            <li class:unread=!n.read>
                                                <strong>{move || i18n.t(label)}</strong> " · "
                                                {match n.href.clone() {
                                                    Some(href) => view! { <a href=href>{n.subject.clone()}</a> }.into_any(),
                                                    None => n.subject.clone().into_any(),
                                                }}
                                                " " <time class="muted" datetime=at.to_rfc3339()>{move || format_date_time(at, &tz, i18n.locale.get())}</time>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(err) => view! { <LoadError err/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `/my-lessons`: the user's bookings, the lessons of the studios they lead, their credited
/// open-lesson hours and their calendar feed link.
#[component]
pub fn MyLessonsPage() -> impl IntoView {
    let i18n = use_i18n();
    let hours = Resource::new(|| (), |_| my_training_hours());
    let lessons = Resource::new(|| (), |_| super::api::my_lessons());
    let list = |items: Vec<LessonSummary>| {
        if items.is_empty() {
            view! { <p>{move || use_i18n().t(lm(LessonMsg::NothingYet))}</p> }.into_any()
        } else {
            view! { <ul class="lesson-list">{items.into_iter().map(|lesson| view! { <LessonItem lesson/> }).collect_view()}</ul> }.into_any()
        }
    };
    let feed = ServerAction::<ResetCalendarFeed>::new();
    let feed_error = action_error(feed.value());
    view! {
        <section class="card">
            <h1>{move || i18n.t(lm(LessonMsg::TrainingHours))}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match hours.await {
                        Ok(h) => view! { <p>{move || i18n.t(lm(LessonMsg::TrainingHoursTotal))} ": " <strong data-testid="open-lesson-hours">{h.clone()}</strong></p> }.into_any(),
                        Err(err) => view! { <LoadError err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match lessons.await {
                    Ok(mine) => view! {
                        <section>
                            <h2>{move || i18n.t(lm(LessonMsg::MyBookings))}</h2>
                            {list(mine.booked)}
                        </section>
                        {(!mine.managed.is_empty()).then(|| view! {
                            <section>
                                <h2>{move || i18n.t(lm(LessonMsg::StudioLessons))}</h2>
                                {list(mine.managed)}
                            </section>
                        })}
                    }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card">
            <h2>{move || i18n.t(lm(LessonMsg::CalendarFeed))}</h2>
            <p class="hint">{move || i18n.t(lm(LessonMsg::CalendarFeedHint))}</p>
            <ActionForm action=feed>
                <FormStatus error=feed_error/>
                <Submit label=lm(LessonMsg::ResetFeed) pending=feed.pending()/>
            </ActionForm>
            {move || feed.value().get().and_then(|r| r.ok()).map(|path| view! { <p><code data-testid="feed-path">{path}</code></p> })}
        </section>
    }
}

/// The header's link to the notifications, with the unread count the viewer was loaded with
/// (no query or suspense of its own on any page).
#[component]
pub fn NotificationsLink() -> impl IntoView {
    let i18n = use_i18n();
    let unread = expect_context::<Viewer>().unread();
    view! {
        <A href="/notifications">
            {move || i18n.t(lm(LessonMsg::NavNotifications))}
            {(unread > 0).then(|| view! {
                " " <span class="unread-badge" data-testid="unread-count">{unread}</span>
                <span class="visually-hidden">{move || i18n.t(lm(LessonMsg::UnreadCount))}</span>
            })}
        </A>
    }
}

/// `/lessons/:id/edit`: the studio's host or mentor changes a lesson (booked observers are
/// notified when the time or place changes).
#[component]
pub fn EditLessonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<Uuid>().ok());
    let lesson = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_lesson(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <section class="card">
            <h1>{move || i18n.t(lm(LessonMsg::EditTitle))}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match lesson.await {
                        Ok(lesson) if lesson.can_manage => view! { <EditForm lesson/> }.into_any(),
                        Ok(_) => view! { <LoadError err=AppError::Forbidden/> }.into_any(),
                        Err(err) => view! { <LoadError err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn EditForm(lesson: LessonDetail) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<super::api::UpdateLesson>::new();
    let error = action_error(action.value());
    let navigate = use_navigate();
    let id = lesson.id;
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            navigate(&format!("/lessons/{id}"), Default::default());
        }
    });
    let tz = lesson.time_zone.clone();
    let local = move |t: chrono::DateTime<Utc>| crate::kit::time::local(t, &tz).format("%Y-%m-%dT%H:%M").to_string();
    let description = lesson.description.clone();
    view! {
        <ActionForm action>
            <FormStatus error/>
            <input type="hidden" name="lesson_id" value=id.to_string()/>
            <Field name="title" label=lm(LessonMsg::Title) value=lesson.title.clone() required=true error/>
            <Field name="subject" label=Msg::Subject value=lesson.subject.clone() required=true error/>
            <Field name="grade" label=lm(LessonMsg::Grade) value=lesson.grade.clone() error/>
            <Field name="topic" label=lm(LessonMsg::Topic) value=lesson.topic.clone() error/>
            <div class="field">
                <label for="field-description">{move || i18n.t(lm(LessonMsg::Description))}</label>
                <textarea id="field-description" name="description" rows="3">{crate::kit::forms::textarea_text(description)}</textarea>
            </div>
            <Field name="starts_at" label=lm(LessonMsg::StartsAt) kind="datetime-local" value=local(lesson.starts_at) required=true error/>
            <Field name="ends_at" label=lm(LessonMsg::EndsAt) kind="datetime-local" value=local(lesson.ends_at) required=true error/>
            <Field name="time_zone" label=lm(LessonMsg::LessonTimeZone) value=lesson.time_zone.clone() list="time-zones" required=true error/>
            <TimeZoneList/>
            <Choice name="mode" label=lm(LessonMsg::Mode) options=mode_options(false) selected=lesson.mode.code() error/>
            <Field name="place" label=lm(LessonMsg::Place) value=lesson.place.clone() error/>
            <Field name="link" label=lm(LessonMsg::Link) kind="url" value=lesson.link.clone() error/>
            <Field name="capacity" label=lm(LessonMsg::Capacity) kind="number" value=lesson.capacity.to_string() required=true error/>
            <Field name="booking_opens_at" label=lm(LessonMsg::BookingOpensAt) kind="datetime-local" value=lesson.booking_opens_at.map(&local).unwrap_or_default() error/>
            <Field name="booking_closes_at" label=lm(LessonMsg::BookingClosesAt) kind="datetime-local" value=lesson.booking_closes_at.map(&local).unwrap_or_default() error/>
            <div class="field checkbox">
                <label><input type="checkbox" name="needs_approval" value="on" checked=lesson.needs_approval/> {move || i18n.t(lm(LessonMsg::NeedsApproval))}</label>
            </div>
            <Field name="credited_hours" label=lm(LessonMsg::CreditedHours) value=lesson.credited_hours.clone() required=true error/>
            <Submit label=Msg::Save pending=action.pending() class="primary"/>
        </ActionForm>
    }
}
