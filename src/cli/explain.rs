use std::path::PathBuf;

use nines::explain::explanation::{ExplainOptions, explain};
use nines::explain::{find_component, recovery};
use nines::sim::stream::default_threads;
use nines::system::{ComponentId, System};
use nines::uncertainty::propagate::Options;
use nines::uncertainty::variance::{VarianceShares, variance_share};

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(after_help = "\
Importance is about COMPONENT being DOWN. For each component (all its replicas, maintenance and \
failover together) and each domain:
  Birnbaum        P(COMPONENT down | it down) − P(COMPONENT down | it never fails)
  criticality     share of COMPONENT's downtime in which its own failure was the deciding one
  Fussell–Vesely  share of COMPONENT's downtime that would vanish if it never failed
  RAW / RRW       how many times more often COMPONENT is down if it is always down / less
                  often if it never fails
Minimal cut sets: smallest sets of events that take COMPONENT down together; a single point of
failure is one event that does it alone. See docs/explain.md.

When the model gives values touching COMPONENT with their doubt (availability, mttf or mttr as a
range or an incident history), a last section says which value's doubt drives the spread of
COMPONENT's unavailability: the share of the variance of its log each value explains alone, with
a 95% interval. See docs/uncertainty.md.

Examples:
  nines explain models/online-store.yaml storefront
  nines explain models/online-store.yaml storefront --max-order 2 --cut-sets 10
  nines explain models/online-store.yaml storefront --format json | jq '.single_points_of_failure'
  nines explain models/uncertain-store.yaml checkout --draws 4000 --seed 7")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// The component whose being DOWN is explained
    pub component: String,
    /// Largest cut sets computed (events taken down together)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub max_order: u32,
    /// How many minimal cut sets are listed, most probable first
    #[arg(long = "cut-sets", default_value_t = 20)]
    pub cut_sets: usize,
    /// Rows shown in the importance and invest tables (JSON lists all)
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Draws of the uncertain values for the variance shares (each costs one exact evaluation
    /// per uncertain value, plus two)
    #[arg(long, default_value_t = 1000)]
    pub draws: usize,
    /// Seed of the draws of the uncertain values
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads for the draws (default: all cores); the result does not depend on it
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (model, system) = args.overlays.load_system(&args.model)?;
    let target =
        find_component(&system, &args.component).map_err(|e| CliError::Usage(e.message))?;
    let options = ExplainOptions {
        max_order: args.max_order,
        max_cut_sets: args.cut_sets,
    };
    let mut explanation = explain(&system, target, options)?;
    if explanation.unavailability > 0.0 {
        explanation.doubt = doubt(&system, target, &args)?;
    }
    explanation.recovery_options = recovery::options(&model, &system, target, None)?;
    print(&explanation.render(args.format.into(), term.screen(), args.top))?;
    Ok(ExitStatus::Success)
}

/// The variance shares of the uncertain values touching `target` (None when none does).
fn doubt(
    system: &System,
    target: ComponentId,
    args: &Args,
) -> Result<Option<VarianceShares>, CliError> {
    if args.draws < 2 {
        return Err(CliError::Usage(format!(
            "--draws: {} draws cannot show a variance\n  = hint: draw at least 100; 1000 is the default",
            args.draws
        )));
    }
    let options = Options::new(
        args.draws,
        args.seed,
        args.threads.unwrap_or_else(default_threads),
    )
    .map_err(|e| super::hinted(&e, e.hint()))?;
    Ok(variance_share(system, target, &options)?)
}
