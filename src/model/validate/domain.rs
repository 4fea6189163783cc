//! Failure domains and their hierarchy.

use std::collections::HashMap;

use super::reliability::reliability;
use super::{MAX_DOMAIN_DEPTH, Result, at, invalid, key, unknown};
use crate::model::error::with_hint;
use crate::model::spec::{DomainSpec, ModelSpec};
use crate::model::tree::PathStep;
use crate::system::{Domain, DomainId};

pub(super) fn domain(
    name: &str,
    d: &DomainSpec,
    path: &[PathStep],
    names: &HashMap<&str, DomainId>,
    default_mttr: f64,
) -> Result<Domain> {
    let path_of = |f: &'static str| at(path, key(f));
    let r = reliability(
        d.availability,
        d.mttf,
        d.mttr,
        d.failure.as_ref(),
        d.repair.as_ref(),
        &path_of,
        path,
        &format!("domain `{name}`"),
        default_mttr,
    )?;
    let parent = match &d.parent {
        None => None,
        Some(p) => Some(
            *names
                .get(p.as_str())
                .ok_or_else(|| unknown(&path_of("parent"), "domain", p, names.keys().copied()))?,
        ),
    };
    Ok(Domain {
        name: name.to_string(),
        parent,
        down: r.down,
        failure: r.failure,
        repair: r.repair,
        line: 0,
        doubt: r.doubt,
    })
}

pub(super) fn check_domain_cycles(spec: &ModelSpec, domains: &[Domain]) -> Result<()> {
    // Each domain is walked once: a chain that reaches a domain already cleared stops there, so
    // a 100,000-deep hierarchy costs 100,000 steps, not their square.
    const UNSEEN: u8 = 0;
    const ON_CHAIN: u8 = 1;
    const CLEAR: u8 = 2;
    let mut mark = vec![UNSEEN; domains.len()];
    for start in 0..domains.len() {
        let mut chain = Vec::new();
        let mut at_domain = Some(start);
        while let Some(d) = at_domain {
            match mark[d] {
                CLEAR => break,
                ON_CHAIN => {
                    chain.push(d);
                    let names: Vec<&str> =
                        chain.iter().map(|&i| domains[i].name.as_str()).collect();
                    let name = spec.domains.get_index(start).expect("same indices").0;
                    return Err(invalid(
                        &[key("domains"), key(name), key("parent")],
                        format!("domain parents form a cycle: {}", names.join(" → ")),
                    ));
                }
                _ => {
                    mark[d] = ON_CHAIN;
                    chain.push(d);
                    at_domain = domains[d].parent;
                }
            }
        }
        for d in chain {
            mark[d] = CLEAR;
        }
    }
    // Depth, parents first (a parent's depth is known when its child's is asked): each domain
    // is down with any of its ancestors, a chain whose diagrams grow with its square.
    let mut depth = vec![0usize; domains.len()];
    for start in 0..domains.len() {
        let mut chain = vec![start];
        while let Some(&d) = chain.last()
            && depth[d] == 0
            && let Some(p) = domains[d].parent
        {
            chain.push(p);
        }
        for &d in chain.iter().rev() {
            if depth[d] == 0 {
                depth[d] = 1 + domains[d].parent.map_or(0, |p| depth[p]);
            }
            if depth[d] > MAX_DOMAIN_DEPTH {
                let name = spec.domains.get_index(d).expect("same indices").0;
                return Err(invalid(
                    &[key("domains"), key(name), key("parent")],
                    with_hint(
                        format!(
                            "domain `{name}` is {} levels deep, more than the {MAX_DOMAIN_DEPTH} a hierarchy may have",
                            depth[d]
                        ),
                        "provider, region, zone, rack and host are five levels",
                    ),
                ));
            }
        }
    }
    Ok(())
}
