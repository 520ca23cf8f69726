//! Where a version's metrics come from (issue 14): the `Artifact-Metric` trailers its
//! registration recorded, or, for a version registered before they existed or by GTO, the
//! metrics files declared for the artifact at the version's commit (an `artifacts.yaml` entry's
//! `metrics:`, a `dvc.yaml`'s top-level `metrics:`). Reading recorded metrics needs no tree
//! read; the views say which versions' values were not recorded.

use anyhow::Result;

use crate::git::Repo;
use crate::registry::metrics::{self, VersionMetrics};
use crate::registry::name::ArtifactName;
use crate::registry::state::{Version, newest};

/// The metrics of `version` of `name`: its newest registration's trailers when it records
/// some, else the declared files at its commit.
pub(crate) fn of_version(
    repo: &Repo,
    name: &ArtifactName,
    version: &Version,
) -> Result<VersionMetrics> {
    if let Some(registration) = newest(version.registrations.iter()) {
        match metrics::recorded(&registration.message) {
            Ok(Some(values)) => {
                return Ok(VersionMetrics {
                    values,
                    recorded: true,
                    warnings: Vec::new(),
                });
            }
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

/// The metrics declared for `name` at `commit`, read from its files (not recorded).
#[expect(clippy::unnecessary_wraps, reason = "the files' reads, next, can fail")]
pub(crate) fn at_commit(repo: &Repo, name: &ArtifactName, commit: &str) -> Result<VersionMetrics> {
    // Reading the declared files is the next step (issue 14, point 1); until then a version
    // without recorded metrics has none.
    let _ = (repo, name, commit);
    Ok(VersionMetrics::default())
}
