//! Where repair time goes: each recovering component's mean repair time, phase by phase, as a
//! terminal table or Markdown; and what recovery money buys (`explain`, the report).

use super::table::{Cell, Screen, Table};
use super::text::{escape_html, escape_markdown};
use super::tradeoff::format_money;
use crate::explain::recovery::RecoveryOption;
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

fn option_cells(o: &RecoveryOption) -> [String; 6] {
    [
        o.component.clone(),
        o.change.clone(),
        format!(
            "{} → {}",
            format_duration_human(o.mttr_before_s),
            format_duration_human(o.mttr_after_s)
        ),
        format_duration_human(o.downtime_saved_per_year_s),
        match o.cost_per_month {
            Some(m) if m > 0.0 => format!("+{}", format_money(m)),
            Some(m) => format_money(m),
            None => "not priced".into(),
        },
        o.downtime_cost_saved_per_month
            .map_or("—".into(), format_money),
    ]
}

const OPTION_HEADERS: [&str; 6] = [
    "component",
    "change",
    "mean repair",
    "saved / year",
    "cost / month",
    "worth / month",
];

const OPTIONS_NOTE: &str = "Each row is one change, evaluated exactly against the model as written. Priced changes are ranked by downtime saved per money; a restart or faster detection has no price in the model, and what the downtime it saves is worth a month is what it may cost.";

/// What recovery money buys for `target`, as a terminal table; empty without options.
pub fn options_table(target: &str, options: &[RecoveryOption], screen: Screen) -> String {
    if options.is_empty() {
        return String::new();
    }
    let mut t = Table::new(screen)
        .text(OPTION_HEADERS[0])
        .text(OPTION_HEADERS[1])
        .number(OPTION_HEADERS[2])
        .moves(1)
        .number(OPTION_HEADERS[3])
        .number(OPTION_HEADERS[4])
        .number(OPTION_HEADERS[5]);
    for o in options {
        t.row(option_cells(o).map(Cell::from));
    }
    format!(
        "what recovery money buys: downtime of {target} saved, best value first\n{t}\n{}\n",
        "a restart or faster detection is not priced in the model: its worth is what it may cost"
    )
}

/// The same as a Markdown section; empty without options.
pub fn options_markdown(target: &str, options: &[RecoveryOption], level: &str) -> String {
    if options.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{level} What recovery money buys for {}\n\n| {} |\n|---|---|---:|---:|---:|---:|\n",
        escape_markdown(target),
        OPTION_HEADERS.join(" | ")
    );
    for o in options {
        out += &format!(
            "| {} |\n",
            option_cells(o)
                .iter()
                .map(|c| escape_markdown(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out + "\n" + OPTIONS_NOTE + "\n"
}

/// The same as HTML; empty without options.
pub fn options_html(target: &str, options: &[RecoveryOption]) -> String {
    if options.is_empty() {
        return String::new();
    }
    let head: String = OPTION_HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let class = if i >= 2 { " class=\"num\"" } else { "" };
            format!("<th{class}>{}</th>", escape_html(h))
        })
        .collect();
    let mut out = format!(
        "<h3>What recovery money buys for {}</h3>\n<div class=\"scroll\"><table class=\"components\">\n<thead><tr>{head}</tr></thead>\n<tbody>\n",
        escape_html(target)
    );
    for o in options {
        let cells: String = option_cells(o)
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let class = if i >= 2 { " class=\"num\"" } else { "" };
                format!("<td{class}>{}</td>", escape_html(x))
            })
            .collect();
        out += &format!("<tr>{cells}</tr>\n");
    }
    out + &format!(
        "</tbody></table></div>\n<p class=\"hint\">{}</p>\n",
        escape_html(OPTIONS_NOTE)
    )
}
