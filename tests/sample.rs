//! `nines sample` against the exact engine over many seeds: its 95% intervals cover the exact
//! unavailability 95% of the time and its estimates are unbiased, from 10⁻² down to 10⁻⁹, on
//! both sides of the switch between plain and importance sampling.

use nines::exact;
use nines::sim::snapshot::{Method, SnapshotOptions, sample};
use nines::structure::Structure;

use crate::util::*;

/// One component at unavailability `u`.
fn single(u: f64) -> String {
    format!(
        "components:\n  a: {{ availability: {:.15}% }}\n",
        100.0 * (1.0 - u)
    )
}

/// A 2-of-3 database whose replicas share one zone: down when the zone is (half of `u`) or two
/// replicas are (about the other half).
fn redundant(u: f64) -> String {
    let zone = u / 2.0;
    let replica = (u / 6.0).sqrt();
    format!(
        "domains:\n  zone: {{ availability: {:.15}% }}\ncomponents:\n  db: {{ availability: {:.15}%, replicas: 3, min_available: 2, spread: [zone] }}\n",
        100.0 * (1.0 - zone),
        100.0 * (1.0 - replica)
    )
}

/// How the intervals and estimates of one model's first component fared over seeds.
struct Trial {
    exact: f64,
    seeds: u64,
    covered: u64,
    /// The mean estimate's distance from the exact value, in standard errors of that mean (the
    /// spread of the estimates between seeds over √seeds).
    z: f64,
    importance: u64,
}

fn trial(yaml: &str, seeds: u64) -> Trial {
    trial_of(yaml, seeds, 0)
}

/// How the intervals and estimates of one component of a model fared over seeds.
fn trial_of(yaml: &str, seeds: u64, component: usize) -> Trial {
    let (system, _) = eval_yaml(yaml);
    let structure = Structure::new(&system);
    let exact = exact::evaluate(&structure).unwrap()[component].down.p;
    let (mut covered, mut importance) = (0, 0);
    let estimates: Vec<f64> = (0..seeds)
        .map(|seed| {
            let r = sample(
                &structure,
                &SnapshotOptions {
                    seed,
                    ..SnapshotOptions::default()
                },
            );
            let c = &r.components[component];
            let (lo, hi) = c.unavailability_ci95;
            covered += (lo <= exact && exact <= hi) as u64;
            importance += (c.method == Method::Importance) as u64;
            c.unavailability
        })
        .collect();
    let n = seeds as f64;
    let mean = estimates.iter().sum::<f64>() / n;
    let var = estimates.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Trial {
        exact,
        seeds,
        covered,
        z: (mean - exact) / (var / n).sqrt(),
        importance,
    }
}

/// The band that Binomial(n, 0.95) falls in with probability at least 1 − `alpha`: the counts
/// left out below and above each have probability at most `alpha` / 2 (exact, from the
/// binomial's probabilities).
fn binomial_band(n: u64, alpha: f64) -> (u64, u64) {
    let ln_pmf = |k: u64| {
        let ln_choose: f64 = (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum();
        ln_choose + k as f64 * 0.95f64.ln() + (n - k) as f64 * 0.05f64.ln()
    };
    let pmf: Vec<f64> = (0..=n).map(|k| ln_pmf(k).exp()).collect();
    let (mut lo, mut below) = (0, 0.0);
    while below + pmf[lo as usize] <= alpha / 2.0 {
        below += pmf[lo as usize];
        lo += 1;
    }
    let (mut hi, mut above) = (n, 0.0);
    while above + pmf[hi as usize] <= alpha / 2.0 {
        above += pmf[hi as usize];
        hi -= 1;
    }
    (lo, hi)
}

/// Coverage within the band where a correct engine's count falls with probability 1 − `alpha`,
/// and the mean within `z_max` standard errors of the exact value.
fn check(what: &str, t: &Trial, alpha: f64, z_max: f64) {
    let (lo, hi) = binomial_band(t.seeds, alpha);
    eprintln!(
        "{what}: exact {:.3e}, covered {}/{} (band {lo}..={hi}), z {:+.2}, importance {}",
        t.exact, t.covered, t.seeds, t.z, t.importance
    );
    assert!(
        (lo..=hi).contains(&t.covered),
        "{what}: the 95% intervals covered {:.3e} in {} of {} seeds",
        t.exact,
        t.covered,
        t.seeds
    );
    assert!(
        t.z.abs() < z_max,
        "{what}: the mean estimate is {:+.2} standard errors from {:.3e}",
        t.z,
        t.exact
    );
}

/// The unavailabilities checked: every power of ten from 10⁻² to 10⁻⁹, and 4·10⁻⁴, where a
/// million plain samples reach ±10% about half the time (so the pilot picks either method).
fn grid() -> Vec<(String, f64)> {
    let mut us: Vec<(String, f64)> = (2..=9)
        .map(|e| (format!("1e-{e}"), 10f64.powi(-e)))
        .collect();
    us.push(("4e-4".into(), 4e-4));
    us
}

/// 80 seeds per case, as CI runs them: plain sampling (10⁻²), the switch (4·10⁻⁴, where
/// choosing the method from the reported samples biased the mean by +1.5%) and importance
/// sampling (10⁻⁷, 10⁻⁹), on both models. The coverage bands hold all 8 counts together with
/// probability 99.9% (Bonferroni: 1 − 0.001/8 each); |z| < 3 fails a correct engine's case with
/// odds of 1 in 370. The seeds are fixed, so the test passes or fails always.
#[test]
fn intervals_cover_and_estimates_are_unbiased() {
    let cases = [
        ("1e-2", 1e-2),
        ("4e-4", 4e-4),
        ("1e-7", 1e-7),
        ("1e-9", 1e-9),
    ];
    let alpha = 0.001 / (2 * cases.len()) as f64;
    for (name, u) in cases {
        check(
            &format!("single {name}"),
            &trial(&single(u), 80),
            alpha,
            3.0,
        );
        check(
            &format!("2-of-3 {name}"),
            &trial(&redundant(u), 80),
            alpha,
            3.0,
        );
    }
}

/// The full grid over 400 seeds, both models: coverage within the band that holds all 18
/// counts together with probability 99.9% (360..=395 of 400 each; 364..=393 for one case
/// alone), and |z| < 3 at every unavailability.
#[test]
#[ignore = "slow: 7,200 runs of `sample`, half a minute on two idle cores"]
fn intervals_cover_and_estimates_are_unbiased_everywhere() {
    let cases = grid();
    let alpha = 0.001 / (2 * cases.len()) as f64;
    for (name, u) in cases {
        check(
            &format!("single {name}"),
            &trial(&single(u), 400),
            alpha,
            3.0,
        );
        check(
            &format!("2-of-3 {name}"),
            &trial(&redundant(u), 400),
            alpha,
            3.0,
        );
    }
}

/// The bands, against the binomial's probabilities summed independently (Python's
/// `math.comb`): 99.9% of Binomial(400, 0.95) lies in 364..=393.
#[test]
fn coverage_bands_are_the_binomials() {
    assert_eq!(binomial_band(400, 0.001), (364, 393));
    assert_eq!(binomial_band(400, 0.001 / 18.0), (360, 395));
    assert_eq!(binomial_band(80, 0.001), (68, 80));
    assert_eq!(binomial_band(80, 0.001 / 8.0), (67, 80));
}

/// A component at 99.999993% (7·10⁻⁸): with a million plain samples one is DOWN about one
/// time in 14. That sample used to overrule the importance estimate, and ≈10⁻⁶ was reported
/// with an interval that excluded the truth (seeds 24, 57, 66 and 95 of the earlier streams did;
/// seed 8 of the audit's).
#[test]
fn one_plain_hit_does_not_overrule_the_rare_event_estimate() {
    let (system, states) = eval_yaml("components:\n  a: { availability: 99.999993% }\n");
    let exact = states[0].down.p;
    assert_close!(exact, 7e-8, 1e-6);
    let structure = Structure::new(&system);
    for seed in [8, 24, 57, 66, 95] {
        let r = sample(
            &structure,
            &SnapshotOptions {
                seed,
                ..SnapshotOptions::default()
            },
        );
        let c = &r.components[0];
        let (lo, hi) = c.unavailability_ci95;
        assert_eq!(c.method, Method::Importance, "seed {seed}");
        assert!(
            lo <= exact && exact <= hi,
            "seed {seed}: {:e} in [{lo:e}, {hi:e}], exact {exact:e}",
            c.unavailability
        );
        assert!(c.ess >= 100.0, "seed {seed}: ess {}", c.ess);
    }
}

/// The estimate and everything reported beside it are the same for any thread count, with a
/// pilot, plain and importance components, and `--rel-error`.
#[test]
fn same_seed_same_json_for_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "mixed.yaml",
        "domains:\n  zone: { availability: 99.99% }\ncomponents:\n  db: { availability: 99.9%, replicas: 3, min_available: 2, spread: [zone] }\n  web: { availability: 99%, depends_on: [db] }\n",
    );
    let m = model.to_str().unwrap();
    for extra in [&[][..], &["--rel-error", "0.05"][..]] {
        let run = |threads: &str| {
            let out = nines()
                .args([
                    "sample",
                    m,
                    "--samples",
                    "200000",
                    "--seed",
                    "5",
                    "-f",
                    "json",
                ])
                .args(extra)
                .args(["--threads", threads])
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout).unwrap()
        };
        let one = run("1");
        assert_eq!(one, run("2"), "{extra:?}");
        let v: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert_eq!(v["pilot_samples"], 50_000);
        let methods: Vec<&str> = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let ess = c["ess"].as_f64().unwrap();
                if c["method"] == "plain" {
                    assert_eq!(ess, c["down_samples"].as_f64().unwrap());
                } else {
                    assert!(ess >= 100.0 && ess <= c["samples"].as_f64().unwrap());
                }
                c["method"].as_str().unwrap()
            })
            .collect();
        assert_eq!(methods, ["importance", "plain"], "{extra:?}");
    }
}

/// The table names each estimate's method with its effective sample size.
#[test]
fn table_shows_method_and_ess() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "one.yaml", &single(1e-9));
    let out = nines()
        .args(["sample", model.to_str().unwrap(), "--samples", "10000"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("method, ESS"), "{text}");
    assert!(
        text.contains("importance ") && text.contains("k "),
        "{text}"
    );
    assert!(
        text.contains("10000 plain samples after a pilot of 2500"),
        "{text}"
    );
}

/// The imported Aralia fault tree nus9601 (3,189 components, 1,567 events at 0.01), where the
/// cross-entropy tuning fails for the top gates: no importance estimate may come out collapsed
/// (the top event once read 5.9e-166 ± 0), and every one that ten DOWN plain samples or more
/// can check agrees with them. The plain samples are independent of the importance samples, so
/// each comparison is a two-sample test; 4.5 standard errors fail a correct engine about once
/// in 150,000.
#[test]
#[ignore = "slow: 20 s; needs ../shared/bench/open-psa"]
fn failed_tuning_never_reports_a_collapsed_estimate() {
    let file = repo_path("../shared/bench/open-psa/Aralia/nus9601.xml");
    if !file.is_file() {
        eprintln!("note: {} is absent; skipped", file.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("nus9601.yaml");
    nines()
        .args(["import", "open-psa"])
        .arg(&file)
        .arg("-o")
        .arg(&model)
        .assert()
        .code(0);
    let out = nines()
        .args(["sample", "--no-exact", "-f", "json"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["samples"].as_f64().unwrap();
    let (mut importance, mut checked) = (0, 0);
    for c in v["components"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let u = c["unavailability"].as_f64().unwrap();
        let lo = c["unavailability_ci95"][0].as_f64().unwrap();
        let hi = c["unavailability_ci95"][1].as_f64().unwrap();
        if name == "r1" {
            // Down in about 10 of a million samples: beyond the tuning, and honest about it.
            assert!(hi >= 1e-6, "r1: {u:e} in [{lo:e}, {hi:e}]");
        }
        if c["method"] != "importance" {
            continue;
        }
        importance += 1;
        assert!(c["ess"].as_f64().unwrap() >= 100.0, "{name}: {c}");
        assert!(
            hi - lo > 1e-3 * u && u > 1e-30,
            "{name}: {u:e} in [{lo:e}, {hi:e}]"
        );
        let k = c["down_samples"].as_f64().unwrap();
        if k >= 10.0 {
            checked += 1;
            let plain = k / n;
            let sd = (plain / n + ((hi - lo) / 2.0 / 1.96).powi(2)).sqrt();
            assert!(
                (u - plain).abs() <= 4.5 * sd,
                "{name}: importance {u:e}, plain {plain:e} ({k} DOWN)"
            );
        }
    }
    assert!(importance > 0 && checked > 0, "{importance} {checked}");
}

/// A chain of `n` components at unavailability `u` each, every one depending on the next: the
/// top is down when any of them is.
fn chain(n: usize, u: f64) -> String {
    let mut t = String::from("components:\n");
    for i in 0..n {
        let dep = if i + 1 < n {
            format!(", depends_on: [c{}]", i + 1)
        } else {
            String::new()
        };
        t += &format!(
            "  c{i}: {{ availability: {:.15}%{dep} }}\n",
            100.0 * (1.0 - u)
        );
    }
    t
}

/// On a chain every component is rare, and one importance-sampling run serves many of them:
/// the estimates of the components it serves without being tuned for them must be as honest as
/// the root's. 80 seeds; components at depths 0 (a root), 8 and 20 (served by the top's run)
/// and 39 (the bottom); the bands hold the 4 counts together with probability 99.9%.
#[test]
fn a_shared_importance_run_covers_every_component_it_serves() {
    let (n, u) = (40, 1e-8);
    let yaml = chain(n, u);
    let (system, _) = eval_yaml(&yaml);
    let structure = Structure::new(&system);
    let r = sample(
        &structure,
        &SnapshotOptions {
            seed: 1,
            ..SnapshotOptions::default()
        },
    );
    // Shared: fewer samples drawn than the estimates rest on.
    let rest_on: u64 = r.components.iter().map(|c| c.samples).sum();
    assert!(
        r.components.iter().all(|c| c.method == Method::Importance),
        "{r:?}"
    );
    assert!(r.importance_samples * 4 < rest_on, "{r:?}");
    let depths = [0, 8, 20, n - 1];
    let alpha = 0.001 / (2 * depths.len()) as f64;
    for depth in depths {
        let t = trial_of(&yaml, 80, depth);
        assert_eq!(t.importance, 80, "c{depth}");
        check(&format!("chain of {n}, c{depth}"), &t, alpha, 3.0);
    }
}

/// Shared runs give the same estimates whatever the thread count.
#[test]
fn a_shared_importance_run_is_the_same_on_any_thread_count() {
    let (system, _) = eval_yaml(&chain(30, 1e-7));
    let structure = Structure::new(&system);
    let run = |threads| {
        format!(
            "{:?}",
            sample(
                &structure,
                &SnapshotOptions {
                    seed: 3,
                    threads,
                    ..SnapshotOptions::default()
                },
            )
        )
    };
    assert_eq!(run(1), run(2));
}
