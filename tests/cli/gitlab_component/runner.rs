//! The world a played job runs in: a repository with a registration and an assignment, the
//! fake release it installs from (made once per test process), a checkout such as a GitLab
//! runner makes, and a fake `uname` for runners of other machines.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::fixture::{TestRepo, fake_release, git_in, programs_only, registry_bin, serve_dir};
use crate::reads::ok;

/// A repository with churn registered (churn@v0.0.1) and assigned straight to prod
/// (churn#prod#1), then a policy on main that wants staging before prod; and the URL of the
/// shared fake release.
pub(super) fn scene() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n  description: Churn model\n",
    );
    repo.commit("first");
    ok(&repo, &["register", "churn"]);
    ok(&repo, &["promote", "churn", "prod"]);
    repo.write(".registry.yaml", "promotion_order: [staging, prod]\n");
    repo.commit("policy");
    (repo, super::release_url().to_string())
}

/// A fake release v1.2.3 and its URL (`http://127.0.0.1:PORT/releases`), made once per test
/// process: packing the 130 MB debug binary takes seconds, so its archive holds a stripped copy
/// (the same program) when `strip` runs. Tests that change the release copy it first
/// ([`own_release`]). It lives in cargo's target tmp dir (a static is never dropped, so it
/// outlives the process); ones older than an hour, of earlier runs, are removed.
pub(super) fn release() -> &'static (PathBuf, String) {
    static RELEASE: OnceLock<(PathBuf, String)> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(tmp).unwrap();
        for entry in std::fs::read_dir(tmp).unwrap().flatten() {
            let stale = entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_hours(1)));
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("gitlab-component-")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let site = tmp.join(format!("gitlab-component-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&site);
        std::fs::create_dir_all(&site).unwrap();
        let stripped = site.join("registry");
        let binary = match Command::new("strip")
            .arg("-o")
            .arg(&stripped)
            .arg(registry_bin())
            .output()
        {
            Ok(out) if out.status.success() => stripped,
            _ => registry_bin(),
        };
        fake_release(&site, "v1.2.3", &binary);
        let url = format!("{}/releases", serve_dir(&site));
        (site, url)
    })
}

/// A copy of the shared release's `latest` files for a test to change, served on its own
/// port: (its `latest/download` directory, its release URL).
pub(super) fn own_release(repo: &TestRepo) -> (PathBuf, String) {
    let site = repo.home().join("site");
    let latest = site.join("releases/latest/download");
    std::fs::create_dir_all(&latest).unwrap();
    for entry in std::fs::read_dir(release().0.join("releases/latest/download")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), latest.join(entry.file_name())).unwrap();
    }
    let url = format!("{}/releases", serve_dir(&site));
    (latest, url)
}

/// A checkout as a GitLab runner makes one for a pipeline of `tag`: `git init`, a fetch of the
/// pushed tag alone, HEAD detached at it. No other tag, no branch: the job's script fetches them.
pub(super) fn checkout(repo: &TestRepo, tag: &str) -> PathBuf {
    let root = repo.home().join("builds");
    std::fs::create_dir_all(&root).unwrap();
    let dir = tempfile::tempdir_in(root).unwrap().keep();
    let origin = repo.path().display().to_string();
    git_in(repo, &dir, &["init", "-q"]);
    git_in(repo, &dir, &["remote", "add", "origin", &origin]);
    let spec = format!("+refs/tags/{tag}:refs/tags/{tag}");
    git_in(repo, &dir, &["fetch", "-q", "--no-tags", "origin", &spec]);
    git_in(repo, &dir, &["checkout", "-q", "--detach", tag]);
    dir
}

/// A fake `uname` answering `machine` to -m (Linux to -s), written by a shell, not by this
/// process: a file this multi-threaded process held open for writing could be inherited by
/// another test's fork and make its exec fail (ETXTBSY).
pub(super) fn fake_uname(repo: &TestRepo, machine: &str) -> PathBuf {
    let dir = repo.home().join(format!("uname-{machine}"));
    let script = format!(
        "mkdir -p '{d}' && printf '#!/bin/sh\\ncase \"$1\" in -m) echo {machine};; -s) echo Linux;; *) exit 2;; esac\\n' > '{d}/uname' && chmod +x '{d}/uname'",
        d = dir.display()
    );
    let out = repo
        .command(Path::new("sh"), &repo.home())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// A directory `name` of symbolic links to `tools`, found on the test process's PATH, to be a
/// job's whole PATH (an image with only those programs). `None`, after printing why, when one
/// of them is not installed.
pub(super) fn only_tools(repo: &TestRepo, name: &str, tools: &[&str]) -> Option<String> {
    match programs_only(&repo.home(), name, tools) {
        Ok(dir) => Some(dir.display().to_string()),
        Err(tool) => {
            use std::io::Write;
            // .ci/run installs every tool these plays use (wget among them) and sets this.
            assert!(
                std::env::var_os("REGISTRY_REQUIRE_TOOLS").is_none(),
                "no {tool} on PATH, and REGISTRY_REQUIRE_TOOLS is set"
            );
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED gitlab component without curl: no {tool} on PATH"
            );
            None
        }
    }
}
