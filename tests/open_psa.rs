//! `nines import open-psa`: SCRAM's reference models and the Aralia fault trees, read from
//! `../shared/bench/open-psa/` beside the clone (skipped, saying so, where it is absent; under
//! CI, where it is laid out, its absence fails).

use std::path::{Path, PathBuf};

use nines::import::open_psa::{self, Options};

use crate::util::*;

fn bench_dir(test: &str) -> Option<PathBuf> {
    let dir = repo_path("../shared/bench/open-psa");
    if dir.join("reference-cases.json").is_file() {
        Some(dir)
    } else {
        skip(test, &format!("needs {}", dir.display()));
        None
    }
}

/// A reference-case path as the JSON gives it (`input/...` or `tests/input/core/...`).
fn case_file(dir: &Path, listed: &str) -> PathBuf {
    let rest = listed
        .strip_prefix("tests/input/")
        .or_else(|| listed.strip_prefix("input/"))
        .unwrap_or(listed);
    dir.join(rest)
}

/// The top event's probability through the library: import, validate, evaluate.
fn top_probability(files: &[PathBuf]) -> Result<f64, String> {
    let tree = open_psa::read_files(files, &Options::default()).map_err(|e| e.to_string())?;
    let spec = tree.to_model().map_err(|e| e.to_string())?;
    let system = nines::model::validate::validate(&spec, "model").map_err(|e| e.message)?;
    let states = nines::exact::evaluate_system(&system).map_err(|e| e.to_string())?;
    let [top] = tree.top_names()[..] else {
        return Err(format!("expected one top gate, got {:?}", tree.top_names()));
    };
    Ok(unavailability(&system, &states, top))
}

/// The top gate's probability as `nines fault-tree` computes it: the tree lowered to a circuit
/// (NOT, NAND, NOR, XOR kept) and solved by modules.
fn fault_tree_probability(files: &[PathBuf]) -> Result<f64, String> {
    let tree = open_psa::read_files(files, &Options::default()).map_err(|e| e.to_string())?;
    let (circuit, gate) = tree.lower();
    let [top] = tree.tops[..] else {
        return Err(format!("expected one top gate, got {:?}", tree.top_names()));
    };
    let odds = nines::exact::with_deep_stack(|| {
        nines::exact::modular::probabilities(&circuit, &[gate[top]], &[])
    })
    .map_err(|e| e.to_string())?;
    Ok(odds[0].p)
}

/// `value` agrees with `given` to the significant digits `given` is written with.
fn agrees_to_digits(value: f64, given: f64) -> bool {
    let text = format!("{given:e}");
    let (mantissa, exp) = text.split_once('e').unwrap();
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let half_unit = 0.5 * 10f64.powi(exp.parse::<i32>().unwrap() - decimals);
    (value - given).abs() <= half_unit * (1.0 + 1e-9)
}

/// Constructs nines maps; the others must be refused (below).
fn supported(name: &str) -> bool {
    !matches!(
        name,
        "cea9601_l4" | "core_ab_or_not_ac" | "ccf_phi_factor" | "ccf_mgl" | "ccf_alpha_factor"
    )
}

#[test]
fn scram_reference_cases_reproduce_scram() {
    let Some(dir) = bench_dir("scram_reference_cases_reproduce_scram") else {
        return;
    };
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference-cases.json")).unwrap())
            .unwrap();
    let (mut checked, mut non_coherent) = (0, 0);
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        if name.starts_with("ccf_") && !supported(name) {
            continue;
        }
        let files: Vec<PathBuf> = case["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| case_file(&dir, f.as_str().unwrap()))
            .collect();
        // Both ways agree: the imported model evaluated, and the tree solved directly.
        let p = fault_tree_probability(&files).unwrap_or_else(|e| panic!("{name}: {e}"));
        if supported(name) {
            let model = top_probability(&files).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                (model - p).abs() <= 1e-12 * p,
                "{name}: model {model:e}, fault tree {p:e}"
            );
        } else {
            non_coherent += 1;
        }
        let scram = case["scram_0.16.2_P"].as_f64().unwrap();
        assert!(
            agrees_to_digits(p, scram),
            "{name}: nines {p:e}, SCRAM 0.16.2 {scram:e}"
        );
        // SCRAM's own tests assert these to 1e-5, absolute or relative.
        if let Some(asserted) = case["expected_exact_P"].as_f64() {
            let off = (p - asserted).abs();
            assert!(
                off <= 1e-5 || off <= 1e-5 * asserted,
                "{name}: nines {p:e}, asserted {asserted:e}"
            );
        }
        checked += 1;
    }
    assert_eq!(
        checked, 18,
        "every case without MGL, alpha or phi factors is checked"
    );
    assert_eq!(
        non_coherent, 2,
        "the cases with NOT gates are solved by `fault-tree`"
    );
}

#[test]
fn unsupported_constructs_are_refused_with_their_line() {
    let Some(dir) = bench_dir("unsupported_constructs_are_refused_with_their_line") else {
        return;
    };
    for (file, construct, line) in [
        ("core/ab_or_not_ac.xml", "<not>", ":18:"),
        ("core/mgl_ccf.xml", "`MGL` model", ":34:"),
        ("core/alpha_factor_ccf.xml", "`alpha-factor` model", ":34:"),
        ("core/phi_factor_ccf.xml", "`phi-factor` model", ":34:"),
    ] {
        let out = nines()
            .args(["import", "open-psa"])
            .arg(dir.join(file))
            .arg("-o")
            .arg(std::env::temp_dir().join("nines-refused.yaml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(construct), "{file}: {err}");
        assert!(err.contains(&format!("{file}{line}")), "{file}: {err}");
    }
}

/// Aralia trees whose diagrams are small enough for a debug build in CI.
const FAST_ARALIA: &[&str] = &[
    "chinese", "baobab1", "baobab2", "das9201", "das9202", "das9203", "das9204", "das9205",
    "das9208", "das9209", "edf9205", "edfpa15r", "isp9601", "isp9602", "isp9603", "isp9604",
    "isp9605", "isp9606", "isp9607", "ftr10", "das9601",
];

fn aralia_reference(dir: &Path) -> Vec<(String, Option<f64>)> {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("aralia-scram-0.16.2.json")).unwrap(),
    )
    .unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["P_top_exact_scram0162"].as_f64(),
            )
        })
        .collect()
}

fn has_not_gates(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    ["<not>", "<xor>", "<nand>", "<nor>"]
        .iter()
        .any(|t| text.contains(t))
}

fn check_aralia(dir: &Path, only: Option<&[&str]>) -> usize {
    let mut checked = 0;
    for (name, reference) in aralia_reference(dir) {
        if only.is_some_and(|names| !names.contains(&name.as_str())) {
            continue;
        }
        let file = dir.join("Aralia").join(format!("{name}.xml"));
        let Some(reference) = reference else { continue };
        let direct = fault_tree_probability(std::slice::from_ref(&file))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_close!(direct, reference, 1e-5);
        if !has_not_gates(&file) {
            let p = top_probability(&[file]).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_close!(p, reference, 1e-5);
        }
        checked += 1;
    }
    checked
}

#[test]
fn aralia_trees_reproduce_scram_exactly() {
    let Some(dir) = bench_dir("aralia_trees_reproduce_scram_exactly") else {
        return;
    };
    assert_eq!(check_aralia(&dir, Some(FAST_ARALIA)), FAST_ARALIA.len());
}

/// Every Aralia tree with a reference value (all but nus9601), both ways where the model can
/// express the tree: run with `cargo test --release --test tests open_psa::every_aralia -- --ignored`.
#[test]
#[ignore = "minutes in a debug build; run in release"]
fn every_aralia_tree() {
    let Some(dir) = bench_dir("every_aralia_tree") else {
        return;
    };
    assert_eq!(check_aralia(&dir, None), 42);
}

#[test]
fn imported_models_round_trip_in_every_format() {
    let Some(dir) = bench_dir("imported_models_round_trip_in_every_format") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // Gates in one file, probabilities in another.
    let inputs = [
        dir.join("Baobab/baobab2.xml"),
        dir.join("Baobab/baobab2-basic-events.xml"),
    ];
    let expected = top_probability(&inputs).unwrap();
    for ext in ["yaml", "json", "toml"] {
        let model = tmp.path().join(format!("baobab2.{ext}"));
        nines()
            .args(["import", "open-psa"])
            .args(&inputs)
            .arg("-o")
            .arg(&model)
            .assert()
            .code(0);
        let out = nines()
            .args(["eval", "--format", "json"])
            .arg(&model)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{ext}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let top = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "r1")
            .unwrap();
        // The file carries exact percents: the same probability (to serde_json's reading of
        // the printed digits, which may be one ulp off).
        assert_close!(top["unavailability"].as_f64().unwrap(), expected, 1e-15);
    }
}

#[test]
fn a_shared_gate_is_one_component() {
    let tmp = tempfile::tempdir().unwrap();
    let xml = write_model(
        &tmp,
        "shared.xml",
        r#"<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="shared">
    <define-gate name="top"><or><gate name="left"/><gate name="right"/></or></define-gate>
    <define-gate name="left"><and><gate name="common"/><basic-event name="a"/></and></define-gate>
    <define-gate name="right"><and><gate name="common"/><basic-event name="b"/></and></define-gate>
    <define-gate name="common"><atleast min="2"><basic-event name="u"/><basic-event name="v"/><basic-event name="w"/></atleast></define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
    <define-basic-event name="b"><float value="0.2"/></define-basic-event>
    <define-basic-event name="u"><float value="0.3"/></define-basic-event>
    <define-basic-event name="v"><float value="0.3"/></define-basic-event>
    <define-basic-event name="w"><float value="0.3"/></define-basic-event>
  </model-data>
</opsa-mef>
"#,
    );
    let out = tmp.path().join("shared.yaml");
    nines()
        .args(["import", "open-psa"])
        .arg(&xml)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("\n  common:").count(), 1, "{text}");
    assert!(text.contains("{ at_least: 2, of: [u, v, w] }"), "{text}");
    // Closed form: common = 2-of-3 at 0.3; top = common AND (a OR b).
    let common = 3.0 * 0.3 * 0.3 * 0.7 + 0.3f64.powi(3);
    let expected = common * (1.0 - 0.9 * 0.8);
    let p = top_probability(&[xml]).unwrap();
    assert_close!(p, expected, 1e-14);
}

#[test]
fn beta_factor_groups_are_domains() {
    let Some(dir) = bench_dir("beta_factor_groups_are_domains") else {
        return;
    };
    let file = dir.join("core/beta_factor_ccf.xml");
    let tree = open_psa::read_files(std::slice::from_ref(&file), &Options::default()).unwrap();
    let spec = tree.to_model().unwrap();
    assert_eq!(spec.domains.len(), 2);
    let pump = &spec.components["PumpOne"];
    assert_eq!(pump.spread.as_deref(), Some(&["Pumps".to_string()][..]));
    // Q = 0.1, beta = 0.2: independent part 0.08 on the replica, common part 0.02 on the domain.
    assert_close!(pump.availability.unwrap().down.p, 0.08, 1e-15);
    assert_close!(
        spec.domains["Pumps"].availability.unwrap().down.p,
        0.02,
        1e-15
    );
    // A member fails when its own part or the common one happens: 1 - 0.92 × 0.98, as SCRAM
    // has it; a train fails when its valve or its pump does.
    let system = nines::model::validate::validate(&spec, "ccf").unwrap();
    let states = nines::exact::evaluate_system(&system).unwrap();
    let member: f64 = 1.0 - 0.92 * 0.98;
    let train = unavailability(&system, &states, "TrainOne");
    assert_close!(train, 1.0 - (1.0 - member).powi(2), 1e-14);
}

/// `nines import open-psa bad.xml`'s error, with its exit code checked.
fn import_error(xml: &str) -> String {
    let cli = CliTest::new();
    cli.write("bad.xml", xml);
    let out = cli
        .nines()
        .args(["import", "open-psa", "bad.xml", "-o", "bad.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{xml}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Each bad input beside its whole error: the line and column, the snippet, the hint.
#[test]
fn bad_input_is_located() {
    let inputs = [
        "<opsa-mef>\n<define-fault-tree name=\"t\">\n</opsa-mef>\n",
        "<opsa-mef>\n  <define-fault-tree name=\"t\">\n    <define-gat name=\"g\"/>\n  </define-fault-tree>\n</opsa-mef>\n",
        "<opsa-mef><define-fault-tree name=\"t\">\n<define-gate name=\"g\"><or><basic-event name=\"aa\"/><basic-event name=\"b\"/></or></define-gate>\n<define-basic-event name=\"a\"><float value=\"0.1\"/></define-basic-event>\n</define-fault-tree></opsa-mef>",
        "<opsa-mef><define-fault-tree name=\"t\">\n<define-gate name=\"g\"><or><gate name=\"h\"/><basic-event name=\"a\"/></or></define-gate>\n<define-gate name=\"h\"><and><gate name=\"g\"/><basic-event name=\"a\"/></and></define-gate>\n<define-basic-event name=\"a\"><float value=\"0.1\"/></define-basic-event>\n</define-fault-tree></opsa-mef>",
        "<opsa-mef><define-fault-tree name=\"t\">\n<define-gate name=\"g\"><or><basic-event name=\"a\"/><basic-event name=\"b\"/></or></define-gate>\n<define-basic-event name=\"a\"><float value=\"1.5\"/></define-basic-event>\n<define-basic-event name=\"b\"><float value=\"0.1\"/></define-basic-event>\n</define-fault-tree></opsa-mef>",
        "<model>\n</model>\n",
        "<opsa-mef><define-fault-tree name=\"t\">\n<define-gate name=\"g\"><xor><basic-event name=\"a\"/><basic-event name=\"b\"/></xor></define-gate>\n<define-basic-event name=\"a\"><float value=\"0.1\"/></define-basic-event>\n<define-basic-event name=\"b\"><float value=\"0.1\"/></define-basic-event>\n</define-fault-tree></opsa-mef>",
        // Events alone (data for gates in another file) are no tree; found by fuzzing.
        "<opsa-mef>\n<model-data><define-basic-event name=\"a\"><float value=\"0.1\"/></define-basic-event></model-data>\n</opsa-mef>",
        // A name that would act on the terminal (found by fuzzing: the model it made was invalid).
        "<opsa-mef><define-fault-tree name=\"t\">\n<define-gate name=\"g&#27;[2J\"><or><basic-event name=\"a\"/><basic-event name=\"b\"/></or></define-gate>\n</define-fault-tree></opsa-mef>",
    ];
    let mut text = String::new();
    for xml in inputs {
        text += &format!("--- bad.xml\n{xml}\n--- error\n{}\n", import_error(xml));
    }
    insta::assert_snapshot!("open-psa-errors", text);
}

#[test]
fn house_events_and_nested_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let xml = write_model(
        &tmp,
        "house.xml",
        r#"<opsa-mef>
  <define-fault-tree name="h">
    <define-gate name="top">
      <or>
        <and><house-event name="on"/><basic-event name="a"/></and>
        <and><house-event name="off"/><basic-event name="b"/></and>
      </or>
    </define-gate>
    <define-house-event name="on"><constant value="true"/></define-house-event>
    <define-house-event name="off"><constant value="false"/></define-house-event>
    <define-basic-event name="a"><float value="0.25"/></define-basic-event>
    <define-basic-event name="b"><float value="0.5"/></define-basic-event>
  </define-fault-tree>
</opsa-mef>"#,
    );
    assert_close!(top_probability(&[xml]).unwrap(), 0.25, 1e-15);
}

#[test]
fn fault_tree_solves_non_coherent_logic() {
    let tmp = tempfile::tempdir().unwrap();
    let xml = write_model(
        &tmp,
        "nc.xml",
        r#"<opsa-mef>
  <define-fault-tree name="nc">
    <define-gate name="top"><and><basic-event name="a"/><not><gate name="b"/></not></and></define-gate>
    <define-gate name="b"><xor><basic-event name="c"/><basic-event name="d"/></xor></define-gate>
    <define-gate name="n"><nor><basic-event name="a"/><basic-event name="c"/></nor></define-gate>
    <define-basic-event name="a"><float value="0.5"/></define-basic-event>
    <define-basic-event name="c"><float value="0.1"/></define-basic-event>
    <define-basic-event name="d"><float value="0.2"/></define-basic-event>
  </define-fault-tree>
</opsa-mef>"#,
    );
    let out = nines()
        .args(["fault-tree", "--format", "json"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gates = json["gates"].as_array().unwrap();
    let p = |name: &str| {
        gates
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {json}"))["probability"]
            .as_f64()
            .unwrap()
    };
    // b = c xor d: 0.1·0.8 + 0.9·0.2 = 0.26; top = a and not b = 0.5·0.74; n = 0.5·0.9.
    assert_close!(p("top"), 0.37, 1e-14);
    assert_close!(p("n"), 0.45, 1e-14);
    assert_eq!(gates.len(), 2, "the top gates only: {json}");

    let out = nines()
        .args(["fault-tree", "-g", "b"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2.600000e-1"));

    let out = nines()
        .args(["fault-tree", "-g", "topp"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `top`?"));

    // The model import still refuses what a model cannot express, and says where to go.
    let out = nines()
        .args(["import", "open-psa"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nines fault-tree"));
}
