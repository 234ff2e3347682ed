//! The browser's queue of observation notes written but not yet confirmed by the server. A note
//! gets its id when it is written, so sending it again (after a dropped connection, a server
//! fault or an expired session) stores it once. The queue decides what each answer of the server
//! means; the page only sends, stores the queue (`localStorage`) and shows what happened. Pure
//! state, unit-tested without a browser.

use super::Note;
use crate::kit::error::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A note written in the browser and not yet confirmed by the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingNote {
    pub id: Uuid,
    pub minute: String,
    pub dimension: String,
    pub tag: String,
    pub body: String,
}

/// Notes waiting to be sent, oldest first (serialised as a plain list, as `localStorage` keeps it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoteQueue(Vec<PendingNote>);

/// What the server's answer for the note at the head of the queue means.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    /// Stored (now, or by an earlier try): it leaves the queue and joins the timeline; go on.
    Stored(Note),
    /// The server could not be reached: keep it and the rest, and try again once online.
    Offline,
    /// The server could not take it now (a fault, an expired session): keep it, say why, stop.
    RetryLater(AppError),
    /// Refused for what it says (too long, a minute outside the lesson…): it leaves the queue
    /// and its text goes back to the writer with the reason.
    Refused { body: String, error: AppError },
}

impl NoteQueue {
    pub fn push(&mut self, note: PendingNote) {
        if !self.0.iter().any(|n| n.id == note.id) {
            self.0.push(note);
        }
    }

    /// The next note to send.
    pub fn head(&self) -> Option<&PendingNote> {
        self.0.first()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &PendingNote> {
        self.0.iter()
    }

    /// Takes in the server's answer for the note `id`.
    pub fn settle(&mut self, id: Uuid, answer: Result<Note, AppError>) -> Settled {
        let settled = match answer {
            Ok(note) => Settled::Stored(note),
            Err(AppError::Request(_)) => return Settled::Offline,
            Err(error @ (AppError::Internal(_) | AppError::SignInRequired)) => return Settled::RetryLater(error),
            Err(error) => {
                let body = self.0.iter().find(|n| n.id == id).map(|n| n.body.clone()).unwrap_or_default();
                Settled::Refused { body, error }
            }
        };
        self.0.retain(|n| n.id != id);
        settled
    }
}

/// The note box after a refused note's text comes back: after whatever is being typed, so
/// nothing typed meanwhile is lost (several may come back at once).
pub fn give_back(typing: &str, refused: &str) -> String {
    if typing.trim().is_empty() {
        refused.to_owned()
    } else {
        format!("{typing}\n\n{refused}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::i18n::Msg;
    use crate::study::{Dimension, Tag};

    fn pending(body: &str) -> PendingNote {
        PendingNote {
            id: Uuid::new_v4(),
            minute: "12".into(),
            dimension: "student_learning".into(),
            tag: "evidence".into(),
            body: body.into(),
        }
    }

    fn stored(p: &PendingNote) -> Note {
        Note {
            id: p.id,
            round_number: 1,
            author_id: Uuid::nil(),
            author_name: "李明".into(),
            minute: 12,
            dimension: Dimension::StudentLearning,
            tag: Tag::Evidence,
            body: p.body.clone(),
            body_html: String::new(),
            excerpt: String::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn notes_are_sent_oldest_first_and_a_note_is_queued_once() {
        let (a, b) = (pending("a"), pending("b"));
        let mut queue = NoteQueue::default();
        queue.push(a.clone());
        queue.push(b.clone());
        queue.push(a.clone());
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.head(), Some(&a));
        assert_eq!(queue.settle(a.id, Ok(stored(&a))), Settled::Stored(stored(&a)));
        assert_eq!(queue.head(), Some(&b));
    }

    #[test]
    fn a_dropped_connection_or_a_server_fault_keeps_the_note_for_later() {
        let a = pending("a");
        let mut queue = NoteQueue::default();
        queue.push(a.clone());
        assert_eq!(queue.settle(a.id, Err(AppError::Request("offline".into()))), Settled::Offline);
        assert_eq!(
            queue.settle(a.id, Err(AppError::Internal("x1".into()))),
            Settled::RetryLater(AppError::Internal("x1".into()))
        );
        assert_eq!(queue.settle(a.id, Err(AppError::SignInRequired)), Settled::RetryLater(AppError::SignInRequired));
        assert_eq!(queue.head(), Some(&a), "still queued after every retryable failure");
    }

    #[test]
    fn a_refused_note_leaves_the_queue_and_its_text_comes_back_after_what_is_typed() {
        let (a, b) = (pending("太长的记录"), pending("b"));
        let mut queue = NoteQueue::default();
        queue.push(a.clone());
        queue.push(b.clone());
        let error = AppError::field("body", Msg::ErrTooLong);
        assert_eq!(queue.settle(a.id, Err(error.clone())), Settled::Refused { body: "太长的记录".into(), error });
        assert_eq!(queue.head(), Some(&b));
        assert_eq!(give_back("  ", "太长的记录"), "太长的记录");
        assert_eq!(give_back("正在写", "太长的记录"), "正在写\n\n太长的记录");
    }

    #[test]
    fn the_queue_is_stored_as_a_plain_list() {
        let a = pending("a");
        let mut queue = NoteQueue::default();
        queue.push(a.clone());
        let json = serde_json::to_string(&queue).expect("json");
        assert!(json.starts_with('['), "{json}");
        assert_eq!(serde_json::from_str::<NoteQueue>(&json).expect("queue"), queue);
    }
}
