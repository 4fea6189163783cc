//! Uncertain values and calibration: the samplers against their distributions, the percentiles
//! and the probability of meeting an slo against closed forms on one component, determinism
//! across threads, the chi-square intervals against published tables and their coverage on
//! generated histories, merging and censoring of incidents, and located errors.
//!
//! Monte Carlo checks use the distribution of order statistics: with N draws, F(the r-th
//! smallest draw) has mean r/(N+1) and standard deviation about √(p(1−p)/N); every bound below is
//! five of those (a false alarm less than once in a million runs).

use std::path::Path;

use nines::model::units::{DAY, Duration, HOUR, Spread, YEAR};
use nines::sim::stream::{Chunks, Stream};
use nines::system::System;
use nines::uncertainty::calibrate::{
    Incident, calibrate, mttf_interval, parse_time, read_incidents,
};
use nines::uncertainty::draw::{self, LogNormal, chi_square_quantile, gamma, gamma_p};
use nines::uncertainty::propagate::{Options, Propagation, propagate};

use crate::util::*;

fn stream(seed: u64) -> Stream {
    Chunks::new(seed, 5).take(1).next().unwrap()
}

pub fn system(yaml: &str) -> System {
    nines::model::Model::parse(
        Path::new("test.yaml"),
        yaml.to_string(),
        nines::model::Format::Yaml,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .system()
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(system: &System, draws: usize, seed: u64, threads: usize) -> Propagation {
    let options = Options {
        draws,
        seed,
        threads,
    };
    propagate(system, &options, &|_| {}).unwrap()
}

/// The Kolmogorov–Smirnov distance between a sample and a distribution function.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// The KS distance a sample of n exceeds with probability 0.001.
fn ks_bound(n: usize) -> f64 {
    1.95 / (n as f64).sqrt()
}

/// F(the reported `level` quantile) is within five order-statistic deviations of `level`.
fn assert_quantile(f_at_reported: f64, level: f64, n: usize, what: &str) {
    let sd = (level * (1.0 - level) / n as f64).sqrt();
    assert!(
        (f_at_reported - level).abs() < 5.0 * sd + 1.0 / n as f64,
        "{what}: F(reported) = {f_at_reported}, want {level} ± {}",
        5.0 * sd
    );
}

#[test]
fn the_chi_square_quantiles_match_published_tables() {
    // NIST/SEMATECH e-Handbook, table 1.3.6.7.4 (upper and lower critical values), 3 decimals.
    let table = [
        (0.95, 1.0, 3.841),
        (0.95, 2.0, 5.991),
        (0.95, 8.0, 15.507),
        (0.95, 10.0, 18.307),
        (0.99, 5.0, 15.086),
        (0.05, 6.0, 1.635),
        (0.05, 10.0, 3.940),
        (0.01, 20.0, 8.260),
        (0.10, 4.0, 1.064),
    ];
    for (p, dof, value) in table {
        let got = chi_square_quantile(p, dof);
        assert!(
            (got - value).abs() < 6e-4,
            "χ²({p}; {dof}) = {got}, table {value}"
        );
    }
    // With two degrees of freedom the chi-square is an exponential: χ²(p; 2) = −2 ln(1 − p).
    for p in [0.05, 0.5, 0.95] {
        assert_close!(chi_square_quantile(p, 2.0), -2.0 * (1.0 - p).ln(), 1e-12);
    }
}

#[test]
fn the_mttf_interval_is_the_chi_square_one_and_the_rule_of_three_without_failures() {
    // Three failures in a year: [2T/χ²(0.95; 8), 2T/χ²(0.05; 6)] = [2y/15.507, 2y/1.635].
    let (lo, hi) = mttf_interval(3, YEAR);
    assert!((lo / YEAR - 2.0 / 15.507).abs() < 1e-4, "{}", lo / YEAR);
    assert!(
        (hi.unwrap() / YEAR - 2.0 / 1.635).abs() < 1e-3,
        "{}",
        hi.unwrap() / YEAR
    );
    // None in a year: at least a third of a year (the 95% rule of three), no upper bound.
    assert_eq!(mttf_interval(0, YEAR), (YEAR / 3.0, None));
}

#[test]
fn gamma_deviates_follow_the_gamma_distribution() {
    let n = 20_000;
    for shape in [0.5, 1.0, 3.5, 12.5] {
        let mut s = stream(shape as u64 + 1);
        let xs: Vec<f64> = (0..n).map(|_| gamma(shape, &mut s)).collect();
        assert!(xs.iter().all(|&x| x > 0.0 && x.is_finite()));
        let d = ks(xs, |x| gamma_p(shape, x));
        assert!(d < ks_bound(n), "shape {shape}: KS distance {d}");
    }
}

#[test]
fn lognormal_draws_have_the_percentiles_asked() {
    let n = 20_000;
    let spread = Spread::Range {
        low: Duration::from_secs(20.0 * 60.0),
        high: Duration::from_secs(4.0 * HOUR),
    };
    let mut s = stream(3);
    let xs: Vec<f64> = (0..n).map(|_| draw::seconds(&spread, &mut s)).collect();
    for (bound, level) in [(20.0 * 60.0, 0.05), (4.0 * HOUR, 0.95)] {
        let below = xs.iter().filter(|&&x| x <= bound).count() as f64 / n as f64;
        assert_quantile(below, level, n, "share below a percentile");
    }
    let law = LogNormal::from_percentiles(20.0 * 60.0, 4.0 * HOUR);
    let d = ks(xs, |x| law.cdf(x));
    assert!(d < ks_bound(n), "KS distance {d}");
}

#[test]
fn observed_histories_draw_the_mean_time_of_a_gamma_rate() {
    // mttf = T / G with G ~ Gamma(k + ½, 1): P(mttf ≤ x) = P(G ≥ T/x).
    let n = 20_000;
    let over = 2.0 * YEAR;
    let spread = Spread::Incidents {
        count: 3,
        over: Duration::from_secs(over),
    };
    let mut s = stream(4);
    let xs: Vec<f64> = (0..n).map(|_| draw::seconds(&spread, &mut s)).collect();
    let d = ks(xs, |x| 1.0 - gamma_p(3.5, over / x));
    assert!(d < ks_bound(n), "KS distance {d}");
}

const HISTORY_MODEL: &str = "
components:
  api:
    mttf: { incidents: 3, over: 2y }
    mttr: 1h
    slo: 99.95%
";

#[test]
fn percentiles_of_one_component_match_the_gamma_closed_form() {
    // u = mttr / (mttr + T/G) grows with G, so the availability's p5 is at G's 95th
    // percentile: G = T·u / (mttr·(1 − u)).
    let n = 4000;
    let result = run(&system(HISTORY_MODEL), n, 11, 2);
    let c = &result.components[0];
    let g_of = |p: f64, q: f64| 2.0 * YEAR * p / (HOUR * q);
    assert_quantile(gamma_p(3.5, g_of(c.p5.p, c.p5.q)), 0.95, n, "p5");
    assert_quantile(gamma_p(3.5, g_of(c.p50.p, c.p50.q)), 0.5, n, "p50");
    assert_quantile(gamma_p(3.5, g_of(c.p95.p, c.p95.q)), 0.05, n, "p95");
    // P(u ≤ 0.0005) = P(G ≤ T·0.0005 / (mttr·0.9995)).
    let want = gamma_p(3.5, g_of(0.0005, 0.9995));
    let got = c.p_meets_slo.unwrap();
    let sd = (want * (1.0 - want) / n as f64).sqrt();
    assert!(
        (got - want).abs() < 5.0 * sd,
        "p_meets_slo {got}, closed form {want}"
    );
}

#[test]
fn percentiles_of_an_uncertain_availability_match_the_lognormal_closed_form() {
    let yaml = "
components:
  vendor:
    availability: { estimate: 99.95%, low: 99.9%, high: 99.99% }
    slo: 99.95%
  site:
    availability: 100%
    depends_on: [vendor]
";
    let n = 4000;
    let system = system(yaml);
    let result = run(&system, n, 5, 1);
    let law = LogNormal::from_percentiles(1e-4, 1e-3);
    let vendor = &result.components[0];
    assert_quantile(law.cdf(vendor.p5.p), 0.95, n, "p5");
    assert_quantile(law.cdf(vendor.p50.p), 0.5, n, "p50");
    assert_quantile(law.cdf(vendor.p95.p), 0.05, n, "p95");
    let want = law.cdf(5e-4);
    let got = vendor.p_meets_slo.unwrap();
    let sd = (want * (1.0 - want) / n as f64).sqrt();
    assert!(
        (got - want).abs() < 5.0 * sd,
        "p_meets_slo {got}, closed form {want}"
    );
    // A perfect component in front has the same draws, exactly: one diagram, one pass.
    assert_eq!(result.components[1].unavailability, vendor.unavailability);
    assert_eq!(result.components[1].p_meets_slo, None);
}

#[test]
fn each_draw_is_solved_exactly() {
    // Two replicas of an uncertain component, one of them needed: every draw's unavailability is
    // the square of a lognormal draw, so the median is the square of the lognormal's median.
    let yaml = "
components:
  db:
    availability: { estimate: 99.9%, low: 99%, high: 99.99% }
    replicas: 2
";
    let n = 4000;
    let result = run(&system(yaml), n, 9, 2);
    let law = LogNormal::from_percentiles(1e-4, 1e-2);
    let c = &result.components[0];
    assert_quantile(law.cdf(c.p50.p.sqrt()), 0.5, n, "p50");
    assert_quantile(law.cdf(c.p5.p.sqrt()), 0.95, n, "p5");
}

#[test]
fn the_same_seed_gives_the_same_draws_on_any_thread_count() {
    let system =
        system(&std::fs::read_to_string(repo_path("models/uncertain-store.yaml")).unwrap());
    let one = run(&system, 300, 42, 1);
    for threads in [2, 3, 8] {
        let other = run(&system, 300, 42, threads);
        for (a, b) in one.components.iter().zip(&other.components) {
            assert_eq!(a.unavailability, b.unavailability, "{threads} threads");
            assert_eq!(a.p_meets_slo, b.p_meets_slo);
        }
    }
    let other_seed = run(&system, 300, 43, 1);
    assert_ne!(
        one.components[0].unavailability,
        other_seed.components[0].unavailability
    );
    let model = repo_path("models/uncertain-store.yaml");
    let json = |threads: &str| {
        let out = nines()
            .args([
                "eval",
                "--uncertainty",
                "--draws",
                "200",
                "--seed",
                "3",
                "-j",
                threads,
            ])
            .args(["--format", "json"])
            .arg(&model)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(json("1"), json("4"));
}

#[test]
fn eval_json_carries_the_percentiles_and_plain_eval_is_unchanged() {
    let model = repo_path("models/uncertain-store.yaml");
    let out = nines()
        .args([
            "eval",
            "--uncertainty",
            "--draws",
            "500",
            "--format",
            "json",
        ])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["uncertainty"]["draws"], 500);
    for c in v["components"].as_array().unwrap() {
        let u = &c["uncertainty"];
        let (p5, p50, p95) = (
            u["p5"].as_f64().unwrap(),
            u["p50"].as_f64().unwrap(),
            u["p95"].as_f64().unwrap(),
        );
        assert!(p5 <= p50 && p50 <= p95, "{c}");
        assert_eq!(u["p_meets_slo"].is_null(), c["slo"].is_null());
    }
    let plain = nines()
        .args(["eval", "--format", "json"])
        .arg(&model)
        .output()
        .unwrap();
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(
        !text.contains("uncertainty") && !text.contains("p50"),
        "{text}"
    );
    // The point value is the estimate: 3 failures in 2 years is an mttf of 2y / 3.5.
    let (s, states) = eval_yaml(HISTORY_MODEL);
    let mttf = 2.0 * YEAR / 3.5;
    assert_close!(
        unavailability(&s, &states, "api"),
        HOUR / (HOUR + mttf),
        1e-12
    );
}

#[test]
fn a_model_without_doubt_is_a_usage_error_for_eval_uncertainty() {
    let out = nines()
        .args(["eval", "--uncertainty"])
        .arg(repo_path("models/online-store.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("nothing to draw"), "{err}");
}

#[test]
fn check_confidence_gates_on_the_probability_of_meeting_the_slo() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "m.yaml", HISTORY_MODEL);
    // Closed form: P(meets) = P(G ≤ T·0.0005/(mttr·0.9995)), about 0.9.
    let p = gamma_p(3.5, 2.0 * YEAR * 0.0005 / (HOUR * 0.9995));
    let check = |confidence: f64| {
        nines()
            .args([
                "check",
                "--draws",
                "4000",
                "--confidence",
                &confidence.to_string(),
            ])
            .arg(&model)
            .output()
            .unwrap()
    };
    let sd = (p * (1.0 - p) / 4000.0).sqrt();
    let low = check(p - 6.0 * sd);
    assert_eq!(
        low.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&low.stdout)
    );
    let high = check((p + 6.0 * sd).min(1.0));
    assert_eq!(high.status.code(), Some(1));
    let text = String::from_utf8(high.stdout).unwrap();
    assert!(
        text.contains("api meets 99.95% with probability 0."),
        "{text}"
    );
    assert!(text.contains("; required 0."), "{text}");
    for format in ["json", "junit", "github", "markdown", "sarif"] {
        let out = nines()
            .args(["check", "--confidence", "0.999", "--format", format])
            .arg(&model)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("probability") || text.contains("p_meets_slo"),
            "{format}: {text}"
        );
    }
}

#[test]
fn uncertain_values_out_of_order_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "components:\n  a:\n    availability: { estimate: 99.9%, low: 99.95%, high: 99.99% }\n",
            "3:43",
            "out of order",
        ),
        (
            "components:\n  a:\n    mttf: 30d\n    mttr: { estimate: 1h, low: 20m, high: 30m }\n",
            "4:43",
            "out of order",
        ),
        (
            "components:\n  a:\n    availability: { incidents: 2, over: 1y }\n",
            "3:19",
            "cannot be given as incidents",
        ),
        (
            "components:\n  a:\n    mttf: { incidents: 2, over: 1y, estimate: 3d }\n",
            "3:11",
            "not both",
        ),
        (
            "components:\n  a:\n    availability: { estimate: 99.9%, low: 99%, high: 100% }\n",
            "3:54",
            "cannot reach 100%",
        ),
    ];
    for (i, (yaml, place, message)) in cases.into_iter().enumerate() {
        let path = write_model(&dir, &format!("m{i}.yaml"), yaml);
        let out = nines().arg("eval").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{yaml}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!("m{i}.yaml:{place}:")),
            "{yaml}\n{err}"
        );
        assert!(err.contains(message), "{err}");
    }
}

fn t(text: &str) -> f64 {
    parse_time(text).unwrap()
}

fn incident(component: &str, start: &str, end: Option<&str>, line: usize) -> Incident {
    Incident {
        component: component.into(),
        start: t(start),
        end: end.map(t),
        line,
    }
}

#[test]
fn times_parse_as_rfc_3339() {
    assert_eq!(t("1970-01-01T00:00:00Z"), 0.0);
    assert_eq!(
        t("2024-03-01T00:00:00Z") - t("2024-02-28T00:00:00Z"),
        2.0 * DAY
    );
    assert_eq!(t("2024-03-01T02:00:00+02:00"), t("2024-03-01T00:00:00Z"));
    assert_eq!(
        t("2024-03-01T00:00:00.25Z"),
        t("2024-03-01T00:00:00Z") + 0.25
    );
    // 2000-01-01 is 10,957 days after 1970-01-01.
    assert_eq!(t("2000-01-01T00:00:00Z"), 10_957.0 * DAY);
    for bad in [
        "2024-02-30T00:00:00Z",
        "2024-03-01",
        "2024-03-01T25:00:00Z",
        "yesterday",
        "2024-03-01T00:00:00",
    ] {
        assert!(parse_time(bad).is_err(), "{bad}");
    }
}

#[test]
fn overlapping_incidents_merge_open_ones_are_censored_and_outside_ones_are_said() {
    let since = "2024-01-01T00:00:00Z";
    let until = "2024-01-11T00:00:00Z";
    let incidents = vec![
        // Two overlapping: one outage from 10:00 to 13:00.
        incident(
            "db",
            "2024-01-02T10:00:00Z",
            Some("2024-01-02T12:00:00Z"),
            2,
        ),
        incident(
            "db",
            "2024-01-02T11:00:00Z",
            Some("2024-01-02T13:00:00Z"),
            3,
        ),
        // A second outage of one hour.
        incident(
            "db",
            "2024-01-05T00:00:00Z",
            Some("2024-01-05T01:00:00Z"),
            4,
        ),
        // Still open: counted as a failure, its downtime cut at the end of the period.
        incident("db", "2024-01-10T22:00:00Z", None, 5),
        // Before the period, wholly: left out and said.
        incident(
            "db",
            "2023-12-01T00:00:00Z",
            Some("2023-12-01T01:00:00Z"),
            6,
        ),
        // Began before the period: its downtime inside counts, not its failure.
        incident(
            "web",
            "2023-12-31T23:00:00Z",
            Some("2024-01-01T01:00:00Z"),
            7,
        ),
    ];
    let history = calibrate(&incidents, &[], t(since), t(until));
    let db = &history.components[0];
    assert_eq!(db.name, "db");
    assert_eq!((db.incidents, db.censored, db.repairs), (3, 1, 2));
    assert_eq!(db.downtime_s, 3.0 * HOUR + HOUR + 2.0 * HOUR);
    assert_eq!(db.exposure_s, 10.0 * DAY - 6.0 * HOUR);
    assert_eq!(db.mttf_s, Some(db.exposure_s / 3.0));
    assert_eq!(db.mttr_mean_s, Some(2.0 * HOUR));
    assert_close!(
        db.observed_availability,
        1.0 - 6.0 * HOUR / (10.0 * DAY),
        1e-15
    );
    let web = &history.components[1];
    assert_eq!((web.incidents, web.downtime_s), (0, HOUR));
    assert_eq!(web.mttf_ci90_s, (web.exposure_s / 3.0, None));
    assert_eq!(history.warnings.len(), 2, "{:?}", history.warnings);
    assert!(history.warnings[0].contains("line 6") && history.warnings[0].contains("outside"));
    assert!(history.warnings[1].contains("line 7") && history.warnings[1].contains("before"));
    // A model's component without incidents is listed too.
    let with_model = calibrate(&incidents, &["api".to_string()], t(since), t(until));
    assert_eq!(with_model.components[0].name, "api");
    assert_eq!(with_model.components[0].incidents, 0);
}

#[test]
fn the_mttf_interval_covers_the_truth_about_ninety_percent_of_the_time() {
    // 400 histories of a year of exponential failures (mttf 30 days) with 1 h repairs. The
    // chi-square interval of a time-terminated history is conservative: its coverage is at
    // least 90%; with 400 histories the share observed is within 0.06 of the true coverage
    // (four standard deviations of 0.015).
    let mttf = 30.0 * DAY;
    let histories = 400;
    let mut s = stream(21);
    let mut covered = 0;
    for h in 0..histories {
        let mut incidents = Vec::new();
        let mut at = 0.0;
        loop {
            at += mttf * s.exp1();
            if at >= YEAR {
                break;
            }
            incidents.push(Incident {
                component: "db".into(),
                start: at,
                end: Some(at + HOUR),
                line: h,
            });
            at += HOUR;
        }
        let c = &calibrate(&incidents, &[], 0.0, YEAR).components[0];
        let (lo, hi) = c.mttf_ci90_s;
        if lo <= mttf && hi.is_none_or(|hi| mttf <= hi) {
            covered += 1;
        }
    }
    let share = covered as f64 / histories as f64;
    assert!((0.84..=0.99).contains(&share), "coverage {share}");
}

fn calibrate_cli(file: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = nines()
        .arg("calibrate")
        .arg(file)
        .args(["--since", "2024-01-01", "--until", "2025-01-01"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_three_formats_read_alike() {
    // The shipped CSV and PagerDuty files hold the same database outages.
    let read = |name: &str| {
        let text = std::fs::read_to_string(repo_path(&format!("models/incidents/{name}"))).unwrap();
        let mut warnings = Vec::new();
        let incidents = read_incidents(&text, &mut warnings).unwrap();
        (incidents, warnings)
    };
    let (csv, _) = read("outages.csv");
    let (pd, _) = read("pagerduty.json");
    let (sp, warnings) = read("statuspage.json");
    let db = |list: &[Incident]| -> Vec<(f64, Option<f64>)> {
        list.iter()
            .filter(|i| i.component == "database")
            .map(|i| (i.start, i.end))
            .take(3)
            .collect()
    };
    assert_eq!(db(&csv), db(&pd));
    // Statuspage: one incident per component it names; one naming none is said.
    assert_eq!(sp.iter().filter(|i| i.component == "API").count(), 3);
    assert_eq!(sp.iter().filter(|i| i.component == "Dashboard").count(), 1);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // The web incident still open at the end of the PagerDuty export.
    assert!(pd.iter().any(|i| i.component == "web" && i.end.is_none()));
}

#[test]
fn malformed_incident_files_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "a.csv",
            "component,start,end\ndb,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z\ndb,2024-13-01T00:00:00Z,\n",
            "a.csv:3:4:",
            "not an RFC 3339 time",
        ),
        (
            "b.csv",
            "component,start,end\ndb,2024-02-01T02:00:00Z,2024-02-01T01:00:00Z\n",
            "b.csv:2:",
            "ends before it starts",
        ),
        (
            "c.csv",
            "name,start,end\ndb,2024-02-01T02:00:00Z,\n",
            "c.csv:1:1:",
            "lacks the column component",
        ),
        (
            "d.csv",
            "component,start,end\n\"db,2024-02-01T02:00:00Z,\n",
            "d.csv:2:1:",
            "not closed",
        ),
        (
            "e.json",
            "{\"incidents\": [\n  {\"created_at\": \"2024-02-01T00:00:00Z\", \"resolved_at\": \"soon\",\n   \"service\": {\"summary\": \"db\"}}]}\n",
            "e.json:2:",
            "not an RFC 3339 time",
        ),
        (
            "f.json",
            "{\"incidents\": [\n  {\"created_at\": \"2024-02-01T00:00:00Z\"}]}\n",
            "f.json:2:",
            "neither a `service` nor `components`",
        ),
        (
            "g.json",
            "{\"incidents\": [\n  {\"started_at\": \"2024-02-01T00:00:00Z\", \"components\": [{\"id\": \"x\"}]}]}\n",
            "g.json:2:",
            "no `name`",
        ),
        (
            "h.json",
            "{\"incidents\": [ {\"created_at\": ",
            "h.json:",
            "",
        ),
    ];
    for (name, text, place, message) in cases {
        let path = write_model(&dir, name, text);
        let (code, _, err) = calibrate_cli(&path, &[]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(place), "{name}: {err}");
        assert!(err.contains(message), "{name}: {err}");
    }
}

#[test]
fn with_a_model_unknown_names_are_errors_with_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(
        &dir,
        "i.csv",
        "component,start,end\ndatabse,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z\n",
    );
    let (code, _, err) = calibrate_cli(
        &path,
        &[
            "--model",
            repo_path("models/uncertain-store.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("i.csv:2:") && err.contains("did you mean `database`?"),
        "{err}"
    );
}

#[test]
fn the_overlay_is_a_model_with_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("history.yaml");
    let (code, out, err) = calibrate_cli(
        &repo_path("models/incidents/outages.csv"),
        &["-o", overlay.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let db = &report["components"][0];
    assert_eq!(db["name"], "database");
    // Four rows, two of them overlapping: three outages.
    assert_eq!(db["incidents"], 3);
    // Whole by itself: every component has an mttf and an mttr.
    let (_, system) = nines::model::load_system(&overlay).unwrap_or_else(|e| panic!("{e}"));
    let c = &system.components[system.component_id("database").unwrap()];
    assert!(matches!(
        c.doubt.mttf,
        Some(Spread::Incidents { count: 3, .. })
    ));
    assert!(matches!(c.doubt.mttr, Some(Spread::Range { .. })));
    let exposure = db["exposure_s"].as_f64().unwrap();
    assert_close!(c.failure.mean_s, exposure.round() / 3.5, 1e-12);
}

#[test]
fn the_report_shows_the_spread_when_the_model_has_doubt() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("review");
    let status = nines()
        .args(["report", "--no-tradeoff"])
        .arg(repo_path("models/uncertain-store.yaml"))
        .arg("-o")
        .arg(&out_dir)
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    // One distribution per component with an slo, and an interval beside every availability.
    assert_eq!(html.matches("class=\"chart doubt\"").count(), 1, "{html}");
    assert_eq!(html.matches("<br><span class=\"hint\">").count(), 4);
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("| checkout | 99.9% |"), "{md}");
    // Without doubt, nothing of it.
    let plain = dir.path().join("plain");
    nines()
        .args(["report", "--no-tradeoff"])
        .arg(repo_path("models/online-store.yaml"))
        .arg("-o")
        .arg(&plain)
        .output()
        .unwrap();
    let html = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!html.contains("chart doubt") && !html.contains("How sure"));
}

#[test]
fn draws_of_a_model_without_doubt_are_its_exact_values() {
    // Every shipped model: the diagram compiled once and read four draws a pass gives what the
    // exact engine gives, component by component (degrade, fallbacks, domains, maintenance).
    for entry in std::fs::read_dir(repo_path("models")).unwrap() {
        let path = entry.unwrap().path();
        if nines::model::Format::of(&path).is_none() {
            continue;
        }
        let (_, system) = nines::model::load_system(&path).unwrap();
        let exact = nines::exact::evaluate_system(&system).unwrap();
        let mut point = system.clone();
        for c in &mut point.components {
            c.doubt = Default::default();
        }
        for d in &mut point.domains {
            d.doubt = Default::default();
        }
        let drawn = run(&point, 5, 1, 2);
        for ((c, e), d) in system.components.iter().zip(&exact).zip(&drawn.components) {
            for &u in &d.unavailability {
                let scale = e.down.p.max(1e-300);
                assert!(
                    (u - e.down.p).abs() <= 1e-9 * scale,
                    "{}: {} drawn {u}, exact {}",
                    path.display(),
                    c.name,
                    e.down.p
                );
            }
        }
    }
}

#[test]
fn a_history_merged_over_an_availability_says_which_to_drop() {
    // calibrate's overlay gives every component an mttf; a model whose component gives its
    // availability then has both, and merging cannot remove the model's: the error points into
    // the overlay and names the model's line.
    let t = CliTest::new();
    std::fs::copy(
        repo_path("models/incidents/outages.csv"),
        t.path().join("outages.csv"),
    )
    .unwrap();
    let out = t
        .nines()
        .args(["calibrate", "outages.csv", "--since", "2024-01-01"])
        .args(["--until", "2025-01-01", "-o", "history.yaml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.write(
        "m.yaml",
        "components:
  database:
    availability: 99.9%
  payments: { mttf: 30d }
  web: { mttf: 30d, depends_on: [database, payments] }
",
    );
    let out = t
        .nines()
        .args(["eval", "m.yaml", "--overlay", "history.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let history = std::fs::read_to_string(t.path().join("history.yaml")).unwrap();
    let line = 1
        + (history.lines())
            .position(|l| l.trim_start().starts_with("mttf: { incidents: 3"))
            .expect("the overlay gives database's history");
    assert!(
        err.contains(&format!("history.yaml:{line}:"))
            && err.contains("component `database` gives both `availability` and `mttf`")
            && err.contains("`availability` comes from m.yaml:3:19")
            && err.contains("drop `availability` there"),
        "{err}"
    );
    // Dropped, the history is used.
    t.write(
        "m.yaml",
        "components:
  database: {}
  payments: { mttf: 30d }
  web: { mttf: 30d, depends_on: [database, payments] }
",
    );
    let out = t
        .nines()
        .args([
            "eval",
            "m.yaml",
            "--overlay",
            "history.yaml",
            "--uncertainty",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
