//! A fault tree as the exact engine's circuit, negation included: how `nines fault-tree` solves
//! the non-coherent trees (NOT, NAND, NOR, XOR) that no nines model can express.

use super::open_psa::{EventKind, FaultTree, Input, Op};
use crate::exact::circuit::{Circuit, Lit, Node};

impl FaultTree {
    /// The circuit of the tree and, per gate, the literal that is its output. Events are the
    /// tree's events followed by one common cause per common-cause group.
    pub fn lower(&self) -> (Circuit, Vec<Lit>) {
        let mut odds: Vec<_> = self.events.iter().map(|e| e.odds).collect();
        odds.extend(self.ccf_groups.iter().map(|c| c.odds));
        let mut circuit = Circuit::new(odds);
        let common: Vec<Lit> = (0..self.ccf_groups.len())
            .map(|g| circuit.push(Node::Event(self.events.len() + g)))
            .collect();
        let mut event_lit = Vec::with_capacity(self.events.len());
        for (e, event) in self.events.iter().enumerate() {
            let own = circuit.push(Node::Event(e));
            event_lit.push(match event.kind {
                // A member fails on its own or with its whole group.
                EventKind::CcfMember { group } => circuit.push(Node::Or(vec![own, common[group]])),
                EventKind::Basic | EventKind::House => own,
            });
        }
        // Gates after their inputs: a depth-first walk (the reader refused cycles).
        let mut gate_lit: Vec<Option<Lit>> = vec![None; self.gates.len()];
        for root in 0..self.gates.len() {
            let mut stack = vec![(root, false)];
            while let Some((g, inputs_done)) = stack.pop() {
                if gate_lit[g].is_some() {
                    continue;
                }
                if !inputs_done {
                    stack.push((g, true));
                    for x in &self.gates[g].inputs {
                        if let Input::Gate(h) = *x
                            && gate_lit[h].is_none()
                        {
                            stack.push((h, false));
                        }
                    }
                    continue;
                }
                let gate = &self.gates[g];
                let xs: Vec<Lit> = gate
                    .inputs
                    .iter()
                    .map(|x| match *x {
                        Input::Gate(h) => gate_lit[h].expect("inputs are lowered first"),
                        Input::Event(e) => event_lit[e],
                    })
                    .collect();
                gate_lit[g] = Some(match gate.op {
                    Op::Or => circuit.push(Node::Or(xs)),
                    Op::And => circuit.push(Node::And(xs)),
                    Op::AtLeast(k) => circuit.push(Node::AtLeast(k, xs)),
                    Op::Xor => circuit.push(Node::Xor(xs)),
                    Op::Null => xs[0],
                    Op::Not => xs[0].negate(),
                    Op::Nand => circuit.push(Node::And(xs)).negate(),
                    Op::Nor => circuit.push(Node::Or(xs)).negate(),
                });
            }
        }
        let gate_lit = gate_lit
            .into_iter()
            .map(|l| l.expect("every gate is lowered"))
            .collect();
        (circuit, gate_lit)
    }
}
