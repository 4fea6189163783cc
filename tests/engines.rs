//! `eval` and `simulate` implement one semantics: on random models mixing every feature —
//! domains, k-of-n, fallbacks, groups, rolling and whole maintenance, failover on the leader
//! and on any replica, every failure and repair distribution — the timeline's long-run
//! unavailability lies within its 99.9% interval of the exact value, wherever `eval` lists no
//! approximation.

use nines::model::spec::{DistKind, Distribution, Maintenance, ModelSpec};
use nines::model::units::{Duration, YEAR};
use nines::sim::timeline::{TimelineOptions, simulate};
use nines::structure::{EventKind, Structure};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::exact::model_strategy;

/// Student's t at 99.9% two-sided for the runs' degrees of freedom (47), rounded up.
const T999: f64 = 3.6;

/// A model from the shared generator, with times the timeline can run through: maintenance
/// daily instead of every 100 s, and each component's exponential times replaced by a
/// distribution of the same means (steady state depends on the means only).
fn timeline_model(mut spec: ModelSpec, kinds: &[u8]) -> ModelSpec {
    let hour = 3600.0;
    for (i, c) in spec.components.values_mut().enumerate() {
        if let Some(m) = &mut c.maintenance {
            *m = Maintenance {
                every: Duration::from_secs(24.0 * hour),
                duration: Duration::from_secs(if m.rolling { 3.0 } else { 2.0 } * hour),
                rolling: m.rolling,
            };
        }
        let Some(a) = c.availability else { continue };
        if a.down.p == 0.0 || a.down.q == 0.0 {
            continue;
        }
        let (kind, shape, sigma) = match kinds[i % kinds.len()] {
            0 => continue,
            1 => (DistKind::Weibull, Some(0.7), None),
            2 => (DistKind::Lognormal, None, Some(1.0)),
            3 => (DistKind::Gamma, Some(2.5), None),
            _ => (DistKind::Fixed, None, None),
        };
        // The default repair time is one hour: failures every hour × A / (1 − A).
        let mttf = hour * a.down.q / a.down.p;
        c.availability = None;
        c.failure = Some(Distribution {
            dist: kind,
            mean: Duration::from_secs(mttf),
            shape,
            sigma,
        });
        c.repair = Some(Distribution {
            dist: if kind == DistKind::Fixed {
                DistKind::Weibull
            } else {
                kind
            },
            mean: Duration::from_secs(hour),
            shape: shape.or((kind == DistKind::Fixed).then_some(1.5)),
            sigma,
        });
    }
    spec
}

#[test]
fn simulate_agrees_with_eval_on_random_models() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (model_strategy(), proptest::collection::vec(0u8..5, 6));
    let (mut checked, mut misses, mut approximate) = (0, Vec::new(), 0);
    for case in 0..100 {
        let (spec, kinds) = strategy.new_tree(&mut runner).unwrap().current();
        let spec = timeline_model(spec, &kinds);
        // Through JSON text, so the model is what a user could have written.
        let yaml = serde_json::to_string_pretty(&spec).expect("a model serializes");
        let model = nines::model::Model::parse(
            std::path::Path::new("random.json"),
            yaml.clone(),
            nines::model::Format::Json,
        )
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let system = model.system().unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let structure = Structure::new(&system);
        let exact = nines::exact::evaluate(&structure).unwrap();
        let sim = simulate(
            &system,
            &TimelineOptions {
                runs: 48,
                horizon_s: 2.0 * YEAR,
                seed: case,
                threads: 2,
                ..Default::default()
            },
            &|_| {},
        );
        for (c, (x, e)) in sim.components.iter().zip(&exact).enumerate() {
            let name = &system.components[c].name;
            // Failover is an approximation of eval's, and so is everything that reads it.
            let approximated = structure
                .support(structure.components[c].down)
                .iter()
                .any(|&ev| matches!(structure.events[ev].kind, EventKind::Failover(_)));
            let se = x.unavailability_se;
            let off = (x.unavailability - e.down.p).abs();
            if approximated {
                approximate += 1;
                // First order in the failover's share: within a tenth of the failover's
                // part, which is itself a small share here.
                assert!(
                    off <= T999 * se + 0.1 * e.down.p,
                    "case {case}, {name}: simulated {:e} ± {se:e}, approximate {:e}\n{yaml}",
                    x.unavailability,
                    e.down.p
                );
                continue;
            }
            checked += 1;
            if off > T999 * se + 1e-12 {
                misses.push(format!(
                    "case {case}, {name}: simulated {:e} ± {se:e}, exact {:e}\n{yaml}",
                    x.unavailability, e.down.p
                ));
            }
        }
    }
    assert!(checked > 200, "only {checked} components compared");
    assert!(
        approximate > 10,
        "only {approximate} components with failover"
    );
    // At 99.9% each, a few misses in several hundred comparisons are chance; more is a bug.
    assert!(
        misses.len() <= 3,
        "{} misses of {checked}:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
