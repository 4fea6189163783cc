//! `--format sarif` of `check` and `lint`: every log valid against the official SARIF 2.1.0
//! schema, one result per failure placed at the component's key, invalid models as results,
//! and names that try to break a format kept literal in every format.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::*;

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(repo_path("tests/data/sarif-schema-2.1.0.json"))
            .expect("the vendored schema");
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

/// Parses `out` and fails with every schema violation when it is not valid SARIF 2.1.0.
fn valid_sarif(out: &str) -> Value {
    let log: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{out}");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "nines");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// Runs `nines COMMAND --format sarif ARGS` in `dir`.
fn sarif_in(dir: &Path, command: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = nines()
        .current_dir(dir)
        .args([command, "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // A validator that accepted anything would make every test below pass.
    let mut log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "nines" } }, "results": [] }],
    });
    assert!(validator().is_valid(&log));
    log["runs"][0]["results"] =
        serde_json::json!([{ "level": "fatal", "message": { "text": "x" } }]);
    assert!(!validator().is_valid(&log));
    log["runs"][0]["results"] = serde_json::json!([{
        "message": { "text": "x" },
        "locations": [{ "physicalLocation": { "region": { "startLine": 0 } } }],
    }]);
    assert!(!validator().is_valid(&log));
}

#[test]
fn every_shipped_model_gives_valid_sarif_with_a_result_per_failure() {
    let root = repo_path("");
    for entry in std::fs::read_dir(repo_path("models")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue; // models/open-psa holds fault trees to import, not models
        }
        let name = format!("models/{}", path.file_name().unwrap().to_str().unwrap());
        let (code, out) = sarif_in(&root, "check", &[&name]);
        let log = valid_sarif(&out);
        // The failures JSON reports, counted independently.
        let json = nines()
            .current_dir(&root)
            .args(["check", "--format", "json", &name])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(code, json.status.code(), "{name}");
        assert_eq!(
            results(&log).len() as u64,
            v["failed"].as_u64().unwrap(),
            "{name}"
        );
        for r in results(&log) {
            assert_eq!(r["ruleId"], "slo");
            assert_eq!(r["level"], "error");
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], name.as_str());
            let component = r["locations"][0]["logicalLocations"][0]["name"]
                .as_str()
                .unwrap();
            let failed = v["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == component)
                .unwrap();
            assert_eq!(failed["passed"], false);
            assert_eq!(loc["region"]["startLine"], failed["line"], "{name}");
        }

        let (code, out) = sarif_in(&root, "lint", &[&name]);
        assert_ne!(code, Some(2), "{name}");
        let log = valid_sarif(&out);
        let json = nines()
            .current_dir(&root)
            .args(["lint", "--format", "json", &name])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&json.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        assert_eq!(results(&log).len(), findings.len(), "{name}");
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for (r, f) in results(&log).iter().zip(findings) {
            assert_eq!(r["ruleId"], f["rule"]);
            assert_eq!(r["level"], f["severity"]);
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], f["rule"]);
            assert_eq!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                f["line"]
            );
        }
    }
    // A directory: one run over all of them, still valid.
    let (_, out) = sarif_in(&root, "check", &["models"]);
    valid_sarif(&out);
    let (_, out) = sarif_in(&root, "lint", &["models/"]);
    valid_sarif(&out);
}

const SHOP: &str = "name: shop
components:
  db:
    availability: 99.99%
  web:
    availability: 99.95%
    depends_on: [db]
    slo: 99.95%
  api: { availability: 99.9%, depends_on: [db], slo: 99% }
";

#[test]
fn a_failing_model_has_its_failures_at_the_components_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/shop.yaml"), SHOP).unwrap();
    let (code, out) = sarif_in(dir.path(), "check", &["sub/shop.yaml", "--min-margin", "1"]);
    assert_eq!(code, Some(1));
    let log = valid_sarif(&out);
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["slo", "regression", "removed", "renamed", "model-error"]
    );
    let rs = results(&log);
    // web misses; api meets 99% with 0.96 nines to spare, short of the 1 asked.
    assert_eq!(rs.len(), 2, "{out}");
    let place = |r: &Value| {
        let l = &r["locations"][0]["physicalLocation"];
        (
            l["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            l["region"]["startLine"].as_u64().unwrap(),
            l["region"]["startColumn"].as_u64().unwrap(),
        )
    };
    assert_eq!(place(&rs[0]), ("sub/shop.yaml".to_string(), 5, 3));
    // A flow-style entry: the column is the key's, not the line's first character.
    assert_eq!(place(&rs[1]), ("sub/shop.yaml".to_string(), 9, 3));
    assert!(
        rs[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("web: 99.94%")
    );
    assert!(
        rs[1]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("less than the 1.00 asked")
    );

    // Lint on the same model: findings of several rules, each pointing at its rule.
    let (code, out) = sarif_in(dir.path(), "lint", &["sub/shop.yaml"]);
    assert_ne!(code, Some(2));
    let log = valid_sarif(&out);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rs = results(&log);
    assert!(rs.len() >= 2, "{out}");
    for r in rs {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1, "{r}");
        assert!(region["startColumn"].as_u64().unwrap() >= 1, "{r}");
    }

    // A regression against a baseline is a result of its own rule.
    std::fs::write(
        dir.path().join("sub/new.yaml"),
        SHOP.replace("availability: 99.99%", "availability: 99.9%"),
    )
    .unwrap();
    let (code, out) = sarif_in(
        dir.path(),
        "check",
        &[
            "sub/new.yaml",
            "--baseline",
            "sub/shop.yaml",
            "--max-drop",
            "0.5",
        ],
    );
    assert_eq!(code, Some(1));
    let log = valid_sarif(&out);
    let regressions: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "regression")
        .collect();
    assert_eq!(regressions.len(), 1, "{out}");
    assert_eq!(regressions[0]["ruleIndex"], 1);
    assert_eq!(regressions[0]["properties"]["component"], "db");
}

#[test]
fn an_invalid_model_is_a_result_at_its_place_with_its_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.yaml"), SHOP).unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "components:\n  x: { availability: 99.9 }\n",
    )
    .unwrap();
    for command in ["check", "lint"] {
        for args in [&["bad.yaml"][..], &["ok.yaml", "bad.yaml"][..]] {
            let (code, out) = sarif_in(dir.path(), command, args);
            assert_eq!(code, Some(2), "{command} {args:?}");
            let log = valid_sarif(&out);
            let errors: Vec<&Value> = results(&log)
                .iter()
                .filter(|r| r["ruleId"] == "model-error")
                .collect();
            assert_eq!(errors.len(), 1, "{out}");
            let e = errors[0];
            assert_eq!(e["level"], "error");
            let loc = &e["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], "bad.yaml");
            assert_eq!(loc["region"]["startLine"], 2);
            // `  x: { availability: 99.9 }`: the value starts at column 22.
            assert_eq!(loc["region"]["startColumn"], 22);
            assert!(e["properties"]["hint"].as_str().unwrap().contains("99.9%"));
            assert!(e["message"]["text"].as_str().unwrap().contains("\nhint: "));
        }
        // Standard error says it once, whatever the format.
        for format in ["sarif", "text", "github", "json"] {
            let out = nines()
                .current_dir(dir.path())
                .args([command, "--format", format, "bad.yaml"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(
                err.matches("is above 1").count(),
                1,
                "{command} {format}: {err}"
            );
        }
    }
}

/// Names that are special in one format or another.
const HOSTILE: &str = "name: \"<b>x|y</b>\"
components:
  \"a|b\":
    availability: 99%
    slo: 99.9%
  \"x%0Ay\":
    availability: 99%
    slo: 99.9%
  \"<script>\":
    availability: 99%
    slo: 99.9%
  \"q`,:\\\"\":
    availability: 99%
    slo: 99.9%
";
const NAMES: [&str; 4] = ["a|b", "x%0Ay", "<script>", "q`,:\""];

fn check_hostile(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "odd|%0A,:name.yaml", HOSTILE);
    let out = nines()
        .args(["check", "--format", format])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{format}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn hostile_names_stay_literal_in_sarif_and_junit() {
    let log = valid_sarif(&check_hostile("sarif"));
    let names: Vec<&str> = results(&log)
        .iter()
        .map(|r| {
            r["locations"][0]["logicalLocations"][0]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(names, NAMES);
    let uri = results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.ends_with("/odd%7C%250A%2C%3Aname.yaml"), "{uri}");

    let out = check_hostile("junit");
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let cases: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(cases, NAMES);
}

#[test]
fn hostile_names_are_escaped_in_github_commands() {
    let out = check_hostile("github");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    for (line, name) in lines.iter().zip(NAMES) {
        // `::error PROPERTIES::MESSAGE`: the properties end at the first `::`, and no property
        // may hold a raw `,` or `:`; the message holds no raw newline and `%` only as an escape.
        let rest = line.strip_prefix("::error ").unwrap();
        let (props, message) = rest.split_once("::").unwrap();
        let values: Vec<&str> = props.split(',').collect();
        assert_eq!(values.len(), 4, "{line}");
        assert!(values[0].starts_with("file="));
        assert!(values[1].starts_with("line="));
        assert!(values[2].starts_with("col="));
        let title = values[3].strip_prefix("title=").unwrap();
        assert_eq!(unescape(title), format!("SLO missed: {name}"));
        assert!(
            unescape(message).starts_with(&format!("{name}: 99%")),
            "{line}"
        );
        assert!(values[0].ends_with("odd|%250A%2C%3Aname.yaml"), "{line}");
    }
}

/// Undoes GitHub's escapes of workflow command values.
fn unescape(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn hostile_names_are_escaped_in_markdown() {
    let out = check_hostile("markdown");
    let rows: Vec<Vec<String>> = out
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            let mut cells = vec![String::new()];
            let mut chars = l.trim().trim_matches('|').chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => cells.last_mut().unwrap().extend(chars.next()),
                    '|' => cells.push(String::new()),
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            cells.iter().map(|c| c.trim().to_string()).collect()
        })
        .collect();
    assert_eq!(rows.len(), 1 + NAMES.len(), "{out}");
    assert!(rows.iter().all(|r| r.len() == 6), "{rows:?}");
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, NAMES);
    assert!(out.contains("odd\\|%0A,:name.yaml"), "{out}");
}

#[test]
fn hostile_names_are_escaped_in_lint_formats() {
    let dir = tempfile::tempdir().unwrap();
    // Each replicated without a spread: one N006 warning per name.
    let model = write_model(
        &dir,
        "m.yaml",
        "components:\n  \"a|b\": { availability: 99%, replicas: 2 }\n  \"x%0Ay\": { availability: 99%, replicas: 2 }\n  \"<script>\": { availability: 99%, replicas: 2 }\n",
    );
    let run = |format: &str| {
        let out = nines()
            .args(["lint", "--format", format])
            .arg(&model)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let log = valid_sarif(&run("sarif"));
    let names: Vec<&str> = results(&log)
        .iter()
        .map(|r| r["properties"]["component"].as_str().unwrap())
        .collect();
    assert_eq!(names, &NAMES[..3]);
    let github = run("github");
    assert!(github.contains("x%250Ay"), "{github}");
    assert!(!github.contains("x%0Ay"), "{github}");
    let markdown = run("markdown");
    assert!(markdown.contains("| a\\|b |"), "{markdown}");
}
