//! `nines budget`: the error budget's rows as a table, JSON or Markdown.

use super::Format;
use super::table::{Cell, Paint, Screen, Table};
use super::text::{escape_markdown, format_nines, format_share};
use crate::explain::budget::*;
use crate::model::units::{YEAR, format_percent};

/// A share of a yearly budget, to the hundredth of the unit people budget in: `52.56 min`.
fn format_budget(seconds: f64) -> String {
    let s = seconds.abs();
    if !s.is_finite() {
        "∞".into()
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{:.2} min", s / 60.0)
    } else if s < 86400.0 {
        format!("{:.2} h", s / 3600.0)
    } else {
        format!("{:.2} d", s / 86400.0)
    }
}

fn kind_text(k: DependencyKind) -> &'static str {
    match k {
        DependencyKind::Own => "itself",
        DependencyKind::Domain => "domain",
        DependencyKind::Component => "component",
        DependencyKind::Group => "group",
        DependencyKind::Fallback => "fallback",
    }
}

fn nine_text(extra: Option<bool>) -> &'static str {
    match extra {
        None => "—",
        Some(true) => "✓",
        Some(false) => "✗ needs more",
    }
}

impl Budget {
    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => screen.fit(&self.table(screen)),
            Format::Markdown => self.markdown(),
        }
    }

    fn slo_text(&self) -> String {
        format_percent(self.slo, self.slo_unavailability)
    }

    fn verdict(&self) -> &'static str {
        if self.meets_slo {
            "meets the slo"
        } else {
            "misses the slo"
        }
    }

    fn summary(&self) -> Vec<(String, String)> {
        let mut rows = vec![
            (
                format!("error budget of {}", self.slo_text()),
                format!("{} / year", format_budget(self.budget_per_year_s)),
            ),
            (
                "taken by dependencies and domains, each once".into(),
                format!(
                    "{} / year",
                    format_budget(self.dependencies_spend_per_year_s)
                ),
            ),
        ];
        rows.push(if self.own_per_year_s >= 0.0 {
            (
                format!("left for {} itself", self.component),
                format!("{} / year", format_budget(self.own_per_year_s)),
            )
        } else {
            (
                "overspent by the dependencies".into(),
                format!("{} / year", format_budget(self.own_per_year_s)),
            )
        });
        rows.push((
            format!("{} on its own, today", self.component),
            format!(
                "{} / year ({})",
                format_budget(self.own_actual_per_year_s),
                if self.own_fits {
                    "fits"
                } else if self.own_per_year_s <= 0.0 {
                    "no room: the dependencies miss the slo on their own"
                } else {
                    "does not fit"
                }
            ),
        ));
        if let Some(n) = self.outages_per_year {
            rows.push((
                format!("time to detect and recover, {n} outages / year"),
                match self.per_outage_s {
                    Some(per) => format!("{} per outage", format_budget(per)),
                    None => "none left: the dependencies take the whole budget".into(),
                },
            ));
        }
        rows.push((
            "exact unavailability, all included".into(),
            format!(
                "{} / year ({})",
                format_budget(self.unavailability * YEAR),
                self.verdict()
            ),
        ));
        rows
    }

    fn missing_nine(&self) -> Vec<&str> {
        self.dependencies
            .iter()
            .filter(|d| d.extra_nine == Some(false))
            .map(|d| d.name.as_str())
            .collect()
    }

    fn table(&self, screen: Screen) -> String {
        let mut out = format!(
            "{} — error budget of {} at {}\n",
            self.model,
            self.component,
            self.slo_text()
        );
        // What each row takes of the budget reads first; its availability alone in nines and
        // years restates the percentage, so those give way on a narrow screen.
        let mut t = Table::new(screen)
            .text("share of the downtime")
            .label("kind")
            .moves(1)
            .text("via")
            .number("alone")
            .number("nines")
            .drops(3)
            .number("alone / year")
            .drops(2)
            .number("share / year")
            .number("of budget")
            .label("extra nine");
        for d in &self.dependencies {
            let paint = match d.extra_nine {
                Some(true) => Some(Paint::Green),
                Some(false) => Some(Paint::Red),
                None => None,
            };
            t.row([
                Cell::from(&d.name),
                Cell::from(kind_text(d.kind)),
                Cell::from(&d.via),
                Cell::from(format_percent(d.availability, d.unavailability)),
                Cell::from(d.nines.map_or("∞".into(), format_nines)),
                Cell::from(format_budget(d.spend_per_year_s)),
                Cell::from(format_budget(d.share_per_year_s)),
                Cell::from(d.share.map_or("—".into(), format_share)),
                Cell::from(nine_text(d.extra_nine)).paint(paint),
            ]);
        }
        out += &format!("{t}\n");
        out += "each row is charged the downtime during which it is failing and the rows above it are not: the shares add up to the exact unavailability\n";
        let mut s = Table::new(screen).borderless().label("").text("").right();
        for (k, v) in self.summary() {
            s.row([k, v]);
        }
        out += &format!("{s}\n");
        let missing = self.missing_nine();
        if !missing.is_empty() {
            out += &format!(
                "rule of the extra nine: {} should {} at least {} available\n",
                missing.join(", "),
                if missing.len() == 1 { "be" } else { "each be" },
                format_percent(self.extra_nine_target().q, self.extra_nine_target().p)
            );
        }
        if !self.not_charged.is_empty() {
            out += &format!(
                "not charged (degrade without fallback, or ignore): {}\n",
                self.not_charged.join(", ")
            );
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "## {} — error budget of {} at {}\n\n",
            escape_markdown(&self.model),
            escape_markdown(&self.component),
            self.slo_text()
        );
        out += "| share of the downtime | kind | via | alone | nines | alone / year | share / year | of budget | extra nine |\n";
        out += "|---|---|---|---:|---:|---:|---:|---:|---|\n";
        for d in &self.dependencies {
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                escape_markdown(&d.name),
                kind_text(d.kind),
                escape_markdown(&d.via),
                format_percent(d.availability, d.unavailability),
                d.nines.map_or("∞".into(), format_nines),
                format_budget(d.spend_per_year_s),
                format_budget(d.share_per_year_s),
                d.share.map_or("—".into(), format_share),
                match d.extra_nine {
                    None => "—",
                    Some(true) => "✓",
                    Some(false) => "✗",
                }
            );
        }
        out += "\n";
        for (k, v) in self.summary() {
            out += &format!("- {}: **{}**\n", escape_markdown(&k), escape_markdown(&v));
        }
        let missing = self.missing_nine();
        if !missing.is_empty() {
            out += &format!(
                "- rule of the extra nine not met by: {}\n",
                escape_markdown(&missing.join(", "))
            );
        }
        out
    }
}
