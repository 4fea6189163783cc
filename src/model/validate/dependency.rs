//! Dependencies: their targets, fallbacks and queues, and the graph they make acyclic.

use std::collections::HashMap;

use super::{Result, at, invalid, key, positive, unknown};
use crate::graph;
use crate::model::error::with_hint;
use crate::model::spec::{DependencySpec, Target};
use crate::model::tree::PathStep;
use crate::model::units::Duration;
use crate::system::{ComponentId, Dependency, DependencyTarget, System};

/// A dependency cycle, reported at the `depends_on` entry (or its fallback) that starts it;
/// `entry_path(component, entry)` says where an entry was written.
pub(super) fn check_cycles(
    system: &System,
    entry_path: impl Fn(ComponentId, usize) -> Vec<PathStep>,
) -> Result<()> {
    let Err(graph::Cycle(cycle)) = graph::topological_order(system) else {
        return Ok(());
    };
    let names: Vec<&str> = cycle
        .iter()
        .chain(cycle.first())
        .map(|&c| system.components[c].name.as_str())
        .collect();
    let (from, to) = (cycle[0], cycle[1 % cycle.len()]);
    let edge = graph::edges(system)
        .into_iter()
        .find(|e| e.from == from && e.to == to)
        .expect("the cycle follows edges");
    let mut path = entry_path(from, edge.entry);
    if edge.via_fallback {
        path.push(key("fallback"));
    }
    Err(invalid(
        &path,
        with_hint(
            format!("dependency cycle: {}", names.join(" → ")),
            "the graph of depends_on and fallback edges must be acyclic; remove one edge of the cycle",
        ),
    ))
}

pub(super) fn dependency(
    owner: &str,
    d: &DependencySpec,
    path: &[PathStep],
    components: &HashMap<&str, ComponentId>,
) -> Result<Dependency> {
    let resolve = |name: &str, p: Vec<PathStep>| -> Result<ComponentId> {
        if name == owner {
            return Err(invalid(
                &p,
                with_hint(
                    format!("component `{owner}` depends on itself"),
                    "remove this entry",
                ),
            ));
        }
        components
            .get(name)
            .copied()
            .ok_or_else(|| unknown(&p, "component", name, components.keys().copied()))
    };
    let target = match &d.target {
        Target::Component(c) => {
            // A plain name stands at the entry itself; a map's name under `component`.
            let p = if path_is_plain(d) {
                path.to_vec()
            } else {
                at(path, key("component"))
            };
            DependencyTarget::Component(resolve(c, p)?)
        }
        Target::Group { at_least, of } => {
            if of.is_empty() {
                return Err(invalid(
                    &at(path, key("of")),
                    "a group needs at least one member".into(),
                ));
            }
            if *at_least == 0 || *at_least as usize > of.len() {
                return Err(invalid(
                    &at(path, key("at_least")),
                    with_hint(
                        format!(
                            "at_least is {at_least} but the group has {} member{}",
                            of.len(),
                            if of.len() == 1 { "" } else { "s" }
                        ),
                        &format!("at_least must be between 1 and {}", of.len()),
                    ),
                ));
            }
            let mut members = Vec::with_capacity(of.len());
            let mut seen = std::collections::HashSet::with_capacity(of.len());
            for (i, m) in of.iter().enumerate() {
                let id = resolve(m, at(&at(path, key("of")), PathStep::Index(i)))?;
                if !seen.insert(id) {
                    return Err(invalid(
                        &at(&at(path, key("of")), PathStep::Index(i)),
                        format!("`{m}` appears twice in the group"),
                    ));
                }
                members.push(id);
            }
            DependencyTarget::Group {
                at_least: *at_least,
                members,
            }
        }
    };
    let fallback = match &d.fallback {
        None => None,
        Some(f) => {
            if d.on_failure != crate::model::spec::OnFailure::Degrade {
                return Err(invalid(
                    &at(path, key("fallback")),
                    with_hint(
                        "a fallback is used only when the dependency fails open".into(),
                        "add on_failure: degrade",
                    ),
                ));
            }
            Some(resolve(f, at(path, key("fallback")))?)
        }
    };
    let seconds = |v: Option<Duration>, field: &'static str| -> Result<Option<f64>> {
        match v {
            Some(t) if t.seconds < 0.0 => Err(invalid(
                &at(path, key(field)),
                format!("{field} must not be negative"),
            )),
            other => Ok(other.map(|t| t.seconds)),
        }
    };
    let queue = queue(d, path)?;
    Ok(Dependency {
        target,
        // A queue edge never takes its producer down: to every rule that asks, it fails open.
        on_failure: if queue.is_some() {
            crate::model::spec::OnFailure::Degrade
        } else {
            d.on_failure
        },
        fallback,
        timeout_s: seconds(d.timeout, "timeout")?,
        tolerate_s: seconds(d.tolerate, "tolerate")?,
        breaker_s: seconds(d.breaker, "breaker")?,
        queue,
    })
}

/// A queue edge names one component and nothing about calls: its producer neither waits nor
/// fails with the consumer. `max_delay` belongs to queue edges only.
fn queue(d: &DependencySpec, path: &[PathStep]) -> Result<Option<crate::system::Queue>> {
    use crate::model::spec::Via;
    if d.via == Via::Call {
        return match d.max_delay {
            Some(_) => Err(invalid(
                &at(path, key("max_delay")),
                with_hint(
                    "max_delay is the longest work may wait in a queue, but this entry is a call"
                        .into(),
                    "add `via: queue`, or remove max_delay",
                ),
            )),
            None => Ok(None),
        };
    }
    if let Target::Group { .. } = d.target {
        return Err(invalid(
            &at(path, key("via")),
            with_hint(
                "a queue edge hands work to one component, not a group".into(),
                "write { component: NAME, via: queue }",
            ),
        ));
    }
    let call_keys = [
        (
            "on_failure",
            d.on_failure != crate::model::spec::OnFailure::Fail,
        ),
        ("fallback", d.fallback.is_some()),
        ("timeout", d.timeout.is_some()),
        ("breaker", d.breaker.is_some()),
        ("tolerate", d.tolerate.is_some()),
    ];
    if let Some((field, _)) = call_keys.iter().find(|(_, given)| *given) {
        return Err(invalid(
            &at(path, key(field)),
            with_hint(
                format!("`{field}` is about calls, but this entry is a queue edge"),
                "a queue edge never fails or hangs its producer: remove it, or make the entry a call",
            ),
        ));
    }
    let max_delay_s = match &d.max_delay {
        None => None,
        Some(m) => Some(positive(m, &at(path, key("max_delay")), "max_delay")?),
    };
    Ok(Some(crate::system::Queue { max_delay_s }))
}

pub(super) fn path_is_plain(d: &DependencySpec) -> bool {
    d.on_failure == crate::model::spec::OnFailure::Fail
        && d.fallback.is_none()
        && d.timeout.is_none()
        && d.tolerate.is_none()
        && d.breaker.is_none()
        && d.via == crate::model::spec::Via::Call
        && d.max_delay.is_none()
}
