//! JUnit XML of diagnostics: per model file its [`Suite`]s, a test case per diagnostic (a
//! failure for an error, skipped for a warning, passed otherwise), and a suite with an error for
//! each model that did not load.

use super::emit::{Section, Suite};
use super::{Diagnostic, Level};
use crate::report::annotate::xml_escape;

/// The whole document: `<testsuites name="{title}">` around every section's suites, then the
/// invalid models'.
pub fn junit(title: &str, sections: &[Section], invalid: &[Diagnostic]) -> String {
    let (mut suites, mut tests, mut failures) = (String::new(), 0, 0);
    for s in sections {
        for suite in &s.suites {
            let (text, t, f) = suite_xml(s, suite);
            suites += &text;
            tests += t;
            failures += f;
        }
    }
    for d in invalid {
        let file = xml_escape(&d.file);
        let message = xml_escape(&d.message);
        let detail = xml_escape(&match &d.hint {
            Some(h) => format!("{}: {}\nhint: {h}", d.location(), d.message),
            None => format!("{}: {}", d.location(), d.message),
        });
        suites += &format!(
            "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" file=\"{file}\">\n    <testcase name=\"load\" classname=\"{file}\" file=\"{file}\" line=\"{}\" time=\"0\">\n      <error type=\"{}\" message=\"{message}\">{detail}</error>\n    </testcase>\n  </testsuite>\n",
            d.line,
            xml_escape(&d.code)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" time=\"0\">\n{suites}</testsuites>\n",
        xml_escape(title),
        tests + invalid.len(),
        invalid.len()
    )
}

/// One suite of a section, with its count of tests and of failures.
fn suite_xml(section: &Section, suite: &Suite) -> (String, usize, usize) {
    let file = xml_escape(&section.file);
    let classname = xml_escape(&suite.classname);
    let (mut cases, mut tests, mut failures, mut skipped) = (String::new(), 0, 0, 0);
    for d in section
        .diagnostics
        .iter()
        .filter(|d| suite.codes.contains(&d.code.as_str()))
    {
        tests += 1;
        let name = xml_escape(d.component.as_deref().unwrap_or(&d.code));
        let line = if d.line > 0 {
            format!(" line=\"{}\"", d.line)
        } else {
            String::new()
        };
        let text = xml_escape(&d.full_message());
        let outcome = match d.level {
            Level::Error => {
                failures += 1;
                let body = match &d.hint {
                    Some(h) => xml_escape(&format!("{}\nhint: {h}", d.full_message())),
                    None => text,
                };
                format!(
                    "<failure type=\"{}\" message=\"{}\">{body}</failure>",
                    xml_escape(&d.name),
                    xml_escape(&d.message)
                )
            }
            Level::Warning => {
                skipped += 1;
                format!("<skipped message=\"{text}\"/>")
            }
            Level::Note | Level::Pass => format!("<system-out>{text}</system-out>"),
        };
        cases += &format!(
            "    <testcase name=\"{name}\" classname=\"{classname}\" file=\"{file}\"{line} time=\"0\">\n      {outcome}\n    </testcase>\n"
        );
    }
    let xml = format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\" file=\"{file}\">\n{cases}  </testsuite>\n",
        xml_escape(&suite.name)
    );
    (xml, tests, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(code: &'static str, level: Level, component: &str) -> Diagnostic {
        let mut d = Diagnostic::unplaced("m.yaml", "a <message>");
        (d.code, d.level, d.component, d.line) = (code.into(), level, Some(component.into()), 3);
        d
    }

    #[test]
    fn each_suite_counts_its_own_cases_and_the_document_all_of_them() {
        let section = Section {
            model: "m".into(),
            file: "m.yaml".into(),
            diagnostics: vec![
                case("slo", Level::Error, "a"),
                case("slo", Level::Pass, "b"),
                case("removed", Level::Warning, "c"),
                case("regression", Level::Pass, "d"),
                case("elsewhere", Level::Error, "e"),
            ],
            suites: vec![
                Suite {
                    name: "m: SLOs".into(),
                    classname: "m.slo".into(),
                    codes: vec!["slo"],
                },
                Suite {
                    name: "m: regressions".into(),
                    classname: "m.regression".into(),
                    codes: vec!["regression", "removed"],
                },
            ],
            ..Section::default()
        };
        let invalid = Diagnostic::unplaced("bad.yaml", "cannot read");
        let xml = junit("t", &[section], &[invalid]);
        // A case per diagnostic of a suite's codes, the invalid model's, nothing else.
        assert!(
            xml.contains("tests=\"5\" failures=\"1\" errors=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("name=\"m: SLOs\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\"")
        );
        assert!(xml.contains(
            "name=\"m: regressions\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\""
        ));
        assert_eq!(xml.matches("<testcase").count(), 5, "{xml}");
        assert!(!xml.contains("name=\"e\""), "{xml}");
        assert_eq!(
            xml.matches("<system-out>a &lt;message&gt;</system-out>")
                .count(),
            2
        );
    }
}
