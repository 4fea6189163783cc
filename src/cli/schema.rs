use nines::model::ModelSpec;

use super::output::print;
use super::{CliError, ExitStatus};

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  nines schema > nines.schema.json   # then point your editor's YAML language server at it"
)]
pub struct Args {}

pub fn run(_: Args) -> Result<ExitStatus, CliError> {
    let schema = schemars::schema_for!(ModelSpec);
    print(&(serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"))?;
    Ok(ExitStatus::Success)
}
