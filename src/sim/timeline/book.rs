//! Bookkeeping: each component's outages, impaired time and SLO windows during a run, and the
//! sums of a chunk of runs.

use super::run::Runner;
use crate::sim::stats::{Histogram, Moments};
use crate::system::ComponentId;

/// Sums of one chunk of runs, per component; merged in chunk order.
#[derive(Clone, Debug, Default)]
pub(super) struct ComponentSums {
    pub(super) unavailability: Moments,
    pub(super) availability: f64,
    pub(super) degraded: f64,
    pub(super) outages: Moments,
    pub(super) failures: u64,
    pub(super) outage_time: f64,
    pub(super) window_time: f64,
    pub(super) windows: u64,
    pub(super) breaches: u64,
    pub(super) exhaustion_time: f64,
    pub(super) exhaustions: u64,
    /// Per run: the share of the horizon HUNG.
    pub(super) hung: Moments,
}

impl ComponentSums {
    pub(super) fn merge(&mut self, o: &ComponentSums) {
        self.unavailability.merge(&o.unavailability);
        self.availability += o.availability;
        self.degraded += o.degraded;
        self.outages.merge(&o.outages);
        self.failures += o.failures;
        self.outage_time += o.outage_time;
        self.window_time += o.window_time;
        self.windows += o.windows;
        self.breaches += o.breaches;
        self.exhaustion_time += o.exhaustion_time;
        self.exhaustions += o.exhaustions;
        self.hung.merge(&o.hung);
    }
}

/// Histograms kept per thread (counts merge exactly in any order).
#[derive(Clone, Debug)]
pub(super) struct Histograms {
    pub(super) window_downtime: Vec<Histogram>,
    pub(super) outage: Vec<Histogram>,
}

/// A component's bookkeeping during one run.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub(super) struct ComponentRun {
    down_since: f64,
    /// When the component last came back up, if that outage is not booked yet: an outage that
    /// resumes at the same instant (one replica's rolling maintenance handing over to the
    /// next) is the same outage. NaN when there is none.
    closing: f64,
    impaired_since: f64,
    down_time: f64,
    impaired_time: f64,
    exhaustion_time: f64,
    exhaustions: u32,
    outages: u32,
}

impl Default for ComponentRun {
    fn default() -> Self {
        ComponentRun {
            down_since: 0.0,
            closing: f64::NAN,
            impaired_since: 0.0,
            down_time: 0.0,
            impaired_time: 0.0,
            exhaustion_time: 0.0,
            exhaustions: 0,
            outages: 0,
        }
    }
}

/// Outage durations a component keeps one by one in a run (128 KiB) before adding them up.
const SPILL_AT: usize = 1 << 16;

impl Runner<'_> {
    pub(super) fn record(&mut self, c: ComponentId, impaired: bool, v: bool, t: f64) {
        if impaired {
            if v {
                self.run[c].impaired_since = t;
            } else {
                self.run[c].impaired_time += t - self.run[c].impaired_since;
            }
        } else if v {
            let closing = std::mem::replace(&mut self.run[c].closing, f64::NAN);
            if closing == t {
                return; // resumed: down_since stays
            }
            if !closing.is_nan() {
                self.outage(c, self.run[c].down_since, closing);
            }
            self.run[c].down_since = t;
        } else {
            if !self.run[c].closing.is_nan() {
                self.outage(c, self.run[c].down_since, self.run[c].closing);
            }
            self.run[c].closing = t;
        }
    }

    /// Books an outage of component `c` over [a, b).
    fn outage(&mut self, c: ComponentId, a: f64, b: f64) {
        if b <= a {
            return;
        }
        self.run[c].down_time += b - a;
        self.run[c].outages += 1;
        // Work queued for this consumer when it went down waits the whole outage: late in the
        // window where its wait passes max_delay.
        for (q, &(_, to, max_delay)) in self.net.queues.iter().enumerate() {
            if let Some(m) = max_delay.filter(|&m| to == c && b - a > m) {
                let w = ((a + m) / self.window) as usize;
                if w < self.windows {
                    self.late[q * self.windows + w] = true;
                }
            }
        }
        self.durations[c].push(Histogram::bucket_of(b - a));
        if self.durations[c].len() >= SPILL_AT {
            let spilled = self.spilled[c].get_or_insert_with(Histogram::new);
            for d in self.durations[c].drain(..) {
                spilled.add_bucket(d);
            }
        }
        let mut w = (a / self.window) as usize;
        while w < self.windows {
            let start = w as f64 * self.window;
            if start >= b {
                break;
            }
            let from = a.max(start);
            let to = b.min(start + self.window);
            let slot = &mut self.window_down[c * self.windows + w];
            let before = *slot;
            *slot += to - from;
            if let Some(budget) = self.budget[c]
                && before <= budget
                && *slot > budget
            {
                let r = &mut self.run[c];
                r.exhaustion_time += from + (budget - before) - start;
                r.exhaustions += 1;
            }
            w += 1;
        }
    }

    /// Closes what is still open at the horizon.
    pub(super) fn finish(&mut self) {
        let h = self.horizon;
        for c in 0..self.net.components.len() {
            let k = &self.net.components[c];
            let closing = std::mem::replace(&mut self.run[c].closing, f64::NAN);
            if !closing.is_nan() {
                self.outage(c, self.run[c].down_since, closing);
            }
            if self.value(k.down as usize) {
                self.outage(c, self.run[c].down_since, h);
            }
            if self.value(k.impaired as usize) {
                self.run[c].impaired_time += h - self.run[c].impaired_since;
            }
            if self.value(k.hung as usize) {
                self.hung_changed(c, false, h);
            }
        }
    }

    pub(super) fn book(
        &mut self,
        sums: &mut [ComponentSums],
        late: &mut [u64],
        hist: &mut Histograms,
    ) {
        for (q, count) in late.iter_mut().enumerate() {
            let windows = &self.late[q * self.windows..(q + 1) * self.windows];
            *count += windows.iter().filter(|&&x| x).count() as u64;
        }
        let h = self.horizon;
        for (c, sum) in sums.iter_mut().enumerate() {
            for d in self.durations[c].drain(..) {
                hist.outage[c].add_bucket(d);
            }
            if let Some(spilled) = self.spilled[c].take() {
                hist.outage[c].merge(&spilled);
            }
            let down = self.run[c].down_time.min(h);
            sum.unavailability.add(down / h);
            sum.availability += (h - down) / h;
            sum.degraded += ((self.run[c].impaired_time - self.run[c].down_time) / h).max(0.0);
            sum.outages.add(self.run[c].outages as f64);
            sum.failures += self.failures[c] as u64;
            sum.outage_time += down;
            for w in 0..self.windows {
                let x = self.window_down[c * self.windows + w];
                hist.window_downtime[c].add(x);
                sum.window_time += x;
                sum.windows += 1;
                if let Some(b) = self.budget[c]
                    && x > b
                {
                    sum.breaches += 1;
                }
            }
            sum.exhaustion_time += self.run[c].exhaustion_time;
            sum.exhaustions += self.run[c].exhaustions as u64;
            sum.hung.add(self.hung[c].time().min(h) / h);
        }
    }
}
