//! Diagram statistics for a model: `cargo run --release --example engine_stats -- MODEL`.

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a model path");
    let t = Instant::now();
    let (_, system) =
        nines::model::load_system(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let loaded = t.elapsed();
    let structure = nines::structure::Structure::new(&system);
    let lowered = t.elapsed();
    let compiled = nines::exact::with_deep_stack(|| {
        nines::exact::compile(&structure).map(|c| c.manager.len())
    });
    println!(
        "components {} events {} gates {} nodes {:?}; load {:?} lower {:?} compile {:?}",
        system.components.len(),
        structure.events.len(),
        structure.gates.len(),
        compiled,
        loaded,
        lowered - loaded,
        t.elapsed() - lowered
    );
}
