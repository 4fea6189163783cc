//! The timeline simulation: a discrete-event simulation of failures, repairs, maintenance and
//! failovers over a horizon, many independent runs, each starting in the steady state (every
//! failure and repair process in its long-run state, maintenance at a random phase) or, on
//! request, with everything up and new at t = 0.
//!
//! The system is lowered by [`crate::structure::lower`], the same lowering the exact engines
//! use, to a network of threshold gates over sources — a replica's failure, its rolling
//! maintenance turn, a domain's failure, a component's maintenance or failover — plus delay
//! gates for dependencies with `tolerate`. A gate keeps a
//! count of its inputs that are true and is true when the count reaches its threshold (OR: 1,
//! AND: all, k-of-n: k). When a source changes, only the gates downstream of it are visited, and
//! only while outputs change: one event costs what it actually changes. The gates are monotone
//! and an event changes one source, so within an instant every gate moves (if at all) in the
//! direction the source moved, once: a depth-first walk needs no topological order and no gate
//! can flicker.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::lifetime::Sampler;
use super::stats::{Histogram, Moments, Z95, wilson};
use super::stream::{Chunks, Stream, run_chunks};
use crate::model::units::YEAR;
use crate::recovery::calendar::WEEK_S;
use crate::recovery::draw::RepairDraw;
use crate::structure::{EventKind, Gates, lower};
use crate::system::{ComponentId, FailoverOn, System};

mod hung;
pub use hung::HungShare;
use hung::{HUNG, HungClock};

type NodeId = u32;
const NEVER: NodeId = 0;
/// Marks a fanout entry that is a delay node (they are visited differently).
const DELAY_FED: u32 = 1 << 31;

/// The layout of a node's record in `Network::records`: its count of true inputs, the count
/// that makes it true (one for a source, `u32::MAX` for a delay, whose value is kept apart),
/// its id, how many nodes it feeds and how many components watch it; then the records of the
/// nodes it feeds (where their counts are), then its watchers. A visit reads one record
/// front to back, and the count it updates sits beside what the next visit of that node
/// reads: one cache line serves both.
const COUNT: usize = 0;
const THRESHOLD: usize = 1;
const ID: usize = 2;
const FANOUT: usize = 3;
const WATCHERS: usize = 4;
const HEADER: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq)]
enum NodeKind {
    /// Set by events.
    Source,
    /// True when at least `threshold` inputs are true.
    Threshold(u32),
    /// True once its one input has been true for `tolerate` seconds without a break.
    Delay(f64),
    /// True for the first `seconds` of each time its one input is true (a circuit breaker
    /// opening). Kept apart like a delay's value; it too moves with its input or on expiry.
    Pulse(f64),
}

/// The lowered network; nodes are in topological order (inputs before the nodes they feed).
#[derive(Clone, Debug)]
struct Network {
    kind: Vec<NodeKind>,
    /// The input of each delay node.
    delay_input: Vec<NodeId>,
    /// The nodes' records, laid out as `COUNT`..`HEADER` say, with every count zero. In the
    /// fanout a delay node's record is marked with `DELAY_FED`; a watcher is a component whose
    /// DOWN (`IMPAIRED` clear) or impaired (set) state the node is.
    records: Vec<u32>,
    /// Where each node's record starts.
    record: Vec<u32>,
    /// The distinct failure and repair distributions, which clocks name by index: a clock
    /// takes twelve bytes, and the few samplers stay in cache.
    samplers: Vec<Sampler>,
    replicas: Vec<Replica>,
    domains: Vec<Clock>,
    maintenances: Vec<Maintenance>,
    components: Vec<ComponentNet>,
    /// Each component's repairs on its responder's calendar, where it has a `recovery`.
    recoveries: Vec<Option<RepairDraw>>,
    /// Per component that can hang: its split source, redrawn as each capacity failure ends.
    hangs: Vec<HangSplit>,
    /// The queue edges: producer, consumer, longest acceptable wait.
    queues: Vec<(ComponentId, ComponentId, Option<f64>)>,
}

/// Marks a watcher of a component's impaired state.
const IMPAIRED: u32 = 1 << 31;
/// Marks a watcher of a capacity that can hang: the index of its [`HangSplit`].
const REDRAW: u32 = 1 << 30;

/// Whether calls to a component hang in its next capacity failure: drawn with probability
/// `share` while its capacity is up, so each outage gets its own independent draw.
#[derive(Clone, Copy, Debug)]
struct HangSplit {
    node: NodeId,
    capacity: NodeId,
    share: f64,
}

#[derive(Clone, Copy, Debug)]
struct Clock {
    node: NodeId,
    /// Indices into `Network::samplers`.
    failure: u32,
    repair: u32,
}

#[derive(Clone, Copy, Debug)]
struct Replica {
    clock: Clock,
    component: u32,
    /// Its place among the component's replicas.
    index: u32,
}

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

/// A planned outage of `duration` every `every`, starting `offset` into each period.
#[derive(Clone, Debug)]
struct Maintenance {
    node: NodeId,
    /// The component it belongs to: a stationary start shifts all of a component's
    /// maintenance by one draw, so that its rolling wave stays back to back.
    component: u32,
    offset: f64,
    duration: f64,
    every: f64,
}

#[derive(Clone, Debug)]
struct ComponentNet {
    down: NodeId,
    impaired: NodeId,
    hung: NodeId,
    /// A replica counts as down when this node is true (its own failure, maintenance or domain).
    replica_down: Vec<NodeId>,
    /// Replicas down that make the component DOWN.
    need: u32,
    failover: Option<(NodeId, f64)>,
    /// Only the leader's failure causes a failover.
    leader_only: bool,
    /// Whole-component maintenance: no failover while it lasts.
    maintenance: Option<NodeId>,
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
    fn new(system: &System) -> Network {
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

/// What happens at an event; the order of the variants breaks ties in time, so that at one
/// instant repairs and ends come before failures and starts (no zero-length outages), and a
/// `tolerate` that expires exactly when its target recovers sees the recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    ReplicaRepair,
    DomainRepair,
    MaintenanceEnd,
    FailoverEnd,
    ReplicaFailure,
    DomainFailure,
    MaintenanceStart,
    DelayExpiry,
}

#[derive(Clone, Copy, Debug)]
struct Event {
    t: f64,
    /// What (top 8 bits), index (next 32) and token (low 24): one integer breaks ties.
    code: u64,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
const WHATS: [What; 8] = [
    What::ReplicaRepair,
    What::DomainRepair,
    What::MaintenanceEnd,
    What::FailoverEnd,
    What::ReplicaFailure,
    What::DomainFailure,
    What::MaintenanceStart,
    What::DelayExpiry,
];

impl Event {
    fn new(t: f64, what: What, index: usize, token: u32) -> Event {
        Event {
            t,
            code: ((what as u64) << 56)
                | ((index as u64 & 0xffff_ffff) << 24)
                | (token as u64 & 0xff_ffff),
        }
    }
    fn what(&self) -> What {
        WHATS[(self.code >> 56) as usize]
    }
    fn index(&self) -> usize {
        ((self.code >> 24) & 0xffff_ffff) as usize
    }
    fn token(&self) -> u32 {
        (self.code & 0xff_ffff) as u32
    }
    /// Times are finite and non-negative, so their bit patterns sort as the numbers do.
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.t.to_bits(), self.code)
    }
}

impl Ord for Event {
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

/// The pending events of a run in buckets of equal length over the horizon (a calendar queue):
/// an event goes into the bucket of its time, and the next event is the least of the first
/// bucket that holds any. With about one event per bucket both take a few steps, where a heap
/// takes a dozen comparisons the processor cannot predict. Events at or past the horizon never
/// happen in the run, so they are not kept.
#[derive(Clone, Debug)]
struct Agenda {
    horizon: f64,
    /// Buckets per second.
    scale: f64,
    /// The first entry of each bucket's list, or `END`.
    heads: Vec<u32>,
    entries: Vec<Entry>,
    /// The list of unused entries.
    free: u32,
    /// No bucket before this one holds an event.
    cursor: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    event: Event,
    next: u32,
}

const END: u32 = u32::MAX;

impl Agenda {
    fn new(horizon: f64) -> Agenda {
        let mut a = Agenda {
            horizon,
            scale: 0.0,
            heads: Vec::new(),
            entries: Vec::new(),
            free: END,
            cursor: 0,
        };
        a.clear(64);
        a
    }

    /// Empties the agenda and gives it about `buckets` buckets (a power of two).
    fn clear(&mut self, buckets: usize) {
        let buckets = buckets.clamp(64, 1 << 22).next_power_of_two();
        self.heads.clear();
        self.heads.resize(buckets, END);
        self.entries.clear();
        self.free = END;
        self.cursor = 0;
        self.scale = if self.horizon > 0.0 && self.horizon.is_finite() {
            buckets as f64 / self.horizon
        } else {
            0.0
        };
    }

    #[inline]
    fn push(&mut self, e: Event) {
        if e.t >= self.horizon {
            return;
        }
        // Rounding is monotone, so a later time never lands in an earlier bucket; events come
        // no earlier than the one being handled, so never before the cursor.
        let b = ((e.t * self.scale) as usize).clamp(self.cursor, self.heads.len() - 1);
        let entry = Entry {
            event: e,
            next: self.heads[b],
        };
        let at = if self.free != END {
            let at = self.free;
            self.free = self.entries[at as usize].next;
            self.entries[at as usize] = entry;
            at
        } else {
            self.entries.push(entry);
            (self.entries.len() - 1) as u32
        };
        self.heads[b] = at;
    }

    #[inline]
    fn pop(&mut self) -> Option<Event> {
        let heads = &mut self.heads;
        while *heads.get(self.cursor)? == END {
            self.cursor += 1;
        }
        let first = heads[self.cursor];
        let (mut best, mut before_best) = (first, END);
        let mut best_key = self.entries[first as usize].event.key();
        let (mut before, mut at) = (first, self.entries[first as usize].next);
        while at != END {
            let e = &self.entries[at as usize];
            let key = e.event.key();
            if key < best_key {
                (best, before_best, best_key) = (at, before, key);
            }
            (before, at) = (at, e.next);
        }
        let Entry { event, next } = self.entries[best as usize];
        if before_best == END {
            heads[self.cursor] = next;
        } else {
            self.entries[before_best as usize].next = next;
        }
        self.entries[best as usize].next = self.free;
        self.free = best;
        Some(event)
    }
}

/// The state a run starts in at t = 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// Every replica and domain up or down with its long-run probability, the time to its next
    /// change drawn from the equilibrium residual life of its current phase, and every
    /// component's maintenance at a uniformly random phase of its period: the expected downtime
    /// of any window is the steady state's, whatever the distributions.
    #[default]
    Stationary,
    /// Everything up and new: a fresh launch. A weibull clock of shape below one then fails
    /// early far more often than later on, one above one less often.
    New,
}

impl Start {
    pub fn as_str(self) -> &'static str {
        match self {
            Start::Stationary => "stationary",
            Start::New => "new",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TimelineOptions {
    pub runs: u64,
    pub horizon_s: f64,
    pub seed: u64,
    pub threads: usize,
    pub start: Start,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            runs: 1000,
            horizon_s: YEAR,
            seed: 0,
            threads: 1,
            start: Start::Stationary,
        }
    }
}

/// Most runs one simulation may ask for.
pub const MAX_RUNS: u64 = 1_000_000_000;
/// Most SLO windows one run may hold: each window keeps its downtime until the run ends.
pub const MAX_WINDOWS: f64 = 100_000.0;
/// Most events all runs together may be expected to have. At 3 to 30 million events a second
/// that is under a minute, so a CI job on fast-failing components gets a refusal at once,
/// not a runner busy for hours.
pub const MAX_EVENTS: f64 = 1e9;

/// Options that would exhaust memory or time, or that the simulation cannot honour.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TimelineOptionsError {
    #[error("--runs must be between 1 and {MAX_RUNS} (it is {0})")]
    Runs(u64),
    #[error("--threads must be at least 1")]
    Threads,
    #[error("--horizon must be longer than zero and finite")]
    Horizon,
    #[error(
        "--horizon {horizon} holds more than {MAX_WINDOWS} SLO windows of {window}; simulate a shorter horizon and more runs"
    )]
    Windows { horizon: String, window: String },
    #[error(
        "this would simulate about {0:.1e} events (more than {MAX_EVENTS:.0e}); use fewer --runs or a shorter --horizon, or `nines sample` for availability alone"
    )]
    Events(f64),
    #[error("{0}")]
    Model(String),
}

impl TimelineOptions {
    /// Options for simulating `system`, refused when the work (runs × horizon) or the memory
    /// (SLO windows per run) would not fit, so every caller gets the same limits.
    pub fn new(
        system: &System,
        runs: u64,
        horizon_s: f64,
        seed: u64,
        threads: usize,
        start: Start,
    ) -> Result<TimelineOptions, TimelineOptionsError> {
        if runs == 0 || runs > MAX_RUNS {
            return Err(TimelineOptionsError::Runs(runs));
        }
        if threads == 0 {
            return Err(TimelineOptionsError::Threads);
        }
        if !(horizon_s > 0.0 && horizon_s.is_finite()) {
            return Err(TimelineOptionsError::Horizon);
        }
        if horizon_s / system.window_s > MAX_WINDOWS {
            return Err(TimelineOptionsError::Windows {
                horizon: crate::model::units::format_duration_human(horizon_s),
                window: crate::model::units::format_duration_human(system.window_s),
            });
        }
        check(system).map_err(TimelineOptionsError::Model)?;
        let events = expected_events(system, horizon_s) * runs as f64;
        if events > MAX_EVENTS {
            return Err(TimelineOptionsError::Events(events));
        }
        Ok(TimelineOptions {
            runs,
            horizon_s,
            seed,
            threads,
            start,
        })
    }
}

/// Events one run is expected to have: two per failure–repair cycle of every replica and
/// domain, two per maintenance.
pub fn expected_events(system: &System, horizon: f64) -> f64 {
    let cycles = |f: f64, r: f64| {
        let c = f + r;
        if c > 0.0 && c.is_finite() {
            2.0 * horizon / c
        } else {
            0.0
        }
    };
    let domains: f64 = system
        .domains
        .iter()
        .map(|d| cycles(d.failure.mean_s, d.repair.mean_s))
        .sum();
    let components: f64 = system
        .components
        .iter()
        .map(|c| {
            let maintenance = c.maintenance.as_ref().map_or(0.0, |m| {
                let per = if m.rolling { c.replicas as f64 } else { 1.0 };
                per * 2.0 * horizon / m.every_s
            });
            c.replicas as f64 * cycles(c.failure.mean_s, c.repair.mean_s) + maintenance
        })
        .sum();
    domains + components
}

/// Quantiles of a distribution of durations, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

/// One component's results over all runs.
#[derive(Clone, Debug)]
pub struct ComponentTimeline {
    /// Mean over runs of the share of the horizon the component was not DOWN.
    pub availability: f64,
    pub unavailability: f64,
    /// 95% interval of the unavailability, from the spread between runs.
    pub unavailability_ci95: (f64, f64),
    /// The standard error of the unavailability, from the spread between runs.
    pub unavailability_se: f64,
    /// Share of time DEGRADED.
    pub degraded: f64,
    /// Outages (DOWN periods) per year, and their count per run.
    pub outages_per_year: f64,
    pub outages_per_run: Moments,
    /// Replica failures (own failures, all replicas) per year.
    pub failures_per_year: f64,
    pub mean_outage_s: Option<f64>,
    pub p95_outage_s: Option<f64>,
    /// DOWN time per complete SLO window.
    pub window_downtime_s: Option<Percentiles>,
    pub mean_window_downtime_s: Option<f64>,
    /// The error budget of a window, `(1 − slo) × window`, when the component has an slo.
    pub budget_s: Option<f64>,
    /// Share of complete windows whose DOWN time exceeded the budget, with its 95% interval.
    pub p_window_breach: Option<f64>,
    pub p_window_breach_ci95: Option<(f64, f64)>,
    /// Over windows whose budget ran out: mean time from the window's start until it did.
    pub mean_budget_exhaustion_s: Option<f64>,
    /// Share of time HUNG (a part of the unavailability), with its standard error and 95%
    /// interval from the spread between runs.
    pub hung: HungShare,
}

impl ComponentTimeline {
    pub fn availability_ci95(&self) -> (f64, f64) {
        let (lo, hi) = self.unavailability_ci95;
        ((1.0 - hi).max(0.0), (1.0 - lo).min(1.0))
    }
}

#[derive(Clone, Debug)]
pub struct TimelineResult {
    pub runs: u64,
    pub horizon_s: f64,
    pub start: Start,
    pub window_s: f64,
    /// Complete SLO windows per run (a trailing partial window is left out of window figures).
    pub windows_per_run: usize,
    /// Events simulated over all runs.
    pub events: u64,
    /// Gate re-evaluations over all runs: the propagation work the events caused.
    pub gate_evaluations: u64,
    pub components: Vec<ComponentTimeline>,
    /// Per queue edge, in the system's order of producers and their entries.
    pub queues: Vec<QueueTimeline>,
}

/// How long work waits on one queue edge.
#[derive(Clone, Debug)]
pub struct QueueTimeline {
    /// The producer and the consumer.
    pub from: ComponentId,
    pub to: ComponentId,
    pub max_delay_s: Option<f64>,
    /// The longest wait in each outage of the consumer (the work queued as it went down waits
    /// the whole outage), as percentiles over outages; `None` when it never went down.
    pub delay_s: Option<Percentiles>,
    /// Share of complete windows in which some work waited longer than `max_delay`, with its
    /// 95% interval.
    pub p_late: Option<f64>,
    pub p_late_ci95: Option<(f64, f64)>,
}

/// Sums of one chunk of runs, per component; merged in chunk order.
#[derive(Clone, Debug, Default)]
struct ComponentSums {
    unavailability: Moments,
    availability: f64,
    degraded: f64,
    outages: Moments,
    failures: u64,
    outage_time: f64,
    window_time: f64,
    windows: u64,
    breaches: u64,
    exhaustion_time: f64,
    exhaustions: u64,
    /// Per run: the share of the horizon HUNG.
    hung: Moments,
}

impl ComponentSums {
    fn merge(&mut self, o: &ComponentSums) {
        self.unavailability.merge(&o.unavailability);
        self.availability += o.availability;
        self.degraded += o.degraded;
        self.outages.merge(&o.outages);
        self.failures += o.failures;
        self.outage_time += o.outage_time;
        self.window_time += o.window_time;
        self.windows += o.windows;
        self.breaches += o.breaches;
        self.exhaustion_time += o.exhaustion_time;
        self.exhaustions += o.exhaustions;
        self.hung.merge(&o.hung);
    }
}

/// Histograms kept per thread (counts merge exactly in any order).
#[derive(Clone, Debug)]
struct Histograms {
    window_downtime: Vec<Histogram>,
    outage: Vec<Histogram>,
}

/// A component's bookkeeping during one run.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct ComponentRun {
    down_since: f64,
    /// When the component last came back up, if that outage is not booked yet: an outage that
    /// resumes at the same instant (one replica's rolling maintenance handing over to the
    /// next) is the same outage. NaN when there is none.
    closing: f64,
    impaired_since: f64,
    down_time: f64,
    impaired_time: f64,
    exhaustion_time: f64,
    exhaustions: u32,
    outages: u32,
}

impl Default for ComponentRun {
    fn default() -> Self {
        ComponentRun {
            down_since: 0.0,
            closing: f64::NAN,
            impaired_since: 0.0,
            down_time: 0.0,
            impaired_time: 0.0,
            exhaustion_time: 0.0,
            exhaustions: 0,
            outages: 0,
        }
    }
}

/// The state of one run.
struct Runner<'a> {
    net: &'a Network,
    horizon: f64,
    window: f64,
    windows: usize,
    budget: Vec<Option<f64>>,
    /// The network's records, with this run's counts.
    records: Vec<u32>,
    /// The value of each delay node.
    delayed: Vec<bool>,
    token: Vec<u32>,
    /// Records of nodes that changed and whose fanout is still to be told.
    stack: Vec<u32>,
    agenda: Agenda,
    failover_token: Vec<u32>,
    /// Each component's leader (its replica index), `u32::MAX` when none is chosen yet.
    leader: Vec<u32>,
    /// What one run keeps per component, one cache line each.
    run: Vec<ComponentRun>,
    /// Outage durations of this run, per component, added to the histograms at its end: a
    /// thousand histograms do not stay in cache, one component's do while it is flushed. Kept
    /// as histogram buckets, two bytes each.
    durations: Vec<Vec<u16>>,
    /// Durations of a run too long to keep one by one, already in a histogram: with failures
    /// every millisecond a run of a month has a billion outages. Counts add up the same
    /// whenever they are added, so results do not change.
    spilled: Vec<Option<Histogram>>,
    failures: Vec<u32>,
    window_down: Vec<f64>,
    events: u64,
    /// Events of the last run, which sizes the agenda of the next.
    events_last_run: u64,
    evaluations: u64,
    start: Start,
    /// This run's maintenance phase of each component (NaN until drawn).
    phase: Vec<f64>,
    /// Where t = 0 falls in the week, in seconds from a Monday 00:00 UTC.
    week: f64,
    /// Hang splits whose capacity came back: drawn again once the event is over.
    redraw: Vec<u32>,
    /// Per queue edge and window: some work waited longer than its max_delay.
    late: Vec<bool>,
    hung: Vec<HungClock>,
}

/// Outage durations a component keeps one by one in a run (128 KiB) before adding them up.
const SPILL_AT: usize = 1 << 16;

impl<'a> Runner<'a> {
    fn new(net: &'a Network, system: &System, horizon: f64, start: Start) -> Runner<'a> {
        let n = net.kind.len();
        let c = net.components.len();
        let window = system.window_s;
        let windows = ((horizon / window) * (1.0 + 1e-12)).floor().max(0.0) as usize;
        Runner {
            net,
            horizon,
            window,
            windows,
            budget: system
                .components
                .iter()
                .map(|k| k.slo.map(|s| s.down.p * window))
                .collect(),
            records: net.records.clone(),
            delayed: vec![false; n],
            token: vec![0; n],
            stack: vec![0; n + 1],
            agenda: Agenda::new(horizon),
            failover_token: vec![0; c],
            leader: vec![u32::MAX; c],
            run: vec![ComponentRun::default(); c],
            durations: vec![Vec::new(); c],
            spilled: vec![None; c],
            failures: vec![0; c],
            window_down: vec![0.0; c * windows],
            events: 0,
            // A guess for the first run: a few events per clock.
            events_last_run: 8
                * (net.replicas.len() + net.domains.len() + net.maintenances.len()) as u64,
            evaluations: 0,
            start,
            phase: vec![f64::NAN; c],
            week: 0.0,
            redraw: Vec::new(),
            late: vec![false; net.queues.len() * windows],
            hung: vec![HungClock::default(); c],
        }
    }

    fn schedule(&mut self, t: f64, what: What, index: usize, token: u32) {
        if t.is_finite() {
            self.agenda.push(Event::new(t, what, index, token));
        }
    }

    /// One run from t = 0, in the state `self.start` says, to the horizon.
    fn run(&mut self, s: &mut Stream) {
        self.records.copy_from_slice(&self.net.records);
        self.delayed.fill(false);
        // About one event per bucket: as many buckets as the last run had events.
        self.agenda.clear(self.events_last_run as usize);
        let events_before = self.events;
        self.failures.fill(0);
        self.leader.fill(u32::MAX);
        self.run.fill(ComponentRun::default());
        self.window_down.fill(0.0);
        self.late.fill(false);
        self.hung.fill(HungClock::default());
        let net = self.net;
        // Every capacity is up before the start: each split gets its first draw.
        self.redraw.extend(0..net.hangs.len() as u32);
        self.draw_hangs(s, 0.0);
        match self.start {
            Start::New => {
                self.week = 0.0;
                for (i, r) in net.replicas.iter().enumerate() {
                    let t = net.samplers[r.clock.failure as usize].sample(s);
                    self.schedule(t, What::ReplicaFailure, i, 0);
                }
                for (i, d) in net.domains.iter().enumerate() {
                    let t = net.samplers[d.failure as usize].sample(s);
                    self.schedule(t, What::DomainFailure, i, 0);
                }
                for (i, m) in net.maintenances.iter().enumerate() {
                    self.schedule(m.offset, What::MaintenanceStart, i, 0);
                }
            }
            Start::Stationary => self.start_stationary(s),
        }
        while let Some(e) = self.agenda.pop() {
            if e.t >= self.horizon {
                break;
            }
            self.events += 1;
            let t = e.t;
            let i = e.index();
            match e.what() {
                What::ReplicaFailure => {
                    let r = net.replicas[i];
                    // Whether it causes a failover depends on the state just before it.
                    let fails_over = self.causes_failover(r.component as usize, r.index as usize);
                    self.set(r.clock.node, true, t);
                    let repair = self.replica_repair(r, t, s);
                    self.schedule(t + repair, What::ReplicaRepair, i, 0);
                    self.failures[r.component as usize] += 1;
                    if fails_over {
                        self.failover(r.component as usize, t);
                    }
                }
                What::ReplicaRepair => {
                    let r = net.replicas[i];
                    self.set(r.clock.node, false, t);
                    let failure = net.samplers[r.clock.failure as usize].sample(s);
                    self.schedule(t + failure, What::ReplicaFailure, i, 0);
                }
                What::DomainFailure => {
                    let d = net.domains[i];
                    self.set(d.node, true, t);
                    let repair = net.samplers[d.repair as usize].sample(s);
                    self.schedule(t + repair, What::DomainRepair, i, 0);
                }
                What::DomainRepair => {
                    let d = net.domains[i];
                    self.set(d.node, false, t);
                    let failure = net.samplers[d.failure as usize].sample(s);
                    self.schedule(t + failure, What::DomainFailure, i, 0);
                }
                What::MaintenanceStart => {
                    let m = &net.maintenances[i];
                    self.set(m.node, true, t);
                    self.schedule(t + m.duration, What::MaintenanceEnd, i, 0);
                }
                What::MaintenanceEnd => {
                    let m = &net.maintenances[i];
                    self.set(m.node, false, t);
                    self.schedule(t - m.duration + m.every, What::MaintenanceStart, i, 0);
                }
                What::FailoverEnd => {
                    if e.token() == self.failover_token[i] & 0xff_ffff {
                        let (node, _) = net.components[i].failover.expect("a failover");
                        self.set(node, false, t);
                    }
                }
                What::DelayExpiry => {
                    let input = net.delay_input[i] as usize;
                    let current = e.token() == self.token[i] & 0xff_ffff;
                    if let NodeKind::Pulse(_) = net.kind[i] {
                        // The breaker is open: the caller sees its target's outage as DOWN.
                        if current && self.delayed[i] {
                            self.delayed[i] = false;
                            self.propagate(net.record[i], false, t);
                        }
                    } else if current && self.value(input) && !self.delayed[i] {
                        self.delayed[i] = true;
                        self.propagate(net.record[i], true, t);
                    }
                }
            }
            if !self.redraw.is_empty() {
                self.draw_hangs(s, t);
            }
        }
        self.events_last_run = self.events - events_before;
        self.finish();
    }

    /// Puts every clock in its steady state at t = 0. Whatever starts down is set down at once,
    /// before any event: the components' outages then open at 0, and none of it counts as a
    /// failure or fails over (it happened before the run).
    fn start_stationary(&mut self, s: &mut Stream) {
        let net = self.net;
        // Only a model whose repairs keep hours has a week to place t = 0 in: the others keep
        // their streams as they were.
        if net.recoveries.iter().any(Option::is_some) {
            self.week = WEEK_S * (1.0 - s.open01());
        }
        for (i, r) in net.replicas.iter().enumerate() {
            let (down, next) = match &net.recoveries[r.component as usize] {
                Some(draw) => {
                    let failure = &net.samplers[r.clock.failure as usize];
                    draw.warmed_up(failure, self.week, s)
                }
                None => self.steady_clock(r.clock, s),
            };
            if down {
                self.set(r.clock.node, true, 0.0);
                self.schedule(next, What::ReplicaRepair, i, 0);
            } else {
                self.schedule(next, What::ReplicaFailure, i, 0);
            }
        }
        for (i, &d) in net.domains.iter().enumerate() {
            let (down, next) = self.steady_clock(d, s);
            if down {
                self.set(d.node, true, 0.0);
                self.schedule(next, What::DomainRepair, i, 0);
            } else {
                self.schedule(next, What::DomainFailure, i, 0);
            }
        }
        self.phase.fill(f64::NAN);
        for (i, m) in net.maintenances.iter().enumerate() {
            let owner = m.component as usize;
            if self.phase[owner].is_nan() {
                // Uniform in [0, every) (open01 is in (0, 1]), on a grid of 1/1024 s: with
                // offsets and durations in whole seconds every sum below is then exact, so one
                // replica's slot ends at the very instant the next one's starts, as unshifted.
                let u = m.every * (1.0 - s.open01());
                self.phase[owner] = (u * 1024.0).floor() / 1024.0;
            }
            // The schedule shifted by the phase: its starts fall at `at` + j·every.
            let at = (m.offset + self.phase[owner]) % m.every;
            let end = at - m.every + m.duration;
            if end > 0.0 {
                // The window that started one period earlier is still on.
                self.set(m.node, true, 0.0);
                self.schedule(end, What::MaintenanceEnd, i, 0);
            } else {
                self.schedule(at, What::MaintenanceStart, i, 0);
            }
        }
    }

    /// How long the repair of replica `r`, failed at `t`, takes: on its responder's calendar
    /// when its component has a recovery.
    fn replica_repair(&self, r: Replica, t: f64, s: &mut Stream) -> f64 {
        match &self.net.recoveries[r.component as usize] {
            Some(draw) => draw.draw(self.week + t, s),
            None => self.net.samplers[r.clock.repair as usize].sample(s),
        }
    }

    /// Whether an alternating failure/repair clock is down at a random instant of its long run
    /// (with probability mean repair / (mean failure + mean repair)), and the time to its next
    /// change, a residual life of the phase it is in.
    fn steady_clock(&self, clock: Clock, s: &mut Stream) -> (bool, f64) {
        let failure = &self.net.samplers[clock.failure as usize];
        let repair = &self.net.samplers[clock.repair as usize];
        let down = crate::model::units::Odds::ratio(repair.mean(), failure.mean()).p;
        if s.open01() <= down {
            (true, repair.residual(s))
        } else {
            (false, failure.residual(s))
        }
    }

    /// Whether the failure of replica `i` of component `c`, about to happen, causes a failover:
    /// the replica is in service (not failed, not in its maintenance turn, its domain up), the
    /// component is not in whole maintenance, enough replicas stay in service after it, and
    /// with `on: leader` it is the leader. The leader is kept while it stays in service;
    /// otherwise the first replica in service takes over when one is needed.
    fn causes_failover(&mut self, c: ComponentId, i: usize) -> bool {
        let k = &self.net.components[c];
        if k.failover.is_none()
            || self.value(k.replica_down[i] as usize)
            || k.maintenance.is_some_and(|m| self.value(m as usize))
        {
            return false;
        }
        let out = k
            .replica_down
            .iter()
            .filter(|&&r| self.value(r as usize))
            .count() as u32;
        if out + 1 >= k.need {
            return false;
        }
        if k.leader_only {
            let leader = self.leader[c] as usize;
            let leader =
                if leader < k.replica_down.len() && !self.value(k.replica_down[leader] as usize) {
                    leader
                } else {
                    (k.replica_down.iter())
                        .position(|&r| !self.value(r as usize))
                        .expect("replica i is in service")
                };
            if leader != i {
                self.leader[c] = leader as u32;
                return false;
            }
            self.leader[c] = u32::MAX;
        }
        true
    }

    /// Takes component `c` down while traffic fails over.
    fn failover(&mut self, c: ComponentId, t: f64) {
        let Some((node, duration)) = self.net.components[c].failover else {
            return;
        };
        self.failover_token[c] = self.failover_token[c].wrapping_add(1);
        let token = self.failover_token[c];
        self.schedule(t + duration, What::FailoverEnd, c, token);
        self.set(node, true, t);
    }

    /// Draws whether calls hang in the next outage of each split waiting for it; its capacity
    /// is up, so nothing it feeds moves.
    #[cold]
    fn draw_hangs(&mut self, s: &mut Stream, t: f64) {
        while let Some(i) = self.redraw.pop() {
            let h = self.net.hangs[i as usize];
            let hangs = s.open01() <= h.share;
            self.set(h.node, hangs, t);
        }
    }

    /// A node's value.
    #[inline]
    fn value(&self, n: usize) -> bool {
        let r = &self.records[self.net.record[n] as usize..];
        if r[THRESHOLD] == u32::MAX {
            self.delayed[n]
        } else {
            r[COUNT] >= r[THRESHOLD]
        }
    }

    fn set(&mut self, source: NodeId, v: bool, t: f64) {
        let at = self.net.record[source as usize];
        let count = &mut self.records[at as usize + COUNT];
        if (*count != 0) != v {
            *count = v as u32;
            self.propagate(at, v, t);
        }
    }

    /// Passes the new value `v` of the node whose record is at `at` on, depth first, through
    /// every gate it flips, and tells the components watching each changed node. Every gate
    /// moves the way `v` did (the gates are monotone), so a gate flips when its count crosses
    /// its threshold, and at most once.
    fn propagate(&mut self, at: u32, v: bool, t: f64) {
        let mut records = std::mem::take(&mut self.records);
        // Records of nodes that flipped the way `v` says; room for every node, each once.
        let mut stack = std::mem::take(&mut self.stack);
        // Up adds one to the count of each gate fed, which flips when the count reaches its
        // threshold; down takes one away, and the gate flips when the count leaves it.
        let (step, back) = if v { (1u32, 0u32) } else { (u32::MAX, 1u32) };
        stack[0] = at;
        let mut top = 1;
        let mut popped = 0u64;
        while top > 0 {
            top -= 1;
            let at = stack[top] as usize;
            popped += 1;
            let fanout = at + HEADER..at + HEADER + records[at + FANOUT] as usize;
            let watchers = fanout.end..fanout.end + records[at + WATCHERS] as usize;
            for k in fanout {
                let f = records[k];
                if f & DELAY_FED != 0 {
                    let d = (f & !DELAY_FED) as usize;
                    records[d + COUNT] = v as u32;
                    if self.delay_input_changed(records[d + ID] as usize, v, t) {
                        stack[top] = d as u32;
                        top += 1;
                    }
                    continue;
                }
                let f = f as usize;
                let count = records[f + COUNT].wrapping_add(step);
                records[f + COUNT] = count;
                // Written always, kept only if the gate flipped: whether it did is data the
                // processor cannot guess, and a branch on it would stall it half the time.
                stack[top] = f as u32;
                top += (count.wrapping_add(back) == records[f + THRESHOLD]) as usize;
            }
            for k in watchers {
                let w = records[k];
                if w & REDRAW != 0 {
                    if w & HUNG == HUNG {
                        self.hung_changed((w & !HUNG) as ComponentId, v, t);
                    } else if !v {
                        self.redraw.push(w & !REDRAW);
                    }
                    continue;
                }
                let (c, impaired) = ((w & !IMPAIRED) as ComponentId, w & IMPAIRED != 0);
                self.record(c, impaired, v, t);
            }
        }
        self.stack = stack;
        self.records = records;
        // Gates flipped (the node itself is not one).
        self.evaluations += popped - 1;
    }

    /// The input of delay node `n` became `input`: it starts (or restarts) the clock when
    /// true, and passes a recovery on at once (returns whether the delay node flipped).
    #[cold]
    fn delay_input_changed(&mut self, n: usize, input: bool, t: f64) -> bool {
        let tolerate = match self.net.kind[n] {
            NodeKind::Delay(tolerate) => tolerate,
            NodeKind::Pulse(seconds) => return self.pulse_input_changed(n, seconds, input, t),
            _ => unreachable!("marked as a delay"),
        };
        self.token[n] = self.token[n].wrapping_add(1);
        if input {
            if !self.delayed[n] {
                let token = self.token[n];
                self.schedule(t + tolerate, What::DelayExpiry, n, token);
            }
        } else if self.delayed[n] {
            self.delayed[n] = false;
            // Counted when it is popped.
            return true;
        }
        self.evaluations += 1;
        false
    }

    /// The input of pulse node `n` became `input`: a start turns it on for `seconds`, an end
    /// turns it off at once (returns whether it flipped).
    #[cold]
    fn pulse_input_changed(&mut self, n: usize, seconds: f64, input: bool, t: f64) -> bool {
        self.token[n] = self.token[n].wrapping_add(1);
        if input {
            let token = self.token[n];
            self.schedule(t + seconds, What::DelayExpiry, n, token);
            self.delayed[n] = true;
            // Counted when it is popped.
            return true;
        }
        let flipped = std::mem::replace(&mut self.delayed[n], false);
        if !flipped {
            self.evaluations += 1;
        }
        flipped
    }

    fn record(&mut self, c: ComponentId, impaired: bool, v: bool, t: f64) {
        if impaired {
            if v {
                self.run[c].impaired_since = t;
            } else {
                self.run[c].impaired_time += t - self.run[c].impaired_since;
            }
        } else if v {
            let closing = std::mem::replace(&mut self.run[c].closing, f64::NAN);
            if closing == t {
                return; // resumed: down_since stays
            }
            if !closing.is_nan() {
                self.outage(c, self.run[c].down_since, closing);
            }
            self.run[c].down_since = t;
        } else {
            if !self.run[c].closing.is_nan() {
                self.outage(c, self.run[c].down_since, self.run[c].closing);
            }
            self.run[c].closing = t;
        }
    }

    /// Books an outage of component `c` over [a, b).
    fn outage(&mut self, c: ComponentId, a: f64, b: f64) {
        if b <= a {
            return;
        }
        self.run[c].down_time += b - a;
        self.run[c].outages += 1;
        // Work queued for this consumer when it went down waits the whole outage: late in the
        // window where its wait passes max_delay.
        for (q, &(_, to, max_delay)) in self.net.queues.iter().enumerate() {
            if let Some(m) = max_delay.filter(|&m| to == c && b - a > m) {
                let w = ((a + m) / self.window) as usize;
                if w < self.windows {
                    self.late[q * self.windows + w] = true;
                }
            }
        }
        self.durations[c].push(Histogram::bucket_of(b - a));
        if self.durations[c].len() >= SPILL_AT {
            let spilled = self.spilled[c].get_or_insert_with(Histogram::new);
            for d in self.durations[c].drain(..) {
                spilled.add_bucket(d);
            }
        }
        let mut w = (a / self.window) as usize;
        while w < self.windows {
            let start = w as f64 * self.window;
            if start >= b {
                break;
            }
            let from = a.max(start);
            let to = b.min(start + self.window);
            let slot = &mut self.window_down[c * self.windows + w];
            let before = *slot;
            *slot += to - from;
            if let Some(budget) = self.budget[c]
                && before <= budget
                && *slot > budget
            {
                let r = &mut self.run[c];
                r.exhaustion_time += from + (budget - before) - start;
                r.exhaustions += 1;
            }
            w += 1;
        }
    }

    /// Closes what is still open at the horizon.
    fn finish(&mut self) {
        let h = self.horizon;
        for c in 0..self.net.components.len() {
            let k = &self.net.components[c];
            let closing = std::mem::replace(&mut self.run[c].closing, f64::NAN);
            if !closing.is_nan() {
                self.outage(c, self.run[c].down_since, closing);
            }
            if self.value(k.down as usize) {
                self.outage(c, self.run[c].down_since, h);
            }
            if self.value(k.impaired as usize) {
                self.run[c].impaired_time += h - self.run[c].impaired_since;
            }
            if self.value(k.hung as usize) {
                self.hung_changed(c, false, h);
            }
        }
    }

    fn book(&mut self, sums: &mut [ComponentSums], late: &mut [u64], hist: &mut Histograms) {
        for (q, count) in late.iter_mut().enumerate() {
            let windows = &self.late[q * self.windows..(q + 1) * self.windows];
            *count += windows.iter().filter(|&&x| x).count() as u64;
        }
        let h = self.horizon;
        for (c, sum) in sums.iter_mut().enumerate() {
            for d in self.durations[c].drain(..) {
                hist.outage[c].add_bucket(d);
            }
            if let Some(spilled) = self.spilled[c].take() {
                hist.outage[c].merge(&spilled);
            }
            let down = self.run[c].down_time.min(h);
            sum.unavailability.add(down / h);
            sum.availability += (h - down) / h;
            sum.degraded += ((self.run[c].impaired_time - self.run[c].down_time) / h).max(0.0);
            sum.outages.add(self.run[c].outages as f64);
            sum.failures += self.failures[c] as u64;
            sum.outage_time += down;
            for w in 0..self.windows {
                let x = self.window_down[c * self.windows + w];
                hist.window_downtime[c].add(x);
                sum.window_time += x;
                sum.windows += 1;
                if let Some(b) = self.budget[c]
                    && x > b
                {
                    sum.breaches += 1;
                }
            }
            sum.exhaustion_time += self.run[c].exhaustion_time;
            sum.exhaustions += self.run[c].exhaustions as u64;
            sum.hung.add(self.hung[c].time().min(h) / h);
        }
    }
}

/// Refuses failure and repair distributions so skewed that half their draws are a millionth of
/// their mean or less (a weibull shape near zero, a lognormal sigma above 5): simulated, their
/// clocks would tick millions of times per second of simulated time.
pub fn check(system: &System) -> Result<(), String> {
    let skewed = |what: &str, l: &crate::system::Lifetime| -> Result<(), String> {
        let s = Sampler::new(l);
        let m = s.median();
        if l.mean_s.is_finite() && l.mean_s > 0.0 && m < 1e-6 * l.mean_s {
            return Err(format!(
                "the {what} ({}, shape {}) is too skewed to simulate: half its draws are below a millionth of its mean",
                format!("{:?}", l.kind).to_lowercase(),
                l.shape
            ));
        }
        Ok(())
    };
    for d in &system.domains {
        skewed(
            &format!("failure distribution of domain {}", d.name),
            &d.failure,
        )?;
        skewed(
            &format!("repair distribution of domain {}", d.name),
            &d.repair,
        )?;
    }
    for c in &system.components {
        skewed(&format!("failure distribution of {}", c.name), &c.failure)?;
        skewed(&format!("repair distribution of {}", c.name), &c.repair)?;
        if let Some(r) = &c.recovery {
            skewed(&format!("fix distribution of {}", c.name), &r.fix)?;
        }
    }
    Ok(())
}

/// Runs a chunk of this many runs on one stream.
const RUNS_PER_CHUNK: u64 = 8;

/// Simulates `opts.runs` runs; `progress` is told how many runs each finished chunk did.
pub fn simulate(
    system: &System,
    opts: &TimelineOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> TimelineResult {
    let net = Network::new(system);
    let n = system.components.len();
    let runs = opts.runs.max(1);
    let horizon = opts.horizon_s;
    let n_chunks = runs.div_ceil(RUNS_PER_CHUNK);
    let mut totals = vec![ComponentSums::default(); n];
    let mut events = 0u64;
    let mut gate_evaluations = 0u64;
    let mut late_windows = vec![0u64; net.queues.len()];
    let locals = run_chunks(
        Chunks::new(opts.seed, 0).take(n_chunks as usize),
        opts.threads,
        || {
            (
                Runner::new(&net, system, horizon, opts.start),
                Histograms {
                    window_downtime: vec![Histogram::new(); n],
                    outage: vec![Histogram::new(); n],
                },
            )
        },
        |(runner, hist), i, mut s| {
            let first = i as u64 * RUNS_PER_CHUNK;
            let count = (runs - first).min(RUNS_PER_CHUNK);
            let mut sums = vec![ComponentSums::default(); n];
            let mut late = vec![0u64; net.queues.len()];
            let before = (runner.events, runner.evaluations);
            for _ in 0..count {
                runner.run(&mut s);
                runner.book(&mut sums, &mut late, hist);
            }
            progress(count);
            (
                sums,
                late,
                (runner.events - before.0, runner.evaluations - before.1),
            )
        },
        |_, (sums, late, (e, g)): (Vec<ComponentSums>, Vec<u64>, (u64, u64))| {
            for (t, s) in totals.iter_mut().zip(&sums) {
                t.merge(s);
            }
            for (t, l) in late_windows.iter_mut().zip(&late) {
                *t += l;
            }
            events += e;
            gate_evaluations += g;
        },
    );
    let mut hist = Histograms {
        window_downtime: vec![Histogram::new(); n],
        outage: vec![Histogram::new(); n],
    };
    let mut windows_per_run = 0;
    for (runner, h) in &locals {
        windows_per_run = runner.windows;
        for c in 0..n {
            hist.window_downtime[c].merge(&h.window_downtime[c]);
            hist.outage[c].merge(&h.outage[c]);
        }
    }
    let years = runs as f64 * horizon / YEAR;
    let components = (0..n)
        .map(|c| {
            let t = &totals[c];
            let budget = system.components[c].slo.map(|s| s.down.p * system.window_s);
            let wd = &hist.window_downtime[c];
            let outages = t.outages.sum;
            ComponentTimeline {
                availability: t.availability / runs as f64,
                unavailability: t.unavailability.mean(),
                unavailability_ci95: {
                    let m = t.unavailability.mean();
                    let h = Z95 * t.unavailability.std_error();
                    ((m - h).max(0.0), (m + h).min(1.0))
                },
                unavailability_se: t.unavailability.std_error(),
                degraded: t.degraded / runs as f64,
                outages_per_year: outages / years,
                outages_per_run: t.outages,
                failures_per_year: t.failures as f64 / years,
                mean_outage_s: (outages > 0.0).then(|| t.outage_time / outages),
                p95_outage_s: hist.outage[c].quantile(0.95),
                window_downtime_s: (wd.count() > 0).then(|| Percentiles {
                    p50: wd.quantile(0.5).unwrap_or(0.0),
                    p90: wd.quantile(0.9).unwrap_or(0.0),
                    p99: wd.quantile(0.99).unwrap_or(0.0),
                }),
                mean_window_downtime_s: (t.windows > 0).then(|| t.window_time / t.windows as f64),
                budget_s: budget,
                p_window_breach: budget
                    .filter(|_| t.windows > 0)
                    .map(|_| t.breaches as f64 / t.windows as f64),
                p_window_breach_ci95: budget
                    .filter(|_| t.windows > 0)
                    .map(|_| wilson(t.breaches, t.windows)),
                mean_budget_exhaustion_s: (t.exhaustions > 0)
                    .then(|| t.exhaustion_time / t.exhaustions as f64),
                hung: HungShare::of(&t.hung),
            }
        })
        .collect();
    let windows = runs * windows_per_run as u64;
    let queues = (net.queues.iter().zip(&late_windows))
        .map(|(&(from, to, max_delay), &late)| {
            let delays = &hist.outage[to];
            QueueTimeline {
                from,
                to,
                max_delay_s: max_delay,
                delay_s: (delays.count() > 0).then(|| Percentiles {
                    p50: delays.quantile(0.5).unwrap_or(0.0),
                    p90: delays.quantile(0.9).unwrap_or(0.0),
                    p99: delays.quantile(0.99).unwrap_or(0.0),
                }),
                p_late: max_delay
                    .filter(|_| windows > 0)
                    .map(|_| late as f64 / windows as f64),
                p_late_ci95: max_delay
                    .filter(|_| windows > 0)
                    .map(|_| wilson(late, windows)),
            }
        })
        .collect();
    TimelineResult {
        runs,
        horizon_s: horizon,
        start: opts.start,
        window_s: system.window_s,
        windows_per_run,
        events,
        gate_evaluations,
        components,
        queues,
    }
}
