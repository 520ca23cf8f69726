//! The metrics shapes of the `--json` contract (issue 14; beyond GTO): a version's metrics, one
//! metric's change (`diff`, `compare`), and `compare --json`. Listed in `json.rs`'s table.

use serde::Serialize;
use serde_json::Value;

use super::Object;

/// A version's metrics in JSON: flattened key → value, keys sorted; numbers as JSON numbers
/// (as recorded: `0.913`, `12`), strings, booleans, `null`; `NaN` and the infinities, which
/// JSON cannot hold as numbers, as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub(crate) type MetricsJson = Object<Value>;

pub(crate) fn metrics_json(values: &crate::registry::metrics::Metrics) -> MetricsJson {
    // A map's keys are unique: no search per key (a metrics file may hold very many).
    Object(
        values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

/// One metric's change (`diff --json`, `compare --json`), in `dvc metrics diff --json`'s shape:
/// `old`/`new` null when that side lacks the metric; `diff` (new - old) and `relative`
/// ((new - old) / |old|) only when both are numbers (`relative` also not when old is zero).
#[derive(Debug, Serialize)]
pub(crate) struct MetricChangeJson {
    pub old: Value,
    pub new: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative: Option<f64>,
}

/// Whether each end of a diff recorded its metrics at registration.
#[derive(Debug, Serialize)]
pub(crate) struct MetricsRecorded {
    pub from: bool,
    pub to: bool,
}

/// `compare NAME V1 V2 … --json`: each version's metrics, and each later version's changes
/// against the first.
#[derive(Debug, Serialize)]
pub(crate) struct CompareJson {
    pub artifact: String,
    pub versions: Vec<CompareVersion>,
    /// One entry per version after the first, every metric of either side.
    pub changes: Vec<CompareChanges>,
}

/// One column of a comparison.
#[derive(Debug, Serialize)]
pub(crate) struct CompareVersion {
    pub version: String,
    /// The stage it was picked by (`#prod`), when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub commit: String,
    /// `false`: not recorded at registration, read from the metrics files at its commit.
    pub recorded: bool,
    pub metrics: Object<Value>,
}

/// A version's changes against the comparison's first version.
#[derive(Debug, Serialize)]
pub(crate) struct CompareChanges {
    pub version: String,
    pub against: String,
    pub metrics: Object<MetricChangeJson>,
}
