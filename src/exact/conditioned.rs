//! Exact evaluation by conditioning on the failure domains.
//!
//! Given the state of every domain, the components' own failures (replicas, maintenance,
//! failover) are independent of each other. So each joint domain state is weighed separately:
//! a small "local" diagram gives every component's P(own failure) in that state, and one
//! "network" diagram over one variable per component — built once, whatever the state —
//! propagates them through the dependencies. The network never sees zones or regions, which
//! would otherwise split every component's diagram by every domain state.
//!
//! A component's k-of-n over many replicas is not built as a diagram (about k × (n − k) nodes)
//! but counted: in a domain state its replicas are independent and identical, so its capacity
//! is a binomial tail, one more variable of the local diagram weighed per state.
//!
//! Cost: (local nodes + network nodes) per domain state. Domain states are counted with the
//! hierarchy (a region down hides its zones: two regions of three zones have 81 states, not
//! 256); beyond `MAX_DOMAIN_STATES` the caller falls back to one diagram over every event.

use super::bdd::{self, Edge, LANES, Manager, Var};
use super::{EngineError, StateOdds, binomial};
use crate::model::units::Odds;
use crate::structure::{EventKind, Gate, GateId, NEVER, Structure, cone};

/// The most joint domain states weighed one by one.
pub(crate) const MAX_DOMAIN_STATES: usize = 4096;

/// A capacity gate whose diagram would have more nodes than this is counted instead (a
/// binomial tail per domain state, see `binomial`).
const COUNT_ABOVE_NODES: u64 = 10_000;

/// A joint state of the domains: which domain events have happened, and its probability.
struct DomainState {
    failed: Vec<bool>,
    weight: f64,
}

/// The joint domain states that matter, or None when there are more than `limit`.
fn domain_states(
    structure: &Structure,
    relevant: &[bool],
    limit: usize,
) -> Option<Vec<DomainState>> {
    let n = structure.domains.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (d, &(_, parent)) in structure.domains.iter().enumerate() {
        if !relevant[d] {
            continue;
        }
        match parent {
            Some(p) => children[p].push(d),
            None => roots.push(d),
        }
    }
    // count(d) = 1 (d down hides its subtree) + product of the children's counts (d up).
    let mut count = vec![0usize; n];
    let mut post_order = Vec::new();
    let mut stack: Vec<(usize, bool)> = roots.iter().map(|&r| (r, false)).collect();
    while let Some((d, expanded)) = stack.pop() {
        if expanded {
            post_order.push(d);
        } else {
            stack.push((d, true));
            stack.extend(children[d].iter().map(|&c| (c, false)));
        }
    }
    for &d in &post_order {
        let below = children[d].iter().try_fold(1usize, |acc, &c| {
            acc.checked_mul(count[c]).filter(|&x| x <= limit)
        });
        count[d] = below.and_then(|b| b.checked_add(1)).unwrap_or(limit + 1);
    }
    let total = roots.iter().try_fold(1usize, |acc, &r| {
        acc.checked_mul(count[r]).filter(|&x| x <= limit)
    })?;
    let mut states = vec![DomainState {
        failed: vec![false; n],
        weight: 1.0,
    }];
    states.reserve(total);
    for &r in &roots {
        states = extend(states, r, structure, &children);
    }
    Some(states)
}

/// Every state extended by the cases of domain `d`'s subtree.
fn extend(
    states: Vec<DomainState>,
    d: usize,
    structure: &Structure,
    children: &[Vec<usize>],
) -> Vec<DomainState> {
    let odds = structure.events[structure.domains[d].0].odds;
    let mut down = Vec::with_capacity(states.len());
    let mut up = Vec::with_capacity(states.len());
    for s in states {
        // Down: the subtree's own events no longer matter; mark them failed, which changes nothing.
        let mut failed = s.failed.clone();
        let mut stack = vec![d];
        while let Some(x) = stack.pop() {
            failed[x] = true;
            stack.extend(&children[x]);
        }
        if odds.p > 0.0 {
            down.push(DomainState {
                failed,
                weight: s.weight * odds.p,
            });
        }
        if odds.q > 0.0 {
            up.push(DomainState {
                failed: s.failed,
                weight: s.weight * odds.q,
            });
        }
    }
    for &c in &children[d] {
        up = extend(up, c, structure, children);
    }
    down.extend(up);
    down
}

/// Compiles the marked gates in order; `leaf` gives the diagram of a gate taken as a variable.
fn compile_marked(
    manager: &mut Manager,
    structure: &Structure,
    marked: &[bool],
    mut leaf: impl FnMut(&mut Manager, GateId) -> Option<Result<Edge, bdd::TooLarge>>,
) -> Result<Vec<Edge>, EngineError> {
    let mut edges = vec![bdd::ZERO; structure.gates.len()];
    for (g, gate) in structure.gates.iter().enumerate() {
        if !marked[g] {
            continue;
        }
        if let Some(edge) = leaf(manager, g) {
            edges[g] = edge?;
            continue;
        }
        edges[g] = super::compile_gate(manager, gate, &edges)?;
    }
    Ok(edges)
}

/// A k-of-n gate counted rather than built: its replicas grouped by domain.
struct Counted {
    gate: GateId,
    need: u32,
    replicas: u32,
    down: Odds,
    /// P(a given replica is in its rolling-maintenance turn); one replica at a time.
    turn: f64,
    /// (domain, replicas living in it).
    by_domain: Vec<(usize, u32)>,
}

impl Counted {
    /// P(at least `need` replicas down) when `certain` of them are in failed domains: the
    /// others fail independently, and at most one of them is in its maintenance turn.
    fn down(&self, certain: u32) -> Odds {
        let need = self.need.saturating_sub(certain);
        let alive = self.replicas - certain;
        let idle = binomial::at_least(need, alive, self.down);
        let share = alive as f64 * self.turn;
        if share == 0.0 {
            return idle;
        }
        let turn = binomial::at_least(need.saturating_sub(1), alive - 1, self.down);
        Odds {
            p: (1.0 - share) * idle.p + share * turn.p,
            q: (1.0 - share) * idle.q + share * turn.q,
        }
    }
}

/// The components whose capacity gate would make a large diagram, about need × (n − need + 1)
/// nodes, and whose replicas are identical (they are, by construction; checked all the same).
fn counted_capacities(structure: &Structure) -> Vec<Counted> {
    let mut counted = Vec::new();
    for cap in &structure.capacity {
        let n = cap.replicas.len() as u64;
        let need = cap.need as u64;
        if n == 0 || need * (n - need + 1) <= COUNT_ABOVE_NODES {
            continue;
        }
        let down = structure.events[cap.replicas[0].0].odds;
        if cap
            .replicas
            .iter()
            .any(|&(e, _)| structure.events[e].odds != down)
        {
            continue;
        }
        let mut by_domain: Vec<(usize, u32)> = Vec::new();
        let mut slot = std::collections::HashMap::new();
        for &(_, d) in &cap.replicas {
            if let Some(d) = d {
                let i = *slot.entry(d).or_insert_with(|| {
                    by_domain.push((d, 0));
                    by_domain.len() - 1
                });
                by_domain[i].1 += 1;
            }
        }
        counted.push(Counted {
            gate: cap.gate,
            need: cap.need,
            replicas: n as u32,
            down,
            turn: cap
                .turns
                .first()
                .map_or(0.0, |&e| structure.events[e].odds.p),
            by_domain,
        });
    }
    counted
}

/// Every component's state probabilities by weighing the joint states of the shared domains;
/// None when there is nothing to weigh or more than `MAX_DOMAIN_STATES` states.
pub(crate) fn evaluate(structure: &Structure) -> Result<Option<Vec<StateOdds>>, EngineError> {
    // The network below reads each component through its own failures (`local`) alone. A hang
    // split and a breaker's opening feed a component's state beside them: left to the one
    // diagram over every event, which takes any gate.
    if (structure.events.iter())
        .any(|e| matches!(e.kind, EventKind::Hang(_) | EventKind::Breaker { .. }))
    {
        return Ok(None);
    }
    let components = &structure.components;
    let locals: Vec<GateId> = components.iter().map(|c| c.local).collect();
    let counted = counted_capacities(structure);
    let mut counted_at = vec![usize::MAX; structure.gates.len()];
    for (i, k) in counted.iter().enumerate() {
        counted_at[k.gate] = i;
    }
    let local_marked = cone(&structure.gates, locals.iter().copied(), |g| {
        counted_at[g] != usize::MAX
    });
    // Only domains that two or more components live in correlate them; a domain of one
    // component's replicas alone stays an ordinary variable of its local diagram. Users of a
    // zone use its region too, so the shared domains include their ancestors.
    let mut users = vec![0u32; structure.domains.len()];
    for &local in &locals {
        for e in structure.support(local) {
            if let EventKind::Domain(d) = structure.events[e].kind {
                users[d] += 1;
            }
        }
    }
    let mut relevant: Vec<bool> = users.iter().map(|&u| u >= 2).collect();
    // A counted gate is computed per domain state: its domains and their ancestors are weighed.
    for k in &counted {
        for &(d, _) in &k.by_domain {
            let mut at = Some(d);
            while let Some(x) = at.filter(|&x| !relevant[x]) {
                relevant[x] = true;
                at = structure.domains[x].1;
            }
        }
    }
    // With no domain to weigh and no gate to count there is nothing for this method to do; past
    // the limit, too much: either way one diagram over every event serves better.
    let Some(states) = domain_states(structure, &relevant, MAX_DOMAIN_STATES)
        .filter(|s| s.len() > 1 || !counted.is_empty())
    else {
        return Ok(None);
    };

    // The local diagram: domain events on top, then each component's own events, the latest
    // first. Replicas in a shared domain all have that domain on top, so a k-of-n takes its
    // inputs in event order; each must then lie above what is built, or every step of the
    // count walks the whole diagram (220 replicas in one zone took 0.4 s instead of 2 ms).
    let mut local_level = vec![Var::MAX; structure.events.len()];
    let mut level_event = Vec::new();
    for &(e, _) in &structure.domains {
        local_level[e] = level_event.len() as Var;
        level_event.push(e);
    }
    for (e, ev) in structure.events.iter().enumerate().rev() {
        if !matches!(ev.kind, EventKind::Domain(_)) {
            local_level[e] = level_event.len() as Var;
            level_event.push(e);
        }
    }
    // Each counted gate is one more variable, below the events, weighed per domain state.
    let counted_level: Vec<Var> = (0..counted.len())
        .map(|i| (level_event.len() + i) as Var)
        .collect();
    let mut local = Manager::new();
    let mut events = super::EventEdges::new(structure, false);
    let local_edges = compile_marked(&mut local, structure, &local_marked, |m, g| {
        if counted_at[g] != usize::MAX {
            return Some(m.variable(counted_level[counted_at[g]]));
        }
        match structure.gates[g] {
            Gate::Event(e) => Some(events.edge(m, structure, e, |x| local_level[x])),
            _ => None,
        }
    })?;

    // The network diagram: one variable per component with failures of its own.
    let mut component_of_local = vec![usize::MAX; structure.gates.len()];
    for (c, &g) in locals.iter().enumerate() {
        if g != NEVER {
            component_of_local[g] = c;
        }
    }
    let roots = super::root_gates(structure);
    let order = super::depth_first_leaves(
        structure,
        &roots,
        |g| (component_of_local[g] != usize::MAX).then_some(component_of_local[g]),
        components.len(),
    );
    let mut network_level = vec![Var::MAX; components.len()];
    for (l, &c) in order.iter().enumerate() {
        network_level[c] = l as Var;
    }
    let network_marked = cone(
        &structure.gates,
        components.iter().flat_map(|c| [c.down, c.impaired]),
        |g| component_of_local[g] != usize::MAX,
    );
    let mut network = Manager::new();
    let net_edges = compile_marked(&mut network, structure, &network_marked, |m, g| {
        let c = component_of_local[g];
        (c != usize::MAX).then(|| m.variable(network_level[c]))
    })?;
    // DEGRADED (impaired and not down) as a diagram of its own: its probability is then summed
    // directly, not taken as P(impaired) − P(down), which loses the digits of a degraded share
    // far below the unavailability (1e-10 beside 1e-3 kept only six of them).
    let degraded_edges = components
        .iter()
        .map(|c| {
            let (down, impaired) = (net_edges[c.down], net_edges[c.impaired]);
            network.and(impaired, bdd::not(down))
        })
        .collect::<Result<Vec<Edge>, _>>()?;
    // Weigh every domain state, LANES states per walk of the network.
    let odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
    let odds = structure.variable_odds(&odds);
    let mut local_odds: Vec<(f64, f64)> = level_event
        .iter()
        .map(|&e| (odds[e].p, odds[e].q))
        .chain(counted.iter().map(|_| (0.0, 1.0)))
        .collect();
    let mut network_odds = vec![([0.0; LANES], [1.0; LANES]); order.len()];
    let (mut local_pq, mut net_pq) = (Vec::new(), Vec::new());
    let mut totals = vec![[0.0f64; 4]; components.len()];
    for batch in states.chunks(LANES) {
        for (lane, state) in batch.iter().enumerate() {
            for (d, &(e, _)) in structure
                .domains
                .iter()
                .enumerate()
                .filter(|&(d, _)| relevant[d])
            {
                local_odds[local_level[e] as usize] = if state.failed[d] {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                };
            }
            for (k, &level) in counted.iter().zip(&counted_level) {
                // Replicas in a failed domain are down for sure; the others count by chance.
                let certain: u32 = k
                    .by_domain
                    .iter()
                    .filter(|&&(d, _)| state.failed[d])
                    .map(|&(_, n)| n)
                    .sum();
                let tail = k.down(certain);
                local_odds[level as usize] = (tail.p, tail.q);
            }
            local.probabilities_into(&local_odds, &mut local_pq);
            for (l, &c) in order.iter().enumerate() {
                let (p, q) = bdd::edge_pq(&local_pq, local_edges[locals[c]]);
                network_odds[l].0[lane] = p;
                network_odds[l].1[lane] = q;
            }
        }
        network.probabilities_lanes(&network_odds, &mut net_pq);
        for (c, gates) in components.iter().enumerate() {
            let (down_p, down_q) = bdd::edge_lanes(&net_pq, net_edges[gates.down]);
            let (degraded_p, _) = bdd::edge_lanes(&net_pq, degraded_edges[c]);
            let (_, impaired_q) = bdd::edge_lanes(&net_pq, net_edges[gates.impaired]);
            let t = &mut totals[c];
            for (lane, state) in batch.iter().enumerate() {
                t[0] += state.weight * down_p[lane];
                t[1] += state.weight * down_q[lane];
                t[2] += state.weight * degraded_p[lane];
                t[3] += state.weight * impaired_q[lane];
            }
        }
    }
    Ok(Some(
        totals
            .into_iter()
            .map(|t| StateOdds {
                down: Odds { p: t[0], q: t[1] },
                degraded: t[2],
                up: t[3],
            })
            .collect(),
    ))
}
