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
    /// Backstage catalog entities (Components, Resources, Systems, APIs, Locations) with their
    /// `nines.dev/*` annotations
    #[command(after_help = BACKSTAGE_EXAMPLES)]
    Backstage(CatalogArgs),
    /// Kubernetes Deployments and StatefulSets, zone spread and PodDisruptionBudgets
    #[command(after_help = KUBERNETES_EXAMPLES)]
    Kubernetes(KubernetesArgs),
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
        Source::Backstage(a) => catalog_run(&a, None),
        Source::Kubernetes(a) => catalog_run(&a.catalog, Some(&a.zones)),
    }
}

fn open_psa_run(args: OpenPsaArgs) -> Result<ExitStatus, CliError> {
    let format = output_format(&args.output)?;
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

const BACKSTAGE_EXAMPLES: &str = "\
Components and Resources become components, spec.dependsOn and spec.consumesApis their
dependencies, spec.system their group. Entities without nines.dev/* numbers are listed; give
their numbers in an overlay, which a re-import leaves alone.

Examples:
  nines import backstage models/backstage/catalog-info.yaml -o shop.yaml
  nines eval shop.yaml --overlay models/backstage/reliability.yaml
  nines import backstage models/backstage/catalog -o shop.yaml --format json";

const KUBERNETES_EXAMPLES: &str = "\
Deployments and StatefulSets become components with their replicas; a topology spread over
topology.kubernetes.io/zone spreads them over the zones of --zones (made domains); a
PodDisruptionBudget gives min_available. Other kinds are counted and left out.

Examples:
  cd models/kubernetes
  nines import kubernetes shop.yaml --zones zone-a,zone-b,zone-c -o k8s.yaml
  nines eval k8s.yaml --overlay reliability.yaml";

#[derive(clap::Args)]
pub struct CatalogArgs {
    /// YAML files (several documents each, separated by `---`) or directories of them
    #[arg(required = true, value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// The model to write (.yaml, .yml, .json or .toml); standard output (YAML) when left out
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The summary: lines on standard error (table) or JSON on standard output (needs -o)
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: SummaryFormat,
}

#[derive(clap::Args)]
pub struct KubernetesArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// The zones a topology spread over topology.kubernetes.io/zone spreads replicas over, in
    /// order: replica i lives in zone i mod count
    #[arg(long, value_delimiter = ',', value_name = "ZONE,...")]
    pub zones: Vec<String>,
}

#[derive(Serialize)]
struct CatalogSummary<'a> {
    output: Option<String>,
    files: usize,
    /// Documents read, by kind.
    kinds: &'a std::collections::BTreeMap<String, usize>,
    /// Kinds left out, by count.
    ignored: &'a std::collections::BTreeMap<String, usize>,
    components: usize,
    domains: usize,
    /// Components and domains still without numbers.
    without_numbers: Vec<String>,
    notes: &'a [String],
}

fn catalog_run(args: &CatalogArgs, zones: Option<&[String]>) -> Result<ExitStatus, CliError> {
    let format = output_format(&args.output)?;
    if args.format == SummaryFormat::Json && args.output.is_none() {
        return Err(CliError::Usage(
            "--format json prints a summary on standard output; name the model file with -o".into(),
        ));
    }
    let (model, summary) = match zones {
        None => nines::import::backstage::import(&args.inputs)?,
        Some(zones) => nines::import::kubernetes::import(&args.inputs, zones)?,
    };
    let text = model.write(format).map_err(CliError::Usage)?;
    match &args.output {
        Some(path) => nines::report::review::write::write_file_atomically(path, text.as_bytes())
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?,
        None => print(&text)?,
    }
    let summary = CatalogSummary {
        output: args.output.as_ref().map(|p| p.display().to_string()),
        files: summary.files,
        kinds: &summary.kinds,
        ignored: &summary.ignored,
        components: model.components.len(),
        domains: model.domains.len(),
        without_numbers: model.without_numbers(),
        notes: &model.notes,
    };
    match args.format {
        SummaryFormat::Json => {
            print(&(serde_json::to_string_pretty(&summary).expect("summaries serialise") + "\n"))?
        }
        SummaryFormat::Table => {
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            eprintln!(
                "imported {} component{}{} from {} file{}{}",
                summary.components,
                plural(summary.components),
                if summary.domains > 0 {
                    format!(" and {} domain{}", summary.domains, plural(summary.domains))
                } else {
                    String::new()
                },
                summary.files,
                plural(summary.files),
                summary
                    .output
                    .as_ref()
                    .map_or(String::new(), |o| format!(" into {o}")),
            );
            if !summary.without_numbers.is_empty() {
                // A long list is for JSON; the terminal gets its start and the count.
                const SHOWN: usize = 10;
                let list = &summary.without_numbers;
                let more = match list.len().saturating_sub(SHOWN) {
                    0 => String::new(),
                    n => format!(" and {n} more (`--format json` lists them all)"),
                };
                eprintln!(
                    "{} without reliability numbers (give them in an overlay, --overlay FILE): {}{more}",
                    list.len(),
                    list[..list.len().min(SHOWN)].join(", ")
                );
            }
            for note in summary.notes {
                eprintln!("note: {note}");
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// The format of the model written: by the extension of -o, YAML on standard output.
fn output_format(output: &Option<PathBuf>) -> Result<Format, CliError> {
    match output {
        None => Ok(Format::Yaml),
        Some(path) => Format::of(path).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: unknown model format; name the output .yaml, .yml, .json or .toml",
                nines::model::error::shown_path(path)
            ))
        }),
    }
}
