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
    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in (0, 1]: never zero, so its logarithm is finite.
    #[inline]
    pub fn open01(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard exponential deviate (mean one), by Marsaglia and Tsang's ziggurat (J. Stat.
    /// Softw. 2000): one draw and two table reads almost every time, where −ln U needs a
    /// logarithm. Never zero.
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.0.next_u64();
            // Layer from the low 8 bits, position in it from the top 53 (they do not overlap);
            // the half step keeps it off zero.
            let i = (bits & 0xff) as usize;
            let u = ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            let x = u * z.x[i];
            if x < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond r is r plus an exponential (memorylessness).
                return ZIG_EXP_R - self.open01().ln();
            }
            // The wedge between the layer's rectangle and the curve.
            if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * self.open01() < (-x).exp() {
                return x;
            }
        }
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

/// The exponential ziggurat of 256 layers of equal area `ZIG_EXP_V`, the base layer (the
/// rectangle under r plus the tail beyond it) included: `x[i]` is the right edge of layer `i`
/// (`x[0]` the base layer's width were its area a rectangle), falling to `x[256] = 0`, and
/// `f[i] = exp(-x[i])`.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

const ZIG_EXP_R: f64 = 7.697_117_470_131_05;
const ZIG_EXP_V: f64 = 0.003_949_659_822_581_557;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; 257];
        x[0] = ZIG_EXP_V * ZIG_EXP_R.exp();
        x[1] = ZIG_EXP_R;
        // Each layer has area v: x[i+1] is where the curve reaches f(x[i]) + v / x[i].
        for i in 1..256 {
            x[i + 1] = -(ZIG_EXP_V / x[i] + (-x[i]).exp()).ln();
        }
        x[256] = 0.0;
        let f = x.map(|x| (-x).exp());
        Ziggurat { x, f }
    })
}

/// Hands out the starting points of successive chunks of one stage.
#[derive(Clone, Debug)]
pub struct Chunks {
    next: Xoshiro256PlusPlus,
}

impl Chunks {
    /// The chunk streams of stage `stage` of a run seeded with `seed`: each stage has its own
    /// sequence.
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
    /// How many streams are left to hand out.
    pub fn len(&self) -> usize {
        self.left
    }
    /// Whether every stream has been handed out.
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

    /// The layers close at zero: the constants and the recurrence agree.
    #[test]
    fn ziggurat_tables_close() {
        let z = ziggurat();
        assert!(z.x.windows(2).all(|w| w[0] > w[1]));
        // The last computed edge is the top layer's, a sliver above zero.
        assert!(z.x[255] > 0.0 && z.x[255] < 0.1, "{}", z.x[255]);
        // The top layer's area, x[255] · (1 − f(x[255])), is v.
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top - ZIG_EXP_V).abs() < 1e-6 * ZIG_EXP_V, "{top}");
    }

    /// Mean 1, variance 1, and P(X > x) = e^−x at points inside layers, at the base and in the
    /// tail, within five standard errors of 10⁶ draws.
    #[test]
    fn exponential_deviates() {
        let n = 1_000_000;
        let mut s = Chunks::new(9, 3).take(1).next().unwrap();
        let xs: Vec<f64> = (0..n).map(|_| s.exp1()).collect();
        assert!(xs.iter().all(|&x| x > 0.0 && x.is_finite()));
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        assert!((m - 1.0).abs() < 5.0 / (n as f64).sqrt(), "mean {m}");
        // The variance of the sample variance of an exponential is 8/n.
        assert!(
            (v - 1.0).abs() < 5.0 * (8.0 / n as f64).sqrt(),
            "variance {v}"
        );
        for x in [0.001f64, 0.05, 0.5, 1.0, 2.0, 4.0, 7.0, 8.0, 10.0] {
            let p = (-x).exp();
            let got = xs.iter().filter(|&&y| y > x).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (got - p).abs() < 5.0 * se + 1e-9,
                "P(X > {x}) = {got}, want {p}"
            );
        }
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
