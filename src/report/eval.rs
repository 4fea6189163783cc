//! The results of `nines eval`: every component's exact availability, as table, JSON or Markdown.

use serde::Serialize;

use super::table::{Cell, Paint, Screen, Table};
use super::text::{escape_markdown, format_nines, format_share};
use super::{Format, finite};
use crate::exact::StateOdds;
use crate::exact::approximations::{Approximation, approximations};
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::system::System;
use crate::uncertainty::propagate::{ComponentSpread, Propagation};

/// One component's exact results, as `eval --format json` names them.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentResult {
    /// The component's name.
    pub name: String,
    /// Its availability, P(not DOWN).
    pub availability: f64,
    /// Its unavailability, P(DOWN).
    pub unavailability: f64,
    /// P(DEGRADED).
    pub degraded: f64,
    /// P(UP).
    pub up: f64,
    /// Its nines, −log10(unavailability); null when it never goes down.
    pub nines: Option<f64>,
    /// Expected downtime per SLO window, in seconds.
    pub downtime_per_window_s: f64,
    /// Expected downtime a year, in seconds.
    pub downtime_per_year_s: f64,
    /// Its slo, an availability; null without one.
    pub slo: Option<f64>,
    /// Whether it meets its slo; null without one.
    pub meets_slo: Option<bool>,
    /// The system the component belongs to, when the model groups it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The spread of the availability over drawn parameters (`eval --uncertainty` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Interval>,
    /// Mean time to repair one replica.
    pub mttr_s: f64,
    /// Where that repair time goes, for a component with a `recovery`.
    pub recovery: Option<crate::recovery::RepairSplit>,
    /// P(HUNG): calls to it hang (a part of the unavailability).
    pub hung: f64,
}

/// Percentiles of a component's availability over the draws, and the share of draws that meet
/// its slo.
#[derive(Clone, Debug, Serialize)]
pub struct Interval {
    /// The 5th percentile of the availability.
    pub p5: f64,
    /// The median availability.
    pub p50: f64,
    /// The 95th percentile of the availability.
    pub p95: f64,
    /// The share of draws that meet the slo; null without one.
    pub p_meets_slo: Option<f64>,
    /// The unavailabilities of p5, p50 and p95, for printing them with their digits.
    #[serde(skip)]
    pub down: [f64; 3],
}

impl Interval {
    /// The percentiles of a component's spread, as printed.
    pub fn new(c: &ComponentSpread) -> Interval {
        Interval {
            p5: c.p5.q,
            p50: c.p50.q,
            p95: c.p95.q,
            p_meets_slo: c.p_meets_slo,
            down: [c.p5.p, c.p50.p, c.p95.p],
        }
    }

    /// `99.9% – 99.99%`: the 5th to the 95th percentile.
    pub fn range(&self) -> String {
        format!(
            "{} – {}",
            format_percent(self.p5, self.down[0]),
            format_percent(self.p95, self.down[2])
        )
    }

    /// The cells of the uncertainty table: p5, p50, p95 and P(meets slo).
    fn cells(&self) -> [String; 4] {
        [
            format_percent(self.p5, self.down[0]),
            format_percent(self.p50, self.down[1]),
            format_percent(self.p95, self.down[2]),
            self.p_meets_slo.map_or("—".into(), |p| format!("{p:.2}")),
        ]
    }
}

/// How the spread was drawn.
#[derive(Clone, Debug, Serialize)]
pub struct UncertaintyRun {
    /// Sets of values drawn.
    pub draws: usize,
    /// The seed of the draws.
    pub seed: u64,
    /// Values in the model that carry a doubt.
    pub parameters: usize,
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

/// The results of `nines eval`: every component's exact availability.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// The model's name.
    pub model: String,
    /// The SLO window, in seconds.
    pub window_s: f64,
    /// Every component, in the model's order.
    pub components: Vec<ComponentResult>,
    /// Where the numbers above are not exact (empty when they all are).
    pub approximations: Vec<Approximation>,
    /// How the spread of every availability was drawn (`eval --uncertainty` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyRun>,
}

impl EvalReport {
    /// The report of `system`, its components' states solved as `states`.
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
                group: c.group.clone(),
                uncertainty: None,
                mttr_s: c.repair.mean_s,
                recovery: c.recovery.as_ref().map(|r| r.mean),
                hung: 0.0,
            })
            .collect();
        EvalReport {
            model: system.name.clone(),
            window_s: system.window_s,
            components,
            approximations: approximations(system),
            uncertainty: None,
        }
    }

    /// The components by group, groups in the order they first appear and the components in no
    /// group last; empty when the model groups nothing, so its tables stay as they were.
    pub fn groups(&self) -> Vec<Group<'_>> {
        if self.components.iter().all(|c| c.group.is_none()) {
            return Vec::new();
        }
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut ungrouped = Vec::new();
        for c in &self.components {
            let Some(name) = c.group.as_deref() else {
                ungrouped.push(c);
                continue;
            };
            match groups.iter_mut().find(|g| g.name == Some(name)) {
                Some(g) => g.members.push(c),
                None => groups.push(Group {
                    name: Some(name),
                    members: vec![c],
                }),
            }
        }
        if !ungrouped.is_empty() {
            groups.push(Group {
                name: None,
                members: ungrouped,
            });
        }
        groups
    }

    /// The report with every component's spread over the draws beside its point value.
    pub fn with_uncertainty(mut self, propagation: &Propagation) -> EvalReport {
        for (c, spread) in self.components.iter_mut().zip(&propagation.components) {
            c.uncertainty = Some(Interval::new(spread));
        }
        self.uncertainty = Some(UncertaintyRun {
            draws: propagation.draws,
            seed: propagation.seed,
            parameters: propagation.parameters,
        });
        self
    }

    /// Title of the uncertainty table and section.
    fn uncertainty_title(run: &UncertaintyRun) -> String {
        format!(
            "availability over {} draws of {} uncertain value{} (seed {}): 5th, 50th and 95th percentiles",
            run.draws,
            run.parameters,
            if run.parameters == 1 { "" } else { "s" },
            run.seed
        )
    }

    fn uncertainty_table(&self, screen: Screen) -> String {
        let Some(run) = &self.uncertainty else {
            return String::new();
        };
        let mut t = Table::new(screen)
            .text("component")
            .number("p5")
            .number("p50")
            .number("p95")
            .number("P(meets slo)");
        for c in &self.components {
            let Some(i) = &c.uncertainty else { continue };
            let mut row = vec![Cell::from(&c.name)];
            row.extend(i.cells().map(Cell::from));
            t.row(row);
        }
        format!("\n{}\n{t}\n", Self::uncertainty_title(run))
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

    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen),
            Format::Markdown => self.markdown(),
        }
    }

    /// The components with a recovery, for the table of where repair time goes.
    pub fn repair_rows(&self) -> Vec<super::recovery::RepairRow<'_>> {
        (self.components.iter())
            .filter_map(|c| {
                Some(super::recovery::RepairRow {
                    name: &c.name,
                    split: c.recovery?,
                })
            })
            .collect()
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
        let groups = self.groups();
        let tables = if groups.is_empty() {
            format!("{}\n", self.components_table(&self.components, screen))
        } else {
            // A section per group: its line, then its components.
            (groups.iter())
                .map(|g| {
                    format!(
                        "\n▸ {}: {}\n{}\n",
                        g.title(),
                        g.summary(str::to_string),
                        self.components_table(g.members.iter().copied(), screen)
                    )
                })
                .collect()
        };
        screen.fit(&format!(
            "{} — exact availability, window {window}\n{tables}{}{}{}{}",
            self.model,
            super::recovery::table(&self.repair_rows(), screen),
            self.hung_note(),
            self.approximation_note(),
            self.uncertainty_table(screen)
        ))
    }

    /// The terminal table of `components`.
    fn components_table<'a>(
        &self,
        components: impl IntoIterator<Item = &'a ComponentResult>,
        screen: Screen,
    ) -> Table {
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
        for c in components {
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
        t
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "## {} — exact availability\n\n",
            escape_markdown(&self.model)
        );
        let groups = self.groups();
        if groups.is_empty() {
            out += &self.markdown_table(&self.components);
        }
        for (k, g) in groups.iter().enumerate() {
            out += &format!(
                "{}### {}\n\n{}\n\n",
                if k > 0 { "\n" } else { "" },
                escape_markdown(g.title()),
                g.summary(escape_markdown)
            );
            out += &self.markdown_table(g.members.iter().copied());
        }
        out += &super::recovery::markdown(&self.repair_rows());
        if let Some(run) = &self.uncertainty {
            out += &format!("\n{}:\n\n", Self::uncertainty_title(run));
            out += "| component | p5 | p50 | p95 | P(meets slo) |\n|---|---:|---:|---:|---:|\n";
            for c in &self.components {
                if let Some(i) = &c.uncertainty {
                    out += &format!(
                        "| {} | {} |\n",
                        escape_markdown(&c.name),
                        i.cells().join(" | ")
                    );
                }
            }
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

    /// The Markdown table of `components`.
    fn markdown_table<'a>(
        &self,
        components: impl IntoIterator<Item = &'a ComponentResult>,
    ) -> String {
        let window = format_duration_human(self.window_s);
        let mut out = format!(
            "| component | availability | nines | degraded | down / {window} | down / year | slo | verdict |\n"
        );
        out += "|---|---:|---:|---:|---:|---:|---:|---|\n";
        for c in components {
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

/// The components of one group (the model's `group` key), in the model's order.
#[derive(Clone, Debug)]
pub struct Group<'a> {
    /// `None` for the components the model puts in no group.
    pub name: Option<&'a str>,
    /// Its components, in the model's order.
    pub members: Vec<&'a ComponentResult>,
}

impl<'a> Group<'a> {
    /// The group's name, or `(no group)` for the components in none.
    pub fn title(&self) -> &'a str {
        self.name.unwrap_or("(no group)")
    }

    /// The member most often down (the first of equals).
    pub fn least_available(&self) -> &'a ComponentResult {
        (self.members.iter().copied())
            .reduce(|worst, c| {
                // Compared on unavailabilities, where the digits are.
                if c.unavailability > worst.unavailability {
                    c
                } else {
                    worst
                }
            })
            .expect("a group has members")
    }

    /// How many members meet their slo, of those that have one.
    pub fn slos_met(&self) -> (usize, usize) {
        let with: Vec<bool> = self.members.iter().filter_map(|c| c.meets_slo).collect();
        (with.iter().filter(|m| **m).count(), with.len())
    }

    /// `5 components · least available orders-db 99.9% · slo met by 1 of 1`, with each
    /// component's name written by `name` (escaped for the format).
    pub fn summary(&self, name: impl Fn(&str) -> String) -> String {
        let worst = self.least_available();
        let mut out = match self.members.len() {
            1 => format!(
                "1 component · {} {}",
                name(&worst.name),
                format_percent(worst.availability, worst.unavailability)
            ),
            n => format!(
                "{n} components · least available {} {}",
                name(&worst.name),
                format_percent(worst.availability, worst.unavailability)
            ),
        };
        out += &match self.slos_met() {
            (_, 0) => " · no slo".to_string(),
            (met, with) => format!(" · slo met by {met} of {with}"),
        };
        out
    }
}
