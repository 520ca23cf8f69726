//! `artifacts.yaml`: GTO's schema (reference §9.1), loading with errors that name file, line and
//! field, and edits that keep the rest of the file byte for byte.
//!
//! The only file that names the YAML crate for artifacts. Edits work on the text, not on a parsed
//! tree, because no YAML library round-trips comments: an entry is the block from its top-level
//! `name:` line to the next top-level line; a field is a line at the entry's indentation plus its
//! continuation lines. Only the lines of the fields being set change; comments, order, blank lines
//! and other entries stay exactly as written. Loading validates first, so a malformed file is
//! reported and never rewritten.

use serde_yaml::{Mapping, Value};

use crate::error::UserError;
use crate::registry::name::is_name;

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
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map_or(String::new(), |l| format!(":{}:{}", l.line(), l.column()));
        UserError::new(format!("{file}{at}: invalid YAML: {e}"))
    })?;
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Mapping(m) => m,
        _ => {
            return Err(UserError::new(format!(
                "{file}:1: must be a mapping of artifact names to entries (artifacts.yaml file doesn't conform to GTO format)"
            )))
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
                ))
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
        if let Some(t) = &kind {
            if !is_name(t) {
                return Err(err_at(
                    file,
                    text,
                    &name,
                    Some("type"),
                    format!("'{t}' is not a valid type name"),
                ));
            }
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
                ))
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
                            ))
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
                ))
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

/// What `annotate` sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub kind: Option<String>,
    pub path: Option<String>,
    pub is_virtual: Option<bool>,
    /// Labels to add (kept unique, in order).
    pub labels: Vec<String>,
    pub description: Option<String>,
    /// `custom` keys to set (value parsed as YAML).
    pub custom: Vec<(String, Value)>,
}

fn key_of(line: &str) -> Option<&str> {
    if !is_top_level(line) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim().trim_matches(|c| c == '"' || c == '\''))
}

/// A line that starts a new top-level key (not indented, not a comment, not blank).
fn is_top_level(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#']) && !line.starts_with("---")
}

/// A string as a YAML scalar: plain where unambiguous, else double-quoted (JSON is valid YAML).
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !s.starts_with(['-', '.'])
        && serde_yaml::from_str::<Value>(s).ok() == Some(Value::String(s.to_string()));
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

/// Renders a YAML value under `key` at `indent`, as lines.
fn render(key: &str, value: &Value, indent: &str) -> Vec<String> {
    match value {
        Value::String(s) => vec![format!("{indent}{key}: {}", scalar(s))],
        Value::Bool(_) | Value::Number(_) | Value::Null => {
            let v = serde_yaml::to_string(value).unwrap_or_default();
            vec![format!("{indent}{key}: {}", v.trim_end())]
        }
        Value::Sequence(items) if items.iter().all(|i| matches!(i, Value::String(_))) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|i| i.as_str().map(scalar))
                .collect();
            vec![format!("{indent}{key}: [{}]", parts.join(", "))]
        }
        _ => {
            let body = serde_yaml::to_string(value).unwrap_or_default();
            let mut lines = vec![format!("{indent}{key}:")];
            lines.extend(body.lines().map(|l| format!("{indent}  {l}")));
            lines
        }
    }
}

/// Lines `[start, end)` of the block of top-level key `name`, if present.
fn entry_block(lines: &[&str], name: &str) -> Option<(usize, usize)> {
    let start = lines.iter().position(|l| key_of(l) == Some(name))?;
    let mut end = start + 1;
    while end < lines.len() && !is_top_level(lines[end]) {
        end += 1;
    }
    // Blank lines and comments right before the next key belong to the gap, not to this entry.
    while end > start + 1 && (lines[end - 1].trim().is_empty() || lines[end - 1].starts_with('#')) {
        end -= 1;
    }
    Some((start, end))
}

/// The key of a `key: value` line (quotes taken off), if it is one.
fn field_key(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("? ").unwrap_or(t);
    for q in ['"', '\''] {
        if let Some(rest) = t.strip_prefix(q) {
            let close = rest.find(q)?;
            return rest[close + 1..]
                .trim_start()
                .starts_with(':')
                .then(|| &rest[..close]);
        }
    }
    let (key, rest) = t.split_once(':')?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then(|| key.trim_end())
}

/// The end (exclusive) of the value of the field on line `i` of `block`: every later line
/// indented deeper than the field, or a `- item` at its indent (a block sequence), as YAML
/// reads it. Blank and comment lines continue it while deeper lines follow (a block scalar
/// `|` or `>` holds blank lines), and are left out at its end (they belong to the gap).
fn value_end(block: &[String], i: usize, indent: usize) -> usize {
    let mut end = i + 1;
    let mut j = i + 1;
    while j < block.len() {
        let l = &block[j];
        let t = l.trim_start();
        if t.is_empty() || (t.starts_with('#') && indent_of(l) <= indent) {
            j += 1;
            continue;
        }
        let deeper = indent_of(l) > indent;
        let seq = indent_of(l) == indent && (t == "-" || t.starts_with("- "));
        if !(deeper || seq) {
            break;
        }
        j += 1;
        end = j;
    }
    end
}

/// Whether a `key: |+` (or `>+`, `|2+`, …) line starts a block scalar that keeps its trailing
/// blank lines.
fn keeps_trailing_lines(line: &str) -> bool {
    let Some((_, value)) = line.split_once(": ") else {
        return false;
    };
    let value = value.split(" #").next().unwrap_or("").trim();
    value.len() >= 2
        && value.starts_with(['|', '>'])
        && value[1..].contains('+')
        && value[1..].chars().all(|c| c == '+' || c.is_ascii_digit())
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The fields `changes` sets, with their new values (labels and custom keys merged with
/// `current`'s), in the order they are written.
fn field_values(current: Option<&Entry>, changes: &Changes) -> Vec<(&'static str, Value)> {
    let mut sets: Vec<(&'static str, Value)> = Vec::new();
    if let Some(t) = &changes.kind {
        sets.push(("type", Value::String(t.clone())));
    }
    if let Some(p) = &changes.path {
        sets.push(("path", Value::String(p.clone())));
    }
    if let Some(v) = changes.is_virtual {
        sets.push(("virtual", Value::Bool(v)));
    }
    if !changes.labels.is_empty() {
        let mut labels: Vec<String> = current.map(|e| e.labels.clone()).unwrap_or_default();
        for l in &changes.labels {
            if !labels.contains(l) {
                labels.push(l.clone());
            }
        }
        sets.push((
            "labels",
            Value::Sequence(labels.into_iter().map(Value::String).collect()),
        ));
    }
    if let Some(d) = &changes.description {
        sets.push(("description", Value::String(d.clone())));
    }
    if !changes.custom.is_empty() {
        let mut custom = match current.and_then(|e| e.custom.clone()) {
            Some(Value::Mapping(m)) => m,
            _ => Mapping::new(),
        };
        for (k, v) in &changes.custom {
            custom.insert(Value::String(k.clone()), v.clone());
        }
        sets.push(("custom", Value::Mapping(custom)));
    }
    sets
}

/// Applies `changes` to entry `name` in `text` (creating the entry at the end if absent) and
/// returns the new text. `current` is the entry as parsed, for merging labels and custom keys.
pub fn annotate(text: &str, name: &str, current: Option<&Entry>, changes: &Changes) -> String {
    let sets = field_values(current, changes);
    let had_newline = text.ends_with('\n') || text.is_empty();
    let lines: Vec<&str> = text.lines().collect();
    let Some((start, end)) = entry_block(&lines, name) else {
        // A new entry at the end of the file.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{}:\n", scalar(name)));
        for (key, value) in &sets {
            for l in render(key, value, "  ") {
                out.push_str(&l);
                out.push('\n');
            }
        }
        return out;
    };
    let head = lines[start];
    let inline_value = head.split_once(':').map_or("", |(_, v)| v).trim();
    let inline_value = if inline_value.starts_with('#') {
        ""
    } else {
        inline_value.split(" #").next().unwrap_or("").trim()
    };
    // `name: &anchor` starts a block mapping as `name:` does; the head line stays as written.
    let anchor_only = inline_value.starts_with('&') && !inline_value.contains(char::is_whitespace);
    let inline_value = if anchor_only { "" } else { inline_value };
    let mut block: Vec<String>;
    if !inline_value.is_empty() && inline_value != "~" && inline_value != "null" {
        // A flow-style entry (`name: {type: model}`) cannot be edited in place: this one entry is
        // rewritten in block style with every key it had.
        block = vec![format!("{}:", scalar(name))];
        let mut merged = current.map(|e| e.raw.clone()).unwrap_or_default();
        for (key, value) in &sets {
            merged.insert(Value::String((*key).to_string()), value.clone());
        }
        for (k, v) in &merged {
            if let Some(k) = k.as_str() {
                block.extend(render(k, v, "  "));
            }
        }
    } else {
        block = lines[start..end].iter().map(|s| s.to_string()).collect();
        if !inline_value.is_empty() {
            block[0] = format!("{}:", scalar(name));
        }
        let indent_width = block
            .iter()
            .skip(1)
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map_or(2, |l| indent_of(l));
        let indent = " ".repeat(indent_width);
        for (key, value) in &sets {
            let rendered = render(key, value, &indent);
            let field_line = block
                .iter()
                .skip(1)
                .position(|l| indent_of(l) == indent_width && field_key(l) == Some(*key))
                .map(|i| i + 1);
            match field_line {
                Some(i) => {
                    let end = value_end(&block, i, indent_width);
                    block.splice(i..end, rendered);
                }
                None => {
                    let mut at = block.len();
                    while at > 1 && block[at - 1].trim().is_empty() {
                        at -= 1;
                    }
                    // A block scalar kept with `+` owns the blank lines after it: the new field
                    // goes before that last field instead of between it and its blank lines.
                    let last = (1..block.len()).rev().find(|&i| {
                        indent_of(&block[i]) == indent_width && field_key(&block[i]).is_some()
                    });
                    if let Some(last) = last.filter(|&i| keeps_trailing_lines(&block[i])) {
                        at = last;
                    }
                    block.splice(at..at, rendered);
                }
            }
        }
    }
    let mut out: Vec<String> = lines[..start].iter().map(|s| s.to_string()).collect();
    out.extend(block);
    out.extend(lines[end..].iter().map(|s| s.to_string()));
    let mut text = out.join("\n");
    if had_newline {
        text.push('\n');
    }
    text
}

/// Removes entry `name` (and the comment lines directly above it); `None` if absent.
pub fn remove(text: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut start, mut end) = entry_block(&lines, name)?;
    while start > 0 && lines[start - 1].starts_with('#') {
        start -= 1;
    }
    // The gap after the entry goes with it and the gap before it stays, so the entry above ends
    // exactly as before (a block scalar kept with `|+` owns the blank lines that follow it).
    while end < lines.len() && lines[end].trim().is_empty() {
        end += 1;
    }
    let mut out: Vec<&str> = lines[..start].to_vec();
    out.extend(&lines[end..]);
    let mut text_out = out.join("\n");
    if text.ends_with('\n') && !text_out.is_empty() {
        text_out.push('\n');
    }
    Some(text_out)
}

/// What [`edit`] does to one entry.
#[derive(Debug, Clone, Copy)]
pub enum Edit<'a> {
    /// Set fields ([`annotate`]); `current` is the entry as parsed, if it exists.
    Annotate {
        current: Option<&'a Entry>,
        changes: &'a Changes,
    },
    /// Take the entry out ([`remove`]).
    Remove,
}

/// The mapping a whole file parses to (an empty file is an empty mapping).
fn parse_mapping(text: &str) -> Result<Mapping, String> {
    if text.trim().is_empty() {
        return Ok(Mapping::new());
    }
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err("it is not a mapping".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `map` with the edit applied the YAML way: what the edited file must parse to.
pub fn expected_after(mut map: Mapping, name: &str, edit: Edit<'_>) -> Mapping {
    let key = Value::String(name.to_string());
    match edit {
        Edit::Remove => {
            map.shift_remove(&key);
        }
        Edit::Annotate { current, changes } => {
            let entry = map.entry(key).or_insert(Value::Null);
            if !entry.is_mapping() {
                *entry = Value::Mapping(Mapping::new());
            }
            if let Value::Mapping(fields) = entry {
                for (k, v) in field_values(current, changes) {
                    fields.insert(Value::String(k.to_string()), v);
                }
            }
        }
    }
    map
}

/// Edits `text` (the contents of `file`) and checks the result before anyone writes it: it must
/// parse to exactly the original mapping with this one edit applied, so nothing the edit did not
/// ask for changes (an anchor other entries use, a construct the line editor misreads). `None`:
/// the entry to remove is not there.
pub fn edit(
    text: &str,
    file: &str,
    name: &str,
    edit: Edit<'_>,
) -> Result<Option<String>, UserError> {
    // A file with Windows line ends keeps them: the line editor works on `\n` lines, and the
    // result gets `\r\n` back. Mixed line ends cannot be kept byte for byte, so they are refused.
    let crlf = text.contains("\r\n");
    if crlf {
        if text.matches('\n').count() != text.matches("\r\n").count() {
            return Err(UserError::new(format!(
                "cannot edit {file} safely: it mixes Windows (CRLF) and Unix (LF) line ends"
            ))
            .with_hint("nothing was written; give the file one kind of line end (e.g. `dos2unix`), then run this again"));
        }
        let edited = edit_lf(&text.replace("\r\n", "\n"), file, name, edit)?;
        return Ok(edited.map(|t| t.replace('\n', "\r\n")));
    }
    edit_lf(text, file, name, edit)
}

/// [`edit`] of a file whose lines end in `\n`.
fn edit_lf(
    text: &str,
    file: &str,
    name: &str,
    edit: Edit<'_>,
) -> Result<Option<String>, UserError> {
    let new_text = match edit {
        Edit::Annotate { current, changes } => annotate(text, name, current, changes),
        Edit::Remove => match remove(text, name) {
            Some(t) => t,
            None => return Ok(None),
        },
    };
    let refuse = |why: String| {
        UserError::new(format!("cannot edit {file} safely: {why}")).with_hint(
            "nothing was written; edit the file by hand (registry edits lines, keeping comments, and checks the result)",
        )
    };
    let before = parse_mapping(text).map_err(|e| refuse(format!("it does not parse: {e}")))?;
    let after = parse_mapping(&new_text)
        .map_err(|e| refuse(format!("the edited file would not parse: {e}")))?;
    if after != expected_after(before, name, edit) {
        return Err(refuse(format!(
            "the edit of '{name}' would change more than it asks for (an anchor other entries refer to?)"
        )));
    }
    parse(&new_text, file).map_err(|e| refuse(e.message))?;
    Ok(Some(new_text))
}

/// The artifacts.yaml of an artifact name (`dir/artifacts.yaml` for `dir:name`) and its key.
pub fn location(name: &crate::registry::name::ArtifactName) -> (String, String) {
    match name.dirname() {
        Some(dir) => (format!("{dir}/artifacts.yaml"), name.basename().to_string()),
        None => ("artifacts.yaml".to_string(), name.basename().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTED: &str = "\
# Models of the churn team.
churn:   # the main one
  type: model
  # kept in git LFS
  path: models/churn.pkl
  owner: team-a      # unknown key, kept
  labels:
  - tabular

# Forecasting
forecast:
  type: model
  path: models/forecast.pkl
";

    #[test]
    fn parses_entries_in_file_order() {
        let entries = parse(COMMENTED, "artifacts.yaml").unwrap();
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["churn", "forecast"]);
        let churn = &entries[0].1;
        assert_eq!(churn.path.as_deref(), Some("models/churn.pkl"));
        assert!(
            churn.is_virtual,
            "GTO's default for a missing `virtual` is true"
        );
        assert_eq!(churn.labels, vec!["tabular"]);
        assert_eq!(
            churn.raw.get("owner").and_then(|v| v.as_str()),
            Some("team-a")
        );
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let bad = "churn:\n  type: model\n  virtual: maybe\n";
        let e = parse(bad, "artifacts.yaml").unwrap_err();
        assert_eq!(
            e.message,
            "artifacts.yaml:3: 'churn.virtual' must be true or false \
             (artifacts.yaml file doesn't conform to GTO format)"
        );
        // The parser's own words follow the prefix; the file, line and column are ours.
        let e = parse("churn: [\n", "sub/artifacts.yaml").unwrap_err();
        assert!(
            e.message
                .starts_with("sub/artifacts.yaml:2:1: invalid YAML: "),
            "{}",
            e.message
        );
        let e = parse("churn:\n  labels: [ok, -bad]\n", "artifacts.yaml").unwrap_err();
        let (start, end) = (
            "artifacts.yaml:2: 'churn.labels' holds ",
            ", which is not a valid label (artifacts.yaml file doesn't conform to GTO format)",
        );
        // How the bad item is quoted in between is the YAML value's own rendering.
        assert!(
            e.message.starts_with(start) && e.message.ends_with(end) && e.message.contains("-bad"),
            "{}",
            e.message
        );
        assert_eq!(e.hint, None);
    }

    #[test]
    fn editing_one_field_keeps_every_other_byte() {
        let current = parse(COMMENTED, "a").unwrap().remove(0).1;
        let changes = Changes {
            path: Some("models/churn-v2.pkl".into()),
            ..Changes::default()
        };
        let out = annotate(COMMENTED, "churn", Some(&current), &changes);
        assert_eq!(
            out,
            COMMENTED.replace("models/churn.pkl", "models/churn-v2.pkl")
        );
    }

    #[test]
    fn adding_fields_and_labels() {
        let current = parse(COMMENTED, "a").unwrap().remove(0).1;
        let changes = Changes {
            labels: vec!["tabular".into(), "gbm".into()],
            description: Some("Churn: who leaves?".into()),
            is_virtual: Some(false),
            ..Changes::default()
        };
        let out = annotate(COMMENTED, "churn", Some(&current), &changes);
        let expected = COMMENTED.replace(
            "  labels:\n  - tabular\n",
            "  labels: [tabular, gbm]\n  virtual: false\n  description: \"Churn: who leaves?\"\n",
        );
        assert_eq!(out, expected);
        let edited = parse(&out, "a").unwrap().remove(0).1;
        assert_eq!(edited.labels, vec!["tabular", "gbm"]);
        assert_eq!(edited.description.as_deref(), Some("Churn: who leaves?"));
        assert!(!edited.is_virtual);
        assert_eq!(edited.path.as_deref(), Some("models/churn.pkl"));
    }

    #[test]
    fn new_entries_go_at_the_end() {
        let changes = Changes {
            kind: Some("model".into()),
            path: Some("m.pkl".into()),
            is_virtual: Some(false),
            custom: vec![("framework".into(), Value::String("xgboost".into()))],
            ..Changes::default()
        };
        let out = annotate(COMMENTED, "new", None, &changes);
        assert_eq!(
            out,
            format!("{COMMENTED}new:\n  type: model\n  path: m.pkl\n  virtual: false\n  custom:\n    framework: xgboost\n")
        );
        let entries = parse(&out, "a").unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(annotate("", "x", None, &Changes::default()), "x:\n");
    }

    #[test]
    fn flow_entries_are_rewritten_alone() {
        let text = "a: {type: model, path: a.pkl}\nb:\n  type: model\n";
        let current = parse(text, "f").unwrap().remove(0).1;
        let out = annotate(
            text,
            "a",
            Some(&current),
            &Changes {
                description: Some("d".into()),
                ..Changes::default()
            },
        );
        assert_eq!(
            out,
            "a:\n  type: model\n  path: a.pkl\n  description: d\nb:\n  type: model\n"
        );
    }

    #[test]
    fn remove_takes_the_entry_and_its_comment() {
        let out = remove(COMMENTED, "forecast").unwrap();
        assert_eq!(
            out,
            COMMENTED
                .split("\n# Forecasting")
                .next()
                .unwrap()
                .to_string()
                + "\n"
        );
        // The file's first comment goes with the first entry, and so does the blank line after
        // it: what is left starts with the next entry's comment.
        let out = remove(COMMENTED, "churn").unwrap();
        assert_eq!(
            out,
            "# Forecasting\nforecast:\n  type: model\n  path: models/forecast.pkl\n"
        );
        assert!(remove(COMMENTED, "absent").is_none());
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("models/churn.pkl"), "models/churn.pkl");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("10"), "\"10\"");
        assert_eq!(scalar("s3://bucket/m.pkl"), "\"s3://bucket/m.pkl\"");
        assert_eq!(scalar("a b"), "\"a b\"");
    }
}

/// Property tests of the edits: over generated files with block scalars (`|`, `>`, blank lines
/// inside), flow collections, comments and anchors, every edit parses to the old mapping with
/// exactly that edit applied (computed on the parsed value, independently of the editor), and
/// every other entry keeps its bytes. The only edit allowed to be refused is one that would take
/// away an anchor another entry refers to.
#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_yaml::{Mapping, Value};

    use super::*;

    #[derive(Debug, Clone)]
    enum Field {
        Type(&'static str),
        Path(&'static str),
        /// Plain one-line description.
        Desc(&'static str),
        /// A block scalar: `|`, `>`, with chomping; "" lines are blank lines inside.
        Block(&'static str, Vec<&'static str>),
        Labels {
            flow: bool,
            deeper: bool,
            items: Vec<&'static str>,
        },
        Custom {
            flow: bool,
            keys: Vec<(&'static str, i64)>,
        },
        Comment {
            col0: bool,
        },
        /// An unknown key holding an anchor (`owner: &aN teamN`).
        Anchor,
        /// An unknown key referring to an earlier entry's anchor.
        Alias(usize),
    }

    #[derive(Debug, Clone)]
    struct GenEntry {
        flow: bool,
        indent: usize,
        trailing_comment: bool,
        fields: Vec<Field>,
    }

    const NAMES: &[&str] = &["churn", "forecast", "ranker", "emb", "cv", "nlp"];

    fn field() -> impl Strategy<Value = Field> {
        let word = prop::sample::select(vec![
            "First",
            "a: b",
            "# not a comment",
            "- dash",
            "x",
            "  indented",
            "tail ",
        ]);
        let line = prop_oneof![3 => word, 1 => Just("")];
        prop_oneof![
            prop::sample::select(vec!["model", "dataset"]).prop_map(Field::Type),
            prop::sample::select(vec!["models/a.pkl", "\"quoted path.pkl\"", "'single.pkl'"])
                .prop_map(Field::Path),
            prop::sample::select(vec!["plain", "\"a: quoted\"", "'it''s'"]).prop_map(Field::Desc),
            (
                prop::sample::select(vec!["|", ">", "|-", ">-", "|+", ">+"]),
                prop::collection::vec(line, 1..6)
            )
                .prop_map(|(style, mut lines)| {
                    // A block scalar's first line holds text.
                    // (and sets its indentation: not a more indented one).
                    if lines[0].is_empty() || lines[0].starts_with(' ') {
                        lines[0] = "first";
                    }
                    Field::Block(style, lines)
                }),
            (
                any::<bool>(),
                any::<bool>(),
                prop::collection::vec(prop::sample::select(vec!["tab", "gbm", "nn"]), 0..3)
            )
                .prop_map(|(flow, deeper, items)| Field::Labels {
                    flow,
                    deeper,
                    items
                }),
            (
                any::<bool>(),
                prop::collection::vec(
                    (prop::sample::select(vec!["k", "j", "epochs"]), 0i64..100),
                    1..3
                )
            )
                .prop_map(|(flow, keys)| Field::Custom { flow, keys }),
            any::<bool>().prop_map(|col0| Field::Comment { col0 }),
            Just(Field::Anchor),
            (0usize..6).prop_map(Field::Alias),
        ]
    }

    fn entry() -> impl Strategy<Value = GenEntry> {
        (
            prop::bool::weighted(0.15),
            prop::sample::select(vec![2usize, 4]),
            any::<bool>(),
            prop::collection::vec(field(), 0..7),
        )
            .prop_map(|(flow, indent, trailing_comment, fields)| GenEntry {
                flow,
                indent,
                trailing_comment,
                fields,
            })
    }

    /// Renders a file; `anchored[i]` says whether entry i defines its anchor `&ai`.
    fn render_file(entries: &[GenEntry], header: bool) -> String {
        let mut out = String::new();
        if header {
            out.push_str("# Artifacts of the team.\n\n");
        }
        let mut anchored = vec![false; entries.len()];
        for (i, e) in entries.iter().enumerate() {
            let name = NAMES[i];
            if e.flow {
                out.push_str(&format!(
                    "{name}: {{type: model, path: {name}.pkl, labels: [a, b]}}\n"
                ));
                continue;
            }
            out.push_str(&format!(
                "{name}:{}\n",
                if e.trailing_comment {
                    "   # the entry"
                } else {
                    ""
                }
            ));
            let pad = " ".repeat(e.indent);
            let mut seen = std::collections::HashSet::new();
            let mut first = true;
            for f in &e.fields {
                let key = match f {
                    Field::Type(_) => "type",
                    Field::Path(_) => "path",
                    Field::Desc(_) | Field::Block(..) => "description",
                    Field::Labels { .. } => "labels",
                    Field::Custom { .. } => "custom",
                    Field::Comment { .. } => "",
                    Field::Anchor => "owner",
                    Field::Alias(_) => "same_owner",
                };
                if !key.is_empty() && !seen.insert(key) {
                    continue; // one of each key
                }
                match f {
                    // A comment before the first field would hide the entry's indentation.
                    Field::Comment { col0 } if !first => {
                        if *col0 {
                            out.push_str("# between fields\n");
                        } else {
                            out.push_str(&format!("{pad}# about the next field\n"));
                        }
                    }
                    Field::Comment { .. } => {}
                    Field::Type(t) => out.push_str(&format!("{pad}type: {t}  # kind\n")),
                    Field::Path(p) => out.push_str(&format!("{pad}path: {p}\n")),
                    Field::Desc(d) => out.push_str(&format!("{pad}description: {d}\n")),
                    Field::Block(style, lines) => {
                        out.push_str(&format!("{pad}description: {style}\n"));
                        for l in lines {
                            if l.is_empty() {
                                out.push('\n');
                            } else {
                                out.push_str(&format!("{pad}  {l}\n"));
                            }
                        }
                    }
                    Field::Labels {
                        flow: true, items, ..
                    } => out.push_str(&format!("{pad}labels: [{}]\n", items.join(", "))),
                    Field::Labels { deeper, items, .. } => {
                        out.push_str(&format!("{pad}labels:\n"));
                        let item_pad = if *deeper {
                            format!("{pad}  ")
                        } else {
                            pad.clone()
                        };
                        for it in items {
                            out.push_str(&format!("{item_pad}- {it}\n"));
                        }
                    }
                    Field::Custom { flow: true, keys } => {
                        let mut done = std::collections::HashSet::new();
                        let parts: Vec<String> = keys
                            .iter()
                            .filter(|(k, _)| done.insert(*k))
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect();
                        out.push_str(&format!(
                            "{pad}custom: {{{}, list: [x, y]}}\n",
                            parts.join(", ")
                        ));
                    }
                    Field::Custom { keys, .. } => {
                        out.push_str(&format!("{pad}custom:\n"));
                        let mut done = std::collections::HashSet::new();
                        for (k, v) in keys {
                            if done.insert(*k) {
                                out.push_str(&format!("{pad}  {k}: {v}\n"));
                            }
                        }
                        out.push_str(&format!(
                            "{pad}  # inside custom\n{pad}  nested:\n{pad}    - 1\n"
                        ));
                    }
                    Field::Anchor => {
                        anchored[i] = true;
                        out.push_str(&format!("{pad}owner: &a{i} team{i}\n"));
                    }
                    Field::Alias(j) => match (*j < i).then(|| anchored[*j]) {
                        Some(true) => out.push_str(&format!("{pad}same_owner: *a{j}\n")),
                        _ => out.push_str(&format!("{pad}same_owner: nobody\n")),
                    },
                }
                first = false;
            }
            if i + 1 < entries.len() && i % 2 == 0 {
                out.push('\n');
            }
        }
        out
    }

    #[derive(Debug, Clone)]
    enum Op {
        Description(&'static str),
        Path(&'static str),
        Label(&'static str),
        Custom(&'static str, i64),
        Remove,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            prop::sample::select(vec!["new", "a: b", "two\nlines", "#hash", "", "tail  "])
                .prop_map(Op::Description),
            prop::sample::select(vec!["models/new.pkl", "with space.pkl"]).prop_map(Op::Path),
            prop::sample::select(vec!["tab", "fresh"]).prop_map(Op::Label),
            (prop::sample::select(vec!["k", "new_key"]), 0i64..10)
                .prop_map(|(k, v)| Op::Custom(k, v)),
            Just(Op::Remove),
        ]
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    /// The mapping after the edit, computed on the parsed value alone.
    fn expected(before: &Mapping, name: &str, op: &Op) -> Mapping {
        let mut map = before.clone();
        if let Op::Remove = op {
            map.shift_remove(s(name));
            return map;
        }
        let entry = map.entry(s(name)).or_insert(Value::Null);
        if !entry.is_mapping() {
            *entry = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(fields) = entry else {
            unreachable!()
        };
        match op {
            Op::Description(d) => {
                fields.insert(s("description"), s(d));
            }
            Op::Path(p) => {
                fields.insert(s("path"), s(p));
            }
            Op::Label(l) => {
                let mut labels = match fields.get("labels") {
                    Some(Value::Sequence(items)) => items.clone(),
                    _ => Vec::new(),
                };
                if !labels.contains(&s(l)) {
                    labels.push(s(l));
                }
                fields.insert(s("labels"), Value::Sequence(labels));
            }
            Op::Custom(k, v) => {
                let mut custom = match fields.get("custom") {
                    Some(Value::Mapping(m)) => m.clone(),
                    _ => Mapping::new(),
                };
                custom.insert(s(k), Value::Number((*v).into()));
                fields.insert(s("custom"), Value::Mapping(custom));
            }
            Op::Remove => unreachable!(),
        }
        map
    }

    /// Each entry's block of lines, by name.
    fn blocks(text: &str) -> Vec<(String, String)> {
        let lines: Vec<&str> = text.lines().collect();
        NAMES
            .iter()
            .filter_map(|n| {
                entry_block(&lines, n).map(|(a, b)| (n.to_string(), lines[a..b].join("\n")))
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn edits_change_exactly_what_they_ask_for(
            entries in prop::collection::vec(entry(), 0..6),
            header in any::<bool>(),
            target in 0usize..7,
            op in op(),
        ) {
            let text = render_file(&entries, header);
            let before = match serde_yaml::from_str::<Value>(&text) {
                Ok(Value::Mapping(m)) => m,
                Ok(Value::Null) => Mapping::new(),
                other => return Err(TestCaseError::fail(format!("generated a bad file: {other:?}\n{text}"))),
            };
            let parsed = parse(&text, "artifacts.yaml").map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
            // An entry of the file, or a new one (index past the end).
            let name = if target < entries.len() { NAMES[target] } else { "newname" };
            let current = parsed.iter().find(|(k, _)| k == name).map(|(_, e)| e);
            if matches!(op, Op::Remove) && current.is_none() {
                prop_assert!(remove(&text, name).is_none());
                return Ok(());
            }
            let changes = match &op {
                Op::Description(d) => Changes { description: Some(d.to_string()), ..Changes::default() },
                Op::Path(p) => Changes { path: Some(p.to_string()), ..Changes::default() },
                Op::Label(l) => Changes { labels: vec![l.to_string()], ..Changes::default() },
                Op::Custom(k, v) => Changes { custom: vec![(k.to_string(), Value::Number((*v).into()))], ..Changes::default() },
                Op::Remove => Changes::default(),
            };
            let how = match op {
                Op::Remove => Edit::Remove,
                _ => Edit::Annotate { current, changes: &changes },
            };
            let want = expected(&before, name, &op);
            match edit(&text, "artifacts.yaml", name, how) {
                Ok(Some(after)) => {
                    let got: Value = serde_yaml::from_str(&after).unwrap_or(Value::Null);
                    let got = match got { Value::Null => Value::Mapping(Mapping::new()), v => v };
                    prop_assert_eq!(&got, &Value::Mapping(want), "before:\n{}\nafter:\n{}", text, after);
                    // Every other entry keeps its bytes.
                    let old = blocks(&text);
                    let new = blocks(&after);
                    for (n, block) in &old {
                        if n != name {
                            let kept = new.iter().find(|(m, _)| m == n).map(|(_, b)| b);
                            prop_assert_eq!(kept, Some(block), "entry {} changed:\n{}\n---\n{}", n, text, after);
                        }
                    }
                }
                Ok(None) => prop_assert!(false, "an existing entry was not found"),
                Err(e) => {
                    // Only an edit that would take away an anchor others use may be refused.
                    let idx = NAMES.iter().position(|n| *n == name).unwrap_or(usize::MAX);
                    let anchored = text.contains(&format!("&a{idx} "));
                    let aliased = text.contains(&format!("*a{idx}"));
                    prop_assert!(anchored && aliased, "refused: {}\n{}", e.message, text);
                }
            }
        }
    }
    /// The same alphabet as the edit properties above, but free-form: loading never panics, and
    /// an annotation of whatever parsed gives a file that parses, with the new description and
    /// nothing else changed (`edit` checks that), or is refused: never a broken file.
    const YAMLISH: &str = "[a-z:\\[\\]{}#\\- \n\"'|>&*!0-9.]{0,120}";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn loading_and_annotating_never_panic_nor_break_the_file(s in YAMLISH) {
            if let Ok(entries) = parse(&s, "artifacts.yaml") {
                if let Some((name, entry)) = entries.first() {
                    let changes = Changes { description: Some("d".into()), ..Default::default() };
                    let how = Edit::Annotate { current: Some(entry), changes: &changes };
                    match edit(&s, "artifacts.yaml", name, how) {
                        Ok(Some(edited)) => {
                            let again = parse(&edited, "artifacts.yaml");
                            prop_assert!(again.is_ok(), "{:?} edited to {:?}: {:?}", s, edited, again);
                            let again = again.unwrap_or_default();
                            let entry = again.iter().find(|(k, _)| k == name).map(|(_, e)| e);
                            prop_assert_eq!(entry.and_then(|e| e.description.as_deref()), Some("d"), "{:?} edited to {:?}", s, edited);
                        }
                        Ok(None) => prop_assert!(false, "annotate never answers 'absent'"),
                        Err(e) => prop_assert!(e.message.starts_with("cannot edit artifacts.yaml safely"), "{}", e.message),
                    }
                }
            }
        }
    }
}
