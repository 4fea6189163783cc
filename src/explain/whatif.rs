//! What if some components or domains were down, or some were more (or less) available: every
//! component's exact state probabilities under the change, next to today's.
//!
//! Failing a component or a domain forces every basic event it owns to happen (P = 1, and
//! Q = 0 exactly, so "down for sure" comes out as an exact zero); the events stay independent, so
//! this is the exact conditional probability. A new availability replaces a component's replica
//! availability (its repair time kept, its failure rate derived) or a domain's availability, as if
//! the model file said so.

use serde::Serialize;

use crate::exact::bdd::{self, Edge};
use crate::exact::{self, Compiled, EngineError, StateOdds};
use crate::model::units::{Availability, Odds, format_percent};
use crate::report::Format;
use crate::report::table::{Cell, Paint, Screen, Table};
use crate::report::text::{escape_markdown, format_share};
use crate::structure::{Gate, Owner, Structure};
use crate::system::System;

/// How a change affects a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// DOWN for sure.
    Down,
    /// Never fully UP: runs on fallbacks (DEGRADED) whenever it is not DOWN.
    Degraded,
    /// Less available, or degraded more often, than today.
    Worse,
    /// More available, or degraded less often, than today.
    Better,
    /// Nothing it depends on changed (or the change makes no difference).
    Untouched,
}

impl Effect {
    pub fn label(self) -> &'static str {
        match self {
            Effect::Down => "DOWN",
            Effect::Degraded => "degraded",
            Effect::Worse => "worse",
            Effect::Better => "better",
            Effect::Untouched => "—",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ComponentWhatIf {
    pub name: String,
    pub availability: f64,
    pub unavailability: f64,
    pub degraded: f64,
    pub up: f64,
    pub baseline_availability: f64,
    pub baseline_unavailability: f64,
    pub baseline_degraded: f64,
    pub effect: Effect,
    /// P(HUNG): calls to it hang (a part of the unavailability), with the change and today.
    pub hung: f64,
    pub baseline_hung: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Improvement {
    pub name: String,
    pub availability: f64,
    pub unavailability: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct WhatIf {
    pub model: String,
    pub failed: Vec<String>,
    pub improved: Vec<Improvement>,
    pub components: Vec<ComponentWhatIf>,
}

/// The system with new availabilities, as if the model file gave them.
pub fn with_availabilities(system: &System, changes: &[(Owner, Availability)]) -> System {
    let mut changed = system.clone();
    for &(owner, a) in changes {
        // Repair time stays; failures become as frequent as the new availability implies.
        let failure_mean = |repair_s: f64| {
            if a.down.p > 0.0 {
                repair_s * a.down.q / a.down.p
            } else {
                f64::INFINITY
            }
        };
        match owner {
            Owner::Component(c) => {
                let comp = &mut changed.components[c];
                comp.replica_failed = a.down;
                comp.replica_down = match &comp.maintenance {
                    Some(m) if m.rolling => a
                        .down
                        .either(Odds::ratio(m.duration_s, m.every_s - m.duration_s)),
                    _ => a.down,
                };
                comp.failure.mean_s = failure_mean(comp.repair.mean_s);
            }
            Owner::Domain(d) => {
                let dom = &mut changed.domains[d];
                dom.down = a.down;
                dom.failure.mean_s = failure_mean(dom.repair.mean_s);
            }
        }
    }
    changed
}

/// The diagrams of every component's DEGRADED state, built once for any number of passes.
fn degraded_edges(
    compiled: &mut Compiled,
    structure: &Structure,
) -> Result<Vec<Edge>, EngineError> {
    structure
        .components
        .iter()
        .map(|c| {
            compiled
                .manager
                .and(compiled.gate[c.impaired], bdd::not(compiled.gate[c.down]))
                .map_err(EngineError::from)
        })
        .collect()
}

/// Every component's states and P(HUNG) under the given odds of each event, from compiled
/// diagrams.
fn states(
    compiled: &Compiled,
    structure: &Structure,
    degraded: &[Edge],
    odds: &[Odds],
) -> Vec<(StateOdds, f64)> {
    let level_odds = compiled.level_odds_of(structure, odds);
    let pq = compiled.manager.probabilities(&level_odds);
    structure
        .components
        .iter()
        .zip(degraded)
        .map(|(c, &d)| {
            let (p, q) = bdd::edge_pq(&pq, compiled.gate[c.down]);
            let states = StateOdds {
                down: Odds { p, q },
                degraded: bdd::edge_pq(&pq, d).0,
                up: bdd::edge_pq(&pq, compiled.gate[c.impaired]).1,
            };
            (states, bdd::edge_pq(&pq, compiled.gate[c.hung]).0)
        })
        .collect()
}

/// Exact states of every component with `failed` down and `improved` at new availabilities,
/// next to today's.
pub fn what_if(
    system: &System,
    failed: &[Owner],
    improved: &[(Owner, Availability)],
) -> Result<WhatIf, EngineError> {
    let baseline = Structure::new(system);
    // Failed means available 0%: every quantity derived from the availabilities (the
    // failovers, which count the replicas in service) follows as in any other model.
    let down = Availability { down: Odds::ALWAYS };
    // Later changes win: a failed owner stays failed whatever it was improved to.
    let changes: Vec<(Owner, Availability)> = (improved.iter().copied())
        .chain(failed.iter().map(|&o| (o, down)))
        .collect();
    let changed_system = with_availabilities(system, &changes);
    let changed = Structure::new(&changed_system);
    let (before, after) = exact::with_deep_stack(|| -> Result<_, EngineError> {
        let mut compiled = exact::compile(&baseline)?;
        let degraded = degraded_edges(&mut compiled, &baseline)?;
        let base_odds: Vec<Odds> = baseline.events.iter().map(|e| e.odds).collect();
        let before = states(&compiled, &baseline, &degraded, &base_odds);
        // A new availability can add or drop an event (a failover that no longer happens);
        // only when the events and gates are the same can one diagram serve both.
        let same_shape = changed.gates == baseline.gates
            && changed.events.len() == baseline.events.len()
            && changed
                .events
                .iter()
                .zip(&baseline.events)
                .all(|(a, b)| a.kind == b.kind);
        let after = if same_shape {
            let odds: Vec<Odds> = changed.events.iter().map(|e| e.odds).collect();
            states(&compiled, &baseline, &degraded, &odds)
        } else {
            let mut compiled = exact::compile(&changed)?;
            let degraded = degraded_edges(&mut compiled, &changed)?;
            let odds: Vec<Odds> = changed.events.iter().map(|e| e.odds).collect();
            states(&compiled, &changed, &degraded, &odds)
        };
        Ok((before, after))
    })?;

    // Which gates can see a changed event: only those components may differ from today.
    let changed_owners: Vec<Owner> = failed
        .iter()
        .copied()
        .chain(improved.iter().map(|&(o, _)| o))
        .collect();
    let mut affected = vec![false; baseline.gates.len()];
    for (g, gate) in baseline.gates.iter().enumerate() {
        affected[g] = match gate {
            Gate::Never => false,
            Gate::Event(e) => changed_owners.contains(&baseline.events[*e].owner()),
            Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => xs.iter().any(|&x| affected[x]),
        };
    }

    let components = system
        .components
        .iter()
        .enumerate()
        .map(|(c, comp)| {
            let ((b, b_hung), (a, a_hung)) = (before[c], after[c]);
            let gates = baseline.components[c];
            let effect = if !affected[gates.down] && !affected[gates.impaired] {
                Effect::Untouched
            } else if a.down.q == 0.0 {
                Effect::Down
            } else if a.up == 0.0 && b.up > 0.0 {
                Effect::Degraded
            } else if a.down.p > b.down.p || (a.down.p == b.down.p && a.degraded > b.degraded) {
                Effect::Worse
            } else if a.down.p < b.down.p || a.degraded < b.degraded {
                Effect::Better
            } else {
                Effect::Untouched
            };
            ComponentWhatIf {
                name: comp.name.clone(),
                availability: a.down.q,
                unavailability: a.down.p,
                degraded: a.degraded,
                up: a.up,
                baseline_availability: b.down.q,
                baseline_unavailability: b.down.p,
                baseline_degraded: b.degraded,
                effect,
                hung: a_hung,
                baseline_hung: b_hung,
            }
        })
        .collect();
    let name_of = |o: Owner| match o {
        Owner::Component(c) => system.components[c].name.clone(),
        Owner::Domain(d) => system.domains[d].name.clone(),
    };
    Ok(WhatIf {
        model: system.name.clone(),
        failed: failed.iter().map(|&o| name_of(o)).collect(),
        improved: improved
            .iter()
            .map(|&(o, a)| Improvement {
                name: name_of(o),
                availability: a.value(),
                unavailability: a.unavailability(),
            })
            .collect(),
        components,
    })
}

impl WhatIf {
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
        crate::report::text::hung_line(
            "hung (calls to it hang)",
            self.components.iter().map(|c| (c.name.as_str(), c.hung)),
        )
    }
}
