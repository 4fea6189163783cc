//! Names: printable, and known or answered with the names that are.

use super::{Invalid, Result, invalid};
use crate::model::error::{did_you_mean, with_hint};
use crate::model::tree::PathStep;

/// Names are printed to terminals, reports and diagrams: a control character in one (an escape
/// sequence, a bell, a line break) would act on the reader's terminal or break the layout, and an
/// invisible one (zero-width, or one that reorders text) would make two names look alike, or a
/// name read as something else, in review.
pub(in crate::model) fn printable(name: &str, what: &str, path: &[PathStep]) -> Result<()> {
    use crate::model::error::invisible;
    let hint = "names are printed to terminals and reports; use letters, digits, `-`, `_` or `.`";
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(invalid(
            path,
            with_hint(
                format!("the {what} name {name:?} holds the control character {c:?}"),
                hint,
            ),
        ));
    }
    if let Some(c) = name.chars().find(|&c| invisible(c)) {
        let shown: String = (name.chars())
            .map(|c| match invisible(c) {
                true => format!("<U+{:04X}>", c as u32),
                false => c.to_string(),
            })
            .collect();
        return Err(invalid(
            path,
            with_hint(
                format!(
                    "the {what} name \"{shown}\" holds the invisible character U+{:04X}",
                    c as u32
                ),
                hint,
            ),
        ));
    }
    Ok(())
}

pub(in crate::model) fn unknown<'a>(
    path: &[PathStep],
    what: &str,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Invalid {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let hint = match did_you_mean(name, candidates.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None if candidates.is_empty() => format!("the model defines no {what}s"),
        None => format!(
            "define it under `{what}s`, or use one of: {}",
            first_few(&candidates)
        ),
    };
    invalid(path, with_hint(format!("unknown {what} `{name}`"), &hint))
}

fn first_few(names: &[&str]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    let shown: Vec<&str> = sorted.iter().take(8).copied().collect();
    if sorted.len() > 8 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
