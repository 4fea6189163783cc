//! Independent truth for small models: SPEC §3 applied to every state of the basic events,
//! read from the `System` (not from the gates the engines use), weighed and summed.

use nines::exact::StateOdds;
use nines::structure::{EventKind, Structure};
use nines::system::{DependencyTarget, OnFailure, System};

/// Enumeration costs 2^events × components; above this it is left out.
pub const MAX_EVENTS: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum State {
    Up,
    Degraded,
    Down,
}

/// The basic events of one assignment, by what they stand for.
struct Failed {
    domain: Vec<bool>,
    replica: Vec<Vec<bool>>,
    maintenance: Vec<bool>,
    failover: Vec<bool>,
}

fn states_by_rule(system: &System, order: &[usize], failed: &Failed) -> Vec<State> {
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
        let mut s = if up < comp.min_available || failed.maintenance[c] || failed.failover[c] {
            State::Down
        } else {
            State::Up
        };
        for d in &comp.dependencies {
            let target = match &d.target {
                DependencyTarget::Component(t) => state[*t],
                DependencyTarget::Group { at_least, members } => {
                    let up = members.iter().filter(|&&m| state[m] == State::Up).count() as u32;
                    let alive = members.iter().filter(|&&m| state[m] != State::Down).count() as u32;
                    if up >= *at_least {
                        State::Up
                    } else if alive >= *at_least {
                        State::Degraded
                    } else {
                        State::Down
                    }
                }
            };
            let seen = match d.on_failure {
                OnFailure::Fail => target,
                OnFailure::Degrade => match (target, d.fallback) {
                    (State::Down, Some(f)) if state[f] == State::Down => State::Down,
                    (State::Down, _) => State::Degraded,
                    (t, _) => t,
                },
                OnFailure::Ignore => State::Up,
            };
            s = s.max(seen);
        }
        state[c] = s;
    }
    state
}

/// Asserts that the engine's states equal enumeration's to 1e-11 (absolute: sums of up to 2^10
/// products).
pub fn check(system: &System, structure: &Structure, states: &[StateOdds]) {
    let k = structure.events.len();
    assert!(k <= MAX_EVENTS);
    let order = nines::graph::topological_order(system).expect("a validated system is acyclic");
    let n = system.components.len();
    let mut totals = vec![[0.0f64; 3]; n];
    for mask in 0u32..(1 << k) {
        let mut failed = Failed {
            domain: vec![false; system.domains.len()],
            replica: system
                .components
                .iter()
                .map(|c| vec![false; c.replicas as usize])
                .collect(),
            maintenance: vec![false; n],
            failover: vec![false; n],
        };
        let mut weight = 1.0;
        for (i, e) in structure.events.iter().enumerate() {
            let happened = mask >> i & 1 == 1;
            weight *= if happened { e.odds.p } else { e.odds.q };
            if !happened {
                continue;
            }
            match e.kind {
                EventKind::Domain(d) => failed.domain[d] = true,
                EventKind::Replica { component, index } => {
                    failed.replica[component][index as usize] = true
                }
                EventKind::Maintenance(c) => failed.maintenance[c] = true,
                EventKind::Failover(c) => failed.failover[c] = true,
            }
        }
        if weight == 0.0 {
            continue;
        }
        for (t, s) in totals
            .iter_mut()
            .zip(states_by_rule(system, &order, &failed))
        {
            t[match s {
                State::Down => 0,
                State::Degraded => 1,
                State::Up => 2,
            }] += weight;
        }
    }
    for ((c, truth), got) in system.components.iter().zip(&totals).zip(states) {
        let name = &c.name;
        assert!(
            (truth[0] - got.down.p).abs() <= 1e-11,
            "{name} down: enumeration {:e} engine {:e}",
            truth[0],
            got.down.p
        );
        assert!(
            (truth[1] - got.degraded).abs() <= 1e-11,
            "{name} degraded: enumeration {:e} engine {:e}",
            truth[1],
            got.degraded
        );
        assert!(
            (truth[2] - got.up).abs() <= 1e-11,
            "{name} up: enumeration {:e} engine {:e}",
            truth[2],
            got.up
        );
    }
}
