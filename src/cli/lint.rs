use std::path::{Path, PathBuf};

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
    /// A Markdown table per model, for pull-request comments and step summaries
    Markdown,
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
            nines lint models/   (every model in the directory)\n  \
            nines lint models/online-store.yaml --deny warnings --allow N006,extra-nine\n  \
            nines lint models/online-store.yaml --format github   (annotations in a GitHub workflow)\n  \
            nines lint models/online-store.yaml --format json | jq '.findings[].rule'";
    out
}

#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// Model files (.yaml, .yml, .toml or .json), or directories of them (not recursive)
    #[arg(required = true, value_name = "MODEL")]
    pub models: Vec<PathBuf>,
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
    let files = super::check::expand_inputs(&args.models)?;
    if files.len() == 1 && !args.models[0].is_dir() {
        let report = lint_one(&files[0], &allowed)?;
        print(&match args.format {
            Format::Text => report.text(term.color),
            Format::Json => report.json(),
            Format::Github => report.github(),
            Format::Markdown => report.markdown(),
        })?;
        return Ok(if failed(&report, &args) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        });
    }
    let mut reports = Vec::new();
    let mut invalid = false;
    for path in &files {
        match lint_one(path, &allowed) {
            Ok(report) => reports.push(report),
            Err(e) => {
                // Report the others: one broken model must not hide the findings of the rest.
                invalid = true;
                let prefix = if term.stderr_color {
                    "\x1b[1;31merror\x1b[0m"
                } else {
                    "error"
                };
                eprintln!("{prefix}: {}: {e}", path.display());
            }
        }
    }
    let any_failed = reports.iter().any(|r| failed(r, &args));
    print(&match args.format {
        Format::Text => reports.iter().map(|r| r.text(term.color)).collect(),
        Format::Json => {
            let models: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| serde_json::to_value(r).expect("serialises"))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({ "models": models }))
                .expect("serialises")
                + "\n"
        }
        Format::Github => reports.iter().map(|r| r.github()).collect(),
        Format::Markdown => reports.iter().map(|r| r.markdown()).collect(),
    })?;
    Ok(if invalid {
        ExitStatus::Error
    } else if any_failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn lint_one(path: &Path, allowed: &[&str]) -> Result<LintReport, CliError> {
    let model = Model::load(path)?;
    let system = model.system()?;
    let mut findings = lint::lint(&model, &system)?;
    findings.retain(|f| !allowed.contains(&f.rule));
    let file = path.display().to_string();
    Ok(LintReport::new(&system.name, &file, findings))
}

fn failed(report: &LintReport, args: &Args) -> bool {
    let warnings_fail = args.deny == Some(Deny::Warnings);
    report
        .findings
        .iter()
        .any(|f| f.finding.severity == Severity::Error || warnings_fail)
}
