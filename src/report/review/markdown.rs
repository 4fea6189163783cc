//! The review as GitHub-flavoured Markdown: it renders on GitHub and GitLab, the dependency
//! graph as a Mermaid block. Every name from the model is escaped (`escape_markdown` for text
//! and tables, the Mermaid renderer's own escaping inside the diagram).

use std::fmt::Write;

use super::{MAX_DRAWN_COMPONENTS, Review};
use crate::explain::Kind;
use crate::explain::explanation::{Explanation, ImportanceRow};
use crate::lint::Severity;
use crate::model::units::{format_duration_human, format_percent};
use crate::report::Format;
use crate::report::eval::ComponentResult;
use crate::report::text::{escape_markdown as md, format_nines, format_probability, format_share};

/// The review as GitHub-flavoured Markdown.
pub fn render(r: &Review) -> String {
    let mut out = String::new();
    let window = r.window_text();
    let _ = writeln!(out, "# {}: availability review\n", md(&r.model));
    let mark = match (r.slos.is_empty(), r.missed() + r.gates_failed()) {
        (true, _) => "ℹ️",
        (false, 0) => "✅",
        _ => "❌",
    };
    let mut verdict = format!("**{mark} {}**", md(&r.verdict_text()));
    let missed: Vec<String> = r
        .slos
        .iter()
        .filter(|s| !s.meets)
        .map(|s| md(&s.name))
        .collect();
    if !missed.is_empty() {
        verdict += &format!(": {}", missed.join(", "));
    }
    if let Some(w) = r.window_verdict_text() {
        verdict += &format!(" · {}", md(&w));
    }
    let _ = writeln!(out, "{verdict}\n");
    let _ = writeln!(
        out,
        "Model {} · SLO window {window} · exact evaluation · nines {}\n",
        if r.file.is_empty() {
            md(&r.model)
        } else {
            md(&r.file)
        },
        r.version
    );

    // SLO verdicts
    out += "## SLO verdicts\n\n";
    if r.slos.is_empty() {
        out += "No component has an `slo`, so there is nothing to judge; the tables below still give every component's availability.\n\n";
    } else {
        let _ = writeln!(
            out,
            "| component | slo | availability | nines | margin | down / {window} | budget / {window} | down / year | verdict |"
        );
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
        for s in &r.slos {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&s.name),
                format_percent(s.slo, s.slo_unavailability),
                format_percent(s.availability, s.unavailability),
                format_nines(s.nines),
                signed_nines(s.margin_nines),
                format_duration_human(s.downtime_per_window_s),
                format_duration_human(s.budget_per_window_s),
                format_duration_human(s.downtime_per_year_s),
                if s.meets { "✅ met" } else { "❌ **missed**" }
            );
        }
        out += "\nMargin is the nines above the slo: log10(1 − slo) − log10(unavailability).\n\n";
    }

    // Every component
    let _ = writeln!(out, "## Components\n");
    let groups = r.eval.groups();
    if groups.is_empty() {
        components_table(&r.eval.components, &window, &mut out);
    }
    for (k, g) in groups.iter().enumerate() {
        if k > 0 {
            out += "\n";
        }
        // Each group under a heading of its own, with its line.
        let _ = writeln!(out, "### {}\n\n{}\n", md(g.title()), g.summary(md));
        components_table(g.members.iter().copied(), &window, &mut out);
    }
    out += "\n*Degraded* is the share of time a component runs on a fail-open path or a fallback: up, but not fully.\n\n";
    let repairs = crate::report::recovery::markdown(&r.eval.repair_rows());
    if !repairs.is_empty() {
        out += repairs.trim_start();
        out +=
            "\nOff-hours wait is the time a failure waits for its responder's working hours.\n\n";
    }
    for (name, options) in &r.recovery_options {
        out += crate::report::recovery::options_markdown(name, options, "###").trim_start();
        out += "\n";
    }
    if let Some(d) = &r.doubt {
        let _ = writeln!(
            out,
            "In brackets: the 5th to the 95th percentile of the availability over {} draws of the model's {} uncertain values (seed {}).\n",
            d.draws, d.parameters, d.seed
        );
        let with_slo: Vec<_> = r
            .eval
            .components
            .iter()
            .filter(|c| c.slo.is_some())
            .collect();
        if !with_slo.is_empty() {
            out += "| component | slo | p5 | p50 | p95 | P(meets slo) |\n|---|---:|---:|---:|---:|---:|\n";
            for c in with_slo {
                let (Some(i), Some(slo)) = (&c.uncertainty, c.slo) else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    md(&c.name),
                    format_percent(slo, 1.0 - slo),
                    format_percent(i.p5, i.down[0]),
                    format_percent(i.p50, i.down[1]),
                    format_percent(i.p95, i.down[2]),
                    i.p_meets_slo.map_or("—".into(), |p| format!("{p:.2}"))
                );
            }
            out += "\n";
        }
    }

    // Graph
    out += "## Dependency graph\n\n";
    if r.graph.nodes.len() > MAX_DRAWN_COMPONENTS {
        let _ = writeln!(
            out,
            "The model has {} components, too many to draw legibly; `nines graph MODEL --format dot` gives the whole graph.\n",
            r.graph.nodes.len()
        );
    } else {
        let _ = writeln!(out, "```mermaid\n{}```\n", r.mermaid);
        out += "An arrow points from a component to what it calls. Solid: a hard dependency; dotted: `degrade`, `ignore` or a fallback. A slanted box is an external (third-party) component.\n\n";
    }

    // Risks
    risks(r, &mut out);

    // Findings
    out += "## Design-review findings\n\n";
    if r.findings.is_empty() {
        out += "`nines lint` finds nothing to flag.\n\n";
    } else {
        out += "| | rule | line | finding | fix |\n|---|---|---:|---|---|\n";
        for f in &r.findings {
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} | {} |",
                match f.severity {
                    Severity::Error => "🛑 error",
                    Severity::Warning => "⚠️ warning",
                },
                f.rule,
                f.name,
                f.line,
                md_prose(&f.message, true),
                md_prose(&f.hint, true)
            );
        }
        out += "\n";
    }

    // Cost
    out += "## Cost versus nines\n\n";
    for c in &r.costs {
        // The tradeoff's own Markdown, one heading level down.
        let text = c.report.render(
            Format::Markdown,
            crate::report::table::Screen::plain(),
            false,
        );
        for line in text.lines() {
            match line.strip_prefix("## ") {
                Some(rest) => {
                    let _ = writeln!(out, "### {rest}");
                }
                None => {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        out += "\nThe curve is drawn in report.html.\n\n";
    }
    for n in &r.cost_notes {
        let _ = writeln!(out, "- {}", md_prose(n, false));
    }
    if !r.cost_notes.is_empty() {
        out += "\n";
    }

    // Simulation
    if let Some(sim) = &r.simulation {
        out += "## Downtime per window (timeline simulation)\n\n";
        let _ = writeln!(
            out,
            "{} runs of {} each, cut into {} windows{}.\n",
            sim.runs,
            format_duration_human(sim.horizon_s),
            format_duration_human(sim.window_s),
            sim.seed.map_or(String::new(), |s| format!(", seed {s}"))
        );
        out += "| component | availability (95% CI) | outages / year | mean outage | p50 / window | p90 / window | p99 / window | budget / window | P(breach) |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
        for c in &sim.components {
            let _ = writeln!(
                out,
                "| {} | {} ({} – {}) | {:.2} | {} | {} | {} | {} | {} | {} |",
                md(&c.name),
                format_percent(c.availability, 1.0 - c.availability),
                format_percent(c.ci95.0, 1.0 - c.ci95.0),
                format_percent(c.ci95.1, 1.0 - c.ci95.1),
                c.outages_per_year,
                c.mean_outage_s.map_or("—".into(), format_duration_human),
                c.window_downtime_s
                    .map_or("—".into(), |p| format_duration_human(p.p50)),
                c.window_downtime_s
                    .map_or("—".into(), |p| format_duration_human(p.p90)),
                c.window_downtime_s
                    .map_or("—".into(), |p| format_duration_human(p.p99)),
                c.budget_s.map_or("—".into(), format_duration_human),
                c.p_window_breach.map_or("—".into(), format_share_or_zero),
            );
        }
        out += "\nP(breach) is the share of windows whose downtime exceeded the slo's budget; the histograms are in report.html.\n\n";
    }

    // Assumptions
    out += "## Assumptions\n\n";
    for a in &r.assumptions {
        let _ = writeln!(out, "- {}", md_prose(a, false));
    }
    out
}

/// The table of `components` in the Components section.
fn components_table<'a>(
    components: impl IntoIterator<Item = &'a ComponentResult>,
    window: &str,
    out: &mut String,
) {
    let _ = writeln!(
        out,
        "| component | availability | nines | degraded | down / {window} | down / year | slo |"
    );
    *out += "|---|---:|---:|---:|---:|---:|---|\n";
    for c in components {
        let mut cells = c.cells();
        if let Some(i) = &c.uncertainty {
            cells[0] += &format!(" ({})", i.range());
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(&c.name),
            cells.join(" | "),
            match (c.slo, c.meets_slo) {
                (Some(s), Some(true)) => format!("{} ✅", format_percent(s, 1.0 - s)),
                (Some(s), _) => format!("{} ❌", format_percent(s, 1.0 - s)),
                _ => String::new(),
            }
        );
    }
}

/// Prose of our own with names in backticks (lint messages, hints, notes): each `quoted`
/// part becomes a code span, the rest is escaped. A part taken for a code span holds no
/// backtick (the text is split on them), so the span is well formed whatever a name contains;
/// only its `|` needs escaping inside a table. An odd number of backticks (a name with one in
/// it) turns the whole text into escaped plain text.
pub fn md_prose(s: &str, in_table: bool) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return md(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&md(p));
        } else if !p.trim().is_empty() {
            out.push('`');
            let p = p.replace(['\n', '\r'], " ");
            out.push_str(&if in_table { p.replace('|', "\\|") } else { p });
            out.push('`');
        }
    }
    out
}

/// A row of a top-risks table as text, the name not yet escaped: contributor, kind, own
/// unavailability, Birnbaum, Fussell–Vesely, and what one more nine of it saves a year.
pub fn risk_row(e: &Explanation, i: &ImportanceRow) -> [String; 6] {
    let saves = e
        .where_to_invest
        .iter()
        .find(|w| w.name == i.name && w.kind == i.kind)
        .map_or("—".into(), |w| {
            format_duration_human(w.reduction_per_year_s)
        });
    [
        i.name.clone(),
        kind_text(i.kind).into(),
        format_probability(i.unavailability),
        format_probability(i.birnbaum),
        format_share_or_zero(i.fussell_vesely),
        saves,
    ]
}

fn format_share_or_zero(x: f64) -> String {
    if x <= 0.0 {
        "0".into()
    } else {
        format_share(x)
    }
}

/// `+0.63`, `−0.18`, `∞`.
pub fn signed_nines(x: f64) -> String {
    if x.is_infinite() {
        "∞".into()
    } else if x < 0.0 {
        format!("−{}", format_nines(-x))
    } else {
        format!("+{}", format_nines(x))
    }
}

fn kind_text(k: Kind) -> &'static str {
    match k {
        Kind::Component => "component",
        Kind::Domain => "domain",
    }
}

fn risks(r: &Review, out: &mut String) {
    out.push_str("## Top risks\n\n");
    if r.risks.is_empty() {
        out.push_str("No component to explain.\n\n");
        return;
    }
    for e in &r.risks {
        let _ = writeln!(
            out,
            "### {}: {} down a year\n",
            md(&e.component),
            format_duration_human(e.downtime_per_year_s)
        );
        if e.unavailability <= 0.0 {
            let _ = writeln!(out, "{} never goes down.\n", md(&e.component));
            continue;
        }
        if e.single_points_of_failure.is_empty() {
            out.push_str("**Single points of failure:** none — no single event takes it down.\n\n");
        } else {
            let _ = writeln!(
                out,
                "**Single points of failure** (one event takes it down): {}\n",
                e.single_points_of_failure
                    .iter()
                    .map(|s| md(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push_str("| contributor | kind | own unavailability | Birnbaum | Fussell–Vesely | one more nine saves / year |\n");
        out.push_str("|---|---|---:|---:|---:|---:|\n");
        for i in e.importance.iter().take(r.top) {
            let [name, kind, own, birnbaum, fv, saves] = risk_row(e, i);
            let _ = writeln!(
                out,
                "| {} | {kind} | {own} | {birnbaum} | {fv} | {saves} |",
                md(&name)
            );
        }
        if e.importance.len() > r.top {
            let _ = writeln!(
                out,
                "\n{} more contributors: `nines explain MODEL {}` lists them all.",
                e.importance.len() - r.top,
                md(&e.component)
            );
        }
        if !e.cut_sets.is_empty() {
            out.push_str("\nMost probable ways down (minimal cut sets):\n\n");
            for (k, c) in e.cut_sets.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{}. {} — probability {} (≈ {} of the downtime)",
                    k + 1,
                    md(&c.events.join(" + ")),
                    format_probability(c.probability),
                    format_share_or_zero(c.share)
                );
            }
        }
        out.push('\n');
    }
    if r.risks_left_out > 0 {
        let _ = writeln!(
            out,
            "{} more components with an slo are not explained here; `nines explain MODEL COMPONENT` explains any of them.\n",
            r.risks_left_out
        );
    }
}
