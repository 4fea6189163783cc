//! `nines downtime`: the downtime an availability allows per period.

use serde::Serialize;

use super::Format;
use super::table::{Screen, Table};
use super::text::format_nines;
use crate::model::units::{Availability, DAY, MONTH, YEAR, format_duration_human, format_percent};

/// A downtime in seconds over each period.
#[derive(Clone, Debug, Serialize)]
pub struct PerPeriod {
    /// Per day.
    pub day: f64,
    /// Per week.
    pub week: f64,
    /// Per SLO window.
    pub window: f64,
    /// Per month of 365/12 days.
    pub month: f64,
    /// Per quarter of a year.
    pub quarter: f64,
    /// Per year of 365 days.
    pub year: f64,
}

/// The results of `nines downtime`: the downtime an availability allows over each period.
#[derive(Clone, Debug, Serialize)]
pub struct DowntimeReport {
    /// The availability, a probability.
    pub availability: f64,
    /// The unavailability, a probability.
    pub unavailability: f64,
    /// Its nines, −log10(unavailability); null for 100%.
    pub nines: Option<f64>,
    /// The downtime allowed per period, in seconds.
    pub per_s: PerPeriod,
    /// The SLO window, in seconds.
    #[serde(skip)]
    pub window_s: f64,
}

/// An SLO window that holds no time.
#[derive(Debug, thiserror::Error)]
#[error("--window must be longer than zero")]
pub struct WindowError;

impl DowntimeReport {
    /// The downtime `a` allows, with an SLO window of `window_s` seconds; refused unless the
    /// window is longer than zero and finite.
    pub fn new(a: Availability, window_s: f64) -> Result<DowntimeReport, WindowError> {
        if !(window_s.is_finite() && window_s > 0.0) {
            return Err(WindowError);
        }
        let u = a.unavailability();
        Ok(DowntimeReport {
            availability: a.value(),
            unavailability: u,
            nines: super::finite(-u.log10()),
            per_s: PerPeriod {
                day: u * DAY,
                week: u * 7.0 * DAY,
                window: u * window_s,
                month: u * MONTH,
                quarter: u * YEAR / 4.0,
                year: u * YEAR,
            },
            window_s,
        })
    }

    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        let rows = [
            ("day", self.per_s.day),
            ("week", self.per_s.week),
            (
                &*format!("window ({})", format_duration_human(self.window_s)),
                self.per_s.window,
            ),
            ("month", self.per_s.month),
            ("quarter", self.per_s.quarter),
            ("year", self.per_s.year),
        ];
        let title = format!(
            "{} ({} nines) allows this much downtime",
            format_percent(self.availability, self.unavailability),
            self.nines.map_or("∞".into(), format_nines)
        );
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("serialises") + "\n",
            Format::Markdown => {
                let mut out = format!("{title}\n\n| period | downtime |\n|---|---:|\n");
                for (p, s) in rows {
                    out += &format!("| {p} | {} |\n", format_duration_human(s));
                }
                out
            }
            Format::Table => {
                let mut t = Table::new(screen)
                    .text("per")
                    .number("downtime")
                    .number("seconds");
                for (p, s) in rows {
                    t.row([p.to_string(), format_duration_human(s), format!("{s:.1}")]);
                }
                screen.fit(&format!("{title}\n{t}\n"))
            }
        }
    }
}
