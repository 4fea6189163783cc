//! `nines chaos`: each experiment's verdicts against two independent truths — the model's rules
//! applied directly to the failed parts (on random models, pairs included), and `explain`'s
//! single points of failure and `whatif`'s exact probabilities (on random and shipped models) —
//! and the command's exit codes, bounds and formats.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use nines::explain::chaos::{Chaos, Experiment, MAX_PAIRS, UnitKind, Verdict, chaos, outermost};
use nines::explain::explanation::{ExplainOptions, explain};
use nines::explain::whatif::what_if;
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
}

/// What is failed in one experiment, read from the model (not from the gates).
#[derive(Default, Clone)]
struct Failed {
    replica: Vec<Vec<bool>>,
    domain: Vec<bool>,
    /// Components taken down by their own maintenance or failover.
    own: Vec<bool>,
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
        let mut s = if up < comp.min_available || failed.own[c] {
            State::Down
        } else {
            State::Up
        };
        for d in &comp.dependencies {
            let target = match &d.target {
                DependencyTarget::Component(t) => state[*t],
                DependencyTarget::Group { at_least, members } => {
                    let up = members.iter().filter(|&&m| state[m] == State::Up).count() as u32;
                    let alive = members.iter().filter(|&&m| state[m] != State::Down).count() as u32;
                    if up >= *at_least {
                        State::Up
                    } else if alive >= *at_least {
                        State::Degraded
                    } else {
                        State::Down
                    }
                }
            };
            s = s.max(match d.on_failure {
                OnFailure::Fail => target,
                OnFailure::Degrade => match (target, d.fallback) {
                    (State::Down, Some(f)) if state[f] == State::Down => State::Down,
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
/// has one that can happen), `zone` a domain.
fn failed_of(system: &System, structure: &Structure, names: &[String]) -> Failed {
    let mut failed = Failed {
        replica: (system.components.iter())
            .map(|c| vec![false; c.replicas as usize])
            .collect(),
        domain: vec![false; system.domains.len()],
        own: vec![false; system.components.len()],
    };
    // A failover the model gives no chance (no replica ever in service) is never set off.
    let fails_over = |c: usize| {
        (structure.events.iter()).any(|e| e.kind == EventKind::Failover(c) && e.odds.p > 0.0)
    };
    for name in names {
        if let Some(c) = system.component_id(name) {
            failed.replica[c].iter_mut().for_each(|r| *r = true);
            failed.own[c] = true;
        } else if let Some(d) = system.domain_id(name) {
            failed.domain[d] = true;
        } else {
            let (comp, index) = name.trim_end_matches(']').split_once('[').unwrap();
            let c = system.component_id(comp).unwrap();
            failed.replica[c][index.parse::<usize>().unwrap()] = true;
            failed.own[c] |= fails_over(c);
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
        let truth = states(system, &failed_of(system, &structure, &e.failed));
        let named = |s: State| -> Vec<String> {
            (outer.iter())
                .filter(|&&c| truth[c] == s)
                .map(|&c| system.components[c].name.clone())
                .collect()
        };
        assert_eq!(e.visible, named(State::Down), "{e:?}");
        assert_eq!(e.degraded, named(State::Degraded), "{e:?}");
        let worst = outer.iter().map(|&c| truth[c]).max().unwrap_or(State::Up);
        let verdict = match worst {
            State::Up => Verdict::Invisible,
            State::Degraded => Verdict::Degraded,
            State::Down => Verdict::Visible,
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
            if e.kind != UnitKind::AllReplicas {
                assert_eq!(visible, !hits.is_empty(), "{target}: {e:?}, {spofs:?}");
            } else if !hits.is_empty() {
                assert!(visible, "{target}: {e:?}");
            }
            if matches!(
                e.kind,
                UnitKind::AllReplicas | UnitKind::Component | UnitKind::Domain
            ) {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn every_experiment_is_what_the_rules_give(spec in model_strategy()) {
        let system = model_of_spec(&spec).system().unwrap();
        let sweep = chaos(&system, true).unwrap();
        let singles: BTreeSet<String> = sweep.singles().iter().map(|e| e.failed[0].clone()).collect();
        prop_assert_eq!(&singles, &expected_singles(&system, &sweep));
        prop_assert_eq!(sweep.singles().len(), singles.len());
        // Every two singles are a pair, but a replica with its own component.
        let n = singles.len();
        let within = sweep.singles().iter().filter(|e| e.kind == UnitKind::Replica).count();
        prop_assert_eq!(sweep.experiments.len() - n, n * n.saturating_sub(1) / 2 - within);
        assert_matches_the_rules(&system, &sweep);
    }

    #[test]
    fn single_failures_are_explain_s_single_points_of_failure(spec in model_strategy()) {
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
