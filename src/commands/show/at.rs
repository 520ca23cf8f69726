//! `show --at WHEN`: a day (its end, UTC), a date and time git understands, or a revision.

use anyhow::Result;

use crate::commands::Global;
use crate::error::UserError;

/// `--at`'s parse-time check: a value shaped like a day must be a calendar day (`2026-02-31` is
/// a usage error, never rolled over to 3 March nor tried as a branch name).
pub(super) fn when_arg(s: &str) -> Result<String, String> {
    match crate::registry::time::invalid_day(s) {
        Some(why) => Err(format!("'{s}' is not a calendar day: {why}")),
        None => Ok(s.to_string()),
    }
}

/// `--at WHEN`: a day (its end, UTC), a date and time git understands, or a revision.
pub(super) fn resolve_when(global: &Global, when: &str) -> Result<i64> {
    use crate::registry::time::parse_git_date;
    let day = when.len() == 10 && when.as_bytes()[4] == b'-' && when.as_bytes()[7] == b'-';
    if day {
        if let Some(t) = parse_git_date(&format!("{when} 23:59:59 +0000")) {
            return Ok(t.seconds);
        }
    }
    if let Some(t) = parse_git_date(when) {
        return Ok(t.seconds);
    }
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
