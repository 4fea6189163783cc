//! Bad input: every model error is located (file:line:col), explained, hinted, and exits 2.

use crate::util::*;

/// (file name, content, expected `file:line:col`, words the message must contain)
const CASES: &[(&str, &str, &str, &[&str])] = &[
    (
        "merge.yaml",
        "components:\n  db:\n    mttf: &n 30d\n  web:\n    <<: *n\n",
        "merge.yaml:5:5",
        &["`<<` merges maps, found a string"],
    ),
    (
        "mergelist.yaml",
        "components:\n  db: &db { mttf: 30d, mttr: 1h }\n  web:\n    <<: [*db, 3]\n",
        "mergelist.yaml:4:5",
        &["`<<` merges maps, found an integer"],
    ),
    (
        "percent.yaml",
        "components:\n  db: { availability: 99.9 }\n",
        "percent.yaml:2:23",
        &["above 1", "\"99.9%\""],
    ),
    (
        "over.yaml",
        "components:\n  db: { availability: \"100.1%\" }\n",
        "over.yaml:2:23",
        &["above 100%"],
    ),
    (
        "negative.yaml",
        "components:\n  db: { availability: -0.5 }\n",
        "negative.yaml:2:23",
        &["negative"],
    ),
    (
        "nan.yaml",
        "components:\n  db: { availability: .nan }\n",
        "nan.yaml:2:23",
        &["not a finite number"],
    ),
    (
        "inf.yaml",
        "components:\n  db: { availability: .inf }\n",
        "inf.yaml:2:23",
        &["not a finite number"],
    ),
    (
        "typo.yaml",
        "components:\n  db:\n    availabilty: 0.9\n",
        "typo.yaml:3:5",
        &["unknown key `availabilty`", "did you mean `availability`?"],
    ),
    (
        "top.yaml",
        "component:\n  db: { availability: 0.9 }\n",
        "top.yaml:1:1",
        &["unknown key `component`", "did you mean `components`?"],
    ),
    (
        "unit.yaml",
        "components:\n  db: { mttf: 30, mttr: 1h }\n",
        "unit.yaml:2:15",
        &["no unit", "\"30d\""],
    ),
    (
        "negdur.yaml",
        "components:\n  db: { mttf: -30d }\n",
        "negdur.yaml:2:15",
        &["negative"],
    ),
    (
        "zero.yaml",
        "components:\n  db: { mttf: 0s }\n",
        "zero.yaml:2:15",
        &["longer than zero"],
    ),
    (
        "badunit.yaml",
        "components:\n  db: { mttf: 3x }\n",
        "badunit.yaml:2:15",
        &["not a unit"],
    ),
    (
        "kofn.yaml",
        "components:\n  db: { availability: 0.9, replicas: 2, min_available: 3 }\n",
        "kofn.yaml:2:56",
        &["min_available is 3", "between 1 and replicas (2)"],
    ),
    (
        "zero-replicas.yaml",
        "components:\n  db: { availability: 0.9, replicas: 0 }\n",
        "zero-replicas.yaml:2:38",
        &["replicas must be between 1"],
    ),
    (
        "neg-replicas.yaml",
        "components:\n  db: { availability: 0.9, replicas: -2 }\n",
        "neg-replicas.yaml:2:38",
        &["invalid value"],
    ),
    (
        "unknown-dep.yaml",
        "components:\n  db: { availability: 0.9 }\n  web: { availability: 0.9, depends_on: [dbs] }\n",
        "unknown-dep.yaml:3:42",
        &["unknown component `dbs`", "did you mean `db`?"],
    ),
    (
        "self.yaml",
        "components:\n  web: { availability: 0.9, depends_on: [web] }\n",
        "self.yaml:2:42",
        &["depends on itself"],
    ),
    (
        "cycle.yaml",
        "components:\n  a: { availability: 0.9, depends_on: [b] }\n  b: { availability: 0.9, depends_on: [c] }\n  c: { availability: 0.9, depends_on: [a] }\n",
        "cycle.yaml:2:40",
        &["dependency cycle: a → b → c → a"],
    ),
    (
        "fallback-cycle.yaml",
        "components:\n  q: { availability: 0.9, depends_on: [p] }\n  p: { availability: 0.9 }\n  web:\n    availability: 0.9\n    depends_on: [{ component: p, on_failure: degrade, fallback: q }]\n  x: { availability: 0.9, depends_on: [{ component: web, on_failure: degrade, fallback: x2 }] }\n  x2: { availability: 0.9, depends_on: [x] }\n",
        "fallback-cycle.yaml:7:",
        &["dependency cycle", "x → x2 → x"],
    ),
    (
        "fallback-hard.yaml",
        "components:\n  p: { availability: 0.9 }\n  q: { availability: 0.9 }\n  web: { availability: 0.9, depends_on: [{ component: p, fallback: q }] }\n",
        "fallback-hard.yaml:4:",
        &["fails open", "on_failure: degrade"],
    ),
    (
        "group.yaml",
        "components:\n  a: { availability: 0.9 }\n  web: { availability: 0.9, depends_on: [{ at_least: 3, of: [a] }] }\n",
        "group.yaml:3:54",
        &["at_least is 3"],
    ),
    (
        "group-twice.yaml",
        "components:\n  a: { availability: 0.9 }\n  web: { availability: 0.9, depends_on: [{ of: [a, a] }] }\n",
        "group-twice.yaml:3:52",
        &["appears twice"],
    ),
    (
        "domain.yaml",
        "domains:\n  az1: { availability: 0.999 }\ncomponents:\n  db: { availability: 0.9, spread: [az2] }\n",
        "domain.yaml:4:37",
        &["unknown domain `az2`", "did you mean `az1`?"],
    ),
    (
        "domain-cycle.yaml",
        "domains:\n  a: { availability: 0.999, parent: b }\n  b: { availability: 0.999, parent: a }\ncomponents:\n  db: { availability: 0.9 }\n",
        "domain-cycle.yaml:2:37",
        &["cycle"],
    ),
    (
        "both.yaml",
        "components:\n  db: { availability: 0.9, mttf: 30d }\n",
        "both.yaml:2:34",
        &["both `availability` and `mttf`"],
    ),
    (
        "none.yaml",
        "components:\n  db: { replicas: 2 }\n",
        "none.yaml:2:7",
        &["needs `availability`, `mttf`"],
    ),
    (
        "dup.yaml",
        "components:\n  db: { availability: 0.9 }\n  db: { availability: 0.8 }\n",
        "dup.yaml:3:3",
        &["duplicate key `db`"],
    ),
    (
        "dupkey.yaml",
        "components:\n  db: { availability: 0.9, availability: 0.8 }\n",
        "dupkey.yaml:2:28",
        &["duplicate key `availability`"],
    ),
    (
        "syntax.yaml",
        "components:\n  db: { availability: 0.9\n",
        "syntax.yaml:",
        &[],
    ),
    (
        "type.yaml",
        "components:\n  db: { availability: 0.9, replicas: two }\n",
        "type.yaml:2:38",
        &["invalid type"],
    ),
    (
        "dist.yaml",
        "components:\n  db: { failure: { dist: weibul, mean: 30d, shape: 1.5 } }\n",
        "dist.yaml:2:26",
        &["unknown value `weibul`", "did you mean `weibull`?"],
    ),
    (
        "shape.yaml",
        "components:\n  db: { failure: { dist: weibull, mean: 30d } }\n",
        "shape.yaml:2:18",
        &["needs `shape`"],
    ),
    (
        "maint.yaml",
        "components:\n  db: { availability: 0.9, maintenance: { every: 1h, duration: 2h } }\n",
        "maint.yaml:2:64",
        &["maintenance lasts"],
    ),
    (
        "scalar.yaml",
        "just text\n",
        "scalar.yaml:1:1",
        &["a model is a map"],
    ),
    (
        "tags.yaml",
        "components:\n  db: !custom { availability: 0.9 }\n",
        "tags.yaml:2:",
        &["tags"],
    ),
    (
        "bad.toml",
        "[components.db]\navailability = 99.9\n",
        "bad.toml:2:16",
        &["above 1", "\"99.9%\""],
    ),
    (
        "syntax.toml",
        "[components.db\navailability = 0.9\n",
        "syntax.toml:1:",
        &[],
    ),
    (
        "dup.toml",
        "[components.db]\navailability = 0.9\navailability = 0.8\n",
        "dup.toml:3:",
        &[],
    ),
    (
        "bad.json",
        "{\"components\": {\"db\": {\"availability\": 99.9}}}",
        "bad.json:1:40",
        &["above 1"],
    ),
    (
        "trailing.json",
        "{\"components\": {\"db\": {\"availability\": 0.9,}}}",
        "trailing.json:1:",
        &[],
    ),
    (
        "unknown.json",
        "{\"components\": {\"db\": {\"availability\": 0.9, \"replica\": 2}}}",
        "unknown.json:1:",
        &["unknown key `replica`", "did you mean `replicas`?"],
    ),
    (
        "model.txt",
        "components: {}\n",
        "model.txt",
        &["unknown model format"],
    ),
];

#[test]
fn every_bad_model_gets_a_located_error_and_exit_2() {
    assert_located_errors(CASES);
}

#[test]
fn errors_show_the_line_and_a_caret() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(
        &dir,
        "m.yaml",
        "components:\n  db: { availability: 99.9 }\n",
    );
    let out = nines().arg("eval").arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 |   db: { availability: 99.9 }"), "{err}");
    assert!(err.contains("|                       ^^^^"), "{err}");
    assert!(err.contains("= hint:"), "{err}");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let out = nines()
        .args(["eval", "does/not/exist.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does/not/exist.yaml: cannot read the file")
    );
}

#[test]
fn yaml_toml_and_json_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "domains:\n  z1: { availability: 99.95% }\ncomponents:\n  db: { mttf: 30d, mttr: 30m, replicas: 2, spread: [z1] }\n  web: { availability: 0.999, depends_on: [db, { component: cache, on_failure: degrade }] }\n  cache: { availability: \"99%\" }\n";
    let toml = "[domains.z1]\navailability = \"99.95%\"\n[components.db]\nmttf = \"30d\"\nmttr = \"30m\"\nreplicas = 2\nspread = [\"z1\"]\n[components.web]\navailability = 0.999\ndepends_on = [\"db\", { component = \"cache\", on_failure = \"degrade\" }]\n[components.cache]\navailability = \"99%\"\n";
    let json = r#"{"domains": {"z1": {"availability": "99.95%"}}, "components": {"db": {"mttf": "30d", "mttr": "30m", "replicas": 2, "spread": ["z1"]}, "web": {"availability": 0.999, "depends_on": ["db", {"component": "cache", "on_failure": "degrade"}]}, "cache": {"availability": "99%"}}}"#;
    let outputs: Vec<String> = [("m.yaml", yaml), ("m.toml", toml), ("m.json", json)]
        .iter()
        .map(|(name, text)| {
            let path = write_model(&dir, name, text);
            let out = nines()
                .args(["eval", "--format", "json"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text += &format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        );
    }
    text += "components: {}\n";
    let path = write_model(&dir, "bomb.yaml", &text);
    let out = nines().arg("eval").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expands to more than"));
}

#[test]
fn schema_is_json_schema_of_the_model() {
    let out = nines().arg("schema").output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
    let props = &v["properties"];
    for key in [
        "name",
        "window",
        "defaults",
        "cost",
        "domains",
        "components",
    ] {
        assert!(props.get(key).is_some(), "schema lacks {key}");
    }
    assert_eq!(v["additionalProperties"], false);
}

#[test]
fn graph_escapes_names_in_mermaid_and_dot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(
        &dir,
        "g.yaml",
        "components:\n  'db\"]; evil': { availability: 0.9 }\n  web: { availability: 0.9, depends_on: [{ component: 'db\"]; evil', on_failure: degrade }] }\n",
    );
    let mermaid = nines().arg("graph").arg(&path).output().unwrap();
    assert!(mermaid.status.success());
    let m = String::from_utf8(mermaid.stdout).unwrap();
    assert!(m.starts_with("flowchart TD\n"), "{m}");
    assert!(m.contains("c0[\"db#quot;]; evil\"]"), "{m}");
    assert!(m.contains("c1 -.->|\"degrade\"| c0"), "{m}");
    let dot = nines()
        .args(["graph", "--format", "dot"])
        .arg(&path)
        .output()
        .unwrap();
    let d = String::from_utf8(dot.stdout).unwrap();
    assert!(d.contains("c0 [label=\"db\\\"]; evil\"];"), "{d}");
    assert!(
        d.contains("c1 -> c0 [label=\"degrade\", style=dashed];"),
        "{d}"
    );
}

/// Forty similar services written once as a template and merged in (`<<: *svc`) evaluate
/// exactly as the same model written out in full.
#[test]
fn merge_keys_template_services() {
    let mut templated =
        String::from("components:\n  base: &svc\n    replicas: 2\n    mttf: 30d\n    mttr: 2h\n");
    let mut expanded =
        String::from("components:\n  base:\n    replicas: 2\n    mttf: 30d\n    mttr: 2h\n");
    for i in 0..40 {
        templated.push_str(&format!("  s{i}:\n    <<: *svc\n    depends_on: [base]\n"));
        expanded.push_str(&format!(
            "  s{i}:\n    replicas: 2\n    mttf: 30d\n    mttr: 2h\n    depends_on: [base]\n"
        ));
    }
    let (ts, t) = eval_yaml(&templated);
    let (es, e) = eval_yaml(&expanded);
    assert_eq!(ts.components.len(), 41);
    for i in 0..41 {
        let name = &ts.components[i].name;
        assert_eq!(name, &es.components[i].name);
        assert_eq!(t[i].down, e[i].down, "{name}");
        assert_eq!(t[i].degraded, e[i].degraded, "{name}");
    }
}

/// Keys written in the map win over merged ones, and earlier maps in a `<<` list over later.
#[test]
fn merge_key_precedence() {
    let text = "components:
  a: &a { mttf: 10d, mttr: 1h }
  b: &b { mttf: 20d, mttr: 2h, replicas: 3 }
  c:
    mttr: 4h
    <<: [*a, *b]
";
    let (system, _) = eval_yaml(text);
    let c = system.components.iter().find(|c| c.name == "c").unwrap();
    assert_eq!(c.failure.mean_s, 10.0 * 86_400.0, "mttf from a, the first");
    assert_eq!(c.repair.mean_s, 4.0 * 3600.0, "mttr written in c");
    assert_eq!(c.replicas, 3, "replicas only b has");
}

/// A billion laughs through merge keys is refused like one through aliases.
#[test]
fn merge_key_bombs_are_bounded() {
    // Each level merges the previous one and lists it ten times: every alias, merged or not,
    // is counted as the copy it makes, so the count grows tenfold a level.
    let mut bomb =
        String::from("a0: &a0 { x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9, q: 10 }\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} {{ k{i}: [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}], <<: *a{p} }}\n",
            p = i - 1
        ));
    }
    let e = nines::model::Model::parse(
        std::path::Path::new("bomb.yaml"),
        bomb,
        nines::model::Format::Yaml,
    )
    .expect_err("refused");
    assert!(e.to_string().contains("more than"), "{e}");
}
