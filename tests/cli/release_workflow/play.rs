//! The release workflow's build and release steps, played here as GitHub runs a `run:` script
//! (`bash --noprofile --norc -eo pipefail`), with the environment the workflow gives it, in a
//! scratch checkout: each matrix entry's maturin flags (a stand-in maturin records them), the
//! static-binary check, and the archives, SHA256SUMS and `gh` calls of a release made from the
//! debug binary (a draft, published once complete; a half-made draft completed on a rerun). The helpers here play check-tag too (`check_tag.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(
    clippy::wildcard_imports,
    reason = "the parent's readers of the workflow"
)]
use super::*;
use crate::fixture::{HOST, registry_bin};

pub(super) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A scratch checkout: the release scripts (copied, so they take this directory as the
/// repository root), Cargo.toml, README.md, LICENSE, and a pyproject.toml whose URLs name
/// `urls_repo`.
pub(super) fn checkout(urls_repo: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scripts/release")).unwrap();
    for rel in [
        "scripts/release/check_tag.py",
        "scripts/release/package.py",
        "Cargo.toml",
        "README.md",
        "LICENSE",
    ] {
        std::fs::copy(repo_root().join(rel), dir.path().join(rel)).unwrap();
    }
    // At publication the placeholder is replaced everywhere; check_tag.py refuses a README that
    // still names it.
    let readme = dir.path().join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    let owner = urls_repo.split('/').next().unwrap();
    std::fs::write(&readme, text.replace("YOUR-ORG", owner)).unwrap();
    pyproject(dir.path(), urls_repo, None);
    dir
}

pub(super) fn pyproject(root: &Path, urls_repo: &str, version: Option<&str>) {
    let version = version.map_or("dynamic = [\"version\"]".to_string(), |v| {
        format!("version = \"{v}\"")
    });
    std::fs::write(
        root.join("pyproject.toml"),
        format!(
            "[project]\nname = \"git-model-registry\"\n{version}\n[project.urls]\n\
             Homepage = \"https://github.com/{urls_repo}\"\n\
             Issues = \"https://github.com/{urls_repo}/issues\"\n\
             Documentation = \"https://example.org/docs\"\n"
        ),
    )
    .unwrap();
}

/// Runs `script` as a GitHub `run:` step in `cwd` with only `env` (and PATH, with `fake_bin`
/// first when given).
pub(super) fn play(
    script: &str,
    cwd: &Path,
    env: &[(&str, &str)],
    fake_bin: Option<&Path>,
) -> Output {
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some(dir) = fake_bin {
        path = format!("{}:{path}", dir.display());
    }
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", path)
        .env("HOME", cwd)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

pub(super) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(super) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An executable shell script at `dir/name`.
/// Writes straight to the process's stderr, past the harness's capture, so a skip shows in a
/// plain `cargo test` too.
pub(super) fn note(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

pub(super) fn fake(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The wheels job's environment for one matrix entry, as `${{ matrix.KEY }}` renders it.
fn matrix_env(doc: &Value, entry: &Value) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (k, v) in job(doc, "wheels")["env"].as_mapping().unwrap() {
        let expr = v.as_str().unwrap();
        let key = expr
            .strip_prefix("${{ matrix.")
            .and_then(|e| e.strip_suffix(" }}"))
            .unwrap_or_else(|| panic!("wheels env {k:?} is {expr}, not a matrix value"));
        let value = match &entry[key] {
            Value::Bool(b) => b.to_string(),
            Value::String(s) => s.clone(),
            other => panic!("matrix.{key} is {other:?}"),
        };
        env.insert(k.as_str().unwrap().to_string(), value);
    }
    env
}

fn pairs(env: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn each_build_passes_maturin_its_target_compatibility_and_zig() {
    let doc = workflow();
    let script = step_script(&doc, "wheels", "Build the wheel");
    for entry in matrix(&doc) {
        let env = matrix_env(&doc, entry);
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("fake-bin");
        // A stand-in maturin: records its arguments, makes one wheel.
        fake(
            &bin,
            "maturin",
            "printf '%s\\n' \"$@\" > args\nmkdir -p dist\n: > dist/registry.whl\n",
        );
        let out = play(script, dir.path(), &pairs(&env), Some(&bin));
        assert!(out.status.success(), "{entry:?}: {}", stderr(&out));
        let target = &env["TARGET"];
        let mut want = vec![
            "build",
            "--release",
            "--locked",
            "--target",
            target,
            "--out",
            "dist",
        ];
        if !env["COMPATIBILITY"].is_empty() {
            want.extend(["--compatibility", &env["COMPATIBILITY"]]);
        }
        if target.contains("linux") {
            want.push("--zig");
        }
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(args.lines().collect::<Vec<_>>(), want, "{target}");
        // Two wheels from one build is a mistake the step stops at.
        fake(
            &bin,
            "maturin",
            "mkdir -p dist\n: > dist/a.whl\n: > dist/b.whl\n",
        );
        std::fs::remove_dir_all(dir.path().join("dist")).unwrap();
        let two = play(script, dir.path(), &pairs(&env), Some(&bin));
        assert!(!two.status.success(), "{target}");
        assert!(
            stderr(&two).contains("expected one wheel in dist/"),
            "{}",
            stderr(&two)
        );
    }
}

/// Puts `binary` where a build for `target` leaves it: `target/TARGET/release/registry[.exe]`.
fn built(root: &Path, target: &str, binary: &Path) -> PathBuf {
    let exe = if target.contains("windows") {
        "registry.exe"
    } else {
        "registry"
    };
    let dir = root.join("target").join(target).join("release");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(binary, dir.join(exe)).unwrap();
    dir.join(exe)
}

#[test]
fn the_run_step_refuses_a_musl_build_that_is_not_static() {
    let doc = workflow();
    let script = step_script(&doc, "wheels", "Run the built binary");
    if Command::new("file").arg("--version").output().is_err() {
        note(
            "SKIPPED release_workflow::play: no `file` program to tell a static binary (apt-get install file)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let entry = |t: &str| {
        matrix(&doc)
            .iter()
            .find(|e| e["target"] == t)
            .unwrap()
            .clone()
    };
    // The debug binary is dynamically linked: fine for a manylinux build, refused as musl's.
    for (target, passes) in [("x86_64-unknown-linux-gnu", true), (HOST, false)] {
        built(dir.path(), target, &registry_bin());
        let env = matrix_env(&doc, &entry(target));
        let out = play(script, dir.path(), &pairs(&env), None);
        assert_eq!(out.status.success(), passes, "{target}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("registry "),
            "{target}: {}",
            stdout(&out)
        );
    }
}

/// The debug binary without its debug info (as the release profile strips it): a sixth of the
/// bytes to gzip, and the same program. The whole binary when there is no `strip`.
fn stripped(root: &Path) -> PathBuf {
    let out = root.join("registry-stripped");
    let strip = Command::new("strip")
        .arg("-o")
        .arg(&out)
        .arg(registry_bin())
        .status();
    if strip.is_ok_and(|s| s.success()) {
        out
    } else {
        note("release_workflow::play: no `strip`, archiving the whole debug binary (slower)");
        registry_bin()
    }
}

#[test]
fn archives_sums_and_the_release_are_made_from_the_builds() {
    let doc = workflow();
    let archive = step_script(&doc, "wheels", "Release archive");
    let sums = step_script(&doc, "release", "SHA256SUMS");
    let create = step_script(&doc, "release", "Create the release");
    let repo = checkout("acme/registry");
    let root = repo.path();
    let host_binary = stripped(root);
    for entry in matrix(&doc)
        .iter()
        .filter(|e| e["archive"].as_bool().unwrap())
    {
        let env = matrix_env(&doc, entry);
        let target = &env["TARGET"];
        let bin = if target == HOST {
            host_binary.clone()
        } else {
            let stand_in = root.join(format!("stand-in-{target}"));
            std::fs::write(
                &stand_in,
                format!("#!/bin/sh\necho 'registry for {target}'\n"),
            )
            .unwrap();
            stand_in
        };
        built(root, target, &bin);
        let mut env = pairs(&env);
        env.retain(|(k, _)| *k != "PYTHON");
        env.push(("PYTHON", "python3")); // the runner's Python; `python` on Windows
        let out = play(archive, root, &env, None);
        assert!(out.status.success(), "{target}: {}", stderr(&out));
    }
    // download-artifact merges every archive-* and wheel-* artifact into dist/.
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    for entry in std::fs::read_dir(root.join("archives")).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), dist.join(entry.file_name())).unwrap();
    }
    let wheel = format!("git_model_registry-{VERSION}-py3-none-manylinux_2_17_x86_64.whl");
    std::fs::write(dist.join(&wheel), b"a wheel").unwrap();
    let out = play(sums, root, &[], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("registry-{HOST}.tar.gz: OK")),
        "{}",
        stdout(&out)
    );
    let listed = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    let names: Vec<&str> = listed
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    let mut want: Vec<String> = TARGETS
        .iter()
        .map(|t| {
            format!(
                "registry-{t}.{}",
                if t.contains("windows") {
                    "zip"
                } else {
                    "tar.gz"
                }
            )
        })
        .chain([wheel])
        .collect();
    want.sort();
    assert_eq!(names, want);
    // The host archive's binary is the build's, and it runs.
    let out = root.join("unpacked");
    std::fs::create_dir_all(&out).unwrap();
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(dist.join(format!("registry-{HOST}.tar.gz")))
        .arg("-C")
        .arg(&out)
        .status()
        .unwrap();
    assert!(tar.success());
    let version = Command::new(out.join(format!("registry-{HOST}/registry")))
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success());

    // The release, by a stand-in gh that records each call and answers `release view` from a
    // file: a draft left by a run that died halfway, or no release yet.
    let bin = root.join("fake-bin");
    fake(
        &bin,
        "gh",
        "[ \"$GH_TOKEN\" = t0ken ] || exit 3\necho \"$*\" >> gh-calls\n\
         if [ \"$2\" = view ]; then [ -f draft ] || exit 1; cat draft; fi\n",
    );
    let tag = format!("v{VERSION}");
    let env = [
        ("GH_TOKEN", "t0ken"),
        ("TAG", tag.as_str()),
        ("GITHUB_REPOSITORY", "acme/registry"),
    ];
    let mut assets: Vec<String> = want.iter().map(|n| format!("dist/{n}")).collect();
    assets.push("dist/SHA256SUMS".to_string());
    assets.sort(); // as bash expands dist/* in the C locale
    let assets = assets.join(" ");
    let view = format!("release view {tag} --repo acme/registry --json isDraft --jq .isDraft");
    let publish = format!("release edit {tag} --repo acme/registry --draft=false");
    let calls = || {
        let calls = std::fs::read_to_string(root.join("gh-calls")).unwrap();
        std::fs::remove_file(root.join("gh-calls")).unwrap();
        calls.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let out = play(create, root, &env, Some(&bin));
    assert!(out.status.success(), "{}", stderr(&out));
    let create_draft = format!(
        "release create {tag} {assets} --repo acme/registry --verify-tag --draft --title {tag} --generate-notes"
    );
    assert_eq!(calls(), [view.clone(), create_draft, publish.clone()]);
    // The rerun after a run died between the draft and its publication: upload, then publish.
    std::fs::write(root.join("draft"), "true\n").unwrap();
    let out = play(create, root, &env, Some(&bin));
    assert!(out.status.success(), "{}", stderr(&out));
    let upload = format!("release upload {tag} {assets} --repo acme/registry --clobber");
    assert_eq!(calls(), [view, upload, publish]);
}
