//! Building the network from the lowering that the exact engines share: sources for basic
//! events, gates interned so equal ones are built once, and the records laid out.

use std::collections::HashMap;

use super::hung::HUNG;
use super::network::{
    Clock, ComponentNet, DELAY_FED, HEADER, HangSplit, IMPAIRED, Maintenance, NEVER, Network,
    NodeId, NodeKind, REDRAW, Replica,
};
use crate::recovery::draw::RepairDraw;
use crate::sim::lifetime::Sampler;
use crate::structure::{EventKind, Gates, lower};
use crate::system::{ComponentId, FailoverOn, System};

/// Hands out the index of each distinct sampler.
#[derive(Default)]
struct Samplers {
    list: Vec<Sampler>,
    known: HashMap<(String, u64, u64), u32>,
}

impl Samplers {
    fn of(&mut self, l: &crate::system::Lifetime) -> u32 {
        let key = (
            format!("{:?}", l.kind),
            l.mean_s.to_bits(),
            l.shape.to_bits(),
        );
        *self.known.entry(key).or_insert_with(|| {
            self.list.push(Sampler::new(l));
            (self.list.len() - 1) as u32
        })
    }
}

#[derive(Default)]
struct Builder {
    kind: Vec<NodeKind>,
    inputs: Vec<Vec<NodeId>>,
    known: HashMap<(u8, u64, Vec<NodeId>), NodeId>,
}

impl Builder {
    fn push(&mut self, kind: NodeKind, inputs: Vec<NodeId>) -> NodeId {
        let id = self.kind.len() as NodeId;
        self.kind.push(kind);
        self.inputs.push(inputs);
        id
    }

    fn source(&mut self) -> NodeId {
        self.push(NodeKind::Source, Vec::new())
    }

    fn intern(&mut self, kind: NodeKind, inputs: Vec<NodeId>) -> NodeId {
        let key = match kind {
            NodeKind::Threshold(k) => (0, k as u64, inputs.clone()),
            NodeKind::Delay(t) => (1, t.to_bits(), inputs.clone()),
            NodeKind::Pulse(t) => (2, t.to_bits(), inputs.clone()),
            NodeKind::Source => unreachable!("sources are never shared"),
        };
        if let Some(&id) = self.known.get(&key) {
            return id;
        }
        let id = self.push(kind, inputs);
        self.known.insert(key, id);
        id
    }

    fn or(&mut self, inputs: Vec<NodeId>) -> NodeId {
        let mut inputs: Vec<NodeId> = inputs.into_iter().filter(|&x| x != NEVER).collect();
        inputs.sort_unstable();
        inputs.dedup();
        match inputs.len() {
            0 => NEVER,
            1 => inputs[0],
            _ => self.intern(NodeKind::Threshold(1), inputs),
        }
    }

    fn and(&mut self, inputs: Vec<NodeId>) -> NodeId {
        let mut inputs = inputs;
        inputs.sort_unstable();
        inputs.dedup();
        if inputs.is_empty() || inputs.contains(&NEVER) {
            return NEVER;
        }
        match inputs.len() {
            1 => inputs[0],
            n => self.intern(NodeKind::Threshold(n as u32), inputs),
        }
    }

    /// At least `k` of the inputs, each counted as often as it is listed.
    fn at_least(&mut self, k: u32, inputs: Vec<NodeId>) -> NodeId {
        let mut live: Vec<NodeId> = inputs.into_iter().filter(|&x| x != NEVER).collect();
        let n = live.len() as u32;
        if k == 0 || k > n {
            return NEVER;
        }
        if k == 1 {
            return self.or(live);
        }
        if k == n {
            return self.and(live);
        }
        live.sort_unstable();
        self.intern(NodeKind::Threshold(k), live)
    }

    fn delay(&mut self, tolerate: Option<f64>, input: NodeId) -> NodeId {
        match tolerate {
            Some(t) if t > 0.0 && input != NEVER => self.intern(NodeKind::Delay(t), vec![input]),
            _ => input,
        }
    }
}

/// The timeline's side of the lowering: every basic event is a source driven by a clock (a
/// replica's or domain's failures and repairs), a schedule (maintenance) or the failovers.
struct NetBuilder {
    b: Builder,
    samplers: Samplers,
    replicas: Vec<Replica>,
    domains: Vec<Clock>,
    maintenances: Vec<Maintenance>,
    hangs: Vec<HangSplit>,
}

impl Gates for NetBuilder {
    type Node = NodeId;
    const NEVER: NodeId = NEVER;

    fn event(&mut self, system: &System, kind: EventKind) -> NodeId {
        let node = self.b.source();
        match kind {
            EventKind::Replica { component, index } => {
                let comp = &system.components[component];
                self.replicas.push(Replica {
                    clock: Clock {
                        node,
                        failure: self.samplers.of(&comp.failure),
                        repair: self.samplers.of(&comp.repair),
                    },
                    component: component as u32,
                    index,
                });
            }
            EventKind::Domain(d) => {
                let domain = &system.domains[d];
                self.domains.push(Clock {
                    node,
                    failure: self.samplers.of(&domain.failure),
                    repair: self.samplers.of(&domain.repair),
                });
            }
            EventKind::Maintenance(c) | EventKind::RollingMaintenance { component: c, .. } => {
                let comp = &system.components[c];
                let m = comp
                    .maintenance
                    .as_ref()
                    .expect("a maintenance event has one");
                // Whole: the window ends the period. Rolling: one replica at a time, back to
                // back, the wave ending with the period.
                let offset = match kind {
                    EventKind::RollingMaintenance { index, .. } => {
                        let step = m.duration_s.min(m.every_s / comp.replicas as f64);
                        m.every_s - (comp.replicas - index) as f64 * step
                    }
                    _ => m.every_s - m.duration_s,
                };
                self.maintenances.push(Maintenance {
                    node,
                    component: c as u32,
                    offset,
                    duration: m.duration_s,
                    every: m.every_s,
                });
            }
            EventKind::Failover(_) | EventKind::Hang(_) | EventKind::Breaker { .. } => {}
        }
        node
    }

    fn hang(&mut self, system: &System, c: ComponentId, capacity: NodeId) -> NodeId {
        let node = self.b.source();
        self.hangs.push(HangSplit {
            node,
            capacity,
            share: system.components[c].hang,
        });
        self.b.and(vec![capacity, node])
    }

    fn breaker(
        &mut self,
        _system: &System,
        _c: ComponentId,
        _entry: u32,
        seconds: f64,
        target_down: NodeId,
    ) -> NodeId {
        if target_down == NEVER {
            return NEVER;
        }
        self.b.intern(NodeKind::Pulse(seconds), vec![target_down])
    }

    fn or(&mut self, inputs: Vec<NodeId>) -> NodeId {
        self.b.or(inputs)
    }

    fn and(&mut self, inputs: Vec<NodeId>) -> NodeId {
        self.b.and(inputs)
    }

    fn at_least(&mut self, k: u32, inputs: Vec<NodeId>) -> NodeId {
        self.b.at_least(k, inputs)
    }

    fn tolerate(&mut self, seconds: Option<f64>, input: NodeId) -> NodeId {
        self.b.delay(seconds, input)
    }
}

impl Network {
    pub(super) fn new(system: &System) -> Network {
        let mut nb = NetBuilder {
            b: Builder::default(),
            samplers: Samplers::default(),
            replicas: Vec::new(),
            domains: Vec::new(),
            maintenances: Vec::new(),
            hangs: Vec::new(),
        };
        nb.b.source(); // NEVER
        let lowered = lower(system, &mut nb);
        let NetBuilder {
            b,
            samplers,
            replicas,
            domains,
            maintenances,
            hangs,
        } = nb;
        let components: Vec<ComponentNet> = lowered
            .components
            .into_iter()
            .zip(&system.components)
            .map(|(l, comp)| ComponentNet {
                down: l.down,
                impaired: l.impaired,
                hung: l.hung,
                replica_down: l.replica_down,
                need: l.need,
                failover: l.failover.map(|node| (node, comp.failover_s)),
                leader_only: comp.failover_on == FailoverOn::Leader,
                maintenance: l.maintenance,
            })
            .collect();
        let n = b.kind.len();
        assert!(n < DELAY_FED as usize, "node ids fit in 31 bits");
        let mut fan: Vec<Vec<NodeId>> = vec![Vec::new(); n];
        let mut delay_input = vec![NEVER; n];
        for (id, inputs) in b.inputs.iter().enumerate() {
            let delay = matches!(b.kind[id], NodeKind::Delay(_) | NodeKind::Pulse(_));
            for &x in inputs {
                fan[x as usize].push(id as NodeId | if delay { DELAY_FED } else { 0 });
            }
            if delay {
                delay_input[id] = inputs[0];
            }
        }
        let mut watch: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (c, net) in components.iter().enumerate() {
            watch[net.down as usize].push(c as u32);
            watch[net.impaired as usize].push(c as u32 | IMPAIRED);
            if net.hung != NEVER {
                watch[net.hung as usize].push(c as u32 | HUNG);
            }
        }
        for (i, h) in hangs.iter().enumerate() {
            watch[h.capacity as usize].push(i as u32 | REDRAW);
        }
        assert!(
            components.len().max(hangs.len()) < REDRAW as usize,
            "component ids fit in 30 bits"
        );
        let mut record = Vec::with_capacity(n);
        let mut at = 0usize;
        for id in 0..n {
            record.push(at as u32);
            at += HEADER + fan[id].len() + watch[id].len();
        }
        assert!(at < DELAY_FED as usize, "records fit in 31 bits");
        let mut records = Vec::with_capacity(at);
        for id in 0..n {
            records.extend([
                0,
                match b.kind[id] {
                    NodeKind::Threshold(t) => t,
                    NodeKind::Source => 1,
                    NodeKind::Delay(_) | NodeKind::Pulse(_) => u32::MAX,
                },
                id as u32,
                fan[id].len() as u32,
                watch[id].len() as u32,
            ]);
            records.extend(
                fan[id]
                    .iter()
                    .map(|&f| record[(f & !DELAY_FED) as usize] | (f & DELAY_FED)),
            );
            records.extend(&watch[id]);
        }
        Network {
            kind: b.kind,
            delay_input,
            records,
            record,
            samplers: samplers.list,
            replicas,
            domains,
            maintenances,
            components,
            recoveries: system
                .components
                .iter()
                .map(|c| c.recovery.as_ref().map(|r| RepairDraw::new(system, r)))
                .collect(),
            hangs,
            queues: (system.components.iter().enumerate())
                .flat_map(|(c, comp)| {
                    comp.dependencies.iter().filter_map(move |d| {
                        let q = d.queue?;
                        Some((c, *d.targets().first()?, q.max_delay_s))
                    })
                })
                .collect(),
        }
    }
}
