//! How timeline runs start: in the steady state (`--start stationary`, the default) or all up
//! and new (`--start new`). Checked against closed forms of renewal theory with stated
//! confidence.

use nines::sim::lifetime::{Sampler, ln_gamma};
use nines::sim::stream::Chunks;
use nines::sim::timeline::{Start, TimelineOptions, TimelineResult, simulate};
use nines::system::{DistKind, Lifetime};

use crate::util::*;

const DAY: f64 = 86_400.0;
/// The two-sided 99.9% normal quantile.
const Z999: f64 = 3.290_527;

fn run(yaml: &str, runs: u64, horizon_s: f64, seed: u64, start: Start) -> TimelineResult {
    let (system, _) = eval_yaml(yaml);
    simulate(
        &system,
        &TimelineOptions {
            runs,
            horizon_s,
            seed,
            threads: 2,
            start,
        },
        &|_| {},
    )
}

/// The standard error of a component's mean unavailability, from its 95% interval.
fn std_error(r: &TimelineResult, c: usize) -> f64 {
    let (lo, hi) = r.components[c].unavailability_ci95;
    (hi - lo) / 2.0 / 1.959_964
}

/// E[X^j] of a lifetime parameterised as the model file does (mean, shape or sigma).
fn raw_moment(kind: DistKind, mean: f64, shape: f64, j: i32) -> f64 {
    let g = |x: f64| ln_gamma(x).exp();
    let j_f = j as f64;
    match kind {
        DistKind::Exponential => g(j_f + 1.0) * mean.powi(j),
        DistKind::Weibull => {
            let scale = mean / g(1.0 + 1.0 / shape);
            scale.powi(j) * g(1.0 + j_f / shape)
        }
        DistKind::Lognormal => {
            let mu = mean.ln() - shape * shape / 2.0;
            (j_f * mu + j_f * j_f * shape * shape / 2.0).exp()
        }
        DistKind::Gamma => (mean / shape).powi(j) * (ln_gamma(shape + j_f) - ln_gamma(shape)).exp(),
        DistKind::Fixed => mean.powi(j),
    }
}

/// The residual life from a random instant has mean E[X²]/(2E[X]) and second moment
/// E[X³]/(3E[X]) (the equilibrium density S(x)/E[X]); the sample mean of 200,000 draws lies
/// within 4 standard errors of it (a miss by chance has odds of about 1 in 16,000).
#[test]
fn residual_life_has_the_equilibrium_mean() {
    let n = 200_000;
    let mean = 10.0;
    let cases = [
        (DistKind::Exponential, 1.0),
        (DistKind::Weibull, 0.5),
        (DistKind::Weibull, 1.5),
        (DistKind::Weibull, 3.0),
        (DistKind::Lognormal, 0.5),
        (DistKind::Lognormal, 1.2),
        (DistKind::Gamma, 0.4),
        (DistKind::Gamma, 2.5),
        (DistKind::Fixed, 1.0),
    ];
    let mut streams = Chunks::new(11, 0).take(cases.len());
    for (kind, shape) in cases {
        let sampler = Sampler::new(&Lifetime {
            kind,
            mean_s: mean,
            shape,
        });
        assert!(
            (sampler.mean() - mean).abs() < 1e-9 * mean,
            "{kind:?} {shape}"
        );
        let mut s = streams.next().unwrap();
        let xs: Vec<f64> = (0..n).map(|_| sampler.residual(&mut s)).collect();
        assert!(
            xs.iter().all(|&x| x > 0.0 && x.is_finite()),
            "{kind:?} {shape}"
        );
        let want = raw_moment(kind, mean, shape, 2) / (2.0 * mean);
        let second = raw_moment(kind, mean, shape, 3) / (3.0 * mean);
        let se = ((second - want * want) / n as f64).sqrt();
        let got = xs.iter().sum::<f64>() / n as f64;
        assert!(
            (got - want).abs() <= 4.0 * se,
            "{kind:?} shape {shape}: residual mean {got} vs {want} (se {se})"
        );
    }
}

/// Not just the mean: the equilibrium distribution of a weibull of shape ½ (mean 2λ) has the
/// closed form F(x) = 1 − e^(−y)(1 + y), y = √(x/λ); a fixed time's is uniform. At each point
/// the share of 200,000 draws below it is within 4 binomial standard errors.
#[test]
fn residual_life_has_the_equilibrium_distribution() {
    let n = 200_000;
    let mut streams = Chunks::new(12, 0).take(2);
    let lambda = 5.0;
    let weibull = Sampler::new(&Lifetime {
        kind: DistKind::Weibull,
        mean_s: 2.0 * lambda,
        shape: 0.5,
    });
    let fixed = Sampler::new(&Lifetime {
        kind: DistKind::Fixed,
        mean_s: 8.0,
        shape: 1.0,
    });
    let cdf_weibull = |x: f64| {
        let y = (x / lambda).sqrt();
        1.0 - (-y).exp() * (1.0 + y)
    };
    let cdf_fixed = |x: f64| (x / 8.0).min(1.0);
    for (sampler, cdf, points) in [
        (
            weibull,
            &cdf_weibull as &dyn Fn(f64) -> f64,
            [0.5, 5.0, 20.0, 80.0],
        ),
        (
            fixed,
            &cdf_fixed as &dyn Fn(f64) -> f64,
            [0.5, 2.0, 4.0, 7.0],
        ),
    ] {
        let mut s = streams.next().unwrap();
        let xs: Vec<f64> = (0..n).map(|_| sampler.residual(&mut s)).collect();
        for x in points {
            let p = cdf(x);
            let got = xs.iter().filter(|&&v| v <= x).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (got - p).abs() <= 4.0 * se,
                "{sampler:?}: P(X ≤ {x}) = {got} vs {p}"
            );
        }
    }
}

/// Weibull shape ½ failures (mean 30 days) and one-day repairs over a 30-day horizon. From a
/// stationary start every window's expected unavailability is the steady state's, 1/31. From
/// an all-new start the early failures a decreasing hazard brings nearly double it (≈ 0.063,
/// by an independent simulation, per-run sd ≈ 0.071): with 20,000 runs the 99.9% interval is
/// ±0.0017 wide, and 1/31 lies some 18 half-widths below it.
#[test]
fn stationary_start_has_the_steady_state_downtime_from_the_first_window() {
    let yaml = "
components:
  svc:
    failure: { dist: weibull, mean: 30d, shape: 0.5 }
    repair: { dist: exponential, mean: 1d }
";
    let exact = 1.0 / 31.0;
    let runs = 20_000;
    let steady = run(yaml, runs, 30.0 * DAY, 3, Start::Stationary);
    let new = run(yaml, runs, 30.0 * DAY, 3, Start::New);
    let (s, se) = (steady.components[0].unavailability, std_error(&steady, 0));
    assert!(
        (s - exact).abs() <= Z999 * se,
        "stationary: {s} ± {se} vs {exact}"
    );
    let (x, se_new) = (new.components[0].unavailability, std_error(&new, 0));
    assert!(
        x - Z999 * se_new > exact,
        "new: {x} ± {se_new} should lie above {exact}"
    );
    assert_eq!(steady.start, Start::Stationary);
    assert_eq!(new.start, Start::New);
    // Outages over [0, H): the one in progress at 0 (probability μR/(μF + μR)) plus the
    // failures, H/(μF + μR) of them in a stationary renewal process: (30 + 1)/31 = 1.
    let outages = &steady.components[0].outages_per_run;
    assert!(
        (outages.mean() - 1.0).abs() <= Z999 * outages.std_error(),
        "outages per run {} ± {}",
        outages.mean(),
        outages.std_error()
    );
}

/// Replicas and domains with very long lives (a million years up, as long down) start down
/// half the time and stay so over a day. A replica that starts down is no failure: no failures
/// are counted, and no failover either (had they been, a pair with one replica down would lose a
/// failover hour, and the pair's unavailability would be 0.25 + 0.5/24 instead of 0.25). Each
/// run's unavailability is 0 or 1, so its mean has a binomial standard error.
#[test]
fn what_starts_down_is_neither_a_failure_nor_a_failover() {
    let yaml = "
domains:
  zone: { mttf: 1000000y, mttr: 1000000y }
components:
  pair: { mttf: 1000000y, mttr: 1000000y, replicas: 2, failover: 1h }
  hosted: { availability: 100%, spread: [zone] }
";
    let runs = 20_000;
    let r = run(yaml, runs, DAY, 5, Start::Stationary);
    for (c, want) in [(0, 0.25), (1, 0.5)] {
        let got = r.components[c].unavailability;
        let se = (want * (1.0 - want) / runs as f64).sqrt();
        assert!(
            (got - want).abs() <= Z999 * se,
            "component {c}: {got} vs {want}"
        );
    }
    assert_eq!(r.components[0].failures_per_year, 0.0);
    // Down from t = 0 is one outage.
    let outages = &r.components[0].outages_per_run;
    assert!((outages.mean() - 0.25).abs() <= Z999 * (0.25f64 * 0.75 / runs as f64).sqrt());
}

/// Rolling maintenance keeps its wave under a stationary start: one phase per component, so
/// replicas stay back to back and never overlap. Over whole periods every run then has the
/// exact share (2 × 1 day in 10 for a pair needing both replicas, 1 in 10 for the whole
/// component) and a pair needing one replica is never down; over half a period the share is
/// right on average only.
#[test]
fn rolling_maintenance_keeps_its_wave() {
    let yaml = "
components:
  both:
    availability: 100%
    replicas: 2
    min_available: 2
    maintenance: { every: 10d, duration: 1d, rolling: true }
  either:
    availability: 100%
    replicas: 2
    min_available: 1
    maintenance: { every: 10d, duration: 1d, rolling: true }
  whole:
    availability: 100%
    maintenance: { every: 10d, duration: 1d }
";
    let runs = 2_000;
    let r = run(yaml, runs, 50.0 * DAY, 1, Start::Stationary);
    for (c, want) in [(0, 0.2), (1, 0.0), (2, 0.1)] {
        let x = &r.components[c];
        let (lo, hi) = x.unavailability_ci95;
        assert!(
            (x.unavailability - want).abs() < 1e-9,
            "{c}: {}",
            x.unavailability
        );
        assert!(hi - lo < 1e-9, "{c}: every run the same, [{lo}, {hi}]");
    }
    // Five waves, and one more when a wave is cut by the start (probability 2/10) and so,
    // the schedule being periodic, by the horizon too.
    let outages = &r.components[0].outages_per_run;
    assert!(
        (outages.mean() - 5.2).abs() <= Z999 * outages.std_error(),
        "{} ± {}",
        outages.mean(),
        outages.std_error()
    );
    let half = run(yaml, runs, 5.0 * DAY, 2, Start::Stationary);
    for (c, want) in [(0, 0.2), (2, 0.1)] {
        let got = half.components[c].unavailability;
        let se = std_error(&half, c);
        assert!(
            se > 0.0 && (got - want).abs() <= Z999 * se,
            "{c}: {got} ± {se}"
        );
    }
    assert_eq!(half.components[1].unavailability, 0.0);
    // All new, the wave ends each period: the first five days are clean.
    let new = run(yaml, runs, 5.0 * DAY, 2, Start::New);
    assert_eq!(new.components[0].unavailability, 0.0);
}

const MIXED: &str = "
domains:
  region: { mttf: 400d, mttr: 6h }
  az1: { availability: 99.5%, parent: region }
  az2: { failure: { dist: weibull, mean: 90d, shape: 0.7 }, mttr: 3h, parent: region }
components:
  db:
    failure: { dist: weibull, mean: 20d, shape: 0.5 }
    repair: { dist: lognormal, mean: 1h, sigma: 1.0 }
    replicas: 3
    min_available: 2
    spread: [az1, az2]
    failover: 30s
    maintenance: { every: 7d, duration: 1h, rolling: true }
  cache:
    failure: { dist: gamma, mean: 10d, shape: 2 }
    repair: { dist: fixed, mean: 2h }
    maintenance: { every: 30d, duration: 4h }
  app:
    availability: 99.9%
    replicas: 2
    spread: [az1, az2]
    slo: 99.9%
    depends_on:
      - { component: db, tolerate: 1m }
      - { component: cache, on_failure: degrade }
";

#[test]
fn same_seed_same_json_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "mixed.yaml", MIXED);
    let m = model.to_str().unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec!["simulate", m, "--runs", "64", "--seed", "7", "-f", "json"];
        args.extend(extra);
        cli(&args)
    };
    let one = json(&["--threads", "1"]);
    assert_eq!(one, json(&["--threads", "2"]));
    assert_eq!(one, json(&["--threads", "2", "--start", "stationary"]));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["start"], "stationary");
    let new = json(&["--threads", "1", "--start", "new"]);
    assert_eq!(new, json(&["--threads", "2", "--start", "new"]));
    let v: serde_json::Value = serde_json::from_str(&new).unwrap();
    assert_eq!(v["start"], "new");
    assert_ne!(one, new, "another start, other numbers");
}

#[test]
fn start_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "mixed.yaml", MIXED);
    let m = model.to_str().unwrap();
    let table = cli(&["simulate", m, "--runs", "8", "--start", "new"]);
    assert!(table.contains("starting all up and new"), "{table}");
    let table = cli(&["simulate", m, "--runs", "8"]);
    assert!(!table.contains("starting all up"), "{table}");
    let out = dir.path().join("review");
    cli(&[
        "report",
        m,
        "-o",
        out.to_str().unwrap(),
        "--no-tradeoff",
        "--simulate",
        "--runs",
        "8",
        "--start",
        "new",
    ]);
    assert!(out.join("report.md").exists());
    for args in [
        vec!["simulate", m, "--start", "cold"],
        vec!["report", m, "-o", out.to_str().unwrap(), "--start", "new"],
    ] {
        let o = nines().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--start"));
    }
}
