//! `slo: { target, max_breach }`: the map parses to the same target as the plain form, and bad
//! maps get located errors.

use crate::util::*;

fn system(text: &str) -> nines::system::System {
    eval_yaml(text).0
}

#[test]
fn an_slo_map_means_its_target_plus_a_breach_limit() {
    let plain = system("components:\n  web:\n    availability: 99.9%\n    slo: 99.95%\n");
    let map = system(
        "components:\n  web:\n    availability: 99.9%\n    slo: { target: 99.95%, max_breach: 10% }\n",
    );
    let (p, m) = (&plain.components[0], &map.components[0]);
    assert_eq!(p.slo, m.slo, "the target is the same availability");
    assert_eq!(p.max_breach, None);
    assert_eq!(m.max_breach, Some(0.1));
    let fraction = system(
        "components:\n  web:\n    availability: 99.9%\n    slo: { target: 0.9995, max_breach: 0.25 }\n",
    );
    assert_eq!(fraction.components[0].slo, p.slo);
    assert_eq!(fraction.components[0].max_breach, Some(0.25));
    let target_only =
        system("components:\n  web:\n    availability: 99.9%\n    slo: { target: 99.95% }\n");
    assert_eq!(target_only.components[0].slo, p.slo);
    assert_eq!(target_only.components[0].max_breach, None);
}

#[test]
fn max_breach_at_the_edges_of_zero_and_one_is_accepted() {
    for (text, want) in [("0", 0.0), ("1", 1.0), ("\"0%\"", 0.0), ("\"100%\"", 1.0)] {
        let s = system(&format!(
            "components:\n  web:\n    availability: 99.9%\n    slo: {{ target: 99.95%, max_breach: {text} }}\n"
        ));
        assert_eq!(s.components[0].max_breach, Some(want), "{text}");
    }
}

/// (file name, content, expected `file:line`, words the message must contain)
const BAD: &[(&str, &str, &str, &[&str])] = &[
    (
        "over.yaml",
        "components:\n  web:\n    availability: 0.9\n    slo: { target: 99%, max_breach: 1.5 }\n",
        "over.yaml:4:",
        &["max_breach", "[0, 1]"],
    ),
    (
        "negative.yaml",
        "components:\n  web:\n    availability: 0.9\n    slo: { target: 99%, max_breach: \"-5%\" }\n",
        "negative.yaml:4:",
        &["max_breach", "[0, 1]"],
    ),
    (
        "unknown.yaml",
        "components:\n  web:\n    availability: 0.9\n    slo:\n      target: 99%\n      max_breech: 10%\n",
        "unknown.yaml:5:",
        &["max_breech", "max_breach"],
    ),
    (
        "no-target.yaml",
        "components:\n  web:\n    availability: 0.9\n    slo: { max_breach: 10% }\n",
        "no-target.yaml:4:",
        &["target"],
    ),
    (
        "words.yaml",
        "components:\n  web:\n    availability: 0.9\n    slo: { target: 99%, max_breach: often }\n",
        "words.yaml:4:",
        &["not a probability"],
    ),
];

#[test]
fn bad_slo_maps_get_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, place, words) in BAD {
        let path = write_model(&dir, name, text);
        let out = nines().arg("eval").arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(place), "{name}: expected `{place}` in:\n{err}");
        for w in *words {
            assert!(err.contains(w), "{name}: expected `{w}` in:\n{err}");
        }
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}
