//! `registry verify NAME[@VERSION|#STAGE] [--path FILE_OR_DIR]`: recompute a digest and compare
//! it with the one the registration recorded (SPEC §4.5).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::target::pick_version;
use super::{Scope, Session};
use crate::commands::Global;
use crate::digest::{self, ManifestEntry};
use crate::error::UserError;
use crate::output::{Output, escape, escape_bytes};
use crate::provenance;
use crate::registry::spec::Target;
use crate::registry::trailer::{self, DigestSource, Record};

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
            .with_hint("register records one when artifacts.yaml declares a `path` for the artifact"),
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
        root.join(provenance::repo_relative(name, &recorded.path)?)
    };
    let shown = escape(&target.display().to_string()).into_owned();
    if !target.exists() {
        return Err(UserError::new(format!("'{shown}' does not exist")).into());
    }
    let actual = digest::hash_path(&target)?;
    if !actual.left_out.is_empty() {
        let names: Vec<String> = actual.left_out.iter().map(|n| escape_bytes(n)).collect();
        out.warn(&format!(
            "'{shown}' holds {} entries the digest does not cover (symbolic links, FIFOs, \
             sockets or devices are left out of a directory's digest): {}",
            names.len(),
            names.join(", ")
        ))?;
    }
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
    // The recorded manifest names files only when it is the one the digest is of.
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
        format!(
            "sha256:{}",
            digest::sha256_bytes(&digest::manifest_bytes(e))
        ) == recorded.digest
    });
    if let (Some(expected), Some(found)) = (&expected, &actual.manifest) {
        let (added, removed, changed) = digest::manifest_diff(expected, found);
        for (what, files) in [("added", added), ("removed", removed), ("changed", changed)] {
            for f in files {
                message.push_str(&format!("\n{what}: {}", escape_bytes(&f)));
            }
        }
    }
    Err(UserError::new(message).into())
}
