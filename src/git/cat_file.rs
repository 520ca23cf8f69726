//! Streaming a commit's content out of git for `registry get`: what a path holds as blob ids
//! (a file, or a directory's regular files, from checked tree reads, no blob read), and the
//! blobs' bytes through ONE `git cat-file --batch` process, each handed to the caller as a
//! bounded reader while it streams. libgit2 cannot stream a packed blob (it inflates it whole
//! into memory); git can, and it reads a partial clone's objects once they are fetched.
//!
//! Blobs a partial clone lacks are fetched first, in one batch (`ensure_present`). Replace
//! objects are not honoured (`GIT_NO_REPLACE_OBJECTS`): the bytes are the ones the ids name, as
//! libgit2 read them when the digest was recorded.

use std::io::{self, BufRead as _, BufReader, Read, Write as _};
use std::process::Stdio;

use anyhow::{Context as _, Result};
use git2::ObjectType;

use super::{Repo, git_command, short};
use crate::error::UserError;

/// A blob at a path: its id and whether git's mode for it is executable (100755).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlobRef {
    pub oid: String,
    pub executable: bool,
}

/// What a path holds in a commit's tree, as blob ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathBlobs {
    Missing,
    /// A symbolic link: the id of the blob holding its target.
    Symlink(String),
    /// A regular file.
    File(BlobRef),
    /// A directory: its subdirectories (parents before children) and its regular files, paths
    /// relative to it with `/`, raw bytes. Symbolic links and submodules are left out, as a
    /// manifest of regular files leaves them out.
    Dir {
        dirs: Vec<Vec<u8>>,
        files: Vec<(Vec<u8>, BlobRef)>,
    },
    /// A submodule (a commit, not content of this repository).
    Submodule,
}

/// A tree entry name that could lead out of the directory it is written into, or mean
/// something else to the file system: empty, `.`, `..`, holding `/` or NUL, or `.git` in any
/// case (a repository's config and hooks, which git would run in the copy). git never writes
/// or checks out such a tree; a hostile one can hold them.
fn hostile_name(name: &[u8]) -> bool {
    name.is_empty()
        || name == b"."
        || name == b".."
        || name.contains(&b'/')
        || name.contains(&0)
        || name.eq_ignore_ascii_case(b".git")
}

impl Repo {
    /// What `path` holds in `commit`'s tree, without reading any blob. A directory's trees are
    /// walked with an explicit stack, each checked before it is read; a hostile entry name or
    /// nesting deeper than git's `core.maxTreeDepth` is an error.
    pub(crate) fn path_blobs(&self, commit: &str, path: &str) -> Result<PathBlobs> {
        // A treeless clone fetches the commit's trees in one batch, not one per directory.
        let id = git2::Oid::from_str(commit)
            .map_err(super::plain)
            .with_context(|| format!("bad commit id {commit}"))?;
        // The path itself may not lead through a name that could take the copy out of its
        // place or make it a repository (`.git`, which git never writes in a tree: a pushed one
        // would give the operator's directory an attacker's hooks and config).
        if let Some(bad) = path
            .split('/')
            .filter(|c| !c.is_empty())
            .find(|c| hostile_name(c.as_bytes()))
        {
            return Err(UserError::new(format!(
                "the path '{}' at {} goes through '{}', a name no copy is written under",
                crate::output::escape(path),
                short(commit),
                crate::output::escape(bad)
            ))
            .with_hint("the tree is hostile or broken (git never writes `.git` into a tree); nothing was written")
            .into());
        }
        self.prefetch_trees(&[id])?;
        let objects = self.objects();
        let tree = objects.commit_tree(commit)?;
        let at = || format!("{path} at {}", short(commit));
        let Some(entry) = objects.entry_at(&tree, path, &at)? else {
            return Ok(PathBlobs::Missing);
        };
        match (entry.kind, entry.filemode) {
            (Some(ObjectType::Blob), 0o120000) => {
                return Ok(PathBlobs::Symlink(entry.id.to_string()));
            }
            (Some(ObjectType::Blob), mode) => {
                return Ok(PathBlobs::File(BlobRef {
                    oid: entry.id.to_string(),
                    executable: mode == 0o100755,
                }));
            }
            (Some(ObjectType::Tree), _) => {}
            (Some(ObjectType::Commit), _) => return Ok(PathBlobs::Submodule),
            _ => return Ok(PathBlobs::Missing),
        }
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        objects.walk(entry.id, path, commit, &mut |rel, e, at| {
            let name = e.name_bytes();
            if hostile_name(name) {
                return Err(UserError::new(format!(
                    "{}: the tree holds an entry named '{}', which no file can be written as (a hostile tree)",
                    at(),
                    crate::output::escape_bytes(name)
                ))
                .with_hint("git never writes such a tree; `git fsck` names it")
                .into());
            }
            match e.filemode() {
                mode @ (0o100644 | 0o100755) => files.push((
                    rel.to_vec(),
                    BlobRef {
                        oid: e.id().to_string(),
                        executable: mode == 0o100755,
                    },
                )),
                0o040000 => dirs.push(rel.to_vec()),
                _ => {}
            }
            Ok(())
        })?;
        // Parents before children: a parent's path is a prefix of its children's, so sorted
        // bytewise it comes first.
        dirs.sort();
        Ok(PathBlobs::Dir { dirs, files })
    }

    /// Streams the blobs `oids` in order through one `git cat-file --batch`: `each(index, size,
    /// reader)` gets each blob's bytes as a reader bounded to its size (what it leaves unread
    /// is skipped). Blobs a partial clone lacks are fetched first, in one batch. An error of
    /// `each` stops the stream (the process is killed) and is returned.
    pub(crate) fn stream_blobs(
        &self,
        oids: &[String],
        each: &mut dyn FnMut(usize, u64, &mut dyn Read) -> Result<()>,
    ) -> Result<()> {
        if oids.is_empty() {
            return Ok(());
        }
        self.ensure_present(oids)?;
        let mut child = git_command()
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .arg("--git-dir")
            .arg(self.git_dir())
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                UserError::new(format!("cannot run git to read the artifact's files: {e}"))
                    .with_hint("install git (`registry get` streams files with `git cat-file`)")
            })?;
        let mut list = Vec::with_capacity(oids.len() * 41);
        for oid in oids {
            list.extend_from_slice(oid.as_bytes());
            list.push(b'\n');
        }
        // Written from a thread: git answers while it reads, and a pipe holds only 64 KiB.
        let stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(&list);
            }
        });
        let stderr = child.stderr.take();
        let errors = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(s) = stderr {
                let _ = s.take(64 * 1024).read_to_end(&mut text);
            }
            text
        });
        let result = match child.stdout.take() {
            Some(stdout) => read_batch(BufReader::with_capacity(64 * 1024, stdout), oids, each),
            None => Err(anyhow::anyhow!("git cat-file has no output")),
        };
        if result.is_err() {
            let _ = child.kill();
        }
        let status = child.wait().context("waiting for git cat-file")?;
        let _ = writer.join();
        let stderr = errors.join().unwrap_or_default();
        result?;
        if !status.success() {
            return Err(UserError::new(format!(
                "git cat-file failed: {}",
                crate::output::escape(String::from_utf8_lossy(&stderr).trim())
            ))
            .into());
        }
        Ok(())
    }
}

/// Reads `--batch` answers: `<oid> blob <size>\n<bytes>\n`, or `<oid> missing\n`.
fn read_batch(
    mut reader: BufReader<std::process::ChildStdout>,
    oids: &[String],
    each: &mut dyn FnMut(usize, u64, &mut dyn Read) -> Result<()>,
) -> Result<()> {
    for (i, oid) in oids.iter().enumerate() {
        let mut header = Vec::new();
        (&mut reader)
            .take(256)
            .read_until(b'\n', &mut header)
            .context("reading git cat-file")?;
        let text = String::from_utf8_lossy(&header);
        let parts: Vec<&str> = text.trim_end().split(' ').collect();
        let size = match parts.as_slice() {
            [got, "blob", size] if got == oid => size.parse::<u64>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            return Err(UserError::new(format!(
                "git cannot read blob {oid}: it answered '{}'",
                crate::output::escape(text.trim_end())
            ))
            .with_hint("`git fsck` tells what is missing or damaged")
            .into());
        };
        let mut body = (&mut reader).take(size);
        each(i, size, &mut body)?;
        io::copy(&mut body, &mut io::sink()).context("reading git cat-file")?;
        if body.limit() != 0 {
            return Err(anyhow::anyhow!(
                "git cat-file ended within blob {oid} ({} of {size} bytes missing)",
                body.limit()
            ));
        }
        let mut newline = [0u8; 1];
        reader
            .read_exact(&mut newline)
            .context("reading git cat-file")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::hostile_name;

    #[test]
    fn names_that_lead_out_are_hostile() {
        for bad in [
            &b""[..],
            b".",
            b"..",
            b"a/b",
            b"/",
            b"a\0",
            b".git",
            b".GIT",
        ] {
            assert!(hostile_name(bad), "{bad:?}");
        }
        for good in [&b"a"[..], b"...", b".gitignore", b"a b", b"\xff"] {
            assert!(!hostile_name(good), "{good:?}");
        }
    }
}
