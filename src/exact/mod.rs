//! Exact probabilities of every component's states, from decision diagrams over the basic events.
//!
//! Cost: building is one diagram operation per gate, each bounded by the product of its inputs'
//! diagram sizes and in practice close to their sum under the variable order below; the
//! probability pass is one step per node. Shared dependencies live once in the node table.
//! [`evaluate`] weighs the states of the domains that several components share one by one
//! (`conditioned`); without such domains it works module by module ([`modular`]): an
//! independent sub-system is one variable to everything above it. [`compile`] keeps every basic
//! event a variable, for the engines that condition on events.
//!
//! The circuit passes import one way: `shape` (cones, uses, dates and modules) at the bottom,
//! the rewrites `decompose` and `distribute` on it, `rewrite` running them, and [`modular`]
//! solving what `rewrite` leaves.

pub mod approximations;
pub mod bdd;
mod binomial;
pub mod circuit;
mod conditioned;
mod decompose;
mod distribute;
pub mod enumerate;
pub mod frequency;
pub mod modular;
mod rewrite;
mod shape;

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
    /// P(not DOWN), a probability.
    pub fn availability(&self) -> f64 {
        self.down.q
    }
    /// P(DOWN), a probability kept with its small digits.
    pub fn unavailability(&self) -> f64 {
        self.down.p
    }
    /// −log10(unavailability); infinite for a component that never goes down.
    pub fn nines(&self) -> f64 {
        -self.down.p.log10()
    }
}

/// Why an exact engine gave up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The decision diagram grew past this many nodes, or past the operation limit.
    #[error(
        "the decision diagram grew past {0} nodes or {ops} operations; the model is too entangled to solve exactly (try `nines sample`)",
        ops = bdd::MAX_STEPS
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
    /// The store of every diagram node.
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
        let odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
        self.level_odds_of(structure, &odds)
    }

    /// (P, Q) of every variable level when the events have the given odds.
    pub fn level_odds_of(&self, structure: &Structure, odds: &[Odds]) -> Vec<(f64, f64)> {
        let odds = structure.variable_odds(odds);
        self.event_at
            .iter()
            .map(|&e| (odds[e].p, odds[e].q))
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

/// The gates to walk from when ordering variables: first the components nobody depends on
/// (latest first), then every component, so that nothing is left out.
pub(crate) fn root_gates(structure: &Structure) -> Vec<GateId> {
    let mut used_as_input = vec![false; structure.gates.len()];
    for g in &structure.gates {
        for &x in g.inputs() {
            used_as_input[x] = true;
        }
    }
    let mut roots: Vec<GateId> = structure
        .components
        .iter()
        .rev()
        .flat_map(|c| [c.down, c.impaired])
        .filter(|&g| !used_as_input[g])
        .collect();
    roots.extend(
        structure
            .components
            .iter()
            .flat_map(|c| [c.down, c.impaired]),
    );
    roots
}

/// The leaves met by a depth-first walk from `roots`, each once, in the order first met.
/// `leaf` names the leaf a gate stands for (the walk does not go below it). Inputs built last
/// (a component's own events) are walked first, so that a component's variables sit above its
/// dependencies': a dependency's diagram is then a shared suffix of every dependent's, not
/// rebuilt beneath each one. Leaves never met come last.
pub(crate) fn depth_first_leaves(
    structure: &Structure,
    roots: &[GateId],
    leaf: impl Fn(GateId) -> Option<usize>,
    leaves: usize,
) -> Vec<usize> {
    // How much lies below a gate (shared parts counted again: a cheap estimate).
    let mut size = vec![0u64; structure.gates.len()];
    for (g, gate) in structure.gates.iter().enumerate() {
        size[g] = match gate {
            Gate::Never => 0,
            _ => (gate.inputs().iter()).fold(1u64, |acc, &x| acc.saturating_add(size[x])),
        };
    }
    let mut order = Vec::with_capacity(leaves);
    let mut placed = vec![false; leaves];
    let mut visited = vec![false; structure.gates.len()];
    let mut inputs = Vec::new();
    for &root in roots {
        let mut stack = vec![root];
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut visited[g], true) {
                continue;
            }
            if let Some(l) = leaf(g) {
                if !std::mem::replace(&mut placed[l], true) {
                    order.push(l);
                }
                continue;
            }
            // Smallest first (popped last pushed): combining a small function placed above a
            // large one costs the small one's size; below it, a copy of the large one.
            inputs.clear();
            inputs.extend(structure.gates[g].inputs().iter().filter(|&&x| !visited[x]));
            inputs.sort_by_key(|&x| (std::cmp::Reverse(size[x]), x));
            stack.extend(&inputs);
        }
    }
    order.extend((0..leaves).filter(|&l| !placed[l]));
    order
}

/// The variable order over every basic event: domains first (they are shared by everything, so
/// conditioning on them at the top multiplies the diagram by at most the number of distinct
/// domain states instead of entangling every level), then the depth-first walk.
pub fn variable_order(structure: &Structure) -> Vec<EventId> {
    let mut order: Vec<EventId> = structure.domains.iter().map(|&(e, _)| e).collect();
    let walked = depth_first_leaves(
        structure,
        &root_gates(structure),
        |g| match structure.gates[g] {
            Gate::Event(e) => Some(e),
            _ => None,
        },
        structure.events.len(),
    );
    order.extend(
        walked
            .into_iter()
            .filter(|&e| !matches!(structure.events[e].kind, EventKind::Domain(_))),
    );
    order
}

/// The diagram of one gate from its inputs' diagrams.
pub(crate) fn compile_gate(
    manager: &mut Manager,
    gate: &Gate,
    edges: &[Edge],
) -> Result<Edge, EngineError> {
    Ok(match gate {
        Gate::Never => bdd::ZERO,
        Gate::Event(_) => unreachable!("events are variables of the caller's order"),
        Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
            let mut inputs: Vec<Edge> = xs.iter().map(|&x| edges[x]).collect();
            // Deepest first: each step then mostly adds nodes above what is built.
            inputs.sort_by_key(|&e| std::cmp::Reverse(manager.var(e)));
            match gate {
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
    })
}

/// The diagrams of basic events as the variables at `var` encode them: an independent event is
/// its variable; member i of an exclusive group happens when its variable does and no earlier
/// member's does (the variables carry [`Structure::variable_odds`]). Members are asked for in
/// their group's order, so each group's "an earlier member happened" grows by one variable a step.
pub struct EventEdges {
    /// Per group: the next member expected and the Or of the variables before it.
    earlier: Vec<(u32, Edge)>,
    /// With `independent`, grouped events are plain variables too: a monotone stand-in for
    /// the minimal cut sets, whose engine needs one.
    independent: bool,
}

impl EventEdges {
    /// Ready to build the edges of `structure`'s events; with `independent`, members of exclusive
    /// groups are plain variables too.
    pub fn new(structure: &Structure, independent: bool) -> EventEdges {
        EventEdges {
            earlier: vec![(0, bdd::ZERO); structure.exclusive.len()],
            independent,
        }
    }

    /// The diagram of event `e`, its variables placed by `var`.
    pub fn edge(
        &mut self,
        manager: &mut Manager,
        structure: &Structure,
        e: EventId,
        var: impl Fn(EventId) -> Var,
    ) -> Result<Edge, TooLarge> {
        let own = manager.variable(var(e))?;
        let Some((g, i)) = structure.group_of[e].filter(|_| !self.independent) else {
            return Ok(own);
        };
        let slot = &mut self.earlier[g as usize];
        if slot.0 != i {
            // Out of order: the earlier members from scratch.
            *slot = (0, bdd::ZERO);
            for &x in structure.excluded_by(e) {
                let v = manager.variable(var(x))?;
                slot.1 = manager.or(slot.1, v)?;
            }
        }
        let edge = manager.and(own, bdd::not(slot.1))?;
        slot.1 = manager.or(slot.1, own)?;
        slot.0 = i + 1;
        Ok(edge)
    }
}

/// One diagram over every basic event, with a diagram for every gate.
pub fn compile(structure: &Structure) -> Result<Compiled, EngineError> {
    compile_with(structure, false)
}

/// As [`compile`], but with the events of exclusive groups as independent variables: a
/// monotone function, for the minimal cut sets (a set holding two members of one group
/// cannot happen, and its caller drops it).
pub fn compile_monotone(structure: &Structure) -> Result<Compiled, EngineError> {
    compile_inner(structure, false, true)
}

/// Every gate's diagram. With `fold_certain`, events that never happen (p = 0, such as a perfect
/// component's own failure) or always happen are constants rather than variables: the
/// probabilities are the same and the diagrams smaller, but those events cannot be conditioned on.
pub fn compile_with(structure: &Structure, fold_certain: bool) -> Result<Compiled, EngineError> {
    compile_inner(structure, fold_certain, false)
}

fn compile_inner(
    structure: &Structure,
    fold_certain: bool,
    independent: bool,
) -> Result<Compiled, EngineError> {
    let event_at = variable_order(structure);
    let mut level = vec![0; structure.events.len()];
    for (l, &e) in event_at.iter().enumerate() {
        level[e] = l as Var;
    }
    let mut manager = Manager::new();
    let mut gate: Vec<Edge> = Vec::with_capacity(structure.gates.len());
    let mut events = EventEdges::new(structure, independent);
    let odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
    let odds = structure.variable_odds(&odds);
    for g in &structure.gates {
        let edge = match g {
            Gate::Event(e) => {
                // A member of a group is folded only with the whole group (its variables
                // are read by the later members).
                let foldable = fold_certain && structure.group_of[*e].is_none();
                if foldable && odds[*e].p == 0.0 {
                    bdd::ZERO
                } else if foldable && odds[*e].q == 0.0 {
                    bdd::ONE
                } else {
                    events.edge(&mut manager, structure, *e, |x| level[x])?
                }
            }
            _ => compile_gate(&mut manager, g, &gate)?,
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
    with_deep_stack(|| {
        // Domains shared by several components: weigh their states one by one. Otherwise (or
        // past the state limit) one diagram with modules as single variables.
        match conditioned::evaluate(structure)? {
            Some(states) => Ok(states),
            None => modular::evaluate(structure),
        }
    })
}

/// One diagram over every event, independent sub-systems (modules) as single variables: exact
/// whatever the domains. A second exact method beside `evaluate`'s conditioning.
pub fn evaluate_whole(structure: &Structure) -> Result<Vec<StateOdds>, EngineError> {
    with_deep_stack(|| modular::evaluate(structure))
}

/// Each component's P(HUNG), in the system's order: zero for every component when nothing can
/// hang, else from one diagram over every event.
pub fn hung_probabilities(structure: &Structure) -> Result<Vec<f64>, EngineError> {
    if structure
        .components
        .iter()
        .all(|c| c.hung == crate::structure::NEVER)
    {
        return Ok(vec![0.0; structure.components.len()]);
    }
    with_deep_stack(|| {
        let compiled = compile(structure)?;
        let pq = compiled
            .manager
            .probabilities(&compiled.level_odds(structure));
        Ok(structure
            .components
            .iter()
            .map(|c| bdd::edge_pq(&pq, compiled.gate[c.hung]).0)
            .collect())
    })
}

/// Lowers and evaluates a system.
pub fn evaluate_system(system: &System) -> Result<Vec<StateOdds>, EngineError> {
    evaluate(&Structure::new(system))
}
