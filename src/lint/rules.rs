//! The lint rules. Each takes what it needs from one shared [`Facts`], computed once: the exact
//! states of every component and of a few probes (see [`Facts::new`]), and the single points of
//! failure of every gate.

use std::collections::BTreeMap;

use super::{
    EXTRA_NINE, FAIL_OPEN_WITHOUT_TIMEOUT, FALLBACK_FAILS_WITH_TARGET, Finding,
    GROUP_SHARES_FAILURE, REPLICAS_SHARE_DOMAIN, REPLICAS_WITHOUT_DOMAIN, SINGLE_POINT_OF_FAILURE,
    UNATTAINABLE_SLO,
};
use crate::exact::{self, EngineError, StateOdds};
use crate::model::Model;
use crate::model::tree::{PathStep, Value};
use crate::model::units::{Odds, format_duration_human, format_nines, format_percent};
use crate::structure::{EventId, EventKind, Owner, Structure};
use crate::system::{
    Component, ComponentId, Dependency, DependencyTarget, Lifetime, OnFailure, System,
};

/// Everything the rules read, computed once.
struct Facts<'a> {
    system: &'a System,
    /// Exact states of every component.
    states: Vec<StateOdds>,
    /// Per component with an slo: its ceiling (the component's own replicas perfect).
    ceiling: BTreeMap<ComponentId, Odds>,
    /// Per (component, entry) of a hard group dependency: the group's own states.
    group: BTreeMap<(ComponentId, usize), Odds>,
    structure: Structure,
    /// Per component that is a group member or a fallback: the components and domains whose
    /// failure alone takes it down (only these are read; all of them is n² on a chain).
    single_points: std::collections::HashMap<ComponentId, Vec<Owner>>,
    /// Per component: the line of each `depends_on` entry, read from the file once.
    entry_lines: Vec<Vec<usize>>,
    /// Per component: the rules it allows (`lint: { allow: [...] }`), when allows count.
    allowed: Vec<Vec<&'static str>>,
}

/// The line of every `depends_on` entry of every component, in one pass over the file's tree
/// (looking each up by name would be quadratic in the number of components).
fn entry_lines(model: &Model, system: &System) -> Vec<Vec<usize>> {
    let mut by_name: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    let components = model.tree.find(&[PathStep::Key("components".into())]);
    if let Value::Map(entries) = &components.value {
        for (key, value) in entries {
            let Value::Str(name) = &key.value else {
                continue;
            };
            let deps = value.find(&[PathStep::Key("depends_on".into())]);
            if let Value::Seq(items) = &deps.value {
                by_name.insert(name, items.iter().map(|i| i.span.line).collect());
            }
        }
    }
    system
        .components
        .iter()
        .map(|c| by_name.remove(c.name.as_str()).unwrap_or_default())
        .collect()
}

/// A component that never fails on its own and depends on `dependencies`: its availability is
/// what those dependencies allow. Nothing depends on it, so it changes no other result.
fn probe(dependencies: Vec<Dependency>) -> Component {
    Component {
        name: String::new(),
        replicas: 1,
        min_available: 1,
        replica_down: Odds::NEVER,
        replica_failed: Odds::NEVER,
        replica_domains: vec![None],
        failure: Lifetime::exponential(1.0),
        repair: Lifetime::exponential(1.0),
        maintenance: None,
        failover_s: 0.0,
        failover_on: crate::system::FailoverOn::Any,
        dependencies,
        slo: None,
        max_breach: None,
        external: false,
        cost: 0.0,
        fixed_cost: 0.0,
        line: 0,
        group: None,
        doubt: Default::default(),
        recovery: None,
        hang: 0.0,
        deadline_s: None,
    }
}

impl<'a> Facts<'a> {
    /// One exact evaluation of the system with probes added: per component with an slo, a probe
    /// with its dependencies (its ceiling); per hard group dependency, a probe with that group
    /// alone (the group's availability as its caller sees it).
    fn new(
        model: &'a Model,
        system: &'a System,
        honour_allows: bool,
    ) -> Result<Facts<'a>, EngineError> {
        let n = system.components.len();
        let mut probed = system.clone();
        let mut ceiling_probe = Vec::new();
        let mut group_probe = Vec::new();
        for (c, comp) in system.components.iter().enumerate() {
            if comp.slo.is_some() {
                ceiling_probe.push((c, probed.components.len()));
                let mut ceiling = probe(comp.dependencies.clone());
                ceiling.deadline_s = comp.deadline_s;
                probed.components.push(ceiling);
            }
            for (i, d) in comp.dependencies.iter().enumerate() {
                if d.on_failure == OnFailure::Fail
                    && matches!(d.target, DependencyTarget::Group { .. })
                {
                    group_probe.push(((c, i), probed.components.len()));
                    probed.components.push(probe(vec![d.clone()]));
                }
            }
        }
        let mut states = exact::evaluate(&Structure::new(&probed))?;
        let ceiling = ceiling_probe
            .into_iter()
            .map(|(c, p)| (c, states[p].down))
            .collect();
        let group = group_probe
            .into_iter()
            .map(|(k, p)| (k, states[p].down))
            .collect();
        states.truncate(n);
        let structure = Structure::new(system);
        let mut read: Vec<ComponentId> = Vec::new();
        for d in system.components.iter().flat_map(|c| &c.dependencies) {
            if let DependencyTarget::Group { members, .. } = &d.target {
                read.extend(members);
            }
            read.extend(d.fallback);
        }
        read.sort_unstable();
        read.dedup();
        let downs: Vec<usize> = read.iter().map(|&c| structure.components[c].down).collect();
        let single_points = read
            .into_iter()
            .zip(structure.single_points(&downs))
            .collect();
        let entry_lines = entry_lines(model, system);
        let allowed = system
            .components
            .iter()
            .map(|c| {
                if !honour_allows {
                    return Vec::new();
                }
                model
                    .spec
                    .components
                    .get(&c.name)
                    .and_then(|spec| spec.lint.as_ref())
                    .map(|l| {
                        l.allow
                            .iter()
                            .filter_map(|a| super::find_rule(a).map(|r| r.id))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        Ok(Facts {
            system,
            states,
            ceiling,
            group,
            structure,
            single_points,
            entry_lines,
            allowed,
        })
    }

    /// Whether component `c` allows the rule with this id where it stands.
    pub(super) fn allows(&self, c: ComponentId, rule: &str) -> bool {
        self.allowed[c].contains(&rule)
    }

    /// Per gate of `gates`: the basic events that alone (every other event absent) make it
    /// happen. Events that never happen (a component written at 100%) are left out, as from
    /// minimal cut sets: these are exactly the single points of failure `explain` lists.
    fn single_events(&self, gates: &[usize]) -> Vec<Vec<EventId>> {
        let s = &self.structure;
        s.alone(gates, |e| {
            if s.events[e].odds.p == 0.0 {
                return None;
            }
            match s.events[e].kind {
                // Passing consequences of another outage, not failures.
                EventKind::Breaker { .. } => None,
                // A failure whose calls hang is one failure: the hang split goes with the
                // failure of a replica whose loss alone is an outage (every replica needed), as
                // in `explain`. Taken as the first replica's: where one replica's loss is an
                // outage, so is the first's, and the finding is about the component.
                EventKind::Hang(c)
                    if self.system.components[c].min_available
                        == self.system.components[c].replicas =>
                {
                    s.capacity[c].replicas.first().map(|&(r, _)| r)
                }
                EventKind::Hang(_) => None,
                _ => Some(e),
            }
        })
    }

    fn name(&self, c: ComponentId) -> &str {
        &self.system.components[c].name
    }

    /// The line of a component's `depends_on` entry (the component's own line if the file
    /// does not have it, as when the entry came from elsewhere).
    fn entry_line(&self, c: ComponentId, entry: usize) -> usize {
        self.entry_lines[c]
            .get(entry)
            .copied()
            .filter(|&l| l > 0)
            .unwrap_or(self.system.components[c].line)
    }

    /// How a dependency entry reads: `db`, or `the group (at least 1 of a, b)`.
    fn target_text(&self, d: &Dependency) -> String {
        match &d.target {
            DependencyTarget::Component(t) => format!("`{}`", self.name(*t)),
            DependencyTarget::Group { at_least, members } => format!(
                "the group (at least {at_least} of {})",
                members
                    .iter()
                    .map(|&m| format!("`{}`", self.name(m)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn owner_name(&self, o: Owner) -> &str {
        match o {
            Owner::Component(c) => self.name(c),
            Owner::Domain(d) => &self.system.domains[d].name,
        }
    }

    /// The components and domains whose failure alone takes component `c` DOWN.
    fn spof_of(&self, c: ComponentId) -> &[Owner] {
        self.single_points
            .get(&c)
            .expect("the single points of group members and fallbacks are known")
    }
}

pub(super) fn run(
    model: &Model,
    system: &System,
    honour_allows: bool,
) -> Result<Vec<Finding>, EngineError> {
    let facts = Facts::new(model, system, honour_allows)?;
    let mut out = Vec::new();
    unattainable_slo(&facts, &mut out);
    extra_nine(&facts, &mut out);
    fail_open_without_timeout(&facts, &mut out)?;
    single_point_of_failure(&facts, &mut out);
    replicas_share_domain(&facts, &mut out);
    replicas_without_domain(&facts, &mut out);
    group_shares_failure(&facts, &mut out);
    fallback_fails_with_target(&facts, &mut out);
    // A finding is allowed where it stands: on the component it is about. Names are looked up
    // in a map: a scan of the components for each finding made a chain cost n².
    if facts.allowed.iter().any(|a| !a.is_empty()) {
        let ids: std::collections::HashMap<&str, ComponentId> = (system.components.iter())
            .enumerate()
            .map(|(c, comp)| (comp.name.as_str(), c))
            .collect();
        out.retain(|f| {
            ids.get(f.subject.as_str())
                .is_none_or(|&c| !facts.allows(c, f.rule))
        });
    }
    Ok(out)
}

fn pct(o: Odds) -> String {
    format_percent(o.q, o.p)
}

fn nines(o: Odds) -> String {
    format_nines(-o.p.log10())
}

/// Two availabilities as percents with enough digits that they read differently, when they
/// differ.
fn apart(a: Odds, b: Odds) -> (String, String) {
    let (x, y) = (pct(a), pct(b));
    if x != y || a.p == b.p {
        return (x, y);
    }
    for decimals in 1..=14 {
        let text = |o: Odds| {
            let t = format!("{:.*}", decimals, o.q * 100.0);
            format!("{}%", t.trim_end_matches('0').trim_end_matches('.'))
        };
        let (x, y) = (text(a), text(b));
        if x != y {
            return (x, y);
        }
    }
    (x, y)
}

/// N001: the slo is above the component's ceiling, the availability it would have with its own
/// replicas (and maintenance and failover) perfect: what its dependencies allow.
fn unattainable_slo(f: &Facts, out: &mut Vec<Finding>) {
    for (&c, &ceiling) in &f.ceiling {
        let comp = &f.system.components[c];
        let slo = comp
            .slo
            .expect("ceilings are computed for components with an slo");
        // The slo's unavailability below the ceiling's, beyond rounding: not even a perfect
        // component could meet it.
        if slo.down.p >= ceiling.p * (1.0 - 1e-12) {
            continue;
        }
        let weakest = comp
            .dependencies
            .iter()
            .enumerate()
            .filter(|(_, d)| d.on_failure == OnFailure::Fail)
            .map(|(i, d)| {
                let down = match d.target {
                    DependencyTarget::Component(t) => f.states[t].down,
                    DependencyTarget::Group { .. } => f.group[&(c, i)],
                };
                (down, f.target_text(d))
            })
            .max_by(|a, b| a.0.p.total_cmp(&b.0.p));
        let hint = match weakest {
            Some((down, what)) => format!(
                "lower the slo to at most {}, or make the dependencies more available: the weakest hard one is {what} at {}",
                pct(ceiling),
                pct(down)
            ),
            None => format!(
                "lower the slo to at most {}, or make the dependencies more available",
                pct(ceiling)
            ),
        };
        out.push(Finding::new(
            UNATTAINABLE_SLO,
            comp.line,
            &comp.name,
            format!(
                "`{}` has slo {slo} but cannot exceed {} ({} nines) even with its own replicas perfect: that is what its dependencies allow",
                comp.name,
                pct(ceiling),
                nines(ceiling)
            ),
            hint,
        ));
    }
}

/// N002: the rule of the extra nine: each hard dependency of a component with an slo should
/// have at least one nine more than the slo, or the dependencies spend the whole error budget.
fn extra_nine(f: &Facts, out: &mut Vec<Finding>) {
    for (c, comp) in f.system.components.iter().enumerate() {
        let Some(slo) = comp.slo else { continue };
        let asked = Odds::from_p(slo.down.p / 10.0);
        for (i, d) in comp.dependencies.iter().enumerate() {
            if d.on_failure != OnFailure::Fail {
                continue;
            }
            let (down, external) = match d.target {
                DependencyTarget::Component(t) => {
                    (f.states[t].down, f.system.components[t].external)
                }
                DependencyTarget::Group { .. } => (f.group[&(c, i)], false),
            };
            // One part in a billion of slack, so that 99.99% for a 99.9% slo is not flagged
            // for the rounding of −log10.
            if down.p <= asked.p * (1.0 + 1e-9) {
                continue;
            }
            // Beyond rounding only: never "99.99% (4.00 nines); the rule asks 99.99% (4.00
            // nines)".
            if nines(down) == nines(asked) {
                continue;
            }
            let (has, wants) = apart(down, asked);
            let what = f.target_text(d);
            let hint = if external {
                format!(
                    "{what} is a third party: add a second provider as a group `{{ at_least: 1, of: [...] }}`, or call it with `on_failure: degrade`, a fallback and a timeout"
                )
            } else {
                format!(
                    "give {what} another nine (more replicas, spread over domains), or call it with `on_failure: degrade`, a fallback and a timeout"
                )
            };
            out.push(Finding::new(
                EXTRA_NINE,
                f.entry_line(c, i),
                &comp.name,
                format!(
                    "`{}` (slo {slo}, {} nines) depends hard on {what}, which is {} available ({} nines); the rule of the extra nine asks {} ({} nines)",
                    comp.name,
                    nines(slo.down),
                    has,
                    nines(down),
                    wants,
                    nines(asked)
                ),
                hint,
            ));
        }
    }
}

/// N003: a call to a component that can hang, without a timeout shorter than the caller's
/// deadline or a breaker, lets the hang climb. The finding says what protecting that one entry
/// saves each outermost component a year, exactly: its unavailability as the model stands minus
/// with the entry protected. Entries whose protection saves nothing (the target cannot hang,
/// or the hang stops anyway) say nothing.
fn fail_open_without_timeout(f: &Facts, out: &mut Vec<Finding>) -> Result<(), EngineError> {
    let outermost = outermost(f.system);
    // Each saving is one exact evaluation of the whole model: past a budget of work, the
    // entries left are reported without their saving rather than cost the square of the model.
    let size = f.structure.gates.len() + f.structure.events.len();
    let mut quantified = (SAVINGS_BUDGET / size.max(1)).max(MIN_QUANTIFIED);
    for (c, comp) in f.system.components.iter().enumerate() {
        for (i, d) in comp.dependencies.iter().enumerate() {
            let can_hang = d
                .targets()
                .iter()
                .any(|&t| f.structure.components[t].hung != crate::structure::NEVER);
            if d.queue.is_some() || d.protects(comp.deadline_s) || !can_hang {
                continue;
            }
            let savings = if quantified > 0 {
                quantified -= 1;
                let savings = protection_savings(f, &outermost, c, i)?;
                if savings.is_empty() {
                    continue;
                }
                Some(savings)
            } else {
                None
            };
            let what = f.target_text(d);
            let fix = match (d.timeout_s, comp.deadline_s) {
                (Some(_), Some(deadline)) => format!(
                    "a `timeout` shorter than its deadline ({}) on",
                    format_duration_human(deadline)
                ),
                _ => "adding `timeout` to".into(),
            };
            let saved = match savings {
                Some(savings) => savings
                    .iter()
                    .map(|&(o, s)| {
                        format!(
                            "{}/year of downtime for `{}`",
                            format_duration_human(s),
                            f.name(o)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                None => format!(
                    "downtime (not computed: in a model this large only the first {} such calls are weighed)",
                    (SAVINGS_BUDGET / size.max(1)).max(MIN_QUANTIFIED)
                ),
            };
            out.push(Finding::new(
                FAIL_OPEN_WITHOUT_TIMEOUT,
                f.entry_line(c, i),
                &comp.name,
                format!(
                    "{fix} `{}` → {what} saves {saved}: without it a hang of {what} hangs `{}` whatever on_failure says",
                    comp.name,
                    comp.name
                ),
                match comp.deadline_s {
                    Some(deadline) => format!(
                        "add `timeout:` shorter than the deadline of `{}` ({}), or a `breaker:`",
                        comp.name,
                        format_duration_human(deadline)
                    ),
                    None => "add `timeout:` with the longest the caller can wait, e.g. `timeout: 1s`, or a `breaker:`".into(),
                },
            ));
        }
    }
    Ok(())
}

/// Gates and events N003 may evaluate in all to weigh what protecting each call saves: a model
/// of 1,000 gates weighs its first 200 unprotected calls. Chains of calls that hang are the
/// exact engine's hardest case (a chain of 300 such components takes 40 ms to evaluate), so
/// the budget is kept to a few seconds there.
const SAVINGS_BUDGET: usize = 200_000;
/// The unprotected calls weighed whatever the model's size.
const MIN_QUANTIFIED: usize = 8;

/// The components a user sees: those with an slo, and those nothing depends on.
fn outermost(system: &System) -> Vec<ComponentId> {
    let mut used = vec![false; system.components.len()];
    for d in system.components.iter().flat_map(|c| &c.dependencies) {
        for &t in d.targets() {
            used[t] = true;
        }
        if let Some(fb) = d.fallback {
            used[fb] = true;
        }
    }
    (0..system.components.len())
        .filter(|&c| system.components[c].slo.is_some() || !used[c])
        .collect()
}

/// Per outermost component: the downtime a year that protecting entry `entry` of component `c`
/// saves it, when that rounds to a second or more.
fn protection_savings(
    f: &Facts,
    outermost: &[ComponentId],
    c: ComponentId,
    entry: usize,
) -> Result<Vec<(ComponentId, f64)>, EngineError> {
    let mut protected = f.system.clone();
    // Any timeout under the deadline protects; its length changes nothing else.
    protected.components[c].dependencies[entry].timeout_s = Some(0.0);
    let after = exact::evaluate(&Structure::new(&protected))?;
    Ok(outermost
        .iter()
        .map(|&o| {
            (
                o,
                (f.states[o].down.p - after[o].down.p) * crate::model::units::YEAR,
            )
        })
        .filter(|&(_, saved)| saved >= 0.5)
        .collect())
}

/// Why single events of a component take it down, from the events that do: one replica, no
/// spare, a maintenance that stops it whole, a failover.
fn fragile(comp: &Component, kinds: &[EventKind]) -> String {
    let mut why = Vec::new();
    if kinds.iter().any(|k| matches!(k, EventKind::Replica { .. })) {
        why.push(if comp.replicas == 1 {
            "it runs one replica".to_string()
        } else {
            format!(
                "it needs all {} of its replicas (min_available {})",
                comp.replicas, comp.min_available
            )
        });
    }
    if kinds.iter().any(|k| matches!(k, EventKind::Maintenance(_))) {
        why.push("its maintenance is not rolling and stops it whole".into());
    }
    if kinds.iter().any(|k| matches!(k, EventKind::Failover(_))) {
        why.push(format!(
            "every replica failure takes it down for a {} failover",
            format_duration_human(comp.failover_s)
        ));
    }
    why.join(", and ")
}

/// N004: a basic event that alone takes a component with an slo DOWN: the single points of
/// failure `explain` lists, gathered by the component or domain that owns them. An event that
/// never happens (a component at 100%) is none. One finding per component or domain, naming
/// every slo it endangers; a component with an slo that allows the rule accepts its single
/// points of failure.
fn single_point_of_failure(f: &Facts, out: &mut Vec<Finding>) {
    let victims: Vec<ComponentId> = (0..f.system.components.len())
        .filter(|&c| {
            f.system.components[c].slo.is_some() && !f.allows(c, SINGLE_POINT_OF_FAILURE.id)
        })
        .collect();
    let downs: Vec<usize> = victims
        .iter()
        .map(|&c| f.structure.components[c].down)
        .collect();
    let singles = f.single_events(&downs);
    let mut endangered: BTreeMap<Owner, (Vec<ComponentId>, Vec<EventKind>)> = BTreeMap::new();
    for (&c, singles) in victims.iter().zip(&singles) {
        for &e in singles {
            let event = &f.structure.events[e];
            let (who, kinds) = endangered.entry(event.owner()).or_default();
            if who.last() != Some(&c) {
                who.push(c);
            }
            if !kinds.contains(&event.kind) {
                kinds.push(event.kind);
            }
        }
    }
    for (o, (victims, kinds)) in endangered {
        let list = |v: &[ComponentId]| {
            v.iter()
                .map(|&v| format!("`{}`", f.name(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let them = if victims.len() == 1 { "it" } else { "them" };
        let names: Vec<String> = victims.iter().map(|&v| f.name(v).to_string()).collect();
        match o {
            Owner::Component(x) => {
                let comp = &f.system.components[x];
                let why = fragile(comp, &kinds);
                let others: Vec<ComponentId> =
                    victims.iter().copied().filter(|&v| v != x).collect();
                let message = if others.is_empty() {
                    format!(
                        "`{}` (slo {}) is its own single point of failure: {why}, so one failure takes it down",
                        comp.name,
                        comp.slo.expect("victims have an slo")
                    )
                } else {
                    let also = if others.len() < victims.len() {
                        " (and of itself)"
                    } else {
                        ""
                    };
                    format!(
                        "`{}` is a single point of failure of {}{also}: {why}, and one failure of it takes {them} down",
                        comp.name,
                        list(&others)
                    )
                };
                let only_failover = kinds.iter().all(|k| matches!(k, EventKind::Failover(_)));
                let hint = if comp.external {
                    "it is a third party: add a second provider as a group `{ at_least: 1, of: [...] }`, or call it with `on_failure: degrade` and a fallback".to_string()
                } else if only_failover {
                    "shorten the failover, or accept it where it stands with `lint: { allow: [N004] }` on the component".to_string()
                } else if comp.maintenance_down().is_some() && comp.replicas > comp.min_available {
                    "make its maintenance `rolling: true`".to_string()
                } else {
                    "run a spare replica (`replicas` above `min_available`) spread over domains, or call it with `on_failure: degrade` and a fallback".to_string()
                };
                let mut finding = Finding::new(
                    SINGLE_POINT_OF_FAILURE,
                    comp.line,
                    &comp.name,
                    message,
                    hint,
                );
                finding.components = names;
                out.push(finding);
            }
            Owner::Domain(d) => {
                let domain = &f.system.domains[d];
                let mut finding = Finding::new(
                    SINGLE_POINT_OF_FAILURE,
                    domain.line,
                    &domain.name,
                    format!(
                        "domain `{}` ({} available) is a single point of failure of {}: its outage alone takes {them} down",
                        domain.name,
                        pct(domain.down),
                        list(&victims)
                    ),
                    format!(
                        "spread the replicas that live in `{}` over another domain as well, or accept its {} as a ceiling",
                        domain.name,
                        pct(domain.down)
                    ),
                );
                finding.components = names;
                out.push(finding);
            }
        }
    }
}

/// N005: a domain of the spread holds more replicas than the component can lose, so its outage
/// alone takes the component down (all replicas in one domain is the plainest case).
fn replicas_share_domain(f: &Facts, out: &mut Vec<Finding>) {
    for comp in &f.system.components {
        if comp.replicas < 2 {
            continue;
        }
        let can_lose = comp.replicas - comp.min_available;
        let mut held: BTreeMap<usize, u32> = BTreeMap::new();
        for d in comp.replica_domains.iter().flatten() {
            *held.entry(*d).or_default() += 1;
        }
        for (d, count) in held {
            if count <= can_lose {
                continue;
            }
            let domain = &f.system.domains[d].name;
            let message = if count == comp.replicas {
                format!(
                    "all {} replicas of `{}` are in domain `{domain}`: its outage takes them all down at once",
                    comp.replicas, comp.name
                )
            } else {
                format!(
                    "domain `{domain}` holds {count} of the {} replicas of `{}`, which needs {} up: its outage alone takes `{}` down",
                    comp.replicas, comp.name, comp.min_available, comp.name
                )
            };
            out.push(Finding::new(
                REPLICAS_SHARE_DOMAIN,
                comp.line,
                &comp.name,
                message,
                format!(
                    "spread the replicas over more domains, e.g. `spread: [{domain}, <another zone>]`, so that one outage leaves {} up",
                    comp.min_available
                ),
            ));
        }
    }
}

/// N006: several replicas without `spread` are assumed to fail independently, which real
/// replicas rarely do (they share hosts, racks, zones).
fn replicas_without_domain(f: &Facts, out: &mut Vec<Finding>) {
    for comp in &f.system.components {
        if comp.replicas < 2 || comp.replica_domains.iter().any(Option::is_some) {
            continue;
        }
        out.push(Finding::new(
            REPLICAS_WITHOUT_DOMAIN,
            comp.line,
            &comp.name,
            format!(
                "`{}` has {} replicas but no `spread`: they are assumed never to fail together, which flatters its availability",
                comp.name, comp.replicas
            ),
            "say where the replicas run, e.g. `spread: [zone-a, zone-b]` with the zones under `domains:`".into(),
        ));
    }
}

/// N007: a group `{ at_least: k, of: [...] }` survives n − k member failures; a component or
/// domain that takes down more members than that on its own defeats the redundancy.
fn group_shares_failure(f: &Facts, out: &mut Vec<Finding>) {
    for (c, comp) in f.system.components.iter().enumerate() {
        for (i, d) in comp.dependencies.iter().enumerate() {
            let DependencyTarget::Group { at_least, members } = &d.target else {
                continue;
            };
            let n = members.len();
            let fatal = n - *at_least as usize + 1;
            let mut hits: BTreeMap<Owner, Vec<ComponentId>> = BTreeMap::new();
            for &m in members {
                for &o in f.spof_of(m) {
                    hits.entry(o).or_default().push(m);
                }
            }
            for (o, taken) in hits {
                if taken.len() < fatal || o == Owner::Component(c) {
                    continue;
                }
                // A member taking itself down is what a group is for, not a shared failure.
                if let Owner::Component(x) = o
                    && taken == [x]
                {
                    continue;
                }
                let kind = match o {
                    Owner::Component(_) => "component",
                    Owner::Domain(_) => "domain",
                };
                let who = f.owner_name(o);
                out.push(Finding::new(
                    GROUP_SHARES_FAILURE,
                    f.entry_line(c, i),
                    &comp.name,
                    format!(
                        "{} of `{}` is not redundant against {kind} `{who}`: its failure alone takes down {} of the {n} members ({}), and the group needs {at_least}",
                        f.target_text(d),
                        comp.name,
                        taken.len(),
                        taken
                            .iter()
                            .map(|&m| format!("`{}`", f.name(m)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    match o {
                        Owner::Domain(_) => format!(
                            "place the members in different domains, so that `{who}` takes down at most {}",
                            n - *at_least as usize
                        ),
                        Owner::Component(_) => format!(
                            "give the members independent dependencies, or make `{who}` redundant itself"
                        ),
                    },
                ));
            }
        }
    }
}

/// N008: a fallback that is down whenever its target is (the target itself, or a component
/// that depends on it) never helps. For a group needing k members, the group is down only when
/// n − k + 1 members are; the fallback then fails with it when k or more members each take it
/// down (every set of n − k + 1 members contains one of them).
fn fallback_fails_with_target(f: &Facts, out: &mut Vec<Finding>) {
    for (c, comp) in f.system.components.iter().enumerate() {
        for (i, d) in comp.dependencies.iter().enumerate() {
            let Some(fb) = d.fallback else { continue };
            let (need, members): (usize, &[ComponentId]) = match &d.target {
                DependencyTarget::Component(t) => (1, std::slice::from_ref(t)),
                DependencyTarget::Group { at_least, members } => (*at_least as usize, members),
            };
            let fb_spof = f.spof_of(fb);
            let dragging: Vec<ComponentId> = members
                .iter()
                .copied()
                .filter(|&m| m == fb || fb_spof.binary_search(&Owner::Component(m)).is_ok())
                .collect();
            if dragging.len() < need {
                continue;
            }
            let what = f.target_text(d);
            let message = if members == [fb] {
                format!(
                    "`{}` names `{}` as the fallback of {what}: a fallback that is its own target is down exactly when it is needed",
                    comp.name,
                    f.name(fb)
                )
            } else {
                format!(
                    "the fallback `{}` of {what} in `{}` goes down whenever {} does: it is down exactly when it is needed",
                    f.name(fb),
                    comp.name,
                    dragging
                        .iter()
                        .map(|&m| format!("`{}`", f.name(m)))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            };
            out.push(Finding::new(
                FALLBACK_FAILS_WITH_TARGET,
                f.entry_line(c, i),
                &comp.name,
                message,
                "name a fallback that does not depend on the target (a queue, a cache, a second provider), or drop it".into(),
            ));
        }
    }
}
