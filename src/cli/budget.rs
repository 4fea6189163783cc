use std::path::PathBuf;

use nines::explain::budget::{Outages, budget};
use nines::explain::find_component;
use nines::model::error::split_hint;
use nines::model::units::Availability;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

#[derive(clap::Args)]
#[command(after_help = "\
The yearly error budget of COMPONENT's slo, top down as in \"The Calculus of Service \
Availability\" (Treynor et al., ACM Queue 2017). COMPONENT's exact downtime is shared out over \
its own failures, every domain, every unique hard dependency (on_failure: fail, direct or \
transitive) and every group or fallback, each cause once: the shares add up to the exact \
unavailability, and the verdict is `check`'s. What the dependencies and domains take is \
subtracted from the budget; the rest is COMPONENT's own. Rows without one nine more than the \
slo break the rule of the extra nine. Exit 0 when the budget fits (COMPONENT meets the slo), 1 when it does not, 2 on bad input.

Examples:
  nines budget models/online-store.yaml storefront
  nines budget models/online-store.yaml storefront --outages 4
  nines budget models/online-store.yaml storefront --slo 99.99% --format json   # exit 1")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// The component whose error budget is shared out
    pub component: String,
    /// The target availability, when the component has no slo or another is wanted
    #[arg(long)]
    pub slo: Option<String>,
    /// Expected outages a year: gives the time to detect and recover allowed per outage
    #[arg(long)]
    pub outages: Option<f64>,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = args.overlays.load_system(&args.model)?;
    let target =
        find_component(&system, &args.component).map_err(|e| CliError::Usage(e.message))?;
    let slo = match &args.slo {
        Some(text) => Availability::parse(text).map_err(|e| {
            let (message, hint) = split_hint(&e);
            CliError::Usage(format!(
                "--slo: {message}{}",
                hint.map_or(String::new(), |h| format!("\n  = hint: {h}"))
            ))
        })?,
        None => system.components[target].slo.ok_or_else(|| {
            CliError::Usage(format!(
                "component `{}` has no slo\n  = hint: add `slo: 99.9%` to it in the model, or pass --slo 99.9%",
                args.component
            ))
        })?,
    };
    let outages =
        (args.outages.map(Outages::new).transpose()).map_err(|e| CliError::Usage(e.to_string()))?;
    let report = budget(&system, target, slo, outages)?;
    print(&report.render(args.format.into(), term.screen()))?;
    // A budget that does not fit is a failed verdict, as in `check`: a CI job stops on it.
    Ok(if report.meets_slo {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
