//! The system lowered to Boolean functions over independent basic events (SPEC §3).
//!
//! Every component gets two monotone gates: `down` (the component is DOWN) and `impaired` (it
//! is not UP: DOWN or DEGRADED). Both are built from the same gate network, in which equal
//! sub-functions are shared, so every engine evaluates a shared dependency once.

use std::collections::HashMap;

use crate::model::units::Odds;
use crate::system::{ComponentId, DependencyTarget, DomainId, OnFailure, System};

pub type EventId = usize;
pub type GateId = usize;

/// What a basic event stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Replica `index` of a component is down on its own (failure or rolling maintenance).
    Replica { component: ComponentId, index: u32 },
    /// A domain itself is down.
    Domain(DomainId),
    /// A component is in whole-component maintenance.
    Maintenance(ComponentId),
    /// A component is failing over after a replica failure.
    Failover(ComponentId),
}

#[derive(Clone, Debug)]
pub struct BasicEvent {
    pub name: String,
    pub kind: EventKind,
    /// P(the event happens): the thing it stands for is down.
    pub odds: Odds,
}

impl BasicEvent {
    /// The component or domain the event belongs to.
    pub fn owner(&self) -> Owner {
        match self.kind {
            EventKind::Replica { component, .. }
            | EventKind::Maintenance(component)
            | EventKind::Failover(component) => Owner::Component(component),
            EventKind::Domain(d) => Owner::Domain(d),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    Component(ComponentId),
    Domain(DomainId),
}

/// A monotone gate; its inputs always have smaller ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Gate {
    Never,
    Event(EventId),
    Or(Vec<GateId>),
    And(Vec<GateId>),
    /// At least `k` of the inputs happen (2 ≤ k < inputs).
    AtLeast(u32, Vec<GateId>),
}

#[derive(Clone, Copy, Debug)]
pub struct ComponentGates {
    /// The component's own failures: too few replicas, maintenance, failover. Only its own
    /// events and its domains' feed this gate.
    pub local: GateId,
    pub down: GateId,
    pub impaired: GateId,
}

/// A component's replicas as one k-of-n gate, for engines that count rather than enumerate.
#[derive(Clone, Debug)]
pub struct Capacity {
    /// At least `need` replicas down (on their own or with their domain): too few up.
    pub gate: GateId,
    pub need: u32,
    /// Each replica's own event and the domain it lives in.
    pub replicas: Vec<(EventId, Option<DomainId>)>,
}

#[derive(Clone, Debug)]
pub struct Structure {
    pub events: Vec<BasicEvent>,
    /// Topologically ordered: every gate after its inputs.
    pub gates: Vec<Gate>,
    pub components: Vec<ComponentGates>,
    /// The event of each domain, and its parent domain.
    pub domains: Vec<(EventId, Option<DomainId>)>,
    /// Each component's replicas, in the system's order.
    pub capacity: Vec<Capacity>,
}

pub const NEVER: GateId = 0;

impl Structure {
    pub fn new(system: &System) -> Structure {
        let order = crate::graph::topological_order(system).expect("a validated system is acyclic");
        let mut b = Builder::default();
        b.gates.push(Gate::Never);
        let domain_events: Vec<GateId> = system
            .domains
            .iter()
            .enumerate()
            .map(|(d, domain)| {
                b.event(BasicEvent {
                    name: domain.name.clone(),
                    kind: EventKind::Domain(d),
                    odds: domain.down,
                })
            })
            .collect();
        // A domain is down when it or any ancestor is down; parents come first in the chain.
        let mut domain_down: Vec<Option<GateId>> = vec![None; system.domains.len()];
        for d in 0..system.domains.len() {
            let mut chain = vec![d];
            // Up to the first ancestor with a gate: each domain is climbed once, so that a deep
            // hierarchy costs its size, not its square.
            while let Some(&x) = chain.last()
                && domain_down[x].is_none()
                && let Some(p) = system.domains[x].parent
            {
                chain.push(p);
            }
            for &x in chain.iter().rev() {
                if domain_down[x].is_none() {
                    let own = domain_events[x];
                    let g = match system.domains[x].parent {
                        Some(p) => b.or(vec![domain_down[p].expect("parents first"), own]),
                        None => own,
                    };
                    domain_down[x] = Some(g);
                }
            }
        }
        let mut components = vec![
            ComponentGates {
                local: NEVER,
                down: NEVER,
                impaired: NEVER
            };
            system.components.len()
        ];
        let mut capacity = vec![
            Capacity {
                gate: NEVER,
                need: 0,
                replicas: Vec::new(),
            };
            system.components.len()
        ];
        for &c in &order {
            let comp = &system.components[c];
            let mut down_parts = Vec::new();
            if let Some(odds) = comp.maintenance_down() {
                down_parts.push(b.event(BasicEvent {
                    name: format!("{}:maintenance", comp.name),
                    kind: EventKind::Maintenance(c),
                    odds,
                }));
            }
            if let Some(odds) = comp.failover_down() {
                down_parts.push(b.event(BasicEvent {
                    name: format!("{}:failover", comp.name),
                    kind: EventKind::Failover(c),
                    odds,
                }));
            }
            let replicas: Vec<GateId> = (0..comp.replicas)
                .map(|i| {
                    let name = if comp.replicas == 1 {
                        comp.name.clone()
                    } else {
                        format!("{}[{i}]", comp.name)
                    };
                    capacity[c]
                        .replicas
                        .push((b.events.len(), comp.replica_domains[i as usize]));
                    let own = b.event(BasicEvent {
                        name,
                        kind: EventKind::Replica {
                            component: c,
                            index: i,
                        },
                        odds: comp.replica_down,
                    });
                    match comp.replica_domains[i as usize] {
                        Some(d) => {
                            b.or(vec![domain_down[d].expect("every domain has a gate"), own])
                        }
                        None => own,
                    }
                })
                .collect();
            // DOWN when fewer than min_available replicas are up: n - k + 1 of them down.
            let need = comp.replicas - comp.min_available + 1;
            capacity[c].need = need;
            capacity[c].gate = b.at_least(need, replicas);
            down_parts.push(capacity[c].gate);
            let local = b.or(down_parts);
            let mut down_parts = vec![local];
            let mut impaired_parts = Vec::new();
            for dep in &comp.dependencies {
                let (down, impaired) = match &dep.target {
                    DependencyTarget::Component(t) => {
                        (components[*t].down, components[*t].impaired)
                    }
                    DependencyTarget::Group { at_least, members } => {
                        let need = members.len() as u32 - at_least + 1;
                        let downs = members.iter().map(|m| components[*m].down).collect();
                        let impaireds = members.iter().map(|m| components[*m].impaired).collect();
                        (b.at_least(need, downs), b.at_least(need, impaireds))
                    }
                };
                match dep.on_failure {
                    OnFailure::Fail => {
                        down_parts.push(down);
                        impaired_parts.push(impaired);
                    }
                    OnFailure::Degrade => {
                        if let Some(f) = dep.fallback {
                            down_parts.push(b.and(vec![down, components[f].down]));
                        }
                        impaired_parts.push(impaired);
                    }
                    OnFailure::Ignore => {}
                }
            }
            // A part of DOWN is already in `down`: left out, so that a component whose
            // dependencies cannot degrade it has impaired = down (one gate, not two equal ones).
            impaired_parts.retain(|g| !down_parts.contains(g));
            let down = b.or(down_parts);
            impaired_parts.push(down);
            let impaired = b.or(impaired_parts);
            components[c] = ComponentGates {
                local,
                down,
                impaired,
            };
        }
        let domains = system
            .domains
            .iter()
            .enumerate()
            .map(|(d, domain)| match b.gates[domain_events[d]] {
                Gate::Event(e) => (e, domain.parent),
                _ => unreachable!("a domain's gate is its event"),
            })
            .collect();
        Structure {
            events: b.events,
            gates: b.gates,
            components,
            domains,
            capacity,
        }
    }

    /// The events that feed a gate, each once.
    pub fn support(&self, root: GateId) -> Vec<EventId> {
        let mut seen = vec![false; root + 1];
        let mut stack = vec![root];
        let mut events = Vec::new();
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut seen[g], true) {
                continue;
            }
            match &self.gates[g] {
                Gate::Never => {}
                Gate::Event(e) => events.push(*e),
                Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
                    stack.extend(xs.iter().filter(|&&x| !seen[x]))
                }
            }
        }
        events.sort_unstable();
        events
    }
}

/// Builds gates with simplification and sharing of equal gates.
#[derive(Default)]
struct Builder {
    events: Vec<BasicEvent>,
    gates: Vec<Gate>,
    known: HashMap<Gate, GateId>,
}

impl Builder {
    fn intern(&mut self, gate: Gate) -> GateId {
        if let Some(&id) = self.known.get(&gate) {
            return id;
        }
        let id = self.gates.len();
        self.gates.push(gate.clone());
        self.known.insert(gate, id);
        id
    }

    fn event(&mut self, event: BasicEvent) -> GateId {
        let id = self.events.len();
        self.events.push(event);
        self.intern(Gate::Event(id))
    }

    fn normalise(mut inputs: Vec<GateId>) -> Vec<GateId> {
        inputs.sort_unstable();
        inputs.dedup();
        inputs
    }

    fn or(&mut self, inputs: Vec<GateId>) -> GateId {
        let mut inputs = Self::normalise(inputs);
        inputs.retain(|&g| g != NEVER);
        match inputs.len() {
            0 => NEVER,
            1 => inputs[0],
            _ => self.intern(Gate::Or(inputs)),
        }
    }

    fn and(&mut self, inputs: Vec<GateId>) -> GateId {
        let inputs = Self::normalise(inputs);
        if inputs.is_empty() || inputs.contains(&NEVER) {
            return NEVER;
        }
        match inputs.len() {
            1 => inputs[0],
            _ => self.intern(Gate::And(inputs)),
        }
    }

    /// At least k of the inputs; inputs that repeat count once each time they are listed,
    /// so they are kept as listed (the same component twice cannot occur in a group).
    fn at_least(&mut self, k: u32, inputs: Vec<GateId>) -> GateId {
        let live: Vec<GateId> = inputs.into_iter().filter(|&g| g != NEVER).collect();
        let n = live.len() as u32;
        if k == 0 {
            unreachable!("at_least is only asked for one or more");
        }
        if k > n {
            return NEVER;
        }
        if k == 1 {
            return self.or(live);
        }
        if k == n {
            return self.and(live);
        }
        let mut sorted = live;
        sorted.sort_unstable();
        self.intern(Gate::AtLeast(k, sorted))
    }
}

impl Structure {
    /// For every gate, the components and domains whose failure alone (all of a component's
    /// events at once, or a domain and so everything in it, with everything else up) makes the
    /// gate happen. For a component's `down` gate these are its single points of failure.
    ///
    /// Exact for monotone gates: with one unit failed, an Or happens when an input does, an And
    /// when all do, an AtLeast(k) when k do. Cost: the sum over gates of their inputs' set sizes.
    pub fn single_points(&self) -> Vec<Vec<Owner>> {
        let mut sets: Vec<Vec<Owner>> = Vec::with_capacity(self.gates.len());
        for gate in &self.gates {
            let set = match gate {
                Gate::Never => Vec::new(),
                Gate::Event(e) => vec![self.events[*e].owner()],
                Gate::Or(xs) => {
                    let mut s: Vec<Owner> =
                        xs.iter().flat_map(|&x| sets[x].iter().copied()).collect();
                    s.sort_unstable();
                    s.dedup();
                    s
                }
                Gate::And(xs) | Gate::AtLeast(_, xs) => {
                    let need = match gate {
                        Gate::AtLeast(k, _) => *k as usize,
                        _ => xs.len(),
                    };
                    let mut all: Vec<Owner> =
                        xs.iter().flat_map(|&x| sets[x].iter().copied()).collect();
                    all.sort_unstable();
                    let mut s = Vec::new();
                    for run in all.chunk_by(|a, b| a == b) {
                        if run.len() >= need {
                            s.push(run[0]);
                        }
                    }
                    s
                }
            };
            sets.push(set);
        }
        sets
    }
}
