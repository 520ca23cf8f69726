//! The cached mirror of a URL for `-C URL`: a blobless partial clone (`git clone --bare
//! --filter=blob:none`) holding the remote's branches and tags with packed refs (what the clone's one round trip
//! brings), and their commits and trees, but no file contents until a command reads them (then fetched on demand
//! through the promisor remote, in one batch where the reader knows ahead: `git/promisor.rs`).
//!
//! Blobless rather than treeless (`--filter=tree:0`): `show` and `doctor` walk trees to find
//! declaration files, and `diff` compares trees commit by commit; without trees each of those
//! would be a fetch of its own, while trees cost little beside the blobs (the README has the
//! numbers). A later call asks the remote for its refs (`git ls-remote`, one round trip) and
//! fetches only when they differ from the mirror's, so a warm call costs about one no-op fetch.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{check_url, git, redact};
use crate::digest::sha256_bytes;
use crate::error::UserError;
use crate::git::{Repo, git_command};
use crate::lock::Lock;

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

/// Takes the lock of the mirror of `url` (`<cache>/<mirror>.lock`, beside the mirror so that a
/// broken mirror can be removed under it), after checking the URL. Held while the mirror is
/// created or fetched, and by a write through `-C URL` for the whole write.
pub(crate) fn mirror_lock(url: &str) -> Result<Lock> {
    check_url(url)?;
    let root = cache_root()?;
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create the mirror cache {}", root.display()))?;
    Lock::acquire_cache(
        &root.join(format!("{}.lock", mirror_name(url))),
        &format!("the mirror cache of '{}'", redact(url)),
    )
}

/// The error of a remote that cannot be read.
fn unreadable(shown: &str, stderr: &str) -> anyhow::Error {
    UserError::new(format!("cannot read the repository at '{shown}': {stderr}"))
        .with_hint("check the URL and that `git ls-remote URL` works (credentials come from git's own helpers)")
        .into()
}

/// Brings the mirror of `url` up to date (creating it on first use) and returns its path.
/// Later calls fetch only what changed, and nothing when nothing did. A broken cache, or one
/// an older registry made as a full clone, is rebuilt: the cache can be removed any time. One
/// process at a time creates or fetches a mirror (its lock); others wait for it.
pub(crate) fn mirror(url: &str) -> Result<PathBuf> {
    let _lock = mirror_lock(url)?;
    let shown = redact(url);
    let root = cache_root()?;
    let name = mirror_name(url);
    let dir = root.join(&name);
    // Only a lock holder makes temporary clones: any left now are a killed process's.
    remove_stale_clones(&root, &name);
    // Read in-process (no `git` to start on a warm call): a real directory (not a link to
    // another cache entry), a repository that opens, a partial clone (a mirror an older
    // registry made holds every blob), and of this URL (a cache restored or copied from
    // elsewhere must not answer for another repository). Anything else is rebuilt.
    let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
    let opened = (is_dir && dir.join("HEAD").is_file())
        .then(|| Repo::open(Some(&dir)).ok())
        .flatten();
    let healthy = opened.as_ref().is_some_and(|r| {
        r.config_bool("remote.origin.promisor") == Some(true)
            && r.config_string("remote.origin.url").as_deref() == Some(url)
    });
    if !healthy {
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&dir),
            Ok(_) => std::fs::remove_file(&dir),
            Err(_) => Ok(()),
        }
        .with_context(|| format!("cannot remove the broken mirror cache {}", dir.display()))?;
        create(url, &root, &dir, &shown)?;
        return Ok(dir);
    }
    if let Some(repo) = opened {
        update(&dir, &repo, &shown)?;
    }
    Ok(dir)
}

/// Removes the temporary clones (`.NAME.tmp-PID`) a killed first call left behind.
fn remove_stale_clones(root: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            if e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Clones the mirror into a temporary directory beside it and renames it into place, so an
/// interrupted clone never leaves a mirror that looks whole.
fn create(url: &str, root: &Path, dir: &Path, shown: &str) -> Result<()> {
    let tmp = root.join(format!(
        ".{}.tmp-{}",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("mirror"),
        std::process::id()
    ));
    // Branches and tags in the one round trip of a clone (its refs packed). Holding only the
    // default branch would take a second one (a clone cannot fetch one branch and every tag:
    // `--single-branch` follows only the tags in that branch's history), and the branches'
    // commits and trees cost little; so `register NAME BRANCH` works through a URL too. The
    // files ref format whatever the user's default (registry reads no reftable).
    let clone = git_command()
        .env("GIT_DEFAULT_REF_FORMAT", "files")
        .args(["-c", "init.defaultRefFormat=files"])
        .args(["clone", "--quiet", "--bare", "--filter=blob:none", "--"])
        .arg(url)
        .arg(&tmp)
        .output()
        .context("cannot run git")?;
    if !clone.status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(unreadable(
            shown,
            &redact(String::from_utf8_lossy(&clone.stderr).trim()),
        ));
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e).with_context(|| format!("cannot create the mirror cache {}", dir.display()));
    }
    Ok(())
}

/// One `git ls-remote` of the branches and tags (asking the server for those alone, not its
/// pull-request refs); a fetch (branches and tags as the remote has them, deleted ones pruned)
/// only when they differ from the mirror's. HEAD then follows the remote's default branch, so
/// `register NAME` means the remote's HEAD (a change of the default branch alone is seen at
/// the next change of a ref). Refs git would not store are not compared: a remote advertising
/// one cannot make every call fetch.
fn update(dir: &Path, repo: &Repo, shown: &str) -> Result<()> {
    let listed = git(dir, &["ls-remote", "--heads", "--tags", "--", "origin"])
        .map_err(|stderr| unreadable(shown, &stderr))?;
    let mut theirs: Vec<(String, String)> = listed
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(id, name)| {
            !name.ends_with("^{}")
                && crate::git::valid_ref_name(name)
                && id.bytes().any(|b| b != b'0')
        })
        .map(|(id, name)| (name.to_string(), id.to_string()))
        .collect();
    theirs.sort();
    let ours = repo.refs_under(&["refs/heads/", "refs/tags/"]);
    if ours == theirs {
        return Ok(());
    }
    fetch_refs(dir, shown)?;
    if let Ok(out) = git(dir, &["ls-remote", "--symref", "--", "origin", "HEAD"])
        && let Some(branch) = out.lines().find_map(|l| {
            l.strip_prefix("ref: ")
                .and_then(|r| r.split_whitespace().next())
        })
        && branch.starts_with("refs/heads/")
        && repo.head_branch().as_deref() != Some(branch)
    {
        let _ = git(dir, &["symbolic-ref", "--", "HEAD", branch]);
    }
    Ok(())
}

/// Fetches the branches and tags as the remote has them (deleted ones pruned), then packs the
/// refs: `git fetch` writes a loose file per new ref, and packed, a later read of thousands of
/// tags is one file, as after the first clone.
fn fetch_refs(dir: &Path, shown: &str) -> Result<()> {
    git(
        dir,
        &[
            "fetch",
            "--quiet",
            "--prune",
            "--no-write-fetch-head",
            "--",
            "origin",
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ],
    )
    .map_err(|stderr| unreadable(shown, &stderr))?;
    git(dir, &["pack-refs", "--all", "--prune"])
        .map_err(|stderr| anyhow::anyhow!("cannot pack the refs of the mirror cache: {stderr}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_names_are_stable_and_distinct() {
        let a = mirror_name("https://github.com/org/models.git");
        assert!(a.starts_with("models.git-"), "{a}");
        assert_eq!(a, mirror_name("https://github.com/org/models.git"));
        assert_ne!(a, mirror_name("https://gitlab.com/org/models.git"));
    }
}
