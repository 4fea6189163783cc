//! `nines downtime`: the downtime an availability allows per period.

use serde::Serialize;

use super::Format;
use super::table::{Screen, Table};
use super::text::format_nines;
use crate::model::units::{Availability, DAY, MONTH, YEAR, format_duration_human, format_percent};

#[derive(Clone, Debug, Serialize)]
pub struct PerPeriod {
    pub day: f64,
    pub week: f64,
    pub window: f64,
    pub month: f64,
    pub quarter: f64,
    pub year: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DowntimeReport {
    pub availability: f64,
    pub unavailability: f64,
    pub nines: Option<f64>,
    pub per_s: PerPeriod,
    #[serde(skip)]
    pub window_s: f64,
}

impl DowntimeReport {
    pub fn new(a: Availability, window_s: f64) -> DowntimeReport {
        let u = a.unavailability();
        DowntimeReport {
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
        }
    }

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
