//! The validated model: names resolved to indices, availabilities turned into probabilities.
//! Every engine reads this; none reads the file's types.

pub use crate::model::spec::{DistKind, OnFailure};
use crate::model::units::{Availability, Odds};

pub type ComponentId = usize;
pub type DomainId = usize;

#[derive(Clone, Debug)]
pub struct System {
    pub name: String,
    /// The SLO window, in seconds.
    pub window_s: f64,
    pub domains: Vec<Domain>,
    /// In file order.
    pub components: Vec<Component>,
    pub downtime_per_hour: f64,
    pub degraded_per_hour: f64,
}

/// A distribution of times, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifetime {
    pub kind: DistKind,
    pub mean_s: f64,
    /// Weibull or gamma shape, lognormal sigma.
    pub shape: f64,
}

impl Lifetime {
    pub fn exponential(mean_s: f64) -> Lifetime {
        Lifetime {
            kind: DistKind::Exponential,
            mean_s,
            shape: 1.0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Domain {
    pub name: String,
    pub parent: Option<DomainId>,
    /// P(this domain itself is down), ancestors aside.
    pub down: Odds,
    pub failure: Lifetime,
    pub repair: Lifetime,
    pub line: usize,
}

#[derive(Clone, Debug)]
pub struct Maintenance {
    pub every_s: f64,
    pub duration_s: f64,
    pub rolling: bool,
}

#[derive(Clone, Debug)]
pub struct Component {
    pub name: String,
    pub replicas: u32,
    pub min_available: u32,
    /// P(one replica is down on its own): its failures and, when rolling, its maintenance.
    pub replica_down: Odds,
    /// P(one replica has failed), maintenance aside.
    pub replica_failed: Odds,
    /// The domain of each replica.
    pub replica_domains: Vec<Option<DomainId>>,
    pub failure: Lifetime,
    pub repair: Lifetime,
    pub maintenance: Option<Maintenance>,
    pub failover_s: f64,
    pub dependencies: Vec<Dependency>,
    pub slo: Option<Availability>,
    pub external: bool,
    pub cost: f64,
    pub fixed_cost: f64,
    /// The line of the component's name in the model file (for CI annotations).
    pub line: usize,
}

impl Component {
    /// Whole-component maintenance as an independent event: P(in maintenance).
    pub fn maintenance_down(&self) -> Option<Odds> {
        self.maintenance
            .as_ref()
            .filter(|m| !m.rolling && m.duration_s > 0.0)
            .map(|m| Odds::ratio(m.duration_s, m.every_s - m.duration_s))
    }

    /// Failover outages as an independent event: replicas × failure frequency × failover time.
    pub fn failover_down(&self) -> Option<Odds> {
        if self.failover_s <= 0.0 {
            return None;
        }
        let cycle = self.failure.mean_s + self.repair.mean_s;
        let p = (self.replicas as f64 * self.failover_s / cycle).min(1.0);
        (p > 0.0).then(|| Odds::from_p(p))
    }

    /// Monthly cost of the component: fixed part and replicas.
    pub fn monthly_cost(&self) -> f64 {
        self.fixed_cost + self.cost * self.replicas as f64
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum DependencyTarget {
    Component(ComponentId),
    /// Up when at least `at_least` of the members are up.
    Group {
        at_least: u32,
        members: Vec<ComponentId>,
    },
}

#[derive(Clone, Debug)]
pub struct Dependency {
    pub target: DependencyTarget,
    pub on_failure: OnFailure,
    pub fallback: Option<ComponentId>,
    pub timeout_s: Option<f64>,
    pub tolerate_s: Option<f64>,
}

impl Dependency {
    pub fn targets(&self) -> &[ComponentId] {
        match &self.target {
            DependencyTarget::Component(c) => std::slice::from_ref(c),
            DependencyTarget::Group { members, .. } => members,
        }
    }
}

impl System {
    pub fn component_id(&self, name: &str) -> Option<ComponentId> {
        self.components.iter().position(|c| c.name == name)
    }
    pub fn domain_id(&self, name: &str) -> Option<DomainId> {
        self.domains.iter().position(|d| d.name == name)
    }
}
