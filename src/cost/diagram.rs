//! Every design at once: one decision diagram over the basic events of every variant, with the
//! choice of variant as extra selector variables at the top.
//!
//! Each component with variants is lowered once per variant (its alternatives, the model's rules as
//! `Structure` does it), and its DOWN and impaired functions become multiplexers: `if the
//! selector bits say v then alternative v`. With the selectors above every event, fixing them
//! for a design leaves exactly that design's diagram, whose nodes' probabilities do not depend on
//! the design; so after one pass over the nodes, a design's state probabilities are a walk of a
//! few selector levels. Exact: the same functions and the same probability pass as
//! `exact::evaluate`, only shared between designs.

use crate::exact::bdd::{self, Edge, Manager, TooLarge, Var};
use crate::exact::{EngineError, StateOdds, variable_order, with_deep_stack};
use crate::model::units::Odds;
use crate::structure::{Gate, Structure};
use crate::system::ComponentId;

use super::designs::Catalog;
use super::local::{self, Part};

/// The roots' diagrams: DOWN, DEGRADED and impaired.
struct RootEdges {
    down: Edge,
    degraded: Edge,
    impaired: Edge,
}

/// Every design in one decision diagram, its probabilities computed once: a design's state
/// probabilities are then a walk of its selector bits.
pub struct DesignDiagram {
    manager: Manager,
    /// P and Q of every node below the selectors.
    table: Vec<(f64, f64)>,
    /// The selector levels of each axis, most significant bit first.
    bits: Vec<Vec<Var>>,
    selector_levels: usize,
    roots: Vec<RootEdges>,
}

/// Which of a component's gates a multiplexer stands for.
#[derive(Clone, Copy, Debug)]
enum Read {
    Down,
    Impaired,
    Hung,
}

/// Selector bits needed to tell `n` alternatives apart.
fn bits_for(n: usize) -> usize {
    (usize::BITS - (n.max(1) - 1).leading_zeros()) as usize
}

/// `fs[code]` where the code is read from `bits` (most significant first); codes past the end
/// stand for the last alternative, so that they add no new function to the diagram.
fn mux(m: &mut Manager, bits: &[Var], fs: &[Edge]) -> Result<Edge, TooLarge> {
    if fs.len() == 1 || bits.is_empty() {
        return Ok(fs[0]);
    }
    let half = 1usize << (bits.len() - 1);
    let low = mux(m, &bits[1..], &fs[..half.min(fs.len())])?;
    let high = if half < fs.len() {
        mux(m, &bits[1..], &fs[half..])?
    } else {
        fs[fs.len() - 1]
    };
    let selector = m.variable(bits[0])?;
    m.ite(selector, high, low)
}

/// Compiles every combination of `axes` (component, its variants) over the `members` (closed
/// under dependencies) for the `roots`. None when the diagram would pass `node_limit` nodes.
pub fn compile(
    catalog: &Catalog,
    members: &[ComponentId],
    axes: &[(ComponentId, Vec<usize>)],
    roots: &[ComponentId],
    node_limit: usize,
) -> Result<Option<DesignDiagram>, EngineError> {
    with_deep_stack(|| match build(catalog, members, axes, roots, node_limit) {
        Ok(d) => Ok(Some(d)),
        Err(TooLarge) => Ok(None),
    })
}

fn build(
    catalog: &Catalog,
    members: &[ComponentId],
    axes: &[(ComponentId, Vec<usize>)],
    roots: &[ComponentId],
    node_limit: usize,
) -> Result<DesignDiagram, TooLarge> {
    let mut options_of: Vec<Option<&Vec<usize>>> = vec![None; catalog.base.components.len()];
    for (c, options) in axes {
        options_of[*c] = Some(options);
    }
    let parts: Vec<(ComponentId, Part<'_>)> = members
        .iter()
        .map(|&c| {
            let part = match options_of[c] {
                Some(options) => {
                    Part::BestOf(options.iter().map(|&v| catalog.component(c, v)).collect())
                }
                None => Part::Real(catalog.component(c, 0)),
            };
            (c, part)
        })
        .collect();
    let local = local::build(&catalog.base, &parts);
    let structure = Structure::new(&local.system);

    // Selectors first, then the events in the engine's own order.
    let mut bits = Vec::with_capacity(axes.len());
    let mut next: Var = 0;
    for (_, options) in axes {
        let n = bits_for(options.len());
        bits.push((next..next + n as Var).collect::<Vec<Var>>());
        next += n as Var;
    }
    let selector_levels = next as usize;
    let order = variable_order(&structure);
    let mut level = vec![0 as Var; structure.events.len()];
    for (l, &e) in order.iter().enumerate() {
        level[e] = (selector_levels + l) as Var;
    }
    let mut odds: Vec<(f64, f64)> = vec![(0.5, 0.5); selector_levels];
    let event_odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
    let event_odds = structure.variable_odds(&event_odds);
    odds.extend(order.iter().map(|&e| (event_odds[e].p, event_odds[e].q)));
    let mut events = crate::exact::EventEdges::new(&structure, false);

    // The gates standing for a component with variants: replaced by multiplexers. Its HUNG
    // too, where callers read it: the stand-in's own is HUNG only when every variant is.
    let mut replaced: Vec<Option<(usize, Read)>> = vec![None; structure.gates.len()];
    for (k, (c, _)) in axes.iter().enumerate() {
        let chooser = structure.components[local.id[*c].expect("axes are members")];
        replaced[chooser.down] = Some((k, Read::Down));
        replaced[chooser.impaired] = Some((k, Read::Impaired));
        // With no variant that can hang it is `Never`; with one variant, that variant's own.
        let alternatives = &local.alternatives[*c];
        let newest = (alternatives.iter())
            .map(|&a| structure.components[a].hung)
            .max();
        if chooser.hung != crate::structure::NEVER && newest.is_some_and(|h| chooser.hung > h) {
            replaced[chooser.hung] = Some((k, Read::Hung));
        }
    }

    let mut m = Manager::new();
    m.limit = node_limit;
    let mut gate: Vec<Edge> = Vec::with_capacity(structure.gates.len());
    for (g, def) in structure.gates.iter().enumerate() {
        let edge = if let Some((k, read)) = replaced[g] {
            let (c, _) = &axes[k];
            let inputs: Vec<Edge> = local.alternatives[*c]
                .iter()
                .map(|&a| {
                    let gates = structure.components[a];
                    gate[match read {
                        Read::Down => gates.down,
                        Read::Impaired => gates.impaired,
                        Read::Hung => gates.hung,
                    }]
                })
                .collect();
            mux(&mut m, &bits[k], &inputs)?
        } else {
            match def {
                Gate::Event(e) => {
                    let p = structure.events[*e].odds;
                    // Events that cannot happen (the stand-ins' own) or always do are constants.
                    if p.p == 0.0 && structure.group_of[*e].is_none() {
                        bdd::ZERO
                    } else if p.q == 0.0 && structure.group_of[*e].is_none() {
                        bdd::ONE
                    } else {
                        events.edge(&mut m, &structure, *e, |x| level[x])?
                    }
                }
                // Its only failure is the diagram growing too large.
                _ => crate::exact::compile_gate(&mut m, def, &gate).map_err(|_| TooLarge)?,
            }
        };
        gate.push(edge);
    }
    let mut root_edges = Vec::with_capacity(roots.len());
    for r in roots {
        let g = structure.components[local.id[*r].expect("roots are members")];
        let (down, impaired) = (gate[g.down], gate[g.impaired]);
        root_edges.push(RootEdges {
            down,
            impaired,
            degraded: m.and(impaired, bdd::not(down))?,
        });
    }
    let table = m.probabilities(&odds);
    Ok(DesignDiagram {
        manager: m,
        table,
        bits,
        selector_levels,
        roots: root_edges,
    })
}

impl DesignDiagram {
    /// Nodes in the diagram.
    pub fn len(&self) -> usize {
        self.manager.len()
    }

    /// Whether the diagram holds only the terminal node.
    pub fn is_empty(&self) -> bool {
        self.manager.is_empty()
    }

    /// The roots' state probabilities for one design: `choice[k]` is the index of the chosen
    /// alternative among axis k's variants.
    pub fn states(&self, choice: &[usize]) -> Vec<StateOdds> {
        let mut selector = vec![false; self.selector_levels];
        for (bits, &v) in self.bits.iter().zip(choice) {
            for (i, &level) in bits.iter().enumerate() {
                selector[level as usize] = (v >> (bits.len() - 1 - i)) & 1 == 1;
            }
        }
        let walk = |mut e: Edge| -> (f64, f64) {
            while (self.manager.var(e) as usize) < self.selector_levels {
                let (low, high) = self.manager.branches(e);
                e = if selector[self.manager.var(e) as usize] {
                    high
                } else {
                    low
                };
            }
            bdd::edge_pq(&self.table, e)
        };
        self.roots
            .iter()
            .map(|r| {
                let (p, q) = walk(r.down);
                StateOdds {
                    down: Odds { p, q },
                    degraded: walk(r.degraded).0,
                    up: walk(r.impaired).1,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_bits() {
        assert_eq!(bits_for(1), 0);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(3), 2);
        assert_eq!(bits_for(4), 2);
        assert_eq!(bits_for(5), 3);
    }
}
