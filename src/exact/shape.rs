//! The shape of a circuit, read by every pass over it: what the outputs read (the cone), where
//! walks start (the tops), how often each node is used, and the dates of Dutuit and Rauzy's
//! walk, which tell the modules.
//!
//! The passes run in one order, and each imports only what comes before it: this file, then
//! the rewrites [`super::decompose`] and [`super::distribute`], then [`super::rewrite`], which
//! runs them, then [`super::modular`], which rewrites a circuit and solves it module by
//! module.

use super::circuit::{Circuit, Lit, NodeId};

/// The nodes the outputs depend on.
pub(crate) fn cone(circuit: &Circuit, outputs: &[Lit]) -> Vec<bool> {
    let mut live = vec![false; circuit.nodes.len()];
    for x in outputs {
        live[x.node()] = true;
    }
    for n in (0..circuit.nodes.len()).rev() {
        if live[n] {
            for x in circuit.nodes[n].inputs() {
                live[x.node()] = true;
            }
        }
    }
    live
}

/// Live nodes no live node uses: where the walks start.
pub(crate) fn tops(circuit: &Circuit, live: &[bool]) -> Vec<NodeId> {
    let mut used = vec![false; circuit.nodes.len()];
    for (n, node) in circuit.nodes.iter().enumerate() {
        if live[n] {
            for x in node.inputs() {
                used[x.node()] = true;
            }
        }
    }
    (0..circuit.nodes.len())
        .filter(|&n| live[n] && !used[n])
        .collect()
}

/// When the depth-first walk from the tops met each node: `first` visit, `exit` of the first walk
/// through it, `last` visit; and over everything below a node, the earliest first visit (`low`)
/// and the latest visit (`high`). Zero: never visited.
pub(crate) struct Dates {
    pub first: Vec<u64>,
    pub exit: Vec<u64>,
    pub last: Vec<u64>,
    pub low: Vec<u64>,
    pub high: Vec<u64>,
}

impl Dates {
    /// The dates of `node` and everything below it: [earliest, latest].
    pub(crate) fn span(&self, node: NodeId) -> (u64, u64) {
        (
            self.first[node].min(self.low[node]),
            self.last[node].max(self.high[node]),
        )
    }

    /// Whether everything below `node` is met only inside the first walk through `inside`.
    pub(crate) fn within(&self, node: NodeId, inside: NodeId) -> bool {
        let (lo, hi) = self.span(node);
        lo > self.first[inside] && hi < self.exit[inside]
    }
}

pub(crate) fn dates(circuit: &Circuit, tops: &[NodeId]) -> Dates {
    let n = circuit.nodes.len();
    let (mut first, mut exit, mut last) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    let mut clock = 0u64;
    for &root in tops {
        // (node, next input to walk)
        let mut stack: Vec<(NodeId, usize)> = Vec::new();
        clock += 1;
        if first[root] != 0 {
            last[root] = clock;
            continue;
        }
        first[root] = clock;
        last[root] = clock;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (g, next) = *top;
            let xs = circuit.nodes[g].inputs();
            if next == xs.len() {
                clock += 1;
                exit[g] = clock;
                last[g] = clock;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let x = xs[next].node();
            clock += 1;
            if first[x] == 0 {
                first[x] = clock;
                last[x] = clock;
                stack.push((x, 0));
            } else {
                last[x] = clock;
            }
        }
    }
    // Inputs come first, so one pass in index order sees them before the nodes they feed.
    let mut low = vec![u64::MAX; n];
    let mut high = vec![0u64; n];
    for g in 0..n {
        for x in circuit.nodes[g].inputs() {
            let x = x.node();
            low[g] = low[g].min(first[x]).min(low[x]);
            high[g] = high[g].max(last[x]).max(high[x]);
        }
    }
    Dates {
        first,
        exit,
        last,
        low,
        high,
    }
}

/// Which nodes are modules (with at least two inputs: a node of one input is that input): the
/// dating walk of Dutuit and Rauzy (1996) — a node is a module when every visit to everything
/// below it happens inside the first walk through it.
pub fn modules(circuit: &Circuit, tops: &[NodeId]) -> Vec<bool> {
    let d = dates(circuit, tops);
    (0..circuit.nodes.len())
        .map(|g| {
            circuit.nodes[g].inputs().len() >= 2
                && d.first[g] != 0
                && d.low[g] > d.first[g]
                && d.high[g] < d.exit[g]
        })
        .collect()
}

/// How often the live nodes and the outputs use each node, an output counting twice (it keeps
/// its own node).
pub(crate) fn uses(circuit: &Circuit, live: &[bool], outputs: &[Lit]) -> Vec<u32> {
    let mut uses = vec![0u32; circuit.nodes.len()];
    for x in outputs {
        uses[x.node()] += 2;
    }
    for (node, _) in circuit.nodes.iter().zip(live).filter(|(_, live)| **live) {
        for x in node.inputs() {
            uses[x.node()] = uses[x.node()].saturating_add(1);
        }
    }
    uses
}
