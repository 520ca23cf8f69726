//! Git LFS (issue 12, point 4): a registration of an LFS-tracked file records the SHA-256 of its
//! content (the pointer's oid), so `verify` passes on the checked-out file, and `registry get`
//! writes the real bytes through `git-lfs`, from a clone that never smudged them and from a
//! `-C file://` mirror, checked; a missing object or a missing `git-lfs` fails with nothing left.
//!
//! Real git-lfs is the oracle, hermetic (HOME in the test's temp dir, `git lfs install --local`);
//! without it the tests that need it print `SKIPPED git-lfs: …` and pass, unless
//! `REGISTRY_REQUIRE_LFS=1` (CI, set by `.ci/run`), where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{TestRepo, git_in, names_in};

/// Writes straight to stderr, past the harness's capture, so a skip shows.
fn warn(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// Whether git-lfs runs; prints why not (or fails under `REGISTRY_REQUIRE_LFS=1`).
fn lfs_or_skip(test: &str) -> bool {
    let why = match Command::new("git-lfs").arg("version").output() {
        Ok(out) if out.status.success() => return true,
        Ok(out) => format!(
            "`git-lfs version` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("cannot run git-lfs: {e}"),
    };
    assert!(
        std::env::var("REGISTRY_REQUIRE_LFS").as_deref() != Ok("1"),
        "REGISTRY_REQUIRE_LFS=1 and {why} (apt-get install git-lfs)"
    );
    warn(&format!(
        "SKIPPED git-lfs ({test}): {why} (apt-get install git-lfs)"
    ));
    false
}

/// `sha256sum FILE`'s digest: the oracle for a file's SHA-256.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().next().unwrap().to_string()
}

/// Bytes no text filter would leave alone, `n` of them.
fn model_bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| {
            u8::try_from(i % 251)
                .unwrap()
                .wrapping_mul(31)
                .wrapping_add(seed)
                ^ 0x80
        })
        .collect()
}

/// The trailers of a tag's message, by key.
fn trailer(repo: &TestRepo, tag: &str, key: &str) -> String {
    let text = repo.git(&["tag", "-l", "--format=%(contents)", tag]);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .to_string()
}

/// A repository with `churn` (one LFS file) and `imgs` (a directory: an LFS file and a plain
/// one) registered, committed through git so the LFS clean filter ran.
fn lfs_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["lfs", "install", "--local"]);
    repo.git(&["lfs", "track", "*.pkl", "*.bin"]);
    std::fs::create_dir_all(repo.path().join("models")).unwrap();
    std::fs::write(repo.path().join("models/churn.pkl"), model_bytes(70_000, 1)).unwrap();
    std::fs::create_dir_all(repo.path().join("data/imgs")).unwrap();
    std::fs::write(repo.path().join("data/imgs/a.bin"), model_bytes(3_000, 2)).unwrap();
    std::fs::write(repo.path().join("data/imgs/notes.txt"), "plain\n").unwrap();
    repo.run(&[
        "annotate",
        "churn",
        "--type",
        "model",
        "--path",
        "models/churn.pkl",
    ])
    .ok();
    repo.run(&["annotate", "imgs", "--path", "data/imgs"]).ok();
    repo.commit_with_git("train");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "imgs"]).ok();
    repo
}

#[test]
fn an_lfs_file_is_registered_by_its_content_and_verifies_in_the_work_tree() {
    if !lfs_or_skip("register") {
        return;
    }
    let repo = lfs_repo();
    // git holds a pointer; the digest is of the file `git lfs` checked out.
    let pointer = repo.git(&["cat-file", "blob", "HEAD:models/churn.pkl"]);
    assert!(pointer.starts_with("version https://git-lfs.github.com/spec/v1"));
    let content = sha256sum(&repo.path().join("models/churn.pkl"));
    assert!(
        pointer.contains(&format!("oid sha256:{content}")),
        "{pointer}"
    );
    assert_eq!(
        trailer(&repo, "churn@v0.0.1", "Artifact-Digest"),
        format!("sha256:{content}")
    );
    assert_eq!(
        trailer(&repo, "churn@v0.0.1", "Artifact-Digest-Source"),
        "git"
    );
    // A directory's manifest line of an LFS file holds its content's SHA-256 too.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "imgs@v0.0.1"]);
    let a = sha256sum(&repo.path().join("data/imgs/a.bin"));
    assert!(message.contains(&format!("{a}  a.bin")), "{message}");
    let verified = repo.run(&["verify", "churn"]);
    assert!(verified.ok().contains("OK:"), "{}", verified.transcript());
    repo.run(&["verify", "imgs"]).ok();
}

/// A bare `file://` remote (LFS objects go there too, under `lfs/objects`) with `main` pushed,
/// serving partial clones; and a fresh clone of it whose LFS files are still pointers.
fn pushed_and_cloned(repo: &TestRepo) -> (PathBuf, PathBuf) {
    let top = repo.path().parent().unwrap().to_path_buf();
    git_in(
        repo,
        &top,
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    let remote = top.join("remote.git");
    for (k, v) in [
        ("uploadpack.allowFilter", "true"),
        ("uploadpack.allowAnySHA1InWant", "true"),
    ] {
        git_in(repo, &remote, &["config", k, v]);
    }
    let url = format!("file://{}", remote.display());
    repo.git(&["remote", "add", "origin", &url]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    assert!(
        remote.join("lfs/objects").is_dir(),
        "git-lfs pushed no objects"
    );
    let clone = top.join("clone");
    let out = repo
        .command(Path::new("git"), &top)
        .env("GIT_LFS_SKIP_SMUDGE", "1")
        .args(["clone", "-q", &url, "clone"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (remote, clone)
}

#[test]
fn get_smudges_lfs_objects_in_a_clone_and_through_a_url_mirror() {
    if !lfs_or_skip("get") {
        return;
    }
    let repo = lfs_repo();
    let (remote, clone) = pushed_and_cloned(&repo);
    // The clone never smudged: its work tree holds the pointer.
    let in_clone = std::fs::read(clone.join("models/churn.pkl")).unwrap();
    assert!(in_clone.starts_with(b"version https://git-lfs"));
    let want = std::fs::read(repo.path().join("models/churn.pkl")).unwrap();

    let run = crate::fixture::run_timed_in_with(
        &repo,
        &clone,
        &["get", "churn", "-o", "out.pkl", "--json"],
        |c| {
            c.env("GIT_LFS_SKIP_SMUDGE", "1");
        },
    );
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["source"], "lfs", "{}", run.transcript());
    assert_eq!(json["verified"], true);
    assert_eq!(std::fs::read(clone.join("out.pkl")).unwrap(), want);

    // A directory: its LFS file smudged, its plain file as git holds it.
    let run = crate::fixture::run_timed_in(&repo, &clone, &["get", "imgs", "-o", "imgs-out"]);
    run.ok();
    assert_eq!(
        std::fs::read(clone.join("imgs-out/a.bin")).unwrap(),
        std::fs::read(repo.path().join("data/imgs/a.bin")).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(clone.join("imgs-out/notes.txt")).unwrap(),
        "plain\n"
    );

    // -C URL: no work tree, the mirror's origin is the LFS endpoint.
    let elsewhere = repo.path().parent().unwrap().join("deploy");
    std::fs::create_dir(&elsewhere).unwrap();
    let url = format!("file://{}", remote.display());
    let run = crate::fixture::run_timed_in(
        &repo,
        &elsewhere,
        &["-C", &url, "get", "churn", "-o", "m.pkl"],
    );
    run.ok();
    assert_eq!(std::fs::read(elsewhere.join("m.pkl")).unwrap(), want);
    assert_eq!(names_in(&elsewhere), ["m.pkl"]);
    // The mirror keeps no copy of the model: only git's objects.
    let mirrors = repo.home().join(".cache/registry/mirrors");
    let mut stack = vec![mirrors];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            assert!(
                !p.to_string_lossy().contains("lfs/objects/") || p.is_dir(),
                "{}",
                p.display()
            );
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
}

#[test]
fn an_lfs_object_missing_on_the_server_fails_with_git_lfs_message_and_nothing_left() {
    if !lfs_or_skip("missing object") {
        return;
    }
    let repo = lfs_repo();
    let (remote, clone) = pushed_and_cloned(&repo);
    std::fs::remove_dir_all(remote.join("lfs/objects")).unwrap();
    let _ = std::fs::remove_dir_all(clone.join(".git/lfs/objects"));
    let before = names_in(&clone);
    let run = crate::fixture::run_timed_in(&repo, &clone, &["get", "churn", "-o", "out.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("git-lfs could not fetch the object of 'models/churn.pkl'"),
        "{}",
        run.transcript()
    );
    // git-lfs's own words are in the message.
    assert!(
        run.stderr.to_lowercase().contains("object"),
        "{}",
        run.transcript()
    );
    assert_eq!(names_in(&clone), before, "{}", run.transcript());
}

/// A blob that is an LFS pointer, written by hand: no git-lfs needed to make one.
fn hand_written_pointer(repo: &TestRepo, content: &[u8]) -> String {
    let oid = {
        let tmp = repo.path().parent().unwrap().join("content");
        std::fs::write(&tmp, content).unwrap();
        sha256sum(&tmp)
    };
    repo.write(
        "models/churn.pkl",
        &format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        ),
    );
    oid
}

#[test]
fn a_pointer_records_its_oid_and_get_without_git_lfs_names_the_program() {
    let repo = TestRepo::new();
    let oid = hand_written_pointer(&repo, b"the model\n");
    repo.run(&["annotate", "churn", "--path", "models/churn.pkl"])
        .ok();
    repo.commit("pointer");
    repo.run(&["register", "churn"]).ok();
    assert_eq!(
        trailer(&repo, "churn@v0.0.1", "Artifact-Digest"),
        format!("sha256:{oid}")
    );
    // PATH with git alone: no git-lfs.
    let bin = repo.path().parent().unwrap().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let git = which("git");
    std::os::unix::fs::symlink(&git, bin.join("git")).unwrap();
    let before = names_in(&repo.path());
    let run = crate::fixture::run_timed_with(&repo, &["get", "churn", "-o", "out.pkl"], |c| {
        c.env("PATH", &bin);
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the `git-lfs` program that fetches its object is not installed")
            && run.stderr.contains("apt-get install git-lfs"),
        "{}",
        run.transcript()
    );
    assert_eq!(names_in(&repo.path()), before);
}

/// Where PATH finds `program`.
fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no {program} on PATH"))
}
