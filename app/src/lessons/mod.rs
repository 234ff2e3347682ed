//! Open lessons (名师课堂开放). For now: the upcoming published lessons shown on the home page.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a lesson list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonSummary {
    pub id: uuid::Uuid,
    pub title: String,
    pub studio_name: String,
    pub teacher_name: String,
    pub subject: String,
    pub grade: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The lesson's own zone, shown beside the viewer's when they differ.
    pub time_zone: String,
    pub capacity: i32,
}
