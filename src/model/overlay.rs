//! Overlays: partial models merged over a model by component and domain name, so that numbers a
//! person writes live apart from a model another tool generates.
//!
//! The merge works on the parsed trees, before anything is typed, so every value keeps the place
//! it was written (its span names the file) and an error points into the overlay that wrote it.
//! Maps merge key by key; scalars and lists replace. A component or domain that the model does not
//! have is an error in the overlay: an overlay completes a model, it never adds to it.

use std::collections::HashMap;

use super::error::{Span, did_you_mean, with_hint};
use super::tree::{Node, Value};

/// The sections whose entries are named things of the model, merged by name.
const NAMED_SECTIONS: [(&str, &str); 2] = [("components", "component"), ("domains", "domain")];

/// Why an overlay cannot be merged, placed in the overlay.
#[derive(Debug)]
pub struct OverlayError {
    /// The place in the overlay.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// Marks every value of an overlay's tree as written by file `file`.
pub fn tag(node: &mut Node, file: usize) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span.file = file;
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.span.file = file;
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
}

/// Merges `overlay` into `model`.
pub fn merge(model: &mut Node, overlay: Node) -> Result<(), OverlayError> {
    let entries = match overlay.value {
        // An empty overlay file changes nothing.
        Value::Null => return Ok(()),
        Value::Map(entries) => entries,
        _ => {
            return Err(OverlayError {
                span: overlay.span,
                message: with_hint(
                    "an overlay is a map of model keys, such as `components`".into(),
                    "write e.g. `components: { web: { availability: 99.9% } }`",
                ),
            });
        }
    };
    let Value::Map(top) = &mut model.value else {
        unreachable!("a model's tree is a map")
    };
    for (key, value) in entries {
        let name = key_name(&key);
        match NAMED_SECTIONS.iter().find(|(section, _)| *section == name) {
            Some((section, kind)) => merge_named(top, &key, value, section, kind)?,
            None => match top.iter_mut().find(|(k, _)| k.value == key.value) {
                Some((_, base)) => merge_values(base, value),
                None => top.push((key, value)),
            },
        }
    }
    Ok(())
}

/// Merges the entries of `components` or `domains` by name; a name the model lacks is an error.
fn merge_named(
    top: &mut [(Node, Node)],
    key: &Node,
    value: Node,
    section: &str,
    kind: &str,
) -> Result<(), OverlayError> {
    let entries = match value.value {
        Value::Null => return Ok(()),
        Value::Map(entries) => entries,
        other => {
            return Err(OverlayError {
                span: value.span,
                message: format!(
                    "`{section}` in an overlay is a map of {kind} names, found {}",
                    other.kind()
                ),
            });
        }
    };
    let base = top
        .iter_mut()
        .find(|(k, _)| key_name(k) == section)
        .and_then(|(_, v)| match &mut v.value {
            Value::Map(m) => Some(m),
            _ => None,
        });
    let Some(base) = base else {
        let span = entries.first().map_or(key.span, |(k, _)| k.span);
        return Err(OverlayError {
            span,
            message: with_hint(
                format!("the overlay sets {kind}s, and the model has no `{section}`"),
                &format!("an overlay completes the {kind}s a model names; add them to the model"),
            ),
        });
    };
    // Looked up by name once: an overlay of every component of a large model stays linear.
    let index: HashMap<String, usize> = base
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (key_name(k).to_string(), i))
        .collect();
    for (name_node, entry) in entries {
        let name = key_name(&name_node);
        match index.get(name) {
            Some(&i) => merge_values(&mut base[i].1, entry),
            None => {
                let hint = match did_you_mean(name, index.keys().map(String::as_str)) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => format!(
                        "an overlay completes the {kind}s the model names; add `{name}` to the model"
                    ),
                };
                return Err(OverlayError {
                    span: name_node.span,
                    message: with_hint(format!("the model has no {kind} `{name}`"), &hint),
                });
            }
        }
    }
    Ok(())
}

/// Maps merge key by key; anything else replaces.
fn merge_values(base: &mut Node, overlay: Node) {
    match (&mut base.value, overlay.value) {
        (Value::Map(into), Value::Map(from)) => {
            for (key, value) in from {
                match into.iter_mut().find(|(k, _)| k.value == key.value) {
                    Some((_, b)) => merge_values(b, value),
                    None => into.push((key, value)),
                }
            }
        }
        (_, value) => {
            *base = Node {
                value,
                span: overlay.span,
            }
        }
    }
}

fn key_name(key: &Node) -> &str {
    match &key.value {
        Value::Str(s) => s,
        _ => "",
    }
}
