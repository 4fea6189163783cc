use std::path::PathBuf;

use nines::explain::chaos::{Verdict, chaos};
use nines::model::load_system;
use nines::report::chaos::render;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

/// What `--deny` makes a failing sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Exit 1 when a single failure (or pair) takes an outermost component down.
    Visible,
    /// Exit 1 when a single failure (or pair) takes one down or onto its fallbacks.
    Degraded,
}

#[derive(clap::Args)]
#[command(after_help = "\
Fails every replica, component and domain on its own, everything else up, and says how each \
outermost component (one with an slo, or that nothing depends on) takes it: invisible (still \
UP), degraded (on fallbacks) or visible (down or hung). A component that can hang is failed \
hanging too, marked (hangs). The table lists what someone notices; JSON lists every experiment. \
See docs/chaos.md.

Examples:
  nines chaos models/online-store.yaml
  nines chaos models/multi-region.yaml --pairs
  nines chaos models/online-store.yaml --all --format markdown
  nines chaos models/multi-region.yaml --deny visible       (exit 1: a single failure is seen; for CI)")]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    /// Also fail every two replicas, components or domains together
    #[arg(long)]
    pub pairs: bool,
    /// List every experiment, invisible ones too (JSON always does)
    #[arg(long)]
    pub all: bool,
    /// Exit 1 when a single failure (or, with --pairs, a pair) is this bad or worse; components
    /// failed whole do not count
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub deny: Option<Deny>,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = load_system(&args.model)?;
    let sweep = chaos(&system, args.pairs)
        .map_err(|e| CliError::Usage(format!("--pairs: {e}\n  = hint: {}", e.hint())))?;
    print(&render(&sweep, args.format.into(), term.screen(), args.all))?;
    let denied = match args.deny {
        None => false,
        Some(Deny::Visible) => sweep.worst() >= Verdict::Visible,
        Some(Deny::Degraded) => sweep.worst() >= Verdict::Degraded,
    };
    Ok(if denied {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
