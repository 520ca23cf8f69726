//! `show --at WHEN`: the moment it names, a revision's read in the repository.

use anyhow::Result;

use crate::commands::Global;
use crate::error::UserError;
use crate::registry::spec::When;

/// `--at WHEN`: a time as parsed, or a revision's commit time.
pub(super) fn resolve_when(global: &Global, when: &When) -> Result<i64> {
    let when = match when {
        When::Time(seconds) => return Ok(*seconds),
        When::Revision(rev) => rev,
    };
    let repo = crate::git::Repo::open(global.repo.as_deref()).map_err(|_| {
        UserError::new(format!(
            "--at '{when}' is neither a date nor a revision here"
        ))
    })?;
    repo.commit_time(when).map_err(|e| {
        // A revision that exists but cannot be read (a damaged commit) says so; only an
        // unknown one is "neither a date nor a revision".
        let unknown = e
            .downcast_ref::<UserError>()
            .is_some_and(|u| u.message.starts_with("unknown revision"));
        if !unknown {
            return e;
        }
        UserError::new(format!("--at '{when}' is neither a date nor a revision"))
            .with_hint("use 2026-03-01, '2026-03-01 12:00:00 +0100', or a commit, tag or branch")
            .into()
    })
}
