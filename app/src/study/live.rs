//! Live notes. On the server: an SSE endpoint `/api/study/{id}/events` fed by one PostgreSQL
//! `LISTEN` per server instance, so a note written through any instance reaches every page
//! watching the study. In the browser: the event-source subscription and the offline queue of
//! notes kept in `localStorage` until the server has them.

use uuid::Uuid;

pub fn events_path(study: Uuid) -> String {
    format!("/api/study/{study}/events")
}

#[cfg(feature = "ssr")]
pub use server::routes;

#[cfg(feature = "ssr")]
mod server {
    use super::super::store::{self, NOTES_CHANNEL};
    use crate::accounts::auth::AuthSession;
    use crate::kit::error::AppError;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use sqlx::postgres::PgListener;
    use sqlx::PgPool;
    use std::convert::Infallible;
    use std::sync::Arc;
    use tokio::sync::broadcast;
    use uuid::Uuid;

    /// A new note as its study's id and the note's JSON, read once per instance.
    type Announcement = Arc<(Uuid, String)>;

    /// One per server instance: a `LISTEN` connection fanned out to every open event stream.
    pub struct Hub {
        pool: PgPool,
        tx: broadcast::Sender<Announcement>,
        started: tokio::sync::OnceCell<()>,
    }

    /// The event route with its hub, to merge into the application's router.
    pub fn routes<S: Clone + Send + Sync + 'static>(pool: PgPool) -> Router<S> {
        let (tx, _) = broadcast::channel(1024);
        let hub = Arc::new(Hub { pool, tx, started: tokio::sync::OnceCell::new() });
        Router::new().route("/api/study/{id}/events", get(events)).with_state(hub)
    }

    impl Hub {
        /// Starts listening on first use; returns once `LISTEN` is in place.
        async fn ensure_started(&self) -> Result<(), sqlx::Error> {
            self.started
                .get_or_try_init(|| async {
                    let mut listener = PgListener::connect_with(&self.pool).await?;
                    listener.listen(NOTES_CHANNEL).await?;
                    let tx = self.tx.clone();
                    let pool = self.pool.clone();
                    tokio::spawn(async move {
                        // `recv` reconnects (and listens again) by itself after a lost connection;
                        // it fails for good only when the pool closes.
                        loop {
                            match listener.recv().await {
                                Ok(n) => {
                                    let mut parts = n.payload().split(':').map(|p| p.parse::<Uuid>());
                                    let (Some(Ok(study)), Some(Ok(note))) = (parts.next(), parts.next()) else {
                                        continue;
                                    };
                                    // Read once here, not once per watching page.
                                    match store::note(&pool, study, note).await {
                                        Ok(Some(note)) => {
                                            if let Ok(json) = serde_json::to_string(&note) {
                                                let _ = tx.send(Arc::new((study, json)));
                                            }
                                        }
                                        Ok(None) => {}
                                        Err(err) => {
                                            let _ = AppError::from(err);
                                        }
                                    }
                                }
                                Err(err) => {
                                    tracing::warn!("study notes listener stopped: {err}");
                                    break;
                                }
                            }
                        }
                    });
                    Ok(())
                })
                .await
                .map(|_| ())
        }
    }

    /// Server-sent events for one study, for members of its group: `ready` once subscribed,
    /// then `note` (the note as JSON) for every new note.
    async fn events(State(hub): State<Arc<Hub>>, Path(id): Path<Uuid>, auth: AuthSession) -> Response {
        let Some(user) = auth.user else { return StatusCode::UNAUTHORIZED.into_response() };
        match store::group_role(&hub.pool, id, user.id).await {
            Ok(Some(_)) => {}
            Ok(None) => return StatusCode::NOT_FOUND.into_response(),
            Err(err) => {
                let _ = AppError::from(err);
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
        if let Err(err) = hub.ensure_started().await {
            let _ = AppError::internal(format!("listen: {err}"));
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let rx = hub.tx.subscribe();
        let stream = futures_util::stream::unfold((rx, true), move |(mut rx, first)| async move {
            if first {
                return Some((Ok::<_, Infallible>(Event::default().event("ready").data("ok")), (rx, false)));
            }
            loop {
                match rx.recv().await {
                    Ok(announcement) if announcement.0 == id => {
                        return Some((Ok(Event::default().event("note").data(announcement.1.as_str())), (rx, false)));
                    }
                    // A page that fell behind fetches what it missed when it reconnects.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
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

    /// Subscribes to the study's new notes; `on_open` runs on every (re)connection, so that the
    /// page can fetch what it missed while disconnected.
    pub fn subscribe(
        study: Uuid,
        on_note: impl Fn(Note) + 'static,
        on_open: impl Fn() + 'static,
    ) -> Option<web_sys::EventSource> {
        let source = web_sys::EventSource::new(&super::events_path(study)).ok()?;
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
