//! Prometheus: rule files with the SLI's error ratio recorded over every window the alerts read,
//! and the multiwindow, multi-burn-rate alerts of the Google SRE workbook; and the predicted
//! availabilities of `eval` as gauges for a textfile collector.
//!
//! An alert fires when the error ratio exceeds `factor × (1 − target)` over both its long and
//! its short window: the long one says enough budget went, the short one that it is still
//! going, so the alert stops soon after the burning does.

use super::yaml::{Yaml, document};
use super::{Export, Objective, provenance, shorthand, slugs};
use crate::model::spec::SliSpec;
use crate::report::eval::EvalReport;

/// What every alert's name starts with; the component's name in words follows, so that no two
/// alerts of a file share a name and labels.
pub const ALERT: &str = "ErrorBudgetBurn";

/// The alert of the component whose identifier (see `super::slugs`) is `slug`:
/// `ErrorBudgetBurnOrdersDb`. Alert names are not templates, so nothing in it is read as one.
pub fn alert_name(slug: &str) -> String {
    let mut name = ALERT.to_string();
    for word in slug.split('-') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    name
}
/// The alert's summary, a Prometheus template over the alert's own labels (never a name
/// written in, which could hold `{{`).
pub const SUMMARY: &str = "{{ $labels.component }} is spending its error budget too fast";

/// A burn factor as written in the rule, the long window and the short one.
pub type Burn = (&'static str, &'static str, &'static str);

/// Each alert's severity and the two burn rates either of which fires it.
pub const ALERTS: [(&str, [Burn; 2]); 2] = [
    ("page", [("14.4", "1h", "5m"), ("6", "6h", "30m")]),
    ("ticket", [("3", "1d", "2h"), ("1", "3d", "6h")]),
];

/// Every window an alert reads, shortest first: one recording rule each.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// The recorded error ratio over `window`.
pub fn record_name(window: &str) -> String {
    format!("nines:sli_error_ratio:rate{window}")
}

/// A PromQL string literal (also what the exposition format does to label values): backslash,
/// quote and line breaks escaped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The rule file: one group per objective.
pub fn render(export: &Export) -> String {
    let names = slugs(export.objectives.iter().map(|o| o.component.as_str()));
    let groups = export
        .objectives
        .iter()
        .zip(&names)
        .map(|(o, slug)| group(export, o, slug))
        .collect();
    let mut comments = provenance("prometheus", export);
    comments.push(format!(
        "Each SLI query has {} replaced by the window of the rule that evaluates it.",
        SliSpec::WINDOW
    ));
    document(&comments, &Yaml::map([("groups", Yaml::Seq(groups))]))
}

fn group(export: &Export, o: &Objective, slug: &str) -> Yaml {
    let labels = || {
        Yaml::map([
            ("model", Yaml::str(&export.model)),
            ("component", Yaml::str(&o.component)),
        ])
    };
    let mut rules: Vec<Yaml> = WINDOWS
        .iter()
        .map(|w| {
            // Validation made sure each query uses the window and no other template.
            let at = |q: &str| SliSpec::at_window(q, w).unwrap_or_else(|_| q.to_string());
            // Line breaks around the queries: a `#` comment in one ends at its line.
            let expr = format!(
                "(\n{}\n)\n/\n(\n{}\n)",
                indent(&at(&o.sli.errors)),
                indent(&at(&o.sli.total))
            );
            Yaml::map([
                ("record", Yaml::str(record_name(w))),
                ("expr", Yaml::str(expr)),
                ("labels", labels()),
            ])
        })
        .collect();
    let selector = format!(
        "{{model={}, component={}}}",
        quote(&export.model),
        quote(&o.component)
    );
    let budget = o.budget_text();
    for (severity, pairs) in ALERTS {
        let clauses: Vec<String> = pairs
            .iter()
            .map(|(factor, long, short)| {
                format!(
                    "(\n  {}{selector} > ({factor} * {budget})\nand\n  {}{selector} > ({factor} * {budget})\n)",
                    record_name(long),
                    record_name(short)
                )
            })
            .collect();
        let windows: Vec<String> = pairs
            .iter()
            .map(|(factor, long, short)| {
                format!("{factor}× the budget over both {long} and {short}")
            })
            .collect();
        rules.push(Yaml::map([
            ("alert", Yaml::str(alert_name(slug))),
            ("expr", Yaml::str(clauses.join("\nor\n"))),
            ("labels", Yaml::map([("severity", Yaml::str(severity))])),
            (
                "annotations",
                Yaml::map([
                    ("summary", Yaml::str(SUMMARY)),
                    (
                        "description",
                        Yaml::str(format!(
                            "Error ratio above {}; the budget is {budget}, for {} over {}.",
                            windows.join(", or "),
                            o.percent(),
                            shorthand(export.window_s)
                        )),
                    ),
                ]),
            ),
        ]));
    }
    Yaml::map([
        (
            "name",
            Yaml::str(format!("nines/{}/{}", export.model, o.component)),
        ),
        ("rules", Yaml::Seq(rules)),
    ])
}

/// Each line two spaces in, for a query inside parentheses.
fn indent(query: &str) -> String {
    query
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `eval`'s results in the text exposition format: predicted availability, unavailability and
/// degraded share of every component, for a textfile collector.
pub fn gauges(report: &EvalReport) -> String {
    type Read = fn(&crate::report::eval::ComponentResult) -> f64;
    let metrics: [(&str, &str, Read); 3] = [
        (
            "nines_availability",
            "Predicted availability: the probability the component is not down.",
            |c| c.availability,
        ),
        (
            "nines_unavailability",
            "Predicted unavailability: the probability the component is down.",
            |c| c.unavailability,
        ),
        (
            "nines_degraded",
            "Predicted probability the component runs degraded (on a fallback or failing open).",
            |c| c.degraded,
        ),
    ];
    let mut out = String::new();
    for (name, help, read) in metrics {
        out += &format!("# HELP {name} {help}\n# TYPE {name} gauge\n");
        for c in &report.components {
            out += &format!(
                "{name}{{model={},component={}}} {}\n",
                quote(&report.model),
                quote(&c.name),
                sample(read(c))
            );
        }
    }
    out
}

/// A sample value with all its digits: plain decimals, small ones in exponent form.
fn sample(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if x != 0.0 && x.abs() < 1e-4 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_are_identifiers() {
        assert_eq!(alert_name("orders-db"), "ErrorBudgetBurnOrdersDb");
        assert_eq!(alert_name("storefront-2"), "ErrorBudgetBurnStorefront2");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }

    #[test]
    fn samples_keep_their_digits() {
        assert_eq!(sample(1.49995e-4), "0.000149995");
        assert_eq!(sample(3.7e-9), "3.7e-9");
        assert_eq!(sample(0.0), "0");
        assert_eq!(sample(0.99985), "0.99985");
    }
}
