//! Artifact names and stage names: GTO's grammar (reference §2) plus git's ref rules.
//!
//! Two ways in. `FromStr` is for what a user types: GTO's regex *and* git's ref-name rules, so a
//! name git would refuse or silently rewrite is refused up front with a clear message (GTO bug
//! B11: `./x:m` and `a//b`). `from_tag_part` is for names read back from tags that already exist:
//! only GTO's regex, because git has accepted those refs already and they must keep reading.
//! This file must not know about tags beyond the `:` ⇄ `=` encoding.

use std::fmt;
use std::str::FromStr;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    pub message: String,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NameError {}

/// GTO's message for a name or stage outside the grammar (reference §12). Its "len >= 2" is
/// wrong (one-character names are valid) but scripts match on this text, so it stays verbatim.
pub(crate) fn invalid_value(value: &str) -> NameError {
    NameError {
        message: format!(
            "Invalid value '{value}'. Only letters, numbers, '_', '-', '/' are allowed. \
             Value must be of len >= 2 and must start and end with a letter or a number."
        ),
    }
}

/// GTO `name` regex: `[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?`.
pub(crate) fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'/' | b'_'))
        }
        _ => false,
    }
}

/// GTO `dirname` regex: `[a-zA-Z0-9-_./]+`.
pub(crate) fn is_dirname(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/'))
}

/// Git's rules for one ref name (`git check-ref-format`), restricted to what GTO's grammar can
/// produce: no empty component (`//`, leading or trailing `/`), no component starting with `.`,
/// no `..`, no component ending in `.lock`, no trailing `.`.
fn ref_problem(refname: &str) -> Option<&'static str> {
    if refname.contains("..") {
        return Some("git refs cannot contain '..'");
    }
    if refname.ends_with('.') {
        return Some("git refs cannot end with '.'");
    }
    for component in refname.split('/') {
        if component.is_empty() {
            return Some(
                "git refs cannot contain an empty path component ('//', or '/' at either end)",
            );
        }
        if component.starts_with('.') {
            return Some("git refs cannot have a path component starting with '.'");
        }
        if component.ends_with(".lock") {
            return Some("git refs cannot have a path component ending with '.lock'");
        }
    }
    None
}

/// The longest name or stage a user may type, in bytes. Git sets no limit, but a loose ref is a
/// file and file names stop at 255 bytes: a 300-character name would pass `--dry-run` and then
/// fail to write. 100 leaves room for `name#stage#counter` in one file name.
pub(crate) const MAX_LEN: usize = 100;

fn too_long(what: &str, s: &str) -> Option<NameError> {
    (s.len() > MAX_LEN).then(|| NameError {
        message: format!(
            "{what} '{}…' is {} characters long; at most {MAX_LEN} are allowed",
            s.chars().take(20).collect::<String>(),
            s.chars().count()
        ),
    })
}

/// An artifact's full name: `name` or, in a monorepo, `dir:name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactName(String);

impl ArtifactName {
    /// The name as users write it (`dir:name`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as it appears in a tag: every `:` written as `=` (reference §3.1).
    pub fn to_tag_part(&self) -> String {
        self.0.replace(':', "=")
    }

    /// The directory part of a monorepo name (`dir` of `dir:name`).
    pub fn dirname(&self) -> Option<&str> {
        self.0.split_once(':').map(|(dir, _)| dir)
    }

    /// The name without its directory.
    pub fn basename(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(_, name)| name)
    }

    /// Reads the artifact part of an existing tag (`dir=name` or `name`), GTO's grammar only.
    pub fn from_tag_part(part: &str) -> Option<Self> {
        let (dir, name) = match part.split_once('=') {
            Some((dir, name)) => (Some(dir), name),
            None => (None, part),
        };
        if let Some(dir) = dir
            && !is_dirname(dir)
        {
            return None;
        }
        if !is_name(name) {
            return None;
        }
        Some(ArtifactName(match dir {
            Some(dir) => format!("{dir}:{name}"),
            None => name.to_string(),
        }))
    }
}

impl FromStr for ArtifactName {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, NameError> {
        if let Some(e) = too_long("Artifact name", s) {
            return Err(e);
        }
        let (dir, name) = match s.split_once(':') {
            Some((dir, name)) => (Some(dir), name),
            None => (None, s),
        };
        if !is_name(name) || dir.is_some_and(|d| !is_dirname(d)) {
            return Err(invalid_value(s));
        }
        // GTO §14 B11: the regex lets through names git refuses or rewrites; refuse them here.
        if let Some(problem) = ref_problem(&s.replace(':', "=")) {
            return Err(NameError {
                message: format!("Invalid artifact name '{s}': {problem}"),
            });
        }
        // `sub/:s` would be a second name (tag `sub/=s`) of the artifact `sub/dvc.yaml` declares
        // as `sub:s`: two version lines for one declaration.
        if let Some(d) = dir.filter(|d| d.ends_with('/')) {
            return Err(NameError {
                message: format!(
                    "Invalid artifact name '{s}': write '{}:{name}' (a directory is named without a trailing '/')",
                    d.trim_end_matches('/')
                ),
            });
        }
        Ok(ArtifactName(s.to_string()))
    }
}

impl fmt::Display for ArtifactName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stage label such as `prod`. Same grammar as a name (reference §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stage(String);

impl Stage {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a stage from an existing tag (grammar only).
    pub fn from_tag_part(part: &str) -> Option<Self> {
        is_name(part).then(|| Stage(part.to_string()))
    }
}

impl FromStr for Stage {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, NameError> {
        if let Some(e) = too_long("Stage", s) {
            return Err(e);
        }
        if !is_name(s) {
            return Err(invalid_value(s));
        }
        if let Some(problem) = ref_problem(s) {
            return Err(NameError {
                message: format!("Invalid stage '{s}': {problem}"),
            });
        }
        Ok(Stage(s.to_string()))
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_gto_grammar() {
        for ok in ["a", "1", "churn", "Churn_2", "nn/resnet", "a-b", "a//b-ok"] {
            assert!(is_name(ok), "{ok}");
        }
        for bad in [
            "", "-a", "a-", "_a", "a/", "/a", "a.b", "a:b", "a b", "a#b", "a@b",
        ] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn artifact_names_parse_with_dirs() {
        let n: ArtifactName = "models/cv:resnet".parse().unwrap();
        assert_eq!(n.to_tag_part(), "models/cv=resnet");
        assert_eq!(n.dirname(), Some("models/cv"));
        assert_eq!(n.basename(), "resnet");
        // GTO's grammar lets `x/:m` through, a second name of `x:m`'s declaration: a tag that
        // has it still reads, but a user's `x/:m` is refused with the name to write.
        assert_eq!(
            ArtifactName::from_tag_part("x/=m").unwrap().to_tag_part(),
            "x/=m"
        );
        let e = "x/:m".parse::<ArtifactName>().unwrap_err();
        assert!(
            e.message
                .ends_with("write 'x:m' (a directory is named without a trailing '/')")
        );
    }

    #[test]
    fn invalid_names_get_gto_message() {
        let err = "-bad".parse::<ArtifactName>().unwrap_err();
        assert!(
            err.message
                .starts_with("Invalid value '-bad'. Only letters")
        );
        assert!("a:b:c".parse::<ArtifactName>().is_err());
    }

    #[test]
    fn names_git_would_refuse_are_refused_b11() {
        for bad in ["a//b", "./x:m", "..:m", "x/.hidden:m", "a/b.lock/c:m"] {
            let err = bad.parse::<ArtifactName>().unwrap_err();
            assert!(err.message.contains("git refs"), "{bad}: {}", err.message);
        }
    }

    #[test]
    fn names_too_long_for_a_ref_file_are_refused() {
        let max = "a".repeat(MAX_LEN);
        assert!(max.parse::<ArtifactName>().is_ok());
        assert!(max.parse::<Stage>().is_ok());
        for len in [MAX_LEN + 1, 300, 4000] {
            let long = "a".repeat(len);
            let err = long.parse::<ArtifactName>().unwrap_err();
            assert!(err.message.contains(&format!("{len} characters")), "{err}");
            assert!(long.parse::<Stage>().is_err());
        }
    }

    #[test]
    fn tag_parts_read_leniently() {
        // Refs that exist are valid refs already; only the GTO grammar applies.
        assert_eq!(
            ArtifactName::from_tag_part("x/=m").unwrap().as_str(),
            "x/:m"
        );
        assert!(ArtifactName::from_tag_part("a=b=c").is_none());
        assert!(ArtifactName::from_tag_part("=m").is_none());
    }

    #[test]
    fn stages_use_the_name_grammar() {
        assert!("prod-5".parse::<Stage>().is_ok());
        assert!("Prod_EU".parse::<Stage>().is_ok());
        assert!("v1.0.0".parse::<Stage>().is_err());
        assert!("a//b".parse::<Stage>().is_err());
    }
}
