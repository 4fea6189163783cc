//! Small text helpers shared by the renderers: escaping and number formats.

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

/// Escapes text for a Markdown table cell: HTML-escaped, pipes and Markdown markup neutralised.
/// One pass, so that the `#` of an entity it writes (`&#39;`) is never escaped again.
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

/// A number of nines, one decimal: `3.3`, or `∞` for a component that never goes down.
pub fn format_nines(nines: f64) -> String {
    if nines.is_infinite() {
        "∞".into()
    } else {
        format!("{nines:.2}")
    }
}

/// A probability in scientific notation when small: `8.8e-4`.
pub fn format_probability(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p >= 1e-3 {
        format!("{p:.4}")
    } else {
        format!("{p:.3e}")
    }
}

/// A share of time as a percentage with two significant digits: `0.040%`, `1.2%`.
pub fn format_share(x: f64) -> String {
    if x <= 0.0 {
        return "0%".into();
    }
    let percent = x * 100.0;
    let decimals = (1 - percent.log10().floor() as i64).clamp(0, 12) as usize;
    format!("{percent:.decimals$}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_entities_whole() {
        assert_eq!(escape_markdown("o'neil"), "o&#39;neil");
        assert_eq!(
            escape_markdown("<a|b> #1 `x` \"q\""),
            "&lt;a\\|b&gt; \\#1 \\`x\\` &quot;q&quot;"
        );
    }
}
