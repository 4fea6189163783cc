//! What the fuzz targets check, shared by them: the loader on arbitrary bytes, and the exact
//! engines on generated models against each other and against enumeration.
//!
//! Every check here panics on a violation, which is what libFuzzer records as a crash.

pub mod open_psa;
pub mod oracle;
pub mod recipe;

use std::path::Path;

use nines::exact::StateOdds;
use nines::model::{Format, Model};
use nines::report::eval::EvalReport;
use nines::structure::Structure;
use nines::system::System;

/// Loader targets evaluate a valid model only below these sizes, so that one input costs
/// milliseconds; the limits themselves are tested in tests/hardening.rs.
const MAX_EVALUATED_EVENTS: usize = 256;
const MAX_EVALUATED_COMPONENTS: usize = 128;
/// Both exact paths are compared below this many events (the whole diagram can be slower).
const MAX_COMPARED_EVENTS: usize = 64;

/// Bytes as a model file of the given format: parse, validate, and when small evaluate. Errors
/// are expected and rendered (the renderer must not panic either); panics are the bugs.
pub fn check_loader(data: &[u8], format: Format) {
    // Model::load refuses non-UTF-8 before parsing; so does this.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = match format {
        Format::Yaml => "fuzz.yaml",
        Format::Toml => "fuzz.toml",
        Format::Json => "fuzz.json",
    };
    let model = match Model::parse(Path::new(name), text.to_string(), format) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let system = match model.system() {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let events = event_bound(&system);
    if events > MAX_EVALUATED_EVENTS || system.components.len() > MAX_EVALUATED_COMPONENTS {
        return;
    }
    let structure = Structure::new(&system);
    let states = match nines::exact::evaluate(&structure) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    check_states(&system, &states, "evaluate");
    if structure.events.len() <= MAX_COMPARED_EVENTS {
        compare_paths(&system, &structure, &states);
    }
    if structure.events.len() <= oracle::MAX_EVENTS {
        oracle::check(&system, &structure, &states);
    }
    let report = EvalReport::new(&system, &states);
    for format in [
        nines::report::Format::Table,
        nines::report::Format::Json,
        nines::report::Format::Markdown,
    ] {
        let _ = report.render(format, nines::report::table::Screen::plain());
    }
}

/// An upper bound on the basic events of a system, computed without building its structure.
pub fn event_bound(system: &System) -> usize {
    system.domains.len()
        + system
            .components
            .iter()
            .map(|c| c.replicas as usize + 2)
            .sum::<usize>()
}

/// Probabilities are probabilities, complements add up, the three states partition.
pub fn check_states(system: &System, states: &[StateOdds], path: &str) {
    assert_eq!(
        states.len(),
        system.components.len(),
        "{path}: one result per component"
    );
    for (c, s) in system.components.iter().zip(states) {
        let name = &c.name;
        let in_unit = |x: f64| (-1e-12..=1.0 + 1e-12).contains(&x);
        assert!(
            in_unit(s.down.p),
            "{path}: {name} unavailability {} outside [0, 1]",
            s.down.p
        );
        assert!(
            in_unit(s.down.q),
            "{path}: {name} availability {} outside [0, 1]",
            s.down.q
        );
        assert!(in_unit(s.up), "{path}: {name} up {} outside [0, 1]", s.up);
        assert!(
            s.degraded >= 0.0 && s.degraded <= 1.0 + 1e-12,
            "{path}: {name} degraded {} outside [0, 1]",
            s.degraded
        );
        assert!(
            (s.down.p + s.down.q - 1.0).abs() <= 1e-9,
            "{path}: {name} unavailability {} + availability {} != 1",
            s.down.p,
            s.down.q
        );
        assert!(
            (s.up + s.degraded + s.down.p - 1.0).abs() <= 1e-9,
            "{path}: {name} up {} + degraded {} + down {} != 1",
            s.up,
            s.degraded,
            s.down.p
        );
    }
}

/// Relative agreement where the digits are (tiny unavailabilities must agree in their digits,
/// not merely both be tiny).
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) || (a - b).abs() < 1e-300
}

/// A rough size of the whole-model diagram: a k-of-n over n replicas has about
/// n × min(need, n − need + 1) nodes, once for every state of the domains its replicas live in.
fn whole_diagram_estimate(system: &System) -> u64 {
    system
        .components
        .iter()
        .map(|c| {
            let (n, need) = (c.replicas as u64, (c.replicas - c.min_available + 1) as u64);
            let mut domains: Vec<_> = c.replica_domains.iter().flatten().collect();
            domains.sort_unstable();
            domains.dedup();
            (n * need.min(n - need + 1)) << domains.len().min(20)
        })
        .sum()
}

/// Above this estimate the whole diagram takes seconds (fleets spread over several zones) and
/// the comparison is left to tests/hardening.rs, so that the fuzzer keeps its pace.
const MAX_WHOLE_ESTIMATE: u64 = 200_000;

/// The conditioned engine (`evaluate`) against one diagram over every event (`evaluate_whole`):
/// two independent exact paths must agree to 1e-9.
pub fn compare_paths(system: &System, structure: &Structure, conditioned: &[StateOdds]) {
    if whole_diagram_estimate(system) > MAX_WHOLE_ESTIMATE {
        return;
    }
    let whole = match nines::exact::evaluate_whole(structure) {
        Ok(w) => w,
        // Too large for one diagram is an answer, not a disagreement.
        Err(_) => return,
    };
    check_states(system, &whole, "evaluate_whole");
    for ((c, a), b) in system.components.iter().zip(conditioned).zip(&whole) {
        let name = &c.name;
        assert!(
            close(a.down.p, b.down.p, 1e-9),
            "{name} unavailability: conditioned {:e} whole {:e}",
            a.down.p,
            b.down.p
        );
        assert!(
            close(a.down.q, b.down.q, 1e-9),
            "{name} availability: conditioned {:e} whole {:e}",
            a.down.q,
            b.down.q
        );
        assert!(
            close(a.up, b.up, 1e-9),
            "{name} up: conditioned {:e} whole {:e}",
            a.up,
            b.up
        );
        // The conditioned path takes DEGRADED as impaired − down: absolute error ~1e-16.
        assert!(
            (a.degraded - b.degraded).abs() <= 1e-9,
            "{name} degraded: conditioned {:e} whole {:e}",
            a.degraded,
            b.degraded
        );
    }
}

/// A generated model: validated (generated models may be invalid, which is fine), evaluated by
/// both exact paths, checked against enumeration when small, and one design of its variants
/// evaluated too.
pub fn check_recipe(recipe: &recipe::Recipe) {
    let spec = recipe.spec();
    let system = match nines::model::validate::validate(&spec, "fuzz") {
        Ok(s) => s,
        Err(_) => return,
    };
    // Through JSON text and back: the serialiser and the loader must agree with the spec.
    let text = serde_json::to_string(&spec).expect("a spec serialises");
    let model = Model::parse(Path::new("fuzz.json"), text.clone(), Format::Json)
        .unwrap_or_else(|e| panic!("a valid spec does not load back from JSON: {e}\n{text}"));
    let reloaded = model
        .system()
        .unwrap_or_else(|e| panic!("a valid spec does not validate from JSON: {e}\n{text}"));
    let structure = Structure::new(&system);
    let states = nines::exact::evaluate(&structure).expect("a small model evaluates");
    check_states(&system, &states, "evaluate");
    compare_paths(&system, &structure, &states);
    if structure.events.len() <= oracle::MAX_EVENTS {
        oracle::check(&system, &structure, &states);
    }
    let again = nines::exact::evaluate_system(&reloaded).expect("a small model evaluates");
    for ((c, a), b) in system.components.iter().zip(&states).zip(&again) {
        assert!(
            close(a.down.p, b.down.p, 1e-12) && close(a.up, b.up, 1e-12),
            "{}: the model read back from JSON gives {:e}, written {:e}\n{text}",
            c.name,
            b.down.p,
            a.down.p
        );
    }
    let design = recipe.design(&spec);
    if let Ok(variant) = nines::model::validate::resolve(&spec, "fuzz", &design) {
        let structure = Structure::new(&variant);
        let states = nines::exact::evaluate(&structure).expect("a small design evaluates");
        check_states(&variant, &states, "evaluate (design)");
        compare_paths(&variant, &structure, &states);
    } else {
        panic!("validate accepted every variant, but design {design:?} is refused");
    }
}
