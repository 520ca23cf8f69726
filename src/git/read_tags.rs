//! One idea: reading many tag objects at once, on every core when there are many (inflating
//! them is most of a listing's work), in the order asked for.

use anyhow::{Context as _, Result};
use git2::Repository;

use super::loose::LooseDirs;
use super::tag_object::{TagRead, read_tag};
use super::{Repo, plain};

impl Repo {
    /// Reads the tag objects of `wanted`, in order: on one thread for a few, else split over
    /// the cores, each thread with its own handle on the repository (libgit2 handles are not
    /// shared between threads). If a thread cannot do its part, that part is read here again,
    /// so errors are the ones a single thread reports.
    pub(super) fn read_tags(&self, wanted: &[(String, git2::Oid)]) -> Result<Vec<TagRead>> {
        const PER_THREAD: usize = 2048;
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(wanted.len() / PER_THREAD)
            .max(1);
        if threads == 1 {
            return read_tags_with(&self.repo, wanted);
        }
        let git_dir = self.repo.path().to_path_buf();
        let chunk = wanted.len().div_ceil(threads);
        let parts: Vec<Option<Vec<TagRead>>> = std::thread::scope(|s| {
            let handles: Vec<_> = wanted
                .chunks(chunk)
                .map(|part| {
                    let git_dir = &git_dir;
                    s.spawn(move || {
                        let repo = Repository::open(git_dir).ok()?;
                        read_tags_with(&repo, part).ok()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        let mut out = Vec::with_capacity(wanted.len());
        for (part, got) in wanted.chunks(chunk).zip(parts) {
            match got {
                Some(tags) => out.extend(tags),
                None => out.extend(read_tags_with(&self.repo, part)?),
            }
        }
        Ok(out)
    }
}

/// Reads the tag objects of `wanted` through one repository handle, in order.
pub(super) fn read_tags_with(
    repo: &Repository,
    wanted: &[(String, git2::Oid)],
) -> Result<Vec<TagRead>> {
    let odb = repo
        .odb()
        .map_err(plain)
        .context("cannot open the object database")?;
    let dirs = LooseDirs::of(repo);
    wanted
        .iter()
        .map(|(name, oid)| read_tag(&odb, &dirs, name, *oid))
        .collect()
}
