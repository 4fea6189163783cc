//! `nines explain`: importance, cut sets and where to invest as a table, JSON or Markdown.

use super::Format;
use super::table::{Screen, Table};
use super::text::{escape_markdown, format_nines, format_probability, format_share};
use crate::explain::Kind;
use crate::explain::explanation::Explanation;
use crate::model::units::{format_duration_human, format_percent};

/// A ratio such as RAW: `1.00×`, `37.2×`, `1.2e6×`, `∞`.
fn format_ratio(x: Option<f64>) -> String {
    match x {
        None => "∞".into(),
        Some(x) if x >= 1e4 => format!("{x:.1e}×"),
        Some(x) if x >= 100.0 => format!("{x:.0}×"),
        Some(x) if x >= 10.0 => format!("{x:.1}×"),
        Some(x) => format!("{x:.2}×"),
    }
}

/// A share in [0, 1] (criticality, Fussell–Vesely): `0%` for nothing at all.
fn format_fraction(x: f64) -> String {
    if x <= 0.0 {
        "0".into()
    } else {
        format_share(x)
    }
}

impl Explanation {
    /// As a table for `screen`, JSON or Markdown, showing the `top` contributors.
    pub fn render(&self, format: Format, screen: Screen, top: usize) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => screen.fit(&self.table(screen, top)),
            Format::Markdown => self.markdown(top),
        }
    }

    fn headline(&self) -> String {
        format!(
            "unavailability {} (availability {}, {} nines), {} down a year",
            format_probability(self.unavailability),
            format_percent(self.availability, self.unavailability),
            self.nines.map_or("∞".into(), format_nines),
            format_duration_human(self.downtime_per_year_s)
        )
    }

    fn spof_line(&self) -> String {
        if self.unavailability <= 0.0 {
            return String::new();
        }
        if self.single_points_of_failure.is_empty() {
            format!(
                "single points of failure: none — no single event takes {} down",
                self.component
            )
        } else {
            format!(
                "single points of failure: {}",
                self.single_points_of_failure.join(", ")
            )
        }
    }

    fn shown<T>(rows: &[T], top: usize) -> (&[T], String) {
        let n = rows.len().min(top);
        let note = if n < rows.len() {
            format!(" — top {n} of {}", rows.len())
        } else {
            String::new()
        };
        (&rows[..n], note)
    }

    fn cut_set_note(&self) -> String {
        let total = if self.cut_sets_total_exact {
            self.cut_sets_total.to_string()
        } else {
            format!("at most {}", self.cut_sets_total)
        };
        if self.cut_sets.is_empty() && self.cut_sets_total > 0 {
            format!(" — {total} in all")
        } else if (self.cut_sets.len() as u64) < self.cut_sets_total {
            format!(" — {} most probable of {total}", self.cut_sets.len())
        } else {
            String::new()
        }
    }

    fn events_text(events: &[String]) -> String {
        if events.is_empty() {
            "(always down)".into()
        } else {
            events.join(" + ")
        }
    }

    fn table(&self, screen: Screen, top: usize) -> String {
        let mut out = format!(
            "{} — why is {} DOWN?\n{}\n",
            self.model,
            self.component,
            self.headline()
        );
        if self.unavailability <= 0.0 {
            out += &format!("{} never goes down: nothing to explain\n", self.component);
            return out;
        }
        out += &format!("{}\n\n", self.spof_line());

        let (rows, note) = Self::shown(&self.importance, top);
        out += &format!("importance, by Birnbaum{note}\n");
        // Birnbaum orders the rows; the ratios move under the table when the screen is narrow.
        let mut t = Table::new(screen)
            .text("contributor")
            .label("kind")
            .moves(1)
            .number("own unavail.")
            .number("Birnbaum")
            .number("criticality")
            .moves(2)
            .number("Fussell–Vesely")
            .number("RAW")
            .moves(4)
            .number("RRW")
            .moves(3);
        for r in rows {
            t.row([
                r.name.clone(),
                kind_text(r.kind).to_string(),
                format_probability(r.unavailability),
                format_probability(r.birnbaum),
                format_fraction(r.criticality),
                format_fraction(r.fussell_vesely),
                format_ratio(r.raw),
                format_ratio(r.rrw),
            ]);
        }
        out += &format!("{t}\n\n");

        out += &format!(
            "minimal cut sets (order ≤ {}){}\n",
            self.max_order,
            self.cut_set_note()
        );
        if self.cut_sets.is_empty() && self.cut_sets_total > 0 {
            out += "none listed (--cut-sets 0)\n\n";
        } else if self.cut_sets.is_empty() {
            out += &format!(
                "none of order ≤ {}: every way down needs more events at once (raise --max-order)\n\n",
                self.max_order
            );
        } else {
            let mut t = Table::new(screen)
                .number("#")
                .text("events")
                .number("probability")
                .number("≈ share");
            for (i, c) in self.cut_sets.iter().enumerate() {
                t.row([
                    (i + 1).to_string(),
                    Self::events_text(&c.events),
                    format_probability(c.probability),
                    format_fraction(c.share),
                ]);
            }
            out += &format!("{t}\n\n");
        }

        let (rows, note) = Self::shown(&self.where_to_invest, top);
        out += &format!(
            "where to invest: one more nine on each contributor (its events ten times rarer){note}\n"
        );
        let mut t = Table::new(screen)
            .text("contributor")
            .label("kind")
            .moves(1)
            .number(&format!("{} unavail. after", self.component))
            .number("saved / year")
            .number("of downtime");
        for r in rows {
            t.row([
                r.name.clone(),
                kind_text(r.kind).to_string(),
                format_probability(r.unavailability_after),
                format_duration_human(r.reduction_per_year_s),
                format_fraction(r.share),
            ]);
        }
        out += &format!("{t}\n");
        // Which value's doubt drives the spread, when the model gives any touching it.
        out += &(self.doubt.as_ref()).map_or(String::new(), |d| format!("\n{}", d.table(screen)));
        if !self.recovery_options.is_empty() {
            out += "\n";
            out += &super::recovery::options_table(&self.component, &self.recovery_options, screen);
        }
        out
    }

    fn markdown(&self, top: usize) -> String {
        let mut out = format!(
            "## {} — why is {} DOWN?\n\n{}\n\n",
            escape_markdown(&self.model),
            escape_markdown(&self.component),
            self.headline()
        );
        if self.unavailability <= 0.0 {
            return out;
        }
        out += &format!("{}\n\n", escape_markdown(&self.spof_line()));
        let (rows, note) = Self::shown(&self.importance, top);
        out += &format!("### Importance, by Birnbaum{note}\n\n");
        out += "| contributor | kind | own unavail. | Birnbaum | criticality | Fussell–Vesely | RAW | RRW |\n";
        out += "|---|---|---:|---:|---:|---:|---:|---:|\n";
        for r in rows {
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                escape_markdown(&r.name),
                kind_text(r.kind),
                format_probability(r.unavailability),
                format_probability(r.birnbaum),
                format_fraction(r.criticality),
                format_fraction(r.fussell_vesely),
                format_ratio(r.raw),
                format_ratio(r.rrw),
            );
        }
        out += &format!(
            "\n### Minimal cut sets (order ≤ {}){}\n\n",
            self.max_order,
            self.cut_set_note()
        );
        out += "| # | events | probability | ≈ share |\n|---:|---|---:|---:|\n";
        for (i, c) in self.cut_sets.iter().enumerate() {
            out += &format!(
                "| {} | {} | {} | {} |\n",
                i + 1,
                escape_markdown(&Self::events_text(&c.events)),
                format_probability(c.probability),
                format_fraction(c.share)
            );
        }
        let (rows, note) = Self::shown(&self.where_to_invest, top);
        out += &format!("\n### Where to invest: one more nine{note}\n\n");
        out += "| contributor | kind | unavailability after | saved / year | of downtime |\n";
        out += "|---|---|---:|---:|---:|\n";
        for r in rows {
            out += &format!(
                "| {} | {} | {} | {} | {} |\n",
                escape_markdown(&r.name),
                kind_text(r.kind),
                format_probability(r.unavailability_after),
                format_duration_human(r.reduction_per_year_s),
                format_fraction(r.share)
            );
        }
        out += &(self.doubt.as_ref()).map_or(String::new(), |d| d.markdown());
        out += &super::recovery::options_markdown(&self.component, &self.recovery_options, "###");
        out
    }
}

fn kind_text(k: Kind) -> &'static str {
    match k {
        Kind::Component => "component",
        Kind::Domain => "domain",
    }
}
