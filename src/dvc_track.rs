//! DVC's identity of an artifact's bytes at a commit, read from git: the md5 (with size, and
//! `nfiles` for a directory) that `P.dvc`, or an `outs` entry DVC reads of any `dvc.lock`,
//! records for P in that commit's tree. This is what DVC itself would fetch for the
//! commit, so a registration records it rather than hashing whatever the work tree holds.
//!
//! A path inside a DVC-tracked directory has no record of its own: its md5 is in the directory's
//! `.dir` listing, which only DVC's local cache holds (`.dvc/cache/files/md5/XX/REST.dir`). It is
//! used only after checking that the listing's own md5 is its name. A DVC 2 record (no
//! `hash: md5`) is not taken: its md5 is of text files after dos2unix, not of the bytes. In those
//! cases nothing is recorded, and [`Tracked::NoDigest`] says why.

use std::path::Path;

use anyhow::Result;

use crate::digest::dvc_md5::{self, ListEntry};
use crate::git::Repo;

mod cache;
mod choose;
mod ignored;
mod locks;
mod record;
mod stages;

pub(crate) use cache::{cache_dir, cached_listing};

use choose::{agreed, own_record, stale_record, under};
use record::{Kind, Out};
use stages::Judged;

/// DVC's identity of a path's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DvcIdentity {
    /// `<hex>` for a file, `<hex>.dir` for a directory.
    pub md5: String,
    /// Bytes in all, when DVC's record says (not for a path inside a tracked directory).
    pub size: Option<u64>,
    /// Files of a directory.
    pub nfiles: Option<u64>,
    /// The repository-relative `.dvc` or `dvc.lock` file it comes from.
    pub file: String,
}

/// What DVC records about a path at a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tracked {
    /// DVC's md5 of the path.
    Identity(DvcIdentity),
    /// DVC tracks the path (in `file`), but gives no md5 that can be recorded as ours: `why`
    /// finishes a sentence starting with the path ("…, so no digest is recorded").
    NoDigest { file: String, why: String },
}

/// The prefixes of `path`: `a`, `a/b`, `a/b/c` for `a/b/c`.
fn prefixes(path: &str) -> Vec<&str> {
    path.match_indices('/')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
        .collect()
}

/// Whether git holds the record `file` as a symbolic link in `commit`: DVC at a revision reads
/// the link's text there (and refuses it), and in the work tree resolves its outs from the
/// target's directory, so in neither mode is it a record at the link's place.
pub(crate) fn linked(repo: &Repo, commit: &str, file: &str) -> Result<bool> {
    Ok(matches!(
        repo.tree_file(commit, file, 4096)?,
        crate::git::TreeFile::Symlink(_)
    ))
}

/// Why a linked record is no record, finishing "… {file} …".
fn link_why(file: &str, commit: &str) -> String {
    format!(
        "{file}, which git holds as a symbolic link in commit {}: DVC reads the link's text there, not a record",
        &commit[..commit.len().min(7)]
    )
}

/// The outs of the `.dvc` file `file` of `commit`'s tree, if there is one.
fn dvc_file(repo: &Repo, commit: &str, file: &str) -> Result<Option<Vec<Out>>> {
    let Some(text) = crate::safe_read::declaration_at(repo, commit, file)?? else {
        return Ok(None);
    };
    let label = format!("{file} at {}", &commit[..commit.len().min(7)]);
    Ok(Some(record::parse(Kind::DvcFile, &text, file, &label)?))
}

/// What DVC records about the repository-relative `path` in `commit`'s tree: `None` when DVC
/// does not track it there. `root` is the work tree, whose DVC cache may hold the listing of a
/// tracked directory `path` is inside of.
///
/// `P.dvc`, when the commit has one, decides. Otherwise every record that may name `path` or a
/// directory above it: `X.dvc` beside each of those directories, and every `dvc.lock` of the
/// tree, whose entries count only when DVC reads them (`stages.rs`). Records naming `path` that
/// DVC would not read, or that disagree, give no digest, never the work tree's.
pub(crate) fn tracked_at(
    repo: &Repo,
    commit: &str,
    path: &str,
    root: Option<&Path>,
) -> Result<Option<Tracked>> {
    let own = format!("{path}.dvc");
    // Read first: a link out of the repository (or to a device) is an error, as for any record.
    if let Some(outs) = dvc_file(repo, commit, &own)? {
        if linked(repo, commit, &own)? {
            return Ok(Some(Tracked::NoDigest {
                why: format!("has a DVC record {}", link_why(&own, commit)),
                file: own,
            }));
        }
        if let Some(why) = ignored::left_out(repo, commit, &own)? {
            return Ok(Some(Tracked::NoDigest {
                why: format!("has a DVC record {own}, but DVC does not read it: {why}"),
                file: own,
            }));
        }
        return Ok(Some(own_record(&own, path, &outs)));
    }
    let mut found: Vec<(String, Out)> = Vec::new();
    let mut stale: Vec<(String, String, Option<String>, String)> = Vec::new();
    for prefix in prefixes(path).into_iter().rev().skip(1) {
        let file = format!("{prefix}.dvc");
        let outs = dvc_file(repo, commit, &file)?;
        if outs.is_some() && linked(repo, commit, &file)? {
            return Ok(Some(Tracked::NoDigest {
                why: format!(
                    "is inside '{prefix}', whose DVC record is {}",
                    link_why(&file, commit)
                ),
                file,
            }));
        }
        if outs.is_some()
            && let Some(why) = ignored::left_out(repo, commit, &file)?
        {
            return Ok(Some(Tracked::NoDigest {
                why: format!(
                    "is inside '{prefix}', whose DVC record {file} DVC does not read: {why}"
                ),
                file,
            }));
        }
        for out in outs.unwrap_or_default() {
            found.push((file.clone(), out));
        }
    }
    for (lock, judged) in locks::lock_outs(repo, commit)? {
        match judged {
            Judged::Current(out) => found.push((lock, out)),
            Judged::Stale { path: p, raw, why } => stale.push((lock, raw, p, why)),
        }
    }
    let exact: Vec<&(String, Out)> = found
        .iter()
        .filter(|(_, o)| o.path.as_deref() == Some(path))
        .collect();
    if !exact.is_empty() {
        return Ok(Some(match agreed(&exact) {
            Ok((file, out)) => identity(file, out),
            Err(t) => t,
        }));
    }
    // Inside a tracked directory: the deepest one that holds `path`.
    let deepest = found
        .iter()
        .filter_map(|(_, o)| o.path.as_deref().filter(|d| under(path, d) && *d != path))
        .max_by_key(|d| d.len());
    let Some(dir) = deepest else {
        return Ok(stale_record(path, &stale));
    };
    let holders: Vec<&(String, Out)> = found
        .iter()
        .filter(|(_, o)| o.path.as_deref() == Some(dir))
        .collect();
    let (file, out) = match agreed(&holders) {
        Ok(one) => one,
        Err(t) => return Ok(Some(t)),
    };
    let rest = &path[dir.len() + 1..];
    let no = |why: String| Tracked::NoDigest {
        file: file.clone(),
        why,
    };
    let whole = match identity(file, out) {
        Tracked::Identity(whole) => whole,
        Tracked::NoDigest { why, .. } => {
            return Ok(Some(no(format!("is inside '{dir}', which {why}"))));
        }
    };
    let Some(hex) = whole.md5.strip_suffix(".dir") else {
        return Ok(Some(no(format!(
            "is inside '{dir}', which {file} records as a file, not a directory"
        ))));
    };
    let Some(root) = root else {
        return Ok(Some(no(format!(
            "is inside the DVC-tracked directory '{dir}', and this repository has no work tree whose DVC cache could list it"
        ))));
    };
    let listing = match cached_listing(root, hex) {
        Ok(listing) => listing,
        Err(why) => {
            return Ok(Some(no(format!(
                "is inside the DVC-tracked directory '{dir}' ({file}), whose file list {why}"
            ))));
        }
    };
    Ok(Some(within(&listing, rest).map_or_else(
        || {
            no(format!(
                "is inside the DVC-tracked directory '{dir}' ({file}), whose file list in DVC's cache has no '{rest}'"
            ))
        },
        |(md5, nfiles)| {
            Tracked::Identity(DvcIdentity {
                md5,
                size: None,
                nfiles,
                file: file.clone(),
            })
        },
    )))
}

/// Why git's copy of the directory `dir` (repository-relative; `files` its paths inside it) is not
/// the bytes DVC serves for it: it holds DVC's records (`*.dvc` pointer files), or a `dvc.lock`
/// of the tree has outs inside it. `None` when DVC tracks nothing inside it.
pub(crate) fn tracked_inside(
    repo: &Repo,
    commit: &str,
    dir: &str,
    files: &[&[u8]],
) -> Result<Option<String>> {
    if let Some(f) = files.iter().find(|f| f.ends_with(b".dvc")) {
        return Ok(Some(format!(
            "holds DVC's record '{}', so git's copy of it is not the bytes DVC serves",
            crate::output::escape_bytes(f)
        )));
    }
    for (lock, judged) in locks::lock_outs(repo, commit)? {
        let p = match judged {
            Judged::Current(o) => o.path,
            Judged::Stale { path, .. } => path,
        };
        if let Some(p) = p.filter(|p| under(p, dir)) {
            return Ok(Some(format!(
                "holds '{p}', an out of {lock}, so git's copy of it is not the bytes DVC serves"
            )));
        }
    }
    Ok(None)
}

/// The identity an out records for `path`, or why it records none.
fn identity(file: &str, out: &Out) -> Tracked {
    let no = |why: String| Tracked::NoDigest {
        file: file.to_string(),
        why,
    };
    let Some(md5) = &out.md5 else {
        return no(format!(
            "has no md5 in {file} (DVC has not computed it: run `dvc commit` or `dvc repro`)"
        ));
    };
    match out.hash.as_deref() {
        Some("md5") => {}
        None => {
            return no(format!(
                "is recorded in {file} by DVC 2 (no `hash: md5`), whose md5 is of text files after dos2unix, not of the bytes (`dvc cache migrate --dvc-files` rewrites it as DVC 3's)"
            ));
        }
        Some(other) => {
            return no(format!(
                "is recorded in {file} with `hash: {other}`, which is not DVC 3's md5 of the bytes"
            ));
        }
    }
    Tracked::Identity(DvcIdentity {
        md5: md5.clone(),
        size: out.size,
        nfiles: out.nfiles.filter(|_| md5.ends_with(".dir")),
        file: file.to_string(),
    })
}

/// The md5 of `rest` within a directory listing: a file's own md5, or for a directory under it,
/// the md5 of its part of the listing (and its number of files).
fn within(listing: &[ListEntry], rest: &str) -> Option<(String, Option<u64>)> {
    if let Some(e) = listing.iter().find(|e| e.relpath == rest.as_bytes()) {
        return Some((e.md5.clone(), None));
    }
    let prefix = format!("{rest}/");
    let part: Vec<ListEntry> = listing
        .iter()
        .filter_map(|e| {
            let sub = e.relpath.strip_prefix(prefix.as_bytes())?;
            Some(ListEntry {
                relpath: sub.to_vec(),
                md5: e.md5.clone(),
            })
        })
        .collect();
    (!part.is_empty()).then(|| (dvc_md5::dir_md5(&part), Some(part.len() as u64)))
}

/// The DVC repository holding `rel` (repository-relative), if any: the nearest directory from
/// `rel`'s up to the git root with a `.dvc` directory in `commit`'s tree, or also in the work
/// tree when `work_tree` (a `dvc init --subdir` root holds the path as much as the git root's).
/// `""` is the git root.
pub(crate) fn dvc_root(
    repo: &Repo,
    commit: &str,
    rel: &str,
    work_tree: bool,
) -> Result<Option<String>> {
    let mut dirs: Vec<&str> = rel.match_indices('/').map(|(i, _)| &rel[..i]).collect();
    dirs.reverse();
    dirs.push("");
    for dir in dirs {
        let marker = if dir.is_empty() {
            ".dvc".to_string()
        } else {
            format!("{dir}/.dvc")
        };
        let in_tree = matches!(
            repo.tree_file(commit, &marker, 4096)?,
            crate::git::TreeFile::NotAFile("a directory")
        );
        let in_work = work_tree && repo.workdir().is_some_and(|w| w.join(&marker).is_dir());
        if in_tree || in_work {
            return Ok(Some(dir.to_string()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(relpath: &str, md5: &str) -> ListEntry {
        ListEntry {
            relpath: relpath.as_bytes().to_vec(),
            md5: md5.to_string(),
        }
    }

    #[test]
    fn prefixes_climb_from_the_top() {
        assert_eq!(prefixes("a/b/c"), vec!["a", "a/b", "a/b/c"]);
        assert_eq!(prefixes("m.pkl"), vec!["m.pkl"]);
    }

    #[test]
    fn a_path_inside_a_listing_is_a_file_or_a_part_of_it() {
        let listing = [
            e("a.b", "a8a78d0ff555c931f045b6f448129846"),
            e("sub/c", "009520053b00386d1173f3988c55d192"),
            e("sub/ü", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
        ];
        assert_eq!(
            within(&listing, "a.b"),
            Some(("a8a78d0ff555c931f045b6f448129846".into(), None))
        );
        let part = [
            e("c", "009520053b00386d1173f3988c55d192"),
            e("ü", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
        ];
        assert_eq!(
            within(&listing, "sub"),
            Some((dvc_md5::dir_md5(&part), Some(2)))
        );
        assert_eq!(within(&listing, "su"), None);
    }

    #[test]
    fn dvc_2_records_and_uncomputed_outs_give_no_digest() {
        let out = Out {
            path: Some("m".into()),
            md5: Some("04153b3135e575c274352238bed301e7".into()),
            hash: None,
            size: Some(1),
            nfiles: None,
            raw: "m".into(),
            stage: None,
        };
        assert!(
            matches!(identity("m.dvc", &out), Tracked::NoDigest { why, .. } if why.contains("DVC 2"))
        );
        let none = Out {
            md5: None,
            hash: Some("md5".into()),
            ..out.clone()
        };
        assert!(
            matches!(identity("m.dvc", &none), Tracked::NoDigest { why, .. } if why.contains("has no md5"))
        );
        let ok = Out {
            hash: Some("md5".into()),
            ..out
        };
        assert_eq!(
            identity("m.dvc", &ok),
            Tracked::Identity(DvcIdentity {
                md5: "04153b3135e575c274352238bed301e7".into(),
                size: Some(1),
                nfiles: None,
                file: "m.dvc".into()
            })
        );
    }
}
