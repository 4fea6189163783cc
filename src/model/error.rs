//! Errors in a model file, located by file, line and column, rendered with the offending line.

use std::fmt;
use std::path::{Path, PathBuf};

/// Separates a message from its hint inside serde's plain-string errors.
const HINT_SEPARATOR: char = '\u{1f}';

/// A message carrying a hint, for error types that hold one string.
pub fn with_hint(message: String, hint: &str) -> String {
    format!("{message}{HINT_SEPARATOR}{hint}")
}

/// Splits what [`with_hint`] joined.
pub fn split_hint(text: &str) -> (String, Option<String>) {
    match text.split_once(HINT_SEPARATOR) {
        Some((m, h)) => (m.to_string(), Some(h.to_string())),
        None => (text.to_string(), None),
    }
}

/// A place in a source file: 1-based line and column (in characters), and a length to underline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// The line, from 1.
    pub line: usize,
    /// The column, in characters, from 1.
    pub col: usize,
    /// How many characters to underline.
    pub len: usize,
    /// Which file wrote the value: 0 for the model itself, i for its i-th overlay.
    pub file: usize,
}

/// A model that cannot be loaded. Always names the file; names the place when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelError {
    /// The file at fault.
    pub file: PathBuf,
    /// The place in it, when there is one.
    pub span: Option<Span>,
    /// What is wrong, one sentence.
    pub message: String,
    /// How to fix it, when nines can say.
    pub hint: Option<String>,
    /// The offending line of the source, when known.
    pub snippet: Option<String>,
}

impl ModelError {
    /// An error in `file` at `span`; a hint joined to `text` by [`with_hint`] is split off into
    /// `hint`.
    pub fn new(file: &Path, span: Option<Span>, text: &str) -> ModelError {
        let (message, hint) = split_hint(text);
        ModelError {
            file: file.to_path_buf(),
            span,
            message,
            hint,
            snippet: None,
        }
    }

    /// Attaches the source line the span points at.
    pub fn with_source(mut self, source: &str) -> ModelError {
        if let Some(span) = self.span {
            self.snippet = source
                .lines()
                .nth(span.line.saturating_sub(1))
                .map(str::to_string);
        }
        self
    }
}

/// Characters that print nothing yet change how text reads: zero-width ones and those that
/// reorder text.
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Text from a file or a file's name as it may be printed: control characters (an escape
/// sequence, a line break that would start a CI workflow command) and invisible ones written
/// out as `\u{1b}`, so they show instead of acting. Tabs stay.
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\t') || invisible(c);
    if !s.chars().any(bad) {
        return s.into();
    }
    s.chars()
        .map(|c| match bad(c) {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// A path as it may be printed (see [`shown`]).
pub fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = shown_path(&self.file);
        let message = shown(&self.message);
        match self.span {
            Some(s) => write!(f, "{file}:{}:{}: {message}", s.line, s.col)?,
            None => write!(f, "{file}: {message}")?,
        }
        if let (Some(span), Some(line)) = (self.span, &self.snippet) {
            let number = span.line.to_string();
            let pad = " ".repeat(number.len());
            // Control characters in the line are shown one for one (`?`), so the caret still
            // points under the column the error names.
            let shown: String = (line.chars().take(200))
                .map(|c| match (c.is_control() && c != '\t') || invisible(c) {
                    true => '?',
                    false => c,
                })
                .collect();
            let caret_at = span.col.saturating_sub(1).min(shown.chars().count());
            let width = span
                .len
                .clamp(1, shown.chars().count().saturating_sub(caret_at).max(1));
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {}{}",
                " ".repeat(caret_at),
                "^".repeat(width)
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {}", shown(hint))?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelError {}

/// Longest word (in characters) a suggestion is looked for: comparing two names costs the
/// product of their lengths.
const MAX_SUGGEST_CHARS: usize = 64;
/// Most candidates compared for one suggestion.
const MAX_SUGGEST_CANDIDATES: usize = 10_000;

/// Did-you-mean: the closest candidate, when it is close enough to be a likely typo. Only names
/// of similar length are compared (a likely typo is), and at most `MAX_SUGGEST_CANDIDATES` of
/// them, so a suggestion stays cheap however many and however long the names are.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let n = word.chars().count();
    if n > MAX_SUGGEST_CHARS {
        return None;
    }
    // A typo keeps the length within a factor of about 2; the byte length is checked first, as
    // it bounds the character length from both sides.
    candidates
        .into_iter()
        .filter(|c| c.len() <= 4 * (2 * n + 2) && c.len() * 2 + 2 >= n)
        .filter(|c| {
            let m = c.chars().count();
            m <= 2 * n + 2 && 2 * m + 2 >= n
        })
        .take(MAX_SUGGEST_CANDIDATES)
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
