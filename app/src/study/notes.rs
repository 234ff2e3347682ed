//! The live part of a study page: the note form (a plain HTML form without JavaScript; with it,
//! notes are queued in the browser and sent when the connection allows, see `note_queue`) and
//! the merged timeline of every observer's notes, updated live.

use super::api::*;
use super::note_queue::{give_back, NoteQueue, PendingNote, Settled};
use super::pages::StudyActions;
use super::{Dimension, Note, NoteFilter, StudyMsg, StudyPage, Tag};
use crate::kit::error::AppError;
use crate::kit::forms::{action_error, ActionError, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::view::Submit;
use leptos::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

fn t(m: StudyMsg) -> Msg {
    Msg::from(m)
}

/// Milliseconds since the epoch, on either side.
fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        window().performance().map(|p| (p.time_origin() + p.now()) as i64).unwrap_or(0)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now().timestamp_millis()
    }
}

/// Puts incoming notes on the shown page of the timeline (newest first): a note already shown
/// is replaced (an edit); a new one is added when `belongs` says this page shows it and it is
/// newer than the page's oldest note (an older one is on an earlier page). One pass to
/// index the list and one sort, however many notes arrive at once. The list is redrawn only when
/// it changed: a stream that catches up sends notes the page already shows, and a note of
/// another page changes nothing here (hundreds of redraws froze a large study's page).
pub(super) fn merge_notes(notes: RwSignal<Vec<Note>>, incoming: Vec<Note>, belongs: impl Fn(&Note) -> bool) {
    notes.maybe_update(|list| merge_into(list, incoming, belongs));
}

/// Whether the list changed.
fn merge_into(list: &mut Vec<Note>, incoming: Vec<Note>, belongs: impl Fn(&Note) -> bool) -> bool {
    let mut at: std::collections::HashMap<Uuid, usize> = list.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let oldest = list.last().map(|n| (n.created_at, n.id));
    let mut changed = false;
    for note in incoming {
        match at.get(&note.id) {
            Some(&i) if list[i] == note => {}
            Some(&i) => {
                list[i] = note;
                changed = true;
            }
            None if belongs(&note) && oldest.is_none_or(|o| (note.created_at, note.id) > o) => {
                at.insert(note.id, list.len());
                list.push(note);
                changed = true;
            }
            None => {}
        }
    }
    if changed {
        // Stable and run-aware: a list already in order with a few new notes sorts in near-linear time.
        list.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
    }
    changed
}

#[component]
pub(super) fn NotesSection(page: Arc<StudyPage>, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let i18n = use_i18n();
    let study = page.id;
    let me = page.me;
    let round = page.rounds.last().cloned();
    let lesson_minutes = round.as_ref().map(|r| r.lesson_minutes).unwrap_or(45);
    let started_ms = round.as_ref().and_then(|r| r.clock_started_at).map(|at| at.timestamp_millis());
    let my_dimension = page
        .assignments
        .iter()
        .find(|a| a.observer_id == me)
        .and_then(|a| a.dimension)
        .unwrap_or(Dimension::StudentLearning);
    let clock_minute = move || started_ms.map(|s| super::rules::clock_minute((now_ms() - s) / 1000, lesson_minutes));
    let tick = RwSignal::new(0u64);
    let elapsed_text = move || {
        tick.track();
        started_ms.map(|s| {
            let secs = ((now_ms() - s) / 1000).max(0);
            format!("{:02}:{:02}", secs / 60, secs % 60)
        })
    };
    let initial_minute = clock_minute().unwrap_or(0).to_string();
    let minute = RwSignal::new(initial_minute.clone());
    let minute_edited = RwSignal::new(false);
    let dimension = RwSignal::new(my_dimension.code().to_owned());
    let tag = RwSignal::new(Tag::Evidence.code().to_owned());
    let body = RwSignal::new(String::new());
    let queue = RwSignal::new(NoteQueue::default());
    let online = RwSignal::new(true);
    let send_error = RwSignal::new(None::<AppError>);
    let live = RwSignal::new(false);
    let flushing = StoredValue::new(false);
    let query = StoredValue::new(super::rules::NoteQuery::new(&page.timeline.filter));
    let belongs = move |note: &Note| query.with_value(|q| q.shows_live(note));
    let counts = RwSignal::new(page.timeline.counts.clone());
    // Notes written after the counts were read are counted as they arrive, each once (an edit
    // arrives again).
    let newest_change = page.timeline.newest_change;
    let counted_from = StoredValue::new(newest_change);
    let counted = StoredValue::new(std::collections::HashSet::<Uuid>::new());
    let count_new = move |note: &Note| {
        let new = counted_from.get_value().is_none_or(|at| note.created_at.timestamp_micros() > at);
        if new && counted.try_update_value(|c| c.insert(note.id)).unwrap_or(false) {
            counts.update(|cs| match cs.iter_mut().find(|(d, _)| *d == note.dimension) {
                Some((_, n)) => *n += 1,
                None => cs.push((note.dimension, 1)),
            });
        }
    };

    // Sends the queued notes, oldest first, until the queue is empty or an answer says to wait
    // (see `NoteQueue::settle`). The server stores each id once, so a note sent twice is stored once.
    let flush = move || {
        if flushing.get_value() {
            return;
        }
        flushing.set_value(true);
        leptos::task::spawn_local(async move {
            while let Some(next) = queue.with_untracked(|q| q.head().cloned()) {
                let answer = add_note(study, next.id, next.minute, next.dimension, next.tag, next.body).await;
                let Some(settled) = queue.try_update(|q| q.settle(next.id, answer)) else { break };
                #[cfg(feature = "hydrate")]
                queue.with_untracked(|q| super::live::client::save(study, me, q));
                match settled {
                    Settled::Offline => {
                        online.set(false);
                        break;
                    }
                    Settled::RetryLater(error) => {
                        online.set(true);
                        send_error.set(Some(error));
                        break;
                    }
                    Settled::Stored(note) => {
                        online.set(true);
                        send_error.set(None);
                        count_new(&note);
                        merge_notes(notes, vec![note], belongs);
                    }
                    Settled::Refused { body: text, error } => {
                        online.set(true);
                        body.update(|b| *b = give_back(b, &text));
                        send_error.set(Some(error));
                    }
                }
            }
            flushing.set_value(false);
        });
    };

    #[cfg(feature = "hydrate")]
    let filter = StoredValue::new(page.timeline.filter.clone());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use leptos::__reexports::send_wrapper::SendWrapper;
        queue.set(super::live::client::load(study, me));
        flush();
        super::live::client::on_online(flush);
        // The stream goes on from the newest change of the study when the page was read.
        let source = super::live::client::subscribe(
            study,
            newest_change,
            move |note| {
                count_new(&note);
                merge_notes(notes, vec![note], belongs);
            },
            move || {
                live.set(true);
                flush();
            },
            move || {
                let filter = filter.get_value();
                leptos::task::spawn_local(async move {
                    if let Ok(page) = load_notes(study, filter).await {
                        counts.set(page.counts);
                        counted_from.set_value(page.newest_change);
                        counted.update_value(|c| c.clear());
                        merge_notes(notes, page.notes, |_| true);
                    }
                });
            },
        );
        let interval = set_interval_with_handle(
            move || {
                tick.update(|t| *t += 1);
                if !minute_edited.get_untracked() {
                    if let Some(m) = clock_minute() {
                        minute.set(m.to_string());
                    }
                }
                if !queue.with_untracked(NoteQueue::is_empty) {
                    flush();
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        let guard = SendWrapper::new((source, interval));
        on_cleanup(move || {
            let (source, interval) = guard.take();
            if let Some(source) = source {
                source.close();
            }
            if let Some(interval) = interval {
                interval.clear();
            }
        });
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        if text.trim().is_empty() {
            send_error.set(Some(AppError::field("body", Msg::ErrRequired)));
            return;
        }
        let note = PendingNote {
            id: Uuid::new_v4(),
            minute: minute.get_untracked(),
            dimension: dimension.get_untracked(),
            tag: tag.get_untracked(),
            body: text,
        };
        queue.update(|q| q.push(note));
        #[cfg(feature = "hydrate")]
        queue.with_untracked(|q| super::live::client::save(study, me, q));
        body.set(String::new());
        minute_edited.set(false);
        send_error.set(None);
        flush();
    };
    let error: ActionError = Signal::derive(move || send_error.get());

    view! {
        <section aria-labelledby="notes-heading" class="notes">
            <h2 id="notes-heading">{move || i18n.t(t(StudyMsg::NotesHeading))}</h2>
            {page.notes_locked.then(|| view! { <p class="notice">{move || i18n.t(t(StudyMsg::NotesLockedNotice))}</p> })}
            <p class="clock" role="timer" aria-live="off">
                {move || i18n.t(t(StudyMsg::LessonClock))} " "
                {move || elapsed_text().unwrap_or_else(|| i18n.t(t(StudyMsg::ClockNotStarted)).to_owned())}
            </p>
            <p class="live-status muted" data-live=move || live.get().then_some("true")>
                {move || if live.get() { i18n.t(t(StudyMsg::LiveOn)) } else { "" }}
            </p>
            {page.can.write_note.then(|| view! {
                <form method="post" action="/api/study/add-note" class="note-form no-print" on:submit=on_submit>
                    <input type="hidden" name="study" value=study.to_string()/>
                    <input type="hidden" name="id" value=page.new_note_id.to_string()/>
                    <div class="field">
                        <label for="field-minute">{move || i18n.t(t(StudyMsg::Minute))}</label>
                        <input id="field-minute" name="minute" type="number" min="0" max=lesson_minutes inputmode="numeric"
                            value=initial_minute.clone()
                            prop:value=move || minute.get()
                            on:input=move |ev| { minute_edited.set(true); minute.set(event_target_value(&ev)); }/>
                        <p class="field-error">{move || error.get().and_then(|e| e.field_msg("minute")).map(|m| i18n.t(m))}</p>
                    </div>
                    <fieldset class="tags">
                        <legend>{move || i18n.t(t(StudyMsg::TagLabel))}</legend>
                        {Tag::ALL.into_iter().map(|tg| view! {
                            <label class="tag-choice">
                                <input type="radio" name="tag" value=tg.code()
                                    checked=tg == Tag::Evidence
                                    prop:checked=move || tag.get() == tg.code()
                                    on:change=move |_| tag.set(tg.code().to_owned())/>
                                {move || i18n.t(tg.label())}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="tags">
                        <legend>{move || i18n.t(t(StudyMsg::Dimension))}</legend>
                        {Dimension::ALL.into_iter().map(|d| view! {
                            <label class="tag-choice">
                                <input type="radio" name="dimension" value=d.code()
                                    checked=d == my_dimension
                                    prop:checked=move || dimension.get() == d.code()
                                    on:change=move |_| dimension.set(d.code().to_owned())/>
                                {move || i18n.t(d.label())}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="field-body">{move || i18n.t(t(StudyMsg::NoteBody))}</label>
                        <textarea id="field-body" name="body" rows="3" maxlength="4000"
                            prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        <p class="field-error">{move || error.get().and_then(|e| e.field_msg("body")).map(|m| i18n.t(m))}</p>
                    </div>
                    <FormStatus error/>
                    <button type="submit" class="primary">{move || i18n.t(t(StudyMsg::SaveNote))}</button>
                    <p class="muted" role="status">
                        {move || {
                            let n = queue.with(NoteQueue::len);
                            (n > 0).then(|| {
                                let waiting = i18n.fill(t(StudyMsg::PendingNotes), &[("n", &n)]);
                                if online.get() { waiting } else { format!("{waiting}{}", i18n.t(t(StudyMsg::Offline))) }
                            })
                        }}
                    </p>
                    <ul class="pending plain-list">
                        {move || queue.with(|q| q.iter().map(|p| view! { <li class="pending-note">{p.minute.clone()} "′ " {p.body.clone()}</li> }).collect_view())}
                    </ul>
                </form>
            })}
            <Timeline page=page.clone() notes counts/>
        </section>
    }
}

#[component]
fn Timeline(
    page: Arc<StudyPage>,
    notes: RwSignal<Vec<Note>>,
    counts: RwSignal<Vec<(Dimension, i64)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<StudyActions>();
    let me = page.me;
    let locked = page.notes_locked;
    let study = page.id;
    let multi_round = page.rounds.len() > 1;
    let filter = page.timeline.filter.clone();
    // With JavaScript a choice applies at once; without, the form's button sends it. Either way
    // the address holds the filter, and a new filter starts from the newest notes.
    let navigate = leptos_router::hooks::use_navigate();
    let choose = {
        let filter = filter.clone();
        move |set: fn(&mut NoteFilter, String), value: String| {
            let mut next = NoteFilter { before: String::new(), ..filter.clone() };
            set(&mut next, value);
            navigate(&next.href(study), leptos_router::NavigateOptions { scroll: false, ..Default::default() });
        }
    };
    let (on_dimension, on_observer, on_tag) = (choose.clone(), choose.clone(), choose);
    let earlier = page.timeline.earlier.clone().map(|before| NoteFilter { before, ..filter.clone() }.href(study));
    let newest =
        (!filter.before.is_empty()).then(|| NoteFilter { before: String::new(), ..filter.clone() }.href(study));
    let edit_error = action_error(actions.edit_note.value());
    view! {
        <div id="timeline" class="timeline-wrap">
            <h3>{move || i18n.t(t(StudyMsg::TimelineHeading))}</h3>
            <ul class="counts plain-list" aria-label=move || i18n.t(t(StudyMsg::CountsLabel))>
                {Dimension::ALL.into_iter().map(|d| view! {
                    <li data-dimension=d.code()>{move || i18n.t(d.label())} ": " <strong>{move || counts.with(|cs| cs.iter().find(|(c, _)| *c == d).map_or(0, |(_, n)| *n))}</strong></li>
                }).collect_view()}
            </ul>
            <form method="get" action=format!("/studies/{study}") class="filters no-print">
                <div class="field">
                    <label for="filter-dimension">{move || i18n.t(t(StudyMsg::FilterDimension))}</label>
                    <select id="filter-dimension" name="dimension" on:change=move |ev| on_dimension(|f, v| f.dimension = v, event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {Dimension::ALL.into_iter().map(|d| view! { <option value=d.code() selected=filter.dimension == d.code()>{move || i18n.t(d.label())}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-observer">{move || i18n.t(t(StudyMsg::FilterObserver))}</label>
                    <select id="filter-observer" name="observer" on:change=move |ev| on_observer(|f, v| f.observer = v, event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {page.members.iter().cloned().map(|m| {
                            let id = m.id.to_string();
                            view! { <option selected=filter.observer == id value=id>{m.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-tag">{move || i18n.t(t(StudyMsg::FilterTag))}</label>
                    <select id="filter-tag" name="tag" on:change=move |ev| on_tag(|f, v| f.tag = v, event_target_value(&ev))>
                        <option value="">{move || i18n.t(t(StudyMsg::All))}</option>
                        {Tag::ALL.into_iter().map(|tg| view! { <option value=tg.code() selected=filter.tag == tg.code()>{move || i18n.t(tg.label())}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit">{move || i18n.t(t(StudyMsg::ApplyFilter))}</button>
            </form>
            <ol class="timeline" aria-label=move || i18n.t(t(StudyMsg::TimelineHeading))>
                {move || {
                    let list = notes.get();
                    if list.is_empty() {
                        return view! { <li class="muted">{move || i18n.t(t(StudyMsg::NoNotes))}</li> }.into_any();
                    }
                    list.into_iter().map(|n| {
                        let dim = n.dimension;
                        let tg = n.tag;
                        let own = n.author_id == me && !locked;
                        let body = n.body.clone();
                        view! {
                            <li id=format!("note-{}", n.id) class="note" data-dimension=dim.code()>
                                <p class="note-meta">
                                    {multi_round.then(|| view! { {move || i18n.fill(t(StudyMsg::RoundN), &[("n", &n.round_number)])} " · " })}
                                    <span class="minute">{move || i18n.fill(t(StudyMsg::MinuteN), &[("n", &n.minute)])}</span>
                                    " · " <span class="dim">{move || i18n.t(dim.label())}</span>
                                    " · " <span class="tag">{move || i18n.t(tg.label())}</span>
                                    " · " <span class="author">{n.author_name.clone()}</span>
                                </p>
                                <div class="md" inner_html=n.body_html.clone()></div>
                                {own.then(|| view! {
                                    <details class="no-print">
                                        <summary>{move || i18n.t(t(StudyMsg::EditNote))}</summary>
                                        <ActionForm action=actions.edit_note>
                                            <input type="hidden" name="study" value=study.to_string()/>
                                            <input type="hidden" name="note" value=n.id.to_string()/>
                                            <label>
                                                {move || i18n.t(t(StudyMsg::EditNoteLabel))}
                                                <textarea name="body" rows="3">{crate::kit::forms::textarea_text(body)}</textarea>
                                            </label>
                                            <FormStatus error=edit_error/>
                                            <Submit label=Msg::Save pending=actions.edit_note.pending()/>
                                        </ActionForm>
                                    </details>
                                })}
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ol>
            <nav class="pager no-print" aria-label=move || i18n.t(Msg::Pagination)>
                {newest.map(|href| view! { <a href=format!("{href}#timeline")>{move || i18n.t(t(StudyMsg::NewestNotes))}</a> })}
                " "
                {earlier.map(|href| view! { <a href=format!("{href}#timeline") rel="next">{move || i18n.t(t(StudyMsg::EarlierNotes))}</a> })}
            </nav>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Dimension, Tag};

    fn note(id: u128, minute: i32, body: &str) -> Note {
        let at = chrono::DateTime::from_timestamp(1_765_000_000 + id as i64, 0).expect("time");
        Note {
            id: Uuid::from_u128(id),
            round_number: 1,
            author_id: Uuid::nil(),
            author_name: "王老师".into(),
            minute,
            dimension: Dimension::StudentLearning,
            tag: Tag::Evidence,
            body: body.into(),
            body_html: body.into(),
            excerpt: body.into(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn live_notes_go_newest_first_and_edits_replace_the_shown_copy() {
        let mut list = vec![note(2, 12, "b"), note(1, 5, "a")];
        let incoming = vec![note(3, 8, "c"), note(2, 12, "b edited"), note(3, 8, "c again"), note(4, 9, "other")];
        assert!(merge_into(&mut list, incoming, |n| n.body != "other"));
        let shown: Vec<&str> = list.iter().map(|n| n.body.as_str()).collect();
        assert_eq!(shown, ["c again", "b edited", "a"], "a note this page does not show stays off it");
    }

    #[test]
    fn notes_already_shown_or_of_another_page_leave_the_list_unchanged() {
        let mut list = vec![note(2, 12, "b"), note(1, 5, "a")];
        let caught_up = vec![note(1, 5, "a"), note(2, 12, "b"), note(9, 1, "other")];
        assert!(!merge_into(&mut list, caught_up, |n| n.body != "other"), "nothing to redraw");
        assert_eq!(list, vec![note(2, 12, "b"), note(1, 5, "a")]);
    }

    #[test]
    fn a_caught_up_note_older_than_the_page_stays_on_its_earlier_page() {
        let mut list = vec![note(3, 12, "c"), note(2, 5, "b")];
        assert!(!merge_into(&mut list, vec![note(1, 1, "a")], |_| true));
        assert_eq!(list.len(), 2);
    }
}
