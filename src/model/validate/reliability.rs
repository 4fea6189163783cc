//! How often something fails and how long it stays down: availability, mttf and mttr or
//! distributions, with their doubt.

use super::{Invalid, Result, at, invalid, key};
use crate::model::error::with_hint;
use crate::model::spec::{DistKind, Distribution};
use crate::model::tree::PathStep;
use crate::model::units::{Availability, Duration, Odds, Spread, Uncertain};
use crate::system::{Doubt, Lifetime};

pub(in crate::model) fn positive(d: &Duration, path: &[PathStep], what: &str) -> Result<f64> {
    if d.seconds <= 0.0 {
        return Err(invalid(
            path,
            with_hint(
                format!("{what} must be longer than zero"),
                "write a duration such as \"1h\"",
            ),
        ));
    }
    Ok(d.seconds)
}

pub(in crate::model) fn distribution(d: &Distribution, path: &[PathStep]) -> Result<Lifetime> {
    let mean_s = positive(&d.mean, &at(path, key("mean")), "the mean")?;
    let needs = |name: &'static str, v: Option<f64>, allow_zero: bool| -> Result<f64> {
        match v {
            Some(x) if x.is_finite() && (x > 0.0 || (allow_zero && x == 0.0)) => Ok(x),
            Some(x) => Err(invalid(
                &at(path, key(name)),
                format!(
                    "{name} must be a finite number {}, not {x}",
                    if allow_zero {
                        "of zero or more"
                    } else {
                        "above zero"
                    }
                ),
            )),
            None => Err(invalid(
                path,
                with_hint(
                    format!("a {:?} distribution needs `{name}`", d.dist).to_lowercase(),
                    &format!("add {name}: 1.5"),
                ),
            )),
        }
    };
    let refuse = |name: &'static str, v: Option<f64>| -> Result<()> {
        match v {
            Some(_) => Err(invalid(
                &at(path, key(name)),
                format!(
                    "a {} distribution takes no `{name}`",
                    format!("{:?}", d.dist).to_lowercase()
                ),
            )),
            None => Ok(()),
        }
    };
    let shape = match d.dist {
        DistKind::Exponential | DistKind::Fixed => {
            refuse("shape", d.shape)?;
            refuse("sigma", d.sigma)?;
            1.0
        }
        DistKind::Weibull | DistKind::Gamma => {
            refuse("sigma", d.sigma)?;
            needs("shape", d.shape, false)?
        }
        DistKind::Lognormal => {
            refuse("shape", d.shape)?;
            needs("sigma", d.sigma, true)?
        }
    };
    Ok(Lifetime {
        kind: d.dist,
        mean_s,
        shape,
    })
}

/// The down-probability and lifetimes of something given by availability, mttf/mttr or
/// failure/repair distributions.
pub(super) struct Reliability {
    pub(super) down: Odds,
    pub(super) failure: Lifetime,
    pub(super) repair: Lifetime,
    pub(super) doubt: Doubt,
}

/// The doubt of an availability, mttf and mttr, checked: the 5th percentile at most the
/// estimate, the estimate at most the 95th; an observed history only for a time to failure.
fn doubt(
    availability: Option<Uncertain<Availability>>,
    mttf: Option<Uncertain<Duration>>,
    mttr: Option<Uncertain<Duration>>,
    path_of: &dyn Fn(&'static str) -> Vec<PathStep>,
) -> Result<Doubt> {
    let order =
        |field: &'static str, low: &str, estimate: &str, high: &str, wrong: &'static str| {
            invalid(
                &at(&path_of(field), key(wrong)),
                with_hint(
                    format!("{field} low {low}, estimate {estimate}, high {high} are out of order"),
                    "low and high are the 5th and 95th percentiles: low ≤ estimate ≤ high",
                ),
            )
        };
    let spread = match availability.and_then(|a| a.spread.map(|s| (a.estimate, s))) {
        Some((e, Spread::Range { low, high })) => {
            let text = |a: Availability| a.to_string();
            // Compared on unavailabilities, where the digits are.
            if low.down.p < e.down.p {
                return Err(order(
                    "availability",
                    &text(low),
                    &text(e),
                    &text(high),
                    "low",
                ));
            }
            if e.down.p < high.down.p {
                return Err(order(
                    "availability",
                    &text(low),
                    &text(e),
                    &text(high),
                    "high",
                ));
            }
            if high.down.p <= 0.0 {
                return Err(invalid(
                    &at(&path_of("availability"), key("high")),
                    with_hint(
                        "an uncertain availability cannot reach 100%".into(),
                        "the doubt is a lognormal on the unavailability: give high below 100%, e.g. 99.999%",
                    ),
                ));
            }
            Some(Spread::Range { low, high })
        }
        Some((_, s)) => Some(s),
        None => None,
    };
    let duration = |field: &'static str, d: Option<Uncertain<Duration>>| -> Result<_> {
        match d.and_then(|d| d.spread.map(|s| (d.estimate, s))) {
            Some((e, Spread::Range { low, high })) => {
                let text = |d: Duration| d.to_string();
                if low.seconds <= 0.0 {
                    return Err(invalid(
                        &at(&path_of(field), key("low")),
                        with_hint(
                            format!("{field} low must be longer than zero"),
                            "the doubt is a lognormal on the duration: give low above zero",
                        ),
                    ));
                }
                if low.seconds > e.seconds {
                    return Err(order(field, &text(low), &text(e), &text(high), "low"));
                }
                if e.seconds > high.seconds {
                    return Err(order(field, &text(low), &text(e), &text(high), "high"));
                }
                Ok(Some(Spread::Range { low, high }))
            }
            Some((_, Spread::Incidents { .. })) if field == "mttr" => Err(invalid(
                &at(&path_of(field), key("incidents")),
                with_hint(
                    "an mttr cannot be given as incidents".into(),
                    "incidents count failures: give them as mttf, and the repair time as { estimate, low, high }",
                ),
            )),
            Some((_, s)) => Ok(Some(s)),
            None => Ok(None),
        }
    };
    Ok(Doubt {
        availability: spread,
        mttf: duration("mttf", mttf)?,
        mttr: duration("mttr", mttr)?,
        availability_given: availability.is_some(),
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn reliability(
    availability: Option<Uncertain<Availability>>,
    mttf: Option<Uncertain<Duration>>,
    mttr: Option<Uncertain<Duration>>,
    failure: Option<&Distribution>,
    repair: Option<&Distribution>,
    path_of: &dyn Fn(&'static str) -> Vec<PathStep>,
    whole: &[PathStep],
    what: &str,
    default_mttr: f64,
) -> Result<Reliability> {
    let doubt = doubt(availability, mttf, mttr, path_of)?;
    let availability = availability.map(|a| a.estimate);
    let mttf = mttf.map(|m| m.estimate);
    let mttr = mttr.map(|m| m.estimate);
    let conflict = |a: &'static str, b: &'static str| Invalid {
        also: Some(path_of(a)),
        ..invalid(
            &path_of(b),
            with_hint(
                format!("{what} gives both `{a}` and `{b}`"),
                &format!("keep one of `{a}` and `{b}`"),
            ),
        )
    };
    if availability.is_some() && mttf.is_some() {
        return Err(conflict("availability", "mttf"));
    }
    if availability.is_some() && failure.is_some() {
        return Err(conflict("availability", "failure"));
    }
    if mttf.is_some() && failure.is_some() {
        return Err(conflict("mttf", "failure"));
    }
    if mttr.is_some() && repair.is_some() {
        return Err(conflict("mttr", "repair"));
    }
    let repair = match (repair, mttr) {
        (Some(d), _) => distribution(d, &path_of("repair"))?,
        (None, Some(m)) => {
            if m.seconds < 0.0 {
                return Err(invalid(
                    &path_of("mttr"),
                    "mttr must not be negative".into(),
                ));
            }
            Lifetime::exponential(m.seconds)
        }
        (None, None) => Lifetime::exponential(default_mttr),
    };
    if repair.mean_s <= 0.0 {
        return Err(invalid(
            &path_of("mttr"),
            with_hint(
                "mttr must be longer than zero".into(),
                "a repair takes some time, e.g. \"5m\"",
            ),
        ));
    }
    let (down, failure) = match (availability, mttf, failure) {
        (Some(a), None, None) => {
            let mean = if a.down.p > 0.0 {
                repair.mean_s * a.down.q / a.down.p
            } else {
                f64::INFINITY
            };
            (a.down, Lifetime::exponential(mean))
        }
        (None, Some(m), None) => {
            let mean = positive(&m, &path_of("mttf"), "mttf")?;
            (
                Odds::ratio(repair.mean_s, mean),
                Lifetime::exponential(mean),
            )
        }
        (None, None, Some(d)) => {
            let f = distribution(d, &path_of("failure"))?;
            (Odds::ratio(repair.mean_s, f.mean_s), f)
        }
        _ => {
            return Err(invalid(
                whole,
                with_hint(
                    format!("{what} needs `availability`, `mttf` or a `failure` distribution"),
                    "add e.g. availability: \"99.9%\" or mttf: 60d with mttr: 30m, in the model or in an overlay file given with --overlay",
                ),
            ));
        }
    };
    Ok(Reliability {
        down,
        failure,
        repair,
        doubt,
    })
}
