//! Planning writes: which tag a command creates (name, commit, message), with GTO's checks and
//! messages (reference §3.3–3.4, §5.1–5.3, §12). Pure: the command applies the plan afterwards,
//! and `--dry-run` just prints it.
//!
//! Deliberate differences (README "Differences from GTO"): auto-bump never re-issues a version
//! that was ever registered (B10); `register --force` never writes a second registration of an
//! active version (B8); `unassign` refuses a stage the version does not hold (B6); in `auto` mode
//! a second tag of the same kind takes the counter form instead of failing with "tag exists".

use std::collections::HashSet;

use super::event::EventKind;
use super::name::{ArtifactName, Stage};
use super::resolve::{self, StageOptions};
use super::state::{Artifact, Registry, Version};
use super::tag::{TagAction, TagName};
use super::version::{Bump, VersionName};
use crate::error::{user, UserError};

/// `--simple auto|true|false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Simple {
    #[default]
    Auto,
    Yes,
    No,
}

/// A tag a command will create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTag {
    pub name: String,
    pub commit: String,
    pub message: String,
    pub kind: EventKind,
    /// The version this tag is about, as output names it (`v1.2.0` or a commit id).
    pub version: String,
}

/// What the planner needs to know besides the state: every tag name in the repository
/// (lightweight ones too: counters and name clashes count them, reference §3.3) and the
/// allowed stages from config.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub tag_names: HashSet<String>,
    pub allowed_stages: Option<Vec<String>>,
}

impl Context {
    /// `1 + max(counter)` over the artifact's tags that carry one, or 1 (reference §3.3).
    pub fn next_counter(&self, artifact: &ArtifactName) -> u64 {
        self.tag_names
            .iter()
            .filter_map(|n| TagName::parse(n))
            .filter(|t| &t.artifact == artifact)
            .filter_map(|t| t.counter)
            .max()
            .map_or(1, |n| n.saturating_add(1))
    }

    /// Picks the tag name: simple or counter form. `auto` takes `auto_simple`, but falls back to
    /// the counter form when the simple name is taken (a re-registration, say).
    fn tag_name(
        &self,
        artifact: &ArtifactName,
        action: TagAction,
        simple: Simple,
        auto_simple: bool,
    ) -> Result<String, UserError> {
        let simple_tag = TagName {
            artifact: artifact.clone(),
            action: action.clone(),
            counter: None,
        }
        .format();
        let use_simple = match simple {
            Simple::Yes => true,
            Simple::No => false,
            Simple::Auto => auto_simple && !self.tag_names.contains(&simple_tag),
        };
        let name = if use_simple {
            simple_tag
        } else {
            TagName {
                artifact: artifact.clone(),
                action,
                counter: Some(self.next_counter(artifact)),
            }
            .format()
        };
        if self.tag_names.contains(&name) {
            let err = UserError::new(format!("tag '{name}' already exists"));
            return Err(if use_simple {
                err.with_hint(format!(
                    "leave out `--simple true` to write the counter form ({name}#N)"
                ))
            } else {
                err
            });
        }
        Ok(name)
    }

    /// GTO's allow-list check (reference §7): `Allowed stages are: '['dev', 'prod']'`.
    pub fn check_stage(&self, stage: &Stage) -> Result<(), UserError> {
        match &self.allowed_stages {
            Some(allowed) if !allowed.iter().any(|s| s == stage.as_str()) => {
                let list: Vec<String> = allowed.iter().map(|s| format!("'{s}'")).collect();
                Err(UserError::new(format!("Allowed stages are: '[{}]'", list.join(", ")))
                    .with_hint(format!(
                        "stage '{stage}' is not in the `stages` list of the config (.gto or .registry.yaml)"
                    )))
            }
            _ => Ok(()),
        }
    }
}

/// GTO's `message or default`: an empty `-m` means the default message.
fn message_or(custom: &Option<String>, default: impl FnOnce() -> String) -> String {
    match custom {
        Some(m) if !m.trim().is_empty() => m.clone(),
        _ => default(),
    }
}

/// `register` input.
#[derive(Debug, Clone)]
pub struct Register {
    pub artifact: ArtifactName,
    pub commit: String,
    pub version: Option<String>,
    pub bumps: Vec<Bump>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// A version whose registration is still in force.
fn is_live(v: &Version) -> bool {
    v.is_registered() && v.is_active()
}

/// Plans a registration (reference §5.1, with B8 and B10 fixed).
pub fn register(reg: &Registry, ctx: &Context, req: &Register) -> Result<NewTag, UserError> {
    if req.bumps.len() + usize::from(req.version.is_some()) > 1 {
        return user("Need to specify either version or single bump argument");
    }
    let artifact = reg.artifact(&req.artifact);
    let requested = match &req.version {
        Some(v) => Some(v.parse::<VersionName>().map_err(|_| {
            UserError::new(format!("Supplied version '{v}' cannot be parsed"))
                .with_hint("versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5")
        })?),
        None => None,
    };
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

/// Which version an assignment is about.
#[derive(Debug, Clone)]
pub enum AssignTarget {
    /// `--version vX.Y.Z` without REF: an existing version.
    Version(String),
    /// A commit, with the name to register it under if it has no version yet.
    Commit {
        commit: String,
        name_version: Option<String>,
        skip_registration: bool,
    },
}

/// `assign` input.
#[derive(Debug, Clone)]
pub struct Assign {
    pub artifact: ArtifactName,
    pub stage: Stage,
    pub target: AssignTarget,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// GTO's message for a version argument that is not a version.
pub fn parse_version_arg(v: &str) -> Result<VersionName, UserError> {
    v.parse::<VersionName>().map_err(|_| {
        UserError::new(format!(
            "Version '{v}' is not valid. Example of valid version: 'v1.0.0'"
        ))
    })
}

/// The one version with this name; with several (hand-made) the live one, else the last.
fn find_named<'a>(artifact: &'a Artifact, name: &str) -> Option<&'a Version> {
    let named: Vec<&Version> = artifact
        .versions
        .iter()
        .filter(|v| v.label.as_str() == name && !v.is_discovered())
        .collect();
    named
        .iter()
        .rev()
        .find(|v| is_live(v))
        .or_else(|| named.last())
        .copied()
}

/// Plans an assignment: an optional auto-registration, then the assignment (reference §5.2).
pub fn assign(reg: &Registry, ctx: &Context, req: &Assign) -> Result<Vec<NewTag>, UserError> {
    ctx.check_stage(&req.stage)?;
    let artifact = reg.artifact(&req.artifact);
    let mut tags = Vec::new();
    let (commit, version_label, holder): (String, String, Option<&Version>) = match &req.target {
        AssignTarget::Version(v) => {
            parse_version_arg(v)?;
            let found = artifact.and_then(|a| find_named(a, v)).ok_or_else(|| {
                UserError::new(format!("Version '{v}' is not registered")).with_hint(format!(
                    "`registry show {}` lists its versions",
                    req.artifact
                ))
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
            if let Some(nv) = name_version {
                parse_version_arg(nv)?;
                if *skip_registration {
                    return user("You either need to supply version name or skip registration");
                }
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
                        return user(format!(
                            "Can't register '{nv}', since '{}' is registered already at this ref",
                            found.label.as_str()
                        ));
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
            if v.vstage(&req.stage).is_some_and(|s| s.is_active()) {
                return Err(UserError::new(format!(
                    "Version '{}' is already in stage '{}'. Use the '--force' flag to create a new Git tag nevertheless.",
                    v.label.as_str(),
                    req.stage
                )));
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
        message: message_or(&req.message, || {
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

/// `unassign` input; without a version, the version holding the stage.
#[derive(Debug, Clone)]
pub struct Unassign {
    pub artifact: ArtifactName,
    pub stage: Stage,
    pub version: Option<String>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

fn find_artifact<'a>(reg: &'a Registry, name: &ArtifactName) -> Result<&'a Artifact, UserError> {
    reg.artifact(name).ok_or_else(|| {
        UserError::new(format!("Cannot find artifact '{name}'"))
            .with_hint("`registry show` lists the artifacts in this repository")
    })
}

/// The version an unassign or `--delete` is about.
pub fn unassign_target<'a>(reg: &'a Registry, req: &Unassign) -> Result<&'a Version, UserError> {
    let artifact = find_artifact(reg, &req.artifact)?;
    match &req.version {
        Some(v) => {
            parse_version_arg(v)?;
            find_named(artifact, v)
                .ok_or_else(|| UserError::new(format!("No versions found for '{}'", req.artifact)))
        }
        None => resolve::stage_holders(artifact, req.stage.as_str(), StageOptions::default())
            .first()
            .map(|h| h.version)
            .ok_or_else(|| {
                UserError::new(format!(
                    "Stage '{}' is not assigned to any version of '{}'",
                    req.stage, req.artifact
                ))
            }),
    }
}

/// GTO's check before `--delete`: the stage was assigned to the version at some point.
pub fn check_ever_assigned(version: &Version, stage: &Stage) -> Result<(), UserError> {
    if version.vstage(stage).is_none() {
        return user(format!(
            "Stage '{stage}' is not assigned to a version '{}'",
            version.label.as_str()
        ));
    }
    Ok(())
}

/// Plans an unassignment (reference §5.3; B6 fixed: the stage must be held now).
pub fn unassign(reg: &Registry, ctx: &Context, req: &Unassign) -> Result<NewTag, UserError> {
    ctx.check_stage(&req.stage)?;
    let version = unassign_target(reg, req)?;
    let label = version.label.as_str();
    if !req.force && !version.vstage(&req.stage).is_some_and(|s| s.is_active()) {
        return Err(UserError::new(format!(
            "Stage '{}' is not assigned to a version '{label}'",
            req.stage
        ))
        .with_hint("use --force to write the unassignment tag anyway"));
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
        message: message_or(&req.message, || {
            format!(
                "Unassigning stage '{}' to artifact '{}' version '{label}'",
                req.stage, req.artifact
            )
        }),
        kind: EventKind::Unassignment,
        version: label.to_string(),
    })
}

/// `deregister` input.
#[derive(Debug, Clone)]
pub struct Deregister {
    pub artifact: ArtifactName,
    pub version: String,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// The version a deregistration or `--delete` is about.
pub fn deregister_target<'a>(
    reg: &'a Registry,
    req: &Deregister,
) -> Result<&'a Version, UserError> {
    parse_version_arg(&req.version)?;
    reg.artifact(&req.artifact)
        .and_then(|a| find_named(a, &req.version))
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
    let name_version = parse_version_arg(&req.version)?;
    let name = ctx.tag_name(
        &req.artifact,
        TagAction::Deregister(name_version),
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
        version: req.version.clone(),
    })
}

/// `deprecate NAME` input.
#[derive(Debug, Clone)]
pub struct Deprecate {
    pub artifact: ArtifactName,
    /// `--ref`, resolved; else the commit of the artifact's newest event, else HEAD.
    pub commit: Option<String>,
    pub head: Option<String>,
    pub force: bool,
    pub simple: Simple,
    pub message: Option<String>,
}

/// Plans a deprecation (reference §5.3, §3.6).
pub fn deprecate(reg: &Registry, ctx: &Context, req: &Deprecate) -> Result<NewTag, UserError> {
    let simple = if req.force {
        if req.simple == Simple::Yes {
            return user("Can't use 'force' with 'simple=True'");
        }
        Simple::No
    } else {
        let artifact = find_artifact(reg, &req.artifact)?;
        if !artifact.is_active() {
            return user("Artifact was deprecated already");
        }
        req.simple
    };
    // GTO §3.6: the commit of the artifact's newest event.
    let newest_commit = reg
        .artifact(&req.artifact)
        .and_then(|a| super::state::newest(a.all_events()))
        .map(|e| e.commit.clone());
    let commit = req
        .commit
        .clone()
        .or(newest_commit)
        .or_else(|| req.head.clone())
        .ok_or_else(|| UserError::new("the repository has no commits yet"))?;
    let name = ctx.tag_name(&req.artifact, TagAction::Deprecate, simple, true)?;
    Ok(NewTag {
        name,
        commit,
        message: message_or(&req.message, || {
            format!("Deprecating artifact '{}'", req.artifact)
        }),
        kind: EventKind::Deprecation,
        version: String::new(),
    })
}

/// Tags `--delete` removes, oldest first, each once.
pub fn distinct_tags<'a>(events: impl Iterator<Item = &'a super::event::Event>) -> Vec<String> {
    let mut events: Vec<&super::event::Event> = events.collect();
    events.sort_by_key(|e| e.time.seconds);
    let mut seen = HashSet::new();
    events
        .into_iter()
        .filter(|e| seen.insert(e.tag.clone()))
        .map(|e| e.tag.clone())
        .collect()
}

/// Which version a rollback of `stage` goes back to: `to` if given, else the version that held
/// the stage before the current holder (the newest assignment of the stage to another version
/// that is still active). Returns (current holder, target).
pub fn rollback_target<'a>(
    reg: &'a Registry,
    artifact: &ArtifactName,
    stage: &Stage,
    to: Option<&str>,
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
            parse_version_arg(v)?;
            let found = find_named(a, v)
                .ok_or_else(|| UserError::new(format!("Version '{v}' is not registered")))?;
            if !is_live(found) {
                return user(format!(
                    "Version '{v}' was deregistered; it cannot take a stage back"
                ));
            }
            found
        }
        None => {
            let mut previous: Vec<(&super::event::Event, &Version)> = a
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
