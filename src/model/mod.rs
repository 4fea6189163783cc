//! Model files: reading YAML, TOML or JSON into the typed `ModelSpec`, and validating it into a
//! `System`, with every error placed at its file, line and column.

pub mod diff;
pub mod error;
pub mod spec;
pub mod tree;
pub mod units;
pub mod validate;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use error::{ModelError, Span};
pub use spec::ModelSpec;
use tree::{Node, PathStep};
pub use validate::Design;

use crate::system::System;

/// The largest model file read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
    Json,
}

impl Format {
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
    pub path: PathBuf,
    pub source: String,
    pub tree: Node,
    pub spec: ModelSpec,
}

impl Model {
    /// Reads and parses a model file; the format follows the extension.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let fail = |message: String| ModelError::new(path, None, &message);
        let format = Format::of(path).ok_or_else(|| {
            fail(error::with_hint(
                "unknown model format".into(),
                "name the file .yaml, .yml, .toml or .json",
            ))
        })?;
        let meta =
            std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(fail(format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} a model may be",
                meta.len()
            )));
        }
        // Read at most one byte past the limit: a special file (a link to /dev/zero) or one
        // that grows while it is read reports a size that cannot be trusted.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| fail(format!("cannot read the file: {e}")))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(fail(format!(
                "the file is more than the {MAX_FILE_BYTES} bytes a model may be"
            )));
        }
        let source =
            String::from_utf8(bytes).map_err(|_| fail("the file is not UTF-8 text".into()))?;
        Model::parse(path, source, format)
    }

    /// Parses model text as if read from `path`.
    pub fn parse(path: &Path, source: String, format: Format) -> Result<Model, ModelError> {
        let parsed = match format {
            Format::Yaml => tree::from_yaml(&source),
            Format::Toml => tree::from_toml(&source),
            Format::Json => check_json(&source).and_then(|()| tree::from_yaml(&source)),
        };
        let tree =
            parsed.map_err(|e| ModelError::new(path, e.span, &e.message).with_source(&source))?;
        if !matches!(tree.value, tree::Value::Map(_)) {
            return Err(ModelError::new(path, Some(tree.span), &error::with_hint(
                "a model is a map with `components` (and optionally `name`, `window`, `defaults`, `cost`, `domains`)".into(),
                "start the file with `components:`",
            ))
            .with_source(&source));
        }
        let spec: ModelSpec = serde::Deserialize::deserialize(&tree).map_err(|e| {
            ModelError::new(path, e.span.or(Some(tree.span)), &e.message).with_source(&source)
        })?;
        Ok(Model {
            path: path.to_path_buf(),
            source,
            tree,
            spec,
        })
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

    pub fn line_of(&self, path: &[PathStep]) -> usize {
        self.tree.find(path).span.line
    }

    fn locate(&self, e: validate::Invalid) -> ModelError {
        let span = self.tree.find(&e.path).span;
        ModelError::new(&self.path, Some(span), &e.message).with_source(&self.source)
    }
}

/// JSON is read through the YAML parser (JSON is YAML's flow style), after serde_json has
/// checked that it is strict JSON.
fn check_json(source: &str) -> Result<(), tree::ParseError> {
    match serde_json::from_str::<serde::de::IgnoredAny>(source) {
        Ok(_) => Ok(()),
        Err(e) => Err(tree::ParseError {
            span: Some(Span {
                line: e.line(),
                col: e.column().max(1),
                len: 1,
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

/// Loads and validates in one step.
pub fn load_system(path: &Path) -> Result<(Model, System), ModelError> {
    let model = Model::load(path)?;
    let system = model.system()?;
    Ok((model, system))
}
