//! Independent truth for small models: `nines::exact::enumerate`, SPEC §3 applied to every state
//! of the basic events, read from the `System` (not from the gates the engines use).

use nines::exact::StateOdds;
use nines::exact::enumerate::enumerate;
use nines::structure::Structure;
use nines::system::System;

/// Enumeration costs 2^events × components; above this it is left out.
pub const MAX_EVENTS: usize = 10;

/// Asserts that the engine's states equal enumeration's to 1e-11 (absolute: sums of up to 2^10
/// products).
pub fn check(system: &System, structure: &Structure, states: &[StateOdds]) {
    assert!(structure.events.len() <= MAX_EVENTS);
    let truths = enumerate(system, structure).expect("a validated system, few events");
    for ((c, truth), got) in system.components.iter().zip(&truths).zip(states) {
        let name = &c.name;
        for (what, t, g) in [
            ("down", truth.down.p, got.down.p),
            ("degraded", truth.degraded, got.degraded),
            ("up", truth.up, got.up),
        ] {
            assert!(
                (t - g).abs() <= 1e-11,
                "{name} {what}: enumeration {t:e} engine {g:e}"
            );
        }
    }
}
