//! Build script: the commit `registry --version` names, as `registry 0.1.0 (COMMIT12 YYYY-MM-DD)`.
//!
//! It sets `REGISTRY_VERSION` (read by `src/cli.rs`) to the package version, followed by the
//! first 12 hex digits of the commit the binary was built from and that commit's date (the
//! committer's, as `git log --format=%cs` gives it), so a bug report names the exact source.
//!
//! Where that comes from, first match wins:
//! 1. `REGISTRY_BUILD_COMMIT`, for builds whose checkout is not the source (an sdist or a crates
//!    tarball built in CI, a distribution's package): `COMMIT` or `COMMIT DATE`, where COMMIT is
//!    7 to 40 hex digits and DATE is `YYYY-MM-DD`, e.g.
//!    `REGISTRY_BUILD_COMMIT="$(git log -1 --format='%H %cs')"`. A malformed value fails the
//!    build, naming it: it was set on purpose, so a silent fallback would hide the mistake.
//!    Set but empty means "no commit": plain `registry 0.1.0`.
//! 2. `git`, asked about the directory of this Cargo.toml, and only when that directory is the
//!    top of the work tree: an sdist or a crates tarball unpacked inside some other repository
//!    must not be stamped with that repository's commit. A linked worktree (where `.git` is a
//!    file) works, since git resolves it.
//! 3. Nothing: no `git`, not a checkout, git failing for any reason. The line is then plain
//!    `registry 0.1.0` and the build goes on; this script never fails the build except for (1).
//!
//! It reruns when `HEAD` changes (a checkout, a detached HEAD moving), when the branch `HEAD`
//! names moves (a commit), when `packed-refs` changes (a packed branch), when HEAD's reflog
//! grows (a commit on a branch that was only packed), and when the override changes. Only existing files are named: cargo reruns a script on every build while a file it
//! watches is missing.

#![allow(
    clippy::print_stdout,
    reason = "a build script talks to cargo through stdout"
)]
#![allow(
    clippy::print_stderr,
    reason = "a malformed override is reported on stderr before failing the build"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const OVERRIDE: &str = "REGISTRY_BUILD_COMMIT";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={OVERRIDE}");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let stamp = match std::env::var(OVERRIDE) {
        Ok(value) => from_override(&value).unwrap_or_else(|message| {
            eprintln!("error: {OVERRIDE}={value:?}: {message}");
            std::process::exit(1);
        }),
        Err(_) => from_git(),
    };
    let line = match stamp {
        Some(stamp) => format!("{version} ({stamp})"),
        None => version,
    };
    println!("cargo::rustc-env=REGISTRY_VERSION={line}");
}

/// `COMMIT` or `COMMIT DATE` → the stamp; an empty value → none.
fn from_override(value: &str) -> Result<Option<String>, String> {
    let mut words = value.split_whitespace();
    let Some(commit) = words.next() else {
        return Ok(None);
    };
    let date = words.next();
    if words.next().is_some() {
        return Err("expected `COMMIT` or `COMMIT YYYY-MM-DD`, found more words".into());
    }
    if !(7..=40).contains(&commit.len()) || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "{commit:?} is not a commit id (7 to 40 hex digits)"
        ));
    }
    let commit = short(commit);
    match date {
        None => Ok(Some(commit)),
        Some(date) if is_date(date) => Ok(Some(format!("{commit} {date}"))),
        Some(date) => Err(format!("{date:?} is not a date (YYYY-MM-DD)")),
    }
}

/// The commit and date of `HEAD` of the checkout this Cargo.toml is the top of, if any.
fn from_git() -> Option<String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = git(&manifest, &["rev-parse", "--show-toplevel"])?;
    if !same_dir(Path::new(&top), &manifest) {
        return None;
    }
    watch(&manifest);
    let line = git(&manifest, &["log", "-1", "--format=%H %cs", "HEAD"])?;
    let (commit, date) = line.split_once(' ')?;
    let valid = commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    (valid && is_date(date)).then(|| format!("{} {date}", short(commit)))
}

/// Tells cargo which of git's files to watch: HEAD, the branch it names, packed-refs, and
/// HEAD's reflog, which every commit and checkout appends to (a branch whose ref lives only in
/// packed-refs, after `git gc`, is moved by writing a new loose ref file that did not exist
/// when cargo was told what to watch).
fn watch(dir: &Path) {
    let mut files = vec![
        "HEAD".to_owned(),
        "packed-refs".to_owned(),
        "logs/HEAD".to_owned(),
    ];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        // `--git-path` maps each name to the right directory of a linked worktree (HEAD is the
        // worktree's own, refs and packed-refs are the shared ones), relative to `dir`.
        let Some(path) = git(dir, &["rev-parse", "--git-path", &file]) else {
            continue;
        };
        let path = dir.join(path);
        if path.is_file() {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
}

/// Runs `git ARGS` in `dir`; its trimmed stdout, or `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // A hook or script running cargo may have pointed git elsewhere; this script asks only
        // about the directory it names.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_COMMON_DIR")
        .env_remove("GIT_INDEX_FILE")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn short(commit: &str) -> String {
    commit[..commit.len().min(12)].to_ascii_lowercase()
}

/// `YYYY-MM-DD` by shape (digits and dashes); the date itself is git's or the builder's.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}
