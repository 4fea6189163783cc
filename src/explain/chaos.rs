//! The Chaos Monkey sweep: every replica, component and domain failed on its own (and, when
//! asked, every pair of them), everything else up, and what each outermost component makes of
//! it: nothing (invisible), running on fallbacks (degraded) or an outage its users see
//! (visible).
//!
//! Each experiment is one state of the basic events, so its verdicts come from one pass up the
//! gates the failed events feed ([`Propagation`]), not from solving probabilities: a sweep of
//! n units costs n such passes, a sweep of pairs n²/2.

use serde::Serialize;

use super::whatif::{Propagation, State};
use crate::structure::{EventId, EventKind, Structure};
use crate::system::{ComponentId, System};

/// The most pairs `--pairs` runs: beyond this the listing is too long to read and the sweep
/// takes minutes on large models.
pub const MAX_PAIRS: usize = 50_000;

/// How an outermost component sees a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Still UP: the failure is absorbed.
    Invisible,
    /// Running on fallbacks.
    Degraded,
    /// Not serving: DOWN or HUNG.
    Visible,
}

impl Verdict {
    fn of(state: State) -> Verdict {
        match state {
            State::Up => Verdict::Invisible,
            State::Degraded => Verdict::Degraded,
            // A hung page is as much an outage to its users as a refused one.
            State::Down | State::Hung => Verdict::Visible,
        }
    }
}

/// How an experiment's parts fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Fast: calls to the failed parts are refused at once.
    Fail,
    /// Calls to the failed component hang until the caller gives up: its capacity fails and the
    /// outage is one of the share `hang` says hang. Run for every component that can hang.
    Hang,
}

/// What one experiment fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// One replica of a component with several, and the failover its loss sets off.
    Replica,
    /// A component with one replica (and its maintenance).
    Component,
    /// Every replica of a component with several at once (a bad release, a lost data set),
    /// with its maintenance and failover.
    #[serde(rename = "all-replicas")]
    AllReplicas,
    /// A failure domain, and so every replica in it and in the domains below it.
    Domain,
    /// Two of the above at once.
    Pair,
}

/// One experiment of the sweep: what was failed, and what the outermost components made of it.
#[derive(Clone, Debug, Serialize)]
pub struct Experiment {
    /// The replicas, components or domains failed together.
    pub failed: Vec<String>,
    /// What was failed: a replica, a component, all replicas, a domain or a pair.
    pub kind: UnitKind,
    /// How the failed parts fail: refusing calls at once, or hanging them.
    pub mode: Mode,
    /// The worst verdict of any outermost component.
    pub verdict: Verdict,
    /// The verdict is this bad only while a component fails over (its `failover` time after
    /// losing a replica); once traffic has moved, it is better.
    pub failover_only: bool,
    /// Outermost components that go down.
    pub visible: Vec<String>,
    /// Outermost components that run degraded.
    pub degraded: Vec<String>,
}

/// How many experiments ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Experiments run.
    pub experiments: usize,
    /// Experiments no outermost component noticed.
    pub invisible: usize,
    /// Experiments that left an outermost component degraded and none down.
    pub degraded: usize,
    /// Experiments that took an outermost component down.
    pub visible: usize,
}

impl Tally {
    fn add(&mut self, v: Verdict) {
        self.experiments += 1;
        match v {
            Verdict::Invisible => self.invisible += 1,
            Verdict::Degraded => self.degraded += 1,
            Verdict::Visible => self.visible += 1,
        }
    }
}

/// The sweep's counts, by kind of experiment.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The components judged: those with an slo and those nothing depends on, in file order.
    pub outermost: Vec<String>,
    /// Replicas, components with one replica, and domains: each one thing that fails (fast,
    /// and hanging where it can).
    pub singles: Tally,
    /// Components with several replicas failed whole (fast, and hanging where they can).
    pub all_replicas: Tally,
    /// Null unless pairs were asked for.
    pub pairs: Option<Tally>,
    /// Pairs that are worse together than either of their members alone.
    pub pairs_worse_together: Option<usize>,
    /// Replicas, components and domains left out because they cannot fail (availability 100%).
    pub never_fail: Vec<String>,
    /// The experiments whose calls hang (counted in `singles` or `all_replicas` too).
    pub hangs: Tally,
}

/// The result of `nines chaos`: every experiment and the tallies.
#[derive(Clone, Debug, Serialize)]
pub struct Chaos {
    /// The model's name.
    pub model: String,
    /// Every experiment, singles first.
    pub experiments: Vec<Experiment>,
    /// How many experiments ended each way.
    pub summary: Summary,
}

/// Why the sweep cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ChaosError {
    /// `--pairs` asked for more pairs than [`MAX_PAIRS`].
    #[error(
        "{units} replicas, components and domains make {pairs} pairs, more than the {limit} `--pairs` runs"
    )]
    TooManyPairs {
        /// Replicas, components and domains that can fail.
        units: usize,
        /// The pairs they make.
        pairs: usize,
        /// The most pairs run.
        limit: usize,
    },
}

impl ChaosError {
    /// How to get a sweep that runs.
    pub fn hint(&self) -> &'static str {
        match self {
            ChaosError::TooManyPairs { .. } => {
                "run the single failures (no --pairs), or sweep a smaller part of the model"
            }
        }
    }
}

/// Something an experiment fails.
#[derive(Clone, Debug)]
struct Unit {
    name: String,
    kind: UnitKind,
    /// The component it belongs to, for replicas and components.
    component: Option<ComponentId>,
    events: Vec<EventId>,
    /// The component's hang split, when failing this unit takes a component that can hang below
    /// its `min_available` on its own: the unit is then also failed hanging.
    hang: Option<EventId>,
}

/// The components whose verdicts count: those with an slo, and those nothing depends on (or
/// falls back to).
pub fn outermost(system: &System) -> Vec<ComponentId> {
    let mut called = vec![false; system.components.len()];
    for e in crate::graph::edges(system) {
        called[e.to] = true;
    }
    (0..system.components.len())
        .filter(|&c| system.components[c].slo.is_some() || !called[c])
        .collect()
}

/// Every replica (of components with several), component and domain, in file order, with the
/// events failing it makes happen.
fn units(system: &System, structure: &Structure) -> Vec<Unit> {
    let mut own: Vec<Vec<EventId>> = vec![Vec::new(); system.components.len()];
    let mut replicas: Vec<Vec<EventId>> = vec![Vec::new(); system.components.len()];
    let mut domain: Vec<Vec<EventId>> = vec![Vec::new(); system.domains.len()];
    let mut failover: Vec<Option<EventId>> = vec![None; system.components.len()];
    let mut hang: Vec<Option<EventId>> = vec![None; system.components.len()];
    // Whether a component's capacity can fail at all: a hang is a way of being out of capacity,
    // and a component whose replicas never fail (only its whole maintenance takes it down)
    // never hangs.
    let mut capacity_fails = vec![false; system.components.len()];
    for (e, event) in structure.events.iter().enumerate() {
        if let EventKind::Replica { component: c, .. }
        | EventKind::RollingMaintenance { component: c, .. } = event.kind
        {
            capacity_fails[c] |= event.odds.p > 0.0;
        }
        match event.kind {
            EventKind::Domain(d) => domain[d].push(e),
            EventKind::Replica { component, .. } => {
                own[component].push(e);
                replicas[component].push(e);
            }
            EventKind::Failover(c) => {
                own[c].push(e);
                // A failover the model says never happens (no replica ever in service to
                // fail over from) is not set off by a chaos failure either.
                failover[c] = (event.odds.p > 0.0).then_some(e);
            }
            EventKind::RollingMaintenance { component: c, .. } | EventKind::Maintenance(c) => {
                own[c].push(e)
            }
            // Whether an outage hangs is the experiment's mode, not a part of its own.
            EventKind::Hang(c) => hang[c] = Some(e),
            // A breaker's opening time follows from an outage: the sweep judges how things
            // stand once it is open.
            EventKind::Breaker { .. } => {}
        }
    }
    let mut units = Vec::new();
    for (c, comp) in system.components.iter().enumerate() {
        units.push(Unit {
            name: comp.name.clone(),
            kind: if comp.replicas > 1 {
                UnitKind::AllReplicas
            } else {
                UnitKind::Component
            },
            component: Some(c),
            events: std::mem::take(&mut own[c]),
            hang: hang[c].filter(|_| capacity_fails[c]),
        });
        if comp.replicas > 1 {
            for &e in &replicas[c] {
                // Losing a replica may set off a failover (whichever replica leads), an outage
                // of its own while traffic moves.
                let mut events = vec![e];
                events.extend(failover[c]);
                units.push(Unit {
                    name: structure.events[e].name.clone(),
                    kind: UnitKind::Replica,
                    component: Some(c),
                    events,
                    // With every replica needed, losing one is an outage, which may hang.
                    hang: hang[c]
                        .filter(|_| comp.min_available == comp.replicas && capacity_fails[c]),
                });
            }
        }
    }
    for (d, dom) in system.domains.iter().enumerate() {
        units.push(Unit {
            name: dom.name.clone(),
            kind: UnitKind::Domain,
            component: None,
            events: std::mem::take(&mut domain[d]),
            hang: None,
        });
    }
    units
}

/// The sweep: every unit failed alone, and with `pairs` every two units that are not one
/// within the other (a replica and its own component).
pub fn chaos(system: &System, pairs: bool) -> Result<Chaos, ChaosError> {
    let structure = Structure::new(system);
    let (units, never): (Vec<Unit>, Vec<Unit>) = units(system, &structure)
        .into_iter()
        .partition(|u| u.events.iter().any(|&e| structure.events[e].odds.p > 0.0));
    let contains = |a: &Unit, b: &Unit| {
        a.kind == UnitKind::AllReplicas && b.kind == UnitKind::Replica && a.component == b.component
    };
    let related = |a: &Unit, b: &Unit| contains(a, b) || contains(b, a);
    let n = units.len();
    if pairs {
        // Counted before any work: n²/2 less the replicas paired with their own component.
        let within: usize = units.iter().filter(|u| u.kind == UnitKind::Replica).count();
        let count = (n * n.saturating_sub(1) / 2).saturating_sub(within);
        if count > MAX_PAIRS {
            return Err(ChaosError::TooManyPairs {
                units: n,
                pairs: count,
                limit: MAX_PAIRS,
            });
        }
    }

    let outer = outermost(system);
    let mut propagation = Propagation::new(&structure);
    let is_failover = |e: EventId| matches!(structure.events[e].kind, EventKind::Failover(_));
    let mut run = |failed: &[&Unit], kind: UnitKind, mode: Mode| {
        let mut events: Vec<EventId> = failed
            .iter()
            .flat_map(|u| u.events.iter().copied())
            .collect();
        if mode == Mode::Hang {
            events.extend(failed.iter().filter_map(|u| u.hang));
        }
        // Where a replica's loss sets off a failover, how things stand once it is over.
        let settled = if kind != UnitKind::AllReplicas && events.iter().any(|&e| is_failover(e)) {
            let rest: Vec<EventId> = events
                .iter()
                .copied()
                .filter(|&e| !is_failover(e))
                .collect();
            propagation.run(&rest);
            let worst = outer
                .iter()
                .map(|&c| Verdict::of(propagation.state(c)))
                .max();
            worst.unwrap_or(Verdict::Invisible)
        } else {
            Verdict::Visible
        };
        propagation.run(&events);
        let mut experiment = Experiment {
            failed: failed.iter().map(|u| u.name.clone()).collect(),
            kind,
            mode,
            verdict: Verdict::Invisible,
            failover_only: false,
            visible: Vec::new(),
            degraded: Vec::new(),
        };
        for &c in &outer {
            let verdict = Verdict::of(propagation.state(c));
            let name = system.components[c].name.clone();
            match verdict {
                Verdict::Invisible => {}
                Verdict::Degraded => experiment.degraded.push(name),
                Verdict::Visible => experiment.visible.push(name),
            }
            experiment.verdict = experiment.verdict.max(verdict);
        }
        experiment.failover_only = settled < experiment.verdict;
        experiment
    };

    let mut experiments = Vec::new();
    let (mut singles, mut all_replicas) = (Tally::default(), Tally::default());
    let mut hangs = Tally::default();
    // Each unit's verdict failing fast, which the pairs (failing fast) are compared with.
    let mut alone = Vec::with_capacity(n);
    for u in &units {
        let modes = if u.hang.is_some() {
            &[Mode::Fail, Mode::Hang][..]
        } else {
            &[Mode::Fail][..]
        };
        for &mode in modes {
            let e = run(&[u], u.kind, mode);
            match u.kind {
                UnitKind::AllReplicas => all_replicas.add(e.verdict),
                _ => singles.add(e.verdict),
            }
            match mode {
                Mode::Fail => alone.push(e.verdict),
                Mode::Hang => hangs.add(e.verdict),
            }
            experiments.push(e);
        }
    }
    let (mut pair_tally, mut worse) = (None, None);
    if pairs {
        let (mut tally, mut worse_together) = (Tally::default(), 0);
        for i in 0..n {
            for j in i + 1..n {
                if related(&units[i], &units[j]) {
                    continue;
                }
                let e = run(&[&units[i], &units[j]], UnitKind::Pair, Mode::Fail);
                tally.add(e.verdict);
                if e.verdict > alone[i].max(alone[j]) {
                    worse_together += 1;
                }
                experiments.push(e);
            }
        }
        pair_tally = Some(tally);
        worse = Some(worse_together);
    }
    Ok(Chaos {
        model: system.name.clone(),
        experiments,
        summary: Summary {
            outermost: outer
                .iter()
                .map(|&c| system.components[c].name.clone())
                .collect(),
            singles,
            all_replicas,
            pairs: pair_tally,
            pairs_worse_together: worse,
            never_fail: never.into_iter().map(|u| u.name).collect(),
            hangs,
        },
    })
}

impl Chaos {
    /// The experiments that fail one thing, before the pairs.
    pub fn singles(&self) -> &[Experiment] {
        let n = self.summary.singles.experiments + self.summary.all_replicas.experiments;
        &self.experiments[..n]
    }

    /// The worst verdict of the single failures and pairs (invisible when there are none).
    /// Components failed whole are left out: no redundancy hides them, only fallbacks do.
    pub fn worst(&self) -> Verdict {
        self.experiments
            .iter()
            .filter(|e| e.kind != UnitKind::AllReplicas)
            .map(|e| e.verdict)
            .max()
            .unwrap_or(Verdict::Invisible)
    }
}
