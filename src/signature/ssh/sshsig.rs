//! The SSH signature format (OpenSSH's PROTOCOL.sshsig): the armored block's bytes, its fields,
//! and the cryptographic check of the signed bytes. Who may sign is `ssh.rs`'s business.
//!
//! Read here rather than with `SshSig::from_pem` because the signing key may be a certificate,
//! which `SshSig` cannot hold: we read the fields as `sshsig.c` does, then hand the plain key and
//! the signature to `ssh-key` for the check.

use std::str::FromStr;

use ssh_key::public::KeyData;
use ssh_key::{Algorithm, Certificate, EcdsaCurve, HashAlg, PublicKey, Signature, SshSig};

const BEGIN: &[u8] = b"-----BEGIN SSH SIGNATURE-----\n";
const END: &[u8] = b"\n-----END SSH SIGNATURE-----";
const MAGIC: &[u8] = b"SSHSIG";
const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

/// The key that made a signature: a plain key, or a certificate (its key, signed by a CA).
pub(crate) enum Signer {
    Plain(KeyData),
    Cert(Box<Certificate>),
}

impl Signer {
    /// The key that signed (a certificate's own key).
    pub(crate) fn key(&self) -> &KeyData {
        match self {
            Signer::Plain(key) => key,
            Signer::Cert(cert) => cert.public_key(),
        }
    }
}

/// A parsed SSH signature.
pub(crate) struct Parsed {
    pub(crate) signer: Signer,
    pub(crate) namespace: String,
    hash: HashAlg,
    signature: Signature,
}

impl Parsed {
    /// Why this build cannot check the signature, if it cannot: a key type (the signer's, or a
    /// certificate's CA's) that `ssh-key` is built without (DSA, NIST P-521) or does not know.
    pub(crate) fn unsupported(&self) -> Option<String> {
        let check = |key: &KeyData| match key.algorithm() {
            Algorithm::Dsa
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP521,
            }
            | Algorithm::Other(_) => Some(format!(
                "{} keys are not supported by the in-process SSH verifier",
                key.algorithm()
            )),
            _ => None,
        };
        check(self.signer.key()).or_else(|| match &self.signer {
            Signer::Cert(cert) => check(cert.signature_key()),
            Signer::Plain(_) => None,
        })
    }

    /// Whether the signature is `signer`'s over `payload` in its namespace. The reserved field is
    /// signed as empty whatever the block says, as `sshsig_wrap_verify` does.
    pub(crate) fn check(&self, payload: &[u8]) -> Result<(), String> {
        let key = self.signer.key();
        let sig = SshSig::new(
            key.clone(),
            self.namespace.as_str(),
            self.hash,
            self.signature.clone(),
        )
        .map_err(|e| e.to_string())?;
        PublicKey::new(key.clone(), "")
            .verify(&self.namespace, payload, &sig)
            .map_err(|e| e.to_string())
    }
}

/// Reads an armored `-----BEGIN SSH SIGNATURE-----` block, or says what is wrong with it.
pub(crate) fn parse(armored: &[u8]) -> Result<Parsed, String> {
    let body = armored
        .strip_prefix(BEGIN)
        .ok_or("it does not begin with -----BEGIN SSH SIGNATURE-----")?;
    let end = body
        .windows(END.len())
        .position(|w| w == END)
        .ok_or("it has no -----END SSH SIGNATURE----- line")?;
    let blob = base64(&body[..end])?;
    let mut r = Reader(&blob);
    if r.take(MAGIC.len()) != Some(MAGIC) {
        return Err("it lacks the SSHSIG preamble".to_string());
    }
    let version = r.u32().ok_or("it ends inside the version")?;
    if version > 1 {
        return Err(format!("its version {version} is newer than 1"));
    }
    let key_blob = r.string().ok_or("it ends inside the public key")?;
    let namespace = r.text().ok_or("it ends inside the namespace")?;
    r.string().ok_or("it ends inside the reserved field")?;
    let hash_name = r.text().ok_or("it ends inside the hash algorithm")?;
    let sig_blob = r.string().ok_or("it ends inside the signature")?;
    if !r.0.is_empty() {
        return Err("it has data after the signature".to_string());
    }
    if namespace.is_empty() {
        return Err("its namespace is empty".to_string());
    }
    let hash = match hash_name {
        "sha256" | "sha512" => HashAlg::from_str(hash_name).map_err(|e| e.to_string())?,
        other => {
            return Err(format!(
                "its hash algorithm {other:?} is not sha256 or sha512"
            ));
        }
    };
    let signer = signer(key_blob)?;
    let sig_alg = Reader(sig_blob)
        .text()
        .ok_or("its signature has no algorithm")?;
    // As `sshsig_wrap_verify`: an RSA key must sign with SHA-2, never `ssh-rsa` (SHA-1).
    if signer.key().is_rsa() && !matches!(sig_alg, "rsa-sha2-256" | "rsa-sha2-512") {
        return Err(format!(
            "its RSA signature algorithm {sig_alg:?} is not rsa-sha2-256 or rsa-sha2-512"
        ));
    }
    let signature = Signature::try_from(sig_blob)
        .map_err(|e| format!("its {sig_alg:?} signature does not read: {e}"))?;
    // `ssh-key` reads some lengths leniently (a key's inner length is not checked against what
    // follows); OpenSSH does not. What we accept must re-encode to exactly the bytes given.
    if encode_signature(&signature) != sig_blob {
        return Err(format!(
            "its {sig_alg:?} signature is not in canonical form"
        ));
    }
    Ok(Parsed {
        signer,
        namespace: namespace.to_string(),
        hash,
        signature,
    })
}

/// The signing key's blob: a plain key, or a certificate (`…-cert-v01@openssh.com`).
fn signer(blob: &[u8]) -> Result<Signer, String> {
    let kind = Reader(blob).text().ok_or("its public key has no type")?;
    let (signer, again) = if kind.ends_with(CERT_SUFFIX) {
        let cert = Certificate::from_bytes(blob)
            .map_err(|e| format!("its certificate ({kind}) does not read: {e}"))?;
        let again = cert.to_bytes().unwrap_or_default();
        (Signer::Cert(Box::new(cert)), again)
    } else {
        let key = PublicKey::from_bytes(blob)
            .map_err(|e| format!("its public key ({kind}) does not read: {e}"))?;
        let again = key.to_bytes().unwrap_or_default();
        (Signer::Plain(key.key_data().clone()), again)
    };
    if again != blob {
        return Err(format!("its public key ({kind}) is not in canonical form"));
    }
    Ok(signer)
}

/// A signature's wire encoding: its algorithm and data as strings (a security key's flags and
/// counter follow its signature raw, as `ssh-key` keeps them at the end of the data).
fn encode_signature(signature: &Signature) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend(u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend(bytes);
    }
    let mut out = Vec::new();
    let algorithm = signature.algorithm();
    string(&mut out, algorithm.as_str().as_bytes());
    let data = signature.as_bytes();
    match algorithm {
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 if data.len() >= 5 => {
            let (sig, trailer) = data.split_at(data.len() - 5);
            string(&mut out, sig);
            out.extend(trailer);
        }
        _ => string(&mut out, data),
    }
    out
}

/// The wire encoding of a key (what the allowed-signers index is keyed by).
pub(crate) fn wire(key: &KeyData) -> Vec<u8> {
    PublicKey::new(key.clone(), "")
        .to_bytes()
        .unwrap_or_default()
}

/// SSH wire format reading: big-endian `u32` lengths before strings.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u32()?).ok()?;
        self.take(n)
    }

    /// A string that must be UTF-8 (names: the namespace, algorithms).
    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.string()?).ok()
    }
}

/// Standard base64, whitespace skipped (as OpenSSH's `b64_pton`), `=` padding only at the end.
fn base64(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits, mut pad) = (0u32, 0u32, 0usize);
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => continue,
            c => return Err(format!("its base64 has a bad byte 0x{c:02x}")),
        };
        if pad > 0 {
            return Err("its base64 has data after the padding".to_string());
        }
        acc = ((acc << 6) | u32::from(v)) & 0x00ff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    if pad > 2 || bits >= 6 {
        return Err("its base64 is truncated".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::signature::allowed_signers::AllowedSigners;
    use crate::signature::ssh::verify;

    /// `ssh-keygen -Y sign -n git` of `payload\n` by the key below, and the same by a certificate
    /// (principal alice@example.com, 2025 to 2028) that this key, as a CA, signed.
    const PLAIN: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgOu985js5mF894bdc3VIsRDg97T
UWDh9rA9GpyFFKSlsAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
AAAAQGu+1GYYzGlUrPingwvMv9+vhPWB/NzVBPY4eIuHE5C4FJHESsajJXDO5PX4ZiFsVy
lvQMcUtia54epMhLFppwc=
-----END SSH SIGNATURE-----
";
    const CERT: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAAcMAAAAgc3NoLWVkMjU1MTktY2VydC12MDFAb3BlbnNzaC5jb20AAA
AgcsHIEoF2aqZwWelGziOz8WYP4knMctpwsGjnXs0tMr0AAAAgFhsu72QhiP61bz997Ngv
/DcTKWQWK989H9dWa4zi1KkAAAAAAAAAAAAAAAEAAAACaWQAAAAVAAAAEWFsaWNlQGV4YW
1wbGUuY29tAAAAAGd0hYAAAAAAbRggAAAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2Fy
ZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3
J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJj
AAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIDrvfOY7OZhfPeG3XN1SLEQ4Pe01Fg
4fawPRqchRSkpbAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEAR2jj6ahtmf4xGmvuo/DZu/yx6
JOjWImC8GY4Eh2MZ4+K1zK9z6UC/O26MNytjunuqZZtTo1T531aKauu1uG8LAAAAA2dpdA
AAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEDmJoZ6sS5jYLL21yEWAbEw
ORCRX1YnNNDn0TQrp3khm74B2HPH5w8krN+wHFc3W79TWQvgtz4YKoiV305xZbYO
-----END SSH SIGNATURE-----
";
    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrvfOY7OZhfPeG3XN1SLEQ4Pe01Fg4fawPRqchRSkpb";
    /// 2026-01-01T00:00:00Z.
    const AT: i64 = 1_767_225_600;

    fn armor(blob: &[u8]) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = BEGIN.to_vec();
        for chunk in blob.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]);
                } else {
                    out.push(b'=');
                }
            }
        }
        out.extend(END);
        out.push(b'\n');
        out
    }

    fn blob(armored: &str) -> Vec<u8> {
        let body = &armored.as_bytes()[BEGIN.len()..];
        let end = body.windows(END.len()).position(|w| w == END).unwrap();
        base64(&body[..end]).unwrap()
    }

    #[test]
    fn signatures_made_by_ssh_keygen_check() {
        let sig = parse(PLAIN.as_bytes()).unwrap();
        assert_eq!(sig.namespace, "git");
        assert!(matches!(sig.signer, Signer::Plain(_)));
        assert_eq!(sig.check(b"payload\n"), Ok(()));
        assert!(sig.check(b"payloaD\n").is_err());
        let again = parse(&armor(&blob(PLAIN))).unwrap();
        assert_eq!(
            again.check(b"payload\n"),
            Ok(()),
            "the test's armor is OpenSSH's"
        );

        let cert = parse(CERT.as_bytes()).unwrap();
        assert!(matches!(cert.signer, Signer::Cert(_)));
        assert_eq!(cert.check(b"payload\n"), Ok(()));
        let (allowed, _) = AllowedSigners::parse(&format!("*@example.com cert-authority {KEY}"));
        let status = verify(&allowed, b"payload\n", CERT.as_bytes(), "x@example.com", AT);
        assert_eq!(status.principal(), Some("alice@example.com"), "{status:?}");
    }

    proptest! {
        /// Any byte of a real signature changed, or the blob cut short: a verdict, never a panic,
        /// and never good (but for the unsigned version field).
        #[test]
        fn damaged_signatures_never_panic(
            cert in any::<bool>(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in any::<bool>(),
        ) {
            let (allowed, _) = AllowedSigners::parse(&format!(
                "alice@example.com {KEY}\n*@example.com cert-authority {KEY}\n"
            ));
            let mut blob = blob(if cert { CERT } else { PLAIN });
            let i = at.index(blob.len());
            if cut {
                blob.truncate(i);
            } else if blob[i] == byte {
                return Ok(());
            } else {
                blob[i] = byte;
            }
            let status = verify(&allowed, b"payload\n", &armor(&blob), "alice@example.com", AT);
            // The version (bytes 6 to 9) is not signed, and OpenSSH accepts any up to 1.
            if !(6..10).contains(&i) || cut {
                prop_assert_ne!(status.word(), "good", "{:?}", status);
            }
        }
    }

    #[test]
    fn base64_reads_as_openssh_does() {
        assert_eq!(base64(b"U1NIU0lH").unwrap(), b"SSHSIG");
        assert_eq!(base64(b"U1NI\nU0lH\n").unwrap(), b"SSHSIG");
        assert_eq!(base64(b"YQ==").unwrap(), b"a");
        assert_eq!(base64(b"YWI=").unwrap(), b"ab");
        assert!(base64(b"Y").is_err());
        assert!(base64(b"YQ==YQ").is_err());
        assert!(base64(b"Y*Q=").is_err());
    }

    #[test]
    fn malformed_blocks_say_what_is_wrong() {
        let no_end = parse(b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n");
        assert!(no_end.err().unwrap().contains("END SSH SIGNATURE"));
        let short =
            parse(b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n");
        assert!(short.err().unwrap().contains("version"));
        let magic = parse(b"-----BEGIN SSH SIGNATURE-----\nYQ==\n-----END SSH SIGNATURE-----\n");
        assert!(magic.err().unwrap().contains("SSHSIG"));
        assert!(parse(b"").err().unwrap().contains("BEGIN"));
    }
}
