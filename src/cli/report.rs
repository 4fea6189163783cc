use std::path::PathBuf;

use nines::model::units::Duration;
use nines::report::review::{
    HTML_FILE, MARKDOWN_FILE, Percentiles, Review, ReviewError, ReviewOptions, SimulatedComponent,
    SimulationSummary,
};
use nines::sim::timeline::{TimelineOptions, simulate};
use nines::system::System;

use super::output::print;
use super::{CliError, ExitStatus};

const AFTER_HELP: &str = "\
Writes DIR/report.md (GitHub-flavoured Markdown, the graph as Mermaid) and DIR/report.html (one
self-contained page: inline SVG plots and CSS, no script, nothing fetched; prints well). Both are
written whole or not at all. The first line states both verdicts, the long-run average and
(with --simulate) the share of windows breaching each slo against its max_breach; the report
always exits 0 all the same: `nines check` is the gate (exit 1 on either).

Examples:
  nines report models/online-store.yaml -o review/
  nines report models/shop-variants.yaml -o review/ --top 5
  nines report models/online-store.yaml -o review/ --no-tradeoff    (skip the cost curves)
  nines report models/checkout.yaml -o review/ --simulate --runs 2000   (downtime per window)";

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// The directory to write report.md and report.html into (created if missing)
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,
    /// Contributors listed per component in the risks section
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    /// Leave out the cost-versus-nines curves (they evaluate every design)
    #[arg(long)]
    pub no_tradeoff: bool,
    /// Add the timeline simulation: downtime per window against the budget, breach odds
    #[arg(long)]
    pub simulate: bool,
    /// Simulated runs, with --simulate
    #[arg(long, default_value_t = 1000, requires = "simulate")]
    pub runs: u64,
    /// Length of each simulated run, with --simulate
    #[arg(long, default_value = "1y", requires = "simulate")]
    pub horizon: String,
    /// Seed of the simulation, with --simulate
    #[arg(long, default_value_t = 0, requires = "simulate")]
    pub seed: u64,
    /// The state simulated runs start in, with --simulate: the long-run steady state, or
    /// everything up and new
    #[arg(long, value_enum, default_value = "stationary", requires = "simulate")]
    pub start: super::simulate::StartArg,
}

/// Runs the timeline simulation and keeps what the report draws.
fn simulation(system: &System, args: &Args) -> Result<SimulationSummary, CliError> {
    let horizon =
        Duration::parse(&args.horizon).map_err(|e| super::usage_error("--horizon", &e))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = TimelineOptions::new(
        system,
        args.runs,
        horizon.seconds,
        args.seed,
        threads,
        args.start.into(),
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let result = simulate(system, &opts, &|_| {});
    let components = system
        .components
        .iter()
        .zip(&result.components)
        .map(|(c, t)| SimulatedComponent {
            name: c.name.clone(),
            availability: t.availability,
            ci95: t.availability_ci95(),
            outages_per_year: t.outages_per_year,
            mean_outage_s: t.mean_outage_s,
            window_downtime_s: t.window_downtime_s.map(|p| Percentiles {
                p50: p.p50,
                p90: p.p90,
                p99: p.p99,
            }),
            histogram: Vec::new(),
            budget_s: t.budget_s,
            p_window_breach: t.p_window_breach,
            p_window_breach_ci95: t.p_window_breach_ci95,
        })
        .collect();
    Ok(SimulationSummary {
        runs: result.runs,
        horizon_s: result.horizon_s,
        window_s: result.window_s,
        seed: Some(args.seed),
        components,
    })
}

pub fn run(args: Args) -> Result<ExitStatus, CliError> {
    let model = args.overlays.load(&args.model)?;
    let system = model.system()?;
    let simulation = if args.simulate {
        Some(simulation(&system, &args)?)
    } else {
        None
    };
    let options = ReviewOptions {
        file: nines::model::error::shown_path(&args.model),
        top: args.top,
        tradeoff: !args.no_tradeoff,
        simulation,
    };
    // Everything is computed before the directory is touched: an error leaves no trace.
    let review = Review::build(&model, &system, options).map_err(review_error)?;
    std::fs::create_dir_all(&args.output).map_err(|e| {
        CliError::Usage(format!(
            "cannot create the report directory `{}`: {e}",
            nines::model::error::shown_path(&args.output)
        ))
    })?;
    review.write(&args.output).map_err(|e| {
        CliError::Usage(format!(
            "cannot write the report into `{}`: {e}",
            nines::model::error::shown_path(&args.output)
        ))
    })?;
    print(&format!(
        "{}\n{}\n",
        nines::model::error::shown_path(&args.output.join(MARKDOWN_FILE)),
        nines::model::error::shown_path(&args.output.join(HTML_FILE))
    ))?;
    Ok(ExitStatus::Success)
}

fn review_error(e: ReviewError) -> CliError {
    match e {
        ReviewError::Engine(e) => CliError::Engine(e),
        ReviewError::Io(e) => CliError::Io(e),
        other => CliError::Usage(other.to_string()),
    }
}
