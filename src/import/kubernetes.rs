//! Kubernetes manifests to nines models.
//!
//! Deployments and StatefulSets become components with their `replicas`. A topology spread
//! constraint on the zone label spreads the replicas over the zones the user names (made
//! domains, as manifests do not say which zones exist). A PodDisruptionBudget that selects a
//! workload's pods (by `matchLabels` and `matchExpressions`, as Kubernetes selects them) gives
//! its `min_available`, rounded as Kubernetes rounds percentages (up).
//! `nines.dev/*` annotations on a workload give its numbers and dependencies, as for Backstage;
//! the label `app.kubernetes.io/part-of` its group. Every other kind is counted in the summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::ModelError;
use crate::model::error::{Span, did_you_mean, with_hint};
use crate::model::tree::{Node, Value};

use super::entities::{self, Imported, ImportedModel, Inputs, Summary, at, get, text};

/// Topology keys that mean "zone" (the second is the label's deprecated name).
const ZONE_KEYS: [&str; 2] = [
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

/// A Deployment or a StatefulSet.
struct Workload {
    kind: String,
    namespace: String,
    name: String,
    file: usize,
    node: Node,
    replicas: u32,
    labels: BTreeMap<String, String>,
    zone_spread: bool,
    min_available: Option<u32>,
}

impl Workload {
    fn label(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

struct Budget {
    namespace: String,
    name: String,
    file: usize,
    span: Span,
    /// `None`: it selects no pods (no selector, or policy/v1beta1's empty one).
    selector: Option<Selector>,
    rule: Rule,
}

/// A label selector as Kubernetes reads one: `matchLabels` and `matchExpressions` together, every
/// requirement holding. No requirement at all selects every pod of the namespace.
#[derive(Debug, Default)]
struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Debug)]
enum Requirement {
    /// The label is there with one of the values (`matchLabels` gives one value).
    In(String, Vec<String>),
    /// The label is missing, or there with none of the values.
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

const OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

impl Selector {
    fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

enum Rule {
    MinAvailable(Amount, Span),
    MaxUnavailable(Amount, Span),
}

#[derive(Clone, Copy)]
enum Amount {
    Count(u32),
    Percent(u32),
}

impl Amount {
    /// Of `n` pods, rounded up as Kubernetes rounds both minAvailable and maxUnavailable.
    fn of(self, n: u32) -> u32 {
        match self {
            Amount::Count(c) => c,
            Amount::Percent(p) => (u64::from(p) * u64::from(n)).div_ceil(100) as u32,
        }
    }
}

/// Reads the manifests named; `zones` are the zones a zone spread spreads over.
pub fn import(
    inputs: &[PathBuf],
    zones: &[String],
) -> Result<(ImportedModel, Summary), ModelError> {
    let mut reader = Inputs::default();
    let mut model = ImportedModel {
        tool: "nines import kubernetes".into(),
        sources: inputs.iter().map(|p| p.display().to_string()).collect(),
        ..ImportedModel::default()
    };
    let mut summary = Summary::default();
    let mut workloads = Vec::new();
    let mut budgets = Vec::new();
    for path in entities::expand(inputs)? {
        for doc in reader.read(&path)? {
            let mut stack = vec![doc.node];
            while let Some(node) = stack.pop() {
                let kind = get(&node, "kind").and_then(text);
                let Some(kind) = kind.filter(|_| get(&node, "apiVersion").is_some()) else {
                    model.notes.push(format!(
                        "{}:{}: not a Kubernetes object (it needs apiVersion and kind); skipped",
                        path.display(),
                        node.span.line
                    ));
                    continue;
                };
                *summary.kinds.entry(kind.clone()).or_default() += 1;
                match kind.as_str() {
                    // `kubectl get -o yaml` lists objects in one.
                    "List" => {
                        if let Some(Value::Seq(items)) = get(&node, "items").map(|n| &n.value) {
                            stack.extend(items.iter().rev().cloned());
                        }
                    }
                    "Deployment" | "StatefulSet" => {
                        let mut w = workload(&reader, doc.file, kind, node)?;
                        if w.replicas == 0 {
                            model.notes.push(format!(
                                "{}:{}: {} is scaled to 0; imported with 1 replica",
                                path.display(),
                                w.node.span.line,
                                w.label()
                            ));
                            w.replicas = 1;
                        }
                        workloads.push(w);
                    }
                    "PodDisruptionBudget" => budgets.push(budget(&reader, doc.file, node)?),
                    _ => *summary.ignored.entry(kind).or_default() += 1,
                }
            }
        }
    }
    summary.files = reader.files.len();
    if !summary.ignored.is_empty() {
        model.notes.push(format!(
            "Objects of kinds nines does not model, not imported: {}",
            entities::counted(&summary.ignored)
        ));
    }
    apply_budgets(&reader, &mut workloads, &budgets, &mut model.notes)?;
    let keys: Vec<(&str, &str)> = workloads
        .iter()
        .map(|w| (w.namespace.as_str(), w.name.as_str()))
        .collect();
    let names = entities::component_names(&keys).map_err(|(a, b)| {
        let (w, o) = (&workloads[b], &workloads[a]);
        reader.error(
            w.file,
            w.node.span,
            &with_hint(
                format!(
                    "{} and {} would both be component `{}`",
                    w.label(),
                    o.label(),
                    w.name
                ),
                "rename one of them",
            ),
        )
    })?;
    let spread_used = workloads.iter().any(|w| w.zone_spread);
    if spread_used && zones.is_empty() {
        let w = workloads
            .iter()
            .find(|w| w.zone_spread)
            .expect("one spreads");
        return Err(reader.error(
            w.file,
            w.node.span,
            &with_hint(
                format!("{} spreads over zones, and no zones are named", w.label()),
                "name the zones replicas are spread over, e.g. --zones zone-a,zone-b,zone-c",
            ),
        ));
    }
    if spread_used {
        for z in zones {
            model.domains.insert(z.clone(), "a zone of --zones".into());
        }
    }
    for (i, w) in workloads.iter().enumerate() {
        let numbers = entities::annotations(&w.node, &w.label())
            .map_err(|(span, m)| reader.error(w.file, span, &m))?;
        let mut deps = Vec::new();
        let mut aliases = Vec::new();
        for (r, span) in &numbers.depends_on {
            let (namespace, name) = match r.split_once('/') {
                Some((ns, n)) => (ns, n),
                None => (w.namespace.as_str(), r.as_str()),
            };
            let Some(t) = workloads
                .iter()
                .position(|o| o.namespace == namespace && o.name == name)
            else {
                let hint = match did_you_mean(name, workloads.iter().map(|o| o.name.as_str())) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "it names a Deployment or StatefulSet of the manifests imported".into(),
                };
                return Err(reader.error(
                    w.file,
                    *span,
                    &with_hint(
                        format!(
                            "{}: annotation nines.dev/depends-on names `{r}`, which is no Deployment or StatefulSet here",
                            w.label()
                        ),
                        &hint,
                    ),
                ));
            };
            entities::add_dependency(
                &mut deps,
                &mut aliases,
                vec![names[t].clone()],
                vec![names[t].clone(), r.clone()],
            );
        }
        entities::set_on_failure(&mut deps, &aliases, &numbers.on_failure)
            .map_err(|(span, m)| reader.error(w.file, span, &format!("{}: {m}", w.label())))?;
        let replicas = numbers.replicas.unwrap_or(w.replicas);
        if let Some(m) = numbers.min_available.or(w.min_available)
            && m > replicas
        {
            return Err(reader.error(
                w.file,
                w.node.span,
                &with_hint(
                    format!(
                        "{}: {m} replicas must stay available, of {replicas}",
                        w.label()
                    ),
                    "its PodDisruptionBudget or nines.dev/min-available asks for more pods than it runs",
                ),
            ));
        }
        let origin = format!(
            "{}:{} · {}",
            reader.path(w.file).display(),
            w.node.span.line,
            w.label()
        );
        model.components.insert(
            names[i].clone(),
            Imported {
                origin,
                replicas: Some(w.replicas),
                min_available: w.min_available,
                spread: if w.zone_spread {
                    zones.to_vec()
                } else {
                    Vec::new()
                },
                group: w.labels.get("app.kubernetes.io/part-of").cloned(),
                depends_on: deps,
                numbers,
                ..Imported::default()
            },
        );
    }
    summary.components = model.components.len();
    Ok((model, summary))
}

fn workload(
    reader: &Inputs,
    file: usize,
    kind: String,
    node: Node,
) -> Result<Workload, ModelError> {
    let fail = |span: Span, m: String| reader.error(file, span, &m);
    let name = at(&node, &["metadata", "name"])
        .and_then(text)
        .ok_or_else(|| fail(node.span, format!("a {kind} without metadata.name")))?;
    let namespace = at(&node, &["metadata", "namespace"])
        .and_then(text)
        .unwrap_or_else(|| "default".into());
    let label = format!("{kind} {namespace}/{name}");
    let replicas = match at(&node, &["spec", "replicas"]) {
        None => 1,
        Some(Node {
            value: Value::Int(n),
            span,
        }) => match u32::try_from(*n) {
            // Scaled to zero: noted by the caller, modelled as running one.
            Ok(0) => 0,
            Ok(n) => n,
            Err(_) => {
                return Err(fail(
                    *span,
                    format!("{label}: spec.replicas {n} is out of range"),
                ));
            }
        },
        Some(n) => {
            return Err(fail(
                n.span,
                format!(
                    "{label}: spec.replicas is {}, not a whole number",
                    n.value.kind()
                ),
            ));
        }
    };
    let labels = string_map(at(&node, &["spec", "template", "metadata", "labels"]));
    let zone_spread = match at(
        &node,
        &["spec", "template", "spec", "topologySpreadConstraints"],
    )
    .map(|n| &n.value)
    {
        Some(Value::Seq(constraints)) => constraints.iter().any(|c| {
            get(c, "topologyKey")
                .and_then(text)
                .is_some_and(|k| ZONE_KEYS.contains(&k.as_str()))
        }),
        _ => false,
    };
    Ok(Workload {
        kind,
        namespace,
        name,
        file,
        node,
        replicas,
        labels,
        zone_spread,
        min_available: None,
    })
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| Some((text(k)?, text(v)?)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn budget(reader: &Inputs, file: usize, node: Node) -> Result<Budget, ModelError> {
    let name = at(&node, &["metadata", "name"])
        .and_then(text)
        .unwrap_or_else(|| "(unnamed)".into());
    let namespace = at(&node, &["metadata", "namespace"])
        .and_then(text)
        .unwrap_or_else(|| "default".into());
    let label = format!("PodDisruptionBudget {namespace}/{name}");
    let selector = match at(&node, &["spec", "selector"]) {
        None
        | Some(Node {
            value: Value::Null, ..
        }) => None,
        Some(s) => {
            let selector = label_selector(reader, file, s, &label)?;
            // policy/v1beta1 read an empty selector as selecting nothing; policy/v1 as every pod.
            let v1beta1 = get(&node, "apiVersion")
                .and_then(text)
                .is_some_and(|v| v == "policy/v1beta1");
            (!(v1beta1 && selector.requirements.is_empty())).then_some(selector)
        }
    };
    let amount = |n: &Node, field: &str| -> Result<Amount, ModelError> {
        let bad = || {
            reader.error(
                file,
                n.span,
                &with_hint(
                    format!("{label}: spec.{field} is neither a count nor a percentage"),
                    "write a whole number such as 2 or a percentage such as \"50%\"",
                ),
            )
        };
        match &n.value {
            Value::Int(c) => u32::try_from(*c).map(Amount::Count).map_err(|_| bad()),
            Value::Str(s) => match s.trim().strip_suffix('%') {
                Some(p) => p
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|p| *p <= 100)
                    .map(Amount::Percent)
                    .ok_or_else(bad),
                None => s
                    .trim()
                    .parse::<u32>()
                    .map(Amount::Count)
                    .map_err(|_| bad()),
            },
            _ => Err(bad()),
        }
    };
    let min = at(&node, &["spec", "minAvailable"]);
    let max = at(&node, &["spec", "maxUnavailable"]);
    let rule = match (min, max) {
        (Some(n), None) => Rule::MinAvailable(amount(n, "minAvailable")?, n.span),
        (None, Some(n)) => Rule::MaxUnavailable(amount(n, "maxUnavailable")?, n.span),
        (Some(_), Some(n)) => {
            return Err(reader.error(
                file,
                n.span,
                &format!(
                    "{label}: gives both minAvailable and maxUnavailable; Kubernetes takes one"
                ),
            ));
        }
        (None, None) => {
            return Err(reader.error(
                file,
                node.span,
                &format!("{label}: gives neither minAvailable nor maxUnavailable"),
            ));
        }
    };
    Ok(Budget {
        namespace,
        name,
        file,
        span: node.span,
        selector,
        rule,
    })
}

/// A `selector`: its `matchLabels` and `matchExpressions`, each expression checked as the
/// Kubernetes API checks it.
fn label_selector(
    reader: &Inputs,
    file: usize,
    node: &Node,
    label: &str,
) -> Result<Selector, ModelError> {
    let fail = |span: Span, m: String| reader.error(file, span, &format!("{label}: {m}"));
    if !matches!(node.value, Value::Map(_)) {
        return Err(fail(
            node.span,
            format!("spec.selector is {}, not a map", node.value.kind()),
        ));
    }
    let mut requirements: Vec<Requirement> = string_map(get(node, "matchLabels"))
        .into_iter()
        .map(|(k, v)| Requirement::In(k, vec![v]))
        .collect();
    let expressions = match get(node, "matchExpressions").map(|n| (n, &n.value)) {
        None | Some((_, Value::Null)) => &[][..],
        Some((_, Value::Seq(items))) => items.as_slice(),
        Some((n, other)) => {
            return Err(fail(
                n.span,
                format!(
                    "spec.selector.matchExpressions is {}, not a list",
                    other.kind()
                ),
            ));
        }
    };
    for e in expressions {
        let field = |name: &str| {
            get(e, name).and_then(text).ok_or_else(|| {
                fail(
                    e.span,
                    format!("a matchExpressions entry needs a `{name}`, a string"),
                )
            })
        };
        let key = field("key")?;
        let operator = field("operator")?;
        let operator_span = get(e, "operator").map_or(e.span, |n| n.span);
        let values: Vec<String> = match get(e, "values") {
            None => Vec::new(),
            Some(n) => entities::strings(n)
                .map_err(|(span, m)| fail(span, format!("matchExpressions values: {m}")))?
                .into_iter()
                .map(|(v, _)| v)
                .collect(),
        };
        let values_span = get(e, "values").map_or(e.span, |n| n.span);
        let requirement = match operator.as_str() {
            "In" | "NotIn" if values.is_empty() => {
                return Err(fail(
                    values_span,
                    with_hint(
                        format!("operator {operator} on `{key}` needs values"),
                        "list the label values, e.g. values: [web, api]",
                    ),
                ));
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err(fail(
                    values_span,
                    with_hint(
                        format!("operator {operator} on `{key}` takes no values"),
                        "leave out `values`: the operator asks only whether the label is there",
                    ),
                ));
            }
            "In" => Requirement::In(key, values),
            "NotIn" => Requirement::NotIn(key, values),
            "Exists" => Requirement::Exists(key),
            "DoesNotExist" => Requirement::DoesNotExist(key),
            other => {
                let same_but_case = OPERATORS
                    .into_iter()
                    .find(|o| o.eq_ignore_ascii_case(other));
                let hint = match same_but_case.or_else(|| did_you_mean(other, OPERATORS)) {
                    Some(m) => format!(
                        "did you mean `{m}`? Operators are written as Kubernetes spells them"
                    ),
                    None => format!("Kubernetes' operators are {}", OPERATORS.join(", ")),
                };
                return Err(fail(
                    operator_span,
                    with_hint(
                        format!("unknown matchExpressions operator `{other}`"),
                        &hint,
                    ),
                ));
            }
        };
        requirements.push(requirement);
    }
    Ok(Selector { requirements })
}

/// Sets each workload's `min_available` from the budget that selects its pods.
fn apply_budgets(
    reader: &Inputs,
    workloads: &mut [Workload],
    budgets: &[Budget],
    notes: &mut Vec<String>,
) -> Result<(), ModelError> {
    let mut owner: Vec<Option<usize>> = vec![None; workloads.len()];
    for (b_index, b) in budgets.iter().enumerate() {
        let where_ = format!("{}:{}", reader.path(b.file).display(), b.span.line);
        let Some(selector) = &b.selector else {
            notes.push(format!(
                "{where_}: PodDisruptionBudget {}/{} selects no pods (it has no selector, or an empty one under policy/v1beta1); not applied",
                b.namespace, b.name
            ));
            continue;
        };
        let mut matched = false;
        for (i, w) in workloads.iter_mut().enumerate() {
            let selects = w.namespace == b.namespace && selector.selects(&w.labels);
            if !selects {
                continue;
            }
            if let Some(other) = owner[i] {
                let o = &budgets[other];
                return Err(reader.error(
                    b.file,
                    b.span,
                    &with_hint(
                        format!(
                            "PodDisruptionBudget {}/{} and {}/{} both select the pods of {}",
                            b.namespace,
                            b.name,
                            o.namespace,
                            o.name,
                            w.label()
                        ),
                        "Kubernetes refuses to evict pods under two budgets; keep one",
                    ),
                ));
            }
            owner[i] = Some(b_index);
            matched = true;
            let n = w.replicas;
            let (keep, span) = match b.rule {
                Rule::MinAvailable(a, span) => (a.of(n), span),
                Rule::MaxUnavailable(a, span) => (n.saturating_sub(a.of(n)), span),
            };
            if keep > n {
                return Err(reader.error(
                    b.file,
                    span,
                    &format!(
                        "PodDisruptionBudget {}/{}: {keep} pods of {} must stay available, and it runs {n}",
                        b.namespace,
                        b.name,
                        w.label()
                    ),
                ));
            }
            // At least one pod serves, whatever a budget allows to go.
            w.min_available = Some(keep.max(1));
        }
        if !matched {
            notes.push(format!(
                "{where_}: PodDisruptionBudget {}/{} selects no Deployment or StatefulSet imported; not applied",
                b.namespace, b.name
            ));
        }
    }
    Ok(())
}
