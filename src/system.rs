//! The validated model: names resolved to indices, availabilities turned into probabilities.
//! Every engine reads this; none reads the file's types.

pub use crate::model::spec::{DistKind, FailoverOn, OnFailure};
use crate::model::units::{Availability, Duration, Odds, Spread};

/// A component's index in [`System::components`].
pub type ComponentId = usize;
/// A domain's index in [`System::domains`].
pub type DomainId = usize;

/// A validated model: what every engine reads. Names are resolved to indices, durations are in
/// seconds and probabilities are [`Odds`], so small unavailabilities keep their digits.
#[derive(Clone, Debug)]
pub struct System {
    /// The model's name (the file's stem when the model gives none).
    pub name: String,
    /// The SLO window, in seconds.
    pub window_s: f64,
    /// The shared failure domains, in file order; a domain's parent is listed with it by index.
    pub domains: Vec<Domain>,
    /// In file order.
    pub components: Vec<Component>,
    /// Money lost per hour a component with an slo is down (0 when the model does not say).
    pub downtime_per_hour: f64,
    /// Money lost per hour a component with an slo runs degraded (0 when the model does not say).
    pub degraded_per_hour: f64,
    /// Who repairs failures, in file order; components name them by index.
    pub responders: Vec<Responder>,
}

/// A responder's index in [`System::responders`].
pub type ResponderId = usize;

/// A person or team who repairs, on a weekly calendar.
#[derive(Clone, Debug)]
pub struct Responder {
    /// The responder's name, as the model writes it.
    pub name: String,
    /// Working hours, in seconds of the UTC week.
    pub calendar: crate::recovery::Calendar,
    /// Working time before work on a failure starts.
    pub respond_s: f64,
    /// Money per month, counted once per design that uses the responder.
    pub cost: f64,
}

/// How a component's failures are repaired: detection, then a restart with probability
/// `restart_share`, else the responder's `respond` and `fix`, in the responder's working time.
#[derive(Clone, Debug)]
pub struct Recovery {
    /// Time to notice a failure, in seconds.
    pub detect_s: f64,
    /// The share of failures an automatic restart fixes, a probability.
    pub restart_share: f64,
    /// How long a restart takes, in seconds.
    pub restart_s: f64,
    /// None when every failure is restarted.
    pub responder: Option<ResponderId>,
    /// Hands-on working time of a fix.
    pub fix: Lifetime,
    /// The mean repair time, phase by phase; its total is the component's mean repair time.
    pub mean: crate::recovery::RepairSplit,
}

/// A distribution of times, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifetime {
    /// The family of the distribution.
    pub kind: DistKind,
    /// The mean time, in seconds (infinite for a thing that never fails).
    pub mean_s: f64,
    /// Weibull or gamma shape, lognormal sigma.
    pub shape: f64,
}

impl Lifetime {
    /// An exponential (memoryless) time with mean `mean_s` seconds.
    pub fn exponential(mean_s: f64) -> Lifetime {
        Lifetime {
            kind: DistKind::Exponential,
            mean_s,
            shape: 1.0,
        }
    }
}

/// A shared failure domain (a host, zone, region or provider): when it is down, every replica in it
/// or in a domain inside it is down.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The domain's name, as the model writes it.
    pub name: String,
    /// The enclosing domain (a zone's region), if any.
    pub parent: Option<DomainId>,
    /// P(this domain itself is down), ancestors aside.
    pub down: Odds,
    /// Its time to failure.
    pub failure: Lifetime,
    /// Its time to repair.
    pub repair: Lifetime,
    /// The line of the domain's name in the model file (0 when unknown).
    pub line: usize,
    /// How unsure its availability, mttf and mttr are (none: all as written).
    pub doubt: Doubt,
}

/// Planned downtime, durations in seconds.
#[derive(Clone, Debug)]
pub struct Maintenance {
    /// Time from one maintenance to the next, in seconds.
    pub every_s: f64,
    /// How long each maintenance takes, in seconds.
    pub duration_s: f64,
    /// One replica at a time (true) or the whole component at once (false).
    pub rolling: bool,
}

/// A service, database or third party: its replicas, their reliability and what it depends on.
#[derive(Clone, Debug)]
pub struct Component {
    /// The component's name, as the model writes it.
    pub name: String,
    /// How many replicas it runs.
    pub replicas: u32,
    /// How many replicas must be up for it to be up (k of n).
    pub min_available: u32,
    /// P(one replica is down on its own): its failures and, when rolling, its maintenance.
    pub replica_down: Odds,
    /// P(one replica has failed), maintenance aside.
    pub replica_failed: Odds,
    /// The domain of each replica.
    pub replica_domains: Vec<Option<DomainId>>,
    /// One replica's time to failure.
    pub failure: Lifetime,
    /// One replica's time to repair.
    pub repair: Lifetime,
    /// Planned downtime, if any.
    pub maintenance: Option<Maintenance>,
    /// Outage while traffic moves off a failed replica (0: none), and whose failures cause it.
    pub failover_s: f64,
    /// Which replica failures cause a failover.
    pub failover_on: FailoverOn,
    /// The entries of `depends_on`, in file order.
    pub dependencies: Vec<Dependency>,
    /// The availability target `nines check` holds it to, if any.
    pub slo: Option<Availability>,
    /// The largest acceptable probability that a window breaches the slo (`slo: { max_breach }`).
    pub max_breach: Option<f64>,
    /// A third party outside the model owner's control.
    pub external: bool,
    /// Monthly cost of one replica (money).
    pub cost: f64,
    /// Monthly cost of the component as a whole, whatever its replicas (money).
    pub fixed_cost: f64,
    /// The line of the component's name in the model file (for CI annotations).
    pub line: usize,
    /// The system it belongs to, for grouping in graphs and reports.
    pub group: Option<String>,
    /// How unsure one replica's availability, mttf and mttr are (none: all as written).
    pub doubt: Doubt,
    /// Detection, restart and responder, when the model says how repairs happen (`repair`
    /// then holds their mean as an exponential time).
    pub recovery: Option<Recovery>,
    /// The share of its capacity failures in which calls to it hang (0: it always fails fast).
    pub hang: f64,
    /// How long a request to it may take in all, when the model says.
    pub deadline_s: Option<f64>,
}

/// The doubt a model gives about one component's or domain's reliability: the values
/// themselves are already in the point fields (`down`, `failure`, `repair`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Doubt {
    /// The spread of the availability (on its unavailability), when given.
    pub availability: Option<Spread<Availability>>,
    /// The spread of the mean time to failure, when given.
    pub mttf: Option<Spread<Duration>>,
    /// The spread of the mean time to repair, when given.
    pub mttr: Option<Spread<Duration>>,
    /// The model gives the availability (not an mttf): a drawn mttr then moves the mttf, and
    /// leaves the availability as it is.
    pub availability_given: bool,
}

impl Doubt {
    /// Whether the model gives no doubt at all: every value as written.
    pub fn is_certain(&self) -> bool {
        self.availability.is_none() && self.mttf.is_none() && self.mttr.is_none()
    }
}

impl Component {
    /// Whole-component maintenance as an independent event: P(in maintenance).
    pub fn maintenance_down(&self) -> Option<Odds> {
        self.maintenance
            .as_ref()
            .filter(|m| !m.rolling && m.duration_s > 0.0)
            .map(|m| Odds::ratio(m.duration_s, m.every_s - m.duration_s))
    }

    /// Monthly cost of the component: fixed part and replicas.
    pub fn monthly_cost(&self) -> f64 {
        self.fixed_cost + self.cost * self.replicas as f64
    }
}

/// What a dependency points at.
#[derive(Clone, Debug, PartialEq)]
pub enum DependencyTarget {
    /// One component.
    Component(ComponentId),
    /// Up when at least `at_least` of the members are up.
    Group {
        /// How many members must be up.
        at_least: u32,
        /// The members.
        members: Vec<ComponentId>,
    },
}

/// One entry of a component's `depends_on`, resolved: what it needs, and what its failure does.
#[derive(Clone, Debug)]
pub struct Dependency {
    /// The component or group depended on.
    pub target: DependencyTarget,
    /// What the target's outage does to the component.
    pub on_failure: OnFailure,
    /// The component used instead while the target is down (with `on_failure: degrade`).
    pub fallback: Option<ComponentId>,
    /// The time calls to the target are cut off after, in seconds.
    pub timeout_s: Option<f64>,
    /// Outages of the target shorter than this many seconds are hidden by retries or buffering
    /// (timeline simulation only).
    pub tolerate_s: Option<f64>,
    /// A circuit breaker and the time it needs to open.
    pub breaker_s: Option<f64>,
    /// An asynchronous edge through a queue, with the longest acceptable wait when given.
    pub queue: Option<Queue>,
}

/// A queue edge: work waits while the consumer is down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Queue {
    /// The longest work may wait, in seconds, before its delay counts as an outage.
    pub max_delay_s: Option<f64>,
}

impl Dependency {
    /// The components this entry names: the target, or every member of the group (not the
    /// fallback).
    pub fn targets(&self) -> &[ComponentId] {
        match &self.target {
            DependencyTarget::Component(c) => std::slice::from_ref(c),
            DependencyTarget::Group { members, .. } => members,
        }
    }

    /// Whether a hung target counts as DOWN for this entry rather than hanging the caller: the
    /// calls have a breaker, or a timeout shorter than the caller's `deadline` (any timeout when
    /// the caller gives none). A queue never hangs its producer.
    pub fn protects(&self, deadline_s: Option<f64>) -> bool {
        self.queue.is_some()
            || self.breaker_s.is_some()
            || self
                .timeout_s
                .is_some_and(|t| deadline_s.is_none_or(|d| t < d))
    }
}

impl System {
    /// P(component `c` is failing over), taken as an independent event: the frequency of the
    /// failures that cause a failover, times its duration. A failure causes one when the replica
    /// was in service (its domain chain up, not in maintenance), leaves enough replicas in
    /// service, and — with `on: leader` — the replica was the leader. With exponential failures
    /// the frequency is exact: λ·E[N·1{N > k}] for `any` and λ·P(N > k) for `leader`, N the
    /// replicas in service, k `min_available`, λ = 1/mttf.
    pub fn failover_down(&self, c: ComponentId) -> Odds {
        let comp = &self.components[c];
        if comp.failover_s <= 0.0
            || comp.replicas <= comp.min_available
            || comp.failure.mean_s.is_infinite()
        {
            return Odds::NEVER;
        }
        let in_service = self.in_service(c);
        let k = comp.min_available as usize;
        let expected: f64 = match comp.failover_on {
            FailoverOn::Any => (k + 1..in_service.len())
                .map(|m| m as f64 * in_service[m])
                .sum(),
            FailoverOn::Leader => in_service.iter().skip(k + 1).sum(),
        };
        let whole = comp.maintenance_down().unwrap_or(Odds::NEVER).q;
        let p = whole * expected * comp.failover_s / comp.failure.mean_s;
        if p.is_nan() {
            return Odds::NEVER;
        }
        Odds::from_p(p.min(1.0))
    }

    /// The distribution of the number of component `c`'s replicas in service: up on their own,
    /// their domain chain up, not in their rolling-maintenance turn (at most one replica at a
    /// time). Domain states are weighed one by one.
    fn in_service(&self, c: ComponentId) -> Vec<f64> {
        let comp = &self.components[c];
        let n = comp.replicas as usize;
        // The domains the replicas' chains pass through, each once.
        let mut relevant: Vec<DomainId> = Vec::new();
        for &d in comp.replica_domains.iter().flatten() {
            let mut at = Some(d);
            while let Some(x) = at {
                if !relevant.contains(&x) {
                    relevant.push(x);
                }
                at = self.domains[x].parent;
            }
        }
        let turn = match &comp.maintenance {
            Some(m) if m.rolling && m.duration_s > 0.0 => m.duration_s / m.every_s,
            _ => 0.0,
        };
        let mut dist = vec![0.0; n + 1];
        // Past 2^12 domain states the chains are taken as independent of each other.
        let states = if relevant.len() <= 12 {
            1usize << relevant.len()
        } else {
            0
        };
        let add = |alive: usize, weight: f64, dist: &mut Vec<f64>| {
            let r = alive as f64;
            for (m, x) in binomial(alive, comp.replica_failed).into_iter().enumerate() {
                dist[m] += weight * (1.0 - r * turn) * x;
            }
            if alive > 0 {
                for (m, x) in binomial(alive - 1, comp.replica_failed)
                    .into_iter()
                    .enumerate()
                {
                    dist[m] += weight * r * turn * x;
                }
            }
        };
        if states == 0 {
            let chain_up = |d: Option<DomainId>| {
                let mut up = 1.0;
                let mut at = d;
                while let Some(x) = at {
                    up *= self.domains[x].down.q;
                    at = self.domains[x].parent;
                }
                up
            };
            let mean_up: f64 = comp
                .replica_domains
                .iter()
                .map(|&d| chain_up(d))
                .sum::<f64>()
                / n as f64;
            for alive in 0..=n {
                let w = binomial(n, Odds::from_p(1.0 - mean_up))[alive];
                add(alive, w, &mut dist);
            }
            return dist;
        }
        for state in 0..states {
            let mut weight = 1.0;
            for (i, &d) in relevant.iter().enumerate() {
                let o = self.domains[d].down;
                weight *= if state >> i & 1 == 1 { o.p } else { o.q };
            }
            if weight == 0.0 {
                continue;
            }
            let up = |d: DomainId| {
                let mut at = Some(d);
                while let Some(x) = at {
                    let i = relevant.iter().position(|&y| y == x).expect("listed");
                    if state >> i & 1 == 1 {
                        return false;
                    }
                    at = self.domains[x].parent;
                }
                true
            };
            let alive = comp
                .replica_domains
                .iter()
                .filter(|d| d.is_none_or(up))
                .count();
            add(alive, weight, &mut dist);
        }
        dist
    }

    /// Monthly cost of the responders these components call on, each counted once.
    pub fn responder_cost<'a>(&self, components: impl IntoIterator<Item = &'a Component>) -> f64 {
        let mut used = vec![false; self.responders.len()];
        for r in components
            .into_iter()
            .filter_map(|c| c.recovery.as_ref()?.responder)
        {
            used[r] = true;
        }
        (self.responders.iter().zip(used))
            .filter(|(_, used)| *used)
            .map(|(r, _)| r.cost)
            .sum()
    }

    /// The index of the component called `name`.
    pub fn component_id(&self, name: &str) -> Option<ComponentId> {
        self.components.iter().position(|c| c.name == name)
    }
    /// The index of the domain called `name`.
    pub fn domain_id(&self, name: &str) -> Option<DomainId> {
        self.domains.iter().position(|d| d.name == name)
    }
}

/// P(m of `n` independent replicas are up), m = 0..=n, each down with `down`: by logarithms,
/// so that thousands of replicas neither overflow nor underflow.
fn binomial(n: usize, down: Odds) -> Vec<f64> {
    let mut out = vec![0.0; n + 1];
    if down.p == 0.0 {
        out[n] = 1.0;
        return out;
    }
    if down.q == 0.0 {
        out[0] = 1.0;
        return out;
    }
    let (ln_up, ln_down) = (down.q.ln(), down.p.ln());
    let mut ln_choose = 0.0f64;
    for (m, slot) in out.iter_mut().enumerate() {
        *slot = (ln_choose + m as f64 * ln_up + (n - m) as f64 * ln_down).exp();
        ln_choose += ((n - m) as f64).ln() - ((m + 1) as f64).ln();
    }
    out
}
