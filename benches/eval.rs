//! `nines eval` end to end on generated tiered models: parse, validate, lower, solve exactly.
//! Targets on a 2-core machine: 1,000 components ≤ 0.2 s, 10,000 ≤ 2 s (whole process).

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::{Format, Model};

mod generator;

fn eval(text: &str) -> usize {
    let model = Model::parse(Path::new("generated.yaml"), text.to_string(), Format::Yaml)
        .expect("generated models load");
    let system = model.system().expect("generated models are valid");
    nines::exact::evaluate_system(&system)
        .expect("generated models solve")
        .len()
}

fn bench_eval(c: &mut Criterion) {
    let mut group = c.benchmark_group("eval");
    group.sample_size(10);
    for n in [100, 1_000, 3_000, 10_000] {
        let text = generator::tiered_model(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| black_box(eval(text)))
        });
    }
    group.finish();
}

fn bench_stages(c: &mut Criterion) {
    let text = generator::tiered_model(1_000);
    let model = Model::parse(Path::new("generated.yaml"), text.clone(), Format::Yaml).unwrap();
    let system = model.system().unwrap();
    let structure = nines::structure::Structure::new(&system);
    let mut group = c.benchmark_group("stages-1000");
    group.bench_function("parse", |b| {
        b.iter(|| Model::parse(Path::new("g.yaml"), black_box(text.clone()), Format::Yaml).unwrap())
    });
    group.bench_function("validate", |b| {
        b.iter(|| black_box(model.system().unwrap()))
    });
    group.bench_function("lower", |b| {
        b.iter(|| black_box(nines::structure::Structure::new(&system)))
    });
    group.bench_function("solve", |b| {
        b.iter(|| black_box(nines::exact::evaluate(&structure).unwrap()))
    });
    group.finish();
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_eval, bench_stages
}
criterion_main!(benches);
