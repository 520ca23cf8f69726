//! The core's refusals: why a planned write cannot be made, as data. `Display` is the message
//! alone, in GTO's wording where GTO has one (reference §12), so scripts that match on it keep
//! working; the hints, and every command line a user could type, are the shell's to add
//! (`commands/refusal.rs`). The core names no command (GTO's own wording names a flag, `--force`,
//! and stays verbatim); its other reports (`oddity::Oddity`, `policy::Violation`) carry their
//! repair as data too.
//!
//! Deliberately not a `std::error::Error`: `?` cannot turn it into an `anyhow::Error` behind the
//! shell's back (which would print it as an unexpected error, without its hint). The shell's
//! `From` conversions are the only way out.

use std::fmt;

use super::name::{ArtifactName, Stage};
use super::time::Timestamp;
use super::version::VersionName;

/// Why a write was refused. Where two checks share a message but not a hint, they are two
/// variants, so the shell can tell them apart without parsing text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The chosen tag name is taken; `simple_form` when `--simple true` forced that form.
    TagExists { name: String, simple_form: bool },
    /// The stage is not in the config's allow-list (reference §7).
    StageNotAllowed { stage: Stage, allowed: Vec<String> },
    /// `register` with both `--version` and a bump, or two bumps.
    VersionAndBump,
    /// The commit already has an active version; `force` when `--force` was given.
    AlreadyRegistered {
        artifact: ArtifactName,
        version: String,
        force: bool,
    },
    /// The commit had a version once: only that one can be registered again.
    OnlyVersionAtRef { version: String },
    /// The version name is registered on another commit.
    VersionTaken { version: VersionName },
    /// A bump with nothing to bump from.
    FirstBump,
    /// `assign --version V`: no version V.
    VersionNotRegistered {
        artifact: ArtifactName,
        version: VersionName,
    },
    /// `assign REF --version V --skip-registration`.
    NameWithSkipRegistration,
    /// `assign REF --version V` where REF has another version.
    RegisteredAtRef {
        requested: VersionName,
        existing: String,
    },
    /// The version holds the stage already (no `--force`).
    AlreadyInStage { version: String, stage: Stage },
    /// No tags of this artifact.
    ArtifactNotFound { artifact: ArtifactName },
    /// `promote NAME STAGE` of an artifact with no tags.
    PromoteArtifactNotFound { artifact: ArtifactName },
    /// `promote NAME STAGE`: the artifact has no registered version to pick.
    NoVersionToPromote { artifact: ArtifactName },
    /// `deprecate NAME --delete` of an artifact with no tags (GTO gives no hint there).
    DeleteArtifactNotFound { artifact: ArtifactName },
    /// `unassign --version V`: no version V.
    UnassignVersionNotFound { artifact: ArtifactName },
    /// `unassign` without `--version`: nobody holds the stage.
    StageNotHeld {
        artifact: ArtifactName,
        stage: Stage,
    },
    /// `unassign --delete`: the version never had the stage.
    NeverAssigned { stage: Stage, version: String },
    /// `unassign`: the version does not hold the stage now (B6; `--force` overrides).
    NotAssigned { stage: Stage, version: String },
    /// `deregister`: no version V.
    DeregisterVersionNotFound {
        artifact: ArtifactName,
        version: VersionName,
    },
    /// `deregister` of a version that was never registered.
    NotRegisteredAtRef { commit: String },
    /// `deregister` of a version deregistered already.
    DeregisteredAlready { commit: String },
    /// `deprecate --force --simple true`.
    ForceWithSimple,
    /// `deprecate` of a deprecated artifact.
    AlreadyDeprecated,
    /// `deprecate --delete` of a deprecated artifact (`--force` overrides).
    DeleteAlreadyDeprecated,
    /// `deprecate` with no commit to put the tag on.
    NoCommits,
    /// `rollback` of a stage no version holds.
    NothingToRollBack {
        artifact: ArtifactName,
        stage: Stage,
    },
    /// `rollback --to V`: no version V.
    RollbackToUnknown { version: VersionName },
    /// `rollback --to V`: V was deregistered.
    RollbackToDeregistered { version: VersionName },
    /// `rollback` without `--to`: no earlier holder is still registered.
    NoEarlierHolder {
        artifact: ArtifactName,
        stage: Stage,
    },
    /// `rollback` to the version that holds the stage now.
    HoldsAlready { version: String, stage: Stage },
    /// The planned tag `tag` would change nothing: `by`, dated `by_time` (after `now`),
    /// outranks it, and `effect` says what stays (see `outranked.rs`).
    Outranked {
        tag: String,
        by: String,
        by_time: Timestamp,
        now: Timestamp,
        effect: String,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::TagExists { name, .. } => write!(f, "tag '{name}' already exists"),
            PlanError::StageNotAllowed { allowed, .. } => {
                let list: Vec<String> = allowed.iter().map(|s| format!("'{s}'")).collect();
                write!(f, "Allowed stages are: '[{}]'", list.join(", "))
            }
            PlanError::VersionAndBump => {
                f.write_str("Need to specify either version or single bump argument")
            }
            PlanError::AlreadyRegistered {
                artifact, version, ..
            } => write!(
                f,
                "'{artifact}' is already registered in this commit with version '{version}'"
            ),
            PlanError::OnlyVersionAtRef { version } => {
                write!(f, "For this REF you can only register {version}")
            }
            // GTO's message ends in a newline; scripts may match it whole.
            PlanError::VersionTaken { version } => {
                writeln!(f, "Version '{version}' already was registered.")
            }
            PlanError::FirstBump => {
                f.write_str("Can't apply bump, because this is the first version being registered")
            }
            PlanError::VersionNotRegistered { version, .. }
            | PlanError::RollbackToUnknown { version } => {
                write!(f, "Version '{version}' is not registered")
            }
            PlanError::NameWithSkipRegistration => {
                f.write_str("You either need to supply version name or skip registration")
            }
            PlanError::RegisteredAtRef {
                requested,
                existing,
            } => write!(
                f,
                "Can't register '{requested}', since '{existing}' is registered already at this ref"
            ),
            PlanError::AlreadyInStage { version, stage } => write!(
                f,
                "Version '{version}' is already in stage '{stage}'. Use the '--force' flag to create a new Git tag nevertheless."
            ),
            PlanError::ArtifactNotFound { artifact }
            | PlanError::PromoteArtifactNotFound { artifact }
            | PlanError::DeleteArtifactNotFound { artifact } => {
                write!(f, "Cannot find artifact '{artifact}'")
            }
            PlanError::UnassignVersionNotFound { artifact }
            | PlanError::NoVersionToPromote { artifact }
            | PlanError::DeregisterVersionNotFound { artifact, .. } => {
                write!(f, "No versions found for '{artifact}'")
            }
            PlanError::StageNotHeld { artifact, stage } => write!(
                f,
                "Stage '{stage}' is not assigned to any version of '{artifact}'"
            ),
            PlanError::NeverAssigned { stage, version }
            | PlanError::NotAssigned { stage, version } => {
                write!(
                    f,
                    "Stage '{stage}' is not assigned to a version '{version}'"
                )
            }
            PlanError::NotRegisteredAtRef { commit } => {
                write!(f, "The version at ref '{commit}' is not registered")
            }
            PlanError::DeregisteredAlready { commit } => {
                write!(f, "The version at ref '{commit}' was deregistered already")
            }
            PlanError::ForceWithSimple => f.write_str("Can't use 'force' with 'simple=True'"),
            PlanError::AlreadyDeprecated | PlanError::DeleteAlreadyDeprecated => {
                f.write_str("Artifact was deprecated already")
            }
            PlanError::NoCommits => f.write_str("the repository has no commits yet"),
            PlanError::NothingToRollBack { artifact, stage } => write!(
                f,
                "Stage '{stage}' of '{artifact}' is not held by any version: nothing to roll back"
            ),
            PlanError::RollbackToDeregistered { version } => write!(
                f,
                "Version '{version}' was deregistered; it cannot take a stage back"
            ),
            PlanError::NoEarlierHolder { artifact, stage } => write!(
                f,
                "no earlier version of '{artifact}' held '{stage}' and is still registered"
            ),
            PlanError::HoldsAlready { version, stage } => write!(
                f,
                "Version '{version}' holds '{stage}' already: nothing to roll back"
            ),
            PlanError::Outranked {
                tag,
                by,
                by_time,
                now,
                effect,
            } => write!(
                f,
                "the new tag '{tag}' would not take effect: '{by}' is dated {}, later than now ({}), so it outranks any tag written now and {effect}; nothing was written",
                by_time.iso(),
                now.iso(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_message_alone() {
        let e = PlanError::Outranked {
            tag: "m#prod#3".into(),
            by: "m#prod#2".into(),
            by_time: Timestamp::new(4_102_444_800, 0),
            now: Timestamp::new(0, 0),
            effect: "'prod' stays with v2".into(),
        };
        assert_eq!(
            e.to_string(),
            "the new tag 'm#prod#3' would not take effect: 'm#prod#2' is dated 2100-01-01T00:00:00+00:00, later than now (1970-01-01T00:00:00+00:00), so it outranks any tag written now and 'prod' stays with v2; nothing was written"
        );
        let e = PlanError::StageNotAllowed {
            stage: "qa".parse().unwrap(),
            allowed: vec!["dev".into(), "prod".into()],
        };
        assert_eq!(e.to_string(), "Allowed stages are: '['dev', 'prod']'");
    }
}
