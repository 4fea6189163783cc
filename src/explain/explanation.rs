//! `nines explain`: why a component goes DOWN — importance of every contributor, minimal cut
//! sets, single points of failure, and where one more nine helps most.
//!
//! For a contributor X (a component: all its replicas, maintenance and failover events; a domain:
//! its own event) and the target's unavailability U = P(target DOWN):
//! - Birnbaum: P(DOWN | X failed) − P(DOWN | X perfect);
//! - criticality: Birnbaum × P(X fails on its own) / U;
//! - Fussell–Vesely: (U − P(DOWN | X perfect)) / U, the share of U that X's perfection removes;
//! - RAW: P(DOWN | X failed) / U; RRW: U / P(DOWN | X perfect) (null when X is the only way down).

use serde::Serialize;

use super::whatif::{Propagation, State};
use super::{Kind, OwnEvents, cone, contributors, cutsets, importance};
use crate::exact::bdd::{self, Var};
use crate::exact::{self, EngineError};
use crate::model::units::{YEAR, finite};
use crate::structure::{EventKind, Owner, Structure};
use crate::system::{ComponentId, System};
use crate::uncertainty::variance::VarianceShares;

/// How much `explain` lists.
#[derive(Clone, Copy, Debug)]
pub struct ExplainOptions {
    /// Cut sets with more events than this are not computed.
    pub max_order: u32,
    /// How many cut sets are listed, most probable first.
    pub max_cut_sets: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            max_order: 4,
            max_cut_sets: 20,
        }
    }
}

/// How much one component or domain matters to the target's unavailability.
#[derive(Clone, Debug, Serialize)]
pub struct ImportanceRow {
    /// The component's or domain's name.
    pub name: String,
    /// Whether it is a component or a domain.
    pub kind: Kind,
    /// P(the contributor fails on its own): for a component, its own events taking it DOWN.
    pub unavailability: f64,
    /// Birnbaum importance: P(DOWN | it failed) − P(DOWN | it perfect), a difference of
    /// probabilities.
    pub birnbaum: f64,
    /// Criticality: Birnbaum × P(it fails on its own) / the target's unavailability.
    pub criticality: f64,
    /// Fussell–Vesely: the share of the target's unavailability that its perfection would remove,
    /// in [0, 1].
    pub fussell_vesely: f64,
    /// Risk achievement worth: P(DOWN | it failed) / the target's unavailability (null when not
    /// finite).
    pub raw: Option<f64>,
    /// Risk reduction worth: the target's unavailability / P(DOWN | it perfect) (null when it is
    /// the only way down).
    pub rrw: Option<f64>,
}

/// A minimal cut set: basic events that together take the target DOWN, none of them spare.
#[derive(Clone, Debug, Serialize)]
pub struct CutSet {
    /// The basic events' names.
    pub events: Vec<String>,
    /// How many events it has.
    pub order: usize,
    /// P(every event of the set happens), a probability.
    pub probability: f64,
    /// probability / unavailability: roughly the share of the downtime it causes.
    pub share: f64,
}

/// What making one component or domain ten times more reliable buys the target.
#[derive(Clone, Debug, Serialize)]
pub struct Investment {
    /// The component's or domain's name.
    pub name: String,
    /// Whether it is a component or a domain.
    pub kind: Kind,
    /// The target's unavailability if this contributor's events were ten times less likely.
    pub unavailability_after: f64,
    /// The target's unavailability now minus after, a probability.
    pub reduction: f64,
    /// The same as downtime saved a year, in seconds.
    pub reduction_per_year_s: f64,
    /// reduction / unavailability.
    pub share: f64,
}

/// Why a component goes DOWN: everything `nines explain` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The model's name.
    pub model: String,
    /// The component explained.
    pub component: String,
    /// Its availability, a probability.
    pub availability: f64,
    /// Its unavailability, a probability.
    pub unavailability: f64,
    /// Its nines, −log10(unavailability); null when it never goes down.
    pub nines: Option<f64>,
    /// Its expected downtime a year, in seconds.
    pub downtime_per_year_s: f64,
    /// The largest cut sets computed, in events.
    pub max_order: u32,
    /// How many minimal cut sets of order ≤ max_order there are (saturating).
    pub cut_sets_total: u64,
    /// False when `cut_sets_total` is only an upper bound: counting the sets that respect
    /// rolling maintenance (one replica's turn at a time) would have cost too much.
    pub cut_sets_total_exact: bool,
    /// Every contributor, by Birnbaum importance, highest first.
    pub importance: Vec<ImportanceRow>,
    /// The most probable minimal cut sets, up to `max_cut_sets`.
    pub cut_sets: Vec<CutSet>,
    /// Components and domains whose failure alone takes the target DOWN.
    pub single_points_of_failure: Vec<String>,
    /// Contributors whose tenfold improvement saves anything, by what it saves, most first.
    pub where_to_invest: Vec<Investment>,
    /// Which uncertain value's doubt drives the spread of the unavailability (`variance_share`
    /// and `variance` in JSON), when the model gives values touching it with their doubt.
    #[serde(flatten)]
    pub doubt: Option<VarianceShares>,
    /// What recovery money buys (see [`super::recovery::options`]); filled by the caller, which
    /// holds the model, and left out of the JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery_options: Vec<super::recovery::RecoveryOption>,
}

/// Everything `nines explain` reports about one component being DOWN.
pub fn explain(
    system: &System,
    target: ComponentId,
    options: ExplainOptions,
) -> Result<Explanation, EngineError> {
    let structure = Structure::new(system);
    let root_gate = structure.components[target].down;
    // `target` names its probabilities further down.
    let target_id = target;
    let mut in_support = vec![false; structure.events.len()];
    for e in structure.support(root_gate) {
        in_support[e] = true;
    }
    let contributors: Vec<_> = contributors(system, &structure)
        .into_iter()
        .filter_map(|mut c| {
            c.events.retain(|&e| in_support[e]);
            (!c.events.is_empty()).then_some(c)
        })
        .collect();

    let computed = exact::with_deep_stack(|| -> Result<_, EngineError> {
        // Only the target's cone is compiled: the rest of the model cannot matter.
        let cone = cone(&structure, root_gate);
        let mut compiled = exact::compile(&cone)?;
        let own_events = OwnEvents::new(system, &structure);
        let own_edges = contributors
            .iter()
            .map(|c| match c.owner {
                Owner::Component(x) => own_events
                    .down(&mut compiled, &structure, system, x, false)
                    .map(Some),
                Owner::Domain(_) => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let odds = compiled.level_odds(&structure);
        let pq = compiled.manager.probabilities(&odds);
        let root = compiled.gate[root_gate];
        let target = bdd::edge_pq(&pq, root);
        let own: Vec<f64> = contributors
            .iter()
            .zip(&own_edges)
            .map(|(c, edge)| match edge {
                Some(e) => bdd::edge_pq(&pq, *e).0,
                None => structure.events[c.events[0]].odds.p,
            })
            .collect();
        let groups: Vec<Vec<Var>> = contributors
            .iter()
            .map(|c| c.events.iter().map(|&e| compiled.level[e]).collect())
            .collect();
        let conditionals = importance::conditionals(&compiled.manager, root, &odds, &groups);
        // Cut sets need a monotone function of independent events: with rolling maintenance,
        // its turns are taken as independent events at their own odds, and a set holding two
        // turns of one component (which cannot happen together) is dropped.
        let grouped =
            (0..structure.events.len()).any(|e| in_support[e] && structure.group_of[e].is_some());
        let monotone = if grouped {
            Some(exact::compile_monotone(&cone)?)
        } else {
            None
        };
        let (cut_diagram, cut_root) = match &monotone {
            Some(m) => (m, m.gate[root_gate]),
            None => (&compiled, root),
        };
        let p: Vec<f64> = (cut_diagram.event_at.iter())
            .map(|&e| structure.events[e].odds.p)
            .collect();
        let group: Vec<Option<u32>> = (cut_diagram.event_at.iter())
            .map(|&e| structure.group_of[e].map(|(g, _)| g))
            .collect();
        let cuts = cutsets::minimal_cut_sets(
            &cut_diagram.manager,
            cut_root,
            options.max_order,
            &p,
            options.max_cut_sets,
            &group,
        )?;
        let event_of = |v: Var| compiled.event_at[v as usize];
        let name_at = |v: Var| structure.events[event_of(v)].name.clone();
        let cut_sets: Vec<(Vec<String>, f64)> = cuts
            .listed
            .iter()
            .map(|(vars, prob)| (vars.iter().map(|&v| name_at(v)).collect(), *prob))
            .collect();
        let total = (cuts.total, cuts.total_exact);
        // Most probable first, as the cut sets are.
        let mut singletons: Vec<(f64, String)> = (cuts.singletons.iter())
            .filter(|&&v| {
                !matches!(
                    structure.events[event_of(v)].kind,
                    crate::structure::EventKind::Breaker { .. }
                )
            })
            .map(|&v| (p[v as usize], name_at(v)))
            .collect();
        // A failure whose calls hang is one failure too: a cut set of one event and its own
        // component's hang split is a single point of failure. Each such pair is tried in one
        // pass up the gates, not looked for among the cut sets listed, which a limit cuts.
        let mut propagation = Propagation::new(&structure);
        for (h, split) in structure.events.iter().enumerate() {
            if !matches!(split.kind, EventKind::Hang(_)) || !in_support[h] || split.odds.p == 0.0 {
                continue;
            }
            for (e, event) in structure.events.iter().enumerate() {
                if event.owner() != split.owner()
                    || matches!(event.kind, EventKind::Hang(_) | EventKind::Breaker { .. })
                    || event.odds.p == 0.0
                    || singletons.iter().any(|(_, n)| *n == event.name)
                {
                    continue;
                }
                propagation.run(&[e, h]);
                if propagation.state(target_id) >= State::Down {
                    singletons.push((event.odds.p * split.odds.p, event.name.clone()));
                }
            }
        }
        singletons.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        let singletons: Vec<String> = singletons.into_iter().map(|(_, n)| n).collect();
        Ok((target, own, conditionals, cut_sets, total, singletons))
    })?;
    let (target_pq, own, conditionals, cut_sets, total, singletons) = computed;
    let (u, a) = target_pq;

    let mut importance: Vec<ImportanceRow> = Vec::new();
    let mut where_to_invest: Vec<Investment> = Vec::new();
    if u > 0.0 {
        for ((c, cond), own) in contributors.iter().zip(&conditionals).zip(&own) {
            importance.push(ImportanceRow {
                name: c.name.clone(),
                kind: c.kind(),
                unavailability: *own,
                birnbaum: cond.birnbaum,
                criticality: cond.birnbaum * own / u,
                fussell_vesely: cond.perfect_gain / u,
                raw: finite(cond.failed.p / u),
                rrw: finite(u / cond.perfect.p),
            });
            if cond.improved_gain > 0.0 {
                where_to_invest.push(Investment {
                    name: c.name.clone(),
                    kind: c.kind(),
                    unavailability_after: cond.improved.p,
                    reduction: cond.improved_gain,
                    reduction_per_year_s: cond.improved_gain * YEAR,
                    share: cond.improved_gain / u,
                });
            }
        }
    }
    importance.sort_by(|x, y| {
        y.birnbaum
            .total_cmp(&x.birnbaum)
            .then_with(|| x.name.cmp(&y.name))
    });
    where_to_invest.sort_by(|x, y| {
        y.reduction
            .total_cmp(&x.reduction)
            .then_with(|| x.name.cmp(&y.name))
    });
    let mut cut_sets: Vec<CutSet> = cut_sets
        .into_iter()
        .map(|(events, probability)| CutSet {
            order: events.len(),
            events,
            probability,
            share: if u > 0.0 { probability / u } else { 0.0 },
        })
        .collect();
    // Best first; among equals, smaller sets, then by name, so the listing is stable.
    cut_sets.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then_with(|| x.order.cmp(&y.order))
            .then_with(|| x.events.cmp(&y.events))
    });
    Ok(Explanation {
        model: system.name.clone(),
        component: system.components[target].name.clone(),
        availability: a,
        unavailability: u,
        // + 0.0 turns the −0 of an always-down component into 0.
        nines: finite(-u.log10()),
        downtime_per_year_s: u * YEAR,
        max_order: options.max_order,
        cut_sets_total: total.0.min(u64::MAX as u128) as u64,
        cut_sets_total_exact: total.1,
        importance,
        cut_sets,
        single_points_of_failure: singletons,
        where_to_invest,
        doubt: None,
        recovery_options: Vec::new(),
    })
}
