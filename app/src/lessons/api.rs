use super::LessonSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Anyone, signed in or not, may list the upcoming published lessons of public studios.
#[server(prefix = "/api", endpoint = "lessons/upcoming")]
pub async fn upcoming_lessons() -> Result<Vec<LessonSummary>, AppError> {
    Ok(super::store::upcoming(&crate::context::pool()?, None, 10).await?)
}
