//! A check's baseline: every component compared with its earlier self, by name or, when it was
//! renamed unchanged, by what it is; what is left of the baseline was removed.

use std::collections::HashMap;

use serde::Serialize;

use super::{CheckOptions, NINES_SLACK};
use crate::exact::StateOdds;
use crate::report::baseline::{Baseline, fingerprint};
use crate::report::finite;
use crate::system::System;

/// One component compared with the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The component's name in the model checked.
    pub name: String,
    /// Its name in the baseline, when it was renamed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The line of the component in the model file.
    pub line: usize,
    /// The column of its name there (0 when unknown).
    pub column: usize,
    /// Its unavailability now, a probability.
    pub unavailability: f64,
    /// Its unavailability in the baseline, a probability.
    pub baseline_unavailability: f64,
    /// Null for a component that is never down.
    pub nines: Option<f64>,
    /// Its nines in the baseline; null when it is never down there.
    pub baseline_nines: Option<f64>,
    /// baseline nines − nines: positive when the component got worse; null when one side is
    /// never down.
    pub drop_nines: Option<f64>,
    /// It lost more than `--max-drop` nines.
    pub regressed: bool,
}

/// The comparison with a baseline (`--baseline`).
#[derive(Clone, Debug, Serialize)]
pub struct BaselineReport {
    /// The baseline file, as named.
    pub file: String,
    /// The most nines a component may lose (`--max-drop`); null when any drop is allowed.
    pub max_drop: Option<f64>,
    /// Components compared.
    pub compared: usize,
    /// Components that lost more than `max_drop` nines.
    pub regressed: usize,
    /// In file order of the model checked.
    pub components: Vec<Comparison>,
    /// Components of the baseline the model no longer has, renamed ones aside: removed.
    pub missing: Vec<String>,
    /// Components compared under a new name: (old name, new name).
    pub renamed: Vec<(String, String)>,
    /// Removed components fail the check.
    pub fail_on_removed: bool,
    /// Components of the model the baseline does not have.
    pub added: Vec<String>,
}

/// How many nines `now` lost against `before`, from unavailabilities: +∞ when a component that
/// was never down now is, −∞ for the reverse.
fn drop_nines(now: f64, before: f64) -> f64 {
    match (now > 0.0, before > 0.0) {
        (false, false) => 0.0,
        (true, false) => f64::INFINITY,
        (false, true) => f64::NEG_INFINITY,
        (true, true) => now.log10() - before.log10(),
    }
}

/// One comparison of a component now with its baseline self.
fn comparison(
    name: &str,
    renamed_from: Option<String>,
    line: usize,
    now: f64,
    before: f64,
    max_drop: Option<f64>,
) -> Comparison {
    let drop = drop_nines(now, before);
    Comparison {
        name: name.to_string(),
        renamed_from,
        line,
        column: 0,
        unavailability: now,
        baseline_unavailability: before,
        nines: finite(-now.log10()),
        baseline_nines: finite(-before.log10()),
        drop_nines: finite(drop),
        regressed: max_drop.is_some_and(|max| drop > max + NINES_SLACK),
    }
}

/// Compares every component with the baseline: by name, then, among those the names leave
/// unmatched, a component gone and a component new with the same fingerprint (one each) as a
/// rename. What is left of the baseline was removed.
pub(crate) fn compare(
    system: &System,
    states: &[StateOdds],
    b: &Baseline,
    options: CheckOptions,
) -> BaselineReport {
    let mut seen = vec![false; b.components.len()];
    // By name, the first entry of a name winning, as a lookup table: models are large.
    let mut index: HashMap<&str, usize> = Default::default();
    for (i, (n, _)) in b.components.iter().enumerate() {
        index.entry(n.as_str()).or_insert(i);
    }
    let mut compared = Vec::new();
    // Components new since the baseline, by index, with their position in `compared`.
    let mut new = Vec::new();
    for (ci, (c, s)) in system.components.iter().zip(states).enumerate() {
        let Some(&i) = index.get(c.name.as_str()) else {
            new.push(ci);
            continue;
        };
        seen[i] = true;
        compared.push(comparison(
            &c.name,
            None,
            c.line,
            s.down.p,
            b.components[i].1,
            options.max_drop,
        ));
    }
    // Renames: a fingerprint that exactly one gone and exactly one new component have.
    let mut gone_by_print: HashMap<&str, Vec<usize>> = Default::default();
    for (i, fp) in b.fingerprints.iter().enumerate() {
        if let (false, Some(fp)) = (seen[i], fp) {
            gone_by_print.entry(fp.as_str()).or_default().push(i);
        }
    }
    let new_prints: Vec<String> = new
        .iter()
        .map(|&ci| fingerprint(system, &system.components[ci]))
        .collect();
    let mut added = Vec::new();
    let mut renamed = Vec::new();
    for (k, &ci) in new.iter().enumerate() {
        let c = &system.components[ci];
        let fp = new_prints[k].as_str();
        let unique_new = new_prints.iter().filter(|p| p.as_str() == fp).count() == 1;
        match gone_by_print.get(fp).map(Vec::as_slice) {
            Some(&[i]) if unique_new => {
                seen[i] = true;
                let old = b.components[i].0.clone();
                renamed.push((old.clone(), c.name.clone()));
                compared.push(comparison(
                    &c.name,
                    Some(old),
                    c.line,
                    states[ci].down.p,
                    b.components[i].1,
                    options.max_drop,
                ));
            }
            _ => added.push(c.name.clone()),
        }
    }
    // In file order of the model checked, renamed components included.
    let order: HashMap<&str, usize> = system
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    compared.sort_by_key(|c| order.get(c.name.as_str()).copied());
    BaselineReport {
        file: b.file.clone(),
        max_drop: options.max_drop,
        compared: compared.len(),
        regressed: compared.iter().filter(|c| c.regressed).count(),
        components: compared,
        missing: b
            .components
            .iter()
            .zip(&seen)
            .filter(|(_, s)| !**s)
            .map(|((n, _), _)| n.clone())
            .collect(),
        renamed,
        fail_on_removed: options.fail_on_removed,
        added,
    }
}
