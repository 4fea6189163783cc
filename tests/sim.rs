//! Monte Carlo engines against independent truth: the exact engine, closed forms of the
//! alternating renewal process, and bounds derived from the sample and run counts.

use nines::sim::snapshot::{Importance, Method, SnapshotOptions, sample};
use nines::sim::timeline::{Start, TimelineOptions, simulate};
use nines::structure::Structure;

use crate::util::*;

/// Standard errors allowed between an estimate and the truth: a fixed seed passes or fails
/// always, and a correct engine misses by this much with odds of about 1 in 150,000.
const SIGMAS: f64 = 4.5;
const DAY: f64 = 86_400.0;
const HOUR: f64 = 3_600.0;
const YEAR: f64 = 365.0 * DAY;

/// Shared zones under a region, a k-of-n database, a group, a fail-open dependency with a
/// fallback, an optional one, maintenance (rolling and not), failover.
const STORE: &str = "
name: store
domains:
  region: { availability: 99.9% }
  az1: { availability: 99.5%, parent: region }
  az2: { availability: 99.5%, parent: region }
  az3: { mttf: 100d, mttr: 12h, parent: region }
components:
  db:
    availability: 99%
    replicas: 3
    min_available: 2
    spread: [az1, az2, az3]
  cache: { availability: 98% }
  queue: { availability: 99.5%, replicas: 2, spread: [az1, az2] }
  payments: { availability: 99.7%, external: true }
  web-east: { availability: 99%, spread: [az1], depends_on: [db] }
  web-west: { availability: 99%, spread: [az2], depends_on: [db] }
  api:
    availability: 99.8%
    replicas: 2
    spread: [az1, az2]
    maintenance: { every: 73d, duration: 4h, rolling: false }
    depends_on:
      - { at_least: 1, of: [web-east, web-west] }
      - { component: cache, on_failure: degrade, timeout: 1s }
      - { component: payments, on_failure: degrade, fallback: queue, timeout: 1s }
      - { component: cache, on_failure: ignore }
    slo: 99.5%
";

fn system_of(yaml: &str) -> (nines::system::System, Vec<nines::exact::StateOdds>) {
    eval_yaml(yaml)
}

#[test]
fn snapshot_estimates_match_the_exact_values() {
    let (system, exact) = system_of(STORE);
    let structure = Structure::new(&system);
    let n = 2_000_000u64;
    let r = sample(
        &structure,
        &SnapshotOptions {
            samples: n,
            seed: 11,
            threads: 2,
            importance: Importance::Off,
            ..SnapshotOptions::default()
        },
    );
    assert_eq!(r.samples, n);
    let mut covered = 0;
    for (c, (est, x)) in r.components.iter().zip(&exact).enumerate() {
        let name = &system.components[c].name;
        for (what, got, want) in [
            ("unavailability", est.unavailability, x.down.p),
            ("degraded", est.degraded, x.degraded),
        ] {
            let sd = (want * (1.0 - want) / n as f64).sqrt();
            assert!(
                (got - want).abs() <= SIGMAS * sd + 1e-12,
                "{name} {what}: sampled {got:e}, exact {want:e}, sd {sd:e}"
            );
        }
        let (lo, hi) = est.unavailability_ci95;
        covered += (lo <= x.down.p && x.down.p <= hi) as usize;
        assert!(est.availability + est.unavailability - 1.0 < 1e-12);
    }
    // 95% intervals: with 7 components, missing more than 2 has odds below 1 in 250.
    assert!(covered + 2 >= r.components.len(), "{covered} covered");
}

/// The drawing of events (geometric gaps, complements above one half, certain events) and the
/// bit-sliced k-of-n counter, against exact values, to a fraction of a percent.
#[test]
fn snapshot_draws_events_with_their_probabilities() {
    let (system, exact) = system_of(
        "
components:
  p30: { availability: 70% }
  p70: { availability: 30% }
  p50: { availability: 50% }
  rare: { availability: 99.9% }
  never: { availability: 100% }
  always: { availability: 0% }
  two-of-four: { availability: 60%, replicas: 4, min_available: 3 }
  three-of-five: { availability: 50%, replicas: 5, min_available: 3 }
  nine-of-twenty: { availability: 55%, replicas: 20, min_available: 9 }
",
    );
    let n = 4_000_000u64;
    let r = sample(
        &Structure::new(&system),
        &SnapshotOptions {
            samples: n,
            seed: 21,
            threads: 2,
            importance: Importance::Off,
            ..SnapshotOptions::default()
        },
    );
    for (c, (est, x)) in r.components.iter().zip(&exact).enumerate() {
        let want = x.down.p;
        let sd = (want * (1.0 - want) / n as f64).sqrt();
        assert!(
            (est.unavailability - want).abs() <= SIGMAS * sd,
            "{}: sampled {:e}, exact {want:e} (sd {sd:e})",
            system.components[c].name,
            est.unavailability
        );
    }
    assert_eq!(r.components[4].down_samples, 0);
    assert_eq!(r.components[5].down_samples, n);
}

/// Wilson's interval covers the truth about 95% of the time: checked over 300 seeds.
#[test]
fn snapshot_intervals_have_their_coverage() {
    let (system, exact) =
        system_of("components:\n  a: { availability: 99%, replicas: 2, min_available: 2 }\n");
    let structure = Structure::new(&system);
    let truth = exact[0].down.p;
    let trials = 300;
    let covered = (0..trials)
        .filter(|&seed| {
            let r = sample(
                &structure,
                &SnapshotOptions {
                    samples: 5_000,
                    seed,
                    importance: Importance::Off,
                    ..SnapshotOptions::default()
                },
            );
            let (lo, hi) = r.components[0].unavailability_ci95;
            lo <= truth && truth <= hi
        })
        .count();
    // Binomial(300, 0.95): mean 285, sd 3.8; a 90% or 99.9% interval would fall outside.
    let sd = (trials as f64 * 0.95 * 0.05).sqrt();
    assert!(
        (covered as f64 - 285.0).abs() <= SIGMAS * sd,
        "{covered} of {trials} covered"
    );
}

/// Nine nines: three replicas in three zones of one region. Plain sampling would need 10¹¹
/// samples; importance sampling gets within ±10% at once.
#[test]
fn importance_sampling_resolves_nine_nines() {
    let (system, exact) = system_of(
        "
domains:
  region: { availability: 99.9999999% }
  z1: { availability: 99.99%, parent: region }
  z2: { availability: 99.99%, parent: region }
  z3: { availability: 99.99%, parent: region }
components:
  store:
    availability: 99.9%
    replicas: 3
    spread: [z1, z2, z3]
  front: { availability: 99.99%, depends_on: [store] }
",
    );
    let truth = exact[0].down.p;
    assert!(truth > 1e-9 && truth < 3e-9, "{truth:e}");
    let structure = Structure::new(&system);
    let r = sample(
        &structure,
        &SnapshotOptions {
            samples: 100_000,
            seed: 3,
            threads: 2,
            rel_error: Some(0.05),
            ..SnapshotOptions::default()
        },
    );
    let store = &r.components[0];
    assert_eq!(store.method, Method::Importance);
    let (lo, hi) = store.unavailability_ci95;
    let sd = (hi - lo) / 2.0 / 1.96;
    assert!((hi - lo) / 2.0 <= 0.05 * store.unavailability * 1.0001);
    assert!(
        (store.unavailability - truth).abs() <= SIGMAS * sd,
        "importance estimate {:e}, exact {truth:e}, sd {sd:e}",
        store.unavailability
    );
    assert!((store.unavailability - truth).abs() <= 0.1 * truth);
    // `front` is dominated by its own 1e-4 and stays with plain sampling or converges too.
    let front = &r.components[1];
    assert!((front.unavailability - exact[1].down.p).abs() <= 0.1 * exact[1].down.p);
}

/// One likely way to fail (the region) and many unlikely ones (pairs of zones and replicas):
/// tuned biasing alone would sample only the first and report a narrow, wrong interval. Over
/// 40 seeds the intervals must cover the exact value about 95% of the time.
#[test]
fn importance_sampling_covers_every_failure_mode() {
    let (system, exact) = system_of(
        "
domains:
  region: { availability: 99.99% }
  a: { mttf: 180d, mttr: 2h, parent: region }
  b: { mttf: 180d, mttr: 2h, parent: region }
components:
  cache: { availability: 99.9%, replicas: 2, spread: [a, b] }
",
    );
    let truth = exact[0].down.p;
    let structure = Structure::new(&system);
    let trials = 40;
    let mut covered = 0;
    for seed in 0..trials {
        let r = sample(
            &structure,
            &SnapshotOptions {
                samples: 10_000,
                seed,
                rel_error: Some(0.05),
                ..SnapshotOptions::default()
            },
        );
        let c = &r.components[0];
        assert_eq!(c.method, Method::Importance);
        let (lo, hi) = c.unavailability_ci95;
        let sd = (hi - lo) / 2.0 / 1.96;
        assert!(
            (c.unavailability - truth).abs() <= SIGMAS * sd,
            "seed {seed}: {:e} vs {truth:e} (sd {sd:e})",
            c.unavailability
        );
        covered += (lo <= truth && truth <= hi) as u32;
    }
    // Binomial(40, 0.95): mean 38, sd 1.4.
    assert!(covered >= 32, "{covered} of {trials} covered");
}

/// Every component of the shipped example, plain or importance-sampled, within its interval.
#[test]
fn sampling_the_example_model() {
    let text = std::fs::read_to_string(repo_path("models/checkout.yaml")).unwrap();
    let (system, exact) = system_of(&text);
    let r = sample(
        &Structure::new(&system),
        &SnapshotOptions {
            samples: 1_000_000,
            seed: 1,
            threads: 2,
            ..SnapshotOptions::default()
        },
    );
    for (c, (est, x)) in r.components.iter().zip(&exact).enumerate() {
        let (lo, hi) = est.unavailability_ci95;
        let sd = ((hi - lo) / 2.0 / 1.96).max(1e-300);
        assert!(
            (est.unavailability - x.down.p).abs() <= SIGMAS * sd,
            "{}: {:e} in [{lo:e}, {hi:e}], exact {:e}",
            system.components[c].name,
            est.unavailability,
            x.down.p
        );
    }
}

#[test]
fn timeline_long_run_matches_the_exact_steady_state() {
    let (system, exact) = system_of(STORE);
    let runs = 300;
    let r = simulate(
        &system,
        &TimelineOptions {
            runs,
            horizon_s: 10.0 * YEAR,
            seed: 5,
            threads: 2,
            start: Start::Stationary,
        },
        &|_| {},
    );
    for (c, (x, e)) in r.components.iter().zip(&exact).enumerate() {
        let name = &system.components[c].name;
        let sd = x.outages_per_run.n as f64; // runs
        let se = (x.unavailability_ci95.1 - x.unavailability_ci95.0) / 2.0 / 1.96;
        assert_eq!(sd as u64, runs);
        // Runs start in the steady state, so only noise separates the two.
        assert!(
            (x.unavailability - e.down.p).abs() <= SIGMAS * se + 1e-3 * e.down.p,
            "{name}: simulated {:e} ± {se:e}, exact {:e}",
            x.unavailability,
            e.down.p
        );
        assert!((x.availability + x.unavailability - 1.0).abs() < 1e-9);
    }
}

const ONE: &str = "components:\n  svc: { mttf: 1000h, mttr: 10h, slo: 99.9% }\n";

/// An alternating renewal process starting up: E N(t) = λμt/(λ+μ) + λ²/(λ+μ)² (1 − e^−(λ+μ)t)
/// = 8.6734 failures in a year.
#[test]
fn expected_failures_in_a_year() {
    let (lambda, mu): (f64, f64) = (1.0 / 1000.0, 1.0 / 10.0);
    let t: f64 = 8760.0;
    let s = lambda + mu;
    let expected = lambda * mu * t / s + (lambda / s).powi(2) * (1.0 - (-s * t).exp());
    assert!((expected - 8.6734).abs() < 1e-4);
    let (system, _) = system_of(ONE);
    let r = simulate(
        &system,
        &TimelineOptions {
            runs: 20_000,
            horizon_s: YEAR,
            seed: 1,
            threads: 2,
            start: Start::New,
        },
        &|_| {},
    );
    let svc = &r.components[0];
    let m = &svc.outages_per_run;
    assert!(
        (m.mean() - expected).abs() <= SIGMAS * m.std_error(),
        "mean failures {} vs {expected} (se {})",
        m.mean(),
        m.std_error()
    );
    assert!((svc.failures_per_year - svc.outages_per_year).abs() <= 1e-3 * expected);
    // Outages last the repair time: exponential, mean 10 h, p95 = 10 h × ln 20.
    let mean = svc.mean_outage_s.unwrap() / HOUR;
    let sd = 10.0 / (m.mean() * 20_000.0).sqrt();
    assert!(
        (mean - 10.0).abs() <= SIGMAS * sd + 0.01,
        "mean outage {mean} h"
    );
    let p95 = svc.p95_outage_s.unwrap() / HOUR;
    assert!(
        (p95 - 10.0 * 20f64.ln()).abs() <= 0.03 * 29.96,
        "p95 outage {p95} h"
    );
}

/// P(downtime in the first 30-day window > 43.2 min) = 0.48824: the downtime exceeds b when
/// the repairs during the first T − b of uptime (Poisson many, each exponential) exceed b.
#[test]
fn first_window_breach_probability() {
    let (lambda, mu, t, b): (f64, f64, f64, f64) = (1.0 / 1000.0, 1.0 / 10.0, 720.0, 0.72);
    let closed = (1..60)
        .map(|n| {
            let u = lambda * (t - b);
            let pn =
                (-u + n as f64 * u.ln() - nines::sim::lifetime::ln_gamma(n as f64 + 1.0)).exp();
            let tail: f64 = (0..n)
                .map(|k| {
                    (-mu * b + k as f64 * (mu * b).ln()
                        - nines::sim::lifetime::ln_gamma(k as f64 + 1.0))
                    .exp()
                })
                .sum();
            pn * tail
        })
        .sum::<f64>();
    assert!((closed - 0.48824).abs() < 1e-5, "{closed}");
    let (system, _) = system_of(ONE);
    let runs = 40_000;
    let r = simulate(
        &system,
        &TimelineOptions {
            runs,
            horizon_s: 30.0 * DAY,
            seed: 2,
            threads: 2,
            start: Start::New,
        },
        &|_| {},
    );
    assert_eq!(r.windows_per_run, 1);
    let p = r.components[0].p_window_breach.unwrap();
    let sd = (closed * (1.0 - closed) / runs as f64).sqrt();
    assert!(
        (p - closed).abs() <= SIGMAS * sd,
        "{p} vs {closed} (sd {sd})"
    );
    assert_eq!(r.components[0].budget_s, Some(2592.0));
    // A breached window ran out of budget within the window.
    let e = r.components[0].mean_budget_exhaustion_s.unwrap();
    assert!(e > 0.0 && e < 30.0 * DAY);
}

/// Outages of the target shorter than `tolerate` are invisible: with exponential repairs of
/// mean m the dependent sees (D − τ)⁺ of each, m·e^(−τ/m) on average.
#[test]
fn tolerate_hides_short_outages() {
    let (system, exact) = system_of(
        "
components:
  db: { mttf: 100h, mttr: 1h }
  app:
    availability: 100%
    depends_on: [{ component: db, tolerate: 1h }]
",
    );
    let r = simulate(
        &system,
        &TimelineOptions {
            runs: 200,
            horizon_s: 10.0 * YEAR,
            seed: 9,
            threads: 2,
            start: Start::Stationary,
        },
        &|_| {},
    );
    let want = exact[0].down.p * (-1f64).exp();
    let app = &r.components[1];
    let se = (app.unavailability_ci95.1 - app.unavailability_ci95.0) / 2.0 / 1.96;
    assert!(
        (app.unavailability - want).abs() <= SIGMAS * se,
        "app {:e} vs {want:e} ± {se:e}",
        app.unavailability
    );
    // Fewer outages: only those longer than an hour, e^−1 of them.
    let db = &r.components[0];
    let ratio = app.outages_per_year / db.outages_per_year;
    assert!((ratio - (-1f64).exp()).abs() < 0.03, "{ratio}");
}

/// Each replica failure that leaves enough replicas up costs one failover: with three
/// replicas (one needed) that is nearly every failure, 3 × failover / (MTTF + MTTR).
#[test]
fn failover_outages() {
    let (system, _) =
        system_of("components:\n  db: { mttf: 100h, mttr: 1h, replicas: 3, failover: 5m }\n");
    let r = simulate(
        &system,
        &TimelineOptions {
            runs: 100,
            horizon_s: 10.0 * YEAR,
            seed: 4,
            threads: 2,
            start: Start::Stationary,
        },
        &|_| {},
    );
    let db = &r.components[0];
    let failover = 3.0 * 300.0 / (101.0 * HOUR);
    let all_down = (1.0f64 / 101.0).powi(3);
    let want = failover + all_down;
    let se = (db.unavailability_ci95.1 - db.unavailability_ci95.0) / 2.0 / 1.96;
    // Overlaps of two failovers or with the all-down state change it by less than 1%.
    assert!(
        (db.unavailability - want).abs() <= SIGMAS * se + 0.01 * want,
        "{:e} vs {want:e}",
        db.unavailability
    );
    let failures = db.failures_per_year;
    assert!((db.outages_per_year - failures).abs() < 0.02 * failures);
}

/// Maintenance is scheduled exactly: rolling takes replicas one at a time (never two at once),
/// non-rolling the whole component; with no failures the downtime is deterministic.
#[test]
fn maintenance_is_scheduled_exactly() {
    let (system, _) = system_of(
        "
components:
  rolling:
    availability: 100%
    replicas: 3
    min_available: 3
    maintenance: { every: 73d, duration: 6h, rolling: true }
  tolerant:
    availability: 100%
    replicas: 3
    min_available: 2
    maintenance: { every: 73d, duration: 6h, rolling: true }
  whole:
    availability: 100%
    maintenance: { every: 73d, duration: 6h }
",
    );
    let r = simulate(
        &system,
        &TimelineOptions {
            runs: 3,
            horizon_s: YEAR,
            seed: 0,
            threads: 1,
            start: Start::New,
        },
        &|_| {},
    );
    let f = 6.0 / (73.0 * 24.0);
    assert_close!(r.components[0].unavailability, 3.0 * f, 1e-9);
    assert_close!(r.components[0].outages_per_year, 5.0, 1e-9);
    assert_eq!(r.components[1].unavailability, 0.0);
    assert_close!(r.components[2].unavailability, f, 1e-9);
    assert_close!(r.components[2].mean_outage_s.unwrap(), 6.0 * HOUR, 1e-9);
}

/// Weibull, lognormal, gamma and fixed repairs keep their means: the mean outage of a single
/// replica is the mean repair time.
#[test]
fn repair_distributions_keep_their_means() {
    for dist in [
        "{ dist: weibull, mean: 2h, shape: 1.5 }",
        "{ dist: lognormal, mean: 2h, sigma: 1.0 }",
        "{ dist: gamma, mean: 2h, shape: 0.5 }",
        "{ dist: fixed, mean: 2h }",
    ] {
        let (system, exact) = system_of(&format!(
            "components:\n  x:\n    failure: {{ dist: weibull, mean: 200h, shape: 2 }}\n    repair: {dist}\n"
        ));
        let r = simulate(
            &system,
            &TimelineOptions {
                runs: 200,
                horizon_s: 5.0 * YEAR,
                seed: 8,
                threads: 2,
                start: Start::Stationary,
            },
            &|_| {},
        );
        let x = &r.components[0];
        let n = x.outages_per_run.sum;
        // Lognormal with sigma 1 has the largest spread: sd = mean·√(e − 1) ≈ 1.31 mean.
        let se = 2.0 * HOUR * 1.32 / n.sqrt();
        let mean = x.mean_outage_s.unwrap();
        assert!(
            (mean - 2.0 * HOUR).abs() <= SIGMAS * se,
            "{dist}: mean outage {mean} s (se {se})"
        );
        let se_u = (x.unavailability_ci95.1 - x.unavailability_ci95.0) / 2.0 / 1.96;
        assert!(
            (x.unavailability - exact[0].down.p).abs() <= SIGMAS * se_u + 0.02 * exact[0].down.p,
            "{dist}: {:e} vs {:e}",
            x.unavailability,
            exact[0].down.p
        );
    }
}

fn run_cli(args: &[&str]) -> (String, String) {
    let out = nines().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn same_seed_same_output_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let m = model.to_str().unwrap();
    let checkout = repo_path("models/checkout.yaml")
        .to_str()
        .unwrap()
        .to_string();
    for cmd in [
        vec![
            "simulate", m, "--runs", "50", "--seed", "3", "--format", "json",
        ],
        vec![
            "sample",
            m,
            "--samples",
            "300000",
            "--seed",
            "3",
            "--format",
            "json",
        ],
        // Importance sampling too: four of its components are too rare for plain sampling.
        vec![
            "sample",
            &checkout,
            "--samples",
            "20000",
            "--seed",
            "3",
            "--format",
            "json",
        ],
    ] {
        let with = |t: &str| {
            let mut a = cmd.clone();
            a.extend(["--threads", t]);
            run_cli(&a).0
        };
        let one = with("1");
        assert_eq!(one, with("2"), "{}", cmd[0]);
        assert_eq!(one, with("3"), "{}", cmd[0]);
        let mut other = cmd.clone();
        other[5] = "4";
        assert_ne!(one, run_cli(&other).0, "another seed, other numbers");
    }
}

#[test]
fn json_has_the_spec_fields() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let m = model.to_str().unwrap();
    let (out, err) = run_cli(&["simulate", m, "--runs", "20", "--format", "json"]);
    assert!(err.is_empty(), "no progress bar when piped: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"], 20);
    assert_eq!(v["horizon_s"], YEAR);
    assert_eq!(v["windows_per_run"], 12);
    let comps = v["components"].as_array().unwrap();
    assert_eq!(comps.len(), 7);
    for c in comps {
        for key in [
            "name",
            "availability",
            "unavailability",
            "degraded",
            "ci95",
            "outages_per_year",
            "mean_outage_s",
            "window_downtime_s",
            "p_window_breach",
        ] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        for p in ["p50", "p90", "p99"] {
            assert!(c["window_downtime_s"][p].is_number());
        }
        let slo = !c["slo"].is_null();
        assert_eq!(c["p_window_breach"].is_number(), slo, "{c}");
    }
    let (out, _) = run_cli(&["sample", m, "--samples", "10000", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["samples"], 10000);
    for c in v["components"].as_array().unwrap() {
        for key in [
            "name",
            "availability",
            "unavailability",
            "degraded",
            "ci95",
            "samples",
        ] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        assert!(c["exact"]["unavailability"].is_number());
        let ci = c["ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap());
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "store.yaml", STORE);
    let m = model.to_str().unwrap();
    // Half the draws of a weibull of shape 0.001 are zero for all practical purposes: the
    // clock would never get anywhere.
    let skewed = write_model(
        &dir,
        "skewed.yaml",
        "components:\n  x:\n    failure: { dist: weibull, mean: 1h, shape: 0.001 }\n",
    );
    let skewed = skewed.to_str().unwrap().to_string();
    // 10¹³ events.
    let busy = write_model(
        &dir,
        "busy.yaml",
        "components:\n  x: { mttf: 1s, mttr: 1s, replicas: 100 }\n",
    );
    let busy = busy.to_str().unwrap().to_string();
    for args in [
        vec!["simulate", m, "--horizon", "0s"],
        vec!["simulate", m, "--horizon", "5"],
        vec!["simulate", m, "--runs", "0"],
        vec!["simulate", m, "--threads", "0"],
        vec!["sample", m, "--rel-error", "2"],
        vec!["sample", m, "--samples", "0"],
        vec!["sample", "/no/such/model.yaml"],
        vec!["simulate", &skewed],
        vec!["simulate", &busy, "--horizon", "100y"],
    ] {
        let out = nines().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error"));
    }
}
