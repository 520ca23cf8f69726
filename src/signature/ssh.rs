//! Checking the SSH signature of a registry tag in-process, against an allowed-signers file: the
//! verdict `git verify-tag` reaches with `gpg.ssh.allowedSignersFile` (it runs `ssh-keygen -Y
//! find-principals`, then `-Y verify -n git -I principal -Overify-time=<tag date>`), without one
//! process per tag.
//!
//! The verdict, in the order it is decided:
//! - `Unverifiable`: the key (or a certificate's CA) is of a type this build cannot check (DSA,
//!   NIST P-521): never guessed as good or bad.
//! - `Bad`: the block does not parse, its namespace is not `git`, the signature does not match
//!   the signed bytes, or (a certificate) the CA's signature over the certificate is wrong.
//! - `UnknownKey`: no line without `cert-authority` holds the key (for a certificate: no
//!   `cert-authority` line holds its CA) with `namespaces` allowing `git`; or every such line
//!   fails on identity (below; for a certificate also: not a user certificate, or no principal).
//! - `Expired`: a line holds the key and names its principal, but the tag's date `at` is before
//!   its `valid-after` or after its `valid-before` (that second still valid, as in OpenSSH); for a
//!   certificate also outside the certificate's own window (valid-after ≤ at < valid-before).
//! - `Good` otherwise, with the line's principal and the signing key's fingerprint (`SHA256:…`
//!   as `ssh-keygen -l` prints it; for a certificate its own key's, as `ssh-keygen -Y verify`
//!   prints).
//!
//! Which principal a line proves: the tagger's `claimed_email` when the line lists it by name;
//! else the line's only name when it has one plain name; else the principals field as written
//! (`*@example.com`, `alice@example.com,release-bot`), as git reports it, so a pattern or a
//! shared line never proves a name the policy lists (a key on a `*@example.com` line would
//! otherwise be whoever at example.com it claimed to be). A line of patterns only that does not
//! accept the claimed e-mail proves no one: `unknown-key`, saying so (git would accept it, with
//! the pattern as the principal). A certificate proves one of its own principals that the line
//! accepts: the claimed e-mail if it is one, else the first. When several lines qualify, the one
//! that lists the claimed e-mail by name wins, then a one-name line, then the rest, each in file
//! order; a `Good` line beats an `Expired` one (reported only when no line is good), which beats
//! identity failures.
//!
//! Known differences from git, all rare: git takes the principals of the *first* line holding
//! the key (ignoring `namespaces` there) and then insists on a line for that principal allowing
//! git; we take any line allowing git. We read times without `Z` as UTC (see
//! `allowed_signers.rs`), and no `gpg.ssh.revocationFile` is consulted. The proven principal
//! comes from the file or the tag unescaped: whoever prints it escapes it.

#[cfg(test)]
mod cert_tests;
#[cfg(test)]
mod lab;
mod sshsig;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use ssh_key::HashAlg;

use crate::output::escape;
use crate::registry::signature::{SigFormat, SigStatus};
use crate::signature::allowed_signers::{AllowedSigners, Entry, is_pattern, matches_list};

use self::sshsig::Signer;

/// The namespace git signs in.
const NAMESPACE: &str = "git";

/// The verdict on one tag's SSH signature (`payload` the signed bytes, `signature` the armored
/// block, as `registry::signature::split` cuts them), judged at the tag's date `at` (unix seconds).
pub(crate) fn verify(
    allowed: &AllowedSigners,
    payload: &[u8],
    signature: &[u8],
    claimed_email: &str,
    at: i64,
) -> SigStatus {
    let format = SigFormat::Ssh;
    let sig = match sshsig::parse(signature) {
        Ok(sig) => sig,
        Err(why) => {
            return SigStatus::Bad {
                format,
                reason: format!("the SSH signature does not parse: {why}"),
            };
        }
    };
    if sig.namespace != NAMESPACE {
        return SigStatus::Bad {
            format,
            reason: format!(
                "the signature is for the namespace \"{}\", not \"git\"",
                escape(&sig.namespace)
            ),
        };
    }
    if let Some(reason) = sig.unsupported() {
        return SigStatus::Unverifiable { format, reason };
    }
    let fingerprint = sig.signer.key().fingerprint(HashAlg::Sha256).to_string();
    if let Err(why) = sig.check(payload) {
        return SigStatus::Bad {
            format,
            reason: format!(
                "the signature by {fingerprint} does not match the tag's content ({why})"
            ),
        };
    }
    let judged = match &sig.signer {
        Signer::Plain(key) => judge_key(allowed, &sshsig::wire(key), claimed_email, at),
        Signer::Cert(cert) => {
            if cert.verify_signature().is_err() {
                return SigStatus::Bad {
                    format,
                    reason: format!(
                        "the certificate of {fingerprint} is not validly signed by its CA {}",
                        cert.signature_key().fingerprint(HashAlg::Sha256)
                    ),
                };
            }
            judge_cert(allowed, cert, claimed_email, at)
        }
    };
    match judged {
        Judged::Good(principal) => SigStatus::Good {
            format,
            principal,
            fingerprint,
        },
        Judged::Expired { principal, reason } => SigStatus::Expired {
            format,
            principal,
            fingerprint,
            reason,
        },
        Judged::Unknown(reason) => SigStatus::UnknownKey {
            format,
            fingerprint,
            reason,
        },
    }
}

/// What the allowed-signers file says about a valid signature.
enum Judged {
    Good(String),
    Expired { principal: String, reason: String },
    Unknown(String),
}

/// What one line says: its principal and how well it fits the claim (lower is better), or why
/// it does not apply.
enum LineVerdict {
    Good { principal: String, rank: u8 },
    Expired { principal: String, reason: String },
    Mismatch(String),
}

/// The claimed e-mail is listed by name / the line's only name / the whole field.
const LITERAL: u8 = 0;
const FIRST: u8 = 1;
const PATTERN: u8 = 2;

/// A plain key: the lines that hold it.
fn judge_key(allowed: &AllowedSigners, wire: &[u8], claimed: &str, at: i64) -> Judged {
    let lines: Vec<&Entry> = allowed.lines_with_key(wire).collect();
    if lines.is_empty() {
        return Judged::Unknown("no line of the allowed-signers file holds this key".to_string());
    }
    judge_lines(&lines, |entry| {
        let Some((principal, rank)) = principal_of(entry, claimed) else {
            return LineVerdict::Mismatch(format!(
                "the tagger e-mail \"{}\" does not match the principals \"{}\" of line {}",
                escape(claimed),
                escape(&entry.principals),
                entry.line
            ));
        };
        match window(entry, at) {
            Some(reason) => LineVerdict::Expired { principal, reason },
            None => LineVerdict::Good { principal, rank },
        }
    })
}

/// A certificate: the `cert-authority` lines that hold its CA.
fn judge_cert(
    allowed: &AllowedSigners,
    cert: &ssh_key::Certificate,
    claimed: &str,
    at: i64,
) -> Judged {
    let ca = cert.signature_key();
    let lines: Vec<&Entry> = allowed.lines_with_ca(&sshsig::wire(ca)).collect();
    if lines.is_empty() {
        return Judged::Unknown(format!(
            "the key's certificate is signed by the CA {}, which no cert-authority line holds",
            ca.fingerprint(HashAlg::Sha256)
        ));
    }
    let listed = cert.valid_principals();
    judge_lines(&lines, |entry| {
        if !cert.cert_type().is_user() {
            return LineVerdict::Mismatch("the certificate is not a user certificate".into());
        }
        if listed.is_empty() {
            return LineVerdict::Mismatch("the certificate lists no principals".into());
        }
        let accepted: Vec<&String> = listed
            .iter()
            .filter(|p| matches_list(p, &entry.principals))
            .collect();
        let (principal, rank) = match accepted.iter().find(|p| p.as_str() == claimed) {
            Some(p) => ((*p).clone(), LITERAL),
            None => match accepted.first() {
                Some(p) => ((*p).clone(), FIRST),
                None => {
                    return LineVerdict::Mismatch(format!(
                        "the certificate's principals \"{}\" are not accepted by line {} (\"{}\")",
                        escape(&listed.join(",")),
                        entry.line,
                        escape(&entry.principals)
                    ));
                }
            },
        };
        let at_wide = i128::from(at);
        let reason = if at_wide < i128::from(cert.valid_after()) {
            Some(format!(
                "the certificate is not yet valid at the tag's date {}: valid after {}",
                date(at_wide),
                date(i128::from(cert.valid_after()))
            ))
        } else if at_wide >= i128::from(cert.valid_before()) {
            Some(format!(
                "the certificate expired before the tag's date {}: valid before {}",
                date(at_wide),
                date(i128::from(cert.valid_before()))
            ))
        } else {
            window(entry, at)
        };
        match reason {
            Some(reason) => LineVerdict::Expired { principal, reason },
            None => LineVerdict::Good { principal, rank },
        }
    })
}

/// The best verdict over the lines that hold the key, among those whose `namespaces` allow git.
fn judge_lines(lines: &[&Entry], judge: impl Fn(&Entry) -> LineVerdict) -> Judged {
    let usable: Vec<&Entry> = lines
        .iter()
        .copied()
        .filter(|e| e.allows_namespace(NAMESPACE))
        .collect();
    if usable.is_empty() {
        let e = lines[0];
        return Judged::Unknown(format!(
            "the key is on line {}, but its namespaces=\"{}\" do not include git",
            e.line,
            escape(e.namespaces.as_deref().unwrap_or(""))
        ));
    }
    let mut best: Option<(u8, String)> = None;
    let mut expired = None;
    let mut mismatches = Vec::new();
    for entry in usable {
        match judge(entry) {
            LineVerdict::Good { principal, rank } => {
                if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                    best = Some((rank, principal));
                }
            }
            LineVerdict::Expired { principal, reason } => {
                expired.get_or_insert((principal, reason));
            }
            LineVerdict::Mismatch(reason) => mismatches.push(reason),
        }
    }
    if let Some((_, principal)) = best {
        Judged::Good(principal)
    } else if let Some((principal, reason)) = expired {
        Judged::Expired { principal, reason }
    } else {
        Judged::Unknown(mismatches.join("; "))
    }
}

/// The principal `entry` proves for this claim, and how well it fits (see the module comment):
/// the claimed e-mail when the line lists it by name; the line's one name when it has just one;
/// else the principals field as written, as git reports it (`*@example.com`, `alice,bob`), so a
/// pattern or a shared line never proves a name that `authorize` lists (a key on a
/// `*@example.com` line would otherwise be anyone at example.com it claimed to be). A line of
/// patterns only that does not accept the claimed e-mail proves no one.
fn principal_of(entry: &Entry, claimed: &str) -> Option<(String, u8)> {
    let accepts = matches_list(claimed, &entry.principals);
    if accepts && entry.principal_list().any(|p| p == claimed) {
        return Some((claimed.to_string(), LITERAL));
    }
    let mut names = entry.principal_list();
    if let (Some(only), None) = (names.next(), names.next())
        && !is_pattern(only)
    {
        return Some((only.to_string(), FIRST));
    }
    (accepts || entry.principal_list().any(|p| !is_pattern(p)))
        .then(|| (entry.principals.clone(), PATTERN))
}

/// Why `at` is outside the line's `valid-after`/`valid-before`, if it is.
fn window(entry: &Entry, at: i64) -> Option<String> {
    if let Some(after) = entry.valid_after
        && at < after
    {
        return Some(format!(
            "the key is not yet valid at the tag's date {}: valid-after {} (line {})",
            date(i128::from(at)),
            date(i128::from(after)),
            entry.line
        ));
    }
    if let Some(before) = entry.valid_before
        && at > before
    {
        return Some(format!(
            "the key expired before the tag's date {}: valid-before {} (line {})",
            date(i128::from(at)),
            date(i128::from(before)),
            entry.line
        ));
    }
    None
}

/// A unix time as `2026-01-02T03:04:05Z` (the raw seconds when out of the calendar's range).
fn date(seconds: i128) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .map_or_else(|| format!("{seconds} (unix seconds)"), |t| t.to_string())
}
