//! The growth area's rules, free of any database: permissions, input checks, progress, hour
//! totals, quota years and the CSV format. Unit-tested below.

use super::{GrowthMsg, HourCategory, OverviewRow};
use crate::kit::error::AppError;
use crate::kit::i18n::Msg;
use crate::kit::validate;
use crate::studios::StudioRole;
use chrono::{Datelike, Months, NaiveDate};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
/// A due date may lie at most this many days in the past (a late entry, not a made-up history).
pub const DUE_PAST_DAYS: i64 = 30;
/// ... and at most this many days ahead.
pub const DUE_FUTURE_DAYS: i64 = 3660;
/// At most 24 hours in one day, across records (in tenths of an hour).
pub use crate::kit::validate::DAY_MAX_TENTHS;
pub const LINKS_MAX: usize = 10;

/// Who is acting, seen from the plan or ledger in question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The actor is the mentee the plan (or the ledger) belongs to.
    pub is_subject: bool,
    /// The actor's active role in the studio of the plan; for a ledger, the leading role
    /// (host or mentor) they hold in a studio where the ledger's owner is an active member.
    pub role: Option<StudioRole>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ViewPlan,
    EditPlan,
    Comment,
    SignOff,
    ApplyTemplate,
    ViewOverview,
    ViewLedger,
    LogHours,
    VerifyHours,
}

/// The one place where the growth area decides who may do what: `Forbidden` when not.
pub fn can(actor: Actor, action: Action) -> Result<(), AppError> {
    if may(actor, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn may(actor: Actor, action: Action) -> bool {
    let leads = actor.role.is_some_and(StudioRole::leads);
    match action {
        Action::ViewPlan | Action::ViewLedger => actor.is_subject || leads,
        Action::EditPlan | Action::LogHours => actor.is_subject,
        // The mentee may answer the comments on their own plan.
        Action::Comment => actor.is_subject || leads,
        Action::SignOff | Action::VerifyHours => leads && !actor.is_subject,
        Action::ViewOverview => leads,
        Action::ApplyTemplate => actor.role == Some(StudioRole::Host),
    }
}

fn gm(m: GrowthMsg) -> Msg {
    Msg::from(m)
}

/// A goal's, a milestone's or a template's title.
pub fn check_title(title: &str) -> Result<String, Msg> {
    validate::line(title, true, TITLE_MAX)
}

/// A due date: not far in the past, not absurdly far ahead.
pub fn check_due(s: &str, today: NaiveDate) -> Result<NaiveDate, Msg> {
    let due = validate::date(s)?;
    let days = (due - today).num_days();
    if days < -DUE_PAST_DAYS {
        Err(gm(GrowthMsg::ErrDueFarInPast))
    } else if days > DUE_FUTURE_DAYS {
        Err(gm(GrowthMsg::ErrDueTooFar))
    } else {
        Ok(due)
    }
}

/// A due date being edited: the date it already has is kept as it is, however old; a new one
/// follows `check_due`.
pub fn check_due_keeping(s: &str, today: NaiveDate, current: NaiveDate) -> Result<NaiveDate, Msg> {
    match validate::date(s) {
        Ok(due) if due == current => Ok(due),
        _ => check_due(s, today),
    }
}

/// The day of a training record: not in the future, not before 2000.
pub fn check_record_date(s: &str, today: NaiveDate) -> Result<NaiveDate, Msg> {
    let day = validate::date(s)?;
    if day > today {
        Err(gm(GrowthMsg::ErrFutureDate))
    } else if day.year() < 2000 {
        Err(Msg::ErrDateInvalid)
    } else {
        Ok(day)
    }
}

/// Whether a new record fits in the day next to what is already logged for it.
pub fn fits_in_day(already_tenths: i64, new_tenths: i64) -> bool {
    already_tenths + new_tenths <= DAY_MAX_TENTHS
}

/// What attendance worth `attended_tenths` is credited on a day that already holds
/// `already_tenths`: all of it, or what the day's 24 hours still allow (never less than none).
pub fn credit_within_day(already_tenths: i64, attended_tenths: i64) -> i64 {
    attended_tenths.min(DAY_MAX_TENTHS - already_tenths).max(0)
}

/// Evidence links, one per line: each a web link, at most a few.
pub fn check_links(s: &str) -> Result<Vec<String>, Msg> {
    let links: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if links.len() > LINKS_MAX {
        return Err(Msg::ErrTooLong);
    }
    links.into_iter().map(validate::link).collect()
}

/// The quota year that contains `day`: [start, end), starting on the 1st of `start_month`.
pub fn quota_year(day: NaiveDate, start_month: u32) -> (NaiveDate, NaiveDate) {
    let month = start_month.clamp(1, 12);
    let year = if day.month() >= month { day.year() } else { day.year() - 1 };
    let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day);
    let end = start.checked_add_months(Months::new(12)).unwrap_or(day);
    (start, end)
}

/// Per cent done: milestones done out of all; a goal without milestones counts as done only
/// once achieved.
pub fn progress_percent(done: usize, total: usize, achieved: bool) -> u32 {
    if total == 0 {
        return if achieved { 100 } else { 0 };
    }
    ((done * 100) / total) as u32
}

/// Sums `(category, tenths)` pairs into `HourCategory::ALL` order.
pub fn totals_by_category(records: impl IntoIterator<Item = (HourCategory, i64)>) -> Vec<(HourCategory, i64)> {
    let mut totals: Vec<(HourCategory, i64)> = HourCategory::ALL.iter().map(|c| (*c, 0)).collect();
    for (cat, tenths) in records {
        if let Some(t) = totals.iter_mut().find(|(c, _)| *c == cat) {
            t.1 += tenths;
        }
    }
    totals
}

/// Sums `(day, tenths)` pairs into the 12 months of the quota year starting at `year_start`;
/// days outside the year are left out.
pub fn totals_by_month(
    year_start: NaiveDate,
    records: impl IntoIterator<Item = (NaiveDate, i64)>,
) -> Vec<(NaiveDate, i64)> {
    let mut months: Vec<(NaiveDate, i64)> =
        (0..12).filter_map(|i| year_start.checked_add_months(Months::new(i)).map(|m| (m, 0))).collect();
    for (day, tenths) in records {
        let index = (day.year() - year_start.year()) * 12 + day.month() as i32 - year_start.month() as i32;
        if (0..12).contains(&index) && day >= year_start {
            if let Some(m) = months.get_mut(index as usize) {
                m.1 += tenths;
            }
        }
    }
    months
}

/// Tenths of an hour as text: `12`, `1.5`.
pub fn format_tenths(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// A template goal typed by a host: its title and its milestones' titles.
pub type TemplateGoalDraft = (String, Vec<String>);
pub const TEMPLATE_GOALS_MAX: usize = 30;

/// Reads a template typed as lines: each line a goal, each line starting with `-` a milestone of
/// the goal above it.
pub fn parse_template_lines(text: &str) -> Result<Vec<TemplateGoalDraft>, Msg> {
    let mut goals: Vec<TemplateGoalDraft> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(ms) = line.strip_prefix(['-', '－', '•', '*']) {
            let goal = goals.last_mut().ok_or(gm(GrowthMsg::ErrMilestoneBeforeGoal))?;
            let title = check_title(ms)?;
            if goal.1.len() >= TEMPLATE_GOALS_MAX {
                return Err(Msg::ErrTooLong);
            }
            goal.1.push(title);
        } else {
            goals.push((check_title(line)?, Vec::new()));
        }
    }
    if goals.is_empty() {
        Err(Msg::ErrRequired)
    } else if goals.len() > TEMPLATE_GOALS_MAX {
        Err(Msg::ErrTooLong)
    } else {
        Ok(goals)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Goals,
    Overdue,
    Hours,
}

impl SortKey {
    pub fn from_code(code: &str) -> SortKey {
        match code {
            "goals" => SortKey::Goals,
            "overdue" => SortKey::Overdue,
            "hours" => SortKey::Hours,
            _ => SortKey::Name,
        }
    }
}

/// Mentees per page of a studio's overview.
pub const OVERVIEW_PER_PAGE: usize = 50;

/// The rows of overview page `page` (from 1; past the last page, the last page) of `rows`, and
/// the page served and the number of pages.
pub fn overview_page(rows: Vec<OverviewRow>, page: u32) -> (Vec<OverviewRow>, u32, u32) {
    let (page, pages) = overview_window(rows.len(), page);
    let shown = rows.into_iter().skip((page as usize - 1) * OVERVIEW_PER_PAGE).take(OVERVIEW_PER_PAGE).collect();
    (shown, page, pages)
}

/// The page shown of `mentees` (clamped to those there are, counting from 1), and how many pages.
pub fn overview_window(mentees: usize, page: u32) -> (u32, u32) {
    let pages = mentees.div_ceil(OVERVIEW_PER_PAGE).max(1) as u32;
    (page.clamp(1, pages), pages)
}

/// Sorts the overview; ties keep name order.
pub fn sort_rows(rows: &mut [OverviewRow], key: SortKey, descending: bool) {
    rows.sort_by(|a, b| {
        let ord = match key {
            SortKey::Name => a.mentee_name.cmp(&b.mentee_name),
            // by share of goals done
            SortKey::Goals => (a.goals_done * b.goals_total.max(1)).cmp(&(b.goals_done * a.goals_total.max(1))),
            SortKey::Overdue => a.overdue_milestones.cmp(&b.overdue_milestones),
            SortKey::Hours => a.hours_tenths.cmp(&b.hours_tenths),
        };
        let ord = if descending { ord.reverse() } else { ord };
        ord.then_with(|| a.mentee_name.cmp(&b.mentee_name))
    });
}

/// One CSV field: quoted when it holds a comma, quote or line break; quotes doubled. A leading
/// `= + - @` is prefixed with `'` so that Excel never reads a name as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A CSV document Excel opens with Chinese text intact: UTF-8 with a byte-order mark, CRLF.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    let line = |fields: Vec<String>| fields.join(",") + "\r\n";
    out.push_str(&line(header.iter().map(|h| csv_field(h)).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|f| csv_field(f)).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::growth::HoursSettings;
    use uuid::Uuid;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    const OWNER: Actor = Actor { is_subject: true, role: Some(StudioRole::Mentee) };
    const OTHER_MENTEE: Actor = Actor { is_subject: false, role: Some(StudioRole::Mentee) };
    const MENTOR: Actor = Actor { is_subject: false, role: Some(StudioRole::Mentor) };
    const HOST: Actor = Actor { is_subject: false, role: Some(StudioRole::Host) };
    const OUTSIDER: Actor = Actor { is_subject: false, role: None };

    #[test]
    fn a_plan_is_seen_by_its_mentee_and_the_studios_leaders_only() {
        for a in [OWNER, MENTOR, HOST] {
            assert!(can(a, Action::ViewPlan).is_ok(), "{a:?}");
        }
        for a in [OTHER_MENTEE, OUTSIDER] {
            assert!(can(a, Action::ViewPlan).is_err(), "{a:?}");
            assert!(can(a, Action::ViewLedger).is_err(), "{a:?}");
        }
    }

    #[test]
    fn only_the_mentee_edits_the_plan_and_logs_hours() {
        assert!(can(OWNER, Action::EditPlan).is_ok() && can(OWNER, Action::LogHours).is_ok());
        for a in [OTHER_MENTEE, MENTOR, HOST, OUTSIDER] {
            assert!(can(a, Action::EditPlan).is_err() && can(a, Action::LogHours).is_err(), "{a:?}");
        }
    }

    #[test]
    fn leaders_sign_off_and_verify_but_never_their_own() {
        assert!(can(MENTOR, Action::SignOff).is_ok() && can(HOST, Action::VerifyHours).is_ok());
        assert!(can(OWNER, Action::SignOff).is_err() && can(OWNER, Action::VerifyHours).is_err());
        let mentor_self = Actor { is_subject: true, role: Some(StudioRole::Mentor) };
        assert!(can(mentor_self, Action::VerifyHours).is_err());
        assert!(can(OTHER_MENTEE, Action::SignOff).is_err() && can(OUTSIDER, Action::VerifyHours).is_err());
    }

    #[test]
    fn only_the_host_applies_templates_and_leaders_see_the_overview() {
        assert!(can(HOST, Action::ApplyTemplate).is_ok());
        assert!(can(MENTOR, Action::ApplyTemplate).is_err() && can(OWNER, Action::ApplyTemplate).is_err());
        assert!(can(MENTOR, Action::ViewOverview).is_ok() && can(HOST, Action::ViewOverview).is_ok());
        assert!(can(OWNER, Action::ViewOverview).is_err() && can(OUTSIDER, Action::ViewOverview).is_err());
    }

    #[test]
    fn a_day_holds_at_most_24_hours_across_records() {
        assert!(fits_in_day(200, 40));
        assert!(!fits_in_day(200, 41));
        assert!(!fits_in_day(240, 1));
    }

    #[test]
    fn attendance_is_credited_up_to_what_the_day_still_allows() {
        assert_eq!(credit_within_day(0, 30), 30);
        assert_eq!(credit_within_day(220, 30), 20);
        assert_eq!(credit_within_day(240, 30), 0);
        // A day already over (records from before the cap) gives nothing, never a negative.
        assert_eq!(credit_within_day(250, 30), 0);
    }

    #[test]
    fn record_dates_are_never_in_the_future() {
        let today = d(2026, 11, 24);
        assert_eq!(check_record_date("2026-11-24", today), Ok(today));
        assert_eq!(check_record_date("2026-11-25", today), Err(Msg::from(GrowthMsg::ErrFutureDate)));
        assert_eq!(check_record_date("24/11/2026", today), Err(Msg::ErrDateInvalid));
    }

    #[test]
    fn due_dates_far_in_the_past_or_future_are_refused() {
        let today = d(2026, 11, 24);
        assert!(check_due("2026-11-01", today).is_ok());
        assert_eq!(check_due("2020-01-01", today), Err(Msg::from(GrowthMsg::ErrDueFarInPast)));
        assert_eq!(check_due("2099-01-01", today), Err(Msg::from(GrowthMsg::ErrDueTooFar)));
        assert_eq!(check_due("", today), Err(Msg::ErrRequired));
    }

    #[test]
    fn an_old_due_date_may_stay_but_not_be_newly_chosen() {
        let today = d(2026, 11, 24);
        assert_eq!(check_due_keeping("2026-01-10", today, d(2026, 1, 10)), Ok(d(2026, 1, 10)));
        assert_eq!(check_due_keeping("2026-01-11", today, d(2026, 1, 10)), Err(Msg::from(GrowthMsg::ErrDueFarInPast)));
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert_eq!(
            check_links("https://a.cn/x\n\n http://b.cn "),
            Ok(vec!["https://a.cn/x".to_owned(), "http://b.cn".to_owned()])
        );
        assert_eq!(check_links("javascript:alert(1)"), Err(Msg::ErrLinkInvalid));
    }

    #[test]
    fn the_quota_year_is_the_calendar_or_the_school_year() {
        assert_eq!(quota_year(d(2026, 11, 24), 1), (d(2026, 1, 1), d(2027, 1, 1)));
        assert_eq!(quota_year(d(2026, 11, 24), 9), (d(2026, 9, 1), d(2027, 9, 1)));
        assert_eq!(quota_year(d(2026, 8, 31), 9), (d(2025, 9, 1), d(2026, 9, 1)));
        assert_eq!(quota_year(d(2026, 9, 1), 9), (d(2026, 9, 1), d(2027, 9, 1)));
        assert_eq!(quota_year(d(2026, 3, 1), 0), (d(2026, 1, 1), d(2027, 1, 1)), "clamped");
    }

    #[test]
    fn a_district_setting_replaces_the_default_only_where_the_district_has_one() {
        let defaults = HoursSettings { quota_tenths: 960, year_start_month: 1 };
        assert_eq!(defaults.with_district(None, None), defaults);
        assert_eq!(defaults.with_district(Some(720), None), HoursSettings { quota_tenths: 720, year_start_month: 1 });
        assert_eq!(defaults.with_district(None, Some(9)), HoursSettings { quota_tenths: 960, year_start_month: 9 });
        assert_eq!(defaults.with_district(None, Some(-1)), defaults, "a month out of range keeps the default");
    }

    #[test]
    fn progress_comes_from_milestones() {
        assert_eq!(progress_percent(1, 3, false), 33);
        assert_eq!(progress_percent(3, 3, false), 100);
        assert_eq!(progress_percent(0, 0, false), 0);
        assert_eq!(progress_percent(0, 0, true), 100);
    }

    #[test]
    fn hours_are_totalled_by_category_and_by_month_of_the_quota_year() {
        let cats =
            totals_by_category([(HourCategory::Online, 15), (HourCategory::Shadowing, 30), (HourCategory::Online, 5)]);
        assert_eq!(cats[0], (HourCategory::Online, 20));
        assert_eq!(cats[2], (HourCategory::Shadowing, 30));
        assert_eq!(cats.iter().map(|c| c.1).sum::<i64>(), 50);

        let start = d(2025, 9, 1);
        let months = totals_by_month(
            start,
            [(d(2025, 9, 3), 10), (d(2026, 1, 31), 20), (d(2026, 8, 31), 5), (d(2026, 9, 1), 7), (d(2025, 8, 31), 7)],
        );
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], (d(2025, 9, 1), 10));
        assert_eq!(months[4], (d(2026, 1, 1), 20));
        assert_eq!(months[11], (d(2026, 8, 1), 5));
        assert_eq!(months.iter().map(|m| m.1).sum::<i64>(), 35);
    }

    #[test]
    fn a_typed_template_has_goals_and_their_milestones() {
        let t = parse_template_lines("读书计划\n - 读完一本书\n-写笔记\n\n上公开课").expect("valid");
        assert_eq!(
            t,
            vec![
                ("读书计划".to_owned(), vec!["读完一本书".to_owned(), "写笔记".to_owned()]),
                ("上公开课".to_owned(), vec![])
            ]
        );
        assert_eq!(parse_template_lines("- 里程碑"), Err(Msg::from(GrowthMsg::ErrMilestoneBeforeGoal)));
        assert_eq!(parse_template_lines("  \n "), Err(Msg::ErrRequired));
        assert_eq!(parse_template_lines("-"), Err(Msg::from(GrowthMsg::ErrMilestoneBeforeGoal)));
        assert_eq!(parse_template_lines("目标\n-  "), Err(Msg::ErrRequired));
    }

    #[test]
    fn tenths_print_without_needless_decimals() {
        assert_eq!(format_tenths(960), "96");
        assert_eq!(format_tenths(15), "1.5");
    }

    fn row(name: &str, done: i64, total: i64, overdue: i64, hours: i64) -> OverviewRow {
        OverviewRow {
            mentee_id: Uuid::nil(),
            mentee_name: name.to_owned(),
            goals_done: done,
            goals_total: total,
            overdue_milestones: overdue,
            hours_tenths: hours,
        }
    }

    #[test]
    fn the_overview_sorts_by_any_column() {
        let mut rows = vec![row("b", 1, 2, 0, 100), row("a", 1, 4, 3, 10), row("c", 0, 0, 1, 500)];
        sort_rows(&mut rows, SortKey::Hours, true);
        assert_eq!(rows.iter().map(|r| r.mentee_name.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
        sort_rows(&mut rows, SortKey::Overdue, true);
        assert_eq!(rows[0].mentee_name, "a");
        sort_rows(&mut rows, SortKey::Goals, true);
        assert_eq!(rows[0].mentee_name, "b");
        sort_rows(&mut rows, SortKey::Name, false);
        assert_eq!(rows[0].mentee_name, "a");
    }

    #[test]
    fn the_overview_pages_fifty_mentees_at_a_time() {
        let rows = |n: usize| (0..n).map(|i| row(&format!("{i:04}"), 0, 0, 0, 0)).collect::<Vec<_>>();
        let (shown, page, pages) = overview_page(rows(120), 3);
        assert_eq!((shown.len(), page, pages), (20, 3, 3));
        assert_eq!(shown[0].mentee_name, "0100");
        let (shown, page, _) = overview_page(rows(120), 99);
        assert_eq!((shown.len(), page), (20, 3), "past the end: the last page");
        let (shown, page, pages) = overview_page(rows(0), 0);
        assert_eq!((shown.len(), page, pages), (0, 1, 1));
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quotes_what_needs_it() {
        let csv = to_csv(
            &["姓名", "学时"],
            &[vec!["张伟, \"小张\"".to_owned(), "12.5".to_owned()], vec!["=cmd()".to_owned(), "1".to_owned()]],
        );
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(csv, "\u{feff}姓名,学时\r\n\"张伟, \"\"小张\"\"\",12.5\r\n'=cmd(),1\r\n");
    }
}
