//! Every table of every command fits the width it is given: `COLUMNS` when output is piped,
//! 100 columns when nothing says, measured in display columns (not bytes), on every shipped
//! model.

use std::path::{Path, PathBuf};

use nines::model::units::format_percent;
use unicode_width::UnicodeWidthStr;

use crate::util::{nines, repo_path, write_model};

const WIDTHS: [usize; 2] = [100, 80];

/// The shipped models, by path.
fn models() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_path("models"))
        .expect("the models folder")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| ["yaml", "yml", "toml", "json"].contains(&e.to_str().unwrap()))
        })
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "{paths:?}");
    paths
}

/// The standard output of `nines ARGS` at `COLUMNS=width`; the command must succeed, and no
/// line may be wider than the width.
fn fitted(width: usize, args: &[&str]) -> String {
    let out = nines()
        .env("COLUMNS", width.to_string())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when piped: {args:?}");
    for line in text.lines() {
        assert!(
            line.width() <= width,
            "{args:?} at {width} columns prints a line {} wide:\n{line}\n\n{text}",
            line.width()
        );
    }
    text
}

/// Every component of a model, with its slo when it has one.
fn components(model: &Path) -> Vec<(String, Option<f64>, f64, f64)> {
    let out = nines()
        .args(["eval", "--format", "json"])
        .arg(model)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["slo"].as_f64(),
                c["availability"].as_f64().unwrap(),
                c["unavailability"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_table_of_every_model_fits() {
    for model in models() {
        let m = model.to_str().unwrap();
        let comps = components(&model);
        let (first, _, _, _) = &comps[0];
        // The component tradeoff looks at by default, or the last when none has an slo.
        let target = comps
            .iter()
            .rev()
            .find(|c| c.1.is_some())
            .unwrap_or(comps.last().unwrap());
        // The rule of thumb extrapolates from today's cost: only models with one have a curve.
        let out = nines()
            .args(["tradeoff", m, "--format", "json", "--component", &target.0])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let costs = v["sweet_spot"]["cost"].as_f64().unwrap() > 0.0;
        for width in WIDTHS {
            fitted(width, &["eval", m]);
            fitted(width, &["check", m]);
            fitted(width, &["lint", m]);
            fitted(width, &["sample", m, "--samples", "4000"]);
            fitted(width, &["simulate", m, "--runs", "4"]);
            fitted(width, &["whatif", m, "--fail", first]);
            fitted(width, &["chaos", m, "--pairs"]);
            fitted(width, &["tradeoff", m, "--component", &target.0, "--all"]);
            if costs {
                fitted(
                    width,
                    &["tradeoff", m, "--component", &target.0, "--rule", "10x"],
                );
            }
            for (name, slo, _, _) in &comps {
                fitted(width, &["explain", m, name]);
                match slo {
                    Some(_) => fitted(width, &["budget", m, name, "--outages", "4"]),
                    None => fitted(width, &["budget", m, name, "--slo", "99.9%"]),
                };
            }
        }
    }
}

#[test]
fn downtime_and_fault_trees_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "cooling-water-supply-to-the-reactor-building-fails-on-demand";
    let xml = write_model(
        &tmp,
        "tree.xml",
        &format!(
            r#"<opsa-mef>
  <define-fault-tree name="a tree whose name alone is longer than any terminal one would use for it, to be wrapped">
    <define-gate name="top"><or><gate name="{long}"/><basic-event name="c"/></or></define-gate>
    <define-gate name="{long}"><and><basic-event name="a"/><basic-event name="b"/></and></define-gate>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
    <define-basic-event name="b"><float value="0.2"/></define-basic-event>
    <define-basic-event name="c"><float value="0.3"/></define-basic-event>
  </define-fault-tree>
</opsa-mef>"#
        ),
    );
    for width in WIDTHS {
        for a in ["99.95%", "0.9", "99.9999999%"] {
            fitted(width, &["downtime", a, "--window", "28d"]);
        }
        let text = fitted(width, &["fault-tree", "--all", xml.to_str().unwrap()]);
        // 0.1 × 0.2, and 0.02 + 0.3 − 0.02 × 0.3.
        assert!(
            text.contains("2.000000e-2") && text.contains("3.140000e-1"),
            "{text}"
        );
    }
}

/// Narrow tables keep every row whole: each component's name and availability on one line.
#[test]
fn narrow_tables_keep_names_and_numbers_whole() {
    for model in models() {
        let m = model.to_str().unwrap();
        for width in WIDTHS {
            let text = fitted(width, &["eval", m]);
            for (name, _, a, u) in components(&model) {
                let percent = format_percent(a, u);
                assert!(
                    text.lines()
                        .any(|l| l.contains(&format!("│ {name} ")) && l.contains(&percent)),
                    "{m} at {width}: {name} {percent} not on one line:\n{text}"
                );
            }
        }
    }
}

/// What does not fit moves under the table or is named as left out, never silently lost.
#[test]
fn spare_columns_move_under_the_table_or_are_named() {
    let m = repo_path("models/online-store.yaml");
    let m = m.to_str().unwrap();
    let wide = fitted(400, &["simulate", m, "--runs", "4"]);
    assert_eq!(wide.matches('┌').count(), 1, "{wide}");
    let narrow = fitted(80, &["simulate", m, "--runs", "4"]);
    assert!(narrow.matches('┌').count() >= 2, "{narrow}");
    for header in [
        "availability",
        "P(window",
        "outages",
        "p95",
        "exact",
        "degraded",
    ] {
        assert!(narrow.contains(header), "{header}:\n{narrow}");
    }
    // The key numbers stay in the first table.
    let first = narrow.split('└').next().unwrap();
    assert!(
        first.contains("availability") && first.contains("P(window"),
        "{first}"
    );

    let shop = repo_path("models/shop-variants.yaml");
    let narrow = fitted(80, &["tradeoff", shop.to_str().unwrap()]);
    assert!(
        narrow.contains("left out at 80 columns: nines, down / 30d"),
        "{narrow}"
    );
    assert!(
        narrow.contains("★ sweet") && narrow.contains("total /"),
        "{narrow}"
    );
    let wide = fitted(400, &["tradeoff", shop.to_str().unwrap()]);
    assert!(!wide.contains("left out"), "{wide}");
}

/// Piped without `COLUMNS` (or with nonsense in it), tables fit 100 columns, not the content.
#[test]
fn without_columns_the_width_is_100() {
    let m = repo_path("models/online-store.yaml");
    let run = |columns: Option<&str>| {
        let mut cmd = nines();
        cmd.env_remove("COLUMNS");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd
            .args(["simulate", "--runs", "4"])
            .arg(&m)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let unset = run(None);
    assert_eq!(
        unset,
        fitted(100, &["simulate", m.to_str().unwrap(), "--runs", "4"])
    );
    assert_eq!(unset, run(Some("wide")));
    assert_eq!(unset, run(Some("0")));
    assert!(unset.lines().map(str::width).max().unwrap() <= 100);
}
