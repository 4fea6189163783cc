//! Checks of `responders` and of components' `recovery`, each error placed at its key.

use std::collections::HashMap;

use super::error::with_hint;
use super::spec::{ComponentSpec, Fix, ModelSpec};
use super::tree::PathStep;
use super::units::Duration;
use super::validate::{Invalid, at, distribution, invalid, key, positive, printable, unknown};
use crate::recovery::calendar::{Calendar, standard_offset};
use crate::recovery::mean::mean_repair;
use crate::system::{Lifetime, Recovery, Responder, ResponderId};

type Result<T> = std::result::Result<T, Invalid>;

/// The model's responders, in file order.
pub(super) fn responders(spec: &ModelSpec) -> Result<Vec<Responder>> {
    let mut out = Vec::with_capacity(spec.responders.len());
    for (name, r) in &spec.responders {
        let path = vec![key("responders"), key(name)];
        let name_path = [key("responders"), PathStep::KeyItself(name.clone())];
        if name.trim().is_empty() {
            return Err(invalid(&name_path, "a responder needs a name".into()));
        }
        printable(name, "responder", &name_path)?;
        let offset = match &r.timezone {
            None => 0,
            Some(zone) => standard_offset(zone)
                .map_err(|(m, h)| invalid(&at(&path, key("timezone")), with_hint(m, &h)))?,
        };
        let calendar = Calendar::parse_at(&r.hours, offset)
            .map_err(|(m, h)| invalid(&at(&path, key("hours")), with_hint(m, &h)))?;
        let respond_s = not_negative(r.respond, &at(&path, key("respond")), "respond")?;
        let cost = r.cost.unwrap_or(0.0);
        if !cost.is_finite() || cost < 0.0 {
            return Err(invalid(
                &at(&path, key("cost")),
                format!("cost must be a finite amount of zero or more, not {cost}"),
            ));
        }
        out.push(Responder {
            name: name.trim().to_string(),
            calendar,
            respond_s,
            cost,
        });
    }
    Ok(out)
}

fn not_negative(d: Option<Duration>, path: &[PathStep], what: &str) -> Result<f64> {
    match d {
        Some(d) if d.seconds < 0.0 || !d.seconds.is_finite() => Err(invalid(
            path,
            format!("{what} must be a duration of zero or more"),
        )),
        Some(d) => Ok(d.seconds),
        None => Ok(0.0),
    }
}

/// A component's `recovery`, checked, with its exact mean repair time. `path_of` says where a
/// key of the (possibly variant-merged) component stands.
pub(super) fn recovery(
    name: &str,
    k: &ComponentSpec,
    path_of: &dyn Fn(&'static str) -> Vec<PathStep>,
    responders: &[Responder],
    responder_names: &HashMap<&str, ResponderId>,
) -> Result<Option<Recovery>> {
    let Some(r) = &k.recovery else {
        return Ok(None);
    };
    let path = path_of("recovery");
    for other in ["mttr", "repair"] {
        let given = match other {
            "mttr" => k.mttr.is_some(),
            _ => k.repair.is_some(),
        };
        if given {
            return Err(invalid(
                &path_of(other),
                with_hint(
                    format!("component `{name}` gives both `{other}` and `recovery`"),
                    "recovery says where the repair time comes from: keep one of them",
                ),
            ));
        }
    }
    let detect_s = not_negative(r.detect, &at(&path, key("detect")), "detect")?;
    let (share, restart_s) = match &r.restart {
        None => (0.0, 0.0),
        Some(restart) => {
            let p = at(&path, key("restart"));
            let share = restart.share.0;
            if !(0.0..=1.0).contains(&share) {
                return Err(invalid(
                    &at(&p, key("share")),
                    with_hint(
                        format!("a restart cannot fix {}% of failures", share * 100.0),
                        "share is a fraction in [0, 1] such as 0.7, or a percent such as \"70%\"",
                    ),
                ));
            }
            let time = not_negative(Some(restart.time), &at(&p, key("time")), "restart time")?;
            (share, time)
        }
    };
    let needs_people = share < 1.0;
    let responder = match &r.responder {
        None if needs_people => {
            return Err(invalid(
                &path,
                with_hint(
                    format!("the failures of `{name}` that no restart fixes need a `responder`"),
                    "add responder: NAME, one of the model's `responders`",
                ),
            ));
        }
        None => None,
        Some(who) => Some(*responder_names.get(who.as_str()).ok_or_else(|| {
            unknown(
                &at(&path, key("responder")),
                "responder",
                who,
                responder_names.keys().copied(),
            )
        })?),
    };
    let fix = match &r.fix {
        None if needs_people => {
            return Err(invalid(
                &path,
                with_hint(
                    format!("the responder of `{name}` needs a `fix` time"),
                    "add fix: 2h (hands-on working time), or a distribution map",
                ),
            ));
        }
        None => Lifetime::exponential(0.0),
        Some(Fix::Mean(d)) => {
            Lifetime::exponential(positive(d, &at(&path, key("fix")), "the fix time")?)
        }
        Some(Fix::Distribution(d)) => distribution(d, &at(&path, key("fix")))?,
    };
    let (mean, _) = mean_repair(
        detect_s,
        share,
        restart_s,
        responder.map(|i| (&responders[i].calendar, responders[i].respond_s)),
        &fix,
    );
    if mean.total() <= 0.0 || !mean.total().is_finite() {
        return Err(invalid(
            &path,
            with_hint(
                format!("the recovery of `{name}` takes no time"),
                "a repair takes some time: give detect, restart time or fix",
            ),
        ));
    }
    Ok(Some(Recovery {
        detect_s,
        restart_share: share,
        restart_s,
        responder,
        fix,
        mean,
    }))
}
