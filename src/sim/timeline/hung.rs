//! Time HUNG: calls to a component hang (a part of its DOWN time), watched like DOWN and
//! impaired, and reported as a share of time with its interval.

use super::network::{IMPAIRED, REDRAW};
use super::run::Runner;
use crate::sim::stats::{Moments, Z95};
use crate::system::ComponentId;

/// Marks a watcher of a component's HUNG state: both marks, which no other watcher carries (a
/// hang split's capacity is never watched as impaired).
pub(super) const HUNG: u32 = IMPAIRED | REDRAW;

/// One component's HUNG time in a run.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HungClock {
    since: f64,
    time: f64,
}

impl HungClock {
    pub(super) fn time(&self) -> f64 {
        self.time
    }
}

/// The share of time a component was HUNG, over runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HungShare {
    /// Mean over runs of the share of the horizon HUNG.
    pub mean: f64,
    /// Its standard error, from the spread between runs.
    pub se: f64,
    /// Its 95% interval.
    pub ci95: (f64, f64),
}

impl HungShare {
    pub(super) fn of(runs: &Moments) -> HungShare {
        let (mean, se) = (runs.mean(), runs.std_error());
        HungShare {
            mean,
            se,
            ci95: ((mean - Z95 * se).max(0.0), (mean + Z95 * se).min(1.0)),
        }
    }
}

impl Runner<'_> {
    /// Calls to component `c` started (`v`) or stopped hanging at `t`.
    #[cold]
    pub(super) fn hung_changed(&mut self, c: ComponentId, v: bool, t: f64) {
        let clock = &mut self.hung[c];
        if v {
            clock.since = t;
        } else {
            clock.time += t - clock.since;
        }
    }
}
