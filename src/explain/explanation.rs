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

use super::{Kind, OwnEvents, cone, contributors, cutsets, importance};
use crate::exact::bdd::{self, Var};
use crate::exact::{self, EngineError};
use crate::model::units::{YEAR, finite};
use crate::structure::{Owner, Structure};
use crate::system::{ComponentId, System};

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

#[derive(Clone, Debug, Serialize)]
pub struct ImportanceRow {
    pub name: String,
    pub kind: Kind,
    /// P(the contributor fails on its own): for a component, its own events taking it DOWN.
    pub unavailability: f64,
    pub birnbaum: f64,
    pub criticality: f64,
    pub fussell_vesely: f64,
    pub raw: Option<f64>,
    pub rrw: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CutSet {
    pub events: Vec<String>,
    pub order: usize,
    pub probability: f64,
    /// probability / unavailability: roughly the share of the downtime it causes.
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Investment {
    pub name: String,
    pub kind: Kind,
    /// The target's unavailability if this contributor's events were ten times less likely.
    pub unavailability_after: f64,
    pub reduction: f64,
    pub reduction_per_year_s: f64,
    /// reduction / unavailability.
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub model: String,
    pub component: String,
    pub availability: f64,
    pub unavailability: f64,
    pub nines: Option<f64>,
    pub downtime_per_year_s: f64,
    pub max_order: u32,
    /// How many minimal cut sets of order ≤ max_order there are (saturating).
    pub cut_sets_total: u64,
    /// False when `cut_sets_total` is only an upper bound: counting the sets that respect
    /// rolling maintenance (one replica's turn at a time) would have cost too much.
    pub cut_sets_total_exact: bool,
    pub importance: Vec<ImportanceRow>,
    pub cut_sets: Vec<CutSet>,
    pub single_points_of_failure: Vec<String>,
    pub where_to_invest: Vec<Investment>,
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
        // component's hang split is a single point of failure.
        for (vars, prob) in &cuts.listed {
            let kind = |v: &Var| structure.events[event_of(*v)].kind;
            let (hangs, rest): (Vec<&Var>, Vec<&Var>) = vars
                .iter()
                .partition(|v| matches!(kind(v), crate::structure::EventKind::Hang(_)));
            if let [one] = rest[..]
                && !hangs.is_empty()
                && hangs.iter().all(|h| kind(h).owner() == kind(one).owner())
                && !singletons.iter().any(|(_, n)| *n == name_at(*one))
            {
                singletons.push((*prob, name_at(*one)));
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
        recovery_options: Vec::new(),
    })
}
