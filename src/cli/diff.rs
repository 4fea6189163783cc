use std::path::PathBuf;

use nines::exact;
use nines::report::Format;
use nines::report::diff::{DiffReport, Side};
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(clap::Args)]
#[command(after_help = "\
Compares two versions of a model, in any of the model formats: every component's exact \
availability, degraded share and downtime before and after, with the change in nines and in \
downtime a year, then the changes in the model (key by key, values as written) and, for each \
component whose numbers changed, the changes among the components and domains it rests on. \
Components are matched by name; one removed and one added with the same keys and values are \
shown as renamed. Exit 0 whenever both models load, 2 when one is invalid.

Examples:
  nines diff models/three-tier.toml models/three-tier.json    one model, two formats
  nines diff models/checkout.yaml models/shop-variants.yaml
  nines diff models/checkout.yaml models/shop-variants.yaml --all --format markdown
  nines diff models/checkout.yaml models/shop-variants.yaml --format json")]
pub struct Args {
    /// The model before the change (.yaml, .yml, .toml or .json)
    pub old: PathBuf,
    /// The model after the change, in the same format or another
    pub new: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// List every component, unchanged ones too (JSON always does)
    #[arg(long)]
    pub all: bool,
    /// `markdown` suits a pull-request comment
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    #[value(alias = "table")]
    Text,
    Json,
    Markdown,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (old_model, old_system) = args.overlays.load_system(&args.old)?;
    let (new_model, new_system) = args.overlays.load_system(&args.new)?;
    let old_states = exact::evaluate(&Structure::new(&old_system))?;
    let new_states = exact::evaluate(&Structure::new(&new_system))?;
    let (old_file, new_file) = (
        nines::model::error::shown_path(&args.old),
        nines::model::error::shown_path(&args.new),
    );
    let report = DiffReport::new(
        Side {
            file: &old_file,
            spec: &old_model.spec,
            system: &old_system,
            states: &old_states,
        },
        Side {
            file: &new_file,
            spec: &new_model.spec,
            system: &new_system,
            states: &new_states,
        },
    );
    let format = match args.format {
        DiffFormat::Text => Format::Table,
        DiffFormat::Json => Format::Json,
        DiffFormat::Markdown => Format::Markdown,
    };
    print(&report.render(format, args.all, term.screen()))?;
    Ok(ExitStatus::Success)
}
