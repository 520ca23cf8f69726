//! The metric gate's evidence (issue 14): the version a stage event attaches to and its
//! metrics, recorded at registration or read at its commit through `metrics_source`, for the
//! core's pure verdict (`trust::judge_scored`).

use crate::git::Repo;
use crate::registry::event::Event;
use crate::registry::metrics::VersionMetrics;
use crate::registry::signature::SigStatus;
use crate::registry::state::{Registry, newest};
use crate::registry::time::Timestamp;
use crate::registry::trust::{self, Scores, Verdict};

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

impl super::Trust {
    /// Recorded scores count only when the registration that recorded them passes the policy
    /// itself, judged no earlier than `at` (as the two-person rule judges registrants): a tag
    /// anyone could push with `Artifact-Metric: eval.auc=0.99` in its message must not open the
    /// gate that signed registrations guard. A registration that breaks the policy leaves the
    /// version with no scores, saying why, so the gate fails closed (its commit's files are
    /// not read instead: whoever pushed the tag chose that commit too).
    pub(super) fn vouched(
        &self,
        reg: &Registry,
        event: &Event,
        mut scores: Scores,
        at: Timestamp,
        registration: &dyn Fn(&Event) -> Option<SigStatus>,
    ) -> Scores {
        if !scores.metrics.recorded {
            return scores;
        }
        let Some(recorder) = reg
            .artifact(&event.artifact)
            .and_then(|a| trust::attached(a, event))
            .and_then(|v| newest(v.registrations.iter()))
        else {
            return scores;
        };
        let status = registration(recorder).unwrap_or(SigStatus::Unsigned);
        let when = if at.seconds >= recorder.time.seconds {
            at
        } else {
            recorder.time
        };
        if let Verdict::Fail(breach) =
            trust::judge(&self.config.trust, recorder, &status, when, &[])
        {
            scores.metrics = VersionMetrics {
                warnings: vec![format!(
                    "its metrics were recorded by '{}', which does not pass the policy itself ({}), so they count for nothing",
                    crate::output::escape(&recorder.tag),
                    breach.reason
                )],
                ..VersionMetrics::default()
            };
        }
        scores
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
    let metrics = match VersionMetrics::recorded_in(&registration.message) {
        Ok(Some(found)) => found,
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
