//! Git LFS (issue 12, point 4): a registration of an LFS-tracked file records the SHA-256 of its
//! content (the pointer's oid), so `verify` passes on the checked-out file, and `registry get`
//! writes the real bytes through `git-lfs`, from a clone that never smudged them and from a
//! `-C file://` mirror, checked; a missing object or a missing `git-lfs` fails with nothing left.
//!
//! Real git-lfs is the oracle, hermetic (HOME in the test's temp dir, `git lfs install --local`);
//! without it the tests that need it print `SKIPPED git-lfs: …` and pass, unless
//! `REGISTRY_REQUIRE_LFS=1` (CI, set by `.ci/run`), where they fail.

use std::path::Path;
use std::process::Command;

use crate::fixture::TestRepo;

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
