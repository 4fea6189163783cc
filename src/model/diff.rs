//! What changed between two model files, key by key, with the values as the user wrote them:
//! components and domains added, removed or renamed, and every key whose value differs.
//!
//! Values are compared as the model's own types read them, so `99.9%` and `0.999`, or `90m`
//! and `1h30m`, are the same value, and the same model in YAML and TOML has no change.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::spec::{ComponentSpec, DependencySpec, ModelSpec, Target};
use super::units::format_percent;
use crate::system::{ComponentId, DomainId, System};

/// What happened to a key, a component or a domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Present in both models with different values.
    Changed,
    /// Only in the second model.
    Added,
    /// Only in the first model.
    Removed,
    /// The same definition under a new name.
    Renamed,
}

/// What a change belongs to: a component's explanation collects the changes of the components
/// and domains it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The model as a whole (`window`, `defaults`, `cost`).
    Model,
    /// A component, by name.
    Component(String),
    /// A domain, by name.
    Domain(String),
}

/// One difference between the two models.
#[derive(Clone, Debug, Serialize)]
pub struct ModelChange {
    /// Where it is: `components.db.replicas`, `components.web.depends_on.db`, `window`.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
    /// The value as the model's syntax writes it; null where the key is absent.
    pub before: Value,
    /// The value as the model's syntax writes it in the second model; null where the key is absent.
    pub after: Value,
    /// The component or domain the change belongs to.
    #[serde(skip)]
    pub owner: Owner,
    /// The key whose value this is, which decides how it is shown (`availability` as a percent).
    #[serde(skip)]
    pub key: String,
    /// False for keys that cannot move availability (costs, lint, variants, the model's name).
    #[serde(skip)]
    pub moves_numbers: bool,
}

impl ModelChange {
    /// `1 → 2`, `added { availability: 99.9% }`, `renamed to db-main`: the change for people.
    pub fn text(&self) -> String {
        match self.kind {
            ChangeKind::Changed => format!(
                "{} → {}",
                value_text(&self.key, &self.before),
                value_text(&self.key, &self.after)
            ),
            ChangeKind::Added => format!("added {}", value_text(&self.key, &self.after)),
            ChangeKind::Removed => format!("removed (was {})", value_text(&self.key, &self.before)),
            ChangeKind::Renamed => format!("renamed to {}", value_text("", &self.after)),
        }
    }
}

/// Component keys that change costs, lint or design alternatives, never the exact numbers.
const INERT_COMPONENT_KEYS: &[&str] = &[
    "cost",
    "fixed_cost",
    "external",
    "variants",
    "lint",
    "group",
];
/// Top-level keys that never change the numbers.
const INERT_MODEL_KEYS: &[&str] = &["name", "cost"];

/// Pairs of (old name, new name): a component removed and one added with the same keys and
/// values (dependencies included), when each has no other such partner.
pub fn renames(old: &ModelSpec, new: &ModelSpec) -> Vec<(String, String)> {
    // Serialised maps list their keys in sorted order, so equal specs give equal text.
    let fingerprint = |c: &ComponentSpec| serde_json::to_string(c).unwrap_or_default();
    let mut prints: HashMap<String, (Vec<&String>, Vec<&String>)> = HashMap::new();
    for (name, c) in &old.components {
        if !new.components.contains_key(name) {
            prints.entry(fingerprint(c)).or_default().0.push(name);
        }
    }
    let mut added = Vec::new();
    for (name, c) in &new.components {
        if !old.components.contains_key(name) {
            let print = fingerprint(c);
            prints.entry(print.clone()).or_default().1.push(name);
            added.push(print);
        }
    }
    // In the new model's order.
    added
        .iter()
        .filter_map(|print| match &prints[print] {
            (old_names, new_names) if old_names.len() == 1 && new_names.len() == 1 => {
                Some((old_names[0].clone(), new_names[0].clone()))
            }
            _ => None,
        })
        .collect()
}

/// Every difference between the two models: top-level keys, then domains, then components (each
/// in the new model's order, removed ones last).
pub fn model_changes(
    old: &ModelSpec,
    new: &ModelSpec,
    renames: &[(String, String)],
) -> Vec<ModelChange> {
    let mut out = Vec::new();

    let top = |spec: &ModelSpec| {
        let mut v = to_map(spec);
        v.remove("components");
        v.remove("domains");
        v
    };
    let (old_top, new_top) = (top(old), top(new));
    let mut top_keys: Vec<String> = old_top.keys().chain(new_top.keys()).cloned().collect();
    top_keys.sort_by(|a, b| key_rank(true, a).cmp(&key_rank(true, b)));
    top_keys.dedup();
    for key in top_keys {
        let (b, a) = (field(&old_top, &key), field(&new_top, &key));
        if b == a {
            continue;
        }
        let moves = !INERT_MODEL_KEYS.contains(&key.as_str());
        // `defaults` and `cost` are small maps: one change per key inside.
        if let (Value::Object(bm), Value::Object(am)) = (&b, &a) {
            for inner in merged_keys(bm, am) {
                let (bi, ai) = (field(bm, &inner), field(am, &inner));
                if bi != ai {
                    out.push(change(
                        format!("{key}.{inner}"),
                        &inner,
                        bi,
                        ai,
                        Owner::Model,
                        moves,
                    ));
                }
            }
        } else {
            out.push(change(key.clone(), &key, b, a, Owner::Model, moves));
        }
    }

    // In the new model's order, removed ones last, as components.
    let removed_domains = old.domains.keys().filter(|n| !new.domains.contains_key(*n));
    for name in new.domains.keys().chain(removed_domains) {
        let owner = Owner::Domain(name.clone());
        let path = format!("domains.{name}");
        match (old.domains.get(name), new.domains.get(name)) {
            (Some(b), Some(a)) => {
                let (bm, am) = (to_map(b), to_map(a));
                for key in merged_keys(&bm, &am) {
                    let (bv, av) = (field(&bm, &key), field(&am, &key));
                    if bv != av {
                        out.push(change(
                            format!("{path}.{key}"),
                            &key,
                            bv,
                            av,
                            owner.clone(),
                            true,
                        ));
                    }
                }
            }
            (b, a) => out.push(change(path, "", to_value(b), to_value(a), owner, true)),
        }
    }

    let renamed_from = |new_name: &str| {
        renames
            .iter()
            .find(|(_, n)| n == new_name)
            .map(|(o, _)| o.as_str())
    };
    for (name, a) in &new.components {
        let owner = Owner::Component(name.clone());
        let path = format!("components.{name}");
        match old.components.get(name) {
            Some(b) => component_changes(&path, b, a, &owner, &mut out),
            None => match renamed_from(name) {
                Some(old_name) => out.push(ModelChange {
                    path: format!("components.{old_name}"),
                    kind: ChangeKind::Renamed,
                    before: Value::String(old_name.to_string()),
                    after: Value::String(name.clone()),
                    owner,
                    key: String::new(),
                    moves_numbers: true,
                }),
                None => out.push(change(path, "", Value::Null, to_value(a), owner, true)),
            },
        }
    }
    for (name, b) in &old.components {
        let renamed = renames.iter().any(|(o, _)| o == name);
        if !new.components.contains_key(name) && !renamed {
            out.push(change(
                format!("components.{name}"),
                "",
                to_value(b),
                Value::Null,
                Owner::Component(name.clone()),
                true,
            ));
        }
    }
    out
}

fn component_changes(
    path: &str,
    old: &ComponentSpec,
    new: &ComponentSpec,
    owner: &Owner,
    out: &mut Vec<ModelChange>,
) {
    let (bm, am) = (to_map(old), to_map(new));
    for key in merged_keys(&bm, &am) {
        let moves = !INERT_COMPONENT_KEYS.contains(&key.as_str());
        if key == "depends_on" {
            dependency_changes(
                &format!("{path}.depends_on"),
                old.depends_on.as_deref().unwrap_or(&[]),
                new.depends_on.as_deref().unwrap_or(&[]),
                owner,
                out,
            );
            continue;
        }
        let (b, a) = (field(&bm, &key), field(&am, &key));
        if b != a {
            out.push(change(
                format!("{path}.{key}"),
                &key,
                b,
                a,
                owner.clone(),
                moves,
            ));
        }
    }
}

/// Dependency entries are matched by what they point at (a component, or a group's members),
/// so that a reordered list is no change and an entry's new `on_failure` is one change.
fn dependency_changes(
    path: &str,
    old: &[DependencySpec],
    new: &[DependencySpec],
    owner: &Owner,
    out: &mut Vec<ModelChange>,
) {
    let keyed = |entries: &[DependencySpec]| -> Vec<(String, Value)> {
        let mut seen: Vec<String> = Vec::new();
        entries
            .iter()
            .map(|d| {
                let base = match &d.target {
                    Target::Component(name) => name.clone(),
                    Target::Group { of, .. } => {
                        let mut members = of.clone();
                        members.sort();
                        format!("[{}]", members.join(", "))
                    }
                };
                // The same target twice is kept apart by its place among its namesakes.
                let n = seen.iter().filter(|s| **s == base).count();
                seen.push(base.clone());
                let key = if n == 0 {
                    base
                } else {
                    format!("{base}#{}", n + 1)
                };
                (key, serde_json::to_value(d).unwrap_or(Value::Null))
            })
            .collect()
    };
    let (b, a) = (keyed(old), keyed(new));
    let find = |list: &[(String, Value)], k: &str| {
        list.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let old_keys: Vec<&String> = b.iter().map(|(k, _)| k).collect();
    let new_keys: Vec<&String> = a.iter().map(|(k, _)| k).collect();
    for key in merged_names(&old_keys, &new_keys) {
        let (bv, av) = (
            find(&b, &key).unwrap_or(Value::Null),
            find(&a, &key).unwrap_or(Value::Null),
        );
        if bv != av {
            out.push(change(
                format!("{path}.{key}"),
                "depends_on",
                bv,
                av,
                owner.clone(),
                true,
            ));
        }
    }
}

fn change(
    path: String,
    key: &str,
    before: Value,
    after: Value,
    owner: Owner,
    moves_numbers: bool,
) -> ModelChange {
    let kind = match (&before, &after) {
        (Value::Null, _) => ChangeKind::Added,
        (_, Value::Null) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    // A key set or unset on an existing component or domain is a change of value, shown as
    // `unset → 2`; whole components, domains and dependency entries are added or removed.
    let kind = if key.is_empty() || key == "depends_on" {
        kind
    } else {
        ChangeKind::Changed
    };
    ModelChange {
        path,
        kind,
        before,
        after,
        owner,
        key: key.to_string(),
        moves_numbers,
    }
}

fn to_value<T: Serialize>(x: T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

fn to_map<T: Serialize>(x: &T) -> Map<String, Value> {
    match to_value(x) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn field(map: &Map<String, Value>, key: &str) -> Value {
    map.get(key).cloned().unwrap_or(Value::Null)
}

/// The order keys are shown in, as the model format documents them; keys not listed (none
/// today) follow in alphabetical order.
const KEY_ORDER: &[&str] = &[
    // The top level.
    "name",
    "window",
    "defaults",
    "cost",
    // Components, domains, variants and the maps inside them.
    "availability",
    "mttf",
    "mttr",
    "replicas",
    "min_available",
    "spread",
    "parent",
    "maintenance",
    "every",
    "duration",
    "rolling",
    "failure",
    "repair",
    "dist",
    "mean",
    "shape",
    "sigma",
    "slo",
    "target",
    "max_breach",
    "external",
    "fixed_cost",
    "failover",
    "time",
    "on",
    "component",
    "at_least",
    "of",
    "on_failure",
    "fallback",
    "timeout",
    "tolerate",
    "depends_on",
    "hang",
    "deadline",
    "breaker",
    "via",
    "max_delay",
    "variants",
    "lint",
    "allow",
    "downtime_per_hour",
    "degraded_per_hour",
    "group",
];

/// `cost` is the top level's business cost but a component's cost per replica, shown after
/// `external`; `name` of a variant comes first.
fn key_rank(top: bool, key: &str) -> (usize, &str) {
    let at = |k: &str| KEY_ORDER.iter().position(|x| *x == k);
    let rank = match (top, key) {
        (false, "cost") => at("external").map(|i| 2 * i + 1),
        _ => at(key).map(|i| 2 * i),
    };
    (rank.unwrap_or(usize::MAX), key)
}

/// The keys of a map, in the order the model format documents them.
fn ordered_keys(map: &Map<String, Value>, top: bool) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| key_rank(top, k));
    keys
}

/// The keys of either map, each once, in the documented order.
fn merged_keys(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = old.keys().chain(new.keys()).cloned().collect();
    keys.sort_by(|a, b| key_rank(false, a).cmp(&key_rank(false, b)));
    keys.dedup();
    keys
}

/// Names in the new order, with those only in the old list placed after their old predecessor.
fn merged_names(old: &[&String], new: &[&String]) -> Vec<String> {
    let mut out: Vec<String> = new.iter().map(|s| (*s).clone()).collect();
    let mut after: Option<usize> = None;
    for name in old {
        match out.iter().position(|n| n == *name) {
            Some(i) => after = Some(i),
            None => {
                let at = after.map_or(0, |i| i + 1);
                out.insert(at, (*name).clone());
                after = Some(at);
            }
        }
    }
    out
}

/// Which components rest on what: a component on itself, on every component it depends on
/// (directly or through others, fallbacks included) and on the domains all of these live in,
/// parents included. Walked backwards from what changed, so that one change in a long chain
/// costs one pass, not one per component.
pub struct Reach<'a> {
    system: &'a System,
    components: HashMap<&'a str, ComponentId>,
    domains: HashMap<&'a str, DomainId>,
    /// The components that depend on each component, or fall back on it.
    dependents: Vec<Vec<ComponentId>>,
    /// The components with a replica in each domain or in a domain inside it.
    residents: Vec<Vec<ComponentId>>,
}

impl<'a> Reach<'a> {
    /// Indexes `system` for walks from a changed component or domain to the components resting on
    /// it.
    pub fn new(system: &'a System) -> Reach<'a> {
        let mut dependents = vec![Vec::new(); system.components.len()];
        let mut residents: Vec<Vec<ComponentId>> = vec![Vec::new(); system.domains.len()];
        for (c, comp) in system.components.iter().enumerate() {
            for dep in &comp.dependencies {
                for &t in dep.targets().iter().chain(&dep.fallback) {
                    dependents[t].push(c);
                }
            }
            for &d in comp.replica_domains.iter().flatten() {
                let mut at = Some(d);
                while let Some(x) = at {
                    if residents[x].last() != Some(&c) {
                        residents[x].push(c);
                    }
                    at = system.domains[x].parent;
                }
            }
        }
        Reach {
            system,
            components: system
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i))
                .collect(),
            domains: system
                .domains
                .iter()
                .enumerate()
                .map(|(i, d)| (d.name.as_str(), i))
                .collect(),
            dependents,
            residents,
        }
    }

    /// The components whose numbers rest on `owner`; every one for a model-wide key.
    pub fn resting_on(&self, owner: &Owner) -> Vec<ComponentId> {
        let seeds: Vec<ComponentId> = match owner {
            Owner::Model => return (0..self.system.components.len()).collect(),
            Owner::Component(name) => self
                .components
                .get(name.as_str())
                .copied()
                .into_iter()
                .collect(),
            Owner::Domain(name) => self
                .domains
                .get(name.as_str())
                .map_or_else(Vec::new, |&d| self.residents[d].clone()),
        };
        let mut seen = vec![false; self.system.components.len()];
        let mut stack = seeds;
        let mut out = Vec::new();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c], true) {
                continue;
            }
            out.push(c);
            stack.extend(self.dependents[c].iter().copied());
        }
        out
    }
}

/// A value for people, in the units of its key: availabilities as percents, the rest in the
/// model's own flow syntax (`{ every: 90d, duration: 2h }`, `[az1, az2]`).
pub fn value_text(key: &str, v: &Value) -> String {
    match (key, v) {
        (_, Value::Null) => "unset".into(),
        ("availability" | "slo" | "target" | "max_breach", Value::Number(_) | Value::String(_)) => {
            percent_text(v).unwrap_or_else(|| flow(v))
        }
        (_, Value::Object(m)) => {
            let entries: Vec<String> = ordered_keys(m, false)
                .into_iter()
                .map(|k| format!("{k}: {}", value_text(k, &m[k])))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        (_, Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|x| value_text("", x)).collect();
            format!("[{}]", items.join(", "))
        }
        _ => flow(v),
    }
}

fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), plain_number),
        Value::Bool(b) => b.to_string(),
        Value::Null => "unset".into(),
        Value::Array(_) | Value::Object(_) => value_text("", v),
    }
}

/// `400` rather than `400.0`.
fn plain_number(x: f64) -> String {
    format!("{x}")
}

/// An availability written as a decimal fraction (`0.9995`, or all its digits as a string) as
/// a percent with every digit kept: `99.95%`. Shifting the decimal point in the text avoids the
/// rounding a multiplication would add.
fn percent_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::Number(n) => format!("{}", n.as_f64()?),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) {
        let x = text.parse::<f64>().ok()?;
        return Some(format_percent(x, 1.0 - x));
    }
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let whole = format!("{int}{moved}");
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    let rest = rest.trim_end_matches('0');
    Some(if rest.is_empty() {
        format!("{whole}%")
    } else {
        format!("{whole}.{rest}%")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_keep_every_digit() {
        let p = |v: Value| percent_text(&v).unwrap();
        assert_eq!(p(serde_json::json!(0.9995)), "99.95%");
        assert_eq!(p(serde_json::json!(0.999)), "99.9%");
        assert_eq!(p(serde_json::json!(1)), "100%");
        assert_eq!(p(serde_json::json!(0.5)), "50%");
        assert_eq!(p(serde_json::json!(0.0)), "0%");
        assert_eq!(
            p(serde_json::json!("0.99999999999999999")),
            "99.999999999999999%"
        );
    }

    #[test]
    fn values_read_in_their_units() {
        let slo = serde_json::json!({ "max_breach": 0.07, "target": 0.9995 });
        assert_eq!(
            value_text("slo", &slo),
            "{ target: 99.95%, max_breach: 7% }"
        );
        let m = serde_json::json!({ "rolling": true, "every": "90d", "duration": "2h" });
        assert_eq!(
            value_text("maintenance", &m),
            "{ every: 90d, duration: 2h, rolling: true }"
        );
        assert_eq!(value_text("cost", &serde_json::json!(400.0)), "400");
        assert_eq!(value_text("replicas", &Value::Null), "unset");
        assert_eq!(
            value_text("spread", &serde_json::json!(["az1", "az2"])),
            "[az1, az2]"
        );
    }

    #[test]
    fn merged_names_keep_both_orders() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (old, new) = (s(&["a", "b", "c", "d"]), s(&["a", "c", "e"]));
        let old: Vec<&String> = old.iter().collect();
        let new: Vec<&String> = new.iter().collect();
        assert_eq!(merged_names(&old, &new), s(&["a", "b", "c", "d", "e"]));
        let (old, new) = (s(&["x", "a"]), s(&["a"]));
        let old: Vec<&String> = old.iter().collect();
        let new: Vec<&String> = new.iter().collect();
        assert_eq!(merged_names(&old, &new), s(&["x", "a"]));
    }
}
