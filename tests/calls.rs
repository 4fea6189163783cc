//! Calls: hangs, timeouts against deadlines, circuit breakers and queues, against independent
//! truth — the enumeration of every state, closed forms, and the timeline within its interval.

use std::path::Path;

use nines::model::{Format, Model};
use nines::sim::timeline::{Start, TimelineOptions, simulate};
use nines::structure::Structure;
use proptest::prelude::*;

use crate::util::{nines, repo_path, write_model};

fn system(yaml: &str) -> nines::system::System {
    Model::parse(Path::new("calls.yaml"), yaml.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}"))
        .system()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Unavailability, degraded and P(HUNG) of every component, exactly.
fn exact(system: &nines::system::System) -> Vec<(f64, f64, f64)> {
    let structure = Structure::new(system);
    let states = nines::exact::evaluate(&structure).unwrap();
    let hung = nines::exact::hung_probabilities(&structure).unwrap();
    states
        .iter()
        .zip(hung)
        .map(|(s, h)| (s.down.p, s.degraded, h))
        .collect()
}

fn of<'a>(
    system: &nines::system::System,
    xs: &'a [(f64, f64, f64)],
    name: &str,
) -> &'a (f64, f64, f64) {
    &xs[system.component_id(name).unwrap()]
}

// ---------------------------------------------------------------------------------------------
// Closed forms

/// A fail-open call without a timeout to a target that hangs 30% of its outages costs the caller
/// exactly 0.3 × the target's unavailability, and all of it is HUNG.
#[test]
fn an_unprotected_fail_open_call_hangs_with_its_target() {
    let s = system(
        "components:\n  carrier: { availability: 99%, hang: 30% }\n  store:\n    availability: 100%\n    depends_on: [{ component: carrier, on_failure: degrade }]\n",
    );
    let x = exact(&s);
    let (down, degraded, hung) = *of(&s, &x, "store");
    assert_close!(down, 0.3 * 0.01, 1e-12);
    assert_close!(hung, 0.3 * 0.01, 1e-12);
    assert_close!(degraded, 0.7 * 0.01, 1e-12);
    assert_close!(of(&s, &x, "carrier").2, 0.3 * 0.01, 1e-12);
}

/// With a timeout the same call costs nothing but degraded time.
#[test]
fn a_timeout_leaves_only_degraded_time() {
    let s = system(
        "components:\n  carrier: { availability: 99%, hang: 30% }\n  store:\n    availability: 100%\n    depends_on: [{ component: carrier, on_failure: degrade, timeout: 2s }]\n",
    );
    let x = exact(&s);
    let (down, degraded, hung) = *of(&s, &x, "store");
    assert_eq!(down, 0.0);
    assert_eq!(hung, 0.0);
    assert_close!(degraded, 0.01, 1e-12);
}

/// A timeout no shorter than the caller's deadline protects nothing; a breaker does.
#[test]
fn a_timeout_past_the_deadline_protects_only_with_a_breaker() {
    let base = "components:\n  carrier: { availability: 99%, hang: 30% }\n  store:\n    availability: 100%\n    deadline: 2s\n    depends_on: [{ component: carrier, on_failure: degrade, ENTRY }]\n";
    let s = system(&base.replace("ENTRY", "timeout: 5s"));
    assert_close!(of(&s, &exact(&s), "store").2, 0.003, 1e-12);
    let s = system(&base.replace("ENTRY", "timeout: 2s"));
    assert_close!(of(&s, &exact(&s), "store").2, 0.003, 1e-12);
    let s = system(&base.replace("ENTRY", "timeout: 1s"));
    assert_eq!(of(&s, &exact(&s), "store").2, 0.0);
    // With a breaker: never HUNG, DOWN only while the breaker opens, once per outage of the
    // carrier (mttf 99h, mttr 1h: one outage every 100 hours).
    let s = system(&base.replace("ENTRY", "timeout: 5s, breaker: 36s"));
    let (down, _, hung) = *of(&s, &exact(&s), "store");
    assert_eq!(hung, 0.0);
    assert_close!(down, 36.0 / (100.0 * 3600.0), 1e-12);
}

/// The hang climbs two layers of hard dependencies without timeouts and stops at the first
/// timeout.
#[test]
fn a_hang_climbs_until_the_first_timeout() {
    let s = system(
        "components:\n  db: { availability: 99.9%, hang: 100% }\n  api:\n    availability: 100%\n    depends_on: [db]\n  web:\n    availability: 100%\n    depends_on: [api]\n  edge:\n    availability: 100%\n    depends_on: [{ component: web, timeout: 1s }]\n  top:\n    availability: 100%\n    depends_on: [edge]\n",
    );
    let x = exact(&s);
    for name in ["db", "api", "web"] {
        assert_close!(of(&s, &x, name).2, 0.001, 1e-12);
    }
    for name in ["edge", "top"] {
        assert_eq!(of(&s, &x, name).2, 0.0, "{name}");
        assert_close!(of(&s, &x, name).0, 0.001, 1e-12);
    }
}

/// A queue edge degrades its producer while the consumer is down, HUNG or not.
#[test]
fn a_queue_degrades_and_never_hangs() {
    let s = system(
        "components:\n  worker: { availability: 99%, hang: 50% }\n  shop:\n    availability: 99.9%\n    depends_on: [{ component: worker, via: queue, max_delay: 4h }]\n",
    );
    let (down, degraded, hung) = *of(&s, &exact(&s), "shop");
    assert_close!(down, 0.001, 1e-12);
    assert_eq!(hung, 0.0);
    assert_close!(degraded, 0.999 * 0.01, 1e-12);
}

/// A group is HUNG when fewer than k of its members are anything better than HUNG.
#[test]
fn a_group_hangs_only_when_too_few_members_answer() {
    let s = system(
        "components:\n  a: { availability: 90%, hang: 100% }\n  b: { availability: 80% }\n  app:\n    availability: 100%\n    depends_on: [{ at_least: 1, of: [a, b] }]\n",
    );
    let (down, _, hung) = *of(&s, &exact(&s), "app");
    assert_close!(down, 0.1 * 0.2, 1e-12);
    // Both down, a hung (always, when down): the group's best member is only DOWN.
    assert_eq!(hung, 0.0);
}

// ---------------------------------------------------------------------------------------------
// The enumeration of every state

/// Small random models with hangs, deadlines, timeouts, breakers, queues, groups and fallbacks.
fn model_strategy() -> impl Strategy<Value = String> {
    let entry = (
        0u8..5,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        0u8..4,
        any::<bool>(),
    );
    let component = (
        prop::sample::select(vec!["90%", "80%", "99%", "50%"]),
        1u32..=2,
        prop::sample::select(vec![None, Some("30%"), Some("100%")]),
        any::<bool>(),
        prop::collection::vec(entry, 0..=3),
    );
    prop::collection::vec(component, 1..=5).prop_map(|components| {
        let mut yaml = "components:\n".to_string();
        for (i, (a, replicas, hang, deadline, entries)) in components.into_iter().enumerate() {
            yaml += &format!("  c{i}:\n    availability: {a}\n    replicas: {replicas}\n");
            if let Some(h) = hang {
                yaml += &format!("    hang: {h}\n");
            }
            if deadline {
                yaml += "    deadline: 5s\n";
            }
            let mut lines: Vec<String> = Vec::new();
            let mut named = Vec::new();
            for (kind, target, other, call, group) in entries.into_iter().filter(|_| i > 0) {
                let t = target.index(i);
                let u = other.index(i);
                let calls = match call {
                    0 => "",
                    1 => ", timeout: 1s",
                    2 => ", timeout: 10s",
                    _ => ", breaker: 1h",
                };
                let on = match kind {
                    0 => "fail",
                    1 | 2 => "degrade",
                    _ => "ignore",
                };
                let line = if kind == 4 && !group {
                    format!("{{ component: c{t}, via: queue, max_delay: 1h }}")
                } else if group && t != u {
                    format!("{{ at_least: 1, of: [c{t}, c{u}], on_failure: {on}{calls} }}")
                } else if kind == 2 && t != u {
                    format!("{{ component: c{t}, on_failure: degrade, fallback: c{u}{calls} }}")
                } else {
                    format!("{{ component: c{t}, on_failure: {on}{calls} }}")
                };
                if named.contains(&line) {
                    continue;
                }
                named.push(line.clone());
                lines.push(line);
            }
            yaml += &format!("    depends_on: [{}]\n", lines.join(", "));
        }
        yaml
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn exact_equals_enumeration_with_calls(yaml in model_strategy()) {
        let system = system(&yaml);
        let structure = Structure::new(&system);
        prop_assume!(structure.events.len() <= 14);
        let states = nines::exact::evaluate(&structure).unwrap();
        let whole = nines::exact::evaluate_whole(&structure).unwrap();
        let hung = nines::exact::hung_probabilities(&structure).unwrap();
        let truths = nines::exact::enumerate::enumerate_with_hung(&system, &structure).unwrap();
        for (c, (truth, truth_hung)) in truths.iter().enumerate() {
            let name = &system.components[c].name;
            for got in [&states[c], &whole[c]] {
                prop_assert!((truth.down.p - got.down.p).abs() <= 1e-12, "{name} down: enumeration {} engine {}\n{yaml}", truth.down.p, got.down.p);
                prop_assert!((truth.degraded - got.degraded).abs() <= 1e-12, "{name} degraded: enumeration {} engine {}\n{yaml}", truth.degraded, got.degraded);
                prop_assert!((truth.up - got.up).abs() <= 1e-12, "{name} up: enumeration {} engine {}\n{yaml}", truth.up, got.up);
            }
            prop_assert!((truth_hung - hung[c]).abs() <= 1e-12, "{name} hung: enumeration {truth_hung} engine {}\n{yaml}", hung[c]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The timeline

/// Hangs drawn per outage, breakers opening, queues: the simulated unavailability is within
/// its 99.9% interval (3.29 standard errors) of the exact one. The breaker's target never
/// overlaps another cause of the caller's downtime here, and its outages (exponential, mean
/// 1h) are charged `breaker` each in eval, so the two agree but for outages shorter than 10s
/// (a share 1 − e^(−10/3600) of them, each charged its own length): a 0.3% bias, kept below
/// the interval by the tolerance.
#[test]
fn the_timeline_agrees_with_eval() {
    let yaml = "components:\n  carrier: { mttf: 99h, mttr: 1h, hang: 40% }\n  payments: { mttf: 199h, mttr: 1h }\n  worker: { mttf: 49h, mttr: 1h }\n  store:\n    mttf: 9999h\n    mttr: 1h\n    depends_on:\n      - { component: carrier, on_failure: degrade }\n      - { component: payments, on_failure: degrade, breaker: 10s }\n      - { component: worker, via: queue, max_delay: 2h }\n  front:\n    availability: 100%\n    depends_on: [{ component: store, timeout: 1s }]\n";
    let s = system(yaml);
    let x = exact(&s);
    let r = simulate(
        &s,
        &TimelineOptions {
            runs: 400,
            horizon_s: 2.0 * nines::model::units::YEAR,
            seed: 11,
            threads: 2,
            start: Start::Stationary,
        },
        &|_| {},
    );
    for (c, (got, want)) in r.components.iter().zip(&x).enumerate() {
        let name = &s.components[c].name;
        assert!(
            (got.unavailability - want.0).abs() <= 3.29 * got.unavailability_se + 3e-3 * want.0,
            "{name}: simulated {:e} ± {:e}, exact {:e}",
            got.unavailability,
            got.unavailability_se,
            want.0
        );
    }
    // The queue: the worker is down 2% of the time in outages of mean 1h; a window of 30 days
    // sees some outage longer than 2h with probability 1 − exp(−(720h/50h)·e^(−2)).
    assert_eq!(r.queues.len(), 1);
    let q = &r.queues[0];
    let want = 1.0 - (-(720.0 / 50.0) * (-2.0f64).exp()).exp();
    let (lo, hi) = nines::sim::stats::wilson_z(
        (q.p_late.unwrap() * (r.runs * r.windows_per_run as u64) as f64).round() as u64,
        r.runs * r.windows_per_run as u64,
        3.29,
    );
    assert!(
        lo <= want && want <= hi,
        "p_late {:?}, want {want}",
        q.p_late
    );
    // The longest wait per outage is the outage: exponential with mean 1h, median ln 2 hours.
    let p50 = q.delay_s.unwrap().p50;
    assert!(
        (p50 / (std::f64::consts::LN_2 * 3600.0) - 1.0).abs() < 0.05,
        "p50 {p50}"
    );
}

/// The share of time each component is HUNG in the timeline, against eval's P(HUNG): on the
/// shipped store with and without its timeout, and on random models of every structural
/// feature whose components hang in part of their outages. A split is drawn for each outage in
/// the timeline and is an independent event in eval; both give P(capacity out) × `hang`. Each
/// comparison allows 3.6 standard errors of the mean over 64 runs (beyond 99.9% for Student's
/// t with 63 degrees of freedom); a few misses among hundreds are chance, more are a bug.
#[test]
fn simulated_hung_agrees_with_eval() {
    let store = std::fs::read_to_string(repo_path("models/timeouts.yaml")).unwrap();
    let mut models = vec![
        store.clone(),
        store.replace("degrade, timeout: 1s }", "degrade }"),
    ];
    let mut rng = crate::util::Rng(2121);
    for i in 0..30 {
        let mut yaml = crate::util::random_model(&mut rng, 12);
        for c in (0..6).filter(|c| (i + c) % 2 == 0) {
            yaml = yaml.replace(&format!("  c{c}:\n"), &format!("  c{c}:\n    hang: 40%\n"));
        }
        models.push(yaml);
    }
    let (mut checked, mut misses) = (0, Vec::new());
    for (m, yaml) in models.iter().enumerate() {
        let s = system(yaml);
        let x = exact(&s);
        let r = simulate(
            &s,
            &TimelineOptions {
                runs: 64,
                horizon_s: 2.0 * nines::model::units::YEAR,
                seed: m as u64,
                threads: 2,
                start: Start::Stationary,
            },
            &|_| {},
        );
        for (c, (got, want)) in r.components.iter().zip(&x).enumerate() {
            let hung = got.hung;
            // HUNG is a part of DOWN in both.
            assert!(hung.mean <= got.unavailability + 1e-15);
            if want.2 == 0.0 {
                assert_eq!(hung.mean, 0.0, "{}\n{yaml}", s.components[c].name);
                continue;
            }
            checked += 1;
            if (hung.mean - want.2).abs() > 3.6 * hung.se {
                misses.push(format!(
                    "model {m}, {}: simulated {:e} ± {:e}, exact {:e}\n{yaml}",
                    s.components[c].name, hung.mean, hung.se, want.2
                ));
            }
        }
    }
    assert!(checked > 60, "only {checked} components that hang");
    assert!(
        misses.len() <= 2,
        "{} misses of {checked}:\n{}",
        misses.len(),
        misses.join("\n")
    );
    // The JSON carries it beside the availability, with its interval and eval's value.
    let out = nines()
        .args([
            "simulate", "--runs", "16", "--seed", "3", "--format", "json",
        ])
        .arg(repo_path("models/timeouts.yaml"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let carrier = (v["components"].as_array().unwrap().iter())
        .find(|c| c["name"] == "carrier-api")
        .unwrap();
    assert!(carrier["hung"].as_f64().unwrap() > 0.0, "{carrier}");
    let [lo, hi] = [0, 1].map(|i| carrier["hung_ci95"][i].as_f64().unwrap());
    assert!(lo <= carrier["hung"].as_f64().unwrap() && carrier["hung"].as_f64().unwrap() <= hi);
    assert!((carrier["exact_hung"].as_f64().unwrap() - 0.4 * 0.005).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------------
// lint N003

/// The downtime a year N003 says a timeout saves is the difference `eval` gives between the
/// model as it stands and with that one entry time-boxed.
#[test]
fn n003_saving_is_the_eval_difference() {
    let yaml = "components:\n  rates: { availability: 99%, hang: 50% }\n  db: { availability: 99.9% }\n  shop:\n    availability: 99.9%\n    depends_on:\n      - db\n      - { component: rates, on_failure: degrade }\n  front:\n    availability: 100%\n    slo: 99%\n    depends_on: [shop]\n";
    let fixed = yaml.replace(
        "on_failure: degrade }",
        "on_failure: degrade, timeout: 1s }",
    );
    let year = nines::model::units::YEAR;
    let before = exact(&system(yaml));
    let after = exact(&system(&fixed));
    let s = system(yaml);
    let saved = (of(&s, &before, "front").0 - of(&s, &after, "front").0) * year;
    // 0.5 × 1% of a year, less what db and shop's own failures already take.
    assert!(saved > 40.0 * 3600.0, "{saved}");
    let model = Model::parse(Path::new("t.yaml"), yaml.to_string(), Format::Yaml).unwrap();
    let findings = nines::lint::lint(&model, &model.system().unwrap()).unwrap();
    let n003: Vec<_> = findings.iter().filter(|f| f.rule == "N003").collect();
    assert_eq!(n003.len(), 1, "{findings:#?}");
    let text = format!(
        "saves {}/year of downtime for `front`",
        nines::model::units::format_duration_human(saved)
    );
    assert!(
        n003[0].message.contains(&text),
        "{}\nwanted {text}",
        n003[0].message
    );
    assert!(
        n003[0]
            .message
            .contains("adding `timeout` to `shop` → `rates`")
    );
    // Time-boxed, or to a target that cannot hang: nothing to say.
    let model = Model::parse(Path::new("t.yaml"), fixed, Format::Yaml).unwrap();
    let findings = nines::lint::lint(&model, &model.system().unwrap()).unwrap();
    assert!(findings.iter().all(|f| f.rule != "N003"), "{findings:#?}");
    let calm = yaml.replace(", hang: 50%", "");
    let model = Model::parse(Path::new("t.yaml"), calm, Format::Yaml).unwrap();
    let findings = nines::lint::lint(&model, &model.system().unwrap()).unwrap();
    assert!(findings.iter().all(|f| f.rule != "N003"), "{findings:#?}");
}

// ---------------------------------------------------------------------------------------------
// graph

#[test]
fn graph_draws_protected_unprotected_and_queue_edges_apart() {
    let model = repo_path("models/timeouts.yaml");
    let out = nines().arg("graph").arg(&model).output().unwrap();
    let mermaid = String::from_utf8(out.stdout).unwrap();
    // storefront is c5, free-shipping c4, payments c1, fulfilment c3, carrier-api c0.
    assert!(mermaid.contains("c4 ==>|\"may hang\"| c0"), "{mermaid}");
    assert!(
        mermaid.contains("c5 -.->|\"degrade, timeout 1s\"| c4"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("c5 -.->|\"degrade, timeout 2s, breaker 10s\"| c1"),
        "{mermaid}"
    );
    assert!(mermaid.contains("c5 -.->|\"queue ≤4h\"| c3"), "{mermaid}");
    // A target that cannot hang keeps the plain arrow.
    assert!(mermaid.contains("c5 --> c2"), "{mermaid}");
    let out = nines()
        .args(["graph", "--format", "dot"])
        .arg(&model)
        .output()
        .unwrap();
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(
        dot.contains("c4 -> c0 [label=\"may hang\", color=red, penwidth=2]"),
        "{dot}"
    );
    assert!(
        dot.contains("c5 -> c4 [label=\"degrade, timeout 1s\", style=dashed, arrowhead=tee]"),
        "{dot}"
    );
    assert!(
        dot.contains("c5 -> c3 [label=\"queue ≤4h\", style=dashed, arrowhead=empty]"),
        "{dot}"
    );
    // Without the timeout the storefront's call may hang too.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&model).unwrap();
    let bare = write_model(
        &dir,
        "bare.yaml",
        &text.replace("degrade, timeout: 1s }", "degrade }"),
    );
    let out = nines().arg("graph").arg(&bare).output().unwrap();
    let mermaid = String::from_utf8(out.stdout).unwrap();
    assert!(
        mermaid.contains("c5 ==>|\"degrade, may hang\"| c4"),
        "{mermaid}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn bad_calls_get_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "components:\n  a: { availability: 0.9, hang: 130% }\n",
            "x.yaml:2:",
            "hang 1.3 is not a share",
        ),
        (
            "components:\n  a: { availability: 0.9, deadline: 0s }\n",
            "x.yaml:2:",
            "deadline must be longer than zero",
        ),
        (
            "components:\n  a: { availability: 0.9 }\n  b: { availability: 0.9, depends_on: [{ component: a, max_delay: 1h }] }\n",
            "x.yaml:3:",
            "this entry is a call",
        ),
        (
            "components:\n  a: { availability: 0.9 }\n  b: { availability: 0.9, depends_on: [{ component: a, via: queue, on_failure: degrade }] }\n",
            "x.yaml:3:",
            "`on_failure` is about calls",
        ),
        (
            "components:\n  a: { availability: 0.9 }\n  c: { availability: 0.9 }\n  b: { availability: 0.9, depends_on: [{ of: [a, c], via: queue }] }\n",
            "x.yaml:4:",
            "not a group",
        ),
        (
            "components:\n  a: { availability: 0.9 }\n  b: { availability: 0.9, depends_on: [{ component: a, via: post }] }\n",
            "x.yaml:3:",
            "unknown value `post`",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (text, place, words) in cases {
        let path = write_model(&dir, "x.yaml", text);
        let out = nines().arg("eval").arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(place), "{text}: expected `{place}` in:\n{err}");
        assert!(err.contains(words), "{text}: expected `{words}` in:\n{err}");
    }
}
