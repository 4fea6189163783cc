//! Seeded random streams and the fixed split of work into chunks that makes every result the
//! same for any thread count.
//!
//! A stage of work (the plain snapshot, the importance sampling of one component, the timeline)
//! gets its own sub-sequence of the Xoshiro256++ generator seeded from `--seed`: stage `s` starts
//! `s` long jumps (2^192 draws) in. Inside a stage, chunk `i` starts `i` jumps (2^128 draws) past
//! the stage's start, so chunks never share random numbers, and which thread runs a chunk does
//! not matter. Results that are sums of floats are combined in chunk order.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every engine draws from.
#[derive(Clone, Debug)]
pub struct Stream(Xoshiro256PlusPlus);

impl Stream {
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in (0, 1]: never zero, so its logarithm is finite.
    #[inline]
    pub fn open01(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal deviate (Box–Muller; one of the pair is dropped to keep the stream's
    /// use independent of call history).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let r = (-2.0 * self.open01().ln()).sqrt();
        let theta = std::f64::consts::TAU * self.open01();
        r * theta.cos()
    }
}

/// Hands out the starting points of successive chunks of one stage.
#[derive(Clone, Debug)]
pub struct Chunks {
    next: Xoshiro256PlusPlus,
}

impl Chunks {
    pub fn new(seed: u64, stage: u64) -> Chunks {
        let mut next = Xoshiro256PlusPlus::seed_from_u64(seed);
        for _ in 0..stage {
            next.long_jump();
        }
        Chunks { next }
    }

    /// The streams of the next `n` chunks, made one at a time as they are asked for.
    pub fn take(&mut self, n: usize) -> ChunkStreams {
        let streams = ChunkStreams {
            next: self.next.clone(),
            left: n,
        };
        for _ in 0..n {
            self.next.jump();
        }
        streams
    }
}

/// The streams of a run of consecutive chunks.
#[derive(Clone, Debug)]
pub struct ChunkStreams {
    next: Xoshiro256PlusPlus,
    left: usize,
}

impl ChunkStreams {
    pub fn len(&self) -> usize {
        self.left
    }
    pub fn is_empty(&self) -> bool {
        self.left == 0
    }
}

impl Iterator for ChunkStreams {
    type Item = Stream;
    fn next(&mut self) -> Option<Stream> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let s = Stream(self.next.clone());
        self.next.jump();
        Some(s)
    }
}

/// Runs `work` on every chunk over `threads` threads, and hands each chunk's result to `merge`
/// in chunk order (so sums of floats come out the same whatever the thread count). Each thread
/// also keeps a `local` state (for results that add up exactly, such as counts), returned at
/// the end.
pub fn run_chunks<L, A, W, M>(
    streams: ChunkStreams,
    threads: usize,
    mut local: impl FnMut() -> L,
    work: W,
    merge: M,
) -> Vec<L>
where
    L: Send,
    A: Send,
    W: Fn(&mut L, usize, Stream) -> A + Sync,
    M: FnMut(usize, A) + Send,
{
    let n = streams.len();
    let threads = threads.clamp(1, n.clamp(1, 256));
    // Chunks are claimed in order, each with its stream.
    let streams = Mutex::new(streams.enumerate());
    // (next chunk to merge, results that came early, the merge function)
    let ordered = Mutex::new((0usize, BTreeMap::<usize, A>::new(), merge));
    let locals: Vec<L> = (0..threads).map(|_| local()).collect();
    let body = |mut l: L| -> L {
        loop {
            let claimed = streams.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some((i, stream)) = claimed else {
                return l;
            };
            let result = work(&mut l, i, stream);
            let mut guard = ordered.lock().unwrap_or_else(|e| e.into_inner());
            let (expected, pending, merge) = &mut *guard;
            pending.insert(i, result);
            while let Some(r) = pending.remove(expected) {
                merge(*expected, r);
                *expected += 1;
            }
        }
    };
    if threads == 1 {
        return locals.into_iter().map(body).collect();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = locals.into_iter().map(|l| s.spawn(|| body(l))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// The number of threads to use when none is asked for.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_do_not_depend_on_threads() {
        let go = |threads| {
            let mut sums = Vec::new();
            run_chunks(
                Chunks::new(7, 1).take(50),
                threads,
                || (),
                |_, _, mut s| (0..100).map(|_| s.open01()).sum::<f64>(),
                |i, x| sums.push((i, x)),
            );
            sums
        };
        let one = go(1);
        assert_eq!(one.len(), 50);
        assert!(one.iter().enumerate().all(|(i, (j, _))| i == *j));
        assert_eq!(one, go(2));
        assert_eq!(one, go(5));
    }

    #[test]
    fn stages_and_chunks_differ() {
        let a: Vec<Stream> = Chunks::new(1, 0).take(2).collect();
        let b: Vec<Stream> = Chunks::new(1, 1).take(1).collect();
        let first = |s: &Stream| s.clone().next_u64();
        assert_ne!(first(&a[0]), first(&a[1]));
        assert_ne!(first(&a[0]), first(&b[0]));
    }
}
