//! Repairs drawn event by event for the timeline simulation: detection, then a restart or the
//! responder's work, whose clock runs only inside the responder's hours.

use super::calendar::Calendar;
use crate::sim::lifetime::Sampler;
use crate::sim::stream::Stream;
use crate::system::{Recovery, System};

/// One component's recovery, ready to draw from.
#[derive(Clone, Debug)]
pub struct RepairDraw {
    detect: f64,
    share: f64,
    restart: f64,
    calendar: Calendar,
    respond: f64,
    fix: Sampler,
    mean: f64,
}

/// Failure–repair cycles a replica lives through before t = 0 in a stationary start.
const WARM_UP_CYCLES: f64 = 16.0;

impl RepairDraw {
    /// Works out what drawing `recovery`'s repair times needs from `system`: its responder's
    /// calendar and times.
    pub fn new(system: &System, recovery: &Recovery) -> RepairDraw {
        let responder = recovery.responder.map(|r| &system.responders[r]);
        RepairDraw {
            detect: recovery.detect_s,
            share: recovery.restart_share,
            restart: recovery.restart_s,
            calendar: responder.map_or_else(Calendar::always, |r| r.calendar.clone()),
            respond: responder.map_or(0.0, |r| r.respond_s),
            fix: Sampler::new(&recovery.fix),
            mean: recovery.mean.total(),
        }
    }

    /// The length of the repair of a failure at `t`, seconds from a Monday 00:00 UTC.
    pub fn draw(&self, t: f64, s: &mut Stream) -> f64 {
        if self.share >= 1.0 || (self.share > 0.0 && s.open01() <= self.share) {
            return self.detect + self.restart;
        }
        let work = self.respond + self.fix.sample(s);
        self.detect + self.calendar.finish(t + self.detect, work)
    }

    /// A replica's state at `t0` after failing and being repaired for a while: (down, the time
    /// to its next change). The week matters, so no closed-form residual applies: the replica
    /// starts up some cycles earlier, on the same week, and lives them through.
    pub fn warmed_up(&self, failure: &Sampler, t0: f64, s: &mut Stream) -> (bool, f64) {
        let cycle = failure.mean() + self.mean;
        if !cycle.is_finite() {
            return (false, failure.residual(s));
        }
        let mut t = t0 - WARM_UP_CYCLES * cycle;
        let mut next = t + failure.residual(s);
        loop {
            if next > t0 {
                return (false, next - t0);
            }
            t = next + self.draw(next, s);
            if t > t0 {
                return (true, t - t0);
            }
            next = t + failure.sample(s);
        }
    }
}
