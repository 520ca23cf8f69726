//! Planning `--delete`: which tags go (oldest first, each once), with GTO's checks before it
//! (reference §5.3). Deleting rewrites history, so it is planned as carefully as a write.

use std::collections::HashSet;

use super::deregister::{Deregister, deregister_target};
use super::unassign::{Unassign, unassign_target};
use crate::registry::error::PlanError;
use crate::registry::event::Event;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::state::{Registry, Version};

/// `deregister NAME VERSION --delete` (and `deprecate NAME VERSION --delete`): every tag of
/// the version.
pub(crate) fn deregister_deletion(
    reg: &Registry,
    req: &Deregister,
) -> Result<Vec<String>, PlanError> {
    let target = deregister_target(reg, req)?;
    Ok(distinct_tags(target.all_events()))
}

/// `unassign NAME STAGE --delete` (and `deprecate NAME VERSION STAGE --delete`): the version's
/// tags for the stage. Unless `--force`, GTO first checks the stage was ever assigned to it.
pub(crate) fn unassign_deletion(reg: &Registry, req: &Unassign) -> Result<Vec<String>, PlanError> {
    let target = unassign_target(reg, req)?;
    if !req.force {
        check_ever_assigned(target, &req.stage)?;
    }
    let events = target
        .vstage(&req.stage)
        .into_iter()
        .flat_map(|s| s.assignments.iter().chain(&s.unassignments));
    Ok(distinct_tags(events))
}

/// `deprecate NAME --delete`: every tag of the artifact. Unless `force`, GTO refuses an artifact
/// deprecated already.
pub(crate) fn deprecate_deletion(
    reg: &Registry,
    artifact: &ArtifactName,
    force: bool,
) -> Result<Vec<String>, PlanError> {
    let found = reg
        .artifact(artifact)
        .ok_or_else(|| PlanError::DeleteArtifactNotFound {
            artifact: artifact.clone(),
        })?;
    if !found.is_active() && !force {
        return Err(PlanError::DeleteAlreadyDeprecated);
    }
    Ok(distinct_tags(found.all_events()))
}

/// GTO's check before `--delete`: the stage was assigned to the version at some point.
fn check_ever_assigned(version: &Version, stage: &Stage) -> Result<(), PlanError> {
    if version.vstage(stage).is_none() {
        return Err(PlanError::NeverAssigned {
            stage: stage.clone(),
            version: version.label.as_str().to_string(),
        });
    }
    Ok(())
}

/// Tags `--delete` removes, oldest first, each once.
fn distinct_tags<'a>(events: impl Iterator<Item = &'a Event>) -> Vec<String> {
    let mut events: Vec<&Event> = events.collect();
    events.sort_by_key(|e| e.time.seconds);
    let mut seen = HashSet::new();
    events
        .into_iter()
        .filter(|e| seen.insert(e.tag.clone()))
        .map(|e| e.tag.clone())
        .collect()
}
