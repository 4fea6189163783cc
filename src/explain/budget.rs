//! Error budgets top down, after Treynor, Dahlin, Rau and Beyer, "The Calculus of Service
//! Availability" (ACM Queue 15(2), 2017): a service's slo allows `(1 − slo) × year` of downtime;
//! every unique hard dependency spends its unavailability of it; what is left is the service's
//! own. Their rule of the extra nine: a hard dependency should have one more nine than the slo.
//!
//! Choices made here (docs/explain.md says them to users):
//! - Hard means `on_failure: fail`. A `degrade` call with a fallback is charged as one more way
//!   down: the call and its fallback both DOWN. Other degrade and ignore calls spend nothing.
//! - Dependencies are followed transitively through hard edges and each component is listed once.
//!   Each is charged for its **own** unavailability (its replicas, domains, maintenance and
//!   failover), since its own dependencies are listed on their own lines: nothing is charged twice.
//! - A redundancy group is one dependency (so is a call with its fallback). It is charged the
//!   exact probability that the group is DOWN while every event of the components listed on
//!   their own lines is perfect — what the group adds beyond them — and its members' dependencies
//!   are not followed further (the group's probability holds them). This keeps the sum an upper
//!   bound: the group depends on listed components only through their own failures, and is
//!   monotone, so P(group DOWN and no listed component down on its own) ≤ P(group DOWN | their
//!   events perfect).
//! - The sum is a union bound: the component's exact unavailability is never above its own plus
//!   what its dependencies spend (domains shared by several dependencies are counted by each).

use std::collections::{HashMap, VecDeque};

use comfy_table::{Cell, CellAlignment, Color};
use serde::Serialize;

use super::{OwnEvents, cone, new_table};
use crate::exact::bdd::{self, Edge};
use crate::exact::{self, EngineError};
use crate::model::units::{Availability, YEAR, format_percent};
use crate::report::text::{escape_markdown, format_nines, format_share};
use crate::report::{Format, finite};
use crate::structure::{Owner, Structure};
use crate::system::{ComponentId, DependencyTarget, OnFailure, System};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    Component,
    Group,
    /// A degrading call together with its fallback: DOWN when both are.
    Fallback,
}

#[derive(Clone, Debug, Serialize)]
pub struct BudgetDependency {
    pub name: String,
    pub kind: DependencyKind,
    /// The component that calls it (the first found, nearest the target).
    pub via: String,
    /// The availability it is charged at: its own, dependencies aside (for a group: given the
    /// components listed on their own lines are up).
    pub availability: f64,
    pub unavailability: f64,
    pub nines: Option<f64>,
    pub spend_per_year_s: f64,
    /// Its share of the budget (null when the budget is zero).
    pub share: Option<f64>,
    /// What it delivers to its callers, its own dependencies included.
    pub composite_availability: f64,
    /// Whether it has at least one nine more than the slo (the rule of the extra nine).
    pub extra_nine: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Budget {
    pub model: String,
    pub component: String,
    pub slo: f64,
    pub slo_unavailability: f64,
    pub budget_per_year_s: f64,
    pub dependencies_spend_per_year_s: f64,
    /// What is left for the component's own failures (negative: the dependencies overspend).
    pub own_per_year_s: f64,
    /// What its own failures (replicas, domains, maintenance, failover) take today.
    pub own_actual_per_year_s: f64,
    pub own_fits: bool,
    /// The component's exact unavailability, all dependencies and redundancy included.
    pub unavailability: f64,
    pub meets_slo: bool,
    pub outages_per_year: Option<f64>,
    /// Time to detect and recover allowed per outage: the own budget over the outages.
    pub per_outage_s: Option<f64>,
    /// Dependencies that degrade or are ignored: they spend nothing.
    pub not_charged: Vec<String>,
    pub dependencies: Vec<BudgetDependency>,
}

/// A way down through dependencies: a component, a group, or a call and its fallback.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Hard {
    Component(ComponentId),
    Group {
        at_least: u32,
        members: Vec<ComponentId>,
    },
    /// A degrading call whose fallback is down too.
    Fallback {
        called: Box<Hard>,
        fallback: ComponentId,
    },
}

/// The diagram of a group or a call-and-fallback being DOWN (their members' dependencies
/// included).
fn way_down(
    compiled: &mut crate::exact::Compiled,
    structure: &Structure,
    hard: &Hard,
) -> Result<Edge, crate::exact::bdd::TooLarge> {
    match hard {
        Hard::Component(t) => Ok(compiled.gate[structure.components[*t].down]),
        Hard::Group { at_least, members } => {
            let mut downs: Vec<Edge> = members
                .iter()
                .map(|&m| compiled.gate[structure.components[m].down])
                .collect();
            downs.sort_by_key(|&e| std::cmp::Reverse(compiled.manager.var(e)));
            // DOWN when fewer than k members are up: n - k + 1 of them down.
            let need = members.len() + 1 - (*at_least as usize).min(members.len() + 1);
            if need == 0 || need > downs.len() {
                Ok(bdd::ZERO)
            } else {
                compiled.manager.at_least(need, &downs)
            }
        }
        Hard::Fallback { called, fallback } => {
            let called = way_down(compiled, structure, called)?;
            let fallback = compiled.gate[structure.components[*fallback].down];
            compiled.manager.and(called, fallback)
        }
    }
}

impl Hard {
    fn name(&self, system: &System) -> String {
        let name_of = |c: ComponentId| system.components[c].name.clone();
        match self {
            Hard::Component(t) => name_of(*t),
            Hard::Group { at_least, members } => format!(
                "{at_least} of {{{}}}",
                members
                    .iter()
                    .map(|&m| name_of(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Hard::Fallback { called, fallback } => {
                format!(
                    "{} and its fallback {}",
                    called.name(system),
                    name_of(*fallback)
                )
            }
        }
    }

    fn kind(&self) -> DependencyKind {
        match self {
            Hard::Component(_) => DependencyKind::Component,
            Hard::Group { .. } => DependencyKind::Group,
            Hard::Fallback { .. } => DependencyKind::Fallback,
        }
    }
}

/// Whether `u` leaves room for one more nine than `slo_u`, with rounding slack so that
/// 99.999% passes under 99.99%.
fn has_extra_nine(u: f64, slo_u: f64) -> bool {
    u <= slo_u / 10.0 * (1.0 + 1e-9)
}

pub fn budget(
    system: &System,
    target: ComponentId,
    slo: Availability,
    outages_per_year: Option<f64>,
) -> Result<Budget, EngineError> {
    // The unique hard dependencies, breadth first so that `via` is the nearest caller.
    let mut order: Vec<(Hard, ComponentId)> = Vec::new();
    let mut seen: HashMap<Hard, usize> = HashMap::new();
    let mut soft: Vec<ComponentId> = Vec::new();
    let mut queue = VecDeque::from([target]);
    while let Some(c) = queue.pop_front() {
        for dep in &system.components[c].dependencies {
            let called = match &dep.target {
                DependencyTarget::Component(t) => Hard::Component(*t),
                DependencyTarget::Group { at_least, members } => {
                    let mut members = members.clone();
                    members.sort_unstable();
                    Hard::Group {
                        at_least: *at_least,
                        members,
                    }
                }
            };
            let hard = match (dep.on_failure, dep.fallback) {
                (OnFailure::Fail, _) => called,
                // Degrading onto a fallback still goes down when both are down.
                (OnFailure::Degrade, Some(fallback)) => Hard::Fallback {
                    called: Box::new(called),
                    fallback,
                },
                _ => {
                    soft.extend(dep.targets());
                    continue;
                }
            };
            if seen.contains_key(&hard) {
                continue;
            }
            seen.insert(hard.clone(), order.len());
            if let Hard::Component(t) = hard {
                queue.push_back(t);
            }
            order.push((hard, c));
        }
    }
    let mut listed = vec![false; system.components.len()];
    for (h, _) in &order {
        if let Hard::Component(t) = h {
            listed[*t] = true;
        }
    }

    let structure = Structure::new(system);
    let computed = exact::with_deep_stack(|| -> Result<_, EngineError> {
        // Everything charged lies in the target's cone (its dependencies, groups, fallbacks).
        let mut compiled = exact::compile(&cone(&structure, structure.components[target].down))?;
        let own_events = OwnEvents::new(system, &structure);
        let target_own = own_events.down(&mut compiled, &structure, system, target, true)?;
        let mut edges: Vec<Edge> = Vec::with_capacity(order.len());
        for (hard, _) in &order {
            edges.push(match hard {
                Hard::Component(t) => {
                    own_events.down(&mut compiled, &structure, system, *t, true)?
                }
                other => way_down(&mut compiled, &structure, other)?,
            });
        }
        let odds = compiled.level_odds(&structure);
        let pq = compiled.manager.probabilities(&odds);
        // Groups and fallbacks are charged with every listed component's own events perfect:
        // what they add beyond the lines above them (see the module's notes).
        let mut perfect = odds.clone();
        for (e, event) in structure.events.iter().enumerate() {
            if let Owner::Component(c) = event.owner()
                && listed[c]
            {
                perfect[compiled.level[e] as usize] = (0.0, 1.0);
            }
        }
        let conditioned = order.iter().any(|(h, _)| !matches!(h, Hard::Component(_)));
        let pq_given_listed_up = if conditioned {
            compiled.manager.probabilities(&perfect)
        } else {
            Vec::new()
        };
        let target_down = bdd::edge_pq(&pq, compiled.gate[structure.components[target].down]);
        let own = bdd::edge_pq(&pq, target_own);
        let charged: Vec<((f64, f64), (f64, f64))> = order
            .iter()
            .zip(&edges)
            .map(|((hard, _), &e)| match hard {
                Hard::Component(t) => (
                    bdd::edge_pq(&pq, e),
                    bdd::edge_pq(&pq, compiled.gate[structure.components[*t].down]),
                ),
                _ => (bdd::edge_pq(&pq_given_listed_up, e), bdd::edge_pq(&pq, e)),
            })
            .collect();
        Ok((target_down, own, charged))
    })?;
    let (target_down, own, charged) = computed;

    let slo_u = slo.down.p;
    let budget_per_year_s = slo_u * YEAR;
    let name_of = |c: ComponentId| system.components[c].name.clone();
    let dependencies: Vec<BudgetDependency> = order
        .iter()
        .zip(&charged)
        .map(
            |((hard, via), &((p, q), (_, composite_q)))| BudgetDependency {
                name: hard.name(system),
                kind: hard.kind(),
                via: name_of(*via),
                availability: q,
                unavailability: p,
                nines: finite(-p.log10()),
                spend_per_year_s: p * YEAR,
                share: finite(p / slo_u),
                composite_availability: composite_q,
                extra_nine: has_extra_nine(p, slo_u),
            },
        )
        .collect();
    let spent: f64 = dependencies.iter().map(|d| d.spend_per_year_s).sum();
    let own_per_year_s = budget_per_year_s - spent;
    let own_actual_per_year_s = own.0 * YEAR;
    let mut not_charged: Vec<String> = soft
        .into_iter()
        .filter(|&c| !listed[c])
        .map(name_of)
        .collect();
    not_charged.sort();
    not_charged.dedup();
    Ok(Budget {
        model: system.name.clone(),
        component: name_of(target),
        slo: slo.value(),
        slo_unavailability: slo_u,
        budget_per_year_s,
        dependencies_spend_per_year_s: spent,
        own_per_year_s,
        own_actual_per_year_s,
        own_fits: own_actual_per_year_s <= own_per_year_s * (1.0 + 1e-12),
        unavailability: target_down.0,
        meets_slo: target_down.0 <= slo_u,
        outages_per_year,
        per_outage_s: outages_per_year
            .filter(|&n| n > 0.0)
            .map(|n| own_per_year_s.max(0.0) / n),
        not_charged,
        dependencies,
    })
}

/// A share of a yearly budget, to the hundredth of the unit people budget in: `52.56 min`.
fn format_budget(seconds: f64) -> String {
    let s = seconds.abs();
    if !s.is_finite() {
        "∞".into()
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{:.2} min", s / 60.0)
    } else if s < 86400.0 {
        format!("{:.2} h", s / 3600.0)
    } else {
        format!("{:.2} d", s / 86400.0)
    }
}

impl Budget {
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(color),
            Format::Markdown => self.markdown(),
        }
    }

    fn slo_text(&self) -> String {
        format_percent(self.slo, self.slo_unavailability)
    }

    fn summary(&self) -> Vec<(String, String)> {
        let mut rows = vec![
            (
                format!("error budget of {}", self.slo_text()),
                format!("{} / year", format_budget(self.budget_per_year_s)),
            ),
            (
                format!(
                    "spent by {} hard dependenc{}",
                    self.dependencies.len(),
                    if self.dependencies.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    }
                ),
                format!(
                    "{} / year",
                    format_budget(self.dependencies_spend_per_year_s)
                ),
            ),
        ];
        rows.push(if self.own_per_year_s >= 0.0 {
            (
                format!("left for {} itself", self.component),
                format!("{} / year", format_budget(self.own_per_year_s)),
            )
        } else {
            (
                "overspent by the dependencies".into(),
                format!("{} / year", format_budget(self.own_per_year_s)),
            )
        });
        rows.push((
            format!("{} on its own, today", self.component),
            format!(
                "{} / year ({})",
                format_budget(self.own_actual_per_year_s),
                if self.own_fits {
                    "fits"
                } else {
                    "does not fit"
                }
            ),
        ));
        if let (Some(n), Some(per)) = (self.outages_per_year, self.per_outage_s) {
            rows.push((
                format!("time to detect and recover, {n} outages / year"),
                format!("{} per outage", format_budget(per)),
            ));
        }
        rows.push((
            "exact unavailability, all included".into(),
            format!(
                "{} / year ({})",
                format_budget(self.unavailability * YEAR),
                if self.meets_slo {
                    "meets the slo"
                } else {
                    "misses the slo"
                }
            ),
        ));
        rows
    }

    fn missing_nine(&self) -> Vec<&str> {
        self.dependencies
            .iter()
            .filter(|d| !d.extra_nine)
            .map(|d| d.name.as_str())
            .collect()
    }

    fn table(&self, color: bool) -> String {
        let mut out = format!(
            "{} — error budget of {} at {}\n",
            self.model,
            self.component,
            self.slo_text()
        );
        if !self.dependencies.is_empty() {
            let mut t = new_table(color);
            t.set_header(vec![
                "hard dependency",
                "via",
                "own availability",
                "nines",
                "spends / year",
                "of budget",
                "extra nine",
            ]);
            for d in &self.dependencies {
                let nine = Cell::new(if d.extra_nine {
                    "✓"
                } else {
                    "✗ needs more"
                });
                let nine = match (color, d.extra_nine) {
                    (true, true) => nine.fg(Color::Green),
                    (true, false) => nine.fg(Color::Red),
                    _ => nine,
                };
                t.add_row(vec![
                    Cell::new(&d.name),
                    Cell::new(&d.via),
                    Cell::new(format_percent(d.availability, d.unavailability))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(d.nines.map_or("∞".into(), format_nines))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(format_budget(d.spend_per_year_s))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(d.share.map_or("—".into(), format_share))
                        .set_alignment(CellAlignment::Right),
                    nine,
                ]);
            }
            out += &format!("{t}\n");
        } else {
            out += "no hard dependencies: the whole budget is the component's own\n";
        }
        let mut s = new_table(color);
        s.load_style(comfy_table::presets::NOTHING);
        for (k, v) in self.summary() {
            s.add_row(vec![
                Cell::new(k),
                Cell::new(v).set_alignment(CellAlignment::Right),
            ]);
        }
        out += &format!("{s}\n");
        let missing = self.missing_nine();
        if !missing.is_empty() {
            out += &format!(
                "rule of the extra nine: {} should {} at least {} available\n",
                missing.join(", "),
                if missing.len() == 1 { "be" } else { "each be" },
                format_percent(
                    1.0 - self.slo_unavailability / 10.0,
                    self.slo_unavailability / 10.0
                )
            );
        }
        if !self.not_charged.is_empty() {
            out += &format!(
                "not charged (degrade without fallback, or ignore): {}\n",
                self.not_charged.join(", ")
            );
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "## {} — error budget of {} at {}\n\n",
            escape_markdown(&self.model),
            escape_markdown(&self.component),
            self.slo_text()
        );
        if !self.dependencies.is_empty() {
            out += "| hard dependency | via | own availability | nines | spends / year | of budget | extra nine |\n";
            out += "|---|---|---:|---:|---:|---:|---|\n";
            for d in &self.dependencies {
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} | {} |\n",
                    escape_markdown(&d.name),
                    escape_markdown(&d.via),
                    format_percent(d.availability, d.unavailability),
                    d.nines.map_or("∞".into(), format_nines),
                    format_budget(d.spend_per_year_s),
                    d.share.map_or("—".into(), format_share),
                    if d.extra_nine { "✓" } else { "✗" }
                );
            }
            out += "\n";
        }
        for (k, v) in self.summary() {
            out += &format!("- {}: **{}**\n", escape_markdown(&k), escape_markdown(&v));
        }
        let missing = self.missing_nine();
        if !missing.is_empty() {
            out += &format!(
                "- rule of the extra nine not met by: {}\n",
                escape_markdown(&missing.join(", "))
            );
        }
        out
    }
}
