//! Small text helpers shared by the renderers: escaping and number formats.

// The number formats live beside the units, so that engines and lints may use them without
// reaching up into the renderers.
pub use crate::model::units::{format_nines, format_probability, format_share};

/// Escapes text for HTML (and for Markdown tables rendered as HTML).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell: HTML specials as entities, Markdown markup and pipes
/// behind a backslash, line breaks as spaces. One pass, so no escape is escaped again.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// One line naming the components whose calls may hang and how often, after `lead`; empty when
/// none can.
pub fn hung_line<'a>(lead: &str, hung: impl Iterator<Item = (&'a str, f64)>) -> String {
    let hung: Vec<String> = hung
        .filter(|&(_, h)| h > 0.0)
        .map(|(name, h)| format!("{name} {}", format_share(h)))
        .collect();
    if hung.is_empty() {
        return String::new();
    }
    format!("{lead}: {}\n", hung.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares() {
        assert_eq!(format_share(0.0004), "0.040%");
        assert_eq!(format_share(0.012), "1.2%");
        assert_eq!(format_share(0.0009999), "0.10%");
        assert_eq!(format_share(0.9974), "99.7%");
        assert_eq!(format_share(0.99999), "99.999%");
        assert_eq!(format_share(1.0), "100%");
    }

    #[test]
    fn markdown_escaping_keeps_entities_whole() {
        assert_eq!(
            escape_markdown("<a|b> #1 `x` \"q\""),
            "&lt;a\\|b&gt; \\#1 \\`x\\` &quot;q&quot;"
        );
    }

    #[test]
    fn markdown_escapes_once() {
        assert_eq!(
            escape_markdown("a|b <x> it's #1"),
            "a\\|b &lt;x&gt; it&#39;s \\#1"
        );
    }
}
