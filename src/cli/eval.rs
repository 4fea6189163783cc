use std::path::PathBuf;

use nines::exact;
use nines::report::Format;
use nines::report::eval::EvalReport;
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  nines eval models/online-store.yaml\n  nines eval models/online-store.yaml --format json | jq '.components[] | {name, nines}'\n  nines eval models/online-store.yaml --format prometheus > online-store.prom   for a textfile collector"
)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: EvalFormat,
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
    let states = exact::evaluate(&Structure::new(&system))?;
    let report = EvalReport::new(&system, &states);
    let text = match args.format {
        EvalFormat::Table => report.render(Format::Table, term.screen()),
        EvalFormat::Json => report.render(Format::Json, term.screen()),
        EvalFormat::Markdown => report.render(Format::Markdown, term.screen()),
        EvalFormat::Prometheus => nines::export::prometheus::gauges(&report),
    };
    print(&text)?;
    Ok(ExitStatus::Success)
}
