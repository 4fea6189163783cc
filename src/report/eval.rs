//! The results of `nines eval`: every component's exact availability, as table, JSON or Markdown.

use comfy_table::{Cell, CellAlignment, Color, Table, presets};
use serde::Serialize;

use super::text::{escape_markdown, format_nines, format_share};
use super::{Format, finite};
use crate::exact::StateOdds;
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::system::System;

/// One component's exact results, as SPEC §4.1 names them.
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
                meets_slo: c
                    .slo
                    .map(|slo| crate::explain::budget::meets(s.down.p, slo)),
            })
            .collect();
        EvalReport {
            model: system.name.clone(),
            window_s: system.window_s,
            components,
        }
    }

    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(color),
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

    fn table(&self, color: bool) -> String {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        if !color {
            t.force_no_tty();
        } else {
            t.enforce_styling();
        }
        let window = format_duration_human(self.window_s);
        t.set_header(vec![
            "component",
            "availability",
            "nines",
            "degraded",
            &format!("down / {window}"),
            "down / year",
            "slo",
            "verdict",
        ]);
        for c in &self.components {
            let verdict = Cell::new(Self::verdict(c));
            let verdict = match (color, c.meets_slo) {
                (true, Some(true)) => verdict.fg(Color::Green),
                (true, Some(false)) => verdict.fg(Color::Red),
                _ => verdict,
            };
            let numbers = c
                .cells()
                .into_iter()
                .chain([c.slo.map_or(String::new(), |s| format_percent(s, 1.0 - s))]);
            let mut row = vec![Cell::new(&c.name)];
            row.extend(numbers.map(|x| Cell::new(x).set_alignment(CellAlignment::Right)));
            row.push(verdict);
            t.add_row(row);
        }
        format!(
            "{} — exact availability, window {window}\n{t}\n",
            self.model
        )
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
        out
    }
}
