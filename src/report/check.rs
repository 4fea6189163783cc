//! `nines check`: is every SLO met, with the headroom asked for, and has no component lost more
//! nines than allowed since a baseline? The report holds the numbers and verdicts (its JSON is
//! the report itself); [`compare`] matches components with a baseline, [`gates`] adds the window
//! and confidence gates, and [`verdicts`] turns it all into [`super::diagnostic::Diagnostic`]s,
//! which the diagnostic emitters render as text, GitHub annotations, Markdown, JUnit and SARIF.

pub mod compare;
pub mod gates;
pub mod verdicts;

use serde::Serialize;

use super::baseline::Baseline;
use super::diagnostic::Places;
use super::finite;
use super::text::format_nines;
use crate::exact::StateOdds;
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::system::System;
pub use compare::{BaselineReport, Comparison};
pub use gates::{
    BreachVerdict, ConfidenceGate, WindowGate, WindowGateError, breach_verdict, max_breach_of,
    needs_window_gate, probability, window_gate_options, window_share,
};
pub use verdicts::{REGRESSION, REMOVED, RENAMED, SLO, sarif_rules};

/// Slack for comparing nines computed through logarithms: a margin of exactly 0.1 nines must
/// pass `--min-margin 0.1`.
pub(crate) const NINES_SLACK: f64 = 1e-9;

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
        let baseline = baseline.map(|b| compare::compare(system, states, b, options));
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

    /// As pretty-printed JSON, with a final newline.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialises") + "\n"
    }

    /// `99.988% (slo 99.95%), 1.03h down a year of 4.38h allowed`
    pub(crate) fn verdict_text(c: &SloVerdict) -> String {
        format!(
            "{} (slo {}), {} down a year of {} allowed",
            format_percent(c.availability, c.unavailability),
            format_percent(c.slo, 1.0 - c.slo),
            format_duration_human(c.unavailability * YEAR),
            format_duration_human((1.0 - c.slo) * YEAR),
        )
    }

    pub(crate) fn margin_text(&self, c: &SloVerdict) -> Option<String> {
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

    pub(crate) fn drop_text(c: &Comparison) -> String {
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

    pub(crate) fn summary(&self) -> String {
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
    pub(crate) fn was(c: &Comparison) -> String {
        c.renamed_from
            .as_ref()
            .map_or(String::new(), |old| format!(" (was {old})"))
    }

    /// `2 removed since base.yaml`, `1 renamed`: what the summary says of names gone.
    pub(crate) fn gone_summary(b: &BaselineReport) -> Vec<String> {
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
}
