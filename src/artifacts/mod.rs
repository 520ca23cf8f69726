//! `artifacts.yaml`: GTO's schema (reference §9.1), loading with errors that name file, line and
//! field, and edits that keep the rest of the file byte for byte.
//!
//! The YAML is read into our own values (`src/yaml.rs`, the one file naming the YAML crate).
//! Edits work on the text, not on a parsed tree, because no YAML library round-trips comments: an
//! entry is the block from its top-level `name:` line to the next top-level line; a field is a
//! line at the entry's indentation plus its continuation lines. Only the lines of the fields being
//! set change; comments, order, blank lines and other entries stay exactly as written. Loading
//! validates first, so a malformed file is reported and never rewritten.

use crate::error::UserError;
use crate::registry::name::is_name;
use crate::yaml::{Mapping, Value};

pub(crate) mod declared;
mod dvc_edit;
mod dvc_yaml;
mod edit;

pub(crate) use dvc_edit::edit as edit_dvc;
pub(crate) use dvc_yaml::parse as parse_dvc;
pub(crate) use edit::{Changes, Edit, edit};
use edit::{is_top_level, key_of};

/// One artifact's declaration. `raw` keeps every key as written (unknown ones too).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Option<String>,
    pub path: Option<String>,
    /// GTO's default is `true` when the key is absent.
    pub is_virtual: bool,
    pub labels: Vec<String>,
    pub description: Option<String>,
    pub custom: Option<Value>,
    pub raw: Mapping,
}

impl Entry {
    /// Whether the entry itself says `virtual: true`: the one rule every reader asks here. GTO
    /// reads a missing `virtual:` as true ([`Entry::is_virtual`]), but a path in the repository
    /// is still worth a digest and a check that it stays inside, so an entry goes without them
    /// only when it says so.
    pub fn is_explicitly_virtual(&self) -> bool {
        self.says_virtual() == Some(true)
    }

    /// What the entry writes for `virtual:`: `None` when the key is absent or empty (loading
    /// refuses anything but true, false or empty).
    pub fn says_virtual(&self) -> Option<bool> {
        self.raw.get("virtual").and_then(Value::as_bool)
    }
}

/// The 1-based line of a top-level `name:` key, and of `field:` inside its block.
fn locate(text: &str, name: &str, field: Option<&str>) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| key_of(l) == Some(name))?;
    let Some(field) = field else {
        return Some(start + 1);
    };
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if is_top_level(l) {
            break;
        }
        if l.trim_start()
            .strip_prefix(field)
            .is_some_and(|r| r.starts_with(':'))
        {
            return Some(i + 1);
        }
    }
    Some(start + 1)
}

fn err_at(file: &str, text: &str, name: &str, field: Option<&str>, what: String) -> UserError {
    let line = locate(text, name, field).map_or(String::new(), |l| format!(":{l}"));
    let place = match field {
        Some(f) => format!("'{name}.{f}'"),
        None => format!("'{name}'"),
    };
    // GTO's wording first (reference §12), then where and what.
    UserError::new(format!(
        "{file}{line}: {place} {what} (artifacts.yaml file doesn't conform to GTO format)"
    ))
}

/// Parses a whole `artifacts.yaml`; `file` names it in errors. Entries keep file order.
pub fn parse(text: &str, file: &str) -> Result<Vec<(String, Entry)>, UserError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value = Value::parse(text).map_err(|e| {
        let at = e
            .location()
            .map_or(String::new(), |(line, column)| format!(":{line}:{column}"));
        UserError::new(format!("{file}{at}: invalid YAML: {e}"))
    })?;
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Mapping(m) => m,
        _ => {
            return Err(UserError::new(format!(
                "{file}:1: must be a mapping of artifact names to entries (artifacts.yaml file doesn't conform to GTO format)"
            )));
        }
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let Value::String(name) = k else {
            return Err(UserError::new(format!(
                "{file}: artifact names must be strings, found {k:?}"
            )));
        };
        if !is_name(&name) {
            return Err(err_at(
                file,
                text,
                &name,
                None,
                "is not a valid artifact name".into(),
            ));
        }
        let raw = match v {
            Value::Null => Mapping::new(),
            Value::Mapping(m) => m,
            _ => {
                return Err(err_at(
                    file,
                    text,
                    &name,
                    None,
                    "must be a mapping of fields".into(),
                ));
            }
        };
        let text_field = |key: &str| -> Result<Option<String>, UserError> {
            match raw.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err_at(
                    file,
                    text,
                    &name,
                    Some(key),
                    "must be a string".into(),
                )),
            }
        };
        let kind = text_field("type")?;
        if let Some(t) = &kind
            && !is_name(t)
        {
            return Err(err_at(
                file,
                text,
                &name,
                Some("type"),
                format!("'{t}' is not a valid type name"),
            ));
        }
        let path = text_field("path")?;
        let description = text_field("description")?;
        let is_virtual = match raw.get("virtual") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(err_at(
                    file,
                    text,
                    &name,
                    Some("virtual"),
                    "must be true or false".into(),
                ));
            }
        };
        let labels = match raw.get("labels") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => {
                let mut labels = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) if is_name(s) => labels.push(s.clone()),
                        _ => {
                            return Err(err_at(
                                file,
                                text,
                                &name,
                                Some("labels"),
                                format!("holds {item:?}, which is not a valid label"),
                            ));
                        }
                    }
                }
                labels
            }
            Some(_) => {
                return Err(err_at(
                    file,
                    text,
                    &name,
                    Some("labels"),
                    "must be a list".into(),
                ));
            }
        };
        let custom = raw.get("custom").cloned().filter(|v| !v.is_null());
        out.push((
            name,
            Entry {
                kind,
                path,
                is_virtual,
                labels,
                description,
                custom,
                raw,
            },
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

/// Property tests of the edits: over generated files with block scalars (`|`, `>`, blank lines
/// inside), flow collections, comments and anchors, every edit parses to the old mapping with
/// exactly that edit applied (computed on the parsed value, independently of the editor), and
/// every other entry keeps its bytes. The only edit allowed to be refused is one that would take
/// away an anchor another entry refers to.
#[cfg(test)]
mod props;

/// The same properties for `dvc.yaml`'s `artifacts:` section, in files with other sections.
#[cfg(test)]
mod dvc_props;
