//! Where the exact engines approximate, said aloud. Everything else `eval` computes is exact;
//! these are the features the timeline simulation follows event by event and the steady-state
//! engines can only take as an independent unavailability or leave out.

use serde::Serialize;

use crate::model::spec::DistKind;
use crate::model::units::format_duration_human;
use crate::system::{FailoverOn, System};

/// One place where `eval` is not exact.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Approximation {
    /// The component the approximation concerns.
    pub component: String,
    /// `failover`, `breaker`, `tolerate` or `recovery`.
    pub kind: &'static str,
    /// What `eval` does instead, in words.
    pub detail: String,
}

/// Every approximation `eval` makes on this system, in the system's order.
pub fn approximations(system: &System) -> Vec<Approximation> {
    let mut out = Vec::new();
    for (c, comp) in system.components.iter().enumerate() {
        let p = system.failover_down(c).p;
        if p > 0.0 {
            let mut detail = format!(
                "failover outages ({} each) are an independent unavailability of {p:.3e}: their exact frequency times their length, so one that overlaps another outage of the component counts twice",
                format_duration_human(comp.failover_s)
            );
            if comp.failover_on == FailoverOn::Leader && comp.failure.kind != DistKind::Exponential
            {
                detail.push_str(
                    "; the leader is taken to fail at 1/mttf, exact for exponential failures only",
                );
            }
            out.push(Approximation {
                component: comp.name.clone(),
                kind: "failover",
                detail,
            });
        }
        for d in (comp.dependencies.iter())
            .filter(|d| d.breaker_s > Some(0.0) && d.on_failure != crate::system::OnFailure::Fail)
        {
            let targets = target_names(system, d);
            out.push(Approximation {
                component: comp.name.clone(),
                kind: "breaker",
                detail: format!(
                    "the breaker on {} ({} to open) is an independent unavailability: the exact outage frequency of its target times that time, so time it overlaps another outage of the component counts twice, and an outage shorter than it is charged in full",
                    targets.join(", "),
                    format_duration_human(d.breaker_s.unwrap_or(0.0)),
                ),
            });
        }
        for d in comp
            .dependencies
            .iter()
            .filter(|d| d.tolerate_s > Some(0.0))
        {
            let targets = target_names(system, d);
            out.push(Approximation {
                component: comp.name.clone(),
                kind: "tolerate",
                detail: format!(
                    "`tolerate: {}` on {} is left out: every outage of it counts, however short (conservative)",
                    format_duration_human(d.tolerate_s.unwrap_or(0.0)),
                    targets.join(", ")
                ),
            });
        }
        if let Some(detail) = crate::recovery::mean::approximation(system, comp) {
            out.push(Approximation {
                component: comp.name.clone(),
                kind: "recovery",
                detail,
            });
        }
    }
    out
}

/// The names of an entry's targets, for the details above.
fn target_names<'a>(system: &'a System, d: &crate::system::Dependency) -> Vec<&'a str> {
    (d.targets().iter())
        .map(|&t| system.components[t].name.as_str())
        .collect()
}
