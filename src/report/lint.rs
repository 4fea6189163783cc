//! The findings of `nines lint` as text (compiler style, `file:line: severity[id]`), JSON or
//! GitHub workflow commands.

use serde::Serialize;

use super::annotate::{github_command, markdown_cell};
use crate::lint::{Finding, Severity};

#[derive(Clone, Debug, Serialize)]
pub struct FindingEntry {
    pub file: String,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    pub model: String,
    pub file: String,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<FindingEntry>,
}

impl LintReport {
    pub fn new(model: &str, file: &str, findings: Vec<Finding>) -> LintReport {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        LintReport {
            model: model.to_string(),
            file: file.to_string(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            findings: findings
                .into_iter()
                .map(|finding| FindingEntry {
                    file: file.to_string(),
                    finding,
                })
                .collect(),
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("findings serialise") + "\n"
    }

    pub fn text(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        for FindingEntry { file, finding: f } in &self.findings {
            let label = format!("{}[{}]", f.severity.as_str(), f.rule);
            let label = match f.severity {
                Severity::Error => paint("1;31", &label),
                Severity::Warning => paint("1;33", &label),
            };
            out += &format!(
                "{file}:{}: {label} {}: {}\n  = hint: {}\n",
                f.line, f.name, f.message, f.hint
            );
        }
        out += &format!("{}: {}\n", self.model, self.summary());
        out
    }

    /// `2 errors, 1 warning`, or `no findings`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        match (self.errors, self.warnings) {
            (0, 0) => "no findings".into(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }

    /// A Markdown section for a pull-request comment or a step summary: the file and a table of
    /// the findings.
    pub fn markdown(&self) -> String {
        let cell = markdown_cell;
        let mut out = format!(
            "### {} — {}\n\n{}\n\n",
            cell(&self.model),
            cell(&self.file),
            self.summary()
        );
        if !self.findings.is_empty() {
            out += "| severity | rule | line | at | finding | hint |\n|---|---|---|---|---|---|\n";
            for FindingEntry { finding: f, .. } in &self.findings {
                out += &format!(
                    "| {} | {} {} | {} | {} | {} | {} |\n",
                    f.severity.as_str(),
                    f.rule,
                    f.name,
                    f.line,
                    cell(&f.subject),
                    cell(&f.message),
                    cell(&f.hint)
                );
            }
            out += "\n";
        }
        out
    }

    /// One annotation per finding, placed at its line of the model file.
    pub fn github(&self) -> String {
        let mut out = String::new();
        for FindingEntry { file, finding: f } in &self.findings {
            out += &github_command(
                f.severity.as_str(),
                file,
                f.line,
                &format!("{} {}", f.rule, f.name),
                &format!("{}\nhint: {}", f.message, f.hint),
            );
        }
        out += &format!("{}: {}\n", self.model, self.summary());
        out
    }
}
