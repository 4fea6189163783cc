use std::path::{Path, PathBuf};

use nines::exact;
use nines::model::units::Duration;
use nines::report::baseline::{Baseline, BaselineError};
use nines::report::check::sarif_rules;
use nines::report::check::verdicts::TITLE;
use nines::report::check::{CheckOptions, CheckReport, needs_window_gate, window_gate_options};
use nines::report::diagnostic::emit::{self, Section};
use nines::report::diagnostic::{Diagnostic, Places, junit};
use nines::report::sarif::sarif;
use nines::sim::stream::default_threads;
use nines::sim::timeline::simulate;
use nines::structure::Structure;
use nines::system::System;
use nines::uncertainty::propagate::{Options, has_doubt, propagate};

use super::output::print;
use super::{CliError, ExitStatus, Terminal};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// JUnit XML: one test case per slo (and per component compared with --baseline)
    Junit,
    /// GitHub Actions workflow commands: annotations at the components' lines
    Github,
    /// A Markdown table per model, for pull-request comments and step summaries
    Markdown,
    /// SARIF 2.1.0, for code scanning: one result per failed slo, regression, component removed
    /// or renamed, and invalid model
    Sarif,
}

const AFTER_HELP: &str = "\
Window gate: an slo written `slo: { target: 99.95%, max_breach: 10% }` (or every slo, with
--max-breach) also fails when more than that share of the model's SLO windows breach the target.
Meeting the target on average is not enough: outages bunch up, and some windows spend more than
their budget. The share is estimated by the timeline simulation (--runs windows, each run one
window from the steady state, a fixed --seed so the output never changes by itself) and printed
with its 95% interval; the gate fails when the whole interval lies above max_breach, and says
\"undecided: run more\" when the interval straddles it. Without any max_breach nothing is simulated.

Exit codes: 0 every SLO met (and every demand below), 1 an SLO not met, a margin too thin, a
window gate failed or a regression, 2 invalid model, baseline or usage.

Examples:
  nines check models/online-store.yaml
  nines check models/online-store.yaml --format json
  nines check models/                           (exit 1: every model in the directory is checked,
                                                 and two of the shipped ones miss their SLO)
  nines check models/online-store.yaml --format junit > nines-junit.xml
  nines check models/online-store.yaml --format github      (in a GitHub Actions step)
  nines check models/ --format sarif > nines-check.sarif     (exit 1: a model in models/ misses
                                                              its slo; SARIF for code scanning)
  nines check models/online-store.yaml --min-margin 0.1     (each slo met with 0.1 nines to spare)
  nines check models/online-store.yaml --max-breach 15%     (and at most 15% of windows breach it)
  nines check models/online-store.yaml --max-breach 15% --runs 50000 --seed 7
  nines check models/uncertain-store.yaml --confidence 80%   (met in at least 80% of draws)
  nines check models/uncertain-store.yaml --confidence 90%   (exit 1: met in fewer than 90%)
  git show origin/main:models/online-store.yaml > base.yaml
  nines check models/online-store.yaml --baseline base.yaml --max-drop 0.05
  nines check models/online-store.yaml --baseline base.yaml --fail-on-removed";

fn nines_value(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of nines (e.g. 0.1)"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!(
            "`{text}`: a number of nines is finite and at least 0"
        ));
    }
    Ok(v)
}

/// `--max-breach`: a probability, `0.1` or `10%`.
fn probability_value(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (digits, scale) = match t.strip_suffix('%') {
        Some(d) => (d.trim(), 100.0),
        None => (t, 1.0),
    };
    let v = digits
        .parse::<f64>()
        .map(|v| v / scale)
        .map_err(|_| format!("`{text}` is not a probability (e.g. 0.1 or 10%)"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!(
            "`{text}`: a probability is between 0 and 1 (0% and 100%)"
        ));
    }
    Ok(v)
}

/// Windows simulated for the gate by default: the 95% interval of a breach probability near 10%
/// is then about ±0.4 points wide, and the shipped models take well under a second.
const GATE_RUNS: u64 = 20_000;

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Model files (.yaml, .yml, .toml or .json), or directories of them (not recursive)
    #[arg(required = true, value_name = "MODEL")]
    pub models: Vec<PathBuf>,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: Format,
    /// An earlier version of the model, or its `nines eval --format json` output, to compare with
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Fail when a component has lost more than this many nines since the baseline
    #[arg(long, value_name = "NINES", requires = "baseline", value_parser = nines_value)]
    pub max_drop: Option<f64>,
    /// Fail when a component of the baseline is gone from the model (renamed ones are compared
    /// under their new name, not counted as gone)
    #[arg(long, requires = "baseline")]
    pub fail_on_removed: bool,
    /// Fail when an slo is met with less than this many nines to spare
    #[arg(long, value_name = "NINES", value_parser = nines_value)]
    pub min_margin: Option<f64>,
    /// Fail an slo when more than this share of its windows breach it (0.1 or 10%), for every
    /// slo, over the models' own `max_breach`
    #[arg(long, value_name = "P", value_parser = probability_value)]
    pub max_breach: Option<f64>,
    /// Simulated runs for the window gate
    #[arg(long, value_name = "N", default_value_t = GATE_RUNS)]
    pub runs: u64,
    /// Length of each simulated run (default: one SLO window of the model, so that every window
    /// is independent of the others)
    #[arg(long, value_name = "DURATION")]
    pub horizon: Option<String>,
    /// Seed of the window gate's simulation; the output is the same for any --threads
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads for the simulation (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Fail an slo unless it is met with at least this probability (0.9 or 90%) over the
    /// model's uncertain values
    #[arg(long, value_name = "P", value_parser = probability_value)]
    pub confidence: Option<f64>,
    /// Draws of the uncertain values for --confidence
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1000,
        requires = "confidence"
    )]
    pub draws: usize,
}

/// The models named: files as given, directories as their model files sorted by name.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| {
                    CliError::Usage(format!("{}: {e}", nines::model::error::shown_path(input)))
                })?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "toml" | "json"))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(CliError::Usage(format!(
                    "{}: no .yaml, .yml, .toml or .json model in this directory",
                    nines::model::error::shown_path(input)
                )));
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let files = expand_inputs(&args.models)?;
    if files.len() == 1 && !args.models[0].is_dir() {
        return run_one(&args, &files[0], term);
    }
    let baseline = load_baseline(&args)?;
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        match check_one(&args, path, baseline.as_ref()) {
            Ok(report) => reports.push(report),
            // Report the others: one broken model must not hide the verdicts of the rest.
            Err(e) => errors.push(invalid_model(term, path, &e, false)),
        }
    }
    let invalid = !errors.is_empty();
    let text = match args.format {
        Format::Json => {
            let models: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| serde_json::to_value(r).expect("serialises"))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "passed": !invalid && reports.iter().all(|r| r.passed),
                "models": models,
            }))
            .expect("serialises")
                + "\n"
        }
        format => render(format, &reports, &errors, term, true),
    };
    print(&text)?;
    Ok(if invalid {
        ExitStatus::Error
    } else if reports.iter().all(|r| r.passed) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn load_baseline(args: &Args) -> Result<Option<Baseline>, CliError> {
    Ok(match &args.baseline {
        Some(path) => Some(Baseline::load(path).map_err(|e| match e {
            BaselineError::Model(e) => CliError::Model(e),
            BaselineError::Engine(e) => CliError::Engine(e),
            other => CliError::Usage(other.to_string()),
        })?),
        None => None,
    })
}

fn check_one(
    args: &Args,
    path: &Path,
    baseline: Option<&Baseline>,
) -> Result<CheckReport, CliError> {
    let (model, system) = args.overlays.load_system(path)?;
    let states = exact::evaluate(&Structure::new(&system))?;
    let options = CheckOptions {
        min_margin: args.min_margin,
        max_drop: args.max_drop,
        fail_on_removed: args.fail_on_removed,
    };
    let file = nines::model::error::shown_path(path);
    let mut report = CheckReport::new(&system, &states, &file, options, baseline);
    report.place(&Places::of(&model));
    window_gate(args, &system, &mut report)?;
    confidence_gate(args, &system, &mut report)?;
    Ok(report)
}

/// Draws the model's uncertain values for the slos' confidence gate; a model without any is
/// its point value in every draw, so one draw says all.
fn confidence_gate(args: &Args, system: &System, report: &mut CheckReport) -> Result<(), CliError> {
    let Some(confidence) = args.confidence else {
        return Ok(());
    };
    let mut options = Options::new(
        args.draws,
        args.seed,
        args.threads.unwrap_or_else(default_threads),
    )
    .map_err(|e| super::hinted(&e, e.hint()))?;
    if !has_doubt(system) {
        options.draws = 1;
    }
    let propagation = propagate(system, &options, &|_| {})?;
    report.apply_confidence_gate(system, &propagation, confidence);
    Ok(())
}

/// Simulates the model for the slos that have a window gate; a model without one costs nothing.
fn window_gate(args: &Args, system: &System, report: &mut CheckReport) -> Result<(), CliError> {
    if !needs_window_gate(system, args.max_breach) {
        return Ok(());
    }
    let horizon_s = match &args.horizon {
        None => None,
        Some(text) => Some(
            Duration::parse(text)
                .map_err(|e| super::usage_error("--horizon", &e))?
                .seconds,
        ),
    };
    let opts = window_gate_options(
        system,
        args.runs,
        horizon_s,
        args.seed,
        args.threads.unwrap_or_else(default_threads),
    )
    .map_err(|e| super::hinted(&e, e.hint()))?;
    let result = simulate(system, &opts, &|_| {});
    report.apply_window_gate(system, &result, args.seed, args.max_breach);
    Ok(())
}

/// The reports and the models that did not load, through the diagnostic emitters; JSON is the
/// reports themselves. `headers`: several models, each text under its file's name.
fn render(
    format: Format,
    reports: &[CheckReport],
    errors: &[Diagnostic],
    term: &Terminal,
    headers: bool,
) -> String {
    let sections: Vec<Section> = reports.iter().map(CheckReport::section).collect();
    match format {
        Format::Text => emit::text(&sections, term.color, headers),
        Format::Json => reports.iter().map(CheckReport::json).collect(),
        Format::Github => emit::github(&sections, errors),
        Format::Markdown => emit::markdown(&sections),
        Format::Junit => junit::junit(TITLE, &sections, errors),
        Format::Sarif => {
            let mut all: Vec<Diagnostic> =
                sections.into_iter().flat_map(|s| s.diagnostics).collect();
            all.extend(errors.iter().cloned());
            sarif(&sarif_rules(), &all)
        }
    }
}

/// Says on stderr that a model did not load, and returns it as a diagnostic for the formats
/// that list it among their results. `single`: the only model, whose error names its file.
pub fn invalid_model(term: &Terminal, path: &Path, e: &CliError, single: bool) -> Diagnostic {
    let prefix = if term.stderr_color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    if single {
        eprintln!("{prefix}: {e}");
    } else {
        eprintln!("{prefix}: {}: {e}", nines::model::error::shown_path(path));
    }
    let file = nines::model::error::shown_path(path);
    match e {
        // The error's file is the path as given: the same as `file`.
        CliError::Model(m) if m.file == path => Diagnostic::from_model_error(m),
        other => Diagnostic::unplaced(&file, &other.to_string()),
    }
}

/// One model that did not load, in a format that shows it among its results (and on stderr).
fn invalid_only(
    args: &Args,
    path: &Path,
    e: CliError,
    term: &Terminal,
) -> Result<ExitStatus, CliError> {
    // Text, JSON and Markdown leave the error to stderr alone, as it always was.
    if matches!(args.format, Format::Text | Format::Json | Format::Markdown) {
        return Err(e);
    }
    let errors = [invalid_model(term, path, &e, true)];
    print(&render(args.format, &[], &errors, term, false))?;
    Ok(ExitStatus::Error)
}

fn run_one(args: &Args, path: &Path, term: &Terminal) -> Result<ExitStatus, CliError> {
    // The model is loaded before the baseline, as before, so errors come in the same order.
    if let Err(e) = args.overlays.load_system(path) {
        return invalid_only(args, path, e.into(), term);
    }
    let baseline = load_baseline(args)?;
    let report = match check_one(args, path, baseline.as_ref()) {
        Ok(report) => report,
        Err(e) => return invalid_only(args, path, e, term),
    };
    print(&render(
        args.format,
        std::slice::from_ref(&report),
        &[],
        term,
        false,
    ))?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
