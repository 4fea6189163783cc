//! The results of `nines sample`: Monte Carlo estimates beside the exact values.

use serde::Serialize;

use super::Format;
use super::table::{Screen, Table};
use super::text::{escape_markdown, format_probability, format_share};
use crate::exact::StateOdds;
use crate::model::units::format_percent;
use crate::sim::snapshot::{Method, SnapshotResult};
use crate::system::System;

/// A component's exact values, beside its estimates.
#[derive(Clone, Debug, Serialize)]
pub struct ExactValues {
    /// Its availability, a probability.
    pub availability: f64,
    /// Its unavailability, a probability.
    pub unavailability: f64,
    /// P(DEGRADED).
    pub degraded: f64,
}

/// One component's estimates from snapshot sampling.
#[derive(Clone, Debug, Serialize)]
pub struct SampledComponent {
    /// The component's name.
    pub name: String,
    /// Its estimated availability, a probability.
    pub availability: f64,
    /// Its estimated unavailability, a probability.
    pub unavailability: f64,
    /// Its estimated P(DEGRADED).
    pub degraded: f64,
    /// 95% interval of the availability.
    pub ci95: [f64; 2],
    /// 95% interval of the unavailability.
    pub unavailability_ci95: [f64; 2],
    /// 95% interval of P(DEGRADED).
    pub degraded_ci95: [f64; 2],
    /// `plain` or `importance` (for the unavailability; degraded is always plain).
    pub method: Method,
    /// Samples behind the unavailability estimate.
    pub samples: u64,
    /// Plain samples in which the component was DOWN.
    pub down_samples: u64,
    /// Effective sample size of the unavailability estimate: how many equally weighted DOWN
    /// samples it is worth (for plain sampling, `down_samples`).
    pub ess: f64,
    /// The exact values, when they were computed.
    pub exact: Option<ExactValues>,
    /// Whether the unavailability interval contains the exact value.
    pub exact_in_ci: Option<bool>,
}

/// The results of `nines sample`: Monte Carlo estimates beside the exact values.
#[derive(Clone, Debug, Serialize)]
pub struct SampleReport {
    /// The model's name.
    pub model: String,
    /// Plain samples.
    pub samples: u64,
    /// Plain samples of the pilot that chose each component's method.
    pub pilot_samples: u64,
    /// Samples drawn by importance sampling, all components together.
    pub importance_samples: u64,
    /// The seed: the same seed gives the same estimates on any number of threads.
    pub seed: u64,
    /// Every component, in the model's order.
    pub components: Vec<SampledComponent>,
}

/// An effective sample size in three significant digits at most: 812, 9.81k, 1.23M.
fn format_count(x: f64) -> String {
    let x = x.round();
    let (value, unit) = if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        return format!("{x}");
    };
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$}{unit}")
}

impl SampleReport {
    /// The report of a snapshot run on `system`, with the exact `states` beside it when given.
    pub fn new(
        system: &System,
        result: &SnapshotResult,
        exact: Option<&[StateOdds]>,
        seed: u64,
    ) -> SampleReport {
        let components = system
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let e = &result.components[i];
                let (lo, hi) = e.availability_ci95();
                let x = exact.map(|s| ExactValues {
                    availability: s[i].down.q,
                    unavailability: s[i].down.p,
                    degraded: s[i].degraded,
                });
                let (ulo, uhi) = e.unavailability_ci95;
                SampledComponent {
                    name: c.name.clone(),
                    availability: e.availability,
                    unavailability: e.unavailability,
                    degraded: e.degraded,
                    ci95: [lo, hi],
                    unavailability_ci95: [ulo, uhi],
                    degraded_ci95: [e.degraded_ci95.0, e.degraded_ci95.1],
                    method: e.method,
                    samples: e.samples,
                    down_samples: e.down_samples,
                    ess: e.ess,
                    exact_in_ci: x
                        .as_ref()
                        .map(|x| ulo <= x.unavailability && x.unavailability <= uhi),
                    exact: x,
                }
            })
            .collect();
        SampleReport {
            model: system.name.clone(),
            samples: result.samples,
            pilot_samples: result.pilot_samples,
            importance_samples: result.importance_samples,
            seed,
            components,
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

    fn rows(&self) -> Vec<[String; 7]> {
        self.components
            .iter()
            .map(|c| {
                [
                    c.name.clone(),
                    format_percent(c.availability, c.unavailability),
                    format!(
                        "{} – {}",
                        format_probability(c.unavailability_ci95[0]),
                        format_probability(c.unavailability_ci95[1])
                    ),
                    c.exact
                        .as_ref()
                        .map_or("—".into(), |x| format_probability(x.unavailability)),
                    if c.degraded > 0.0 {
                        format_share(c.degraded)
                    } else {
                        "—".into()
                    },
                    format!(
                        "{} {}",
                        match c.method {
                            Method::Plain => "plain",
                            Method::Importance => "importance",
                        },
                        format_count(c.ess)
                    ),
                    match c.exact_in_ci {
                        Some(true) => "✓".into(),
                        Some(false) => "✗".into(),
                        None => String::new(),
                    },
                ]
            })
            .collect()
    }

    const HEADER: [&'static str; 7] = [
        "component",
        "availability",
        "unavailability 95% CI",
        "exact",
        "degraded",
        "method, ESS",
        "exact in CI",
    ];

    fn footer(&self) -> String {
        let mut s = format!("{} plain samples", self.samples);
        if self.pilot_samples > 0 {
            s += &format!(" after a pilot of {}", self.pilot_samples);
        }
        if self.importance_samples > 0 {
            s += &format!(", {} importance samples", self.importance_samples);
        }
        s + &format!(", seed {}", self.seed)
    }

    fn table(&self, screen: Screen) -> String {
        let [name, availability, ci, exact, degraded, method, covered] = Self::HEADER;
        // The estimate, its interval and the exact value read first; how it was sampled and
        // the degraded share move under the table when the screen is narrow.
        let mut t = Table::new(screen)
            .text(name)
            .number(availability)
            .number(ci)
            .number(exact)
            .number(degraded)
            .moves(2)
            .text(method)
            .moves(3)
            .label(covered)
            .moves(1);
        for row in self.rows() {
            t.row(row);
        }
        screen.fit(&format!(
            "{} — snapshot Monte Carlo\n{}\n{t}\n",
            self.model,
            self.footer()
        ))
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "## {} — snapshot Monte Carlo\n\n{}\n\n| {} |\n|---|---:|---:|---:|---:|---|---|\n",
            escape_markdown(&self.model),
            self.footer(),
            Self::HEADER.join(" | ")
        );
        for row in self.rows() {
            let cells: Vec<String> = row.iter().map(|x| escape_markdown(x)).collect();
            out += &format!("| {} |\n", cells.join(" | "));
        }
        out
    }
}
