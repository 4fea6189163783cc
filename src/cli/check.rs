use std::path::PathBuf;

use nines::exact;
use nines::model::load_system;
use nines::report::check::CheckReport;
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every SLO met, 1 an SLO not met, 2 invalid model or usage.\n\nExamples:\n  nines check models/online-store.yaml\n  nines check models/online-store.yaml --format json"
)]
pub struct Args {
    pub model: PathBuf,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = load_system(&args.model)?;
    let states = exact::evaluate(&Structure::new(&system))?;
    let report = CheckReport::new(&system, &states);
    print(&match args.format {
        Format::Text => report.text(term.color),
        Format::Json => report.json(),
    })?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
