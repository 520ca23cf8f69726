//! Planning `deregister`: which version is withdrawn, and the tag that says so (reference §5.3).

use super::{find_named, message_or, Context, NewTag, Simple};
use crate::error::{user, UserError};
use crate::registry::event::EventKind;
use crate::registry::name::ArtifactName;
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::VersionName;

/// `deregister` input.
#[derive(Debug, Clone)]
pub struct Deregister {
    pub artifact: ArtifactName,
    pub version: VersionName,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// The version a deregistration or `--delete` is about.
pub fn deregister_target<'a>(
    reg: &'a Registry,
    req: &Deregister,
) -> Result<&'a Version, UserError> {
    reg.artifact(&req.artifact)
        .and_then(|a| find_named(a, req.version.as_str()))
        .ok_or_else(|| {
            UserError::new(format!("No versions found for '{}'", req.artifact)).with_hint(format!(
                "version {} of '{}' was never registered",
                req.version, req.artifact
            ))
        })
}

/// Plans a deregistration (reference §5.3).
pub fn deregister(reg: &Registry, ctx: &Context, req: &Deregister) -> Result<NewTag, UserError> {
    let version = deregister_target(reg, req)?;
    if !req.force {
        if !version.is_registered() {
            return user(format!(
                "The version at ref '{}' is not registered",
                version.commit
            ));
        }
        if !version.is_active() {
            return user(format!(
                "The version at ref '{}' was deregistered already",
                version.commit
            ));
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
        message: message_or(&req.message, || {
            format!(
                "Deregistering artifact {} version {}",
                req.artifact, req.version
            )
        }),
        kind: EventKind::Deregistration,
        version: req.version.to_string(),
    })
}
