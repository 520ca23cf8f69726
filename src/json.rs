//! GTO's JSON shapes (reference §6): the contract scripts parse, kept apart from internal types.
//!
//! Field order is GTO's; times are ISO-8601 with offset. Builders here read the state and make
//! these structs; `output.rs` prints them.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::registry::event::{Event, EventKind};
use crate::registry::state::{Artifact, VStage, Version};
use crate::registry::trailer;

/// An event as it appears inside `show NAME --json` (registrations, assignments, …).
#[derive(Debug, Serialize)]
pub struct EventJson {
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
pub fn event_json(e: &Event, version: Option<&str>, with_event: bool) -> EventJson {
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
        stage: e.stage.as_ref().map(|s| s.to_string()),
        event: with_event.then(|| e.kind.as_str()),
    }
}

/// A (version, stage) pair in `show NAME --json`.
#[derive(Debug, Serialize)]
pub struct VStageJson {
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

pub fn vstage_json(artifact: &Artifact, v: &Version, s: &VStage) -> VStageJson {
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
pub struct VersionJson {
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
pub fn version_json(artifact: &Artifact, v: &Version, stages: Vec<VStageJson>) -> VersionJson {
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
pub struct HistoryJson {
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
}

pub fn history_json(e: &Event, version: Option<&str>) -> HistoryJson {
    HistoryJson {
        timestamp: e.time.iso(),
        artifact: e.artifact.to_string(),
        event: e.kind.as_str(),
        priority: e.kind.priority(),
        version: version.map(str::to_string),
        stage: e.stage.as_ref().map(|s| s.to_string()),
        commit: e.commit.clone(),
        author: e.author.clone(),
        author_email: e.author_email.clone(),
        message: e.message.clone(),
        reference: e.tag.clone(),
        digest: trailer::parse(&e.message).map(|p| p.digest),
    }
}

/// `check-ref --json`: the event without `priority`/`addition`, plus `event`.
pub fn check_ref_json(e: &Event, version: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("artifact".into(), e.artifact.to_string().into());
    m.insert("created_at".into(), e.time.iso().into());
    m.insert("author".into(), e.author.clone().into());
    m.insert("author_email".into(), e.author_email.clone().into());
    m.insert("message".into(), e.message.clone().into());
    m.insert("commit_hexsha".into(), e.commit.clone().into());
    m.insert("tag".into(), e.tag.clone().into());
    if e.kind != EventKind::Deprecation {
        if let Some(v) = version {
            m.insert("version".into(), v.into());
        }
    }
    if let Some(s) = &e.stage {
        m.insert("stage".into(), s.to_string().into());
    }
    m.insert("event".into(), e.kind.as_str().into());
    Value::Object(m)
}
