//! Planning `rollback` (beyond GTO): which version a stage goes back to, and the ordinary
//! assignment that gives it back, whose message says it is a rollback (SPEC §4.3).

use super::{
    Assign, AssignTarget, Context, NewTag, Simple, assign, find_artifact, find_named, is_live,
    message_or,
};
use crate::registry::error::PlanError;
use crate::registry::event::Event;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::resolve::{self, StageOptions};
use crate::registry::state::{Registry, Version};
use crate::registry::version::VersionLabel;
use crate::registry::version::VersionName;

/// `rollback` input.
#[derive(Debug, Clone)]
pub(crate) struct Rollback {
    pub artifact: ArtifactName,
    pub stage: Stage,
    /// `--to`; else the version that held the stage before.
    pub to: Option<VersionName>,
    pub simple: Simple,
    pub message: Option<String>,
}

/// A planned rollback: the stage goes from the version `from` to `to` by `tags` (one
/// assignment: the version exists, so nothing is registered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RollbackPlan {
    /// The holder now: a registered version, or one named by its commit (`assign --sr`).
    pub from: VersionLabel,
    /// Always a registered version: only live versions can take a stage back.
    pub to: VersionName,
    pub tags: Vec<NewTag>,
}

/// Plans a rollback: the target, then an assignment of it with the rollback's message.
pub(crate) fn rollback(
    reg: &Registry,
    ctx: &Context,
    req: &Rollback,
) -> Result<RollbackPlan, PlanError> {
    ctx.check_stage(&req.stage)?;
    let (current, to) = rollback_target(reg, &req.artifact, &req.stage, req.to.as_ref())?;
    let from = current.label.as_str();
    let tags = assign(
        reg,
        ctx,
        &Assign {
            artifact: req.artifact.clone(),
            stage: req.stage.clone(),
            target: AssignTarget::Version(to.clone()),
            // The old holder may still hold the stage underneath the newer one; a new tag
            // makes it the newest again, which is the point.
            force: true,
            simple: req.simple,
            message: Some(message_or(req.message.as_deref(), || {
                format!(
                    "Rolling back stage {} of artifact {} to version {to} (from {from})",
                    req.stage, req.artifact
                )
            })),
        },
    )?;
    Ok(RollbackPlan {
        from: current.label.clone(),
        to,
        tags,
    })
}

/// Which version a rollback of `stage` goes back to: `to` if given, else the version that held
/// the stage before the current holder (the newest assignment of the stage to another version
/// that is still active). Returns the current holder and the target's name.
fn rollback_target<'a>(
    reg: &'a Registry,
    artifact: &ArtifactName,
    stage: &Stage,
    to: Option<&VersionName>,
) -> Result<(&'a Version, VersionName), PlanError> {
    let a = find_artifact(reg, artifact)?;
    let current = resolve::stage_holders(a, stage.as_str(), StageOptions::default())
        .first()
        .map(|h| h.version)
        .ok_or_else(|| PlanError::NothingToRollBack {
            artifact: artifact.clone(),
            stage: stage.clone(),
        })?;
    let target = if let Some(v) = to {
        let found = find_named(a, v.as_str())
            .ok_or_else(|| PlanError::RollbackToUnknown { version: v.clone() })?;
        if !is_live(found) {
            return Err(PlanError::RollbackToDeregistered { version: v.clone() });
        }
        v.clone()
    } else {
        // Live versions are registered ones, so each is named by a version.
        let mut previous: Vec<(&Event, &VersionName)> = a
            .versions
            .iter()
            .filter(|v| v.label != current.label && is_live(v))
            .filter_map(|v| Some((v.vstage(stage)?, v.label.semver()?)))
            .flat_map(|(s, name)| s.assignments.iter().map(move |e| (e, name)))
            .collect();
        previous.sort_by_key(|(e, _)| (e.time.seconds, e.counter));
        previous
            .last()
            .map(|(_, name)| (*name).clone())
            .ok_or_else(|| PlanError::NoEarlierHolder {
                artifact: artifact.clone(),
                stage: stage.clone(),
            })?
    };
    if target.as_str() == current.label.as_str() {
        return Err(PlanError::HoldsAlready {
            version: current.label.as_str().to_string(),
            stage: stage.clone(),
        });
    }
    Ok((current, target))
}
