use std::path::PathBuf;

use nines::exact;
use nines::report::eval::EvalReport;
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  nines eval models/online-store.yaml\n  nines eval models/online-store.yaml --format json | jq '.components[] | {name, nines}'"
)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = args.overlays.load_system(&args.model)?;
    let states = exact::evaluate(&Structure::new(&system))?;
    let report = EvalReport::new(&system, &states);
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
