//! `nines check`: is every SLO met? One verdict per component with an slo.

use serde::Serialize;

use super::finite;
use crate::exact::StateOdds;
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::system::System;

#[derive(Clone, Debug, Serialize)]
pub struct SloVerdict {
    pub name: String,
    pub availability: f64,
    pub unavailability: f64,
    pub degraded: f64,
    pub slo: f64,
    pub meets_slo: bool,
    /// Nines above the slo (negative when missed).
    pub margin_nines: Option<f64>,
    /// The line of the component in the model file.
    pub line: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub model: String,
    pub file: String,
    pub passed: bool,
    pub checked: usize,
    pub failed: usize,
    pub components: Vec<SloVerdict>,
}

impl CheckReport {
    pub fn new(system: &System, states: &[StateOdds]) -> CheckReport {
        let components: Vec<SloVerdict> = system
            .components
            .iter()
            .zip(states)
            .filter_map(|(c, s)| {
                let slo = c.slo?;
                Some(SloVerdict {
                    name: c.name.clone(),
                    availability: s.down.q,
                    unavailability: s.down.p,
                    degraded: s.degraded,
                    slo: slo.value(),
                    meets_slo: s.down.p <= slo.down.p,
                    margin_nines: finite(slo.down.p.log10() - s.down.p.log10()),
                    line: c.line,
                })
            })
            .collect();
        let failed = components.iter().filter(|c| !c.meets_slo).count();
        CheckReport {
            model: system.name.clone(),
            file: String::new(),
            passed: failed == 0,
            checked: components.len(),
            failed,
            components,
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialises") + "\n"
    }

    pub fn text(&self, color: bool) -> String {
        let paint = |ok: bool, s: &str| match (color, ok) {
            (false, _) => s.to_string(),
            (true, true) => format!("\x1b[32m{s}\x1b[0m"),
            (true, false) => format!("\x1b[1;31m{s}\x1b[0m"),
        };
        let mut out = String::new();
        for c in &self.components {
            let mark = if c.meets_slo {
                paint(true, "PASS")
            } else {
                paint(false, "FAIL")
            };
            let allowed = (1.0 - c.slo) * YEAR;
            out += &format!(
                "{mark}  {}: {} (slo {}), {} down a year of {} allowed\n",
                c.name,
                format_percent(c.availability, c.unavailability),
                format_percent(c.slo, 1.0 - c.slo),
                format_duration_human(c.unavailability * YEAR),
                format_duration_human(allowed),
            );
        }
        if self.checked == 0 {
            out += "no component has an slo: nothing to check\n";
        } else if self.passed {
            out += &format!("{}: all {} SLOs met\n", self.model, self.checked);
        } else {
            out += &paint(
                false,
                &format!(
                    "{}: {} of {} SLOs not met\n",
                    self.model, self.failed, self.checked
                ),
            );
        }
        out
    }
}
