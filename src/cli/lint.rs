use std::path::{Path, PathBuf};

use nines::lint::{self, RULES, Severity, find_rule};
use nines::report::diagnostic::junit::junit;
use nines::report::diagnostic::{Diagnostic, Level, Places};
use nines::report::lint::{LintReport, sarif_rules};
use nines::report::sarif::sarif;

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
    /// SARIF 2.1.0, for code scanning: one result per finding and per invalid model
    Sarif,
    /// JUnit XML: one test case per finding (a failure when it fails the run, else skipped)
    Junit,
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
            nines lint models/ --format sarif > nines-lint.sarif   (for code scanning)\n  \
            nines lint models/online-store.yaml --format json | jq '.findings[].rule'";
    out
}

#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// Model files (.yaml, .yml, .toml or .json), or directories of them (not recursive)
    #[arg(required = true, value_name = "MODEL")]
    pub models: Vec<PathBuf>,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
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
    let single = files.len() == 1 && !args.models[0].is_dir();
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        match lint_one(path, &args.overlays, &allowed) {
            Ok(report) => reports.push(report),
            // One model alone, in a format that cannot carry its error: as before, on stderr.
            Err(e) if single && !carries_errors(args.format) => return Err(e),
            Err(e) => {
                // Report the others: one broken model must not hide the findings of the rest.
                errors.push(super::check::invalid_model(term, path, &e, single));
            }
        }
    }
    let any_failed = reports.iter().any(|r| failed(r, &args));
    print(&match args.format {
        Format::Text => reports.iter().map(|r| r.text(term.color)).collect(),
        Format::Json if single => reports.iter().map(|r| r.json()).collect(),
        Format::Json => {
            let models: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| serde_json::to_value(r).expect("serialises"))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({ "models": models }))
                .expect("serialises")
                + "\n"
        }
        Format::Github => reports
            .iter()
            .map(|r| r.github())
            .chain(errors.iter().map(Diagnostic::github))
            .collect(),
        Format::Markdown => reports.iter().map(|r| r.markdown()).collect(),
        Format::Sarif => {
            let mut all: Vec<Diagnostic> = reports.iter().flat_map(|r| r.diagnostics()).collect();
            all.extend(errors.iter().cloned());
            sarif(&sarif_rules(), &all)
        }
        Format::Junit => {
            let warnings_fail = args.deny == Some(Deny::Warnings);
            let sections: Vec<_> = (reports.iter())
                .map(|r| {
                    let mut section = r.section();
                    // A warning fails the run only under --deny warnings: then it is a failure.
                    for d in section.diagnostics.iter_mut() {
                        if warnings_fail && d.level == Level::Warning {
                            d.level = Level::Error;
                        }
                    }
                    section
                })
                .collect();
            junit("nines lint", &sections, &errors)
        }
    })?;
    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if any_failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Formats that show an invalid model among their results, rather than only on stderr.
fn carries_errors(format: Format) -> bool {
    matches!(format, Format::Github | Format::Sarif | Format::Junit)
}

fn lint_one(
    path: &Path,
    overlays: &super::overlays::Overlays,
    allowed: &[&str],
) -> Result<LintReport, CliError> {
    let model = overlays.load(path)?;
    let system = model.system()?;
    let mut findings = lint::lint(&model, &system)?;
    findings.retain(|f| !allowed.contains(&f.rule));
    let file = nines::model::error::shown_path(path);
    Ok(LintReport::placed(
        &system.name,
        &file,
        findings,
        Some(&Places::of(&model)),
    ))
}

fn failed(report: &LintReport, args: &Args) -> bool {
    let warnings_fail = args.deny == Some(Deny::Warnings);
    report
        .findings
        .iter()
        .any(|f| f.finding.severity == Severity::Error || warnings_fail)
}
