//! `nines explain`, `whatif`, `budget` against independent truth: brute-force enumeration of
//! every state of the basic events, the bridge network's closed forms, re-evaluation of edited
//! models, and the worked example of "The Calculus of Service Availability".

use std::collections::BTreeSet;
use std::path::Path;

use nines::explain::budget::{DependencyKind, Outages, budget};
use nines::explain::explanation::{ExplainOptions, Explanation, explain};
use nines::explain::whatif::{Effect, what_if};
use nines::model::units::Availability;
use nines::structure::{EventKind, Gate, GateId, Owner, Structure};
use nines::system::System;

use crate::util::*;

fn system_of(yaml: &str) -> System {
    nines::model::Model::parse(
        Path::new("test.yaml"),
        yaml.to_string(),
        nines::model::Format::Yaml,
    )
    .and_then(|m| m.system())
    .unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

// ---------------------------------------------------------------------------------------------
// Brute force: every one of the 2^n states of the basic events, each gate evaluated bottom-up.

/// Whether `root` happens in each state of the events (bit e of the index: event e happens).
fn event_table(structure: &Structure, root: GateId) -> Vec<bool> {
    let n = structure.events.len();
    assert!(n <= 16, "{n} events are too many to enumerate");
    let mut value = vec![false; structure.gates.len()];
    (0..1usize << n)
        .map(|state| {
            for (g, gate) in structure.gates.iter().enumerate() {
                value[g] = match gate {
                    Gate::Never => false,
                    Gate::Event(e) => state >> e & 1 == 1,
                    Gate::Or(xs) => xs.iter().any(|&x| value[x]),
                    Gate::And(xs) => xs.iter().all(|&x| value[x]),
                    Gate::AtLeast(k, xs) => xs.iter().filter(|&&x| value[x]).count() >= *k as usize,
                };
            }
            value[root]
        })
        .collect()
}

/// The events that happen when the independent variables in `state` do: an exclusive group's
/// member happens when its variable does and no earlier member's does.
fn events_of(structure: &Structure, state: usize) -> usize {
    let mut events = state;
    for group in &structure.exclusive {
        let mut taken = false;
        for &e in &group.members {
            if taken {
                events &= !(1 << e);
            }
            taken |= state >> e & 1 == 1;
        }
    }
    events
}

/// Whether `root` happens in each state of the independent variables (bit e: variable e).
fn truth_table(structure: &Structure, root: GateId) -> Vec<bool> {
    let events = event_table(structure, root);
    (0..events.len())
        .map(|state| events[events_of(structure, state)])
        .collect()
}

/// P(root) under the given (P, Q) of each event.
fn probability(table: &[bool], odds: &[(f64, f64)]) -> f64 {
    table
        .iter()
        .enumerate()
        .filter(|(_, down)| **down)
        .map(|(state, _)| {
            odds.iter()
                .enumerate()
                .map(|(e, &(p, q))| if state >> e & 1 == 1 { p } else { q })
                .product::<f64>()
        })
        .sum()
}

/// The variables' odds: each event's own, a group member's given no earlier member.
fn base_odds(structure: &Structure) -> Vec<(f64, f64)> {
    let odds: Vec<_> = structure.events.iter().map(|e| e.odds).collect();
    (structure.variable_odds(&odds).iter())
        .map(|o| (o.p, o.q))
        .collect()
}

/// P(root) with the events of `owner` forced by `f`.
fn forced(
    structure: &Structure,
    table: &[bool],
    owner: Owner,
    f: impl Fn(f64, f64) -> (f64, f64),
) -> f64 {
    let mut odds = base_odds(structure);
    for (e, ev) in structure.events.iter().enumerate() {
        if ev.owner() == owner {
            odds[e] = f(odds[e].0, odds[e].1);
        }
    }
    probability(table, &odds)
}

/// Birnbaum's importance and P(root) − P(root | owner perfect), each summed from non-negative
/// terms (states where the owner's events make the difference), so no digit cancels.
fn brute_differences(structure: &Structure, table: &[bool], owner: Owner) -> (f64, f64) {
    let odds = base_odds(structure);
    let mask: usize = (0..structure.events.len())
        .filter(|&e| structure.events[e].owner() == owner)
        .map(|e| 1 << e)
        .sum();
    let weight = |state: usize, skip: usize| -> f64 {
        (0..odds.len())
            .filter(|e| skip >> e & 1 == 0)
            .map(|e| {
                if state >> e & 1 == 1 {
                    odds[e].0
                } else {
                    odds[e].1
                }
            })
            .product()
    };
    let (mut birnbaum, mut perfect_gain) = (0.0, 0.0);
    for state in 0..table.len() {
        if table[state] && !table[state & !mask] {
            perfect_gain += weight(state, 0);
        }
        if state & mask == 0 && table[state | mask] && !table[state] {
            birnbaum += weight(state, mask);
        }
    }
    (birnbaum, perfect_gain)
}

/// The minimal cut sets of order ≤ k, by enumeration: a failing state none of whose events can
/// be spared.
fn brute_cut_sets(structure: &Structure, table: &[bool], k: u32) -> BTreeSet<Vec<String>> {
    let mut sets = BTreeSet::new();
    for (state, &down) in table.iter().enumerate() {
        if !down || state.count_ones() > k {
            continue;
        }
        let events: Vec<usize> = (0..structure.events.len())
            .filter(|e| state >> e & 1 == 1)
            .collect();
        // Two turns of one group cannot happen together.
        let possible = structure
            .exclusive
            .iter()
            .all(|g| g.members.iter().filter(|&&e| state >> e & 1 == 1).count() <= 1);
        if possible && events.iter().all(|&e| !table[state & !(1 << e)]) {
            let mut names: Vec<String> = events
                .iter()
                .map(|&e| structure.events[e].name.clone())
                .collect();
            names.sort();
            sets.insert(names);
        }
    }
    sets
}

/// A component's own unavailability, domains and dependencies aside: too few replicas, its
/// non-rolling maintenance or a failover.
fn brute_own(structure: &Structure, system: &System, c: usize) -> f64 {
    let own: Vec<usize> = (0..structure.events.len())
        .filter(|&e| structure.events[e].owner() == Owner::Component(c))
        .collect();
    let comp = &system.components[c];
    let need = (comp.replicas - comp.min_available + 1) as usize;
    let odds = base_odds(structure);
    let mut total = 0.0;
    for state in 0..1usize << own.len() {
        let on = |i: usize| state >> i & 1 == 1;
        // The variables as events: one turn of maintenance at a time.
        let variables: usize = (0..own.len()).filter(|&i| on(i)).map(|i| 1 << own[i]).sum();
        let happened = events_of(structure, variables);
        let mut down = vec![false; comp.replicas as usize];
        let mut whole = false;
        for &e in &own {
            if happened >> e & 1 == 0 {
                continue;
            }
            match structure.events[e].kind {
                EventKind::Replica { index, .. } | EventKind::RollingMaintenance { index, .. } => {
                    down[index as usize] = true
                }
                _ => whole = true,
            }
        }
        if down.iter().filter(|&&d| d).count() >= need || whole {
            total += (0..own.len())
                .map(|i| {
                    let o = odds[own[i]];
                    if on(i) { o.0 } else { o.1 }
                })
                .product::<f64>();
        }
    }
    total
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-15
}

macro_rules! check_close {
    ($a:expr, $b:expr, $($ctx:tt)*) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b), "{} = {a:e} but brute force gives {b:e}: {}", stringify!($a), format!($($ctx)*));
    }};
}

/// Checks every number of `explain` for one component against brute force.
fn check_against_brute_force(system: &System, target: usize, yaml: &str) {
    let structure = Structure::new(system);
    let table = truth_table(&structure, structure.components[target].down);
    let u = probability(&table, &base_odds(&structure));
    let max_order = 3;
    let x = explain(
        system,
        target,
        ExplainOptions {
            max_order,
            max_cut_sets: 100_000,
        },
    )
    .unwrap();
    let ctx = format!("target {}\n{yaml}", system.components[target].name);
    check_close!(x.unavailability, u, "{ctx}");
    let owners = (0..system.components.len())
        .map(Owner::Component)
        .chain((0..system.domains.len()).map(Owner::Domain));
    for owner in owners {
        let name = match owner {
            Owner::Component(c) => system.components[c].name.clone(),
            Owner::Domain(d) => system.domains[d].name.clone(),
        };
        let failed = forced(&structure, &table, owner, |_, _| (1.0, 0.0));
        let perfect = forced(&structure, &table, owner, |_, _| (0.0, 1.0));
        let improved = forced(&structure, &table, owner, |p, q| (p / 10.0, q + 0.9 * p));
        let (birnbaum, perfect_gain) = brute_differences(&structure, &table, owner);
        let row = x.importance.iter().find(|r| r.name == name);
        let Some(row) = row else {
            assert!(
                birnbaum.abs() < 1e-15,
                "{name} is left out but matters (Birnbaum {birnbaum}): {ctx}"
            );
            continue;
        };
        if u == 0.0 {
            continue;
        }
        let own = match owner {
            Owner::Component(c) => brute_own(&structure, system, c),
            Owner::Domain(d) => system.domains[d].down.p,
        };
        let ctx = format!("{name}, {ctx}");
        check_close!(row.unavailability, own, "{ctx}");
        check_close!(row.birnbaum, birnbaum, "{ctx}");
        check_close!(row.criticality, birnbaum * own / u, "{ctx}");
        check_close!(row.fussell_vesely, perfect_gain / u, "{ctx}");
        check_close!(row.raw.unwrap(), failed / u, "{ctx}");
        match row.rrw {
            Some(rrw) => check_close!(rrw, u / perfect, "{ctx}"),
            None => assert_eq!(perfect, 0.0, "{ctx}"),
        }
        match x.where_to_invest.iter().find(|r| r.name == name) {
            Some(r) => {
                check_close!(r.unavailability_after, improved, "{ctx}");
                // Summing 2^n terms leaves the brute force itself about 2^n ulps of u off.
                let slack = 1e-12 * u * table.len() as f64;
                assert!(
                    (r.reduction - (u - improved)).abs() <= slack + 1e-9 * r.reduction,
                    "reduction {} vs {}: {ctx}",
                    r.reduction,
                    u - improved
                );
            }
            None => assert!(u - improved <= 1e-12 * u, "{ctx}"),
        }
    }
    // Sorted by Birnbaum.
    assert!(
        x.importance
            .windows(2)
            .all(|w| w[0].birnbaum >= w[1].birnbaum)
    );

    let truth = brute_cut_sets(
        &structure,
        &event_table(&structure, structure.components[target].down),
        max_order,
    );
    let got: BTreeSet<Vec<String>> = x
        .cut_sets
        .iter()
        .map(|c| {
            let mut e = c.events.clone();
            e.sort();
            e
        })
        .collect();
    assert_eq!(got, truth, "{ctx}");
    assert_eq!(x.cut_sets_total as usize, truth.len(), "{ctx}");
    assert!(x.cut_sets_total_exact, "{ctx}");
    assert!(
        x.cut_sets
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    // Capped, the listing is still the most probable possible sets, and the count unchanged:
    // impossible sets (two maintenance turns of one component) take no place in it.
    let capped = explain(
        system,
        target,
        ExplainOptions {
            max_order,
            max_cut_sets: 2,
        },
    )
    .unwrap();
    assert_eq!(capped.cut_sets_total, x.cut_sets_total, "{ctx}");
    assert_eq!(capped.cut_sets.len(), truth.len().min(2), "{ctx}");
    for (c, full) in capped.cut_sets.iter().zip(&x.cut_sets) {
        assert_eq!(c.probability, full.probability, "{ctx}");
    }
    for c in &x.cut_sets {
        let p: f64 = c
            .events
            .iter()
            .map(|n| {
                structure
                    .events
                    .iter()
                    .find(|e| &e.name == n)
                    .unwrap()
                    .odds
                    .p
            })
            .product();
        check_close!(c.probability, p, "{ctx}");
    }
    let spofs: Vec<String> = truth
        .iter()
        .filter(|s| s.len() == 1)
        .map(|s| s[0].clone())
        .collect();
    let mut got_spofs = x.single_points_of_failure.clone();
    got_spofs.sort();
    assert_eq!(got_spofs, spofs, "{ctx}");
}

// ---------------------------------------------------------------------------------------------
// Random small models.

#[test]
fn explain_matches_brute_force_on_random_models() {
    let mut rng = Rng(2024);
    for _ in 0..40 {
        let yaml = random_model(&mut rng, 11);
        let system = system_of(&yaml);
        let last = system.components.len() - 1;
        check_against_brute_force(&system, last, &yaml);
        let other = rng.below(system.components.len());
        if other != last {
            check_against_brute_force(&system, other, &yaml);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The bridge network.

/// The bridge: A and B leave the source, D and E reach the sink, C crosses between them. It works
/// when one of its four paths A-D, B-E, A-C-E, B-C-D is up; the paths are perfect components.
const BRIDGE: &str = "
components:
  A: { availability: 0.9 }
  B: { availability: 0.8 }
  C: { availability: 0.7 }
  D: { availability: 0.85 }
  E: { availability: 0.95 }
  path-ad: { availability: 100%, depends_on: [A, D] }
  path-be: { availability: 100%, depends_on: [B, E] }
  path-ace: { availability: 100%, depends_on: [A, C, E] }
  path-bcd: { availability: 100%, depends_on: [B, C, D] }
  bridge:
    availability: 100%
    depends_on: [{ at_least: 1, of: [path-ad, path-be, path-ace, path-bcd] }]
";

#[test]
fn bridge_network_cut_sets_and_birnbaum_closed_forms() {
    let system = system_of(BRIDGE);
    let target = system.component_id("bridge").unwrap();
    let x = explain(&system, target, ExplainOptions::default()).unwrap();
    let (a, b, c, d, e) = (0.9, 0.8, 0.7, 0.85, 0.95);
    // Reliability of the bridge by its path sets (inclusion–exclusion, Rausand & Høyland).
    let h = a * d + b * e + a * c * e + b * c * d
        - a * b * c * d
        - a * b * c * e
        - a * c * d * e
        - b * c * d * e
        - a * b * d * e
        + 2.0 * a * b * c * d * e;
    assert_close!(x.availability, h, 1e-12);
    assert_close!(x.unavailability, 1.0 - h, 1e-12);
    // Birnbaum = ∂h/∂(availability of the component).
    let closed = [
        (
            "A",
            d + c * e - b * c * d - b * c * e - c * d * e - b * d * e + 2.0 * b * c * d * e,
        ),
        (
            "B",
            e + c * d - a * c * e - a * c * d - c * d * e - a * d * e + 2.0 * a * c * d * e,
        ),
        (
            "C",
            a * e + b * d - a * b * d - a * b * e - a * d * e - b * d * e + 2.0 * a * b * d * e,
        ),
        (
            "D",
            a + b * c - a * c * e - b * c * e - a * b * c - a * b * e + 2.0 * a * b * c * e,
        ),
        (
            "E",
            b + a * c - a * c * d - b * c * d - a * b * c - a * b * d + 2.0 * a * b * c * d,
        ),
    ];
    for (name, birnbaum) in closed {
        let row = x.importance.iter().find(|r| r.name == name).unwrap();
        assert_close!(row.birnbaum, birnbaum, 1e-12);
    }
    let sets: BTreeSet<Vec<String>> = x
        .cut_sets
        .iter()
        .map(|c| {
            let mut e = c.events.clone();
            e.sort();
            e
        })
        .collect();
    let expected: BTreeSet<Vec<String>> = [
        &["A", "B"][..],
        &["D", "E"],
        &["A", "C", "E"],
        &["B", "C", "D"],
    ]
    .iter()
    .map(|s| s.iter().map(|x| x.to_string()).collect())
    .collect();
    assert_eq!(
        sets, expected,
        "the paths at 100% never fail, so they are in no cut set"
    );
    assert_eq!(x.cut_sets_total, 4);
    assert!(x.single_points_of_failure.is_empty());
    // Most probable first: A+B = 0.02, B+C+D = 0.009, D+E = 0.0075, A+C+E = 0.0015.
    let order: Vec<String> = x
        .cut_sets
        .iter()
        .map(|c| {
            let mut e = c.events.clone();
            e.sort();
            e.join("+")
        })
        .collect();
    assert_eq!(order, ["A+B", "B+C+D", "D+E", "A+C+E"]);
    assert_close!(x.cut_sets[0].probability, 0.1 * 0.2, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// What-if.

const STORE: &str = "
domains:
  region: { availability: 99.99% }
  az1: { availability: 99.9%, parent: region }
  az2: { availability: 99.9%, parent: region }
components:
  dns: { availability: 99.999% }
  db: { availability: 99.95%, replicas: 2, spread: [az1, az2], failover: 30s }
  cache: { availability: 99.9%, spread: [az1] }
  payments: { availability: 99.9% }
  queue: { availability: 99.99% }
  web-1: { availability: 99.9%, spread: [az1], depends_on: [db, dns] }
  web-2: { availability: 99.9%, spread: [az2], depends_on: [db, dns] }
  store:
    availability: 99.99%
    slo: 99.9%
    depends_on:
      - { at_least: 1, of: [web-1, web-2] }
      - { component: cache, on_failure: degrade, timeout: 1s }
      - { component: payments, on_failure: degrade, fallback: queue, timeout: 1s }
      - { component: dns, on_failure: ignore }
";

/// The model with the named components or domains written at availability 0.
fn written_down(yaml: &str, names: &[&str]) -> String {
    const KEY: &str = "availability: ";
    yaml.lines()
        .map(|line| {
            let name = line.trim_start().split(':').next().unwrap_or("");
            if !names.contains(&name) {
                return line.to_string();
            }
            let start = line.find(KEY).expect("an availability") + KEY.len();
            let len = line[start..]
                .find([',', ' ', '}'])
                .unwrap_or(line.len() - start);
            format!("{}0{}", &line[..start], &line[start + len..])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn whatif_equals_reevaluation_with_the_failed_at_availability_zero() {
    for failed in [
        &["db"][..],
        &["az1"],
        &["region"],
        &["payments"],
        &["payments", "queue"],
        &["cache", "web-1"],
        &["dns"],
    ] {
        let system = system_of(STORE);
        let owners: Vec<Owner> = failed
            .iter()
            .map(|n| nines::explain::find_owner(&system, n).unwrap())
            .collect();
        let w = what_if(&system, &owners, &[]).unwrap();
        let (_, base) = eval_yaml(STORE);
        let edited = written_down(STORE, failed);
        let (_, states) = eval_yaml(&edited);
        for (i, c) in w.components.iter().enumerate() {
            let ctx = format!("{} with {failed:?} down", c.name);
            assert_close!(c.unavailability, states[i].down.p, 1e-12);
            assert_close!(c.availability, states[i].down.q, 1e-12);
            assert!((c.degraded - states[i].degraded).abs() < 1e-15, "{ctx}");
            // Two exact methods (one diagram here, domain conditioning in eval) agree to rounding.
            assert_close!(c.baseline_availability, base[i].down.q, 1e-14);
            // The blast radius: exactly the components that can see a failed event change.
            if c.effect == Effect::Untouched {
                assert_eq!(c.unavailability, c.baseline_unavailability, "{ctx}");
            }
            if c.effect == Effect::Down {
                assert_eq!(c.availability, 0.0, "{ctx}");
            }
        }
    }
    let system = system_of(STORE);
    let w = what_if(
        &system,
        &[Owner::Component(system.component_id("db").unwrap())],
        &[],
    )
    .unwrap();
    let effect = |n: &str| w.components.iter().find(|c| c.name == n).unwrap().effect;
    assert_eq!(effect("db"), Effect::Down);
    assert_eq!(effect("web-1"), Effect::Down);
    assert_eq!(effect("store"), Effect::Down);
    assert_eq!(effect("cache"), Effect::Untouched);
    assert_eq!(effect("dns"), Effect::Untouched);
    let w = what_if(
        &system,
        &[Owner::Component(system.component_id("cache").unwrap())],
        &[],
    )
    .unwrap();
    let store = w.components.iter().find(|c| c.name == "store").unwrap();
    assert_eq!(
        store.effect,
        Effect::Degraded,
        "a degrading call down: DEGRADED for sure"
    );
    assert_eq!(store.up, 0.0);
    assert_eq!(store.unavailability, store.baseline_unavailability);
}

#[test]
fn whatif_improve_equals_the_model_written_with_the_new_availability() {
    let system = system_of(STORE);
    let db = Owner::Component(system.component_id("db").unwrap());
    let az1 = Owner::Domain(system.domain_id("az1").unwrap());
    let w = what_if(
        &system,
        &[],
        &[
            (db, Availability::parse("99.999%").unwrap()),
            (az1, Availability::parse("99.99%").unwrap()),
        ],
    )
    .unwrap();
    let edited = STORE
        .replace("db: { availability: 99.95%", "db: { availability: 99.999%")
        .replace("az1: { availability: 99.9%", "az1: { availability: 99.99%");
    let (_, states) = eval_yaml(&edited);
    for (i, c) in w.components.iter().enumerate() {
        assert_close!(c.unavailability, states[i].down.p, 1e-12);
        assert!(c.unavailability <= c.baseline_unavailability);
    }
    let effect = |n: &str| w.components.iter().find(|c| c.name == n).unwrap().effect;
    assert_eq!(effect("store"), Effect::Better);
    assert_eq!(effect("payments"), Effect::Untouched);
}

// ---------------------------------------------------------------------------------------------
// Error budgets.

/// Treynor et al. 2017, "The Calculus of Service Availability", worked example: a 99.99%
/// service with five critical dependencies at 99.999%.
const PAPER: &str = "
components:
  dep-1: { availability: 99.999% }
  dep-2: { availability: 99.999% }
  dep-3: { availability: 99.999% }
  dep-4: { availability: 99.999% }
  dep-5: { availability: 99.999% }
  service:
    availability: 99.995%
    slo: 99.99%
    depends_on: [dep-1, dep-2, dep-3, dep-4, dep-5]
";

#[test]
fn budget_reproduces_the_papers_worked_example() {
    let system = system_of(PAPER);
    let target = system.component_id("service").unwrap();
    let b = budget(
        &system,
        target,
        system.components[target].slo.unwrap(),
        Outages::new(4.0).ok(),
    )
    .unwrap();
    let minute = 60.0;
    let year = 365.0 * 86400.0;
    assert_close!(b.budget_per_year_s, 52.56 * minute, 1e-12);
    // The service's own row first, then the five dependencies, each alone at 5.256 min.
    let names: Vec<&str> = b.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        ["service", "dep-1", "dep-2", "dep-3", "dep-4", "dep-5"]
    );
    assert_eq!(b.dependencies[0].kind, DependencyKind::Own);
    assert_eq!(b.dependencies[0].extra_nine, None);
    for d in &b.dependencies[1..] {
        assert_close!(d.spend_per_year_s, 5.256 * minute, 1e-12);
        assert_eq!(
            d.extra_nine,
            Some(true),
            "99.999% has the extra nine over 99.99%"
        );
    }
    // In series the ordered shares are closed forms: the service's own 5e-5, then each
    // dependency's 1e-5 while everything before it is up.
    let (own_q, dep_q): (f64, f64) = (1.0 - 5e-5, 1.0 - 1e-5);
    assert_close!(b.own_actual_per_year_s, 5e-5 * year, 1e-12);
    for (i, d) in b.dependencies[1..].iter().enumerate() {
        let share = own_q * dep_q.powi(i as i32) * 1e-5;
        assert_close!(d.share_per_year_s, share * year, 1e-12);
    }
    // Summed rather than 1 − q⁶, which cancels most of its digits.
    let u = 5e-5 + (0..5).map(|i| own_q * dep_q.powi(i) * 1e-5).sum::<f64>();
    assert_close!(b.unavailability, u, 1e-12);
    assert_close!(b.dependencies_spend_per_year_s, (u - 5e-5) * year, 1e-12);
    assert_close!(b.own_per_year_s, (1e-4 - (u - 5e-5)) * year, 1e-12);
    assert_close!(b.per_outage_s.unwrap(), b.own_per_year_s / 4.0, 1e-12);
    assert!(b.meets_slo && b.own_fits);

    // One dependency at 99.99% breaks the rule of the extra nine and overspends.
    let system = system_of(&PAPER.replacen(
        "dep-1: { availability: 99.999% }",
        "dep-1: { availability: 99.99% }",
        1,
    ));
    let b = budget(
        &system,
        target,
        system.components[target].slo.unwrap(),
        Outages::new(4.0).ok(),
    )
    .unwrap();
    let dep1 = b.dependencies.iter().find(|d| d.name == "dep-1").unwrap();
    assert_eq!(dep1.extra_nine, Some(false));
    assert!(!b.own_fits && !b.meets_slo);
    // Nothing is left for the service's own outages: no time per outage, rather than zero.
    assert!(b.own_per_year_s < 0.0);
    assert_eq!(b.per_outage_s, None);
}

#[test]
fn budget_charges_shared_causes_once_and_groups_last() {
    let yaml = "
domains:
  region: { availability: 99.9% }
components:
  disk: { availability: 99.99% }
  db: { availability: 99.95%, depends_on: [disk] }
  auth: { availability: 99.9%, depends_on: [db, disk] }
  web-1: { availability: 99%, depends_on: [db] }
  web-2: { availability: 99%, depends_on: [db] }
  cache: { availability: 99% }
  app:
    availability: 99.9%
    spread: [region]
    slo: 99.5%
    depends_on:
      - auth
      - db
      - { at_least: 1, of: [web-1, web-2] }
      - { component: cache, on_failure: degrade }
";
    let system = system_of(yaml);
    let target = system.component_id("app").unwrap();
    let b = budget(
        &system,
        target,
        system.components[target].slo.unwrap(),
        None,
    )
    .unwrap();
    let names: Vec<&str> = b.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        ["region", "app", "auth", "db", "disk", "1 of {web-1, web-2}"]
    );
    let year = 365.0 * 86400.0;
    // Alone, each is its own unavailability: db's disk is disk's row, not db's.
    let alone = [1e-3, 1e-3, 1e-3, 5e-4, 1e-4, 1e-4];
    for (d, p) in b.dependencies.iter().zip(alone) {
        assert_close!(d.spend_per_year_s, p * year, 1e-9);
    }
    // Every way down here is in series except the pair of web servers, so the shares are
    // closed forms: each row's own failure while every row before it is up.
    let q: Vec<f64> = [1e-3, 1e-3, 1e-3, 5e-4, 1e-4]
        .iter()
        .map(|p| 1.0 - p)
        .collect();
    let mut before = 1.0;
    for (i, d) in b.dependencies[..5].iter().enumerate() {
        assert_close!(d.share_per_year_s, before * alone[i] * year, 1e-12);
        before *= q[i];
    }
    // The group is charged what it adds: both web servers down with everything else up.
    assert_close!(
        b.dependencies[5].share_per_year_s,
        before * 1e-4 * year,
        1e-12
    );
    let total: f64 = b.dependencies.iter().map(|d| d.share_per_year_s).sum();
    let u = b.unavailability;
    // 1 − Πq cancels digits: good to about 1e-12 absolute, so 1e-9 relative here.
    assert_close!(u, 1.0 - before * (1.0 - 1e-4), 1e-9);
    assert_close!(total, u * year, 1e-12);
    assert_eq!(b.not_charged, ["cache"]);
}

#[test]
fn budget_shares_add_up_to_the_exact_unavailability_on_random_models() {
    let mut rng = Rng(99);
    let year = 365.0 * 86400.0;
    for _ in 0..60 {
        let yaml = random_model(&mut rng, 14);
        let system = system_of(&yaml);
        let (_, states) = eval_yaml(&yaml);
        for target in 0..system.components.len() {
            let slo = Availability::parse("99%").unwrap();
            let b = budget(&system, target, slo, None).unwrap();
            assert_close!(b.unavailability, states[target].down.p, 1e-12);
            let total: f64 = b.dependencies.iter().map(|d| d.share_per_year_s).sum();
            assert_close!(total, states[target].down.p * year, 1e-9);
            assert_eq!(b.meets_slo, states[target].down.p <= 0.01 * (1.0 + 1e-12));
            assert_eq!(b.own_fits, b.meets_slo, "{yaml}");
            for d in &b.dependencies {
                assert!(d.share_per_year_s >= 0.0, "{d:?}\n{yaml}");
                if let Some(c) = system.component_id(&d.name)
                    && d.kind != DependencyKind::Domain
                {
                    assert_close!(d.composite_availability, states[c].down.q, 1e-12);
                    // Alone, a row never takes more than the component it stands for delivers.
                    assert!(d.unavailability <= states[c].down.p * (1.0 + 1e-12));
                }
            }
        }
    }
}

#[test]
fn budget_shares_match_brute_force_on_random_models() {
    // Each row's share, by enumeration: P(DOWN, every event of the rows above it absent, one of
    // its own present). Rows are told apart by their owners: a component or domain row holds its
    // owner's events, the one group or fallback row (models with more are skipped) the rest.
    let mut rng = Rng(7);
    let mut checked = 0;
    for _ in 0..80 {
        let yaml = random_model(&mut rng, 11);
        let system = system_of(&yaml);
        let structure = Structure::new(&system);
        let target = system.components.len() - 1;
        let b = budget(&system, target, Availability::parse("99%").unwrap(), None).unwrap();
        let ways: Vec<usize> = (0..b.dependencies.len())
            .filter(|&i| {
                matches!(
                    b.dependencies[i].kind,
                    DependencyKind::Group | DependencyKind::Fallback
                )
            })
            .collect();
        if ways.len() > 1 {
            continue;
        }
        let row_of = |e: usize| -> Option<usize> {
            let owner = match structure.events[e].owner() {
                Owner::Component(c) => &system.components[c].name,
                Owner::Domain(d) => &system.domains[d].name,
            };
            b.dependencies
                .iter()
                .position(|d| {
                    &d.name == owner
                        && !matches!(d.kind, DependencyKind::Group | DependencyKind::Fallback)
                })
                .or(ways.first().copied())
        };
        let rows: Vec<Option<usize>> = (0..structure.events.len()).map(row_of).collect();
        let table = truth_table(&structure, structure.components[target].down);
        let odds = base_odds(&structure);
        let mut share = vec![0.0; b.dependencies.len()];
        for (state, &down) in table.iter().enumerate() {
            if !down {
                continue;
            }
            // The first row, in order, with an event present takes the state.
            let first = (0..structure.events.len())
                .filter(|&e| state >> e & 1 == 1)
                .filter_map(|e| rows[e])
                .min();
            let weight: f64 = odds
                .iter()
                .enumerate()
                .map(|(e, &(p, q))| if state >> e & 1 == 1 { p } else { q })
                .product();
            if let Some(r) = first {
                share[r] += weight;
            }
        }
        let total: f64 = share.iter().sum();
        for (d, truth) in b.dependencies.iter().zip(&share) {
            let got = d.share_per_year_s / (365.0 * 86400.0);
            assert!(
                (got - truth).abs() <= 1e-9 * truth.abs() + 1e-12 * total,
                "{}: {got:e} vs {truth:e}\n{yaml}",
                d.name
            );
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} models checked");
}

// ---------------------------------------------------------------------------------------------
// The commands.

#[test]
fn explain_json_has_the_spec_fields() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let out = nines()
        .args(["explain", "--format", "json"])
        .arg(&model)
        .arg("store")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["component"], "store");
    assert!(v["unavailability"].as_f64().unwrap() > 0.0);
    let first = &v["importance"][0];
    for key in ["birnbaum", "criticality", "fussell_vesely", "raw", "rrw"] {
        assert!(first[key].is_number(), "{key}: {first}");
    }
    assert!(first["name"].is_string() && first["kind"].is_string());
    let cut = &v["cut_sets"][0];
    assert!(cut["events"].is_array() && cut["probability"].is_number());
    let spofs: Vec<&str> = v["single_points_of_failure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    // The region holds both zones, dns is a hard dependency of both web servers, and the store's
    // own replica and db's failover take it down alone; most probable first.
    assert_eq!(spofs, ["region", "store", "dns", "db:failover"]);
    let x: Explanation = {
        let system = system_of(STORE);
        explain(
            &system,
            system.component_id("store").unwrap(),
            ExplainOptions::default(),
        )
        .unwrap()
    };
    assert_eq!(x.single_points_of_failure, spofs);

    let table = nines()
        .arg("explain")
        .arg(&model)
        .arg("store")
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("single points of failure: region, store, dns, db:failover"),
        "{text}"
    );
    assert!(text.contains("Fussell–Vesely"), "{text}");
    let md = nines()
        .args(["explain", "--format", "markdown"])
        .arg(&model)
        .arg("store")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(md.stdout)
            .unwrap()
            .contains("| contributor |")
    );
}

#[test]
fn whatif_and_budget_json_have_the_spec_fields() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let out = nines()
        .args(["whatif", "--fail", "az1,payments", "--format", "json"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failed"], serde_json::json!(["az1", "payments"]));
    let c = &v["components"][0];
    for key in [
        "availability",
        "unavailability",
        "degraded",
        "baseline_availability",
    ] {
        assert!(c[key].is_number(), "{key}: {c}");
    }
    let cache = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "cache")
        .unwrap();
    assert_eq!(cache["effect"], "down");
    assert_eq!(cache["availability"], 0.0);

    let paper = write_model(&dir, "paper.yaml", PAPER);
    let out = nines()
        .args(["budget", "--format", "json", "--outages", "2"])
        .arg(&paper)
        .arg("service")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["component"], "service");
    assert_eq!(v["slo"], 0.9999);
    assert_close!(v["budget_per_year_s"].as_f64().unwrap(), 3153.6, 1e-12);
    assert!(v["own_per_year_s"].as_f64().unwrap() > 1576.8);
    let u = v["unavailability"].as_f64().unwrap();
    let exact = 5e-5
        + (0..5)
            .map(|i| (1.0 - 5e-5) * (1.0 - 1e-5f64).powi(i) * 1e-5)
            .sum::<f64>();
    assert_close!(u, exact, 1e-12);
    let rows = v["dependencies"].as_array().unwrap();
    let total: f64 = rows
        .iter()
        .map(|d| d["share_per_year_s"].as_f64().unwrap())
        .sum();
    assert_close!(total, u * 365.0 * 86400.0, 1e-12);
    assert_eq!(rows[0]["kind"], "own");
    let d = &rows[1];
    assert_eq!(d["name"], "dep-1");
    assert_close!(d["availability"].as_f64().unwrap(), 0.99999, 1e-15);
    assert_close!(d["spend_per_year_s"].as_f64().unwrap(), 315.36, 1e-12);
    let text = nines()
        .arg("budget")
        .arg(&paper)
        .arg("service")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("52.56 min / year"), "{text}");
    assert!(text.contains("26.28 min / year"), "{text}");
}

#[test]
fn unknown_names_are_usage_errors_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    for args in [
        vec!["whatif", "--fail", "dbb"],
        vec!["whatif", "--improve", "dbb=99.99%"],
        vec!["explain", "MODEL", "dbb"],
        vec!["budget", "MODEL", "dbb"],
    ] {
        let mut cmd = nines();
        for a in &args {
            if *a == "MODEL" {
                cmd.arg(&model);
            } else {
                cmd.arg(a);
            }
        }
        if args[0] == "whatif" {
            cmd.arg(&model);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("unknown") && err.contains("did you mean `db`?"),
            "{err}"
        );
    }
    let out = nines()
        .args(["whatif", "--improve", "db=150%"])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = nines().args(["whatif"]).arg(&model).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A component without an slo needs --slo.
    let out = nines()
        .args(["budget"])
        .arg(&model)
        .arg("db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--slo"));
    let out = nines()
        .args(["budget", "--slo", "99.9%"])
        .arg(&model)
        .arg("db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
