//! Reading commits' trees: files by name (`doctor`), what a path holds (for digests, one blob
//! at a time), and one file bounded (config and declarations), every object checked first.

use anyhow::{Context as _, Result};
use git2::ObjectType;

use super::*;
use crate::error::UserError;

impl Repo {
    /// Paths of every file with one of `file_names` in `commit`'s tree (declaration files for
    /// `doctor` and `show`). Walked with
    /// an explicit stack, every tree checked before it is read; nested deeper than git's own
    /// `core.maxTreeDepth` (4096) is an error, not a stack overflow.
    pub(crate) fn files_named(&self, commit: &str, file_names: &[&str]) -> Result<Vec<String>> {
        let objects = self.objects();
        let tree = objects.commit_tree(commit)?;
        let mut found = Vec::new();
        let mut stack: Vec<(git2::Oid, String, usize)> = vec![(tree.id(), String::new(), 0)];
        while let Some((id, dir, depth)) = stack.pop() {
            if depth > objects::MAX_TREE_DEPTH {
                return Err(UserError::new(format!(
                    "the tree of commit {} is nested deeper than {} directories (at {dir})",
                    short(commit),
                    objects::MAX_TREE_DEPTH
                ))
                .into());
            }
            let tree = objects.tree(id, &|| format!("{dir} at {}", short(commit)))?;
            let mut subdirs = Vec::new();
            for e in &tree {
                let Ok(name) = std::str::from_utf8(e.name_bytes()) else {
                    continue; // not UTF-8: no path a declaration file names
                };
                match e.kind() {
                    Some(ObjectType::Blob) if file_names.contains(&name) => {
                        found.push(format!("{dir}{name}"));
                    }
                    Some(ObjectType::Tree) => subdirs.push((e.id(), format!("{dir}{name}/"))),
                    _ => {}
                }
            }
            for (id, path) in subdirs.into_iter().rev() {
                stack.push((id, path, depth + 1));
            }
        }
        Ok(found)
    }
}

/// What [`Repo::for_each_file`] calls for each file: (relative path, bytes).
pub(crate) type FileVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<()> + 'a;

/// What a path is in a commit's tree, as [`Repo::for_each_file`] found it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GitPath {
    Missing,
    /// A file: its bytes were given to the visitor (with an empty relative path).
    File,
    /// A symbolic link (mode 120000): its target as stored (the visitor is not called).
    Symlink(Vec<u8>),
    /// A directory: each regular file under it was given to the visitor.
    Dir,
}

impl Repo {
    /// Visits what `path` (a file, a symbolic link or a directory) holds in `commit`'s tree,
    /// for content digests: `visit(relative path, bytes)` for the file itself (relative path
    /// empty) or for each regular file of the directory (path relative to it, with `/`, raw
    /// bytes: names need not be UTF-8). One blob is held at a time (libgit2 holds it while
    /// the visitor runs). Inside a directory, symbolic links and submodules are left out, as a
    /// manifest of regular files leaves them out. Nested deeper than 4096 is an error.
    pub(crate) fn for_each_file(
        &self,
        commit: &str,
        path: &str,
        visit: &mut FileVisitor<'_>,
    ) -> Result<GitPath> {
        let objects = self.objects();
        let tree = objects.commit_tree(commit)?;
        let at = || format!("{path} at {}", short(commit));
        let Some(entry) = objects.entry_at(&tree, path, &at)? else {
            return Ok(GitPath::Missing);
        };
        match entry.kind {
            Some(ObjectType::Blob) => {
                if entry.filemode == 0o120000 {
                    // Link text is a path: at most PATH_MAX (4096) bytes are copied.
                    objects.check(entry.id, &at)?;
                    objects.present(entry.id, &at)?;
                    let odb = self.repo.odb().map_err(plain)?;
                    let (size, _) = odb
                        .read_header(entry.id)
                        .map_err(|e| plain(e).context(format!("cannot read {}", at())))?;
                    if size > 4096 {
                        return Err(UserError::new(format!(
                            "{}: a symbolic link whose target has {size} bytes, more than a \
                             path can have",
                            at()
                        ))
                        .into());
                    }
                    let blob = objects.blob(entry.id, &at)?;
                    return Ok(GitPath::Symlink(blob.content().to_vec()));
                }
                let blob = objects.blob(entry.id, &at)?;
                visit(b"", blob.content())?;
                return Ok(GitPath::File);
            }
            Some(ObjectType::Tree) => {}
            _ => return Ok(GitPath::Missing),
        }
        self.prefetch_dir(&objects, entry.id, path, commit)?;
        objects.walk(entry.id, path, commit, &mut |rel, e, _| {
            if matches!(e.filemode(), 0o100644 | 0o100755) {
                let file = || {
                    format!(
                        "{path}/{} at {}",
                        String::from_utf8_lossy(rel),
                        short(commit)
                    )
                };
                let blob = objects.blob(e.id(), &file)?;
                visit(rel, blob.content())?;
            }
            Ok(())
        })?;
        Ok(GitPath::Dir)
    }
}

impl Repo {
    /// Whether `commit`'s tree has an entry at `path` (of any kind), read from the trees alone:
    /// in a partial clone, no blob is fetched to learn it.
    pub(crate) fn has_entry(&self, commit: &str, path: &str) -> Result<bool> {
        let objects = self.objects();
        let tree = objects.commit_tree(commit)?;
        let at = || format!("{path} at {}", short(commit));
        Ok(objects.entry_at(&tree, path, &at)?.is_some())
    }

    /// In a partial clone, fetches the regular files under the tree `dir` that the repository
    /// lacks, in one batch, so that reading a directory is not one fetch per file. Nothing is
    /// done without a promisor remote (a missing blob is then an error when it is read).
    fn prefetch_dir(
        &self,
        objects: &objects::Objects<'_>,
        dir: git2::Oid,
        path: &str,
        commit: &str,
    ) -> Result<()> {
        let Some(_remote) = self.promisor_remote() else {
            return Ok(());
        };
        let mut blobs = Vec::new();
        objects.walk(dir, path, commit, &mut |_, e, _| {
            if matches!(e.filemode(), 0o100644 | 0o100755) {
                blobs.push(e.id());
            }
            Ok(())
        })?;
        super::promisor::fetch_objects(&self.repo, &blobs)
    }
}

/// One path of a commit's tree, as config and declaration files are read from it.
pub(crate) enum TreeFile {
    Missing,
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A symbolic link's target, as stored.
    Symlink(Vec<u8>),
    /// A blob larger than the limit asked for (its size, from the object header alone).
    TooLarge(u64),
    /// A directory or a submodule.
    NotAFile(&'static str),
}

impl Repo {
    /// The entry at `path` in `commit`'s tree; a blob's bytes are read only when its size (read
    /// from the object header first) is at most `max`.
    pub(crate) fn tree_file(&self, commit: &str, path: &str, max: u64) -> Result<TreeFile> {
        let objects = self.objects();
        let tree = objects.commit_tree(commit)?;
        let at = || format!("{path} at {}", short(commit));
        let Some(entry) = objects.entry_at(&tree, path, &at)? else {
            return Ok(TreeFile::Missing);
        };
        match entry.kind {
            Some(ObjectType::Blob) => {}
            Some(ObjectType::Tree) => return Ok(TreeFile::NotAFile("a directory")),
            _ => return Ok(TreeFile::NotAFile("a submodule")),
        }
        objects.check(entry.id, &at)?;
        objects.present(entry.id, &at)?;
        let odb = self.repo.odb().map_err(plain)?;
        let (size, _) = odb
            .read_header(entry.id)
            .map_err(plain)
            .with_context(|| format!("cannot read {}", at()))?;
        if size as u64 > max {
            return Ok(TreeFile::TooLarge(size as u64));
        }
        let blob = objects.blob(entry.id, &at)?;
        let bytes = blob.content().to_vec();
        Ok(if entry.filemode == 0o120000 {
            TreeFile::Symlink(bytes)
        } else {
            TreeFile::File(bytes)
        })
    }
}
