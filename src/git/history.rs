//! Walking history: the commits between two versions (`diff`), walked here rather than by
//! libgit2's revwalk so every commit is checked before it is read, and through a shallow clone's
//! cut by the parents its commits record.

use std::collections::HashSet;

use anyhow::{Context as _, Result};

use super::objects::short;
use super::{CommitBetween, Repo, plain};

impl Repo {
    /// Commits reachable from `to` but not from `from`, newest first, each with its first line
    /// and whether it changed `path` (a file or directory) against its first parent.
    ///
    /// Walked here, not by libgit2's revwalk (which reads commits unchecked): every commit is
    /// checked before it is read. Commits are taken newest first (by committer time) from one
    /// queue holding both sides; ancestors of `from` are marked and never listed, and the walk
    /// stops once only marked commits are left (after a few more, for clock skew, as git does).
    pub(crate) fn commits_between(
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
        // A shallow clone's cut commits have no parents in libgit2's eyes (it applies the
        // `shallow` file), so a walk would stop there and list too few commits, silently. Their
        // parents as the commits record them are followed instead: read when they are here
        // (fetched with a tag), fetched from a promisor remote, or a missing object's error.
        let shallow = self.shallow_commits();
        let odb = self.repo.odb().map_err(plain)?;
        let parents_of = |c: &git2::Commit<'_>| -> Vec<git2::Oid> {
            if shallow.is_empty() || !shallow.contains(&c.id().to_string()) {
                return c.parent_ids().collect();
            }
            recorded_parents(c.raw_header_bytes())
        };
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
            let cut = !shallow.is_empty() && shallow.contains(&oid.to_string());
            for parent in parents_of(&commit) {
                // Below a cut commit that `from` reaches, nothing is listed: a parent the
                // clone never had is not needed (and fetching it would bring its history).
                if cut && hide && !odb.exists(parent) {
                    continue;
                }
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
        if path.is_some() {
            // Each listed commit's tree is compared with its first parent's: in a treeless
            // partial clone, those trees come in one batch.
            let mut wanted = Vec::new();
            for (oid, _) in candidates.iter().filter(|(oid, _)| !hidden[oid]) {
                wanted.push(*oid);
                let c = objects.commit(*oid, &|| format!("commit {}", short(&oid.to_string())))?;
                wanted.extend(parents_of(&c).first().filter(|p| odb.exists(**p)));
            }
            self.prefetch_trees(&wanted)?;
        }
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
                    let before = match parents_of(&commit).first().copied() {
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
}

/// The `parent` lines of a commit's header, as written (before any `shallow` file hides them).
fn recorded_parents(header: &[u8]) -> Vec<git2::Oid> {
    header
        .split(|b| *b == b'\n')
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix(b"parent "))
        .filter_map(|hex| std::str::from_utf8(hex).ok())
        .filter_map(|hex| git2::Oid::from_str(hex.trim()).ok())
        .collect()
}
