//! Speed of `nines tradeoff`: one design's exact evaluation and its parts, enumeration of a
//! model with tens of thousands of designs, and the optimiser on astronomically many.
//!
//! `cargo bench --bench tradeoff`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nines::cost::local::{self, Part};
use nines::cost::{self, Catalog, Request};
use nines::exact;
use nines::model::{Format, Model};
use nines::structure::Structure;

/// `components` components, each with three replica counts over three shared zones, all called
/// by one front end: 3^components designs, no independent modules.
fn zoned(components: usize) -> String {
    let mut y = String::from(
        "cost: { downtime_per_hour: 5000, degraded_per_hour: 500 }\n\
         domains:\n  region: { availability: 0.9999 }\n  \
         a: { availability: 0.999, parent: region }\n  b: { availability: 0.998, parent: region }\n  \
         c: { availability: 0.9995, parent: region }\ncomponents:\n",
    );
    let mut deps = Vec::new();
    for i in 0..components {
        y += &format!(
            "  c{i}:\n    availability: 0.99{i}\n    spread: [a, b, c]\n    variants:\n      \
             - {{ name: one, replicas: 1, cost: {} }}\n      \
             - {{ name: two, replicas: 2, cost: {} }}\n      \
             - {{ name: three, replicas: 3, cost: {} }}\n",
            100 + 10 * i,
            210 + 10 * i,
            330 + 15 * i
        );
        deps.push(format!("c{i}"));
    }
    y += &format!(
        "  front:\n    availability: 0.9999\n    depends_on: [{}]\n    slo: 0.995\n",
        deps.join(", ")
    );
    y
}

/// Redundancy allocation: `n` independent subsystems in series, six variants each.
fn series(n: usize) -> String {
    let mut y = String::from("cost: { downtime_per_hour: 40 }\ncomponents:\n");
    let mut deps = Vec::new();
    for i in 0..n {
        let a = 0.8 + 0.01 * (i % 15) as f64;
        y += &format!("  s{i}:\n    availability: {a}\n    variants:\n");
        for (t, (da, c)) in [(0.0, 2 + i % 3), (0.03, 3 + i % 4)].iter().enumerate() {
            for r in 1..=3 {
                y += &format!(
                    "      - {{ name: t{t}x{r}, availability: {}, replicas: {r}, cost: {c} }}\n",
                    a + da
                );
            }
        }
        deps.push(format!("s{i}"));
    }
    y += &format!(
        "  system:\n    availability: 1\n    depends_on: [{}]\n    slo: 0.9\n",
        deps.join(", ")
    );
    y
}

fn model(text: &str) -> Model {
    Model::parse(Path::new("bench.yaml"), text.to_string(), Format::Yaml).unwrap()
}

fn one_design(c: &mut Criterion) {
    let m = model(&zoned(10));
    let catalog = Catalog::new(&m).unwrap();
    let picks: Vec<usize> = (0..catalog.base.components.len()).map(|i| i % 3).collect();
    let parts: Vec<(usize, Part<'_>)> = (0..catalog.base.components.len())
        .map(|i| (i, Part::Real(catalog.component(i, picks[i]))))
        .collect();
    let target = catalog.base.components.len() - 1;
    let mut g = c.benchmark_group("one design of 3^10");
    g.bench_function("build local system", |b| {
        b.iter(|| black_box(local::build(&catalog.base, &parts)))
    });
    let system = local::build(&catalog.base, &parts).system;
    g.bench_function("lower to gates", |b| {
        b.iter(|| black_box(Structure::new(&system)))
    });
    let structure = Structure::new(&system);
    g.bench_function("compile diagram", |b| {
        b.iter(|| exact::with_deep_stack(|| black_box(exact::compile(&structure).is_ok())))
    });
    g.bench_function("whole evaluation", |b| {
        b.iter(|| {
            exact::with_deep_stack(|| {
                for _ in 0..100 {
                    black_box(local::evaluate(&system, &[target]).unwrap());
                }
            })
        })
    });
    g.finish();
}

fn enumerate(c: &mut Criterion) {
    let m = model(&zoned(8));
    let mut g = c.benchmark_group("tradeoff");
    g.sample_size(10);
    for shared_diagram in [true, false] {
        let name = if shared_diagram {
            "enumerate 3^8 = 6561 designs, one shared diagram"
        } else {
            "enumerate 3^8 = 6561 designs, a diagram per design"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let catalog = Catalog::new(&m).unwrap();
                let request = Request {
                    shared_diagram,
                    threads: 1,
                    ..Request::default()
                };
                black_box(cost::analyse(catalog, &request).unwrap())
            })
        });
    }
    let s = model(&series(20));
    g.bench_function("optimise 6^20 designs (20 modules in series)", |b| {
        b.iter(|| {
            let catalog = Catalog::new(&s).unwrap();
            black_box(cost::analyse(catalog, &Request::default()).unwrap())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Criterion's own charts need a system font; the numbers are what matter here.
    config = Criterion::default().without_plots();
    targets = one_design, enumerate
}
criterion_main!(benches);
