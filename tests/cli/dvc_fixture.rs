//! Tests with real DVC: finding it (`REGISTRY_DVC`, else `dvc` on PATH; without it a test prints
//! `SKIPPED dvc: …` and passes, unless `REGISTRY_REQUIRE_DVC=1`, as CI sets, where it fails),
//! running it hermetically (HOME, DVC's global, system and site config in the test's temp dir, no
//! analytics, no network), and reading what it writes. This finder is the DVC-bytes tests' own
//! until the interop tests' (tests/cli/dvc_peer.rs) is shared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::TestRepo;

/// Why DVC cannot be used, or its path.
fn find_dvc() -> Result<PathBuf, String> {
    let (candidate, origin) = match std::env::var_os("REGISTRY_DVC") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "REGISTRY_DVC"),
        _ => (PathBuf::from("dvc"), "PATH"),
    };
    match Command::new(&candidate)
        .arg("--version")
        .env("DVC_NO_ANALYTICS", "1")
        .output()
    {
        Ok(out) if out.status.success() => Ok(candidate),
        Ok(out) => Err(format!(
            "`{} --version` (from {origin}) failed: {}",
            candidate.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!(
            "cannot run `{}` (from {origin}): {e}",
            candidate.display()
        )),
    }
}

/// DVC's path, or `None` after a visible notice; panics when `REGISTRY_REQUIRE_DVC=1`.
pub(crate) fn dvc_or_skip(test: &str) -> Option<PathBuf> {
    match find_dvc() {
        Ok(path) => Some(path),
        Err(why) => {
            let hint = "pip install dvc==3.67.0, or set REGISTRY_DVC";
            assert!(
                std::env::var("REGISTRY_REQUIRE_DVC").as_deref() != Ok("1"),
                "REGISTRY_REQUIRE_DVC=1 and dvc not found: {why} ({hint})"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED dvc ({test}): dvc not found: {why} ({hint})"
            );
            None
        }
    }
}

/// Runs DVC in the repository, hermetically; panics on failure. Returns stdout.
#[track_caller]
pub(crate) fn dvc(repo: &TestRepo, bin: &Path, args: &[&str]) -> String {
    dvc_in(repo, bin, &repo.path(), args)
}

/// Runs DVC in `dir`, hermetically; panics on failure. Returns stdout.
#[track_caller]
pub(crate) fn dvc_in(repo: &TestRepo, bin: &Path, dir: &Path, args: &[&str]) -> String {
    let state = repo.home().join(".dvc-state");
    let out = repo
        .command(bin, dir)
        .args(args)
        .env("DVC_NO_ANALYTICS", "1")
        .env("DVC_SITE_CACHE_DIR", state.join("site"))
        .env("DVC_GLOBAL_CONFIG_DIR", state.join("global"))
        .env("DVC_SYSTEM_CONFIG_DIR", state.join("system"))
        .output()
        .expect("dvc runs");
    assert!(
        out.status.success(),
        "dvc {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with git and DVC initialized and `.dvc/` committed.
pub(crate) fn dvc_repo(bin: &Path) -> TestRepo {
    let repo = TestRepo::new();
    dvc(&repo, bin, &["init", "-q"]);
    repo.commit("dvc init");
    repo
}

/// Writes raw bytes in the work tree.
pub(crate) fn write_bytes(repo: &TestRepo, rel: &str, bytes: &[u8]) {
    let path = repo.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The trailers of a tag's message, by key.
pub(crate) fn trailers(repo: &TestRepo, tag: &str) -> BTreeMap<String, String> {
    let text = repo.git(&["tag", "-l", "--format=%(contents)", tag]);
    let last = text.trim_end().rsplit_once("\n\n").map_or("", |(_, t)| t);
    last.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// DVC's record of its one out in a `.dvc` file's text: `(md5, size, nfiles)`.
pub(crate) fn dvc_out(text: &str) -> (String, u64, Option<u64>) {
    let value: yaml_serde::Value = yaml_serde::from_str(text).unwrap();
    let out = &value["outs"][0];
    assert_eq!(out["hash"].as_str(), Some("md5"), "{text}");
    (
        out["md5"].as_str().unwrap().to_string(),
        out["size"].as_u64().unwrap(),
        out["nfiles"].as_u64(),
    )
}

/// Declares `name` at `path` (artifacts.yaml).
pub(crate) fn declare(repo: &TestRepo, name: &str, path: &str) {
    repo.run(&["annotate", name, "--type", "model", "--path", path])
        .ok();
}

/// Files whose names and bytes are awkward: spaces, unicode (astral too), nesting, an empty
/// file, CRLF line ends (which DVC 3 hashes as they are).
pub(crate) fn awkward_dir(repo: &TestRepo, dir: &str) {
    for (rel, bytes) in [
        ("a file.txt", &b"x\n"[..]),
        ("ünï/cödé 😀.bin", "é".as_bytes()),
        ("nested/deeper/empty", b""),
        ("crlf.txt", b"a\r\nb\r\n"),
        ("sub/b.txt", b"y\n"),
    ] {
        write_bytes(repo, &format!("{dir}/{rel}"), bytes);
    }
}
