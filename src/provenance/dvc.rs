//! A registration of bytes DVC tracks: DVC's md5 (with size and `nfiles`) as the registered
//! commit's `.dvc` or `dvc.lock` records it, never a hash of whatever the work tree holds. The
//! work-tree copy is hashed only to prove something: when its DVC md5 is the recorded one, its
//! SHA-256 (read in the same pass) is of those very bytes and is recorded too.

use anyhow::Result;

use crate::digest::dvc_md5;
use crate::dvc_track::{DvcIdentity, Tracked};
use crate::error::UserError;
use crate::git::Repo;
use crate::output::{Output, escape, escape_bytes};
use crate::registry::trailer::{DigestSource, DvcRecord, Provenance};

/// The provenance of `rel` (repository-relative; `path` as declared), which DVC tracks at
/// `commit` as `tracked` says; `None` (after saying why) when DVC's record gives no md5.
pub(super) fn registration(
    repo: &Repo,
    commit: &str,
    rel: &str,
    path: String,
    tracked: Tracked,
    out: &mut Output,
) -> Result<Option<Provenance>> {
    let short = &commit[..commit.len().min(7)];
    let id: DvcIdentity = match tracked {
        Tracked::Identity(id) => id,
        Tracked::NoDigest { why, .. } => {
            out.warn(&format!(
                "'{}' {why}; no digest is recorded (the work-tree copy is never bound to commit {short})",
                escape(rel)
            ))?;
            return Ok(None);
        }
    };
    // The record's name goes in a trailer: it must be one line (a link in git can lead to any
    // name, line breaks included).
    if let Some(c) = crate::registry::trailer::control_char(&id.file) {
        return Err(UserError::new(format!(
            "DVC's record of '{}' is '{}', whose name holds a control character ({}), which a tag message cannot record",
            escape(rel),
            escape(&id.file),
            escape(c.encode_utf8(&mut [0; 4]))
        ))
        .with_hint("rename the file (and what links to it) to one without line breaks or other control characters")
        .into());
    }
    let recorded = format!(
        "recorded DVC's md5 of {} from {} at {short}",
        escape(rel),
        escape(&id.file)
    );
    let mut p = Provenance {
        path,
        digest: format!("md5:{}", id.md5),
        source: DigestSource::Dvc,
        manifest: None,
        sha256: None,
        dvc: Some(DvcRecord {
            file: id.file.clone(),
            size: id.size,
            nfiles: id.nfiles,
        }),
    };
    let full = repo.workdir().map(|root| (root, root.join(rel)));
    let Some((root, full)) = full.filter(|(_, f)| f.exists()) else {
        out.note(&format!(
            "{recorded}; there is no work-tree copy to prove, so no SHA-256 is recorded"
        ))?;
        return Ok(Some(p));
    };
    // A DVC checkout by symbolic links from a cache outside the repository (a shared
    // `cache.dir`): the md5 from git stands; only the proof of a SHA-256 is not attempted.
    if super::check_inside(root, rel).is_err() {
        out.note(&format!(
            "{recorded}; the work-tree copy is a link out of the repository (a DVC cache outside it?), so no SHA-256 is recorded"
        ))?;
        return Ok(Some(p));
    }
    let copy = dvc_md5::hash_path(&full, true)?;
    if copy.md5 != id.md5 {
        out.note(&format!(
            "{recorded}; the work-tree copy is other bytes (md5 {}), so no SHA-256 is recorded",
            copy.md5
        ))?;
        return Ok(Some(p));
    }
    // A recorded SHA-256 is one anyone can recompute with sha256sum over regular files: a copy
    // holding links (or FIFOs, devices) proves the md5 but not that SHA-256.
    let mut odd: Vec<&Vec<u8>> = copy.left_out.iter().chain(&copy.links).collect();
    if !odd.is_empty() {
        odd.sort();
        let names: Vec<String> = odd.iter().map(|n| escape_bytes(n)).collect();
        out.note(&format!(
            "{recorded}; the work-tree copy matches it but holds symbolic links or other entries that are not regular files ({}), so no SHA-256 is recorded",
            names.join(", ")
        ))?;
        return Ok(Some(p));
    }
    out.note(&format!(
        "{recorded}; the work-tree copy matches it, so its SHA-256 is recorded too"
    ))?;
    // Proven bytes also tell what a record inside a tracked directory lacks.
    if let Some(d) = &mut p.dvc {
        d.size = d.size.or(Some(copy.size));
        d.nfiles = d.nfiles.or(copy.nfiles);
    }
    if let Some(sha) = copy.sha256 {
        p.manifest = sha.manifest.as_deref().map(super::manifest_pairs);
        p.sha256 = Some(sha.digest);
    }
    Ok(Some(p))
}
