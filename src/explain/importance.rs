//! The probability of a diagram's function when one group of variables is forced (all happen,
//! none happens, each ten times less likely), for every group at once.
//!
//! Re-running the probability pass once per group would cost groups × nodes. Instead, every path
//! from the root to a terminal enters the levels of a group's band `[a, b]` (the smallest and
//! largest level of its variables) through exactly one edge that leaves a node above `a`. The
//! probability of reaching that edge depends only on variables above `a`, which the group does
//! not touch; what lies below the edge changes only if the edge lands inside the band. So
//!
//! P(f | group forced) = Σ over edges from above `a` into the band: reach(edge) × P'(target)
//!                     + Σ over edges from above `a` to below `b`: reach(edge) × P(target),
//!
//! where P' is recomputed for the band's nodes only. The second sum does not depend on how the
//! group is forced; all of them are answered together by a sweep over edges sorted by source
//! level with a Fenwick tree over target levels. One top-down pass (reach) and one bottom-up pass
//! (P) serve every group. When the groups' bands do not overlap, as under the engine's variable
//! order where a component's own events sit together, the whole costs O(nodes × log levels).
//!
//! Every sum adds non-negative terms: nothing cancels, so tiny probabilities keep their digits.

use crate::exact::bdd::{Edge, Manager, Var, index, is_complement};
use crate::model::units::Odds;

/// What forcing one group of variables does to P(f).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditional {
    /// P(f) and P(¬f) when every variable of the group is true.
    pub failed: Odds,
    /// … when none is.
    pub perfect: Odds,
    /// … when each is ten times less likely (p / 10).
    pub improved: Odds,
    /// P(f | failed) − P(f | perfect): Birnbaum's importance.
    pub birnbaum: f64,
    /// P(f) − P(f | perfect).
    pub perfect_gain: f64,
    /// P(f) − P(f | improved).
    pub improved_gain: f64,
}

const FAILED: usize = 0;
const PERFECT: usize = 1;
const IMPROVED: usize = 2;
/// The ways a group is forced, in the order above.
const WAYS: usize = 3;

fn forced(p: f64, q: f64) -> [(f64, f64); WAYS] {
    [(1.0, 0.0), (0.0, 1.0), (p / 10.0, q + 0.9 * p)]
}

#[inline]
fn swap_if(c: bool, (a, b): (f64, f64)) -> (f64, f64) {
    if c { (b, a) } else { (a, b) }
}

/// Fenwick tree of (P, Q) sums, prefix queries only (no differences, hence no cancellation).
struct Fenwick {
    tree: Vec<(f64, f64)>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick {
            tree: vec![(0.0, 0.0); n + 1],
        }
    }
    fn add(&mut self, i: usize, v: (f64, f64)) {
        let mut i = i + 1;
        while i < self.tree.len() {
            self.tree[i].0 += v.0;
            self.tree[i].1 += v.1;
            i += i & i.wrapping_neg();
        }
    }
    /// Sum of entries `0..end`.
    fn prefix(&self, end: usize) -> (f64, f64) {
        let mut i = end.min(self.tree.len() - 1);
        let mut s = (0.0, 0.0);
        while i > 0 {
            s.0 += self.tree[i].0;
            s.1 += self.tree[i].1;
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// An edge of the diagram below the root, seen from the group sweep.
struct Arc {
    /// Level of the source node + 1 (0 for the virtual edge into the root).
    from: usize,
    /// Level of the target node (`levels` for the terminal).
    to: usize,
    /// Local id of the target node.
    target: u32,
    /// Probability of reaching the edge with an even / odd number of complements on the way.
    mass: (f64, f64),
}

/// For every group of variables (levels), what forcing it does to P(root). `odds[level]` is
/// (P, Q) of each variable. Groups may be empty or hold variables absent from the diagram.
pub fn conditionals(
    manager: &Manager,
    root: Edge,
    odds: &[(f64, f64)],
    groups: &[Vec<Var>],
) -> Vec<Conditional> {
    let levels = odds.len();
    let nodes = manager.nodes();
    if index(root) == 0 {
        // A constant: nothing changes it.
        let value = swap_if(is_complement(root), (1.0, 0.0));
        let o = Odds {
            p: value.0,
            q: value.1,
        };
        return vec![
            Conditional {
                failed: o,
                perfect: o,
                improved: o,
                birnbaum: 0.0,
                perfect_gain: 0.0,
                improved_gain: 0.0,
            };
            groups.len()
        ];
    }

    // The nodes under the root, children first, with local ids.
    let mut local = vec![u32::MAX; nodes.len()];
    let mut reached = Vec::new();
    let mut stack = vec![index(root)];
    while let Some(n) = stack.pop() {
        if local[n] != u32::MAX {
            continue;
        }
        local[n] = 0;
        reached.push(n);
        if n != 0 {
            stack.push(index(nodes[n].low));
            stack.push(index(nodes[n].high));
        }
    }
    reached.sort_unstable();
    for (i, &n) in reached.iter().enumerate() {
        local[n] = i as u32;
    }
    let m = reached.len();
    let level_of = |u: usize| -> usize {
        let n = reached[u];
        if n == 0 {
            levels
        } else {
            nodes[n].var as usize
        }
    };

    // Bottom-up: (P, Q) of every node as a regular edge.
    let mut pq = vec![(1.0, 0.0); m];
    for u in 1..m {
        let node = nodes[reached[u]];
        let (p, q) = odds[node.var as usize];
        let lo = swap_if(is_complement(node.low), pq[local[index(node.low)] as usize]);
        let hi = swap_if(
            is_complement(node.high),
            pq[local[index(node.high)] as usize],
        );
        pq[u] = (q * lo.0 + p * hi.0, q * lo.1 + p * hi.1);
    }

    // Top-down: the probability of arriving at each node, by parity of complements passed.
    let mut reach = vec![(0.0, 0.0); m];
    let root_local = local[index(root)] as usize;
    reach[root_local] = swap_if(is_complement(root), (1.0, 0.0));
    let mut arcs = Vec::with_capacity(2 * m + 1);
    arcs.push(Arc {
        from: 0,
        to: level_of(root_local),
        target: root_local as u32,
        mass: reach[root_local],
    });
    for u in (1..m).rev() {
        let node = nodes[reached[u]];
        let (p, q) = odds[node.var as usize];
        let (even, odd) = reach[u];
        for (child, w) in [(node.low, q), (node.high, p)] {
            let t = local[index(child)] as usize;
            let mass = swap_if(is_complement(child), (even * w, odd * w));
            reach[t].0 += mass.0;
            reach[t].1 += mass.1;
            arcs.push(Arc {
                from: node.var as usize + 1,
                to: level_of(t),
                target: t as u32,
                mass,
            });
        }
    }

    // The arcs into each node, and the nodes of each level.
    let mut into_start = vec![0usize; m + 1];
    for a in &arcs {
        into_start[a.target as usize + 1] += 1;
    }
    for i in 0..m {
        into_start[i + 1] += into_start[i];
    }
    let mut fill = into_start.clone();
    let mut into = vec![0u32; arcs.len()];
    for (i, a) in arcs.iter().enumerate() {
        into[fill[a.target as usize]] = i as u32;
        fill[a.target as usize] += 1;
    }
    let mut level_start = vec![0usize; levels + 2];
    for u in 0..m {
        level_start[level_of(u) + 1] += 1;
    }
    for l in 0..=levels {
        level_start[l + 1] += level_start[l];
    }
    let mut at_level = vec![0u32; m];
    let mut lfill = level_start.clone();
    for u in 0..m {
        let l = level_of(u);
        at_level[lfill[l]] = u as u32;
        lfill[l] += 1;
    }

    // Groups by the top of their band; arcs by source level.
    let mut by_top: Vec<usize> = (0..groups.len())
        .filter(|&g| !groups[g].is_empty())
        .collect();
    let band = |g: usize| -> (usize, usize) {
        let vars = &groups[g];
        (
            *vars.iter().min().expect("not empty") as usize,
            *vars.iter().max().expect("not empty") as usize,
        )
    };
    by_top.sort_by_key(|&g| band(g).0);
    let mut by_source: Vec<u32> = (0..arcs.len() as u32).collect();
    by_source.sort_by_key(|&i| arcs[i as usize].from);

    let baseline = swap_if(is_complement(root), pq[root_local]);
    let unchanged = Odds {
        p: baseline.0,
        q: baseline.1,
    };
    let mut out = vec![
        Conditional {
            failed: unchanged,
            perfect: unchanged,
            improved: unchanged,
            birnbaum: 0.0,
            perfect_gain: 0.0,
            improved_gain: 0.0,
        };
        groups.len()
    ];
    let mut below = Fenwick::new(levels + 1);
    let mut inserted = 0;
    let mut in_group = vec![false; levels];
    let mut forced_pq = vec![[(0.0, 0.0); WAYS]; m];
    for g in by_top {
        let (a, b) = band(g);
        if a >= levels {
            continue;
        }
        let b = b.min(levels - 1);
        // Arcs leaving nodes above the band enter the sweep; the tree is indexed by
        // `levels - to`, so arcs landing below the band are a prefix.
        while inserted < by_source.len() && arcs[by_source[inserted] as usize].from <= a {
            let arc = &arcs[by_source[inserted] as usize];
            let (p, q) = pq[arc.target as usize];
            let (e, o) = arc.mass;
            below.add(levels - arc.to, (e * p + o * q, e * q + o * p));
            inserted += 1;
        }
        let outside = below.prefix(levels - b);

        for &v in &groups[g] {
            if (v as usize) < levels {
                in_group[v as usize] = true;
            }
        }
        let value = |forced_pq: &[[(f64, f64); WAYS]], child: Edge, way: usize| -> (f64, f64) {
            let t = local[index(child)] as usize;
            let l = level_of(t);
            let v = if (a..=b).contains(&l) {
                forced_pq[t][way]
            } else {
                pq[t]
            };
            swap_if(is_complement(child), v)
        };
        // The band's nodes, deepest level first so that children come before parents.
        let mut sums = [(0.0, 0.0); WAYS];
        let mut base_sum = (0.0, 0.0);
        for l in (a..=b).rev() {
            for &u in &at_level[level_start[l]..level_start[l + 1]] {
                let u = u as usize;
                let node = nodes[reached[u]];
                let (p, q) = odds[l];
                let ways = if in_group[l] {
                    forced(p, q)
                } else {
                    [(p, q); WAYS]
                };
                let mut here = [(0.0, 0.0); WAYS];
                for (w, &(pw, qw)) in ways.iter().enumerate() {
                    let lo = value(&forced_pq, node.low, w);
                    let hi = value(&forced_pq, node.high, w);
                    here[w] = (qw * lo.0 + pw * hi.0, qw * lo.1 + pw * hi.1);
                }
                forced_pq[u] = here;
                // The mass entering this node from above the band.
                let (mut e, mut o) = (0.0, 0.0);
                for &i in &into[into_start[u]..into_start[u + 1]] {
                    let arc = &arcs[i as usize];
                    if arc.from <= a {
                        e += arc.mass.0;
                        o += arc.mass.1;
                    }
                }
                if e == 0.0 && o == 0.0 {
                    continue;
                }
                for w in 0..WAYS {
                    let (p, q) = here[w];
                    sums[w].0 += e * p + o * q;
                    sums[w].1 += e * q + o * p;
                }
                let (p, q) = pq[u];
                base_sum.0 += e * p + o * q;
                base_sum.1 += e * q + o * p;
            }
        }
        for &v in &groups[g] {
            if (v as usize) < levels {
                in_group[v as usize] = false;
            }
        }
        let odds_of = |s: (f64, f64)| Odds {
            p: outside.0 + s.0,
            q: outside.1 + s.1,
        };
        // Forcing a group of a monotone function moves P(f) one way; rounding must not flip it.
        out[g] = Conditional {
            failed: odds_of(sums[FAILED]),
            perfect: odds_of(sums[PERFECT]),
            improved: odds_of(sums[IMPROVED]),
            birnbaum: (sums[FAILED].0 - sums[PERFECT].0).max(0.0),
            perfect_gain: (base_sum.0 - sums[PERFECT].0).max(0.0),
            improved_gain: (base_sum.0 - sums[IMPROVED].0).max(0.0),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::bdd::{ONE, ZERO, edge_pq};

    /// A small deterministic generator for random diagrams.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// P(root) under explicit odds, the slow way: one full probability pass.
    fn direct(m: &Manager, root: Edge, odds: &[(f64, f64)]) -> Odds {
        let pq = m.probabilities(odds);
        let (p, q) = edge_pq(&pq, root);
        Odds { p, q }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) + 1e-300
    }

    #[test]
    fn matches_one_pass_per_group_on_random_monotone_diagrams() {
        let mut rng = Lcg(7);
        for round in 0..200 {
            let mut m = Manager::new();
            let n = 2 + rng.below(9) as u32;
            let mut pool: Vec<Edge> = (0..n).map(|v| m.variable(v).unwrap()).collect();
            for _ in 0..(n + rng.below(12) as u32) {
                let x = pool[rng.below(pool.len() as u64) as usize];
                let y = pool[rng.below(pool.len() as u64) as usize];
                let z = match rng.below(3) {
                    0 => m.and(x, y).unwrap(),
                    1 => m.or(x, y).unwrap(),
                    _ => {
                        let w = pool[rng.below(pool.len() as u64) as usize];
                        m.at_least(2, &[x, y, w]).unwrap()
                    }
                };
                pool.push(z);
            }
            let root = *pool.last().unwrap();
            let odds: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let p = [0.5, 0.1, 1e-3, 1e-6, 0.0, 1.0][rng.below(6) as usize];
                    (p, 1.0 - p)
                })
                .collect();
            // Random groups, overlapping bands included.
            let groups: Vec<Vec<Var>> = (0..4)
                .map(|_| {
                    let mut g: Vec<Var> = (0..n).filter(|_| rng.below(3) == 0).collect();
                    if g.is_empty() {
                        g.push(rng.below(n as u64) as Var);
                    }
                    g
                })
                .collect();
            let got = conditionals(&m, root, &odds, &groups);
            let base = direct(&m, root, &odds);
            for (g, vars) in groups.iter().enumerate() {
                let with = |f: &dyn Fn(f64, f64) -> (f64, f64)| {
                    let mut o = odds.clone();
                    for &v in vars {
                        o[v as usize] = f(o[v as usize].0, o[v as usize].1);
                    }
                    direct(&m, root, &o)
                };
                let failed = with(&|_, _| (1.0, 0.0));
                let perfect = with(&|_, _| (0.0, 1.0));
                let improved = with(&|p, q| (p / 10.0, q + 0.9 * p));
                let c = got[g];
                for (x, y) in [
                    (c.failed.p, failed.p),
                    (c.failed.q, failed.q),
                    (c.perfect.p, perfect.p),
                    (c.perfect.q, perfect.q),
                    (c.improved.p, improved.p),
                    (c.improved.q, improved.q),
                ] {
                    assert!(close(x, y), "round {round} group {g}: {x} vs {y}");
                }
                assert!((c.birnbaum - (failed.p - perfect.p)).abs() < 1e-12);
                assert!((c.perfect_gain - (base.p - perfect.p)).abs() < 1e-12);
                assert!((c.improved_gain - (base.p - improved.p)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn constants_and_tiny_probabilities() {
        let m = Manager::new();
        let c = conditionals(&m, ONE, &[], &[vec![0]]);
        assert_eq!(c[0].failed.p, 1.0);
        let c = conditionals(&m, ZERO, &[], &[vec![0]]);
        assert_eq!(c[0].failed.p, 0.0);

        // a ∧ b with a, b at 1e-100: P(f | a perfect) is exactly 0, P(f | a failed) = 1e-100.
        let mut m = Manager::new();
        let a = m.variable(0).unwrap();
        let b = m.variable(1).unwrap();
        let f = m.and(a, b).unwrap();
        let odds = [(1e-100, 1.0), (1e-100, 1.0)];
        let c = conditionals(&m, f, &odds, &[vec![0], vec![1], vec![0, 1]]);
        assert_eq!(c[0].failed.p, 1e-100);
        assert_eq!(c[0].perfect.p, 0.0);
        assert_eq!(c[0].birnbaum, 1e-100);
        assert_eq!(c[2].failed.p, 1.0);
        assert_eq!(c[2].failed.q, 0.0);
        assert!(close(c[1].improved.p, 1e-201));
        assert!(close(c[1].improved_gain, 1e-200 - 1e-201));
    }
}
