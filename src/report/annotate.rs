//! Formats CI systems read: GitHub Actions workflow commands and JUnit XML. Both carry names
//! from the model, so both escape everything they are given.

/// Escapes the message of a GitHub workflow command: `%`, CR and LF are its only specials.
/// Other control characters (an escape sequence would colour or hide the log) have no escape
/// there, so they are written out as `\u{1b}`.
pub fn github_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::model::error::shown(&s).into_owned()
}

/// Escapes a property value (`file=`, `title=`): also `:` and `,`, which end a value.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command, `::error file=F,line=L,title=T::message`, with its newline. `level` is
/// `error`, `warning` or `notice`; a line of 0 (unknown) is left out.
pub fn github_command(level: &str, file: &str, line: usize, title: &str, message: &str) -> String {
    github_command_at(level, file, line, 0, title, message)
}

/// [`github_command`] with a column too (`col=`); a column of 0 (unknown) is left out.
pub fn github_command_at(
    level: &str,
    file: &str,
    line: usize,
    column: usize,
    title: &str,
    message: &str,
) -> String {
    let mut props = vec![format!("file={}", github_property(file))];
    if line > 0 {
        props.push(format!("line={line}"));
        if column > 0 {
            props.push(format!("col={column}"));
        }
    }
    props.push(format!("title={}", github_property(title)));
    format!("::{level} {}::{}\n", props.join(","), github_data(message))
}

/// Escapes text for a Markdown table cell: pipes end a cell, backticks open code spans, and a
/// newline would end the row.
pub fn markdown_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// Escapes text for XML 1.0 content and attribute values; characters XML 1.0 cannot carry at
/// all (most control characters) are dropped rather than producing a file no parser reads.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values normalise raw newlines to spaces; the references keep them.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_separators() {
        assert_eq!(
            github_command("error", "a,b:c.yaml", 7, "t: x, y", "50% down\nnext"),
            "::error file=a%2Cb%3Ac.yaml,line=7,title=t%3A x%2C y::50%25 down%0Anext\n"
        );
        assert_eq!(
            github_command("notice", "m.yaml", 0, "ok", "fine"),
            "::notice file=m.yaml,title=ok::fine\n"
        );
    }

    #[test]
    fn markdown_cells_keep_pipes_and_backticks_literal() {
        assert_eq!(markdown_cell("a|b`c\\d\ne"), "a\\|b\\`c\\\\d<br>e");
    }

    #[test]
    fn xml_drops_what_xml_cannot_carry() {
        assert_eq!(
            xml_escape("<a href=\"x\">'&'\u{1}</a>\n"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#10;"
        );
    }
}
