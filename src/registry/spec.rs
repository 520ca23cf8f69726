//! What users type to point at a version, a digest or a moment: one grammar each, as `FromStr`.
//!
//! A target is `NAME`, `NAME@vX.Y.Z`, `NAME@latest`, `NAME@greatest` or `NAME#STAGE` (GTO's
//! `shortcut_re`, reference §2); `diff` takes the part after the name alone (`v1.2.0`, `latest`,
//! `#prod`); `promote` takes a target without a stage; `register --digest` takes
//! `sha256:<64 lower-case hex digits>`; `show --at` takes a day, a date and time, or a revision.
//! clap parses arguments straight into these types, so a bad value is a usage error (exit 2)
//! before any repository is opened or fetched. Each `Display` writes what its `FromStr` reads
//! back to the same value. Pure: resolving a target, a revision or a digest is the shell's work.

use std::fmt;
use std::str::FromStr;

use super::name::{ArtifactName, NameError, Stage, invalid_value};
use super::time::{Timestamp, invalid_day, parse_git_date};
use super::version::{VersionError, VersionName};

/// Which version of an artifact a target picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pick {
    /// `@latest` or `@greatest`: GTO reads both as the latest registered version. The word is
    /// kept because messages echo what was typed (`'latest' and 'greatest' are the same version`).
    Latest(LatestWord),
    /// `@vX.Y.Z`.
    Version(VersionName),
    /// `#STAGE`: the version holding the stage.
    Stage(Stage),
}

/// The word that asked for the latest version: the two mean the same (reference §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LatestWord {
    Latest,
    Greatest,
}

impl LatestWord {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LatestWord::Latest => "latest",
            LatestWord::Greatest => "greatest",
        }
    }
}

/// `NAME[@VERSION|#STAGE|@latest|@greatest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub name: ArtifactName,
    /// `None` for a bare NAME: each command says what it stands for (every version for `show`,
    /// HEAD for `describe`, the latest version for `verify`).
    pub pick: Option<Pick>,
}

/// `promote`'s first argument: NAME, or NAME with `@vX.Y.Z`, `@latest` or `@greatest` (`None`
/// for the last two and for a bare NAME: promote then picks the latest version itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionedName {
    pub name: ArtifactName,
    pub version: Option<VersionName>,
}

/// A content digest given by hand: `sha256:` and 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Digest(String);

/// `show --at WHEN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    /// A day (`2026-03-01`: the end of that day, UTC) or a date and time git understands:
    /// seconds since the epoch.
    Time(i64),
    /// Anything else: a commit, tag or branch, whose commit time is meant (resolved in the
    /// session's repository, which for `-C URL` is the URL's mirror).
    Revision(String),
}

/// Why a value was refused. Its `Display` is what clap prints after
/// `invalid value '…' for '…': `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpecError {
    /// The name or the stage is outside GTO's grammar (GTO's wording).
    Name(NameError),
    /// In a target, the part after `@` is not `latest`, `greatest` or a version.
    TargetVersion { part: String, whole: String },
    /// In `diff`'s version argument: neither a version, `latest` nor `#STAGE`.
    PickVersion(String),
    /// In `promote`'s NAME@VERSION: not a version.
    Version(VersionError),
    /// Not `sha256:` and 64 lower-case hex digits.
    Digest,
    /// Shaped like a day but no calendar day (`2026-02-31`): never rolled over to 3 March nor
    /// tried as a branch name.
    Day { value: String, why: String },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Name(e) => f.write_str(&e.message),
            SpecError::TargetVersion { part, whole } => write!(
                f,
                "'{part}' in '{whole}' is not a version: use NAME@vX.Y.Z, NAME@latest or NAME#STAGE"
            ),
            SpecError::PickVersion(part) => {
                write!(f, "'{part}' is not a version: use vX.Y.Z, latest or #STAGE")
            }
            SpecError::Version(e) => e.fmt(f),
            SpecError::Digest => f.write_str("not sha256:<64 lower-case hex digits>"),
            SpecError::Day { value, why } => write!(f, "'{value}' is not a calendar day: {why}"),
        }
    }
}

impl std::error::Error for SpecError {}

impl From<NameError> for SpecError {
    fn from(e: NameError) -> Self {
        SpecError::Name(e)
    }
}

/// The part after `@`: `latest`, `greatest` or a version (`None` for anything else).
fn after_at(part: &str) -> Option<Pick> {
    match part {
        "latest" => Some(Pick::Latest(LatestWord::Latest)),
        "greatest" => Some(Pick::Latest(LatestWord::Greatest)),
        v => v.parse().ok().map(Pick::Version),
    }
}

impl FromStr for Target {
    type Err = SpecError;

    /// `#` is looked for first, as GTO's regex does: in `churn@v1#prod` the name is `churn@v1`
    /// (and so refused), never `churn`.
    fn from_str(s: &str) -> Result<Self, SpecError> {
        if let Some((name, stage)) = s.split_once('#') {
            let stage: Stage = stage.parse()?;
            return Ok(Target {
                name: name.parse()?,
                pick: Some(Pick::Stage(stage)),
            });
        }
        if let Some((name, part)) = s.split_once('@') {
            let pick = after_at(part).ok_or_else(|| SpecError::TargetVersion {
                part: part.to_string(),
                whole: s.to_string(),
            })?;
            return Ok(Target {
                name: name.parse()?,
                pick: Some(pick),
            });
        }
        Ok(Target {
            name: s.parse()?,
            pick: None,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        match &self.pick {
            None => Ok(()),
            Some(Pick::Stage(s)) => write!(f, "#{s}"),
            Some(pick) => write!(f, "@{pick}"),
        }
    }
}

impl FromStr for Pick {
    type Err = SpecError;

    /// `diff`'s form: what follows NAME in a target, the `@` optional (`v1.2.0`, `@v1.2.0`,
    /// `latest`, `greatest`, `#prod`).
    fn from_str(s: &str) -> Result<Self, SpecError> {
        if let Some(stage) = s.strip_prefix('#') {
            return Ok(Pick::Stage(stage.parse()?));
        }
        after_at(s.strip_prefix('@').unwrap_or(s)).ok_or_else(|| SpecError::PickVersion(s.into()))
    }
}

impl fmt::Display for Pick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pick::Latest(word) => f.write_str(word.as_str()),
            Pick::Version(v) => write!(f, "{v}"),
            Pick::Stage(s) => write!(f, "#{s}"),
        }
    }
}

impl FromStr for VersionedName {
    type Err = SpecError;

    /// A target without `#STAGE`. `churn#prod` is refused as the name GTO would see in it, and
    /// a bad version with the version grammar's own message.
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let target = match s.parse::<Target>() {
            Ok(target) => target,
            Err(SpecError::TargetVersion { .. }) => return Err(SpecError::Version(VersionError)),
            Err(e) => return Err(e),
        };
        let version = match target.pick {
            None | Some(Pick::Latest(_)) => None,
            Some(Pick::Version(v)) => Some(v),
            Some(Pick::Stage(_)) => return Err(SpecError::Name(invalid_value(s))),
        };
        Ok(VersionedName {
            name: target.name,
            version,
        })
    }
}

impl fmt::Display for VersionedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        match &self.version {
            Some(v) => write!(f, "@{v}"),
            None => Ok(()),
        }
    }
}

impl Digest {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Digest {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        let hex = s.strip_prefix("sha256:").ok_or(SpecError::Digest)?;
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if hex.len() != 64 || !hex.bytes().all(lower_hex) {
            return Err(SpecError::Digest);
        }
        Ok(Digest(s.to_string()))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for When {
    type Err = SpecError;

    /// A day-shaped value must be a calendar day; a day means its end (UTC); then the date
    /// formats git takes; anything else is a revision.
    fn from_str(s: &str) -> Result<Self, SpecError> {
        if let Some(why) = invalid_day(s) {
            return Err(SpecError::Day {
                value: s.to_string(),
                why,
            });
        }
        let day = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
        if day && let Some(t) = parse_git_date(&format!("{s} 23:59:59 +0000")) {
            return Ok(When::Time(t.seconds));
        }
        Ok(match parse_git_date(s) {
            Some(t) => When::Time(t.seconds),
            None => When::Revision(s.to_string()),
        })
    }
}

impl fmt::Display for When {
    /// A time as ISO 8601 in UTC, which reads back to the same second for years 0 to 9999.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Time(seconds) => f.write_str(&Timestamp::new(*seconds, 0).iso()),
            When::Revision(rev) => f.write_str(rev),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn target(s: &str) -> Result<Target, String> {
        s.parse::<Target>().map_err(|e| e.to_string())
    }

    #[test]
    fn targets_follow_gtos_shortcut_grammar() {
        let t = target("churn").unwrap();
        assert_eq!((t.name.as_str(), t.pick), ("churn", None));
        assert_eq!(
            target("churn@latest").unwrap().pick,
            Some(Pick::Latest(LatestWord::Latest))
        );
        // The same pick, but the word typed is kept for messages.
        let greatest = target("churn@greatest").unwrap();
        assert_eq!(greatest.pick, Some(Pick::Latest(LatestWord::Greatest)));
        assert_eq!(greatest.to_string(), "churn@greatest");
        assert_eq!(
            target("models:resnet@v1.0.0-rc.1").unwrap().pick,
            Some(Pick::Version("v1.0.0-rc.1".parse().unwrap()))
        );
        let t = target("models:resnet#prod").unwrap();
        assert_eq!(t.name.as_str(), "models:resnet");
        assert_eq!(t.pick, Some(Pick::Stage("prod".parse().unwrap())));
        assert_eq!(
            target("churn@1.0").unwrap_err(),
            "'1.0' in 'churn@1.0' is not a version: use NAME@vX.Y.Z, NAME@latest or NAME#STAGE"
        );
        // `#` first: the name of `churn@v1.0.0#prod` is `churn@v1.0.0`.
        assert!(
            target("churn@v1.0.0#prod")
                .unwrap_err()
                .starts_with("Invalid value 'churn@v1.0.0'.")
        );
        assert!(
            target("churn#p.x")
                .unwrap_err()
                .starts_with("Invalid value 'p.x'.")
        );
        for bad in ["", "@latest", "#prod", "-x", "churn@", "churn#", "a//b"] {
            assert!(target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn diffs_version_argument_is_the_part_after_the_name() {
        let pick = |s: &str| s.parse::<Pick>().map_err(|e| e.to_string());
        assert_eq!(pick("latest").unwrap(), Pick::Latest(LatestWord::Latest));
        assert_eq!(
            pick("@greatest").unwrap(),
            Pick::Latest(LatestWord::Greatest)
        );
        assert_eq!(pick("greatest").unwrap().to_string(), "greatest");
        assert_eq!(
            pick("v1.2.0").unwrap(),
            Pick::Version("v1.2.0".parse().unwrap())
        );
        assert_eq!(pick("@v1.2.0").unwrap(), pick("v1.2.0").unwrap());
        assert_eq!(pick("#prod").unwrap(), Pick::Stage("prod".parse().unwrap()));
        assert_eq!(
            pick("nonsense").unwrap_err(),
            "'nonsense' is not a version: use vX.Y.Z, latest or #STAGE"
        );
        assert!(pick("#").unwrap_err().starts_with("Invalid value ''."));
    }

    #[test]
    fn promote_takes_a_target_without_a_stage() {
        let vn = |s: &str| s.parse::<VersionedName>().map_err(|e| e.to_string());
        assert_eq!(vn("churn").unwrap().version, None);
        assert_eq!(vn("churn@latest").unwrap().version, None);
        assert_eq!(vn("churn@greatest").unwrap().version, None);
        assert_eq!(
            vn("churn@v1.2.0").unwrap().version.map(|v| v.to_string()),
            Some("v1.2.0".into())
        );
        assert_eq!(
            vn("churn@1.0").unwrap_err(),
            "not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5"
        );
        assert!(
            vn("churn#prod")
                .unwrap_err()
                .starts_with("Invalid value 'churn#prod'.")
        );
    }

    #[test]
    fn digests_are_sha256_in_lower_case_hex() {
        let ok = format!("sha256:{}", "0123456789abcdef".repeat(4));
        assert_eq!(ok.parse::<Digest>().unwrap().as_str(), ok);
        for bad in [
            "sha256:nothex".to_string(),
            ok.to_uppercase(),
            format!("sha256:{}", "AB".repeat(32)),
            format!("sha256:{}", "ab".repeat(31)),
            format!("sha256:{}0", "ab".repeat(32)),
            format!("sha512:{}", "ab".repeat(32)),
            "ab".repeat(32),
            String::new(),
        ] {
            assert_eq!(bad.parse::<Digest>(), Err(SpecError::Digest), "{bad}");
        }
    }

    #[test]
    fn when_is_a_day_a_date_or_a_revision() {
        let when = |s: &str| s.parse::<When>().map_err(|e| e.to_string());
        // 2026-03-01 23:59:59 UTC.
        assert_eq!(when("2026-03-01").unwrap(), When::Time(1_772_409_599));
        assert_eq!(
            when("2026-03-01 12:00:00 +0100").unwrap(),
            When::Time(1_772_362_800)
        );
        assert_eq!(when("main").unwrap(), When::Revision("main".into()));
        assert_eq!(when("someday").unwrap(), When::Revision("someday".into()));
        assert!(
            when("2026-02-31")
                .unwrap_err()
                .starts_with("'2026-02-31' is not a calendar day: ")
        );
        assert!(when("2026-04-31 12:00:00 +0000").is_err());
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-z0-9]([a-z0-9_/-]{0,8}[a-z0-9])?(:[a-z0-9]{1,4})?"
            .prop_filter("a valid name", |s| s.parse::<ArtifactName>().is_ok())
    }

    fn pick() -> impl Strategy<Value = Pick> {
        prop_oneof![
            Just(Pick::Latest(LatestWord::Latest)),
            Just(Pick::Latest(LatestWord::Greatest)),
            (0u64..20, 0u64..20, 0u64..20, "(-rc\\.[0-9])?(\\+b[0-9])?").prop_map(
                |(a, b, c, rest)| Pick::Version(format!("v{a}.{b}.{c}{rest}").parse().unwrap())
            ),
            "[a-z][a-z0-9-]{0,6}[a-z0-9]".prop_map(|s| Pick::Stage(s.parse().unwrap())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn format_then_parse_is_identity(
            name in name(),
            pick in proptest::option::of(pick()),
            hex in "[0-9a-f]{64}",
            seconds in 0i64..253_402_300_800,
        ) {
            let t = Target { name: name.parse().unwrap(), pick: pick.clone() };
            prop_assert_eq!(t.to_string().parse::<Target>(), Ok(t.clone()));
            if let Some(p) = &pick {
                prop_assert_eq!(p.to_string().parse::<Pick>(), Ok(p.clone()));
            }
            let version = match pick {
                Some(Pick::Version(v)) => Some(v),
                _ => None,
            };
            let vn = VersionedName { name: t.name, version };
            prop_assert_eq!(vn.to_string().parse::<VersionedName>(), Ok(vn));
            let d: Digest = format!("sha256:{hex}").parse().unwrap();
            prop_assert_eq!(d.to_string().parse::<Digest>(), Ok(d));
            prop_assert_eq!(When::Time(seconds).to_string().parse::<When>(), Ok(When::Time(seconds)));
        }

        /// Any input: no panic, and whatever parses formats back to itself.
        #[test]
        fn parsers_never_panic_and_parsed_values_round_trip(s in "\\PC{0,40}|[a-z0-9@#:./_ +-]{0,30}") {
            if let Ok(t) = s.parse::<Target>() {
                prop_assert_eq!(t.to_string().parse::<Target>(), Ok(t));
            }
            if let Ok(p) = s.parse::<Pick>() {
                prop_assert_eq!(p.to_string().parse::<Pick>(), Ok(p));
            }
            if let Ok(v) = s.parse::<VersionedName>() {
                prop_assert_eq!(v.to_string().parse::<VersionedName>(), Ok(v));
            }
            if let Ok(d) = s.parse::<Digest>() {
                prop_assert_eq!(d.to_string(), s.clone());
            }
            if let Ok(When::Revision(r)) = s.parse::<When>() {
                prop_assert_eq!(r, s.clone());
            }
        }
    }
}
