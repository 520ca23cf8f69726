//! Signing a tag object as `git tag -s` does (git's `gpg-interface.c`): the user's git
//! configuration picks the format (`gpg.format`), the program and the key, the program signs the
//! object's bytes, and its armored signature is what gets appended to them. This file only
//! makes the signature: writing the object and its ref is the caller's, after signing, so a
//! failed signature leaves nothing behind.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};

use crate::error::UserError;
use crate::git::{Repo, Tagger};
use crate::registry::signature::{SigFormat, split};

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
    /// path means what it means to git.
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

/// An SSH signing key, as `ssh-keygen -Y sign` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SshKey {
    /// A key file (private, or public with the private half in the agent).
    File(PathBuf),
    /// A public key's text (`key::…`, `ssh-…`): the agent holds the private half (`-U`).
    Literal(String),
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
        let cwd = repo
            .workdir()
            .map_or_else(|| repo.git_dir(), Path::to_path_buf);
        let configured_key = repo
            .config_string("user.signingKey")
            .filter(|k| !k.is_empty());
        let key = match format {
            SigFormat::OpenPgp | SigFormat::X509 => Key::Id(
                configured_key.unwrap_or_else(|| format!("{} <{}>", tagger.name, tagger.email)),
            ),
            SigFormat::Ssh => {
                let text = match configured_key {
                    Some(k) => k,
                    None => default_ssh_key(repo, &cwd)?,
                };
                Key::Ssh(match literal_ssh_key(&text) {
                    Some(literal) => SshKey::Literal(literal.to_string()),
                    None => SshKey::File(expand_home(&text)),
                })
            }
        };
        Ok(Signer {
            format,
            program,
            program_key,
            key,
            cwd,
        })
    }

    /// How it signs, in a few words: `ssh-keygen (ssh, key ~/.ssh/id.pub)`.
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
        if std::io::stderr().is_terminal() {
            // The program may ask for a passphrase (pinentry, ssh-keygen on the terminal): say
            // who is asking. Only on a terminal, so scripts' output stays as it was.
            let _ = writeln!(
                std::io::stderr(),
                "Signing tag '{}' with {}",
                crate::output::escape(tag),
                self.describe()
            );
        }
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

    /// `gpg --status-fd=2 -bsau KEY` (also gpgsm): the object on stdin, the signature on stdout,
    /// and success only with a `[GNUPG:] SIG_CREATED` status line, as git checks.
    fn sign_gpg(
        &self,
        key: &str,
        payload: &[u8],
        fail: &dyn Fn(String) -> anyhow::Error,
    ) -> Result<Vec<u8>> {
        let mut cmd = Command::new(&self.program);
        cmd.args(["--status-fd=2", "-bsau", key])
            .current_dir(&self.cwd)
            // As git: stdin carries the object (pinentry asks through gpg-agent, not stdin).
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| fail(self.not_run(&e)))?;
        let mut stdin = child.stdin.take().context("the signing program's stdin")?;
        let payload = payload.to_vec();
        // Written from a thread while the outputs are read, so neither side blocks on a full
        // pipe; a program that exits without reading makes the write fail, which is fine.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&payload);
        });
        let output = child
            .wait_with_output()
            .with_context(|| format!("cannot wait for `{}`", self.program))?;
        let _ = writer.join();
        let status = String::from_utf8_lossy(&output.stderr);
        let created = status
            .match_indices("[GNUPG:] SIG_CREATED ")
            .any(|(at, _)| at == 0 || status.as_bytes()[at - 1] == b'\n');
        if !output.status.success() || !created {
            let what = if output.status.success() {
                "reported no signature ([GNUPG:] SIG_CREATED)".to_string()
            } else {
                exit_words(output.status)
            };
            return Err(fail(format!(
                "`{} --status-fd=2 -bsau {}` {what}{}",
                self.program,
                crate::shell::shell_quote(key),
                last_lines(&output.stderr)
            )));
        }
        Ok(output.stdout)
    }

    /// `ssh-keygen -Y sign -n git -f KEYFILE [-U] FILE`: the object in a file of a private
    /// temporary directory, the signature read from `FILE.sig`; a literal key goes to a file
    /// there too, with `-U` so the agent signs. The directory is removed afterwards.
    fn sign_ssh(
        &self,
        key: &SshKey,
        payload: &[u8],
        fail: &dyn Fn(String) -> anyhow::Error,
    ) -> Result<Vec<u8>> {
        let dir = tempfile::Builder::new()
            .prefix(".registry-sign-")
            .tempdir()
            .context("cannot create a temporary directory for signing")?;
        let (key_file, shown, agent) = match key {
            SshKey::File(path) => {
                let full = self.cwd.join(path);
                if !full.exists() {
                    return Err(fail(format!(
                        "the SSH key file '{}' (user.signingKey) does not exist",
                        crate::output::escape(&path.display().to_string())
                    )));
                }
                (
                    path.clone(),
                    crate::shell::shell_quote(&path.display().to_string()),
                    false,
                )
            }
            SshKey::Literal(text) => {
                let file = dir.path().join("key.pub");
                std::fs::write(&file, text).context("cannot write the signing key's file")?;
                (file, "KEY.pub".to_string(), true)
            }
        };
        let buffer = dir.path().join("tag");
        std::fs::write(&buffer, payload).context("cannot write the tag object to sign")?;
        let mut cmd = Command::new(&self.program);
        cmd.args(["-Y", "sign", "-n", "git", "-f"])
            .arg(&key_file)
            .current_dir(&self.cwd);
        if agent {
            cmd.arg("-U");
        }
        cmd.arg(&buffer)
            // git lets ssh-keygen inherit stdin (a passphrase read from the terminal); without a
            // terminal it would read a passphrase from stdin with its prompt hidden in the
            // captured stderr, so then it gets none and fails, saying why, instead of waiting.
            .stdin(if std::io::stdin().is_terminal() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = cmd.output().map_err(|e| fail(self.not_run(&e)))?;
        if !output.status.success() {
            let old = String::from_utf8_lossy(&output.stderr).contains("usage:");
            let note = if old {
                " (`ssh-keygen -Y sign` needs OpenSSH 8.2p1 or later)"
            } else {
                ""
            };
            let (flag, about) = if agent {
                (
                    " -U",
                    " (KEY.pub: the public key user.signingKey gives; the agent holds its private key)",
                )
            } else {
                ("", "")
            };
            return Err(fail(format!(
                "`{} -Y sign -n git -f {shown}{flag}`{about} {}{note}{}",
                self.program,
                exit_words(output.status),
                last_lines(&output.stderr)
            )));
        }
        let sig_file = dir.path().join("tag.sig");
        std::fs::read(&sig_file).map_err(|e| {
            fail(format!(
                "`{}` wrote no signature file ({e})",
                crate::output::escape(&self.program)
            ))
        })
    }

    /// Why the program could not run at all.
    fn not_run(&self, e: &std::io::Error) -> String {
        let configured = match self.program_key {
            Some(k) => format!(" ({k})"),
            None => String::new(),
        };
        let program = crate::output::escape(&self.program);
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "the signing program `{program}`{configured} is not installed (not found on PATH)"
            )
        } else {
            format!("cannot run the signing program `{program}`{configured}: {e}")
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

/// A key given as text rather than a file (git's `is_literal_ssh_key`): `key::…` (the prefix
/// dropped) or anything starting with `ssh-`.
fn literal_ssh_key(text: &str) -> Option<&str> {
    text.strip_prefix("key::")
        .or_else(|| text.starts_with("ssh-").then_some(text))
}

/// `~/…` (and `~` alone) in the user's home, as git's `interpolate_path` expands it.
fn expand_home(text: &str) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (text, home) {
        ("~", Some(home)) => home,
        (t, Some(home)) if t.starts_with("~/") => home.join(&t[2..]),
        (t, _) => PathBuf::from(t),
    }
}

/// The SSH key when `user.signingKey` is unset: the first line `gpg.ssh.defaultKeyCommand`
/// prints, if it is a literal key (git's `get_default_ssh_signing_key`).
fn default_ssh_key(repo: &Repo, cwd: &Path) -> Result<String> {
    let hint = "`git config user.signingKey ~/.ssh/id_ed25519.pub` (a key file) or `git config user.signingKey 'key::ssh-ed25519 AAAA…'` (a key your ssh-agent holds), or `git config gpg.ssh.defaultKeyCommand 'ssh-add -L'`";
    let Some(command) = repo
        .config_string("gpg.ssh.defaultKeyCommand")
        .filter(|c| !c.trim().is_empty())
    else {
        return Err(UserError::new(
            "cannot sign: either user.signingKey or gpg.ssh.defaultKeyCommand needs to be configured for SSH signing (gpg.format is ssh)",
        )
        .with_hint(hint)
        .into());
    };
    let shown = crate::output::escape(&command).into_owned();
    let argv = split_cmdline(&command).ok_or_else(|| {
        UserError::new(format!(
            "cannot sign: gpg.ssh.defaultKeyCommand '{shown}' has an unclosed quote or a trailing backslash"
        ))
        .with_hint(hint)
    })?;
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            UserError::new(format!(
                "cannot sign: gpg.ssh.defaultKeyCommand '{shown}' cannot run: {e}"
            ))
            .with_hint(hint)
        })?;
    if !output.status.success() {
        return Err(UserError::new(format!(
            "cannot sign: gpg.ssh.defaultKeyCommand '{shown}' {}{}",
            exit_words(output.status),
            last_lines(&output.stderr)
        ))
        .with_hint(hint)
        .into());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    match stdout.lines().next() {
        Some(first) if literal_ssh_key(first).is_some() => Ok(first.to_string()),
        _ => Err(UserError::new(format!(
            "cannot sign: gpg.ssh.defaultKeyCommand '{shown}' printed no key{}",
            last_lines(&output.stderr)
        ))
        .with_hint(hint)
        .into()),
    }
}

/// git's `split_cmdline`: words split at whitespace, `'…'` and `"…"` quote, a backslash escapes
/// the next character outside single quotes. `None` for an unclosed quote or a trailing `\`.
fn split_cmdline(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted: Option<char> = None;
    let mut chars = line.trim().chars();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (None, c) if c.is_ascii_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '\'' | '"') => {
                quoted = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quoted = None,
            (q, '\\') if q != Some('\'') => {
                word.push(chars.next()?);
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted.is_some() {
        return None;
    }
    if in_word {
        words.push(word);
    }
    (!words.is_empty()).then_some(words)
}

/// "exited with status N" or "was killed by signal N".
fn exit_words(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => format!("failed ({status})"),
    }
}

/// The last lines of a program's stderr, each escaped (no control character reaches the
/// terminal), as `:\n  line…`; empty when it printed nothing.
fn last_lines(stderr: &[u8]) -> String {
    const KEEP: usize = 6;
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return " (and printed nothing)".to_string();
    }
    let from = lines.len().saturating_sub(KEEP);
    let shown: Vec<String> = lines[from..]
        .iter()
        .map(|l| {
            let l: String = l.chars().take(300).collect();
            crate::output::escape(&l).into_owned()
        })
        .collect();
    format!(":\n{}", shown.join("\n"))
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

    #[test]
    fn literal_keys_are_told_from_files_as_git_tells_them() {
        assert_eq!(
            literal_ssh_key("key::ssh-ed25519 AAAA"),
            Some("ssh-ed25519 AAAA")
        );
        assert_eq!(
            literal_ssh_key("ssh-ed25519 AAAA"),
            Some("ssh-ed25519 AAAA")
        );
        assert_eq!(literal_ssh_key("~/.ssh/id.pub"), None);
    }

    #[test]
    fn command_lines_split_as_git_splits_them() {
        let s = |l: &str| split_cmdline(l);
        assert_eq!(s("ssh-add -L"), Some(vec!["ssh-add".into(), "-L".into()]));
        assert_eq!(
            s(r#"  a 'b c' "d \"e\"" f\ g ''"#),
            Some(vec![
                "a".into(),
                "b c".into(),
                "d \"e\"".into(),
                "f g".into(),
                String::new()
            ])
        );
        assert_eq!(s("a 'b"), None);
        assert_eq!(s("a \\"), None);
        assert_eq!(s("   "), None);
    }

    #[test]
    fn last_lines_are_escaped_and_bounded() {
        assert_eq!(last_lines(b""), " (and printed nothing)");
        let text = b"1\n2\n3\n4\n5\n6\n7\n\x1b[31mred\r\n";
        assert_eq!(last_lines(text), ":\n3\n4\n5\n6\n7\n\\x1b[31mred");
    }
}
