use std::path::PathBuf;

use nines::cost::{self, Catalog, Request, TradeoffError, TradeoffOptions};
use nines::exact;
use nines::report::plot;
use nines::report::tradeoff::{RuleReport, TradeoffReport};
use nines::structure::Structure;

use super::output::print;
use super::{CliError, ExitStatus, OutputFormat, Terminal};

const EXAMPLES: &str = "\
Every combination of the components' variants is a design. Its expected monthly total is
infrastructure + unavailability × 730 h × cost.downtime_per_hour + degraded × 730 h ×
cost.degraded_per_hour. The frontier lists the designs no other beats on both cost and
availability; the sweet spot has the least expected total.

Examples:
  nines tradeoff models/shop-variants.yaml
  nines tradeoff models/shop-variants.yaml --plot curve.svg
  nines tradeoff models/shop-variants.yaml --format json --frontier-only | jq .sweet_spot
  nines tradeoff models/shop-variants.yaml --component checkout --all
  nines tradeoff models/three-tier.toml --rule 10x --plot rule.png   (a model without variants)";

#[derive(clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    #[command(flatten)]
    pub overlays: super::overlays::Overlays,
    /// The component to look at (default: the only one with an slo)
    #[arg(long, short)]
    pub component: Option<String>,
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also draw the curve to FILE.svg or FILE.png
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Leave the list of every design out of the JSON
    #[arg(long)]
    pub frontier_only: bool,
    /// List every design in the table, not only the frontier
    #[arg(long, conflicts_with = "frontier_only")]
    pub all: bool,
    /// Rule of thumb instead of variants: each further nine costs FACTOR times the last (10x)
    #[arg(long, value_name = "FACTOR")]
    pub rule: Option<String>,
    /// Enumerate every design up to this many (at most 2,000,000); beyond, the optimiser searches
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub max_designs: u64,
    /// The most exact evaluations the optimiser may spend before it reports a bound
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    pub budget: u64,
}

pub fn run(args: Args, term: &Terminal) -> Result<ExitStatus, CliError> {
    let options = TradeoffOptions::new(args.max_designs, args.budget, args.rule.as_deref())
        .map_err(|e| super::hinted(&e, e.hint()))?;
    if let Some(path) = &args.plot {
        plot::check_path(path).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let model = args.overlays.load(&args.model)?;
    let catalog = Catalog::new(&model)?;
    if let Some(factor) = options.rule {
        return rule(&args, factor, catalog, term);
    }
    let bar = (term.progress && args.format != OutputFormat::Json).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("evaluated {pos} of {len} designs [{bar:30}]")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        b
    });
    let progress = |done: u64, of: u64| {
        if let Some(b) = &bar {
            b.set_length(of);
            b.set_position(done);
        }
    };
    let request = Request {
        progress: bar
            .is_some()
            .then_some(&progress as &(dyn Fn(u64, u64) + Sync)),
        ..options.request(args.component.as_deref())
    };
    let result = cost::analyse(catalog, &request);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let tradeoff = result.map_err(usage)?;
    if let Some(path) = &args.plot {
        plot::plot_tradeoff(&tradeoff, path).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let report = TradeoffReport::new(&tradeoff, args.frontier_only);
    print(&report.render(args.format.into(), term.screen(), args.all))?;
    Ok(ExitStatus::Success)
}

fn usage(e: TradeoffError) -> CliError {
    match e {
        TradeoffError::Engine(e) => CliError::Engine(e),
        other => CliError::Usage(other.to_string()),
    }
}

fn rule(
    args: &Args,
    factor: f64,
    catalog: Catalog,
    term: &Terminal,
) -> Result<ExitStatus, CliError> {
    let target = cost::choose_target(&catalog, args.component.as_deref()).map_err(usage)?;
    let system = &catalog.base;
    let states = exact::evaluate(&Structure::new(system))?;
    let today_cost: f64 = system
        .components
        .iter()
        .map(|c| c.monthly_cost())
        .sum::<f64>()
        + system.responder_cost(&system.components);
    let curve = cost::rule::curve(
        factor,
        states[target].down.p,
        today_cost,
        system.downtime_per_hour,
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut notes = Vec::new();
    if !catalog.axes.is_empty() {
        notes.push("the rule extrapolates from the model as written; its variants are left aside (drop --rule to compare them)".to_string());
    }
    let name = &system.components[target].name;
    if let Some(path) = &args.plot {
        plot::plot_rule(&curve, &system.name, name, path)
            .map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let report = RuleReport::new(&system.name, name, &curve, notes);
    print(&report.render(args.format.into(), term.screen()))?;
    Ok(ExitStatus::Success)
}
