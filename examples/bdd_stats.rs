//! Diagram size and time of the exact engine on models, for profiling:
//! `cargo run --release --example bdd_stats -- MODEL...` (the size is of `compile_with`, without
//! modules; the evaluate time is the engine's, with them).
use std::time::Instant;
fn main() {
    for path in std::env::args().skip(1) {
        let t0 = Instant::now();
        let (_, system) = nines::model::load_system(std::path::Path::new(&path))
            .unwrap_or_else(|e| panic!("{e}"));
        let t1 = Instant::now();
        let structure = nines::structure::Structure::new(&system);
        let t2 = Instant::now();
        let r = nines::exact::with_deep_stack(|| {
            let c = nines::exact::compile_with(&structure, true)?;
            let n = c.manager.len();
            let t3 = Instant::now();
            let states = nines::exact::evaluate(&structure)?;
            Ok::<_, nines::exact::EngineError>((n, t3, states))
        });
        match r {
            Ok((n, t3, states)) => println!(
                "{path}: load {:.3}s structure {:.3}s compile {:.3}s nodes {n} evaluate {:.3}s top {:e}",
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                (t3 - t2).as_secs_f64(),
                t3.elapsed().as_secs_f64(),
                states[0].down.p
            ),
            Err(e) => println!("{path}: {e}"),
        }
    }
}
