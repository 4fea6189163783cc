//! Rewrites that keep a circuit's function and expose more modules, so that more of it is
//! solved as small independent diagrams:
//!
//! - coalescing: an OR used by one OR only (AND by one AND) is merged into it;
//! - grouping: the inputs of an OR, AND or XOR that share nothing with its other inputs nor with
//!   anything outside it become one new gate, a module (Dutuit and Rauzy's dating, applied to
//!   groups of inputs as SCRAM's preprocessor does).

use super::circuit::{Circuit, Lit, Node};
use super::modular::{cone, dates, tops};

/// The circuit rewritten, with the outputs' literals in it.
pub fn simplify(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let (c, outs) = coalesce(circuit, outputs);
    group(&c, &outs)
}

fn same_op(a: &Node, b: &Node) -> bool {
    matches!(
        (a, b),
        (Node::Or(_), Node::Or(_)) | (Node::And(_), Node::And(_))
    )
}

fn with_inputs(node: &Node, xs: Vec<Lit>) -> Node {
    match node {
        Node::Or(_) => Node::Or(xs),
        Node::And(_) => Node::And(xs),
        Node::AtLeast(k, _) => Node::AtLeast(*k, xs),
        Node::Xor(_) => Node::Xor(xs),
        Node::False | Node::Event(_) => node.clone(),
    }
}

/// A new literal for `x`, given where each old node went.
fn moved(map: &[Lit], x: Lit) -> Lit {
    let to = map[x.node()];
    if x.is_negated() { to.negate() } else { to }
}

/// Merges each OR (AND) that feeds one OR (AND) only, and nothing else, into it.
fn coalesce(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let n = circuit.nodes.len();
    let live = cone(circuit, outputs);
    let mut uses = vec![0u32; n];
    for x in outputs {
        // An output keeps its own node.
        uses[x.node()] += 2;
    }
    for g in (0..n).filter(|&g| live[g]) {
        for x in circuit.nodes[g].inputs() {
            uses[x.node()] = uses[x.node()].saturating_add(1);
        }
    }
    let mut merged = vec![false; n];
    for g in (0..n).filter(|&g| live[g]) {
        for x in circuit.nodes[g].inputs() {
            if !x.is_negated()
                && uses[x.node()] == 1
                && same_op(&circuit.nodes[x.node()], &circuit.nodes[g])
            {
                merged[x.node()] = true;
            }
        }
    }
    let mut out = Circuit::new(circuit.events.clone());
    let mut map = vec![Lit::of(0); n];
    // The inputs a merged node hands to its one user.
    let mut handed: Vec<Vec<Lit>> = vec![Vec::new(); n];
    for g in (0..n).filter(|&g| live[g]) {
        let node = &circuit.nodes[g];
        let mut xs = Vec::with_capacity(node.inputs().len());
        for &x in node.inputs() {
            // A merged node has one use, and this is it.
            if merged[x.node()] {
                xs.append(&mut handed[x.node()]);
            } else {
                xs.push(moved(&map, x));
            }
        }
        if merged[g] {
            handed[g] = xs;
        } else {
            if matches!(node, Node::Or(_) | Node::And(_)) {
                // x ∨ x = x: a repeated input only costs (at-least and xor count repeats).
                xs.sort_unstable_by_key(|x| (x.node(), x.is_negated()));
                xs.dedup();
            }
            map[g] = out.push(with_inputs(node, xs));
        }
    }
    let outs = outputs.iter().map(|&x| moved(&map, x)).collect();
    (out, outs)
}

/// Gathers, in each OR, AND and XOR, the inputs that are independent of the other inputs and of
/// everything outside into one new gate.
fn group(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let n = circuit.nodes.len();
    let live = cone(circuit, outputs);
    let d = dates(circuit, &tops(circuit, &live));
    let mut out = Circuit::new(circuit.events.clone());
    let mut map = vec![Lit::of(0); n];
    let mut spans: Vec<(u64, u64, Lit)> = Vec::new();
    for g in (0..n).filter(|&g| live[g]) {
        let node = &circuit.nodes[g];
        let xs = node.inputs();
        let groupable = matches!(node, Node::Or(_) | Node::And(_) | Node::Xor(_));
        if !groupable || xs.len() < 3 {
            let xs = xs.iter().map(|&x| moved(&map, x)).collect();
            map[g] = out.push(with_inputs(node, xs));
            continue;
        }
        // Inputs whose spans overlap may share something: they go together. A run of
        // overlapping spans all within the gate's first walk is independent of the rest.
        spans.clear();
        spans.extend(xs.iter().map(|&x| {
            let (lo, hi) = d.span(x.node());
            (lo, hi, x)
        }));
        spans.sort_unstable_by_key(|s| s.0);
        let mut inside: Vec<Lit> = Vec::new();
        let mut rest: Vec<Lit> = Vec::new();
        let mut run_start = 0;
        let mut run_end = 0u64;
        for i in 0..=spans.len() {
            if i == spans.len() || (i > run_start && spans[i].0 > run_end) {
                let run = &spans[run_start..i];
                let local = run.iter().all(|&(_, _, x)| d.within(x.node(), g));
                let to = if local { &mut inside } else { &mut rest };
                to.extend(run.iter().map(|&(_, _, x)| moved(&map, x)));
                run_start = i;
                run_end = 0;
            }
            if i < spans.len() {
                run_end = run_end.max(spans[i].1);
            }
        }
        if inside.len() >= 2 && !rest.is_empty() {
            let module = out.push(with_inputs(node, inside));
            rest.push(module);
            map[g] = out.push(with_inputs(node, rest));
        } else {
            let xs = xs.iter().map(|&x| moved(&map, x)).collect();
            map[g] = out.push(with_inputs(node, xs));
        }
    }
    let outs = outputs.iter().map(|&x| moved(&map, x)).collect();
    (out, outs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Odds;

    fn events(n: usize) -> (Circuit, Vec<Lit>) {
        let mut c = Circuit::new(vec![Odds { p: 0.1, q: 0.9 }; n]);
        let lits = (0..n).map(|e| c.push(Node::Event(e))).collect();
        (c, lits)
    }

    #[test]
    fn an_or_under_an_or_is_merged() {
        let (mut c, e) = events(3);
        let inner = c.push(Node::Or(vec![e[0], e[1]]));
        let top = c.push(Node::Or(vec![inner, e[2]]));
        let (c, outs) = coalesce(&c, &[top]);
        assert_eq!(
            c.nodes[outs[0].node()],
            Node::Or(vec![Lit::of(0), Lit::of(1), Lit::of(2)])
        );
    }

    #[test]
    fn private_inputs_become_a_module_and_shared_ones_stay() {
        // top = a ∨ b ∨ (c ∧ d) ∨ g, g = c ∨ e, other = g ∧ ¬d: a and b are private; g is used
        // outside, and c ∧ d shares c with g.
        let (mut c, e) = events(5);
        let cd = c.push(Node::And(vec![e[2], e[3]]));
        let g = c.push(Node::Or(vec![e[2], e[4]]));
        let top = c.push(Node::Or(vec![e[0], e[1], cd, g]));
        let other = c.push(Node::And(vec![g, e[3].negate()]));
        let (grouped, outs) = group(&c, &[top, other]);
        assert_eq!(grouped.nodes.len(), c.nodes.len() + 1);
        let Node::Or(xs) = &grouped.nodes[outs[0].node()] else {
            panic!("top stays an OR")
        };
        assert_eq!(xs.len(), 3);
        assert_eq!(grouped.nodes[xs[2].node()], Node::Or(vec![e[0], e[1]]));
        // With `d` also used outside, only a and b are still private; b alone is no group.
        let other = c.push(Node::And(vec![g, e[1]]));
        let (grouped, outs) = group(&c, &[top, other]);
        assert!(matches!(&grouped.nodes[outs[0].node()], Node::Or(xs) if xs.len() == 4));
    }
}
