//! One metrics file's text to flat metrics, as `dvc metrics show` reads it: the format by
//! extension (`.json`, `.toml`, anything else YAML, DVC's `LOADERS` with its YAML default; the
//! extension compared lowercased, as DVC does), then only what DVC keeps (its
//! `_extract_metrics`): numbers, strings and booleans, in nested mappings. Lists, nulls and TOML
//! dates are left out, as DVC leaves them out, so the values equal DVC's.
//!
//! An error is the file's line and why (`line 3: expected `,` or `}``); the caller names the file
//! and the commit.

use crate::registry::metrics::{self, Metrics, Number, Value};

/// The formats `dvc metrics show` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
    Toml,
}

impl Format {
    /// DVC's choice by extension: `.json`, `.toml`, and YAML for everything else.
    pub(crate) fn of_path(path: &str) -> Format {
        let base = path.rsplit('/').next().unwrap_or(path);
        let ext = base
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "json" => Format::Json,
            "toml" => Format::Toml,
            _ => Format::Yaml,
        }
    }
}

/// The metrics one file's text holds, flattened with `.` ([`metrics::flatten_checked`]), and
/// the keys two places of the file give (left out); `Err` is `line N: why`.
pub(crate) fn metrics_of(path: &str, text: &str) -> Result<(Metrics, Vec<String>), String> {
    // Non-finite floats (YAML's `.nan`, TOML's `inf`) have no JSON value: they are set after
    // flattening, under the key flattening gives them.
    let mut special = Vec::new();
    let tree = match Format::of_path(path) {
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("line {}: {}", e.line(), without_position(&e.to_string())))?;
            keep_json(&v)
        }
        Format::Yaml => {
            let v = crate::yaml::Value::parse(text).map_err(|e| {
                let line = e.location().map_or(1, |(l, _)| l);
                format!("line {line}: {}", without_position(&e.to_string()))
            })?;
            if v.has_tag() {
                return Err(tag_error(text));
            }
            from_yaml(&v, "", &mut special)
        }
        Format::Toml => {
            let t: toml::Table = toml::from_str(text).map_err(|e| {
                let line = e.span().map_or(1, |s| {
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                });
                format!("line {line}: {}", e.message())
            })?;
            from_toml_table(&t, "", &mut special)
        }
    };
    let (mut out, twice) = tree.map_or_else(Default::default, |t| metrics::flatten_checked(&t));
    for (key, value) in special {
        if !twice.contains(&key) {
            out.insert(key, Value::Number(Number::from_f64(value)));
        }
    }
    Ok((out, twice))
}

/// A parser's message without its own ` at line 3 column 5` (the caller says the line).
fn without_position(message: &str) -> String {
    message
        .split_once(" at line ")
        .map_or(message, |(m, _)| m)
        .to_string()
}

/// DVC's safe YAML loader refuses a tag (`!x`): so is the whole file here.
fn tag_error(text: &str) -> String {
    let line = text
        .lines()
        .position(|l| l.split_whitespace().any(|w| w.starts_with('!')))
        .map_or(1, |i| i + 1);
    format!("line {line}: holds a YAML tag (`!…`), which DVC's loader refuses")
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// What DVC keeps of a JSON value: scalars it reads as metrics, and mappings of them.
fn keep_json(v: &serde_json::Value) -> Option<serde_json::Value> {
    match v {
        serde_json::Value::Object(map) => {
            let kept: serde_json::Map<String, serde_json::Value> = map
                .iter()
                .filter_map(|(k, v)| keep_json(v).map(|v| (k.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(serde_json::Value::Object(kept))
        }
        serde_json::Value::Number(_)
        | serde_json::Value::String(_)
        | serde_json::Value::Bool(_) => Some(v.clone()),
        serde_json::Value::Null | serde_json::Value::Array(_) => None,
    }
}

/// A YAML key as Python's `str` writes the key DVC reads (`1`, `True`); `None` for keys that
/// are no scalar.
fn yaml_key(k: &crate::yaml::Value) -> Option<String> {
    use crate::yaml::Value as Y;
    match k {
        Y::String(s) => Some(s.clone()),
        Y::Bool(true) => Some("True".into()),
        Y::Bool(false) => Some("False".into()),
        Y::Number(_) => Some(k.to_yaml().trim().to_string()),
        _ => None,
    }
}

fn from_yaml(
    v: &crate::yaml::Value,
    at: &str,
    special: &mut Vec<(String, f64)>,
) -> Option<serde_json::Value> {
    use crate::yaml::Value as Y;
    match v {
        Y::Mapping(m) => {
            let mut kept = serde_json::Map::new();
            for (k, v) in m {
                let Some(key) = yaml_key(k) else { continue };
                if let Some(v) = from_yaml(v, &join(at, &key), special) {
                    kept.insert(key, v);
                }
            }
            (!kept.is_empty()).then_some(serde_json::Value::Object(kept))
        }
        Y::Bool(b) => Some(serde_json::Value::Bool(*b)),
        Y::String(s) => Some(serde_json::Value::String(s.clone())),
        Y::Number(_) => {
            if let Ok(n @ serde_json::Value::Number(_)) = serde_json::to_value(v) {
                return Some(n);
            }
            // `.nan`, `.inf`, `-.inf`: serde_json holds no such number.
            let value = match v.to_yaml().trim() {
                ".nan" | ".NaN" | ".NAN" => f64::NAN,
                t if t.starts_with('-') => f64::NEG_INFINITY,
                _ => f64::INFINITY,
            };
            special.push((at.to_string(), value));
            Some(serde_json::Value::Null)
        }
        Y::Null | Y::Sequence(_) | Y::Tagged(_) => None,
    }
}

fn from_toml_table(
    t: &toml::Table,
    at: &str,
    special: &mut Vec<(String, f64)>,
) -> Option<serde_json::Value> {
    let mut kept = serde_json::Map::new();
    for (k, v) in t {
        if let Some(v) = from_toml(v, &join(at, k), special) {
            kept.insert(k.clone(), v);
        }
    }
    (!kept.is_empty()).then_some(serde_json::Value::Object(kept))
}

fn from_toml(
    v: &toml::Value,
    at: &str,
    special: &mut Vec<(String, f64)>,
) -> Option<serde_json::Value> {
    match v {
        toml::Value::Table(t) => from_toml_table(t, at, special),
        toml::Value::String(s) => Some(serde_json::Value::String(s.clone())),
        toml::Value::Integer(i) => Some(serde_json::Value::from(*i)),
        toml::Value::Boolean(b) => Some(serde_json::Value::Bool(*b)),
        toml::Value::Float(f) => {
            if let Some(n) = serde_json::Number::from_f64(*f) {
                return Some(serde_json::Value::Number(n));
            }
            special.push((at.to_string(), *f));
            Some(serde_json::Value::Null)
        }
        // DVC keeps no dates (not int, float or str) and no lists.
        toml::Value::Datetime(_) | toml::Value::Array(_) => None,
    }
}
