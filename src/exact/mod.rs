//! Exact probabilities of every component's states, from decision diagrams over the basic events.
//!
//! Cost: building is one diagram operation per gate, each bounded by the product of its inputs'
//! diagram sizes and in practice close to their sum under the variable order below; the
//! probability pass is one step per node. Shared dependencies live once in the node table.
//! [`evaluate`] works module by module ([`modular`]): an independent sub-system is one variable
//! to everything above it. [`compile`] keeps every basic event a variable, for the engines that
//! condition on events.

pub mod bdd;
pub mod modular;

use bdd::{Edge, Manager, TooLarge, Var};

use crate::model::units::Odds;
use crate::structure::{EventId, EventKind, Gate, GateId, Structure};
use crate::system::System;

/// The probabilities of a component's three states.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateOdds {
    /// P(DOWN) and P(not DOWN): unavailability and availability.
    pub down: Odds,
    /// P(DEGRADED).
    pub degraded: f64,
    /// P(UP).
    pub up: f64,
}

impl StateOdds {
    pub fn availability(&self) -> f64 {
        self.down.q
    }
    pub fn unavailability(&self) -> f64 {
        self.down.p
    }
    /// −log10(unavailability); infinite for a component that never goes down.
    pub fn nines(&self) -> f64 {
        -self.down.p.log10()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error(
        "the decision diagram grew past {0} nodes; the model is too entangled to solve exactly (try `nines sample`)"
    )]
    TooLarge(usize),
}

impl From<TooLarge> for EngineError {
    fn from(_: TooLarge) -> Self {
        EngineError::TooLarge(bdd::MAX_NODES)
    }
}

/// The structure compiled to decision diagrams: one edge per gate.
pub struct Compiled {
    pub manager: Manager,
    /// Level of each basic event in the variable order.
    pub level: Vec<Var>,
    /// The event at each level.
    pub event_at: Vec<EventId>,
    /// The diagram of each gate.
    pub gate: Vec<Edge>,
}

impl Compiled {
    /// (P, Q) of every variable level, for `Manager::probabilities`.
    pub fn level_odds(&self, structure: &Structure) -> Vec<(f64, f64)> {
        self.event_at
            .iter()
            .map(|&e| (structure.events[e].odds.p, structure.events[e].odds.q))
            .collect()
    }
}

/// Runs `f` on a thread with a deep stack: diagram operations recurse once per variable level,
/// and a 100,000-long dependency chain must not overflow.
pub fn with_deep_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(s, f)
            .expect("a thread can be started")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The variable order: domains first (they are shared by everything, so conditioning on them at
/// the top keeps the rest of the diagram small), then a depth-first walk from the components
/// nobody depends on, so that the events of one subsystem sit together.
pub fn variable_order(structure: &Structure) -> Vec<EventId> {
    let mut order: Vec<EventId> = Vec::with_capacity(structure.events.len());
    let mut placed = vec![false; structure.events.len()];
    for (e, ev) in structure.events.iter().enumerate() {
        if matches!(ev.kind, EventKind::Domain(_)) {
            placed[e] = true;
            order.push(e);
        }
    }
    let mut used_as_input = vec![false; structure.gates.len()];
    for g in &structure.gates {
        if let Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) = g {
            for &x in xs {
                used_as_input[x] = true;
            }
        }
    }
    let mut visited = vec![false; structure.gates.len()];
    let mut roots: Vec<GateId> = structure
        .components
        .iter()
        .rev()
        .flat_map(|c| [c.impaired, c.down])
        .filter(|&g| !used_as_input[g])
        .collect();
    roots.extend(
        structure
            .components
            .iter()
            .flat_map(|c| [c.down, c.impaired]),
    );
    for root in roots {
        let mut stack = vec![root];
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut visited[g], true) {
                continue;
            }
            match &structure.gates[g] {
                Gate::Never => {}
                Gate::Event(e) => {
                    if !std::mem::replace(&mut placed[*e], true) {
                        order.push(*e);
                    }
                }
                // Reversed so the first input is walked first.
                Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
                    stack.extend(xs.iter().rev().filter(|&&x| !visited[x]))
                }
            }
        }
    }
    for (e, p) in placed.iter().enumerate() {
        if !p {
            order.push(e);
        }
    }
    order
}

/// Every gate's diagram, every basic event a variable (so that it can be conditioned on).
pub fn compile(structure: &Structure) -> Result<Compiled, EngineError> {
    compile_with(structure, false)
}

/// Every gate's diagram. With `fold_certain`, events that never happen (p = 0, such as a perfect
/// component's own failure) or always happen are constants rather than variables: the
/// probabilities are the same and the diagrams smaller, but those events cannot be conditioned on.
pub fn compile_with(structure: &Structure, fold_certain: bool) -> Result<Compiled, EngineError> {
    let event_at = variable_order(structure);
    let mut level = vec![0; structure.events.len()];
    for (l, &e) in event_at.iter().enumerate() {
        level[e] = l as Var;
    }
    let mut manager = Manager::new();
    let mut gate: Vec<Edge> = Vec::with_capacity(structure.gates.len());
    for g in &structure.gates {
        let edge = match g {
            Gate::Never => bdd::ZERO,
            Gate::Event(e) => {
                let odds = structure.events[*e].odds;
                if fold_certain && odds.p == 0.0 {
                    bdd::ZERO
                } else if fold_certain && odds.q == 0.0 {
                    bdd::ONE
                } else {
                    manager.variable(level[*e])?
                }
            }
            Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
                let mut inputs: Vec<Edge> = xs.iter().map(|&x| gate[x]).collect();
                // Deepest first: each step then mostly adds nodes above what is built.
                inputs.sort_by_key(|&e| std::cmp::Reverse(manager.var(e)));
                match g {
                    Gate::Or(_) => inputs
                        .iter()
                        .try_fold(bdd::ZERO, |acc, &x| manager.or(acc, x))?,
                    Gate::And(_) => inputs
                        .iter()
                        .try_fold(bdd::ONE, |acc, &x| manager.and(acc, x))?,
                    Gate::AtLeast(k, _) => manager.at_least(*k as usize, &inputs)?,
                    _ => unreachable!(),
                }
            }
        };
        gate.push(edge);
    }
    Ok(Compiled {
        manager,
        level,
        event_at,
        gate,
    })
}

/// The exact state probabilities of every component, in the system's order.
pub fn evaluate(structure: &Structure) -> Result<Vec<StateOdds>, EngineError> {
    with_deep_stack(|| modular::evaluate(structure))
}

/// Lowers and evaluates a system.
pub fn evaluate_system(system: &System) -> Result<Vec<StateOdds>, EngineError> {
    evaluate(&Structure::new(system))
}
