//! Probabilities by modules: a gate whose basic events are reached only through it (a module,
//! an independent sub-system) is compiled once on its own, and every gate above it sees it as a
//! single variable whose probability is the module's. The diagrams above stay small, and the
//! result is exact: a module's events appear nowhere else, so it is independent of everything
//! beside it.
//!
//! Modules are found by the linear-time dating walk of Dutuit and Rauzy (1996): a gate is a module
//! when every visit to every gate below it happens between the first entry into the gate and the
//! end of that first walk through it. The engine works on a [`Circuit`] (negations allowed),
//! rewritten first (the `rewrite` pass) so that more of it falls into modules; a model's
//! structure becomes one through [`circuit_of`].

use super::bdd::{self, Edge, Manager, Var, edge_pq, not};
use super::circuit::{Circuit, Lit, Node, NodeId};
pub use super::shape::modules;
use super::shape::{cone, tops, uses};
use super::{EngineError, StateOdds};
use crate::model::units::Odds;
use crate::structure::{Gate, GateId, Structure};

/// What a level of the variable order stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The basic event at this index.
    Event(usize),
    /// The module rooted at this node, as one variable.
    Module(NodeId),
}

/// The variable order: a depth-first walk from the tops, each event at its first visit and each
/// module as one variable where the walk enters it (its own events follow, deeper, for its own
/// diagram). A gate's sub-gates are walked first, as written, then its events, the most used
/// first (as SCRAM orders them). `first` events (a model's domains, shared by everything) come
/// before all.
pub fn slot_order(
    circuit: &Circuit,
    live: &[bool],
    tops: &[NodeId],
    module: &[bool],
    first: &[usize],
) -> Vec<Slot> {
    let tops_read: Vec<Lit> = tops.iter().map(|&t| Lit::of(t)).collect();
    let users = uses(circuit, live, &tops_read);
    let mut order = Vec::with_capacity(circuit.events.len());
    let mut placed = vec![false; circuit.events.len()];
    for &e in first {
        if !std::mem::replace(&mut placed[e], true) {
            order.push(Slot::Event(e));
        }
    }
    let mut inputs = Vec::new();
    let mut visited = vec![false; circuit.nodes.len()];
    for &root in tops {
        let mut stack = vec![root];
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut visited[g], true) {
                continue;
            }
            match &circuit.nodes[g] {
                Node::False => {}
                Node::Event(e) => {
                    if !std::mem::replace(&mut placed[*e], true) {
                        order.push(Slot::Event(*e));
                    }
                }
                node => {
                    if module[g] {
                        order.push(Slot::Module(g));
                    }
                    inputs.clear();
                    inputs.extend(
                        node.inputs()
                            .iter()
                            .map(|x| x.node())
                            .filter(|&x| !visited[x]),
                    );
                    inputs.sort_by_key(|&x| {
                        let event = matches!(circuit.nodes[x], Node::Event(_));
                        (event, event.then(|| std::cmp::Reverse(users[x])))
                    });
                    // Reversed so the first input is walked first.
                    stack.extend(inputs.iter().rev());
                }
            }
        }
    }
    order
}

/// How many nodes the diagram may hold before the first collection of garbage (50 MiB).
/// Collections are not free (one pass over the nodes and the computed table), so the next one
/// waits until the diagram has doubled.
const COLLECT_AT: usize = 1 << 22;

/// Operations the first, quick attempt may take: a few milliseconds.
const QUICK_STEPS: u64 = 50_000;

/// P and 1 − P of each output, module by module. `first` events go at the top of the order.
pub fn probabilities(
    circuit: &Circuit,
    outputs: &[Lit],
    first: &[usize],
) -> Result<Vec<Odds>, EngineError> {
    // The variable order follows the gates' inputs, and neither of two input orders suits every
    // tree: by node number (children before parents) or as written. On the Aralia trees written
    // is far better on the large ones (edf9204: 1.8 million operations against 6.9), numbered on
    // some small ones (edf9202: 13 thousand against 318). Numbered is tried first, for a few
    // milliseconds at most.
    solve(circuit, outputs, first, true, QUICK_STEPS, COLLECT_AT)
        .or_else(|_| solve(circuit, outputs, first, false, bdd::MAX_STEPS, COLLECT_AT))
}

fn solve(
    circuit: &Circuit,
    outputs: &[Lit],
    first: &[usize],
    numbered: bool,
    max_steps: u64,
    collect_at: usize,
) -> Result<Vec<Odds>, EngineError> {
    let (rewritten, outputs) = super::rewrite::simplify(circuit, outputs, numbered);
    let (circuit, outputs) = (&rewritten, &outputs[..]);
    let live = cone(circuit, outputs);
    let tops = tops(circuit, &live);
    let module = modules(circuit, &tops);
    let order = slot_order(circuit, &live, &tops, &module, first);
    let mut event_level = vec![Var::MAX; circuit.events.len()];
    let mut module_level = vec![Var::MAX; circuit.nodes.len()];
    for (l, s) in order.iter().enumerate() {
        match *s {
            Slot::Event(e) => event_level[e] = l as Var,
            Slot::Module(g) => module_level[g] = l as Var,
        }
    }
    let mut m = Manager::new();
    m.max_steps = max_steps;
    // `own[g]`: g's own function; `seen[g]`: what the nodes above g use (its module variable).
    let mut own: Vec<Edge> = vec![bdd::ZERO; circuit.nodes.len()];
    let mut seen: Vec<Edge> = vec![bdd::ZERO; circuit.nodes.len()];
    let mut ins: Vec<Edge> = Vec::new();
    // Users still to build of each node: its diagram is garbage once they are built, unless
    // the probability pass reads it (an output's, a module's).
    let mut pending = vec![0u32; circuit.nodes.len()];
    let mut kept = module.clone();
    for x in outputs {
        kept[x.node()] = true;
    }
    for (g, node) in circuit.nodes.iter().enumerate() {
        if live[g] {
            for x in node.inputs() {
                pending[x.node()] += 1;
            }
        }
    }
    let mut next_collection = collect_at;
    for (g, node) in circuit.nodes.iter().enumerate() {
        if !live[g] {
            continue;
        }
        if m.len() >= next_collection {
            m.compact(&mut [&mut own, &mut seen]);
            next_collection = (2 * m.len()).max(collect_at);
        }
        let edge = match node {
            Node::False => bdd::ZERO,
            Node::Event(e) => {
                let odds = circuit.events[*e];
                // Certain events are constants: same probabilities, smaller diagrams.
                if odds.p == 0.0 {
                    bdd::ZERO
                } else if odds.q == 0.0 {
                    bdd::ONE
                } else {
                    m.variable(event_level[*e])?
                }
            }
            Node::Or(xs) | Node::And(xs) | Node::AtLeast(_, xs) | Node::Xor(xs) => {
                ins.clear();
                ins.extend(xs.iter().map(|x| seen[x.node()] ^ x.is_negated() as Edge));
                // Deepest first: each step then mostly adds nodes above what is built.
                ins.sort_by_key(|&e| std::cmp::Reverse(m.var(e)));
                match node {
                    Node::Or(_) => ins.iter().try_fold(bdd::ZERO, |acc, &x| m.or(acc, x))?,
                    Node::And(_) => ins.iter().try_fold(bdd::ONE, |acc, &x| m.and(acc, x))?,
                    Node::AtLeast(k, _) => m.at_least(*k as usize, &ins)?,
                    _ => ins
                        .iter()
                        .try_fold(bdd::ZERO, |acc, &x| m.ite(x, not(acc), acc))?,
                }
            }
        };
        own[g] = edge;
        for x in node.inputs() {
            let x = x.node();
            pending[x] -= 1;
            if pending[x] == 0 && !kept[x] {
                own[x] = bdd::ZERO;
                seen[x] = bdd::ZERO;
            }
        }
        // A module that is more than a constant or one variable is one variable above.
        let trivial = bdd::index(edge) == 0 || {
            let (lo, hi) = m.branches(edge);
            bdd::index(lo) == 0 && bdd::index(hi) == 0
        };
        seen[g] = if module[g] && !trivial && module_level[g] != Var::MAX {
            m.variable(module_level[g])?
        } else {
            edge
        };
    }
    // One pass over the nodes, children first. A module's variable is made after its diagram is
    // complete, so its probability is known by the time a node tests it.
    let mut level_odds: Vec<Option<(f64, f64)>> = order
        .iter()
        .map(|s| match *s {
            Slot::Event(e) => Some((circuit.events[e].p, circuit.events[e].q)),
            Slot::Module(_) => None,
        })
        .collect();
    let nodes = m.nodes();
    let mut pq: Vec<(f64, f64)> = Vec::with_capacity(nodes.len());
    pq.push((1.0, 0.0));
    for n in &nodes[1..] {
        let v = n.var as usize;
        let (p, q) = match level_odds[v] {
            Some(odds) => odds,
            None => {
                let Slot::Module(g) = order[v] else {
                    unreachable!("only module levels start unknown")
                };
                let odds = edge_pq(&pq, own[g]);
                level_odds[v] = Some(odds);
                odds
            }
        };
        let lo = edge_pq(&pq, n.low);
        let hi = edge_pq(&pq, n.high);
        pq.push((q * lo.0 + p * hi.0, q * lo.1 + p * hi.1));
    }
    Ok(outputs
        .iter()
        .map(|x| {
            let (p, q) = edge_pq(&pq, own[x.node()] ^ x.is_negated() as Edge);
            Odds { p, q }
        })
        .collect())
}

/// A structure as a circuit, and the literal of each gate. A member of an exclusive group is
/// its event and no earlier member's: the events carry [`Structure::variable_odds`].
pub fn circuit_of(structure: &Structure) -> (Circuit, Vec<Lit>) {
    let odds: Vec<Odds> = structure.events.iter().map(|e| e.odds).collect();
    let mut circuit = Circuit::new(structure.variable_odds(&odds));
    let mut lit: Vec<Lit> = Vec::with_capacity(structure.gates.len());
    // Per group: the Or of the members met so far (the lowering makes them in group order).
    let mut earlier: Vec<(u32, Option<Lit>)> = vec![(0, None); structure.exclusive.len()];
    for g in &structure.gates {
        let lits = |xs: &[GateId]| xs.iter().map(|&x| lit[x]).collect();
        let l = match g {
            Gate::Never => circuit.push(Node::False),
            Gate::Event(e) => {
                let own = circuit.push(Node::Event(*e));
                match structure.group_of[*e] {
                    None => own,
                    Some((group, i)) => {
                        let (next, before) = earlier[group as usize];
                        assert_eq!(next, i, "members are lowered in their group's order");
                        let (edge, seen) = match before {
                            None => (own, own),
                            Some(b) => (
                                circuit.push(Node::And(vec![own, b.negate()])),
                                circuit.push(Node::Or(vec![b, own])),
                            ),
                        };
                        earlier[group as usize] = (i + 1, Some(seen));
                        edge
                    }
                }
            }
            Gate::Or(xs) => circuit.push(Node::Or(lits(xs))),
            Gate::And(xs) => circuit.push(Node::And(lits(xs))),
            Gate::AtLeast(k, xs) => circuit.push(Node::AtLeast(*k, lits(xs))),
        };
        lit.push(l);
    }
    (circuit, lit)
}

/// Every component's state probabilities, module by module.
pub fn evaluate(structure: &Structure) -> Result<Vec<StateOdds>, EngineError> {
    let (mut circuit, lit) = circuit_of(structure);
    let mut outputs = Vec::with_capacity(3 * structure.components.len());
    for c in &structure.components {
        let (down, impaired) = (lit[c.down], lit[c.impaired]);
        // Never DEGRADED when the two coincide: `down` only holds the place.
        let degraded = if c.down == c.impaired {
            down
        } else {
            circuit.push(Node::And(vec![impaired, down.negate()]))
        };
        outputs.extend([down, degraded, impaired]);
    }
    let domains: Vec<usize> = structure.domains.iter().map(|&(e, _)| e).collect();
    let odds = probabilities(&circuit, &outputs, &domains)?;
    Ok(structure
        .components
        .iter()
        .zip(odds.chunks_exact(3))
        .map(|(c, o)| StateOdds {
            down: o[0],
            degraded: if c.down == c.impaired { 0.0 } else { o[1].p },
            up: o[2].q,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::circuit::tests::arbitrary;
    use crate::model::{Format, Model};
    use proptest::prelude::*;

    /// Every state's probability by enumerating all assignments of the basic events.
    fn brute_force(s: &Structure) -> Vec<(f64, f64, f64)> {
        let n = s.events.len();
        assert!(n <= 16, "brute force is for small models");
        let mut out = vec![(0.0, 0.0, 0.0); s.components.len()];
        let mut value = vec![false; s.gates.len()];
        for bits in 0u32..(1 << n) {
            let mut weight = 1.0;
            for (e, ev) in s.events.iter().enumerate() {
                weight *= if bits >> e & 1 == 1 {
                    ev.odds.p
                } else {
                    ev.odds.q
                };
            }
            for (g, def) in s.gates.iter().enumerate() {
                value[g] = def.holds(&value, |e| bits >> e & 1 == 1);
            }
            for (c, gates) in s.components.iter().enumerate() {
                let (down, impaired) = (value[gates.down], value[gates.impaired]);
                if down {
                    out[c].0 += weight;
                } else if impaired {
                    out[c].1 += weight;
                } else {
                    out[c].2 += weight;
                }
            }
        }
        out
    }

    /// A random model: components depend on earlier ones (hard, degrading, ignored, in groups,
    /// with fallbacks), some replicated over two domains, some perfect (100%).
    fn model_text() -> impl Strategy<Value = String> {
        let component = (
            0usize..5,
            1u32..3,
            any::<bool>(),
            prop::collection::vec((0usize..8, 0usize..3, 0usize..4), 0..4),
        );
        prop::collection::vec(component, 2..7).prop_map(|cs| {
            let avail = ["100%", "90%", "75%", "99%", "60%"];
            let mut text = String::from(
                "domains:\n  za: { availability: 95% }\n  zb: { availability: 80%, parent: za }\ncomponents:\n",
            );
            for (i, (a, replicas, spread, deps)) in cs.iter().enumerate() {
                text += &format!("  c{i}:\n    availability: \"{}\"\n", avail[*a]);
                if *replicas > 1 {
                    text += &format!("    replicas: {replicas}\n");
                }
                if *spread {
                    text += "    spread: [za, zb]\n";
                }
                if i == 0 || deps.is_empty() {
                    continue;
                }
                text += "    depends_on:\n";
                let mut used = std::collections::HashSet::new();
                for &(t, how, kind) in deps {
                    let t = t % i;
                    if !used.insert(t) {
                        continue;
                    }
                    let on = ["fail", "degrade", "ignore"][how];
                    text += &match kind {
                        0 | 1 => format!("      - {{ component: c{t}, on_failure: {on} }}\n"),
                        2 if i >= 2 => {
                            let u = (t + 1) % i;
                            format!("      - {{ at_least: 1, of: [c{t}, c{u}], on_failure: {on} }}\n")
                        }
                        _ if t + 1 < i => format!(
                            "      - {{ component: c{t}, on_failure: degrade, fallback: c{} }}\n",
                            t + 1
                        ),
                        _ => format!("      - c{t}\n"),
                    };
                }
            }
            text
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn modules_give_the_exact_probabilities(text in model_text()) {
            let model = Model::parse(std::path::Path::new("m.yaml"), text.clone(), Format::Yaml)
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
            let Ok(system) = model.system() else { return Ok(()) };
            let s = Structure::new(&system);
            prop_assume!(s.events.len() <= 16);
            let truth = brute_force(&s);
            let got = super::super::with_deep_stack(|| evaluate(&s)).unwrap();
            for (c, (t, g)) in truth.iter().zip(&got).enumerate() {
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
                prop_assert!(
                    close(t.0, g.down.p) && close(t.1, g.degraded) && close(t.2, g.up)
                        && close(1.0 - t.0, g.down.q),
                    "component c{c}: truth {t:?}, engine {g:?}\n{text}"
                );
            }
        }
    }

    #[test]
    fn a_shared_gate_is_no_module_and_a_private_one_is() {
        // top = or(a, b), a = and(x, y), b = and(y, z): y is shared, so neither a nor b is a
        // module; top is.
        let text = "components:\n  x: { availability: 90% }\n  y: { availability: 90% }\n  z: { availability: 90% }\n  w: { availability: 90% }\n  v: { availability: 90% }\n  a: { availability: 100%, depends_on: [{ at_least: 1, of: [x, y] }] }\n  b: { availability: 100%, depends_on: [{ at_least: 1, of: [y, z] }] }\n  p: { availability: 100%, depends_on: [w, v] }\n  top: { availability: 100%, depends_on: [a, b, p] }\n";
        let model =
            Model::parse(std::path::Path::new("m.yaml"), text.into(), Format::Yaml).unwrap();
        let system = model.system().unwrap();
        let s = Structure::new(&system);
        let (circuit, lit) = circuit_of(&s);
        let live = vec![true; circuit.nodes.len()];
        let m = modules(&circuit, &tops(&circuit, &live));
        let id = |name: &str| lit[s.components[system.component_id(name).unwrap()].down].node();
        assert!(!m[id("a")] && !m[id("b")]);
        assert!(m[id("p")] && m[id("top")]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn circuits_with_negation_give_the_exact_probabilities((c, outputs) in arbitrary()) {
            let truth = crate::exact::enumerate::circuit_probabilities(&c, &outputs).unwrap();
            // Also with garbage collected after nearly every gate.
            for (numbered, collect_at) in [(false, COLLECT_AT), (true, COLLECT_AT), (false, 4)] {
                let got = solve(&c, &outputs, &[], numbered, bdd::MAX_STEPS, collect_at).unwrap();
                for (t, g) in truth.iter().zip(&got) {
                    prop_assert!((t - g.p).abs() < 1e-12 && (1.0 - t - g.q).abs() < 1e-12,
                        "truth {t}, engine {g:?}, numbered {numbered}, collect at {collect_at}, {c:?} {outputs:?}");
                }
            }
        }
    }
}
