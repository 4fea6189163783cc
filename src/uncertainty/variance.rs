//! Where measuring helps most: the share of the variance of a component's log-unavailability
//! that each uncertain value explains on its own (its first-order Sobol index).
//!
//! The first-order index of a value X is Var(E[Y | X]) / Var(Y): the share of the variance that
//! would go if X were known exactly, which is what measuring X buys. Y is ln U, the natural log of
//! the component's unavailability: doubts are factors (a lognormal on each value), the spread
//! they give U spans factors too, and the squared width of U's interval on a log scale is what
//! the variance of ln U measures. On U itself the variance is ruled by the few worst draws.
//!
//! The estimator is Saltelli's pick-freeze (Saltelli et al. 2010, table 2, estimator (b)): two
//! independent matrices A and B of N draws, and for each value i the matrix A with column i taken
//! from B; then V_i = mean(f(B)·(f(A_B^i) − f(A))). Its interval is the delta method on the means
//! it is a ratio of (asymptotically normal, 95%). A value that cannot move Y gives f(A_B^i) =
//! f(A) in every row, so its share is 0 exactly. Each row costs k + 2 probability passes over the
//! diagram of the component's cone, compiled once; rows are cut into chunks with their own
//! streams, so the same seed gives the same numbers on any number of threads. Past [`LISTED`]
//! values, the ones that swing the unavailability least are taken from B together, as one group
//! (its first-order index is that of the group), so a large model costs LISTED + 3 passes a row.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exact::EngineError;
use crate::model::units::{Duration, Odds, Spread};
use crate::sim::stream::{Chunks, Stream, run_chunks};
use crate::structure::{EventId, Owner, Structure};
use crate::system::{ComponentId, Doubt, System};

use super::draw;
use super::propagate::{
    Drawn, Options, Solver, drawn_odds, quantile, set_component, set_domain, settle,
};

/// Rows (of groups + 2 evaluations each) per chunk of work and per random stream.
const CHUNK: usize = 16;
/// The stage of the seeded streams (propagation's draws use another).
const STAGE: u64 = 23;
/// Values given a share each; past this many, the values that swing the unavailability least
/// are estimated together, as one group.
pub const LISTED: usize = 12;
/// The two-sided 95% point of the standard normal.
const Z975: f64 = 1.959_963_984_540_054;

/// Which value of a reliability is uncertain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// The availability (its doubt is on the unavailability).
    Availability,
    /// The mean time to failure.
    Mttf,
    /// The mean time to repair.
    Mttr,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Availability => "availability",
            Key::Mttf => "mttf",
            Key::Mttr => "mttr",
        }
    }
}

/// One uncertain value: a component's or domain's availability, mttf or mttr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Parameter {
    /// The component or domain that gives the value.
    pub owner: Owner,
    /// Which of its values.
    pub key: Key,
}

impl Parameter {
    /// `database.mttf`, `region.availability`: its owner and key as the model writes them.
    pub fn name(&self, system: &System) -> String {
        let owner = match self.owner {
            Owner::Component(c) => &system.components[c].name,
            Owner::Domain(d) => &system.domains[d].name,
        };
        format!("{owner}.{}", self.key.name())
    }
}

fn doubt_of(system: &System, owner: Owner) -> &Doubt {
    match owner {
        Owner::Component(c) => &system.components[c].doubt,
        Owner::Domain(d) => &system.domains[d].doubt,
    }
}

fn keys(doubt: &Doubt) -> impl Iterator<Item = Key> {
    [
        (doubt.availability.is_some(), Key::Availability),
        (doubt.mttf.is_some(), Key::Mttf),
        (doubt.mttr.is_some(), Key::Mttr),
    ]
    .into_iter()
    .filter_map(|(given, key)| given.then_some(key))
}

/// Every uncertain value of the model: components first, then domains, each in the model's
/// order.
pub fn all_parameters(system: &System) -> Vec<Parameter> {
    let owners = (0..system.components.len())
        .map(Owner::Component)
        .chain((0..system.domains.len()).map(Owner::Domain));
    owners
        .flat_map(|owner| keys(doubt_of(system, owner)).map(move |key| Parameter { owner, key }))
        .collect()
}

/// The uncertain values that can move `target`'s unavailability: those of the owners of the
/// events its DOWN reads, and of the events a breaker it reads counts the outages of.
pub fn touching(system: &System, structure: &Structure, target: ComponentId) -> Vec<Parameter> {
    let mut read = vec![false; structure.events.len()];
    let mut roots = vec![structure.components[target].down];
    while let Some(root) = roots.pop() {
        for e in structure.support(root) {
            if std::mem::replace(&mut read[e], true) {
                continue;
            }
            // A breaker's odds are its target's outage frequency: what moves that moves it.
            if let Some(b) = structure.breakers.iter().find(|b| b.event == e) {
                roots.push(b.target_down);
            }
        }
    }
    let owners: Vec<Owner> = (0..structure.events.len())
        .filter(|&e: &EventId| read[e])
        .map(|e| structure.events[e].owner())
        .collect();
    all_parameters(system)
        .into_iter()
        .filter(|p| owners.contains(&p.owner))
        .collect()
}

/// A share of the variance with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The estimated share, a fraction of Var(ln U).
    pub share: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

/// The share of the variance one uncertain value explains on its own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterShare {
    /// The value, as `owner.key` (`database.mttf`).
    pub parameter: String,
    /// Its first-order share of Var(ln U), a fraction.
    pub share: f64,
    /// The share's 95% interval, lower end.
    pub low: f64,
    /// The share's 95% interval, upper end.
    pub high: f64,
}

/// How the shares were estimated, and what they leave to the values acting together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VarianceOf {
    /// What is decomposed: `ln_unavailability`, the natural log of the unavailability.
    pub of: &'static str,
    /// Var(ln U) over the draws (0: the doubt does not move the unavailability).
    pub variance: f64,
    /// Rows of the pick-freeze design; each is (values listed + 2) exact evaluations, one more
    /// with a group of the others.
    pub draws: usize,
    /// The seed of the draws: the same seed gives the same shares on any thread count.
    pub seed: u64,
    /// Exact probability passes done in all.
    pub evaluations: usize,
    /// The confidence of every `low`–`high` interval.
    pub confidence: f64,
    /// 1 − the sum of the shares: what only the values acting together explain.
    pub remainder: Interval,
    /// The 5th, 50th and 95th percentiles of the unavailability over the draws.
    pub unavailability_p5: f64,
    /// The median unavailability over the draws.
    pub unavailability_p50: f64,
    /// The 95th percentile of the unavailability over the draws.
    pub unavailability_p95: f64,
    /// When more than [`LISTED`] values touch the component: the share of all the others
    /// together (the values that swing the unavailability least one at a time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub others: Option<Others>,
}

/// The values not listed one by one, as one group: its share is what knowing all of them
/// exactly would remove.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Others {
    /// How many values the group holds.
    pub values: usize,
    /// The group's share of Var(ln U), a fraction.
    pub share: f64,
    /// The share's 95% interval, lower end.
    pub low: f64,
    /// The share's 95% interval, upper end.
    pub high: f64,
}

/// Which uncertain value's doubt drives the spread of a component's unavailability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VarianceShares {
    /// Largest share first.
    pub variance_share: Vec<ParameterShare>,
    /// How the shares were estimated.
    pub variance: VarianceOf,
}

/// The variance shares of the uncertain values touching `target`, or None when none does (or
/// the component never goes down).
pub fn variance_share(
    system: &System,
    target: ComponentId,
    opts: &Options,
) -> Result<Option<VarianceShares>, EngineError> {
    let structure = Structure::new(system);
    let parameters = touching(system, &structure, target);
    if parameters.is_empty() {
        return Ok(None);
    }
    shares_of(system, &structure, target, &parameters, opts).map(Some)
}

/// The variance shares of `parameters` for `target` (a value not touching it gets 0).
pub fn shares_of(
    system: &System,
    structure: &Structure,
    target: ComponentId,
    parameters: &[Parameter],
    opts: &Options,
) -> Result<VarianceShares, EngineError> {
    let solver = Solver::new(structure, &[target]);
    let groups = screen(system, structure, target, parameters, &solver)?;
    let rows = pick_freeze(
        system, structure, target, parameters, &groups, &solver, opts,
    )?;
    let n = rows.len();
    // Shares do not change when Y moves by a constant, but the estimator's error does: it is
    // computed on Y less its mean.
    let mean = rows.iter().map(|r| r[0] + r[1]).sum::<f64>() / (2 * n) as f64;
    let centred: Vec<Vec<f64>> = (rows.iter())
        .map(|r| r.iter().map(|y| y - mean).collect())
        .collect();
    // Per row: (a, v, w) with S = mean(a) / (mean(v) − mean(w)²).
    let terms = |a: &dyn Fn(&[f64]) -> f64| -> Vec<[f64; 3]> {
        (centred.iter())
            .map(|y| [a(y), (y[0] * y[0] + y[1] * y[1]) / 2.0, (y[0] + y[1]) / 2.0])
            .collect()
    };
    let first = |y: &[f64], g: usize| y[1] * (y[2 + g] - y[0]);
    let variance = {
        let t = terms(&|_| 0.0);
        let (v, w) = (mean_of(&t, 1), mean_of(&t, 2));
        v - w * w
    };
    let mut spread: Vec<f64> = (rows.iter())
        .flat_map(|r| [r[0].exp(), r[1].exp()])
        .collect();
    spread.sort_by(f64::total_cmp);
    // Rounding alone gives a variance of about 1e-32 in ln U; below 1e-20 (a spread of 1e-10 on
    // U's log) nothing moved.
    let moved = variance > 1e-20;
    let share = |g: usize| {
        if moved {
            ratio_interval(&terms(&|y| first(y, g)))
        } else {
            Interval::NONE
        }
    };
    let mut shares = Vec::new();
    let mut others = None;
    for (g, members) in groups.iter().enumerate() {
        let s = share(g);
        match members[..] {
            [one] => shares.push(ParameterShare {
                parameter: parameters[one].name(system),
                share: s.share,
                low: s.low,
                high: s.high,
            }),
            _ => {
                others = Some(Others {
                    values: members.len(),
                    share: s.share,
                    low: s.low,
                    high: s.high,
                })
            }
        }
    }
    let remainder = if moved {
        let sum = ratio_interval(&terms(&|y| (0..groups.len()).map(|g| first(y, g)).sum()));
        Interval {
            share: 1.0 - sum.share,
            low: 1.0 - sum.high,
            high: 1.0 - sum.low,
        }
    } else {
        Interval::NONE
    };
    shares.sort_by(|x, y| {
        y.share
            .total_cmp(&x.share)
            .then_with(|| x.parameter.cmp(&y.parameter))
    });
    Ok(VarianceShares {
        variance_share: shares,
        variance: VarianceOf {
            of: "ln_unavailability",
            variance: if moved { variance } else { 0.0 },
            draws: n,
            seed: opts.seed,
            evaluations: n * (groups.len() + 2),
            confidence: 0.95,
            remainder,
            unavailability_p5: quantile(&spread, 0.05).p,
            unavailability_p50: quantile(&spread, 0.5).p,
            unavailability_p95: quantile(&spread, 0.95).p,
            others,
        },
    })
}

/// The groups whose shares are estimated: each value alone when there are at most [`LISTED`];
/// otherwise the [`LISTED`] that swing ln U most, each alone, and the rest as one group. A
/// value's swing is |ln U at its 95th percentile − ln U at its 5th|, every other value at its
/// point: a screen, two evaluations a value, that only chooses what is listed (the shares
/// themselves come from the draws).
fn screen(
    system: &System,
    structure: &Structure,
    target: ComponentId,
    parameters: &[Parameter],
    solver: &Solver,
) -> Result<Vec<Vec<usize>>, EngineError> {
    let k = parameters.len();
    if k <= LISTED {
        return Ok((0..k).map(|i| vec![i]).collect());
    }
    let mut work = system.clone();
    let mut odds = Vec::with_capacity(2 * k);
    for (i, &p) in parameters.iter().enumerate() {
        let (low, high) = percentiles(system, p);
        for x in [low, high] {
            let mut values = vec![None; k];
            values[i] = x;
            apply(system, &mut work, parameters, &values);
            odds.push(drawn_odds(structure, &work));
        }
    }
    let down = solver.solve(structure, &[target], &odds, &mut Vec::new())?;
    let ln = |o: &[Odds]| o[0].p.max(f64::MIN_POSITIVE).ln();
    let mut swing: Vec<(f64, usize)> = (down.chunks(2))
        .map(|pair| (ln(&pair[1]) - ln(&pair[0])).abs())
        .zip(0..k)
        .collect();
    swing.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut groups: Vec<Vec<usize>> = swing[..LISTED].iter().map(|&(_, i)| vec![i]).collect();
    let mut rest: Vec<usize> = swing[LISTED..].iter().map(|&(_, i)| i).collect();
    rest.sort_unstable();
    groups.push(rest);
    Ok(groups)
}

/// A value's 5th and 95th percentiles (an unavailability, or a duration in seconds).
fn percentiles(system: &System, p: Parameter) -> (Option<f64>, Option<f64>) {
    let doubt = doubt_of(system, p.owner);
    let duration = |spread: &Spread<Duration>| match *spread {
        Spread::Range { low, high } => (low.seconds, high.seconds),
        Spread::Incidents { count, over } => {
            // The mean time is over / G with G ~ Gamma(k + ½, 1): its 5th percentile is at
            // G's 95th.
            let shape = count as f64 + 0.5;
            (
                over.seconds / draw::gamma_quantile(shape, 0.95),
                over.seconds / draw::gamma_quantile(shape, 0.05),
            )
        }
    };
    let pair = match p.key {
        Key::Availability => match doubt.availability {
            Some(Spread::Range { low, high }) => Some((high.down.p, low.down.p)),
            _ => None,
        },
        Key::Mttf => doubt.mttf.as_ref().map(duration),
        Key::Mttr => doubt.mttr.as_ref().map(duration),
    };
    (pair.map(|x| x.0), pair.map(|x| x.1))
}

impl Interval {
    const NONE: Interval = Interval {
        share: 0.0,
        low: 0.0,
        high: 0.0,
    };
}

fn mean_of(rows: &[[f64; 3]], c: usize) -> f64 {
    rows.iter().map(|r| r[c]).sum::<f64>() / rows.len() as f64
}

/// S = mean(a) / (mean(v) − mean(w)²) with its 95% interval by the delta method: the means are
/// jointly normal with covariance Σ / N, and S moves with them by its gradient g, so its
/// standard error is √(gᵀ Σ g / N).
fn ratio_interval(rows: &[[f64; 3]]) -> Interval {
    let n = rows.len() as f64;
    let m = [mean_of(rows, 0), mean_of(rows, 1), mean_of(rows, 2)];
    let d = m[1] - m[2] * m[2];
    let s = m[0] / d;
    let g = [1.0 / d, -s / d, 2.0 * m[2] * s / d];
    let mut var = 0.0;
    for r in rows {
        let x: f64 = (0..3).map(|c| g[c] * (r[c] - m[c])).sum();
        var += x * x;
    }
    let se = (var / (n - 1.0).max(1.0) / n).sqrt();
    Interval {
        share: s,
        low: s - Z975 * se,
        high: s + Z975 * se,
    }
}

/// One draw of a value (None when the model gives it without doubt).
fn draw_value(system: &System, p: Parameter, s: &mut Stream) -> Option<f64> {
    let doubt = doubt_of(system, p.owner);
    match p.key {
        Key::Availability => (doubt.availability.as_ref()).map(|a| draw::unavailability(a, s)),
        Key::Mttf => doubt.mttf.as_ref().map(|m| draw::seconds(m, s)),
        Key::Mttr => doubt.mttr.as_ref().map(|m| draw::seconds(m, s)),
    }
}

/// Puts `values` (one per parameter) into `work`; every other value stays at its point.
fn apply(point: &System, work: &mut System, parameters: &[Parameter], values: &[Option<f64>]) {
    let mut drawn: BTreeMap<Owner, Drawn> = BTreeMap::new();
    for (p, &x) in parameters.iter().zip(values) {
        let d = drawn.entry(p.owner).or_default();
        match p.key {
            Key::Availability => d.unavailability = x,
            Key::Mttf => d.mttf = x,
            Key::Mttr => d.mttr = x,
        }
    }
    for (owner, d) in drawn {
        match owner {
            Owner::Component(c) => {
                let p = &point.components[c];
                let settled = settle(&p.doubt, p.replica_failed, p.failure, p.repair, d);
                set_component(p, &mut work.components[c], settled);
            }
            Owner::Domain(x) => {
                let p = &point.domains[x];
                let settled = settle(&p.doubt, p.down, p.failure, p.repair, d);
                set_domain(&mut work.domains[x], settled);
            }
        }
    }
}

/// Every row of the pick-freeze design: ln U at A, at B, then at A with each group's values
/// taken from B.
fn pick_freeze(
    system: &System,
    structure: &Structure,
    target: ComponentId,
    parameters: &[Parameter],
    groups: &[Vec<usize>],
    solver: &Solver,
    opts: &Options,
) -> Result<Vec<Vec<f64>>, EngineError> {
    let width = groups.len() + 2;
    let chunks = opts.draws.div_ceil(CHUNK);
    let mut rows: Vec<Vec<f64>> = Vec::with_capacity(opts.draws);
    let mut failed = None;
    run_chunks(
        Chunks::new(opts.seed, STAGE).take(chunks),
        opts.threads,
        || (system.clone(), Vec::new()),
        |(work, table), i, mut s| -> Result<Vec<Vec<f64>>, EngineError> {
            let size = CHUNK.min(opts.draws - i * CHUNK);
            let mut odds: Vec<Vec<Odds>> = Vec::with_capacity(size * width);
            for _ in 0..size {
                let mut one = || -> Vec<Option<f64>> {
                    (parameters.iter())
                        .map(|&p| draw_value(system, p, &mut s))
                        .collect()
                };
                let (a, b) = (one(), one());
                let mixed = groups.iter().map(|members| {
                    let mut ab = a.clone();
                    for &i in members {
                        ab[i] = b[i];
                    }
                    ab
                });
                for values in [a.clone(), b.clone()].into_iter().chain(mixed) {
                    apply(system, work, parameters, &values);
                    odds.push(drawn_odds(structure, work));
                }
            }
            let down = solver.solve(structure, &[target], &odds, table)?;
            // A draw so rare that U underflows counts as the smallest number there is, not −∞.
            Ok(down
                .chunks(width)
                .map(|r| {
                    (r.iter())
                        .map(|u| u[0].p.max(f64::MIN_POSITIVE).ln())
                        .collect()
                })
                .collect())
        },
        |_, chunk| match chunk {
            Ok(chunk) => rows.extend(chunk),
            Err(e) => failed = Some(e),
        },
    );
    match failed {
        Some(e) => Err(e),
        None => Ok(rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_interval_matches_a_hand_computation() {
        // a = (1, 3), v = (2, 4), w = (0, 0): S = 2 / 3.
        let rows = [[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]];
        let i = ratio_interval(&rows);
        assert!((i.share - 2.0 / 3.0).abs() < 1e-15);
        // g = (1/3, −2/9, 0); g·(r − m) = (−1/3 + 2/9, 1/3 − 2/9) = ∓1/9; var = 2/81 / 1 / 2.
        let se = (1.0f64 / 81.0).sqrt();
        assert!((i.high - i.share - Z975 * se).abs() < 1e-15);
        assert!((i.share - i.low - Z975 * se).abs() < 1e-15);
    }
}
