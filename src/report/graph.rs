//! The dependency graph as Mermaid or Graphviz DOT. Node ids are generated; names appear only in
//! escaped labels, so no model name can break or inject into a diagram.

use crate::model::units::format_duration_human;
use crate::system::{Dependency, DependencyTarget, OnFailure, System};

/// A text format for the dependency graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Mermaid, as GitHub renders it.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            // A label opening with a backtick would be read as Markdown by Mermaid.
            '`' => out.push_str("#96;"),
            // Mermaid looks for `%%{init: …}%%` directives anywhere in the text, labels too:
            // no two percent signs stay side by side (one alone, as in `99.9%`, is text).
            '%' if chars.peek() == Some(&'%') => out.push_str("#37;"),
            '\\' => out.push_str("#92;"),
            '\n' | '\r' => out.push(' '),
            _ if c.is_control() => {}
            _ => out.push(c),
        }
    }
    out
}

fn dot_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            _ if c.is_control() => {}
            _ => out.push(c),
        }
    }
    out
}

/// How an edge looks: its style and label.
struct EdgeStyle {
    label: String,
    dashed: bool,
    dotted: bool,
    /// How the call meets a hang: cut off by a timeout or breaker, or left to climb.
    call: Call,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Nothing to say: the target cannot hang and the entry sets no timeout or breaker.
    Plain,
    /// A timeout under the caller's deadline or a breaker: drawn with a bar at the end.
    Protected,
    /// The target can hang and nothing cuts the call off: drawn thick (Mermaid) or red (DOT).
    Unprotected,
    /// Work handed over through a queue.
    Queue,
}

/// The style of a dependency entry: its `on_failure` and group as before, plus how its calls
/// meet a hang.
fn call_style(d: &Dependency, deadline_s: Option<f64>, can_hang: bool) -> EdgeStyle {
    let group = match &d.target {
        DependencyTarget::Component(_) => None,
        DependencyTarget::Group { at_least, members } => Some((*at_least, members.len())),
    };
    let mut style = edge_style(d.on_failure, group);
    let add = |style: &mut EdgeStyle, text: String| {
        style.label = if style.label.is_empty() {
            text
        } else {
            format!("{}, {text}", style.label)
        };
    };
    if let Some(q) = d.queue {
        let mut label = "queue".to_string();
        if let Some(m) = q.max_delay_s {
            label += &format!(" ≤{}", format_duration_human(m));
        }
        return EdgeStyle {
            label,
            dashed: true,
            dotted: false,
            call: Call::Queue,
        };
    }
    if d.protects(deadline_s) {
        if let Some(t) = d.timeout_s.filter(|&t| deadline_s.is_none_or(|x| t < x)) {
            add(&mut style, format!("timeout {}", format_duration_human(t)));
        }
        if let Some(b) = d.breaker_s {
            add(&mut style, format!("breaker {}", format_duration_human(b)));
        }
        style.call = Call::Protected;
    } else if can_hang {
        add(&mut style, "may hang".into());
        style.call = Call::Unprotected;
    }
    style
}

fn edge_style(on_failure: OnFailure, group: Option<(u32, usize)>) -> EdgeStyle {
    let mut label = match group {
        Some((k, n)) => format!("≥{k} of {n}"),
        None => String::new(),
    };
    let (dashed, dotted) = match on_failure {
        OnFailure::Fail => (false, false),
        OnFailure::Degrade => {
            label = if label.is_empty() {
                "degrade".into()
            } else {
                format!("{label}, degrade")
            };
            (true, false)
        }
        OnFailure::Ignore => {
            label = if label.is_empty() {
                "ignore".into()
            } else {
                format!("{label}, ignore")
            };
            (false, true)
        }
    };
    EdgeStyle {
        label,
        dashed,
        dotted,
        call: Call::Plain,
    }
}

/// The dependency graph of `system` in `format`: edges say what a failure does (hard, degrade,
/// ignore, fallback).
pub fn render(system: &System, format: GraphFormat) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => out.push_str("flowchart TD\n"),
        GraphFormat::Dot => out.push_str(&format!(
            "digraph \"{}\" {{\n  rankdir=TB;\n  node [shape=box, style=rounded];\n",
            dot_label(&system.name)
        )),
    }
    for (i, c) in system.components.iter().enumerate() {
        let mut label = c.name.clone();
        if c.replicas > 1 {
            label += &format!(" ×{}", c.replicas);
            if c.min_available > 1 {
                label += &format!(" (≥{})", c.min_available);
            }
        }
        if let Some(slo) = c.slo {
            label += &format!(" · slo {slo}");
        }
        match format {
            GraphFormat::Mermaid => {
                let shape = if c.external { ("[/", "/]") } else { ("[", "]") };
                out.push_str(&format!(
                    "  c{i}{}\"{}\"{}\n",
                    shape.0,
                    mermaid_label(&label),
                    shape.1
                ));
            }
            GraphFormat::Dot => {
                let style = if c.external {
                    ", style=\"rounded,dashed\""
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  c{i} [label=\"{}\"{style}];\n",
                    dot_label(&label)
                ));
            }
        }
    }
    out.push_str(&groups(system, format));
    // Which components' calls can hang, from the same lowering every engine reads.
    let structure = crate::structure::Structure::new(system);
    let can_hang = |t: usize| structure.components[t].hung != crate::structure::NEVER;
    for (from, c) in system.components.iter().enumerate() {
        for d in &c.dependencies {
            let targets = d.targets();
            let style = call_style(d, c.deadline_s, targets.iter().any(|&t| can_hang(t)));
            for &to in targets {
                out.push_str(&edge(format, from, to, &style));
            }
            if let Some(f) = d.fallback {
                out.push_str(&edge(
                    format,
                    from,
                    f,
                    &EdgeStyle {
                        label: "fallback".into(),
                        dashed: true,
                        dotted: false,
                        call: Call::Plain,
                    },
                ));
            }
        }
    }
    if format == GraphFormat::Dot {
        out.push_str("}\n");
    }
    out
}

/// Components of one `group` drawn inside one box, groups in the order they first appear.
fn groups(system: &System, format: GraphFormat) -> String {
    let mut order: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, c) in system.components.iter().enumerate() {
        let Some(group) = c.group.as_deref() else {
            continue;
        };
        match order.iter_mut().find(|(g, _)| *g == group) {
            Some((_, members)) => members.push(i),
            None => order.push((group, vec![i])),
        }
    }
    let mut out = String::new();
    for (n, (group, members)) in order.iter().enumerate() {
        let ids: Vec<String> = members.iter().map(|i| format!("c{i}")).collect();
        match format {
            GraphFormat::Mermaid => out.push_str(&format!(
                "  subgraph g{n}[\"{}\"]\n    {}\n  end\n",
                mermaid_label(group),
                ids.join("\n    ")
            )),
            GraphFormat::Dot => out.push_str(&format!(
                "  subgraph cluster_g{n} {{\n    label=\"{}\";\n    {};\n  }}\n",
                dot_label(group),
                ids.join("; ")
            )),
        }
    }
    out
}

fn edge(format: GraphFormat, from: usize, to: usize, style: &EdgeStyle) -> String {
    match format {
        GraphFormat::Mermaid => {
            let arrow = if style.call == Call::Unprotected {
                "==>"
            } else if style.dotted || style.dashed {
                "-.->"
            } else {
                "-->"
            };
            if style.label.is_empty() {
                format!("  c{from} {arrow} c{to}\n")
            } else {
                format!(
                    "  c{from} {arrow}|\"{}\"| c{to}\n",
                    mermaid_label(&style.label)
                )
            }
        }
        GraphFormat::Dot => {
            let mut attrs = Vec::new();
            if !style.label.is_empty() {
                attrs.push(format!("label=\"{}\"", dot_label(&style.label)));
            }
            if style.dashed {
                attrs.push("style=dashed".into());
            } else if style.dotted {
                attrs.push("style=dotted".into());
            }
            match style.call {
                Call::Plain => {}
                Call::Protected => attrs.push("arrowhead=tee".into()),
                Call::Unprotected => attrs.push("color=red, penwidth=2".into()),
                Call::Queue => attrs.push("arrowhead=empty".into()),
            }
            if attrs.is_empty() {
                format!("  c{from} -> c{to};\n")
            } else {
                format!("  c{from} -> c{to} [{}];\n", attrs.join(", "))
            }
        }
    }
}
