//! Git LFS: a blob that is an LFS pointer, and its bytes through the `git-lfs` program.
//! A stub until the LFS source lands (engineer H2 replaces this file): it recognises nothing
//! and fetches nothing.

use std::path::Path;

use anyhow::Result;

use super::written::Hashes;
use crate::error::UserError;
use crate::git::Repo;

/// What an LFS pointer file names.
#[allow(dead_code, reason = "the stub never reads a pointer")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LfsPointer {
    /// The SHA-256 hex of the object.
    pub oid: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The pointer `bytes` hold, if they are one (the stub: never).
pub(super) fn pointer(bytes: &[u8]) -> Option<LfsPointer> {
    let _ = bytes;
    None
}

/// Writes the object a pointer names into `into` (a new file), hashing it as it is written.
pub(super) fn smudge(
    repo: &Repo,
    path_in_repo: &str,
    pointer_bytes: &[u8],
    into: &Path,
) -> Result<Hashes> {
    let _ = (repo, pointer_bytes, into);
    Err(UserError::new(format!(
        "'{}' is a Git LFS pointer, and getting LFS objects is not supported yet",
        crate::output::escape(path_in_repo)
    ))
    .into())
}
