//! `nines report`: the Markdown snapshot, the HTML page (structure, escaping, nothing
//! fetched), the simulation section, atomic writes, and the page rendered in headless
//! Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nines::model::{Format, Model};
use nines::report::review::{
    HistogramBin, Percentiles, Review, ReviewOptions, SimulatedComponent, SimulationSummary,
};

use crate::util::*;

const TINY: &str = "name: tiny
components:
  db:
    availability: 99.99%
  web:
    availability: 99.95%
    depends_on: [db]
    slo: 99.9%
";

fn review(yaml: &str, file: &str, simulation: Option<SimulationSummary>) -> Review {
    let model = Model::parse(Path::new(file), yaml.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}"));
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    Review::build(
        &model,
        &system,
        ReviewOptions {
            file: file.to_string(),
            simulation,
            ..ReviewOptions::default()
        },
    )
    .unwrap()
}

const TINY_MARKDOWN: &str = r#"# tiny: availability review

**✅ web meets 99.9% on average**

Model tiny.yaml · SLO window 30d · exact evaluation · nines VERSION

## SLO verdicts

| component | slo | availability | nines | margin | down / 30d | budget / 30d | down / year | verdict |
|---|---:|---:|---:|---:|---:|---:|---:|---|
| web | 99.9% | 99.94% | 3.22 | +0.22 | 25.9min | 43.2min | 5.26h | ✅ met |

Margin is the nines above the slo: log10(1 − slo) − log10(unavailability).

## Components

| component | availability | nines | degraded | down / 30d | down / year | slo |
|---|---:|---:|---:|---:|---:|---|
| db | 99.99% | 4.00 | — | 4.32min | 52.6min |  |
| web | 99.94% | 3.22 | — | 25.9min | 5.26h | 99.9% ✅ |

*Degraded* is the share of time a component runs on a fail-open path or a fallback: up, but not fully.

## Dependency graph

```mermaid
flowchart TD
  c0["db"]
  c1["web · slo 99.9%"]
  c1 --> c0
```

An arrow points from a component to what it calls. Solid: a hard dependency; dotted: `degrade`, `ignore` or a fallback. A slanted box is an external (third-party) component.

## Top risks

### web: 5.26h down a year

**Single points of failure** (one event takes it down): web, db

| contributor | kind | own unavailability | Birnbaum | Fussell–Vesely | one more nine saves / year |
|---|---|---:|---:|---:|---:|
| web | component | 5.000e-4 | 0.9999 | 83% | 3.94h |
| db | component | 1.000e-4 | 0.9995 | 17% | 47.3min |

Most probable ways down (minimal cut sets):

1. web — probability 5.000e-4 (≈ 83% of the downtime)
2. db — probability 1.000e-4 (≈ 17% of the downtime)

## Design-review findings

| | rule | line | finding | fix |
|---|---|---:|---|---|
| ⚠️ warning | N004 single-point-of-failure | 3 | `db` is a single point of failure of `web`: it runs one replica, and one failure of it takes it down | run a spare replica (`replicas` above `min_available`) spread over domains, or call it with `on_failure: degrade` and a fallback |
| ⚠️ warning | N004 single-point-of-failure | 5 | `web` (slo 99.9%) is its own single point of failure: it runs one replica, so one failure takes it down | run a spare replica (`replicas` above `min_available`) spread over domains, or call it with `on_failure: degrade` and a fallback |

## Cost versus nines

- the model has no `variants`, so there is no design to compare; add variants to draw cost against nines (`nines tradeoff --rule 10x` extrapolates without them)

## Assumptions

- Exact evaluation: every availability is computed analytically from binary decision diagrams over the model&#39;s basic events (no sampling, no error bars); shared dependencies and domains are counted once, not multiplied along each path.
- Independence: every replica, every domain, every non-rolling maintenance and every failover is an independent event; the turns of a rolling maintenance exclude each other (one replica at a time). Correlation comes only from what the model declares: shared domains (a replica is down when its domain or any ancestor is) and shared dependencies.
- Steady state: availabilities are long-run averages, so they depend only on mean times to failure and repair; the shape of the distributions matters only to the timeline simulation.
- Downtime per window is unavailability × the 30d SLO window; per year, × 365 days. A component is DOWN when it lacks replicas or a hard dependency is down; DEGRADED when it runs on a fail-open path (`degrade`) or a fallback.
- Calls fail fast unless the model says a component can `hang`: a `degrade` or `ignore` dependency counts as failing open the moment its target is down, except when its target hangs and the call has no `timeout` (shorter than the `deadline` of the caller) or `breaker` — then the hang climbs to the caller (lint N003 gives what a timeout would save).
- Maintenance: no component declares planned maintenance.
- The model declares no failure domains: replicas are assumed never to fail together.
"#;

#[test]
fn markdown_snapshot() {
    let md = review(TINY, "tiny.yaml", None).markdown();
    let expected = TINY_MARKDOWN.replace("VERSION", env!("CARGO_PKG_VERSION"));
    if md != expected {
        for (i, (a, b)) in md.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "line {} differs", i + 1);
        }
        assert_eq!(md.lines().count(), expected.lines().count());
        panic!("the snapshot differs in line endings");
    }
}

/// Every `<tag` in the page, with how often.
fn tags(html: &str) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for part in html.split('<').skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '!' || *c == '/')
            .collect();
        *out.entry(name.to_ascii_lowercase()).or_insert(0) += 1;
    }
    out
}

#[test]
fn html_is_self_contained() {
    let html = review(TINY, "tiny.yaml", None).html();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    let t = tags(&html);
    for forbidden in ["script", "link", "img", "iframe", "object", "embed", "base"] {
        assert!(!t.contains_key(forbidden), "<{forbidden}> in the page");
    }
    // The only URL is the SVG namespace: nothing to fetch.
    let mut rest = html.as_str();
    while let Some(i) = rest.find("http") {
        assert!(
            rest[i..].starts_with("http://www.w3.org/2000/svg\""),
            "{}",
            &rest[i..(i + 60).min(rest.len())]
        );
        rest = &rest[i + 4..];
    }
    assert!(!html.contains("url(http") && !html.contains("@import"));
    // The budget chart, the nines chart, the graph and the legend's four edge samples.
    assert_eq!(t["svg"], 7, "{t:?}");
    assert_eq!(t["svg"], t["/svg"]);
    assert_eq!(t["section"], t["/section"]);
    for id in [
        "slos",
        "components",
        "graph",
        "risks",
        "findings",
        "cost",
        "assumptions",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(!html.contains("id=\"simulation\""), "no simulation given");
    assert!(html.contains("data-verdict=\"met\""));
    assert!(html.contains("@media print"));
}

#[test]
fn html_verdicts_follow_the_slos() {
    let yaml = TINY.replace("slo: 99.9%", "slo: 99.95%");
    let html = review(&yaml, "tiny.yaml", None).html();
    assert!(html.contains("<div class=\"banner fail\" data-verdict=\"fail\">"));
    assert!(html.contains("The SLO is missed"));
    assert!(html.contains("data-verdict=\"missed\""));
    assert!(!html.contains("data-verdict=\"met\""));
    // The graph draws web red and db plain.
    assert!(html.contains("<g class=\"node slo-missed\"><title>web — 99.94%</title>"));
    assert!(html.contains("<g class=\"node\"><title>db — 99.99%</title>"));
    let md = review(&yaml, "tiny.yaml", None).markdown();
    assert!(md.contains("**❌ the SLO is missed**: web\n"), "{md}");
    assert!(md.contains("| ❌ **missed** |"));
}

const HOSTILE: &str = r#"name: "<b>evil</b> & co"
domains:
  "zone<i>": { availability: 99.9% }
components:
  "<script>alert(1)</script>":
    availability: 99.9%
    spread: ["zone<i>"]
  "a|b":
    availability: 99.9%
    replicas: 2
  'x"]y':
    availability: 99.99%
    depends_on: ["<script>alert(1)</script>", "a|b", { component: "`tick`", on_failure: degrade }]
    slo: 99.9%
  "`tick`":
    availability: 99%
    external: true
  "o'neil #1 *bold* [link](x)":
    availability: 99%
"#;

#[test]
fn hostile_names_are_escaped_everywhere() {
    let r = review(HOSTILE, "evil.yaml", None);
    let html = r.html();
    let t = tags(&html);
    for forbidden in ["script", "b", "i"] {
        assert!(
            !t.contains_key(forbidden),
            "<{forbidden}> in the page: {t:?}"
        );
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<title>&lt;b&gt;evil&lt;/b&gt; &amp; co — availability review</title>"));
    assert!(html.contains("x&quot;]y"));

    let md = r.markdown();
    // Raw `<` only inside code spans (rendered as text), never in Markdown that renders HTML.
    // The Mermaid block is checked below.
    let prose = md.split("```mermaid").next().unwrap().to_string()
        + md.split("```mermaid")
            .nth(1)
            .unwrap()
            .split("```\n")
            .nth(1)
            .unwrap();
    for line in prose.lines() {
        for (i, part) in line.split('`').enumerate() {
            assert!(i % 2 == 1 || !part.contains('<'), "raw markup in `{line}`");
        }
        // Code spans are whole: an even number of backticks per line.
        assert_eq!(line.matches('`').count() % 2, 0, "{line}");
    }
    assert!(md.contains("`<script>alert(1)</script>` is a single point of failure"));
    // Table rows keep their column count: a name's `|` is escaped.
    let lines: Vec<&str> = md.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("| component | availability |"))
        .unwrap();
    let columns = |l: &str| l.replace("\\|", "").matches('|').count();
    for row in &lines[header..header + 7] {
        assert_eq!(columns(row), 8, "{row}");
    }
    assert!(md.contains("| a\\|b |"));
    assert!(
        md.contains("o&#39;neil \\#1 \\*bold\\* \\[link\\](x)"),
        "{md}"
    );
    // Inside the Mermaid block, labels are quoted and their quotes and brackets are entities.
    let mermaid: &str = md
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```\n")
        .next()
        .unwrap();
    for line in mermaid.lines().skip(1) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('c') {
            // A node: `cN["label"]` or `cN[/"label"/]`; an edge: `cA --> cB`.
            if let Some(open) = rest.find("[\"").or_else(|| rest.find("[/\"")) {
                let label_start = open + rest[open..].find('"').unwrap() + 1;
                let label_end = rest.rfind('"').unwrap();
                let label = &rest[label_start..label_end];
                assert!(
                    !label.contains('"') && !label.contains('<') && !label.contains('`'),
                    "{line}"
                );
            }
        }
    }
    assert!(mermaid.contains("x#quot;]y"), "{mermaid}");
    assert!(mermaid.contains("#lt;script#gt;"), "{mermaid}");
}

fn simulation() -> SimulationSummary {
    let bins = |counts: &[u64], width: f64| -> Vec<HistogramBin> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &windows)| HistogramBin {
                lo_s: i as f64 * width,
                hi_s: (i + 1) as f64 * width,
                windows,
            })
            .collect()
    };
    SimulationSummary {
        runs: 1000,
        horizon_s: 365.0 * 86400.0,
        window_s: 30.0 * 86400.0,
        seed: Some(7),
        components: vec![
            SimulatedComponent {
                name: "web".into(),
                availability: 0.9994,
                ci95: (0.99935, 0.99945),
                outages_per_year: 8.8,
                mean_outage_s: Some(1800.0),
                window_downtime_s: Some(Percentiles {
                    p50: 900.0,
                    p90: 2400.0,
                    p99: 4800.0,
                }),
                histogram: bins(&[3000, 4000, 2500, 1500, 700, 300], 900.0),
                budget_s: Some(2592.0),
                p_window_breach: Some(0.025),
                p_window_breach_ci95: None,
            },
            SimulatedComponent {
                name: "db".into(),
                availability: 0.9999,
                ci95: (0.99988, 0.99992),
                outages_per_year: 0.9,
                mean_outage_s: Some(3600.0),
                window_downtime_s: Some(Percentiles {
                    p50: 0.0,
                    p90: 0.0,
                    p99: 3600.0,
                }),
                histogram: bins(&[11000, 0, 0, 1000], 1200.0),
                budget_s: None,
                p_window_breach: None,
                p_window_breach_ci95: None,
            },
            // Percentiles without a histogram: drawn as a box and whisker.
            SimulatedComponent {
                name: "cache".into(),
                availability: 0.999,
                ci95: (0.9989, 0.9991),
                outages_per_year: 4.0,
                mean_outage_s: Some(7200.0),
                window_downtime_s: Some(Percentiles {
                    p50: 1800.0,
                    p90: 5400.0,
                    p99: 9000.0,
                }),
                histogram: Vec::new(),
                budget_s: Some(2592.0),
                p_window_breach: Some(0.4),
                p_window_breach_ci95: None,
            },
            // Never down, no complete window: no chart, dashes in the table.
            SimulatedComponent {
                name: "queue".into(),
                availability: 1.0,
                ci95: (1.0, 1.0),
                outages_per_year: 0.0,
                mean_outage_s: None,
                window_downtime_s: None,
                histogram: Vec::new(),
                budget_s: None,
                p_window_breach: None,
                p_window_breach_ci95: None,
            },
        ],
    }
}

#[test]
fn simulation_section_shows_distributions_and_breach_probability() {
    let r = review(TINY, "tiny.yaml", Some(simulation()));
    let html = r.html();
    assert!(html.contains("<section id=\"simulation\">"));
    assert!(html.contains("<a href=\"#simulation\">"));
    assert_eq!(html.matches("class=\"chart histogram\"").count(), 3);
    assert_eq!(
        html.matches("<g class=\"spread\">").count(),
        1,
        "cache's box and whisker"
    );
    // web's budget line, and its bins beyond the budget (from 2700 s) in red.
    assert!(html.contains("slo budget 43.2min"));
    assert_eq!(
        html.matches("fill=\"#dc2626\" fill-opacity=\"0.8\"")
            .count(),
        3
    );
    assert!(html.contains("P(window breaches the slo) = 2.5%"));
    let md = r.markdown();
    assert!(md.contains("## Downtime per window (timeline simulation)"));
    assert!(md.contains("1000 runs of 1y each, cut into 30d windows, seed 7."));
    assert!(md.contains("| web | 99.94% (99.935% – 99.945%) | 8.80 | 30min | 15min | 40min | 1.33h | 43.2min | 2.5% |"), "{md}");
    assert!(md.contains("| db |"));
    assert!(
        md.contains("| queue | 100% (100% – 100%) | 0.00 | — | — | — | — | — | — |"),
        "{md}"
    );
    // Without results, no section at all.
    let plain = review(TINY, "tiny.yaml", None);
    assert!(!plain.markdown().contains("simulation)"));
}

#[test]
fn cost_curves_where_variants_exist() {
    let text = std::fs::read_to_string(repo_path("models/shop-variants.yaml")).unwrap();
    let r = review(&text, "shop-variants.yaml", None);
    assert_eq!(r.costs.len(), 1);
    let html = r.html();
    assert!(html.contains("<section id=\"cost\">"));
    assert!(
        html.contains("shop: cost versus nines of storefront"),
        "the plot's title"
    );
    assert!(!html.contains("<?xml"));
    let md = r.markdown();
    assert!(md.contains("### shop — cost versus nines of storefront"));
    assert!(md.contains("★ sweet spot"));
}

#[test]
fn the_same_model_gives_the_same_report() {
    // No date, no randomness: a committed report.md diffs meaningfully. The cost curves are
    // computed on several threads; their results must not depend on the schedule.
    let text = std::fs::read_to_string(repo_path("models/online-store.yaml")).unwrap();
    let a = review(&text, "online-store.yaml", None);
    let b = review(&text, "online-store.yaml", None);
    assert_eq!(a.markdown(), b.markdown());
    assert_eq!(a.html(), b.html());
}

// --- the command --------------------------------------------------------------------------------

#[test]
fn report_writes_both_files_and_exits_0_even_when_an_slo_is_missed() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "tiny.yaml",
        &TINY.replace("slo: 99.9%", "slo: 99.99%"),
    );
    let out_dir = dir.path().join("review").join("nested");
    let out = nines()
        .arg("report")
        .arg(&model)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "{}\n{}\n",
            out_dir.join("report.md").display(),
            out_dir.join("report.html").display()
        )
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains(&format!("Model {} ·", model.display())));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.html", "report.md"],
        "no temporary files left"
    );
}

#[test]
fn report_failures_leave_no_files() {
    let dir = tempfile::tempdir().unwrap();
    // An invalid model: nothing is created, not even the directory.
    let broken = write_model(
        &dir,
        "broken.yaml",
        "components:\n  web: { availabilty: 99% }\n",
    );
    let out_dir = dir.path().join("out");
    nines()
        .arg("report")
        .arg(&broken)
        .arg("-o")
        .arg(&out_dir)
        .assert()
        .code(2);
    assert!(!out_dir.exists());

    // A failure part-way through writing (report.html cannot replace a directory): the
    // report.md already renamed into place is taken back.
    let model = write_model(&dir, "tiny.yaml", TINY);
    std::fs::create_dir_all(out_dir.join("report.html").join("x")).unwrap();
    let out = nines()
        .arg("report")
        .arg(&model)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the report"));
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.html"], "only the directory that was there");
}

// --- in a real browser --------------------------------------------------------------------------

/// A Chromium to render with: $NINES_CHROMIUM, or the first of the usual names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NINES_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs the browser with a deadline (a hung browser fails the test instead of hanging it).
fn run_browser(browser: &Path, args: &[String]) -> String {
    let mut child = Command::new(browser)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = reader.join().unwrap().unwrap();
            assert!(status.success(), "{} failed: {status}", browser.display());
            return out;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not finish within two minutes", browser.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped report_renders_in_headless_chromium: no chromium on PATH (apt-get install chromium, or set NINES_CHROMIUM); CI installs it"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Variants (a cost curve), one slo met and one missed, a name that would be markup.
    let text = std::fs::read_to_string(repo_path("models/shop-variants.yaml"))
        .unwrap()
        .replace(
            "components:\n",
            "components:\n  \"<img src=x onerror=alert(1)>\":\n    availability: 99%\n    slo: 99.9%\n",
        );
    let model = write_model(&dir, "shop.yaml", &text);
    let out_dir = dir.path().join("out");
    nines()
        .arg("report")
        .arg(&model)
        .arg("-o")
        .arg(&out_dir)
        .assert()
        .code(0);
    let page = out_dir.join("report.html");
    let profile = tempfile::tempdir().unwrap();
    let args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--dump-dom",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        format!("--user-data-dir={}", profile.path().display()),
        format!("file://{}", page.display()),
    ])
    .collect();
    let dom = run_browser(&browser, &args);
    assert!(dom.contains("</html>"), "a whole document: {dom:.200}");
    // The verdicts, as the browser parsed them.
    assert!(dom.contains("data-verdict=\"fail\""), "the banner");
    assert!(dom.contains("The SLO is missed") || dom.contains("1 of 2 SLOs missed"));
    assert!(dom.contains("data-verdict=\"met\"") && dom.contains("data-verdict=\"missed\""));
    // The plots: budget, nines, graph, cost curve (and the legend's samples), as SVG elements.
    let svgs = dom.matches("<svg").count();
    assert!(svgs >= 8, "{svgs} svg elements");
    assert!(dom.contains("class=\"graph\""));
    assert!(dom.contains("class=\"chart nines\""));
    assert!(dom.contains("class=\"chart budget\""));
    assert!(dom.contains("cost versus nines of"), "the cost plot");
    // The hostile name is text, not an element.
    assert!(!dom.contains("<img"), "an <img> element was created");
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn report_with_simulation_shows_breach_odds() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::util::nines()
        .args(["report", "--simulate", "--runs", "50", "-o"])
        .arg(dir.path())
        .arg(crate::util::repo_path("models/checkout.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("breach"), "no simulation section");
    let without = tempfile::tempdir().unwrap();
    crate::util::nines()
        .args(["report", "-o"])
        .arg(without.path())
        .arg(crate::util::repo_path("models/checkout.yaml"))
        .assert()
        .success();
    assert!(
        !std::fs::read_to_string(without.path().join("report.html"))
            .unwrap()
            .contains("P(window breach")
    );
}
