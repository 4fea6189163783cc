//! Growth with input size: each input whose cost was once quadratic, at n and at 10n. A linear
//! cost takes about ten times as long at 10n; benches/bounds.md keeps the measured ratios.
//!
//!   cargo bench --bench bounds
//!
//! The inputs: `sample` and `lint` on a chain of dependencies, `fault-tree` on a chain of gates,
//! an Open-PSA file and a TOML model each written on one line, and anchors nested in anchors.
//! Besides criterion's timings, the ratio of the medians of three runs at 10n and n is printed.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use std::time::Instant;
use tempfile::TempDir;

#[path = "generator/chains.rs"]
mod chains;

use criterion::{Criterion, criterion_group, criterion_main};
use nines::exact::{self, modular};
use nines::import::open_psa::{self, Options};
use nines::model::{Format, Model};
use nines::sim::snapshot::{SnapshotOptions, sample};
use nines::structure::Structure;

/// Ratio lines cost extra untimed runs: only when benchmarking, not under `cargo test`.
fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn model(text: &str, format: Format) -> Model {
    let name = match format {
        Format::Toml => "bench.toml",
        _ => "bench.yaml",
    };
    Model::parse(Path::new(name), text.to_string(), format).unwrap_or_else(|e| panic!("{e}"))
}

/// One input at a size: prepared once, then `run` is what is timed.
type Case = Box<dyn Fn()>;

fn sample_chain(n: usize) -> Case {
    let system = model(
        &chains::dependency_chain(n, "99.99999%", None),
        Format::Yaml,
    )
    .system()
    .unwrap_or_else(|e| panic!("{e}"));
    let structure = Structure::new(&system);
    let opts = SnapshotOptions {
        seed: 1,
        ..SnapshotOptions::default()
    };
    Box::new(move || {
        black_box(sample(&structure, &opts));
    })
}

fn lint_chain(n: usize) -> Case {
    let model = model(
        &chains::dependency_chain(n, "0.99999", Some("0.5")),
        Format::Yaml,
    );
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    Box::new(move || {
        black_box(nines::lint::lint(&model, &system).expect("the chain lints"));
    })
}

/// A file written to a temporary folder, which lasts as long as the folder does.
fn file(text: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("input.xml");
    std::fs::write(&path, text).expect("the temporary folder is writable");
    (dir, path)
}

fn fault_tree_chain(n: usize) -> Case {
    let (dir, path) = file(&chains::gate_chain(n, 1e-4, false));
    Box::new(move || {
        let _ = &dir;
        let tree = open_psa::read_files(std::slice::from_ref(&path), &Options::default())
            .expect("the chain reads");
        let (circuit, gate_lit) = tree.lower();
        let outputs: Vec<_> = tree.tops.iter().map(|&g| gate_lit[g]).collect();
        black_box(
            exact::with_deep_stack(|| modular::probabilities(&circuit, &outputs, &[]))
                .expect("the chain solves"),
        );
    })
}

fn one_line_xml(n: usize) -> Case {
    let (dir, path) = file(&chains::gate_chain(n, 1e-4, true));
    Box::new(move || {
        let _ = &dir;
        black_box(
            open_psa::read_files(std::slice::from_ref(&path), &Options::default())
                .expect("the line reads"),
        );
    })
}

fn one_line_toml(n: usize) -> Case {
    let text = chains::one_line_toml(n);
    Box::new(move || {
        let system = model(&text, Format::Toml)
            .system()
            .unwrap_or_else(|e| panic!("{e}"));
        black_box(exact::evaluate(&Structure::new(&system)).expect("the model solves"));
    })
}

fn nested_anchors(leaves: usize) -> Case {
    let text = chains::nested_anchors(leaves);
    Box::new(move || {
        // Read whole, then refused for its unknown key `x`.
        let read = Model::parse(Path::new("bench.yaml"), text.clone(), Format::Yaml);
        black_box(read.is_err());
    })
}

/// Makes the case of an input at a size.
type Maker = fn(usize) -> Case;

/// Each input, its maker and its size n (10n is measured too).
const INPUTS: &[(&str, Maker, usize)] = &[
    ("sample, dependency chain", sample_chain, 300),
    ("lint, dependency chain", lint_chain, 4_000),
    ("fault-tree, gate chain", fault_tree_chain, 4_000),
    ("import open-psa, one line", one_line_xml, 4_000),
    ("eval, TOML on one line", one_line_toml, 4_000),
    ("eval, 60 nested anchors", nested_anchors, 70_000),
];

fn median_seconds(run: &Case) -> f64 {
    let mut t: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[1]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("bounds");
    group.sample_size(10);
    // Under `cargo test` each case runs once: a tenth of the sizes keeps that quick.
    let scale = if measuring() { 1 } else { 10 };
    let mut ratios = Vec::new();
    for &(what, make, n) in INPUTS {
        let n = n / scale;
        let (small, large) = (make(n), make(10 * n));
        group.bench_function(format!("{what}, n = {n}"), |b| b.iter(&small));
        group.bench_function(format!("{what}, n = {}", 10 * n), |b| b.iter(&large));
        if measuring() {
            let (a, b) = (median_seconds(&small), median_seconds(&large));
            ratios.push(format!(
                "{what}: n = {n} {a:.3} s, 10n = {} {b:.3} s, ratio {:.1}",
                10 * n,
                b / a
            ));
        }
    }
    group.finish();
    for line in ratios {
        println!("{line}");
    }
}

// No plots: they need a system font, which CI machines lack.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
