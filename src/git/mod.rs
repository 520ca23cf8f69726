//! The git seam: the only module that names `git2`. This file opens the repository and holds
//! the seam's small operations; the tag listing is `tags.rs` (the pass), `tag_refs.rs` (which
//! refs there are), `read_tags.rs` (reading many on every core), `tag_object.rs` (parsing a tag
//! object), `loose.rs` (reading an object bounded) and `tag_warnings.rs`; `objects.rs` is the
//! checked access every commit, tree and blob read goes through; `revisions.rs` resolves
//! revisions, `trees.rs` reads commits' trees, `history.rs` walks the commits between two
//! versions, `cat_file.rs` streams a path's blobs out (for `get`), `writes.rs` writes and
//! deletes tags; `promisor.rs` fetches what a partial clone lacks, through the hardened `git`
//! program of `program.rs`.
//!
//! Opens the repository once, lists registry tags in one pass over `refs/tags`, resolves
//! revisions, creates and deletes annotated tags, reads the tagger identity and date the way
//! `git tag` does. Returns the core's own types (`RawTag`, commit ids as hex strings); git2 types
//! never leak out.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use git2::{ErrorCode, ObjectType, Repository};

use crate::error::UserError;
use crate::registry::event::RawTag;
use crate::registry::time::{Timestamp, parse_git_date};

mod cat_file;
mod config;
mod history;
mod loose;
mod objects;
mod program;
mod promisor;
mod read_tags;
mod revisions;
mod tag_object;
mod tag_refs;
#[cfg(test)]
mod tag_tests;
mod tag_warnings;
mod tags;
mod trees;
mod writes;

pub(crate) use cat_file::{BlobRef, PathBlobs};
pub(crate) use config::valid_ref_name;
pub(crate) use program::{ALLOWED_PROTOCOLS, credentials, git_command, redact};
pub(crate) use trees::{GitPath, TreeFile};

use objects::short;

/// An open repository.
pub(crate) struct Repo {
    repo: Repository,
}

/// What one pass over `refs/tags` found.
#[derive(Debug, Default)]
pub(crate) struct TagListing {
    /// Annotated tags whose names parse as registry tags (and pass the caller's filter).
    pub tags: Vec<RawTag>,
    /// Every registry-shaped tag name in scope, lightweight ones included (for counters and
    /// clashes: no other name can equal a registry tag's).
    pub all_names: HashSet<String>,
    /// Registry-shaped names that are lightweight tags (GTO ignores them; so do we).
    pub lightweight: Vec<String>,
    /// Registry tags that cannot count (a corrupt or missing object, a malformed or missing
    /// tagger): one warning each, never an error.
    pub unreadable: Vec<crate::registry::event::Warning>,
    /// Registry-shaped names git itself refuses (`git check-ref-format`): not tags.
    pub refused: Vec<String>,
}

/// Who writes a tag, and when.
#[derive(Debug, Clone)]
pub(crate) struct Tagger {
    pub name: String,
    pub email: String,
    pub time: Timestamp,
}

/// What a tag ref is, as [`Repo::tag_kind`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagKind {
    /// No such tag.
    Missing,
    /// A lightweight tag (or a symbolic ref under `refs/tags`): no event.
    Lightweight,
    /// An annotated tag (also one whose object is corrupt or missing: the listing warns of it).
    Annotated,
}

/// One commit of [`Repo::commits_between`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitBetween {
    /// Its id, full hex.
    pub id: String,
    /// Its first line.
    pub summary: String,
    /// Whether it changed the path asked about against its first parent (`true` for no path).
    pub touches_path: bool,
}

/// Where a ref ends, as [`Repo::ref_target`] resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefTarget {
    /// The full name of the direct ref it ends at (after symbolic refs).
    pub name: String,
    /// The commit it names, full hex.
    pub commit: String,
}

impl Repo {
    /// Opens the repository containing `path` (or the current directory).
    pub(crate) fn open(path: Option<&Path>) -> Result<Repo> {
        // libgit2's options are process-wide: set once, before any repository is read. Tag
        // objects are read once each: libgit2's object cache would only cost memory, and git
        // itself does not re-hash objects it reads (fsck does that). Loose tag objects are
        // inflated here, not by libgit2 (see `loose::read_object`): zlib's own check, the
        // header's length and the end of the stream catch a truncated or damaged file, which
        // hashing could only catch after libgit2's reader had spun on it.
        static OPTIONS: std::sync::Once = std::sync::Once::new();
        OPTIONS.call_once(|| {
            git2::opts::strict_hash_verification(false);
            git2::opts::enable_caching(false);
        });
        let repo = if let Some(p) = path {
            if !p.exists() {
                return Err(UserError::new(format!("'{}' does not exist", p.display()))
                    .with_hint("-C takes the path of a git repository")
                    .into());
            }
            Repository::discover(p).map_err(|e| cannot_open(p, &e))?
        } else {
            let cwd = std::env::current_dir().context("cannot read the current directory")?;
            let start = std::env::var_os("GIT_DIR").map_or(cwd.clone(), |d| cwd.join(d));
            Repository::open_from_env().map_err(|e| cannot_open(&start, &e))?
        };
        // Should a libgit2 open a reftable repository one day, its refs are still not where
        // the listing reads them (`tag_refs.rs`): refuse it all the same.
        if repo.commondir().join("reftable").is_dir() {
            let top = repo.workdir().unwrap_or(repo.path());
            return Err(reftable_error(top));
        }
        Ok(Repo { repo })
    }

    /// The work tree, if any (`None` for a bare repository).
    pub(crate) fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The `.git` directory.
    pub(crate) fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// The git directory shared by all work trees (the `.git` directory outside a linked work
    /// tree): where refs and the registry's lock live.
    pub(crate) fn common_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    /// Whether a tag exists, and whether it is annotated.
    pub(crate) fn tag_kind(&self, name: &str) -> Result<TagKind> {
        if let Some(what) = self.odd_ref_file(&format!("refs/tags/{name}")) {
            // A FIFO, device or link where the ref would be: libgit2 would block or read it
            // without end. Not read; in the way of a new tag.
            return Err(UserError::new(format!(
                "tag ref '{name}' is {what}, not a file git wrote; it cannot be read"
            ))
            .with_hint(format!(
                "remove it (`rm {}`, in the repository's top directory), and fetch the tag \
                 again if it is a real one",
                crate::shell::shell_quote(&format!(".git/refs/tags/{name}"))
            ))
            .into());
        }
        match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => {
                let Some(oid) = r.target() else {
                    return Ok(TagKind::Lightweight);
                };
                // A corrupt or missing object counts as a tag: the listing warned about it.
                Ok(if self.is_tag_object(name, oid)?.unwrap_or(true) {
                    TagKind::Annotated
                } else {
                    TagKind::Lightweight
                })
            }
            Err(e) if e.code() == ErrorCode::NotFound || e.code() == ErrorCode::InvalidSpec => {
                Ok(TagKind::Missing)
            }
            Err(e) => Err(plain(e)).with_context(|| format!("cannot read tag '{name}'")),
        }
    }

    /// The committer time of the commit a revision names.
    pub(crate) fn commit_time(&self, rev: &str) -> Result<i64> {
        let id = self.resolve_commit(rev)?;
        let oid = git2::Oid::from_str(&id)
            .map_err(plain)
            .with_context(|| format!("bad commit id {id}"))?;
        let commit = self
            .objects()
            .commit(oid, &|| format!("commit {}", short(&id)))?;
        Ok(commit.time().seconds())
    }

    /// HEAD's commit, if the repository has one. Read no further than its type: a corrupt
    /// commit is reported, naming it, by whatever reads it next.
    pub(crate) fn head_commit(&self) -> Option<String> {
        let oid = self.repo.refname_to_id("HEAD").ok()?;
        self.commit_id(oid)
    }

    /// The commit `oid` is or (through tags) leads to, by checked reads; a corrupt object
    /// counts as the commit (what reads it next names it).
    fn commit_id(&self, oid: git2::Oid) -> Option<String> {
        let objects = self.objects();
        let what = || format!("object {oid}");
        match objects.kind(oid, &what) {
            Ok(Some(ObjectType::Commit)) | Err(_) => Some(oid.to_string()),
            Ok(Some(ObjectType::Tag)) => objects
                .peel_to_commit(oid, &what)
                .ok()
                .flatten()
                .map(|c| c.id().to_string()),
            Ok(_) => None,
        }
    }
}

/// Why libgit2 could not open the repository at or above `path`, in git's words: another
/// user's repository (git's "dubious ownership", with its `safe.directory` hint), a ref format
/// libgit2 cannot read (reftable), or no repository at all. libgit2's own message (its error
/// classes and codes) is left out.
fn cannot_open(path: &Path, e: &git2::Error) -> anyhow::Error {
    let found = find_git_dir(path);
    if e.code() == ErrorCode::Owner {
        let top = found.as_ref().map_or(path, |(top, _)| top.as_path());
        let shown = top.display().to_string();
        return UserError::new(format!(
            "detected dubious ownership in repository at '{shown}': it is owned by another user"
        ))
        .with_hint(format!(
            "if you trust it, add an exception as git does: `git config --global --add safe.directory {}`",
            crate::shell::shell_quote(&shown)
        ))
        .into();
    }
    if let Some((top, git_dir)) = &found
        && uses_reftable(git_dir)
    {
        return reftable_error(top);
    }
    // A repository extension libgit2 does not know (its message names it). The one a tool may
    // well have written is an older git's `extensions.partialClone`, which git itself reads as
    // the promisor remote that `remote.<name>.promisor` names today.
    if let Some(ext) = e.message().strip_prefix("unsupported extension name ") {
        let top = found.as_ref().map_or(path, |(top, _)| top.as_path());
        let mut err = UserError::new(format!(
            "'{}' uses the repository extension '{}', which registry cannot read",
            top.display(),
            ext.trim()
        ));
        if ext.trim().eq_ignore_ascii_case("extensions.partialclone") {
            err = err.with_hint(
                "this is how older git marked a partial clone; today's git marks it per remote, \
                 which registry reads: `git config remote.origin.promisor true && git config \
                 --unset extensions.partialClone` (with your promisor remote for origin)",
            );
        }
        return err.into();
    }
    not_a_repo(path)
}

fn reftable_error(top: &Path) -> anyhow::Error {
    UserError::new(format!(
        "'{}' stores its refs in the reftable format (extensions.refstorage = reftable), \
         which registry cannot read yet",
        top.display().to_string().trim_end_matches('/')
    ))
    .with_hint(
        "use a copy in the files format: `git clone --ref-format=files REPO COPY` \
         (`git refs migrate --ref-format=files` converts in place where git supports \
         it: not yet with reflogs in git 2.47)",
    )
    .into()
}

/// The repository at or above `start` as git finds it: (its top directory, its git directory).
/// Only looks; `None` where nothing looks like a repository.
fn find_git_dir(start: &Path) -> Option<(PathBuf, PathBuf)> {
    let start = std::path::absolute(start).ok()?;
    let looks_like_git_dir = |d: &Path| d.join("HEAD").is_file() && d.join("objects").is_dir();
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() && looks_like_git_dir(&dot_git) {
            return Some((dir.to_path_buf(), dot_git));
        }
        if dot_git.is_file() {
            // A linked work tree or submodule: `gitdir: PATH`.
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.strip_prefix("gitdir:")?.trim();
            return Some((dir.to_path_buf(), dir.join(target)));
        }
        if looks_like_git_dir(dir) {
            return Some((dir.to_path_buf(), dir.to_path_buf()));
        }
    }
    None
}

/// Whether the repository whose git directory is `git_dir` keeps its refs in a reftable
/// (`extensions.refstorage = reftable`, or a `reftable` directory; for a linked work tree, in
/// the common directory).
fn uses_reftable(git_dir: &Path) -> bool {
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .map_or(git_dir.to_path_buf(), |c| git_dir.join(c.trim()));
    if common.join("reftable").is_dir() || git_dir.join("reftable").is_dir() {
        return true;
    }
    git2::Config::open(&common.join("config"))
        .and_then(|c| c.get_string("extensions.refstorage"))
        .is_ok_and(|v| v.eq_ignore_ascii_case("reftable"))
}

/// libgit2's error in plain words: its message, without its error class and code
/// (`class=Zlib (5)`), which say nothing to a user.
fn plain(e: git2::Error) -> anyhow::Error {
    anyhow::Error::msg(e.message().to_string())
}

fn not_a_repo(path: &Path) -> anyhow::Error {
    UserError::new(format!("'{}' is not in a git repository", path.display()))
        .with_hint("run `git init` there first, or point -C at a repository")
        .into()
}

/// One link of an error chain in plain words: a libgit2 error's own message, without the
/// `; class=Zlib (5); code=…` internals its `Display` appends; any other error as it displays.
pub fn plain_cause(cause: &(dyn std::error::Error + 'static)) -> String {
    match cause.downcast_ref::<git2::Error>() {
        Some(e) => e.message().to_string(),
        None => cause.to_string(),
    }
}

impl Repo {
    /// The branch HEAD names (`refs/heads/main`), even when that branch does not exist.
    pub(crate) fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        head.symbolic_target().map(str::to_string)
    }

    /// The local branches and their commits, by name.
    pub(crate) fn branches(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for b in self
            .repo
            .branches(Some(git2::BranchType::Local))
            .context("cannot list branches")?
        {
            let (b, _) = b.context("cannot list branches")?;
            let name = b.get().name().unwrap_or_default().to_string();
            if let Some(c) = b.get().target().and_then(|oid| self.commit_id(oid)) {
                out.push((name, c));
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod plain_cause_tests {
    use super::*;

    #[test]
    fn libgit2_internals_stay_out_of_messages() {
        let inner = git2::Error::new(
            git2::ErrorCode::GenericError,
            git2::ErrorClass::Zlib,
            "failed to inflate object",
        );
        assert!(inner.to_string().contains("class=Zlib"), "{inner}");
        let err = anyhow::Error::new(inner).context("cannot read the object of tag 'm@v1.0.0'");
        let chain: Vec<String> = err.chain().map(plain_cause).collect();
        assert_eq!(
            chain.join(": "),
            "cannot read the object of tag 'm@v1.0.0': failed to inflate object"
        );
    }
}
