//! Reduced ordered binary decision diagrams with complement edges.
//!
//! An edge is a node index shifted left by one, its low bit a complement flag. The single
//! terminal is ONE; ZERO is its complement. A node's high (then) edge is never complemented,
//! which makes every function's diagram unique. Nodes are appended and never freed, so a child
//! always has a smaller index than its parent and one forward pass visits children first.

/// A reference to a diagram node: its index shifted left by one, the low bit set when the function
/// is complemented.
pub type Edge = u32;
/// A variable's level in the order: smaller is nearer the root.
pub type Var = u32;

/// The function that is always true.
pub const ONE: Edge = 0;
/// The function that is always false (the complement of [`ONE`]).
pub const ZERO: Edge = 1;
const TERMINAL_VAR: Var = Var::MAX;

/// The complement of a function, at no cost.
#[inline]
pub fn not(e: Edge) -> Edge {
    e ^ 1
}
/// Whether an edge is complemented.
#[inline]
pub fn is_complement(e: Edge) -> bool {
    e & 1 == 1
}
/// The index of the node an edge points at.
#[inline]
pub fn index(e: Edge) -> usize {
    (e >> 1) as usize
}

/// A decision node: its variable and the two functions it chooses between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// Variable level: smaller is nearer the root.
    pub var: Var,
    /// The function where the variable is false (may be complemented).
    pub low: Edge,
    /// The function where the variable is true (never complemented).
    pub high: Edge,
}

/// The most nodes a diagram may hold before the engine gives up: 720 MiB of nodes and 1 GiB of
/// unique table, about 1.7 GiB (a probability pass adds 16 bytes a node, 64 when it weighs four
/// assignments at once).
pub const MAX_NODES: usize = 60_000_000;

/// The most entries of the computed table (4 MiB). Its probes are random, so a table that
/// stays nearer the processor answers faster than a larger one hits more often — but one too
/// small forgets results that recursions need again and again. Measured (with garbage
/// collection): das9701 4.3–4.8 s at 2^18 entries, 4.9–5.1 s at 2^20, 6.2 s at 2^22 before
/// collection; a 10,000-component eval 1.67 s at 2^18, 2.0 s at 2^22. With 16-byte entries
/// 2^19 (8 MiB) is still 5% slower than 2^18. nus9601 recomputes more with a small table,
/// which MAX_STEPS bounds.
const MAX_CACHE: usize = 1 << 18;

/// The most operations (applies not found in the computed table) one manager computes before
/// the engine gives up: about 30 s. With garbage collected the node limit may never be
/// reached, and a diagram that cannot be built must still end. das9701, the largest Aralia tree
/// solved, takes 20 million.
pub const MAX_STEPS: u64 = 100_000_000;

/// The diagram grew past [`Manager::limit`] nodes or [`Manager::max_steps`] operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge;

/// The high half of a hash: a unique-table entry's tag.
const TAG_MASK: u64 = 0xFFFF_FFFF_0000_0000;

/// Operation tags in the computed table.
const OP_AND: u32 = 1;
const OP_ITE: u32 = 2;

/// A computed-table entry: 16 bytes, aligned, so that a probe reads one cache line. The
/// operation rides in the top bits of the first operand (edges stay below 2^27).
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct CacheEntry {
    /// `op << 30 | a`; 0 for an empty entry.
    key: u32,
    b: Edge,
    c: Edge,
    result: Edge,
}

const OP_SHIFT: u32 = 30;
const _: () = assert!(
    2 * MAX_NODES < 1 << OP_SHIFT,
    "edges must leave the top bits free"
);

/// The store of every diagram node, with the unique and computed tables that keep them shared.
pub struct Manager {
    nodes: Vec<Node>,
    /// Open addressing: node index + 1 in the low half (0 is empty), the high half of the node's
    /// hash in the high half, so that a probe rarely has to fetch a node to rule it out.
    unique: Vec<u64>,
    cache: Vec<CacheEntry>,
    /// The most nodes it may hold before an operation fails with [`TooLarge`] ([`MAX_NODES`] unless
    /// set lower).
    pub limit: usize,
    /// Operations computed so far, and how many may be (MAX_STEPS unless set lower).
    steps: u64,
    /// The most operations it may compute before failing with [`TooLarge`] ([`MAX_STEPS`] unless
    /// set lower).
    pub max_steps: u64,
}

impl Default for Manager {
    fn default() -> Self {
        Manager::new()
    }
}

#[inline]
fn hash3(a: u32, b: u32, c: u32) -> u64 {
    let h = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (c as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^ (h >> 29)
}

impl Manager {
    /// An empty manager: only the terminal node.
    pub fn new() -> Manager {
        let mut m = Manager {
            nodes: Vec::with_capacity(1 << 12),
            unique: vec![0; 1 << 12],
            cache: vec![CacheEntry::default(); 1 << 14],
            limit: MAX_NODES,
            steps: 0,
            max_steps: MAX_STEPS,
        };
        m.nodes.push(Node {
            var: TERMINAL_VAR,
            low: ONE,
            high: ONE,
        });
        m
    }

    /// Nodes held, the terminal included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it holds only the terminal node.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Every node, in the order made: children before their parents.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The variable at the top of `e` (`Var::MAX` for the terminal).
    #[inline]
    pub fn var(&self, e: Edge) -> Var {
        self.nodes[index(e)].var
    }

    /// The cofactors of `e` for its own top variable: (low, high), complement pushed down.
    #[inline]
    pub fn branches(&self, e: Edge) -> (Edge, Edge) {
        let n = self.nodes[index(e)];
        let c = e & 1;
        (n.low ^ c, n.high ^ c)
    }

    #[inline]
    fn cofactors(&self, e: Edge, var: Var) -> (Edge, Edge) {
        let n = self.nodes[index(e)];
        if n.var != var {
            return (e, e);
        }
        let c = e & 1;
        (n.low ^ c, n.high ^ c)
    }

    /// The function `var ? high : low`.
    pub fn make(&mut self, var: Var, low: Edge, high: Edge) -> Result<Edge, TooLarge> {
        if low == high {
            return Ok(low);
        }
        if is_complement(high) {
            return Ok(not(self.make(var, not(low), not(high))?));
        }
        let hash = hash3(var, low, high);
        let tag = hash & TAG_MASK;
        let mask = self.unique.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let entry = self.unique[slot];
            if entry == 0 {
                break;
            }
            // Only a slot whose tag matches costs a look at its node.
            if entry & TAG_MASK == tag {
                let id = entry as u32 - 1;
                let n = self.nodes[id as usize];
                if n.var == var && n.low == low && n.high == high {
                    return Ok(id << 1);
                }
            }
            slot = (slot + 1) & mask;
        }
        if self.nodes.len() >= self.limit {
            return Err(TooLarge);
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node { var, low, high });
        self.unique[slot] = tag | (id as u64 + 1);
        // Grown past three quarters full: with tags a probe still scans one or two cache
        // lines, and a table half the size misses the cache less (edf9204: 2.7 → 1.8 million
        // last-level misses in cachegrind, 82 → 64 MB).
        if self.nodes.len() * 4 > self.unique.len() * 3 {
            self.grow();
        }
        Ok(id << 1)
    }

    fn grow(&mut self) {
        let size = self.unique.len() * 2;
        self.rehash(size);
        // The computed table grows with the diagram up to MAX_CACHE; what it knows is carried
        // over, since the gates still to build reuse the results of the last ones.
        let target = size.min(MAX_CACHE);
        if self.cache.len() < target {
            self.recache(target, Some);
        }
    }

    /// A computed table of `size` entries holding the old one's, each edge rewritten by `map`;
    /// an entry with an edge `map` drops is forgotten.
    fn recache(&mut self, size: usize, map: impl Fn(Edge) -> Option<Edge>) {
        let old = std::mem::replace(&mut self.cache, vec![CacheEntry::default(); size]);
        for entry in old.into_iter().filter(|e| e.key != 0) {
            let (op, a) = (entry.key >> OP_SHIFT, entry.key & ((1 << OP_SHIFT) - 1));
            if let (Some(a), Some(b), Some(c), Some(result)) =
                (map(a), map(entry.b), map(entry.c), map(entry.result))
            {
                self.store(op, a, b, c, result);
            }
        }
    }

    /// A unique table of `size` slots over the nodes.
    fn rehash(&mut self, size: usize) {
        // Cleared and resized in place, the table keeps the pages it already has: clearing
        // them is cheaper than faulting in new ones (edf9204: 45,700 page faults → 21,900).
        self.unique.clear();
        self.unique.resize(size, 0);
        let mask = size - 1;
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            let hash = hash3(n.var, n.low, n.high);
            let mut slot = hash as usize & mask;
            while self.unique[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.unique[slot] = (hash & TAG_MASK) | (i as u64 + 1);
        }
    }

    /// Drops the nodes that no root reaches, renumbering the rest in order (so children still
    /// come first), and rewrites the roots. The computed table keeps what it knew of the
    /// survivors. Intermediate diagrams are mostly garbage once a gate is built (das9701: 18 M
    /// nodes made, under 1 M used); without them the tables stay small and near the processor.
    pub fn compact(&mut self, roots: &mut [&mut [Edge]]) {
        let n = self.nodes.len();
        let mut keep = vec![false; n];
        keep[0] = true;
        for r in roots.iter() {
            for &e in r.iter() {
                keep[index(e)] = true;
            }
        }
        for i in (1..n).rev() {
            if keep[i] {
                let node = self.nodes[i];
                keep[index(node.low)] = true;
                keep[index(node.high)] = true;
            }
        }
        let mut map = vec![u32::MAX; n];
        let mut next = 0usize;
        for i in 0..n {
            if keep[i] {
                map[i] = next as u32;
                let node = self.nodes[i];
                let re = |e: Edge| (map[index(e)] << 1) | (e & 1);
                self.nodes[next] = Node {
                    var: node.var,
                    low: re(node.low),
                    high: re(node.high),
                };
                next += 1;
            }
        }
        self.nodes.truncate(next);
        let re = |e: Edge| match map[index(e)] {
            u32::MAX => None,
            to => Some((to << 1) | (e & 1)),
        };
        for r in roots.iter_mut() {
            for e in r.iter_mut() {
                *e = re(*e).expect("roots are kept");
            }
        }
        // The table keeps its size: the build will grow back, and growing means rehashing.
        self.rehash(self.unique.len());
        self.recache(self.cache.len(), re);
    }

    /// The function true exactly when variable `var` is.
    pub fn variable(&mut self, var: Var) -> Result<Edge, TooLarge> {
        self.make(var, ZERO, ONE)
    }

    #[inline]
    fn lookup(&self, op: u32, a: Edge, b: Edge, c: Edge) -> Option<Edge> {
        let key = op << OP_SHIFT | a;
        let e = &self.cache[hash3(key, b, c) as usize & (self.cache.len() - 1)];
        (e.key == key && e.b == b && e.c == c).then_some(e.result)
    }

    #[inline]
    fn store(&mut self, op: u32, a: Edge, b: Edge, c: Edge, result: Edge) {
        let key = op << OP_SHIFT | a;
        let slot = hash3(key, b, c) as usize & (self.cache.len() - 1);
        self.cache[slot] = CacheEntry { key, b, c, result };
    }

    #[inline]
    fn step(&mut self) -> Result<(), TooLarge> {
        self.steps += 1;
        if self.steps > self.max_steps {
            return Err(TooLarge);
        }
        Ok(())
    }

    /// The conjunction of two functions.
    pub fn and(&mut self, f: Edge, g: Edge) -> Result<Edge, TooLarge> {
        if f == ZERO || g == ZERO || f == not(g) {
            return Ok(ZERO);
        }
        if f == ONE || f == g {
            return Ok(g);
        }
        if g == ONE {
            return Ok(f);
        }
        let (f, g) = if f < g { (f, g) } else { (g, f) };
        if let Some(r) = self.lookup(OP_AND, f, g, 0) {
            return Ok(r);
        }
        self.step()?;
        let var = self.var(f).min(self.var(g));
        let (f0, f1) = self.cofactors(f, var);
        let (g0, g1) = self.cofactors(g, var);
        let low = self.and(f0, g0)?;
        let high = self.and(f1, g1)?;
        let r = self.make(var, low, high)?;
        self.store(OP_AND, f, g, 0, r);
        Ok(r)
    }

    /// The disjunction of two functions.
    pub fn or(&mut self, f: Edge, g: Edge) -> Result<Edge, TooLarge> {
        Ok(not(self.and(not(f), not(g))?))
    }

    /// `f ? g : h`.
    pub fn ite(&mut self, f: Edge, g: Edge, h: Edge) -> Result<Edge, TooLarge> {
        if f == ONE {
            return Ok(g);
        }
        if f == ZERO {
            return Ok(h);
        }
        if g == h {
            return Ok(g);
        }
        if g == ONE || g == f {
            return self.or(f, h);
        }
        if g == ZERO || g == not(f) {
            return self.and(not(f), h);
        }
        if h == ZERO || h == f {
            return self.and(f, g);
        }
        if h == ONE || h == not(f) {
            return self.or(not(f), g);
        }
        // Normal form: f regular.
        let (f, g, h) = if is_complement(f) {
            (not(f), h, g)
        } else {
            (f, g, h)
        };
        if let Some(r) = self.lookup(OP_ITE, f, g, h) {
            return Ok(r);
        }
        self.step()?;
        let var = self.var(f).min(self.var(g)).min(self.var(h));
        let (f0, f1) = self.cofactors(f, var);
        let (g0, g1) = self.cofactors(g, var);
        let (h0, h1) = self.cofactors(h, var);
        let low = self.ite(f0, g0, h0)?;
        let high = self.ite(f1, g1, h1)?;
        let r = self.make(var, low, high)?;
        self.store(OP_ITE, f, g, h, r);
        Ok(r)
    }

    /// At least `k` of the functions hold. `fs` should come deepest-first for small diagrams.
    pub fn at_least(&mut self, k: usize, fs: &[Edge]) -> Result<Edge, TooLarge> {
        // counts[j]: at least j of the functions seen so far hold.
        let mut counts = vec![ZERO; k + 1];
        counts[0] = ONE;
        for (seen, &f) in fs.iter().enumerate() {
            let remaining = fs.len() - seen;
            for j in (1..=k.min(seen + 1)).rev() {
                // Counts that can no longer reach k need not be built.
                if j + remaining <= k {
                    break;
                }
                counts[j] = self.ite(f, counts[j - 1], counts[j])?;
            }
        }
        Ok(counts[k])
    }

    /// P(f) and P(¬f) of every node, children first, for variables that happen with `odds[var]`.
    /// Entry i is for node i as a regular edge; a complemented edge swaps the pair.
    pub fn probabilities(&self, odds: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let mut pq = Vec::new();
        self.probabilities_into(odds, &mut pq);
        pq
    }

    /// `probabilities` into a buffer that is reused across calls.
    pub fn probabilities_into(&self, odds: &[(f64, f64)], pq: &mut Vec<(f64, f64)>) {
        pq.clear();
        pq.reserve(self.nodes.len());
        pq.push((1.0, 0.0));
        for n in &self.nodes[1..] {
            let (p, q) = odds[n.var as usize];
            let lo = edge_pq(pq, n.low);
            let hi = edge_pq(pq, n.high);
            pq.push((q * lo.0 + p * hi.0, q * lo.1 + p * hi.1));
        }
    }
}

/// How many probability assignments `probabilities_lanes` evaluates in one pass.
pub const LANES: usize = 4;
/// One value per lane.
pub type Lanes = [f64; LANES];

impl Manager {
    /// `probabilities` for `LANES` assignments at once: one walk over the nodes serves them all,
    /// so each node's children are fetched once per batch rather than once per assignment.
    pub fn probabilities_lanes(&self, odds: &[(Lanes, Lanes)], pq: &mut Vec<(Lanes, Lanes)>) {
        pq.clear();
        pq.reserve(self.nodes.len());
        pq.push(([1.0; LANES], [0.0; LANES]));
        for n in &self.nodes[1..] {
            let (p, q) = &odds[n.var as usize];
            let lo = edge_lanes(pq, n.low);
            let hi = edge_lanes(pq, n.high);
            let mut out = ([0.0; LANES], [0.0; LANES]);
            for s in 0..LANES {
                out.0[s] = q[s] * lo.0[s] + p[s] * hi.0[s];
                out.1[s] = q[s] * lo.1[s] + p[s] * hi.1[s];
            }
            pq.push(out);
        }
    }
}

/// (P, Q) lanes of an edge from the per-node table.
#[inline]
pub fn edge_lanes(table: &[(Lanes, Lanes)], e: Edge) -> (Lanes, Lanes) {
    let (p, q) = table[index(e)];
    if is_complement(e) { (q, p) } else { (p, q) }
}

/// (P, Q) of an edge from the per-node table.
#[inline]
pub fn edge_pq(table: &[(f64, f64)], e: Edge) -> (f64, f64) {
    let (p, q) = table[index(e)];
    if is_complement(e) { (q, p) } else { (p, q) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_identities() {
        let mut m = Manager::new();
        let a = m.variable(0).unwrap();
        let b = m.variable(1).unwrap();
        let ab = m.and(a, b).unwrap();
        let ba = m.and(b, a).unwrap();
        assert_eq!(ab, ba);
        let a_or_b = m.or(a, b).unwrap();
        let de_morgan = not(m.and(not(a), not(b)).unwrap());
        assert_eq!(a_or_b, de_morgan);
        assert_eq!(m.and(a, not(a)).unwrap(), ZERO);
        assert_eq!(m.or(a, not(a)).unwrap(), ONE);
        let t = m.ite(a, b, not(b)).unwrap();
        let both = m.and(a, b).unwrap();
        let neither = m.and(not(a), not(b)).unwrap();
        let x = m.or(both, neither).unwrap();
        assert_eq!(t, x);
    }

    #[test]
    fn probability_of_or_keeps_small_values() {
        let mut m = Manager::new();
        let a = m.variable(0).unwrap();
        let b = m.variable(1).unwrap();
        let both = m.and(a, b).unwrap();
        let pq = m.probabilities(&[(1e-12, 1.0 - 1e-12), (1e-12, 1.0 - 1e-12)]);
        let (p, q) = edge_pq(&pq, both);
        assert_eq!(p, 1e-24);
        assert!((q - 1.0).abs() < 1e-15);
        let (p, _) = edge_pq(&pq, not(both));
        assert!((p - 1.0).abs() < 1e-15);
    }

    #[test]
    fn compaction_keeps_what_roots_reach_and_their_probabilities() {
        let mut m = Manager::new();
        let vars: Vec<Edge> = (0..8).map(|v| m.variable(v).unwrap()).collect();
        let three = m.at_least(3, &vars).unwrap();
        let garbage = m.at_least(5, &vars).unwrap();
        let odds = [(0.3, 0.7); 8];
        let pq = m.probabilities(&odds);
        let (before, dropped) = (edge_pq(&pq, not(three)), edge_pq(&pq, garbage));
        let size = m.len();
        let mut roots = [not(three), vars[2]];
        m.compact(&mut [&mut roots]);
        assert!(m.len() < size, "{} nodes kept of {size}", m.len());
        let after = m.probabilities(&odds);
        assert_eq!(edge_pq(&after, roots[0]), before);
        // The kept nodes still answer: rebuilding gives the same edge, and a dropped function
        // can be built anew.
        let vars: Vec<Edge> = (0..8).map(|v| m.variable(v).unwrap()).collect();
        assert_eq!(vars[2], roots[1]);
        assert_eq!(not(m.at_least(3, &vars).unwrap()), roots[0]);
        let again = m.at_least(5, &vars).unwrap();
        assert_eq!(edge_pq(&m.probabilities(&odds), again), dropped);
    }

    #[test]
    fn at_least_counts() {
        let mut m = Manager::new();
        let vars: Vec<Edge> = (0..5).map(|v| m.variable(v).unwrap()).collect();
        let f = m.at_least(3, &vars).unwrap();
        let pq = m.probabilities(&[(0.5, 0.5); 5]);
        // 16 of the 32 assignments have at least 3 of 5.
        assert_eq!(edge_pq(&pq, f).0, 0.5);
    }
}
