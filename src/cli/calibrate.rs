use std::path::PathBuf;

use nines::model::error::{ModelError, did_you_mean};
use nines::model::{MAX_FILE_BYTES, Model, read_text};
use nines::report::calibrate::CalibrateReport;
use nines::report::review::write::write_file_atomically;
use nines::uncertainty::calibrate::{calibrate, parse_bound, read_incidents};

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal, usage_error};

#[derive(clap::Args)]
#[command(after_help = "\
Reads incident history: CSV with the columns component,start,end (RFC 3339 times; an empty end
is an incident still open), a PagerDuty incident export (JSON: service.summary, created_at,
resolved_at) or a Statuspage incidents.json (components[].name, started_at, resolved_at).
Incidents of one component that overlap are one outage; an incident still open at --until is
cut there (its failure counts, its repair time is unknown); incidents outside the period are
left out, and said so. Per component: incidents, exposure (time up in the period), mttf with
its 90% interval (chi-square bounds; with no incident, the rule of three's lower bound), mttr
(mean, and the 5th to 95th percentile of a lognormal fit) and the observed availability.
With --model, every component of the model is listed, and a name the model does not have is
an error. -o writes an overlay: a partial model with mttf: { incidents, over } and the mttr of
each component, for `nines eval --uncertainty`.

Examples:
  nines calibrate models/incidents/outages.csv --since 2024-01-01 --until 2025-01-01
  nines calibrate models/incidents/pagerduty.json --since 2024-01-01 --until 2025-01-01
  nines calibrate models/incidents/statuspage.json --since 2024-01-01 --until 2025-01-01 -f json
  nines calibrate models/incidents/outages.csv --since 2024-01-01 --until 2025-01-01 -o history.yaml")]
pub struct Args {
    /// The incident history: .csv, or PagerDuty or Statuspage JSON
    pub incidents: PathBuf,
    /// Start of the observation period (RFC 3339, or a date: 2024-01-01)
    #[arg(long, value_name = "TIME")]
    pub since: String,
    /// End of the observation period (RFC 3339, or a date)
    #[arg(long, value_name = "TIME")]
    pub until: String,
    /// The model whose components the incidents are about
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Write the calibrated values as an overlay (a partial model) to this file
    #[arg(long, short, value_name = "OVERLAY")]
    pub output: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let since = parse_bound(&args.since).map_err(|e| usage_error("--since", &e))?;
    let until = parse_bound(&args.until).map_err(|e| usage_error("--until", &e))?;
    if until <= since {
        return Err(CliError::Usage(format!(
            "--until {} is not after --since {}: the period is empty",
            args.until, args.since
        )));
    }
    let path = &args.incidents;
    let fail = |message: String| ModelError::new(path, None, &message);
    let source = read_text(path, MAX_FILE_BYTES, "an incident history").map_err(fail)?;
    let mut warnings = Vec::new();
    let incidents = read_incidents(&source, &mut warnings)
        .map_err(|e| ModelError::new(path, e.span, &e.message).with_source(&source))?;
    let names: Vec<String> = match &args.model {
        Some(m) => {
            let model = Model::load(m)?;
            model.system()?;
            model.spec.components.keys().cloned().collect()
        }
        None => Vec::new(),
    };
    if args.model.is_some() {
        unknown_names(&args, &incidents, &names, &source)?;
    }
    let mut history = calibrate(&incidents, &names, since, until);
    warnings.append(&mut history.warnings);
    history.warnings = warnings;
    let report = CalibrateReport::new(&path.display().to_string(), &history);
    if let Some(out) = &args.output {
        write_file_atomically(out, report.overlay().as_bytes()).map_err(|e| {
            CliError::Usage(format!("cannot write the overlay {}: {e}", out.display()))
        })?;
    }
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}

/// Every incident name the model does not have, each once, with a suggestion: an error at the
/// first one's line.
fn unknown_names(
    args: &Args,
    incidents: &[nines::uncertainty::calibrate::Incident],
    names: &[String],
    source: &str,
) -> Result<(), CliError> {
    let mut unknown: Vec<&nines::uncertainty::calibrate::Incident> = Vec::new();
    for i in incidents {
        if !names.contains(&i.component) && !unknown.iter().any(|u| u.component == i.component) {
            unknown.push(i);
        }
    }
    let Some(first) = unknown.first() else {
        return Ok(());
    };
    let model = args.model.as_ref().expect("asked with a model").display();
    let list: Vec<String> = unknown
        .iter()
        .map(|u| {
            let hint = did_you_mean(&u.component, names.iter().map(String::as_str))
                .map_or(String::new(), |m| format!(" (did you mean `{m}`?)"));
            format!("`{}` on line {}{hint}", u.component, u.line)
        })
        .collect();
    let message = format!(
        "{} component name{} not in {model}: {}\n  = hint: name the components as the model does, or leave out --model",
        unknown.len(),
        if unknown.len() == 1 { " is" } else { "s are" },
        list.join(", ")
    );
    let span = nines::model::error::Span {
        file: 0,
        line: first.line,
        col: 1,
        len: 1,
    };
    Err(ModelError::new(&args.incidents, Some(span), &message)
        .with_source(source)
        .into())
}
