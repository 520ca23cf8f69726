//! Planning `rollback` (beyond GTO): which version a stage goes back to.

use super::{find_artifact, find_named, is_live};
use crate::error::{user, UserError};
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
) -> Result<(&'a Version, &'a Version), UserError> {
    let a = find_artifact(reg, artifact)?;
    let current = resolve::stage_holders(a, stage.as_str(), StageOptions::default())
        .first()
        .map(|h| h.version)
        .ok_or_else(|| {
            UserError::new(format!(
                "Stage '{stage}' of '{artifact}' is not held by any version: nothing to roll back"
            ))
            .with_hint(format!(
                "promote a version instead: `registry promote {artifact}@VERSION {stage}`"
            ))
        })?;
    let target = match to {
        Some(v) => {
            let found = find_named(a, v.as_str())
                .ok_or_else(|| UserError::new(format!("Version '{v}' is not registered")))?;
            if !is_live(found) {
                return user(format!(
                    "Version '{v}' was deregistered; it cannot take a stage back"
                ));
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
            previous.last().map(|(_, v)| *v).ok_or_else(|| {
                UserError::new(format!(
                    "no earlier version of '{artifact}' held '{stage}' and is still registered"
                ))
                .with_hint("name the version to go back to with --to VERSION")
            })?
        }
    };
    if target.label == current.label {
        return user(format!(
            "Version '{}' holds '{stage}' already: nothing to roll back",
            current.label.as_str()
        ));
    }
    Ok((current, target))
}
