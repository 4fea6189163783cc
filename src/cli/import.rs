//! `nines import open-psa`: fault trees in the Open-PSA Model Exchange Format to a nines model.

use std::path::PathBuf;

use nines::import::{emit, open_psa};
use nines::model::Format;
use serde::Serialize;

use super::output::print;
use super::{CliError, ExitStatus};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  nines import open-psa models/open-psa/cooling*.xml -o cooling.yaml"
)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(clap::Subcommand)]
pub enum Source {
    /// Open-PSA MEF fault trees (XML): gates, basic and house events, parameters, beta-factor
    /// common-cause groups
    #[command(after_help = OPEN_PSA_EXAMPLES)]
    OpenPsa(OpenPsaArgs),
}

const OPEN_PSA_EXAMPLES: &str = "\
Each gate becomes a component named after it, each basic event of probability p a component of
availability 1 - p, so the top event's probability is the top gate's unavailability.

Examples:
  cd models/open-psa
  nines import open-psa cooling.xml cooling-basic-events.xml -o cooling.yaml
  nines eval cooling.yaml            (the top gate's unavailability is the top event's probability)
  nines import open-psa cooling.xml cooling-basic-events.xml --mission-time 720 -o cooling.json
  nines import open-psa cooling.xml cooling-basic-events.xml > cooling.yaml";

#[derive(clap::Args)]
pub struct OpenPsaArgs {
    /// MEF files; together they define one model (e.g. gates in one, probabilities in another)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The model to write (.yaml, .yml, .json or .toml); standard output (YAML) when left out
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Mission time in hours for time-dependent probabilities (<system-mission-time/>)
    #[arg(long, default_value_t = 8760.0)]
    pub mission_time: f64,
    /// The summary: a line on standard error (table) or JSON on standard output (needs -o)
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: SummaryFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Table,
    Json,
}

#[derive(Serialize)]
struct Summary<'a> {
    output: Option<String>,
    model: Option<&'a str>,
    top: Vec<&'a str>,
    gates: usize,
    basic_events: usize,
    house_events: usize,
    ccf_groups: usize,
    unused_events: usize,
    components: usize,
}

pub fn run(args: Args) -> Result<ExitStatus, CliError> {
    match args.source {
        Source::OpenPsa(a) => open_psa_run(a),
    }
}

fn open_psa_run(args: OpenPsaArgs) -> Result<ExitStatus, CliError> {
    let format = match &args.output {
        None => Format::Yaml,
        Some(path) => Format::of(path).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: unknown model format; name the output .yaml, .yml, .json or .toml",
                nines::model::error::shown_path(path)
            ))
        })?,
    };
    if args.format == SummaryFormat::Json && args.output.is_none() {
        return Err(CliError::Usage(
            "--format json prints a summary on standard output; name the model file with -o".into(),
        ));
    }
    let tree = open_psa::read_files(&args.files, &options(args.mission_time)?)?;
    let spec = tree.to_model()?;
    // What is written must load: a failure here is a bug of the import, said plainly.
    let name = spec.name.clone().unwrap_or_else(|| "model".into());
    nines::model::validate::validate(&spec, &name).map_err(|e| {
        CliError::Usage(format!(
            "the imported model does not validate ({}); please report this with the input files",
            e.message
        ))
    })?;
    let text = emit::write(&spec, format).map_err(CliError::Usage)?;
    match &args.output {
        Some(path) => nines::report::review::write::write_file_atomically(path, text.as_bytes())
            .map_err(|e| {
                CliError::Usage(format!(
                    "cannot write {}: {e}",
                    nines::model::error::shown_path(path)
                ))
            })?,
        None => print(&text)?,
    }
    let (gates, basic_events, house_events) = tree.counts();
    let summary = Summary {
        output: args
            .output
            .as_ref()
            .map(|p| nines::model::error::shown_path(p)),
        model: tree.name.as_deref(),
        top: tree.top_names(),
        gates,
        basic_events,
        house_events,
        ccf_groups: tree.ccf_groups.len(),
        unused_events: tree.unused_events,
        components: spec.components.len(),
    };
    match args.format {
        SummaryFormat::Json => {
            print(&(serde_json::to_string_pretty(&summary).expect("summaries serialise") + "\n"))?
        }
        SummaryFormat::Table => {
            let unused = if summary.unused_events > 0 {
                format!(
                    " ({} unused event{} left out)",
                    summary.unused_events,
                    if summary.unused_events == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            let top = match summary.top.as_slice() {
                [] => "no top gate".to_string(),
                [one] => {
                    format!("top event `{one}` (its unavailability is the top event probability)")
                }
                many => format!("top gates: {}", many.join(", ")),
            };
            eprintln!(
                "imported {} gate{}, {} basic event{}, {} house event{}, {} common-cause group{}{unused} into {} components{}; {top}",
                gates,
                if gates == 1 { "" } else { "s" },
                basic_events,
                if basic_events == 1 { "" } else { "s" },
                house_events,
                if house_events == 1 { "" } else { "s" },
                summary.ccf_groups,
                if summary.ccf_groups == 1 { "" } else { "s" },
                summary.components,
                summary
                    .output
                    .as_ref()
                    .map_or(String::new(), |o| format!(" in {o}")),
            );
        }
    }
    Ok(ExitStatus::Success)
}

/// The reader's options from `--mission-time`.
pub(super) fn options(mission_time_h: f64) -> Result<open_psa::Options, CliError> {
    if !(mission_time_h.is_finite() && mission_time_h >= 0.0) {
        return Err(CliError::Usage(format!(
            "--mission-time must be zero or more hours, not {mission_time_h}"
        )));
    }
    Ok(open_psa::Options { mission_time_h })
}
