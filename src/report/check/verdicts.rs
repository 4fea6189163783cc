//! A check's results as [`Diagnostic`]s, one [`Section`] per model file: what the diagnostic
//! emitters render as text, GitHub annotations, Markdown, JUnit and SARIF.

use super::{BaselineReport, CheckReport};
use crate::model::units::{YEAR, format_duration_human, format_percent};
use crate::report::diagnostic::emit::{self, Section, Suite, Table};
use crate::report::diagnostic::{Diagnostic, Level, junit};
use crate::report::sarif::SarifRule;
use crate::report::text::format_nines;

/// The codes of `check`'s diagnostics, which SARIF lists as its rules.
pub const SLO: &str = "slo";
/// The code of a component that lost more nines than allowed.
pub const REGRESSION: &str = "regression";
/// The code of a baseline component the model no longer has.
pub const REMOVED: &str = "removed";
/// The code of a component compared under a new name.
pub const RENAMED: &str = "renamed";

/// `check`'s rules, for SARIF's `tool.driver.rules`.
pub fn sarif_rules() -> Vec<SarifRule> {
    vec![
        SarifRule::new(
            SLO,
            "slo-not-met",
            "a component misses its slo, meets it with less margin than --min-margin asks, or with less probability than --confidence asks",
            Level::Error,
        ),
        SarifRule::new(
            REGRESSION,
            "availability-regression",
            "a component lost more nines than --max-drop allows since the baseline",
            Level::Error,
        ),
        SarifRule::new(
            REMOVED,
            "removed-since-baseline",
            "a component of the baseline is not in the model, under its name or renamed (an error with --fail-on-removed)",
            Level::Warning,
        ),
        SarifRule::new(
            RENAMED,
            "renamed-since-baseline",
            "a component of the baseline is in the model under a new name: same dependencies and numbers",
            Level::Note,
        ),
    ]
}

impl CheckReport {
    /// A diagnostic per slo (passed or not), per component compared with the baseline (a
    /// quiet pass when nothing is worth saying), per component removed since it.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let at = |code: &str,
                  level: Level,
                  name: &str,
                  title: String,
                  message: String,
                  (line, column): (usize, usize),
                  component: &str| Diagnostic {
            code: code.into(),
            level,
            name: name.into(),
            title,
            message,
            file: self.file.clone(),
            line,
            column,
            component: Some(component.to_string()),
            hint: None,
            details: Vec::new(),
            mark: None,
        };
        let mut out = Vec::new();
        for c in &self.components {
            // The kind is JUnit's failure type.
            let (level, kind, title) = if !c.meets_slo {
                (Level::Error, "slo", format!("SLO missed: {}", c.name))
            } else if c.meets_breach == Some(false) && c.meets_margin != Some(false) {
                (
                    Level::Error,
                    "breach",
                    format!("SLO windows breach too often: {}", c.name),
                )
            } else if c.meets_confidence == Some(false) && c.meets_margin != Some(false) {
                (
                    Level::Error,
                    "confidence",
                    format!("SLO not met with the confidence asked: {}", c.name),
                )
            } else if !c.passed {
                (
                    Level::Error,
                    "margin",
                    format!("SLO margin too thin: {}", c.name),
                )
            } else {
                (Level::Pass, "met", format!("SLO met: {}", c.name))
            };
            let margin = self
                .margin_text(c)
                .map_or(String::new(), |m| format!(", {m}"));
            let mut d = at(
                SLO,
                level,
                kind,
                title,
                format!("{}: {}{margin}", c.name, Self::verdict_text(c)),
                (c.line, c.column),
                &c.name,
            );
            d.details
                .extend(self.breach_text(c).map(|w| format!("{}: {w}", c.name)));
            d.details.extend(self.confidence_text(c));
            d.mark = Some(if c.passed { "PASS" } else { "FAIL" });
            out.push(d);
        }
        let Some(b) = &self.baseline else {
            return out;
        };
        for c in &b.components {
            let was = Self::was(c);
            let place = (c.line, c.column);
            let d = if c.regressed {
                let mut d = at(
                    REGRESSION,
                    Level::Error,
                    "regression",
                    format!("Availability regression: {}", c.name),
                    format!(
                        "{}{was}: {}, more than the {} allowed",
                        c.name,
                        Self::drop_text(c),
                        format_nines(b.max_drop.unwrap_or(0.0))
                    ),
                    place,
                    &c.name,
                );
                d.mark = Some("DROP");
                d
            } else if let Some(old) = &c.renamed_from {
                at(
                    RENAMED,
                    Level::Note,
                    "renamed",
                    format!("Renamed since the baseline: {old} → {}", c.name),
                    format!("{}{was}: {}", c.name, Self::drop_text(c)),
                    place,
                    &c.name,
                )
            } else {
                // Without --max-drop the comparison is informational: what moved is a note.
                let moved = b.max_drop.is_none() && c.drop_nines.is_none_or(|d| d.abs() >= 0.005);
                at(
                    REGRESSION,
                    if moved { Level::Note } else { Level::Pass },
                    "changed",
                    format!("Changed since the baseline: {}", c.name),
                    format!("{}: {}", c.name, Self::drop_text(c)),
                    place,
                    &c.name,
                )
            };
            out.push(d);
        }
        for name in &b.missing {
            let mut d = at(
                REMOVED,
                if b.fail_on_removed {
                    Level::Error
                } else {
                    Level::Warning
                },
                "removed",
                format!("Removed since the baseline: {name}"),
                format!("{name}: in {} but not in this model", b.file),
                (0, 0),
                name,
            );
            d.hint = Some(
                "a component renamed and changed at once is not recognised as renamed: rename in one change, change in the next".into(),
            );
            d.mark = Some("GONE");
            out.push(d);
        }
        out
    }

    /// The report as one section of the diagnostic emitters: its diagnostics, the gates'
    /// notes, the Markdown tables of its numbers and the JUnit suites.
    pub fn section(&self) -> Section {
        let mut notes = Vec::new();
        notes.extend(self.gate_text());
        notes.extend(self.confidence_gate_text());
        let mut suites = vec![Suite {
            name: format!("{}: SLOs", self.model),
            classname: format!("{}.slo", self.model),
            codes: vec![SLO],
        }];
        if let Some(b) = &self.baseline {
            suites.push(Suite {
                name: format!("{}: regressions since {}", self.model, b.file),
                classname: format!("{}.regression", self.model),
                codes: vec![REGRESSION, RENAMED, REMOVED],
            });
        }
        Section {
            model: self.model.clone(),
            file: self.file.clone(),
            summary: self.summary(),
            passed: self.passed,
            verdicts: true,
            diagnostics: self.diagnostics(),
            notes,
            tables: self.tables(),
            lists: self.baseline.as_ref().map_or(Vec::new(), Self::lists),
            suites,
        }
    }

    /// The slos, the window and confidence gates, and the components that changed since the
    /// baseline, as tables of numbers.
    fn tables(&self) -> Vec<Table> {
        let mark = |ok: bool| if ok { "✅" } else { "❌" }.to_string();
        let header = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect();
        let mut out = Vec::new();
        if !self.components.is_empty() {
            out.push(Table {
                header: header(&[
                    "",
                    "component",
                    "availability",
                    "slo",
                    "downtime a year",
                    "allowed",
                ]),
                rows: (self.components.iter())
                    .map(|c| {
                        vec![
                            mark(c.passed),
                            c.name.clone(),
                            format_percent(c.availability, c.unavailability),
                            format_percent(c.slo, 1.0 - c.slo),
                            format_duration_human(c.unavailability * YEAR),
                            format_duration_human((1.0 - c.slo) * YEAR),
                        ]
                    })
                    .collect(),
                caption: None,
            });
        }
        if let Some(gate) = self.gate_text() {
            out.push(Table {
                header: header(&[
                    "",
                    "component",
                    "windows breaching the slo",
                    "95% CI",
                    "allowed",
                    "",
                ]),
                rows: (self.components.iter())
                    .filter_map(|c| {
                        let (max, p, (lo, hi), v) = (
                            c.max_breach?,
                            c.p_window_breach?,
                            c.p_window_breach_ci95?,
                            c.breach_verdict?,
                        );
                        Some(vec![
                            mark(v.passes()),
                            c.name.clone(),
                            super::window_share(p),
                            format!("{} – {}", super::window_share(lo), super::window_share(hi)),
                            super::window_share(max),
                            match v {
                                super::BreachVerdict::Meets => "",
                                super::BreachVerdict::Undecided => "undecided: run more",
                                super::BreachVerdict::Breaches => "breaches too often",
                            }
                            .to_string(),
                        ])
                    })
                    .collect(),
                caption: Some(gate),
            });
        }
        if let (Some(gate), Some(g)) = (self.confidence_gate_text(), &self.confidence_gate) {
            out.push(Table {
                header: header(&["", "component", "slo", "P(meets slo)", "required"]),
                rows: (self.components.iter())
                    .filter_map(|c| {
                        let (p, meets) = (c.p_meets_slo?, c.meets_confidence?);
                        Some(vec![
                            mark(meets),
                            c.name.clone(),
                            format_percent(c.slo, 1.0 - c.slo),
                            super::probability(p),
                            super::probability(g.confidence),
                        ])
                    })
                    .collect(),
                caption: Some(gate),
            });
        }
        if let Some(b) = &self.baseline {
            let changed: Vec<Vec<String>> = (b.components.iter())
                .filter(|c| {
                    c.regressed
                        || c.renamed_from.is_some()
                        || c.drop_nines.is_none_or(|d| d.abs() >= 0.005)
                })
                .map(|c| {
                    vec![
                        if c.regressed { "❌" } else { "" }.to_string(),
                        format!("{}{}", c.name, Self::was(c)),
                        Self::drop_text(c),
                    ]
                })
                .collect();
            if !changed.is_empty() {
                out.push(Table {
                    header: header(&["", "component", "nines"]),
                    rows: changed,
                    caption: None,
                });
            }
        }
        out
    }

    /// `Removed since the baseline: api, cache`, then the renamed and the added.
    fn lists(b: &BaselineReport) -> Vec<String> {
        let renamed: Vec<String> = (b.renamed.iter())
            .map(|(from, to)| format!("{from} → {to}"))
            .collect();
        let removed = if b.fail_on_removed {
            "❌ Removed since the baseline"
        } else {
            "Removed since the baseline"
        };
        [
            (removed, &b.missing),
            ("Renamed", &renamed),
            ("Added", &b.added),
        ]
        .into_iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(what, names)| format!("{what}: {}", names.join(", ")))
        .collect()
    }

    /// PASS and FAIL per slo, what changed since the baseline, the gates, the summary.
    pub fn text(&self, color: bool) -> String {
        emit::text(&[self.section()], color, false)
    }

    /// GitHub Actions workflow commands: an annotation at the component's line for every
    /// verdict, the summary as a log line.
    pub fn github(&self) -> String {
        emit::github(&[self.section()], &[])
    }

    /// A Markdown section for a pull-request comment or a step summary.
    pub fn markdown(&self) -> String {
        emit::markdown(&[self.section()])
    }

    /// JUnit XML: a test suite of one test case per slo, and with a baseline a second suite
    /// of one test case per component compared or removed.
    pub fn junit(&self) -> String {
        junit::junit(TITLE, &[self.section()], &[])
    }
}

/// The name of the JUnit document.
pub const TITLE: &str = "nines check";
