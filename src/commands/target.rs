//! A target's version in a session, for the commands that read one (`describe`, `verify`,
//! `diff`): the core picks it (`resolve::pick`), this file finds the artifact and words the
//! refusals as GTO does.

use anyhow::Result;

use crate::commands::Session;
use crate::error::UserError;
use crate::registry::name::ArtifactName;
use crate::registry::resolve::{self, PickError};
use crate::registry::spec::{LatestWord, Pick};
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
    let pick = pick.unwrap_or(&Pick::Latest(LatestWord::Latest));
    let found = resolve::pick(artifact, pick).map_err(|e| match e {
        PickError::NoVersions => UserError::new(format!("No versions found for '{name}'")),
        PickError::NotRegistered(v) => UserError::new(format!("Version '{v}' is not registered")),
        PickError::StageEmpty(s) => {
            UserError::new(format!("No version in stage '{s}' was found for '{name}'"))
        }
    })?;
    Ok(found)
}
