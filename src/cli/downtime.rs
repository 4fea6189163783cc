use nines::model::units::{Availability, Duration};
use nines::report::downtime::DowntimeReport;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  nines downtime 99.95%\n  nines downtime 0.9999 --window 28d --format json"
)]
pub struct Args {
    /// An availability: 99.95% or 0.9995
    pub availability: String,
    /// The SLO window
    #[arg(long, default_value = "30d")]
    pub window: String,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let a = Availability::parse(&args.availability)
        .map_err(|e| CliError::Usage(nines::model::error::split_hint(&e).0 + &hint_of(&e)))?;
    let window = Duration::parse(&args.window).map_err(|e| super::usage_error("--window", &e))?;
    let report =
        DowntimeReport::new(a, window.seconds).map_err(|e| CliError::Usage(e.to_string()))?;
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}

fn hint_of(e: &str) -> String {
    nines::model::error::split_hint(e)
        .1
        .map_or(String::new(), |h| format!("\n  = hint: {h}"))
}
