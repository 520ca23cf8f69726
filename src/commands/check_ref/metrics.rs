//! The metrics `check-ref` reports with an event (issue 14): a registration's own recorded
//! trailers, else (a stage event, a deregistration, a registration that records none) the
//! metrics of the version the event attaches to, as `metrics_source::of_version` finds them.
//! A deprecation names no version and has none.

use anyhow::Result;

use crate::ci_outputs::{self, Outputs};
use crate::commands::Session;
use crate::json;
use crate::metrics_source;
use crate::output::{Output, escape};
use crate::registry::event::{Event, EventKind};
use crate::registry::metrics::VersionMetrics;
use crate::registry::state::Artifact;

/// The metrics of `event`'s version; warnings (a file that does not read) go to stderr.
pub(super) fn of_event(
    session: &Session,
    artifact: &Artifact,
    event: &Event,
    out: &mut Output,
) -> Result<Option<VersionMetrics>> {
    if event.kind == EventKind::Deprecation {
        return Ok(None);
    }
    // The tag itself is what CI was handed: its own record wins over a newer registration's.
    if event.kind == EventKind::Registration
        && let Ok(Some(found)) = VersionMetrics::recorded_in(&event.message)
    {
        return Ok(Some(found));
    }
    let Some(version) = artifact
        .versions
        .iter()
        .find(|v| v.all_events().any(|e| e.tag == event.tag))
    else {
        return Ok(None);
    };
    let found = metrics_source::of_version(&session.repo, &artifact.name, version)?;
    for w in &found.warnings {
        out.warn(w)?;
    }
    Ok(Some(found))
}

/// Fills `value`'s `metrics` and `metrics_recorded` (left out when there are none, so the
/// shape of a tag without metrics stays GTO's and the earlier one).
pub(super) fn into_json(value: &mut json::CheckRefJson, found: Option<&VersionMetrics>) {
    if let Some(found) = found.filter(|f| !f.values.is_empty()) {
        value.metrics = Some(json::metrics_json(&found.values));
        value.metrics_recorded = Some(found.recorded);
    }
}

/// Adds the metric outputs to `outputs`, warning about the names left out and saying when the
/// values were read from files rather than recorded.
pub(super) fn into_outputs(
    outputs: &mut Outputs,
    found: Option<&VersionMetrics>,
    out: &mut Output,
) -> Result<()> {
    let Some(found) = found.filter(|f| !f.values.is_empty()) else {
        return Ok(());
    };
    let metric_outputs = ci_outputs::metric_outputs(&found.values);
    for (name, keys) in &metric_outputs.clashes {
        let keys: Vec<String> = keys.iter().map(|k| format!("'{}'", escape(k))).collect();
        out.warn(&format!(
            "metrics {} would all be the output {name}; none of them is written (rename one so the names differ in more than punctuation and case)",
            keys.join(", ")
        ))?;
    }
    if !found.recorded {
        out.note(&format!(
            "the metrics of version {} were not recorded at registration; read from the metrics files at its commit",
            escape(&outputs.version)
        ))?;
    }
    outputs.metrics = metric_outputs.pairs;
    Ok(())
}
