//! Samplers of uncertain parameters, and the few distribution functions their checks and
//! `calibrate`'s intervals need (incomplete gamma, chi-square and normal quantiles).

use crate::model::units::{Availability, Duration, Spread};
use crate::sim::stream::Stream;

/// The 95th percentile of the standard normal: low and high are μ ∓ Z95·σ on the log scale.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A lognormal given by its 5th and 95th percentiles: ln X ~ N(μ, σ).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogNormal {
    /// The mean of ln X.
    pub mu: f64,
    /// The standard deviation of ln X.
    pub sigma: f64,
}

impl LogNormal {
    /// The lognormal whose 5th and 95th percentiles are `p5` and `p95` (both positive).
    pub fn from_percentiles(p5: f64, p95: f64) -> LogNormal {
        let (a, b) = (p5.ln(), p95.ln());
        LogNormal {
            mu: (a + b) / 2.0,
            sigma: ((b - a) / (2.0 * Z95)).max(0.0),
        }
    }

    /// One value drawn from `s`.
    pub fn draw(&self, s: &mut Stream) -> f64 {
        (self.mu + self.sigma * s.normal()).exp()
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        normal_cdf((x.ln() - self.mu) / self.sigma)
    }
}

/// A standard gamma deviate of the given shape (scale 1), by Marsaglia and Tsang (ACM TOMS
/// 2000): the timeline simulation's sampler.
pub use crate::sim::lifetime::standard_gamma as gamma;

/// One draw of an uncertain availability's unavailability (the lognormal on it, at most 1).
pub fn unavailability(spread: &Spread<Availability>, s: &mut Stream) -> f64 {
    match spread {
        Spread::Range { low, high } => LogNormal::from_percentiles(high.down.p, low.down.p)
            .draw(s)
            .min(1.0),
        // Refused when the model is read.
        Spread::Incidents { .. } => unreachable!("an availability has no incidents"),
    }
}

/// One draw of an uncertain duration, in seconds: the lognormal, or for an observed history
/// over / G with G ~ Gamma(k + ½, 1) (the mean time of a Gamma(k + ½, over) rate).
pub fn seconds(spread: &Spread<Duration>, s: &mut Stream) -> f64 {
    match spread {
        Spread::Range { low, high } => {
            LogNormal::from_percentiles(low.seconds, high.seconds).draw(s)
        }
        Spread::Incidents { count, over } => over.seconds / gamma(*count as f64 + 0.5, s),
    }
}

pub use crate::sim::lifetime::{gamma_p, ln_gamma, normal_cdf};

/// x with P(a, x) = p, by bisection on a bracket that doubles until it holds the answer.
pub fn gamma_quantile(a: f64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let mut hi = a.max(1.0);
    while gamma_p(a, hi) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gamma_p(a, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The p-quantile of the chi-square distribution with `dof` degrees of freedom.
pub fn chi_square_quantile(p: f64, dof: f64) -> f64 {
    2.0 * gamma_quantile(dof / 2.0, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_of_integers_and_halves() {
        // Γ(n) = (n − 1)!, Γ(½) = √π.
        let mut f = 1.0f64;
        for n in 1..20 {
            assert!((ln_gamma(n as f64) - f.ln()).abs() < 1e-12, "{n}");
            f *= n as f64;
        }
        let half = std::f64::consts::PI.sqrt().ln();
        assert!((ln_gamma(0.5) - half).abs() < 1e-13);
    }

    #[test]
    fn normal_cdf_at_known_points() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(Z95) - 0.95).abs() < 1e-13);
        assert!((normal_cdf(-1.959_963_984_540_054) - 0.025).abs() < 1e-13);
    }
}
