//! What recovery money buys: the firefighting curve beside the nines curve in `tradeoff
//! --plot`, and the ranking of recovery investments in `explain` and the report. Every gain is
//! checked against `eval` of the model with that one change written into it; every mean
//! restore time against the exact mean repair time.

use std::path::Path;

use nines::cost::{self, Catalog, Request, firefighting};
use nines::model::Model;

use crate::util::*;

const YEAR: f64 = 365.0 * 86_400.0;

fn json(args: &[&str], model: &Path) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push(model.to_str().unwrap());
    serde_json::from_str(&cli(&args)).unwrap()
}

const FIREFIGHTING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/firefighting.yaml");

fn firefighting_text() -> String {
    std::fs::read_to_string(repo_path("models/firefighting.yaml")).unwrap()
}

/// The firefighting model with its `api`'s keys as written replaced.
fn changed(from: &str, to: &str) -> String {
    let text = firefighting_text();
    assert!(text.contains(from), "the model writes `{from}`");
    text.replacen(from, to, 1)
}

const AS_WRITTEN: &str = "recovery: { detect: 5m, responder: office, fix: 2h }";

/// The `recovery` a variant of `api` writes (the keys as written when it writes none).
fn variant_recovery(name: &str) -> String {
    let text = firefighting_text();
    text.lines()
        .skip_while(|l| !l.contains(&format!("name: {name}")))
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !l.trim_start().starts_with("- "))
        .find_map(|(_, l)| {
            let at = l.find("recovery:")?;
            Some(l[at..].trim().to_string())
        })
        .unwrap_or_else(|| AS_WRITTEN.to_string())
}

/// (unavailability, mttr_s) of `api` as `eval` gives them.
fn eval_api(dir: &tempfile::TempDir, name: &str, text: &str) -> (f64, f64) {
    let path = write_model(dir, name, text);
    let v = json(&["eval", "--format", "json"], &path);
    let api = &v["components"][0];
    assert_eq!(api["name"], "api");
    (
        api["unavailability"].as_f64().unwrap(),
        api["mttr_s"].as_f64().unwrap(),
    )
}

#[test]
fn the_plot_draws_the_firefighting_curve_with_the_table_s_sweet_spot() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("curve.svg");
    let v = json(
        &[
            "tradeoff",
            "--format",
            "json",
            "--plot",
            plot.to_str().unwrap(),
        ],
        &repo_path("models/firefighting.yaml"),
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("the firefighting curve of api"));
    // Wider than the nines curve alone: the firefighting curve sits beside it.
    assert!(svg.contains("width=\"1760\""), "{}", &svg[..200]);
    let designs = v["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 3);
    // One labelled point per design.
    for d in designs {
        let label = format!("api={} · ", d["variants"]["api"].as_str().unwrap());
        assert_eq!(svg.matches(&label).count(), 1, "{label}");
    }
    let sweet = v["sweet_spot"]["variants"]["api"].as_str().unwrap();
    assert_eq!(sweet, "health-check");
    assert_eq!(
        svg.matches("sweet spot: api=").count(),
        1,
        "the firefighting curve marks one sweet spot"
    );
    assert!(svg.contains(&format!("sweet spot: api={sweet}")));
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1);
}

#[test]
fn without_recovery_variants_the_plot_is_the_nines_curve_alone() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("curve.svg");
    let shop = repo_path("models/shop-variants.yaml");
    cli(&[
        "tradeoff",
        "--plot",
        plot.to_str().unwrap(),
        shop.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("width=\"1000\""));
    assert!(!svg.contains("firefighting"));
}

/// For one component alone, an outage lasts its mean repair time: the curve's mean restore
/// time (unavailability over the exact outage frequency) is the exact mean of the recovery.
#[test]
fn a_design_s_mean_restore_time_is_its_exact_mean_repair_time() {
    let model = Model::load(&repo_path("models/firefighting.yaml")).unwrap();
    let catalog = Catalog::new(&model).unwrap();
    let t = cost::analyse(catalog, &Request::default()).unwrap();
    let points = firefighting::curve(&t).unwrap().expect("recovery varies");
    assert_eq!(points.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    for p in &points {
        let variant = &t.catalog.named(&p.outcome.choice)[0].1;
        let mttr = t
            .catalog
            .component(t.target, p.outcome.choice[0])
            .repair
            .mean_s;
        assert_close!(p.mean_outage_s, mttr, 1e-9);
        // And what `eval` gives for that variant written as the model.
        let variant_line = variant_recovery(variant);
        let (_, eval_mttr) = eval_api(&dir, "v.yaml", &changed(AS_WRITTEN, &variant_line));
        assert_close!(p.mean_outage_s, eval_mttr, 1e-9);
        assert_close!(
            p.downtime_cost,
            730.0 * p.outcome.down.p * t.prices.downtime_per_hour,
            1e-12
        );
    }
}

#[test]
fn recovery_options_gain_what_eval_of_the_changed_model_says() {
    let dir = tempfile::tempdir().unwrap();
    let (before, _) = eval_api(&dir, "before.yaml", &firefighting_text());
    let v: serde_json::Value =
        serde_json::from_str(&cli(&["explain", "--format", "json", FIREFIGHTING, "api"])).unwrap();
    let options = v["recovery_options"].as_array().expect("recovery_options");
    let variant = |name: &str| {
        // The model's variant written in place of the keys as written.
        changed(AS_WRITTEN, &variant_recovery(name)).replacen("cost: 800", "cost: 900", 1)
    };
    let cases: Vec<(&str, String, Option<f64>)> = vec![
        (
            "responder office → oncall",
            changed(AS_WRITTEN, &AS_WRITTEN.replace("office", "oncall")),
            Some(6000.0),
        ),
        (
            "restart 0% → 50% in 1min",
            changed(
                AS_WRITTEN,
                "recovery: { detect: 5m, restart: { share: 50%, time: 1m }, responder: office, fix: 2h }",
            ),
            None,
        ),
        (
            "detect 5min → 2.5min",
            changed(AS_WRITTEN, &AS_WRITTEN.replace("5m", "150s")),
            None,
        ),
        ("variant health-check", variant("health-check"), Some(100.0)),
        ("variant on-call", variant("on-call"), Some(6100.0)),
    ];
    assert_eq!(options.len(), cases.len(), "{options:#?}");
    for (change, text, cost) in cases {
        let o = options
            .iter()
            .find(|o| o["change"] == change)
            .unwrap_or_else(|| panic!("no option `{change}` in {options:#?}"));
        assert_eq!(o["component"], "api");
        let (after, mttr) = eval_api(&dir, "after.yaml", &text);
        assert_close!(o["unavailability_after"].as_f64().unwrap(), after, 1e-12);
        assert_close!(
            o["downtime_saved_per_year_s"].as_f64().unwrap(),
            (before - after) * YEAR,
            1e-9
        );
        assert_close!(o["mttr_after_s"].as_f64().unwrap(), mttr, 1e-12);
        assert_eq!(o["cost_per_month"].as_f64(), cost, "{change}");
        assert_close!(
            o["downtime_cost_saved_per_month"].as_f64().unwrap(),
            (before - after) * 730.0 * 400.0,
            1e-9
        );
    }
    // Priced changes by downtime saved per money, then the unpriced by downtime saved.
    let key = |o: &serde_json::Value| -> (u8, f64) {
        let saved = o["downtime_saved_per_year_s"].as_f64().unwrap();
        match o["cost_per_month"].as_f64() {
            Some(m) if m <= 0.0 => (0, -saved),
            Some(m) => (1, -saved / m),
            None => (2, -saved),
        }
    };
    for w in options.windows(2) {
        let (a, b) = (key(&w[0]), key(&w[1]));
        assert!(a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1), "{w:#?}");
    }
    assert_eq!(options[0]["change"], "variant health-check");
}

#[test]
fn the_ranking_is_in_the_table_the_markdown_and_the_report() {
    let text = cli(&["explain", FIREFIGHTING, "api"]);
    assert!(text.contains("what recovery money buys"), "{text}");
    assert!(text.contains("responder office → oncall"));
    let md = cli(&["explain", "--format", "markdown", FIREFIGHTING, "api"]);
    assert!(md.contains("### What recovery money buys for api"), "{md}");
    let dir = tempfile::tempdir().unwrap();
    cli(&["report", "-o", dir.path().to_str().unwrap(), FIREFIGHTING]);
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(report.contains("What recovery money buys for api"));
    assert!(report.contains("variant health-check"));
    // A component without recovery in reach has no ranking.
    let shop = repo_path("models/shop-variants.yaml");
    let v: serde_json::Value = serde_json::from_str(&cli(&[
        "explain",
        "--format",
        "json",
        shop.to_str().unwrap(),
        "checkout",
    ]))
    .unwrap();
    assert!(v["unavailability"].is_number());
    assert!(v.get("recovery_options").is_none());
}

/// A small random design space in which components share paid responders: three components
/// in a chain, each with two or three variants choosing a responder, a restart and a price.
fn shared_space(rng: &mut Rng) -> String {
    let mut text = String::from(
        "cost: { downtime_per_hour: 500 }\nresponders:\n  office: { hours: \"Mon-Fri 09:00-17:00\", respond: 30m }\n  oncall: { hours: 24x7, respond: 15m, cost: 3000 }\n  vendor: { hours: \"Mon-Sat 06:00-22:00\", respond: 1h, cost: 1200 }\ncomponents:\n",
    );
    let responders = ["office", "oncall", "vendor"];
    for (i, name) in ["db", "cache", "api"].iter().enumerate() {
        text += &format!("  {name}:\n    mttf: {}d\n", 10 + rng.below(50));
        if i > 0 {
            text += &format!("    depends_on: [{}]\n", ["db", "cache"][i - 1]);
        }
        if i == 2 {
            text += "    slo: 99%\n";
        }
        text += "    recovery: { responder: office, fix: 2h }\n    variants:\n";
        for v in 0..2 + rng.below(2) {
            let restart = if rng.chance(50) {
                format!(
                    "restart: {{ share: {}%, time: 2m }}, ",
                    [30, 60, 90][rng.below(3)]
                )
            } else {
                String::new()
            };
            text += &format!(
                "      - {{ name: v{v}, cost: {}, replicas: {}, recovery: {{ {restart}responder: {}, fix: {}h }} }}\n",
                100 * (1 + rng.below(20)),
                1 + rng.below(2),
                rng.pick(&responders),
                1 + rng.below(4)
            );
        }
    }
    text
}

/// The optimiser with shared responders gives what enumerating every design gives.
#[test]
fn shared_responders_are_optimised_exactly() {
    let mut rng = Rng(20);
    for case in 0..12 {
        let text = shared_space(&mut rng);
        let model = Model::parse(
            Path::new("shared.yaml"),
            text.clone(),
            nines::model::Format::Yaml,
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let run = |max_designs: u64| {
            let catalog = Catalog::new(&model).unwrap();
            let request = Request {
                max_designs,
                threads: 1,
                ..Request::default()
            };
            cost::analyse(catalog, &request).unwrap()
        };
        let all = run(100_000);
        let searched = run(1);
        assert!(all.designs.is_some() && searched.designs.is_none());
        assert!(matches!(
            searched.method,
            cost::Method::Optimised { exact: true, .. }
        ));
        let key = |o: &cost::Outcome| (o.cost, o.down.p);
        let want: Vec<_> = all.frontier.iter().map(key).collect();
        let got: Vec<_> = searched.frontier.iter().map(key).collect();
        assert_eq!(want.len(), got.len(), "case {case}\n{text}");
        for (w, g) in want.iter().zip(&got) {
            assert_close!(w.0, g.0, 1e-12);
            assert_close!(w.1, g.1, 1e-12);
        }
        // Every design the search returns costs what enumeration says it costs.
        for o in searched.frontier.iter().chain([&searched.sweet_spot]) {
            let same = all
                .designs
                .as_ref()
                .unwrap()
                .iter()
                .find(|d| d.choice == o.choice);
            let same = same.unwrap_or_else(|| panic!("case {case}: {:?} not a design", o.choice));
            assert_close!(same.cost, o.cost, 1e-12);
            assert_close!(same.down.p, o.down.p, 1e-12);
        }
        assert_close!(
            all.sweet_spot.total_cost,
            searched.sweet_spot.total_cost,
            1e-12
        );
        assert_eq!(
            all.cheapest_meeting_slos.as_ref().map(|o| o.cost),
            searched.cheapest_meeting_slos.as_ref().map(|o| o.cost),
            "case {case}"
        );
    }
}

#[test]
fn too_many_paid_responders_are_refused_with_a_hint() {
    let mut text = String::from("responders:\n");
    for r in 0..6 {
        text += &format!(
            "  r{r}: {{ hours: 24x7, respond: 15m, cost: {} }}\n",
            1000 + r
        );
    }
    text += "components:\n";
    for c in 0..6 {
        text += &format!(
            "  c{c}:\n    mttf: 30d\n    recovery: {{ responder: r{c}, fix: 1h }}\n    variants:\n      - {{ name: a }}\n      - {{ name: b, replicas: 2 }}\n"
        );
    }
    text +=
        "  top:\n    availability: 99.9%\n    slo: 99%\n    depends_on: [c0, c1, c2, c3, c4, c5]\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(&dir, "many.yaml", &text);
    let out = nines()
        .args(["tradeoff", "--max-designs", "10"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than 5 responders with a cost"), "{err}");
    assert!(err.contains("hint: raise --max-designs"), "{err}");
}

/// The shipped store: its office team, its health-check restarts and the paid on-call rota
/// give `tradeoff` a firefighting curve and a sweet spot, and the plot draws both.
#[test]
fn the_shipped_store_has_a_firefighting_curve_and_a_sweet_spot() {
    let store = repo_path("models/online-store.yaml");
    let v = json(
        &["tradeoff", "-c", "storefront", "--format", "json"],
        &store,
    );
    let designs = v["designs"].as_array().unwrap();
    let curve = v["firefighting"].as_array().unwrap();
    // orders-db × checkout × storefront: 2 × 2 × 2 designs, each a point of the curve.
    assert_eq!(designs.len(), 8, "{v}");
    assert_eq!(curve.len(), 8, "{v}");
    let point = |variants: &serde_json::Value| {
        curve
            .iter()
            .find(|p| &p["variants"] == variants)
            .unwrap_or_else(|| panic!("no point of the curve for {variants}"))
    };
    let mut on_call = 0;
    for p in curve {
        let cost = p["cost"].as_f64().unwrap();
        let total = p["total_cost"].as_f64().unwrap();
        assert!(
            total >= cost + p["downtime_cost"].as_f64().unwrap() - 1e-9,
            "{p}"
        );
        let mut office = p["variants"].clone();
        let uses_on_call = ["checkout", "storefront"]
            .iter()
            .filter(|c| p["variants"][**c] == "on-call")
            .count();
        if uses_on_call == 0 {
            continue;
        }
        on_call += 1;
        for c in ["checkout", "storefront"] {
            office[c] = "office-hours".into();
        }
        let office = point(&office);
        // The rota's 4,000 a month counts once, however many services page it.
        assert_eq!(cost, office["cost"].as_f64().unwrap() + 4000.0, "{p}");
        // Around the clock, a repair never waits for Monday: outages are shorter.
        assert!(
            p["mean_restore_s"].as_f64().unwrap() < office["mean_restore_s"].as_f64().unwrap(),
            "{p} against {office}"
        );
    }
    assert_eq!(on_call, 6);
    // The sweet spot is the point with the least expected total, and here the rota costs more
    // than the downtime it prevents.
    let sweet = &v["sweet_spot"];
    let least = curve
        .iter()
        .map(|p| p["total_cost"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(
        point(&sweet["variants"])["total_cost"].as_f64().unwrap(),
        least
    );
    assert_eq!(sweet["variants"]["storefront"], "office-hours", "{sweet}");
    assert_eq!(sweet["variants"]["checkout"], "office-hours", "{sweet}");

    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("store.svg");
    cli(&[
        "tradeoff",
        "-c",
        "storefront",
        "--plot",
        svg.to_str().unwrap(),
        store.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("the firefighting curve of storefront"));
    assert!(svg.contains("sweet spot: orders-db=pair checkout=office-hours"));
}
