use std::path::PathBuf;

use nines::model::Model;
use nines::report::review::{HTML_FILE, MARKDOWN_FILE, Review, ReviewError, ReviewOptions};

use super::output::print;
use super::{CliError, ExitStatus};

const AFTER_HELP: &str = "\
Writes DIR/report.md (GitHub-flavoured Markdown, the graph as Mermaid) and DIR/report.html (one
self-contained page: inline SVG plots and CSS, no script, nothing fetched; prints well). Both are
written whole or not at all. The report states SLO verdicts but always exits 0; `nines check`
is the gate.

Examples:
  nines report models/online-store.yaml -o review/
  nines report models/shop-variants.yaml -o review/ --top 5
  nines report big-model.yaml -o review/ --no-tradeoff    (skip the cost curves)";

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The model file (.yaml, .yml, .toml or .json)
    pub model: PathBuf,
    /// The directory to write report.md and report.html into (created if missing)
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,
    /// Contributors listed per component in the risks section
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    /// Leave out the cost-versus-nines curves (they evaluate every design)
    #[arg(long)]
    pub no_tradeoff: bool,
}

pub fn run(args: Args) -> Result<ExitStatus, CliError> {
    let model = Model::load(&args.model)?;
    let system = model.system()?;
    // TODO(simulate): once `nines simulate` is merged, a `--simulate` flag (with --runs,
    // --horizon, --seed) fills `ReviewOptions::simulation` from its results.
    let options = ReviewOptions {
        file: args.model.display().to_string(),
        top: args.top,
        tradeoff: !args.no_tradeoff,
        simulation: None,
    };
    // Everything is computed before the directory is touched: an error leaves no trace.
    let review = Review::build(&model, &system, options).map_err(review_error)?;
    std::fs::create_dir_all(&args.output).map_err(|e| {
        CliError::Usage(format!(
            "cannot create the report directory `{}`: {e}",
            args.output.display()
        ))
    })?;
    review.write(&args.output).map_err(|e| {
        CliError::Usage(format!(
            "cannot write the report into `{}`: {e}",
            args.output.display()
        ))
    })?;
    print(&format!(
        "{}\n{}\n",
        args.output.join(MARKDOWN_FILE).display(),
        args.output.join(HTML_FILE).display()
    ))?;
    Ok(ExitStatus::Success)
}

fn review_error(e: ReviewError) -> CliError {
    match e {
        ReviewError::Engine(e) => CliError::Engine(e),
        ReviewError::Io(e) => CliError::Io(e),
        other => CliError::Usage(other.to_string()),
    }
}
