//! Confidence intervals and a compact histogram for quantiles.

/// The 97.5% point of the standard normal: a two-sided 95% interval is ± this many errors.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's score interval for `k` successes in `n` trials, at 95%. Unlike the normal
/// approximation it stays inside [0, 1] and is sensible with no successes at all.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = Z95 * Z95;
    let centre = (k + z2 / 2.0) / (n + z2);
    let half = Z95 / (n + z2) * (k * (n - k) / n + z2 / 4.0).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Running sums of a sample, for a mean and its normal 95% interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
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
/// read within 0.6% of its value. Only the powers of two that occur take memory (256 bytes
/// each): a thousand components keep their histograms in cache. Counts add up
/// exactly, so histograms from different threads merge to the same result in any order.
#[derive(Clone, Debug)]
pub struct Histogram {
    zeros: u64,
    count: u64,
    /// Where each power of two's buckets start in `counts`, or `NONE`.
    block_at: [u32; BLOCKS],
    counts: Vec<u32>,
}

const SUB: usize = 64;
const MIN_EXP: i32 = -40;
const MAX_EXP: i32 = 80;
const BLOCKS: usize = (MAX_EXP - MIN_EXP) as usize;
const NONE: u32 = u32::MAX;
const _: () = assert!(BLOCKS * SUB < u16::MAX as usize);

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            zeros: 0,
            count: 0,
            block_at: [NONE; BLOCKS],
            counts: Vec::new(),
        }
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

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

    #[inline]
    fn bucket(&mut self, block: usize) -> usize {
        if self.block_at[block] == NONE {
            self.block_at[block] = self.counts.len() as u32;
            self.counts.resize(self.counts.len() + SUB, 0);
        }
        self.block_at[block] as usize
    }

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

    #[inline]
    pub fn add_bucket(&mut self, bucket: u16) {
        self.count += 1;
        if bucket == 0 {
            self.zeros += 1;
            return;
        }
        let (block, sub) = ((bucket as usize - 1) / SUB, (bucket as usize - 1) % SUB);
        let at = self.bucket(block);
        self.counts[at + sub] = self.counts[at + sub].saturating_add(1);
    }

    pub fn merge(&mut self, o: &Histogram) {
        self.count += o.count;
        self.zeros += o.zeros;
        for block in 0..BLOCKS {
            if o.block_at[block] != NONE {
                let at = self.bucket(block);
                let from = o.block_at[block] as usize;
                for s in 0..SUB {
                    self.counts[at + s] = self.counts[at + s].saturating_add(o.counts[from + s]);
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
            for (s, &c) in self.counts[at as usize..at as usize + SUB]
                .iter()
                .enumerate()
            {
                seen += c as u64;
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
}
