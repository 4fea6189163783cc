//! Structurally valid models from fuzzer bytes: a few domains with parents, components with
//! replicas, min_available, spread, maintenance, failover and variants, and dependencies of
//! every form, each to an earlier component (so the graph is acyclic by construction).
//!
//! Values are drawn from tables that include the edges (availability 0 and 1, twelve nines,
//! a maintenance as long as its period, tiny and huge durations) and from raw fractions.
//! `Debug` prints the model as JSON, so `cargo fuzz fmt engine ARTIFACT` shows a file that
//! `nines eval` reads.

use std::fmt;

use arbitrary::Arbitrary;
use nines::model::Design;
use nines::model::spec::{
    ComponentSpec, Defaults, DependencySpec, DistKind, Distribution, DomainSpec, Maintenance,
    ModelSpec, OnFailure, Target, VariantSpec,
};
use nines::model::units::{Availability, Duration, Uncertain};

const MAX_DOMAINS: usize = 5;
const MAX_COMPONENTS: usize = 10;
const MAX_REPLICAS: u32 = 6;
const MAX_DEPENDENCIES: usize = 4;
const MAX_GROUP: usize = 5;
const MAX_VARIANTS: usize = 2;

#[derive(Arbitrary)]
pub struct Recipe {
    window: Option<Seconds>,
    default_mttr: Option<Seconds>,
    domains: Vec<DomainRecipe>,
    components: Vec<ComponentRecipe>,
    /// The variant each component uses in the design that is evaluated too.
    design: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct DomainRecipe {
    reliability: Reliability,
    parent: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct ComponentRecipe {
    reliability: Reliability,
    replicas: u8,
    min_available: u8,
    spread: Vec<u8>,
    maintenance: Option<(Seconds, u8, bool)>,
    failover: Option<Seconds>,
    dependencies: Vec<DependencyRecipe>,
    variants: Vec<VariantRecipe>,
}

#[derive(Arbitrary, Debug)]
struct VariantRecipe {
    reliability: Option<Reliability>,
    replicas: Option<u8>,
    min_available: Option<u8>,
    spread: Option<Vec<u8>>,
    dependencies: Option<Vec<DependencyRecipe>>,
}

#[derive(Arbitrary, Debug)]
enum Reliability {
    Availability(Fraction),
    MttfMttr(Seconds, Option<Seconds>),
    Distributions(Dist, Option<Dist>),
}

#[derive(Arbitrary, Debug)]
struct Dist {
    kind: u8,
    mean: Seconds,
    shape: u8,
}

/// An availability from a table of edge values, or any fraction.
#[derive(Arbitrary, Debug)]
enum Fraction {
    Table(u8),
    Raw(u32),
}

/// A positive duration from a table of edge values, or any whole number of minutes.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Seconds {
    Table(u8),
    Minutes(u16),
}

#[derive(Arbitrary, Debug)]
enum DependencyRecipe {
    Hard(u8),
    Entry {
        target: u8,
        on_failure: u8,
        fallback: Option<u8>,
        timeout: bool,
    },
    Group {
        at_least: u8,
        of: Vec<u8>,
        on_failure: u8,
        fallback: Option<u8>,
    },
}

const AVAILABILITIES: &[&str] = &[
    "0.5",
    "0.9",
    "0.99",
    "0.999",
    "99.95%",
    "99.99%",
    "99.9999999999%",
    "1",
    "0",
    "0.000001",
    "0.7",
];

const SECONDS: &[f64] = &[
    1.0,
    30.0,
    3600.0,
    86_400.0,
    30.0 * 86_400.0,
    365.0 * 86_400.0,
    1e-3,
    1e12,
];

impl Fraction {
    fn availability(&self) -> Availability {
        match *self {
            Fraction::Table(i) => {
                Availability::parse(AVAILABILITIES[i as usize % AVAILABILITIES.len()])
                    .expect("the table holds availabilities")
            }
            Fraction::Raw(x) => Availability::from_value(x as f64 / u32::MAX as f64)
                .expect("a fraction in [0, 1] is an availability"),
        }
    }
}

impl Seconds {
    fn duration(self) -> Duration {
        Duration::from_secs(match self {
            Seconds::Table(i) => SECONDS[i as usize % SECONDS.len()],
            Seconds::Minutes(m) => (m as f64 + 1.0) * 60.0,
        })
    }
}

impl Dist {
    fn distribution(&self) -> Distribution {
        let kinds = [
            DistKind::Exponential,
            DistKind::Weibull,
            DistKind::Lognormal,
            DistKind::Gamma,
            DistKind::Fixed,
        ];
        let dist = kinds[self.kind as usize % kinds.len()];
        let value: f64 = [0.5, 1.0, 1.5, 3.0, 0.0][self.shape as usize % 5];
        Distribution {
            dist,
            mean: self.mean.duration(),
            shape: matches!(dist, DistKind::Weibull | DistKind::Gamma).then_some(value.max(0.3)),
            sigma: (dist == DistKind::Lognormal).then_some(value),
        }
    }
}

/// The fields of a component or variant that say how reliable one replica is.
struct ReliabilityKeys {
    availability: Option<Uncertain<Availability>>,
    mttf: Option<Uncertain<Duration>>,
    mttr: Option<Uncertain<Duration>>,
    failure: Option<Distribution>,
    repair: Option<Distribution>,
}

impl Reliability {
    fn keys(&self) -> ReliabilityKeys {
        let mut k = ReliabilityKeys {
            availability: None,
            mttf: None,
            mttr: None,
            failure: None,
            repair: None,
        };
        match self {
            Reliability::Availability(a) => k.availability = Some(a.availability().into()),
            Reliability::MttfMttr(f, r) => {
                k.mttf = Some(f.duration().into());
                k.mttr = r.map(|r| r.duration().into());
            }
            Reliability::Distributions(f, r) => {
                k.failure = Some(f.distribution());
                k.repair = r.as_ref().map(Dist::distribution);
            }
        }
        k
    }
}

fn component_name(i: usize) -> String {
    format!("c{i}")
}

fn domain_name(i: usize) -> String {
    format!("z{i}")
}

/// A dependency of component `i` on earlier ones (`i > 0`).
fn dependency(d: &DependencyRecipe, i: usize) -> DependencySpec {
    let earlier = |x: u8| component_name(x as usize % i);
    let on_failure = |x: u8| match x % 3 {
        0 => OnFailure::Fail,
        1 => OnFailure::Degrade,
        _ => OnFailure::Ignore,
    };
    match d {
        DependencyRecipe::Hard(t) => DependencySpec::hard(&earlier(*t)),
        DependencyRecipe::Entry {
            target,
            on_failure: f,
            fallback,
            timeout,
        } => {
            let on_failure = on_failure(*f);
            DependencySpec {
                target: Target::Component(earlier(*target)),
                on_failure,
                fallback: fallback
                    .filter(|_| on_failure == OnFailure::Degrade)
                    .map(earlier),
                timeout: timeout.then(|| Duration::from_secs(2.0)),
                tolerate: None,
            }
        }
        DependencyRecipe::Group {
            at_least,
            of,
            on_failure: f,
            fallback,
        } => {
            let mut members: Vec<String> = of.iter().take(MAX_GROUP).map(|&m| earlier(m)).collect();
            members.sort();
            members.dedup();
            if members.is_empty() {
                members.push(earlier(0));
            }
            let on_failure = on_failure(*f);
            DependencySpec {
                target: Target::Group {
                    at_least: *at_least as u32 % members.len() as u32 + 1,
                    of: members,
                },
                on_failure,
                fallback: fallback
                    .filter(|_| on_failure == OnFailure::Degrade)
                    .map(earlier),
                timeout: None,
                tolerate: None,
            }
        }
    }
}

fn dependencies(ds: &[DependencyRecipe], i: usize) -> Option<Vec<DependencySpec>> {
    (i > 0).then(|| {
        ds.iter()
            .take(MAX_DEPENDENCIES)
            .map(|d| dependency(d, i))
            .collect()
    })
}

fn spread(s: &[u8], domains: usize) -> Option<Vec<String>> {
    (domains > 0 && !s.is_empty()).then(|| {
        s.iter()
            .take(MAX_REPLICAS as usize)
            .map(|&d| domain_name(d as usize % domains))
            .collect()
    })
}

/// Mostly a few replicas (enumeration can check those); now and then a fleet of 100 to 250,
/// whose k-of-n the conditioned engine counts as a binomial tail rather than a diagram.
fn replicas(r: u8) -> u32 {
    match r {
        250.. => 100 + (r - 250) as u32 * 30,
        _ => r as u32 % MAX_REPLICAS + 1,
    }
}

impl Recipe {
    pub fn spec(&self) -> ModelSpec {
        let mut spec = ModelSpec {
            window: self.window.map(Seconds::duration),
            defaults: self.default_mttr.map(|m| Defaults {
                mttr: Some(m.duration()),
            }),
            ..Default::default()
        };
        let domains = self.domains.len().min(MAX_DOMAINS);
        for (i, d) in self.domains.iter().take(domains).enumerate() {
            let r = d.reliability.keys();
            spec.domains.insert(
                domain_name(i),
                DomainSpec {
                    availability: r.availability,
                    mttf: r.mttf,
                    mttr: r.mttr,
                    failure: r.failure,
                    repair: r.repair,
                    // An earlier domain: the hierarchy is acyclic by construction.
                    parent: d
                        .parent
                        .filter(|_| i > 0)
                        .map(|p| domain_name(p as usize % i)),
                },
            );
        }
        for (i, c) in self.components.iter().take(MAX_COMPONENTS).enumerate() {
            let r = c.reliability.keys();
            let n = replicas(c.replicas);
            let maintenance = c.maintenance.map(|(every, share, rolling)| {
                let every = every.duration();
                Maintenance {
                    every,
                    // From none to all of the period, both ends included.
                    duration: Duration::from_secs(every.seconds * (share % 5) as f64 / 4.0),
                    rolling,
                }
            });
            let variants = c
                .variants
                .iter()
                .take(MAX_VARIANTS)
                .enumerate()
                .map(|(v, recipe)| {
                    // A variant gives its reliability the way the component does (giving
                    // `availability` over a component's `mttf` is a conflict, refused).
                    let r = recipe
                        .reliability
                        .as_ref()
                        .map(Reliability::keys)
                        .filter(|v| {
                            v.availability.is_some() == r.availability.is_some()
                                && v.mttf.is_some() == r.mttf.is_some()
                        });
                    let n = recipe.replicas.map(replicas);
                    VariantSpec {
                        name: format!("v{v}"),
                        availability: r.as_ref().and_then(|r| r.availability),
                        mttf: r.as_ref().and_then(|r| r.mttf),
                        replicas: n,
                        min_available: n.map(|n| recipe.min_available.unwrap_or(0) as u32 % n + 1),
                        spread: recipe.spread.as_deref().and_then(|s| spread(s, domains)),
                        depends_on: recipe
                            .dependencies
                            .as_deref()
                            .and_then(|d| dependencies(d, i)),
                        ..Default::default()
                    }
                })
                .collect();
            spec.components.insert(
                component_name(i),
                ComponentSpec {
                    availability: r.availability,
                    mttf: r.mttf,
                    mttr: r.mttr,
                    failure: r.failure,
                    repair: r.repair,
                    replicas: Some(n),
                    min_available: Some(c.min_available as u32 % n + 1),
                    spread: spread(&c.spread, domains),
                    maintenance,
                    failover: c.failover.map(|s| nines::model::spec::Failover {
                        time: s.duration(),
                        on: nines::model::spec::FailoverOn::Any,
                    }),
                    depends_on: dependencies(&c.dependencies, i),
                    variants,
                    ..Default::default()
                },
            );
        }
        spec
    }

    /// One variant (or none) per component.
    pub fn design(&self, spec: &ModelSpec) -> Design {
        spec.components
            .values()
            .enumerate()
            .map(|(i, c)| {
                // 0 is the component as written, v + 1 its variant v.
                let pick = *self.design.get(i).unwrap_or(&0) as usize % (c.variants.len() + 1);
                pick.checked_sub(1)
            })
            .collect()
    }
}

impl fmt::Debug for Recipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.spec();
        let json = serde_json::to_string_pretty(&spec).map_err(|_| fmt::Error)?;
        writeln!(f, "{json}")?;
        write!(f, "design: {:?}", self.design(&spec))
    }
}
