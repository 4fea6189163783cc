//! What a simulation is asked to do, and the limits that refuse what it could not finish.

use crate::model::units::YEAR;
use crate::sim::lifetime::Sampler;
use crate::system::System;

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
    /// Its name, as `--start` takes it and reports show it: `stationary` or `new`.
    pub fn as_str(self) -> &'static str {
        match self {
            Start::Stationary => "stationary",
            Start::New => "new",
        }
    }
}

/// How a timeline simulation runs: how many runs, how long each, from which state, on which
/// seed. [`TimelineOptions::new`] refuses what would not finish; the `Default` (1,000 runs of a
/// year from the steady state, seed 0, one thread) is not checked against a system.
#[derive(Clone, Debug)]
pub struct TimelineOptions {
    /// Independent runs, each over the whole horizon.
    pub runs: u64,
    /// Length of each run, in seconds of simulated time.
    pub horizon_s: f64,
    /// The seed of every random stream: the same seed gives the same result on any number of
    /// threads.
    pub seed: u64,
    /// Threads to simulate on (the result does not depend on it).
    pub threads: usize,
    /// The state every run starts in.
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
    /// The runs asked for (held here) are zero or more than [`MAX_RUNS`].
    #[error("--runs must be between 1 and {MAX_RUNS} (it is {0})")]
    Runs(u64),
    /// No threads to simulate on.
    #[error("--threads must be at least 1")]
    Threads,
    /// The horizon is zero, negative or not finite.
    #[error("--horizon must be longer than zero and finite")]
    Horizon,
    /// The horizon holds more than [`MAX_WINDOWS`] SLO windows.
    #[error(
        "--horizon {horizon} holds more than {MAX_WINDOWS} SLO windows of {window}; simulate a shorter horizon and more runs"
    )]
    Windows {
        /// The horizon asked for, as a duration people read (`1.2y`).
        horizon: String,
        /// The system's SLO window, as a duration people read.
        window: String,
    },
    /// All runs together would be expected to have more than [`MAX_EVENTS`] events; holds how
    /// many.
    #[error(
        "this would simulate about {0:.1e} events (more than {MAX_EVENTS:.0e}); use fewer --runs or a shorter --horizon, or `nines sample` for availability alone"
    )]
    Events(f64),
    /// A failure, repair or fix distribution too skewed to simulate (see [`check`]); holds the
    /// message, which names it.
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
/// domain, two per maintenance. `horizon` is in seconds.
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
