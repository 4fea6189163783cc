//! Inputs whose cost was once quadratic in their size: chains of dependencies and gates, a
//! model written on one line, anchors nested in anchors. Sized by the caller, so that a bench
//! (or a test) can compare n with 10n.

#![allow(dead_code)]

/// A model of `n` components, each depending hard on the next, every one at `availability`;
/// the top one (`c0`) has an slo when `slo` says so.
pub fn dependency_chain(n: usize, availability: &str, slo: Option<&str>) -> String {
    let mut t = String::from("components:\n");
    for i in 0..n {
        let slo = match slo {
            Some(s) if i == 0 => format!(", slo: {s}"),
            _ => String::new(),
        };
        let dep = if i + 1 < n {
            format!(", depends_on: [c{}]", i + 1)
        } else {
            String::new()
        };
        t += &format!("  c{i}: {{ availability: {availability}{slo}{dep} }}\n");
    }
    t
}

/// An Open-PSA fault tree whose gate i is the OR of gate i + 1 and event i, every event of
/// probability `p`; on one line when `one_line` says so.
pub fn gate_chain(gates: usize, p: f64, one_line: bool) -> String {
    let nl = if one_line { "" } else { "\n" };
    let mut t = format!("<?xml version=\"1.0\"?>{nl}<opsa-mef><define-fault-tree name=\"FT\">{nl}");
    for i in 0..gates {
        let next = if i + 1 < gates {
            format!("<gate name=\"G{}\"/>", i + 1)
        } else {
            format!("<basic-event name=\"E{}\"/>", i + 1)
        };
        t += &format!(
            "<define-gate name=\"G{i}\"><or>{next}<basic-event name=\"E{i}\"/></or></define-gate>{nl}"
        );
    }
    t += &format!("</define-fault-tree><model-data>{nl}");
    for i in 0..=gates {
        t += &format!(
            "<define-basic-event name=\"E{i}\"><float value=\"{p:e}\"/></define-basic-event>{nl}"
        );
    }
    t + "</model-data></opsa-mef>\n"
}

/// A TOML model of `n` independent components, all on one line.
pub fn one_line_toml(n: usize) -> String {
    let mut t = String::from("components = { ");
    for i in 0..n {
        t += &format!("\"c{i}\" = {{ availability = 0.9999 }}, ");
    }
    t + "last = { availability = 0.999 } }\n"
}

/// A YAML model with an extra key `x` holding 60 anchors nested one in the other around
/// `leaves` values, none of them used by an alias.
pub fn nested_anchors(leaves: usize) -> String {
    let mut t = String::from("components:\n  a: { availability: 0.9 }\nx: ");
    for i in 0..60 {
        t += &format!("&a{i} [");
    }
    t += &vec!["x"; leaves].join(", ");
    t += &"]".repeat(60);
    t + "\n"
}
