//! The Open-PSA importer on arbitrary bytes. A document it reads, when small, is solved three
//! ways that must agree: the modular engine on the lowered circuit (what `nines fault-tree`
//! does), the circuit evaluated on every state of its events, and — for a coherent tree — the
//! imported model's exact evaluation (what `nines import` + `nines eval` do).

use std::path::PathBuf;

use nines::exact::{self, enumerate, modular};
use nines::import::open_psa::{self, Options};

/// Trees with more events are only read (and lowered): 2^12 states, a millisecond (below
/// `enumerate::MAX_EVENTS`).
const MAX_EVENTS: usize = 12;
/// Nor is a larger circuit solved: one input must cost milliseconds.
const MAX_NODES: usize = 2_000;

pub fn check_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = [(PathBuf::from("fuzz.xml"), text.to_string())];
    let tree = match open_psa::parse(&sources, &Options::default()) {
        Ok(tree) => tree,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let (circuit, gates) = tree.lower();
    if circuit.events.len() > MAX_EVENTS || circuit.nodes.len() > MAX_NODES {
        return;
    }
    let odds = match exact::with_deep_stack(|| modular::probabilities(&circuit, &gates, &[])) {
        Ok(odds) => odds,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let truth = enumerate::circuit_probabilities(&circuit, &gates).expect("few events");
    for ((gate, o), t) in tree.gates.iter().zip(&odds).zip(&truth) {
        assert!(
            (o.p - t).abs() <= 1e-9 && (o.q - (1.0 - t)).abs() <= 1e-9,
            "gate {}: the engine gives P = {} (1 − P = {}), enumeration {t}",
            gate.name,
            o.p,
            o.q
        );
    }
    if tree.first_non_coherent().is_some() {
        return;
    }
    let spec = tree
        .to_model()
        .unwrap_or_else(|e| panic!("a coherent tree imports: {e}"));
    let system = nines::model::validate::validate(&spec, "fuzz")
        .unwrap_or_else(|e| panic!("an imported tree is a valid model: {}", e.message));
    let states = nines::exact::evaluate_system(&system).expect("a small model solves");
    for (gate, o) in tree.gates.iter().zip(&odds) {
        let c = system
            .component_id(&gate.name)
            .unwrap_or_else(|| panic!("gate {} is a component", gate.name));
        let p = states[c].down.p;
        assert!(
            (p - o.p).abs() <= 1e-9,
            "gate {}: the imported model gives {p}, the fault tree {}",
            gate.name,
            o.p
        );
    }
}
