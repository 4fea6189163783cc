//! Tails of the binomial distribution with both sides free of cancellation: the probability
//! that at least `j` of `m` independent, identical replicas are down, each with probability
//! `p` (and up with `q`), and its complement.
//!
//! Replicas of one component are identical and, once the domains' states are fixed,
//! independent; so "too few replicas up" is a binomial tail. Counting costs O(√m) per domain
//! state where a decision diagram of a k-of-n gate has about k × (n − k) nodes: 2.5 billion
//! for 50,000 of 100,000 replicas, past any memory.
//!
//! One term is C(m, i) p^i q^(m−i) by Loader's saddle-point form (C. Loader, "Fast and accurate
//! computation of binomial probabilities", 2000; R's `dbinom`), accurate to a few ulps for any
//! m. The side of the tail that lies away from the mode is summed outward from its largest
//! term, each term from the previous by their ratio, until the rest cannot change the sum. The
//! other side holds the mode, so it is at least 1/(m + 1), and is taken as the complement: its
//! relative error stays below (m + 1) ulps.

use crate::model::units::Odds;

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// ln(n!) − ln(√(2πn) (n/e)^n) for n = 0..=15 (0 by convention: never used).
const STIRLING_ERROR: [f64; 16] = [
    0.0,
    0.081_061_466_795_327_26,
    0.041_340_695_955_409_3,
    0.027_677_925_684_998_34,
    0.020_790_672_103_765_093,
    0.016_644_691_189_821_193,
    0.013_876_128_823_070_748,
    0.011_896_709_945_891_77,
    0.010_411_265_261_972_096,
    0.009_255_462_182_712_733,
    0.008_330_563_433_362_87,
    0.007_573_675_487_951_841,
    0.006_942_840_107_209_53,
    0.006_408_994_188_004_207,
    0.005_951_370_112_758_847_5,
    0.005_554_733_551_962_801,
];

/// The error of Stirling's formula at a whole number n ≥ 1 (the tail of its series past 15).
fn stirling_error(n: f64) -> f64 {
    if n <= 15.0 {
        return STIRLING_ERROR[n as usize];
    }
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// x ln(x / np) + np − x, the deviance term, by its series where the two nearly cancel.
fn deviance(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let next = s + ej / (2 * j + 1) as f64;
            if next == s {
                return next;
            }
            s = next;
        }
        return s;
    }
    x * (x / np).ln() + np - x
}

/// P(exactly i of m down): C(m, i) p^i q^(m−i).
fn term(i: u32, m: u32, p: f64, q: f64) -> f64 {
    let (x, n) = (i as f64, m as f64);
    if p == 0.0 {
        return if i == 0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if i == m { 1.0 } else { 0.0 };
    }
    if i == 0 {
        let lc = if p < 0.1 {
            -deviance(n, n * q) - n * p
        } else {
            n * q.ln()
        };
        return lc.exp();
    }
    if i == m {
        let lc = if q < 0.1 {
            -deviance(n, n * p) - n * q
        } else {
            n * p.ln()
        };
        return lc.exp();
    }
    let lc = stirling_error(n)
        - stirling_error(x)
        - stirling_error(n - x)
        - deviance(x, n * p)
        - deviance(n - x, n * q);
    let lf = LN_2PI + x.ln() + (-x / n).ln_1p();
    (lc - 0.5 * lf).exp()
}

/// Sums terms from `first` while `next(i)` gives the following index, until they stop mattering.
fn sum_outward(first: u32, m: u32, p: f64, q: f64, upward: bool) -> f64 {
    let mut t = term(first, m, p, q);
    let mut sum = t;
    let mut i = first;
    let odds = p / q;
    loop {
        // t(i+1) / t(i) = (m − i) / (i + 1) × p / q.
        if upward {
            if i == m {
                break;
            }
            t *= (m - i) as f64 / (i + 1) as f64 * odds;
            i += 1;
        } else {
            if i == 0 {
                break;
            }
            t *= i as f64 / (m - i + 1) as f64 / odds;
            i -= 1;
        }
        sum += t;
        if t <= sum * 1e-18 {
            break;
        }
    }
    sum
}

/// P(at least `j` of `m` down) and its complement, for replicas down with `down.p`.
pub(crate) fn at_least(j: u32, m: u32, down: Odds) -> Odds {
    let (p, q) = (down.p, down.q);
    if j == 0 {
        return Odds::ALWAYS;
    }
    if j > m {
        return Odds::NEVER;
    }
    if p == 0.0 {
        return Odds::NEVER;
    }
    if q == 0.0 {
        return Odds::ALWAYS;
    }
    // The most likely count: terms rise up to it and fall after it.
    let mode = (((m as f64 + 1.0) * p).floor() as u32).min(m);
    if j > mode {
        // At least j down lies above the mode: the upper tail, terms falling from j.
        let upper = sum_outward(j, m, p, q, true).min(1.0);
        Odds {
            p: upper,
            q: 1.0 - upper,
        }
    } else {
        // Fewer than j down lies below the mode: the lower tail, terms falling from j − 1.
        let lower = sum_outward(j - 1, m, p, q, false).min(1.0);
        Odds {
            p: 1.0 - lower,
            q: lower,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use num_traits::{One, ToPrimitive, Zero};

    /// P(at least j of m) and its complement for p = a/b, exactly: every term shares the
    /// denominator b^m, so the numerators are summed as integers and divided once.
    fn exact(j: u32, m: u32, a: i64, b: i64) -> (f64, f64) {
        let (a, rest) = (BigInt::from(a), BigInt::from(b - a));
        let mut choose = BigInt::one();
        let (mut at_least, mut below) = (BigInt::zero(), BigInt::zero());
        for i in 0..=m {
            if i > 0 {
                choose = choose * BigInt::from(m - i + 1) / BigInt::from(i);
            }
            let t = &choose
                * num_traits::pow(a.clone(), i as usize)
                * num_traits::pow(rest.clone(), (m - i) as usize);
            if i >= j {
                at_least += t;
            } else {
                below += t;
            }
        }
        let total = num_traits::pow(BigInt::from(b), m as usize);
        let ratio = |n: BigInt| BigRational::new(n, total.clone()).to_f64().unwrap();
        (ratio(at_least), ratio(below))
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()) || a == b
    }

    #[test]
    fn tails_equal_exact_sums() {
        for &(a, b) in &[
            (1, 2),
            (1, 10),
            (1, 1000),
            (999, 1000),
            (1, 1_000_000_000),
            (3, 7),
        ] {
            let down = Odds {
                p: a as f64 / b as f64,
                q: (b - a) as f64 / b as f64,
            };
            for m in [1u32, 2, 3, 10, 57, 200] {
                for j in [1, 2, m / 3, m / 2, m - 1, m] {
                    let j = j.max(1);
                    let got = at_least(j, m, down);
                    let (p, q) = exact(j, m, a, b);
                    assert!(
                        close(got.p, p, 1e-12) && close(got.q, q, 1e-12),
                        "{j} of {m} at {a}/{b}: got ({:e}, {:e}), exact ({p:e}, {q:e})",
                        got.p,
                        got.q
                    );
                }
            }
        }
    }

    #[test]
    fn edges() {
        let half = Odds { p: 0.5, q: 0.5 };
        assert_eq!(at_least(0, 5, half), Odds::ALWAYS);
        assert_eq!(at_least(6, 5, half), Odds::NEVER);
        assert_eq!(at_least(1, 5, Odds::NEVER), Odds::NEVER);
        assert_eq!(at_least(5, 5, Odds::ALWAYS), Odds::ALWAYS);
        // 50,001 or more of 100,000 fair coins: (1 − P(exactly 50,000)) / 2.
        let ln_choose: f64 = (1..=50_000)
            .map(|i| ((50_000 + i) as f64).ln() - (i as f64).ln())
            .sum();
        let exactly = (ln_choose - 100_000.0 * 2f64.ln()).exp();
        let got = at_least(50_001, 100_000, half);
        assert!(close(got.p, (1.0 - exactly) / 2.0, 1e-9), "{got:?}");
        assert!(close(got.q, (1.0 + exactly) / 2.0, 1e-9), "{got:?}");
    }
}
