//! The results of `nines calibrate`: per component the failures seen, the mttf with its 90%
//! interval, the mttr, the observed availability; and the overlay that carries them into a model.

use serde::Serialize;

use super::Format;
use super::table::{Cell, Screen, Table};
use super::text::escape_markdown;
use crate::model::units::{format_duration_human, format_duration_spec, format_percent};
use crate::uncertainty::calibrate::{Calibration, History, format_time};

/// One component's history, as `calibrate --format json` names it.
#[derive(Clone, Debug, Serialize)]
pub struct CalibratedComponent {
    /// The component's name.
    pub name: String,
    /// Incidents seen in the period.
    pub incidents: u64,
    /// Incidents still open at the end of the period (their repair time unknown).
    pub censored: u64,
    /// Time up in the period, in seconds: the exposure to failure.
    pub exposure_s: f64,
    /// Time down in the period, in seconds.
    pub downtime_s: f64,
    /// Maximum likelihood; null with no incident.
    pub mttf_s: Option<f64>,
    /// 90% interval; the upper end null with no incident (the lower end is then the rule of
    /// three's).
    pub mttf_ci90_s: (f64, Option<f64>),
    /// Repairs seen whole (incidents closed within the period).
    pub repairs: u64,
    /// The mean repair time, in seconds; null with no repair seen.
    pub mttr_mean_s: Option<f64>,
    /// Lognormal fit of the repair times (two repairs or more).
    pub mttr_lognormal: Option<LognormalFit>,
    /// 1 − downtime / period, a probability.
    pub observed_availability: f64,
}

/// A lognormal fitted to repair times.
#[derive(Clone, Debug, Serialize)]
pub struct LognormalFit {
    /// Its median, in seconds.
    pub median_s: f64,
    /// The sigma of the underlying normal.
    pub sigma: f64,
    /// Its 5th percentile, in seconds.
    pub p5_s: f64,
    /// Its 95th percentile, in seconds.
    pub p95_s: f64,
}

/// The results of `nines calibrate`: every component's incident history and the values it gives.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrateReport {
    /// The incident file, as named.
    pub source: String,
    /// The start of the period, RFC 3339.
    pub since: String,
    /// The end of the period, RFC 3339.
    pub until: String,
    /// The period's length, in seconds.
    pub period_s: f64,
    /// Every component with incidents.
    pub components: Vec<CalibratedComponent>,
    /// Incidents not counted, or counted in part, and why.
    pub warnings: Vec<String>,
}

impl CalibratedComponent {
    fn new(c: &Calibration) -> CalibratedComponent {
        CalibratedComponent {
            name: c.name.clone(),
            incidents: c.incidents,
            censored: c.censored,
            exposure_s: c.exposure_s,
            downtime_s: c.downtime_s,
            mttf_s: c.mttf_s,
            mttf_ci90_s: c.mttf_ci90_s,
            repairs: c.repairs,
            mttr_mean_s: c.mttr_mean_s,
            mttr_lognormal: c.mttr_lognormal.map(|(median_s, sigma)| {
                let (p5_s, p95_s) = c.mttr_percentiles().expect("a fit has percentiles");
                LognormalFit {
                    median_s,
                    sigma,
                    p5_s,
                    p95_s,
                }
            }),
            observed_availability: c.observed_availability,
        }
    }

    fn cells(&self) -> [String; 6] {
        let human = |s: Option<f64>| s.map_or("—".into(), format_duration_human);
        let (lo, hi) = self.mttf_ci90_s;
        [
            format!("{}", self.incidents)
                + &if self.censored > 0 {
                    format!(" ({} open)", self.censored)
                } else {
                    String::new()
                },
            format_duration_human(self.exposure_s),
            human(self.mttf_s),
            match hi {
                Some(hi) => format!(
                    "{} – {}",
                    format_duration_human(lo),
                    format_duration_human(hi)
                ),
                None => format!("≥ {}", format_duration_human(lo)),
            },
            match &self.mttr_lognormal {
                Some(f) if f.sigma > 0.0 => format!(
                    "{} ({} – {})",
                    human(self.mttr_mean_s),
                    format_duration_human(f.p5_s),
                    format_duration_human(f.p95_s)
                ),
                _ => human(self.mttr_mean_s),
            },
            format_percent(self.observed_availability, 1.0 - self.observed_availability),
        ]
    }
}

impl CalibrateReport {
    /// The report of an incident history read from `source`.
    pub fn new(source: &str, history: &History) -> CalibrateReport {
        CalibrateReport {
            source: source.to_string(),
            since: format_time(history.since),
            until: format_time(history.until),
            period_s: history.until - history.since,
            components: history
                .components
                .iter()
                .map(CalibratedComponent::new)
                .collect(),
            warnings: history.warnings.clone(),
        }
    }

    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen),
            Format::Markdown => self.markdown(),
        }
    }

    fn title(&self) -> String {
        format!(
            "{}: incidents from {} to {} ({})",
            self.source,
            self.since,
            self.until,
            format_duration_human(self.period_s)
        )
    }

    fn table(&self, screen: Screen) -> String {
        let mut t = Table::new(screen)
            .text("component")
            .number("incidents")
            .number("exposure")
            .number("mttf")
            .number("mttf 90%")
            .number("mttr (p5 – p95)")
            .number("observed");
        for c in &self.components {
            let mut row = vec![Cell::from(&c.name)];
            row.extend(c.cells().map(Cell::from));
            t.row(row);
        }
        let mut out = format!("{}\n{t}\n", self.title());
        if self.components.iter().any(|c| c.incidents == 0) {
            out += "≥: no incident in the period; the rule of three's 95% lower bound\n";
        }
        for w in &self.warnings {
            out += &format!("warning: {w}\n");
        }
        screen.fit(&out)
    }

    fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", escape_markdown(&self.title()));
        out +=
            "| component | incidents | exposure | mttf | mttf 90% | mttr (p5 – p95) | observed |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|\n";
        for c in &self.components {
            out += &format!(
                "| {} | {} |\n",
                escape_markdown(&c.name),
                c.cells().join(" | ")
            );
        }
        if !self.warnings.is_empty() {
            out += "\nWarnings:\n\n";
            for w in &self.warnings {
                out += &format!("- {}\n", escape_markdown(w));
            }
        }
        out
    }

    /// A partial model carrying the history into a model: per component `mttf: { incidents,
    /// over }` and the mttr (with its 5th and 95th percentiles when two repairs or more were
    /// seen). Names are quoted as JSON strings, which YAML reads alike.
    pub fn overlay(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).expect("strings serialise");
        let mut out = format!(
            "# Calibrated by `nines calibrate` from {} ({} to {}).\ncomponents:\n",
            self.source.replace('\n', " "),
            self.since,
            self.until
        );
        if self.components.is_empty() {
            out = out.replace("components:\n", "components: {}\n");
        }
        for c in &self.components {
            out += &format!("  {}:\n", quote(&c.name));
            out += &format!(
                "    mttf: {{ incidents: {}, over: {} }}\n",
                c.incidents,
                format_duration_spec(c.exposure_s.max(1.0).round())
            );
            // Durations to the second: a repair time is not known better.
            let seconds = |s: f64| format_duration_spec(s.max(1.0).round());
            match (&c.mttr_lognormal, c.mttr_mean_s) {
                (Some(f), Some(mean)) if f.sigma > 0.0 => {
                    let (lo, hi) = (f.p5_s.min(mean), f.p95_s.max(mean));
                    out += &format!(
                        "    mttr: {{ estimate: {}, low: {}, high: {} }}\n",
                        seconds(mean),
                        seconds(lo),
                        seconds(hi)
                    );
                }
                (_, Some(mean)) => out += &format!("    mttr: {}\n", seconds(mean)),
                (_, None) => {}
            }
        }
        out
    }
}
