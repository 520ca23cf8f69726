//! Version names: a lowercase `v` plus SemVer 2.0 (reference §2), precedence and bumps; and a
//! version's label (a SemVer name, or the commit an unregistered version stands for).
//!
//! Precedence ignores build metadata, as python-semver (and so GTO) does; `semver::Version`'s own
//! `Ord` would not, so comparisons go through [`VersionName::precedence`].

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A registered version name such as `v1.2.0` or `v2.0.0-rc.1+build.5`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionName {
    raw: String,
    semver: semver::Version,
}

/// Which part of a version to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    Major,
    Minor,
    Patch,
}

impl VersionName {
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The first version ever registered when none is asked for (reference §5.1).
    pub fn minimal() -> Self {
        VersionName::from_parts(0, 0, 1)
    }

    fn from_parts(major: u64, minor: u64, patch: u64) -> Self {
        let semver = semver::Version::new(major, minor, patch);
        VersionName {
            raw: format!("v{semver}"),
            semver,
        }
    }

    /// SemVer precedence: build metadata ignored, pre-release below release.
    pub fn precedence(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.semver, &other.semver);
        (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
    }

    /// python-semver's bumps: `v1.0.0-rc.1` patch-bumps to `v1.0.1`, pre-release and build dropped.
    pub fn bump(&self, bump: Bump) -> Self {
        let v = &self.semver;
        match bump {
            Bump::Major => VersionName::from_parts(v.major + 1, 0, 0),
            Bump::Minor => VersionName::from_parts(v.major, v.minor + 1, 0),
            Bump::Patch => VersionName::from_parts(v.major, v.minor, v.patch + 1),
        }
    }
}

/// Why a string is not a version name; as a clap value parser's error it becomes a usage error
/// (exit 2) naming the value, before any repository is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError;

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5")
    }
}

impl std::error::Error for VersionError {}

impl FromStr for VersionName {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let rest = s.strip_prefix('v').ok_or(VersionError)?;
        // The semver crate accepts what SemVer 2.0 allows; GTO's regex is SemVer 2.0's, except that
        // it allows only ASCII alphanumerics and '-' in identifiers, which the crate also enforces.
        let semver = semver::Version::parse(rest).map_err(|_| VersionError)?;
        // semver allows leading zeros in build metadata, as SemVer 2.0 and GTO's regex do.
        Ok(VersionName {
            raw: s.to_string(),
            semver,
        })
    }
}

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A version's name: SemVer when registered, else the commit it stands for (reference §1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum VersionLabel {
    Semver(VersionName),
    Commit(String),
}

impl VersionLabel {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            VersionLabel::Semver(v) => v.as_str(),
            VersionLabel::Commit(c) => c,
        }
    }

    pub(crate) fn semver(&self) -> Option<&VersionName> {
        match self {
            VersionLabel::Semver(v) => Some(v),
            VersionLabel::Commit(_) => None,
        }
    }
}

/// The 7-character form of a commit id that tables show.
pub(crate) fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> VersionName {
        s.parse().unwrap()
    }

    #[test]
    fn grammar_matches_reference() {
        for ok in [
            "v0.0.1",
            "v1.2.3",
            "v1.0.0-rc.1",
            "v1.0.0+build.01",
            "v1.0.0-0.3.7",
            "v10.20.30",
        ] {
            assert!(ok.parse::<VersionName>().is_ok(), "{ok}");
        }
        for bad in [
            "V1.0.0",
            "1.0.0",
            "v1",
            "v1.2",
            "v01.0.0",
            "v1.0.0-01",
            "v1.0.0-",
            "v1.0.0+",
            "v1.0.0 ",
        ] {
            assert!(bad.parse::<VersionName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn precedence_ignores_build_metadata() {
        assert_eq!(v("v1.0.0+a").precedence(&v("v1.0.0+b")), Ordering::Equal);
        assert_eq!(v("v1.0.0-rc.1").precedence(&v("v1.0.0")), Ordering::Less);
        assert_eq!(
            v("v1.0.0-alpha").precedence(&v("v1.0.0-alpha.1")),
            Ordering::Less
        );
        assert_eq!(v("v1.10.0").precedence(&v("v1.9.0")), Ordering::Greater);
    }

    #[test]
    fn bumps_follow_python_semver() {
        assert_eq!(v("v1.0.0-rc.1").bump(Bump::Patch).as_str(), "v1.0.1");
        assert_eq!(v("v1.2.3+b").bump(Bump::Minor).as_str(), "v1.3.0");
        assert_eq!(v("v1.2.3").bump(Bump::Major).as_str(), "v2.0.0");
        assert_eq!(VersionName::minimal().as_str(), "v0.0.1");
    }
}
