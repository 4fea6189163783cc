//! The optimiser with responders whose cost is shared: a responder costs once per design that
//! calls on it, however many components do, which no per-component cost can say.
//!
//! Responders with a cost are few, so their subsets are enumerated. For each subset S, the
//! optimiser searches the designs whose components call only on responders of S (or on free
//! ones), with responders free, and S's cost is added to every design it returns. A design
//! calling on exactly the responders R is found at its true cost in the run for R; in the runs
//! for the larger subsets it is charged more, so it never wins there: the frontier, the sweet
//! spot and the cheapest design meeting every SLO of the union of the runs are the exact
//! answers over all designs.

use super::designs::Catalog;
use super::{Bound, Method, Outcome, Request, Tradeoff, TradeoffError, frontier, optimise};
use crate::system::{ComponentId, ResponderId};

/// The most responders with a cost whose subsets are enumerated (2⁵ = 32 searches).
pub const MAX_SHARED_RESPONDERS: usize = 5;

/// The responders with a cost that some component or variant calls on.
pub fn costed_responders(catalog: &Catalog) -> Vec<ResponderId> {
    let mut used = vec![false; catalog.base.responders.len()];
    for c in 0..catalog.base.components.len() {
        for v in 0..catalog.options(c) {
            if let Some(r) = catalog
                .component(c, v)
                .recovery
                .as_ref()
                .and_then(|r| r.responder)
            {
                used[r] = true;
            }
        }
    }
    (0..used.len())
        .filter(|&r| used[r] && catalog.base.responders[r].cost > 0.0)
        .collect()
}

/// The catalog of one subset: only the variants calling on its responders (or free ones), every
/// responder free; with, per axis, the original index of each variant kept. None when some
/// component cannot be built from the subset, or a responder of it is never called on.
fn restricted(
    catalog: &Catalog,
    costed: &[ResponderId],
    subset: &[ResponderId],
) -> Option<(Catalog, Vec<Vec<usize>>)> {
    let allowed = |c: ComponentId, v: usize| {
        catalog
            .component(c, v)
            .recovery
            .as_ref()
            .and_then(|r| r.responder)
            .is_none_or(|r| !costed.contains(&r) || subset.contains(&r))
    };
    let mut out = catalog.clone();
    for r in &mut out.base.responders {
        r.cost = 0.0;
    }
    let mut kept = Vec::with_capacity(catalog.axes.len());
    let mut called = vec![false; catalog.base.responders.len()];
    for c in 0..catalog.base.components.len() {
        let keep: Vec<usize> = (0..catalog.options(c)).filter(|&v| allowed(c, v)).collect();
        if keep.is_empty() {
            return None;
        }
        for &v in &keep {
            if let Some(r) = catalog
                .component(c, v)
                .recovery
                .as_ref()
                .and_then(|r| r.responder)
            {
                called[r] = true;
            }
        }
        if !catalog.variants[c].is_empty() {
            out.variants[c] = keep
                .iter()
                .map(|&v| catalog.variants[c][v].clone())
                .collect();
            out.variant_names[c] = keep
                .iter()
                .map(|&v| catalog.variant_names[c][v].clone())
                .collect();
            kept.push(keep);
        }
    }
    if subset.iter().any(|&r| !called[r]) {
        return None;
    }
    Some((out, kept))
}

/// The tradeoff by one optimiser run per subset of the responders with a cost.
pub fn optimise_by_responders(
    catalog: Catalog,
    target: ComponentId,
    request: &Request<'_>,
) -> Result<Tradeoff, TradeoffError> {
    let costed = costed_responders(&catalog);
    let mut outcomes: Vec<Outcome> = Vec::new();
    let (mut evaluations, mut reduced, mut modules, mut exact) = (0, 0.0, 0, true);
    let mut bounds: Vec<(Bound, f64)> = Vec::new();
    let mut searched = false;
    for mask in 0u32..(1 << costed.len()) {
        let subset: Vec<ResponderId> = (0..costed.len())
            .filter(|&i| mask >> i & 1 == 1)
            .map(|i| costed[i])
            .collect();
        let Some((sub, kept)) = restricted(&catalog, &costed, &subset) else {
            continue;
        };
        let charge: f64 = subset
            .iter()
            .map(|&r| catalog.base.responders[r].cost)
            .sum();
        let t = match optimise::optimise(sub, target, request) {
            Ok(t) => t,
            Err(TradeoffError::NoValidDesign) => continue,
            Err(e) => return Err(e),
        };
        searched = true;
        evaluations += t.evaluations;
        if let Method::Optimised {
            reduced_designs,
            modules: m,
            exact: e,
            bound,
        } = t.method
        {
            reduced += reduced_designs;
            modules = modules.max(m);
            exact &= e;
            if let Some(b) = bound {
                bounds.push((b, charge));
            }
        }
        let back = |o: &Outcome| Outcome {
            choice: o.choice.iter().zip(&kept).map(|(&v, k)| k[v]).collect(),
            cost: o.cost + charge,
            total_cost: o.total_cost + charge,
            ..o.clone()
        };
        outcomes.extend(t.frontier.iter().map(back));
        outcomes.push(back(&t.sweet_spot));
        outcomes.extend(t.cheapest_meeting_slos.as_ref().map(back));
    }
    if !searched {
        return Err(TradeoffError::NoValidDesign);
    }
    let sweet = frontier::sweet_spot(&outcomes).ok_or(TradeoffError::NoValidDesign)?;
    let has_slos = !catalog.slo_components().is_empty();
    let cheapest = if has_slos {
        frontier::cheapest_meeting_slos(&outcomes).map(|i| outcomes[i].clone())
    } else {
        None
    };
    let mut front: Vec<Outcome> = frontier::frontier(&outcomes)
        .into_iter()
        .map(|i| outcomes[i].clone())
        .collect();
    front.dedup_by(|a, b| a.choice == b.choice);
    // A stopped search bounds its own subset; over all of them, the loosest bound holds.
    let bound = (!bounds.is_empty()).then(|| {
        let least =
            |f: &dyn Fn(&(Bound, f64)) -> f64| bounds.iter().map(f).fold(f64::INFINITY, f64::min);
        let unavailability = least(&|(b, _)| b.unavailability_at_least)
            .min(front.last().map_or(f64::INFINITY, |f| f.down.p));
        Bound {
            frontier_unavailability_at_least: front
                .iter()
                .map(|f| f.down.p.min(unavailability))
                .collect(),
            unavailability_at_least: unavailability,
            total_cost_at_least: least(&|(b, charge)| b.total_cost_at_least + charge)
                .min(outcomes[sweet].total_cost),
            slo_cost_at_least: bounds
                .iter()
                .filter_map(|(b, charge)| b.slo_cost_at_least.map(|c| c + charge))
                .chain(cheapest.as_ref().map(|c| c.cost))
                .reduce(f64::min),
        }
    });
    Ok(Tradeoff {
        target,
        prices: super::Prices::of(&catalog.base),
        design_count: catalog.design_count(),
        designs: None,
        sweet_spot: outcomes[sweet].clone(),
        frontier: front,
        cheapest_meeting_slos: cheapest,
        has_slos,
        cyclic_designs: 0,
        evaluations,
        method: Method::Optimised {
            reduced_designs: reduced,
            modules,
            exact,
            bound,
        },
        catalog,
    })
}
