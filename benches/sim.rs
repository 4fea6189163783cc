//! Monte Carlo throughput: the timeline simulation on the 20-component model of issue 3 and on
//! generated tiered models of growing size, and snapshot sampling (plain and importance).
//!
//!   cargo bench --bench sim
//!
//! Events per second and samples per second are printed beside criterion's timings.

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

#[path = "../tests/rng.rs"]
mod rng;
use rng::Rng;

use criterion::{Criterion, criterion_group, criterion_main};
use nines::model::{Format, Model};
use nines::sim::snapshot::{Importance, SnapshotOptions, sample};
use nines::sim::stream::default_threads;
use nines::sim::timeline::{Start, TimelineOptions, simulate};
use nines::structure::Structure;
use nines::system::System;

const YEAR: f64 = 365.0 * 86_400.0;

/// Throughput lines cost an extra untimed pass: only when benchmarking, not under `cargo test`.
fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn system(yaml: &str) -> System {
    Model::parse(Path::new("bench.yaml"), yaml.to_string(), Format::Yaml)
        .and_then(|m| m.system())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A deterministic tiered model of `n` components over two regions of three zones: data
/// stores (2 of 3 replicas), services with hard, fail-open and grouped dependencies on lower
/// tiers, and front ends. (A richer generator lives in benches/generator on main.)
fn tiered_model(n: usize) -> String {
    let mut rng = Rng(n as u64 ^ 0x9E37_79B9_7F4A_7C15);
    let mut next = move |below: usize| rng.below(below);
    let mut out = String::from("name: tiered\nwindow: 30d\ndomains:\n");
    for r in ["east", "west"] {
        writeln!(out, "  {r}: {{ availability: 99.99% }}").unwrap();
        for z in 1..=3 {
            writeln!(out, "  {r}-{z}: {{ mttf: 180d, mttr: 2h, parent: {r} }}").unwrap();
        }
    }
    out += "components:\n";
    let stores = (n / 5).max(2);
    let fronts = (n / 20).max(1);
    let mut names: Vec<String> = Vec::new();
    for i in 0..stores {
        let r = ["east", "west"][i % 2];
        writeln!(out, "  store-{i}: {{ mttf: 90d, mttr: 1h, replicas: 3, min_available: 2, spread: [{r}-1, {r}-2, {r}-3] }}").unwrap();
        names.push(format!("store-{i}"));
    }
    for i in 0..n - stores - fronts {
        let mut deps = Vec::new();
        for _ in 0..1 + next(3) {
            let t = &names[next(names.len())];
            let dep = match next(4) {
                0 => format!("{{ component: {t}, on_failure: degrade, timeout: 1s }}"),
                1 => format!("{{ component: {t}, tolerate: 2m }}"),
                _ => t.clone(),
            };
            // A model lists an entry once.
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
        let r = ["east", "west"][next(2)];
        writeln!(
            out,
            "  svc-{i}: {{ availability: 99.95%, replicas: {}, spread: [{r}-1, {r}-2, {r}-3], depends_on: [{}] }}",
            1 + next(3),
            deps.join(", ")
        )
        .unwrap();
        names.push(format!("svc-{i}"));
    }
    for i in 0..fronts {
        let a = &names[names.len() - 1 - next(n / 2)];
        let b = &names[names.len() - 1 - next(n / 2)];
        writeln!(out, "  front-{i}: {{ availability: 99.99%, replicas: 2, spread: [east-1, west-1], depends_on: [{{ at_least: 1, of: [{a}, {b}] }}], slo: 99.9% }}").unwrap();
    }
    out
}

fn bench_20() -> System {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/bench-20.yaml"))
            .expect("models/bench-20.yaml");
    system(&text)
}

fn timeline(c: &mut Criterion) {
    let threads = default_threads();
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    let s = bench_20();
    let opts = TimelineOptions {
        runs: 10_000,
        horizon_s: YEAR,
        seed: 1,
        threads,
        start: Start::Stationary,
    };
    if measuring() {
        let t = Instant::now();
        let events = simulate(&s, &opts, &|_| {}).events;
        eprintln!(
            "bench-20, 10000 runs of a year: {events} events, {:.3e} events/s",
            events as f64 / t.elapsed().as_secs_f64()
        );
    }
    g.bench_function("bench-20/10000 runs", |b| {
        b.iter(|| simulate(&s, &opts, &|_| {}))
    });
    // Scaling with N: 100 runs each, so the 1000-component model stays quick to bench.
    for n in [100, 300, 1000] {
        let s = system(&tiered_model(n));
        let opts = TimelineOptions {
            runs: 100,
            horizon_s: YEAR,
            seed: 1,
            threads,
            start: Start::Stationary,
        };
        if measuring() {
            let t = Instant::now();
            let events = simulate(&s, &opts, &|_| {}).events;
            eprintln!(
                "tiered-{n}, 100 runs: {events} events, {:.3e} events/s",
                events as f64 / t.elapsed().as_secs_f64()
            );
        }
        g.bench_function(format!("tiered-{n}/100 runs"), |b| {
            b.iter(|| simulate(&s, &opts, &|_| {}))
        });
    }
    g.finish();
}

fn snapshot(c: &mut Criterion) {
    let threads = default_threads();
    let mut g = c.benchmark_group("sample");
    g.sample_size(10);
    for (name, s, samples) in [
        ("bench-20", bench_20(), 10_000_000u64),
        ("tiered-1000", system(&tiered_model(1000)), 1_000_000),
    ] {
        let structure = Structure::new(&s);
        let opts = SnapshotOptions {
            samples,
            seed: 1,
            threads,
            importance: Importance::Off,
            ..SnapshotOptions::default()
        };
        if measuring() {
            let t = Instant::now();
            let r = sample(&structure, &opts);
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "{name}: {samples} samples of {} events: {:.3e} samples/s, {:.3e} event-samples/s",
                structure.events.len(),
                samples as f64 / secs,
                r.event_samples as f64 / secs
            );
        }
        g.bench_function(format!("{name}/{samples} plain"), |b| {
            b.iter(|| sample(&structure, &opts))
        });
    }
    // Nine nines by importance sampling, to ±2%.
    let s = system(
        "components:\n  store: { availability: 99.9%, replicas: 3 }\n  app: { availability: 99.99%, depends_on: [store] }\n",
    );
    let structure = Structure::new(&s);
    let opts = SnapshotOptions {
        samples: 100_000,
        seed: 1,
        threads,
        ..SnapshotOptions::default()
    };
    g.bench_function("nine-nines/importance", |b| {
        b.iter(|| sample(&structure, &opts))
    });
    // One component at nine nines with the default options: the pilot, a million plain
    // samples and the importance estimate, as `nines sample` runs it.
    let s = system("components:\n  a: { availability: 99.9999999% }\n");
    let structure = Structure::new(&s);
    let opts = SnapshotOptions {
        seed: 1,
        threads,
        ..SnapshotOptions::default()
    };
    g.bench_function("one-component-nine-nines/default", |b| {
        b.iter(|| sample(&structure, &opts))
    });
    g.finish();
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = timeline, snapshot
}
criterion_main!(benches);
