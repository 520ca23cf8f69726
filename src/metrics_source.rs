//! Where a version's metrics come from (issue 14): the `Artifact-Metric` trailers its
//! registration recorded, or, for a version registered before they existed or by GTO, the
//! metrics files declared for the artifact at the version's commit (an `artifacts.yaml` entry's
//! `metrics:`, a `dvc.yaml`'s top-level `metrics:`). Reading recorded metrics needs no tree
//! read; the views say which versions' values were not recorded.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::error::UserError;
use crate::git::Repo;
use crate::output::escape;
use crate::registry::metrics::{self, VersionMetrics};
use crate::registry::name::ArtifactName;
use crate::registry::state::{Version, newest};

mod declared;
mod parse;

/// The metrics of `version` of `name`: its newest registration's trailers when it records
/// some, else the declared files at its commit.
pub(crate) fn of_version(
    repo: &Repo,
    name: &ArtifactName,
    version: &Version,
) -> Result<VersionMetrics> {
    if let Some(registration) = newest(version.registrations.iter()) {
        match VersionMetrics::recorded_in(&registration.message) {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(why) => {
                let mut read = at_commit(repo, name, &version.commit)?;
                read.warnings.insert(
                    0,
                    format!(
                        "tag '{}' records metrics that do not read: {why}; its metrics are read from the files at its commit instead",
                        crate::output::escape(&registration.tag)
                    ),
                );
                return Ok(read);
            }
        }
    }
    at_commit(repo, name, &version.commit)
}

/// The metrics declared for `name` at `commit`, read from its files (not recorded). What cannot
/// be read is a warning naming the file, the commit and the line; the other files still count.
/// A key that cannot be a metric's name ([`metrics::bad_key`]) is left out with a warning.
pub(crate) fn at_commit(repo: &Repo, name: &ArtifactName, commit: &str) -> Result<VersionMetrics> {
    read(repo, name, commit, BadKeys::Skip)
}

/// As [`at_commit`], for a registration about to record the values: a key that cannot be a
/// trailer's refuses it, naming the file (a view only leaves such a key out).
pub(crate) fn for_registration(
    repo: &Repo,
    name: &ArtifactName,
    commit: &str,
) -> Result<VersionMetrics> {
    read(repo, name, commit, BadKeys::Refuse)
}

/// What a key [`metrics::bad_key`] refuses does to a read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BadKeys {
    Skip,
    Refuse,
}

fn read(repo: &Repo, name: &ArtifactName, commit: &str, bad: BadKeys) -> Result<VersionMetrics> {
    let short = &commit[..commit.len().min(7)];
    let files = declared::files(repo, name, commit)?;
    let mut out = VersionMetrics {
        warnings: files.warnings,
        ..VersionMetrics::default()
    };
    // A partial clone fetches every file in one batch.
    let wanted: Vec<(&str, &str)> = files.paths.iter().map(|p| (commit, p.as_str())).collect();
    repo.prefetch(&wanted)?;
    // Which file each key came from: the first listed wins.
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    for path in &files.paths {
        let shown = escape(path);
        let text = match crate::safe_read::read_tree_file(repo, commit, path)? {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let line = e.as_bytes()[..at].split(|b| *b == b'\n').count();
                    out.warnings.push(format!(
                        "{shown} at {short}, line {line}: is not UTF-8 text; its metrics are not read"
                    ));
                    continue;
                }
            },
            Ok(None) => {
                out.warnings.push(format!(
                    "metrics file {shown} of '{name}' is not in commit {short}"
                ));
                continue;
            }
            Err(refused) => {
                out.warnings.push(format!(
                    "metrics file {shown} at {short} is not read: {}",
                    refused.why
                ));
                continue;
            }
        };
        let values = match parse::metrics_of(path, &text) {
            Ok((values, twice)) => {
                for key in twice {
                    out.warnings.push(format!(
                        "{shown} at {short}: metric '{}' is given twice in the file (a dotted key and a nested one flatten alike); it is left out",
                        escape(&key)
                    ));
                }
                values
            }
            Err(why) => {
                out.warnings.push(format!(
                    "{shown} at {short}, {why}; its metrics are not read"
                ));
                continue;
            }
        };
        for (key, value) in values {
            if let Some(why) = metrics::bad_key(&key) {
                if bad == BadKeys::Refuse {
                    return Err(UserError::new(format!(
                        "cannot record the metrics of '{name}' at {short}: {shown}: {}",
                        escape(&why)
                    ))
                    .with_hint("rename the metric in its file, or leave the file out of `metrics:`")
                    .into());
                }
                out.warnings.push(format!(
                    "{shown} at {short}: {}; the metric is left out",
                    escape(&why)
                ));
                continue;
            }
            if let Some(first) = from.get(&key) {
                out.warnings.push(format!(
                    "metric '{}' is in both {} and {shown} at {short}; the value of {}, listed first, counts",
                    escape(&key),
                    escape(first),
                    escape(first)
                ));
                continue;
            }
            from.insert(key.clone(), path.clone());
            out.values.insert(key, value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
