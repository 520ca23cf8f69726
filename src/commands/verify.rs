//! `registry verify NAME[@VERSION|#STAGE] [--path FILE_OR_DIR]`: recompute a digest and compare
//! it with the one the registration recorded (SPEC §4.5): a SHA-256, or DVC's md5 computed as DVC
//! computes it (then the recorded SHA-256 too, when there is one).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use super::target::pick_version;
use super::{Scope, Session};
use crate::commands::Global;
use crate::digest::{self, ManifestEntry, dvc_md5};
use crate::error::UserError;
use crate::output::{Output, escape, escape_bytes};
use crate::provenance;
use crate::registry::spec::Target;
use crate::registry::trailer::{self, DigestSource, Provenance, Record};

const EXAMPLES: &str = "\
Examples:
  registry verify churn                         # the latest version against the work tree
  registry verify churn@v1.2.0 --path /tmp/dl/churn.pkl   # a downloaded copy
  registry verify churn#prod --path ./deploy/model        # a directory: names differing files";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct VerifyArgs {
    /// NAME (latest version), NAME@vX.Y.Z, NAME@latest or NAME#STAGE
    pub target: Target,
    /// File or directory to check (default: the artifact's path in the work tree)
    #[arg(long)]
    pub path: Option<PathBuf>,
}

pub(crate) fn run(global: &Global, args: VerifyArgs, out: &mut Output) -> Result<()> {
    let name = &args.target.name;
    let session = Session::open(global, Scope::Artifact(name))?;
    let version = pick_version(&session, name, args.target.pick.as_ref())?;
    let label = version.label.as_str();
    let recorded = version.provenance().ok_or_else(|| {
        // A trailer block that does not parse cleanly records nothing, but says so.
        let malformed = version.registrations.iter().rev().find_map(|e| {
            match trailer::read(&e.message) {
                Record::Malformed(why) => Some((e.tag.clone(), why)),
                Record::None | Record::Clean(_) => None,
            }
        });
        match malformed {
            Some((tag, why)) => UserError::new(format!(
                "version {label} of '{name}' has no recorded digest: the trailers of tag '{tag}' do not parse ({})",
                escape(&why)
            ))
            .with_hint(format!(
                "`git tag -n99 {tag}` shows the message; a registration written by `registry register` never looks like this"
            )),
            None => UserError::new(format!(
                "version {label} of '{name}' has no recorded digest"
            ))
            .with_hint("register records one when the artifact's dvc.yaml or artifacts.yaml entry declares a `path`"),
        }
    })?;
    let target = if let Some(p) = &args.path {
        p.clone()
    } else {
        if recorded.source == DigestSource::Given || recorded.path.is_empty() {
            return Err(UserError::new(format!(
                "version {label} of '{name}' has no path in the work tree to check"
            ))
            .with_hint("give the copy to check with --path")
            .into());
        }
        let root = session.repo.workdir().ok_or_else(|| {
            UserError::new("this repository has no work tree; give the copy to check with --path")
        })?;
        let rel = provenance::repo_relative(name, &recorded.path)?;
        // `Artifact-Path` comes from a tag anyone may have pushed: it is held to register's
        // rule, so a committed link cannot make verify read (and name) files outside.
        if let Err(e) = provenance::check_inside(root, &rel) {
            // A DVC checkout with `cache.type symlink` and a shared `cache.dir` links every file
            // out: checking what the link leads to is fine when the user names it.
            return Err(if recorded.source == DigestSource::Dvc {
                e.with_hint(format!(
                    "a DVC checkout may link into a shared cache; to check what the link leads to, name it: `registry verify {} --path {}`",
                    crate::shell::shell_quote(&args.target.to_string()),
                    crate::shell::shell_quote(&rel)
                ))
            } else {
                e
            }
            .into());
        }
        root.join(rel)
    };
    let shown = escape(&target.display().to_string()).into_owned();
    if !target.exists() {
        return Err(UserError::new(format!("'{shown}' does not exist")).into());
    }
    if recorded.digest.starts_with("md5:") {
        return verify_dvc(&session, name, label, &recorded, &target, &shown, out);
    }
    let actual = digest::hash_path(&target)?;
    warn_left_out(&shown, &actual.left_out, out)?;
    let recorded_digest = escape(&recorded.digest);
    if actual.digest == recorded.digest {
        out.line(&format!(
            "OK: '{shown}' matches {name} {label} ({recorded_digest})"
        ))?;
        return Ok(());
    }
    let mut message = format!(
        "'{shown}' does not match {name} {label}: recorded {recorded_digest}, found {}",
        actual.digest
    );
    name_differences(&mut message, &recorded, &actual);
    Err(UserError::new(message).into())
}

/// Warns about what a directory's digest does not cover, naming it.
fn warn_left_out(shown: &str, left_out: &[Vec<u8>], out: &mut Output) -> Result<()> {
    if !left_out.is_empty() {
        let names: Vec<String> = left_out.iter().map(|n| escape_bytes(n)).collect();
        out.warn(&format!(
            "'{shown}' holds {} entries the digest does not cover (symbolic links, FIFOs, \
             sockets or devices are left out of a directory's digest): {}",
            names.len(),
            names.join(", ")
        ))?;
    }
    Ok(())
}

/// Appends the files that differ between the recorded manifest and the SHA-256 hashing found;
/// the recorded manifest names files only when it is the one the SHA-256 digest is of.
/// Returns whether it named any.
fn name_differences(message: &mut String, recorded: &Provenance, actual: &digest::Hashed) -> bool {
    let expected: Option<Vec<ManifestEntry>> = recorded.manifest.as_ref().map(|files| {
        files
            .iter()
            .map(|(path, sha256)| ManifestEntry {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect()
    });
    let expected = expected.filter(|e| {
        Some(format!(
            "sha256:{}",
            digest::sha256_bytes(&digest::manifest_bytes(e))
        ))
        .as_deref()
            == recorded.sha256_digest()
    });
    match (&expected, &actual.manifest) {
        (Some(expected), Some(found)) => push_diff(message, expected, found),
        _ => false,
    }
}

/// Appends `added:`, `removed:` and `changed:` lines; whether there were any.
fn push_diff(message: &mut String, expected: &[ManifestEntry], found: &[ManifestEntry]) -> bool {
    let (added, removed, changed) = digest::manifest_diff(expected, found);
    let mut any = false;
    for (what, files) in [("added", added), ("removed", removed), ("changed", changed)] {
        for f in files {
            message.push_str(&format!("\n{what}: {}", escape_bytes(&f)));
            any = true;
        }
    }
    any
}

/// A listing's lines as manifest entries (the md5 in the hash's place), for [`push_diff`].
fn as_manifest(listing: &[dvc_md5::ListEntry]) -> Vec<ManifestEntry> {
    listing
        .iter()
        .map(|e| ManifestEntry {
            path: e.relpath.clone(),
            sha256: e.md5.clone(),
        })
        .collect()
}

/// Checks a DVC md5 registration: DVC's md5 of the copy, computed as DVC computes it, and the
/// recorded SHA-256 too when there is one (both from one read).
fn verify_dvc(
    session: &Session,
    name: &crate::registry::name::ArtifactName,
    label: &str,
    recorded: &Provenance,
    target: &Path,
    shown: &str,
    out: &mut Output,
) -> Result<()> {
    let actual = dvc_md5::hash_path(target, recorded.sha256.is_some())?;
    warn_left_out(shown, &actual.left_out, out)?;
    if let Some(note) = actual.ignored_note(shown) {
        out.note(&note)?;
    }
    let found_md5 = format!("md5:{}", actual.md5);
    let md5_ok = found_md5 == recorded.digest;
    let sha_ok = match (&recorded.sha256, &actual.sha256) {
        (Some(want), Some(got)) => &got.digest == want,
        _ => true,
    };
    let recorded_digest = escape(&recorded.digest);
    if md5_ok && sha_ok {
        // An md5 alone is DVC's identity, but only as strong as MD5 (collisions are cheap to
        // make): say so, so nobody reads it as a SHA-256 check.
        let sha = recorded.sha256.as_deref().map_or_else(
            || "; md5 only, no SHA-256 was recorded".to_string(),
            |s| format!(", {}", escape(s)),
        );
        out.line(&format!(
            "OK: '{shown}' matches {name} {label} (DVC's {recorded_digest}{sha})"
        ))?;
        return Ok(());
    }
    let mut message = if md5_ok {
        format!(
            "'{shown}' does not match {name} {label}: DVC's md5 matches, but the SHA-256 does not"
        )
    } else {
        format!(
            "'{shown}' does not match {name} {label}: recorded DVC's {recorded_digest}, found {found_md5}"
        )
    };
    if let (Some(want), Some(got)) = (&recorded.sha256, &actual.sha256)
        && &got.digest != want
    {
        message.push_str(&format!(
            "\nrecorded {}, found {}",
            escape(want),
            got.digest
        ));
    }
    // Which files differ: from the recorded SHA-256 manifest, else from the directory's `.dir`
    // listing in the local DVC cache (checked against its name before it is believed).
    let named = actual
        .sha256
        .as_ref()
        .is_some_and(|sha| name_differences(&mut message, recorded, sha));
    if !named
        && let (Some(hex), Some(found), Some(root)) = (
            recorded
                .digest
                .strip_prefix("md5:")
                .and_then(|d| d.strip_suffix(".dir")),
            &actual.listing,
            session.repo.workdir(),
        )
    {
        match crate::dvc_track::cached_listing(root, hex) {
            Ok(listing) => {
                push_diff(&mut message, &as_manifest(&listing), &as_manifest(found));
            }
            Err(why) => message.push_str(&format!(
                "\n(the differing files cannot be named: the recorded directory's file list {why})"
            )),
        }
    }
    Err(UserError::new(message).into())
}
