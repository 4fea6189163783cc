//! The Pareto frontier, sweet spot and cheapest SLO-meeting design when there are too many
//! designs to enumerate.
//!
//! Exact reductions first, each of which keeps all three answers:
//! 1. **Irrelevant variants.** A component nothing of interest reaches (neither the component
//!    looked at nor any with an slo) changes only the cost: its cheapest variant is taken.
//! 2. **Dominated variants.** Variant `w` of a component dominates `v` when it costs no more,
//!    has the same slo, and in every state of what the component shares with the rest (its
//!    domains, its dependencies) it is at most as likely DOWN and at most as likely impaired.
//!    Every gate is monotone, so swapping `v` for `w` never makes any component less available
//!    or more often degraded; `v` can go.
//! 3. **Independent modules.** A component whose dependencies (and their domains) nobody else
//!    touches is an independent module: the rest of the system sees it only through the
//!    probabilities of its three states. Its own designs are solved first (recursively) and only
//!    the ones no other beats in (cost, P(DOWN), P(impaired)) are kept. When several modules
//!    hang off one component as plain dependencies, they combine in closed form (a series
//!    block: P(none DOWN) and P(none impaired) multiply), so they are folded one at a time,
//!    keeping only the undominated combinations: a dynamic programme over cost.
//!
//! What is left is enumerated when small enough, else searched by depth-first branch-and-bound:
//! an undecided component is replaced by the best of its variants in every state (DOWN only
//! when all are), which by monotonicity bounds from below the unavailability, the impaired share
//! and so the expected total of every design below the node. A node is cut when a design
//! already found beats its bounds on every question. When the evaluation budget runs out, the
//! nodes still open give the bounds reported with the answers.
//!
//! The monotonicity argument for the expected total needs an hour of downtime to cost at least
//! an hour degraded (`downtime_per_hour ≥ degraded_per_hour`): otherwise a design down more
//! often but degraded less can have the lower total. Then reductions 2 and 3 are skipped (they
//! could drop the sweet spot) and the search, bounded by `a·P(impaired)`, stays exact.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

mod dominance;
mod modules;
mod search;

use super::designs::Catalog;
use super::frontier::{self, Staircase};
use super::local::{self, Part};
use super::{Bound, Method, Outcome, Prices, Progress, Request, Tradeoff, TradeoffError};
use crate::exact::{EngineError, StateOdds, with_deep_stack};
use crate::model::units::Odds;
use crate::system::{Component, ComponentId, Dependency, DependencyTarget, DomainId, OnFailure};
use dominance::undominated;

/// Above this many members, looking for modules (quadratic) is skipped.
const MAX_MODULE_SEARCH: usize = 3000;
/// The most interface states a dominance check enumerates.
const MAX_INTERFACE_STATES: usize = 4096;
/// The most combinations one fold of a series block may form.
const MAX_FOLD: usize = 500_000;

/// One alternative of a decision: the variants it picks, their cost, and for a module the
/// probabilities of its root's states.
#[derive(Clone, Debug)]
struct Alt {
    picks: Vec<(ComponentId, usize)>,
    cost: f64,
    states: Option<StateOdds>,
    /// For a module, P(its root is HUNG), a part of P(DOWN).
    hung: f64,
}

impl Alt {
    fn impaired(&self) -> f64 {
        self.states.map_or(0.0, |s| s.down.p + s.degraded)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A component's variants.
    Choice(ComponentId),
    /// A collapsed module (or series block) standing at this component.
    Module(ComponentId),
}

#[derive(Clone, Debug)]
struct Decision {
    kind: Kind,
    alts: Vec<Alt>,
}

impl Decision {
    fn at(&self) -> ComponentId {
        match self.kind {
            Kind::Choice(c) | Kind::Module(c) => c,
        }
    }
}

/// A question over part of the system: the roots whose states are wanted (the first is the one
/// measured) and the components of its local system.
struct Scope {
    roots: Vec<ComponentId>,
    parts: Vec<ComponentId>,
    decisions: Vec<Decision>,
    decision_at: HashMap<ComponentId, usize>,
    /// The measured root with its dependencies on a series block rewritten to one entry.
    rewritten: Option<Component>,
}

struct Optimiser<'a> {
    catalog: &'a Catalog,
    prices: Prices,
    /// Whether independent modules may be collapsed (reduction 3).
    compose: bool,
    /// The variants still in play, per component ([0] for one without variants).
    options: Vec<Vec<usize>>,
    /// The variant a component takes when no decision sets it.
    fixed: Vec<usize>,
    deps: Vec<Vec<ComponentId>>,
    domains: Vec<Vec<DomainId>>,
    is_slo: Vec<bool>,
    threads: usize,
    max_designs: u64,
    budget: u64,
    evaluations: AtomicU64,
    solved: Mutex<HashMap<ComponentId, Option<Vec<Alt>>>>,
    modules: AtomicUsize,
    progress: Progress<'a>,
}

/// The answers of `nines tradeoff` without enumerating every design: exact reductions, modules
/// solved on their own, then branch-and-bound within `request.budget` evaluations.
pub fn optimise(
    catalog: Catalog,
    target: ComponentId,
    request: &Request<'_>,
) -> Result<Tradeoff, TradeoffError> {
    let answers = with_deep_stack(|| run(&catalog, target, request))?;
    let has_slos = !catalog.slo_components().is_empty();
    Ok(Tradeoff {
        target,
        prices: Prices::of(&catalog.base),
        design_count: catalog.design_count(),
        designs: None,
        frontier: answers.frontier,
        sweet_spot: answers.sweet_spot,
        cheapest_meeting_slos: answers.cheapest_meeting_slos.filter(|_| has_slos),
        has_slos,
        cyclic_designs: 0,
        evaluations: answers.evaluations,
        method: answers.method,
        catalog,
    })
}

struct Answers {
    frontier: Vec<Outcome>,
    sweet_spot: Outcome,
    cheapest_meeting_slos: Option<Outcome>,
    evaluations: u64,
    method: Method,
}

/// The cheapest variant of a component (the first of equals).
fn cheapest(catalog: &Catalog, c: ComponentId) -> usize {
    (0..catalog.options(c))
        .min_by(|&a, &b| {
            catalog
                .component(c, a)
                .monthly_cost()
                .total_cmp(&catalog.component(c, b).monthly_cost())
                .then(a.cmp(&b))
        })
        .unwrap_or(0)
}

fn run(
    catalog: &Catalog,
    target: ComponentId,
    request: &Request<'_>,
) -> Result<Answers, TradeoffError> {
    let n = catalog.base.components.len();
    let slo_components = catalog.slo_components();
    let mut seeds = vec![target];
    seeds.extend(slo_components.iter().filter(|&&c| c != target));
    let relevant = catalog.closure(&seeds);

    // Reductions 2 and 3 rank a component's states UP < DEGRADED < DOWN; the expected total
    // follows that order only when an hour down costs at least an hour degraded.
    let prices = Prices::of(&catalog.base);
    let monotone_total = prices.downtime_per_hour >= prices.degraded_per_hour;
    // Reduction 2 where a component can matter; reduction 1 (cheapest) elsewhere.
    let mut options: Vec<Vec<usize>> = (0..n).map(|c| (0..catalog.options(c)).collect()).collect();
    for &c in &catalog.axes {
        options[c] = if !relevant[c] {
            vec![cheapest(catalog, c)]
        } else if monotone_total {
            undominated(catalog, c)
        } else {
            (0..catalog.options(c)).collect()
        };
    }
    let mut is_slo = vec![false; n];
    for &c in &slo_components {
        is_slo[c] = true;
    }
    let mut opt = Optimiser {
        catalog,
        prices,
        compose: monotone_total,
        deps: Vec::new(),
        domains: Vec::new(),
        fixed: options.iter().map(|o| o[0]).collect(),
        options,
        is_slo,
        threads: request.threads,
        max_designs: request.max_designs.min(super::MAX_ENUMERATED),
        budget: request.budget,
        evaluations: AtomicU64::new(0),
        solved: Mutex::new(HashMap::new()),
        modules: AtomicUsize::new(0),
        progress: Progress::new(request.budget, request.progress),
    };
    opt.deps = (0..n).map(|c| opt.potential_dependencies(c)).collect();
    // Dropped variants no longer call anything: what only they reached is irrelevant now.
    let relevant = opt.closure(&seeds);
    for &c in &catalog.axes {
        if !relevant[c] {
            opt.options[c] = vec![cheapest(catalog, c)];
            opt.fixed[c] = opt.options[c][0];
        }
    }
    opt.deps = (0..n).map(|c| opt.potential_dependencies(c)).collect();
    opt.domains = (0..n).map(|c| opt.potential_domains(c)).collect();
    let members: Vec<ComponentId> = (0..n).filter(|&c| relevant[c]).collect();
    let reduced_designs: f64 = catalog
        .axes
        .iter()
        .map(|&c| opt.options[c].len() as f64)
        .product();

    let scope = opt.scope(seeds.clone(), members)?;
    let count: f64 = scope
        .decisions
        .iter()
        .map(|d| d.alts.len() as f64)
        .product();
    let remaining = opt
        .budget
        .saturating_sub(opt.evaluations.load(Ordering::Relaxed));
    let (outcomes, complete, bound) = if scope.decisions.is_empty()
        || (count <= opt.max_designs as f64 && count <= remaining as f64)
    {
        (opt.enumerate(&scope)?, true, None)
    } else {
        opt.branch_and_bound(&scope)?
    };
    let exact = complete;
    let sweet = frontier::sweet_spot(&outcomes).ok_or(TradeoffError::NoValidDesign)?;
    let cheapest_meeting_slos =
        frontier::cheapest_meeting_slos(&outcomes).map(|i| outcomes[i].clone());
    let frontier_list: Vec<Outcome> = frontier::frontier(&outcomes)
        .into_iter()
        .map(|i| outcomes[i].clone())
        .collect();
    let bound = bound.map(|b| b.for_frontier(&frontier_list));
    Ok(Answers {
        sweet_spot: outcomes[sweet].clone(),
        frontier: frontier_list,
        cheapest_meeting_slos,
        evaluations: opt.evaluations.load(Ordering::Relaxed),
        method: Method::Optimised {
            reduced_designs,
            modules: opt.modules.load(Ordering::Relaxed),
            exact,
            bound,
        },
    })
}

/// Bounds collected from the nodes a stopped search left open.
struct OpenBounds {
    /// (cost lower bound, unavailability lower bound) of each open node.
    nodes: Vec<(f64, f64)>,
    total_at_least: f64,
    slo_cost_at_least: Option<f64>,
}

impl OpenBounds {
    fn for_frontier(self, frontier: &[Outcome]) -> Bound {
        Bound {
            frontier_unavailability_at_least: frontier
                .iter()
                .map(|f| {
                    self.nodes
                        .iter()
                        .filter(|(c, _)| *c <= f.cost)
                        .map(|&(_, u)| u)
                        .fold(f.down.p, f64::min)
                })
                .collect(),
            unavailability_at_least: self
                .nodes
                .iter()
                .map(|&(_, u)| u)
                .chain(frontier.last().map(|f| f.down.p))
                .fold(f64::INFINITY, f64::min),
            total_cost_at_least: self.total_at_least,
            slo_cost_at_least: self.slo_cost_at_least,
        }
    }
}

impl<'a> Optimiser<'a> {
    fn component(&self, c: ComponentId, pick: usize) -> &'a Component {
        self.catalog.component(c, pick)
    }

    fn potential_dependencies(&self, c: ComponentId) -> Vec<ComponentId> {
        let mut out = Vec::new();
        for &v in &self.options[c] {
            for d in &self.component(c, v).dependencies {
                out.extend(d.targets());
                out.extend(d.fallback);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn potential_domains(&self, c: ComponentId) -> Vec<DomainId> {
        let mut out = Vec::new();
        for &v in &self.options[c] {
            for &d in self.component(c, v).replica_domains.iter().flatten() {
                let mut at = Some(d);
                while let Some(x) = at {
                    out.push(x);
                    at = self.catalog.base.domains[x].parent;
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn closure(&self, seeds: &[ComponentId]) -> Vec<bool> {
        let mut seen = vec![false; self.deps.len()];
        let mut stack = seeds.to_vec();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c], true) {
                continue;
            }
            stack.extend(self.deps[c].iter().filter(|&&d| !seen[d]));
        }
        seen
    }

    fn has_choice(&self, c: ComponentId) -> bool {
        self.options[c].len() > 1
    }

    fn tick(&self) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        self.progress.tick();
    }

    /// Exact (or, with undecided decisions, lower-bound) states of the scope's roots.
    fn evaluate(
        &self,
        scope: &Scope,
        assignment: &[Option<usize>],
    ) -> Result<Vec<StateOdds>, EngineError> {
        Ok(self
            .evaluate_hung(scope, assignment)?
            .into_iter()
            .map(|(s, _)| s)
            .collect())
    }

    /// [`Self::evaluate`], with each root's P(HUNG).
    fn evaluate_hung(
        &self,
        scope: &Scope,
        assignment: &[Option<usize>],
    ) -> Result<Vec<(StateOdds, f64)>, EngineError> {
        let parts: Vec<(ComponentId, Part<'_>)> = scope
            .parts
            .iter()
            .map(|&c| {
                let part = match scope.decision_at.get(&c) {
                    Some(&d) => {
                        let decision = &scope.decisions[d];
                        match (decision.kind, assignment[d]) {
                            (Kind::Choice(_), Some(a)) => {
                                Part::Real(self.component(c, decision.alts[a].picks[0].1))
                            }
                            (Kind::Choice(_), None) => Part::BestOf(
                                self.options[c]
                                    .iter()
                                    .map(|&v| self.component(c, v))
                                    .collect(),
                            ),
                            (Kind::Module(_), Some(a)) => {
                                let alt = &decision.alts[a];
                                Part::Module(alt.states.expect("module states"), alt.hung)
                            }
                            (Kind::Module(_), None) => {
                                let (states, hung) = best_states(&decision.alts);
                                Part::Module(states, hung)
                            }
                        }
                    }
                    None => match &scope.rewritten {
                        Some(r) if c == scope.roots[0] => Part::Real(r),
                        _ => Part::Real(self.component(c, self.fixed[c])),
                    },
                };
                (c, part)
            })
            .collect();
        let local = local::build(&self.catalog.base, &parts);
        let wanted: Vec<usize> = scope.roots.iter().filter_map(|&r| local.id[r]).collect();
        local::evaluate_hung(&local.system, &wanted)
    }

    /// The slo of a scope root under a (partial) assignment: the loosest it may have.
    fn slo_of(
        &self,
        scope: &Scope,
        root: ComponentId,
        assignment: &[Option<usize>],
    ) -> Option<f64> {
        let slo = |v: usize| self.component(root, v).slo.map(|s| s.down.p);
        let loosest = |vs: &mut dyn Iterator<Item = usize>| -> Option<f64> {
            let mut worst: Option<f64> = Some(0.0);
            for v in vs {
                worst = match (worst, slo(v)) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            worst
        };
        match scope.decision_at.get(&root) {
            None => slo(self.fixed[root]),
            Some(&d) => {
                let decision = &scope.decisions[d];
                let pick_in = |alt: &Alt| {
                    alt.picks
                        .iter()
                        .find(|(c, _)| *c == root)
                        .map_or(self.fixed[root], |p| p.1)
                };
                match assignment[d] {
                    Some(a) => slo(pick_in(&decision.alts[a])),
                    None => loosest(&mut decision.alts.iter().map(pick_in)),
                }
            }
        }
    }

    /// The design an assignment of the top scope stands for.
    fn outcome(
        &self,
        scope: &Scope,
        assignment: &[Option<usize>],
        states: &[StateOdds],
    ) -> Outcome {
        let mut picks = self.fixed.clone();
        for (c, v) in scope.picks(assignment) {
            picks[c] = v;
        }
        let choice: Vec<usize> = self.catalog.axes.iter().map(|&c| picks[c]).collect();
        let cost = self.catalog.cost(&picks);
        let s = states[0];
        let meets_slos = scope.roots.iter().zip(states).all(|(&r, s)| {
            self.slo_of(scope, r, assignment)
                .is_none_or(|slo| crate::model::units::within(s.down.p, slo))
        });
        Outcome {
            choice,
            cost,
            down: s.down,
            degraded: s.degraded,
            total_cost: self.prices.total(cost, s.down.p, s.degraded),
            meets_slos,
        }
    }

    /// Every design of the top scope.
    fn enumerate(&self, scope: &Scope) -> Result<Vec<Outcome>, EngineError> {
        let assignments = all_assignments(scope);
        let states = local::parallel(&assignments, self.threads, |a| {
            let r = self.evaluate(scope, a);
            self.progress.tick();
            r
        });
        self.evaluations
            .fetch_add(assignments.len() as u64, Ordering::Relaxed);
        assignments
            .iter()
            .zip(states)
            .map(|(a, s)| Ok(self.outcome(scope, a, &s?)))
            .collect()
    }
}

impl Alt {
    fn states_down(&self) -> f64 {
        self.states.map_or(0.0, |s| s.down.p)
    }
}

/// Two independent modules in series: DOWN if either is, UP only if both are.
fn series(a: &Alt, b: &Alt) -> Alt {
    let (x, y) = (
        a.states.expect("module states"),
        b.states.expect("module states"),
    );
    let mut picks = a.picks.clone();
    picks.extend(&b.picks);
    Alt {
        picks,
        cost: a.cost + b.cost,
        states: Some(StateOdds {
            down: x.down.either(y.down),
            // Neither DOWN, not both UP: (u+g)(v+h) − uv, expanded so nothing cancels.
            degraded: x.up * y.degraded + x.degraded * y.up + x.degraded * y.degraded,
            up: x.up * y.up,
        }),
        // HUNG when either is: a caller waiting on both waits on the one that hangs.
        hung: a.hung + b.hung - a.hung * b.hung,
    }
}

/// The best of a module's alternatives state by state: the least P(DOWN), the least
/// P(impaired) and the least P(HUNG), each from whichever alternative has it.
fn best_states(alts: &[Alt]) -> (StateOdds, f64) {
    let hung = alts.iter().map(|a| a.hung).fold(f64::INFINITY, f64::min);
    (best_down_and_impaired(alts), hung)
}

fn best_down_and_impaired(alts: &[Alt]) -> StateOdds {
    let states = alts.iter().map(|a| a.states.expect("module states"));
    let least_down = states
        .clone()
        .min_by(|a, b| a.down.p.total_cmp(&b.down.p))
        .expect("a module has alternatives");
    let least_impaired = states
        .min_by(|a, b| (a.down.p + a.degraded).total_cmp(&(b.down.p + b.degraded)))
        .expect("a module has alternatives");
    StateOdds {
        down: least_down.down,
        // impaired(least_impaired) − down(least_down), without cancelling the small parts.
        degraded: (least_impaired.down.p - least_down.down.p) + least_impaired.degraded,
        up: least_impaired.up,
    }
}

fn all_assignments(scope: &Scope) -> Vec<Vec<Option<usize>>> {
    let radices: Vec<usize> = scope.decisions.iter().map(|d| d.alts.len()).collect();
    let count: u64 = radices.iter().map(|&r| r as u64).product();
    (0..count)
        .map(|i| {
            super::designs::choice_of(i, &radices)
                .into_iter()
                .map(Some)
                .collect()
        })
        .collect()
}

impl Scope {
    /// Every variant an assignment picks, through its modules.
    fn picks(&self, assignment: &[Option<usize>]) -> Vec<(ComponentId, usize)> {
        self.decisions
            .iter()
            .zip(assignment)
            .filter_map(|(d, a)| a.map(|a| &d.alts[a]))
            .flat_map(|alt| alt.picks.iter().copied())
            .collect()
    }

    /// The cost of the decided alternatives.
    fn cost(&self, assignment: &[Option<usize>]) -> f64 {
        self.decisions
            .iter()
            .zip(assignment)
            .filter_map(|(d, a)| a.map(|a| d.alts[a].cost))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_of_modules_is_worst_of_both() {
        let alt = |down: f64, degraded: f64| Alt {
            picks: vec![],
            cost: 1.0,
            hung: 0.0,
            states: Some(StateOdds {
                down: Odds::from_p(down),
                degraded,
                up: 1.0 - down - degraded,
            }),
        };
        let s = series(&alt(0.1, 0.2), &alt(0.01, 0.05)).states.unwrap();
        assert!((s.down.p - (1.0 - 0.9 * 0.99)).abs() < 1e-15);
        assert!((s.up - 0.7 * 0.94).abs() < 1e-15);
        assert!((s.degraded - (0.9 * 0.99 - 0.7 * 0.94)).abs() < 1e-15);
    }
}
