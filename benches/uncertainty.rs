//! `eval --uncertainty`: draws per second on the online store and on a generated model of 1,000
//! components, each with uncertain values. Each draw is one probability pass over the diagram
//! compiled once. Target on a 2-core machine: 1,000 draws of the 1,000-component model ≤ 2 s.
//! And `explain`'s variance shares of the component with an slo: at most 12 values listed and
//! one group of the rest, so 1,000 rows are at most 15,000 passes over that component's cone.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::{Format, Model};
use nines::uncertainty::propagate::{Options, propagate};
use nines::uncertainty::variance::variance_share;

mod generator;

/// A model's availabilities and mttfs given with their doubt.
fn with_doubt(text: &str) -> String {
    text.replace(
        "availability: 99.95%",
        "availability: { estimate: 99.95%, low: 99.9%, high: 99.99% }",
    )
    .replace("mttf: 180d", "mttf: { incidents: 2, over: 1y }")
    .replace("mttf: 90d", "mttf: { incidents: 4, over: 1y }")
}

fn system(text: &str) -> nines::system::System {
    Model::parse(Path::new("bench.yaml"), text.to_string(), Format::Yaml)
        .expect("the model loads")
        .system()
        .expect("the model is valid")
}

fn bench_draws(c: &mut Criterion) {
    let store = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/uncertain-store.yaml"),
    )
    .expect("the shipped model");
    let models = [
        ("uncertain-store", system(&store)),
        (
            "generated-1000",
            system(&with_doubt(&generator::tiered_model(1_000))),
        ),
    ];
    let mut group = c.benchmark_group("uncertainty");
    group.sample_size(10);
    for (name, system) in &models {
        for threads in [1, 2] {
            let options = Options {
                draws: 1_000,
                seed: 0,
                threads,
            };
            // One timed run printed as draws per second, for the notes.
            let started = Instant::now();
            propagate(system, &options, &|_| {}).expect("solves");
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "{name}: {} uncertain values, 1000 draws on {threads} thread(s) in {seconds:.3} s: {:.0} draws/s",
                nines::uncertainty::propagate::parameters(system),
                1_000.0 / seconds
            );
            group.bench_with_input(
                BenchmarkId::new(*name, format!("{threads}-threads")),
                system,
                |b, system| b.iter(|| black_box(propagate(system, &options, &|_| {}).unwrap())),
            );
        }
    }
    group.finish();
}

fn bench_variance_share(c: &mut Criterion) {
    let system = system(&with_doubt(&generator::tiered_model(1_000)));
    let target = (system.components.iter())
        .position(|c| c.slo.is_some())
        .unwrap_or(system.components.len() - 1);
    let options = Options {
        draws: 1_000,
        seed: 0,
        threads: 2,
    };
    let started = Instant::now();
    let shares = variance_share(&system, target, &options)
        .expect("solves")
        .expect("doubt touches the component");
    eprintln!(
        "variance shares of {} (generated-1000): {} evaluations on 2 threads in {:.3} s",
        system.components[target].name,
        shares.variance.evaluations,
        started.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("variance_share");
    group.sample_size(10);
    group.bench_function("generated-1000", |b| {
        b.iter(|| black_box(variance_share(&system, target, &options).unwrap()))
    });
    group.finish();
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_draws, bench_variance_share
}
criterion_main!(benches);
