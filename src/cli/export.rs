use std::path::PathBuf;

use nines::export::{self, Export, openslo, prometheus, sloth};
use nines::model::load_system;
use nines::report::review::write::write_file_atomically;

use super::output::print;
use super::{CliError, ExitStatus};

const AFTER_HELP: &str = "\
Every component with an slo becomes one objective; with --budget, so does every hard dependency \
of one, at the target `nines budget` derives for it (one nine more than its caller's slo; the \
strictest caller wins). The SLI comes from the component's `sli: { errors: PROMQL, total: PROMQL \
}`, `{{.window}}` standing for the window of each rule, and is carried through unchanged: \
components without one are left out, and a warning names them.

  openslo      OpenSLO v1: a Service for the model, an SLO per objective with its SLI inline
  sloth        a sloth prometheus/v1 spec (sloth generates the rules and alerts)
  prometheus   a Prometheus rule file: the error ratio recorded over 5m to 3d, and the page \
(14.4× over 1h and 5m, 6× over 6h and 30m) and ticket (3× over 1d and 2h, 1× over 3d and 6h) \
burn-rate alerts
  json         the objectives, their targets and where each comes from

With -o DIR the file DIR/<model>.<format>.yaml (.json) is written whole or not at all; \
otherwise it goes to standard output.

Examples:
  nines export openslo models/online-store.yaml
  nines export prometheus models/online-store.yaml --budget -o rules/
  nines export sloth models/online-store.yaml --budget
  nines export json models/online-store.yaml --budget";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Openslo,
    Sloth,
    Prometheus,
    Json,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Openslo => "openslo",
            Target::Sloth => "sloth",
            Target::Prometheus => "prometheus",
            Target::Json => "json",
        }
    }
}

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// What to write
    #[arg(value_enum)]
    pub format: Target,
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    /// Also every hard dependency of a component with an slo, at the target `budget` derives
    #[arg(long)]
    pub budget: bool,
    /// The directory to write the file into (created if missing); standard output otherwise
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

fn render(format: Target, export: &Export) -> String {
    match format {
        Target::Openslo => openslo::render(export),
        Target::Sloth => sloth::render(export),
        Target::Prometheus => prometheus::render(export),
        Target::Json => serde_json::to_string_pretty(export).expect("results serialise") + "\n",
    }
}

pub fn run(args: Args) -> Result<ExitStatus, CliError> {
    let (model, system) = load_system(&args.model)?;
    let export = export::objectives(&model, &system, args.budget)?;
    for w in &export.warnings {
        eprintln!("warning: {w}");
    }
    if !export.without_sli.is_empty() {
        eprintln!(
            "warning: left out, no `sli` to measure them by: {}\n  = hint: add `sli: {{ errors: PROMQL, total: PROMQL }}` to each, `{{{{.window}}}}` standing for the window",
            export.without_sli.join(", ")
        );
    }
    if export.objectives.is_empty() && args.format != Target::Json {
        let hint = if system.components.iter().any(|c| c.slo.is_some()) || args.budget {
            "give the components with an slo an `sli: { errors: PROMQL, total: PROMQL }`"
        } else {
            "give a component an `slo` and an `sli`, or pass --budget for its dependencies"
        };
        return Err(CliError::Usage(format!(
            "{}: nothing to export: no component has both an slo and an sli\n  = hint: {hint}",
            args.model.display()
        )));
    }
    let text = render(args.format, &export);
    match &args.output {
        None => print(&text)?,
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                CliError::Usage(format!(
                    "cannot create the directory {}: {e}",
                    dir.display()
                ))
            })?;
            let extension = if args.format == Target::Json {
                "json"
            } else {
                "yaml"
            };
            let path = dir.join(format!(
                "{}.{}.{extension}",
                export::slug(&export.model),
                args.format.name()
            ));
            write_file_atomically(&path, text.as_bytes())
                .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "wrote {} ({} objective{})",
                path.display(),
                export.objectives.len(),
                if export.objectives.len() == 1 {
                    ""
                } else {
                    "s"
                }
            );
        }
    }
    Ok(ExitStatus::Success)
}
