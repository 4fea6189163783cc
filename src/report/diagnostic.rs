//! One shape for everything `check` and `lint` report against a model file — a lint finding, a
//! missed slo, a regression, a model that does not load — so that every format (text, GitHub
//! annotations, Markdown, JUnit, SARIF) places it at the same file, line and column and carries
//! the same hint. The formats themselves are [`emit`] (text, GitHub, Markdown), [`junit`] and
//! [`super::sarif`], each written once over diagnostics.

pub mod emit;
pub mod junit;

use std::collections::HashMap;

use serde::Serialize;

use super::annotate::{github_command_at, markdown_cell};
use crate::lint::{Finding, Severity};
use crate::model::error::split_hint;
use crate::model::tree::Value;
use crate::model::{Model, ModelError};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The model is wrong, or a verdict failed.
    Error,
    /// Worth a look before it bites.
    Warning,
    /// For information.
    Note,
    /// A check that passed: listed where every case is (text, annotations, JUnit), never a
    /// finding (SARIF leaves it out).
    Pass,
}

impl Level {
    /// The level in lower case, as SARIF and annotations write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
            Level::Pass => "pass",
        }
    }

    /// The GitHub workflow command: GitHub calls a note a notice.
    pub fn github(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note | Level::Pass => "notice",
        }
    }
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Level {
        match s {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        }
    }
}

/// The code of a model that does not load, in every format.
pub const MODEL_ERROR: &str = "model-error";

/// Something said about a place in a model file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// A lint rule's id (`N004`), or what `check` found (`slo`, `regression`, `removed`,
    /// `renamed`), or `model-error`.
    pub code: String,
    /// How serious it is.
    pub level: Level,
    /// The readable name of the code: `single-point-of-failure`, `slo-missed`…
    pub name: String,
    /// A short title, for annotations: `SLO missed: web`, `N004 single-point-of-failure`.
    pub title: String,
    /// What was found, one sentence.
    pub message: String,
    /// The model file as given on the command line.
    pub file: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    /// 1-based, in characters; 0 when unknown.
    pub column: usize,
    /// The component (or domain) it is about.
    pub component: Option<String>,
    /// How to fix it, when there is a hint.
    pub hint: Option<String>,
    /// Further sentences about it (a window gate's odds beside an slo's verdict): each on a line
    /// of its own in text, after the message and a `; ` where a format has one line.
    pub details: Vec<String>,
    /// The word a list of verdicts shows in front of it (`PASS`, `FAIL`, `DROP`, `GONE`); none
    /// for a finding, and for a passed case only JUnit lists.
    pub mark: Option<&'static str>,
}

impl Diagnostic {
    /// A lint finding, at the column the model's source gives its line.
    pub fn from_finding(file: &str, f: &Finding, places: Option<&Places>) -> Diagnostic {
        Diagnostic {
            code: f.rule.to_string(),
            level: f.severity.into(),
            name: f.name.to_string(),
            title: format!("{} {}", f.rule, f.name),
            message: f.message.clone(),
            file: file.to_string(),
            line: f.line,
            column: places.map_or(0, |p| p.column(f.line, &f.subject)),
            component: Some(f.subject.clone()).filter(|s| !s.is_empty()),
            hint: Some(f.hint.clone()).filter(|h| !h.is_empty()),
            details: Vec::new(),
            mark: None,
        }
    }

    /// A model that does not load, at the place the loader found the problem. `file` is the
    /// path as given, which the error's own path already is.
    pub fn from_model_error(e: &ModelError) -> Diagnostic {
        // Some messages still carry their hint inside the string: split it out here too.
        let (message, inner_hint) = split_hint(&e.message);
        Diagnostic {
            code: MODEL_ERROR.into(),
            level: Level::Error,
            name: "invalid-model".into(),
            title: "Invalid model".into(),
            message,
            file: crate::model::error::shown_path(&e.file),
            line: e.span.map_or(0, |s| s.line),
            column: e.span.map_or(0, |s| s.col),
            component: None,
            hint: e.hint.clone().or(inner_hint),
            details: Vec::new(),
            mark: None,
        }
    }

    /// An error not placed in the file (an engine limit, an unreadable file): at the file.
    pub fn unplaced(file: &str, message: &str) -> Diagnostic {
        let (message, hint) = split_hint(message);
        Diagnostic {
            code: MODEL_ERROR.into(),
            level: Level::Error,
            name: "invalid-model".into(),
            title: "Invalid model".into(),
            message,
            file: file.to_string(),
            line: 0,
            column: 0,
            component: None,
            hint,
            details: Vec::new(),
            mark: None,
        }
    }

    /// A passed case without a mark: only formats that count every case (JUnit) list it.
    pub fn is_quiet(&self) -> bool {
        self.level == Level::Pass && self.mark.is_none()
    }

    /// The message with its details, on one line.
    pub fn full_message(&self) -> String {
        let mut out = self.message.clone();
        for d in &self.details {
            out += "; ";
            out += d;
        }
        out
    }

    /// `file:line:col`, leaving out what is unknown.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }

    /// Compiler style: `file:line:col: level[code] message`, then `  = hint: ...`. `label`
    /// colours the `level[code]` part.
    pub fn text(&self, label: impl Fn(Level, &str) -> String) -> String {
        let mut out = format!(
            "{}: {} {}: {}\n",
            self.location(),
            label(
                self.level,
                &format!("{}[{}]", self.level.as_str(), self.code)
            ),
            self.name,
            self.message
        );
        if let Some(h) = &self.hint {
            out += &format!("  = hint: {h}\n");
        }
        out
    }

    /// A GitHub workflow command: an annotation at the line and column, the hint on a line
    /// of its own.
    pub fn github(&self) -> String {
        let message = match &self.hint {
            Some(h) => format!("{}\nhint: {h}", self.full_message()),
            None => self.full_message(),
        };
        github_command_at(
            self.level.github(),
            &self.file,
            self.line,
            self.column,
            &self.title,
            &message,
        )
    }

    /// A Markdown table row: level, code and name, line, component, message, hint, every cell escaped.
    pub fn markdown_row(&self) -> String {
        format!(
            "| {} | {} {} | {} | {} | {} | {} |\n",
            self.level.as_str(),
            markdown_cell(&self.code),
            markdown_cell(&self.name),
            self.line,
            markdown_cell(self.component.as_deref().unwrap_or("")),
            markdown_cell(&self.full_message()),
            markdown_cell(self.hint.as_deref().unwrap_or(""))
        )
    }
}

/// The header of [`Diagnostic::markdown_row`]'s table.
pub const MARKDOWN_HEADER: &str =
    "| level | rule | line | at | message | hint |\n|---|---|---|---|---|---|\n";

/// Where names stand in a model file: the line and column of each component's and domain's key,
/// and the source's lines, to place diagnostics that know only their line.
#[derive(Clone, Debug, Default)]
pub struct Places {
    keys: HashMap<String, (usize, usize)>,
    indent: Vec<usize>,
}

impl Places {
    /// The places of `model`'s components and domains, and its lines' indentation.
    pub fn of(model: &Model) -> Places {
        let mut keys = HashMap::new();
        // Domains first: a component of the same name wins, as components are what is checked.
        for section in ["domains", "components"] {
            if let Value::Map(entries) = &model
                .tree
                .find(&[crate::model::tree::PathStep::Key(section.into())])
                .value
            {
                for (k, _) in entries {
                    if let Value::Str(name) = &k.value {
                        keys.insert(name.clone(), (k.span.line, k.span.col));
                    }
                }
            }
        }
        let indent = model
            .source
            .lines()
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).count() + 1)
            .collect();
        Places { keys, indent }
    }

    /// The line and column of a component's key; (0, 0) when it has none.
    pub fn key(&self, name: &str) -> (usize, usize) {
        self.keys.get(name).copied().unwrap_or((0, 0))
    }

    /// The column of something reported at `line` about `subject`: its key's column when the
    /// key is on that line, else the line's first non-blank character.
    pub fn column(&self, line: usize, subject: &str) -> usize {
        match self.keys.get(subject) {
            Some(&(l, c)) if l == line => c,
            _ if line == 0 => 0,
            _ => self.indent.get(line - 1).copied().unwrap_or(0),
        }
    }
}
