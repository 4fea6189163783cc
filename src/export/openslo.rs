//! OpenSLO v1: one `Service` for the model, then one `SLO` per objective with its SLI inline as
//! a ratio of bad to total requests, the queries as the model gives them.

use super::yaml::{Yaml, document};
use super::{Export, provenance, shorthand, slug, slugs};

/// The documents, one YAML stream.
pub fn render(export: &Export) -> String {
    let service = slug(&export.model);
    let mut out = document(
        &provenance("openslo", export),
        &Yaml::map([
            ("apiVersion", Yaml::str("openslo/v1")),
            ("kind", Yaml::str("Service")),
            ("metadata", metadata(&service, &export.model)),
            (
                "spec",
                Yaml::map([(
                    "description",
                    Yaml::str(format!(
                        "The components of the availability model {} that have service level objectives.",
                        export.model
                    )),
                )]),
            ),
        ]),
    );
    let names = slugs(export.objectives.iter().map(|o| o.component.as_str()));
    for (o, name) in export.objectives.iter().zip(&names) {
        let source = |query: &str| {
            Yaml::map([(
                "metricSource",
                Yaml::map([
                    ("type", Yaml::str("Prometheus")),
                    ("spec", Yaml::map([("query", Yaml::str(query))])),
                ]),
            )])
        };
        let slo = Yaml::map([
            ("apiVersion", Yaml::str("openslo/v1")),
            ("kind", Yaml::str("SLO")),
            ("metadata", metadata(name, &o.component)),
            (
                "spec",
                Yaml::map([
                    ("description", Yaml::str(description(&o.reason()))),
                    ("service", Yaml::str(&service)),
                    (
                        "indicator",
                        Yaml::map([
                            (
                                "metadata",
                                Yaml::map([
                                    ("name", Yaml::str(format!("{name}-errors"))),
                                    (
                                        "displayName",
                                        Yaml::str(format!("{}: failed requests", o.component)),
                                    ),
                                ]),
                            ),
                            (
                                "spec",
                                Yaml::map([(
                                    "ratioMetric",
                                    Yaml::map([
                                        // The queries are rates over a window, not counters.
                                        ("counter", Yaml::Bool(false)),
                                        ("bad", source(&o.sli.errors)),
                                        ("total", source(&o.sli.total)),
                                    ]),
                                )]),
                            ),
                        ]),
                    ),
                    (
                        "timeWindow",
                        Yaml::Seq(vec![Yaml::map([
                            ("duration", Yaml::str(shorthand(export.window_s))),
                            ("isRolling", Yaml::Bool(true)),
                        ])]),
                    ),
                    ("budgetingMethod", Yaml::str("Occurrences")),
                    (
                        "objectives",
                        Yaml::Seq(vec![Yaml::map([
                            ("displayName", Yaml::str(o.percent())),
                            ("target", Yaml::Num(o.target.clone())),
                        ])]),
                    ),
                ]),
            ),
        ]);
        out.push_str("---\n");
        out.push_str(&document(&[], &slo));
    }
    out
}

/// The OpenSLO name, and the name as written when there is one (a display name is never empty).
fn metadata(name: &str, written: &str) -> Yaml {
    let mut entries = vec![("name".to_string(), Yaml::str(name))];
    if !written.is_empty() {
        entries.push(("displayName".to_string(), Yaml::str(written)));
    }
    Yaml::Map(entries)
}

/// OpenSLO descriptions hold at most 1050 characters.
fn description(text: &str) -> String {
    const MOST: usize = 1050;
    if text.chars().count() <= MOST {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MOST - 1).collect();
    cut.push('…');
    cut
}
