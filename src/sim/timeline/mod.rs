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

mod agenda;
mod book;
mod build;
mod clocks;
mod failover;
mod hung;
mod network;
mod options;
mod propagate;
mod results;
mod run;

pub use hung::HungShare;
pub use options::{
    MAX_EVENTS, MAX_RUNS, MAX_WINDOWS, Start, TimelineOptions, TimelineOptionsError, check,
    expected_events,
};
pub use results::{ComponentTimeline, Percentiles, QueueTimeline, TimelineResult};

use super::stats::{Histogram, Z95, wilson};
use super::stream::{Chunks, run_chunks};
use crate::model::units::YEAR;
use crate::system::System;
use book::{ComponentSums, Histograms};
use network::Network;
use run::Runner;

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
