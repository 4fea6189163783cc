//! Probabilities by modules: a gate whose basic events are reached only through it (a module,
//! an independent sub-system) is compiled once on its own, and every gate above it sees it as a
//! single variable whose probability is the module's. The diagrams above stay small, and the
//! result is exact: a module's events appear nowhere else, so it is independent of everything
//! beside it.
//!
//! Modules are found by the linear-time dating walk of Dutuit and Rauzy (1996): a gate is a module
//! when every visit to every gate below it happens between the first entry into the gate and the
//! end of that first walk through it.

use super::bdd::{self, Edge, Manager, Var, edge_pq, not};
use super::{EngineError, StateOdds};
use crate::model::units::Odds;
use crate::structure::{EventId, Gate, GateId, Structure};

/// What a level of the variable order stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Event(EventId),
    /// The module rooted at this gate, as one variable.
    Module(GateId),
}

fn inputs(g: &Gate) -> &[GateId] {
    match g {
        Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => xs,
        Gate::Never | Gate::Event(_) => &[],
    }
}

/// Gates no other gate uses.
fn tops(structure: &Structure) -> Vec<GateId> {
    let mut used = vec![false; structure.gates.len()];
    for g in &structure.gates {
        for &x in inputs(g) {
            used[x] = true;
        }
    }
    (0..structure.gates.len()).filter(|&g| !used[g]).collect()
}

/// Where walks start: the tops first (the walk then dates them from their own subtrees), then
/// every component's `down` and `impaired`, which the results are read from.
fn roots(structure: &Structure) -> Vec<GateId> {
    let mut roots = tops(structure);
    roots.extend(
        structure
            .components
            .iter()
            .flat_map(|c| [c.down, c.impaired]),
    );
    roots
}

/// Which gates are modules (with at least two inputs: a gate of one event is that event).
pub fn modules(structure: &Structure) -> Vec<bool> {
    let n = structure.gates.len();
    // first visit, exit of the first walk, last visit.
    let (mut first, mut exit, mut last) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    let mut clock = 0u64;
    // From the tops only: that a gate is also some component's own result is no visit from
    // outside (every other gate is below some top).
    for root in tops(structure) {
        // (gate, next input to walk)
        let mut stack: Vec<(GateId, usize)> = Vec::new();
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
            let xs = inputs(&structure.gates[g]);
            if next == xs.len() {
                clock += 1;
                exit[g] = clock;
                last[g] = clock;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let x = xs[next];
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
    // Earliest first visit and latest visit of anything below each gate; inputs come first.
    let mut low = vec![u64::MAX; n];
    let mut high = vec![0u64; n];
    let mut module = vec![false; n];
    for g in 0..n {
        let xs = inputs(&structure.gates[g]);
        for &x in xs {
            low[g] = low[g].min(first[x]).min(low[x]);
            high[g] = high[g].max(last[x]).max(high[x]);
        }
        module[g] = xs.len() >= 2 && first[g] != 0 && low[g] > first[g] && high[g] < exit[g];
    }
    // DOWN and impaired of one component are combined into DEGRADED: they must share variables,
    // so where they differ neither stands for itself as a module variable.
    for c in &structure.components {
        if c.down != c.impaired {
            module[c.down] = false;
            module[c.impaired] = false;
        }
    }
    module
}

/// The variable order: a depth-first walk from the tops, each event at its first visit and each
/// module as one variable where the walk enters it (its own events follow, deeper, for its own
/// diagram). Domains, shared by everything, come first.
pub fn slot_order(structure: &Structure, module: &[bool]) -> Vec<Slot> {
    let mut order = Vec::with_capacity(structure.events.len());
    let mut placed = vec![false; structure.events.len()];
    for (e, ev) in structure.events.iter().enumerate() {
        if matches!(ev.kind, crate::structure::EventKind::Domain(_)) {
            placed[e] = true;
            order.push(Slot::Event(e));
        }
    }
    let mut visited = vec![false; structure.gates.len()];
    for root in roots(structure) {
        let mut stack = vec![root];
        while let Some(g) = stack.pop() {
            if std::mem::replace(&mut visited[g], true) {
                continue;
            }
            match &structure.gates[g] {
                Gate::Never => {}
                Gate::Event(e) => {
                    if !std::mem::replace(&mut placed[*e], true) {
                        order.push(Slot::Event(*e));
                    }
                }
                Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
                    if module[g] {
                        order.push(Slot::Module(g));
                    }
                    // Reversed so the first input is walked first.
                    stack.extend(xs.iter().rev().filter(|&&x| !visited[x]));
                }
            }
        }
    }
    for (e, p) in placed.iter().enumerate() {
        if !p {
            order.push(Slot::Event(e));
        }
    }
    order
}

/// Every component's state probabilities, module by module.
pub fn evaluate(structure: &Structure) -> Result<Vec<StateOdds>, EngineError> {
    let module = modules(structure);
    let order = slot_order(structure, &module);
    let mut event_level = vec![0 as Var; structure.events.len()];
    let mut module_level = vec![Var::MAX; structure.gates.len()];
    for (l, s) in order.iter().enumerate() {
        match *s {
            Slot::Event(e) => event_level[e] = l as Var,
            Slot::Module(g) => module_level[g] = l as Var,
        }
    }
    let mut m = Manager::new();
    // `gate[g]`: g's own function; `seen[g]`: what the gates above g use (its module variable).
    let mut gate: Vec<Edge> = Vec::with_capacity(structure.gates.len());
    let mut seen: Vec<Edge> = Vec::with_capacity(structure.gates.len());
    for (g, def) in structure.gates.iter().enumerate() {
        let edge = match def {
            Gate::Never => bdd::ZERO,
            Gate::Event(e) => {
                let odds = structure.events[*e].odds;
                // Certain events are constants: same probabilities, smaller diagrams.
                if odds.p == 0.0 {
                    bdd::ZERO
                } else if odds.q == 0.0 {
                    bdd::ONE
                } else {
                    m.variable(event_level[*e])?
                }
            }
            Gate::Or(xs) | Gate::And(xs) | Gate::AtLeast(_, xs) => {
                let mut ins: Vec<Edge> = xs.iter().map(|&x| seen[x]).collect();
                // Deepest first: each step then mostly adds nodes above what is built.
                ins.sort_by_key(|&e| std::cmp::Reverse(m.var(e)));
                match def {
                    Gate::Or(_) => ins.iter().try_fold(bdd::ZERO, |acc, &x| m.or(acc, x))?,
                    Gate::And(_) => ins.iter().try_fold(bdd::ONE, |acc, &x| m.and(acc, x))?,
                    Gate::AtLeast(k, _) => m.at_least(*k as usize, &ins)?,
                    _ => unreachable!(),
                }
            }
        };
        gate.push(edge);
        // A module that is more than a constant or one variable is one variable above.
        let trivial = bdd::index(edge) == 0 || {
            let (lo, hi) = m.branches(edge);
            bdd::index(lo) == 0 && bdd::index(hi) == 0
        };
        seen.push(if module[g] && !trivial && module_level[g] != Var::MAX {
            m.variable(module_level[g])?
        } else {
            edge
        });
    }
    let degraded: Vec<Edge> = structure
        .components
        .iter()
        .map(|c| m.and(gate[c.impaired], not(gate[c.down])))
        .collect::<Result<_, _>>()?;
    // One pass over the nodes, children first. A module's variable is made after its diagram is
    // complete, so its probability is known by the time a node tests it.
    let mut level_odds: Vec<Option<(f64, f64)>> = order
        .iter()
        .map(|s| match *s {
            Slot::Event(e) => Some((structure.events[e].odds.p, structure.events[e].odds.q)),
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
                let odds = edge_pq(&pq, gate[g]);
                level_odds[v] = Some(odds);
                odds
            }
        };
        let lo = edge_pq(&pq, n.low);
        let hi = edge_pq(&pq, n.high);
        pq.push((q * lo.0 + p * hi.0, q * lo.1 + p * hi.1));
    }
    Ok(structure
        .components
        .iter()
        .zip(degraded)
        .map(|(c, d)| {
            let (p, q) = edge_pq(&pq, gate[c.down]);
            StateOdds {
                down: Odds { p, q },
                degraded: edge_pq(&pq, d).0,
                up: edge_pq(&pq, gate[c.impaired]).1,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
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
                value[g] = match def {
                    Gate::Never => false,
                    Gate::Event(e) => bits >> e & 1 == 1,
                    Gate::Or(xs) => xs.iter().any(|&x| value[x]),
                    Gate::And(xs) => xs.iter().all(|&x| value[x]),
                    Gate::AtLeast(k, xs) => xs.iter().filter(|&&x| value[x]).count() >= *k as usize,
                };
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
        let m = modules(&s);
        let id = |name: &str| s.components[system.component_id(name).unwrap()].down;
        assert!(!m[id("a")] && !m[id("b")]);
        assert!(m[id("p")] && m[id("top")]);
    }
}
