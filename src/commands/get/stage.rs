//! The staging path of one `get`: a temporary name next to `-o` (the same directory, so the
//! final rename is atomic), removed on every way out but success — an error, a mismatch, a
//! panic (drop), and SIGINT/SIGTERM/SIGHUP (the `signals` watcher). Only a SIGKILL can leave one
//! behind; its name starts with `.` and holds `registry-get`, so it is recognisable.
//!
//! Placing the verified copy: without `--force` an `-o` that appeared meanwhile is never
//! replaced (a file goes in by `link`, which refuses an existing name); with `--force` the old
//! one is replaced only now, after the new one was verified: a file by one `rename`, a directory
//! by renaming the old one aside, the new one in, then removing the old one. A symbolic link at
//! `-o` is replaced itself, never written through.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, Result};

use crate::error::UserError;
use crate::output::escape;

/// Staging paths this process has not placed or removed yet (for the signal watcher).
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staged() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned list is still the right list: nothing panics while holding it half-updated.
    STAGED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An old `-o` renamed aside while `--force` replaces a directory: `(aside, out)`.
static ASIDE: Mutex<Option<(PathBuf, PathBuf)>> = Mutex::new(None);

fn aside() -> std::sync::MutexGuard<'static, Option<(PathBuf, PathBuf)>> {
    ASIDE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Held while a copy is placed, and by the signal watcher's cleanup: the watcher never removes
/// a staging path in the middle of its rename to `-o` (nor a replace's old copy between its two
/// renames), and a placement that starts after a signal does nothing.
static PLACING: Mutex<bool> = Mutex::new(false);

fn placing() -> std::sync::MutexGuard<'static, bool> {
    PLACING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Programs running for this get that write into a staging path (`dvc get`, `git-lfs`, a
/// cloud CLI), by process id: on a signal sent to registry alone (`kill PID`, a supervisor),
/// they would go on writing after it died.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn children() -> std::sync::MutexGuard<'static, Vec<u32>> {
    CHILDREN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A program that writes into a staging path, stopped with the get: registered from its start
/// until it is waited for (drop).
pub(super) struct Child(u32);

impl Child {
    pub(super) fn track(pid: u32) -> Child {
        crate::signals::install(remove_all);
        children().push(pid);
        Child(pid)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        children().retain(|p| *p != self.0);
    }
}

/// Sends SIGTERM to the programs still running and waits for them a little (at most 2 s), so
/// none writes into a staging path once it is removed. `kill(1)`, not a signal call: no unsafe
/// code in this crate.
fn stop_children() {
    let pids: Vec<u32> = children().clone();
    if pids.is_empty() {
        return;
    }
    for pid in &pids {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(2)
        && pids
            .iter()
            .any(|p| Path::new(&format!("/proc/{p}")).exists() && !is_zombie(*p))
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Whether a child has exited but not been waited for (it writes nothing more).
fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

/// Removes every staging path of this process (the signal watcher runs it just before exiting).
/// Each is first renamed to a name of its own, atomically: the writing threads, which create
/// files under the staging name, then fail instead of refilling what is being removed. An old
/// copy caught aside goes back to `-o` unless the new one is in already: an interrupted replace
/// leaves the old copy or the new one, never neither.
fn remove_all() {
    stop_children();
    let mut interrupted = placing();
    *interrupted = true;
    for path in staged().drain(..) {
        let mut dying = path.clone().into_os_string();
        dying.push(".removing");
        let dying = PathBuf::from(dying);
        if std::fs::rename(&path, &dying).is_ok() {
            remove(&dying);
        } else {
            remove(&path);
        }
    }
    if let Some((moved, out)) = aside().take() {
        if exists(&out) {
            remove(&moved);
        } else {
            let _ = std::fs::rename(&moved, &out);
        }
    }
}

/// Removes a file or a whole directory, never following a link (also what a failed attempt of
/// a source left at the staging path). The writing thread may still be adding files to a
/// directory while the signal watcher removes it: a few tries catch those.
pub(super) fn remove(path: &Path) {
    for _ in 0..5 {
        match std::fs::symlink_metadata(path) {
            Err(_) => return,
            Ok(m) if m.is_dir() => {
                let _ = std::fs::remove_dir_all(path);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Whether something (anything: a dangling link, a FIFO) is at `path`.
pub(super) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// A temporary path next to `-o`, removed unless [`Stage::place`]d.
#[derive(Debug)]
pub(super) struct Stage {
    temp: PathBuf,
    out: PathBuf,
}

/// A hidden name beside `out` with `tag` in it: `.NAME.registry-get-TAG-PID-N`.
fn sibling(out: &Path, tag: &str) -> Result<PathBuf> {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = out.file_name().ok_or_else(|| {
        UserError::new(format!(
            "-o '{}' names no file",
            escape(&out.display().to_string())
        ))
    })?;
    // A name stays under the 255 bytes file systems allow.
    let base: Vec<u8> = name.as_bytes().iter().copied().take(180).collect();
    let mut temp = b".".to_vec();
    temp.extend_from_slice(&base);
    temp.extend_from_slice(
        format!(
            ".registry-get-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )
        .as_bytes(),
    );
    Ok(out.with_file_name(OsString::from_vec(temp)))
}

impl Stage {
    /// A staging path for `out`, whose directory must exist. Nothing is created yet: the source
    /// creates a file or a directory there.
    pub(super) fn new(out: &Path) -> Result<Stage> {
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(UserError::new(format!(
                "the directory of -o '{}' does not exist",
                escape(&out.display().to_string())
            ))
            .with_hint("create it first, or give another -o")
            .into());
        }
        crate::signals::install(remove_all);
        let temp = sibling(out, "new")?;
        staged().push(temp.clone());
        Ok(Stage {
            temp,
            out: out.to_path_buf(),
        })
    }

    /// Where the source writes.
    pub(super) fn path(&self) -> &Path {
        &self.temp
    }

    /// Puts the verified copy at `-o`; `force` replaces what is there.
    pub(super) fn place(self, force: bool) -> Result<()> {
        let shown = escape(&self.out.display().to_string()).into_owned();
        let interrupted = placing();
        if *interrupted {
            return Err(UserError::new(format!("interrupted before '{shown}' was written")).into());
        }
        let new_is_dir = std::fs::symlink_metadata(&self.temp)
            .with_context(|| format!("the copy for '{shown}' is gone"))?
            .is_dir();
        let old = std::fs::symlink_metadata(&self.out).ok();
        match old {
            None if new_is_dir => {
                // rename(2) would replace only an empty directory made meanwhile: check once
                // more, close to it.
                if exists(&self.out) {
                    return Err(exists_error(&shown).into());
                }
                std::fs::rename(&self.temp, &self.out)
                    .with_context(|| format!("moving the copy to '{shown}'"))?;
            }
            None => match std::fs::hard_link(&self.temp, &self.out) {
                // A link refuses an existing name: nothing that appeared meanwhile is replaced.
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.temp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(exists_error(&shown).into());
                }
                // A file system without hard links: the rename, checked just before.
                Err(_) if !exists(&self.out) => std::fs::rename(&self.temp, &self.out)
                    .with_context(|| format!("moving the copy to '{shown}'"))?,
                Err(_) => return Err(exists_error(&shown).into()),
            },
            Some(_) if !force => return Err(exists_error(&shown).into()),
            Some(m) if !m.is_dir() && !new_is_dir => {
                // One atomic step: a reader sees the old file or the new one.
                std::fs::rename(&self.temp, &self.out)
                    .with_context(|| format!("replacing '{shown}'"))?;
            }
            Some(_) => {
                let moved = sibling(&self.out, "old")?;
                *aside() = Some((moved.clone(), self.out.clone()));
                if let Err(e) = std::fs::rename(&self.out, &moved) {
                    *aside() = None;
                    return Err(
                        anyhow::Error::new(e).context(format!("moving the old '{shown}' aside"))
                    );
                }
                if let Err(e) = std::fs::rename(&self.temp, &self.out) {
                    // Put the old one back: a failed replace changes nothing.
                    let _ = std::fs::rename(&moved, &self.out);
                    *aside() = None;
                    return Err(anyhow::Error::new(e).context(format!("replacing '{shown}'")));
                }
                // Still listed while it is removed: a signal now finishes the removal.
                remove(&moved);
                *aside() = None;
            }
        }
        staged().retain(|p| p != &self.temp);
        drop(interrupted);
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        // After a successful place the temp is gone and this does nothing.
        if staged().iter().any(|p| p == &self.temp) {
            remove(&self.temp);
            staged().retain(|p| p != &self.temp);
        }
    }
}

/// The refusal of an existing `-o`.
pub(super) fn exists_error(shown: &str) -> UserError {
    UserError::new(format!("'{shown}' already exists"))
        .with_hint("give --force to replace it (only once the new copy is verified), or another -o")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_stage_leaves_nothing_and_place_replaces_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("m");
        let stage = Stage::new(&out).unwrap();
        std::fs::create_dir(stage.path()).unwrap();
        std::fs::write(stage.path().join("f"), b"x").unwrap();
        drop(stage);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let stage = Stage::new(&out).unwrap();
        assert!(
            stage
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".m.registry-get-")
        );
        std::fs::write(stage.path(), b"one").unwrap();
        stage.place(false).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one");

        let stage = Stage::new(&out).unwrap();
        std::fs::write(stage.path(), b"two").unwrap();
        assert!(stage.place(false).is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"one");

        let stage = Stage::new(&out).unwrap();
        std::fs::create_dir(stage.path()).unwrap();
        std::fs::write(stage.path().join("f"), b"three").unwrap();
        stage.place(true).unwrap();
        assert_eq!(std::fs::read(out.join("f")).unwrap(), b"three");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_link_at_out_is_replaced_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let out = dir.path().join("out");
        std::os::unix::fs::symlink(&target, &out).unwrap();
        let stage = Stage::new(&out).unwrap();
        std::fs::write(stage.path(), b"new").unwrap();
        stage.place(true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
    }
}
