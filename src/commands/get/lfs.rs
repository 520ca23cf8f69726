//! Git LFS: a blob that is an LFS pointer stands for an object the `git-lfs` program fetches.
//! `git-lfs smudge` runs in the repository (a work tree, or the bare `-C URL` mirror, whose
//! `origin` names the LFS endpoint as git-lfs reads it), the pointer on its stdin, and its stdout
//! streams through the [`HashingWriter`](super::written::HashingWriter) into the staging file.
//!
//! What comes out must be the pointer's object (its SHA-256 is the oid): `git-lfs` passes a
//! pointer through unchanged when it skips the download (`lfs.fetchexclude`), and that must not
//! pass for the model. On any failure the staging file is removed.

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use super::url::piped::{self, Piped};
use super::written::Hashes;
use crate::error::UserError;
use crate::git::Repo;
use crate::git::redact;
use crate::output::{escape, escape_keeping_lines};

pub(super) use crate::provenance::lfs_pointer::LfsPointer;

/// The pointer `bytes` hold, if they are one (spec v1, as `git lfs clean` writes it).
pub(super) fn pointer(bytes: &[u8]) -> Option<LfsPointer> {
    crate::provenance::lfs_pointer::parse(bytes)
}

/// The error for a missing `git-lfs`, naming the program and how to install it.
fn not_installed(path_in_repo: &str) -> UserError {
    UserError::new(format!(
        "'{}' is a Git LFS pointer, and the `git-lfs` program that fetches its object is not installed",
        escape(path_in_repo)
    ))
    .with_hint("install Git LFS (Debian/Ubuntu: `apt-get install git-lfs`, macOS: `brew install git-lfs`, others: https://git-lfs.com), then run the command again")
}

/// Writes the object a pointer names into `into` (a new file), hashing it as it is written;
/// runs `git-lfs smudge -- PATH` in `repo`. Nothing is left at `into` on failure.
pub(super) fn smudge(
    repo: &Repo,
    path_in_repo: &str,
    pointer_bytes: &[u8],
    into: &Path,
) -> Result<Hashes> {
    // Only what this call creates is removed on failure: never a path that was there before.
    if std::fs::symlink_metadata(into).is_ok() {
        return Err(UserError::new(format!(
            "'{}' exists already",
            escape(&into.display().to_string())
        ))
        .into());
    }
    // In a repository without a work tree (the `-C URL` mirror), git-lfs keeps its own copy of
    // each object it fetches under `lfs/objects`: a cache of every model ever got, which
    // nothing would prune. The copy at -o is what was asked for: an object this call brought
    // is removed again (one that was there before is left alone).
    let stored = pointer(pointer_bytes)
        .filter(|p| repo.workdir().is_none() && p.oid.len() == 64)
        .map(|p| {
            repo.git_dir()
                .join("lfs/objects")
                .join(&p.oid[..2])
                .join(&p.oid[2..4])
                .join(&p.oid)
        })
        .filter(|object| std::fs::symlink_metadata(object).is_err());
    let result = run_smudge(repo, path_in_repo, pointer_bytes, into);
    if result.is_err() {
        let _ = std::fs::remove_file(into);
    }
    if let Some(object) = stored {
        let _ = std::fs::remove_file(object);
    }
    result
}

fn run_smudge(
    repo: &Repo,
    path_in_repo: &str,
    pointer_bytes: &[u8],
    into: &Path,
) -> Result<Hashes> {
    let shown = escape(path_in_repo);
    let wanted = pointer(pointer_bytes).ok_or_else(|| {
        UserError::new(format!(
            "'{shown}' is not a Git LFS pointer git-lfs could smudge"
        ))
    })?;
    let git_dir = repo.git_dir();
    let mut cmd = Command::new("git-lfs");
    cmd.args(["smudge", "--", path_in_repo])
        .current_dir(repo.workdir().unwrap_or(&git_dir))
        // The repository this session opened, whatever GIT_DIR the caller had.
        .env("GIT_DIR", &git_dir)
        // With it set, git-lfs writes the pointer back instead of the object.
        .env_remove("GIT_LFS_SKIP_SMUDGE");
    match repo.workdir() {
        Some(w) => cmd.env("GIT_WORK_TREE", w),
        None => cmd.env_remove("GIT_WORK_TREE"),
    };
    let (status, stderr, written) = match piped::run(cmd, pointer_bytes, into)? {
        Piped::NotInstalled => return Err(not_installed(path_in_repo).into()),
        Piped::Ran {
            status,
            stderr,
            written,
        } => (status, stderr, written),
    };
    // A write that failed (a full disk) is the cause when both failed: git-lfs then died of the
    // closed pipe.
    let hashes = written?;
    if !status.success() {
        return Err(UserError::new(format!(
            "git-lfs could not fetch the object of '{shown}' (sha256:{}, {} bytes): {}",
            wanted.oid,
            wanted.size,
            escape_keeping_lines(&redact(&piped::why(&without_progress(&stderr), status)))
        ))
        .with_hint("the LFS server (the repository's remote, or `lfs.url`) must hold the object: `git lfs push --all` from a clone that has it uploads it")
        .into());
    }
    if hashes.sha256 != wanted.oid {
        return Err(UserError::new(format!(
            "git-lfs wrote {} bytes for '{shown}' that are not the object its pointer names (sha256:{}, {} bytes), found sha256:{}",
            hashes.size, wanted.oid, wanted.size, hashes.sha256
        ))
        .with_hint("git-lfs passes the pointer through when it skips a file (`lfs.fetchexclude`, `lfs.fetchinclude`); check the repository's LFS settings")
        .into());
    }
    Ok(hashes)
}

/// git-lfs's stderr without its progress lines (`Downloading PATH (SIZE)`): the error is the rest.
fn without_progress(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("Downloading "))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}
