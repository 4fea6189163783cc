//! The exact engine against independent truth: closed forms, published examples, and brute-force
//! enumeration of every state of the basic events on random small models.

use std::path::Path;

use nines::model::spec::{
    ComponentSpec, DependencySpec, DomainSpec, Maintenance, ModelSpec, OnFailure, Target,
};
use nines::model::spec::{Failover, FailoverOn};
use nines::model::units::{Availability, Duration};
use nines::model::{Format, Model};
use nines::structure::Structure;
use nines::system::System;
use proptest::prelude::*;

use crate::util::*;

// ---------------------------------------------------------------------------------------------
// Known answers

#[test]
fn series_and_azure_composite_sla() {
    // Azure: an App Service web app at 99.95% on an SQL Database at 99.99% gives 99.94%.
    let (s, st) = eval_yaml(
        "components:\n  sql: { availability: 99.99% }\n  web: { availability: 99.95%, depends_on: [sql] }\n",
    );
    let web = &st[s.component_id("web").unwrap()];
    assert_close!(web.down.q, 0.9995 * 0.9999, 1e-15);
    assert_close!(web.down.p, 0.0005 + 0.0001 - 0.0005 * 0.0001, 1e-12);
    assert!((web.down.q * 100.0 - 99.94).abs() < 0.005);
}

#[test]
fn parallel_and_two_regions() {
    // Two independent regional deployments at N each: 1 - (1 - N)^2.
    let (s, st) = eval_yaml(
        "components:\n  east: { availability: 99.94% }\n  west: { availability: 99.94% }\n  app:\n    availability: 1\n    depends_on: [{ at_least: 1, of: [east, west] }]\n",
    );
    assert_close!(unavailability(&s, &st, "app"), 0.0006 * 0.0006, 1e-12);
}

#[test]
fn k_of_n_replicas() {
    // 2 of 3 replicas at a = 0.99: P(up) = a^3 + 3 a^2 (1 - a).
    let (s, st) =
        eval_yaml("components:\n  db: { availability: 0.99, replicas: 3, min_available: 2 }\n");
    let u = 0.01f64;
    let expected_down = 3.0 * u * u * (1.0 - u) + u * u * u;
    assert_close!(unavailability(&s, &st, "db"), expected_down, 1e-12);
}

#[test]
fn bridge_network() {
    // The classic bridge with every element at 0.9 has reliability 0.97848.
    let (s, st) = eval_yaml(
        "
components:
  a: { availability: 0.9 }
  b: { availability: 0.9 }
  c: { availability: 0.9 }
  d: { availability: 0.9 }
  e: { availability: 0.9 }
  path-ad: { availability: 1, depends_on: [a, d] }
  path-be: { availability: 1, depends_on: [b, e] }
  path-ace: { availability: 1, depends_on: [a, c, e] }
  path-bcd: { availability: 1, depends_on: [b, c, d] }
  bridge:
    availability: 1
    depends_on: [{ at_least: 1, of: [path-ad, path-be, path-ace, path-bcd] }]
",
    );
    assert_close!(st[s.component_id("bridge").unwrap()].down.q, 0.97848, 1e-12);
}

#[test]
fn shared_dependency_is_counted_once() {
    // Both frontends need the same auth service. Naive multiplication along paths would count
    // auth twice: 0.99 * 0.99 * 0.99 * 0.99; it is 0.99 * 0.99 * 0.99.
    let (s, st) = eval_yaml(
        "components:\n  auth: { availability: 0.99 }\n  a: { availability: 0.99, depends_on: [auth] }\n  b: { availability: 0.99, depends_on: [auth] }\n  site: { availability: 1, depends_on: [a, b] }\n",
    );
    assert_close!(
        st[s.component_id("site").unwrap()].down.q,
        0.99f64.powi(3),
        1e-12
    );
    // And redundancy over a shared dependency only helps as far as the parts are independent.
    let (s, st) = eval_yaml(
        "components:\n  auth: { availability: 0.99 }\n  a: { availability: 0.99, depends_on: [auth] }\n  b: { availability: 0.99, depends_on: [auth] }\n  site: { availability: 1, depends_on: [{ at_least: 1, of: [a, b] }] }\n",
    );
    assert_close!(
        st[s.component_id("site").unwrap()].down.q,
        0.99 * (1.0 - 0.01 * 0.01),
        1e-12
    );
}

#[test]
fn shared_zone_correlates_replicas() {
    // Two replicas in the same zone fail together with the zone.
    let (s, st) = eval_yaml(
        "domains:\n  z: { availability: 0.999 }\ncomponents:\n  db: { availability: 0.99, replicas: 2, spread: [z] }\n",
    );
    assert_close!(unavailability(&s, &st, "db"), 0.001 + 0.999 * 1e-4, 1e-12);
}

#[test]
fn fail_open_and_queue_fallback() {
    // Fail open: shipping down makes checkout DEGRADED, not DOWN.
    let (s, st) = eval_yaml(
        "
components:
  shipping: { availability: 0.99 }
  payments: { availability: 0.999 }
  queue: { availability: 0.9999 }
  checkout:
    availability: 0.9999
    depends_on:
      - { component: shipping, on_failure: degrade, timeout: 2s }
      - { component: payments, on_failure: degrade, fallback: queue, timeout: 1s }
",
    );
    let c = &st[s.component_id("checkout").unwrap()];
    // DOWN: checkout itself, or payments and its queue both down.
    let down = 1.0 - 0.9999 * (1.0 - 0.001 * 0.0001);
    assert_close!(c.down.p, down, 1e-12);
    // UP: everything up.
    assert_close!(c.up, 0.9999 * 0.99 * 0.999, 1e-12);
    assert_close!(c.degraded, 1.0 - c.up - c.down.p, 1e-9);
}

#[test]
fn ignore_edges_do_not_matter() {
    let (s, st) = eval_yaml(
        "components:\n  analytics: { availability: 0.5 }\n  web: { availability: 0.999, depends_on: [{ component: analytics, on_failure: ignore }] }\n",
    );
    assert_close!(unavailability(&s, &st, "web"), 0.001, 1e-12);
    assert_eq!(st[s.component_id("web").unwrap()].degraded, 0.0);
}

#[test]
fn a_degraded_share_far_below_the_unavailability_keeps_its_digits() {
    // The zone is shared, so its states are weighed one by one. Taken as P(impaired) − P(down),
    // the cache's 1e-10 beside api's 1.6e-3 unavailability kept only seven digits.
    let (s, st) = eval_yaml(
        "domains:\n  z: { availability: 0.9999 }\ncomponents:\n  db: { availability: 0.999, spread: [z] }\n  cache: { availability: 0.9999999999 }\n  api:\n    availability: 0.9995\n    spread: [z]\n    depends_on: [db, { component: cache, on_failure: degrade, timeout: 1s }]\n",
    );
    let c = &st[s.component_id("api").unwrap()];
    // DEGRADED: the cache down (independent of the rest) while api is not DOWN. Both sides are
    // a few products and sums of positive terms, each step within 1.1e-16 relative: under
    // twenty steps, 2.2e-15.
    assert_close!(c.degraded, 1e-10 * (0.9999 * 0.999 * 0.9995), 1e-14);
}

#[test]
fn maintenance_and_failover_closed_forms() {
    // Non-rolling: 2h every 30d for the whole component, independent of its failures.
    let (s, st) = eval_yaml(
        "components:\n  db: { availability: 0.999, maintenance: { every: 30d, duration: 2h } }\n",
    );
    let m = 2.0 / (30.0 * 24.0);
    assert_close!(
        unavailability(&s, &st, "db"),
        1.0 - 0.999 * (1.0 - m),
        1e-12
    );
    // Rolling over 2 replicas, one at a time: with no replica in maintenance (1 − 2m) both
    // must fail; with one in maintenance (2m) the other must.
    let (s, st) = eval_yaml(
        "components:\n  db: { availability: 0.999, replicas: 2, maintenance: { every: 30d, duration: 2h, rolling: true } }\n",
    );
    let u = 0.001f64;
    assert_close!(
        unavailability(&s, &st, "db"),
        (1.0 - 2.0 * m) * u * u + 2.0 * m * u,
        1e-12
    );
    // Failover on any failure: λ × E[N·1{N ≥ 2}] × 36 s, N the replicas up (2 with P(A²)).
    let a = 1000.0 / 1010.0;
    let r = 10.0 / 1010.0;
    let (s, st) =
        eval_yaml("components:\n  db: { mttf: 1000h, mttr: 10h, replicas: 2, failover: 36s }\n");
    let f = 2.0 * a * a * 36.0 / (1000.0 * 3600.0);
    assert_close!(
        unavailability(&s, &st, "db"),
        1.0 - (1.0 - f) * (1.0 - r * r),
        1e-12
    );
    // On the leader only: λ × P(N ≥ 2) × 36 s.
    let (s, st) = eval_yaml(
        "components:\n  db: { mttf: 1000h, mttr: 10h, replicas: 2, failover: { time: 36s, on: leader } }\n",
    );
    let f = a * a * 36.0 / (1000.0 * 3600.0);
    assert_close!(
        unavailability(&s, &st, "db"),
        1.0 - (1.0 - f) * (1.0 - r * r),
        1e-12
    );
    // A single replica has nobody to fail over to.
    let (s, st) = eval_yaml("components:\n  db: { mttf: 1000h, mttr: 10h, failover: 36s }\n");
    assert_close!(unavailability(&s, &st, "db"), r, 1e-12);
}

#[test]
fn an_exact_tie_meets_its_slo() {
    // Two 90% replicas: 1 − 0.1 × 0.1 is 99% on paper, 0.010000000000000002 in floating point.
    let (s, st) = eval_yaml("components:\n  db: { availability: 90%, replicas: 2, slo: 99% }\n");
    let slo = s.components[0].slo.unwrap();
    assert!(unavailability(&s, &st, "db") > slo.unavailability());
    assert!(slo.met_by(unavailability(&s, &st, "db")));
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "tie.yaml",
        "components:\n  db: { availability: 90%, replicas: 2, slo: 99% }\n",
    );
    nines().arg("check").arg(&model).assert().success();
}

#[test]
fn twelve_nines_keep_their_digits() {
    // Three twelve-nines replicas in parallel: 1e-36, exactly.
    let (s, st) = eval_yaml(
        "components:\n  x: { availability: 99.9999999999%, replicas: 3 }\n  y: { availability: 99.9999999999%, depends_on: [x] }\n",
    );
    assert_close!(unavailability(&s, &st, "x"), 1e-36, 1e-12);
    assert_close!(unavailability(&s, &st, "y"), 1e-12 + 1e-36, 1e-12);
    assert_close!(st[s.component_id("y").unwrap()].down.q, 1.0 - 1e-12, 1e-15);
}

#[test]
fn a_long_chain_does_not_overflow_the_stack() {
    let mut text = String::from("components:\n  c0: { availability: 0.9999999 }\n");
    for i in 1..20_000 {
        text += &format!(
            "  c{i}: {{ availability: 0.9999999, depends_on: [c{}] }}\n",
            i - 1
        );
    }
    let (s, st) = eval_yaml(&text);
    assert_close!(
        unavailability(&s, &st, "c19999"),
        1.0 - 0.9999999f64.powi(20_000),
        1e-6
    );
}

#[test]
fn wide_groups_stay_polynomial() {
    let mut text = String::from("components:\n");
    let names: Vec<String> = (0..1000).map(|i| format!("n{i}")).collect();
    for n in &names {
        text += &format!("  {n}: {{ availability: 0.5 }}\n");
    }
    text += &format!(
        "  quorum: {{ availability: 1, depends_on: [{{ at_least: 500, of: [{}] }}] }}\n",
        names.join(", ")
    );
    let (s, st) = eval_yaml(&text);
    // P(at least 500 of 1000 fair coins) = 1/2 + P(exactly 500)/2.
    let ln_choose: f64 = (1..=500)
        .map(|i| ((500 + i) as f64).ln() - (i as f64).ln())
        .sum();
    let exactly = (ln_choose - 1000.0 * 2f64.ln()).exp();
    assert_close!(
        st[s.component_id("quorum").unwrap()].down.q,
        0.5 + exactly / 2.0,
        1e-9
    );
}

// ---------------------------------------------------------------------------------------------
// Brute force: SPEC §3 applied to every state of the basic events.

fn availability_strategy() -> impl Strategy<Value = Availability> {
    prop_oneof![
        Just("0.5"),
        Just("0.9"),
        Just("0.99"),
        Just("0.999"),
        Just("0.95"),
        Just("1"),
        Just("0"),
        Just("0.7")
    ]
    .prop_map(|s| Availability::parse(s).unwrap())
}

/// A random small model: up to 3 domains, up to 6 components, every dependency form.
pub(crate) fn model_strategy() -> impl Strategy<Value = ModelSpec> {
    let domains = prop::collection::vec(
        (
            availability_strategy(),
            any::<prop::sample::Index>(),
            any::<bool>(),
        ),
        0..=3,
    );
    let components = prop::collection::vec(
        (
            availability_strategy(),
            1u32..=3,
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<prop::sample::Index>(), 0..=2),
            0u8..6,
            prop::collection::vec(
                (
                    0u8..6,
                    prop::collection::vec(any::<prop::sample::Index>(), 1..=3),
                    any::<prop::sample::Index>(),
                    1u32..=3,
                ),
                0..=3,
            ),
        ),
        1..=6,
    );
    (domains, components).prop_map(|(domains, components)| {
        let mut spec = ModelSpec::default();
        for (i, (a, parent, has_parent)) in domains.iter().enumerate() {
            let parent = (*has_parent && i > 0).then(|| format!("z{}", parent.index(i)));
            spec.domains.insert(
                format!("z{i}"),
                DomainSpec {
                    availability: Some((*a).into()),
                    parent,
                    ..Default::default()
                },
            );
        }
        for (i, (a, replicas, min, spread, extra, deps)) in components.into_iter().enumerate() {
            let mut c = ComponentSpec {
                availability: Some(a.into()),
                replicas: Some(replicas),
                min_available: Some(min.index(replicas as usize) as u32 + 1),
                ..Default::default()
            };
            if !spec.domains.is_empty() && !spread.is_empty() {
                c.spread = Some(
                    spread
                        .iter()
                        .map(|d| format!("z{}", d.index(spec.domains.len())))
                        .collect(),
                );
            }
            match extra {
                1 => {
                    c.maintenance = Some(Maintenance {
                        every: Duration::from_secs(100.0),
                        duration: Duration::from_secs(10.0),
                        rolling: false,
                    })
                }
                2 => {
                    c.maintenance = Some(Maintenance {
                        every: Duration::from_secs(100.0),
                        duration: Duration::from_secs(30.0),
                        rolling: true,
                    })
                }
                3 | 4 => {
                    c.failover = Some(Failover {
                        time: Duration::from_secs(600.0),
                        on: if extra == 3 {
                            FailoverOn::Any
                        } else {
                            FailoverOn::Leader
                        },
                    })
                }
                _ => {}
            }
            let mut entries = Vec::new();
            if i > 0 {
                for (kind, members, fallback, k) in deps {
                    let mut names: Vec<String> =
                        members.iter().map(|m| format!("c{}", m.index(i))).collect();
                    names.sort();
                    names.dedup();
                    let on_failure = match kind {
                        0 | 1 => OnFailure::Fail,
                        2 | 3 => OnFailure::Degrade,
                        _ => OnFailure::Ignore,
                    };
                    let target = if names.len() == 1 && kind % 2 == 0 {
                        Target::Component(names[0].clone())
                    } else {
                        Target::Group {
                            at_least: (k as usize).min(names.len()) as u32,
                            of: names,
                        }
                    };
                    let fallback = (kind == 3).then(|| format!("c{}", fallback.index(i)));
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
                        fallback,
                        timeout: None,
                        tolerate: None,
                        ..DependencySpec::hard("")
                    });
                }
            }
            c.depends_on = Some(entries);
            spec.components.insert(format!("c{i}"), c);
        }
        spec
    })
}

fn event_count(system: &System) -> usize {
    Structure::new(system).events.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn exact_equals_enumeration(spec in model_strategy()) {
        // Through JSON text, so the loader and the serialiser are exercised too.
        let text = serde_json::to_string(&spec).unwrap();
        let model = Model::parse(Path::new("random.json"), text, Format::Json).unwrap_or_else(|e| panic!("{e}"));
        let system = model.system().unwrap_or_else(|e| panic!("{e}"));
        prop_assume!(event_count(&system) <= 14);
        let structure = Structure::new(&system);
        let conditioned = nines::exact::evaluate(&structure).unwrap();
        let whole = nines::exact::evaluate_whole(&structure).unwrap();
        let truths = nines::exact::enumerate::enumerate(&system, &structure).unwrap();
        for (c, (truth, got)) in truths.iter().zip(conditioned.iter().chain(&whole)).chain(truths.iter().zip(&whole)).enumerate() {
            let c = c % system.components.len();
            let name = &system.components[c].name;
            prop_assert!((truth.down.p - got.down.p).abs() <= 1e-12, "{name} down: enumeration {} engine {}", truth.down.p, got.down.p);
            prop_assert!((truth.degraded - got.degraded).abs() <= 1e-12, "{name} degraded: enumeration {} engine {}", truth.degraded, got.degraded);
            prop_assert!((truth.up - got.up).abs() <= 1e-12, "{name} up: enumeration {} engine {}", truth.up, got.up);
            prop_assert!((got.down.p + got.down.q - 1.0).abs() <= 1e-12);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A unit is a single point of a gate exactly when failing it alone makes the gate happen.
    #[test]
    fn single_points_are_what_fails_alone(spec in model_strategy()) {
        use nines::structure::{Gate, Owner};
        let text = serde_json::to_string(&spec).unwrap();
        let system = Model::parse(Path::new("random.json"), text, Format::Json).unwrap().system().unwrap();
        let structure = Structure::new(&system);
        let all: Vec<usize> = (0..structure.gates.len()).collect();
        let points = structure.single_points(&all);
        // Asked for some gates only, the sets of the others are handed on rather than kept.
        let some: Vec<usize> = all.iter().copied().filter(|g| g % 3 == 2).collect();
        let some_points = structure.single_points(&some);
        let units: Vec<Owner> = (0..system.components.len()).map(Owner::Component).chain((0..system.domains.len()).map(Owner::Domain)).collect();
        for unit in units {
            let mut value = vec![false; structure.gates.len()];
            for (g, gate) in structure.gates.iter().enumerate() {
                value[g] = match gate {
                    Gate::Never => false,
                    Gate::Event(e) => structure.events[*e].owner() == unit,
                    Gate::Or(xs) => xs.iter().any(|&x| value[x]),
                    Gate::And(xs) => xs.iter().all(|&x| value[x]),
                    Gate::AtLeast(k, xs) => xs.iter().filter(|&&x| value[x]).count() >= *k as usize,
                };
            }
            for g in 0..structure.gates.len() {
                prop_assert_eq!(value[g], points[g].contains(&unit), "gate {} unit {:?}", g, unit);
            }
            for (&g, set) in some.iter().zip(&some_points) {
                prop_assert_eq!(value[g], set.contains(&unit), "gate {} unit {:?} (asked alone)", g, unit);
            }
        }
    }
}

#[test]
fn many_private_domains_are_not_enumerated() {
    // Sixty hosts, each holding one service's replica, under two shared zones: only the zones
    // (and their region) correlate services, so conditioning weighs 1 + 2 × 2 states, not 2^63.
    let mut text = String::from(
        "domains:\n  region: { availability: 99.99% }\n  z1: { availability: 99.9%, parent: region }\n  z2: { availability: 99.9%, parent: region }\n",
    );
    for h in 0..60 {
        text += &format!(
            "  host{h}: {{ availability: 99.5%, parent: z{} }}\n",
            1 + h % 2
        );
    }
    text += "components:\n";
    let mut names = Vec::new();
    for h in 0..60 {
        text += &format!("  svc{h}: {{ availability: 99.9%, spread: [host{h}] }}\n");
        names.push(format!("svc{h}"));
    }
    text += &format!(
        "  api: {{ availability: 1, depends_on: [{{ at_least: 58, of: [{}] }}] }}\n",
        names.join(", ")
    );
    let model = Model::parse(Path::new("hosts.yaml"), text, Format::Yaml).unwrap();
    let system = model.system().unwrap();
    let structure = Structure::new(&system);
    let conditioned = nines::exact::evaluate(&structure).unwrap();
    let whole = nines::exact::evaluate_whole(&structure).unwrap();
    for (a, b) in conditioned.iter().zip(&whole) {
        assert_close!(a.down.p, b.down.p, 1e-12);
        assert_close!(a.down.q, b.down.q, 1e-12);
    }
    // One service: its zone, its host or itself.
    let svc = &conditioned[0];
    assert_close!(svc.down.p, 1.0 - 0.9999 * 0.999 * 0.995 * 0.999, 1e-12);
}
