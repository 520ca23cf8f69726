//! Which SSH key signs, as git finds it: `user.signingKey` as a key file (`~/` expanded) or a
//! key's text (`key::…`, `ssh-…`: the agent holds the private half), else the first line
//! `gpg.ssh.defaultKeyCommand` prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Result;

use super::{exit_words, last_lines};
use crate::error::UserError;
use crate::git::Repo;

/// An SSH signing key, as `ssh-keygen -Y sign` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SshKey {
    /// A key file (private, or public with the private half in the agent).
    File(PathBuf),
    /// A public key's text (`key::…`, `ssh-…`): the agent holds the private half (`-U`).
    Literal(String),
}

/// The SSH key from `user.signingKey` (`configured`), else from `gpg.ssh.defaultKeyCommand`.
pub(super) fn ssh_key(repo: &Repo, configured: Option<String>, cwd: &Path) -> Result<SshKey> {
    let text = match configured {
        Some(k) => k,
        None => default_ssh_key(repo, cwd)?,
    };
    Ok(match literal_ssh_key(&text) {
        Some(literal) => SshKey::Literal(literal.to_string()),
        None => SshKey::File(expand_home(&text)),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
