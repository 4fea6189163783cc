//! Decomposition of common nodes, as SCRAM's preprocessor does it: where a node x is an input of
//! an AND gate D and is reached again below D, x ∧ f(x) = x ∧ f(1) — and x ∨ f(x) = x ∨ f(0)
//! for an OR — so below D the node can be fixed to a constant. A gate below D that only D
//! reaches is changed in place; one that something else also uses is copied first. Sub-trees
//! that lose x often become independent of the rest (modules).

use std::collections::VecDeque;

use super::circuit::{Circuit, Lit, Node, NodeId};
use super::shape::{cone, dates, modules, tops};

/// Gates one node's searches may look at: each search is linear in them, and each shared node
/// is looked at once, so models of tens of thousands of gates stay fast.
const MAX_VISITS: usize = 20_000;

/// How deep the searches may recurse (they go up and down the circuit's levels).
const MAX_DEPTH: usize = 500;

/// The circuit with each shared node fixed to a constant where an AND or OR above it decides it.
pub(crate) fn decompose(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let live = cone(circuit, outputs);
    let tops = tops(circuit, &live);
    let mut graph = Graph::new(circuit, outputs, &live, &tops);
    // Breadth first from the tops, then deepest first: fixing a deep node first adds no users
    // to the nodes below it. Events after gates: gates removed first may leave them unshared.
    let (mut gates, mut events) = (Vec::new(), Vec::new());
    let mut queued = vec![false; circuit.nodes.len()];
    for &t in &tops {
        queued[t] = true;
    }
    let mut queue: VecDeque<NodeId> = tops.iter().copied().collect();
    while let Some(g) = queue.pop_front() {
        for x in circuit.nodes[g].inputs() {
            let x = x.node();
            if std::mem::replace(&mut queued[x], true) {
                continue;
            }
            let shared = graph.users[x].len() > 1;
            if matches!(circuit.nodes[x], Node::Event(_)) {
                if shared {
                    events.push(x);
                }
            } else {
                queue.push_back(x);
                if shared {
                    gates.push(x);
                }
            }
        }
    }
    for &x in gates.iter().rev().chain(events.iter().rev()) {
        graph.decompose(x);
    }
    graph.fold(circuit.events.clone())
}

/// A circuit being edited: its nodes' users, and the copies made.
struct Graph {
    nodes: Vec<Node>,
    /// Each node's distinct users.
    users: Vec<Vec<NodeId>>,
    outputs: Vec<Lit>,
    /// An output's function is read as it is: never changed in place.
    output: Vec<bool>,
    /// Where the search upward stops: above a module nothing shares its nodes.
    module: Vec<bool>,
    /// The node standing for the constant false.
    never: NodeId,
    /// The copies made of each node, placed right after it so the circuit keeps its order.
    after: Vec<Vec<NodeId>>,
    /// The depth-first walk's first visit, end of first walk and last visit of each node: a
    /// node all of whose visits fall within D's first walk is reached only through D.
    first: Vec<u64>,
    exit: Vec<u64>,
    last: Vec<u64>,
    /// `above[g] == node`: g is above a user of the node being decomposed.
    above: Vec<u32>,
    node: u32,
    /// `seen[g] == walk`: g was walked down from the current destination.
    seen: Vec<u32>,
    /// `inside[g] == (walk, answer)`: whether only the current destination reaches g.
    inside: Vec<(u32, bool)>,
    walk: u32,
    visits: usize,
}

impl Graph {
    fn new(circuit: &Circuit, outputs: &[Lit], live: &[bool], tops: &[NodeId]) -> Graph {
        let n = circuit.nodes.len();
        let d = dates(circuit, tops);
        let mut users = vec![Vec::new(); n + 1];
        for (g, node) in circuit.nodes.iter().enumerate().filter(|&(g, _)| live[g]) {
            for x in node.inputs() {
                if users[x.node()].last() != Some(&g) {
                    users[x.node()].push(g);
                }
            }
        }
        let mut output = vec![false; n + 1];
        for x in outputs {
            output[x.node()] = true;
        }
        let mut module = modules(circuit, tops);
        module.push(false);
        let mut nodes = circuit.nodes.clone();
        nodes.push(Node::False);
        let with_never = |mut v: Vec<u64>| {
            v.push(0);
            v
        };
        Graph {
            nodes,
            users,
            outputs: outputs.to_vec(),
            output,
            module,
            never: n,
            after: vec![Vec::new(); n + 1],
            first: with_never(d.first),
            exit: with_never(d.exit),
            last: with_never(d.last),
            above: vec![0; n + 1],
            node: 0,
            seen: vec![0; n + 1],
            inside: vec![(0, false); n + 1],
            walk: 0,
            visits: 0,
        }
    }

    fn decompose(&mut self, x: NodeId) {
        if self.users[x].len() < 2 {
            return;
        }
        // Mark everything above x's users, up to modules and outputs: a user that gets marked
        // reaches x again below itself, through another user — it is a destination.
        self.node += 1;
        self.visits = 0;
        let mut stack: Vec<NodeId> = Vec::new();
        for i in 0..self.users[x].len() {
            let p = self.users[x][i];
            if !self.module[p] && !self.output[p] {
                stack.push(p);
            }
        }
        while let Some(g) = stack.pop() {
            for i in 0..self.users[g].len() {
                let a = self.users[g][i];
                if std::mem::replace(&mut self.above[a], self.node) != self.node {
                    self.visits += 1;
                    if !self.module[a] && !self.output[a] {
                        stack.push(a);
                    }
                }
            }
            if self.visits > MAX_VISITS {
                return;
            }
        }
        let destinations: Vec<NodeId> = self.users[x]
            .iter()
            .copied()
            .filter(|&d| self.above[d] == self.node)
            .collect();
        for d in destinations {
            // Earlier destinations may have fixed x in this one.
            if !self.uses(d, x) {
                continue;
            }
            let x_in = |y: Lit| self.nodes[d].inputs().contains(&y);
            let (pos, neg) = (x_in(Lit::of(x)), x_in(Lit::of(x).negate()));
            let value = match self.nodes[d] {
                // x ∧ f(x) = x ∧ f(1); ¬x ∧ f(x) = ¬x ∧ f(0); dually for OR.
                Node::And(_) if pos != neg => pos,
                Node::Or(_) if pos != neg => neg,
                _ => continue,
            };
            self.walk += 1;
            self.visits = 0;
            self.descend(d, d, x, value, 0);
        }
    }

    /// Fixes x to `value` in the users of x below `a` that only `root` reaches, and in copies
    /// of the others.
    fn descend(&mut self, a: NodeId, root: NodeId, x: NodeId, value: bool, depth: usize) {
        if std::mem::replace(&mut self.seen[a], self.walk) == self.walk {
            return;
        }
        self.visits += 1;
        if self.visits > MAX_VISITS || depth > MAX_DEPTH {
            return;
        }
        for i in 0..self.nodes[a].inputs().len() {
            let mut g = self.nodes[a].inputs()[i].node();
            if self.nodes[g].inputs().is_empty() {
                continue;
            }
            if self.uses(g, x) {
                if !self.within(g, root, depth) {
                    g = self.copy(g, a);
                }
                self.fix(g, x, value);
            }
            if self.above[g] == self.node && self.within(g, root, depth) {
                self.descend(g, root, x, value, depth + 1);
            }
        }
    }

    /// Whether x is one of g's inputs (g's inputs are fewer than x's users).
    fn uses(&self, g: NodeId, x: NodeId) -> bool {
        self.nodes[g].inputs().iter().any(|y| y.node() == x)
    }

    /// Whether every path from a top to g goes through root (false when unsure).
    fn within(&mut self, g: NodeId, root: NodeId, depth: usize) -> bool {
        if g == root {
            return true;
        }
        if self.inside[g].0 == self.walk {
            return self.inside[g].1;
        }
        let answer = !self.output[g]
            && depth < MAX_DEPTH
            && self.first[g] > self.first[root]
            && self.last[g] < self.exit[root]
            && (0..self.users[g].len()).all(|i| {
                let u = self.users[g][i];
                self.within(u, root, depth + 1)
            });
        self.inside[g] = (self.walk, answer);
        answer
    }

    /// A copy of g for its user `a` alone, which only the current destination reaches.
    fn copy(&mut self, g: NodeId, a: NodeId) -> NodeId {
        let c = self.nodes.len();
        let node = self.nodes[g].clone();
        for y in node.inputs() {
            if self.users[y.node()].last() != Some(&c) {
                self.users[y.node()].push(c);
            }
        }
        self.nodes.push(node);
        self.users.push(vec![a]);
        self.users[g].retain(|&u| u != a);
        replace_input(&mut self.nodes[a], g, c);
        self.after[g].push(c);
        self.after.push(Vec::new());
        self.output.push(false);
        self.module.push(false);
        self.first.push(self.first[g]);
        self.exit.push(self.exit[g]);
        self.last.push(self.last[g]);
        self.above.push(self.above[g]);
        self.seen.push(0);
        self.inside.push((self.walk, true));
        c
    }

    /// Replaces x by the constant `value` in g's inputs.
    fn fix(&mut self, g: NodeId, x: NodeId, value: bool) {
        let never = Lit::of(self.never);
        if let Node::Or(xs) | Node::And(xs) | Node::AtLeast(_, xs) | Node::Xor(xs) =
            &mut self.nodes[g]
        {
            for y in xs.iter_mut().filter(|y| y.node() == x) {
                *y = if value != y.is_negated() {
                    never.negate()
                } else {
                    never
                };
            }
        }
        self.users[x].retain(|&u| u != g);
    }

    /// The graph as a circuit again, in its order, constants folded away.
    fn fold(self, events: Vec<crate::model::units::Odds>) -> (Circuit, Vec<Lit>) {
        let n = self.nodes.len();
        let mut order = Vec::with_capacity(n);
        for g in 0..self.never {
            let mut pending = vec![g];
            while let Some(g) = pending.pop() {
                order.push(g);
                pending.extend(self.after[g].iter().rev());
            }
        }
        let mut out = Circuit::new(events);
        let never = out.push(Node::False);
        let mut map = vec![never; n];
        let live = cone_of(&self.nodes, &self.outputs);
        for g in order.into_iter().filter(|&g| live[g]) {
            map[g] = match &self.nodes[g] {
                Node::False => never,
                Node::Event(e) => out.push(Node::Event(*e)),
                node => {
                    let xs = node.inputs().iter().map(|&y| y.through(&map));
                    fold_gate(&mut out, never, node, xs)
                }
            };
        }
        let outputs = self.outputs.iter().map(|&o| o.through(&map)).collect();
        (out, outputs)
    }
}

/// The nodes the outputs depend on, in a graph whose copies break the index order.
fn cone_of(nodes: &[Node], outputs: &[Lit]) -> Vec<bool> {
    let mut live = vec![false; nodes.len()];
    let mut stack: Vec<NodeId> = outputs.iter().map(|o| o.node()).collect();
    while let Some(g) = stack.pop() {
        if !std::mem::replace(&mut live[g], true) {
            stack.extend(nodes[g].inputs().iter().map(|y| y.node()));
        }
    }
    live
}

fn replace_input(node: &mut Node, from: NodeId, to: NodeId) {
    if let Node::Or(xs) | Node::And(xs) | Node::AtLeast(_, xs) | Node::Xor(xs) = node {
        for y in xs.iter_mut().filter(|y| y.node() == from) {
            *y = if y.is_negated() {
                Lit::of(to).negate()
            } else {
                Lit::of(to)
            };
        }
    }
}

/// A gate over folded inputs, with constant inputs folded in.
fn fold_gate(out: &mut Circuit, never: Lit, node: &Node, xs: impl Iterator<Item = Lit>) -> Lit {
    let always = never.negate();
    let (mut trues, mut falses, mut rest) = (0usize, 0usize, Vec::new());
    for y in xs {
        if y == always {
            trues += 1;
        } else if y == never {
            falses += 1;
        } else {
            rest.push(y);
        }
    }
    let mut any = |rest: Vec<Lit>, empty: Lit, make: fn(Vec<Lit>) -> Node| match rest.len() {
        0 => empty,
        1 => rest[0],
        _ => out.push(make(rest)),
    };
    match node {
        Node::Or(_) if trues > 0 => always,
        Node::Or(_) => any(rest, never, Node::Or),
        Node::And(_) if falses > 0 => never,
        Node::And(_) => any(rest, always, Node::And),
        Node::AtLeast(k, _) => {
            let k = (*k as usize).saturating_sub(trues);
            if k == 0 {
                always
            } else if k > rest.len() {
                never
            } else if k == 1 {
                any(rest, never, Node::Or)
            } else if k == rest.len() {
                any(rest, always, Node::And)
            } else {
                out.push(Node::AtLeast(k as u32, rest))
            }
        }
        Node::Xor(_) => {
            let x = any(rest, never, Node::Xor);
            if trues % 2 == 1 { x.negate() } else { x }
        }
        Node::False | Node::Event(_) => unreachable!("gates only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Odds;

    #[test]
    fn a_node_under_an_and_that_also_has_it_is_fixed_to_true() {
        // top = x ∧ (y ∨ (x ∧ z)) = x ∧ (y ∨ z): below top, x is true.
        let mut c = Circuit::new(vec![Odds { p: 0.1, q: 0.9 }; 3]);
        let (x, y, z) = (
            c.push(Node::Event(0)),
            c.push(Node::Event(1)),
            c.push(Node::Event(2)),
        );
        let xz = c.push(Node::And(vec![x, z]));
        let inner = c.push(Node::Or(vec![y, xz]));
        let top = c.push(Node::And(vec![x, inner]));
        let (d, outs) = decompose(&c, &[top]);
        let Node::And(xs) = &d.nodes[outs[0].node()] else {
            panic!("top stays an AND: {d:?}")
        };
        let inner = xs
            .iter()
            .find(|l| !matches!(d.nodes[l.node()], Node::Event(_)));
        let inner = &d.nodes[inner.expect("an inner gate").node()];
        assert!(
            matches!(inner, Node::Or(ys) if ys.len() == 2
                && ys.iter().all(|l| matches!(d.nodes[l.node()], Node::Event(1 | 2)))),
            "{d:?}"
        );
    }

    #[test]
    fn a_gate_used_elsewhere_is_copied_not_changed() {
        // top = x ∨ g, g = x ∧ y, other = g: g is read by `other`, so top gets a copy.
        let mut c = Circuit::new(vec![Odds { p: 0.1, q: 0.9 }; 2]);
        let (x, y) = (c.push(Node::Event(0)), c.push(Node::Event(1)));
        let g = c.push(Node::And(vec![x, y]));
        let or = c.push(Node::Or(vec![x, g]));
        let top = c.push(Node::And(vec![or, y]));
        let (d, outs) = decompose(&c, &[top, g]);
        // g keeps both events; top no longer depends on g (x ∨ (x ∧ y) = x).
        assert_eq!(d.nodes[outs[1].node()].inputs().len(), 2);
        for e in [false, true] {
            for f in [false, true] {
                let before = c.values(|i| [e, f][i]);
                let after = d.values(|i| [e, f][i]);
                for (o, p) in [top, g].iter().zip(&outs) {
                    assert_eq!(before[o.node()], after[p.node()] != p.is_negated());
                }
            }
        }
    }
}
