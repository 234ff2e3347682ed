//! What an operator watches (server only), in Prometheus's text format: requests and their
//! latency by route, method and status class, the database pool, the mail outbox's backlog and
//! the live note streams open. A route is its pattern (`/studios/{slug}`, each server function
//! its own path); a request that matched no route counts as `other`, so no request can add a
//! series.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds, in seconds, of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    route: String,
    method: String,
    status: &'static str,
}

#[derive(Default)]
struct Series {
    count: u64,
    seconds: f64,
    /// Requests at or under each bucket's bound (cumulative, as Prometheus wants them).
    buckets: [u64; BUCKETS.len()],
}

/// The request figures of one server instance; cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics {
    requests: Arc<Mutex<BTreeMap<Key, Series>>>,
}

/// The figures read when the metrics are asked for.
pub struct Gauges {
    pub pool_size: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    pub outbox_unsent: i64,
    pub webhooks_due: i64,
    pub live_streams: usize,
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Label values are route patterns and method names; quotes, backslashes and line breaks are
/// escaped anyway, as the format requires.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    fn observe(&self, key: Key, seconds: f64) {
        // Poisoned only if a thread panicked while counting: the figures are still usable.
        let mut requests = self.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let series = requests.entry(key).or_default();
        series.count += 1;
        series.seconds += seconds;
        for (bucket, bound) in series.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// Every figure, in Prometheus's text exposition format.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        out.push_str("# HELP atelier_http_requests_total Requests answered, by route, method and status class.\n");
        out.push_str("# TYPE atelier_http_requests_total counter\n");
        let requests = self.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (key, series) in requests.iter() {
            let _ = writeln!(
                out,
                "atelier_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}",
                label(&key.route),
                label(&key.method),
                key.status,
                series.count
            );
        }
        out.push_str("# HELP atelier_http_request_duration_seconds Time to answer, by route and method.\n");
        out.push_str("# TYPE atelier_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for (key, series) in requests.iter() {
            let merged = by_route.entry((&key.route, &key.method)).or_default();
            merged.count += series.count;
            merged.seconds += series.seconds;
            for (a, b) in merged.buckets.iter_mut().zip(series.buckets) {
                *a += b;
            }
        }
        for ((route, method), series) in by_route {
            let labels = format!("route=\"{}\",method=\"{}\"", label(route), label(method));
            for (bound, count) in BUCKETS.iter().zip(series.buckets) {
                let _ =
                    writeln!(out, "atelier_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ =
                writeln!(out, "atelier_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", series.count);
            let _ = writeln!(out, "atelier_http_request_duration_seconds_sum{{{labels}}} {}", series.seconds);
            let _ = writeln!(out, "atelier_http_request_duration_seconds_count{{{labels}}} {}", series.count);
        }
        let gauge = |out: &mut String, name: &str, help: &str, values: &[(&str, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (labels, value) in values {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        gauge(
            &mut out,
            "atelier_db_pool_connections",
            "Database connections of this instance, by state, and the most it opens.",
            &[
                ("{state=\"idle\"}", gauges.pool_idle.to_string()),
                ("{state=\"in_use\"}", gauges.pool_size.saturating_sub(gauges.pool_idle).to_string()),
                ("{state=\"max\"}", gauges.pool_max.to_string()),
            ],
        );
        gauge(
            &mut out,
            "atelier_outbox_unsent",
            "Emails due to be sent and not sent yet.",
            &[("", gauges.outbox_unsent.to_string())],
        );
        gauge(
            &mut out,
            "atelier_webhook_deliveries_due",
            "Webhook deliveries due to be sent and not accepted yet.",
            &[("", gauges.webhooks_due.to_string())],
        );
        gauge(
            &mut out,
            "atelier_live_streams_open",
            "Live note streams open on this instance.",
            &[("", gauges.live_streams.to_string())],
        );
        out
    }
}

/// Middleware: counts each request and its time under its route.
pub async fn record(metrics: axum::extract::State<Metrics>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "other".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let key = Key { route, method, status: status_class(response.status().as_u16()) };
    metrics.observe(key, started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauges() -> Gauges {
        Gauges { pool_size: 5, pool_idle: 3, pool_max: 20, outbox_unsent: 7, webhooks_due: 4, live_streams: 2 }
    }

    #[test]
    fn requests_are_counted_by_route_and_status_class_with_cumulative_buckets() {
        let metrics = Metrics::default();
        let key = |status| Key { route: "/studios/{slug}".into(), method: "GET".into(), status };
        metrics.observe(key("2xx"), 0.003);
        metrics.observe(key("2xx"), 0.2);
        metrics.observe(key("4xx"), 0.0005);
        let text = metrics.render(&gauges());
        assert!(
            text.contains("atelier_http_requests_total{route=\"/studios/{slug}\",method=\"GET\",status=\"2xx\"} 2\n")
        );
        assert!(
            text.contains("atelier_http_requests_total{route=\"/studios/{slug}\",method=\"GET\",status=\"4xx\"} 1\n")
        );
        let bucket = |le: &str| {
            format!("atelier_http_request_duration_seconds_bucket{{route=\"/studios/{{slug}}\",method=\"GET\",le=\"{le}\"}}")
        };
        assert!(text.contains(&format!("{} 1\n", bucket("0.001"))), "{text}");
        assert!(text.contains(&format!("{} 2\n", bucket("0.005"))));
        assert!(text.contains(&format!("{} 3\n", bucket("0.25"))));
        assert!(text.contains(&format!("{} 3\n", bucket("+Inf"))));
        assert!(
            text.contains("atelier_http_request_duration_seconds_count{route=\"/studios/{slug}\",method=\"GET\"} 3\n")
        );
    }

    #[test]
    fn gauges_read_the_pool_outbox_and_streams() {
        let text = Metrics::default().render(&gauges());
        assert!(text.contains("atelier_db_pool_connections{state=\"in_use\"} 2\n"));
        assert!(text.contains("atelier_db_pool_connections{state=\"max\"} 20\n"));
        assert!(text.contains("atelier_outbox_unsent 7\n"));
        assert!(text.contains("atelier_webhook_deliveries_due 4\n"));
        assert!(text.contains("atelier_live_streams_open 2\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
