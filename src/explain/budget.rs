//! Error budgets top down, after Treynor, Dahlin, Rau and Beyer, "The Calculus of Service
//! Availability" (ACM Queue 15(2), 2017): a service's slo allows `(1 − slo) × year` of downtime;
//! its dependencies spend some of it; what is left is the service's own. Their rule of the extra
//! nine: a hard dependency should have one more nine than the slo.
//!
//! Choices made here (docs/explain.md says them to users):
//! - Hard means `on_failure: fail`. A `degrade` call with a fallback is one more way down: the
//!   call and its fallback both DOWN. Other degrade and ignore calls spend nothing.
//! - The component's downtime is shared out over rows, each a set of basic events: the
//!   component's own failures; every domain that takes part (its own outage, ancestors aside);
//!   every unique hard dependency, followed transitively, for its own failures (replicas,
//!   maintenance, failover; its domains and dependencies are rows of their own); every group and
//!   call-with-fallback, for the failures of the components that only it reaches; and every
//!   component that several groups or members reach (a shared dependency), on its own row. Each
//!   event of the component's diagram is in exactly one row.
//! - Shares come from an ordered decomposition: in the rows' order, row i is charged
//!   P(DOWN ∧ rows before i perfect ∧ some event of row i happening). These are disjoint pieces
//!   of DOWN and together all of it, so the shares add up to the exact unavailability and a
//!   shared cause is charged once. Order: domains (ancestors first), the component itself, its
//!   dependencies nearest first, shared dependencies, then groups and fallbacks, which need
//!   several failures at once and so are charged what they add beyond everything else.
//! - Each row is also shown alone: the component's unavailability were that row the only thing
//!   that could fail (every other row perfect), what that would cost in a year, and whether it
//!   has the extra nine. Alone, rows overlap; their shares do not.
//! - The verdict is `check`'s: met when the exact unavailability is at most `1 − slo`.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::{OwnEvents, cone};
use crate::exact::bdd::{self, Edge, Var};
use crate::exact::{self, EngineError};
use crate::model::units::{Availability, Odds, YEAR, finite};
use crate::structure::{Owner, Structure};
use crate::system::{ComponentId, DependencyTarget, DomainId, OnFailure, System};

/// What a row of the budget stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    /// The component's own failures: its replicas, maintenance and failover.
    Own,
    /// A shared failure domain's own outage.
    Domain,
    /// A hard dependency on one component.
    Component,
    /// A hard dependency on a group of components (`at_least` of them).
    Group,
    /// A degrading call together with its fallback: DOWN when both are.
    Fallback,
}

/// One row of the budget.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetDependency {
    /// The row's name: the component, domain or group.
    pub name: String,
    /// What the row stands for.
    pub kind: DependencyKind,
    /// The component that calls it (the first found, nearest the target); for a domain, the
    /// first component with a replica in it.
    pub via: String,
    /// The row alone: the component's availability were this row the only thing that could
    /// fail (every event of the other rows perfect). For a hard dependency that is its own
    /// availability, dependencies and domains aside; for a domain whose outage the replicas
    /// ride out, 100%.
    pub availability: f64,
    /// The row alone's unavailability, a probability.
    pub unavailability: f64,
    /// The row alone's nines; null when it never fails.
    pub nines: Option<f64>,
    /// What the row alone would take in a year: its unavailability × one year. Rows overlap
    /// here (two rows down at once count twice); `share_per_year_s` does not.
    pub spend_per_year_s: f64,
    /// Its exact share of the component's downtime in a year: the rows' shares add up to the
    /// component's unavailability × one year.
    pub share_per_year_s: f64,
    /// `share_per_year_s` as a fraction of the budget (null when the budget is zero).
    pub share: Option<f64>,
    /// What it delivers to its callers, its own dependencies and domains included.
    pub composite_availability: f64,
    /// Whether it alone has at least one nine more than the slo (the rule of the extra nine);
    /// null for the component's own row.
    pub extra_nine: Option<bool>,
}

/// The error budget of one component: how its allowed downtime is shared among its dependencies,
/// its domains and its own failures.
#[derive(Clone, Debug, Serialize)]
pub struct Budget {
    /// The model's name.
    pub model: String,
    /// The component budgeted.
    pub component: String,
    /// The slo, an availability.
    pub slo: f64,
    /// The slo as an unavailability: the allowed share of time DOWN.
    pub slo_unavailability: f64,
    /// The allowed downtime a year, in seconds.
    pub budget_per_year_s: f64,
    /// The shares of every row but the component's own: what its dependencies and domains
    /// take of its downtime, each shared cause once.
    pub dependencies_spend_per_year_s: f64,
    /// What is left for the component's own failures (negative: the dependencies overspend).
    pub own_per_year_s: f64,
    /// The share of its own row today.
    pub own_actual_per_year_s: f64,
    /// Whether its own share fits what is left: the same as `meets_slo`.
    pub own_fits: bool,
    /// The component's exact unavailability, all dependencies and redundancy included: the sum
    /// of the rows' shares.
    pub unavailability: f64,
    /// `check`'s verdict: the unavailability is at most the slo's.
    pub meets_slo: bool,
    /// Outages a year the per-outage time is worked out for, when given.
    pub outages_per_year: Option<f64>,
    /// Time to detect and recover allowed per outage: what is left for the component's own
    /// failures over the outages (null when nothing is left).
    pub per_outage_s: Option<f64>,
    /// Dependencies that degrade or are ignored: they spend nothing.
    pub not_charged: Vec<String>,
    /// Every row, in the order the downtime is shared out.
    pub dependencies: Vec<BudgetDependency>,
}

/// A way down through dependencies: a component, a group, or a call and its fallback.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Hard {
    Component(ComponentId),
    Group {
        at_least: u32,
        members: Vec<ComponentId>,
    },
    /// A degrading call whose fallback is down too.
    Fallback {
        called: Box<Hard>,
        fallback: ComponentId,
    },
}

/// The diagram of a group or a call-and-fallback being DOWN (their members' dependencies
/// included).
fn way_down(
    compiled: &mut crate::exact::Compiled,
    structure: &Structure,
    hard: &Hard,
) -> Result<Edge, crate::exact::bdd::TooLarge> {
    match hard {
        Hard::Component(t) => Ok(compiled.gate[structure.components[*t].down]),
        Hard::Group { at_least, members } => {
            let mut downs: Vec<Edge> = members
                .iter()
                .map(|&m| compiled.gate[structure.components[m].down])
                .collect();
            downs.sort_by_key(|&e| std::cmp::Reverse(compiled.manager.var(e)));
            // DOWN when fewer than k members are up: n - k + 1 of them down.
            let need = members.len() + 1 - (*at_least as usize).min(members.len() + 1);
            if need == 0 || need > downs.len() {
                Ok(bdd::ZERO)
            } else {
                compiled.manager.at_least(need, &downs)
            }
        }
        Hard::Fallback { called, fallback } => {
            let called = way_down(compiled, structure, called)?;
            let fallback = compiled.gate[structure.components[*fallback].down];
            compiled.manager.and(called, fallback)
        }
    }
}

impl Hard {
    fn name(&self, system: &System) -> String {
        let name_of = |c: ComponentId| system.components[c].name.clone();
        match self {
            Hard::Component(t) => name_of(*t),
            Hard::Group { at_least, members } => format!(
                "{at_least} of {{{}}}",
                members
                    .iter()
                    .map(|&m| name_of(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Hard::Fallback { called, fallback } => {
                format!(
                    "{} and its fallback {}",
                    called.name(system),
                    name_of(*fallback)
                )
            }
        }
    }

    fn kind(&self) -> DependencyKind {
        match self {
            Hard::Component(_) => DependencyKind::Component,
            Hard::Group { .. } => DependencyKind::Group,
            Hard::Fallback { .. } => DependencyKind::Fallback,
        }
    }

    /// The components a group or fallback calls directly.
    fn roots(&self) -> Vec<ComponentId> {
        match self {
            Hard::Component(t) => vec![*t],
            Hard::Group { members, .. } => members.clone(),
            Hard::Fallback { called, fallback } => {
                let mut r = called.roots();
                r.push(*fallback);
                r
            }
        }
    }
}

/// Whether `u` leaves room for one more nine than `slo_u`, with rounding slack so that
/// 99.999% passes under 99.99%.
fn has_extra_nine(u: f64, slo_u: f64) -> bool {
    u <= slo_u / 10.0 * (1.0 + 1e-9)
}

/// Whether `f` holds with variable `on` happening and every other one not: one path down the
/// diagram.
fn down_with_only(manager: &bdd::Manager, mut f: Edge, on: Var) -> bool {
    loop {
        if f == bdd::ONE {
            return true;
        }
        if f == bdd::ZERO {
            return false;
        }
        let (low, high) = manager.branches(f);
        f = if manager.var(f) == on { high } else { low };
    }
}

/// What a row of the budget holds.
#[derive(Clone, Debug)]
enum Row {
    Own,
    Domain(DomainId),
    Component(ComponentId),
    Way(Hard),
}

/// The components a dependency entry can take DOWN through: its targets when it fails hard,
/// its targets and fallback when it degrades onto one, nothing otherwise.
fn down_targets(dep: &crate::system::Dependency) -> Vec<ComponentId> {
    match (dep.on_failure, dep.fallback) {
        (OnFailure::Fail, _) => dep.targets().to_vec(),
        (OnFailure::Degrade, Some(fb)) => {
            let mut t = dep.targets().to_vec();
            t.push(fb);
            t
        }
        _ => Vec::new(),
    }
}

/// Expected outages a year, above zero: what `budget` divides the allowed downtime by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outages(f64);

/// An outage count that cannot divide a budget.
#[derive(Debug, thiserror::Error)]
#[error("--outages {0}: give the expected number of outages a year, above zero")]
pub struct OutagesError(pub f64);

impl Outages {
    /// `per_year` outages a year; refused unless finite and above zero.
    pub fn new(per_year: f64) -> Result<Outages, OutagesError> {
        if per_year.is_finite() && per_year > 0.0 {
            Ok(Outages(per_year))
        } else {
            Err(OutagesError(per_year))
        }
    }

    /// The count, outages a year.
    pub fn per_year(self) -> f64 {
        self.0
    }
}

/// The error budget of component `target` held to `slo`; with `outages`, also the time each
/// outage may take.
pub fn budget(
    system: &System,
    target: ComponentId,
    slo: Availability,
    outages: Option<Outages>,
) -> Result<Budget, EngineError> {
    let outages_per_year = outages.map(Outages::per_year);
    let n = system.components.len();
    // The unique hard dependencies, breadth first so that `via` is the nearest caller.
    let mut order: Vec<(Hard, ComponentId)> = Vec::new();
    let mut seen: HashMap<Hard, usize> = HashMap::new();
    let mut soft: Vec<ComponentId> = Vec::new();
    let mut queue = VecDeque::from([target]);
    while let Some(c) = queue.pop_front() {
        for dep in &system.components[c].dependencies {
            let called = match &dep.target {
                DependencyTarget::Component(t) => Hard::Component(*t),
                DependencyTarget::Group { at_least, members } => {
                    let mut members = members.clone();
                    members.sort_unstable();
                    Hard::Group {
                        at_least: *at_least,
                        members,
                    }
                }
            };
            let hard = match (dep.on_failure, dep.fallback) {
                (OnFailure::Fail, _) => called,
                // Degrading onto a fallback still goes down when both are down.
                (OnFailure::Degrade, Some(fallback)) => Hard::Fallback {
                    called: Box::new(called),
                    fallback,
                },
                _ => {
                    soft.extend(dep.targets());
                    continue;
                }
            };
            if seen.contains_key(&hard) || hard == Hard::Component(target) {
                continue;
            }
            seen.insert(hard.clone(), order.len());
            if let Hard::Component(t) = hard {
                queue.push_back(t);
            }
            order.push((hard, c));
        }
    }

    // Rows: domains, the component, its hard dependencies, shared dependencies, ways down.
    let mut row_of: Vec<Option<usize>> = vec![None; n];
    let mut via_of: Vec<Option<ComponentId>> = vec![None; n];
    row_of[target] = Some(0);
    let mut rows: Vec<(Row, ComponentId)> = vec![(Row::Own, target)];
    let mut ways: Vec<(Hard, ComponentId)> = Vec::new();
    for (hard, via) in order {
        match hard {
            Hard::Component(t) => {
                row_of[t] = Some(rows.len());
                rows.push((Row::Component(t), via));
            }
            way => ways.push((way, via)),
        }
    }
    // What each way down reaches from each of the components it calls: a component reached
    // from one (way, root) only belongs to that way's row; one reached from two is shared.
    let mut reached: Vec<Option<(usize, ComponentId)>> = vec![None; n];
    let mut shared_order: Vec<ComponentId> = Vec::new();
    let mut shared = vec![false; n];
    for (w, (way, via)) in ways.iter().enumerate() {
        for root in way.roots() {
            let mut stack = vec![(root, *via)];
            let mut visited = vec![false; n];
            while let Some((x, caller)) = stack.pop() {
                if std::mem::replace(&mut visited[x], true) || row_of[x].is_some() {
                    continue;
                }
                via_of[x].get_or_insert(caller);
                match reached[x] {
                    None => reached[x] = Some((w, root)),
                    Some(first) if first != (w, root) && !shared[x] => {
                        shared[x] = true;
                        shared_order.push(x);
                    }
                    _ => {}
                }
                for dep in &system.components[x].dependencies {
                    stack.extend(down_targets(dep).into_iter().map(|t| (t, x)));
                }
            }
        }
    }
    let first_shared = rows.len();
    for &x in &shared_order {
        row_of[x] = Some(rows.len());
        rows.push((Row::Component(x), via_of[x].unwrap_or(target)));
    }
    for (w, (way, via)) in ways.into_iter().enumerate() {
        for x in 0..n {
            if row_of[x].is_none() && reached[x].is_some_and(|(rw, _)| rw == w) {
                row_of[x] = Some(rows.len());
            }
        }
        rows.push((Row::Way(way), via));
    }

    let structure = Structure::new(system);
    let root_gate = structure.components[target].down;
    let support = structure.support(root_gate);
    // Domains that take part, ancestors first; each is charged via the first component (in the
    // rows' order) with a replica in it or below it.
    let mut domain_via: Vec<Option<ComponentId>> = vec![None; system.domains.len()];
    let mut in_support = vec![false; system.domains.len()];
    for &e in &support {
        if let Owner::Domain(d) = structure.events[e].owner() {
            in_support[d] = true;
        }
    }
    let by_row: Vec<ComponentId> = {
        let mut cs: Vec<ComponentId> = (0..n).filter(|&c| row_of[c].is_some()).collect();
        cs.sort_by_key(|&c| row_of[c]);
        cs
    };
    for &c in &by_row {
        for &first in &system.components[c].replica_domains {
            let mut d = first;
            while let Some(dom) = d {
                domain_via[dom].get_or_insert(c);
                d = system.domains[dom].parent;
            }
        }
    }
    let depth = |mut d: DomainId| {
        let mut k = 0;
        while let Some(p) = system.domains[d].parent {
            d = p;
            k += 1;
        }
        k
    };
    let mut domains: Vec<DomainId> = (0..system.domains.len())
        .filter(|&d| in_support[d])
        .collect();
    domains.sort_by_key(|&d| (depth(d), d));
    let shift = domains.len();
    let mut ordered: Vec<(Row, ComponentId)> = domains
        .iter()
        .map(|&d| (Row::Domain(d), domain_via[d].unwrap_or(target)))
        .collect();
    ordered.extend(rows);
    let rows = ordered;
    let first_shared = first_shared + shift;
    let mut events_of: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for &e in &support {
        let r = match structure.events[e].owner() {
            Owner::Domain(d) => domains.iter().position(|&x| x == d),
            Owner::Component(c) => row_of[c].map(|r| r + shift),
        };
        // Every component the diagram reads is reached above; should one not be, its events
        // join the component's own row so that the shares still add up.
        events_of[r.unwrap_or(shift)].push(e);
    }

    let computed = exact::with_deep_stack(|| -> Result<_, EngineError> {
        // Everything charged lies in the target's cone (its dependencies, groups, fallbacks).
        let mut compiled = exact::compile(&cone(&structure, root_gate))?;
        let root = compiled.gate[root_gate];
        let odds = compiled.level_odds(&structure);
        let vars: Vec<Vec<Var>> = events_of
            .iter()
            .map(|es| {
                let mut v: Vec<Var> = es.iter().map(|&e| compiled.level[e]).collect();
                v.sort_unstable_by(|a, b| b.cmp(a));
                v
            })
            .collect();
        // Own failures of the component and of its hard dependencies take it down alone, so
        // alone they cost their own unavailability.
        let own_events = OwnEvents::new(system, &structure);
        let mut own_down: Vec<Option<Edge>> = Vec::with_capacity(rows.len());
        let mut composite: Vec<Option<Edge>> = Vec::with_capacity(rows.len());
        for (i, (row, _)) in rows.iter().enumerate() {
            let hard = i < first_shared;
            own_down.push(match row {
                Row::Own => {
                    Some(own_events.down(&mut compiled, &structure, system, target, false)?)
                }
                Row::Component(c) if hard => {
                    Some(own_events.down(&mut compiled, &structure, system, *c, false)?)
                }
                _ => None,
            });
            composite.push(match row {
                Row::Own => Some(root),
                Row::Component(c) => Some(compiled.gate[structure.components[*c].down]),
                Row::Domain(_) => None,
                Row::Way(h) => Some(way_down(&mut compiled, &structure, h)?),
            });
        }
        let pq = compiled.manager.probabilities(&odds);
        let target_down = bdd::edge_pq(&pq, root);
        let mut row_at = vec![usize::MAX; odds.len()];
        for (i, vs) in vars.iter().enumerate() {
            for &v in vs {
                row_at[v as usize] = i;
            }
        }
        // The ordered decomposition: before[i] = P(DOWN ∧ rows before i perfect), row i's share
        // before[i] − before[i + 1]. The differences telescope: they add up to P(DOWN) less
        // P(DOWN with every event perfect), which is nothing. Four prefixes per pass.
        let m = rows.len();
        let mut perfect_before = vec![1.0; m + 1];
        for i in 0..m {
            perfect_before[i + 1] = vars[i]
                .iter()
                .fold(perfect_before[i], |q, &v| q * odds[v as usize].1);
        }
        let mut before = vec![0.0; m + 1];
        let mut lanes: Vec<(bdd::Lanes, bdd::Lanes)> = Vec::new();
        let mut table = Vec::new();
        for first in (0..=m).step_by(bdd::LANES) {
            lanes.clear();
            lanes.extend(odds.iter().zip(&row_at).map(|(&(p, q), &r)| {
                let mut lane = ([p; bdd::LANES], [q; bdd::LANES]);
                for s in 0..bdd::LANES {
                    if r < first + s {
                        lane.0[s] = 0.0;
                        lane.1[s] = 1.0;
                    }
                }
                lane
            }));
            compiled.manager.probabilities_lanes(&lanes, &mut table);
            let down = bdd::edge_lanes(&table, root).0;
            for s in 0..bdd::LANES {
                if first + s <= m {
                    before[first + s] = perfect_before[first + s] * down[s];
                }
            }
        }
        // Rounding may leave a row that adds nothing a hair below zero.
        let shares: Vec<f64> = (0..m)
            .map(|i| (before[i] - before[i + 1]).max(0.0))
            .collect();
        // Each row alone: every event outside it perfect. Own failures read above; a domain
        // takes the component down alone or not at all (one walk of the diagram); the rest, four
        // rows per pass.
        let mut alone: Vec<(f64, f64)> = vec![(0.0, 1.0); m];
        let mut pending: Vec<usize> = Vec::new();
        for (i, (row, _)) in rows.iter().enumerate() {
            match (row, own_down[i]) {
                (_, Some(e)) => alone[i] = bdd::edge_pq(&pq, e),
                (Row::Domain(_), None) if vars[i].len() == 1 => {
                    let v = vars[i][0];
                    if down_with_only(&compiled.manager, root, v) {
                        alone[i] = odds[v as usize];
                    }
                }
                _ => pending.push(i),
            }
        }
        for batch in pending.chunks(bdd::LANES) {
            lanes.clear();
            lanes.extend(odds.iter().zip(&row_at).map(|(&(p, q), &r)| {
                let mut lane = ([0.0; bdd::LANES], [1.0; bdd::LANES]);
                for (s, &i) in batch.iter().enumerate() {
                    if r == i {
                        lane.0[s] = p;
                        lane.1[s] = q;
                    }
                }
                lane
            }));
            compiled.manager.probabilities_lanes(&lanes, &mut table);
            let (p, q) = bdd::edge_lanes(&table, root);
            for (s, &i) in batch.iter().enumerate() {
                alone[i] = (p[s], q[s]);
            }
        }
        let composite_pq: Vec<Option<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .map(|(i, (row, _))| match (row, composite[i]) {
                (_, Some(e)) => Some(bdd::edge_pq(&pq, e)),
                _ => None,
            })
            .collect();
        Ok((target_down, shares, alone, composite_pq))
    })?;
    let (target_down, shares, alone, composite_pq) = computed;

    let slo_u = slo.down.p;
    let budget_per_year_s = slo_u * YEAR;
    let name_of = |c: ComponentId| system.components[c].name.clone();
    let chain = |d: DomainId| {
        let mut odds = system.domains[d].down;
        let mut up = system.domains[d].parent;
        while let Some(p) = up {
            odds = odds.either(system.domains[p].down);
            up = system.domains[p].parent;
        }
        odds
    };
    let dependencies: Vec<BudgetDependency> = rows
        .iter()
        .enumerate()
        .map(|(i, (row, via))| {
            let (p, q) = alone[i];
            let composite_q = composite_pq[i].map_or(1.0, |x| x.1);
            let (name, kind, composite_q) = match row {
                Row::Own => (name_of(target), DependencyKind::Own, composite_q),
                Row::Domain(d) => (
                    system.domains[*d].name.clone(),
                    DependencyKind::Domain,
                    chain(*d).q,
                ),
                Row::Component(c) => (name_of(*c), DependencyKind::Component, composite_q),
                Row::Way(h) => (h.name(system), h.kind(), composite_q),
            };
            BudgetDependency {
                name,
                kind,
                via: name_of(*via),
                availability: q,
                unavailability: p,
                nines: finite(-p.log10()),
                spend_per_year_s: p * YEAR,
                share_per_year_s: shares[i] * YEAR,
                share: finite(shares[i] / slo_u),
                composite_availability: composite_q,
                extra_nine: (kind != DependencyKind::Own).then(|| has_extra_nine(p, slo_u)),
            }
        })
        .collect();
    let own_share = dependencies
        .iter()
        .find(|d| d.kind == DependencyKind::Own)
        .map_or(0.0, |d| d.share_per_year_s);
    let spent: f64 = dependencies
        .iter()
        .filter(|d| d.kind != DependencyKind::Own)
        .map(|d| d.share_per_year_s)
        .sum();
    let own_per_year_s = budget_per_year_s - spent;
    // `check`'s verdict, ties and all.
    let meets_slo = slo.met_by(target_down.0);
    let mut not_charged: Vec<String> = soft
        .into_iter()
        .filter(|&c| row_of[c].is_none() && c != target)
        .map(name_of)
        .collect();
    not_charged.sort();
    not_charged.dedup();
    Ok(Budget {
        model: system.name.clone(),
        component: name_of(target),
        slo: slo.value(),
        slo_unavailability: slo_u,
        budget_per_year_s,
        dependencies_spend_per_year_s: spent,
        own_per_year_s,
        own_actual_per_year_s: own_share,
        own_fits: meets_slo,
        unavailability: target_down.0,
        meets_slo,
        outages_per_year,
        per_outage_s: outages_per_year
            .filter(|_| own_per_year_s > 0.0)
            .map(|n| own_per_year_s / n),
        not_charged,
        dependencies,
    })
}

impl Budget {
    /// What the rule of the extra nine asks of every hard dependency: one nine more than the
    /// slo. `nines export --budget` gives it as their target.
    pub fn extra_nine_target(&self) -> Odds {
        Odds::from_p(self.slo_unavailability / 10.0)
    }
}
