//! The exact engine's decision diagrams on an Open-PSA fault tree directly, NOT, XOR, NAND and
//! NOR gates included — logic a nines model cannot express, so `nines import` refuses it — to
//! measure the engine on the non-coherent Aralia trees (cea9601, das9601, das9701):
//!
//!   cargo run --release --example fault_tree_bdd -- das9701.xml
//!
//! Prints the top gate's probability, the diagram's size and the time. The variable order is
//! the engine's: a depth-first walk from the top, each event at its first visit.

use std::path::PathBuf;
use std::time::Instant;

use nines::exact::bdd::{self, Edge, Manager, TooLarge, not};
use nines::import::open_psa::{self, EventKind, FaultTree, Input, Op};

fn main() {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        eprintln!("usage: fault_tree_bdd FILE.xml...");
        std::process::exit(2);
    }
    let start = Instant::now();
    let tree = match open_psa::read_files(&files, &open_psa::Options::default()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let read = start.elapsed();
    let result = nines::exact::with_deep_stack(|| top_probabilities(&tree));
    match result {
        Ok((probabilities, nodes)) => {
            for (name, p) in probabilities {
                println!(
                    "{name}: P = {p:e}  ({nodes} nodes, read {:.3}s, total {:.3}s)",
                    read.as_secs_f64(),
                    start.elapsed().as_secs_f64()
                );
            }
        }
        Err(TooLarge) => {
            eprintln!("the diagram grew past {} nodes", bdd::MAX_NODES);
            std::process::exit(1);
        }
    }
}

/// Every variable: an event, or a common-cause group's common failure.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Var {
    Event(usize),
    Common(usize),
}

fn top_probabilities(tree: &FaultTree) -> Result<(Vec<(String, f64)>, usize), TooLarge> {
    // Order: depth-first from each top, inputs in the order written; a gate after its inputs.
    let mut order: Vec<Var> = Vec::new();
    let mut event_level = vec![u32::MAX; tree.events.len()];
    let mut common_level = vec![u32::MAX; tree.ccf_groups.len()];
    let mut gate_order: Vec<usize> = Vec::new();
    let mut state = vec![0u8; tree.gates.len()];
    for &top in &tree.tops {
        let mut stack = vec![(top, 0usize)];
        state[top] = 1;
        while let Some(&mut (g, ref mut next)) = stack.last_mut() {
            let inputs = &tree.gates[g].inputs;
            if *next == inputs.len() {
                state[g] = 2;
                gate_order.push(g);
                stack.pop();
                continue;
            }
            let x = inputs[*next];
            *next += 1;
            match x {
                Input::Gate(h) if state[h] == 0 => {
                    state[h] = 1;
                    stack.push((h, 0));
                }
                Input::Gate(_) => {}
                Input::Event(e) => {
                    if let EventKind::CcfMember { group } = tree.events[e].kind
                        && common_level[group] == u32::MAX
                    {
                        common_level[group] = order.len() as u32;
                        order.push(Var::Common(group));
                    }
                    if event_level[e] == u32::MAX {
                        event_level[e] = order.len() as u32;
                        order.push(Var::Event(e));
                    }
                }
            }
        }
    }
    let mut m = Manager::new();
    let mut event_edge = vec![bdd::ZERO; tree.events.len()];
    for (e, ev) in tree.events.iter().enumerate() {
        if event_level[e] == u32::MAX {
            continue;
        }
        let own = if ev.odds.p == 0.0 {
            bdd::ZERO
        } else if ev.odds.q == 0.0 {
            bdd::ONE
        } else {
            m.variable(event_level[e])?
        };
        event_edge[e] = match ev.kind {
            EventKind::CcfMember { group } => {
                let common = m.variable(common_level[group])?;
                m.or(own, common)?
            }
            _ => own,
        };
    }
    let mut gate_edge = vec![bdd::ZERO; tree.gates.len()];
    for &g in &gate_order {
        let gate = &tree.gates[g];
        let mut ins: Vec<Edge> = gate
            .inputs
            .iter()
            .map(|x| match *x {
                Input::Gate(h) => gate_edge[h],
                Input::Event(e) => event_edge[e],
            })
            .collect();
        // Deepest first, as the engine folds.
        ins.sort_by_key(|&e| std::cmp::Reverse(m.var(e)));
        let or = |m: &mut Manager, xs: &[Edge]| xs.iter().try_fold(bdd::ZERO, |a, &x| m.or(a, x));
        let and = |m: &mut Manager, xs: &[Edge]| xs.iter().try_fold(bdd::ONE, |a, &x| m.and(a, x));
        gate_edge[g] = match gate.op {
            Op::Or => or(&mut m, &ins)?,
            Op::And => and(&mut m, &ins)?,
            Op::AtLeast(k) => m.at_least(k as usize, &ins)?,
            Op::Null => ins[0],
            Op::Not => not(ins[0]),
            Op::Nor => not(or(&mut m, &ins)?),
            Op::Nand => not(and(&mut m, &ins)?),
            Op::Xor => m.ite(ins[0], not(ins[1]), ins[1])?,
        };
    }
    let odds: Vec<(f64, f64)> = order
        .iter()
        .map(|v| match *v {
            Var::Event(e) => (tree.events[e].odds.p, tree.events[e].odds.q),
            Var::Common(c) => (tree.ccf_groups[c].odds.p, tree.ccf_groups[c].odds.q),
        })
        .collect();
    let pq = m.probabilities(&odds);
    let tops = tree
        .tops
        .iter()
        .map(|&t| {
            (
                tree.gates[t].name.clone(),
                bdd::edge_pq(&pq, gate_edge[t]).0,
            )
        })
        .collect();
    Ok((tops, m.len()))
}
