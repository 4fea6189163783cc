//! What the model knows, handed to the SLO tools that watch production: OpenSLO documents,
//! sloth specs and Prometheus rules with multiwindow, multi-burn-rate alerts.
//!
//! Each component with an slo and an `sli` becomes one objective. With derived targets on, every
//! hard dependency of such a component becomes one too, at the target `budget` gives it (one
//! nine more than its caller's slo; the strictest caller wins). The SLI queries are the model's,
//! carried through unchanged: a component without `sli` is left out and named in the warnings,
//! never given an invented query.

pub mod openslo;
pub mod prometheus;
pub mod sloth;
pub mod yaml;

use std::collections::HashMap;

use serde::Serialize;

use crate::exact::EngineError;
use crate::explain::budget::{DependencyKind, budget};
use crate::model::Model;
use crate::model::spec::SliSpec;
use crate::model::units::{Availability, Odds, format_percent};
use crate::system::System;

/// Where an objective's target comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// The component's own `slo`.
    Slo,
    /// `budget`'s rule of the extra nine, for the caller (with an slo) that asks the most.
    Budget {
        /// The caller whose slo asks the most of the component.
        caller: String,
        /// That caller's slo, an availability.
        caller_slo: f64,
    },
}

/// One objective to export.
#[derive(Clone, Debug, Serialize)]
pub struct Objective {
    /// The component the objective is for.
    pub component: String,
    /// The target availability as exact decimal text (`0.9995`).
    pub target: String,
    /// The target's unavailability: the error budget as a ratio of requests.
    pub error_budget: f64,
    /// Where the target comes from.
    pub source: Source,
    /// The component's `sli`: the queries that measure it, passed through.
    pub sli: SliSpec,
    #[serde(skip)]
    odds: Odds,
}

impl Objective {
    /// The target as a percentage with its digits (`99.95%`).
    pub fn percent(&self) -> String {
        format_percent(self.odds.q, self.odds.p)
    }

    /// The target in percent as exact decimal text (`99.95`), as sloth writes objectives.
    pub fn percent_text(&self) -> String {
        shift_two(&self.target)
    }

    /// The error budget as decimal text, for thresholds written `factor * budget`.
    pub fn budget_text(&self) -> String {
        format!("{}", self.odds.p)
    }

    /// Why this target, in a sentence.
    pub fn reason(&self) -> String {
        match &self.source {
            Source::Slo => format!("{}: its slo of {}", self.component, self.percent()),
            Source::Budget { caller, caller_slo } => format!(
                "{}: derived by `nines budget`, one nine more than the {} slo of {caller}, which depends on it",
                self.component,
                format_percent(*caller_slo, 1.0 - caller_slo)
            ),
        }
    }
}

/// The objectives of a model, and what was left out.
#[derive(Clone, Debug, Serialize)]
pub struct Export {
    /// The model's name.
    pub model: String,
    /// The SLO window, in seconds.
    pub window_s: f64,
    /// The objectives exported: each slo, and with `budget` the derived ones.
    pub objectives: Vec<Objective>,
    /// Components that would have had an objective but have no `sli`.
    pub without_sli: Vec<String>,
    /// Everything else worth saying: slos looser than `budget` asks, slos of 100%.
    pub warnings: Vec<String>,
}

/// Rounds an unavailability to twelve significant digits, so that one nine more than 99.95%
/// reads 99.995%, not the last bit of a division.
fn rounded(u: f64) -> f64 {
    format!("{u:.11e}").parse().unwrap_or(u)
}

/// The objectives of `model`: every component with an slo and, with `derived`, every hard
/// dependency of one at the target `budget` gives it.
pub fn objectives(model: &Model, system: &System, derived: bool) -> Result<Export, EngineError> {
    // The strictest derived target of each component, and who asks it.
    let mut asked: HashMap<usize, (Odds, usize)> = HashMap::new();
    if derived {
        for (c, component) in system.components.iter().enumerate() {
            let Some(slo) = component.slo else { continue };
            let b = budget(system, c, slo, None)?;
            let target = b.extra_nine_target();
            for row in b.dependencies.iter() {
                if row.kind != DependencyKind::Component {
                    continue;
                }
                let Some(d) = system.component_id(&row.name) else {
                    continue;
                };
                match asked.get(&d) {
                    Some((odds, _)) if odds.p <= target.p => {}
                    _ => {
                        asked.insert(d, (target, c));
                    }
                }
            }
        }
    }
    let mut objectives = Vec::new();
    let mut without_sli = Vec::new();
    let mut warnings = Vec::new();
    for (c, component) in system.components.iter().enumerate() {
        let (odds, source) = match (component.slo, asked.get(&c)) {
            (Some(slo), derived) => {
                if let Some((odds, caller)) = derived
                    && odds.p < slo.down.p
                {
                    warnings.push(format!(
                        "{}'s slo of {} is looser than the {} that `nines budget` derives for it from {}'s slo; exported at its own slo",
                        component.name,
                        slo,
                        format_percent(odds.q, odds.p),
                        system.components[*caller].name
                    ));
                }
                (slo.down, Source::Slo)
            }
            (None, Some(&(odds, caller))) => {
                let p = rounded(odds.p);
                let caller = &system.components[caller];
                let caller_slo = caller.slo.map_or(1.0, |s| s.value());
                (
                    Odds::from_p(p),
                    Source::Budget {
                        caller: caller.name.clone(),
                        caller_slo,
                    },
                )
            }
            (None, None) => continue,
        };
        if odds.p <= 0.0 {
            warnings.push(format!(
                "{}: an slo of 100% leaves no error budget to alert on; left out",
                component.name
            ));
            continue;
        }
        let sli = model
            .spec
            .components
            .get(&component.name)
            .and_then(|k| k.sli.clone());
        let Some(sli) = sli else {
            without_sli.push(component.name.clone());
            continue;
        };
        objectives.push(Objective {
            component: component.name.clone(),
            target: Availability { down: odds }.to_exact_text(),
            error_budget: odds.p,
            source,
            sli,
            odds,
        });
    }
    Ok(Export {
        model: system.name.clone(),
        window_s: system.window_s,
        objectives,
        without_sli,
        warnings,
    })
}

/// `0.9995` → `99.95`, on the decimal digits.
fn shift_two(fraction: &str) -> String {
    let (int, frac) = fraction.split_once('.').unwrap_or((fraction, ""));
    let frac = format!("{frac:0<2}");
    let whole = format!("{int}{}", &frac[..2]);
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let rest = frac[2..].trim_end_matches('0');
    if rest.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{rest}")
    }
}

/// A name as the identifiers OpenSLO and sloth accept: lower-case letters, digits and `-`, at
/// most 63 characters (a DNS label), starting and ending with a letter or digit.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(50).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "component".into()
    } else {
        out.to_string()
    }
}

/// Slugs of `names`, made distinct by a `-2`, `-3`, ... where two names share one.
pub fn slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let base = slug(n);
            let mut s = base.clone();
            let mut k = 2;
            while !taken.insert(s.clone()) {
                s = format!("{base}-{k}");
                k += 1;
            }
            s
        })
        .collect()
}

/// A duration in the largest whole unit that fits: `30d`, `12h`, `90m` (at least `1m`).
pub fn shorthand(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 86_400 && s.is_multiple_of(86_400) {
        format!("{}d", s / 86_400)
    } else if s >= 3600 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else {
        format!("{}m", (s / 60).max(1))
    }
}

/// The line every exported file starts with.
pub fn provenance(tool: &str, export: &Export) -> Vec<String> {
    let mut lines = vec![format!(
        "Written by `nines export {tool}` from the model {}: edit the model, not this file.",
        export.model
    )];
    lines.extend(export.objectives.iter().map(|o| o.reason()));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_shift_on_digits() {
        assert_eq!(shift_two("0.9995"), "99.95");
        assert_eq!(shift_two("0.99"), "99");
        assert_eq!(shift_two("0.9"), "90");
        assert_eq!(shift_two("0.05"), "5");
        assert_eq!(shift_two("0.999999999999"), "99.9999999999");
        assert_eq!(shift_two("1"), "100");
    }

    #[test]
    fn slugs_are_dns_labels_and_distinct() {
        assert_eq!(slug("Orders_DB"), "orders-db");
        assert_eq!(slug("--x--"), "x");
        assert_eq!(slug("日本"), "component");
        assert_eq!(slugs(["a.b", "a-b", "A B"]), ["a-b", "a-b-2", "a-b-3"]);
        assert!(slug(&"x".repeat(300)).len() <= 63);
    }

    #[test]
    fn windows_in_whole_units() {
        assert_eq!(shorthand(30.0 * 86_400.0), "30d");
        assert_eq!(shorthand(7200.0), "2h");
        assert_eq!(shorthand(5400.0), "90m");
        assert_eq!(shorthand(10.0), "1m");
    }
}
