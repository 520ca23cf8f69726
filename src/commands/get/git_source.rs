//! The git source of `get`: what git holds at a path in the version's commit (a file, or a
//! directory's regular files, exec bits kept), following symbolic links inside the repository
//! as `provenance::hash_from_git` does, streamed into the staging path through one `git
//! cat-file --batch` and hashed while written. A blob that is a Git LFS pointer goes to the LFS
//! source instead, inside a directory too.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::lfs;
use std::io::Write as _;

use super::written::{Hashes, HashingWriter, Want, Written, write_file_mode};
use crate::error::UserError;
use crate::git::{BlobRef, PathBlobs, Repo, TreeFile};
use crate::output::escape;

/// The most symbolic links followed in a row (Linux's MAXSYMLINKS, as provenance follows them).
const MAX_LINKS: usize = 40;

/// LFS pointer files are under 1024 bytes (the Git LFS specification): only blobs that small
/// are read whole to look at.
const POINTER_MAX: u64 = 1024;

/// What the git source did.
#[derive(Debug)]
pub(super) enum GitFetch {
    /// Written into the staging path; `lfs` when any file came through Git LFS.
    Written {
        written: Written,
        lfs: bool,
        /// With LFS files: the hashes of what git itself holds (their pointers' bytes in their
        /// place), when every object matched its pointer's oid and size. A digest recorded from
        /// git (of the pointers) then vouches for the content too: digest → pointer → oid.
        as_in_git: Option<Written>,
    },
    /// git holds nothing at the path (after links) in that commit.
    NotInGit { rel: String },
}

/// What [`fetch`] shows the listing to before writing (`None`: one file; else a directory's
/// file paths).
pub(super) type Precheck<'a> = dyn Fn(Option<&[&[u8]]>) -> Result<(), UserError> + 'a;

/// Writes what git holds at `rel` in `commit` into `into` (which must not exist), hashing
/// what `want` asks for.
///
/// `precheck` sees what git holds before anything is written (`None`: one file; else the
/// directory's file paths): the listing is held to the recorded manifest first, so a tree that
/// expands to other files (a tree bomb of a small push) is refused before one is written.
pub(super) fn fetch(
    repo: &Repo,
    commit: &str,
    rel: &str,
    into: &Path,
    want: Want,
    precheck: &Precheck<'_>,
) -> Result<GitFetch> {
    let mut rel = rel.to_string();
    for _ in 0..=MAX_LINKS {
        match repo.path_blobs(commit, &rel)? {
            PathBlobs::Missing => {
                // A link in the middle of the path (`models/current -> v3`): git holds the
                // bytes, but only a link at the end of an artifact's path is followed, as
                // `register` follows it. Say so, rather than that git holds nothing.
                let parts: Vec<&str> = rel.split('/').collect();
                for i in 1..parts.len() {
                    let prefix = parts[..i].join("/");
                    if let TreeFile::Symlink(_) = repo.tree_file(commit, &prefix, 4096)? {
                        return Err(UserError::new(format!(
                            "'{}' goes through '{}', a symbolic link in the middle of the path: only a link at its end is followed",
                            escape(&rel),
                            escape(&prefix)
                        ))
                        .with_hint("declare the path the link leads to")
                        .into());
                    }
                }
                return Ok(GitFetch::NotInGit { rel });
            }
            PathBlobs::Submodule => {
                return Err(UserError::new(format!(
                    "'{}' is a submodule at commit {}: its content is another repository's",
                    escape(&rel),
                    crate::registry::version::short(commit)
                ))
                .into());
            }
            PathBlobs::Symlink(_) => {
                // Link text is a path: read bounded, as provenance reads it.
                let TreeFile::Symlink(target) = repo.tree_file(commit, &rel, 4096)? else {
                    return Err(UserError::new(format!(
                        "'{}' is a symbolic link whose target is longer than a path can be",
                        escape(&rel)
                    ))
                    .into());
                };
                rel = crate::provenance::follow_link(&rel, &target)?;
            }
            PathBlobs::File(blob) => {
                precheck(None)?;
                let mut got = None;
                repo.stream_blobs(std::slice::from_ref(&blob.oid), &mut |_, size, r| {
                    got = Some(write_blob(repo, &rel, &blob, size, r, into, want)?);
                    Ok(())
                })?;
                let got = got.context("git cat-file gave no blob")?;
                let lfs = got.pointer.is_some();
                let as_in_git = match got.pointer {
                    Some((pointer, true)) => Some(Written::File(pointer)),
                    _ => None,
                };
                return Ok(GitFetch::Written {
                    written: Written::File(got.content),
                    lfs,
                    as_in_git,
                });
            }
            PathBlobs::Dir { dirs, files } => {
                let paths: Vec<&[u8]> = files.iter().map(|(p, _)| p.as_slice()).collect();
                precheck(Some(&paths))?;
                return write_dir(repo, &rel, &dirs, &files, into, want);
            }
        }
    }
    Err(UserError::new(format!(
        "path '{}' goes through more than {MAX_LINKS} symbolic links",
        escape(&rel)
    ))
    .into())
}

/// Files smaller than this are read whole and written by a pool of threads (creating a file
/// is most of its cost, and the kernel does it on any core); larger ones stream as they come.
const SMALL: u64 = 64 * 1024;

/// Small files queued for the writing threads (bounded memory: at most 2 MiB).
const QUEUED: usize = 32;

/// A small file for a writing thread.
struct Job {
    index: usize,
    path: std::path::PathBuf,
    bytes: Vec<u8>,
    executable: bool,
}

/// Writes a directory's files as they stream: its directories first, then each file, small
/// ones by a few threads at once.
fn write_dir(
    repo: &Repo,
    rel: &str,
    dirs: &[Vec<u8>],
    files: &[(Vec<u8>, BlobRef)],
    into: &Path,
    want: Want,
) -> Result<GitFetch> {
    let create = |p: &Path| {
        std::fs::create_dir(p)
            .with_context(|| format!("cannot create '{}'", escape(&p.display().to_string())))
    };
    create(into)?;
    for d in dirs {
        create(&into.join(OsStr::from_bytes(d)))?;
    }
    let oids: Vec<String> = files.iter().map(|(_, b)| b.oid.clone()).collect();
    // Per file: the content's hashes, and git's own bytes' when they differ (an LFS pointer).
    let mut content: Vec<Option<Hashes>> = vec![None; files.len()];
    let mut pointers: Vec<Option<Hashes>> = vec![None; files.len()];
    let (mut lfs, mut pointers_hold) = (false, true);
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let workers = workers.clamp(1, 4);
    // Set by a thread that failed: the stream stops at the next file.
    let failed_flag = std::sync::atomic::AtomicBool::new(false);
    let failed_flag = &failed_flag;
    let by_threads = std::thread::scope(|s| -> Result<Vec<(usize, Hashes)>> {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(QUEUED);
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let jobs = std::sync::Arc::clone(&jobs);
                s.spawn(move || -> Result<Vec<(usize, Hashes)>> {
                    let mut done = Vec::new();
                    loop {
                        let job = match jobs.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return Ok(done),
                        };
                        let Ok(job) = job else {
                            return Ok(done);
                        };
                        match write_file_mode(&job.path, &job.bytes[..], job.executable, want) {
                            Ok(h) => done.push((job.index, h)),
                            Err(e) => {
                                failed_flag.store(true, std::sync::atomic::Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                })
            })
            .collect();
        drop(jobs);
        let streamed = repo.stream_blobs(&oids, &mut |i, size, r| {
            if failed_flag.load(std::sync::atomic::Ordering::Relaxed) {
                anyhow::bail!("the writing threads stopped");
            }
            let (name, blob) = &files[i];
            let path = into.join(OsStr::from_bytes(name));
            if size >= SMALL {
                content[i] = Some(write_file_mode(&path, r, blob.executable, want)?);
                return Ok(());
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            r.read_to_end(&mut bytes)
                .context("reading the artifact's bytes")?;
            if size < POINTER_MAX && lfs::pointer(&bytes).is_some() {
                let in_repo = format!("{rel}/{}", String::from_utf8_lossy(name));
                let got = write_small(repo, &in_repo, blob, &bytes, &path, want)?;
                if let Some((pointer, holds)) = got.pointer {
                    lfs = true;
                    pointers_hold &= holds;
                    pointers[i] = Some(pointer);
                }
                content[i] = Some(got.content);
                return Ok(());
            }
            let job = Job {
                index: i,
                path,
                bytes,
                executable: blob.executable,
            };
            // Every thread gone: one failed, and its error is the one to tell.
            queue
                .send(job)
                .map_err(|_| anyhow::anyhow!("the writing threads stopped"))
        });
        drop(queue);
        let mut done = Vec::new();
        let mut failed = None;
        for h in handles {
            match h.join() {
                Ok(Ok(d)) => done.extend(d),
                Ok(Err(e)) => failed = failed.or(Some(e)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        streamed?;
        Ok(done)
    })?;
    for (i, h) in by_threads {
        content[i] = Some(h);
    }
    let mut hashed = Vec::with_capacity(files.len());
    let mut in_git = Vec::with_capacity(files.len());
    for (i, (name, _)) in files.iter().enumerate() {
        let c = content[i]
            .take()
            .context("a file of the directory was not written")?;
        in_git.push((
            name.clone(),
            pointers[i].take().unwrap_or_else(|| c.clone()),
        ));
        hashed.push((name.clone(), c));
    }
    hashed.sort_by(|a, b| a.0.cmp(&b.0));
    in_git.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(GitFetch::Written {
        written: Written::Dir(hashed),
        lfs,
        as_in_git: (lfs && pointers_hold).then_some(Written::Dir(in_git)),
    })
}

/// One blob written: the content's hashes, and for an LFS pointer the pointer's own hashes and
/// whether the object matched the pointer's oid and size.
struct Wrote {
    content: Hashes,
    pointer: Option<(Hashes, bool)>,
}

/// Writes one blob at `path`: its bytes, or, for an LFS pointer, the object it names.
fn write_blob(
    repo: &Repo,
    in_repo: &str,
    blob: &BlobRef,
    size: u64,
    r: &mut dyn std::io::Read,
    path: &Path,
    want: Want,
) -> Result<Wrote> {
    if size >= POINTER_MAX {
        return Ok(Wrote {
            content: write_file_mode(path, r, blob.executable, want)?,
            pointer: None,
        });
    }
    let mut small = Vec::new();
    r.read_to_end(&mut small)
        .context("reading the artifact's bytes")?;
    write_small(repo, in_repo, blob, &small, path, want)
}

/// [`write_blob`] for a blob read whole (a small one).
fn write_small(
    repo: &Repo,
    in_repo: &str,
    blob: &BlobRef,
    small: &[u8],
    path: &Path,
    want: Want,
) -> Result<Wrote> {
    let Some(pointer) = lfs::pointer(small) else {
        return Ok(Wrote {
            content: write_file_mode(path, small, blob.executable, want)?,
            pointer: None,
        });
    };
    let hashes = lfs::smudge(repo, in_repo, small, path)?;
    let holds = hashes.sha256 == pointer.oid && hashes.size == pointer.size;
    let mut of_pointer = HashingWriter::wanting(std::io::sink(), want);
    of_pointer
        .write_all(small)
        .context("hashing an LFS pointer")?;
    let pointer_hashes = of_pointer.finish().1;
    if blob.executable {
        // git's exec bit, on the file git-lfs wrote: x wherever r is.
        let meta = std::fs::symlink_metadata(path)
            .with_context(|| format!("reading '{}'", escape(&path.display().to_string())))?;
        let mode = meta.permissions().mode();
        std::fs::set_permissions(
            path,
            std::fs::Permissions::from_mode(mode | ((mode & 0o444) >> 2)),
        )
        .with_context(|| {
            format!(
                "setting the mode of '{}'",
                escape(&path.display().to_string())
            )
        })?;
    }
    Ok(Wrote {
        content: hashes,
        pointer: Some((pointer_hashes, holds)),
    })
}
