//! Resource bounds: inputs that once took memory or time growing with the square of their size
//! (or without end) now finish, under a 4 GiB address-space limit, with a result or a clear
//! refusal. Each is sized so that the old quadratic cost shows, while the linear one takes
//! seconds in a debug build (docs/hardening.md has the measured figures).

use std::path::{Path, PathBuf};
use std::process::Output;

use nines::model::{Format, Model};

use crate::util::*;

// The inputs the bounds bench measures at n and 10n.
#[path = "../benches/generator/chains.rs"]
mod chains;

/// Runs the `nines` binary with `args` under a 4 GiB address-space limit (`ulimit -v`).
fn bounded(args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_nines");
    let mut script = String::from("ulimit -v 4194304; exec \"$0\"");
    for i in 1..=args.len() {
        script += &format!(" \"${i}\"");
    }
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exit 0 or 2 as expected, and never a panic or an abort.
fn assert_exit(out: &Output, code: i32) -> (String, String) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    write_model(dir, name, text)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

// ---------------------------------------------------------------------------------------------
// YAML anchors

/// 60 anchors nested one in the other around `leaves` values: each value was copied once per
/// anchor around it (a 2 MB file took 3.5 GB).
fn nested_anchors(leaves: usize, aliased: bool) -> String {
    let mut t = String::from("components:\n  a: { availability: 0.9 }\nx: ");
    for i in 0..60 {
        t += &format!("&a{i} [");
    }
    t += &vec!["x"; leaves].join(", ");
    t += &"]".repeat(60);
    t += "\n";
    if aliased {
        t += "y: [";
        t += &(0..60)
            .map(|i| format!("*a{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        t += "]\n";
    }
    t
}

#[test]
fn nested_anchors_without_aliases_are_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "anchors.yaml", &nested_anchors(700_000, false));
    let out = bounded(&["eval", s(&path)]);
    let (_, stderr) = assert_exit(&out, 2);
    // Read whole, then refused for what it says, not for its size.
    assert!(stderr.contains("unknown key `x`"), "{stderr}");
}

#[test]
fn nested_anchors_that_are_used_count_as_the_copies_they_make() {
    // 60 anchors kept, each a copy of 100,000 values, pass the 5,000,000-value limit.
    let e = nines::model::tree::from_yaml(&nested_anchors(100_000, true)).unwrap_err();
    assert!(
        e.message.contains("more than 5000000 values"),
        "{}",
        e.message
    );
    assert!(e.message.contains("aliases"), "{}", e.message);
    // The same with a small tree is read, and each alias is a full copy.
    let tree = nines::model::tree::from_yaml(&nested_anchors(3, true)).unwrap();
    let y = tree.find(&[nines::model::tree::PathStep::Key("y".into())]);
    let nines::model::tree::Value::Seq(items) = &y.value else {
        panic!("y is a list")
    };
    assert_eq!(items.len(), 60);
    let mut depth = 0;
    let mut node = &items[0];
    while let nines::model::tree::Value::Seq(inner) = &node.value {
        depth += 1;
        node = &inner[0];
    }
    assert_eq!(depth, 60, "*a0 is the whole nest");
}

// ---------------------------------------------------------------------------------------------
// Chains

#[test]
fn fault_tree_on_a_chain_of_gates_is_linear() {
    // Memory grew with the square of the depth: 40,000 gates took 3.3 GB.
    let (gates, p) = (20_000, 1e-4);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "chain.xml", &chains::gate_chain(gates, p, false));
    let out = bounded(&["fault-tree", s(&path), "--format", "json"]);
    let (stdout, _) = assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let got = v["gates"][0]["probability"].as_f64().unwrap();
    // The top is the OR of gates + 1 independent events.
    let exact = -((gates + 1) as f64 * (-p).ln_1p()).exp_m1();
    assert_close!(got, exact, 1e-12);
}

#[test]
fn one_line_xml_is_read_in_linear_time() {
    // Columns were counted from the start of the line for every element.
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "line.xml", &chains::gate_chain(20_000, 1e-4, true));
    let out_path = dir.path().join("out.yaml");
    let out = bounded(&["import", "open-psa", s(&path), "-o", s(&out_path)]);
    assert_exit(&out, 0);
    // Columns are characters, wherever the line is long.
    let text = format!("<a x=\"{}\"><c>", "é".repeat(3000));
    let e = nines::import::xml::parse(Path::new("t.xml"), &text).unwrap_err();
    let span = e.span.unwrap();
    assert_eq!((span.line, span.col), (1, 3000 + 9), "{e}");
}

#[test]
fn lint_on_a_long_dependency_chain_is_linear() {
    // 20,000 components in a chain took 3.3 GB: every component's single points were kept.
    let n = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "chain.yaml",
        &chains::dependency_chain(n, "0.99999", Some("0.5")),
    );
    let out = bounded(&["lint", s(&path), "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Every component of the chain is a single point of failure of the top, and only of it.
    let spof: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "N004")
        .collect();
    assert_eq!(spof.len(), n);
    assert!(
        spof.iter()
            .all(|f| f["components"] == serde_json::json!(["c0"]))
    );
}

/// A chain whose every call may hang and none has a timeout: each of its n entries is a
/// finding of N003, whose saving took one exact evaluation of the whole model each (n² in all).
/// Past a budget of work the entries left are reported without their saving, and say so.
#[test]
fn lint_weighs_a_bounded_number_of_hanging_calls() {
    let n = 300;
    let mut t = String::from("components:\n");
    for i in 0..n {
        let dep = if i + 1 < n {
            format!(
                ", depends_on: [{{ component: c{}, on_failure: degrade }}]",
                i + 1
            )
        } else {
            String::new()
        };
        t += &format!("  c{i}: {{ availability: 0.999, hang: 50%{dep} }}\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "hangs.yaml", &t);
    let out = bounded(&["lint", s(&path), "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let n003: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "N003")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(n003.len(), n - 1);
    let weighed = n003
        .iter()
        .filter(|m| m.contains("/year of downtime"))
        .count();
    let noted = n003.iter().filter(|m| m.contains("not computed")).count();
    assert!(
        weighed >= 8 && noted > 0,
        "{weighed} weighed, {noted} noted"
    );
    assert_eq!(weighed + noted, n - 1);
}

// ---------------------------------------------------------------------------------------------
// What is read

#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let zero_json = dir.path().join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero_json).unwrap();
    let model = repo_path("models/online-store.yaml");
    let cases: Vec<Vec<&str>> = vec![
        vec!["fault-tree", "/dev/zero"],
        vec!["import", "open-psa", "/dev/zero"],
        vec!["check", s(&model), "--baseline", s(&zero_json)],
        vec!["eval", s(&zero_json)],
    ];
    for args in cases {
        let out = bounded(&args);
        let (_, stderr) = assert_exit(&out, 2);
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
    // A FIFO would block until something writes to it.
    let fifo = dir.path().join("model.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = nines()
        .arg("eval")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let (_, stderr) = assert_exit(&out, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn json_and_toml_hold_at_most_the_values_a_model_may() {
    let dir = tempfile::tempdir().unwrap();
    // 5,000,001 numbers in one list: about 10 MB, under the file limit.
    let many = vec!["0"; 5_000_001].join(",");
    let json = write(&dir, "many.json", &format!("{{\"x\": [{many}]}}"));
    let (_, stderr) = assert_exit(&bounded(&["eval", s(&json)]), 2);
    assert!(stderr.contains("more than 5000000 values"), "{stderr}");
    let toml = write(&dir, "many.toml", &format!("x = [{many}]\n"));
    let (_, stderr) = assert_exit(&bounded(&["eval", s(&toml)]), 2);
    assert!(stderr.contains("more than 5000000 values"), "{stderr}");
    // A baseline too.
    let model = repo_path("models/online-store.yaml");
    let (_, stderr) = assert_exit(&bounded(&["check", s(&model), "--baseline", s(&json)]), 2);
    assert!(stderr.contains("more than 5000000 values"), "{stderr}");
}

#[test]
fn one_line_toml_is_placed_in_linear_time() {
    // 20,000 components on one line, the last with an error: its column is right.
    let n = 20_000;
    let mut t = String::from("components = { ");
    for i in 0..n {
        t += &format!("\"é{i}\" = {{ availability = 0.9999 }}, ");
    }
    t += "last = { availability = 2 } }\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "line.toml", &t);
    let (_, stderr) = assert_exit(&bounded(&["eval", s(&path)]), 2);
    let at = t.find("= 2").unwrap() + 2;
    let col = t[..at].chars().count() + 1;
    assert!(
        stderr.contains(&format!("line.toml:1:{col}:")),
        "expected column {col} in {stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicates and suggestions

#[test]
fn a_dependency_listed_twice_is_refused_at_its_place() {
    let e = Model::parse(
        Path::new("d.yaml"),
        "components:\n  a: { availability: 0.9 }\n  b:\n    availability: 0.9\n    depends_on:\n      - a\n      - { component: a }\n"
            .into(),
        Format::Yaml,
    )
    .and_then(|m| m.system())
    .unwrap_err();
    assert_eq!(e.span.map(|s| (s.line, s.col)), Some((7, 9)), "{e}");
    assert!(e.message.contains("`a` is listed twice"), "{e}");
    // Named twice with different meanings, it is two dependencies.
    Model::parse(
        Path::new("d.yaml"),
        "components:\n  a: { availability: 0.9 }\n  b:\n    availability: 0.9\n    depends_on:\n      - a\n      - { component: a, on_failure: ignore }\n"
            .into(),
        Format::Yaml,
    )
    .and_then(|m| m.system())
    .unwrap();
    // 500,000 times: refused at once.
    let dir = tempfile::tempdir().unwrap();
    let list = vec!["a"; 500_000].join(", ");
    let path = write(
        &dir,
        "many.yaml",
        &format!(
            "components:\n  a: {{ availability: 0.9 }}\n  b: {{ availability: 0.9, depends_on: [{list}] }}\n"
        ),
    );
    let (_, stderr) = assert_exit(&bounded(&["eval", s(&path)]), 2);
    assert!(stderr.contains("many.yaml:3:43:"), "{stderr}");
}

#[test]
fn suggestions_compare_names_of_similar_length_only() {
    // 2,000 names of 1,000 characters (about the longest a YAML key may be) and an unknown one
    // as long: comparing every pair of characters was 2000 × 1000² steps.
    let long = |i: usize| format!("{}{i}", "n".repeat(990));
    let mut t = String::from("components:\n");
    for i in 0..2000 {
        t += &format!("  {}: {{ availability: 0.9 }}\n", long(i));
    }
    t += &format!(
        "  top: {{ availability: 0.9, depends_on: [{}x] }}\n",
        long(7)
    );
    t += "  database: { availability: 0.9 }\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "long.yaml", &t);
    let (_, stderr) = assert_exit(&bounded(&["eval", s(&path)]), 2);
    assert!(stderr.contains("unknown component"), "{stderr}");
    // A short typo still has its suggestion.
    let e = Model::parse(
        Path::new("t.yaml"),
        "components:\n  web: { availability: 0.9, depends_on: [databse] }\n  database: { availability: 0.9 }\n"
            .into(),
        Format::Yaml,
    )
    .and_then(|m| m.system())
    .unwrap_err();
    assert!(
        e.hint
            .clone()
            .unwrap_or_default()
            .contains("did you mean `database`"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Engines

#[test]
fn equally_probable_cut_sets_are_listed_without_enumerating_them() {
    // 40 replicas, 30 needed: C(40, 11) = 2,311,801,440 minimal cut sets of order 11, all
    // equally probable. Ties were searched breadth first, until memory ran out.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "rep.yaml",
        "components:\n  db: { availability: 0.99, replicas: 40, min_available: 30 }\n",
    );
    let out = bounded(&[
        "explain",
        s(&path),
        "db",
        "--max-order",
        "11",
        "--format",
        "json",
    ]);
    let (stdout, _) = assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let c = |n: u64, k: u64| (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1));
    assert_eq!(v["cut_sets_total"], c(40, 11));
    let listed = v["cut_sets"].as_array().unwrap();
    assert_eq!(listed.len(), 20);
    for set in listed {
        let p = set["probability"].as_f64().unwrap();
        assert_close!(p, 1e-22, 1e-9);
    }
}

#[test]
fn simulate_keeps_fast_components_in_bounded_memory() {
    // A failure and a repair every millisecond: a run of hours has millions of outages, whose
    // durations were all kept until the run ended (a month's run aborted).
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "fast.yaml",
        "components:\n  x: { mttf: 1ms, mttr: 1ms }\n",
    );
    let out = bounded(&[
        "simulate",
        s(&path),
        "-n",
        "1",
        "--horizon",
        "20m",
        "--format",
        "json",
    ]);
    let (stdout, _) = assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // About 600,000 outage lengths went through the histogram, most of them added up during
    // the run. Outages last an exponential 1 ms: the 95th percentile is ln 20 ms, read as the
    // middle of a bucket 1/64 of a power of two wide (sampling error is far smaller, about
    // 0.01% at this count).
    let p95 = v["components"][0]["p95_outage_s"].as_f64().unwrap();
    assert_close!(p95, 20f64.ln() * 1e-3, 0.012);
}
