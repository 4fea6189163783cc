//! sloth's `prometheus/v1` spec: one service for the model, one SLO per objective. sloth writes
//! the recording rules and the page and ticket alerts from it; the queries keep `{{.window}}`,
//! which sloth fills in.

use super::yaml::{Yaml, document};
use super::{Export, provenance, shorthand, slug, slugs};

/// The spec, one YAML document.
pub fn render(export: &Export) -> String {
    let names = slugs(export.objectives.iter().map(|o| o.component.as_str()));
    let slos = export
        .objectives
        .iter()
        .zip(&names)
        .map(|(o, name)| {
            Yaml::map([
                ("name", Yaml::str(name)),
                ("objective", Yaml::Num(o.percent_text())),
                ("description", Yaml::str(o.reason())),
                (
                    "labels",
                    Yaml::map([("component", Yaml::str(&o.component))]),
                ),
                (
                    "sli",
                    Yaml::map([(
                        "events",
                        Yaml::map([
                            ("error_query", Yaml::str(&o.sli.errors)),
                            ("total_query", Yaml::str(&o.sli.total)),
                        ]),
                    )]),
                ),
                (
                    "alerting",
                    Yaml::map([
                        ("name", Yaml::str(super::prometheus::alert_name(name))),
                        (
                            "annotations",
                            Yaml::map([("summary", Yaml::str(super::prometheus::SUMMARY))]),
                        ),
                        (
                            "page_alert",
                            Yaml::map([("labels", Yaml::map([("severity", Yaml::str("page"))]))]),
                        ),
                        (
                            "ticket_alert",
                            Yaml::map([("labels", Yaml::map([("severity", Yaml::str("ticket"))]))]),
                        ),
                    ]),
                ),
            ])
        })
        .collect();
    let mut comments = provenance("sloth", export);
    comments.push(format!(
        "The model's window is {}: run sloth with --default-slo-period={0} where it differs from sloth's default.",
        shorthand(export.window_s)
    ));
    document(
        &comments,
        &Yaml::map([
            ("version", Yaml::str("prometheus/v1")),
            ("service", Yaml::str(slug(&export.model))),
            ("labels", Yaml::map([("model", Yaml::str(&export.model))])),
            ("slos", Yaml::Seq(slos)),
        ]),
    )
}
