//! `nines fault-tree`: the exact probabilities of a fault tree's gates.

use serde::Serialize;

use super::Format;
use super::table::{Screen, Table};
use super::text::escape_markdown;

/// One gate's exact probability.
#[derive(Clone, Debug, Serialize)]
pub struct GateProbability {
    /// The gate's name, as the fault tree writes it.
    pub name: String,
    /// A gate no other gate uses.
    pub top: bool,
    /// P(the gate is true), a probability.
    pub probability: f64,
    /// 1 − probability, kept apart so that values near one keep their digits.
    pub complement: f64,
}

/// The results of `nines fault-tree`: the exact probabilities of a fault tree's gates.
#[derive(Clone, Debug, Serialize)]
pub struct FaultTreeReport {
    /// The fault tree's name, when it gives one.
    pub model: Option<String>,
    /// Gates in the tree.
    pub gates_total: usize,
    /// Basic events in the tree.
    pub basic_events: usize,
    /// House events (fixed true or false) in the tree.
    pub house_events: usize,
    /// Common-cause failure groups in the tree.
    pub ccf_groups: usize,
    /// The gates shown, with their probabilities.
    pub gates: Vec<GateProbability>,
}

impl FaultTreeReport {
    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        let title = format!(
            "{}: {} gates over {} basic events{} — exact probabilities",
            self.model.as_deref().unwrap_or("fault tree"),
            self.gates_total,
            self.basic_events,
            match (self.house_events, self.ccf_groups) {
                (0, 0) => String::new(),
                (h, c) => format!(", {h} house events, {c} common-cause groups"),
            }
        );
        let kind = |g: &GateProbability| if g.top { "top" } else { "gate" };
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("serialises") + "\n",
            Format::Markdown => {
                let mut out = format!("{title}\n\n| gate | | probability |\n|---|---|---:|\n");
                for g in &self.gates {
                    out += &format!(
                        "| {} | {} | {:.6e} |\n",
                        escape_markdown(&g.name),
                        kind(g),
                        g.probability
                    );
                }
                out
            }
            Format::Table => {
                let mut t = Table::new(screen)
                    .text("gate")
                    .label("")
                    .number("probability");
                for g in &self.gates {
                    t.row([
                        g.name.clone(),
                        kind(g).to_string(),
                        format!("{:.6e}", g.probability),
                    ]);
                }
                screen.fit(&format!("{title}\n{t}\n"))
            }
        }
    }
}
