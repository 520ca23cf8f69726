//! Network work through the `git` program: fetch tags before a write, push a new tag (or its
//! deletion), and keep a cached partial mirror per URL for `-C URL` (SPEC §4.6, `mirror.rs`).
//!
//! The `git` program (`git::git_command`, hardened), not libgit2, so credential helpers, SSH
//! agents, proxies and `insteadOf` rules behave as they do for the user's own `git push`. Beyond
//! the ref lists the mirror compares, nothing here parses git's output but its exit status;
//! stderr is passed on in error messages.

use std::path::Path;

use anyhow::Result;

use crate::error::UserError;
use crate::git::{ALLOWED_PROTOCOLS, credentials, git_command, redact};

mod mirror;

pub(crate) use mirror::{mirror, mirror_lock};

/// Whether `-C VALUE` names a remote repository rather than a local path. (Anything URL-shaped
/// counts, supported or not: `check_url` then refuses what is not supported, instead of it
/// being taken for a missing directory.)
pub(crate) fn is_url(value: &str) -> bool {
    if Path::new(value).exists() {
        return false;
    }
    if value.contains("://") || value.contains("::") {
        return true;
    }
    // scp-like `user@host:path` or `host:path` (but not a Windows drive `C:\…`).
    match value.split_once(':') {
        Some((host, path)) => {
            !host.is_empty() && !host.contains('/') && host.len() > 1 && !path.is_empty()
        }
        None => false,
    }
}

/// Accepts only the URL forms the README lists: `https://`, `ssh://`, `git://`, `file://` and
/// scp-like `[user@]host:path`. A remote-helper form (`ext::…`, `fd::17`) or another scheme is a
/// usage error naming the value; a URL carrying a password or token is refused (it would be
/// stored in the mirror's config), with a hint to use a credential helper.
pub(crate) fn check_url(url: &str) -> Result<()> {
    let unsupported = || -> anyhow::Error {
        crate::error::UsageError(format!(
            "-C '{}' is neither a local repository nor a supported URL (supported: https://, ssh://, git://, file://, or [user@]host:path)",
            redact(url)
        ))
        .into()
    };
    if url.starts_with('-') || url.contains("::") || url.chars().any(char::is_control) {
        return Err(unsupported());
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !ALLOWED_PROTOCOLS.contains(&scheme.as_str()) {
            return Err(unsupported());
        }
        // `https://host/repo?token=…` (some hosts accept access tokens that way) would be
        // stored in the mirror's config and echoed by git's messages: refused like a password.
        let query = scheme.starts_with("http") && rest.contains('?');
        if credentials(&scheme, rest).is_some() || query {
            return Err(UserError::new(format!(
                "the URL '{}' carries credentials{}; registry does not store them in its mirror cache",
                redact(url),
                if query { " or a query string" } else { "" }
            ))
            .with_hint(
                "give the URL without them and let git's credential helper supply them \
                 (e.g. `gh auth setup-git`, or `git config --global credential.helper store`)",
            )
            .into());
        }
    }
    Ok(())
}

/// Runs `git --git-dir DIR ARGS`; on failure, the error carries git's stderr (credentials
/// redacted) and the rejection lines of `--porcelain` output.
fn git(git_dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = git_command()
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut why: Vec<&str> = stdout.lines().filter(|l| l.starts_with('!')).collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        why.extend(stderr.lines().map(str::trim_end).filter(|l| !l.is_empty()));
        Err(redact(why.join("\n").trim()))
    }
}

/// The URL of a remote, if the repository has it.
pub(crate) fn remote_url(git_dir: &Path, remote: &str) -> Option<String> {
    git(git_dir, &["remote", "get-url", "--", remote])
        .ok()
        .map(|s| s.trim().to_string())
}

/// Fetches the remote's tags (and the commits they point at) so that versions and counters are
/// planned against the remote, not a stale clone. A local tag that differs from the remote's
/// one of the same name is an error: the two have drifted apart and the user must decide.
pub(crate) fn fetch_tags(git_dir: &Path, remote: &str) -> Result<()> {
    if remote_url(git_dir, remote).is_none() {
        return Err(UserError::new(format!(
            "this repository has no remote '{remote}' to push to"
        ))
        .with_hint("add one with `git remote add origin URL`, or leave out --push")
        .into());
    }
    // Not --quiet: that would also silence the reason of a refused tag ("would clobber existing
    // tag"). Nothing is printed on success.
    git(git_dir, &["fetch", "--tags", "--", remote]).map_err(|stderr| {
        UserError::new(format!("cannot fetch the tags of '{remote}' before writing: {stderr}"))
            .with_hint("with --push, versions and counters are computed from the remote's tags; fix the fetch (or leave out --push)")
    })?;
    Ok(())
}

/// The error of a failed push: GTO's message plus git's.
fn push_failed(remote: &str, tag: &str, delete: bool, stderr: &str) -> UserError {
    let verb = if delete { "push --delete" } else { "push" };
    UserError::new(format!(
        "The command `git {verb} {remote} {tag}` failed. Make sure your local repository is in sync with the remote.\n{stderr}"
    ))
}

/// Pushes one tag (or its deletion) to `remote`. On failure returns GTO's message plus git's.
pub(crate) fn push_tag(
    git_dir: &Path,
    remote: &str,
    tag: &str,
    delete: bool,
) -> Result<(), UserError> {
    let refspec = if delete {
        format!(":refs/tags/{tag}")
    } else {
        format!("refs/tags/{tag}:refs/tags/{tag}")
    };
    git(
        git_dir,
        &["push", "--quiet", "--porcelain", "--", remote, &refspec],
    )
    .map_err(|stderr| push_failed(remote, tag, delete, &stderr))?;
    Ok(())
}

/// Pushes a tag object that no local ref names yet as `refs/tags/TAG` (remote-first writes:
/// the local ref is created only once the remote has the tag).
pub(crate) fn push_object(
    git_dir: &Path,
    remote: &str,
    object: &str,
    tag: &str,
) -> Result<(), UserError> {
    let refspec = format!("{object}:refs/tags/{tag}");
    git(
        git_dir,
        &["push", "--quiet", "--porcelain", "--", remote, &refspec],
    )
    .map_err(|stderr| push_failed(remote, tag, false, &stderr))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_urls_from_paths() {
        assert!(is_url("https://github.com/org/models.git"));
        assert!(is_url("file:///srv/git/models.git"));
        assert!(is_url("git@github.com:org/models.git"));
        assert!(!is_url("."));
        assert!(!is_url("/definitely/not/here"));
        assert!(!is_url("relative/dir"));
        // Remote-helper forms look like URLs, so `check_url` can refuse them by name.
        assert!(is_url("fd::17"));
        assert!(is_url("ext::sh -c x"));
    }

    #[test]
    fn accepts_only_the_documented_url_forms() {
        for ok in [
            "https://github.com/org/models.git",
            "ssh://git@host/org/models.git",
            "git://host/models.git",
            "file:///srv/git/models.git",
            "git@github.com:org/models.git",
            "host:models.git",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "fd::17",
            "ext::sh -c touch% x",
            "http://host/x",
            "foo://x",
            "-u:x",
        ] {
            let err = check_url(bad).expect_err(bad);
            let usage = err.downcast_ref::<crate::error::UsageError>().expect(bad);
            assert!(usage.0.contains(&format!("'{bad}'")), "{}", usage.0);
        }
        let err = check_url("https://user:s3cret@host/x.git").expect_err("credentials");
        let user = err.downcast_ref::<UserError>().expect("user error");
        assert!(!user.message.contains("s3cret"), "{}", user.message);
        assert!(
            user.message.contains("https://***@host/x.git"),
            "{}",
            user.message
        );
    }

    #[test]
    fn redacts_query_strings_of_http_urls() {
        assert_eq!(
            redact("fatal: 'https://host/x.git?access_token=T0K' not found; ssh://h/p?q"),
            "fatal: 'https://host/x.git?***' not found; ssh://h/p?q"
        );
        assert!(check_url("https://host/x.git?private_token=abc").is_err());
        assert!(check_url("https://host/x.git").is_ok());
        assert!(check_url("file:///tmp/odd?name").is_ok());
    }

    #[test]
    fn redacts_credentials_in_any_text() {
        assert_eq!(
            redact("fatal: unable to access 'https://user:tok@host/x.git/': 403"),
            "fatal: unable to access 'https://***@host/x.git/': 403"
        );
        assert_eq!(
            redact("https://TOKEN@github.com/o/r"),
            "https://***@github.com/o/r"
        );
        assert_eq!(
            redact("ssh://git@host/x and ssh://a:pw@h"),
            "ssh://git@host/x and ssh://***@h"
        );
        assert_eq!(redact("no url here"), "no url here");
    }
}
