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

use super::designs::Catalog;
use super::frontier::{self, Staircase};
use super::local::{self, Part};
use super::{Bound, Method, Outcome, Prices, Progress, Request, Tradeoff, TradeoffError};
use crate::exact::{EngineError, StateOdds, with_deep_stack};
use crate::model::units::Odds;
use crate::system::{Component, ComponentId, Dependency, DependencyTarget, DomainId, OnFailure};

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

/// The variants of `c` that no other variant dominates (reduction 2), first of ties kept.
fn undominated(catalog: &Catalog, c: ComponentId) -> Vec<usize> {
    let variants = &catalog.variants[c];
    let mut kept = Vec::new();
    'next: for v in 0..variants.len() {
        for w in 0..variants.len() {
            if w == v {
                continue;
            }
            if let Some(strict) = dominates(&variants[w], &variants[v])
                && (strict || w < v)
            {
                continue 'next;
            }
        }
        kept.push(v);
    }
    kept
}

/// What one variant's state depends on outside itself.
#[derive(Default)]
struct Interface {
    domains: Vec<DomainId>,
    components: Vec<ComponentId>,
}

/// Whether `w` is at least as good as `v` everywhere: Some(strictly better somewhere) or None.
fn dominates(w: &Component, v: &Component) -> Option<bool> {
    if w.monthly_cost() > v.monthly_cost() {
        return None;
    }
    if w.slo.map(|s| s.down.p) != v.slo.map(|s| s.down.p) {
        return None;
    }
    let mut face = Interface::default();
    for x in [w, v] {
        face.domains.extend(x.replica_domains.iter().flatten());
        for d in &x.dependencies {
            face.components.extend(d.targets());
            face.components.extend(d.fallback);
        }
        // Failover depends on the domains' odds, which this local view does not have.
        if x.replicas > 64 || (x.failover_s > 0.0 && x.replicas > 1) {
            return None;
        }
    }
    face.domains.sort_unstable();
    face.domains.dedup();
    face.components.sort_unstable();
    face.components.dedup();
    let states = (1usize << face.domains.len().min(20))
        .checked_mul(3usize.checked_pow(face.components.len() as u32)?)?;
    if states > MAX_INTERFACE_STATES {
        return None;
    }
    let mut strict = w.monthly_cost() < v.monthly_cost();
    let mut domain_down = vec![false; face.domains.len()];
    let mut component_state = vec![0u8; face.components.len()];
    for s in 0..states {
        let mut rest = s;
        for slot in domain_down.iter_mut() {
            *slot = rest % 2 == 1;
            rest /= 2;
        }
        for slot in component_state.iter_mut() {
            *slot = (rest % 3) as u8;
            rest /= 3;
        }
        let (wd, wi) = conditional(w, &face, &domain_down, &component_state);
        let (vd, vi) = conditional(v, &face, &domain_down, &component_state);
        if wd > vd || wi > vi {
            return None;
        }
        strict |= wd < vd || wi < vi;
    }
    Some(strict)
}

/// States of a dependency target: UP, DEGRADED, DOWN.
const UP: u8 = 0;
const DEGRADED: u8 = 1;
const DOWN: u8 = 2;

/// P(DOWN) and P(impaired) of one component given the states of its domains and dependencies.
fn conditional(c: &Component, face: &Interface, domain_down: &[bool], states: &[u8]) -> (f64, f64) {
    let state_of = |t: ComponentId| states[face.components.binary_search(&t).expect("listed")];
    let mut entry = UP;
    for d in &c.dependencies {
        let s = match &d.target {
            DependencyTarget::Component(t) => state_of(*t),
            DependencyTarget::Group { at_least, members } => {
                let up = members.iter().filter(|&&m| state_of(m) == UP).count() as u32;
                let alive = members.iter().filter(|&&m| state_of(m) != DOWN).count() as u32;
                if up >= *at_least {
                    UP
                } else if alive >= *at_least {
                    DEGRADED
                } else {
                    DOWN
                }
            }
        };
        let s = match d.on_failure {
            OnFailure::Fail => s,
            OnFailure::Degrade => match (s, d.fallback) {
                (DOWN, Some(f)) if state_of(f) == DOWN => DOWN,
                (UP, _) => UP,
                _ => DEGRADED,
            },
            OnFailure::Ignore => UP,
        };
        entry = entry.max(s);
    }
    if entry == DOWN {
        return (1.0, 1.0);
    }
    // Capacity: replicas whose domain is up, each up on its own with P(q).
    let alive = c
        .replica_domains
        .iter()
        .filter(|d| d.is_none_or(|d| !domain_down[face.domains.binary_search(&d).expect("listed")]))
        .count();
    let capacity_down = fewer_than(alive, c.min_available as usize, c.replica_down);
    let mut own = Odds::from_p(capacity_down);
    if let Some(m) = c.maintenance_down() {
        own = own.either(m);
    }
    let impaired = if entry == DEGRADED { 1.0 } else { own.p };
    (own.p, impaired)
}

/// P(fewer than k of n independent replicas are up), each down with `down`.
fn fewer_than(n: usize, k: usize, down: Odds) -> f64 {
    if n < k {
        return 1.0;
    }
    // Σ_{j<k} C(n, j) q^j p^(n-j): few terms, each small; no complement taken.
    let mut total = 0.0;
    let mut binom = 1.0;
    for j in 0..k {
        if j > 0 {
            binom = binom * (n - j + 1) as f64 / j as f64;
        }
        total += binom * down.q.powi(j as i32) * down.p.powi((n - j) as i32);
    }
    total.min(1.0)
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

    /// The maximal independent modules among `members`, none of them the measured root.
    fn modules_in(&self, roots: &[ComponentId], members: &[ComponentId]) -> Vec<ComponentId> {
        if !self.compose || members.len() > MAX_MODULE_SEARCH {
            return Vec::new();
        }
        let n = self.deps.len();
        let mut inside = vec![false; n];
        for &m in members {
            inside[m] = true;
        }
        let mut candidates: Vec<(ComponentId, Vec<bool>)> = Vec::new();
        for &y in members {
            if y == roots[0] {
                continue;
            }
            let closure = self.closure(&[y]);
            let body: Vec<ComponentId> = members.iter().copied().filter(|&m| closure[m]).collect();
            if !body.iter().any(|&m| self.has_choice(m)) {
                continue;
            }
            // What a module hides must not be asked about: no slo, no root inside.
            if body
                .iter()
                .any(|&m| m != y && (self.is_slo[m] || roots.contains(&m)))
            {
                continue;
            }
            let mut body_domains: Vec<DomainId> = body
                .iter()
                .flat_map(|&m| self.domains[m].iter().copied())
                .collect();
            body_domains.sort_unstable();
            body_domains.dedup();
            let independent = members.iter().filter(|&&m| !closure[m]).all(|&m| {
                self.deps[m].iter().all(|&d| d == y || !closure[d])
                    && self.domains[m]
                        .iter()
                        .all(|d| body_domains.binary_search(d).is_err())
            });
            if independent {
                candidates.push((y, closure));
            }
        }
        candidates
            .iter()
            .filter(|(y, _)| !candidates.iter().any(|(z, closure)| z != y && closure[*y]))
            .map(|(y, _)| *y)
            .collect()
    }

    /// Builds the question over `members` with `roots`, collapsing what modules it can.
    fn scope(
        &self,
        roots: Vec<ComponentId>,
        members: Vec<ComponentId>,
    ) -> Result<Scope, EngineError> {
        let n = self.deps.len();
        let mut removed = vec![false; n];
        let mut solved: Vec<(ComponentId, Vec<Alt>)> = Vec::new();
        let mut queue = self.modules_in(&roots, &members);
        while let Some(y) = queue.pop() {
            match self.solve_module(y)? {
                Some(alts) => {
                    let closure = self.closure(&[y]);
                    for &m in &members {
                        if closure[m] && m != y {
                            removed[m] = true;
                        }
                    }
                    solved.push((y, alts));
                }
                None => {
                    // Too large to solve alone: its own modules are modules here too.
                    let closure = self.closure(&[y]);
                    let body: Vec<ComponentId> =
                        members.iter().copied().filter(|&m| closure[m]).collect();
                    queue.extend(self.modules_in(&[y], &body));
                }
            }
        }
        let parts: Vec<ComponentId> = members.iter().copied().filter(|&m| !removed[m]).collect();
        let module_roots: Vec<ComponentId> = solved.iter().map(|(y, _)| *y).collect();
        let mut decisions: Vec<Decision> = parts
            .iter()
            .filter(|&&c| self.has_choice(c) && !module_roots.contains(&c))
            .map(|&c| Decision {
                kind: Kind::Choice(c),
                alts: self.options[c]
                    .iter()
                    .map(|&v| Alt {
                        picks: vec![(c, v)],
                        cost: self.component(c, v).monthly_cost(),
                        states: None,
                    })
                    .collect(),
            })
            .collect();
        let (block, rewritten) = self.series_block(&roots, &parts, &mut solved);
        for (y, alts) in solved {
            decisions.push(Decision {
                kind: Kind::Module(y),
                alts,
            });
        }
        let mut parts = parts;
        if let Some((keep, dropped, alts)) = block {
            parts.retain(|p| !dropped.contains(p));
            decisions.push(Decision {
                kind: Kind::Module(keep),
                alts,
            });
        }
        for d in &mut decisions {
            d.alts.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        }
        let decision_at = decisions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.at(), i))
            .collect();
        Ok(Scope {
            roots,
            parts,
            decisions,
            decision_at,
            rewritten,
        })
    }

    /// Folds the solved modules that hang off the measured root as plain dependencies (each
    /// named once, by nothing else) into one series block. Returns (the module standing for the
    /// block, the others, the block's alternatives) and the rewritten root; the folded modules
    /// leave `solved`.
    #[allow(clippy::type_complexity)]
    fn series_block(
        &self,
        roots: &[ComponentId],
        parts: &[ComponentId],
        solved: &mut Vec<(ComponentId, Vec<Alt>)>,
    ) -> (
        Option<(ComponentId, Vec<ComponentId>, Vec<Alt>)>,
        Option<Component>,
    ) {
        let root = roots[0];
        if self.has_choice(root) || solved.len() < 2 {
            return (None, None);
        }
        let root_component = self.component(root, self.fixed[root]);
        let mentions = |m: ComponentId| -> usize {
            root_component
                .dependencies
                .iter()
                .map(|d| {
                    d.targets().iter().filter(|&&t| t == m).count()
                        + usize::from(d.fallback == Some(m))
                })
                .sum()
        };
        // Entry index of each module that qualifies.
        let mut members: Vec<(usize, usize)> = Vec::new(); // (index in solved, entry)
        for (i, (m, _)) in solved.iter().enumerate() {
            let others = parts.iter().any(|&p| p != root && self.deps[p].contains(m));
            // A module with an slo keeps its own reading, so it stays out of the block.
            if others || self.is_slo[*m] || mentions(*m) != 1 {
                continue;
            }
            let entry = root_component.dependencies.iter().position(|d| {
                d.target == DependencyTarget::Component(*m)
                    && d.fallback.is_none()
                    && d.on_failure != OnFailure::Ignore
            });
            if let Some(e) = entry {
                members.push((i, e));
            }
        }
        if members.len() < 2 {
            return (None, None);
        }
        // What each entry passes on: a failing-open entry turns DOWN into DEGRADED.
        let passed = |alt: &Alt, on_failure: OnFailure| -> Alt {
            let s = alt.states.expect("module alternatives carry states");
            let s = match on_failure {
                OnFailure::Degrade => StateOdds {
                    down: Odds::NEVER,
                    degraded: s.degraded + s.down.p,
                    up: s.up,
                },
                _ => s,
            };
            Alt {
                picks: alt.picks.clone(),
                cost: alt.cost,
                states: Some(s),
            }
        };
        let mut block: Vec<Alt> = Vec::new();
        let mut folded: Vec<usize> = Vec::new();
        for &(i, e) in &members {
            let on_failure = root_component.dependencies[e].on_failure;
            let alts: Vec<Alt> = solved[i].1.iter().map(|a| passed(a, on_failure)).collect();
            if folded.is_empty() {
                block = alts;
            } else {
                if block.len().saturating_mul(alts.len()) > MAX_FOLD {
                    continue;
                }
                let mut combined = Vec::with_capacity(block.len() * alts.len());
                for a in &block {
                    for b in &alts {
                        combined.push(series(a, b));
                    }
                }
                block = frontier::pareto3(combined, |x| (x.cost, x.states_down(), x.impaired()));
            }
            folded.push(i);
        }
        if folded.len() < 2 {
            return (None, None);
        }
        let folded_ids: Vec<ComponentId> = folded.iter().map(|&i| solved[i].0).collect();
        let keep = folded_ids[0];
        // The root now depends on the block once, plainly, where it named the first module.
        let mut rewritten = root_component.clone();
        rewritten.dependencies = root_component
            .dependencies
            .iter()
            .filter_map(|d| match &d.target {
                DependencyTarget::Component(t) if *t == keep => Some(Dependency {
                    on_failure: OnFailure::Fail,
                    ..d.clone()
                }),
                DependencyTarget::Component(t) if folded_ids.contains(t) => None,
                _ => Some(d.clone()),
            })
            .collect();
        let dropped: Vec<ComponentId> = folded_ids[1..].to_vec();
        let mut index = 0;
        solved.retain(|_| {
            let keep_it = !folded.contains(&index);
            index += 1;
            keep_it
        });
        (Some((keep, dropped, block)), Some(rewritten))
    }

    /// Solves an independent module on its own; None when it has too many designs.
    fn solve_module(&self, y: ComponentId) -> Result<Option<Vec<Alt>>, EngineError> {
        if let Some(known) = self.solved.lock().expect("not poisoned").get(&y) {
            return Ok(known.clone());
        }
        let closure = self.closure(&[y]);
        let members: Vec<ComponentId> = (0..closure.len()).filter(|&c| closure[c]).collect();
        let scope = self.scope(vec![y], members)?;
        let count: f64 = scope
            .decisions
            .iter()
            .map(|d| d.alts.len() as f64)
            .product();
        let remaining = self
            .budget
            .saturating_sub(self.evaluations.load(Ordering::Relaxed));
        let result = if count > self.max_designs as f64 || count > remaining as f64 {
            None
        } else {
            let assignments = all_assignments(&scope);
            let states = local::parallel(&assignments, self.threads, |a| {
                let r = self.evaluate(&scope, a);
                self.progress.tick();
                r
            });
            self.evaluations
                .fetch_add(assignments.len() as u64, Ordering::Relaxed);
            let mut alts = Vec::with_capacity(assignments.len());
            for (a, s) in assignments.iter().zip(states) {
                let s = s?;
                alts.push(Alt {
                    picks: scope.picks(a),
                    cost: scope.cost(a),
                    states: Some(s[0]),
                });
            }
            self.modules.fetch_add(1, Ordering::Relaxed);
            Some(frontier::pareto3(alts, |x| {
                (x.cost, x.states_down(), x.impaired())
            }))
        };
        self.solved
            .lock()
            .expect("not poisoned")
            .insert(y, result.clone());
        Ok(result)
    }

    /// Exact (or, with undecided decisions, lower-bound) states of the scope's roots.
    fn evaluate(
        &self,
        scope: &Scope,
        assignment: &[Option<usize>],
    ) -> Result<Vec<StateOdds>, EngineError> {
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
                                Part::Module(decision.alts[a].states.expect("module states"))
                            }
                            (Kind::Module(_), None) => Part::Module(best_states(&decision.alts)),
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
        local::evaluate(&local.system, &wanted)
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

    /// Depth-first branch-and-bound over the scope's decisions.
    fn branch_and_bound(
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
struct NodeBounds {
    cost: f64,
    down: f64,
    total: f64,
    slo_possible: bool,
}

struct Search<'o, 'a> {
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
    fn bounds(
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
    fn promising(&self, b: &NodeBounds) -> bool {
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
    fn record(&mut self, o: Outcome) {
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
    fn seed(&mut self) -> Result<(), EngineError> {
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

    fn out_of_budget(&self) -> bool {
        self.opt.evaluations.load(Ordering::Relaxed) >= self.opt.budget
    }

    fn descend(
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
    }
}

/// The best of a module's alternatives state by state: the least P(DOWN) and the least
/// P(impaired), each from whichever alternative has it.
fn best_states(alts: &[Alt]) -> StateOdds {
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
    use std::path::Path;

    fn catalog(text: &str) -> Catalog {
        let model = crate::model::Model::parse(
            Path::new("t.yaml"),
            text.to_string(),
            crate::model::Format::Yaml,
        )
        .unwrap();
        Catalog::new(&model).unwrap()
    }

    const MODEL: &str = "
components:
  y: { availability: 0.99 }
  x:
    availability: 0.99
    variants:
      - { name: single, replicas: 1, cost: 10 }
      - { name: pair-same-price, replicas: 2, cost: 5 }
      - { name: pair, replicas: 2, cost: 10 }
      - { name: triple-degrading, replicas: 3, cost: 1, depends_on: [{ component: y, on_failure: degrade, timeout: 1s }] }
      - { name: fail-closed, replicas: 1, cost: 10, depends_on: [y] }
      - { name: fail-open, replicas: 1, cost: 10, depends_on: [{ component: y, on_failure: degrade, timeout: 1s }] }
";

    #[test]
    fn dominance_needs_both_fewer_outages_and_less_impairment() {
        let c = catalog(MODEL);
        let v = &c.variants[1];
        // Two replicas at the price of one dominate strictly.
        assert_eq!(dominates(&v[1], &v[0]), Some(true));
        // Costlier is never dominating.
        assert_eq!(dominates(&v[2], &v[1]), None);
        // Cheaper and down less often, but degraded whenever y is: not dominating.
        assert_eq!(dominates(&v[3], &v[0]), None);
        // Failing open is down less often and impaired as often as failing closed.
        assert_eq!(dominates(&v[5], &v[4]), Some(true));
        assert_eq!(dominates(&v[4], &v[5]), None);
        // What survives: the cheap pair (it beats every single replica, failing open or not)
        // and the cheap triple.
        assert_eq!(undominated(&c, 1), vec![1, 3]);
    }

    #[test]
    fn binomial_tail_matches_enumeration() {
        let down = Odds::from_p(0.1);
        // P(fewer than 2 of 3 up) = P(0 up) + P(1 up) = 0.001 + 3 × 0.9 × 0.01.
        assert!((fewer_than(3, 2, down) - (0.001 + 0.027)).abs() < 1e-15);
        assert_eq!(fewer_than(1, 2, down), 1.0);
        assert!((fewer_than(2, 1, down) - 0.01).abs() < 1e-15);
    }

    #[test]
    fn series_of_modules_is_worst_of_both() {
        let alt = |down: f64, degraded: f64| Alt {
            picks: vec![],
            cost: 1.0,
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
