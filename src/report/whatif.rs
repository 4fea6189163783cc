//! `nines whatif`: every component under the change, next to today's, as a table, JSON or
//! Markdown.

use super::Format;
use super::table::{Cell, Paint, Screen, Table};
use super::text::{escape_markdown, format_share};
use crate::explain::whatif::{ComponentWhatIf, Effect, WhatIf};
use crate::model::units::format_percent;

impl WhatIf {
    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen),
            Format::Markdown => self.markdown(),
        }
    }

    fn title(&self) -> String {
        let mut parts = Vec::new();
        if !self.failed.is_empty() {
            parts.push(format!("{} down", self.failed.join(", ")));
        }
        for i in &self.improved {
            parts.push(format!(
                "{} at {}",
                i.name,
                format_percent(i.availability, i.unavailability)
            ));
        }
        format!("{} — what if {}", self.model, parts.join(" and "))
    }

    fn tally(&self) -> String {
        let count = |e: Effect| self.components.iter().filter(|c| c.effect == e).count();
        let mut parts = Vec::new();
        for (e, what) in [
            (Effect::Down, "down for sure"),
            (Effect::Degraded, "degraded for sure"),
            (Effect::Worse, "worse"),
            (Effect::Better, "better"),
            (Effect::Untouched, "untouched"),
        ] {
            let n = count(e);
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }

    fn row(c: &ComponentWhatIf) -> [String; 6] {
        // Two significant digits, but never rounded up to a misleading 100%.
        let share = |x: f64| {
            if x <= 0.0 {
                "—".into()
            } else if x >= 0.01 {
                format!("{:.1}%", (x * 1000.0).floor() / 10.0)
            } else {
                format_share(x)
            }
        };
        [
            c.name.clone(),
            c.effect.label().to_string(),
            format_percent(c.availability, c.unavailability),
            format_percent(c.baseline_availability, c.baseline_unavailability),
            share(c.degraded),
            share(c.baseline_degraded),
        ]
    }

    fn table(&self, screen: Screen) -> String {
        let mut t = Table::new(screen)
            .text("component")
            .label("effect")
            .number("availability")
            .number("today")
            .number("degraded")
            .moves(2)
            .number("today")
            .moves(1);
        for c in &self.components {
            let [name, effect, a, a0, d, d0] = Self::row(c);
            let paint = match c.effect {
                Effect::Down => Some(Paint::Red),
                Effect::Degraded | Effect::Worse => Some(Paint::Yellow),
                Effect::Better => Some(Paint::Green),
                Effect::Untouched => None,
            };
            t.row([
                Cell::from(name),
                Cell::from(effect).paint(paint),
                Cell::from(a),
                Cell::from(a0),
                Cell::from(d),
                Cell::from(d0),
            ]);
        }
        screen.fit(&format!(
            "{}\n{t}\n{}\n{}",
            self.title(),
            self.tally(),
            self.hung_note()
        ))
    }

    fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", escape_markdown(&self.title()));
        out += "| component | effect | availability | today | degraded | today |\n";
        out += "|---|---|---:|---:|---:|---:|\n";
        for c in &self.components {
            let cells: Vec<String> = Self::row(c).iter().map(|s| escape_markdown(s)).collect();
            out += &format!("| {} |\n", cells.join(" | "));
        }
        out += &format!("\n{}\n", self.tally());
        let hung = self.hung_note();
        if !hung.is_empty() {
            out += &format!("\n{}", escape_markdown(&hung));
        }
        out
    }

    /// The components whose calls may hang under the change (a part of their unavailability);
    /// empty when none can.
    fn hung_note(&self) -> String {
        super::text::hung_line(
            "hung (calls to it hang)",
            self.components.iter().map(|c| (c.name.as_str(), c.hung)),
        )
    }
}
