//! What a simulation returns: per component and per queue edge, over all runs.

use crate::sim::stats::Moments;
use crate::system::ComponentId;

use super::{HungShare, Start};

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
