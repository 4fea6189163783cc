//! Pareto frontiers and the two designs picked off them.
//!
//! A design is on the frontier when no other design is at least as cheap and at least as
//! available and better in one of the two. Unavailabilities that agree to 12 significant digits
//! count as equal: two designs whose availability differs only by rounding (the same structure
//! evaluated along different paths) are one point, and the frontier keeps the cheaper, or the
//! first of equals (in the order they are given).

use std::cmp::Ordering;

use super::Outcome;

/// Relative difference in unavailability below which two designs count as equally available.
pub const SAME_UNAVAILABILITY: f64 = 1e-12;

/// Cheaper first, then more available, then earlier.
fn by_cost(a: &Outcome, b: &Outcome) -> Ordering {
    a.cost
        .total_cmp(&b.cost)
        .then(a.down.p.total_cmp(&b.down.p))
}

/// Indices of the Pareto-optimal outcomes, cheapest first.
pub fn frontier(outcomes: &[Outcome]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..outcomes.len()).collect();
    // Stable: among exact ties the earlier design comes first and is the one kept.
    order.sort_by(|&a, &b| by_cost(&outcomes[a], &outcomes[b]));
    let mut best = f64::INFINITY;
    let mut kept = Vec::new();
    for i in order {
        let u = outcomes[i].down.p;
        if u < best * (1.0 - SAME_UNAVAILABILITY) {
            best = u;
            kept.push(i);
        }
    }
    kept
}

/// The design with the least expected monthly total; ties go to the more available, then the
/// earlier one.
pub fn sweet_spot(outcomes: &[Outcome]) -> Option<usize> {
    (0..outcomes.len()).min_by(|&a, &b| {
        let (x, y) = (&outcomes[a], &outcomes[b]);
        x.total_cost
            .total_cmp(&y.total_cost)
            .then(x.down.p.total_cmp(&y.down.p))
            .then(a.cmp(&b))
    })
}

/// The cheapest design that meets every SLO; ties go to the more available, then the earlier.
pub fn cheapest_meeting_slos(outcomes: &[Outcome]) -> Option<usize> {
    (0..outcomes.len())
        .filter(|&i| outcomes[i].meets_slos)
        .min_by(|&a, &b| by_cost(&outcomes[a], &outcomes[b]).then(a.cmp(&b)))
}

/// Minimal points of the plane: answers "is some stored point at most (x, y) in both?" in
/// logarithmic time. Kept sorted by x; y strictly falls along it.
#[derive(Clone, Debug, Default)]
pub struct Staircase {
    steps: Vec<(f64, f64)>,
}

impl Staircase {
    /// An empty staircase.
    pub fn new() -> Staircase {
        Staircase::default()
    }

    /// Points kept.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no point is kept.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether a stored point has x' ≤ x and y' ≤ y.
    pub fn covers(&self, x: f64, y: f64) -> bool {
        // The last step with x' ≤ x has the least y' among them.
        let after = self.steps.partition_point(|s| s.0 <= x);
        after > 0 && self.steps[after - 1].1 <= y
    }

    /// Stores a point (covered points are dropped).
    pub fn insert(&mut self, x: f64, y: f64) {
        if self.covers(x, y) {
            return;
        }
        let start = self.steps.partition_point(|s| s.0 < x);
        let mut end = start;
        while end < self.steps.len() && self.steps[end].1 >= y {
            end += 1;
        }
        self.steps.splice(start..end, [(x, y)]);
    }

    /// The least y over stored points with x' ≤ x (infinity when there is none).
    pub fn best_up_to(&self, x: f64) -> f64 {
        let after = self.steps.partition_point(|s| s.0 <= x);
        if after == 0 {
            f64::INFINITY
        } else {
            self.steps[after - 1].1
        }
    }
}

/// Keeps the items that no other item beats in all three of (cost, x, y), by the same rule as
/// the frontier: at most as large in each and, among exact ties, the first.
pub fn pareto3<T>(items: Vec<T>, key: impl Fn(&T) -> (f64, f64, f64)) -> Vec<T> {
    let mut keyed: Vec<((f64, f64, f64), T)> = items.into_iter().map(|t| (key(&t), t)).collect();
    keyed.sort_by(|a, b| {
        (a.0.0)
            .total_cmp(&b.0.0)
            .then((a.0.1).total_cmp(&b.0.1))
            .then((a.0.2).total_cmp(&b.0.2))
    });
    let mut stairs = Staircase::new();
    let mut kept = Vec::new();
    for ((_, x, y), t) in keyed {
        if !stairs.covers(x, y) {
            stairs.insert(x, y);
            kept.push(t);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staircase_answers_like_a_scan() {
        let points = [
            (3.0, 1.0),
            (1.0, 5.0),
            (2.0, 2.0),
            (2.5, 2.0),
            (0.5, 9.0),
            (4.0, 0.5),
        ];
        let mut s = Staircase::new();
        for &(x, y) in &points {
            s.insert(x, y);
        }
        for qx in [0.0, 0.5, 1.0, 1.5, 2.0, 2.7, 3.0, 5.0] {
            for qy in [0.0, 0.5, 1.0, 2.0, 4.9, 5.0, 9.0, 10.0] {
                let scan = points.iter().any(|&(x, y)| x <= qx && y <= qy);
                assert_eq!(s.covers(qx, qy), scan, "({qx}, {qy})");
            }
        }
        assert_eq!(s.len(), 5, "(2.5, 2.0) is covered by (2.0, 2.0)");
    }

    #[test]
    fn pareto3_keeps_the_first_of_ties() {
        let items = vec![
            (1.0, 2.0, 2.0, "a"),
            (1.0, 2.0, 2.0, "b"),
            (2.0, 1.0, 3.0, "c"),
            (2.0, 3.0, 3.0, "d"),
        ];
        let kept: Vec<&str> = pareto3(items, |t| (t.0, t.1, t.2))
            .into_iter()
            .map(|t| t.3)
            .collect();
        assert_eq!(kept, ["a", "c"]);
    }
}
