//! The booking queue (server only): bookings of one lesson that arrive while an earlier batch of
//! that lesson is being written wait and go together in the next, as one statement and one commit
//! (`store::book_many`). A popular lesson's bookings are serialised by its row lock, which each
//! transaction holds until its commit has reached the disk; one commit for many keeps the lock
//! for a fraction of the time per booking. Nothing waits for a batch to fill: a booking that
//! finds its lesson idle is written at once, alone.

use super::store;
use super::MyBooking;
use crate::kit::error::{AppError, StoreError};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use uuid::Uuid;

/// The most bookings written in one statement: a bound on one transaction's work and lock time.
pub const BATCH_MAX: usize = 100;

type Answer = oneshot::Sender<Result<MyBooking, AppError>>;
/// Per lesson, who waits (in arrival order) and where their answer goes.
type Waiting = HashMap<Uuid, Vec<(Uuid, Answer)>>;

/// Per lesson, the bookings waiting for the batch being written (the lesson has an entry while
/// one of its batches is being written).
#[derive(Clone, Default)]
pub struct BookingQueue {
    waiting: Arc<Mutex<Waiting>>,
}

impl BookingQueue {
    /// Books a seat for `user` as `store::book_many` does, in arrival order with the lesson's
    /// other bookings of this server instance.
    pub async fn book(&self, pool: &PgPool, lesson: Uuid, user: Uuid) -> Result<MyBooking, AppError> {
        let (answer, answered) = oneshot::channel();
        let idle = {
            let mut waiting = self.waiting.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match waiting.get_mut(&lesson) {
                Some(queue) => {
                    queue.push((user, answer));
                    None
                }
                None => {
                    waiting.insert(lesson, Vec::new());
                    Some(answer)
                }
            }
        };
        if let Some(answer) = idle {
            // This booking goes first, alone; the writer then takes whatever arrived meanwhile.
            tokio::spawn(self.clone().write(pool.clone(), lesson, vec![(user, answer)]));
        }
        answered.await.unwrap_or_else(|_| Err(AppError::internal("the booking writer stopped")))
    }

    /// Writes `batch`, then the bookings that arrived meanwhile, until none are waiting; then the
    /// lesson is idle again.
    async fn write(self, pool: PgPool, lesson: Uuid, mut batch: Vec<(Uuid, Answer)>) {
        let mut writer = Writer { queue: self, lesson, finished: false };
        loop {
            let users: Vec<Uuid> = batch.iter().map(|(user, _)| *user).collect();
            match store::book_many(&pool, lesson, &users).await {
                Ok(outcomes) => {
                    let mut outcomes = outcomes.into_iter();
                    for (user, answer) in batch {
                        let outcome = match outcomes.next() {
                            Some((booker, outcome)) if booker == user => outcome.map_err(AppError::from),
                            _ => {
                                Err(AppError::from(StoreError::Inconsistent("book_seats answered out of order".into())))
                            }
                        };
                        let _ = answer.send(outcome);
                    }
                }
                Err(err) => {
                    // Logged once, under one id, however many were waiting.
                    let err = AppError::from(err);
                    for (_, answer) in batch {
                        let _ = answer.send(Err(err.clone()));
                    }
                }
            }
            let mut waiting = writer.queue.waiting.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match waiting.get_mut(&lesson) {
                Some(queue) if !queue.is_empty() => {
                    let take = queue.len().min(BATCH_MAX);
                    batch = queue.drain(..take).collect();
                }
                _ => {
                    waiting.remove(&lesson);
                    writer.finished = true;
                    return;
                }
            }
        }
    }
}

/// A lesson's writer. Should it stop before the queue is empty (a panic), the lesson is left
/// idle: those waiting are answered with an error as their senders drop, and the next booking
/// starts a new writer instead of waiting behind one that is gone.
struct Writer {
    queue: BookingQueue,
    lesson: Uuid,
    finished: bool,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.finished {
            let mut waiting = self.queue.waiting.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            waiting.remove(&self.lesson);
        }
    }
}
