//! From a `ModelSpec` to a `System`: every name resolved, every value checked, every error placed
//! by its path in the file.

use std::collections::HashMap;

use super::error::{did_you_mean, with_hint};
use super::spec::{
    ComponentSpec, DependencySpec, DistKind, Distribution, DomainSpec, FailoverOn, ModelSpec,
    SliSpec, Target, VariantSpec,
};
use super::tree::PathStep;
use super::units::{Availability, DAY, Duration, HOUR, Odds, Spread, Uncertain};
use crate::graph;
use crate::system::{
    Component, ComponentId, Dependency, DependencyTarget, Domain, DomainId, Doubt, Lifetime,
    Maintenance, System,
};

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
    pub path: Vec<PathStep>,
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

/// A dependency cycle, reported at the `depends_on` entry (or its fallback) that starts it;
/// `entry_path(component, entry)` says where an entry was written.
fn check_cycles(
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

/// What every component is checked against: the model's names and defaults.
struct Context<'a> {
    spec: &'a ModelSpec,
    domain_names: HashMap<&'a str, DomainId>,
    component_names: HashMap<&'a str, ComponentId>,
    default_mttr: f64,
    responders: Vec<crate::system::Responder>,
    responder_names: HashMap<&'a str, crate::system::ResponderId>,
}

impl<'a> Context<'a> {
    fn new(spec: &'a ModelSpec) -> Result<Context<'a>> {
        if spec.components.len() > MAX_COMPONENTS {
            return Err(invalid(
                &[key("components")],
                format!(
                    "{} components is more than the {MAX_COMPONENTS} a model may hold",
                    spec.components.len()
                ),
            ));
        }
        if spec.domains.len() > MAX_DOMAINS {
            return Err(invalid(
                &[key("domains")],
                format!(
                    "{} domains is more than the {MAX_DOMAINS} a model may hold",
                    spec.domains.len()
                ),
            ));
        }
        let default_mttr = match spec.defaults.as_ref().and_then(|d| d.mttr) {
            Some(m) => positive(&m, &[key("defaults"), key("mttr")], "the default mttr")?,
            None => HOUR,
        };
        Ok(Context {
            spec,
            domain_names: spec
                .domains
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
            component_names: spec
                .components
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
            default_mttr,
            responders: super::recovery::responders(spec)?,
            responder_names: spec
                .responders
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
        })
    }

    /// Component `c` with variant `v` applied (None: as written), and where its keys stand.
    fn component(&self, c: usize, v: Option<usize>) -> Result<(Component, OwnedFields)> {
        let (name, base) = self
            .spec
            .components
            .get_index(c)
            .expect("an index of the map");
        let base_path = vec![key("components"), key(name)];
        // The name itself, not the definition under it.
        let name_path = [key("components"), PathStep::KeyItself(name.clone())];
        if name.trim().is_empty() {
            return Err(invalid(&name_path, "a component needs a name".into()));
        }
        printable(name, "component", &name_path)?;
        for (i, variant) in base.variants.iter().enumerate() {
            let path = at(&at(&base_path, key("variants")), PathStep::Index(i));
            printable(&variant.name, "variant", &at(&path, key("name")))?;
        }
        let (keys, origin) = match v {
            Some(v) => {
                let variant = base.variants.get(v).ok_or_else(|| {
                    invalid(&base_path, format!("component `{name}` has no variant {v}"))
                })?;
                merge(
                    base,
                    variant,
                    at(&at(&base_path, key("variants")), PathStep::Index(v)),
                )
            }
            None => (base.clone(), HashMap::new()),
        };
        let fields = OwnedFields {
            base: base_path,
            origin,
        };
        // A recovery's exact mean stands for the mttr.
        let recovery = super::recovery::recovery(
            name,
            &keys,
            &|f| fields.path(f),
            &self.responders,
            &self.responder_names,
        )?;
        let keys = match &recovery {
            Some(r) => ComponentSpec {
                mttr: Some(Duration::from_secs(r.mean.total()).into()),
                ..keys
            },
            None => keys,
        };
        let mut component = component(
            name,
            &keys,
            &fields.borrow(),
            &self.domain_names,
            &self.component_names,
            self.default_mttr,
        )?;
        component.recovery = recovery;
        let mut seen = std::collections::HashSet::new();
        for (i, variant) in base.variants.iter().enumerate() {
            if !seen.insert(variant.name.as_str()) {
                return Err(invalid(
                    &at(
                        &at(&at(&fields.base, key("variants")), PathStep::Index(i)),
                        key("name"),
                    ),
                    format!("variant `{}` of `{name}` is defined twice", variant.name),
                ));
            }
        }
        Ok((component, fields))
    }
}

/// `Fields` that own their paths.
struct OwnedFields {
    base: Vec<PathStep>,
    origin: HashMap<&'static str, Vec<PathStep>>,
}

impl OwnedFields {
    fn borrow(&self) -> Fields<'_> {
        Fields {
            base: &self.base,
            origin: &self.origin,
        }
    }

    fn path(&self, field: &'static str) -> Vec<PathStep> {
        self.borrow().path(field)
    }
}

/// Where each key of a (possibly variant-merged) component was written.
struct Fields<'a> {
    base: &'a [PathStep],
    origin: &'a HashMap<&'static str, Vec<PathStep>>,
}

impl Fields<'_> {
    fn path(&self, field: &'static str) -> Vec<PathStep> {
        self.origin
            .get(field)
            .cloned()
            .unwrap_or_else(|| at(self.base, key(field)))
    }
}

macro_rules! merge_keys {
    ($base:ident, $variant:ident, $origin:ident, $path:ident, $out:ident; $($field:ident),*) => {
        $(
            if $variant.$field.is_some() {
                $out.$field = $variant.$field.clone();
                $origin.insert(stringify!($field), at(&$path, key(stringify!($field))));
            }
        )*
    };
}

fn merge(
    base: &ComponentSpec,
    variant: &VariantSpec,
    path: Vec<PathStep>,
) -> (ComponentSpec, HashMap<&'static str, Vec<PathStep>>) {
    let mut out = base.clone();
    let mut origin = HashMap::new();
    merge_keys!(base, variant, origin, path, out; availability, mttf, mttr, replicas, min_available, spread, maintenance,
        failure, repair, slo, external, cost, fixed_cost, failover, depends_on, recovery);
    (out, origin)
}

/// Names are printed to terminals, reports and diagrams: a control character in one (an escape
/// sequence, a bell, a line break) would act on the reader's terminal or break the layout, and an
/// invisible one (zero-width, or one that reorders text) would make two names look alike, or a
/// name read as something else, in review.
pub(super) fn printable(name: &str, what: &str, path: &[PathStep]) -> Result<()> {
    use super::error::invisible;
    let hint = "names are printed to terminals and reports; use letters, digits, `-`, `_` or `.`";
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(invalid(
            path,
            with_hint(
                format!("the {what} name {name:?} holds the control character {c:?}"),
                hint,
            ),
        ));
    }
    if let Some(c) = name.chars().find(|&c| invisible(c)) {
        let shown: String = (name.chars())
            .map(|c| match invisible(c) {
                true => format!("<U+{:04X}>", c as u32),
                false => c.to_string(),
            })
            .collect();
        return Err(invalid(
            path,
            with_hint(
                format!(
                    "the {what} name \"{shown}\" holds the invisible character U+{:04X}",
                    c as u32
                ),
                hint,
            ),
        ));
    }
    Ok(())
}

pub(super) fn positive(d: &Duration, path: &[PathStep], what: &str) -> Result<f64> {
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

pub(super) fn distribution(d: &Distribution, path: &[PathStep]) -> Result<Lifetime> {
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
struct Reliability {
    down: Odds,
    failure: Lifetime,
    repair: Lifetime,
    doubt: Doubt,
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
fn reliability(
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

fn domain(
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

fn check_domain_cycles(spec: &ModelSpec, domains: &[Domain]) -> Result<()> {
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

pub(super) fn unknown<'a>(
    path: &[PathStep],
    what: &str,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Invalid {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let hint = match did_you_mean(name, candidates.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None if candidates.is_empty() => format!("the model defines no {what}s"),
        None => format!(
            "define it under `{what}s`, or use one of: {}",
            first_few(&candidates)
        ),
    };
    invalid(path, with_hint(format!("unknown {what} `{name}`"), &hint))
}

fn first_few(names: &[&str]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    let shown: Vec<&str> = sorted.iter().take(8).copied().collect();
    if sorted.len() > 8 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn component(
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
        Some(super::spec::Share(h)) if (0.0..=1.0).contains(&h) => h,
        Some(super::spec::Share(h)) => {
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

fn dependency(
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
            if d.on_failure != super::spec::OnFailure::Degrade {
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
            super::spec::OnFailure::Degrade
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
    use super::spec::Via;
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
        ("on_failure", d.on_failure != super::spec::OnFailure::Fail),
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

fn path_is_plain(d: &DependencySpec) -> bool {
    d.on_failure == super::spec::OnFailure::Fail
        && d.fallback.is_none()
        && d.timeout.is_none()
        && d.tolerate.is_none()
        && d.breaker.is_none()
        && d.via == super::spec::Via::Call
        && d.max_delay.is_none()
}
