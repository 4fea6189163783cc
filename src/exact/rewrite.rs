//! Rewrites that keep a circuit's function and expose more modules, so that more of it is
//! solved as small independent diagrams:
//!
//! - sharing: gates of the same kind over the same inputs are one gate;
//! - coalescing: an OR used by one OR only (AND by one AND) is merged into it;
//! - distributivity ([`super::distribute`]): the common inputs of an OR's ANDs (an AND's ORs)
//!   are factored out;
//! - decomposition ([`super::decompose`]): a node fixed by an AND or OR above it is a constant
//!   below it;
//! - grouping: the inputs of an OR, AND or XOR that share nothing with its other inputs nor with
//!   anything outside it become one new gate, a module (Dutuit and Rauzy's dating, applied to
//!   groups of inputs as SCRAM's preprocessor does).

use std::collections::{HashMap, HashSet};

use super::circuit::{Circuit, Lit, Node};
use super::decompose::decompose;
use super::distribute::distribute;
use super::shape::{cone, dates, tops, uses};

/// The circuit rewritten, with the outputs' literals in it. `numbered`: each OR's and AND's
/// inputs first sorted by node number, which the variable order then follows; otherwise they
/// stay as written.
pub(crate) fn simplify(circuit: &Circuit, outputs: &[Lit], numbered: bool) -> (Circuit, Vec<Lit>) {
    let (c, outs) = share(circuit, outputs);
    let mut c = coalesce(&c, &outs, numbered);
    // Later passes keep the order: the gates they make sit where the ones they replace were.
    for pass in [distribute, decompose] {
        let (d, outs) = pass(&c.0, &c.1);
        let (d, outs) = share(&d, &outs);
        c = coalesce(&d, &outs, false);
    }
    group(&c.0, &c.1)
}

/// One node for each function written twice: gates of the same kind over the same inputs are
/// one gate, and an OR or AND of one input is that input. Two copies of a sub-tree share all
/// their events, so neither could be a module; one can.
fn share(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let live = cone(circuit, outputs);
    let mut out = Circuit::new(circuit.events.clone());
    let mut map = vec![Lit::of(0); circuit.nodes.len()];
    let mut known: HashMap<Node, Lit> = HashMap::new();
    for (g, node) in circuit.nodes.iter().enumerate().filter(|&(g, _)| live[g]) {
        let mut xs: Vec<Lit> = node.inputs().iter().map(|&x| x.through(&map)).collect();
        let mut key = xs.clone();
        key.sort_unstable_by_key(|x| (x.node(), x.is_negated()));
        if matches!(node, Node::Or(_) | Node::And(_)) {
            key.dedup();
            if key.len() == 1 {
                map[g] = key[0];
                continue;
            }
            // x ∨ x = x, keeping the order as written.
            let mut seen = HashSet::new();
            xs.retain(|x| seen.insert(*x));
        }
        map[g] = *known
            .entry(with_inputs(node, key))
            .or_insert_with(|| out.push(with_inputs(node, xs)));
    }
    let outs = outputs.iter().map(|&x| x.through(&map)).collect();
    (out, outs)
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

/// Merges each OR (AND) that feeds one OR (AND) only, and nothing else, into it.
fn coalesce(circuit: &Circuit, outputs: &[Lit], numbered: bool) -> (Circuit, Vec<Lit>) {
    let n = circuit.nodes.len();
    let live = cone(circuit, outputs);
    let uses = uses(circuit, &live, outputs);
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
    let mut stack: Vec<Lit> = Vec::new();
    for g in (0..n).filter(|&g| live[g]) {
        // A merged node has one use: its user takes its inputs, in the order written. Each is
        // expanded once, by that user (handing lists up a chain of gates copied each list at
        // every level: quadratic in the chain's length).
        if merged[g] {
            continue;
        }
        let node = &circuit.nodes[g];
        let mut xs = Vec::with_capacity(node.inputs().len());
        stack.clear();
        stack.extend(node.inputs().iter().rev());
        while let Some(x) = stack.pop() {
            if merged[x.node()] {
                stack.extend(circuit.nodes[x.node()].inputs().iter().rev());
            } else {
                xs.push(x.through(&map));
            }
        }
        {
            if matches!(node, Node::Or(_) | Node::And(_)) {
                // x ∨ x = x: a repeated input only costs (at-least and xor count repeats).
                if numbered {
                    xs.sort_unstable_by_key(|x| (x.node(), x.is_negated()));
                    xs.dedup();
                } else {
                    let mut seen = HashSet::new();
                    xs.retain(|x| seen.insert(*x));
                }
            }
            map[g] = out.push(with_inputs(node, xs));
        }
    }
    let outs = outputs.iter().map(|&x| x.through(&map)).collect();
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
            let xs = xs.iter().map(|&x| x.through(&map)).collect();
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
                to.extend(run.iter().map(|&(_, _, x)| x.through(&map)));
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
            let xs = xs.iter().map(|&x| x.through(&map)).collect();
            map[g] = out.push(with_inputs(node, xs));
        }
    }
    let outs = outputs.iter().map(|&x| x.through(&map)).collect();
    (out, outs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::circuit::tests::{arbitrary, same_functions};
    use crate::model::units::Odds;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn every_rewrite_keeps_every_output((c, outs) in arbitrary()) {
            let rewrites = [
                ("share", share(&c, &outs)),
                ("coalesce", coalesce(&c, &outs, false)),
                ("coalesce numbered", coalesce(&c, &outs, true)),
                ("distribute", distribute(&c, &outs)),
                ("decompose", decompose(&c, &outs)),
                ("group", group(&c, &outs)),
                ("simplify", simplify(&c, &outs, false)),
                ("simplify numbered", simplify(&c, &outs, true)),
            ];
            for (name, (d, d_outs)) in rewrites {
                prop_assert!(same_functions(&c, &outs, &d, &d_outs), "{name}: {c:?} {outs:?}\n{d:?} {d_outs:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Sums of products (products of sums), the shapes distributivity takes apart, over five
        /// events and their negations, some terms used twice.
        #[test]
        fn factoring_keeps_sums_of_products(
            and in any::<bool>(),
            terms in prop::collection::vec(
                (prop::collection::vec((0usize..5, any::<bool>()), 1..4), any::<bool>()), 1..7),
        ) {
            let (mut c, e) = events(5);
            let mut xs = Vec::new();
            let mut shared = Vec::new();
            for (lits, twice) in terms {
                let ys: Vec<Lit> = lits.iter().map(|&(i, neg)| if neg { e[i].negate() } else { e[i] }).collect();
                let t = c.push(if and { Node::Or(ys) } else { Node::And(ys) });
                xs.push(t);
                if twice {
                    shared.push(t);
                }
            }
            let top = c.push(if and { Node::And(xs) } else { Node::Or(xs) });
            let mut outs = vec![top];
            outs.extend(shared);
            let (d, d_outs) = distribute(&c, &outs);
            prop_assert!(same_functions(&c, &outs, &d, &d_outs), "{c:?} {outs:?}\n{d:?} {d_outs:?}");
        }
    }

    #[test]
    fn an_or_of_ands_is_factored() {
        // (a ∧ b) ∨ (a ∧ c) ∨ (b ∧ c ∧ a) ∨ d = (a ∧ (b ∨ c)) ∨ d: the third term is absorbed.
        let (mut c, e) = events(4);
        let ab = c.push(Node::And(vec![e[0], e[1]]));
        let ac = c.push(Node::And(vec![e[0], e[2]]));
        let bca = c.push(Node::And(vec![e[1], e[2], e[0]]));
        let top = c.push(Node::Or(vec![ab, ac, bca, e[3]]));
        let (d, outs) = distribute(&c, &[top]);
        let Node::Or(xs) = &d.nodes[outs[0].node()] else {
            panic!("top stays an OR: {d:?}")
        };
        assert_eq!(xs.len(), 2);
        let Node::And(ys) = &d.nodes[xs[0].node()] else {
            panic!("a ∧ (b ∨ c) first, where a ∧ b was: {d:?}")
        };
        assert_eq!(ys[0], e[0]);
        assert_eq!(d.nodes[ys[1].node()], Node::Or(vec![e[1], e[2]]));
        assert_eq!(xs[1], e[3]);
    }

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
        let (c, outs) = coalesce(&c, &[top], false);
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
