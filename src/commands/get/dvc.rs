//! DVC: the bytes of a DVC-tracked path at a commit. DVC's md5 names them (`md5:HEX` for a
//! file, `md5:HEX.dir` for a directory, recorded or read from the commit's `.dvc`/`dvc.lock`).
//! When the local DVC cache holds every object (DVC 3 layout, `files/md5/HE/X…`, at `cache.dir`
//! when set), they are copied from it, each checked against its name while it streams; else
//! `dvc get REPO PATH --rev COMMIT -o INTO` writes them and what it wrote is hashed. Either way
//! the command checks the result against the recorded digest.
//!
//! A listing is believed only when its md5 is its name (`dvc_track::cached_listing`), and its
//! names are held to the rules of a tree entry: no absolute path, no `..`, nothing written
//! outside the staging directory.

use std::fs::{File, OpenOptions};
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};

use super::written::{Hashes, Written, hash_written, write_file};
use crate::digest::dvc_md5::{self, ListEntry};
use crate::dvc_track::{self, Tracked};
use crate::error::UserError;
use crate::git::Repo;
use crate::git::redact;
use crate::output::{escape, escape_bytes, escape_keeping_lines};
use crate::registry::trailer::Provenance;

/// The most of `dvc get`'s stderr kept for an error message.
const STDERR_KEPT: usize = 16 * 1024;

/// Writes the DVC-tracked `rel` at `commit` into `into` (which does not exist yet).
/// `url` is the remote repository of a `-C URL` session (else the session's repository is read).
pub(super) fn fetch(
    session_repo: &Repo,
    url: Option<&str>,
    commit: &str,
    rel: &str,
    recorded: Option<&Provenance>,
    into: &Path,
) -> Result<Written> {
    // Only what this call creates is removed on failure: never a path that was there before.
    if std::fs::symlink_metadata(into).is_ok() {
        return Err(UserError::new(format!(
            "'{}' exists already",
            escape(&into.display().to_string())
        ))
        .into());
    }
    if url.is_none()
        && let Some(root) = session_repo.workdir()
        && let Some(md5) = identity(session_repo, commit, rel, recorded)?
    {
        let dvc_root = match dvc_track::dvc_root(session_repo, commit, rel, true)? {
            Some(d) if !d.is_empty() => root.join(d),
            _ => root.to_path_buf(),
        };
        let cache = dvc_track::cache_dir(&dvc_root);
        match from_cache(&dvc_root, &cache, &md5, into) {
            Ok(Some(written)) => return Ok(written),
            Ok(None) => super::stage::remove(into), // not all of it is cached: DVC fetches it
            Err(e) => {
                super::stage::remove(into);
                return Err(e);
            }
        }
    }
    let repo_arg = match url {
        Some(u) => u.to_string(),
        None => session_repo
            .workdir()
            .map_or_else(|| session_repo.git_dir(), Path::to_path_buf)
            .to_string_lossy()
            .into_owned(),
    };
    let result = dvc_get(&repo_arg, rel, commit, into).and_then(|()| hash_written(into));
    if result.is_err() {
        super::stage::remove(into);
    }
    result
}

/// DVC's md5 of the bytes: the recorded one when it is DVC's, else the commit's DVC record.
pub(super) fn identity(
    repo: &Repo,
    commit: &str,
    rel: &str,
    recorded: Option<&Provenance>,
) -> Result<Option<String>> {
    if let Some(md5) = recorded.and_then(|p| p.digest.strip_prefix("md5:")) {
        return Ok(Some(md5.to_string()));
    }
    Ok(
        match dvc_track::tracked_at(repo, commit, rel, repo.workdir())? {
            Some(Tracked::Identity(id)) => Some(id.md5),
            Some(Tracked::NoDigest { .. }) | None => None,
        },
    )
}

/// The cache object of a file md5: `files/md5/HE/X…`.
fn object_path(cache: &Path, hex: &str) -> PathBuf {
    cache.join("files/md5").join(&hex[..2]).join(&hex[2..])
}

/// A cache object opened for reading: `None` when it is not there. Never a FIFO or a device,
/// never through a link at its own name.
fn open_object(path: &Path) -> Result<Option<File>> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "cannot open DVC's cache object '{}'",
                escape(&path.display().to_string())
            )));
        }
    };
    let meta = file.metadata().context("reading DVC's cache")?;
    if !meta.is_file() {
        return Err(UserError::new(format!(
            "DVC's cache object '{}' is not a regular file",
            escape(&path.display().to_string())
        ))
        .into());
    }
    Ok(Some(file))
}

/// Copies one cache object into `into`, checking it against its name; `None` when the cache
/// does not hold it.
fn copy_object(cache: &Path, hex: &str, into: &Path) -> Result<Option<Hashes>> {
    let at = object_path(cache, hex);
    let Some(file) = open_object(&at)? else {
        return Ok(None);
    };
    let hashes = write_file(into, file)?;
    if hashes.md5 != hex {
        return Err(UserError::new(format!(
            "DVC's cache object '{}' is not the one its name says: its md5 is {}",
            escape(&at.display().to_string()),
            hashes.md5
        ))
        .with_hint("the cache was changed by hand or is damaged: remove that file and run `dvc pull` (or `dvc cache` checks), then get again")
        .into());
    }
    Ok(Some(hashes))
}

/// Everything from the cache, or `None` when something is missing from it.
fn from_cache(dvc_root: &Path, cache: &Path, md5: &str, into: &Path) -> Result<Option<Written>> {
    let Some(hex) = md5.strip_suffix(".dir") else {
        if !dvc_md5::is_md5_hex(md5) {
            return Err(UserError::new(format!(
                "the recorded DVC digest 'md5:{}' is not an md5",
                escape(md5)
            ))
            .into());
        }
        return Ok(copy_object(cache, md5, into)?.map(Written::File));
    };
    let Ok(listing) = dvc_track::cached_listing(dvc_root, hex) else {
        // Missing, or not the listing its name says: DVC fetches a good one from its remote.
        return Ok(None);
    };
    for e in &listing {
        if !object_path(cache, &e.md5).exists() {
            return Ok(None);
        }
    }
    std::fs::create_dir(into)
        .with_context(|| format!("cannot create '{}'", escape(&into.display().to_string())))?;
    let mut files = Vec::with_capacity(listing.len());
    for e in &listing {
        let dest = inside(into, e)?;
        let Some(hashes) = copy_object(cache, &e.md5, &dest)? else {
            return Ok(None); // removed since it was looked at
        };
        files.push((e.relpath.clone(), hashes));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(Written::Dir(files)))
}

/// Where a listing's file goes under `into`, its directories made (fresh ones only: the staging
/// directory is ours); an error for a name that could lead outside.
fn inside(into: &Path, e: &ListEntry) -> Result<PathBuf> {
    let bad = || {
        UserError::new(format!(
            "DVC's listing of a directory names '{}', which is not a relative path inside it",
            escape_bytes(&e.relpath)
        ))
    };
    let parts: Vec<&[u8]> = e.relpath.split(|b| *b == b'/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == b"." || *p == b".." || p.contains(&0))
    {
        return Err(bad().into());
    }
    let mut at = into.to_path_buf();
    for (i, p) in parts.iter().enumerate() {
        at.push(std::ffi::OsStr::from_bytes(p));
        if i + 1 < parts.len() {
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(bad().into()),
                Err(_) => std::fs::create_dir(&at).with_context(|| {
                    format!("cannot create '{}'", escape(&at.display().to_string()))
                })?,
            }
        }
    }
    Ok(at)
}

/// The error for a missing `dvc`, naming the program and how to install it.
fn not_installed(rel: &str) -> UserError {
    UserError::new(format!(
        "'{}' is tracked by DVC and not in its local cache, and the `dvc` program that fetches it is not installed",
        escape(rel)
    ))
    .with_hint("install DVC (`pipx install dvc`, or `pip install dvc`; https://dvc.org/doc/install), then run the command again")
}

/// `dvc get REPO PATH --rev COMMIT -o INTO`, its output kept for an error message.
fn dvc_get(repo: &str, rel: &str, commit: &str, into: &Path) -> Result<()> {
    let child = match Command::new("dvc")
        .args(["get", "--rev", commit, "-o"])
        .arg(into)
        .args(["--", repo, rel])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_installed(rel).into());
        }
        Err(e) => return Err(anyhow::Error::new(e).context("cannot run dvc")),
    };
    // Stopped with the get on a signal: it writes into the staging path.
    let _tracked = super::stage::Child::track(child.id());
    let out = child.wait_with_output().context("cannot run dvc")?;
    if out.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    if text.is_empty() {
        text = format!("it exited with {}", out.status);
    }
    let mut cut = text.len().min(STDERR_KEPT);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    Err(UserError::new(format!(
        "`dvc get` could not fetch '{}' at {}: {}",
        escape(rel),
        &commit[..commit.len().min(7)],
        escape_keeping_lines(&redact(&text))
    ))
    .with_hint("DVC fetches from the repository's DVC remote at that commit: it must be reachable and hold the data (`dvc push` from where it was made)")
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(relpath: &[u8]) -> ListEntry {
        ListEntry {
            relpath: relpath.to_vec(),
            md5: "0".repeat(32),
        }
    }

    #[test]
    fn listing_names_stay_inside_the_staging_directory() {
        let dir = tempfile::tempdir().unwrap();
        let into = dir.path().join("into");
        std::fs::create_dir(&into).unwrap();
        assert_eq!(
            inside(&into, &entry(b"a/b/c.txt")).unwrap(),
            into.join("a/b/c.txt")
        );
        assert!(into.join("a/b").is_dir());
        for bad in [
            &b"../x"[..],
            b"/etc/passwd",
            b"a/../../x",
            b"a//b",
            b"./a",
            b"",
            b"a/\0b",
        ] {
            assert!(inside(&into, &entry(bad)).is_err(), "{bad:?}");
        }
        // A file where a directory is needed is never written through.
        std::fs::write(into.join("f"), b"").unwrap();
        assert!(inside(&into, &entry(b"f/g")).is_err());
        std::os::unix::fs::symlink(dir.path(), into.join("l")).unwrap();
        assert!(inside(&into, &entry(b"l/g")).is_err());
    }
}
