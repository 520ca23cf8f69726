//! A version's metrics (issue 14): flat `key → value` pairs, the `Artifact-Metric: key=value`
//! trailers that record them in a registration's tag message, the gate's conditions
//! (`eval.auc >= 0.9`) and the change between two versions. Pure: files are read and parsed in
//! `metrics_source.rs`; this module sees only values.
//!
//! Keys are flattened with `.` as DVC's `metrics show` table flattens nested mappings
//! (`{"eval": {"auc": 0.9}}` is `eval.auc`). Numbers stay numbers and are the only values ever
//! compared; other values (strings, booleans, lists) are shown, never compared.
//!
//! A trailer's value is a JSON scalar: `0.913`, `12`, `"resnet"`, `true`, `null` (and `NaN`,
//! `Infinity`, `-Infinity`, as Python's `json` writes them). So a string that looks like a number
//! (`"0.9"`) reads back as a string, a control character in a string is escaped (the trailer
//! stays one line), and every value reads back as it was recorded.

use std::collections::BTreeMap;
use std::fmt;

use super::trailer::breaks_line;

/// The trailer key of one recorded metric.
pub(crate) const TRAILER: &str = "Artifact-Metric";

/// A version's metrics, by flattened key (sorted: the order every view prints).
pub(crate) type Metrics = BTreeMap<String, Value>;

/// A version's metrics, and where they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct VersionMetrics {
    /// The values, by flattened key.
    pub values: Metrics,
    /// `true`: recorded in the registration's tag message. `false`: read from the metrics
    /// files at the version's commit now (the views say these were not recorded).
    pub recorded: bool,
    /// What could not be read, each naming the file, the commit and the line (or the tag and
    /// its trailer): views print them as warnings and still show the version.
    pub warnings: Vec<String>,
}

impl VersionMetrics {
    /// What a tag message records, as a version's metrics: `Ok(None)` when it records none
    /// ([`recorded`] says why it does not read, if it does not).
    pub(crate) fn recorded_in(message: &str) -> Result<Option<VersionMetrics>, String> {
        Ok(recorded(message)?.map(|values| VersionMetrics {
            values,
            recorded: true,
            warnings: Vec::new(),
        }))
    }
}

/// One metric's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A number: its text as recorded (JSON's form: `0.913`, `12`, `1e-05`) and its value.
    Number(Number),
    /// A string.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// Anything else (null, a list), as its JSON text. Shown, never compared.
    Other(String),
}

/// A number as recorded: the text is what views print, the value what conditions compare.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub text: String,
    pub value: f64,
}

/// Two numbers are the same record when their text is (so `NaN` equals `NaN`, as a trailer
/// read back equals what was written).
impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Number {
    /// A number from its text (JSON's grammar, plus `NaN`, `Infinity`, `-Infinity`); `None` if
    /// the text is not one.
    pub(crate) fn parse(text: &str) -> Option<Number> {
        let value = match text {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            t if is_json_number(t) => t.parse().ok()?,
            _ => return None,
        };
        Some(Number {
            text: text.to_string(),
            value,
        })
    }

    /// A number from a float (YAML's and TOML's `.inf`/`nan` included), written as JSON would.
    pub(crate) fn from_f64(value: f64) -> Number {
        let text = if value.is_nan() {
            "NaN".to_string()
        } else if value.is_infinite() {
            if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
        } else {
            // Rust's shortest round-trip text, as Python's `repr` writes floats: `10.0`, `0.913`,
            // `1e-7` (JSON's grammar in each case).
            format!("{value:?}")
        };
        Number { text, value }
    }
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(c) if c.is_ascii_digit() => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

impl Value {
    /// The number, if this is one: the only values conditions and changes compare.
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.value),
            _ => None,
        }
    }

    /// The value as a trailer records it (a JSON scalar, one line).
    pub(crate) fn trailer_text(&self) -> String {
        match self {
            Value::Number(n) => n.text.clone(),
            // JSON escapes control characters; the other characters that break a line for
            // some reader (U+2028, U+2029, bidirectional overrides) are escaped too, so no value
            // read from a file can start a trailer of its own or hide one.
            Value::Text(s) => {
                let json = serde_json::Value::String(s.clone()).to_string();
                let mut out = String::with_capacity(json.len());
                for c in json.chars() {
                    if breaks_line(c) {
                        out.push_str(&format!("\\u{:04x}", u32::from(c)));
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            Value::Bool(b) => b.to_string(),
            Value::Other(json) => json.clone(),
        }
    }

    /// Reads a trailer's value back; `None` if it is not a JSON scalar.
    pub(crate) fn from_trailer(text: &str) -> Option<Value> {
        if let Some(n) = Number::parse(text) {
            return Some(Value::Number(n));
        }
        match serde_json::from_str::<serde_json::Value>(text).ok()? {
            serde_json::Value::String(s) => Some(Value::Text(s)),
            serde_json::Value::Bool(b) => Some(Value::Bool(b)),
            serde_json::Value::Null => Some(Value::Other("null".into())),
            _ => None,
        }
    }

    /// A value as `register --metric KEY=VALUE` gives it: a number when it reads as one
    /// (`0.913`, `1e-5`), `true`/`false`, a JSON string when quoted, otherwise the text itself.
    pub(crate) fn from_cli(text: &str) -> Value {
        let t = text.trim();
        if let Some(n) = Number::parse(t) {
            return Value::Number(n);
        }
        // Forms JSON does not write but people type: `.5`, `+1`, `5.`.
        if let Ok(v) = t.parse::<f64>()
            && v.is_finite()
            && t.bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        {
            return Value::Number(Number::from_f64(v));
        }
        match t {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => match serde_json::from_str::<serde_json::Value>(t) {
                Ok(serde_json::Value::String(s)) if t.starts_with('"') => Value::Text(s),
                _ => Value::Text(text.to_string()),
            },
        }
    }

    /// The value as JSON (`--json` shapes): numbers as numbers where JSON can hold them.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Number(n) => serde_json::from_str::<serde_json::Number>(&n.text)
                .map(serde_json::Value::Number)
                .ok()
                .or_else(|| serde_json::Number::from_f64(n.value).map(serde_json::Value::Number))
                // NaN and the infinities have no JSON number: their text stands.
                .unwrap_or_else(|| serde_json::Value::String(n.text.clone())),
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Other(json) => serde_json::from_str(json)
                .unwrap_or_else(|_| serde_json::Value::String(json.clone())),
        }
    }
}

impl fmt::Display for Value {
    /// As tables show it: numbers and booleans as written, strings without quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => f.write_str(&n.text),
            Value::Text(s) => f.write_str(s),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Other(json) => f.write_str(json),
        }
    }
}

/// Flattens a parsed metrics file (JSON, YAML or TOML, converted to JSON's values by the
/// reader) as DVC's table does: nested mappings join their keys with `.`; every other value is
/// a leaf. A top level that is not a mapping has no keys (DVC shows nothing for it either).
/// Also returns the flattened keys that two places of the file give (`"a.b": 1` beside
/// `"a": {"b": 2}`): those are left out, since which one a reader of the file means cannot be
/// told, and the one written last would otherwise win silently.
pub(crate) fn flatten_checked(value: &serde_json::Value) -> (Metrics, Vec<String>) {
    let mut out = Metrics::new();
    let mut twice = Vec::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            flatten_into(k.clone(), v, &mut out, &mut twice);
        }
    }
    for k in &twice {
        out.remove(k);
    }
    twice.sort();
    twice.dedup();
    (out, twice)
}

fn flatten_into(
    key: String,
    value: &serde_json::Value,
    out: &mut Metrics,
    twice: &mut Vec<String>,
) {
    let leaf = match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten_into(format!("{key}.{k}"), v, out, twice);
            }
            return;
        }
        serde_json::Value::Number(n) => Value::Number(
            Number::parse(&n.to_string())
                .unwrap_or_else(|| Number::from_f64(n.as_f64().unwrap_or(f64::NAN))),
        ),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        other => Value::Other(other.to_string()),
    };
    if out.insert(key.clone(), leaf).is_some() {
        twice.push(key);
    }
}

/// Why `key` cannot be a metric's name, if it cannot: empty, a control or line-breaking
/// character (it would break the trailer's line or a CI output), `=` (the trailer's separator),
/// or spaces around it (a trailer's value is trimmed, so they would not read back).
pub(crate) fn bad_key(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("a metric name may not be empty".into());
    }
    if let Some(c) = key.chars().find(|c| breaks_line(*c)) {
        return Some(format!(
            "metric name '{}' holds the control character {}",
            key.escape_debug(),
            c.escape_unicode()
        ));
    }
    // Invisible and space-like characters other than the ASCII space: `eval.auc` and
    // `eval.auc` + U+200B would be two columns that read alike in every table.
    if let Some(c) = key.chars().find(|c| invisible(*c)) {
        return Some(format!(
            "metric name '{}' holds the invisible character {}, which would make it look like another",
            key.escape_debug(),
            c.escape_unicode()
        ));
    }
    if key.contains('=') {
        return Some(format!(
            "metric name '{key}' holds '=', which separates a metric's name from its value"
        ));
    }
    if key.trim() != key {
        return Some(format!("metric name '{key}' starts or ends with a space"));
    }
    None
}

/// Characters that show as nothing or as a space without being the ASCII space.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{a0}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180e}'
            | '\u{2000}'..='\u{200d}'
            | '\u{202f}'
            | '\u{205f}'..='\u{2064}'
            | '\u{3000}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
    )
}

/// Parses `KEY=VALUE` as `register --metric` takes it.
pub(crate) fn parse_assignment(text: &str) -> Result<(String, Value), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "'{}' is not KEY=VALUE (for example eval.auc=0.913)",
            text.escape_debug()
        ));
    };
    if let Some(why) = bad_key(key) {
        return Err(why);
    }
    if let Some(c) = value.chars().find(|c| breaks_line(*c)) {
        return Err(format!(
            "the value of metric '{key}' holds the control character {}",
            c.escape_unicode()
        ));
    }
    Ok((key.to_string(), Value::from_cli(value)))
}

/// The trailer lines recording `metrics`, one per metric (keys checked by [`bad_key`]).
pub(crate) fn trailer_lines(metrics: &Metrics) -> Vec<String> {
    metrics
        .iter()
        .map(|(k, v)| format!("{TRAILER}: {k}={}", v.trailer_text()))
        .collect()
}

/// `message` with `metrics` recorded as trailers: appended to the message's trailer block when
/// it ends with one of ours (`Artifact-Path`…), else as a block of their own.
pub(crate) fn record(message: &str, metrics: &Metrics) -> String {
    if metrics.is_empty() {
        return message.to_string();
    }
    let text = message.trim_end();
    let last = text.rsplit_once("\n\n").map_or(text, |(_, l)| l);
    let ends_with_block = last.lines().any(|l| l.starts_with("Artifact-"));
    let sep = if ends_with_block { "\n" } else { "\n\n" };
    format!("{text}{sep}{}", trailer_lines(metrics).join("\n"))
}

/// What a tag message records of metrics: `Ok(None)` when it records none; an error naming the
/// line when its `Artifact-Metric` trailers do not read cleanly (a key twice, a bad name, a value
/// that is not a JSON scalar). Only the last paragraph is read, as trailers are.
pub(crate) fn recorded(message: &str) -> Result<Option<Metrics>, String> {
    let text = message.trim_end();
    let last = text.rsplit_once("\n\n").map_or(text, |(_, l)| l);
    let mut out = Metrics::new();
    let mut any = false;
    for line in last.lines() {
        let Some(rest) = line.strip_prefix(TRAILER) else {
            continue;
        };
        let Some((key, value)) = rest.strip_prefix(": ").and_then(|r| r.split_once('=')) else {
            return Err(format!(
                "trailer line '{}' is not `{TRAILER}: KEY=VALUE`",
                line.escape_debug()
            ));
        };
        any = true;
        if let Some(why) = bad_key(key) {
            return Err(why);
        }
        let Some(value) = Value::from_trailer(value.trim()) else {
            return Err(format!(
                "the recorded value of metric '{key}' ('{}') is not a JSON scalar",
                value.escape_debug()
            ));
        };
        if out.insert(key.to_string(), value).is_some() {
            return Err(format!("metric '{key}' is recorded twice"));
        }
    }
    Ok(any.then_some(out))
}

mod change;
mod condition;
#[cfg(test)]
mod tests;

pub(crate) use change::{Change, diff, format_change};
pub(crate) use condition::Condition;
