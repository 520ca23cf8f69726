//! Both documents of the component against GitLab's own JSON schema, through
//! `check-jsonschema --builtin-schema vendor.gitlab-ci` (PyPI check-jsonschema). It reads one
//! YAML document per file and refuses a file of two ("expected a single document in the
//! stream"), so the header and the jobs are validated as separate files: the header as written,
//! the jobs as written (their `$[[ ]]` blocks are strings) and interpolated, with the defaults
//! and with every input set. The program is `$REGISTRY_CHECK_JSONSCHEMA`, else
//! `check-jsonschema` on PATH; without it the test prints why and passes, unless
//! `REGISTRY_REQUIRE_CHECK_JSONSCHEMA=1`.

use std::path::PathBuf;
use std::process::Command;

use super::{component_jobs, component_text};

/// check-jsonschema's path, or `None` after printing why not.
fn check_jsonschema() -> Option<PathBuf> {
    let program = std::env::var_os("REGISTRY_CHECK_JSONSCHEMA")
        .map_or_else(|| PathBuf::from("check-jsonschema"), PathBuf::from);
    let found = Command::new(&program).arg("--version").output();
    if found.as_ref().is_ok_and(|o| o.status.success()) {
        return Some(program);
    }
    let why = format!(
        "`{} --version` failed ({}); pip install check-jsonschema, or set REGISTRY_CHECK_JSONSCHEMA",
        program.display(),
        found.map_or_else(
            |e| e.to_string(),
            |o| String::from_utf8_lossy(&o.stderr).into_owned()
        )
    );
    assert!(
        std::env::var("REGISTRY_REQUIRE_CHECK_JSONSCHEMA").as_deref() != Ok("1"),
        "REGISTRY_REQUIRE_CHECK_JSONSCHEMA=1 and {why}"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED gitlab component schema: {why}"
    );
    None
}

#[test]
fn both_documents_pass_gitlabs_schema() {
    let Some(program) = check_jsonschema() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = component_text();
    let (header, jobs) = text.split_once("\n---\n").unwrap();
    let interpolations = [
        component_jobs(&[]),
        component_jobs(&[
            ("stage", "verify"),
            ("version", "v1.2.3"),
            ("release_url", "https://github.com/acme/registry/releases"),
            ("policy", "true"),
            ("policy_ref", "origin/release"),
            ("prefix", "ML_"),
            ("image", "alpine:3"),
        ]),
    ];
    let mut files = vec![
        ("header.yml", header.to_string()),
        ("jobs.yml", jobs.to_string()),
    ];
    for (i, jobs) in interpolations.iter().enumerate() {
        let name = ["defaults.yml", "given.yml"][i];
        files.push((name, yaml_serde::to_string(jobs).unwrap()));
    }
    let mut cmd = Command::new(&program);
    cmd.args(["--builtin-schema", "vendor.gitlab-ci"]);
    for (name, body) in &files {
        std::fs::write(dir.path().join(name), body).unwrap();
        cmd.arg(dir.path().join(name));
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The schema does catch a broken job, so the pass above means something.
    let broken = dir.path().join("broken.yml");
    std::fs::write(&broken, jobs.replace("  artifacts:\n", "  artifact:\n")).unwrap();
    let out = Command::new(&program)
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the schema took `artifact:`");
}
