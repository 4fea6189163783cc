//! Writing a `ModelSpec` back out as YAML, JSON or TOML, with every availability as an exact
//! percent string, so that reading the file back gives the very same probabilities.
//!
//! Only the subset of the model an import produces is written: the name, domains with their
//! availability and parent, and components with availability, replicas, min_available, spread
//! and plain or group dependencies. Anything else in the spec is refused rather than dropped.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::model::Format;
use crate::model::spec::{ComponentSpec, DependencySpec, ModelSpec, OnFailure, Target};
use crate::model::units::Odds;

/// A document value, keeping the order of map keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    /// A string.
    Str(String),
    /// A whole number.
    Int(u64),
    /// A list.
    List(Vec<Out>),
    /// `true` or `false`.
    Bool(bool),
    /// A map, its keys in this order.
    Map(Vec<(String, Out)>),
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Str(v) => s.serialize_str(v),
            Out::Int(v) => s.serialize_u64(*v),
            Out::Bool(v) => s.serialize_bool(*v),
            Out::List(xs) => {
                let mut seq = s.serialize_seq(Some(xs.len()))?;
                for x in xs {
                    seq.serialize_element(x)?;
                }
                seq.end()
            }
            Out::Map(kv) => {
                let mut m = s.serialize_map(Some(kv.len()))?;
                for (k, v) in kv {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

/// The availability `1 − p` as a percent string computed on the decimal digits of the smaller of
/// p and 1 − p, so that parsing it back yields both exactly: p = 0.01 gives "99%", p = 1e-12
/// gives "99.9999999999%". Probabilities below 1e-36 keep fewer digits (the parser reads up to 36).
pub fn exact_percent(odds: Odds) -> String {
    let (x, from_p) = if odds.p <= odds.q {
        (odds.p, true)
    } else {
        (odds.q, false)
    };
    // Validated odds are finite; anything else reads as the nearest end rather than panic.
    let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
    if x == 0.0 {
        return if from_p { "100%" } else { "0%" }.into();
    }
    // Shortest digits that round-trip; a computed value (0.2 × 0.1 = 0.020000000000000004) is
    // written with 15 digits when those are within two ulps, as its own rounding is no better.
    let (mut digits, mut exp) = sci(&format!("{x:e}"));
    let short = format!("{x:.14e}");
    if let Ok(v) = short.parse::<f64>()
        && (v - x).abs() <= 2.0 * f64::EPSILON * x
    {
        (digits, exp) = sci(&short);
    }
    let places = |d: &str, e: i32| d.len() as i32 - 1 - e;
    if places(&digits, exp) > 36 {
        let keep = (37 + exp).max(1) as usize;
        (digits, exp) = sci(&format!("{:.*e}", keep - 1, x));
    }
    // x = digits × 10^-s; 100·x has s − 2 decimal places.
    let s = places(&digits, exp);
    let scale = (s - 2).max(0) as usize;
    // 100·x scaled by 10^scale, as an integer string.
    let shift = (scale as i32 - (s - 2)) as usize;
    let hundred_x = format!("{digits}{}", "0".repeat(shift));
    let value = if from_p {
        let hundred = format!("100{}", "0".repeat(scale));
        subtract(&hundred, &hundred_x)
    } else {
        hundred_x
    };
    format!("{}%", place_point(&value, scale))
}

/// "1.2345e-5" → ("12345", -5).
fn sci(text: &str) -> (String, i32) {
    let (mantissa, exp) = text.split_once('e').expect("`{:e}` writes an exponent");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (
        digits.to_string(),
        exp.parse().expect("`{:e}` writes an integer exponent"),
    )
}

/// a − b for decimal integer strings with a ≥ b.
fn subtract(a: &str, b: &str) -> String {
    let a: Vec<u8> = a.bytes().rev().map(|c| c - b'0').collect();
    let b: Vec<u8> = b.bytes().rev().map(|c| c - b'0').collect();
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &digit) in a.iter().enumerate() {
        let mut d = digit as i8 - borrow - *b.get(i).unwrap_or(&0) as i8;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(b'0' + d as u8);
    }
    while out.len() > 1 && *out.last().unwrap() == b'0' {
        out.pop();
    }
    out.reverse();
    String::from_utf8(out).expect("digits")
}

/// An integer string with `scale` decimal places, trailing zeros trimmed: ("9999", 2) → "99.99".
fn place_point(int: &str, scale: usize) -> String {
    let padded = format!("{int:0>width$}", width = scale + 1);
    let (whole, frac) = padded.split_at(padded.len() - scale);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

fn dependency(d: &DependencySpec) -> Result<Out, String> {
    if d.on_failure != OnFailure::Fail
        || d.fallback.is_some()
        || d.timeout.is_some()
        || d.tolerate.is_some()
        || d.breaker.is_some()
        || d.via != crate::model::spec::Via::Call
        || d.max_delay.is_some()
    {
        return Err(
            "dependencies with on_failure, fallback, timeout, tolerate, breaker or via".into(),
        );
    }
    Ok(match &d.target {
        Target::Component(name) => Out::Str(name.clone()),
        Target::Group { at_least, of } => Out::Map(vec![
            ("at_least".into(), Out::Int(*at_least as u64)),
            (
                "of".into(),
                Out::List(of.iter().map(|x| Out::Str(x.clone())).collect()),
            ),
        ]),
    })
}

fn component(c: &ComponentSpec) -> Result<Out, String> {
    let unsupported = c.mttf.is_some()
        || c.mttr.is_some()
        || c.maintenance.is_some()
        || c.failure.is_some()
        || c.repair.is_some()
        || c.slo.is_some()
        || c.external.is_some()
        || c.cost.is_some()
        || c.fixed_cost.is_some()
        || c.failover.is_some()
        || !c.variants.is_empty();
    if unsupported {
        return Err("component keys other than availability, replicas, min_available, spread and depends_on".into());
    }
    let mut kv = Vec::new();
    if let Some(a) = c.availability {
        kv.push((
            "availability".into(),
            Out::Str(exact_percent(a.estimate.down)),
        ));
    }
    if let Some(r) = c.replicas {
        kv.push(("replicas".into(), Out::Int(r as u64)));
    }
    if let Some(m) = c.min_available {
        kv.push(("min_available".into(), Out::Int(m as u64)));
    }
    if let Some(s) = &c.spread {
        kv.push((
            "spread".into(),
            Out::List(s.iter().map(|x| Out::Str(x.clone())).collect()),
        ));
    }
    if let Some(deps) = c.depends_on.as_ref().filter(|d| !d.is_empty()) {
        kv.push((
            "depends_on".into(),
            Out::List(deps.iter().map(dependency).collect::<Result<_, _>>()?),
        ));
    }
    Ok(Out::Map(kv))
}

/// The spec as a document value.
pub fn to_out(spec: &ModelSpec) -> Result<Out, String> {
    if spec.window.is_some() || spec.defaults.is_some() || spec.cost.is_some() {
        return Err("window, defaults and cost".into());
    }
    let mut top = Vec::new();
    if let Some(name) = &spec.name {
        top.push(("name".into(), Out::Str(name.clone())));
    }
    if !spec.domains.is_empty() {
        let mut domains = Vec::new();
        for (name, d) in &spec.domains {
            if d.mttf.is_some() || d.mttr.is_some() || d.failure.is_some() || d.repair.is_some() {
                return Err("domain keys other than availability and parent".into());
            }
            let mut kv = Vec::new();
            if let Some(a) = d.availability {
                kv.push((
                    "availability".into(),
                    Out::Str(exact_percent(a.estimate.down)),
                ));
            }
            if let Some(p) = &d.parent {
                kv.push(("parent".into(), Out::Str(p.clone())));
            }
            domains.push((name.clone(), Out::Map(kv)));
        }
        top.push(("domains".into(), Out::Map(domains)));
    }
    let components = spec
        .components
        .iter()
        .map(|(name, c)| Ok((name.clone(), component(c)?)))
        .collect::<Result<_, String>>()?;
    top.push(("components".into(), Out::Map(components)));
    Ok(Out::Map(top))
}

/// The spec written in a format. Fails only on parts of a spec the writer does not cover.
pub fn write(spec: &ModelSpec, format: Format) -> Result<String, String> {
    let out = to_out(spec).map_err(|what| format!("the model writer does not cover {what}"))?;
    Ok(match format {
        Format::Yaml => yaml(&out),
        Format::Json => serde_json::to_string_pretty(&out).expect("documents serialise") + "\n",
        Format::Toml => toml::to_string(&out).map_err(|e| format!("cannot write TOML: {e}"))?,
    })
}

/// Block YAML for maps, flow style for lists and for maps inside lists.
pub fn yaml(out: &Out) -> String {
    let mut text = String::new();
    block(out, 0, &mut text);
    text
}

fn block(out: &Out, indent: usize, text: &mut String) {
    let pad = " ".repeat(indent);
    match out {
        Out::Map(kv) => {
            for (k, v) in kv {
                text.push_str(&pad);
                text.push_str(&scalar(k));
                text.push(':');
                match v {
                    Out::Map(inner) if !inner.is_empty() => {
                        text.push('\n');
                        block(v, indent + 2, text);
                    }
                    _ => {
                        text.push(' ');
                        flow(v, text);
                        text.push('\n');
                    }
                }
            }
        }
        other => {
            text.push_str(&pad);
            flow(other, text);
            text.push('\n');
        }
    }
}

fn flow(out: &Out, text: &mut String) {
    match out {
        Out::Str(s) => text.push_str(&scalar(s)),
        Out::Int(v) => text.push_str(&v.to_string()),
        Out::Bool(v) => text.push_str(if *v { "true" } else { "false" }),
        Out::List(xs) => {
            text.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                flow(x, text);
            }
            text.push(']');
        }
        Out::Map(kv) => {
            text.push_str("{ ");
            for (i, (k, v)) in kv.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(&scalar(k));
                text.push_str(": ");
                flow(v, text);
            }
            text.push_str(if kv.is_empty() { "}" } else { " }" });
        }
    }
}

/// A string as a YAML scalar: plain when it cannot be read as anything else, else double-quoted.
fn scalar(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        );
    if plain {
        s.to_string()
    } else {
        // JSON's escaping is valid in a YAML double-quoted scalar.
        serde_json::to_string(s).expect("strings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Availability;

    fn round_trip(p: &str) {
        let a = Availability::parse(p).unwrap().down.complement();
        let text = exact_percent(a);
        let back = Availability::parse(&text).unwrap().down;
        assert_eq!(back.p, a.p, "{p} → {text}");
        assert_eq!(back.q, a.q, "{p} → {text}");
    }

    #[test]
    fn percents_are_exact() {
        assert_eq!(exact_percent(Odds { p: 0.01, q: 0.99 }), "99%");
        assert_eq!(exact_percent(Odds::NEVER), "100%");
        assert_eq!(exact_percent(Odds::ALWAYS), "0%");
        assert_eq!(exact_percent(Odds { p: 1e-12, q: 1.0 }), "99.9999999999%");
        assert_eq!(exact_percent(Odds { p: 0.75, q: 0.25 }), "25%");
        assert_eq!(exact_percent(Odds { p: 0.5, q: 0.5 }), "50%");
        for p in [
            "0.01",
            "0.2",
            "1e-20",
            "3.5e-8",
            "0.123456789012345",
            "0.999999",
            "1.2345678901234567e-19",
        ] {
            round_trip(p);
        }
        // Past the parser's 36 digits the value keeps what fits, close to the truth.
        let tiny = Odds::from_p(1.234_567_890_123_456_7e-30);
        let back = Availability::parse(&exact_percent(tiny)).unwrap().down;
        assert!((back.p - tiny.p).abs() < 1e-6 * tiny.p, "{}", back.p);
    }

    #[test]
    fn yaml_quotes_what_would_read_as_something_else() {
        assert_eq!(scalar("g1"), "g1");
        assert_eq!(scalar("t.E1"), "t.E1");
        assert_eq!(scalar("99%"), "\"99%\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("1e5"), "\"1e5\"");
        assert_eq!(scalar("a b"), "\"a b\"");
    }
}
