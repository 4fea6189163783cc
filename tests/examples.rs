//! Every `nines` command a user is shown runs as shown, and prints what the docs say it prints.
//!
//! Where the commands come from:
//! - README.md and docs/*.md (docs/dev/ holds development notes and is not read):
//!   - in a code block tagged `sh`, `bash`, `shell`, `console` or untagged, every line that starts
//!     with `nines ` (or `cargo run --release -- `, run as `nines `) is a command;
//!   - in any code block but `yaml`, `json`, `toml`, `xml` and `mermaid` (those show files, not
//!     terminals), a line starting with `$ ` is a command — whatever the program, so that a
//!     transcript may prepare files with `git` or `sed` — and the lines after it, up to the next
//!     `$ ` line or the end of the block, are its expected output;
//!   - in prose, an inline `` `nines …` `` span with arguments (a bare `nines eval` only names a
//!     command).
//! - `nines --help` and `nines <command> --help` for every command, got by running the binary:
//!   the lines of the `Examples:` section that start with `nines ` (or `git ` or `cd `, which
//!   prepare the next ones), one group per help text. The command ends where two spaces do (what
//!   follows is a note).
//!
//! How they run: with `sh -c` (so pipes and redirects work), the binary first on PATH as `nines`,
//! `NO_COLOR=1`, in a fresh temporary directory holding a copy of the repository's models/ (so an
//! example may write files). The commands of one code block (or help text) run in order in the
//! same directory; every inline command gets its own. A `cd DIR` line moves the rest of its group
//! into DIR. `HOME` is the directory and `GITHUB_STEP_SUMMARY` a file in it. When a block uses `git`, the directory is a repository with
//! the models committed and `origin/main` pointing at that commit.
//!
//! What they must do:
//! - exit with the code stated on their line — `# exit N` or `(exit N…` after the command — or 0;
//! - where output is shown, print it: stdout then stderr, compared line by line with trailing
//!   spaces and leading/trailing blank lines dropped; a line `...` stands for any number of lines.
//!
//! What is skipped, each with the reason printed: synopses naming a placeholder (`MODEL`, `FILE`,
//! … in [`PLACEHOLDERS`]), the commands in [`NOT_RUNNABLE`], and commands whose external tool
//! (`dot`, `git`, `jq`) is not installed. The test prints every command it ran and fails listing
//! every command that failed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// Upper-case words that stand for the user's own input in a synopsis.
const PLACEHOLDERS: &[&str] = &[
    "MODEL",
    "FILE",
    "FILE...",
    "DIR",
    "COMPONENT",
    "AVAILABILITY",
    "SHELL",
    "NAME",
    "NINES",
    "OLD",
    "NEW",
    "TREE",
    "COMMAND",
];

/// Commands shown that cannot run here, each with the reason.
const NOT_RUNNABLE: &[(&str, &str)] = &[(
    "nines eval store.yaml",
    "shows the error for a misspelled key in a model the reader imagines",
)];

/// External programs an example may call, skipped when absent.
const TOOLS: &[&str] = &["dot", "git", "jq"];

/// A command found in the docs or a help text.
#[derive(Debug, Clone)]
struct Example {
    /// Where it was found: `docs/ci.md:42` or `nines check --help`.
    origin: String,
    command: String,
    exit: i32,
    /// The expected output, when shown.
    output: Option<Vec<String>>,
}

/// Commands that run in order in one directory.
#[derive(Debug, Default)]
struct Group {
    examples: Vec<Example>,
}

/// The expected exit code stated after a command: `# exit N` or `(exit N`.
fn stated_exit(line: &str) -> i32 {
    let mut rest = line;
    while let Some(at) = rest.find("exit ") {
        let before = rest[..at].trim_end();
        let digit = rest[at + 5..].chars().next();
        if (before.ends_with('#') || before.ends_with('('))
            && let Some(d) = digit.and_then(|c| c.to_digit(10))
        {
            return d as i32;
        }
        rest = &rest[at + 5..];
    }
    0
}

/// The command on a line, without a trailing `# comment` (a `#` after a space, outside quotes).
fn strip_comment(line: &str) -> String {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => {
                return line[..i].trim_end().to_string();
            }
            _ => {}
        }
        prev = c;
    }
    line.trim_end().to_string()
}

/// `cargo run --release -- ARGS` is how the README runs nines before it is installed.
fn as_nines(line: &str) -> Option<String> {
    let line = line.trim();
    for prefix in [
        "cargo run --release -- ",
        "cargo run --locked --release -- ",
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return Some(format!("nines {rest}"));
        }
    }
    line.starts_with("nines ").then(|| line.to_string())
}

fn markdown_examples(
    path: &Path,
    name: &str,
    commands: &[Vec<String>],
) -> (Vec<Group>, Vec<Example>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let (mut groups, mut inline) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some(tag) = trimmed.strip_prefix("```") {
            let tag = tag.trim().to_string();
            let start = i + 1;
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                i += 1;
            }
            groups.push(block_examples(
                name,
                &tag,
                start,
                &lines[start..i.min(lines.len())],
            ));
            i += 1;
            continue;
        }
        inline.extend(inline_examples(name, i + 1, lines[i], commands));
        i += 1;
    }
    (groups, inline)
}

fn block_examples(name: &str, tag: &str, first_line: usize, body: &[&str]) -> Group {
    let mut group = Group::default();
    if matches!(tag, "yaml" | "json" | "toml" | "xml" | "mermaid") {
        return group;
    }
    let shell = matches!(tag, "" | "sh" | "bash" | "shell" | "console");
    let has_prompt = body.iter().any(|l| l.starts_with("$ "));
    let mut i = 0;
    while i < body.len() {
        let origin = format!("{name}:{}", first_line + i + 1);
        if has_prompt {
            if let Some(cmd) = body[i].strip_prefix("$ ") {
                let mut output = Vec::new();
                let mut j = i + 1;
                while j < body.len() && !body[j].starts_with("$ ") {
                    output.push(body[j].to_string());
                    j += 1;
                }
                group.examples.push(Example {
                    origin,
                    command: strip_comment(cmd),
                    exit: stated_exit(cmd),
                    output: Some(output),
                });
                i = j;
                continue;
            }
        } else if shell {
            let mut line = body[i].to_string();
            while line.ends_with('\\') && i + 1 < body.len() {
                line.pop();
                i += 1;
                line.push_str(body[i].trim_start());
            }
            if let Some(cmd) = as_nines(&line).or_else(|| line.starts_with("cd ").then_some(line)) {
                group.examples.push(Example {
                    origin,
                    command: strip_comment(&cmd),
                    exit: stated_exit(&cmd),
                    output: None,
                });
            }
        }
        i += 1;
    }
    group
}

fn inline_examples(
    name: &str,
    line_no: usize,
    line: &str,
    commands: &[Vec<String>],
) -> Vec<Example> {
    let mut found = Vec::new();
    let parts: Vec<&str> = line.split('`').collect();
    // Odd pieces are inside backticks (double backticks are not used for commands).
    for (k, span) in parts.iter().enumerate() {
        if k % 2 == 1 && k + 1 < parts.len() && span.starts_with("nines ") {
            let words: Vec<String> = span.split_whitespace().skip(1).map(String::from).collect();
            // `nines import open-psa` names a command; it is not an example.
            if !commands.contains(&words) {
                found.push(Example {
                    origin: format!("{name}:{line_no}"),
                    command: span.to_string(),
                    exit: stated_exit(parts.get(k + 1).copied().unwrap_or("")),
                    output: None,
                });
            }
        }
    }
    found
}

/// The commands there are (`["import", "open-psa"]`, …), read from `nines --help` and below.
fn command_paths() -> Vec<Vec<String>> {
    let commands = |text: &str| -> Vec<String> {
        let mut names = Vec::new();
        let mut in_commands = false;
        for line in text.lines() {
            if line.starts_with("Commands:") {
                in_commands = true;
            } else if in_commands {
                match line.split_whitespace().next() {
                    // Wrapped descriptions are indented further than the names.
                    Some(word)
                        if line.starts_with("  ") && !line.starts_with("   ") && word != "help" =>
                    {
                        names.push(word.to_string())
                    }
                    Some(_) => {}
                    None => in_commands = false,
                }
            }
        }
        names
    };
    let mut paths: Vec<Vec<String>> = vec![vec![]];
    let mut k = 0;
    while k < paths.len() {
        let path = paths[k].clone();
        for sub in commands(&help(&path)) {
            let mut deeper = path.clone();
            deeper.push(sub);
            paths.push(deeper);
        }
        k += 1;
    }
    paths
}

fn help(path: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(path)
        .arg("--help")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "nines {path:?} --help failed");
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

/// The examples of `nines --help` and of every `nines <command> --help`: the lines of their
/// `Examples:` section that start with `nines ` (or `git `, which prepares a file), one group per
/// help text.
fn help_examples(paths: &[Vec<String>]) -> Vec<Group> {
    let mut groups = Vec::new();
    for path in paths {
        let origin = if path.is_empty() {
            "nines --help".to_string()
        } else {
            format!("nines {} --help", path.join(" "))
        };
        let mut group = Group::default();
        let mut in_examples = false;
        for line in help(path).lines() {
            if line.trim_end().ends_with("Examples:") {
                in_examples = true;
                continue;
            }
            let line = line.trim_start();
            let runs = ["nines ", "git ", "cd "]
                .iter()
                .any(|p| line.starts_with(p));
            if !in_examples || !runs {
                continue;
            }
            let (cmd, note) = line.split_once("  ").unwrap_or((line, ""));
            group.examples.push(Example {
                origin: origin.clone(),
                command: strip_comment(cmd),
                exit: stated_exit(note).max(stated_exit(cmd)),
                output: None,
            });
        }
        groups.push(group);
    }
    groups
}

/// Why an example cannot run here, if it cannot.
fn skip_reason(command: &str) -> Option<String> {
    if let Some((_, why)) = NOT_RUNNABLE.iter().find(|(c, _)| *c == command) {
        return Some(why.to_string());
    }
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == '=' || c == ',')
        .collect();
    if let Some(p) = words.iter().find(|w| PLACEHOLDERS.contains(w)) {
        return Some(format!("a synopsis: {p} is a placeholder"));
    }
    for tool in TOOLS {
        let used = command
            .split(['|', ';', '&'])
            .any(|part| part.split_whitespace().next() == Some(tool));
        if used && !tool_installed(tool) {
            return Some(format!("{tool} is not installed"));
        }
    }
    None
}

fn tool_installed(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A fresh directory with a copy of models/ (and of its sub-directories).
fn scratch(with_git: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&repo_path("models"), &dir.path().join("models"));
    if with_git {
        let script = "git init -q && git add -A && \
            git -c user.name=examples -c user.email=examples@localhost commit -qm models && \
            git update-ref refs/remotes/origin/main HEAD";
        let ok = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "could not make {} a git repository",
            dir.path().display()
        );
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory can be made");
    for entry in std::fs::read_dir(from).expect("models/ is readable") {
        let path = entry.expect("a directory entry").path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a model can be copied");
        }
    }
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, command: &str) -> Outcome {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nines"));
    let bin_dir = bin.parent().expect("the binary is in a directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let (out, err) = (dir.join(".nines-stdout"), dir.join(".nines-stderr"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(dirs).expect("a valid PATH"))
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GITHUB_STEP_SUMMARY", dir.join("step-summary.md"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("a file for stdout"))
        .stderr(std::fs::File::create(&err).expect("a file for stderr"))
        .spawn()
        .expect("sh runs");
    // A generous limit: an example that takes this long in a test build is too slow to show.
    let deadline = Instant::now() + Duration::from_secs(120);
    let code = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        code,
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    }
}

fn trimmed(lines: &[String]) -> Vec<String> {
    let mut v: Vec<String> = lines.iter().map(|l| l.trim_end().to_string()).collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    let first = v.iter().position(|l| !l.is_empty()).unwrap_or(v.len());
    v.split_off(first)
}

/// `actual` matches `expected`, where an expected line `...` matches any run of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a == first && matches(rest, more)),
    }
}

fn check(example: &Example, dir: &Path) -> Result<(), String> {
    let outcome = run_in(dir, &example.command);
    let mut problems = Vec::new();
    match outcome.code {
        None => problems.push("did not finish in 120 s (or was killed)".to_string()),
        Some(code) if code != example.exit => problems.push(format!(
            "exit {code}, expected {}; stderr:\n{}",
            example.exit,
            indent(&outcome.stderr)
        )),
        Some(_) => {}
    }
    if let Some(expected) = &example.output {
        let expected = trimmed(expected);
        let all = format!("{}{}", outcome.stdout, outcome.stderr);
        let actual = trimmed(&all.lines().map(str::to_string).collect::<Vec<_>>());
        if !expected.is_empty() && !matches(&expected, &actual) {
            problems.push(format!(
                "output differs; expected:\n{}\n  got:\n{}",
                indent(&expected.join("\n")),
                indent(&actual.join("\n"))
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn doc_files() -> Vec<(PathBuf, String)> {
    let mut files = vec![(repo_path("README.md"), "README.md".to_string())];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo_path("docs"))
        .expect("docs/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    for path in docs {
        let name = format!(
            "docs/{}",
            path.file_name().expect("a file name").to_string_lossy()
        );
        files.push((path, name));
    }
    files
}

#[test]
fn every_example_runs_as_shown() {
    let commands = command_paths();
    let mut groups = Vec::new();
    for (path, name) in doc_files() {
        let (blocks, inline) = markdown_examples(&path, &name, &commands);
        groups.extend(blocks.into_iter().filter(|g| !g.examples.is_empty()));
        groups.extend(inline.into_iter().map(|e| Group { examples: vec![e] }));
    }
    groups.extend(help_examples(&commands));
    let only = std::env::var("NINES_EXAMPLES_ONLY").ok();

    let (mut ran, mut failures, mut skipped) = (0, Vec::new(), 0);
    for group in &groups {
        if let Some(only) = &only
            && !group
                .examples
                .iter()
                .any(|e| e.origin.contains(only.as_str()))
        {
            continue;
        }
        let uses_git = group.examples.iter().any(|e| {
            e.command
                .split(['|', ';', '&'])
                .any(|p| p.split_whitespace().next() == Some("git"))
        });
        let dir = scratch(uses_git && tool_installed("git"));
        let mut cwd = dir.path().to_path_buf();
        for example in &group.examples {
            // `cd DIR` moves the rest of the group, as it would in the user's shell.
            if let Some(to) = example.command.strip_prefix("cd ") {
                cwd = cwd.join(to.trim());
                assert!(cwd.is_dir(), "{}: no directory {to}", example.origin);
                continue;
            }
            if let Some(why) = skip_reason(&example.command) {
                println!("skip {}: {}  ({why})", example.origin, example.command);
                skipped += 1;
                continue;
            }
            ran += 1;
            match check(example, &cwd) {
                Ok(()) => println!("ok   {}: {}", example.origin, example.command),
                Err(why) => {
                    println!("FAIL {}: {}", example.origin, example.command);
                    failures.push(format!("{}: {}\n  {why}", example.origin, example.command));
                }
            }
        }
    }
    println!(
        "{ran} examples ran, {skipped} skipped, {} failed",
        failures.len()
    );
    assert!(ran > 0, "no example found");
    assert!(
        failures.is_empty(),
        "{} of {ran} examples failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
