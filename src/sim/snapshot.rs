//! Snapshot Monte Carlo: draw every basic event, evaluate the gate network, count states.
//!
//! Bit-parallel: each gate holds one bit per sample, 64 samples to a machine word and
//! [`WORDS`] words to a block, so an OR of two gates is one instruction per 64 samples and an
//! `AtLeast` is a bit-sliced counter (a ripple-carry adder across words). Events are drawn by
//! geometric skipping: for an event of probability p the gap to its next occurrence is
//! ⌊ln U / ln(1 − p)⌋, so a replica that is down once in a million samples costs one draw per
//! million samples, not one per sample. Events more likely than not are drawn the same way
//! on their complement.
//!
//! Rare events: a component at nine nines is down once in 10⁹ samples, out of reach of plain
//! sampling. For those, [`importance`] samples the events that can take the component down
//! with inflated probabilities and weighs each sample by its likelihood ratio. The inflated
//! probabilities are tuned by the cross-entropy method (Rubinstein & Kroese 2004): they
//! converge towards each event's probability given that the component is down, which is the
//! importance density with least variance among independent ones.

use super::stats::{Z95, wilson};
use super::stream::{ChunkStreams, Chunks, Stream, run_chunks};
use crate::structure::{EventId, Gate, GateId, Structure};

/// Words of 64 samples evaluated together.
pub const WORDS: usize = 16;
const BLOCK: u64 = (WORDS * 64) as u64;
/// Samples per chunk of the plain stage; every chunk has its own random stream.
pub const CHUNK: u64 = 1 << 16;
/// Samples per chunk of the importance stage.
const IS_CHUNK: u64 = 1 << 14;

/// Whether rare failures are estimated by importance sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importance {
    /// Importance sampling for the components plain sampling cannot resolve.
    Auto,
    /// Plain sampling only.
    Off,
}

/// How a snapshot Monte Carlo run samples, and when it stops.
#[derive(Clone, Debug)]
pub struct SnapshotOptions {
    /// Plain samples (the first round when `rel_error` is set).
    pub samples: u64,
    /// The seed of every random stream: the same seed gives the same result on any number of
    /// threads.
    pub seed: u64,
    /// Threads to sample on (the result does not depend on it).
    pub threads: usize,
    /// Sample until every 95% half-width is within this share of its estimate.
    pub rel_error: Option<f64>,
    /// A bound on the samples of each stage.
    pub max_samples: u64,
    /// Whether rare failures are estimated by importance sampling.
    pub importance: Importance,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions {
            samples: 1_000_000,
            seed: 0,
            threads: 1,
            rel_error: None,
            max_samples: 1 << 32,
            importance: Importance::Auto,
        }
    }
}

/// The most samples one stage may draw: 2⁴⁰ is hours of work on a large model, and the most
/// that makes sense.
pub const MAX_SAMPLES: u64 = 1 << 40;

/// Options the sampler cannot honour, refused before any work; every command that samples
/// builds its options through [`SnapshotOptions::new`], so the limits are the same everywhere.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SnapshotOptionsError {
    /// The samples asked for are none, or more than [`MAX_SAMPLES`] (the number asked for).
    #[error("--samples must be between 1 and {MAX_SAMPLES} (it is {0})")]
    Samples(u64),
    /// The cap on samples of an adaptive run is none, or more than [`MAX_SAMPLES`] (the number
    /// asked for).
    #[error("--max-samples must be between 1 and {MAX_SAMPLES} (it is {0})")]
    MaxSamples(u64),
    /// The relative error to stop at is not strictly between 0 and 1 (the value asked for).
    #[error("--rel-error must be between 0 and 1, not {0}")]
    RelError(f64),
    /// No threads to sample on.
    #[error("--threads must be at least 1")]
    Threads,
}

impl SnapshotOptionsError {
    /// What to write instead.
    pub fn hint(&self) -> Option<String> {
        match self {
            SnapshotOptionsError::RelError(_) => Some(
                "a share of the estimate: 0.01 asks each 95% half-width to be within 1% of it"
                    .into(),
            ),
            _ => None,
        }
    }
}

impl SnapshotOptions {
    /// Options for sampling, refused when a count is zero or beyond [`MAX_SAMPLES`], or the
    /// precision asked is not a share of the estimate. `max_samples` is raised to `samples`
    /// when below it: the plain samples asked are always drawn.
    pub fn new(
        samples: u64,
        seed: u64,
        threads: usize,
        rel_error: Option<f64>,
        max_samples: u64,
        importance: Importance,
    ) -> Result<SnapshotOptions, SnapshotOptionsError> {
        if samples == 0 || samples > MAX_SAMPLES {
            return Err(SnapshotOptionsError::Samples(samples));
        }
        if max_samples == 0 || max_samples > MAX_SAMPLES {
            return Err(SnapshotOptionsError::MaxSamples(max_samples));
        }
        if let Some(e) = rel_error
            && !(e > 0.0 && e < 1.0)
        {
            return Err(SnapshotOptionsError::RelError(e));
        }
        if threads == 0 {
            return Err(SnapshotOptionsError::Threads);
        }
        Ok(SnapshotOptions {
            samples,
            seed,
            threads,
            rel_error,
            max_samples: max_samples.max(samples),
            importance,
        })
    }
}

/// Relative precision that plain sampling must reach before a component is handed to
/// importance sampling, when `--rel-error` is not given.
pub const DEFAULT_PLAIN_PRECISION: f64 = 0.1;
/// Relative precision importance sampling aims at when `--rel-error` is not given.
pub const DEFAULT_IMPORTANCE_PRECISION: f64 = 0.02;

/// How a component's unavailability was estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Plain sampling: the share of samples in which it was DOWN.
    Plain,
    /// Importance sampling: rare failures drawn more often and weighted back.
    Importance,
}

/// One component's estimate.
#[derive(Clone, Debug)]
pub struct ComponentEstimate {
    /// How the unavailability was estimated.
    pub method: Method,
    /// The estimated unavailability, a probability.
    pub unavailability: f64,
    /// The estimated availability, a probability.
    pub availability: f64,
    /// 95% interval of the unavailability.
    pub unavailability_ci95: (f64, f64),
    /// The estimated probability of DEGRADED.
    pub degraded: f64,
    /// 95% interval of the probability of DEGRADED.
    pub degraded_ci95: (f64, f64),
    /// Plain samples in which the component was DOWN.
    pub down_samples: u64,
    /// Samples behind the unavailability estimate (plain or importance).
    pub samples: u64,
    /// Kish's effective sample size of the DOWN samples, (Σw)² / Σw² over their weights: how
    /// many equally weighted DOWN samples the unavailability estimate is worth. For plain
    /// sampling, the DOWN samples themselves.
    pub ess: f64,
}

impl ComponentEstimate {
    /// 95% interval of the availability.
    pub fn availability_ci95(&self) -> (f64, f64) {
        let (lo, hi) = self.unavailability_ci95;
        ((1.0 - hi).max(0.0), (1.0 - lo).min(1.0))
    }
}

/// What a snapshot Monte Carlo run found: every component's estimate, and the samples drawn.
#[derive(Clone, Debug)]
pub struct SnapshotResult {
    /// Plain samples drawn for the estimates.
    pub samples: u64,
    /// Plain samples of the pilot that chose each component's method (0 when there was
    /// nothing to choose).
    pub pilot_samples: u64,
    /// Samples drawn by importance sampling, all components together.
    pub importance_samples: u64,
    /// Basic events × plain samples: the work done, for throughput figures.
    pub event_samples: u64,
    /// Each component's estimate, in the system's order.
    pub components: Vec<ComponentEstimate>,
}

/// How one event is drawn: positions of its "marked" outcome (the event, or its complement
/// when the event is more likely than not) are found by geometric gaps.
#[derive(Clone, Copy, Debug)]
struct Draw {
    gate: GateId,
    /// The value of a sample before marks are applied: all zeros, or all ones (complement).
    base: u64,
    /// 1 / ln(1 − mark probability); 0 for a mark that never comes.
    inv_ln_rest: f64,
    never: bool,
}

impl Draw {
    fn new(gate: GateId, p: f64, q: f64) -> Draw {
        let complement = p > 0.5;
        let mark = if complement { q } else { p };
        let never = mark <= 0.0;
        Draw {
            gate,
            base: if complement { !0 } else { 0 },
            inv_ln_rest: if never || mark >= 1.0 {
                0.0
            } else {
                1.0 / (-mark).ln_1p()
            },
            never,
        }
    }

    /// Samples to skip before the next mark.
    #[inline]
    fn gap(&self, s: &mut Stream) -> u64 {
        let g = s.open01().ln() * self.inv_ln_rest;
        if g < 1e18 { g as u64 } else { u64::MAX / 4 }
    }
}

/// The bit rows of one block and the gates to evaluate.
struct Sheet<'a> {
    structure: &'a Structure,
    /// Gates to evaluate, in topological order (events and `Never` excluded).
    order: Vec<GateId>,
    draws: Vec<Draw>,
    rows: Vec<u64>,
    next_mark: Vec<u64>,
    /// The event gates of each exclusive group, in order: drawn as independent variables, then
    /// member i kept only where no earlier member's variable is set.
    groups: Vec<Vec<GateId>>,
}

impl<'a> Sheet<'a> {
    fn new(structure: &'a Structure, order: Vec<GateId>, draws: Vec<Draw>) -> Sheet<'a> {
        let gates = event_gates(structure);
        Sheet {
            structure,
            order,
            next_mark: vec![0; draws.len()],
            draws,
            rows: vec![0; structure.gates.len() * WORDS],
            groups: (structure.exclusive.iter())
                .map(|g| g.members.iter().map(|&e| gates[e]).collect())
                .collect(),
        }
    }

    fn start_chunk(&mut self, s: &mut Stream) {
        for (next, d) in self.next_mark.iter_mut().zip(&self.draws) {
            *next = if d.never { u64::MAX } else { d.gap(s) };
        }
    }

    /// Draws the events of samples `start .. start + BLOCK` of the chunk; `mark` sees each mark
    /// (draw index, sample within the block).
    #[inline]
    fn draw_block(&mut self, start: u64, s: &mut Stream, mut mark: impl FnMut(usize, usize)) {
        let end = start + BLOCK;
        for (i, d) in self.draws.iter().enumerate() {
            let row = &mut self.rows[d.gate * WORDS..(d.gate + 1) * WORDS];
            row.fill(d.base);
            let next = &mut self.next_mark[i];
            while *next < end {
                let bit = (*next - start) as usize;
                row[bit / 64] ^= 1 << (bit % 64);
                mark(i, bit);
                *next = next.saturating_add(1 + d.gap(s));
            }
        }
        for group in &self.groups {
            let mut earlier = [0u64; WORDS];
            for &g in group {
                let row = &mut self.rows[g * WORDS..(g + 1) * WORDS];
                for (x, e) in row.iter_mut().zip(&mut earlier) {
                    *x &= !*e;
                    *e |= *x;
                }
            }
        }
    }

    fn row(&self, g: GateId) -> &[u64] {
        &self.rows[g * WORDS..(g + 1) * WORDS]
    }

    fn evaluate(&mut self) {
        for &g in &self.order {
            let (inputs, rest) = self.rows.split_at_mut(g * WORDS);
            let out: &mut [u64; WORDS] = (&mut rest[..WORDS]).try_into().expect("a row");
            let row = |x: GateId| -> &[u64; WORDS] {
                (&inputs[x * WORDS..(x + 1) * WORDS])
                    .try_into()
                    .expect("a row")
            };
            match &self.structure.gates[g] {
                Gate::Or(xs) => {
                    *out = [0; WORDS];
                    for &x in xs {
                        let r = row(x);
                        for w in 0..WORDS {
                            out[w] |= r[w];
                        }
                    }
                }
                Gate::And(xs) => {
                    *out = [!0; WORDS];
                    for &x in xs {
                        let r = row(x);
                        for w in 0..WORDS {
                            out[w] &= r[w];
                        }
                    }
                }
                Gate::AtLeast(k, xs) => {
                    // A bit-sliced counter per sample: plane i holds bit i of the count.
                    let bits = (usize::BITS - xs.len().leading_zeros()) as usize;
                    let mut planes = [[0u64; WORDS]; 64];
                    for &x in xs {
                        let r = row(x);
                        for w in 0..WORDS {
                            let mut carry = r[w];
                            let mut i = 0;
                            while carry != 0 && i < bits {
                                let t = planes[i][w] & carry;
                                planes[i][w] ^= carry;
                                carry = t;
                                i += 1;
                            }
                        }
                    }
                    // count ≥ k, compared from the top bit down.
                    for w in 0..WORDS {
                        let (mut greater, mut equal) = (0u64, !0u64);
                        for (i, plane) in planes.iter().enumerate().take(bits).rev() {
                            if (k >> i) & 1 == 1 {
                                equal &= plane[w];
                            } else {
                                greater |= equal & plane[w];
                                equal &= !plane[w];
                            }
                        }
                        out[w] = greater | equal;
                    }
                }
                Gate::Never | Gate::Event(_) => {}
            }
        }
    }
}

/// The gates to evaluate for a set of roots: their cone, in topological order.
fn cone(structure: &Structure, roots: impl IntoIterator<Item = GateId>) -> Vec<GateId> {
    let needed = crate::structure::cone(&structure.gates, roots, |_| false);
    (0..structure.gates.len())
        .filter(|&g| {
            needed[g]
                && matches!(
                    structure.gates[g],
                    Gate::Or(_) | Gate::And(_) | Gate::AtLeast(..)
                )
        })
        .collect()
}

/// The odds each event's variable is drawn with (see `Structure::variable_odds`).
fn variable_odds(structure: &Structure) -> Vec<crate::model::units::Odds> {
    let odds: Vec<_> = structure.events.iter().map(|e| e.odds).collect();
    structure.variable_odds(&odds)
}

fn event_gates(structure: &Structure) -> Vec<GateId> {
    let mut at = vec![0; structure.events.len()];
    for (g, gate) in structure.gates.iter().enumerate() {
        if let Gate::Event(e) = gate {
            at[*e] = g;
        }
    }
    at
}

/// Mask of the valid samples of word `w` in a block starting at `start` of a chunk of `len`.
#[inline]
fn valid_mask(start: u64, w: usize, len: u64) -> u64 {
    let first = start + 64 * w as u64;
    if first + 64 <= len {
        !0
    } else if first >= len {
        0
    } else {
        (1u64 << (len - first)) - 1
    }
}

/// Counts of one chunk of plain samples: DOWN and DEGRADED per component.
#[derive(Clone, Debug, Default)]
struct Counts {
    down: Vec<u64>,
    degraded: Vec<u64>,
}

/// Plain samples of every component's state.
fn plain_round(
    structure: &Structure,
    streams: ChunkStreams,
    samples: u64,
    threads: usize,
) -> Counts {
    let n = structure.components.len();
    let gates = event_gates(structure);
    let draws: Vec<Draw> = variable_odds(structure)
        .iter()
        .enumerate()
        .map(|(e, o)| Draw::new(gates[e], o.p, o.q))
        .collect();
    let order = cone(
        structure,
        structure
            .components
            .iter()
            .flat_map(|c| [c.down, c.impaired]),
    );
    let locals = run_chunks(
        streams,
        threads,
        || {
            (
                Sheet::new(structure, order.clone(), draws.clone()),
                Counts {
                    down: vec![0; n],
                    degraded: vec![0; n],
                },
            )
        },
        |(sheet, counts), i, mut s| {
            let len = (samples - i as u64 * CHUNK).min(CHUNK);
            sheet.start_chunk(&mut s);
            let mut start = 0;
            while start < len {
                sheet.draw_block(start, &mut s, |_, _| {});
                sheet.evaluate();
                for (c, comp) in structure.components.iter().enumerate() {
                    let (down, impaired) = (sheet.row(comp.down), sheet.row(comp.impaired));
                    let (mut d, mut g) = (0, 0);
                    for w in 0..WORDS {
                        let m = valid_mask(start, w, len);
                        d += (down[w] & m).count_ones() as u64;
                        g += (impaired[w] & !down[w] & m).count_ones() as u64;
                    }
                    counts.down[c] += d;
                    counts.degraded[c] += g;
                }
                start += BLOCK;
            }
        },
        |_, ()| {},
    );
    let mut total = Counts {
        down: vec![0; n],
        degraded: vec![0; n],
    };
    for (_, c) in locals {
        for i in 0..n {
            total.down[i] += c.down[i];
            total.degraded[i] += c.degraded[i];
        }
    }
    total
}

/// Stage of the pilot's random stream; the importance-sampling run rooted at component `c` is
/// stage `IMPORTANCE_STAGE + c`, the plain samples that are reported stage 0.
const PILOT_STAGE: u64 = 1;
const IMPORTANCE_STAGE: u64 = 2;
/// The pilot draws this share of `--samples`.
const PILOT_SHARE: u64 = 4;
/// With `--rel-error`, a component whose pilot estimate is below this is left to importance
/// sampling rather than drive the plain samples up.
const RARE: f64 = 1e-3;

/// Plain samples for a 95% relative half-width of `e` at unavailability `u` (normal
/// approximation of the binomial).
fn samples_for(u: f64, e: f64) -> f64 {
    (Z95 / e).powi(2) * (1.0 - u) / u
}

/// The plan made from the pilot: how many plain samples to draw, and which components keep
/// the plain estimate.
struct MethodPlan {
    samples: u64,
    plain: Vec<bool>,
}

/// Decides the plain samples and each component's method from the pilot's DOWN counts alone,
/// so that the samples that are reported played no part in choosing how to estimate (choosing
/// from them favours whichever method happened to come out high).
fn plan(down: &[u64], pilot: u64, opts: &SnapshotOptions, max_samples: u64) -> MethodPlan {
    let auto = opts.importance == Importance::Auto;
    let e = opts.rel_error.unwrap_or(DEFAULT_PLAIN_PRECISION);
    // From the pilot's count less one standard deviation, so that the precision is reached
    // more often than not (a pilot of 25 DOWN samples is ±20%).
    let need: Vec<Option<f64>> = down
        .iter()
        .map(|&k| {
            let u = (k as f64 - (k as f64).sqrt()) / pilot as f64;
            (u > 0.0).then(|| samples_for(u, e))
        })
        .collect();
    let mut samples = opts.samples.clamp(1, max_samples);
    if opts.rel_error.is_some() {
        // Enough samples for every component plain sampling can resolve within the bound.
        for (&k, need) in down.iter().zip(&need) {
            if let Some(need) = *need
                && need <= max_samples as f64
                && (!auto || k as f64 >= RARE * pilot as f64)
            {
                samples = samples.max(need.ceil() as u64);
            }
        }
    }
    let plain = need
        .iter()
        .map(|need| !auto || need.is_some_and(|need| need <= samples as f64))
        .collect();
    MethodPlan { samples, plain }
}

/// Runs the snapshot Monte Carlo on a structure.
///
/// In three steps, each with its own random streams: a pilot of plain samples decides how many
/// plain samples to draw and which components plain sampling resolves; fresh plain samples
/// estimate those (and every degraded share); importance sampling estimates the others.
pub fn sample(structure: &Structure, opts: &SnapshotOptions) -> SnapshotResult {
    let n = structure.components.len();
    let threads = opts.threads.max(1);
    let max_samples = opts.max_samples.max(1);
    let auto = opts.importance == Importance::Auto;
    // Plain sampling of a fixed number of samples has nothing to decide.
    let (pilot, plan) = if auto || opts.rel_error.is_some() {
        let pilot = opts.samples.div_ceil(PILOT_SHARE).clamp(1, max_samples);
        let c = plain_round(
            structure,
            Chunks::new(opts.seed, PILOT_STAGE).take(pilot.div_ceil(CHUNK) as usize),
            pilot,
            threads,
        );
        (pilot, plan(&c.down, pilot, opts, max_samples))
    } else {
        let samples = opts.samples.clamp(1, max_samples);
        (
            0,
            MethodPlan {
                samples,
                plain: vec![true; n],
            },
        )
    };
    let drawn = plan.samples;
    let total = plain_round(
        structure,
        Chunks::new(opts.seed, 0).take(drawn.div_ceil(CHUNK) as usize),
        drawn,
        threads,
    );
    let (rare, importance_samples) = rare_estimates(structure, opts, &plan.plain, threads);
    let components = (0..n)
        .map(|c| {
            let k = total.down[c];
            let plain = ComponentEstimate {
                method: Method::Plain,
                unavailability: k as f64 / drawn as f64,
                availability: (drawn - k) as f64 / drawn as f64,
                unavailability_ci95: wilson(k, drawn),
                degraded: total.degraded[c] as f64 / drawn as f64,
                degraded_ci95: wilson(total.degraded[c], drawn),
                down_samples: k,
                samples: drawn,
                ess: k as f64,
            };
            match rare[c] {
                Some(est) => ComponentEstimate {
                    method: Method::Importance,
                    unavailability: est.mean,
                    availability: 1.0 - est.mean,
                    unavailability_ci95: est.ci95,
                    samples: est.samples,
                    ess: est.ess,
                    ..plain
                },
                // Plain sampling resolves it; or no biasing makes the component fail, or too
                // few samples carry the estimate: the plain estimate, with its honest interval,
                // stands.
                None => plain,
            }
        })
        .collect();
    SnapshotResult {
        samples: drawn,
        pilot_samples: pilot,
        importance_samples,
        event_samples: (pilot + drawn) * structure.events.len() as u64,
        components,
    }
}

/// Importance estimates of the components plain sampling leaves unresolved (`plain[c]` false),
/// and the importance samples drawn for them.
///
/// Runs are shared: each is tuned for the highest unresolved component (no other unresolved
/// component has it in its cone) and serves whichever components of its cone its pilot says it
/// suits. One run per component made a chain cost the square of its length, each run drawing
/// over everything below its component. A run's random stream is that of its root component, so
/// the result does not depend on the thread count.
fn rare_estimates(
    structure: &Structure,
    opts: &SnapshotOptions,
    plain: &[bool],
    threads: usize,
) -> (Vec<Option<Estimate>>, u64) {
    let n = structure.components.len();
    let bounds = Bounds {
        rel_error: opts.rel_error.unwrap_or(DEFAULT_IMPORTANCE_PRECISION),
        max_samples: opts.samples.saturating_mul(16).min(opts.max_samples.max(1)),
    };
    let down = |c: usize| structure.components[c].down;
    let mut waiting: Vec<usize> = (0..n).filter(|&c| !plain[c]).collect();
    // Gates are numbered inputs first, so the highest gate is in no other waiting one's cone.
    waiting.sort_by_key(|&c| std::cmp::Reverse((down(c), c)));
    let mut done = vec![false; n];
    let mut estimates = vec![None; n];
    let mut drawn = 0;
    for (i, &root) in waiting.iter().enumerate() {
        if done[root] {
            continue;
        }
        let in_cone = crate::structure::cone(&structure.gates, [down(root)], |_| false);
        let others: Vec<usize> = (waiting[i + 1..].iter().copied())
            .filter(|&c| !done[c] && in_cone[down(c)])
            .collect();
        let gates: Vec<GateId> = others.iter().map(|&c| down(c)).collect();
        let run = shared_importance(
            structure,
            down(root),
            &gates,
            opts.seed,
            IMPORTANCE_STAGE + root as u64,
            threads,
            bounds,
        );
        drawn += run.samples;
        for (&c, outcome) in std::iter::once(&root).chain(&others).zip(&run.outcomes) {
            match *outcome {
                Outcome::Estimate(est) => {
                    estimates[c] = Some(est);
                    done[c] = true;
                }
                Outcome::Refused => done[c] = true,
                Outcome::NotServed => {}
            }
        }
    }
    (estimates, drawn)
}

/// Fewer effective samples than this and an importance-sampling estimate is not trusted.
const MIN_EFFECTIVE_SAMPLES: f64 = 100.0;
/// Fewer effective samples than this in the pilot of an importance estimate and the tuning
/// is taken to have failed (where it works, the pilot has thousands).
const MIN_PILOT_EFFECTIVE_SAMPLES: f64 = 10.0;
/// Chunks of the pilot that sizes an importance estimate.
const PILOT_CHUNKS: usize = 2;
/// The fewest samples of an importance estimate, so its normal interval rests on thousands of
/// hits whatever the pilot predicts.
const MIN_IMPORTANCE_SAMPLES: u64 = 4 * IS_CHUNK;

/// An importance-sampling estimate of P(gate).
#[derive(Clone, Debug)]
pub struct ImportanceEstimate {
    /// The estimated probability.
    pub mean: f64,
    /// Its 95% interval.
    pub ci95: (f64, f64),
    /// Samples drawn.
    pub samples: u64,
    /// Kish's effective sample size of the weighted hits.
    pub ess: f64,
    /// The tuned probability of each event of the gate's support.
    pub biased: Vec<(EventId, f64)>,
}

/// How one density of a mixture is drawn: its draws, and for every density of the mixture the
/// log ratio ln(q / p) before any mark and its change at a mark of each draw.
type Plan = (Vec<Draw>, Vec<f64>, Vec<Vec<f64>>);

/// Weighted sums of one chunk.
#[derive(Clone, Debug, Default)]
struct Weighted {
    hits: u64,
    sum: f64,
    sum_sq: f64,
    /// Σ weight × [event happened] over hits, per support event (for the cross-entropy step).
    by_event: Vec<f64>,
    /// Σ weight and Σ weight² of the samples drawn from each density of the mixture.
    strata: Vec<(f64, f64)>,
}

impl Weighted {
    /// The mean weight over `n` samples, and the variance of that mean times `n`.
    ///
    /// Each density of the mixture draws exactly its share of the samples (stratified, not a
    /// random pick per sample), so the variance is the mean of the variances within each share:
    /// the spread of all weights together would also count the differences between the
    /// densities' means, which the stratification removes, and make the interval too wide
    /// (98% coverage where 95% is meant).
    fn mean_var(&self, n: f64) -> (f64, f64) {
        let mean = self.sum / n;
        let k = self.strata.len().max(1) as f64;
        let per = n / k;
        let var = self
            .strata
            .iter()
            .map(|&(sum, sum_sq)| {
                let m = sum / per;
                ((sum_sq / per - m * m) * per / (per - 1.0)).max(0.0)
            })
            .sum::<f64>()
            / k;
        (mean, var)
    }

    /// Kish's effective sample size of the hits, (Σw)² / Σw²; 0 without hits, and 0 when the
    /// squares underflow (weights below 1e-154): the spread of such weights, and so any
    /// interval, is lost to rounding.
    fn ess(&self) -> f64 {
        if self.sum_sq > 0.0 {
            self.sum * self.sum / self.sum_sq
        } else {
            0.0
        }
    }
}

/// P(`root`) by importance sampling: events of its support are drawn with tuned probabilities
/// and each sample in which `root` happens counts with its likelihood ratio. The tuning, a
/// pilot that sizes the estimate and the estimate itself draw from different chunks of the
/// stage, so the estimate is the mean of a fixed number of fresh, independent weights: unbiased.
/// None when no biasing makes `root` happen (it then is, for all practical purposes,
/// impossible), or when a few weights dominate the estimate (fewer than 100 effective samples).
pub fn importance(
    structure: &Structure,
    root: GateId,
    seed: u64,
    stage: u64,
    threads: usize,
    rel_error: f64,
    max_samples: u64,
) -> Option<ImportanceEstimate> {
    let bounds = Bounds {
        rel_error,
        max_samples,
    };
    let run = shared_importance(structure, root, &[], seed, stage, threads, bounds);
    match run.outcomes[0] {
        Outcome::Estimate(est) => Some(ImportanceEstimate {
            mean: est.mean,
            ci95: est.ci95,
            samples: est.samples,
            ess: est.ess,
            biased: run.biased,
        }),
        Outcome::Refused | Outcome::NotServed => None,
    }
}

/// The precision an importance estimate aims at and the most samples it may take.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    rel_error: f64,
    max_samples: u64,
}

/// An importance-sampling estimate of one gate.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    mean: f64,
    ci95: (f64, f64),
    samples: u64,
    ess: f64,
}

/// What a shared run says about one of its gates.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Estimate(Estimate),
    /// No trustworthy estimate: the plain one stands.
    Refused,
    /// The run's density does not suit the gate (decided on the pilot): it needs a run of its
    /// own.
    NotServed,
}

/// One importance-sampling run, tuned for its root and shared by other gates of its cone.
struct SharedRun {
    /// The root's outcome, then each other gate's.
    outcomes: Vec<Outcome>,
    /// Samples of the estimate (0 when there was none).
    samples: u64,
    /// The tuned probability of each event of the root's support.
    biased: Vec<(EventId, f64)>,
}

/// Another gate shares a run when the pilot says it needs at most this many times the samples
/// the root needs. On a chain, a run then serves the components whose cones hold at least about
/// a tenth of the root's (a component deeper down fails in too few of the root's samples), so
/// the cones of successive runs shrink geometrically and their sum stays within a small
/// multiple of the model: linear, where one run per component costs the square of the chain.
const SHARE_FACTOR: f64 = 4.0;

/// Importance sampling of `root`, tuned for it (see [`importance`]), whose samples also estimate
/// each gate of `others` (gates of the root's cone). A sample's weight is its likelihood ratio
/// over the root's whole support; for a gate that reads only some of those events, the ratio of
/// the others has mean one and is independent of the gate, so the gate's weighted mean is still
/// unbiased, only noisier. How much noisier, the pilot says: a gate joins the estimate only
/// when the pilot puts its samples needed within [`SHARE_FACTOR`] of the root's, and the
/// estimate then draws enough for every gate that joined. The pilot's samples are not the
/// estimate's, so who joins favours no outcome.
fn shared_importance(
    structure: &Structure,
    root: GateId,
    others: &[GateId],
    seed: u64,
    stage: u64,
    threads: usize,
    bounds: Bounds,
) -> SharedRun {
    let refused = |biased| SharedRun {
        outcomes: std::iter::once(Outcome::Refused)
            .chain(others.iter().map(|_| Outcome::NotServed))
            .collect(),
        samples: 0,
        biased,
    };
    // A member of an exclusive group reads the variables of the members before it.
    let odds = variable_odds(structure);
    let mut all_support = structure.support(root);
    let earlier: Vec<EventId> = (all_support.iter())
        .flat_map(|&e| structure.excluded_by(e).iter().copied())
        .collect();
    all_support.extend(earlier);
    all_support.sort_unstable();
    all_support.dedup();
    // Sorted, as `all_support` is: each event's place in it is found by bisection (a scan for
    // each event made a chain of n components cost n³).
    let support: Vec<EventId> = (all_support.iter().copied())
        .filter(|&e| odds[e].p > 0.0 && odds[e].p < 1.0)
        .collect();
    if support.is_empty() {
        return refused(Vec::new());
    }
    let gates = event_gates(structure);
    let order = cone(structure, [root]);
    let p: Vec<f64> = support.iter().map(|&e| odds[e].p).collect();
    let q: Vec<f64> = support.iter().map(|&e| odds[e].q).collect();
    let mut chunks = Chunks::new(seed, stage);
    let targets: Vec<GateId> = std::iter::once(root)
        .chain(others.iter().copied())
        .collect();

    // One pass over chunks drawn from a mixture of biased densities: each chunk is split in
    // equal parts, part k drawn with probabilities `densities[k]`. Every hit is weighed by
    // p(x) / Σ_j share_j q_j(x) (the balance heuristic of multiple importance sampling), so a
    // failure mode that one density neglects is still sampled by another with a sane weight.
    // The sums are kept per gate of `targets`; the first (the root) also gets, with
    // `with_events`, the weighted hits of each support event.
    let pass = |densities: &[&[f64]],
                streams: ChunkStreams,
                threads: usize,
                with_events: bool,
                targets: &[GateId]|
     -> Vec<Weighted> {
        let k = densities.len();
        let share = 1.0 / k as f64;
        // Per generating density: its draws, and for every density j the log ratio
        // ln(q_j / p) before marks and its change at each mark.
        let mut plans: Vec<Plan> = Vec::new();
        for gen_v in densities {
            let mut draws = Vec::new();
            let mut base = vec![0.0; k];
            let mut delta: Vec<Vec<f64>> = Vec::new();
            for &e in &all_support {
                match support.binary_search(&e).ok() {
                    Some(i) => {
                        let d = Draw::new(gates[e], gen_v[i], 1.0 - gen_v[i]);
                        let mut ds = vec![0.0; k];
                        for (j, v) in densities.iter().enumerate() {
                            let failed = (v[i] / p[i]).ln();
                            let up = ((1.0 - v[i]) / q[i]).ln();
                            if d.base == 0 {
                                base[j] += up;
                                ds[j] = failed - up;
                            } else {
                                base[j] += failed;
                                ds[j] = up - failed;
                            }
                        }
                        draws.push(d);
                        delta.push(ds);
                    }
                    None => {
                        draws.push(Draw::new(gates[e], odds[e].p, odds[e].q));
                        delta.push(vec![0.0; k]);
                    }
                }
            }
            plans.push((draws, base, delta));
        }
        let m = support.len();
        let fresh = |events: usize| -> Vec<Weighted> {
            (0..targets.len())
                .map(|t| Weighted {
                    by_event: vec![0.0; if t == 0 { events } else { 0 }],
                    strata: vec![(0.0, 0.0); k],
                    ..Weighted::default()
                })
                .collect()
        };
        let mut total = fresh(m);
        let blocks_per_part = (IS_CHUNK / BLOCK) as usize / k;
        run_chunks(
            streams,
            threads,
            || {
                (
                    plans
                        .iter()
                        .map(|(draws, _, _)| Sheet::new(structure, order.clone(), draws.clone()))
                        .collect::<Vec<_>>(),
                    vec![vec![0f64; BLOCK as usize]; k],
                    vec![0f64; BLOCK as usize],
                )
            },
            |(sheets, logq, ys), _, mut s| {
                let mut ws = fresh(if with_events { m } else { 0 });
                for (g, sheet) in sheets.iter_mut().enumerate() {
                    let (_, base, delta) = &plans[g];
                    sheet.start_chunk(&mut s);
                    for block in 0..blocks_per_part {
                        let start = block as u64 * BLOCK;
                        for (l, b) in logq.iter_mut().zip(base) {
                            l.fill(*b);
                        }
                        sheet.draw_block(start, &mut s, |i, bit| {
                            for (l, d) in logq.iter_mut().zip(&delta[i]) {
                                l[bit] += d;
                            }
                        });
                        sheet.evaluate();
                        // The weight of every sample in which some target happened.
                        let mut any = [0u64; WORDS];
                        for &t in targets {
                            for (a, &x) in any.iter_mut().zip(sheet.row(t)) {
                                *a |= x;
                            }
                        }
                        for (wi, &word) in any.iter().enumerate() {
                            let mut bits = word;
                            while bits != 0 {
                                let bit = wi * 64 + bits.trailing_zeros() as usize;
                                bits &= bits - 1;
                                // 1 / Σ share·exp(l_j), scaled by the largest l_j.
                                let top = logq.iter().map(|l| l[bit]).fold(f64::MIN, f64::max);
                                let sum: f64 =
                                    logq.iter().map(|l| share * (l[bit] - top).exp()).sum();
                                ys[bit] = (-top).exp() / sum;
                            }
                        }
                        for (w, &t) in ws.iter_mut().zip(targets) {
                            for (wi, &word) in sheet.row(t).iter().enumerate() {
                                let mut bits = word;
                                while bits != 0 {
                                    let y = ys[wi * 64 + bits.trailing_zeros() as usize];
                                    bits &= bits - 1;
                                    w.hits += 1;
                                    w.sum += y;
                                    w.sum_sq += y * y;
                                    w.strata[g].0 += y;
                                    w.strata[g].1 += y * y;
                                }
                            }
                        }
                        if with_events {
                            // Each event's row against the hits, a word at a time: asking every
                            // event at every hit made a chain of n components cost n² a sample.
                            // Each sum still takes its hits in sample order, so the bytes match.
                            let row = sheet.row(targets[0]);
                            for (j, &e) in support.iter().enumerate() {
                                let r = sheet.row(gates[e]);
                                for (wi, (&x, &hit)) in r.iter().zip(row).enumerate() {
                                    let mut bits = x & hit;
                                    while bits != 0 {
                                        let b = bits.trailing_zeros() as usize;
                                        bits &= bits - 1;
                                        ws[0].by_event[j] += ys[wi * 64 + b];
                                    }
                                }
                            }
                        }
                    }
                }
                ws
            },
            |_, ws: Vec<Weighted>| {
                for (total, w) in total.iter_mut().zip(ws) {
                    total.hits += w.hits;
                    total.sum += w.sum;
                    total.sum_sq += w.sum_sq;
                    for (a, b) in total.strata.iter_mut().zip(&w.strata) {
                        a.0 += b.0;
                        a.1 += b.1;
                    }
                    for (a, b) in total.by_event.iter_mut().zip(&w.by_event) {
                        *a += b;
                    }
                }
            },
        );
        total
    };
    let tune = |densities: &[&[f64]], streams: ChunkStreams| -> Weighted {
        let mut ws = pass(densities, streams, 1, true, &[root]);
        ws.swap_remove(0)
    };

    // A starting bias that makes the root happen in a fair share of samples.
    let m = support.len() as f64;
    let mut v: Vec<f64> = p.clone();
    let mut defensive: Vec<f64> = p.clone();
    let mut found = None;
    for j in 0.. {
        let b = (2f64.powi(j) / m).min(0.5);
        let trial: Vec<f64> = p.iter().map(|&pi| pi.max(b)).collect();
        let w = tune(&[&trial], chunks.take(1));
        if w.hits as f64 >= 0.01 * IS_CHUNK as f64 || (b >= 0.5 && w.hits > 0) {
            found = Some(w);
            defensive = trial.clone();
            v = trial;
            break;
        }
        if b >= 0.5 {
            break;
        }
    }
    let Some(mut w) = found else {
        return refused(Vec::new());
    };
    // Cross-entropy steps: v ← E[x | root] under the current bias, smoothed.
    for _ in 0..8 {
        if w.sum <= 0.0 {
            break;
        }
        let mut change: f64 = 0.0;
        for (i, vi) in v.iter_mut().enumerate() {
            let target = (w.by_event[i] / w.sum).clamp(p[i], 0.99);
            let next = 0.7 * target + 0.3 * *vi;
            change = change.max((next - *vi).abs());
            *vi = next;
        }
        w = tune(&[&v], chunks.take(1));
        if change < 0.01 {
            break;
        }
    }
    let biased: Vec<(EventId, f64)> = support.iter().copied().zip(v.iter().copied()).collect();
    // Half the samples from the tuned density, half from the untuned one (defensive
    // importance sampling, Hesterberg 1995): the tuned density concentrates on the likeliest
    // way to fail and alone could miss the others while reporting a narrow interval.
    let mixture = [v.as_slice(), defensive.as_slice()];
    // A pilot of the mixture, on chunks of its own, sizes the estimate: the samples for the
    // precision asked, and enough for 100 effective samples. Sizing the estimate from its own
    // samples (more rounds until the interval is narrow enough) would stop more often on a
    // high estimate than on a low one.
    let pilot = pass(
        &mixture,
        chunks.take(PILOT_CHUNKS),
        threads,
        false,
        &targets,
    );
    let pilot_n = (PILOT_CHUNKS as u64 * IS_CHUNK) as f64;
    let cap = bounds.max_samples.max(MIN_IMPORTANCE_SAMPLES);
    // The samples a gate's estimate needs, from the pilot; None where the pilot shows that no
    // number of samples within the cap would do.
    let needs = |pilot: &Weighted| -> Option<f64> {
        // Weights may underflow to zero, or overflow, where the tuning went far astray.
        if pilot.hits == 0 || pilot.sum <= 0.0 || !pilot.sum_sq.is_finite() {
            return None;
        }
        let (mean, var) = pilot.mean_var(pilot_n);
        let for_precision = (Z95 / bounds.rel_error).powi(2) * var / (mean * mean);
        let for_ess = MIN_EFFECTIVE_SAMPLES * pilot_n / pilot.ess();
        // A pilot whose weight a handful of samples carry shows the tuning failed: better the
        // plain estimate now than millions of samples for an estimate that would be refused.
        // The pilot's samples are not the estimate's, so refusing on them favours no outcome.
        if pilot.ess() < MIN_PILOT_EFFECTIVE_SAMPLES || for_ess > cap as f64 {
            return None;
        }
        Some(
            for_precision
                .max(for_ess)
                .max(MIN_IMPORTANCE_SAMPLES as f64),
        )
    };
    let Some(root_needs) = needs(&pilot[0]) else {
        return refused(biased);
    };
    // Which other gates join: those the root's density serves about as well as the root.
    let joins: Vec<bool> = pilot[1..]
        .iter()
        .map(|w| needs(w).is_some_and(|n| n <= SHARE_FACTOR * root_needs && n <= cap as f64))
        .collect();
    let wanted = (pilot[1..].iter().zip(&joins))
        .filter(|&(_, &j)| j)
        .filter_map(|(w, _)| needs(w))
        .fold(root_needs, f64::max);
    let samples = if wanted.is_nan() || wanted >= cap as f64 {
        cap
    } else {
        wanted.ceil() as u64
    }
    .div_ceil(IS_CHUNK)
        * IS_CHUNK;
    let served: Vec<GateId> = std::iter::once(root)
        .chain(
            (others.iter().zip(&joins))
                .filter(|&(_, &j)| j)
                .map(|(&g, _)| g),
        )
        .collect();
    let est = pass(
        &mixture,
        chunks.take((samples / IS_CHUNK) as usize),
        threads,
        false,
        &served,
    );
    // Kish's effective sample size (Σw)² / Σw². Over hundreds of biased events the weights
    // can span hundreds of orders of magnitude: a handful of hits then carry the whole
    // estimate and the sample variance says nothing (the imported nus9601 fault tree: 5.9e-166
    // ± 0 where plain sampling counts 1e-5). Such an estimate is refused. The pilot above makes
    // this rare wherever the tuning worked, so that the refusal does not favour one outcome.
    let outcome = |est: &Weighted| -> Outcome {
        let ess = est.ess();
        if est.hits == 0 || ess < MIN_EFFECTIVE_SAMPLES {
            return Outcome::Refused;
        }
        let (mean, var) = est.mean_var(samples as f64);
        let half = Z95 * (var / samples as f64).sqrt();
        Outcome::Estimate(Estimate {
            mean,
            ci95: ((mean - half).max(0.0), mean + half),
            samples,
            ess,
        })
    };
    let mut served_outcomes = est.iter().map(outcome);
    let root_outcome = served_outcomes.next().unwrap_or(Outcome::Refused);
    let outcomes = std::iter::once(root_outcome)
        .chain(joins.iter().map(|&j| {
            if j {
                served_outcomes.next().unwrap_or(Outcome::Refused)
            } else {
                Outcome::NotServed
            }
        }))
        .collect();
    SharedRun {
        outcomes,
        samples,
        biased,
    }
}
