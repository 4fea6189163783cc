//! Where repair time goes: each recovering component's mean repair time, phase by phase, as a
//! terminal table or Markdown.

use super::table::{Cell, Screen, Table};
use super::text::{escape_html, escape_markdown};
use crate::model::units::format_duration_human;
use crate::recovery::RepairSplit;

/// One component's mean repair time and its phases.
pub struct RepairRow<'a> {
    /// The component's name.
    pub name: &'a str,
    /// Its mean repair time, phase by phase.
    pub split: RepairSplit,
}

fn cells(split: &RepairSplit) -> [String; 5] {
    let total = split.total();
    let part = |x: f64| {
        if x <= 0.0 {
            "—".to_string()
        } else {
            format!("{} ({:.0}%)", format_duration_human(x), 100.0 * x / total)
        }
    };
    [
        format_duration_human(total),
        part(split.detect_s),
        part(split.restart_s),
        part(split.wait_s),
        part(split.work_s),
    ]
}

/// The table, titled; empty without rows.
pub fn table(rows: &[RepairRow], screen: Screen) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut t = Table::new(screen)
        .text("component")
        .number("mean repair")
        .number("detect")
        .number("restart")
        .number("off-hours wait")
        .number("responder work");
    for r in rows {
        let mut row = vec![Cell::from(r.name)];
        row.extend(cells(&r.split).map(Cell::from));
        t.row(row);
    }
    format!("where repair time goes (mean per failure)\n{t}\n")
}

/// The same as a Markdown section; empty without rows.
pub fn markdown(rows: &[RepairRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n### Where repair time goes\n\n| component | mean repair | detect | restart | off-hours wait | responder work |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out += &format!(
            "| {} | {} |\n",
            escape_markdown(r.name),
            cells(&r.split).join(" | ")
        );
    }
    out
}

/// The same as an HTML table with a heading; empty without rows.
pub fn html(rows: &[RepairRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h3>Where repair time goes</h3>\n<div class=\"scroll\"><table class=\"components\">\n<thead><tr><th>component</th><th class=\"num\">mean repair</th><th class=\"num\">detect</th><th class=\"num\">restart</th><th class=\"num\">off-hours wait</th><th class=\"num\">responder work</th></tr></thead>\n<tbody>\n",
    );
    for r in rows {
        let numbers: String = cells(&r.split)
            .iter()
            .map(|x| format!("<td class=\"num\">{}</td>", escape_html(x)))
            .collect();
        out += &format!(
            "<tr><td class=\"name\">{}</td>{numbers}</tr>\n",
            escape_html(r.name)
        );
    }
    out + "</tbody></table></div>\n<p class=\"hint\">Mean time per failure in each phase of repair: off-hours wait is the time a failure waits for its responder's working hours.</p>\n"
}
