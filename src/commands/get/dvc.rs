//! DVC: the bytes of a DVC-tracked path at a commit, through `dvc get` or DVC's cache.
//! A stub until the DVC source lands (engineer H2 replaces this file).

use std::path::Path;

use anyhow::Result;

use super::written::Written;
use crate::error::UserError;
use crate::git::Repo;
use crate::registry::trailer::Provenance;

/// Writes the DVC-tracked `rel` at `commit` into `into` (which does not exist yet).
/// `url` is the remote repository of a `-C URL` session (else the session's repository is read).
pub(super) fn fetch(
    session_repo: &Repo,
    url: Option<&str>,
    commit: &str,
    rel: &str,
    recorded: Option<&Provenance>,
    into: &Path,
) -> Result<Written> {
    let _ = (session_repo, url, commit, recorded, into);
    Err(UserError::new(format!(
        "'{}' is tracked by DVC, and getting DVC-tracked bytes is not supported yet",
        crate::output::escape(rel)
    ))
    .into())
}
