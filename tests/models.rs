//! The shipped example models: every file in models/ loads, validates and evaluates to sane
//! probabilities, the CLI agrees with what the files claim, and the online store's numbers match
//! values computed here by hand, independently of the engine.

use std::collections::BTreeMap;
use std::path::PathBuf;

use nines::exact::{StateOdds, evaluate_system};
use nines::model::units::{DAY, HOUR, YEAR};
use nines::model::{Format, Model};
use nines::system::System;

use crate::util::*;

/// Every model file in models/, found by listing the directory (no hard-coded list, so a new
/// example is tested the day it is added).
fn model_files() -> Vec<PathBuf> {
    let dir = repo_path("models");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| Format::of(p).is_some())
        .collect();
    files.sort();
    files
}

fn load(path: &std::path::Path) -> (Model, System, Vec<StateOdds>) {
    let model = Model::load(path).unwrap_or_else(|e| panic!("{e}"));
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    let states = evaluate_system(&system).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (model, system, states)
}

fn model_path(name: &str) -> PathBuf {
    repo_path(&format!("models/{name}"))
}

/// The probability that either of two independent events happens, free of cancellation.
fn either(a: f64, b: f64) -> f64 {
    a + b - a * b
}

/// P(down) of something with mean time to failure `mttf` and to repair `mttr`.
fn down(mttf: f64, mttr: f64) -> f64 {
    mttr / (mttf + mttr)
}

fn assert_sane(path: &std::path::Path, system: &System, states: &[StateOdds]) {
    assert_eq!(states.len(), system.components.len());
    for (c, s) in system.components.iter().zip(states) {
        let at = format!("{} / {}", path.display(), c.name);
        let (a, u) = (s.availability(), s.unavailability());
        assert!((0.0..=1.0).contains(&a), "{at}: availability {a}");
        assert!((0.0..=1.0).contains(&u), "{at}: unavailability {u}");
        assert!((a + u - 1.0).abs() <= 1e-12, "{at}: {a} + {u} != 1");
        assert!(
            (0.0..=1.0).contains(&s.degraded),
            "{at}: degraded {}",
            s.degraded
        );
        assert!(s.degraded <= a, "{at}: degraded {} > {a}", s.degraded);
        assert!(
            (s.up + s.degraded - a).abs() <= 1e-12,
            "{at}: up {} + degraded {} != availability {a}",
            s.up,
            s.degraded
        );
    }
}

#[test]
fn there_are_examples_in_every_format() {
    let files = model_files();
    assert!(files.len() >= 6, "only {} models", files.len());
    for format in [Format::Yaml, Format::Toml, Format::Json] {
        assert!(
            files.iter().any(|f| Format::of(f) == Some(format)),
            "no {format:?} example in models/"
        );
    }
}

#[test]
fn every_model_loads_validates_and_evaluates() {
    for path in model_files() {
        let (model, system, states) = load(&path);
        assert!(!system.components.is_empty(), "{}", path.display());
        assert_sane(&path, &system, &states);
        // Each variant on its own is a valid design too, and evaluates as sanely.
        for (c, component) in model.spec.components.values().enumerate() {
            for v in 0..component.variants.len() {
                let mut design = vec![None; model.spec.components.len()];
                design[c] = Some(v);
                let system = model.design(&design).unwrap_or_else(|e| panic!("{e}"));
                let states = evaluate_system(&system).unwrap();
                assert_sane(&path, &system, &states);
            }
        }
    }
}

#[test]
fn the_same_model_in_several_formats_gives_the_same_numbers() {
    let mut by_stem: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for path in model_files() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        by_stem.entry(stem).or_default().push(path);
    }
    let mut compared = 0;
    for paths in by_stem.values().filter(|p| p.len() > 1) {
        let (_, first_system, first) = load(&paths[0]);
        for other in &paths[1..] {
            let (_, system, states) = load(other);
            assert_eq!(system.name, first_system.name);
            let names = |s: &System| -> Vec<String> {
                s.components.iter().map(|c| c.name.clone()).collect()
            };
            assert_eq!(names(&system), names(&first_system));
            assert_eq!(
                states,
                first,
                "{} vs {}",
                other.display(),
                paths[0].display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 1, "no model is shipped in two formats");
}

/// `nines check` passes on every example, except where the file says that an SLO is tight on
/// purpose; there it must fail (exit 1), or the comment would be a lie.
#[test]
fn check_verdicts_match_what_the_files_say() {
    for path in model_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = if text.contains("DELIBERATELY TIGHT") {
            1
        } else {
            0
        };
        let out = nines().arg("check").arg(&path).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{}: {}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        nines()
            .args(["eval", "--format", "json"])
            .arg(&path)
            .assert()
            .code(0);
    }
}

/// cdn has no domain and one hard dependency (dns): its availability is the product of the two.
#[test]
fn online_store_cdn_is_the_product_of_its_parts() {
    let (_, system, states) = load(&model_path("online-store.yaml"));
    let (cdn, dns) = (1e-4, 5e-5);
    assert_close!(
        unavailability(&system, &states, "cdn"),
        either(cdn, dns),
        1e-12
    );
    let s = &states[system.component_id("cdn").unwrap()];
    assert_close!(s.availability(), 0.9999 * 0.99995, 1e-15);
}

/// orders-db: two replicas in two zones of one region, rolling maintenance, leader failover.
/// DOWN = region ∨ failover ∨ both replicas down, where a replica is down when it failed, its
/// zone is down or it is being patched — one replica at a time.
#[test]
fn online_store_database_pair_by_hand() {
    let (_, system, states) = load(&model_path("online-store.yaml"));
    let region = 1e-4;
    let zone = down(YEAR, 3.0 * HOUR);
    let own = down(60.0 * DAY, 30.0 * 60.0);
    let patching = (15.0 * 60.0) / (30.0 * DAY);
    let replica = either(own, zone);
    // No replica patched (1 − 2m): both down; one patched (2m): the other down.
    let both = (1.0 - 2.0 * patching) * replica * replica + 2.0 * patching * replica;
    // The leader fails at 1/mttf while both replicas are in service.
    let in_service = (1.0 - region) * (1.0 - zone).powi(2) * (1.0 - own).powi(2);
    let failover = 30.0 / (60.0 * DAY) * in_service * (1.0 - 2.0 * patching);
    let expected = either(either(region, failover), both);
    assert_close!(
        unavailability(&system, &states, "orders-db"),
        expected,
        1e-12
    );
    // About 1.067e-4, as the model's comment says.
    assert!((1.066e-4..1.068e-4).contains(&expected), "{expected}");
}

/// free-shipping fails open on the carrier API, which has no domain and no dependencies: it
/// never takes free-shipping DOWN, so DEGRADED = not DOWN ∧ API down = availability × 0.5%.
#[test]
fn online_store_fail_open_degrades_by_the_api_share() {
    let (_, system, states) = load(&model_path("online-store.yaml"));
    let s = &states[system.component_id("free-shipping").unwrap()];
    assert_close!(s.degraded, s.availability() * 0.005, 1e-12);
    // And the API's outages do not reach its unavailability: that equals catalog's, which has
    // the same replicas, zones and database and no carrier API.
    assert_close!(
        s.unavailability(),
        unavailability(&system, &states, "catalog"),
        1e-12
    );
}

/// checkout is DOWN for payments only when the provider and its queue fallback are both down.
#[test]
fn online_store_payment_fallback_counts_only_when_both_fail() {
    let (_, system, states) = load(&model_path("online-store.yaml"));
    let checkout = unavailability(&system, &states, "checkout");
    // Far below the provider's own 5e-4: the queue absorbs its outages.
    assert!(checkout < 1.2e-4, "{checkout}");
    assert!(states[system.component_id("checkout").unwrap()].degraded > 5e-3);
}

/// The microservices share auth and postgres: multiplying the gateway's dependencies'
/// composite availabilities counts them several times and overstates the downtime.
#[test]
fn k8s_shared_dependencies_are_counted_once() {
    let (_, system, states) = load(&model_path("k8s-microservices.yaml"));
    let naive = ["ingress", "orders", "inventory", "users"]
        .iter()
        .fold(0.0, |u, name| {
            either(u, unavailability(&system, &states, name))
        });
    let exact = unavailability(&system, &states, "api-gateway");
    assert!(exact < naive / 3.0, "exact {exact} vs naive {naive}");
}
