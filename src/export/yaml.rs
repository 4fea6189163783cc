//! A small YAML writer for the exported files: block style, and every string written so that
//! YAML 1.1 and 1.2 readers (Go's, which Prometheus and sloth use, and ours) read it back as the
//! same string: plain only when nothing else can be read into it, a literal block for readable
//! multi-line PromQL, double-quoted with escapes otherwise.

/// A YAML value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// A string, quoted as it needs.
    Str(String),
    /// A number, already written as its text.
    Num(String),
    /// `true` or `false`.
    Bool(bool),
    /// A list.
    Seq(Vec<Yaml>),
    /// A map, its keys in this order.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }

    /// A map from `(key, value)` pairs, in this order.
    pub fn map<const N: usize>(entries: [(&str, Yaml); N]) -> Yaml {
        Yaml::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

/// One document: comment lines (each after `# `), then the value, which should be a map.
pub fn document(comments: &[String], value: &Yaml) -> String {
    let mut out = String::new();
    for c in comments {
        out.push_str("# ");
        out.push_str(&comment_safe(c));
        out.push('\n');
    }
    write(value, 0, &mut out);
    out
}

/// Comments end at the line's end: a line break or other control character in a name would
/// end one early, so each becomes U+FFFD.
fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if unprintable(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Characters a YAML stream may not hold as they are (besides tab and line feed, which are
/// handled where they stand), and the line breaks YAML 1.1 reads where YAML 1.2 does not.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

fn write(value: &Yaml, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                nested(v, indent, out);
            }
        }
        Yaml::Seq(items) if !items.is_empty() => {
            for item in items {
                // The item's first line goes after `- `; the rest keep its indentation.
                let mut inner = String::new();
                match item {
                    Yaml::Map(e) if !e.is_empty() => write(item, indent + 2, &mut inner),
                    Yaml::Seq(s) if !s.is_empty() => write(item, indent + 2, &mut inner),
                    other => {
                        inner.push_str(&" ".repeat(indent + 2));
                        inline(other, indent + 2, &mut inner);
                    }
                }
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&inner[indent + 2..]);
            }
        }
        other => {
            out.push_str(&pad);
            inline(other, indent, out);
        }
    }
}

/// What follows `key:`.
fn nested(v: &Yaml, indent: usize, out: &mut String) {
    match v {
        Yaml::Map(e) if !e.is_empty() => {
            out.push('\n');
            write(v, indent + 2, out);
        }
        Yaml::Seq(s) if !s.is_empty() => {
            out.push('\n');
            write(v, indent + 2, out);
        }
        other => {
            out.push(' ');
            inline(other, indent, out);
        }
    }
}

/// A scalar or an empty collection, then the end of its line.
fn inline(v: &Yaml, indent: usize, out: &mut String) {
    match v {
        Yaml::Str(s) if literal_block(s) => {
            out.push_str("|-\n");
            let pad = " ".repeat(indent + 2);
            for line in s.split('\n') {
                if !line.is_empty() {
                    out.push_str(&pad);
                    out.push_str(line);
                }
                out.push('\n');
            }
            return;
        }
        Yaml::Str(s) => out.push_str(&scalar(s)),
        Yaml::Num(n) => out.push_str(n),
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Yaml::Seq(_) => out.push_str("[]"),
        Yaml::Map(_) => out.push_str("{}"),
    }
    out.push('\n');
}

/// Whether a multi-line string reads back unchanged from a `|-` block: no leading blank that
/// would set the indentation, no trailing line break that `-` would strip, no trailing blanks
/// on a line, nothing unprintable.
fn literal_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && !s.ends_with('\n')
        && !s.chars().any(|c| c != '\n' && c != '\t' && unprintable(c))
        && s.split('\n').all(|l| !l.ends_with([' ', '\t']))
}

/// A string on one line: plain when it can only read as that string, else single-quoted when
/// it is all printable, else double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':'))
        // `:` then a line break would start a map.
        && !s.ends_with(':')
        // YAML 1.1 reads these as booleans or null.
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else if !s.chars().any(|c| c == '\t' || unprintable(c)) {
        // Single quotes escape nothing but the quote itself: PromQL stays readable.
        format!("'{}'", s.replace('\'', "''"))
    } else {
        quoted(s)
    }
}

/// A double-quoted YAML scalar: backslash, quote and everything unprintable escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if unprintable(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_read_as_something_else_are_quoted() {
        assert_eq!(scalar("storefront"), "storefront");
        assert_eq!(scalar("orders-db"), "orders-db");
        assert_eq!(scalar("a:b:rate5m"), "a:b:rate5m");
        assert_eq!(scalar("a:"), "'a:'");
        assert_eq!(scalar("yes"), "'yes'");
        assert_eq!(scalar("30d"), "'30d'");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar(""), "''");
        assert_eq!(scalar("x{a=\"b\"}'s"), "'x{a=\"b\"}''s'");
        assert_eq!(scalar("x\u{2028}\"\\"), "\"x\\u2028\\\"\\\\\"");
        assert_eq!(scalar("a\tb"), "\"a\\tb\"");
    }

    #[test]
    fn blocks_and_lists_nest() {
        let v = Yaml::map([
            (
                "groups",
                Yaml::Seq(vec![Yaml::map([
                    ("name", Yaml::str("g")),
                    ("rules", Yaml::Seq(vec![])),
                    ("expr", Yaml::str("a\n  and\nb")),
                ])]),
            ),
            ("k", Yaml::Num("1.5".into())),
        ]);
        assert_eq!(
            document(&["top\nline".into()], &v),
            "# top\u{FFFD}line\ngroups:\n  - name: g\n    rules: []\n    expr: |-\n      a\n        and\n      b\nk: 1.5\n"
        );
    }
}
