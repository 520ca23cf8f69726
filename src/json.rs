//! The `--json` contract: every shape a command prints with `--json`, in one file.
//!
//! Shapes follow GTO's (reference §6 in `gto-behaviour.md`); fields marked "beyond GTO" are ours.
//! Field order is the order printed (serde_json keeps insertion order), and `null` vs a missing
//! field is part of the contract: `skip_serializing_if` appears only where GTO omits the field.
//! Times are ISO-8601 with offset. These structs are kept apart from internal types: commands
//! fill them (builders below read the state) and hand them to [`Output::json`].
//!
//! | command                    | shape                                                     |
//! |----------------------------|-----------------------------------------------------------|
//! | `show --json`              | [`Overview`]: artifact name → [`OverviewEntry`]           |
//! | `show NAME --json`         | a list of [`VersionJson`] (with [`VStageJson`], [`EventJson`]) |
//! | `show NAME --metrics --json` | a list of `VersionMetricsJson` (`commands/show/metrics_view.rs`; beyond GTO): `artifact`, `version`, `commit`, `stages` (names), `recorded`, `metrics` ([`MetricsJson`]) |
//! | `history [NAME] --json`    | a list of [`HistoryJson`] (`metrics` on registrations that record some) |
//! | `check-ref REF --json`     | [`CheckRefJson`]: the event the ref made (nothing for other refs); `metrics`, `metrics_recorded` when its version has metrics |
//! | `stages --json`            | [`StagesJson`]: a list of stage names, or `null`          |
//! | `describe NAME --json`     | [`DescribeJson`]: the `artifacts.yaml` entry as declared  |
//! | `diff NAME A B --json`     | [`DiffJson`] (beyond GTO)                                 |
//! | `compare NAME V… --json`   | [`CompareJson`] (beyond GTO)                              |
//!
//! [`Output::json`]: crate::output::Output::json

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::registry::event::{Event, EventKind};
use crate::registry::signature::{SigFormat, SigStatus};
use crate::registry::state::{Artifact, VStage, Version};
use crate::registry::trailer;

/// An event as it appears inside `show NAME --json` (registrations, assignments, …).
#[derive(Debug, Serialize)]
pub(crate) struct EventJson {
    pub priority: u8,
    pub addition: bool,
    pub artifact: String,
    pub created_at: String,
    pub author: String,
    pub author_email: String,
    pub message: String,
    pub commit_hexsha: String,
    pub tag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Present on assignment and unassignment items only, as in GTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<&'static str>,
}

/// `version` is the version the state attributes the event to.
pub(crate) fn event_json(e: &Event, version: Option<&str>, with_event: bool) -> EventJson {
    EventJson {
        priority: e.kind.priority(),
        addition: e.kind.is_addition(),
        artifact: e.artifact.to_string(),
        created_at: e.time.iso(),
        author: e.author.clone(),
        author_email: e.author_email.clone(),
        message: e.message.clone(),
        commit_hexsha: e.commit.clone(),
        tag: e.tag.clone(),
        version: version.map(str::to_string),
        stage: e.stage.as_ref().map(ToString::to_string),
        event: with_event.then(|| e.kind.as_str()),
    }
}

/// A (version, stage) pair in `show NAME --json`.
#[derive(Debug, Serialize)]
pub(crate) struct VStageJson {
    pub artifact: String,
    pub commit_hexsha: String,
    pub version: String,
    pub stage: String,
    pub assignments: Vec<EventJson>,
    pub unassignments: Vec<EventJson>,
    pub is_active: bool,
    pub activated_at: Option<String>,
    pub created_at: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

pub(crate) fn vstage_json(artifact: &Artifact, v: &Version, s: &VStage) -> VStageJson {
    let label = v.label.as_str();
    let authoring = s.authoring_event();
    VStageJson {
        artifact: artifact.name.to_string(),
        commit_hexsha: v.commit.clone(),
        version: label.to_string(),
        stage: s.stage.to_string(),
        assignments: s
            .assignments
            .iter()
            .map(|e| event_json(e, Some(label), true))
            .collect(),
        unassignments: s
            .unassignments
            .iter()
            .map(|e| event_json(e, Some(label), true))
            .collect(),
        is_active: s.is_active(),
        activated_at: s.activated_at().map(|t| t.iso()),
        created_at: authoring.map(|e| e.time.iso()),
        author: authoring.map(|e| e.author.clone()),
        author_email: authoring.map(|e| e.author_email.clone()),
        message: authoring.map(|e| e.message.clone()),
        reference: authoring.map(|e| e.tag.clone()),
    }
}

/// One version in `show NAME --json`.
#[derive(Debug, Serialize)]
pub(crate) struct VersionJson {
    pub artifact: String,
    pub commit_hexsha: String,
    pub version: String,
    /// GTO lists `artifacts.yaml` "commit" events here; we read no commit objects for `show`.
    pub enrichments: Vec<Value>,
    pub registrations: Vec<EventJson>,
    pub deregistrations: Vec<EventJson>,
    pub stages: Vec<VStageJson>,
    pub is_active: bool,
    pub activated_at: Option<String>,
    pub created_at: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub discovered: bool,
    /// Beyond GTO: the content digest the newest registration recorded (`sha256:…`), or null.
    pub digest: Option<String>,
    /// Beyond GTO: the artifact path that digest is of.
    pub artifact_path: Option<String>,
}

/// `stages` are the pairs stage resolution selected for this version (reference §6).
pub(crate) fn version_json(
    artifact: &Artifact,
    v: &Version,
    stages: Vec<VStageJson>,
) -> VersionJson {
    let label = v.label.as_str();
    let authoring = v.authoring_event();
    let provenance = v.provenance();
    VersionJson {
        artifact: artifact.name.to_string(),
        commit_hexsha: v.commit.clone(),
        version: label.to_string(),
        enrichments: Vec::new(),
        registrations: v
            .registrations
            .iter()
            .map(|e| event_json(e, Some(label), false))
            .collect(),
        deregistrations: v
            .deregistrations
            .iter()
            .map(|e| event_json(e, Some(label), false))
            .collect(),
        stages,
        is_active: v.is_active(),
        activated_at: v.activated_at().map(|t| t.iso()),
        created_at: authoring.map(|e| e.time.iso()),
        author: authoring.map(|e| e.author.clone()),
        author_email: authoring.map(|e| e.author_email.clone()),
        message: authoring.map(|e| e.message.clone()),
        reference: authoring.map(|e| e.tag.clone()),
        discovered: v.is_discovered(),
        digest: provenance.as_ref().map(|p| p.digest.clone()),
        artifact_path: provenance.map(|p| p.path),
    }
}

/// One `history --json` item.
#[derive(Debug, Serialize)]
pub(crate) struct HistoryJson {
    pub timestamp: String,
    pub artifact: String,
    pub event: &'static str,
    pub priority: u8,
    pub version: Option<String>,
    pub stage: Option<String>,
    pub commit: String,
    pub author: String,
    pub author_email: String,
    pub message: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// Beyond GTO: on registrations, the content digest recorded (`sha256:…`), else null.
    pub digest: Option<String>,
    /// Beyond GTO: what checking the tag's signature found.
    pub signature: SignatureJson,
    /// Beyond GTO (issue 14): on a registration, the metrics its tag recorded
    /// (`Artifact-Metric` trailers); left out when it records none (and on other events: their
    /// trailers are text). Never read from files here: `show NAME --metrics` does that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsJson>,
}

pub(crate) fn history_json(e: &Event, version: Option<&str>, status: &SigStatus) -> HistoryJson {
    HistoryJson {
        timestamp: e.time.iso(),
        artifact: e.artifact.to_string(),
        event: e.kind.as_str(),
        priority: e.kind.priority(),
        version: version.map(str::to_string),
        stage: e.stage.as_ref().map(ToString::to_string),
        commit: e.commit.clone(),
        author: e.author.clone(),
        author_email: e.author_email.clone(),
        message: e.message.clone(),
        reference: e.tag.clone(),
        // Only a registration records a digest (as `show` and `verify` read it): trailers in
        // another event's message are text.
        digest: (e.kind == EventKind::Registration)
            .then(|| trailer::parse(&e.message).map(|p| p.digest))
            .flatten(),
        signature: signature_json(status),
        metrics: (e.kind == EventKind::Registration)
            .then(|| {
                crate::registry::metrics::recorded(&e.message)
                    .ok()
                    .flatten()
            })
            .flatten()
            .as_ref()
            .map(metrics_json),
    }
}

/// `check-ref --json`: the event without `priority`/`addition`, plus `event`.
#[derive(Debug, Serialize)]
pub(crate) struct CheckRefJson {
    pub artifact: String,
    pub created_at: String,
    pub author: String,
    pub author_email: String,
    pub message: String,
    pub commit_hexsha: String,
    pub tag: String,
    /// Missing on deprecations and when no version is known, as in GTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Missing unless the event names a stage, as in GTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub event: &'static str,
    /// Beyond GTO: what checking the tag's signature found.
    pub signature: SignatureJson,
    /// Beyond GTO: the declaration at the tag's commit, as `--format` writes it.
    #[serde(flatten)]
    pub declared: DeclaredJson,
    /// Beyond GTO (issue 14): the metrics of the version the event attaches to (a
    /// registration's own trailers first); left out when it has none, and on deprecations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsJson>,
    /// Beyond GTO: whether those were recorded at registration (`false`: read from the
    /// metrics files at the version's commit). Present exactly when `metrics` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_recorded: Option<bool>,
}

/// `type`, `path` and `description` of an artifact's declaration (`null` when not declared).
#[derive(Debug, Default, Serialize)]
pub(crate) struct DeclaredJson {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
}

impl DeclaredJson {
    /// From the CI outputs' strings, where empty means not declared.
    pub(crate) fn of(kind: &str, path: &str, description: &str) -> DeclaredJson {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        DeclaredJson {
            kind: some(kind),
            path: some(path),
            description: some(description),
        }
    }
}

pub(crate) fn check_ref_json(e: &Event, version: Option<&str>, status: &SigStatus) -> CheckRefJson {
    CheckRefJson {
        artifact: e.artifact.to_string(),
        created_at: e.time.iso(),
        author: e.author.clone(),
        author_email: e.author_email.clone(),
        message: e.message.clone(),
        commit_hexsha: e.commit.clone(),
        tag: e.tag.clone(),
        version: (e.kind != EventKind::Deprecation)
            .then_some(version)
            .flatten()
            .map(str::to_string),
        stage: e.stage.as_ref().map(ToString::to_string),
        event: e.kind.as_str(),
        signature: signature_json(status),
        declared: DeclaredJson::default(),
        metrics: None,
        metrics_recorded: None,
    }
}

/// `show --json` (no name): one entry per artifact, keyed by name, in the order rows are built.
pub(crate) type Overview = Object<OverviewEntry>;

/// One artifact in `show --json`.
#[derive(Debug, Serialize)]
pub(crate) struct OverviewEntry {
    /// The latest version, or null.
    pub version: Option<String>,
    /// Every stage column → the versions holding it (`"v1, v2"`), or null.
    pub stage: Object<Option<String>>,
    /// False for an artifact declared in `artifacts.yaml` but never tagged.
    pub registered: bool,
    pub active: bool,
}

/// `stages --json`: the stage names, or null when `--allowed` finds no configured list.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub(crate) struct StagesJson(pub Option<Vec<String>>);

/// `describe NAME --json`: the artifact's `artifacts.yaml` entry, as declared (GTO's
/// `describe` prints the entry; its keys are whatever the file holds).
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub(crate) struct DescribeJson(pub Value);

/// `diff NAME A B --json` (beyond GTO, SPEC §4.5).
#[derive(Debug, Serialize)]
pub(crate) struct DiffJson {
    pub artifact: String,
    pub from: DiffSide,
    pub to: DiffSide,
    /// The `artifacts.yaml` keys whose values differ, in the order the entries list them.
    pub entry: Object<EntryChange>,
    pub digest: DigestChange,
    /// The artifact's repository-relative path, or null when none is declared.
    pub path: Option<String>,
    /// The commits from `from` to `to`.
    pub commits: Vec<DiffCommit>,
    /// Each version's label → its stage history, one line per event.
    pub stages: Object<Vec<String>>,
    /// Each changed metric (every metric with `--all`), as `dvc metrics diff --json` shows it.
    pub metrics: Object<MetricChangeJson>,
    /// Whether each side's metrics were recorded at registration (`false`: read from its files).
    pub metrics_recorded: MetricsRecorded,
}

/// One end of a diff.
#[derive(Debug, Serialize)]
pub(crate) struct DiffSide {
    pub version: String,
    pub commit: String,
}

/// One changed `artifacts.yaml` key; a missing key is null.
#[derive(Debug, Serialize)]
pub(crate) struct EntryChange {
    pub from: Value,
    pub to: Value,
}

/// The recorded digests at both ends (null when a version recorded none).
#[derive(Debug, Serialize)]
pub(crate) struct DigestChange {
    pub from: Option<String>,
    pub to: Option<String>,
    pub changed: bool,
}

/// A commit between the two versions of a diff.
#[derive(Debug, Serialize)]
pub(crate) struct DiffCommit {
    pub commit: String,
    pub summary: String,
    pub touches_path: bool,
}

/// A JSON object whose keys are data (artifact names, stages, labels), printed in insertion
/// order. Inserting a key again replaces its value in place, as a JSON map would.
#[derive(Debug)]
pub(crate) struct Object<V>(Vec<(String, V)>);

impl<V> Default for Object<V> {
    fn default() -> Self {
        Object(Vec::new())
    }
}

impl<V> Object<V> {
    pub(crate) fn insert(&mut self, key: String, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<V: Serialize> Serialize for Object<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

mod metrics;
pub(crate) use metrics::{
    CompareChanges, CompareJson, CompareVersion, MetricChangeJson, MetricsJson, MetricsRecorded,
    metrics_json,
};

#[cfg(test)]
mod tests {
    use super::Object;

    #[test]
    fn object_keeps_insertion_order_and_replaces_in_place() {
        let mut o = Object::default();
        o.insert("b".to_string(), 1);
        o.insert("a".to_string(), 2);
        o.insert("b".to_string(), 3);
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"b":3,"a":2}"#);
    }
}

/// The `signature` object of `history --json`, `check-ref --json` and `audit --json` (beyond
/// GTO, which has none: additive). `principal` is the proven signer, only for a good signature.
#[derive(Debug, Serialize)]
pub(crate) struct SignatureJson {
    /// `unsigned`, `good`, `bad`, `unknown-key`, `expired` or `unverifiable`.
    pub status: &'static str,
    /// `ssh`, `openpgp` or `x509`; null when unsigned.
    pub format: Option<&'static str>,
    pub principal: Option<String>,
    pub fingerprint: Option<String>,
    /// Why it is not good.
    pub reason: Option<String>,
}

pub(crate) fn signature_json(s: &SigStatus) -> SignatureJson {
    SignatureJson {
        status: s.word(),
        format: s.format().map(SigFormat::as_str),
        principal: s.principal().map(str::to_string),
        fingerprint: s.fingerprint().map(str::to_string),
        reason: s.reason().map(str::to_string),
    }
}
