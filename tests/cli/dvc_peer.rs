//! Real DVC as a peer in the tests: the one place that finds the `dvc` executable and runs it,
//! and Python snippets calling `dvc.api` in its interpreter, hermetically in a test repository.
//!
//! DVC is found through `REGISTRY_DVC` (path to the executable), else `dvc` on PATH. Without it
//! a test prints `SKIPPED dvc interop: …` and passes, unless `REGISTRY_REQUIRE_DVC=1` (CI, set by
//! `.ci/run`), where it fails.
//!
//! Hermetic means: the fixture's environment (cleared, temporary HOME, fixed git identity and
//! clock, no global git config), plus DVC's own state moved into that HOME (site cache, global
//! and system config), analytics, the update check and Studio off, and every proxy variable
//! pointing at a closed local port, so a DVC that tried the network would fail fast and loudly
//! instead of reaching it. Remotes in these tests are local directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::fixture::TestRepo;

/// The DVC release the tests were written against (pinned in `.ci/run`).
pub(crate) const DVC_VERSION: &str = "3.67.0";

/// A port nothing listens on (TCP "discard"): a connection attempt is refused at once.
const NO_NETWORK: &str = "http://127.0.0.1:9";

// ------------------------------------------------------------------------------------------------
// Finding DVC

/// `name` as PATH would find it, when it has no `/` (the venv python must be found next to the
/// real file, not next to a bare name).
fn on_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return Some(name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Why DVC cannot be used, or its path.
fn find_dvc() -> Result<PathBuf, String> {
    let (candidate, origin) = match std::env::var_os("REGISTRY_DVC") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "REGISTRY_DVC"),
        _ => (PathBuf::from("dvc"), "PATH"),
    };
    let Some(found) = on_path(&candidate) else {
        return Err(format!("no `{}` on PATH", candidate.display()));
    };
    match Command::new(&found).arg("--version").output() {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout);
            if version.trim() != DVC_VERSION {
                warn(&format!(
                    "dvc interop: {} reports {:?}, the tests pin DVC {DVC_VERSION}",
                    found.display(),
                    version.trim()
                ));
            }
            Ok(found)
        }
        Ok(out) => Err(format!(
            "`{} --version` (from {origin}) failed: {}",
            found.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!(
            "cannot run `{}` (from {origin}): {e}",
            found.display()
        )),
    }
}

/// Writes straight to the process's stderr, past the harness's capture, so a skip shows in a
/// plain `cargo test` too.
fn warn(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// DVC's path, or `None` after printing a visible notice; panics when `REGISTRY_REQUIRE_DVC=1`.
pub(crate) fn dvc_or_skip(test: &str) -> Option<PathBuf> {
    match find_dvc() {
        Ok(path) => Some(path),
        Err(why) => {
            let hint = format!("pip install dvc=={DVC_VERSION}, or set REGISTRY_DVC");
            assert!(
                std::env::var("REGISTRY_REQUIRE_DVC").as_deref() != Ok("1"),
                "REGISTRY_REQUIRE_DVC=1 and dvc not found: {why} ({hint})"
            );
            warn(&format!(
                "SKIPPED dvc interop ({test}): dvc not found: {why} ({hint})"
            ));
            None
        }
    }
}

/// The Python that runs `dvc`: `dvc` is a virtualenv's script, so `python` beside it; else the
/// interpreter its `#!` line names (`#!/usr/bin/env python3` included).
fn python_of(dvc: &Path) -> PathBuf {
    let real = std::fs::canonicalize(dvc).unwrap_or_else(|_| dvc.to_path_buf());
    for exe in [dvc, real.as_path()] {
        if let Some(beside) = exe.parent().map(|d| d.join("python"))
            && beside.is_file()
        {
            return beside;
        }
    }
    let text = std::fs::read(&real).unwrap_or_default();
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(first);
    let mut words = line
        .strip_prefix("#!")
        .unwrap_or_default()
        .split_whitespace();
    match words.next() {
        Some(env) if env.ends_with("/env") => PathBuf::from(words.next().unwrap_or("python3")),
        Some(interpreter) => PathBuf::from(interpreter),
        None => panic!(
            "cannot tell which Python runs {}: no `python` beside it and no `#!` line",
            dvc.display()
        ),
    }
}

// ------------------------------------------------------------------------------------------------
// Running DVC in the test repository

pub(crate) struct Dvc<'a> {
    bin: PathBuf,
    python: PathBuf,
    repo: &'a TestRepo,
}

impl<'a> Dvc<'a> {
    /// DVC at `bin` for `repo`, with its state directories (site cache, global config with the
    /// update check and analytics off, system config) made inside the repository's HOME.
    pub(crate) fn new(bin: PathBuf, repo: &'a TestRepo) -> Dvc<'a> {
        let python = python_of(&bin);
        let state = repo.home().join(".dvc-state");
        for dir in ["site-cache", "global", "system"] {
            std::fs::create_dir_all(state.join(dir)).expect("DVC state dir");
        }
        std::fs::write(
            state.join("global/config"),
            "[core]\n    analytics = false\n    check_update = false\n",
        )
        .expect("DVC global config");
        Dvc { bin, python, repo }
    }

    /// A hermetic command for `program` in `cwd` (see the module comment).
    fn hermetic(&self, program: &Path, cwd: &Path) -> Command {
        let mut cmd = self.repo.command(program, cwd);
        hermetic_env(&mut cmd, self.repo);
        cmd
    }

    /// `dvc ARGS` in the repository; panics with the transcript on failure, returns stdout.
    #[track_caller]
    pub(crate) fn run(&self, args: &[&str]) -> String {
        self.run_in(&self.repo.path(), args)
    }

    /// `dvc ARGS` in `dir` (a directory of the repository), as [`Dvc::run`].
    #[track_caller]
    pub(crate) fn run_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self
            .hermetic(&self.bin, dir)
            .args(args)
            .output()
            .expect("dvc runs");
        ok(&format!("dvc {}", args.join(" ")), &out)
    }

    /// Runs `script` (Python, with `dvc.api` importable) in the repository, `args` as
    /// `sys.argv[1:]`; panics with the transcript on failure, returns stdout. One process for a
    /// whole batch of API calls: DVC takes about a second to start.
    #[track_caller]
    pub(crate) fn python(&self, script: &str, args: &[&str]) -> String {
        let out = self
            .hermetic(&self.python, &self.repo.path())
            .arg("-c")
            .arg(script)
            .args(args)
            .output()
            .expect("python runs");
        ok(
            &format!("{} -c <script> {}", self.python.display(), args.join(" ")),
            &out,
        )
    }
}

/// What DVC is asked to resolve: a version, a stage, or neither (DVC's "latest": the greatest
/// SemVer among the artifact's tags).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Q {
    V(&'static str),
    S(&'static str),
    Latest,
}

/// `dvc.api.artifacts_show` for every query, in one Python process: `{"rev", "path"}` or
/// `{"error": "Class: message"}` per query.
const SHOW_ALL: &str = r#"
import json, sys
import dvc.api
out = []
for name, kind, value in json.loads(sys.argv[1]):
    kw = {kind: value} if kind else {}
    try:
        out.append(dvc.api.artifacts_show(name, repo=".", **kw))
    except Exception as e:
        out.append({"error": type(e).__name__ + ": " + str(e)})
print(json.dumps(out))
"#;

impl Dvc<'_> {
    /// What `dvc.api.artifacts_show(NAME, version=|stage=, repo=".")` answers for each query,
    /// in order, from one Python process.
    #[track_caller]
    pub(crate) fn artifacts_show(&self, queries: &[(&str, Q)]) -> Vec<Value> {
        let queries: Vec<Value> = queries
            .iter()
            .map(|(name, q)| match q {
                Q::V(v) => serde_json::json!([name, "version", v]),
                Q::S(s) => serde_json::json!([name, "stage", s]),
                Q::Latest => serde_json::json!([name, null, null]),
            })
            .collect();
        let n = queries.len();
        let out = self.python(SHOW_ALL, &[&Value::Array(queries).to_string()]);
        let answers: Vec<Value> = serde_json::from_str(&out).expect("the script prints JSON");
        assert_eq!(answers.len(), n, "{out}");
        answers
    }

    /// `dvc artifacts get . NAME [--rev V | --stage S] -o OUT` in the repository; returns the
    /// command line (for messages).
    #[track_caller]
    pub(crate) fn artifacts_get(&self, name: &str, q: Q, out: &Path) -> String {
        let out = out.to_str().expect("a UTF-8 temporary path");
        let mut args = vec!["artifacts", "get", "-q", ".", name];
        match q {
            Q::V(v) => args.extend(["--rev", v]),
            Q::S(s) => args.extend(["--stage", s]),
            Q::Latest => {}
        }
        args.extend(["-o", out]);
        self.run(&args);
        format!("dvc {}", args.join(" "))
    }
}

#[track_caller]
fn ok(line: &str, out: &Output) -> String {
    assert!(
        out.status.success(),
        "$ {line}\n{}--- stderr\n{}[{}]",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// DVC's state kept in the test's HOME, no analytics, no Studio, no user site, and every proxy
/// at a closed port: what every DVC run of the tests has (see the module comment).
pub(crate) fn hermetic_env(cmd: &mut Command, repo: &TestRepo) {
    let state = repo.home().join(".dvc-state");
    cmd.env("DVC_NO_ANALYTICS", "1")
        .env("DVC_SITE_CACHE_DIR", state.join("site-cache"))
        .env("DVC_GLOBAL_CONFIG_DIR", state.join("global"))
        .env("DVC_SYSTEM_CONFIG_DIR", state.join("system"))
        .env("DVC_STUDIO_OFFLINE", "1")
        .env("PYTHONNOUSERSITE", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for proxy in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        cmd.env(proxy, NO_NETWORK);
    }
}
