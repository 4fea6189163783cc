//! `nines chaos`: each experiment's verdicts against two independent truths — the model's rules
//! applied directly to the failed parts (on random models, pairs included), and `explain`'s
//! single points of failure and `whatif`'s exact probabilities (on random and shipped models) —
//! and the command's exit codes, bounds and formats.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use nines::explain::chaos::{
    Chaos, Experiment, MAX_PAIRS, Mode, UnitKind, Verdict, chaos, outermost,
};
use nines::explain::explanation::{ExplainOptions, explain};
use nines::explain::whatif::what_if;
use nines::model::spec::{ModelSpec, OnFailure as SpecOnFailure, Share, Target, Via};
use nines::model::units::Duration;
use nines::model::{Format, Model};
use nines::structure::{EventKind, Owner, Structure};
use nines::system::{DependencyTarget, OnFailure, System};
use proptest::prelude::*;

use crate::exact::model_strategy;
use crate::util::*;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum State {
    Up,
    Degraded,
    Down,
    Hung,
}

/// What is failed in one experiment, read from the model (not from the gates).
#[derive(Default, Clone)]
struct Failed {
    replica: Vec<Vec<bool>>,
    domain: Vec<bool>,
    /// Components taken down by their own maintenance or failover.
    own: Vec<bool>,
    /// Components whose calls hang while too few of their replicas are up.
    hang: Vec<bool>,
}

/// Every component's state with `failed` failed and everything else up: the model's rules
/// (docs/semantics.md) applied directly, components after their dependencies.
fn states(system: &System, failed: &Failed) -> Vec<State> {
    let order = nines::graph::topological_order(system).unwrap();
    let domain_up = |mut d: usize| loop {
        if failed.domain[d] {
            return false;
        }
        match system.domains[d].parent {
            Some(p) => d = p,
            None => return true,
        }
    };
    let mut state = vec![State::Up; system.components.len()];
    for c in order {
        let comp = &system.components[c];
        let up = (0..comp.replicas as usize)
            .filter(|&i| !failed.replica[c][i] && comp.replica_domains[i].is_none_or(domain_up))
            .count() as u32;
        // A hang is a way of being out of capacity: maintenance and failover fail fast.
        let mut s = if up < comp.min_available && failed.hang[c] {
            State::Hung
        } else if up < comp.min_available || failed.own[c] {
            State::Down
        } else {
            State::Up
        };
        for d in &comp.dependencies {
            let target = match &d.target {
                DependencyTarget::Component(t) => state[*t],
                DependencyTarget::Group { at_least, members } => {
                    let better =
                        |x: State| members.iter().filter(|&&m| state[m] < x).count() as u32;
                    if better(State::Degraded) >= *at_least {
                        State::Up
                    } else if better(State::Down) >= *at_least {
                        State::Degraded
                    } else if better(State::Hung) >= *at_least {
                        State::Down
                    } else {
                        State::Hung
                    }
                }
            };
            if d.queue.is_some() {
                // Work waits: the producer runs on, late.
                if target >= State::Down {
                    s = s.max(State::Degraded);
                }
                continue;
            }
            // A call gives up on a hung target only with a breaker, or a timeout that ends
            // before the caller's own deadline.
            let gives_up = d.breaker_s.is_some()
                || d.timeout_s
                    .is_some_and(|t| comp.deadline_s.is_none_or(|dl| t < dl));
            if target == State::Hung && !gives_up {
                s = State::Hung;
                continue;
            }
            let target = target.min(State::Down);
            s = s.max(match d.on_failure {
                OnFailure::Fail => target,
                OnFailure::Degrade => match (target, d.fallback) {
                    (State::Down, Some(f)) if state[f] >= State::Down => State::Down,
                    (State::Down, _) => State::Degraded,
                    (t, _) => t,
                },
                OnFailure::Ignore => State::Up,
            });
        }
        state[c] = s;
    }
    state
}

/// The parts an experiment's names stand for, failed: `db` a component (every replica, and its
/// own maintenance), `db[1]` one replica (and the failover its loss sets off, when the model
/// has one that can happen), `zone` a domain; failed hanging, the components named hang.
fn failed_of(system: &System, structure: &Structure, names: &[String], mode: Mode) -> Failed {
    let mut failed = Failed {
        replica: (system.components.iter())
            .map(|c| vec![false; c.replicas as usize])
            .collect(),
        domain: vec![false; system.domains.len()],
        own: vec![false; system.components.len()],
        hang: vec![false; system.components.len()],
    };
    // A failover the model gives no chance (no replica ever in service) is never set off.
    let fails_over = |c: usize| {
        (structure.events.iter()).any(|e| e.kind == EventKind::Failover(c) && e.odds.p > 0.0)
    };
    for name in names {
        if let Some(c) = system.component_id(name) {
            failed.replica[c].iter_mut().for_each(|r| *r = true);
            failed.own[c] = true;
            failed.hang[c] = mode == Mode::Hang;
        } else if let Some(d) = system.domain_id(name) {
            failed.domain[d] = true;
        } else {
            let (comp, index) = name.trim_end_matches(']').split_once('[').unwrap();
            let c = system.component_id(comp).unwrap();
            failed.replica[c][index.parse::<usize>().unwrap()] = true;
            failed.own[c] |= fails_over(c);
            failed.hang[c] = mode == Mode::Hang;
        }
    }
    failed
}

fn model_of_spec(spec: &nines::model::spec::ModelSpec) -> Model {
    let text = serde_json::to_string(spec).unwrap();
    Model::parse(Path::new("random.json"), text, Format::Json).unwrap_or_else(|e| panic!("{e}"))
}

/// Every experiment's lists and verdict are what the rules give for the outermost components.
fn assert_matches_the_rules(system: &System, sweep: &Chaos) {
    let structure = Structure::new(system);
    let outer = outermost(system);
    for e in &sweep.experiments {
        let truth = states(system, &failed_of(system, &structure, &e.failed, e.mode));
        let named = |s: State| -> Vec<String> {
            (outer.iter())
                .filter(|&&c| truth[c] == s)
                .map(|&c| system.components[c].name.clone())
                .collect()
        };
        let mut visible = named(State::Down);
        visible.extend(named(State::Hung));
        visible.sort_by_key(|n| system.component_id(n));
        assert_eq!(e.visible, visible, "{e:?}");
        assert_eq!(e.degraded, named(State::Degraded), "{e:?}");
        let worst = outer.iter().map(|&c| truth[c]).max().unwrap_or(State::Up);
        let verdict = match worst {
            State::Up => Verdict::Invisible,
            State::Degraded => Verdict::Degraded,
            State::Down | State::Hung => Verdict::Visible,
        };
        assert_eq!(e.verdict, verdict, "{e:?}");
    }
}

/// The names of the parts a sweep fails alone: every component, every replica of a component
/// with several, every domain, less those that cannot fail.
fn expected_singles(system: &System, sweep: &Chaos) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for c in &system.components {
        names.insert(c.name.clone());
        if c.replicas > 1 {
            names.extend((0..c.replicas).map(|i| format!("{}[{i}]", c.name)));
        }
    }
    names.extend(system.domains.iter().map(|d| d.name.clone()));
    for never in &sweep.summary.never_fail {
        assert!(names.remove(never), "{never}");
    }
    names
}

/// Agreement with `explain` and `whatif`: a single failure is visible to an outermost component
/// exactly when one of its events is a single point of failure of that component; failing a
/// whole component or a domain is visible (degraded) exactly when `whatif` finds the outermost
/// component down (not up) for sure. The second holds only when no event happens for sure, as
/// then "everything else up" is a state that can occur.
fn assert_agrees_with_explain(system: &System, sweep: &Chaos) {
    let structure = Structure::new(system);
    let certain = structure.events.iter().any(|e| e.odds.q == 0.0);
    // The events each single failure makes happen, by name.
    let events_of = |e: &Experiment| -> BTreeSet<String> {
        let name = &e.failed[0];
        (structure.events.iter())
            .filter(|ev| match (ev.kind, e.kind) {
                (EventKind::Replica { .. }, UnitKind::Replica) => &ev.name == name,
                (EventKind::Failover(c), UnitKind::Replica) => {
                    name.starts_with(&format!("{}[", system.components[c].name))
                }
                (_, UnitKind::Replica) => false,
                _ => match ev.owner() {
                    Owner::Component(c) => &system.components[c].name == name,
                    Owner::Domain(d) => &system.domains[d].name == name,
                },
            })
            .map(|ev| ev.name.clone())
            .collect()
    };
    for c in outermost(system) {
        let target = &system.components[c].name;
        let spofs: BTreeSet<String> = explain(system, c, ExplainOptions::default())
            .unwrap()
            .single_points_of_failure
            .into_iter()
            .collect();
        let mut covered = BTreeSet::new();
        for e in sweep.singles() {
            let visible = e.visible.contains(target);
            let events = events_of(e);
            let hits: Vec<&String> = events.intersection(&spofs).collect();
            covered.extend(hits.iter().map(|s| s.to_string()));
            // explain counts a failure whose calls hang as one failure: where the part also
            // fails hanging, its single points of failure are that experiment's to show.
            let hangs_too = e.mode == Mode::Fail
                && (sweep.singles().iter()).any(|h| h.mode == Mode::Hang && h.failed == e.failed);
            if e.kind == UnitKind::AllReplicas {
                // Redundancy does not protect against losing every replica: visible without
                // any single point of failure.
                assert!(hangs_too || hits.is_empty() || visible, "{target}: {e:?}");
            } else if hangs_too {
                assert!(!visible || !hits.is_empty(), "{target}: {e:?}, {spofs:?}");
            } else {
                assert_eq!(visible, !hits.is_empty(), "{target}: {e:?}, {spofs:?}");
            }
            // whatif fails a component's replicas; whether its calls hang stays uncertain.
            if e.mode == Mode::Fail
                && matches!(
                    e.kind,
                    UnitKind::AllReplicas | UnitKind::Component | UnitKind::Domain
                )
            {
                let owner = match system.component_id(&e.failed[0]) {
                    Some(x) => Owner::Component(x),
                    None => Owner::Domain(system.domain_id(&e.failed[0]).unwrap()),
                };
                let w = what_if(system, &[owner], &[]).unwrap();
                let after = &w.components[c];
                let down_for_sure = after.availability == 0.0;
                let impaired_for_sure = after.up == 0.0;
                let noticed = visible || e.degraded.contains(target);
                if certain {
                    assert!(!visible || down_for_sure, "{target}: {e:?}");
                    assert!(!noticed || impaired_for_sure, "{target}: {e:?}");
                } else {
                    assert_eq!(visible, down_for_sure, "{target}: {e:?} {after:?}");
                    assert_eq!(noticed, impaired_for_sure, "{target}: {e:?} {after:?}");
                }
            }
        }
        // Every single point of failure is some single failure's.
        assert_eq!(covered, spofs, "{target}");
    }
}

/// The random models of the exact tests, with calls: components that hang, deadlines, entries
/// with timeouts (shorter and longer than the deadline), breakers and queue edges.
fn model_with_calls() -> impl Strategy<Value = ModelSpec> {
    let calls = prop::collection::vec((0u8..4, any::<bool>(), prop::collection::vec(0u8..6, 3)), 6);
    (model_strategy(), calls).prop_map(|(mut spec, calls)| {
        for ((_, c), (hang, deadline, entries)) in spec.components.iter_mut().zip(calls) {
            c.hang = match hang {
                1 => Some(Share(0.3)),
                2 => Some(Share(1.0)),
                _ => None,
            };
            if deadline {
                c.deadline = Some(Duration::from_secs(5.0));
            }
            for (d, call) in c.depends_on.iter_mut().flatten().zip(entries) {
                match call {
                    1 => d.timeout = Some(Duration::from_secs(1.0)),
                    2 => d.timeout = Some(Duration::from_secs(10.0)),
                    3 => d.breaker = Some(Duration::from_secs(10.0)),
                    4 if matches!(d.target, Target::Component(_))
                        && d.on_failure == SpecOnFailure::Fail
                        && d.fallback.is_none() =>
                    {
                        d.via = Via::Queue
                    }
                    _ => {}
                }
            }
        }
        spec
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn every_experiment_is_what_the_rules_give(spec in model_with_calls()) {
        let system = model_of_spec(&spec).system().unwrap();
        let sweep = chaos(&system, true).unwrap();
        let singles: BTreeSet<String> = sweep.singles().iter().map(|e| e.failed[0].clone()).collect();
        prop_assert_eq!(&singles, &expected_singles(&system, &sweep));
        // Each part fails fast, and hanging too where its component can hang.
        let hanging = sweep.singles().iter().filter(|e| e.mode == Mode::Hang).count();
        prop_assert_eq!(sweep.summary.hangs.experiments, hanging);
        prop_assert_eq!(sweep.singles().len(), singles.len() + hanging);
        for e in sweep.singles().iter().filter(|e| e.mode == Mode::Hang) {
            let name = e.failed[0].split('[').next().unwrap();
            let comp = &system.components[system.component_id(name).unwrap()];
            prop_assert!(comp.hang > 0.0);
            prop_assert!(e.kind != UnitKind::Replica || comp.min_available == comp.replicas);
        }
        // Every two singles are a pair, but a replica with its own component.
        let n = singles.len();
        let within = sweep.singles().iter().filter(|e| e.kind == UnitKind::Replica && e.mode == Mode::Fail).count();
        prop_assert_eq!(sweep.experiments.len() - n - hanging, n * n.saturating_sub(1) / 2 - within);
        assert_matches_the_rules(&system, &sweep);
    }

    #[test]
    fn single_failures_are_explain_s_single_points_of_failure(spec in model_with_calls()) {
        let system = model_of_spec(&spec).system().unwrap();
        let sweep = chaos(&system, false).unwrap();
        assert_agrees_with_explain(&system, &sweep);
    }
}

#[test]
fn shipped_models_agree_with_the_rules_and_with_explain() {
    for name in [
        "online-store.yaml",
        "multi-region.yaml",
        "k8s-microservices.yaml",
        "checkout.yaml",
        "db-quorum.yaml",
        "degrade-and-ignore.yaml",
        "three-tier.toml",
        "timeouts.yaml",
    ] {
        let model = Model::load(&repo_path(&format!("models/{name}"))).unwrap();
        let system = model.system().unwrap();
        let sweep = chaos(&system, false).unwrap();
        assert_matches_the_rules(&system, &sweep);
        assert_agrees_with_explain(&system, &sweep);
    }
}

#[test]
fn the_store_s_visible_single_failures_are_explain_s_single_points_of_failure() {
    let model = Model::load(&repo_path("models/online-store.yaml")).unwrap();
    let system = model.system().unwrap();
    let sweep = chaos(&system, false).unwrap();
    let c = system.component_id("storefront").unwrap();
    let spofs = explain(&system, c, ExplainOptions::default())
        .unwrap()
        .single_points_of_failure;
    // explain names events: a failover is the component's, a replica's is the replica's.
    let owner = |e: &str| e.split(':').next().unwrap().to_string();
    let spof_owners: BTreeSet<String> = spofs.iter().map(|e| owner(e)).collect();
    let visible: BTreeSet<String> = (sweep.singles().iter())
        .filter(|e| e.kind != UnitKind::AllReplicas && e.visible.contains(&"storefront".into()))
        .map(|e| e.failed[0].split('[').next().unwrap().to_string())
        .collect();
    assert_eq!(visible, spof_owners);
}

const REDUNDANT: &str = "
domains:
  zone-a: { availability: 99.9% }
  zone-b: { availability: 99.9% }
components:
  db: { availability: 99.9%, replicas: 2, spread: [zone-a, zone-b] }
  api:
    availability: 99.9%
    replicas: 2
    spread: [zone-a, zone-b]
    depends_on: [db, { component: email, on_failure: degrade }]
  email: { availability: 99% }
  site: { availability: 99.9%, replicas: 3, spread: [zone-a, zone-b], depends_on: [api], slo: 99.9% }
";

#[test]
fn a_model_without_single_points_of_failure_hides_every_single_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_model(&tmp, "redundant.yaml", REDUNDANT);
    let out = nines()
        .args(["chaos", "--format", "json", "--deny", "visible"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["outermost"], serde_json::json!(["site"]));
    for e in v["experiments"].as_array().unwrap() {
        let kind = e["kind"].as_str().unwrap();
        let failed = e["failed"][0].as_str().unwrap();
        let expected = match (kind, failed) {
            ("all-replicas", _) => "visible",
            (_, "email") => "degraded",
            _ => "invisible",
        };
        assert_eq!(e["verdict"], expected, "{e}");
    }
    // email is degraded, so `--deny degraded` fails the sweep.
    nines()
        .args(["chaos", "--deny", "degraded"])
        .arg(&path)
        .assert()
        .code(1);
    // Two zones at once take everything down.
    let out = nines()
        .args(["chaos", "--pairs"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("zone-a + zone-b"), "{text}");
    assert!(text.contains("db[0] + db[1]"), "{text}");
}

#[test]
fn a_single_point_of_failure_fails_deny_visible() {
    nines()
        .args(["chaos", "models/online-store.yaml", "--deny", "visible"])
        .current_dir(repo_path(""))
        .assert()
        .code(1);
    // Informational by default.
    nines()
        .args(["chaos", "models/online-store.yaml", "--format", "markdown"])
        .current_dir(repo_path(""))
        .assert()
        .code(0);
}

#[test]
fn too_many_pairs_are_refused_before_any_work() {
    let n = 400;
    let mut text = String::from("components:\n");
    for i in 0..n {
        text += &format!("  c{i}: {{ availability: 99.9% }}\n");
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = write_model(&tmp, "wide.yaml", &text);
    let out = nines()
        .args(["chaos", "--pairs"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let pairs = n * (n - 1) / 2;
    assert!(pairs > MAX_PAIRS);
    assert!(err.contains(&format!("{pairs} pairs")), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // The single failures still run.
    nines().args(["chaos"]).arg(&path).assert().code(0);
}

#[test]
fn a_failover_is_visible_only_while_it_lasts() {
    let (system, _) = eval_yaml(
        "components:\n  db: { availability: 99.9%, replicas: 2, failover: 30s }\n  app: { availability: 99.9%, depends_on: [db] }\n",
    );
    let sweep = chaos(&system, false).unwrap();
    let by_name: HashMap<&str, &Experiment> = (sweep.experiments.iter())
        .map(|e| (e.failed[0].as_str(), e))
        .collect();
    for replica in ["db[0]", "db[1]"] {
        let e = by_name[replica];
        assert_eq!(e.verdict, Verdict::Visible);
        assert!(e.failover_only, "{e:?}");
    }
    assert!(!by_name["db"].failover_only);
    assert!(!by_name["app"].failover_only);
}

/// The carrier hangs in some of its outages. Behind free-shipping, which the storefront calls
/// failing open, its hang takes the storefront down unless that call is time-boxed: visible
/// without the timeout, degraded at most with it.
#[test]
fn the_carrier_s_hang_is_visible_only_without_the_timeout() {
    let model = Model::load(&repo_path("models/timeouts.yaml")).unwrap();
    let storefront = model.spec.components.get_index_of("storefront").unwrap();
    let variants = &model.spec.components[storefront].variants;
    for (v, variant) in variants.iter().enumerate() {
        let mut design = vec![None; model.spec.components.len()];
        design[storefront] = Some(v);
        let system = model.design(&design).unwrap();
        let sweep = chaos(&system, false).unwrap();
        assert_matches_the_rules(&system, &sweep);
        assert_agrees_with_explain(&system, &sweep);
        let carrier = |mode: Mode| {
            (sweep.singles().iter())
                .find(|e| e.failed == ["carrier-api"] && e.mode == mode)
                .unwrap_or_else(|| panic!("{}: no {mode:?} of the carrier", variant.name))
        };
        // Failing fast, the carrier only ever degrades the storefront.
        assert_eq!(carrier(Mode::Fail).verdict, Verdict::Degraded);
        let hang = carrier(Mode::Hang);
        match variant.name.as_str() {
            "no-timeout" => {
                assert_eq!(hang.verdict, Verdict::Visible, "{hang:?}");
                assert_eq!(hang.visible, ["storefront"]);
            }
            "timeout" => {
                assert_eq!(hang.verdict, Verdict::Degraded, "{hang:?}");
                assert_eq!(hang.degraded, ["storefront"]);
            }
            other => panic!("a variant the test does not know: {other}"),
        }
        // Only the carrier can hang.
        assert_eq!(sweep.summary.hangs.experiments, 1);
    }
    // The text and JSON say how the carrier failed.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_path("models/timeouts.yaml")).unwrap();
    let bare = write_model(
        &dir,
        "bare.yaml",
        &text.replace("degrade, timeout: 1s }", "degrade }"),
    );
    let out = nines()
        .args(["chaos", "--deny", "visible"])
        .arg(&bare)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("carrier-api (hangs)"), "{table}");
    assert!(
        table.contains("1 of these hang: 0 invisible, 1 visible"),
        "{table}"
    );
    let out = nines()
        .args(["chaos", "--format", "json"])
        .arg(&bare)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let modes: Vec<&str> = (v["experiments"].as_array().unwrap().iter())
        .filter(|e| e["failed"][0] == "carrier-api")
        .map(|e| e["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["fail", "hang"]);
    assert_eq!(v["summary"]["hangs"]["visible"], 1);
}
