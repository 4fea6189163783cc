//! The firefighting curve: what each design's way of repairing costs, and how long an outage
//! of the component looked at then lasts. The nines curve says how often the component is down;
//! this one says for how long, against the money that buys faster repairs.
//!
//! An outage's mean length is the component's unavailability over its outage frequency (the
//! number of outages a second, exact in the steady state: see `exact::frequency`). For a
//! component alone it is its mean repair time; with replicas and dependencies it is the mean
//! time to restore service, whatever failed.

use super::{HOURS_PER_MONTH, Outcome, Tradeoff};
use crate::exact::frequency::outage_frequency;
use crate::exact::{self, EngineError};
use crate::structure::Structure;
use crate::system::{Component, System};

/// The most designs given a point of their own; beyond, the curve follows the frontier.
pub const MAX_POINTS: usize = 1000;

/// One design on the firefighting curve.
#[derive(Clone, Debug, PartialEq)]
pub struct RepairPoint {
    /// The design, as in the tradeoff's outcomes.
    pub outcome: Outcome,
    /// The mean length of an outage of the component looked at, in seconds (infinite when it
    /// never comes back, 0 when it is never down).
    pub mean_outage_s: f64,
    /// What its downtime costs a month at the model's `downtime_per_hour`.
    pub downtime_cost: f64,
}

/// Whether the designs differ in how some component is repaired: a recovery or a responder.
pub fn varies_recovery(t: &Tradeoff) -> bool {
    let catalog = &t.catalog;
    catalog.axes.iter().any(|&c| {
        let key = |v: &Component| {
            v.recovery
                .as_ref()
                .map(|r| (r.mean.total().to_bits(), r.responder))
        };
        let first = key(catalog.component(c, 0));
        (1..catalog.options(c)).any(|v| key(catalog.component(c, v)) != first)
    })
}

/// The curve: one point per listed design (the frontier when the designs are not listed or too
/// many), cheapest first; None when the designs do not differ in how anything is repaired.
pub fn curve(t: &Tradeoff) -> Result<Option<Vec<RepairPoint>>, EngineError> {
    if !varies_recovery(t) {
        return Ok(None);
    }
    let mut outcomes: Vec<&Outcome> = match &t.designs {
        Some(all) if all.len() <= MAX_POINTS => all.iter().collect(),
        _ => t.frontier.iter().collect(),
    };
    if !outcomes.iter().any(|o| o.choice == t.sweet_spot.choice) {
        outcomes.push(&t.sweet_spot);
    }
    let mut points = outcomes
        .iter()
        .map(|o| {
            Ok(RepairPoint {
                outcome: (*o).clone(),
                mean_outage_s: mean_outage_s(&design_system(t, &o.choice), t.target, o.down.p)?,
                downtime_cost: HOURS_PER_MONTH * o.down.p * t.prices.downtime_per_hour,
            })
        })
        .collect::<Result<Vec<_>, EngineError>>()?;
    points.sort_by(|a, b| {
        (a.outcome.cost)
            .total_cmp(&b.outcome.cost)
            .then(a.mean_outage_s.total_cmp(&b.mean_outage_s))
    });
    Ok(Some(points))
}

/// The whole system of one design.
fn design_system(t: &Tradeoff, choice: &[usize]) -> System {
    let catalog = &t.catalog;
    let picks = catalog.picks(choice);
    let mut system = catalog.base.clone();
    for (c, slot) in system.components.iter_mut().enumerate() {
        *slot = catalog.component(c, picks[c]).clone();
    }
    system
}

/// The mean length of an outage of `target`, whose unavailability is `down`: that over its
/// outage frequency.
pub fn mean_outage_s(system: &System, target: usize, down: f64) -> Result<f64, EngineError> {
    let structure = Structure::new(system);
    let gate = structure.components[target].down;
    if down <= 0.0 {
        return Ok(0.0);
    }
    let compiled = exact::with_deep_stack(|| exact::compile(&structure))?;
    let frequency = outage_frequency(&structure, system, &compiled, gate);
    Ok(if frequency > 0.0 {
        down / frequency
    } else {
        f64::INFINITY
    })
}
