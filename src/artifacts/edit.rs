//! Editing `artifacts.yaml` as text: an entry is the block from its top-level `name:` line to
//! the next top-level line, a field its line plus continuation lines; only the lines of the
//! fields being set change, and every edit is checked by parsing before it is written.

use super::{Entry, parse};
use crate::error::UserError;
use crate::yaml::{Mapping, Value};

/// What `annotate` sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct Changes {
    pub kind: Option<String>,
    pub path: Option<String>,
    pub is_virtual: Option<bool>,
    /// Labels to add (kept unique, in order).
    pub labels: Vec<String>,
    pub description: Option<String>,
    /// `custom` keys to set (value parsed as YAML).
    pub custom: Vec<(String, Value)>,
}

pub(super) fn key_of(line: &str) -> Option<&str> {
    if !is_top_level(line) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim().trim_matches(|c| c == '"' || c == '\''))
}

/// A line that starts a new top-level key (not indented, not a comment, not blank).
pub(super) fn is_top_level(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#']) && !line.starts_with("---")
}

/// A string as a YAML scalar: plain where unambiguous, else double-quoted (JSON is valid YAML).
pub(super) fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !s.starts_with(['-', '.'])
        && Value::parse(s).ok() == Some(Value::String(s.to_string()));
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

/// Renders a YAML value under `key` at `indent`, as lines.
pub(super) fn render(key: &str, value: &Value, indent: &str) -> Vec<String> {
    match value {
        Value::String(s) => vec![format!("{indent}{key}: {}", scalar(s))],
        Value::Bool(_) | Value::Number(_) | Value::Null => {
            let v = value.to_yaml();
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
            let body = value.to_yaml();
            let mut lines = vec![format!("{indent}{key}:")];
            lines.extend(body.lines().map(|l| format!("{indent}  {l}")));
            lines
        }
    }
}

/// Lines `[start, end)` of the block of top-level key `name`, if present.
pub(super) fn entry_block(lines: &[&str], name: &str) -> Option<(usize, usize)> {
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
pub(super) fn field_key(line: &str) -> Option<&str> {
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
pub(super) fn value_end(block: &[String], i: usize, indent: usize) -> usize {
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
pub(super) fn keeps_trailing_lines(line: &str) -> bool {
    let Some((_, value)) = line.split_once(": ") else {
        return false;
    };
    let value = value.split(" #").next().unwrap_or("").trim();
    value.len() >= 2
        && value.starts_with(['|', '>'])
        && value[1..].contains('+')
        && value[1..].chars().all(|c| c == '+' || c.is_ascii_digit())
}

pub(super) fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The fields `changes` sets, with their new values (labels and custom keys merged with
/// `current`'s), in the order they are written.
pub(super) fn field_values(
    current: Option<&Entry>,
    changes: &Changes,
) -> Vec<(&'static str, Value)> {
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
pub(crate) fn annotate(
    text: &str,
    name: &str,
    current: Option<&Entry>,
    changes: &Changes,
) -> String {
    let sets = field_values(current, changes);
    annotate_fields(text, name, current.map(|e| &e.raw), &sets)
}

/// Sets `sets` (field name, new value) in entry `name` of `text`, creating the entry at the end if
/// absent: [`annotate`] with the field names already chosen, so `dvc.yaml`'s editor can write
/// DVC's (`desc`, `meta`). `current_raw` is the entry as written, for a flow-style entry's
/// rewrite in block style.
pub(super) fn annotate_fields(
    text: &str,
    name: &str,
    current_raw: Option<&Mapping>,
    sets: &[(&str, Value)],
) -> String {
    let had_newline = text.ends_with('\n') || text.is_empty();
    let lines: Vec<&str> = text.lines().collect();
    let Some((start, end)) = entry_block(&lines, name) else {
        // A new entry at the end of the file.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{}:\n", scalar(name)));
        for (key, value) in sets {
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
        let mut merged = current_raw.cloned().unwrap_or_default();
        for (key, value) in sets {
            merged.insert(Value::String((*key).to_string()), value.clone());
        }
        for (k, v) in &merged {
            if let Some(k) = k.as_str() {
                block.extend(render(k, v, "  "));
            }
        }
    } else {
        block = lines[start..end].iter().map(ToString::to_string).collect();
        if !inline_value.is_empty() {
            block[0] = format!("{}:", scalar(name));
        }
        let indent_width = block
            .iter()
            .skip(1)
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map_or(2, |l| indent_of(l));
        let indent = " ".repeat(indent_width);
        for (key, value) in sets {
            let rendered = render(key, value, &indent);
            let field_line = block
                .iter()
                .skip(1)
                .position(|l| indent_of(l) == indent_width && field_key(l) == Some(*key))
                .map(|i| i + 1);
            if let Some(i) = field_line {
                let end = value_end(&block, i, indent_width);
                block.splice(i..end, rendered);
            } else {
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
    let mut out: Vec<String> = lines[..start].iter().map(ToString::to_string).collect();
    out.extend(block);
    out.extend(lines[end..].iter().map(ToString::to_string));
    let mut text = out.join("\n");
    if had_newline {
        text.push('\n');
    }
    text
}

/// Removes entry `name` (and the comment lines directly above it); `None` if absent.
pub(crate) fn remove(text: &str, name: &str) -> Option<String> {
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
pub(crate) enum Edit<'a> {
    /// Set fields ([`annotate`]); `current` is the entry as parsed, if it exists.
    Annotate {
        current: Option<&'a Entry>,
        changes: &'a Changes,
    },
    /// Take the entry out ([`remove`]).
    Remove,
}

/// The mapping a whole file parses to (an empty file is an empty mapping).
pub(super) fn parse_mapping(text: &str) -> Result<Mapping, String> {
    if text.trim().is_empty() {
        return Ok(Mapping::new());
    }
    match Value::parse(text) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err("it is not a mapping".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `map` with the edit applied the YAML way: what the edited file must parse to.
pub(crate) fn expected_after(mut map: Mapping, name: &str, edit: Edit<'_>) -> Mapping {
    match edit {
        Edit::Remove => {
            map.remove(name);
        }
        Edit::Annotate { current, changes } => {
            let entry = map.get_or_insert_null(name);
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
pub(crate) fn edit(
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
pub(super) fn edit_lf(
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
