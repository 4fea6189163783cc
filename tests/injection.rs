//! Nothing a model or a file name says reaches an output as code: every format nines writes is
//! read back by its own rules, and a model whose names are built to break out (directives,
//! quotes, brackets, arrows, workflow commands, markup, CDATA ends) adds no node, edge,
//! directive, element or command to it.

use std::path::Path;

use crate::util::*;

/// Every name is valid (printable, no control character) and each aims at one format.
const HOSTILE: &str = r#"name: "evil\"] --> x[\"%%{init: {'theme':'dark'}}%%"
components:
  "%%{init: {'theme':'forest'}}%%":
    availability: 99%
  'a"] --> b["c':
    availability: 99%
    depends_on: ["%%{init: {'theme':'forest'}}%%"]
  "`md` ]]> <script>alert(1)</script>":
    availability: 90%
    slo: 99.99%
    depends_on: ['a"] --> b["c']
  "::error::forged":
    availability: 50%
    slo: 99%
    depends_on: ["`md` ]]> <script>alert(1)</script>"]
  'x;y|z{w}(v) #35; &amp; \ " -> c9; }':
    availability: 50%
    depends_on: ["::error::forged", { component: "%%{init: {'theme':'forest'}}%%", on_failure: degrade }]
"#;

const NAMES: [&str; 5] = [
    "%%{init: {'theme':'forest'}}%%",
    "a\"] --> b[\"c",
    "`md` ]]> <script>alert(1)</script>",
    "::error::forged",
    "x;y|z{w}(v) #35; &amp; \\ \" -> c9; }",
];
/// The model's edges, from dependent to dependency, by index in `NAMES`.
const EDGES: [(usize, usize); 5] = [(1, 0), (2, 1), (3, 2), (4, 3), (4, 0)];

fn hostile(dir: &tempfile::TempDir) -> std::path::PathBuf {
    write_model(dir, "hostile.yaml", HOSTILE)
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = nines().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// No byte that acts on a terminal or a CI log: C0 controls but the line break and tab, DEL,
/// and the invisible characters that reorder or hide text.
fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let control = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!control, "{what} holds {c:?}:\n{text}");
    }
}

/// Mermaid: ids generated, labels in quotes with entities; read back line by line.
type Labels = Vec<(usize, String)>;

fn mermaid_parts(text: &str) -> (Labels, Vec<(usize, usize)>) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart TD"));
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    let id = |t: &str| -> usize {
        t.strip_prefix('c')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("node id `{t}`"))
    };
    for line in lines {
        let line = line.strip_prefix("  ").expect("statements are indented");
        let head: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let rest = &line[head.len()..];
        if let Some(label) =
            (rest.strip_prefix("[\"").and_then(|r| r.strip_suffix("\"]"))).or_else(|| {
                rest.strip_prefix("[/\"")
                    .and_then(|r| r.strip_suffix("\"/]"))
            })
        {
            // One quoted label: no quote inside, no directive, nothing Mermaid reads as code.
            for bad in ['"', '`', '<', '>', '\\'] {
                assert!(!label.contains(bad), "{bad} in label `{label}`");
            }
            assert!(!label.contains("%%"), "{label}");
            nodes.push((id(&head), label.to_string()));
            continue;
        }
        let rest = rest.trim_start();
        let rest = (rest.strip_prefix("-->"))
            .or_else(|| rest.strip_prefix("-.->"))
            .unwrap_or_else(|| panic!("neither node nor edge: `{line}`"));
        let to = match rest.strip_prefix("|\"") {
            Some(r) => {
                let (label, to) = r.split_once("\"| ").expect("a closed edge label");
                assert!(!label.contains('"') && !label.contains("%%"), "{label}");
                to
            }
            None => rest.trim_start(),
        };
        edges.push((id(&head), id(to)));
    }
    (nodes, edges)
}

/// Mermaid's entities, undone.
fn mermaid_text(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("an entity ends") + i;
        let code = &rest[i + 1..end];
        out.push(match code {
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            n => char::from_u32(n.parse().expect("a numeric entity")).unwrap(),
        });
        rest = &rest[end + 1..];
    }
    out + rest
}

#[test]
fn mermaid_graph_has_the_models_nodes_and_edges_only() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["graph", s(&hostile(&dir))]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("%%"), "a directive or comment:\n{out}");
    let (nodes, mut edges) = mermaid_parts(&out);
    let labels: Vec<String> = nodes.iter().map(|(_, l)| mermaid_text(l)).collect();
    assert_eq!(nodes.len(), NAMES.len(), "{out}");
    for (i, name) in NAMES.iter().enumerate() {
        assert_eq!(nodes[i].0, i);
        assert!(labels[i].starts_with(name), "{} is not {name}", labels[i]);
    }
    edges.sort_unstable();
    let mut expected = EDGES.to_vec();
    expected.sort_unstable();
    assert_eq!(edges, expected, "{out}");
}

/// DOT tokens: identifiers, quoted strings (with `\"` and `\\`), and punctuation.
fn dot_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' => {
                let mut s = String::from("\"");
                loop {
                    match chars.next().expect("a closed string") {
                        '\\' => {
                            let e = chars.next().expect("an escaped character");
                            assert!(matches!(e, '"' | '\\'), "escape \\{e}");
                            s.push(e);
                        }
                        '"' => break,
                        c => s.push(c),
                    }
                }
                tokens.push(s);
            }
            '-' if chars.peek() == Some(&'>') => {
                chars.next();
                tokens.push("->".into());
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut s = c.to_string();
                while let Some(&d) = chars
                    .peek()
                    .filter(|d| d.is_ascii_alphanumeric() || **d == '_')
                {
                    s.push(d);
                    chars.next();
                }
                tokens.push(s);
            }
            c => tokens.push(c.to_string()),
        }
    }
    tokens
}

#[test]
fn dot_graph_has_the_models_nodes_and_edges_only() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["graph", s(&hostile(&dir)), "--format", "dot"]);
    assert_eq!(code, Some(0), "{err}");
    let t = dot_tokens(&out);
    assert_eq!(t[0], "digraph");
    assert_eq!(t[1], "\"evil\"] --> x[\"%%{init: {'theme':'dark'}}%%");
    assert_eq!(t[2], "{");
    assert_eq!(t.last().map(String::as_str), Some("}"));
    // Statements between the braces: `cN [ ... ] ;` and `cA -> cB [ ... ] ;`, attributes
    // `key = value` pairs.
    let body = &t[3..t.len() - 1];
    let (mut labels, mut edges) = (Vec::new(), Vec::new());
    for stmt in body.split(|x| x == ";") {
        if stmt.is_empty() || matches!(stmt[0].as_str(), "rankdir" | "node") {
            continue;
        }
        let id = |x: &String| -> usize { x.strip_prefix('c').unwrap().parse().unwrap() };
        let attrs = match stmt.get(1).map(String::as_str) {
            Some("->") => {
                edges.push((id(&stmt[0]), id(&stmt[2])));
                &stmt[3..]
            }
            _ => {
                let label_at = stmt.iter().position(|x| x == "label").expect("a label");
                labels.push((id(&stmt[0]), stmt[label_at + 2].clone()));
                &stmt[1..]
            }
        };
        if !attrs.is_empty() {
            assert_eq!(attrs[0], "[");
            assert_eq!(attrs.last().unwrap(), "]");
            for pair in attrs[1..attrs.len() - 1].split(|x| x == ",") {
                assert_eq!(pair.len(), 3, "{pair:?}");
                assert_eq!(pair[1], "=");
            }
        }
    }
    assert_eq!(labels.len(), NAMES.len(), "{out}");
    for (i, name) in NAMES.iter().enumerate() {
        assert_eq!(labels[i].0, i);
        assert!(
            labels[i].1.starts_with(&format!("\"{name}")),
            "{:?}",
            labels[i]
        );
    }
    edges.sort_unstable();
    let mut expected = EDGES.to_vec();
    expected.sort_unstable();
    assert_eq!(edges, expected, "{out}");
}

#[test]
fn terminal_tables_print_names_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = hostile(&dir);
    for args in [
        vec!["eval", s(&model)],
        vec!["check", s(&model)],
        vec!["lint", s(&model)],
        vec!["explain", s(&model), "::error::forged"],
    ] {
        let (code, out, err) = run(&args);
        assert!(matches!(code, Some(0 | 1)), "{args:?}: {err}");
        assert_inert("stdout", &out);
        // A workflow command must start its line; a name never does.
        assert!(
            !out.lines().chain(err.lines()).any(|l| l.starts_with("::")),
            "{args:?}:\n{out}"
        );
    }
}

/// A file name may hold anything but `/` and NUL: escape sequences (clear the screen, set the
/// window title), a bell, and a line break followed by a workflow command.
const FILE_NAME: &str = "m\u{1b}[2J\n::error::forged\u{1b}]0;t\u{7}\r\u{202e}.yaml";

#[test]
fn file_names_in_errors_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_model(&dir, FILE_NAME, "components:\n  a: { availability: 2 }\n");
    for args in [
        vec!["eval", s(&bad)],
        vec!["check", s(&bad)],
        vec!["lint", s(&bad)],
        vec!["graph", s(&bad)],
        vec!["report", s(&bad), "-o", s(dir.path())],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_inert("stderr", &err);
        assert_inert("stdout", &out);
        assert!(
            !err.lines().any(|l| l.starts_with("::")),
            "{args:?}: a forged workflow command:\n{err}"
        );
        // The name is still there to read, written out.
        assert!(err.contains("\\u{1b}[2J\\u{a}::error::forged"), "{err}");
    }
}

#[test]
fn github_annotations_are_one_command_each() {
    let dir = tempfile::tempdir().unwrap();
    let model = hostile(&dir);
    let bad = write_model(&dir, FILE_NAME, "components:\n  a: { availability: 2 }\n");
    for args in [
        vec!["check", s(&model), "--format", "github"],
        vec!["lint", s(&model), "--format", "github"],
        vec!["check", s(&bad), "--format", "github"],
        vec!["lint", s(&bad), "--format", "github"],
    ] {
        let (code, out, err) = run(&args);
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {err}");
        assert_inert("annotations", &out);
        assert!(!out.is_empty(), "{args:?}: no annotation");
        // Lines that do not start with `::` are plain log lines (a summary).
        for line in out.lines().filter(|l| l.starts_with("::")) {
            // `::level props::message`: one `::` pair ends the properties, and the properties
            // are `key=value` pairs whose values hold no `:` or `,` of their own.
            let rest = &line[2..];
            let (level, rest) = rest.split_once(' ').unwrap();
            assert!(matches!(level, "error" | "warning" | "notice"), "{line}");
            let (props, _message) = rest.split_once("::").unwrap();
            for prop in props.split(',') {
                let (key, value) = prop.split_once('=').unwrap_or_else(|| panic!("{prop}"));
                assert!(matches!(key, "file" | "line" | "col" | "title"), "{line}");
                assert!(!value.contains(':'), "{line}");
            }
        }
    }
    // The forged name is a message, inside the one command about it.
    let (_, out, _) = run(&["check", s(&model), "--format", "github"]);
    assert!(out.contains("::error::forged"), "{out}");
    assert!(
        out.lines().all(|l| !l.starts_with("::error::forged")),
        "{out}"
    );
}

#[test]
fn junit_holds_one_case_per_slo_with_the_names_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["check", s(&hostile(&dir)), "--format", "junit"]);
    assert_eq!(code, Some(1), "{err}");
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // The two components with an slo, by their names exactly: nothing added, nothing cut.
    let names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert_eq!(cases.len(), 2, "{out}");
    assert!(names.iter().any(|n| n.contains(NAMES[2])), "{names:?}");
    assert!(names.iter().any(|n| n.contains(NAMES[3])), "{names:?}");
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
}

#[test]
fn sarif_carries_names_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = hostile(&dir);
    let (code, out, err) = run(&["lint", s(&model), "--format", "sarif"]);
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let (_, json, _) = run(&["lint", s(&model), "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        findings["findings"].as_array().unwrap().len(),
        "one result per finding"
    );
    let messages: String = results
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(messages.contains(NAMES[2]), "{messages}");
}

#[test]
fn report_pages_hold_names_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = hostile(&dir);
    let out_dir = dir.path().join("review");
    let (code, _, err) = run(&["report", s(&model), "-o", s(&out_dir)]);
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "a script tag"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Each drawing is an SVG of its own: read it as XML, it holds the names as text only.
    let mut svgs = 0;
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        let svg = &rest[start..end];
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
        svgs += 1;
        rest = &rest[end..];
    }
    assert!(svgs > 0);
    // The graph drawing holds every component, its name as text.
    assert!(html.matches("<g class=\"node").count() >= NAMES.len());
    assert!(html.contains("a&quot;] --&gt; b[&quot;c"));
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    let (_, block) = md.split_once("```mermaid\n").expect("a Mermaid block");
    let (mermaid, _) = block.split_once("```\n").expect("a closed block");
    let (nodes, edges) = mermaid_parts(mermaid);
    assert_eq!(nodes.len(), NAMES.len(), "{mermaid}");
    assert_eq!(edges.len(), EDGES.len(), "{mermaid}");
    assert!(!mermaid.contains("%%"), "{mermaid}");
}
