//! Signatures of registry tags: making them as `git tag -s` does (`sign.rs`) and checking them
//! (SSH in-process against an allowed-signers file, `ssh.rs`; OpenPGP and X.509 through git's
//! own programs, `gpg.rs`). What a check found is the core's `SigStatus`; the `Verifier` here
//! picks the way for each tag.

pub(crate) mod allowed_signers;
pub(crate) mod gpg;
pub(crate) mod sign;
pub(crate) mod ssh;

use std::collections::HashMap;

use crate::git::Repo;
use crate::registry::event::Event;
use crate::registry::signature::{SigFormat, SigStatus, Signed};
use allowed_signers::AllowedSigners;

/// The largest SSH signature block checked (a real one is under 2 KiB).
const MAX_SSH_SIGNATURE: usize = 64 * 1024;
/// The largest OpenPGP or X.509 signature block handed to a verifier (real ones are a few KiB).
const MAX_GPG_SIGNATURE: usize = 1024 * 1024;

/// Who an OpenPGP or X.509 key is. git asks the verifier's keyring; under a policy that is not
/// enough (any key in whatever keyring the check runs with could claim `alice@example.com` in its
/// user ID), so the trusted policy pins fingerprints to principals.
#[derive(Debug, Clone)]
pub(crate) enum GpgTrust {
    /// As git: the keyring's verdict and the user ID's e-mail (reads without a policy).
    Keyring,
    /// Only these keys (upper-case fingerprint → principal) prove anyone; others are unknown.
    Pinned(HashMap<String, String>),
    /// No trusted policy to take pins from (the checked-out commit's are the pusher's): no
    /// OpenPGP or X.509 signature is good, for this reason.
    Untrusted(String),
}

/// Checks signatures: SSH ones in-process against the allowed signers the trusted policy names,
/// OpenPGP and X.509 ones through the programs git would run. Shared by threads (`check_all`).
pub(crate) struct Verifier {
    /// The allowed signers, or why SSH signatures cannot be checked (no file named, missing,
    /// not text).
    ssh: Result<AllowedSigners, String>,
    programs: gpg::Programs,
    gpg_trust: GpgTrust,
}

impl Verifier {
    /// A verifier with these allowed signers (or the reason there are none) and the repository's
    /// git configuration for the OpenPGP and X.509 programs.
    pub(crate) fn new(
        repo: &Repo,
        ssh: Result<AllowedSigners, String>,
        gpg_trust: GpgTrust,
    ) -> Verifier {
        Verifier {
            ssh,
            programs: gpg::Programs::from_repo(repo),
            gpg_trust,
        }
    }

    /// The allowed signers, when there are any.
    pub(crate) fn allowed_signers(&self) -> Option<&AllowedSigners> {
        self.ssh.as_ref().ok()
    }

    /// What one event's signature is. Validity is judged at the tag's own date, as git passes
    /// `-Overify-time` to `ssh-keygen`.
    /// (The gate judges again at the time it runs: `commands/trust.rs` `status_at`.)
    pub(crate) fn check(&self, event: &Event) -> SigStatus {
        match &event.signed {
            None => SigStatus::Unsigned,
            Some(signed) => self.check_signed(signed, &event.author_email, event.time.seconds),
        }
    }

    /// What a signature is: `claimed_email` is the tagger's e-mail (it picks the principal of a
    /// wildcard line), `at` the date validity is judged at.
    pub(crate) fn check_signed(&self, signed: &Signed, claimed_email: &str, at: i64) -> SigStatus {
        // A real SSH signature is under 2 KiB and an OpenPGP or X.509 one a few; a block far
        // larger is no signature, and must not cost a verifier's time or memory.
        let limit = match signed.format {
            SigFormat::Ssh => MAX_SSH_SIGNATURE,
            _ => MAX_GPG_SIGNATURE,
        };
        if signed.signature.len() > limit {
            return SigStatus::Bad {
                format: signed.format,
                reason: format!(
                    "its signature block is {} bytes, more than any real {} signature ({limit} at most)",
                    signed.signature.len(),
                    signed.format
                ),
            };
        }
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
            format => {
                let status =
                    gpg::verify(&self.programs, format, &signed.payload, &signed.signature);
                pinned(&self.gpg_trust, status)
            }
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

/// A good OpenPGP or X.509 status under pinned keys: the pinned principal, or unknown.
fn pinned(trust: &GpgTrust, status: SigStatus) -> SigStatus {
    let pins = match trust {
        GpgTrust::Keyring => return status,
        GpgTrust::Pinned(pins) => pins,
        GpgTrust::Untrusted(why) => {
            return match status {
                SigStatus::Good { format, .. } => SigStatus::Unverifiable {
                    format,
                    reason: why.clone(),
                },
                other => other,
            };
        }
    };
    let SigStatus::Good {
        format,
        fingerprint,
        ..
    } = status
    else {
        return status;
    };
    match pins.get(&fingerprint.to_ascii_uppercase()) {
        Some(principal) => SigStatus::Good {
            format,
            principal: principal.clone(),
            fingerprint,
        },
        None => SigStatus::UnknownKey {
            reason: if pins.is_empty() {
                format!(
                    "the {format} key {fingerprint} is valid in this keyring, but the policy pins no {format} key (signatures.gpg_keys), so it proves no principal"
                )
            } else {
                format!(
                    "the {format} key {fingerprint} is valid in this keyring, but signatures.gpg_keys pins no principal to it"
                )
            },
            format,
            fingerprint,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good(fp: &str) -> SigStatus {
        SigStatus::Good {
            format: SigFormat::OpenPgp,
            principal: "alice@example.com".into(),
            fingerprint: fp.into(),
        }
    }

    /// Under a policy, a key proves only the principal the policy pins to it: the user ID the
    /// keyring shows (anyone can make a key saying `alice@example.com`) proves no one.
    #[test]
    fn pinned_keys_prove_their_principal_and_others_no_one() {
        let pins = GpgTrust::Pinned([("ABCD".repeat(10), "release-bot".to_string())].into());
        assert_eq!(
            pinned(&pins, good(&"abcd".repeat(10))),
            SigStatus::Good {
                format: SigFormat::OpenPgp,
                principal: "release-bot".into(),
                fingerprint: "abcd".repeat(10),
            }
        );
        let other = pinned(&pins, good(&"1234".repeat(10)));
        assert_eq!(other.word(), "unknown-key");
        assert!(
            other.reason().unwrap().contains("pins no principal to it"),
            "{other:?}"
        );
        let none = pinned(&GpgTrust::Pinned(HashMap::new()), good("AB12"));
        assert!(
            none.reason()
                .unwrap()
                .contains("the policy pins no openpgp key"),
            "{none:?}"
        );
        // Without a policy, the keyring's word stands, as git's; a failure is never changed.
        assert_eq!(pinned(&GpgTrust::Keyring, good("AB12")), good("AB12"));
        let bad = SigStatus::Bad {
            format: SigFormat::OpenPgp,
            reason: "x".into(),
        };
        assert_eq!(pinned(&pins, bad.clone()), bad);
    }
}
