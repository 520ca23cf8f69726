//! Running the signing programs as git's `gpg-interface.c` runs them: `gpg`/`gpgsm` with the
//! object on stdin, `ssh-keygen -Y sign` on files in a private temporary directory; and how
//! their failures are worded (exit status, last lines of stderr, escaped).

use std::io::{IsTerminal as _, Write as _};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};

use super::{Signer, SshKey};

impl Signer {
    /// `gpg --status-fd=2 -bsau KEY` (also gpgsm): the object on stdin, the signature on stdout,
    /// and success only with a `[GNUPG:] SIG_CREATED` status line, as git checks.
    pub(super) fn sign_gpg(
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
    pub(super) fn sign_ssh(
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
}

/// "exited with status N" or "was killed by signal N".
pub(super) fn exit_words(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => format!("failed ({status})"),
    }
}

/// The last lines of a program's stderr, each escaped (no control character reaches the
/// terminal), as `:\n  line…`; empty when it printed nothing.
pub(super) fn last_lines(stderr: &[u8]) -> String {
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
    fn last_lines_are_escaped_and_bounded() {
        assert_eq!(last_lines(b""), " (and printed nothing)");
        let text = b"1\n2\n3\n4\n5\n6\n7\n\x1b[31mred\r\n";
        assert_eq!(last_lines(text), ":\n3\n4\n5\n6\n7\n\\x1b[31mred");
    }
}
