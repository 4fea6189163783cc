//! The exact mean repair time: detection, then a restart or a responder's work on the weekly
//! calendar, with failures uniform over the week.
//!
//! Let the week last P, of which L is working time, and let the gaps (the stretches without
//! working time) have lengths gᵢ and end at working time uᵢ of the week. A responder's work
//! A = respond + fix started at a uniform instant s ends after A plus the off-hours it meets:
//! what is left of the gap s falls in, and every later gap that ends before A is done. Averaged
//! over s that is, exactly,
//!
//! E\[wait\] = Σ gᵢ² / 2P  +  (P − L)·E\[A\] / P  +  (1/P) Σᵢ Σⱼ gᵢ gⱼ Σₘ P(A > dᵢⱼ + m·L)
//!
//! with dᵢⱼ = uⱼ − uᵢ taken in (0, L]: the first term is the rest of the gap a failure falls in;
//! the second, failures in working time, whose work meets gap j when it is still running at
//! the gap, P(A > uⱼ − w(s)) over working instants (uniform in working time) adds up to E\[A\];
//! the third, failures in gap i, whose work starts at uᵢ. The sum over m is a geometric series
//! for an exponential fix, a count for a fixed one, and otherwise summed term by term with its
//! tail bracketed by the integral ∫ P(F > y) dy = E[(F − y)⁺] in closed form.

use super::calendar::{Calendar, WEEK_S};
use super::dist::{excess, survival};
use crate::system::{DistKind, Lifetime};
use serde::Serialize;

/// Mean seconds of repair time in each phase; they add up to the mean repair time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RepairSplit {
    /// Until monitoring notices.
    pub detect_s: f64,
    /// Restarts (their share of failures times their time).
    pub restart_s: f64,
    /// Off-hours, waiting for the responder's clock to run.
    pub wait_s: f64,
    /// The responder's working time: respond and fix.
    pub work_s: f64,
}

impl RepairSplit {
    /// The mean repair time, in seconds: the phases added up.
    pub fn total(&self) -> f64 {
        self.detect_s + self.restart_s + self.wait_s + self.work_s
    }
}

/// A responder's mean time on one failure: off-hours waited and working time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResponderTime {
    /// Mean off-hours waited, in seconds.
    pub wait_s: f64,
    /// Mean working time, in seconds.
    pub work_s: f64,
    /// A bound on the error of `wait_s` from cutting series short (0 when summed in closed form).
    pub error_bound_s: f64,
}

/// The mean repair time of `detect`, then with probability `share` a restart of `restart_s`,
/// else the responder's time.
pub fn split(
    detect_s: f64,
    share: f64,
    restart_s: f64,
    responder: Option<ResponderTime>,
) -> RepairSplit {
    let rest = 1.0 - share;
    let (wait, work) = responder.map_or((0.0, 0.0), |r| (r.wait_s, r.work_s));
    RepairSplit {
        detect_s,
        restart_s: share * restart_s,
        wait_s: if rest > 0.0 { rest * wait } else { 0.0 },
        work_s: if rest > 0.0 { rest * work } else { 0.0 },
    }
}

/// The most terms one series is summed over before its tail is taken from the integral.
const MAX_TERMS: usize = 2_000_000;

/// The mean off-hours wait and working time of `respond` + `fix` on `calendar`, a failure
/// being handed over at a uniformly random instant of the week.
pub fn responder_time(calendar: &Calendar, respond_s: f64, fix: &Lifetime) -> ResponderTime {
    let work = respond_s + fix.mean_s;
    let gaps = calendar.gaps();
    if gaps.is_empty() {
        return ResponderTime {
            wait_s: 0.0,
            work_s: work,
            error_bound_s: 0.0,
        };
    }
    let period = WEEK_S;
    let working = calendar.working_s();
    let off = period - working;
    // Each series may be off by `tolerance` (times g_i g_j / P summed: (P − L)²/P at most),
    // which keeps the whole within 1e-11 of the work's mean.
    let tolerance = 1e-11 * work.max(1.0) * period / (off * off);
    let mut wait = gaps.iter().map(|g| g.length * g.length).sum::<f64>() / (2.0 * period)
        + off * work / period;
    let mut bound = 0.0;
    let mut pairs = 0.0;
    for gi in &gaps {
        for gj in &gaps {
            let mut d = gj.ends_at_work - gi.ends_at_work;
            if d <= 0.0 {
                d += working;
            }
            let (sum, err) = beyond(d, working, respond_s, fix, tolerance);
            pairs += gi.length * gj.length * sum;
            bound += gi.length * gj.length * err;
        }
    }
    wait += pairs / period;
    ResponderTime {
        wait_s: wait,
        work_s: work,
        error_bound_s: bound / period,
    }
}

/// Σₘ≥₀ P(respond + F > d + m·step), and a bound on its error.
fn beyond(d: f64, step: f64, respond: f64, fix: &Lifetime, tolerance: f64) -> (f64, f64) {
    // Terms up to `respond` are certain.
    let ones = if respond >= d {
        ((respond - d) / step).floor() + 1.0
    } else {
        0.0
    };
    let x0 = d + ones * step - respond;
    match fix.kind {
        DistKind::Exponential => {
            let mean = fix.mean_s;
            (ones + (-x0 / mean).exp() / -(-step / mean).exp_m1(), 0.0)
        }
        DistKind::Fixed => {
            let c = fix.mean_s;
            let more = if x0 < c {
                ((c - x0) / step).ceil()
            } else {
                0.0
            };
            (ones + more, 0.0)
        }
        _ => {
            // A decreasing f has Σ_{i≥j} f(i) between ∫_j^∞ f and f(j) + ∫_j^∞ f: the tail is
            // taken as the middle, within f(j)/2.
            let mut sum = ones;
            for j in 0..MAX_TERMS {
                let x = x0 + j as f64 * step;
                let f = survival(fix, x);
                if f / 2.0 <= tolerance || j + 1 == MAX_TERMS {
                    return (sum + excess(fix, x) / step + f / 2.0, f / 2.0);
                }
                sum += f;
            }
            unreachable!("the loop returns on its last term")
        }
    }
}

/// The mean repair time of a recovery, phase by phase, and the bound on its error.
pub fn mean_repair(
    detect_s: f64,
    share: f64,
    restart_s: f64,
    responder: Option<(&Calendar, f64)>,
    fix: &Lifetime,
) -> (RepairSplit, f64) {
    let time = responder
        .filter(|_| share < 1.0)
        .map(|(calendar, respond)| responder_time(calendar, respond, fix));
    let bound = time.map_or(0.0, |t| t.error_bound_s * (1.0 - share));
    (split(detect_s, share, restart_s, time), bound)
}

/// What `eval` approximates about a component's recovery, if anything: the exact mean takes
/// failures as uniform over the week, while a component that is down over the weekend cannot
/// fail again then, so its failures lean, slightly, towards working hours. The error is of
/// the order of the component's own unavailability, relative.
pub fn approximation(
    system: &crate::system::System,
    c: &crate::system::Component,
) -> Option<String> {
    let r = c.recovery.as_ref()?;
    let responder = &system.responders[r.responder?];
    if responder.calendar.is_always() || r.restart_share >= 1.0 {
        return None;
    }
    let mut detail = format!(
        "repairs wait for the hours of `{}`; the mean repair time takes failures as uniform over the week, while a replica that is down cannot fail again, so failures lean slightly towards working hours (a relative error of the order of the unavailability of one replica, {:.1e})",
        responder.name, c.replica_failed.p
    );
    if c.replicas > 1 {
        detail.push_str(
            "; the repairs of its replicas wait for the same hours, so they are down together more often than independent replicas: taken as independent, the availability is optimistic (`nines simulate` follows the calendar)",
        );
    }
    Some(detail)
}
