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

/// A number of nines, two decimals: `3.30`, or `∞` for a component that never goes down.
pub fn format_nines(nines: f64) -> String {
    if nines.is_infinite() {
        "∞".into()
    } else {
        // + 0.0 turns −0 (always down) into 0.
        format!("{:.2}", nines + 0.0)
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

/// A share of time as a percentage with two significant digits: `0.040%`, `1.2%`, `99.74%`;
/// never `100%` for less than all of the time.
pub fn format_share(x: f64) -> String {
    if x <= 0.0 {
        return "0%".into();
    }
    let percent = x * 100.0;
    let mut decimals = (1 - percent.log10().floor() as i64).clamp(0, 12) as usize;
    let mut text = format!("{percent:.decimals$}");
    // Rounding up to the next power of ten (0.09999 → 0.100) needs one digit fewer.
    if decimals > 0
        && text
            .parse::<f64>()
            .is_ok_and(|r| r.log10().floor() > percent.log10().floor())
    {
        decimals -= 1;
        text = format!("{percent:.decimals$}");
    }
    while x < 1.0 && text.parse::<f64>().is_ok_and(|r| r >= 100.0) && decimals < 12 {
        decimals += 1;
        text = format!("{percent:.decimals$}");
    }
    format!("{text}%")
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
