//! The git seam: the only module that names `git2`. This file opens the repository and holds
//! the seam's small operations; the tag listing is `tags.rs` (the pass), `tag_refs.rs` (which
//! refs there are), `read_tags.rs` (reading many on every core), `tag_object.rs` (parsing a tag
//! object), `loose.rs` (reading an object bounded) and `tag_warnings.rs`; `objects.rs` is the
//! checked access every commit, tree and blob read goes through.
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
use crate::registry::time::{parse_git_date, Timestamp};

mod loose;
mod objects;
mod read_tags;
mod tag_object;
mod tag_refs;
#[cfg(test)]
mod tag_tests;
mod tag_warnings;
mod tags;

use objects::short;

/// An open repository.
pub struct Repo {
    repo: Repository,
}

/// What one pass over `refs/tags` found.
#[derive(Debug, Default)]
pub struct TagListing {
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
pub struct Tagger {
    pub name: String,
    pub email: String,
    pub time: Timestamp,
}

/// What a tag ref is, as [`Repo::tag_kind`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// No such tag.
    Missing,
    /// A lightweight tag (or a symbolic ref under `refs/tags`): no event.
    Lightweight,
    /// An annotated tag (also one whose object is corrupt or missing: the listing warns of it).
    Annotated,
}

/// One commit of [`Repo::commits_between`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitBetween {
    /// Its id, full hex.
    pub id: String,
    /// Its first line.
    pub summary: String,
    /// Whether it changed the path asked about against its first parent (`true` for no path).
    pub touches_path: bool,
}

/// Where a ref ends, as [`Repo::ref_target`] resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTarget {
    /// The full name of the direct ref it ends at (after symbolic refs).
    pub name: String,
    /// The commit it names, full hex.
    pub commit: String,
}

impl Repo {
    /// Opens the repository containing `path` (or the current directory).
    pub fn open(path: Option<&Path>) -> Result<Repo> {
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
        let repo = match path {
            Some(p) => {
                if !p.exists() {
                    return Err(UserError::new(format!("'{}' does not exist", p.display()))
                        .with_hint("-C takes the path of a git repository")
                        .into());
                }
                Repository::discover(p).map_err(|e| cannot_open(p, &e))?
            }
            None => {
                let cwd = std::env::current_dir().context("cannot read the current directory")?;
                let start = std::env::var_os("GIT_DIR").map_or(cwd.clone(), |d| cwd.join(d));
                Repository::open_from_env().map_err(|e| cannot_open(&start, &e))?
            }
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
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The `.git` directory.
    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// The git directory shared by all work trees (the `.git` directory outside a linked work
    /// tree): where refs and the registry's lock live.
    pub fn common_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    /// Whether a tag exists, and whether it is annotated.
    pub fn tag_kind(&self, name: &str) -> Result<TagKind> {
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

    /// The commit a revision names (`HEAD`, a branch, a tag, a commit id).
    ///
    /// A ref name (as git completes it: `refs/tags/NAME`, `refs/heads/NAME`, …) or a full or
    /// abbreviated id is resolved without reading any object, and the chain of tags it names is
    /// then peeled with checked reads (see `objects.rs`); so are ancestry suffixes (`HEAD~2`,
    /// `v1^2`), walked here commit by commit. Other revspecs (`main@{1}`, `v1^{commit}`,
    /// `HEAD:path`) are resolved by git itself (`git_rev_parse`), never by libgit2's revparse,
    /// which reads the objects on its way unchecked; the commit git names is checked too.
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        self.refuse_corrupt_tag(rev)?;
        let unknown = || {
            let hint = if self.head_commit().is_none() {
                "the repository has no commits yet: commit something first".to_string()
            } else {
                "give a commit id, branch or tag that exists here (`git log --oneline` lists commits)"
                    .to_string()
            };
            anyhow::Error::from(UserError::new(format!("unknown revision '{rev}'")).with_hint(hint))
        };
        let objects = self.objects();
        let what = || format!("revision '{rev}'");
        if let Some(found) = self.resolve_ancestry(rev)? {
            return match found {
                Some(id) => Ok(id),
                None => Err(unknown()),
            };
        }
        let oid = match self.rev_to_id(rev)? {
            Some(oid) => oid,
            None if rev.contains(['~', '^', '@', ':']) => {
                // A complex revspec: git's own rev-parse, never libgit2's (see git_rev_parse).
                git_rev_parse(&self.git_dir(), rev)?.ok_or_else(unknown)?
            }
            None => return Err(unknown()),
        };
        match objects.peel_to_commit(oid, &what)? {
            Some(commit) => Ok(commit.id().to_string()),
            None => {
                Err(UserError::new(format!("revision '{rev}' does not point at a commit")).into())
            }
        }
    }

    /// `BASE` followed by `~N`, `^` or `^N` steps (git's ancestry suffixes), walked with
    /// checked reads: `None` if `rev` has no such form (or a base that is no ref or id), else
    /// the commit (`Some(None)`: a step leads to no commit, e.g. past the root).
    fn resolve_ancestry(&self, rev: &str) -> Result<Option<Option<String>>> {
        let Some(cut) = rev.find(['~', '^']) else {
            return Ok(None);
        };
        let (base, mut ops) = rev.split_at(cut);
        if base.is_empty() || ops.contains(['{', ':', '@', '/']) || rev_digits_bad(ops) {
            return Ok(None);
        }
        let Some(oid) = self.rev_to_id(base)? else {
            return Ok(None);
        };
        let objects = self.objects();
        let what = || format!("revision '{rev}'");
        let Some(mut commit) = objects.peel_to_commit(oid, &what)? else {
            return Ok(Some(None));
        };
        while let Some(op) = ops.chars().next() {
            ops = &ops[1..];
            let digits = ops.len() - ops.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let n: Option<usize> = ops[..digits].parse().ok();
            ops = &ops[digits..];
            // `~N`: N first parents; `^N`: the N-th parent (`^0` the commit itself).
            let steps: Vec<usize> = match (op, n) {
                ('~', n) => vec![0; n.unwrap_or(1)],
                ('^', Some(0)) => vec![],
                ('^', n) => vec![n.unwrap_or(1) - 1],
                _ => return Ok(None),
            };
            for parent in steps {
                let Some(id) = commit.parent_ids().nth(parent) else {
                    return Ok(Some(None));
                };
                commit = objects.commit(id, &|| format!("commit {}", short(&id.to_string())))?;
            }
        }
        Ok(Some(Some(commit.id().to_string())))
    }

    /// The id a ref name or a full or abbreviated object id names, reading no object; `None`
    /// if `rev` is neither.
    fn rev_to_id(&self, rev: &str) -> Result<Option<git2::Oid>> {
        if rev.is_empty() || rev.contains('\0') {
            return Ok(None);
        }
        // The loose ref files git would try for `rev`, in its order: libgit2 opens them
        // blocking and reads them whole, so one that is not a regular file is refused here.
        for candidate in [
            rev.to_string(),
            format!("refs/{rev}"),
            format!("refs/tags/{rev}"),
            format!("refs/heads/{rev}"),
            format!("refs/remotes/{rev}"),
            format!("refs/remotes/{rev}/HEAD"),
        ] {
            if let Some(what) = self.odd_ref_file(&candidate) {
                return Err(UserError::new(format!(
                    "ref '{candidate}' is {what}, not a file git wrote"
                ))
                .with_hint(format!(
                    "remove it (`rm {}`, in the git directory) and fetch it again if it is a \
                     real one",
                    crate::shell::shell_quote(&candidate)
                ))
                .into());
            }
        }
        let is_hex =
            rev.len() >= 4 && rev.len() <= 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && rev.len() == 40 {
            let oid = git2::Oid::from_str(rev).map_err(plain)?;
            let odb = self.repo.odb().map_err(plain)?;
            return Ok(odb.exists(oid).then_some(oid));
        }
        if let Ok(reference) = self.repo.resolve_reference_from_short_name(rev) {
            if let Some(oid) = reference.resolve().ok().and_then(|r| r.target()) {
                return Ok(Some(oid));
            }
        }
        if is_hex {
            let short = git2::Oid::from_str(rev).map_err(plain)?;
            let odb = self.repo.odb().map_err(plain)?;
            return match odb.exists_prefix(short, rev.len()) {
                Ok(oid) => Ok(Some(oid)),
                Err(e) if e.code() == ErrorCode::Ambiguous => Err(UserError::new(format!(
                    "short object id '{rev}' is ambiguous"
                ))
                .with_hint("give more digits of the id")
                .into()),
                Err(_) => Ok(None),
            };
        }
        Ok(None)
    }

    /// What the loose ref file of `refname` is when it exists and is not a regular file (or
    /// a directory, which is no ref): libgit2 must not open it.
    fn odd_ref_file(&self, refname: &str) -> Option<&'static str> {
        if refname.contains("..") || refname.starts_with('/') {
            return None; // no ref name git would look up
        }
        for dir in [self.repo.path(), self.repo.commondir()] {
            if let Ok(meta) = std::fs::symlink_metadata(dir.join(refname)) {
                if !meta.is_file() && !meta.is_dir() {
                    return Some(crate::file_kind::describe(&meta.file_type()));
                }
            }
        }
        None
    }

    /// Fails, naming the tag, when `rev` starts with a tag whose object is corrupt: libgit2
    /// would spin on it while resolving the revision.
    fn refuse_corrupt_tag(&self, rev: &str) -> Result<()> {
        let name = rev.split(['^', '~', ':']).next().unwrap_or(rev);
        let name = name.strip_prefix("refs/tags/").unwrap_or(name);
        if name.is_empty() || name.contains('\0') {
            return Ok(());
        }
        if self.odd_ref_file(&format!("refs/tags/{name}")).is_some() {
            return Ok(()); // refused by `rev_to_id`, naming it
        }
        let Some(oid) = self
            .repo
            .find_reference(&format!("refs/tags/{name}"))
            .ok()
            .and_then(|r| r.target())
        else {
            return Ok(());
        };
        match self.is_tag_object(name, oid)? {
            Ok(_) => Ok(()),
            Err(w) => Err(UserError::new(w.message.replace("; it is ignored", ""))
                .with_hint(w.fix)
                .into()),
        }
    }

    /// Commits reachable from `to` but not from `from`, newest first, each with its first line
    /// and whether it changed `path` (a file or directory) against its first parent.
    ///
    /// Walked here, not by libgit2's revwalk (which reads commits unchecked): every commit is
    /// checked before it is read. Commits are taken newest first (by committer time) from one
    /// queue holding both sides; ancestors of `from` are marked and never listed, and the walk
    /// stops once only marked commits are left (after a few more, for clock skew, as git does).
    pub fn commits_between(
        &self,
        from: &str,
        to: &str,
        path: Option<&str>,
    ) -> Result<Vec<CommitBetween>> {
        use std::collections::{BinaryHeap, HashMap};

        let parse = |c: &str| {
            git2::Oid::from_str(c)
                .map_err(plain)
                .with_context(|| format!("bad commit id {c}"))
        };
        let objects = self.objects();
        // Per commit: whether it is an ancestor of `from`; the queue orders by time, then
        // by insertion (older insertions first).
        let mut hidden: HashMap<git2::Oid, bool> = HashMap::new();
        let mut queue: BinaryHeap<(i64, std::cmp::Reverse<u64>, git2::Oid)> = BinaryHeap::new();
        // The commits in the queue that are not (yet) known ancestors of `from`.
        let mut interesting: HashSet<git2::Oid> = HashSet::new();
        let mut seq = 0u64;
        let mut listed: HashSet<git2::Oid> = HashSet::new();
        let mut candidates: Vec<(git2::Oid, String)> = Vec::new();
        let mut push = |oid: git2::Oid,
                        hide: bool,
                        queue: &mut BinaryHeap<_>,
                        hidden: &mut HashMap<git2::Oid, bool>,
                        interesting: &mut HashSet<git2::Oid>|
         -> Result<()> {
            let first = !hidden.contains_key(&oid);
            let entry = hidden.entry(oid).or_insert(false);
            let newly_hidden = hide && !*entry;
            *entry |= hide;
            if newly_hidden {
                interesting.remove(&oid);
            }
            if first || newly_hidden {
                // Queued again when it turns out hidden, so that its ancestors are marked too.
                let c = objects.commit(oid, &|| format!("commit {}", short(&oid.to_string())))?;
                seq += 1;
                queue.push((c.time().seconds(), std::cmp::Reverse(seq), oid));
                if !hide {
                    interesting.insert(oid);
                }
            }
            Ok(())
        };
        push(parse(to)?, false, &mut queue, &mut hidden, &mut interesting)?;
        push(
            parse(from)?,
            true,
            &mut queue,
            &mut hidden,
            &mut interesting,
        )?;
        let mut slop = 5;
        while let Some((_, _, oid)) = queue.pop() {
            interesting.remove(&oid);
            let hide = hidden[&oid];
            let commit = objects.commit(oid, &|| format!("commit {}", short(&oid.to_string())))?;
            if !hide && listed.insert(oid) {
                let summary = String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                    .into_owned();
                candidates.push((oid, summary));
            }
            for parent in commit.parent_ids() {
                push(parent, hide, &mut queue, &mut hidden, &mut interesting)?;
            }
            if interesting.is_empty() {
                if slop == 0 {
                    break;
                }
                slop -= 1;
            } else {
                slop = 5;
            }
        }
        let mut out = Vec::new();
        for (oid, summary) in candidates {
            if hidden[&oid] {
                continue;
            }
            let touched = match path {
                None => true,
                Some(p) => {
                    let commit =
                        objects.commit(oid, &|| format!("commit {}", short(&oid.to_string())))?;
                    let entry_id = |c: &git2::Commit<'_>| -> Result<Option<git2::Oid>> {
                        let hex = c.id().to_string();
                        let tree = objects.commit_tree(&hex)?;
                        Ok(objects
                            .entry_at(&tree, p, &|| format!("{p} at {}", short(&hex)))?
                            .map(|e| e.id))
                    };
                    let now = entry_id(&commit)?;
                    let before = match commit.parent_ids().next() {
                        Some(parent) => entry_id(&objects.commit(parent, &|| {
                            format!("commit {}", short(&parent.to_string()))
                        })?)?,
                        None => None,
                    };
                    now != before
                }
            };
            out.push(CommitBetween {
                id: oid.to_string(),
                summary,
                touches_path: touched,
            });
        }
        Ok(out)
    }

    /// The committer time of the commit a revision names.
    pub fn commit_time(&self, rev: &str) -> Result<i64> {
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
    pub fn head_commit(&self) -> Option<String> {
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

    /// The tagger as `git tag` finds it: `GIT_COMMITTER_NAME/EMAIL`, else `user.name/email`;
    /// the date from `GIT_COMMITTER_DATE`, else now.
    pub fn tagger(&self) -> Result<Tagger> {
        let config = self.repo.config().ok();
        let from_config = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        let name = std::env::var("GIT_COMMITTER_NAME")
            .ok()
            .or_else(|| from_config("user.name"))
            .filter(|s| !s.trim().is_empty());
        let email = std::env::var("GIT_COMMITTER_EMAIL")
            .ok()
            .or_else(|| std::env::var("EMAIL").ok())
            .or_else(|| from_config("user.email"))
            .filter(|s| !s.trim().is_empty());
        let (Some(raw_name), Some(raw_email)) = (name, email) else {
            return Err(UserError::new("no git identity to write the tag with")
                .with_hint(
                    "set one with `git config --global user.name \"Your Name\"` and \
                     `git config --global user.email you@example.com` \
                     (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)",
                )
                .into());
        };
        // Cleaned as git cleans them, so the tag is one git accepts (`git fsck`).
        let (name, email) = (without_crud(&raw_name), without_crud(&raw_email));
        for (what, raw, clean) in [("name", &raw_name, &name), ("e-mail", &raw_email, &email)] {
            if clean.is_empty() {
                return Err(UserError::new(format!(
                    "the git identity's {what} '{}' consists only of characters git removes",
                    raw.escape_debug()
                ))
                .with_hint(
                    "set a real one with `git config user.name`/`user.email` \
                     (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)",
                )
                .into());
            }
        }
        let time = match std::env::var("GIT_COMMITTER_DATE") {
            Ok(raw) if !raw.trim().is_empty() => parse_git_date(&raw).ok_or_else(|| {
                UserError::new(format!("GIT_COMMITTER_DATE '{raw}' is not a date")).with_hint(
                    "use a form git reads, e.g. '2026-03-01T12:00:00+01:00' or '@1772362800 +0000'",
                )
            })?,
            _ => {
                let now = git2::Signature::now(&name, &email)
                    .map_err(plain)
                    .with_context(|| format!("invalid git identity '{name} <{email}>'"))?;
                Timestamp::new(now.when().seconds(), now.when().offset_minutes())
            }
        };
        Ok(Tagger { name, email, time })
    }

    /// Creates an annotated tag `name` on `commit`. Fails, writing nothing, if the tag exists
    /// (also when another writer created it a moment ago: the ref is created atomically).
    pub fn create_tag(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger: &Tagger,
    ) -> Result<()> {
        let oid = self.write_tag_object(name, commit, message, tagger)?;
        self.create_tag_ref(name, &oid)
    }

    /// Writes the tag object of an annotated tag `name` on `commit`, without creating the ref
    /// (so it can be pushed first: `--push` is remote-first). Returns the object's id. An object
    /// no ref names is harmless (`git gc` prunes it).
    pub fn write_tag_object(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger: &Tagger,
    ) -> Result<String> {
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(UserError::new(format!("'{name}' is not a valid git tag name")).into());
        }
        let oid = git2::Oid::from_str(commit).with_context(|| format!("bad commit id {commit}"))?;
        let object = self
            .objects()
            .object(oid, &|| format!("commit {}", short(commit)))?;
        if object.kind() != Some(ObjectType::Commit) {
            return Err(UserError::new(format!("object {commit} is not a commit")).into());
        }
        let sig = git2::Signature::new(
            &tagger.name,
            &tagger.email,
            &git2::Time::new(tagger.time.seconds, tagger.time.offset_minutes),
        )
        .with_context(|| format!("invalid git identity '{} <{}>'", tagger.name, tagger.email))?;
        let mut text = message.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        match self.repo.tag_annotation_create(name, &object, &sig, &text) {
            Ok(id) => Ok(id.to_string()),
            Err(e) => Err(
                UserError::new(format!("cannot create tag '{name}': {}", e.message()))
                    .with_hint("the repository's object store may not be writable")
                    .into(),
            ),
        }
    }

    /// Creates the ref `refs/tags/NAME` for a tag object written by `write_tag_object`. Fails,
    /// writing nothing, if the tag exists (the ref is created atomically), and names a lock file
    /// left behind by a killed git or registry process.
    pub fn create_tag_ref(&self, name: &str, tag_object: &str) -> Result<()> {
        let oid = git2::Oid::from_str(tag_object)
            .with_context(|| format!("bad tag object id {tag_object}"))?;
        let refname = format!("refs/tags/{name}");
        match self
            .repo
            .reference(&refname, oid, false, &format!("registry: tag {name}"))
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == ErrorCode::Exists => {
                Err(UserError::new(format!("tag '{name}' already exists")).into())
            }
            Err(e) if e.code() == ErrorCode::Locked => {
                let lock = self.repo.commondir().join(format!("{refname}.lock"));
                let l = lock.display();
                Err(UserError::new(format!(
                    "cannot create tag '{name}': its ref is locked by {l}"
                ))
                .with_hint(format!(
                    "a git or registry process is writing it, or was killed while writing it; if no git or registry process is running, remove {l} (`rm {}`) and retry",
                    crate::shell::shell_quote(&l.to_string())
                ))
                .into())
            }
            Err(e) => Err(
                UserError::new(format!("cannot create tag '{name}': {}", e.message()))
                    .with_hint("another ref may be in the way (`git tag -l` lists the tags)")
                    .into(),
            ),
        }
    }

    /// Deletes a tag.
    pub fn delete_tag(&self, name: &str) -> Result<()> {
        match self.repo.tag_delete(name) {
            Ok(()) => Ok(()),
            Err(e) if e.code() == ErrorCode::NotFound => {
                Err(UserError::new(format!("tag '{name}' is not found")).into())
            }
            Err(e) => Err(plain(e)).with_context(|| format!("cannot delete tag '{name}'")),
        }
    }

    /// Paths of every file called `file_name` in `commit`'s tree (for `doctor`). Walked with
    /// an explicit stack, every tree checked before it is read; nested deeper than git's own
    /// `core.maxTreeDepth` (4096) is an error, not a stack overflow.
    pub fn files_named(&self, commit: &str, file_name: &str) -> Result<Vec<String>> {
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
            for e in tree.iter() {
                let Ok(name) = std::str::from_utf8(e.name_bytes()) else {
                    continue; // not UTF-8: no path a declaration file names
                };
                match e.kind() {
                    Some(ObjectType::Blob) if name == file_name => {
                        found.push(format!("{dir}{file_name}"));
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
pub type FileVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<()> + 'a;

/// What a path is in a commit's tree, as [`Repo::for_each_file`] found it.
#[derive(Debug, PartialEq, Eq)]
pub enum GitPath {
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
    pub fn for_each_file(
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
        let mut stack: Vec<(git2::Oid, Vec<u8>, usize)> = vec![(entry.id, Vec::new(), 0)];
        while let Some((id, prefix, depth)) = stack.pop() {
            let shown = || {
                format!(
                    "{path}/{} at {}",
                    String::from_utf8_lossy(&prefix),
                    short(commit)
                )
            };
            if depth > objects::MAX_TREE_DEPTH {
                return Err(UserError::new(format!(
                    "{}: trees nested deeper than {}",
                    shown(),
                    objects::MAX_TREE_DEPTH
                ))
                .into());
            }
            let tree = objects.tree(id, &shown)?;
            let mut subdirs = Vec::new();
            for e in tree.iter() {
                let mut rel = prefix.clone();
                rel.extend_from_slice(e.name_bytes());
                match e.filemode() {
                    0o100644 | 0o100755 => {
                        let file = || {
                            format!(
                                "{path}/{} at {}",
                                String::from_utf8_lossy(&rel),
                                short(commit)
                            )
                        };
                        let blob = objects.blob(e.id(), &file)?;
                        visit(&rel, blob.content())?;
                    }
                    0o040000 => {
                        rel.push(b'/');
                        subdirs.push((e.id(), rel));
                    }
                    _ => {}
                }
            }
            for (id, rel) in subdirs.into_iter().rev() {
                stack.push((id, rel, depth + 1));
            }
        }
        Ok(GitPath::Dir)
    }
}

/// Whether ancestry suffixes hold anything but `~`, `^` and digits (or a huge count).
fn rev_digits_bad(ops: &str) -> bool {
    !ops.chars()
        .all(|c| c == '~' || c == '^' || c.is_ascii_digit())
        || ops.split(['~', '^']).any(|d| d.len() > 6)
}

/// A name or e-mail as git puts it in an identity line (`strbuf_addstr_without_crud` in git's
/// `ident.c`): "crud" (control characters, space, `,:;<>"\'`) is stripped from both ends, and
/// `<`, `>` and newlines are dropped inside, so the line parses back as written.
fn without_crud(s: &str) -> String {
    let crud = |c: char| c <= ' ' || ",:;<>\"\\'".contains(c);
    s.trim_matches(crud)
        .chars()
        .filter(|c| !matches!(c, '\n' | '<' | '>'))
        .collect()
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
    if let Some((top, git_dir)) = &found {
        if uses_reftable(git_dir) {
            return reftable_error(top);
        }
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

/// One path of a commit's tree, as config and declaration files are read from it.
pub enum TreeFile {
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
    pub fn tree_file(&self, commit: &str, path: &str, max: u64) -> Result<TreeFile> {
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

    /// The branch HEAD names (`refs/heads/main`), even when that branch does not exist.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        head.symbolic_target().map(str::to_string)
    }

    /// The local branches and their commits, by name.
    pub fn branches(&self) -> Result<Vec<(String, String)>> {
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

// Seam for `check-ref --policy` (which branch's policy to trust).
impl Repo {
    /// The ref `name` (a full name, e.g. `refs/remotes/origin/HEAD`) resolved through symbolic
    /// refs: the name it ends at and its commit. `None` when it does not exist or names no commit.
    ///
    /// Every ref file on the way must be a regular file (libgit2 reads them blocking: a FIFO
    /// would hang it), and the commit is reached with checked reads, like any other revision.
    pub fn ref_target(&self, name: &str) -> Option<RefTarget> {
        if self.odd_ref_file(name).is_some() {
            return None;
        }
        let found = self.repo.find_reference(name).ok()?;
        if let Some(next) = found.symbolic_target() {
            if self.odd_ref_file(next).is_some() {
                return None;
            }
        }
        let reference = found.resolve().ok()?;
        let name = reference.name()?.to_string();
        let oid = reference.target()?;
        let commit = self.resolve_commit(&oid.to_string()).ok()?;
        Some(RefTarget { name, commit })
    }

    /// What a symbolic ref points at (`refs/remotes/origin/HEAD` -> `refs/remotes/origin/main`);
    /// `None` when it does not exist or is a direct ref. A pushed branch named `HEAD` arrives
    /// as a *direct* `refs/remotes/origin/HEAD`; only `git clone` and `git remote set-head` make
    /// the symbolic one.
    pub fn symbolic_ref(&self, name: &str) -> Option<String> {
        if self.odd_ref_file(name).is_some() {
            return None;
        }
        let found = self.repo.find_reference(name).ok()?;
        found.symbolic_target().map(str::to_string)
    }
}

/// Resolves a revision of a form the seam does not walk itself (`HEAD^{commit}`, `main@{1}`,
/// `HEAD:path`, `:/text`) with git itself: libgit2's revparse would read objects unchecked, and
/// a truncated loose object spins it forever, while git reports it and exits. The id it prints
/// is then read with checked reads like any other. `None`: git knows no such revision.
fn git_rev_parse(git_dir: &Path, rev: &str) -> Result<Option<git2::Oid>> {
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options", rev])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            UserError::new(format!(
                "cannot run git to resolve the revision '{rev}': {e}"
            ))
            .with_hint("install git, or give a branch, tag or commit id")
        })?;
    if !out.status.success() {
        return Ok(None);
    }
    let hex = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(git2::Oid::from_str(&hex).ok())
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
