//! A model built in code, not read from a file: validated, solved exactly, sampled, and its
//! results read and checked against their closed forms.
//!
//! `cargo run --example build_in_code`. `cargo test` runs it too, so its checks hold.
//!
//! The system: a database of two replicas (one is enough) in two zones of one region, an api
//! that needs it, and a recommendations service the api can do without (it runs degraded).

use indexmap::IndexMap;
use nines::model::error::split_hint;
use nines::model::spec::{
    ComponentSpec, DependencySpec, DomainSpec, ModelSpec, OnFailure, Slo, Target,
};
use nines::model::tree::PathStep;
use nines::model::units::{
    Availability, Odds, format_duration_human, format_nines, format_percent,
};
use nines::model::validate::{Invalid, validate};
use nines::sim::snapshot::{SnapshotOptions, sample};
use nines::structure::Structure;

const REGION: f64 = 1e-4; // unavailability of the region: 99.99%
const ZONE: f64 = 1e-3; // of each zone: 99.9%
const DB_REPLICA: f64 = 1e-3; // of one database replica on its own: 99.9%
const API: f64 = 5e-4; // of the api on its own: 99.95%
const RECOMMENDATIONS: f64 = 1e-2; // 99%

fn main() {
    let spec = shop();
    let system = validate(&spec, "shop").unwrap_or_else(|e| panic!("{}", located(&e)));

    // Exact: every component's probability of being DOWN, DEGRADED and UP.
    let states = nines::exact::evaluate_system(&system).expect("a model this small solves");
    println!(
        "{:<16} {:>14} {:>6} {:>10} {:>12}",
        "component", "availability", "nines", "degraded", "down / 30d"
    );
    for (component, s) in system.components.iter().zip(&states) {
        println!(
            "{:<16} {:>14} {:>6} {:>10.6} {:>12}",
            component.name,
            format_percent(s.availability(), s.unavailability()),
            format_nines(s.nines()),
            s.degraded,
            format_duration_human(s.unavailability() * system.window_s),
        );
    }

    // The closed forms. A database replica is out when it fails or its zone is down; the
    // database is DOWN when the region is down or both replicas are out. The api is DOWN when
    // it fails or the database is DOWN, and DEGRADED when it is not DOWN but recommendations
    // are.
    let replica_out = 1.0 - (1.0 - DB_REPLICA) * (1.0 - ZONE);
    let db_down = REGION + (1.0 - REGION) * replica_out * replica_out;
    let api_down = 1.0 - (1.0 - API) * (1.0 - db_down);
    let api_degraded = (1.0 - api_down) * RECOMMENDATIONS;
    let [db, api] = ["db", "api"].map(|n| system.component_id(n).expect("in the model"));
    close(states[db].down.p, db_down, "db unavailability");
    close(states[api].down.p, api_down, "api unavailability");
    close(states[api].degraded, api_degraded, "api degraded");
    close(states[api].up, 1.0 - api_down - api_degraded, "api up");

    // Monte Carlo, seeded: the same numbers on any number of threads. The exact value must lie
    // within 5 standard errors of the estimate (the 95% half-width is 1.96 of them): a seeded
    // run that missed it would be a wrong engine, not bad luck (odds of 6 in 10 million).
    let options = SnapshotOptions {
        samples: 400_000,
        seed: 7,
        threads: 2,
        ..SnapshotOptions::default()
    };
    let estimate = &sample(&Structure::new(&system), &options).components[api];
    let (low, high) = estimate.unavailability_ci95;
    let standard_error = (high - low) / 2.0 / nines::sim::stats::Z95;
    println!(
        "api sampled: unavailability {:.3e} (95% interval {low:.3e} – {high:.3e}, {:?}), exact {api_down:.3e}",
        estimate.unavailability, estimate.method
    );
    assert!(
        (estimate.unavailability - api_down).abs() <= 5.0 * standard_error,
        "the sampled api unavailability {} is more than 5 standard errors ({standard_error}) from the exact {api_down}",
        estimate.unavailability
    );

    // A mistake in a model built in code is found by the same checks as in a file, placed by
    // its path in the model.
    let mut wrong = shop();
    wrong.components["db"].min_available = Some(3);
    let error = validate(&wrong, "shop").expect_err("3 of 2 replicas cannot be up");
    println!("a wrong model: {}", located(&error));
    assert!(located(&error).starts_with("components.db.min_available"));
}

/// The model, as a file would give it.
fn shop() -> ModelSpec {
    // An availability is held as its unavailability, which keeps every digit: 1e-4 here is
    // exactly what "99.99%" in a file gives.
    let percent = |unavailability: f64| {
        Some(
            Availability {
                down: Odds::from_p(unavailability),
            }
            .into(),
        )
    };
    let domain = |unavailability: f64, parent: Option<&str>| DomainSpec {
        availability: percent(unavailability),
        parent: parent.map(str::to_string),
        ..DomainSpec::default()
    };
    let domains = IndexMap::from([
        ("region".to_string(), domain(REGION, None)),
        ("zone-a".to_string(), domain(ZONE, Some("region"))),
        ("zone-b".to_string(), domain(ZONE, Some("region"))),
    ]);
    let db = ComponentSpec {
        availability: percent(DB_REPLICA),
        replicas: Some(2),
        min_available: Some(1),
        spread: Some(vec!["zone-a".into(), "zone-b".into()]),
        ..ComponentSpec::default()
    };
    let recommendations = ComponentSpec {
        availability: percent(RECOMMENDATIONS),
        ..ComponentSpec::default()
    };
    let api = ComponentSpec {
        availability: percent(API),
        slo: Some(Slo::plain(
            Availability::parse("99.9%").expect("a percent string"),
        )),
        depends_on: Some(vec![
            DependencySpec::hard("db"),
            DependencySpec {
                target: Target::Component("recommendations".into()),
                on_failure: OnFailure::Degrade,
                ..DependencySpec::hard("recommendations")
            },
        ]),
        ..ComponentSpec::default()
    };
    ModelSpec {
        name: Some("shop".into()),
        domains,
        components: IndexMap::from([
            ("db".to_string(), db),
            ("recommendations".to_string(), recommendations),
            ("api".to_string(), api),
        ]),
        ..ModelSpec::default()
    }
}

/// Equal to the last few bits: both sides are computed without cancellation.
fn close(engine: f64, closed_form: f64, what: &str) {
    println!("{what}: engine {engine:.15e}, closed form {closed_form:.15e}");
    assert!(
        (engine - closed_form).abs() <= 1e-12 * closed_form.abs(),
        "{what}: the engine gives {engine}, the closed form {closed_form}"
    );
}

/// `components.db.min_available: at most 2 replicas ... (hint: ...)`.
fn located(e: &Invalid) -> String {
    let path: Vec<String> = e
        .path
        .iter()
        .map(|step| match step {
            PathStep::Key(k) | PathStep::KeyItself(k) => k.clone(),
            PathStep::Index(i) => i.to_string(),
        })
        .collect();
    let (message, hint) = split_hint(&e.message);
    let hint = hint.map(|h| format!(" (hint: {h})")).unwrap_or_default();
    format!("{}: {message}{hint}", path.join("."))
}

#[test]
fn runs() {
    main();
}
