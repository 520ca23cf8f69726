//! Signatures of registry tags: making them as `git tag -s` does (`sign.rs`) and checking them
//! (SSH in-process against an allowed-signers file, `ssh.rs`; OpenPGP and X.509 through git's
//! own programs, `gpg.rs`). What a check found is the core's `SigStatus`; the `Verifier` here
//! picks the way for each tag.

pub(crate) mod allowed_signers;
pub(crate) mod gpg;
pub(crate) mod sign;
pub(crate) mod ssh;

use crate::git::Repo;
use crate::registry::event::Event;
use crate::registry::signature::{SigFormat, SigStatus, Signed};
use allowed_signers::AllowedSigners;

/// Checks signatures: SSH ones in-process against the allowed signers the trusted policy names,
/// OpenPGP and X.509 ones through the programs git would run. Shared by threads (`check_all`).
pub(crate) struct Verifier {
    /// The allowed signers, or why SSH signatures cannot be checked (no file named, missing,
    /// not text).
    ssh: Result<AllowedSigners, String>,
    programs: gpg::Programs,
}

impl Verifier {
    /// A verifier with these allowed signers (or the reason there are none) and the repository's
    /// git configuration for the OpenPGP and X.509 programs.
    pub(crate) fn new(repo: &Repo, ssh: Result<AllowedSigners, String>) -> Verifier {
        Verifier {
            ssh,
            programs: gpg::Programs::from_repo(repo),
        }
    }

    /// The allowed signers, when there are any.
    pub(crate) fn allowed_signers(&self) -> Option<&AllowedSigners> {
        self.ssh.as_ref().ok()
    }

    /// What one event's signature is. Validity is judged at the tag's own date, as git passes
    /// `-Overify-time` to `ssh-keygen`.
    pub(crate) fn check(&self, event: &Event) -> SigStatus {
        self.check_at(event, event.time.seconds)
    }

    /// What one event's signature is, with the key's validity judged at `at` (the gate passes
    /// the time it runs: a tagger date is whatever the pusher typed, and a key retired
    /// yesterday must not sign a tag dated last year).
    pub(crate) fn check_at(&self, event: &Event, at: i64) -> SigStatus {
        match &event.signed {
            None => SigStatus::Unsigned,
            Some(signed) => self.check_signed(signed, &event.author_email, at),
        }
    }

    /// What a signature is: `claimed_email` is the tagger's e-mail (it picks the principal of a
    /// wildcard line), `at` the date validity is judged at.
    pub(crate) fn check_signed(&self, signed: &Signed, claimed_email: &str, at: i64) -> SigStatus {
        match signed.format {
            SigFormat::Ssh => match &self.ssh {
                Ok(allowed) => ssh::verify(
                    allowed,
                    &signed.payload,
                    &signed.signature,
                    claimed_email,
                    at,
                ),
                Err(why) => SigStatus::Unverifiable {
                    format: SigFormat::Ssh,
                    reason: why.clone(),
                },
            },
            format => gpg::verify(&self.programs, format, &signed.payload, &signed.signature),
        }
    }

    /// The statuses of many events, in their order. The checks are independent, so they are
    /// spread over the cores: `audit` over 20,000 SSH-signed events must take well under 2 s.
    pub(crate) fn check_all(&self, events: &[&Event]) -> Vec<SigStatus> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if threads < 2 || events.len() < 256 {
            return events.iter().map(|e| self.check(e)).collect();
        }
        let chunk = events.len().div_ceil(threads.min(16));
        std::thread::scope(|scope| {
            let parts: Vec<_> = events
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|e| self.check(e)).collect()))
                .collect();
            let mut out = Vec::with_capacity(events.len());
            for part in parts {
                match part.join() {
                    Ok(statuses) => {
                        let statuses: Vec<SigStatus> = statuses;
                        out.extend(statuses);
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            out
        })
    }
}
