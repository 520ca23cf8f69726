//! Planning `deprecate NAME`: the deprecation tag and the commit it goes on (reference §5.3,
//! §3.6).

use super::{Context, NewTag, Simple, find_artifact, message_or};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::ArtifactName;
use crate::registry::state::Registry;
use crate::registry::tag::TagAction;

/// `deprecate NAME` input.
#[derive(Debug, Clone)]
pub(crate) struct Deprecate {
    pub artifact: ArtifactName,
    /// `--ref`, resolved; else the commit of the artifact's newest event, else HEAD.
    pub commit: Option<String>,
    pub head: Option<String>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// Plans a deprecation (reference §5.3, §3.6).
pub(crate) fn deprecate(
    reg: &Registry,
    ctx: &Context,
    req: &Deprecate,
) -> Result<NewTag, PlanError> {
    let simple = if req.force {
        if req.simple == Simple::Yes {
            return Err(PlanError::ForceWithSimple);
        }
        Simple::No
    } else {
        let artifact = find_artifact(reg, &req.artifact)?;
        if !artifact.is_active() {
            return Err(PlanError::AlreadyDeprecated);
        }
        req.simple
    };
    // GTO §3.6: the commit of the artifact's newest event.
    let newest_commit = reg
        .artifact(&req.artifact)
        .and_then(|a| crate::registry::state::newest(a.all_events()))
        .map(|e| e.commit.clone());
    let commit = req
        .commit
        .clone()
        .or(newest_commit)
        .or_else(|| req.head.clone())
        .ok_or(PlanError::NoCommits)?;
    let name = ctx.tag_name(&req.artifact, TagAction::Deprecate, simple, true)?;
    Ok(NewTag {
        name,
        commit,
        message: message_or(req.message.as_deref(), || {
            format!("Deprecating artifact '{}'", req.artifact)
        }),
        kind: EventKind::Deprecation,
        version: String::new(),
    })
}
