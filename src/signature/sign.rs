//! Signing a tag object as `git tag -s` does (git's `gpg-interface.c`): the user's git
//! configuration picks the format (`gpg.format`), the program and the key, the program signs the
//! object's bytes, and its armored signature is what gets appended to them. This file only
//! makes the signature: writing the object and its ref is the caller's, after signing, so a
//! failed signature leaves nothing behind. Which SSH key signs is `ssh_key.rs`; running the
//! programs, and wording their failures, is `run.rs`.

mod run;
mod ssh_key;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error::UserError;
use crate::git::{Repo, Tagger};
use crate::registry::signature::{SigFormat, split};
use run::{exit_words, last_lines};
use ssh_key::SshKey;

/// Whether a write signs: `--sign` (`Some(true)`) or `--no-sign` (`Some(false)`) decide; else
/// git's `tag.gpgSign`, or `sign: true` in `.registry.yaml`, turns it on.
pub(crate) fn wanted(flag: Option<bool>, tag_gpg_sign: Option<bool>, config_sign: bool) -> bool {
    flag.unwrap_or(tag_gpg_sign == Some(true) || config_sign)
}

/// How tags are signed, read from git's configuration once per write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signer {
    format: SigFormat,
    /// The program run, as configured (a name on PATH or a path; never a shell command).
    program: String,
    /// The config key that named the program, or `None` for the default.
    program_key: Option<&'static str>,
    key: Key,
    /// Where the program runs: the work tree's top (as `git tag` runs it), so a relative key
    /// path means what it means to git; else the current directory.
    cwd: PathBuf,
}

/// The signing key, as each format hands it to its program.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// OpenPGP, X.509: the argument of `-u` (a key id, or `Name <email>`).
    Id(String),
    /// SSH.
    Ssh(SshKey),
}

impl Signer {
    /// Reads the signing configuration as git does: `gpg.format` (openpgp, x509, ssh), the
    /// program (`gpg.program`/`gpg.openpgp.program`, `gpg.x509.program`, `gpg.ssh.program`) and
    /// the key (`user.signingKey`; for OpenPGP and X.509 else the tagger `Name <email>`; for SSH
    /// else the first line `gpg.ssh.defaultKeyCommand` prints).
    pub(crate) fn from_git_config(repo: &Repo, tagger: &Tagger) -> Result<Signer> {
        let format = match repo.config_string("gpg.format").as_deref() {
            None | Some("openpgp") => SigFormat::OpenPgp,
            Some("x509") => SigFormat::X509,
            Some("ssh") => SigFormat::Ssh,
            Some(other) => {
                return Err(UserError::new(format!(
                    "invalid value for 'gpg.format': '{}'",
                    crate::output::escape(other)
                ))
                .with_hint("must be one of openpgp, x509, ssh (`git config gpg.format ssh`)")
                .into());
            }
        };
        let keys: &[&'static str] = match format {
            // git lets the later of the two win; libgit2 reads one key at a time, so the
            // format's own key is asked first.
            SigFormat::OpenPgp => &["gpg.openpgp.program", "gpg.program"],
            SigFormat::X509 => &["gpg.x509.program"],
            SigFormat::Ssh => &["gpg.ssh.program"],
        };
        let configured = keys.iter().find_map(|k| {
            repo.config_string(k)
                .filter(|p| !p.is_empty())
                .map(|p| (*k, p))
        });
        let (program_key, program) = match configured {
            Some((k, p)) => (Some(k), p),
            None => (None, default_program(format).to_string()),
        };
        // Without a work tree (bare, or the mirror of `-C URL`) git stays where it was started.
        let cwd = repo
            .workdir()
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| repo.git_dir());
        let configured_key = repo
            .config_string("user.signingKey")
            .filter(|k| !k.is_empty());
        let key = match format {
            SigFormat::OpenPgp | SigFormat::X509 => Key::Id(
                configured_key.unwrap_or_else(|| format!("{} <{}>", tagger.name, tagger.email)),
            ),
            SigFormat::Ssh => Key::Ssh(ssh_key::ssh_key(repo, configured_key, &cwd)?),
        };
        Ok(Signer {
            format,
            program,
            program_key,
            key,
            cwd,
        })
    }

    /// How it signs, in a few words, escaped: `` `ssh-keygen` (ssh, key ~/.ssh/id.pub) ``.
    pub(crate) fn describe(&self) -> String {
        let key = match &self.key {
            Key::Id(id) => id.clone(),
            Key::Ssh(SshKey::File(path)) => path.display().to_string(),
            Key::Ssh(SshKey::Literal(text)) => {
                let short: String = text.chars().take(40).collect();
                format!("{short}… from the agent")
            }
        };
        crate::output::escape(&format!("`{}` ({}, key {key})", self.program, self.format))
            .into_owned()
    }

    /// Signs the bytes of tag object `tag` (from `Repo::tag_payload`): returns the armored
    /// signature to append to them, as `git tag -s` appends it. On any failure (no key, a
    /// missing key file, a refusing agent, no program, a program that fails or prints no
    /// signature) the error says why, with the program's last lines, and nothing is written.
    pub(crate) fn sign(&self, tag: &str, payload: &[u8]) -> Result<Vec<u8>> {
        let fail = |why: String| -> anyhow::Error {
            UserError::new(format!("cannot sign tag '{tag}': {why}"))
                .with_hint(self.hint())
                .into()
        };
        let mut signature = match &self.key {
            Key::Id(id) => self.sign_gpg(id, payload, &fail)?,
            Key::Ssh(key) => self.sign_ssh(key, payload, &fail)?,
        };
        // git strips CRs from the signature (`remove_cr_after`), in case it came from Windows.
        signature.retain(|&b| b != b'\r');
        // What was signed must be exactly what git's split of the object gives back.
        let mut object = payload.to_vec();
        object.extend_from_slice(&signature);
        match split(&object) {
            Some(s) if s.payload.len() == payload.len() && s.format == self.format => Ok(signature),
            _ => Err(fail(format!(
                "`{}` printed no {} signature block",
                crate::output::escape(&self.program),
                self.format
            ))),
        }
    }

    /// What to try: the key and the format, in git's own config words.
    fn hint(&self) -> String {
        let key = match self.format {
            SigFormat::Ssh => {
                "`git config user.signingKey ~/.ssh/id_ed25519.pub` (a key file) or `git config user.signingKey 'key::ssh-ed25519 AAAA…'` (a key your ssh-agent holds)"
            }
            SigFormat::OpenPgp => {
                "`git config user.signingKey KEYID` (see `gpg --list-secret-keys`)"
            }
            SigFormat::X509 => {
                "`git config user.signingKey KEYID` (see `gpgsm --list-secret-keys`)"
            }
        };
        let program = match self.program_key {
            Some(k) => format!("{k} = {}", self.program),
            None => format!("the default program, {}", self.program),
        };
        crate::output::escape(&format!(
            "set the key with {key}; gpg.format is {} ({program}); `git tag -s` would fail the same way; --no-sign writes the tag unsigned",
            self.format
        ))
        .into_owned()
    }
}

/// The program of a format when none is configured.
fn default_program(format: SigFormat) -> &'static str {
    match format {
        SigFormat::OpenPgp => "gpg",
        SigFormat::X509 => "gpgsm",
        SigFormat::Ssh => "ssh-keygen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_decide_else_either_config_turns_signing_on() {
        assert!(wanted(Some(true), None, false));
        assert!(!wanted(Some(false), Some(true), true));
        assert!(wanted(None, Some(true), false));
        assert!(wanted(None, None, true));
        assert!(!wanted(None, Some(false), false));
        assert!(!wanted(None, None, false));
    }
}
