//! The metric gate's evidence (issue 14): the version a stage event attaches to and its
//! metrics, recorded at registration or read at its commit through `metrics_source`, for the
//! core's pure verdict (`trust::judge_scored`).

use crate::git::Repo;
use crate::registry::event::Event;
use crate::registry::metrics::{self, VersionMetrics};
use crate::registry::state::Registry;
use crate::registry::trust::{self, Scores};

impl super::Trust {
    /// For an event that passed and that a metric gate covers: the rules its version met, and
    /// whether its values were recorded at registration or read from its commit's files now
    /// (`check-ref --policy` prints it as a note).
    pub(crate) fn gate_note(&self, repo: &Repo, reg: &Registry, event: &Event) -> Option<String> {
        let (key, rules) = self.config.trust.metric_gate(event)?;
        let scores = scores_of(repo, reg, event)?;
        let from = if scores.metrics.recorded {
            "recorded at registration"
        } else {
            "not recorded at registration: read from the metrics files at its commit"
        };
        Some(format!(
            "{} {} meets the metric gate of stage '{key}' ({}), by values {from}",
            event.artifact,
            scores.version,
            rules.shown()
        ))
    }
}

/// The metric gate's evidence for the stage event `event`: the version it attaches to and that
/// version's metrics (recorded, else read at its commit); `None` when it attaches to no version.
/// Metrics that cannot be read at all are none, saying why: the gate then fails, naming it.
pub(super) fn scores_of(repo: &Repo, reg: &Registry, event: &Event) -> Option<Scores> {
    let version = trust::attached(reg.artifact(&event.artifact)?, event)?;
    let metrics = crate::metrics_source::of_version(repo, &event.artifact, version)
        .unwrap_or_else(|e| unread(&e));
    Some(Scores {
        version: version.label.as_str().to_string(),
        metrics,
    })
}

/// The evidence for an assignment whose registration `registration` the same write makes
/// (`assign NAME REF`): the metrics its message records, else those at its commit.
pub(super) fn planned_scores(repo: &Repo, registration: &Event) -> Scores {
    let recorded = metrics::recorded(&registration.message);
    let metrics = match recorded {
        Ok(Some(values)) => VersionMetrics {
            values,
            recorded: true,
            warnings: Vec::new(),
        },
        _ => crate::metrics_source::at_commit(repo, &registration.artifact, &registration.commit)
            .unwrap_or_else(|e| unread(&e)),
    };
    Scores {
        version: registration
            .version
            .as_ref()
            .map(|v| v.as_str().to_string())
            .unwrap_or_default(),
        metrics,
    }
}

/// No metrics, and why none could be read.
fn unread(e: &anyhow::Error) -> VersionMetrics {
    VersionMetrics {
        warnings: vec![format!("its metrics could not be read: {e:#}")],
        ..VersionMetrics::default()
    }
}
