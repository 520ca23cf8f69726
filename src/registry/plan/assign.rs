//! Planning `assign`: an optional auto-registration, then the stage tag (reference §5.2).

use super::{find_named, is_live, message_or, register, Context, NewTag, Register, Simple};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::VersionName;

/// Which version an assignment is about.
#[derive(Debug, Clone)]
pub(crate) enum AssignTarget {
    /// `--version vX.Y.Z` without REF: an existing version.
    Version(VersionName),
    /// A commit, with the name to register it under if it has no version yet.
    Commit {
        commit: String,
        name_version: Option<VersionName>,
        skip_registration: bool,
    },
}

/// `assign` input.
#[derive(Debug, Clone)]
pub(crate) struct Assign {
    pub artifact: ArtifactName,
    pub stage: Stage,
    pub target: AssignTarget,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// Plans an assignment: an optional auto-registration, then the assignment (reference §5.2).
pub(crate) fn assign(
    reg: &Registry,
    ctx: &Context,
    req: &Assign,
) -> Result<Vec<NewTag>, PlanError> {
    ctx.check_stage(&req.stage)?;
    let artifact = reg.artifact(&req.artifact);
    let mut tags = Vec::new();
    let (commit, version_label, holder): (String, String, Option<&Version>) = match &req.target {
        AssignTarget::Version(v) => {
            let found = artifact
                .and_then(|a| find_named(a, v.as_str()))
                .ok_or_else(|| PlanError::VersionNotRegistered {
                    artifact: req.artifact.clone(),
                    version: v.clone(),
                })?;
            (
                found.commit.clone(),
                found.label.as_str().to_string(),
                Some(found),
            )
        }
        AssignTarget::Commit {
            commit,
            name_version,
            skip_registration,
        } => {
            if name_version.is_some() && *skip_registration {
                return Err(PlanError::NameWithSkipRegistration);
            }
            let at_commit: Vec<&Version> = artifact
                .map(|a| a.explicit_versions_at(commit).collect())
                .unwrap_or_default();
            let found = at_commit
                .iter()
                .find(|v| is_live(v))
                .or_else(|| at_commit.last())
                .copied();
            match found {
                Some(found) => {
                    if let Some(nv) = name_version {
                        return Err(PlanError::RegisteredAtRef {
                            requested: nv.clone(),
                            existing: found.label.as_str().to_string(),
                        });
                    }
                    (
                        commit.clone(),
                        found.label.as_str().to_string(),
                        Some(found),
                    )
                }
                None if *skip_registration => {
                    let existing = artifact.and_then(|a| a.version_at(commit));
                    (commit.clone(), commit.clone(), existing)
                }
                None => {
                    // GTO registers the commit first, always in the simple form (reference §3.4).
                    let registration = register(
                        reg,
                        ctx,
                        &Register {
                            artifact: req.artifact.clone(),
                            commit: commit.clone(),
                            version: name_version.clone(),
                            bumps: Vec::new(),
                            force: false,
                            simple: Simple::Yes,
                            message: None,
                        },
                    )?;
                    let label = registration.version.clone();
                    tags.push(registration);
                    (commit.clone(), label, None)
                }
            }
        }
    };
    if !req.force {
        if let Some(v) = holder {
            if v.vstage(&req.stage)
                .is_some_and(super::super::state::VStage::is_active)
            {
                return Err(PlanError::AlreadyInStage {
                    version: v.label.as_str().to_string(),
                    stage: req.stage.clone(),
                });
            }
        }
    }
    let name = ctx.tag_name(
        &req.artifact,
        TagAction::Assign(req.stage.clone()),
        req.simple,
        false,
    )?;
    tags.push(NewTag {
        name,
        commit,
        message: message_or(req.message.as_deref(), || {
            format!(
                "Assigning stage {} to artifact {} version {version_label}",
                req.stage, req.artifact
            )
        }),
        kind: EventKind::Assignment,
        version: version_label,
    });
    Ok(tags)
}
