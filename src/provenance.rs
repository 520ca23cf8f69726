//! What bytes a registration stands for: the artifact's `path` from its artifacts.yaml at the
//! registered commit, hashed from git when git tracks it there, else DVC's md5 when DVC records
//! it at that commit (`dvc.rs`), else hashed from the work tree (files `.gitignore` keeps out of
//! git), SPEC §4.2. A Git LFS pointer in git counts as the content it names (`lfs_pointer.rs`).
//! Also the path rules of SPEC §4.1.
//!
//! A symbolic link as the path is followed when it stays inside the repository (in the commit's
//! tree for a link git tracks, in the work tree otherwise): the digest is of what it points at,
//! never of the link text. One that leads out is refused. A path holding a control character is
//! refused too: it could not be one line of a trailer.

use std::path::{Component, Path};

use anyhow::Result;

use crate::artifacts::{self, Entry};
use crate::digest::{self, ManifestEntry};
use crate::dvc_track;
use crate::error::UserError;
use crate::git::{GitPath, Repo};
use crate::output::{Output, escape, escape_bytes};
use crate::registry::name::ArtifactName;
use crate::registry::trailer::{self, Provenance};

mod dvc;
pub(crate) mod lfs_pointer;

/// The most symbolic links followed in a row (Linux's MAXSYMLINKS).
const MAX_LINKS: usize = 40;

/// The artifact's entry at `commit`, from its `dvc.yaml` or `artifacts.yaml`
/// ([`artifacts::declared`]), if any; warnings about the files are dropped (readers that print
/// them use [`artifacts::declared::lookup`]).
pub(crate) fn entry_at(repo: &Repo, commit: &str, name: &ArtifactName) -> Result<Option<Entry>> {
    Ok(artifacts::declared::lookup(repo, commit, name)?
        .found
        .map(|d| d.entry))
}

/// A declared `path` made repository-relative (it is relative to its artifacts.yaml's
/// directory), refusing absolute paths, `..` escapes and control characters.
pub(crate) fn repo_relative(name: &ArtifactName, path: &str) -> Result<String, UserError> {
    if let Some(c) = trailer::control_char(path) {
        return Err(control_char_error(name, path, c));
    }
    let bad = |why: &str| {
        UserError::new(format!("path '{path}' of '{name}' {why}"))
            .with_hint("paths are relative to the dvc.yaml or artifacts.yaml declaring them and stay inside the repository; use --virtual for URLs and outside locations")
    };
    if path.is_empty() {
        return Err(bad("is empty"));
    }
    if path.contains("://") || Path::new(path).is_absolute() || path.starts_with('\\') {
        return Err(bad("is not a relative path"));
    }
    let mut parts: Vec<String> = name
        .dirname()
        .map(|d| {
            d.split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(bad("leads outside the repository"));
                }
            }
            _ => return Err(bad("is not a relative path")),
        }
    }
    if parts.is_empty() {
        return Err(bad("names the repository itself"));
    }
    Ok(parts.join("/"))
}

/// A declared path holding a control character: it cannot be one line of a tag trailer.
fn control_char_error(name: &ArtifactName, path: &str, c: char) -> UserError {
    UserError::new(format!(
        "path '{}' of '{name}' holds a control character ({}), which a tag message cannot record",
        escape(path),
        escape(c.encode_utf8(&mut [0; 4]))
    ))
    .with_hint("rename the path in its dvc.yaml or artifacts.yaml to one without line breaks or other control characters")
}

/// Where a symbolic link at repository-relative `link`, pointing at `target`, leads
/// (repository-relative; resolved in the tree, as git stores links); an error when it leads out.
pub(crate) fn follow_link(link: &str, target: &[u8]) -> Result<String, UserError> {
    let refuse = |why: &str| {
        UserError::new(format!(
            "path '{}' is a symbolic link to '{}', which {why}",
            escape(link),
            escape_bytes(target)
        ))
        .with_hint(
            "link to a file or directory inside the repository; use --virtual for outside locations",
        )
    };
    let Ok(t) = std::str::from_utf8(target) else {
        return Err(refuse("is not a UTF-8 path"));
    };
    if t.is_empty() || t.starts_with(['/', '\\']) || Path::new(t).is_absolute() {
        return Err(refuse("leads outside the repository"));
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for c in t.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(refuse("leads outside the repository"));
                }
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(refuse("names the repository itself"));
    }
    Ok(parts.join("/"))
}

/// Refuses a work-tree path that resolves (through symbolic links) outside the repository.
pub(crate) fn check_inside(root: &Path, rel: &str) -> Result<(), UserError> {
    let Ok(root_c) = root.canonicalize() else {
        return Ok(());
    };
    // The deepest part of the path that exists decides where it leads (a link may point out
    // even when the file under it does not exist yet).
    let mut probe = root.join(rel);
    let resolved = loop {
        if let Ok(c) = probe.canonicalize() {
            break c;
        }
        if !probe.pop() {
            return Ok(());
        }
    };
    if !resolved.starts_with(&root_c) {
        return Err(UserError::new(format!(
            "path '{}' leads outside the repository (through {})",
            escape(rel),
            escape(&resolved.display().to_string())
        ))
        .with_hint(
            "a symbolic link points out of the repository; use --virtual for outside locations",
        ));
    }
    Ok(())
}

fn manifest_pairs(entries: &[ManifestEntry]) -> Vec<(Vec<u8>, String)> {
    let mut pairs: Vec<(Vec<u8>, String)> = entries
        .iter()
        .map(|e| (e.path.clone(), e.sha256.clone()))
        .collect();
    pairs.sort();
    pairs
}

/// The SHA-256 of the content a blob stands for: of the blob itself, or for a Git LFS pointer the
/// `oid` it names, the SHA-256 of the file `git lfs` checks out (so `get` and `verify` check the
/// real bytes, not the pointer's).
fn blob_sha256(bytes: &[u8]) -> String {
    match lfs_pointer::parse(bytes) {
        Some(pointer) => pointer.oid,
        None => digest::sha256_bytes(bytes),
    }
}

/// Hashes what git holds at `path` in `commit`, following symbolic links inside the repository;
/// a Git LFS pointer counts as the content it names ([`blob_sha256`]). Returns the path it came to (`path`, or where its links lead) and its digest, if git holds it.
pub(crate) fn hash_from_git(
    repo: &Repo,
    commit: &str,
    path: &str,
) -> Result<(String, Option<digest::Hashed>)> {
    let mut rel = path.to_string();
    for _ in 0..=MAX_LINKS {
        // One blob at a time: each is hashed while libgit2 holds it, never copied.
        let mut single = None;
        let mut entries: Vec<ManifestEntry> = Vec::new();
        let found = repo.for_each_file(commit, &rel, &mut |p, bytes| {
            let sha256 = blob_sha256(bytes);
            if p.is_empty() {
                single = Some(sha256);
            } else {
                entries.push(ManifestEntry {
                    path: p.to_vec(),
                    sha256,
                });
            }
            Ok(())
        })?;
        let hashed = match found {
            GitPath::Symlink(target) => {
                rel = follow_link(&rel, &target)?;
                continue;
            }
            GitPath::Missing => None,
            GitPath::File => single.map(|sha256| digest::Hashed {
                digest: format!("sha256:{sha256}"),
                manifest: None,
                left_out: Vec::new(),
            }),
            GitPath::Dir => Some(digest::Hashed {
                digest: format!(
                    "sha256:{}",
                    digest::sha256_bytes(&digest::manifest_bytes(&entries))
                ),
                manifest: Some(entries),
                // git trees hold links and submodules, not FIFOs: left out as before, unnamed.
                left_out: Vec::new(),
            }),
        };
        return Ok((rel, hashed));
    }
    Err(UserError::new(format!(
        "path '{}' goes through more than {MAX_LINKS} symbolic links",
        escape(path)
    ))
    .into())
}

/// The provenance a new registration of `name` at `commit` records.
pub(crate) fn for_registration(
    repo: &Repo,
    name: &ArtifactName,
    commit: &str,
    given: Option<&str>,
    out: &mut Output,
) -> Result<Option<Provenance>> {
    let entry = entry_at(repo, commit, name)?;
    if let Some(path) = entry.as_ref().and_then(|e| e.path.as_deref())
        && let Some(c) = trailer::control_char(path)
    {
        return Err(control_char_error(name, path, c).into());
    }
    if let Some(digest) = given {
        // `register --digest` was parsed by clap already; the one grammar still guards here.
        if let Err(e) = digest.parse::<crate::registry::spec::Digest>() {
            return Err(UserError::new(format!("--digest '{digest}' is {e}")).into());
        }
        return Ok(Some(Provenance {
            path: entry.and_then(|e| e.path).unwrap_or_default(),
            digest: digest.to_string(),
            source: trailer::DigestSource::Given,
            manifest: None,
            sha256: None,
            dvc: None,
        }));
    }
    let Some(entry) = entry else {
        return Ok(None);
    };
    let Some(path) = entry.path.clone() else {
        return Ok(None);
    };
    // GTO treats an entry without `virtual:` as virtual; a path that is in the repository is still
    // worth a digest then, so only an explicit `virtual: true` (or a URL) goes without one.
    let explicit = entry.says_virtual();
    if explicit == Some(true) {
        return Ok(None); // a URL or an outside location: only --digest can say what it holds
    }
    let rel = match repo_relative(name, &path) {
        Ok(rel) => rel,
        Err(_) if explicit.is_none() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (rel, hashed) = hash_from_git(repo, commit, &rel)?;
    if let Some(files) = hashed.as_ref().and_then(|h| h.manifest.as_ref()) {
        let names: Vec<&[u8]> = files.iter().map(|e| e.path.as_slice()).collect();
        if let Some(why) = dvc_track::tracked_inside(repo, commit, &rel, &names)? {
            out.warn(&format!(
                "directory '{}' {why}; no digest is recorded (declare each DVC-tracked file as its own artifact, or `dvc add` the whole directory)",
                escape(&rel)
            ))?;
            return Ok(None);
        }
        // DVC tracks the directory itself (or one above it): it serves its listing, not git's.
        if let Some(t) = dvc_track::tracked_at(repo, commit, &rel, repo.workdir())? {
            let (dvc_track::Tracked::Identity(dvc_track::DvcIdentity { file, .. })
            | dvc_track::Tracked::NoDigest { file, .. }) = t;
            out.warn(&format!(
                "directory '{}' is tracked by DVC ({}), so git's copy of it is not what DVC serves; no digest is recorded (`git rm --cached` its files, or declare them as their own artifact)",
                escape(&rel),
                escape(&file)
            ))?;
            return Ok(None);
        }
    }
    if let Some(hashed) = hashed {
        return Ok(Some(Provenance {
            path,
            digest: hashed.digest,
            source: trailer::DigestSource::Git,
            manifest: hashed.manifest.as_deref().map(manifest_pairs),
            sha256: None,
            dvc: None,
        }));
    }
    // Not in git: DVC's record at the commit, when there is one, names the bytes.
    if let Some(tracked) = dvc_track::tracked_at(repo, commit, &rel, repo.workdir())? {
        return dvc::registration(repo, commit, &rel, path, tracked, out);
    }
    let Some(root) = repo.workdir() else {
        return Ok(None);
    };
    let full = root.join(&rel);
    if !full.exists() {
        out.warn(&format!(
            "'{}' is neither in git at this commit nor in the work tree; no digest recorded",
            escape(&rel)
        ))?;
        return Ok(None);
    }
    check_inside(root, &rel)?;
    if root.join(format!("{rel}.dvc")).exists() {
        // `dvc add` ran but its record is not in the commit: DVC's md5 cannot be read from git.
        out.warn(&format!(
            "'{}.dvc' is in the work tree but not in commit {}: commit it and register that commit to record DVC's md5",
            escape(&rel),
            &commit[..commit.len().min(7)]
        ))?;
    }
    // In a DVC repository a record registry does not read (a `.dvc` away from its out, written
    // with `dvc add --file` or moved) may name other bytes for that commit, HEAD included: the
    // work tree is not bound to it.
    if let Some(dvc_root) = dvc_track::dvc_root(repo, commit, &rel, true)? {
        let short = &commit[..commit.len().min(7)];
        out.warn(&format!(
            "'{}' is in neither git nor a DVC record registry reads at {short}, and this is a DVC repository: the work tree cannot be shown to hold that commit's bytes, so no digest is recorded (a record elsewhere in DVC root '{}' may name other bytes; `dvc add` the path and commit its record to record DVC's md5)",
            escape(&rel),
            escape(if dvc_root.is_empty() { "." } else { &dvc_root })
        ))?;
        return Ok(None);
    }
    if repo.head_commit().as_deref() != Some(commit) {
        out.warn(&format!(
            "'{}' is not in git; its digest comes from the work tree, which may not match the registered commit",
            escape(&rel)
        ))?;
    }
    let hashed = digest::hash_path(&full)?;
    Ok(Some(Provenance {
        path,
        digest: hashed.digest,
        source: trailer::DigestSource::Worktree,
        manifest: hashed.manifest.as_deref().map(manifest_pairs),
        sha256: None,
        dvc: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let root: ArtifactName = "churn".parse().unwrap();
        let nested: ArtifactName = "models/cv:resnet".parse().unwrap();
        assert_eq!(
            repo_relative(&root, "models/churn.pkl").unwrap(),
            "models/churn.pkl"
        );
        assert_eq!(
            repo_relative(&nested, "weights/r.pt").unwrap(),
            "models/cv/weights/r.pt"
        );
        assert_eq!(
            repo_relative(&nested, "../shared/x").unwrap(),
            "models/shared/x"
        );
        for bad in ["/etc/passwd", "../x", "a/../../x", "s3://bucket/m", ""] {
            assert!(repo_relative(&root, bad).is_err(), "{bad}");
        }
        assert!(repo_relative(&nested, "../../../x").is_err());
    }
}
