//! Planning `deregister`: which version is withdrawn, and the tag that says so (reference §5.3).

use super::{Change, Context, NewTag, Simple, deregister_deletion, find_named, message_or};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::ArtifactName;
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::VersionName;

/// `deregister` input.
#[derive(Debug, Clone)]
pub(crate) struct Deregister {
    pub artifact: ArtifactName,
    pub version: VersionName,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// The version a deregistration or `--delete` is about.
pub(super) fn deregister_target<'a>(
    reg: &'a Registry,
    req: &Deregister,
) -> Result<&'a Version, PlanError> {
    reg.artifact(&req.artifact)
        .and_then(|a| find_named(a, req.version.as_str()))
        .ok_or_else(|| PlanError::DeregisterVersionNotFound {
            artifact: req.artifact.clone(),
            version: req.version.clone(),
        })
}

/// `deregister NAME VERSION [--delete]` (and GTO's `deprecate NAME VERSION [--delete]`): the
/// deregistration tag, or with `delete` every tag of the version. One function, so the two
/// commands cannot drift apart.
pub(crate) fn deregister_change(
    reg: &Registry,
    ctx: &Context,
    req: &Deregister,
    delete: bool,
) -> Result<Change, PlanError> {
    Ok(if delete {
        Change::Delete(deregister_deletion(reg, req)?)
    } else {
        Change::Create(vec![deregister(reg, ctx, req)?])
    })
}

/// Plans a deregistration (reference §5.3).
pub(crate) fn deregister(
    reg: &Registry,
    ctx: &Context,
    req: &Deregister,
) -> Result<NewTag, PlanError> {
    let version = deregister_target(reg, req)?;
    if !req.force {
        if !version.is_registered() {
            return Err(PlanError::NotRegisteredAtRef {
                commit: version.commit.clone(),
            });
        }
        if !version.is_active() {
            return Err(PlanError::DeregisteredAlready {
                commit: version.commit.clone(),
            });
        }
    }
    let name = ctx.tag_name(
        &req.artifact,
        TagAction::Deregister(req.version.clone()),
        req.simple,
        true,
    )?;
    Ok(NewTag {
        name,
        commit: version.commit.clone(),
        message: message_or(req.message.as_deref(), || {
            format!(
                "Deregistering artifact {} version {}",
                req.artifact, req.version
            )
        }),
        kind: EventKind::Deregistration,
        version: req.version.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::plan::registry_of;

    #[test]
    fn the_change_is_a_deregistration_tag_or_every_tag_of_the_version() {
        let reg = registry_of(&[("m@v1.0.0", "c1", 1), ("m#prod#1", "c1", 2)]);
        let req = Deregister {
            artifact: "m".parse().unwrap(),
            version: "v1.0.0".parse().unwrap(),
            force: false,
            simple: Simple::Auto,
            message: None,
        };
        let ctx = Context::default();
        match deregister_change(&reg, &ctx, &req, false).unwrap() {
            Change::Create(tags) => assert_eq!(tags, vec![deregister(&reg, &ctx, &req).unwrap()]),
            other @ Change::Delete(_) => panic!("{other:?}"),
        }
        match deregister_change(&reg, &ctx, &req, true).unwrap() {
            Change::Delete(tags) => assert_eq!(tags, vec!["m@v1.0.0", "m#prod#1"]),
            other @ Change::Create(_) => panic!("{other:?}"),
        }
    }
}
