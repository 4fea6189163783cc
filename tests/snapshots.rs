//! Snapshots of what every command prints, on every shipped model, in every format: a change in
//! output shows up whole in review, as a diff of `tests/snapshots/*.snap`.
//!
//! Each snapshot holds one command's runs on one model: the command line, its exit code, stdout
//! and stderr, for the table (100 columns, no colour), JSON and Markdown, and the machine formats
//! where the command has them. Random engines run small with a fixed seed, so the bytes are the
//! same on every machine and thread count.
//!
//! After an intended change of output: `INSTA_UPDATE=always cargo test --test tests snapshots`,
//! then read `git diff tests/snapshots` before committing (or `cargo insta review`).

use std::path::Path;

use crate::util::*;

/// Every model in models/ that nines reads directly.
fn models() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(repo_path("models"))
        .expect("models/ is readable")
        .map(|entry| entry.expect("models/ lists").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| {
            [".yaml", ".yml", ".toml", ".json"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .map(|name| format!("models/{name}"))
        .collect();
    out.sort();
    assert!(out.len() >= 10, "the shipped models are found: {out:?}");
    out
}

/// The component a per-component command is shown on: the first with an slo, else the last.
fn target(model: &str) -> String {
    let (_, system) =
        nines::model::load_system(&repo_path(model)).unwrap_or_else(|e| panic!("{e}"));
    let with_slo = system.components.iter().find(|c| c.slo.is_some());
    with_slo
        .or(system.components.last())
        .expect("every shipped model has a component")
        .name
        .clone()
}

/// Runs `nines` from the repository's root and writes down what it did, with `scratch` (a
/// temporary directory some commands write into) shown as `SCRATCH`.
fn transcript(runs: &[Vec<String>], scratch: &Path) -> String {
    let mut out = String::new();
    for args in runs {
        let output = nines()
            .current_dir(repo_path(""))
            .args(args)
            .output()
            .expect("nines runs");
        out.push_str(&format!(
            "$ nines {}\n# exit {}\n",
            args.join(" "),
            output.status.code().unwrap_or(-1)
        ));
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            if !bytes.is_empty() {
                out.push_str(&format!("--- {stream}\n"));
                out.push_str(&String::from_utf8_lossy(bytes));
                if !bytes.ends_with(b"\n") {
                    out.push_str("\n[no newline at the end]\n");
                }
            }
        }
        out.push('\n');
    }
    stable(&out, scratch)
}

/// The version and the scratch directory, replaced so the snapshot holds across releases and
/// runs.
fn stable(text: &str, scratch: &Path) -> String {
    text.replace(&scratch.display().to_string(), "SCRATCH")
        .replace(
            &format!("nines {}", env!("CARGO_PKG_VERSION")),
            "nines VERSION",
        )
        .replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"VERSION\"",
        )
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// One run per format.
fn formats(head: &[&str], formats: &[&str]) -> Vec<Vec<String>> {
    formats
        .iter()
        .map(|format| {
            let mut run = args(head);
            run.extend(args(&["--format", format]));
            run
        })
        .collect()
}

const TABLE_JSON_MARKDOWN: &[&str] = &["table", "json", "markdown"];

fn stem(model: &str) -> &str {
    model.trim_start_matches("models/")
}

/// Snapshots `runs(model)` for every shipped model, under `command@model`.
fn per_model(command: &str, runs: impl Fn(&str) -> Vec<Vec<String>>) {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    for model in models() {
        let text = transcript(&runs(&model), scratch.path());
        insta::assert_snapshot!(format!("{command}@{}", stem(&model)), text);
    }
}

#[test]
fn eval() {
    per_model("eval", |m| formats(&["eval", m], TABLE_JSON_MARKDOWN));
}

#[test]
fn check() {
    per_model("check", |m| {
        formats(
            &["check", m],
            &["text", "json", "markdown", "junit", "github", "sarif"],
        )
    });
}

#[test]
fn lint() {
    per_model("lint", |m| {
        formats(
            &["lint", m],
            &["text", "json", "markdown", "github", "sarif"],
        )
    });
}

#[test]
fn explain() {
    per_model("explain", |m| {
        formats(&["explain", m, &target(m)], TABLE_JSON_MARKDOWN)
    });
}

#[test]
fn whatif() {
    per_model("whatif", |m| {
        let (_, system) =
            nines::model::load_system(&repo_path(m)).unwrap_or_else(|e| panic!("{e}"));
        let first = system.components[0].name.clone();
        formats(&["whatif", m, "--fail", &first], TABLE_JSON_MARKDOWN)
    });
}

#[test]
fn budget() {
    per_model("budget", |m| {
        formats(&["budget", m, &target(m)], TABLE_JSON_MARKDOWN)
    });
}

#[test]
fn sample() {
    per_model("sample", |m| {
        formats(
            &["sample", m, "-n", "20000", "--seed", "7"],
            TABLE_JSON_MARKDOWN,
        )
    });
}

#[test]
fn simulate() {
    per_model("simulate", |m| {
        formats(
            &["simulate", m, "-n", "40", "--horizon", "30d", "--seed", "7"],
            TABLE_JSON_MARKDOWN,
        )
    });
}

#[test]
fn graph() {
    per_model("graph", |m| formats(&["graph", m], &["mermaid", "dot"]));
}

#[test]
fn tradeoff() {
    per_model("tradeoff", |m| {
        let component = target(m);
        let mut runs = formats(&["tradeoff", m, "-c", &component], TABLE_JSON_MARKDOWN);
        runs.push(args(&["tradeoff", m, "-c", &component, "--rule", "10x"]));
        runs
    });
}

/// The report's stdout and Markdown page, and its HTML page in a snapshot of its own.
#[test]
fn report() {
    for model in models() {
        let scratch = tempfile::tempdir().expect("a temporary directory");
        let out = scratch.path().join("review");
        let runs = vec![args(&["report", &model, "-o", &out.display().to_string()])];
        let mut text = transcript(&runs, scratch.path());
        let mut files: Vec<_> = std::fs::read_dir(&out)
            .map(|dir| dir.map(|e| e.expect("lists").path()).collect())
            .unwrap_or_default();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read(&file).expect("the report is readable");
            let body = stable(&String::from_utf8_lossy(&body), scratch.path());
            if name.ends_with(".md") {
                text.push_str(&format!("--- {name}\n{body}"));
            } else {
                insta::assert_snapshot!(format!("report-{name}@{}", stem(&model)), body);
            }
        }
        insta::assert_snapshot!(format!("report@{}", stem(&model)), text);
    }
}

#[test]
fn diff() {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    for (old, new) in [
        ("models/checkout.yaml", "models/shop-variants.yaml"),
        ("models/three-tier.json", "models/three-tier.toml"),
        ("models/online-store.yaml", "models/online-store.yaml"),
    ] {
        let mut runs = formats(&["diff", old, new], &["text", "json", "markdown"]);
        runs.push(args(&["diff", old, new, "--all"]));
        let text = transcript(&runs, scratch.path());
        insta::assert_snapshot!(format!("diff@{}@{}", stem(old), stem(new)), text);
    }
}

#[test]
fn downtime() {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let mut runs = Vec::new();
    for availability in ["99.95%", "0.999999999", "0.99999", "90%"] {
        runs.extend(formats(&["downtime", availability], TABLE_JSON_MARKDOWN));
    }
    runs.push(args(&["downtime", "99.9%", "--window", "7d"]));
    insta::assert_snapshot!("downtime", transcript(&runs, scratch.path()));
}

#[test]
fn schema() {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    insta::assert_snapshot!("schema", transcript(&[args(&["schema"])], scratch.path()));
}

/// The Open-PSA fault trees shipped in models/open-psa, as one input.
const OPEN_PSA: &[&[&str]] = &[
    &[
        "models/open-psa/cooling.xml",
        "models/open-psa/cooling-basic-events.xml",
    ],
    &["models/open-psa/interlock.xml"],
];

#[test]
fn fault_tree() {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    for files in OPEN_PSA {
        let mut head = vec!["fault-tree"];
        head.extend_from_slice(files);
        let mut runs = formats(&head, TABLE_JSON_MARKDOWN);
        head.push("--all");
        runs.extend(formats(&head, &["table"]));
        let text = transcript(&runs, scratch.path());
        insta::assert_snapshot!(format!("fault-tree@{}", stem(files[0])), text);
    }
}

/// The summary in each format, and the model written.
#[test]
fn import() {
    for files in OPEN_PSA {
        let scratch = tempfile::tempdir().expect("a temporary directory");
        let written = scratch.path().join("imported.yaml");
        let mut head = vec!["import", "open-psa"];
        head.extend_from_slice(files);
        let mut runs = vec![args(&head)];
        head.extend(["-o", "SCRATCH"]);
        for format in ["table", "json"] {
            let mut run = args(&head);
            *run.iter_mut().find(|a| *a == "SCRATCH").unwrap() = written.display().to_string();
            run.extend(args(&["--format", format]));
            runs.push(run);
        }
        let mut text = transcript(&runs, scratch.path());
        text.push_str("--- imported.yaml\n");
        text.push_str(&std::fs::read_to_string(&written).unwrap_or_default());
        insta::assert_snapshot!(format!("import@{}", stem(files[0])), text);
    }
}
