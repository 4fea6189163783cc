//! `nines export` and `eval --format prometheus`: every rule file accepted by `promtool check
//! rules`, every gauge file by `promtool check metrics`, every OpenSLO document valid against the
//! OpenSLO v1 schema, sloth specs against sloth's spec types; derived targets equal to what
//! `nines budget` says; SLI queries carried through unchanged; names that try to break a format
//! kept literal.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::util::*;

/// `promtool`, or None with a visible message; on CI a missing promtool fails the test, so a
/// green CI always means the rules were checked.
fn promtool() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("promtool"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let message = "promtool not found: the Prometheus checks are SKIPPED (install Debian's `prometheus` package; .ci/run does)";
        assert!(std::env::var_os("CI").is_none(), "on CI, {message}");
        eprintln!("SKIPPED: {message}");
    }
    found
}

/// Runs `promtool check ARGS` and fails with its output unless it accepts.
fn promtool_accepts(promtool: &Path, args: &[&str], stdin: Option<&str>, what: &str) {
    use std::io::Write;
    let mut child = Process::new(promtool)
        .arg("check")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool runs");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check {args:?} refused {what}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The documents of a YAML stream as JSON values, read by the model loader's YAML parser (a
/// YAML 1.2 reader independent of the writer). Documents are split at `---` lines, which the
/// writer puts nowhere else at the start of a line.
fn yaml_docs(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .map(|doc| {
            let node = nines::model::tree::from_yaml(doc)
                .unwrap_or_else(|e| panic!("{}: {:?}\n{doc}", e.message, e.span));
            to_json(&node)
        })
        .collect()
}

/// A parsed YAML value as JSON.
pub fn to_json(node: &nines::model::tree::Node) -> Value {
    use nines::model::tree::Value as Y;
    match &node.value {
        Y::Null => Value::Null,
        Y::Bool(b) => json!(b),
        Y::Int(i) => json!(i),
        Y::Float(f, _) => json!(f),
        Y::Str(s) => json!(s),
        Y::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| match &k.value {
                    Y::Str(s) => (s.clone(), to_json(v)),
                    other => panic!("a key that is not a string: {other:?}"),
                })
                .collect(),
        ),
    }
}

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo_path(path)).unwrap()).unwrap()
}

/// The vendored OpenSLO v1 schema, each part registered under its `$id`: nothing is fetched.
fn openslo_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let dir = repo_path("tests/data/openslo-v1/parts");
        let mut registry = jsonschema::Registry::new();
        let mut parts: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        parts.sort();
        for part in parts {
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
            let id = schema["$id"].as_str().unwrap().to_string();
            registry = registry.add(id, schema).unwrap();
        }
        let registry = registry.prepare().unwrap();
        jsonschema::draft7::options()
            .with_registry(&registry)
            .build(&read_json("tests/data/openslo-v1/openslo.schema.json"))
            .expect("the OpenSLO schema compiles")
    })
}

fn sloth_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::draft7::options()
            .build(&read_json("tests/data/sloth-prometheus-v1.schema.json"))
            .expect("the sloth schema compiles")
    })
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, text: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
}

/// Runs `nines export FORMAT MODEL ARGS`: (exit code, stdout, stderr).
fn export(format: &str, model: &Path, args: &[&str]) -> (i32, String, String) {
    let out = nines()
        .arg("export")
        .arg(format)
        .arg(model)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn exported(format: &str, model: &Path, args: &[&str]) -> String {
    let (code, out, err) = export(format, model, args);
    assert_eq!(code, 0, "{err}");
    out
}

/// Every model file shipped in models/.
fn shipped_models() -> Vec<PathBuf> {
    let mut models: Vec<PathBuf> = std::fs::read_dir(repo_path("models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "toml" | "json")
            )
        })
        .collect();
    models.sort();
    models
}

const STORE: &str = "models/online-store.yaml";

#[test]
fn promtool_accepts_every_rule_file_of_the_shipped_models() {
    let Some(promtool) = promtool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    for model in shipped_models() {
        for budget in [false, true] {
            let args: &[&str] = if budget { &["--budget"] } else { &[] };
            let (code, _, err) = export(
                "prometheus",
                &model,
                &[args, &["-o", dir.path().to_str().unwrap()]].concat(),
            );
            if code == 2 && err.contains("nothing to export") {
                continue;
            }
            assert_eq!(code, 0, "{}: {err}", model.display());
            let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            for f in &files {
                promtool_accepts(
                    &promtool,
                    &["rules", f.to_str().unwrap()],
                    None,
                    &model.display().to_string(),
                );
                std::fs::remove_file(f).unwrap();
                written += 1;
            }
        }
    }
    assert!(written >= 2, "the shipped models export rules: {written}");
}

#[test]
fn promtool_accepts_the_gauges_of_every_shipped_model() {
    let Some(promtool) = promtool() else { return };
    for model in shipped_models() {
        let out = nines()
            .args(["eval", "--format", "prometheus"])
            .arg(&model)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", model.display());
        let text = String::from_utf8(out.stdout).unwrap();
        promtool_accepts(
            &promtool,
            &["metrics"],
            Some(&text),
            &model.display().to_string(),
        );
    }
}

#[test]
fn gauges_carry_evals_numbers_for_every_component() {
    let out = nines()
        .args(["eval", "--format", "prometheus", STORE])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let json: Value = serde_json::from_slice(
        &nines()
            .args(["eval", "--format", "json", STORE])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for metric in ["availability", "unavailability", "degraded"] {
        assert!(text.contains(&format!("# TYPE nines_{metric} gauge\n")));
        assert!(text.contains(&format!("# HELP nines_{metric} ")));
        for c in json["components"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap();
            let prefix = format!("nines_{metric}{{model=\"online-store\",component=\"{name}\"}} ");
            let line = text
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("{prefix}\n{text}"));
            let value: f64 = line[prefix.len()..].parse().unwrap();
            // The same number as the JSON, every digit.
            assert_eq!(value, c[metric].as_f64().unwrap(), "{line}");
        }
    }
}

#[test]
fn openslo_documents_are_valid_against_the_openslo_v1_schema() {
    let store = repo_path(STORE);
    for args in [&[][..], &["--budget"][..]] {
        let text = exported("openslo", &store, args);
        let docs = yaml_docs(&text);
        assert_eq!(docs[0]["kind"], "Service");
        for doc in &docs {
            assert_valid(openslo_validator(), doc, &text);
            if doc["kind"] == "SLO" {
                assert_eq!(doc["spec"]["service"], docs[0]["metadata"]["name"]);
            }
        }
        let slos = docs.iter().filter(|d| d["kind"] == "SLO").count();
        assert_eq!(slos, if args.is_empty() { 2 } else { 5 }, "{text}");
    }
    // The schema does refuse what breaks it: a target of 1 leaves no budget.
    let mut doc = yaml_docs(&exported("openslo", &store, &[]))[1].clone();
    doc["spec"]["objectives"][0]["target"] = json!(1.0);
    assert!(!openslo_validator().is_valid(&doc));
}

#[test]
fn sloth_specs_match_sloths_spec_types() {
    let store = repo_path(STORE);
    for args in [&[][..], &["--budget"][..]] {
        let text = exported("sloth", &store, args);
        let docs = yaml_docs(&text);
        assert_eq!(docs.len(), 1);
        assert_valid(sloth_validator(), &docs[0], &text);
    }
}

/// The objectives as `export json` gives them, by component.
fn objectives(model: &Path, args: &[&str]) -> Vec<Value> {
    let v: Value = serde_json::from_str(&exported("json", model, args)).unwrap();
    v["objectives"].as_array().unwrap().clone()
}

#[test]
fn derived_targets_are_budgets_extra_nine_for_the_strictest_caller() {
    let store = repo_path(STORE);
    let (system, _) = {
        let text = std::fs::read_to_string(&store).unwrap();
        eval_yaml(&text)
    };
    // What `nines budget` says, for every component with an slo: the rows of kind component,
    // each asked one nine more than the slo (the rule of the extra nine it prints).
    let mut asked: std::collections::HashMap<String, f64> = Default::default();
    for c in system.components.iter().filter(|c| c.slo.is_some()) {
        let out = nines()
            .args(["budget", STORE, &c.name, "--format", "json"])
            .current_dir(repo_path(""))
            .output()
            .unwrap();
        let b: Value = serde_json::from_slice(&out.stdout).unwrap();
        let slo_u = b["slo_unavailability"].as_f64().unwrap();
        for row in b["dependencies"].as_array().unwrap() {
            if row["kind"] == "component" {
                let e = asked
                    .entry(row["name"].as_str().unwrap().to_string())
                    .or_insert(f64::INFINITY);
                *e = e.min(slo_u / 10.0);
            }
        }
    }
    let objectives = objectives(&store, &["--budget"]);
    let mut derived = 0;
    for o in &objectives {
        let name = o["component"].as_str().unwrap();
        let component = &system.components[system.component_id(name).unwrap()];
        match component.slo {
            Some(slo) => {
                assert_eq!(o["source"]["kind"], "slo");
                assert_eq!(o["error_budget"].as_f64().unwrap(), slo.down.p);
            }
            None => {
                derived += 1;
                assert_eq!(o["source"]["kind"], "budget");
                let u = o["error_budget"].as_f64().unwrap();
                assert_close!(u, asked[name], 1e-12);
                let target: f64 = o["target"].as_str().unwrap().parse().unwrap();
                assert_close!(1.0 - target, asked[name], 1e-9);
            }
        }
    }
    // Every dependency budget names and the model measures is exported; the others are named
    // in the warning.
    let measured = ["orders-db", "catalog", "cart"];
    assert_eq!(derived, measured.len());
    for name in measured {
        assert!(asked.contains_key(name), "{name}");
    }
    let (_, _, err) = export("json", &store, &["--budget"]);
    assert!(
        err.contains(
            "left out, no `sli` to measure them by: dns, cdn, load-balancer, session-cache, free-shipping"
        ),
        "{err}"
    );
}

#[test]
fn a_dependency_gets_one_nine_more_than_its_callers_slo() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "m.yaml",
        r#"
name: two
components:
  db:
    availability: 99.99%
    sli: { errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }
  cache:
    availability: 99.9%
    sli: { errors: 'sum(rate(e2[{{.window}}]))', total: 'sum(rate(t2[{{.window}}]))' }
  api:
    availability: 99.95%
    depends_on: [db, { component: cache, on_failure: ignore }]
    slo: 99.9%
    sli: { errors: 'sum(rate(e3[{{.window}}]))', total: 'sum(rate(t3[{{.window}}]))' }
  admin:
    availability: 99.95%
    depends_on: [db]
    slo: 99.95%
    sli: { errors: 'sum(rate(e4[{{.window}}]))', total: 'sum(rate(t4[{{.window}}]))' }
"#,
    );
    let sloth = yaml_docs(&exported("sloth", &model, &["--budget"])).remove(0);
    let slos: Vec<(String, f64)> = sloth["slos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["objective"].as_f64().unwrap(),
            )
        })
        .collect();
    // db: admin's 99.95% is the stricter caller, so 99.995%; the ignored cache asks nothing.
    assert_eq!(
        slos,
        [
            ("db".to_string(), 99.995),
            ("api".into(), 99.9),
            ("admin".into(), 99.95)
        ]
    );
    let openslo = yaml_docs(&exported("openslo", &model, &["--budget"]));
    assert_eq!(
        openslo[1]["spec"]["objectives"][0]["target"],
        json!(0.99995)
    );
    // Without --budget, only the slos.
    let plain = objectives(&model, &[]);
    assert_eq!(plain.len(), 2);
}

#[test]
fn alerts_burn_at_the_workbooks_rates_over_its_windows() {
    let store = repo_path(STORE);
    let text = exported("prometheus", &store, &["--budget"]);
    let rules = yaml_docs(&text).remove(0);
    let groups = rules["groups"].as_array().unwrap();
    let objectives = objectives(&store, &["--budget"]);
    assert_eq!(groups.len(), objectives.len());
    for (group, o) in groups.iter().zip(&objectives) {
        let name = o["component"].as_str().unwrap();
        let budget = o["error_budget"].as_f64().unwrap();
        let rules = group["rules"].as_array().unwrap();
        let recorded: Vec<&str> = rules.iter().filter_map(|r| r["record"].as_str()).collect();
        for w in ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] {
            let record = format!("nines:sli_error_ratio:rate{w}");
            assert!(recorded.contains(&record.as_str()), "{record}");
            let rule = rules
                .iter()
                .find(|r| r["record"] == record.as_str())
                .unwrap();
            assert_eq!(rule["labels"]["component"], name);
            // The model's queries, the window filled in and nothing else changed.
            let expr = rule["expr"].as_str().unwrap();
            for q in [&o["sli"]["errors"], &o["sli"]["total"]] {
                let q = q.as_str().unwrap().replace("{{.window}}", w);
                assert!(expr.contains(&q), "{expr} lacks {q}");
            }
        }
        let alerts: Vec<&Value> = rules.iter().filter(|r| r["alert"].is_string()).collect();
        assert_eq!(alerts.len(), 2);
        for (alert, severity, windows) in [
            (
                alerts[0],
                "page",
                [("14.4", 14.4, "1h", "5m"), ("6", 6.0, "6h", "30m")],
            ),
            (
                alerts[1],
                "ticket",
                [("3", 3.0, "1d", "2h"), ("1", 1.0, "3d", "6h")],
            ),
        ] {
            assert_eq!(alert["labels"]["severity"], severity);
            let expr = alert["expr"].as_str().unwrap();
            for (text, factor, long, short) in windows {
                // factor × (1 − target), as written and as a number.
                let threshold = format!("> ({text} * {budget})");
                for w in [long, short] {
                    let clause = format!("nines:sli_error_ratio:rate{w}{{");
                    let at = expr.find(&clause).unwrap_or_else(|| panic!("{expr}"));
                    let line = expr[at..].lines().next().unwrap();
                    assert!(line.ends_with(&threshold), "{line} vs {threshold}");
                }
                let written: f64 = format!("{budget}").parse().unwrap();
                assert_close!(factor * written, factor * budget, 1e-15);
            }
        }
    }
}

#[test]
fn queries_pass_through_unchanged_and_output_is_deterministic() {
    let store = repo_path(STORE);
    let model_text = std::fs::read_to_string(&store).unwrap();
    let text = exported("openslo", &store, &["--budget"]);
    for doc in yaml_docs(&text).iter().filter(|d| d["kind"] == "SLO") {
        let ratio = &doc["spec"]["indicator"]["spec"]["ratioMetric"];
        for part in ["bad", "total"] {
            let q = ratio[part]["metricSource"]["spec"]["query"]
                .as_str()
                .unwrap();
            assert!(model_text.contains(&format!("'{q}'")), "{q}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for format in ["openslo", "sloth", "prometheus"] {
        let a = exported(format, &store, &["--budget"]);
        let b = exported(format, &store, &["--budget"]);
        assert_eq!(a, b, "{format}");
        let (code, out, err) = export(
            format,
            &store,
            &["--budget", "-o", dir.path().to_str().unwrap()],
        );
        assert_eq!((code, out.as_str()), (0, ""), "{err}");
        let file = dir.path().join(format!("online-store.{format}.yaml"));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), a, "{format}");
        assert!(err.contains(&format!("wrote {}", file.display())), "{err}");
    }
}

/// Names and a model name that try to break each format.
const HOSTILE: &str = r#"
name: 'shop "eu" \ {{ $x }}'
components:
  'we"ird\name':
    availability: 99.99%
    sli: { errors: 'sum(rate(e{a="x\\y"}[{{ .window }}])) # a comment', total: "sum(rate(t[{{.window}}]))" }
  '{{ $labels.x }}':
    availability: 99.99%
    sli: { errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }
  'yes':
    availability: 99.99%
    sli: { errors: "sum(rate(e[{{.window}}]))\n  + 0", total: 'sum(rate(t[{{.window}}]))' }
  日本:
    availability: 99.9%
    depends_on: ['we"ird\name', '{{ $labels.x }}', 'yes']
    slo: 99.9%
    sli: { errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }
"#;

#[test]
fn hostile_names_stay_literal_and_every_file_stays_valid() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "hostile.yaml", HOSTILE);
    let names = ["we\"ird\\name", "{{ $labels.x }}", "yes", "日本"];
    let rules = exported("prometheus", &model, &["--budget"]);
    let parsed = yaml_docs(&rules).remove(0);
    let groups = parsed["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 4, "{rules}");
    for (g, name) in groups.iter().zip(names) {
        assert_eq!(g["rules"][0]["labels"]["component"], name);
        assert_eq!(g["rules"][0]["labels"]["model"], "shop \"eu\" \\ {{ $x }}");
    }
    let openslo = exported("openslo", &model, &["--budget"]);
    let docs = yaml_docs(&openslo);
    for doc in &docs {
        assert_valid(openslo_validator(), doc, &openslo);
    }
    let display: Vec<&str> = docs[1..]
        .iter()
        .map(|d| d["metadata"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(display, names);
    let sloth = exported("sloth", &model, &["--budget"]);
    assert_valid(sloth_validator(), &yaml_docs(&sloth)[0], &sloth);
    if let Some(promtool) = promtool() {
        let file = dir.path().join("rules.yaml");
        std::fs::write(&file, &rules).unwrap();
        promtool_accepts(&promtool, &["rules", file.to_str().unwrap()], None, &rules);
        let gauges = nines()
            .args(["eval", "--format", "prometheus"])
            .arg(&model)
            .output()
            .unwrap();
        let gauges = String::from_utf8(gauges.stdout).unwrap();
        assert!(
            gauges.contains(r#"component="we\"ird\\name"} "#),
            "{gauges}"
        );
        promtool_accepts(&promtool, &["metrics"], Some(&gauges), &gauges);
    }
}

#[test]
fn bad_sli_keys_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (sli, message) in [
        (
            "{ errors: 'sum(rate(e[5m]))', total: 'sum(rate(t[{{.window}}]))' }",
            "the query never uses `{{.window}}`",
        ),
        (
            "{ errors: 'sum(rate(e[{{.range}}]))', total: 'sum(rate(t[{{.window}}]))' }",
            "is not a template nines knows",
        ),
        (
            "{ errors: '  ', total: 'sum(rate(t[{{.window}}]))' }",
            "the sli's `errors` query is empty",
        ),
        (
            "{ errors: 'sum(rate(e[{{.window}}]))' }",
            "missing key `total`",
        ),
        (
            "{ errors: 'sum(rate(e[{{.window}}]))', total: 'x[{{.window}}]', good: x }",
            "unknown key `good`",
        ),
    ] {
        let model = write_model(
            &dir,
            "m.yaml",
            &format!(
                "components:\n  api:\n    availability: 99.9%\n    slo: 99%\n    sli: {sli}\n"
            ),
        );
        let out = nines().arg("eval").arg(&model).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{sli}");
        assert!(err.contains(message), "{sli}: {err}");
        assert!(err.contains("m.yaml:5:"), "{sli}: {err}");
    }
}

#[test]
fn nothing_to_export_is_a_usage_error_with_a_hint() {
    let (code, out, err) = export("prometheus", &repo_path("models/three-tier.toml"), &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("nothing to export"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}
