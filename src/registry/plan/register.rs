//! Planning `register`: the next version, or the one asked for, at a commit (reference §5.1).

use super::{is_live, message_or, Context, NewTag, Simple};
use crate::error::{user, UserError};
use crate::registry::event::EventKind;
use crate::registry::name::ArtifactName;
use crate::registry::state::{Registry, Version};
use crate::registry::tag::TagAction;
use crate::registry::version::{Bump, VersionName};

/// `register` input.
#[derive(Debug, Clone)]
pub struct Register {
    pub artifact: ArtifactName,
    pub commit: String,
    pub version: Option<VersionName>,
    pub bumps: Vec<Bump>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// Plans a registration (reference §5.1, with B8 and B10 fixed).
pub fn register(reg: &Registry, ctx: &Context, req: &Register) -> Result<NewTag, UserError> {
    if req.bumps.len() + usize::from(req.version.is_some()) > 1 {
        return user("Need to specify either version or single bump argument");
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
            let err = UserError::new(format!(
                "'{}' is already registered in this commit with version '{}'",
                req.artifact,
                found.label.as_str()
            ));
            return Err(if req.force {
                err.with_hint(
                    "the version is active already; a second registration tag would add nothing",
                )
            } else {
                err.with_hint("register another commit, or deregister this version first")
            });
        }
        let found_name = found.label.as_str();
        if requested.as_ref().is_some_and(|r| r.as_str() != found_name) || !req.bumps.is_empty() {
            return user(format!("For this REF you can only register {found_name}"));
        }
        match found.label.semver() {
            Some(v) => v.clone(),
            None => return user(format!("For this REF you can only register {found_name}")),
        }
    } else if let Some(v) = requested {
        let taken = artifact.is_some_and(|a| {
            a.versions_named(v.as_str())
                .any(|other| !other.is_discovered() && other.commit != req.commit)
        });
        if taken {
            return Err(
                UserError::new(format!("Version '{v}' already was registered.\n")).with_hint(
                    "every version name is used once; pick a new one or let registry choose",
                ),
            );
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
            (None, Some(_)) => {
                return user("Can't apply bump, because this is the first version being registered")
            }
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
        message: message_or(&req.message, || {
            format!("Registering artifact {} version {version}", req.artifact)
        }),
        kind: EventKind::Registration,
        version: version.to_string(),
    })
}
