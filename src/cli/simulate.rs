use std::path::PathBuf;
use std::time::Instant;

use nines::exact;
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
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
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

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let horizon =
        Duration::parse(&args.horizon).map_err(|e| super::usage_error("--horizon", &e))?;
    let (_, system) = args.overlays.load_system(&args.model)?;
    let opts = TimelineOptions::new(
        &system,
        args.runs,
        horizon.seconds,
        args.seed,
        args.threads.unwrap_or_else(default_threads),
        args.start.into(),
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    if horizon.seconds < system.window_s {
        eprintln!(
            "note: --horizon {} is shorter than one SLO window ({}); downtime per window and breach probabilities are left out",
            args.horizon,
            nines::model::units::format_duration_human(system.window_s)
        );
    }
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
    let structure = (!args.no_exact).then(|| nines::structure::Structure::new(&system));
    let exact = (structure.as_ref()).and_then(|s| exact::evaluate(s).ok());
    let mut report = SimulateReport::new(&system, &result, exact.as_deref(), args.seed);
    if let Some(hung) = structure.and_then(|s| exact::hung_probabilities(&s).ok()) {
        report = report.with_exact_hung(&hung);
    }
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
