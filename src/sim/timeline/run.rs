//! One run: its state, and the loop that takes events in order to the horizon.

use super::agenda::{Agenda, Event, What};
use super::book::ComponentRun;
use super::hung::HungClock;
use super::network::{Network, NodeKind};
use crate::sim::stats::Histogram;
use crate::sim::stream::Stream;
use crate::system::System;

use super::Start;

/// The state of one run.
pub(super) struct Runner<'a> {
    pub(super) net: &'a Network,
    pub(super) horizon: f64,
    pub(super) window: f64,
    pub(super) windows: usize,
    pub(super) budget: Vec<Option<f64>>,
    /// The network's records, with this run's counts.
    pub(super) records: Vec<u32>,
    /// The value of each delay node.
    pub(super) delayed: Vec<bool>,
    pub(super) token: Vec<u32>,
    /// Records of nodes that changed and whose fanout is still to be told.
    pub(super) stack: Vec<u32>,
    pub(super) agenda: Agenda,
    pub(super) failover_token: Vec<u32>,
    /// Each component's leader (its replica index), `u32::MAX` when none is chosen yet.
    pub(super) leader: Vec<u32>,
    /// What one run keeps per component, one cache line each.
    pub(super) run: Vec<ComponentRun>,
    /// Outage durations of this run, per component, added to the histograms at its end: a
    /// thousand histograms do not stay in cache, one component's do while it is flushed. Kept
    /// as histogram buckets, two bytes each.
    pub(super) durations: Vec<Vec<u16>>,
    /// Durations of a run too long to keep one by one, already in a histogram: with failures
    /// every millisecond a run of a month has a billion outages. Counts add up the same
    /// whenever they are added, so results do not change.
    pub(super) spilled: Vec<Option<Histogram>>,
    pub(super) failures: Vec<u32>,
    pub(super) window_down: Vec<f64>,
    pub(super) events: u64,
    /// Events of the last run, which sizes the agenda of the next.
    pub(super) events_last_run: u64,
    pub(super) evaluations: u64,
    pub(super) start: Start,
    /// This run's maintenance phase of each component (NaN until drawn).
    pub(super) phase: Vec<f64>,
    /// Where t = 0 falls in the week, in seconds from a Monday 00:00 UTC.
    pub(super) week: f64,
    /// Hang splits whose capacity came back: drawn again once the event is over.
    pub(super) redraw: Vec<u32>,
    /// Per queue edge and window: some work waited longer than its max_delay.
    pub(super) late: Vec<bool>,
    pub(super) hung: Vec<HungClock>,
}

impl<'a> Runner<'a> {
    pub(super) fn new(net: &'a Network, system: &System, horizon: f64, start: Start) -> Runner<'a> {
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

    pub(super) fn schedule(&mut self, t: f64, what: What, index: usize, token: u32) {
        if t.is_finite() {
            self.agenda.push(Event::new(t, what, index, token));
        }
    }

    /// One run from t = 0, in the state `self.start` says, to the horizon.
    pub(super) fn run(&mut self, s: &mut Stream) {
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
}
