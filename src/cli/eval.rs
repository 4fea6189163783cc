use std::path::PathBuf;

use nines::exact;
use nines::model::load_system;
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
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = load_system(&args.model)?;
    let structure = Structure::new(&system);
    let states = exact::evaluate(&structure)?;
    let hung = exact::hung_probabilities(&structure)?;
    let report = EvalReport::new(&system, &states).with_hung(&hung);
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
