//! Server-rendered SVG charts (they need no JavaScript), each with a text alternative: the SVG
//! is labelled, and the same figures follow in a table.

use super::rules::format_tenths;
use super::{GoalStatus, GoalView, GrowthMsg, HourCategory};
use crate::kit::i18n::{use_i18n, Locale, Msg};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

fn g(m: GrowthMsg) -> Msg {
    Msg::from(m)
}

fn month_label(m: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{}月", m.month()),
        Locale::En => m.format("%b").to_string(),
    }
}

/// Hours against the quota, one coloured segment per category, and hours per month.
#[component]
pub fn HoursChart(
    total: i64,
    quota: i64,
    by_category: Vec<(HourCategory, i64)>,
    by_month: Vec<(NaiveDate, i64)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let scale = quota.max(total).max(1) as f64;
    let width = 600.0;
    let mut x = 0.0;
    let segments: Vec<_> = by_category
        .iter()
        .filter(|(_, t)| *t > 0)
        .map(|(cat, t)| {
            let w = *t as f64 / scale * width;
            let seg = (x, w, cat.code());
            x += w;
            seg
        })
        .collect();
    let quota_x = quota as f64 / scale * width;
    let summary = format!(
        "{} {} / {} {}",
        g(GrowthMsg::HoursThisYear).text(locale),
        format_tenths(total),
        format_tenths(quota),
        g(GrowthMsg::HoursUnit).text(locale)
    );
    let max_month = by_month.iter().map(|m| m.1).max().unwrap_or(0).max(10) as f64;
    let bar_w = 40.0;
    let months_svg: Vec<_> = by_month
        .iter()
        .enumerate()
        .map(|(i, (m, t))| {
            let h = *t as f64 / max_month * 105.0;
            let x = 10.0 + i as f64 * 48.0;
            let label = month_label(*m, locale);
            let value = format_tenths(*t);
            view! {
                <g>
                    <rect class="bar" x=x y=130.0 - h width=bar_w height=h></rect>
                    <text x=x + bar_w / 2.0 y=148 text-anchor="middle" class="axis">{label}</text>
                    {(*t > 0).then(|| view! { <text x=x + bar_w / 2.0 y=125.0 - h text-anchor="middle" class="value">{value}</text> })}
                </g>
            }
        })
        .collect();
    let month_summary = by_month
        .iter()
        .filter(|m| m.1 > 0)
        .map(|(m, t)| format!("{} {}", month_label(*m, locale), format_tenths(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    let cat_rows: Vec<_> = by_category
        .iter()
        .map(|(cat, t)| {
            let label = cat.label().text(locale);
            view! { <tr><th scope="row"><span class=format!("swatch cat-{}", cat.code())></span>{label}</th><td>{format_tenths(*t)}</td></tr> }
        })
        .collect();
    view! {
        <figure class="chart" data-testid="hours-chart">
            <svg viewBox="0 0 600 40" role="img" aria-label=summary.clone() class="quota-bar">
                <title>{summary.clone()}</title>
                <rect class="track" x=0 y=8 width=600 height=24></rect>
                {segments.into_iter().map(|(x, w, cat)| view! { <rect class=format!("seg cat-{cat}") x=x y=8 width=w height=24></rect> }).collect_view()}
                <line class="quota-line" x1=quota_x x2=quota_x y1=0 y2=40></line>
            </svg>
            <figcaption data-testid="hours-total">{summary}</figcaption>
            <table class="chart-table">
                <caption>{g(GrowthMsg::ByCategory).text(locale)}</caption>
                <tbody>{cat_rows}</tbody>
            </table>
            <svg viewBox="0 0 590 155" role="img" aria-label=format!("{}: {}", g(GrowthMsg::ByMonth).text(locale), month_summary) class="month-chart">
                <title>{g(GrowthMsg::ByMonth).text(locale)}</title>
                {months_svg}
            </svg>
        </figure>
    }
}

/// Goals by status as one bar, with the figures in words.
#[component]
pub fn GoalsChart(goals: Vec<GoalView>) -> impl IntoView {
    let locale = use_i18n().locale.get_untracked();
    let total = goals.len().max(1) as f64;
    let counts: Vec<(GoalStatus, usize)> =
        GoalStatus::ALL.iter().map(|s| (*s, goals.iter().filter(|gl| gl.status == *s).count())).collect();
    let text = counts.iter().map(|(s, n)| format!("{} {n}", s.label().text(locale))).collect::<Vec<_>>().join(" · ");
    let mut x = 0.0;
    let segs: Vec<_> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| {
            let w = *n as f64 / total * 600.0;
            let v = view! { <rect class=format!("seg status-{}", s.code()) x=x y=0 width=w height=20></rect> };
            x += w;
            v
        })
        .collect();
    view! {
        <figure class="chart" data-testid="goals-chart">
            <svg viewBox="0 0 600 20" role="img" aria-label=text.clone() class="quota-bar">
                <title>{text.clone()}</title>
                <rect class="track" x=0 y=0 width=600 height=20></rect>
                {segs}
            </svg>
            <figcaption>{format!("{}: {text}", g(GrowthMsg::GoalsByStatus).text(locale))}</figcaption>
        </figure>
    }
}
