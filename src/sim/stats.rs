//! Confidence intervals and a compact histogram for quantiles.

/// The 97.5% point of the standard normal: a two-sided 95% interval is ± this many errors.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's score interval for `k` successes in `n` trials, at 95%. Unlike the normal
/// approximation it stays inside [0, 1] and is sensible with no successes at all.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    wilson_z(k, n, Z95)
}

/// The Wilson interval for `z` standard deviations (1.96 for 95%, 3.29 for 99.9%).
pub fn wilson_z(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = z * z;
    let centre = (k + z2 / 2.0) / (n + z2);
    let half = z / (n + z2) * (k * (n - k) / n + z2 / 4.0).sqrt();
    // With no successes (or no failures) the end is exactly 0 (or 1) in exact arithmetic; in
    // floating point it can land an ulp inside, and a gate of `max_breach: 0` would then fail a
    // component that never breached.
    let lo = if k == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// Running sums of a sample, for a mean and its normal 95% interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// How many values were added.
    pub n: u64,
    /// Their sum.
    pub sum: f64,
    /// The sum of their squares.
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }
    /// Adds another sample's sums, as if its values had been added here.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
    /// The sample mean (0 for no values).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
    /// The sample variance.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let m = self.sum / n;
        ((self.sum_sq - n * m * m) / (n - 1.0)).max(0.0)
    }
    /// The standard error of the mean.
    pub fn std_error(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        (self.variance() / self.n as f64).sqrt()
    }
    /// The 95% interval of the mean (normal approximation), clipped at zero.
    pub fn ci95(&self) -> (f64, f64) {
        let m = self.mean();
        let h = Z95 * self.std_error();
        ((m - h).max(0.0), m + h)
    }
}

/// Counts of non-negative values in log-linear buckets: 64 per power of two, so a quantile is
/// read within 0.6% of its value. Only the powers of two that occur take memory. A bucket's
/// count is kept in two parts: its low byte, in a cache line per power of two that an add
/// touches, and the carries out of it, in 32-bit counts that an add touches once in 256, so
/// that a thousand components' histograms stay in the second-level cache. Counts add up
/// exactly, so histograms from different threads merge to the same result in any order.
#[derive(Clone, Debug)]
pub struct Histogram {
    zeros: u64,
    count: u64,
    /// The low byte of each bucket's count, a block of `SUB` per power of two in use.
    low: Vec<u8>,
    /// The rest of each bucket's count, in multiples of 256 (saturating), same layout.
    high: Vec<u32>,
    /// Which block each power of two uses, or `NONE`.
    block_at: [u8; BLOCKS],
}

const SUB: usize = 64;
const MIN_EXP: i32 = -40;
const MAX_EXP: i32 = 80;
const BLOCKS: usize = (MAX_EXP - MIN_EXP) as usize;
const NONE: u8 = u8::MAX;
const _: () = assert!(BLOCKS < NONE as usize);
const _: () = assert!(BLOCKS * SUB < u16::MAX as usize);

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            zeros: 0,
            count: 0,
            low: Vec::new(),
            high: Vec::new(),
            block_at: [NONE; BLOCKS],
        }
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// How many values were added.
    pub fn count(&self) -> u64 {
        self.count
    }

    #[inline]
    fn slot(x: f64) -> (usize, usize) {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
        if exp < MIN_EXP {
            (0, 0)
        } else if exp >= MAX_EXP {
            (BLOCKS - 1, SUB - 1)
        } else {
            (
                (exp - MIN_EXP) as usize,
                ((bits >> 46) & (SUB as u64 - 1)) as usize,
            )
        }
    }

    /// Where the buckets of a power of two start, making room for them the first time.
    #[inline]
    fn bucket(&mut self, block: usize) -> usize {
        if self.block_at[block] == NONE {
            self.block_at[block] = (self.low.len() / SUB) as u8;
            self.low.resize(self.low.len() + SUB, 0);
            self.high.resize(self.high.len() + SUB, 0);
        }
        self.block_at[block] as usize * SUB
    }

    /// A bucket's count.
    #[inline]
    fn at(&self, i: usize) -> u64 {
        self.high[i] as u64 * 256 + self.low[i] as u64
    }

    /// Adds `n` to bucket `i`.
    fn add_n(&mut self, i: usize, n: u64) {
        let total = self.at(i) + n;
        self.low[i] = total as u8;
        self.high[i] = (total >> 8).min(u32::MAX as u64) as u32;
    }

    /// Adds one value (non-negative).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_bucket(Self::bucket_of(x));
    }

    /// The bucket `x` falls in, as a number below `u16::MAX` (0 for zero and NaN): two bytes
    /// to keep a value until it is added with `add_bucket`, exactly as `add` would.
    #[inline]
    pub fn bucket_of(x: f64) -> u16 {
        if x <= 0.0 || x.is_nan() {
            return 0;
        }
        let (block, sub) = Self::slot(x);
        (1 + block * SUB + sub) as u16
    }

    /// Adds one value by its bucket, as [`Histogram::bucket_of`] gives it.
    #[inline]
    pub fn add_bucket(&mut self, bucket: u16) {
        self.count += 1;
        if bucket == 0 {
            self.zeros += 1;
            return;
        }
        let (block, sub) = ((bucket as usize - 1) / SUB, (bucket as usize - 1) % SUB);
        let i = self.bucket(block) + sub;
        let (low, carry) = self.low[i].overflowing_add(1);
        self.low[i] = low;
        if carry {
            self.high[i] = self.high[i].saturating_add(1);
        }
    }

    /// Adds another histogram's counts; the result is the same in any order.
    pub fn merge(&mut self, o: &Histogram) {
        self.count += o.count;
        self.zeros += o.zeros;
        for block in 0..BLOCKS {
            if o.block_at[block] != NONE {
                let at = self.bucket(block);
                let from = o.block_at[block] as usize * SUB;
                for s in 0..SUB {
                    self.add_n(at + s, o.at(from + s));
                }
            }
        }
    }

    /// The `q` quantile (the smallest value with at least a share `q` of the sample at or below
    /// it), as the middle of its bucket; None for an empty histogram.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = self.zeros;
        if seen >= rank {
            return Some(0.0);
        }
        for (b, &at) in self.block_at.iter().enumerate() {
            if at == NONE {
                continue;
            }
            for s in 0..SUB {
                seen += self.at(at as usize * SUB + s);
                if seen >= rank {
                    let exp = b as i32 + MIN_EXP;
                    return Some(2f64.powi(exp) * (1.0 + (s as f64 + 0.5) / SUB as f64));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_ends_are_exact_with_no_successes_or_no_failures() {
        for n in 1..5000 {
            assert_eq!(wilson(0, n).0, 0.0, "0 of {n}");
            assert_eq!(wilson(n, n).1, 1.0, "{n} of {n}");
        }
    }

    #[test]
    fn wilson_known_values() {
        // 0 of 10: upper bound z²/(n + z²)
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - Z95 * Z95 / (10.0 + Z95 * Z95)).abs() < 1e-12);
        // 50 of 100: 0.4038 .. 0.5962 (textbook value)
        let (lo, hi) = wilson(50, 100);
        assert!((lo - 0.4038).abs() < 1e-4 && (hi - 0.5962).abs() < 1e-4);
    }

    #[test]
    fn histogram_quantiles_within_resolution() {
        let mut h = Histogram::new();
        for i in 0..1000 {
            h.add(i as f64);
        }
        for (q, want) in [(0.5, 499.0), (0.9, 899.0), (0.99, 989.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got - want).abs() <= 0.008 * want, "{q}: {got} vs {want}");
        }
        assert_eq!(h.quantile(0.0001), Some(0.0));
        let mut other = Histogram::new();
        other.add(1e6);
        h.merge(&other);
        assert_eq!(h.count(), 1001);
        assert!(h.quantile(1.0).unwrap() > 0.99e6);
    }

    /// Counts past a byte carry into the high part, by adds and by merges alike.
    #[test]
    fn histogram_counts_carry() {
        let mut a = Histogram::new();
        for _ in 0..1000 {
            a.add(5.0);
        }
        a.add(7.0);
        let mut b = Histogram::new();
        for _ in 0..300 {
            b.add(5.0);
            b.add(7.0);
        }
        a.merge(&b);
        assert_eq!(a.count(), 1601);
        let i = a.bucket(Histogram::slot(5.0).0) + Histogram::slot(5.0).1;
        assert_eq!(a.at(i), 1300);
        let j = a.bucket(Histogram::slot(7.0).0) + Histogram::slot(7.0).1;
        assert_eq!(a.at(j), 301);
        // 1300 of 1601 at 5: the median is 5's bucket, the 90th percentile 7's.
        assert!((a.quantile(0.5).unwrap() - 5.0).abs() < 0.04);
        assert!((a.quantile(0.9).unwrap() - 7.0).abs() < 0.06);
    }
}
