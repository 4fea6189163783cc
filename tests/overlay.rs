//! Overlays: partial models merged over a model by component and domain name. The merge is
//! checked against the same model written by hand in one file, and every error against the file,
//! line and column that wrote the offending value.

use std::path::PathBuf;

use nines::model::{Model, ModelError};

use crate::util::*;

const BASE: &str = "\
name: shop
domains:
  zone-a: { availability: 99.9% }
  zone-b: { availability: 99.9% }
components:
  web:
    replicas: 2
    spread: [zone-a]
    depends_on: [db, cache]
  db:
    availability: 99.95%
    maintenance: { every: 90d, duration: 2h }
  cache:
    availability: 99%
";

const OVERLAY: &str = "\
window: 7d
domains:
  zone-b: { mttf: 200d, mttr: 2h }
components:
  web:
    availability: 99.9%
    spread: [zone-a, zone-b]
    depends_on: [db, { component: cache, on_failure: degrade }]
  db:
    maintenance: { rolling: true }
    replicas: 2
";

/// What merging OVERLAY over BASE means, written out by hand: maps merged key by key, values and
/// lists replaced, keys the base lacks added.
const MERGED: &str = "\
name: shop
window: 7d
domains:
  zone-a: { availability: 99.9% }
  zone-b: { availability: 99.9%, mttf: 200d, mttr: 2h }
components:
  web:
    replicas: 2
    availability: 99.9%
    spread: [zone-a, zone-b]
    depends_on: [db, { component: cache, on_failure: degrade }]
  db:
    availability: 99.95%
    maintenance: { every: 90d, duration: 2h, rolling: true }
    replicas: 2
  cache:
    availability: 99%
";

fn files(pairs: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = pairs
        .iter()
        .map(|(name, text)| write_model(&dir, name, text))
        .collect();
    (dir, paths)
}

fn load(base: &str, overlays: &[(&str, &str)]) -> (tempfile::TempDir, Result<Model, ModelError>) {
    let mut all = vec![("base.yaml", base)];
    all.extend_from_slice(overlays);
    let (dir, paths) = files(&all);
    let model = Model::load_with(&paths[0], &paths[1..]);
    (dir, model)
}

fn spec_json(model: &Model) -> serde_json::Value {
    serde_json::to_value(&model.spec).unwrap()
}

#[test]
fn an_overlay_merges_maps_by_key_and_replaces_values_and_lists() {
    let (_d, merged) = load(BASE, &[("overlay.yaml", OVERLAY)]);
    let merged = merged.unwrap_or_else(|e| panic!("{e}"));
    let (_e, by_hand) = load(MERGED, &[]);
    let by_hand = by_hand.unwrap();
    assert_eq!(spec_json(&merged), spec_json(&by_hand));
    // The zone that the overlay completed has both numbers: its validation says so.
    let e = merged.system().unwrap_err();
    assert!(e.message.contains("both `availability` and `mttf`"), "{e}");
}

#[test]
fn later_overlays_win_and_formats_mix() {
    let (_d, model) = load(
        BASE,
        &[
            (
                "first.toml",
                "[components.web]\navailability = \"99%\"\n[components.web.lint]\nallow = []\n",
            ),
            (
                "second.json",
                r#"{ "components": { "web": { "availability": "99.5%" } } }"#,
            ),
        ],
    );
    let model = model.unwrap_or_else(|e| panic!("{e}"));
    let web = &model.spec.components["web"];
    assert_eq!(web.availability.unwrap().value(), 0.995);
    assert!(web.lint.is_some(), "the first overlay's key stays");
}

#[test]
fn the_merged_model_evaluates_as_the_model_written_whole() {
    let overlay = "components:\n  web: { availability: 99.9% }\n";
    let (_d, merged) = load(BASE, &[("o.yaml", overlay)]);
    let merged = merged.unwrap().system().unwrap();
    let whole = BASE.replace(
        "    replicas: 2\n",
        "    replicas: 2\n    availability: 99.9%\n",
    );
    let (system, states) = eval_yaml(&whole);
    let merged_states = nines::exact::evaluate_system(&merged).unwrap();
    for c in &system.components {
        let id = merged.component_id(&c.name).unwrap();
        assert_eq!(
            merged_states[id].down.p,
            unavailability(&system, &states, &c.name),
            "{}",
            c.name
        );
    }
}

#[test]
fn an_unknown_component_is_an_error_placed_in_the_overlay() {
    let (_d, e) = load(
        BASE,
        &[("o.yaml", "components:\n  wbe:\n    replicas: 3\n")],
    );
    let e = e.unwrap_err();
    assert!(e.file.ends_with("o.yaml"), "{e}");
    let span = e.span.unwrap();
    assert_eq!((span.line, span.col), (2, 3), "{e}");
    assert!(e.message.contains("no component `wbe`"), "{e}");
    let (_d, e) = load(
        BASE,
        &[("o.yaml", "domains:\n  zone-bb: { availability: 99% }\n")],
    );
    let e = e.unwrap_err();
    assert!(e.message.contains("no domain `zone-bb`"), "{e}");
    assert_eq!(e.hint.as_deref(), Some("did you mean `zone-b`?"));
}

#[test]
fn errors_point_into_the_file_that_wrote_the_value() {
    // A bad value the overlay wrote: in the overlay.
    let (_d, e) = load(
        BASE,
        &[("o.yaml", "components:\n  web:\n    availability: 99.9\n")],
    );
    let e = e.unwrap_err();
    assert!(e.file.ends_with("o.yaml"), "{e}");
    assert_eq!(e.span.unwrap().line, 3);
    assert_eq!(e.snippet.as_deref(), Some("    availability: 99.9"));
    // An unknown key in the overlay: in the overlay, with a suggestion.
    let (_d, e) = load(
        BASE,
        &[("o.yaml", "components:\n  web:\n    availabilty: 99.9%\n")],
    );
    let e = e.unwrap_err();
    assert!(e.file.ends_with("o.yaml"), "{e}");
    assert_eq!(e.hint.as_deref(), Some("did you mean `availability`?"));
    // A bad value the base wrote, under an overlay that left it alone: in the base.
    let base = BASE.replace("availability: 99%", "availability: 99");
    let (_d, e) = load(
        &base,
        &[("o.yaml", "components:\n  web: { availability: 99.9% }\n")],
    );
    let e = e.unwrap_err();
    assert!(e.file.ends_with("base.yaml"), "{e}");
    assert_eq!(e.snippet.as_deref(), Some("    availability: 99"));
    // The second of two overlays.
    let (_d, e) = load(
        BASE,
        &[
            ("one.yaml", "components:\n  web: { availability: 99.9% }\n"),
            ("two.yaml", "components:\n  db:\n    replicas: 0\n"),
        ],
    );
    let e = e.unwrap().system().unwrap_err();
    assert!(e.file.ends_with("two.yaml"), "{e}");
    assert_eq!(e.span.unwrap().line, 3);
}

#[test]
fn overlays_that_are_not_partial_models_are_refused() {
    for (text, says) in [
        ("- web\n", "an overlay is a map"),
        ("components: [web]\n", "a map of component names"),
        (
            "components:\n  web: { availability: 99.9% }\n---\nx: 1\n",
            "one YAML document",
        ),
    ] {
        let (_d, e) = load(BASE, &[("o.yaml", text)]);
        let e = e.unwrap_err();
        assert!(e.file.ends_with("o.yaml"), "{text}: {e}");
        assert!(e.message.contains(says), "{text}: {e}");
    }
    // Not a regular file, and an unknown format.
    let dir = tempfile::tempdir().unwrap();
    let base = write_model(&dir, "base.yaml", BASE);
    let folder = dir.path().join("folder.yaml");
    std::fs::create_dir(&folder).unwrap();
    let e = Model::load_with(&base, &[folder]).unwrap_err();
    assert!(e.message.contains("directory"), "{e}");
    let e = Model::load_with(&base, &[write_model(&dir, "o.txt", "")]).unwrap_err();
    assert!(e.message.contains("unknown overlay format"), "{e}");
    // An empty overlay changes nothing.
    let (_d, m) = load(BASE, &[("o.yaml", "")]);
    let (_e, b) = load(BASE, &[]);
    assert_eq!(spec_json(&m.unwrap()), spec_json(&b.unwrap()));
}

#[test]
fn every_command_that_reads_a_model_takes_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_model(&dir, "base.yaml", BASE);
    let overlay = write_model(
        &dir,
        "o.yaml",
        "components:\n  web: { availability: 99.9%, slo: 99% }\n",
    );
    let (b, o) = (base.to_str().unwrap(), overlay.to_str().unwrap());
    let out = dir.path().join("report");
    let commands: Vec<Vec<&str>> = vec![
        vec!["eval", b],
        vec!["check", b],
        vec!["sample", b, "--samples", "1000"],
        vec!["simulate", b, "--runs", "20", "--horizon", "30d"],
        vec!["tradeoff", b],
        vec!["explain", b, "web"],
        vec!["whatif", b, "--fail", "db"],
        vec!["budget", b, "web"],
        vec!["report", b, "-o", out.to_str().unwrap()],
        vec!["graph", b],
        vec!["lint", b],
        vec!["diff", b, b],
    ];
    for args in commands {
        // Without the overlay the model lacks web's numbers: the command must read the overlay
        // to succeed.
        let without = nines().args(&args).output().unwrap();
        assert_eq!(
            without.status.code(),
            Some(2),
            "{args:?} ran without the overlay"
        );
        let with = nines().args(&args).args(["--overlay", o]).output().unwrap();
        assert!(
            matches!(with.status.code(), Some(0 | 1)),
            "{args:?} --overlay: {}",
            String::from_utf8_lossy(&with.stderr)
        );
    }
}
