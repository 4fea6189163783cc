//! Recovery: the exact mean repair time against closed forms worked by hand and against an
//! independent numerical integration over failure instants and the fix's own distribution
//! function; the timeline simulation against the exact mean; located errors; responders'
//! costs in the tradeoff.

use nines::recovery::Calendar;
use nines::recovery::mean::mean_repair;
use nines::sim::timeline::{Start, TimelineOptions, simulate};
use nines::system::{DistKind, Lifetime};

use crate::util::*;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

fn lifetime(kind: DistKind, mean_s: f64, shape: f64) -> Lifetime {
    Lifetime {
        kind,
        mean_s,
        shape,
    }
}

#[test]
fn around_the_clock_the_mean_is_detect_plus_restart_or_respond_and_fix() {
    let (system, _) = eval_yaml(
        "responders:\n  oncall: { hours: 24x7, respond: 15m, cost: 6000 }\ncomponents:\n  api:\n    mttf: 30d\n    recovery: { detect: 2m, restart: { share: 70%, time: 1m }, responder: oncall, fix: 2h }\n",
    );
    let api = &system.components[0];
    let want = 120.0 + 0.7 * 60.0 + 0.3 * (900.0 + 7200.0);
    assert_close!(api.repair.mean_s, want, 1e-12);
    let r = api.recovery.as_ref().unwrap();
    assert_eq!(r.mean.detect_s, 120.0);
    assert_close!(r.mean.restart_s, 0.7 * 60.0, 1e-12);
    assert_eq!(r.mean.wait_s, 0.0);
    assert_close!(r.mean.work_s, 0.3 * 8100.0, 1e-12);
    // The mean stands for the mttr: unavailability = mttr / (mttf + mttr).
    assert_close!(api.replica_failed.p, want / (30.0 * DAY + want), 1e-12);
}

/// Office hours Mon–Fri 09–17 UTC, a response of 30 minutes and a fix of exactly 2 hours:
/// 2.5 hours of working time. Gaps: four nights of 16 h and a weekend of 64 h, 128 h of a
/// 168 h week. A failure in a gap waits for the rest of it (Σ g²/2 over the week); a failure in
/// the last 2.5 working hours of a day also waits for the gap after it (2.5 h × Σ g over the
/// week): (2560 + 320) / 168 = 120/7 hours of waiting on average.
#[test]
fn office_hours_with_a_fixed_fix_match_the_hand_worked_mean() {
    let office = Calendar::parse("Mon-Fri 09:00-17:00", None).unwrap();
    let fix = lifetime(DistKind::Fixed, 2.0 * HOUR, 1.0);
    let (split, bound) = mean_repair(0.0, 0.0, 0.0, Some((&office, 0.5 * HOUR)), &fix);
    assert_eq!(bound, 0.0);
    assert_close!(split.wait_s, 120.0 / 7.0 * HOUR, 1e-12);
    assert_close!(split.work_s, 2.5 * HOUR, 1e-12);
    // Friday 18:00: nobody until Monday 09:00 (63 h), then 2.5 h of work.
    let friday_evening = 4.0 * DAY + 18.0 * HOUR;
    assert_eq!(office.finish(friday_evening, 2.5 * HOUR), 65.5 * HOUR);
    // Friday 16:00: one hour now, the rest on Monday from 09:00.
    assert_eq!(
        office.finish(4.0 * DAY + 16.0 * HOUR, 2.5 * HOUR),
        (1.0 + 64.0 + 1.5) * HOUR
    );
}

/// P(F > x) from each distribution's own closed form, written out here.
fn survival(kind: DistKind, mean: f64, shape: f64, x: f64) -> f64 {
    if x < 0.0 {
        return 1.0;
    }
    match kind {
        DistKind::Exponential => (-x / mean).exp(),
        DistKind::Fixed => f64::from(x < mean),
        // Γ(1 + 1/1.5) = Γ(5/3) = 0.902745292950934
        DistKind::Weibull => {
            assert_eq!(shape, 1.5);
            let scale = mean / 0.902_745_292_950_934;
            (-(x / scale).powf(1.5)).exp()
        }
        // Erlang with integer shape k: e^-z Σ_{j<k} z^j / j!.
        DistKind::Gamma => {
            let k = shape as usize;
            assert_eq!(k as f64, shape);
            let z = x * shape / mean;
            let (mut term, mut sum) = (1.0, 0.0);
            for j in 0..k {
                if j > 0 {
                    term *= z / j as f64;
                }
                sum += term;
            }
            (-z).exp() * sum
        }
        DistKind::Lognormal => unreachable!("not used here"),
    }
}

/// ∫ f over [a, b] by 8-point Gauss–Legendre on pieces graded geometrically towards both ends
/// (where a kink or a jump of the integrand may sit), at most `piece` long in the middle.
fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, piece: f64) -> f64 {
    const X: [f64; 4] = [
        0.183_434_642_495_649_8,
        0.525_532_409_916_329,
        0.796_666_477_413_626_7,
        0.960_289_856_497_536_3,
    ];
    const W: [f64; 4] = [
        0.362_683_783_378_362,
        0.313_706_645_877_887_3,
        0.222_381_034_453_374_5,
        0.101_228_536_290_376_3,
    ];
    let gauss = |lo: f64, hi: f64| {
        let (m, h) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
        (0..4)
            .map(|i| W[i] * (f(m - h * X[i]) + f(m + h * X[i])))
            .sum::<f64>()
            * h
    };
    if b <= a {
        return 0.0;
    }
    let mut cuts = vec![a, b];
    let mut d = 1e-3;
    while d < (b - a) / 2.0 && d < piece {
        cuts.push(a + d);
        cuts.push(b - d);
        d *= 2.0;
    }
    let mut x = a + d;
    while x < b - d {
        cuts.push(x);
        x += piece;
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    cuts.windows(2).map(|w| gauss(w[0], w[1])).sum()
}

/// E[time until `respond` + F of working time has run], from a failure at `s`: the integral over
/// real time of P(not done yet) = P(A > working time run so far), walked span by span.
fn expected_finish(spans: &[(i64, i64)], s: f64, respond: f64, fix: (DistKind, f64, f64)) -> f64 {
    let (kind, mean, shape) = fix;
    let s_a = |w: f64| survival(kind, mean, shape, w - respond);
    let mut worked = 0.0;
    let mut total = 0.0;
    let mut t = s;
    let mut week = (s / WEEK).floor();
    loop {
        for &(a, b) in spans {
            let (a, b) = (a as f64 + week * WEEK, b as f64 + week * WEEK);
            if b <= t {
                continue;
            }
            let from = a.max(t);
            // Off-hours before the span: nothing is worked, the chance of not being done stays.
            total += (from - t) * s_a(worked);
            let length = b - from;
            // Inside: ∫ P(A > worked + τ) dτ, cut at the kinks of P(A > ·).
            let mut edges = vec![worked, worked + length];
            for k in [respond, respond + mean] {
                if k > worked && k < worked + length {
                    edges.push(k);
                }
            }
            edges.sort_by(f64::total_cmp);
            for e in edges.windows(2) {
                total += integrate(&s_a, e[0], e[1], 1800.0);
            }
            worked += length;
            t = b;
            if s_a(worked) < 1e-18 {
                return total;
            }
        }
        week += 1.0;
    }
}

/// The mean over failure instants uniform on the week, by integrating `expected_finish` over s:
/// in a gap it falls linearly (exact by the midpoint), in working time piecewise smooth, cut
/// where the work would end just as a gap begins.
fn brute_mean(calendar: &Calendar, respond: f64, fix: (DistKind, f64, f64)) -> f64 {
    let spans = calendar.spans();
    let (_, mean, _) = fix;
    let working: f64 = calendar.working_s();
    let mut total = 0.0;
    let mut previous_end = spans[spans.len() - 1].1 as f64 - WEEK;
    let mut worked_before = 0.0;
    // Work coordinates of the gaps' starts (the end of each span), over a few weeks ahead.
    let ends: Vec<f64> = spans
        .iter()
        .scan(0.0, |w, &(a, b)| {
            *w += (b - a) as f64;
            Some(*w)
        })
        .collect();
    for &(a, b) in spans {
        let (a, b) = (a as f64, b as f64);
        if a > previous_end {
            let gap = a - previous_end;
            let mid = (previous_end + a) / 2.0;
            total += gap * expected_finish(spans, mid.rem_euclid(WEEK), respond, fix);
        }
        let mut cuts = vec![a, b];
        for m in 0..2000 {
            for &e in &ends {
                for k in [respond, respond + mean] {
                    // The instant s at which worked-so-far + k reaches the end e + m·L.
                    let at = a + (e + m as f64 * working - k - worked_before);
                    if at > a && at < b {
                        cuts.push(at);
                    }
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let f = |s: f64| expected_finish(spans, s, respond, fix);
        for c in cuts.windows(2) {
            total += integrate(&f, c[0], c[1], 1800.0);
        }
        worked_before += b - a;
        previous_end = b;
    }
    total / WEEK
}

#[test]
fn the_exact_mean_matches_an_independent_integration_on_several_calendars() {
    let calendars = [
        ("24x7", None),
        ("Mon-Fri 09:00-17:00", None),
        (
            "Mon-Fri 09:00-17:00, Sat 10:00-14:00",
            Some("Europe/Warsaw"),
        ),
        // A night shift across midnight, in a zone west of UTC.
        ("Mon-Fri 22:00-06:00", Some("America/New_York")),
    ];
    let fixes = [
        (DistKind::Exponential, 2.0 * HOUR, 1.0),
        (DistKind::Gamma, 3.0 * HOUR, 3.0),
        (DistKind::Weibull, 1.0 * HOUR, 1.5),
        (DistKind::Fixed, 2.0 * HOUR, 1.0),
    ];
    for (hours, zone) in calendars {
        let calendar = Calendar::parse(hours, zone).unwrap();
        for fix in fixes {
            let respond = 0.5 * HOUR;
            let (split, bound) = mean_repair(
                0.0,
                0.0,
                0.0,
                Some((&calendar, respond)),
                &lifetime(fix.0, fix.1, fix.2),
            );
            let exact = split.total();
            let brute = brute_mean(&calendar, respond, fix);
            assert!(
                (exact - brute).abs() <= 1e-9 * brute,
                "{hours} {zone:?} {fix:?}: exact {exact} vs integrated {brute} (bound {bound})"
            );
            assert!(bound <= 1e-10 * exact);
        }
    }
}

/// Standard errors for a 99.9% two-sided interval.
const Z999: f64 = 3.29;

#[test]
fn simulated_availability_and_repair_time_match_the_exact_mean() {
    let models = [
        // Office hours in Warsaw, some restarts.
        "responders:\n  office: { hours: \"Mon-Fri 09:00-17:00\", timezone: Europe/Warsaw, respond: 30m }\ncomponents:\n  api:\n    mttf: 20d\n    recovery: { detect: 5m, restart: { share: 40%, time: 2m }, responder: office, fix: 2h }\n",
        // A night shift across midnight in New York, a lognormal fix.
        "responders:\n  nights: { hours: \"Sun-Thu 22:00-06:00\", timezone: America/New_York }\ncomponents:\n  batch:\n    mttf: 30d\n    recovery: { responder: nights, fix: { dist: lognormal, mean: 3h, sigma: 1.0 } }\n",
        // Weekend hours only.
        "responders:\n  weekend: { hours: \"Sat-Sun 08:00-20:00\", respond: 1h }\ncomponents:\n  cache:\n    mttf: 60d\n    recovery: { detect: 10m, responder: weekend, fix: 1h }\n",
    ];
    for (i, text) in models.iter().enumerate() {
        let (system, exact) = eval_yaml(text);
        let mttr = system.components[0].repair.mean_s;
        let r = simulate(
            &system,
            &TimelineOptions {
                runs: 400,
                horizon_s: 2.0 * 365.0 * DAY,
                seed: 11 + i as u64,
                threads: 2,
                start: Start::Stationary,
            },
            &|_| {},
        );
        let c = &r.components[0];
        let se = (c.unavailability_ci95.1 - c.unavailability_ci95.0) / 2.0 / 1.96;
        let want = exact[0].down.p;
        assert!(
            (c.unavailability - want).abs() <= Z999 * se,
            "model {i}: simulated {} ± {se}, exact {want}",
            c.unavailability
        );
        // One replica: an outage is a repair, so the mean outage is the mean repair time.
        if system.components[0].replicas == 1 {
            let outages = c.outages_per_year * 2.0 * 400.0;
            let mean = c.mean_outage_s.unwrap();
            // Repair times are at most a few weeks: their spread is bounded by their mean
            // plus the longest gap, which bounds the standard error loosely but honestly.
            let sd_bound = mttr + WEEK;
            assert!(
                (mean - mttr).abs() <= Z999 * sd_bound / outages.sqrt(),
                "model {i}: mean outage {mean} vs mttr {mttr}"
            );
        }
    }
}

/// Replicas whose repairs wait for the same hours are down together more often than
/// independent ones: `eval` says so among its approximations, and the simulation shows it.
#[test]
fn replicas_waiting_for_the_same_hours_are_named_an_approximation() {
    let text = "responders:\n  weekend: { hours: \"Sat-Sun 08:00-20:00\", respond: 1h }\ncomponents:\n  cache:\n    mttf: 10d\n    replicas: 2\n    recovery: { detect: 10m, responder: weekend, fix: 1h }\n";
    let (system, exact) = eval_yaml(text);
    let named = nines::exact::approximations::approximations(&system);
    assert!(
        named
            .iter()
            .any(|a| a.kind == "recovery" && a.detail.contains("down together")),
        "{named:?}"
    );
    let r = simulate(
        &system,
        &TimelineOptions {
            runs: 200,
            horizon_s: 2.0 * 365.0 * DAY,
            seed: 5,
            threads: 2,
            start: Start::Stationary,
        },
        &|_| {},
    );
    let c = &r.components[0];
    let se = (c.unavailability_ci95.1 - c.unavailability_ci95.0) / 2.0 / 1.96;
    assert!(
        c.unavailability - Z999 * se > exact[0].down.p,
        "simulated {} ± {se}, independent replicas {}",
        c.unavailability,
        exact[0].down.p
    );
}

/// A responder who works only at weekends: repairs of failures on Monday wait for Saturday, so
/// a week's downtime swings widely, while around-the-clock repairs of the same mean do not.
#[test]
fn a_weekend_only_responder_shows_in_window_percentiles() {
    let calendar = "responders:\n  weekend: { hours: \"Sat-Sun 00:00-24:00\" }\nwindow: 7d\ncomponents:\n  api:\n    mttf: 10d\n    slo: 90%\n    recovery: { responder: weekend, fix: 1h }\n";
    let (system, exact) = eval_yaml(calendar);
    let mttr = system.components[0].repair.mean_s;
    let plain = format!(
        "window: 7d\ncomponents:\n  api:\n    mttf: 10d\n    slo: 90%\n    mttr: {mttr}s\n"
    );
    let (plain_system, plain_exact) = eval_yaml(&plain);
    assert_close!(exact[0].down.p, plain_exact[0].down.p, 1e-9);
    let run = |s: &nines::system::System| {
        simulate(
            s,
            &TimelineOptions {
                runs: 300,
                horizon_s: 4.0 * 365.0 * DAY,
                seed: 3,
                threads: 2,
                start: Start::Stationary,
            },
            &|_| {},
        )
    };
    let (a, b) = (run(&system), run(&plain_system));
    let pa = a.components[0].window_downtime_s.unwrap();
    let pb = b.components[0].window_downtime_s.unwrap();
    // Mean repair ≈ 2.5 days: with exponential repairs a week holds anything; on the calendar
    // a failure waits for the weekend and is fixed within its first hour, so no window is
    // down for more than about a week's working days plus the fix.
    assert!(
        pa.p99 < pb.p99,
        "calendar p99 {} vs exponential p99 {}",
        pa.p99,
        pb.p99
    );
}

/// (file name, content, expected `file:line`, words the message must contain)
const BAD: &[(&str, &str, &str, &[&str])] = &[
    (
        "unknown-responder.yaml",
        "responders:\n  office: { hours: 24x7 }\ncomponents:\n  api:\n    mttf: 30d\n    recovery: { responder: ofice, fix: 1h }\n",
        "unknown-responder.yaml:6:",
        &["unknown responder `ofice`", "office"],
    ),
    (
        "share.yaml",
        "responders:\n  office: { hours: 24x7 }\ncomponents:\n  api:\n    mttf: 30d\n    recovery:\n      restart: { share: 150%, time: 1m }\n      responder: office\n      fix: 1h\n",
        "share.yaml:7:",
        &["150%", "[0, 1]"],
    ),
    (
        "hours.yaml",
        "responders:\n  office:\n    hours: \"Mon-Fri 9-17\"\ncomponents:\n  api:\n    mttf: 30d\n    recovery: { responder: office, fix: 1h }\n",
        "hours.yaml:3:",
        &["9-17", "HH:MM"],
    ),
    (
        "day.yaml",
        "responders:\n  office:\n    hours: \"Mon-Fry 09:00-17:00\"\ncomponents:\n  api:\n    mttf: 30d\n    recovery: { responder: office, fix: 1h }\n",
        "day.yaml:3:",
        &["Fry", "day of the week"],
    ),
    (
        "zone.yaml",
        "responders:\n  office:\n    hours: \"Mon-Fri 09:00-17:00\"\n    timezone: Europe/Warsa\ncomponents:\n  api:\n    mttf: 30d\n    recovery: { responder: office, fix: 1h }\n",
        "zone.yaml:4:",
        &["unknown time zone `Europe/Warsa`", "IANA"],
    ),
    (
        "both.yaml",
        "responders:\n  office: { hours: 24x7 }\ncomponents:\n  api:\n    mttf: 30d\n    mttr: 1h\n    recovery: { responder: office, fix: 1h }\n",
        "both.yaml:6:",
        &["both `mttr` and `recovery`"],
    ),
    (
        "nobody.yaml",
        "components:\n  api:\n    mttf: 30d\n    recovery: { detect: 1m, fix: 1h }\n",
        "nobody.yaml:4:",
        &["responder"],
    ),
];

#[test]
fn bad_recovery_gets_located_errors() {
    assert_located_errors(BAD);
}

#[test]
fn a_shared_responder_costs_once_per_design() {
    let text = "cost: { downtime_per_hour: 100 }\nresponders:\n  office: { hours: \"Mon-Fri 09:00-17:00\", respond: 30m }\n  oncall: { hours: 24x7, respond: 15m, cost: 6000 }\ncomponents:\n  db:\n    mttf: 60d\n    cost: 300\n    recovery: { responder: office, fix: 1h }\n    variants:\n      - { name: office }\n      - { name: paged, recovery: { responder: oncall, fix: 1h } }\n  api:\n    mttf: 30d\n    cost: 200\n    slo: 99%\n    depends_on: [db]\n    recovery: { responder: office, fix: 1h }\n    variants:\n      - { name: office }\n      - { name: paged, recovery: { responder: oncall, fix: 1h } }\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(&dir, "shared.yaml", text);
    let out = nines()
        .args(["tradeoff", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let designs = json["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 4);
    for d in designs {
        let paged = ["db", "api"]
            .iter()
            .filter(|c| d["variants"][**c] == "paged")
            .count();
        let want = 500.0 + if paged > 0 { 6000.0 } else { 0.0 };
        assert_eq!(d["cost"].as_f64().unwrap(), want, "{d}");
    }
}

#[test]
fn the_firefighting_model_has_a_curve_and_a_sweet_spot() {
    let out = nines()
        .args(["tradeoff", "--format", "json"])
        .arg(repo_path("models/firefighting.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let designs = json["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 3);
    // Each step of the curve costs more and repairs faster.
    let mut by_cost: Vec<(f64, f64)> = designs
        .iter()
        .map(|d| {
            (
                d["cost"].as_f64().unwrap(),
                d["unavailability"].as_f64().unwrap(),
            )
        })
        .collect();
    by_cost.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(by_cost.windows(2).all(|w| w[1].1 < w[0].1), "{by_cost:?}");
    assert!(json["sweet_spot"].is_object());
}
