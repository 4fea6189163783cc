//! What the Backstage and Kubernetes imports share: reading YAML streams from files and
//! directories under the model loader's limits, the `nines.dev/*` annotations, and writing the
//! imported model with each component's source in a comment.
//!
//! An import writes components in name order and nothing that depends on the order of the
//! inputs on disk, so the same inputs give the same bytes, and a re-import after a catalog change
//! changes only the lines of what changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::model::error::{Span, did_you_mean, with_hint};
use crate::model::spec::OnFailure;
use crate::model::tree::{self, Node, Value};
use crate::model::units::{Availability, Duration};
use crate::model::{Format, MAX_FILE_BYTES, ModelError, read_text};

use super::emit::{self, Out};

/// Most files one import reads (named, found in directories, or reached through Locations).
pub const MAX_INPUT_FILES: usize = 10_000;
/// Most bytes one import reads over all its files.
pub const MAX_INPUT_BYTES: u64 = 4 * MAX_FILE_BYTES;
/// Deepest directory an import looks into below the one named.
pub const MAX_DIR_DEPTH: usize = 32;

/// One YAML document of an input file.
#[derive(Debug)]
pub struct Document {
    /// Index into [`Inputs::files`].
    pub file: usize,
    /// The document's root value.
    pub node: Node,
}

/// The files read, kept to place errors in them.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Each file read: its path and its text.
    pub files: Vec<(PathBuf, String)>,
    bytes: u64,
}

impl Inputs {
    /// Reads one file as a stream of YAML documents; null documents (an empty `---`) are left
    /// out, as they hold nothing.
    pub fn read(&mut self, path: &Path) -> Result<Vec<Document>, ModelError> {
        if self.files.len() >= MAX_INPUT_FILES {
            return Err(ModelError::new(
                path,
                None,
                &with_hint(
                    format!("an import reads at most {MAX_INPUT_FILES} files"),
                    "import fewer files at a time",
                ),
            ));
        }
        let text = read_text(path, MAX_FILE_BYTES, "an import input")
            .map_err(|e| ModelError::new(path, None, &e))?;
        self.bytes += text.len() as u64;
        if self.bytes > MAX_INPUT_BYTES {
            return Err(ModelError::new(
                path,
                None,
                &with_hint(
                    format!("an import reads at most {MAX_INPUT_BYTES} bytes over all its files"),
                    "import fewer files at a time",
                ),
            ));
        }
        let nodes = tree::from_yaml_documents(&text)
            .map_err(|e| ModelError::new(path, e.span, &e.message).with_source(&text))?;
        let file = self.files.len();
        self.files.push((path.to_path_buf(), text));
        Ok(nodes
            .into_iter()
            .filter(|n| n.value != Value::Null)
            .map(|node| Document { file, node })
            .collect())
    }

    /// The path of file `file`.
    pub fn path(&self, file: usize) -> &Path {
        &self.files[file].0
    }

    /// An error at a place of an input file.
    pub fn error(&self, file: usize, span: Span, message: &str) -> ModelError {
        let (path, text) = &self.files[file];
        ModelError::new(path, Some(span), message).with_source(text)
    }
}

/// The YAML files named and those found in the directories named (recursively, sorted, hidden
/// entries and linked directories left out), each once.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, ModelError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| ModelError::new(input, None, &format!("cannot read the path: {e}")))?;
        if meta.is_dir() {
            let before = files.len();
            walk(input, 0, &mut files)?;
            if files.len() == before {
                return Err(ModelError::new(
                    input,
                    None,
                    "no .yaml or .yml file in this directory",
                ));
            }
        } else {
            files.push(input.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(files)
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), ModelError> {
    if depth > MAX_DIR_DEPTH {
        return Err(ModelError::new(
            dir,
            None,
            &format!("directories nest deeper than {MAX_DIR_DEPTH} levels"),
        ));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ModelError::new(dir, None, &format!("cannot list the directory: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        // A linked directory could lead back up the tree; linked files are read.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, depth + 1, files)?;
        } else if matches!(Format::of(&path), Some(Format::Yaml)) {
            files.push(path);
            if files.len() > MAX_INPUT_FILES {
                return Err(ModelError::new(
                    dir,
                    None,
                    &format!("more than {MAX_INPUT_FILES} YAML files to import"),
                ));
            }
        }
    }
    Ok(())
}

/// The value under a map key.
pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The value at a path of map keys.
pub fn at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| get(n, k))
}

/// A scalar as text (annotations and labels are strings, but are often written bare).
pub fn text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(_, text) => Some(text.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings, or what is wrong with it.
pub fn strings(node: &Node) -> Result<Vec<(String, Span)>, (Span, String)> {
    match &node.value {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => items
            .iter()
            .map(|i| match &i.value {
                Value::Str(s) => Ok((s.clone(), i.span)),
                other => Err((i.span, format!("expected a name, found {}", other.kind()))),
            })
            .collect(),
        other => Err((
            node.span,
            format!("expected a list, found {}", other.kind()),
        )),
    }
}

/// The prefix of nines' own annotations.
pub const PREFIX: &str = "nines.dev/";
const ANNOTATIONS: &[&str] = &[
    "availability",
    "mttf",
    "mttr",
    "replicas",
    "min-available",
    "on-failure",
    "slo",
    "depends-on",
];

/// Reliability read from `nines.dev/*` annotations, checked as the model checks them.
#[derive(Clone, Debug, Default)]
pub struct Annotations {
    /// `nines.dev/availability`: one replica's availability.
    pub availability: Option<Availability>,
    /// `nines.dev/mttf`: mean time to failure.
    pub mttf: Option<Duration>,
    /// `nines.dev/mttr`: mean time to repair.
    pub mttr: Option<Duration>,
    /// The durations as written, so the model shows what the catalog says.
    pub mttf_text: Option<String>,
    /// `nines.dev/mttr` as written.
    pub mttr_text: Option<String>,
    /// `nines.dev/replicas`.
    pub replicas: Option<u32>,
    /// `nines.dev/min-available`.
    pub min_available: Option<u32>,
    /// `nines.dev/slo`.
    pub slo: Option<Availability>,
    /// `dependency=degrade,...`, with where each was written.
    pub on_failure: Vec<(String, OnFailure, Span)>,
    /// `nines.dev/depends-on`: extra dependencies by name, with where each was written.
    pub depends_on: Vec<(String, Span)>,
}

impl Annotations {
    /// Whether the numbers a component needs are there.
    pub fn has_numbers(&self) -> bool {
        self.availability.is_some() || self.mttf.is_some()
    }
}

/// Reads the `nines.dev/*` annotations of `metadata.annotations`; others are not nines' business.
/// An error names the entity (`what`) and points at the value.
pub fn annotations(doc: &Node, what: &str) -> Result<Annotations, (Span, String)> {
    let mut a = Annotations::default();
    let Some(map) = at(doc, &["metadata", "annotations"]) else {
        return Ok(a);
    };
    let Value::Map(entries) = &map.value else {
        return Ok(a);
    };
    for (k, v) in entries {
        let Value::Str(key) = &k.value else { continue };
        let Some(name) = key.strip_prefix(PREFIX) else {
            continue;
        };
        let value = text(v).ok_or_else(|| {
            (
                v.span,
                format!(
                    "{what}: annotation `{key}` is {}, not a string",
                    v.value.kind()
                ),
            )
        })?;
        let bad = |e: String| {
            let (message, hint) = crate::model::error::split_hint(&e);
            let message = format!("{what}: annotation `{key}`: {message}");
            (
                v.span,
                match hint {
                    Some(h) => with_hint(message, &h),
                    None => message,
                },
            )
        };
        let count = |text: &str| -> Result<u32, (Span, String)> {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("`{text}` is not a whole number of at least 1")))
        };
        match name {
            "availability" => a.availability = Some(Availability::parse(&value).map_err(bad)?),
            "slo" => a.slo = Some(Availability::parse(&value).map_err(bad)?),
            "mttf" => {
                a.mttf = Some(Duration::parse(&value).map_err(bad)?);
                a.mttf_text = Some(value.trim().to_string());
            }
            "mttr" => {
                a.mttr = Some(Duration::parse(&value).map_err(bad)?);
                a.mttr_text = Some(value.trim().to_string());
            }
            "replicas" => a.replicas = Some(count(&value)?),
            "min-available" => a.min_available = Some(count(&value)?),
            "depends-on" => {
                a.depends_on = list(&value).map(|s| (s.to_string(), v.span)).collect();
            }
            "on-failure" => {
                for part in list(&value) {
                    let Some((dep, how)) = part.split_once('=') else {
                        return Err(bad(with_hint(
                            format!("`{part}` names no behaviour"),
                            "write `dependency=degrade` (or `=ignore`, `=fail`), comma-separated",
                        )));
                    };
                    let how = match how.trim() {
                        "fail" => OnFailure::Fail,
                        "degrade" => OnFailure::Degrade,
                        "ignore" => OnFailure::Ignore,
                        other => {
                            return Err(bad(with_hint(
                                format!("`{other}` is not fail, degrade or ignore"),
                                "write `dependency=degrade` (or `=ignore`, `=fail`)",
                            )));
                        }
                    };
                    a.on_failure.push((dep.trim().to_string(), how, v.span));
                }
            }
            other => {
                let hint = match did_you_mean(other, ANNOTATIONS.iter().copied()) {
                    Some(m) => format!("did you mean `{PREFIX}{m}`?"),
                    None => format!("nines reads {PREFIX}{}", ANNOTATIONS.join(", ")),
                };
                return Err((
                    k.span,
                    with_hint(format!("{what}: unknown annotation `{key}`"), &hint),
                ));
            }
        }
    }
    Ok(a)
}

/// The items of a comma-separated annotation, trimmed, empty ones left out.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// What an import read, beside the model.
#[derive(Debug, Default)]
pub struct Summary {
    /// Documents read, by kind as written.
    pub kinds: BTreeMap<String, usize>,
    /// Kinds nines makes nothing of, with their counts (also in `kinds`).
    pub ignored: BTreeMap<String, usize>,
    /// Files read.
    pub files: usize,
    /// Components made.
    pub components: usize,
}

/// A component as imported.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// Where it came from, for the comment above it: `catalog/orders.yaml:3 Component default/orders`.
    pub origin: String,
    /// The numbers its annotations give.
    pub numbers: Annotations,
    /// Replicas the source itself declares (a Kubernetes workload's `replicas`).
    pub replicas: Option<u32>,
    /// Replicas that must stay up, as the source says (a PodDisruptionBudget).
    pub min_available: Option<u32>,
    /// The domains its replicas are spread over.
    pub spread: Vec<String>,
    /// A third party outside the model owner's control (a Backstage API entity).
    pub external: bool,
    /// The system it belongs to, for grouping in graphs and reports.
    pub group: Option<String>,
    /// Dependencies by component name, each with how its failure propagates; a group when a
    /// dependency may be served by any of several components.
    pub depends_on: Vec<(Vec<String>, OnFailure)>,
}

/// A whole imported model, ready to write.
#[derive(Debug, Default)]
pub struct ImportedModel {
    /// The command that made it, for the header: `nines import backstage`.
    pub tool: String,
    /// The files read, as named.
    pub sources: Vec<String>,
    /// Domains by name, with where each came from.
    pub domains: BTreeMap<String, String>,
    /// Components by name.
    pub components: BTreeMap<String, Imported>,
    /// What was read and not made a component, one line each, for the summary.
    pub notes: Vec<String>,
}

impl ImportedModel {
    /// Components and domains that still need numbers, named.
    pub fn without_numbers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .components
            .iter()
            .filter(|(_, c)| !c.numbers.has_numbers())
            .map(|(n, _)| format!("component {n}"))
            .collect();
        out.extend(self.domains.keys().map(|d| format!("domain {d}")));
        out
    }

    fn component_out(c: &Imported) -> Out {
        let mut kv: Vec<(String, Out)> = Vec::new();
        let n = &c.numbers;
        if let Some(a) = n.availability {
            kv.push(("availability".into(), Out::Str(emit::exact_percent(a.down))));
        }
        if let Some(t) = &n.mttf_text {
            kv.push(("mttf".into(), Out::Str(t.clone())));
        }
        if let Some(t) = &n.mttr_text {
            kv.push(("mttr".into(), Out::Str(t.clone())));
        }
        if let Some(r) = n.replicas.or(c.replicas) {
            kv.push(("replicas".into(), Out::Int(r as u64)));
        }
        if let Some(m) = n.min_available.or(c.min_available) {
            kv.push(("min_available".into(), Out::Int(m as u64)));
        }
        if !c.spread.is_empty() {
            kv.push((
                "spread".into(),
                Out::List(c.spread.iter().map(|z| Out::Str(z.clone())).collect()),
            ));
        }
        if let Some(s) = n.slo {
            kv.push(("slo".into(), Out::Str(emit::exact_percent(s.down))));
        }
        if c.external {
            kv.push(("external".into(), Out::Bool(true)));
        }
        if !c.depends_on.is_empty() {
            let deps = c
                .depends_on
                .iter()
                .map(|(targets, how)| {
                    let mut entry = match targets.as_slice() {
                        [one] if *how == OnFailure::Fail => return Out::Str(one.clone()),
                        [one] => vec![("component".to_string(), Out::Str(one.clone()))],
                        many => vec![
                            ("at_least".to_string(), Out::Int(1)),
                            (
                                "of".to_string(),
                                Out::List(many.iter().map(|t| Out::Str(t.clone())).collect()),
                            ),
                        ],
                    };
                    match how {
                        OnFailure::Fail => {}
                        OnFailure::Degrade => {
                            entry.push(("on_failure".into(), Out::Str("degrade".into())))
                        }
                        OnFailure::Ignore => {
                            entry.push(("on_failure".into(), Out::Str("ignore".into())))
                        }
                    }
                    Out::Map(entry)
                })
                .collect();
            kv.push(("depends_on".into(), Out::List(deps)));
        }
        if let Some(g) = &c.group {
            kv.push(("group".into(), Out::Str(g.clone())));
        }
        Out::Map(kv)
    }

    fn out(&self) -> Out {
        let mut top = Vec::new();
        if !self.domains.is_empty() {
            top.push((
                "domains".into(),
                Out::Map(
                    self.domains
                        .keys()
                        .map(|d| (d.clone(), Out::Map(Vec::new())))
                        .collect(),
                ),
            ));
        }
        top.push((
            "components".into(),
            Out::Map(
                self.components
                    .iter()
                    .map(|(n, c)| (n.clone(), Self::component_out(c)))
                    .collect(),
            ),
        ));
        Out::Map(top)
    }

    /// The model file: YAML with a header naming what is missing and a comment with each
    /// component's source, or JSON or TOML (which hold no comments).
    pub fn write(&self, format: Format) -> Result<String, String> {
        let out = self.out();
        match format {
            Format::Json => {
                return Ok(serde_json::to_string_pretty(&out).expect("documents serialise") + "\n");
            }
            Format::Toml => {
                return toml::to_string(&out).map_err(|e| format!("cannot write TOML: {e}"));
            }
            Format::Yaml => {}
        }
        let mut text = format!(
            "# Generated by `{}` from {}.\n# Re-importing replaces this file: keep the numbers you add in an overlay (--overlay FILE).\n",
            self.tool,
            self.sources.join(", ")
        );
        let missing = self.without_numbers();
        if !missing.is_empty() {
            text.push_str("#\n# Without reliability numbers (give them in an overlay):\n");
            for m in &missing {
                text.push_str(&format!("#   {}\n", comment(m)));
            }
        }
        for note in &self.notes {
            text.push_str(&format!("# {}\n", comment(note)));
        }
        if !self.domains.is_empty() {
            text.push_str("domains:\n");
            for (name, origin) in &self.domains {
                text.push_str(&format!("  # {}\n", comment(origin)));
                text.push_str(&indent(&emit::yaml(&Out::Map(vec![(
                    name.clone(),
                    Out::Map(Vec::new()),
                )]))));
            }
        }
        text.push_str("components:\n");
        for (name, c) in &self.components {
            text.push_str(&format!("  # {}\n", comment(&c.origin)));
            text.push_str(&indent(&emit::yaml(&Out::Map(vec![(
                name.clone(),
                Self::component_out(c),
            )]))));
        }
        Ok(text)
    }
}

/// Text safe inside a YAML comment: one line, no control characters.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn indent(block: &str) -> String {
    block.lines().map(|l| format!("  {l}\n")).collect()
}

/// Summary lines, counted by kind: `Group ×2, User ×5`.
pub fn counted(kinds: &BTreeMap<String, usize>) -> String {
    kinds
        .iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Component names for entities given as (namespace, name): the name, qualified as
/// `namespace/name` only where entities of different namespaces share it, so that the usual
/// one-namespace import keeps plain names. `Err((i, j))`: entities i and j share both.
pub fn component_names(entries: &[(&str, &str)]) -> Result<Vec<String>, (usize, usize)> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, name)) in entries.iter().enumerate() {
        by_name.entry(name).or_default().push(i);
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, (namespace, name))| {
            let same = &by_name[name];
            if same.len() == 1 {
                return Ok(name.to_string());
            }
            match same.iter().find(|&&j| j != i && entries[j].0 == *namespace) {
                Some(&j) => Err((i.min(j), i.max(j))),
                None => Ok(format!("{namespace}/{name}")),
            }
        })
        .collect()
}

/// Applies `nines.dev/on-failure` to a component's dependencies; `aliases` are the names each
/// dependency may be called by (its component, the reference as written), with its index.
pub fn set_on_failure(
    deps: &mut [(Vec<String>, OnFailure)],
    aliases: &[(String, usize)],
    on_failure: &[(String, OnFailure, Span)],
) -> Result<(), (Span, String)> {
    for (dep, how, span) in on_failure {
        match aliases.iter().find(|(a, _)| a == dep) {
            Some(&(_, i)) => deps[i].1 = *how,
            None => {
                let known: Vec<&str> = aliases.iter().map(|(a, _)| a.as_str()).collect();
                let hint = match did_you_mean(dep, known.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None if known.is_empty() => "it has no dependencies".into(),
                    None => format!("its dependencies are {}", known.join(", ")),
                };
                return Err((
                    *span,
                    with_hint(
                        format!(
                            "annotation nines.dev/on-failure names `{dep}`, which it does not depend on"
                        ),
                        &hint,
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Adds a dependency once (listing one twice is an error in a model), with the names it may be
/// called by in `nines.dev/on-failure`.
pub fn add_dependency(
    deps: &mut Vec<(Vec<String>, OnFailure)>,
    aliases: &mut Vec<(String, usize)>,
    targets: Vec<String>,
    names: Vec<String>,
) {
    let at = match deps.iter().position(|(t, _)| *t == targets) {
        Some(at) => at,
        None => {
            deps.push((targets, OnFailure::Fail));
            deps.len() - 1
        }
    };
    aliases.extend(names.into_iter().map(|a| (a, at)));
}
