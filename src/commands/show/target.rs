//! What a `NAME[@VERSION|#STAGE|@latest|@greatest]` target names: its grammar (GTO's
//! `shortcut_re`), and the one version it picks in a session.

use anyhow::Result;

use crate::commands::Session;
use crate::error::{UsageError, UserError};
use crate::registry::name::{ArtifactName, NameError, Stage};
use crate::registry::resolve::{self, StageOptions};
use crate::registry::state::Version;
use crate::registry::version::is_version;

pub(crate) enum Shortcut {
    None,
    Latest,
    Version(String),
    Stage(String),
}

/// Parses NAME or a shortcut (GTO's `shortcut_re`, reference §2).
pub(crate) fn parse_target(s: &str) -> Result<(ArtifactName, Shortcut)> {
    let bad = |e: NameError| anyhow::Error::from(UsageError(e.message));
    if let Some((name, rest)) = s.split_once('#') {
        let stage: Stage = rest.parse().map_err(bad)?;
        return Ok((
            name.parse().map_err(bad)?,
            Shortcut::Stage(stage.to_string()),
        ));
    }
    if let Some((name, rest)) = s.split_once('@') {
        let shortcut = match rest {
            "latest" | "greatest" => Shortcut::Latest,
            v if is_version(v) => Shortcut::Version(v.to_string()),
            other => {
                return Err(UsageError(format!(
                "'{other}' in '{s}' is not a version: use NAME@vX.Y.Z, NAME@latest or NAME#STAGE"
            ))
                .into())
            }
        };
        return Ok((name.parse().map_err(bad)?, shortcut));
    }
    Ok((s.parse().map_err(bad)?, Shortcut::None))
}

/// The version a NAME[@…|#…] target names: `@vX.Y.Z`, the holder of `#STAGE`, or the latest
/// (also for a bare NAME).
pub(crate) fn pick_version<'a>(
    session: &'a Session,
    name: &ArtifactName,
    shortcut: &Shortcut,
) -> Result<&'a Version> {
    let artifact = session.reg.artifact(name).ok_or_else(|| {
        UserError::new(format!("Cannot find artifact '{name}'"))
            .with_hint("`registry show` lists the registered artifacts")
    })?;
    let found = match shortcut {
        Shortcut::None | Shortcut::Latest => resolve::latest(artifact, true)
            .ok_or_else(|| UserError::new(format!("No versions found for '{name}'")))?,
        Shortcut::Version(v) => artifact
            .versions
            .iter()
            .rev()
            .find(|x| x.label.as_str() == v && x.is_registered())
            .ok_or_else(|| UserError::new(format!("Version '{v}' is not registered")))?,
        Shortcut::Stage(s) => resolve::stage_holders(artifact, s, StageOptions::default())
            .first()
            .map(|h| h.version)
            .ok_or_else(|| {
                UserError::new(format!("No version in stage '{s}' was found for '{name}'"))
            })?,
    };
    Ok(found)
}
