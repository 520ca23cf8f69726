//! Checked object access: the one way the git seam reads commits, trees and blobs.
//!
//! libgit2 1.9.7 (the newest `libgit2-sys`) spins forever inflating a truncated loose object
//! (fixed upstream in libgit2 PR #7346, not yet released). So before libgit2 is asked for an
//! object, its loose file, if it has one (in `objects/` or an alternate), is inflated here,
//! streamed through a fixed buffer, with its header, length and end checked as git checks them;
//! a corrupt one is a clear error naming the object and what it is. libgit2 also reads objects
//! implicitly (a tree path's intermediate trees, a revwalk's commits, peeling), so paths are
//! descended here one component at a time, trees are walked with an explicit stack, and
//! history is walked here: every object libgit2 reads has been checked first.

use std::path::Path;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Oid, Repository};

use super::loose::{LooseDirs, Want, inflate_loose};
use super::promisor::{fetch_objects, missing_error, promisor_remote};
use super::{Repo, plain};
use crate::error::UserError;

/// Trees nested deeper than this are refused (git's own `core.maxTreeDepth`).
pub(super) const MAX_TREE_DEPTH: usize = 4096;

/// Checked reads through one repository handle.
pub(super) struct Objects<'r> {
    repo: &'r Repository,
    dirs: LooseDirs,
}

/// A tree entry as found by [`Objects::entry_at`].
pub(super) struct Entry {
    pub id: Oid,
    pub filemode: i32,
    pub kind: Option<ObjectType>,
}

impl Repo {
    /// The checked object layer (loose directories listed now).
    pub(super) fn objects(&self) -> Objects<'_> {
        Objects {
            repo: &self.repo,
            dirs: LooseDirs::of(&self.repo),
        }
    }
}

/// What [`Objects::walk`] calls for each entry: its path relative to the walk's root, the
/// entry, and the name of the directory holding it for messages.
pub(super) type EachEntry<'a> =
    dyn FnMut(&[u8], &git2::TreeEntry<'_>, &dyn Fn() -> String) -> Result<()> + 'a;

/// A short id for messages.
pub(super) fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

impl<'r> Objects<'r> {
    /// Fails, naming `what` the object is, when `oid` has a loose file that is corrupt. Returns
    /// the object's type when a loose file says it.
    pub(super) fn check(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<Option<ObjectType>> {
        let hex = oid.to_string();
        let fan_out = usize::from(oid.as_bytes()[0]);
        for (dir, fan_outs) in self.dirs.dirs() {
            if !fan_outs[fan_out] {
                continue;
            }
            let path = dir.join(&hex[..2]).join(&hex[2..]);
            match check_loose(&path) {
                Ok(None) => {}
                Ok(Some(Ok(kind))) => return Ok(Some(kind)),
                Ok(Some(Err(why))) => return Err(corrupt(&what(), &hex, &why)),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("{}: cannot read object {hex} ({})", what(), path.display())
                    });
                }
            }
        }
        Ok(None)
    }

    /// The type of `oid` without reading the object (`None`: it is not in the repository).
    pub(super) fn kind(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<Option<ObjectType>> {
        if let Some(kind) = self.check(oid, what)? {
            return Ok(Some(kind));
        }
        let odb = self.repo.odb().map_err(plain)?;
        match odb.read_header(oid) {
            Ok((_, kind)) => Ok(Some(kind)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => {
                Err(plain(e)).with_context(|| format!("{}: cannot read object {oid}", what()))
            }
        }
    }

    pub(super) fn commit(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<git2::Commit<'r>> {
        self.check(oid, what)?;
        self.or_fetch(oid, what, || self.repo.find_commit(oid))
    }

    pub(super) fn tree(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<git2::Tree<'r>> {
        self.check(oid, what)?;
        self.or_fetch(oid, what, || self.repo.find_tree(oid))
    }

    /// Walks the tree `root`, the directory `path` at `commit`, depth first with an explicit
    /// stack: each tree is checked and read as [`Objects::tree`] reads one, and nesting deeper
    /// than git's `core.maxTreeDepth` is an error. `each(rel, entry, at)` gets every entry, with
    /// its path relative to `root` (`a/b`, no trailing `/`) and `at` naming the directory that
    /// holds it for messages; an error of `each` stops the walk. A tree's entries come in its
    /// order, its subtrees after them.
    pub(super) fn walk(
        &self,
        root: Oid,
        path: &str,
        commit: &str,
        each: &mut EachEntry<'_>,
    ) -> Result<()> {
        let mut stack: Vec<(Oid, Vec<u8>, usize)> = vec![(root, Vec::new(), 0)];
        while let Some((id, prefix, depth)) = stack.pop() {
            let shown = || {
                format!(
                    "{path}/{} at {}",
                    String::from_utf8_lossy(&prefix),
                    short(commit)
                )
            };
            if depth > MAX_TREE_DEPTH {
                return Err(UserError::new(format!(
                    "{}: trees nested deeper than {MAX_TREE_DEPTH}",
                    shown()
                ))
                .into());
            }
            let tree = self.tree(id, &shown)?;
            let mut subdirs = Vec::new();
            for e in &tree {
                let mut rel = prefix.clone();
                rel.extend_from_slice(e.name_bytes());
                each(&rel, &e, &shown)?;
                if e.filemode() == 0o040000 {
                    subdirs.push((e.id(), rel));
                }
            }
            for (id, mut rel) in subdirs.into_iter().rev() {
                rel.push(b'/');
                stack.push((id, rel, depth + 1));
            }
        }
        Ok(())
    }

    pub(super) fn blob(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<git2::Blob<'r>> {
        self.check(oid, what)?;
        self.or_fetch(oid, what, || self.repo.find_blob(oid))
    }

    pub(super) fn object(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<git2::Object<'r>> {
        self.check(oid, what)?;
        self.or_fetch(oid, what, || self.repo.find_object(oid, None))
    }

    /// Reads `oid` with `read`; when the repository lacks it, fetches it from the promisor
    /// remote (one object: callers that know their reads ahead fetch them in one batch first,
    /// `Repo::prefetch`) and reads again, or fails with the fetch that would bring it.
    fn or_fetch<T>(
        &self,
        oid: Oid,
        what: &dyn Fn() -> String,
        read: impl Fn() -> Result<T, git2::Error>,
    ) -> Result<T> {
        match read() {
            Ok(found) => Ok(found),
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                // libgit2 says "not found" of an object of another type too: that one is
                // here, and no fetch brings it as what it is not.
                let odb = self.repo.odb().map_err(plain)?;
                if let Ok((_, kind)) = odb.read_header(oid) {
                    return Err(UserError::new(format!(
                        "{}: object {oid} is a {kind}, not what it is named as",
                        what()
                    ))
                    .with_hint("the repository holds a malformed object; `git fsck` names it")
                    .into());
                }
                if promisor_remote(self.repo).is_none() {
                    return Err(missing_error(self.repo, &what(), oid));
                }
                fetch_objects(self.repo, &[oid]).with_context(what)?;
                read().map_err(|e| unreadable(self.repo, &what(), oid, e))
            }
            Err(e) => Err(unreadable(self.repo, &what(), oid, e)),
        }
    }

    /// Makes sure `oid` is in the repository (fetched from the promisor remote if need be),
    /// before something reads it outside these checked reads (an object header).
    pub(super) fn present(&self, oid: Oid, what: &dyn Fn() -> String) -> Result<()> {
        let odb = self.repo.odb().map_err(plain)?;
        if !odb.exists(oid) {
            fetch_objects(self.repo, &[oid]).with_context(what)?;
        }
        if odb.exists(oid) {
            Ok(())
        } else {
            Err(missing_error(self.repo, &what(), oid))
        }
    }

    /// The tree of a commit given by hex id.
    pub(super) fn commit_tree(&self, commit: &str) -> Result<git2::Tree<'r>> {
        let oid = Oid::from_str(commit)
            .map_err(plain)
            .with_context(|| format!("bad commit id {commit}"))?;
        let c = self.commit(oid, &|| format!("commit {}", short(commit)))?;
        self.tree(c.tree_id(), &|| {
            format!("the tree of commit {}", short(commit))
        })
    }

    /// Follows `oid` through tags (at most 32, as git peels) to a commit; `None` when the chain
    /// ends in something else. Every link is checked before libgit2 reads it.
    pub(super) fn peel_to_commit(
        &self,
        mut oid: Oid,
        what: &dyn Fn() -> String,
    ) -> Result<Option<git2::Commit<'r>>> {
        for _ in 0..32 {
            let object = self.object(oid, what)?;
            match object.kind() {
                Some(ObjectType::Commit) => return Ok(object.into_commit().ok()),
                Some(ObjectType::Tag) => match object.as_tag() {
                    Some(tag) => oid = tag.target_id(),
                    None => return Ok(None),
                },
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The entry at `path` (components split on `/`) under `tree`, descended one component at
    /// a time so that every intermediate tree is checked; `None` if there is none.
    pub(super) fn entry_at(
        &self,
        tree: &git2::Tree<'r>,
        path: &str,
        what: &dyn Fn() -> String,
    ) -> Result<Option<Entry>> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let Some((last, dirs)) = parts.split_last() else {
            return Ok(None);
        };
        let mut current: Option<git2::Tree<'r>> = None;
        let mut walked = String::new();
        for dir in dirs {
            let id = {
                let here = current.as_ref().unwrap_or(tree);
                match here.get_name(dir) {
                    Some(e) if e.kind() == Some(ObjectType::Tree) => e.id(),
                    _ => return Ok(None),
                }
            };
            walked.push_str(dir);
            walked.push('/');
            let shown = walked.clone();
            current = Some(self.tree(id, &|| format!("{shown} in {}", what()))?);
        }
        let here = current.as_ref().unwrap_or(tree);
        Ok(here.get_name(last).map(|e| Entry {
            id: e.id(),
            filemode: e.filemode(),
            kind: e.kind(),
        }))
    }
}

/// A corrupt object as an error: what it is, which object, why, and the fix.
fn corrupt(what: &str, hex: &str, why: &str) -> anyhow::Error {
    UserError::new(format!("{what}: object {hex} is corrupt ({why})"))
        .with_hint(format!(
            "remove the damaged file objects/{}/{} in the git directory and get the object \
             again (`git fetch origin`, or copy it from another clone); `git fsck` lists what \
             else is damaged",
            &hex[..2],
            &hex[2..]
        ))
        .into()
}

/// libgit2 could not read a checked object (a damaged pack, or a missing object).
fn unreadable(repo: &Repository, what: &str, oid: Oid, e: git2::Error) -> anyhow::Error {
    if e.code() == git2::ErrorCode::NotFound {
        return missing_error(repo, what, oid);
    }
    UserError::new(format!(
        "{what}: object {oid} cannot be read ({})",
        e.message()
    ))
    .with_hint(
        "a pack of the repository may be damaged (`git fsck` shows what is): clone the \
             repository again",
    )
    .into()
}

/// Checks the loose object file at `path` by inflating all of it (see
/// [`inflate_loose`]): `None` if there is no such file; else its type, or why it is corrupt.
pub(super) fn check_loose(path: &Path) -> std::io::Result<Option<Result<ObjectType, String>>> {
    Ok(inflate_loose(path, Want::Check)?
        .map(|read| read.map(|(kind, _)| kind).map_err(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cut of a loose object, a flipped byte and trailing garbage are caught; the whole
    /// file passes with its type.
    #[test]
    fn every_damaged_loose_file_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let content: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i * 7919).to_le_bytes())
            .collect();
        for (kind, data) in [
            (ObjectType::Blob, content.as_slice()),
            (ObjectType::Blob, b"hi\n".as_slice()),
        ] {
            let oid = repo.odb().unwrap().write(kind, data).unwrap();
            let hex = oid.to_string();
            let path = dir
                .path()
                .join(".git/objects")
                .join(&hex[..2])
                .join(&hex[2..]);
            let whole = std::fs::read(&path).unwrap();
            assert_eq!(check_loose(&path).unwrap(), Some(Ok(ObjectType::Blob)));
            let tmp = dir.path().join("cut");
            let cuts: Vec<usize> = if whole.len() < 400 {
                (0..whole.len()).collect()
            } else {
                (0..whole.len())
                    .step_by(whole.len() / 97)
                    .chain([whole.len() - 1])
                    .collect()
            };
            for n in cuts {
                std::fs::write(&tmp, &whole[..n]).unwrap();
                assert!(
                    matches!(check_loose(&tmp).unwrap(), Some(Err(_))),
                    "cut to {n}"
                );
            }
            let mut longer = whole.clone();
            longer.push(0);
            std::fs::write(&tmp, &longer).unwrap();
            assert!(matches!(check_loose(&tmp).unwrap(), Some(Err(_))));
        }
        assert_eq!(check_loose(&dir.path().join("none")).unwrap(), None);
    }

    /// The walk of `commits_between` lists what `git rev-list --topo-order`-free `A..B` lists,
    /// over a history with merges and a committer clock that goes backwards.
    #[test]
    fn commits_between_lists_what_rev_list_lists() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree_id).unwrap();
        let mut ids: Vec<Oid> = Vec::new();
        // Commit i has parents chosen from earlier ones; times jump about.
        for i in 0..60usize {
            let time = 1_700_000_000 + i64::try_from((i * 37 % 23) * 100 + i).unwrap();
            let sig = git2::Signature::new("A", "a@x", &git2::Time::new(time, 0)).unwrap();
            let parents: Vec<git2::Commit<'_>> = match i {
                0 => vec![],
                _ if i % 7 == 0 && i > 10 => vec![
                    repo.find_commit(ids[i - 1]).unwrap(),
                    repo.find_commit(ids[i - 9]).unwrap(),
                ],
                _ if i % 5 == 0 => vec![repo.find_commit(ids[i - 3]).unwrap()],
                _ => vec![repo.find_commit(ids[i - 1]).unwrap()],
            };
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            ids.push(
                repo.commit(None, &sig, &sig, &format!("c{i}"), &tree, &refs)
                    .unwrap(),
            );
        }
        repo.reference("refs/heads/main", ids[59], true, "")
            .unwrap();
        repo.set_head("refs/heads/main").unwrap();
        let opened = Repo::open(Some(dir.path())).unwrap();
        // Revisions resolve as git resolves them, ancestry suffixes walked here.
        let short = ids[40].to_string()[..9].to_string();
        for rev in [
            "HEAD", "main", "HEAD~1", "HEAD^", "HEAD^1", "HEAD~3^2", "main~5~2", "HEAD^0",
            "HEAD^2~1", &short, "HEAD@{0}",
        ] {
            let out = std::process::Command::new("git")
                .args(["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")])
                .current_dir(dir.path())
                .output()
                .unwrap();
            let theirs = String::from_utf8(out.stdout).unwrap().trim().to_string();
            let ours = opened.resolve_commit(rev).map_or(String::new(), |id| id);
            assert_eq!(ours, theirs, "{rev}");
        }
        assert!(opened.resolve_commit("HEAD~60").is_err());
        for (a, b) in [
            (0, 59),
            (20, 59),
            (58, 59),
            (59, 20),
            (33, 47),
            (10, 10),
            (46, 50),
        ] {
            let (from, to) = (ids[a].to_string(), ids[b].to_string());
            let ours: std::collections::BTreeSet<String> = opened
                .commits_between(&from, &to, None)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            let out = std::process::Command::new("git")
                .args(["rev-list", &format!("{from}..{to}")])
                .current_dir(dir.path())
                .output()
                .unwrap();
            let theirs: std::collections::BTreeSet<String> = String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
            assert_eq!(ours, theirs, "{a}..{b}");
        }
    }
}
