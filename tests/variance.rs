//! Where measuring helps most: the variance shares `explain` gives on a model with doubt, against
//! closed forms and quadrature.
//!
//! The estimator reports a 95% interval from the normal approximation of its error; a check that
//! the truth lies within four standard errors of the estimate (the half-width × 4 / 1.96) fails
//! for a correct estimator with probability 6e-5. Each check also bounds the standard error, so
//! that a uselessly wide interval cannot pass it.

use nines::structure::Structure;
use nines::system::System;
use nines::uncertainty::draw::{LogNormal, ln_gamma};
use nines::uncertainty::propagate::Options;
use nines::uncertainty::variance::{
    ParameterShare, VarianceShares, all_parameters, shares_of, variance_share,
};

use crate::uncertainty::system;
use crate::util::*;

fn options(draws: usize, seed: u64) -> Options {
    Options {
        draws,
        seed,
        threads: 2,
    }
}

fn shares(system: &System, target: &str, draws: usize, seed: u64) -> VarianceShares {
    let target = system.component_id(target).unwrap();
    variance_share(system, target, &options(draws, seed))
        .unwrap()
        .expect("values with doubt touch the component")
}

fn share<'a>(s: &'a VarianceShares, parameter: &str) -> &'a ParameterShare {
    (s.variance_share.iter())
        .find(|p| p.parameter == parameter)
        .unwrap_or_else(|| panic!("{parameter} in {:?}", s.variance_share))
}

/// The standard error behind a reported 95% interval.
fn standard_error(low: f64, high: f64) -> f64 {
    (high - low) / 2.0 / 1.959_963_984_540_054
}

/// `truth` within four standard errors of the estimate, and the error at most `max_se`.
fn assert_covers(share: f64, low: f64, high: f64, truth: f64, max_se: f64, what: &str) {
    let se = standard_error(low, high);
    assert!(se <= max_se, "{what}: standard error {se} > {max_se}");
    assert!(
        (share - truth).abs() <= 4.0 * se,
        "{what}: {share} ± {se} (95%: {low} – {high}), truth {truth}"
    );
}

/// σ of ln p for an availability given as { low, high } (its 5th and 95th percentiles).
fn sigma(low_availability: f64, high_availability: f64) -> f64 {
    LogNormal::from_percentiles(1.0 - high_availability, 1.0 - low_availability).sigma
}

/// Two components either of which keeps `site` up, and one more that `site` does not read.
const PARALLEL: &str = "
components:
  a: { availability: { estimate: 99.9%, low: 99.5%, high: 99.98% } }
  b: { availability: { estimate: 99%, low: 98%, high: 99.5% } }
  elsewhere: { availability: { estimate: 99%, low: 90%, high: 99.9% } }
  site:
    availability: 100%
    depends_on: [{ at_least: 1, of: [a, b] }]
";

#[test]
fn in_parallel_the_shares_are_the_variances_of_the_logs() {
    // U = p_a·p_b exactly, so ln U = ln p_a + ln p_b: additive, with Var(ln p_i) = σ_i² and no
    // interaction. (A drawn p is capped at 1; here that has a chance below 1e-11.)
    let system = system(PARALLEL);
    let s = shares(&system, "site", 4000, 1);
    let (va, vb) = (sigma(0.995, 0.9998).powi(2), sigma(0.98, 0.995).powi(2));
    let a = share(&s, "a.availability");
    assert_covers(a.share, a.low, a.high, va / (va + vb), 0.03, "a");
    let b = share(&s, "b.availability");
    assert_covers(b.share, b.low, b.high, vb / (va + vb), 0.03, "b");
    let r = s.variance.remainder;
    assert_covers(r.share, r.low, r.high, 0.0, 0.03, "the remainder");
    // The largest first; only what touches site.
    assert_eq!(s.variance_share[0].parameter, "a.availability");
    assert_eq!(s.variance_share.len(), 2, "{:?}", s.variance_share);
    // Var(ln U) over 2N independent draws: the sample variance of normals has a relative
    // standard deviation of √(2 / (2N − 1)).
    let n = 2.0 * s.variance.draws as f64;
    let rel = (s.variance.variance / (va + vb) - 1.0).abs();
    assert!(
        rel < 5.0 * (2.0 / (n - 1.0)).sqrt(),
        "variance off by {rel}"
    );
    assert_eq!(s.variance.evaluations, 4000 * 4);
}

#[test]
fn a_value_that_does_not_touch_the_component_explains_nothing() {
    let system = system(PARALLEL);
    let structure = Structure::new(&system);
    let site = system.component_id("site").unwrap();
    let every = all_parameters(&system);
    assert_eq!(every.len(), 3);
    let s = shares_of(&system, &structure, site, &every, &options(500, 3)).unwrap();
    // Its draws change nothing site reads, so f(A with its column from B) = f(A) in every row:
    // the estimate and its error are both 0.
    let e = share(&s, "elsewhere.availability");
    assert_eq!((e.share, e.low, e.high), (0.0, 0.0, 0.0));
    // The others as without it: the same draws go to them (each row draws every column).
    assert!(share(&s, "a.availability").share > 0.5);
    // A component that only `elsewhere` would touch has nothing to share out.
    let elsewhere = system.component_id("elsewhere").unwrap();
    let own = variance_share(&system, elsewhere, &options(2000, 3))
        .unwrap()
        .unwrap();
    assert_eq!(own.variance_share.len(), 1);
    let lone = &own.variance_share[0];
    // Alone, a value explains all of the variance: its share is 1 within its error.
    assert_covers(lone.share, lone.low, lone.high, 1.0, 0.05, "alone");
}

/// E and Var of a function of a standard normal, by the trapezoid rule on ±8 (the integrand is
/// smooth and its tails below 1e-14, so the rule is exact to far below the Monte Carlo error).
fn normal_grid() -> Vec<(f64, f64)> {
    let n = 401;
    let h = 16.0 / (n - 1) as f64;
    (0..n)
        .map(|i| {
            let z = -8.0 + h * i as f64;
            (
                z,
                h * (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt(),
            )
        })
        .collect()
}

#[test]
fn in_series_the_shares_match_quadrature_and_leave_the_interactions() {
    // U = p_a + p_b − p_a·p_b: ln U is not additive, so the shares leave a remainder. The truth
    // by quadrature over the two lognormals: S_a = Var(E[ln U | p_a]) / Var(ln U), S_b the
    // same (b is a's twin), and the rest, 1 − 2·S_a, what they do together.
    let system = system(
        "
components:
  a: { availability: { estimate: 99.9%, low: 99%, high: 99.99% } }
  b: { availability: { estimate: 99.9%, low: 99%, high: 99.99% } }
  site:
    availability: 100%
    depends_on: [a, b]
",
    );
    let d = LogNormal::from_percentiles(1e-4, 1e-2);
    let grid = normal_grid();
    let p = |z: f64| (d.mu + d.sigma * z).exp().min(1.0);
    let y: Vec<Vec<f64>> = (grid.iter())
        .map(|&(za, _)| {
            (grid.iter())
                .map(|&(zb, _)| (p(za) + p(zb) - p(za) * p(zb)).ln())
                .collect()
        })
        .collect();
    let w: Vec<f64> = grid.iter().map(|g| g.1).collect();
    let n = grid.len();
    let pairs = || (0..n).flat_map(|i| (0..n).map(move |j| (i, j)));
    let mean: f64 = pairs().map(|(i, j)| w[i] * w[j] * y[i][j]).sum();
    let variance: f64 = pairs()
        .map(|(i, j)| w[i] * w[j] * (y[i][j] - mean).powi(2))
        .sum();
    let s_a = (0..n)
        .map(|i| {
            let given_a: f64 = (0..n).map(|j| w[j] * y[i][j]).sum();
            w[i] * (given_a - mean).powi(2)
        })
        .sum::<f64>()
        / variance;
    let s = shares(&system, "site", 4000, 5);
    let a = share(&s, "a.availability");
    assert_covers(a.share, a.low, a.high, s_a, 0.03, "a");
    let b = share(&s, "b.availability");
    assert_covers(b.share, b.low, b.high, s_a, 0.03, "b");
    let r = s.variance.remainder;
    assert_covers(
        r.share,
        r.low,
        r.high,
        1.0 - 2.0 * s_a,
        0.03,
        "the remainder",
    );
    // The interactions are large enough here (8% against a standard error under 2%) that the
    // remainder's interval leaves out 0.
    assert!(r.low > 0.0, "{r:?}");
    // Var(ln U) against the quadrature: over 2N independent draws the sample variance has a
    // relative standard deviation of √((κ − 1) / 2N), κ the kurtosis of ln U.
    let fourth: f64 = pairs()
        .map(|(i, j)| w[i] * w[j] * (y[i][j] - mean).powi(4))
        .sum();
    let kurtosis = fourth / (variance * variance);
    let sd = ((kurtosis - 1.0) / (2 * s.variance.draws) as f64).sqrt();
    let rel = (s.variance.variance / variance - 1.0).abs();
    assert!(rel < 5.0 * sd, "Var(ln U) off by {rel}, sd {sd}");
}

#[test]
fn an_observed_history_is_drawn_from_its_gamma() {
    // db fails with a Gamma(3.5, 2y) rate λ and is repaired in 1h exactly: p = rλ / (1 + rλ).
    // In parallel with a lognormal cache, ln U = ln p_db + ln p_cache again, so db's share is
    // Var(ln p_db) / (Var(ln p_db) + σ²), with Var(ln p_db) by quadrature over the gamma.
    let system = system(
        "
components:
  db: { mttf: { incidents: 3, over: 2y }, mttr: 1h }
  cache: { availability: { estimate: 99.9%, low: 99.5%, high: 99.98% } }
  site:
    availability: 100%
    depends_on: [{ at_least: 1, of: [db, cache] }]
",
    );
    let (shape, hours_over) = (3.5f64, 2.0 * 8760.0);
    // x = ln g for g ~ Gamma(3.5, 1): density exp(shape·x − eˣ − ln Γ(shape)), on [−20, 5].
    let m = 20_000;
    let h = 25.0 / m as f64;
    let (mut e, mut e2) = (0.0, 0.0);
    for i in 0..=m {
        let x = -20.0 + h * i as f64;
        let w = h * (shape * x - x.exp() - ln_gamma(shape)).exp();
        let rate = x.exp() / hours_over;
        let v = (rate / (1.0 + rate)).ln();
        e += w * v;
        e2 += w * v * v;
    }
    let v_db = e2 - e * e;
    let v_cache = sigma(0.995, 0.9998).powi(2);
    let s = shares(&system, "site", 4000, 9);
    let db = share(&s, "db.mttf");
    assert_covers(
        db.share,
        db.low,
        db.high,
        v_db / (v_db + v_cache),
        0.03,
        "db",
    );
    let r = s.variance.remainder;
    assert_covers(r.share, r.low, r.high, 0.0, 0.03, "the remainder");
}

#[test]
fn the_interval_covers_the_truth_as_often_as_it_says() {
    // Over 200 seeds the 95% interval of a's share must hold the closed form in
    // Binomial(200, 0.95) of them: 172 to 199 has probability 0.9996 (and 0.9998 when the
    // normal approximation covers only 93% at this size).
    let system = system(PARALLEL);
    let (va, vb) = (sigma(0.995, 0.9998).powi(2), sigma(0.98, 0.995).powi(2));
    let truth = va / (va + vb);
    let covered = (0..200)
        .filter(|&seed| {
            let s = shares(&system, "site", 1000, 1000 + seed);
            let a = share(&s, "a.availability");
            a.low <= truth && truth <= a.high
        })
        .count();
    assert!((172..=199).contains(&covered), "covered {covered} of 200");
}

fn explain_json(args: &[&str]) -> (serde_json::Value, String) {
    let out = nines()
        .current_dir(repo_path(""))
        .arg("explain")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_thread_count() {
    let model = "models/uncertain-store.yaml";
    let (json, one) = explain_json(&[model, "checkout", "--draws", "300", "-j", "1"]);
    let (_, two) = explain_json(&[model, "checkout", "--draws", "300", "-j", "2"]);
    let (_, five) = explain_json(&[model, "checkout", "--draws", "300", "-j", "5"]);
    assert_eq!(one, two);
    assert_eq!(one, five);
    let shares = json["variance_share"].as_array().unwrap();
    // The four uncertain values checkout reads: region, database (mttf and mttr), payments.
    let names: Vec<&str> = shares
        .iter()
        .map(|s| s["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in [
        "payments.availability",
        "region.availability",
        "database.mttf",
        "database.mttr",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for s in shares {
        let (share, low, high) = (
            s["share"].as_f64().unwrap(),
            s["low"].as_f64().unwrap(),
            s["high"].as_f64().unwrap(),
        );
        assert!(low <= share && share <= high, "{s}");
    }
    assert_eq!(json["variance"]["of"], "ln_unavailability");
    assert_eq!(json["variance"]["draws"], 300);
    let (_, other) = explain_json(&[model, "checkout", "--draws", "300", "--seed", "1"]);
    assert_ne!(one, other, "another seed draws other values");
}

#[test]
fn without_doubt_touching_the_component_nothing_changes() {
    // No doubt at all: no key, no section.
    let (json, _) = explain_json(&["models/online-store.yaml", "storefront"]);
    assert!(json.get("variance_share").is_none() && json.get("variance").is_none());
    // Doubt elsewhere in the model only.
    let t = CliTest::new();
    t.write(
        "m.yaml",
        "components:
  calm: { availability: 99.9% }
  unsure: { availability: { estimate: 99.9%, low: 99%, high: 99.99% } }
",
    );
    let out = t
        .nines()
        .args(["explain", "m.yaml", "calm"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("where measuring helps most"), "{text}");
    let out = t
        .nines()
        .args(["explain", "m.yaml", "unsure"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("where measuring helps most") && text.contains("unsure.availability"),
        "{text}"
    );
}

#[test]
fn too_few_draws_are_a_usage_error() {
    let out = nines()
        .current_dir(repo_path(""))
        .args([
            "explain",
            "models/uncertain-store.yaml",
            "checkout",
            "--draws",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--draws") && err.contains("hint"), "{err}");
}

#[test]
fn a_doubt_that_moves_nothing_is_said_so() {
    // An availability given, and only its repair time unsure: a drawn mttr moves the mttf, never
    // the unavailability.
    let t = CliTest::new();
    t.write(
        "m.yaml",
        "components:
  api: { availability: 99.9%, mttr: { estimate: 1h, low: 20m, high: 4h } }
",
    );
    let out = t
        .nines()
        .args(["explain", "m.yaml", "api"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("does not move the unavailability"), "{text}");
}

#[test]
fn past_twelve_values_the_least_swinging_are_shared_as_one_group() {
    // Fourteen components in parallel: ln U = Σ ln p_i again, so any set G of them explains
    // Σ_G σ_i² / Σ σ_i². The screen swings each value between its percentiles, 2·1.645·σ_i
    // here, so the two narrowest (c0 and c1) are the group.
    let mut yaml = String::from("components:\n");
    for i in 0..14 {
        let f = 1.5 + 0.5 * i as f64;
        let (worst, best) = (1e-3 * f, 1e-3 / f);
        yaml += &format!(
            "  c{i}: {{ availability: {{ estimate: 99.9%, low: {}, high: {} }} }}\n",
            1.0 - worst,
            1.0 - best
        );
    }
    let all: Vec<String> = (0..14).map(|i| format!("c{i}")).collect();
    yaml += &format!(
        "  site:\n    availability: 100%\n    depends_on: [{{ at_least: 1, of: [{}] }}]\n",
        all.join(", ")
    );
    let system = system(&yaml);
    let variances: Vec<f64> = (0..14)
        .map(|i| {
            let c = &system.components[i];
            match c.doubt.availability {
                Some(nines::model::units::Spread::Range { low, high }) => {
                    LogNormal::from_percentiles(high.down.p, low.down.p)
                        .sigma
                        .powi(2)
                }
                _ => unreachable!("every c has a range"),
            }
        })
        .collect();
    let total: f64 = variances.iter().sum();
    let s = shares(&system, "site", 4000, 11);
    assert_eq!(s.variance_share.len(), 12);
    assert_eq!(s.variance.evaluations, 4000 * (12 + 3));
    let others = s.variance.others.as_ref().expect("two values in a group");
    assert_eq!(others.values, 2);
    let truth = (variances[0] + variances[1]) / total;
    assert_covers(
        others.share,
        others.low,
        others.high,
        truth,
        0.03,
        "the group",
    );
    for (i, v) in variances.iter().enumerate().skip(2) {
        let c = share(&s, &format!("c{i}.availability"));
        assert_covers(c.share, c.low, c.high, v / total, 0.03, &c.parameter);
    }
    assert_eq!(s.variance_share[0].parameter, "c13.availability");
    let r = s.variance.remainder;
    assert_covers(r.share, r.low, r.high, 0.0, 0.05, "the remainder");
}
