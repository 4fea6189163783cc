//! SARIF 2.1.0, the static-analysis format code-scanning services read: one run of the tool
//! `nines`, its rules, and one result per [`Diagnostic`], placed at its file, line and column.

use serde_json::{Value, json};

use super::diagnostic::{Diagnostic, Level, MODEL_ERROR};

/// A rule the run may report: lint's N001…, or one of `check`'s verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct SarifRule {
    /// The rule's id: `N004`, `slo`.
    pub id: String,
    /// Its readable name: `single-point-of-failure`.
    pub name: String,
    /// One sentence: what the rule looks for.
    pub summary: String,
    /// The level its results are reported at.
    pub level: Level,
}

impl SarifRule {
    /// A rule from its parts.
    pub fn new(id: &str, name: &str, summary: &str, level: Level) -> SarifRule {
        SarifRule {
            id: id.into(),
            name: name.into(),
            summary: summary.into(),
            level,
        }
    }
}

/// The rule of a model that does not load; every run has it.
pub fn model_error_rule() -> SarifRule {
    SarifRule::new(
        MODEL_ERROR,
        "invalid-model",
        "the model file cannot be read, parsed or validated",
        Level::Error,
    )
}

/// The SARIF log: one run, the rules given (the model-error rule added), one result per
/// diagnostic.
pub fn sarif(rules: &[SarifRule], diagnostics: &[Diagnostic]) -> String {
    let mut rules = rules.to_vec();
    if !rules.iter().any(|r| r.id == MODEL_ERROR) {
        rules.push(model_error_rule());
    }
    let rule_json: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": r.level.as_str() },
            })
        })
        .collect();
    // A passed check is not a finding.
    let results: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d.level != Level::Pass)
        .map(|d| result(d, rules.iter().position(|r| r.id == d.code)))
        .collect();
    let log = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "nines",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_json,
            } },
            // Columns count characters, as the model loader does.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("serialises") + "\n"
}

fn result(d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let text = match &d.hint {
        Some(h) => format!("{}\nhint: {h}", d.full_message()),
        None => d.full_message(),
    };
    let mut physical = json!({ "artifactLocation": { "uri": file_uri(&d.file) } });
    // SARIF lines and columns start at 1: an unknown place has no region.
    if d.line > 0 {
        let mut region = json!({ "startLine": d.line });
        if d.column > 0 {
            region["startColumn"] = json!(d.column);
        }
        physical["region"] = region;
    }
    let mut location = json!({ "physicalLocation": physical });
    if let Some(c) = &d.component {
        location["logicalLocations"] = json!([{ "name": c, "kind": "module" }]);
    }
    let mut result = json!({
        "ruleId": d.code,
        "level": d.level.as_str(),
        "message": { "text": text },
        "locations": [location],
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    let mut properties = serde_json::Map::new();
    if let Some(c) = &d.component {
        properties.insert("component".into(), json!(c));
    }
    if let Some(h) = &d.hint {
        properties.insert("hint".into(), json!(h));
    }
    if !properties.is_empty() {
        result["properties"] = Value::Object(properties);
    }
    result
}

/// The file as a URI reference: a relative path stays relative, with forward slashes; an
/// absolute one becomes a `file://` URI. Everything but unreserved characters and `/` is
/// percent-encoded, so no name can change how the URI is read.
pub fn file_uri(file: &str) -> String {
    let slashed = file.replace('\\', "/");
    let windows_drive = slashed.len() > 2
        && slashed.as_bytes()[0].is_ascii_alphabetic()
        && slashed.as_bytes()[1..3] == *b":/";
    let encoded = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                out.push(b as char);
            } else {
                out += &format!("%{b:02X}");
            }
        }
        out
    };
    if slashed.starts_with('/') {
        format!("file://{}", encoded(&slashed))
    } else if windows_drive {
        // `C:/x` keeps its colon: it is the drive, not a scheme.
        format!("file:///{}:{}", &slashed[..1], encoded(&slashed[2..]))
    } else {
        encoded(slashed.trim_start_matches("./"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes_and_encoded() {
        assert_eq!(file_uri("models/a.yaml"), "models/a.yaml");
        assert_eq!(file_uri("./models/a.yaml"), "models/a.yaml");
        assert_eq!(file_uri("models\\a b.yaml"), "models/a%20b.yaml");
        assert_eq!(file_uri("x:y|z%.yaml"), "x%3Ay%7Cz%25.yaml");
        assert_eq!(file_uri("/tmp/é.yaml"), "file:///tmp/%C3%A9.yaml");
        assert_eq!(file_uri("C:\\m\\a.yaml"), "file:///C:/m/a.yaml");
    }
}
