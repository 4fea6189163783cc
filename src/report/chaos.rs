//! `nines chaos`: the sweep's verdicts as a table, JSON or Markdown.

use std::collections::HashMap;

use super::Format;
use super::table::{Cell, Paint, Screen, Table};
use super::text::escape_markdown;
use crate::explain::chaos::{Chaos, Experiment, Mode, Tally, UnitKind, Verdict};

/// The most pair rows a table lists unless every experiment is asked for: the rest are counted.
const PAIR_ROWS: usize = 40;

/// The sweep rendered; `all` lists every experiment, not only those someone notices.
pub fn render(chaos: &Chaos, format: Format, screen: Screen, all: bool) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(chaos).expect("results serialise") + "\n",
        Format::Table => screen.fit(&table(chaos, screen, all)),
        Format::Markdown => markdown(chaos, all),
    }
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Invisible => "invisible",
        Verdict::Degraded => "degraded",
        Verdict::Visible => "visible",
    }
}

/// The verdict, marked when it lasts only while a component fails over.
fn verdict_cell(e: &Experiment) -> String {
    if e.failover_only {
        format!("{} (failover)", verdict_text(e.verdict))
    } else {
        verdict_text(e.verdict).to_string()
    }
}

fn kind_text(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Replica => "replica",
        UnitKind::Component => "component",
        UnitKind::AllReplicas => "all replicas",
        UnitKind::Domain => "domain",
        UnitKind::Pair => "pair",
    }
}

fn title(chaos: &Chaos) -> String {
    let outer = &chaos.summary.outermost;
    if outer.is_empty() {
        return format!("{} — chaos sweep: no components to judge", chaos.model);
    }
    format!(
        "{} — chaos sweep, seen from {}",
        chaos.model,
        outer.join(", ")
    )
}

fn tally_text(t: &Tally, what: &str) -> String {
    let mut parts = vec![format!("{} invisible", t.invisible)];
    if t.degraded > 0 {
        parts.push(format!("{} degraded", t.degraded));
    }
    parts.push(format!("{} visible", t.visible));
    format!("{} {what}: {}", t.experiments, parts.join(", "))
}

/// The one-line verdict: how much of the sweep went unseen, and what did not.
fn headline(chaos: &Chaos) -> String {
    let s = &chaos.summary;
    let visible: Vec<String> = (chaos.singles().iter())
        .filter(|e| e.verdict == Verdict::Visible && e.kind != UnitKind::AllReplicas)
        .map(failed_text)
        .collect();
    let mut line = tally_text(&s.singles, "single failures");
    if !visible.is_empty() {
        const SHOWN: usize = 8;
        let more = if visible.len() > SHOWN { ", …" } else { "" };
        let shown: Vec<&str> = visible.iter().take(SHOWN).map(String::as_str).collect();
        line += &format!(" — visible: {}{more}", shown.join(", "));
    }
    line
}

fn failed_text(e: &Experiment) -> String {
    let failed = e.failed.join(" + ");
    match e.mode {
        Mode::Fail => failed,
        Mode::Hang => format!("{failed} (hangs)"),
    }
}

fn lines(chaos: &Chaos) -> Vec<String> {
    let s = &chaos.summary;
    let mut out = vec![headline(chaos)];
    if s.all_replicas.experiments > 0 {
        out.push(tally_text(&s.all_replicas, "components failed whole"));
    }
    if s.hangs.experiments > 0 {
        // Counted in the lines above as well: a hang is one more way for each part to fail.
        out.push(tally_text(&s.hangs, "of these hang"));
    }
    if let (Some(pairs), Some(worse)) = (&s.pairs, s.pairs_worse_together) {
        out.push(format!(
            "{}; {worse} worse together than either alone",
            tally_text(pairs, "pairs")
        ));
    }
    if !s.never_fail.is_empty() {
        out.push(format!(
            "left out, never failing (availability 100%): {}",
            s.never_fail.join(", ")
        ));
    }
    out
}

/// The rows shown: every experiment with `all`; otherwise the single failures someone notices,
/// then the pairs that are worse together than either alone (up to [`PAIR_ROWS`]), and how many
/// pairs that leaves out.
fn shown(chaos: &Chaos, all: bool) -> (Vec<&Experiment>, usize) {
    if all {
        return (chaos.experiments.iter().collect(), 0);
    }
    let singles = chaos.singles();
    // Pairs fail fast: they are compared with their members failing fast.
    let alone: HashMap<&str, Verdict> = (singles.iter())
        .filter(|e| e.mode == Mode::Fail)
        .map(|e| (e.failed[0].as_str(), e.verdict))
        .collect();
    // One thing failing first, then whole components; visible before degraded.
    let mut rows: Vec<&Experiment> = (singles.iter())
        .filter(|e| e.verdict != Verdict::Invisible)
        .collect();
    rows.sort_by_key(|e| {
        (
            e.kind == UnitKind::AllReplicas,
            std::cmp::Reverse(e.verdict),
        )
    });
    let worse = chaos.experiments[singles.len()..].iter().filter(|e| {
        let before = e.failed.iter().map(|f| alone[f.as_str()]).max();
        before.is_some_and(|b| e.verdict > b)
    });
    let worse: Vec<&Experiment> = worse.collect();
    let left = worse.len().saturating_sub(PAIR_ROWS);
    rows.extend(worse.into_iter().take(PAIR_ROWS));
    (rows, left)
}

fn paint(v: Verdict) -> Option<Paint> {
    match v {
        Verdict::Visible => Some(Paint::Red),
        Verdict::Degraded => Some(Paint::Yellow),
        Verdict::Invisible => None,
    }
}

fn table(chaos: &Chaos, screen: Screen, all: bool) -> String {
    let mut out = format!("{}\n", title(chaos));
    let (rows, left) = shown(chaos, all);
    if !rows.is_empty() {
        let mut t = Table::new(screen)
            .text("failed")
            .label("kind")
            .label("verdict")
            .text("down")
            .text("degraded");
        for e in &rows {
            t.row([
                Cell::from(failed_text(e)),
                Cell::from(kind_text(e.kind)),
                Cell::from(verdict_cell(e)).paint(paint(e.verdict)),
                Cell::from(e.visible.join(", ")),
                Cell::from(e.degraded.join(", ")),
            ]);
        }
        out += &format!("{t}\n");
    }
    if left > 0 {
        out += &format!("… and {left} more pairs worse together (--all or --format json)\n");
    }
    for line in lines(chaos) {
        out += &line;
        out += "\n";
    }
    out
}

fn markdown(chaos: &Chaos, all: bool) -> String {
    let mut out = format!("## {}\n\n", escape_markdown(&title(chaos)));
    for line in lines(chaos) {
        out += &format!("{}\n\n", escape_markdown(&line));
    }
    let (rows, left) = shown(chaos, all);
    if !rows.is_empty() {
        out += "| failed | kind | verdict | down | degraded |\n|---|---|---|---|---|\n";
        for e in &rows {
            out += &format!(
                "| {} | {} | {} | {} | {} |\n",
                escape_markdown(&failed_text(e)),
                kind_text(e.kind),
                verdict_cell(e),
                escape_markdown(&e.visible.join(", ")),
                escape_markdown(&e.degraded.join(", ")),
            );
        }
    }
    if left > 0 {
        out += &format!("\n… and {left} more pairs worse together\n");
    }
    out
}
