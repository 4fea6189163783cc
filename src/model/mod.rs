//! Model files: reading YAML, TOML or JSON into the typed `ModelSpec`, and validating it into a
//! `System`, with every error placed at its file, line and column.

pub mod diff;
pub mod error;
pub mod overlay;
mod recovery;
pub mod spec;
pub mod tree;
pub mod units;
pub mod validate;

use std::io::Read;

use serde::de::DeserializeSeed;
use std::path::{Path, PathBuf};

pub use error::{ModelError, Span};
pub use spec::ModelSpec;
use tree::{Node, PathStep};
pub use validate::Design;

use crate::system::System;

/// The largest model file read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The syntax a model file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// The format a path's extension names, if it names one.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A model file, parsed and typed, with its source kept to place later errors.
#[derive(Clone, Debug)]
pub struct Model {
    /// The file it was read from, as given.
    pub path: PathBuf,
    /// The file's text.
    pub source: String,
    /// The parsed document, every value with its place.
    pub tree: Node,
    /// The model as typed, keys exactly as written.
    pub spec: ModelSpec,
    /// The overlays merged into the model, in order: a span with `file: i` was written by the
    /// i-th (from 1).
    pub overlays: Vec<SourceFile>,
}

/// A file read, kept to place errors in it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file's path, as given.
    pub path: PathBuf,
    /// The file's text.
    pub source: String,
}

impl Model {
    /// Reads and parses a model file; the format follows the extension.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        Model::load_with(path, &[])
    }

    /// Reads a model file and merges the overlays into it, in order (see [`overlay`]).
    pub fn load_with(path: &Path, overlays: &[PathBuf]) -> Result<Model, ModelError> {
        let (source, format) = read_model(path, "model", "a model")?;
        let mut tree = parse_tree(path, &source, format)?;
        check_model_root(path, &source, &tree)?;
        let mut files = Vec::with_capacity(overlays.len());
        for (i, overlay_path) in overlays.iter().enumerate() {
            let (text, format) = read_model(overlay_path, "overlay", "an overlay")?;
            let mut layer = parse_tree(overlay_path, &text, format)?;
            overlay::tag(&mut layer, i + 1);
            overlay::merge(&mut tree, layer).map_err(|e| {
                ModelError::new(overlay_path, Some(e.span), &e.message).with_source(&text)
            })?;
            files.push(SourceFile {
                path: overlay_path.clone(),
                source: text,
            });
        }
        Model::typed(path, source, tree, files)
    }

    /// Parses model text as if read from `path`.
    pub fn parse(path: &Path, source: String, format: Format) -> Result<Model, ModelError> {
        let tree = parse_tree(path, &source, format)?;
        check_model_root(path, &source, &tree)?;
        Model::typed(path, source, tree, Vec::new())
    }

    fn typed(
        path: &Path,
        source: String,
        tree: Node,
        overlays: Vec<SourceFile>,
    ) -> Result<Model, ModelError> {
        let mut model = Model {
            path: path.to_path_buf(),
            source,
            tree,
            spec: ModelSpec::default(),
            overlays,
        };
        model.spec = serde::Deserialize::deserialize(&model.tree)
            .map_err(|e| model.error_at(e.span.unwrap_or(model.tree.span), &e.message))?;
        Ok(model)
    }

    /// An error at a place of the model or of one of its overlays, in the file that wrote it.
    pub fn error_at(&self, span: Span, message: &str) -> ModelError {
        let (path, source) = self.file_of(span);
        ModelError::new(path, Some(span), message).with_source(source)
    }

    /// The file (and its text) that wrote a value.
    pub fn file_of(&self, span: Span) -> (&Path, &str) {
        match span.file.checked_sub(1).and_then(|i| self.overlays.get(i)) {
            Some(f) => (&f.path, &f.source),
            None => (&self.path, &self.source),
        }
    }

    /// The model's name when it gives none: the file's stem.
    pub fn default_name(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned())
    }

    /// Validates the model as written (and every variant of it).
    pub fn system(&self) -> Result<System, ModelError> {
        let system =
            validate::validate(&self.spec, &self.default_name()).map_err(|e| self.locate(e))?;
        Ok(self.with_lines(system))
    }

    /// The system with the given variants applied.
    pub fn design(&self, design: &Design) -> Result<System, ModelError> {
        let system = validate::resolve(&self.spec, &self.default_name(), design)
            .map_err(|e| self.locate(e))?;
        Ok(self.with_lines(system))
    }

    fn with_lines(&self, mut system: System) -> System {
        // One pass over each map: looking every name up by path would be quadratic.
        let lines = |section: &str| -> std::collections::HashMap<&str, usize> {
            match &self.tree.find(&[PathStep::Key(section.into())]).value {
                tree::Value::Map(entries) => entries
                    .iter()
                    .filter_map(|(k, _)| match &k.value {
                        tree::Value::Str(name) => Some((name.as_str(), k.span.line)),
                        _ => None,
                    })
                    .collect(),
                _ => Default::default(),
            }
        };
        let components = lines("components");
        for c in &mut system.components {
            c.line = components.get(c.name.as_str()).copied().unwrap_or(0);
        }
        let domains = lines("domains");
        for d in &mut system.domains {
            d.line = domains.get(d.name.as_str()).copied().unwrap_or(0);
        }
        system
    }

    /// The line of the value a path from the root leads to (or of the nearest value on the way).
    pub fn line_of(&self, path: &[PathStep]) -> usize {
        self.tree.find(path).span.line
    }

    fn locate(&self, e: validate::Invalid) -> ModelError {
        let span = self.tree.find(&e.path).span;
        match &e.also {
            Some(other) => {
                self.two_files(span, &e.path, self.tree.find(other).span, other, &e.message)
            }
            None => self.error_at(span, &e.message),
        }
    }

    /// Two keys that exclude each other: when an overlay wrote one of them and an earlier file
    /// the other, the error points into the overlay and says where the other comes from, since
    /// merging an overlay adds keys and never removes one.
    fn two_files(
        &self,
        span: Span,
        path: &[PathStep],
        other: Span,
        other_path: &[PathStep],
        message: &str,
    ) -> ModelError {
        if span.file == other.file {
            return self.error_at(span, message);
        }
        let name = |p: &[PathStep]| match p.last() {
            Some(PathStep::Key(k)) => k.clone(),
            _ => "it".into(),
        };
        // The later file is the overlay that brought the conflict in.
        let ((here, here_key), (there, there_key)) = if span.file > other.file {
            ((span, name(path)), (other, name(other_path)))
        } else {
            ((other, name(other_path)), (span, name(path)))
        };
        let (file, _) = self.file_of(there);
        let (message, _) = error::split_hint(message);
        let hint = format!(
            "`{there_key}` comes from {file}:{}:{}, and an overlay adds keys but never removes one: drop `{there_key}` there to use this `{here_key}`, or drop `{here_key}` here",
            there.line,
            there.col,
            file = file.display(),
        );
        self.error_at(here, &error::with_hint(message, &hint))
    }
}

/// Reads a model or an overlay file under the loader's limits; the format follows the extension.
fn read_model(path: &Path, kind: &str, what: &str) -> Result<(String, Format), ModelError> {
    let fail = |message: String| ModelError::new(path, None, &message);
    let format = Format::of(path).ok_or_else(|| {
        fail(error::with_hint(
            format!("unknown {kind} format"),
            "name the file .yaml, .yml, .toml or .json",
        ))
    })?;
    let source = read_text(path, MAX_FILE_BYTES, what).map_err(fail)?;
    Ok((source, format))
}

/// The position-carrying tree of a model or an overlay.
fn parse_tree(path: &Path, source: &str, format: Format) -> Result<Node, ModelError> {
    let parsed = match format {
        Format::Yaml => tree::from_yaml(source),
        Format::Toml => tree::from_toml(source),
        Format::Json => check_json(source).and_then(|()| tree::from_yaml(&join_surrogates(source))),
    };
    parsed.map_err(|e| ModelError::new(path, e.span, &e.message).with_source(source))
}

fn check_model_root(path: &Path, source: &str, tree: &Node) -> Result<(), ModelError> {
    if matches!(tree.value, tree::Value::Map(_)) {
        return Ok(());
    }
    Err(ModelError::new(path, Some(tree.span), &error::with_hint(
        "a model is a map with `components` (and optionally `name`, `window`, `defaults`, `cost`, `domains`)".into(),
        "start the file with `components:`",
    ))
    .with_source(source))
}

/// JSON is read through the YAML parser (JSON is YAML's flow style), after serde_json has
/// checked that it is strict JSON. (The YAML reading counts its values against the limit.)
fn check_json(source: &str) -> Result<(), tree::ParseError> {
    match serde_json::from_str::<serde::de::IgnoredAny>(source) {
        Ok(_) => Ok(()),
        Err(e) => Err(tree::ParseError {
            span: Some(Span {
                line: e.line(),
                col: e.column().max(1),
                len: 1,
                file: 0,
            }),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("invalid JSON")
                .to_string(),
        }),
    }
}

/// JSON writes a character beyond U+FFFF as two escaped halves (`\ud83d\ude00`), which YAML
/// refuses; each such pair becomes YAML's one escape for it (`\U0001F600`). serde_json has
/// checked the text already, so every backslash is in a string and every pair is whole. (On that
/// line, columns after it shift by two in an error's place.)
fn join_surrogates(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains("\\u") {
        return source.into();
    }
    let hex4 = |at: usize| (source.get(at..at + 4)).and_then(|h| u32::from_str_radix(h, 16).ok());
    let bytes = source.as_bytes();
    let (mut out, mut copied, mut i) = (String::new(), 0, 0);
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'u')
            && let Some(high @ 0xD800..=0xDBFF) = hex4(i + 2)
            && source[i + 6..].starts_with("\\u")
            && let Some(low @ 0xDC00..=0xDFFF) = hex4(i + 8)
        {
            let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            out.push_str(&source[copied..i]);
            out.push_str(&format!("\\U{c:08X}"));
            i += 12;
            copied = i;
        } else {
            // The escaped character (ASCII in valid JSON) is not the start of another escape.
            i += 2;
        }
    }
    if copied == 0 {
        return source.into();
    }
    out.push_str(&source[copied..]);
    out.into()
}

/// Checks that JSON text is well formed and holds at most `limit` values (lists and maps count
/// one each, like their items), before anything is built from it.
pub fn check_json_size(source: &str, limit: usize) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(source);
    CountedJson::new(limit).deserialize(&mut de)?;
    de.end()
}

/// Walks JSON like `IgnoredAny`, counting values (keys included, as YAML counts them) and
/// failing past a limit.
struct CountedJson {
    left: std::rc::Rc<std::cell::Cell<usize>>,
    limit: usize,
}

impl CountedJson {
    fn new(limit: usize) -> Self {
        CountedJson {
            left: std::rc::Rc::new(std::cell::Cell::new(limit)),
            limit,
        }
    }

    fn again(&self) -> Self {
        CountedJson {
            left: self.left.clone(),
            limit: self.limit,
        }
    }

    fn take<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(format!(
                "the document holds more than {} values",
                self.limit
            ))),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for CountedJson {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for CountedJson {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.take()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.take()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.take()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.take()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.take()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.take()
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(self.again())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.take()?;
        while map.next_key_seed(self.again())?.is_some() {
            map.next_value_seed(self.again())?;
        }
        Ok(())
    }
}

/// Reads a whole input file as text, refusing what is not a regular file (a FIFO would block,
/// a device would never end) and anything past `limit` bytes; `what` names the input in the
/// message ("a model"). Every file nines reads goes through here.
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, a socket or a device)"
        };
        return Err(format!(
            "the path is {kind}; {what} is read from a regular file"
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "the file is {} bytes, more than the {limit} {what} may be",
            meta.len()
        ));
    }
    // Read at most one byte past the limit: a file that grows while it is read reports a size
    // that cannot be trusted.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "the file is more than the {limit} bytes {what} may be"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".into())
}

/// Loads and validates in one step.
pub fn load_system(path: &Path) -> Result<(Model, System), ModelError> {
    load_system_with(path, &[])
}

/// Loads, merges the overlays and validates in one step.
pub fn load_system_with(path: &Path, overlays: &[PathBuf]) -> Result<(Model, System), ModelError> {
    let model = Model::load_with(path, overlays)?;
    let system = model.system()?;
    Ok((model, system))
}
