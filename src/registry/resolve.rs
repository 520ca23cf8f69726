//! Reading the state: version lists, "latest", which version is in each stage
//! (reference §4.2–4.4), with the options `--ro`, `--av`, `--vs`, `--sort`, and which version a
//! typed target picks (`NAME@vX.Y.Z`, `NAME@latest`, `NAME#STAGE`).
//!
//! Sorting follows GTO's code: a stable ascending sort, then a reversal, so ties come out exactly
//! as GTO's do (reference §4.3: at equal seconds the lower/older version comes first).
//! Deliberate differences: `--av N` keeps the N *newest* stages (GTO §14 B4).

use super::name::Stage;
use super::spec::Pick;
use super::state::{Artifact, Registry, VStage, Version};
use super::version::VersionName;

/// How versions are ordered for stage resolution (`--sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Sort {
    /// By the time of the assignment (GTO's CLI default).
    #[default]
    Timestamp,
    /// By SemVer precedence.
    Semver,
}

/// Options of stage resolution, GTO's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StageOptions {
    /// `--ro`: only registered versions take part.
    pub registered_only: bool,
    /// `--av`: stages kept per version; -1 = all.
    pub assignments_per_version: i64,
    /// `--vs`: versions kept per stage; -1 = all.
    pub versions_per_stage: i64,
    pub sort: Sort,
}

impl Default for StageOptions {
    fn default() -> Self {
        StageOptions {
            registered_only: false,
            assignments_per_version: -1,
            versions_per_stage: 1,
            sort: Sort::Timestamp,
        }
    }
}

/// Which versions a listing keeps (GTO's `get_versions` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionFilter {
    pub active_only: bool,
    /// Keep versions that were never registered (named by their commit).
    pub include_non_explicit: bool,
    /// Keep versions known only from stage tags.
    pub include_discovered: bool,
}

fn keep(v: &Version, f: VersionFilter) -> bool {
    !f.active_only
        || (v.is_active()
            && ((v.is_registered() && !v.is_discovered())
                || (f.include_discovered && v.is_discovered())
                || (f.include_non_explicit && !v.is_registered())))
}

/// GTO's `sort_versions`: SemVer names by precedence, then commit-named ones by name, both
/// descending; or all by creation time, newest first.
pub(crate) fn sort_versions(mut versions: Vec<&Version>, sort: Sort) -> Vec<&Version> {
    match sort {
        Sort::Semver => {
            let (mut semver, mut other): (Vec<&Version>, Vec<&Version>) = versions
                .into_iter()
                .partition(|v| v.label.semver().is_some());
            semver.sort_by(|a, b| match (a.label.semver(), b.label.semver()) {
                (Some(x), Some(y)) => x.precedence(y),
                _ => std::cmp::Ordering::Equal,
            });
            semver.reverse();
            other.sort_by(|a, b| a.label.as_str().cmp(b.label.as_str()));
            other.reverse();
            semver.extend(other);
            semver
        }
        Sort::Timestamp => {
            versions.sort_by_key(|v| v.created_seconds());
            versions.reverse();
            versions
        }
    }
}

/// The versions of an artifact that pass the filter, in `sort` order.
pub(crate) fn versions(artifact: &Artifact, filter: VersionFilter, sort: Sort) -> Vec<&Version> {
    let kept = artifact
        .versions
        .iter()
        .filter(|v| keep(v, filter))
        .collect();
    sort_versions(kept, sort)
}

/// The highest active version by SemVer; `registered_only` leaves out commit-named ones
/// (the registry table's "latest" column uses `true`).
pub(crate) fn latest(artifact: &Artifact, registered_only: bool) -> Option<&Version> {
    let filter = VersionFilter {
        active_only: true,
        include_non_explicit: !registered_only,
        include_discovered: false,
    };
    versions(artifact, filter, Sort::Semver).into_iter().next()
}

/// One stage held by one version, as resolution returns it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Holder<'a> {
    pub version: &'a Version,
    pub vstage: &'a VStage,
}

/// Which versions are in each stage (GTO's `get_vstages`), stages in the order first met.
pub(crate) fn stages<'a>(
    artifact: &'a Artifact,
    opts: StageOptions,
) -> Vec<(String, Vec<Holder<'a>>)> {
    let candidates = versions(
        artifact,
        VersionFilter {
            active_only: true,
            include_non_explicit: !opts.registered_only,
            include_discovered: false,
        },
        opts.sort,
    );
    let mut picked: Vec<Holder<'a>> = Vec::new();
    for version in candidates {
        let active = version.active_vstages_ascending();
        let take = if opts.assignments_per_version > -1 {
            // GTO §14 B4: GTO keeps the *oldest* N; the documented Kanban meaning is the newest N.
            let n = usize::try_from(opts.assignments_per_version).unwrap_or(usize::MAX);
            &active[active.len().saturating_sub(n)..]
        } else {
            &active[..]
        };
        picked.extend(take.iter().map(|vstage| Holder { version, vstage }));
    }
    if opts.sort == Sort::Timestamp {
        picked.sort_by_key(|h| h.vstage.created_seconds());
        picked.reverse();
    }
    let mut out: Vec<(String, Vec<Holder<'a>>)> = Vec::new();
    for holder in picked {
        let stage = holder.vstage.stage.as_str();
        let slot = if let Some(i) = out.iter().position(|(s, _)| s == stage) {
            i
        } else {
            out.push((stage.to_string(), Vec::new()));
            out.len() - 1
        };
        let holders = &mut out[slot].1;
        let full = opts.versions_per_stage > -1
            && i64::try_from(holders.len()).unwrap_or(i64::MAX) >= opts.versions_per_stage;
        if !full
            && !holders
                .iter()
                .any(|h| h.version.label.as_str() == holder.version.label.as_str())
        {
            holders.push(holder);
        }
    }
    out
}

/// The holders of one stage (empty when nobody holds it).
pub(crate) fn stage_holders<'a>(
    artifact: &'a Artifact,
    stage: &str,
    opts: StageOptions,
) -> Vec<Holder<'a>> {
    stages(artifact, opts)
        .into_iter()
        .find(|(s, _)| s == stage)
        .map(|(_, h)| h)
        .unwrap_or_default()
}

/// Stages in use: sorted names of stages an active version holds, over all artifacts
/// (GTO's `unique_stages`, which is "currently active", reference §4.4).
pub(crate) fn used_stages(reg: &Registry) -> Vec<String> {
    let opts = StageOptions {
        sort: Sort::Semver,
        ..StageOptions::default()
    };
    let mut names: Vec<String> = reg
        .artifacts
        .iter()
        .flat_map(|a| stages(a, opts).into_iter().map(|(s, _)| s))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Why a target picks no version; the shell words it (GTO's messages, reference §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PickError {
    /// `@latest` or `@greatest`: no active registered version.
    NoVersions,
    /// `@vX.Y.Z`: no version of that name was ever registered.
    NotRegistered(VersionName),
    /// `#STAGE`: no version holds the stage.
    StageEmpty(Stage),
}

/// The one version a target picks, for the commands that read one version (`describe`,
/// `verify`, `diff`): the latest (registered only), the version of that name (by
/// [`last_registered_named`]), or the holder of the stage under GTO's default resolution.
pub(crate) fn pick<'a>(artifact: &'a Artifact, pick: &Pick) -> Result<&'a Version, PickError> {
    match pick {
        Pick::Latest(_) => latest(artifact, true).ok_or(PickError::NoVersions),
        Pick::Version(v) => last_registered_named(artifact, v.as_str())
            .ok_or_else(|| PickError::NotRegistered(v.clone())),
        Pick::Stage(s) => stage_holders(artifact, s.as_str(), StageOptions::default())
            .first()
            .map(|h| h.version)
            .ok_or_else(|| PickError::StageEmpty(s.clone())),
    }
}

/// The read side's rule for a version name: of the versions ever registered under it, the last
/// the fold met (the one that took the name most recently), live or not.
///
/// A name normally names one version, but GTO accepts the same name on two commits and lists
/// both (reference §4 step 4), and GTO's auto-bump can re-issue a deregistered name (§14 B10).
/// Writes choose differently, on purpose: planning (`plan::find_named`) prefers the *live*
/// version, because a write acts on the registration in force. A read names a version to look at
/// what was recorded for it (its commit, its entry, its digest), and a deregistered version still
/// has that record, so the newest registration wins whatever happened to it since; this is also
/// how DVC, the other reader of these tags, resolves a version: the last tag for it (§9.2).
/// `show NAME@vX.Y.Z` picks no single version: it lists every row of that name
/// ([`keep_picked`]).
pub(crate) fn last_registered_named<'a>(artifact: &'a Artifact, name: &str) -> Option<&'a Version> {
    artifact
        .versions
        .iter()
        .rev()
        .find(|x| x.label.as_str() == name && x.is_registered())
}

/// The rows a target keeps in `show NAME…`'s listing (reference §5.4): `@latest` the first row,
/// `@vX.Y.Z` every row of that name, `#STAGE` every row that holds the stage in `stages` (the
/// listing's own resolution, so `--vs`, `--av` and `--sort` apply).
pub(crate) fn keep_picked<'a>(
    mut versions: Vec<&'a Version>,
    pick: &Pick,
    stages: &[(String, Vec<Holder<'a>>)],
) -> Vec<&'a Version> {
    match pick {
        Pick::Latest(_) => versions.truncate(1),
        Pick::Version(want) => versions.retain(|v| v.label.as_str() == want.as_str()),
        Pick::Stage(stage) => versions.retain(|v| {
            stages
                .iter()
                .flat_map(|(_, hs)| hs.iter())
                .filter(|h| std::ptr::eq(h.version, *v))
                .any(|h| h.vstage.stage.as_str() == stage.as_str())
        }),
    }
    versions
}
