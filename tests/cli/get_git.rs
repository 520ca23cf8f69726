//! `registry get` from git (issue 12, point 4): a file and a directory written exactly as git
//! holds them at the version's commit (the oracles: `git cat-file blob`, `git archive | tar`),
//! `@version`/`#stage`, the default `-o`, `--force`, `--json`, a version with no digest, and
//! `-C file://URL` through the blobless mirror. The integrity and hostile cases are in
//! `get_git/hostile.rs`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::fixture::{TestRepo, names_in};

mod hostile;

/// A repository declaring `churn` (a file) and `data` (a directory), registered once.
pub(super) fn repo_with_artifacts() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n  virtual: false\ndata:\n  path: data\n  virtual: false\n",
    );
    let weights: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::create_dir_all(repo.path().join("models")).unwrap();
    std::fs::write(repo.path().join("models/churn.pkl"), &weights).unwrap();
    repo.write("data/a.txt", "alpha\n");
    repo.write("data/sub/b.sh", "#!/bin/sh\necho b\n");
    std::fs::set_permissions(
        repo.path().join("data/sub/b.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    // A link in a directory is left out, as the manifest leaves it out.
    std::os::unix::fs::symlink("a.txt", repo.path().join("data/link")).unwrap();
    repo.commit_with_git("models");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "data"]).ok();
    repo
}

/// `git cat-file blob REV`'s bytes.
pub(super) fn blob(repo: &TestRepo, rev: &str) -> Vec<u8> {
    let out = repo
        .command(Path::new("git"), &repo.path())
        .args(["cat-file", "blob", rev])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Every entry under `dir` as (relative path, mode & 0o111 != 0, bytes or link target).
pub(super) fn listing(dir: &Path) -> Vec<(PathBuf, bool, Vec<u8>)> {
    let mut all = Vec::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(e.path()).unwrap();
        if meta.is_file() {
            let exec = meta.permissions().mode() & 0o111 != 0;
            all.push((rel, exec, std::fs::read(e.path()).unwrap()));
        } else if meta.is_symlink() {
            all.push((rel, false, b"->link".to_vec()));
        }
    }
    all
}

#[test]
fn a_file_is_written_as_git_holds_it_to_the_default_out() {
    let repo = repo_with_artifacts();
    let scratch = repo.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let run = repo.run_with(&["get", "churn"], |c| {
        c.current_dir(&scratch);
    });
    let out = run.ok();
    assert!(
        out.starts_with("Wrote churn v0.0.1 (commit ")
            && out.contains(") to churn.pkl: sha256:")
            && out.trim_end().ends_with(" verified"),
        "{}",
        run.transcript()
    );
    assert_eq!(
        std::fs::read(scratch.join("churn.pkl")).unwrap(),
        blob(&repo, "churn@v0.0.1:models/churn.pkl")
    );
    assert_eq!(names_in(&scratch), ["churn.pkl"], "no temporary left");
}

#[test]
fn a_version_or_a_stage_is_read_at_its_own_commit() {
    let repo = repo_with_artifacts();
    let first = blob(&repo, "HEAD:models/churn.pkl");
    repo.write("models/churn.pkl", "second weights");
    repo.commit("retrain");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn@v0.0.1", "prod"]).ok();
    repo.run(&["get", "churn@v0.0.1", "-o", "v1.pkl"]).ok();
    repo.run(&["get", "churn#prod", "-o", "prod.pkl"]).ok();
    repo.run(&["get", "churn@latest", "-o", "latest.pkl"]).ok();
    assert_eq!(std::fs::read(repo.path().join("v1.pkl")).unwrap(), first);
    assert_eq!(std::fs::read(repo.path().join("prod.pkl")).unwrap(), first);
    assert_eq!(
        std::fs::read(repo.path().join("latest.pkl")).unwrap(),
        b"second weights"
    );
}

#[test]
fn a_directory_is_written_as_git_archive_extracts_it() {
    let repo = repo_with_artifacts();
    let run = repo.run(&["get", "data", "-o", "out/data"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the directory of -o 'out/data' does not exist"),
        "{}",
        run.stderr
    );
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let run = repo.run(&["get", "data", "-o", "out/data"]);
    assert!(
        run.ok().contains("to out/data (2 files): sha256:"),
        "{}",
        run.transcript()
    );
    // The oracle: what git archive holds, extracted by tar.
    let oracle = repo.path().parent().unwrap().join("oracle");
    std::fs::create_dir(&oracle).unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git -C '{}' archive data@v0.0.1 data | tar -x -C '{}'",
            repo.path().display(),
            oracle.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let mut want = listing(&oracle.join("data"));
    // Links are left out of a directory, as its manifest leaves them out.
    want.retain(|(p, _, _)| p != Path::new("link"));
    assert_eq!(listing(&repo.path().join("out/data")), want);
    assert!(
        want.iter()
            .any(|(p, exec, _)| p == Path::new("sub/b.sh") && *exec)
    );
    assert_eq!(names_in(&repo.path().join("out")), ["data"]);
}

#[test]
fn an_existing_out_needs_force_and_is_replaced_only_by_a_verified_copy() {
    let repo = repo_with_artifacts();
    repo.write("m.pkl", "old");
    let run = repo.run(&["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("error: 'm.pkl' already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read(repo.path().join("m.pkl")).unwrap(), b"old");
    repo.run(&["get", "churn", "-o", "m.pkl", "--force"]).ok();
    assert_eq!(
        std::fs::read(repo.path().join("m.pkl")).unwrap(),
        blob(&repo, "HEAD:models/churn.pkl")
    );
    // A directory replaces a directory (and a file), the old one removed.
    repo.write("d/old.txt", "old");
    repo.run(&["get", "data", "-o", "d", "--force"]).ok();
    assert!(!repo.path().join("d/old.txt").exists());
    assert_eq!(
        std::fs::read(repo.path().join("d/a.txt")).unwrap(),
        b"alpha\n"
    );
    repo.run(&["get", "data", "-o", "m.pkl", "--force"]).ok();
    assert!(repo.path().join("m.pkl/sub/b.sh").is_file());
    let leftovers: Vec<String> = names_in(&repo.path())
        .into_iter()
        .filter(|n| n.contains("registry-get"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_link_at_out_is_replaced_never_written_through() {
    let repo = repo_with_artifacts();
    let outside = repo.path().parent().unwrap().join("outside");
    std::fs::write(&outside, "keep").unwrap();
    std::os::unix::fs::symlink(&outside, repo.path().join("m.pkl")).unwrap();
    let run = repo.run(&["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    repo.run(&["get", "churn", "-o", "m.pkl", "--force"]).ok();
    assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
    assert!(
        !std::fs::symlink_metadata(repo.path().join("m.pkl"))
            .unwrap()
            .is_symlink()
    );
}

#[test]
fn json_says_what_was_written() {
    let repo = repo_with_artifacts();
    let run = repo.run(&["get", "churn", "-o", "m.pkl", "--json"]);
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let commit = repo.git(&["rev-parse", "HEAD"]);
    let digest = repo
        .git(&["tag", "-l", "--format=%(contents)", "churn@v0.0.1"])
        .lines()
        .find_map(|l| l.strip_prefix("Artifact-Digest: ").map(str::to_string))
        .unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "path": "m.pkl",
            "digest": digest,
            "source": "git",
            "version": "v0.0.1",
            "commit": commit,
            "name": "churn",
            "verified": true,
        })
    );
}

#[test]
fn a_version_without_a_digest_is_written_with_a_warning() {
    let repo = repo_with_artifacts();
    // A registration GTO wrote: no trailers.
    repo.git(&[
        "tag",
        "-a",
        "churn@v0.1.0",
        "-m",
        "Registering artifact churn version v0.1.0",
    ]);
    let run = repo.run(&["get", "churn@v0.1.0", "-o", "m.pkl", "--json"]);
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["digest"], serde_json::Value::Null);
    assert!(
        run.stderr.contains(
            "churn v0.1.0 records no digest, so the bytes written to 'm.pkl' could not be checked"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(repo.path().join("m.pkl")).unwrap(),
        blob(&repo, "HEAD:models/churn.pkl")
    );
}

#[test]
fn a_url_reads_through_the_blobless_mirror_without_a_work_tree() {
    let repo = repo_with_artifacts();
    let remote = repo.path().parent().unwrap().join("remote.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    for (k, v) in [
        ("uploadpack.allowFilter", "true"),
        ("uploadpack.allowAnySHA1InWant", "true"),
    ] {
        repo.git(&["--git-dir", remote.to_str().unwrap(), "config", k, v]);
    }
    repo.git(&["push", "-q", remote.to_str().unwrap(), "main", "--tags"]);
    let url = format!("file://{}", remote.display());
    let away = repo.path().parent().unwrap().join("away");
    std::fs::create_dir(&away).unwrap();
    let run = repo.run_with(&["-C", &url, "get", "data", "--json"], |c| {
        c.current_dir(&away);
    });
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(v["verified"], true, "{}", run.transcript());
    assert_eq!(
        std::fs::read(away.join("data/sub/b.sh")).unwrap(),
        blob(&repo, "HEAD:data/sub/b.sh")
    );
    // Only that version's blobs came: the mirror still lacks the other artifact's.
    let mirrors = repo.home().join(".cache/registry/mirrors");
    let mirror = std::fs::read_dir(&mirrors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let churn_blob = repo.git(&["rev-parse", "HEAD:models/churn.pkl"]);
    let has = |oid: &str| {
        repo.command(Path::new("git"), &mirror)
            .env("GIT_NO_LAZY_FETCH", "1")
            .args(["cat-file", "-e", oid])
            .status()
            .unwrap()
            .success()
    };
    assert!(
        !has(&churn_blob),
        "the mirror fetched a blob get did not need"
    );
    let run = repo.run_with(&["-C", &url, "get", "churn"], |c| {
        c.current_dir(&away);
    });
    run.ok();
    assert_eq!(
        std::fs::read(away.join("churn.pkl")).unwrap(),
        blob(&repo, "HEAD:models/churn.pkl")
    );
    assert_eq!(names_in(&away), ["churn.pkl", "data"]);
    assert!(has(&churn_blob));
}

#[test]
fn bytes_registered_from_a_work_tree_cannot_be_fetched_from_git() {
    let repo = TestRepo::new();
    repo.write("artifacts.yaml", "m:\n  path: m.bin\n  virtual: false\n");
    repo.write(".gitignore", "m.bin\n");
    repo.write("m.bin", "kept out of git");
    repo.commit("ignored");
    repo.run(&["register", "m"]).ok();
    let run = repo.run(&["get", "m", "-o", "copy.bin"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: 'm.bin' of m v0.0.1 is not in git at commit")
            && run
                .stderr
                .contains("its bytes were registered from a work tree"),
        "{}",
        run.stderr
    );
    assert!(!repo.path().join("copy.bin").exists());
}

/// A symbolic link in the middle of the path (`current -> v3`) is named as what stops the get,
/// not taken for bytes git lacks.
#[test]
fn a_link_in_the_middle_of_the_path_is_named() {
    let repo = TestRepo::new();
    repo.write("models/v3/m.pkl", "weights\n");
    std::os::unix::fs::symlink("v3", repo.path().join("models/current")).unwrap();
    repo.write(
        "artifacts.yaml",
        "churn:\n  path: models/current/m.pkl\n  virtual: false\n",
    );
    repo.commit("link");
    repo.run(&["register", "churn"]);
    let run = repo.run(&["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("goes through 'models/current', a symbolic link in the middle of the path"),
        "{}",
        run.stderr
    );
    assert!(!repo.path().join("m.pkl").exists());
}
