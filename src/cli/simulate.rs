use std::path::PathBuf;
use std::time::Instant;

use nines::exact;
use nines::model::load_system;
use nines::model::units::Duration;
use nines::report::simulate::SimulateReport;
use nines::sim::stream::default_threads;
use nines::sim::timeline::{Start, TimelineOptions, simulate};

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(after_help = "\
Simulates failures and repairs of every replica and domain over time (from their failure and
repair distributions), maintenance on its schedule, failovers and `tolerate` on dependencies.
Every run starts in the steady state (--start stationary: each replica and domain up or down
with its long-run odds, maintenance at a random point of its period), so every window's
expected downtime is the long-run one; --start new starts everything up and new at t = 0, as
after a fresh launch. Runs are cut into consecutive SLO windows.
Reports availability with a 95% confidence interval over runs, outages per year, outage
durations, downtime per window (p50, p90, p99), the probability that a window breaches the
component's slo and how soon a breached window's error budget ran out.
The same --seed gives the same output for any --threads.

Examples:
  nines simulate models/checkout.yaml
  nines simulate models/checkout.yaml --runs 10000 --horizon 5y --threads 2
  nines simulate models/checkout.yaml --start new --horizon 30d   (the first month after launch)
  nines simulate models/checkout.yaml --format json | jq '.components[] | {name, p_window_breach}'")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    /// Independent runs
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub runs: u64,
    /// Length of each run, e.g. 1y, 90d
    #[arg(long, default_value = "1y")]
    pub horizon: String,
    /// Seed of the random streams
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The state runs start in: the long-run steady state, or everything up and new
    #[arg(long, value_enum, default_value = "stationary")]
    pub start: StartArg,
    /// Worker threads (default: all cores); the result does not depend on it
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Leave out the exact values (they take a while on models of thousands of components)
    #[arg(long)]
    pub no_exact: bool,
    /// Print the events simulated and their rate to standard error
    #[arg(long)]
    pub timing: bool,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `--start`, as the command line spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StartArg {
    /// Every process in its steady state at t = 0
    Stationary,
    /// Everything up and new at t = 0 (a fresh launch)
    New,
}

impl From<StartArg> for Start {
    fn from(s: StartArg) -> Start {
        match s {
            StartArg::Stationary => Start::Stationary,
            StartArg::New => Start::New,
        }
    }
}

/// Bounds that keep memory and time sane: the work is runs × horizon.
const MAX_RUNS: u64 = 1_000_000_000;
const MAX_WINDOWS: f64 = 100_000.0;
/// Hours of work at a few million events a second.
const MAX_EVENTS: f64 = 1e11;

/// Events one run is expected to have: two per failure–repair cycle of every replica and
/// domain, two per maintenance.
fn expected_events(system: &nines::system::System, horizon: f64) -> f64 {
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

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    if args.runs == 0 || args.runs > MAX_RUNS {
        return Err(CliError::Usage(format!(
            "--runs must be between 1 and {MAX_RUNS}"
        )));
    }
    if args.threads == Some(0) {
        return Err(CliError::Usage("--threads must be at least 1".into()));
    }
    let horizon = Duration::parse(&args.horizon).map_err(|e| {
        CliError::Usage(format!(
            "--horizon: {}",
            nines::model::error::split_hint(&e).0
        ))
    })?;
    if !(horizon.seconds > 0.0 && horizon.seconds.is_finite()) {
        return Err(CliError::Usage("--horizon must be longer than zero".into()));
    }
    let (_, system) = load_system(&args.model)?;
    if horizon.seconds / system.window_s > MAX_WINDOWS {
        return Err(CliError::Usage(format!(
            "--horizon {} holds more than {MAX_WINDOWS} SLO windows; simulate a shorter horizon and more runs",
            args.horizon
        )));
    }
    nines::sim::timeline::check(&system).map_err(CliError::Usage)?;
    let events = expected_events(&system, horizon.seconds) * args.runs as f64;
    if events > MAX_EVENTS {
        return Err(CliError::Usage(format!(
            "this would simulate about {events:.1e} events (more than {MAX_EVENTS:.0e}); use fewer --runs or a shorter --horizon"
        )));
    }
    if horizon.seconds < system.window_s {
        eprintln!(
            "note: --horizon {} is shorter than one SLO window ({}); downtime per window and breach probabilities are left out",
            args.horizon,
            nines::model::units::format_duration_human(system.window_s)
        );
    }
    let opts = TimelineOptions {
        runs: args.runs,
        horizon_s: horizon.seconds,
        seed: args.seed,
        threads: args.threads.unwrap_or_else(default_threads),
        start: args.start.into(),
    };
    let bar = (term.progress && args.format != OutputFormat::Json).then(|| {
        let b = indicatif::ProgressBar::new(args.runs);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:30}] {pos}/{len} runs, {eta} left",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        b
    });
    let started = Instant::now();
    let result = simulate(&system, &opts, &|n| {
        if let Some(b) = &bar {
            b.inc(n)
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if args.timing {
        eprintln!(
            "{} runs, {} events ({} gate evaluations) in {elapsed:.3} s: {:.3e} events/s, {:.3e} runs/s",
            result.runs,
            result.events,
            result.gate_evaluations,
            result.events as f64 / elapsed,
            result.runs as f64 / elapsed
        );
    }
    let exact = (!args.no_exact)
        .then(|| exact::evaluate_system(&system).ok())
        .flatten();
    let report = SimulateReport::new(&system, &result, exact.as_deref(), args.seed);
    print(&report.render(args.format.into(), term.color))?;
    Ok(ExitStatus::Success)
}
