use std::path::PathBuf;

use nines::exact;
use nines::report::Format;
use nines::report::eval::EvalReport;
use nines::sim::stream::default_threads;
use nines::structure::Structure;
use nines::system::System;
use nines::uncertainty::propagate::{self, Options, Propagation};

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(clap::Args)]
#[command(
    after_help = "With --uncertainty, every availability, mttf and mttr the model gives with its doubt
({ estimate, low, high } or { incidents, over }) is drawn --draws times, each draw is solved
exactly, and every component's availability is shown as its 5th, 50th and 95th percentiles, with
the share of draws that meet its slo. The same --seed gives the same output for any --threads.

Examples:
  nines eval models/online-store.yaml
  nines eval models/online-store.yaml --format json | jq '.components[] | {name, nines}'
  nines eval models/online-store.yaml --format prometheus > online-store.prom   for a textfile collector
  nines eval models/uncertain-store.yaml --uncertainty
  nines eval models/uncertain-store.yaml --uncertainty --draws 5000 --seed 7 --format json"
)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: EvalFormat,
    /// Draw the uncertain values and show every availability's spread
    #[arg(long)]
    pub uncertainty: bool,
    /// Draws of the uncertain values (with --uncertainty)
    #[arg(long, default_value_t = 1000, requires = "uncertainty")]
    pub draws: usize,
    /// Seed of the draws (with --uncertainty)
    #[arg(long, default_value_t = 0, requires = "uncertainty")]
    pub seed: u64,
    /// Worker threads (default: all cores); the result does not depend on it
    #[arg(long, short = 'j', requires = "uncertainty")]
    pub threads: Option<usize>,
}

/// `eval` prints what the other commands do, and gauges for Prometheus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    Table,
    Json,
    Markdown,
    /// The text exposition format: nines_availability, nines_unavailability and nines_degraded
    /// gauges, for a textfile collector
    Prometheus,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = args.overlays.load_system(&args.model)?;
    let structure = Structure::new(&system);
    let states = exact::evaluate(&structure)?;
    let hung = exact::hung_probabilities(&structure)?;
    let mut report = EvalReport::new(&system, &states).with_hung(&hung);
    if args.uncertainty {
        let options = Options::new(
            args.draws,
            args.seed,
            args.threads.unwrap_or_else(default_threads),
        )
        .map_err(|e| super::hinted(&e, e.hint()))?;
        let shown = term.progress && args.format != EvalFormat::Json;
        report = report.with_uncertainty(&draw(&system, &options, shown)?);
    }
    let text = match args.format {
        EvalFormat::Table => report.render(Format::Table, term.screen()),
        EvalFormat::Json => report.render(Format::Json, term.screen()),
        EvalFormat::Markdown => report.render(Format::Markdown, term.screen()),
        EvalFormat::Prometheus => nines::export::prometheus::gauges(&report),
    };
    print(&text)?;
    Ok(ExitStatus::Success)
}

/// The spread of every availability, with a progress bar when `shown`; a usage error for a
/// model without doubt.
pub fn draw(system: &System, options: &Options, shown: bool) -> Result<Propagation, CliError> {
    if !propagate::has_doubt(system) {
        return Err(CliError::Usage(format!(
            "`{}` gives no value with its doubt, so there is nothing to draw\n  = hint: write a value as {{ estimate: 99.95%, low: 99.9%, high: 99.99% }} or an mttf as {{ incidents: 3, over: 2y }}",
            system.name
        )));
    }
    let bar = shown.then(|| {
        let b = indicatif::ProgressBar::new(options.draws as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} drawing [{bar:30}] {pos}/{len} draws, {eta} left",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        b
    });
    let result = propagate::propagate(system, options, &|n| {
        if let Some(b) = &bar {
            b.inc(n)
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(result?)
}
