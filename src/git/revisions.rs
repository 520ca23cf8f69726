//! Revisions to commits, as the seam resolves them: ref names and ids without reading
//! objects, ancestry suffixes walked with checked reads, other forms by git itself (libgit2's
//! revparse reads objects unchecked); and the refs `check-ref --policy` trusts.

use std::path::Path;

use anyhow::Result;
use git2::ErrorCode;

use super::{RefTarget, Repo, plain, short};
use crate::error::UserError;

impl Repo {
    /// The commit a revision names (`HEAD`, a branch, a tag, a commit id).
    ///
    /// A ref name (as git completes it: `refs/tags/NAME`, `refs/heads/NAME`, …) or a full or
    /// abbreviated id is resolved without reading any object, and the chain of tags it names is
    /// then peeled with checked reads (see `objects.rs`); so are ancestry suffixes (`HEAD~2`,
    /// `v1^2`), walked here commit by commit. Other revspecs (`main@{1}`, `v1^{commit}`,
    /// `HEAD:path`) are resolved by git itself (`git_rev_parse`), never by libgit2's revparse,
    /// which reads the objects on its way unchecked; the commit git names is checked too.
    pub(crate) fn resolve_commit(&self, rev: &str) -> Result<String> {
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
    #[expect(
        clippy::option_option,
        reason = "three answers, read once by the caller: not this form, no commit, a commit"
    )]
    pub(super) fn resolve_ancestry(&self, rev: &str) -> Result<Option<Option<String>>> {
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
    pub(super) fn rev_to_id(&self, rev: &str) -> Result<Option<git2::Oid>> {
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
        if let Ok(reference) = self.repo.resolve_reference_from_short_name(rev)
            && let Some(oid) = reference.resolve().ok().and_then(|r| r.target())
        {
            return Ok(Some(oid));
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
    pub(super) fn odd_ref_file(&self, refname: &str) -> Option<&'static str> {
        if refname.contains("..") || refname.starts_with('/') {
            return None; // no ref name git would look up
        }
        for dir in [self.repo.path(), self.repo.commondir()] {
            if let Ok(meta) = std::fs::symlink_metadata(dir.join(refname))
                && !meta.is_file()
                && !meta.is_dir()
            {
                return Some(crate::file_kind::describe(meta.file_type()));
            }
        }
        None
    }

    /// Fails, naming the tag, when `rev` starts with a tag whose object is corrupt: libgit2
    /// would spin on it while resolving the revision.
    pub(super) fn refuse_corrupt_tag(&self, rev: &str) -> Result<()> {
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
}

/// Whether ancestry suffixes hold anything but `~`, `^` and digits (or a huge count).
pub(super) fn rev_digits_bad(ops: &str) -> bool {
    !ops.chars()
        .all(|c| c == '~' || c == '^' || c.is_ascii_digit())
        || ops.split(['~', '^']).any(|d| d.len() > 6)
}

impl Repo {
    /// The ref `name` (a full name, e.g. `refs/remotes/origin/HEAD`) resolved through symbolic
    /// refs: the name it ends at and its commit. `None` when it does not exist or names no commit.
    ///
    /// Every ref file on the way must be a regular file (libgit2 reads them blocking: a FIFO
    /// would hang it), and the commit is reached with checked reads, like any other revision.
    pub(crate) fn ref_target(&self, name: &str) -> Option<RefTarget> {
        if self.odd_ref_file(name).is_some() {
            return None;
        }
        let found = self.repo.find_reference(name).ok()?;
        if let Some(next) = found.symbolic_target()
            && self.odd_ref_file(next).is_some()
        {
            return None;
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
    pub(crate) fn symbolic_ref(&self, name: &str) -> Option<String> {
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
pub(super) fn git_rev_parse(git_dir: &Path, rev: &str) -> Result<Option<git2::Oid>> {
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
