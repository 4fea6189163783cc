//! Drawing times to failure and to repair from a component's or domain's `Lifetime`.
//! Every distribution is parameterised by its mean, so the steady state matches the exact
//! engine's, which uses means only.

use super::stream::Stream;
use crate::system::{DistKind, Lifetime};

/// A `Lifetime` with its parameters worked out once.
#[derive(Clone, Copy, Debug)]
pub enum Sampler {
    /// Never happens (an availability of 100%).
    Never,
    /// Happens at once (an availability of 0%).
    Now,
    /// Exponential (memoryless) times.
    Exponential {
        /// The mean, in seconds.
        mean: f64,
    },
    /// Weibull times.
    Weibull {
        /// The scale, in seconds.
        scale: f64,
        /// One over the shape.
        inv_shape: f64,
        /// The least time drawn, in seconds (a trillionth of the mean): times of zero would stop
        /// the clock.
        floor: f64,
    },
    /// Lognormal times.
    Lognormal {
        /// The mean of the underlying normal (of the log of seconds).
        mu: f64,
        /// The standard deviation of the underlying normal.
        sigma: f64,
        /// The least time drawn, in seconds (a trillionth of the mean): times of zero would stop
        /// the clock.
        floor: f64,
    },
    /// Gamma times.
    Gamma {
        /// The shape.
        shape: f64,
        /// The scale, in seconds.
        scale: f64,
        /// The least time drawn, in seconds (a trillionth of the mean): times of zero would stop
        /// the clock.
        floor: f64,
    },
    /// Always the same time.
    Fixed {
        /// The time, in seconds.
        value: f64,
    },
}

impl Sampler {
    /// Works out the parameters that give `l` its mean (and shape).
    pub fn new(l: &Lifetime) -> Sampler {
        let mean = l.mean_s;
        if mean.is_nan() || mean == f64::INFINITY {
            return Sampler::Never;
        }
        if mean <= 0.0 {
            return Sampler::Now;
        }
        // Very small shapes give draws that round to zero; a failure and a repair both of zero
        // length would stop the clock. A draw below 1e-12 of the mean is taken as that.
        let floor = mean * 1e-12;
        match l.kind {
            DistKind::Exponential => Sampler::Exponential { mean },
            DistKind::Fixed => Sampler::Fixed { value: mean },
            DistKind::Weibull => {
                // mean = scale · Γ(1 + 1/k)
                let k = l.shape;
                let scale = (mean.ln() - ln_gamma(1.0 + 1.0 / k)).exp();
                Sampler::Weibull {
                    scale,
                    inv_shape: 1.0 / k,
                    floor,
                }
            }
            DistKind::Lognormal => {
                // mean = exp(mu + sigma²/2)
                let sigma = l.shape;
                Sampler::Lognormal {
                    mu: mean.ln() - sigma * sigma / 2.0,
                    sigma,
                    floor,
                }
            }
            DistKind::Gamma => Sampler::Gamma {
                shape: l.shape,
                scale: mean / l.shape,
                floor,
            },
        }
    }

    /// The median draw (approximate for gamma shapes below one), for sanity checks.
    pub fn median(&self) -> f64 {
        match *self {
            Sampler::Never => f64::INFINITY,
            Sampler::Now => 0.0,
            Sampler::Exponential { mean } => mean * std::f64::consts::LN_2,
            Sampler::Fixed { value } => value,
            Sampler::Weibull {
                scale, inv_shape, ..
            } => scale * std::f64::consts::LN_2.powf(inv_shape),
            Sampler::Lognormal { mu, .. } => mu.exp(),
            Sampler::Gamma { shape, scale, .. } => {
                if shape >= 1.0 {
                    scale * (shape - 1.0 / 3.0)
                } else {
                    // P(X < x) ≈ (x/θ)^k / Γ(k + 1) near zero.
                    scale * (0.5 * ln_gamma(shape + 1.0).exp()).powf(1.0 / shape)
                }
            }
        }
    }

    /// One draw, in seconds (infinite for `Never`).
    #[inline]
    pub fn sample(&self, s: &mut Stream) -> f64 {
        match *self {
            Sampler::Never => f64::INFINITY,
            Sampler::Now => 0.0,
            Sampler::Exponential { mean } => mean * s.exp1(),
            Sampler::Fixed { value } => value,
            Sampler::Weibull {
                scale,
                inv_shape,
                floor,
            } => (scale * (-s.open01().ln()).powf(inv_shape)).max(floor),
            Sampler::Lognormal { mu, sigma, floor } => (mu + sigma * s.normal()).exp().max(floor),
            Sampler::Gamma {
                shape,
                scale,
                floor,
            } => (scale * standard_gamma(shape, s)).max(floor),
        }
    }

    /// The mean, from the parameters (infinite for `Never`).
    pub fn mean(&self) -> f64 {
        match *self {
            Sampler::Never => f64::INFINITY,
            Sampler::Now => 0.0,
            Sampler::Exponential { mean } => mean,
            Sampler::Fixed { value } => value,
            Sampler::Weibull {
                scale, inv_shape, ..
            } => scale * ln_gamma(1.0 + inv_shape).exp(),
            Sampler::Lognormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Sampler::Gamma { shape, scale, .. } => shape * scale,
        }
    }

    /// One draw of the residual life seen from a random instant of a long run of renewals: the
    /// equilibrium distribution, density S(x)/mean, whose mean is E\[X²\]/(2·E\[X\]). A random
    /// instant falls in an interval with probability proportional to its length, so the
    /// interval is drawn length-biased (density x·f(x)/mean) and the instant uniformly inside
    /// it. Every length-biased distribution here has a closed form: a weibull's is
    /// scale·Gamma(1 + 1/k)^(1/k), a lognormal's shifts μ by σ², a gamma's adds one to the
    /// shape, a fixed time's is itself; the exponential's residual is the exponential.
    #[inline]
    pub fn residual(&self, s: &mut Stream) -> f64 {
        let whole = match *self {
            Sampler::Never => return f64::INFINITY,
            Sampler::Now => return 0.0,
            Sampler::Exponential { mean } => return mean * s.exp1(),
            Sampler::Fixed { value } => value,
            Sampler::Weibull {
                scale, inv_shape, ..
            } => scale * standard_gamma(1.0 + inv_shape, s).powf(inv_shape),
            Sampler::Lognormal { mu, sigma, .. } => (mu + sigma * sigma + sigma * s.normal()).exp(),
            Sampler::Gamma { shape, scale, .. } => scale * standard_gamma(shape + 1.0, s),
        };
        // (0, 1] scaled: never zero, so a clock never fires at the very start by rounding.
        whole * s.open01()
    }
}

/// Marsaglia and Tsang's method (ACM TOMS 2000); shapes below one by the boost
/// Gamma(k) = Gamma(k + 1) · U^(1/k).
pub fn standard_gamma(shape: f64, s: &mut Stream) -> f64 {
    if shape < 1.0 {
        return standard_gamma(shape + 1.0, s) * s.open01().powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (x, v) = loop {
            let x = s.normal();
            let v = 1.0 + c * x;
            if v > 0.0 {
                break (x, v * v * v);
            }
        };
        let u = s.open01();
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx)
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Φ(z), the standard normal distribution function: erfc through Q(1/2, ·), so the far lower
/// tail keeps its digits.
pub fn normal_cdf(z: f64) -> f64 {
    let y = -z / std::f64::consts::SQRT_2;
    let erfc = if y >= 0.0 {
        upper_gamma(0.5, y * y)
    } else {
        2.0 - upper_gamma(0.5, y * y)
    };
    0.5 * erfc
}

/// Q(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma function, to about 1e-15.
pub fn upper_gamma(a: f64, x: f64) -> f64 {
    incomplete_gamma(a, x).1
}

/// P(a, x) = γ(a, x)/Γ(a) = 1 − Q(a, x), the regularised lower incomplete gamma function.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    incomplete_gamma(a, x).0
}

/// (P(a, x), Q(a, x)): the series for P below a + 1, Lentz's continued fraction for Q above
/// (Numerical Recipes, §6.2). The one computed directly keeps its digits when small.
fn incomplete_gamma(a: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        let p = (sum * front).min(1.0);
        return (p, (1.0 - p).max(0.0));
    }
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-17 {
            break;
        }
    }
    let q = (front * h).min(1.0);
    (1.0 - q, q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream::Chunks;

    #[test]
    fn ln_gamma_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-13);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        assert!((ln_gamma(1.5) - (std::f64::consts::PI.sqrt() / 2.0).ln()).abs() < 1e-12);
    }

    /// The sample mean of every distribution is within 5 standard errors of its mean, and the
    /// sample variance matches the closed form where there is one.
    #[test]
    fn means_and_variances() {
        let n = 200_000;
        let mean = 10.0;
        let cases = [
            (DistKind::Exponential, 1.0, mean * mean),
            (DistKind::Weibull, 1.5, {
                let k: f64 = 1.5;
                let scale = mean / ln_gamma(1.0 + 1.0 / k).exp();
                scale
                    * scale
                    * (ln_gamma(1.0 + 2.0 / k).exp() - ln_gamma(1.0 + 1.0 / k).exp().powi(2))
            }),
            (DistKind::Weibull, 0.7, {
                let k: f64 = 0.7;
                let scale = mean / ln_gamma(1.0 + 1.0 / k).exp();
                scale
                    * scale
                    * (ln_gamma(1.0 + 2.0 / k).exp() - ln_gamma(1.0 + 1.0 / k).exp().powi(2))
            }),
            (
                DistKind::Lognormal,
                0.8,
                mean * mean * (0.64f64.exp() - 1.0),
            ),
            (DistKind::Gamma, 2.5, mean * mean / 2.5),
            (DistKind::Gamma, 0.4, mean * mean / 0.4),
            (DistKind::Fixed, 1.0, 0.0),
        ];
        for (i, (kind, shape, variance)) in cases.into_iter().enumerate() {
            let sampler = Sampler::new(&Lifetime {
                kind,
                mean_s: mean,
                shape,
            });
            let mut s = Chunks::new(42, 0).take(i + 1).last().unwrap();
            let xs: Vec<f64> = (0..n).map(|_| sampler.sample(&mut s)).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            let se = (variance / n as f64).sqrt();
            assert!(
                (m - mean).abs() <= 5.0 * se + 1e-12,
                "{kind:?} shape {shape}: mean {m} vs {mean} (se {se})"
            );
            assert!(
                (v - variance).abs() <= 0.1 * variance + 1e-12,
                "{kind:?} shape {shape}: variance {v} vs {variance}"
            );
            assert!(xs.iter().all(|&x| x >= 0.0 && x.is_finite()));
        }
    }
}
