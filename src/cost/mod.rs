//! Cost versus nines: designs from variants, each evaluated exactly; its expected
//! monthly cost (infrastructure plus the business cost of downtime and degraded time); the Pareto
//! frontier, the sweet spot and the cheapest design meeting every SLO.
//!
//! Up to `max_designs` designs are enumerated. Beyond that [`optimise`] finds the same answers
//! by exact reductions (irrelevant and dominated variants, independent modules composed from
//! their own frontiers) and branch-and-bound; when its budget runs out it says so and reports
//! how far from optimal its answers can be.

pub mod designs;
pub mod diagram;
pub mod firefighting;
pub mod frontier;
pub mod local;
pub mod optimise;
pub mod rule;
pub mod shared;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::exact::{EngineError, StateOdds};
use crate::graph;
use crate::model::error::did_you_mean;
use crate::model::units::{HOUR, MONTH, Odds, within};
use crate::system::{ComponentId, System};
pub use designs::{Catalog, Choice};
use local::Part;

/// The most designs ever enumerated (and listed), whatever `max_designs` asks: each listed
/// design is kept in memory.
pub const MAX_ENUMERATED: u64 = 2_000_000;

/// Hours in a month of 365/12 days: 730.
pub const HOURS_PER_MONTH: f64 = MONTH / HOUR;

/// What an hour of trouble costs the business (the model's `cost`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prices {
    /// Money lost per hour the component looked at is down.
    pub downtime_per_hour: f64,
    /// Money lost per hour it runs degraded.
    pub degraded_per_hour: f64,
}

impl Prices {
    /// The prices the model gives (0 where it gives none).
    pub fn of(system: &System) -> Prices {
        Prices {
            downtime_per_hour: system.downtime_per_hour,
            degraded_per_hour: system.degraded_per_hour,
        }
    }

    /// Expected monthly total: infrastructure + downtime + degraded time, each at its price.
    pub fn total(&self, infrastructure: f64, unavailability: f64, degraded: f64) -> f64 {
        infrastructure
            + HOURS_PER_MONTH
                * (unavailability * self.downtime_per_hour + degraded * self.degraded_per_hour)
    }

    /// A lower bound on the monthly total of designs whose cost, unavailability and impaired
    /// share (down or degraded) are at least these. The total is `cost + 730 × (a·down +
    /// b·degraded)`; with `a ≥ b` it is `b·impaired + (a−b)·down`, else at least `a·impaired`.
    pub fn total_at_least(&self, cost: f64, down: f64, impaired: f64) -> f64 {
        let (a, b) = (self.downtime_per_hour, self.degraded_per_hour);
        let trouble = if a >= b {
            b * impaired + (a - b) * down
        } else {
            a * impaired
        };
        cost + HOURS_PER_MONTH * trouble
    }
}

/// One design and what it gives the component looked at.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The variant of each component with variants ([`Catalog::axes`]).
    pub choice: Choice,
    /// Monthly infrastructure cost.
    pub cost: f64,
    /// The component's unavailability and availability.
    pub down: Odds,
    /// P(the component is DEGRADED).
    pub degraded: f64,
    /// Expected monthly total.
    pub total_cost: f64,
    /// Every component with an slo meets it.
    pub meets_slos: bool,
}

/// How the answers were found.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Every design evaluated.
    Enumerated,
    /// Reductions and branch-and-bound; exact unless `bound` says how far off it may be.
    Optimised {
        /// Designs left after removing irrelevant and dominated variants (a float: it can be
        /// astronomically large).
        reduced_designs: f64,
        /// Independent modules composed from their own frontiers.
        modules: usize,
        /// Whether the search completed: then every answer is exact.
        exact: bool,
        /// How far the answers may be from the optimum, when the search did not complete.
        bound: Option<Bound>,
    },
}

/// How far the optimiser's answers can be from the optimum when it stopped early.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// For each frontier design found: no design costing at most as much has an unavailability
    /// below this.
    pub frontier_unavailability_at_least: Vec<f64>,
    /// No design at all, at any cost, has an unavailability below this.
    pub unavailability_at_least: f64,
    /// No design has a lower expected monthly total.
    pub total_cost_at_least: f64,
    /// No design meeting every SLO is cheaper (None when none can).
    pub slo_cost_at_least: Option<f64>,
}

/// The answers of `nines tradeoff`.
#[derive(Clone, Debug)]
pub struct Tradeoff {
    /// The model and its variants: what every design is built from.
    pub catalog: Catalog,
    /// The component looked at.
    pub target: ComponentId,
    /// What an hour of downtime and of degraded time costs.
    pub prices: Prices,
    /// The number of designs (a float: it can be astronomically large).
    pub design_count: f64,
    /// Every design, in order, when they were enumerated.
    pub designs: Option<Vec<Outcome>>,
    /// The Pareto-optimal designs, cheapest first.
    pub frontier: Vec<Outcome>,
    /// The design with the least expected monthly total.
    pub sweet_spot: Outcome,
    /// The cheapest design meeting every SLO; None when none does or the model has no SLO.
    pub cheapest_meeting_slos: Option<Outcome>,
    /// Whether any component has an slo.
    pub has_slos: bool,
    /// Designs left out because their variants make the dependency graph cyclic.
    pub cyclic_designs: u64,
    /// Exact evaluations done.
    pub evaluations: u64,
    /// How the answers were found.
    pub method: Method,
}

impl Tradeoff {
    /// The name of the component looked at.
    pub fn target_name(&self) -> &str {
        &self.catalog.base.components[self.target].name
    }

    /// Whether an outcome is on the frontier (the same design as one listed there).
    pub fn is_pareto(&self, o: &Outcome) -> bool {
        self.frontier.iter().any(|f| f.choice == o.choice)
    }
}

/// Why `nines tradeoff` cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum TradeoffError {
    /// No component has an slo, and none was named.
    #[error(
        "no component has an slo, so there is nothing to look at by default\n  = hint: name a component with --component"
    )]
    NoTarget,
    /// Several components have an slo, and none was named.
    #[error(
        "several components have an slo ({}); which one should the tradeoff look at?\n  = hint: choose one with --component {}",
        .0.join(", "), .0[0]
    )]
    Ambiguous(Vec<String>),
    /// No component has the name given.
    #[error("unknown component `{name}`{hint}")]
    Unknown {
        /// The name given.
        name: String,
        /// A "did you mean" hint on a line of its own, or empty.
        hint: String,
    },
    /// Every design makes the dependency graph cyclic.
    #[error(
        "every design makes the dependency graph cyclic: variants of different components depend on each other"
    )]
    NoValidDesign,
    /// Too many designs to enumerate (the count and the limit), and some make the graph cyclic.
    #[error(
        "{0:.0} designs is more than the {1} enumerated, and some combinations of variants make the dependency graph cyclic, which the optimiser cannot search\n  = hint: raise --max-designs, or remove the variants that depend on each other"
    )]
    CyclicSpace(f64, u64),
    /// An exact evaluation gave up.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// Too many designs to enumerate (the count and the limit), and responders are shared between
    /// components.
    #[error(
        "{0:.0} designs is more than the {1} enumerated, and more than {max} responders with a cost are called on: the optimiser searches once per set of paid responders, and that is too many sets\n  = hint: raise --max-designs, give fewer variants, or leave the cost off responders that do not change between designs",
        max = shared::MAX_SHARED_RESPONDERS
    )]
    SharedResponders(f64, u64),
}

/// The limits a tradeoff runs under, as the command line gives them: checked once here, so the
/// command and the design review refuse the same values with the same words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TradeoffOptions {
    /// Enumerate every design when there are at most this many (up to [`MAX_ENUMERATED`]).
    pub max_designs: u64,
    /// The most exact evaluations the optimiser may spend.
    pub budget: u64,
    /// The rule of thumb's factor per nine (`--rule 10x`), instead of the variants.
    pub rule: Option<f64>,
}

impl Default for TradeoffOptions {
    fn default() -> Self {
        TradeoffOptions {
            max_designs: 100_000,
            budget: 200_000,
            rule: None,
        }
    }
}

/// A tradeoff option out of range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TradeoffOptionsError {
    /// More designs asked to enumerate than the tool will (the number asked for).
    #[error("--max-designs must be at most {MAX_ENUMERATED} (it is {0})")]
    MaxDesigns(u64),
    /// A budget of no exact evaluations, so the optimiser could evaluate nothing.
    #[error("--budget must be at least 1 exact evaluation")]
    Budget,
    /// The rule of thumb's factor per nine does not read, or is not above 1 (why, in words).
    #[error("--rule: {0}")]
    Rule(String),
}

impl TradeoffOptionsError {
    /// What to write instead.
    pub fn hint(&self) -> Option<String> {
        match self {
            TradeoffOptionsError::MaxDesigns(_) => Some(
                "every listed design is kept in memory; beyond --max-designs the optimiser searches, and --budget bounds its work".into(),
            ),
            TradeoffOptionsError::Budget => {
                Some("200000 is the default; a larger budget closes the bounds".into())
            }
            TradeoffOptionsError::Rule(_) => None,
        }
    }
}

impl TradeoffOptions {
    /// Options for a tradeoff, refused when the designs listed would not fit in memory, the
    /// optimiser may not evaluate anything, or the rule's factor is not above 1.
    pub fn new(
        max_designs: u64,
        budget: u64,
        rule: Option<&str>,
    ) -> Result<TradeoffOptions, TradeoffOptionsError> {
        if max_designs > MAX_ENUMERATED {
            return Err(TradeoffOptionsError::MaxDesigns(max_designs));
        }
        if budget == 0 {
            return Err(TradeoffOptionsError::Budget);
        }
        let rule = rule
            .map(rule::parse_factor)
            .transpose()
            .map_err(TradeoffOptionsError::Rule)?;
        Ok(TradeoffOptions {
            max_designs,
            budget,
            rule,
        })
    }

    /// A request for the component named (by default the only one with an slo) under these
    /// limits.
    pub fn request<'a>(&self, component: Option<&'a str>) -> Request<'a> {
        Request {
            component,
            max_designs: self.max_designs,
            budget: self.budget,
            ..Request::default()
        }
    }
}

/// How to run the analysis.
pub struct Request<'a> {
    /// The component to look at; by default the only one with an slo.
    pub component: Option<&'a str>,
    /// Enumerate every design when there are at most this many.
    pub max_designs: u64,
    /// The most exact evaluations the branch-and-bound may spend.
    pub budget: u64,
    /// Threads to evaluate designs on (the answers do not depend on it).
    pub threads: usize,
    /// Called with (done, of) as evaluations complete.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
    /// Enumerate through one diagram shared by every design (see [`diagram`]) rather than one
    /// diagram per design. Both are exact; the shared one is much faster when it fits.
    pub shared_diagram: bool,
}

impl Default for Request<'_> {
    fn default() -> Self {
        Request {
            component: None,
            max_designs: TradeoffOptions::default().max_designs,
            budget: TradeoffOptions::default().budget,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            progress: None,
            shared_diagram: true,
        }
    }
}

/// The component to look at: the named one, or the only one with an slo.
pub fn choose_target(catalog: &Catalog, name: Option<&str>) -> Result<ComponentId, TradeoffError> {
    let system = &catalog.base;
    if let Some(name) = name {
        return system.component_id(name).ok_or_else(|| {
            let names = system.components.iter().map(|c| c.name.as_str());
            TradeoffError::Unknown {
                name: name.to_string(),
                hint: match did_you_mean(name, names) {
                    Some(m) => format!("\n  = hint: did you mean `{m}`?"),
                    None => String::new(),
                },
            }
        });
    }
    let with_slo = catalog.slo_components();
    match with_slo.as_slice() {
        [] => Err(TradeoffError::NoTarget),
        [one] => Ok(*one),
        many => Err(TradeoffError::Ambiguous(
            many.iter()
                .map(|&c| system.components[c].name.clone())
                .collect(),
        )),
    }
}

/// What one evaluation tells about the components of interest.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reading {
    pub target: StateOdds,
    pub meets_slos: bool,
}

/// Evaluates the local system built from `parts` for the target and the SLO components; None
/// when the design's dependency graph is cyclic.
pub(crate) fn read(
    catalog: &Catalog,
    parts: &[(ComponentId, Part<'_>)],
    target: ComponentId,
    slos: &[(ComponentId, Option<Odds>)],
    check_cycles: bool,
) -> Result<Option<Reading>, EngineError> {
    let local = local::build(&catalog.base, parts);
    if check_cycles && graph::topological_order(&local.system).is_err() {
        return Ok(None);
    }
    let mut wanted = vec![local.id[target].expect("the target is a part")];
    wanted.extend(slos.iter().filter_map(|(c, _)| local.id[*c]));
    let states = local::evaluate(&local.system, &wanted)?;
    let meets_slos = slos
        .iter()
        .filter(|(c, _)| local.id[*c].is_some())
        .zip(&states[1..])
        .all(|((_, slo), s)| slo.is_none_or(|slo| within(s.down.p, slo.p)));
    Ok(Some(Reading {
        target: states[0],
        meets_slos,
    }))
}

/// Runs the tradeoff: enumeration when the designs are few enough, the optimiser otherwise.
pub fn analyse(catalog: Catalog, request: &Request<'_>) -> Result<Tradeoff, TradeoffError> {
    let target = choose_target(&catalog, request.component)?;
    let design_count = catalog.design_count();
    if design_count <= request.max_designs.min(MAX_ENUMERATED) as f64 {
        enumerate(catalog, target, request)
    } else {
        if catalog.may_cycle() {
            return Err(TradeoffError::CyclicSpace(
                design_count,
                request.max_designs,
            ));
        }
        if catalog.shares_responder_costs() {
            if shared::costed_responders(&catalog).len() > shared::MAX_SHARED_RESPONDERS {
                return Err(TradeoffError::SharedResponders(
                    design_count,
                    request.max_designs,
                ));
            }
            return shared::optimise_by_responders(catalog, target, request);
        }
        optimise::optimise(catalog, target, request)
    }
}

/// Counts evaluations for the progress callback.
pub(crate) struct Progress<'a> {
    done: AtomicU64,
    of: u64,
    report: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(of: u64, report: Option<&'a (dyn Fn(u64, u64) + Sync)>) -> Progress<'a> {
        Progress {
            done: AtomicU64::new(0),
            of,
            report,
        }
    }

    pub(crate) fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(report) = self.report
            && (done.is_multiple_of(256) || done == self.of)
        {
            report(done, self.of);
        }
    }
}

/// Every design, evaluated. Designs that differ only in components nothing of interest reaches
/// share one evaluation.
fn enumerate(
    catalog: Catalog,
    target: ComponentId,
    request: &Request<'_>,
) -> Result<Tradeoff, TradeoffError> {
    let slo_components = catalog.slo_components();
    let mut seeds = vec![target];
    seeds.extend(&slo_components);
    let relevant = catalog.closure(&seeds);
    let members: Vec<ComponentId> = (0..relevant.len()).filter(|&c| relevant[c]).collect();
    let radices: Vec<usize> = catalog.axes.iter().map(|&c| catalog.options(c)).collect();
    // Positions (in the axes) of the components whose variants can change a reading.
    let relevant_axes: Vec<usize> = (0..catalog.axes.len())
        .filter(|&a| relevant[catalog.axes[a]])
        .collect();
    let relevant_radices: Vec<usize> = relevant_axes.iter().map(|&a| radices[a]).collect();
    let readings_count: u64 = relevant_radices.iter().map(|&r| r as u64).product();
    let check_cycles = catalog.may_cycle();
    let progress = Progress::new(readings_count, request.progress);
    let slo_of =
        |c: ComponentId, picks: &[usize]| catalog.component(c, picks[c]).slo.map(|s| s.down);

    let shared = if request.shared_diagram && !check_cycles && readings_count > 1 {
        let axes: Vec<(ComponentId, Vec<usize>)> = relevant_axes
            .iter()
            .map(|&a| (catalog.axes[a], (0..radices[a]).collect()))
            .collect();
        let mut roots = vec![target];
        roots.extend(&slo_components);
        // A diagram much larger than a few hundred nodes per design is slower than one per design.
        let limit = (readings_count.saturating_mul(400)).clamp(1 << 20, 1 << 22) as usize;
        diagram::compile(&catalog, &members, &axes, &roots, limit)?
    } else {
        None
    };
    let jobs: Vec<u64> = (0..readings_count).collect();
    let readings: Vec<Result<Option<Reading>, EngineError>> = if let Some(d) = &shared {
        jobs.iter()
            .map(|&i| {
                let sub = designs::choice_of(i, &relevant_radices);
                let mut picks = vec![0; catalog.base.components.len()];
                for (&a, &v) in relevant_axes.iter().zip(&sub) {
                    picks[catalog.axes[a]] = v;
                }
                let states = d.states(&sub);
                let meets_slos = slo_components
                    .iter()
                    .zip(&states[1..])
                    .all(|(&c, s)| slo_of(c, &picks).is_none_or(|slo| within(s.down.p, slo.p)));
                progress.tick();
                Ok(Some(Reading {
                    target: states[0],
                    meets_slos,
                }))
            })
            .collect()
    } else {
        local::parallel(&jobs, request.threads, |&i| {
            let sub = designs::choice_of(i, &relevant_radices);
            let mut picks = vec![0; catalog.base.components.len()];
            for (&a, &v) in relevant_axes.iter().zip(&sub) {
                picks[catalog.axes[a]] = v;
            }
            let parts: Vec<(ComponentId, Part<'_>)> = members
                .iter()
                .map(|&c| (c, Part::Real(catalog.component(c, picks[c]))))
                .collect();
            let slos: Vec<(ComponentId, Option<Odds>)> = slo_components
                .iter()
                .map(|&c| (c, slo_of(c, &picks)))
                .collect();
            let r = read(&catalog, &parts, target, &slos, check_cycles);
            progress.tick();
            r
        })
    };
    let readings: Vec<Option<Reading>> = readings.into_iter().collect::<Result<_, _>>()?;

    let prices = Prices::of(&catalog.base);
    let total_designs = radices.iter().map(|&r| r as u64).product::<u64>();
    let mut outcomes = Vec::with_capacity(total_designs as usize);
    let mut cyclic_designs = 0;
    for index in 0..total_designs {
        let choice = designs::choice_of(index, &radices);
        let reading_index = relevant_axes
            .iter()
            .fold(0u64, |acc, &a| acc * radices[a] as u64 + choice[a] as u64);
        let Some(reading) = readings[reading_index as usize] else {
            cyclic_designs += 1;
            continue;
        };
        let cost = catalog.cost(&catalog.picks(&choice));
        let s = reading.target;
        outcomes.push(Outcome {
            choice,
            cost,
            down: s.down,
            degraded: s.degraded,
            total_cost: prices.total(cost, s.down.p, s.degraded),
            meets_slos: reading.meets_slos,
        });
    }
    let sweet = frontier::sweet_spot(&outcomes).ok_or(TradeoffError::NoValidDesign)?;
    let has_slos = !slo_components.is_empty();
    let cheapest = if has_slos {
        frontier::cheapest_meeting_slos(&outcomes).map(|i| outcomes[i].clone())
    } else {
        None
    };
    Ok(Tradeoff {
        target,
        prices,
        design_count: total_designs as f64,
        frontier: frontier::frontier(&outcomes)
            .into_iter()
            .map(|i| outcomes[i].clone())
            .collect(),
        sweet_spot: outcomes[sweet].clone(),
        cheapest_meeting_slos: cheapest,
        has_slos,
        cyclic_designs,
        evaluations: readings_count,
        method: Method::Enumerated,
        designs: Some(outcomes),
        catalog,
    })
}
