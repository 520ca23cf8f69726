//! CI step outputs for `check-ref --format`: GitHub's `$GITHUB_OUTPUT` file and GitLab's dotenv
//! report, encoded so that no value can smuggle in another key (SPEC §4.4, §6).
//!
//! Pure: takes the values and returns text. `commands/check_ref.rs` reads the registry and
//! writes the files.
//!
//! - GitHub reads `key=value` lines and `key<<DELIMITER` … `DELIMITER` blocks (the runner's file
//!   command parser). Every key here uses the block form, as `@actions/core` writes it, with a
//!   random delimiter that occurs in no value: a value can hold any text, newlines included, and
//!   still cannot end its block early.
//! - GitLab reads a dotenv report line by line: the key is what precedes the first `=`, the value
//!   the rest of the line with surrounding whitespace stripped. It has no quoting (quote
//!   characters are kept as part of the value) and no multi-line values. So values are written
//!   bare, on one line: line breaks and other control characters become spaces. The keys are
//!   GitHub's (`name`, `version`, …). GitLab turns them into environment variables of later jobs;
//!   on Windows runners names are case-insensitive, so `path` would be `PATH`: there a prefix
//!   (`--prefix REGISTRY_` gives `REGISTRY_NAME`, `REGISTRY_PATH`, …) keeps them apart.

/// What `check-ref --format` reports about one registry tag. Empty strings for what does not
/// apply (no stage for a registration, no version for a deprecation, no artifacts.yaml entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Outputs {
    pub name: String,
    pub version: String,
    pub stage: String,
    pub event: String,
    /// The entry's `type` at the tag's commit.
    pub kind: String,
    pub path: String,
    pub description: String,
}

impl Outputs {
    /// The outputs under GitHub's names (gto-action's), in a fixed order.
    pub(crate) fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("name", &self.name),
            ("version", &self.version),
            ("stage", &self.stage),
            ("event", &self.event),
            ("type", &self.kind),
            ("path", &self.path),
            ("description", &self.description),
        ]
    }
}

/// The prefix of GitHub delimiters (the one `@actions/core` uses).
pub(crate) const DELIMITER_PREFIX: &str = "ghadelimiter_";

/// A delimiter that occurs in no value: `ghadelimiter_` and 32 hex digits from `random`, drawn
/// again in the (astronomically unlikely) case that a value contains it.
pub(crate) fn github_delimiter(outputs: &Outputs, mut random: impl FnMut() -> u64) -> String {
    loop {
        let d = format!("{DELIMITER_PREFIX}{:016x}{:016x}", random(), random());
        if outputs.pairs().iter().all(|(_, v)| !v.contains(&d)) {
            return d;
        }
    }
}

/// The text to append to `$GITHUB_OUTPUT`: `key<<DELIMITER`, the value, `DELIMITER`, for each
/// key. `delimiter` must occur in no value ([`github_delimiter`]).
pub(crate) fn github(outputs: &Outputs, delimiter: &str) -> String {
    let mut text = String::new();
    for (key, value) in outputs.pairs() {
        debug_assert!(!value.contains(delimiter));
        text.push_str(&format!("{key}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    text
}

/// A dotenv key: GitHub's key, or with a prefix the prefix and the key in upper case
/// (`REGISTRY_` + `path` = `REGISTRY_PATH`), as environment variables are usually named.
pub(crate) fn dotenv_key(key: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(p) => format!("{p}{}", key.to_ascii_uppercase()),
        None => key.to_string(),
    }
}

/// The longest value written to a dotenv report, in bytes. GitLab refuses a whole report over
/// its size limit (5 KiB by default), which fails the job; seven values of at most 1 KiB stay
/// under it.
pub(crate) const DOTENV_VALUE_MAX: usize = 1024;

/// A dotenv report, and the keys whose values had to be shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dotenv {
    pub text: String,
    pub truncated: Vec<String>,
}

/// The dotenv report: one `KEY=value` line per key, values on one line (see the module doc).
pub(crate) fn dotenv(outputs: &Outputs, prefix: Option<&str>) -> Dotenv {
    let mut text = String::new();
    let mut truncated = Vec::new();
    for (key, value) in outputs.pairs() {
        let key = dotenv_key(key, prefix);
        let (value, cut) = dotenv_value(value);
        if cut {
            truncated.push(key.clone());
        }
        text.push_str(&format!("{key}={value}\n"));
    }
    Dotenv { text, truncated }
}

/// One value as GitLab will read it back: control characters (line breaks among them) and
/// Unicode line separators as spaces, surrounding whitespace trimmed (GitLab strips it anyway),
/// at most [`DOTENV_VALUE_MAX`] bytes. Returns whether it was shortened.
fn dotenv_value(value: &str) -> (String, bool) {
    let flat: String = value
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let flat = flat.trim();
    if flat.len() <= DOTENV_VALUE_MAX {
        return (flat.to_string(), false);
    }
    let ellipsis = '…';
    let mut end = DOTENV_VALUE_MAX - ellipsis.len_utf8();
    while !flat.is_char_boundary(end) {
        end -= 1;
    }
    let mut cut = flat[..end].trim_end().to_string();
    cut.push(ellipsis);
    (cut, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outputs {
        Outputs {
            name: "churn".into(),
            version: "v1.2.0".into(),
            event: "registration".into(),
            path: "models/churn.pkl".into(),
            description: "two\nlines".into(),
            ..Outputs::default()
        }
    }

    #[test]
    fn github_uses_one_block_per_key() {
        let text = github(&sample(), "D");
        assert_eq!(
            text,
            "name<<D\nchurn\nD\nversion<<D\nv1.2.0\nD\nstage<<D\n\nD\nevent<<D\nregistration\nD\n\
             type<<D\n\nD\npath<<D\nmodels/churn.pkl\nD\ndescription<<D\ntwo\nlines\nD\n"
        );
    }

    #[test]
    fn github_delimiter_avoids_every_value() {
        let mut o = sample();
        // The first draw (all zeros) is in a value: the next one is taken.
        o.description = format!("x\n{DELIMITER_PREFIX}{}\ny", "0".repeat(32));
        let mut draws = [0u64, 0, 1, 2].into_iter();
        let d = github_delimiter(&o, || draws.next().unwrap_or(7));
        assert_eq!(
            d,
            format!("{DELIMITER_PREFIX}00000000000000010000000000000002")
        );
    }

    #[test]
    fn dotenv_is_one_line_per_key() {
        let mut o = sample();
        o.description = "  first\r\nevent=deploy\u{2028}REGISTRY_EVENT=x\t\"q\"  ".into();
        let d = dotenv(&o, None);
        assert_eq!(
            d.text,
            "name=churn\nversion=v1.2.0\nstage=\nevent=registration\ntype=\n\
             path=models/churn.pkl\ndescription=first  event=deploy REGISTRY_EVENT=x \"q\"\n"
        );
        assert!(d.truncated.is_empty());
        let prefixed = dotenv(&o, Some("REGISTRY_"));
        assert!(
            prefixed
                .text
                .starts_with("REGISTRY_NAME=churn\nREGISTRY_VERSION=v1.2.0\n")
        );
        assert!(prefixed.text.contains("\nREGISTRY_PATH=models/churn.pkl\n"));
    }

    #[test]
    fn dotenv_shortens_long_values_on_a_char_boundary() {
        let mut o = sample();
        o.description = "é".repeat(DOTENV_VALUE_MAX);
        let d = dotenv(&o, Some("REGISTRY_"));
        assert_eq!(d.truncated, vec!["REGISTRY_DESCRIPTION"]);
        let line = d.text.lines().last().unwrap_or_default();
        let value = line
            .strip_prefix("REGISTRY_DESCRIPTION=")
            .unwrap_or_default();
        assert!(value.len() <= DOTENV_VALUE_MAX, "{}", value.len());
        assert!(value.ends_with("é…"));
    }
}
