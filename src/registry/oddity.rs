//! Oddities the registry reads around (a tag on no commit, `@created`, two versions on one
//! commit, one version on two commits): what is wrong, and its repair as data. Pure: the shell
//! words the repair (`commands/refusal.rs`), so the core spells out no command line.

use super::event::Warning;
use super::name::ArtifactName;

/// Something odd about one tag that the registry reads around: what is wrong (`message`), and
/// its repair as data; the shell words the repair (`commands/refusal.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Oddity {
    pub tag: String,
    pub message: String,
    pub repair: Repair,
}

/// How to repair an [`Oddity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Repair {
    /// Worded by whoever found it before the fold: the git layer's readers, or the shell for an
    /// unusable tag.
    Given(String),
    /// Several versions of `artifact` on one commit: keep one, deregister the others.
    KeepOneVersion { artifact: ArtifactName },
    /// `version` of `artifact` registered on several commits: delete the registration on the
    /// wrong one, and register that commit under a new version.
    DeleteWrongRegistration {
        artifact: ArtifactName,
        version: String,
    },
}

impl From<Warning> for Oddity {
    fn from(w: Warning) -> Oddity {
        Oddity {
            tag: w.tag,
            message: w.message,
            repair: Repair::Given(w.fix),
        }
    }
}
