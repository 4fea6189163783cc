//! How often a gate starts happening: the outage frequency a circuit breaker is charged by.
//!
//! For independent events that alternate between happening and not (a replica failing and
//! being repaired), a gate starts happening when one event starts while the others hold the
//! gate on its edge: ν(gate) = Σₑ [P(gate | e) − P(gate | not e)] · νₑ, with νₑ the number of
//! times event e starts per second. Exact in the steady state for monotone gates over
//! independent alternating processes, whatever their distributions.

use super::bdd;
use crate::model::units::Odds;
use crate::structure::{EventId, EventKind, GateId, Structure};
use crate::system::System;

/// Starts per second of each basic event: one per failure–repair cycle of a replica or domain,
/// one per maintenance period, one per failover or breaker opening; a hang is not a process of
/// its own (it is drawn when its component's outage starts).
fn starts_per_second(structure: &Structure, system: &System, e: EventId) -> f64 {
    let cycle = |f: f64, r: f64| {
        let c = f + r;
        if c > 0.0 && c.is_finite() {
            1.0 / c
        } else {
            0.0
        }
    };
    let odds = structure.events[e].odds;
    match structure.events[e].kind {
        EventKind::Replica { component, .. } => {
            let c = &system.components[component];
            cycle(c.failure.mean_s, c.repair.mean_s)
        }
        EventKind::Domain(d) => {
            let d = &system.domains[d];
            cycle(d.failure.mean_s, d.repair.mean_s)
        }
        EventKind::Maintenance(c) | EventKind::RollingMaintenance { component: c, .. } => system
            .components[c]
            .maintenance
            .as_ref()
            .map_or(0.0, |m| 1.0 / m.every_s),
        EventKind::Failover(c) => {
            let t = system.components[c].failover_s;
            if t > 0.0 { odds.p / t } else { 0.0 }
        }
        EventKind::Breaker { .. } => structure
            .breakers
            .iter()
            .find(|b| b.event == e)
            .map_or(0.0, |b| odds.p / b.seconds),
        EventKind::Hang(_) => 0.0,
    }
}

/// Gives every breaker event its probability: its target's outage frequency times the time the
/// breaker needs to open. Breakers are charged in the order they were built, so a breaker whose
/// target sits behind another breaker sees that one already charged. A model too entangled to
/// compile is charged by an upper bound of the frequency (every event's starts added up).
pub fn charge_breakers(structure: &mut Structure, system: &System) {
    let compiled = super::with_deep_stack(|| super::compile(structure).ok());
    for i in 0..structure.breakers.len() {
        let (event, gate, seconds) = {
            let b = &structure.breakers[i];
            (b.event, b.target_down, b.seconds)
        };
        let frequency = match &compiled {
            Some(compiled) => outage_frequency(structure, system, compiled, gate),
            None => (structure.support(gate).into_iter())
                .map(|e| starts_per_second(structure, system, e))
                .sum(),
        };
        structure.events[event].odds = Odds::from_p((frequency * seconds).clamp(0.0, 1.0));
    }
}

/// Starts per second of `gate`, by the events' Birnbaum importances.
pub fn outage_frequency(
    structure: &Structure,
    system: &System,
    compiled: &super::Compiled,
    gate: GateId,
) -> f64 {
    let odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
    let probability = |odds: &[Odds]| {
        let pq = compiled
            .manager
            .probabilities(&compiled.level_odds_of(structure, odds));
        bdd::edge_pq(&pq, compiled.gate[gate]).0
    };
    let mut total = 0.0;
    for e in structure.support(gate) {
        let rate = starts_per_second(structure, system, e);
        if rate == 0.0 {
            continue;
        }
        // Within an exclusive group, e happening rules the others out, and e not happening
        // leaves them their share of the rest.
        let group: &[EventId] = match structure.group_of[e] {
            Some((g, _)) => &structure.exclusive[g as usize].members,
            None => &[],
        };
        let mut on = odds.clone();
        let mut off = odds.clone();
        on[e] = Odds::ALWAYS;
        off[e] = Odds::NEVER;
        let rest = odds[e].q;
        for &x in group.iter().filter(|&&x| x != e) {
            on[x] = Odds::NEVER;
            if rest > 0.0 {
                off[x] = Odds::from_p((odds[x].p / rest).min(1.0));
            }
        }
        total += (probability(&on) - probability(&off)).max(0.0) * rate;
    }
    total
}
