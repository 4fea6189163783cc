use std::path::PathBuf;

use nines::exact;
use nines::model::load_system;
use nines::report::baseline::{Baseline, BaselineError};
use nines::report::check::{CheckOptions, CheckReport};
use nines::structure::Structure;

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
}

const AFTER_HELP: &str = "\
Exit codes: 0 every SLO met (and every demand below), 1 an SLO not met, a margin too thin or a
regression, 2 invalid model, baseline or usage.

Examples:
  nines check models/online-store.yaml
  nines check models/online-store.yaml --format json
  nines check models/online-store.yaml --format junit > nines-junit.xml
  nines check models/online-store.yaml --format github      (in a GitHub Actions step)
  nines check models/online-store.yaml --min-margin 0.1     (each slo met with 0.1 nines to spare)
  git show origin/main:models/online-store.yaml > /tmp/base.yaml
  nines check models/online-store.yaml --baseline /tmp/base.yaml --max-drop 0.05";

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

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: Format,
    /// An earlier version of the model, or its `nines eval --format json` output, to compare with
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Fail when a component has lost more than this many nines since the baseline
    #[arg(long, value_name = "NINES", requires = "baseline", value_parser = nines_value)]
    pub max_drop: Option<f64>,
    /// Fail when an slo is met with less than this many nines to spare
    #[arg(long, value_name = "NINES", value_parser = nines_value)]
    pub min_margin: Option<f64>,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let (_, system) = load_system(&args.model)?;
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path).map_err(|e| match e {
            BaselineError::Model(e) => CliError::Model(e),
            BaselineError::Engine(e) => CliError::Engine(e),
            other => CliError::Usage(other.to_string()),
        })?),
        None => None,
    };
    let states = exact::evaluate(&Structure::new(&system))?;
    let options = CheckOptions {
        min_margin: args.min_margin,
        max_drop: args.max_drop,
    };
    let file = args.model.display().to_string();
    let report = CheckReport::new(&system, &states, &file, options, baseline.as_ref());
    print(&match args.format {
        Format::Text => report.text(term.color),
        Format::Json => report.json(),
        Format::Junit => report.junit(),
        Format::Github => report.github(),
    })?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
