//! The exact engine on Aralia fault trees (`../shared/bench/open-psa/Aralia` beside the clone;
//! skipped where it is absent): read, lower, rewrite, build and weigh the diagrams, as
//! `nines fault-tree` does. The trees are the ones nearest SCRAM's own time (its BDD alone,
//! `scram --bdd -l 1`, 0.15–0.9 s on the 2-core machine of 2026-11-27; scripts/bench-scram.sh
//! runs the two side by side), plus das9701 (target: under 5 s, SCRAM 25–50 s) when
//! NINES_BENCH_DAS9701 is set, since one sample of it takes seconds.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use nines::exact::{self, modular};
use nines::import::open_psa::{self, Options};

fn top_probability(path: &Path) -> f64 {
    let tree = open_psa::read_files(&[path.to_path_buf()], &Options::default())
        .expect("the Aralia trees read");
    let (circuit, gate_lit) = tree.lower();
    let outputs: Vec<_> = tree.tops.iter().map(|&g| gate_lit[g]).collect();
    exact::with_deep_stack(|| modular::probabilities(&circuit, &outputs, &[]))
        .expect("the tree solves")[0]
        .p
}

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/open-psa/Aralia");
    if !dir.is_dir() {
        eprintln!(
            "fault-tree bench skipped: no Aralia trees at {}",
            dir.display()
        );
        return;
    }
    let mut trees = vec![
        "edf9202", "edfpa15b", "edfpa14o", "edfpa14b", "edf9203", "edf9204",
    ];
    if std::env::var_os("NINES_BENCH_DAS9701").is_some() {
        trees.push("das9701");
    }
    let mut group = c.benchmark_group("fault-tree");
    group.sample_size(10);
    for tree in trees {
        let path = dir.join(format!("{tree}.xml"));
        group.bench_function(tree, |b| b.iter(|| black_box(top_probability(&path))));
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
