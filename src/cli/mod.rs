//! The command line: clap definitions, one module per command, and the one place where errors
//! are rendered and turned into exit codes.

mod budget;
mod calibrate;
mod chaos;
mod check;
mod diff;
mod downtime;
mod eval;
mod explain;
mod export;
mod fault_tree;
mod graph;
mod import;
mod lint;
mod output;
mod overlays;
mod report;
mod sample;
mod schema;
mod simulate;
mod tradeoff;
mod whatif;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};

use nines::exact::EngineError;
use nines::model::ModelError;

pub use output::{OutputFormat, Terminal};

/// Exit codes: 0 ok, 1 an SLO or budget not met, 2 invalid input or usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// Everything a command can fail with; rendered once, in `run`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("{0}")]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A usage error about an option's value, its hint (carried inside the parser's message) shown
/// as every other hint is: `--horizon: duration `3` has no unit`, then `  = hint: ...`.
pub fn usage_error(option: &str, error: &str) -> CliError {
    let (message, hint) = nines::model::error::split_hint(error);
    CliError::Usage(match hint {
        Some(h) => format!("{option}: {message}\n  = hint: {h}"),
        None => format!("{option}: {message}"),
    })
}

/// A usage error from an engine's options constructor: its message, then its hint as every
/// other hint is shown.
pub fn hinted(error: &impl std::fmt::Display, hint: Option<String>) -> CliError {
    CliError::Usage(match hint {
        Some(h) => format!("{error}\n  = hint: {h}"),
        None => error.to_string(),
    })
}

const EXAMPLES: &str = "\
Examples:
  nines eval models/online-store.yaml            exact availability of every component
  nines eval models/online-store.yaml --format json
  nines check models/online-store.yaml           exit 1 when an SLO is not met (for CI)
  nines explain models/online-store.yaml storefront
  nines whatif models/online-store.yaml --fail orders-db
  nines budget models/online-store.yaml storefront --outages 4
  nines diff models/checkout.yaml models/shop-variants.yaml   what changed between two models
  nines sample models/online-store.yaml          Monte Carlo estimate with 95% intervals
  nines simulate models/online-store.yaml        outages, downtime per window, SLO breach odds
  nines downtime 99.95%                           allowed downtime per day, week, month, year
  nines graph models/online-store.yaml --format dot | dot -Tsvg > graph.svg
  nines lint models/online-store.yaml --deny warnings   design-review rules, for CI
  nines report models/online-store.yaml -o review/      Markdown and HTML design review
  nines tradeoff models/shop-variants.yaml --plot curve.svg   cost versus nines, sweet spot
  nines schema > nines.schema.json                JSON Schema for editors
  nines import open-psa models/open-psa/cooling*.xml -o cooling.yaml   an Open-PSA fault tree as a model
  nines fault-tree models/open-psa/interlock.xml  exact probability of an Open-PSA fault tree
  nines completions bash > nines.bash             shell completions (source it from ~/.bashrc)
  nines chaos models/online-store.yaml           fail each replica, component and zone: who notices?
  nines export prometheus models/online-store.yaml --budget -o rules/   burn-rate alerts for Prometheus
  nines eval models/uncertain-store.yaml --uncertainty   p5, p50, p95 of every availability
  nines calibrate models/incidents/outages.csv --since 2024-01-01 --until 2025-01-01   mttf and mttr from incidents";

#[derive(Parser)]
#[command(name = "nines", version, about = "Exact and simulated availability of systems of systems", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Exact availability, degraded share and downtime of every component
    Eval(eval::Args),
    /// CI budget check: exit 1 when a component misses its SLO
    Check(check::Args),
    /// Why a component goes down: importance, minimal cut sets, single points of failure
    Explain(explain::Args),
    /// Blast radius: every component with some components or domains down, or improved
    Whatif(whatif::Args),
    /// Error budget of a component's slo, shared out over its hard dependencies
    Budget(budget::Args),
    /// Two versions of a model: every component's numbers before and after, and what changed
    Diff(diff::Args),
    /// Snapshot Monte Carlo: sampled availability with confidence intervals beside the exact value
    Sample(sample::Args),
    /// Timeline simulation: outages per year, downtime per SLO window, breach probabilities
    Simulate(simulate::Args),
    /// Allowed downtime per day, week, window, month, quarter and year for an availability
    Downtime(downtime::Args),
    /// The dependency graph as Mermaid or Graphviz DOT
    Graph(graph::Args),
    /// Design-review rules: unattainable SLOs, single points of failure, missing timeouts
    Lint(lint::Args),
    /// Design-review report: Markdown and self-contained HTML with plots
    Report(report::Args),
    /// The JSON Schema of the model file
    Schema(schema::Args),
    /// Cost versus nines: designs from variants, the Pareto frontier and the sweet spot
    Tradeoff(tradeoff::Args),
    /// Convert models from other tools (Open-PSA MEF fault trees) into nines models
    Import(import::Args),
    /// Exact probabilities of Open-PSA fault trees' gates, NOT/XOR/NAND/NOR included
    FaultTree(fault_tree::Args),
    /// Incident history per component: mttf with its 90% interval, mttr, an overlay of both
    Calibrate(calibrate::Args),
    /// Shell completions for bash, zsh, fish, elvish or powershell
    /// Chaos Monkey sweep: every replica, component and domain failed alone; who notices?
    Chaos(chaos::Args),
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Objectives for the SLO tools: OpenSLO, sloth, Prometheus burn-rate alerts
    Export(export::Args),
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitStatus {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    let term = Terminal::detect();
    let result = match cli.command {
        Command::Eval(a) => eval::run(a, &term),
        Command::Check(a) => check::run(a, &term),
        Command::Explain(a) => explain::run(a, &term),
        Command::Whatif(a) => whatif::run(a, &term),
        Command::Budget(a) => budget::run(a, &term),
        Command::Diff(a) => diff::run(a, &term),
        Command::Sample(a) => sample::run(a, &term),
        Command::Simulate(a) => simulate::run(a, &term),
        Command::Downtime(a) => downtime::run(a, &term),
        Command::Graph(a) => graph::run(a),
        Command::Lint(a) => lint::run(a, &term),
        Command::Report(a) => report::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Tradeoff(a) => tradeoff::run(a, &term),
        Command::Import(a) => import::run(a),
        Command::FaultTree(a) => fault_tree::run(a, &term),
        Command::Chaos(a) => chaos::run(a, &term),
        Command::Calibrate(a) => calibrate::run(a, &term),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "nines", &mut std::io::stdout());
            Ok(ExitStatus::Success)
        }
        Command::Export(a) => export::run(a),
    };
    match result {
        Ok(status) => status,
        // A closed pipe (`nines eval … | head`) is not an error.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(e) => {
            let prefix = if term.stderr_color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            // Messages are ours, with names and paths already shown escaped; escape sequences
            // and carriage returns that still got in (a message of the system's, quoting a
            // path) are written out too. Line breaks are the messages' own.
            let text: String = (e.to_string().split('\n'))
                .map(|line| nines::model::error::shown(line).into_owned())
                .collect::<Vec<_>>()
                .join("\n");
            eprintln!("{prefix}: {text}");
            ExitStatus::Error
        }
    }
}
