//! Distributivity: an OR of ANDs that share an input y is y ∧ (OR of the ANDs without y), and
//! dually an AND of ORs that share y is y ∨ (AND of the ORs without y). Wide gates whose inputs
//! all overlap (a top event written as every pair of failing trains) become nested gates over
//! fewer, smaller sub-functions, and their diagrams are built with far fewer steps.

use std::collections::{HashMap, HashSet};

use super::circuit::{Circuit, Lit, Node};
use super::shape::{cone, uses};

/// Terms a gate may have and still be factored: absorption compares them in pairs, and each
/// factoring step goes through them all.
const MAX_TERMS: usize = 1_000;

/// The circuit with the common inputs of each OR's ANDs (AND's ORs) factored out.
pub(crate) fn distribute(circuit: &Circuit, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let n = circuit.nodes.len();
    let live = cone(circuit, outputs);
    // Only a gate used once is taken apart: another user would keep it whole, and its events
    // would then be under both forms.
    let uses = uses(circuit, &live, outputs);
    let mut out = Circuit::new(circuit.events.clone());
    let mut map = vec![Lit::of(0); n];
    for g in (0..n).filter(|&g| live[g]) {
        let node = &circuit.nodes[g];
        let xs: Vec<Lit> = node.inputs().iter().map(|&x| x.through(&map)).collect();
        let once: Vec<bool> = node.inputs().iter().map(|x| uses[x.node()] == 1).collect();
        map[g] = match node {
            Node::Or(_) => factor(&mut out, xs, &once, false),
            Node::And(_) => factor(&mut out, xs, &once, true),
            Node::AtLeast(k, _) => out.push(Node::AtLeast(*k, xs)),
            Node::Xor(_) => out.push(Node::Xor(xs)),
            Node::False | Node::Event(_) => out.push(node.clone()),
        };
    }
    let outs = outputs.iter().map(|&x| x.through(&map)).collect();
    (out, outs)
}

/// An AND (`and`) or OR of `xs`; one input is that input.
fn gate(out: &mut Circuit, xs: Vec<Lit>, and: bool) -> Lit {
    match xs.len() {
        1 => xs[0],
        _ if and => out.push(Node::And(xs)),
        _ => out.push(Node::Or(xs)),
    }
}

/// An AND (`and`) or OR of `xs`, factored: the inputs of the dual kind used only here (`once`)
/// are its terms.
fn factor(out: &mut Circuit, xs: Vec<Lit>, once: &[bool], and: bool) -> Lit {
    // Each input as a term (the inputs of a dual gate) or as a literal; `None`: gone.
    let mut items: Vec<Option<Result<Vec<Lit>, Lit>>> = xs
        .into_iter()
        .zip(once)
        .map(|(x, &once)| {
            let term = match (&out.nodes[x.node()], and) {
                (Node::And(ys), false) | (Node::Or(ys), true) if once && !x.is_negated() => {
                    Some(ys.clone())
                }
                _ => None,
            };
            Some(term.ok_or(x))
        })
        .collect();
    let terms = items.iter().flatten().filter(|i| i.is_ok()).count();
    if terms <= MAX_TERMS {
        absorb(&mut items);
    }
    while terms <= MAX_TERMS
        && let Some(y) = most_shared(&items)
    {
        // y ∧ (OR of the rests), or y ∨ (AND of the rests), where the first member was, so
        // that the depth-first walk meets the inputs in much the same order.
        let mut rests = Vec::new();
        let mut at = None;
        for (i, item) in items.iter_mut().enumerate() {
            if let Some(Ok(t)) = item
                && t.contains(&y)
            {
                let rest: Vec<Lit> = t.iter().copied().filter(|&z| z != y).collect();
                // absorb() left no term that is y alone.
                rests.push(gate(out, rest, !and));
                at.get_or_insert(i);
                *item = None;
            }
        }
        let once = vec![true; rests.len()];
        let inner = factor(out, rests, &once, and);
        let at = at.expect("y is in two terms");
        items[at] = Some(Err(gate(out, vec![y, inner], !and)));
    }
    let xs = items
        .into_iter()
        .flatten()
        .map(|item| match item {
            Ok(ys) => gate(out, ys, !and),
            Err(x) => x,
        })
        .collect();
    gate(out, xs, and)
}

/// Absorption: x ∨ (x ∧ y) = x, and (x ∧ y) ∨ (x ∧ y ∧ z) = x ∧ y (dually for AND).
fn absorb(items: &mut [Option<Result<Vec<Lit>, Lit>>]) {
    let plain: HashSet<Lit> = items
        .iter()
        .flatten()
        .filter_map(|i| i.clone().err())
        .collect();
    let terms: Vec<(usize, Vec<Lit>)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Some(Ok(t)) => Some((i, t.clone())),
            _ => None,
        })
        .collect();
    for (i, t) in &terms {
        // A term equal to an earlier one goes, and so does one containing a smaller one.
        let absorbed = t.iter().any(|y| plain.contains(y))
            || terms.iter().any(|(j, u)| {
                (u.len() < t.len() || (u.len() == t.len() && j < i))
                    && u.iter().all(|y| t.contains(y))
            });
        if absorbed {
            items[*i] = None;
        }
    }
}

/// The input most terms share, if two do.
fn most_shared(items: &[Option<Result<Vec<Lit>, Lit>>]) -> Option<Lit> {
    let mut count: HashMap<Lit, usize> = HashMap::new();
    for t in items.iter().flatten().filter_map(|i| i.as_ref().ok()) {
        for &y in t {
            *count.entry(y).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|&(_, c)| c >= 2)
        .max_by_key(|&(y, c)| (c, std::cmp::Reverse((y.node(), y.is_negated()))))
        .map(|(y, _)| y)
}
