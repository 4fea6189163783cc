//! The GitHub Action (`action.yml`): its shape, and its steps run as a runner would run them,
//! with the GitHub environment (`GITHUB_PATH`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`) pointed at
//! temporary files. `cargo` is replaced by a stand-in that records how it was called and installs
//! the `nines` these tests built, so the steps run in seconds; `.ci/run` does the real
//! `cargo install`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::export::to_json;
use crate::util::*;

fn action() -> Value {
    let text = std::fs::read_to_string(repo_path("action.yml")).unwrap();
    let node = nines::model::tree::from_yaml(&text).unwrap_or_else(|e| panic!("{}", e.message));
    to_json(&node)
}

#[test]
fn the_action_is_composite_with_models_args_and_version() {
    let a = action();
    assert!(a["name"].is_string() && a["description"].is_string());
    for input in ["models", "args", "version"] {
        assert!(a["inputs"][input]["description"].is_string(), "{input}");
        assert_eq!(a["inputs"][input]["required"], false, "{input}");
    }
    assert_eq!(a["runs"]["using"], "composite");
    let steps = a["runs"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    for step in steps {
        // Composite steps must name their shell.
        assert_eq!(step["shell"], "bash");
        let run = step["run"].as_str().unwrap();
        // Inputs go through `env`, so a crafted input cannot become script.
        assert!(!run.contains("${{"), "{run}");
    }
    let check = steps[1]["run"].as_str().unwrap();
    assert!(check.contains("nines check $NINES_MODELS $NINES_ARGS --format github"));
    assert!(check.contains("--format markdown >> \"$GITHUB_STEP_SUMMARY\""));
}

/// A step's `env` with the `${{ }}` expressions a runner would fill in; any other expression
/// fails the test, so the action uses nothing this test does not stand in for.
fn step_env(
    step: &Value,
    inputs: &HashMap<&str, &str>,
    github: &HashMap<&str, String>,
) -> Vec<(String, String)> {
    let defaults = action()["inputs"].clone();
    let mut env = Vec::new();
    for (k, v) in step["env"].as_object().into_iter().flatten() {
        let mut text = v.as_str().unwrap().to_string();
        while let Some(start) = text.find("${{") {
            let end = start + text[start..].find("}}").unwrap() + 2;
            let expr = text[start + 3..end - 2].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                inputs
                    .get(name)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| defaults[name]["default"].as_str().unwrap().to_string())
            } else if let Some(name) = expr.strip_prefix("github.") {
                github
                    .get(name)
                    .unwrap_or_else(|| panic!("github.{name}"))
                    .clone()
            } else {
                panic!("an expression the test does not know: {expr}");
            };
            text.replace_range(start..end, &value);
        }
        env.push((k.clone(), text));
    }
    env
}

/// Runs every step of the action in `dir`, in order, as a runner would: (exit code of the last
/// step run, its stdout, the summary written, the stand-in cargo's log).
fn run_action(dir: &Path, inputs: &[(&str, &str)]) -> (i32, String, String, String) {
    let inputs: HashMap<&str, &str> = inputs.iter().copied().collect();
    let github: HashMap<&str, String> = [
        ("action_path", repo_path("").display().to_string()),
        ("server_url", "https://github.com".to_string()),
        ("action_repository", "example/nines".to_string()),
    ]
    .into_iter()
    .collect();
    let stand_in = dir.join("stand-in");
    std::fs::create_dir_all(&stand_in).unwrap();
    let log = dir.join("cargo.log");
    let built = assert_cmd::cargo::cargo_bin("nines");
    std::fs::write(
        stand_in.join("cargo"),
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nroot=''\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && ln -sf '{}' \"$root/bin/nines\"\n",
            log.display(),
            built.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            stand_in.join("cargo"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let github_path = dir.join("github_path");
    let summary = dir.join("summary.md");
    let runner_temp = dir.join("runner_temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    std::fs::write(&github_path, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    // The runner's PATH: the stand-in cargo and the system, never a nines of the machine's.
    let mut path = format!("{}:/usr/bin:/bin", stand_in.display());
    let (mut code, mut stdout) = (0, String::new());
    for step in action()["runs"]["steps"].as_array().unwrap() {
        // Lines added to GITHUB_PATH by earlier steps come first, as on a runner.
        for added in std::fs::read_to_string(&github_path).unwrap().lines() {
            if !path.split(':').any(|p| p == added) {
                path = format!("{added}:{path}");
            }
        }
        let out = Process::new("bash")
            .arg("-c")
            .arg(step["run"].as_str().unwrap())
            .current_dir(dir)
            .env_clear()
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("RUNNER_TEMP", &runner_temp)
            .envs(step_env(step, &inputs, &github))
            .output()
            .unwrap();
        code = out.status.code().unwrap_or(-1);
        stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if code != 0 {
            stdout += &String::from_utf8_lossy(&out.stderr);
            break;
        }
    }
    (
        code,
        stdout,
        std::fs::read_to_string(&summary).unwrap(),
        std::fs::read_to_string(&log).unwrap_or_default(),
    )
}

#[test]
fn the_actions_steps_install_check_annotate_and_summarise() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("models")).unwrap();
    std::fs::copy(
        repo_path("models/online-store.yaml"),
        dir.path().join("models/online-store.yaml"),
    )
    .unwrap();
    // Passing: installed from the action's own checkout, the summary written, exit 0.
    let (code, out, summary, log) = run_action(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        log.starts_with(&format!(
            "install --locked --path {} --root ",
            repo_path("").display()
        )),
        "{log}"
    );
    assert!(summary.contains("online-store"), "{summary}");
    assert!(summary.contains('✅'), "{summary}");

    // Failing: a model that misses its slo fails the step, with an annotation at its line and a
    // summary that says why.
    std::fs::write(
        dir.path().join("models/fragile.yaml"),
        "components:\n  api:\n    availability: 99%\n    slo: 99.9%\n",
    )
    .unwrap();
    let (code, out, summary, _) = run_action(
        dir.path(),
        &[
            ("models", "models/fragile.yaml models/online-store.yaml"),
            ("args", "--min-margin 0"),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("::error file=models/fragile.yaml,line=2"),
        "{out}"
    );
    assert!(summary.contains('❌'), "{summary}");
    assert!(summary.contains("online-store"), "{summary}");

    // A version installs that release tag from the action's repository.
    let (_, _, _, log) = run_action(dir.path(), &[("version", "v9.9.9")]);
    assert!(
        log.lines().last().unwrap().starts_with(
            "install --locked --git https://github.com/example/nines --tag v9.9.9 --root "
        ),
        "{log}"
    );
}
