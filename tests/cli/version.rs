//! `registry --version`: the package version and the commit the binary was built from (build.rs).
//!
//! The expected line is worked out the way build.rs works it out: from `REGISTRY_BUILD_COMMIT`
//! when the build had it, else from `git` when this Cargo.toml is the top of a checkout (a
//! developer's clone, a worktree, CI's clean clone), else plain. So the test holds in a checkout
//! and in an unpacked tarball alike, and a stamp naming the wrong commit fails it.

use std::path::Path;
use std::process::Command;

use crate::fixture::TestRepo;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `git ARGS` in this checkout, outside the fixture's isolation (the question is about the
/// source tree itself); `None` when git is missing or the directory is not a checkout.
fn source_git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(MANIFEST_DIR)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_COMMON_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The `(COMMIT12 DATE)` part build.rs should have written, or `None` for a plain line.
fn expected_stamp() -> Option<String> {
    if let Some(value) = option_env!("REGISTRY_BUILD_COMMIT") {
        let mut words = value.split_whitespace();
        let commit = words.next()?;
        let commit = commit[..commit.len().min(12)].to_ascii_lowercase();
        return Some(match words.next() {
            Some(date) => format!("{commit} {date}"),
            None => commit,
        });
    }
    let top = source_git(&["rev-parse", "--show-toplevel"])?;
    let is_top =
        Path::new(&top).canonicalize().ok()? == Path::new(MANIFEST_DIR).canonicalize().ok()?;
    if !is_top {
        // Past the harness's capture, so a plain `cargo test` shows why no commit is expected.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "{MANIFEST_DIR} is inside {top}, not the top of a checkout: expecting no commit"
        );
        return None;
    }
    let head = source_git(&["rev-parse", "HEAD"]).expect("git rev-parse HEAD in the checkout");
    let date = source_git(&["log", "-1", "--format=%cs", "HEAD"]).expect("HEAD's date");
    Some(format!("{} {date}", &head[..12]))
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let repo = TestRepo::new();
    let long = repo.run(&["--version"]);
    let short = repo.run(&["-V"]);
    assert_eq!(long.code, 0, "{}", long.transcript());
    assert!(long.stderr.is_empty(), "{}", long.transcript());
    assert_eq!(
        short.stdout, long.stdout,
        "-V and --version print the same line"
    );

    // The shape, whatever the build had: `registry X.Y.Z` or `registry X.Y.Z (COMMIT12 DATE)`.
    let shape = regex::Regex::new(
        r"^registry (\d+\.\d+\.\d+)(?: \(([0-9a-f]{12})(?: (\d{4}-\d\d-\d\d))?\))?\n$",
    )
    .unwrap();
    let caps = shape
        .captures(&long.stdout)
        .unwrap_or_else(|| panic!("unexpected --version line: {:?}", long.stdout));
    assert_eq!(&caps[1], VERSION);

    let expected = match expected_stamp() {
        Some(stamp) => format!("registry {VERSION} ({stamp})\n"),
        None => format!("registry {VERSION}\n"),
    };
    assert_eq!(long.stdout, expected, "the commit is this checkout's HEAD");
}
