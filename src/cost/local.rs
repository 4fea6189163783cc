//! Local systems: the part of a model one question needs, with some components replaced by
//! stand-ins that keep its answer exact (a collapsed independent module) or bound it (the best
//! of several undecided variants), and their exact evaluation.
//!
//! Every design the tradeoff looks at is evaluated through here, so that a design costs one
//! decision diagram over the components that can matter, not a re-validation of the model.

use crate::exact::bdd::{self, Edge};
use crate::exact::{EngineError, StateOdds, compile};
use crate::model::units::Odds;
use crate::structure::Structure;
use crate::system::{
    Component, ComponentId, Dependency, DependencyTarget, Lifetime, OnFailure, System,
};

/// How one component of the model appears in a local system.
#[derive(Clone, Debug)]
pub enum Part<'a> {
    /// A resolved component (as written, or one of its variants). Its dependencies name
    /// components of the model; they are renumbered.
    Real(&'a Component),
    /// An independent module (the component and everything only it reaches) collapsed to the
    /// probabilities of its three states and P(HUNG), a part of DOWN. Exact: nothing else
    /// shares its basic events.
    Module(StateOdds, f64),
    /// One of these alternatives, not yet chosen: the best of them in every state of the basic
    /// events (DOWN only when all are DOWN, impaired only when all are). Every gate is monotone,
    /// so whatever is later chosen, everything above is at least as often down as this says.
    BestOf(Vec<&'a Component>),
}

/// A system holding some of a model's components, renumbered.
pub struct Local {
    /// The sub-system: the components present, renumbered, with their dependencies and domains.
    pub system: System,
    /// The local id standing for each component of the model, where present.
    pub id: Vec<Option<usize>>,
    /// For a component given as [`Part::BestOf`], the local ids of its alternatives, in order.
    pub alternatives: Vec<Vec<usize>>,
}

/// A component that is down with the given odds and has nothing else to it.
fn stand_in(name: String, down: Odds) -> Component {
    Component {
        name,
        replicas: 1,
        min_available: 1,
        replica_down: down,
        replica_failed: down,
        replica_domains: vec![None],
        failure: Lifetime::exponential(1.0),
        repair: Lifetime::exponential(1.0),
        maintenance: None,
        failover_s: 0.0,
        failover_on: crate::system::FailoverOn::Any,
        dependencies: Vec::new(),
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

/// Builds the local system of `parts` (model component id, how it appears). Every dependency
/// of a part must be a part too.
pub fn build(base: &System, parts: &[(ComponentId, Part<'_>)]) -> Local {
    let mut id = vec![None; base.components.len()];
    let mut alternatives_of = vec![Vec::new(); base.components.len()];
    let mut next = 0;
    for (c, _) in parts {
        id[*c] = Some(next);
        next += 1;
    }
    let renumber = |d: &Dependency| -> Dependency {
        let local = |c: ComponentId| id[c].expect("every dependency of a part is a part");
        Dependency {
            target: match &d.target {
                DependencyTarget::Component(c) => DependencyTarget::Component(local(*c)),
                DependencyTarget::Group { at_least, members } => DependencyTarget::Group {
                    at_least: *at_least,
                    members: members.iter().map(|&m| local(m)).collect(),
                },
            },
            on_failure: d.on_failure,
            fallback: d.fallback.map(local),
            timeout_s: d.timeout_s,
            tolerate_s: d.tolerate_s,
            breaker_s: d.breaker_s,
            queue: d.queue,
        }
    };
    let real = |c: &Component| -> Component {
        let mut out = c.clone();
        out.dependencies = c.dependencies.iter().map(renumber).collect();
        out
    };
    let mut components: Vec<Component> = Vec::with_capacity(next);
    // Helpers (degraded halves of modules, alternatives of a BestOf) go after the parts.
    let mut helpers: Vec<Component> = Vec::new();
    for (c, part) in parts {
        let name = base.components[*c].name.clone();
        match part {
            Part::Real(component) => components.push(real(component)),
            Part::Module(states, hung) => {
                let mut main = stand_in(name.clone(), states.down);
                // Its calls hang in this share of its outages: its callers without a timeout
                // hang with it, as with the module itself.
                if *hung > 0.0 && states.down.p > 0.0 {
                    main.hang = (hung / states.down.p).min(1.0);
                }
                // DEGRADED = not down, and then a helper down with P(DEGRADED | not DOWN).
                if states.degraded > 0.0 && states.down.q > 0.0 {
                    let helper_id = next + helpers.len();
                    helpers.push(stand_in(
                        format!("{name}~degraded"),
                        Odds {
                            p: states.degraded / states.down.q,
                            q: states.up / states.down.q,
                        },
                    ));
                    main.dependencies.push(Dependency {
                        target: DependencyTarget::Component(helper_id),
                        on_failure: OnFailure::Degrade,
                        fallback: None,
                        timeout_s: None,
                        tolerate_s: None,
                        breaker_s: None,
                        queue: None,
                    });
                }
                components.push(main);
            }
            Part::BestOf(alternatives) => {
                let first = next + helpers.len();
                alternatives_of[*c] = (first..first + alternatives.len()).collect();
                for (i, a) in alternatives.iter().enumerate() {
                    let mut copy = real(a);
                    copy.name = format!("{name}~{i}");
                    helpers.push(copy);
                }
                let mut chooser = stand_in(name, Odds::NEVER);
                // A hang split of its own (its capacity never fails, so it never hangs by
                // itself) gives it a HUNG gate apart from every other, which the shared
                // diagram of all designs replaces by the chosen variant's.
                chooser.hang = 1.0;
                // A group of one-of-n: DOWN when all are DOWN, UP when any is UP.
                chooser.dependencies.push(Dependency {
                    target: DependencyTarget::Group {
                        at_least: 1,
                        members: (first..first + alternatives.len()).collect(),
                    },
                    on_failure: OnFailure::Fail,
                    fallback: None,
                    timeout_s: None,
                    tolerate_s: None,
                    breaker_s: None,
                    queue: None,
                });
                components.push(chooser);
            }
        }
    }
    components.extend(helpers);
    Local {
        system: System {
            name: base.name.clone(),
            window_s: base.window_s,
            domains: base.domains.clone(),
            components,
            downtime_per_hour: base.downtime_per_hour,
            degraded_per_hour: base.degraded_per_hour,
            responders: base.responders.clone(),
        },
        id,
        alternatives: alternatives_of,
    }
}

/// Exact state probabilities of the `wanted` local components. Runs diagram recursion on the
/// calling thread: call it inside [`crate::exact::with_deep_stack`] (once per batch, not per
/// design: a thread per design would cost more than the diagram).
pub fn evaluate(system: &System, wanted: &[usize]) -> Result<Vec<StateOdds>, EngineError> {
    Ok(evaluate_hung(system, wanted)?
        .into_iter()
        .map(|(s, _)| s)
        .collect())
}

/// [`evaluate`], with each wanted component's P(HUNG).
pub fn evaluate_hung(
    system: &System,
    wanted: &[usize],
) -> Result<Vec<(StateOdds, f64)>, EngineError> {
    let structure = Structure::new(system);
    let mut compiled = compile(&structure)?;
    let degraded: Vec<Edge> = wanted
        .iter()
        .map(|&c| {
            let g = structure.components[c];
            compiled
                .manager
                .and(compiled.gate[g.impaired], bdd::not(compiled.gate[g.down]))
        })
        .collect::<Result<_, _>>()?;
    let pq = compiled
        .manager
        .probabilities(&compiled.level_odds(&structure));
    Ok(wanted
        .iter()
        .zip(degraded)
        .map(|(&c, d)| {
            let g = structure.components[c];
            let (p, q) = bdd::edge_pq(&pq, compiled.gate[g.down]);
            let states = StateOdds {
                down: Odds { p, q },
                degraded: bdd::edge_pq(&pq, d).0,
                up: bdd::edge_pq(&pq, compiled.gate[g.impaired]).1,
            };
            (states, bdd::edge_pq(&pq, compiled.gate[g.hung]).0)
        })
        .collect())
}

/// Runs `work` over `jobs` on up to `threads` threads with deep stacks; results in job order.
pub fn parallel<J: Sync, R: Send>(
    jobs: &[J],
    threads: usize,
    work: impl Fn(&J) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .stack_size(1 << 30)
                    .spawn_scoped(s, move || part.iter().map(work).collect::<Vec<R>>())
                    .expect("a thread can be started")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
