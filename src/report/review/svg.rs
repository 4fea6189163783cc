//! The report's pictures as inline SVG, drawn here so that the page needs nothing from the
//! network: the dependency graph (layered by depth, Sugiyama style), the nines of every
//! component, the downtime spent of each SLO budget, and the simulated downtime histograms.
//!
//! Every name is escaped; every id is fixed and prefixed, so the SVGs can share one page.

use std::fmt::Write;

use super::{EdgeKind, GraphData, SimulatedComponent};
use crate::model::units::{format_duration_human, format_percent};
use crate::report::text::{escape_html as esc, format_nines};

const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK: &str = "#0f172a";
const MUTED: &str = "#64748b";
const GRID: &str = "#e2e8f0";
const OK: &str = "#16a34a";
const BAD: &str = "#dc2626";
const NEUTRAL: &str = "#64748b";

/// A rough advance width of text in a sans-serif: enough to size boxes, never exact.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' | 'I' | 't' | 'f'
            | 'r' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.85,
            c if c.is_ascii_uppercase() => 0.68,
            c if c.is_ascii() => 0.56,
            // Wide scripts (CJK and the like) take about a full em.
            c if (c as u32) >= 0x2E80 => 1.0,
            _ => 0.6,
        })
        .sum();
    em * size * if bold { 1.08 } else { 1.0 }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn f(x: f64) -> String {
    // One decimal is plenty for a picture, and keeps the SVG short.
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

// ---------------------------------------------------------------------------------------------
// The dependency graph

const NODE_H: f64 = 50.0;
const LAYER_GAP: f64 = 62.0;
const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 10.0;
const MARGIN: f64 = 16.0;
const NAME_CHARS: usize = 30;

/// Where everything goes: node centres and sizes, and each edge's route through the layers.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Per node: centre x, top y, width.
    pub nodes: Vec<(f64, f64, f64)>,
    pub layer: Vec<usize>,
    /// Per edge of the graph: the points of its route, from the caller's bottom to the callee's
    /// top, through one point pair per layer crossed.
    pub routes: Vec<Vec<(f64, f64)>>,
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

fn edge_color(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Hard => "#475569",
        EdgeKind::Degrade => "#d97706",
        EdgeKind::Ignore => "#94a3b8",
        EdgeKind::Fallback => "#7c3aed",
    }
}

fn edge_class(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Hard => "hard",
        EdgeKind::Degrade => "degrade",
        EdgeKind::Ignore => "ignore",
        EdgeKind::Fallback => "fallback",
    }
}

fn edge_dash(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Hard => "",
        EdgeKind::Degrade => " stroke-dasharray=\"7 4\"",
        EdgeKind::Ignore => " stroke-dasharray=\"2 4\"",
        EdgeKind::Fallback => " stroke-dasharray=\"7 4\"",
    }
}

const KINDS: [EdgeKind; 4] = [
    EdgeKind::Hard,
    EdgeKind::Degrade,
    EdgeKind::Ignore,
    EdgeKind::Fallback,
];

/// The dependency graph as an SVG element.
pub fn graph(g: &GraphData, title: &str) -> String {
    let l = layout(g);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" style=\"width: {w}px; height: auto\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\">\n<title>{}</title>\n<defs>\n",
        esc(title),
        esc(title),
        w = f(l.width),
        h = f(l.height),
    );
    for k in KINDS {
        let _ = writeln!(
            s,
            "<marker id=\"nines-arrow-{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,1 L10,5 L0,9 z\" fill=\"{}\"/></marker>",
            edge_class(k),
            edge_color(k)
        );
    }
    s += "</defs>\n<g class=\"edges\" fill=\"none\" stroke-width=\"1.6\">\n";
    let mut labels = String::new();
    for (e, route) in g.edges.iter().zip(&l.routes) {
        if route.len() < 2 {
            continue;
        }
        let mut d = format!("M{},{}", f(route[0].0), f(route[0].1));
        let mut i = 0;
        while i + 1 < route.len() {
            let (a, b) = (route[i], route[i + 1]);
            let dy = (b.1 - a.1) / 2.0;
            let _ = write!(
                d,
                " C{},{} {},{} {},{}",
                f(a.0),
                f(a.1 + dy),
                f(b.0),
                f(b.1 - dy),
                f(b.0),
                f(b.1 - 1.0)
            );
            // Through a dummy: straight down its row.
            if i + 2 < route.len() {
                let c = route[i + 2];
                let _ = write!(d, " L{},{}", f(c.0), f(c.1));
            }
            i += 2;
        }
        let _ = writeln!(
            s,
            "<path class=\"edge {}\" d=\"{d}\" stroke=\"{}\"{} marker-end=\"url(#nines-arrow-{})\"><title>{} → {}{}</title></path>",
            edge_class(e.kind),
            edge_color(e.kind),
            edge_dash(e.kind),
            edge_class(e.kind),
            esc(&g.nodes[e.from].name),
            esc(&g.nodes[e.to].name),
            match e.kind {
                EdgeKind::Hard => String::new(),
                k => format!(" ({})", edge_class(k)),
            }
        );
        // Only groups are labelled, just above the arrowhead, where edges into different
        // members never meet; the other kinds are told apart by colour and dashes (legend).
        if !e.label.is_empty() {
            let end = route[route.len() - 1];
            let _ = writeln!(
                labels,
                "<text x=\"{}\" y=\"{}\" font-size=\"10.5\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"3.5\" paint-order=\"stroke\">{}</text>",
                f(end.0 + 7.0),
                f(end.1 - 9.0),
                edge_color(e.kind),
                esc(&e.label)
            );
        }
    }
    s += "</g>\n<g class=\"nodes\">\n";
    for (node, &(cx, top, w)) in g.nodes.iter().zip(&l.nodes) {
        let (stroke, fill, class) = match node.meets_slo {
            Some(true) => (OK, "#f0fdf4", "node slo-met"),
            Some(false) => (BAD, "#fef2f2", "node slo-missed"),
            None => ("#94a3b8", "#ffffff", "node"),
        };
        let dash = if node.external {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        let width = if node.meets_slo.is_some() { 2.0 } else { 1.3 };
        let _ = writeln!(
            s,
            "<g class=\"{class}{}\"><title>{}{} — {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{NODE_H}\" rx=\"9\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13.5\" font-weight=\"600\" fill=\"{INK}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11.5\" fill=\"{MUTED}\">{}</text></g>",
            if node.external { " external" } else { "" },
            esc(&node.name),
            if node.external { " (external)" } else { "" },
            esc(&node.detail),
            f(cx - w / 2.0),
            f(top),
            f(w),
            f(cx),
            f(top + 21.0),
            esc(&truncate(&node.name, NAME_CHARS)),
            f(cx),
            f(top + 38.0),
            esc(&node.detail)
        );
    }
    s += "</g>\n<g class=\"labels\">\n";
    s += &labels;
    s += "</g>\n</svg>\n";
    s
}

/// A small sample of an edge style, for the legend.
pub fn edge_sample(kind: EdgeKind) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"34\" height=\"10\" viewBox=\"0 0 34 10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\" x2=\"33\" y2=\"5\" stroke=\"{}\" stroke-width=\"2\"{}/></svg>",
        edge_color(kind),
        edge_dash(kind)
    )
}

// ---------------------------------------------------------------------------------------------
// Charts

/// One bar of the nines chart.
#[derive(Clone, Debug, PartialEq)]
pub struct NinesBar {
    pub name: String,
    /// Infinite for a component never down.
    pub nines: f64,
    pub availability: f64,
    pub unavailability: f64,
    pub slo_nines: Option<f64>,
    pub meets: Option<bool>,
}

fn percent_of_nines(n: f64) -> String {
    let u = 10f64.powf(-n);
    format_percent(1.0 - u, u)
}

/// Horizontal bars: each component's nines, its slo marked.
pub fn nines_chart(bars: &[NinesBar], title: &str) -> String {
    const W: f64 = 960.0;
    const LABEL: f64 = 190.0;
    const X0: f64 = 200.0;
    const X1: f64 = 770.0;
    const ROW: f64 = 26.0;
    const TOP: f64 = 40.0;
    let top_nines = bars
        .iter()
        .flat_map(|b| [Some(b.nines), b.slo_nines])
        .flatten()
        .filter(|n| n.is_finite())
        .fold(3.0f64, f64::max);
    let max = (top_nines + 0.25).ceil().max(3.0);
    let sx = |n: f64| X0 + (X1 - X0) * (n.clamp(0.0, max) / max);
    let h = TOP + ROW * bars.len() as f64 + 12.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart nines\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        f(h),
        esc(title),
        esc(title)
    );
    let mut n = 0.0;
    while n <= max + 1e-9 {
        let x = sx(n);
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{GRID}\"/><text x=\"{x}\" y=\"16\" text-anchor=\"middle\" font-size=\"11.5\" fill=\"{INK}\">{}</text><text x=\"{x}\" y=\"30\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(TOP - 4.0),
            f(h - 8.0),
            n as u32,
            if n == 0.0 {
                "0%".to_string()
            } else {
                percent_of_nines(n)
            },
            x = f(x)
        );
        n += 1.0;
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let color = match b.meets {
            Some(true) => OK,
            Some(false) => BAD,
            None => NEUTRAL,
        };
        let end = if b.nines.is_finite() { sx(b.nines) } else { X1 };
        let value = if b.nines.is_finite() {
            format!(
                "{} · {}",
                format_nines(b.nines),
                format_percent(b.availability, b.unavailability)
            )
        } else {
            "∞ · never down".into()
        };
        let _ = writeln!(
            s,
            "<g class=\"bar\"><title>{}: {} nines ({})</title><text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\" font-size=\"12.5\" fill=\"{INK}\">{}</text><rect x=\"{X0}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.85\"/><text x=\"{}\" y=\"{}\" font-size=\"11.5\" fill=\"{MUTED}\">{}</text></g>",
            esc(&b.name),
            format_nines(b.nines),
            format_percent(b.availability, b.unavailability),
            f(y + ROW / 2.0 + 4.0),
            esc(&truncate(&b.name, 26)),
            f(y + 5.0),
            f((end - X0).max(1.0)),
            f(ROW - 10.0),
            f(X1 + 10.0),
            f(y + ROW / 2.0 + 4.0),
            value
        );
        if let Some(slo) = b.slo_nines.filter(|n| n.is_finite()) {
            let x = sx(slo);
            let _ = writeln!(
                s,
                "<g class=\"slo-mark\"><title>slo {}</title><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"2.5\"/><path d=\"M{},{} l-4,-5 h8 z\" fill=\"{INK}\"/></g>",
                percent_of_nines(slo),
                f(y + 2.0),
                f(y + ROW - 2.0),
                f(x),
                f(y + 3.0),
                x = f(x)
            );
        }
    }
    s += "</svg>\n";
    s
}

/// One row of the budget chart.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetBar {
    pub name: String,
    pub used_s: f64,
    pub budget_s: f64,
}

/// Horizontal bars: the expected downtime per window as a share of the slo's budget, with the
/// budget at 100%.
pub fn budget_chart(rows: &[BudgetBar], window: &str, title: &str) -> String {
    const W: f64 = 960.0;
    const LABEL: f64 = 190.0;
    const X0: f64 = 200.0;
    const X1: f64 = 700.0;
    const ROW: f64 = 30.0;
    const TOP: f64 = 26.0;
    let share = |r: &BudgetBar| {
        if r.budget_s > 0.0 {
            r.used_s / r.budget_s
        } else if r.used_s > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    };
    // Up to 150% always; further only as far as needed, at most 5×.
    let max = rows
        .iter()
        .map(share)
        .fold(1.5f64, |m, x| m.max((x * 1.1).min(5.0)));
    let max = (max * 2.0).ceil() / 2.0;
    let sx = |x: f64| X0 + (X1 - X0) * (x.clamp(0.0, max) / max);
    let h = TOP + ROW * rows.len() as f64 + 10.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart budget\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        f(h),
        esc(title),
        esc(title)
    );
    let mut t = 0.0;
    while t <= max + 1e-9 {
        let x = f(sx(t));
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{GRID}\"/><text x=\"{x}\" y=\"14\" text-anchor=\"middle\" font-size=\"11\" fill=\"{MUTED}\">{}%</text>",
            f(TOP - 4.0),
            f(h - 6.0),
            (t * 100.0).round()
        );
        t += 0.5;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let x = share(r);
        let color = if x <= 1.0 { OK } else { BAD };
        let over = if x > max { " ▸" } else { "" };
        let pct = if x.is_finite() {
            format!("{:.0}%", x * 100.0)
        } else {
            "no budget".into()
        };
        let _ = writeln!(
            s,
            "<g class=\"bar\"><title>{}: {} of {} per {window}</title><text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\" font-size=\"12.5\" fill=\"{INK}\">{}</text><rect x=\"{X0}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.85\"/><text x=\"{}\" y=\"{}\" font-size=\"11.5\" fill=\"{MUTED}\">{} of {} ({pct}){over}</text></g>",
            esc(&r.name),
            format_duration_human(r.used_s),
            format_duration_human(r.budget_s),
            f(y + ROW / 2.0 + 4.0),
            esc(&truncate(&r.name, 26)),
            f(y + 6.0),
            f((sx(x) - X0).max(1.0)),
            f(ROW - 12.0),
            f(X1 + 10.0),
            f(y + ROW / 2.0 + 4.0),
            format_duration_human(r.used_s),
            format_duration_human(r.budget_s),
        );
    }
    let bx = f(sx(1.0));
    let _ = writeln!(
        s,
        "<line class=\"budget-line\" x1=\"{bx}\" y1=\"{}\" x2=\"{bx}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
        f(TOP - 6.0),
        f(h - 4.0)
    );
    s += "</svg>\n";
    s
}

/// The simulated downtime per window of one component: a histogram (or, without one, the
/// percentiles as a box from p50 to p90 and a whisker to p99) with the slo's budget marked.
/// None when there is nothing to draw.
pub fn histogram(c: &SimulatedComponent, window: &str) -> Option<String> {
    const W: f64 = 460.0;
    const H: f64 = 248.0;
    const X0: f64 = 44.0;
    const X1: f64 = 440.0;
    const Y0: f64 = 180.0;
    const Y1: f64 = 16.0;
    let pct = c.window_downtime_s;
    if c.histogram.is_empty() && pct.is_none() {
        return None;
    }
    let title = format!("{}: downtime per {window}", c.name);
    let hi = c
        .histogram
        .iter()
        .map(|b| b.hi_s)
        .chain(c.budget_s)
        .chain(pct.map(|p| p.p99))
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max);
    let hi = if hi > 0.0 { hi * 1.05 } else { 1.0 };
    let sx = |x: f64| X0 + (X1 - X0) * (x / hi).clamp(0.0, 1.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart histogram\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{X0}\" y1=\"{Y0}\" x2=\"{X1}\" y2=\"{Y0}\" stroke=\"{MUTED}\"/>"
    );
    if c.histogram.is_empty() {
        if let Some(p) = pct {
            let (a, b, top) = (sx(p.p50), sx(p.p90), sx(p.p99));
            let _ = writeln!(
                s,
                "<g class=\"spread\"><line x1=\"{}\" y1=\"110\" x2=\"{}\" y2=\"110\" stroke=\"#3b82f6\" stroke-width=\"2\"/><line x1=\"{}\" y1=\"100\" x2=\"{}\" y2=\"120\" stroke=\"#3b82f6\" stroke-width=\"2\"/><rect x=\"{}\" y=\"92\" width=\"{}\" height=\"36\" rx=\"3\" fill=\"#3b82f6\" fill-opacity=\"0.8\"><title>half of the windows below {}, nine in ten below {}, 99 in 100 below {}</title></rect></g>",
                f(b),
                f(top),
                f(top),
                f(top),
                f(a),
                f((b - a).max(2.0)),
                format_duration_human(p.p50),
                format_duration_human(p.p90),
                format_duration_human(p.p99)
            );
        }
    } else {
        let most = c
            .histogram
            .iter()
            .map(|b| b.windows)
            .max()
            .unwrap_or(0)
            .max(1);
        let sy = |n: u64| Y0 - (Y0 - Y1) * n as f64 / most as f64;
        for b in &c.histogram {
            let over = c.budget_s.is_some_and(|budget| b.lo_s >= budget);
            let (x0, x1) = (sx(b.lo_s), sx(b.hi_s));
            let _ = writeln!(
                s,
                "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}–{}: {} windows</title></rect>",
                f(x0 + 0.5),
                f(sy(b.windows)),
                f((x1 - x0 - 1.0).max(0.5)),
                f(Y0 - sy(b.windows)),
                if over { BAD } else { "#3b82f6" },
                format_duration_human(b.lo_s),
                format_duration_human(b.hi_s),
                b.windows
            );
        }
        let total: u64 = c.histogram.iter().map(|b| b.windows).sum();
        let _ = writeln!(
            s,
            "<text x=\"{X0}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\">{total} windows</text>",
            f(H - 4.0)
        );
    }
    for i in 0..=4 {
        let v = hi * i as f64 / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(sx(v)),
            f(Y0 + 14.0),
            format_duration_human(v)
        );
    }
    // Percentiles below the axis labels; those that fall together share one mark.
    let mut marks: Vec<(f64, String)> = Vec::new();
    if let Some(p) = pct {
        for (label, v) in [("p50", p.p50), ("p90", p.p90), ("p99", p.p99)] {
            let x = sx(v);
            match marks.last_mut() {
                Some((at, text)) if (x - *at).abs() < 22.0 => *text += &format!(" {label}"),
                _ => marks.push((x, label.to_string())),
            }
        }
    }
    for (x, label) in marks {
        let _ = writeln!(
            s,
            "<g class=\"percentile\"><path d=\"M{},{} l-4,6 h8 z\" fill=\"{INK}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{INK}\">{label}</text></g>",
            f(x),
            f(Y0 + 20.0),
            f(x),
            f(Y0 + 37.0)
        );
    }
    if let Some(budget) = c.budget_s {
        let x = f(sx(budget));
        let _ = writeln!(
            s,
            "<g class=\"budget-line\"><line x1=\"{x}\" y1=\"{Y1}\" x2=\"{x}\" y2=\"{Y0}\" stroke=\"{BAD}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{BAD}\">slo budget {}</text></g>",
            f(Y1 - 4.0),
            format_duration_human(budget)
        );
    }
    s += "</svg>\n";
    Some(s)
}

/// The availability of one component over the draws of the model's uncertain values: a
/// histogram of the draws' nines, red beyond the slo, with the slo marked.
pub fn doubt_chart(name: &str, unavailability: &[f64], slo_unavailability: f64) -> String {
    const W: f64 = 460.0;
    const H: f64 = 230.0;
    const X0: f64 = 44.0;
    const X1: f64 = 440.0;
    const Y0: f64 = 180.0;
    const Y1: f64 = 20.0;
    const BINS: usize = 30;
    let title = format!("{name}: availability over the draws");
    // Nines of each draw; a draw never down is drawn at the right edge.
    let nines: Vec<f64> = unavailability.iter().map(|&u| -u.log10()).collect();
    let slo_nines = -slo_unavailability.log10();
    let finite = nines.iter().copied().filter(|x| x.is_finite());
    let lo = finite.clone().fold(slo_nines, f64::min);
    let hi = finite.fold(slo_nines, f64::max);
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let pad = (hi - lo) * 0.04;
    let (lo, hi) = (lo - pad, hi + pad);
    let sx = |x: f64| X0 + (X1 - X0) * ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    let mut counts = [0u64; BINS];
    for &n in &nines {
        let at = if n.is_finite() {
            (n - lo) / (hi - lo)
        } else {
            1.0
        };
        counts[((at * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart doubt\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{X0}\" y1=\"{Y0}\" x2=\"{X1}\" y2=\"{Y0}\" stroke=\"{MUTED}\"/>"
    );
    let width = (hi - lo) / BINS as f64;
    for (b, &n) in counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let (a, z) = (lo + b as f64 * width, lo + (b + 1) as f64 * width);
        let (x0, x1) = (sx(a), sx(z));
        let y = Y0 - (Y0 - Y1) * n as f64 / most as f64;
        let _ = writeln!(
            s,
            "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}–{} nines: {n} draws</title></rect>",
            f(x0 + 0.5),
            f(y),
            f((x1 - x0 - 1.0).max(0.5)),
            f(Y0 - y),
            if z <= slo_nines { BAD } else { "#3b82f6" },
            format_nines(a),
            format_nines(z),
        );
    }
    for i in 0..=4 {
        let v = lo + (hi - lo) * i as f64 / 4.0;
        let u = 10f64.powf(-v);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(sx(v)),
            f(Y0 + 14.0),
            format_percent(1.0 - u, u)
        );
    }
    let x = f(sx(slo_nines));
    let _ = writeln!(
        s,
        "<g class=\"slo-line\"><line x1=\"{x}\" y1=\"{Y1}\" x2=\"{x}\" y2=\"{Y0}\" stroke=\"{BAD}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{BAD}\">slo {}</text></g>",
        f(Y1 - 6.0),
        format_percent(1.0 - slo_unavailability, slo_unavailability)
    );
    let _ = writeln!(
        s,
        "<text x=\"{X0}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\">{} draws</text>",
        f(H - 6.0),
        unavailability.len()
    );
    s += "</svg>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::super::{GraphEdge, GraphNode};
    use super::*;

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

    #[test]
    fn an_empty_graph_is_drawn() {
        let svg = graph(&GraphData::default(), "empty");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }
}
