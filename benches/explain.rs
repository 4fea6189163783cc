//! Speed of `nines explain`'s parts on generated service graphs: compiling the diagrams (the
//! whole model, as `eval` does, and the target's cone only, as `explain` does), importance of every contributor in one sweep against one probability pass per
//! contributor and way, minimal cut sets, and the whole command.
//!
//! `cargo bench --bench explain`

use std::path::Path;

#[path = "../tests/rng.rs"]
mod rng;
use rng::Rng;

use criterion::{Criterion, criterion_group, criterion_main};

use nines::exact::{self, bdd::Var};
use nines::explain::explanation::{ExplainOptions, explain};
use nines::explain::{cone, contributors, cutsets, importance};
use nines::structure::Structure;
use nines::system::System;

/// `n` services in three zones of one region; each calls one to three of the `window` services
/// defined just before it (hard, degrading, or a redundant pair).
fn service_graph(n: usize, window: usize, seed: u64) -> System {
    let mut rng = Rng(seed);
    let mut next = move |m: usize| rng.below(m);
    let mut yaml = String::from("domains:\n  region: { availability: 99.99% }\n");
    for z in 0..3 {
        yaml += &format!("  az{z}: {{ availability: 99.95%, parent: region }}\n");
    }
    yaml += "components:\n";
    for i in 0..n {
        let replicas = 1 + next(3);
        let a = ["99.9%", "99.95%", "99.99%", "99.5%"][next(4)];
        yaml += &format!("  s{i}:\n    availability: {a}\n    replicas: {replicas}\n");
        if replicas > 1 {
            yaml += "    spread: [az0, az1, az2]\n";
        }
        if i >= 5 {
            let lo = i.saturating_sub(window);
            let mut deps: Vec<String> = Vec::new();
            for _ in 0..1 + next(3) {
                let t = lo + next(i - lo);
                let dep = match next(10) {
                    0..=6 => format!("s{t}"),
                    7 => format!("{{ component: s{t}, on_failure: degrade, timeout: 1s }}"),
                    _ => {
                        let u = lo + next(i - lo);
                        if u == t {
                            continue;
                        }
                        format!("{{ at_least: 1, of: [s{t}, s{u}] }}")
                    }
                };
                if !deps.contains(&dep) {
                    deps.push(dep);
                }
            }
            if !deps.is_empty() {
                yaml += &format!("    depends_on: [{}]\n", deps.join(", "));
            }
        }
    }
    nines::model::Model::parse(Path::new("bench.yaml"), yaml, nines::model::Format::Yaml)
        .and_then(|m| m.system())
        .expect("the generated model is valid")
}

fn bench(c: &mut Criterion) {
    for (n, window) in [(300, 8), (1000, 8)] {
        let system = service_graph(n, window, 1);
        let target = n - 1;
        let structure = Structure::new(&system);
        let root_gate = structure.components[target].down;
        let mut group = c.benchmark_group(format!("explain/{n}-services"));
        group.sample_size(10);
        let cone = cone(&structure, root_gate);
        group.bench_function("compile-whole-model", |b| {
            b.iter(|| exact::with_deep_stack(|| exact::compile(&structure).unwrap().manager.len()))
        });
        group.bench_function("compile-cone", |b| {
            b.iter(|| exact::with_deep_stack(|| exact::compile(&cone).unwrap().manager.len()))
        });
        let compiled = exact::with_deep_stack(|| exact::compile(&cone).unwrap());
        let root = compiled.gate[root_gate];
        let odds = compiled.level_odds(&structure);
        let support = structure.support(root_gate);
        let groups: Vec<Vec<Var>> = contributors(&system, &structure)
            .iter()
            .map(|c| {
                c.events
                    .iter()
                    .filter(|e| support.binary_search(e).is_ok())
                    .map(|&e| compiled.level[e])
                    .collect::<Vec<_>>()
            })
            .filter(|g| !g.is_empty())
            .collect();
        eprintln!(
            "{n} services: {} events, {} diagram nodes, {} contributors of s{target}",
            structure.events.len(),
            compiled.manager.len(),
            groups.len()
        );
        group.bench_function("importance-sweep", |b| {
            b.iter(|| importance::conditionals(&compiled.manager, root, &odds, &groups))
        });
        // The naive way costs contributors × a pass over the whole diagram: minutes at 1000.
        if n <= 300 {
            group.bench_function("importance-pass-per-group", |b| {
                b.iter(|| {
                    let mut total = 0.0;
                    for g in &groups {
                        for way in [(1.0, 0.0), (0.0, 1.0)] {
                            let mut o = odds.clone();
                            for &v in g {
                                o[v as usize] = way;
                            }
                            let pq = compiled.manager.probabilities(&o);
                            total += exact::bdd::edge_pq(&pq, root).0;
                        }
                    }
                    total
                })
            });
        }
        let p: Vec<f64> = odds.iter().map(|x| x.0).collect();
        group.bench_function("cut-sets-order-4", |b| {
            b.iter(|| {
                exact::with_deep_stack(|| {
                    cutsets::minimal_cut_sets(
                        &compiled.manager,
                        root,
                        4,
                        &p,
                        20,
                        &vec![None; p.len()],
                    )
                    .unwrap()
                    .total
                })
            })
        });
        group.bench_function("explain", |b| {
            b.iter(|| {
                explain(&system, target, ExplainOptions::default())
                    .unwrap()
                    .unavailability
            })
        });
        group.finish();
    }
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
