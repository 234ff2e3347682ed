//! `/district` (the dashboard), `/district/schools/{id}` (a school) and `/district/teachers/{id}`
//! (a consenting teacher's record). Rendered on the server; the choosers are GET forms and the
//! sort keys links, so everything works without JavaScript. Charts are SVG with a text
//! alternative: the same figures stand in a table or list next to them.

use super::api::*;
use super::{
    Dashboard, Figures, QuotaBand, SchoolPage, SchoolRow, SchoolSort, StudioRow, StudioSort, YearChoice, YearPoint,
};
use crate::districts::DistrictMsg;
use crate::growth::rules::format_tenths;
use crate::kit::i18n::{use_i18n, Locale, Msg};
use crate::kit::view::{LoadError, Loading, Pager, ScrollTable};
use crate::records::pages::{DevelopmentRecordView, Reader};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn t(m: DistrictMsg) -> Msg {
    Msg::from(m)
}

/// "fewer than k" in the reader's language.
fn fewer(k: i64, locale: Locale) -> String {
    t(DistrictMsg::FewerThan).fill(locale, &[("k", &k)])
}

/// A figure, or "fewer than k" when it is suppressed.
fn or_fewer<T>(value: Option<T>, k: i64, locale: Locale, show: impl Fn(T) -> String) -> String {
    value.map(show).unwrap_or_else(|| fewer(k, locale))
}

fn hours(tenths: i64) -> String {
    format_tenths(tenths)
}

fn pct(p: u32) -> String {
    format!("{p}%")
}

/// The `?key=` query value, or empty.
fn query_value(key: &'static str) -> impl Fn() -> String + Copy {
    let query = use_query_map();
    move || query.with(|q| q.get(key).unwrap_or_default())
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let (district, year, sort, dir, studio_sort) =
        (query_value("d"), query_value("year"), query_value("sort"), query_value("dir"), query_value("studio_sort"));
    let studio_page = query_value("studio_page");
    let data = Resource::new(
        move || (district(), year(), sort(), dir(), studio_sort(), studio_page()),
        |(district, year, sort, dir, studio_sort, page)| {
            get_dashboard(district, year, sort, dir, studio_sort, page.parse().unwrap_or(0))
        },
    );
    view! {
        <Title text=i18n.head_text(t(DistrictMsg::DashboardTitle))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(dashboard)) => view! { <DashboardView dashboard/> }.into_any(),
                    Ok(None) => view! {
                        <section class="card narrow">
                            <h1>{move || i18n.t(t(DistrictMsg::DashboardTitle))}</h1>
                            <p>{move || i18n.t(t(DistrictMsg::NotAdmin))}</p>
                            <LedSchools/>
                        </section>
                    }.into_any(),
                    Err(err) => view! { <LoadError err title=t(DistrictMsg::DashboardTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardView(dashboard: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let Dashboard { district, districts, year, min_cell: k, figures, schools, sort, descending, .. } =
        dashboard.clone();
    let district_id = district.0.to_string();
    let chooser_district = district_id.clone();
    view! {
        <section class="card">
            <h1>{move || i18n.t(t(DistrictMsg::DashboardTitle))} " · " {district.1.clone()}</h1>
            <form method="get" action="/district" class="inline-form">
                <p>
                    <label for="district-choice">{move || i18n.t(t(DistrictMsg::District))}</label>
                    <select id="district-choice" name="d">
                        {districts.into_iter().map(|(id, name)| {
                            let selected = id.to_string() == chooser_district;
                            view! { <option value=id.to_string() selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </p>
                <YearSelect year=year.clone()/>
                <p><button type="submit">{move || i18n.t(t(DistrictMsg::Show))}</button></p>
            </form>
            <YearLine year=year.clone() k/>
        </section>
        <FiguresView figures k/>
        <SchoolTable rows=schools sort descending district=district_id.clone() year=year.year k/>
        <StudioTable dashboard/>
    }
}

/// For a school leader without a district: links to the schools they lead.
#[component]
fn LedSchools() -> impl IntoView {
    let i18n = use_i18n();
    let schools = Resource::new(|| (), |_| led_schools());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match schools.await {
                    Ok(schools) if schools.is_empty() => ().into_any(),
                    Ok(schools) => view! {
                        <h2>{move || i18n.t(t(DistrictMsg::YourSchools))}</h2>
                        <ul>
                            {schools.into_iter().map(|(id, name)| view! {
                                <li><a href=format!("/district/schools/{id}")>{name}</a></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <LoadError err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The year `<select>` of a chooser form.
#[component]
pub(crate) fn YearSelect(year: YearChoice) -> impl IntoView {
    let i18n = use_i18n();
    let selected = year.year;
    view! {
        <p>
            <label for="year-choice">{move || i18n.t(t(DistrictMsg::Year))}</label>
            <select id="year-choice" name="year">
                {year.choices.into_iter().map(|y| view! { <option value=y.to_string() selected=y == selected>{y}</option> }).collect_view()}
            </select>
        </p>
    }
}

/// The year's dates, the quotas and k.
#[component]
fn YearLine(year: YearChoice, k: i64) -> impl IntoView {
    let i18n = use_i18n();
    let last = year.end.pred_opt().unwrap_or(year.end);
    let rules = year.rules;
    view! {
        <p class="muted">
            {move || i18n.fill(t(DistrictMsg::YearRange), &[("from", &year.start), ("to", &last)])} " · "
            {move || i18n.fill(t(DistrictMsg::QuotaLine), &[
                ("quota", &hours(rules.quota_tenths)),
                ("cycle", &hours(rules.cycle_quota_tenths)),
                ("k", &k),
            ])}
        </p>
    }
}

/// One labelled figure of a `<dl>`.
#[component]
fn Figure(label: Msg, value: String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <div class="figure"><dt>{move || i18n.t(label)}</dt><dd>{value}</dd></div> }
}

/// A card of labelled figures under a heading.
#[component]
fn FigureCard(id: &'static str, heading: DistrictMsg, items: Vec<(DistrictMsg, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby=id>
            <h2 id=id>{move || i18n.t(t(heading))}</h2>
            <dl class="figures">
                {items.into_iter().map(|(label, value)| view! { <Figure label=t(label) value/> }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn FiguresView(figures: Figures, k: i64) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let f = figures;
    let h = f.hours.clone();
    let fig = move |label: DistrictMsg, value: String| view! { <Figure label=t(label) value/> };
    let count = move |n: Option<i64>| or_fewer(n, k, locale, |n| n.to_string());
    let share = move |p: Option<u32>| or_fewer(p, k, locale, pct);
    let (cycle_from, cycle_to) = h.cycle;
    let dormant = f.studios.dormant_public.clone();
    let dormant_private = f.studios.dormant_private;
    view! {
        <section class="card" aria-labelledby="teachers-heading">
            <h2 id="teachers-heading">{move || i18n.t(t(DistrictMsg::TeachersHeading))}</h2>
            <dl class="figures">
                {fig(DistrictMsg::Registered, count(f.teachers))}
                {fig(DistrictMsg::SharedRecord, count(f.shared))}
            </dl>
            <h3>{move || i18n.t(t(DistrictMsg::ByTier))}</h3>
            <table>
                <thead><tr><th scope="col">{move || i18n.t(Msg::Tier)}</th><th scope="col">{move || i18n.t(t(DistrictMsg::Teachers))}</th></tr></thead>
                <tbody>
                    {f.by_tier.iter().map(|(tier, n)| {
                        let label = tier.label();
                        let n = or_fewer(*n, k, locale, |n| n.to_string());
                        view! { <tr><th scope="row">{move || i18n.t(label)}</th><td>{n}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="hours-heading">
            <h2 id="hours-heading">{move || i18n.t(t(DistrictMsg::HoursHeading))}</h2>
            <dl class="figures">
                {fig(DistrictMsg::MedianHours, or_fewer(h.median_tenths, k, locale, hours))}
                {fig(DistrictMsg::OnTrack, share(h.on_track_percent))}
                {fig(DistrictMsg::ShareComplete, share(h.complete_percent))}
            </dl>
            <p class="muted">{move || i18n.t(t(DistrictMsg::OnTrackHint))}</p>
            <h3 id="histogram-heading">{move || i18n.t(t(DistrictMsg::Histogram))}</h3>
            <BandChart bands=h.histogram.clone() k/>
            <h3>{move || i18n.t(t(DistrictMsg::ByCategory))}</h3>
            <table>
                <tbody>
                    {h.by_category.iter().map(|(cat, tenths)| {
                        let label = cat.label();
                        let value = or_fewer(*tenths, k, locale, hours);
                        view! { <tr><th scope="row">{move || i18n.t(label)}</th><td>{value}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>{move || i18n.fill(t(DistrictMsg::CycleHeading), &[("from", &cycle_from), ("to", &cycle_to)])}</h3>
            <dl class="figures">
                {fig(DistrictMsg::CycleMedian, or_fewer(h.cycle_median_tenths, k, locale, hours))}
                {fig(DistrictMsg::CycleComplete, share(h.cycle_complete_percent))}
            </dl>
            <h3>{move || i18n.t(t(DistrictMsg::TrendHeading))}</h3>
            <TrendChart points=f.trend.clone() k/>
        </section>
        <FigureCard id="lessons-heading" heading=DistrictMsg::LessonsHeading items=vec![
            (DistrictMsg::LessonsHeld, count(f.lessons.held)),
            (DistrictMsg::SeatsOffered, count(f.lessons.seats_offered)),
            (DistrictMsg::SeatsBooked, count(f.lessons.seats_booked)),
            (DistrictMsg::CheckinRate, share(f.lessons.checkin_percent)),
            (DistrictMsg::FromOtherSchools, share(f.lessons.other_school_percent)),
            (DistrictMsg::FromOtherDistricts, share(f.lessons.other_district_percent)),
        ]/>
        <FigureCard id="studies-heading" heading=DistrictMsg::StudiesHeading items=vec![
            (DistrictMsg::StudiesRun, count(f.studies.run)),
            (DistrictMsg::StudiesClosed, count(f.studies.closed)),
            (DistrictMsg::Rounds, count(f.studies.rounds)),
            (DistrictMsg::ObserversPerRound, or_fewer(f.studies.observers_per_round_tenths, k, locale, hours)),
            (DistrictMsg::CitingShare, share(f.studies.citing_percent)),
        ]/>
        <FigureCard id="growth-heading" heading=DistrictMsg::GrowthHeading items=vec![
            (DistrictMsg::GoalsActive, count(f.growth.goals_active)),
            (DistrictMsg::GoalsAchieved, count(f.growth.goals_achieved)),
            (DistrictMsg::MilestonesOnTime, share(f.growth.milestones_on_time_percent)),
            (DistrictMsg::MedianResponseDays, count(f.growth.median_response_days)),
        ]/>
        <section class="card" aria-labelledby="studios-heading">
            <h2 id="studios-heading">{move || i18n.t(t(DistrictMsg::StudiosHeading))}</h2>
            <dl class="figures">
                {fig(DistrictMsg::StudiosTotal, f.studios.total.to_string())}
                {fig(DistrictMsg::StudiosActive, f.studios.active.to_string())}
            </dl>
            {(!dormant.is_empty()).then(|| view! {
                <h3>{move || i18n.t(t(DistrictMsg::Dormant))}</h3>
                <ul>
                    {dormant.into_iter().map(|s| view! { <li><a href=format!("/studios/{}", s.slug)>{s.name}</a></li> }).collect_view()}
                </ul>
            })}
            {(dormant_private > 0).then(|| view! {
                <p class="muted">{move || i18n.fill(t(DistrictMsg::DormantPrivate), &[("n", &dormant_private)])}</p>
            })}
        </section>
    }
}

/// Teachers per quota band as SVG bars; the list beside it is the text alternative.
#[component]
fn BandChart(bands: Vec<(QuotaBand, Option<i64>)>, k: i64) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let max = bands.iter().filter_map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let summary = bands
        .iter()
        .map(|(band, n)| format!("{} {}", band.label().text(locale), or_fewer(*n, k, locale, |n| n.to_string())))
        .collect::<Vec<_>>()
        .join(", ");
    let alt = t(DistrictMsg::HistogramAlt).fill(locale, &[("summary", &summary)]);
    let bars = bands
        .iter()
        .enumerate()
        .map(|(i, (band, n))| {
            let x = 10.0 + i as f64 * 95.0;
            let height = n.map(|n| n as f64 / max * 110.0).unwrap_or(0.0);
            let value = or_fewer(*n, k, locale, |n| n.to_string());
            let label = band.label().text(locale);
            let class = if n.is_some() { "bar" } else { "bar hidden-cell" };
            view! {
                <g>
                    <rect class=class x=x y=130.0 - height width=80 height=height></rect>
                    <text x=x + 40.0 y=148 text-anchor="middle" class="axis">{label}</text>
                    <text x=x + 40.0 y=124.0 - height text-anchor="middle" class="value">{value}</text>
                </g>
            }
        })
        .collect_view();
    let rows = bands
        .into_iter()
        .map(|(band, n)| {
            let label = band.label();
            let value = or_fewer(n, k, locale, |n| n.to_string());
            view! { <tr><th scope="row">{move || i18n.t(label)}</th><td>{value}</td></tr> }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox="0 0 590 155" role="img" aria-label=alt>{bars}</svg>
        <table class="chart-table">
            <thead><tr><th scope="col">{move || i18n.t(t(DistrictMsg::Histogram))}</th><th scope="col">{move || i18n.t(t(DistrictMsg::Teachers))}</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Median hours per year as SVG bars, and the same years in a table.
#[component]
fn TrendChart(points: Vec<YearPoint>, k: i64) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let max = points.iter().filter_map(|p| p.median_tenths).max().unwrap_or(0).max(1) as f64;
    let summary = points
        .iter()
        .map(|p| format!("{} {}", p.year, or_fewer(p.median_tenths, k, locale, hours)))
        .collect::<Vec<_>>()
        .join(", ");
    let alt = t(DistrictMsg::TrendAlt).fill(locale, &[("summary", &summary)]);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = 10.0 + i as f64 * 110.0;
            let height = p.median_tenths.map(|m| m as f64 / max * 110.0).unwrap_or(0.0);
            let value = or_fewer(p.median_tenths, k, locale, hours);
            view! {
                <g>
                    <rect class="bar" x=x y=130.0 - height width=90 height=height></rect>
                    <text x=x + 45.0 y=148 text-anchor="middle" class="axis">{p.year}</text>
                    <text x=x + 45.0 y=124.0 - height text-anchor="middle" class="value">{value}</text>
                </g>
            }
        })
        .collect_view();
    let rows = points
        .into_iter()
        .map(|p| {
            let teachers = or_fewer(p.teachers, k, locale, |n| n.to_string());
            let median = or_fewer(p.median_tenths, k, locale, hours);
            let complete = or_fewer(p.complete_percent, k, locale, pct);
            view! { <tr><th scope="row">{p.year}</th><td>{teachers}</td><td>{median}</td><td>{complete}</td></tr> }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox="0 0 560 155" role="img" aria-label=alt>{bars}</svg>
        <table class="chart-table">
            <thead><tr>
                <th scope="col">{move || i18n.t(t(DistrictMsg::Year))}</th>
                <th scope="col">{move || i18n.t(t(DistrictMsg::Teachers))}</th>
                <th scope="col">{move || i18n.t(t(DistrictMsg::MedianHours))}</th>
                <th scope="col">{move || i18n.t(t(DistrictMsg::ShareComplete))}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// A column header that sorts the school table by `key` (a second click reverses it).
fn sort_link(district: &str, year: i32, key: SchoolSort, current: SchoolSort, descending: bool) -> String {
    let dir = if key == current && !descending { "desc" } else { "asc" };
    format!("/district?d={district}&year={year}&sort={}&dir={dir}", key.code())
}

#[component]
fn SchoolTable(
    rows: Vec<SchoolRow>,
    sort: SchoolSort,
    descending: bool,
    district: String,
    year: i32,
    k: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let header = {
        let district = district.clone();
        move |key: SchoolSort| {
            let href = sort_link(&district, year, key, sort, descending);
            let label = key.label();
            let aria_sort = (key == sort).then_some(if descending { "descending" } else { "ascending" });
            view! { <th scope="col" aria-sort=aria_sort><a href=href>{move || i18n.t(label)}</a></th> }
        }
    };
    let sort_label = sort.label();
    let export = format!(
        "/district/export/schools.xlsx?d={district}&year={year}&sort={}&dir={}",
        sort.code(),
        if descending { "desc" } else { "asc" }
    );
    view! {
        <section class="card" aria-labelledby="schools-heading">
            <h2 id="schools-heading">{move || i18n.t(t(DistrictMsg::SchoolTable))}</h2>
            <p class="muted">
                {move || i18n.fill(t(DistrictMsg::SortedBy), &[("key", &i18n.t(sort_label))])} " · "
                {move || i18n.t(t(if descending { DistrictMsg::Descending } else { DistrictMsg::Ascending }))}
            </p>
            <ScrollTable label=t(DistrictMsg::SchoolTable)>
                <table>
                    <thead><tr>
                        {header(SchoolSort::Name)}
                        {header(SchoolSort::Teachers)}
                        {header(SchoolSort::Median)}
                        {header(SchoolSort::Complete)}
                        {header(SchoolSort::Studios)}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row"><a href=format!("/district/schools/{}?year={year}", r.id)>{r.name}</a></th>
                                <td>{or_fewer(r.teachers, k, locale, |n| n.to_string())}</td>
                                <td>{or_fewer(r.median_tenths, k, locale, hours)}</td>
                                <td>{or_fewer(r.complete_percent, k, locale, pct)}</td>
                                <td>{r.studios}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
            <p><a href=export rel="external" download>{move || i18n.t(t(DistrictMsg::DownloadSchools))}</a></p>
        </section>
    }
}

#[component]
fn StudioTable(dashboard: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let k = dashboard.min_cell;
    let base = format!("/district?d={}&year={}", dashboard.district.0, dashboard.year.year);
    let current = dashboard.studio_sort;
    let header = {
        let base = base.clone();
        move |key: StudioSort| {
            let href = format!("{base}&studio_sort={}", key.code());
            let label = key.label();
            let aria_sort =
                (key == current).then_some(if key == StudioSort::Name { "ascending" } else { "descending" });
            view! { <th scope="col" aria-sort=aria_sort><a href=href>{move || i18n.t(label)}</a></th> }
        }
    };
    let page = dashboard.studio_page;
    let page_link = {
        let base = base.clone();
        move |p: u32| format!("{base}&studio_sort={}&studio_page={p}", current.code())
    };
    let more = dashboard.more_studios;
    let private = dashboard.private_studios;
    let export = format!(
        "/district/export/studios.xlsx?d={}&year={}&sort={}",
        dashboard.district.0,
        dashboard.year.year,
        current.code()
    );
    let rows: Vec<StudioRow> = dashboard.studios;
    let year = dashboard.year.year;
    view! {
        <section class="card" aria-labelledby="studio-table-heading">
            <h2 id="studio-table-heading">{move || i18n.t(t(DistrictMsg::StudioTable))}</h2>
            <ScrollTable label=t(DistrictMsg::StudioTable)>
                <table>
                    <thead><tr>
                        {header(StudioSort::Name)}
                        <th scope="col">{move || i18n.t(t(DistrictMsg::School))}</th>
                        {header(StudioSort::Members)}
                        {header(StudioSort::Lessons)}
                        {header(StudioSort::Studies)}
                        <th scope="col">{move || i18n.t(t(DistrictMsg::YearlyRecord))}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row"><a href=format!("/studios/{}", r.slug)>{r.name}</a></th>
                                <td>{r.school}</td>
                                <td>{or_fewer(r.members, k, locale, |n| n.to_string())}</td>
                                <td>{r.lessons}</td>
                                <td>{r.studies}</td>
                                <td>{r.record_version.map(|version| {
                                    let href = crate::records::studio_year::api::record_path(&r.slug, year);
                                    let label = Msg::from(crate::records::studio_year::StudioYearMsg::VersionLink);
                                    view! { <a href=href>{move || i18n.fill(label, &[("version", &version)])}</a> }
                                })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
            {(private > 0).then(|| view! { <p class="muted">{move || i18n.fill(t(DistrictMsg::PrivateStudios), &[("n", &private)])}</p> })}
            <p><a href=export rel="external" download>{move || i18n.t(t(DistrictMsg::DownloadStudios))}</a></p>
            // Pages count from 0 in the link, from 1 on the screen.
            <Pager page=page + 1 more href=move |n| page_link(n - 1)/>
        </section>
    }
}

/// The `:id` path parameter.
fn path_id() -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.with(|p| p.get("id").unwrap_or_default())
}

#[component]
pub fn SchoolDetailPage() -> impl IntoView {
    let id = path_id();
    let (year, page) = (query_value("year"), query_value("page"));
    let data = Resource::new(
        move || (id(), year(), page()),
        |(id, year, page)| get_school_page(id, year, page.parse().unwrap_or(0)),
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(school) => view! { <SchoolView school/> }.into_any(),
                    Err(err) => view! { <LoadError err title=t(DistrictMsg::SchoolsTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SchoolView(school: SchoolPage) -> impl IntoView {
    let i18n = use_i18n();
    let SchoolPage { id, name, district, year, min_cell: k, figures, named, named_total, page, has_more } = school;
    let title = {
        let (name, district) = (name.clone(), district.1.clone());
        move || i18n.fill(t(DistrictMsg::SchoolPageTitle), &[("school", &name), ("district", &district)])
    };
    let action = format!("/district/schools/{id}");
    let page_link = move |p: u32| format!("/district/schools/{id}?year={}&page={p}", year.year);
    view! {
        <Title text=title.clone()/>
        <section class="card">
            <p><a href=format!("/district?d={}&year={}", district.0, year.year)>{move || i18n.t(t(DistrictMsg::BackToDashboard))}</a></p>
            <h1>{title}</h1>
            <form method="get" action=action class="inline-form">
                <YearSelect year=year.clone()/>
                <p><button type="submit">{move || i18n.t(t(DistrictMsg::Show))}</button></p>
            </form>
            <YearLine year=year.clone() k/>
            <p><a href=format!("/district/schools/{id}/hours.xlsx?year={}", year.year) rel="external" download>
                {move || i18n.t(t(DistrictMsg::DownloadHours))}
            </a></p>
        </section>
        <FiguresView figures k/>
        <section class="card" aria-labelledby="named-heading">
            <h2 id="named-heading">{move || i18n.t(t(DistrictMsg::NamedHeading))} " (" {named_total} ")"</h2>
            <p class="muted">{move || i18n.t(t(DistrictMsg::NamedNote))}</p>
            {if named.is_empty() {
                view! { <p>{move || i18n.t(t(DistrictMsg::NoNamed))}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {named.into_iter().map(|teacher| {
                            let label = teacher.tier.label();
                            let name = teacher.name.clone();
                            view! {
                                <li>
                                    <a href=format!("/district/teachers/{}", teacher.id)
                                       aria-label=move || i18n.fill(t(DistrictMsg::OpenRecord), &[("name", &name)])>
                                        {teacher.name.clone()}
                                    </a>
                                    " · " {move || i18n.t(label)}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Pager page=page + 1 more=has_more href=move |n| page_link(n - 1)/>
        </section>
    }
}

#[component]
pub fn TeacherRecordPage() -> impl IntoView {
    let (id, year) = (path_id(), query_value("year"));
    let data = Resource::new(move || (id(), year()), |(id, year)| get_teacher_record(id, year));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(record) => view! { <DevelopmentRecordView record reader=Reader::Shared/> }.into_any(),
                    Err(err) => view! { <LoadError err title=Msg::ErrNotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
