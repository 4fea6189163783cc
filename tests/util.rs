//! Fixtures shared by the integration tests.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

#[path = "rng.rs"]
mod rng;
pub use rng::Rng;

/// The `nines` binary, with colour off and tables 100 columns wide, whatever the terminal.
pub fn nines() -> Command {
    let mut cmd = Command::cargo_bin("nines").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd.env("COLUMNS", "100");
    cmd
}

/// A scratch directory to run `nines` in: files written into it, commands run from it, so a
/// relative path in an argument or a message is the same on every machine.
pub struct CliTest {
    dir: tempfile::TempDir,
}

impl CliTest {
    pub fn new() -> CliTest {
        CliTest {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `name` in the scratch directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("temp files can be written");
        path
    }

    /// `nines` as from [`nines`], run in the scratch directory.
    pub fn nines(&self) -> Command {
        let mut cmd = nines();
        cmd.current_dir(self.dir.path());
        cmd
    }
}

/// Says on the terminal that `test` did not run and why: the harness hides what a passing test
/// prints, so this writes past it. Under CI (`CI` set), where the data is laid out, a skip fails.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} cannot run under CI: {why}"
    );
    let _ = writeln!(std::io::stderr().lock(), "skipped {test}: {why}");
}

/// What `nines ARGS` prints, when it succeeds (the test fails, showing stderr, when not).
pub fn cli(args: &[&str]) -> String {
    let out = nines().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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

/// A random model with every feature that changes the structure: domains with parents, replicas
/// k of n spread over domains, whole-component maintenance, failover, hard, degrading (with and
/// without fallback) and ignored dependencies, redundancy groups. At most `max_events` events.
pub fn random_model(rng: &mut Rng, max_events: usize) -> String {
    loop {
        let mut yaml = String::from("domains:\n");
        let domains = rng.below(3);
        let mut events = domains;
        for d in 0..domains {
            let a = rng.pick(&["0.9", "0.99", "0.8"]);
            let parent = if d > 0 && rng.below(2) == 0 {
                format!(", parent: d{}", rng.below(d))
            } else {
                String::new()
            };
            yaml += &format!("  d{d}: {{ availability: {a}{parent} }}\n");
        }
        if domains == 0 {
            yaml = String::new();
        }
        yaml += "components:\n";
        let components = 2 + rng.below(4);
        for c in 0..components {
            let replicas = 1 + rng.below(3);
            let min_available = 1 + rng.below(replicas);
            let a = rng.pick(&["0.9", "0.99", "0.5", "0.95", "0.999"]);
            yaml += &format!(
                "  c{c}:\n    availability: {a}\n    replicas: {replicas}\n    min_available: {min_available}\n"
            );
            events += replicas;
            if domains > 0 && rng.below(2) == 0 {
                let spread: Vec<String> = (0..1 + rng.below(2))
                    .map(|_| format!("d{}", rng.below(domains)))
                    .collect();
                yaml += &format!("    spread: [{}]\n", spread.join(", "));
            }
            if rng.below(5) == 0 {
                yaml += "    maintenance: { every: 10d, duration: 12h, rolling: false }\n";
                events += 1;
            }
            if rng.below(5) == 0 {
                yaml += "    maintenance: { every: 10d, duration: 12h, rolling: true }\n";
            }
            if rng.below(5) == 0 {
                yaml += "    failover: 20m\n";
                events += 1;
            }
            if c == 0 {
                continue;
            }
            let mut deps = Vec::new();
            for _ in 0..rng.below(3) {
                let t = rng.below(c);
                deps.push(match rng.below(6) {
                    0 | 1 => format!("c{t}"),
                    2 => format!("{{ component: c{t}, on_failure: degrade }}"),
                    3 if c >= 2 => {
                        let f = (t + 1 + rng.below(c - 1)) % c;
                        format!("{{ component: c{t}, on_failure: degrade, fallback: c{f}, timeout: 1s }}")
                    }
                    4 => format!("{{ component: c{t}, on_failure: ignore }}"),
                    _ if c >= 2 => {
                        let mut members: Vec<usize> = (0..c).collect();
                        let n = 2 + rng.below(c - 1);
                        for i in 0..n {
                            let j = i + rng.below(c - i);
                            members.swap(i, j);
                        }
                        members.truncate(n);
                        let names: Vec<String> = members.iter().map(|m| format!("c{m}")).collect();
                        format!(
                            "{{ at_least: {}, of: [{}] }}",
                            1 + rng.below(n),
                            names.join(", ")
                        )
                    }
                    _ => format!("c{t}"),
                });
            }
            // An entry is listed once.
            let mut seen = BTreeSet::new();
            deps.retain(|d| seen.insert(d.clone()));
            if !deps.is_empty() {
                yaml += &format!("    depends_on: [{}]\n", deps.join(", "));
            }
        }
        // A component may not carry two maintenance keys; such draws are redrawn.
        let valid = !yaml.contains("rolling: false }\n    maintenance");
        if valid && events <= max_events {
            return yaml;
        }
    }
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
