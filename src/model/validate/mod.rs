//! From a `ModelSpec` to a `System`: every name resolved, every value checked, every error placed
//! by its path in the file.

mod component;
mod context;
mod dependency;
mod domain;
mod names;
mod reliability;

pub(super) use names::{printable, unknown};
pub(super) use reliability::{distribution, positive};

use context::Context;
use dependency::check_cycles;
use domain::{check_domain_cycles, domain};

use super::error::with_hint;
use super::spec::ModelSpec;
use super::tree::PathStep;
use super::units::DAY;
use crate::system::System;

/// The most components a model may hold.
pub const MAX_COMPONENTS: usize = 1_000_000;
/// The most replicas one component may have.
pub const MAX_REPLICAS: u32 = 100_000;
/// The most domains a model may hold.
pub const MAX_DOMAINS: usize = 100_000;
/// The deepest a hierarchy of domains may be (a domain with no parent is one level).
pub const MAX_DOMAIN_DEPTH: usize = 64;
/// The most replicas a model may have in all (in its largest design): each is a basic event,
/// about 350 bytes of structure and diagram, so the largest model stays under a gigabyte.
pub const MAX_REPLICAS_IN_ALL: u64 = 2_000_000;

/// A problem at a place in the model file.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// The path from the document's root to the value at fault.
    pub path: Vec<PathStep>,
    /// What is wrong, with its hint joined by [`super::error::with_hint`] where there is one.
    pub message: String,
    /// A second key the problem is about (the other of two that exclude each other): when an
    /// overlay wrote one and the model the other, the error says where each comes from.
    pub also: Option<Vec<PathStep>>,
}

pub(super) type Result<T> = std::result::Result<T, Invalid>;

pub(super) fn key(k: &str) -> PathStep {
    PathStep::Key(k.to_string())
}

pub(super) fn invalid(path: &[PathStep], message: String) -> Invalid {
    Invalid {
        path: path.to_vec(),
        message,
        also: None,
    }
}

pub(super) fn at(path: &[PathStep], step: PathStep) -> Vec<PathStep> {
    let mut p = path.to_vec();
    p.push(step);
    p
}

/// Which variant each component uses: `None` is the component as written.
pub type Design = Vec<Option<usize>>;

/// The model as written, every component without its variants.
pub fn validate(spec: &ModelSpec, default_name: &str) -> Result<System> {
    let system = resolve(spec, default_name, &vec![None; spec.components.len()])?;
    // Every variant must make a valid model too, so that `tradeoff` never meets a bad one. A
    // variant changes only its own component, so each is checked on its own, and the graph once
    // with the dependencies of every variant: any design's edges are among them. (Resolving the
    // whole model once per variant was quadratic: 40,000 components with a variant each took
    // minutes.)
    let context = Context::new(spec)?;
    let mut union = system.clone();
    let mut entry_paths: Vec<Vec<Vec<PathStep>>> = spec
        .components
        .iter()
        .zip(&system.components)
        .map(|((name, _), c)| {
            let list = vec![key("components"), key(name), key("depends_on")];
            (0..c.dependencies.len())
                .map(|i| at(&list, PathStep::Index(i)))
                .collect()
        })
        .collect();
    let mut largest_design = 0u64;
    for (c, base) in spec.components.values().enumerate() {
        let mut most_replicas = system.components[c].replicas;
        for v in 0..base.variants.len() {
            let (variant, fields) = context.component(c, Some(v))?;
            most_replicas = most_replicas.max(variant.replicas);
            if let Some(list) = fields.origin.get("depends_on") {
                union.components[c]
                    .dependencies
                    .extend(variant.dependencies.iter().cloned());
                entry_paths[c]
                    .extend((0..variant.dependencies.len()).map(|i| at(list, PathStep::Index(i))));
            }
        }
        largest_design += most_replicas as u64;
        if largest_design > MAX_REPLICAS_IN_ALL {
            let (_, fields) = context.component(c, None)?;
            return Err(too_many_replicas(&fields.path("replicas"), largest_design));
        }
    }
    check_cycles(&union, |c, entry| entry_paths[c][entry].clone())?;
    Ok(system)
}

/// The model with the given variants applied.
pub fn resolve(spec: &ModelSpec, default_name: &str, design: &Design) -> Result<System> {
    let context = Context::new(spec)?;
    let window_s = match &spec.window {
        Some(w) => positive(w, &[key("window")], "the window")?,
        None => 30.0 * DAY,
    };
    let money = |v: Option<f64>, name: &str| -> Result<f64> {
        let v = v.unwrap_or(0.0);
        if !v.is_finite() || v < 0.0 {
            return Err(invalid(
                &[key("cost"), key(name)],
                format!("{name} must be a finite amount of zero or more, not {v}"),
            ));
        }
        Ok(v)
    };
    let cost = spec.cost.clone().unwrap_or_default();
    let downtime_per_hour = money(cost.downtime_per_hour, "downtime_per_hour")?;
    let degraded_per_hour = money(cost.degraded_per_hour, "degraded_per_hour")?;

    if let Some(name) = &spec.name {
        printable(name, "model", &[key("name")])?;
    }
    let mut domains = Vec::with_capacity(spec.domains.len());
    if spec.components.is_empty() {
        return Err(invalid(
            &[key("components")],
            with_hint(
                "the model has no components".into(),
                "add components: with at least one component",
            ),
        ));
    }
    for (name, d) in &spec.domains {
        let path = vec![key("domains"), key(name)];
        if name.trim().is_empty() {
            return Err(invalid(
                &at(&[key("domains")], PathStep::KeyItself(name.clone())),
                "a domain needs a name".into(),
            ));
        }
        printable(
            name,
            "domain",
            &at(&path[..1], PathStep::KeyItself(name.clone())),
        )?;
        // One name, one thing: `whatif --fail x` and every report name both alike.
        if spec.components.contains_key(name) {
            return Err(invalid(
                &at(&path[..1], PathStep::KeyItself(name.clone())),
                with_hint(
                    format!("the domain `{name}` has the name of a component"),
                    "domains and components share one set of names; rename one of them",
                ),
            ));
        }
        domains.push(domain(
            name,
            d,
            &path,
            &context.domain_names,
            context.default_mttr,
        )?);
    }
    check_domain_cycles(spec, &domains)?;

    let mut components = Vec::with_capacity(spec.components.len());
    let mut depends_on_lists = Vec::with_capacity(spec.components.len());
    let mut replicas_in_all = 0u64;
    for c in 0..spec.components.len() {
        let (component, fields) = context.component(c, design.get(c).copied().flatten())?;
        replicas_in_all += component.replicas as u64;
        if replicas_in_all > MAX_REPLICAS_IN_ALL {
            return Err(too_many_replicas(&fields.path("replicas"), replicas_in_all));
        }
        components.push(component);
        depends_on_lists.push(fields.path("depends_on"));
    }
    let mut system = System {
        name: spec
            .name
            .clone()
            .unwrap_or_else(|| default_name.to_string()),
        window_s,
        domains,
        components,
        downtime_per_hour,
        degraded_per_hour,
        responders: context.responders.clone(),
    };
    check_cycles(&system, |c, entry| {
        at(&depends_on_lists[c], PathStep::Index(entry))
    })?;
    system.name = system.name.trim().to_string();
    Ok(system)
}

fn too_many_replicas(path: &[PathStep], total: u64) -> Invalid {
    invalid(
        path,
        with_hint(
            format!(
                "the model has {total} replicas in all with this component, more than the {MAX_REPLICAS_IN_ALL} it may have"
            ),
            "model a large fleet as fewer, larger replicas, or split the model",
        ),
    )
}
