//! `nines explain`'s section on doubt: which uncertain value drives the spread of the
//! component's unavailability, as a table or Markdown.

use super::table::{Screen, Table};
use super::text::{escape_markdown, format_probability};
use crate::uncertainty::variance::{Interval, VarianceShares};

/// A share of the variance, to a tenth of a percent (an estimate may fall a little below 0).
fn percent(x: f64) -> String {
    let text = format!("{:.1}%", x * 100.0);
    match text.strip_prefix('-') {
        Some("0.0%") => "0.0%".into(),
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

fn interval(low: f64, high: f64) -> String {
    format!("{} – {}", percent(low), percent(high))
}

/// The row of the values not listed one by one.
fn others(values: usize) -> String {
    format!("{values} other values together")
}

impl VarianceShares {
    fn intro(&self) -> String {
        let v = &self.variance;
        format!(
            "{} draws: unavailability {} to {} (5th to 95th percentile), median {}",
            v.draws,
            format_probability(v.unavailability_p5),
            format_probability(v.unavailability_p95),
            format_probability(v.unavailability_p50),
        )
    }

    fn remainder_line(&self) -> String {
        let Interval { share, low, high } = self.variance.remainder;
        format!(
            "left to the values acting together: {} ({})",
            percent(share),
            interval(low, high)
        )
    }

    /// Nothing to share out: the doubt leaves the unavailability where it is.
    fn still(&self) -> bool {
        self.variance.variance <= 0.0
    }

    /// The section as a terminal table.
    pub fn table(&self, screen: Screen) -> String {
        let mut out =
            "where measuring helps most: each doubt's share of the variance of ln(unavailability)\n"
                .to_string();
        out += &format!("{}\n", self.intro());
        if self.still() {
            out += "these values' doubt does not move the unavailability\n";
            return out;
        }
        let mut t = Table::new(screen)
            .text("uncertain value")
            .number("share of variance")
            .number("95% interval");
        for s in &self.variance_share {
            t.row([
                s.parameter.clone(),
                percent(s.share),
                interval(s.low, s.high),
            ]);
        }
        if let Some(o) = &self.variance.others {
            t.row([others(o.values), percent(o.share), interval(o.low, o.high)]);
        }
        out += &format!("{t}\n{}\n", self.remainder_line());
        out
    }

    /// The section in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "\n### Where measuring helps most: each doubt's share of the variance of ln(unavailability)\n\n{}\n\n",
            escape_markdown(&self.intro())
        );
        if self.still() {
            out += "These values' doubt does not move the unavailability.\n";
            return out;
        }
        out += "| uncertain value | share of variance | 95% interval |\n|---|---:|---:|\n";
        for s in &self.variance_share {
            out += &format!(
                "| {} | {} | {} |\n",
                escape_markdown(&s.parameter),
                percent(s.share),
                interval(s.low, s.high)
            );
        }
        if let Some(o) = &self.variance.others {
            out += &format!(
                "| {} | {} | {} |\n",
                others(o.values),
                percent(o.share),
                interval(o.low, o.high)
            );
        }
        out += &format!("\n{}\n", self.remainder_line());
        out
    }
}
