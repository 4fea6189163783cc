//! Groups (the `group` key, from a catalog's systems) in eval's table and Markdown and in the
//! report: every component listed once, under its group, each group's line naming its least
//! available component and how many of its slos are met, all against closed forms.

use std::path::Path;

use nines::model::units::format_percent;
use nines::model::{Format, Model};
use nines::report::review::{Review, ReviewOptions};
use unicode_width::UnicodeWidthStr;

use crate::util::*;

/// Two groups, in the order they first appear (`shop` before `billing`), and one component in
/// none. Independent components but one: web depends on db.
const GROUPED: &str = "name: grouped
components:
  web:
    availability: 99.95%
    depends_on: [db]
    slo: 99.9%
    group: shop
  ledger:
    availability: 99.99%
    group: billing
  db:
    availability: 99.9%
    slo: 99.99%
    group: shop
  cache:
    availability: 99%
    group: shop
  dns:
    availability: 99.999%
";

/// Availability and unavailability, as the closed forms give them.
fn closed_forms() -> Vec<(&'static str, f64, f64)> {
    let web_up = 0.9995 * 0.999;
    vec![
        ("web", web_up, 1.0 - web_up),
        ("ledger", 0.9999, 1e-4),
        ("db", 0.999, 1e-3),
        ("cache", 0.99, 1e-2),
        ("dns", 0.99999, 1e-5),
    ]
}

fn percent_of(name: &str) -> String {
    let (_, a, q) = closed_forms().into_iter().find(|c| c.0 == name).unwrap();
    format_percent(a, q)
}

/// What a successful `nines` run printed.
fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn eval(dir: &CliTest, format: &str) -> String {
    stdout(
        dir.nines()
            .args(["eval", "grouped.yaml", "--format", format]),
    )
}

/// Where each of `parts` starts in `text`, each found after the one before it.
fn in_order(text: &str, parts: &[String]) -> Vec<usize> {
    let mut at = 0;
    (parts.iter())
        .map(|p| {
            let found = text[at..].find(p.as_str()).unwrap_or_else(|| {
                panic!(
                    "`{p}` after byte {at}:
{text}"
                )
            });
            at += found + p.len();
            at - p.len()
        })
        .collect()
}

/// Each group's heading in Markdown, its line, and its table's start.
fn markdown_headings() -> Vec<String> {
    (lines().iter())
        .map(|(group, line)| format!("### {group}\n\n{line}\n\n| component |"))
        .collect()
}

/// The expected line of each group. In shop, cache (99%) is the least available, and both slos
/// are missed: web's 99.95% × 99.9% = 99.85% is under 99.9%, db's 99.9% under 99.99%.
fn lines() -> Vec<(&'static str, String)> {
    let (_, web, web_q) = closed_forms()[0];
    assert!(web_q > 1e-3 && web < 0.999, "web misses its slo of 99.9%");
    vec![
        (
            "shop",
            format!(
                "3 components · least available cache {} · slo met by 0 of 2",
                percent_of("cache")
            ),
        ),
        (
            "billing",
            format!("1 component · ledger {} · no slo", percent_of("ledger")),
        ),
        (
            "(no group)",
            format!("1 component · dns {} · no slo", percent_of("dns")),
        ),
    ]
}

#[test]
fn the_table_lists_each_component_once_under_its_group() {
    let dir = CliTest::new();
    dir.write("grouped.yaml", GROUPED);
    let text = eval(&dir, "table");
    let headings: Vec<String> = (lines().iter())
        .map(|(group, line)| format!("▸ {group}: {line}\n"))
        .collect();
    let mut sections = in_order(&text, &headings);
    sections.push(text.len());
    let members = [vec!["web", "db", "cache"], vec!["ledger"], vec!["dns"]];
    for (k, names) in members.iter().enumerate() {
        let section = &text[sections[k]..sections[k + 1]];
        for name in names {
            let row = format!("│ {name} ");
            assert_eq!(section.matches(&row).count(), 1, "{name} in:\n{section}");
            assert_eq!(text.matches(&row).count(), 1, "{name} once:\n{text}");
            let percent = percent_of(name);
            let line = section.lines().find(|l| l.contains(&row)).unwrap();
            assert!(line.contains(&percent), "{name} at {percent}:\n{line}");
        }
    }
    // Still within the screen, at 100 columns and narrower.
    for width in [100, 80, 60] {
        let text = stdout(
            dir.nines()
                .env("COLUMNS", width.to_string())
                .args(["eval", "grouped.yaml"]),
        );
        for line in text.lines() {
            assert!(line.width() <= width, "{width}:\n{text}");
        }
    }
}

#[test]
fn markdown_gives_each_group_a_heading_and_its_line() {
    let dir = CliTest::new();
    dir.write("grouped.yaml", GROUPED);
    in_order(&eval(&dir, "markdown"), &markdown_headings());
    // The JSON keeps the model's order and names each component's group.
    let json: serde_json::Value = serde_json::from_str(&eval(&dir, "json")).unwrap();
    let groups: Vec<(String, Option<String>)> = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["group"].as_str().map(str::to_string),
            )
        })
        .collect();
    let want = [
        ("web", Some("shop")),
        ("ledger", Some("billing")),
        ("db", Some("shop")),
        ("cache", Some("shop")),
        ("dns", None),
    ];
    assert_eq!(
        groups,
        want.map(|(n, g)| (n.to_string(), g.map(str::to_string)))
    );
}

fn review(yaml: &str) -> Review {
    let model = Model::parse(Path::new("m.yaml"), yaml.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}"));
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    let options = ReviewOptions {
        tradeoff: false,
        ..ReviewOptions::default()
    };
    Review::build(&model, &system, options).unwrap()
}

#[test]
fn the_report_lists_components_under_their_groups() {
    let r = review(GROUPED);
    let md = r.markdown();
    let components =
        &md[md.find("## Components").unwrap()..md.find("## Dependency graph").unwrap()];
    in_order(components, &markdown_headings());
    let html = r.html();
    let table = &html[html.find("<table class=\"components\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let heads: Vec<String> = (lines().into_iter().zip(["web", "ledger", "dns"]))
        .map(|((group, line), first)| {
            format!(
                "{group} <span class=\"muted\">· {line}</span></th></tr>\n<tr><td class=\"name\">{first}</td>"
            )
        })
        .collect();
    in_order(table, &heads);
    assert_eq!(table.matches("<tr><td class=\"name\">").count(), 5);
}

#[test]
fn a_model_without_groups_shows_no_group_lines() {
    // The same model with the group keys taken out: the sections go, the rows stay.
    let plain: String = GROUPED
        .lines()
        .filter(|l| !l.trim_start().starts_with("group:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = CliTest::new();
    dir.write("grouped.yaml", &plain);
    let text = eval(&dir, "table");
    assert!(!text.contains('▸'), "{text}");
    assert_eq!(text.matches("┌").count(), 1, "one table:\n{text}");
    let md = eval(&dir, "markdown");
    assert!(!md.contains("###"), "{md}");
    let r = review(&plain);
    assert!(!r.markdown().contains("slo met by"));
    assert!(!r.html().contains("colspan=\"7\""));
}

/// The shipped catalog's model with its overlay, as eval and report show it: its two systems,
/// for review when the output changes.
#[test]
fn the_shipped_catalog_snapshot() {
    let scratch = tempfile::tempdir().unwrap();
    let model = "models/backstage/shop.yaml";
    let overlay = "models/backstage/reliability.yaml";
    let mut text = String::new();
    for format in ["table", "markdown"] {
        text += &format!("$ nines eval {model} --overlay {overlay} --format {format}\n");
        text += &stdout(nines().current_dir(repo_path("")).args([
            "eval",
            model,
            "--overlay",
            overlay,
            "--format",
            format,
        ]));
        text += "\n";
    }
    let dir = scratch.path().join("review");
    stdout(
        nines()
            .current_dir(repo_path(""))
            .args(["report", model, "--overlay", overlay, "-o"])
            .arg(&dir),
    );
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let components =
        &md[md.find("## Components").unwrap()..md.find("## Dependency graph").unwrap()];
    text += &format!(
        "$ nines report {model} --overlay {overlay} -o review\n--- report.md, its components\n{components}"
    );
    insta::assert_snapshot!("groups-shop", text);
}
