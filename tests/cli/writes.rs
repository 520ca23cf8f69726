//! The write commands end to end: `register`, `assign`, `promote`, `unassign`, `deregister`,
//! `deprecate`, `rollback` (SPEC §2, §4.2–4.3; reference §3, §5.1–5.3, §5.8, §12, §14).
//!
//! Each test checks what the command prints *and* what it leaves in git: the tag names, the
//! commit each tag points at, the tag message, the tagger. Snapshots assert what is correct
//! (GTO's wire format and wording, with the deliberate fixes of SPEC §3), not merely what the
//! program happens to do.

mod assign;
mod deprecate;
mod environment;
mod promote;
mod register;
mod register_checks;
mod rollback;
mod unassign;

use crate::fixture::TestRepo;

/// Every tag in creation order: its name, `tag` (annotated) or `commit` (lightweight), and the
/// subject of the commit it points at.
pub(crate) fn tags(repo: &TestRepo) -> String {
    let listing = repo.git(&[
        "for-each-ref",
        "--sort=refname",
        "--sort=creatordate",
        "--format=%(refname:strip=2) %(objecttype) -> %(if)%(*subject)%(then)%(*subject)%(else)%(subject)%(end)",
        "refs/tags",
    ]);
    if listing.is_empty() {
        "(no tags)".to_string()
    } else {
        listing
    }
}

/// The full message of one tag.
pub(crate) fn message(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["tag", "-l", "--format=%(contents)", tag])
}

/// Several commands' transcripts, one after the other, as one terminal session.
pub(crate) fn session(repo: &TestRepo, commands: &[&[&str]]) -> String {
    commands
        .iter()
        .map(|args| repo.t(args))
        .collect::<Vec<_>>()
        .join("\n")
}
