//! Fixtures shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `nines` binary, with colour off and tables 100 columns wide, whatever the terminal.
pub fn nines() -> Command {
    let mut cmd = Command::cargo_bin("nines").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd.env("COLUMNS", "100");
    cmd
}

/// A file in the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Writes a model to a temporary directory, named so its extension picks the format.
pub fn write_model(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp files can be written");
    path
}

/// Loads, validates and evaluates a model given as YAML text; panics with the error text.
pub fn eval_yaml(text: &str) -> (nines::system::System, Vec<nines::exact::StateOdds>) {
    let model = nines::model::Model::parse(
        Path::new("test.yaml"),
        text.to_string(),
        nines::model::Format::Yaml,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    let states = nines::exact::evaluate_system(&system).unwrap_or_else(|e| panic!("{e}"));
    (system, states)
}

/// The unavailability of the named component.
pub fn unavailability(
    system: &nines::system::System,
    states: &[nines::exact::StateOdds],
    name: &str,
) -> f64 {
    states[system
        .component_id(name)
        .unwrap_or_else(|| panic!("no component {name}"))]
    .down
    .p
}

/// Asserts two numbers agree to a relative tolerance.
#[macro_export]
macro_rules! assert_close {
    ($a:expr, $b:expr, $rel:expr) => {{
        let (a, b, rel): (f64, f64, f64) = ($a, $b, $rel);
        let scale = a.abs().max(b.abs());
        assert!(
            (a - b).abs() <= rel * scale || (a - b).abs() < 1e-300,
            "{} = {a:e} differs from {} = {b:e} by more than {rel:e} relative",
            stringify!($a),
            stringify!($b)
        );
    }};
}

/// Runs `nines eval` on each (file name, content, expected `file:line`, words) case and asserts
/// exit 2 with an error at that place holding every word, and no panic.
pub fn assert_located_errors(cases: &[(&str, &str, &str, &[&str])]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, place, words) in cases {
        let path = write_model(&dir, name, text);
        let out = nines().arg("eval").arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(place), "{name}: expected `{place}` in:\n{err}");
        for w in *words {
            assert!(err.contains(w), "{name}: expected `{w}` in:\n{err}");
        }
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}
