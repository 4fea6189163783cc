//! The results of `nines eval`: every component's exact availability, as table, JSON or Markdown.

use serde::Serialize;

use super::table::{Cell, Paint, Screen, Table};
use super::text::{escape_markdown, format_nines, format_share};
use super::{Format, finite};
use crate::exact::StateOdds;
use crate::exact::approximations::{Approximation, approximations};
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::system::System;

/// One component's exact results, as `eval --format json` names them.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentResult {
    pub name: String,
    pub availability: f64,
    pub unavailability: f64,
    pub degraded: f64,
    pub up: f64,
    pub nines: Option<f64>,
    pub downtime_per_window_s: f64,
    pub downtime_per_year_s: f64,
    pub slo: Option<f64>,
    pub meets_slo: Option<bool>,
    /// P(HUNG): calls to it hang (a part of the unavailability).
    pub hung: f64,
}

impl ComponentResult {
    /// What every table of components shows of one: availability, nines, degraded, downtime
    /// per window and per year.
    pub fn cells(&self) -> [String; 5] {
        [
            format_percent(self.availability, self.unavailability),
            self.nines.map_or("∞".into(), format_nines),
            if self.degraded > 0.0 {
                format_share(self.degraded)
            } else {
                "—".into()
            },
            format_duration_human(self.downtime_per_window_s),
            format_duration_human(self.downtime_per_year_s),
        ]
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub model: String,
    pub window_s: f64,
    pub components: Vec<ComponentResult>,
    /// Where the numbers above are not exact (empty when they all are).
    pub approximations: Vec<Approximation>,
}

impl EvalReport {
    pub fn new(system: &System, states: &[StateOdds]) -> EvalReport {
        let components = system
            .components
            .iter()
            .zip(states)
            .map(|(c, s)| ComponentResult {
                name: c.name.clone(),
                availability: s.down.q,
                unavailability: s.down.p,
                degraded: s.degraded,
                up: s.up,
                nines: finite(s.nines()),
                downtime_per_window_s: s.down.p * system.window_s,
                downtime_per_year_s: s.down.p * YEAR,
                slo: c.slo.map(|a| a.value()),
                // Compared on unavailabilities, where the digits are.
                meets_slo: c.slo.map(|slo| slo.met_by(s.down.p)),
                hung: 0.0,
            })
            .collect();
        EvalReport {
            model: system.name.clone(),
            window_s: system.window_s,
            components,
            approximations: approximations(system),
        }
    }

    /// With each component's P(HUNG) (`exact::hung_probabilities`).
    pub fn with_hung(mut self, hung: &[f64]) -> EvalReport {
        for (c, &h) in self.components.iter_mut().zip(hung) {
            c.hung = h;
        }
        self
    }

    /// One line naming the components whose calls can hang, for the table; empty when none.
    fn hung_note(&self) -> String {
        super::text::hung_line(
            "hung (calls to it hang, counted as down)",
            self.components.iter().map(|c| (c.name.as_str(), c.hung)),
        )
    }

    /// One line naming what is approximate, for the table; empty when nothing is.
    fn approximation_note(&self) -> String {
        if self.approximations.is_empty() {
            return String::new();
        }
        let mut kinds: Vec<(&str, Vec<&str>)> = Vec::new();
        for a in &self.approximations {
            match kinds.iter_mut().find(|(k, _)| *k == a.kind) {
                Some((_, names)) if names.contains(&a.component.as_str()) => {}
                Some((_, names)) => names.push(&a.component),
                None => kinds.push((a.kind, vec![&a.component])),
            }
        }
        let parts: Vec<String> = kinds
            .iter()
            .map(|(k, names)| format!("{k} of {}", names.join(", ")))
            .collect();
        format!(
            "≈ approximate: {} (see `--format json`)\n",
            parts.join("; ")
        )
    }

    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen),
            Format::Markdown => self.markdown(),
        }
    }

    fn verdict(c: &ComponentResult) -> &'static str {
        match c.meets_slo {
            Some(true) => "✓ met",
            Some(false) => "✗ MISSED",
            None => "",
        }
    }

    fn table(&self, screen: Screen) -> String {
        let window = format_duration_human(self.window_s);
        // Narrow: nines repeat the availability, and the year repeats the window's downtime.
        let mut t = Table::new(screen)
            .text("component")
            .number("availability")
            .number("nines")
            .drops(3)
            .number("degraded")
            .moves(1)
            .number(&format!("down / {window}"))
            .number("down / year")
            .drops(2)
            .number("slo")
            .label("verdict");
        for c in &self.components {
            let paint = match c.meets_slo {
                Some(true) => Some(Paint::Green),
                Some(false) => Some(Paint::Red),
                None => None,
            };
            let mut row: Vec<Cell> = vec![Cell::from(&c.name)];
            row.extend(c.cells().map(Cell::from));
            row.push(Cell::from(
                c.slo.map_or(String::new(), |s| format_percent(s, 1.0 - s)),
            ));
            row.push(Cell::from(Self::verdict(c)).paint(paint));
            t.row(row);
        }
        screen.fit(&format!(
            "{} — exact availability, window {window}\n{t}\n{}{}",
            self.model,
            self.hung_note(),
            self.approximation_note()
        ))
    }

    fn markdown(&self) -> String {
        let window = format_duration_human(self.window_s);
        let mut out = format!(
            "## {} — exact availability\n\n",
            escape_markdown(&self.model)
        );
        out += &format!(
            "| component | availability | nines | degraded | down / {window} | down / year | slo | verdict |\n"
        );
        out += "|---|---:|---:|---:|---:|---:|---:|---|\n";
        for c in &self.components {
            out += &format!(
                "| {} | {} | {} | {} |\n",
                escape_markdown(&c.name),
                c.cells().join(" | "),
                c.slo.map_or(String::new(), |s| format_percent(s, 1.0 - s)),
                Self::verdict(c),
            );
        }
        if !self.approximations.is_empty() {
            out += "\nApproximations:\n\n";
            for a in &self.approximations {
                out += &format!(
                    "- {} ({}): {}\n",
                    escape_markdown(&a.component),
                    a.kind,
                    escape_markdown(&a.detail)
                );
            }
        }
        out
    }
}
