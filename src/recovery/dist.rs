//! Survival functions and expected excesses of the repair distributions, in closed form
//! through the regularised incomplete gamma function: what the exact mean repair time needs.

use crate::sim::lifetime::ln_gamma;
pub use crate::sim::lifetime::{normal_cdf, upper_gamma};
use crate::system::{DistKind, Lifetime};

/// P(F > x).
pub fn survival(l: &Lifetime, x: f64) -> f64 {
    let mean = l.mean_s;
    if x < 0.0 {
        return 1.0;
    }
    match l.kind {
        DistKind::Exponential => (-x / mean).exp(),
        DistKind::Fixed => f64::from(x < mean),
        DistKind::Weibull => {
            let k = l.shape;
            let scale = mean / ln_gamma(1.0 + 1.0 / k).exp();
            (-(x / scale).powf(k)).exp()
        }
        DistKind::Gamma => upper_gamma(l.shape, x * l.shape / mean),
        DistKind::Lognormal => {
            let sigma = l.shape;
            if sigma == 0.0 {
                return f64::from(x < mean);
            }
            let mu = mean.ln() - sigma * sigma / 2.0;
            normal_cdf((mu - x.ln()) / sigma)
        }
    }
}

/// E[(F − x)⁺] = ∫ₓ^∞ P(F > y) dy.
pub fn excess(l: &Lifetime, x: f64) -> f64 {
    let mean = l.mean_s;
    if x <= 0.0 {
        return mean - x;
    }
    match l.kind {
        DistKind::Exponential => mean * (-x / mean).exp(),
        DistKind::Fixed => (mean - x).max(0.0),
        DistKind::Weibull => {
            let k = l.shape;
            let scale = mean / ln_gamma(1.0 + 1.0 / k).exp();
            mean * upper_gamma(1.0 / k, (x / scale).powf(k))
        }
        DistKind::Gamma => {
            let z = x * l.shape / mean;
            (mean * upper_gamma(l.shape + 1.0, z) - x * upper_gamma(l.shape, z)).max(0.0)
        }
        DistKind::Lognormal => {
            let sigma = l.shape;
            if sigma == 0.0 {
                return (mean - x).max(0.0);
            }
            let mu = mean.ln() - sigma * sigma / 2.0;
            let d2 = (mu - x.ln()) / sigma;
            (mean * normal_cdf(d2 + sigma) - x * normal_cdf(d2)).max(0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Q(1, x) = e^-x; erfc(1) = 0.157299207050285...; Φ(1.96) = 0.975002104851780.
        assert!((upper_gamma(1.0, 3.0) - (-3.0f64).exp()).abs() < 1e-15);
        assert!((upper_gamma(0.5, 1.0) - 0.157_299_207_050_285_13).abs() < 1e-15);
        assert!((normal_cdf(1.96) - 0.975_002_104_851_780).abs() < 1e-14);
        assert!((normal_cdf(-1.96) - 0.024_997_895_148_220_4).abs() < 1e-14);
        // Q(3, 2) = e^-2 (1 + 2 + 2).
        assert!((upper_gamma(3.0, 2.0) - 5.0 * (-2.0f64).exp()).abs() < 1e-15);
    }

    #[test]
    fn excess_at_zero_is_the_mean() {
        for (kind, shape) in [
            (DistKind::Exponential, 1.0),
            (DistKind::Weibull, 1.7),
            (DistKind::Gamma, 2.5),
            (DistKind::Lognormal, 0.9),
        ] {
            let l = Lifetime {
                kind,
                mean_s: 7200.0,
                shape,
            };
            assert!((excess(&l, 1e-9) - 7200.0).abs() < 1e-6, "{kind:?}");
        }
    }
}
