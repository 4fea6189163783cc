//! A probability carried with its complement, each without cancellation.

/// The probability of an event and of its complement, each computed without cancellation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Odds {
    /// P(event): for a component, its unavailability.
    pub p: f64,
    /// P(not event) = 1 - p, computed directly.
    pub q: f64,
}

impl Odds {
    /// An event that never happens: probability 0.
    pub const NEVER: Odds = Odds { p: 0.0, q: 1.0 };
    /// An event that always happens: probability 1.
    pub const ALWAYS: Odds = Odds { p: 1.0, q: 0.0 };

    /// From a small probability, where `1 - p` loses nothing that matters.
    pub fn from_p(p: f64) -> Odds {
        Odds { p, q: 1.0 - p }
    }

    /// `numerator / (numerator + rest)` and its complement, both free of cancellation.
    pub fn ratio(numerator: f64, rest: f64) -> Odds {
        if (numerator + rest).is_infinite() && numerator.is_finite() && rest.is_finite() {
            // Two durations near f64::MAX: halving is exact and keeps p + q = 1.
            return Odds::ratio(numerator / 2.0, rest / 2.0);
        }
        let total = numerator + rest;
        Odds {
            p: numerator / total,
            q: rest / total,
        }
    }

    /// Either of two independent events.
    pub fn either(self, other: Odds) -> Odds {
        Odds {
            p: self.p + other.p * self.q,
            q: self.q * other.q,
        }
    }

    /// The odds of the opposite event: `p` and `q` swapped, so nothing is lost.
    pub fn complement(self) -> Odds {
        Odds {
            p: self.q,
            q: self.p,
        }
    }
}

/// Whether an unavailability `u` is within a target unavailability: ties within a relative
/// 1e-12 count as met, so that a value exact on paper (two 90% replicas against 99%) is not
/// failed by the last bit of its floating-point sum.
pub fn within(u: f64, target: f64) -> bool {
    u <= target * (1.0 + 1e-12)
}
