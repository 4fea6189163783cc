//! `nines diff OLD NEW`: matching, numbers, explanations, formats and exit codes.

use serde_json::Value;

use crate::util::*;

/// A shop: `web` rests on `api`, which rests on `db` (in zone `az1`) and, fail-open, on `cache`;
/// `batch` is unrelated to all of them.
const SHOP: &str = "
window: 30d
defaults: { mttr: 1h }
domains:
  az1: { availability: 99.95% }
components:
  db: { availability: 99.9%, replicas: 1, spread: [az1] }
  cache: { availability: 99.5% }
  api:
    availability: 99.95%
    depends_on: [db, { component: cache, on_failure: degrade, timeout: 1s }]
  web: { availability: 99.99%, depends_on: [api], slo: 99.8% }
  batch: { mttf: 30d, mttr: 2h }
";

/// The same model in TOML, written differently where the values are the same: fractions for
/// percents, `60m` for `1h`, the dependency list reordered.
const SHOP_TOML: &str = r#"
window = "30d"
defaults = { mttr = "60m" }
[domains.az1]
availability = 0.9995
[components.db]
availability = "99.9%"
replicas = 1
spread = ["az1"]
[components.cache]
availability = 0.995
[components.api]
availability = "99.95%"
depends_on = [{ component = "cache", on_failure = "degrade", timeout = "1000ms" }, "db"]
[components.web]
availability = "99.99%"
depends_on = ["api"]
slo = "99.8%"
[components.batch]
mttf = "720h"
mttr = "2h"
"#;

fn diff_json(old: &std::path::Path, new: &std::path::Path) -> Value {
    let out = nines()
        .args(["diff", "--format", "json"])
        .arg(old)
        .arg(new)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("diff prints valid JSON")
}

fn component<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name} in {v:#}"))
}

fn paths(changes: &Value) -> Vec<String> {
    changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect()
}

fn stdout(args: &[&std::ffi::OsStr]) -> String {
    let out = nines().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_same_model_in_yaml_and_toml_has_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "shop.yaml", SHOP);
    let new = write_model(&dir, "shop.toml", SHOP_TOML);
    let v = diff_json(&old, &new);
    assert_eq!(v["model_changes"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["summary"]["unchanged"], 5);
    for c in v["components"].as_array().unwrap() {
        assert_eq!(c["status"], "unchanged", "{c:#}");
        assert_eq!(c["delta_nines"], 0.0);
        assert_eq!(c["changes"], serde_json::json!([]));
    }
    let text = stdout(&["diff".as_ref(), old.as_os_str(), new.as_os_str()]);
    assert!(text.contains("No component's numbers changed"), "{text}");
    assert!(text.contains("No change in the model"), "{text}");
}

#[test]
fn the_shipped_three_tier_model_is_the_same_in_toml_and_json() {
    let v = diff_json(
        &repo_path("models/three-tier.toml"),
        &repo_path("models/three-tier.json"),
    );
    assert_eq!(v["model_changes"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["summary"]["changed"], 0);
    assert!(v["summary"]["unchanged"].as_u64().unwrap() > 0);
}

#[test]
fn a_changed_replica_count_shows_in_the_component_and_its_dependents() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "old.yaml", SHOP);
    let new = write_model(
        &dir,
        "new.yaml",
        &SHOP.replace("replicas: 1, spread", "replicas: 2, spread"),
    );
    let v = diff_json(&old, &new);
    assert_eq!(
        v["model_changes"],
        serde_json::json!([{ "path": "components.db.replicas", "kind": "changed", "before": 1, "after": 2 }])
    );
    for name in ["db", "api", "web"] {
        let c = component(&v, name);
        assert_eq!(c["status"], "changed", "{c:#}");
        assert_eq!(paths(&c["changes"]), ["components.db.replicas"], "{name}");
        assert!(c["delta_nines"].as_f64().unwrap() > 0.0, "{name}");
        assert!(c["delta_downtime_per_year_s"].as_f64().unwrap() < 0.0);
    }
    for name in ["cache", "batch"] {
        let c = component(&v, name);
        assert_eq!(c["status"], "unchanged", "{name}");
        assert_eq!(c["changes"], serde_json::json!([]), "{name}");
    }

    // Closed forms: db is down when its replicas are all down or its zone is.
    let (a, z) = (1e-3_f64, 5e-4_f64);
    let db_before = 1.0 - (1.0 - a) * (1.0 - z);
    let db_after = 1.0 - (1.0 - a * a) * (1.0 - z);
    let db = component(&v, "db");
    assert_close!(
        db["before"]["unavailability"].as_f64().unwrap(),
        db_before,
        1e-12
    );
    assert_close!(
        db["after"]["unavailability"].as_f64().unwrap(),
        db_after,
        1e-12
    );
    // web needs itself, api and db (the cache only degrades it).
    let web_down = |db: f64| 1.0 - (1.0 - 1e-4) * (1.0 - 5e-4) * (1.0 - db);
    let web = component(&v, "web");
    assert_close!(
        web["delta_nines"].as_f64().unwrap(),
        (web_down(db_before) / web_down(db_after)).log10(),
        1e-9
    );
    assert_close!(
        web["delta_downtime_per_year_s"].as_f64().unwrap(),
        (web_down(db_after) - web_down(db_before)) * 365.0 * 86400.0,
        1e-9
    );

    // The text lists the changed components only, then the change and each one's explanation.
    let text = stdout(&["diff".as_ref(), old.as_os_str(), new.as_os_str()]);
    assert!(text.contains("3 of 5 components changed"), "{text}");
    for name in ["db", "api", "web"] {
        assert!(
            text.contains(&format!("\n  {name}: components.db.replicas")),
            "{text}"
        );
    }
    assert!(!text.contains("batch"), "{text}");
    assert!(text.contains("components.db.replicas  1 → 2"), "{text}");
    let all = stdout(&[
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--all".as_ref(),
    ]);
    assert!(all.contains("batch"), "{all}");
}

#[test]
fn domain_and_window_changes_explain_what_rests_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "old.yaml", SHOP);
    let new = write_model(
        &dir,
        "new.yaml",
        &SHOP
            .replace(
                "az1: { availability: 99.95% }",
                "az1: { availability: 99.99% }",
            )
            .replace("window: 30d", "window: 7d"),
    );
    let v = diff_json(&old, &new);
    assert_eq!(
        paths(&v["model_changes"]),
        ["window", "domains.az1.availability"]
    );
    assert_eq!(v["model_changes"][0]["before"], "30d");
    assert_eq!(v["model_changes"][0]["after"], "1w");
    for name in ["db", "api", "web"] {
        assert_eq!(
            paths(&component(&v, name)["changes"]),
            ["window", "domains.az1.availability"]
        );
    }
    // The window changes every component's downtime per window, and nothing else of batch's.
    let batch = component(&v, "batch");
    assert_eq!(batch["status"], "changed");
    assert_eq!(paths(&batch["changes"]), ["window"]);
    assert_eq!(batch["delta_nines"], 0.0);
    let text = stdout(&["diff".as_ref(), old.as_os_str(), new.as_os_str()]);
    assert!(
        text.contains("domains.az1.availability  99.95% → 99.99%"),
        "{text}"
    );
}

#[test]
fn the_numbers_are_evals_on_each_side() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "old.yaml", SHOP);
    let new = write_model(
        &dir,
        "new.toml",
        &SHOP_TOML.replace("availability = 0.995", "availability = \"99.9%\""),
    );
    let v = diff_json(&old, &new);
    for (side, file) in [("before", &old), ("after", &new)] {
        let out = nines()
            .args(["eval", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        let eval: Value = serde_json::from_slice(&out.stdout).unwrap();
        for e in eval["components"].as_array().unwrap() {
            let name = e["name"].as_str().unwrap();
            // The same digits, not merely close ones.
            assert_eq!(&component(&v, name)[side], e, "{side} {name}");
        }
    }
    assert_eq!(component(&v, "cache")["status"], "changed");
    assert_eq!(component(&v, "db")["status"], "unchanged");
}

#[test]
fn added_removed_and_renamed_components() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "old.yaml", SHOP);
    let new = write_model(
        &dir,
        "new.yaml",
        &SHOP
            // `cache` becomes `kv`, with the same keys and values.
            .replace("cache: { availability", "kv: { availability")
            .replace("component: cache,", "component: kv,")
            .replace(
                "  batch: { mttf: 30d, mttr: 2h }\n",
                "  cron: { availability: 99% }\n",
            ),
    );
    let v = diff_json(&old, &new);
    assert_eq!(
        v["summary"],
        serde_json::json!({ "changed": 0, "unchanged": 3, "added": 1, "removed": 1, "renamed": 1 })
    );
    let kv = component(&v, "kv");
    assert_eq!(kv["status"], "renamed");
    assert_eq!(kv["renamed_from"], "cache");
    assert_eq!(kv["before"]["name"], "cache");
    assert_eq!(
        kv["before"]["unavailability"],
        kv["after"]["unavailability"]
    );
    let cron = component(&v, "cron");
    assert_eq!(cron["status"], "added");
    assert_eq!(cron["before"], Value::Null);
    assert_close!(
        cron["after"]["unavailability"].as_f64().unwrap(),
        0.01,
        1e-12
    );
    let batch = component(&v, "batch");
    assert_eq!(batch["status"], "removed");
    assert_eq!(batch["after"], Value::Null);
    assert_eq!(batch["delta_nines"], Value::Null);
    let changes = &v["model_changes"];
    let find = |path: &str| {
        changes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == path)
            .unwrap_or_else(|| panic!("no change {path} in {changes:#}"))
            .clone()
    };
    assert_eq!(find("components.cache")["kind"], "renamed");
    assert_eq!(find("components.cache")["after"], "kv");
    assert_eq!(find("components.cron")["kind"], "added");
    assert_eq!(find("components.batch")["kind"], "removed");
    assert_eq!(find("components.api.depends_on.cache")["kind"], "removed");
    assert_eq!(find("components.api.depends_on.kv")["kind"], "added");
    assert_eq!(changes.as_array().unwrap().len(), 5, "{changes:#}");
}

#[test]
fn two_lookalikes_are_not_taken_for_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(
        &dir,
        "old.yaml",
        "components:\n  a: { availability: 99% }\n",
    );
    let new = write_model(
        &dir,
        "new.yaml",
        "components:\n  b: { availability: 99% }\n  c: { availability: 99% }\n",
    );
    let v = diff_json(&old, &new);
    assert_eq!(v["summary"]["renamed"], 0);
    assert_eq!(v["summary"]["added"], 2);
    assert_eq!(v["summary"]["removed"], 1);
}

#[test]
fn an_invalid_side_exits_2_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_model(&dir, "good.yaml", SHOP);
    let bad = write_model(
        &dir,
        "bad.yaml",
        "components:\n  db: { availability: 99.9 }\n",
    );
    for (old, new) in [(&good, &bad), (&bad, &good)] {
        let out = nines().arg("diff").arg(old).arg(new).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.yaml:2:23"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn markdown_escapes_a_hostile_name() {
    let dir = tempfile::tempdir().unwrap();
    let model = |replicas: u32| {
        format!(
            "components:\n  \"x|y`<b>_z\": {{ availability: 99%, replicas: {replicas} }}\n  web: {{ availability: 99.9%, depends_on: [\"x|y`<b>_z\"] }}\n"
        )
    };
    let old = write_model(&dir, "old.yaml", &model(1));
    let new = write_model(&dir, "new.yaml", &model(2));
    let md = stdout(&[
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--format".as_ref(),
        "markdown".as_ref(),
    ]);
    assert!(!md.contains("x|y"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    assert!(md.contains(r"x\|y\`&lt;b&gt;\_z"), "{md}");
    // Every table row has the header's number of cells.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let cells = |l: &str| l.replace(r"\|", "").matches('|').count();
    assert!(rows.len() >= 4, "{md}");
    assert!(rows.iter().all(|r| cells(r) == cells(rows[0])), "{md}");
    // JSON carries the name as it is.
    let v = diff_json(&old, &new);
    assert_eq!(component(&v, "x|y`<b>_z")["status"], "changed");
}

#[test]
fn explanations_follow_groups_fallbacks_and_parent_domains() {
    let model = |region: &str, q: &str| {
        format!(
            "
domains:
  region: {{ availability: {region} }}
  zone: {{ availability: 99.9%, parent: region }}
components:
  a: {{ availability: 99%, spread: [zone] }}
  b: {{ availability: 99% }}
  p: {{ availability: 99.5% }}
  q: {{ availability: {q} }}
  svc:
    availability: 99.9%
    depends_on:
      - {{ at_least: 1, of: [a, b] }}
      - {{ component: p, on_failure: degrade, fallback: q, timeout: 1s }}
  other: {{ availability: 99% }}
"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let old = write_model(&dir, "old.yaml", &model("99.99%", "99.9%"));
    let new = write_model(&dir, "new.yaml", &model("99.9%", "99%"));
    let v = diff_json(&old, &new);
    let (region, q) = ("domains.region.availability", "components.q.availability");
    assert_eq!(paths(&v["model_changes"]), [region, q]);
    let expect: [(&str, &[&str]); 6] = [
        ("a", &[region]),
        ("b", &[]),
        ("p", &[]),
        ("q", &[q]),
        ("svc", &[region, q]),
        ("other", &[]),
    ];
    for (name, why) in expect {
        let c = component(&v, name);
        assert_eq!(paths(&c["changes"]), why, "{name}");
        let status = if why.is_empty() {
            "unchanged"
        } else {
            "changed"
        };
        assert_eq!(c["status"], status, "{name}");
    }
}
