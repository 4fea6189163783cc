//! What if some components or domains were down, or some were more (or less) available: every
//! component's exact state probabilities under the change, next to today's.
//!
//! Failing a component or a domain forces every basic event it owns to happen (P = 1, and
//! Q = 0 exactly, so "down for sure" comes out as an exact zero); the events stay independent, so
//! this is the exact conditional probability. A new availability replaces a component's replica
//! availability (its repair time kept, its failure rate derived) or a domain's availability, as if
//! the model file said so.

use serde::Serialize;

use crate::exact::bdd::{self, Edge};
use crate::exact::{self, Compiled, EngineError, StateOdds};
use crate::model::units::{Availability, Odds};
use crate::structure::{EventId, Gate, GateId, Owner, Structure};
use crate::system::{ComponentId, System};

/// How a change affects a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// DOWN for sure.
    Down,
    /// Never fully UP: runs on fallbacks (DEGRADED) whenever it is not DOWN.
    Degraded,
    /// Less available, or degraded more often, than today.
    Worse,
    /// More available, or degraded less often, than today.
    Better,
    /// Nothing it depends on changed (or the change makes no difference).
    Untouched,
}

impl Effect {
    /// The effect as the table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Effect::Down => "DOWN",
            Effect::Degraded => "degraded",
            Effect::Worse => "worse",
            Effect::Better => "better",
            Effect::Untouched => "—",
        }
    }
}

/// One component with the changes made, beside today.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentWhatIf {
    /// The component's name.
    pub name: String,
    /// Its availability with the changes, a probability.
    pub availability: f64,
    /// Its unavailability with the changes, a probability.
    pub unavailability: f64,
    /// P(DEGRADED) with the changes.
    pub degraded: f64,
    /// P(UP) with the changes.
    pub up: f64,
    /// Its availability today, a probability.
    pub baseline_availability: f64,
    /// Its unavailability today, a probability.
    pub baseline_unavailability: f64,
    /// P(DEGRADED) today.
    pub baseline_degraded: f64,
    /// How the changes move it.
    pub effect: Effect,
    /// P(HUNG): calls to it hang (a part of the unavailability), with the change and today.
    pub hung: f64,
    /// P(HUNG) today.
    pub baseline_hung: f64,
}

/// A component or domain given a new availability.
#[derive(Clone, Debug, Serialize)]
pub struct Improvement {
    /// Its name.
    pub name: String,
    /// The availability given, a probability.
    pub availability: f64,
    /// The unavailability that gives, a probability.
    pub unavailability: f64,
}

/// The result of `nines what-if`: every component's states with the changes, beside today.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIf {
    /// The model's name.
    pub model: String,
    /// The components and domains taken down for sure.
    pub failed: Vec<String>,
    /// The components and domains given new availabilities.
    pub improved: Vec<Improvement>,
    /// Every component, in the model's order.
    pub components: Vec<ComponentWhatIf>,
}

/// The system with new availabilities, as if the model file gave them.
pub fn with_availabilities(system: &System, changes: &[(Owner, Availability)]) -> System {
    let mut changed = system.clone();
    for &(owner, a) in changes {
        // Repair time stays; failures become as frequent as the new availability implies.
        let failure_mean = |repair_s: f64| {
            if a.down.p > 0.0 {
                repair_s * a.down.q / a.down.p
            } else {
                f64::INFINITY
            }
        };
        match owner {
            Owner::Component(c) => {
                let comp = &mut changed.components[c];
                comp.replica_failed = a.down;
                comp.replica_down = match &comp.maintenance {
                    Some(m) if m.rolling => a
                        .down
                        .either(Odds::ratio(m.duration_s, m.every_s - m.duration_s)),
                    _ => a.down,
                };
                comp.failure.mean_s = failure_mean(comp.repair.mean_s);
            }
            Owner::Domain(d) => {
                let dom = &mut changed.domains[d];
                dom.down = a.down;
                dom.failure.mean_s = failure_mean(dom.repair.mean_s);
            }
        }
    }
    changed
}

/// The diagrams of every component's DEGRADED state, built once for any number of passes.
fn degraded_edges(
    compiled: &mut Compiled,
    structure: &Structure,
) -> Result<Vec<Edge>, EngineError> {
    structure
        .components
        .iter()
        .map(|c| {
            compiled
                .manager
                .and(compiled.gate[c.impaired], bdd::not(compiled.gate[c.down]))
                .map_err(EngineError::from)
        })
        .collect()
}

/// Every component's states and P(HUNG) under the given odds of each event, from compiled
/// diagrams.
fn states(
    compiled: &Compiled,
    structure: &Structure,
    degraded: &[Edge],
    odds: &[Odds],
) -> Vec<(StateOdds, f64)> {
    let level_odds = compiled.level_odds_of(structure, odds);
    let pq = compiled.manager.probabilities(&level_odds);
    structure
        .components
        .iter()
        .zip(degraded)
        .map(|(c, &d)| {
            let (p, q) = bdd::edge_pq(&pq, compiled.gate[c.down]);
            let states = StateOdds {
                down: Odds { p, q },
                degraded: bdd::edge_pq(&pq, d).0,
                up: bdd::edge_pq(&pq, compiled.gate[c.impaired]).1,
            };
            (states, bdd::edge_pq(&pq, compiled.gate[c.hung]).0)
        })
        .collect()
}

/// Exact states of every component with `failed` down and `improved` at new availabilities,
/// next to today's.
pub fn what_if(
    system: &System,
    failed: &[Owner],
    improved: &[(Owner, Availability)],
) -> Result<WhatIf, EngineError> {
    let baseline = Structure::new(system);
    // Failed means available 0%: every quantity derived from the availabilities (the
    // failovers, which count the replicas in service) follows as in any other model.
    let down = Availability { down: Odds::ALWAYS };
    // Later changes win: a failed owner stays failed whatever it was improved to.
    let changes: Vec<(Owner, Availability)> = (improved.iter().copied())
        .chain(failed.iter().map(|&o| (o, down)))
        .collect();
    let changed_system = with_availabilities(system, &changes);
    let changed = Structure::new(&changed_system);
    let (before, after) = exact::with_deep_stack(|| -> Result<_, EngineError> {
        let mut compiled = exact::compile(&baseline)?;
        let degraded = degraded_edges(&mut compiled, &baseline)?;
        let base_odds: Vec<Odds> = baseline.events.iter().map(|e| e.odds).collect();
        let before = states(&compiled, &baseline, &degraded, &base_odds);
        // A new availability can add or drop an event (a failover that no longer happens);
        // only when the events and gates are the same can one diagram serve both.
        let same_shape = changed.gates == baseline.gates
            && changed.events.len() == baseline.events.len()
            && changed
                .events
                .iter()
                .zip(&baseline.events)
                .all(|(a, b)| a.kind == b.kind);
        let after = if same_shape {
            let odds: Vec<Odds> = changed.events.iter().map(|e| e.odds).collect();
            states(&compiled, &baseline, &degraded, &odds)
        } else {
            let mut compiled = exact::compile(&changed)?;
            let degraded = degraded_edges(&mut compiled, &changed)?;
            let odds: Vec<Odds> = changed.events.iter().map(|e| e.odds).collect();
            states(&compiled, &changed, &degraded, &odds)
        };
        Ok((before, after))
    })?;

    // Which gates can see a changed event: only those components may differ from today.
    let changed_owners: Vec<Owner> = failed
        .iter()
        .copied()
        .chain(improved.iter().map(|&(o, _)| o))
        .collect();
    let mut affected = vec![false; baseline.gates.len()];
    for (g, gate) in baseline.gates.iter().enumerate() {
        affected[g] = match gate {
            Gate::Event(e) => changed_owners.contains(&baseline.events[*e].owner()),
            _ => gate.inputs().iter().any(|&x| affected[x]),
        };
    }

    let components = system
        .components
        .iter()
        .enumerate()
        .map(|(c, comp)| {
            let ((b, b_hung), (a, a_hung)) = (before[c], after[c]);
            let gates = baseline.components[c];
            let effect = if !affected[gates.down] && !affected[gates.impaired] {
                Effect::Untouched
            } else if a.down.q == 0.0 {
                Effect::Down
            } else if a.up == 0.0 && b.up > 0.0 {
                Effect::Degraded
            } else if a.down.p > b.down.p || (a.down.p == b.down.p && a.degraded > b.degraded) {
                Effect::Worse
            } else if a.down.p < b.down.p || a.degraded < b.degraded {
                Effect::Better
            } else {
                Effect::Untouched
            };
            ComponentWhatIf {
                name: comp.name.clone(),
                availability: a.down.q,
                unavailability: a.down.p,
                degraded: a.degraded,
                up: a.up,
                baseline_availability: b.down.q,
                baseline_unavailability: b.down.p,
                baseline_degraded: b.degraded,
                effect,
                hung: a_hung,
                baseline_hung: b_hung,
            }
        })
        .collect();
    let name_of = |o: Owner| match o {
        Owner::Component(c) => system.components[c].name.clone(),
        Owner::Domain(d) => system.domains[d].name.clone(),
    };
    Ok(WhatIf {
        model: system.name.clone(),
        failed: failed.iter().map(|&o| name_of(o)).collect(),
        improved: improved
            .iter()
            .map(|&(o, a)| Improvement {
                name: name_of(o),
                availability: a.value(),
                unavailability: a.unavailability(),
            })
            .collect(),
        components,
    })
}

/// A component's state in one state of the basic events (docs/semantics.md), ordered from best
/// to worst: "worst wins".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Working normally.
    Up,
    /// Working on fallbacks.
    Degraded,
    /// Not serving.
    Down,
    /// Down, and calls to it hang until the caller gives up.
    Hung,
}

/// Every component's state when some basic events happen and every other does not, by one pass
/// up the gates those events feed: what `what_if` gives as probabilities, for one state of the
/// events, in time proportional to the part of the model that can see them. Built once, run
/// for any number of sets of events.
pub struct Propagation<'a> {
    structure: &'a Structure,
    /// Per gate: the gates that read it.
    readers: Vec<Vec<GateId>>,
    /// Per event: its gate.
    event_gate: Vec<GateId>,
    /// The value of every gate in the last run; false outside what the last run touched.
    value: Vec<bool>,
    touched: Vec<GateId>,
    seen: Vec<bool>,
}

impl<'a> Propagation<'a> {
    /// Indexes `structure` for propagation: which gates read each gate.
    pub fn new(structure: &'a Structure) -> Propagation<'a> {
        let n = structure.gates.len();
        let mut readers = vec![Vec::new(); n];
        let mut event_gate = vec![crate::structure::NEVER; structure.events.len()];
        for (g, gate) in structure.gates.iter().enumerate() {
            if let Gate::Event(e) = gate {
                event_gate[*e] = g;
            }
            for &x in gate.inputs() {
                readers[x].push(g);
            }
        }
        Propagation {
            structure,
            readers,
            event_gate,
            value: vec![false; n],
            touched: Vec::new(),
            seen: vec![false; n],
        }
    }

    /// Makes exactly `events` happen. Every other gate keeps the value it has with nothing
    /// happening, which is false: the gates are monotone and `Never` never happens.
    pub fn run(&mut self, events: &[EventId]) {
        for &g in &self.touched {
            self.value[g] = false;
            self.seen[g] = false;
        }
        self.touched.clear();
        // Everything the events can reach, then evaluated in gate order (inputs first).
        let mut stack: Vec<GateId> = events.iter().map(|&e| self.event_gate[e]).collect();
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut self.seen[g], true) {
                continue;
            }
            self.touched.push(g);
            stack.extend(self.readers[g].iter().filter(|&&r| !self.seen[r]));
        }
        self.touched.sort_unstable();
        for &g in &self.touched {
            self.value[g] = self.structure.gates[g].holds(&self.value, |_| true);
        }
    }

    /// Component `c`'s state after the last run.
    pub fn state(&self, c: ComponentId) -> State {
        let gates = self.structure.components[c];
        if self.value[gates.hung] {
            State::Hung
        } else if self.value[gates.down] {
            State::Down
        } else if self.value[gates.impaired] {
            State::Degraded
        } else {
            State::Up
        }
    }
}
