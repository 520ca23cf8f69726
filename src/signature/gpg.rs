//! OpenPGP and X.509 signatures checked by git's own programs, exactly as git's
//! `gpg-interface.c` (`verify_gpg_signed_buffer`, `parse_gpg_output`) runs and reads them: the
//! program git would use, `--status-fd=1 --verify SIGFILE -`, and its `[GNUPG:]` status lines.
//! What the program cannot tell us it never claims: `Good` needs GOODSIG, VALIDSIG and exit 0.

mod run;
mod status;

use std::process::Command;
use std::time::Duration;

use self::run::{RunError, SigFile, run};
use self::status::{Trust, judge};
use crate::registry::signature::{SigFormat, SigStatus};

#[cfg(test)]
#[path = "gpg_tests.rs"]
mod tests;
#[cfg(test)]
#[path = "gpg_x509_tests.rs"]
mod x509_tests;

/// How long one verification may take: generous (a cold keyring, a slow smartcard check), but
/// a hung program must not hang a read forever.
const TIMEOUT: Duration = Duration::from_mins(1);

/// The verifier programs git would run, from its configuration, and its trust floor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Programs {
    openpgp: Program,
    x509: Program,
    /// `gpg.minTrustLevel`: git fails a good signature whose key is trusted less.
    min_trust: Trust,
    /// Where `gpg.minTrustLevel` is not a level git knows, its value (then nothing is good, as
    /// git refuses to run with it).
    bad_min_trust: Option<String>,
    timeout: Duration,
}

/// One program and the configuration key that chose it (for the reasons we print).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Program {
    path: String,
    key: &'static str,
    /// Nothing set it: git's default.
    default: bool,
}

impl Programs {
    /// The programs git would run in `repo`: OpenPGP `gpg.openpgp.program`, else `gpg.program`,
    /// else `gpg`; X.509 `gpg.x509.program`, else `gpgsm`; and `gpg.minTrustLevel`.
    pub(crate) fn from_repo(repo: &crate::git::Repo) -> Programs {
        Programs::from_config(|key| repo.config_string(key))
    }

    /// [`Programs::from_repo`] over any lookup (the tests hand one in).
    fn from_config(get: impl Fn(&str) -> Option<String>) -> Programs {
        let pick = |keys: &[&'static str], default: &str| {
            keys.iter()
                .find_map(|&key| {
                    get(key).filter(|v| !v.is_empty()).map(|path| Program {
                        path,
                        key,
                        default: false,
                    })
                })
                .unwrap_or_else(|| Program {
                    path: default.to_string(),
                    key: keys[keys.len() - 1],
                    default: true,
                })
        };
        let (min_trust, bad_min_trust) = match get("gpg.minTrustLevel") {
            None => (Trust::Undefined, None),
            Some(v) => match Trust::parse(&v.to_ascii_uppercase()) {
                Some(t) => (t, None),
                None => (Trust::Undefined, Some(v)),
            },
        };
        Programs {
            openpgp: pick(&["gpg.openpgp.program", "gpg.program"], "gpg"),
            x509: pick(&["gpg.x509.program"], "gpgsm"),
            min_trust,
            bad_min_trust,
            timeout: TIMEOUT,
        }
    }
}

/// Checks `signature` over `payload` (a tag object split by `registry::signature::split`) with
/// the program git would run for `format`, and says what it found.
pub(crate) fn verify(
    programs: &Programs,
    format: SigFormat,
    payload: &[u8],
    signature: &[u8],
) -> SigStatus {
    let unverifiable = |reason: String| SigStatus::Unverifiable { format, reason };
    let (program, args): (&Program, &[&str]) = match format {
        // git's `openpgp_verify_args`; X.509 has none.
        SigFormat::OpenPgp => (&programs.openpgp, &["--keyid-format=long"]),
        SigFormat::X509 => (&programs.x509, &[]),
        SigFormat::Ssh => {
            return unverifiable(
                "SSH signatures are checked against the allowed-signers file, not by gpg".into(),
            );
        }
    };
    if let Some(bad) = &programs.bad_min_trust {
        return unverifiable(format!(
            "gpg.minTrustLevel is '{bad}', not one of undefined, never, marginal, fully, ultimate"
        ));
    }
    let sig_file = match SigFile::write(signature) {
        Ok(f) => f,
        Err(e) => {
            return unverifiable(format!(
                "cannot write the signature to a temporary file: {e}"
            ));
        }
    };
    let mut cmd = Command::new(&program.path);
    cmd.args(args)
        .arg("--status-fd=1")
        .arg("--verify")
        .arg(&sig_file.path)
        .arg("-");
    let ran = match run(cmd, payload, programs.timeout) {
        Ok(ran) => ran,
        Err(RunError::NotFound) => {
            let set = if program.default {
                format!("git's default; {} names another", program.key)
            } else {
                format!("{} = {}", program.key, program.path)
            };
            return unverifiable(format!(
                "{} is not installed ({set}): cannot check the {format} signature",
                program.path
            ));
        }
        Err(RunError::Other(why)) => {
            return unverifiable(format!("cannot run {}: {why}", program.path));
        }
        Err(RunError::TimedOut) => {
            return unverifiable(format!(
                "{} did not finish within {} s (killed)",
                program.path,
                programs.timeout.as_secs()
            ));
        }
    };
    drop(sig_file);
    judge(format, &program.path, &ran, programs.min_trust)
}
