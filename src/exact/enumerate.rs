//! The definition itself: every component's state probabilities from all 2^events assignments
//! of the basic events, the model's rules (docs/semantics.md) applied to each — read from the
//! `System`, not from the gates the engines build. Exponential, so for small models only: the independent truth the
//! engines are checked against, in the tests and under the fuzzer.

use super::StateOdds;
use super::circuit::{Circuit, Lit};
use crate::model::units::Odds;
use crate::structure::{EventKind, Structure};
use crate::system::{DependencyTarget, OnFailure, System};

/// The most basic events [`enumerate`] takes (a million assignments).
pub const MAX_EVENTS: usize = 20;

/// P(output) of each output of a circuit, summed over every assignment of its events (each
/// node's value from [`Circuit::values`]); `None` past [`MAX_EVENTS`] events.
pub fn circuit_probabilities(circuit: &Circuit, outputs: &[Lit]) -> Option<Vec<f64>> {
    let n = circuit.events.len();
    if n > MAX_EVENTS {
        return None;
    }
    let mut total = vec![0.0; outputs.len()];
    for mask in 0u32..(1 << n) {
        let happens = |e: usize| mask >> e & 1 == 1;
        let weight: f64 = (circuit.events.iter().enumerate())
            .map(|(e, odds)| if happens(e) { odds.p } else { odds.q })
            .product();
        let value = circuit.values(happens);
        for (t, x) in total.iter_mut().zip(outputs) {
            if value[x.node()] != x.is_negated() {
                *t += weight;
            }
        }
    }
    Some(total)
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum State {
    Up,
    Degraded,
    Down,
    /// A kind of DOWN in which calls hang; worse than DOWN when states combine.
    Hung,
}

/// The basic events of one assignment, by what they stand for.
struct Failed {
    domain: Vec<bool>,
    replica: Vec<Vec<bool>>,
    maintenance: Vec<bool>,
    failover: Vec<bool>,
    hang: Vec<bool>,
    /// Per component and dependency entry: its breaker is opening.
    breaker: Vec<Vec<bool>>,
}

/// Every component's state probabilities by enumeration; `None` past [`MAX_EVENTS`] events.
pub fn enumerate(system: &System, structure: &Structure) -> Option<Vec<StateOdds>> {
    enumerate_with_hung(system, structure).map(|v| v.into_iter().map(|(s, _)| s).collect())
}

/// As [`enumerate`], with each component's P(HUNG) beside its states (HUNG counts as DOWN in
/// them).
pub fn enumerate_with_hung(
    system: &System,
    structure: &Structure,
) -> Option<Vec<(StateOdds, f64)>> {
    let k = structure.events.len();
    if k > MAX_EVENTS {
        return None;
    }
    let order = crate::graph::topological_order(system).ok()?;
    let n = system.components.len();
    // P(DOWN), P(DEGRADED), P(UP): each summed on its own, so that none loses its digits.
    let mut totals = vec![[0.0f64; 4]; n];
    for mask in 0u32..(1 << k) {
        let mut failed = Failed {
            domain: vec![false; system.domains.len()],
            replica: (system.components.iter())
                .map(|c| vec![false; c.replicas as usize])
                .collect(),
            maintenance: vec![false; n],
            failover: vec![false; n],
            hang: vec![false; n],
            breaker: (system.components.iter())
                .map(|c| vec![false; c.dependencies.len()])
                .collect(),
        };
        let mut weight = 1.0;
        // Per exclusive group: how many of its members happened, and P(the one that did).
        let mut groups = vec![(0u32, 1.0f64); structure.exclusive.len()];
        for (i, e) in structure.events.iter().enumerate() {
            let happened = mask >> i & 1 == 1;
            match structure.group_of[i] {
                Some((g, _)) if happened => {
                    groups[g as usize].0 += 1;
                    groups[g as usize].1 = e.odds.p;
                }
                Some(_) => {}
                None => weight *= if happened { e.odds.p } else { e.odds.q },
            }
            if !happened {
                continue;
            }
            match e.kind {
                EventKind::Domain(d) => failed.domain[d] = true,
                EventKind::Replica { component, index }
                | EventKind::RollingMaintenance { component, index } => {
                    failed.replica[component][index as usize] = true
                }
                EventKind::Maintenance(c) => failed.maintenance[c] = true,
                EventKind::Failover(c) => failed.failover[c] = true,
                EventKind::Hang(c) => failed.hang[c] = true,
                EventKind::Breaker { component, entry } => {
                    failed.breaker[component][entry as usize] = true
                }
            }
        }
        for (group, &(happened, p)) in structure.exclusive.iter().zip(&groups) {
            weight *= match happened {
                0 => {
                    1.0 - group
                        .members
                        .iter()
                        .map(|&e| structure.events[e].odds.p)
                        .sum::<f64>()
                }
                1 => p,
                _ => 0.0,
            };
        }
        if weight == 0.0 {
            continue;
        }
        for (t, s) in totals.iter_mut().zip(states(system, &order, &failed)) {
            t[match s {
                State::Down => 0,
                State::Degraded => 1,
                State::Up => 2,
                State::Hung => 3,
            }] += weight;
        }
    }
    Some(
        totals
            .into_iter()
            .map(|[down, degraded, up, hung]| {
                (
                    StateOdds {
                        down: Odds {
                            p: down + hung,
                            q: degraded + up,
                        },
                        degraded,
                        up,
                    },
                    hung,
                )
            })
            .collect(),
    )
}

/// Every component's state under one assignment, components taken dependencies first.
fn states(system: &System, order: &[usize], failed: &Failed) -> Vec<State> {
    let domain_up = |mut d: usize| loop {
        if failed.domain[d] {
            return false;
        }
        match system.domains[d].parent {
            Some(p) => d = p,
            None => return true,
        }
    };
    let mut state = vec![State::Up; system.components.len()];
    for &c in order {
        let comp = &system.components[c];
        let up = (0..comp.replicas as usize)
            .filter(|&i| !failed.replica[c][i] && comp.replica_domains[i].is_none_or(domain_up))
            .count() as u32;
        let short = up < comp.min_available;
        let mut s = if short && failed.hang[c] {
            State::Hung
        } else if short || failed.maintenance[c] || failed.failover[c] {
            State::Down
        } else {
            State::Up
        };
        for (entry, d) in comp.dependencies.iter().enumerate() {
            let target = match &d.target {
                DependencyTarget::Component(t) => state[*t],
                // As good as its k-th best member.
                DependencyTarget::Group { at_least, members } => {
                    let mut states: Vec<State> = members.iter().map(|&m| state[m]).collect();
                    states.sort();
                    states[*at_least as usize - 1]
                }
            };
            if d.queue.is_some() {
                if target >= State::Down {
                    s = s.max(State::Degraded);
                }
                continue;
            }
            let target = match target {
                State::Hung if d.protects(comp.deadline_s) => State::Down,
                t => t,
            };
            let seen = match (target, d.on_failure) {
                (State::Hung, _) => State::Hung,
                (t, OnFailure::Fail) => t,
                (State::Down, OnFailure::Degrade) => match d.fallback {
                    Some(f) if state[f] >= State::Down => State::Down,
                    _ => State::Degraded,
                },
                (t, OnFailure::Degrade) => t,
                (_, OnFailure::Ignore) => State::Up,
            };
            s = s.max(seen);
            if failed.breaker[c][entry] {
                s = s.max(State::Down);
            }
        }
        state[c] = s;
    }
    state
}
