//! Properties every model must have: monotonicity, and unavailabilities accurate to 1e-9
//! relative down to 1e-36, checked against exact rational arithmetic.

use std::path::Path;

use nines::model::spec::{ComponentSpec, DependencySpec, DomainSpec, ModelSpec, OnFailure, Target};
use nines::model::units::Availability;
use nines::model::{Format, Model};
use nines::structure::{EventKind, Structure};
use nines::system::System;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};
use proptest::prelude::*;

fn system_of(spec: &ModelSpec) -> System {
    let text = serde_json::to_string(spec).unwrap();
    Model::parse(Path::new("p.json"), text, Format::Json)
        .unwrap_or_else(|e| panic!("{e}"))
        .system()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Unavailabilities from 1e-1 to 1e-12, as the decimal text users write.
pub(crate) const NINES: &[&str] = &[
    "90%",
    "99%",
    "99.9%",
    "99.99%",
    "99.999%",
    "99.9999%",
    "99.99999999%",
    "99.9999999999%",
    "95%",
    "99.95%",
];

/// 1 - availability exactly, from the decimal text.
fn exact_unavailability(text: &str) -> BigRational {
    let digits = text.trim_end_matches('%');
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = BigInt::from(10u32).pow(frac.len() as u32) * BigInt::from(100u32);
    let value: BigInt = format!("{int}{frac}").parse().unwrap();
    BigRational::one() - BigRational::new(value, scale)
}

pub(crate) fn small_model() -> impl Strategy<Value = (ModelSpec, Vec<String>)> {
    let components = prop::collection::vec(
        (
            0..NINES.len(),
            1u32..=3,
            any::<prop::sample::Index>(),
            prop::collection::vec(
                (
                    0u8..4,
                    prop::collection::vec(any::<prop::sample::Index>(), 1..=3),
                    1u32..=3,
                ),
                0..=2,
            ),
            any::<bool>(),
        ),
        1..=5,
    );
    (prop::collection::vec(0..NINES.len(), 0..=2), components).prop_map(|(domains, components)| {
        let mut spec = ModelSpec::default();
        let mut texts = Vec::new();
        for (d, &a) in domains.iter().enumerate() {
            spec.domains.insert(
                format!("z{d}"),
                DomainSpec {
                    availability: Some(Availability::parse(NINES[a]).unwrap().into()),
                    ..Default::default()
                },
            );
            texts.push(NINES[a].to_string());
        }
        for (i, (a, replicas, min, deps, spread)) in components.into_iter().enumerate() {
            let mut c = ComponentSpec {
                availability: Some(Availability::parse(NINES[a]).unwrap().into()),
                replicas: Some(replicas),
                min_available: Some(min.index(replicas as usize) as u32 + 1),
                ..Default::default()
            };
            if spread && !domains.is_empty() {
                c.spread = Some((0..domains.len()).map(|d| format!("z{d}")).collect());
            }
            let mut entries = Vec::new();
            if i > 0 {
                for (kind, members, k) in deps {
                    let mut names: Vec<String> =
                        members.iter().map(|m| format!("c{}", m.index(i))).collect();
                    names.sort();
                    names.dedup();
                    let target = if names.len() == 1 {
                        Target::Component(names[0].clone())
                    } else {
                        Target::Group {
                            at_least: (k as usize).min(names.len()) as u32,
                            of: names,
                        }
                    };
                    let on_failure = if kind == 3 {
                        OnFailure::Ignore
                    } else {
                        OnFailure::Fail
                    };
                    // A component is listed once in a `depends_on`.
                    if let Target::Component(name) = &target
                        && entries.iter().any(|d: &DependencySpec| {
                            matches!(&d.target, Target::Component(n) if n == name)
                        })
                    {
                        continue;
                    }
                    entries.push(DependencySpec {
                        target,
                        on_failure,
                        fallback: None,
                        timeout: None,
                        tolerate: None,
                        ..DependencySpec::hard("")
                    });
                }
            }
            c.depends_on = Some(entries);
            spec.components.insert(format!("c{i}"), c);
            texts.push(NINES[a].to_string());
        }
        (spec, texts)
    })
}

/// P(DOWN) of every component, in exact rational arithmetic, by enumerating all event states.
fn rational_down(
    system: &System,
    domain_texts: &[String],
    component_texts: &[String],
) -> Vec<BigRational> {
    let structure = Structure::new(system);
    let odds: Vec<BigRational> = structure
        .events
        .iter()
        .map(|e| match e.kind {
            EventKind::Domain(d) => exact_unavailability(&domain_texts[d]),
            EventKind::Replica { component, .. } => {
                exact_unavailability(&component_texts[component])
            }
            _ => unreachable!("no maintenance or failover here"),
        })
        .collect();
    let k = odds.len();
    let mut totals = vec![BigRational::zero(); system.components.len()];
    for mask in 0u32..(1 << k) {
        let failed: Vec<bool> = (0..k).map(|i| mask >> i & 1 == 1).collect();
        // The gates, bottom up.
        let mut value = vec![false; structure.gates.len()];
        for (g, gate) in structure.gates.iter().enumerate() {
            use nines::structure::Gate;
            value[g] = match gate {
                Gate::Never => false,
                Gate::Event(e) => failed[*e],
                Gate::Or(xs) => xs.iter().any(|&x| value[x]),
                Gate::And(xs) => xs.iter().all(|&x| value[x]),
                Gate::AtLeast(n, xs) => xs.iter().filter(|&&x| value[x]).count() >= *n as usize,
            };
        }
        let mut weight = BigRational::one();
        for (p, &f) in odds.iter().zip(&failed) {
            weight *= if f { p.clone() } else { BigRational::one() - p };
        }
        for (c, gates) in structure.components.iter().enumerate() {
            if value[gates.down] {
                totals[c] += &weight;
            }
        }
    }
    totals
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn unavailability_is_accurate_to_1e_9_relative((spec, texts) in small_model()) {
        let system = system_of(&spec);
        prop_assume!(Structure::new(&system).events.len() <= 11);
        let (domain_texts, component_texts) = texts.split_at(spec.domains.len());
        let exact = rational_down(&system, domain_texts, component_texts);
        let got = nines::exact::evaluate_system(&system).unwrap();
        for (c, (truth, state)) in exact.iter().zip(&got).enumerate() {
            let truth = truth.to_f64().unwrap();
            let err = (state.down.p - truth).abs();
            prop_assert!(err <= 1e-9 * truth || (truth == 0.0 && state.down.p == 0.0), "{}: exact {truth:e}, engine {:e}", system.components[c].name, state.down.p);
        }
    }

    #[test]
    fn better_parts_never_make_anything_worse((spec, _) in small_model(), which in any::<prop::sample::Index>(), replica in any::<bool>()) {
        let before = nines::exact::evaluate_system(&system_of(&spec)).unwrap();
        let mut better = spec.clone();
        let i = which.index(better.components.len());
        let c = better.components.get_index_mut(i).unwrap().1;
        if replica {
            c.replicas = Some(c.replicas.unwrap_or(1) + 1);
        } else {
            let a = c.availability.unwrap();
            c.availability = Some(Availability { down: nines::model::units::Odds { p: a.down.p / 10.0, q: 1.0 - a.down.p / 10.0 } }.into());
        }
        let after = nines::exact::evaluate_system(&system_of(&better)).unwrap();
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(a.down.p <= b.down.p * (1.0 + 1e-12) + 1e-300, "unavailability rose from {:e} to {:e}", b.down.p, a.down.p);
        }
    }
}

#[test]
fn three_twelve_nines_in_parallel_is_1e_minus_36() {
    let (s, st) =
        crate::util::eval_yaml("components:\n  x: { availability: 99.9999999999%, replicas: 3 }\n");
    let exact = exact_unavailability("99.9999999999%")
        .pow(3)
        .to_f64()
        .unwrap();
    let got = st[s.component_id("x").unwrap()].down.p;
    assert!((got - exact).abs() <= 1e-9 * exact, "{got:e} vs {exact:e}");
}
