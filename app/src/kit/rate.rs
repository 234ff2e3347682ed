//! A per-client rate limit kept in memory (server only), for public lookups that must not be
//! enumerated (certificate serials) and for API clients: at most `max` calls per client in a
//! fixed window. Memory is bounded: past `CLIENTS_MAX` clients, windows that have ended are
//! dropped, and while the table is still full new clients are refused, not remembered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS_MAX: usize = 10_000;

#[derive(Clone)]
pub struct RateLimit {
    max: u32,
    window: Duration,
    calls: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
}

impl RateLimit {
    pub fn new(max: u32, window: Duration) -> RateLimit {
        RateLimit { max, window, calls: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Counts a call by `client`; `false` when it is over the limit.
    pub fn allow(&self, client: &str) -> bool {
        self.check(client).is_ok()
    }

    /// Counts a call by `client`; over the limit, how long until its window ends (a
    /// `Retry-After`).
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut calls) = self.calls.lock() else { return Err(self.window) };
        if calls.len() >= CLIENTS_MAX && !calls.contains_key(client) {
            calls.retain(|_, (start, _)| now.duration_since(*start) < self.window);
            if calls.len() >= CLIENTS_MAX {
                return Err(self.window);
            }
        }
        let entry = calls.entry(client.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.max {
            Ok(())
        } else {
            Err(self.window.saturating_sub(now.duration_since(entry.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_past_the_limit_and_others_are_not() {
        let limit = RateLimit::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| limit.allow("10.0.0.1")));
        assert!(!limit.allow("10.0.0.1"));
        assert!(limit.allow("10.0.0.2"));
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let limit = RateLimit::new(1, Duration::from_millis(20));
        assert!(limit.allow("a"));
        assert!(!limit.allow("a"));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limit.allow("a"));
    }

    #[test]
    fn a_refused_client_is_told_how_long_its_window_still_runs() {
        let limit = RateLimit::new(1, Duration::from_secs(60));
        assert_eq!(limit.check("a"), Ok(()));
        let wait = limit.check("a").expect_err("over the limit");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60), "{wait:?}");
    }

    #[test]
    fn the_table_never_grows_past_its_bound() {
        let limit = RateLimit::new(5, Duration::from_secs(60));
        for i in 0..CLIENTS_MAX {
            assert!(limit.allow(&i.to_string()));
        }
        assert!(!limit.allow("one more"), "full of live windows: refused, not remembered");
        assert_eq!(limit.calls.lock().map(|c| c.len()).unwrap_or_default(), CLIENTS_MAX);
    }
}
