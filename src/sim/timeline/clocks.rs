//! Where a run's clocks start (the steady state) and how long a repair takes (on a responder's
//! calendar, where there is one).

use super::agenda::What;
use super::network::{Clock, Replica};
use super::run::Runner;
use crate::recovery::calendar::WEEK_S;
use crate::sim::stream::Stream;

impl Runner<'_> {
    /// Puts every clock in its steady state at t = 0. Whatever starts down is set down at once,
    /// before any event: the components' outages then open at 0, and none of it counts as a
    /// failure or fails over (it happened before the run).
    pub(super) fn start_stationary(&mut self, s: &mut Stream) {
        let net = self.net;
        // Only a model whose repairs keep hours has a week to place t = 0 in: the others keep
        // their streams as they were.
        if net.recoveries.iter().any(Option::is_some) {
            self.week = WEEK_S * (1.0 - s.open01());
        }
        for (i, r) in net.replicas.iter().enumerate() {
            let (down, next) = match &net.recoveries[r.component as usize] {
                Some(draw) => {
                    let failure = &net.samplers[r.clock.failure as usize];
                    draw.warmed_up(failure, self.week, s)
                }
                None => self.steady_clock(r.clock, s),
            };
            if down {
                self.set(r.clock.node, true, 0.0);
                self.schedule(next, What::ReplicaRepair, i, 0);
            } else {
                self.schedule(next, What::ReplicaFailure, i, 0);
            }
        }
        for (i, &d) in net.domains.iter().enumerate() {
            let (down, next) = self.steady_clock(d, s);
            if down {
                self.set(d.node, true, 0.0);
                self.schedule(next, What::DomainRepair, i, 0);
            } else {
                self.schedule(next, What::DomainFailure, i, 0);
            }
        }
        self.phase.fill(f64::NAN);
        for (i, m) in net.maintenances.iter().enumerate() {
            let owner = m.component as usize;
            if self.phase[owner].is_nan() {
                // Uniform in [0, every) (open01 is in (0, 1]), on a grid of 1/1024 s: with
                // offsets and durations in whole seconds every sum below is then exact, so one
                // replica's slot ends at the very instant the next one's starts, as unshifted.
                let u = m.every * (1.0 - s.open01());
                self.phase[owner] = (u * 1024.0).floor() / 1024.0;
            }
            // The schedule shifted by the phase: its starts fall at `at` + j·every.
            let at = (m.offset + self.phase[owner]) % m.every;
            let end = at - m.every + m.duration;
            if end > 0.0 {
                // The window that started one period earlier is still on.
                self.set(m.node, true, 0.0);
                self.schedule(end, What::MaintenanceEnd, i, 0);
            } else {
                self.schedule(at, What::MaintenanceStart, i, 0);
            }
        }
    }

    /// How long the repair of replica `r`, failed at `t`, takes: on its responder's calendar
    /// when its component has a recovery.
    pub(super) fn replica_repair(&self, r: Replica, t: f64, s: &mut Stream) -> f64 {
        match &self.net.recoveries[r.component as usize] {
            Some(draw) => draw.draw(self.week + t, s),
            None => self.net.samplers[r.clock.repair as usize].sample(s),
        }
    }

    /// Whether an alternating failure/repair clock is down at a random instant of its long run
    /// (with probability mean repair / (mean failure + mean repair)), and the time to its next
    /// change, a residual life of the phase it is in.
    fn steady_clock(&self, clock: Clock, s: &mut Stream) -> (bool, f64) {
        let failure = &self.net.samplers[clock.failure as usize];
        let repair = &self.net.samplers[clock.repair as usize];
        let down = crate::model::units::Odds::ratio(repair.mean(), failure.mean()).p;
        if s.open01() <= down {
            (true, repair.residual(s))
        } else {
            (false, failure.residual(s))
        }
    }
}
