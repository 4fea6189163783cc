//! A Boolean circuit over independent events, negation included: what the modular engine
//! solves. A model's structure lowers to one (monotone gates, plus each component's DEGRADED =
//! impaired and not down); so does a fault tree with NOT, NAND, NOR or XOR gates, which no model
//! can express.

use crate::model::units::Odds;

/// A node's index in [`Circuit::nodes`].
pub type NodeId = usize;

/// A node's output or its negation: the node's index shifted left by one, the low bit the
/// negation (as the decision diagrams' complement edges, which make negation free).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lit(u32);

impl Lit {
    /// The output of node `node`.
    pub fn of(node: NodeId) -> Lit {
        Lit((node as u32) << 1)
    }
    /// The negation of this literal.
    pub fn negate(self) -> Lit {
        Lit(self.0 ^ 1)
    }
    /// The node this literal reads.
    pub fn node(self) -> NodeId {
        (self.0 >> 1) as NodeId
    }
    /// Whether this literal is the node's negation.
    pub fn is_negated(self) -> bool {
        self.0 & 1 == 1
    }

    /// This literal in a rewritten circuit, given where each old node went.
    pub fn through(self, map: &[Lit]) -> Lit {
        let to = map[self.node()];
        if self.is_negated() { to.negate() } else { to }
    }
}

/// A gate of a circuit, its inputs literals of earlier nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// Never true (a negated `False` is always true).
    False,
    /// True when the event happens.
    Event(usize),
    /// True when any input is.
    Or(Vec<Lit>),
    /// True when every input is.
    And(Vec<Lit>),
    /// True when at least k inputs are.
    AtLeast(u32, Vec<Lit>),
    /// True when an odd number of inputs are.
    Xor(Vec<Lit>),
}

impl Node {
    /// The literals this node reads (none for `False` and events).
    pub fn inputs(&self) -> &[Lit] {
        match self {
            Node::Or(xs) | Node::And(xs) | Node::AtLeast(_, xs) | Node::Xor(xs) => xs,
            Node::False | Node::Event(_) => &[],
        }
    }
}

/// Nodes in topological order: every input has a smaller index than the node it feeds. Each
/// event has at most one node (the module search tells sub-circuits apart by their nodes).
#[derive(Clone, Debug, Default)]
pub struct Circuit {
    /// The probability of each event; events are independent.
    pub events: Vec<Odds>,
    /// The nodes, every input before the node it feeds.
    pub nodes: Vec<Node>,
}

impl Circuit {
    /// A circuit with no nodes over independent events of these probabilities.
    pub fn new(events: Vec<Odds>) -> Circuit {
        Circuit {
            events,
            nodes: Vec::new(),
        }
    }

    /// Appends a node; its inputs must already be in the circuit.
    pub fn push(&mut self, node: Node) -> Lit {
        debug_assert!(node.inputs().iter().all(|x| x.node() < self.nodes.len()));
        debug_assert!(!matches!(node, Node::Event(e) if e >= self.events.len()));
        self.nodes.push(node);
        Lit::of(self.nodes.len() - 1)
    }

    /// The value of every node for one assignment of the events: the circuit's meaning, which
    /// `enumerate::circuit_probabilities` sums for the tests and the fuzzers.
    pub fn values(&self, happens: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut value = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let v = |x: &Lit| value[x.node()] != x.is_negated();
            let out = match node {
                Node::False => false,
                Node::Event(e) => happens(*e),
                Node::Or(xs) => xs.iter().any(v),
                Node::And(xs) => xs.iter().all(v),
                Node::AtLeast(k, xs) => xs.iter().filter(|x| v(x)).count() >= *k as usize,
                Node::Xor(xs) => xs.iter().filter(|x| v(x)).count() % 2 == 1,
            };
            value.push(out);
        }
        value
    }
}

/// Random circuits and the check that two circuits compute the same functions, shared by the
/// unit tests of the passes that rewrite circuits.
#[cfg(test)]
pub mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A random circuit: events, then nodes over earlier nodes, negated inputs included.
    pub fn arbitrary() -> impl Strategy<Value = (Circuit, Vec<Lit>)> {
        let events =
            prop::collection::vec(prop::sample::select(vec![0.0, 0.1, 0.5, 0.7, 1.0]), 1..9);
        let nodes = prop::collection::vec(
            (
                0u8..5,
                1u32..4,
                prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..5),
            ),
            1..14,
        );
        (events, nodes, any::<prop::sample::Index>()).prop_map(|(ps, specs, out)| {
            let mut c = Circuit::new(ps.iter().map(|&p| Odds { p, q: 1.0 - p }).collect());
            for e in 0..ps.len() {
                c.push(Node::Event(e));
            }
            for (kind, k, ins) in specs {
                let n = c.nodes.len();
                let xs: Vec<Lit> = ins
                    .iter()
                    .map(|(i, neg)| {
                        let x = Lit::of(i.index(n));
                        if *neg { x.negate() } else { x }
                    })
                    .collect();
                c.push(match kind {
                    0 => Node::Or(xs),
                    1 => Node::And(xs),
                    2 => Node::AtLeast(k, xs),
                    3 => Node::Xor(xs),
                    _ => Node::False,
                });
            }
            let n = c.nodes.len();
            let outputs = vec![Lit::of(n - 1), Lit::of(out.index(n)).negate()];
            (c, outputs)
        })
    }

    /// Whether two circuits' outputs agree on every assignment of the events.
    pub fn same_functions(a: &Circuit, a_outs: &[Lit], b: &Circuit, b_outs: &[Lit]) -> bool {
        let n = a.events.len();
        (0u32..1 << n).all(|bits| {
            let (va, vb) = (
                a.values(|e| bits >> e & 1 == 1),
                b.values(|e| bits >> e & 1 == 1),
            );
            a_outs
                .iter()
                .zip(b_outs)
                .all(|(x, y)| (va[x.node()] != x.is_negated()) == (vb[y.node()] != y.is_negated()))
        })
    }
}
