use std::path::PathBuf;

use nines::lint::{self, RULES, Severity, find_rule};
use nines::model::Model;
use nines::report::lint::LintReport;

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// GitHub Actions workflow commands: annotations at the model's lines
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings fail the run too (exit 1)
    Warnings,
}

fn after_help() -> String {
    let mut out = String::from("Rules:\n");
    for r in RULES {
        out += &format!(
            "  {} {:<27} {:<8} {}\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary
        );
    }
    out += "\nA finding the model accepts is allowed where it stands, with the reason in a comment: \
            `lint: { allow: [N004] }` on the component.\n";
    out += "\nExit codes: 0 no errors (and no warnings with --deny warnings), 1 otherwise, \
            2 invalid model or usage.\n\nExamples:\n  nines lint models/online-store.yaml\n  \
            nines lint models/online-store.yaml --deny warnings --allow N006,extra-nine\n  \
            nines lint models/online-store.yaml --format github   (annotations in a GitHub workflow)\n  \
            nines lint models/online-store.yaml --format json | jq '.findings[] | select(.severity == \"error\")'";
    out
}

#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: Format,
    /// Make warnings fail the run (exit 1), for CI
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,
    /// Leave out these rules (ids or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub allow: Vec<String>,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let mut allowed = Vec::new();
    for a in &args.allow {
        let rule = find_rule(a.trim()).ok_or_else(|| {
            CliError::Usage(format!(
                "--allow: unknown rule `{a}`\n  = hint: the rules are {}",
                RULES
                    .iter()
                    .map(|r| format!("{} ({})", r.id, r.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        allowed.push(rule.id);
    }
    let model = Model::load(&args.model)?;
    let system = model.system()?;
    let mut findings = lint::lint(&model, &system)?;
    findings.retain(|f| !allowed.contains(&f.rule));
    let file = args.model.display().to_string();
    let report = LintReport::new(&system.name, &file, findings);
    print(&match args.format {
        Format::Text => report.text(term.color),
        Format::Json => report.json(),
        Format::Github => report.github(),
    })?;
    let warnings_fail = args.deny == Some(Deny::Warnings);
    let failed = report
        .findings
        .iter()
        .any(|f| f.finding.severity == Severity::Error || warnings_fail);
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
