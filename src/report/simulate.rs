//! The results of `nines simulate`: availability, outages and SLO windows over time.

use serde::Serialize;

use super::Format;
use super::table::{Screen, Table};
use super::text::{escape_markdown, format_probability, format_share};
use crate::exact::StateOdds;
use crate::model::units::{format_duration_human, format_percent};
use crate::sim::timeline::{Percentiles, Start, TimelineResult};
use crate::system::System;

/// One component's results from the timeline simulation.
#[derive(Clone, Debug, Serialize)]
pub struct SimulatedComponent {
    /// The component's name.
    pub name: String,
    /// Its simulated availability, a probability.
    pub availability: f64,
    /// Its simulated unavailability, a probability.
    pub unavailability: f64,
    /// Its simulated P(DEGRADED).
    pub degraded: f64,
    /// 95% interval of the availability, from the spread between runs; null for one run,
    /// which has no spread to measure (its interval would have zero width).
    pub ci95: Option<[f64; 2]>,
    /// 95% interval of the unavailability; null for one run.
    pub unavailability_ci95: Option<[f64; 2]>,
    /// Outages a year, on average.
    pub outages_per_year: f64,
    /// Its replicas' own failures a year, all replicas together.
    pub failures_per_year: f64,
    /// The mean length of an outage, in seconds; null when it never went down.
    pub mean_outage_s: Option<f64>,
    /// The 95th percentile of an outage's length, in seconds; null when it never went down.
    pub p95_outage_s: Option<f64>,
    /// Downtime per SLO window: median, 90th and 99th percentiles, in seconds; null when no window
    /// is complete.
    pub window_downtime_s: Option<Percentiles>,
    /// The mean downtime per SLO window, in seconds; null when no window is complete.
    pub mean_window_downtime_s: Option<f64>,
    /// Its slo, an availability; null without one.
    pub slo: Option<f64>,
    /// The error budget of one window, `(1 − slo) × window`.
    pub budget_s: Option<f64>,
    /// Share of complete windows whose downtime exceeded the budget (null without an slo).
    pub p_window_breach: Option<f64>,
    /// The 95% interval of that share (Wilson, over windows).
    pub p_window_breach_ci95: Option<[f64; 2]>,
    /// Over windows whose budget ran out: the mean time from the window's start until it did.
    pub mean_budget_exhaustion_s: Option<f64>,
    /// The exact steady-state values, for comparison.
    pub exact_availability: Option<f64>,
    /// The exact steady-state unavailability, for comparison.
    pub exact_unavailability: Option<f64>,
    /// Share of time HUNG: calls to it hang (a part of the unavailability), with its 95%
    /// interval (null for one run) and the exact value.
    pub hung: f64,
    /// The 95% interval of the share of time HUNG; null for one run.
    pub hung_ci95: Option<[f64; 2]>,
    /// The exact steady-state share of time HUNG, for comparison.
    pub exact_hung: Option<f64>,
}

/// The results of `nines simulate`: every component's availability, outages and SLO windows over
/// simulated time.
#[derive(Clone, Debug, Serialize)]
pub struct SimulateReport {
    /// The model's name.
    pub model: String,
    /// Simulated runs.
    pub runs: u64,
    /// The simulated time of each run, in seconds.
    pub horizon_s: f64,
    /// The SLO window, in seconds.
    pub window_s: f64,
    /// Complete SLO windows in each run.
    pub windows_per_run: usize,
    /// The seed: the same seed gives the same results on any number of threads.
    pub seed: u64,
    /// The state runs started in: `stationary` (the steady state) or `new` (all up at t = 0).
    pub start: Start,
    /// Events simulated over all runs.
    pub events: u64,
    /// Every component, in the model's order.
    pub components: Vec<SimulatedComponent>,
    /// Per queue edge: how long work waited for its consumer.
    pub queues: Vec<SimulatedQueue>,
}

/// One queue edge over the runs.
#[derive(Clone, Debug, Serialize)]
pub struct SimulatedQueue {
    /// The producer and the consumer.
    pub from: String,
    /// The consumer.
    pub to: String,
    /// The longest work may wait (`max_delay`), in seconds; null without one.
    pub max_delay_s: Option<f64>,
    /// The longest wait in each outage of the consumer, as percentiles over its outages.
    pub delay_s: Option<Percentiles>,
    /// Share of windows in which some work waited longer than `max_delay` (null without one).
    pub p_late: Option<f64>,
    /// The 95% interval of that share (Wilson, over windows).
    pub p_late_ci95: Option<[f64; 2]>,
}

impl SimulateReport {
    /// The report of a simulation of `system`, with the exact `states` beside it when given.
    pub fn new(
        system: &System,
        r: &TimelineResult,
        exact: Option<&[StateOdds]>,
        seed: u64,
    ) -> SimulateReport {
        let components = system
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let x = &r.components[i];
                let (lo, hi) = x.availability_ci95();
                let spread = r.runs > 1;
                SimulatedComponent {
                    name: c.name.clone(),
                    availability: x.availability,
                    unavailability: x.unavailability,
                    degraded: x.degraded,
                    ci95: spread.then_some([lo, hi]),
                    unavailability_ci95: spread
                        .then_some([x.unavailability_ci95.0, x.unavailability_ci95.1]),
                    outages_per_year: x.outages_per_year,
                    failures_per_year: x.failures_per_year,
                    mean_outage_s: x.mean_outage_s,
                    p95_outage_s: x.p95_outage_s,
                    window_downtime_s: x.window_downtime_s,
                    mean_window_downtime_s: x.mean_window_downtime_s,
                    slo: c.slo.map(|s| s.value()),
                    budget_s: x.budget_s,
                    p_window_breach: x.p_window_breach,
                    p_window_breach_ci95: x.p_window_breach_ci95.map(|(a, b)| [a, b]),
                    mean_budget_exhaustion_s: x.mean_budget_exhaustion_s,
                    exact_availability: exact.map(|s| s[i].down.q),
                    exact_unavailability: exact.map(|s| s[i].down.p),
                    hung: x.hung.mean,
                    hung_ci95: spread.then_some([x.hung.ci95.0, x.hung.ci95.1]),
                    exact_hung: None,
                }
            })
            .collect();
        SimulateReport {
            model: system.name.clone(),
            runs: r.runs,
            horizon_s: r.horizon_s,
            window_s: r.window_s,
            windows_per_run: r.windows_per_run,
            seed,
            start: r.start,
            events: r.events,
            components,
            queues: (r.queues.iter())
                .map(|q| SimulatedQueue {
                    from: system.components[q.from].name.clone(),
                    to: system.components[q.to].name.clone(),
                    max_delay_s: q.max_delay_s,
                    delay_s: q.delay_s,
                    p_late: q.p_late,
                    p_late_ci95: q.p_late_ci95.map(|(a, b)| [a, b]),
                })
                .collect(),
        }
    }

    /// With each component's exact P(HUNG) (`exact::hung_probabilities`) beside the simulated one.
    pub fn with_exact_hung(mut self, hung: &[f64]) -> SimulateReport {
        for (c, &h) in self.components.iter_mut().zip(hung) {
            c.exact_hung = Some(h);
        }
        self
    }

    /// The components whose calls hung at some time, with the share of time and its interval
    /// (and the exact value): empty when none did.
    fn hung_note(&self) -> String {
        let hung: Vec<String> = (self.components.iter())
            .filter(|c| c.hung > 0.0 || c.exact_hung.is_some_and(|h| h > 0.0))
            .map(|c| {
                let ci = c.hung_ci95.map_or(String::new(), |[lo, hi]| {
                    format!(" ({} – {})", format_share(lo), format_share(hi))
                });
                let exact = c
                    .exact_hung
                    .map_or(String::new(), |h| format!(", exact {}", format_share(h)));
                format!("{} {}{ci}{exact}", c.name, format_share(c.hung))
            })
            .collect();
        if hung.is_empty() {
            return String::new();
        }
        format!(
            "hung (calls to it hang, counted as down): {}\n",
            hung.join("; ")
        )
    }

    /// The queue edges as a table section: empty when the model has none.
    fn queue_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = vec![
            "queue".to_string(),
            "max delay".into(),
            "wait p50 · p90 · p99".into(),
            "P(window late)".into(),
        ];
        let rows = (self.queues.iter())
            .map(|q| {
                vec![
                    format!("{} → {}", q.from, q.to),
                    q.max_delay_s.map_or("—".into(), format_duration_human),
                    q.delay_s.map_or("—".into(), |p| {
                        format!(
                            "{} · {} · {}",
                            format_duration_human(p.p50),
                            format_duration_human(p.p90),
                            format_duration_human(p.p99)
                        )
                    }),
                    q.p_late.map_or("—".into(), format_probability),
                ]
            })
            .collect();
        (header, rows)
    }

    fn queue_table(&self, screen: Screen) -> String {
        if self.queues.is_empty() {
            return String::new();
        }
        let (header, rows) = self.queue_rows();
        let mut t = Table::new(screen).text(&header[0]);
        for h in &header[1..] {
            t = t.number(h);
        }
        for row in rows {
            t.row(row);
        }
        format!("\nQueues: the longest wait per outage of the consumer\n{t}\n")
    }

    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen),
            Format::Markdown => self.markdown(),
        }
    }

    fn header(&self) -> Vec<String> {
        let w = format_duration_human(self.window_s);
        vec![
            "component".into(),
            "availability".into(),
            "95% CI".into(),
            "exact".into(),
            "degraded".into(),
            "outages / year".into(),
            "mean outage".into(),
            "p95 outage".into(),
            format!("down / {w} p50 · p90 · p99"),
            "P(window breach)".into(),
            "budget gone after".into(),
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let dur = |x: Option<f64>| x.map_or("—".to_string(), format_duration_human);
        self.components
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    format_percent(c.availability, c.unavailability),
                    match (c.ci95, c.unavailability_ci95) {
                        (Some(a), Some(u)) => format!(
                            "{} – {}",
                            format_percent(a[0], u[1]),
                            format_percent(a[1], u[0])
                        ),
                        _ => "n/a: one run".into(),
                    },
                    match (c.exact_availability, c.exact_unavailability) {
                        (Some(a), Some(u)) => format_percent(a, u),
                        _ => "—".into(),
                    },
                    if c.degraded > 0.0 {
                        format_share(c.degraded)
                    } else {
                        "—".into()
                    },
                    format!("{:.2}", c.outages_per_year),
                    dur(c.mean_outage_s),
                    dur(c.p95_outage_s),
                    c.window_downtime_s.map_or("—".into(), |p| {
                        format!(
                            "{} · {} · {}",
                            format_duration_human(p.p50),
                            format_duration_human(p.p90),
                            format_duration_human(p.p99)
                        )
                    }),
                    c.p_window_breach.map_or("—".into(), format_probability),
                    dur(c.mean_budget_exhaustion_s),
                ]
            })
            .collect()
    }

    fn footer(&self) -> String {
        let start = match self.start {
            Start::Stationary => "",
            Start::New => ", starting all up and new",
        };
        format!(
            "{} runs of {}, window {} ({} complete per run), seed {}{start}",
            self.runs,
            format_duration_human(self.horizon_s),
            format_duration_human(self.window_s),
            self.windows_per_run,
            self.seed
        )
    }

    fn table(&self, screen: Screen) -> String {
        let header = self.header();
        // Availability, downtime per window and the odds of a breach read first; the rest moves
        // under the table when the screen is narrow, the exact value and the interval last.
        let spare: [Option<u8>; 11] = [
            None,
            None,
            Some(1),
            Some(2),
            Some(3),
            Some(8),
            Some(6),
            Some(5),
            None,
            None,
            Some(7),
        ];
        let mut t = Table::new(screen);
        for (i, (h, spare)) in header.iter().zip(spare).enumerate() {
            t = if i == 0 { t.text(h) } else { t.number(h) };
            if let Some(rank) = spare {
                t = t.moves(rank);
            }
        }
        for row in self.rows() {
            t.row(row);
        }
        screen.fit(&format!(
            "{} — timeline simulation\n{}\n{t}\n{}{}",
            self.model,
            self.footer(),
            self.hung_note(),
            self.queue_table(screen)
        ))
    }

    fn markdown(&self) -> String {
        let header = self.header();
        let mut out = format!(
            "## {} — timeline simulation\n\n{}\n\n| {} |\n|---|{}\n",
            escape_markdown(&self.model),
            self.footer(),
            header.join(" | "),
            "---:|".repeat(header.len() - 1)
        );
        for row in self.rows() {
            let cells: Vec<String> = row.iter().map(|x| escape_markdown(x)).collect();
            out += &format!("| {} |\n", cells.join(" | "));
        }
        let hung = self.hung_note();
        if !hung.is_empty() {
            out += &format!("\n{}", escape_markdown(&hung));
        }
        if !self.queues.is_empty() {
            let (header, rows) = self.queue_rows();
            out += &format!(
                "\nQueues (the longest wait per outage of the consumer):\n\n| {} |\n|---|{}\n",
                header.join(" | "),
                "---:|".repeat(header.len() - 1)
            );
            for row in rows {
                let cells: Vec<String> = row.iter().map(|x| escape_markdown(x)).collect();
                out += &format!("| {} |\n", cells.join(" | "));
            }
        }
        out
    }
}
