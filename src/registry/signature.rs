//! A signed tag's parts, as git splits them, and what checking the signature found. Pure data:
//! the checking itself runs in `signature/` (in-process for SSH, git's programs for the rest).

use std::fmt;

/// The signature formats git writes into a tag (`gpg.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SigFormat {
    OpenPgp,
    Ssh,
    X509,
}

/// The lines that begin a signature block, per format, as git's `gpg-interface.c` lists them.
const MARKERS: &[(&str, SigFormat)] = &[
    ("-----BEGIN PGP SIGNATURE-----", SigFormat::OpenPgp),
    ("-----BEGIN PGP MESSAGE-----", SigFormat::OpenPgp),
    ("-----BEGIN SIGNED MESSAGE-----", SigFormat::X509),
    ("-----BEGIN SSH SIGNATURE-----", SigFormat::Ssh),
];

impl SigFormat {
    /// The word `gpg.format` and our JSON use.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SigFormat::OpenPgp => "openpgp",
            SigFormat::Ssh => "ssh",
            SigFormat::X509 => "x509",
        }
    }

    /// The format whose begin line `line` starts with (git's `get_format_by_sig`).
    fn of_line(line: &[u8]) -> Option<SigFormat> {
        MARKERS
            .iter()
            .find(|(m, _)| line.starts_with(m.as_bytes()))
            .map(|(_, f)| *f)
    }
}

impl fmt::Display for SigFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signed tag object split as git splits it: the bytes that were signed (the whole object up
/// to the signature block) and the armored signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    pub format: SigFormat,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Where the signature block of a tag object (or of its message) starts: the *last* line that
/// begins with a signature marker, as git's `parse_signed_buffer` finds it. `None`: unsigned.
pub(crate) fn signature_start(buf: &[u8]) -> Option<(usize, SigFormat)> {
    let mut found = None;
    let mut at = 0;
    while at < buf.len() {
        if let Some(format) = SigFormat::of_line(&buf[at..]) {
            found = Some((at, format));
        }
        at = match buf[at..].iter().position(|&b| b == b'\n') {
            Some(i) => at + i + 1,
            None => buf.len(),
        };
    }
    found
}

/// Splits a tag object into what was signed and the signature; `None` when it is unsigned.
pub(crate) fn split(object: &[u8]) -> Option<Signed> {
    let (at, format) = signature_start(object)?;
    Some(Signed {
        format,
        payload: object[..at].to_vec(),
        signature: object[at..].to_vec(),
    })
}

/// What checking one event's signature found. `Good` only when the signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigStatus {
    /// No signature block.
    Unsigned,
    /// The signature is valid, by a key an allowed signer holds (SSH) or the verifier's keyring
    /// trusts (OpenPGP, X.509): who (`principal`) and with which key.
    Good {
        format: SigFormat,
        principal: String,
        fingerprint: String,
    },
    /// The tag's content does not match its signature (or the signature is malformed).
    Bad { format: SigFormat, reason: String },
    /// A valid signature by a key no allowed signer holds.
    UnknownKey {
        format: SigFormat,
        fingerprint: String,
        reason: String,
    },
    /// A valid signature by an allowed key, outside its validity at the tag's date.
    Expired {
        format: SigFormat,
        principal: String,
        fingerprint: String,
        reason: String,
    },
    /// It could not be checked (no verifier program, no allowed-signers file): why.
    Unverifiable { format: SigFormat, reason: String },
}

impl SigStatus {
    /// The status word of `audit`, `history --json` and `check-ref --json`.
    pub(crate) fn word(&self) -> &'static str {
        match self {
            SigStatus::Unsigned => "unsigned",
            SigStatus::Good { .. } => "good",
            SigStatus::Bad { .. } => "bad",
            SigStatus::UnknownKey { .. } => "unknown-key",
            SigStatus::Expired { .. } => "expired",
            SigStatus::Unverifiable { .. } => "unverifiable",
        }
    }

    /// The format, for a signed tag.
    pub(crate) fn format(&self) -> Option<SigFormat> {
        match self {
            SigStatus::Unsigned => None,
            SigStatus::Good { format, .. }
            | SigStatus::Bad { format, .. }
            | SigStatus::UnknownKey { format, .. }
            | SigStatus::Expired { format, .. }
            | SigStatus::Unverifiable { format, .. } => Some(*format),
        }
    }

    /// The proven signer: only for a good signature.
    pub(crate) fn principal(&self) -> Option<&str> {
        match self {
            SigStatus::Good { principal, .. } => Some(principal),
            _ => None,
        }
    }

    /// The key's fingerprint, where the check learned it.
    pub(crate) fn fingerprint(&self) -> Option<&str> {
        match self {
            SigStatus::Good { fingerprint, .. }
            | SigStatus::UnknownKey { fingerprint, .. }
            | SigStatus::Expired { fingerprint, .. } => Some(fingerprint),
            _ => None,
        }
    }

    /// Why it is not good, in plain words.
    pub(crate) fn reason(&self) -> Option<&str> {
        match self {
            SigStatus::Bad { reason, .. }
            | SigStatus::UnknownKey { reason, .. }
            | SigStatus::Expired { reason, .. }
            | SigStatus::Unverifiable { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_marker_line_starts_the_signature_as_in_git() {
        let obj = b"object x\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nquoted\n-----END PGP SIGNATURE-----\n-----BEGIN SSH SIGNATURE-----\nAAA\n-----END SSH SIGNATURE-----\n";
        let s = split(obj).unwrap();
        assert_eq!(s.format, SigFormat::Ssh);
        assert!(s.payload.ends_with(b"-----END PGP SIGNATURE-----\n"));
        assert!(s.signature.starts_with(b"-----BEGIN SSH SIGNATURE-----"));
        // A marker inside a line is no marker.
        assert_eq!(
            split(b"object x\n\nsee -----BEGIN PGP SIGNATURE-----\n"),
            None
        );
        assert_eq!(split(b""), None);
        let x = split(b"a\n-----BEGIN SIGNED MESSAGE-----\nz").unwrap();
        assert_eq!(
            (x.format, x.payload.as_slice()),
            (SigFormat::X509, &b"a\n"[..])
        );
    }
}
