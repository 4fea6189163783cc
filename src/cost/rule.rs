//! The rule of thumb: every further nine costs `factor` times the last. From today's cost and
//! availability it extrapolates what each nine would cost, what uptime it buys, and where a
//! nine starts to cost more than the downtime it saves.

use super::HOURS_PER_MONTH;
use crate::model::units::YEAR;

/// One step from `k` to `k + 1` nines (90% → 99% is the step from 1 to 2).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Nines before the step.
    pub from_nines: u32,
    /// Nines after it.
    pub to_nines: u32,
    /// Downtime a year this nine removes: (10^-k − 10^-(k+1)) of a year.
    pub uptime_per_year_s: f64,
    /// Extrapolated monthly infrastructure cost at `to_nines`.
    pub cost: f64,
    /// What this nine adds to the monthly cost.
    pub step_cost: f64,
    /// The downtime cost it saves a month.
    pub downtime_cost_saved: f64,
    /// It saves at least what it costs.
    pub pays: bool,
    /// Today's design already has these nines.
    pub bought: bool,
}

/// The curve for one component.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleCurve {
    /// How many times the last nine's cost each further nine costs.
    pub factor: f64,
    /// The component's nines today, −log10(unavailability).
    pub today_nines: f64,
    /// Its unavailability today, a probability.
    pub today_unavailability: f64,
    /// Today's monthly infrastructure cost of the whole model.
    pub today_cost: f64,
    /// Money lost per hour the component is down.
    pub downtime_per_hour: f64,
    /// One step per nine, from today's up to where the curve stops.
    pub steps: Vec<Step>,
    /// The nines where total cost (extrapolated infrastructure + downtime) is least; None
    /// when downtime costs nothing (then every nine costs more than it saves).
    pub sweet_spot_nines: Option<f64>,
}

/// Why the rule of thumb cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The model costs nothing, so there is nothing to extrapolate from.
    #[error(
        "the rule of thumb extrapolates from today's monthly cost, and the model costs nothing\n  = hint: give components a `cost` (per replica) or `fixed_cost`"
    )]
    NoCost,
    /// The component never goes down: there is no further nine to buy.
    #[error("the component never goes down, so there is no further nine to buy")]
    NeverDown,
    /// The factor is not above 1.
    #[error("--rule needs a factor above 1, such as 10x (got {0})")]
    Factor(f64),
}

impl RuleCurve {
    /// Extrapolated monthly infrastructure cost at `nines`.
    pub fn cost_at(&self, nines: f64) -> f64 {
        self.today_cost * self.factor.powf(nines - self.today_nines)
    }

    /// Monthly downtime cost at `nines`.
    pub fn downtime_cost_at(&self, nines: f64) -> f64 {
        10f64.powf(-nines) * HOURS_PER_MONTH * self.downtime_per_hour
    }

    /// Expected monthly total at `nines`: extrapolated infrastructure plus downtime.
    pub fn total_at(&self, nines: f64) -> f64 {
        self.cost_at(nines) + self.downtime_cost_at(nines)
    }

    /// The first step whose cost passes the downtime cost it saves.
    pub fn first_unprofitable(&self) -> Option<&Step> {
        self.steps.iter().find(|s| !s.pays)
    }
}

/// Builds the curve from today's unavailability and monthly cost.
pub fn curve(
    factor: f64,
    today_unavailability: f64,
    today_cost: f64,
    downtime_per_hour: f64,
) -> Result<RuleCurve, RuleError> {
    if !(factor > 1.0 && factor.is_finite()) {
        return Err(RuleError::Factor(factor));
    }
    if today_cost <= 0.0 {
        return Err(RuleError::NoCost);
    }
    if today_unavailability <= 0.0 {
        return Err(RuleError::NeverDown);
    }
    let today_nines = -today_unavailability.log10();
    // From one nine (90%) to at least seven, and three past today.
    let last = (today_nines.ceil() as i64 + 2).clamp(6, 15) as u32;
    let mut curve = RuleCurve {
        factor,
        today_nines,
        today_unavailability,
        today_cost,
        downtime_per_hour,
        steps: Vec::new(),
        sweet_spot_nines: None,
    };
    for k in 1..=last {
        let (from, to) = (k as f64, (k + 1) as f64);
        // 10^-k − 10^-(k+1) = 9 × 10^-(k+1), written so that no digits cancel.
        let removed = 9.0 * 10f64.powi(-(k as i32 + 1));
        let step_cost = curve.cost_at(to) - curve.cost_at(from);
        let saved = removed * HOURS_PER_MONTH * downtime_per_hour;
        curve.steps.push(Step {
            from_nines: k,
            to_nines: k + 1,
            uptime_per_year_s: removed * YEAR,
            cost: curve.cost_at(to),
            step_cost,
            downtime_cost_saved: saved,
            pays: saved >= step_cost,
            bought: to <= today_nines + 1e-9,
        });
    }
    // d/dn [C0 f^(n-n0) + D 10^-n] = 0 where C0 ln f f^(n-n0) = D ln 10 10^-n.
    let d = HOURS_PER_MONTH * downtime_per_hour;
    if d > 0.0 {
        let ln_f = factor.ln();
        let ln_10 = std::f64::consts::LN_10;
        let n = ((d * ln_10 / (today_cost * ln_f)).ln() + today_nines * ln_f) / (ln_f + ln_10);
        curve.sweet_spot_nines = n.is_finite().then_some(n);
    }
    Ok(curve)
}

/// Parses `10x`, `5x`, `3.5x` or a bare `10`.
pub fn parse_factor(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let digits = t.strip_suffix(['x', 'X', '×']).unwrap_or(t).trim();
    match digits.parse::<f64>() {
        Ok(f) if f > 1.0 && f.is_finite() => Ok(f),
        Ok(_) => Err(format!(
            "`{text}` is not a factor above 1: each nine must cost more than the last"
        )),
        Err(_) => Err(format!("`{text}` is not a factor; write e.g. 10x or 5x")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_bought_per_nine_matches_the_issue() {
        let c = curve(10.0, 1e-3, 1000.0, 1000.0).unwrap();
        let want = [
            (1, 32.85 * 86_400.0),
            (2, 3.285 * 86_400.0),
            (3, 7.884 * 3600.0),
            (4, 47.304 * 60.0),
            (5, 4.7304 * 60.0),
            (6, 28.3824),
        ];
        for (k, seconds) in want {
            let s = &c.steps[k - 1];
            assert_eq!(s.from_nines, k as u32);
            assert!(
                (s.uptime_per_year_s - seconds).abs() < 1e-9 * seconds,
                "step {k}: {} s",
                s.uptime_per_year_s
            );
        }
    }

    #[test]
    fn each_nine_costs_factor_times_the_last() {
        let c = curve(10.0, 1e-3, 500.0, 0.0).unwrap();
        assert!((c.cost_at(3.0) - 500.0).abs() < 1e-9);
        assert!((c.cost_at(4.0) - 5000.0).abs() < 1e-6);
        assert!(
            (c.steps[3].step_cost - 45_000.0).abs() < 1e-6,
            "4 → 5 nines"
        );
        assert_eq!(c.sweet_spot_nines, None);
        assert!(c.steps.iter().filter(|s| !s.bought).all(|s| !s.pays));
    }

    #[test]
    fn the_sweet_spot_minimises_the_total() {
        let c = curve(10.0, 2e-3, 2000.0, 50_000.0).unwrap();
        let n = c.sweet_spot_nines.unwrap();
        for dn in [-0.3, -0.05, 0.05, 0.3] {
            assert!(c.total_at(n) < c.total_at(n + dn));
        }
        // The first unprofitable step starts at or after the continuous optimum's nine.
        let first = c.first_unprofitable().unwrap();
        assert!((first.to_nines as f64) > n);
    }

    #[test]
    fn factors_parse() {
        assert_eq!(parse_factor("10x"), Ok(10.0));
        assert_eq!(parse_factor("5X"), Ok(5.0));
        assert_eq!(parse_factor("2.5"), Ok(2.5));
        assert!(parse_factor("1x").is_err());
        assert!(parse_factor("ten").is_err());
    }
}
