//! Diagnostics as text, GitHub workflow commands and Markdown, one [`Section`] per model file:
//! the one renderer of model errors, lint findings and check results in these formats.

use super::{Diagnostic, Level};
use crate::report::annotate::markdown_cell;

/// What one command says about one model file.
#[derive(Clone, Debug, Default)]
pub struct Section {
    /// The model's name, which heads the section.
    pub model: String,
    /// The model file as given on the command line.
    pub file: String,
    /// One line: `all 2 SLOs met`, `1 error, 2 warnings`.
    pub summary: String,
    /// The command's verdict on the file: a failed one's summary is shown in red.
    pub passed: bool,
    /// A list of verdicts, each behind its mark (`PASS  …`), rather than compiler-style findings.
    pub verdicts: bool,
    /// The errors, warnings and verdicts found, in the order they are shown.
    pub diagnostics: Vec<Diagnostic>,
    /// How the verdicts were reached (a simulation's runs and seed): a line each.
    pub notes: Vec<String>,
    /// The numbers behind the verdicts, for Markdown, in place of the table of diagnostics.
    pub tables: Vec<Table>,
    /// Markdown paragraphs after the tables: `Removed since the baseline: api, cache`.
    pub lists: Vec<String>,
    /// JUnit test suites, each holding the diagnostics of its codes.
    pub suites: Vec<Suite>,
}

/// A Markdown table: cells are plain text, escaped when rendered.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The column titles.
    pub header: Vec<String>,
    /// The rows, a cell per column.
    pub rows: Vec<Vec<String>>,
    /// A paragraph under the table.
    pub caption: Option<String>,
}

/// A JUnit test suite: the diagnostics whose code is one of `codes`, a test case each.
#[derive(Clone, Debug, Default)]
pub struct Suite {
    /// The suite's name as JUnit shows it: `payments: SLOs`.
    pub name: String,
    /// The class name of each of its test cases: `payments.slo`.
    pub classname: String,
    /// The diagnostic codes whose findings belong to this suite.
    pub codes: Vec<&'static str>,
}

impl Section {
    /// The diagnostics every format but JUnit lists.
    fn listed(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_quiet())
    }
}

/// Text for a terminal: per section its verdicts (`PASS  …`) or findings (`file:line:col:
/// error[N004] …`), the notes and `model: summary`. `headers` puts `== file ==` above each
/// section, for several models in one run.
pub fn text(sections: &[Section], color: bool, headers: bool) -> String {
    let paint = |level: Level, s: &str| match (color, level) {
        (false, _) => s.to_string(),
        (true, Level::Pass) => format!("\x1b[32m{s}\x1b[0m"),
        (true, Level::Error) => format!("\x1b[1;31m{s}\x1b[0m"),
        (true, Level::Warning) => format!("\x1b[1;33m{s}\x1b[0m"),
        (true, Level::Note) => s.to_string(),
    };
    let label = |level: Level, s: &str| match level {
        // A finding's label is never plain: warnings and notes in yellow, as compilers do.
        Level::Note | Level::Pass => paint(Level::Warning, s),
        l => paint(l, s),
    };
    let texts: Vec<String> = sections
        .iter()
        .map(|s| {
            let mut out = if headers {
                format!("== {} ==\n", s.file)
            } else {
                String::new()
            };
            for d in s.listed() {
                if !s.verdicts {
                    out += &d.text(label);
                    continue;
                }
                match d.mark {
                    // A removed component is a warning, in red only when it fails the check.
                    Some(m) if d.level == Level::Warning => out += &format!("{m}  {}\n", d.message),
                    Some(m) => out += &format!("{}  {}\n", paint(d.level, m), d.message),
                    None => out += &format!("      {}\n", d.message),
                }
                for detail in &d.details {
                    out += &format!("      {detail}\n");
                }
            }
            for n in &s.notes {
                out += &format!("      {n}\n");
            }
            let summary = format!("{}: {}\n", s.model, s.summary);
            out += &if s.passed {
                summary
            } else {
                paint(Level::Error, &summary)
            };
            out
        })
        .collect();
    texts.join(if headers { "\n" } else { "" })
}

/// GitHub Actions workflow commands: an annotation per diagnostic at its line of the model,
/// each section's notes and summary as log lines, then the models that did not load.
pub fn github(sections: &[Section], invalid: &[Diagnostic]) -> String {
    let mut out = String::new();
    for s in sections {
        out.extend(s.listed().map(Diagnostic::github));
        for n in &s.notes {
            out += &format!("{}: {n}\n", s.model);
        }
        out += &format!("{}: {}\n", s.model, s.summary);
    }
    out.extend(invalid.iter().map(Diagnostic::github));
    out
}

/// The header of the table of findings.
const FINDINGS_HEADER: &str =
    "| severity | rule | line | at | finding | hint |\n|---|---|---|---|---|---|\n";

/// Markdown for a pull-request comment or a step summary: per section a heading with the file,
/// the summary, then its tables of numbers, or else a table of its diagnostics.
pub fn markdown(sections: &[Section]) -> String {
    let mut out = String::new();
    for s in sections {
        out += &format!(
            "### {} — {}\n\n{}\n\n",
            markdown_cell(&s.model),
            markdown_cell(&s.file),
            markdown_cell(&s.summary)
        );
        if s.tables.is_empty() {
            let rows: Vec<String> = s.listed().map(Diagnostic::markdown_row).collect();
            if !rows.is_empty() {
                out += FINDINGS_HEADER;
                out.extend(rows);
                out += "\n";
            }
        }
        for t in &s.tables {
            out += &table(t);
        }
        for l in &s.lists {
            out += &format!("{}\n\n", markdown_cell(l));
        }
    }
    out
}

fn table(t: &Table) -> String {
    let header: Vec<String> = t
        .header
        .iter()
        .map(|h| {
            if h.is_empty() {
                " ".to_string()
            } else {
                format!(" {} ", markdown_cell(h))
            }
        })
        .collect();
    let mut out = format!("|{}|\n", header.join("|"));
    out += &format!("|{}\n", "---|".repeat(t.header.len()));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| markdown_cell(c)).collect();
        out += &format!("| {} |\n", cells.join(" | "));
    }
    match &t.caption {
        Some(c) => out + &format!("\n{}\n\n", markdown_cell(c)),
        None => out + "\n",
    }
}
