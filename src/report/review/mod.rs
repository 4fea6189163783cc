//! `nines report`: the design-review document, as GitHub-flavoured Markdown and as one
//! self-contained HTML page (inline CSS and SVG, nothing fetched).
//!
//! [`Review::build`] gathers every result the document shows — exact availability, SLO
//! verdicts, the dependency graph, the top risks from `explain`, lint findings, cost curves
//! where the model has variants, the assumptions — into plain data; [`markdown`] and [`html`]
//! only render it. The timeline simulation's results come in as a [`SimulationSummary`]; the
//! section is left out when there are none.

pub mod html;
pub mod markdown;
pub mod svg;
pub mod write;

use std::path::Path;

use serde::Serialize;

use super::check::{BreachVerdict, breach_verdict, window_share};
use super::eval::EvalReport;
use super::tradeoff::TradeoffReport;
use crate::cost::{self, Catalog, TradeoffError, TradeoffOptions};
use crate::exact::{self, EngineError, StateOdds};
use crate::explain::explanation::{ExplainOptions, Explanation, explain};
use crate::lint::{self, Finding};
use crate::model::Model;
use crate::model::units::{format_duration_human, format_percent};
use crate::structure::Structure;
use crate::system::{ComponentId, DependencyTarget, OnFailure, System};
use crate::uncertainty::propagate::{Options as DrawOptions, Propagation, has_doubt, propagate};

/// The file names written into the report directory.
pub const MARKDOWN_FILE: &str = "report.md";
/// The HTML page's file name.
pub const HTML_FILE: &str = "report.html";

/// Beyond this many components the graph is not drawn (it would be unreadable); `nines graph`
/// still gives it whole.
pub const MAX_DRAWN_COMPONENTS: usize = 150;

/// Results of the timeline simulation, as the report shows them. Filled from `nines simulate`;
/// the report has no simulation code of its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SimulationSummary {
    /// Simulated runs.
    pub runs: u64,
    /// The simulated time of each run, in seconds.
    pub horizon_s: f64,
    /// The model's SLO window, in seconds.
    pub window_s: f64,
    /// The seed, when the simulation was seeded.
    pub seed: Option<u64>,
    /// Each component's results, in the model's order.
    pub components: Vec<SimulatedComponent>,
}

/// One component's results from the timeline simulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SimulatedComponent {
    /// The component's name.
    pub name: String,
    /// Its simulated availability, a probability.
    pub availability: f64,
    /// 95% confidence interval of the availability.
    pub ci95: (f64, f64),
    /// Outages a year, on average.
    pub outages_per_year: f64,
    /// None when the component never went down.
    pub mean_outage_s: Option<f64>,
    /// Downtime per SLO window: median, 90th and 99th percentiles, in seconds; None when the
    /// horizon holds no complete window.
    pub window_downtime_s: Option<Percentiles>,
    /// Downtime per window as a histogram, bins in increasing order; may be empty, and the
    /// percentiles are drawn alone.
    pub histogram: Vec<HistogramBin>,
    /// Downtime per window the slo allows; None without an slo.
    pub budget_s: Option<f64>,
    /// Share of windows whose downtime exceeded the budget; None without an slo.
    pub p_window_breach: Option<f64>,
    /// Its 95% interval (Wilson, over windows); None without an slo.
    pub p_window_breach_ci95: Option<(f64, f64)>,
}

/// Three percentiles of a downtime, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// The median.
    pub p50: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 99th percentile.
    pub p99: f64,
}

/// Windows whose downtime fell in [lo_s, hi_s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct HistogramBin {
    /// The bin's lower end, in seconds (included).
    pub lo_s: f64,
    /// The bin's upper end, in seconds (excluded).
    pub hi_s: f64,
    /// Windows in the bin.
    pub windows: u64,
}

/// What the report includes.
#[derive(Clone, Debug)]
pub struct ReviewOptions {
    /// The model file as the user named it (shown in the report).
    pub file: String,
    /// Importance rows shown per component at risk.
    pub top: usize,
    /// Compute cost curves when the model has variants.
    pub tradeoff: bool,
    /// The timeline simulation's results to show, when there are any.
    pub simulation: Option<SimulationSummary>,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            file: String::new(),
            top: 8,
            tradeoff: true,
            simulation: None,
        }
    }
}

/// One component with an slo and its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct SloRow {
    /// The component's name.
    pub name: String,
    /// Its slo, an availability.
    pub slo: f64,
    /// Its slo as an unavailability.
    pub slo_unavailability: f64,
    /// Its exact availability, a probability.
    pub availability: f64,
    /// Its exact unavailability, a probability.
    pub unavailability: f64,
    /// P(DEGRADED).
    pub degraded: f64,
    /// Its nines, −log10(unavailability).
    pub nines: f64,
    /// Nines above the slo; negative when missed, infinite when never down.
    pub margin_nines: f64,
    /// Expected downtime per SLO window, in seconds.
    pub downtime_per_window_s: f64,
    /// Downtime per SLO window the slo allows, in seconds.
    pub budget_per_window_s: f64,
    /// Expected downtime a year, in seconds.
    pub downtime_per_year_s: f64,
    /// Downtime a year the slo allows, in seconds.
    pub budget_per_year_s: f64,
    /// Whether the unavailability is within the slo's.
    pub meets: bool,
    /// The line of the component in the model file.
    pub line: usize,
    /// `slo: { max_breach }`: the largest acceptable share of windows breaching.
    pub max_breach: Option<f64>,
    /// From the simulation, when the report has one.
    pub p_window_breach: Option<f64>,
    /// The 95% interval of the simulated share of windows breaching the slo (Wilson, over
    /// windows).
    pub p_window_breach_ci95: Option<(f64, f64)>,
}

/// What the graph drawing needs of a component.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    /// The component's name.
    pub name: String,
    /// A second line: availability, replicas.
    pub detail: String,
    /// A third party outside the model owner's control.
    pub external: bool,
    /// Some(verdict) for a component with an slo.
    pub meets_slo: Option<bool>,
}

/// What a dependency edge does when its target fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A hard dependency: the caller fails with it.
    Hard,
    /// A fail-open dependency: the caller runs degraded.
    Degrade,
    /// An optional dependency: the caller does not notice.
    Ignore,
    /// The component used while a degraded dependency is down.
    Fallback,
}

/// An edge from a component to what it calls.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GraphEdge {
    /// The calling component, an index into the nodes.
    pub from: usize,
    /// The component called, an index into the nodes.
    pub to: usize,
    /// What the call's failure does.
    pub kind: EdgeKind,
    /// `≥1 of 2` for a group member; empty otherwise.
    pub label: String,
}

/// The dependency graph as the report draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphData {
    /// Every component, in the model's order.
    pub nodes: Vec<GraphNode>,
    /// Every dependency and fallback edge.
    pub edges: Vec<GraphEdge>,
}

/// A cost-versus-nines curve for one component.
#[derive(Clone, Debug)]
pub struct CostCurve {
    /// The tradeoff's results for the component.
    pub report: TradeoffReport,
    /// The plot, as SVG text.
    pub svg: String,
}

/// The design-review document's contents: every result, gathered once, for the Markdown and HTML
/// renderers.
#[derive(Clone, Debug)]
pub struct Review {
    /// The model's name.
    pub model: String,
    /// The model file as the user named it.
    pub file: String,
    /// The version of nines that wrote the report.
    pub version: &'static str,
    /// The model's SLO window, in seconds.
    pub window_s: f64,
    /// Every component's exact availability.
    pub eval: EvalReport,
    /// Every component with an slo, and its verdict.
    pub slos: Vec<SloRow>,
    /// The dependency graph to draw.
    pub graph: GraphData,
    /// The graph as Mermaid source (`nines graph --format mermaid`).
    pub mermaid: String,
    /// The components explained: those with an slo, else those nothing depends on.
    pub risks: Vec<Explanation>,
    /// Components that could have been explained but were left out (too many).
    pub risks_left_out: usize,
    /// Importance rows shown per component at risk.
    pub top: usize,
    /// Lint findings.
    pub findings: Vec<Finding>,
    /// Cost-versus-nines curves, at most three.
    pub costs: Vec<CostCurve>,
    /// Why there is no cost curve, or what was left out.
    pub cost_notes: Vec<String>,
    /// What the numbers assume, in words.
    pub assumptions: Vec<String>,
    /// The timeline simulation's results, when the report ran one.
    pub simulation: Option<SimulationSummary>,
    /// The draws of the model's uncertain values (none when it has none): the spread of every
    /// availability beside it, and a distribution for every component with an slo.
    pub doubt: Option<Propagation>,
    /// What recovery money buys, per component with a `recovery`: changes to its own recovery
    /// and the downtime each saves it.
    pub recovery_options: Vec<(String, Vec<crate::explain::recovery::RecoveryOption>)>,
}

/// The most components explained and given a cost curve; the rest are named in a note.
const MAX_RISK_TARGETS: usize = 6;
const MAX_COST_CURVES: usize = 3;

/// Why the report cannot be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// An exact engine gave up.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// A cost curve could not be drawn.
    #[error("cannot draw the cost curve: {0}")]
    Plot(#[from] super::plot::PlotError),
    /// A file could not be written.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

impl Review {
    /// Gathers every result the report shows for `system`, loaded from `model`.
    pub fn build(
        model: &Model,
        system: &System,
        options: ReviewOptions,
    ) -> Result<Review, ReviewError> {
        let structure = Structure::new(system);
        let states = exact::evaluate(&structure)?;
        let hung = exact::hung_probabilities(&structure)?;
        let mut eval = EvalReport::new(system, &states).with_hung(&hung);
        // A fixed seed, so that the same model gives the same report.
        let doubt = if has_doubt(system) {
            let options = DrawOptions {
                draws: 1000,
                seed: 0,
                threads: crate::sim::stream::default_threads(),
            };
            Some(propagate(system, &options, &|_| {})?)
        } else {
            None
        };
        if let Some(d) = &doubt {
            eval = eval.with_uncertainty(d);
        }
        let mut slos = slo_rows(system, &states);
        if let Some(sim) = &options.simulation {
            for row in &mut slos {
                if let Some(c) = sim.components.iter().find(|c| c.name == row.name) {
                    row.p_window_breach = c.p_window_breach;
                    row.p_window_breach_ci95 = c.p_window_breach_ci95;
                }
            }
        }

        let mut targets: Vec<ComponentId> = system
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.slo.is_some())
            .map(|(i, _)| i)
            .collect();
        if targets.is_empty() {
            targets = entry_points(system);
        }
        let risks_left_out = targets.len().saturating_sub(MAX_RISK_TARGETS);
        let risks = targets
            .iter()
            .take(MAX_RISK_TARGETS)
            .map(|&t| {
                explain(
                    system,
                    t,
                    ExplainOptions {
                        max_order: 3,
                        max_cut_sets: 5,
                    },
                )
            })
            .collect::<Result<Vec<_>, _>>()?;

        let findings = lint::lint(model, system)?;
        let (costs, cost_notes) = if options.tradeoff {
            cost_curves(model, system)?
        } else {
            (
                Vec::new(),
                vec!["cost curves were not computed (--no-tradeoff)".into()],
            )
        };
        Ok(Review {
            model: system.name.clone(),
            file: options.file,
            version: env!("CARGO_PKG_VERSION"),
            window_s: system.window_s,
            eval,
            slos,
            graph: graph_data(system, &states),
            mermaid: super::graph::render(system, super::graph::GraphFormat::Mermaid),
            risks,
            risks_left_out,
            top: options.top,
            findings,
            costs,
            cost_notes,
            assumptions: assumptions(system),
            simulation: options.simulation,
            doubt,
            recovery_options: recovery_options(model, system)?,
        })
    }

    /// The document as GitHub-flavoured Markdown.
    pub fn markdown(&self) -> String {
        markdown::render(self)
    }

    /// The document as one self-contained HTML page.
    pub fn html(&self) -> String {
        html::render(self)
    }

    /// Writes report.md and report.html into `dir`, both whole or neither changed.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let md = self.markdown();
        let html = self.html();
        write::write_files_atomically(
            dir,
            &[(MARKDOWN_FILE, md.as_bytes()), (HTML_FILE, html.as_bytes())],
        )
    }

    /// How many SLOs are missed.
    pub fn missed(&self) -> usize {
        self.slos.iter().filter(|s| !s.meets).count()
    }

    /// SLOs whose windows breach more often than their max_breach allows (the whole 95%
    /// interval above it); none without a simulation.
    pub fn gates_failed(&self) -> usize {
        self.slos
            .iter()
            .filter(|s| s.gate_verdict() == Some(BreachVerdict::Breaches))
            .count()
    }

    /// The long-run verdict: `web meets 99.9% on average`, `every SLO met on average (2 of 2)`,
    /// `1 of 2 SLOs missed`, `no component has an slo`.
    pub fn verdict_text(&self) -> String {
        match (self.slos.len(), self.missed()) {
            (0, _) => "no component has an slo".into(),
            (1, 0) => format!(
                "{} meets {} on average",
                self.slos[0].name,
                format_percent(self.slos[0].slo, self.slos[0].slo_unavailability)
            ),
            (1, _) => "the SLO is missed".into(),
            (n, 0) => format!("every SLO met on average ({n} of {n})"),
            (n, m) => format!("{m} of {n} SLOs missed"),
        }
    }

    /// The per-window verdict beside the long-run one: `storefront breaches 13% of 30d windows
    /// (more than the 10% allowed)`, from the simulation; without one, whether a max_breach went
    /// unevaluated. None when there is nothing to say.
    pub fn window_verdict_text(&self) -> Option<String> {
        let window = self.window_text();
        if self.simulation.is_some() {
            let parts: Vec<String> = self
                .slos
                .iter()
                .filter_map(|s| {
                    let p = s.p_window_breach?;
                    let gate = match (s.max_breach, s.gate_verdict()) {
                        (Some(max), Some(v)) => format!(
                            " ({} the {} allowed)",
                            match v {
                                BreachVerdict::Meets => "within",
                                BreachVerdict::Undecided => "undecided against",
                                BreachVerdict::Breaches => "more than",
                            },
                            window_share(max)
                        ),
                        _ => String::new(),
                    };
                    Some(format!(
                        "{} breaches {} of {window} windows{gate}",
                        s.name,
                        window_share(p)
                    ))
                })
                .collect();
            return (!parts.is_empty()).then(|| parts.join("; "));
        }
        let gated: Vec<&str> = self
            .slos
            .iter()
            .filter(|s| s.max_breach.is_some())
            .map(|s| s.name.as_str())
            .collect();
        (!gated.is_empty()).then(|| {
            format!(
                "the window gate (max_breach) of {} was not evaluated: `nines check` or `nines report --simulate` simulates it",
                gated.join(", ")
            )
        })
    }

    /// The SLO window for people: `30d`, `8.76h`.
    pub fn window_text(&self) -> String {
        format_duration_human(self.window_s)
    }
}

impl SloRow {
    /// The window gate's verdict, when the slo has a max_breach and the report simulated.
    pub fn gate_verdict(&self) -> Option<BreachVerdict> {
        Some(breach_verdict(self.p_window_breach_ci95?, self.max_breach?))
    }
}

fn slo_rows(system: &System, states: &[StateOdds]) -> Vec<SloRow> {
    use crate::model::units::YEAR;
    system
        .components
        .iter()
        .zip(states)
        .filter_map(|(c, s)| {
            let slo = c.slo?;
            Some(SloRow {
                name: c.name.clone(),
                slo: slo.value(),
                slo_unavailability: slo.down.p,
                availability: s.down.q,
                unavailability: s.down.p,
                degraded: s.degraded,
                nines: s.nines(),
                margin_nines: slo.down.p.log10() - s.down.p.log10(),
                downtime_per_window_s: s.down.p * system.window_s,
                budget_per_window_s: slo.down.p * system.window_s,
                downtime_per_year_s: s.down.p * YEAR,
                budget_per_year_s: slo.down.p * YEAR,
                meets: slo.met_by(s.down.p),
                line: c.line,
                max_breach: c.max_breach,
                p_window_breach: None,
                p_window_breach_ci95: None,
            })
        })
        .collect()
}

/// Components nothing depends on (the system's entry points), in file order.
fn entry_points(system: &System) -> Vec<ComponentId> {
    let mut called = vec![false; system.components.len()];
    for e in crate::graph::edges(system) {
        called[e.to] = true;
    }
    (0..system.components.len())
        .filter(|&c| !called[c])
        .collect()
}

fn graph_data(system: &System, states: &[StateOdds]) -> GraphData {
    let nodes = system
        .components
        .iter()
        .zip(states)
        .map(|(c, s)| {
            let mut detail = format_percent(s.down.q, s.down.p);
            if c.replicas > 1 {
                detail += &format!(" · ×{}", c.replicas);
                if c.min_available > 1 {
                    detail += &format!(" (≥{})", c.min_available);
                }
            }
            GraphNode {
                name: c.name.clone(),
                detail,
                external: c.external,
                meets_slo: c.slo.map(|slo| slo.met_by(s.down.p)),
            }
        })
        .collect();
    let mut edges = Vec::new();
    for (from, c) in system.components.iter().enumerate() {
        for d in &c.dependencies {
            let kind = match d.on_failure {
                OnFailure::Fail => EdgeKind::Hard,
                OnFailure::Degrade => EdgeKind::Degrade,
                OnFailure::Ignore => EdgeKind::Ignore,
            };
            let label = match &d.target {
                DependencyTarget::Group { at_least, members } => {
                    format!("≥{at_least} of {}", members.len())
                }
                DependencyTarget::Component(_) => String::new(),
            };
            for &to in d.targets() {
                edges.push(GraphEdge {
                    from,
                    to,
                    kind,
                    label: label.clone(),
                });
            }
            if let Some(f) = d.fallback {
                edges.push(GraphEdge {
                    from,
                    to: f,
                    kind: EdgeKind::Fallback,
                    label: String::new(),
                });
            }
        }
    }
    // The same call written twice draws once.
    let mut seen = std::collections::HashSet::new();
    edges.retain(|e| seen.insert(e.clone()));
    GraphData { nodes, edges }
}

/// Cost curves for the components with an slo (or, without any, the entry points), when the
/// model has variants.
fn cost_curves(
    model: &Model,
    system: &System,
) -> Result<(Vec<CostCurve>, Vec<String>), ReviewError> {
    let mut notes = Vec::new();
    let catalog = match Catalog::new(model) {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("the variants could not be resolved: {e}"));
            return Ok((Vec::new(), notes));
        }
    };
    if catalog.axes.is_empty() {
        notes.push(
            "the model has no `variants`, so there is no design to compare; add variants to draw cost against nines (`nines tradeoff --rule 10x` extrapolates without them)".into(),
        );
        return Ok((Vec::new(), notes));
    }
    let mut targets: Vec<ComponentId> = catalog.slo_components();
    if targets.is_empty() {
        targets = entry_points(system);
    }
    if targets.len() > MAX_COST_CURVES {
        notes.push(format!(
            "cost curves are drawn for the first {MAX_COST_CURVES} of {} components; `nines tradeoff --component NAME` gives the others",
            targets.len()
        ));
        targets.truncate(MAX_COST_CURVES);
    }
    let mut curves = Vec::new();
    for t in targets {
        let name = system.components[t].name.clone();
        // The command's default limits, so the report draws what `nines tradeoff` prints.
        let request = TradeoffOptions::default().request(Some(&name));
        match cost::analyse(catalog.clone(), &request) {
            Ok(tradeoff) => {
                let svg = super::plot::tradeoff_svg(&tradeoff)?;
                curves.push(CostCurve {
                    report: TradeoffReport::new(&tradeoff, true),
                    svg,
                });
            }
            Err(TradeoffError::Engine(e)) => return Err(e.into()),
            Err(e) => notes.push(format!("no cost curve for `{name}`: {e}")),
        }
    }
    Ok((curves, notes))
}

/// Each component with a recovery and what changes to it buy it, where any do.
fn recovery_options(
    model: &Model,
    system: &System,
) -> Result<Vec<(String, Vec<crate::explain::recovery::RecoveryOption>)>, EngineError> {
    let mut out = Vec::new();
    for (c, component) in system.components.iter().enumerate() {
        if component.recovery.is_none() {
            continue;
        }
        let options = crate::explain::recovery::options(model, system, c, Some(c))?;
        if !options.is_empty() {
            out.push((component.name.clone(), options));
        }
    }
    Ok(out)
}

/// What the numbers rest on: the method's assumptions, and where this model leans on them.
fn assumptions(system: &System) -> Vec<String> {
    let mut out = vec![
        "Exact evaluation: every availability is computed analytically from binary decision diagrams over the model's basic events (no sampling, no error bars); shared dependencies and domains are counted once, not multiplied along each path.".to_string(),
        "Independence: every replica, every domain, every non-rolling maintenance and every failover is an independent event; the turns of a rolling maintenance exclude each other (one replica at a time). Correlation comes only from what the model declares: shared domains (a replica is down when its domain or any ancestor is) and shared dependencies.".to_string(),
        "Steady state: availabilities are long-run averages, so they depend only on mean times to failure and repair; the shape of the distributions matters only to the timeline simulation.".to_string(),
        format!(
            "Downtime per window is unavailability × the {} SLO window; per year, × 365 days. A component is DOWN when it lacks replicas or a hard dependency is down; DEGRADED when it runs on a fail-open path (`degrade`) or a fallback.",
            format_duration_human(system.window_s)
        ),
        "Calls fail fast unless the model says a component can `hang`: a `degrade` or `ignore` dependency counts as failing open the moment its target is down, except when its target hangs and the call has no `timeout` (shorter than the `deadline` of the caller) or `breaker` — then the hang climbs to the caller (lint N003 gives what a timeout would save).".to_string(),
    ];
    let maintained: Vec<String> = system
        .components
        .iter()
        .filter_map(|c| {
            let m = c.maintenance.as_ref()?;
            Some(format!(
                "{} ({} every {}, {})",
                c.name,
                format_duration_human(m.duration_s),
                format_duration_human(m.every_s),
                if m.rolling {
                    "rolling: one replica at a time"
                } else {
                    "the whole component"
                }
            ))
        })
        .collect();
    if maintained.is_empty() {
        out.push("Maintenance: no component declares planned maintenance.".into());
    } else {
        out.push(format!(
            "Maintenance takes duration/every of the time — the whole component at once, or when rolling one replica at a time, the replicas' windows never overlapping: {}.",
            maintained.join("; ")
        ));
    }
    out.extend(
        crate::exact::approximations::approximations(system)
            .into_iter()
            .map(|a| format!("Approximation for {}: {}.", a.component, a.detail)),
    );
    if system.domains.is_empty() {
        out.push(
            "The model declares no failure domains: replicas are assumed never to fail together."
                .into(),
        );
    }
    if system.components.iter().any(|c| c.external) {
        out.push("External components (third parties) are taken at the availability the model gives them, typically their contract's.".into());
    }
    out
}
