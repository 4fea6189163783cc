//! The findings of `nines lint` as text (compiler style, `file:line:col: severity[id]`), JSON,
//! GitHub workflow commands, Markdown or SARIF. Every format but JSON renders the findings as
//! [`Diagnostic`]s, so each places and hints them the same way.

use serde::Serialize;

use super::diagnostic::emit::{self, Section, Suite};
use super::diagnostic::{Diagnostic, Places};
use super::sarif::SarifRule;
use crate::lint::{Finding, RULES, Severity};

/// One finding, with the file it is in.
#[derive(Clone, Debug, Serialize)]
pub struct FindingEntry {
    /// The model file, as named.
    pub file: String,
    /// The column of the finding's line its subject starts at (1-based; 0 when unknown).
    pub column: usize,
    /// The finding itself.
    #[serde(flatten)]
    pub finding: Finding,
}

/// The results of `nines lint`: every finding of the design-review rules.
#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    /// The model's name.
    pub model: String,
    /// The model file, as named.
    pub file: String,
    /// Findings at the error level.
    pub errors: usize,
    /// Findings at the warning level.
    pub warnings: usize,
    /// Every finding, in file order.
    pub findings: Vec<FindingEntry>,
}

impl LintReport {
    /// The report of `findings` on the model `model` read from `file`, without columns.
    pub fn new(model: &str, file: &str, findings: Vec<Finding>) -> LintReport {
        Self::placed(model, file, findings, None)
    }

    /// With the columns of the findings, from where the model's source puts their subjects.
    pub fn placed(
        model: &str,
        file: &str,
        findings: Vec<Finding>,
        places: Option<&Places>,
    ) -> LintReport {
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
                    column: places.map_or(0, |p| p.column(finding.line, &finding.subject)),
                    finding,
                })
                .collect(),
        }
    }

    /// As pretty-printed JSON, with a final newline.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("findings serialise") + "\n"
    }

    /// The findings as diagnostics, in file order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.findings
            .iter()
            .map(|e| {
                let mut d = Diagnostic::from_finding(&e.file, &e.finding, None);
                d.column = e.column;
                d
            })
            .collect()
    }

    /// The report as one section of the diagnostic emitters. Its verdict is left to the
    /// command (warnings fail only with --deny), so the summary is never shown as failed.
    pub fn section(&self) -> Section {
        Section {
            model: self.model.clone(),
            file: self.file.clone(),
            summary: self.summary(),
            passed: true,
            diagnostics: self.diagnostics(),
            suites: vec![Suite {
                name: format!("{}: lint", self.model),
                classname: format!("{}.lint", self.model),
                codes: RULES.iter().map(|r| r.id).collect(),
            }],
            ..Section::default()
        }
    }

    /// As text for a terminal, coloured when `color` is set.
    pub fn text(&self, color: bool) -> String {
        emit::text(&[self.section()], color, false)
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
        emit::markdown(&[self.section()])
    }

    /// One annotation per finding, placed at its line of the model file.
    pub fn github(&self) -> String {
        emit::github(&[self.section()], &[])
    }
}

/// The lint rules, for SARIF's `tool.driver.rules`.
pub fn sarif_rules() -> Vec<SarifRule> {
    RULES
        .iter()
        .map(|r| SarifRule::new(r.id, r.name, r.summary, r.severity.into()))
        .collect()
}
