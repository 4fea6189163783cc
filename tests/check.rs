//! `nines check` for CI: every format (text, JSON, JUnit parsed back, GitHub annotations at the
//! right lines), --min-margin, --baseline with --max-drop, and the exit codes.

use crate::util::*;

/// web misses 99.95% (0.9995 × 0.9999 = 99.94%); api meets 99%.
const MODEL: &str = "name: shop
components:
  db:
    availability: 99.99%
  web:
    availability: 99.95%
    depends_on: [db]
    slo: 99.95%
  api:
    availability: 99.9%
    depends_on: [db]
    slo: 99%
";

const WEB_LINE: usize = 5;
const API_LINE: usize = 9;

fn run(args: &[&str], model: &std::path::Path) -> (Option<i32>, String, String) {
    let out = nines().arg("check").args(args).arg(model).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_lines_are_where_the_test_says() {
    let lines: Vec<&str> = MODEL.lines().collect();
    assert_eq!(lines[WEB_LINE - 1], "  web:");
    assert_eq!(lines[API_LINE - 1], "  api:");
}

#[test]
fn text_format_is_unchanged_without_the_new_flags() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "shop.yaml", MODEL);
    let (code, out, _) = run(&[], &model);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "FAIL  web: 99.94% (slo 99.95%), 5.26h down a year of 4.38h allowed\n\
         PASS  api: 99.89% (slo 99%), 9.64h down a year of 3.65d allowed\n\
         shop: 1 of 2 SLOs not met\n"
    );
}

#[test]
fn json_names_the_file_and_the_new_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "shop.yaml", MODEL);
    let (code, out, _) = run(&["--format", "json"], &model);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["file"], model.display().to_string());
    assert_eq!(v["passed"], false);
    assert_eq!(v["checked"], 2);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["min_margin"], serde_json::Value::Null);
    assert_eq!(v["baseline"], serde_json::Value::Null);
    let web = &v["components"][0];
    assert_eq!(web["name"], "web");
    assert_eq!(web["meets_slo"], false);
    assert_eq!(web["meets_margin"], serde_json::Value::Null);
    assert_eq!(web["passed"], false);
    assert_eq!(web["line"], WEB_LINE);
    // margin = log10(5e-4) − log10(1 − 0.9995 × 0.9999)
    let u: f64 = 1.0 - 0.9995 * 0.9999;
    assert_close!(
        web["margin_nines"].as_f64().unwrap(),
        (5e-4f64).log10() - u.log10(),
        1e-9
    );
}

#[test]
fn junit_has_one_case_per_slo_and_a_failure_for_the_missed_one() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "shop.yaml", MODEL);
    let (code, out, _) = run(&["--format", "junit"], &model);
    assert_eq!(code, Some(1), "the exit code does not depend on the format");
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("2"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].attribute("name"), Some("web"));
    assert_eq!(cases[0].attribute("classname"), Some("shop.slo"));
    assert_eq!(
        cases[0].attribute("line"),
        Some(WEB_LINE.to_string().as_str())
    );
    assert_eq!(
        cases[0].attribute("file"),
        Some(model.display().to_string().as_str())
    );
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("web fails");
    assert_eq!(failure.attribute("type"), Some("slo"));
    assert!(failure.attribute("message").unwrap().contains("99.95%"));
    assert!(failure.text().unwrap().contains("99.94%"));
    assert_eq!(cases[1].attribute("name"), Some("api"));
    assert!(cases[1].children().all(|n| !n.has_tag_name("failure")));
}

#[test]
fn junit_survives_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "evil.yaml",
        "name: \"a<b>&'\\\"c\"\ncomponents:\n  \"<x y=\\\"1\\\">]]>&amp;\":\n    availability: 99%\n    slo: 99.9%\n",
    );
    let (code, out, _) = run(&["--format", "junit"], &model);
    assert_eq!(code, Some(1));
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(case.attribute("name"), Some("<x y=\"1\">]]>&amp;"));
    assert_eq!(case.attribute("classname"), Some("a<b>&'\"c.slo"));
}

#[test]
fn github_annotations_point_at_the_components_lines() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "shop.yaml", MODEL);
    let (code, out, _) = run(&["--format", "github"], &model);
    assert_eq!(code, Some(1));
    let file = model.display().to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "::error file={file},line={WEB_LINE},col=3,title=SLO missed%3A web::web: 99.94%25 (slo 99.95%25), 5.26h down a year of 4.38h allowed"
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "::notice file={file},line={API_LINE},col=3,title=SLO met%3A api::api: 99.89%25 (slo 99%25), 9.64h down a year of 3.65d allowed"
        )
    );
    assert_eq!(lines[2], "shop: 1 of 2 SLOs not met");
    assert_eq!(lines.len(), 3);
}

#[test]
fn min_margin_demands_headroom() {
    let dir = tempfile::tempdir().unwrap();
    // One component at 99.99% against a 99.9% slo: exactly one nine of margin.
    let model = write_model(
        &dir,
        "m.yaml",
        "components:\n  web:\n    availability: 99.99%\n    slo: 99.9%\n",
    );
    let (code, out, _) = run(&["--min-margin", "1"], &model);
    assert_eq!(code, Some(0), "a margin of exactly 1 meets 1: {out}");
    assert!(out.contains("margin 1.00 nines"), "{out}");
    let (code, out, _) = run(&["--min-margin", "1.01"], &model);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("FAIL  web: 99.99% (slo 99.9%)")
            && out.contains("less than the 1.01 asked"),
        "{out}"
    );
    assert!(
        out.ends_with("m: all 1 SLOs met, 1 with less than 1.01 nines to spare\n"),
        "{out}"
    );
    let (_, out, _) = run(&["--min-margin", "1.01", "--format", "json"], &model);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["min_margin"], 1.01);
    assert_eq!(v["components"][0]["meets_slo"], true);
    assert_eq!(v["components"][0]["meets_margin"], false);
    assert_eq!(v["passed"], false);
    let (_, out, _) = run(&["--min-margin", "1.01", "--format", "junit"], &model);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("margin"));
    let (_, out, _) = run(&["--min-margin", "1.01", "--format", "github"], &model);
    assert!(out.starts_with("::error file="), "{out}");
    assert!(out.contains("title=SLO margin too thin%3A web"), "{out}");

    for bad in ["-1", "x", "inf"] {
        let (code, _, err) = run(&["--min-margin", bad], &model);
        assert_eq!(code, Some(2), "{bad}: {err}");
    }
}

const BEFORE: &str = "name: shop
components:
  db: { availability: 99.99% }
  web: { availability: 99.95%, depends_on: [db] }
";

#[test]
fn baseline_model_and_max_drop() {
    let dir = tempfile::tempdir().unwrap();
    let before = write_model(&dir, "before.yaml", BEFORE);
    // web gets ten times worse; db unchanged.
    let after = write_model(
        &dir,
        "after.yaml",
        &BEFORE.replace("99.95%, depends_on", "99.5%, depends_on"),
    );
    let base = before.display().to_string();
    let (code, out, _) = run(&["--baseline", &base, "--max-drop", "0.5"], &after);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("DROP  web: 3.22 → 2.29 nines (−0.93), more than the 0.50 allowed\n"),
        "{out}"
    );
    assert!(out.ends_with(&format!(
        "shop: no component has an slo; 1 of 2 components lost more than 0.50 nines since {base}\n"
    )), "{out}");
    // The drop itself: log10 of the ratio of unavailabilities.
    let (_, out, _) = run(
        &["--baseline", &base, "--max-drop", "0.5", "--format", "json"],
        &after,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let b = &v["baseline"];
    assert_eq!(b["file"], base);
    assert_eq!(b["compared"], 2);
    assert_eq!(b["regressed"], 1);
    let web = &b["components"][1];
    assert_eq!(web["name"], "web");
    assert_eq!(web["regressed"], true);
    let (u0, u1): (f64, f64) = (1.0 - 0.9995 * 0.9999, 1.0 - 0.995 * 0.9999);
    assert_close!(web["drop_nines"].as_f64().unwrap(), (u1 / u0).log10(), 1e-9);
    assert_eq!(b["components"][0]["regressed"], false);
    assert_eq!(b["components"][0]["drop_nines"], 0.0);
    // A looser limit passes.
    let (code, _, _) = run(&["--baseline", &base, "--max-drop", "1"], &after);
    assert_eq!(code, Some(0));
    // Without --max-drop the comparison only informs.
    let (code, out, _) = run(&["--baseline", &base], &after);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("      web: 3.22 → 2.29 nines (−0.93)\n"),
        "{out}"
    );
    assert!(
        !out.contains("db:"),
        "unchanged components are not listed: {out}"
    );
}

#[test]
fn baseline_from_eval_json() {
    let dir = tempfile::tempdir().unwrap();
    let before = write_model(&dir, "before.yaml", BEFORE);
    let eval = nines()
        .args(["eval", "--format", "json"])
        .arg(&before)
        .output()
        .unwrap();
    let json = dir.path().join("before.json");
    std::fs::write(&json, &eval.stdout).unwrap();
    let after = write_model(
        &dir,
        "after.yaml",
        &BEFORE.replace("99.95%, depends_on", "99.5%, depends_on"),
    );
    let base = json.display().to_string();
    let (code, out, _) = run(
        &[
            "--baseline",
            &base,
            "--max-drop",
            "0.5",
            "--format",
            "github",
        ],
        &after,
    );
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "::error file={},line=4,col=3,title=Availability regression%3A web::web: 3.22 → 2.29 nines",
            after.display()
        )),
        "{out}"
    );
    // Its own JSON is no regression.
    let same = json.display().to_string();
    let (code, _, _) = run(&["--baseline", &same, "--max-drop", "0"], &before);
    assert_eq!(code, Some(0));
    // JUnit: a second suite with a case per component compared.
    let (_, out, _) = run(
        &[
            "--baseline",
            &base,
            "--max-drop",
            "0.5",
            "--format",
            "junit",
        ],
        &after,
    );
    let doc = roxmltree::Document::parse(&out).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[1].attribute("tests"), Some("2"));
    assert_eq!(suites[1].attribute("failures"), Some("1"));
    let failed: Vec<_> = suites[1]
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.parent().unwrap().attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["web"]);
}

#[test]
fn a_component_never_down_that_now_fails_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let before = write_model(
        &dir,
        "b.yaml",
        "components:\n  web: { availability: 100% }\n",
    );
    let after = write_model(
        &dir,
        "a.yaml",
        "components:\n  web: { availability: 99.999% }\n",
    );
    let base = before.display().to_string();
    let (code, out, _) = run(
        &["--baseline", &base, "--max-drop", "5", "--format", "json"],
        &after,
    );
    assert_eq!(code, Some(1), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["baseline"]["components"][0]["drop_nines"],
        serde_json::Value::Null
    );
    assert_eq!(v["baseline"]["components"][0]["regressed"], true);
    // The other way round is an improvement.
    let (code, _, _) = run(
        &[
            "--baseline",
            &after.display().to_string(),
            "--max-drop",
            "0",
        ],
        &before,
    );
    assert_eq!(code, Some(0));
}

#[test]
fn baseline_errors_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "m.yaml", BEFORE);
    // --max-drop needs a baseline.
    let (code, _, _) = run(&["--max-drop", "0.1"], &model);
    assert_eq!(code, Some(2));
    let garbage = dir.path().join("g.json");
    std::fs::write(&garbage, "{ \"components\": [ { \"name\": \"web\" } ] }").unwrap();
    let (code, _, err) = run(&["--baseline", &garbage.display().to_string()], &model);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("components[0] (`web`) has no numeric `unavailability`"),
        "{err}"
    );
    std::fs::write(&garbage, "not json").unwrap();
    let (code, _, err) = run(&["--baseline", &garbage.display().to_string()], &model);
    assert_eq!(code, Some(2));
    assert!(err.contains("not valid JSON"), "{err}");
    let missing = dir.path().join("missing.yaml");
    let (code, _, _) = run(&["--baseline", &missing.display().to_string()], &model);
    assert_eq!(code, Some(2));
    // A model in JSON is read as a model.
    let json_model = write_model(
        &dir,
        "model.json",
        "{\"components\": {\"db\": {\"availability\": \"99.99%\"}, \"web\": {\"availability\": \"99.95%\", \"depends_on\": [\"db\"]}}}",
    );
    let (code, out, _) = run(
        &[
            "--baseline",
            &json_model.display().to_string(),
            "--max-drop",
            "0",
        ],
        &model,
    );
    assert_eq!(code, Some(0), "{out}");
}

/// api alone: 99.9% against 99%, met.
const PASSING: &str = "components:
  api:
    availability: 99.9%
    slo: 99%
";

fn check_many(args: &[&str]) -> (Option<i32>, String, String) {
    let out = nines().arg("check").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn several_models_exit_with_the_worst_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write_model(&dir, "ok.yaml", PASSING);
    let shop = write_model(&dir, "shop.yaml", MODEL);
    let (ok, shop) = (ok.to_str().unwrap(), shop.to_str().unwrap());

    let (code, out, _) = check_many(&[ok, ok]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out, _) = check_many(&[ok, shop]);
    assert_eq!(code, Some(1), "{out}");
    // Each result says which file it belongs to.
    assert!(out.contains(&format!("== {ok} ==")), "{out}");
    assert!(out.contains(&format!("== {shop} ==")), "{out}");
    assert!(out.contains("FAIL  web"), "{out}");

    // An invalid model wins over a failing one, and the others are still reported.
    let bad = write_model(
        &dir,
        "bad.yaml",
        "components:\n  x: { availability: 99.9 }\n",
    );
    let bad = bad.to_str().unwrap();
    let (code, out, err) = check_many(&[ok, bad, shop]);
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(
        out.contains("FAIL  web") && out.contains("PASS  api"),
        "{out}"
    );
}

#[test]
fn a_directory_means_its_models_sorted() {
    let dir = tempfile::tempdir().unwrap();
    write_model(&dir, "b.yaml", MODEL);
    write_model(&dir, "a.yml", PASSING);
    write_model(&dir, "notes.txt", "not a model");
    let sub = dir.path().join("nested");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("c.yaml"), "not: [valid").unwrap();

    let (code, out, _) = check_many(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], false);
    let files: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files[0].ends_with("a.yml") && files[1].ends_with("b.yaml"),
        "{files:?}"
    );

    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = check_many(&[empty.path().to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no .yaml"), "{err}");
}

#[test]
fn github_annotations_of_several_models_name_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let shop = write_model(&dir, "shop.yaml", MODEL);
    let other = write_model(&dir, "other.yaml", MODEL);
    let (code, out, _) = check_many(&[
        "--format",
        "github",
        shop.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    assert!(out.contains("shop.yaml,line=5"), "{out}");
    assert!(out.contains("other.yaml,line=5"), "{out}");
}

/// The rows of the Markdown tables in `out`, split into cells on unescaped pipes.
fn markdown_rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
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
        .collect()
}

#[test]
fn markdown_has_a_table_per_model_and_escapes_names() {
    let dir = tempfile::tempdir().unwrap();
    let shop = write_model(&dir, "shop.yaml", MODEL);
    let evil = write_model(
        &dir,
        "evil|`x`.yaml",
        "components:\n  \"a|b`c\":\n    availability: 99%\n    slo: 99.9%\n",
    );
    let (code, out, _) = check_many(&[
        "--format",
        "markdown",
        shop.to_str().unwrap(),
        evil.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("### shop — "), "{out}");
    assert!(out.contains("evil\\|\\`x\\`.yaml"), "{out}");
    let rows = markdown_rows(&out);
    // A header per model, then one row per slo, each with the same six cells.
    assert_eq!(rows.len(), 2 + 2 + 1, "{out}");
    assert!(rows.iter().all(|r| r.len() == 6), "{rows:?}");
    assert_eq!(rows[1][..2], ["❌".to_string(), "web".to_string()]);
    assert_eq!(rows[2][..2], ["✅".to_string(), "api".to_string()]);
    assert_eq!(rows[4][..2], ["❌".to_string(), "a|b`c".to_string()]);
}

#[test]
fn a_component_renamed_unchanged_is_compared_under_its_new_name() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_model(&dir, "base.yaml", MODEL);
    let renamed = write_model(&dir, "now.yaml", &MODEL.replace("  api:", "  api-v2:"));
    let base_arg = base.to_str().unwrap();
    let (code, out, _) = run(&["--baseline", base_arg, "--max-drop", "0"], &renamed);
    // web still misses its slo; nothing regressed, nothing is gone.
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("      api-v2 (was api): "), "{out}");
    assert!(!out.contains("GONE"), "{out}");
    assert!(out.contains("renamed: api → api-v2"), "{out}");
    let (_, out, _) = run(&["--baseline", base_arg, "--format", "json"], &renamed);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let b = &v["baseline"];
    assert_eq!(b["missing"], serde_json::json!([]));
    assert_eq!(b["added"], serde_json::json!([]));
    assert_eq!(b["renamed"], serde_json::json!([["api", "api-v2"]]));
    assert_eq!(b["compared"], 3);
    let (_, out, _) = run(&["--baseline", base_arg, "--format", "github"], &renamed);
    assert!(
        out.contains("::notice file=")
            && out.contains("title=Renamed since the baseline%3A api → api-v2::"),
        "{out}"
    );
    let (_, out, _) = run(&["--baseline", base_arg, "--format", "markdown"], &renamed);
    assert!(out.contains("Renamed: api → api-v2"), "{out}");
    assert!(out.contains("| api-v2 (was api) |"), "{out}");
}

/// Passes on its own: the removal alone decides the exit code.
const BASE: &str = "components:
  db:
    availability: 99.99%
  api:
    availability: 99.9%
    depends_on: [db]
    slo: 99%
  cache:
    availability: 99%
";

#[test]
fn a_renamed_component_that_got_worse_is_a_regression_under_its_old_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_model(&dir, "base.yaml", BASE);
    // api renamed; its dependency db lost a nine, so api's own numbers are unchanged but it is
    // down ten times as often as db was.
    let now = BASE
        .replace("  api:", "  gateway:")
        .replace("availability: 99.99%", "availability: 99.9%");
    let now = write_model(&dir, "now.yaml", &now);
    let (code, out, _) = run(
        &["--baseline", base.to_str().unwrap(), "--max-drop", "0.1"],
        &now,
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("DROP  gateway (was api): "), "{out}");
    assert!(out.contains("DROP  db: "), "{out}");
    // Exact drop: −log10 of the unavailabilities, 1 − 0.999·0.9999 before, 1 − 0.999·0.999 now.
    let (_, out, _) = run(
        &["--baseline", base.to_str().unwrap(), "--format", "json"],
        &now,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let gateway = v["baseline"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "gateway")
        .unwrap();
    assert_eq!(gateway["renamed_from"], "api");
    let before: f64 = 1.0 - 0.999 * 0.9999;
    let after: f64 = 1.0 - 0.999 * 0.999;
    assert_close!(
        gateway["drop_nines"].as_f64().unwrap(),
        after.log10() - before.log10(),
        1e-9
    );
}

#[test]
fn components_gone_since_the_baseline_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_model(&dir, "base.yaml", BASE);
    let base_arg = base.to_str().unwrap();
    // cache removed; a renamed-and-changed component is not a rename: removed and added.
    let now = BASE
        .replace("  cache:\n    availability: 99%\n", "")
        .replace(
            "  api:\n    availability: 99.9%",
            "  api2:\n    availability: 99.95%",
        );
    let now = write_model(&dir, "now.yaml", &now);
    let (code, out, _) = run(&["--baseline", base_arg], &now);
    assert_eq!(code, Some(0), "a removal alone passes: {out}");
    assert!(out.contains("GONE  api: in "), "{out}");
    assert!(out.contains("GONE  cache: in "), "{out}");
    assert!(out.contains("2 removed since "), "{out}");
    let (code, out, _) = run(&["--baseline", base_arg, "--fail-on-removed"], &now);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("(--fail-on-removed)"), "{out}");

    let (_, out, _) = run(&["--baseline", base_arg, "--format", "github"], &now);
    assert!(out.contains("::warning file="), "{out}");
    assert!(out.contains("Removed since the baseline%3A api::"), "{out}");
    let (_, out, _) = run(
        &[
            "--baseline",
            base_arg,
            "--format",
            "github",
            "--fail-on-removed",
        ],
        &now,
    );
    assert!(out.contains("::error file="), "{out}");

    let (_, out, _) = run(&["--baseline", base_arg, "--format", "json"], &now);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["baseline"]["missing"],
        serde_json::json!(["api", "cache"])
    );
    assert_eq!(v["baseline"]["added"], serde_json::json!(["api2"]));

    let (_, out, _) = run(&["--baseline", base_arg, "--format", "markdown"], &now);
    assert!(
        out.contains("Removed since the baseline: api, cache"),
        "{out}"
    );

    for fail in [false, true] {
        let mut args = vec!["--baseline", base_arg, "--format", "junit"];
        if fail {
            args.push("--fail-on-removed");
        }
        let (_, out, _) = run(&args, &now);
        let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
        let gone: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("cache"))
            .collect();
        assert_eq!(gone.len(), 1, "{out}");
        let outcome = if fail { "failure" } else { "skipped" };
        assert!(gone[0].children().any(|n| n.has_tag_name(outcome)), "{out}");
    }

    // Nothing gone, nothing said.
    let (_, out, _) = run(&["--baseline", base_arg], &base);
    assert!(!out.contains("GONE"), "{out}");
}

#[test]
fn junit_takes_several_models_and_reports_the_invalid_one() {
    let dir = tempfile::tempdir().unwrap();
    let shop = write_model(&dir, "shop.yaml", MODEL);
    let ok = write_model(&dir, "ok.yaml", PASSING);
    let bad = write_model(
        &dir,
        "bad.yaml",
        "components:\n  x: { availability: 99.9 }\n",
    );
    let (code, out, err) = check_many(&[
        "--format",
        "junit",
        shop.to_str().unwrap(),
        ok.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains("bad.yaml"), "{err}");
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3, "{out}");
    // 2 slos of shop, 1 of ok, 1 load error.
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("errors"), Some("1"));
    let error = doc
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .expect("the invalid model is an error");
    assert_eq!(error.parent().unwrap().attribute("line"), Some("2"));
    assert!(error.text().unwrap().contains("hint: "), "{out}");
    // Each suite's counts add up to its cases.
    for s in &suites {
        let cases = s.children().filter(|n| n.has_tag_name("testcase")).count();
        assert_eq!(s.attribute("tests"), Some(cases.to_string().as_str()));
    }
}
