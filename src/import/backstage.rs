//! Backstage catalogs to nines models.
//!
//! Components and Resources become components; `spec.dependsOn` hard dependencies;
//! `spec.consumesApis` a dependency on whatever `providesApis` the API (any one of them when
//! several do), or on an `external` component named after the API when nothing in the catalog
//! provides it; `spec.system` the component's `group`. Numbers come from `nines.dev/*`
//! annotations; an entity without them is imported without them and listed, for an overlay to
//! complete. `Location` entities are followed to the files they name, patterns such as
//! `./services/*/catalog-info.yaml` matched as Backstage matches them; URL targets are listed,
//! never fetched.
//!
//! Nothing read is dropped unsaid: every document is an entity made into a component, an entity
//! that shapes one (System, API, Location), an entity of a kind nines has no use for (counted),
//! or a document that is not an entity (listed).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::model::ModelError;
use crate::model::error::{Span, did_you_mean, with_hint};
use crate::model::spec::OnFailure;
use crate::model::tree::{Node, Value};

use super::entities::{
    self, Document, Imported, ImportedModel, Inputs, Summary, at, get, strings, text,
};
use super::glob;

/// One entity of the catalog.
struct Entity {
    /// Lower case, as refs compare kinds: `component`.
    kind: String,
    /// As written, for messages: `Component`.
    kind_written: String,
    namespace: String,
    name: String,
    file: usize,
    node: Node,
}

impl Entity {
    fn label(&self) -> String {
        format!("{} {}/{}", self.kind_written, self.namespace, self.name)
    }
}

/// Reads the catalog files and directories named, following Locations.
pub fn import(inputs: &[PathBuf]) -> Result<(ImportedModel, Summary), ModelError> {
    let mut reader = Inputs::default();
    let mut model = ImportedModel {
        tool: "nines import backstage".into(),
        sources: inputs.iter().map(|p| p.display().to_string()).collect(),
        ..ImportedModel::default()
    };
    let entities = read_catalog(inputs, &mut reader, &mut model.notes)?;
    let mut summary = Summary {
        files: reader.files.len(),
        ..Summary::default()
    };
    for e in &entities {
        *summary.kinds.entry(e.kind_written.clone()).or_default() += 1;
        if !matches!(
            e.kind.as_str(),
            "component" | "resource" | "system" | "api" | "location"
        ) {
            *summary.ignored.entry(e.kind_written.clone()).or_default() += 1;
        }
    }
    if !summary.ignored.is_empty() {
        model.notes.push(format!(
            "Entities of kinds nines does not model, not imported: {}",
            entities::counted(&summary.ignored)
        ));
    }
    let catalog = Catalog::new(&entities, &reader)?;
    catalog.build(&mut model, &mut summary)?;
    Ok((model, summary))
}

/// Reads every file named and every file a Location names, each once.
fn read_catalog(
    inputs: &[PathBuf],
    reader: &mut Inputs,
    notes: &mut Vec<String>,
) -> Result<Vec<Entity>, ModelError> {
    let mut queue: VecDeque<PathBuf> = entities::expand(inputs)?.into();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    while let Some(path) = queue.pop_front() {
        // A Location naming a file already read (itself, or one that names it back) adds
        // nothing: a cycle of Locations ends here.
        if !seen.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
            continue;
        }
        for Document { file, node } in reader.read(&path)? {
            let Some(entity) = entity(file, node, reader, notes)? else {
                continue;
            };
            if entity.kind == "location" {
                for target in location_targets(&entity, &path, reader, notes)? {
                    queue.extend(entities::expand(&[target])?);
                }
            }
            out.push(entity);
        }
    }
    Ok(out)
}

/// The entity a document holds; `None` (and a note) for a document that is not one.
fn entity(
    file: usize,
    node: Node,
    reader: &Inputs,
    notes: &mut Vec<String>,
) -> Result<Option<Entity>, ModelError> {
    let kind = get(&node, "kind").and_then(text);
    let name = at(&node, &["metadata", "name"]).and_then(text);
    let (Some(kind), Some(name), Some(_)) = (kind, name, get(&node, "apiVersion")) else {
        notes.push(format!(
            "{}:{}: not a Backstage entity (it needs apiVersion, kind and metadata.name); skipped",
            reader.path(file).display(),
            node.span.line
        ));
        return Ok(None);
    };
    let namespace = at(&node, &["metadata", "namespace"])
        .and_then(text)
        .unwrap_or_else(|| "default".into());
    for (what, value) in [("kind", &kind), ("metadata.name", &name)] {
        if value.is_empty() || value.chars().any(|c| c.is_control() || c == ':') {
            return Err(reader.error(
                file,
                node.span,
                &format!("{what} {value:?} is not a Backstage name"),
            ));
        }
    }
    Ok(Some(Entity {
        kind: kind.to_ascii_lowercase(),
        kind_written: kind,
        namespace,
        name,
        file,
        node,
    }))
}

/// The files a Location names, relative to the file it is written in.
fn location_targets(
    location: &Entity,
    path: &Path,
    reader: &Inputs,
    notes: &mut Vec<String>,
) -> Result<Vec<PathBuf>, ModelError> {
    let mut targets = Vec::new();
    if let Some(t) = at(&location.node, &["spec", "target"]) {
        match &t.value {
            Value::Str(s) => targets.push((s.clone(), t.span)),
            other => {
                return Err(reader.error(
                    location.file,
                    t.span,
                    &format!(
                        "{}: spec.target is {}, not a path",
                        location.label(),
                        other.kind()
                    ),
                ));
            }
        }
    }
    if let Some(t) = at(&location.node, &["spec", "targets"]) {
        targets.extend(strings(t).map_err(|(span, m)| {
            reader.error(
                location.file,
                span,
                &format!("{}: spec.targets: {m}", location.label()),
            )
        })?);
    }
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut out = Vec::new();
    for (target, span) in targets {
        // Importing never reaches the network, so a URL is listed and left for the user.
        if target.contains("://") {
            notes.push(format!(
                "{}:{}: {} target `{}` is a URL, not followed (an import reads local files only); import a copy of what it names",
                reader.path(location.file).display(),
                span.line,
                location.label(),
                target
            ));
            continue;
        }
        if glob::is_pattern(&target) {
            let found = glob::files(base, &target).map_err(|m| {
                reader.error(
                    location.file,
                    span,
                    &format!("{}: target `{target}`: {m}", location.label()),
                )
            })?;
            if found.is_empty() {
                return Err(reader.error(
                    location.file,
                    span,
                    &with_hint(
                        format!("{}: target `{target}` matches no file", location.label()),
                        &format!("it is matched from {}", base.display()),
                    ),
                ));
            }
            out.extend(found.iter().map(|f| tidy(f)));
            continue;
        }
        let resolved = tidy(&base.join(&target));
        if !resolved.exists() {
            return Err(reader.error(
                location.file,
                span,
                &format!(
                    "{}: target `{target}` is not there ({})",
                    location.label(),
                    resolved.display()
                ),
            ));
        }
        out.push(resolved);
    }
    Ok(out)
}

/// A reference `[kind:][namespace/]name`.
struct Ref<'a> {
    kind: Option<String>,
    namespace: Option<&'a str>,
    name: &'a str,
}

fn parse_ref(text: &str) -> Ref<'_> {
    let (kind, rest) = match text.split_once(':') {
        Some((k, r)) => (Some(k.trim().to_ascii_lowercase()), r),
        None => (None, text),
    };
    let (namespace, name) = match rest.split_once('/') {
        Some((ns, n)) => (Some(ns.trim()), n.trim()),
        None => (None, rest.trim()),
    };
    Ref {
        kind,
        namespace,
        name,
    }
}

struct Catalog<'a> {
    entities: &'a [Entity],
    reader: &'a Inputs,
    /// (kind, namespace, name) → entity.
    index: HashMap<(String, String, String), usize>,
    /// Entity → its component's name in the model.
    names: HashMap<usize, String>,
}

impl<'a> Catalog<'a> {
    fn new(entities: &'a [Entity], reader: &'a Inputs) -> Result<Catalog<'a>, ModelError> {
        let mut index = HashMap::new();
        for (i, e) in entities.iter().enumerate() {
            let key = (e.kind.clone(), e.namespace.clone(), e.name.clone());
            if let Some(&first) = index.get(&key) {
                let f: &Entity = &entities[first];
                return Err(reader.error(
                    e.file,
                    e.node.span,
                    &with_hint(
                        format!("{} is defined twice", e.label()),
                        &format!(
                            "the first is in {} at line {}",
                            reader.path(f.file).display(),
                            f.node.span.line
                        ),
                    ),
                ));
            }
            index.insert(key, i);
        }
        Ok(Catalog {
            entities,
            reader,
            index,
            names: HashMap::new(),
        })
    }

    fn error(&self, e: &Entity, span: Span, message: String) -> ModelError {
        self.reader
            .error(e.file, span, &format!("{}: {message}", e.label()))
    }

    /// The entity a reference written in `from` names, among `kinds` (the first is the default
    /// kind when the reference names none).
    fn resolve(
        &self,
        from: &Entity,
        text: &str,
        span: Span,
        field: &str,
        kinds: &[&str],
    ) -> Result<usize, ModelError> {
        let r = parse_ref(text);
        let namespace = r.namespace.unwrap_or(&from.namespace);
        let candidates: Vec<&str> = match &r.kind {
            Some(k) => vec![k.as_str()],
            None => kinds.to_vec(),
        };
        for kind in &candidates {
            if let Some(&i) =
                self.index
                    .get(&(kind.to_string(), namespace.to_string(), r.name.to_string()))
            {
                if !kinds.contains(kind) {
                    return Err(self.error(
                        from,
                        span,
                        format!(
                            "{field} `{text}` names {}, and {field} names a {}",
                            self.entities[i].label(),
                            kinds.join(" or ")
                        ),
                    ));
                }
                return Ok(i);
            }
        }
        let names = self
            .entities
            .iter()
            .filter(|e| kinds.contains(&e.kind.as_str()))
            .map(|e| e.name.as_str());
        let hint = match did_you_mean(r.name, names) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!(
                "{field} names a {} of the catalog; import the file that defines it too",
                kinds.join(" or ")
            ),
        };
        Err(self.error(
            from,
            span,
            with_hint(format!("{field} `{text}` names no entity"), &hint),
        ))
    }

    fn refs(&self, e: &Entity, field: &str) -> Result<Vec<(String, Span)>, ModelError> {
        match at(&e.node, &["spec", field]) {
            None => Ok(Vec::new()),
            Some(n) => {
                strings(n).map_err(|(span, m)| self.error(e, span, format!("spec.{field}: {m}")))
            }
        }
    }

    /// Names every component (see [`entities::component_names`]).
    fn name_components(&mut self, made: &[usize]) -> Result<(), ModelError> {
        let keys: Vec<(&str, &str)> = made
            .iter()
            .map(|&i| {
                (
                    self.entities[i].namespace.as_str(),
                    self.entities[i].name.as_str(),
                )
            })
            .collect();
        let names = entities::component_names(&keys).map_err(|(a, b)| {
            let (e, o) = (&self.entities[made[b]], &self.entities[made[a]]);
            self.error(
                e,
                e.node.span,
                with_hint(
                    format!("it and {} would both be component `{}`", o.label(), e.name),
                    &format!(
                        "{} is in {} at line {}; rename one of them",
                        o.label(),
                        self.reader.path(o.file).display(),
                        o.node.span.line
                    ),
                ),
            )
        })?;
        self.names.extend(made.iter().copied().zip(names));
        Ok(())
    }

    fn build(mut self, model: &mut ImportedModel, summary: &mut Summary) -> Result<(), ModelError> {
        let entities = self.entities;
        // Which components provide each API.
        let mut providers: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut made: Vec<usize> = Vec::new();
        for (i, e) in entities.iter().enumerate() {
            if !matches!(e.kind.as_str(), "component" | "resource") {
                continue;
            }
            made.push(i);
            for (r, span) in self.refs(e, "providesApis")? {
                let api = self.resolve(e, &r, span, "spec.providesApis", &["api"])?;
                providers.entry(api).or_default().push(i);
            }
        }
        // APIs consumed that nothing provides become external components.
        let mut external_apis: Vec<usize> = Vec::new();
        for &i in &made {
            for (r, span) in self.refs(&entities[i], "consumesApis")? {
                let api = self.resolve(&entities[i], &r, span, "spec.consumesApis", &["api"])?;
                if !providers.contains_key(&api) && !external_apis.contains(&api) {
                    external_apis.push(api);
                }
            }
        }
        made.extend(&external_apis);
        self.name_components(&made)?;
        // Dependencies declared from the other side (`dependencyOf`).
        let mut reverse: HashMap<usize, Vec<usize>> = HashMap::new();
        for &i in &made {
            for (r, span) in self.refs(&entities[i], "dependencyOf")? {
                let target = self.resolve(
                    &entities[i],
                    &r,
                    span,
                    "spec.dependencyOf",
                    &["component", "resource"],
                )?;
                reverse.entry(target).or_default().push(i);
            }
        }
        for &i in &made {
            let e = &entities[i];
            let numbers = entities::annotations(&e.node, &e.label())
                .map_err(|(span, m)| self.reader.error(e.file, span, &m))?;
            let external = e.kind == "api";
            let mut deps: Vec<(Vec<String>, OnFailure)> = Vec::new();
            // What each dependency may be called in `nines.dev/on-failure`.
            let mut aliases: Vec<(String, usize)> = Vec::new();
            let mut add = |targets: Vec<String>, alias: Vec<String>| {
                entities::add_dependency(&mut deps, &mut aliases, targets, alias)
            };
            if !external {
                for (r, span) in self.refs(e, "dependsOn")? {
                    let t =
                        self.resolve(e, &r, span, "spec.dependsOn", &["component", "resource"])?;
                    let name = self.names[&t].clone();
                    add(vec![name.clone()], vec![name, r.clone()]);
                }
                for (r, span) in self.refs(e, "consumesApis")? {
                    let api = self.resolve(e, &r, span, "spec.consumesApis", &["api"])?;
                    let targets: Vec<String> = match providers.get(&api) {
                        Some(p) => {
                            let mut t: Vec<String> =
                                p.iter().map(|x| self.names[x].clone()).collect();
                            t.sort();
                            t.dedup();
                            t
                        }
                        None => vec![self.names[&api].clone()],
                    };
                    let mut alias = vec![r.clone(), entities[api].name.clone()];
                    if let [one] = targets.as_slice() {
                        alias.push(one.clone());
                    }
                    add(targets, alias);
                }
                for t in reverse.get(&i).into_iter().flatten() {
                    let name = self.names[t].clone();
                    add(vec![name.clone()], vec![name]);
                }
                for (r, span) in numbers.depends_on.iter() {
                    let t = self.resolve(
                        e,
                        r,
                        *span,
                        "annotation nines.dev/depends-on",
                        &["component", "resource"],
                    )?;
                    let name = self.names[&t].clone();
                    add(vec![name.clone()], vec![name, r.clone()]);
                }
            }
            entities::set_on_failure(&mut deps, &aliases, &numbers.on_failure)
                .map_err(|(span, m)| self.error(e, span, m))?;
            let group = match at(&e.node, &["spec", "system"]) {
                None => None,
                Some(node) => {
                    let r = text(node).ok_or_else(|| {
                        self.error(e, node.span, "spec.system is not a name".into())
                    })?;
                    let s = self.resolve(e, &r, node.span, "spec.system", &["system"])?;
                    Some(entities[s].name.clone())
                }
            };
            let origin = format!(
                "{}:{} · {}",
                self.reader.path(e.file).display(),
                e.node.span.line,
                if external {
                    format!("{} (provided by nothing in the catalog)", e.label())
                } else {
                    e.label()
                }
            );
            model.components.insert(
                self.names[&i].clone(),
                Imported {
                    origin,
                    numbers,
                    external,
                    group,
                    depends_on: deps,
                    ..Imported::default()
                },
            );
        }
        summary.components = model.components.len();
        Ok(())
    }
}

/// A path without `.` parts and with `a/..` folded, as messages and comments show it.
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
