//! `dvc.yaml`'s `artifacts:` section (reference §9.2): DVC's schema read into our [`Entry`], with
//! errors that name the file, line and field, and warnings for what registry cannot read as
//! DVC would (templated `${…}` fields, IDs that are no artifact name).
//!
//! DVC's fields map to GTO's: `path`, `type`, `labels` as they are, `desc` to `description` and
//! `meta` to `custom`. `raw` holds the GTO names, so `describe --json` and `diff` speak one
//! vocabulary whichever file declares an artifact. Nothing else of the file (`stages:`,
//! `params:`, `vars:` …) is read. There is no `virtual:` in DVC: a path with a scheme (`s3://…`)
//! is an outside location, so the entry is virtual exactly then.

use super::Entry;
use super::edit::{is_top_level, key_of};
use crate::error::UserError;
use crate::yaml::{Mapping, Value};

/// The top-level key DVC declares artifacts under.
pub(crate) const SECTION: &str = "artifacts";

/// What a `dvc.yaml` declares: `(ID, entry)` in file order, and warnings to show.
#[derive(Debug, Default)]
pub(crate) struct DvcDeclarations {
    pub entries: Vec<(String, Entry)>,
    pub warnings: Vec<String>,
}

/// The `dvc.yaml` schema's words for our fields: ours first, DVC's second.
pub(crate) const FIELD_NAMES: [(&str, &str); 5] = [
    ("path", "path"),
    ("type", "type"),
    ("description", "desc"),
    ("labels", "labels"),
    ("custom", "meta"),
];

/// DVC's name for one of our fields (`description` → `desc`); other keys are their own.
pub(crate) fn dvc_field(ours: &str) -> &str {
    FIELD_NAMES
        .iter()
        .find(|(o, _)| *o == ours)
        .map_or(ours, |(_, d)| d)
}

fn our_field(dvc: &str) -> &str {
    FIELD_NAMES
        .iter()
        .find(|(_, d)| *d == dvc)
        .map_or(dvc, |(o, _)| o)
}

/// Whether a value uses DVC's templating (`${var}`), which needs the file's `vars:` and
/// `params.yaml` to mean anything.
fn templated(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("${"),
        Value::Sequence(items) => items.iter().any(templated),
        Value::Mapping(m) => m.iter().any(|(k, v)| templated(k) || templated(v)),
        _ => false,
    }
}

/// The 1-based line of `artifacts:`, of an ID inside it and of a field inside that.
pub(crate) fn locate(text: &str, id: Option<&str>, field: Option<&str>) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| key_of(l) == Some(SECTION))?;
    let Some(id) = id else {
        return Some(start + 1);
    };
    let keyed = |l: &str, key: &str| {
        let t = l.trim_start();
        [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .any(|k| {
                t.strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with(':'))
            })
    };
    let mut found = None;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if is_top_level(l) {
            break;
        }
        if keyed(l, id) {
            found = Some(i);
            break;
        }
    }
    let Some(at) = found else {
        return Some(start + 1);
    };
    let Some(field) = field else {
        return Some(at + 1);
    };
    let indent = lines[at].len() - lines[at].trim_start().len();
    for (i, l) in lines.iter().enumerate().skip(at + 1) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if l.len() - t.len() <= indent {
            break;
        }
        if keyed(l, field) {
            return Some(i + 1);
        }
    }
    Some(at + 1)
}

fn err(file: &str, text: &str, id: Option<&str>, field: Option<&str>, what: &str) -> UserError {
    let line = locate(text, id, field).map_or(String::new(), |l| format!(":{l}"));
    let place = match (id, field) {
        (Some(id), Some(f)) => format!("'{SECTION}.{id}.{f}'"),
        (Some(id), None) => format!("'{SECTION}.{id}'"),
        _ => format!("'{SECTION}'"),
    };
    UserError::new(format!(
        "{file}{line}: {place} {what} (dvc.yaml does not conform to DVC's artifacts schema)"
    ))
}

/// Parses the `artifacts:` section of a whole `dvc.yaml`; `file` names it in messages.
pub(crate) fn parse(text: &str, file: &str) -> Result<DvcDeclarations, UserError> {
    let mut out = DvcDeclarations::default();
    if text.trim().is_empty() {
        return Ok(out);
    }
    let value = Value::parse(text).map_err(|e| {
        let at = e
            .location()
            .map_or(String::new(), |(line, column)| format!(":{line}:{column}"));
        UserError::new(format!("{file}{at}: invalid YAML: {e}"))
    })?;
    if value.has_tag() {
        // DVC loads dvc.yaml with a safe loader: an unknown tag makes every stage unreadable.
        let line = text
            .lines()
            .position(|l| {
                l.split_once('#')
                    .map_or(l, |(code, _)| code)
                    .split_whitespace()
                    .any(|w| w.starts_with('!'))
            })
            .map_or(String::new(), |i| format!(":{}", i + 1));
        return Err(UserError::new(format!(
            "{file}{line}: holds a YAML tag (`!…`), which DVC cannot read: it refuses the whole file"
        )));
    }
    let top = match value {
        Value::Null => return Ok(out),
        Value::Mapping(m) => m,
        _ => {
            return Err(UserError::new(format!(
                "{file}:1: must be a mapping (dvc.yaml holds `stages:`, `artifacts:` and the like)"
            )));
        }
    };
    let section = match top.get(SECTION) {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Mapping(m)) => m,
        Some(_) => {
            return Err(err(
                file,
                text,
                None,
                None,
                "must be a mapping of artifact IDs to entries",
            ));
        }
    };
    for (k, v) in section {
        let Value::String(id) = k else {
            return Err(err(
                file,
                text,
                None,
                None,
                &format!("holds the key {k:?}, which is not a string"),
            ));
        };
        let id = id.as_str();
        let at = locate(text, Some(id), None).map_or(String::new(), |l| format!(":{l}"));
        if id.contains("${") {
            out.warnings.push(format!(
                "{file}{at}: artifact ID '{id}' is templated (${{…}}); registry reads dvc.yaml without its vars, so it leaves the entry out"
            ));
            continue;
        }
        let Value::Mapping(fields) = v else {
            return Err(err(
                file,
                text,
                Some(id),
                None,
                "must be a mapping of fields",
            ));
        };
        let mut raw = Mapping::new();
        for (fk, fv) in fields {
            let Value::String(name) = fk else {
                return Err(err(
                    file,
                    text,
                    Some(id),
                    None,
                    &format!("holds the key {fk:?}, which is not a string"),
                ));
            };
            if templated(fv) {
                let line =
                    locate(text, Some(id), Some(name)).map_or(String::new(), |l| format!(":{l}"));
                out.warnings.push(format!(
                    "{file}{line}: '{SECTION}.{id}.{name}' is templated (${{…}}); registry reads dvc.yaml without its vars, so it leaves the field out"
                ));
                continue;
            }
            raw.insert(Value::String(our_field(name).to_string()), fv.clone());
        }
        let string = |ours: &str| -> Result<Option<String>, UserError> {
            match raw.get(ours) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s))
                    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') =>
                {
                    Ok(Some(s.clone()))
                }
                Some(Value::String(_)) => Err(err(
                    file,
                    text,
                    Some(id),
                    Some(dvc_field(ours)),
                    "holds a control character",
                )),
                Some(_) => Err(err(
                    file,
                    text,
                    Some(id),
                    Some(dvc_field(ours)),
                    "must be a string",
                )),
            }
        };
        let path = string("path")?;
        let kind = string("type")?;
        let description = string("description")?;
        for (ours, value) in [("path", &path), ("type", &kind)] {
            if value.as_deref().is_some_and(|s| s.contains(['\n', '\t'])) {
                return Err(err(
                    file,
                    text,
                    Some(id),
                    Some(dvc_field(ours)),
                    "must be one line",
                ));
            }
        }
        // DVC requires `path`; a templated one was left out above with its warning.
        if path.is_none() && !fields.contains_key("path") {
            return Err(err(
                file,
                text,
                Some(id),
                None,
                "has no `path`, which DVC requires",
            ));
        }
        let labels = match raw.get("labels") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => {
                let mut labels = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) if !s.chars().any(char::is_control) => {
                            labels.push(s.clone());
                        }
                        _ => {
                            return Err(err(
                                file,
                                text,
                                Some(id),
                                Some("labels"),
                                &format!("holds {item:?}, which is not a one-line string"),
                            ));
                        }
                    }
                }
                labels
            }
            Some(_) => {
                return Err(err(file, text, Some(id), Some("labels"), "must be a list"));
            }
        };
        let custom = match raw.get("custom") {
            None | Some(Value::Null) => None,
            Some(m @ Value::Mapping(_)) => Some(m.clone()),
            Some(_) => {
                return Err(err(file, text, Some(id), Some("meta"), "must be a mapping"));
            }
        };
        let is_virtual = path.as_deref().is_some_and(|p| p.contains("://"));
        out.entries.push((
            id.to_string(),
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
mod tests {
    use super::*;

    const FILE: &str = "\
stages:
  train:
    cmd: python train.py
    outs:
      - models/churn.pkl
# Artifacts, for Studio.
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: 'Churn classifier'
    labels: [tabular, xgboost]
    meta: {framework: xgboost}
  cv-templated:
    path: ${model_dir}/cv.pt
    type: model
  remote:
    path: s3://bucket/emb.npy
metrics:
  - metrics.json
";

    #[test]
    fn reads_dvcs_fields_into_ours_and_warns_about_templates() {
        let d = parse(FILE, "dvc.yaml").unwrap();
        let names: Vec<&str> = d.entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["churn", "cv-templated", "remote"]);
        let churn = &d.entries[0].1;
        assert_eq!(churn.path.as_deref(), Some("models/churn.pkl"));
        assert_eq!(churn.kind.as_deref(), Some("model"));
        assert_eq!(churn.description.as_deref(), Some("Churn classifier"));
        assert_eq!(churn.labels, ["tabular", "xgboost"]);
        assert!(churn.custom.is_some());
        assert!(!churn.is_virtual);
        let keys: Vec<&str> = churn.raw.keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, ["path", "type", "description", "labels", "custom"]);
        let templated = &d.entries[1].1;
        assert_eq!(templated.path, None);
        assert_eq!(templated.kind.as_deref(), Some("model"));
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(
            d.warnings[0].starts_with("dvc.yaml:15: 'artifacts.cv-templated.path' is templated"),
            "{}",
            d.warnings[0]
        );
        assert!(d.entries[2].1.is_virtual);
    }

    #[test]
    fn a_malformed_section_names_file_line_and_field() {
        for (text, wanted) in [
            (
                "artifacts:\n  churn:\n    path: [a]\n",
                "dvc.yaml:3: 'artifacts.churn.path' must be a string",
            ),
            (
                "artifacts:\n  churn:\n    type: model\n",
                "dvc.yaml:2: 'artifacts.churn' has no `path`",
            ),
            (
                "artifacts:\n  churn:\n    path: m\n    labels: x\n",
                "dvc.yaml:4: 'artifacts.churn.labels' must be a list",
            ),
            (
                "artifacts:\n  churn:\n    path: m\n    meta: [1]\n",
                "dvc.yaml:4: 'artifacts.churn.meta' must be a mapping",
            ),
            (
                "artifacts: [a]\n",
                "dvc.yaml:1: 'artifacts' must be a mapping",
            ),
            ("stages: {\n", "dvc.yaml:"),
            ("- a\n", "dvc.yaml:1: must be a mapping"),
        ] {
            let e = parse(text, "dvc.yaml").unwrap_err();
            assert!(e.message.starts_with(wanted), "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn a_yaml_tag_anywhere_is_refused_as_dvc_refuses_it() {
        let text = "stages:\n  s:\n    cmd: x\nartifacts:\n  m:\n    path: m.pkl\n    meta:\n      j: !custom x\n";
        let e = parse(text, "dvc.yaml").unwrap_err();
        assert!(
            e.message
                .starts_with("dvc.yaml:8: holds a YAML tag (`!…`), which DVC cannot read"),
            "{}",
            e.message
        );
        // YAML's own tags are no custom tags: a safe loader reads them.
        let plain = "artifacts:\n  m:\n    path: !!str m.pkl\n";
        assert_eq!(parse(plain, "dvc.yaml").unwrap().entries.len(), 1);
    }

    #[test]
    fn files_without_artifacts_declare_nothing() {
        for text in ["", "stages: {}\n", "artifacts:\n", "# only a comment\n"] {
            let d = parse(text, "dvc.yaml").unwrap();
            assert!(d.entries.is_empty() && d.warnings.is_empty(), "{text:?}");
        }
    }
}
