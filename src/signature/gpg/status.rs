//! The `[GNUPG:]` status lines of gpg and gpgsm read exactly as git's `parse_gpg_output` reads
//! them, and what they mean for one signature: never `Good` without GOODSIG, VALIDSIG and exit 0.

use super::run::Ran;
use crate::registry::signature::{SigFormat, SigStatus};

/// git's `enum signature_trust_level`, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Trust {
    Undefined,
    Never,
    Marginal,
    Fully,
    Ultimate,
}

impl Trust {
    /// The word of a `TRUST_` status line (git's `sigcheck_gpg_trust_level`).
    pub(super) fn parse(word: &str) -> Option<Trust> {
        Some(match word {
            "UNDEFINED" => Trust::Undefined,
            "NEVER" => Trust::Never,
            "MARGINAL" => Trust::Marginal,
            "FULLY" => Trust::Fully,
            "ULTIMATE" => Trust::Ultimate,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Trust::Undefined => "undefined",
            Trust::Never => "never",
            Trust::Marginal => "marginal",
            Trust::Fully => "fully",
            Trust::Ultimate => "ultimate",
        }
    }
}

/// What git's `parse_gpg_output` gathers from the status lines.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Parsed {
    /// The letter git's `sigc->result` takes: G, B, E, X, Y, R.
    result: Option<char>,
    key: Option<String>,
    signer: Option<String>,
    fingerprint: Option<String>,
    primary_fingerprint: Option<String>,
    trust: Option<Trust>,
    /// `NO_PUBKEY` was seen, or ERRSIG's return code 9 (git reads neither; they tell an
    /// unknown key from other errors).
    no_pubkey: bool,
    /// The issuer fingerprint ERRSIG names after its return code (gpg 2.2.7 and later).
    errsig_fingerprint: Option<String>,
    /// `NODATA` or `BADARMOR`: no signature could be read at all.
    no_data: bool,
    /// Two exclusive statuses (two signatures) or a trust word git does not know: git's
    /// `error:` path, all partial data cleared.
    conflict: bool,
}

/// The status lines as git reads them. Two exclusive statuses (two signatures) or a trust word
/// git does not know make it an error (`E`) with all partial data cleared, as in git.
pub(super) fn parse_status(status: &str) -> Parsed {
    // git's `sigcheck_gpg_status`, its exclusive statuses: (letter, prefix, has a uid). Each
    // names a key id first.
    const STD: [(char, &str, bool); 6] = [
        ('G', "GOODSIG ", true),
        ('B', "BADSIG ", true),
        ('E', "ERRSIG ", false),
        ('X', "EXPSIG ", true),
        ('Y', "EXPKEYSIG ", true),
        ('R', "REVKEYSIG ", true),
    ];
    let mut p = Parsed::default();
    let mut seen_exclusive = false;
    let error = |mut p: Parsed| {
        p.result = Some('E');
        p.conflict = true;
        p.key = None;
        p.signer = None;
        p.fingerprint = None;
        p.primary_fingerprint = None;
        p
    };
    for line in status.split('\n') {
        let Some(line) = line.strip_prefix("[GNUPG:] ") else {
            continue;
        };
        if line.starts_with("NO_PUBKEY ") {
            p.no_pubkey = true;
        } else if line.starts_with("NODATA ") || line.starts_with("BADARMOR") {
            p.no_data = true;
        }
        if let Some(&(letter, prefix, has_uid)) =
            STD.iter().find(|(_, pre, _)| line.starts_with(pre))
        {
            let rest = &line[prefix.len()..];
            if seen_exclusive {
                return error(p);
            }
            seen_exclusive = true;
            p.result = Some(letter);
            let (key, uid) = rest
                .split_once(' ')
                .map_or((rest, None), |(k, u)| (k, Some(u)));
            p.key = Some(key.to_string());
            if has_uid {
                if let Some(uid) = uid {
                    p.signer = Some(uid.to_string());
                }
            } else if letter == 'E' {
                // ERRSIG <keyid> <pkalgo> <hashalgo> <sig_class> <time> <rc> [<fpr>]
                let fields: Vec<&str> = rest.split(' ').collect();
                p.no_pubkey |= fields.get(5) == Some(&"9");
                p.errsig_fingerprint = fields
                    .get(6)
                    .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_hexdigit()))
                    .map(ToString::to_string);
            }
        } else if let Some(rest) = line.strip_prefix("VALIDSIG ") {
            let fields: Vec<&str> = rest.split(' ').collect();
            p.fingerprint = Some(fields[0].to_string()).filter(|f| !f.is_empty());
            // The tenth field, only OpenPGP has: the primary key's fingerprint (the rest of the
            // line, as git keeps it).
            p.primary_fingerprint = (fields.len() >= 10).then(|| fields[9..].join(" "));
        } else if let Some(rest) = line.strip_prefix("TRUST_") {
            let word = rest.split([' ', '\n']).next().unwrap_or("");
            match Trust::parse(word) {
                Some(t) => p.trust = Some(t),
                None => return error(p),
            }
        }
    }
    p
}

/// The principal of a signer uid: the e-mail inside `<>`, else the whole uid.
fn principal_of(uid: &str) -> String {
    match (uid.rfind('<'), uid.rfind('>')) {
        (Some(a), Some(b)) if a < b && b > a + 1 => uid[a + 1..b].to_string(),
        _ => uid.to_string(),
    }
}

/// At most this many characters of one value the program printed go into a status.
const MAX_VALUE: usize = 200;

/// A value the program printed, fit for a terminal: control characters escaped (a signature's
/// own data, such as its issuer, can reach gpg's messages), and shortened.
fn plain(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_VALUE {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The status from one run of the program: git's rules, then ours for what git lumps together.
pub(super) fn judge(format: SigFormat, program: &str, ran: &Ran, min_trust: Trust) -> SigStatus {
    let p = parse_status(&ran.stdout);
    let program = &plain(program);
    let key = plain(p.key.as_deref().unwrap_or_default());
    let fingerprint = p.fingerprint.as_deref().map_or_else(|| key.clone(), plain);
    let signer = plain(p.signer.as_deref().unwrap_or_default());
    let first_err = plain(
        ran.stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no message"),
    );
    let exit = match ran.code {
        Some(c) => format!("exit status {c}"),
        None => "killed by a signal".to_string(),
    };
    match p.result {
        Some('G') => {
            // git: `ret |= !strstr(stdout, "\n[GNUPG:] GOODSIG ")`, then the exit status.
            let goodsig_line = ran.stdout.contains("\n[GNUPG:] GOODSIG ");
            if ran.code != Some(0) || !goodsig_line {
                return SigStatus::Unverifiable {
                    format,
                    reason: format!("{program} reported a good signature but ended with {exit}"),
                };
            }
            if p.fingerprint.is_none() {
                return SigStatus::Unverifiable {
                    format,
                    reason: format!("{program} reported GOODSIG without VALIDSIG: no fingerprint"),
                };
            }
            if signer.is_empty() {
                return SigStatus::Unverifiable {
                    format,
                    reason: format!("{program} reported GOODSIG without a signer"),
                };
            }
            let trust = p.trust.unwrap_or(Trust::Undefined);
            if trust < min_trust {
                return SigStatus::UnknownKey {
                    format,
                    fingerprint,
                    reason: format!(
                        "the key of {signer} is trusted '{}', below gpg.minTrustLevel '{}'",
                        trust.word(),
                        min_trust.word()
                    ),
                };
            }
            SigStatus::Good {
                format,
                principal: principal_of(&signer),
                fingerprint,
            }
        }
        Some('B') => SigStatus::Bad {
            format,
            reason: format!("BAD signature from {signer} (key {key}): the tag does not match it"),
        },
        Some('R') => SigStatus::Bad {
            format,
            reason: format!("key revoked: {signer} (key {key})"),
        },
        Some('X') => SigStatus::Expired {
            format,
            principal: principal_of(&signer),
            fingerprint,
            reason: format!("the signature by {signer} has expired"),
        },
        Some('Y') => SigStatus::Expired {
            format,
            principal: principal_of(&signer),
            fingerprint,
            reason: format!("the key of {signer} ({key}) has expired"),
        },
        Some(_) if p.no_pubkey && !key.is_empty() => SigStatus::UnknownKey {
            format,
            fingerprint: p
                .errsig_fingerprint
                .as_deref()
                .map_or_else(|| key.clone(), plain),
            reason: format!("no public key {key} in {program}'s keyring"),
        },
        Some(_) if p.conflict => SigStatus::Bad {
            format,
            reason: format!(
                "{program} reported more than one signature or a malformed status, which git \
                 rejects"
            ),
        },
        Some(_) => SigStatus::Unverifiable {
            format,
            reason: format!("{program} cannot check the signature by key {key}: {first_err}"),
        },
        None if p.no_data => SigStatus::Bad {
            format,
            reason: format!("malformed signature: {first_err}"),
        },
        None => SigStatus::Unverifiable {
            format,
            reason: format!("{program} gave no verdict ({exit}): {first_err}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status of `status` printed by a program that exits `code`.
    fn judged(status: &str, code: i32, min: Trust) -> SigStatus {
        let ran = Ran {
            stdout: status.into(),
            stderr: "gpg: something\n".into(),
            code: Some(code),
        };
        judge(SigFormat::OpenPgp, "gpg", &ran, min)
    }

    const GOOD: &str = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 0123456789ABCDEF Alice <alice@example.com>\n[GNUPG:] VALIDSIG FPR 2024-01-01 1 0 4 0 22 8 00 PRIMARY\n[GNUPG:] TRUST_MARGINAL 0 pgp\n";

    #[test]
    fn status_lines_are_read_as_git_reads_them() {
        let good = judged(GOOD, 0, Trust::Undefined);
        assert_eq!(good.principal(), Some("alice@example.com"));
        assert_eq!(good.fingerprint(), Some("FPR"));
        assert_eq!(
            parse_status(GOOD).primary_fingerprint.as_deref(),
            Some("PRIMARY")
        );
        // Never good unless the exit status is 0 and GOODSIG is on a line of its own.
        assert_eq!(judged(GOOD, 1, Trust::Undefined).word(), "unverifiable");
        assert_eq!(
            judged(&GOOD["[GNUPG:] NEWSIG\n".len()..], 0, Trust::Undefined).word(),
            "unverifiable"
        );
        // Nor without VALIDSIG: no fingerprint was checked.
        let no_validsig = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 0123456789ABCDEF Alice\n";
        assert_eq!(
            judged(no_validsig, 0, Trust::Undefined).word(),
            "unverifiable"
        );
        // gpg.minTrustLevel: below it, the key counts as unknown.
        assert_eq!(judged(GOOD, 0, Trust::Marginal).word(), "good");
        let low = judged(GOOD, 0, Trust::Fully);
        assert_eq!(low.word(), "unknown-key");
        assert!(
            low.reason()
                .unwrap()
                .contains("below gpg.minTrustLevel 'fully'")
        );
        // Two signatures, or a trust level git does not know: rejected, as git does.
        let two = format!("{GOOD}[GNUPG:] BADSIG 0123456789ABCDEF Mallory\n");
        assert_eq!(judged(&two, 0, Trust::Undefined).word(), "bad");
        let odd = GOOD.replace("TRUST_MARGINAL", "TRUST_SUPREME");
        assert_eq!(judged(&odd, 0, Trust::Undefined).word(), "bad");
        // A uid without <>: the whole uid.
        let plain = GOOD.replace("Alice <alice@example.com>", "release-bot");
        assert_eq!(
            judged(&plain, 0, Trust::Undefined).principal(),
            Some("release-bot")
        );
        // Revoked: bad, saying so. Expired signature: expired.
        let revoked = judged(
            "\n[GNUPG:] REVKEYSIG 0123456789ABCDEF Alice <a@x>\n",
            0,
            Trust::Undefined,
        );
        assert_eq!(revoked.word(), "bad");
        assert!(
            revoked.reason().unwrap().starts_with("key revoked"),
            "{revoked:?}"
        );
        let expsig = judged(
            "\n[GNUPG:] EXPSIG 0123456789ABCDEF Alice <a@x>\n",
            0,
            Trust::Undefined,
        );
        assert_eq!(expsig.word(), "expired");
        // ERRSIG with NO_PUBKEY (or return code 9): unknown key; other ERRSIG: unverifiable.
        let errsig = "\n[GNUPG:] ERRSIG 0123456789ABCDEF 22 8 00 1700000000 9 AAAA0123456789ABCDEF\n[GNUPG:] NO_PUBKEY 0123456789ABCDEF\n";
        let unknown = judged(errsig, 2, Trust::Undefined);
        assert_eq!(unknown.word(), "unknown-key");
        assert_eq!(unknown.fingerprint(), Some("AAAA0123456789ABCDEF"));
        let algo = "\n[GNUPG:] ERRSIG 0123456789ABCDEF 99 8 00 1700000000 4\n";
        assert_eq!(judged(algo, 2, Trust::Undefined).word(), "unverifiable");
        // No signature data at all: malformed, bad. Nothing at all: unverifiable.
        assert_eq!(
            judged("[GNUPG:] NODATA 1\n", 2, Trust::Undefined).word(),
            "bad"
        );
        assert_eq!(judged("", 2, Trust::Undefined).word(), "unverifiable");
        // What the program prints reaches a terminal escaped and bounded.
        let hostile = "\n[GNUPG:] BADSIG 0123456789ABCDEF Eve\u{1b}[2J <eve@x>\n";
        let reason = judged(hostile, 1, Trust::Undefined)
            .reason()
            .unwrap()
            .to_string();
        assert_eq!(
            reason,
            "BAD signature from Eve\\u{1b}[2J <eve@x> (key 0123456789ABCDEF): the tag does not \
             match it"
        );
        let long = GOOD.replace("Alice <alice@example.com>", &"a".repeat(5000));
        assert!(
            judged(&long, 0, Trust::Undefined)
                .principal()
                .unwrap()
                .len()
                < 300
        );
        let anonymous = GOOD.replace(" Alice <alice@example.com>", "");
        assert_eq!(
            judged(&anonymous, 0, Trust::Undefined).word(),
            "unverifiable"
        );
    }
}
