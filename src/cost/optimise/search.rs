//! Depth-first branch-and-bound over the decisions the reductions leave.

use super::*;

impl Optimiser<'_> {
    /// Depth-first branch-and-bound over the scope's decisions.
    pub(super) fn branch_and_bound(
        &self,
        scope: &Scope,
    ) -> Result<(Vec<Outcome>, bool, Option<OpenBounds>), EngineError> {
        let constant = {
            let mut picks = self.fixed.clone();
            let mut covered = vec![false; picks.len()];
            for d in &scope.decisions {
                for alt in &d.alts {
                    for &(c, _) in &alt.picks {
                        covered[c] = true;
                    }
                }
            }
            for (c, p) in picks.iter_mut().enumerate() {
                if covered[c] {
                    *p = usize::MAX;
                }
            }
            (0..picks.len())
                .filter(|&c| picks[c] != usize::MAX)
                .map(|c| self.component(c, picks[c]).monthly_cost())
                .sum::<f64>()
        };
        // Cheapest possible cost of the decisions from i on.
        let mut cheapest_after = vec![0.0; scope.decisions.len() + 1];
        for i in (0..scope.decisions.len()).rev() {
            let min = scope.decisions[i]
                .alts
                .iter()
                .map(|a| a.cost)
                .fold(f64::INFINITY, f64::min);
            cheapest_after[i] = cheapest_after[i + 1] + min;
        }
        let mut search = Search {
            opt: self,
            scope,
            constant,
            cheapest_after,
            found: Vec::new(),
            stairs: Staircase::new(),
            sweet: None,
            slo_best: None,
            open: Vec::new(),
            stopped: false,
        };
        let mut assignment = vec![None; scope.decisions.len()];
        search.seed()?;
        let root_states = self.evaluate(scope, &assignment)?;
        self.tick();
        let root = search.bounds(&assignment, 0.0, &root_states);
        search.descend(&mut assignment, 0, 0.0, root)?;
        let exact = !search.stopped;
        // The incumbents may have been off the frontier when found.
        let incumbents: Vec<Outcome> = search
            .sweet
            .iter()
            .chain(&search.slo_best)
            .cloned()
            .collect();
        search.found.extend(incumbents);
        let bound = search.stopped.then(|| {
            let total_at_least = search.open.iter().map(|n| n.total).fold(
                search
                    .sweet
                    .as_ref()
                    .map_or(f64::INFINITY, |s| s.total_cost),
                f64::min,
            );
            let slo_cost_at_least = search
                .open
                .iter()
                .filter(|n| n.slo_possible)
                .map(|n| n.cost)
                .chain(search.slo_best.as_ref().map(|s| s.cost))
                .reduce(f64::min);
            OpenBounds {
                nodes: search.open.iter().map(|n| (n.cost, n.down)).collect(),
                total_at_least,
                slo_cost_at_least,
            }
        });
        Ok((search.found, exact, bound))
    }
}

/// Lower bounds at a node of the search.
#[derive(Clone, Copy, Debug)]
pub(super) struct NodeBounds {
    cost: f64,
    down: f64,
    total: f64,
    slo_possible: bool,
}

pub(super) struct Search<'o, 'a> {
    opt: &'o Optimiser<'a>,
    scope: &'o Scope,
    constant: f64,
    cheapest_after: Vec<f64>,
    found: Vec<Outcome>,
    /// (cost, unavailability) of the designs found.
    stairs: Staircase,
    sweet: Option<Outcome>,
    slo_best: Option<Outcome>,
    open: Vec<NodeBounds>,
    stopped: bool,
}

impl Search<'_, '_> {
    pub(super) fn bounds(
        &self,
        assignment: &[Option<usize>],
        decided_cost: f64,
        states: &[StateOdds],
    ) -> NodeBounds {
        let depth = assignment.iter().take_while(|a| a.is_some()).count();
        let cost = self.constant + decided_cost + self.cheapest_after[depth];
        let s = states[0];
        let slo_possible = self.scope.roots.iter().zip(states).all(|(&r, s)| {
            self.opt
                .slo_of(self.scope, r, assignment)
                .is_none_or(|slo| crate::model::units::within(s.down.p, slo))
        });
        NodeBounds {
            cost,
            down: s.down.p,
            total: self
                .opt
                .prices
                .total_at_least(cost, s.down.p, s.down.p + s.degraded),
            slo_possible,
        }
    }

    /// Whether anything below a node with these bounds could still change an answer.
    pub(super) fn promising(&self, b: &NodeBounds) -> bool {
        let frontier = !self.stairs.covers(b.cost, b.down);
        let sweet = self.sweet.as_ref().is_none_or(|s| {
            b.total < s.total_cost || (b.total == s.total_cost && b.down < s.down.p)
        });
        let slo = b.slo_possible
            && self
                .slo_best
                .as_ref()
                .is_none_or(|s| b.cost < s.cost || (b.cost == s.cost && b.down < s.down.p));
        frontier || sweet || slo
    }

    /// Keeps a design found if it may answer a question: on the frontier so far, or the best
    /// total, or the cheapest meeting the SLOs. (Memory stays small whatever the budget.)
    pub(super) fn record(&mut self, o: Outcome) {
        let on_frontier = !self.stairs.covers(o.cost, o.down.p);
        self.stairs.insert(o.cost, o.down.p);
        let better_total = self.sweet.as_ref().is_none_or(|s| {
            o.total_cost < s.total_cost || (o.total_cost == s.total_cost && o.down.p < s.down.p)
        });
        if better_total {
            self.sweet = Some(o.clone());
        }
        if o.meets_slos
            && self
                .slo_best
                .as_ref()
                .is_none_or(|s| o.cost < s.cost || (o.cost == s.cost && o.down.p < s.down.p))
        {
            self.slo_best = Some(o.clone());
        }
        if on_frontier {
            self.found.push(o);
        }
    }

    /// Seeds the search with good designs, so that it prunes from the start and has answers
    /// worth reporting if its budget runs out: from the cheapest design, repeatedly take the
    /// single upgrade that buys the most availability per unit of cost (the classic greedy walk
    /// up a redundancy-allocation frontier). Spends at most a quarter of the budget.
    pub(super) fn seed(&mut self) -> Result<(), EngineError> {
        let decisions = &self.scope.decisions;
        let allowance = self.opt.budget / 4;
        let spent = |s: &Self| s.opt.evaluations.load(Ordering::Relaxed);
        let start = spent(self);
        let mut current: Vec<Option<usize>> = vec![Some(0); decisions.len()];
        let evaluate = |s: &Self, a: &[Option<usize>]| -> Result<Outcome, EngineError> {
            let states = s.opt.evaluate(s.scope, a)?;
            s.opt.tick();
            Ok(s.opt.outcome(s.scope, a, &states))
        };
        let mut here = evaluate(self, &current)?;
        self.record(here.clone());
        loop {
            let mut best: Option<(f64, Vec<Option<usize>>, Outcome)> = None;
            for (d, decision) in decisions.iter().enumerate() {
                let now = current[d].expect("complete");
                for a in 0..decision.alts.len() {
                    if decision.alts[a].cost <= decision.alts[now].cost {
                        continue;
                    }
                    if spent(self) - start >= allowance {
                        return Ok(());
                    }
                    let mut next = current.clone();
                    next[d] = Some(a);
                    let o = evaluate(self, &next)?;
                    self.record(o.clone());
                    let gain = here.down.p - o.down.p;
                    if gain <= 0.0 {
                        continue;
                    }
                    let rate = gain / (o.cost - here.cost).max(f64::MIN_POSITIVE);
                    if best.as_ref().is_none_or(|b| rate > b.0) {
                        best = Some((rate, next, o));
                    }
                }
            }
            match best {
                Some((_, next, o)) => {
                    current = next;
                    here = o;
                }
                None => return Ok(()),
            }
        }
    }

    pub(super) fn out_of_budget(&self) -> bool {
        self.opt.evaluations.load(Ordering::Relaxed) >= self.opt.budget
    }

    pub(super) fn descend(
        &mut self,
        assignment: &mut Vec<Option<usize>>,
        depth: usize,
        decided_cost: f64,
        here: NodeBounds,
    ) -> Result<(), EngineError> {
        let decisions = &self.scope.decisions;
        if depth == decisions.len() {
            return Ok(());
        }
        for a in 0..decisions[depth].alts.len() {
            let cost_here = decided_cost + decisions[depth].alts[a].cost;
            let child_cost = self.constant + cost_here + self.cheapest_after[depth + 1];
            // The parent's bounds hold below it; only the cost bound is sharper.
            let inherited = NodeBounds {
                cost: child_cost,
                total: here.total + (child_cost - here.cost),
                ..here
            };
            if !self.promising(&inherited) {
                continue;
            }
            if self.out_of_budget() {
                self.stopped = true;
                self.open.push(inherited);
                continue;
            }
            assignment[depth] = Some(a);
            let states = self.opt.evaluate(self.scope, assignment);
            self.opt.tick();
            let states = states?;
            if depth + 1 == decisions.len() {
                let o = self.opt.outcome(self.scope, assignment, &states);
                self.record(o);
            } else {
                let bounds = self.bounds(assignment, cost_here, &states);
                if self.promising(&bounds) {
                    self.descend(assignment, depth + 1, cost_here, bounds)?;
                }
            }
            assignment[depth] = None;
        }
        Ok(())
    }
}
