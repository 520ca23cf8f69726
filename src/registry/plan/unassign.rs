//! Planning `unassign`: which version gives the stage up, and the tag that says so (reference
//! §5.3, B6 fixed).

use super::{
    Change, Context, NewTag, Simple, find_artifact, find_named, message_or, unassign_deletion,
};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::resolve::{self, StageOptions};
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::VersionName;

/// `unassign` input; without a version, the version holding the stage.
#[derive(Debug, Clone)]
pub(crate) struct Unassign {
    pub artifact: ArtifactName,
    pub stage: Stage,
    pub version: Option<VersionName>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// The version an unassign or `--delete` is about.
pub(super) fn unassign_target<'a>(
    reg: &'a Registry,
    req: &Unassign,
) -> Result<&'a Version, PlanError> {
    let artifact = find_artifact(reg, &req.artifact)?;
    match &req.version {
        Some(v) => {
            find_named(artifact, v.as_str()).ok_or_else(|| PlanError::UnassignVersionNotFound {
                artifact: req.artifact.clone(),
            })
        }
        None => resolve::stage_holders(artifact, req.stage.as_str(), StageOptions::default())
            .first()
            .map(|h| h.version)
            .ok_or_else(|| PlanError::StageNotHeld {
                artifact: req.artifact.clone(),
                stage: req.stage.clone(),
            }),
    }
}

/// `unassign NAME STAGE [--delete]` (and GTO's `deprecate NAME VERSION STAGE [--delete]`): the
/// unassignment tag, or with `delete` the version's tags for the stage. One function, so the two
/// commands cannot drift apart.
pub(crate) fn unassign_change(
    reg: &Registry,
    ctx: &Context,
    req: &Unassign,
    delete: bool,
) -> Result<Change, PlanError> {
    Ok(if delete {
        Change::Delete(unassign_deletion(reg, req)?)
    } else {
        Change::Create(vec![unassign(reg, ctx, req)?])
    })
}

/// Plans an unassignment (reference §5.3; B6 fixed: the stage must be held now).
pub(crate) fn unassign(reg: &Registry, ctx: &Context, req: &Unassign) -> Result<NewTag, PlanError> {
    ctx.check_stage(&req.stage)?;
    let version = unassign_target(reg, req)?;
    let label = version.label.as_str();
    if !req.force
        && !version
            .vstage(&req.stage)
            .is_some_and(crate::registry::state::VStage::is_active)
    {
        return Err(PlanError::NotAssigned {
            stage: req.stage.clone(),
            version: label.to_string(),
        });
    }
    let name = ctx.tag_name(
        &req.artifact,
        TagAction::Unassign(req.stage.clone()),
        req.simple,
        false,
    )?;
    Ok(NewTag {
        name,
        commit: version.commit.clone(),
        message: message_or(req.message.as_deref(), || {
            format!(
                "Unassigning stage '{}' to artifact '{}' version '{label}'",
                req.stage, req.artifact
            )
        }),
        kind: EventKind::Unassignment,
        version: label.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::plan::registry_of;

    #[test]
    fn the_change_is_an_unassignment_tag_or_the_stage_tags_of_the_version() {
        let reg = registry_of(&[("m@v1.0.0", "c1", 1), ("m#prod#1", "c1", 2)]);
        let req = Unassign {
            artifact: "m".parse().unwrap(),
            stage: "prod".parse().unwrap(),
            version: None,
            force: false,
            simple: Simple::Auto,
            message: None,
        };
        let ctx = Context::default();
        match unassign_change(&reg, &ctx, &req, false).unwrap() {
            Change::Create(tags) => assert_eq!(tags, vec![unassign(&reg, &ctx, &req).unwrap()]),
            other @ Change::Delete(_) => panic!("{other:?}"),
        }
        match unassign_change(&reg, &ctx, &req, true).unwrap() {
            Change::Delete(tags) => assert_eq!(tags, vec!["m#prod#1"]),
            other @ Change::Create(_) => panic!("{other:?}"),
        }
    }
}
