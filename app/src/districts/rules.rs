//! District rules that need no database: which figures are too small to show.
//!
//! A figure computed over fewer than k teachers could point at a person, so it is shown as
//! "fewer than k". Hiding one cell of a breakdown is not enough when the breakdown's total is
//! shown: the total minus the visible cells gives the hidden one back. So a breakdown with exactly
//! one hidden cell hides its next-smallest cell too (complementary suppression), and a total over
//! fewer than k teachers hides everything. Teachers named elsewhere on the page (those who shared
//! their record) do not count towards k: a reader can subtract them.

/// One cell of a breakdown: how many teachers its figure is computed over, and how many of them
/// are named elsewhere on the same page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub teachers: i64,
    pub named: i64,
}

impl Cell {
    pub fn new(teachers: i64, named: i64) -> Cell {
        Cell { teachers, named }
    }

    /// The teachers a reader cannot account for by name.
    fn unnamed(self) -> i64 {
        (self.teachers - self.named).max(0)
    }
}

/// Which cells of a breakdown are hidden, and whether its total is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub hidden: Vec<bool>,
    pub total_hidden: bool,
}

/// Decides what a breakdown whose total is shown may show, for the smallest cell size `k` (from
/// configuration only). An empty cell (no teachers at all) says nothing about anyone and stays
/// visible; it is a complement only when no other cell can be (a reader may know it is empty).
pub fn suppress(cells: &[Cell], k: i64) -> Suppression {
    let small = |c: &Cell| c.teachers > 0 && c.unnamed() < k;
    let total = Cell { teachers: cells.iter().map(|c| c.teachers).sum(), named: cells.iter().map(|c| c.named).sum() };
    if total.teachers > 0 && total.unnamed() < k {
        return Suppression { hidden: vec![true; cells.len()], total_hidden: true };
    }
    let mut hidden: Vec<bool> = cells.iter().map(small).collect();
    if hidden.iter().filter(|h| **h).count() == 1 {
        // The total minus the visible cells would give the hidden one back: hide the smallest
        // visible cell too, preferring one with teachers (the first of equals: a stable choice).
        let next =
            (0..cells.len()).filter(|i| !hidden[*i]).min_by_key(|i| (cells[*i].teachers == 0, cells[*i].teachers, *i));
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    Suppression { hidden, total_hidden: false }
}

/// Applies [`suppress`] to the teacher counts of a district's schools (whose total is shown;
/// their leaders are named on the page) and returns the total, `None` when it is hidden.
pub fn suppress_school_counts(schools: &mut [super::SchoolSummary], k: i64) -> Option<i64> {
    let cells: Vec<Cell> = schools.iter().map(|s| Cell::new(s.teachers.unwrap_or(0), s.leaders.len() as i64)).collect();
    let total: i64 = cells.iter().map(|c| c.teachers).sum();
    let suppression = suppress(&cells, k);
    for (school, hidden) in schools.iter_mut().zip(suppression.hidden) {
        if hidden {
            school.teachers = None;
        }
    }
    (!suppression.total_hidden).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(counts: &[i64]) -> Vec<Cell> {
        counts.iter().map(|n| Cell::new(*n, 0)).collect()
    }

    #[test]
    fn cells_of_k_or_more_teachers_are_shown() {
        let s = suppress(&cells(&[5, 12, 30]), 5);
        assert_eq!(s, Suppression { hidden: vec![false, false, false], total_hidden: false });
    }

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it_so_the_total_cannot_give_it_back() {
        let counts = [3, 12, 30, 7];
        let s = suppress(&cells(&counts), 5);
        assert!(!s.total_hidden, "the total (52) is shown");
        assert_eq!(s.hidden, vec![true, false, false, true], "the 7 hides with the 3");
        // Hiding the 3 alone, 52 - 12 - 30 - 7 would give it back; now only 3 + 7 is known.
        let total: i64 = counts.iter().sum();
        let visible: i64 = counts.iter().zip(&s.hidden).filter(|(_, h)| !**h).map(|(n, _)| n).sum();
        assert_eq!(total - visible, 10);
    }

    #[test]
    fn two_small_cells_protect_each_other() {
        assert_eq!(suppress(&cells(&[2, 3, 40]), 5).hidden, vec![true, true, false]);
    }

    #[test]
    fn named_teachers_do_not_count_towards_k() {
        // Six teachers, four of them named on the page: two unnamed, too few.
        let s = suppress(&[Cell::new(6, 4), Cell::new(20, 0), Cell::new(9, 0)], 5);
        assert_eq!(s.hidden, vec![true, false, true]);
    }

    #[test]
    fn a_small_total_hides_everything() {
        assert_eq!(suppress(&cells(&[1, 2]), 5), Suppression { hidden: vec![true, true], total_hidden: true });
    }

    #[test]
    fn empty_cells_stay_visible_unless_needed_as_a_complement() {
        assert_eq!(suppress(&cells(&[0, 10, 20]), 5).hidden, vec![false, false, false]);
        // A cell with teachers is the better complement; an empty one only when nothing else is left.
        assert_eq!(suppress(&cells(&[0, 3, 20, 30]), 5).hidden, vec![false, true, true, false]);
        assert_eq!(suppress(&cells(&[3, 0, 0, 0, 0, 0, 0, 9]), 5).hidden.iter().filter(|h| **h).count(), 2);
        assert_eq!(suppress(&[], 5), Suppression { hidden: vec![], total_hidden: false });
    }
}
