//! One component's keys: replicas, maintenance, failover, calls, lint and sli.

use std::collections::HashMap;

use super::context::Fields;
use super::dependency::{dependency, path_is_plain};
use super::reliability::reliability;
use super::{MAX_REPLICAS, Result, at, invalid, key, positive, printable, unknown};
use crate::model::error::with_hint;
use crate::model::spec::{ComponentSpec, FailoverOn, SliSpec, Target};
use crate::model::tree::PathStep;
use crate::model::units::Odds;
use crate::system::{Component, ComponentId, DependencyTarget, DomainId, Maintenance};

pub(super) fn component(
    name: &str,
    k: &ComponentSpec,
    fields: &Fields,
    domains: &HashMap<&str, DomainId>,
    components: &HashMap<&str, ComponentId>,
    default_mttr: f64,
) -> Result<Component> {
    let path_of = |f: &'static str| fields.path(f);
    let r = reliability(
        k.availability,
        k.mttf,
        k.mttr,
        k.failure.as_ref(),
        k.repair.as_ref(),
        &path_of,
        fields.base,
        &format!("component `{name}`"),
        default_mttr,
    )?;
    let replicas = k.replicas.unwrap_or(1);
    if replicas == 0 || replicas > MAX_REPLICAS {
        return Err(invalid(
            &path_of("replicas"),
            format!("replicas must be between 1 and {MAX_REPLICAS}, not {replicas}"),
        ));
    }
    let min_available = k.min_available.unwrap_or(1);
    if min_available == 0 || min_available > replicas {
        return Err(invalid(
            &path_of("min_available"),
            with_hint(
                format!(
                    "min_available is {min_available} but the component has {replicas} replica{}",
                    if replicas == 1 { "" } else { "s" }
                ),
                &format!("min_available must be between 1 and replicas ({replicas})"),
            ),
        ));
    }
    let mut replica_domains = vec![None; replicas as usize];
    if let Some(spread) = &k.spread {
        if spread.is_empty() {
            return Err(invalid(
                &path_of("spread"),
                with_hint(
                    "spread is empty".into(),
                    "name at least one domain, or leave spread out",
                ),
            ));
        }
        let mut ids = Vec::with_capacity(spread.len());
        for (i, d) in spread.iter().enumerate() {
            ids.push(*domains.get(d.as_str()).ok_or_else(|| {
                unknown(
                    &at(&path_of("spread"), PathStep::Index(i)),
                    "domain",
                    d,
                    domains.keys().copied(),
                )
            })?);
        }
        for (i, slot) in replica_domains.iter_mut().enumerate() {
            *slot = Some(ids[i % ids.len()]);
        }
    }
    let maintenance = match &k.maintenance {
        None => None,
        Some(m) => {
            let p = path_of("maintenance");
            let every_s = positive(&m.every, &at(&p, key("every")), "maintenance `every`")?;
            if m.duration.seconds < 0.0 || m.duration.seconds > every_s {
                return Err(invalid(
                    &at(&p, key("duration")),
                    format!(
                        "maintenance lasts {} but comes every {}",
                        m.duration, m.every
                    ),
                ));
            }
            Some(Maintenance {
                every_s,
                duration_s: m.duration.seconds,
                rolling: m.rolling,
            })
        }
    };
    let replica_down = match &maintenance {
        Some(m) if m.rolling => r
            .down
            .either(Odds::ratio(m.duration_s, m.every_s - m.duration_s)),
        _ => r.down,
    };
    if let (Some(m), Some(written)) = (maintenance.as_ref().filter(|m| m.rolling), &k.maintenance)
        && replicas as f64 * m.duration_s > m.every_s * (1.0 + 1e-12)
    {
        return Err(invalid(
            &at(&path_of("maintenance"), key("duration")),
            with_hint(
                format!(
                    "rolling maintenance of {replicas} replicas, one at a time for {} each, does not fit in every {}",
                    written.duration, written.every
                ),
                "rolling maintenance takes one replica at a time: replicas × duration must be at most `every`",
            ),
        ));
    }
    let failover_s = k.failover.map_or(0.0, |f| f.time.seconds);
    let failover_on = k.failover.map_or(FailoverOn::Any, |f| f.on);
    let amount = |v: Option<f64>, field: &'static str| -> Result<f64> {
        match v {
            Some(x) if !x.is_finite() || x < 0.0 => Err(invalid(
                &path_of(field),
                format!("{field} must be a finite amount of zero or more, not {x}"),
            )),
            other => Ok(other.unwrap_or(0.0)),
        }
    };
    let cost = amount(k.cost, "cost")?;
    let max_breach = match k.slo.and_then(|s| s.max_breach) {
        Some(x) if !(0.0..=1.0).contains(&x) => {
            return Err(invalid(
                &at(&path_of("slo"), key("max_breach")),
                with_hint(
                    format!("max_breach {x} is not a probability"),
                    "max_breach is a fraction in [0, 1] such as 0.1, or a percent such as \"10%\"",
                ),
            ));
        }
        other => other,
    };
    let fixed_cost = amount(k.fixed_cost, "fixed_cost")?;
    lint_allows(k, &path_of("lint"))?;
    sli_queries(k, &path_of("sli"))?;
    if let Some(group) = &k.group {
        printable(group, "group", &path_of("group"))?;
    }
    let mut dependencies = Vec::new();
    // The same entry listed twice says nothing more, and 500,000 copies of it cost as much as
    // 500,000 components: it is a mistake at its line. (One component named in two entries of
    // different kinds, fail-open and ignored say, is a model's choice.)
    let mut listed = std::collections::HashSet::new();
    for (i, d) in k.depends_on.iter().flatten().enumerate() {
        let p = at(&path_of("depends_on"), PathStep::Index(i));
        let dependency = dependency(name, d, &p, components)?;
        if let (DependencyTarget::Component(id), Target::Component(c)) =
            (&dependency.target, &d.target)
        {
            let entry = (
                *id,
                dependency.on_failure as u8,
                dependency.fallback,
                dependency.timeout_s.map(f64::to_bits),
                dependency.tolerate_s.map(f64::to_bits),
                dependency.breaker_s.map(f64::to_bits),
                dependency.queue.map(|q| q.max_delay_s.map(f64::to_bits)),
            );
            if !listed.insert(entry) {
                let place = if path_is_plain(d) {
                    p
                } else {
                    at(&p, key("component"))
                };
                return Err(invalid(
                    &place,
                    with_hint(
                        format!("`{c}` is listed twice, alike, in the depends_on of `{name}`"),
                        "list each dependency once",
                    ),
                ));
            }
        }
        dependencies.push(dependency);
    }
    let (hang, deadline_s) = calls(k, &path_of)?;
    Ok(Component {
        name: name.to_string(),
        replicas,
        min_available,
        replica_down,
        replica_failed: r.down,
        replica_domains,
        failure: r.failure,
        repair: r.repair,
        maintenance,
        failover_s,
        failover_on,
        dependencies,
        slo: k.slo.map(|s| s.target),
        max_breach,
        external: k.external.unwrap_or(false),
        cost,
        fixed_cost,
        line: 0,
        group: k.group.clone(),
        doubt: r.doubt,
        recovery: None,
        hang,
        deadline_s,
    })
}

/// `hang` is a share of the outages and `deadline` a time longer than zero.
fn calls(
    k: &ComponentSpec,
    path_of: &dyn Fn(&'static str) -> Vec<PathStep>,
) -> Result<(f64, Option<f64>)> {
    let hang = match k.hang {
        None => 0.0,
        Some(crate::model::spec::Share(h)) if (0.0..=1.0).contains(&h) => h,
        Some(crate::model::spec::Share(h)) => {
            return Err(invalid(
                &path_of("hang"),
                with_hint(
                    format!("hang {h} is not a share of the outages"),
                    "hang is a fraction in [0, 1] such as 0.3, or a percent such as \"30%\"",
                ),
            ));
        }
    };
    let deadline_s = match &k.deadline {
        None => None,
        Some(d) => Some(positive(d, &path_of("deadline"), "deadline")?),
    };
    Ok((hang, deadline_s))
}

/// `lint: { allow: [...] }` names rules that exist.
fn lint_allows(k: &ComponentSpec, path: &[PathStep]) -> Result<()> {
    for (i, code) in k.lint.iter().flat_map(|l| l.allow.iter()).enumerate() {
        if crate::lint::find_rule(code).is_none() {
            let rules: Vec<String> = crate::lint::RULES
                .iter()
                .map(|r| format!("{} ({})", r.id, r.name))
                .collect();
            return Err(invalid(
                &at(&at(path, key("allow")), PathStep::Index(i)),
                with_hint(
                    format!("unknown lint rule `{code}`"),
                    &format!("the rules are {}", rules.join(", ")),
                ),
            ));
        }
    }
    Ok(())
}

/// `sli: { errors, total }` holds two queries that export can hand to Prometheus as they are,
/// the window aside.
fn sli_queries(k: &ComponentSpec, path: &[PathStep]) -> Result<()> {
    let Some(sli) = &k.sli else { return Ok(()) };
    for (field, query) in [("errors", &sli.errors), ("total", &sli.total)] {
        let place = at(path, key(field));
        let hint = "write PromQL over `{{.window}}`, e.g. sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))";
        if query.trim().is_empty() {
            return Err(invalid(
                &place,
                with_hint(format!("the sli's `{field}` query is empty"), hint),
            ));
        }
        if let Some(c) = query
            .chars()
            .find(|&c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(invalid(
                &place,
                with_hint(
                    format!("the sli's `{field}` query holds the control character {c:?}"),
                    hint,
                ),
            ));
        }
        if let Err(e) = SliSpec::at_window(query, "5m") {
            return Err(invalid(
                &place,
                with_hint(format!("the sli's `{field}` query: {e}"), hint),
            ));
        }
    }
    Ok(())
}
