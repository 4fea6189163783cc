//! Location targets with wildcards, matched as Backstage's file reader matches them: `*` and `?`
//! within one part of the path, `[a-z]` and `[!a-z]` classes, `{a,b}` alternatives, and `**` for
//! any number of directories. A name starting with a dot is matched only by a part that starts
//! with one, and `**` enters no hidden and no linked directory, so the walk cannot loop. Only
//! regular files are found, in name order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::entities::{MAX_DIR_DEPTH, MAX_INPUT_FILES};

/// Most directory entries one pattern may list: a `**` over a large tree is refused rather
/// than walked for minutes.
pub const MAX_LISTED: usize = 10 * MAX_INPUT_FILES;
/// Most patterns `{a,b}` alternatives may expand to.
const MAX_ALTERNATIVES: usize = 256;

/// Whether a target is a pattern rather than a path.
pub fn is_pattern(target: &str) -> bool {
    target.contains(['*', '?', '[', '{'])
}

/// The regular files `pattern` matches, relative to `base` unless it is absolute; sorted and
/// each once. An error says which bound was passed.
pub fn files(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let mut walk = Walk::default();
    for alternative in alternatives(pattern)? {
        let (start, rest) = match alternative.strip_prefix('/') {
            Some(rest) => (PathBuf::from("/"), rest.to_string()),
            None => (base.to_path_buf(), alternative),
        };
        let mut parts: Vec<Part> = Vec::new();
        for text in rest.split('/').filter(|s| !s.is_empty()) {
            let part = Part::new(text);
            // `**/**` matches what one `**` does; walking both would repeat the work.
            if !(part == Part::Globstar && parts.last() == Some(&Part::Globstar)) {
                parts.push(part);
            }
        }
        walk.visit(&start, &parts, 0)?;
    }
    Ok(walk.found.into_iter().collect())
}

#[derive(Default)]
struct Walk {
    found: BTreeSet<PathBuf>,
    listed: usize,
}

impl Walk {
    fn visit(&mut self, at: &Path, parts: &[Part], depth: usize) -> Result<(), String> {
        let Some((part, rest)) = parts.split_first() else {
            if std::fs::metadata(at).is_ok_and(|m| m.is_file()) {
                self.found.insert(at.into());
            }
            if self.found.len() > MAX_INPUT_FILES {
                return Err(format!("it matches more than {MAX_INPUT_FILES} files"));
            }
            return Ok(());
        };
        match part {
            Part::Literal(name) => self.visit(&at.join(name), rest, depth),
            Part::Wild(wild) => {
                for (name, path) in self.list(at)? {
                    if wild.matches(&name) {
                        self.visit(&path, rest, depth)?;
                    }
                }
                Ok(())
            }
            Part::Globstar => {
                // No directory at all, then one more level down.
                self.visit(at, rest, depth)?;
                if depth >= MAX_DIR_DEPTH {
                    return Err(format!(
                        "`**` reaches directories nested deeper than {MAX_DIR_DEPTH} levels"
                    ));
                }
                for (name, path) in self.list(at)? {
                    let directory = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
                    if name.starts_with('.') || !directory {
                        continue;
                    }
                    self.visit(&path, parts, depth + 1)?;
                }
                Ok(())
            }
        }
    }

    /// The entries of a directory by name, sorted; none when it is not a directory.
    fn list(&mut self, dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(String, PathBuf)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                Some((e.file_name().to_str()?.to_string(), e.path()))
            })
            .collect();
        self.listed += out.len();
        if self.listed > MAX_LISTED {
            return Err(format!(
                "it lists more than {MAX_LISTED} directory entries; name the directories nearer the files"
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// One part of a pattern, between slashes.
#[derive(Debug, PartialEq)]
enum Part {
    Literal(String),
    Wild(Wild),
    Globstar,
}

impl Part {
    fn new(text: &str) -> Part {
        if text == "**" {
            return Part::Globstar;
        }
        if !text.contains(['*', '?', '[']) {
            return Part::Literal(text.to_string());
        }
        Part::Wild(Wild::new(text))
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Char(char),
    /// `?`
    One,
    /// `*`, any run of characters.
    Any,
    /// `[...]`: the ranges, and whether they are negated.
    Class(Vec<(char, char)>, bool),
}

/// A part with wildcards.
#[derive(Debug, PartialEq)]
struct Wild {
    tokens: Vec<Token>,
    /// The part starts with a dot, so it may match hidden names.
    dot: bool,
}

impl Wild {
    fn new(text: &str) -> Wild {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    if tokens.last() != Some(&Token::Any) {
                        tokens.push(Token::Any);
                    }
                }
                '?' => tokens.push(Token::One),
                '\\' if i + 1 < chars.len() => {
                    i += 1;
                    tokens.push(Token::Char(chars[i]));
                }
                '[' => match class(&chars[i + 1..]) {
                    Some((token, used)) => {
                        tokens.push(token);
                        i += used;
                    }
                    // An unclosed bracket is itself.
                    None => tokens.push(Token::Char('[')),
                },
                c => tokens.push(Token::Char(c)),
            }
            i += 1;
        }
        Wild {
            tokens,
            dot: text.starts_with('.'),
        }
    }

    fn matches(&self, name: &str) -> bool {
        if name.starts_with('.') && !self.dot {
            return false;
        }
        let name: Vec<char> = name.chars().collect();
        // Two cursors, backing up to the last `*` on a mismatch: linear in practice, and never
        // exponential.
        let (mut t, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            let step = match self.tokens.get(t) {
                Some(Token::Any) => {
                    star = Some((t, n));
                    t += 1;
                    continue;
                }
                Some(Token::One) => true,
                Some(Token::Char(c)) => *c == name[n],
                Some(Token::Class(ranges, negated)) => {
                    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&name[n])) != *negated
                }
                None => false,
            };
            if step {
                t += 1;
                n += 1;
            } else if let Some((st, sn)) = star {
                t = st + 1;
                n = sn + 1;
                star = Some((st, sn + 1));
            } else {
                return false;
            }
        }
        self.tokens[t..].iter().all(|k| *k == Token::Any)
    }
}

/// A class after its `[`: the token and how many characters it used, `]` included; `None`
/// when it does not close.
fn class(chars: &[char]) -> Option<(Token, usize)> {
    let mut i = 0;
    let negated = matches!(chars.first(), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let start = i;
    while i < chars.len() {
        let c = chars[i];
        // A `]` first in the class is one of its characters.
        if c == ']' && i > start {
            return Some((Token::Class(ranges, negated), i + 1));
        }
        if i + 2 < chars.len() && chars[i + 1] == '-' && chars[i + 2] != ']' {
            ranges.push((c, chars[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    None
}

/// The patterns `{a,b}` alternatives stand for, nested ones too; a brace without a comma or
/// without its closing brace is itself.
fn alternatives(pattern: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut todo = vec![pattern.to_string()];
    while let Some(p) = todo.pop() {
        match first_alternation(&p) {
            None => out.push(p),
            Some((open, close, commas)) => {
                let mut cuts = vec![open];
                cuts.extend(&commas);
                cuts.push(close);
                for w in cuts.windows(2) {
                    todo.push(format!(
                        "{}{}{}",
                        &p[..open],
                        &p[w[0] + 1..w[1]],
                        &p[close + 1..]
                    ));
                }
            }
        }
        if out.len() + todo.len() > MAX_ALTERNATIVES {
            return Err(format!(
                "its {{a,b}} alternatives make more than {MAX_ALTERNATIVES} patterns"
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The first `{...}` holding a comma at its own level: where it opens, closes, and its commas.
fn first_alternation(p: &str) -> Option<(usize, usize, Vec<usize>)> {
    let bytes = p.as_bytes();
    for (open, _) in p.match_indices('{') {
        let mut depth = 0;
        let mut commas = Vec::new();
        for (k, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if !commas.is_empty() {
                            return Some((open, k, commas));
                        }
                        break;
                    }
                }
                b',' if depth == 1 => commas.push(k),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wild(p: &str, name: &str) -> bool {
        Wild::new(p).matches(name)
    }

    #[test]
    fn wildcards_match_within_a_name() {
        assert!(wild("*.yaml", "catalog-info.yaml"));
        assert!(!wild("*.yaml", "catalog-info.yml"));
        assert!(wild("c?t", "cat") && !wild("c?t", "ct"));
        assert!(wild("*a*b*", "xaxxbx") && !wild("*a*b*", "xbxa"));
        assert!(wild("[a-c]x", "bx") && !wild("[a-c]x", "dx"));
        assert!(wild("[!a-c]x", "dx") && !wild("[^a-c]x", "bx"));
        assert!(wild("[]]", "]") && wild("a[", "a["));
        assert!(wild("\\*", "*") && !wild("\\*", "x"));
        // Hidden names only for a part that starts with a dot.
        assert!(!wild("*", ".git") && wild(".*", ".git"));
    }

    #[test]
    fn alternatives_expand_nested_and_leave_the_rest() {
        assert_eq!(
            alternatives("a/{b,c{d,e}}/f").unwrap(),
            ["a/b/f", "a/cd/f", "a/ce/f"]
        );
        assert_eq!(alternatives("{x}/{y").unwrap(), ["{x}/{y"]);
        let bomb = "{a,b}".repeat(12);
        assert!(alternatives(&bomb).unwrap_err().contains("more than"));
    }
}
