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
//! - Metrics (issue 14) follow the seven keys, one output each, named `metric_` and the metric's
//!   key with every character outside `[A-Za-z0-9_]` as `_` (`eval.auc` → `metric_eval_auc`):
//!   the only names both systems accept. Keys that come out alike, ignoring case (`a.b` and
//!   `a_b`; GitHub's expressions and a prefixed dotenv key ignore case), are all left out with
//!   a warning, so a CI job never reads one metric's value under another's name. A dotenv report
//!   takes metrics only while it stays within GitLab's default limits (20 variables, 5 KiB):
//!   GitLab refuses a larger report and fails the job; the metrics left out are warned about.

use crate::registry::metrics::Metrics;

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
    /// Metric outputs after the seven: (output key, value), keys from [`metric_outputs`].
    pub metrics: Vec<(String, String)>,
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
        if outputs.pairs().iter().all(|(_, v)| !v.contains(&d))
            && outputs.metrics.iter().all(|(_, v)| !v.contains(&d))
        {
            return d;
        }
    }
}

/// The text to append to `$GITHUB_OUTPUT`: `key<<DELIMITER`, the value, `DELIMITER`, for each
/// key. `delimiter` must occur in no value ([`github_delimiter`]).
pub(crate) fn github(outputs: &Outputs, delimiter: &str) -> String {
    let mut text = String::new();
    let metrics = outputs
        .metrics
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    for (key, value) in outputs.pairs().into_iter().chain(metrics) {
        debug_assert!(!value.contains(delimiter));
        text.push_str(&format!("{key}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    text
}

/// The metric outputs of a version, and the keys left out because they sanitise alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MetricOutputs {
    /// (output key, value), in the metrics' order.
    pub pairs: Vec<(String, String)>,
    /// Each output name two or more metrics would share, with those metrics' keys.
    pub clashes: Vec<(String, Vec<String>)>,
}

/// An output name for a metric key: `metric_` and the key, each character outside
/// `[A-Za-z0-9_]` (a Unicode letter too) as `_`.
pub(crate) fn metric_key(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("metric_{safe}")
}

/// The outputs of `metrics` (values as tables show them, one line: a control character in a
/// text value becomes a space), leaving out keys whose names clash ignoring case.
pub(crate) fn metric_outputs(metrics: &Metrics) -> MetricOutputs {
    // By lower-cased name (a file may hold very many keys: no search per key).
    let mut by_name: Vec<(String, Vec<&String>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for key in metrics.keys() {
        let name = metric_key(key);
        match index.entry(name.to_ascii_lowercase()) {
            std::collections::hash_map::Entry::Occupied(at) => by_name[*at.get()].1.push(key),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(by_name.len());
                by_name.push((name, vec![key]));
            }
        }
    }
    let mut out = MetricOutputs::default();
    for (name, keys) in by_name {
        if let [key] = keys.as_slice() {
            let value = metrics[*key].to_string();
            out.pairs.push((name, one_line(&value)));
        } else {
            out.clashes
                .push((name, keys.into_iter().cloned().collect()));
        }
    }
    out
}

/// Control characters (line breaks among them), Unicode line separators and bidirectional
/// overrides (a CI log would show the value reordered) as spaces.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if crate::registry::trailer::breaks_line(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
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

/// GitLab's default limits on a dotenv report (self-managed and GitLab.com's smaller plans):
/// more variables or more bytes and GitLab refuses the report, failing the job.
pub(crate) const DOTENV_VARIABLES_MAX: usize = 20;
pub(crate) const DOTENV_BYTES_MAX: usize = 5 * 1024;

/// A dotenv report, the keys whose values had to be shortened, and the metric keys left out to
/// stay within GitLab's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dotenv {
    pub text: String,
    pub truncated: Vec<String>,
    pub dropped: Vec<String>,
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
    let mut count = outputs.pairs().len();
    let mut dropped = Vec::new();
    for (key, value) in &outputs.metrics {
        let key = dotenv_key(key, prefix);
        let (value, cut) = dotenv_value(value);
        let line = format!("{key}={value}\n");
        if count >= DOTENV_VARIABLES_MAX || text.len() + line.len() > DOTENV_BYTES_MAX {
            dropped.push(key);
            continue;
        }
        if cut {
            truncated.push(key);
        }
        count += 1;
        text.push_str(&line);
    }
    Dotenv {
        text,
        truncated,
        dropped,
    }
}

/// One value as GitLab will read it back: control characters (line breaks among them) and
/// Unicode line separators as spaces, surrounding whitespace trimmed (GitLab strips it anyway),
/// at most [`DOTENV_VALUE_MAX`] bytes. Returns whether it was shortened.
fn dotenv_value(value: &str) -> (String, bool) {
    let flat = one_line(value);
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

    fn metrics(pairs: &[(&str, &str)]) -> Metrics {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_string(),
                    crate::registry::metrics::Value::from_cli(v),
                )
            })
            .collect()
    }

    #[test]
    fn metric_keys_are_sanitised_and_clashes_left_out() {
        let m = metrics(&[
            ("eval.auc", "0.9"),
            ("a.b", "1"),
            ("a_b", "2"),
            ("A-B", "3"),
            ("$(x)'", "4"),
            ("précision", "\"two\\nlines\""),
        ]);
        let o = metric_outputs(&m);
        assert_eq!(
            o.pairs,
            vec![
                ("metric___x__".to_string(), "4".to_string()),
                ("metric_eval_auc".to_string(), "0.9".to_string()),
                ("metric_pr_cision".to_string(), "two lines".to_string()),
            ]
        );
        assert_eq!(
            o.clashes,
            vec![(
                "metric_A_B".to_string(),
                vec!["A-B".to_string(), "a.b".to_string(), "a_b".to_string()]
            )]
        );
    }

    #[test]
    fn github_writes_metrics_after_the_seven() {
        let mut o = sample();
        o.metrics = vec![("metric_eval_auc".into(), "0.9".into())];
        assert!(
            github(&o, "D")
                .ends_with("description<<D\ntwo\nlines\nD\nmetric_eval_auc<<D\n0.9\nD\n")
        );
    }

    #[test]
    fn dotenv_keeps_within_gitlabs_limits() {
        let mut o = sample();
        o.metrics = (0..20)
            .map(|i| (format!("metric_m{i:02}"), i.to_string()))
            .collect();
        let d = dotenv(&o, Some("REGISTRY_"));
        assert_eq!(d.text.lines().count(), DOTENV_VARIABLES_MAX);
        assert!(d.text.contains("\nREGISTRY_METRIC_M00=0\n"));
        assert_eq!(d.dropped.len(), 7);
        assert_eq!(d.dropped[0], "REGISTRY_METRIC_M13");
        o.metrics = vec![
            ("metric_big".into(), "x".repeat(DOTENV_VALUE_MAX)),
            ("metric_big2".into(), "y".repeat(DOTENV_VALUE_MAX)),
            ("metric_big3".into(), "z".repeat(DOTENV_VALUE_MAX)),
            ("metric_big4".into(), "w".repeat(DOTENV_VALUE_MAX)),
            ("metric_big5".into(), "v".repeat(DOTENV_VALUE_MAX)),
        ];
        let d = dotenv(&o, None);
        assert!(d.text.len() <= DOTENV_BYTES_MAX, "{}", d.text.len());
        assert_eq!(d.dropped, vec!["metric_big5"]);
    }
}
