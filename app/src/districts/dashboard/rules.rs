//! Dashboard rules that need no database: quota years and cycles, the year a request may ask
//! for, and turning raw counts into figures with every small cell suppressed.

use super::super::rules::{suppress, Cell};
use super::{
    GrowthFigures, HourFigures, LessonFigures, QuotaBand, SchoolRow, SchoolSort, StudyFigures, YearPoint, YearRules,
};
use crate::accounts::Tier;
use crate::growth::HourCategory;
use crate::kit::i18n::Msg;
use chrono::{Datelike, NaiveDate};

/// How many past quota years a page may show (the current one included).
pub const YEARS_BACK: i32 = 10;
/// Years in a training cycle (五年一周期).
pub const CYCLE_YEARS: i32 = 5;

/// The quota year that starts in `year` (first day, first day of the next).
pub fn year_bounds(year: i32, start_month: u32) -> (NaiveDate, NaiveDate) {
    let first = |y| NaiveDate::from_ymd_opt(y, start_month, 1).unwrap_or(NaiveDate::MIN);
    (first(year), first(year + 1))
}

/// The quota year `day` falls in, named by the calendar year it starts in.
pub fn year_of(day: NaiveDate, start_month: u32) -> i32 {
    if day.month() < start_month {
        day.year() - 1
    } else {
        day.year()
    }
}

/// The years a page may show, newest first: the current one and the nine before it.
pub fn year_choices(current: i32) -> Vec<i32> {
    (0..YEARS_BACK).map(|back| current - back).collect()
}

/// The year asked for (`""` = the current one), as a field error when it is not a number or not
/// one of [`year_choices`].
pub fn check_year(input: &str, current: i32) -> Result<i32, Msg> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(current);
    }
    let year: i32 = input.parse().map_err(|_| Msg::from(super::DistrictMsg::ErrYear))?;
    if year > current || year <= current - YEARS_BACK {
        return Err(super::DistrictMsg::ErrYear.into());
    }
    Ok(year)
}

/// The five-year cycle `year` falls in: (first year, last year).
pub fn cycle_of(year: i32, cycle_start_year: i32) -> (i32, i32) {
    let first = cycle_start_year + (year - cycle_start_year).div_euclid(CYCLE_YEARS) * CYCLE_YEARS;
    (first, first + CYCLE_YEARS - 1)
}

/// The quota owed by `today` in the year `[start, end)`: pro-rated by days inside the year, the
/// whole quota once it is over.
pub fn quota_to_date(quota_tenths: i64, start: NaiveDate, end: NaiveDate, today: NaiveDate) -> i64 {
    if today >= end {
        return quota_tenths;
    }
    let days = (end - start).num_days().max(1);
    let elapsed = ((today - start).num_days() + 1).clamp(0, days);
    quota_tenths * elapsed / days
}

/// `part` of `whole` in whole percent (rounded); `None` for an empty whole.
pub fn percent(part: i64, whole: i64) -> Option<u32> {
    (whole > 0).then(|| ((part.clamp(0, whole) * 200 + whole) / (2 * whole)) as u32)
}

/// Raw hour counts over one scope and year, straight from the year totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourCounts {
    pub teachers: i64,
    /// Of them, named elsewhere on the page.
    pub named: i64,
    /// Of them, sharing their record with their district.
    pub shared_with_district: i64,
    pub median_tenths: Option<i64>,
    pub on_track: i64,
    pub complete: i64,
    /// Teachers per [`QuotaBand`], in its order.
    pub bands: [i64; 6],
    /// Tenths per [`HourCategory`], in its order, and how many teachers have any.
    pub category_tenths: [i64; 6],
    pub category_teachers: [i64; 6],
    pub cycle: (i32, i32),
    pub cycle_median_tenths: Option<i64>,
    pub cycle_complete: i64,
}

/// The raw counts behind the home page's headline (see `store::headline_counts`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HeadlineCounts {
    pub teachers: i64,
    pub named: i64,
    pub median_tenths: Option<i64>,
    pub on_track: i64,
}

/// The headline's figures, hidden as `hour_figures` hides the same figures on the dashboard:
/// (teachers, median tenths, on-track percent).
pub fn headline_figures(counts: &HeadlineCounts, k: i64) -> (Option<i64>, Option<i64>, Option<u32>) {
    let whole = enough(counts.teachers, counts.named, k);
    (
        whole.then_some(counts.teachers),
        counts.median_tenths.filter(|_| whole),
        percent(counts.on_track, counts.teachers).filter(|_| whole),
    )
}

/// Whether a figure over `teachers` (of whom `named` are named on the page) may be shown.
fn enough(teachers: i64, named: i64, k: i64) -> bool {
    teachers - named >= k
}

/// The hour figures a page may show for `counts`, with cells of fewer than `k` teachers hidden.
pub fn hour_figures(counts: &HourCounts, k: i64) -> HourFigures {
    let whole = enough(counts.teachers, counts.named, k);
    let cells: Vec<Cell> = counts.bands.iter().map(|n| Cell::new(*n, 0)).collect();
    let hidden = suppress(&cells, k).hidden;
    // Named teachers may sit in any band: with any named, a reader could subtract them from a
    // band, so bands hide whenever the unnamed total is too small (above) or the band is.
    let histogram = QuotaBand::ALL
        .iter()
        .zip(counts.bands.iter().zip(hidden))
        .map(|(band, (n, hide))| (*band, (whole && !hide).then_some(*n)))
        .collect();
    let by_category = HourCategory::ALL
        .iter()
        .enumerate()
        // A category nobody has says nothing about anyone: its zero shows.
        .map(|(i, c)| {
            let teachers = counts.category_teachers[i];
            (*c, (whole && (teachers == 0 || teachers >= k)).then_some(counts.category_tenths[i]))
        })
        .collect();
    HourFigures {
        median_tenths: counts.median_tenths.filter(|_| whole),
        on_track_percent: percent(counts.on_track, counts.teachers).filter(|_| whole),
        complete_percent: percent(counts.complete, counts.teachers).filter(|_| whole),
        histogram,
        by_category,
        cycle: counts.cycle,
        cycle_median_tenths: counts.cycle_median_tenths.filter(|_| whole),
        cycle_complete_percent: percent(counts.cycle_complete, counts.teachers).filter(|_| whole),
    }
}

/// A count of teachers on its own (no total to subtract it from): shown when none or at least k.
pub fn at_least_k(n: i64, k: i64) -> Option<i64> {
    (n == 0 || n >= k).then_some(n)
}

/// How many teachers shared their record: on a school page, the teachers it names (the reader
/// sees them anyway); on the dashboard, those sharing with the district, when at least k.
pub fn shared_figure(counts: &HourCounts, school_page: bool, k: i64) -> Option<i64> {
    if school_page {
        Some(counts.named)
    } else {
        at_least_k(counts.shared_with_district, k)
    }
}

/// Teacher counts per tier, as a breakdown of the shown total: (teachers, named) each.
pub fn tier_figures(counts: &[(Tier, i64, i64)], k: i64) -> Vec<(Tier, Option<i64>)> {
    let cells: Vec<Cell> = counts.iter().map(|(_, n, named)| Cell::new(*n, *named)).collect();
    let suppression = suppress(&cells, k);
    counts.iter().zip(suppression.hidden).map(|((tier, n, _), hide)| (*tier, (!hide).then_some(*n))).collect()
}

/// One year of the trend: (year, teachers, median tenths, complete).
pub fn year_point(year: i32, teachers: i64, median: Option<i64>, complete: i64, k: i64) -> YearPoint {
    let ok = teachers >= k;
    YearPoint {
        year,
        teachers: ok.then_some(teachers),
        median_tenths: median.filter(|_| ok),
        complete_percent: percent(complete, teachers).filter(|_| ok),
    }
}

/// Raw open-lesson counts of a scope's studios in a year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonCounts {
    /// Distinct teachers who taught the lessons.
    pub teachers: i64,
    pub held: i64,
    pub seats_offered: i64,
    /// Distinct observers with a seat, and the seats they held.
    pub observers: i64,
    pub booked: i64,
    pub checked_in: i64,
    pub from_other_school: i64,
    pub from_other_district: i64,
}

/// Lesson figures: what the lessons were needs k teachers who taught; who came needs k observers.
pub fn lesson_figures(c: &LessonCounts, k: i64) -> LessonFigures {
    let taught = c.teachers >= k;
    let came = c.observers >= k;
    LessonFigures {
        held: taught.then_some(c.held),
        seats_offered: taught.then_some(c.seats_offered),
        seats_booked: came.then_some(c.booked),
        checkin_percent: percent(c.checked_in, c.booked).filter(|_| came),
        other_school_percent: percent(c.from_other_school, c.booked).filter(|_| came),
        other_district_percent: percent(c.from_other_district, c.booked).filter(|_| came),
    }
}

/// Raw lesson-study counts of a scope's studios in a year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudyCounts {
    /// Distinct members of the studies counted.
    pub teachers: i64,
    pub run: i64,
    pub closed: i64,
    pub rounds: i64,
    /// Sum over rounds of each round's distinct observers.
    pub round_observers: i64,
    pub comments: i64,
    pub citing: i64,
}

pub fn study_figures(c: &StudyCounts, k: i64) -> StudyFigures {
    let ok = c.teachers >= k;
    StudyFigures {
        run: ok.then_some(c.run),
        closed: ok.then_some(c.closed),
        rounds: ok.then_some(c.rounds),
        observers_per_round_tenths: (ok && c.rounds > 0).then(|| (c.round_observers * 10 + c.rounds / 2) / c.rounds),
        citing_percent: percent(c.citing, c.comments).filter(|_| ok),
    }
}

/// Raw growth-plan counts of a scope's teachers in a year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GrowthCounts {
    /// Distinct mentees with a plan.
    pub teachers: i64,
    pub goals_active: i64,
    pub goals_achieved: i64,
    pub milestones_due: i64,
    pub milestones_on_time: i64,
    pub median_response_days: Option<i64>,
}

pub fn growth_figures(c: &GrowthCounts, k: i64) -> GrowthFigures {
    let ok = c.teachers >= k;
    GrowthFigures {
        goals_active: ok.then_some(c.goals_active),
        goals_achieved: ok.then_some(c.goals_achieved),
        milestones_on_time_percent: percent(c.milestones_on_time, c.milestones_due).filter(|_| ok),
        median_response_days: c.median_response_days.filter(|_| ok),
    }
}

/// Raw figures of one school for the district's school table.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolCounts {
    pub id: uuid::Uuid,
    pub name: String,
    pub teachers: i64,
    pub median_tenths: Option<i64>,
    pub complete: i64,
    pub studios: i64,
}

/// The school table: each school's teacher count is a cell of the district total (shown), so
/// complementary suppression applies; a hidden school shows none of its teacher figures.
pub fn school_rows(counts: Vec<SchoolCounts>, k: i64, sort: SchoolSort, descending: bool) -> Vec<SchoolRow> {
    let cells: Vec<Cell> = counts.iter().map(|s| Cell::new(s.teachers, 0)).collect();
    let hidden = suppress(&cells, k).hidden;
    let mut rows: Vec<SchoolRow> = counts
        .into_iter()
        .zip(hidden)
        .map(|(s, hide)| SchoolRow {
            id: s.id,
            name: s.name,
            teachers: (!hide).then_some(s.teachers),
            median_tenths: s.median_tenths.filter(|_| !hide),
            complete_percent: percent(s.complete, s.teachers).filter(|_| !hide),
            studios: s.studios,
        })
        .collect();
    sort_school_rows(&mut rows, sort, descending);
    rows
}

/// Orders the school table; hidden figures sort after every shown one, whichever direction, so
/// the order never tells a hidden value's size. Ties keep name order.
pub fn sort_school_rows(rows: &mut [SchoolRow], sort: SchoolSort, descending: bool) {
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let key = |r: &SchoolRow| -> Option<i64> {
        match sort {
            SchoolSort::Name => Some(0),
            SchoolSort::Teachers => r.teachers,
            SchoolSort::Median => r.median_tenths,
            SchoolSort::Complete => r.complete_percent.map(i64::from),
            SchoolSort::Studios => Some(r.studios),
        }
    };
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) if descending => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    if sort == SchoolSort::Name && descending {
        rows.reverse();
    }
}

/// The district's rules with the server's defaults where a district has none of its own.
pub fn rules_or_default(
    quota: Option<i32>,
    start_month: Option<i32>,
    cycle_start: Option<i32>,
    cycle_quota: Option<i32>,
    defaults: YearRules,
) -> YearRules {
    YearRules {
        quota_tenths: quota.map(i64::from).unwrap_or(defaults.quota_tenths),
        year_start_month: start_month.and_then(|m| u32::try_from(m).ok()).unwrap_or(defaults.year_start_month),
        cycle_start_year: cycle_start.unwrap_or(defaults.cycle_start_year),
        cycle_quota_tenths: cycle_quota.map(i64::from).unwrap_or(defaults.cycle_quota_tenths),
    }
}

/// The largest yearly and cycle quotas a district may set, in tenths.
pub const YEAR_QUOTA_MAX_TENTHS: i64 = 10_000;
pub const CYCLE_QUOTA_MAX_TENTHS: i64 = 50_000;

/// A quota typed in hours (one decimal at most), more than 0 and at most `max_tenths`.
pub fn check_quota(input: &str, max_tenths: i64) -> Result<i64, Msg> {
    let input = input.trim().replace(',', ".");
    if input.is_empty() {
        return Err(Msg::ErrRequired);
    }
    let (whole, frac) = input.split_once('.').unwrap_or((input.as_str(), ""));
    let digits = |p: &str| !p.is_empty() && p.len() <= 6 && p.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || (frac.len() == 1 && digits(frac))) {
        return Err(super::DistrictMsg::ErrQuota.into());
    }
    let tenths = whole.parse::<i64>().unwrap_or(i64::MAX / 20) * 10 + frac.parse::<i64>().unwrap_or(0);
    if tenths == 0 || tenths > max_tenths {
        return Err(super::DistrictMsg::ErrQuota.into());
    }
    Ok(tenths)
}

/// A month number, 1 to 12.
pub fn check_month(input: &str) -> Result<u32, Msg> {
    input.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m)).ok_or(Msg::ErrChoiceUnknown)
}

/// The first year of a cycle: a year between 2000 and 2100.
pub fn check_cycle_start(input: &str) -> Result<i32, Msg> {
    input.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or(super::DistrictMsg::ErrYear.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_school_year_from_september_is_named_by_the_year_it_starts_in() {
        assert_eq!(year_of(day("2026-08-31"), 9), 2025);
        assert_eq!(year_of(day("2026-09-01"), 9), 2026);
        assert_eq!(year_bounds(2026, 9), (day("2026-09-01"), day("2027-09-01")));
        assert_eq!(year_of(day("2026-01-01"), 1), 2026);
    }

    #[test]
    fn only_the_last_ten_years_may_be_asked_for_and_nonsense_is_a_field_error() {
        assert_eq!(check_year("", 2026), Ok(2026));
        assert_eq!(check_year(" 2020 ", 2026), Ok(2020));
        assert_eq!(check_year("2017", 2026), Ok(2017));
        for bad in ["2016", "2027", "9999", "-1", "twenty", "2026.5", "99999999999"] {
            assert!(check_year(bad, 2026).is_err(), "{bad}");
        }
    }

    #[test]
    fn cycles_follow_each_other_in_fives_from_the_configured_start() {
        assert_eq!(cycle_of(2026, 2026), (2026, 2030));
        assert_eq!(cycle_of(2030, 2026), (2026, 2030));
        assert_eq!(cycle_of(2031, 2026), (2031, 2035));
        assert_eq!(cycle_of(2025, 2026), (2021, 2025));
    }

    #[test]
    fn the_quota_to_date_grows_with_the_days_of_the_year() {
        let (start, end) = year_bounds(2026, 1);
        assert_eq!(quota_to_date(960, start, end, day("2026-12-31")), 960);
        assert_eq!(quota_to_date(960, start, end, day("2027-03-01")), 960);
        assert_eq!(quota_to_date(960, start, end, day("2026-07-02")), 960 * 183 / 365);
        assert_eq!(quota_to_date(960, start, end, day("2025-12-01")), 0);
    }

    #[test]
    fn quotas_are_hours_with_one_decimal_within_bounds() {
        assert_eq!(check_quota("96", YEAR_QUOTA_MAX_TENTHS), Ok(960));
        assert_eq!(check_quota(" 72,5 ", YEAR_QUOTA_MAX_TENTHS), Ok(725));
        assert_eq!(check_quota("", YEAR_QUOTA_MAX_TENTHS), Err(Msg::ErrRequired));
        for bad in ["0", "-5", "1.25", "1001", "abc", "1e3", ".5", "99999999999999999999"] {
            assert!(check_quota(bad, YEAR_QUOTA_MAX_TENTHS).is_err(), "{bad}");
        }
        assert_eq!(check_month("9"), Ok(9));
        assert!(check_month("13").is_err() && check_month("0").is_err() && check_month("x").is_err());
        assert_eq!(check_cycle_start("2026"), Ok(2026));
        assert!(check_cycle_start("1899").is_err() && check_cycle_start("").is_err());
    }

    #[test]
    fn the_headline_hides_its_figures_when_too_few_unnamed_teachers_are_behind_them() {
        let counts = HeadlineCounts { teachers: 23, named: 0, median_tenths: Some(300), on_track: 10 };
        assert_eq!(headline_figures(&counts, 5), (Some(23), Some(300), Some(43)));
        let few = HeadlineCounts { teachers: 6, named: 2, median_tenths: Some(300), on_track: 3 };
        assert_eq!(headline_figures(&few, 5), (None, None, None));
    }

    #[test]
    fn percentages_round_and_never_divide_by_zero() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(5, 0), None);
        assert_eq!(percent(7, 5), Some(100));
    }

    fn counts(teachers: i64, bands: [i64; 6]) -> HourCounts {
        HourCounts {
            teachers,
            median_tenths: Some(400),
            on_track: 3,
            complete: 2,
            bands,
            category_tenths: [10, 20, 30, 40, 50, 0],
            category_teachers: [5, 4, 9, 9, 9, 0],
            ..HourCounts::default()
        }
    }

    #[test]
    fn a_histogram_with_one_small_band_hides_a_second_so_the_total_cannot_give_it_back() {
        let f = hour_figures(&counts(30, [10, 2, 6, 0, 5, 7]), 5);
        let hidden: Vec<QuotaBand> = f.histogram.iter().filter(|(_, n)| n.is_none()).map(|(b, _)| *b).collect();
        assert_eq!(hidden, vec![QuotaBand::Under25, QuotaBand::Under100]);
        assert_eq!(f.median_tenths, Some(400));
        assert_eq!(f.complete_percent, Some(7));
        // A category only four teachers have is hidden; one nobody has shows its zero.
        assert_eq!(f.by_category[1], (HourCategory::Offline, None));
        assert_eq!(f.by_category[0], (HourCategory::Online, Some(10)));
        assert_eq!(f.by_category[5], (HourCategory::Course, Some(0)));
    }

    #[test]
    fn fewer_than_k_unnamed_teachers_show_no_hour_figure_at_all() {
        let mut c = counts(8, [2, 2, 2, 2, 0, 0]);
        c.named = 4;
        let f = hour_figures(&c, 5);
        assert_eq!(f.median_tenths, None);
        assert_eq!(f.complete_percent, None);
        assert!(f.histogram.iter().all(|(_, n)| n.is_none()));
        assert!(f.by_category.iter().all(|(_, n)| n.is_none()));
    }

    #[test]
    fn the_school_table_hides_a_second_school_with_a_small_one_and_sorts_hidden_rows_last() {
        let school = |name: &str, teachers, median| SchoolCounts {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            teachers,
            median_tenths: Some(median),
            complete: teachers / 2,
            studios: 1,
        };
        let rows = school_rows(
            vec![school("A", 40, 500), school("B", 3, 900), school("C", 9, 100), school("D", 25, 300)],
            5,
            SchoolSort::Median,
            true,
        );
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["A", "D", "B", "C"], "shown by median, descending, then the hidden ones by name");
        assert_eq!(rows[2].teachers, None);
        assert_eq!(rows[2].median_tenths, None, "a hidden school shows none of its teacher figures");
        assert_eq!(rows[3].teachers, None, "C (9) is hidden with B (3): 77 - 40 - 25 - 9 would give B back");
        let ascending = school_rows(vec![school("A", 40, 500), school("D", 25, 300)], 5, SchoolSort::Teachers, false);
        assert_eq!(ascending[0].name, "D");
    }

    #[test]
    fn tiers_count_named_teachers_out() {
        let f = tier_figures(&[(Tier::NewTeacher, 6, 3), (Tier::Backbone, 20, 0), (Tier::Master, 12, 0)], 5);
        assert_eq!(f, vec![(Tier::NewTeacher, None), (Tier::Backbone, Some(20)), (Tier::Master, None)]);
    }

    #[test]
    fn sections_over_too_few_teachers_show_nothing() {
        let lessons = LessonCounts {
            teachers: 6,
            held: 10,
            seats_offered: 300,
            observers: 4,
            booked: 20,
            checked_in: 10,
            ..LessonCounts::default()
        };
        let f = lesson_figures(&lessons, 5);
        assert_eq!((f.held, f.seats_booked, f.checkin_percent), (Some(10), None, None));
        let studies =
            StudyCounts { teachers: 5, run: 2, closed: 1, rounds: 3, round_observers: 10, comments: 4, citing: 3 };
        let f = study_figures(&studies, 5);
        assert_eq!((f.observers_per_round_tenths, f.citing_percent), (Some(33), Some(75)));
        assert_eq!(study_figures(&StudyCounts { teachers: 4, ..studies }, 5).run, None);
        let growth = GrowthCounts { teachers: 2, goals_active: 3, ..GrowthCounts::default() };
        assert_eq!(growth_figures(&growth, 5).goals_active, None);
    }
}
