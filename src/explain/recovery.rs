//! What recovery money buys: for each component with a `recovery` that a component depends on,
//! the changes an SRE would weigh — another responder, a health check that restarts more
//! failures, detection twice as fast, or one of the component's own variants that repairs
//! differently — each with the exact downtime it saves the component asked about and what it
//! costs a month, best value first.
//!
//! Every gain is the difference of two exact evaluations: the model as written and the model
//! with that one change. A change's cost is the difference of the two designs' monthly costs
//! (components and the responders they call on, each responder once); a restart or a faster
//! detection has no price in the model, so its cost is unknown and the worth of the downtime
//! it saves says what it may cost.

use serde::Serialize;

use crate::exact::{self, EngineError};
use crate::model::Model;
use crate::model::spec::{RecoverySpec, RestartSpec, Share};
use crate::model::units::{Duration, MINUTE, YEAR};
use crate::system::{ComponentId, System};

/// The restart shares an investment in health checks steps through.
pub const RESTART_STEPS: [f64; 4] = [0.5, 0.7, 0.9, 0.99];

/// How long a restart takes when the component has none yet: a health check's restart.
pub const NEW_RESTART_S: f64 = MINUTE;

/// What kind of change an option is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lever {
    /// Another of the model's responders repairs what restarts do not.
    Responder,
    /// A restart fixes the next step of the failures.
    Restart,
    /// Monitoring notices failures in half the time.
    Detect,
    /// One of the component's variants.
    Variant,
}

/// One change to one component's recovery and what it buys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecoveryOption {
    /// The component whose recovery changes.
    pub component: String,
    /// What kind of change it is: a responder, a restart, faster detection or a variant.
    pub lever: Lever,
    /// The change in words: `responder office → oncall`.
    pub change: String,
    /// That component's mean repair time before the change, in seconds.
    pub mttr_before_s: f64,
    /// That component's mean repair time after the change, in seconds.
    pub mttr_after_s: f64,
    /// The unavailability of the component asked about with the change.
    pub unavailability_after: f64,
    /// Its downtime saved a year.
    pub downtime_saved_per_year_s: f64,
    /// The change in monthly cost; null when the model does not price the change.
    pub cost_per_month: Option<f64>,
    /// The downtime saved at the model's `downtime_per_hour`, a month; null without a price.
    pub downtime_cost_saved_per_month: Option<f64>,
    /// Downtime saved a year (seconds) per unit of money a month; null when the change is free,
    /// saves money or has no price.
    pub saved_per_year_s_per_money: Option<f64>,
}

/// Monthly cost of a whole system: components and, once each, the responders they call on.
fn monthly_cost(system: &System) -> f64 {
    system
        .components
        .iter()
        .map(|c| c.monthly_cost())
        .sum::<f64>()
        + system.responder_cost(&system.components)
}

/// `target` and everything it may call, with a recovery, in model order.
fn levers(system: &System, target: ComponentId) -> Vec<ComponentId> {
    let mut seen = vec![false; system.components.len()];
    let mut stack = vec![target];
    while let Some(c) = stack.pop() {
        if std::mem::replace(&mut seen[c], true) {
            continue;
        }
        for d in &system.components[c].dependencies {
            stack.extend(d.targets());
            stack.extend(d.fallback);
        }
    }
    (0..seen.len())
        .filter(|&c| seen[c] && system.components[c].recovery.is_some())
        .collect()
}

fn duration_text(s: f64) -> String {
    crate::model::units::format_duration_human(s)
}

fn percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p}%")
    }
}

/// The changes worth weighing for one component: (lever, words, the changed model).
fn candidates(model: &Model, system: &System, c: ComponentId) -> Vec<(Lever, String, System)> {
    let name = &system.components[c].name;
    let Some(spec) = model.spec.components.get(name) else {
        return Vec::new();
    };
    let Some(written) = spec.recovery.clone() else {
        return Vec::new();
    };
    let recovery = system.components[c]
        .recovery
        .as_ref()
        .expect("a component with a recovery key has a recovery");
    let with = |r: RecoverySpec| {
        let mut m = model.clone();
        if let Some(s) = m.spec.components.get_mut(name) {
            s.recovery = Some(r);
        }
        m
    };
    let mut out = Vec::new();
    if let Some(current) = recovery.responder {
        for (i, other) in system.responders.iter().enumerate() {
            if i == current {
                continue;
            }
            out.push((
                Lever::Responder,
                format!(
                    "responder {} → {}",
                    system.responders[current].name, other.name
                ),
                with(RecoverySpec {
                    responder: Some(other.name.clone()),
                    ..written.clone()
                }),
            ));
        }
    }
    let share = recovery.restart_share;
    if let Some(&next) = RESTART_STEPS.iter().find(|&&s| s > share + 1e-9) {
        let time = written
            .restart
            .as_ref()
            .map_or(Duration::from_secs(NEW_RESTART_S), |r| r.time);
        out.push((
            Lever::Restart,
            format!(
                "restart {} → {} in {}",
                percent(share),
                percent(next),
                duration_text(time.seconds)
            ),
            with(RecoverySpec {
                restart: Some(RestartSpec {
                    share: Share(next),
                    time,
                }),
                ..written.clone()
            }),
        ));
    }
    if recovery.detect_s > 0.0 {
        out.push((
            Lever::Detect,
            format!(
                "detect {} → {}",
                duration_text(recovery.detect_s),
                duration_text(recovery.detect_s / 2.0)
            ),
            with(RecoverySpec {
                detect: Some(Duration::from_secs(recovery.detect_s / 2.0)),
                ..written.clone()
            }),
        ));
    }
    let key = |r: Option<&crate::system::Recovery>| r.map(|r| (r.mean.total(), r.responder));
    let mut out: Vec<(Lever, String, System)> = out
        .into_iter()
        .filter_map(|(lever, words, m)| Some((lever, words, m.system().ok()?)))
        .collect();
    for (v, variant) in spec.variants.iter().enumerate() {
        let mut design = vec![None; system.components.len()];
        design[c] = Some(v);
        if let Ok(changed) = model.design(&design)
            && key(changed.components[c].recovery.as_ref()) != key(Some(recovery))
        {
            out.push((Lever::Variant, format!("variant {}", variant.name), changed));
        }
    }
    out
}

/// The recovery options of every component with a recovery that `target` depends on (itself
/// included), or of `only` that one: the ones that save `target` downtime, best value first.
pub fn options(
    model: &Model,
    system: &System,
    target: ComponentId,
    only: Option<ComponentId>,
) -> Result<Vec<RecoveryOption>, EngineError> {
    let components = match only {
        Some(c) if system.components[c].recovery.is_some() => vec![c],
        Some(_) => Vec::new(),
        None => levers(system, target),
    };
    if components.is_empty() {
        return Ok(Vec::new());
    }
    let before = exact::evaluate_system(system)?[target].down.p;
    let cost_before = monthly_cost(system);
    let price = system.downtime_per_hour;
    let mut out = Vec::new();
    for c in components {
        let mttr = |s: &System| {
            s.components[c]
                .recovery
                .as_ref()
                .map_or(0.0, |r| r.mean.total())
        };
        for (lever, change, changed) in candidates(model, system, c) {
            let after = exact::evaluate_system(&changed)?[target].down.p;
            let saved = before - after;
            if saved <= 0.0 {
                continue;
            }
            let cost = match lever {
                Lever::Responder | Lever::Variant => Some(monthly_cost(&changed) - cost_before),
                Lever::Restart | Lever::Detect => None,
            };
            let saved_per_year_s = saved * YEAR;
            out.push(RecoveryOption {
                component: system.components[c].name.clone(),
                lever,
                change,
                mttr_before_s: mttr(system),
                mttr_after_s: mttr(&changed),
                unavailability_after: after,
                downtime_saved_per_year_s: saved_per_year_s,
                cost_per_month: cost,
                downtime_cost_saved_per_month: (price > 0.0)
                    .then_some(saved * crate::cost::HOURS_PER_MONTH * price),
                saved_per_year_s_per_money: cost.filter(|&m| m > 0.0).map(|m| saved_per_year_s / m),
            });
        }
    }
    out.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| value(b).total_cmp(&value(a)))
            .then_with(|| a.component.cmp(&b.component))
            .then_with(|| a.change.cmp(&b.change))
    });
    Ok(out)
}

/// Free changes first, then priced ones, then those the model does not price.
fn rank(o: &RecoveryOption) -> u8 {
    match o.cost_per_month {
        Some(m) if m <= 0.0 => 0,
        Some(_) => 1,
        None => 2,
    }
}

/// What orders options of one rank: downtime saved per money, or downtime saved.
fn value(o: &RecoveryOption) -> f64 {
    o.saved_per_year_s_per_money
        .unwrap_or(o.downtime_saved_per_year_s)
}
