//! `nines fault-tree`: exact gate probabilities of Open-PSA fault trees, read and solved in one
//! step — NOT, NAND, NOR and XOR included, which an imported model cannot express.

use std::path::PathBuf;

use nines::exact::{self, EngineError, modular};
use nines::import::open_psa::{self, FaultTree};
use nines::model::error::did_you_mean;
use nines::report::fault_tree::{FaultTreeReport, GateProbability};

use super::output::{Terminal, print};
use super::{CliError, ExitStatus, OutputFormat};

#[derive(clap::Args)]
#[command(after_help = "\
Solves the tree with the exact engine (decision diagrams, independent sub-trees solved once as
modules) and prints the top events' probabilities, or the named gates'. Common-cause groups
(beta factor), house events and parameters are read as `nines import` reads them.

Examples:
  cd models/open-psa
  nines fault-tree interlock.xml     (NOT gates and all)
  nines fault-tree cooling.xml cooling-basic-events.xml --gate train-a --format json
  nines fault-tree cooling.xml cooling-basic-events.xml --all --mission-time 720")]
pub struct Args {
    /// MEF files; together they define one model (e.g. gates in one, probabilities in another)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A gate to report (repeatable); the top gates when left out
    #[arg(long, short)]
    pub gate: Vec<String>,
    /// Report every gate
    #[arg(long, conflicts_with = "gate")]
    pub all: bool,
    /// Mission time in hours for time-dependent probabilities (<system-mission-time/>)
    #[arg(long, default_value_t = 8760.0)]
    pub mission_time: f64,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let tree = open_psa::read_files(&args.files, &super::import::options(args.mission_time)?)?;
    let chosen: Vec<usize> = if args.all {
        (0..tree.gates.len()).collect()
    } else if args.gate.is_empty() {
        tree.tops.clone()
    } else {
        args.gate
            .iter()
            .map(|name| {
                tree.gates
                    .iter()
                    .position(|g| g.name == *name)
                    .ok_or_else(|| {
                        let names = tree.gates.iter().map(|g| g.name.as_str());
                        CliError::Usage(match did_you_mean(name, names) {
                            Some(close) => format!("no gate `{name}`; did you mean `{close}`?"),
                            None => format!("no gate `{name}` in the fault tree"),
                        })
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let (circuit, gate_lit) = tree.lower();
    let outputs: Vec<_> = chosen.iter().map(|&g| gate_lit[g]).collect();
    let odds = exact::with_deep_stack(|| modular::probabilities(&circuit, &outputs, &[]))
        .map_err(|e| too_large(e, &tree))?;
    let (gates_total, basic_events, house_events) = tree.counts();
    let report = FaultTreeReport {
        model: tree.name.clone(),
        gates_total,
        basic_events,
        house_events,
        ccf_groups: tree.ccf_groups.len(),
        gates: chosen
            .iter()
            .zip(odds)
            .map(|(&g, o)| GateProbability {
                name: tree.gates[g].name.clone(),
                top: tree.tops.contains(&g),
                probability: o.p,
                complement: o.q,
            })
            .collect(),
    };
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}

/// The engine's give-up, with what a fault tree's user can do instead: `nines sample` estimates
/// a nines model, which `nines import` makes of a coherent tree only.
fn too_large(e: EngineError, tree: &FaultTree) -> CliError {
    let files: Vec<String> = tree
        .files
        .iter()
        .map(|f| nines::model::error::shown_path(f))
        .collect();
    let hint = match tree.first_non_coherent() {
        None => format!(
            "for an estimate with confidence intervals, import the tree and sample it: `nines \
             import open-psa {} -o tree.yaml`, then `nines sample tree.yaml --no-exact \
             --method plain --samples 100000000`",
            files.join(" ")
        ),
        Some(g) => format!(
            "sampling needs a nines model, and gate `{}` uses <{}>, which a model cannot express",
            g.name,
            g.op.element()
        ),
    };
    let EngineError::TooLarge(nodes) = e;
    CliError::Usage(format!(
        "the decision diagram grew past {nodes} nodes or {} operations: the tree is too \
         entangled to solve exactly\n  = hint: {hint}",
        exact::bdd::MAX_STEPS
    ))
}
