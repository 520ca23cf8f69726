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

/// Writes what git holds at `rel` in `commit` into `into` (which must not exist), hashing
/// what `want` asks for.
pub(super) fn fetch(
    repo: &Repo,
    commit: &str,
    rel: &str,
    into: &Path,
    want: Want,
) -> Result<GitFetch> {
    let mut rel = rel.to_string();
    for _ in 0..=MAX_LINKS {
        match repo.path_blobs(commit, &rel)? {
            PathBlobs::Missing => return Ok(GitFetch::NotInGit { rel }),
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

/// Writes a directory's files as they stream: its directories first, then each file.
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
    let mut hashed: Vec<(Vec<u8>, Hashes)> = Vec::with_capacity(files.len());
    let mut in_git: Vec<(Vec<u8>, Hashes)> = Vec::with_capacity(files.len());
    let (mut lfs, mut pointers_hold) = (false, true);
    repo.stream_blobs(&oids, &mut |i, size, r| {
        let (name, blob) = &files[i];
        let in_repo = format!("{rel}/{}", String::from_utf8_lossy(name));
        let path = into.join(OsStr::from_bytes(name));
        let got = write_blob(repo, &in_repo, blob, size, r, &path, want)?;
        let git_bytes = match got.pointer {
            Some((pointer, holds)) => {
                lfs = true;
                pointers_hold &= holds;
                pointer
            }
            None => got.content.clone(),
        };
        in_git.push((name.clone(), git_bytes));
        hashed.push((name.clone(), got.content));
        Ok(())
    })?;
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
    let plain = |content| Wrote {
        content,
        pointer: None,
    };
    if size >= POINTER_MAX {
        return Ok(plain(write_file_mode(path, r, blob.executable, want)?));
    }
    let mut small = Vec::new();
    r.read_to_end(&mut small)
        .context("reading the artifact's bytes")?;
    let Some(pointer) = lfs::pointer(&small) else {
        return Ok(plain(write_file_mode(
            path,
            &small[..],
            blob.executable,
            want,
        )?));
    };
    let hashes = lfs::smudge(repo, in_repo, &small, path)?;
    let holds = hashes.sha256 == pointer.oid && hashes.size == pointer.size;
    let mut of_pointer = HashingWriter::wanting(std::io::sink(), want);
    of_pointer
        .write_all(&small)
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
