//! Minimal cut sets of a monotone function given as a decision diagram: the smallest sets of
//! basic events that, all happening together, take the component down.
//!
//! Rauzy's algorithm ("New algorithms for fault trees analysis", 1993) turns the BDD of a
//! monotone f = x·f1 + ¬x·f0 into the zero-suppressed diagram (ZDD) of its minimal solutions:
//!
//!   minsol(f) = minsol(f0) ∪ x · without(minsol(f1), minsol(f0))
//!
//! where `without(P, Q)` keeps the sets of P that contain no set of Q. Truncating at order k
//! stays exact for the sets it keeps: a set of order ≤ k − 1 can only be subsumed by one of order
//! ≤ k − 1, so `minsol_k(f) = minsol_k(f0) ∪ x · without(minsol_{k−1}(f1), minsol_{k−1}(f0))`.
//! The sets are then listed best first (most probable first) by a search over the ZDD bounded
//! by the best probability below each node, so a cap of N sets costs about N paths, not all sets.

use std::collections::{BinaryHeap, HashMap};

use crate::exact::bdd::{self, Edge, Manager, TooLarge, Var};

/// A node of the zero-suppressed diagram; children always have smaller ids.
#[derive(Clone, Copy, Debug)]
struct ZNode {
    var: Var,
    /// The sets without `var`.
    lo: u32,
    /// The sets with `var` (without it written).
    hi: u32,
    /// Whether the family holds the empty set (follow `lo` to the end).
    has_empty: bool,
}

/// The empty family: no set at all.
const EMPTY: u32 = 0;
/// The family holding only the empty set.
const BASE: u32 = 1;

/// The most ZDD nodes built before giving up (as the BDD manager does).
pub const MAX_NODES: usize = 20_000_000;

/// The most cut sets listed, whatever is asked: each costs its events and a few search steps,
/// and a k-of-n group has billions of them. The count of all of them stays exact.
pub const MAX_LISTED: usize = 100_000;

/// Families of sets of variables, as a zero-suppressed decision diagram.
struct Families {
    nodes: Vec<ZNode>,
    unique: HashMap<(Var, u32, u32), u32>,
    without: HashMap<(u32, u32), u32>,
}

impl Families {
    fn new() -> Families {
        let terminal = |has_empty| ZNode {
            var: Var::MAX,
            lo: EMPTY,
            hi: EMPTY,
            has_empty,
        };
        Families {
            nodes: vec![terminal(false), terminal(true)],
            unique: HashMap::new(),
            without: HashMap::new(),
        }
    }

    fn make(&mut self, var: Var, lo: u32, hi: u32) -> Result<u32, TooLarge> {
        if hi == EMPTY {
            return Ok(lo);
        }
        if let Some(&z) = self.unique.get(&(var, lo, hi)) {
            return Ok(z);
        }
        if self.nodes.len() >= MAX_NODES {
            return Err(TooLarge);
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(ZNode {
            var,
            lo,
            hi,
            has_empty: self.nodes[lo as usize].has_empty,
        });
        self.unique.insert((var, lo, hi), id);
        Ok(id)
    }

    /// The sets of `p` that contain no set of `q`.
    fn without(&mut self, p: u32, q: u32) -> Result<u32, TooLarge> {
        if q == EMPTY || p == EMPTY {
            return Ok(p);
        }
        if self.nodes[q as usize].has_empty || p == q {
            return Ok(EMPTY);
        }
        if p == BASE {
            return Ok(BASE);
        }
        if let Some(&r) = self.without.get(&(p, q)) {
            return Ok(r);
        }
        let pn = self.nodes[p as usize];
        let qn = self.nodes[q as usize];
        let r = if pn.var < qn.var {
            // No set of q holds pn.var: it changes nothing about containment.
            let lo = self.without(pn.lo, q)?;
            let hi = self.without(pn.hi, q)?;
            self.make(pn.var, lo, hi)?
        } else if pn.var > qn.var {
            // No set of p holds qn.var, so the sets of q that do cannot fit inside one.
            self.without(p, qn.lo)?
        } else {
            let lo = self.without(pn.lo, qn.lo)?;
            let hi = self.without(pn.hi, qn.lo)?;
            let hi = self.without(hi, qn.hi)?;
            self.make(pn.var, lo, hi)?
        };
        self.without.insert((p, q), r);
        Ok(r)
    }
}

/// Rauzy's minimal solutions, truncated at an order, over a monotone BDD.
struct MinSol<'a> {
    bdd: &'a Manager,
    zdd: Families,
    memo: HashMap<(Edge, u32), u32>,
    /// The size of the smallest solution of each edge (u32::MAX: none).
    min_order: HashMap<Edge, u32>,
    /// Variables that never happen (P = 0): a set holding one is no way down, so they are
    /// taken as false (a component written at 100% never shows up in a cut set).
    never: &'a [bool],
}

impl MinSol<'_> {
    fn min_order(&mut self, f: Edge) -> u32 {
        if f == bdd::ONE {
            return 0;
        }
        if f == bdd::ZERO {
            return u32::MAX;
        }
        if let Some(&k) = self.min_order.get(&f) {
            return k;
        }
        let (f0, f1) = self.bdd.branches(f);
        let k = if self.never[self.bdd.var(f) as usize] {
            self.min_order(f0)
        } else {
            self.min_order(f0).min(self.min_order(f1).saturating_add(1))
        };
        self.min_order.insert(f, k);
        k
    }

    fn solve(&mut self, f: Edge, k: u32) -> Result<u32, TooLarge> {
        if f == bdd::ZERO {
            return Ok(EMPTY);
        }
        if f == bdd::ONE {
            return Ok(BASE);
        }
        // A monotone function other than true needs at least one event.
        if self.min_order(f) > k {
            return Ok(EMPTY);
        }
        if let Some(&z) = self.memo.get(&(f, k)) {
            return Ok(z);
        }
        let var = self.bdd.var(f);
        let (f0, f1) = self.bdd.branches(f);
        if self.never[var as usize] {
            let z = self.solve(f0, k)?;
            self.memo.insert((f, k), z);
            return Ok(z);
        }
        let lo = self.solve(f0, k)?;
        let with = self.solve(f1, k - 1)?;
        let without = self.solve(f0, k - 1)?;
        let hi = self.zdd.without(with, without)?;
        let z = self.zdd.make(var, lo, hi)?;
        self.memo.insert((f, k), z);
        Ok(z)
    }
}

/// Minimal cut sets of order up to a bound.
#[derive(Clone, Debug, PartialEq)]
pub struct CutSets {
    /// The most probable sets, best first: variables (levels, ascending) and probability.
    pub listed: Vec<(Vec<Var>, f64)>,
    /// How many minimal cut sets of order ≤ the bound there are (saturating); an upper bound
    /// when `total_exact` is false.
    pub total: u128,
    /// False when counting the sets that respect the exclusive groups would have cost more than
    /// the budget: `total` then also counts sets with two members of one group.
    pub total_exact: bool,
    /// The variables that are cut sets on their own, by level.
    pub singletons: Vec<Var>,
}

/// The minimal cut sets of the monotone function `root` with at most `max_order` events, the
/// `limit` most probable listed. `p[level]` is the probability of each variable; variables with
/// P = 0 take part in no cut set. `group[level]` names the exclusive group of a variable (the
/// maintenance turns of one component, which never happen together): a set with two members
/// of one group is impossible, so it is neither listed nor counted.
///
/// Must run on a deep stack ([`crate::exact::with_deep_stack`]): it recurses once per level.
pub fn minimal_cut_sets(
    manager: &Manager,
    root: Edge,
    max_order: u32,
    p: &[f64],
    limit: usize,
    group: &[Option<u32>],
) -> Result<CutSets, TooLarge> {
    let never: Vec<bool> = p.iter().map(|&x| x <= 0.0).collect();
    let mut solver = MinSol {
        bdd: manager,
        zdd: Families::new(),
        memo: HashMap::new(),
        min_order: HashMap::new(),
        never: &never,
    };
    let family = solver.solve(root, max_order)?;
    let zdd = solver.zdd.nodes;

    // Children come first, so one forward pass fills counts and bounds.
    let mut count = vec![0u128; zdd.len()];
    // The best probability of a set below each node; -1 where there is none.
    let mut best = vec![-1.0f64; zdd.len()];
    count[BASE as usize] = 1;
    best[BASE as usize] = 1.0;
    for i in 2..zdd.len() {
        let n = zdd[i];
        count[i] = count[n.lo as usize].saturating_add(count[n.hi as usize]);
        let via_hi = if best[n.hi as usize] < 0.0 {
            -1.0
        } else {
            p[n.var as usize] * best[n.hi as usize]
        };
        best[i] = best[n.lo as usize].max(via_hi);
    }

    let mut singletons = Vec::new();
    let mut z = family;
    while z > BASE {
        let n = zdd[z as usize];
        if zdd[n.hi as usize].has_empty {
            singletons.push(n.var);
        }
        z = n.lo;
    }
    singletons.sort_unstable();

    // Best-first search: a path's bound is its probability so far times the best below.
    struct Path {
        bound: f64,
        seq: u64,
        node: u32,
        prob: f64,
        vars: Vec<Var>,
    }
    impl PartialEq for Path {
        fn eq(&self, o: &Self) -> bool {
            self.cmp(o) == std::cmp::Ordering::Equal
        }
    }
    impl Eq for Path {}
    impl PartialOrd for Path {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Path {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            // Larger bound first; among equals, the later found: the search then goes deep
            // before wide, and reaches a set within one path's steps. (Earlier first walked
            // ties breadth first: billions of paths when many sets are equally probable.)
            self.bound
                .total_cmp(&o.bound)
                .then_with(|| self.seq.cmp(&o.seq))
        }
    }
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    let mut listed = Vec::new();
    if best[family as usize] >= 0.0 {
        heap.push(Path {
            bound: best[family as usize],
            seq,
            node: family,
            prob: 1.0,
            vars: Vec::new(),
        });
    }
    let limit = limit.min(MAX_LISTED);
    while let Some(path) = heap.pop() {
        if listed.len() >= limit {
            break;
        }
        if path.node == BASE {
            listed.push((path.vars, path.prob));
            continue;
        }
        let n = zdd[path.node as usize];
        if best[n.lo as usize] >= 0.0 {
            seq += 1;
            heap.push(Path {
                bound: path.prob * best[n.lo as usize],
                seq,
                node: n.lo,
                prob: path.prob,
                vars: path.vars.clone(),
            });
        }
        let clashes = group[n.var as usize]
            .is_some_and(|g| path.vars.iter().any(|&v| group[v as usize] == Some(g)));
        if best[n.hi as usize] >= 0.0 && !clashes {
            let prob = path.prob * p[n.var as usize];
            let mut vars = path.vars;
            vars.push(n.var);
            seq += 1;
            heap.push(Path {
                bound: prob * best[n.hi as usize],
                seq,
                node: n.hi,
                prob,
                vars,
            });
        }
    }
    let (total, total_exact) = if group.iter().all(Option::is_none) {
        (count[family as usize], true)
    } else {
        match count_possible(&zdd, family, group) {
            Some(n) => (n, true),
            None => (count[family as usize], false),
        }
    };
    Ok(CutSets {
        listed,
        total,
        total_exact,
        singletons,
    })
}

/// How many sets of the family have at most one member of each group, or None past a budget
/// linear in the family's size. The state is the set of groups already taken that still have
/// members below: a group's last variable passed, it is forgotten, which keeps the states few
/// (a set holds at most max-order members).
fn count_possible(zdd: &[ZNode], family: u32, group: &[Option<u32>]) -> Option<u128> {
    let mut last: HashMap<u32, Var> = HashMap::new();
    for (v, g) in group.iter().enumerate() {
        if let Some(g) = g {
            let l = last.entry(*g).or_insert(v as Var);
            *l = (*l).max(v as Var);
        }
    }
    let budget = 16 * zdd.len() + 100_000;
    let mut memo: HashMap<(u32, Vec<u32>), u128> = HashMap::new();
    // Recursive: callers run on the deep stack.
    fn go(
        zdd: &[ZNode],
        node: u32,
        taken: Vec<u32>,
        group: &[Option<u32>],
        last: &HashMap<u32, Var>,
        memo: &mut HashMap<(u32, Vec<u32>), u128>,
        budget: usize,
    ) -> Option<u128> {
        if node == EMPTY {
            return Some(0);
        }
        if node == BASE {
            return Some(1);
        }
        let var = zdd[node as usize].var;
        let taken: Vec<u32> = taken.into_iter().filter(|g| last[g] >= var).collect();
        if let Some(&n) = memo.get(&(node, taken.clone())) {
            return Some(n);
        }
        if memo.len() >= budget {
            return None;
        }
        let n = zdd[node as usize];
        let lo = go(zdd, n.lo, taken.clone(), group, last, memo, budget)?;
        let hi = match group[var as usize] {
            Some(g) if taken.contains(&g) => 0,
            Some(g) => {
                let mut with = taken.clone();
                with.push(g);
                with.sort_unstable();
                go(zdd, n.hi, with, group, last, memo, budget)?
            }
            None => go(zdd, n.hi, taken.clone(), group, last, memo, budget)?,
        };
        let total = lo.saturating_add(hi);
        memo.insert((node, taken), total);
        Some(total)
    }
    go(zdd, family, Vec::new(), group, &last, &mut memo, budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(m: &mut Manager, n: u32) -> Vec<Edge> {
        (0..n).map(|v| m.variable(v).unwrap()).collect()
    }

    #[test]
    fn bridge_network() {
        // The bridge network's failure function, from its four minimal cut sets.
        let mut m = Manager::new();
        let x = vars(&mut m, 5);
        let (a, b, c, d, e) = (x[0], x[1], x[2], x[3], x[4]);
        let ab = m.and(a, b).unwrap();
        let de = m.and(d, e).unwrap();
        let ace = m.and(a, c).and_then(|y| m.and(y, e)).unwrap();
        let bcd = m.and(b, c).and_then(|y| m.and(y, d)).unwrap();
        let f = [de, ace, bcd]
            .into_iter()
            .try_fold(ab, |acc, y| m.or(acc, y))
            .unwrap();
        let p = [0.1, 0.2, 0.3, 0.4, 0.5];
        let cs = minimal_cut_sets(&m, f, 4, &p, 100, &[None; 5]).unwrap();
        assert_eq!(cs.total, 4);
        let sets: Vec<Vec<Var>> = cs.listed.iter().map(|(s, _)| s.clone()).collect();
        // By probability: DE 0.2, AB 0.02, BCD 0.024 > ACE 0.015.
        assert_eq!(
            sets,
            vec![vec![3, 4], vec![1, 2, 3], vec![0, 1], vec![0, 2, 4]]
        );
        assert!((cs.listed[0].1 - 0.2).abs() < 1e-15);
        assert!(cs.singletons.is_empty());
        // Truncated at order 2, only the pairs remain.
        let cs = minimal_cut_sets(&m, f, 2, &p, 100, &[None; 5]).unwrap();
        assert_eq!(cs.total, 2);
        // A cap lists the best ones and still counts all.
        let cs = minimal_cut_sets(&m, f, 4, &p, 1, &[None; 5]).unwrap();
        assert_eq!(cs.listed.len(), 1);
        assert_eq!(cs.total, 4);
    }

    #[test]
    fn events_that_never_happen_are_in_no_cut_set() {
        let mut m = Manager::new();
        let x = vars(&mut m, 3);
        // x0 ∨ (x1 ∧ x2) with P(x0) = 0: only {x1, x2} remains.
        let x12 = m.and(x[1], x[2]).unwrap();
        let f = m.or(x[0], x12).unwrap();
        let cs = minimal_cut_sets(&m, f, 4, &[0.0, 0.5, 0.5], 10, &[None; 3]).unwrap();
        assert_eq!(cs.total, 1);
        assert_eq!(cs.listed, vec![(vec![1, 2], 0.25)]);
        assert!(cs.singletons.is_empty());
    }

    #[test]
    fn singletons_and_k_of_n() {
        let mut m = Manager::new();
        let x = vars(&mut m, 5);
        // x0 ∨ (at least 2 of x1..x4): the singleton {x0} and the C(4,2) = 6 pairs.
        let two = m.at_least(2, &x[1..]).unwrap();
        let f = m.or(x[0], two).unwrap();
        let cs = minimal_cut_sets(&m, f, 4, &[0.5; 5], 100, &[None; 5]).unwrap();
        assert_eq!(cs.total, 7);
        assert_eq!(cs.singletons, vec![0]);
        assert!(cs.listed.iter().all(|(s, _)| s.len() <= 2));
    }

    #[test]
    fn sets_with_two_members_of_a_group_are_neither_listed_nor_counted() {
        let mut m = Manager::new();
        let x = vars(&mut m, 5);
        // At least 2 of x0..x4: ten pairs. x0, x2 and x4 are one group (turns that never
        // overlap), so its three pairs are impossible: seven remain.
        let f = m.at_least(2, &x).unwrap();
        let p = [0.4, 0.1, 0.3, 0.2, 0.5];
        let g = Some(7);
        let group = [g, None, g, None, g];
        let cs = minimal_cut_sets(&m, f, 4, &p, 3, &group).unwrap();
        assert_eq!(cs.total, 7);
        assert!(cs.total_exact);
        // The three most probable possible pairs: {3,4} 0.1, {0,3} 0.08 then {2,3} 0.06; the
        // impossible {0,4} 0.2 and {2,4} 0.15 take no place.
        let sets: Vec<Vec<Var>> = cs.listed.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(sets, vec![vec![3, 4], vec![0, 3], vec![2, 3]]);
    }
}
