//! Propagating the doubt: draw every uncertain parameter, solve each draw exactly, and read the
//! spread of every component's availability.
//!
//! The structure is lowered and compiled to one decision diagram once; a draw changes only the
//! basic events' probabilities, so each draw costs one probability pass over the diagram.
//! Draws are cut into fixed chunks, each with its own random stream, so the same seed gives the
//! same numbers on any number of threads.

use crate::exact::{self, EngineError, bdd};
use crate::model::units::Odds;
use crate::sim::stream::{Chunks, Stream, run_chunks};
use crate::structure::{Gate, GateId, Structure, event_odds};
use crate::system::{Component, ComponentId, Domain, Doubt, Lifetime, System};

use super::draw;

/// Draws per chunk of work (and per random stream).
const CHUNK: usize = 32;
/// The stage of the seeded streams that draws use (other engines use the first few).
const STAGE: u64 = 11;

/// How many draws, from which seed, on how many threads.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Sets of values drawn.
    pub draws: usize,
    /// The seed: the same seed gives the same percentiles on any number of threads.
    pub seed: u64,
    /// Threads to solve draws on (the result does not depend on it).
    pub threads: usize,
}

/// Options the draws cannot honour, refused before any work, the same for `eval --uncertainty`
/// and `check --confidence`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptionsError {
    /// No draws asked for: a distribution of nothing says nothing.
    #[error("--draws: 0 draws say nothing")]
    Draws,
    /// No threads to solve draws on.
    #[error("--threads must be at least 1")]
    Threads,
}

impl OptionsError {
    /// What to write instead.
    pub fn hint(&self) -> Option<String> {
        match self {
            OptionsError::Draws => Some("draw at least 100; 1000 is the default".into()),
            OptionsError::Threads => None,
        }
    }
}

impl Options {
    /// Options for drawing a model's uncertain values `draws` times.
    pub fn new(draws: usize, seed: u64, threads: usize) -> Result<Options, OptionsError> {
        if draws == 0 {
            return Err(OptionsError::Draws);
        }
        if threads == 0 {
            return Err(OptionsError::Threads);
        }
        Ok(Options {
            draws,
            seed,
            threads,
        })
    }
}

/// The spread of one component's availability over the draws.
#[derive(Clone, Debug)]
pub struct ComponentSpread {
    /// The 5th, 50th and 95th percentiles of the availability (as odds: the 5th percentile of
    /// the availability is the 95th of the unavailability).
    pub p5: Odds,
    /// The median availability.
    pub p50: Odds,
    /// The 95th percentile of the availability.
    pub p95: Odds,
    /// The share of draws in which the component meets its slo (None without one).
    pub p_meets_slo: Option<f64>,
    /// Every draw's unavailability, smallest first.
    pub unavailability: Vec<f64>,
}

/// Every component's availability over draws of the model's uncertain values, each draw solved
/// exactly.
#[derive(Clone, Debug)]
pub struct Propagation {
    /// Sets of values drawn.
    pub draws: usize,
    /// The seed of the draws.
    pub seed: u64,
    /// How many values in the model carry a doubt.
    pub parameters: usize,
    /// Per component, in the system's order.
    pub components: Vec<ComponentSpread>,
}

/// The uncertain values of a model: availability, mttf and mttr of each component and domain.
pub fn parameters(system: &System) -> usize {
    let count = |d: &Doubt| {
        d.availability.is_some() as usize + d.mttf.is_some() as usize + d.mttr.is_some() as usize
    };
    system
        .components
        .iter()
        .map(|c| count(&c.doubt))
        .sum::<usize>()
        + system
            .domains
            .iter()
            .map(|d| count(&d.doubt))
            .sum::<usize>()
}

/// Whether the model says how unsure any of its values is.
pub fn has_doubt(system: &System) -> bool {
    parameters(system) > 0
}

/// One draw of each uncertain value of a reliability: the unavailability, mttf and mttr, in
/// seconds (None where the value is certain).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Drawn {
    pub unavailability: Option<f64>,
    pub mttf: Option<f64>,
    pub mttr: Option<f64>,
}

/// Draws every uncertain value of one reliability.
fn draw_values(doubt: &Doubt, s: &mut Stream) -> Drawn {
    // Always in this order, so that a draw's numbers do not depend on which values are unsure
    // elsewhere in the model.
    Drawn {
        unavailability: (doubt.availability.as_ref()).map(|a| draw::unavailability(a, s)),
        mttf: doubt.mttf.as_ref().map(|m| draw::seconds(m, s)),
        mttr: doubt.mttr.as_ref().map(|m| draw::seconds(m, s)),
    }
}

/// A reliability with drawn values in place of the point ones: P(down), the mean time to
/// failure and to repair.
pub(super) fn settle(
    doubt: &Doubt,
    down: Odds,
    failure: Lifetime,
    repair: Lifetime,
    drawn: Drawn,
) -> (Odds, f64, f64) {
    let repair_s = drawn.mttr.unwrap_or(repair.mean_s);
    if doubt.availability_given {
        let down = drawn.unavailability.map_or(down, Odds::from_p);
        let failure_s = if down.p > 0.0 {
            repair_s * down.q / down.p
        } else {
            f64::INFINITY
        };
        return (down, failure_s, repair_s);
    }
    let failure_s = drawn.mttf.unwrap_or(failure.mean_s);
    (Odds::ratio(repair_s, failure_s), failure_s, repair_s)
}

/// Gives a domain of `work` a settled reliability.
pub(super) fn set_domain(w: &mut Domain, (down, f, r): (Odds, f64, f64)) {
    w.down = down;
    w.failure.mean_s = f;
    w.repair.mean_s = r;
}

/// Gives a component of `work` a settled reliability of one replica (`p` is the component as
/// the model gives it).
pub(super) fn set_component(p: &Component, w: &mut Component, (down, f, r): (Odds, f64, f64)) {
    w.replica_failed = down;
    w.replica_down = match &p.maintenance {
        Some(m) if m.rolling => down.either(Odds::ratio(m.duration_s, m.every_s - m.duration_s)),
        _ => down,
    };
    w.failure.mean_s = f;
    w.repair.mean_s = r;
}

/// Puts one draw of every uncertain value of `point` into `work` (a copy of it).
fn draw_system(point: &System, work: &mut System, s: &mut Stream) {
    for (p, w) in point.domains.iter().zip(work.domains.iter_mut()) {
        if p.doubt.is_certain() {
            continue;
        }
        let drawn = draw_values(&p.doubt, s);
        set_domain(w, settle(&p.doubt, p.down, p.failure, p.repair, drawn));
    }
    for (p, w) in point.components.iter().zip(work.components.iter_mut()) {
        if p.doubt.is_certain() {
            continue;
        }
        let drawn = draw_values(&p.doubt, s);
        let settled = settle(&p.doubt, p.replica_failed, p.failure, p.repair, drawn);
        set_component(p, w, settled);
    }
}

/// How one draw is solved: a pass over the diagram compiled once, or (when the whole model
/// does not fit one diagram) the exact engine afresh.
pub(super) enum Solver {
    Compiled(exact::Compiled),
    Afresh,
}

impl Solver {
    /// Compiles the diagrams of `components`' DOWN, once for every draw.
    pub(super) fn new(structure: &Structure, components: &[ComponentId]) -> Solver {
        let roots: Vec<GateId> = (components.iter())
            .map(|&c| structure.components[c].down)
            .collect();
        let lean = keep_only(structure, &roots);
        match exact::with_deep_stack(|| exact::compile(&lean)) {
            Ok(c) => Solver::Compiled(c),
            Err(EngineError::TooLarge(_)) => Solver::Afresh,
        }
    }

    /// P(DOWN) of each of `components` (those it was made for) for each draw's event odds.
    pub(super) fn solve(
        &self,
        structure: &Structure,
        components: &[ComponentId],
        odds: &[Vec<Odds>],
        table: &mut Vec<(bdd::Lanes, bdd::Lanes)>,
    ) -> Result<Vec<Vec<Odds>>, EngineError> {
        match self {
            Solver::Compiled(c) => {
                let gates: Vec<GateId> = (components.iter())
                    .map(|&x| structure.components[x].down)
                    .collect();
                Ok(solve_lanes(structure, c, odds, table, &gates))
            }
            Solver::Afresh => odds
                .iter()
                .map(|odds| {
                    let mut changed = structure.clone();
                    for (e, o) in changed.events.iter_mut().zip(odds) {
                        e.odds = *o;
                    }
                    let states = exact::evaluate(&changed)?;
                    Ok(components.iter().map(|&x| states[x].down).collect())
                })
                .collect(),
        }
    }
}

/// Every event's odds in a drawn system.
pub(super) fn drawn_odds(structure: &Structure, work: &System) -> Vec<Odds> {
    let odds: Vec<Odds> = (structure.events.iter())
        .map(|e| event_odds(work, e.kind))
        .collect();
    breakers_charged(structure, work, odds)
}

/// Draws every uncertain value `opts.draws` times and solves each draw exactly. `progress` is
/// told how many draws each finished chunk did.
pub fn propagate(
    system: &System,
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Propagation, EngineError> {
    let structure = Structure::new(system);
    let n = system.components.len();
    let all: Vec<ComponentId> = (0..n).collect();
    let solver = Solver::new(&structure, &all);
    let chunks = opts.draws.div_ceil(CHUNK);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.draws); n];
    let mut failed = None;
    run_chunks(
        Chunks::new(opts.seed, STAGE).take(chunks),
        opts.threads,
        || (system.clone(), Vec::new()),
        |(work, table), i, mut s| -> Result<Vec<Vec<Odds>>, EngineError> {
            let size = CHUNK.min(opts.draws - i * CHUNK);
            // Every draw's events first, in the chunk's stream order; then the solving.
            let odds: Vec<Vec<Odds>> = (0..size)
                .map(|_| {
                    draw_system(system, work, &mut s);
                    drawn_odds(&structure, work)
                })
                .collect();
            let out = solver.solve(&structure, &all, &odds, table)?;
            progress(size as u64);
            Ok(out)
        },
        |_, chunk| match chunk {
            Ok(rows) => {
                for row in rows {
                    for (c, o) in row.into_iter().enumerate() {
                        draws[c].push(o.p);
                    }
                }
            }
            Err(e) => failed = Some(e),
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    let components = draws
        .into_iter()
        .zip(&system.components)
        .map(|(mut u, c)| {
            let p_meets_slo = c.slo.map(|slo| {
                u.iter().filter(|&&x| slo.met_by(x)).count() as f64 / u.len().max(1) as f64
            });
            u.sort_by(f64::total_cmp);
            ComponentSpread {
                p5: quantile(&u, 0.95),
                p50: quantile(&u, 0.5),
                p95: quantile(&u, 0.05),
                p_meets_slo,
                unavailability: u,
            }
        })
        .collect();
    Ok(Propagation {
        draws: opts.draws,
        seed: opts.seed,
        parameters: parameters(system),
        components,
    })
}

/// A breaker's odds are its target's outage frequency × its opening time, which depends on the
/// drawn odds of everything below the target: charged again for each draw (models with
/// breakers only; the others pass through).
fn breakers_charged(structure: &Structure, work: &System, odds: Vec<Odds>) -> Vec<Odds> {
    if structure.breakers.is_empty() {
        return odds;
    }
    let mut drawn = structure.clone();
    for (e, o) in drawn.events.iter_mut().zip(odds) {
        e.odds = o;
    }
    exact::frequency::charge_breakers(&mut drawn, work);
    drawn.events.iter().map(|e| e.odds).collect()
}

/// The structure with every gate that none of `roots` reads made `Never`: only availability is
/// drawn, so the diagrams of DEGRADED need not be built nor walked each draw. Gate ids stay as
/// they are.
fn keep_only(structure: &Structure, roots: &[GateId]) -> Structure {
    let mut needed = vec![false; structure.gates.len()];
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(g) = stack.pop() {
        if std::mem::replace(&mut needed[g], true) {
            continue;
        }
        stack.extend(structure.gates[g].inputs().iter().filter(|&&x| !needed[x]));
    }
    let mut lean = structure.clone();
    for (gate, needed) in lean.gates.iter_mut().zip(needed) {
        if !needed {
            *gate = Gate::Never;
        }
    }
    lean
}

/// The odds of each of `gates` (every component's DOWN, or one) for each draw's event odds:
/// one pass over the diagram serves `bdd::LANES` draws at once (a short last batch repeats its
/// last draw in the spare lanes).
fn solve_lanes(
    structure: &Structure,
    c: &exact::Compiled,
    odds: &[Vec<Odds>],
    table: &mut Vec<(bdd::Lanes, bdd::Lanes)>,
    gates: &[GateId],
) -> Vec<Vec<Odds>> {
    let mut out = Vec::with_capacity(odds.len());
    for batch in odds.chunks(bdd::LANES) {
        let levels: Vec<Vec<(f64, f64)>> = batch
            .iter()
            .map(|o| c.level_odds_of(structure, o))
            .collect();
        let lanes: Vec<(bdd::Lanes, bdd::Lanes)> = (0..c.event_at.len())
            .map(|l| {
                let mut pq = ([0.0; bdd::LANES], [0.0; bdd::LANES]);
                for k in 0..bdd::LANES {
                    let (p, q) = levels[k.min(batch.len() - 1)][l];
                    pq.0[k] = p;
                    pq.1[k] = q;
                }
                pq
            })
            .collect();
        c.manager.probabilities_lanes(&lanes, table);
        for k in 0..batch.len() {
            out.push(
                (gates.iter())
                    .map(|&g| {
                        let (p, q) = bdd::edge_lanes(table, c.gate[g]);
                        Odds { p: p[k], q: q[k] }
                    })
                    .collect(),
            );
        }
    }
    out
}

/// The `level` quantile of sorted unavailabilities, as odds: the smallest draw with at least
/// that share of draws at or below it.
pub fn quantile(sorted: &[f64], level: f64) -> Odds {
    if sorted.is_empty() {
        return Odds::NEVER;
    }
    let rank = ((level * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Odds::from_p(sorted[rank - 1])
}
