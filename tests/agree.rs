//! One voice: on random models and on every shipped model, for every component with an slo,
//! `budget`, `check`, `lint`, `explain` and `report` agree — budget's and the report's verdicts
//! are check's, budget's shares add up to eval's unavailability, and lint's and the report's
//! single points of failure are explain's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use nines::explain::budget::{Outages, budget};
use nines::explain::explanation::{ExplainOptions, explain};
use nines::lint;
use nines::model::spec::ModelSpec;
use nines::model::units::{Availability, YEAR};
use nines::model::{Format, Model};
use nines::report::check::{CheckOptions, CheckReport};
use nines::report::review::{Review, ReviewOptions};
use nines::structure::{Owner, Structure};
use proptest::prelude::*;

use crate::properties::{NINES, small_model};
use crate::util::*;

/// Checks every agreement on one model; `what` names it in failures.
fn assert_agree(model: &Model, what: &str) {
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    let states = nines::exact::evaluate_system(&system).unwrap();
    let check = CheckReport::new(&system, &states, "m", CheckOptions::default(), None);
    let structure = Structure::new(&system);
    let owner_of: BTreeMap<&str, String> = structure
        .events
        .iter()
        .map(|e| {
            let owner = match e.owner() {
                Owner::Component(c) => system.components[c].name.clone(),
                Owner::Domain(d) => system.domains[d].name.clone(),
            };
            (e.name.as_str(), owner)
        })
        .collect();
    // N004, allows aside: the component or domain of each finding, per slo it endangers.
    let mut linted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in lint::lint_ignoring_allows(model, &system).unwrap() {
        if f.rule == "N004" {
            assert!(!f.components.is_empty(), "{what}: {f:?}");
            for v in &f.components {
                linted
                    .entry(v.clone())
                    .or_default()
                    .insert(f.subject.clone());
            }
        }
    }
    for (c, comp) in system.components.iter().enumerate() {
        let Some(slo) = comp.slo else { continue };
        let b = budget(&system, c, slo, Outages::new(2.0).ok()).unwrap();
        let verdict = check
            .components
            .iter()
            .find(|v| v.name == comp.name)
            .expect("check judges every slo");
        assert_eq!(b.meets_slo, verdict.meets_slo, "{what}: {}", comp.name);
        assert_eq!(b.own_fits, b.meets_slo, "{what}: {}", comp.name);
        let shares: f64 = b.dependencies.iter().map(|d| d.share_per_year_s).sum();
        assert_close!(shares, states[c].down.p * YEAR, 1e-9);
        assert!(
            b.per_outage_s.is_none_or(|s| s > 0.0),
            "{what}: {}",
            comp.name
        );

        let x = explain(&system, c, ExplainOptions::default()).unwrap();
        let spofs: BTreeSet<String> = x
            .single_points_of_failure
            .iter()
            .map(|e| owner_of[e.as_str()].clone())
            .collect();
        assert_eq!(
            linted.remove(&comp.name).unwrap_or_default(),
            spofs,
            "{what}: single points of failure of {}",
            comp.name
        );
    }
    assert!(linted.is_empty(), "{what}: N004 for no slo: {linted:?}");

    let review = Review::build(
        model,
        &system,
        ReviewOptions {
            tradeoff: false,
            ..ReviewOptions::default()
        },
    )
    .unwrap();
    assert_eq!(review.slos.len(), check.components.len(), "{what}");
    for (row, verdict) in review.slos.iter().zip(&check.components) {
        assert_eq!(row.name, verdict.name, "{what}");
        assert_eq!(row.meets, verdict.meets_slo, "{what}: {}", row.name);
        assert_eq!(row.unavailability, verdict.unavailability, "{what}");
    }
    assert_eq!(review.missed(), check.failed, "{what}");
    for risk in &review.risks {
        let c = system.component_id(&risk.component).expect("a component");
        let x = explain(&system, c, ExplainOptions::default()).unwrap();
        assert_eq!(
            risk.single_points_of_failure, x.single_points_of_failure,
            "{what}: the report's single points of failure of {}",
            risk.component
        );
    }
}

fn model_of_spec(spec: &ModelSpec) -> Model {
    let text = serde_json::to_string(spec).unwrap();
    Model::parse(Path::new("p.json"), text, Format::Json).unwrap_or_else(|e| panic!("{e}"))
}

fn model_of_yaml(yaml: &str) -> Model {
    Model::parse(Path::new("m.yaml"), yaml.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn budget_check_lint_and_explain_agree_on_random_models(
        (spec, _) in small_model(),
        slos in prop::collection::vec(prop::option::of(0..NINES.len()), 5),
        perfect in prop::option::of(any::<prop::sample::Index>()),
        calls in prop::collection::vec((any::<bool>(), any::<bool>()), 5),
    ) {
        let mut spec = spec;
        let n = spec.components.len();
        for (i, (_, c)) in spec.components.iter_mut().enumerate() {
            // The last component always has one: it depends on the most.
            let slo = slos[i].or((i + 1 == n).then_some(2));
            c.slo = slo.map(|s| nines::model::spec::Slo::plain(Availability::parse(NINES[s]).unwrap()));
            // Some hang in part of their outages; some give up on their calls in time.
            let (hangs, boxed) = calls[i];
            if hangs {
                c.hang = Some(nines::model::spec::Share(0.3));
            }
            if boxed {
                for d in c.depends_on.iter_mut().flatten() {
                    d.timeout = Some(nines::model::units::Duration::from_secs(1.0));
                }
            }
        }
        // A component that never fails on its own is nobody's single point of failure.
        if let Some(p) = perfect {
            let c = spec.components.get_index_mut(p.index(n)).unwrap().1;
            c.availability = Some(Availability::parse("100%").unwrap().into());
        }
        assert_agree(&model_of_spec(&spec), &serde_json::to_string(&spec).unwrap());
    }
}

/// The richer generator of the explain tests: maintenance, failover, fallbacks, degrading and
/// ignored calls, nested domains; and in every other model, components that hang.
#[test]
fn budget_check_lint_and_explain_agree_with_maintenance_failover_and_fallbacks() {
    let mut rng = Rng(4242);
    for i in 0..60 {
        let mut yaml = random_model(&mut rng, 14);
        if i % 2 == 1 {
            for c in (0..6).filter(|c| (i + c) % 3 != 0) {
                yaml = yaml.replace(&format!("  c{c}:\n"), &format!("  c{c}:\n    hang: 30%\n"));
            }
        }
        for c in 0..6 {
            let slo = ["99%", "90%", "99.9%"][(i + c) % 3];
            yaml = yaml.replace(&format!("  c{c}:\n"), &format!("  c{c}:\n    slo: {slo}\n"));
        }
        if i % 3 == 0 {
            // c0 at 100%: the first availability line is c0's.
            let at = yaml.find("    availability: ").unwrap();
            let end = at + yaml[at..].find('\n').unwrap();
            yaml.replace_range(at..end, "    availability: 100%");
        }
        assert_agree(&model_of_yaml(&yaml), &yaml);
    }
}

#[test]
fn budget_check_lint_and_explain_agree_on_the_shipped_models() {
    for entry in std::fs::read_dir(repo_path("models")).unwrap() {
        let path = entry.unwrap().path();
        // models/ also holds sub-directories of other inputs (Open-PSA trees).
        if nines::model::Format::of(&path).is_none() {
            continue;
        }
        let model = Model::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_agree(&model, &path.display().to_string());
        // And each passes its own review: the findings left are allowed where they stand.
        let out = nines()
            .args(["lint", "--deny", "warnings"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn budget_agrees_with_check_on_the_online_store() {
    // The case users met: one region inside every dependency, charged once.
    let path = repo_path("models/online-store.yaml");
    let model = Model::load(&path).unwrap();
    let system = model.system().unwrap();
    let c = system.component_id("storefront").unwrap();
    let b = budget(
        &system,
        c,
        system.components[c].slo.unwrap(),
        Outages::new(4.0).ok(),
    )
    .unwrap();
    assert!(b.meets_slo && b.own_fits && b.own_per_year_s > 0.0);
    let region = b
        .dependencies
        .iter()
        .filter(|d| d.name == "aws-eu-west-1")
        .count();
    assert_eq!(region, 1, "the region has one row");
    // Its share is its whole outage: it takes the storefront down alone, and it comes first.
    let region = &b.dependencies[0];
    assert_eq!(region.name, "aws-eu-west-1");
    assert_close!(region.share_per_year_s, 1e-4 * YEAR, 1e-12);
    let table = nines()
        .args(["budget", "--outages", "4"])
        .arg(&path)
        .arg("storefront")
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("(meets the slo)") && text.contains("(fits)"),
        "{text}"
    );
    assert!(
        !text.contains("does not fit") && !text.contains("overspent"),
        "{text}"
    );
}

/// A component whose only protection is redundancy across zones, calling (failing open, with no
/// timeout) a dependency that can hang: no zone takes it down, but the dependency's hang does.
/// explain, lint N004 and chaos all say so; and with the call time-boxed, none does.
#[test]
fn a_hang_beats_redundancy_across_zones_in_every_voice() {
    let yaml = "
domains:
  zone-a: { availability: 99.9% }
  zone-b: { availability: 99.9% }
components:
  rates: { availability: 99%, hang: 30% }
  api:
    availability: 99.9%
    replicas: 2
    spread: [zone-a, zone-b]
    depends_on: [{ component: rates, on_failure: degrade }]
  site:
    availability: 99.9%
    replicas: 2
    spread: [zone-a, zone-b]
    slo: 99%
    depends_on: [api]
";
    for (text, spof) in [
        (yaml.to_string(), true),
        (
            yaml.replace(
                "on_failure: degrade }",
                "on_failure: degrade, timeout: 1s }",
            ),
            false,
        ),
    ] {
        let model = model_of_yaml(&text);
        assert_agree(&model, &text);
        let system = model.system().unwrap();
        let site = system.component_id("site").unwrap();
        let spofs = explain(&system, site, ExplainOptions::default())
            .unwrap()
            .single_points_of_failure;
        let expected: Vec<&str> = if spof { vec!["rates"] } else { vec![] };
        assert_eq!(spofs, expected, "{text}");
        let n004: Vec<String> = lint::lint_ignoring_allows(&model, &system)
            .unwrap()
            .into_iter()
            .filter(|f| f.rule == "N004")
            .map(|f| f.subject)
            .collect();
        assert_eq!(n004, expected, "{text}");
        let sweep = nines::explain::chaos::chaos(&system, false).unwrap();
        let visible: Vec<String> = (sweep.singles().iter())
            .filter(|e| e.visible.contains(&"site".to_string()))
            .map(|e| format!("{} {:?}", e.failed.join("+"), e.mode))
            .collect();
        let expected: Vec<&str> = if spof { vec!["rates Hang"] } else { vec![] };
        // Only components failed whole (every replica of api or site) are seen otherwise.
        let visible: Vec<&String> = visible
            .iter()
            .filter(|v| !v.starts_with("api ") && !v.starts_with("site "))
            .collect();
        assert_eq!(visible, expected, "{text}");
    }
}
