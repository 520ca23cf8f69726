//! scripts/ci/lint_ci_files.sh over a scratch tree: a GitLab component is checked one YAML
//! document at a time (a bad job in its second document and a header holding more than `spec:`
//! are both caught), a workflow pasting `${{ }}` into a script fails zizmor, every failure names
//! its file, and a clean tree passes. Runs only where the script already installed its tools
//! (target/lint-venv, PyPI check-jsonschema and zizmor): a test never installs anything.

use std::path::Path;
use std::process::{Command, Output};

use super::play::{note, stderr, stdout};
use super::repo_root;

const WORKFLOW: &str = "\
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - run: echo hello
";

const COMPONENT: &str = "\
spec:
  inputs:
    version:
      default: latest
---
check-ref:
  image: alpine
  script:
    - echo $[[ inputs.version ]]
";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The tools, or `None` after a notice (`REGISTRY_REQUIRE_LINT=1` makes a missing one fail).
fn tools_or_skip() -> Option<()> {
    let venv = repo_root().join("target/lint-venv/bin");
    let ok = |tool: &str, want: &str| {
        Command::new(venv.join(tool))
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(want))
    };
    if ok("check-jsonschema", "0.39.0") && ok("zizmor", "1.32.0") {
        return Some(());
    }
    let why = "no target/lint-venv with check-jsonschema 0.39.0 and zizmor 1.32.0 (run bash scripts/ci/lint_ci_files.sh once)";
    assert!(
        std::env::var("REGISTRY_REQUIRE_LINT").as_deref() != Ok("1"),
        "REGISTRY_REQUIRE_LINT=1 and {why}"
    );
    note(&format!("SKIPPED release_workflow::lint: {why}"));
    None
}

fn lint(root: &Path) -> Output {
    Command::new("bash")
        .arg(repo_root().join("scripts/ci/lint_ci_files.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", root)
        .env("LINT_CI_ROOT", root)
        .output()
        .unwrap()
}

#[test]
fn each_component_document_is_checked_and_every_failure_names_its_file() {
    if tools_or_skip().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".github/workflows/ok.yml", WORKFLOW);
    write(root, "templates/good/template.yml", COMPONENT);
    write(
        root,
        "templates/single.yml",
        "check-ref:\n  script: [echo]\n",
    );
    write(
        root,
        "examples/gitlab-ci/.gitlab-ci.yml",
        "include:\n  - local: a.yml\n",
    );
    let clean = lint(root);
    assert!(
        clean.status.success(),
        "{}{}",
        stdout(&clean),
        stderr(&clean)
    );
    assert!(stdout(&clean).contains("--- templates/good/template.yml (vendor.gitlab-ci)"));

    write(
        root,
        "templates/bad-job.yml",
        &COMPONENT.replace("  script:", "  scriptx:"),
    );
    write(
        root,
        "templates/bad-header.yml",
        &format!("other: {{}}\n{COMPONENT}"),
    );
    write(
        root,
        ".github/workflows/inject.yml",
        &WORKFLOW.replace(
            "echo hello",
            "echo \"${{ github.event.head_commit.message }}\"",
        ),
    );
    let failed = lint(root);
    assert_eq!(failed.status.code(), Some(1), "{}", stdout(&failed));
    let err = stderr(&failed);
    let summary: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.contains("check(s) failed"))
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(
        summary,
        [
            "templates/bad-header.yml (its YAML documents)",
            "templates/bad-job.yml (schema vendor.gitlab-ci, document 2)",
            ".github/workflows/inject.yml (zizmor)",
        ],
        "{err}"
    );
    assert!(
        err.contains("must hold only `spec:`, not ['other', 'spec']"),
        "{err}"
    );
}
