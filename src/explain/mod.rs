//! Explaining a result: why a component goes down (importance measures, minimal cut sets,
//! single points of failure, where to invest), what happens if something fails (what-if), and
//! who may spend how much of an error budget.
//!
//! Everything here reads the exact engine's decision diagrams: a measure for every contributor
//! comes from a few passes over the diagram of the component asked about, never from
//! re-evaluating the model once per contributor.

pub mod budget;
pub mod chaos;
pub mod cutsets;
pub mod explanation;
pub mod importance;
pub mod recovery;
pub mod whatif;

use serde::Serialize;

use crate::exact::Compiled;
use crate::exact::bdd::{self, Edge, Manager, TooLarge};
use crate::model::error::did_you_mean;
use crate::structure::{EventId, EventKind, Gate, GateId, Owner, Structure};
use crate::system::{ComponentId, System};

/// What a contributor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A component: its replicas, maintenance and failover.
    Component,
    /// A shared failure domain.
    Domain,
}

/// A component or a domain, with the basic events it owns: importance treats them as one
/// (all failed together, or all perfect).
#[derive(Clone, Debug)]
pub struct Contributor {
    /// The component's or domain's name.
    pub name: String,
    /// Which component or domain it is.
    pub owner: Owner,
    /// The basic events it owns.
    pub events: Vec<EventId>,
}

impl Contributor {
    /// Whether it is a component or a domain.
    pub fn kind(&self) -> Kind {
        match self.owner {
            Owner::Component(_) => Kind::Component,
            Owner::Domain(_) => Kind::Domain,
        }
    }
}

/// Every component and domain that owns at least one basic event, components first, each in
/// the model's order.
pub fn contributors(system: &System, structure: &Structure) -> Vec<Contributor> {
    let mut of_component: Vec<Vec<EventId>> = vec![Vec::new(); system.components.len()];
    let mut of_domain: Vec<Vec<EventId>> = vec![Vec::new(); system.domains.len()];
    for (e, event) in structure.events.iter().enumerate() {
        // A component fails through its capacity; whether its calls then hang stays the split
        // it is, and a breaker opening is its target's outage, not a failure of its own.
        if matches!(event.kind, EventKind::Hang(_) | EventKind::Breaker { .. }) {
            continue;
        }
        match event.owner() {
            Owner::Component(c) => of_component[c].push(e),
            Owner::Domain(d) => of_domain[d].push(e),
        }
    }
    let components = of_component
        .into_iter()
        .enumerate()
        .filter(|(_, events)| !events.is_empty())
        .map(|(c, events)| Contributor {
            name: system.components[c].name.clone(),
            owner: Owner::Component(c),
            events,
        });
    let domains = of_domain
        .into_iter()
        .enumerate()
        .filter(|(_, events)| !events.is_empty())
        .map(|(d, events)| Contributor {
            name: system.domains[d].name.clone(),
            owner: Owner::Domain(d),
            events,
        });
    components.chain(domains).collect()
}

/// A name given on the command line that is neither a component nor a domain.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct UnknownName {
    /// What is unknown, with a hint listing the names the model has.
    pub message: String,
}

fn unknown(what: &str, name: &str, candidates: Vec<&str>) -> UnknownName {
    let hint = match did_you_mean(name, candidates.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None => {
            let mut sorted = candidates.clone();
            sorted.sort_unstable();
            let shown: Vec<String> = sorted.iter().take(8).map(|n| format!("`{n}`")).collect();
            let more = if sorted.len() > 8 { ", …" } else { "" };
            format!("the model has {}{more}", shown.join(", "))
        }
    };
    UnknownName {
        message: format!("unknown {what} `{name}`\n  = hint: {hint}"),
    }
}

/// A component by name, with a did-you-mean for typos.
pub fn find_component(system: &System, name: &str) -> Result<ComponentId, UnknownName> {
    system.component_id(name).ok_or_else(|| {
        unknown(
            "component",
            name,
            system.components.iter().map(|c| c.name.as_str()).collect(),
        )
    })
}

/// A component or, failing that, a domain by name.
pub fn find_owner(system: &System, name: &str) -> Result<Owner, UnknownName> {
    if let Some(c) = system.component_id(name) {
        return Ok(Owner::Component(c));
    }
    if let Some(d) = system.domain_id(name) {
        return Ok(Owner::Domain(d));
    }
    Err(unknown(
        "component or domain",
        name,
        system
            .components
            .iter()
            .map(|c| c.name.as_str())
            .chain(system.domains.iter().map(|d| d.name.as_str()))
            .collect(),
    ))
}

/// Which basic events each component and domain owns, looked up once.
pub struct OwnEvents {
    /// Per component: its replica events by index (with their domains), then its maintenance
    /// and failover events.
    replicas: Vec<Vec<EventId>>,
    /// Per component: its replicas' rolling-maintenance turns, by index.
    turns: Vec<Vec<EventId>>,
    whole: Vec<Vec<EventId>>,
    domain: Vec<Option<EventId>>,
}

impl OwnEvents {
    /// Looks up, once, the events each component and domain owns in `structure`.
    pub fn new(system: &System, structure: &Structure) -> OwnEvents {
        let mut own = OwnEvents {
            replicas: vec![Vec::new(); system.components.len()],
            turns: vec![Vec::new(); system.components.len()],
            whole: vec![Vec::new(); system.components.len()],
            domain: vec![None; system.domains.len()],
        };
        for (e, ev) in structure.events.iter().enumerate() {
            match ev.kind {
                EventKind::Replica { component, .. } => own.replicas[component].push(e),
                EventKind::RollingMaintenance { component, .. } => own.turns[component].push(e),
                EventKind::Maintenance(c) | EventKind::Failover(c) => own.whole[c].push(e),
                EventKind::Domain(d) => own.domain[d] = Some(e),
                // Not part of the capacity: how calls to it fail, and a caller's breaker.
                EventKind::Hang(_) | EventKind::Breaker { .. } => {}
            }
        }
        own
    }

    /// The diagram of a component's own capacity failure: too few replicas up, its non-rolling
    /// maintenance, or a failover, dependencies left out. With `domains`, a replica also counts
    /// as down when its domain chain is; without, only the component's own events take part.
    pub fn down(
        &self,
        compiled: &mut Compiled,
        structure: &Structure,
        system: &System,
        c: ComponentId,
        domains: bool,
    ) -> Result<Edge, TooLarge> {
        let comp = &system.components[c];
        let m: &mut Manager = &mut compiled.manager;
        let mut replicas = Vec::with_capacity(self.replicas[c].len());
        let mut turns = crate::exact::EventEdges::new(structure, false);
        for (i, &e) in self.replicas[c].iter().enumerate() {
            let mut edge = m.variable(compiled.level[e])?;
            if let Some(&t) = self.turns[c].get(i) {
                let turn = turns.edge(m, structure, t, |x| compiled.level[x])?;
                edge = m.or(edge, turn)?;
            }
            if let (true, EventKind::Replica { index, .. }) = (domains, structure.events[e].kind) {
                let mut d = comp.replica_domains[index as usize];
                while let Some(dom) = d {
                    if let Some(de) = self.domain[dom] {
                        let v = m.variable(compiled.level[de])?;
                        edge = m.or(edge, v)?;
                    }
                    d = system.domains[dom].parent;
                }
            }
            replicas.push(edge);
        }
        // Deepest first, as the compiler does: each step then mostly adds nodes above the rest.
        replicas.sort_by_key(|&e| std::cmp::Reverse(m.var(e)));
        let need = (comp.replicas - comp.min_available + 1) as usize;
        let mut down = if need > replicas.len() {
            bdd::ZERO
        } else {
            m.at_least(need, &replicas)?
        };
        for &e in &self.whole[c] {
            let v = m.variable(compiled.level[e])?;
            down = m.or(down, v)?;
        }
        Ok(down)
    }
}

/// The structure with every gate that `root` does not read replaced by `Never`: compiling it
/// builds the diagrams of one component's cone only. Gate ids, events and the components' gate
/// ids stay as they are; components outside the cone read as never down.
pub fn cone(structure: &Structure, root: GateId) -> Structure {
    let keep = crate::structure::cone(&structure.gates, [root], |_| false);
    let gates = structure
        .gates
        .iter()
        .zip(&keep)
        .map(|(g, &k)| if k { g.clone() } else { Gate::Never })
        .collect();
    Structure {
        events: structure.events.clone(),
        gates,
        components: structure.components.clone(),
        domains: structure.domains.clone(),
        capacity: structure.capacity.clone(),
        exclusive: structure.exclusive.clone(),
        group_of: structure.group_of.clone(),
        breakers: structure.breakers.clone(),
    }
}
