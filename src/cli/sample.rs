use std::path::PathBuf;

use nines::exact;
use nines::report::sample::SampleReport;
use nines::sim::snapshot::{Importance, SnapshotOptions, sample};
use nines::sim::stream::default_threads;
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Plain sampling, and importance sampling for components too rare for it
    Auto,
    /// Plain sampling only
    Plain,
}

#[derive(clap::Args)]
#[command(after_help = "\
Estimates every component's availability by sampling the basic events (replicas, domains,
maintenance, failovers) independently, 64 samples per machine word, and shows it with a 95%
confidence interval beside the exact value. A pilot of a quarter of --samples, with random
numbers of its own, picks each component's method: plain sampling (Wilson interval) where
--samples resolve it to ±10% (or --rel-error), otherwise importance sampling with
cross-entropy-tuned failure biasing (normal-approximation interval). The estimates then come
from fresh samples only, so the choice does not tilt them. `method, ESS` shows the method and
the effective number of DOWN samples behind each estimate. The same --seed gives the same
output for any --threads.

Examples:
  nines sample models/checkout.yaml
  nines sample models/checkout.yaml --samples 100000000 --threads 2
  nines sample models/checkout.yaml --rel-error 0.01 --format json
  nines sample models/checkout.yaml --method plain --seed 7")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// Plain samples (the least drawn with --rel-error)
    #[arg(long, short = 'n', default_value_t = 1_000_000)]
    pub samples: u64,
    /// Seed of the random streams
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores); the result does not depend on it
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Sample until every 95% half-width is within this share of its estimate (e.g. 0.01)
    #[arg(long)]
    pub rel_error: Option<f64>,
    /// Upper bound on the samples of each stage
    #[arg(long, default_value_t = 1 << 32)]
    pub max_samples: u64,
    /// Leave out the exact values (they take a while on models of thousands of components)
    #[arg(long)]
    pub no_exact: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub method: MethodArg,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let opts = SnapshotOptions::new(
        args.samples,
        args.seed,
        args.threads.unwrap_or_else(default_threads),
        args.rel_error,
        args.max_samples,
        match args.method {
            MethodArg::Auto => Importance::Auto,
            MethodArg::Plain => Importance::Off,
        },
    )
    .map_err(|e| super::hinted(&e, e.hint()))?;
    let (_, system) = args.overlays.load_system(&args.model)?;
    let structure = Structure::new(&system);
    let spinner = (term.progress && args.format != OutputFormat::Json).then(|| {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message("sampling");
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    });
    let result = sample(&structure, &opts);
    // The exact engine may give up on a very entangled model; sampling still stands.
    let exact = (!args.no_exact)
        .then(|| exact::evaluate(&structure).ok())
        .flatten();
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let report = SampleReport::new(&system, &result, exact.as_deref(), args.seed);
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
