//! The system lowered to Boolean functions over basic events (docs/semantics.md), once for every engine.
//!
//! [`lower`] is the one place where the model's meaning is written: a component is DOWN when
//! too few replicas are up (each down on its own, in its rolling maintenance turn, or with its
//! domain chain), in whole-component maintenance, failing over, or when a dependency says so;
//! it is impaired (DOWN or DEGRADED) when a fail-open dependency is impaired. Each engine gives
//! it a [`Gates`] builder: the exact engines' [`Structure`] (monotone gates over independent
//! events, equal sub-functions shared) and the timeline simulation's network (gates over
//! sources driven by clocks, with delays for `tolerate`). A semantic change is made here once.
//!
//! Every component gets two monotone gates: `down` (the component is DOWN) and `impaired` (it
//! is not UP). The basic events are independent, except that the rolling-maintenance turns of
//! one component's replicas are mutually exclusive (an [`Exclusive`] group): the windows follow
//! each other and never overlap.

use std::collections::HashMap;

use crate::model::units::Odds;
use crate::system::{ComponentId, DependencyTarget, DomainId, OnFailure, System};

/// A basic event's index in [`Structure::events`].
pub type EventId = usize;
/// A gate's index in [`Structure::gates`]; [`NEVER`] is 0.
pub type GateId = usize;

/// What a basic event stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Replica `index` of a component has failed on its own.
    Replica {
        /// The component.
        component: ComponentId,
        /// The replica, from 0.
        index: u32,
    },
    /// Replica `index` of a component is in its turn of rolling maintenance.
    RollingMaintenance {
        /// The component.
        component: ComponentId,
        /// The replica, from 0.
        index: u32,
    },
    /// A domain itself is down.
    Domain(DomainId),
    /// A component is in whole-component maintenance.
    Maintenance(ComponentId),
    /// A component is failing over after a replica failure.
    Failover(ComponentId),
    /// Calls to a component hang in its present capacity failure (an independent split of it).
    Hang(ComponentId),
    /// The breaker on entry `entry` of a component's dependencies is still opening after its
    /// target started failing: the caller is DOWN meanwhile.
    Breaker {
        /// The calling component.
        component: ComponentId,
        /// The entry's index in the caller's dependencies.
        entry: u32,
    },
}

impl EventKind {
    /// The component or domain the event belongs to.
    pub fn owner(self) -> Owner {
        match self {
            EventKind::Replica { component, .. }
            | EventKind::RollingMaintenance { component, .. }
            | EventKind::Maintenance(component)
            | EventKind::Failover(component)
            | EventKind::Hang(component)
            | EventKind::Breaker { component, .. } => Owner::Component(component),
            EventKind::Domain(d) => Owner::Domain(d),
        }
    }
}

/// How an engine stores the gates [`lower`] asks for.
pub trait Gates {
    /// How the engine refers to a basic event or a gate.
    type Node: Copy + PartialEq;
    /// The node that is never true.
    const NEVER: Self::Node;
    /// A new basic event (a source of the network).
    fn event(&mut self, system: &System, kind: EventKind) -> Self::Node;
    /// A node true when any input is.
    fn or(&mut self, inputs: Vec<Self::Node>) -> Self::Node;
    /// A node true when every input is.
    fn and(&mut self, inputs: Vec<Self::Node>) -> Self::Node;
    /// At least `k` of the inputs, each counted as often as it is listed.
    fn at_least(&mut self, k: u32, inputs: Vec<Self::Node>) -> Self::Node;
    /// A dependency's state as its caller sees it through `tolerate`: outages shorter than
    /// `seconds` are hidden. Steady-state engines keep the state as it is (conservative).
    fn tolerate(&mut self, _seconds: Option<f64>, input: Self::Node) -> Self::Node {
        input
    }
    /// These events (made by `event`, in this order) never happen together.
    fn exclusive(&mut self, _events: &[Self::Node]) {}
    /// The part of component `c`'s capacity failure in which calls to it hang. Steady-state
    /// engines split it with an independent event of probability `hang`; the timeline draws
    /// the split once per outage.
    fn hang(&mut self, system: &System, c: ComponentId, capacity: Self::Node) -> Self::Node {
        let split = self.event(system, EventKind::Hang(c));
        self.and(vec![capacity, split])
    }
    /// The caller's DOWN time while the breaker on its entry `entry` opens: the first `seconds`
    /// of each outage of the target (`target_down`). Steady-state engines take it as an
    /// independent event of probability outage frequency × `seconds`.
    fn breaker(
        &mut self,
        system: &System,
        c: ComponentId,
        entry: u32,
        _seconds: f64,
        _target_down: Self::Node,
    ) -> Self::Node {
        self.event(
            system,
            EventKind::Breaker {
                component: c,
                entry,
            },
        )
    }
}

/// One component's nodes, as [`lower`] built them.
#[derive(Clone, Debug)]
pub struct LoweredComponent<N> {
    /// Its own failures: too few replicas, maintenance, failover (dependencies aside).
    pub local: N,
    /// DOWN: its own failures, or a dependency that takes it down.
    pub down: N,
    /// Impaired: DOWN or DEGRADED, that is, not UP.
    pub impaired: N,
    /// Too few replicas up: at least `need` of `replica_down`.
    pub capacity: N,
    /// How many replicas down make it DOWN: `replicas - min_available + 1`.
    pub need: u32,
    /// Per replica: out of service (failed, in its maintenance turn, or its domain down).
    pub replica_down: Vec<N>,
    /// Per replica: its own failure event.
    pub replica_failed: Vec<N>,
    /// Per replica: its rolling-maintenance event, if any.
    pub replica_maintenance: Vec<Option<N>>,
    /// Its whole-component maintenance event, if any.
    pub maintenance: Option<N>,
    /// Its failover event, if it can fail over.
    pub failover: Option<N>,
    /// HUNG: calls to it hang (a part of `down`).
    pub hung: N,
}

/// The whole system's nodes.
#[derive(Clone, Debug)]
pub struct Lowered<N> {
    /// Per domain: its own event.
    pub domain_events: Vec<N>,
    /// Per component, in the system's order.
    pub components: Vec<LoweredComponent<N>>,
}

/// Writes the system's meaning into `g`.
pub fn lower<G: Gates>(system: &System, g: &mut G) -> Lowered<G::Node> {
    let order = crate::graph::topological_order(system).expect("a validated system is acyclic");
    let domain_events: Vec<G::Node> = (0..system.domains.len())
        .map(|d| g.event(system, EventKind::Domain(d)))
        .collect();
    // A domain is down when it or any ancestor is down; parents come first in the chain.
    let mut domain_down: Vec<Option<G::Node>> = vec![None; system.domains.len()];
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
                domain_down[x] = Some(match system.domains[x].parent {
                    Some(p) => g.or(vec![domain_down[p].expect("parents first"), own]),
                    None => own,
                });
            }
        }
    }
    let mut components: Vec<Option<LoweredComponent<G::Node>>> =
        vec![None; system.components.len()];
    for &c in &order {
        let comp = &system.components[c];
        let maintenance = comp.maintenance.as_ref().filter(|m| m.duration_s > 0.0);
        let mut own_parts = Vec::new();
        let whole = maintenance
            .filter(|m| !m.rolling)
            .map(|_| g.event(system, EventKind::Maintenance(c)));
        own_parts.extend(whole);
        // A single replica has nobody to fail over to, and with every replica needed a
        // failure takes the component down anyway.
        let failover = (comp.failover_s > 0.0 && comp.replicas > comp.min_available)
            .then(|| g.event(system, EventKind::Failover(c)));
        own_parts.extend(failover);
        let n = comp.replicas;
        let mut replica_failed = Vec::with_capacity(n as usize);
        let mut replica_maintenance = Vec::with_capacity(n as usize);
        let mut replica_down = Vec::with_capacity(n as usize);
        for i in 0..n {
            let failed = g.event(
                system,
                EventKind::Replica {
                    component: c,
                    index: i,
                },
            );
            let turn = maintenance.filter(|m| m.rolling).map(|_| {
                g.event(
                    system,
                    EventKind::RollingMaintenance {
                        component: c,
                        index: i,
                    },
                )
            });
            let mut parts = vec![failed];
            parts.extend(turn);
            if let Some(d) = comp.replica_domains[i as usize] {
                parts.push(domain_down[d].expect("every domain has a gate"));
            }
            replica_failed.push(failed);
            replica_maintenance.push(turn);
            replica_down.push(g.or(parts));
        }
        let turns: Vec<G::Node> = replica_maintenance.iter().flatten().copied().collect();
        if turns.len() > 1 {
            g.exclusive(&turns);
        }
        // DOWN when fewer than min_available replicas are up: n - k + 1 of them down.
        let need = n - comp.min_available + 1;
        let capacity = g.at_least(need, replica_down.clone());
        own_parts.push(capacity);
        let local = g.or(own_parts);
        let mut down_parts = vec![local];
        let mut impaired_parts = Vec::new();
        let mut hung_parts = Vec::new();
        if comp.hang > 0.0 {
            hung_parts.push(g.hang(system, c, capacity));
        }
        for (entry, dep) in comp.dependencies.iter().enumerate() {
            let lowered = |t: &ComponentId| components[*t].as_ref().expect("dependencies first");
            // A group is as good as its k-th best member: HUNG when too few are anything better.
            let (down, impaired, hung) = match &dep.target {
                DependencyTarget::Component(t) => {
                    (lowered(t).down, lowered(t).impaired, lowered(t).hung)
                }
                DependencyTarget::Group { at_least, members } => {
                    let need = members.len() as u32 - at_least + 1;
                    let downs = members.iter().map(|m| lowered(m).down).collect();
                    let impaireds = members.iter().map(|m| lowered(m).impaired).collect();
                    let hungs = members.iter().map(|m| lowered(m).hung).collect();
                    (
                        g.at_least(need, downs),
                        g.at_least(need, impaireds),
                        g.at_least(need, hungs),
                    )
                }
            };
            if dep.queue.is_some() {
                // Work waits in the queue: the producer runs on, late but not down.
                impaired_parts.push(down);
                continue;
            }
            let down = g.tolerate(dep.tolerate_s, down);
            let impaired = g.tolerate(dep.tolerate_s, impaired);
            // Unprotected, a hung target hangs the caller whatever on_failure says: the call
            // never returns, so no fallback is tried.
            if !dep.protects(comp.deadline_s) {
                hung_parts.push(g.tolerate(dep.tolerate_s, hung));
            }
            // Failing hard, the caller is DOWN through the whole outage anyway: the breaker
            // costs it nothing more.
            if let Some(t) = dep
                .breaker_s
                .filter(|&t| t > 0.0 && dep.on_failure != OnFailure::Fail)
            {
                down_parts.push(g.breaker(system, c, entry as u32, t, down));
            }
            match dep.on_failure {
                OnFailure::Fail => {
                    down_parts.push(down);
                    impaired_parts.push(impaired);
                }
                OnFailure::Degrade => {
                    if let Some(f) = dep.fallback {
                        let fallback = components[f].as_ref().expect("fallbacks first").down;
                        down_parts.push(g.and(vec![down, fallback]));
                    }
                    impaired_parts.push(impaired);
                }
                OnFailure::Ignore => {}
            }
        }
        // A part of DOWN is already in `down`: left out, so that a component whose
        // dependencies cannot degrade it has impaired = down (one gate, not two equal ones).
        let hung = g.or(hung_parts.clone());
        down_parts.extend(hung_parts);
        impaired_parts.retain(|x| !down_parts.contains(x));
        let down = g.or(down_parts);
        impaired_parts.push(down);
        let impaired = g.or(impaired_parts);
        components[c] = Some(LoweredComponent {
            local,
            down,
            impaired,
            capacity,
            need,
            replica_down,
            replica_failed,
            replica_maintenance,
            maintenance: whole,
            failover,
            hung,
        });
    }
    Lowered {
        domain_events,
        components: components
            .into_iter()
            .map(|c| c.expect("every component lowered"))
            .collect(),
    }
}

/// An independent event of the model: something down, with its probability.
#[derive(Clone, Debug)]
pub struct BasicEvent {
    /// A readable name: the component (with `[i]` for one of several replicas) or domain, and what
    /// happened to it.
    pub name: String,
    /// What the event stands for.
    pub kind: EventKind,
    /// P(the event happens): the thing it stands for is down.
    pub odds: Odds,
}

impl BasicEvent {
    /// The component or domain the event belongs to.
    pub fn owner(&self) -> Owner {
        self.kind.owner()
    }
}

/// The component or domain a basic event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// A component.
    Component(ComponentId),
    /// A domain.
    Domain(DomainId),
}

/// A monotone gate; its inputs always have smaller ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Gate {
    /// Never true.
    Never,
    /// True when the basic event happens.
    Event(EventId),
    /// True when any input is.
    Or(Vec<GateId>),
    /// True when every input is.
    And(Vec<GateId>),
    /// At least `k` of the inputs happen (2 ≤ k < inputs).
    AtLeast(u32, Vec<GateId>),
}

impl Gate {
    /// The gates this one reads.
    pub fn inputs(&self) -> &[GateId] {
        match self {
            Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => xs,
            Gate::Never | Gate::Event(_) => &[],
        }
    }

    /// Whether the gate happens, given whether each gate below it does; `event` says whether
    /// an event gate's event happens.
    pub fn holds(&self, value: &[bool], event: impl FnOnce(EventId) -> bool) -> bool {
        match self {
            Gate::Never => false,
            Gate::Event(e) => event(*e),
            Gate::Or(xs) => xs.iter().any(|&x| value[x]),
            Gate::And(xs) => xs.iter().all(|&x| value[x]),
            Gate::AtLeast(k, xs) => xs.iter().filter(|&&x| value[x]).count() >= *k as usize,
        }
    }
}

/// The cone of `roots`: every gate they read, directly or not, themselves included. A gate for
/// which `stop` holds is in the cone but not walked below (a leaf of the caller's own).
pub fn cone(
    gates: &[Gate],
    roots: impl IntoIterator<Item = GateId>,
    stop: impl Fn(GateId) -> bool,
) -> Vec<bool> {
    let mut seen = vec![false; gates.len()];
    let mut stack: Vec<GateId> = roots.into_iter().collect();
    while let Some(g) = stack.pop() {
        if std::mem::replace(&mut seen[g], true) || stop(g) {
            continue;
        }
        stack.extend(gates[g].inputs().iter().filter(|&&x| !seen[x]));
    }
    seen
}

/// A component's gates in a [`Structure`].
#[derive(Clone, Copy, Debug)]
pub struct ComponentGates {
    /// The component's own failures: too few replicas, maintenance, failover. Only its own
    /// events and its domains' feed this gate.
    pub local: GateId,
    /// True when the component is DOWN.
    pub down: GateId,
    /// True when the component is not UP (DOWN or DEGRADED).
    pub impaired: GateId,
    /// HUNG, a part of `down`.
    pub hung: GateId,
}

/// A component's replicas as one k-of-n gate, for engines that count rather than enumerate.
#[derive(Clone, Debug)]
pub struct Capacity {
    /// At least `need` replicas down (on their own or with their domain): too few up.
    pub gate: GateId,
    /// How many replicas down make the component DOWN.
    pub need: u32,
    /// Each replica's own failure event and the domain it lives in.
    pub replicas: Vec<(EventId, Option<DomainId>)>,
    /// Each replica's rolling-maintenance turn (an exclusive group), when it has one.
    pub turns: Vec<EventId>,
}

/// A circuit breaker's event: DOWN for `seconds` per outage of its target, whose DOWN gate is
/// `target_down`.
#[derive(Clone, Debug)]
pub struct Breaker {
    /// The breaker's event.
    pub event: EventId,
    /// The DOWN gate of the dependency's target.
    pub target_down: GateId,
    /// How long the breaker takes to open, in seconds.
    pub seconds: f64,
}

/// Events of which at most one happens: the `members`' own odds are their marginal
/// probabilities, and P(none) = 1 − their sum.
#[derive(Clone, Debug)]
pub struct Exclusive {
    /// The events of the group.
    pub members: Vec<EventId>,
}

/// The model lowered to monotone gates over basic events: what the exact engines read. A
/// component's unavailability is the probability of its `down` gate.
#[derive(Clone, Debug)]
pub struct Structure {
    /// The basic events, each with its probability; independent except within
    /// [`Structure::exclusive`] groups.
    pub events: Vec<BasicEvent>,
    /// Topologically ordered: every gate after its inputs.
    pub gates: Vec<Gate>,
    /// Each component's gates, in the system's order.
    pub components: Vec<ComponentGates>,
    /// The event of each domain, and its parent domain.
    pub domains: Vec<(EventId, Option<DomainId>)>,
    /// Each component's replicas, in the system's order.
    pub capacity: Vec<Capacity>,
    /// Groups of mutually exclusive events; every other event is independent of all others.
    pub exclusive: Vec<Exclusive>,
    /// Per event: its group and its place in it.
    pub group_of: Vec<Option<(u32, u32)>>,
    /// The circuit breakers, in the order of their events.
    pub breakers: Vec<Breaker>,
}

/// The gate that is never true.
pub const NEVER: GateId = 0;

impl Structure {
    /// Lowers a validated system: its events, its gates and every component's DOWN and impaired
    /// gate.
    pub fn new(system: &System) -> Structure {
        let mut b = Builder::default();
        b.gates.push(Gate::Never);
        let lowered = lower(system, &mut b);
        let event_of = |b: &Builder, g: GateId| match b.gates[g] {
            Gate::Event(e) => e,
            _ => unreachable!("an event's gate is the event"),
        };
        let capacity = lowered
            .components
            .iter()
            .zip(&system.components)
            .map(|(l, comp)| Capacity {
                gate: l.capacity,
                need: l.need,
                replicas: l
                    .replica_failed
                    .iter()
                    .zip(&comp.replica_domains)
                    .map(|(&g, &d)| (event_of(&b, g), d))
                    .collect(),
                turns: l
                    .replica_maintenance
                    .iter()
                    .flatten()
                    .map(|&g| event_of(&b, g))
                    .collect(),
            })
            .collect();
        let domains = (lowered.domain_events.iter())
            .zip(&system.domains)
            .map(|(&g, d)| (event_of(&b, g), d.parent))
            .collect();
        let mut group_of = vec![None; b.events.len()];
        for (i, group) in b.exclusive.iter().enumerate() {
            for (j, &e) in group.members.iter().enumerate() {
                group_of[e] = Some((i as u32, j as u32));
            }
        }
        let mut structure = Structure {
            events: b.events,
            gates: b.gates,
            components: (lowered.components.iter())
                .map(|l| ComponentGates {
                    local: l.local,
                    down: l.down,
                    impaired: l.impaired,
                    hung: l.hung,
                })
                .collect(),
            domains,
            capacity,
            exclusive: b.exclusive,
            group_of,
            breakers: b.breakers,
        };
        if !structure.breakers.is_empty() {
            crate::exact::frequency::charge_breakers(&mut structure, system);
        }
        structure
    }

    /// The odds of each event's decision variable, given the events' own odds: an independent
    /// event's are its own; within an exclusive group, member i happens when variable i does
    /// and no earlier one did, so variable i carries P(member i | no earlier member).
    pub fn variable_odds(&self, odds: &[Odds]) -> Vec<Odds> {
        let mut v = odds.to_vec();
        for group in &self.exclusive {
            // P(no member up to here), summed from the marginals: 1 − Σ p.
            let mut none = 1.0f64;
            let mut taken = 0.0f64;
            for &e in &group.members {
                let p = odds[e].p;
                let left = (none - p).max(0.0);
                v[e] = if none > 0.0 {
                    Odds {
                        p: (p / none).min(1.0),
                        q: left / none,
                    }
                } else {
                    Odds::NEVER
                };
                taken += p;
                none = (1.0 - taken).max(0.0);
            }
        }
        v
    }

    /// The earlier members of `e`'s exclusive group: their variables must be false for `e`
    /// to happen.
    pub fn excluded_by(&self, e: EventId) -> &[EventId] {
        match self.group_of[e] {
            Some((g, i)) => &self.exclusive[g as usize].members[..i as usize],
            None => &[],
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
                Gate::Event(e) => events.push(*e),
                gate => stack.extend(gate.inputs().iter().filter(|&&x| !seen[x])),
            }
        }
        events.sort_unstable();
        events
    }
}

/// Builds the exact engines' gates, with simplification and sharing of equal gates.
#[derive(Default)]
struct Builder {
    events: Vec<BasicEvent>,
    gates: Vec<Gate>,
    known: HashMap<Gate, GateId>,
    exclusive: Vec<Exclusive>,
    breakers: Vec<Breaker>,
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

    fn normalise(mut inputs: Vec<GateId>) -> Vec<GateId> {
        inputs.sort_unstable();
        inputs.dedup();
        inputs
    }
}

/// The name of an event in explanations: a component's name for its only replica, `name[i]`
/// for replica i, the domain's name, `name:maintenance` and `name:failover`.
fn event_name(system: &System, kind: EventKind) -> String {
    let replica = |c: ComponentId, i: u32| {
        let comp = &system.components[c];
        if comp.replicas == 1 {
            comp.name.clone()
        } else {
            format!("{}[{i}]", comp.name)
        }
    };
    match kind {
        EventKind::Replica { component, index } => replica(component, index),
        EventKind::RollingMaintenance { component, index } => {
            format!("{}:maintenance", replica(component, index))
        }
        EventKind::Domain(d) => system.domains[d].name.clone(),
        EventKind::Maintenance(c) => format!("{}:maintenance", system.components[c].name),
        EventKind::Failover(c) => format!("{}:failover", system.components[c].name),
        EventKind::Hang(c) => format!("{}:hang", system.components[c].name),
        EventKind::Breaker { component, entry } => {
            let comp = &system.components[component];
            let targets: Vec<&str> = comp.dependencies[entry as usize]
                .targets()
                .iter()
                .map(|&t| system.components[t].name.as_str())
                .collect();
            format!("{}:breaker({})", comp.name, targets.join(","))
        }
    }
}

/// P(the event happens) in `system`: what a basic event's odds are, and what they become when
/// only the system's probabilities change (the gates stay as they are).
pub fn event_odds(system: &System, kind: EventKind) -> Odds {
    match kind {
        EventKind::Replica { component, .. } => system.components[component].replica_failed,
        EventKind::RollingMaintenance { component, .. } => {
            let m = (system.components[component].maintenance.as_ref())
                .expect("a turn of maintenance has a maintenance");
            Odds::ratio(m.duration_s, m.every_s - m.duration_s)
        }
        EventKind::Domain(d) => system.domains[d].down,
        EventKind::Maintenance(c) => (system.components[c].maintenance_down())
            .expect("a maintenance event has a maintenance"),
        EventKind::Failover(c) => system.failover_down(c),
        EventKind::Hang(c) => Odds::from_p(system.components[c].hang),
        // Charged once the whole structure is known (`Structure::new`).
        EventKind::Breaker { .. } => Odds::NEVER,
    }
}

impl Gates for Builder {
    type Node = GateId;
    const NEVER: GateId = NEVER;

    fn event(&mut self, system: &System, kind: EventKind) -> GateId {
        let odds = event_odds(system, kind);
        let id = self.events.len();
        self.events.push(BasicEvent {
            name: event_name(system, kind),
            kind,
            odds,
        });
        self.intern(Gate::Event(id))
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

    /// Inputs that repeat count once each time they are listed, so they are kept as listed
    /// (the same component twice cannot occur in a group).
    fn at_least(&mut self, k: u32, inputs: Vec<GateId>) -> GateId {
        let live: Vec<GateId> = inputs.into_iter().filter(|&g| g != NEVER).collect();
        let n = live.len() as u32;
        assert!(k > 0, "at_least is only asked for one or more");
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

    fn breaker(
        &mut self,
        system: &System,
        c: ComponentId,
        entry: u32,
        seconds: f64,
        target_down: GateId,
    ) -> GateId {
        let gate = self.event(
            system,
            EventKind::Breaker {
                component: c,
                entry,
            },
        );
        self.breakers.push(Breaker {
            event: self.events.len() - 1,
            target_down,
            seconds,
        });
        gate
    }

    fn exclusive(&mut self, events: &[GateId]) {
        let members = events
            .iter()
            .map(|&g| match self.gates[g] {
                Gate::Event(e) => e,
                _ => unreachable!("exclusive groups are of events"),
            })
            .collect();
        self.exclusive.push(Exclusive { members });
    }
}

impl Structure {
    /// For each gate of `wanted`, the components and domains whose failure alone (all of a
    /// component's events at once, or a domain and so everything in it, with everything else up)
    /// makes the gate happen. For a component's `down` gate these are its single points of
    /// failure.
    ///
    /// Exact for monotone gates: with one unit failed, an Or happens when an input does, an And
    /// when all do, an AtLeast(k) when k do.
    pub fn single_points(&self, wanted: &[GateId]) -> Vec<Vec<Owner>> {
        self.alone(wanted, |e| {
            // A breaker opening is the passing consequence of its target's outage, not a
            // failure of anything.
            (!matches!(self.events[e].kind, EventKind::Breaker { .. }))
                .then(|| self.events[e].owner())
        })
    }

    /// For each gate of `wanted`, sorted, the units whose occurrence alone (with everything else
    /// absent) makes it happen, where `unit` names the unit of an event (None: the event is
    /// never counted).
    ///
    /// Only the gates below the wanted ones are worked out, and a gate's set is dropped (or
    /// handed on, not copied, to an Or that is its last reader) once read: along a chain of n
    /// gates the sets grow to n units each, and keeping them all took memory and time n².
    pub fn alone<T: Ord + Copy + std::hash::Hash>(
        &self,
        wanted: &[GateId],
        unit: impl Fn(EventId) -> Option<T>,
    ) -> Vec<Vec<T>> {
        use std::collections::HashSet;
        let Some(&last) = wanted.iter().max() else {
            return Vec::new();
        };
        let mut needed = vec![false; last + 1];
        for &g in wanted {
            needed[g] = true;
        }
        for g in (0..=last).rev() {
            if needed[g] {
                for &x in self.gates[g].inputs() {
                    needed[x] = true;
                }
            }
        }
        // Reads still to come of each gate's set; a wanted gate's is read once more at the end.
        let mut reads = vec![0u32; last + 1];
        for g in (0..=last).filter(|&g| needed[g]) {
            for &x in self.gates[g].inputs() {
                reads[x] += 1;
            }
        }
        for &g in wanted {
            reads[g] += 1;
        }
        let mut sets: Vec<Option<HashSet<T>>> = (0..=last).map(|_| None).collect();
        for g in (0..=last).filter(|&g| needed[g]) {
            let gate = &self.gates[g];
            let xs = gate.inputs();
            let set: HashSet<T> = match gate {
                Gate::Never => HashSet::new(),
                Gate::Event(e) => unit(*e).into_iter().collect(),
                Gate::Or(_) => match xs.iter().max_by_key(|&&x| set_of(&sets, x).len()) {
                    None => HashSet::new(),
                    // The largest input's set grows by the others' (each unit is then moved
                    // O(log n) times in all).
                    Some(&big) => {
                        let mut set = if reads[big] == 1 {
                            sets[big].take().expect("inputs come before their gates")
                        } else {
                            set_of(&sets, big).clone()
                        };
                        for &x in xs.iter().filter(|&&x| x != big) {
                            set.extend(set_of(&sets, x).iter().copied());
                        }
                        set
                    }
                },
                Gate::And(_) => match xs.iter().min_by_key(|&&x| set_of(&sets, x).len()) {
                    None => HashSet::new(),
                    Some(&small) => set_of(&sets, small)
                        .iter()
                        .copied()
                        .filter(|t| xs.iter().all(|&x| set_of(&sets, x).contains(t)))
                        .collect(),
                },
                Gate::AtLeast(k, _) => {
                    let mut counts: HashMap<T, usize> = HashMap::new();
                    for &x in xs {
                        for &t in set_of(&sets, x) {
                            *counts.entry(t).or_default() += 1;
                        }
                    }
                    counts
                        .into_iter()
                        .filter(|&(_, n)| n >= *k as usize)
                        .map(|(t, _)| t)
                        .collect()
                }
            };
            for &x in xs {
                reads[x] -= 1;
                if reads[x] == 0 {
                    sets[x] = None;
                }
            }
            sets[g] = Some(set);
        }
        wanted
            .iter()
            .map(|&g| {
                let mut units: Vec<T> = set_of(&sets, g).iter().copied().collect();
                units.sort_unstable();
                units
            })
            .collect()
    }
}

/// A set still kept: inputs come before their gates, and wanted sets are kept to the end.
fn set_of<T>(
    sets: &[Option<std::collections::HashSet<T>>],
    g: GateId,
) -> &std::collections::HashSet<T> {
    sets[g]
        .as_ref()
        .expect("a set is kept until its last reader")
}
