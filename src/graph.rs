//! The dependency graph: `depends_on` and `fallback` edges between components. It must be
//! acyclic; engines visit components in its topological order (dependencies first).

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::system::{ComponentId, System};

/// An edge from a component to what it calls, and where it was written.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// The calling component.
    pub from: ComponentId,
    /// The component called (or fallen back on).
    pub to: ComponentId,
    /// Index of the `depends_on` entry.
    pub entry: usize,
    /// Whether the edge is the entry's `fallback` rather than its target.
    pub via_fallback: bool,
}

/// Every `depends_on` and `fallback` edge, in the model's order.
pub fn edges(system: &System) -> Vec<Edge> {
    let mut out = Vec::new();
    for (from, c) in system.components.iter().enumerate() {
        for (entry, d) in c.dependencies.iter().enumerate() {
            out.extend(d.targets().iter().map(|&to| Edge {
                from,
                to,
                entry,
                via_fallback: false,
            }));
            out.extend(d.fallback.map(|to| Edge {
                from,
                to,
                entry,
                via_fallback: true,
            }));
        }
    }
    out
}

/// The dependency graph for petgraph: one node per component (its index), an edge from each
/// dependency to its dependent, each pair once.
pub fn digraph(system: &System) -> DiGraph<ComponentId, ()> {
    let mut g = DiGraph::with_capacity(system.components.len(), 0);
    for id in 0..system.components.len() {
        g.add_node(id);
    }
    let mut pairs: Vec<(ComponentId, ComponentId)> =
        edges(system).iter().map(|e| (e.to, e.from)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    // Dependencies point to dependents, so that a topological order lists dependencies first.
    for (to, from) in pairs {
        g.add_edge(NodeIndex::new(to), NodeIndex::new(from), ());
    }
    g
}

/// A cycle of components, each calling the next, the last calling the first.
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle(pub Vec<ComponentId>);

/// Components with every dependency before its dependents; or a cycle.
pub fn topological_order(system: &System) -> Result<Vec<ComponentId>, Cycle> {
    let g = digraph(system);
    match toposort(&g, None) {
        Ok(order) => Ok(order.into_iter().map(|n| g[n]).collect()),
        Err(_) => Err(find_cycle(system, &g)),
    }
}

fn find_cycle(system: &System, g: &DiGraph<ComponentId, ()>) -> Cycle {
    // A self-loop or a strongly connected component of two or more holds a cycle; walk it.
    for scc in tarjan_scc(g) {
        let members: std::collections::HashSet<ComponentId> = scc.iter().map(|n| g[*n]).collect();
        let start = *members.iter().min().expect("an scc is never empty");
        let calls_within = |c: ComponentId| -> Vec<ComponentId> {
            edges_from(system, c)
                .into_iter()
                .filter(|t| members.contains(t))
                .collect()
        };
        if members.len() == 1 && !calls_within(start).contains(&start) {
            continue;
        }
        // Breadth-first from start back to start inside the component gives a shortest cycle.
        let mut previous: std::collections::HashMap<ComponentId, ComponentId> = Default::default();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(c) = queue.pop_front() {
            for t in calls_within(c) {
                if t == start {
                    let mut path = vec![c];
                    let mut at = c;
                    while at != start {
                        at = previous[&at];
                        path.push(at);
                    }
                    path.reverse();
                    return Cycle(path);
                }
                if let std::collections::hash_map::Entry::Vacant(v) = previous.entry(t) {
                    v.insert(c);
                    queue.push_back(t);
                }
            }
        }
    }
    unreachable!("toposort found a cycle, so some strongly connected component holds one")
}

fn edges_from(system: &System, c: ComponentId) -> Vec<ComponentId> {
    system.components[c]
        .dependencies
        .iter()
        .flat_map(|d| d.targets().iter().copied().chain(d.fallback))
        .collect()
}
