//! Hardening: inputs the fuzzers and reviews found, the documented limits, numbers that are not
//! numbers, and models large enough to show that nothing is quadratic (docs/limits.md).

use std::path::Path;

use nines::model::{Format, Model};
use nines::structure::Structure;

use crate::util::*;

/// A model's load-and-validate error, rendered as the CLI prints it.
fn model_error(name: &str, text: &str) -> String {
    let format = Format::of(Path::new(name)).expect("a model extension");
    match Model::parse(Path::new(name), text.to_string(), format).and_then(|m| m.system()) {
        Ok(_) => panic!("{name} should be refused"),
        Err(e) => e.to_string(),
    }
}

/// Where `token` first stands in `text`, as `line:col` (1-based, columns in characters).
fn place_of(text: &str, token: &str) -> String {
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find(token) {
            return format!("{}:{}", i + 1, line[..at].chars().count() + 1);
        }
    }
    panic!("`{token}` is not in the model");
}

/// Runs `nines eval` on the model and checks exit 2, the place of `token` and the words.
fn assert_refused(name: &str, text: &str, token: &str, words: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(&dir, name, text);
    let out = nines().arg("eval").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    let place = format!("{name}:{}:", place_of(text, token));
    assert!(
        stderr.contains(&place),
        "{name}: expected {place} in\n{stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "{name}: expected `{w}` in\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
}

// ---------------------------------------------------------------------------------------------
// Found by review and fuzzing

#[test]
fn availability_exponents_do_not_overflow() {
    // `1e-2147483648` overflowed the exponent arithmetic (a panic in debug builds).
    for text in ["1e-2147483648", "\"1e-2147483648%\"", "0.0e-2147483648"] {
        let (s, st) = eval_yaml(&format!("components:\n  db: {{ availability: {text} }}\n"));
        assert_eq!(unavailability(&s, &st, "db"), 1.0, "{text}");
    }
    let e = model_error(
        "big.yaml",
        "components:\n  db: { availability: \"1e2147483647\" }\n",
    );
    assert!(
        e.starts_with("big.yaml:2:23: availability 1e2147483647 is above 1"),
        "{e}"
    );
    // Unquoted, it is read from its digits too, not as the float it overflows to.
    let e = model_error(
        "inf.yaml",
        "components:\n  db: { availability: 1e2147483647 }\n",
    );
    assert!(
        e.starts_with("inf.yaml:2:23: availability 1e2147483647 is above 1"),
        "{e}"
    );
    // Many digits before a large negative exponent still make a plain number.
    let (s, st) = eval_yaml(&format!(
        "components:\n  db: {{ availability: 5{}e-1201 }}\n",
        "0".repeat(1200)
    ));
    assert_close!(unavailability(&s, &st, "db"), 0.5, 1e-15);
}

#[test]
fn durations_near_the_largest_float_keep_their_odds() {
    // mttf + mttr overflowed to infinity: availability and unavailability were both 0.
    let huge = format!("5{}y", "0".repeat(300));
    let (s, st) = eval_yaml(&format!(
        "components:\n  db: {{ mttf: \"{huge}\", mttr: \"{huge}\" }}\n"
    ));
    let db = &st[s.component_id("db").unwrap()];
    assert_eq!((db.down.p, db.down.q), (0.5, 0.5));
}

#[test]
fn many_variants_validate_in_linear_time() {
    // Every variant was validated by resolving the whole model again: 40,000 components with
    // a variant each took minutes.
    let mut text = String::from("components:\n");
    for i in 0..20_000 {
        text += &format!(
            "  c{i}: {{ availability: 0.999, variants: [{{ name: pair, replicas: 2 }}] }}\n"
        );
    }
    let (s, st) = eval_yaml(&text);
    assert_close!(unavailability(&s, &st, "c19999"), 0.001, 1e-12);
}

#[test]
fn a_cycle_across_two_variants_is_refused() {
    // Each variant alone is acyclic; the design that takes both is not.
    let text = "components:\n  x:\n    availability: 0.9\n    variants: [{ name: a, depends_on: [y] }]\n  y:\n    availability: 0.9\n    variants: [{ name: b, depends_on: [x] }]\n";
    assert_refused(
        "variants.yaml",
        text,
        "y] }",
        &["dependency cycle: x → y → x"],
    );
}

#[test]
fn a_fleet_in_one_zone_is_cheap_to_build() {
    // Found by the engine fuzzer (a slow unit): 220 replicas in one zone, 185 of them down
    // needed. Each replica's gate has the zone on top, so the local diagram took its inputs
    // top-first and every step of the count walked the whole diagram: 0.4 s, now 5 ms.
    let text = "
window: 1000000000000s
domains:
  z0: { availability: 0.9 }
components:
  c0: { availability: 0.5, replicas: 220, min_available: 36, spread: [z0], failover: 0.001s }
  c1:
    mttf: 1s
    replicas: 5
    min_available: 2
    spread: [z0]
    depends_on:
      - { component: c0, on_failure: degrade, fallback: c0 }
      - { at_least: 1, of: [c0], on_failure: ignore }
";
    let (system, conditioned) = eval_yaml(text);
    let whole = nines::exact::evaluate_whole(&Structure::new(&system)).unwrap();
    for (a, b) in conditioned.iter().zip(&whole) {
        assert_close!(a.down.p, b.down.p, 1e-12);
        assert_close!(a.up, b.up, 1e-12);
    }
    // c0 is down with its zone, or with a failover; 185 of 220 fair coins never come up.
    // Failovers come at 1/mttf per replica in service, while at least 37 are: the zone up
    // and the count of fair coins above 36 (its tail beyond 36 of 220 is 1 to double precision,
    // as is the mean count above it, 110).
    let failover = 0.9 * 110.0 * 0.001 / 3600.0;
    assert_close!(
        unavailability(&system, &conditioned, "c0"),
        1.0 - 0.9 * (1.0 - failover),
        1e-9
    );
}

#[test]
fn domain_hierarchies_stop_at_64_levels() {
    // A domain is down with any ancestor: a 100,000-deep chain made a diagram with the chain's
    // square of nodes (and its cycle check took the cube of its depth).
    let chain = |depth: usize| {
        let mut text = String::from("domains:\n  d0: { availability: 0.9999999 }\n");
        for i in 1..depth {
            text += &format!(
                "  d{i}: {{ availability: 0.9999999, parent: d{} }}\n",
                i - 1
            );
        }
        text + &format!(
            "components:\n  db: {{ availability: 1, spread: [d{}] }}\n",
            depth - 1
        )
    };
    let (s, st) = eval_yaml(&chain(64));
    assert_close!(
        unavailability(&s, &st, "db"),
        -(64.0 * (-1e-7f64).ln_1p()).exp_m1(),
        1e-9
    );
    let text = chain(65);
    assert_refused(
        "deep-domains.yaml",
        &text,
        "d63 }",
        &["domain `d64` is 65 levels deep, more than the 64"],
    );
    let e = model_error("deeper.yaml", &chain(100_000));
    assert!(e.starts_with("deeper.yaml:66:"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Scale: nothing quadratic

#[test]
fn a_100_000_long_chain_evaluates() {
    let mut text = String::from("components:\n  c0: { availability: 0.9999999 }\n");
    for i in 1..100_000 {
        text += &format!(
            "  c{i}: {{ availability: 0.9999999, depends_on: [c{}] }}\n",
            i - 1
        );
    }
    let (s, st) = eval_yaml(&text);
    assert_close!(
        unavailability(&s, &st, "c99999"),
        -(100_000.0 * (-1e-7f64).ln_1p()).exp_m1(),
        1e-9
    );
}

#[test]
fn half_of_100_000_replicas_is_counted_not_enumerated() {
    // A diagram of 50,000 of 100,000 would need 2.5 billion nodes; the count is a binomial tail.
    let (s, st) = eval_yaml(
        "components:\n  db: { availability: 0.5, replicas: 100000, min_available: 50000 }\n",
    );
    // Down when 50,001 or more of 100,000 fair coins are down: (1 − P(exactly 50,000)) / 2.
    let ln_choose: f64 = (1..=50_000)
        .map(|i| ((50_000 + i) as f64).ln() - (i as f64).ln())
        .sum();
    let exactly = (ln_choose - 100_000.0 * 2f64.ln()).exp();
    let db = &st[s.component_id("db").unwrap()];
    assert_close!(db.down.p, (1.0 - exactly) / 2.0, 1e-9);
    assert_close!(db.down.q, (1.0 + exactly) / 2.0, 1e-9);
}

#[test]
fn counted_replicas_equal_the_diagram() {
    // Large k-of-n gates are counted per domain state; the diagram over every event does not
    // count. Two exact paths: they must agree, with zones in a region, maintenance of both
    // kinds, failover and dependents.
    for (min_available, maintenance) in [
        (100, "{ every: 7d, duration: 30m, rolling: true }"),
        (150, "{ every: 7d, duration: 1h }"),
        (51, "{ every: 30d, duration: 0s }"),
        (199, "{ every: 1d, duration: 7m, rolling: true }"),
    ] {
        let text = format!(
            "
domains:
  region: {{ availability: 0.999 }}
  a: {{ availability: 0.99, parent: region }}
  b: {{ availability: 0.995, parent: region }}
  c: {{ availability: 0.98 }}
components:
  fleet:
    availability: 0.97
    replicas: 200
    min_available: {min_available}
    spread: [a, b, c, a]
    failover: 10s
    maintenance: {maintenance}
  api: {{ availability: 0.999, replicas: 2, spread: [a, b], depends_on: [fleet] }}
  site: {{ availability: 1, depends_on: [{{ component: api, on_failure: degrade, fallback: fleet }}] }}
"
        );
        let (system, counted) = eval_yaml(&text);
        let whole = nines::exact::evaluate_whole(&Structure::new(&system)).unwrap();
        for ((c, a), b) in system.components.iter().zip(&counted).zip(&whole) {
            let what = format!("{} with min_available {min_available}", c.name);
            assert_close!(a.down.p, b.down.p, 1e-9);
            assert_close!(a.down.q, b.down.q, 1e-9);
            assert_close!(a.up, b.up, 1e-9);
            assert!((a.degraded - b.degraded).abs() < 1e-12, "{what}");
        }
    }
}

#[test]
fn a_diagram_past_its_node_limit_is_an_error_not_an_abort() {
    use nines::exact::bdd::Manager;
    let mut m = Manager::new();
    m.limit = 1000;
    let vars: Vec<_> = (0..100).map(|v| m.variable(v).unwrap()).collect();
    assert!(m.at_least(50, &vars).is_err());
    let message = nines::exact::EngineError::TooLarge(nines::exact::bdd::MAX_NODES).to_string();
    assert!(
        message.contains("60000000 nodes") && message.contains("nines sample"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Limits: a located error and exit 2

#[test]
fn a_file_past_64_mib_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    // Sparse: no 64 MiB are written.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(nines::model::MAX_FILE_BYTES + 1)
        .unwrap();
    let out = nines().arg("eval").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("huge.yaml: the file is 67108865 bytes, more than the 67108864"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn an_endless_file_is_read_no_further_than_the_limit() {
    // A link to /dev/zero reports size 0 and never ends: it was read until memory ran out. It
    // is not a regular file, and only those are read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let out = nines().arg("eval").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("zero.yaml: the path is not a regular file"),
        "{stderr}"
    );
}

#[test]
fn replicas_past_100_000_are_refused() {
    assert_refused(
        "replicas.yaml",
        "components:\n  db: { availability: 0.9, replicas: 100001 }\n",
        "100001",
        &["replicas must be between 1 and 100000, not 100001"],
    );
}

#[test]
fn replicas_past_2_000_000_in_all_are_refused() {
    let mut text = String::from("components:\n");
    for i in 0..=20 {
        text += &format!("  c{i}: {{ availability: 0.9, replicas: 100000 }}\n");
    }
    let e = model_error("fleet.yaml", &text);
    assert!(
        e.starts_with("fleet.yaml:22:") && e.contains("2000000"),
        "the 21st fleet crosses the limit: {e}"
    );
    // The largest design counts: a variant that raises the total is refused too.
    let mut text = String::from("components:\n");
    for i in 0..20 {
        text += &format!("  c{i}: {{ availability: 0.9, replicas: 100000 }}\n");
    }
    text += "  last: { availability: 0.9, variants: [{ name: big, replicas: 2 }] }\n";
    let e = model_error("design.yaml", &text);
    assert!(
        e.starts_with("design.yaml:22:") && e.contains("replicas in all"),
        "{e}"
    );
}

#[test]
fn domains_past_100_000_are_refused() {
    let mut text = String::from("domains:\n");
    for i in 0..100_001 {
        text += &format!("  d{i}: {{ availability: 0.9 }}\n");
    }
    text += "components: {}\n";
    let e = model_error("domains.yaml", &text);
    assert!(
        e.starts_with("domains.yaml:2:3: 100001 domains is more than the 100000"),
        "{e}"
    );
}

#[test]
fn nesting_past_64_levels_is_refused_in_every_format() {
    // 65 levels: the model's map and 64 lists inside it.
    let yaml = format!("components: {}1{}\n", "[".repeat(64), "]".repeat(64));
    let e = model_error("deep.yaml", &yaml);
    assert!(e.contains("nest deeper than 64 levels"), "{e}");
    // At the list that makes the 65th level (the innermost, just before the 1), with exit 2.
    assert!(e.starts_with(&format!("deep.yaml:1:{}:", 13 + 63)), "{e}");
    assert_refused("deep.yaml", &yaml, "[1", &["nest deeper than 64 levels"]);
    let json = format!("{{\"components\": {}1{}}}", "[".repeat(64), "]".repeat(64));
    assert!(model_error("deep.json", &json).contains("nest deeper than 64 levels"));
    let toml = format!("components = {}1{}\n", "[".repeat(64), "]".repeat(64));
    assert!(model_error("deep.toml", &toml).contains("nest deeper than 64 levels"));
    // 64 levels parse; the model is then wrong for what it is, not for its depth.
    let yaml = format!("components: {}1{}\n", "[".repeat(63), "]".repeat(63));
    let e = model_error("ok.yaml", &yaml);
    assert!(!e.contains("nest deeper"), "{e}");
}

#[test]
fn nesting_far_past_the_limit_neither_overflows_nor_hangs() {
    // A million open brackets: every parser must stop at the limit, not recurse a million deep.
    let opens = "[".repeat(1_000_000);
    for (name, text) in [
        ("deep.yaml", format!("components: {opens}")),
        ("deep.json", format!("{{\"components\": {opens}")),
        ("deep.toml", format!("components = {opens}")),
    ] {
        let format = Format::of(Path::new(name)).unwrap();
        assert!(
            Model::parse(Path::new(name), text, format).is_err(),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers that are not numbers: NaN, infinities, negatives and zeros, each refused where written

#[test]
fn names_with_control_characters_are_refused() {
    // Names reach terminals: an escape sequence in one would recolour, retitle or clear the
    // reader's terminal from a model in a pull request.
    let cases: &[(&str, &str, &str)] = &[
        (
            "component.yaml",
            "components:\n  \"db\\e[2J\": { availability: 0.9 }\n",
            "\"db",
        ),
        (
            "domain.yaml",
            "domains:\n  \"z\\a\": { availability: 0.9 }\ncomponents:\n  db: { availability: 0.9 }\n",
            "\"z",
        ),
        (
            "variant.yaml",
            "components:\n  db: { availability: 0.9, variants: [{ name: \"big\\n\" }] }\n",
            "\"big",
        ),
        (
            "model.yaml",
            "name: \"store\\r\"\ncomponents:\n  db: { availability: 0.9 }\n",
            "\"store",
        ),
    ];
    for (name, text, token) in cases {
        assert_refused(name, text, token, &["holds the control character"]);
    }
}

#[test]
fn names_with_invisible_characters_are_refused() {
    // `db` and `d<zero-width space>b` look the same in review; a right-to-left override makes a
    // name read backwards. Both are refused, with the code point.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "zero-width.yaml",
            "components:\n  db: { availability: 0.9 }\n  \"d\\u200Bb\": { availability: 0.9 }\n",
            "\"d",
            "U+200B",
        ),
        (
            "bidi.yaml",
            "domains:\n  \"z\\u202Eeno\": { availability: 0.9 }\ncomponents:\n  db: { availability: 0.9 }\n",
            "\"z",
            "U+202E",
        ),
        (
            "isolate.yaml",
            "components:\n  db: { availability: 0.9, variants: [{ name: \"big\\u2066\" }] }\n",
            "\"big",
            "U+2066",
        ),
    ];
    for (name, text, token, code) in cases {
        assert_refused(name, text, token, &["holds the invisible character", code]);
    }
}

#[test]
fn every_number_is_checked_where_it_is_written() {
    // (file, model, the token the error points at, words of the message)
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "cost-nan.yaml",
            "components:\n  db: { availability: 0.9, cost: .nan }\n",
            ".nan",
            &["cost must be a finite amount of zero or more, not NaN"],
        ),
        (
            "cost-inf.yaml",
            "components:\n  db: { availability: 0.9, cost: .inf }\n",
            ".inf",
            &["cost must be a finite amount", "inf"],
        ),
        (
            "cost-neg.yaml",
            "components:\n  db: { availability: 0.9, cost: -1 }\n",
            "-1",
            &["cost must be a finite amount of zero or more, not -1"],
        ),
        (
            "fixed.yaml",
            "components:\n  db: { availability: 0.9, fixed_cost: -.inf }\n",
            "-.inf",
            &["fixed_cost must be a finite amount"],
        ),
        (
            "variant-cost.yaml",
            "components:\n  db:\n    availability: 0.9\n    variants: [{ name: x, cost: -5 }]\n",
            "-5",
            &["cost must be a finite amount of zero or more, not -5"],
        ),
        (
            "downtime.yaml",
            "cost: { downtime_per_hour: .nan }\ncomponents:\n  db: { availability: 0.9 }\n",
            ".nan",
            &["downtime_per_hour must be a finite amount"],
        ),
        (
            "degraded.yaml",
            "cost: { degraded_per_hour: -3 }\ncomponents:\n  db: { availability: 0.9 }\n",
            "-3",
            &["degraded_per_hour must be a finite amount"],
        ),
        (
            "shape-nan.yaml",
            "components:\n  db: { failure: { dist: weibull, mean: 30d, shape: .nan } }\n",
            ".nan",
            &["shape must be a finite number above zero, not NaN"],
        ),
        (
            "shape-zero.yaml",
            "components:\n  db: { failure: { dist: gamma, mean: 30d, shape: 0 } }\n",
            "0 }",
            &["shape must be a finite number above zero, not 0"],
        ),
        (
            "shape-neg.yaml",
            "components:\n  db: { failure: { dist: gamma, mean: 30d, shape: -2 } }\n",
            "-2",
            &["shape must be a finite number above zero"],
        ),
        (
            "sigma-neg.yaml",
            "components:\n  db: { mttf: 30d, repair: { dist: lognormal, mean: 1h, sigma: -1 } }\n",
            "-1",
            &["sigma must be a finite number of zero or more, not -1"],
        ),
        (
            "sigma-inf.yaml",
            "components:\n  db: { mttf: 30d, repair: { dist: lognormal, mean: 1h, sigma: .inf } }\n",
            ".inf",
            &["sigma must be a finite number"],
        ),
        (
            "mean-zero.yaml",
            "components:\n  db: { failure: { dist: exponential, mean: 0s } }\n",
            "0s",
            &["the mean must be longer than zero"],
        ),
        (
            "window-zero.yaml",
            "window: 0s\ncomponents:\n  db: { availability: 0.9 }\n",
            "0s",
            &["the window must be longer than zero"],
        ),
        (
            "window-neg.yaml",
            "window: -30d\ncomponents:\n  db: { availability: 0.9 }\n",
            "-30d",
            &["negative"],
        ),
        (
            "window-inf.yaml",
            "window: .inf\ncomponents:\n  db: { availability: 0.9 }\n",
            ".inf",
            &["no unit"],
        ),
        (
            "window-long.yaml",
            &format!(
                "window: 1{}y\ncomponents:\n  db: {{ availability: 0.9 }}\n",
                "0".repeat(400)
            ),
            "1000",
            &["too long"],
        ),
        (
            "default-mttr.yaml",
            "defaults: { mttr: 0s }\ncomponents:\n  db: { availability: 0.9 }\n",
            "0s",
            &["the default mttr must be longer than zero"],
        ),
        (
            "mttr-zero.yaml",
            "components:\n  db: { mttf: 30d, mttr: 0s }\n",
            "0s",
            &["mttr must be longer than zero"],
        ),
        (
            "mttr-nan.yaml",
            "components:\n  db: { mttf: 30d, mttr: .nan }\n",
            ".nan",
            &["no unit"],
        ),
        (
            "every-zero.yaml",
            "components:\n  db: { availability: 0.9, maintenance: { every: 0s, duration: 0s } }\n",
            "0s,",
            &["maintenance `every` must be longer than zero"],
        ),
        (
            "duration-neg.yaml",
            "components:\n  db: { availability: 0.9, maintenance: { every: 1d, duration: -1h } }\n",
            "-1h",
            &["negative"],
        ),
        (
            "failover-neg.yaml",
            "components:\n  db: { availability: 0.9, failover: -30s }\n",
            "-30s",
            &["negative"],
        ),
        (
            "timeout-neg.yaml",
            "components:\n  a: { availability: 0.9 }\n  db: { availability: 0.9, depends_on: [{ component: a, timeout: -1s }] }\n",
            "-1s",
            &["negative"],
        ),
        (
            "tolerate-nan.yaml",
            "components:\n  a: { availability: 0.9 }\n  db: { availability: 0.9, depends_on: [{ component: a, tolerate: .nan }] }\n",
            ".nan",
            &["no unit"],
        ),
        (
            "slo-nan.yaml",
            "components:\n  db: { availability: 0.9, slo: .nan }\n",
            ".nan",
            &["not a finite number"],
        ),
        (
            "slo-neg.yaml",
            "components:\n  db: { availability: 0.9, slo: -0.5 }\n",
            "-0.5",
            &["negative"],
        ),
        (
            "domain-nan.yaml",
            "domains:\n  z: { availability: .nan }\ncomponents:\n  db: { availability: 0.9 }\n",
            ".nan",
            &["not a finite number"],
        ),
        (
            "domain-mttf.yaml",
            "domains:\n  z: { mttf: 0s }\ncomponents:\n  db: { availability: 0.9 }\n",
            "0s",
            &["mttf must be longer than zero"],
        ),
        (
            "replicas-nan.yaml",
            "components:\n  db: { availability: 0.9, replicas: .nan }\n",
            ".nan",
            &["invalid type"],
        ),
        (
            "replicas-big.yaml",
            "components:\n  db: { availability: 0.9, replicas: 4294967296 }\n",
            "4294967296",
            &["invalid value"],
        ),
        (
            "min-zero.yaml",
            "components:\n  db: { availability: 0.9, replicas: 2, min_available: 0 }\n",
            "0 }",
            &["min_available is 0"],
        ),
        (
            "at-least-zero.yaml",
            "components:\n  a: { availability: 0.9 }\n  db: { availability: 0.9, depends_on: [{ at_least: 0, of: [a] }] }\n",
            "0,",
            &["at_least is 0"],
        ),
        (
            "at-least-neg.yaml",
            "components:\n  a: { availability: 0.9 }\n  db: { availability: 0.9, depends_on: [{ at_least: -1, of: [a] }] }\n",
            "-1",
            &["invalid value"],
        ),
        (
            "cost.toml",
            "[components.db]\navailability = 0.9\ncost = nan\n",
            "nan",
            &["cost must be a finite amount of zero or more, not NaN"],
        ),
        (
            "shape.toml",
            "[components.db]\nfailure = { dist = \"weibull\", mean = \"30d\", shape = -inf }\n",
            "-inf",
            &["shape must be a finite number above zero"],
        ),
        (
            "money.toml",
            "[cost]\ndowntime_per_hour = inf\n[components.db]\navailability = 0.9\n",
            "inf",
            &["downtime_per_hour must be a finite amount"],
        ),
        (
            "cost.json",
            "{\"components\": {\"db\": {\"availability\": 0.9, \"cost\": -0.5}}}",
            "-0.5",
            &["cost must be a finite amount of zero or more, not -0.5"],
        ),
        (
            "huge.json",
            "{\"components\": {\"db\": {\"availability\": 0.9, \"cost\": 1e400}}}",
            "1e400",
            &[],
        ),
    ];
    for (name, text, token, words) in cases {
        assert_refused(name, text, token, words);
    }
}

/// A horizon of a hundred million years would allocate its SLO windows before simulating:
/// `simulate` and `report --simulate` share the library's limits and refuse it alike.
#[test]
fn simulate_and_report_refuse_the_same_huge_horizon() {
    let model = repo_path("models/checkout.yaml");
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--horizon", "100000000y", "--runs", "1"];
    let simulate = nines()
        .arg("simulate")
        .arg(&model)
        .args(flags)
        .output()
        .unwrap();
    let report = nines()
        .arg("report")
        .arg(&model)
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg("--simulate")
        .args(flags)
        .output()
        .unwrap();
    let simulate_err = String::from_utf8_lossy(&simulate.stderr);
    let report_err = String::from_utf8_lossy(&report.stderr);
    assert_eq!(simulate.status.code(), Some(2), "{simulate_err}");
    assert_eq!(report.status.code(), Some(2), "{report_err}");
    assert!(simulate_err.contains("SLO windows"), "{simulate_err}");
    assert_eq!(simulate_err, report_err);
    assert!(
        !dir.path().join("out").exists(),
        "a refused report writes nothing"
    );
}

/// The library refuses what would not fit, whoever builds the options.
#[test]
fn timeline_options_are_validated_in_the_library() {
    use nines::sim::timeline::{Start, TimelineOptions, TimelineOptionsError};
    let model = Model::load(&repo_path("models/checkout.yaml")).unwrap();
    let system = model.system().unwrap();
    let year = nines::model::units::YEAR;
    let new = |runs, horizon, threads| {
        TimelineOptions::new(&system, runs, horizon, 0, threads, Start::Stationary)
    };
    assert_eq!(new(0, year, 1).unwrap_err(), TimelineOptionsError::Runs(0));
    assert_eq!(new(1, year, 0).unwrap_err(), TimelineOptionsError::Threads);
    for horizon in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            new(1, horizon, 1).unwrap_err(),
            TimelineOptionsError::Horizon
        );
    }
    assert!(matches!(
        new(1, 1e8 * year, 1).unwrap_err(),
        TimelineOptionsError::Windows { .. }
    ));
    assert!(matches!(
        new(1_000_000_000, 1000.0 * year, 1).unwrap_err(),
        TimelineOptionsError::Events(_)
    ));
    let ok = new(1000, year, 2).unwrap();
    assert_eq!((ok.runs, ok.horizon_s, ok.threads), (1000, year, 2));
}

// ---------------------------------------------------------------------------------------------
// Work bounded up front

/// A component failing and repaired every millisecond, over a month: 2.6 billion events, which
/// ran for 80 s. `simulate`, `report --simulate` and `check`'s window gate build their options
/// through the same check and refuse it at once, pointing at `sample`.
#[test]
fn a_simulation_past_the_event_budget_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "fast.yaml",
        "components:\n  x: { mttf: 1ms, mttr: 1ms, slo: { target: 40%, max_breach: 10% } }\n",
    );
    let flags = ["--horizon", "30d", "--runs", "1"];
    let out = |args: &[&str]| {
        let o = nines().args(args).arg(&model).args(flags).output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let report_dir = dir.path().join("out");
    for (args, code) in [
        (vec!["simulate"], 2),
        (
            vec!["report", "-o", report_dir.to_str().unwrap(), "--simulate"],
            2,
        ),
        (vec!["check", "--max-breach", "10%"], 2),
    ] {
        let (got, err) = out(&args);
        assert_eq!(got, Some(code), "{args:?}: {err}");
        // 2 × 30 days / 2 ms, the expected count of failures and repairs.
        assert!(err.contains("about 2.6e9 events"), "{args:?}: {err}");
        assert!(err.contains("nines sample"), "{args:?}: {err}");
    }
    // One day, 86 million events, is within the budget.
    use nines::sim::timeline::{Start, TimelineOptions, TimelineOptionsError};
    let system = Model::load(&model).unwrap().system().unwrap();
    let day = 86_400.0;
    assert!(TimelineOptions::new(&system, 1, day, 0, 1, Start::Stationary).is_ok());
    let e = TimelineOptions::new(&system, 1, 30.0 * day, 0, 1, Start::Stationary).unwrap_err();
    let TimelineOptionsError::Events(events) = e else {
        panic!("{e}")
    };
    assert_close!(events, 2.0 * 30.0 * day / 2e-3, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Numbers mean what they say

/// An availability with more digits than a float holds reads the same quoted or not: from its
/// digits, so its unavailability is 1e-17 and not the 0 of the float it rounds to.
#[test]
fn long_availabilities_read_alike_quoted_or_not() {
    for format in ["yaml", "json", "toml"] {
        let text = |v: &str| match format {
            "toml" => format!("[components.db]\navailability = {v}\n"),
            "json" => format!("{{\"components\": {{\"db\": {{\"availability\": {v}}}}}}}"),
            _ => format!("components:\n  db: {{ availability: {v} }}\n"),
        };
        let name = format!("m.{format}");
        let load = |t: String| {
            let m = Model::parse(Path::new(&name), t, Format::of(Path::new(&name)).unwrap());
            let s = m.and_then(|m| m.system()).unwrap();
            s.components[0].replica_down
        };
        let bare = load(text("0.99999999999999999"));
        let quoted = load(text("\"0.99999999999999999\""));
        assert_eq!(bare, quoted, "{format}");
        assert_close!(bare.p, 1e-17, 1e-12);
        // The same for an slo.
        let slo = |v: &str| format!("components:\n  db: {{ availability: 0.9, slo: {v} }}\n");
        let (a, b) = (
            Model::parse(
                Path::new("s.yaml"),
                slo("0.99999999999999999"),
                Format::Yaml,
            ),
            Model::parse(
                Path::new("s.yaml"),
                slo("\"0.99999999999999999\""),
                Format::Yaml,
            ),
        );
        let (a, b) = (a.unwrap().system().unwrap(), b.unwrap().system().unwrap());
        assert_eq!(a.components[0].slo, b.components[0].slo);
    }
}

/// A hair above 100% is refused, however far past a float's digits the excess is, and never
/// read as 100%.
#[test]
fn an_availability_a_hair_above_one_is_refused() {
    for (value, words) in [
        ("\"100.0000000000000001%\"", "above 100%"),
        ("1.00000000000000000001", "above 1"),
        ("\"1.00000000000000000001\"", "above 1"),
        (
            "1.0000000000000000000000000000000000000000000001",
            "above 1",
        ),
        (
            "\"10000000000000000000000000000000000000000001e-43\"",
            "above 1",
        ),
    ] {
        assert_refused(
            "m.yaml",
            &format!("components:\n  db: {{ availability: {value} }}\n"),
            value,
            &[words],
        );
    }
    // Exactly one, written long, is one.
    let (s, st) = eval_yaml("components:\n  db: { availability: 1.000000000000000000000000 }\n");
    assert_eq!(unavailability(&s, &st, "db"), 0.0);
}

/// Keys are names, kept as written: `007`, `True` and `1.50` are the names of three components.
#[test]
fn yaml_keys_that_look_like_numbers_stay_names() {
    let (s, _) = eval_yaml(
        "components:\n  007: { availability: 0.9 }\n  True: { availability: 0.9, depends_on: [\"007\"] }\n  1.50: { availability: 0.9 }\n",
    );
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["007", "True", "1.50"]);
    assert_eq!(s.components[1].dependencies.len(), 1);
}

/// JSON writes a character beyond U+FFFF as an escaped surrogate pair: a valid name.
#[test]
fn json_names_with_escaped_surrogate_pairs_are_read() {
    let text = r#"{"components": {"\ud83d\ude00": {"availability": 0.9}, "b\\ud83d": {"availability": 0.5, "depends_on": ["\uD83D\uDE00"]}}}"#;
    let m = Model::parse(Path::new("m.json"), text.into(), Format::Json).unwrap();
    let s = m.system().unwrap();
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    // An escaped backslash before `ud83d` is text, not an escape.
    assert_eq!(names, ["😀", "b\\ud83d"]);
    // A lone half is not a character: refused by the JSON check, at its place.
    let e = model_error("m.json", "{\"components\": {\"\\ud83d\": {}}}");
    assert!(e.contains("m.json:1:"), "{e}");
}

/// A domain and a component of one name: `whatif --fail NAME` could not say which it means.
#[test]
fn a_name_is_a_domain_or_a_component_not_both() {
    assert_refused(
        "m.yaml",
        "domains:\n  db: { availability: 0.9 }\ncomponents:\n  db: { availability: 0.9 }\n",
        "db:",
        &["the domain `db` has the name of a component"],
    );
    // Every shipped model has distinct names.
    for entry in std::fs::read_dir(repo_path("models")).unwrap() {
        let path = entry.unwrap().path();
        if Format::of(&path).is_some() {
            let m = Model::load(&path).unwrap_or_else(|e| panic!("{e}"));
            m.system().unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A baseline that names a component twice: which of the two would it be compared with?
#[test]
fn a_baseline_with_a_name_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "m.yaml", "components:\n  db: { availability: 0.9 }\n");
    let twice = r#"{"components": [{"name": "db", "unavailability": 0.1}, {"name": "db", "unavailability": 0.2}]}"#;
    let base = write_model(&dir, "base.json", twice);
    let out = nines()
        .args([
            "check",
            model.to_str().unwrap(),
            "--baseline",
            base.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("components[1] (`db`) is listed twice"),
        "{err}"
    );
}

/// `budget` is a verdict like `check`: exit 1 when the budget does not fit.
#[test]
fn budget_exits_1_when_the_budget_does_not_fit() {
    let model = repo_path("models/online-store.yaml");
    for (slo, code) in [("99%", 0), ("99.9999%", 1)] {
        let out = nines()
            .arg("budget")
            .arg(&model)
            .args(["storefront", "--slo", slo, "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["meets_slo"], code == 0, "{slo}");
        assert_eq!(out.status.code(), Some(code), "{slo}");
    }
}

/// One run has no spread between runs: no interval is printed for it, rather than one of zero
/// width.
#[test]
fn one_simulated_run_prints_no_interval() {
    let model = repo_path("models/checkout.yaml");
    let run = |format: &str| {
        let out = nines()
            .arg("simulate")
            .arg(&model)
            .args(["-n", "1", "--horizon", "30d", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    for c in v["components"].as_array().unwrap() {
        assert!(
            c["ci95"].is_null() && c["unavailability_ci95"].is_null(),
            "{c}"
        );
    }
    let table = run("table");
    assert!(table.contains("n/a: one run"), "{table}");
    // Two runs have an interval.
    let out = nines()
        .arg("simulate")
        .arg(&model)
        .args(["-n", "2", "--horizon", "30d", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["components"][0]["ci95"].is_array());
}

/// Components always up and always down, slos of 0% and 100%: every ratio and margin has a zero
/// to divide by. JSON cannot hold NaN or infinity (they would be read back as null with no
/// reason), and a table must not print them: each command says what it means instead.
#[test]
fn no_nan_or_infinity_reaches_json_or_tables() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        &dir,
        "edge.yaml",
        "components:
  perfect: { availability: 1, slo: 100% }
  dead: { availability: 0, slo: 0% }
  web: { availability: 0.999, slo: 100%, depends_on: [perfect, dead] }
  app: { availability: 1, slo: \"0%\", depends_on: [perfect], cost: 0, variants: [{ name: cheap, availability: 0, cost: 0 }] }
",
    );
    let m = model.to_str().unwrap();
    for args in [
        vec!["eval", m],
        vec!["check", m, "--min-margin", "1"],
        vec!["check", m, "--baseline", m],
        vec!["lint", m],
        vec!["explain", m, "web"],
        vec!["explain", m, "perfect"],
        vec!["whatif", m, "--fail", "dead"],
        vec!["whatif", m, "--improve", "web=1"],
        vec!["budget", m, "web"],
        vec!["budget", m, "perfect"],
        vec!["budget", m, "dead"],
        vec!["sample", m, "--samples", "10000"],
        vec!["tradeoff", m, "--component", "app"],
        vec!["diff", m, m],
        vec!["simulate", m, "-n", "3", "--horizon", "30d"],
    ] {
        for format in ["default", "json"] {
            let flags: &[&str] = match format {
                "json" => &["--format", "json"],
                _ => &[],
            };
            let out = nines().args(&args).args(flags).output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{args:?}: {stderr}"
            );
            let lower = stdout.to_lowercase();
            for bad in ["nan", "inf"] {
                let words = lower.split(|c: char| !c.is_ascii_alphanumeric());
                assert!(
                    !words.clone().any(|w| w == bad || w == "infinity"),
                    "{args:?} {format}: {stdout}"
                );
            }
            if format == "json" {
                serde_json::from_str::<serde_json::Value>(&stdout)
                    .unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
            }
        }
    }
}
