//! `nines lint` and `nines report` on generated tiered models: every rule, and the whole review
//! (exact evaluation, explanations of up to six components, lint, both renderings) without
//! cost curves (benches/tradeoff.rs times those).
//! Targets on a 2-core machine: lint of 1,000 components ≤ 0.5 s; the review ≤ 2 s.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::{Format, Model};
use nines::report::review::{Review, ReviewOptions};

mod generator;

fn load(n: usize) -> (Model, nines::system::System) {
    let text = generator::tiered_model(n);
    let model = Model::parse(Path::new("generated.yaml"), text, Format::Yaml)
        .expect("generated models load");
    let system = model.system().expect("generated models are valid");
    (model, system)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    for n in [100, 1_000, 3_000] {
        let (model, system) = load(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(nines::lint::lint(&model, &system).unwrap().len()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("review");
    group.sample_size(10);
    for n in [100, 1_000] {
        let (model, system) = load(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let review = Review::build(
                    &model,
                    &system,
                    ReviewOptions {
                        tradeoff: false,
                        ..ReviewOptions::default()
                    },
                )
                .unwrap();
                black_box(review.markdown().len() + review.html().len())
            })
        });
    }
    group.finish();
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
