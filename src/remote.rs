//! Network work through the `git` program: fetch tags before a write, push a new tag (or its
//! deletion), and keep a cached bare mirror per URL for `-C URL` (SPEC §4.6).
//!
//! The `git` program, not libgit2, so credential helpers, SSH agents, proxies and `insteadOf`
//! rules behave exactly as they do for the user's own `git push`. Nothing here parses git's
//! output beyond its exit status; stderr is passed on in error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::digest::sha256_bytes;
use crate::error::UserError;

/// Whether `-C VALUE` names a remote repository rather than a local path.
pub fn is_url(value: &str) -> bool {
    if Path::new(value).exists() {
        return false;
    }
    if value.contains("://") {
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

/// Runs `git --git-dir DIR ARGS`; on failure, the error carries git's stderr.
fn git(git_dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The URL of a remote, if the repository has it.
pub fn remote_url(git_dir: &Path, remote: &str) -> Option<String> {
    git(git_dir, &["remote", "get-url", remote])
        .ok()
        .map(|s| s.trim().to_string())
}

/// Fetches the remote's tags (and the commits they point at) so that versions and counters are
/// planned against the remote, not a stale clone. A local tag that differs from the remote's
/// one of the same name is an error: the two have drifted apart and the user must decide.
pub fn fetch_tags(git_dir: &Path, remote: &str) -> Result<()> {
    if remote_url(git_dir, remote).is_none() {
        return Err(UserError::new(format!(
            "this repository has no remote '{remote}' to push to"
        ))
        .with_hint("add one with `git remote add origin URL`, or leave out --push")
        .into());
    }
    git(git_dir, &["fetch", "--quiet", "--tags", remote]).map_err(|stderr| {
        UserError::new(format!("cannot fetch the tags of '{remote}' before writing: {stderr}"))
            .with_hint("with --push, versions and counters are computed from the remote's tags; fix the fetch (or leave out --push)")
    })?;
    Ok(())
}

/// Pushes one tag (or its deletion) to `remote`. On failure returns GTO's message plus git's.
pub fn push_tag(git_dir: &Path, remote: &str, tag: &str, delete: bool) -> Result<(), UserError> {
    let refspec = if delete {
        format!(":refs/tags/{tag}")
    } else {
        format!("refs/tags/{tag}:refs/tags/{tag}")
    };
    git(git_dir, &["push", "--quiet", "--porcelain", remote, &refspec]).map_err(|stderr| {
        let verb = if delete { "push --delete" } else { "push" };
        UserError::new(format!(
            "The command `git {verb} {remote} {tag}` failed. Make sure your local repository is in sync with the remote.\n{stderr}"
        ))
    })?;
    Ok(())
}

/// The cache directory for mirrors: `$XDG_CACHE_HOME/registry/mirrors`, else
/// `~/.cache/registry/mirrors`.
fn cache_root() -> Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("registry").join("mirrors"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            UserError::new("neither XDG_CACHE_HOME nor HOME is set: no place for the mirror cache")
        })?;
    Ok(PathBuf::from(home)
        .join(".cache")
        .join("registry")
        .join("mirrors"))
}

/// A readable, stable directory name for a URL: its last path part plus a hash of the whole.
fn mirror_name(url: &str) -> String {
    let tail: String = url
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("repo")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(40)
        .collect();
    format!(
        "{}-{}",
        tail.trim_start_matches('.'),
        &sha256_bytes(url.as_bytes())[..16]
    )
}

/// Brings the mirror of `url` up to date (creating it on first use) and returns its path.
/// Later calls fetch only what changed. A broken cache is rebuilt: it can be removed any time.
pub fn mirror(url: &str) -> Result<PathBuf> {
    let dir = cache_root()?.join(mirror_name(url));
    let healthy = dir.join("HEAD").is_file() && git(&dir, &["rev-parse", "--git-dir"]).is_ok();
    if dir.exists() && !healthy {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove the broken mirror cache {}", dir.display()))?;
    }
    if !dir.exists() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let init = Command::new("git")
            .args(["init", "--quiet", "--bare"])
            .arg(&dir)
            .output()
            .context("cannot run git")?;
        if !init.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(UserError::new(format!(
                "cannot create the mirror cache {}: {}",
                dir.display(),
                String::from_utf8_lossy(&init.stderr).trim()
            ))
            .into());
        }
        git(&dir, &["remote", "add", "origin", url]).map_err(UserError::new)?;
    }
    let fetched = git(
        &dir,
        // A mirror: branches and tags exactly as the remote has them, deleted ones pruned.
        &[
            "fetch",
            "--quiet",
            "--prune",
            "origin",
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ],
    );
    if let Err(stderr) = fetched {
        if !healthy {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return Err(UserError::new(format!("cannot read the repository at '{url}': {stderr}"))
            .with_hint("check the URL and that `git ls-remote URL` works (credentials come from git's own helpers)")
            .into());
    }
    // HEAD follows the remote's default branch, so `register NAME` means the remote's HEAD.
    if let Ok(out) = git(&dir, &["ls-remote", "--symref", "origin", "HEAD"]) {
        if let Some(branch) = out.lines().find_map(|l| {
            l.strip_prefix("ref: ")
                .and_then(|r| r.split_whitespace().next())
        }) {
            let _ = git(&dir, &["symbolic-ref", "HEAD", branch]);
        }
    }
    Ok(dir)
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
    }

    #[test]
    fn mirror_names_are_stable_and_distinct() {
        let a = mirror_name("https://github.com/org/models.git");
        assert!(a.starts_with("models.git-"), "{a}");
        assert_eq!(a, mirror_name("https://github.com/org/models.git"));
        assert_ne!(a, mirror_name("https://gitlab.com/org/models.git"));
    }
}
