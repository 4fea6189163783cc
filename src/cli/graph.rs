use std::path::PathBuf;

use nines::report::graph::{GraphFormat, render};

use super::output::print;
use super::{CliError, ExitStatus};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  nines graph models/online-store.yaml\n  nines graph models/online-store.yaml --format dot | dot -Tsvg > graph.svg"
)]
pub struct Args {
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    #[arg(long, short, value_enum, default_value = "mermaid")]
    pub format: Format,
}

pub fn run(args: Args) -> Result<ExitStatus, CliError> {
    let (_, system) = args.overlays.load_system(&args.model)?;
    let format = match args.format {
        Format::Mermaid => GraphFormat::Mermaid,
        Format::Dot => GraphFormat::Dot,
    };
    print(&render(&system, format))?;
    Ok(ExitStatus::Success)
}
