//! The gates a check adds to the slos: the window gate (a timeline simulation's share of SLO
//! windows that breach the target, against `max_breach`) and the confidence gate (the share of
//! draws of the model's uncertain values in which each slo is met).

use serde::Serialize;

use super::{CheckReport, SloVerdict};
use crate::model::units::{format_duration_human, format_percent};
use crate::sim::timeline::{Start, TimelineOptions, TimelineOptionsError, TimelineResult};
use crate::system::{Component, System};
use crate::uncertainty::propagate::Propagation;

/// How the confidence gate drew the model's uncertain values: `nines eval --uncertainty` with
/// the same draws and seed gives the same probabilities.
#[derive(Clone, Debug, Serialize)]
pub struct ConfidenceGate {
    /// The least acceptable probability of meeting each slo.
    pub confidence: f64,
    /// Sets of values drawn.
    pub draws: usize,
    /// The seed of the draws.
    pub seed: u64,
    /// Values in the model that carry a doubt (none: every draw is the point value).
    pub parameters: usize,
}

/// The timeline simulation behind the window gate: `nines simulate` with the same runs, horizon
/// and seed gives the same breach probabilities.
#[derive(Clone, Debug, Serialize)]
pub struct WindowGate {
    /// Simulated runs.
    pub runs: u64,
    /// The simulated time of each run, in seconds.
    pub horizon_s: f64,
    /// The SLO window, in seconds.
    pub window_s: f64,
    /// Complete windows simulated: the trials behind every breach probability.
    pub windows: u64,
    /// The seed of the simulation.
    pub seed: u64,
    /// The state each run starts in.
    pub start: Start,
}

/// Where a breach probability's 95% interval lies against `max_breach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BreachVerdict {
    /// The whole interval is at or below `max_breach`.
    Meets,
    /// The interval straddles `max_breach`: too few windows to tell. It passes (the gate fails
    /// only on evidence), but more runs would decide.
    Undecided,
    /// The whole interval is above `max_breach`: the gate fails.
    Breaches,
}

impl BreachVerdict {
    /// Whether the gate passes: it fails only on evidence of a breach.
    pub fn passes(self) -> bool {
        self != BreachVerdict::Breaches
    }
}

/// The gate's rule: fail when the interval's lower end exceeds `max_breach`; undecided when
/// `max_breach` lies inside the interval (lower end ≤ max_breach < upper end).
pub fn breach_verdict(ci95: (f64, f64), max_breach: f64) -> BreachVerdict {
    let (lo, hi) = ci95;
    if lo > max_breach {
        BreachVerdict::Breaches
    } else if hi > max_breach {
        BreachVerdict::Undecided
    } else {
        BreachVerdict::Meets
    }
}

/// The window gate asked of a component: `--max-breach` if given, else its slo's own; none
/// without an slo.
pub fn max_breach_of(component: &Component, flag: Option<f64>) -> Option<f64> {
    component.slo?;
    flag.or(component.max_breach)
}

/// Whether checking `system` needs the timeline simulation at all.
pub fn needs_window_gate(system: &System, flag: Option<f64>) -> bool {
    system
        .components
        .iter()
        .any(|c| max_breach_of(c, flag).is_some())
}

/// `0.83`: a probability as the confidence gate prints it, two decimals (three when it would
/// otherwise round to 1.00 or 0.00 without being so).
pub fn probability(p: f64) -> String {
    let two = format!("{p:.2}");
    if (two == "1.00" && p < 1.0) || (two == "0.00" && p > 0.0) {
        format!("{p:.3}")
    } else {
        two
    }
}

/// `13.5%`, `0.42%`, `10%`: a share of windows, with a decimal to tell neighbours apart.
pub fn window_share(x: f64) -> String {
    if x >= 0.01 {
        let text = format!("{:.1}", x * 100.0);
        format!("{}%", text.trim_end_matches(".0"))
    } else {
        crate::report::text::format_share(x)
    }
}

impl CheckReport {
    /// Applies the confidence gate: every slo passes only if the share of draws of the model's
    /// uncertain values in which it is met is at least `confidence`.
    pub fn apply_confidence_gate(
        &mut self,
        system: &System,
        propagation: &Propagation,
        confidence: f64,
    ) {
        let mut newly_failed = 0;
        for v in &mut self.components {
            let Some(p) = system
                .component_id(&v.name)
                .and_then(|i| propagation.components[i].p_meets_slo)
            else {
                continue;
            };
            let meets = p >= confidence;
            v.p_meets_slo = Some(p);
            v.meets_confidence = Some(meets);
            if v.passed && !meets {
                v.passed = false;
                newly_failed += 1;
            }
        }
        self.failed += newly_failed;
        self.passed &= newly_failed == 0;
        self.confidence_gate = Some(ConfidenceGate {
            confidence,
            draws: propagation.draws,
            seed: propagation.seed,
            parameters: propagation.parameters,
        });
    }

    /// `checkout meets 99.95% with probability 0.83; required 0.90`
    pub(crate) fn confidence_text(&self, c: &SloVerdict) -> Option<String> {
        let (gate, p) = (self.confidence_gate.as_ref()?, c.p_meets_slo?);
        Some(format!(
            "{} meets {} with probability {}; required {}",
            c.name,
            format_percent(c.slo, 1.0 - c.slo),
            probability(p),
            probability(gate.confidence)
        ))
    }

    /// `confidence gate: 1000 draws of 4 uncertain values (seed 0)`
    pub(crate) fn confidence_gate_text(&self) -> Option<String> {
        let g = self.confidence_gate.as_ref()?;
        Some(format!(
            "confidence gate: {} draw{} of {} uncertain value{} (seed {})",
            g.draws,
            if g.draws == 1 { "" } else { "s" },
            g.parameters,
            if g.parameters == 1 { "" } else { "s" },
            g.seed
        ))
    }

    /// `1 of 2 confidence gates failed`; None without the gate.
    pub(crate) fn confidence_summary(&self) -> Option<String> {
        let g = self.confidence_gate.as_ref()?;
        let gated = self
            .components
            .iter()
            .filter(|c| c.meets_confidence.is_some());
        let n = gated.clone().count();
        let failed = gated.filter(|c| c.meets_confidence == Some(false)).count();
        Some(if failed > 0 {
            format!(
                "{failed} of {n} SLOs met with probability below {}",
                probability(g.confidence)
            )
        } else {
            format!(
                "{n} of {n} SLOs met with probability at least {}",
                probability(g.confidence)
            )
        })
    }

    /// Applies the window breach gate from a timeline simulation of the same system: every
    /// component with a max_breach (its own, or `flag` for every slo) gets its breach
    /// probability and verdict, and one whose interval lies above its max_breach fails.
    pub fn apply_window_gate(
        &mut self,
        system: &System,
        result: &TimelineResult,
        seed: u64,
        flag: Option<f64>,
    ) {
        let mut newly_failed = 0;
        for v in &mut self.components {
            let Some(i) = system.component_id(&v.name) else {
                continue;
            };
            let (Some(max), Some(p), Some(ci)) = (
                max_breach_of(&system.components[i], flag),
                result.components[i].p_window_breach,
                result.components[i].p_window_breach_ci95,
            ) else {
                continue;
            };
            let verdict = breach_verdict(ci, max);
            v.max_breach = Some(max);
            v.p_window_breach = Some(p);
            v.p_window_breach_ci95 = Some(ci);
            v.meets_breach = Some(verdict.passes());
            v.breach_verdict = Some(verdict);
            if v.passed && !verdict.passes() {
                v.passed = false;
                newly_failed += 1;
            }
        }
        self.failed += newly_failed;
        self.passed &= newly_failed == 0;
        self.window_gate = Some(WindowGate {
            runs: result.runs,
            horizon_s: result.horizon_s,
            window_s: result.window_s,
            windows: result.runs * result.windows_per_run as u64,
            seed,
            start: result.start,
        });
    }

    /// `13.5% of 30d windows breach 99.95% (95% CI 12.9%–14.1%), more than the 10% allowed`
    pub(crate) fn breach_text(&self, c: &SloVerdict) -> Option<String> {
        let (max, p, (lo, hi), verdict) = (
            c.max_breach?,
            c.p_window_breach?,
            c.p_window_breach_ci95?,
            c.breach_verdict?,
        );
        let window = self
            .window_gate
            .as_ref()
            .map_or(String::new(), |g| format_duration_human(g.window_s) + " ");
        let judged = match verdict {
            BreachVerdict::Meets => format!("within the {} allowed", window_share(max)),
            BreachVerdict::Undecided => format!(
                "undecided: the interval straddles the {} allowed, run more (--runs)",
                window_share(max)
            ),
            BreachVerdict::Breaches => format!("more than the {} allowed", window_share(max)),
        };
        Some(format!(
            "{} of {window}windows breach {} (95% CI {}–{}), {judged}",
            window_share(p),
            format_percent(c.slo, 1.0 - c.slo),
            window_share(lo),
            window_share(hi),
        ))
    }

    /// `window gate: 20000 simulated 30d windows (20000 runs of 30d, seed 0)`
    pub(crate) fn gate_text(&self) -> Option<String> {
        let g = self.window_gate.as_ref()?;
        Some(format!(
            "window gate: {} simulated {} windows ({} runs of {}, seed {}, {} start)",
            g.windows,
            format_duration_human(g.window_s),
            g.runs,
            format_duration_human(g.horizon_s),
            g.seed,
            g.start.as_str()
        ))
    }

    /// `1 of 2 window gates failed: more windows breach than allowed`; None without a gate.
    pub(crate) fn breach_summary(&self) -> Option<String> {
        self.window_gate.as_ref()?;
        let gated: Vec<BreachVerdict> = self
            .components
            .iter()
            .filter_map(|c| c.breach_verdict)
            .collect();
        let n = gated.len();
        let count = |v| gated.iter().filter(|&&g| g == v).count();
        let (breaches, undecided) = (
            count(BreachVerdict::Breaches),
            count(BreachVerdict::Undecided),
        );
        let mut s = if breaches > 0 {
            format!("{breaches} of {n} window gates failed: more windows breach than allowed")
        } else {
            format!("{n} of {n} window gates passed")
        };
        if undecided > 0 {
            s += &format!(" ({undecided} undecided: run more)");
        }
        Some(s)
    }
}

/// Options of the window gate's simulation that it cannot judge by.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum WindowGateError {
    /// The simulated time is shorter than one SLO window, so no whole window is seen.
    #[error(
        "--horizon {horizon} is shorter than the model's SLO window ({window}): no window to judge"
    )]
    Short {
        /// The simulated time, as written (`30d`).
        horizon: String,
        /// The model's SLO window, as written.
        window: String,
    },
    /// The simulation's own options are out of range.
    #[error("{0}")]
    Timeline(#[from] TimelineOptionsError),
}

impl WindowGateError {
    /// What to write instead.
    pub fn hint(&self) -> Option<String> {
        match self {
            WindowGateError::Short { window, .. } => Some(format!(
                "leave --horizon out: each run is then one window of {window}, from the steady state"
            )),
            WindowGateError::Timeline(_) => None,
        }
    }
}

/// The window gate's simulation of `system`: `runs` runs of `horizon_s` (one SLO window when
/// none is given) from the steady state, through [`TimelineOptions::new`] so that `check` has
/// the limits `simulate` and `report` have, and refused when a run holds no whole window.
pub fn window_gate_options(
    system: &System,
    runs: u64,
    horizon_s: Option<f64>,
    seed: u64,
    threads: usize,
) -> Result<TimelineOptions, WindowGateError> {
    let horizon_s = horizon_s.unwrap_or(system.window_s);
    // The limits every simulation has come first, in the words `simulate` uses.
    let options = TimelineOptions::new(system, runs, horizon_s, seed, threads, Start::Stationary)?;
    if horizon_s < system.window_s {
        return Err(WindowGateError::Short {
            horizon: format_duration_human(horizon_s),
            window: format_duration_human(system.window_s),
        });
    }
    Ok(options)
}
