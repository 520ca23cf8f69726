//! The metric gate of a stage (`authorize.stages.S.metrics: ["eval.auc >= 0.9", …]`): an
//! assignment to `S` passes only if the version it attaches to has metrics meeting every rule.
//! Pure: the metrics come in as data ([`Scores`]), fetched by the shell (`metrics_source`).
//!
//! A missing metric fails, and so does a value that is not a number (strings are never
//! compared). The gate needs no signature of its own: whoever assigns, the version's scores
//! decide. `signatures.required_since` grandfathers it as it does every rule.

use super::shown;
use crate::registry::metrics::{Condition, VersionMetrics};

/// The metric rules of one stage, in the policy's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MetricRules(pub Vec<Condition>);

// A condition's threshold compares by its text (`Number`'s equality), so equality is reflexive
// and the policy (which is `Eq`) may hold rules.
impl Eq for MetricRules {}

impl MetricRules {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rules as the policy lists them: `eval.auc >= 0.9, latency_ms < 50`.
    pub(crate) fn shown(&self) -> String {
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The evidence for the gate: the version an assignment attaches to, and its metrics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scores {
    /// The version's label (`v1.1.0`).
    pub version: String,
    pub metrics: VersionMetrics,
}

/// Why the assignment `tag` of `stage` to a version of `artifact` breaks the metric rules of
/// the stage written `key` in the policy, if it does: every failing rule, each naming the
/// metric, its value and the rule; and where values not recorded at registration came from.
pub(super) fn metric_breach(
    tag: &str,
    artifact: &str,
    stage: &str,
    key: &str,
    rules: &MetricRules,
    scores: Option<&Scores>,
) -> Option<String> {
    let at = format!("authorize.stages.{key}.metrics");
    let stage = shown(stage);
    let Some(scores) = scores else {
        return Some(format!(
            "tag '{tag}' gives {stage} to a version of {artifact} that no registration records, so it has no metrics to meet the rules {} ({at})",
            rules.shown()
        ));
    };
    let failures: Vec<String> = rules
        .0
        .iter()
        .filter_map(|rule| rule.check(&scores.metrics.values).err())
        .map(|why| shown(&why))
        .collect();
    if failures.is_empty() {
        return None;
    }
    let mut reason = format!(
        "tag '{tag}' gives {stage} to {artifact} {}, which {} ({at})",
        shown(&scores.version),
        failures.join(", and ")
    );
    if !scores.metrics.recorded {
        reason.push_str(
            "; its metrics were not recorded at registration, so they were read from the metrics files at its commit",
        );
    }
    if !scores.metrics.warnings.is_empty() {
        let warnings: Vec<String> = scores.metrics.warnings.iter().map(|w| shown(w)).collect();
        reason.push_str(&format!("; reading them: {}", warnings.join("; ")));
    }
    Some(reason)
}
