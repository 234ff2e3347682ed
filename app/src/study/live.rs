//! Live notes. On the server: an SSE endpoint `/api/study/{id}/events` fed by one PostgreSQL
//! `LISTEN` per server instance, so a note written through any instance reaches every page
//! watching the study. In the browser: the event-source subscription and the offline queue of
//! notes kept in `localStorage` until the server has them.

use uuid::Uuid;

pub fn events_path(study: Uuid) -> String {
    format!("/api/study/{study}/events")
}

#[cfg(feature = "ssr")]
pub use server::{routes, LiveNotes};

#[cfg(feature = "ssr")]
mod server {
    use super::super::store::{self, NOTES_CHANNEL};
    use super::super::Note;
    use crate::accounts::auth::AuthSession;
    use crate::kit::error::AppError;
    use axum::extract::{Path, Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use chrono::{DateTime, Utc};
    use sqlx::postgres::PgListener;
    use sqlx::PgPool;
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::broadcast;
    use uuid::Uuid;

    /// What the hub tells every open stream.
    #[derive(Clone, Debug)]
    enum Announcement {
        /// A new or edited note of a study, read once per instance.
        Note(Arc<(Uuid, Note)>),
        /// The listener was away (lost connection, database restart): notes may have been
        /// missed, so each stream catches up from the last note it sent.
        Resync,
        /// The instance is shutting down: every stream ends (browsers reconnect elsewhere).
        Closing,
    }

    /// One per server instance: a `LISTEN` connection fanned out to every open event stream.
    pub struct Hub {
        pool: PgPool,
        tx: broadcast::Sender<Announcement>,
        started: tokio::sync::OnceCell<()>,
        closing: AtomicBool,
    }

    /// This instance's live note streams: how many are open, and ending them all at shutdown.
    #[derive(Clone)]
    pub struct LiveNotes(Arc<Hub>);

    impl LiveNotes {
        /// Streams open now (each holds one subscription to the hub).
        pub fn open_streams(&self) -> usize {
            self.0.tx.receiver_count()
        }

        /// Ends every open stream and refuses new ones, so that a graceful shutdown is not held
        /// up by streams that never end on their own.
        pub fn close_all(&self) {
            self.0.closing.store(true, Ordering::SeqCst);
            let _ = self.0.tx.send(Announcement::Closing);
        }
    }

    /// The event route, to merge into the application's router, and its streams' handle.
    pub fn routes<S: Clone + Send + Sync + 'static>(pool: PgPool) -> (Router<S>, LiveNotes) {
        let (tx, _) = broadcast::channel(1024);
        let hub = Arc::new(Hub { pool, tx, started: tokio::sync::OnceCell::new(), closing: AtomicBool::new(false) });
        (Router::new().route("/api/study/{id}/events", get(events)).with_state(Arc::clone(&hub)), LiveNotes(hub))
    }

    /// How long to wait before trying the database again: doubling from half a second up to ten.
    fn backoff(failures: u32) -> Duration {
        Duration::from_millis(500u64.saturating_mul(1 << failures.min(5))).min(Duration::from_secs(10))
    }

    impl Hub {
        /// Starts listening on first use; returns once `LISTEN` is in place. The listening task
        /// then runs for the life of the instance, through any number of lost connections.
        async fn ensure_started(self: &Arc<Self>) -> Result<(), sqlx::Error> {
            self.started
                .get_or_try_init(|| async {
                    let mut listener = PgListener::connect_with(&self.pool).await?;
                    listener.listen(NOTES_CHANNEL).await?;
                    tokio::spawn(Arc::clone(self).listen(listener));
                    Ok(())
                })
                .await
                .map(|_| ())
        }

        async fn listen(self: Arc<Self>, mut listener: PgListener) {
            let mut failures = 0u32;
            let mut away = false;
            loop {
                if away {
                    // Connect and listen again (`listen` reconnects a lost listener), then let
                    // every stream fetch what it may have missed meanwhile.
                    let again = match listener.unlisten(NOTES_CHANNEL).await {
                        Ok(()) => listener.listen(NOTES_CHANNEL).await,
                        Err(err) => Err(err),
                    };
                    if let Err(err) = again {
                        tracing::warn!(failures, "study notes listener still away: {err}");
                        tokio::time::sleep(backoff(failures)).await;
                        failures = failures.saturating_add(1);
                        continue;
                    }
                    tracing::info!(failures, "study notes listener is back");
                    away = false;
                    failures = 0;
                    let _ = self.tx.send(Announcement::Resync);
                }
                match listener.try_recv().await {
                    Ok(Some(notification)) => self.announce(notification.payload()).await,
                    // The connection was lost; it is made again above.
                    Ok(None) => away = true,
                    Err(err) => {
                        tracing::warn!("study notes listener lost: {err}");
                        away = true;
                    }
                }
            }
        }

        async fn announce(&self, payload: &str) {
            let mut parts = payload.split(':').map(|p| p.parse::<Uuid>());
            let (Some(Ok(study)), Some(Ok(note))) = (parts.next(), parts.next()) else { return };
            // Read once here, not once per watching page.
            match store::note(&self.pool, study, note).await {
                Ok(Some(note)) => {
                    let _ = self.tx.send(Announcement::Note(Arc::new((study, note))));
                }
                Ok(None) => {}
                Err(err) => {
                    // Not readable now (the database is away): every stream catches up instead,
                    // trying again until it can.
                    let _ = AppError::from(err);
                    let _ = self.tx.send(Announcement::Resync);
                }
            }
        }
    }

    /// Where a stream goes on from: its last event's id (`Last-Event-ID`, sent by the browser
    /// when it reconnects), or `after` for the first connection (the newest change the page
    /// already shows), in microseconds since the epoch.
    #[derive(serde::Deserialize)]
    pub struct Resume {
        after: Option<i64>,
    }

    fn cursor(headers: &HeaderMap, resume: &Resume) -> Option<DateTime<Utc>> {
        let last_event = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        last_event.or(resume.after).and_then(DateTime::from_timestamp_micros)
    }

    /// Writes commit in an order their `updated_at` (the transaction's start) need not follow:
    /// catching up looks this far before the cursor, and the page merges notes by id.
    const CATCH_UP_SLACK: chrono::Duration = chrono::Duration::seconds(10);
    /// At most this many notes per catch-up; a page further behind reloads (it sees `resync`).
    const CATCH_UP_MAX: i64 = 500;
    /// How soon a stream tries again to catch up when the database did not answer.
    const CATCH_UP_RETRY: Duration = Duration::from_secs(1);

    struct Stream {
        hub: Arc<Hub>,
        rx: broadcast::Receiver<Announcement>,
        study: Uuid,
        /// Whose stream it is: it ends when they are no longer in the study's group.
        user: Uuid,
        /// The newest change this stream has sent (or, before its first note, when it began).
        cursor: DateTime<Utc>,
        pending: VecDeque<Event>,
        /// When to try catching up again, after a try that failed.
        retry_at: Option<tokio::time::Instant>,
    }

    impl Stream {
        fn note_event(&mut self, note: &Note) -> Option<Event> {
            let json = serde_json::to_string(&note.clone().seen_by(self.user)).ok()?;
            self.cursor = self.cursor.max(note.updated_at);
            Some(Event::default().event("note").id(note.updated_at.timestamp_micros().to_string()).data(json))
        }

        /// Whether the stream's user is still in the study's group; `None` while the database
        /// cannot say (then the stream waits and asks again, it does not end).
        async fn still_member(&self) -> Option<bool> {
            match store::group_role(&self.hub.pool, self.study, self.user).await {
                Ok(role) => Some(role.is_some()),
                Err(err) => {
                    let _ = AppError::from(err);
                    None
                }
            }
        }

        /// The database is away: catch up shortly, from the same cursor.
        fn retry_soon(&mut self) {
            self.retry_at = Some(tokio::time::Instant::now() + CATCH_UP_RETRY);
        }

        /// Queues the notes changed since the cursor. `false`: the user has left the group.
        async fn catch_up(&mut self) -> bool {
            match self.still_member().await {
                Some(true) => {}
                Some(false) => return false,
                None => {
                    self.retry_soon();
                    return true;
                }
            }
            let cursor = self.cursor;
            match store::notes_changed_since(&self.hub.pool, self.study, cursor - CATCH_UP_SLACK, CATCH_UP_MAX).await {
                Ok(notes) => {
                    if notes.len() as i64 == CATCH_UP_MAX {
                        self.pending.push_back(Event::default().event("resync").data("reload"));
                    }
                    for note in &notes {
                        if let Some(event) = self.note_event(note) {
                            self.pending.push_back(event);
                        }
                    }
                }
                Err(err) => {
                    let _ = AppError::from(err);
                    self.retry_soon();
                }
            }
            true
        }

        async fn next(&mut self) -> Option<Event> {
            loop {
                if let Some(event) = self.pending.pop_front() {
                    return Some(event);
                }
                let announcement = match self.retry_at {
                    Some(at) => tokio::select! {
                        announcement = self.rx.recv() => announcement,
                        () = tokio::time::sleep_until(at) => {
                            self.retry_at = None;
                            if !self.catch_up().await {
                                return None;
                            }
                            continue;
                        }
                    },
                    None => self.rx.recv().await,
                };
                match announcement {
                    Ok(Announcement::Note(item)) if item.0 == self.study => match self.still_member().await {
                        Some(true) => {
                            if let Some(event) = self.note_event(&item.1) {
                                return Some(event);
                            }
                        }
                        // Someone who left the group (or the studio) gets nothing more.
                        Some(false) => return None,
                        // Unknown for now (the database is away): the catch-up brings the note.
                        None => self.retry_soon(),
                    },
                    Ok(Announcement::Note(_)) => {}
                    Ok(Announcement::Closing) => return None,
                    Ok(Announcement::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        if !self.catch_up().await {
                            return None;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    }

    /// Server-sent events for one study, for members of its group: `ready` once subscribed,
    /// then `note` (the note as JSON, its change time as the event id) for every new or edited
    /// note, first those changed since the cursor the stream resumes from.
    async fn events(
        State(hub): State<Arc<Hub>>,
        Path(id): Path<Uuid>,
        Query(resume): Query<Resume>,
        headers: HeaderMap,
        auth: AuthSession,
    ) -> Response {
        let Some(user) = auth.user else { return StatusCode::UNAUTHORIZED.into_response() };
        if hub.closing.load(Ordering::SeqCst) {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        match store::group_role(&hub.pool, id, user.id).await {
            Ok(Some(_)) => {}
            Ok(None) => return StatusCode::NOT_FOUND.into_response(),
            Err(err) => {
                let _ = AppError::from(err);
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
        if let Err(err) = hub.ensure_started().await {
            let _ = AppError::internal(format!("listen: {err}"));
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let rx = hub.tx.subscribe();
        let resumed = cursor(&headers, &resume);
        // A stream without a cursor starts from now: the page already shows what came before.
        let cursor = resumed.unwrap_or_else(Utc::now);
        let mut stream = Stream { hub, rx, study: id, user: user.id, cursor, pending: VecDeque::new(), retry_at: None };
        stream.pending.push_back(Event::default().event("ready").data("ok"));
        if resumed.is_some() {
            stream.catch_up().await;
        }
        let events = futures_util::stream::unfold(stream, |mut stream| async move {
            stream.next().await.map(|event| (Ok::<_, Infallible>(event), stream))
        });
        Sse::new(events).keep_alive(KeepAlive::default()).into_response()
    }
}

#[cfg(feature = "hydrate")]
pub mod client {
    use crate::study::note_queue::NoteQueue;
    use crate::study::Note;
    use leptos::prelude::*;
    use uuid::Uuid;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// Subscribes to the study's new and edited notes from `after` (the newest change the page
    /// shows, in microseconds); after a dropped connection the browser resumes from the last
    /// event it got (`Last-Event-ID`), so the server sends what was missed. `on_open` runs on
    /// every (re)connection; `on_resync` when the page is too far behind and should reload.
    pub fn subscribe(
        study: Uuid,
        after: Option<i64>,
        on_note: impl Fn(Note) + 'static,
        on_open: impl Fn() + 'static,
        on_resync: impl Fn() + 'static,
    ) -> Option<web_sys::EventSource> {
        let path = match after {
            Some(after) => format!("{}?after={after}", super::events_path(study)),
            None => super::events_path(study),
        };
        let source = web_sys::EventSource::new(&path).ok()?;
        let note_cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                if let Ok(note) = serde_json::from_str::<Note>(&text) {
                    on_note(note);
                }
            }
        });
        let _ = source.add_event_listener_with_callback("note", note_cb.as_ref().unchecked_ref());
        note_cb.forget();
        let open_cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_e: web_sys::MessageEvent| on_open());
        let _ = source.add_event_listener_with_callback("ready", open_cb.as_ref().unchecked_ref());
        open_cb.forget();
        let resync_cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_e: web_sys::MessageEvent| on_resync());
        let _ = source.add_event_listener_with_callback("resync", resync_cb.as_ref().unchecked_ref());
        resync_cb.forget();
        Some(source)
    }

    /// One queue per study and writer: on a shared computer, one teacher's unsent notes are
    /// never sent under the next one's name.
    fn key(study: Uuid, writer: Uuid) -> String {
        format!("atelier.pending-notes.{study}.{writer}")
    }

    pub fn load(study: Uuid, writer: Uuid) -> NoteQueue {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(&key(study, writer)).ok().flatten())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    pub fn save(study: Uuid, writer: Uuid, notes: &NoteQueue) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            if notes.is_empty() {
                let _ = storage.remove_item(&key(study, writer));
            } else if let Ok(json) = serde_json::to_string(notes) {
                let _ = storage.set_item(&key(study, writer), &json);
            }
        }
    }

    /// Runs `f` whenever the browser comes back online.
    pub fn on_online(f: impl Fn() + 'static) {
        let cb = Closure::<dyn Fn()>::new(f);
        let _ = window().add_event_listener_with_callback("online", cb.as_ref().unchecked_ref());
        cb.forget();
    }
}
