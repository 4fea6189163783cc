//! Engine options are checked once, in the library: every command that runs an engine refuses
//! the same values with the same message and exit code 2, before any work.

use nines::cost::{MAX_ENUMERATED, TradeoffOptions, TradeoffOptionsError};
use nines::sim::snapshot::{Importance, MAX_SAMPLES, SnapshotOptions, SnapshotOptionsError};
use nines::uncertainty::propagate::{Options, OptionsError};

use crate::util::*;

const MODEL: &str = "\
components:
  db: { availability: 99.9%, replicas: 2 }
  web:
    availability: 99.95%
    slo: 99.9%
    depends_on: [db]
";

/// Runs `nines` in `t` and returns its exit code and standard error.
fn refused(t: &CliTest, args: &[&str]) -> (Option<i32>, String) {
    let out = t.nines().args(args).output().expect("nines runs");
    assert!(out.stdout.is_empty(), "{args:?} printed a result");
    (
        out.status.code(),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

/// The command line is refused with exit 2 and exactly the library's error and hint.
fn refused_as(t: &CliTest, args: &[&str], error: &impl std::fmt::Display, hint: Option<String>) {
    let (code, err) = refused(t, args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    let mut want = format!("error: {error}\n");
    if let Some(h) = hint {
        want += &format!("  = hint: {h}\n");
    }
    assert_eq!(err, want, "{args:?}");
}

/// Every command line gives exit 2 and the same message, which contains `words`.
fn same_refusal(t: &CliTest, commands: &[Vec<&str>], words: &str) {
    let first = refused(t, &commands[0]);
    assert_eq!(first.0, Some(2), "{:?}: {}", commands[0], first.1);
    assert!(first.1.contains(words), "{:?}: {}", commands[0], first.1);
    for c in &commands[1..] {
        assert_eq!(refused(t, c), first, "{c:?} against {:?}", commands[0]);
    }
}

#[test]
fn the_timeline_limits_are_the_same_for_simulate_check_and_report() {
    let t = CliTest::new();
    t.write("m.yaml", MODEL);
    let out = t.path().join("out");
    let out = out.to_str().unwrap();
    let gate = ["check", "m.yaml", "--max-breach", "10%"];
    let simulate = ["simulate", "m.yaml"];
    let report = ["report", "m.yaml", "-o", out, "--simulate"];
    for (extra, words) in [
        (&["--runs", "0"][..], "--runs must be between 1 and"),
        (
            &["--runs", "2000000000"][..],
            "--runs must be between 1 and",
        ),
        // The crash: 136 GB of windows, now refused by every command.
        (
            &["--horizon", "100000000y", "--runs", "1"][..],
            "SLO windows of 30d",
        ),
        (
            &["--horizon", "3"][..],
            "= hint: write a number with a unit",
        ),
        (
            &["--horizon", "0s"][..],
            "--horizon must be longer than zero",
        ),
    ] {
        let commands: Vec<Vec<&str>> = [&gate[..], &simulate, &report]
            .iter()
            .map(|head| [head, extra].concat())
            .collect();
        same_refusal(&t, &commands, words);
    }
    assert!(!t.path().join("out").exists(), "nothing written");
    let threads: Vec<Vec<&str>> = [&gate[..], &simulate]
        .iter()
        .map(|head| [head, &["--threads", "0"][..]].concat())
        .collect();
    same_refusal(&t, &threads, "--threads must be at least 1");
}

#[test]
fn the_window_gate_refuses_a_horizon_without_a_whole_window() {
    let t = CliTest::new();
    t.write("m.yaml", MODEL);
    let (code, err) = refused(
        &t,
        &["check", "m.yaml", "--max-breach", "10%", "--horizon", "3d"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("shorter than the model's SLO window (30d)"),
        "{err}"
    );
    assert!(err.contains("= hint: leave --horizon out"), "{err}");
}

#[test]
fn zero_draws_are_refused_alike_by_eval_and_check() {
    let t = CliTest::new();
    let model = repo_path("models/uncertain-store.yaml");
    let model = model.to_str().unwrap();
    same_refusal(
        &t,
        &[
            vec!["eval", model, "--uncertainty", "--draws", "0"],
            vec!["check", model, "--confidence", "90%", "--draws", "0"],
        ],
        "--draws: 0 draws say nothing\n  = hint: draw at least 100",
    );
    // A model without doubt needs one draw, but a zero is refused all the same.
    t.write("m.yaml", MODEL);
    let (code, err) = refused(
        &t,
        &["check", "m.yaml", "--confidence", "90%", "--draws", "0"],
    );
    assert_eq!(
        (code, err.contains("0 draws say nothing")),
        (Some(2), true),
        "{err}"
    );
    assert_eq!(Options::new(0, 0, 1).unwrap_err(), OptionsError::Draws);
    assert_eq!(Options::new(10, 0, 0).unwrap_err(), OptionsError::Threads);
    assert_eq!(Options::new(10, 7, 2).unwrap().draws, 10);
}

#[test]
fn sample_refuses_what_the_library_refuses_with_its_words() {
    let t = CliTest::new();
    t.write("m.yaml", MODEL);
    let new = |samples, threads, rel_error, max_samples| {
        SnapshotOptions::new(
            samples,
            0,
            threads,
            rel_error,
            max_samples,
            Importance::Auto,
        )
    };
    let too_many = MAX_SAMPLES + 1;
    let cases: Vec<(Vec<String>, SnapshotOptionsError)> = vec![
        (
            vec!["--samples".into(), "0".into()],
            new(0, 1, None, 1 << 32).unwrap_err(),
        ),
        (
            vec!["--samples".into(), too_many.to_string()],
            new(too_many, 1, None, 1 << 32).unwrap_err(),
        ),
        (
            vec!["--max-samples".into(), "0".into()],
            new(1000, 1, None, 0).unwrap_err(),
        ),
        (
            vec!["--rel-error".into(), "1".into()],
            new(1000, 1, Some(1.0), 1 << 32).unwrap_err(),
        ),
        (
            vec!["--rel-error=-0.1".into()],
            new(1000, 1, Some(-0.1), 1 << 32).unwrap_err(),
        ),
        (
            vec!["--threads".into(), "0".into()],
            new(1000, 0, None, 1 << 32).unwrap_err(),
        ),
    ];
    for (flags, error) in cases {
        let mut args = vec!["sample", "m.yaml"];
        args.extend(flags.iter().map(String::as_str));
        refused_as(&t, &args, &error, error.hint());
    }
    // What it accepts: max_samples raised to the samples asked, which are always drawn.
    let o = new(5000, 2, Some(0.01), 100).unwrap();
    assert_eq!((o.samples, o.max_samples, o.threads), (5000, 5000, 2));
}

#[test]
fn tradeoff_refuses_its_limits_before_loading_anything() {
    let t = CliTest::new();
    // No model at all: the options are refused first.
    let beyond = (MAX_ENUMERATED + 1).to_string();
    for (flags, error) in [
        (
            vec!["--max-designs", beyond.as_str()],
            TradeoffOptions::new(MAX_ENUMERATED + 1, 1, None).unwrap_err(),
        ),
        (
            vec!["--budget", "0"],
            TradeoffOptions::new(100, 0, None).unwrap_err(),
        ),
        (
            vec!["--rule", "1x"],
            TradeoffOptions::new(100, 1, Some("1x")).unwrap_err(),
        ),
    ] {
        let mut args = vec!["tradeoff", "missing.yaml"];
        args.extend(flags.iter().copied());
        refused_as(&t, &args, &error, error.hint());
    }
    let (code, err) = refused(&t, &["tradeoff", "missing.yaml", "--plot", "curve.gif"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot tell the plot format of `curve.gif`"),
        "{err}"
    );
    assert_eq!(
        TradeoffOptions::new(0, 1, Some("10x")).unwrap(),
        TradeoffOptions {
            max_designs: 0,
            budget: 1,
            rule: Some(10.0)
        }
    );
    assert!(matches!(
        TradeoffOptions::new(MAX_ENUMERATED, 5, Some("x")),
        Err(TradeoffOptionsError::Rule(_))
    ));
}

#[test]
fn budget_and_downtime_refuse_what_their_library_types_refuse() {
    use nines::explain::budget::Outages;
    use nines::model::units::Availability;
    use nines::report::downtime::DowntimeReport;
    let t = CliTest::new();
    t.write("m.yaml", MODEL);
    for n in ["0", "-1", "inf", "NaN"] {
        let error = Outages::new(n.parse().unwrap()).unwrap_err();
        let flag = format!("--outages={n}");
        refused_as(&t, &["budget", "m.yaml", "web", &flag], &error, None);
    }
    assert!(Outages::new(4.0).is_ok());
    let a = Availability::parse("99.9%").unwrap();
    for w in ["0s", "0d"] {
        let error = DowntimeReport::new(a, 0.0).unwrap_err();
        refused_as(&t, &["downtime", "99.9%", "--window", w], &error, None);
    }
    for bad in [f64::NAN, f64::INFINITY, -1.0] {
        assert!(DowntimeReport::new(a, bad).is_err(), "{bad}");
    }
}
