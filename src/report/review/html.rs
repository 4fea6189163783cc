//! The review as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched,
//! readable offline and printable. Every name from the model goes through `escape_html`.

use std::fmt::Write;

use super::markdown::{risk_row, signed_nines};
use super::svg::{self, BudgetBar, NinesBar};
use super::{EdgeKind, MAX_DRAWN_COMPONENTS, Review};
use crate::lint::Severity;
use crate::model::units::{format_duration_human, format_percent};
use crate::report::eval::ComponentResult;
use crate::report::text::{escape_html as esc, format_nines, format_probability, format_share};
use crate::report::tradeoff::{TradeoffReport, format_money};

const CSS: &str = r#"
:root {
  --ink: #0f172a; --text: #1e293b; --muted: #64748b; --line: #e2e8f0; --soft: #f1f5f9;
  --page: #f6f7fb; --card: #ffffff; --accent: #2563eb;
  --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2;
  --warn: #a16207; --warn-bg: #fef9c3; --info: #334155; --info-bg: #e2e8f0;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--text);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 36px 28px 56px; }
h1, h2, h3 { color: var(--ink); line-height: 1.25; }
h1 { font-size: 30px; margin: 2px 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0 0 14px; }
h3 { font-size: 16px; margin: 22px 0 10px; }
p { margin: 0 0 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; color: var(--accent); }
.meta { color: var(--muted); margin-bottom: 18px; }
.banner { display: flex; align-items: center; gap: 12px; padding: 14px 18px; border-radius: 12px;
  font-size: 17px; font-weight: 650; margin: 4px 0 18px; border: 1px solid transparent; }
.banner .icon { display: inline-grid; place-items: center; width: 28px; height: 28px; border-radius: 50%;
  color: #fff; font-size: 16px; font-weight: 700; flex: none; }
.banner.pass { background: var(--ok-bg); color: var(--ok); border-color: #bbf7d0; }
.banner.pass .icon { background: var(--ok); }
.banner.fail { background: var(--bad-bg); color: var(--bad); border-color: #fecaca; }
.banner.fail .icon { background: var(--bad); }
.banner.none { background: var(--info-bg); color: var(--info); }
.banner.none .icon { background: var(--info); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px 12px;
  border-top: 4px solid var(--muted); }
.card.met { border-top-color: #16a34a; } .card.missed { border-top-color: #dc2626; }
.card .name { font-weight: 600; color: var(--ink); overflow-wrap: anywhere; }
.card .big { font-size: 28px; font-weight: 700; color: var(--ink); font-variant-numeric: tabular-nums; margin: 2px 0; }
.card .small { color: var(--muted); font-size: 13px; }
nav.toc { margin: 22px 0 0; display: flex; flex-wrap: wrap; gap: 6px 8px; }
nav.toc a { color: var(--accent); text-decoration: none; font-size: 13.5px; padding: 3px 10px;
  background: var(--card); border: 1px solid var(--line); border-radius: 999px; }
nav.toc a:hover { border-color: var(--accent); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 14px;
  padding: 22px 26px; margin-top: 20px; }
.lead { color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; border-bottom: 2px solid var(--line); padding: 7px 10px; white-space: nowrap; }
td { border-bottom: 1px solid var(--line); padding: 7px 10px; vertical-align: top; }
tbody tr:hover { background: #fafbfd; }
th.num, td.num { text-align: right; white-space: nowrap; }
td.name { font-weight: 600; color: var(--ink); overflow-wrap: anywhere; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 650; white-space: nowrap; }
.pill.met { background: var(--ok-bg); color: var(--ok); }
.pill.missed, .pill.error { background: var(--bad-bg); color: var(--bad); }
.pill.warning { background: var(--warn-bg); color: var(--warn); }
.pill.plain { background: var(--soft); color: var(--info); }
.neg { color: var(--bad); font-weight: 600; } .pos { color: var(--ok); }
figure { margin: 16px 0 6px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
figure.graph { overflow-x: auto; padding: 8px 0; }
figure.graph svg { margin: 0 auto; max-width: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 20px; color: var(--muted); font-size: 13px; margin-top: 8px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 14px; border-radius: 4px; border: 2px solid #94a3b8; background: #fff; }
.swatch.met { border-color: #16a34a; background: #f0fdf4; } .swatch.missed { border-color: #dc2626; background: #fef2f2; }
.swatch.external { border-style: dashed; }
details { margin-top: 12px; } summary { cursor: pointer; color: var(--accent); font-size: 13.5px; }
pre { background: var(--soft); border-radius: 8px; padding: 12px 14px; overflow-x: auto; }
.risk { border-top: 1px solid var(--line); padding-top: 4px; margin-top: 18px; }
.risk:first-of-type { border-top: none; margin-top: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 12px; }
.chip { background: var(--bad-bg); color: var(--bad); border-radius: 6px; padding: 1px 8px; font-size: 13px; font-weight: 600; }
.chip.none { background: var(--ok-bg); color: var(--ok); }
ol.cuts { margin: 6px 0 0; padding-left: 22px; } ol.cuts li { margin: 2px 0; }
.muted { color: var(--muted); }
.hint { color: var(--muted); font-size: 13px; margin-top: 3px; }
td.rule { white-space: nowrap; }
figure.cost svg { max-width: 900px; margin: 0 auto; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 18px; }
ul.assumptions { padding-left: 20px; margin: 0; } ul.assumptions li { margin: 6px 0; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; margin-top: 28px; }
@media (max-width: 640px) { main { padding: 20px 12px; } section { padding: 16px 14px; } }
@media print {
  @page { margin: 14mm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc, details { display: none; }
  section { border: none; border-radius: 0; padding: 0; margin-top: 18pt; break-inside: auto; }
  h2 { break-after: avoid; } figure, tr, .card, .risk { break-inside: avoid; }
  figure.graph { overflow: visible; }
  .scroll { overflow: visible; }
  .banner, .pill, .chip, .card, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The review as one self-contained HTML page: inline CSS and SVG, nothing fetched.
pub fn render(r: &Review) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let window = r.window_text();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"nines {}\">\n<title>{} — availability review</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        r.version,
        esc(&r.model)
    );
    header(r, &mut out);
    slo_section(r, &mut out, &window);
    components_section(r, &mut out, &window);
    graph_section(r, &mut out);
    risks_section(r, &mut out);
    findings_section(r, &mut out);
    cost_section(r, &mut out);
    simulation_section(r, &mut out);
    let _ = write!(
        out,
        "<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<ul class=\"assumptions\">\n{}</ul>\n</section>\n",
        r.assumptions
            .iter()
            .map(|a| format!("<li>{}</li>\n", code_spans(&esc(a))))
            .collect::<String>()
    );
    let _ = write!(
        out,
        "<footer>Generated by nines {} from {}. Exact results; every number can be reproduced with <code>nines eval</code>, <code>nines explain</code> and <code>nines lint</code>.</footer>\n</main>\n</body>\n</html>\n",
        r.version,
        esc(if r.file.is_empty() { &r.model } else { &r.file })
    );
    out
}

/// Turns `` `text` `` (already HTML-escaped) into `<code>text</code>`, so that the notes read
/// as in the terminal. Backticks inside names were escaped too, but stay backticks: an odd one
/// out is left as it is.
fn code_spans(escaped: &str) -> String {
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escaped.to_string();
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{p}</code>");
        } else {
            out.push_str(p);
        }
    }
    out
}

fn header(r: &Review, out: &mut String) {
    let (class, icon) = match (r.slos.is_empty(), r.missed() + r.gates_failed()) {
        (true, _) => ("none", "i"),
        (false, 0) => ("pass", "✓"),
        _ => ("fail", "✕"),
    };
    let _ = write!(
        out,
        "<header>\n<div class=\"eyebrow\">Availability design review</div>\n<h1>{}</h1>\n<p class=\"meta\">{} · SLO window {} · exact evaluation · nines {}</p>\n<div class=\"banner {class}\" data-verdict=\"{class}\"><span class=\"icon\">{icon}</span><span>{}</span></div>\n",
        esc(&r.model),
        esc(if r.file.is_empty() { &r.model } else { &r.file }),
        r.window_text(),
        r.version,
        esc(&capitalise(
            &(r.verdict_text()
                + &r.window_verdict_text()
                    .map_or(String::new(), |w| format!(" · {w}")))
        ))
    );
    if !r.slos.is_empty() {
        out.push_str("<div class=\"cards\">\n");
        for s in &r.slos {
            let (class, pill) = if s.meets {
                ("met", "<span class=\"pill met\">met</span>")
            } else {
                ("missed", "<span class=\"pill missed\">missed</span>")
            };
            let _ = writeln!(
                out,
                "<div class=\"card {class}\"><div class=\"name\">{}</div><div class=\"big\">{}</div><div class=\"small\">{} nines · slo {} · {} down a year</div><div style=\"margin-top:8px\">{pill}</div></div>",
                esc(&s.name),
                format_percent(s.availability, s.unavailability),
                format_nines(s.nines),
                format_percent(s.slo, s.slo_unavailability),
                format_duration_human(s.downtime_per_year_s)
            );
        }
        out.push_str("</div>\n");
    }
    out.push_str("<nav class=\"toc\">");
    let mut links = vec![
        ("slos", "SLO verdicts"),
        ("components", "Components"),
        ("graph", "Dependency graph"),
        ("risks", "Top risks"),
        ("findings", "Findings"),
        ("cost", "Cost versus nines"),
    ];
    if r.simulation.is_some() {
        links.push(("simulation", "Simulation"));
    }
    links.push(("assumptions", "Assumptions"));
    for (id, text) in links {
        let _ = write!(out, "<a href=\"#{id}\">{text}</a>");
    }
    out.push_str("</nav>\n</header>\n");
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn verdict_pill(meets: bool) -> &'static str {
    if meets {
        "<span class=\"pill met verdict\" data-verdict=\"met\">met</span>"
    } else {
        "<span class=\"pill missed verdict\" data-verdict=\"missed\">missed</span>"
    }
}

fn slo_section(r: &Review, out: &mut String, window: &str) {
    out.push_str("<section id=\"slos\">\n<h2>SLO verdicts</h2>\n");
    if r.slos.is_empty() {
        out.push_str("<p class=\"lead\">No component has an <code>slo</code>, so there is nothing to judge; every component's availability is below.</p>\n</section>\n");
        return;
    }
    let _ = write!(
        out,
        "<div class=\"scroll\"><table class=\"slos\">\n<thead><tr><th>component</th><th class=\"num\">slo</th><th class=\"num\">availability</th><th class=\"num\">nines</th><th class=\"num\">margin</th><th class=\"num\">down / {window}</th><th class=\"num\">budget / {window}</th><th class=\"num\">down / year</th><th>verdict</th></tr></thead>\n<tbody>\n"
    );
    for s in &r.slos {
        let margin_class = if s.margin_nines < 0.0 { "neg" } else { "pos" };
        let _ = writeln!(
            out,
            "<tr data-component=\"{}\"><td class=\"name\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num {margin_class}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&s.name),
            esc(&s.name),
            format_percent(s.slo, s.slo_unavailability),
            format_percent(s.availability, s.unavailability),
            format_nines(s.nines),
            signed_nines(s.margin_nines),
            format_duration_human(s.downtime_per_window_s),
            format_duration_human(s.budget_per_window_s),
            format_duration_human(s.downtime_per_year_s),
            verdict_pill(s.meets)
        );
    }
    out.push_str("</tbody></table></div>\n");
    let bars: Vec<BudgetBar> = r
        .slos
        .iter()
        .map(|s| BudgetBar {
            name: s.name.clone(),
            used_s: s.downtime_per_window_s,
            budget_s: s.budget_per_window_s,
        })
        .collect();
    let _ = write!(
        out,
        "<figure>{}<figcaption>Expected downtime per {window} as a share of the error budget each slo allows (dashed line: the whole budget). Margin is the nines above the slo.</figcaption></figure>\n</section>\n",
        svg::budget_chart(&bars, window, "Downtime per window against the SLO budget")
    );
}

fn components_section(r: &Review, out: &mut String, window: &str) {
    out.push_str("<section id=\"components\">\n<h2>Components</h2>\n");
    let groups = r.eval.groups();
    // In the table's order: by group when the model has groups.
    let ordered: Vec<&ComponentResult> = if groups.is_empty() {
        r.eval.components.iter().collect()
    } else {
        groups
            .iter()
            .flat_map(|g| g.members.iter().copied())
            .collect()
    };
    let bars: Vec<NinesBar> = ordered
        .iter()
        .map(|c| NinesBar {
            name: c.name.clone(),
            nines: c.nines.unwrap_or(f64::INFINITY),
            availability: c.availability,
            unavailability: c.unavailability,
            slo_nines: c.slo.map(|s| -(1.0 - s).log10()),
            meets: c.meets_slo,
        })
        .collect();
    // A long model shows its weakest components in the chart; the table has them all.
    const MAX_BARS: usize = 40;
    let (bars, note) = if bars.len() > MAX_BARS {
        let mut sorted = bars;
        sorted.sort_by(|a, b| a.nines.total_cmp(&b.nines));
        sorted.truncate(MAX_BARS);
        (
            sorted,
            format!(" The {MAX_BARS} least available components are shown."),
        )
    } else {
        (bars, String::new())
    };
    let _ = writeln!(
        out,
        "<figure>{}<figcaption>Nines of every component (3 nines = 99.9%): green meets its slo, red misses it, grey has none; the black mark is the slo.{note}</figcaption></figure>",
        svg::nines_chart(&bars, "Nines of every component")
    );
    let _ = write!(
        out,
        "<div class=\"scroll\"><table class=\"components\">\n<thead><tr><th>component</th><th class=\"num\">availability</th><th class=\"num\">nines</th><th class=\"num\">degraded</th><th class=\"num\">down / {window}</th><th class=\"num\">down / year</th><th>slo</th></tr></thead>\n<tbody>\n"
    );
    // Grouped, each group's components under a row with its name and line; the page's style
    // is left as it is for the models that group nothing.
    let mut rows: Vec<(Option<String>, &ComponentResult)> = Vec::new();
    if groups.is_empty() {
        rows.extend(r.eval.components.iter().map(|c| (None, c)));
    }
    for g in &groups {
        let head = format!(
            "<tr><th colspan=\"7\" style=\"text-transform: none; letter-spacing: 0; font-size: 14px; color: var(--ink); background: var(--soft)\">{} <span class=\"muted\">· {}</span></th></tr>",
            esc(g.title()),
            g.summary(esc)
        );
        rows.push((Some(head), g.members[0]));
        rows.extend(g.members[1..].iter().map(|&c| (None, c)));
    }
    for (head, c) in rows {
        if let Some(head) = head {
            out.push_str(&head);
            out.push('\n');
        }
        let slo = match (c.slo, c.meets_slo) {
            (Some(s), Some(m)) => format!("{} {}", format_percent(s, 1.0 - s), verdict_pill(m)),
            _ => String::new(),
        };
        let mut cells = c.cells();
        if let Some(i) = &c.uncertainty {
            cells[0] += &format!("<br><span class=\"hint\">{}</span>", i.range());
        }
        let numbers: String = cells
            .iter()
            .map(|x| format!("<td class=\"num\">{x}</td>"))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td class=\"name\">{}</td>{numbers}<td>{slo}</td></tr>",
            esc(&c.name),
        );
    }
    out.push_str("</tbody></table></div>\n<p class=\"hint\"><em>Degraded</em> is the share of time a component runs on a fail-open path or a fallback: up, but not fully.</p>\n");
    out.push_str(&crate::report::recovery::html(&r.eval.repair_rows()));
    for (name, options) in &r.recovery_options {
        out.push_str(&crate::report::recovery::options_html(name, options));
    }
    doubt_section(r, out);
    out.push_str("</section>\n");
}

/// Under the components: what the percentiles are, and for every component with an slo the
/// distribution of its availability over the draws.
fn doubt_section(r: &Review, out: &mut String) {
    let Some(d) = &r.doubt else { return };
    let _ = writeln!(
        out,
        "<h3>How sure</h3>\n<p class=\"lead\">Under each availability: its 5th to 95th percentile over {} draws of the model's {} uncertain values (seed {}), each draw solved exactly.</p>\n<div class=\"grid2\">",
        d.draws, d.parameters, d.seed
    );
    for (c, spread) in r.eval.components.iter().zip(&d.components) {
        let (Some(slo), Some(i)) = (c.slo, &c.uncertainty) else {
            continue;
        };
        let chart = svg::doubt_chart(&c.name, &spread.unavailability, 1.0 - slo);
        let _ = writeln!(
            out,
            "<figure>{chart}<figcaption><strong>{}</strong>: meets {} in {} of the draws; p5 {}, p50 {}, p95 {}</figcaption></figure>",
            esc(&c.name),
            format_percent(slo, 1.0 - slo),
            i.p_meets_slo
                .map_or("—".into(), |p| format!("{:.0}%", p * 100.0)),
            format_percent(i.p5, i.down[0]),
            format_percent(i.p50, i.down[1]),
            format_percent(i.p95, i.down[2]),
        );
    }
    out.push_str("</div>\n");
}

fn graph_section(r: &Review, out: &mut String) {
    out.push_str("<section id=\"graph\">\n<h2>Dependency graph</h2>\n");
    if r.graph.nodes.len() > MAX_DRAWN_COMPONENTS {
        let _ = writeln!(
            out,
            "<p class=\"lead\">The model has {} components, too many to draw legibly; <code>nines graph MODEL --format dot</code> gives the whole graph.</p>\n</section>",
            r.graph.nodes.len()
        );
        return;
    }
    let _ = write!(
        out,
        "<p class=\"lead\">Each component sits above what it calls. Hover a box or an arrow for details.</p>\n<figure class=\"graph\">{}</figure>\n",
        svg::graph(&r.graph, &format!("Dependency graph of {}", r.model))
    );
    out.push_str("<div class=\"legend\">");
    for (kind, text) in [
        (EdgeKind::Hard, "hard dependency"),
        (EdgeKind::Degrade, "degrade (fails open)"),
        (EdgeKind::Ignore, "ignore (optional)"),
        (EdgeKind::Fallback, "fallback"),
    ] {
        let _ = write!(out, "<span>{}{text}</span>", svg::edge_sample(kind));
    }
    out.push_str("<span><span class=\"swatch met\"></span>slo met</span><span><span class=\"swatch missed\"></span>slo missed</span><span><span class=\"swatch external\"></span>external</span></div>\n");
    let _ = write!(
        out,
        "<details><summary>Mermaid source</summary><pre>{}</pre></details>\n</section>\n",
        esc(&r.mermaid)
    );
}

fn risks_section(r: &Review, out: &mut String) {
    out.push_str("<section id=\"risks\">\n<h2>Top risks</h2>\n");
    if r.risks.is_empty() {
        out.push_str("<p class=\"lead\">No component to explain.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"lead\">What takes each component down: the events that do it alone, the contributors that matter most (Birnbaum: how much more often it is down when the contributor is; Fussell–Vesely: the share of its downtime that would vanish if the contributor never failed), and the most probable combinations.</p>\n");
    for e in &r.risks {
        let _ = write!(
            out,
            "<div class=\"risk\">\n<h3>{}: {} down a year</h3>\n",
            esc(&e.component),
            format_duration_human(e.downtime_per_year_s)
        );
        if e.unavailability <= 0.0 {
            let _ = writeln!(out, "<p>{} never goes down.</p>\n</div>", esc(&e.component));
            continue;
        }
        out.push_str("<div class=\"muted\">Single points of failure (one event takes it down):</div><div class=\"chips\">");
        if e.single_points_of_failure.is_empty() {
            out.push_str("<span class=\"chip none\">none</span>");
        }
        for s in &e.single_points_of_failure {
            let _ = write!(out, "<span class=\"chip\">{}</span>", esc(s));
        }
        out.push_str("</div>\n<div class=\"scroll\"><table>\n<thead><tr><th>contributor</th><th>kind</th><th class=\"num\">own unavailability</th><th class=\"num\">Birnbaum</th><th class=\"num\">Fussell–Vesely</th><th class=\"num\">one more nine saves / year</th></tr></thead>\n<tbody>\n");
        for i in e.importance.iter().take(r.top) {
            let [name, kind, own, birnbaum, fv, saves] = risk_row(e, i);
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td>{kind}</td><td class=\"num\">{own}</td><td class=\"num\">{birnbaum}</td><td class=\"num\">{fv}</td><td class=\"num\">{saves}</td></tr>",
                esc(&name),
            );
        }
        out.push_str("</tbody></table></div>\n");
        if e.importance.len() > r.top {
            let _ = writeln!(
                out,
                "<p class=\"hint\">{} more contributors: <code>nines explain MODEL {}</code> lists them all.</p>",
                e.importance.len() - r.top,
                esc(&e.component)
            );
        }
        if !e.cut_sets.is_empty() {
            out.push_str("<div class=\"muted\" style=\"margin-top:12px\">Most probable ways down (minimal cut sets):</div><ol class=\"cuts\">");
            for c in &e.cut_sets {
                let _ = write!(
                    out,
                    "<li><strong>{}</strong> <span class=\"muted\">— probability {}, ≈ {} of the downtime</span></li>",
                    esc(&c.events.join(" + ")),
                    format_probability(c.probability),
                    if c.share > 0.0 {
                        format_share(c.share)
                    } else {
                        "0".into()
                    }
                );
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</div>\n");
    }
    if r.risks_left_out > 0 {
        let _ = writeln!(
            out,
            "<p class=\"hint\">{} more components with an slo are not explained here; <code>nines explain MODEL COMPONENT</code> explains any of them.</p>",
            r.risks_left_out
        );
    }
    out.push_str("</section>\n");
}

fn findings_section(r: &Review, out: &mut String) {
    out.push_str("<section id=\"findings\">\n<h2>Design-review findings</h2>\n");
    if r.findings.is_empty() {
        out.push_str(
            "<p class=\"lead\"><code>nines lint</code> finds nothing to flag.</p>\n</section>\n",
        );
        return;
    }
    let errors = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} error{}, {} warning{} from <code>nines lint</code>, with the model line each is about.</p>",
        errors,
        if errors == 1 { "" } else { "s" },
        r.findings.len() - errors,
        if r.findings.len() - errors == 1 {
            ""
        } else {
            "s"
        }
    );
    out.push_str("<div class=\"scroll\"><table class=\"findings\">\n<thead><tr><th></th><th>rule</th><th class=\"num\">line</th><th>finding</th></tr></thead>\n<tbody>\n");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "<tr data-rule=\"{}\"><td><span class=\"pill {sev}\">{sev}</span></td><td class=\"rule\"><code>{}</code><div class=\"hint\">{}</div></td><td class=\"num\">{}</td><td>{}<div class=\"hint\">Fix: {}</div></td></tr>",
            f.rule,
            f.rule,
            f.name,
            f.line,
            code_spans(&esc(&f.message)),
            code_spans(&esc(&f.hint)),
            sev = f.severity.as_str()
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn cost_table(t: &TradeoffReport, out: &mut String) {
    let window = format_duration_human(t.window_s);
    let _ = write!(
        out,
        "<div class=\"scroll\"><table>\n<thead><tr><th class=\"num\">cost / month</th><th class=\"num\">availability</th><th class=\"num\">nines</th><th class=\"num\">down / {window}</th><th class=\"num\">total / month</th><th>variants</th><th></th></tr></thead>\n<tbody>\n"
    );
    for d in t.rows(false) {
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            format_money(d.cost),
            format_percent(d.availability, d.unavailability),
            d.nines.map_or("∞".into(), format_nines),
            format_duration_human(d.downtime_per_window_s),
            format_money(d.total_cost),
            esc(&TradeoffReport::variants_text(d)),
            esc(&t.marks(d))
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn cost_section(r: &Review, out: &mut String) {
    out.push_str("<section id=\"cost\">\n<h2>Cost versus nines</h2>\n");
    for c in &r.costs {
        let t = &c.report;
        let _ = write!(
            out,
            "<h3>{}</h3>\n<p class=\"lead\">Expected monthly total = infrastructure + unavailability × 730 h × {}/h + degraded × 730 h × {}/h.</p>\n<figure class=\"cost\">{}<figcaption>Pareto frontier of the designs' monthly cost against the nines of {}; the sweet spot has the least expected total.{}</figcaption></figure>\n",
            esc(&t.component),
            format_money(t.downtime_per_hour),
            format_money(t.degraded_per_hour),
            // The firefighting curve sits beside the nines curve: the pair needs the width.
            if t.firefighting.is_some() {
                strip_xml_declaration(&c.svg).replacen(
                    "<svg ",
                    "<svg style=\"max-width: 100%\" ",
                    1,
                )
            } else {
                strip_xml_declaration(&c.svg).to_string()
            },
            esc(&t.component),
            if t.firefighting.is_some() {
                " Beside it, the firefighting curve: how long an outage lasts against the money spent on repairing."
            } else {
                ""
            }
        );
        cost_table(t, out);
        out.push_str("<ul>");
        for line in t
            .summary()
            .lines()
            .map(str::to_string)
            .chain(t.notes.clone())
        {
            let _ = write!(out, "<li>{}</li>", code_spans(&esc(&line)));
        }
        out.push_str("</ul>\n");
    }
    if !r.cost_notes.is_empty() {
        out.push_str("<ul class=\"muted\">");
        for n in &r.cost_notes {
            let _ = write!(out, "<li>{}</li>", code_spans(&esc(n)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// An SVG document inlined in HTML needs no XML declaration (plotters writes none today).
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.find("?>").map_or(svg, |i| rest[i + 2..].trim_start()),
        None => svg,
    }
}

fn simulation_section(r: &Review, out: &mut String) {
    let Some(sim) = &r.simulation else { return };
    let window = format_duration_human(sim.window_s);
    let _ = write!(
        out,
        "<section id=\"simulation\">\n<h2>Downtime per window (timeline simulation)</h2>\n<p class=\"lead\">{} runs of {} each, cut into {window} windows{}: how downtime spreads over windows, which no formula gives. Red bins lie beyond the slo's budget.</p>\n<div class=\"grid2\">\n",
        sim.runs,
        format_duration_human(sim.horizon_s),
        sim.seed.map_or(String::new(), |s| format!(", seed {s}"))
    );
    for c in &sim.components {
        let breach = c.p_window_breach.map_or(String::new(), |p| {
            format!(
                " · P(window breaches the slo) = {}",
                if p > 0.0 { format_share(p) } else { "0".into() }
            )
        });
        let Some(chart) = svg::histogram(c, &window) else {
            continue;
        };
        let spread = c.window_downtime_s.map_or(String::new(), |p| {
            format!(
                ": p50 {}, p90 {}, p99 {} per window",
                format_duration_human(p.p50),
                format_duration_human(p.p90),
                format_duration_human(p.p99)
            )
        });
        let _ = writeln!(
            out,
            "<figure>{chart}<figcaption><strong>{}</strong>{spread}{breach}</figcaption></figure>",
            esc(&c.name),
        );
    }
    out.push_str("</div>\n<div class=\"scroll\"><table>\n<thead><tr><th>component</th><th class=\"num\">availability</th><th class=\"num\">95% CI</th><th class=\"num\">outages / year</th><th class=\"num\">mean outage</th><th class=\"num\">P(breach)</th></tr></thead>\n<tbody>\n");
    for c in &sim.components {
        let _ = writeln!(
            out,
            "<tr><td class=\"name\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.name),
            format_percent(c.availability, 1.0 - c.availability),
            format_percent(c.ci95.0, 1.0 - c.ci95.0),
            format_percent(c.ci95.1, 1.0 - c.ci95.1),
            c.outages_per_year,
            c.mean_outage_s.map_or("—".into(), format_duration_human),
            c.p_window_breach.map_or("—".into(), |p| if p > 0.0 {
                format_share(p)
            } else {
                "0".into()
            })
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}
