use std::path::PathBuf;

use nines::explain::find_owner;
use nines::explain::whatif::what_if;
use nines::model::error::split_hint;
use nines::model::units::Availability;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(after_help = "\
Every component's exact availability with the named components or domains down (all their \
replicas at once) and/or at a new availability, next to today's. Effects: DOWN (down for sure), \
degraded (runs on fallbacks for sure), worse, better, — (untouched).

Examples:
  nines whatif models/online-store.yaml --fail orders-db
  nines whatif models/online-store.yaml --fail euw1-az1,payments
  nines whatif models/online-store.yaml --improve orders-db=99.999%
  nines whatif models/online-store.yaml --fail session-cache --format json")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// Components or domains taken down, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub fail: Vec<String>,
    /// A new availability for a component's replicas or a domain: NAME=99.99% (repeatable)
    #[arg(long, value_delimiter = ',', value_name = "NAME=AVAILABILITY")]
    pub improve: Vec<String>,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    if args.fail.is_empty() && args.improve.is_empty() {
        return Err(CliError::Usage(
            "nothing to change: give --fail NAMES and/or --improve NAME=AVAILABILITY".into(),
        ));
    }
    let (_, system) = args.overlays.load_system(&args.model)?;
    let mut failed = Vec::new();
    for name in args.fail.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let owner = find_owner(&system, name)
            .map_err(|e| CliError::Usage(format!("--fail: {}", e.message)))?;
        if !failed.contains(&owner) {
            failed.push(owner);
        }
    }
    let mut improved = Vec::new();
    for item in &args.improve {
        let (name, value) = item.rsplit_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--improve `{item}`: write NAME=AVAILABILITY, e.g. db=99.99%"
            ))
        })?;
        let owner = find_owner(&system, name.trim())
            .map_err(|e| CliError::Usage(format!("--improve: {}", e.message)))?;
        let a = Availability::parse(value).map_err(|e| {
            let (message, hint) = split_hint(&e);
            CliError::Usage(format!(
                "--improve {name}: {message}{}",
                hint.map_or(String::new(), |h| format!("\n  = hint: {h}"))
            ))
        })?;
        improved.push((owner, a));
    }
    let report = what_if(&system, &failed, &improved)?;
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
