//! Shannon's expansion for a module whose diagram grows too large: P(f) = p·P(f | x) +
//! q·P(f | ¬x) for an event x that many gates share. Fixing x folds constants through the
//! circuit, and what x tied together often falls apart into modules again, each solved on its
//! own; a module the two halves have in common is solved once (`keys` tell equal sub-circuits
//! apart, the component caching of model counters).

use super::circuit::{Circuit, Lit, Node};
use super::modular::cone;

/// The event the most live gates use directly: fixing it unties the most.
pub fn pivot(circuit: &Circuit, outputs: &[Lit]) -> Option<usize> {
    let live = cone(circuit, outputs);
    let mut uses = vec![0u32; circuit.nodes.len()];
    for (g, node) in circuit.nodes.iter().enumerate() {
        if live[g] {
            for x in node.inputs() {
                uses[x.node()] += 1;
            }
        }
    }
    (0..circuit.nodes.len())
        .filter(|&n| live[n] && matches!(circuit.nodes[n], Node::Event(_)))
        .max_by_key(|&n| (uses[n], std::cmp::Reverse(n)))
        .map(|n| match circuit.nodes[n] {
            Node::Event(e) => e,
            _ => unreachable!("filtered to events"),
        })
}

/// A node's value once the event is fixed: a constant, or a literal of the new circuit.
#[derive(Clone, Copy)]
enum Value {
    Const(bool),
    Is(Lit),
}

/// The circuit with `event` fixed to `happens`, constants folded away, and the outputs in it.
pub fn fix(circuit: &Circuit, event: usize, happens: bool, outputs: &[Lit]) -> (Circuit, Vec<Lit>) {
    let mut out = Circuit::new(circuit.events.clone());
    let mut value: Vec<Value> = Vec::with_capacity(circuit.nodes.len());
    let mut xs: Vec<Lit> = Vec::new();
    for node in &circuit.nodes {
        let v = match node {
            Node::False => Value::Const(false),
            Node::Event(e) if *e == event => Value::Const(happens),
            Node::Event(e) => Value::Is(out.push(Node::Event(*e))),
            gate => {
                xs.clear();
                let mut trues = 0usize;
                for &x in gate.inputs() {
                    match value[x.node()] {
                        Value::Const(b) => trues += (b != x.is_negated()) as usize,
                        Value::Is(l) => xs.push(if x.is_negated() { l.negate() } else { l }),
                    }
                }
                let falses = gate.inputs().len() - xs.len() - trues;
                fold(&mut out, gate, &xs, trues, falses)
            }
        };
        value.push(v);
    }
    let mut falsity = None;
    let outputs = outputs
        .iter()
        .map(|&x| {
            let v = match value[x.node()] {
                Value::Const(b) => {
                    let f = *falsity.get_or_insert_with(|| out.push(Node::False));
                    if b { f.negate() } else { f }
                }
                Value::Is(l) => l,
            };
            if x.is_negated() { v.negate() } else { v }
        })
        .collect();
    (out, outputs)
}

/// A gate whose inputs are `xs` plus `trues` true and `falses` false constants.
fn fold(out: &mut Circuit, gate: &Node, xs: &[Lit], trues: usize, falses: usize) -> Value {
    let k = match *gate {
        Node::Or(_) => 1,
        Node::And(_) => xs.len() + trues,
        Node::AtLeast(k, _) => k as usize,
        Node::Xor(_) => {
            let odd = trues % 2 == 1;
            return match xs {
                [] => Value::Const(odd),
                [x] => Value::Is(if odd { x.negate() } else { *x }),
                _ => {
                    let x = out.push(Node::Xor(xs.to_vec()));
                    Value::Is(if odd { x.negate() } else { x })
                }
            };
        }
        Node::False | Node::Event(_) => unreachable!("gates only"),
    };
    // At least k of xs and the constants: at least k − trues of xs.
    if matches!(gate, Node::And(_)) && falses > 0 {
        return Value::Const(false);
    }
    let Some(k) = k.checked_sub(trues).filter(|&k| k > 0) else {
        return Value::Const(true);
    };
    if k > xs.len() {
        return Value::Const(false);
    }
    Value::Is(match (k, xs) {
        (_, [x]) => *x,
        (1, _) => out.push(Node::Or(xs.to_vec())),
        (k, _) if k == xs.len() => out.push(Node::And(xs.to_vec())),
        (k, _) => out.push(Node::AtLeast(k as u32, xs.to_vec())),
    })
}

/// Mixes two keys into one (a 128-bit hash: equal keys stand for equal sub-circuits).
fn mix(a: u128, b: u128) -> u128 {
    const M: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835;
    let x = (a ^ b.rotate_left(61)).wrapping_mul(M);
    let x = x ^ (x >> 71);
    x.wrapping_mul(M) ^ (x >> 59)
}

/// The key of an original event of a solve.
pub fn event_key(e: usize) -> u128 {
    mix(e as u128, 0xE7E7)
}

/// Every node's key: its operator and its inputs' keys (as a set), down to the events' keys.
pub fn node_keys(circuit: &Circuit, event_keys: &[u128]) -> Vec<u128> {
    let mut key: Vec<u128> = Vec::with_capacity(circuit.nodes.len());
    let mut ins: Vec<u128> = Vec::new();
    for node in &circuit.nodes {
        let (tag, k) = match node {
            Node::False => (1, 0),
            Node::Event(e) => {
                key.push(event_keys[*e]);
                continue;
            }
            Node::Or(_) => (2, 0),
            Node::And(_) => (3, 0),
            Node::AtLeast(k, _) => (4, *k),
            Node::Xor(_) => (5, 0),
        };
        ins.clear();
        ins.extend(
            node.inputs()
                .iter()
                .map(|x| mix(key[x.node()], x.is_negated() as u128)),
        );
        ins.sort_unstable();
        let seed = mix(tag, k as u128 + ((ins.len() as u128) << 32));
        key.push(ins.iter().fold(seed, |h, &x| mix(h, x)));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Odds;

    #[test]
    fn fixing_an_event_folds_constants() {
        let mut c = Circuit::new(vec![Odds { p: 0.5, q: 0.5 }; 3]);
        let e: Vec<Lit> = (0..3).map(|e| c.push(Node::Event(e))).collect();
        let or = c.push(Node::Or(vec![e[0], e[1]]));
        let and = c.push(Node::And(vec![e[0].negate(), e[2]]));
        let two = c.push(Node::AtLeast(2, vec![e[0], e[1], e[2]]));
        let xor = c.push(Node::Xor(vec![e[0], e[1], e[2]]));
        let outs = [or, and, two, xor];
        let (f, o) = fix(&c, 0, true, &outs);
        let v = f.values(|e| e == 2);
        let at = |x: Lit| v[x.node()] != x.is_negated();
        // e0 true, e1 false, e2 true.
        assert!(at(o[0]) && !at(o[1]) && at(o[2]) && !at(o[3]));
        let (f, o) = fix(&c, 0, false, &outs);
        let v = f.values(|e| e == 1);
        let at = |x: Lit| v[x.node()] != x.is_negated();
        // e0 false, e1 true, e2 false.
        assert!(at(o[0]) && !at(o[1]) && !at(o[2]) && at(o[3]));
    }

    #[test]
    fn keys_ignore_input_order_and_see_negation() {
        let mut c = Circuit::new(vec![Odds { p: 0.5, q: 0.5 }; 2]);
        let a = c.push(Node::Event(0));
        let b = c.push(Node::Event(1));
        let ab = c.push(Node::Or(vec![a, b]));
        let ba = c.push(Node::Or(vec![b, a]));
        let a_not_b = c.push(Node::Or(vec![a, b.negate()]));
        let and = c.push(Node::And(vec![a, b]));
        let k = node_keys(&c, &[event_key(0), event_key(1)]);
        assert_eq!(k[ab.node()], k[ba.node()]);
        assert_ne!(k[ab.node()], k[a_not_b.node()]);
        assert_ne!(k[ab.node()], k[and.node()]);
    }
}
