//! Planning `register`: the next version, or the one asked for, at a commit (reference §5.1).

use super::{Context, NewTag, Simple, is_live, message_or};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::ArtifactName;
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::{Bump, VersionName};

/// `register` input.
#[derive(Debug, Clone)]
pub(crate) struct Register {
    pub artifact: ArtifactName,
    pub commit: String,
    pub version: Option<VersionName>,
    pub bumps: Vec<Bump>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// Plans a registration (reference §5.1, with B8 and B10 fixed).
pub(crate) fn register(reg: &Registry, ctx: &Context, req: &Register) -> Result<NewTag, PlanError> {
    if req.bumps.len() + usize::from(req.version.is_some()) > 1 {
        return Err(PlanError::VersionAndBump);
    }
    let artifact = reg.artifact(&req.artifact);
    let requested = req.version.clone();
    let at_commit: Vec<&Version> = artifact
        .map(|a| a.explicit_versions_at(&req.commit).collect())
        .unwrap_or_default();
    let existing = at_commit
        .iter()
        .find(|v| is_live(v))
        .or_else(|| at_commit.last())
        .copied();
    let version = if let Some(found) = existing {
        if is_live(found) {
            // GTO §14 B8: with --force GTO writes a second registration of the same version and
            // `show NAME` breaks afterwards. There is nothing to add, so refuse even with --force.
            return Err(PlanError::AlreadyRegistered {
                artifact: req.artifact.clone(),
                version: found.label.as_str().to_string(),
                force: req.force,
            });
        }
        let found_name = found.label.as_str();
        if requested.as_ref().is_some_and(|r| r.as_str() != found_name) || !req.bumps.is_empty() {
            return Err(PlanError::OnlyVersionAtRef {
                version: found_name.to_string(),
            });
        }
        match found.label.semver() {
            Some(v) => v.clone(),
            None => {
                return Err(PlanError::OnlyVersionAtRef {
                    version: found_name.to_string(),
                });
            }
        }
    } else if let Some(v) = requested {
        let taken = artifact.is_some_and(|a| {
            a.versions_named(v.as_str())
                .any(|other| !other.is_discovered() && other.commit != req.commit)
        });
        if taken {
            return Err(PlanError::VersionTaken { version: v });
        }
        v
    } else {
        // GTO §14 B10: GTO bumps from the highest *active* version and so can re-issue a name
        // that was deregistered. We bump from the highest version ever registered.
        let highest = artifact.and_then(|a| {
            a.versions
                .iter()
                .filter(|v| v.is_registered())
                .filter_map(|v| v.label.semver())
                .max_by(|x, y| x.precedence(y))
        });
        match (highest, req.bumps.first()) {
            (Some(h), bump) => h.bump(bump.copied().unwrap_or(Bump::Patch)),
            (None, Some(_)) => return Err(PlanError::FirstBump),
            (None, None) => VersionName::minimal(),
        }
    };
    let name = ctx.tag_name(
        &req.artifact,
        TagAction::Register(version.clone()),
        req.simple,
        true,
    )?;
    Ok(NewTag {
        name,
        commit: req.commit.clone(),
        message: message_or(req.message.as_deref(), || {
            format!("Registering artifact {} version {version}", req.artifact)
        }),
        kind: EventKind::Registration,
        version: version.to_string(),
    })
}
