//! A run's network state: node values, and a change passed through the gates it flips,
//! delays and breaker pulses included.

use super::agenda::What;
use super::hung::HUNG;
use super::network::{
    COUNT, DELAY_FED, FANOUT, HEADER, ID, IMPAIRED, NodeId, NodeKind, REDRAW, THRESHOLD, WATCHERS,
};
use super::run::Runner;
use crate::system::ComponentId;

impl Runner<'_> {
    /// A node's value.
    #[inline]
    pub(super) fn value(&self, n: usize) -> bool {
        let r = &self.records[self.net.record[n] as usize..];
        if r[THRESHOLD] == u32::MAX {
            self.delayed[n]
        } else {
            r[COUNT] >= r[THRESHOLD]
        }
    }

    pub(super) fn set(&mut self, source: NodeId, v: bool, t: f64) {
        let at = self.net.record[source as usize];
        let count = &mut self.records[at as usize + COUNT];
        if (*count != 0) != v {
            *count = v as u32;
            self.propagate(at, v, t);
        }
    }

    /// Passes the new value `v` of the node whose record is at `at` on, depth first, through
    /// every gate it flips, and tells the components watching each changed node. Every gate
    /// moves the way `v` did (the gates are monotone), so a gate flips when its count crosses
    /// its threshold, and at most once.
    pub(super) fn propagate(&mut self, at: u32, v: bool, t: f64) {
        let mut records = std::mem::take(&mut self.records);
        // Records of nodes that flipped the way `v` says; room for every node, each once.
        let mut stack = std::mem::take(&mut self.stack);
        // Up adds one to the count of each gate fed, which flips when the count reaches its
        // threshold; down takes one away, and the gate flips when the count leaves it.
        let (step, back) = if v { (1u32, 0u32) } else { (u32::MAX, 1u32) };
        stack[0] = at;
        let mut top = 1;
        let mut popped = 0u64;
        while top > 0 {
            top -= 1;
            let at = stack[top] as usize;
            popped += 1;
            let fanout = at + HEADER..at + HEADER + records[at + FANOUT] as usize;
            let watchers = fanout.end..fanout.end + records[at + WATCHERS] as usize;
            for k in fanout {
                let f = records[k];
                if f & DELAY_FED != 0 {
                    let d = (f & !DELAY_FED) as usize;
                    records[d + COUNT] = v as u32;
                    if self.delay_input_changed(records[d + ID] as usize, v, t) {
                        stack[top] = d as u32;
                        top += 1;
                    }
                    continue;
                }
                let f = f as usize;
                let count = records[f + COUNT].wrapping_add(step);
                records[f + COUNT] = count;
                // Written always, kept only if the gate flipped: whether it did is data the
                // processor cannot guess, and a branch on it would stall it half the time.
                stack[top] = f as u32;
                top += (count.wrapping_add(back) == records[f + THRESHOLD]) as usize;
            }
            for k in watchers {
                let w = records[k];
                if w & REDRAW != 0 {
                    if w & HUNG == HUNG {
                        self.hung_changed((w & !HUNG) as ComponentId, v, t);
                    } else if !v {
                        self.redraw.push(w & !REDRAW);
                    }
                    continue;
                }
                let (c, impaired) = ((w & !IMPAIRED) as ComponentId, w & IMPAIRED != 0);
                self.record(c, impaired, v, t);
            }
        }
        self.stack = stack;
        self.records = records;
        // Gates flipped (the node itself is not one).
        self.evaluations += popped - 1;
    }

    /// The input of delay node `n` became `input`: it starts (or restarts) the clock when
    /// true, and passes a recovery on at once (returns whether the delay node flipped).
    #[cold]
    fn delay_input_changed(&mut self, n: usize, input: bool, t: f64) -> bool {
        let tolerate = match self.net.kind[n] {
            NodeKind::Delay(tolerate) => tolerate,
            NodeKind::Pulse(seconds) => return self.pulse_input_changed(n, seconds, input, t),
            _ => unreachable!("marked as a delay"),
        };
        self.token[n] = self.token[n].wrapping_add(1);
        if input {
            if !self.delayed[n] {
                let token = self.token[n];
                self.schedule(t + tolerate, What::DelayExpiry, n, token);
            }
        } else if self.delayed[n] {
            self.delayed[n] = false;
            // Counted when it is popped.
            return true;
        }
        self.evaluations += 1;
        false
    }

    /// The input of pulse node `n` became `input`: a start turns it on for `seconds`, an end
    /// turns it off at once (returns whether it flipped).
    #[cold]
    fn pulse_input_changed(&mut self, n: usize, seconds: f64, input: bool, t: f64) -> bool {
        self.token[n] = self.token[n].wrapping_add(1);
        if input {
            let token = self.token[n];
            self.schedule(t + seconds, What::DelayExpiry, n, token);
            self.delayed[n] = true;
            // Counted when it is popped.
            return true;
        }
        let flipped = std::mem::replace(&mut self.delayed[n], false);
        if !flipped {
            self.evaluations += 1;
        }
        flipped
    }
}
