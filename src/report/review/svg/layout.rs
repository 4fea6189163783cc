//! Where the dependency graph's boxes and arrows go: layers by longest path, Sugiyama style,
//! with barycentre sweeps against crossings and pooled positions. Geometry only; `svg` draws it.

use super::*;

pub(super) const NODE_H: f64 = 50.0;
const LAYER_GAP: f64 = 62.0;
const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 10.0;
const MARGIN: f64 = 16.0;
pub(super) const NAME_CHARS: usize = 30;

/// Where everything goes: node centres and sizes, and each edge's route through the layers.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The drawing's width, margins included.
    pub width: f64,
    /// The drawing's height, margins included.
    pub height: f64,
    /// Per node: centre x, top y, width.
    pub nodes: Vec<(f64, f64, f64)>,
    /// Per node: its layer, 0 at the top.
    pub layer: Vec<usize>,
    /// Per edge of the graph: the points of its route, from the caller's bottom to the callee's
    /// top, through one point pair per layer crossed.
    pub routes: Vec<Vec<(f64, f64)>>,
    /// Edge crossings left after the sweeps.
    pub crossings: usize,
}

/// Longest-path layers: every component above everything it calls.
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        out[a].push(b);
        indegree[b] += 1;
    }
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some(v) = queue.pop_front() {
        order.push(v);
        placed[v] = true;
        for &w in &out[v] {
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    // A validated model is acyclic; should a cycle slip through, its nodes still get drawn.
    order.extend((0..n).filter(|&v| !placed[v]));
    let mut position = vec![0; n];
    for (i, &v) in order.iter().enumerate() {
        position[v] = i;
    }
    let mut layer = vec![0usize; n];
    for &v in &order {
        for &w in &out[v] {
            if position[w] > position[v] {
                layer[w] = layer[w].max(layer[v] + 1);
            }
        }
    }
    layer
}

/// Least-squares positions keeping order and spacing: minimise Σ (x_i − want_i)² subject to
/// x_{i+1} − x_i ≥ gap_i. With y_i = x_i − Σ_{j<i} gap_j this is isotonic regression, solved
/// exactly by pooling adjacent violators.
fn pool_adjacent(want: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(want.len());
    let mut s = 0.0;
    for i in 0..want.len() {
        offset.push(s);
        if i < gaps.len() {
            s += gaps[i];
        }
    }
    // Blocks of (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for i in 0..want.len() {
        blocks.push((want[i] - offset[i], 1));
        while blocks.len() > 1 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 > s2 / c2 as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s1 + s2, c1 + c2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(want.len());
    for (sum, count) in blocks {
        let mean = sum / count as f64;
        for _ in 0..count {
            out.push(mean);
        }
    }
    out.iter().zip(&offset).map(|(y, o)| y + o).collect()
}

fn count_crossings(order: &[Vec<usize>], pos: &[usize], down: &[Vec<usize>]) -> usize {
    let mut total = 0;
    for layer in order {
        let mut segs: Vec<(usize, usize)> = Vec::new();
        for &u in layer {
            for &v in &down[u] {
                segs.push((pos[u], pos[v]));
            }
        }
        for i in 0..segs.len() {
            for j in i + 1..segs.len() {
                let (a, b) = (segs[i], segs[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Lays the graph out top-down: callers above callees, long edges through dummy points, the
/// order within layers from barycentre sweeps (keeping the order with fewest crossings), and
/// positions from least squares towards the neighbours' mean.
pub fn layout(g: &GraphData) -> Layout {
    let n = g.nodes.len();
    let pairs: Vec<(usize, usize)> = g
        .edges
        .iter()
        .filter(|e| e.from != e.to && e.from < n && e.to < n)
        .map(|e| (e.from, e.to))
        .collect();
    let layer = layers(n, &pairs);

    // Virtual nodes: the real ones, then one dummy per layer an edge crosses.
    let mut vlayer = layer.clone();
    let mut vwidth: Vec<f64> = g
        .nodes
        .iter()
        .map(|node| {
            let name = text_width(&truncate(&node.name, NAME_CHARS), 13.5, true);
            let detail = text_width(&node.detail, 11.5, false);
            (name.max(detail) + 28.0).max(92.0)
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(g.edges.len());
    for e in &g.edges {
        if e.from == e.to || e.from >= n || e.to >= n {
            chains.push(Vec::new());
            continue;
        }
        let mut chain = vec![e.from];
        let (top, bottom) = (layer[e.from], layer[e.to]);
        // An edge that would point upwards (only in a cycle) is drawn without dummies.
        for l in top + 1..bottom {
            vlayer.push(l);
            vwidth.push(0.0);
            chain.push(vlayer.len() - 1);
        }
        chain.push(e.to);
        chains.push(chain);
    }
    let vn = vlayer.len();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); vn];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); vn];
    for chain in &chains {
        for w in chain.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
    }
    let depth = vlayer.iter().copied().max().map_or(0, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for v in 0..vn {
        order[vlayer[v]].push(v);
    }
    let mut pos = vec![0usize; vn];
    let index = |order: &[Vec<usize>], pos: &mut [usize]| {
        for layer in order {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&order, &mut pos);
    let mut best = (count_crossings(&order, &pos, &down), order.clone());
    for sweep in 0..16 {
        let downward = sweep % 2 == 0;
        let layers: Vec<usize> = if downward {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let key = |v: usize| {
                let nbrs = if downward { &up[v] } else { &down[v] };
                if nbrs.is_empty() {
                    pos[v] as f64
                } else {
                    nbrs.iter().map(|&u| pos[u] as f64).sum::<f64>() / nbrs.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize, usize)> =
                order[l].iter().map(|&v| (key(v), pos[v], v)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[l] = keyed.into_iter().map(|k| k.2).collect();
            for (i, &v) in order[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = count_crossings(&order, &pos, &down);
        if c < best.0 {
            best = (c, order.clone());
        }
    }
    let (crossings, order) = best;
    index(&order, &mut pos);

    // Horizontal positions.
    let gap = |a: usize, b: usize| {
        let g = if a >= n || b >= n {
            DUMMY_GAP
        } else {
            NODE_GAP
        };
        vwidth[a] / 2.0 + vwidth[b] / 2.0 + g
    };
    let mut x = vec![0.0f64; vn];
    for layer in &order {
        let mut at = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                at += gap(layer[i - 1], v);
            }
            x[v] = at;
        }
    }
    // Centre the layers on the widest one before pulling them together.
    let extent = |layer: &[usize], x: &[f64]| match (layer.first(), layer.last()) {
        (Some(&a), Some(&b)) => (x[a] - vwidth[a] / 2.0, x[b] + vwidth[b] / 2.0),
        _ => (0.0, 0.0),
    };
    let widest = order
        .iter()
        .map(|l| {
            let (a, b) = extent(l, &x);
            b - a
        })
        .fold(0.0, f64::max);
    for layer in &order {
        let (a, b) = extent(layer, &x);
        let shift = (widest - (b - a)) / 2.0 - a;
        for &v in layer {
            x[v] += shift;
        }
    }
    for sweep in 0..24 {
        let layers: Vec<usize> = if sweep % 2 == 0 {
            (0..depth).collect()
        } else {
            (0..depth).rev().collect()
        };
        for l in layers {
            let layer = &order[l];
            if layer.is_empty() {
                continue;
            }
            let want: Vec<f64> = layer
                .iter()
                .map(|&v| {
                    let nbrs: Vec<usize> = up[v].iter().chain(&down[v]).copied().collect();
                    if nbrs.is_empty() {
                        x[v]
                    } else {
                        nbrs.iter().map(|&u| x[u]).sum::<f64>() / nbrs.len() as f64
                    }
                })
                .collect();
            let gaps: Vec<f64> = layer.windows(2).map(|w| gap(w[0], w[1])).collect();
            let placed = pool_adjacent(&want, &gaps);
            for (&v, p) in layer.iter().zip(placed) {
                x[v] = p;
            }
        }
    }
    let left = (0..vn)
        .map(|v| x[v] - vwidth[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let right = (0..vn)
        .map(|v| x[v] + vwidth[v] / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let shift = if left.is_finite() { MARGIN - left } else { 0.0 };
    for v in x.iter_mut() {
        *v += shift;
    }
    let top = |l: usize| MARGIN + l as f64 * (NODE_H + LAYER_GAP);

    // Ports: the edges leaving (entering) a node are spread along its bottom (top) edge, in
    // the order of where they go (come from), so that they do not cross at the node.
    let mut out_port = vec![0.0f64; chains.len()];
    let mut in_port = vec![0.0f64; chains.len()];
    for v in 0..n {
        let spread = |mut es: Vec<(f64, usize)>, port: &mut [f64]| {
            es.sort_by(|a, b| a.0.total_cmp(&b.0));
            let m = es.len();
            let step = ((vwidth[v] - 24.0) / m.max(1) as f64).min(12.0);
            for (k, (_, e)) in es.into_iter().enumerate() {
                port[e] = x[v] + (k as f64 - (m as f64 - 1.0) / 2.0) * step;
            }
        };
        let outs: Vec<(f64, usize)> = chains
            .iter()
            .enumerate()
            .filter(|(_, c)| c.len() >= 2 && c[0] == v)
            .map(|(e, c)| (x[c[1]], e))
            .collect();
        spread(outs, &mut out_port);
        let ins: Vec<(f64, usize)> = chains
            .iter()
            .enumerate()
            .filter(|(_, c)| c.len() >= 2 && c[c.len() - 1] == v)
            .map(|(e, c)| (x[c[c.len() - 2]], e))
            .collect();
        spread(ins, &mut in_port);
    }
    let routes = chains
        .iter()
        .enumerate()
        .map(|(e, chain)| {
            if chain.len() < 2 {
                return Vec::new();
            }
            let mut pts = vec![(out_port[e], top(vlayer[chain[0]]) + NODE_H)];
            for &d in &chain[1..chain.len() - 1] {
                pts.push((x[d], top(vlayer[d])));
                pts.push((x[d], top(vlayer[d]) + NODE_H));
            }
            let last = chain[chain.len() - 1];
            pts.push((in_port[e], top(vlayer[last])));
            pts
        })
        .collect();
    Layout {
        width: (right + shift + MARGIN).max(2.0 * MARGIN),
        height: top(depth.max(1)) - LAYER_GAP + MARGIN,
        nodes: (0..n).map(|v| (x[v], top(vlayer[v]), vwidth[v])).collect(),
        layer,
        routes,
        crossings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::review::{GraphEdge, GraphNode};

    fn node(name: &str) -> GraphNode {
        GraphNode {
            name: name.into(),
            detail: "99.9%".into(),
            external: false,
            meets_slo: None,
        }
    }

    fn edge(from: usize, to: usize) -> GraphEdge {
        GraphEdge {
            from,
            to,
            kind: EdgeKind::Hard,
            label: String::new(),
        }
    }

    #[test]
    fn pooling_keeps_order_and_gaps_and_is_least_squares() {
        // Two nodes both wanting x = 0 with a gap of 10 settle symmetrically.
        assert_eq!(pool_adjacent(&[0.0, 0.0], &[10.0]), vec![-5.0, 5.0]);
        // Far enough apart already: untouched.
        assert_eq!(pool_adjacent(&[0.0, 50.0], &[10.0]), vec![0.0, 50.0]);
        let x = pool_adjacent(&[30.0, 0.0, 10.0], &[5.0, 5.0]);
        assert!(
            x[1] - x[0] >= 5.0 - 1e-9 && x[2] - x[1] >= 5.0 - 1e-9,
            "{x:?}"
        );
    }

    #[test]
    fn callers_sit_above_what_they_call() {
        // a → b → c and a → c: c is two layers below a, via a dummy.
        let g = GraphData {
            nodes: vec![node("a"), node("b"), node("c")],
            edges: vec![edge(0, 1), edge(1, 2), edge(0, 2)],
        };
        let l = layout(&g);
        assert_eq!(l.layer, vec![0, 1, 2]);
        assert!(l.nodes[0].1 < l.nodes[1].1 && l.nodes[1].1 < l.nodes[2].1);
        // The long edge passes through one dummy: start, dummy top and bottom, end.
        assert_eq!(l.routes[2].len(), 4);
        for (i, j) in [(0, 1), (1, 2)] {
            let (a, b) = (l.nodes[i], l.nodes[j]);
            assert!(a.1 + NODE_H < b.1, "layers do not overlap");
        }
    }

    #[test]
    fn nodes_in_a_layer_do_not_overlap() {
        let mut nodes = vec![node("root")];
        let mut edges = Vec::new();
        for i in 0..8 {
            nodes.push(node(&format!("service-with-a-long-name-{i}")));
            edges.push(edge(0, i + 1));
        }
        let l = layout(&GraphData { nodes, edges });
        let mut row: Vec<(f64, f64)> = l.nodes[1..]
            .iter()
            .map(|&(x, _, w)| (x - w / 2.0, x + w / 2.0))
            .collect();
        row.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in row.windows(2) {
            assert!(w[0].1 + NODE_GAP - 1e-6 <= w[1].0, "{w:?}");
        }
        assert!(row[0].0 >= MARGIN - 1e-6 && row[7].1 <= l.width);
        // The root is centred over its callees.
        let centre = (row[0].0 + row[7].1) / 2.0;
        assert!((l.nodes[0].0 - centre).abs() < 1.0);
    }

    #[test]
    fn sweeps_remove_avoidable_crossings() {
        // a calls d, b calls c: listed crosswise, drawn without crossing.
        let g = GraphData {
            nodes: vec![node("a"), node("b"), node("c"), node("d")],
            edges: vec![edge(0, 3), edge(1, 2)],
        };
        assert_eq!(layout(&g).crossings, 0);
    }
}
