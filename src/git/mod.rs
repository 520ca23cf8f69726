//! The git seam: the only module that names `git2` (this file, and `tags.rs` for listing tags).
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

mod tags;

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

impl Repo {
    /// Opens the repository containing `path` (or the current directory).
    pub fn open(path: Option<&Path>) -> Result<Repo> {
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
        // the listing reads them (`tags.rs`): refuse it all the same.
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

    /// Whether a tag exists, and whether it is annotated: `None` absent, `Some(false)` lightweight.
    pub fn tag_kind(&self, name: &str) -> Result<Option<bool>> {
        match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => {
                let Some(oid) = r.target() else {
                    return Ok(Some(false));
                };
                // A corrupt or missing object counts as a tag: the listing warned about it.
                Ok(Some(self.is_tag_object(name, oid)?.unwrap_or(true)))
            }
            Err(e) if e.code() == ErrorCode::NotFound || e.code() == ErrorCode::InvalidSpec => {
                Ok(None)
            }
            Err(e) => Err(plain(e)).with_context(|| format!("cannot read tag '{name}'")),
        }
    }

    /// The commit a revision names (`HEAD`, a branch, a tag, a commit id).
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        self.refuse_corrupt_tag(rev)?;
        let object = self.repo.revparse_single(rev).map_err(|_| {
            let hint = if self.head_commit().is_none() {
                "the repository has no commits yet: commit something first".to_string()
            } else {
                "give a commit id, branch or tag that exists here (`git log --oneline` lists commits)"
                    .to_string()
            };
            UserError::new(format!("unknown revision '{rev}'")).with_hint(hint)
        })?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| UserError::new(format!("revision '{rev}' does not point at a commit")))?;
        Ok(commit.id().to_string())
    }

    /// Fails, naming the tag, when `rev` starts with a tag whose object is corrupt: libgit2
    /// would spin on it while resolving the revision.
    fn refuse_corrupt_tag(&self, rev: &str) -> Result<()> {
        let name = rev.split(['^', '~', ':']).next().unwrap_or(rev);
        let name = name.strip_prefix("refs/tags/").unwrap_or(name);
        if name.is_empty() || name.contains('\0') {
            return Ok(());
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

    /// Commits reachable from `to` but not from `from`, newest first, as (id, first line), and
    /// whether each changed `path` (a file or directory) against its first parent.
    pub fn commits_between(
        &self,
        from: &str,
        to: &str,
        path: Option<&str>,
    ) -> Result<Vec<(String, String, bool)>> {
        let parse = |c: &str| {
            git2::Oid::from_str(c)
                .map_err(plain)
                .with_context(|| format!("bad commit id {c}"))
        };
        let mut walk = self
            .repo
            .revwalk()
            .map_err(plain)
            .context("cannot walk history")?;
        walk.push(parse(to)?)
            .map_err(plain)
            .context("cannot walk history")?;
        walk.hide(parse(from)?)
            .map_err(plain)
            .context("cannot walk history")?;
        let entry_id =
            |tree: &git2::Tree<'_>, p: &str| tree.get_path(Path::new(p)).ok().map(|e| e.id());
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(plain).context("cannot walk history")?;
            let commit = self
                .repo
                .find_commit(oid)
                .map_err(plain)
                .with_context(|| format!("cannot read commit {oid}"))?;
            let touched = match path {
                None => true,
                Some(p) => {
                    let now = entry_id(&commit.tree().map_err(plain)?, p);
                    let before = match commit.parent(0) {
                        Ok(parent) => entry_id(&parent.tree().map_err(plain)?, p),
                        Err(_) => None,
                    };
                    now != before
                }
            };
            let summary =
                String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned();
            out.push((oid.to_string(), summary, touched));
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
            .repo
            .find_commit(oid)
            .map_err(plain)
            .with_context(|| format!("cannot read commit {id}"))?;
        Ok(commit.time().seconds())
    }

    /// HEAD's commit, if the repository has one.
    pub fn head_commit(&self) -> Option<String> {
        self.repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id().to_string())
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
            .repo
            .find_object(oid, Some(ObjectType::Commit))
            .with_context(|| format!("commit {commit} is not in this repository"))?;
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
                    "a git or registry process is writing it, or was killed while writing it; if no git or registry process is running, remove {l} (`rm '{l}'`) and retry"
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

    /// The tree of a commit given by id.
    fn commit_tree(&self, commit: &str) -> Result<git2::Tree<'_>> {
        let oid = git2::Oid::from_str(commit)
            .map_err(plain)
            .with_context(|| format!("bad commit id {commit}"))?;
        self.repo
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(plain)
            .with_context(|| format!("cannot read the tree of commit {commit}"))
    }

    /// Paths of every file called `file_name` in `commit`'s tree (for `doctor`).
    pub fn files_named(&self, commit: &str, file_name: &str) -> Result<Vec<String>> {
        let tree = self.commit_tree(commit)?;
        let mut found = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob) && e.name() == Some(file_name) {
                found.push(format!("{dir}{file_name}"));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(plain)
        .with_context(|| format!("cannot walk the tree of commit {commit}"))?;
        Ok(found)
    }

    /// The file at `path` in `commit`'s tree, or `None` if there is none (or it is a directory).
    /// A symbolic link reads as its link text, as git stores it.
    pub fn read_file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(match self.read_path_at(commit, path)? {
            TreePath::File(bytes) | TreePath::Symlink(bytes) => Some(bytes),
            TreePath::Missing | TreePath::Dir(_) => None,
        })
    }
}

/// What a path is in a commit's tree.
pub enum TreePath {
    Missing,
    /// A file's bytes.
    File(Vec<u8>),
    /// A symbolic link (mode 120000): its target as stored.
    Symlink(Vec<u8>),
    /// A directory's regular files: path relative to it (with `/`, raw bytes: names need not be
    /// UTF-8) and bytes, in tree order.
    Dir(Vec<(Vec<u8>, Vec<u8>)>),
}

impl Repo {
    /// Reads `path` (a file, a symbolic link or a directory) from `commit`'s tree, for content
    /// digests. Inside a directory, symbolic links and submodules are left out, as a manifest of
    /// regular files leaves them out.
    pub fn read_path_at(&self, commit: &str, path: &str) -> Result<TreePath> {
        let tree = self.commit_tree(commit)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(TreePath::Missing),
            Err(e) => {
                return Err(plain(e)).with_context(|| format!("cannot read {path} at {commit}"))
            }
        };
        let object = entry
            .to_object(&self.repo)
            .map_err(plain)
            .with_context(|| format!("cannot read {path} at {commit}"))?;
        if let Some(blob) = object.as_blob() {
            let bytes = blob.content().to_vec();
            if entry.filemode() == 0o120000 {
                return Ok(TreePath::Symlink(bytes));
            }
            return Ok(TreePath::File(bytes));
        }
        let Some(sub) = object.as_tree() else {
            return Ok(TreePath::Missing);
        };
        let mut files = Vec::new();
        self.regular_files(sub, &mut Vec::new(), &mut files, 0)
            .map_err(plain)
            .with_context(|| format!("cannot read {path} at {commit}"))?;
        Ok(TreePath::Dir(files))
    }

    /// The regular files under `tree`, pre-order, names as raw bytes (git2's tree walk gives up
    /// on a directory name that is not UTF-8, and names no file that is not). Nested deeper than
    /// git's own `core.maxTreeDepth` (4096) is an error, not a stack overflow.
    fn regular_files(
        &self,
        tree: &git2::Tree<'_>,
        prefix: &mut Vec<u8>,
        files: &mut Vec<(Vec<u8>, Vec<u8>)>,
        depth: usize,
    ) -> Result<(), git2::Error> {
        if depth > 4096 {
            return Err(git2::Error::from_str("trees nested deeper than 4096"));
        }
        for e in tree.iter() {
            let len = prefix.len();
            prefix.extend_from_slice(e.name_bytes());
            match e.filemode() {
                0o100644 | 0o100755 => {
                    files.push((
                        prefix.clone(),
                        self.repo.find_blob(e.id())?.content().to_vec(),
                    ));
                }
                0o040000 => {
                    prefix.push(b'/');
                    let sub = self.repo.find_tree(e.id())?;
                    self.regular_files(&sub, prefix, files, depth + 1)?;
                }
                _ => {}
            }
            prefix.truncate(len);
        }
        Ok(())
    }
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
            crate::registry::tag::shell_quote(&shown)
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
        let tree = self.commit_tree(commit)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(TreeFile::Missing),
            Err(e) => return Err(e).with_context(|| format!("cannot read {path} at {commit}")),
        };
        match entry.kind() {
            Some(ObjectType::Blob) => {}
            Some(ObjectType::Tree) => return Ok(TreeFile::NotAFile("a directory")),
            _ => return Ok(TreeFile::NotAFile("a submodule")),
        }
        let odb = self.repo.odb().context("cannot open the object database")?;
        let (size, _) = odb
            .read_header(entry.id())
            .with_context(|| format!("cannot read {path} at {commit}"))?;
        if size as u64 > max {
            return Ok(TreeFile::TooLarge(size as u64));
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .with_context(|| format!("cannot read {path} at {commit}"))?;
        let bytes = blob.content().to_vec();
        Ok(if entry.filemode() == 0o120000 {
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
            if let Ok(c) = b.get().peel_to_commit() {
                out.push((name, c.id().to_string()));
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
    pub fn ref_target(&self, name: &str) -> Option<(String, String)> {
        let reference = self.repo.find_reference(name).ok()?.resolve().ok()?;
        let target = reference.name()?.to_string();
        let commit = reference.peel_to_commit().ok()?;
        Some((target, commit.id().to_string()))
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
