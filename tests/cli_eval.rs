//! `nines eval`, `check`, `downtime`: outputs and exit codes.

use crate::util::*;

const STORE: &str = "
components:
  db: { availability: 99.99% }
  web:
    availability: 99.95%
    depends_on: [db]
    slo: 99.9%
";

#[test]
fn eval_json_has_the_spec_fields() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let out = nines()
        .args(["eval", "--format", "json"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "store");
    assert_eq!(v["window_s"], 2_592_000.0);
    let web = &v["components"][1];
    assert_eq!(web["name"], "web");
    // Azure's composite SLA: 99.95% × 99.99% = 99.94%.
    assert_close!(
        web["availability"].as_f64().unwrap(),
        0.9995 * 0.9999,
        1e-12
    );
    assert_close!(
        web["unavailability"].as_f64().unwrap(),
        1.0 - 0.9995 * 0.9999,
        1e-9
    );
    assert_eq!(web["slo"], 0.999);
    assert_eq!(web["meets_slo"], true);
    assert_eq!(v["components"][0]["slo"], serde_json::Value::Null);
    for key in [
        "degraded",
        "up",
        "nines",
        "downtime_per_window_s",
        "downtime_per_year_s",
    ] {
        assert!(web[key].is_number(), "{key}");
    }
}

#[test]
fn check_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write_model(&dir, "ok.yaml", STORE);
    nines().arg("check").arg(&ok).assert().code(0);
    let missed = write_model(
        &dir,
        "missed.yaml",
        &STORE.replace("slo: 99.9%", "slo: 99.99%"),
    );
    nines().arg("check").arg(&missed).assert().code(1);
    let broken = write_model(
        &dir,
        "broken.yaml",
        &STORE.replace("depends_on: [db]", "depends_on: [dbb]"),
    );
    let out = nines().arg("check").arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:6:"), "{err}");
    assert!(err.contains("did you mean `db`?"), "{err}");
}

#[test]
fn downtime_json_matches_the_spec_example() {
    let out = nines()
        .args(["downtime", "99.95%", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_close!(v["unavailability"].as_f64().unwrap(), 0.0005, 1e-12);
    for (period, seconds) in [
        ("day", 43.2),
        ("week", 302.4),
        ("window", 1296.0),
        ("month", 1314.0),
        ("quarter", 3942.0),
        ("year", 15768.0),
    ] {
        assert_close!(v["per_s"][period].as_f64().unwrap(), seconds, 1e-9);
    }
}

#[test]
fn always_down_has_zero_nines_not_minus_zero() {
    let out = nines()
        .args(["downtime", "0", "-f", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"nines\": 0.0"), "{text}");
    let out = nines().args(["downtime", "0%"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(0.00 nines)"), "{text}");
}
