//! Objects a repository does not have: fetched from its promisor remote (a partial clone's
//! `extensions.partialClone`, or a remote with `promisor = true`) through the `git` program, in
//! one batch where the caller knows what it will read, one at a time as a last resort; without a
//! promisor remote, a clear error with the fetch that brings them. Never read as empty.
//!
//! libgit2 does not fetch missing objects on demand the way `git` does, so the git seam does it:
//! the fetch is the one git's own `promisor-remote.c` runs (`-c fetch.negotiationAlgorithm=noop
//! fetch REMOTE --no-tags --no-write-fetch-head --recurse-submodules=no --filter=blob:none
//! --stdin`), object ids on its stdin. A shallow clone's cut history is named too, where a walk
//! meets it (`shallow_commits`).

use std::collections::HashSet;
use std::io::Write as _;
use std::process::Stdio;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Oid};

use super::{Repo, git_command, plain};
use crate::error::UserError;

impl Repo {
    /// The remote missing objects are fetched from, if the repository is a partial clone (or
    /// names a promisor remote).
    pub(crate) fn promisor_remote(&self) -> Option<String> {
        promisor_remote(&self.repo)
    }

    /// The commits where a shallow clone's history is cut (`<git dir>/shallow`): their parents
    /// are not in the repository. Empty for a full clone.
    pub(crate) fn shallow_commits(&self) -> HashSet<String> {
        if !self.repo.is_shallow() {
            return HashSet::new();
        }
        std::fs::read_to_string(self.repo.commondir().join("shallow"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Makes sure the blobs at `paths` of each commit (`(commit, path)` pairs; directories are
    /// not descended) are in the repository, fetching those missing in one batch from the
    /// promisor remote. Does nothing in a repository that has no promisor remote (a read then
    /// fails on the missing object, with its hint) or when nothing is missing.
    pub(crate) fn prefetch(&self, wanted: &[(&str, &str)]) -> Result<()> {
        if self.promisor_remote().is_none() {
            return Ok(());
        }
        let objects = self.objects();
        let mut commits = Vec::new();
        for (commit, _) in wanted {
            commits.push(
                Oid::from_str(commit)
                    .map_err(plain)
                    .with_context(|| format!("bad commit id {commit}"))?,
            );
        }
        self.prefetch_trees(&commits)?;
        let mut blobs = Vec::new();
        for (commit, path) in wanted {
            let tree = objects.commit_tree(commit)?;
            let at = || format!("{path} at {}", super::short(commit));
            if let Some(entry) = objects.entry_at(&tree, path, &at)?
                && entry.kind == Some(ObjectType::Blob)
            {
                blobs.push(entry.id);
            }
        }
        fetch_objects(&self.repo, &blobs)
    }

    /// In a treeless partial clone (`--filter=tree:0`), fetches the root trees of `commits`
    /// that the repository lacks, in one batch (a tree fetched so brings its subtrees, not its
    /// blobs): reading several commits' files is then not one fetch per commit.
    pub(super) fn prefetch_trees(&self, commits: &[Oid]) -> Result<()> {
        if commits.is_empty() || self.promisor_remote().is_none() {
            return Ok(());
        }
        let objects = self.objects();
        let mut trees = Vec::new();
        for oid in commits {
            let c = objects.commit(*oid, &|| {
                format!("commit {}", super::short(&oid.to_string()))
            })?;
            trees.push(c.tree_id());
        }
        fetch_objects(&self.repo, &trees)
    }

    /// Fetches, in one batch, those of `oids` (full hex ids) the repository lacks, from its
    /// promisor remote; without one, a missing object is an error naming it, with the hint.
    pub(crate) fn ensure_present(&self, oids: &[String]) -> Result<()> {
        let odb = self.repo.odb().map_err(plain)?;
        let mut missing = Vec::new();
        for hex in oids {
            let oid = Oid::from_str(hex)
                .map_err(plain)
                .with_context(|| format!("bad object id {hex}"))?;
            if !odb.exists(oid) {
                missing.push(oid);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        if self.promisor_remote().is_none() {
            return Err(missing_error(&self.repo, "an object", missing[0]));
        }
        fetch_objects(&self.repo, &missing)
    }
}

/// The promisor remote of `repo`: `extensions.partialClone`, else the first remote with
/// `remote.<name>.promisor = true`. A name git could not take as a remote is ignored.
pub(super) fn promisor_remote(repo: &git2::Repository) -> Option<String> {
    let config = repo.config().ok()?;
    let usable = |name: &str| !name.is_empty() && !name.starts_with('-') && !name.contains('\n');
    if let Ok(name) = config.get_string("extensions.partialclone")
        && usable(&name)
    {
        return Some(name);
    }
    let remotes = repo.remotes().ok()?;
    remotes
        .iter()
        .flatten()
        .find(|r| {
            config
                .get_bool(&format!("remote.{r}.promisor"))
                .unwrap_or(false)
        })
        .filter(|r| usable(r))
        .map(str::to_string)
}

/// Fetches those of `oids` the repository lacks from the promisor remote in one `git fetch`, as
/// git's own lazy fetch does. Nothing missing, or no promisor remote: nothing is run.
pub(super) fn fetch_objects(repo: &git2::Repository, oids: &[Oid]) -> Result<()> {
    let Some(remote) = promisor_remote(repo) else {
        return Ok(());
    };
    // Only those the repository lacks, each once: callers pass what they will read.
    let odb = repo.odb().map_err(plain)?;
    let mut missing: Vec<Oid> = oids.iter().copied().filter(|o| !odb.exists(*o)).collect();
    missing.sort_unstable();
    missing.dedup();
    let oids = missing.as_slice();
    if oids.is_empty() {
        return Ok(());
    }
    let mut child = git_command()
        .arg("--git-dir")
        .arg(repo.path())
        .args(["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet"])
        .args([
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
            // A read should not start git's housekeeping (one process more per read); the
            // mirror's ref fetches, and the user's own git, still run it.
            "--no-auto-maintenance",
        ])
        .args(["--filter=blob:none", "--stdin", "--", &remote])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git to fetch missing objects")?;
    let mut list = String::with_capacity(oids.len() * 41);
    for oid in oids {
        list.push_str(&oid.to_string());
        list.push('\n');
    }
    if let Some(mut stdin) = child.stdin.take() {
        // A fetch that fails early closes its stdin: its status and stderr say why.
        let _ = stdin.write_all(list.as_bytes());
    }
    let out = child
        .wait_with_output()
        .context("cannot run git to fetch missing objects")?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let what = if oids.len() == 1 {
        format!("object {}", oids[0])
    } else {
        format!("{} objects (the first {})", oids.len(), oids[0])
    };
    Err(UserError::new(format!(
        "cannot fetch {what} from the promisor remote '{remote}': {}",
        super::redact(stderr.trim())
    ))
    .with_hint(
        "this is a partial clone: objects it lacks come from that remote, which must be \
         reachable and serve objects by id (`uploadpack.allowAnySHA1InWant`, as GitHub and \
         GitLab do); or fetch every object once (`git fetch --refetch --no-filter origin`)",
    )
    .into())
}

/// A missing object as an error: what it is, which object, and the fetch that brings it, told
/// apart for a shallow clone.
pub(super) fn missing_error(repo: &git2::Repository, what: &str, oid: Oid) -> anyhow::Error {
    let hint = if repo.is_shallow() {
        "this is a shallow clone, which holds only part of the history: fetch the rest \
         (`git fetch --unshallow --tags origin`); a clone made with `--filter=blob:none` and \
         no `--depth` has every commit and fetches file contents on demand"
    } else {
        "fetch it: `git fetch --filter=blob:none --tags origin` makes this clone a partial one \
         whose missing blobs are fetched on demand, or fetch every object again (`git fetch \
         --refetch origin`); `git fsck` lists what else is missing"
    };
    UserError::new(format!("{what}: object {oid} is not in the repository"))
        .with_hint(hint)
        .into()
}
