//! What a simulation returns: per component and per queue edge, over all runs.

use crate::sim::stats::Moments;
use crate::system::ComponentId;

use super::{HungShare, Start};

/// Quantiles of a distribution of durations, in seconds, each read from a histogram to within
/// 0.6% of its value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Percentiles {
    /// The median, in seconds.
    pub p50: f64,
    /// The 90th percentile: nine durations in ten are at most this long, in seconds.
    pub p90: f64,
    /// The 99th percentile, in seconds.
    pub p99: f64,
}

/// One component's results over all runs.
#[derive(Clone, Debug)]
pub struct ComponentTimeline {
    /// Mean over runs of the share of the horizon the component was not DOWN.
    pub availability: f64,
    /// Mean over runs of the share of the horizon the component was DOWN: a probability,
    /// `1 − availability`.
    pub unavailability: f64,
    /// 95% interval of the unavailability, from the spread between runs.
    pub unavailability_ci95: (f64, f64),
    /// The standard error of the unavailability, from the spread between runs.
    pub unavailability_se: f64,
    /// Mean over runs of the share of the horizon the component was DEGRADED (impaired but not
    /// DOWN), a probability.
    pub degraded: f64,
    /// Outages (DOWN periods) per year of simulated time, over all runs.
    pub outages_per_year: f64,
    /// The number of outages in each run, gathered over runs: its mean and spread between runs.
    pub outages_per_run: Moments,
    /// Replica failures (own failures, all replicas) per year.
    pub failures_per_year: f64,
    /// Mean DOWN time per outage, in seconds; `None` when no run had an outage.
    pub mean_outage_s: Option<f64>,
    /// The 95th percentile of outage length over all outages of all runs, in seconds; `None`
    /// when no run had an outage.
    pub p95_outage_s: Option<f64>,
    /// DOWN time per complete SLO window, as percentiles over the windows of all runs; `None`
    /// when the horizon holds no complete window.
    pub window_downtime_s: Option<Percentiles>,
    /// Mean DOWN time per complete SLO window, in seconds; `None` when the horizon holds no
    /// complete window.
    pub mean_window_downtime_s: Option<f64>,
    /// The error budget of a window, `(1 − slo) × window`, when the component has an slo.
    pub budget_s: Option<f64>,
    /// Share of complete windows whose DOWN time exceeded the budget, a probability; `None`
    /// without an slo or a complete window.
    pub p_window_breach: Option<f64>,
    /// Wilson's 95% interval of `p_window_breach`.
    pub p_window_breach_ci95: Option<(f64, f64)>,
    /// Over windows whose budget ran out: mean time from the window's start until it did.
    pub mean_budget_exhaustion_s: Option<f64>,
    /// Share of time HUNG (a part of the unavailability), with its standard error and 95%
    /// interval from the spread between runs.
    pub hung: HungShare,
}

impl ComponentTimeline {
    /// 95% interval of the availability: the unavailability's interval, turned around.
    pub fn availability_ci95(&self) -> (f64, f64) {
        let (lo, hi) = self.unavailability_ci95;
        ((1.0 - hi).max(0.0), (1.0 - lo).min(1.0))
    }
}

/// What a timeline simulation found: every component's and every queue edge's results over all
/// runs, and the work it took.
#[derive(Clone, Debug)]
pub struct TimelineResult {
    /// Runs simulated.
    pub runs: u64,
    /// Length of each run, in seconds of simulated time.
    pub horizon_s: f64,
    /// The state every run started in.
    pub start: Start,
    /// The SLO window that window figures are over, in seconds.
    pub window_s: f64,
    /// Complete SLO windows per run (a trailing partial window is left out of window figures).
    pub windows_per_run: usize,
    /// Events simulated over all runs.
    pub events: u64,
    /// Gate re-evaluations over all runs: the propagation work the events caused.
    pub gate_evaluations: u64,
    /// Per component, in the system's order (a [`ComponentId`] indexes it).
    pub components: Vec<ComponentTimeline>,
    /// Per queue edge, in the system's order of producers and their entries.
    pub queues: Vec<QueueTimeline>,
}

/// How long work waits on one queue edge.
#[derive(Clone, Debug)]
pub struct QueueTimeline {
    /// The producer: the component that hands work to the queue.
    pub from: ComponentId,
    /// The consumer: the component the work is for.
    pub to: ComponentId,
    /// The edge's `max_delay`, in seconds, when it has one.
    pub max_delay_s: Option<f64>,
    /// The longest wait in each outage of the consumer (the work queued as it went down waits
    /// the whole outage), as percentiles over outages; `None` when it never went down.
    pub delay_s: Option<Percentiles>,
    /// Share of complete windows in which some work waited longer than `max_delay`, a
    /// probability; `None` without a `max_delay` or a complete window.
    pub p_late: Option<f64>,
    /// Wilson's 95% interval of `p_late`.
    pub p_late_ci95: Option<(f64, f64)>,
}
