//! The events of a run and the calendar queue that hands them out in order.

use std::cmp::Ordering;

/// What happens at an event; the order of the variants breaks ties in time, so that at one
/// instant repairs and ends come before failures and starts (no zero-length outages), and a
/// `tolerate` that expires exactly when its target recovers sees the recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum What {
    ReplicaRepair,
    DomainRepair,
    MaintenanceEnd,
    FailoverEnd,
    ReplicaFailure,
    DomainFailure,
    MaintenanceStart,
    DelayExpiry,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Event {
    pub(super) t: f64,
    /// What (top 8 bits), index (next 32) and token (low 24): one integer breaks ties.
    code: u64,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
const WHATS: [What; 8] = [
    What::ReplicaRepair,
    What::DomainRepair,
    What::MaintenanceEnd,
    What::FailoverEnd,
    What::ReplicaFailure,
    What::DomainFailure,
    What::MaintenanceStart,
    What::DelayExpiry,
];

impl Event {
    pub(super) fn new(t: f64, what: What, index: usize, token: u32) -> Event {
        Event {
            t,
            code: ((what as u64) << 56)
                | ((index as u64 & 0xffff_ffff) << 24)
                | (token as u64 & 0xff_ffff),
        }
    }
    pub(super) fn what(&self) -> What {
        WHATS[(self.code >> 56) as usize]
    }
    pub(super) fn index(&self) -> usize {
        ((self.code >> 24) & 0xffff_ffff) as usize
    }
    pub(super) fn token(&self) -> u32 {
        (self.code & 0xff_ffff) as u32
    }
    /// Times are finite and non-negative, so their bit patterns sort as the numbers do.
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.t.to_bits(), self.code)
    }
}

impl Ord for Event {
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

/// The pending events of a run in buckets of equal length over the horizon (a calendar queue):
/// an event goes into the bucket of its time, and the next event is the least of the first
/// bucket that holds any. With about one event per bucket both take a few steps, where a heap
/// takes a dozen comparisons the processor cannot predict. Events at or past the horizon never
/// happen in the run, so they are not kept.
#[derive(Clone, Debug)]
pub(super) struct Agenda {
    horizon: f64,
    /// Buckets per second.
    scale: f64,
    /// The first entry of each bucket's list, or `END`.
    heads: Vec<u32>,
    entries: Vec<Entry>,
    /// The list of unused entries.
    free: u32,
    /// No bucket before this one holds an event.
    cursor: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    event: Event,
    next: u32,
}

const END: u32 = u32::MAX;

impl Agenda {
    pub(super) fn new(horizon: f64) -> Agenda {
        let mut a = Agenda {
            horizon,
            scale: 0.0,
            heads: Vec::new(),
            entries: Vec::new(),
            free: END,
            cursor: 0,
        };
        a.clear(64);
        a
    }

    /// Empties the agenda and gives it about `buckets` buckets (a power of two).
    pub(super) fn clear(&mut self, buckets: usize) {
        let buckets = buckets.clamp(64, 1 << 22).next_power_of_two();
        self.heads.clear();
        self.heads.resize(buckets, END);
        self.entries.clear();
        self.free = END;
        self.cursor = 0;
        self.scale = if self.horizon > 0.0 && self.horizon.is_finite() {
            buckets as f64 / self.horizon
        } else {
            0.0
        };
    }

    #[inline]
    pub(super) fn push(&mut self, e: Event) {
        if e.t >= self.horizon {
            return;
        }
        // Rounding is monotone, so a later time never lands in an earlier bucket; events come
        // no earlier than the one being handled, so never before the cursor.
        let b = ((e.t * self.scale) as usize).clamp(self.cursor, self.heads.len() - 1);
        let entry = Entry {
            event: e,
            next: self.heads[b],
        };
        let at = if self.free != END {
            let at = self.free;
            self.free = self.entries[at as usize].next;
            self.entries[at as usize] = entry;
            at
        } else {
            self.entries.push(entry);
            (self.entries.len() - 1) as u32
        };
        self.heads[b] = at;
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Event> {
        let heads = &mut self.heads;
        while *heads.get(self.cursor)? == END {
            self.cursor += 1;
        }
        let first = heads[self.cursor];
        let (mut best, mut before_best) = (first, END);
        let mut best_key = self.entries[first as usize].event.key();
        let (mut before, mut at) = (first, self.entries[first as usize].next);
        while at != END {
            let e = &self.entries[at as usize];
            let key = e.event.key();
            if key < best_key {
                (best, before_best, best_key) = (at, before, key);
            }
            (before, at) = (at, e.next);
        }
        let Entry { event, next } = self.entries[best as usize];
        if before_best == END {
            heads[self.cursor] = next;
        } else {
            self.entries[before_best as usize].next = next;
        }
        self.entries[best as usize].next = self.free;
        self.free = best;
        Some(event)
    }
}
