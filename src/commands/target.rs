//! The one version a target picks in a session (`describe`, `verify` and `diff` pick theirs
//! here too); the grammar itself is the core's (`registry::spec`).

use anyhow::Result;

use crate::commands::Session;
use crate::error::UserError;
use crate::registry::name::ArtifactName;
use crate::registry::resolve::{self, StageOptions};
use crate::registry::spec::Pick;
use crate::registry::state::Version;

/// The version a `NAME[@…|#…]` target names: `@vX.Y.Z`, the holder of `#STAGE`, or the latest
/// (also for a bare NAME).
pub(crate) fn pick_version<'a>(
    session: &'a Session,
    name: &ArtifactName,
    pick: Option<&Pick>,
) -> Result<&'a Version> {
    let artifact = session.reg.artifact(name).ok_or_else(|| {
        UserError::new(format!("Cannot find artifact '{name}'"))
            .with_hint("`registry show` lists the registered artifacts")
    })?;
    let found = match pick {
        None | Some(Pick::Latest) => resolve::latest(artifact, true)
            .ok_or_else(|| UserError::new(format!("No versions found for '{name}'")))?,
        Some(Pick::Version(v)) => artifact
            .versions
            .iter()
            .rev()
            .find(|x| x.label.as_str() == v.as_str() && x.is_registered())
            .ok_or_else(|| UserError::new(format!("Version '{v}' is not registered")))?,
        Some(Pick::Stage(s)) => {
            resolve::stage_holders(artifact, s.as_str(), StageOptions::default())
                .first()
                .map(|h| h.version)
                .ok_or_else(|| {
                    UserError::new(format!("No version in stage '{s}' was found for '{name}'"))
                })?
        }
    };
    Ok(found)
}
