//! The results of `nines diff OLD NEW`: every component's exact numbers before and after, and
//! the changes in the model that explain them, as a table, JSON or Markdown.

use std::collections::HashMap;

use serde::Serialize;

use super::Format;
use super::eval::{ComponentResult, EvalReport};
use super::table::{Cell, Paint, Screen, Table, printable};
use super::text::{escape_markdown, format_share};
use crate::exact::StateOdds;
use crate::model::ModelSpec;
use crate::model::diff::{ModelChange, Owner, Reach, model_changes, renames};
use crate::model::units::{format_duration_human, format_percent};
use crate::system::System;

/// One side of the comparison: the file, as written and as evaluated.
pub struct Side<'a> {
    /// The file, as named.
    pub file: &'a str,
    /// The model as written.
    pub spec: &'a ModelSpec,
    /// The model validated.
    pub system: &'a System,
    /// Every component's exact states, in the system's order.
    pub states: &'a [StateOdds],
}

/// How a component differs between the two models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its numbers changed.
    Changed,
    /// Its numbers are the same.
    Unchanged,
    /// Only in the new model.
    Added,
    /// Only in the old model.
    Removed,
    /// The same component under a new name.
    Renamed,
}

/// One component compared between the two models.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentDiff {
    /// The name in the new model (in the old one for a removed component).
    pub name: String,
    /// How it differs.
    pub status: Status,
    /// The old name of a renamed component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// `eval`'s numbers for the component in each model; null where it is absent.
    pub before: Option<ComponentResult>,
    /// `eval`'s numbers in the new model; null where it is absent.
    pub after: Option<ComponentResult>,
    /// Nines after minus nines before; null where either side never goes down or is absent.
    pub delta_nines: Option<f64>,
    /// Expected downtime a year after minus before, in seconds; null where it is absent on either
    /// side.
    pub delta_downtime_per_year_s: Option<f64>,
    /// The model changes that can move its numbers: its own, those of every component it rests
    /// on (transitively) and of their domains, and the model-wide ones, in either model.
    pub changes: Vec<ModelChange>,
}

/// How many components differ each way.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Components whose numbers changed.
    pub changed: usize,
    /// Components whose numbers are the same.
    pub unchanged: usize,
    /// Components only in the new model.
    pub added: usize,
    /// Components only in the old model.
    pub removed: usize,
    /// Components under a new name.
    pub renamed: usize,
}

/// The results of `nines diff`: every component before and after, and the model changes behind
/// them.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    /// The old model file, as named.
    pub old: String,
    /// The new model file, as named.
    pub new: String,
    /// How many components differ each way.
    pub summary: Summary,
    /// Every component: the new model's in its order, then those removed.
    pub components: Vec<ComponentDiff>,
    /// Every change of the model, key by key.
    pub model_changes: Vec<ModelChange>,
    #[serde(skip)]
    old_window_s: f64,
    #[serde(skip)]
    new_window_s: f64,
}

/// Numbers that differ by less than this, relatively, are the same number computed in another
/// order (a changed model may order the decision diagram's variables differently); real changes
/// of a model's inputs move them by far more.
const SAME: f64 = 1e-12;

fn same(x: f64, y: f64) -> bool {
    (x - y).abs() <= SAME * x.abs().max(y.abs())
}

fn same_numbers(b: &ComponentResult, a: &ComponentResult) -> bool {
    same(b.unavailability, a.unavailability)
        && same(b.degraded, a.degraded)
        && same(b.downtime_per_window_s, a.downtime_per_window_s)
        && b.slo == a.slo
        && b.meets_slo == a.meets_slo
}

impl DiffReport {
    /// Compares two models, each given as written and as evaluated.
    pub fn new(old: Side, new: Side) -> DiffReport {
        let renames = renames(old.spec, new.spec);
        let changes = model_changes(old.spec, new.spec, &renames);
        let before = EvalReport::new(old.system, old.states).components;
        let after = EvalReport::new(new.system, new.states).components;

        let (old_why, new_why) = (
            explanations(old.system, &changes),
            explanations(new.system, &changes),
        );
        // The changes a component rests on in either model, in the order of the list.
        let explain = |old_id: Option<usize>, new_id: Option<usize>| -> Vec<ModelChange> {
            let mut ids: Vec<usize> = old_id
                .map_or(&[][..], |i| &old_why[i])
                .iter()
                .chain(new_id.map_or(&[][..], |i| &new_why[i]))
                .copied()
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(|i| changes[i].clone()).collect()
        };

        // By name, once: looking each name up in a list would be quadratic in the model's size.
        let ids = |system: &System| -> HashMap<String, usize> {
            system
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect()
        };
        let (old_ids, new_ids) = (ids(old.system), ids(new.system));
        let mut components = Vec::new();
        for (id, a) in after.iter().enumerate() {
            let renamed_from = renames
                .iter()
                .find(|(_, n)| *n == a.name)
                .map(|(o, _)| o.clone());
            let old_name = renamed_from.as_deref().unwrap_or(&a.name);
            let old_id = old_ids.get(old_name).copied();
            let b = old_id.map(|i| before[i].clone());
            let status = match (&b, &renamed_from) {
                (_, Some(_)) => Status::Renamed,
                (None, None) => Status::Added,
                (Some(b), None) if same_numbers(b, a) => Status::Unchanged,
                (Some(_), None) => Status::Changed,
            };
            components.push(ComponentDiff {
                name: a.name.clone(),
                status,
                renamed_from,
                delta_nines: b.as_ref().and_then(|b| Some(a.nines? - b.nines?)),
                delta_downtime_per_year_s: b
                    .as_ref()
                    .map(|b| a.downtime_per_year_s - b.downtime_per_year_s),
                before: b,
                after: Some(a.clone()),
                changes: explain(old_id, Some(id)),
            });
        }
        for (id, b) in before.iter().enumerate() {
            let gone = !new_ids.contains_key(&b.name) && !renames.iter().any(|(o, _)| *o == b.name);
            if gone {
                components.push(ComponentDiff {
                    name: b.name.clone(),
                    status: Status::Removed,
                    renamed_from: None,
                    before: Some(b.clone()),
                    after: None,
                    delta_nines: None,
                    delta_downtime_per_year_s: None,
                    changes: explain(Some(id), None),
                });
            }
        }

        let mut summary = Summary::default();
        for c in &components {
            *match c.status {
                Status::Changed => &mut summary.changed,
                Status::Unchanged => &mut summary.unchanged,
                Status::Added => &mut summary.added,
                Status::Removed => &mut summary.removed,
                Status::Renamed => &mut summary.renamed,
            } += 1;
        }
        DiffReport {
            old: old.file.to_string(),
            new: new.file.to_string(),
            summary,
            components,
            model_changes: changes,
            old_window_s: old.system.window_s,
            new_window_s: new.system.window_s,
        }
    }

    /// `all`: list unchanged components too (JSON always lists every component).
    pub fn render(&self, format: Format, all: bool, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.text(all, screen),
            Format::Markdown => self.markdown(all),
        }
    }

    fn shown(&self, all: bool) -> Vec<&ComponentDiff> {
        self.components
            .iter()
            .filter(|c| all || c.status != Status::Unchanged)
            .collect()
    }

    fn headline(&self) -> String {
        let s = &self.summary;
        let mut parts = vec![format!(
            "{} of {} components changed",
            s.changed,
            s.changed + s.unchanged
        )];
        for (n, what) in [
            (s.added, "added"),
            (s.removed, "removed"),
            (s.renamed, "renamed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }

    fn window_header(&self) -> String {
        if self.old_window_s == self.new_window_s {
            format!("down / {}", format_duration_human(self.new_window_s))
        } else {
            format!(
                "down / window ({} → {})",
                format_duration_human(self.old_window_s),
                format_duration_human(self.new_window_s)
            )
        }
    }

    /// The table's header and cells, escaped by `escape` (for a terminal or for Markdown).
    fn rows(
        &self,
        shown: &[&ComponentDiff],
        escape: fn(&str) -> String,
    ) -> (Vec<String>, Vec<Vec<String>>) {
        let header = vec![
            "component".to_string(),
            "availability".into(),
            "Δ nines".into(),
            "degraded".into(),
            self.window_header(),
            "down / year".into(),
            "Δ / year".into(),
            "slo".into(),
        ];
        let rows = shown
            .iter()
            .map(|c| {
                let (b, a) = (c.before.as_ref(), c.after.as_ref());
                let cell = |f: fn(&ComponentResult) -> String| pair(b.map(f), a.map(f));
                let name = match (c.status, &c.renamed_from) {
                    (Status::Renamed, Some(old)) => {
                        format!("{} (renamed from {})", escape(&c.name), escape(old))
                    }
                    (Status::Added, _) => format!("{} (added)", escape(&c.name)),
                    (Status::Removed, _) => format!("{} (removed)", escape(&c.name)),
                    _ => escape(&c.name),
                };
                vec![
                    name,
                    cell(|r| format_percent(r.availability, r.unavailability)),
                    c.delta_nines.map_or(String::new(), signed_nines),
                    cell(|r| {
                        if r.degraded > 0.0 {
                            format_share(r.degraded)
                        } else {
                            "—".into()
                        }
                    }),
                    cell(|r| format_duration_human(r.downtime_per_window_s)),
                    cell(|r| format_duration_human(r.downtime_per_year_s)),
                    c.delta_downtime_per_year_s
                        .map_or(String::new(), signed_duration),
                    match cell(|r| {
                        r.slo.map_or("none".into(), |s| {
                            let verdict = if r.meets_slo == Some(true) {
                                "✓"
                            } else {
                                "✗"
                            };
                            format!("{} {verdict}", format_percent(s, 1.0 - s))
                        })
                    }) {
                        none if none == "none" => String::new(),
                        slo => slo,
                    },
                ]
            })
            .collect();
        (header, rows)
    }

    /// The terminal table: the name, then numbers; the before-and-after numbers move under the
    /// table first when the screen is narrow.
    fn table(&self, shown: &[&ComponentDiff], screen: Screen) -> String {
        let (header, rows) = self.rows(shown, terminal_safe);
        let mut t = Table::new(screen);
        for (i, h) in header.iter().enumerate() {
            t = match i {
                0 => t.text(h),
                // Before-and-after downtimes repeat the deltas' story: they move first.
                4 | 5 => t.number(h).moves(1),
                _ => t.number(h),
            };
        }
        for (c, row) in shown.iter().zip(rows) {
            // More nines in green and fewer in red (where the screen takes colour).
            let tint = match c.delta_nines {
                Some(d) if d > 0.0 => Some(Paint::Green),
                Some(d) if d < 0.0 => Some(Paint::Red),
                _ => None,
            };
            t.row(row.into_iter().enumerate().map(|(i, x)| {
                let cell = Cell::from(x);
                if i == 2 || i == 6 {
                    cell.paint(tint)
                } else {
                    cell
                }
            }));
        }
        t.to_string()
    }

    fn text(&self, all: bool, screen: Screen) -> String {
        let shown = self.shown(all);
        let mut out = format!(
            "{} → {}: {}\n",
            terminal_safe(&self.old),
            terminal_safe(&self.new),
            self.headline()
        );
        if shown.is_empty() {
            out += "No component's numbers changed.\n";
        } else {
            out += &self.table(&shown, screen);
            out += "\n";
        }
        if self.model_changes.is_empty() {
            out += "\nNo change in the model.\n";
            return out;
        }
        out += "\nChanges in the model:\n";
        let width = self
            .model_changes
            .iter()
            .map(|c| terminal_safe(&c.path).chars().count())
            .max()
            .unwrap_or(0);
        for ch in &self.model_changes {
            out += &format!(
                "  {:width$}  {}\n",
                terminal_safe(&ch.path),
                terminal_safe(&ch.text())
            );
        }
        let explained: Vec<&&ComponentDiff> = shown
            .iter()
            .filter(|c| c.status == Status::Changed && !c.changes.is_empty())
            .collect();
        if !explained.is_empty() {
            out += "\nWhy: the changes each component rests on:\n";
            for c in explained {
                let paths: Vec<String> =
                    c.changes.iter().map(|ch| terminal_safe(&ch.path)).collect();
                out += &format!("  {}: {}\n", terminal_safe(&c.name), paths.join(", "));
            }
        }
        out
    }

    fn markdown(&self, all: bool) -> String {
        let shown = self.shown(all);
        let mut out = format!(
            "### Availability: {} → {}\n\n{}\n\n",
            escape_markdown(&self.old),
            escape_markdown(&self.new),
            self.headline()
        );
        if shown.is_empty() {
            out += "No component's numbers changed.\n";
        } else {
            let (header, rows) = self.rows(&shown, escape_markdown);
            out += &format!("| {} |\n", header.join(" | "));
            out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
            for row in rows {
                out += &format!("| {} |\n", row.join(" | "));
            }
        }
        if self.model_changes.is_empty() {
            out += "\nNo change in the model.\n";
            return out;
        }
        out += "\n#### Changes in the model\n\n";
        for ch in &self.model_changes {
            out += &format!(
                "- {}: {}\n",
                escape_markdown(&ch.path),
                escape_markdown(&ch.text())
            );
        }
        let explained: Vec<&&ComponentDiff> = shown
            .iter()
            .filter(|c| c.status == Status::Changed && !c.changes.is_empty())
            .collect();
        if !explained.is_empty() {
            out += "\n#### Why: the changes each component rests on\n\n";
            for c in explained {
                let paths: Vec<String> = c
                    .changes
                    .iter()
                    .map(|ch| escape_markdown(&ch.path))
                    .collect();
                out += &format!("- **{}**: {}\n", escape_markdown(&c.name), paths.join(", "));
            }
        }
        out
    }
}

/// For each component of `system`, the indices of the changes that can move its numbers.
fn explanations(system: &System, changes: &[ModelChange]) -> Vec<Vec<usize>> {
    let reach = Reach::new(system);
    let mut out = vec![Vec::new(); system.components.len()];
    let mut reached: HashMap<&Owner, Vec<usize>> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        if !change.moves_numbers {
            continue;
        }
        let resting = reached
            .entry(&change.owner)
            .or_insert_with(|| reach.resting_on(&change.owner));
        for &c in resting.iter() {
            out[c].push(i);
        }
    }
    out
}

/// `a → b`, or `a` alone when both read the same; one side alone where the other is absent.
fn pair(before: Option<String>, after: Option<String>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if a == b => a,
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => String::new(),
    }
}

fn signed_nines(d: f64) -> String {
    if d == 0.0 {
        "0".into()
    } else if d.abs() >= 0.005 {
        format!("{d:+.2}")
    } else {
        // Too small for two decimals but real: keep two significant digits.
        format!("{d:+.1e}")
    }
}

fn signed_duration(d: f64) -> String {
    if d == 0.0 {
        return "0".into();
    }
    let sign = if d > 0.0 { "+" } else { "-" };
    format!("{sign}{}", format_duration_human(d.abs()))
}

/// Text for a terminal on one line: control characters (an escape sequence would act on the
/// reader's terminal) and line breaks written out as escapes.
fn terminal_safe(s: &str) -> String {
    printable(s).replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_has_no_control_characters() {
        let safe = terminal_safe("db\u{1b}[31m\u{7}\nx");
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
        assert!(safe.starts_with("db") && safe.ends_with('x'));
    }

    #[test]
    fn signs() {
        assert_eq!(signed_nines(0.756), "+0.76");
        assert_eq!(signed_nines(-0.0004), "-4.0e-4");
        assert_eq!(signed_duration(-3600.0), "-1h");
        assert_eq!(pair(Some("a".into()), Some("a".into())), "a");
        assert_eq!(pair(Some("a".into()), Some("b".into())), "a → b");
    }
}
