//! Arbitrary command lines for the commands that read files, run in-process on scratch files.
//!
//! The input is a model file and arguments: the bytes up to the first NUL are the model, and the
//! rest, split at NULs, are the arguments after `nines`. Two names stand for the scratch files:
//! `@m` for the model (written as YAML, TOML or JSON, after the first argument's last letter),
//! `@x` for a small Open-PSA file. Whatever the arguments, the command must end with an exit
//! code and never a panic. It runs in a temporary folder, and an argument holding `/` or `..`
//! is dropped, so every file it writes lands there. Numbers are kept to three digits, so that
//! `--runs` and `--samples` stay small and one input costs milliseconds.

#![no_main]

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

// The command-line code lives in the binary; it is compiled into the target as it is.
#[allow(dead_code, unused_imports)]
#[path = "../../src/cli/mod.rs"]
mod cli;

const XML: &str = r#"<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="t">
    <define-gate name="top"><or><basic-event name="a"/><gate name="g"/></or></define-gate>
    <define-gate name="g"><and><basic-event name="a"/><basic-event name="b"/></and></define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.01"/></define-basic-event>
    <define-basic-event name="b"><float value="0.2"/></define-basic-event>
  </model-data>
</opsa-mef>
"#;

/// The scratch folder, made once and made the working directory.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nines-fuzz-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        std::env::set_current_dir(&dir).expect("the scratch folder is usable");
        std::fs::write(dir.join("x.xml"), XML).expect("scratch files can be written");
        dir
    })
}

/// Digits beyond three in a row are dropped: `--runs 99999999` becomes `--runs 999`.
fn small_numbers(arg: &str) -> String {
    let mut out = String::new();
    let mut run = 0;
    for c in arg.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run <= 3 {
            out.push(c);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    let mut parts = data.split(|&b| b == 0);
    let model = parts.next().unwrap_or_default();
    let args: Vec<String> = parts
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|a| !a.contains('/') && !a.contains(".."))
        .map(small_numbers)
        .take(16)
        .collect();
    let Some(command) = args.first() else {
        return;
    };
    // Commands that write no file and read none: nothing for this target to find.
    if matches!(command.as_str(), "completions" | "schema" | "help") {
        return;
    }
    let ext = match command.bytes().last() {
        Some(b) if b % 3 == 0 => "toml",
        Some(b) if b % 3 == 1 => "json",
        _ => "yaml",
    };
    let model_path = dir.join(format!("m.{ext}"));
    if std::fs::write(&model_path, model).is_err() {
        return;
    }
    let argv = std::iter::once(OsString::from("nines")).chain(args.iter().map(|a| match a.as_str() {
        "@m" => model_path.clone().into_os_string(),
        "@x" => dir.join("x.xml").into_os_string(),
        _ => OsString::from(a),
    }));
    let _ = cli::run(argv);
});
