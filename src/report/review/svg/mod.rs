//! The report's pictures as inline SVG, drawn here so that the page needs nothing from the
//! network: the dependency graph (layered by depth, Sugiyama style), the nines of every
//! component, the downtime spent of each SLO budget, and the simulated downtime histograms.
//!
//! Every name is escaped; every id is fixed and prefixed, so the SVGs can share one page.
//!
//! This file holds the shared drawing helpers and draws the graph; `layout` places it and
//! `charts` draws the rest.

mod charts;
mod layout;

use std::fmt::Write;

pub use charts::{BudgetBar, NinesBar, budget_chart, doubt_chart, histogram, nines_chart};
pub use layout::{Layout, layout};
use layout::{NAME_CHARS, NODE_H};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_graph_is_drawn() {
        let svg = graph(&GraphData::default(), "empty");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }
}
