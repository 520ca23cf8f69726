//! Planning `assign`: an optional auto-registration, then the stage tag (reference §5.2).

use super::{Context, NewTag, Register, Simple, find_named, is_live, message_or, register};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::resolve;
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::VersionName;

/// Which version an assignment is about.
#[derive(Debug, Clone)]
pub(crate) enum AssignTarget {
    /// `--version vX.Y.Z` without REF: an existing version.
    Version(VersionName),
    /// `promote NAME STAGE`: the latest registered version, which the plan picks (and names in
    /// [`AssignPlan::latest`]).
    Latest,
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

/// A planned assignment: the tags (an optional registration, then the stage tag), and for
/// [`AssignTarget::Latest`] the version the plan picked, so the shell can say which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssignPlan {
    pub tags: Vec<NewTag>,
    pub latest: Option<VersionName>,
}

/// The target once `Latest` is settled: an existing version by name, or a commit.
enum Resolved<'a> {
    Named(VersionName),
    Commit {
        commit: &'a String,
        name_version: &'a Option<VersionName>,
        skip_registration: bool,
    },
}

/// The latest registered version of an artifact, for `promote NAME STAGE`.
fn latest_registered(reg: &Registry, artifact: &ArtifactName) -> Result<VersionName, PlanError> {
    let found = reg
        .artifact(artifact)
        .ok_or_else(|| PlanError::PromoteArtifactNotFound {
            artifact: artifact.clone(),
        })?;
    // Registered only, so the latest is named by a version.
    resolve::latest(found, true)
        .and_then(|v| v.label.semver())
        .cloned()
        .ok_or_else(|| PlanError::NoVersionToPromote {
            artifact: artifact.clone(),
        })
}

/// Plans an assignment: its tags alone (see [`assign_plan`]).
pub(crate) fn assign(
    reg: &Registry,
    ctx: &Context,
    req: &Assign,
) -> Result<Vec<NewTag>, PlanError> {
    assign_plan(reg, ctx, req).map(|p| p.tags)
}

/// Plans an assignment: an optional auto-registration, then the assignment (reference §5.2).
pub(crate) fn assign_plan(
    reg: &Registry,
    ctx: &Context,
    req: &Assign,
) -> Result<AssignPlan, PlanError> {
    // `Latest` is picked before any other check: "no such artifact" or "no versions" comes
    // first, as it always did for `promote NAME STAGE`.
    let mut latest = None;
    let target = match &req.target {
        AssignTarget::Version(v) => Resolved::Named(v.clone()),
        AssignTarget::Latest => {
            let chosen = latest_registered(reg, &req.artifact)?;
            latest = Some(chosen.clone());
            Resolved::Named(chosen)
        }
        AssignTarget::Commit {
            commit,
            name_version,
            skip_registration,
        } => Resolved::Commit {
            commit,
            name_version,
            skip_registration: *skip_registration,
        },
    };
    ctx.check_stage(&req.stage)?;
    let artifact = reg.artifact(&req.artifact);
    let mut tags = Vec::new();
    let (commit, version_label, holder): (String, String, Option<&Version>) = match target {
        Resolved::Named(v) => {
            let v = &v;
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
        Resolved::Commit {
            commit,
            name_version,
            skip_registration,
        } => {
            if name_version.is_some() && skip_registration {
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
                None if skip_registration => {
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
    if !req.force
        && let Some(v) = holder
        && v.vstage(&req.stage)
            .is_some_and(crate::registry::state::VStage::is_active)
    {
        return Err(PlanError::AlreadyInStage {
            version: v.label.as_str().to_string(),
            stage: req.stage.clone(),
        });
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
    Ok(AssignPlan { tags, latest })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::plan::registry_of as reg;

    fn req(artifact: &str, target: AssignTarget) -> Assign {
        Assign {
            artifact: artifact.parse().unwrap(),
            stage: "prod".parse().unwrap(),
            target,
            force: false,
            simple: Simple::Auto,
            message: None,
        }
    }

    fn latest_of(reg: &Registry, ctx: &Context, artifact: &str) -> Result<AssignPlan, PlanError> {
        assign_plan(reg, ctx, &req(artifact, AssignTarget::Latest))
    }

    #[test]
    fn latest_is_the_highest_registered_version_and_the_plan_names_it() {
        let r = reg(&[
            ("m@v1.0.0", "c1", 1),
            ("m@v1.1.0", "c2", 2),
            ("m#dev#1", "c3", 3),
        ]);
        let planned = latest_of(&r, &Context::default(), "m").unwrap();
        assert_eq!(
            planned.latest.as_ref().map(VersionName::as_str),
            Some("v1.1.0")
        );
        let tags: Vec<(&str, &str)> = planned
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.version.as_str()))
            .collect();
        assert_eq!(tags, vec![("m#prod#1", "v1.1.0")]);
        // Other targets pick nothing.
        let v1 = AssignTarget::Version("v1.0.0".parse().unwrap());
        let planned = assign_plan(&r, &Context::default(), &req("m", v1)).unwrap();
        assert_eq!(planned.latest, None);
    }

    #[test]
    fn no_artifact_or_no_registered_version_is_refused_before_the_stage_check() {
        // Only a commit-named version (an assignment without registration): nothing to pick.
        let r = reg(&[("m#dev#1", "c1", 1)]);
        let limited = Context {
            allowed_stages: Some(vec!["dev".into()]),
            ..Context::default()
        };
        assert_eq!(
            latest_of(&r, &limited, "nope"),
            Err(PlanError::PromoteArtifactNotFound {
                artifact: "nope".parse().unwrap()
            })
        );
        assert_eq!(
            latest_of(&r, &limited, "m"),
            Err(PlanError::NoVersionToPromote {
                artifact: "m".parse().unwrap()
            })
        );
    }
}
