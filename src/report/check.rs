//! `nines check`: is every SLO met, with the headroom asked for, and has no component lost more
//! nines than allowed since a baseline? As text, JSON, JUnit XML, GitHub workflow commands,
//! Markdown or SARIF. GitHub annotations and SARIF results are [`Diagnostic`]s.

use std::collections::HashMap;

use serde::Serialize;

use super::annotate::{markdown_cell, xml_escape};
use super::baseline::{Baseline, fingerprint};
use super::diagnostic::{Diagnostic, Level, Places};
use super::finite;
use super::sarif::SarifRule;
use super::text::format_nines;
use crate::exact::StateOdds;
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::sim::timeline::{Start, TimelineResult};
use crate::system::{Component, System};
use crate::uncertainty::propagate::Propagation;

/// Slack for comparing nines computed through logarithms: a margin of exactly 0.1 nines must
/// pass `--min-margin 0.1`.
const NINES_SLACK: f64 = 1e-9;

/// What `check` demands beyond meeting each slo.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CheckOptions {
    /// Nines of headroom each slo must have (`--min-margin`).
    pub min_margin: Option<f64>,
    /// The most nines a component may lose against the baseline (`--max-drop`).
    pub max_drop: Option<f64>,
    /// A component of the baseline that is gone (not renamed) fails the check
    /// (`--fail-on-removed`).
    pub fail_on_removed: bool,
}

/// One component with an slo and its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct SloVerdict {
    /// The component's name.
    pub name: String,
    /// Its exact availability, a probability.
    pub availability: f64,
    /// Its exact unavailability, a probability.
    pub unavailability: f64,
    /// P(DEGRADED).
    pub degraded: f64,
    /// Its slo, an availability.
    pub slo: f64,
    /// Whether the unavailability is within the slo's.
    pub meets_slo: bool,
    /// Nines above the slo (negative when missed); null when the component is never down.
    pub margin_nines: Option<f64>,
    /// Whether the margin is at least `--min-margin`; null without it.
    pub meets_margin: Option<bool>,
    /// The largest acceptable share of windows breaching the slo (`slo: { max_breach }` or
    /// `--max-breach`); this and the three below are null when no window gate was asked.
    pub max_breach: Option<f64>,
    /// Share of simulated windows whose downtime exceeded the slo's budget, with its 95% interval.
    pub p_window_breach: Option<f64>,
    /// The 95% interval of that share (Wilson, over windows).
    pub p_window_breach_ci95: Option<(f64, f64)>,
    /// False only when the interval lies wholly above `max_breach`.
    pub meets_breach: Option<bool>,
    /// `meets`, `undecided` (the interval straddles `max_breach`: passes, run more) or `breaches`.
    pub breach_verdict: Option<BreachVerdict>,
    /// The slo is met, with the margin asked for.
    pub passed: bool,
    /// The line of the component in the model file.
    pub line: usize,
    /// The column of its name there (0 when unknown).
    pub column: usize,
    /// Share of the drawn parameters in which the slo is met (`--confidence` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_meets_slo: Option<f64>,
    /// Whether `p_meets_slo` is at least the confidence asked (`--confidence` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_confidence: Option<bool>,
}

/// One component compared with the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The component's name in the model checked.
    pub name: String,
    /// Its name in the baseline, when it was renamed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The line of the component in the model file.
    pub line: usize,
    /// The column of its name there (0 when unknown).
    pub column: usize,
    /// Its unavailability now, a probability.
    pub unavailability: f64,
    /// Its unavailability in the baseline, a probability.
    pub baseline_unavailability: f64,
    /// Null for a component that is never down.
    pub nines: Option<f64>,
    /// Its nines in the baseline; null when it is never down there.
    pub baseline_nines: Option<f64>,
    /// baseline nines − nines: positive when the component got worse; null when one side is
    /// never down.
    pub drop_nines: Option<f64>,
    /// It lost more than `--max-drop` nines.
    pub regressed: bool,
}

/// The comparison with a baseline (`--baseline`).
#[derive(Clone, Debug, Serialize)]
pub struct BaselineReport {
    /// The baseline file, as named.
    pub file: String,
    /// The most nines a component may lose (`--max-drop`); null when any drop is allowed.
    pub max_drop: Option<f64>,
    /// Components compared.
    pub compared: usize,
    /// Components that lost more than `max_drop` nines.
    pub regressed: usize,
    /// In file order of the model checked.
    pub components: Vec<Comparison>,
    /// Components of the baseline the model no longer has, renamed ones aside: removed.
    pub missing: Vec<String>,
    /// Components compared under a new name: (old name, new name).
    pub renamed: Vec<(String, String)>,
    /// Removed components fail the check.
    pub fail_on_removed: bool,
    /// Components of the model the baseline does not have.
    pub added: Vec<String>,
}

/// The results of `nines check`: every slo's verdict, and the comparison with a baseline.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The model's name.
    pub model: String,
    /// The model file, as named.
    pub file: String,
    /// Every slo met with the margin asked for, and no regression: the exit code's verdict.
    pub passed: bool,
    /// Components with an slo.
    pub checked: usize,
    /// Components with an slo that did not pass.
    pub failed: usize,
    /// The least margin, in nines, an slo must be met by (`--min-margin`).
    pub min_margin: Option<f64>,
    /// Every component with an slo, in file order.
    pub components: Vec<SloVerdict>,
    /// The comparison with the baseline, when one was given.
    pub baseline: Option<BaselineReport>,
    /// How the window gate was simulated; null when no slo asked for it (nothing simulated).
    pub window_gate: Option<WindowGate>,
    /// The probability every slo must be met with, over the model's uncertain values
    /// (`--confidence` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_gate: Option<ConfidenceGate>,
}

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
        super::text::format_share(x)
    }
}

/// How many nines `now` lost against `before`, from unavailabilities: +∞ when a component that
/// was never down now is, −∞ for the reverse.
fn drop_nines(now: f64, before: f64) -> f64 {
    match (now > 0.0, before > 0.0) {
        (false, false) => 0.0,
        (true, false) => f64::INFINITY,
        (false, true) => f64::NEG_INFINITY,
        (true, true) => now.log10() - before.log10(),
    }
}

/// One comparison of a component now with its baseline self.
fn comparison(
    name: &str,
    renamed_from: Option<String>,
    line: usize,
    now: f64,
    before: f64,
    max_drop: Option<f64>,
) -> Comparison {
    let drop = drop_nines(now, before);
    Comparison {
        name: name.to_string(),
        renamed_from,
        line,
        column: 0,
        unavailability: now,
        baseline_unavailability: before,
        nines: finite(-now.log10()),
        baseline_nines: finite(-before.log10()),
        drop_nines: finite(drop),
        regressed: max_drop.is_some_and(|max| drop > max + NINES_SLACK),
    }
}

/// Compares every component with the baseline: by name, then, among those the names leave
/// unmatched, a component gone and a component new with the same fingerprint (one each) as a
/// rename. What is left of the baseline was removed.
fn compare(
    system: &System,
    states: &[StateOdds],
    b: &Baseline,
    options: CheckOptions,
) -> BaselineReport {
    let mut seen = vec![false; b.components.len()];
    // By name, the first entry of a name winning, as a lookup table: models are large.
    let mut index: HashMap<&str, usize> = Default::default();
    for (i, (n, _)) in b.components.iter().enumerate() {
        index.entry(n.as_str()).or_insert(i);
    }
    let mut compared = Vec::new();
    // Components new since the baseline, by index, with their position in `compared`.
    let mut new = Vec::new();
    for (ci, (c, s)) in system.components.iter().zip(states).enumerate() {
        let Some(&i) = index.get(c.name.as_str()) else {
            new.push(ci);
            continue;
        };
        seen[i] = true;
        compared.push(comparison(
            &c.name,
            None,
            c.line,
            s.down.p,
            b.components[i].1,
            options.max_drop,
        ));
    }
    // Renames: a fingerprint that exactly one gone and exactly one new component have.
    let mut gone_by_print: HashMap<&str, Vec<usize>> = Default::default();
    for (i, fp) in b.fingerprints.iter().enumerate() {
        if let (false, Some(fp)) = (seen[i], fp) {
            gone_by_print.entry(fp.as_str()).or_default().push(i);
        }
    }
    let new_prints: Vec<String> = new
        .iter()
        .map(|&ci| fingerprint(system, &system.components[ci]))
        .collect();
    let mut added = Vec::new();
    let mut renamed = Vec::new();
    for (k, &ci) in new.iter().enumerate() {
        let c = &system.components[ci];
        let fp = new_prints[k].as_str();
        let unique_new = new_prints.iter().filter(|p| p.as_str() == fp).count() == 1;
        match gone_by_print.get(fp).map(Vec::as_slice) {
            Some(&[i]) if unique_new => {
                seen[i] = true;
                let old = b.components[i].0.clone();
                renamed.push((old.clone(), c.name.clone()));
                compared.push(comparison(
                    &c.name,
                    Some(old),
                    c.line,
                    states[ci].down.p,
                    b.components[i].1,
                    options.max_drop,
                ));
            }
            _ => added.push(c.name.clone()),
        }
    }
    // In file order of the model checked, renamed components included.
    let order: HashMap<&str, usize> = system
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    compared.sort_by_key(|c| order.get(c.name.as_str()).copied());
    BaselineReport {
        file: b.file.clone(),
        max_drop: options.max_drop,
        compared: compared.len(),
        regressed: compared.iter().filter(|c| c.regressed).count(),
        components: compared,
        missing: b
            .components
            .iter()
            .zip(&seen)
            .filter(|(_, s)| !**s)
            .map(|((n, _), _)| n.clone())
            .collect(),
        renamed,
        fail_on_removed: options.fail_on_removed,
        added,
    }
}

impl CheckReport {
    /// The verdicts on `system`, its components' states solved as `states`, read from `file`.
    pub fn new(
        system: &System,
        states: &[StateOdds],
        file: &str,
        options: CheckOptions,
        baseline: Option<&Baseline>,
    ) -> CheckReport {
        let components: Vec<SloVerdict> = system
            .components
            .iter()
            .zip(states)
            .filter_map(|(c, s)| {
                let slo = c.slo?;
                let meets_slo = slo.met_by(s.down.p);
                let margin_nines = finite(slo.down.p.log10() - s.down.p.log10());
                // A component never down has infinite headroom.
                let meets_margin = options
                    .min_margin
                    .map(|min| margin_nines.is_none_or(|m| m + NINES_SLACK >= min));
                Some(SloVerdict {
                    name: c.name.clone(),
                    availability: s.down.q,
                    unavailability: s.down.p,
                    degraded: s.degraded,
                    slo: slo.value(),
                    meets_slo,
                    margin_nines,
                    meets_margin,
                    passed: meets_slo && meets_margin != Some(false),
                    line: c.line,
                    max_breach: None,
                    p_window_breach: None,
                    p_window_breach_ci95: None,
                    meets_breach: None,
                    breach_verdict: None,
                    column: 0,
                    p_meets_slo: None,
                    meets_confidence: None,
                })
            })
            .collect();
        let baseline = baseline.map(|b| compare(system, states, b, options));
        let failed = components.iter().filter(|c| !c.passed).count();
        let regressed = baseline.as_ref().map_or(0, |b| b.regressed);
        let removed_fail = baseline
            .as_ref()
            .is_some_and(|b| b.fail_on_removed && !b.missing.is_empty());
        CheckReport {
            model: system.name.clone(),
            file: file.to_string(),
            passed: failed == 0 && regressed == 0 && !removed_fail,
            checked: components.len(),
            failed,
            min_margin: options.min_margin,
            components,
            baseline,
            window_gate: None,
            confidence_gate: None,
        }
    }

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
    fn confidence_text(&self, c: &SloVerdict) -> Option<String> {
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
    fn confidence_gate_text(&self) -> Option<String> {
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
    fn confidence_summary(&self) -> Option<String> {
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
    fn breach_text(&self, c: &SloVerdict) -> Option<String> {
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
    fn gate_text(&self) -> Option<String> {
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

    /// As pretty-printed JSON, with a final newline.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialises") + "\n"
    }

    /// `99.988% (slo 99.95%), 1.03h down a year of 4.38h allowed`
    fn verdict_text(c: &SloVerdict) -> String {
        format!(
            "{} (slo {}), {} down a year of {} allowed",
            format_percent(c.availability, c.unavailability),
            format_percent(c.slo, 1.0 - c.slo),
            format_duration_human(c.unavailability * YEAR),
            format_duration_human((1.0 - c.slo) * YEAR),
        )
    }

    fn margin_text(&self, c: &SloVerdict) -> Option<String> {
        let min = self.min_margin?;
        let margin = c.margin_nines.map_or("∞".into(), format_nines);
        Some(if c.meets_margin == Some(false) && c.meets_slo {
            format!(
                "margin {margin} nines, less than the {} asked",
                format_nines(min)
            )
        } else {
            format!("margin {margin} nines")
        })
    }

    fn drop_text(c: &Comparison) -> String {
        let nines = |n: Option<f64>| n.map_or("∞".into(), format_nines);
        let change = match c.drop_nines {
            // Below the two decimals shown.
            Some(d) if d.abs() < 0.005 => "unchanged".into(),
            Some(d) if d >= 0.0 => format!("−{}", format_nines(d)),
            Some(d) => format!("+{}", format_nines(-d)),
            None if c.unavailability > 0.0 => "was never down".into(),
            None => "now never down".into(),
        };
        format!(
            "{} → {} nines ({change})",
            nines(c.baseline_nines),
            nines(c.nines)
        )
    }

    /// `1 of 2 window gates failed: more windows breach than allowed`; None without a gate.
    fn breach_summary(&self) -> Option<String> {
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

    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.checked == 0 {
            parts.push("no component has an slo".to_string());
        } else if self.failed == 0 {
            parts.push(match self.min_margin {
                Some(m) => format!(
                    "all {} SLOs met with {} nines to spare",
                    self.checked,
                    format_nines(m)
                ),
                None => format!("all {} SLOs met", self.checked),
            });
        } else {
            let missed = self.components.iter().filter(|c| !c.meets_slo).count();
            let thin = self
                .components
                .iter()
                .filter(|c| c.meets_slo && c.meets_margin == Some(false))
                .count();
            let min = format_nines(self.min_margin.unwrap_or(0.0));
            let s = match (missed, thin) {
                // Only window gates failed: they have their own clause.
                (0, 0) => format!("all {} SLOs met on average", self.checked),
                (0, t) => format!(
                    "all {} SLOs met, {t} with less than {min} nines to spare",
                    self.checked
                ),
                (m, 0) => format!("{m} of {} SLOs not met", self.checked),
                (m, t) => format!(
                    "{m} of {} SLOs not met, {t} more with less than {min} nines to spare",
                    self.checked
                ),
            };
            parts.push(s);
        }
        if let Some(s) = self.breach_summary() {
            parts.push(s);
        }
        if let Some(s) = self.confidence_summary() {
            parts.push(s);
        }
        if let Some(b) = &self.baseline {
            parts.push(match b.max_drop {
                Some(max) if b.regressed > 0 => format!(
                    "{} of {} components lost more than {} nines since {}",
                    b.regressed,
                    b.compared,
                    format_nines(max),
                    b.file
                ),
                Some(max) => format!(
                    "no component lost more than {} nines since {} ({} compared)",
                    format_nines(max),
                    b.file,
                    b.compared
                ),
                None => format!("{} components compared with {}", b.compared, b.file),
            });
        }
        if let Some(b) = &self.baseline {
            parts.extend(Self::gone_summary(b));
        }
        if self.checked == 0 && self.baseline.is_none() {
            "no component has an slo: nothing to check".into()
        } else {
            parts.join("; ")
        }
    }

    /// As text for a terminal, coloured when `color` is set.
    pub fn text(&self, color: bool) -> String {
        let paint = |ok: bool, s: &str| match (color, ok) {
            (false, _) => s.to_string(),
            (true, true) => format!("\x1b[32m{s}\x1b[0m"),
            (true, false) => format!("\x1b[1;31m{s}\x1b[0m"),
        };
        let mut out = String::new();
        for c in &self.components {
            let mark = paint(c.passed, if c.passed { "PASS" } else { "FAIL" });
            let mut line = format!("{mark}  {}: {}", c.name, Self::verdict_text(c));
            if let Some(m) = self.margin_text(c) {
                line += &format!(", {m}");
            }
            out += &line;
            out += "\n";
            if let Some(w) = self.breach_text(c) {
                out += &format!("      {}: {w}\n", c.name);
            }
            if let Some(w) = self.confidence_text(c) {
                out += &format!("      {w}\n");
            }
        }
        if let Some(g) = self.gate_text() {
            out += &format!("      {g}\n");
        }
        if let Some(g) = self.confidence_gate_text() {
            out += &format!("      {g}\n");
        }
        if let Some(b) = &self.baseline {
            for c in &b.components {
                let was = Self::was(c);
                if c.regressed {
                    out += &format!(
                        "{}  {}{was}: {}, more than the {} allowed\n",
                        paint(false, "DROP"),
                        c.name,
                        Self::drop_text(c),
                        format_nines(b.max_drop.unwrap_or(0.0))
                    );
                } else if c.renamed_from.is_some()
                    || (b.max_drop.is_none() && c.drop_nines.is_none_or(|d| d.abs() >= 0.005))
                {
                    // Without --max-drop the comparison is informational: list what moved, and
                    // always what was renamed.
                    out += &format!("      {}{was}: {}\n", c.name, Self::drop_text(c));
                }
            }
            // A removed component has no numbers to compare: say so rather than let it leave the
            // regression gate unnoticed.
            for name in &b.missing {
                let mark = if b.fail_on_removed {
                    paint(false, "GONE")
                } else {
                    "GONE".to_string()
                };
                out += &format!("{mark}  {name}: in {} but not in this model\n", b.file);
            }
        }
        let summary = format!("{}: {}\n", self.model, self.summary());
        out += &if self.passed {
            summary
        } else {
            paint(false, &summary)
        };
        out
    }

    /// GitHub Actions workflow commands: an error at the component's line of the model for
    /// every failure, a notice for every slo met, a warning for every component removed since
    /// the baseline (an error with --fail-on-removed).
    pub fn github(&self) -> String {
        let mut out: String = self
            .diagnostics(true)
            .iter()
            .map(Diagnostic::github)
            .collect();
        if let Some(g) = self.gate_text() {
            out += &format!("{}: {g}\n", self.model);
        }
        if let Some(g) = self.confidence_gate_text() {
            out += &format!("{}: {g}\n", self.model);
        }
        out += &format!("{}: {}\n", self.model, self.summary());
        out
    }

    /// A Markdown section for a pull-request comment or a step summary: the file, a table of the
    /// slos, and with a baseline the components that changed, were removed or were added.
    pub fn markdown(&self) -> String {
        let cell = |s: &str| markdown_cell(s);
        let mut out = format!(
            "### {} — {}\n\n{}\n\n",
            cell(&self.model),
            cell(&self.file),
            cell(&self.summary())
        );
        if !self.components.is_empty() {
            out += "| | component | availability | slo | downtime a year | allowed |\n|---|---|---|---|---|---|\n";
            for c in &self.components {
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    if c.passed { "✅" } else { "❌" },
                    cell(&c.name),
                    format_percent(c.availability, c.unavailability),
                    format_percent(c.slo, 1.0 - c.slo),
                    format_duration_human(c.unavailability * YEAR),
                    format_duration_human((1.0 - c.slo) * YEAR),
                );
            }
            out += "\n";
        }
        out += &self.markdown_window_gate();
        out += &self.markdown_confidence_gate();
        if let Some(b) = &self.baseline {
            let changed: Vec<&Comparison> = b
                .components
                .iter()
                .filter(|c| {
                    c.regressed
                        || c.renamed_from.is_some()
                        || c.drop_nines.is_none_or(|d| d.abs() >= 0.005)
                })
                .collect();
            if !changed.is_empty() {
                out += "| | component | nines |\n|---|---|---|\n";
                for c in changed {
                    out += &format!(
                        "| {} | {} | {} |\n",
                        if c.regressed { "❌" } else { "" },
                        cell(&format!("{}{}", c.name, Self::was(c))),
                        cell(&Self::drop_text(c))
                    );
                }
                out += "\n";
            }
            let renamed: Vec<String> = b
                .renamed
                .iter()
                .map(|(from, to)| format!("{from} → {to}"))
                .collect();
            let removed = if b.fail_on_removed {
                "❌ Removed since the baseline"
            } else {
                "Removed since the baseline"
            };
            for (what, names) in [
                (removed, &b.missing),
                ("Renamed", &renamed),
                ("Added", &b.added),
            ] {
                if !names.is_empty() {
                    let list: Vec<String> = names.iter().map(|n| cell(n)).collect();
                    out += &format!("{what}: {}\n\n", list.join(", "));
                }
            }
        }
        out
    }

    /// The confidence gate as its own table, under the slos.
    fn markdown_confidence_gate(&self) -> String {
        let Some(gate) = self.confidence_gate_text() else {
            return String::new();
        };
        let mut out =
            "| | component | slo | P(meets slo) | required |\n|---|---|---|---|---|\n".to_string();
        for c in &self.components {
            let (Some(p), Some(meets)) = (c.p_meets_slo, c.meets_confidence) else {
                continue;
            };
            out += &format!(
                "| {} | {} | {} | {} | {} |\n",
                if meets { "✅" } else { "❌" },
                markdown_cell(&c.name),
                format_percent(c.slo, 1.0 - c.slo),
                probability(p),
                probability(self.confidence_gate.as_ref().map_or(0.0, |g| g.confidence)),
            );
        }
        out + &format!("\n{}\n\n", markdown_cell(&gate))
    }

    /// The window gate as its own table, under the slos: one row per component it judged.
    fn markdown_window_gate(&self) -> String {
        let Some(gate) = self.gate_text() else {
            return String::new();
        };
        let mut out = "| | component | windows breaching the slo | 95% CI | allowed | |\n|---|---|---|---|---|---|\n".to_string();
        for c in &self.components {
            let (Some(max), Some(p), Some((lo, hi)), Some(v)) = (
                c.max_breach,
                c.p_window_breach,
                c.p_window_breach_ci95,
                c.breach_verdict,
            ) else {
                continue;
            };
            out += &format!(
                "| {} | {} | {} | {} – {} | {} | {} |\n",
                if v.passes() { "✅" } else { "❌" },
                markdown_cell(&c.name),
                window_share(p),
                window_share(lo),
                window_share(hi),
                window_share(max),
                match v {
                    BreachVerdict::Meets => "",
                    BreachVerdict::Undecided => "undecided: run more",
                    BreachVerdict::Breaches => "breaches too often",
                }
            );
        }
        out + &format!("\n{}\n\n", markdown_cell(&gate))
    }

    /// JUnit XML: a test suite of one test case per slo, and with a baseline a second suite
    /// of one test case per component compared. A case that did not pass has a `failure`.
    pub fn junit(&self) -> String {
        junit_document(std::slice::from_ref(self), &[])
    }

    /// This report's test suites, with their count of tests and of failures.
    fn junit_suites(&self) -> (String, usize, usize) {
        let file = xml_escape(&self.file);
        let model = xml_escape(&self.model);
        let mut suites = String::new();
        let mut total = (0, 0);

        let mut cases = String::new();
        for c in &self.components {
            let text = xml_escape(&format!("{} is {}", c.name, Self::verdict_text(c)));
            let margin = self.margin_text(c);
            cases += &format!(
                "    <testcase name=\"{}\" classname=\"{model}.slo\" file=\"{file}\" line=\"{}\" time=\"0\"",
                xml_escape(&c.name),
                c.line
            );
            let windows = self.breach_text(c);
            let text = match &windows {
                Some(w) => format!("{text}; {}", xml_escape(w)),
                None => text,
            };
            let confidence = self.confidence_text(c);
            let text = match &confidence {
                Some(w) => format!("{text}; {}", xml_escape(w)),
                None => text,
            };
            if c.passed {
                cases += &format!(
                    ">\n      <system-out>{text}{}</system-out>\n    </testcase>\n",
                    margin.map_or(String::new(), |m| xml_escape(&format!(", {m}")))
                );
            } else {
                let (kind, message) = if c.meets_slo
                    && c.meets_breach == Some(false)
                    && c.meets_margin != Some(false)
                {
                    (
                        "breach",
                        format!("{}: {}", c.name, windows.unwrap_or_default()),
                    )
                } else if c.meets_slo
                    && c.meets_confidence == Some(false)
                    && c.meets_margin != Some(false)
                {
                    ("confidence", confidence.unwrap_or_default())
                } else if c.meets_slo {
                    (
                        "margin",
                        format!(
                            "{}: {}",
                            c.name,
                            margin.unwrap_or_else(|| "margin too thin".into())
                        ),
                    )
                } else {
                    (
                        "slo",
                        format!(
                            "{} misses its slo {}",
                            c.name,
                            format_percent(c.slo, 1.0 - c.slo)
                        ),
                    )
                };
                cases += &format!(
                    ">\n      <failure type=\"{kind}\" message=\"{}\">{text}</failure>\n    </testcase>\n",
                    xml_escape(&message)
                );
            }
        }
        suites += &format!(
            "  <testsuite name=\"{model}: SLOs\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0\" file=\"{file}\">\n{cases}  </testsuite>\n",
            self.checked, self.failed
        );
        total.0 += self.checked;
        total.1 += self.failed;

        if let Some(b) = &self.baseline {
            let mut cases = String::new();
            for c in &b.components {
                cases += &format!(
                    "    <testcase name=\"{}\" classname=\"{model}.regression\" file=\"{file}\" line=\"{}\" time=\"0\"",
                    xml_escape(&c.name),
                    c.line
                );
                let text = xml_escape(&format!(
                    "{}{}: {}",
                    c.name,
                    Self::was(c),
                    Self::drop_text(c)
                ));
                if c.regressed {
                    cases += &format!(
                        ">\n      <failure type=\"regression\" message=\"{}\">{text}</failure>\n    </testcase>\n",
                        xml_escape(&format!(
                            "{} lost more than {} nines since {}",
                            c.name,
                            format_nines(b.max_drop.unwrap_or(0.0)),
                            b.file
                        ))
                    );
                } else {
                    cases +=
                        &format!(">\n      <system-out>{text}</system-out>\n    </testcase>\n");
                }
            }
            // A removed component is a case too: failed with --fail-on-removed, else skipped.
            for name in &b.missing {
                let message = xml_escape(&format!("{name} is in {} but not in this model", b.file));
                let outcome = if b.fail_on_removed {
                    format!("<failure type=\"removed\" message=\"{message}\">{message}</failure>")
                } else {
                    format!("<skipped message=\"{message}\"/>")
                };
                cases += &format!(
                    "    <testcase name=\"{}\" classname=\"{model}.regression\" file=\"{file}\" time=\"0\">\n      {outcome}\n    </testcase>\n",
                    xml_escape(name)
                );
            }
            let removed = b.missing.len();
            let (removed_failed, skipped) = if b.fail_on_removed {
                (removed, 0)
            } else {
                (0, removed)
            };
            suites += &format!(
                "  <testsuite name=\"{model}: regressions since {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\" file=\"{file}\">\n{cases}  </testsuite>\n",
                xml_escape(&b.file),
                b.compared + removed,
                b.regressed + removed_failed
            );
            total.0 += b.compared + removed;
            total.1 += b.regressed + removed_failed;
        }
        (suites, total.0, total.1)
    }
}

/// The codes of `check`'s diagnostics, which SARIF lists as its rules.
pub const SLO: &str = "slo";
/// The code of a component that lost more nines than allowed.
pub const REGRESSION: &str = "regression";
/// The code of a baseline component the model no longer has.
pub const REMOVED: &str = "removed";
/// The code of a component compared under a new name.
pub const RENAMED: &str = "renamed";

/// `check`'s rules, for SARIF's `tool.driver.rules`.
pub fn sarif_rules() -> Vec<SarifRule> {
    vec![
        SarifRule::new(
            SLO,
            "slo-not-met",
            "a component misses its slo, meets it with less margin than --min-margin asks, or with less probability than --confidence asks",
            Level::Error,
        ),
        SarifRule::new(
            REGRESSION,
            "availability-regression",
            "a component lost more nines than --max-drop allows since the baseline",
            Level::Error,
        ),
        SarifRule::new(
            REMOVED,
            "removed-since-baseline",
            "a component of the baseline is not in the model, under its name or renamed (an error with --fail-on-removed)",
            Level::Warning,
        ),
        SarifRule::new(
            RENAMED,
            "renamed-since-baseline",
            "a component of the baseline is in the model under a new name: same dependencies and numbers",
            Level::Note,
        ),
    ]
}

/// JUnit XML for several models: each model's test suites, and a suite with an error for each
/// model that did not load, in one `<testsuites>`.
pub fn junit_document(reports: &[CheckReport], invalid: &[Diagnostic]) -> String {
    let (mut suites, mut tests, mut failures) = (String::new(), 0, 0);
    for r in reports {
        let (s, t, f) = r.junit_suites();
        suites += &s;
        tests += t;
        failures += f;
    }
    for d in invalid {
        let file = xml_escape(&d.file);
        let message = xml_escape(&d.message);
        let detail = xml_escape(&match &d.hint {
            Some(h) => format!("{}: {}\nhint: {h}", d.location(), d.message),
            None => format!("{}: {}", d.location(), d.message),
        });
        suites += &format!(
            "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" file=\"{file}\">\n    <testcase name=\"load\" classname=\"{file}\" file=\"{file}\" line=\"{}\" time=\"0\">\n      <error type=\"{}\" message=\"{message}\">{detail}</error>\n    </testcase>\n  </testsuite>\n",
            d.line,
            xml_escape(&d.code)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nines check\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" time=\"0\">\n{suites}</testsuites>\n",
        tests + invalid.len(),
        invalid.len()
    )
}

/// Places, renames and diagnostics: what every format but text and JSON is rendered from.
impl CheckReport {
    /// Fills in the columns of the components' names from the model's source.
    pub fn place(&mut self, places: &Places) {
        for c in &mut self.components {
            c.column = places.column(c.line, &c.name);
        }
        if let Some(b) = &mut self.baseline {
            for c in &mut b.components {
                c.column = places.column(c.line, &c.name);
            }
        }
    }

    /// ` (was old-name)` for a renamed component, else nothing.
    fn was(c: &Comparison) -> String {
        c.renamed_from
            .as_ref()
            .map_or(String::new(), |old| format!(" (was {old})"))
    }

    /// `2 removed since base.yaml`, `1 renamed`: what the summary says of names gone.
    fn gone_summary(b: &BaselineReport) -> Vec<String> {
        let mut parts = Vec::new();
        if !b.missing.is_empty() {
            parts.push(format!(
                "{} removed since {}{}",
                b.missing.len(),
                b.file,
                if b.fail_on_removed {
                    " (--fail-on-removed)"
                } else {
                    ""
                }
            ));
        }
        if !b.renamed.is_empty() {
            let list: Vec<String> = b
                .renamed
                .iter()
                .map(|(from, to)| format!("{from} → {to}"))
                .collect();
            parts.push(format!("renamed: {}", list.join(", ")));
        }
        parts
    }

    /// A diagnostic per slo that did not pass (with `passes`, a note per slo met too), per
    /// regression, per component removed or renamed since the baseline.
    pub fn diagnostics(&self, passes: bool) -> Vec<Diagnostic> {
        let at = |code: &str,
                  level: Level,
                  name: &str,
                  title: String,
                  message: String,
                  (line, column): (usize, usize),
                  component: &str| Diagnostic {
            code: code.into(),
            level,
            name: name.into(),
            title,
            message,
            file: self.file.clone(),
            line,
            column,
            component: Some(component.to_string()),
            hint: None,
        };
        let mut out = Vec::new();
        for c in &self.components {
            if c.passed && !passes {
                continue;
            }
            let margin = self
                .margin_text(c)
                .map_or(String::new(), |m| format!(", {m}"));
            let (level, name, title) = if !c.meets_slo {
                (
                    Level::Error,
                    "slo-missed",
                    format!("SLO missed: {}", c.name),
                )
            } else if c.meets_breach == Some(false) && c.meets_margin != Some(false) {
                (
                    Level::Error,
                    "slo-window-breach",
                    format!("SLO windows breach too often: {}", c.name),
                )
            } else if c.meets_confidence == Some(false) && c.meets_margin != Some(false) {
                (
                    Level::Error,
                    "slo-confidence",
                    format!("SLO not met with the confidence asked: {}", c.name),
                )
            } else if !c.passed {
                (
                    Level::Error,
                    "slo-margin",
                    format!("SLO margin too thin: {}", c.name),
                )
            } else {
                (Level::Note, "slo-met", format!("SLO met: {}", c.name))
            };
            let windows = self
                .breach_text(c)
                .map_or(String::new(), |w| format!("; {w}"));
            let confidence = self
                .confidence_text(c)
                .map_or(String::new(), |w| format!("; {w}"));
            out.push(at(
                SLO,
                level,
                name,
                title,
                format!(
                    "{} is {}{margin}{windows}{confidence}",
                    c.name,
                    Self::verdict_text(c)
                ),
                (c.line, c.column),
                &c.name,
            ));
        }
        let Some(b) = &self.baseline else {
            return out;
        };
        for c in &b.components {
            let was = Self::was(c);
            if c.regressed {
                out.push(at(
                    REGRESSION,
                    Level::Error,
                    "availability-regression",
                    format!("Availability regression: {}", c.name),
                    format!(
                        "{}{was} went from {} since {}, more than the {} allowed",
                        c.name,
                        Self::drop_text(c),
                        b.file,
                        format_nines(b.max_drop.unwrap_or(0.0))
                    ),
                    (c.line, c.column),
                    &c.name,
                ));
            }
            if let Some(old) = &c.renamed_from {
                out.push(at(
                    RENAMED,
                    Level::Note,
                    "renamed-since-baseline",
                    format!("Renamed since the baseline: {old} → {}", c.name),
                    format!(
                        "{} is {old} of {}, renamed (same dependencies and numbers): {}",
                        c.name,
                        b.file,
                        Self::drop_text(c)
                    ),
                    (c.line, c.column),
                    &c.name,
                ));
            }
        }
        for name in &b.missing {
            let mut d = at(
                REMOVED,
                if b.fail_on_removed {
                    Level::Error
                } else {
                    Level::Warning
                },
                "removed-since-baseline",
                format!("Removed since the baseline: {name}"),
                format!("{name} is in {} but not in this model", b.file),
                (0, 0),
                name,
            );
            d.hint = Some(
                "a component renamed and changed at once is not recognised as renamed: rename in one change, change in the next".into(),
            );
            out.push(d);
        }
        out
    }
}
