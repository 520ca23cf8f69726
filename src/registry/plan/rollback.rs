//! Planning `rollback` (beyond GTO): which version a stage goes back to.

use super::{find_artifact, find_named, is_live};
use crate::registry::error::PlanError;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::resolve::{self, StageOptions};
use crate::registry::state::{Registry, Version};
use crate::registry::version::VersionName;

/// Which version a rollback of `stage` goes back to: `to` if given, else the version that held
/// the stage before the current holder (the newest assignment of the stage to another version
/// that is still active). Returns (current holder, target).
pub fn rollback_target<'a>(
    reg: &'a Registry,
    artifact: &ArtifactName,
    stage: &Stage,
    to: Option<&VersionName>,
) -> Result<(&'a Version, &'a Version), PlanError> {
    let a = find_artifact(reg, artifact)?;
    let current = resolve::stage_holders(a, stage.as_str(), StageOptions::default())
        .first()
        .map(|h| h.version)
        .ok_or_else(|| PlanError::NothingToRollBack {
            artifact: artifact.clone(),
            stage: stage.clone(),
        })?;
    let target = match to {
        Some(v) => {
            let found = find_named(a, v.as_str())
                .ok_or_else(|| PlanError::RollbackToUnknown { version: v.clone() })?;
            if !is_live(found) {
                return Err(PlanError::RollbackToDeregistered { version: v.clone() });
            }
            found
        }
        None => {
            let mut previous: Vec<(&crate::registry::event::Event, &Version)> = a
                .versions
                .iter()
                .filter(|v| v.label != current.label && is_live(v))
                .filter_map(|v| v.vstage(stage).map(|s| (s, v)))
                .flat_map(|(s, v)| s.assignments.iter().map(move |e| (e, v)))
                .collect();
            previous.sort_by_key(|(e, _)| (e.time.seconds, e.counter));
            previous
                .last()
                .map(|(_, v)| *v)
                .ok_or_else(|| PlanError::NoEarlierHolder {
                    artifact: artifact.clone(),
                    stage: stage.clone(),
                })?
        }
    };
    if target.label == current.label {
        return Err(PlanError::HoldsAlready {
            version: current.label.as_str().to_string(),
            stage: stage.clone(),
        });
    }
    Ok((current, target))
}
