//! Planning writes: which tag a command creates (name, commit, message), with GTO's checks and
//! messages (reference §3.3–3.4, §5.1–5.3, §12). Pure: the command applies the plan afterwards,
//! and `--dry-run` just prints it. This file holds what every plan shares: the context, the tag
//! name choice, the planned tag and change, and the lookups; one file per write beside it.
//!
//! Deliberate differences (README "Differences from GTO"): auto-bump never re-issues a version
//! that was ever registered (B10); `register --force` never writes a second registration of an
//! active version (B8); `unassign` refuses a stage the version does not hold (B6); in `auto` mode
//! a second tag of the same kind takes the counter form instead of failing with "tag exists".

use std::collections::HashSet;

use super::error::PlanError;
use super::event::EventKind;
use super::name::{ArtifactName, Stage};
use super::state::{Artifact, Registry, Version};
use super::tag::{TagAction, TagName};

mod assign;
mod delete;
mod deprecate;
mod deregister;
mod register;
mod rollback;
mod unassign;

pub(crate) use assign::{Assign, AssignTarget, assign, assign_plan};
pub(crate) use delete::{deprecate_deletion, deregister_deletion, unassign_deletion};
pub(crate) use deprecate::{Deprecate, deprecate};
// The shell plans a deregistration or unassignment through `*_change` (create or delete);
// the core's tests plan the creating half alone.
#[cfg(test)]
pub(crate) use deregister::deregister;
pub(crate) use deregister::{Deregister, deregister_change};
pub(crate) use register::{Register, register};
pub(crate) use rollback::{Rollback, rollback};
#[cfg(test)]
pub(crate) use unassign::unassign;
pub(crate) use unassign::{Unassign, unassign_change};

/// `--simple auto|true|false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Simple {
    #[default]
    Auto,
    Yes,
    No,
}

/// A tag a command will create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewTag {
    pub name: String,
    pub commit: String,
    pub message: String,
    pub kind: EventKind,
    /// The version this tag is about, as output names it (`v1.2.0` or a commit id).
    pub version: String,
}

/// What a write command does once planned: create tags, or (`--delete`) remove them.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    Create(Vec<NewTag>),
    Delete(Vec<String>),
}

/// What the planner needs to know besides the state: every tag name in the repository
/// (lightweight ones too: counters and name clashes count them, reference §3.3) and the
/// allowed stages from config.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    pub tag_names: HashSet<String>,
    pub allowed_stages: Option<Vec<String>>,
}

impl Context {
    /// `1 + max(counter)` over the artifact's tags that carry one, or 1 (reference §3.3).
    pub(crate) fn next_counter(&self, artifact: &ArtifactName) -> u64 {
        self.tag_names
            .iter()
            .filter_map(|n| TagName::parse(n))
            .filter(|t| &t.artifact == artifact)
            .filter_map(|t| t.counter)
            .max()
            .map_or(1, |n| n.saturating_add(1))
    }

    /// Picks the tag name: simple or counter form. `auto` takes `auto_simple`, but falls back to
    /// the counter form when the simple name is taken (a re-registration, say).
    fn tag_name(
        &self,
        artifact: &ArtifactName,
        action: TagAction,
        simple: Simple,
        auto_simple: bool,
    ) -> Result<String, PlanError> {
        let simple_tag = TagName {
            artifact: artifact.clone(),
            action: action.clone(),
            counter: None,
        }
        .format();
        let use_simple = match simple {
            Simple::Yes => true,
            Simple::No => false,
            Simple::Auto => auto_simple && !self.tag_names.contains(&simple_tag),
        };
        let name = if use_simple {
            simple_tag
        } else {
            TagName {
                artifact: artifact.clone(),
                action,
                counter: Some(self.next_counter(artifact)),
            }
            .format()
        };
        if self.tag_names.contains(&name) {
            return Err(PlanError::TagExists {
                name,
                simple_form: use_simple,
            });
        }
        Ok(name)
    }

    /// GTO's allow-list check (reference §7): `Allowed stages are: '['dev', 'prod']'`.
    pub(crate) fn check_stage(&self, stage: &Stage) -> Result<(), PlanError> {
        match &self.allowed_stages {
            Some(allowed) if !allowed.iter().any(|s| s == stage.as_str()) => {
                Err(PlanError::StageNotAllowed {
                    stage: stage.clone(),
                    allowed: allowed.clone(),
                })
            }
            _ => Ok(()),
        }
    }
}

/// GTO's `message or default`: an empty `-m` means the default message.
fn message_or(custom: Option<&str>, default: impl FnOnce() -> String) -> String {
    match custom {
        Some(m) if !m.trim().is_empty() => m.to_string(),
        _ => default(),
    }
}

/// A version whose registration is still in force.
fn is_live(v: &Version) -> bool {
    v.is_registered() && v.is_active()
}

/// The one version with this name; with several (hand-made) the live one, else the last.
fn find_named<'a>(artifact: &'a Artifact, name: &str) -> Option<&'a Version> {
    let named: Vec<&Version> = artifact
        .versions
        .iter()
        .filter(|v| v.label.as_str() == name && !v.is_discovered())
        .collect();
    named
        .iter()
        .rev()
        .find(|v| is_live(v))
        .or_else(|| named.last())
        .copied()
}

fn find_artifact<'a>(reg: &'a Registry, name: &ArtifactName) -> Result<&'a Artifact, PlanError> {
    reg.artifact(name)
        .ok_or_else(|| PlanError::ArtifactNotFound {
            artifact: name.clone(),
        })
}

/// A registry folded from `(tag, commit, time)` triples, for the plans' tests beside each plan.
#[cfg(test)]
fn registry_of(tags: &[(&str, &str, i64)]) -> Registry {
    use super::event::{RawTag, Target, event_from_raw};
    use super::time::Timestamp;
    let events = tags
        .iter()
        .map(|(name, commit, t)| {
            event_from_raw(RawTag {
                name: (*name).into(),
                target: Target::Commit((*commit).into()),
                tagger_name: "T".into(),
                tagger_email: "t@x".into(),
                time: Timestamp::new(*t, 0),
                message: "m".into(),
                signed: None,
            })
            .unwrap()
            .unwrap()
        })
        .collect();
    Registry::build(events, Vec::new())
}
